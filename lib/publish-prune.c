/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pruning: the per-series branches of series that left the queue are
 * deleted on a remote, in the same atomic push as the rest, so that
 * developers are not left with branches nobody updates.
 *
 * Only what quiltsync made is ever deleted: a branch of the remote is
 * a candidate when its name fits the per-series pattern of a tree this
 * remote publishes, the current manifest does not make it, quiltsync
 * published it there (refs/quiltsync/published/<remote>/) and the
 * remote still has exactly that commit (someone else's push since is
 * theirs to keep), and some earlier manifest recorded it as built. A
 * hand-made branch that fits the pattern has no such record.
 *
 * The grace period (the remote's `prune`): next-rc3, the default, keeps
 * the branch until the base per-series branches start from is another
 * than the one the series was last built on - the next -rc3, for
 * previous-rc3 - so that a developer whose series was merged or dropped
 * has the rest of that cycle to notice; now deletes it at once; never
 * keeps it. The manifests' history (each has the previous one as its
 * parent) says on which base it was last built.
 *
 * A per-series branch whose series failed under `failed-series:
 * unpublish` is still in the manifest, not published: the same rules
 * delete it from the remote, without a grace period (withdrawing it
 * is what the user asked for), unless the remote's `prune` is never.
 * Once its series applies again it is published again, as a new branch.
 */
#include "internal.h"
#include "publish-internal.h"
#include "refs.h"

/* How far back the manifests are read for where a branch was last built. */
#define MAX_HISTORY 1000

struct candidate {
	const char *ref;	/* "refs/heads/x" (borrowed from the heads) */
	const char *id;		/* what the remote has */
	char base[GIT_OID_HEXSZ + 1];	/* the base it was last built on; "" unknown */
	char tip[GIT_OID_HEXSZ + 1];	/* its commit then */
	int withdrawn;		/* its series failed under failed-series: unpublish */
};

/*
 * Whether `branch` is what the per-series pattern of a tree `rc`
 * publishes makes (`rc` NULL: of any tree).
 */
static int per_series_name(const struct qs__publish_ctx *ctx,
			   const struct qs__remote_conf *rc, const char *branch)
{
	for (size_t i = 0; i < ctx->cfg->nbranches; i++) {
		const struct qs__branch_conf *b = &ctx->cfg->branches[i];
		const char *at, *suffix;
		size_t plen, slen, len = strlen(branch);
		int listed = !rc || !rc->branches;

		if (!b->per_series || (rc && !rc->per_series))
			continue;
		for (size_t k = 0; rc && k < rc->nbranches && !listed; k++)
			listed = !strcmp(rc->branches[k], b->name);
		if (!listed)
			continue;
		at = strstr(b->per_series, "{slug}");
		plen = (size_t)(at - b->per_series);
		suffix = at + strlen("{slug}");
		slen = strlen(suffix);
		if (len > plen + slen && !strncmp(branch, b->per_series, plen) &&
		    !strcmp(branch + len - slen, suffix))
			return 1;
	}
	return 0;
}

static int live(const struct qs_manifest_branch *b)
{
	return b && b->status != QS_MANIFEST_GONE && b->tip;
}

/* For each candidate, the base of the newest manifest that built it. */
static int find_bases(struct qs__publish_ctx *ctx, struct candidate *c, size_t n)
{
	const qs_manifest *m = ctx->manifest;
	qs_manifest *older = NULL;
	size_t left = n, depth = 0;
	int ret = 0;

	while (m && left && depth++ < MAX_HISTORY) {
		const char *parent = qs_manifest_parent(m);
		qs_manifest *next = NULL;

		for (size_t i = 0; i < n; i++) {
			const char *name = c[i].ref + strlen("refs/heads/");

			const struct qs_manifest_branch *b = qs_manifest_branch_byname(m, name);

			if (c[i].base[0] || !live(b))
				continue;
			memcpy(c[i].base, m->base_id, GIT_OID_HEXSZ + 1);
			memcpy(c[i].tip, b->tip, GIT_OID_HEXSZ + 1);
			left--;
		}
		if (!parent || !left)
			break;
		/* an old manifest that cannot be read ends the search: nothing is deleted on a guess */
		if (qs_manifest_load(&next, ctx->git_dir, parent, QS_MANIFEST_BRANCHES_ONLY) < 0)
			break;
		qs_manifest_free(older);
		older = next;
		m = next;
	}
	qs_manifest_free(older);
	return ret;
}

static int add(struct qs_publish_remote *r, const struct candidate *c, int remove,
	       const char *reason)
{
	struct qs_publish_ref *ref = qs__publish_add_ref(r);

	if (!ref || qs__set_text(&ref->name, "%s", c->ref) < 0 ||
	    qs__set_text(&ref->branch, "%s", c->ref + strlen("refs/heads/")) < 0 ||
	    qs__set_text(&ref->reason, "%s", reason) < 0)
		return QS_ENOMEM;
	ref->has_old = 1;
	memcpy(ref->old, c->id, GIT_OID_HEXSZ + 1);
	if (!remove) {
		ref->action = QS_REF_UNCHANGED;
		memcpy(ref->new, c->id, GIT_OID_HEXSZ + 1);
		return 0;
	}
	ref->action = QS_REF_DELETE;
	ref->has_published = 1;
	if (git_oid_fromstr(&ref->published, c->id) < 0)
		return qs__error_set(QS_EGIT, "bad id for '%s'", c->ref);
	if (qs__set_text(&ref->refspec, ":%s", c->ref) < 0 ||
	    qs__set_text(&ref->lease, "%s", c->id) < 0)
		return QS_ENOMEM;
	return 0;
}

