/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The applier's object store (see objstore.h).
 *
 * libgit2 keeps parsed trees in its object cache only up to 4 KiB by
 * default, and changing that limit is process-wide; the trees a kernel
 * patch walks (the root, drivers/, include/linux/) are larger. So trees
 * are parsed here once and kept by id until the cache grows past
 * TREE_CACHE_BYTES, when it is emptied between two patches.
 */
#include "objstore-internal.h"

#include <git2/sys/mempack.h>

#define TREE_CACHE_BYTES (32u << 20)
/* above any backend libgit2 adds on its own (loose 1, packed 2) */
#define MEMPACK_PRIORITY 999


static size_t oid_hash(const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h));
	return h;
}

static void node_free(struct tnode *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->names);
	free(t);
}

static struct tnode *cache_get(const struct qs__store *s, const git_oid *oid)
{
	size_t i;

	if (!s->nslots)
		return NULL;
	for (i = oid_hash(oid) & (s->nslots - 1); s->slots[i];
	     i = (i + 1) & (s->nslots - 1))
		if (git_oid_equal(&s->slots[i]->oid, oid))
			return s->slots[i];
	return NULL;
}

static int cache_put(struct qs__store *s, struct tnode *t)
{
	size_t i;

	if ((s->ntrees + 1) * 2 > s->nslots) {
		size_t n = s->nslots ? s->nslots * 2 : 256, k;
		struct tnode **slots = qs__calloc(n, sizeof(*slots));

		if (!slots)
			return QS_ENOMEM;
		for (k = 0; k < s->nslots; k++) {
			struct tnode *o = s->slots[k];

			if (!o)
				continue;
			for (i = oid_hash(&o->oid) & (n - 1); slots[i];
			     i = (i + 1) & (n - 1))
				;
			slots[i] = o;
		}
		free(s->slots);
		s->slots = slots;
		s->nslots = n;
	}
	for (i = oid_hash(&t->oid) & (s->nslots - 1); s->slots[i];
	     i = (i + 1) & (s->nslots - 1))
		;
	s->slots[i] = t;
	s->ntrees++;
	s->tree_bytes += t->bytes;
	return 0;
}

static void cache_clear(struct qs__store *s)
{
	size_t i;

	for (i = 0; i < s->nslots; i++) {
		node_free(s->slots[i]);
		s->slots[i] = NULL;
	}
	s->ntrees = 0;
	s->tree_bytes = 0;
}

void qs__store_trim(struct qs__store *s)
{
	if (s && s->tree_bytes > TREE_CACHE_BYTES)
		cache_clear(s);
}

/* Parse a raw tree object. */
static int parse_tree(struct tnode **out, const git_oid *oid,
		      const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	struct tnode *t;
	size_t n = 0, i, names = 0;
	char *np;

	/* count first: one allocation for the entries, one for the names */
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul || (size_t)(end - nul) < 1 + GIT_OID_RAWSZ)
			goto bad;
		names += (size_t)(nul - p) + 1;
		p = nul + 1 + GIT_OID_RAWSZ;
		n++;
	}
	t = qs__calloc(1, sizeof(*t));
	if (!t)
		return QS_ENOMEM;
	t->ents = qs__reallocarray(NULL, n, sizeof(*t->ents));
	t->names = qs__malloc(names);
	if (!t->ents || !t->names) {
		node_free(t);
		return QS_ENOMEM;
	}
	git_oid_cpy(&t->oid, oid);
	t->n = n;
	t->bytes = sizeof(*t) + n * sizeof(*t->ents) + names;
	np = t->names;
	for (p = data, i = 0; i < n; i++) {
		struct tent *e = &t->ents[i];
		uint32_t mode = 0;
		const char *sp;

		for (sp = p; *sp >= '0' && *sp <= '7'; sp++)
			mode = (mode << 3) | (uint32_t)(*sp - '0');
		if (sp == p || *sp != ' ' || sp[1] == '\0' || mode > 0177777u) {
			node_free(t);
			goto bad;
		}
		e->mode = mode;
		e->len = (uint32_t)strlen(sp + 1);
		memcpy(np, sp + 1, e->len + 1);
		e->name = np;
		np += e->len + 1;
		p = sp + 1 + e->len + 1;
		memcpy(e->oid.id, p, GIT_OID_RAWSZ);
		p += GIT_OID_RAWSZ;
	}
	*out = t;
	return 0;
