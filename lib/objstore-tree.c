// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tree updates of the object store (see objstore.h): the trees along the
 * changed paths are rewritten, bottom up, and nothing else is read.
 */
#include "objstore-internal.h"
#include "tree-path.h"

struct edit {
	const char *name;
	size_t len;
	uint32_t mode;		/* 0: remove */
	git_oid oid;
	const struct qs__tree_change *from;
};

static int ent_qsort_cmp(const void *a, const void *b)
{
	const struct tent *x = a, *y = b;

	return qs__tree_entry_cmp(x->name, x->len, qs__is_tree_mode(x->mode),
				  y->name, y->len, qs__is_tree_mode(y->mode));
}

static int edit_name_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Whether a change of c[0..n) at this level (`off`) removes `name`. */
static int removed_here(const struct qs__tree_change *c, size_t n, size_t off,
			const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!c[i].mode && !strncmp(c[i].path + off, name, len) &&
		    !c[i].path[off + len])
			return 1;
	return 0;
}

/*
 * No tree git refuses (tree-path.h) is ever written, so this runs before
 * anything is: the changes' own paths are judged whole, and the entries
 * kept from every tree along them, which may come from anywhere (an
 * external tree), one by one. changes[0..n) all start with the `off`
 * bytes of this tree's prefix; `root` is the tree there, or NULL.
 */
