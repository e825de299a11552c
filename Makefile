# vaultlint: build with `make`, test with `make test`.
# Libraries come from Debian packages through pkg-config; `make deps`
# installs the missing ones (as root) or prints the command to run.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
CC        ?= cc
PKGS      := libgit2 md4c yaml-0.1 libpcre2-8
DEB_PKGS  := pkg-config libgit2-dev libmd4c-dev libyaml-dev libpcre2-dev libcmocka-dev
TEST_PKGS := git python3

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wvla -Wwrite-strings
CFLAGS    ?= -O2 -g
# Always added, also when CFLAGS is given on the command line (make asan).
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -pthread -DVL_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS    += $(PKG_LIBS) -pthread

# Compile on every core unless told otherwise (make -jN).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

BUILD     ?= build
LIB_SRC   := $(sort $(wildcard src/*.c src/git/*.c rules/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN       ?= vaultlint

.PHONY: all deps test-deps run test unit e2e asan install uninstall clean bench fuzz valgrind

all: $(BIN)

# Installs missing build dependencies (Debian), or says how to. The
# build needs the four libraries; cmocka is installed with them when this
# runs as root, but only the tests need it (test-deps), so that a plain
# build as a user (a CI job that apt-installs the four) goes through.
deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	for p in $(PKGS); do \
	  pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "vaultlint: missing build dependencies:$$missing"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "vaultlint: installing $(DEB_PKGS)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS)) >/dev/null || \
	      { echo "vaultlint: apt-get failed; run: apt-get install $(DEB_PKGS)"; exit 2; }; \
	  else \
	    echo "vaultlint: run as root: apt-get install $(DEB_PKGS)"; exit 2; \
	  fi; \
	fi

# What the tests need besides the build: cmocka (the unit tests), git,
# and python3 to read JSON output.
test-deps:
	@missing=""; for c in $(TEST_PKGS); do \
	  command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; \
	done; \
	pkg-config --exists cmocka 2>/dev/null || missing="$$missing libcmocka-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "vaultlint: installing$$missing for the tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || \
	      { echo "vaultlint: apt-get failed; run: apt-get install$$missing"; exit 2; }; \
	  else \
	    echo "vaultlint: the tests need:$$missing; run as root: apt-get install$$missing"; exit 2; \
	  fi; \
	fi

$(BUILD)/.deps-ok: | deps
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/%.o: %.c $(BUILD)/.deps-ok $(wildcard src/*.h src/git/*.h rules/*.h cmd/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/libvaultlint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJ) $(BUILD)/libvaultlint.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libvaultlint.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvaultlint.a $(wildcard tests/unit/*.h) | test-deps
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
	  $(BUILD)/libvaultlint.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# The main job on the example vault (the README's first command).
run: $(BIN)
	./$(BIN) check examples/garden; echo "(exit $$?: the example vault has a finding for every rule)"

unit: $(UNIT_BIN)

# Every test: unit tests (cmocka), then end-to-end cases on the real binary.
test: test-deps $(BIN) $(UNIT_BIN)
	@VAULTLINT=$(abspath $(BIN)) UNIT_BIN="$(UNIT_BIN)" sh tests/run.sh

# The same tests under AddressSanitizer and UBSan, in a separate build tree.
asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/vaultlint \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" test

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vaultlint/hooks
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/vaultlint
	install -m 755 hooks/pre-commit $(DESTDIR)$(PREFIX)/share/vaultlint/hooks/pre-commit

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vaultlint
	rm -rf $(DESTDIR)$(PREFIX)/share/vaultlint

clean:
	rm -rf build build-asan build-fuzz $(BIN)

# ---- benchmark and fuzzing (tests/bench/, tests/fuzz/) ----

# `make bench [N=50000]`: a synthetic vault of N notes with git history
# (generated once per N under tests/bench/out/), vaultlint timed against
# grep / git status / git diff --stat. Reports PASS/MISS per target; fails
# only when a command fails.
BENCH_N   := $(or $(N),50000)

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The floor: md4c and libyaml alone over the same notes.
$(BUILD)/bench/floor: tests/bench/floor.c src/note.h src/util.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(shell pkg-config --cflags md4c yaml-0.1) $(LDFLAGS) \
	  -o $@ $< $(shell pkg-config --libs md4c yaml-0.1) -pthread

bench: $(BIN) $(BUILD)/bench/gen $(BUILD)/bench/rtime $(BUILD)/bench/floor
	@VAULTLINT=$(abspath $(BIN)) GEN=$(abspath $(BUILD)/bench/gen) \
	  RTIME=$(abspath $(BUILD)/bench/rtime) FLOOR=$(abspath $(BUILD)/bench/floor) \
	  N=$(BENCH_N) sh tests/bench/bench.sh

# `make fuzz [FUZZ_SECONDS=60]`: each libFuzzer harness (tests/fuzz/) for a
# bounded time on its seed corpus and saved regressions; prints executions
# and crashes, and saves crashing inputs under tests/fuzz/regress/. The
# library is rebuilt with clang and the sanitizers into build-fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_OUT     := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_HARN    := note frontmatter config cache lint appjson
FUZZ_OBJ     := $(LIB_SRC:%.c=$(FUZZ_OUT)/%.o)
FUZZ_BIN     := $(FUZZ_HARN:%=$(FUZZ_OUT)/fuzz_%)

$(FUZZ_OUT)/%.o: %.c $(wildcard src/*.h src/git/*.h rules/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(BASE_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJ)
	$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(BASE_CFLAGS) $(PKG_CFLAGS) -o $@ $< \
	  $(FUZZ_OBJ) $(PKG_LIBS) -pthread

.SECONDARY: $(FUZZ_OBJ)

fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_OUT=$(FUZZ_OUT) FUZZ_HARN="$(FUZZ_HARN)" sh tests/fuzz/run.sh

# The corpus replay test shares its checks with the fuzz harnesses.
$(BUILD)/tests/test_fuzz_replay: tests/fuzz/fuzz_common.h

# `make valgrind`: every end-to-end case with the binary under valgrind's
# memcheck. A memory error or a definite leak makes vaultlint exit 99, so
# the case fails on its exit code. Ends with "N passed, N failed".
valgrind: $(BIN)
	@command -v valgrind >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null; } || \
	  { echo "vaultlint: valgrind is not installed; run: apt-get install valgrind"; exit 2; }
	@mkdir -p $(BUILD)
	@printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "%s" "$$@"\n' \
	  "$(abspath $(BIN))" > $(BUILD)/vaultlint-valgrind
	@chmod +x $(BUILD)/vaultlint-valgrind
	@VAULTLINT=$(abspath $(BUILD))/vaultlint-valgrind sh tests/e2e/cases.sh > $(BUILD)/valgrind.log 2>&1; \
	  grep -E '^FAIL|^  ' $(BUILD)/valgrind.log; \
	  p=$$(grep -c '^PASS' $(BUILD)/valgrind.log); f=$$(grep -c '^FAIL' $(BUILD)/valgrind.log); \
	  echo "valgrind: $$p passed, $$f failed"; [ "$$f" -eq 0 ] && [ "$$p" -gt 0 ]
