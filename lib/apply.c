/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The apply engine: one parsed patch applied to a git tree, with the
 * result `quilt push` leaves in a worktree (notes/gnu-patch-semantics.md,
 * sections 1, 3, 5, 8 and 9), and no worktree.
 *
 * GNU patch works on a file system, and some of its results depend on
 * the order of its side effects. The engine keeps a model of that file
 * system for the length of one patch:
 *
 * - "on disk": the base tree plus the files this patch has written so
 *   far (entries of `struct pstate`'s map with `written` set), and the
 *   directories their writing created;
 * - deletions, deferred to the end of the patch as GNU patch defers
 *   them; a path waiting for deletion counts as missing for later file
 *   diffs, and is kept when something writes it again;
 * - git's output queue: in a git-style diff, the new content of a file
 *   that existed is queued, not written, so other file diffs still read
 *   the old content (a copy made after a change copies the original); a
 *   later diff whose output file has queued output (GNU's per-inode
 *   mark) first writes the whole queue, as does the first non-git diff
 *   and the end of the patch.
 *
 * Nothing reaches the object store before the whole patch has applied:
 * trees are rebuilt along the changed paths (the store refuses, before
 * writing one, a tree git would refuse), and blobs written, only then.
 * So a failed patch writes nothing.
 */
#include "internal.h"

#include <git2.h>

#include "hunk.h"
#include "objstore.h"
#include "tree-path.h"

#define S_TYPE(m) ((m) & 0170000u)
#define T_REG 0100000u
#define T_LNK 0120000u
#define T_DIR 0040000u

struct qs_applier {
	struct qs__store *store;
	qs_apply_options opts;
};

struct qs_apply_result {
	qs_apply_status status;
	git_oid tree;
	int fuzz;
	char *error;
	qs_file_report *files;
	size_t nfiles, files_alloc;
	qs_hunk_report *hunks;
	size_t nhunks, hunks_alloc;
	char **strings;		/* owned strings the reports point to */
	size_t nstrings, strings_alloc;
};

/* A file's content: a blob already stored, or bytes not yet written. */
struct content {
	int has_oid;
	git_oid oid;
	qs_buf buf;
};

/* What the patch did to one path so far. */
struct pentry {
	char *path;
	unsigned int written : 1;	/* on "disk": see mode and c */
	unsigned int del : 1;		/* to be deleted at the end */
	unsigned int marked : 1;	/* GNU's "has queued output" */
	unsigned int dir : 1;		/* a directory this patch created */
	uint32_t mode;
	struct content c;
};

struct qitem {
	struct pentry *pe;
	size_t line;		/* of the file diff, for messages */
	uint32_t mode;
	struct content c;
};

struct pstate {
	struct qs_applier *ap;
	const git_oid *base;
	int strip, reverse;
	struct pentry **slots;	/* open addressing on the path */
	size_t nslots, nentries;
	struct qitem *queue;
	size_t nqueue, queue_alloc;
	int have_git;
	int err;		/* an error met inside the exists callback */
	char *err_msg;		/* its message; NULL for QS_ENOMEM */
	size_t nfailed;		/* file diffs that failed */
	int reversed_hint;	/* the first failure would apply reversed */
	qs_apply_result *res;
};

/*
 * Keep the first error met where it cannot be returned (inside the
 * exists callback) with its message: the diff code that called the
 * callback may record an error of its own, "no file to patch", before
 * we return this one, and the caller judges by the record.
 */
static void keep_error(struct pstate *ps, int code)
{
	if (ps->err)
		return;
	ps->err = code;
	if (code != QS_ENOMEM)
		ps->err_msg = qs__strdup(qs_error_last()->message);
}

/* Record the kept error again; returns its code. */
static int kept_error(const struct pstate *ps)
{
	if (ps->err == QS_ENOMEM || !ps->err_msg)
		return qs__error_oom();
	return qs__error_set(ps->err, "%s", ps->err_msg);
}

/* ------------------------------------------------------------------ */
/* Paths */

/*
 * Clean `path` as the file system resolves it (no empty or "."
 * components) into `out`. Returns why it must never be written, or NULL:
 * it leaves the tree, or git refuses it in a tree (as any file; a
 * symbolic link is judged again where a diff gives its mode).
 */
static const char *clean_path(qs_buf *out, const char *path)
{
	const char *p = path;

	qs_buf_clear(out);
	if (*p == '/')
		return "it is absolute";
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "it has a '..' component";
		if (n && !(n == 1 && p[0] == '.')) {
			if (out->len)
				qs_buf_addch(out, '/');
			qs_buf_add(out, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!out->len)
		return "it names no file";
	return qs__tree_path_refused(out->ptr, out->len, QS_MODE_FILE);
}

static uint64_t path_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct pentry *map_get(const struct pstate *ps, const char *path)
{
	size_t i;

	if (!ps->nslots)
		return NULL;
	for (i = path_hash(path) & (ps->nslots - 1); ps->slots[i];
	     i = (i + 1) & (ps->nslots - 1))
		if (!strcmp(ps->slots[i]->path, path))
			return ps->slots[i];
	return NULL;
}

static struct pentry *map_add(struct pstate *ps, const char *path)
{
	struct pentry *pe = map_get(ps, path);
	size_t i;

	if (pe)
		return pe;
	if ((ps->nentries + 1) * 2 > ps->nslots) {
		size_t n = ps->nslots ? ps->nslots * 2 : 64, k;
		struct pentry **slots = qs__calloc(n, sizeof(*slots));

		if (!slots)
			return NULL;
		for (k = 0; k < ps->nslots; k++) {
			struct pentry *o = ps->slots[k];

			if (!o)
				continue;
			for (i = path_hash(o->path) & (n - 1); slots[i];
			     i = (i + 1) & (n - 1))
				;
			slots[i] = o;
		}
		free(ps->slots);
		ps->slots = slots;
		ps->nslots = n;
	}
	pe = qs__calloc(1, sizeof(*pe));
	if (!pe)
		return NULL;
	pe->path = qs__strdup(path);
	if (!pe->path) {
		free(pe);
		return NULL;
	}
	qs_buf_init(&pe->c.buf);
	for (i = path_hash(path) & (ps->nslots - 1); ps->slots[i];
	     i = (i + 1) & (ps->nslots - 1))
		;
	ps->slots[i] = pe;
	ps->nentries++;
	return pe;
}

/*
 * What is at `path` on the model's disk, deletions not done yet: 1 and
 * its mode (T_DIR for a directory), or 0.
 */
static int disk_stat(struct pstate *ps, const char *path, uint32_t *mode,
		     git_oid *oid)
{
	struct pentry *pe = map_get(ps, path);
	int ret;

	if (pe && pe->written) {
		*mode = pe->mode;
		return 1;
	}
	if (pe && pe->dir) {
		*mode = T_DIR;
		return 1;
	}
	ret = qs__store_find(ps->ap->store, ps->base, path, strlen(path),
			     mode, oid, NULL);
	if (ret == QS_ENOTFOUND)
		return 0;
	if (ret < 0) {
		keep_error(ps, ret);
		return 0;
	}
	if (*mode == QS_MODE_GITLINK)
		*mode = T_DIR;	/* a submodule is a directory in a worktree */
	return 1;
}

/* GNU patch's lstat(), with a pending deletion counting as missing */
static int path_exists(struct pstate *ps, const char *path, uint32_t *mode)
{
	struct pentry *pe = map_get(ps, path);
	uint32_t m;

	if (pe && pe->del)
		return 0;
	return disk_stat(ps, path, mode ? mode : &m, NULL);
}

static int exists_cb(void *payload, const char *name)
{
	struct pstate *ps = payload;
	qs_buf clean = QS_BUF_INIT;
	size_t len = strlen(name);
	uint32_t mode = 0;
	int ret = 0;

	if (!clean_path(&clean, name) && !qs_buf_oom(&clean)) {
		ret = path_exists(ps, clean.ptr, &mode);
		/* lstat("d/") finds only a directory */
		if (ret && len && name[len - 1] == '/' && mode != T_DIR)
			ret = 0;
	}
	if (qs_buf_oom(&clean))
		keep_error(ps, QS_ENOMEM);
	qs_buf_release(&clean);
	return ret;
}

/*
 * Whether `path` can be written: 0; QS_EUNSAFE through a symlink;
 * QS_EAPPLY (with `*why`) when a leading component is a file.
 */
static int check_parents(struct pstate *ps, const char *path, size_t line,
			 const char **why)
{
	qs_buf prefix = QS_BUF_INIT;
	const char *p;
	int ret = 0;

	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		uint32_t mode;

		qs_buf_set(&prefix, path, (size_t)(p - path));
		if (qs_buf_oom(&prefix)) {
			ret = QS_ENOMEM;
			break;
		}
		if (!disk_stat(ps, prefix.ptr, &mode, NULL)) {
			if (ps->err) {
				ret = kept_error(ps);
				break;
			}
			continue;
		}
		if (mode == QS_MODE_LINK) {
			ret = qs__error_set(QS_EUNSAFE,
					    "unsafe path '%s' in the diff at line %zu: it leads through the symbolic link '%s'",
					    path, line, prefix.ptr);
			break;
		}
		if (mode != T_DIR) {
			*why = "a leading component is not a directory";
			ret = QS_EAPPLY;
			break;
		}
	}
	qs_buf_release(&prefix);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Content */

static void content_release(struct content *c)
{
	qs_buf_release(&c->buf);
	c->has_oid = 0;
}

static void content_move(struct content *dst, struct content *src)
{
	content_release(dst);
	*dst = *src;
	qs_buf_init(&src->buf);
	src->has_oid = 0;
}

/*
 * The content of the file at `path` as the model's disk has it. `*hold`
 * keeps a blob alive; free it with git_odb_object_free().
 */
static int read_file(struct pstate *ps, const char *path, const char **data,
		     size_t *len, git_odb_object **hold)
{
	struct pentry *pe = map_get(ps, path);
	git_oid oid;
	uint32_t mode;
	int ret;

	*hold = NULL;
	if (pe && pe->written && !pe->c.has_oid) {
		*data = pe->c.buf.ptr;
		*len = pe->c.buf.len;
		return 0;
	}
	if (pe && pe->written) {
		git_oid_cpy(&oid, &pe->c.oid);
	} else {
		ret = qs__store_find(ps->ap->store, ps->base, path,
				     strlen(path), &mode, &oid, NULL);
		if (ret < 0)
			return ret;
	}
	if ((ret = qs__store_read(hold, ps->ap->store, &oid)) < 0)
		return ret;
	if (git_odb_object_type(*hold) != GIT_OBJECT_BLOB) {
		git_odb_object_free(*hold);
		*hold = NULL;
		return qs__error_set(QS_EGIT, "'%s' is not a blob", path);
	}
	*data = git_odb_object_data(*hold);
	*len = git_odb_object_size(*hold);
	return 0;
}

/* The blob id of the file at `path`, when it is a stored blob. */
static int file_oid(struct pstate *ps, const char *path, git_oid *oid)
{
	struct pentry *pe = map_get(ps, path);
	uint32_t mode;

	if (pe && pe->written) {
		if (!pe->c.has_oid)
			return QS_ENOTFOUND;
		git_oid_cpy(oid, &pe->c.oid);
		return 0;
	}
	return qs__store_find(ps->ap->store, ps->base, path, strlen(path),
			      &mode, oid, NULL);
}

/* Put a file on the model's disk: GNU patch's move into place. */
static int write_now(struct pstate *ps, const char *path, uint32_t mode,
		     struct content *c, size_t line, const char **why)
{
	struct pentry *pe;
	const char *p;
	int ret;

	if ((ret = check_parents(ps, path, line, why)) < 0)
		return ret;
	pe = map_add(ps, path);
	if (!pe)
		return QS_ENOMEM;
	pe->written = 1;
	pe->del = 0;		/* a new file: the pending deletion was of the old one */
	pe->marked = 0;		/* a new inode carries no mark */
	pe->dir = 0;
	pe->mode = mode;
	content_move(&pe->c, c);
	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		qs_buf dir = QS_BUF_INIT;
		struct pentry *d;

		qs_buf_set(&dir, path, (size_t)(p - path));
		d = qs_buf_oom(&dir) ? NULL : map_add(ps, dir.ptr);
		qs_buf_release(&dir);
		if (!d)
			return QS_ENOMEM;
		if (!d->written)
			d->dir = 1;
	}
	return 0;
}

/* Write git's output queue, in order (GNU's output_files()). */
static int flush_queue(struct pstate *ps, const char **why, const char **where)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ps->nqueue; i++) {
		struct qitem *q = &ps->queue[i];

		if (!ret) {
			ret = write_now(ps, q->pe->path, q->mode, &q->c,
					q->line, why);
			if (ret < 0)
				*where = q->pe->path;
		}
		content_release(&q->c);
	}
	ps->nqueue = 0;
	return ret;
}

