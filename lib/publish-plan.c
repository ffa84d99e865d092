/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The plan of one remote: which of the manifest's branches go there,
 * what the remote has (git ls-remote, with the user's git setup, as the
 * push will be), and what would be sent.
 *
 * Three ids decide each branch: ours (the manifest's tip), the remote's
 * (R) and the last one we published there (P, recorded under
 * refs/quiltsync/published/<remote>/; or the one a push in flight was
 * sending, refs/quiltsync/publishing/, when we were killed before
 * recording it).
 * - R is ours: unchanged, nothing sent.
 * - An append-only branch is sent without force: R must be an ancestor
 *   of ours, checked here, before anything is sent (a refusal there
 *   is the build's exit 7), unless the caller allows rewriting it.
 * - Any other change is sent with --force-with-lease=<ref>:R, and only
 *   when R is what we last published (or R and P are both absent): a
 *   branch someone else pushed since is refused here, and one pushed
 *   between this listing and the push is refused by git's lease.
 * - The first publish to a remote has no record: what the remote has
 *   then is taken as the starting point (quiltsync-publish(1) says so).
 */
#include "internal.h"
#include "publish-internal.h"
#include "git-exec.h"
#include "strmap.h"

struct qs_publish_ref *qs__publish_add_ref(struct qs_publish_remote *r)
{
	struct qs_publish_ref *ref;

	if (QS_ARRAY_GROW(r->refs, r->alloc, r->nrefs + 1) < 0)
		return NULL;
	ref = &r->refs[r->nrefs++];
	memset(ref, 0, sizeof(*ref));
	return ref;
}

const char *qs__publish_git_message(qs_buf *err)
{
	qs_buf msg = QS_BUF_INIT;
	char *line, *next;
	int n = 0;

	/*
	 * What ssh or the server said comes before git's own "fatal:
	 * Could not read from remote repository": up to three lines, to the
	 * first fatal or error, hints left out.
	 */
	for (line = err->ptr; line && *line && n < 3; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!*line || !strncmp(line, "hint:", 5))
			continue;
		qs_buf_addf(&msg, "%s%s", n++ ? "; " : "", line);
		if (!strncmp(line, "fatal:", 6) || !strncmp(line, "error:", 6))
			break;
	}
	if (!n || qs_buf_oom(&msg)) {
		qs_buf_release(&msg);
		return "no message";
	}
	qs_buf_release(err);
	*err = msg;
	return err->ptr;
}

/* Whether the remote's config takes manifest branch `b`. */
static int selected(const struct qs__publish_ctx *ctx,
		    const struct qs__remote_conf *rc,
		    const struct qs_manifest_branch *b)
{
	if (b->status == QS_MANIFEST_GONE || !b->tip || !b->publish)
		return 0;
	if (!rc->branches)
		return 1;
	for (size_t i = 0; i < rc->nbranches; i++) {
		const struct qs__branch_conf *bc;

		if (!strcmp(rc->branches[i], b->name))
			return 1;
		if (b->kind != QS_BRANCH_SERIES || !rc->per_series || !b->section)
			continue;
		bc = qs__config_branch(ctx->cfg, rc->branches[i]);
		if (bc && bc->per_series && !strcmp(bc->section, b->section))
			return 1;
	}
	return 0;
}

static int allowed_to_rewrite(const struct qs__publish_ctx *ctx, const char *name)
{
	for (const char *const *a = ctx->allow_rewrite; a && *a; a++)
		if (!strcmp(*a, name))
			return 1;
	return 0;
}

const char *qs__heads_id(const struct qs__heads *h, const char *ref)
{
	size_t *i = qs__strmap_get(&h->map, ref);

	return i ? h->ids[*i] : NULL;
}

static void heads_clear(struct qs__heads *h)
{
	qs__strmap_clear(&h->map);
	free(h->ids);
	for (size_t i = 0; i < h->n; i++)
		free(h->names[i]);
	free(h->names);
	memset(h, 0, sizeof(*h));
}

static int list_remote(struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
		       struct qs__heads *heads)
{
	const char **argv = NULL;
	qs_buf out = QS_BUF_INIT, err = QS_BUF_INIT;
	int status, timed_out, ret;
	char *line, *next;
	size_t n = 0, i;

	/* the branches, and the tags this run would make: no other tag */
	if (!(argv = qs__calloc(6 + r->nrefs, sizeof(*argv)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	argv[n++] = "ls-remote";
	argv[n++] = "--refs";
	argv[n++] = "--";
	argv[n++] = r->url;
	argv[n++] = "refs/heads/*";
	for (i = 0; i < r->nrefs; i++)
		if (r->refs[i].tag)
			argv[n++] = r->refs[i].name;
	argv[n] = NULL;
	if ((ret = qs__git_run_ex(&status, &out, &err, ctx->git_dir, argv, ctx->env,
				  r->conf->timeout, &timed_out)) < 0)
		goto done;
	if (timed_out || status) {
		r->result = QS_REMOTE_FAILED;
		ret = timed_out ?
			qs__set_text(&r->error, "cannot list the remote's branches: timed out after %d seconds",
				     r->conf->timeout) :
			qs__set_text(&r->error, "cannot list the remote's branches: %s",
				     qs__publish_git_message(&err));
		goto done;
	}
	for (line = out.ptr; *line; line = next) {
		char *tab;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!(tab = strchr(line, '\t')) || tab - line != GIT_OID_HEXSZ)
			continue;
		*tab = '\0';
		if (QS_ARRAY_GROW(heads->ids, heads->alloc, heads->n + 1) < 0 ||
		    QS_ARRAY_GROW(heads->names, heads->names_alloc, heads->n + 1) < 0 ||
		    !(heads->names[heads->n] = qs__strdup(tab + 1)) ||
		    qs__strmap_put(&heads->map, tab + 1, heads->n) < 0) {
			ret = QS_ENOMEM;
			goto done;
		}
		memcpy(heads->ids[heads->n++], line, GIT_OID_HEXSZ + 1);
	}
done:
	free(argv);
	qs_buf_release(&out);
	qs_buf_release(&err);
	return ret;
}

int qs__publish_recorded(const struct qs__publish_ctx *ctx, git_oid *out,
			 const char *prefix, const char *remote, const char *branch)
{
	qs_buf name = QS_BUF_INIT;
	int err;

	if (qs_buf_addf(&name, "%s%s/%s", prefix, remote, branch) < 0)
		return QS_ENOMEM;
	err = git_reference_name_to_id(out, ctx->repo, name.ptr);
	qs_buf_release(&name);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return qs__error_git("cannot read what was published");
	return 1;
}

/* Whether `remote_hex` is a commit we published, or were publishing, there. */
static int ours(const struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
		struct qs_publish_ref *ref, const git_oid *remote_id)
{
	git_oid pending;
	int ret;

	if (ref->has_published && git_oid_equal(&ref->published, remote_id))
		return 1;
	if ((ret = qs__publish_recorded(ctx, &pending, QS__PUBLISHING_PREFIX, r->name, ref->branch)) <= 0)
		return ret;
	return git_oid_equal(&pending, remote_id);
}

/* Refuse `ref` before anything is sent, with `result` for the remote. */
static int refuse(struct qs_publish_remote *r, struct qs_publish_ref *ref,
		  qs_remote_result result, const char *reason)
{
	ref->status = QS_REF_REFUSED;
	if (qs__set_text(&ref->reason, "%s", reason) < 0)
		return QS_ENOMEM;
	/* an append-only refusal is the one a person must act on first */
	if (r->result != QS_REMOTE_REWRITE)
		r->result = result;
	if (!r->error || result == QS_REMOTE_REWRITE)
		return qs__set_text(&r->error, "%s: %s", ref->name, reason);
	return 0;
}

static int plan_ref(struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
		    struct qs_publish_ref *ref, const char *remote_hex)
{
	git_oid new_id, remote_id;
	int ret;

	if (git_oid_fromstr(&new_id, ref->new) < 0)
		return qs__error_git("bad id in the manifest");
	if ((ret = qs__publish_recorded(ctx, &ref->published, QS__PUBLISHED_PREFIX, r->name,
			    ref->branch)) < 0)
		return ret;
	ref->has_published = ret;
	if (!remote_hex) {
		ref->action = QS_REF_CREATE;
		/*
		 * A branch we published, deleted there since: someone else did
		 * that, unless a push of ours in flight (a prune) did.
		 */
		if (ref->has_published && !ref->append_only) {
			git_oid pending;

			if ((ret = qs__publish_recorded(ctx, &pending, QS__PUBLISHING_PREFIX, r->name,
					    ref->branch)) < 0)
				return ret;
			if (!ret)
				return refuse(r, ref, QS_REMOTE_LEASE,
					      "deleted on the remote by someone else since the last publish");
		}
		if (qs__set_text(&ref->refspec, "%s:%s", ref->new, ref->name) < 0 ||
		    (!ref->append_only && qs__set_text(&ref->lease, "%s", "") < 0))
			return QS_ENOMEM;
		return 0;
	}
	ref->has_old = 1;
	memcpy(ref->old, remote_hex, GIT_OID_HEXSZ + 1);
	if (git_oid_fromstr(&remote_id, remote_hex) < 0)
		return qs__error_set(QS_EGIT, "ls-remote gave a bad id for '%s'", ref->name);
	if (git_oid_equal(&remote_id, &new_id)) {
		ref->action = QS_REF_UNCHANGED;
		return 0;
	}
	ref->action = QS_REF_UPDATE;
	if (qs__set_text(&ref->refspec, "%s:%s", ref->new, ref->name) < 0)
		return QS_ENOMEM;
	if (ref->append_only && !allowed_to_rewrite(ctx, ref->branch)) {
		/* the remote's commit must be one of ours, below our tip */
		int desc = git_graph_descendant_of(ctx->repo, &new_id, &remote_id);

		if (desc == 1)
			return 0;
		return refuse(r, ref, QS_REMOTE_REWRITE,
			      desc == 0 ? "append-only branch would not fast-forward (the remote has commits ours does not)" :
			      "append-only branch would not fast-forward (the remote's commit is not in this repository)");
	}
	/* a rebuilt branch, or an append-only one allowed to rewrite: leased */
	if (ref->has_published || !ref->append_only) {
		if ((ret = ours(ctx, r, ref, &remote_id)) < 0)
			return ret;
		if (!ret && ref->has_published)
			return refuse(r, ref, QS_REMOTE_LEASE,
				      "someone else pushed to it since the last publish");
	}
	return qs__set_text(&ref->lease, "%s", remote_hex);
}

/* The dated tag of each branch the remote's `tags` lists, as refs to plan. */
static int add_tags(struct qs__publish_ctx *ctx, struct qs_publish_remote *r)
{
	const struct qs__remote_conf *rc = r->conf;
	size_t n = r->nrefs;

	for (size_t t = 0; t < rc->ntag_branches; t++) {
		for (size_t i = 0; i < n; i++) {
			struct qs_publish_ref *tag;
			qs_buf name = QS_BUF_INIT;
			int ret;

			if (strcmp(r->refs[i].branch, rc->tag_branches[t]))
				continue;
			qs_buf_adds(&name, "refs/tags/");
			if ((ret = qs__tag_name(&name, rc->tag_pattern, r->refs[i].branch,
						&ctx->now)) < 0 ||
			    !(tag = qs__publish_add_ref(r))) {
				qs_buf_release(&name);
				return ret < 0 ? ret : QS_ENOMEM;
			}
			tag->tag = 1;
			tag->name = qs_buf_detach(&name);
			/* the branch it dates: r->refs may have moved */
			if (!tag->name || qs__set_text(&tag->branch, "%s", rc->tag_branches[t]) < 0)
				return QS_ENOMEM;
			memcpy(tag->new, r->refs[i].new, GIT_OID_HEXSZ + 1);
		}
	}
	return 0;
}

/*
 * A dated tag is made when its branch moves there, never moved: a
 * remote that has one of that name pointing elsewhere refuses it.
 */
static int plan_tag(struct qs_publish_remote *r, struct qs_publish_ref *tag,
		    const char *remote_hex)
{
	const struct qs_publish_ref *branch = NULL;

	for (size_t i = 0; i < r->nrefs; i++)
		if (!r->refs[i].tag && !strcmp(r->refs[i].branch, tag->branch))
			branch = &r->refs[i];
	if (remote_hex) {
		tag->has_old = 1;
		memcpy(tag->old, remote_hex, GIT_OID_HEXSZ + 1);
		tag->action = QS_REF_UNCHANGED;
		if (!strcmp(remote_hex, tag->new))
			return 0;
		return refuse(r, tag, QS_REMOTE_LEASE,
			      "the remote has this tag on another commit: tags are never moved");
	}
	if (!branch || branch->action == QS_REF_UNCHANGED) {
		/* the branch did not move: no tag */
		tag->action = QS_REF_UNCHANGED;
		return 1;
	}
	tag->action = QS_REF_CREATE;
	if (qs__set_text(&tag->refspec, "%s:%s", tag->new, tag->name) < 0 ||
	    qs__set_text(&tag->lease, "%s", "") < 0)
		return QS_ENOMEM;
	return 0;
}

/* Drop the tags plan_tag() found no use for. */
static void drop_unused_tags(struct qs_publish_remote *r, const unsigned char *unused)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nrefs; i++) {
		if (unused[i]) {
			free(r->refs[i].name);
			free(r->refs[i].branch);
			free(r->refs[i].refspec);
			free(r->refs[i].lease);
			free(r->refs[i].reason);
			continue;
		}
		r->refs[k++] = r->refs[i];
	}
	r->nrefs = k;
}

int qs__publish_plan(struct qs__publish_ctx *ctx, struct qs_publish_remote *r)
{
	unsigned char *unused = NULL;
	struct qs__heads heads;
	size_t i;
	int ret = 0;

	memset(&heads, 0, sizeof(heads));
	for (i = 0; i < ctx->manifest->nbranches; i++) {
		const struct qs_manifest_branch *b = &ctx->manifest->branches[i];
		struct qs_publish_ref *ref;

		if (!selected(ctx, r->conf, b))
			continue;
		if (!(ref = qs__publish_add_ref(r)) ||
		    qs__set_text(&ref->branch, "%s", b->name) < 0 ||
		    qs__set_text(&ref->name, "refs/heads/%s", b->name) < 0) {
			ret = QS_ENOMEM;
			goto done;
		}
		memcpy(ref->new, b->tip, GIT_OID_HEXSZ + 1);
		ref->append_only = b->mode == QS_BRANCH_APPEND;
	}
	if ((ret = add_tags(ctx, r)) < 0 || (ret = list_remote(ctx, r, &heads)) < 0)
		goto done;
	if (r->result == QS_REMOTE_FAILED) {
		/* not reached: what each ref would have been is unknown */
		for (i = 0; i < r->nrefs; i++)
			r->refs[i].status = QS_REF_NOT_SENT;
		goto done;
	}
	for (i = 0; i < r->nrefs; i++)
		if (!r->refs[i].tag &&
		    (ret = plan_ref(ctx, r, &r->refs[i],
				    qs__heads_id(&heads, r->refs[i].name))) < 0)
			goto done;
	if (!(unused = qs__calloc(r->nrefs + 1, 1))) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (i = 0; i < r->nrefs; i++) {
		if (!r->refs[i].tag)
			continue;
		if ((ret = plan_tag(r, &r->refs[i], qs__heads_id(&heads, r->refs[i].name))) < 0)
			goto done;
		unused[i] = ret == 1;
		ret = 0;
	}
	drop_unused_tags(r, unused);
	if (r->result == QS_REMOTE_PUBLISHED &&
	    (ret = qs__publish_prune(ctx, r, &heads)) < 0)
		goto done;
	if (r->result != QS_REMOTE_PUBLISHED) {
		for (i = 0; i < r->nrefs; i++)
			if (r->refs[i].action != QS_REF_UNCHANGED &&
			    r->refs[i].status == QS_REF_OK)
				r->refs[i].status = QS_REF_NOT_SENT;
		goto done;
	}
	r->result = QS_REMOTE_UNCHANGED;
	for (i = 0; i < r->nrefs; i++)
		if (r->refs[i].action != QS_REF_UNCHANGED)
			r->result = QS_REMOTE_PUBLISHED;
done:
	free(unused);
	heads_clear(&heads);
	return ret;
}

int qs__publish_recheck(struct qs__publish_ctx *ctx, struct qs_publish_remote *r)
{
	struct qs__heads heads;
	qs_remote_result result = r->result;
	char *error = r->error;
	size_t i;
	int ret, listed;

	memset(&heads, 0, sizeof(heads));
	r->error = NULL;
	r->result = QS_REMOTE_PUBLISHED;	/* list_remote says FAILED if it cannot list */
	ret = list_remote(ctx, r, &heads);
	/* a remote that cannot be listed now tells nothing: the push's error stands */
	listed = ret == 0 && r->result != QS_REMOTE_FAILED;
	free(r->error);
	r->error = error;
	r->result = result;
	for (i = 0; listed && i < r->nrefs; i++) {
		struct qs_publish_ref *ref = &r->refs[i];
		const char *now = qs__heads_id(&heads, ref->name);

		if (!ref->lease || ref->status == QS_REF_OK)
			continue;
		if (!strcmp(ref->lease, now ? now : "") || (now && !strcmp(now, ref->new)))
			continue;
		ref->status = QS_REF_REJECTED;
		r->result = QS_REMOTE_LEASE;
		if ((ret = qs__set_text(&ref->reason, "%s",
					"someone else pushed to it while we pushed (the lease did not hold)")) < 0 ||
		    (ret = qs__set_text(&r->error, "%s: %s", ref->name, ref->reason)) < 0)
			break;
	}
	heads_clear(&heads);
	return ret;
}
