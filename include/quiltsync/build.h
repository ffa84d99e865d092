/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: the build. From a config (config.h), the queue it names
 * and the repository's upstream history, compute every branch the
 * config describes (per series, per tree, integration), then update
 * them all in one step. quiltsync-build(1) describes what a user sees.
 *
 * The same queue, config and repository content give the same commit
 * ids on any machine, day, time zone and locale: nothing here reads the
 * clock, the environment or the locale for what goes into a commit.
 */
#ifndef QUILTSYNC_BUILD_H
#define QUILTSYNC_BUILD_H

#include "common.h"
#include "config.h"
#include "publish.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_build qs_build;
typedef struct qs_build_branch qs_build_branch;

typedef enum {
	/** Compute everything, write no object and no ref. */
	QS_BUILD_DRY_RUN = 1u << 0,
	/**
	 * Let every append-only branch whose commits no longer match the
	 * queue be rebuilt from its start; `allow_rewrite` names some.
	 */
	QS_BUILD_ALLOW_REWRITE = 1u << 1,
	/** Re-apply every patch: ignore (but still update) the cache. */
	QS_BUILD_NO_CACHE = 1u << 2,
	/**
	 * Read and hash every object the branches stand on: the base's and
	 * upstream's trees, and all a cached commit holds (without it, a
	 * cached commit's own trees are read and its blobs only looked up).
	 * What is missing or damaged is made again from the queue;
	 * upstream's own objects cannot be, and fail the build (QS_EGIT).
	 */
	QS_BUILD_VERIFY = 1u << 3,
} qs_build_flag;

/** What the progress callback is told, after each patch and each branch. */
typedef struct {
	size_t patches_done, patches_total;   /**< patches applied or found in the cache */
	size_t branches_done, branches_total; /**< branches of every kind */
	const char *branch;                   /**< the branch being built */
} qs_build_progress;

typedef void (*qs_build_progress_fn)(const qs_build_progress *progress,
				     void *payload);

typedef struct {
	unsigned int version;  /**< QS_BUILD_OPTIONS_VERSION */
	unsigned int flags;    /**< qs_build_flag bits */
	/** Seconds to wait for another build's lock; < 0 forever; 0 none. */
	int wait_seconds;
	/** Threads for per-series branches; 0: the number of CPUs. */
	int jobs;
	qs_build_progress_fn progress; /**< may be NULL */
	void *payload;
	/**
	 * Called once the refs are updated, while the build still holds the
	 * repository's lock, with the report `qs_build_run` is about to
	 * return: where a caller keeps the report for later, so that two
	 * builds in a row cannot leave the older one's report behind. Not
	 * called for a dry run. May be NULL.
	 */
	void (*finished)(const qs_build *build, void *payload);
	/**
	 * Version 2: NULL, or the append-only branches (NULL-terminated
	 * names) that may be rebuilt from their start when their commits no
	 * longer match the queue, as QS_BUILD_ALLOW_REWRITE allows for all.
	 * A name that is not an append-only branch of the config is
	 * QS_ECONFIG, with nothing done.
	 */
	const char *const *allow_rewrite;
	/**
	 * Version 3: NULL, or publish once the refs are written, before the
	 * build lets go of the repository's lock, so that no other build can
	 * come between (`quiltsync build --publish`): qs_publish_run() with
	 * these options (its `wait_seconds` unused: the lock is held), its
	 * report then given by qs_build_publish(). Checked before anything
	 * is built (QS_EINVAL, QS_ECONFIG as qs_publish_run() says); not for
	 * a dry run (QS_EINVAL). An error that stops publishing (not a remote
	 * that fails: that is in its report) is returned after the build
	 * wrote its refs, and then there is no report.
	 */
	const qs_publish_options *publish;
} qs_build_options;

#define QS_BUILD_OPTIONS_VERSION 3
#define QS_BUILD_OPTIONS_INIT \
	{ QS_BUILD_OPTIONS_VERSION, 0, 0, 0, NULL, NULL, NULL, NULL, NULL }

/**
 * Run a build. Returns 0 with `*out` set when the build ran, whatever
 * became of each branch (a patch that does not apply or a merge that
 * conflicts is reported per branch, not returned). Errors that stop
 * everything, with nothing written: QS_ECONFIG (a section or
 * placeholder the series lacks, a base that cannot be found),
 * QS_ELOCKED (another build holds the repository's lock past
 * `wait_seconds`), QS_EREWRITE (an append-only branch's commits no
 * longer match the queue, without QS_BUILD_ALLOW_REWRITE), QS_EPARSE
 * and QS_ENOTFOUND (the queue cannot be read), QS_EMOVED (a branch
 * moved while we built), QS_EGIT, QS_EIO, QS_ENOMEM.
 */
