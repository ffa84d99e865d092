/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the object store's two files share: its parsed trees, and the
 * calls that read and write them (objstore.c), for the tree updates
 * (objstore-tree.c). Not for anyone else: the rest of lib/ goes through
 * objstore.h.
 */
#ifndef QS_OBJSTORE_INTERNAL_H
#define QS_OBJSTORE_INTERNAL_H

#include "objstore.h"

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