bad:
	{
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), oid);
		return qs__error_set(QS_EGIT, "corrupt tree object '%s'", hex);
	}
}

int qs__store_load_tree_checked(struct tnode **out, struct qs__store *s,
				const git_oid *oid)
{
	git_odb_object *obj = NULL;
	struct tnode *t;
	int ret;

	if ((ret = qs__store_check(s, oid, &obj)) <= 0)
		return ret;
	if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
		git_odb_object_free(obj);
		return 0;	/* a tree's id naming something else: the name is wrong */
	}
	if ((t = cache_get(s, oid))) {
		git_odb_object_free(obj);
		*out = t;
		return 1;
	}
	ret = parse_tree(&t, oid, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	if (ret == QS_ENOMEM)
		return ret;
	if (ret < 0) {
		qs_error_clear();
		return 0;	/* hashes right, cannot be parsed: git made no such tree */
	}
	if ((ret = cache_put(s, t)) < 0) {
		node_free(t);
		return ret;
	}
	*out = t;
	return 1;
}

int qs__store_load_tree(struct tnode **out, struct qs__store *s,
			const git_oid *oid)
{
	git_odb_object *obj = NULL;
	struct tnode *t = cache_get(s, oid);
	int ret;

	if (t) {
		*out = t;
		return 0;
	}
	if ((ret = qs__store_read(&obj, s, oid)) < 0)
		return ret;
	if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), oid);
		ret = qs__error_set(QS_EGIT, "object '%s' is not a tree", hex);
		goto done;
	}
	ret = parse_tree(&t, oid, git_odb_object_data(obj),
			 git_odb_object_size(obj));
	if (ret < 0)
		goto done;
	if ((ret = cache_put(s, t)) < 0) {
		node_free(t);
		goto done;
	}
	*out = t;
done:
	git_odb_object_free(obj);
	return ret;
}

const struct tent *qs__store_node_find(const struct tnode *t, const char *name,
				      size_t len)
{
	int as_tree;

	if (!t)
		return NULL;
	for (as_tree = 0; as_tree <= 1; as_tree++) {
		size_t lo = 0, hi = t->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct tent *e = &t->ents[mid];
			int c = qs__tree_entry_cmp(name, len, as_tree, e->name,
						   e->len, qs__is_tree_mode(e->mode));

			if (!c && e->len == len)
				return e;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return NULL;
}

int qs__store_check_tree(struct qs__store *s, const git_oid *oid)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct tnode *t;

	if (cache_get(s, oid))
		return 0;
	if (!git_odb_exists(s->odb, oid)) {
		git_oid_tostr(hex, sizeof(hex), oid);
		return qs__error_set(QS_ENOTFOUND, "tree '%s' is not in the repository",
				     hex);
	}
	return qs__store_load_tree(&t, s, oid);
}

int qs__store_find(struct qs__store *s, const git_oid *root,
		   const char *path, size_t len, uint32_t *mode, git_oid *oid,
		   size_t *stop)
{
	const struct tent *e = NULL;
	struct tnode *t;
	size_t pos = 0;
	int ret;

	if (stop)
		*stop = 0;
	if ((ret = qs__store_load_tree(&t, s, root)) < 0)
		return ret;
	for (;;) {
		const char *slash = memchr(path + pos, '/', len - pos);
		size_t clen = slash ? (size_t)(slash - path) - pos : len - pos;

		e = qs__store_node_find(t, path + pos, clen);
		if (!e)
			return QS_ENOTFOUND;
		if (!slash)
			break;
		if (!qs__is_tree_mode(e->mode)) {
			if (stop)
				*stop = pos + clen;
			if (mode)
				*mode = e->mode;
			return QS_ENOTFOUND;
		}
		if ((ret = qs__store_load_tree(&t, s, &e->oid)) < 0)
			return ret;
		pos += clen + 1;
	}
	if (mode)
		*mode = e->mode;
	if (oid)
		git_oid_cpy(oid, &e->oid);
	return 0;
}

