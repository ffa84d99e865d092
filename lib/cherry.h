/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which commits of a branch are already upstream, compared by patch-id
 * as `git cherry` compares them: the same change, whatever its commit,
 * message, author or line numbers. For the cycle of the stable trees:
 * once upstream holds every commit of an append-only branch, the branch
 * starts again on the new upstream.
 */
#ifndef QS_CHERRY_H
#define QS_CHERRY_H

#include "internal.h"

#include <git2.h>

/*
 * Whether every commit of `ours` (`n` commits, none of them reachable
 * from `upstream`) has a commit with the same patch-id among those of
 * `upstream` not reachable from `tip` (`git cherry upstream tip` would
 * mark them all "-"). 1 when all do; 0 when one does not, with
 * `*missing` its index in `ours`; < 0 on errors. A merge commit is never
 * upstream (it has no patch-id), as for git cherry.
 */
int qs__cherry_all_upstream(git_repository *repo, const git_oid *upstream,
			    const git_oid *tip, const git_oid *ours, size_t n,
			    size_t *missing);

#endif
