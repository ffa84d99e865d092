/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: publishing. The branches the last build made (as its
 * manifest records them) are pushed to the remotes of the config
 * (quiltsync.yaml(5), REMOTES), each remote in one atomic push of
 * exactly the refs that changed there, with the system git.
 * quiltsync-publish(1) describes what a user sees.
 *
 * Remotes are published independently: one that fails leaves the others
 * alone, and the report says which failed and why. Nothing of a remote
 * moves unless all its refs do. What was last published to each remote
 * is kept in the repository, under refs/quiltsync/published/<remote>/,
 * and written only after the push succeeded.
 */
#ifndef QUILTSYNC_PUBLISH_H
#define QUILTSYNC_PUBLISH_H

#include "common.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_publish qs_publish;
typedef struct qs_publish_remote qs_publish_remote;
typedef struct qs_publish_ref qs_publish_ref;

typedef enum {
	/**
	 * Ask each remote what it has and compute the pushes, with their
	 * refspecs and leases; send nothing and write nothing.
	 */
	QS_PUBLISH_DRY_RUN = 1u << 0,
} qs_publish_flag;

/** Where a remote's publishing is, for a progress display. */
typedef enum {
	QS_PUBLISH_STAGE_LIST = 0, /**< asking the remote what it has */
	QS_PUBLISH_STAGE_PUSH,     /**< pushing */
	QS_PUBLISH_STAGE_DONE,     /**< finished, whatever the result */
} qs_publish_stage;

typedef void (*qs_publish_progress_fn)(const char *remote,
				       qs_publish_stage stage,
				       size_t refs, void *payload);

typedef struct {
	unsigned int version; /**< QS_PUBLISH_OPTIONS_VERSION */
	unsigned int flags;   /**< qs_publish_flag bits */
	/** Seconds to wait for a build's lock; < 0 forever; 0 none. */
	int wait_seconds;
	/**
	 * NULL, or the names of the remotes to publish (NULL-terminated):
	 * the config's, in its order, when NULL. A name the config does not
	 * have is QS_EINVAL, with nothing done.
	 */
	const char *const *remotes;
	/**
	 * NULL, or append-only branches (NULL-terminated names) that may be
	 * published even when the remote's commit is not an ancestor of
	 * ours, as after `quiltsync build --allow-rewrite`: they are pushed
	 * with a lease, as rebuilt branches are. A name that is not an
	 * append-only branch of the config is QS_ECONFIG.
	 */
	const char *const *allow_rewrite;
	qs_publish_progress_fn progress; /**< may be NULL; called from this thread */
	void *payload;
	/**
	 * The time dated tags are named by (a remote's `tags`), in seconds
	 * since the epoch, taken as UTC; 0: the clock's.
	 */
	long long now;
} qs_publish_options;

#define QS_PUBLISH_OPTIONS_VERSION 1
#define QS_PUBLISH_OPTIONS_INIT \
	{ QS_PUBLISH_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL, NULL, 0 }

/**
 * Publish. Takes the repository's build lock (waiting up to
 * `wait_seconds`), and first finishes the ref updates of a build that
 * was killed while it wrote them, as a build does (a dry run instead
 * refuses while such a journal is left). Returns 0 with `*out` set when
 * publishing ran, whatever became of each remote: read the result of
 * each from the report. Errors that stop everything, with nothing sent:
 * QS_EINVAL (an unknown remote), QS_ECONFIG (no remotes, an
 * allow_rewrite name, the repository), QS_ENOTFOUND (no build has
 * written a manifest yet), QS_ELOCKED, QS_EMOVED (the recovery found a
 * ref moved), QS_EGIT, QS_EIO, QS_ENOMEM.
 */
QS_EXTERN(int) qs_publish_run(qs_publish **out, const qs_config *config,
			      const qs_publish_options *opts);

QS_EXTERN(void) qs_publish_free(qs_publish *publish);

/** 1 for a dry run's report. */
QS_EXTERN(int) qs_publish_dry_run(const qs_publish *publish);
/** The manifest commit (hex) whose branches were published. */
QS_EXTERN(const char *) qs_publish_manifest_id(const qs_publish *publish);
/** Refs a journal left by a killed build that this run finished first. */
QS_EXTERN(size_t) qs_publish_recovered_refs(const qs_publish *publish);

/**
 * The repository's own per-series branches this run deleted because
 * their series left the queue (the config's `prune`), names without
 * refs/heads/. None for a dry run.
 */
QS_EXTERN(size_t) qs_publish_pruned_count(const qs_publish *publish);
QS_EXTERN(const char *) qs_publish_pruned(const qs_publish *publish, size_t i);

/** The remotes, in the order they were published. */
QS_EXTERN(size_t) qs_publish_remote_count(const qs_publish *publish);
QS_EXTERN(const qs_publish_remote *) qs_publish_remote_byindex(
	const qs_publish *publish, size_t i);