int qs__store_read(git_odb_object **out, struct qs__store *s,
		   const git_oid *oid)
{
	int err = git_odb_read(out, s->odb, oid);

	if (err == GIT_ENOTFOUND) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), oid);
		return qs__error_set(QS_EGIT, "object '%s' is missing", hex);
	}
	if (err < 0)
		return qs__error_git("cannot read an object");
	return 0;
}

int qs__store_find_blob(git_oid *out, struct qs__store *s, const char *hex)
{
	git_odb_object *obj = NULL;
	size_t len = strlen(hex);
	git_oid prefix;
	int err;

	if (len < GIT_OID_MINPREFIXLEN || len > GIT_OID_HEXSZ ||
	    git_oid_fromstrn(&prefix, hex, len) < 0)
		return QS_ENOTFOUND;
	/* the in-memory store answers exact ids only */
	if (len == GIT_OID_HEXSZ)
		err = git_odb_read(&obj, s->odb, &prefix);
	else
		err = git_odb_read_prefix(&obj, s->odb, &prefix, len);
	if (err == GIT_ENOTFOUND || err == GIT_EAMBIGUOUS)
		return QS_ENOTFOUND;
	if (err < 0)
		return qs__error_git("cannot look up a blob");
	err = git_odb_object_type(obj) == GIT_OBJECT_BLOB ? 0 : QS_ENOTFOUND;
	if (!err)
		git_oid_cpy(out, git_odb_object_id(obj));
	git_odb_object_free(obj);
	return err;
}

/*
 * Put a new object in the mempack and list it for the flush, with the
 * pending object it is a next version of (SIZE_MAX: none).
 */
static int store_pending(struct qs__store *s, const git_oid *id,
			 const void *data, size_t len, git_object_t type,
			 size_t base)
{
	/* room first: an object in memory but not listed would never be flushed */
	if (QS_ARRAY_GROW(s->pending, s->pending_alloc, s->npending + 1) < 0)
		return QS_ENOMEM;
	if (s->mempack->write(s->mempack, id, data, len, type) < 0)
		return qs__error_git("cannot store an object in memory");
	git_oid_cpy(&s->pending[s->npending].oid, id);
	s->pending[s->npending].base = base;
	s->npending++;
	s->pending_bytes += len;
	return 0;
}

/* Write an object; remember it when it went to the in-memory store. */
static int write_object(git_oid *out, struct qs__store *s, const void *data,
			size_t len, git_object_t type, const char *name,
			size_t name_len)
{
	size_t *latest, base = SIZE_MAX;
	git_oid id;
	int ret;

	if (git_odb_hash(&id, data, len, type) < 0)
		return qs__error_git("cannot hash an object");
	git_oid_cpy(out, &id);
	if (s->record) {
		char hex[GIT_OID_HEXSZ];

		git_oid_fmt(hex, &id);
		qs_buf_add(s->record, hex, sizeof(hex));
	}
	/*
	 * Already in memory or in the repository: never written twice. No
	 * refresh of the pack list on a miss (most writes are new objects);
	 * the flush refreshes it once after adding its pack.
	 */
	if (s->mempack->exists(s->mempack, &id))
		return 0;
	if (git_odb_exists_ext(s->odb, &id, GIT_ODB_LOOKUP_NO_REFRESH) &&
	    (ret = qs__store_must_rewrite(s, &id, type)) <= 0)
		return ret;
	qs__store_note_write(s, &id);
	latest = NULL;
	if (name) {
		qs_buf_clear(&s->key);
		qs_buf_addch(&s->key, type == GIT_OBJECT_TREE ? 't' : 'b');
		qs_buf_add(&s->key, name, name_len);
		if (qs_buf_oom(&s->key))
			return QS_ENOMEM;
		latest = qs__strmap_get(&s->latest, s->key.ptr);
		if (latest)
			base = *latest;
	}
	if ((ret = store_pending(s, &id, data, len, type, base)) < 0)
		return ret;
	if (latest)
		*latest = s->npending - 1;
	else if (name && qs__strmap_put(&s->latest, s->key.ptr, s->npending - 1) < 0)
		return QS_ENOMEM;
	return 0;
}

