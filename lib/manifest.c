// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manifest: what a build made, per branch and per patch, committed
 * under refs/quiltsync/manifest in the same ref update as the branches
 * (build.c), one commit per build on the previous build's. The format is
 * quiltsync-manifest(5); manifest-read.c reads it back.
 *
 * A build that moved no branch and whose branches say what the previous
 * manifest says (failures included) writes none: then `built` and
 * `unchanged` are the only difference, and "unchanged since the last
 * manifest" is what the old one already says.
 */
#include "internal.h"
#include "build-internal.h"
#include "commit.h"
#include "json-write.h"

#include <time.h>

#define MANIFEST_FORMAT 1

/* Which branches hold which patch: the index of each patch entry by series line. */
struct holdings {
	size_t *by_line;	/* series line -> patch index + 1; 0: none */
	size_t nlines;
	const qs_series_entry **patches;
	const struct qs__plan_branch **tree_of;	/* each patch's tree branch */
	size_t npatches;
};

/* The report's word, but "built" for created and updated: a state, not a move. */
static const char *status_word(const struct qs_build_branch *br)
{
	if (br->status == QS_BRANCH_CREATED || br->status == QS_BRANCH_UPDATED)
		return "built";
	return qs__report_status_word(br->status);
}

/* A branch whose ref names what the build made: it holds its commits. */
static int holds(const struct qs_build_branch *br)
{
	return br->status == QS_BRANCH_CREATED || br->status == QS_BRANCH_UPDATED ||
	       br->status == QS_BRANCH_UNCHANGED;
}

/* The ref's commit after this build: new when made, else the old one. */
static const git_oid *tip_of(const struct qs_build_branch *br)
{
	if (br->has_new)
		return &br->new;
	return br->has_old ? &br->old : NULL;
}

static void oid_json(struct json *j, const char *key, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (!id) {
		json_kv_string(j, key, NULL);
		return;
	}
	git_oid_tostr(hex, sizeof(hex), id);
	json_kv_string(j, key, hex);
}

static const char *start_kind(const struct qs__start *s)
{
	switch (s->kind) {
	case QS__START_BASE: return "base";
	case QS__START_UPSTREAM: return "upstream";
	case QS__START_REMOTE: return "remote";
	default: return "branch";
	}
}

static void start_json(struct json *j, struct build_ctx *c,
		       const struct qs__start *s, const git_oid *id)
{
	json_object_begin(j);
	json_kv_string(j, "kind", start_kind(s));
	json_kv_string(j, "name", s->kind == QS__START_BASE ? c->b->base_name :
			  s->kind == QS__START_UPSTREAM ? "upstream" :
			  s->kind == QS__START_REMOTE ? s->ref : s->branch);
	json_kv_string(j, "url", s->kind == QS__START_REMOTE ? s->url : NULL);
	oid_json(j, "id", id);
	json_object_end(j);
}

/* What a branch started from: its plan's starts; a stacked series, the branch below. */
static void starts_json(struct json *j, struct build_ctx *c,
			const struct qs_build_branch *br)
{
	const struct qs__plan_branch *pb = br->plan;
	size_t i;

	json_key(j, "on");
	json_array_begin(j);
	if (pb && br->kind == QS_BRANCH_SERIES && br->depends_on && holds(br)) {
		const struct qs_build_branch *dep = qs__report_find(c->b, br->depends_on);
		struct qs__start below = { QS__START_BRANCH, br->depends_on, NULL,
					   NULL, NULL, { 0, 0 } };

		start_json(j, c, &below, dep ? tip_of(dep) : NULL);
	} else if (pb && br->kind == QS_BRANCH_SERIES) {
		start_json(j, c, &pb->on[0], &c->base);
	} else {
		for (i = 0; pb && i < pb->non; i++)
			start_json(j, c, &pb->on[i],
				   br->start_known && br->start_known[i] ?
				   &br->start_ids[i] : NULL);
	}
	json_array_end(j);
}

