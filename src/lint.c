/*
 * lint.c: the engine. Notes are read and parsed by a pool of threads that
 * take the next file from an atomic counter (a work queue without a
 * queue); only the parsed symbols are kept, each file's bytes are freed as
 * soon as it is parsed. The index is built once, then the rules run per
 * note, again in parallel, each thread collecting findings into its own
 * list; the lists are merged and sorted at the end, so the output does not
 * depend on scheduling.
 */
#include "lint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../rules/rule.h"

#define VL_MAX_THREADS 64

int vl_lint_threads(int threads)
{
	if (threads > 0)
		return threads > VL_MAX_THREADS ? VL_MAX_THREADS : threads;
	return vl_thread_budget();
}

/* ---- loading ---- */

typedef struct load_ctx {
	vl_vault *vault;
	vl_cache *cache;          /* or NULL */
	const vl_map *full;       /* paths to load whole; NULL: all */
	int lazy;                 /* load what the cache has for the index only */
	size_t *note_files;       /* source index of each note */
	vl_diags per_thread[VL_MAX_THREADS];
	vl_cache_reader rd[VL_MAX_THREADS];
	pthread_mutex_t err_lock;
	vl_error *err;
} load_ctx;

int vl_vault_read_note(vl_note **out, vl_source *src, size_t file, vl_cache *cache,
	vl_cache_reader *rd, unsigned flags, vl_error *err)
{
	const vl_file *f = &src->files[file];
	vl_note *summary = NULL;
	char *buf = NULL;
	uint64_t content[2];
	size_t len = 0;
	int hit;

	*out = NULL;
	hit = vl_cache_get_via(cache, rd, src, f, flags, out, err);
	if (hit != 0)
		return hit < 0 ? -1 : 0;
	if (vl_source_read(src, file, &buf, &len, err) < 0)
		return 1;
	vl_fingerprint(content, buf, len);
	/* its stat data changed, not its bytes (a touch, a fresh checkout
	 * whose cache was kept): the cache's note of them, not a parse */
	hit = vl_cache_get_by_bytes(cache, rd, src, f, content, out, err);
	if (hit == 0 && vl_note_parse_ex(out, f->path, buf, len, VL_PARSE_NO_ENTRIES, err) < 0)
		hit = -1;
	free(buf);
	if (hit < 0)
		return -1;
	memcpy((*out)->content, content, sizeof(content));
	/* a summary is wanted: the cache's copy of the note serves it, and
	 * the note whole later (VL_CACHE_AGAIN), so the run holds no more of
	 * the notes it parsed than of those it found in the cache */
	if (vl_cache_put_ex(cache, src, f, *out, flags & VL_CACHE_SUMMARY, &summary, err) < 0)
		return -1;
	if (summary != NULL) {
		vl_note_free(*out);
		*out = summary;
	}
	return 0;
}

static int load_one(size_t i, int slot, void *payload)
{
	load_ctx *lc = payload;
	vl_source *src = lc->vault->src;
	const vl_file *f = &src->files[lc->note_files[i]];
	vl_error e;
	int r;

	if (lc->vault->shared && lc->vault->shared[i])
		return 0;
	r = vl_vault_read_note(&lc->vault->notes[i], src, lc->note_files[i], lc->cache,
		&lc->rd[slot], lc->lazy || (lc->full && !vl_map_get(lc->full, f->path)) ?
		VL_CACHE_SUMMARY : 0, &e);
	if (r > 0) {
		/* an unreadable note is a finding, not a failure of the run;
		 * the source's message says what could not be read and why
		 * ("cannot read 'X': ...", "refusing to read 'X': ...").
		 * It is still a note: a stand-in with nothing read (unread)
		 * is what links to it open, so that they are neither broken
		 * nor said to miss a heading or block id no one could read. */
		vl_note *stand_in = vl_note_new(f->path);

		if (stand_in == NULL) {
			pthread_mutex_lock(&lc->err_lock);
			vl_error_set(lc->err, "out of memory");
			pthread_mutex_unlock(&lc->err_lock);
			return -1;
		}
		stand_in->unread = 1;
		lc->vault->notes[i] = stand_in;
		return vl_diags_add(&lc->per_thread[slot], f->path, 0, 0, "invalid-input",
			VL_SEV_WARNING, "%s", e.msg);
	}
	if (r < 0) {
		pthread_mutex_lock(&lc->err_lock);
		*lc->err = e;
		pthread_mutex_unlock(&lc->err_lock);
		return -1;
	}
	return 0;
}