static int check_refused(struct qs__store *s, const git_oid *root,
			 const struct qs__tree_change *c, size_t n, size_t off)
{
	struct tnode *t = NULL;
	const char *why;
	size_t i, k;
	int ret;

	if (root && (ret = qs__store_load_tree(&t, s, root)) < 0)
		return ret;
	for (i = 0; t && i < t->n; i++) {
		const struct tent *e = &t->ents[i];

		why = qs__tree_path_refused(e->name, e->len, e->mode);
		if (why && !removed_here(c, n, off, e->name, e->len))
			return qs__error_set(QS_EUNSAFE,
					     "unsafe path '%.*s%.*s' in the tree it changes: %s",
					     (int)off, c[0].path, (int)e->len, e->name, why);
	}
	for (i = 0; i < n; i = k) {
		const char *rest = c[i].path + off;
		const char *slash = strchr(rest, '/');
		const struct tent *old;
		size_t len;

		k = i + 1;
		if (!slash) {
			why = c[i].mode ? qs__tree_path_refused(c[i].path, strlen(c[i].path),
								c[i].mode) : NULL;
			if (why)
				return qs__error_set(QS_EUNSAFE, "unsafe path '%s': %s",
						     c[i].path, why);
			continue;
		}
		len = (size_t)(slash - rest);
		while (k < n && !strncmp(c[k].path + off, rest, len + 1))
			k++;
		old = qs__store_node_find(t, rest, len);
		ret = check_refused(s, old && qs__is_tree_mode(old->mode) ? &old->oid : NULL,
				    c + i, k - i, off + len + 1);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Apply changes[0..n) (paths all starting with the `off` bytes of this
 * tree's prefix) to the tree `root` (NULL: none). `*out` is left alone
 * and `*empty` set when no entry remains.
 */
static int update(git_oid *out, int *empty, struct qs__store *s,
		  const git_oid *root, const struct qs__tree_change *c,
		  size_t n, size_t off, const struct qs__tree_change **bad)
{
	struct tnode *t = NULL;
	struct edit *edits = NULL;
	struct tent *ents = NULL;
	size_t nedits = 0, i, k, nents;
	int ret = 0, changed = 0;

	*empty = 0;
	if (root && (ret = qs__store_load_tree(&t, s, root)) < 0)
		return ret;
	edits = qs__reallocarray(NULL, n, sizeof(*edits));
	if (!edits)
		return QS_ENOMEM;
	/* one edit per leaf, and one per subtree holding a group of changes */
	for (i = 0; i < n; ) {
		const char *rest = c[i].path + off;
		const char *slash = strchr(rest, '/');
		struct edit *e = &edits[nedits++];

		e->name = rest;
		e->from = &c[i];
		if (!slash) {
			e->len = strlen(rest);
			e->mode = c[i].mode;
			git_oid_cpy(&e->oid, &c[i].oid);
			i++;
			continue;
		}
		e->len = (size_t)(slash - rest);
		for (k = i + 1; k < n; k++)
			if (strncmp(c[k].path + off, rest, e->len + 1))
				break;
		{
			const struct tent *old = qs__store_node_find(t, rest, e->len);
			const git_oid *sub = NULL;
			int sub_empty = 0;

			if (old && !qs__is_tree_mode(old->mode)) {
				size_t j;

				/* removals below a file remove nothing */
				for (j = i; j < k && !c[j].mode; j++)
					;
				if (j < k) {
					*bad = &c[j];
					ret = qs__error_set(QS_EAPPLY,
							    "'%.*s' is not a directory",
							    (int)(off + e->len), c[j].path);
					goto done;
				}
				nedits--;
				i = k;
				continue;
			}
			if (old)
				sub = &old->oid;
			ret = update(&e->oid, &sub_empty, s, sub, c + i, k - i,
				     off + e->len + 1, bad);
			if (ret < 0)
				goto done;
			e->mode = sub_empty ? 0 : QS_MODE_TREE;
		}
		i = k;
	}
	qsort(edits, nedits, sizeof(*edits), edit_name_cmp);
	for (i = 1; i < nedits; i++) {
		if (edits[i].len == edits[i - 1].len &&
		    !memcmp(edits[i].name, edits[i - 1].name, edits[i].len)) {
			*bad = edits[i].from;
			ret = qs__error_set(QS_EAPPLY, "'%s' is both a file and a directory",
					    edits[i].from->path);
			goto done;
		}
	}

	/* the old entries, edits applied in place, additions at the end */
	nents = t ? t->n : 0;
	ents = qs__reallocarray(NULL, nents + nedits, sizeof(*ents));
	if (!ents) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (nents)
		memcpy(ents, t->ents, nents * sizeof(*ents));
	for (i = 0; i < nedits; i++) {
		const struct edit *e = &edits[i];
		const struct tent *old = qs__store_node_find(t, e->name, e->len);
		struct tent *slot = old ? &ents[old - t->ents] : NULL;

		if (slot && qs__is_tree_mode(slot->mode) && e->mode &&
		    !qs__is_tree_mode(e->mode)) {
			*bad = e->from;
			ret = qs__error_set(QS_EAPPLY, "'%s' is a directory",
					    e->from->path);
			goto done;
		}
		if (!e->mode) {
			if (slot && slot->mode) {
				slot->mode = 0;
				changed = 1;
			}
			continue;
		}
		if (slot) {
			if (slot->mode != e->mode ||
			    !git_oid_equal(&slot->oid, &e->oid)) {
				slot->mode = e->mode;
				git_oid_cpy(&slot->oid, &e->oid);
				changed = 1;
			}
			continue;
		}
		slot = &ents[nents++];
		slot->name = e->name;
		slot->len = (uint32_t)e->len;
		slot->mode = e->mode;
		git_oid_cpy(&slot->oid, &e->oid);
		changed = 1;
	}
	if (!changed) {
		if (t)
			git_oid_cpy(out, &t->oid);
		else
			*empty = 1;
		goto done;
	}
	for (i = k = 0; i < nents; i++)
		if (ents[i].mode)
			ents[k++] = ents[i];
	nents = k;
	if (!nents) {
		*empty = 1;
		goto done;
	}
	qsort(ents, nents, sizeof(*ents), ent_qsort_cmp);
	/* this tree's path: the leading `off` bytes of any change, less '/' */
	ret = qs__store_write_tree(out, s, ents, nents, c[0].path,
				   off ? off - 1 : 0);
done:
	free(ents);
	free(edits);
	return ret;
}

int qs__store_update_tree(git_oid *out, struct qs__store *s,
			  const git_oid *root,
			  const struct qs__tree_change *changes, size_t n,
			  const struct qs__tree_change **bad)
{
	const struct qs__tree_change *dummy;
	int empty = 0, ret;

	if (!bad)
		bad = &dummy;
	*bad = NULL;
	if (!n) {
		git_oid_cpy(out, root);
		return 0;
	}
	if ((ret = check_refused(s, root, changes, n, 0)) < 0)
		return ret;
	ret = update(out, &empty, s, root, changes, n, 0, bad);
	if (ret < 0 || !empty)
		return ret;
	return qs__store_write_tree(out, s, NULL, 0, "", 0);
}

