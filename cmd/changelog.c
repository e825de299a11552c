/*
 * changelog.c: `vaultlint changelog`: what changed in the vault between
 * two commits (or HEAD and the work tree), at the level of notes and of
 * list entries. Works out the range, then leaves the work to
 * vl_git_changelog and the renderers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "../src/changelog.h"
#include "../src/git/git.h"
#include "../src/memo.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vaultlint changelog [options] [A..B | A B | A]\n\n"
		"Lists what changed in the vault between two commits: notes added,\n"
		"deleted, modified and renamed; list entries (papers, code links...)\n"
		"added, removed, changed and moved; front matter changes; and links the\n"
		"change broke. Only the two end points are compared, so merges are fine.\n\n"
		"range:\n"
		"  (none)                 the last commit (HEAD~1..HEAD; the root commit\n"
		"                         against nothing)\n"
		"  A                      A..HEAD\n"
		"  A..B, A B              from A to B\n\n"
		"options:\n"
		"  --worktree             HEAD (or A) against the work tree's uncommitted\n"
		"                         changes\n"
		"  --since DATE           from the last commit before DATE (YYYY-MM-DD, UTC),\n"
		"                         following first parents from HEAD, to HEAD\n"
		"  --format FORMAT        markdown (default), text or json\n"
		"  --group-by KEY         tag (default), note or folder\n"
		"  --config FILE          use this .vaultlint.yaml\n"
		"  --no-cache             neither read nor write the cache of parsed notes\n"
		"                         nor the memo of changelogs (in the git folder)\n"
		"  -h, --help             show this help\n\n"
		"exit codes: 0 ok (also when nothing changed), 2 usage, git or I/O error\n");
}

typedef struct changelog_opts {
	const char *config;
	const char *since;
	int worktree;
	vl_changelog_format format;
	vl_changelog_group group;
	const char *revs[2];
	int n_revs;
	int no_cache;
} changelog_opts;

static int parse_args(changelog_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "group-by", required_argument, NULL, 'g' },
		{ "since", required_argument, NULL, 's' },
		{ "worktree", no_argument, NULL, 'w' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f':
			if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				o->format = VL_CHANGELOG_MARKDOWN;
			else if (strcmp(optarg, "text") == 0)
				o->format = VL_CHANGELOG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = VL_CHANGELOG_JSON;
			else {
				cli_error("unknown format '%s'; use markdown, text or json", optarg);
				return -1;
			}
			break;
		case 'g':
			if (strcmp(optarg, "tag") == 0)
				o->group = VL_GROUP_TAG;
			else if (strcmp(optarg, "note") == 0)
				o->group = VL_GROUP_NOTE;
			else if (strcmp(optarg, "folder") == 0)
				o->group = VL_GROUP_FOLDER;
			else {
				cli_error("unknown --group-by '%s'; use tag, note or folder", optarg);
				return -1;
			}
			break;
		case 's': o->since = optarg; break;
		case 'w': o->worktree = 1; break;
		case 'N': o->no_cache = 1; break;
		case 'h': return 1;
		default:
			cli_getopt_error("changelog", c, argv);
			return -1;
		}
	}
	while (optind < argc) {
		if (o->n_revs == 2) {
			cli_error("at most two revisions; unexpected '%s'", argv[optind]);
			return -1;
		}
		o->revs[o->n_revs++] = argv[optind++];
	}
	if (o->since && (o->n_revs > 0 || o->worktree)) {
		cli_error("--since goes alone, without revisions or --worktree");
		return -1;
	}
	if (o->worktree && (o->n_revs > 1 || (o->n_revs == 1 && strstr(o->revs[0], "..")))) {
		cli_error("--worktree takes at most one revision (the old side), not a range");
		return -1;
	}
	return 0;
}

/* Parses YYYY-MM-DD as midnight UTC. */
static int parse_date(long long *out, const char *s)
{
	struct tm tm;
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (long long)timegm(&tm);
	return 0;
}

/* One end of the range, resolved: the commit id, or "" for nothing. */
typedef struct end_point {
	char oid[41];
	vl_snap snap;
} end_point;

static int resolve_end(end_point *e, vl_repo *repo, const char *rev)
{
	vl_error err;

	/* A commit, not a tree: the range's ends are shown and kept as commit
	 * ids (the JSON's "range"), and A..B names commits, as in git log. */
	if (vl_repo_resolve_commit(repo, rev, e->oid, &err) < 0) {
		char head[41];
		vl_error err2;

		if (vl_repo_resolve_commit(repo, "HEAD", head, &err2) == 0)
			cli_error("%s", err.msg);
		else
			cli_error("%s (the repository has no commits yet)", err.msg);
		return -1;
	}
	e->snap.kind = VL_SNAP_REV;
	e->snap.rev = e->oid;
	return 0;
}