QS_EXTERN(int) qs_build_run(qs_build **out, const qs_config *config,
			    const qs_build_options *opts);

QS_EXTERN(void) qs_build_free(qs_build *build);

/** The base per-series branches start from: tag name (or id) and id. */
QS_EXTERN(const char *) qs_build_base_name(const qs_build *build);
QS_EXTERN(const char *) qs_build_base_id(const qs_build *build);

/** Refs a journal left by a killed build that this one finished first. */
QS_EXTERN(size_t) qs_build_recovered_refs(const qs_build *build);

/**
 * What publishing after the build did (qs_build_options.publish), or
 * NULL when it was not asked for. Borrowed from the build's report.
 */
QS_EXTERN(const qs_publish *) qs_build_publish(const qs_build *build);

/**
 * The manifest commit that records the branches as this build left them
 * (hex): the one it wrote, or, when it changed nothing, the last one.
 * NULL for a dry run, or when no build has written one. Its format is
 * quiltsync-manifest(5).
 */
QS_EXTERN(const char *) qs_build_manifest_id(const qs_build *build);

/**
 * The report as one JSON document (quiltsync-build(1) lists its fields),
 * as `quiltsync build --json` prints it and as the build keeps it in
 * "<git dir>/quiltsync/last-build.json"; `dry_run` is written into it.
 * `*out` is malloc()ed, ends in a newline: free() it.
 */
QS_EXTERN(int) qs_build_report_json(char **out, const qs_build *build,
				    int dry_run);

/**
 * The report of the last build that wrote the repository of `config`,
 * as that build kept it: read it with the accessors below as a report
 * from qs_build_run(). QS_ENOTFOUND when no build has kept one.
 */
QS_EXTERN(int) qs_build_report_load(qs_build **out, const qs_config *config);

/**
 * What went wrong after the branches were published, which fails
 * nothing: git's maintenance after the build (quiltsync-build(1)), as
 * one line each. Borrowed from the report.
 */
QS_EXTERN(size_t) qs_build_warning_count(const qs_build *build);
QS_EXTERN(const char *) qs_build_warning(const qs_build *build, size_t i);

/** The branches, in the order they were built. */
QS_EXTERN(size_t) qs_build_branch_count(const qs_build *build);
QS_EXTERN(const qs_build_branch *) qs_build_branch_byindex(
	const qs_build *build, size_t i);

typedef enum {
	QS_BRANCH_SERIES = 0,  /**< one patch series on the base */
	QS_BRANCH_TREE,        /**< a section's patches on its start */
	QS_BRANCH_INTEGRATION, /**< merges of branches and external trees */
} qs_branch_kind;

typedef enum {
	QS_BRANCH_REBUILD = 0, /**< recomputed from the queue on every build */
	QS_BRANCH_APPEND,      /**< never rewritten: new patches go on its tip */
} qs_branch_mode;

typedef enum {
	QS_BRANCH_CREATED = 0, /**< did not exist, now does */
	QS_BRANCH_UPDATED,     /**< moved to a new commit */
	QS_BRANCH_UNCHANGED,   /**< already where it should be */
	QS_BRANCH_FAILED,      /**< a patch did not apply: left as it was */
	QS_BRANCH_BLOCKED,     /**< needs a branch that failed: left as it was */
	QS_BRANCH_CONFLICT,    /**< an unresolved merge conflict: left as it was */
	QS_BRANCH_SKIPPED,     /**< `dependencies: skip` and it needs another series */
	QS_BRANCH_GONE,        /**< a per-series branch whose series left the queue */
} qs_branch_status;

QS_EXTERN(const char *) qs_build_branch_name(const qs_build_branch *branch);
QS_EXTERN(qs_branch_kind) qs_build_branch_kind(const qs_build_branch *branch);
/** Rebuilt every time, or append-only; a gone branch says rebuild. */
QS_EXTERN(qs_branch_mode) qs_build_branch_mode(const qs_build_branch *branch);
QS_EXTERN(qs_branch_status) qs_build_branch_status(const qs_build_branch *branch);
/** Hex ids before and after; NULL when the branch did not exist / was not made. */
QS_EXTERN(const char *) qs_build_branch_old(const qs_build_branch *branch);
QS_EXTERN(const char *) qs_build_branch_new(const qs_build_branch *branch);
/** The series title of a per-series branch, else NULL. */
QS_EXTERN(const char *) qs_build_branch_series(const qs_build_branch *branch);
/**
 * The branch it was built on beside its start: for a per-series branch
 * stacked on another series' branch, that branch; for a blocked branch,
 * the failed branch it waits on. NULL when none.
 */