int qs__store_write_blob(git_oid *out, struct qs__store *s, const void *data,
			 size_t len, const char *path)
{
	return write_object(out, s, data, len, GIT_OBJECT_BLOB, path,
			    path ? strlen(path) : 0);
}

int qs__store_write(git_oid *out, struct qs__store *s, const void *data,
		    size_t len, git_object_t type)
{
	return write_object(out, s, data, len, type, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Writing trees (their updates: objstore-tree.c) */

/* git's tree mode: octal, no leading zero ("40000", "100644") */
static void add_mode(qs_buf *raw, uint32_t mode)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = (char)('0' + (mode & 7));
		mode >>= 3;
	} while (mode && n < 11);
	while (n)
		qs_buf_addch(raw, digits[--n]);
	qs_buf_addch(raw, ' ');
}

int qs__store_write_tree(git_oid *out, struct qs__store *s,
			 const struct tent *ents, size_t n, const char *path,
			 size_t path_len)
{
	qs_buf raw = QS_BUF_INIT;
	struct tnode *t = NULL;
	size_t i, size = 0;
	int ret;

	for (i = 0; i < n; i++)
		size += ents[i].len + 28;
	qs_buf_grow(&raw, size);
	for (i = 0; i < n; i++) {
		add_mode(&raw, ents[i].mode);
		qs_buf_add(&raw, ents[i].name, ents[i].len);
		qs_buf_addch(&raw, '\0');
		qs_buf_add(&raw, ents[i].oid.id, GIT_OID_RAWSZ);
	}
	if (qs_buf_oom(&raw)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = write_object(out, s, raw.ptr, raw.len, GIT_OBJECT_TREE,
				path, path_len)) < 0)
		goto done;
	if (cache_get(s, out))
		goto done;
	if ((ret = parse_tree(&t, out, raw.ptr, raw.len)) < 0)
		goto done;
	if ((ret = cache_put(s, t)) < 0)
		node_free(t);
done:
	qs_buf_release(&raw);
	return ret;
}

/* ------------------------------------------------------------------ */
/*
 * The odb sees the mempack through this recorder, which notes every
 * object written through the odb by others (libgit2's merges, commits)
 * so that the flush packs them too: git_mempack_dump() would pack only
 * what commits reach, base tree and all.
 */
struct recorder {
	git_odb_backend parent;
	git_odb_backend *mem;
	struct qs__store *s;
};

static int rec_read(void **data, size_t *len, git_object_t *type,
		    git_odb_backend *b, const git_oid *oid)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->read(data, len, type, mem, oid);
}

static int rec_read_prefix(git_oid *out, void **data, size_t *len,
			   git_object_t *type, git_odb_backend *b,
			   const git_oid *prefix, size_t n)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->read_prefix(out, data, len, type, mem, prefix, n);
}

static int rec_read_header(size_t *len, git_object_t *type,
			   git_odb_backend *b, const git_oid *oid)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->read_header(len, type, mem, oid);
}

static int rec_exists(git_odb_backend *b, const git_oid *oid)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->exists(mem, oid);
}

static int rec_exists_prefix(git_oid *out, git_odb_backend *b,
			     const git_oid *prefix, size_t n)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->exists_prefix(out, mem, prefix, n);
}

static int rec_write(git_odb_backend *b, const git_oid *oid, const void *data,
		     size_t len, git_object_t type)
{
	struct recorder *r = (struct recorder *)b;
	int ret;

	if (r->mem->exists(r->mem, oid))
		return 0;
	/* libgit2 wants -1 and its own error set */
	ret = store_pending(r->s, oid, data, len, type, SIZE_MAX);
	if (ret == QS_ENOMEM)
		git_error_set_oom();
	else if (ret < 0)
		git_error_set_str(GIT_ERROR_ODB, qs_error_last()->message);
	return ret < 0 ? -1 : 0;
}