typedef struct scan_ctx {
	vl_source *src;
	vl_cache *cache;
	const size_t *note_files;
	unsigned char *hit;
	int (*want)(const vl_note *note, void *payload);
	void *payload;
	vl_cache_reader rd[VL_MAX_THREADS];
	pthread_mutex_t err_lock;
	vl_error *err;
} scan_ctx;

static int scan_one(size_t i, int slot, void *payload)
{
	scan_ctx *sc = payload;
	vl_note *note = NULL;
	vl_error e;
	int r = vl_vault_read_note(&note, sc->src, sc->note_files[i], sc->cache, &sc->rd[slot],
		VL_CACHE_LINKS, &e);

	if (r < 0) {
		pthread_mutex_lock(&sc->err_lock);
		*sc->err = e;
		pthread_mutex_unlock(&sc->err_lock);
		return -1;
	}
	if (r == 0 && sc->want(note, sc->payload))
		sc->hit[i] = 1;
	vl_note_free(note);
	return 0;
}

int vl_vault_scan(unsigned char *hit, vl_source *src, int threads, vl_cache *cache,
	int (*want)(const vl_note *note, void *payload), void *payload, vl_error *err)
{
	scan_ctx sc;
	size_t *files = malloc((src->n_files + 1) * sizeof(*files)), i, n = 0;
	int t, rc = -1;

	if (files == NULL)
		return vl_error_set(err, "out of memory");
	for (i = 0; i < src->n_files; i++)
		if (src->files[i].is_note)
			files[n++] = i;
	memset(&sc, 0, sizeof(sc));
	sc.src = src;
	sc.cache = cache;
	sc.note_files = files;
	sc.hit = hit;
	sc.want = want;
	sc.payload = payload;
	sc.err = err;
	pthread_mutex_init(&sc.err_lock, NULL);
	if (vl_cache_begin(cache, src, err) == 0 &&
	    vl_run_pool_runs(n, vl_lint_threads(threads), scan_one, &sc) == 0)
		rc = 0;
	pthread_mutex_destroy(&sc.err_lock);
	for (t = 0; t < VL_MAX_THREADS; t++)
		vl_cache_reader_release(&sc.rd[t]);
	free(files);
	return rc;
}

int vl_vault_load(vl_vault **out, vl_source *src, int threads, vl_cache *cache,
	vl_error *err)
{
	return vl_vault_load_ex(out, src, NULL, NULL, threads, cache, err);
}

/* For each note of v (by its file in src), the note of base with the same
 * path and blob id, marking it shared: a whole one, or a summary where v
 * wants one (full); others are left NULL to be read. */
static int share_notes(vl_vault *v, const size_t *note_files, const vl_vault *base,
	const vl_map *full)
{
	long *base_note;
	size_t i, k;

	base_note = malloc((base->src->n_files + 1) * sizeof(*base_note));
	v->shared = calloc(v->n_notes + 1, 1);
	if (!base_note || !v->shared) {
		free(base_note);
		return -1;
	}
	for (i = k = 0; i < base->src->n_files; i++)
		base_note[i] = base->src->files[i].is_note ? (long)k++ : -1;
	for (i = 0; i < v->n_notes; i++) {
		const vl_file *f = &v->src->files[note_files[i]];
		long j = f->oid[0] ? vl_source_find(base->src, f->path) : -1;

		/* a summary serves where one is wanted */
		if (j >= 0 && base_note[j] >= 0 &&
		    strcmp(base->src->files[j].oid, f->oid) == 0 &&
		    base->notes[base_note[j]] != NULL &&
		    (!base->notes[base_note[j]]->summary ||
		    (full != NULL && vl_map_get(full, f->path) == NULL))) {
			v->notes[i] = base->notes[base_note[j]];
			v->shared[i] = 1;
		}
	}
	free(base_note);
	return 0;
}

/* A new vault over src with no note yet: one slot per note file, and the
 * problems met while listing src. NULL when out of memory. */
