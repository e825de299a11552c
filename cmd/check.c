/*
 * check.c: `vaultlint check`, the linter. Lints the work tree, or what is
 * staged (--staged, for the pre-commit hook), or what changed since a
 * revision (--changed-since, for pull-request jobs).
 *
 * For --staged and --changed-since the report holds the findings in the
 * changed notes, plus the findings in unchanged notes that the change
 * caused (a renamed note, a removed heading or ^id still linked): those are
 * found by linting the unchanged notes that link to a changed name on both
 * sides, and keeping what is new.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../rules/rule.h"
#include "../src/format.h"
#include "../src/git/git.h"
#include "../src/lint.h"
#include "../src/memo.h"
#include "../src/obsidian.h"
#include "../src/state.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vaultlint check [options] [VAULT]\n\n"
		"Lints every note of the vault: links, headings, block ids, tags, front matter.\n"
		"VAULT defaults to the 'vault:' folder of the .vaultlint.yaml found from the\n"
		"current folder upwards, else the current folder. The notes that Obsidian's\n"
		"'Excluded files' setting names (.obsidian/app.json) stay link targets; their\n"
		"own findings are not reported.\n\n"
		"options:\n"
		"  --config FILE          use this config instead of the .vaultlint.yaml found\n"
		"  --format FORMAT        text (default), json, sarif, github or junit\n"
		"  --fail-on LEVEL        exit 1 when a finding is at or above LEVEL:\n"
		"                         error (default), warning, info, or never\n"
		"  --staged               lint what is staged in git (the index), reporting\n"
		"                         the staged-changed notes and what the change breaks\n"
		"  --changed-since REV    the same for the changes from REV (a commit, or a\n"
		"                         tree: main^{tree}) to the work tree\n"
		"  --all                  with --staged or --changed-since: report every finding\n"
		"  --threads N            at most N threads at once, 1 to 64 (default: one per core)\n"
		"  --no-cache             neither read nor write the cache of parsed notes,\n"
		"                         the memo of findings nor the check state (kept in\n"
		"                         the repository's git folder, in vaultlint/;\n"
		"                         damaged ones are rebuilt)\n"
		"  -h, --help             show this help\n\n"
		"exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
		"            2 usage, config, git or I/O error\n\n"
		"environment: VAULTLINT_TRACE=1 says on stderr how the report was made\n"
		"            (memo hit, incremental run, or full run and why)\n");
}

typedef struct check_opts {
	const char *vault;
	const char *config;
	vl_format format;
	vl_severity fail_on;   /* VL_SEV_OFF: never fail */
	int staged;
	const char *changed_since;
	int all;
	int threads;
	int no_cache;
} check_opts;

static int parse_args(check_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "staged", no_argument, NULL, 's' },
		{ "changed-since", required_argument, NULL, 'C' },
		{ "all", no_argument, NULL, 'a' },
		{ "threads", required_argument, NULL, 't' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->fail_on = VL_SEV_ERROR;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f':
			if (vl_format_parse(&o->format, optarg) < 0) {
				cli_error("unknown format '%s'; use text, json, sarif, github or junit", optarg);
				return -1;
			}
			break;
		case 'F':
			if (strcmp(optarg, "never") == 0)
				o->fail_on = VL_SEV_OFF;
			else if (vl_severity_parse(&o->fail_on, optarg) < 0 || o->fail_on == VL_SEV_OFF) {
				cli_error("--fail-on takes error, warning, info or never, not '%s'", optarg);
				return -1;
			}
			break;
		case 's': o->staged = 1; break;
		case 'C': o->changed_since = optarg; break;
		case 'a': o->all = 1; break;
		case 'N': o->no_cache = 1; break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 64) {
				cli_error("--threads takes a number from 1 to 64, not '%s'", optarg);
				return -1;
			}
			o->threads = (int)n;
			/* the engine's helper threads keep within it too */
			vl_set_thread_cap(o->threads);
			break;
		}
		case 'h': return 1;
		default:
			cli_getopt_error("check", c, argv);
			return -1;
		}
	}
	if (optind < argc)
		o->vault = argv[optind++];
	if (optind < argc) {
		cli_error("one vault at a time; unexpected '%s'", argv[optind]);
		return -1;
	}
	if (o->staged && o->changed_since) {
		cli_error("--staged and --changed-since cannot be combined");
		return -1;
	}
	if (o->all && !o->staged && !o->changed_since) {
		cli_error("--all goes with --staged or --changed-since");
		return -1;
	}
	return 0;
}