static void rec_free(git_odb_backend *b)
{
	struct recorder *r = (struct recorder *)b;

	r->mem->free(r->mem);
	free(r);
}

static int add_recorder(struct qs__store *s)
{
	struct recorder *r = qs__calloc(1, sizeof(*r));

	if (!r) {
		s->mempack->free(s->mempack);
		s->mempack = NULL;
		return QS_ENOMEM;
	}
	r->parent.version = GIT_ODB_BACKEND_VERSION;
	/* the odb skips what a backend lacks: offer only what mempack has */
	r->parent.read = s->mempack->read ? rec_read : NULL;
	r->parent.read_prefix = s->mempack->read_prefix ? rec_read_prefix : NULL;
	r->parent.read_header = s->mempack->read_header ? rec_read_header : NULL;
	r->parent.write = rec_write;
	r->parent.exists = s->mempack->exists ? rec_exists : NULL;
	r->parent.exists_prefix = s->mempack->exists_prefix ? rec_exists_prefix : NULL;
	r->parent.free = rec_free;
	r->mem = s->mempack;
	r->s = s;
	if (git_odb_add_backend(s->odb, &r->parent, MEMPACK_PRIORITY) < 0) {
		rec_free(&r->parent);
		s->mempack = NULL;
		return qs__error_git("cannot add the in-memory object store");
	}
	return 0;
}

/* Life cycle and flush */

int qs__store_new(struct qs__store **out, git_repository *repo)
{
	struct qs__store *s;
	const char *dir = git_repository_commondir(repo);
	int ret = 0;

	*out = NULL;
	s = qs__calloc(1, sizeof(*s));
	if (!s)
		return QS_ENOMEM;
	qs_buf_init(&s->key);
	s->repo = repo;
	/*
	 * An odb keeps its backends until it is freed, and libgit2 has no
	 * call to remove one: a mempack added to the caller's odb would
	 * keep capturing their writes after we are gone. So write through
	 * a handle of our own when the repository lives on disk.
	 */
	if (dir && git_repository_open_bare(&s->own, dir) < 0) {
		ret = qs__error_git("cannot open the repository");
		goto fail;
	}
	if (git_repository_odb(&s->odb, s->own ? s->own : repo) < 0) {
		ret = qs__error_git("cannot open the object database");
		goto fail;
	}
	if (git_mempack_new(&s->mempack) < 0) {
		ret = qs__error_git("cannot create the in-memory object store");
		goto fail;
	}
	if ((ret = add_recorder(s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	qs__store_free(s);
	return ret;
}

void qs__store_free(struct qs__store *s)
{
	size_t i;

	if (!s)
		return;
	/* the odb frees the mempack; drop what was never flushed first */
	if (s->mempack)
		git_mempack_reset(s->mempack);
	/*
	 * Not removed: a build that fails after its refs journal is written
	 * leaves refs for the recovery to write, naming what these packs
	 * hold; the next build removes them after that recovery.
	 */
	for (i = 0; i < s->nkeeps; i++)
		free(s->keeps[i]);
	free(s->keeps);
	qs__oidset_clear(&s->sound);
	qs__oidset_clear(&s->whole);
	qs__oidset_clear(&s->renew);
	qs__oidset_clear(&s->listed);
	qs__oidset_clear(&s->rewritten);
	free(s->damaged);
	free(s->keep_line);
	git_odb_free(s->odb);
	git_repository_free(s->own);
	for (i = 0; i < s->nslots; i++)
		node_free(s->slots[i]);
	free(s->slots);
	free(s->pending);
	qs_buf_release(&s->key);
	qs__strmap_clear(&s->latest);
	free(s);
}

size_t qs__store_pending(const struct qs__store *s, size_t *bytes)
{
	if (bytes)
		*bytes = s->pending_bytes;
	return s->npending;
}

git_repository *qs__store_repository(const struct qs__store *s)
{
	return s->own ? s->own : s->repo;
}
