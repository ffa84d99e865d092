/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The branches checked out in the worktrees of a repository: the main
 * one (unless bare) and every linked one. git refuses to move such a
 * branch from outside (moving it leaves that worktree's index and files
 * describing the old commit, so its next commit would revert the move),
 * and so does the build.
 */
#ifndef QS_WORKTREES_H
#define QS_WORKTREES_H

#include "internal.h"

#include <git2.h>

struct qs__checkout {
	char *ref;	/* "refs/heads/mm-unstable": what HEAD names there */
	char *path;	/* the worktree's directory */
};

struct qs__checkouts {
	struct qs__checkout *v;
	size_t n, alloc;
};

/* Every worktree of `repo`'s repository whose HEAD names a branch. */
int qs__checkouts_read(struct qs__checkouts *out, git_repository *repo);
/* The worktree where `ref` is checked out, or NULL. */
const char *qs__checkouts_find(const struct qs__checkouts *co, const char *ref);
void qs__checkouts_clear(struct qs__checkouts *co);

#endif
