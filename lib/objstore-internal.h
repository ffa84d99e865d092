/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the object store's three files share: the store itself, its
 * parsed trees, and the calls that read and write them (objstore.c),
 * for the tree updates (objstore-tree.c) and the checks for damaged
 * objects (objstore-check.c). Not for anyone else: the rest of lib/
 * goes through objstore.h.
 */
#ifndef QS_OBJSTORE_INTERNAL_H
#define QS_OBJSTORE_INTERNAL_H

#include "objstore.h"
#include "oidset.h"
#include "strmap.h"

#include <git2/sys/odb_backend.h>

/*
 * An object waiting for the flush, and the pending object it is the next
 * version of (the last one written for the same path and type, or
 * SIZE_MAX): the pack stores it as a delta of that one.
 */
struct pending {
	git_oid oid;
	size_t base;
};

/* An object found missing or damaged, and whether this store wrote it again. */
struct qs__damaged {
	git_oid oid;
	int missing;	/* not there at all (else: there, but unreadable or wrong) */
	int renewed;
};

struct qs__store {
	git_repository *repo;	/* the caller's, borrowed */
	git_repository *own;	/* our handle on the same objects, or NULL */
	git_odb *odb;		/* a reference of our own */
	git_odb_backend *mempack;	/* owned by odb */

	struct tnode **slots;	/* open addressing on the oid */
	size_t nslots, ntrees, tree_bytes;

	struct pending *pending;	/* objects in the mempack, for the flush */
	size_t npending, pending_alloc, pending_bytes;
	struct qs__strmap latest;	/* type letter + path -> pending index */
	qs_buf key;		/* scratch for `latest` */

	/* damaged objects (objstore-check.c) */
	struct qs__oidset sound;	/* read and hashed: good */
	struct qs__oidset whole;	/* trees checked with all below */
	struct qs__oidset renew;	/* damaged: written again when made */
	struct qs__oidset listed;	/* in `damaged` */
	struct qs__oidset rewritten;	/* listed, and written again */
	struct qs__damaged *damaged;
	size_t ndamaged, damaged_alloc;
	int verify;		/* check what exists before trusting it */
	qs_buf *record;		/* hex ids of what is written, when set */

	char *keep_line;	/* NULL: packs are not kept */
	char **keeps;		/* the .keep files of the flushed packs */
	size_t nkeeps, keeps_alloc;
};

struct tent {
	uint32_t mode;
	uint32_t len;
	const char *name;	/* in the node's name pool, NUL-terminated */
	git_oid oid;
};

struct tnode {
	git_oid oid;
	size_t n;
	struct tent *ents;	/* in git's tree order */
	char *names;
	size_t bytes;
};

static inline int qs__is_tree_mode(uint32_t mode)
{
	return (mode & 0170000u) == QS_MODE_TREE;
}

/* git's tree order: a tree's name sorts as if it ended in '/' */
static inline int qs__tree_entry_cmp(const char *a, size_t alen, int atree,
				     const char *b, size_t blen, int btree)
{
	size_t n = alen < blen ? alen : blen;
	unsigned int ca, cb;
	int c = memcmp(a, b, n);

	if (c)
		return c;
	ca = n < alen ? (unsigned char)a[n] : atree ? '/' : 0;
	cb = n < blen ? (unsigned char)b[n] : btree ? '/' : 0;
	return ca < cb ? -1 : ca > cb;
}

/* The parsed tree `oid`, from the cache or read and cached now. */
int qs__store_load_tree(struct tnode **out, struct qs__store *s,
			const git_oid *oid);

/*
 * The same, read and hashed first even when cached: 1 with `*out`, 0
 * when the tree is missing or damaged (recorded), < 0 on errors.
 */
int qs__store_load_tree_checked(struct tnode **out, struct qs__store *s,
				const git_oid *oid);

/*
 * Whether an object of type `type` the repository has must be written
 * all the same: 1 when it was found damaged, or is found so now (a
 * commit or a tree, small, is read and hashed first; a blob only when
 * verifying), 0 when its copy is good, < 0 on errors. objstore-check.c.
 */
int qs__store_must_rewrite(struct qs__store *s, const git_oid *oid,
			   git_object_t type);
/* An object is being written: one found missing is made again. */
void qs__store_note_write(struct qs__store *s, const git_oid *oid);

/* The entry `name` of a tree, a file or a tree, or NULL. */
const struct tent *qs__store_node_find(const struct tnode *t, const char *name,
				       size_t len);

/*
 * Write a tree from entries in git's order, and cache it parsed; `path`
 * (`path_len` bytes) is where it sits, for the pack's delta search.
 */
int qs__store_write_tree(git_oid *out, struct qs__store *s,
			 const struct tent *ents, size_t n, const char *path,
			 size_t path_len);

#endif