static void error_json(struct json *j, const struct qs_build_branch *br)
{
	json_key(j, "error");
	if (!br->error || holds(br)) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_kv_string(j, "message", br->error);
	json_kv_string(j, "patch", br->failed_entry ? qs_entry_name(br->failed_entry) : NULL);
	json_key(j, "line");
	if (br->failed_entry)
		json_int(j, (int64_t)qs_entry_line(br->failed_entry));
	else
		json_null(j);
	json_kv_string(j, "file", br->failed_file);
	json_key(j, "hunk");
	if (br->failed_hunk)
		json_int(j, (int64_t)br->failed_hunk);
	else
		json_null(j);
	json_object_end(j);
}

static void branches_json(struct json *j, struct build_ctx *c)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; i < c->b->nbranches; i++) {
		const struct qs_build_branch *br = c->b->branches[i];
		const struct qs__plan_branch *pb = br->plan;

		json_object_begin(j);
		json_kv_string(j, "name", br->name);
		json_kv_string(j, "kind", br->kind == QS_BRANCH_TREE ? "tree" :
				  br->kind == QS_BRANCH_SERIES ? "series" : "integration");
		json_kv_string(j, "mode", br->mode == QS_BRANCH_APPEND ? "append" : "rebuild");
		json_kv_string(j, "section", pb ? pb->section_name : NULL);
		json_kv_string(j, "series", pb && pb->set ? qs_patchset_title(pb->set) : NULL);
		json_kv_string(j, "slug", pb && pb->set ? qs_patchset_slug(pb->set) : NULL);
		starts_json(j, c, br);
		oid_json(j, "tip", tip_of(br));
		json_kv_string(j, "status", status_word(br));
		json_kv_bool(j, "stale", qs__report_stale(br));
		json_kv_bool(j, "publish", !br->unpublished);
		json_kv_string(j, "depends_on", br->depends_on);
		json_kv_int(j, "patches", (int64_t)br->patches);
		error_json(j, br);
		json_object_end(j);
	}
	json_array_end(j);
	json_end_document(j);
}

/*
 * Every patch entry of the sections the tree branches take, in file
 * order, which is not the order of the branches when a section comes in
 * parts (the mmotm convention) or the config lists them out of order.
 */
static int holdings_make(struct holdings *h, struct build_ctx *c)
{
	const qs_series *series = qs_queue_series(c->queue);
	size_t i, k, lines = 0;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < c->plan->n; i++) {
		const struct qs__plan_branch *pb = &c->plan->v[i];

		if (pb->kind == QS_BRANCH_TREE)
			lines += qs_section_entry_count(pb->section);
	}
	h->nlines = qs_series_entry_count(series) + 1;
	for (i = 0; i < qs_series_entry_count(series); i++) {
		size_t line = qs_entry_line(qs_series_entry_byindex(series, i));

		if (line + 1 > h->nlines)
			h->nlines = line + 1;
	}
	h->by_line = qs__calloc(h->nlines, sizeof(*h->by_line));
	h->patches = qs__calloc(lines + 1, sizeof(*h->patches));
	h->tree_of = qs__calloc(lines + 1, sizeof(*h->tree_of));
	if (!h->by_line || !h->patches || !h->tree_of)
		return QS_ENOMEM;
	/* first the tree branch of each line (its plan index + 1)... */
	for (i = 0; i < c->plan->n; i++) {
		const struct qs__plan_branch *pb = &c->plan->v[i];

		if (pb->kind != QS_BRANCH_TREE)
			continue;
		for (k = 0; k < qs_section_entry_count(pb->section); k++) {
			const qs_series_entry *e = qs_section_entry_byindex(pb->section, k);
			qs_entry_kind kind = qs_entry_kind_of(e);
			size_t line = qs_entry_line(e);

			/* two branches may take one section: it is listed once */
			if ((kind == QS_ENTRY_PATCH || kind == QS_ENTRY_COMMITTED) &&
			    line < h->nlines && !h->by_line[line])
				h->by_line[line] = i + 1;
		}
	}
	/* ...then the patches in file order, and each line's patch index + 1 */
	for (i = 0; i < qs_series_entry_count(series); i++) {
		const qs_series_entry *e = qs_series_entry_byindex(series, i);
		size_t line = qs_entry_line(e);

		if (line >= h->nlines || !h->by_line[line])
			continue;
		h->patches[h->npatches] = e;
		h->tree_of[h->npatches] = &c->plan->v[h->by_line[line] - 1];
		h->by_line[line] = ++h->npatches;
	}
	return 0;
}

