// SPDX-License-Identifier: GPL-2.0-only
/*
 * Integration merges and recorded resolutions (see merge.h).
 *
 * libgit2 merges the trees; a conflicted file is then merged again on
 * its own (git_merge_file_from_index, git's default "merge" style, as
 * `git merge` writes it into a worktree) to see its conflict hunks.
 * Hunk boundaries therefore are git's: xdiff's "zealous" level joins
 * conflicts fewer than four lines apart, so two hunks of a file always
 * have unchanged text between them, which is what lets a recorded
 * resolution be cut out of a resolved file by its unchanged neighbours.
 */
#include "merge.h"
#include "state.h"
#include "sha1.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/index.h>

#define MARKER_SIZE 7

/*
 * git's rename limit for merges (merge.renameLimit's default); set
 * here so that the repository's configuration cannot change a result.
 */
#define RENAME_LIMIT 7000

#define MODE_TYPE(m) ((m) & 0170000u)
#define MODE_FILE 0100000u
#define MODE_LINK 0120000u

/* One stage of a conflict, copied: index entries move when it changes. */
struct side {
	int set;
	uint32_t mode;
	git_oid id;
	char *path;
};

/*
 * The stages of one conflicted file. libgit2 leaves a renamed file's
 * stages at their own paths and ties them with NAME entries; they are
 * gathered here on the ancestor's path, as its checkout does.
 */
struct conflict {
	struct side anc, ours, theirs;
	int renamed;		/* renamed apart, or onto another file */
};

/* A conflict hunk in the merged text, as byte offsets. */
struct span {
	size_t start, end;	/* "<<<<<<<" line .. after the ">>>>>>>" line */
	size_t line;
	size_t s1, l1, s2, l2;	/* our side, their side */
};

struct merge {
	git_repository *repo;
	git_index *index;
	struct conflict *c;
	size_t nc, alloc;
};

/* What examine() found about one conflict. */
struct examined {
	const char *kind;
	char *path;		/* where the file goes (git's path) */
	uint32_t mode;		/* the merged mode, for a content conflict */
	qs_buf text;		/* the file with conflict markers */
	struct span *spans;
	size_t nspans, spans_alloc;
};

static void side_clear(struct side *s)
{
	free(s->path);
	memset(s, 0, sizeof(*s));
}

static int side_copy(struct side *s, const git_index_entry *e)
{
	if (!e)
		return 0;
	if (!(s->path = qs__strdup(e->path)))
		return QS_ENOMEM;
	s->set = 1;
	s->mode = e->mode;
	git_oid_cpy(&s->id, &e->id);
	return 0;
}

static void merge_clear(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->nc; i++) {
		side_clear(&m->c[i].anc);
		side_clear(&m->c[i].ours);
		side_clear(&m->c[i].theirs);
	}
	free(m->c);
	git_index_free(m->index);
	memset(m, 0, sizeof(*m));
}

static void examined_clear(struct examined *x)
{
	free(x->path);
	qs_buf_release(&x->text);
	free(x->spans);
	memset(x, 0, sizeof(*x));
	qs_buf_init(&x->text);
}

static struct conflict *find_ancestor(struct merge *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nc; i++)
		if (m->c[i].anc.set && !strcmp(m->c[i].anc.path, path))
			return &m->c[i];
	return NULL;
}

/* The stages a rename left at `path`, with no ancestor of their own. */
static struct conflict *find_branch(struct merge *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nc; i++) {
		struct conflict *c = &m->c[i];
		const struct side *s = c->ours.set ? &c->ours : &c->theirs;

		if (!c->anc.set && s->set && !strcmp(s->path, path))
			return c;
	}
	return NULL;
}

/* Move a renamed side onto the conflict of its ancestor. */
static void gather(struct conflict *to, struct conflict *from, int ours)
{
	struct side *dst = ours ? &to->ours : &to->theirs;
	struct side *src = ours ? &from->ours : &from->theirs;
	struct side *other = ours ? &from->theirs : &from->ours;

	if (!src->set)
		return;
	side_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	if (other->set) {
		/* renamed onto a file the other side added */
		from->renamed = 1;
		to->renamed = 1;
	}
}

