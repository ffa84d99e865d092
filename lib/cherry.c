// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commits already upstream, by patch-id; see cherry.h.
 *
 * A patch-id is the hash of a commit's diff to its parent without line
 * numbers or whitespace (libgit2's git_diff_patchid, git's "stable"
 * patch-id). Computing one reads every blob the commit changed, and the
 * upstream side of a merge window is some 12000 commits; so, as git's
 * patch-ids.c does, each upstream commit is first known by the paths it
 * changes, which needs the trees only, and its full patch-id is computed
 * only when one of ours changes the very same paths.
 */
#include "internal.h"
#include "cherry.h"
#include "sha1.h"
#include "strmap.h"

#include "banned.h"

struct ours {
	char paths[2 * QS_SHA1_SIZE + 1];	/* hex: the paths it changes */
	git_oid patch_id;
	unsigned char *found;			/* the caller's flag */
};

/* The diff of a one-parent commit to its parent; 1 for a merge or a root. */
static int commit_diff(git_diff **out, git_repository *repo,
		       const git_oid *id)
{
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	int ret = 1;

	*out = NULL;
	if (git_commit_lookup(&commit, repo, id) < 0) {
		ret = qs__error_git("cannot read a commit");
		goto done;
	}
	if (git_commit_parentcount(commit) != 1)
		goto done;
	if (git_commit_parent(&parent, commit, 0) < 0 ||
	    git_commit_tree(&tree, commit) < 0 ||
	    git_commit_tree(&ptree, parent) < 0 ||
	    git_diff_tree_to_tree(out, repo, ptree, tree, NULL) < 0) {
		ret = qs__error_git("cannot diff a commit against its parent");
		goto done;
	}
	ret = 0;
done:
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(commit);
	return ret;
}

/* The hash of the paths a diff touches, in hex. */
static void paths_key(const git_diff *diff, char out[2 * QS_SHA1_SIZE + 1])
{
	unsigned char sum[QS_SHA1_SIZE];
	struct qs__sha1 h;
	size_t i, n = git_diff_num_deltas(diff);

	qs__sha1_init(&h);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		qs__sha1_update(&h, d->old_file.path, strlen(d->old_file.path) + 1);
		qs__sha1_update(&h, d->new_file.path, strlen(d->new_file.path) + 1);
	}
	qs__sha1_final(&h, sum);
	for (i = 0; i < QS_SHA1_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

static int patch_id(git_oid *out, git_diff *diff)
{
	if (git_diff_patchid(out, diff, NULL) < 0)
		return qs__error_git("cannot compute a patch-id");
	return 0;
}

/*
 * Read our side: each commit's paths and patch-id, but for those found
 * already. 0, or 1 when one is a merge (never found).
 */
static int read_ours(struct ours *o, struct qs__strmap *by_paths,
		     git_repository *repo, const git_oid *ours, size_t n,
		     unsigned char *found, size_t *missing)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		git_diff *diff = NULL;

		o[i].found = &found[i];
		if (found[i])
			continue;
		if ((ret = commit_diff(&diff, repo, &ours[i])) != 0) {
			*missing = i;
			return ret;
		}
		paths_key(diff, o[i].paths);
		ret = patch_id(&o[i].patch_id, diff);
		git_diff_free(diff);
		if (ret < 0)
			return ret;
		if (qs__strmap_put(by_paths, o[i].paths, i) < 0)
			return QS_ENOMEM;
	}
	return 0;
}

/* Mark ours that `id` (upstream) is the same change as, counting them in `*nfound`. */
static int match_upstream(struct ours *o, size_t n,
			  const struct qs__strmap *by_paths,
			  git_repository *repo, const git_oid *id, size_t *nfound)
{
	char key[2 * QS_SHA1_SIZE + 1];
	git_diff *diff = NULL;
	git_oid pid;
	int ret, have_pid = 0;
	size_t i;

	if ((ret = commit_diff(&diff, repo, id)) != 0)
		return ret < 0 ? ret : 0;
	paths_key(diff, key);
	if (!qs__strmap_get(by_paths, key))
		goto done;
	/* the same paths: only now is the patch-id worth its blobs */
	for (i = 0; i < n; i++) {
		if (*o[i].found || strcmp(o[i].paths, key))
			continue;
		if (!have_pid) {
			if ((ret = patch_id(&pid, diff)) < 0)
				goto done;
			have_pid = 1;
		}
		if (git_oid_equal(&pid, &o[i].patch_id)) {
			*o[i].found = 1;
			(*nfound)++;
		}
	}
done:
	git_diff_free(diff);
	return ret;
}

int qs__cherry_all_upstream(git_repository *repo, const git_oid *upstream,
			    const git_oid *tip, const git_oid *since,
			    const git_oid *ours, size_t n, unsigned char *found,
			    size_t *missing)
{
	struct qs__strmap by_paths = QS__STRMAP_INIT;
	git_revwalk *walk = NULL;
	struct ours *o = NULL;
	size_t nfound = 0, i;
	git_oid id;
	int ret;

	*missing = 0;
	for (i = 0; i < n; i++)
		nfound += !!found[i];
	if (nfound == n)
		return 1;
	if (!(o = qs__calloc(n, sizeof(*o))))
		return QS_ENOMEM;
	if ((ret = read_ours(o, &by_paths, repo, ours, n, found, missing)) != 0) {
		ret = ret > 0 ? 0 : ret;
		goto done;
	}
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_push(walk, upstream) < 0 ||
	    git_revwalk_hide(walk, tip) < 0 ||
	    (since && git_revwalk_hide(walk, since) < 0)) {
		ret = qs__error_git("cannot walk upstream");
		goto done;
	}
	while (nfound < n && (ret = git_revwalk_next(&id, walk)) == 0)
		if ((ret = match_upstream(o, n, &by_paths, repo, &id, &nfound)) < 0)
			goto done;
	if (ret < 0 && ret != GIT_ITEROVER) {
		ret = qs__error_git("cannot walk upstream");
		goto done;
	}
	ret = nfound == n;
	for (i = 0; !ret && i < n; i++)
		if (!found[i]) {
			*missing = i;
			break;
		}
done:
	git_revwalk_free(walk);
	qs__strmap_clear(&by_paths);
	free(o);
	return ret;
}