static void holdings_clear(struct holdings *h)
{
	free(h->by_line);
	free(h->patches);
	free(h->tree_of);
}

/*
 * Which branch holds which patch, found once for all patches: each
 * branch's own commits by patch, and, for the branches that build on
 * others (stacked series, tree branches on tree branches, integrations),
 * which ones, in build order, which puts what a branch needs before it.
 */
struct own {
	size_t branch;
	const struct patch_commit *pc;
	size_t position;	/* 1-based among the branch's commits */
};

struct dependent {
	size_t branch;
	size_t *upon;		/* indices of the branches it starts from or merges */
	size_t nupon;
};

struct held_index {
	struct own *own;	/* grouped by patch: own[first[p] .. first[p + 1]) */
	size_t *first;
	struct dependent *deps;
	size_t ndeps;
	size_t *upon_pool;
};

/* Whether `br` starts from, stacks on or merges the branch `name`. */
static int is_upon(const struct qs_build_branch *br, const char *name)
{
	const struct qs__plan_branch *pb = br->plan;
	size_t i;

	if (br->kind == QS_BRANCH_SERIES)
		return br->depends_on && !strcmp(br->depends_on, name);
	for (i = 0; pb && i < pb->non; i++)
		if (pb->on[i].kind == QS__START_BRANCH && !strcmp(pb->on[i].branch, name))
			return 1;
	return 0;
}

static void held_index_clear(struct held_index *x)
{
	free(x->own);
	free(x->first);
	free(x->deps);
	free(x->upon_pool);
}

static int held_index_make(struct held_index *x, struct build_ctx *c,
			   const struct holdings *h)
{
	size_t b, k, n = 0, nupon = 0, *fill = NULL;
	int ret = 0;

	memset(x, 0, sizeof(*x));
	for (b = 0; b < c->b->nbranches; b++) {
		const struct qs_build_branch *br = c->b->branches[b];

		n += br->ncommits;
		nupon += br->plan ? br->plan->non + 1 : 0;
	}
	x->own = qs__calloc(n + 1, sizeof(*x->own));
	x->first = qs__calloc(h->npatches + 2, sizeof(*x->first));
	fill = qs__calloc(h->npatches + 1, sizeof(*fill));
	x->deps = qs__calloc(c->b->nbranches + 1, sizeof(*x->deps));
	x->upon_pool = qs__calloc(nupon + 1, sizeof(*x->upon_pool));
	if (!x->own || !x->first || !fill || !x->deps || !x->upon_pool) {
		ret = QS_ENOMEM;
		goto done;
	}
	/* counting sort of every branch's commits by patch */
	for (b = 0; b < c->b->nbranches; b++) {
		const struct qs_build_branch *br = c->b->branches[b];

		for (k = 0; k < br->ncommits; k++) {
			size_t line = qs_entry_line(br->commits[k].entry);

			if (line < h->nlines && h->by_line[line])
				x->first[h->by_line[line]]++;
		}
	}
	for (k = 1; k <= h->npatches + 1; k++)
		x->first[k] += x->first[k - 1];
	for (b = 0; b < c->b->nbranches; b++) {
		const struct qs_build_branch *br = c->b->branches[b];

		for (k = 0; k < br->ncommits; k++) {
			size_t line = qs_entry_line(br->commits[k].entry), p;
			struct own *o;

			if (line >= h->nlines || !h->by_line[line])
				continue;
			p = h->by_line[line] - 1;
			o = &x->own[x->first[p] + fill[p]++];
			o->branch = b;
			o->pc = &br->commits[k];
			o->position = k + 1;
		}
	}
	/* the branches that build on others, and on which */
	nupon = 0;
	for (b = 0; b < c->b->nbranches; b++) {
		const struct qs_build_branch *br = c->b->branches[b];
		struct dependent *d = &x->deps[x->ndeps];

		if (!holds(br))
			continue;
		d->branch = b;
		d->upon = x->upon_pool + nupon;
		for (k = 0; k < b; k++) {
			if (is_upon(br, c->b->branches[k]->name))
				d->upon[d->nupon++] = k;
		}
		nupon += d->nupon;
		x->ndeps += d->nupon > 0;
	}
done:
	free(fill);
	return ret;
}

