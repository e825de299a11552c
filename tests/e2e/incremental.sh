#!/bin/sh
# The check state: after a whole-vault `check` in a git repository, the
# next `check` re-lints only the notes an edit can affect and reuses the
# saved findings of every other note. A mistake there is a silently wrong
# report, so this suite is differential: a seeded pseudo-random sequence of
# edits to a research garden (entries, headings, block ids, aliases, tag
# spellings, files added/removed/renamed, touches, front matter broken and
# fixed, config changes), and after each step the report and exit code of
# `check` (state and caches in use) must equal those of `check --no-cache`.
#
# The memo of findings must not answer those runs: every step changes some
# file's identity (its stat data), so the memo, keyed by every file, misses
# without being removed (the state is kept beside it, in
# <git dir>/vaultlint/state/, with its notes file). Git's racy rule:
# a file changed less than two seconds before a run counts as changed, so
# each step sleeps before its run, or the reuse path would never be taken.
#
# VAULTLINT_TRACE=1 makes check say on stderr which path it took:
#   vaultlint: trace: check: memo hit
#   vaultlint: trace: check: full run (REASON)
#   vaultlint: trace: check: incremental run, N of M notes checked
# Dedicated cases assert those: the first run is a full run; a body-only
# edit of one note checks 1 of M; removing a heading linked from K other
# notes checks at least 1+K; a note added, renamed or removed is an
# incremental run that checks some notes, not all; a damaged state
# (every file under <git dir>/vaultlint but the notes cache: flipped
# bytes, truncated, garbage, empty) is a full run with the right report; a
# stale but well-formed state put back gives the right report too. In a
# vault of more than 1,024 notes a run that checks fewer than a 16th of
# the notes leaves the state as it was (the trace says "check state left
# as it was"), so the next run checks those notes again; one that checks
# more saves it ("check state saved"); --staged too.
#
# INCREMENTAL_STEPS=N runs N random steps (default 25), INCREMENTAL_SEED=S
# another sequence (default 20240611); a failing step prints its edits and
# the seed that reproduces it; INCREMENTAL_VERBOSE=1 prints every step's.
set -u
set -f
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=incremental
. "$(dirname "$0")/lib/assert.sh"

steps=${INCREMENTAL_STEPS:-25}
seed0=${INCREMENTAL_SEED:-20240611}
seed=$seed0
out=$tmp/inc.out
err=$tmp/inc.err
ref=$tmp/ref.out
t_mark=
repo=$tmp/repo
mkdir -p "$repo" && cd "$repo" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false

# --- the garden ------------------------------------------------------------
note() { mkdir -p "$(dirname "$1")" && cat > "$1"; }

note 'Index.md' <<'EOF'
---
aliases: [Home, Start]
tags: [index]
---
# Index