/* What one run shares: the repository holding the vault, opened once, and
 * the notes cache, opened only when some note must be read (a memo hit
 * reads none). */
typedef struct check_run {
	vl_cli_vault *cv;
	const check_opts *o;
	vl_repo *repo;        /* NULL outside a repository */
	const char *gitdir;   /* for the caches: NULL with --no-cache or no repository */
	vl_cache *cache;
	int cache_opened;
} check_run;

/* The cache of parsed notes in the git folder of the repository holding
 * the vault; none outside a repository or with --no-cache. The cache is a
 * speed-up only: when it cannot be opened the run goes on without it. */
static vl_cache *run_cache(check_run *run)
{
	vl_error err;

	if (!run->cache_opened && run->gitdir != NULL &&
	    vl_cache_open_gitdir(&run->cache, run->gitdir, &err) < 0)
		run->cache = NULL;
	run->cache_opened = 1;
	return run->cache;
}

/* Remembers the report of a run; one that cannot be written costs only
 * the next run's time. */
static void memo_put(vl_memo_key *key, const vl_diags *d, size_t n_checked)
{
	vl_error err;

	(void)vl_memo_put(key, d, n_checked, &err);
}

/* A lower-cased link key: the last path segment without ".md", written
 * into buf (size cap), folded as the resolver folds names (Über, über);
 * keys longer than that are cut, which can only make two long names
 * meet, never miss one. Returns buf. */
static char *name_key(char *buf, size_t cap, const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n;

	s = s ? s + 1 : path;
	n = strlen(s);
	if (n > 3 && strcasecmp(s + n - 3, ".md") == 0)
		n -= 3;
	if (n >= cap)
		n = cap - 1;
	vl_lower_into(buf, s, n);
	return buf;
}

/* The names a change touches and the notes it changed (vl_maps used as
 * sets), for links_to_name. */
typedef struct linking {
	const vl_map *names, *skip;
} linking;

/* Whether note, not one of skip, links to one of the names; it builds no
 * strings on the heap (it runs over every link of the vault). */
static int links_to_name(const vl_note *note, void *payload)
{
	const linking *lk = payload;
	char key[1024];
	size_t j;

	if (vl_map_get(lk->skip, note->path))
		return 0;
	for (j = 0; j < note->n_links; j++) {
		const vl_link *l = &note->links[j];

		/* links into the note itself cannot break by another's change */
		if (l->kind == VL_LINK_URL || !l->target[0])
			continue;
		if (vl_map_get(lk->names, name_key(key, sizeof(key), l->target)))
			return 1;
	}
	return 0;
}

/* Paths of the notes of src that link to one of the names in `names`,
 * excluding the notes in `skip`: each note read for its links alone
 * (vl_vault_scan), so that the vault is never held whole. */