/*
 * The commits of patch `p` in every branch that holds it: those it has
 * itself, then every branch that starts from, stacks on or merges a
 * holder, with that commit (position 0: inherited).
 */
struct held {
	const git_oid *commit;	/* NULL: not held */
	size_t position;
};

static void held_of(struct held *held, const struct held_index *x,
		    const struct build_ctx *c, size_t p)
{
	size_t i, k;

	for (i = x->first[p]; i < x->first[p + 1]; i++) {
		const struct own *o = &x->own[i];

		if (holds(c->b->branches[o->branch])) {
			held[o->branch].commit = &o->pc->commit;
			held[o->branch].position = o->position;
		}
	}
	for (i = 0; i < x->ndeps; i++) {
		const struct dependent *d = &x->deps[i];

		for (k = 0; k < d->nupon && !held[d->branch].commit; k++)
			held[d->branch].commit = held[d->upon[k]].commit;
	}
}

/* Forget patch `p`'s holders, for the next: only what held_of set. */
static void held_clear(struct held *held, const struct held_index *x, size_t p)
{
	size_t i;

	for (i = x->first[p]; i < x->first[p + 1]; i++)
		held[x->own[i].branch].commit = NULL;
	for (i = 0; i < x->ndeps; i++)
		held[x->deps[i].branch].commit = NULL;
}

static const char *const how_words[] = {
	[PATCH_CLEAN] = "clean", [PATCH_OFFSET] = "offset", [PATCH_FUZZ] = "fuzz",
	[PATCH_3WAY] = "3-way", [PATCH_COMMITTED] = "committed",
};

/* How the patch fared on its tree branch. */
static void applied_json(struct json *j, const qs_series_entry *e,
			 const struct patch_commit *pc,
			 const struct qs_build_branch *tree)
{
	const char *how, *error = NULL;

	if (pc)
		how = how_words[pc->how];
	else if (qs_entry_kind_of(e) == QS_ENTRY_COMMITTED)
		how = "committed";
	else if (tree && tree->failed_entry == e) {
		how = "failed";
		error = tree->error;
	} else if (tree && holds(tree))
		how = "empty";	/* quilt pushes it, git am makes no commit */
	else
		how = "not-reached";
	json_key(j, "applied");
	json_object_begin(j);
	json_kv_string(j, "how", how);
	json_kv_int(j, "offset", pc ? (int64_t)pc->offset : 0);
	json_kv_int(j, "fuzz", pc ? pc->fuzz : 0);
	json_kv_string(j, "error", error);
	json_object_end(j);
}

static void date_json(struct json *j, const qs_mail *mail)
{
	int64_t t;
	int off;
	time_t shifted;
	struct tm tm;
	char text[64];

	if (!mail || qs_mail_time(&t, &off, mail) < 0) {
		qs_error_clear();
		json_kv_string(j, "date", NULL);
		return;
	}
	shifted = (time_t)(t + (int64_t)off * 60);
	if (!gmtime_r(&shifted, &tm)) {
		json_kv_string(j, "date", NULL);
		return;
	}
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', abs(off) / 60,
		 abs(off) % 60);
	json_kv_string(j, "date", text);
}

