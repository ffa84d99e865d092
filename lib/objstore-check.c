// SPDX-License-Identifier: GPL-2.0-only
/*
 * Damaged objects (see objstore.h): checking what an earlier run made
 * before the build stands on it, and writing again what was found bad.
 *
 * libgit2 is told not to hash what it reads (cli.c: a fifth of a kernel
 * queue's time), as git does not; a loose object replaced by another
 * valid object, or a pack entry that inflates to the wrong bytes, reads
 * without complaint. So the checks here hash what they read themselves.
 */
#include "objstore-internal.h"
#include "sha1.h"

#include <sys/stat.h>
#include <zlib.h>

static int list_damaged(struct qs__store *s, const git_oid *oid, int missing)
{
	int ret;

	if (!missing && (ret = qs__oidset_add(&s->renew, oid)) < 0)
		return ret;
	if ((ret = qs__oidset_add(&s->listed, oid)) <= 0)
		return ret;
	if (QS_ARRAY_GROW(s->damaged, s->damaged_alloc, s->ndamaged + 1) < 0)
		return QS_ENOMEM;
	git_oid_cpy(&s->damaged[s->ndamaged].oid, oid);
	s->damaged[s->ndamaged].missing = missing;
	s->damaged[s->ndamaged].renewed = 0;
	s->ndamaged++;
	return 0;
}

/* A listed object is being written again. */
static void note_renewed(struct qs__store *s, const git_oid *oid)
{
	size_t i;

	if (!qs__oidset_has(&s->listed, oid) || qs__oidset_add(&s->rewritten, oid) <= 0)
		return;	/* not listed, already noted, or no memory to note it: harmless */
	for (i = 0; i < s->ndamaged; i++)
		if (git_oid_equal(&s->damaged[i].oid, oid))
			s->damaged[i].renewed = 1;
}

int qs__store_check(struct qs__store *s, const git_oid *oid,
		    git_odb_object **obj)
{
	git_odb_object *o = NULL;
	git_oid hashed;
	int err, ret;

	if (obj)
		*obj = NULL;
	if (s->mempack->exists(s->mempack, oid) || qs__oidset_has(&s->rewritten, oid)) {
		/* made by this run: good by construction */
		if (obj && git_odb_read(obj, s->odb, oid) < 0)
			return qs__error_git("cannot read an object this build wrote");
		return 1;
	}
	if (qs__oidset_has(&s->renew, oid))
		return 0;
	if (!obj && qs__oidset_has(&s->sound, oid))
		return 1;
	err = git_odb_read(&o, s->odb, oid);
	if (err < 0) {
		int missing = err == GIT_ENOTFOUND ||
			      !git_odb_exists_ext(s->odb, oid, GIT_ODB_LOOKUP_NO_REFRESH);

		qs_error_clear();
		return (ret = list_damaged(s, oid, missing)) < 0 ? ret : 0;
	}
	if (git_odb_hash(&hashed, git_odb_object_data(o), git_odb_object_size(o),
			 git_odb_object_type(o)) < 0 || !git_oid_equal(&hashed, oid)) {
		git_odb_object_free(o);
		qs_error_clear();
		return (ret = list_damaged(s, oid, 0)) < 0 ? ret : 0;
	}
	if ((ret = qs__oidset_add(&s->sound, oid)) < 0) {
		git_odb_object_free(o);
		return ret;
	}
	if (obj)
		*obj = o;
	else
		git_odb_object_free(o);
	return 1;
}

int qs__store_must_rewrite(struct qs__store *s, const git_oid *oid,
			   git_object_t type)
{
	int ret;

	if (qs__oidset_has(&s->rewritten, oid))
		return 0;	/* once is enough */
	if (!qs__oidset_has(&s->renew, oid)) {
		/* as a cached commit is checked: blobs are looked up only */
		if (type == GIT_OBJECT_BLOB && !s->verify)
			return 0;
		if ((ret = qs__store_check(s, oid, NULL)) != 0)
			return ret < 0 ? ret : 0;
	}
	note_renewed(s, oid);
	return 1;
}

void qs__store_note_write(struct qs__store *s, const git_oid *oid)
{
	if (s->listed.count)
		note_renewed(s, oid);
}

/*
 * An object a tree names (a blob or a link; any object when `full` is
 * 0): there, or read and hashed when `full`.
 */
