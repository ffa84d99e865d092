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
 * mark them all "-"). `found` holds a flag per commit of ours, set when
 * it is upstream: those set on entry are not looked for again, and with
 * `since` (NULL: none) the commits reachable from it are not looked at,
 * so that a scan up to `since` goes on from where it stopped. 1 when all
 * are found; 0 when one is not, with `*missing` its index in `ours`;
 * < 0 on errors. A merge commit is never upstream (it has no patch-id),
 * as for git cherry.
 */
int qs__cherry_all_upstream(git_repository *repo, const git_oid *upstream,
			    const git_oid *tip, const git_oid *since,
			    const git_oid *ours, size_t n, unsigned char *found,
			    size_t *missing);

#endif