static void mail_json(struct json *j, const qs_patch *p, const qs_series_entry *e)
{
	const qs_mail *mail = p ? qs_patch_mail(p) : NULL;
	const qs_diff *diff = p ? qs_patch_diff(p) : NULL;
	size_t i, n;

	json_kv_string(j, "blob", p ? qs_patch_content_id(p) : NULL);
	json_kv_string(j, "message_id", mail ? qs_mail_message_id(mail) : NULL);
	json_kv_string(j, "subject", mail ? qs_mail_subject(mail) : NULL);
	json_key(j, "author");
	json_object_begin(j);
	json_kv_string(j, "name", mail ? qs_mail_author_name(mail) : NULL);
	json_kv_string(j, "email", mail ? qs_mail_author_email(mail) : NULL);
	json_object_end(j);
	date_json(j, mail);
	json_key(j, "trailers");
	json_array_begin(j);
	n = mail ? qs_mail_trailer_count(mail) : 0;
	for (i = 0; i < n; i++) {
		const qs_trailer *t = qs_mail_trailer_byindex(mail, i);

		json_object_begin(j);
		json_kv_string(j, "key", t->key);
		json_kv_string(j, "value", t->value);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "files");
	json_array_begin(j);
	n = diff ? qs_diff_file_count(diff) : 0;
	for (i = 0; i < n; i++)
		json_string(j, qs_diff_file_path(qs_diff_file_byindex(diff, i),
						 qs_entry_strip(e)));
	json_array_end(j);
}

/* The patch commit of `p` on branch `b`, or NULL. */
static const struct patch_commit *own_on(const struct held_index *x, size_t p,
					 size_t b)
{
	size_t i;

	for (i = x->first[p]; i < x->first[p + 1]; i++)
		if (x->own[i].branch == b)
			return x->own[i].pc;
	return NULL;
}

static int patches_json(struct json *j, struct build_ctx *c,
			const struct holdings *h)
{
	size_t i, b, k, nb = c->b->nbranches;
	struct held *held = qs__calloc(nb ? nb : 1, sizeof(*held));
	struct held_index x;
	int ret = held_index_make(&x, c, h);

	if (ret < 0 || !held) {
		held_index_clear(&x);
		free(held);
		return QS_ENOMEM;
	}
	json_array_begin(j);
	for (i = 0; i < h->npatches; i++) {
		const qs_series_entry *e = h->patches[i];
		const qs_patch *p = qs_queue_patch(c->queue, e);
		const qs_patchset *set = qs_queue_patchset_of(c->queue, e);
		/* report branches follow the plan one for one (gone ones after) */
		size_t t = (size_t)(h->tree_of[i] - c->plan->v);
		const struct qs_build_branch *tree = t < nb ? c->b->branches[t] : NULL;

		held_of(held, &x, c, i);
		json_object_begin(j);
		json_kv_string(j, "name", qs_entry_name(e));
		json_kv_int(j, "line", (int64_t)qs_entry_line(e));
		json_kv_string(j, "section", h->tree_of[i]->section_name);
		json_kv_bool(j, "committed", qs_entry_kind_of(e) == QS_ENTRY_COMMITTED);
		mail_json(j, p, e);
		json_key(j, "series");
		if (set) {
			size_t pos = 0;

			for (k = 0; k < qs_patchset_entry_count(set) && !pos; k++)
				if (qs_patchset_entry_byindex(set, k) == e)
					pos = k + 1;
			json_object_begin(j);
			json_kv_string(j, "title", qs_patchset_title(set));
			json_kv_string(j, "slug", qs_patchset_slug(set));
			json_kv_int(j, "position", (int64_t)pos);
			json_kv_int(j, "count", (int64_t)qs_patchset_entry_count(set));
			json_object_end(j);
		} else {
			json_null(j);
		}
		applied_json(j, e, tree ? own_on(&x, i, t) : NULL, tree);
		json_key(j, "commits");
		json_array_begin(j);
		for (b = 0; b < nb; b++) {
			if (!held[b].commit)
				continue;
			json_object_begin(j);
			json_kv_string(j, "branch", c->b->branches[b]->name);
			oid_json(j, "commit", held[b].commit);
			json_key(j, "position");
			if (held[b].position)
				json_int(j, (int64_t)held[b].position);
			else
				json_null(j);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		held_clear(held, &x, i);
	}
	json_array_end(j);
	json_end_document(j);
	held_index_clear(&x);
	free(held);
	return 0;
}

static void build_json(struct json *j, struct build_ctx *c, const qs_buf *series,
		       size_t npatches)
{
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1] = "";

	if (git_odb_hash(&id, series->ptr, series->len, GIT_OBJECT_BLOB) == 0)
		git_oid_tostr(hex, sizeof(hex), &id);
	json_object_begin(j);
	json_kv_int(j, "format", MANIFEST_FORMAT);
	json_kv_string(j, "base", c->b->base_name);
	json_kv_string(j, "base_id", c->b->base_hex);
	json_kv_string(j, "upstream", c->cfg->upstream);
	json_kv_string(j, "upstream_id", c->b->upstream_hex);
	json_kv_string(j, "series_blob", hex);
	json_kv_int(j, "branches", (int64_t)c->b->nbranches);
	json_kv_int(j, "patches", (int64_t)npatches);
	json_object_end(j);
	json_end_document(j);
}