static int check_blob(struct qs__store *s, const git_oid *oid, int full)
{
	int ret;

	if (full)
		return qs__store_check(s, oid, NULL);
	if (qs__oidset_has(&s->renew, oid))
		return 0;
	if (git_odb_exists(s->odb, oid))
		return 1;
	return (ret = list_damaged(s, oid, 1)) < 0 ? ret : 0;
}

/*
 * Tree `oid` against tree `was` (NULL: none, every entry is checked),
 * whose own objects are trusted: 1 when everything that differs is
 * there (and hashes right, `full`), 0 at the first that is not.
 */
static int check_tree(struct qs__store *s, const git_oid *oid,
		      const git_oid *was, int full)
{
	struct tnode *t, *w = NULL;
	size_t i;
	int ret;

	if ((was && git_oid_equal(oid, was)) || qs__oidset_has(&s->whole, oid))
		return 1;
	if ((ret = qs__store_load_tree_checked(&t, s, oid)) <= 0)
		return ret;
	/* the tree before is trusted: read, not checked (it may be gone) */
	if (was && qs__store_load_tree(&w, s, was) < 0) {
		qs_error_clear();
		w = NULL;
	}
	for (i = 0; i < t->n; i++) {
		const struct tent *e = &t->ents[i];
		const struct tent *before = qs__store_node_find(w, e->name, e->len);

		if (before && before->mode == e->mode && git_oid_equal(&before->oid, &e->oid))
			continue;
		if (qs__is_tree_mode(e->mode))
			ret = check_tree(s, &e->oid,
					 before && qs__is_tree_mode(before->mode) ? &before->oid : NULL,
					 full);
		else if ((e->mode & 0170000u) == 0160000u)
			ret = 1;	/* a submodule's commit is not ours to have */
		else
			ret = check_blob(s, &e->oid, full);
		if (ret <= 0)
			return ret;
	}
	return qs__oidset_add(&s->whole, oid) < 0 ? QS_ENOMEM : 1;
}

int qs__store_check_tree_whole(struct qs__store *s, const git_oid *tree)
{
	return check_tree(s, tree, NULL, 1);
}

/* The tree a commit's text names, or -1: its first line is "tree <hex>". */
static int tree_of(git_oid *tree, const char *data, size_t len)
{
	if (len < 5 + GIT_OID_HEXSZ || memcmp(data, "tree ", 5) ||
	    git_oid_fromstrn(tree, data + 5, GIT_OID_HEXSZ) < 0) {
		qs_error_clear();
		return -1;
	}
	return 0;
}

void qs__store_record(struct qs__store *s, qs_buf *ids)
{
	s->record = ids;
}

/*
 * Whether each of the hex ids in `added` is there (and not found
 * damaged): 1, or 0 at the first that is not. Nothing is listed: the
 * applier may have written an object the commit does not hold (a blob a
 * later hunk replaced), which gc rightly prunes; the tree walk decides.
 */
static int all_there(struct qs__store *s, const char *added)
{
	size_t len = strlen(added), i;
	git_oid oid;

	if (len % GIT_OID_HEXSZ)
		return 0;
	for (i = 0; i < len; i += GIT_OID_HEXSZ) {
		if (git_oid_fromstrn(&oid, added + i, GIT_OID_HEXSZ) < 0) {
			qs_error_clear();
			return 0;
		}
		if (qs__oidset_has(&s->renew, &oid) || !git_odb_exists(s->odb, &oid))
			return 0;
	}
	return 1;
}

int qs__store_check_commit(struct qs__store *s, const git_oid *commit,
			   const git_oid *parent, int full, const char *added)
{
	git_odb_object *obj = NULL;
	git_oid tree, parent_tree;
	int ret, has_parent_tree = 0;

	/* between two commits no parsed tree is held: the cache may go (as apply does) */
	qs__store_trim(s);
	if ((ret = qs__store_check(s, commit, &obj)) <= 0)
		return ret;
	ret = git_odb_object_type(obj) != GIT_OBJECT_COMMIT ||
	      tree_of(&tree, git_odb_object_data(obj), git_odb_object_size(obj)) < 0;
	git_odb_object_free(obj);
	if (ret)
		return 0;	/* a commit's id naming something else */
	if (added && !full && all_there(s, added))
		return 1;
	if (parent && qs__store_read(&obj, s, parent) == 0) {
		has_parent_tree = git_odb_object_type(obj) == GIT_OBJECT_COMMIT &&
				  !tree_of(&parent_tree, git_odb_object_data(obj),
					   git_odb_object_size(obj));
		git_odb_object_free(obj);
	}
	qs_error_clear();
	if (full && has_parent_tree &&
	    (ret = check_tree(s, &parent_tree, NULL, 1)) <= 0)
		return ret;
	return check_tree(s, &tree, has_parent_tree ? &parent_tree : NULL, full);
}

