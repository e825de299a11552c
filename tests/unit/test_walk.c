/*
 * test_walk.c: listing a vault folder (hidden entries, ignore globs,
 * symlinks inside and outside, loops, broken links, unreadable folders,
 * .gitignore) and reading its files, on temp folders built per test;
 * vl_read_in_vault's results (read, cannot be read, out of memory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/source.h"

typedef struct tmp {
	char base[64];    /* the mkdtemp folder */
	char vault[128];  /* base/vault */
} tmp;

static void path_of(char *out, size_t n, const char *dir, const char *rel)
{
	int w = snprintf(out, n, "%s/%s", dir, rel);

	assert_true(w > 0 && (size_t)w < n);
}

static void mkdir_in(const char *dir, const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void write_in(const char *dir, const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	path_of(p, sizeof(p), dir, rel);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void link_in(const char *dir, const char *rel, const char *target)
{
	char p[512];

	path_of(p, sizeof(p), dir, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void tmp_make(tmp *t)
{
	strcpy(t->base, "/tmp/vl-walk-XXXXXX");
	assert_non_null(mkdtemp(t->base));
	path_of(t->vault, sizeof(t->vault), t->base, "vault");
	assert_int_equal(mkdir(t->vault, 0755), 0);
}

static void tmp_remove(tmp *t)
{
	char cmd[256];
	int w = snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'", t->base, t->base);

	assert_true(w > 0 && (size_t)w < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

/* The listed paths, one per line, for one readable assertion. */
static char *listing(const vl_source *src)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;

	for (i = 0; i < src->n_files; i++)
		assert_true(vl_buf_printf(&b, "%s%s\n", src->files[i].path,
			src->files[i].is_note ? "" : " (file)") >= 0);
	return vl_buf_detach(&b);
}

static char *problems(const vl_source *src)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;

	for (i = 0; i < src->n_problems; i++)
		assert_true(vl_buf_printf(&b, "%s: %s\n", src->problems[i].path,
			src->problems[i].message) >= 0);
	return vl_buf_detach(&b);
}

/* Opens dir, failing the test with the library's message on error. */
static vl_source *open_ok(const char *dir, const vl_source_opts *opts)
{
	vl_source *src = NULL;
	vl_error err;

	if (vl_source_open_dir(&src, dir, opts, &err) != 0)
		fail_msg("vl_source_open_dir(%s): %s", dir, err.msg);
	assert_non_null(src);
	return src;
}

static void test_walk_vault(void **state)
{
	tmp t;
	vl_source *src = NULL;
	vl_error err;
	vl_source_opts opts;
	static const char *const ignore[] = { "drafts/", "*.tmp" };
	char *real_base, *got, want[2048];
	char *text = NULL;
	size_t len = 0;
	long i;

	(void)state;
	tmp_make(&t);
	write_in(t.base, "outside.md", "secret outside\n");
	write_in(t.vault, "Home.md", "# Home\n");
	mkdir_in(t.vault, "notes");
	write_in(t.vault, "notes/Alpha.MD", "alpha text\n");
	write_in(t.vault, "notes/pic.png", "PNG");
	write_in(t.vault, "notes/scratch.tmp", "x");
	mkdir_in(t.vault, "drafts");
	write_in(t.vault, "drafts/wip.md", "wip");
	mkdir_in(t.vault, ".obsidian");
	write_in(t.vault, ".obsidian/app.json", "{}");
	write_in(t.vault, ".hidden.md", "hidden");
	mkdir_in(t.vault, ".private");
	write_in(t.vault, ".private/secret.md", "in a hidden folder");
	mkdir_in(t.vault, "empty");
	link_in(t.vault, "linked.md", "notes/Alpha.MD");       /* inside: listed */
	link_in(t.vault, "shortcut", "notes");                 /* a folder listed already */
	link_in(t.vault, "private", ".private");               /* inside, hidden target */
	link_in(t.vault, "escape.md", "../outside.md");        /* leaves the vault */
	link_in(t.vault, "out", "..");                         /* leaves the vault */
	link_in(t.vault, "loop", ".");                         /* the vault itself */
	link_in(t.vault, "notes/up", "..");                    /* an ancestor */
	link_in(t.vault, "self", "self");                      /* ELOOP */
	link_in(t.vault, "broken.md", "nowhere.md");           /* broken */
	path_of(want, sizeof(want), t.vault, "notes/pipe.md");  /* named like a note */
	assert_int_equal(mkfifo(want, 0644), 0);
	path_of(want, sizeof(want), t.vault, "notes/pipe.png"); /* not: passed over */
	assert_int_equal(mkfifo(want, 0644), 0);
	link_in(t.vault, "piped.md", "notes/pipe.md");         /* a symlink to one */

	memset(&opts, 0, sizeof(opts));
	opts.ignore = ignore;
	opts.n_ignore = 2;
	src = open_ok(t.vault, &opts);

	real_base = realpath(t.base, NULL);
	assert_non_null(real_base);
	snprintf(want, sizeof(want), "%s/vault", real_base);
	assert_string_equal(src->root, want);

	got = listing(src);
	assert_string_equal(got,
		"Home.md\n"
		"linked.md\n"
		"notes/Alpha.MD\n"
		"notes/pic.png (file)\n"
		"private/secret.md\n");
	free(got);
	assert_int_equal(src->files[0].size, 7);
	/* Every file's stat data is its target's, also through a followed
	 * symlinked folder (private/) or a symlinked file (linked.md), taken
	 * after the listing (on a pool of threads in a larger vault). */
	for (i = 0; i < (long)src->n_files; i++) {
		const vl_file *f = &src->files[i];
		struct stat st;

		snprintf(want, sizeof(want), "%s/%s", t.vault, f->path);
		assert_int_equal(stat(want, &st), 0);
		assert_int_equal(f->has_stat, 1);
		assert_int_equal(f->size, (uint64_t)st.st_size);
		assert_int_equal(f->ino, (uint64_t)st.st_ino);
		assert_int_equal(f->dev, (uint64_t)st.st_dev);
		assert_int_equal(f->mode, (uint32_t)st.st_mode);
		assert_int_equal(f->mtime_sec, (int64_t)st.st_mtim.tv_sec);
		assert_int_equal(f->mtime_nsec, (uint32_t)st.st_mtim.tv_nsec);
		assert_int_equal(f->ctime_sec, (int64_t)st.st_ctim.tv_sec);
		assert_int_equal(f->ctime_nsec, (uint32_t)st.st_ctim.tv_nsec);
	}

	got = problems(src);
	snprintf(want, sizeof(want),
		"broken.md: broken symlink to 'nowhere.md'; skipped\n"
		"escape.md: symlink points outside the vault: ../outside.md; skipped\n"
		"loop: symlink loop; skipped\n"
		"notes/pipe.md: a FIFO, not a regular file: not read\n"
		"notes/up: symlink loop; skipped\n"
		"out: symlink points outside the vault: ..; skipped\n"
		"piped.md: a symlink to a FIFO, not to a regular file: not read\n"
		"self: symlink loop; skipped\n"
		"shortcut: symlink to a folder already in the vault (notes); skipped\n");
	assert_string_equal(got, want);
	free(got);
	/* the FIFO itself is new against any commit (git tracks none); a
	 * symlink to it is a symlink, which git tracks */
	for (i = 0; i < (long)src->n_problems; i++)
		assert_int_equal(src->problems[i].special,
			strcmp(src->problems[i].path, "notes/pipe.md") == 0);

	/* Reading: plain, through an inside symlink, from a hidden target. */
	i = vl_source_find(src, "Home.md");
	assert_int_equal(i, 0);
	assert_int_equal(vl_source_read(src, (size_t)i, &text, &len, &err), 0);
	assert_int_equal(len, 7);
	assert_string_equal(text, "# Home\n");
	free(text);
	i = vl_source_find(src, "linked.md");
	assert_true(i >= 0);
	assert_int_equal(vl_source_read(src, (size_t)i, &text, &len, &err), 0);
	assert_string_equal(text, "alpha text\n");
	free(text);
	i = vl_source_find(src, "private/secret.md");
	assert_true(i >= 0);
	assert_int_equal(vl_source_read(src, (size_t)i, &text, &len, &err), 0);
	assert_string_equal(text, "in a hidden folder");
	free(text);
	assert_int_equal(vl_source_find(src, "drafts/wip.md"), -1);
	assert_int_equal(vl_source_find(src, "notes/Alpha.md"), -1);

	/* A file turned into a symlink leaving the vault after the listing. */
	i = vl_source_find(src, "notes/pic.png");
	assert_true(i >= 0);
	snprintf(want, sizeof(want), "%s/notes/pic.png", t.vault);
	assert_int_equal(unlink(want), 0);
	link_in(t.vault, "notes/pic.png", "../../outside.md");
	text = NULL;
	assert_int_equal(vl_source_read(src, (size_t)i, &text, &len, &err), -1);
	assert_null(text);
	assert_non_null(strstr(err.msg, "outside the vault"));

	/* A path that climbs is refused before touching the disk. */
	assert_int_equal(vl_source_add(src, "../outside.md", 1, NULL), 0);
	assert_int_equal(vl_source_read(src, src->n_files - 1, &text, &len, &err), -1);
	assert_non_null(strstr(err.msg, "leaves the vault"));
	assert_int_equal(vl_source_read(src, src->n_files, &text, &len, &err), -1);

	vl_source_free(src);
	vl_source_free(NULL);
	free(real_base);
	tmp_remove(&t);
}

static void test_bad_vault_path(void **state)
{
	tmp t;
	vl_source *src = NULL;
	vl_error err;
	char p[256];

	(void)state;
	tmp_make(&t);
	path_of(p, sizeof(p), t.base, "nope");
	assert_int_equal(vl_source_open_dir(&src, p, NULL, &err), -1);
	assert_null(src);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_non_null(strstr(err.msg, "nope"));

	write_in(t.vault, "file.md", "x");
	path_of(p, sizeof(p), t.vault, "file.md");
	assert_int_equal(vl_source_open_dir(&src, p, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is not a folder"));

	/* An empty vault is fine. */
	src = open_ok(t.vault, NULL);
	assert_int_equal(src->n_files, 1);
	assert_int_equal(src->n_problems, 0);
	vl_source_free(src);
	tmp_remove(&t);
}

static void test_unreadable_folder(void **state)
{
	tmp t;
	vl_source *src = NULL;
	char p[256];
	char *got;

	(void)state;
	if (geteuid() == 0)
		skip(); /* root reads everything */
	tmp_make(&t);
	write_in(t.vault, "a.md", "a");
	mkdir_in(t.vault, "locked");
	write_in(t.vault, "locked/x.md", "x");
	mkdir_in(t.vault, "z");
	write_in(t.vault, "z/b.md", "b");
	path_of(p, sizeof(p), t.vault, "locked");
	assert_int_equal(chmod(p, 0), 0);
	src = open_ok(t.vault, NULL);
	got = listing(src);
	assert_string_equal(got, "a.md\nz/b.md\n");
	free(got);
	got = problems(src);
	assert_string_equal(got, "locked: cannot open folder: Permission denied; skipped\n");
	free(got);
	vl_source_free(src);
	tmp_remove(&t);
}

static void test_gitignore(void **state)
{
	tmp t;
	vl_source *src = NULL;
	vl_source_opts opts;
	char cmd[512], sub[256];
	char *got;

	(void)state;
	tmp_make(&t);
	snprintf(cmd, sizeof(cmd), "git init -q '%s' >/dev/null 2>&1", t.base);
	if (system(cmd) != 0) {
		tmp_remove(&t);
		skip(); /* no git binary to build the fixture */
	}
	write_in(t.base, ".gitignore", "*.log\nbuild/\nvault/private.md\n");
	write_in(t.vault, "a.md", "a");
	write_in(t.vault, "debug.log", "x");
	write_in(t.vault, "private.md", "x");
	mkdir_in(t.vault, "build");
	write_in(t.vault, "build/out.md", "x");
	mkdir_in(t.vault, "sub");
	write_in(t.vault, "sub/b.md", "b");
	write_in(t.vault, "sub/c.log", "c");

	memset(&opts, 0, sizeof(opts));
	src = open_ok(t.vault, &opts);
	got = listing(src);
	assert_string_equal(got,
		"a.md\nbuild/out.md\ndebug.log (file)\nprivate.md\nsub/b.md\nsub/c.log (file)\n");
	free(got);
	vl_source_free(src);

	opts.use_gitignore = 1;
	src = open_ok(t.vault, &opts);
	got = listing(src);
	assert_string_equal(got, "a.md\nsub/b.md\n");
	free(got);
	vl_source_free(src);

	/* The vault as a sub-folder given by a relative-looking path. */
	path_of(sub, sizeof(sub), t.vault, "sub");
	src = open_ok(sub, &opts);
	got = listing(src);
	assert_string_equal(got, "b.md\n");
	free(got);
	vl_source_free(src);
	tmp_remove(&t);
}

/* A sanitizer's allocator does not return NULL when memory runs out: it
 * stops the process. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* vl_read_in_vault in a child process whose address space may grow by
 * no more than 64 MB, on a 200 MB file (sparse: no disk used) that the
 * read holds whole: its buffer cannot be had. Returns the child's exit
 * status: 0 when the read said out of memory (-2, and the message). */
static int read_without_memory(const char *vault, const char *path)
{
	pid_t pid = fork();
	int status = -1;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		unsigned long pages = 0;
		char *text = NULL;
		size_t len = 0;
		vl_error err;
		FILE *f = fopen("/proc/self/statm", "r");

		if (f == NULL || fscanf(f, "%lu", &pages) != 1)
			_exit(3);
		fclose(f);
		rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
			((rlim_t)64 << 20);
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(4);
		if (vl_read_in_vault(vault, path, &text, &len, &err) != -2)
			_exit(1);
		_exit(text == NULL && strstr(err.msg, "out of memory reading 'big.md'") ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* vl_read_in_vault says which of its failures are the file's (-1: the
 * caller reports it) and which are the run's (-2: out of memory). */
static void test_read_in_vault(void **state)
{
	tmp t;
	vl_error err;
	char p[256];
	char *text = NULL;
	size_t len = 0;
	int fd;

	(void)state;
	tmp_make(&t);
	write_in(t.base, "outside.md", "secret outside\n");
	write_in(t.vault, "a.md", "# A\n");
	link_in(t.vault, "escape.md", "../outside.md");
	path_of(p, sizeof(p), t.vault, "pipe.md");
	assert_int_equal(mkfifo(p, 0644), 0);

	assert_int_equal(vl_read_in_vault(t.vault, "a.md", &text, &len, &err), 0);
	assert_int_equal(len, 4);
	assert_string_equal(text, "# A\n");
	free(text);

	/* the file's own problems: -1, nothing read, the reason said */
	assert_int_equal(vl_read_in_vault(t.vault, "gone.md", &text, &len, &err), -1);
	assert_null(text);
	assert_string_equal(err.msg, "cannot read 'gone.md': No such file or directory");
	assert_int_equal(vl_read_in_vault(t.vault, "pipe.md", &text, &len, &err), -1);
	assert_string_equal(err.msg, "cannot read 'pipe.md': not a regular file");
	assert_int_equal(vl_read_in_vault(t.vault, "escape.md", &text, &len, &err), -1);
	assert_non_null(strstr(err.msg, "outside the vault"));
	assert_int_equal(vl_read_in_vault(t.vault, "../outside.md", &text, &len, &err), -1);
	assert_non_null(strstr(err.msg, "leaves the vault"));
	path_of(p, sizeof(p), t.base, "nope");
	assert_int_equal(vl_read_in_vault(p, "a.md", &text, &len, &err), -1);
	assert_non_null(strstr(err.msg, "the vault folder"));

	/* memory running out is not the file's: -2 */
	path_of(p, sizeof(p), t.vault, "big.md");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)200 << 20), 0);
	assert_int_equal(close(fd), 0);
	if (!SANITIZED)
		assert_int_equal(read_without_memory(t.vault, "big.md"), 0);
	tmp_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_vault),
		cmocka_unit_test(test_bad_vault_path),
		cmocka_unit_test(test_unreadable_folder),
		cmocka_unit_test(test_gitignore),
		cmocka_unit_test(test_read_in_vault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