static void set_empty(end_point *e)
{
	e->oid[0] = '\0';
	e->snap.kind = VL_SNAP_EMPTY;
	e->snap.rev = NULL;
}

/* Works out both ends from the options. */
static int resolve_range(end_point *from, end_point *to, vl_repo *repo,
	const changelog_opts *o)
{
	vl_error err;
	char buf[2][512];
	const char *a = NULL, *b = NULL, *dots;
	int r;

	if (o->since) {
		long long t;

		if (parse_date(&t, o->since) < 0) {
			cli_error("--since takes a date as YYYY-MM-DD, not '%s'", o->since);
			return -1;
		}
		if (resolve_end(to, repo, "HEAD") < 0)
			return -1;
		r = vl_repo_commit_before(repo, t, from->oid, &err);
		if (r < 0) {
			cli_error("%s", err.msg);
			return -1;
		}
		if (r == 1)
			set_empty(from);
		else {
			from->snap.kind = VL_SNAP_REV;
			from->snap.rev = from->oid;
		}
		return 0;
	}
	if (o->worktree) {
		if (resolve_end(from, repo, o->n_revs ? o->revs[0] : "HEAD") < 0)
			return -1;
		to->oid[0] = '\0';
		to->snap.kind = VL_SNAP_WORKDIR;
		to->snap.rev = NULL;
		return 0;
	}
	if (o->n_revs == 0) {
		if (resolve_end(to, repo, "HEAD") < 0)
			return -1;
		/* HEAD~1 fails only when HEAD is a root commit. */
		if (vl_repo_resolve_commit(repo, "HEAD~1", from->oid, &err) < 0)
			set_empty(from);
		else {
			from->snap.kind = VL_SNAP_REV;
			from->snap.rev = from->oid;
		}
		return 0;
	}
	if (o->n_revs == 2) {
		a = o->revs[0];
		b = o->revs[1];
	} else if ((dots = strstr(o->revs[0], "..")) != NULL) {
		size_t n = (size_t)(dots - o->revs[0]);

		if (dots[2] == '.') {
			cli_error("'A...B' ranges are not supported; use A..B");
			return -1;
		}
		if (n >= sizeof(buf[0]) || strlen(dots + 2) >= sizeof(buf[1])) {
			cli_error("unknown revision '%s'", o->revs[0]);
			return -1;
		}
		memcpy(buf[0], o->revs[0], n);
		buf[0][n] = '\0';
		strcpy(buf[1], dots + 2);
		a = buf[0][0] ? buf[0] : "HEAD";
		b = buf[1][0] ? buf[1] : "HEAD";
	} else {
		a = o->revs[0];
		b = "HEAD";
	}
	if (resolve_end(from, repo, a) < 0 || resolve_end(to, repo, b) < 0)
		return -1;
	return 0;
}

/* The range as shown (*out): full ids in JSON, short ones elsewhere; null
 * for the empty tree; "worktree" for the work tree. Returns 0, or -1 when
 * out of memory. */
static int range_label(char **out, const end_point *e, int json)
{
	*out = NULL;
	if (e->snap.kind == VL_SNAP_EMPTY && json)
		return 0;
	if (e->snap.kind == VL_SNAP_WORKDIR)
		*out = strdup("worktree");
	else if (e->snap.kind == VL_SNAP_EMPTY)
		*out = strdup("(empty)");
	else
		*out = json ? strdup(e->oid) : vl_strndup(e->oid, 7);
	return *out == NULL ? -1 : 0;
}

/* Adds the bytes of the file dir/rest to key (see vl_memo_key_add_file). */
static int add_at(vl_memo_key *key, const char *name, const char *dir,
	const char *rest, vl_error *err)
{
	vl_buf p = VL_BUF_INIT;
	int rc;

	if (vl_buf_printf(&p, "%s/%s", dir, rest) < 0)
		return vl_error_set(err, "out of memory");
	rc = vl_memo_key_add_file(key, name, p.ptr, err);
	vl_buf_release(&p);
	return rc;
}

/* What else a diff of two commits reads: git's settings (rename limits)
 * and attributes files, each by its bytes. */
