/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The applier's object store: the objects it writes stay in memory (a
 * libgit2 mempack backend) until qs__store_flush() sends them to the
 * repository as one pack; trees it reads or writes are kept parsed, so
 * that a series of patches walks the trees the previous patch made
 * without reading or parsing them again.
 *
 * Cost model: looking up a path costs one binary search per component;
 * updating a tree rewrites only the trees along the changed paths.
 */
#ifndef QS_OBJSTORE_H
#define QS_OBJSTORE_H

#include "internal.h"

#include <git2.h>

struct qs__store;

/* git's modes, as they appear in trees */
#define QS_MODE_TREE 0040000u
#define QS_MODE_FILE 0100644u
#define QS_MODE_EXEC 0100755u
#define QS_MODE_LINK 0120000u
#define QS_MODE_GITLINK 0160000u

/*
 * A store writing to `repo`. When `repo` lives on disk, the store opens
 * its own handle on the same object directory, so that the in-memory
 * backend never captures writes made through `repo` by others.
 */
int qs__store_new(struct qs__store **out, git_repository *repo);
void qs__store_free(struct qs__store *store);

/* Forget parsed trees when they take more memory than the cache allows. */
void qs__store_trim(struct qs__store *store);

/* Whether `oid` is a tree of the repository: 0, QS_ENOTFOUND or QS_EGIT. */
int qs__store_check_tree(struct qs__store *store, const git_oid *oid);

/*
 * The entry at `path` (`len` bytes, no leading or trailing slash) of the
 * tree `root`: 0 and `*mode`, `*oid` when it exists, QS_ENOTFOUND when
 * it does not. When a leading component exists but is not a tree,
 * `*stop` (if not NULL) is set to its length and its mode goes to
 * `*mode`; otherwise `*stop` is 0.
 */
int qs__store_find(struct qs__store *store, const git_oid *root,
		   const char *path, size_t len, uint32_t *mode, git_oid *oid,
		   size_t *stop);

/* Read an object; QS_EGIT when it is missing or unreadable. */
int qs__store_read(git_odb_object **out, struct qs__store *store,
		   const git_oid *oid);

/* Resolve an abbreviated hex id (4 to 40 digits) of a blob; QS_ENOTFOUND. */
int qs__store_find_blob(git_oid *out, struct qs__store *store,
			const char *hex);

/* Write a blob (or find it already there); `path` names it, may be NULL. */
int qs__store_write_blob(git_oid *out, struct qs__store *store,
			 const void *data, size_t len, const char *path);

/* One change to a tree: `mode` 0 removes `path`. */
struct qs__tree_change {
	const char *path;
	uint32_t mode;
	git_oid oid;
};

/*
 * Write the tree `root` with `changes` applied (sorted by path with
 * strcmp, no two for the same path). Trees left empty disappear, as git
 * stores no empty tree. A change below a path that is not a tree, or a
 * file put where a tree is, is QS_EAPPLY with `*bad` pointing at it. A
 * tree to write holding an entry git refuses (tree-path.h), a change's
 * or one kept from `root`, is QS_EUNSAFE: no such tree is ever written.
 */
int qs__store_update_tree(git_oid *out, struct qs__store *store,
			  const git_oid *root,
			  const struct qs__tree_change *changes, size_t n,
			  const struct qs__tree_change **bad);

/* Bytes and count of objects written since the last flush. */
size_t qs__store_pending(const struct qs__store *store, size_t *bytes);

/* Write the objects held in memory to the repository as one pack. */
int qs__store_flush(struct qs__store *store);

/*
 * From now on each flush keeps its pack with a .keep file holding
 * `line` (copied), until qs__store_unkeep(): for a build, whose new
 * objects are unreachable until its refs are written, and which a
 * concurrent `git repack -a -d` or `git gc --prune=now` would delete.
 */
int qs__store_keep(struct qs__store *store, const char *line);
/*
 * Remove the .keep files of the packs flushed so far, once refs name
 * what they hold. Freeing the store leaves them (see qs__store_free).
 */