static vl_vault *vault_alloc(vl_source *src)
{
	vl_vault *v = calloc(1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	v->src = src;
	for (i = 0; i < src->n_files; i++)
		if (src->files[i].is_note)
			v->n_notes++;
	v->notes = calloc(v->n_notes + 1, sizeof(*v->notes));
	if (!v->notes)
		goto fail;
	for (i = 0; i < src->n_problems; i++)
		if (vl_diags_add(&v->read_problems, src->problems[i].path, 0, 0,
		    "invalid-input", VL_SEV_WARNING, "%s", src->problems[i].message) < 0)
			goto fail;
	return v;
fail:
	vl_vault_free(v);
	return NULL;
}

int vl_vault_new(vl_vault **out, vl_source *src, vl_note **notes, unsigned char *shared,
	const char *const *stubs, vl_error *err)
{
	vl_vault *v = vault_alloc(src);
	size_t i, n = 0;

	*out = NULL;
	if (!v) {
		for (i = 0; i < src->n_files; i++)
			n += src->files[i].is_note != 0;
		for (i = 0; i < n; i++)
			if (!shared || !shared[i])
				vl_note_free(notes[i]);
		free(notes);
		free(shared);
		return vl_error_set(err, "out of memory");
	}
	free(v->notes);
	v->notes = notes;
	v->shared = shared;
	if (vl_index_new_ex(&v->index, v->notes, stubs, v->n_notes, src, err) < 0) {
		vl_vault_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static int load_vault(vl_vault **out, vl_source *src, const vl_vault *base,
	const vl_map *full, int lazy, int threads, vl_cache *cache, vl_error *err)
{
	vl_vault *v;
	load_ctx lc;
	size_t i, k;
	int t, nt = vl_lint_threads(threads), rc = -1;

	*out = NULL;
	memset(&lc, 0, sizeof(lc));
	v = vault_alloc(src);
	if (!v)
		return vl_error_set(err, "out of memory");
	lc.note_files = calloc(v->n_notes + 1, sizeof(*lc.note_files));
	if (!lc.note_files) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = k = 0; i < src->n_files; i++)
		if (src->files[i].is_note)
			lc.note_files[k++] = i;
	if (base && share_notes(v, lc.note_files, base, full) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (vl_cache_begin(cache, src, err) < 0)
		goto done;
	lc.vault = v;
	lc.cache = cache;
	lc.full = full;
	lc.lazy = lazy && cache != NULL;
	lc.err = err;
	pthread_mutex_init(&lc.err_lock, NULL);
	/* in runs of the listing: each thread reads the cache in order */
	if (vl_run_pool_runs(v->n_notes, nt, load_one, &lc) < 0) {
		pthread_mutex_destroy(&lc.err_lock);
		goto done;
	}
	pthread_mutex_destroy(&lc.err_lock);
	for (t = 0; t < nt; t++)
		if (vl_diags_append(&v->read_problems, &lc.per_thread[t]) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
	if (vl_index_new(&v->index, v->notes, v->n_notes, src, err) < 0)
		goto done;
	if (lc.lazy) {
		v->lazy_cache = cache;
		v->note_files = lc.note_files;
		lc.note_files = NULL;
	}
	*out = v;
	v = NULL;
	rc = 0;
done:
	for (t = 0; t < VL_MAX_THREADS; t++) {
		vl_diags_release(&lc.per_thread[t]);
		vl_cache_reader_release(&lc.rd[t]);
	}
	free(lc.note_files);
	vl_vault_free(v);
	return rc;
}

int vl_vault_load_ex(vl_vault **out, vl_source *src, const vl_vault *base,
	const vl_map *full, int threads, vl_cache *cache, vl_error *err)
{
	return load_vault(out, src, base, full, 0, threads, cache, err);
}

int vl_vault_load_lazy(vl_vault **out, vl_source *src, int threads, vl_cache *cache,
	vl_error *err)
{
	return load_vault(out, src, NULL, NULL, 1, threads, cache, err);
}

void vl_vault_free(vl_vault *vault)
{
	size_t i;

	if (!vault)
		return;
	vl_index_free(vault->index);
	for (i = 0; vault->notes != NULL && i < vault->n_notes; i++)
		if (!vault->shared || !vault->shared[i])
			vl_note_free(vault->notes[i]);
	free(vault->notes);
	free(vault->shared);
	free(vault->note_files);
	vl_diags_release(&vault->read_problems);
	free(vault);
}

void vl_reach_free(vl_reach *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].notes);
		free(r[i].refs);
		free(r[i].names);
		free(r[i].missing);
	}
	free(r);
}

/* ---- linting ---- */

typedef struct lint_ctx {
	const vl_vault *vault;
	const vl_lint_opts *opts;
	vl_diags per_thread[VL_MAX_THREADS];
	/* each thread's resolutions of the note it checks, reused */
	vl_resolution *resolved[VL_MAX_THREADS];
	uint32_t *hints[VL_MAX_THREADS];  /* vl_rule_ctx.hints, when reach is kept */
	size_t cap_resolved[VL_MAX_THREADS];
	atomic_int summary_linted;
	pthread_mutex_t err_lock;
	vl_error fail;            /* why a note could not be checked */
	int failed;
	/* notes of a lazy vault that could not be read whole again, per
	 * thread: reported at the end like the load's read problems */
	vl_diags unread[VL_MAX_THREADS];
	atomic_int unread_any;
	vl_cache_reader rd[VL_MAX_THREADS];
} lint_ctx;

static int wanted(const vl_lint_opts *opts, const char *path)
{
	if (!opts->only)
		return 1;
	return bsearch(&path, opts->only, opts->n_only, sizeof(*opts->only), vl_cmp_str) != NULL;
}

static int reach_add(vl_reach *r, const vl_note *note)
{
	size_t i;

	if (note == NULL)
		return 0;
	for (i = r->n; i > 0 && i + 8 > r->n; i--)
		if (r->notes[i - 1] == note)
			return 0;
	return VL_PUSH(r->notes, r->n, r->cap, note);
}

/* Records in out the notes that a note's resolved links reach: the note
 * opened, and for an ambiguous name every candidate (what a rule may look
 * into). Recent duplicates are skipped; others may stay. */
static int add_reach(vl_reach *out, const vl_resolution *res, size_t n)
{
	size_t i, j, most = out->n;

	/* a run keeps the reach of every note: room for all the notes the
	 * links may reach (a few repeats aside), not a doubling */
	for (i = 0; i < n; i++)
		if (res[i].kind == VL_RESOLVE_NOTE || res[i].kind == VL_RESOLVE_SELF ||
		    res[i].kind == VL_RESOLVE_AMBIGUOUS)
			most += 1 + (res[i].kind != VL_RESOLVE_AMBIGUOUS ? 0 :
				res[i].n_candidates < VL_MAX_CANDIDATES ? res[i].n_candidates :
				VL_MAX_CANDIDATES);
	if (most > out->cap) {
		const vl_note **v = realloc(out->notes, most * sizeof(*v));

		if (v == NULL)
			return -1;
		out->notes = v;
		out->cap = most;
	}
	for (i = 0; i < n; i++) {
		const vl_resolution *r = &res[i];

		if (r->kind != VL_RESOLVE_NOTE && r->kind != VL_RESOLVE_SELF &&
		    r->kind != VL_RESOLVE_AMBIGUOUS)
			continue;
		if (reach_add(out, r->note) < 0)
			return -1;
		for (j = 0; r->kind == VL_RESOLVE_AMBIGUOUS && j < r->n_candidates &&
		    j < VL_MAX_CANDIDATES; j++)
			if (reach_add(out, r->candidates[j]) < 0)
				return -1;
	}
	return 0;
}

/* The hashes of the block ids that note's links name, into r. */
static int add_refs(vl_reach *r, const vl_note *note)
{
	size_t i, n = 0;

	for (i = 0; i < note->n_links; i++)
		n += note->links[i].block != NULL;
	free(r->refs);
	r->refs = NULL;
	r->n_refs = 0;
	if (n == 0)
		return 0;
	r->refs = malloc(n * sizeof(*r->refs));
	if (r->refs == NULL)
		return -1;
	for (i = 0; i < note->n_links; i++)
		if (note->links[i].block != NULL)
			r->refs[r->n_refs++] = vl_hash_lower(note->links[i].block);
	return 0;
}

/* The names that the resolutions res of note's links looked up and
 * that their findings gave as hints, into r (sorted, each once), whether
 * a resolution looked up more (see vl_reach.relist), and the targets
 * that reach nothing. */
static int add_names(vl_reach *r, const vl_note *note, const vl_resolution *res,
	const uint32_t *hints)
{
	size_t i, k, n = note->n_links, total = 0, bytes = 0;

	free(r->names);
	free(r->missing);
	r->names = NULL;
	r->missing = NULL;
	r->n_names = r->n_missing = r->missing_len = 0;
	r->relist = 0;
	for (i = 0; i < n; i++) {
		total += res[i].n_probes + ((hints[i] & VL_HINT_SET) != 0);
		r->relist |= res[i].probes_over;
		if (res[i].kind == VL_RESOLVE_MISSING)
			bytes += strlen(note->links[i].target) + 1;
	}
	if (bytes > 0) {
		r->missing = malloc(bytes);
		if (r->missing == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			size_t len;

			if (res[i].kind != VL_RESOLVE_MISSING)
				continue;
			len = strlen(note->links[i].target) + 1;
			memcpy(r->missing + r->missing_len, note->links[i].target, len);
			r->missing_len += len;
			r->n_missing++;
		}
	}
	if (total == 0)
		return 0;
	r->names = malloc(total * sizeof(*r->names));
	if (r->names == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < res[i].n_probes; k++)
			r->names[r->n_names++] = res[i].probes[k];
		if (hints[i] & VL_HINT_SET)
			r->names[r->n_names++] = hints[i] & ~VL_HINT_SET;
	}
	/* a note looks up a few names: sorted in place, qsort past that */
	if (r->n_names > 32) {
		qsort(r->names, r->n_names, sizeof(*r->names), vl_cmp_u32);
	} else {
		for (i = 1; i < r->n_names; i++) {
			uint32_t x = r->names[i];

			for (k = i; k > 0 && r->names[k - 1] > x; k--)
				r->names[k] = r->names[k - 1];
			r->names[k] = x;
		}
	}
	for (i = k = 0; i < r->n_names; i++)
		if (k == 0 || r->names[k - 1] != r->names[i])
			r->names[k++] = r->names[i];
	r->n_names = k;
	return 0;
}

