// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each branch gained and lost since the last manifest: the patches
 * added, removed and changed (same name, other bytes) among its own
 * commits, and, for a per-series branch whose series left its section,
 * the section the series went to ("moved to mm-stable" rather than
 * "gone"). Read from the previous manifest through its public API, as
 * any later feature reads it. Informational: a previous manifest that
 * cannot be read leaves the lists empty, never fails the build.
 */
#include "internal.h"
#include "build-internal.h"
#include "strmap.h"

/* "branch\npatch": a branch's own patch, as the previous manifest has it. */
static int own_key(qs_buf *key, const char *branch, const char *patch)
{
	qs_buf_clear(key);
	qs_buf_addf(key, "%s\n%s", branch, patch);
	return qs_buf_oom(key) ? QS_ENOMEM : 0;
}

static int add_name(struct qs_build_branch *br, int list, const char *name)
{
	struct patch_list *l = &br->changes[list];

	if (QS_ARRAY_GROW(l->names, l->alloc, l->n + 1) < 0 ||
	    !(l->names[l->n] = qs__strdup(name)))
		return QS_ENOMEM;
	l->n++;
	return 0;
}

/* The section of the current queue that now holds `name`, or NULL. */
static const char *section_now(struct build_ctx *c, const char *name)
{
	const qs_series_entry *e = qs_series_entry_byname(qs_queue_series(c->queue), name);
	const qs_section *sec = e ? qs_entry_section(e) : NULL;

	return sec ? qs_section_name(sec) : NULL;
}

static int branch_changes(struct build_ctx *c, struct qs_build_branch *br,
			  const qs_manifest *m, struct qs__strmap *prev, qs_buf *key)
{
	struct qs__strmap now = { 0 };
	size_t i, k, *at;
	int ret = 0;

	for (i = 0; i < br->ncommits && !ret; i++) {
		const qs_series_entry *e = br->commits[i].entry;
		const qs_patch *p = qs_queue_patch(c->queue, e);
		const char *blob = p ? qs_patch_content_id(p) : NULL;

		if ((ret = own_key(key, br->name, qs_entry_name(e))) < 0 ||
		    (ret = qs__strmap_put(&now, qs_entry_name(e), 1)) < 0)
			break;
		if (!(at = qs__strmap_get(prev, key->ptr)))
			ret = add_name(br, CHANGE_ADDED, qs_entry_name(e));
		else if (blob && qs_manifest_patch_blob(qs_manifest_patch_byindex(m, *at)) &&
			 strcmp(blob, qs_manifest_patch_blob(qs_manifest_patch_byindex(m, *at))))
			ret = add_name(br, CHANGE_CHANGED, qs_entry_name(e));
	}
	for (i = 0; i < qs_manifest_patch_count(m) && !ret; i++) {
		const qs_manifest_patch *mp = qs_manifest_patch_byindex(m, i);

		for (k = 0; k < qs_manifest_patch_commit_count(mp); k++) {
			if (!qs_manifest_patch_commit_position(mp, k) ||
			    strcmp(qs_manifest_patch_commit_branch(mp, k), br->name))
				continue;
			if (!qs__strmap_get(&now, qs_manifest_patch_name(mp)))
				ret = add_name(br, CHANGE_REMOVED, qs_manifest_patch_name(mp));
			/* a series moved away takes its patches to one section */
			if (!ret && br->status == QS_BRANCH_GONE && !br->moved_to) {
				const char *sec = section_now(c, qs_manifest_patch_name(mp));

				if (sec && !(br->moved_to = qs__strdup(sec)))
					ret = QS_ENOMEM;
			}
			break;
		}
	}
	qs__strmap_clear(&now);
	if (!ret && br->moved_to)
		ret = qs__set_text(&br->reason, "its series moved to %s", br->moved_to);
	return ret;
}

int qs__changes_find(struct build_ctx *c)
{
	qs_manifest *m = NULL;
	struct qs__strmap prev = { 0 };
	qs_buf key = QS_BUF_INIT;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < c->b->nbranches; i++) {
		qs_branch_status st = c->b->branches[i]->status;

		if (st == QS_BRANCH_CREATED || st == QS_BRANCH_UPDATED ||
		    st == QS_BRANCH_GONE)
			break;
	}
	if (i == c->b->nbranches)
		return 0;	/* nothing moved: nothing to list, nothing to read */
	if (qs_manifest_load(&m, c->cfg->repository, NULL, 0) < 0) {
		qs_error_clear();	/* none yet, or unreadable: nothing to compare */
		return 0;
	}
	for (i = 0; i < qs_manifest_patch_count(m) && !ret; i++) {
		const qs_manifest_patch *mp = qs_manifest_patch_byindex(m, i);

		for (k = 0; k < qs_manifest_patch_commit_count(mp) && !ret; k++) {
			if (!qs_manifest_patch_commit_position(mp, k))
				continue;	/* held through another branch */
			if ((ret = own_key(&key, qs_manifest_patch_commit_branch(mp, k),
					   qs_manifest_patch_name(mp))) == 0)
				ret = qs__strmap_put(&prev, key.ptr, i);
		}
	}
	for (i = 0; i < c->b->nbranches && !ret; i++) {
		struct qs_build_branch *br = c->b->branches[i];

		if (br->status == QS_BRANCH_CREATED || br->status == QS_BRANCH_UPDATED ||
		    br->status == QS_BRANCH_GONE)
			ret = branch_changes(c, br, m, &prev, &key);
	}
	qs__strmap_clear(&prev);
	qs_buf_release(&key);
	qs_manifest_free(m);
	return ret;
}