void qs__store_unkeep(struct qs__store *store);
/* Make the .keep files of `from`'s packs `into`'s to remove. */
int qs__store_take_keeps(struct qs__store *into, struct qs__store *from);

/* The repository the store reads from and writes through. */
git_repository *qs__store_repository(const struct qs__store *store);

/* Write any object (a commit, a blob with no path); as write_blob. */
int qs__store_write(git_oid *out, struct qs__store *store, const void *data,
		    size_t len, git_object_t type);

/*
 * Damaged objects. A copy the repository has that cannot be read, or
 * whose content does not hash to its id, is as bad as none; yet
 * git_odb_exists() finds it, and the store, which never writes an object
 * the repository has, would never write it again. So the store keeps a
 * list of what it found missing or damaged, writes those afresh when
 * they are made again, and gives the list to the build to report.
 * objstore-check.c.
 */

/*
 * From now on add the hex id of every object written (made now, or found
 * in the repository) to `ids`, with no separator, until called with NULL:
 * what a commit adds to its parent's tree, for qs__store_check_commit.
 */
void qs__store_record(struct qs__store *store, qs_buf *ids);

/*
 * 1 when `oid` can be read and hashes to its id (remembered: read once),
 * with `*obj` the object when `obj` is not NULL; 0 when it is missing or
 * damaged (listed); < 0 on errors. An object written since the last
 * flush is good by construction.
 */
int qs__store_check(struct qs__store *store, const git_oid *oid,
		    git_odb_object **obj);

/*
 * Whether commit `commit`, made on `parent` by an earlier run, stands
 * whole. The commit is read and hashed. With `added` (hex ids, as
 * qs__store_record wrote them when it was made: the trees and blobs it
 * adds to its parent's), each of those must exist: a few index lookups.
 * Without, every tree that differs from the parent's is read and hashed
 * and every blob that differs must exist. With `full`, `added` is not
 * used: the blobs are read and hashed too, and the parent's tree is first
 * checked whole (once per tree: it is remembered). The parent's own
 * objects are otherwise trusted: it is upstream's, or was checked in its
 * turn. 1, 0 (something missing or damaged, listed), < 0 on errors.
 */
int qs__store_check_commit(struct qs__store *store, const git_oid *commit,
			   const git_oid *parent, int full, const char *added);

/* Whether tree `tree` and everything below it can be read and hash right: 1, 0, < 0. */
int qs__store_check_tree_whole(struct qs__store *store, const git_oid *tree);

/*
 * From now on check each object the repository has before trusting it
 * (instead of only the ones found damaged): a write finds the copy it
 * would have skipped damaged, and writes it again.
 */
void qs__store_set_verify(struct qs__store *store, int on);

/*
 * The `i`th object found missing or damaged: 1, with whether it was
 * missing and whether this store has written it again since; 0 past
 * the last one.
 */
int qs__store_damaged(const struct qs__store *store, size_t i, git_oid *oid,
		      int *missing, int *renewed);
/* Add what `from` found (a thread's store) to `into`'s list. */
int qs__store_take_damaged(struct qs__store *into, struct qs__store *from);

/*
 * A loose copy of `oid` that is damaged is moved into directory `dir`
 * (made when needed), out of git's way once a good copy is in a pack:
 * 1 with `*moved_to` its new path, 0 when there is no loose copy or it
 * is good, < 0 on errors.
 */
int qs__store_set_aside(struct qs__store *store, const git_oid *oid,
			const char *dir, qs_buf *moved_to);

/*
 * The applier's store, and a change of its flags (QS_APPLY_3WAY) for the
 * patches that follow: the build uses one applier, so that every object
 * it writes is visible to every later step before the flush.
 */
struct qs__store *qs__applier_store(qs_applier *applier);
void qs__applier_set_flags(qs_applier *applier, unsigned int flags);

#endif