static void gather_renames(struct merge *m)
{
	size_t i, n = git_index_name_entrycount(m->index);

	for (i = 0; i < n; i++) {
		const git_index_name_entry *ne =
			git_index_name_get_byindex(m->index, i);
		struct conflict *a, *o = NULL, *t = NULL;

		if (!ne || !ne->ancestor || !(a = find_ancestor(m, ne->ancestor)))
			continue;
		if (ne->ours && strcmp(ne->ours, ne->ancestor))
			o = find_branch(m, ne->ours);
		if (ne->theirs && strcmp(ne->theirs, ne->ancestor))
			t = find_branch(m, ne->theirs);
		if (o && o != a)
			gather(a, o, 1);
		if (t && t != a)
			gather(a, t, 0);
		if (o && t && o != a && t != a)
			a->renamed = 1;	/* renamed to two different names */
	}
}

/* Merge the commits and collect the conflicts. */
static int merge_prepare(struct merge *m, git_repository *repo,
			 const git_oid *ours, const git_oid *theirs)
{
	git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
	git_commit *c1 = NULL, *c2 = NULL;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;
	int ret, gret;

	m->repo = repo;
	opts.target_limit = RENAME_LIMIT;
	if (git_commit_lookup(&c1, repo, ours) < 0 ||
	    git_commit_lookup(&c2, repo, theirs) < 0) {
		ret = qs__error_git("cannot find the commits to merge");
		goto done;
	}
	if (git_merge_commits(&m->index, repo, c1, c2, &opts) < 0) {
		ret = qs__error_git("cannot merge");
		goto done;
	}
	if (git_index_conflict_iterator_new(&it, m->index) < 0) {
		ret = qs__error_git("cannot list the conflicts");
		goto done;
	}
	while ((gret = git_index_conflict_next(&a, &o, &t, it)) == 0) {
		struct conflict *c;

		if ((ret = QS_ARRAY_GROW(m->c, m->alloc, m->nc + 1)) < 0)
			goto done;
		c = &m->c[m->nc++];
		memset(c, 0, sizeof(*c));
		if ((ret = side_copy(&c->anc, a)) < 0 ||
		    (ret = side_copy(&c->ours, o)) < 0 ||
		    (ret = side_copy(&c->theirs, t)) < 0)
			goto done;
	}
	if (gret != GIT_ITEROVER) {
		ret = qs__error_git("cannot list the conflicts");
		goto done;
	}
	gather_renames(m);
	ret = 0;
done:
	git_index_conflict_iterator_free(it);
	git_commit_free(c1);
	git_commit_free(c2);
	return ret;
}

/*
 * A conflict marker line: seven marker characters, then a space (the
 * label) or the end of the line, as git rerere takes them.
 */
static int is_marker(const char *line, size_t len, char ch)
{
	size_t i;

	if (len < MARKER_SIZE)
		return 0;
	for (i = 0; i < MARKER_SIZE; i++)
		if (line[i] != ch)
			return 0;
	return len == MARKER_SIZE || isspace((unsigned char)line[MARKER_SIZE]);
}

/*
 * Cut a merged file into conflict hunks. Returns 1 when its markers do
 * not nest as a merge writes them (a marker-like line in the file).
 */
static int cut_hunks(struct examined *x)
{
	const char *p = x->text.ptr;
	size_t len = x->text.len, pos = 0, lineno = 1;
	struct span *sp = NULL;
	int state = 0;		/* 0 outside, 1 our side, 2 their side */

	while (pos < len) {
		const char *eol = memchr(p + pos, '\n', len - pos);
		size_t next = eol ? (size_t)(eol - p) + 1 : len;
		size_t ll = next - pos;

		if (state == 0 && is_marker(p + pos, ll, '<')) {
			if (QS_ARRAY_GROW(x->spans, x->spans_alloc, x->nspans + 1) < 0)
				return QS_ENOMEM;
			sp = &x->spans[x->nspans++];
			memset(sp, 0, sizeof(*sp));
			sp->start = pos;
			sp->line = lineno;
			sp->s1 = next;
			state = 1;
		} else if (state == 1 && is_marker(p + pos, ll, '=')) {
			sp->l1 = pos - sp->s1;
			sp->s2 = next;
			state = 2;
		} else if (state == 2 && is_marker(p + pos, ll, '>')) {
			sp->l2 = pos - sp->s2;
			sp->end = next;
			state = 0;
		} else if (state && (is_marker(p + pos, ll, '<') ||
				     is_marker(p + pos, ll, '=') ||
				     is_marker(p + pos, ll, '>'))) {
			return 1;
		}
		pos = next;
		lineno++;
	}
	return state != 0;
}

