/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The paths git refuses in a tree, judged without a file system.
 *
 * A branch quiltsync publishes is fetched on every OS, so a path must
 * pass git's checks for all of them, as git applies them with
 * core.protectHFS and core.protectNTFS on (verify_path(): git apply,
 * am, checkout, update-index) and as `git fsck --strict` applies them
 * to each tree entry (what a server with receive.fsckObjects runs on a
 * push). t/unit/test-tree-path.c holds the rule to both.
 */
#ifndef QS_TREE_PATH_H
#define QS_TREE_PATH_H

#include "internal.h"

#include <git2.h>

/*
 * Why git refuses `path` (`len` bytes, components separated by '/', no
 * leading or trailing slash) as the path of a tree entry of git mode
 * `mode` (only a symbolic link, 0120000, changes the verdict), or NULL
 * when it takes it. The reason is a static string, worded to follow
 * "unsafe path '...': ". A tree entry's name is a path of one
 * component.
 *
 * Refused: an empty path or component, "." and ".."; a component that
 * is ".git" to git (any ASCII case), to HFS+ (which ignores some
 * invisible code points) or to NTFS (trailing dots and spaces, an
 * alternate data stream, the short name "git~1"), or a part of one
 * after a backslash that is, as Windows separates there; a symbolic
 * link that is ".gitmodules" in any of those spellings, at any level,
 * or, as its last component, ".gitattributes", ".gitignore" or
 * ".mailmap" (files git reads from a tree and never through a link).
 */
const char *qs__tree_path_refused(const char *path, size_t len, uint32_t mode);

/*
 * A path of the tree `tree` that qs__tree_path_refused() refuses, in
 * the trees made anew only: a tree equal to one of `known` (`nknown`
 * trees, entries may be NULL) at the same place, and all below it, is
 * not looked at (nknown 0: the whole tree). 0 with `*path` (free() it)
 * and `*why` set; QS_ENOTFOUND when there is none; < 0 on errors.
 */
int qs__tree_find_refused(char **path, const char **why, git_repository *repo,
			  const git_oid *tree, const git_oid *const *known,
			  size_t nknown);

#endif
