/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync publish: the branches of the last manifest pushed to each
 * remote of the config, one remote after the other, each on its own
 * (publish-plan.c decides, publish-push.c sends).
 *
 * Under the build lock, so that no build moves a branch while it is
 * read and pushed. A journal left by a killed build is finished first,
 * as the next build would (refs.h): the manifest and the branches then
 * agree again, and publishing what they say is publishing what a
 * complete build made. The alternative, refusing until a build runs,
 * would leave a cron job that only publishes stuck for nothing.
 *
 * What was published is recorded only after git said the push
 * succeeded; a push in flight is recorded beforehand as such
 * (refs/quiltsync/publishing/), so that a run killed between the push
 * and the record does not take its own push for someone else's.
 */
#include "internal.h"
#include "publish-internal.h"
#include "git-exec.h"
#include "group.h"
#include "lock.h"
#include "refs.h"

static const char batch_ssh[] = "GIT_SSH_COMMAND=ssh -o BatchMode=yes";

/*
 * ssh must not ask for a password or a host key's approval: nobody is
 * there to answer. Unless the user chose their ssh command (which we
 * then run as they wrote it), it is run in batch mode.
 */
static int ssh_setup(struct qs__publish_ctx *ctx)
{
	git_config *cfg = NULL;
	git_buf value = GIT_BUF_INIT;
	int have;

	ctx->env[0] = ctx->env[1] = NULL;
	if (getenv("GIT_SSH_COMMAND") || getenv("GIT_SSH"))
		return 0;
	if (git_repository_config_snapshot(&cfg, ctx->repo) < 0)
		return qs__error_git("cannot read the repository's git config");
	have = git_config_get_string_buf(&value, cfg, "core.sshCommand") == 0;
	git_buf_dispose(&value);
	git_config_free(cfg);
	if (!have)
		ctx->env[0] = batch_ssh;
	return 0;
}

/* `prefix`<remote>/<branch> set to `hex`, or (NULL) removed. */
static int record_one(struct qs__publish_ctx *ctx, const char *prefix,
		      const char *remote, const struct qs_publish_ref *ref, const char *hex)
{
	qs_buf name = QS_BUF_INIT;
	git_reference *made = NULL;
	git_oid id;
	int err = 0;

	if (qs_buf_addf(&name, "%s%s/%s", prefix, remote, ref->branch) < 0)
		return QS_ENOMEM;
	if (!hex) {
		git_reference *old = NULL;

		if ((err = git_reference_lookup(&old, ctx->repo, name.ptr)) == 0)
			err = git_reference_delete(old);
		git_reference_free(old);
		if (err == GIT_ENOTFOUND)
			err = 0;
	} else if ((err = git_oid_fromstr(&id, hex)) == 0) {
		err = git_reference_create(&made, ctx->repo, name.ptr, &id, 1,
					   "quiltsync publish");
		git_reference_free(made);
	}
	qs_buf_release(&name);
	return err < 0 ? qs__error_git("cannot record what was published") : 0;
}

/*
 * The records of remote `r`: before the push (`before`), the ids in
 * flight (for a deletion, the id deleted); after it, what the remote now
 * has, for every ref it took or already had.
 */
static int record(struct qs__publish_ctx *ctx, struct qs_publish_remote *r, int before)
{
	int ret;

	for (size_t i = 0; i < r->nrefs; i++) {
		const struct qs_publish_ref *ref = &r->refs[i];
		int deleted = ref->action == QS_REF_DELETE;

		if (ref->tag)
			continue;
		if (before) {
			if (ref->action != QS_REF_UNCHANGED && ref->status == QS_REF_OK &&
			    (ret = record_one(ctx, QS__PUBLISHING_PREFIX, r->name, ref,
					      deleted ? ref->old : ref->new)) < 0)
				return ret;
			continue;
		}
		if (ref->status != QS_REF_OK || (ref->action == QS_REF_UNCHANGED && ref->reason))
			continue;
		if (!deleted && ref->has_published && git_oid_streq(&ref->published, ref->new) == 0)
			continue;
		if ((ret = record_one(ctx, QS__PUBLISHED_PREFIX, r->name, ref,
				      deleted ? NULL : ref->new)) < 0 ||
		    (ret = record_one(ctx, QS__PUBLISHING_PREFIX, r->name, ref, NULL)) < 0)
			return ret;
	}
	return 0;
}