QS_EXTERN(const char *) qs_build_branch_depends_on(const qs_build_branch *branch);
/** Patches on it (commits made or reused). */
QS_EXTERN(size_t) qs_build_branch_patches(const qs_build_branch *branch);
/** Patches that had to be applied (not found in the cache). */
QS_EXTERN(size_t) qs_build_branch_applied(const qs_build_branch *branch);
/** Why it changed or failed, one line ("2 patches changed", "mm-x.patch: ..."). */
QS_EXTERN(const char *) qs_build_branch_reason(const qs_build_branch *branch);
/**
 * 1 when the branch was not built this time (failed, blocked, conflict,
 * skipped) and its ref still names an older build's commit: it no longer
 * holds what the queue says.
 */
QS_EXTERN(int) qs_build_branch_stale(const qs_build_branch *branch);
/**
 * 0 when the config's *failed-series: unpublish* takes this failed
 * per-series branch out of publishing; 1 otherwise.
 */
QS_EXTERN(int) qs_build_branch_publish(const qs_build_branch *branch);
/** The failure, as a message naming patch, file and hunk; NULL when none. */
QS_EXTERN(const char *) qs_build_branch_error(const qs_build_branch *branch);
/**
 * The patch the branch failed on, as the series file names it, and
 * (`out_line`, may be NULL) its line there; NULL and 0 when the failure
 * is not a patch's (a blocked branch, a conflict, a fetch).
 */
QS_EXTERN(const char *) qs_build_branch_error_patch(const qs_build_branch *branch,
						    size_t *out_line);

/** What changed among a branch's own patches since the last manifest. */
typedef enum {
	QS_CHANGE_ADDED = 0, /**< a patch it did not have */
	QS_CHANGE_REMOVED,   /**< a patch it no longer has */
	QS_CHANGE_CHANGED,   /**< the same patch file, other bytes */
} qs_change_kind;

/**
 * The patches (series file names) of each kind of change since the last
 * manifest, for a branch built anew or gone; none for the first build.
 */
QS_EXTERN(size_t) qs_build_branch_change_count(const qs_build_branch *branch,
					       qs_change_kind kind);
QS_EXTERN(const char *) qs_build_branch_change(const qs_build_branch *branch,
					       qs_change_kind kind, size_t i);
/**
 * For a gone per-series branch whose series is now in another section
 * of the queue (mm-unstable to mm-stable): that section; else NULL.
 */
QS_EXTERN(const char *) qs_build_branch_moved_to(const qs_build_branch *branch);
/**
 * 1 for an append-only branch that started a new cycle in this build:
 * its start (upstream after a merge window) held every commit it had,
 * so it was made anew there (quiltsync-build(1), "The cycle of the
 * stable trees"); else 0.
 */
QS_EXTERN(int) qs_build_branch_new_cycle(const qs_build_branch *branch);

/** For QS_BRANCH_CONFLICT: the conflicting merge and its files. */
QS_EXTERN(const char *) qs_build_branch_merge_ours(const qs_build_branch *branch);
QS_EXTERN(const char *) qs_build_branch_merge_theirs(const qs_build_branch *branch);
QS_EXTERN(size_t) qs_build_branch_conflict_count(const qs_build_branch *branch);
/** A conflicted path and how many of its hunks are left unresolved (0: another kind). */
QS_EXTERN(const char *) qs_build_branch_conflict_path(const qs_build_branch *branch,
						      size_t i, size_t *out_hunks);

/**
 * Record how a person resolved an integration conflict, for the next
 * builds to reuse (like git rerere). `worktree` is a git worktree where
 * `git merge` stopped on conflicts (HEAD and MERGE_HEAD name the two
 * sides, as the build's report gives them) and the conflicted files
 * were then edited; every conflict hunk's resolution is stored in the
 * config's resolutions directory. `*out_recorded` gets the number of
 * hunks recorded. QS_ENOTFOUND when the worktree has no merge in
 * progress; QS_ECONFLICT when a file still holds conflict markers or
 * its conflict cannot be recorded (a modify/delete conflict).
 */
QS_EXTERN(int) qs_resolve_record(size_t *out_recorded, const qs_config *config,
				 const char *worktree);

#ifdef __cplusplus
}
#endif

#endif
