/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Publishing, inside: the report (publish-report.c), the plan of one
 * remote (publish-plan.c: what it has, what we would send, with which
 * leases, what must be refused before sending), its push with the
 * system git (publish-push.c), and the run that ties them together
 * under the build lock (publish.c).
 */
#ifndef QS_PUBLISH_INTERNAL_H
#define QS_PUBLISH_INTERNAL_H

#include "internal.h"
#include "config-internal.h"
#include "manifest-internal.h"
#include "build-internal.h"
#include "strmap.h"

#include <git2.h>
#include <time.h>

/* Where the last published ids of remote R are kept: <prefix>R/<branch>. */
#define QS__PUBLISHED_PREFIX "refs/quiltsync/published/"
/*
 * What a push in flight is sending: written before it, removed after it
 * succeeded. A remote that has one of these ids got it from us, even
 * when we were killed before we could record it as published.
 */
#define QS__PUBLISHING_PREFIX "refs/quiltsync/publishing/"

struct qs_publish_ref {
	char *name;		/* "refs/heads/mm-unstable" */
	char *branch;		/* "mm-unstable" */
	qs_ref_action action;
	qs_ref_status status;
	int has_old;
	char old[GIT_OID_HEXSZ + 1];	/* what the remote has */
	char new[GIT_OID_HEXSZ + 1];	/* ours */
	int append_only;
	/* the last published id, as recorded; zero when none */
	int has_published;
	git_oid published;
	char *refspec;		/* NULL when unchanged */
	char *lease;		/* NULL: none; "": must not exist */
	char *reason;
	int tag;		/* a dated tag: no record kept */
};

struct qs_publish_remote {
	char *name, *url;
	const struct qs__remote_conf *conf;
	qs_remote_result result;
	char *error;
	char *command;
	struct qs_publish_ref *refs;
	size_t nrefs, alloc;
};

struct qs_publish {
	int dry_run;
	/* the repository's own branches pruned (names without refs/heads/) */
	char **pruned;
	size_t npruned, pruned_alloc;
	char manifest[GIT_OID_HEXSZ + 1];
	size_t recovered;
	struct qs_publish_remote *remotes;
	size_t nremotes;
};

/* What the steps of one remote share. */
struct qs__publish_ctx {
	git_repository *repo;
	const char *git_dir;		/* the common dir, git's -C */
	const qs_config *cfg;
	const qs_manifest *manifest;
	const char *const *allow_rewrite;
	/* "GIT_SSH_COMMAND=ssh -o BatchMode=yes" unless the user set one; NULL-terminated */
	const char *env[2];
	int dry_run;
	struct tm now;		/* for dated tags, UTC */
};

/* What a remote has: its branches, "refs/heads/x", and their ids (hex). */
struct qs__heads {
	struct qs__strmap map;		/* name -> index */
	char (*ids)[GIT_OID_HEXSZ + 1];
	char **names;
	size_t n, alloc, names_alloc;
};

/* The id the remote has for `ref`, or NULL. */
const char *qs__heads_id(const struct qs__heads *h, const char *ref);

/*
 * The id of `prefix`<remote>/<branch> (QS__PUBLISHED_PREFIX or
 * QS__PUBLISHING_PREFIX) in `out`: 1, or 0 when there is none.
 */
int qs__publish_recorded(const struct qs__publish_ctx *ctx, git_oid *out,
			 const char *prefix, const char *remote, const char *branch);

/*
 * Add to `r` (planned, nothing refused) the per-series branches the
 * remote has that left the queue and are due to go, as deletions, and
 * those kept until then, as unchanged refs with the reason. Only
 * branches quiltsync made there (published, and untouched since) and
 * that a manifest recorded as built; see publish-prune.c.
 */
int qs__publish_prune(struct qs__publish_ctx *ctx, struct qs_publish_remote *r,
		      const struct qs__heads *heads);

/*
 * The repository's own per-series branches of series that left the
 * queue, deleted by the same rules as on a remote (the config's top-level
 * `prune`): not made by the current manifest, fitting a tree's pattern,
 * still at the commit the newest manifest that built them recorded, and
 * due. In one journalled step (refs.h), `who` in the reflog; their names
 * go to p->pruned. Not for a dry run. Call with the build lock held.
 */
int qs__publish_prune_local(struct qs__publish_ctx *ctx, qs_publish *p, const char *who);

/*
 * Fill `r`'s refs from the manifest and what the remote has (git
 * ls-remote), and decide each: unchanged, or a refspec with its lease;
 * refusals (an append-only branch that would not fast-forward, a branch
 * someone else pushed since) set the remote's result and error, and
 * mark the other refs not sent. A remote that cannot be listed is
 * QS_REMOTE_FAILED. 0, or an error that stops everything (QS_ENOMEM,
 * QS_EGIT reading our own repository).
 */
int qs__publish_plan(struct qs__publish_ctx *ctx, struct qs_publish_remote *r);

/*
 * Send what the plan of `r` says in one `git push --porcelain`
 * (--atomic unless the remote says otherwise) and set each ref's status
 * and the remote's result from git's report. Records nothing.
 */
int qs__publish_push(struct qs__publish_ctx *ctx, struct qs_publish_remote *r);

/*
 * After a push of `r` that failed: ask the remote again, and when a
 * leased ref is now at neither the lease nor our id, someone else moved
 * it while we pushed (the server's compare-and-swap, not git's lease,
 * refused us): QS_REMOTE_LEASE, naming the ref. Otherwise `r` is left
 * as it was.
 */
int qs__publish_recheck(struct qs__publish_ctx *ctx, struct qs_publish_remote *r);

/* The push command line of `r`'s plan, into r->command (for a dry run). */
int qs__publish_command(struct qs_publish_remote *r);

/*
 * One line of git's standard error worth showing (what ssh or the
 * server said, then git's fatal or error), made in `err` and returned.
 */
const char *qs__publish_git_message(qs_buf *err);


struct qs_publish_ref *qs__publish_add_ref(struct qs_publish_remote *r);

/*
 * The checks of qs_publish_run before anything is done: options
 * version, remotes named, allow_rewrite. 0, QS_EINVAL or QS_ECONFIG.
 */
int qs__publish_check(const qs_config *cfg, const qs_publish_options *opts);

/*
 * qs_publish_run for a caller that holds the build lock of `repo` and
 * has finished any journal (a build, for build --publish).
 */
int qs__publish_locked(qs_publish **out, const qs_config *cfg,
		       const qs_publish_options *opts, git_repository *repo);

/* The report's JSON (publish-report.c). */
int qs__publish_json(qs_buf *out, const qs_publish *p);

void qs__publish_remote_release(struct qs_publish_remote *r);

#endif