static void progress(const qs_publish_options *opts, const struct qs_publish_remote *r,
		     qs_publish_stage stage)
{
	size_t n = 0;

	if (!opts->progress)
		return;
	for (size_t i = 0; i < r->nrefs; i++)
		n += r->refs[i].action != QS_REF_UNCHANGED;
	opts->progress(r->name, stage, n, opts->payload);
}

static int publish_remote(struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
			  const qs_publish_options *opts)
{
	int ret;

	progress(opts, r, QS_PUBLISH_STAGE_LIST);
	if ((ret = qs__publish_plan(ctx, r)) < 0)
		return ret;
	if (r->result == QS_REMOTE_PUBLISHED) {
		if (ctx->dry_run)
			ret = qs__publish_command(r);
		else {
			progress(opts, r, QS_PUBLISH_STAGE_PUSH);
			if ((ret = record(ctx, r, 1)) == 0)
				ret = qs__publish_push(ctx, r);
			/*
			 * what git said each ref became: all of them, or (atomic:
			 * false) some
			 */
			if (ret == 0)
				ret = record(ctx, r, 0);
		}
	} else if (r->result == QS_REMOTE_UNCHANGED && !ctx->dry_run) {
		ret = record(ctx, r, 0);
	}
	/* a remote refused or not reached: nothing is recorded */
	if (ret < 0)
		return ret;
	progress(opts, r, QS_PUBLISH_STAGE_DONE);
	return 0;
}

static int check_allow_rewrite(const qs_config *cfg, const char *const *names)
{
	for (; names && *names; names++) {
		const struct qs__branch_conf *b = qs__config_branch(cfg, *names);

		if (!b)
			return qs__error_set(QS_ECONFIG,
					     "cannot allow rewriting '%s': the config has no branch of that name",
					     *names);
		if (b->mode != QS__MODE_APPEND)
			return qs__error_set(QS_ECONFIG,
					     "cannot allow rewriting '%s': it is not an append-only branch",
					     *names);
	}
	return 0;
}

/* The remotes to publish, in the config's order or the caller's. */
static int pick_remotes(qs_publish *p, const qs_config *cfg, const char *const *names)
{
	size_t n = 0, i;

	/* qs__publish_check said every name is a remote of the config */
	while (names && names[n])
		n++;
	if (!names)
		n = cfg->nremotes;
	if (!(p->remotes = qs__calloc(n ? n : 1, sizeof(*p->remotes))))
		return QS_ENOMEM;
	for (i = 0; i < n; i++) {
		struct qs_publish_remote *r = &p->remotes[p->nremotes++];
		qs_buf url = QS_BUF_INIT;
		int ret;

		r->conf = names ? qs__config_remote(cfg, names[i]) : &cfg->remotes[i];
		if ((ret = qs__git_url(&url, cfg->dir, r->conf->url)) < 0 ||
		    qs_buf_oom(&url) || !(r->name = qs__strdup(r->conf->name))) {
			qs_buf_release(&url);
			return ret < 0 ? ret : QS_ENOMEM;
		}
		r->url = qs_buf_detach(&url);
	}
	return 0;
}

/* A dry run writes nothing, so it cannot finish a journal: it says so. */
static int check_no_journal(git_repository *repo)
{
	qs_buf path = QS_BUF_INIT;
	int ret;

	if ((ret = qs__refs_journal_left(repo, &path)) > 0)
		ret = qs__error_set(QS_ERROR,
				    "a killed build left its ref updates unfinished ('%s'): "
				    "publish without --dry-run (or build) finishes them first",
				    path.ptr);
	qs_buf_release(&path);
	return ret;
}

int qs__publish_check(const qs_config *cfg, const qs_publish_options *opts)
{
	if (opts->version != QS_PUBLISH_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL, "qs_publish_run: unknown options version %u",
				     opts->version);
	if (!cfg->nremotes)
		return qs__error_set(QS_ECONFIG, "%s: no remotes to publish to (quiltsync.yaml(5), REMOTES)",
				     cfg->path ? cfg->path : QS_CONFIG_DEFAULT_NAME);
	for (size_t i = 0; opts->remotes && opts->remotes[i]; i++) {
		if (!qs__config_remote(cfg, opts->remotes[i]))
			return qs__error_set(QS_EINVAL, "no remote named '%s' in %s",
					     opts->remotes[i],
					     cfg->path ? cfg->path : QS_CONFIG_DEFAULT_NAME);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(opts->remotes[j], opts->remotes[i]))
				return qs__error_set(QS_EINVAL, "remote '%s' is named twice",
						     opts->remotes[i]);
	}
	return check_allow_rewrite(cfg, opts->allow_rewrite);
}