static int queue_output(struct pstate *ps, const char *path, uint32_t mode,
			struct content *c, size_t line)
{
	struct qitem *q;
	struct pentry *pe = map_add(ps, path);

	if (!pe || QS_ARRAY_GROW(ps->queue, ps->queue_alloc, ps->nqueue + 1) < 0)
		return QS_ENOMEM;
	q = &ps->queue[ps->nqueue++];
	q->pe = pe;
	q->line = line;
	q->mode = mode;
	qs_buf_init(&q->c.buf);
	q->c.has_oid = 0;
	content_move(&q->c, c);
	return 0;
}

/* ------------------------------------------------------------------ */
/* git's binary delta format */

static int delta_size(const unsigned char **p, const unsigned char *end,
		      size_t *out)
{
	size_t v = 0;
	int shift = 0;
	unsigned char c;

	do {
		if (*p >= end || shift > 56)
			return -1;
		c = *(*p)++;
		v |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*out = v;
	return 0;
}

/*
 * Apply a git delta (source size, target size, then copy and insert
 * instructions) to `src`. Returns 0, or 1 when the delta does not fit.
 */
static int delta_apply(qs_buf *out, const char *src, size_t src_len,
		       const char *delta, size_t len)
{
	const unsigned char *p = (const unsigned char *)delta, *end = p + len;
	size_t want_src, want_dst;

	if (delta_size(&p, end, &want_src) < 0 ||
	    delta_size(&p, end, &want_dst) < 0 || want_src != src_len)
		return 1;
	if (qs_buf_grow(out, want_dst) < 0)
		return QS_ENOMEM;
	while (p < end) {
		unsigned char op = *p++;

		if (op & 0x80) {
			size_t off = 0, size = 0;
			int i;

			for (i = 0; i < 4; i++)
				if (op & (1u << i)) {
					if (p >= end)
						return 1;
					off |= (size_t)*p++ << (8 * i);
				}
			for (i = 0; i < 3; i++)
				if (op & (0x10u << i)) {
					if (p >= end)
						return 1;
					size |= (size_t)*p++ << (8 * i);
				}
			if (!size)
				size = 0x10000;
			if (off > src_len || size > src_len - off ||
			    size > want_dst - out->len)
				return 1;
			qs_buf_add(out, src + off, size);
		} else if (op) {
			if (op > (size_t)(end - p) || op > want_dst - out->len)
				return 1;
			qs_buf_add(out, p, op);
			p += op;
		} else {
			return 1;	/* reserved */
		}
	}
	if (qs_buf_oom(out))
		return QS_ENOMEM;
	return out->len == want_dst ? 0 : 1;
}

/* Whether the git hex id `hex` (maybe abbreviated) names `oid`. */
static int id_matches(const char *hex, const git_oid *oid)
{
	char full[GIT_OID_HEXSZ + 1];
	size_t n = strlen(hex), i;

	git_oid_tostr(full, sizeof(full), oid);
	if (n > GIT_OID_HEXSZ)
		return 0;
	for (i = 0; i < n; i++)
		if ((hex[i] | 0x20) != full[i])
			return 0;
	return 1;
}

static int all_zeros(const char *hex)
{
	if (!hex)
		return 0;
	while (*hex == '0')
		hex++;
	return *hex == '\0';
}

/* ------------------------------------------------------------------ */
/* Results */

static char *res_strdup(qs_apply_result *res, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	if (QS_ARRAY_GROW(res->strings, res->strings_alloc, res->nstrings + 1) < 0)
		return NULL;
	copy = qs__strdup(s);
	if (copy)
		res->strings[res->nstrings++] = copy;
	return copy;
}

static qs_hunk_report *add_hunk(qs_apply_result *res)
{
	qs_hunk_report *h;

	if (QS_ARRAY_GROW(res->hunks, res->hunks_alloc, res->nhunks + 1) < 0)
		return NULL;
	h = &res->hunks[res->nhunks++];
	memset(h, 0, sizeof(*h));
	return h;
}

/* ------------------------------------------------------------------ */
/* One file diff */

/* file reasons that mean "see the failed hunks" */
static const char hunk_failed_reason[] = "a hunk failed";
static const char conflict_reason[] = "the 3-way merge left conflicts";

struct fjob {
	const qs_diff_file *f;
	size_t index;		/* in the result's files */
	const char *inname, *outname;
	int git, rev, rename, copy;
	uint32_t om, nm;	/* GNU's modes of the old and new side, after -R */
	int old_state, new_state;
	uint32_t file_type;
	int in_exists;
	uint32_t in_mode;
	const char *in_data;
	size_t in_len;
	git_odb_object *in_hold;
	qs_buf out;
	qs__hunk_result *hr;
	size_t nh;
	int binary, merged, conflict;
	const char *why;	/* why the file diff failed */
};

/* GNU's fetchmode(): only regular files and symlinks have a mode */
static uint32_t gnu_mode(uint32_t mode)
{
	if (S_TYPE(mode) == T_REG || S_TYPE(mode) == T_LNK)
		return mode;
	return 0;
}

static const char *side_id(const qs_diff_file *f, int side_new, int rev)
{
	return side_new ^ rev ? qs_diff_file_new_id(f) : qs_diff_file_old_id(f);
}

static void fail_file(struct pstate *ps, struct fjob *j, const char *why)
{
	qs_file_report *fr = &ps->res->files[j->index];

	if (!j->why)
		j->why = why;
	fr->applied = 0;
	fr->reason = j->why;
	ps->nfailed++;
}

/* Names of the diff that must never be written, checked up front. */
static int check_names(struct pstate *ps, const qs_diff_file *f)
{
	const char *names[3];
	qs_buf clean = QS_BUF_INIT;
	int i, ret = 0;

	names[0] = qs_diff_file_old_path(f);
	names[1] = qs_diff_file_new_path(f);
	names[2] = names[0] || names[1] ? NULL : qs_diff_file_index_path(f);
	for (i = 0; i < 3 && !ret; i++) {
		const char *name = names[i] ? qs_path_strip(names[i], ps->strip) : NULL;
		const char *why;

		if (!name)
			continue;
		why = clean_path(&clean, name);
		if (qs_buf_oom(&clean))
			ret = QS_ENOMEM;
		else if (why)
			ret = qs__error_set(QS_EUNSAFE,
					    "unsafe path '%s' in the diff at line %zu: %s",
					    name, qs_diff_file_line(f), why);
	}
	qs_buf_release(&clean);
	return ret;
}

/*
 * The 3-way fallback: rebuild the postimage from the preimage blob the
 * "index" line names, and merge it into the current content.
 */
static int try_3way(struct pstate *ps, struct fjob *j,
		    const qs__hunk_options *hopts)
{
	const char *pre_hex = side_id(j->f, 0, j->rev);
	git_merge_file_input base = GIT_MERGE_FILE_INPUT_INIT;
	git_merge_file_input ours = GIT_MERGE_FILE_INPUT_INIT;
	git_merge_file_input theirs = GIT_MERGE_FILE_INPUT_INIT;
	git_merge_file_result merged;
	git_odb_object *pre = NULL;
	qs__hunk_result *hr = NULL;
	qs_buf post = QS_BUF_INIT;
	git_oid pre_oid;
	size_t i;
	int ret = 0, have_result = 0;

	memset(&merged, 0, sizeof(merged));
	if (!pre_hex || all_zeros(pre_hex) || !j->in_exists)
		return 0;
	if (qs__store_find_blob(&pre_oid, ps->ap->store, pre_hex) < 0) {
		qs_error_clear();
		return 0;
	}
	if ((ret = qs__store_read(&pre, ps->ap->store, &pre_oid)) < 0)
		goto done;
	hr = qs__calloc(j->nh ? j->nh : 1, sizeof(*hr));
	if (!hr) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__apply_hunks(&post, git_odb_object_data(pre),
			      git_odb_object_size(pre), j->f, hopts, hr);
	if (ret == QS_EAPPLY) {
		/* the patch does not even fit its own preimage */
		qs_error_clear();
		ret = 0;
		goto done;
	}
	if (ret < 0)
		goto done;
	base.ptr = git_odb_object_data(pre);
	base.size = git_odb_object_size(pre);
	ours.ptr = j->in_data;
	ours.size = j->in_len;
	theirs.ptr = post.ptr;
	theirs.size = post.len;
	if (git_merge_file(&merged, &base, &ours, &theirs, NULL) < 0) {
		ret = qs__error_git("cannot merge");
		goto done;
	}
	have_result = 1;
	if (!merged.automergeable) {
		j->conflict = 1;
		goto done;
	}
	qs_buf_clear(&j->out);
	if (qs_buf_add(&j->out, merged.ptr, merged.len) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	j->merged = 1;
	for (i = 0; i < j->nh; i++) {
		if (j->hr[i].applied)
			continue;
		j->hr[i].applied = 1;
		j->hr[i].reason = NULL;
		j->hr[i].new_line = 0;
		j->hr[i].offset = 0;
		j->hr[i].fuzz = 0;
	}
done:
	if (have_result)
		git_merge_file_result_free(&merged);
	qs_buf_release(&post);
	free(hr);
	git_odb_object_free(pre);
	return ret;
}

/* A cheap diagnostic: would the failing hunks apply the other way round? */
static void check_reversed(struct pstate *ps, struct fjob *j)
{
	qs__hunk_options o;
	qs__hunk_result *hr;
	qs_buf out = QS_BUF_INIT;

	if (ps->reversed_hint || !j->nh || ps->nfailed > 1)
		return;
	o.reverse = !j->rev;
	o.max_fuzz = ps->ap->opts.fuzz;
	o.old_nonexistent = 0;
	hr = qs__calloc(j->nh, sizeof(*hr));
	if (!hr)
		return;
	if (qs__apply_hunks(&out, j->in_data, j->in_len, j->f, &o, hr) == 0)
		ps->reversed_hint = 1;
	qs_error_clear();
	qs_buf_release(&out);
	free(hr);
}

/* The file's hunks into the result; QS_ENOMEM, never a report short of one. */
static int report_hunks(struct pstate *ps, struct fjob *j)
{
	qs_apply_result *res = ps->res;
	const char *path = res->files[j->index].path;
	size_t i;

	if (!j->nh) {
		qs_hunk_report *h = add_hunk(res);

		if (!h)
			return QS_ENOMEM;
		h->path = path;
		h->file = j->index;
		h->applied = !j->why;
		h->merged = j->merged;
		h->reason = j->why;
		return 0;
	}
	for (i = 0; i < j->nh; i++) {
		qs_hunk_report *h = add_hunk(res);
		const qs__hunk_result *r = j->hr ? &j->hr[i] : NULL;

		if (!h)
			return QS_ENOMEM;
		h->path = path;
		h->file = j->index;
		h->hunk = i + 1;
		if (!r) {
			/* the file diff failed before its hunks were tried */
			const qs_hunk *hk = qs_diff_file_hunk_byindex(j->f, i);

			h->old_line = j->rev ? qs_hunk_new_start(hk) :
					       qs_hunk_old_start(hk);
			h->reason = j->why;
			continue;
		}
		h->old_line = r->old_line;
		h->new_line = r->new_line;
		h->offset = r->offset;
		h->fuzz = r->fuzz;
		h->applied = r->applied;
		h->merged = j->merged && r->applied;
		h->conflict = j->conflict && !r->applied;
		h->reason = j->conflict && !r->applied ? conflict_reason :
			    r->reason;
	}
	return 0;
}

static qs_file_report *add_file(qs_apply_result *res, const qs_diff_file *f)
{
	qs_file_report *fr;

	if (QS_ARRAY_GROW(res->files, res->files_alloc, res->nfiles + 1) < 0)
		return NULL;
	fr = &res->files[res->nfiles++];
	memset(fr, 0, sizeof(*fr));
	fr->op = qs_diff_file_op(f);
	fr->line = qs_diff_file_line(f);
	fr->applied = 1;
	return fr;
}

/* Which name a file diff writes, as GNU patch 2.7.6 picks it. */
static int pick_outname(struct pstate *ps, struct fjob *j, qs_buf *outname)
{
	const char *side = j->rev ? qs_diff_file_old_path(j->f) :
				    qs_diff_file_new_path(j->f);
	const char *name = side ? qs_path_strip(side, ps->strip) : NULL;
	const char *why;

	if (!name)
		return QS_ENOTFOUND;
	why = clean_path(outname, name);
	if (qs_buf_oom(outname))
		return QS_ENOMEM;
	if (why)
		return qs__error_set(QS_EUNSAFE,
				     "unsafe path '%s' in the diff at line %zu: %s",
				     name, qs_diff_file_line(j->f), why);
	return 0;
}

/*
 * GNU patch writes an added line with fwrite() and takes a result of 0
 * for a write error: an applied hunk adding an empty line without a
 * newline stops it ("write error").
 */
static int writes_empty_line(const struct fjob *j)
{
	char added = j->rev ? '-' : '+';
	int strip_cr = qs_diff_file_strips_cr(j->f);
	size_t i, k;

	for (i = 0; i < j->nh; i++) {
		const qs_hunk *hk = qs_diff_file_hunk_byindex(j->f, i);

		if (!j->hr[i].applied)
			continue;
		for (k = 0; k < qs_hunk_line_count(hk); k++) {
			const qs_diff_line *l = qs_hunk_line_byindex(hk, k);

			if (l->origin == added && l->no_newline &&
			    (!l->len || (strip_cr && l->len == 1 &&
					 l->content[0] == '\r')))
				return 1;
		}
	}
	return 0;
}

static int apply_text_or_binary(struct pstate *ps, struct fjob *j)
{
	qs__hunk_options hopts;
	const char *data;
	size_t len;
	qs_binary_kind kind = qs_diff_file_binary(&data, &len, j->f, j->rev);
	int ret;

	if (kind == QS_BINARY_LITERAL || kind == QS_BINARY_DELTA) {
		const char *pre = side_id(j->f, 0, j->rev);
		const char *post = side_id(j->f, 1, j->rev);
		git_oid oid;

		j->binary = 1;
		if (!data && !len) {
			j->why = "the binary patch has no data for this direction";
			return QS_EAPPLY;
		}
		/* like git apply: the preimage must be the one the patch names */
		if (pre && !all_zeros(pre)) {
			if (git_odb_hash(&oid, j->in_data ? j->in_data : "",
					 j->in_len, GIT_OBJECT_BLOB) < 0)
				return qs__error_git("cannot hash a file");
			if (!id_matches(pre, &oid)) {
				j->why = "the binary patch does not apply: the file differs from its preimage";
				return QS_EAPPLY;
			}
		}
		if (kind == QS_BINARY_LITERAL) {
			if (qs_buf_add(&j->out, data, len) < 0)
				return QS_ENOMEM;
		} else {
			ret = delta_apply(&j->out, j->in_data ? j->in_data : "",
					  j->in_len, data, len);
			if (ret < 0)
				return ret;
			if (ret) {
				j->why = "the binary delta does not fit the file";
				return QS_EAPPLY;
			}
		}
		if (post && !all_zeros(post)) {
			if (git_odb_hash(&oid, j->out.ptr, j->out.len,
					 GIT_OBJECT_BLOB) < 0)
				return qs__error_git("cannot hash a file");
			if (!id_matches(post, &oid)) {
				j->why = "the binary patch gives a result other than its postimage";
				return QS_EAPPLY;
			}
		}
		return 0;
	}
	hopts.reverse = j->rev;
	hopts.max_fuzz = ps->ap->opts.fuzz;
	hopts.old_nonexistent = j->old_state == QS_FILE_NONEXISTENT;
	if (j->nh) {
		j->hr = qs__calloc(j->nh, sizeof(*j->hr));
		if (!j->hr)
			return QS_ENOMEM;
	}
	ret = qs__apply_hunks(&j->out, j->in_data, j->in_len, j->f, &hopts,
			      j->hr);
	if (ret == 0 && writes_empty_line(j)) {
		j->why = "an added line is empty and has no newline: GNU patch fails to write it";
		return QS_EAPPLY;
	}
	if (ret != QS_EAPPLY)
		return ret;
	qs_error_clear();
	if (ps->ap->opts.flags & QS_APPLY_3WAY) {
		if ((ret = try_3way(ps, j, &hopts)) < 0)
			return ret;
		if (j->merged)
			return 0;
	}
	j->why = j->conflict ? conflict_reason : hunk_failed_reason;
	return QS_EAPPLY;
}

/*
 * Which file the diff reads (GNU's inname) and writes (its outname).
 * Returns 0 with both set, 1 when the file diff failed, or an error.
 */
static int resolve_names(struct pstate *ps, struct fjob *j,
			 qs_file_report *fr, qs_buf *inname, qs_buf *outname)
{
	const qs_diff_file *f = j->f;
	const char *target = NULL, *why;
	int ret;

	if ((ret = check_names(ps, f)) < 0)
		return ret;
	ret = qs_diff_file_target(&target, f, ps->strip, exists_cb, ps);
	if (ps->err)
		return kept_error(ps);
	if (ret == QS_ENOTFOUND) {
		const char *name = qs_diff_file_new_path(f), *stripped;

		qs_error_clear();
		if (!name)
			name = qs_diff_file_old_path(f);
		if (!name)
			name = qs_diff_file_index_path(f);
		stripped = name ? qs_path_strip(name, ps->strip) : NULL;
		fr->path = res_strdup(ps->res, stripped ? stripped : name);
		fail_file(ps, j, j->rename || j->copy ?
			  "cannot rename or copy without two valid file names" :
			  "no file to patch");
		return 1;
	}
	if (ret < 0)
		return ret;
	why = clean_path(inname, target);
	if (qs_buf_oom(inname))
		return QS_ENOMEM;
	if (why)
		return qs__error_set(QS_EUNSAFE,
				     "unsafe path '%s' in the diff at line %zu: %s",
				     target, qs_diff_file_line(f), why);
	if (target[strlen(target) - 1] == '/') {
		/* "d/" can be neither read nor written as a file */
		fr->path = res_strdup(ps->res, target);
		fail_file(ps, j, "not a regular file: refusing to patch it");
		return 1;
	}
	j->inname = inname->ptr;
	j->outname = j->inname;
	if (j->rename || j->copy) {
		ret = pick_outname(ps, j, outname);
		if (ret == QS_ENOTFOUND) {
			fail_file(ps, j, "cannot rename or copy without two valid file names");
			return 1;
		}
		if (ret < 0)
			return ret;
		j->outname = outname->ptr;
	}
	fr->path = res_strdup(ps->res, j->outname);
	fr->old_path = res_strdup(ps->res, j->inname);
	if (!fr->path || !fr->old_path)
		return QS_ENOMEM;
	return 0;
}

/*
 * GNU's file_type: the diff's kind of file, from its git modes. Also
 * its modes and what its sides say, after -R. 1 when the two sides
 * disagree on the kind.
 */
static int diff_kind(struct pstate *ps, struct fjob *j)
{
	const qs_diff_file *f = j->f;
	uint32_t t_old, t_new;

	j->om = gnu_mode(j->rev ? qs_diff_file_new_mode(f) : qs_diff_file_old_mode(f));
	j->nm = gnu_mode(j->rev ? qs_diff_file_old_mode(f) : qs_diff_file_new_mode(f));
	j->old_state = j->rev ? qs_diff_file_new_state(f, ps->strip) :
				qs_diff_file_old_state(f, ps->strip);
	j->new_state = j->rev ? qs_diff_file_old_state(f, ps->strip) :
				qs_diff_file_new_state(f, ps->strip);
	t_old = S_TYPE(j->om);
	t_new = S_TYPE(j->nm);
	j->file_type = t_old ? t_old : t_new ? t_new : T_REG;
	if (t_old && t_new && t_old != t_new) {
		fail_file(ps, j, "cannot change the type of a file");
		return 1;
	}
	return 0;
}

/*
 * GNU's per-inode mark: in a git diff whose output file exists, first
 * write the queue if that file has queued output (a second change to
 * it), then mark it. 1 when the file diff failed.
 */
static int mark_output(struct pstate *ps, struct fjob *j)
{
	const char *why = NULL, *where = NULL;
	struct pentry *pe;
	int ret;

	if (!j->git || !path_exists(ps, j->outname, NULL))
		return ps->err ? kept_error(ps) : 0;
	pe = map_get(ps, j->outname);
	if (pe && pe->marked) {
		ret = flush_queue(ps, &why, &where);
		if (ret == QS_EAPPLY) {
			fail_file(ps, j, why);
			return 1;
		}
		if (ret < 0)
			return ret;
	}
	pe = map_add(ps, j->outname);
	if (!pe)
		return QS_ENOMEM;
	pe->marked = 1;
	return 0;
}

/*
 * GNU's end of a section, once the hunks applied: delete the file,
 * refuse to delete it, or write it (now, or into git's queue). 1 when
 * the file diff failed.
 */
static int finish_file(struct pstate *ps, struct fjob *j, qs_file_report *fr)
{
	struct content c;
	struct pentry *pe;
	const char *why = NULL;
	git_oid same;
	uint32_t mode;
	int ret, set_mode;

	if (!j->out.len && (j->new_state == QS_FILE_NONEXISTENT ||
			    j->file_type == T_LNK)) {
		/* a missing file with nothing to lose is "deleted" too */
		pe = map_add(ps, j->outname);
		if (!pe)
			return QS_ENOMEM;
		pe->del = 1;
		fr->op = QS_DIFF_DELETED;
		return 0;
	}
	if (j->out.len && j->new_state == QS_FILE_NONEXISTENT) {
		fail_file(ps, j, "not deleting the file: its content differs from the patch");
		return 1;
	}
	/* GNU writes only when something applied or the name or mode changes */
	set_mode = j->nm && j->om != j->nm;
	if (!(j->nh || j->binary || set_mode || j->rename || j->copy)) {
		/*
		 * GNU still backs the file up ("--backup"), and stops when
		 * there is none: "Can't reopen file".
		 */
		if (!j->in_exists) {
			fail_file(ps, j, "no such file to leave unchanged");
			return 1;
		}
		fr->op = QS_DIFF_MODIFIED;
		return 0;
	}
	if (j->file_type == T_LNK) {
		mode = QS_MODE_LINK;
		/* the name passed as a file's; git refuses more links */
		why = qs__tree_path_refused(j->outname, strlen(j->outname), mode);
		if (why)
			return qs__error_set(QS_EUNSAFE,
					     "unsafe path '%s' in the diff at line %zu: %s",
					     j->outname, qs_diff_file_line(j->f), why);
	} else {
		uint32_t m = set_mode ? j->nm : j->in_exists ? j->in_mode : 0644;

		mode = m & 0100 ? QS_MODE_EXEC : QS_MODE_FILE;
	}
	fr->new_mode = mode;
	fr->op = j->rename ? QS_DIFF_RENAMED : j->copy ? QS_DIFF_COPIED :
		 j->in_exists ? QS_DIFF_MODIFIED : QS_DIFF_ADDED;

	memset(&c, 0, sizeof(c));
	qs_buf_init(&c.buf);
	/* unchanged bytes of a stored blob: keep its id, copy nothing */
	if (j->in_exists && j->in_len == j->out.len &&
	    !memcmp(j->in_data ? j->in_data : "", j->out.ptr, j->out.len) &&
	    file_oid(ps, j->inname, &same) == 0) {
		c.has_oid = 1;
		git_oid_cpy(&c.oid, &same);
	} else {
		c.buf = j->out;
		qs_buf_init(&j->out);
	}
	if (j->git && j->old_state != QS_FILE_NONEXISTENT)
		ret = queue_output(ps, j->outname, mode, &c,
				   qs_diff_file_line(j->f));
	else
		ret = write_now(ps, j->outname, mode, &c,
				qs_diff_file_line(j->f), &why);
	content_release(&c);
	if (ret == QS_EAPPLY) {
		fail_file(ps, j, why);
		return 1;
	}
	if (ret < 0)
		return ret;
	if (j->rename) {
		/* the source goes at the end of the patch */
		pe = map_add(ps, j->inname);
		if (!pe)
			return QS_ENOMEM;
		pe->del = 1;
	}
	return 0;
}

/* One file diff. Returns 0 (applied or failed, see the report) or an error. */
static int do_file(struct pstate *ps, const qs_diff_file *f)
{
	qs_buf inname = QS_BUF_INIT, outname = QS_BUF_INIT;
	struct fjob job, *j = &job;
	qs_file_report *fr;
	const char *why = NULL, *where = NULL;
	int ret;

	memset(j, 0, sizeof(*j));
	qs_buf_init(&j->out);
	j->f = f;
	j->git = qs_diff_file_is_git(f);
	j->rev = ps->reverse;
	j->rename = qs_diff_file_op(f) == QS_DIFF_RENAMED;
	j->copy = qs_diff_file_op(f) == QS_DIFF_COPIED;
	j->nh = qs_diff_file_hunk_count(f);
	fr = add_file(ps->res, f);
	if (!fr) {
		ret = QS_ENOMEM;
		goto done;
	}
	j->index = ps->res->nfiles - 1;

	/* GNU patch writes the git queue when a non-git diff follows */
	if (j->git != ps->have_git) {
		if (ps->have_git && (ret = flush_queue(ps, &why, &where)) < 0) {
			if (ret == QS_EAPPLY) {
				fail_file(ps, j, why);
				ret = 0;
			}
			goto done;
		}
		ps->have_git = j->git;
	}
	if ((ret = resolve_names(ps, j, fr, &inname, &outname)) != 0)
		goto done;
	/* a name below a symlink is unsafe; below a file, it fails */
	why = NULL;
	ret = check_parents(ps, j->inname, qs_diff_file_line(f), &why);
	if (!ret && j->outname != j->inname)
		ret = check_parents(ps, j->outname, qs_diff_file_line(f), &why);
	if (ret == QS_EAPPLY) {
		fail_file(ps, j, why);
		ret = 0;
		goto done;
	}
	if (ret < 0 || (ret = diff_kind(ps, j)) != 0 ||
	    (ret = mark_output(ps, j)) != 0)
		goto done;

	j->in_exists = path_exists(ps, j->inname, &j->in_mode);
	if (j->in_exists) {
		if (S_TYPE(j->in_mode) != j->file_type) {
			fail_file(ps, j, j->file_type == T_LNK ?
				  "not a symbolic link: refusing to patch it" :
				  "not a regular file: refusing to patch it");
			goto done;
		}
		fr->old_mode = j->in_mode;
		ret = read_file(ps, j->inname, &j->in_data, &j->in_len,
				&j->in_hold);
		if (ret < 0)
			goto done;
	} else {
		fr->old_path = NULL;
	}

	ret = apply_text_or_binary(ps, j);
	if (ret == QS_EAPPLY) {
		fail_file(ps, j, j->why);
		check_reversed(ps, j);
		ret = 0;
		goto done;
	}
	if (ret < 0)
		goto done;
	fr->binary = j->binary;
	fr->merged = j->merged;
	ret = finish_file(ps, j, fr);
done:
	if (ret > 0)
		ret = 0;	/* the file diff failed: its report says why */
	if (ret == 0 && fr)
		ret = report_hunks(ps, j);
	git_odb_object_free(j->in_hold);
	qs_buf_release(&j->out);
	free(j->hr);
	qs_buf_release(&inname);
	qs_buf_release(&outname);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The end of a patch */

static int change_cmp(const void *a, const void *b)
{
	const struct qs__tree_change *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int commit(struct pstate *ps, git_oid *tree)
{
	struct qs__tree_change *changes = NULL;
	const struct qs__tree_change *bad = NULL;
	const char *why = NULL, *where = NULL;
	size_t i, n = 0;
	int ret;

	ret = flush_queue(ps, &why, &where);
	if (ret == QS_EAPPLY) {
		ps->nfailed++;
		ret = qs__error_set(QS_EAPPLY, "%s: %s", where, why);
		goto done;
	}
	if (ret < 0)
		goto done;
	changes = qs__reallocarray(NULL, ps->nentries ? ps->nentries : 1,
				   sizeof(*changes));
	if (!changes) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (i = 0; i < ps->nslots; i++) {
		struct pentry *pe = ps->slots[i];
		struct qs__tree_change *c;

		if (!pe || !(pe->written || pe->del))
			continue;
		if (pe->del && !pe->written) {
			uint32_t mode;

			/*
			 * Deleting a file that never existed does nothing,
			 * unless a directory took its place: GNU patch then
			 * stops ("not a regular file").
			 */
			ret = qs__store_find(ps->ap->store, ps->base, pe->path,
					     strlen(pe->path), &mode, NULL, NULL);
			if (pe->dir || (!ret && mode == QS_MODE_TREE)) {
				ps->nfailed++;
				ret = qs__error_set(QS_EAPPLY,
						    "%s: cannot delete it: it is a directory",
						    pe->path);
				goto done;
			}
			if (ret == QS_ENOTFOUND)
				continue;
			if (ret < 0)
				goto done;
		}
		c = &changes[n++];
		c->path = pe->path;
		c->mode = pe->del ? 0 : pe->mode;
		if (!pe->del && pe->c.has_oid)
			git_oid_cpy(&c->oid, &pe->c.oid);
	}
	/*
	 * The new files' ids, without writing them: the tree may still be
	 * refused (a path git refuses, kept from the base tree).
	 */
	for (i = 0; i < n; i++) {
		struct pentry *pe = map_get(ps, changes[i].path);

		if (!changes[i].mode || pe->c.has_oid)
			continue;
		if (git_odb_hash(&changes[i].oid, pe->c.buf.ptr, pe->c.buf.len,
				 GIT_OBJECT_BLOB) < 0) {
			ret = qs__error_git("cannot hash a file");
			goto done;
		}
	}
	qsort(changes, n, sizeof(*changes), change_cmp);
	ret = qs__store_update_tree(tree, ps->ap->store, ps->base, changes, n,
				    &bad);
	if (ret == QS_EAPPLY)
		ps->nfailed++;
	/* the patch applies: only now may blobs be written */
	for (i = 0; i < n && ret == 0; i++) {
		struct pentry *pe = map_get(ps, changes[i].path);

		if (!changes[i].mode || pe->c.has_oid)
			continue;
		ret = qs__store_write_blob(&changes[i].oid, ps->ap->store,
					   pe->c.buf.ptr, pe->c.buf.len, pe->path);
	}
done:
	free(changes);
	return ret;
}

static void pstate_release(struct pstate *ps)
{
	size_t i;

	for (i = 0; i < ps->nslots; i++) {
		struct pentry *pe = ps->slots[i];

		if (!pe)
			continue;
		content_release(&pe->c);
		free(pe->path);
		free(pe);
	}
	free(ps->slots);
	for (i = 0; i < ps->nqueue; i++)
		content_release(&ps->queue[i].c);
	free(ps->queue);
	free(ps->err_msg);
}

static int set_error(qs_apply_result *res, size_t nfailed, int reversed,
		     const char *commit_error)
{
	qs_buf msg = QS_BUF_INIT;
	size_t i, nhunks_failed = 0;
	const qs_file_report *first = NULL;

	for (i = 0; i < res->nfiles; i++)
		if (!res->files[i].applied && !first)
			first = &res->files[i];
	for (i = 0; i < res->nhunks; i++)
		nhunks_failed += !res->hunks[i].applied && res->hunks[i].hunk;
	if (commit_error) {
		qs_buf_adds(&msg, commit_error);
	} else if (first) {
		const qs_hunk_report *h = NULL;

		for (i = 0; i < res->nhunks; i++)
			if ((first->reason == hunk_failed_reason ||
			     first->reason == conflict_reason) &&
			    &res->files[res->hunks[i].file] == first &&
			    !res->hunks[i].applied && res->hunks[i].hunk) {
				h = &res->hunks[i];
				break;
			}
		qs_buf_addf(&msg, "%s: ", first->path ? first->path : "?");
		if (h) {
			qs_buf_addf(&msg, "hunk #%zu at line %zu does not apply",
				    h->hunk, h->new_line ? h->new_line : h->old_line);
			if (h->conflict)
				qs_buf_adds(&msg, " (3-way merge conflict)");
			else if (h->reason && strstr(h->reason, "line endings"))
				qs_buf_adds(&msg, " (different line endings)");
			else if (h->reason && strstr(h->reason, "misordered"))
				qs_buf_adds(&msg, " (misordered hunks)");
			else if (h->reason && strstr(h->reason, "creates the file"))
				qs_buf_adds(&msg, " (the file to create exists)");
		} else {
			qs_buf_adds(&msg, first->reason ? first->reason : "does not apply");
		}
		if (nfailed > 1 || nhunks_failed > 1)
			qs_buf_addf(&msg, " (%zu hunk%s failed in %zu file%s)",
				    nhunks_failed, nhunks_failed == 1 ? "" : "s",
				    nfailed, nfailed == 1 ? "" : "s");
	} else {
		qs_buf_adds(&msg, "the patch does not apply");
	}
	if (reversed)
		qs_buf_adds(&msg, "; reversed (or previously applied) patch detected");
	if (qs_buf_oom(&msg))
		return QS_ENOMEM;
	res->error = qs_buf_detach(&msg);
	return 0;
}

int qs_apply_diff(qs_apply_result **out, qs_applier *ap, const git_oid *base,
		  const qs_diff *diff, int strip, int reverse)
{
	struct pstate ps;
	qs_apply_result *res = NULL;
	char *commit_error = NULL;
	size_t i;
	int ret = 0;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_apply_diff: out is NULL");
	*out = NULL;
	if (!ap || !base || !diff)
		return qs__error_set(QS_EINVAL,
				     "qs_apply_diff: applier, base or diff is NULL");
	if (strip < 0)
		return qs__error_set(QS_EINVAL, "qs_apply_diff: negative strip level %d",
				     strip);
	memset(&ps, 0, sizeof(ps));
	qs__store_trim(ap->store);
	res = qs__calloc(1, sizeof(*res));
	if (!res)
		return QS_ENOMEM;
	ps.ap = ap;
	ps.base = base;
	ps.strip = strip;
	ps.reverse = !!reverse;
	ps.res = res;

	if ((ret = qs__store_check_tree(ap->store, base)) < 0)
		goto done;
	for (i = 0; i < qs_diff_file_count(diff); i++) {
		ret = do_file(&ps, qs_diff_file_byindex(diff, i));
		if (ret < 0)
			goto done;
	}
	if (!qs_diff_file_count(diff)) {
		/* GNU patch: "Only garbage was found in the patch input." */
		ps.nfailed++;
		commit_error = qs__strdup("the patch holds no diff");
		if (!commit_error) {
			ret = QS_ENOMEM;
			goto done;
		}
	}
	if (!ps.nfailed) {
		ret = commit(&ps, &res->tree);
		if (ret == QS_EAPPLY) {
			commit_error = qs__strdup(qs_error_last()->message);
			qs_error_clear();
			if (!commit_error) {
				ret = QS_ENOMEM;
				goto done;
			}
			ret = 0;
		}
		if (ret < 0)
			goto done;
	}
	if (ps.nfailed) {
		res->status = QS_APPLY_FAILED;
		if ((ret = set_error(res, ps.nfailed, ps.reversed_hint,
				     commit_error)) < 0)
			goto done;
	} else {
		res->status = QS_APPLIED_CLEAN;
		for (i = 0; i < res->nhunks; i++) {
			const qs_hunk_report *h = &res->hunks[i];
			qs_apply_status s = h->merged ? QS_APPLIED_3WAY :
					    h->fuzz ? QS_APPLIED_FUZZ :
					    h->offset ? QS_APPLIED_OFFSET :
					    QS_APPLIED_CLEAN;

			if (h->fuzz > res->fuzz)
				res->fuzz = h->fuzz;
			if (s > res->status)
				res->status = s;
		}
		for (i = 0; i < res->nfiles; i++)
			if (res->files[i].merged)
				res->status = QS_APPLIED_3WAY;
	}
	*out = res;
	res = NULL;
done:
	free(commit_error);
	pstate_release(&ps);
	qs_apply_result_free(res);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The applier and the result */

int qs_applier_new(qs_applier **out, git_repository *repo,
		   const qs_apply_options *opts)
{
	qs_apply_options defaults = QS_APPLY_OPTIONS_INIT;
	qs_applier *ap;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_applier_new: out is NULL");
	*out = NULL;
	if (!repo)
		return qs__error_set(QS_EINVAL, "qs_applier_new: repo is NULL");
	if (opts && opts->version != QS_APPLY_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL,
				     "qs_applier_new: unknown options version %u",
				     opts->version);
	if (opts && opts->fuzz < 0)
		return qs__error_set(QS_EINVAL, "negative fuzz factor %d",
				     opts->fuzz);
	ap = qs__calloc(1, sizeof(*ap));
	if (!ap)
		return QS_ENOMEM;
	ap->opts = opts ? *opts : defaults;
	if ((ret = qs__store_new(&ap->store, repo)) < 0) {
		free(ap);
		return ret;
	}
	*out = ap;
	return 0;
}

struct qs__store *qs__applier_store(qs_applier *ap)
{
	return ap->store;
}

void qs__applier_set_flags(qs_applier *ap, unsigned int flags)
{
	ap->opts.flags = flags;
}

void qs_applier_free(qs_applier *ap)
{
	if (!ap)
		return;
	qs__store_free(ap->store);
	free(ap);
}

int qs_applier_flush(qs_applier *ap)
{
	if (!ap)
		return qs__error_set(QS_EINVAL, "qs_applier_flush: applier is NULL");
	return qs__store_flush(ap->store);
}

size_t qs_applier_pending(const qs_applier *ap, size_t *bytes)
{
	if (!ap) {
		if (bytes)
			*bytes = 0;
		return 0;
	}
	return qs__store_pending(ap->store, bytes);
}

void qs_apply_result_free(qs_apply_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->nstrings; i++)
		free(res->strings[i]);
	free(res->strings);
	free(res->files);
	free(res->hunks);
	free(res->error);
	free(res);
}

qs_apply_status qs_apply_result_status(const qs_apply_result *res)
{
	return res ? res->status : QS_APPLY_FAILED;
}

const git_oid *qs_apply_result_tree(const qs_apply_result *res)
{
	return res && res->status != QS_APPLY_FAILED ? &res->tree : NULL;
}

int qs_apply_result_fuzz(const qs_apply_result *res)
{
	return res ? res->fuzz : 0;
}

const char *qs_apply_result_error(const qs_apply_result *res)
{
	return res && res->status == QS_APPLY_FAILED ? res->error : NULL;
}

size_t qs_apply_result_file_count(const qs_apply_result *res)
{
	return res ? res->nfiles : 0;
}

const qs_file_report *qs_apply_result_file_byindex(const qs_apply_result *res,
						   size_t i)
{
	return res && i < res->nfiles ? &res->files[i] : NULL;
}

size_t qs_apply_result_hunk_count(const qs_apply_result *res)
{
	return res ? res->nhunks : 0;
}

const qs_hunk_report *qs_apply_result_hunk_byindex(const qs_apply_result *res,
						   size_t i)
{
	return res && i < res->nhunks ? &res->hunks[i] : NULL;
}
