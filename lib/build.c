// SPDX-License-Identifier: GPL-2.0-only
/*
 * The build: every branch of the config, computed in memory, then all
 * refs updated in one step. See include/quiltsync/build.h and
 * quiltsync-build(1); build-internal.h says which file holds what.
 *
 * Order: the plan's (each tree branch, then the per-series branches of
 * its section, then the integrations). A branch starts from commits
 * computed earlier in the same run, never from a ref read half-way, so
 * the result depends only on the queue, the config and the refs read at
 * the start.
 */
#include "internal.h"
#include "base.h"
#include "build-internal.h"
#include "group.h"
#include "lock.h"
#include "publish-internal.h"
#include "pack.h"
#include "refs.h"
#include "worktrees.h"

#include "banned.h"

#define MANIFEST_REF "refs/quiltsync/manifest"

void qs__build_progress(struct build_ctx *c, const char *branch)
{
	c->prog.branch = branch;
	if (c->progress)
		c->progress(&c->prog, c->payload);
}

unsigned int qs__build_apply_flags(const struct build_ctx *c)
{
	return c->cfg->three_way ? QS_APPLY_3WAY : 0;
}

static int resolve_upstream(struct build_ctx *c)
{
	git_object *obj = NULL, *commit = NULL;
	int ret = 0;

	if (git_revparse_single(&obj, c->srepo, c->cfg->upstream) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		ret = qs__error_set(QS_ECONFIG,
				    "upstream '%s' names no commit in '%s'",
				    c->cfg->upstream, c->cfg->repository);
	else
		git_oid_cpy(&c->upstream, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

/*
 * The base, with the last answer for this upstream commit from the
 * cache: proving a tag is in upstream walks history, and upstream moves
 * far less often than the queue.
 */
static int resolve_base(struct build_ctx *c)
{
	struct qs__sha1 h;
	char key[GIT_OID_HEXSZ + 1];
	git_oid known;
	int has_known, ret;

	qs__key_start(&h, c->cfg, "base");
	qs__key_add_oid(&h, &c->upstream);
	qs__key_add(&h, c->cfg->base);
	qs__key_add(&h, c->cfg->base_pattern);
	qs__key_finish(&h, key);
	/* only previous-rc3 walks; the key says which base was asked for */
	has_known = qs__cache_lookup(&c->cache, c->srepo, key, &known, NULL);
	ret = qs__base_resolve_known(&c->base, &c->b->base_name, c->srepo,
				     c->cfg->upstream, c->cfg->base,
				     c->cfg->base_pattern,
				     has_known ? &known : NULL);
	if (ret == QS_ENOTFOUND)
		/* the config names what is not there: its error, exit 2 */
		return qs__error_set(QS_ECONFIG, "%s", qs_error_last()->message);
	if (ret < 0)
		return ret;
	return qs__cache_remember(&c->cache, key, &c->base, NULL);
}

/* A report branch for every branch of the plan, with its ref as it is. */
static int report_plan(struct build_ctx *c)
{
	size_t i;

	for (i = 0; i < c->plan->n; i++) {
		const struct qs__plan_branch *pb = &c->plan->v[i];
		struct qs_build_branch *br = qs__report_add(c->b, pb->name, pb->kind);
		int ret;

		if (!br)
			return QS_ENOMEM;
		br->plan = pb;
		br->mode = pb->mode;
		if (pb->set && qs__set_text(&br->series, "%s", qs_patchset_title(pb->set)) < 0)
			return QS_ENOMEM;
		if ((ret = qs__report_read_old(c->repo, br)) < 0)
			return ret;
		/* for the progress report: each active patch, once per branch */
		if (pb->kind == QS_BRANCH_TREE) {
			size_t k, tree_patches = 0;

			for (k = 0; k < pb->nentries; k++)
				tree_patches += qs_entry_kind_of(pb->entries[k]) == QS_ENTRY_PATCH;
			c->prog.patches_total += tree_patches * (pb->nseries ? 2 : 1);
		}
	}
	c->prog.branches_total = c->plan->n;
	return 0;
}

/* Follow the plan. */
static int build_branches(struct build_ctx *c)
{
	size_t i = 0;
	int ret;

	while (i < c->plan->n) {
		const struct qs__plan_branch *pb = &c->plan->v[i];
		struct qs_build_branch *br = c->b->branches[i];

		if (pb->kind == QS_BRANCH_INTEGRATION)
			ret = qs__build_integration(c, br);
		else if (pb->nseries)
			ret = qs__build_series(c, br, i + 1, pb->nseries);
		else
			ret = qs__build_tree_branch(c, br);
		if (ret < 0)
			return ret;
		c->prog.branches_done++;
		qs__build_progress(c, br->name);
		i += 1 + pb->nseries;
	}
	/*
	 * Last, once every name the config makes is known: a later branch
	 * may match an earlier per-series pattern ("dev-extra", "dev-{slug}").
	 */
	for (i = 0; i < c->cfg->nbranches; i++)
		if (c->cfg->branches[i].per_series &&
		    (ret = qs__list_gone(c, &c->cfg->branches[i])) < 0)
			return ret;
	return 0;
}

/*
 * A branch checked out in a worktree (the main one too) is not moved, as
 * git would not move it: it fails, naming the worktree; the others go
 * on (what builds on it was computed from its new commit all the same).
 */
static int spare_checkouts(struct build_ctx *c)
{
	struct qs__checkouts co;
	qs_buf ref = QS_BUF_INIT;
	size_t i;
	int ret;

	if ((ret = qs__checkouts_read(&co, c->repo)) < 0)
		return ret;
	for (i = 0; i < c->b->nbranches && !ret; i++) {
		struct qs_build_branch *br = c->b->branches[i];
		const char *path;

		if (br->status != QS_BRANCH_CREATED && br->status != QS_BRANCH_UPDATED)
			continue;
		qs_buf_clear(&ref);
		qs_buf_addf(&ref, "refs/heads/%s", br->name);
		if (qs_buf_oom(&ref)) {
			ret = QS_ENOMEM;
			break;
		}
		if (!(path = qs__checkouts_find(&co, ref.ptr)))
			continue;
		br->status = QS_BRANCH_FAILED;
		br->built = br->has_new = 0;
		ret = qs__set_text(&br->error, "checked out in the worktree '%s': not moved, as git would not move it",
				   path);
	}
	qs_buf_release(&ref);
	qs__checkouts_clear(&co);
	return ret;
}

static int add_update(struct qs__ref_update *u, size_t *n, qs_buf *names,
		      const char *name, const git_oid *old, const git_oid *new)
{
	qs_buf_init(&names[*n]);
	qs_buf_adds(&names[*n], name);
	if (qs_buf_oom(&names[*n]))
		return QS_ENOMEM;
	u[*n].name = names[*n].ptr;
	if (old)
		git_oid_cpy(&u[*n].old, old);
	git_oid_cpy(&u[*n].new, new);
	(*n)++;
	return 0;
}

/*
 * The ref updates, in one journalled step: the branches that changed,
 * the cache, and the manifest of this build, so that the manifest never
 * disagrees with the branches, whatever kills the build when.
 * `*published` 1 when some ref moved.
 */
static int write_refs(struct build_ctx *c, int *published)
{
	struct qs__ref_update *u = NULL;
	qs_buf *names = NULL, text = QS_BUF_INIT, who = QS_BUF_INIT;
	size_t n = 0, i;
	git_oid cache, manifest, previous;
	int ret, has_previous, written = 0;

	u = qs__calloc(c->b->nbranches + 2, sizeof(*u));
	names = qs__calloc(c->b->nbranches + 2, sizeof(*names));
	if (!u || !names) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (i = 0; i < c->b->nbranches; i++) {
		struct qs_build_branch *br = c->b->branches[i];
		qs_buf ref = QS_BUF_INIT;

		if (br->status != QS_BRANCH_CREATED && br->status != QS_BRANCH_UPDATED)
			continue;
		qs_buf_addf(&ref, "refs/heads/%s", br->name);
		ret = qs_buf_oom(&ref) ? QS_ENOMEM :
		      add_update(u, &n, names, ref.ptr, br->has_old ? &br->old : NULL,
				 &br->new);
		qs_buf_release(&ref);
		if (ret < 0)
			goto done;
	}
	if ((ret = qs__cache_text(&c->cache, &text)) < 0 ||
	    (ret = qs__store_write(&cache, c->store, text.ptr, text.len,
				   GIT_OBJECT_BLOB)) < 0)
		goto done;
	if ((!c->cache.has_old_blob || !git_oid_equal(&cache, &c->cache.old_blob)) &&
	    (ret = add_update(u, &n, names, QS_CACHE_REF,
			      c->cache.has_old_blob ? &c->cache.old_blob : NULL,
			      &cache)) < 0)
		goto done;
	has_previous = git_reference_name_to_id(&previous, c->repo, MANIFEST_REF) == 0;
	if ((ret = qs__manifest_write(c, &manifest, &written,
				      has_previous ? &previous : NULL)) < 0)
		goto done;
	if (written) {
		git_oid_tostr(c->b->manifest_hex, sizeof(c->b->manifest_hex), &manifest);
		if ((ret = add_update(u, &n, names, MANIFEST_REF,
				      has_previous ? &previous : NULL, &manifest)) < 0)
			goto done;
	} else if (has_previous) {
		/* it still says what the branches are */
		git_oid_tostr(c->b->manifest_hex, sizeof(c->b->manifest_hex), &previous);
	}
	/* objects first: no ref may ever name an object not on disk */
	if ((ret = qs_applier_flush(c->ap)) < 0 || !n ||
	    (ret = qs__refs_check_objects(c->repo, u, n)) < 0)
		goto done;
	qs_buf_addf(&who, "%s <%s>", c->cfg->committer_name, c->cfg->committer_email);
	if (qs_buf_oom(&who)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__refs_update(c->repo, u, n, "quiltsync build", who.ptr);
	*published = !ret;
done:
	for (i = 0; names && i < n; i++)
		qs_buf_release(&names[i]);
	free(names);
	free(u);
	qs_buf_release(&text);
	qs_buf_release(&who);
	return ret;
}

static int remove_stale_keeps(git_repository *repo)
{
	git_buf objects = GIT_BUF_INIT;
	int ret;

	if (git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0)
		return qs__error_git("the repository has no object directory");
	ret = qs__pack_remove_keeps(objects.ptr, QS_BUILD_KEEP);
	git_buf_dispose(&objects);
	return ret;
}

/* Everything before the first branch: repository, lock, queue, base. */
static int prepare(struct build_ctx *c, struct qs__lock **lock,
		   const qs_build_options *opts)
{
	qs_queue_options qopts = QS_QUEUE_OPTIONS_INIT;
	qs_apply_options aopts = QS_APPLY_OPTIONS_INIT;
	const qs_config *cfg = c->cfg;
	const char **sections = NULL;
	size_t i;
	int ret;

	if ((ret = qs__git_init()) < 0)
		return ret;
	if (git_repository_open_ext(&c->repo, cfg->repository,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		/* the config names it: a config error, exit 2 */
		return qs__error_set(QS_ECONFIG, "'%s' is not a git repository: %s",
				     cfg->repository,
				     git_error_last() ? git_error_last()->message : "unknown error");
	/*
	 * The build walks upstream's history (previous-rc3, merge bases,
	 * append-only branches), and libgit2 1.5 reads no shallow history:
	 * each walk would stop at the cut with "object not found".
	 */
	if (git_repository_is_shallow(c->repo) == 1)
		return qs__error_set(QS_ECONFIG, "'%s' is a shallow clone: the build walks "
				     "upstream's history, which it cuts short; fetch the "
				     "whole history (git fetch --unshallow)",
				     cfg->repository);
	if ((ret = qs__lock_take(lock, git_repository_commondir(c->repo),
				 opts->wait_seconds)) < 0)
		return ret;
	if (!(c->flags & QS_BUILD_DRY_RUN) &&
	    (ret = qs__refs_recover(c->repo, &c->b->recovered)) < 0)
		return ret;
	/*
	 * Only what some branch takes is read; a patch that cannot be read
	 * fails the branches that take it, not the build.
	 */
	if (!(sections = qs__calloc(cfg->nbranches + 1, sizeof(*sections))))
		return QS_ENOMEM;
	for (i = 0; i < cfg->nbranches; i++)
		sections[i] = cfg->branches[i].section;
	qopts.series.placeholders = cfg->placeholder_names;
	qopts.series.convention = cfg->convention;
	qopts.flags |= QS_QUEUE_ENTRY_ERRORS;
	qopts.sections = sections;
	qopts.max_patch_size = cfg->max_patch_size;
	ret = qs_queue_open(&c->queue, cfg->series, cfg->patches, &qopts);
	free(sections);
	if (ret < 0)
		return ret;
	aopts.fuzz = cfg->fuzz;
	if ((ret = qs_applier_new(&c->ap, c->repo, &aopts)) < 0)
		return ret;
	c->store = qs__applier_store(c->ap);
	c->srepo = qs__store_repository(c->store);
	qs__store_set_verify(c->store, !!(c->flags & QS_BUILD_VERIFY));
	/*
	 * The pack a build writes holds objects no ref names until the end:
	 * it is kept from a concurrent repack or gc until then. A .keep of
	 * ours still there was left by a killed build (this one holds the
	 * lock, and the recovery above has written what that one's refs
	 * needed).
	 */
	if (!(c->flags & QS_BUILD_DRY_RUN) &&
	    ((ret = qs__store_keep(c->store, QS_BUILD_KEEP)) < 0 ||
	     (ret = remove_stale_keeps(c->repo)) < 0))
		return ret;
	c->cache.disabled = !!(c->flags & QS_BUILD_NO_CACHE);
	if ((ret = resolve_upstream(c)) < 0 ||
	    (ret = qs__cache_load(&c->cache, c->repo, c->store)) < 0 ||
	    (ret = resolve_base(c)) < 0 ||
	    (ret = qs__verify_upstream(c)) < 0 ||
	    (ret = qs__resolutions_key(c)) < 0)
		return ret;
	git_oid_tostr(c->b->base_hex, sizeof(c->b->base_hex), &c->base);
	git_oid_tostr(c->b->upstream_hex, sizeof(c->b->upstream_hex), &c->upstream);
	return 0;
}

/* The branches a caller allows to rewrite must be append-only ones: a typo must not pass unseen. */
static int check_allow_rewrite(const qs_config *cfg, const char *const *names)
{
	size_t i;

	for (; names && *names; names++) {
		for (i = 0; i < cfg->nbranches; i++)
			if (!strcmp(cfg->branches[i].name, *names))
				break;
		if (i == cfg->nbranches)
			return qs__error_set(QS_ECONFIG,
					     "cannot allow rewriting '%s': the config has no branch of that name",
					     *names);
		if (cfg->branches[i].mode != QS__MODE_APPEND)
			return qs__error_set(QS_ECONFIG,
					     "cannot allow rewriting '%s': it is not an append-only branch",
					     *names);
	}
	return 0;
}

int qs_build_run(qs_build **out, const qs_config *cfg,
		 const qs_build_options *opts)
{
	qs_build_options defaults = QS_BUILD_OPTIONS_INIT;
	struct qs__lock *lock = NULL;
	struct qs__plan plan;
	struct build_ctx c;
	size_t i;
	const qs_publish_options *publish;
	int ret, published = 0;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_build_run: out is NULL");
	*out = NULL;
	if (!cfg)
		return qs__error_set(QS_EINVAL, "qs_build_run: config is NULL");
	if (!opts)
		opts = &defaults;
	/* version 1 is the same without `allow_rewrite`, 2 without `publish` */
	if (opts->version < 1 || opts->version > QS_BUILD_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL, "qs_build_run: unknown options version %u",
				     opts->version);
	memset(&c, 0, sizeof(c));
	c.allow_rewrite = opts->version >= 2 ? opts->allow_rewrite : NULL;
	publish = opts->version >= 3 ? opts->publish : NULL;
	if ((ret = check_allow_rewrite(cfg, c.allow_rewrite)) < 0)
		return ret;
	if (publish && (opts->flags & QS_BUILD_DRY_RUN))
		return qs__error_set(QS_EINVAL, "a dry run cannot publish: it writes no branch");
	if (publish && (ret = qs__publish_check(cfg, publish)) < 0)
		return ret;
	memset(&plan, 0, sizeof(plan));
	c.cfg = cfg;
	c.flags = opts->flags;
	c.progress = opts->progress;
	c.payload = opts->payload;
	c.jobs = opts->jobs;
	c.plan = &plan;
	c.b = qs__calloc(1, sizeof(*c.b));
	if (!c.b)
		return QS_ENOMEM;
	if ((ret = prepare(&c, &lock, opts)) < 0 ||
	    (ret = qs__plan_make(&plan, cfg, c.queue,
				 git_repository_commondir(c.repo))) < 0 ||
	    (ret = report_plan(&c)) < 0 ||
	    (ret = build_branches(&c)) < 0)
		goto done;
	for (i = 0; i < c.b->nbranches; i++) {
		struct qs_build_branch *br = c.b->branches[i];

		if ((ret = qs__report_keep_failure(br)) < 0)
			goto done;
		br->unpublished = cfg->unpublish_failed_series &&
				  br->kind == QS_BRANCH_SERIES &&
				  (br->status == QS_BRANCH_FAILED ||
				   br->status == QS_BRANCH_BLOCKED ||
				   br->status == QS_BRANCH_SKIPPED);
	}
	if ((ret = spare_checkouts(&c)) < 0 ||
	    (ret = qs__changes_find(&c)) < 0)
		goto done;
	if (!(c.flags & QS_BUILD_DRY_RUN)) {
		if ((ret = write_refs(&c, &published)) < 0)
			goto done;
		/* the refs name the new objects now: gc may have the pack */
		qs__store_unkeep(c.store);
		if ((ret = qs__report_damaged(&c)) < 0)
			goto done;
		if (published)
			qs__build_maintenance(&c);
		/* the report of the build that holds the lock, for quiltsync status */
		if (qs__report_save(c.b, c.repo) < 0)
			qs__log(QS_LOG_WARNING, NULL, 0,
				"cannot keep the report for quiltsync status: %s",
				qs_error_last()->message);
		if (opts->finished)
			opts->finished(c.b, c.payload);
		/* still under the lock: no build comes between */
		if (publish &&
		    (ret = qs__publish_locked(&c.b->publish, cfg, publish, c.repo)) < 0)
			goto done;
	}
	*out = c.b;
	c.b = NULL;
	ret = 0;
done:
	/* the plan and the queue go: the report keeps nothing of them */
	for (i = 0; *out && i < (*out)->nbranches; i++) {
		(*out)->branches[i]->plan = NULL;
		(*out)->branches[i]->failed_entry = NULL;
	}
	qs__plan_clear(&plan);
	qs__cache_clear(&c.cache, 0);
	qs_applier_free(c.ap);
	qs_queue_free(c.queue);
	qs__lock_release(lock);
	git_repository_free(c.repo);
	qs_build_free(c.b);
	return ret;
}
