/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Commit objects, written the way git writes them, so that a commit made
 * here for a patch has the id `git am` would give it with the same
 * identities and dates.
 */
#ifndef QS_COMMIT_H
#define QS_COMMIT_H

#include "internal.h"
#include "objstore.h"

#include <git2.h>

struct qs__ident {
	const char *name, *email;
	int64_t time;		/* seconds since the epoch */
	int offset;		/* minutes east of UTC */
};

/*
 * Write a commit of `tree` with `nparents` parents. Names and emails are
 * cleaned as git's ident code cleans them (crud trimmed from both ends,
 * '<', '>' and newlines dropped), so that "Foo Jr." is recorded as git
 * records it. `message` is used as it is.
 */
int qs__commit_write(git_oid *out, struct qs__store *store,
		     const git_oid *tree, const git_oid *parents,
		     size_t nparents, const struct qs__ident *author,
		     const struct qs__ident *committer, const char *message);

/* A commit's tree and committer date. */
int qs__commit_info(git_oid *tree, int64_t *time, int *offset,
		    git_repository *repo, const git_oid *commit);

#endif