static int lint_fail(lint_ctx *lc, const vl_error *e)
{
	pthread_mutex_lock(&lc->err_lock);
	lc->fail = *e;
	lc->failed = 1;
	pthread_mutex_unlock(&lc->err_lock);
	return -1;
}

/* Where note i's reach goes (vl_lint_opts.reach), or NULL. */
static vl_reach *reach_of(const vl_lint_opts *o, size_t i)
{
	if (o->reach == NULL)
		return NULL;
	if (o->reach_at == NULL)
		return &o->reach[i];
	return o->reach_at[i] > 0 ? &o->reach[o->reach_at[i] - 1] : NULL;
}

/* Runs the rules over note, which is the vault's note i (indexed) or,
 * for a lazy vault, that note read whole: links resolve from the indexed
 * one, so that a link into the note itself finds the index's record. */
static int lint_note(lint_ctx *lc, size_t i, int slot, const vl_note *indexed,
	const vl_note *note)
{
	vl_rule_ctx rc;
	vl_reach *reach = reach_of(lc->opts, i);
	size_t r;

	memset(&rc, 0, sizeof(rc));
	rc.note = note;
	rc.index = lc->vault->index;
	rc.config = lc->opts->config;
	rc.out = &lc->per_thread[slot];
	/* resolve each link once; several rules read the result */
	if (note->n_links > lc->cap_resolved[slot]) {
		vl_resolution *p = realloc(lc->resolved[slot], note->n_links * sizeof(*p));
		uint32_t *h;

		if (!p)
			return -1;
		lc->resolved[slot] = p;
		h = realloc(lc->hints[slot], note->n_links * sizeof(*h));
		if (!h)
			return -1;
		lc->hints[slot] = h;
		lc->cap_resolved[slot] = note->n_links;
	}
	if (reach && note->n_links > 0) {
		memset(lc->hints[slot], 0, note->n_links * sizeof(*lc->hints[slot]));
		rc.hints = lc->hints[slot];
	}
	for (r = 0; r < note->n_links; r++) {
		vl_resolution *res = &lc->resolved[slot][r];

		if (note->links[r].kind == VL_LINK_URL) {
			res->kind = VL_RESOLVE_EXTERNAL;
			res->n_probes = 0;
			res->probes_over = 0;
		} else {
			vl_index_resolve(rc.index, indexed, &note->links[r], res);
		}
	}
	rc.resolved = lc->resolved[slot];
	if (reach && (add_reach(reach, lc->resolved[slot], note->n_links) < 0 ||
	    add_refs(reach, note) < 0))
		return -1;
	for (r = 0; r < vl_rules_count; r++) {
		vl_severity sev = lc->opts->config ? lc->opts->config->severity[r] :
			vl_rules[r].default_severity;
		if (sev == VL_SEV_OFF)
			continue;
		rc.rule = &vl_rules[r];
		rc.severity = sev;
		if (vl_rules[r].check(&rc) < 0)
			return -1;
	}
	/* after the rules: the hints are their findings' */
	if (reach && add_names(reach, note, lc->resolved[slot], rc.hints) < 0)
		return -1;
	return 0;
}