static int notes_linking(char ***out, size_t *n_out, check_run *run, vl_source *src,
	const vl_map *names, const vl_map *skip, vl_error *err)
{
	linking lk = { names, skip };
	unsigned char *hit = calloc(src->n_files + 1, 1);
	size_t i, k, cap = 0;
	int rc = -1;

	if (hit == NULL)
		return vl_error_set(err, "out of memory");
	if (vl_vault_scan(hit, src, run->o->threads, run_cache(run), links_to_name, &lk, err) < 0)
		goto done;
	for (i = k = 0; i < src->n_files; i++) {
		if (!src->files[i].is_note)
			continue;
		if (hit[k++] && VL_PUSH(*out, *n_out, cap, src->files[i].path) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
	}
	rc = 0;
done:
	free(hit);
	return rc;
}

/* One version of a note for the comparison below: file f, which is file
 * `at` of src, or (at < 0) the blob f->oid. From the cache of parsed notes
 * when it has it, else parsed and added to it, so that loading the vault
 * afterwards parses nothing again. NULL when it cannot be read. */
static vl_note *note_version(check_run *run, vl_source *src, const vl_file *f, long at)
{
	/* not opened for two notes: a run from the check state needs it not */
	vl_cache *cache = run->cache_opened ? run->cache : NULL;
	vl_note *note = NULL;
	vl_error err;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (vl_cache_get(cache, src, f, &note, &err) != 0)
		return note;
	r = at >= 0 ? vl_source_read(src, (size_t)at, &buf, &len, &err) :
		vl_repo_read_blob(run->repo, f->oid, &buf, &len, &err);
	if (r == 0 && vl_note_parse_ex(&note, f->path, buf, len, VL_PARSE_NO_ENTRIES,
	    &err) == 0)
		(void)vl_cache_put(cache, src, f, note, &err);
	free(buf);
	return note;
}

/* Returns 1 when change c (a modified file; its new version in src) cannot
 * break a link into it: an attachment, or a note whose headings and
 * aliases are the same as before and that still has every block id it
 * had. Links into such a note resolve as before, so the notes linking to
 * it need no second look. 0 when it may, or when that cannot be told. */
static int links_into_kept(check_run *run, vl_source *src, const vl_change *c)
{
	vl_note *old = NULL, *now = NULL;
	vl_file was;
	size_t i;
	long at;
	int kept = 0;

	if (c->status != VL_CHANGE_MODIFIED || !c->old_oid[0] || !c->new_path)
		return 0;
	at = vl_source_find(src, c->new_path);
	if (at < 0)
		return 0;
	if (!src->files[at].is_note)
		return 1; /* an attachment: links to it need only its name */
	memset(&was, 0, sizeof(was));
	was.path = c->new_path;
	was.is_note = 1;
	was.oid = c->old_oid;
	now = note_version(run, src, &src->files[at], at);
	old = note_version(run, src, &was, -1);
	if (now == NULL || old == NULL || !vl_note_same_headings(old, now) ||
	    !vl_note_same_aliases(old, now))
		goto done;
	for (i = 0; i < old->n_blocks; i++)
		if (vl_index_find_block(now, old->blocks[i].id) == NULL)
			goto done;
	kept = 1;
done:
	vl_note_free(old);
	vl_note_free(now);
	return kept;
}

/* Adds every change of a diff to a memo key. */
static int key_add_changes(vl_memo_key *key, const vl_changes *ch, vl_error *err)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < ch->len && rc == 0; i++) {
		const vl_change *c = &ch->items[i];
		b.len = 0;
		if (vl_buf_printf(&b, "%d %s %s %zu:%s %zu:%s", (int)c->status, c->old_oid,
		    c->new_oid, c->old_path ? strlen(c->old_path) : 0,
		    c->old_path ? c->old_path : "", c->new_path ? strlen(c->new_path) : 0,
		    c->new_path ? c->new_path : "") < 0)
			rc = vl_error_set(err, "out of memory");
		else
			rc = vl_memo_key_add(key, "change", b.ptr, err);
	}
	vl_buf_release(&b);
	return rc;
}

