/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The base of per-series branches: "previous-rc3" (the newest release
 * candidate tag reachable from upstream), a tag, or a commit.
 */
#ifndef QS_BASE_H
#define QS_BASE_H

#include "internal.h"

#include <git2.h>

/*
 * Resolve `base` in `repo` to a commit id.
 *
 * "previous-rc3": among the tags (refs/tags/NAME) whose NAME matches the
 * pcre2 `pattern` (whole name, without refs/tags/), keep those whose
 * commit is `upstream`'s commit or one of its ancestors, and take the
 * one with the highest version: the pattern's capture groups read as
 * numbers and compared in order (v6.10-rc3 > v6.9-rc3), not by date or
 * by name. None: QS_ENOTFOUND, "no tag matching '<pattern>' is
 * reachable from '<upstream>' (N tags match, none reachable)".
 * Anything else: a tag name (refs/tags/<base>) or any revision git
 * understands (a hex id); it must name a commit.
 *
 * `upstream` is a ref name or revision ("refs/remotes/origin/master");
 * a missing one is QS_ENOTFOUND naming it. A pattern that does not
 * compile or has no capture group is QS_ECONFIG. `*out_name` (may be
 * NULL) receives a malloc()ed description for reports: the tag name, or
 * the id in hex.
 */
int qs__base_resolve(git_oid *out, char **out_name, git_repository *repo,
		     const char *upstream, const char *base,
		     const char *pattern);

/*
 * The same, told that `known` (may be NULL) is a commit upstream's
 * commit contains: a candidate tag on it needs no walk of the history.
 * The build keeps the last answer for the same upstream commit in its
 * cache, so that a rebuild does not walk a kernel's history again
 * (a tag two months back is tens of thousands of commits away).
 */
int qs__base_resolve_known(git_oid *out, char **out_name, git_repository *repo,
			   const char *upstream, const char *base,
			   const char *pattern, const git_oid *known);

#endif