int qs__publish_prune(struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
		      const struct qs__heads *heads)
{
	struct candidate *c = NULL;
	size_t n = 0, i, k;
	int ret = 0;

	if (r->conf->prune == QS__PRUNE_NEVER || !heads->n)
		return 0;
	if (!(c = qs__calloc(heads->n, sizeof(*c))))
		return QS_ENOMEM;
	for (i = 0; i < heads->n; i++) {
		const char *ref = heads->names[i], *branch;
		git_oid published;

		if (strncmp(ref, "refs/heads/", 11))
			continue;
		branch = ref + 11;
		const struct qs_manifest_branch *mb;
		int withdrawn;

		for (k = 0; k < r->nrefs && strcmp(r->refs[k].name, ref); k++)
			;
		mb = qs_manifest_branch_byname(ctx->manifest, branch);
		withdrawn = live(mb) && !mb->publish;
		if (k < r->nrefs || (live(mb) && !withdrawn) ||
		    !per_series_name(ctx, r->conf, branch))
			continue;
		if ((ret = qs__publish_recorded(ctx, &published, QS__PUBLISHED_PREFIX,
						r->name, branch)) < 0)
			goto done;
		/* not ours, or someone else's since: never deleted */
		if (!ret || git_oid_streq(&published, heads->ids[i]) != 0) {
			ret = 0;
			continue;
		}
		c[n].ref = ref;
		c[n].id = heads->ids[i];
		c[n].withdrawn = withdrawn;
		n++;
	}
	if (!n)
		goto done;
	if ((ret = find_bases(ctx, c, n)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if (c[i].withdrawn)
			ret = add(r, &c[i], 1, "its series failed: failed-series: unpublish withdraws it");
		else if (!c[i].base[0])
			continue;	/* no manifest says quiltsync built it */
		else if (r->conf->prune == QS__PRUNE_NOW || strcmp(c[i].base, ctx->manifest->base_id))
			ret = add(r, &c[i], 1, "its series left the queue");
		else
			ret = add(r, &c[i], 0, "its series left the queue: kept until the base moves on");
		if (ret < 0)
			goto done;
	}
done:
	free(c);
	return ret;
}

int qs__publish_prune_local(struct qs__publish_ctx *ctx, qs_publish *p, const char *who)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct candidate *c = NULL;
	struct qs__ref_update *u = NULL;
	size_t n = 0, alloc = 0, nu = 0, i;
	int ret = 0, err;

	if (ctx->cfg->prune == QS__PRUNE_NEVER || ctx->dry_run)
		return 0;
	if (git_reference_iterator_glob_new(&it, ctx->repo, "refs/heads/*") < 0)
		return qs__error_git("cannot list branches");
	while ((err = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		const git_oid *id = git_reference_target(ref);
		const char *branch = name + strlen("refs/heads/");

		if (id && !live(qs_manifest_branch_byname(ctx->manifest, branch)) &&
		    per_series_name(ctx, NULL, branch)) {
			if (QS_ARRAY_GROW(c, alloc, n + 1) < 0) {
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
			memset(&c[n], 0, sizeof(c[n]));
			/* the names and ids live in the report's strings below */
			if (!(c[n].ref = qs__strdup(name)) ||
			    !(c[n].id = qs__strdup(git_oid_tostr_s(id)))) {
				free((char *)c[n].ref);
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
			n++;
		}
		git_reference_free(ref);
	}
	if (err != GIT_ITEROVER) {
		ret = qs__error_git("cannot list branches");
		goto done;
	}
	if (!n || (ret = find_bases(ctx, c, n)) < 0)
		goto done;
	if (!(u = qs__calloc(n, sizeof(*u)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		/* never built here, or moved since by someone: not ours to delete */
		if (!c[i].base[0] || strcmp(c[i].tip, c[i].id))
			continue;
		if (ctx->cfg->prune == QS__PRUNE_NEXT_RC3 &&
		    !strcmp(c[i].base, ctx->manifest->base_id))
			continue;
		u[nu].name = c[i].ref;
		if (git_oid_fromstr(&u[nu].old, c[i].id) < 0) {
			ret = qs__error_set(QS_EGIT, "bad id for '%s'", c[i].ref);
			goto done;
		}
		nu++;
	}
	/* the same journalled, checked step as a build's: all or nothing */
	if (nu && (ret = qs__refs_update(ctx->repo, u, nu, "quiltsync publish: prune", who)) < 0)
		goto done;
	for (i = 0; i < nu; i++) {
		if (QS_ARRAY_GROW(p->pruned, p->pruned_alloc, p->npruned + 1) < 0 ||
		    !(p->pruned[p->npruned] = qs__strdup(u[i].name + strlen("refs/heads/")))) {
			ret = QS_ENOMEM;
			goto done;
		}
		p->npruned++;
	}
done:
	for (i = 0; i < n; i++) {
		free((char *)c[i].ref);
		free((char *)c[i].id);
	}
	free(c);
	free(u);
	git_reference_iterator_free(it);
	return ret;
}