/* Checks note i. A note of a lazy vault held for the index only is read
 * whole for the check and let go after. */
static int lint_one(size_t i, int slot, void *payload)
{
	lint_ctx *lc = payload;
	const vl_vault *v = lc->vault;
	const vl_note *note;
	vl_note *whole = NULL;
	vl_error e;
	int r;

	if (lc->opts->check != NULL && !lc->opts->check[i])
		return 0;
	note = v->notes[i];
	/* a stub not made (vl_index_new_ex) has no path: never checked */
	if (!note || note->path == NULL || !wanted(lc->opts, note->path))
		return 0;
	if (note->summary && v->lazy_cache == NULL) {
		/* a caller's bug: its findings would be wrong, so none at all */
		atomic_store(&lc->summary_linted, 1);
		return -1;
	}
	if (!note->summary)
		return lint_note(lc, i, slot, note, note);
	r = vl_vault_read_note(&whole, v->src, v->note_files[i], v->lazy_cache,
		&lc->rd[slot], VL_CACHE_AGAIN, &e);
	if (r > 0) {
		/* gone from the cache and unreadable since it was loaded */
		atomic_store(&lc->unread_any, 1);
		return vl_diags_add(&lc->unread[slot], note->path, 0, 0, "invalid-input",
			VL_SEV_WARNING, "%s", e.msg);
	}
	if (r < 0)
		return lint_fail(lc, &e);
	r = lint_note(lc, i, slot, note, whole);
	vl_note_free(whole);
	return r;
}

