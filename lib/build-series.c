// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-series branches: each patch series of a section alone on the base
 * (mm-unstable-<slug> on the previous -rc3), so that a developer can
 * check out just their series. All are first tried alone, in threads
 * (build-threads.c); a series that does not apply alone is then handled
 * by the config's `dependencies` policy, in file order: stacked on the
 * branch of an earlier series that makes it apply (stack), applied with
 * 3-way merges (3way), or left as it was (skip).
 */
#include "internal.h"
#include "build-threads.h"

/*
 * Apply a series again, on `start`, for a dependency policy: 0 and
 * `*tip`, 1 when it does not apply (its branch's error says why), < 0.
 */
static int retry_series(struct build_ctx *c, struct series_job *j,
			const git_oid *start, unsigned int apply_flags,
			git_oid *tip)
{
	const struct qs__plan_branch *pb = j->br->plan;

	qs__report_reset_patches(j->br);
	git_oid_cpy(tip, start);
	return qs__commit_entries(c, tip, pb->entries, pb->nentries, apply_flags,
				  j->br);
}

/*
 * The `stack` policy: on the nearest earlier series whose branch makes
 * it apply. 1 when none does, with the error of the attempt alone on
 * the base, which says what the series needs.
 */
static int stack_series(struct build_ctx *c, struct series_job *jobs, size_t i,
			git_oid *tip)
{
	struct qs_build_branch *br = jobs[i].br;
	char *alone = br->error;
	size_t back;
	int ret = 1;

	br->error = NULL;
	for (back = i; back-- > 0 && ret == 1;) {
		const struct qs_build_branch *dep = jobs[back].br;

		if (!dep->built)
			continue;
		ret = retry_series(c, &jobs[i], &dep->new, qs__build_apply_flags(c), tip);
		if (ret == 0 && qs__set_text(&br->depends_on, "%s", dep->name) < 0)
			ret = QS_ENOMEM;
	}
	if (ret == 1) {
		free(br->error);
		br->error = alone;
		alone = NULL;
	}
	free(alone);
	return ret;
}

/*
 * In file order, each series that applied alone is done; one that did
 * not is handled by the `dependencies` policy, which may build it on an
 * earlier series' branch (all of which are settled by then).
 */
static int series_settle(struct build_ctx *c, struct series_job *jobs, size_t njobs)
{
	size_t i;
	int ret;

	for (i = 0; i < njobs; i++) {
		struct series_job *j = &jobs[i];
		git_oid tip;

		git_oid_cpy(&tip, &j->tip);
		c->prog.branches_done++;
		qs__build_progress(c, j->br->name);
		ret = j->result;
		if (ret == 1 && c->cfg->dependencies == QS__DEPS_SKIP) {
			j->br->status = QS_BRANCH_SKIPPED;
			continue;
		}
		if (ret == 1 && c->cfg->dependencies == QS__DEPS_3WAY)
			ret = retry_series(c, j, &c->base, QS_APPLY_3WAY, &tip);
		else if (ret == 1)
			ret = stack_series(c, jobs, i, &tip);
		if (ret < 0)
			return ret;
		if (ret == 1)
			j->br->status = QS_BRANCH_FAILED;
		else if ((ret = qs__report_finish(j->br, &tip)) < 0)
			return ret;
	}
	return 0;
}

/*
 * The per-series branches of plan items [first, first + n), whose tree
 * branch is `tree`: threads try them alone while this thread builds the
 * tree branch; then the policies settle them in file order.
 */
int qs__build_series(struct build_ctx *c, struct qs_build_branch *tree,
		     size_t first, size_t n)
{
	struct series_pool pool;
	struct series_job *jobs;
	size_t i;
	int ret;

	jobs = qs__calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs)
		return QS_ENOMEM;
	for (i = 0; i < n; i++)
		jobs[i].br = c->b->branches[first + i];
	ret = qs__series_pool_start(&pool, c, jobs, n);
	if (ret == 0)
		ret = qs__build_tree_branch(c, tree);
	if (ret < 0) {
		/*
		 * Stop before waiting: jobs run now would clear the error
		 * that stops the build, and report it as a success.
		 */
		qs__series_pool_stop(&pool);
		qs__series_pool_finish(&pool, c);
	} else if ((ret = qs__series_pool_finish(&pool, c)) == 0) {
		ret = series_settle(c, jobs, n);
	}
	qs__series_pool_clear(&pool);
	free(jobs);
	return ret;
}

/* Per-series branches in the repository whose series left the queue. */
int qs__list_gone(struct build_ctx *c, const struct qs__branch_conf *bc)
{
	const char *at = strstr(bc->per_series, "{slug}");
	git_reference_iterator *it = NULL;
	git_reference *ref;
	qs_buf glob = QS_BUF_INIT;
	size_t plen = (size_t)(at - bc->per_series);
	const char *suffix = at + strlen("{slug}");
	int ret = 0, err;

	qs_buf_adds(&glob, "refs/heads/");
	qs_buf_add(&glob, bc->per_series, plen);
	qs_buf_addch(&glob, '*');
	qs_buf_adds(&glob, suffix);
	if (qs_buf_oom(&glob)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (git_reference_iterator_glob_new(&it, c->repo, glob.ptr) < 0) {
		ret = qs__error_git("cannot list branches");
		goto done;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref) + strlen("refs/heads/");
		struct qs_build_branch *br;

		if (!qs__report_find(c->b, name) && git_reference_target(ref)) {
			br = qs__report_add(c->b, name, QS_BRANCH_SERIES);
			if (!br) {
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
			br->status = QS_BRANCH_GONE;
			br->has_old = 1;
			git_oid_cpy(&br->old, git_reference_target(ref));
			git_oid_tostr(br->old_hex, sizeof(br->old_hex), &br->old);
			if (qs__set_text(&br->reason, "its series is no longer in the queue") < 0) {
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
		}
		git_reference_free(ref);
	}
	if (err != GIT_ITEROVER)
		ret = qs__error_git("cannot list branches");
done:
	git_reference_iterator_free(it);
	qs_buf_release(&glob);
	return ret;
}