/* The three documents, as text. */
struct documents {
	char *text[3];
	size_t len[3];
};

static const char *const doc_names[3] = { "branches.json", "build.json", "patches.json" };

/* One document into d->text[i], written by `write`. */
static int document(struct documents *d, size_t i, struct build_ctx *c,
		    int (*write)(struct json *j, struct build_ctx *c, void *arg),
		    void *arg)
{
	FILE *f = open_memstream(&d->text[i], &d->len[i]);
	struct json j;
	int ret;

	if (!f)
		return qs__error_oom();
	json_init(&j, f);
	ret = write(&j, c, arg);
	if (fclose(f) != 0 || !d->text[i])
		ret = ret ? ret : qs__error_oom();
	return ret;
}

static int write_branches(struct json *j, struct build_ctx *c, void *arg)
{
	branches_json(j, c);
	return 0;
}

/* build.json and patches.json, once branches.json says there is a build to record. */
struct rest {
	struct holdings h;
	qs_buf series;
};

static int write_build(struct json *j, struct build_ctx *c, void *arg)
{
	struct rest *r = arg;

	build_json(j, c, &r->series, r->h.npatches);
	return 0;
}

static int write_patches(struct json *j, struct build_ctx *c, void *arg)
{
	struct rest *r = arg;

	return patches_json(j, c, &r->h);
}

static int documents_rest(struct documents *d, struct build_ctx *c)
{
	struct rest r;
	int ret;

	qs_buf_init(&r.series);
	if ((ret = holdings_make(&r.h, c)) == 0 &&
	    (ret = qs__read_file(&r.series, qs_series_path(qs_queue_series(c->queue)))) == 0 &&
	    (ret = document(d, 1, c, write_build, &r)) == 0)
		ret = document(d, 2, c, write_patches, &r);
	qs_buf_release(&r.series);
	holdings_clear(&r.h);
	return ret;
}

static void documents_clear(struct documents *d)
{
	size_t i;

	for (i = 0; i < 3; i++)
		free(d->text[i]);
}

/*
 * Whether the previous manifest already says what this build did to its
 * branches: the same branches once "built" is read as "unchanged" (the
 * writer's output is canonical, and a quote inside a string is always
 * escaped, so the literal text can only be the field). A queue edit that
 * moves no branch (a patch marked committed, a note) is no new build.
 */