static size_t count_lines(const char *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* rerere's key: the two sides in byte order, each ended by a NUL */
static void hunk_key(char out[41], const char *a, size_t alen,
		     const char *b, size_t blen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[QS_SHA1_SIZE];
	struct qs__sha1 ctx;
	int c = memcmp(a, b, alen < blen ? alen : blen);
	size_t i;

	if (c > 0 || (c == 0 && alen > blen)) {
		const char *tp = a;
		size_t tl = alen;

		a = b;
		alen = blen;
		b = tp;
		blen = tl;
	}
	qs__sha1_init(&ctx);
	qs__sha1_update(&ctx, a, alen);
	qs__sha1_update(&ctx, "", 1);
	qs__sha1_update(&ctx, b, blen);
	qs__sha1_update(&ctx, "", 1);
	qs__sha1_final(&ctx, md);
	for (i = 0; i < QS_SHA1_SIZE; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[40] = '\0';
}

static void side_entry(git_index_entry *e, const struct side *s)
{
	memset(e, 0, sizeof(*e));
	e->path = s->path;
	e->mode = s->mode;
	git_oid_cpy(&e->id, &s->id);
}

/* Classify a conflict; a content conflict is merged and cut into hunks. */
static int examine(struct merge *m, const struct conflict *c,
		   struct examined *x)
{
	git_merge_file_options fopts = GIT_MERGE_FILE_OPTIONS_INIT;
	git_merge_file_result res;
	git_index_entry ea, eo, et;
	const struct side *any = c->ours.set ? &c->ours :
				 c->theirs.set ? &c->theirs : &c->anc;
	const char *path = any->path;
	int ret = 0, cut;

	memset(&res, 0, sizeof(res));
	x->kind = "rename";
	if (!c->renamed && c->ours.set && c->theirs.set) {
		uint32_t to = MODE_TYPE(c->ours.mode);
		uint32_t tt = MODE_TYPE(c->theirs.mode);

		if (to == MODE_FILE && tt == MODE_FILE) {
			side_entry(&ea, &c->anc);
			side_entry(&eo, &c->ours);
			side_entry(&et, &c->theirs);
			fopts.flags = GIT_MERGE_FILE_STYLE_MERGE;
			fopts.marker_size = MARKER_SIZE;
			if (git_merge_file_from_index(&res, m->repo,
						      c->anc.set ? &ea : NULL,
						      &eo, &et, &fopts) < 0) {
				ret = qs__error_git("cannot merge a conflicted file");
				goto done;
			}
			if (!res.ptr) {
				/* libgit2 gives no text for binary files */
				x->kind = "binary";
				goto done;
			}
			x->kind = "content";
			x->mode = res.mode ? res.mode : c->ours.mode;
			if (res.path)
				path = res.path;
			if ((ret = qs_buf_set(&x->text, res.ptr, res.len)) < 0)
				goto done;
			if ((cut = cut_hunks(x)) < 0) {
				ret = cut;
				goto done;
			}
			if (cut)	/* unusable: no hunks, no resolution */
				x->nspans = 0;
		} else if (!c->anc.set) {
			x->kind = "add/add";
		} else if (to != tt) {
			x->kind = "mode";
		} else {
			x->kind = to == MODE_LINK ? "symlink" : "submodule";
		}
	} else if (!c->renamed && c->anc.set && any != &c->anc) {
		/* one side deleted it; "rename" when the other moved it */
		if (!strcmp(any->path, c->anc.path))
			x->kind = "modify/delete";
	}
done:
	if (ret == 0 && !(x->path = qs__strdup(path)))
		ret = QS_ENOMEM;
	git_merge_file_result_free(&res);
	return ret;
}

/* Read "<dir>/<key>"; *found is 0 when there is none. */
static int load_resolution(qs_buf *out, int *found, const char *dir,
			   const char *key)
{
	qs_buf path = QS_BUF_INIT;
	int ret;

	*found = 0;
	qs_buf_clear(out);
	if ((ret = qs_buf_addf(&path, "%s/%s", dir, key)) < 0)
		goto done;
	ret = qs__read_file(out, path.ptr);
	if (ret == QS_ENOTFOUND) {
		qs_error_clear();
		ret = 0;
	} else if (ret == 0) {
		*found = 1;
	}
done:
	qs_buf_release(&path);
	return ret;
}

/* Replace the file's conflict and stage the resolved content. */
static int stage_resolved(struct merge *m, const struct conflict *c,
			  const char *path, uint32_t mode, const qs_buf *content)
{
	const char *paths[3];
	git_index_entry e;
	git_oid id;
	size_t i, j, n = 0;

	if (git_blob_create_from_buffer(&id, m->repo, content->ptr,
					content->len) < 0)
		return qs__error_git("cannot write a resolved file");
	if (c->anc.set)
		paths[n++] = c->anc.path;
	if (c->ours.set)
		paths[n++] = c->ours.path;
	if (c->theirs.set)
		paths[n++] = c->theirs.path;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(paths[i], paths[j]))
				break;
		if (j == i && git_index_conflict_remove(m->index, paths[i]) < 0)
			return qs__error_git("cannot settle a conflict");
	}
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = mode;
	e.file_size = (uint32_t)content->len;
	git_oid_cpy(&e.id, &id);
	if (git_index_add(m->index, &e) < 0)
		return qs__error_git("cannot stage a resolved file");
	return 0;
}