## Areas
- [[Deep Learning]] and [[AI/Transformers|Transformers]]
- [[Tools/Pyhton]] for scripts
- [[Notes]] (which one?)
- [[Deep Learning#Optimizers]] and [[Deep Learning#Optimisers]]
- [[Thesis Plan]] is the alias I always forget
- [[Outline#Chapters]] and [[Papers 2024#^p1]]
- ![[img.png]]

## Links
- [Example](https://example.org/x) and again [Example](https://example.org/x/)
- #Survey of the field
EOF
note 'Inbox.md' <<'EOF'
# Inbox
- [[Prob]] [[Stats|stats]] [[Transformers]]
- https://example.org/raw #todo
EOF
note 'AI/Deep Learning.md' <<'EOF'
---
tags: [AI, Survey]
aliases: [DL]
---
# Deep Learning

![[diagram.png]]

## Backpropagation
- #PAPER [Learning representations (Rumelhart 1986)](https://example.org/rumelhart) ^backprop
- #PAPER [Deep learning (LeCun 2015)](https://example.org/lecun2015) ^lecun
  - #CODE [pytorch/examples](https://example.org/pytorch-examples)

## Optimisers
- #PAPER [Adam (Kingma 2014)](https://example.org/adam) ^adam
- #Paper [AdamW (Loshchilov 2017)](https://example.org/adamw) ^adamw

See [[Transformers#Attention]] for where these are used most.
EOF
note 'AI/Transformers.md' <<'EOF'
---
aliases: [Attention Models]
---
# Transformers

## Attention
- #PAPER [Attention Is All You Need (Vaswani 2017)](https://example.org/attention) ^attention
- #CODE [annotated transformer](https://example.org/annotated)

## Positional Encoding
- #PAPER [RoFormer (Su 2021)](https://example.org/rope) ^rope

Builds on [[Deep Learning#Backpropagation]] and [[DL]].
EOF
note 'AI/Notes.md' <<'EOF'
# AI notes
Scratch: [[Deep Learning#^adam]] [[Transformers#^rope]] #idea
EOF
note 'AI/RL/Policy Gradients.md' <<'EOF'
---
tags: [RL]
---
# Policy Gradients
## REINFORCE
- #PAPER [Simple statistical gradient-following (Williams 1992)](https://example.org/williams) ^p1
- #Survey [Policy gradient survey (Author 2021)](https://example.org/pg-survey) ^p2

## Actor Critic
Uses [[Deep Learning#Optimisers]] and [[Bandits#Regret]].
EOF
note 'AI/RL/Bandits.md' <<'EOF'
# Bandits
## Regret
- #PAPER [UCB (Auer 2002)](https://example.org/ucb) ^ucb

## Thompson Sampling
See [[Policy Gradients#^p1]] and [[Policy Gradients#^p3]].
EOF
note 'AI/Vision/CNNs.md' <<'EOF'
# CNNs
## Architectures
- #PAPER [ResNet (He 2016)](https://example.org/resnet) ^resnet
- #PAPER [ResNet (He 2016)](https://example.org/resnet) again

## Training
Trained with [[Deep Learning#Optimisers]]. Compare [[ViT]].
EOF
note 'AI/Vision/ViT.md' <<'EOF'
---
aliases: [Vision Transformer]
tags: survey
---
# ViT
- #PAPER [An Image is Worth 16x16 Words (Dosovitskiy 2021)](https://example.org/vit) ^vit

Relies on [[Transformers#^attention]] and [[Deep Learning#^attention]].
EOF
note 'Reading/Papers 2024.md' <<'EOF'
---
tags: [PAPER]
---
# Papers 2024

## Read
- #PAPER [Mamba (Gu 2023)](https://example.org/mamba) ^p1
  - #CODE [state-spaces/mamba](https://example.org/mamba-code)
- #PAPER [Jamba (2024)](https://example.org/jamba) ^p1
- Re-read: [[Deep Learning#^attention]]
- #paper [Attention again](https://example.org/attention)

## Quoted
![[Transformers#^rope]]
EOF
note 'Reading/Papers 2023.md' <<'EOF'
# Papers 2023
## Read
- #PAPER [LLaMA (Touvron 2023)](https://example.org/llama) ^p2
- #Review [Survey of LLMs (Zhao 2023)](https://example.org/llm-survey) ^p3

See [[Papers 2024#Read]], [[Papers 2024#Unread]], [[Papers 2024#^p1]].
EOF
note 'Reading/Books.md' <<'EOF'
---
tags: [books
---
# Books
- #BOOK [Deep Learning (Goodfellow 2016)](https://example.org/dlbook) ^dlbook
EOF
note 'Reading/Queue.md' <<'EOF'
# Queue
- [ ] [[Missing Note]]
- [ ] [[Vision Transformer]]
- [ ] [[Papers 2023#^p3]] [[Papers 2023#^gone]]
- [ ] #survey later
EOF
note 'Reading/Archive/Old Papers.md' <<'EOF'
---
aliases: []
---
# Old Papers
- #PAPER [Perceptron (Rosenblatt 1958)](https://example.org/perceptron) ^old1

Moved from [[Papers 2023#^moved]].
EOF
note 'Tools/Python.md' <<'EOF'
# Python
## Packages
- #CODE [numpy](https://example.org/numpy) ^numpy
- #code [pandas](https://example.org/pandas)

## Scripts
%% vaultlint-disable-next-line broken-link %%
[[Script That Does Not Exist]]
[[Also Missing]]
EOF
note 'Tools/Git.md' <<'EOF'
# Git
## Hooks
Run [[Python#Scripts]] before committing. See [[Tools/Notes]] and [[Notes]].
EOF
note 'Tools/Notes.md' <<'EOF'
# Tool notes
- [[Vim Tips]] #idea
EOF
note 'Tools/Editors/Vim.md' <<'EOF'
---
aliases:
  - vi
---
# Vim
## Motions
Text about motions. ^motions

## Plugins
- #CODE [vim-plug](https://example.org/vim-plug) ^plug
EOF
note 'Tools/Editors/Obsidian.md' <<'EOF'
# Obsidian
Embeds: ![[Vim#^motions]] ![[Vim#^plugins]] ![[slides.pdf]] ![[missing.png]]
Headings: [[Vim#Motions]] [[Vim#Registers]]
EOF
note 'Talks/Notes.md' <<'EOF'
# Talk notes
- #TALK [[NeurIPS]] and [[ICML#Keynote]]
EOF
note 'Talks/2023/NeurIPS.md' <<'EOF'
---
tags: [TALK, Review]
---
# NeurIPS 2023
## Keynote
- #TALK [Keynote (Hinton 2023)](https://example.org/neurips-keynote) ^k1

## Posters
- [[CNNs#Architectures]] [[ViT#^vit]]
EOF
note 'Talks/2024/ICML.md' <<'EOF'
# ICML 2024
## Tutorials
- #TALK [Tutorial (Bengio 2024)](https://example.org/icml-tut) ^t1

Cites [[NeurIPS#^k1]] and [[NeurIPS#^k2]].
EOF
note 'Projects/Thesis/Outline.md' <<'EOF'
---
aliases: [Plan]
tags: [thesis]
---
# Outline
## Chapters
- [[Chapter 1]] ^c1
- [[Chapter 2]] ^c2
- [[Related Work#Optimisers]]

## Timeline
- [[Projects/Thesis/Chapter 1#Intro]]
EOF
note 'Projects/Thesis/Chapter 1.md' <<'EOF'
# Chapter 1
## Intro
Motivation from [[Deep Learning#Backpropagation]] and [[Outline#^c1]].
## Background
[[Deep Learning#Optimisers]] then again [[Deep Learning#Optimisers]]
EOF
note 'Projects/Thesis/Chapter 2.md' <<'EOF'
# Chapter 2
## Method
Uses [[Transformers#Positional Encoding]] and [[Chapter 1#Methods]].

#Review of methods
EOF
note 'Projects/Thesis/Related Work.md' <<'EOF'
# Related Work
## Deep Learning
- [[Deep Learning]] #review
- [[AI/Deep Learning]] again
- [[DL]] via the alias #review

## Transformers
- [[Attention Models]]
EOF
note 'Projects/Side/Garden Bot.md' <<'EOF'
---
tags: [project, Idea]
---
# Garden Bot
- #CODE [garden-bot](https://example.org/garden-bot) ^gb
- Uses [[Python#Packages]] and [[Python#^numpy]] and [[Git#^hooks]]
EOF
note 'People/Hinton.md' <<'EOF'
---
aliases: [Geoffrey Hinton]
---
# Hinton
- [[Deep Learning#^backprop]] [[Deep Learning#^lecun]]
- Talk: [[NeurIPS#Keynote]]
EOF
note 'People/LeCun.md' <<'EOF'
# LeCun
- [[Deep Learning#^lecun]] [[CNNs#^resnet]] [[Geoffrey Hinton]]
EOF
note 'People/Bengio.md' <<'EOF'
# Bengio
- [[ICML#^t1]] [[Yoshua]]
EOF
note 'Daily/2024-01-01.md' <<'EOF'
# 2024-01-01
Read [[Papers 2024#^p1]]. #PAPER
EOF
note 'Daily/2024-01-02.md' <<'EOF'
# 2024-01-02
Quiet day.

- Met [[LeCun]]
EOF
note 'Daily/2024-01-03.md' <<'EOF'
# 2024-01-03
![[img.png]] ![[diagram.png]]
[[Chapter 1#Background]] [[Chapter 1#Intro]]
EOF
note 'Math/Linear Algebra.md' <<'EOF'
# Linear Algebra
## Eigenvalues
Text. ^eig

## SVD
[[Probability#Bayes]]
EOF
note 'Math/Probability.md' <<'EOF'
---
aliases: [Prob, Stats]
---
# Probability
## Bayes
Prior times likelihood. ^bayes

## Markov
[[Linear Algebra#^eig]] [[Linear Algebra#^svd]]
EOF
note 'Math/Optimisation.md' <<'EOF'
# Optimisation
## Gradient Descent
- [[Deep Learning#Optimisers]] [[Adam]]
- [[Math/Probability#^bayes]]
EOF
mkdir -p attachments
printf '\211PNG\r\n\032\n' > attachments/img.png
printf '\211PNG\r\n\032\ndiagram' > attachments/diagram.png
printf '%%PDF-1.4\n' > attachments/slides.pdf
t_mark=$(date +%s%N)
git add -A && git commit -q --no-verify -m garden

# --- helpers ---------------------------------------------------------------
# A linear congruential generator in shell arithmetic: rnd N sets r to a
# number in [0, N), the same sequence for the same seed on every shell.
rnd() {
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	r=$(( (seed / 65536) % $1 ))
}
# pick_line FILE: picked = a random line of FILE; fails when it is empty
pick_line() {
	_n=$(wc -l < "$1")
	[ "$_n" -gt 0 ] || { picked=; return 1; }
	rnd "$_n"
	picked=$(sed -n "$((r + 1))p" "$1")
}
# pick_word "a b c", pick_item "a b;c d": picked = one of them
pick_word() { set -- $1; rnd $#; shift $r; picked=$1; }
pick_item() {
	_ifs=$IFS; IFS=';'; set -- $1; IFS=$_ifs
	rnd $#; shift $r; picked=$1
}
# the notes and the other files of the vault (hidden ones are not in it)
list_notes() { find . -type f -name '*.md' ! -path '*/.*' | sed 's|^\./||' | LC_ALL=C sort > "$tmp/list"; }
list_atts() { find . -type f ! -name '*.md' ! -path '*/.*' | sed 's|^\./||' | LC_ALL=C sort > "$tmp/list"; }
list_dirs() { find . -type d ! -path '*/.*' | sed 's|^\./||; s|^\.$||' | LC_ALL=C sort > "$tmp/list"; }
n_notes() { find . -type f -name '*.md' ! -path '*/.*' | wc -l | tr -d ' '; }
# lines of the listed notes matching an awk pattern, as "LINE:PATH"
grep_lines() { tr '\n' '\0' < "$tmp/list" | xargs -0 awk "$1"' { print FNR ":" FILENAME }' > "$tmp/hits"; }
# put FILE: FILE gets the content of $tmp/e, in place (same inode)
put() { cat "$tmp/e" > "$1"; }
# subst_first FROM TO FILE: the first FROM (a fixed string) becomes TO
subst_first() {
	awk -v a="$1" -v b="$2" '!done && (i = index($0, a)) { $0 = substr($0, 1, i - 1) b substr($0, i + length(a)); done = 1 } 1' "$3" > "$tmp/e" && put "$3"
}
tracked() { git ls-files --error-unmatch -- "$1" > /dev/null 2>&1; }
uniq_n=0

IDS='attention rope adam adamw backprop lecun p1 p2 p3 gone moved k1 k2 t1 eig svd bayes motions plugins hooks numpy c1 resnet vit'
TAGS='PAPER PAPER CODE TALK Paper paper Survey survey Review review Idea idea'
HEADINGS='Optimisers;Optimizers;Attention;Results;Methods;Intro;Background;Keynote;Regret;Bayes;Chapters;Read;Unread;Registers;Scripts;Packages;Hooks;Motions;Positional Encoding'
ALIASES='DL;Attention Models;Thesis Plan;Vim Tips;Yoshua;Missing Note;Plan;Prob;Stats;Geoffrey Hinton;Vision Transformer;Adam;Home;Notes'
LINKS='Deep Learning#Optimisers;Deep Learning#^attention;Transformers#^attention;Transformers#Attention;Notes;Thesis Plan;Papers 2024#^p1;Papers 2023#^p3;Missing Note;Vim#Motions;Vim#^motions;Chapter 1#Intro;Chapter 1#Methods;Policy Gradients#^p3;DL;Prob;Outline#^c1;NeurIPS#^k2;img.png;ICML#Keynote;New 1;Python#Scripts;Geoffrey Hinton;Deep Learning#^adam;Bandits#Regret'
NAMES='Notes;Thesis Plan;Missing Note;Vim Tips;Yoshua;Adam;ViT;Deep Learning'
# same-size substitutions (with the mtime put back: only the ctime moves)
SAME='#Survey>#survey;#survey>#Survey;#Review>#review;#review>#Review;#idea>#Idea;#Idea>#idea;#Paper>#paper;#paper>#Paper;^p1>^p2;^p2>^p1;^p3>^p1;^adam>^adan;Optimisers>Optimizers;Optimizers>Optimisers;## Attention>## Attentiom;[[Notes]]>[[Nates]];aliases: [DL]>aliases: [DX];^attention>^attentiom;#Read>#Reed'

# --- edits: each sets desc and always changes at least one file ------------
# a: an entry line with a tag and a ^blockid appended to a note
edit_a() {
	list_notes; pick_line "$tmp/list"; f=$picked
	pick_word "$TAGS"; tag=$picked
	pick_word "$IDS"; id=$picked
	uniq_n=$((uniq_n + 1))
	url=https://example.org/e$uniq_n
	rnd 3; [ $r = 0 ] && url=https://example.org/x
	link=
	rnd 3; if [ $r = 0 ]; then pick_item "$LINKS"; link=" via [[$picked]]"; fi
	rnd 2; [ $r = 0 ] && echo >> "$f"
	printf -- '- #%s [Entry %s (Author 2021)](%s)%s ^%s\n' "$tag" "$uniq_n" "$url" "$link" "$id" >> "$f"
	desc="a: '$f' += #$tag ^$id$link"
}
# b: a heading removed or renamed (other notes link to it), or one added
edit_b() {
	list_notes
	rnd 3; op=$r
	if [ $op -lt 2 ]; then
		grep_lines '/^#+ /'
		if pick_line "$tmp/hits"; then
			ln=${picked%%:*}; f=${picked#*:}
			if [ $op = 0 ]; then
				awk -v n="$ln" 'FNR != n' "$f" > "$tmp/e" && put "$f"
				desc="b: '$f' line $ln heading removed"
			else
				pick_item "$HEADINGS"; h=$picked
				awk -v n="$ln" -v h="$h" 'FNR == n { sub(/ .*/, ""); $0 = $0 " " h } 1' "$f" > "$tmp/e" && put "$f"
				desc="b: '$f' line $ln heading renamed to '$h'"
			fi
			return
		fi
	fi
	pick_line "$tmp/list"; f=$picked
	pick_item "$HEADINGS"; h=$picked
	n=$(wc -l < "$f")
	rnd $((n + 1))
	if [ $r = 0 ]; then
		printf '\n## %s\nSome text.\n' "$h" >> "$f"
	else
		awk -v n="$r" -v h="## $h" '{ print } FNR == n { print h }' "$f" > "$tmp/e" && put "$f"
	fi
	desc="b: '$f' heading '$h' added after line $r"
}
# c: a ^blockid removed, replaced or added (refs elsewhere, "it is in" hints)
edit_c() {
	list_notes
	rnd 3; op=$r
	pick_word "$IDS"; id=$picked
	if [ $op -lt 2 ]; then
		grep_lines '/ \^[A-Za-z0-9-]+$/'
		if pick_line "$tmp/hits"; then
			ln=${picked%%:*}; f=${picked#*:}
			if [ $op = 0 ]; then
				awk -v n="$ln" 'FNR == n { sub(/ \^[A-Za-z0-9-]+$/, "") } 1' "$f" > "$tmp/e" && put "$f"
				desc="c: '$f' line $ln block id removed"
			else
				awk -v n="$ln" -v id="$id" 'FNR == n { sub(/\^[A-Za-z0-9-]+$/, "^" id) } 1' "$f" > "$tmp/e" && put "$f"
				desc="c: '$f' line $ln block id now ^$id"
			fi
			return
		fi
	fi
	pick_line "$tmp/list"; f=$picked
	awk '/^ *- / && !/\^[A-Za-z0-9-]+$/ { print FNR }' "$f" > "$tmp/hits"
	if pick_line "$tmp/hits"; then
		awk -v n="$picked" -v id="$id" 'FNR == n { $0 = $0 " ^" id } 1' "$f" > "$tmp/e" && put "$f"
		desc="c: '$f' line $picked gets ^$id"
	else
		rnd 2
		if [ $r = 0 ]; then printf '\nA paragraph to point at. ^%s\n' "$id" >> "$f"
		else printf '\n> a quote\n\n^%s\n' "$id" >> "$f"; fi
		desc="c: '$f' += paragraph ^$id"
	fi
}
# d: aliases in the front matter added, replaced or removed
edit_d() {
	list_notes; pick_line "$tmp/list"; f=$picked
	pick_item "$ALIASES"; al=$picked
	if grep -q '^aliases:' "$f"; then
		rnd 3
		case $r in
		0) awk '!/^aliases:/' "$f" > "$tmp/e"; desc="d: '$f' aliases removed" ;;
		1) awk -v a="$al" '/^aliases:/ { $0 = "aliases: [" a "]" } 1' "$f" > "$tmp/e"; desc="d: '$f' aliases = [$al]" ;;
		*) awk -v a="$al" '$0 == "aliases: []" { print "aliases: [" a "]"; next }
			/^aliases: \[/ { sub(/^aliases: \[/, "aliases: [" a ", ") }
			/^aliases:$/ { print; print "  - " a; next } 1' "$f" > "$tmp/e"
		   desc="d: '$f' aliases += $al" ;;
		esac
		put "$f"
	elif [ "$(head -n 1 "$f")" = --- ]; then
		awk -v a="$al" 'FNR == 1 { print; print "aliases: [" a "]"; next } 1' "$f" > "$tmp/e" && put "$f"
		desc="d: '$f' front matter gets aliases [$al]"
	else
		{ printf -- '---\naliases: [%s]\n---\n' "$al"; cat "$f"; } > "$tmp/e" && put "$f"
		desc="d: '$f' new front matter with aliases [$al]"
	fi
}
# e: a tag spelling added or removed (the vault's majority spelling flips)
edit_e() {
	list_notes
	pick_word "Survey survey Review review Idea idea Paper paper"; sp=$picked
	rnd 3
	if [ $r = 0 ]; then
		tr '\n' '\0' < "$tmp/list" | xargs -0 grep -l -e "#$sp\\b" -- > "$tmp/hits" 2>/dev/null
		if pick_line "$tmp/hits"; then
			f=$picked
			subst_first "#$sp" "$sp" "$f"
			desc="e: '$f' one #$sp removed"
			return
		fi
	fi
	pick_line "$tmp/list"; f=$picked
	if [ $r = 1 ] && grep -q '^tags: \[' "$f"; then
		awk -v t="$sp" '/^tags: \[/ && !done { sub(/^tags: \[/, "tags: [" t ", "); done = 1 } 1' "$f" > "$tmp/e" && put "$f"
		desc="e: '$f' front matter tags += $sp"
	else
		rnd 2; [ $r = 0 ] && echo >> "$f"
		printf -- '- more on this #%s\n' "$sp" >> "$f"
		desc="e: '$f' += #$sp"
	fi
}
# f: a note or an attachment added, deleted or renamed; a folder renamed
edit_f() {
	rnd 8
	case $r in
	0|1)
		list_dirs; pick_line "$tmp/list"; d=$picked
		uniq_n=$((uniq_n + 1))
		name="New $uniq_n"
		rnd 3; if [ $r = 0 ]; then pick_item "$NAMES"; name=$picked; fi
		f="${d:+$d/}$name.md"
		[ -e "$f" ] && f="${d:+$d/}New $uniq_n.md"
		pick_word "$TAGS"; tag=$picked
		pick_word "$IDS"; id=$picked
		pick_item "$LINKS"; l1=$picked
		pick_item "$LINKS"; l2=$picked
		{
			rnd 3; [ $r = 0 ] && { pick_item "$ALIASES"; printf -- '---\naliases: [%s]\n---\n' "$picked"; }
			printf '# %s\n## Read\n- #%s [New paper %s (Author 2022)](https://example.org/n%s) ^%s\n\nSee [[%s]] and [[%s]].\n' \
				"$name" "$tag" "$uniq_n" "$uniq_n" "$id" "$l1" "$l2"
		} > "$f"
		desc="f: note '$f' added (#$tag ^$id [[$l1]] [[$l2]])" ;;
	2)
		list_notes; pick_line "$tmp/list"; f=$picked
		if [ "$(n_notes)" -gt 25 ]; then
			rnd 2
			if [ $r = 0 ] && tracked "$f"; then git rm -q -f -- "$f" > /dev/null 2>&1; fi
			rm -f -- "$f"
			desc="f: note '$f' deleted"
		else
			echo "- kept" >> "$f"; desc="f: '$f' += line (too few notes to delete)"
		fi ;;
	3|4)
		list_notes; pick_line "$tmp/list"; f=$picked
		list_dirs; pick_line "$tmp/list"; d=$picked
		base=${f##*/}; base=${base%.md}
		rnd 3
		case $r in
		0) ;;
		1) pick_item "$NAMES"; base=$picked ;;
		*) base="$base 2" ;;
		esac
		g="${d:+$d/}$base.md"
		[ -e "$g" ] && g="${d:+$d/}$base x$uniq_n.md"
		uniq_n=$((uniq_n + 1))
		rnd 2
		if [ $r = 0 ] && tracked "$f"; then git mv -- "$f" "$g" > /dev/null 2>&1 || mv -- "$f" "$g"; else mv -- "$f" "$g"; fi
		desc="f: note '$f' renamed to '$g'" ;;
	5)
		pick_item "attachments/missing.png;Daily/img.png;missing.png;attachments/pic.png;Tools/slides.pdf"; f=$picked
		[ -e "$f" ] && { uniq_n=$((uniq_n + 1)); f="attachments/pic $uniq_n.png"; }
		mkdir -p "$(dirname "$f")" && printf 'PNG %s\n' "$f" > "$f"
		desc="f: attachment '$f' added" ;;
	6)
		list_atts
		if pick_line "$tmp/list"; then
			f=$picked
			rnd 2
			if [ $r = 0 ]; then
				rm -f -- "$f"; desc="f: attachment '$f' deleted"
			else
				list_dirs; pick_line "$tmp/list"; d=$picked
				g="${d:+$d/}${f##*/}"
				[ "$g" = "$f" ] || [ -e "$g" ] && g=${f%.*}-2.${f##*.}
				mv -- "$f" "$g"; desc="f: attachment '$f' moved to '$g'"
			fi
		else
			printf 'PNG\n' > img.png; desc="f: attachment 'img.png' added"
		fi ;;
	*)
		list_dirs; grep . "$tmp/list" > "$tmp/d"
		if pick_line "$tmp/d"; then
			d=$picked
			uniq_n=$((uniq_n + 1))
			g="$d $uniq_n"
			mv -- "$d" "$g"; desc="f: folder '$d' renamed to '$g'"
		else
			echo x > "Top $uniq_n.md"; desc="f: note 'Top $uniq_n.md' added"
		fi ;;
	esac
}
# g: a file touched, or rewritten with the same bytes
edit_g() {
	list_notes; cp "$tmp/list" "$tmp/all"; list_atts; cat "$tmp/list" >> "$tmp/all"
	[ -f .vaultlint.yaml ] && echo .vaultlint.yaml >> "$tmp/all"
	pick_line "$tmp/all"; f=$picked
	rnd 4
	case $r in
	0) touch -- "$f"; desc="g: '$f' touched" ;;
	1) touch -d '2001-02-03 04:05:06' -- "$f"; desc="g: '$f' mtime set in 2001" ;;
	2) cp -- "$f" "$tmp/e" && put "$f"; desc="g: '$f' rewritten, same bytes" ;;
	*) cp -p -- "$f" "$tmp/e" && mv -- "$tmp/e" "$f"; desc="g: '$f' replaced by a copy (same bytes and mtime, new inode)" ;;
	esac
}
# h: body text only
edit_h() {
	list_notes; pick_line "$tmp/list"; f=$picked
	uniq_n=$((uniq_n + 1))
	rnd 3
	case $r in
	0) printf '\nPlain words, number %s.\n' "$uniq_n" >> "$f"; desc="h: '$f' += paragraph" ;;
	1) n=$(wc -l < "$f"); rnd $((n + 1))
	   awk -v n="$r" -v t="Plain words, number $uniq_n." '{ print } FNR == n { print t }' "$f" > "$tmp/e" && put "$f"
	   desc="h: '$f' plain line inserted after line $r" ;;
	*) n=$(wc -l < "$f"); rnd "$n"
	   awk -v n="$((r + 1))" 'FNR == n && NF { $0 = $0 " and more" } 1' "$f" > "$tmp/e" && put "$f"
	   printf 'Last words %s.\n' "$uniq_n" >> "$f"
	   desc="h: '$f' line $((r + 1)) extended, a line appended" ;;
	esac
}
# i: front matter broken (bad YAML, unterminated, wrong shape), then fixed
edit_i() {
	if [ -f "$tmp/fm.path" ]; then
		f=$(cat "$tmp/fm.path")
		rm -f "$tmp/fm.path"
		if [ -f "$f" ]; then
			cp "$tmp/fm.bak" "$tmp/e" && put "$f"
			desc="i: '$f' front matter fixed (content restored)"
			return
		fi
	fi
	list_notes
	tr '\n' '\0' < "$tmp/list" | xargs -0 awk 'FNR == 1 && /^---$/ { print FILENAME }' > "$tmp/hits"
	if pick_line "$tmp/hits"; then
		f=$picked
		printf '%s\n' "$f" > "$tmp/fm.path"; cp "$f" "$tmp/fm.bak"
		rnd 4
		case $r in
		0) awk 'FNR == 1 { print; print "bad: [unclosed"; next } 1' "$f" > "$tmp/e"; desc="i: '$f' front matter broken (bad YAML)" ;;
		1) awk 'FNR > 1 && /^---$/ && !done { done = 1; next } 1' "$f" > "$tmp/e"; desc="i: '$f' front matter unterminated" ;;
		2) awk 'FNR == 1 { print; print "aliases: {a: 1}"; next } !/^aliases:/' "$f" > "$tmp/e"; desc="i: '$f' aliases of the wrong shape" ;;
		*) awk 'FNR == 1 { print; print "tags: {x: y}"; next } !/^tags:/' "$f" > "$tmp/e"; desc="i: '$f' tags of the wrong shape" ;;
		esac
		put "$f"
	else
		pick_line "$tmp/list"; f=$picked
		{ printf -- '---\ntags: [x\n---\n'; cat "$f"; } > "$tmp/e" && put "$f"
		desc="i: '$f' new broken front matter"
	fi
}
# j: the config (rule severities, tag case, ignore globs) or .gitignore
cfg_cur=0
edit_j() {
	rnd 5
	if [ $r = 0 ]; then
		if [ -f .gitignore ]; then rm .gitignore; desc="j: .gitignore removed"
		else printf 'Reading/Archive/\n*.pdf\n' > .gitignore; desc="j: .gitignore ignores Reading/Archive/ and *.pdf"; fi
		return
	fi
	rnd 8; c=$((r + 1))
	[ $c = "$cfg_cur" ] && c=0
	case $c in
	0) rm -f .vaultlint.yaml ;;
	1) printf 'rules:\n  tag-format: off\n' > .vaultlint.yaml ;;
	2) printf 'rules:\n  duplicate-link: off\n  ambiguous-link: error\n' > .vaultlint.yaml ;;
	3) printf 'rules:\n  broken-heading-link:\n    severity: warning\n  dangling-block-ref: info\n' > .vaultlint.yaml ;;
	4) printf 'tags:\n  case: upper\n' > .vaultlint.yaml ;;
	5) printf 'ignore:\n  - "Daily/"\n' > .vaultlint.yaml ;;
	6) printf 'tags:\n  allowed: [PAPER, CODE, TALK, BOOK, Survey, Review, Idea]\n' > .vaultlint.yaml ;;
	7) printf 'rules:\n  broken-link: warning\n  tag-format: error\n' > .vaultlint.yaml ;;
	*) printf 'rules:\n  frontmatter-invalid: off\n  duplicate-block-id: warning\n' > .vaultlint.yaml ;;
	esac
	cfg_cur=$c
	desc="j: config variant $c"
}
# k: a same-size edit with the old mtime put back (only the ctime moves)
edit_k() {
	list_notes
	tries=0
	while [ $tries -lt 6 ]; do
		pick_item "$SAME"; from=${picked%%>*}; to=${picked#*>}
		tr '\n' '\0' < "$tmp/list" | xargs -0 grep -l -F -e "$from" -- > "$tmp/hits" 2>/dev/null
		if pick_line "$tmp/hits"; then
			f=$picked
			touch -r "$f" "$tmp/mtime"
			subst_first "$from" "$to" "$f"
			touch -r "$tmp/mtime" "$f"
			desc="k: '$f' '$from' -> '$to', same size, same mtime"
			return
		fi
		tries=$((tries + 1))
	done
	edit_h
}

# --- runs ------------------------------------------------------------------
# run_both NAME ARGS...: `vaultlint ARGS` with caches and VAULTLINT_TRACE=1
# (stdout $out, stderr $err), then with --no-cache ($ref); one check: same
# stdout, same exit code, no error exit. Sets trace to what the first run
# said it did: "hit", "full", "inc" (with tr_n of tr_m notes) or "none".
run_both() {
	name=$1
	shift
	VAULTLINT_TRACE=1 "$VAULTLINT" "$@" > "$out" 2> "$err"
	rc1=$?
	"$VAULTLINT" "$@" --no-cache > "$ref" 2> /dev/null
	rc2=$?
	if [ "$rc1" = "$rc2" ] && [ "$rc1" -lt 2 ] && cmp -s "$ref" "$out"; then
		pass "$name: same report and exit code as --no-cache"
	else
		fail "$name: same report and exit code as --no-cache" \
			"vaultlint $*: exit $rc1, --no-cache: exit $rc2 (seed $seed0, $steps steps)"
		[ -n "${log:-}" ] && printf '%s\n' "$log" | sed 's/^/  edit: /'
		diff "$ref" "$out" | head -20 | sed 's/^/  | /'
		grep '^vaultlint: trace: ' "$err" | head -5 | sed 's/^/  | /'
	fi
	line=$(grep -e '^vaultlint: trace: check: memo hit' -e '^vaultlint: trace: check: full run (' \
		-e '^vaultlint: trace: check: incremental run, ' "$err" | tail -n 1)
	tr_n=; tr_m=
	case $line in
	*'check: memo hit'*) trace=hit ;;
	*'check: full run ('*) trace=full ;;
	*'check: incremental run, '*)
		trace=inc
		nm=$(printf '%s\n' "$line" | sed -n 's/.*incremental run, \([0-9][0-9]*\) of \([0-9][0-9]*\) notes checked$/\1 \2/p')
		tr_n=${nm% *}; tr_m=${nm#* }
		[ -n "$nm" ] || trace="malformed ($line)" ;;
	*) trace=none ;;
	esac
}
# trace_is NAME WHAT: the last run's trace said WHAT (hit, full)
trace_is() {
	if [ "$trace" = "$2" ]; then pass "$1"; else
		fail "$1" "trace: $trace, expected $2"
		grep '^vaultlint: trace: ' "$err" | head -5 | sed 's/^/  | /'
	fi
}
# mark: the edits are made; settle: sleep until 2.1 s after the mark (the
# whole 2.1 s without one), so the next run sees no racy file
mark() { t_mark=$(date +%s%N); }
settle() {
	_rem=2100000000
	[ -n "$t_mark" ] && _rem=$((_rem - ($(date +%s%N) - t_mark)))
	t_mark=
	[ "$_rem" -gt 0 ] && sleep "$((_rem / 1000000000)).$(printf %09d $((_rem % 1000000000)))"
}

# --- dedicated cases -------------------------------------------------------
log=
M=$(n_notes)
settle
run_both "first run" check
trace_is "first run (no state yet): full run" full
has "fixture: ambiguous bare name" "$ref" "[ambiguous-link]"
has "fixture: duplicate links" "$ref" "[duplicate-link]"
has "fixture: 'it is in' hint of a dangling block ref" "$ref" "it is in 'AI/Transformers.md'"
has "fixture: alias hint of a broken link" "$ref" "is an alias of"
has "fixture: competing tag spellings" "$ref" "elsewhere in the vault; use one spelling"
has "fixture: duplicate block id" "$ref" "[duplicate-block-id]"
has "fixture: broken front matter" "$ref" "[frontmatter-invalid]"
has "fixture: broken heading link" "$ref" "[broken-heading-link]"
has "fixture: broken embed of an attachment" "$ref" "'missing.png'"
lacks "fixture: the attachment img.png resolves" "$ref" "'img.png'"
has "fixture: $M notes" "$ref" "in $M notes"

run_both "same state again" check
trace_is "same state again: memo hit" hit
VAULTLINT_TRACE=1 "$VAULTLINT" check --no-cache > /dev/null 2> "$err"
has "--no-cache: a full run, and the trace says why" "$err" "full run (no state kept: --no-cache"

# saved for the "stale state" case below
mkdir -p "$tmp/old" && cp -rp .git/vaultlint "$tmp/old/"

printf '\nA long walk, no reading today.\n' >> Daily/2024-01-02.md
mark
settle
run_both "body text of one note" check
if [ "$trace" = inc ] && [ "$tr_n" = 1 ] && [ "$tr_m" = "$M" ]; then
	pass "body text of one note: incremental run, 1 of $M notes checked"
else
	fail "body text of one note: incremental run, 1 of $M notes checked" "trace: $trace ${tr_n:-} ${tr_m:+of $tr_m}"
	grep '^vaultlint: trace: ' "$err" | head -5 | sed 's/^/  | /'
fi

# the heading 'Optimisers' of AI/Deep Learning.md, linked from K other notes
K=$(grep -rlF --include='*.md' 'Deep Learning#Optimisers' . | grep -vc 'Deep Learning\.md$')
[ "$K" -ge 3 ]; is_rc "fixture: the heading is linked from $K notes" $? 0
awk '$0 != "## Optimisers"' 'AI/Deep Learning.md' > "$tmp/e" && put 'AI/Deep Learning.md'
mark
settle
run_both "heading linked from $K notes removed" check
has "heading removed: the links to it are reported" "$ref" "no heading 'Optimisers' in 'AI/Deep Learning.md'"
if [ "$trace" = inc ] && [ "$tr_n" -ge $((K + 1)) ] && [ "$tr_n" -le "$M" ]; then
	pass "heading removed: incremental run checks at least $((K + 1)) notes ($tr_n)"
else
	fail "heading removed: incremental run checks at least $((K + 1)) notes" "trace: $trace ${tr_n:-} ${tr_m:+of $tr_m}"
	grep '^vaultlint: trace: ' "$err" | head -5 | sed 's/^/  | /'
fi
git add -A && git commit -q --no-verify -m heading

printf '# Extra\nSee [[Deep Learning#Optimisers]] and [[Missing Note]].\n' > 'Reading/Extra.md'
mark
settle
run_both "a note added" check
trace_is "a note added: incremental run" inc
has "a note added: it is checked" "$ref" "Reading/Extra.md:2"
# checked: the new note, and the notes whose links looked its name up or
# miss a note (their did-you-mean weighs every name); not every note
some_checked() {
	if [ "$trace" = inc ] && [ "$tr_n" -ge 1 ] && [ "$tr_n" -lt "$tr_m" ]; then
		pass "$1: not every note is checked again ($tr_n of $tr_m)"
	else
		fail "$1: not every note is checked again" "trace: $trace ${tr_n:-} ${tr_m:+of $tr_m}"
	fi
}
some_checked "a note added"
mv 'Reading/Extra.md' 'Reading/Extra 2.md'
mark
settle
run_both "a note renamed" check
trace_is "a note renamed: incremental run" inc
has "a note renamed: it is checked under its new path" "$ref" "Reading/Extra 2.md:2"
some_checked "a note renamed"
# one of three notes named Notes removed: [[Notes]] is ambiguous
# between two now; then put back
rm 'Reading/Extra 2.md' 'Talks/Notes.md'
mark
settle
run_both "notes removed" check
trace_is "notes removed: incremental run" inc
git checkout -q -- 'Talks/Notes.md'
mark
settle
run_both "a note put back" check
trace_is "a note put back: incremental run" inc
# a note that K notes link to renamed: their links break; and back
mv 'AI/Deep Learning.md' 'AI/Deep Learning (old).md'
mark
settle
run_both "a linked note renamed" check
trace_is "a linked note renamed: incremental run" inc
has "a linked note renamed: the links to it break" "$ref" "no note or file 'Deep Learning'"
mv 'AI/Deep Learning (old).md' 'AI/Deep Learning.md'
mark
settle
run_both "a linked note renamed back" check
trace_is "a linked note renamed back: incremental run" inc
lacks "a linked note renamed back: its links resolve again" "$ref" "no note or file 'Deep Learning'"
# [[Projects/Thesis]] names a folder, which is no note (OBSIDIAN.md); a
# note Projects/Thesis/Thesis.md added is the did-you-mean of that broken
# link, so the note that links is checked again (vl_index_may_suggest);
# removed, it is a hint gone (the names the findings gave)
printf '# Folder link\nSee [[Projects/Thesis]].\n' > 'Reading/Folder link.md'
mark
settle
run_both "a link to a folder" check
has "a link to a folder: broken" "$ref" "no note or file 'Projects/Thesis'"
lacks "a link to a folder with no folder note: no hint" "$ref" "did you mean 'Projects/Thesis/Thesis'"
printf '# Thesis\n' > 'Projects/Thesis/Thesis.md'
mark
settle
run_both "a folder note added" check
trace_is "a folder note added: incremental run" inc
has "a folder note added: the link to the folder suggests it" "$ref" \
	"no note or file 'Projects/Thesis' (did you mean 'Projects/Thesis/Thesis'?)"
# (and another note edited, or the memo would answer: the files are
# those of the run before the note was added)
rm 'Projects/Thesis/Thesis.md'
printf '\nMore reading.\n' >> 'Daily/2024-01-03.md'
mark
settle
run_both "a folder note removed" check
trace_is "a folder note removed: incremental run" inc
lacks "a folder note removed: no hint" "$ref" "did you mean 'Projects/Thesis/Thesis'"
rm 'Reading/Folder link.md'
mark
settle
run_both "the link to a folder removed" check

# saved for the second "stale state" case below, then two edits: the
# heading back, a block id that AI/Notes.md refers to removed
mkdir -p "$tmp/old2" && cp -rp .git/vaultlint "$tmp/old2/"
awk '/^- #PAPER \[Adam / { print "## Optimisers"; sub(/ \^adam$/, "") } 1' 'AI/Deep Learning.md' > "$tmp/e" && put 'AI/Deep Learning.md'
mark

# A damaged state: every file under <git dir>/vaultlint but the notes cache
# (the state, and the memo entries, which a damaged entry turns into a miss).
state_files() { find .git/vaultlint -type f ! -name cache ! -name '*.tmp*' > "$tmp/state"; }
flip_byte() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 0
	printf "\\$(printf %03o $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
for how in "flipped bytes" "truncated" "garbage" "emptied"; do
	state_files
	if [ ! -s "$tmp/state" ]; then
		echo "SKIP $SUITE: state $how (no state file under .git/vaultlint)"
		continue
	fi
	while IFS= read -r sf; do
		size=$(stat -c %s "$sf")
		case $how in
		flipped*) flip_byte "$sf" $((size / 2)); flip_byte "$sf" $((size - 3)) ;;
		truncated) head -c $((size / 2)) "$sf" > "$tmp/t" && cat "$tmp/t" > "$sf" ;;
		garbage) head -c "$size" /dev/zero | tr '\0' 'x' > "$sf" ;;
		*) : > "$sf" ;;
		esac
	done < "$tmp/state"
	run_both "state $how" check
	trace_is "state $how: full run" full
done

# a stale but well-formed state (and memo, and notes cache): one from
# before a note was added, one from before the last two edits (same files)
rm -rf .git/vaultlint && cp -rp "$tmp/old/vaultlint" .git/vaultlint
run_both "stale state from before a note was added" check
settle
rm -rf .git/vaultlint && cp -rp "$tmp/old2/vaultlint" .git/vaultlint
run_both "stale state from before the last two edits" check
has "the last two edits are seen" "$ref" "no block '^adam' in 'AI/Deep Learning.md'"
lacks "the heading put back is seen" "$ref" "no heading 'Optimisers' in 'AI/Deep Learning.md'"

# A note that has a block id twice gains one: the block table the run
# saves must still be one the next run reads (it once held the id twice
# and the next run fell back to a full run).
settle
run_both "before the id twice" check
printf 'Again. ^eig\nNew. ^eignew\n' >> 'Math/Linear Algebra.md'
mark
settle
run_both "a note with an id twice gains an id" check
has "the id twice is reported" "$ref" "[duplicate-block-id]"
trace_is "a note with an id twice gains an id: incremental" inc
printf '\nQuiet day.\n' >> Daily/2024-01-03.md
mark
settle
run_both "the run after it" check
trace_is "the run after it: incremental, its state read" inc

# check --staged keeps a state of the index the same way (blob ids for
# identities): the second staged edit is checked from it
printf '\n- #PAPER [Staged one (A 2020)](https://example.org/s1) ^st1\n' >> 'Reading/Papers 2024.md'
git add 'Reading/Papers 2024.md'
run_both "--staged, first" check --staged
printf '\n- #PAPER [Staged two (B 2021)](https://example.org/s2) [[Nowhere]]\n' >> 'Reading/Papers 2024.md'
git add 'Reading/Papers 2024.md'
run_both "--staged, a second edit staged" check --staged
trace_is "--staged, a second edit staged: incremental" inc
has "--staged: the new broken link is reported" "$ref" "'Nowhere'"
run_both "--staged --all" check --staged --all
git commit -q --no-verify -m staged

# A vault of notes without links: the state of a run over it must be one
# the next run reads (a bound on its size once refused it).
(
	mkdir -p "$tmp/plain" && cd "$tmp/plain" && git init -q . &&
	i=1 && while [ $i -le 60 ]; do printf '# N%d\nplain text\n' $i > "n$i.md"; i=$((i + 1)); done
) || exit 1
cd "$tmp/plain" || exit 1
settle
run_both "notes without links" check
printf 'more\n' >> n5.md
mark
settle
run_both "notes without links, one edited" check
trace_is "notes without links, one edited: incremental" inc
has "a small vault: the state is saved after every run" "$err" "check state saved"

# A vault of more than 1,024 notes: a run that checks few notes leaves the
# state as it was (saving it costs more than checking them again), so the
# next run checks them again with its own edits; one that checks at least
# a 16th of the notes saves it. 1,203 notes: 1,200 each linking the next
# one's heading and block, the first 100 of them also Hub#Top, the next 74
# Hub3#Mid, the 74 after those Hub2#Mid. A 16th of 1,203 is 75.2: 76
# notes checked save the state, 75 do not.
# checked_is NAME N: the last run was incremental and checked N notes
checked_is() {
	if [ "$trace" = inc ] && [ "$tr_n" = "$2" ]; then pass "$1"
	else fail "$1" "trace: $trace ${tr_n:-}, expected $2 notes checked"; fi
}
(
	mkdir -p "$tmp/big" && cd "$tmp/big" && git init -q . &&
	git config user.name Test && git config user.email test@example.org &&
	git config commit.gpgsign false &&
	awk 'BEGIN {
		for (i = 1; i <= 1200; i++) {
			f = sprintf("n%d.md", i)
			printf "# N%d\n\n## Part\nText [[n%d#Part]] and [[n%d#^b%d]].\n- entry ^b%d\n", \
				i, i + 1, i + 1, i + 1, i > f
			if (i <= 100) print "- see [[Hub#Top]]" > f
			else if (i <= 174) print "- see [[Hub3#Mid]]" > f
			else if (i <= 248) print "- see [[Hub2#Mid]]" > f
			close(f)
		}
		print "# Hub\n\n## Top\nThe hub." > "Hub.md"
		print "# Hub2\n\n## Mid\nThe second hub." > "Hub2.md"
		print "# Hub3\n\n## Mid\nThe third hub." > "Hub3.md"
	}'
) || exit 1
cd "$tmp/big" || exit 1
settle
run_both "1,203 notes" check
trace_is "1,203 notes: full run" full
has "1,203 notes: the last note's links are broken" "$ref" "no note or file 'n1201'"
printf '\nA first edit.\n' >> n5.md
mark
settle
run_both "1,203 notes, one edited" check
checked_is "1,203 notes, one edited: 1 note checked" 1
has "1,203 notes, one edited: the state is left as it was" "$err" "check state left as it was"
printf '\n- [[n5#Nowhere]]\n' >> n9.md
mark
settle
run_both "1,203 notes, another edited" check
checked_is "1,203 notes, another edited: both edits checked" 2
has "1,203 notes, another edited: its new broken link is reported" "$ref" "n9.md:8:3: error: no heading 'Nowhere'"
printf '# Hub\n\nNo heading now.\n' > Hub.md
mark
settle
run_both "1,203 notes, a heading linked from 100 notes removed" check
checked_is "1,203 notes, heading removed: Hub and its 100 linkers (the two edited among them) checked" 101
has "1,203 notes, heading removed: the state is saved" "$err" "check state saved"
has "1,203 notes, heading removed: the links to it are reported" "$ref" "n100.md:6:7: error: no heading 'Top'"
printf '\nA last edit.\n' >> n20.md
mark
settle
run_both "1,203 notes, the run after the save" check
checked_is "1,203 notes, the run after the save: 1 note checked (the saved state has the earlier edits)" 1
printf '# Hub3\n\nNo heading now.\n' > Hub3.md
mark
settle
run_both "1,203 notes, 76 notes to check" check
checked_is "1,203 notes, 76 notes to check: n20, Hub3 and its 74 linkers" 76
has "1,203 notes, 76 notes checked: the state is saved" "$err" "check state saved"
printf '# Hub2\n\nNo heading now.\n' > Hub2.md
mark
settle
run_both "1,203 notes, 75 notes to check" check
checked_is "1,203 notes, 75 notes to check: Hub2 and its 74 linkers" 75
has "1,203 notes, 75 notes checked: the state is left as it was" "$err" "check state left as it was"
# most of a large vault to check again (160 notes renamed, and the notes
# that link to them): a run over every note costs less, and is made
i=1
while [ $i -le 160 ]; do mv "n$i.md" "m$i.md"; i=$((i + 1)); done
mark
settle
run_both "1,203 notes, 160 renamed" check
trace_is "1,203 notes, 160 renamed: full run" full
has "1,203 notes, 160 renamed: too many notes to check again" "$err" "too many notes to check again"
i=1
while [ $i -le 160 ]; do mv "m$i.md" "n$i.md"; i=$((i + 1)); done
mark
settle
run_both "1,203 notes, renamed back" check
# check --staged keeps its state the same way; when it is left as it was,
# a staged note that is not checked again has its findings from the state
# (edits that keep every heading: no other note's links can break)
git add -A && git commit -q --no-verify -m big
printf '\n- [[Nowhere50]]\n' >> n50.md
git add n50.md
run_both "1,203 notes, --staged, first run" check --staged
trace_is "1,203 notes, --staged, first run: full run" full
has "1,203 notes, --staged: the staged broken link is reported" "$ref" "n50.md:8:3: error: no note or file 'Nowhere50'"
printf '\nStaged text.\n' >> n60.md
git add n60.md
run_both "1,203 notes, --staged, one more note staged" check --staged
checked_is "1,203 notes, --staged, one more note staged: 1 note checked" 1
has "1,203 notes, --staged, one more note staged: the state is left as it was" "$err" "check state left as it was"
has "1,203 notes, --staged: a staged note not checked again keeps its finding" "$ref" "n50.md:8:3: error: no note or file 'Nowhere50'"
printf '\nStaged text.\n' >> n70.md
git add n70.md
run_both "1,203 notes, --staged, another note staged" check --staged
checked_is "1,203 notes, --staged, another note staged: both checked" 2
cd "$repo" || exit 1

# --- the random sequence ---------------------------------------------------
kinds=aaabbbcccddeeeffgghhiijkkk
n_inc=0 n_full=0 n_hit=0 n_none=0
step=1
while [ "$step" -le "$steps" ]; do
	rnd 3; left=$((r + 1))
	log= ks=
	while [ "$left" -gt 0 ]; do
		rnd ${#kinds}
		kind=$(printf %s "$kinds" | cut -c$((r + 1)))
		desc=
		"edit_$kind"
		log=${log:+$log
}$desc
		ks=$ks$kind
		left=$((left - 1))
	done
	mark
	rnd 4
	case $r in
	0) git add -A && git commit -q --no-verify -m "step $step" > /dev/null 2>&1; log="$log
(committed)" ;;
	1) git add -A && log="$log
(staged)" ;;
	esac
	# another run first, over racy files (not remembered by the memo)
	rnd 6
	case $r in
	0) "$VAULTLINT" check AI > /dev/null 2>&1; log="$log
(ran: check AI)" ;;
	1) "$VAULTLINT" check --staged > /dev/null 2>&1; log="$log
(ran: check --staged)" ;;
	2) "$VAULTLINT" check --fail-on never > /dev/null 2>&1; log="$log
(ran: check --fail-on never)" ;;
	3) "$VAULTLINT" changelog --worktree > /dev/null 2>&1; log="$log
(ran: changelog --worktree)" ;;
	esac
	rnd 8
	case $r in
	0) rm -f .git/vaultlint/cache; log="$log
(notes cache removed)" ;;
	1) rm -rf .git/vaultlint/memo; log="$log
(memo folder removed)" ;;
	esac
	[ -n "${INCREMENTAL_VERBOSE:-}" ] && printf '%s\n' "$log" | sed "s/^/# step $step: /"
	settle
	rnd 5
	case $r in
	0) run_both "step $step ($ks)" check --format json ;;
	1) run_both "step $step ($ks)" check --fail-on warning ;;
	*) run_both "step $step ($ks)" check ;;
	esac
	case $trace in
	inc) n_inc=$((n_inc + 1)) ;;
	full) n_full=$((n_full + 1)) ;;
	hit) n_hit=$((n_hit + 1)) ;;
	*) n_none=$((n_none + 1)) ;;
	esac
	step=$((step + 1))
done
log=
# every step changed some file, so the memo cannot answer (a hit would
# still be right, but would test nothing): the state must have served
counts="$n_inc incremental, $n_full full, $n_hit memo hits, $n_none without a trace"
if [ "$steps" -gt 0 ]; then
	if [ "$n_none" = 0 ]; then
		pass "random steps: every run traces the path it took ($counts)"
	else
		fail "random steps: every run traces the path it took" "$counts"
	fi
	if [ "$n_inc" -gt 0 ]; then
		pass "random steps: the state serves ($counts)"
	else
		fail "random steps: the state serves" "$counts"
	fi
fi
