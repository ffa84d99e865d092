// SPDX-License-Identifier: GPL-2.0-only
/*
 * Damaged objects, as the build sees them (objstore.h has the rules):
 * before building, with --verify, upstream's trees are read whole, for
 * what the queue cannot make again fails the build; after publishing,
 * what was found missing or damaged is reported, and a damaged loose
 * file is moved out of git's way once a good copy is packed.
 */
#include "internal.h"
#include "build-internal.h"
#include "commit.h"
#include "state.h"

#include "banned.h"

/* Past this many, one line says how many more: a lost object directory is one problem. */
#define DAMAGED_WARNINGS 20

/* Commit `id` and its whole tree, which no patch of the queue makes. */
static int check_upstream(struct build_ctx *c, const git_oid *id, const char *what)
{
	char hex[GIT_OID_HEXSZ + 1], bad[GIT_OID_HEXSZ + 1] = "";
	git_oid tree, oid;
	size_t i;
	int missing = 0, renewed, ret;

	if ((ret = qs__store_check(c->store, id, NULL)) > 0 &&
	    (ret = qs__commit_info(&tree, NULL, NULL, c->srepo, id)) == 0)
		ret = qs__store_check_tree_whole(c->store, &tree);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	/* the last one listed is the one that stopped the check */
	for (i = 0; qs__store_damaged(c->store, i, &oid, &missing, &renewed); i++)
		git_oid_tostr(bad, sizeof(bad), &oid);
	git_oid_tostr(hex, sizeof(hex), id);
	return qs__error_set(QS_EGIT,
			     "%s %s: object %s is %s; it is upstream's, not the queue's, "
			     "and cannot be made again: fetch it again, or see git fsck",
			     what, hex, bad, missing ? "missing" : "damaged");
}

int qs__verify_upstream(struct build_ctx *c)
{
	int ret;

	if (!(c->flags & QS_BUILD_VERIFY))
		return 0;
	if ((ret = check_upstream(c, &c->base, "the base")) < 0)
		return ret;
	if (git_oid_equal(&c->base, &c->upstream))
		return 0;
	return check_upstream(c, &c->upstream, "upstream");
}

/* One object of the list: moved aside when it is a damaged loose file, and told. */
static int report_one(struct build_ctx *c, const char *dir, const git_oid *oid,
		      int missing, int renewed)
{
	char hex[GIT_OID_HEXSZ + 1];
	qs_buf moved = QS_BUF_INIT;
	const char *made = renewed ? "made again from the queue" :
			   "no branch needs it now";
	int ret = 0;

	git_oid_tostr(hex, sizeof(hex), oid);
	if (missing) {
		ret = qs__report_warn(c->b, "object %s was missing: %s", hex, made);
		goto done;
	}
	/*
	 * Moved only once a good copy is packed, or when nothing needs it:
	 * a damaged file helps no one, but the object may yet be needed.
	 */
	ret = qs__store_set_aside(c->store, oid, dir, &moved);
	if (ret < 0) {
		ret = qs__report_warn(c->b, "object %s was damaged: %s; cannot move the damaged file: %s",
				      hex, made, qs_error_last()->message);
	} else if (ret > 0) {
		ret = qs__report_warn(c->b, "object %s was damaged: %s; the damaged file is now %s",
				      hex, made, moved.ptr);
	} else {
		ret = qs__report_warn(c->b, "object %s was damaged in a pack: %s; `git repack -a -d` "
				      "drops the damaged copy (git fsck reports it until then)",
				      hex, made);
	}
done:
	qs_buf_release(&moved);
	return ret;
}

int qs__report_damaged(struct build_ctx *c)
{
	qs_buf dir = QS_BUF_INIT;
	git_oid oid;
	size_t i;
	int missing, renewed, ret = 0;

	if (!qs__store_damaged(c->store, 0, &oid, &missing, &renewed))
		return 0;
	/* the refs are written: what fails now is told, and fails nothing */
	if (qs__state_dir_create(git_repository_commondir(c->repo)) < 0 ||
	    qs__state_path(&dir, git_repository_commondir(c->repo), "damaged") < 0) {
		ret = qs__report_warn(c->b, "objects were found damaged, and cannot be listed: %s",
				      qs_error_last()->message);
		goto done;
	}
	for (i = 0; !ret && qs__store_damaged(c->store, i, &oid, &missing, &renewed); i++) {
		if (i < DAMAGED_WARNINGS) {
			ret = report_one(c, dir.ptr, &oid, missing, renewed);
			continue;
		}
		/* the rest are moved without a line each */
		if (!missing) {
			qs_buf moved = QS_BUF_INIT;

			if (qs__store_set_aside(c->store, &oid, dir.ptr, &moved) < 0)
				qs_error_clear();
			qs_buf_release(&moved);
		}
	}
	if (!ret && i > DAMAGED_WARNINGS)
		ret = qs__report_warn(c->b, "and %zu more objects missing or damaged (git fsck lists them)",
				      i - DAMAGED_WARNINGS);
done:
	qs_buf_release(&dir);
	return ret;
}