static int conflict_empty(const struct conflict *c)
{
	return !c->anc.set && !c->ours.set && !c->theirs.set;
}

/*
 * Fill the file's hunks and apply recorded resolutions: all of them or
 * none, since a half-resolved file is still a conflict.
 */
static int resolve_file(struct qs__merge_result *out, struct merge *m,
			const struct conflict *c, struct examined *x,
			struct qs__conflict_file *f, const char *dir)
{
	qs_buf *res = NULL;
	qs_buf resolved = QS_BUF_INIT;
	size_t i, n = x->nspans, prev = 0;
	int ret = 0, all = dir != NULL;

	if (!(f->hunks = qs__calloc(n, sizeof(*f->hunks))) ||
	    !(res = qs__calloc(n, sizeof(*res)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	f->nhunks = n;
	for (i = 0; i < n; i++) {
		const struct span *s = &x->spans[i];
		struct qs__conflict_hunk *h = &f->hunks[i];
		int found;

		qs_buf_init(&res[i]);
		h->line = s->line;
		h->ours_lines = count_lines(x->text.ptr + s->s1, s->l1);
		h->theirs_lines = count_lines(x->text.ptr + s->s2, s->l2);
		hunk_key(h->key, x->text.ptr + s->s1, s->l1,
			 x->text.ptr + s->s2, s->l2);
		if (!all)
			continue;
		if ((ret = load_resolution(&res[i], &found, dir, h->key)) < 0)
			goto done;
		all = found;
	}
	if (!all) {
		out->nleft += n;
		goto done;
	}
	for (i = 0; i < n; i++) {
		qs_buf_add(&resolved, x->text.ptr + prev, x->spans[i].start - prev);
		qs_buf_addbuf(&resolved, &res[i]);
		prev = x->spans[i].end;
	}
	qs_buf_add(&resolved, x->text.ptr + prev, x->text.len - prev);
	if (qs_buf_oom(&resolved)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = stage_resolved(m, c, f->path, x->mode, &resolved)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		f->hunks[i].resolved = 1;
	out->nresolved += n;
done:
	if (res)
		for (i = 0; i < n; i++)
			qs_buf_release(&res[i]);
	free(res);
	qs_buf_release(&resolved);
	return ret;
}

int qs__merge_commits(struct qs__merge_result *out, git_repository *repo,
		      const git_oid *ours, const git_oid *theirs,
		      const char *resolutions_dir)
{
	struct merge m;
	struct examined x;
	size_t i, alloc = 0;
	int ret;

	if (!out || !repo || !ours || !theirs)
		return qs__error_set(QS_EINVAL, "merge: missing argument");
	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	qs_buf_init(&x.text);
	if ((ret = merge_prepare(&m, repo, ours, theirs)) < 0)
		goto done;
	for (i = 0; i < m.nc; i++) {
		const struct conflict *c = &m.c[i];
		struct qs__conflict_file *f;

		if (conflict_empty(c))
			continue;
		examined_clear(&x);
		if ((ret = examine(&m, c, &x)) < 0)
			goto done;
		if ((ret = QS_ARRAY_GROW(out->files, alloc, out->nfiles + 1)) < 0)
			goto done;
		f = &out->files[out->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = x.path;
		x.path = NULL;
		f->kind = x.kind;
		if (strcmp(x.kind, "content") || !x.nspans) {
			out->nleft++;
			continue;
		}
		if ((ret = resolve_file(out, &m, c, &x, f, resolutions_dir)) < 0)
			goto done;
	}
	if (out->nleft == 0 &&
	    git_index_write_tree_to(&out->tree, m.index, repo) < 0)
		ret = qs__error_git("cannot write the merged tree");
done:
	examined_clear(&x);
	merge_clear(&m);
	if (ret < 0)
		qs__merge_result_clear(out);
	return ret;
}

void qs__merge_result_clear(struct qs__merge_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].hunks);
	}
	free(r->files);
	memset(r, 0, sizeof(*r));
}

/* Recording. */

struct piece {
	size_t off, len;
};

struct pending {
	char key[41];
	qs_buf text;
};

/*
 * Find each hunk's replacement in the resolved file `r`: the merged
 * file is C0 H1 C1 ... Hn Cn (Ci unchanged text); `r` must start with
 * C0, end with Cn, and hold each Ci in order, at the start of a line,
 * after the previous one. Returns 1 when it does not.
 */
static int split_resolved(const struct examined *x, const char *r,
			  size_t rlen, struct piece *out)
{
	const char *t = x->text.ptr;
	size_t n = x->nspans, c0 = x->spans[0].start;
	size_t cnoff = x->spans[n - 1].end, cn = x->text.len - cnoff;
	size_t lo, hi, i;

	if (rlen < c0 + cn || memcmp(r, t, c0) ||
	    memcmp(r + rlen - cn, t + cnoff, cn))
		return 1;
	lo = c0;
	hi = rlen - cn;
	for (i = 1; i < n; i++) {
		const char *ci = t + x->spans[i - 1].end;
		size_t cl = x->spans[i].start - x->spans[i - 1].end, pos;

		if (!cl)	/* git never writes adjacent hunks (see top) */
			return 1;
		for (pos = lo; pos + cl <= hi; pos++)
			if ((pos == lo || r[pos - 1] == '\n') &&
			    !memcmp(r + pos, ci, cl))
				break;
		if (pos + cl > hi)
			return 1;
		out[i - 1].off = lo;
		out[i - 1].len = pos - lo;
		lo = pos + cl;
	}
	out[n - 1].off = lo;
	out[n - 1].len = hi - lo;
	return 0;
}

/* The first line of `p` that is a conflict marker, or 0. */
static size_t marker_line(const char *p, size_t len)
{
	size_t pos = 0, lineno = 1;

	while (pos < len) {
		const char *eol = memchr(p + pos, '\n', len - pos);
		size_t next = eol ? (size_t)(eol - p) + 1 : len;

		if (is_marker(p + pos, next - pos, '<') ||
		    is_marker(p + pos, next - pos, '>'))
			return lineno;
		pos = next;
		lineno++;
	}
	return 0;
}

static int make_dirs(const char *dir)
{
	qs_buf p = QS_BUF_INIT;
	struct stat st;
	size_t i;
	int ret;

	if ((ret = qs_buf_sets(&p, dir)) < 0)
		goto done;
	for (i = 1; i <= p.len; i++) {
		char ch = p.ptr[i];

		if (ch != '/' && ch != '\0')
			continue;
		p.ptr[i] = '\0';
		if (mkdir(p.ptr, 0777) < 0 && errno != EEXIST) {
			ret = qs__error_os("cannot create directory", p.ptr);
			goto done;
		}
		p.ptr[i] = ch;
	}
	if (stat(dir, &st) < 0) {
		ret = qs__error_os("cannot create directory", dir);
		goto done;
	}
	if (!S_ISDIR(st.st_mode))
		ret = qs__error_set(QS_EIO, "cannot create directory '%s': not a directory",
				    dir);
done:
	qs_buf_release(&p);
	return ret;
}

/* Write "<dir>/<name>" whole or not at all. */
static int write_atomic(const char *dir, const char *name, const qs_buf *data)
{
	qs_buf path = QS_BUF_INIT;
	int ret;

	if (qs_buf_addf(&path, "%s/%s", dir, name) < 0)
		return QS_ENOMEM;
	ret = qs__write_atomic(path.ptr, data->ptr, data->len);
	qs_buf_release(&path);
	return ret;
}

/* Check one resolved file and queue its hunks' resolutions. */
static int take_resolutions(struct pending **pend, size_t *npend,
			    size_t *alloc, const struct examined *x,
			    const char *worktree)
{
	qs_buf path = QS_BUF_INIT, r = QS_BUF_INIT;
	struct piece *pieces = NULL;
	size_t i, line;
	int ret;

	if ((ret = qs_buf_addf(&path, "%s/%s", worktree, x->path)) < 0 ||
	    (ret = qs__read_file(&r, path.ptr)) < 0)
		goto done;
	if ((line = marker_line(r.ptr, r.len))) {
		ret = qs__error_set_at(QS_ECONFLICT, x->path, line,
				       "conflict marker left in the resolved file");
		goto done;
	}
	if (!(pieces = qs__calloc(x->nspans, sizeof(*pieces)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (split_resolved(x, r.ptr, r.len, pieces)) {
		ret = qs__error_set(QS_ECONFLICT,
				    "cannot find the conflict hunks of '%s' in the resolved file: the lines around them were changed",
				    x->path);
		goto done;
	}
	if ((ret = QS_ARRAY_GROW(*pend, *alloc, *npend + x->nspans)) < 0)
		goto done;
	for (i = 0; i < x->nspans; i++) {
		struct pending *p = &(*pend)[(*npend)++];
		const struct span *s = &x->spans[i];

		qs_buf_init(&p->text);
		hunk_key(p->key, x->text.ptr + s->s1, s->l1,
			 x->text.ptr + s->s2, s->l2);
		if ((ret = qs_buf_set(&p->text, r.ptr + pieces[i].off,
				      pieces[i].len)) < 0)
			goto done;
	}
done:
	free(pieces);
	qs_buf_release(&path);
	qs_buf_release(&r);
	return ret;
}

int qs__merge_record(size_t *out_recorded, git_repository *repo,
		     const git_oid *ours, const git_oid *theirs,
		     const char *worktree, const char *resolutions_dir)
{
	struct merge m;
	struct examined x;
	struct pending *pend = NULL;
	size_t i, npend = 0, alloc = 0;
	int ret;

	if (!out_recorded || !repo || !ours || !theirs || !worktree ||
	    !resolutions_dir)
		return qs__error_set(QS_EINVAL, "merge record: missing argument");
	*out_recorded = 0;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	qs_buf_init(&x.text);
	if ((ret = merge_prepare(&m, repo, ours, theirs)) < 0)
		goto done;
	/* every file is checked before anything is written */
	for (i = 0; i < m.nc; i++) {
		const struct conflict *c = &m.c[i];

		if (conflict_empty(c))
			continue;
		examined_clear(&x);
		if ((ret = examine(&m, c, &x)) < 0)
			goto done;
		if (strcmp(x.kind, "content")) {
			ret = qs__error_set(QS_ECONFLICT,
					    "cannot record a resolution of a%s %s conflict in '%s'",
					    x.kind[0] == 'a' ? "n" : "", x.kind,
					    x.path);
			goto done;
		}
		if (!x.nspans) {
			ret = qs__error_set(QS_ECONFLICT,
					    "cannot record a resolution of '%s': its conflict markers do not nest",
					    x.path);
			goto done;
		}
		if ((ret = take_resolutions(&pend, &npend, &alloc, &x,
					    worktree)) < 0)
			goto done;
	}
	if (npend && (ret = make_dirs(resolutions_dir)) < 0)
		goto done;
	for (i = 0; i < npend; i++)
		if ((ret = write_atomic(resolutions_dir, pend[i].key,
					&pend[i].text)) < 0)
			goto done;
	*out_recorded = npend;
done:
	for (i = 0; i < npend; i++)
		qs_buf_release(&pend[i].text);
	free(pend);
	examined_clear(&x);
	merge_clear(&m);
	return ret;
}