int vl_lint_run(vl_diags *out, const vl_vault *vault, const vl_lint_opts *opts,
	vl_error *err)
{
	lint_ctx lc;
	int t, nt = vl_lint_threads(opts->threads), rc = -1;
	int ri = vl_rule_index("invalid-input");
	vl_severity input_sev = VL_SEV_WARNING;
	size_t i;

	memset(&lc, 0, sizeof(lc));
	lc.vault = vault;
	lc.opts = opts;
	pthread_mutex_init(&lc.err_lock, NULL);
	if (ri >= 0 && opts->config)
		input_sev = opts->config->severity[ri];
	atomic_init(&lc.summary_linted, 0);
	atomic_init(&lc.unread_any, 0);
	if (vl_run_pool_runs(vault->n_notes, nt, lint_one, &lc) < 0) {
		if (lc.failed)
			vl_error_set(err, "%s", lc.fail.msg);
		else
			vl_error_set(err, atomic_load(&lc.summary_linted) ?
				"internal error: a note loaded for the index only was to be checked" :
				"out of memory while checking notes");
		goto done;
	}
	for (t = 0; t < nt; t++)
		if (vl_diags_append(out, &lc.per_thread[t]) < 0)
			goto oom;
	if (opts->unread && atomic_load(&lc.unread_any))
		*opts->unread = 1;
	/* files that could not be read or listed */
	for (t = 0; t <= nt; t++) {
		const vl_diags *from = t < nt ? &lc.unread[t] : &vault->read_problems;

		for (i = 0; input_sev != VL_SEV_OFF && i < from->len; i++) {
			const vl_diag *d = &from->items[i];
			if (!wanted(opts, d->path))
				continue;
			if (vl_diags_add(out, d->path, d->line, d->col, d->rule, input_sev,
			    "%s", d->message) < 0)
				goto oom;
		}
	}
	vl_diags_sort(out);
	rc = 0;
	goto done;
oom:
	vl_error_set(err, "out of memory");
done:
	for (t = 0; t < VL_MAX_THREADS; t++) {
		vl_diags_release(&lc.per_thread[t]);
		vl_diags_release(&lc.unread[t]);
		vl_cache_reader_release(&lc.rd[t]);
		free(lc.resolved[t]);
		free(lc.hints[t]);
	}
	pthread_mutex_destroy(&lc.err_lock);
	return rc;
}