void qs__store_set_verify(struct qs__store *s, int on)
{
	s->verify = on;
}

int qs__store_damaged(const struct qs__store *s, size_t i, git_oid *oid,
		      int *missing, int *renewed)
{
	if (i >= s->ndamaged)
		return 0;
	git_oid_cpy(oid, &s->damaged[i].oid);
	*missing = s->damaged[i].missing;
	*renewed = s->damaged[i].renewed;
	return 1;
}

int qs__store_take_damaged(struct qs__store *into, struct qs__store *from)
{
	size_t i;
	int ret;

	for (i = 0; i < from->ndamaged; i++) {
		const struct qs__damaged *d = &from->damaged[i];

		if ((ret = list_damaged(into, &d->oid, d->missing)) < 0)
			return ret;
		if (d->renewed)
			note_renewed(into, &d->oid);
	}
	return 0;
}

/*
 * Whether the loose file `path` holds object `oid`: inflated, its bytes
 * ("<type> <size>\0<content>") must hash to the id. 1, 0, < 0 on errors.
 */
static int loose_is_good(const char *path, const git_oid *oid)
{
	unsigned char out[65536], sum[QS_SHA1_SIZE];
	struct qs__sha1 h;
	qs_buf raw = QS_BUF_INIT;
	z_stream z;
	int zr, ret;

	/* git writes what it writes loose whole: so is it read */
	if ((ret = qs__read_file_max(&raw, path, SIZE_MAX)) < 0) {
		qs_buf_release(&raw);
		return ret;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		qs_buf_release(&raw);
		return QS_ENOMEM;
	}
	qs__sha1_init(&h);
	z.next_in = (unsigned char *)raw.ptr;
	z.avail_in = (uInt)raw.len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			break;
		qs__sha1_update(&h, out, sizeof(out) - z.avail_out);
	} while (zr == Z_OK && (z.avail_in || !z.avail_out));
	inflateEnd(&z);
	qs_buf_release(&raw);
	if (zr != Z_STREAM_END)
		return 0;
	qs__sha1_final(&h, sum);
	return !memcmp(sum, oid->id, QS_SHA1_SIZE);
}

int qs__store_set_aside(struct qs__store *s, const git_oid *oid,
			const char *dir, qs_buf *moved_to)
{
	git_buf objects = GIT_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	qs_buf path = QS_BUF_INIT;
	struct stat st;
	int ret;

	git_oid_tostr(hex, sizeof(hex), oid);
	if (git_repository_item_path(&objects, qs__store_repository(s),
				     GIT_REPOSITORY_ITEM_OBJECTS) < 0)
		return qs__error_git("the repository has no object directory");
	qs_buf_addf(&path, "%s%s%.2s/%s", objects.ptr,
		    objects.size && objects.ptr[objects.size - 1] == '/' ? "" : "/",
		    hex, hex + 2);
	git_buf_dispose(&objects);
	qs_buf_clear(moved_to);
	qs_buf_addf(moved_to, "%s/%s", dir, hex);
	if (qs_buf_oom(&path) || qs_buf_oom(moved_to)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (lstat(path.ptr, &st) < 0) {
		ret = 0;	/* packed, or gone: nothing loose to move */
		goto done;
	}
	if ((ret = loose_is_good(path.ptr, oid)) != 0) {
		ret = ret < 0 ? ret : 0;
		goto done;
	}
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		ret = qs__error_set(QS_EIO, "cannot create '%s': %s", dir, strerror(errno));
		goto done;
	}
	if (rename(path.ptr, moved_to->ptr) < 0) {
		ret = qs__error_set(QS_EIO, "cannot move '%s' to '%s': %s", path.ptr,
				    moved_to->ptr, strerror(errno));
		goto done;
	}
	ret = 1;
done:
	qs_buf_release(&path);
	return ret;
}
