// SPDX-License-Identifier: GPL-2.0-only
/* The branches checked out in worktrees; see worktrees.h. */
#include "internal.h"
#include "worktrees.h"

void qs__checkouts_clear(struct qs__checkouts *co)
{
	size_t i;

	for (i = 0; i < co->n; i++) {
		free(co->v[i].ref);
		free(co->v[i].path);
	}
	free(co->v);
	memset(co, 0, sizeof(*co));
}

/* What HEAD of `wt` (a repository opened on one worktree) names, if a branch. */
static int add_head(struct qs__checkouts *co, git_repository *wt, const char *path)
{
	git_reference *head = NULL;
	const char *target;
	int ret = 0;

	if (git_reference_lookup(&head, wt, "HEAD") < 0)
		return 0;	/* a broken worktree: git would not protect it either */
	target = git_reference_symbolic_target(head);
	if (target && !strncmp(target, "refs/heads/", 11)) {
		if (QS_ARRAY_GROW(co->v, co->alloc, co->n + 1) < 0) {
			ret = QS_ENOMEM;
		} else if (!(co->v[co->n].ref = qs__strdup(target)) ||
			   !(co->v[co->n].path = qs__strdup(path))) {
			free(co->v[co->n].ref);
			ret = QS_ENOMEM;
		} else {
			co->n++;
		}
	}
	git_reference_free(head);
	return ret;
}

int qs__checkouts_read(struct qs__checkouts *co, git_repository *repo)
{
	git_repository *main = NULL;
	git_strarray names = { NULL, 0 };
	size_t i;
	int ret = 0;

	memset(co, 0, sizeof(*co));
	/* the main worktree's HEAD is the common directory's */
	if (git_repository_open_ext(&main, git_repository_commondir(repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return qs__error_git("cannot open the repository");
	if (!git_repository_is_bare(main) &&
	    (ret = add_head(co, main, git_repository_workdir(main))) < 0)
		goto done;
	if (git_worktree_list(&names, main) < 0) {
		ret = qs__error_git("cannot list the worktrees");
		goto done;
	}
	for (i = 0; i < names.count && !ret; i++) {
		git_worktree *wt = NULL;
		git_repository *wrepo = NULL;

		if (git_worktree_lookup(&wt, main, names.strings[i]) == 0 &&
		    git_repository_open_from_worktree(&wrepo, wt) == 0)
			ret = add_head(co, wrepo, git_worktree_path(wt));
		git_repository_free(wrepo);
		git_worktree_free(wt);
	}
done:
	git_strarray_dispose(&names);
	git_repository_free(main);
	if (ret < 0)
		qs__checkouts_clear(co);
	return ret;
}

const char *qs__checkouts_find(const struct qs__checkouts *co, const char *ref)
{
	size_t i;

	for (i = 0; i < co->n; i++)
		if (!strcmp(co->v[i].ref, ref))
			return co->v[i].path;
	return NULL;
}
