// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recording how a person resolved an integration conflict, for later
 * builds to reuse (like git rerere): the entry point of
 * `quiltsync resolve`. The resolutions themselves are lib/merge.c's.
 */
#include "internal.h"
#include "config-internal.h"
#include "group.h"
#include "merge.h"

#include <git2.h>

static int first_merge_head(const git_oid *oid, void *payload)
{
	git_oid_cpy(payload, oid);
	return 1;	/* one is all a merge of two sides has */
}

/* What git merge is merging in, from MERGE_HEAD. */
static int merge_head(git_oid *out, git_repository *repo)
{
	int err = git_repository_mergehead_foreach(repo, first_merge_head, out);

	if (err == 1)
		return 0;
	return qs__error_set(QS_ENOTFOUND,
			     "no merge in progress in '%s' (no MERGE_HEAD): run git merge there first",
			     git_repository_workdir(repo) ?
			     git_repository_workdir(repo) : git_repository_path(repo));
}

int qs_resolve_record(size_t *out_recorded, const qs_config *cfg,
		      const char *worktree)
{
	git_repository *repo = NULL;
	git_oid head, theirs;
	int ret;

	if (!out_recorded || !cfg || !worktree)
		return qs__error_set(QS_EINVAL, "qs_resolve_record: NULL argument");
	*out_recorded = 0;
	if ((ret = qs__git_init()) < 0)
		return ret;
	if (git_repository_open_ext(&repo, worktree, 0, NULL) < 0)
		return qs__error_set(QS_ENOTFOUND, "'%s' is not in a git worktree",
				     worktree);
	if (!git_repository_workdir(repo)) {
		ret = qs__error_set(QS_EINVAL, "'%s' is a bare repository: resolve in a worktree",
				    worktree);
		goto done;
	}
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		ret = qs__error_git("cannot read HEAD");
		goto done;
	}
	if ((ret = merge_head(&theirs, repo)) < 0)
		goto done;
	ret = qs__merge_record(out_recorded, repo, &head, &theirs,
			       git_repository_workdir(repo), cfg->resolutions);
done:
	git_repository_free(repo);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Accessors */