static int same_as(git_repository *repo, const git_oid *previous,
		   const struct documents *d)
{
	static const char built[] = "\"status\":\"built\"";
	static const char unchanged[] = "\"status\":\"unchanged\"";
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	const git_tree_entry *te;
	qs_buf prev = QS_BUF_INIT;
	const char *p, *end, *at;
	int same = 0;

	if (git_commit_lookup(&commit, repo, previous) < 0 ||
	    git_commit_tree(&tree, commit) < 0 ||
	    !(te = git_tree_entry_byname(tree, doc_names[0])) ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0)
		goto done;
	p = git_blob_rawcontent(blob);
	end = p + git_blob_rawsize(blob);
	while ((at = memmem(p, (size_t)(end - p), built, sizeof(built) - 1))) {
		qs_buf_add(&prev, p, (size_t)(at - p));
		qs_buf_adds(&prev, unchanged);
		p = at + sizeof(built) - 1;
	}
	qs_buf_add(&prev, p, (size_t)(end - p));
	same = !qs_buf_oom(&prev) && prev.len == d->len[0] &&
	       !memcmp(prev.ptr, d->text[0], prev.len);
done:
	qs_error_clear();
	qs_buf_release(&prev);
	git_blob_free(blob);
	git_tree_free(tree);
	git_commit_free(commit);
	return same;
}

/* The latest committer date of the tips it records: no clock in its id. */
static int manifest_date(struct build_ctx *c, struct qs__ident *who)
{
	size_t i;
	int ret;

	who->time = 0;
	who->offset = 0;
	for (i = 0; i < c->b->nbranches; i++) {
		const git_oid *tip = tip_of(c->b->branches[i]);
		int64_t t;
		int off;

		if (!tip)
			continue;
		if ((ret = qs__commit_info(NULL, &t, &off, c->srepo, tip)) < 0)
			return ret;
		if (t > who->time) {
			who->time = t;
			who->offset = off;
		}
	}
	return 0;
}

int qs__manifest_write(struct build_ctx *c, git_oid *out, int *written,
		       const git_oid *previous)
{
	struct documents d;
	struct qs__ident who;
	qs_buf tree = QS_BUF_INIT, msg = QS_BUF_INIT;
	size_t i, moved = 0, npatches = 0;
	git_oid blob, tree_id;
	int ret;

	*written = 0;
	for (i = 0; i < c->b->nbranches; i++) {
		qs_branch_status s = c->b->branches[i]->status;

		moved += s == QS_BRANCH_CREATED || s == QS_BRANCH_UPDATED;
		npatches += c->b->branches[i]->kind == QS_BRANCH_TREE ?
			    c->b->branches[i]->patches : 0;
	}
	/* branches.json first: a build that changed none needs no more */
	memset(&d, 0, sizeof(d));
	if ((ret = document(&d, 0, c, write_branches, NULL)) < 0)
		goto done;
	if (!moved && previous && same_as(c->srepo, previous, &d))
		goto done;
	if ((ret = documents_rest(&d, c)) < 0)
		goto done;
	/* a tree of three blobs, in git's order of names */
	for (i = 0; i < 3; i++) {
		if ((ret = qs__store_write(&blob, c->store, d.text[i], d.len[i],
					   GIT_OBJECT_BLOB)) < 0)
			goto done;
		qs_buf_addf(&tree, "100644 %s", doc_names[i]);
		qs_buf_addch(&tree, '\0');
		qs_buf_add(&tree, (const char *)blob.id, GIT_OID_RAWSZ);
	}
	qs_buf_addf(&msg, "quiltsync build: %zu branches, %zu patches\n\nbase %s %s\nupstream %s\n",
		    c->b->nbranches, npatches, c->b->base_name ? c->b->base_name : "",
		    c->b->base_hex, c->b->upstream_hex);
	if (qs_buf_oom(&tree) || qs_buf_oom(&msg)) {
		ret = QS_ENOMEM;
		goto done;
	}
	who.name = c->cfg->committer_name;
	who.email = c->cfg->committer_email;
	if ((ret = qs__store_write(&tree_id, c->store, tree.ptr, tree.len,
				   GIT_OBJECT_TREE)) < 0 ||
	    (ret = manifest_date(c, &who)) < 0 ||
	    (ret = qs__commit_write(out, c->store, &tree_id, previous,
				    previous ? 1 : 0, &who, &who, msg.ptr)) < 0)
		goto done;
	*written = 1;
done:
	documents_clear(&d);
	qs_buf_release(&tree);
	qs_buf_release(&msg);
	return ret;
}