/* Everything after the lock and the journal: the manifest, then each remote. */
static int publish_all(qs_publish *p, struct qs__publish_ctx *ctx,
		       const qs_publish_options *opts)
{
	qs_manifest *manifest = NULL;
	int ret;

	if ((ret = qs_manifest_load(&manifest, ctx->git_dir, NULL,
				    QS_MANIFEST_BRANCHES_ONLY)) < 0 ||
	    (ret = ssh_setup(ctx)) < 0)
		goto done;
	ctx->manifest = manifest;
	memcpy(p->manifest, manifest->id, sizeof(p->manifest));
	for (size_t i = 0; i < p->nremotes; i++)
		if ((ret = publish_remote(ctx, &p->remotes[i], opts)) < 0)
			goto done;
	if (!ctx->dry_run) {
		qs_buf who = QS_BUF_INIT;

		if (qs_buf_addf(&who, "%s <%s>", ctx->cfg->committer_name,
				ctx->cfg->committer_email) < 0) {
			ret = QS_ENOMEM;
			goto done;
		}
		ret = qs__publish_prune_local(ctx, p, who.ptr);
		qs_buf_release(&who);
	}
done:
	ctx->manifest = NULL;
	qs_manifest_free(manifest);
	return ret;
}

/* A context and an empty report for `cfg` and `opts` (checked). */
static int prepare(qs_publish **out, struct qs__publish_ctx *ctx,
		   const qs_config *cfg, const qs_publish_options *opts)
{
	qs_publish *p;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	if (!(p = qs__calloc(1, sizeof(*p))))
		return QS_ENOMEM;
	time_t now = opts->now ? (time_t)opts->now : time(NULL);

	p->dry_run = ctx->dry_run = !!(opts->flags & QS_PUBLISH_DRY_RUN);
	gmtime_r(&now, &ctx->now);
	ctx->cfg = cfg;
	ctx->allow_rewrite = opts->allow_rewrite;
	if ((ret = pick_remotes(p, cfg, opts->remotes)) < 0) {
		qs_publish_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int qs__publish_locked(qs_publish **out, const qs_config *cfg,
		       const qs_publish_options *opts, git_repository *repo)
{
	struct qs__publish_ctx ctx;
	qs_publish *p = NULL;
	int ret;

	*out = NULL;
	if ((ret = qs__publish_check(cfg, opts)) < 0 ||
	    (ret = prepare(&p, &ctx, cfg, opts)) < 0)
		return ret;
	ctx.repo = repo;
	ctx.git_dir = git_repository_commondir(repo);
	if ((ret = publish_all(p, &ctx, opts)) < 0) {
		qs_publish_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int qs_publish_run(qs_publish **out, const qs_config *cfg,
		   const qs_publish_options *opts)
{
	qs_publish_options defaults = QS_PUBLISH_OPTIONS_INIT;
	struct qs__publish_ctx ctx;
	struct qs__lock *lock = NULL;
	qs_publish *p = NULL;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_publish_run: out is NULL");
	*out = NULL;
	if (!cfg)
		return qs__error_set(QS_EINVAL, "qs_publish_run: config is NULL");
	if (!opts)
		opts = &defaults;
	memset(&ctx, 0, sizeof(ctx));
	if ((ret = qs__publish_check(cfg, opts)) < 0 ||
	    (ret = prepare(&p, &ctx, cfg, opts)) < 0 ||
	    (ret = qs__git_init()) < 0)
		goto done;
	if (git_repository_open_ext(&ctx.repo, cfg->repository,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		ret = qs__error_set(QS_ECONFIG, "'%s' is not a git repository: %s",
				    cfg->repository,
				    git_error_last() ? git_error_last()->message : "unknown error");
		goto done;
	}
	ctx.git_dir = git_repository_commondir(ctx.repo);
	if ((ret = qs__lock_take(&lock, ctx.git_dir, opts->wait_seconds)) < 0)
		goto done;
	if (ctx.dry_run)
		ret = check_no_journal(ctx.repo);
	else
		ret = qs__refs_recover(ctx.repo, &p->recovered);
	if (ret < 0 || (ret = publish_all(p, &ctx, opts)) < 0)
		goto done;
	*out = p;
	p = NULL;
done:
	qs__lock_release(lock);
	git_repository_free(ctx.repo);
	qs_publish_free(p);
	return ret;
}