/* With VAULTLINT_TRACE set, says on stderr how a run got its report. */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	va_list ap;

	if (getenv("VAULTLINT_TRACE") == NULL)
		return;
	va_start(ap, fmt);
	fputs("vaultlint: trace: check: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static vl_cache *state_cache(void *payload)
{
	return run_cache(payload);
}

/* The report of the whole vault from the saved check state, when it can
 * serve: 1 (the report in out), 0 (it cannot: check every note), -1. */
static int lint_from_state(vl_diags *out, check_run *run, vl_source *src,
	const vl_memo_key *key, vl_memo_key *skey, const vl_lint_opts *lo, size_t *n_checked)
{
	vl_state *st = NULL;
	vl_state_result res;
	vl_error err;
	int r;

	res.why_not = skey->usable ? "no saved state" :
		"no state kept: --no-cache, no git repository, or the program cannot be identified";
	r = vl_state_load(&st, skey, &err);
	if (r == 1)
		r = vl_state_check(out, &res, st, src, key, skey, lo, state_cache, run, &err);
	vl_state_free(st);
	if (r < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (r == 0) {
		trace("full run (%s)", res.why_not);
		return 0;
	}
	trace("incremental run, %zu of %zu notes checked", res.n_checked, res.n_notes);
	trace("%s", res.saved > 0 ? "check state saved" : res.saved < 0 ?
		"check state could not be saved" :
		"check state left as it was (too few notes checked to pay for saving it)");
	*n_checked = res.n_notes;
	return 1;
}

/* What a run that checked every note stores: the check state and, when
 * memo is not NULL, the report in the memo (side by side when the
 * threads allow). */
typedef struct store_job {
	vl_memo_key *skey, *memo;
	const vl_memo_key *key;
	const vl_vault *vault;
	const vl_reach *reach;
	const vl_diags *report;
} store_job;

static int store_one(size_t i, int slot, void *payload)
{
	store_job *j = payload;
	vl_error err;

	(void)slot;
	/* a state that cannot be stored only costs the next run time */
	if (i == 0 && j->reach)
		(void)vl_state_save(j->skey, j->key, j->vault, j->reach, j->report, &err);
	if (i == 1 && j->memo)
		memo_put(j->memo, j->report, j->vault->n_notes);
	return 0;
}

/* The report of every note of src and the number of notes: from the
 * check state of this kind of run when it serves, else by checking every
 * note (and saving the state for the next run). key is the run's memo
 * key (it knows which files' stat data can be trusted); memo, when not
 * NULL, the key to remember the report under (the run's key, usually).
 * want, when not NULL, are the n_want paths (sorted) whose findings the
 * caller keeps: the report may lack the others. */
static int lint_whole(vl_diags *out, check_run *run, vl_source *src,
	const vl_memo_key *key, vl_memo_key *memo, const char *kind,
	const char *const *want, size_t n_want, size_t *n_notes)
{
	vl_cli_vault *cv = run->cv;
	vl_error err;
	vl_vault *vault = NULL;
	vl_reach *reach = NULL;
	vl_lint_opts lo, slo;
	vl_memo_key skey;
	store_job job;
	size_t i, n = 0;
	int rc = -1, r, unread = 0;

	memset(&lo, 0, sizeof(lo));
	lo.config = &cv->config;
	lo.threads = run->o->threads;
	if (vl_state_key_init(&skey, run->gitdir, kind, cv->config.text,
	    cv->config.text_len, cv->vault_dir, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	/* only the state's run may leave findings out; a full run saves
	 * every note's */
	slo = lo;
	slo.only = want;
	slo.n_only = n_want;
	r = lint_from_state(out, run, src, key, &skey, &slo, n_notes);
	if (r != 0) {
		if (r > 0 && memo != NULL)
			memo_put(memo, out, *n_notes);
		rc = r < 0 ? -1 : 0;
		goto done;
	}
	for (i = 0; i < src->n_files; i++)
		n += src->files[i].is_note != 0;
	reach = calloc(n + 1, sizeof(*reach));
	if (reach == NULL) {
		cli_error("out of memory");
		goto done;
	}
	lo.reach = skey.usable ? reach : NULL;
	lo.unread = &unread;
	/* every note is checked once: held whole only while it is */
	if (vl_vault_load_lazy(&vault, src, run->o->threads, run_cache(run), &err) < 0 ||
	    vl_lint_run(out, vault, &lo, &err) < 0) {
		cli_error("%s", err.msg);
		goto done;
	}
	*n_notes = vault->n_notes;
	if (run_cache(run) != NULL) {
		vl_cache_stats cs;

		vl_cache_get_stats(run_cache(run), &cs);
		trace("notes cache: %zu notes found by their stat data, %zu by their bytes, %zu parsed",
			cs.hits, cs.by_bytes, cs.misses - cs.by_bytes);
	}
	job.skey = &skey;
	job.key = key;
	job.vault = vault;
	/* a note that could not be read whole for its check (its file went
	 * away) has no reach: such a report is right for this run, but
	 * neither a state nor the memo is made of it */
	job.reach = unread ? NULL : lo.reach;
	job.memo = unread ? NULL : memo;
	job.report = out;
	/* side by side when three threads may run (the state's tables take
	 * one of their own): the state and the memo live in folders of their
	 * own, and the state's thread only reads the memo key (its digest
	 * was made by the memo lookup) */
	(void)vl_run_pool(2, job.reach && memo && vl_lint_threads(run->o->threads) > 2 ? 2 : 1,
		store_one, &job);
	rc = 0;
done:
	vl_reach_free(reach, n);
	vl_memo_key_release(&skey);
	vl_vault_free(vault);
	return rc;
}

/* Lints `after` but reports only the changed notes and what the change
 * broke elsewhere (findings in unchanged notes that `before` lacks). */
static int lint_changes(vl_diags *out, check_run *run, size_t *n_checked)
{
	vl_cli_vault *cv = run->cv;
	const check_opts *o = run->o;
	vl_repo *repo = run->repo;
	vl_error err;
	vl_changes ch = VL_CHANGES_INIT;
	vl_snap before, after;
	vl_source *src_a = NULL, *src_b = NULL;
	vl_vault *va = NULL, *vb = NULL;
	vl_source_opts so;
	vl_map changed = { 0 }, names = { 0 };
	vl_memo_key mkey;
	char **only = NULL, **keys = NULL, oid[41];
	size_t n_only = 0, cap_only = 0, n_keys = 0, cap_keys = 0, i, k, n_notes_only;
	vl_diags da = VL_DIAGS_INIT, db = VL_DIAGS_INIT;
	vl_lint_opts lo;
	int rc = -1, r;

	if (repo == NULL) {
		cli_error("--staged and --changed-since need a git repository; "
			"this vault is not in one");
		return -1;
	}
	r = vl_memo_key_init(&mkey, run->gitdir, o->staged ? (o->all ? "staged --all" : "staged") :
		(o->all ? "changed-since --all" : "changed-since"), cv->config.text,
		cv->config.text_len, &err);
	if (r < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	memset(&so, 0, sizeof(so));
	so.ignore = (const char *const *)cv->config.ignore;
	so.n_ignore = cv->config.n_ignore;
	/* only the work tree's walk asks git (a commit's or the index's
	 * files are all tracked, and git ignores no tracked file) */
	so.use_gitignore = o->changed_since != NULL;
	before.kind = VL_SNAP_REV;
	before.rev = o->staged ? "HEAD" : o->changed_since;
	after.kind = o->staged ? VL_SNAP_INDEX : VL_SNAP_WORKDIR;
	after.rev = NULL;
	/* a diff starts from any tree-ish, as for git diff: a commit or a
	 * tree (`main^{tree}`); its id keys the memo */
	r = o->staged ? vl_repo_resolve_commit(repo, before.rev, oid, &err) :
		vl_repo_resolve_treeish(repo, before.rev, oid, &err);
	if (r < 0) {
		if (o->changed_since) {
			cli_error("%s", err.msg);
			goto done;
		}
		strcpy(oid, "none"); /* no commit yet: HEAD is empty */
	} else {
		before.rev = oid; /* the commit (or tree) keyed is the one read */
	}
	/* the report depends on the listing of `after` and on the diff (which
	 * also sees modes, attributes, tracked files that are ignored) */
	if (vl_memo_key_add(&mkey, "before", oid, &err) < 0 ||
	    vl_memo_key_add(&mkey, "vault", cv->vault_dir, &err) < 0 ||
	    vl_source_open_snap(&src_a, repo, &after, cv->vault_prefix, &so, &err) < 0 ||
	    vl_memo_key_add_source(&mkey, src_a, &err) < 0 ||
	    vl_repo_diff(&ch, repo, &before, &after, cv->vault_prefix, &so, &err) < 0 ||
	    key_add_changes(&mkey, &ch, &err) < 0 ||
	    (r = vl_memo_get(&mkey, out, n_checked, &err)) < 0) {
		cli_error("%s", err.msg);
		goto done;
	}
	if (r == 1) {
		trace("memo hit");
		rc = 0;
		goto done;
	}
	memset(&lo, 0, sizeof(lo));
	lo.config = &cv->config;
	lo.threads = o->threads;
	if (o->all && o->staged) {
		/* the index's whole report: what the check state of the index
		 * keeps (the hook runs often; CI's --changed-since, on a fresh
		 * clone each time, would only pay for saving one) */
		if (lint_whole(out, run, src_a, &mkey, &mkey, "staged state", NULL, 0,
		    n_checked) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	if (o->all) {
		if (vl_vault_load(&va, src_a, o->threads, run_cache(run), &err) < 0 ||
		    vl_lint_run(out, va, &lo, &err) < 0) {
			cli_error("%s", err.msg);
			goto done;
		}
		*n_checked = va->n_notes;
		memo_put(&mkey, out, *n_checked);
		rc = 0;
		goto done;
	}
	/* the changed notes, and every name a change touches */
	for (i = 0; i < ch.len; i++) {
		char *paths[2] = { ch.items[i].old_path, ch.items[i].new_path };
		int kept = links_into_kept(run, src_a, &ch.items[i]);
		for (k = 0; k < 2; k++) {
			char buf[1024], *key;
			if (!paths[k])
				continue;
			if (k == 1 && (VL_PUSH(only, n_only, cap_only, paths[k]) < 0 ||
			    vl_map_put(&changed, paths[k], paths[k]) < 0))
				goto oom;
			if (kept)
				continue;
			name_key(buf, sizeof(buf), paths[k]);
			key = vl_strndup(buf, strlen(buf));
			if (!key || VL_PUSH(keys, n_keys, cap_keys, key) < 0) {
				free(key);
				goto oom;
			}
			if (vl_map_put(&names, key, key) < 0)
				goto oom;
		}
	}
	/* a FIFO, socket or device named like a note, which the listing
	 * reports: git tracks none (the diff does not see it), so it is new
	 * against any commit */
	for (i = 0; o->changed_since && i < src_a->n_problems; i++) {
		char *p = src_a->problems[i].path;

		if (!src_a->problems[i].special || vl_map_get(&changed, p) != NULL)
			continue;
		if (VL_PUSH(only, n_only, cap_only, p) < 0 || vl_map_put(&changed, p, p) < 0)
			goto oom;
	}
	/* A submodule of the index that cannot be read here leaves every
	 * link into it broken, whatever was staged: what its listing says of
	 * it (why) is reported with the staged notes, each time. It is no
	 * note checked. */
	n_notes_only = n_only;
	if (o->staged) {
		size_t n_subs;
		const char *const *subs = vl_source_unread_submodules(src_a, &n_subs);

		for (i = 0; i < n_subs; i++) {
			if (vl_map_get(&changed, subs[i]) != NULL)
				continue;
			if (VL_PUSH(only, n_only, cap_only, (char *)subs[i]) < 0 ||
			    vl_map_put(&changed, subs[i], (char *)subs[i]) < 0)
				goto oom;
		}
	}
	/* When no change can break a link elsewhere, the report is the
	 * changed notes' findings: for --staged, those of the index's whole
	 * report, from its check state. */
	if (names.len == 0 && o->staged) {
		size_t n_notes;

		/* none staged: no note's findings are wanted (not all of them) */
		static const char *const none[1] = { NULL };

		if (n_only > 1)
			qsort(only, n_only, sizeof(*only), vl_cmp_str);
		if (lint_whole(&da, run, src_a, &mkey, NULL, "staged state",
		    n_only ? (const char *const *)only : none, n_only, &n_notes) < 0)
			goto done;
		for (i = 0; i < da.len; i++) {
			if (vl_map_get(&changed, da.items[i].path) == NULL)
				continue;
			if (VL_PUSH(out->items, out->len, out->cap, da.items[i]) < 0)
				goto oom;
			da.items[i].path = da.items[i].message = NULL;
		}
		*n_checked = n_notes_only;
		memo_put(&mkey, out, *n_checked);
		rc = 0;
		goto done;
	}
	/* unchanged notes that link to a changed name may be broken by it
	 * (found from their links alone); they and the changed notes are
	 * loaded whole, the others for the index alone */
	{
		char **aff = NULL;
		size_t n_aff = 0;
		vl_map whole = { 0 }, affected = { 0 };

		if (names.len > 0 && notes_linking(&aff, &n_aff, run, src_a, &names, &changed,
		    &err) < 0) {
			free(aff);
			cli_error("%s", err.msg);
			goto done;
		}
		for (i = 0; i < n_only + n_aff; i++) {
			char *p = i < n_only ? only[i] : aff[i - n_only];

			if (vl_map_put(&whole, p, p) < 0 ||
			    (i >= n_only && vl_map_put(&affected, p, p) < 0)) {
				vl_map_release(&whole);
				vl_map_release(&affected);
				free(aff);
				goto oom;
			}
		}
		r = vl_vault_load_ex(&va, src_a, NULL, &whole, o->threads, run_cache(run), &err);
		vl_map_release(&whole);
		if (r < 0) {
			vl_map_release(&affected);
			free(aff);
			cli_error("%s", err.msg);
			goto done;
		}
		if (n_aff) {
			lo.only = (const char *const *)aff;
			lo.n_only = n_aff;
			qsort(aff, n_aff, sizeof(*aff), vl_cmp_str);
			if (vl_source_open_snap(&src_b, repo, &before, cv->vault_prefix, &so, &err) < 0 ||
			    vl_vault_load_ex(&vb, src_b, va, &affected, o->threads, run_cache(run),
			    &err) < 0 ||
			    vl_lint_run(&db, vb, &lo, &err) < 0 ||
			    vl_lint_run(&da, va, &lo, &err) < 0) {
				vl_map_release(&affected);
				free(aff);
				cli_error("%s", err.msg);
				goto done;
			}
			/* both lists are sorted: keep what only the change has */
			for (i = k = 0; i < da.len; i++) {
				int c = 1;
				while (k < db.len && (c = vl_diag_cmp(&db.items[k], &da.items[i])) < 0)
					k++;
				if (k < db.len && c == 0) {
					k++;
					continue;
				}
				if (vl_diags_add(out, da.items[i].path, da.items[i].line,
				    da.items[i].col, da.items[i].rule, da.items[i].severity,
				    "%s", da.items[i].message) < 0) {
					vl_map_release(&affected);
					free(aff);
					goto oom;
				}
			}
		}
		vl_map_release(&affected);
		free(aff);
	}
	if (n_only) {
		qsort(only, n_only, sizeof(*only), vl_cmp_str);
		lo.only = (const char *const *)only;
		lo.n_only = n_only;
		if (vl_lint_run(out, va, &lo, &err) < 0) {
			cli_error("%s", err.msg);
			goto done;
		}
	}
	vl_diags_sort(out);
	*n_checked = n_notes_only;
	memo_put(&mkey, out, *n_checked);
	rc = 0;
	goto done;
oom:
	cli_error("out of memory");
done:
	vl_diags_release(&da);
	vl_diags_release(&db);
	vl_map_release(&changed);
	vl_map_release(&names);
	for (i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	free(only);
	vl_vault_free(vb); /* shares notes with va */
	vl_vault_free(va);
	vl_source_free(src_a);
	vl_source_free(src_b);
	vl_changes_release(&ch);
	vl_memo_key_release(&mkey);
	return rc;
}

static int lint_tree(vl_diags *out, check_run *run, size_t *n_checked)
{
	vl_cli_vault *cv = run->cv;
	vl_error err;
	vl_source *src = NULL;
	vl_source_opts so;
	vl_memo_key key;
	int rc = -1, r;

	memset(&so, 0, sizeof(so));
	so.ignore = (const char *const *)cv->config.ignore;
	so.n_ignore = cv->config.n_ignore;
	so.use_gitignore = cv->repo_root != NULL;
	/* the key starts before the listing: the racy rule counts from here */
	if (vl_memo_key_init(&key, run->gitdir, "check", cv->config.text,
	    cv->config.text_len, &err) < 0 ||
	    vl_memo_key_add(&key, "vault", cv->vault_dir, &err) < 0 ||
	    vl_source_open_dir(&src, cv->vault_dir, &so, &err) < 0 ||
	    vl_memo_key_add_source(&key, src, &err) < 0 ||
	    (r = vl_memo_get(&key, out, n_checked, &err)) < 0) {
		cli_error("%s", err.msg);
		goto done;
	}
	if (r == 1) {
		trace("memo hit");
		rc = 0;
		goto done;
	}
	if (lint_whole(out, run, src, &key, &key, "check state", NULL, 0, n_checked) < 0)
		goto done;
	rc = 0;
done:
	vl_memo_key_release(&key);
	vl_source_free(src);
	return rc;
}

/* Drops the findings in notes that Obsidian's settings exclude (see
 * obsidian.h): after the memo and the state, which keep every note's.
 * Returns 0, or -1 when out of memory (d is then as it was). */
static int drop_excluded(vl_diags *d, const vl_excluded *x)
{
	unsigned char *out;
	size_t i, k = 0;
	int r;

	if (x->n == 0 || d->len == 0)
		return 0;
	out = calloc(d->len, 1);
	if (out == NULL)
		return -1;
	for (i = 0; i < d->len; i++) {
		if ((r = vl_excluded_match(x, d->items[i].path)) < 0) {
			free(out);
			return -1;
		}
		out[i] = (unsigned char)r;
	}
	for (i = 0; i < d->len; i++) {
		vl_diag *g = &d->items[i];

		if (out[i]) {
			free(g->path);
			free(g->message);
		} else {
			d->items[k++] = *g;
		}
	}
	d->len = k;
	free(out);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	check_opts o;
	vl_cli_vault cv;
	vl_diags d = VL_DIAGS_INIT;
	vl_buf out = VL_BUF_INIT;
	vl_format_opts fo;
	vl_excluded excluded;
	check_run run;
	vl_error err;
	size_t n_checked = 0, i;
	int r, rc = VL_EXIT_ERROR;

	r = parse_args(&o, argc, argv);
	if (r != 0) {
		if (r > 0) {
			usage(stdout);
			return VL_EXIT_OK;
		}
		return VL_EXIT_ERROR;
	}
	if (cli_vault_setup(&cv, o.vault, o.config) < 0)
		return VL_EXIT_ERROR;
	r = vl_excluded_load(&excluded, cv.vault_dir, &err);
	if (r < 0) {
		cli_error("%s", err.msg);
		cli_vault_release(&cv);
		return VL_EXIT_ERROR;
	}
	if (r > 0)
		cli_error("warning: %s", err.msg);
	memset(&run, 0, sizeof(run));
	run.cv = &cv;
	run.o = &o;
	if (cv.repo_root != NULL && vl_repo_open(&run.repo, cv.vault_dir, &err) < 0) {
		/* a plain check goes on without the caches */
		if (o.staged || o.changed_since) {
			cli_error("%s", err.msg);
			goto done;
		}
		run.repo = NULL;
	}
	if (run.repo != NULL && !o.no_cache)
		run.gitdir = vl_repo_gitdir(run.repo);
	if (o.staged || o.changed_since)
		r = lint_changes(&d, &run, &n_checked);
	else
		r = lint_tree(&d, &run, &n_checked);
	if (r < 0)
		goto done;
	/* a cache that cannot be written only costs the next run time */
	(void)vl_cache_save(run.cache, &err);
	if (drop_excluded(&d, &excluded) < 0) {
		cli_error("out of memory");
		goto done;
	}
	memset(&fo, 0, sizeof(fo));
	fo.color = o.format == VL_FORMAT_TEXT && cli_use_color(stdout);
	fo.path_prefix = cv.vault_prefix;
	fo.version = VL_VERSION;
	fo.n_notes = n_checked;
	if (vl_format_render(&out, &d, o.format, &fo) < 0) {
		cli_error("out of memory");
		goto done;
	}
	if (out.len)
		fwrite(out.ptr, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		cli_error("cannot write the report");
		goto done;
	}
	rc = VL_EXIT_OK;
	for (i = 0; i < d.len; i++)
		if (o.fail_on != VL_SEV_OFF && d.items[i].severity >= o.fail_on)
			rc = VL_EXIT_FINDINGS;
done:
	vl_cache_free(run.cache);
	vl_repo_free(run.repo);
	vl_buf_release(&out);
	vl_diags_release(&d);
	vl_excluded_release(&excluded);
	cli_vault_release(&cv);
	return rc;
}