/** What became of a remote. */
typedef enum {
	QS_REMOTE_PUBLISHED = 0, /**< every changed ref moved (or, dry run, would) */
	QS_REMOTE_UNCHANGED,     /**< nothing to send: it has what we have */
	QS_REMOTE_REWRITE,       /**< an append-only branch would not fast-forward: nothing sent */
	QS_REMOTE_LEASE,         /**< someone else pushed a branch since we last did: nothing moved */
	QS_REMOTE_FAILED,        /**< unreachable, timed out, refused by the server or a hook, no atomic push: nothing moved */
} qs_remote_result;

QS_EXTERN(const char *) qs_publish_remote_name(const qs_publish_remote *remote);
/** The URL git was given (a relative path made absolute). */
QS_EXTERN(const char *) qs_publish_remote_url(const qs_publish_remote *remote);
QS_EXTERN(qs_remote_result) qs_publish_remote_result(const qs_publish_remote *remote);
/** The word the JSON report uses: "published", "unchanged", "rewrite", "lease", "failed". */
QS_EXTERN(const char *) qs_publish_remote_result_name(qs_remote_result result);
/** Why it failed, one line (naming the ref when one is the cause); NULL when it did not. */
QS_EXTERN(const char *) qs_publish_remote_error(const qs_publish_remote *remote);
/**
 * The options git push was given (--atomic, each --force-with-lease),
 * then the URL and the refspecs, as one line; NULL when nothing was to
 * be sent.
 */
QS_EXTERN(const char *) qs_publish_remote_command(const qs_publish_remote *remote);

/** Every ref of the remote that quiltsync publishes, changed or not. */
QS_EXTERN(size_t) qs_publish_ref_count(const qs_publish_remote *remote);
QS_EXTERN(const qs_publish_ref *) qs_publish_ref_byindex(
	const qs_publish_remote *remote, size_t i);

/** What a ref's push does. */
typedef enum {
	QS_REF_CREATE = 0, /**< the remote did not have it */
	QS_REF_UPDATE,     /**< it moves */
	QS_REF_UNCHANGED,  /**< the remote already has our commit (or a gone series' branch kept for now) */
	QS_REF_DELETE,     /**< a per-series branch whose series left the queue: pruned */
} qs_ref_action;

/** What became of it. */
typedef enum {
	QS_REF_OK = 0,     /**< done (or, for a dry run, would be sent) */
	QS_REF_REFUSED,    /**< refused before sending: the cause of the remote's failure */
	QS_REF_REJECTED,   /**< the server or git rejected it: the cause of the failure */
	QS_REF_NOT_SENT,   /**< left as it was because another ref failed */
} qs_ref_status;

/** The full name, "refs/heads/mm-unstable", or a dated tag's, "refs/tags/mm-everything-2023-12-29-21-56". */
QS_EXTERN(const char *) qs_publish_ref_name(const qs_publish_ref *ref);
QS_EXTERN(qs_ref_action) qs_publish_ref_action(const qs_publish_ref *ref);
QS_EXTERN(qs_ref_status) qs_publish_ref_status(const qs_publish_ref *ref);
/** The words of the JSON report: "create", "update", "unchanged", "delete"; "ok", "refused", "rejected", "not-sent". */
QS_EXTERN(const char *) qs_publish_ref_action_name(qs_ref_action action);
QS_EXTERN(const char *) qs_publish_ref_status_name(qs_ref_status status);
/** The remote's commit before (NULL: it had none) and ours (hex; NULL for a deletion). */
QS_EXTERN(const char *) qs_publish_ref_old(const qs_publish_ref *ref);
QS_EXTERN(const char *) qs_publish_ref_new(const qs_publish_ref *ref);
/** 1 for an append-only branch (pushed without force), else 0. */
QS_EXTERN(int) qs_publish_ref_append_only(const qs_publish_ref *ref);
/** The refspec pushed ("<id>:refs/heads/x"); NULL when unchanged. */
QS_EXTERN(const char *) qs_publish_ref_refspec(const qs_publish_ref *ref);
/**
 * The lease: the id the remote must still have for the push to go on
 * ("" when it must not have the ref); NULL when there is none (an
 * append-only branch, pushed without force, or an unchanged ref).
 */
QS_EXTERN(const char *) qs_publish_ref_lease(const qs_publish_ref *ref);
/** Why it was refused, rejected, deleted or kept, one line; NULL otherwise. */
QS_EXTERN(const char *) qs_publish_ref_reason(const qs_publish_ref *ref);

/**
 * The report as one JSON document (quiltsync-publish(1) lists its
 * fields), as `quiltsync publish --json` prints it. `*out` is
 * malloc()ed and ends in a newline: free() it.
 */
QS_EXTERN(int) qs_publish_report_json(char **out, const qs_publish *publish);

#ifdef __cplusplus
}
#endif

#endif