static int add_git_settings(vl_memo_key *key, vl_repo *repo, vl_error *err)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *gitdir = vl_repo_gitdir(repo), *workdir = vl_repo_workdir(repo);

	if (add_at(key, "config", gitdir, "config", err) < 0 ||
	    add_at(key, "info/attributes", gitdir, "info/attributes", err) < 0 ||
	    (workdir && add_at(key, "attributes", workdir, ".gitattributes", err) < 0) ||
	    (home && add_at(key, "global", home, ".gitconfig", err) < 0) ||
	    (xdg && add_at(key, "xdg", xdg, "git/config", err) < 0) ||
	    (!xdg && home && add_at(key, "xdg", home, ".config/git/config", err) < 0) ||
	    vl_memo_key_add_file(key, "system", "/etc/gitconfig", err) < 0)
		return -1;
	return 0;
}

int cmd_changelog(int argc, char **argv)
{
	changelog_opts o;
	vl_cli_vault cv;
	vl_repo *repo = NULL;
	vl_changelog cl;
	vl_source_opts so;
	end_point from, to;
	vl_buf out = VL_BUF_INIT;
	vl_memo_key key;
	const char *gitdir;
	vl_error err;
	int rc = VL_EXIT_ERROR, r, have_cv = 0;
	size_t i;

	memset(&key, 0, sizeof(key));
	vl_changelog_init(&cl);
	r = parse_args(&o, argc, argv);
	if (r > 0) {
		usage(stdout);
		return VL_EXIT_OK;
	}
	if (r < 0)
		return VL_EXIT_ERROR;
	if (cli_vault_setup(&cv, NULL, o.config) < 0)
		return VL_EXIT_ERROR;
	have_cv = 1;
	r = vl_repo_open(&repo, cv.vault_dir, &err);
	if (r != 0) {
		if (r > 0)
			cli_error("not a git repository: '%s' (changelog reads the vault's git history)",
				cv.vault_dir);
		else
			cli_error("%s", err.msg);
		goto done;
	}
	if (resolve_range(&from, &to, repo, &o) < 0)
		goto done;
	gitdir = o.no_cache ? NULL : vl_repo_gitdir(repo);
	/* two commits never change: the same range gives the same changelog */
	r = 0;
	if ((from.snap.kind == VL_SNAP_REV || from.snap.kind == VL_SNAP_EMPTY) &&
	    (to.snap.kind == VL_SNAP_REV || to.snap.kind == VL_SNAP_EMPTY)) {
		char how[32];
		snprintf(how, sizeof(how), "%d %d", (int)o.format, (int)o.group);
		if (vl_memo_key_init(&key, gitdir, "changelog", cv.config.text,
		    cv.config.text_len, &err) < 0 ||
		    add_git_settings(&key, repo, &err) < 0 ||
		    vl_memo_key_add(&key, "how", how, &err) < 0 ||
		    vl_memo_key_add(&key, "from", from.oid[0] ? from.oid : "none", &err) < 0 ||
		    vl_memo_key_add(&key, "to", to.oid[0] ? to.oid : "none", &err) < 0 ||
		    vl_memo_key_add(&key, "vault", cv.vault_dir, &err) < 0 ||
		    (r = vl_memo_get_text(&key, &out, &err)) < 0) {
			cli_error("%s", err.msg);
			goto done;
		}
	}
	if (r == 1)
		goto print;
	memset(&so, 0, sizeof(so));
	so.ignore = (const char *const *)cv.config.ignore;
	so.n_ignore = cv.config.n_ignore;
	so.use_gitignore = 0;
	if (range_label(&cl.range_from, &from, o.format == VL_CHANGELOG_JSON) < 0 ||
	    range_label(&cl.range_to, &to, o.format == VL_CHANGELOG_JSON) < 0) {
		cli_error("out of memory");
		goto done;
	}
	if (vl_git_changelog(&cl, repo, &from.snap, &to.snap,
	    cv.vault_prefix ? cv.vault_prefix : "", &so, gitdir, &err) < 0) {
		cli_error("%s", err.msg);
		goto done;
	}
	for (i = 0; i < cl.n_skipped; i++)
		cli_error("changelog: %s; left out", cl.skipped[i]);
	if (vl_changelog_render(&out, &cl, o.format, o.group) < 0) {
		cli_error("out of memory");
		goto done;
	}
	/* a key not made (a side in the work tree) is unusable: nothing kept */
	(void)vl_memo_put_text(&key, out.ptr ? out.ptr : "", out.len, &err);
print:
	if (out.len > 0 && fwrite(out.ptr, 1, out.len, stdout) != out.len) {
		cli_error("cannot write the changelog");
		goto done;
	}
	if (fflush(stdout) != 0) {
		cli_error("cannot write the changelog");
		goto done;
	}
	rc = VL_EXIT_OK;
done:
	vl_memo_key_release(&key);
	vl_buf_release(&out);
	vl_changelog_release(&cl);
	vl_repo_free(repo);
	if (have_cv)
		cli_vault_release(&cv);
	return rc;
}
