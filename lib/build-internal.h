/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the rooms of the build share. The build runs in three steps:
 * the config and the queue make a plan (plan.c: every branch, what it
 * starts from, what it takes, in order); the plan is executed branch by
 * branch (build-tree.c, build-series.c with build-threads.c,
 * build-integration.c, all making commits with build-patches.c and
 * finding earlier ones in cache.c); then the refs and the manifest are
 * written in one step (build.c, manifest.c). What became of each branch
 * is the report (report.c), which the caller gets.
 */
#ifndef QS_BUILD_INTERNAL_H
#define QS_BUILD_INTERNAL_H

#include "internal.h"
#include "cache.h"
#include "config-internal.h"
#include "objstore.h"
#include "plan.h"

#include <git2.h>

struct conflict {
	char *path;
	size_t hunks;
};

/* How a patch applied, as the manifest records it. */
typedef enum {
	PATCH_CLEAN = 0,
	PATCH_OFFSET,
	PATCH_FUZZ,
	PATCH_3WAY,
	PATCH_COMMITTED,	/* already on an append-only branch: not applied now */
} patch_how;

/* One patch on a branch: its commit there and how it got there. */
struct patch_commit {
	const qs_series_entry *entry;
	git_oid commit;
	patch_how how;
	long offset;		/* largest |offset| of its hunks */
	int fuzz;		/* largest fuzz */
};

/* Patch names, for the changes since the last manifest. */
struct patch_list {
	char **names;
	size_t n, alloc;
};

enum { CHANGE_ADDED, CHANGE_REMOVED, CHANGE_CHANGED, CHANGE_KINDS };

struct qs_build_branch {
	char *name;
	qs_branch_kind kind;
	qs_branch_mode mode;
	qs_branch_status status;
	/* during the run only (the plan is gone when the caller gets the report); NULL for gone */
	const struct qs__plan_branch *plan;
	int has_old, has_new, has_merge;
	git_oid old, new, ours, theirs;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	char ours_hex[GIT_OID_HEXSZ + 1], theirs_hex[GIT_OID_HEXSZ + 1];
	char *series, *depends_on, *reason, *error;
	size_t patches, applied;
	size_t records;		/* committed entries with no file: not made */
	struct conflict *conflicts;
	size_t nconflicts;
	int built;		/* `new` is valid: others may start from it */
	int unpublished;	/* failed-series: unpublish, and it failed */
	int new_cycle;		/* append-only, started again on its start */
	/* since the last manifest: its own patches added, removed, changed */
	struct patch_list changes[CHANGE_KINDS];
	char *moved_to;		/* gone: the section its series went to */
	/* what it started from, one per plan->on (stacked: the branch below) */
	git_oid *start_ids;
	unsigned char *start_known;
	/* the patches committed on it, in order */
	struct patch_commit *commits;
	size_t ncommits, commits_alloc;
	/* a failed patch: which, and where (file NULL, hunk 0 when unknown) */
	const qs_series_entry *failed_entry;	/* during the run only */
	char *failed_file;
	size_t failed_hunk;
	/* the failed patch's name and series line, for the caller */
	char *failed_patch;
	size_t failed_line;
};

struct qs_build {
	struct qs_build_branch **branches;
	size_t nbranches, alloc;
	char *base_name;
	char base_hex[GIT_OID_HEXSZ + 1];
	char upstream_hex[GIT_OID_HEXSZ + 1];
	size_t recovered;
	char manifest_hex[GIT_OID_HEXSZ + 1];	/* "" when none was written */
	/* what went wrong after the refs were published: it fails nothing */
	char **warnings;
	size_t nwarnings, warnings_alloc;
	qs_publish *publish;	/* build --publish: its report, or NULL */
};

/* What a build's .keep files hold (objstore.h): nothing that varies, to be found again. */
#define QS_BUILD_KEEP "quiltsync build"

/* One run's context. Threads get a copy with their own repository and store. */
struct build_ctx {
	const qs_config *cfg;
	unsigned int flags;
	const char *const *allow_rewrite;	/* branches QS_BUILD_ALLOW_REWRITE is for */
	git_repository *repo;	/* refs are read and written here */
	qs_applier *ap;
	struct qs__store *store;
	git_repository *srepo;	/* objects: sees what the store holds */
	qs_queue *queue;
	const struct qs__plan *plan;
	git_oid upstream, base;
	struct qs__cache cache;
	qs_build *b;
	char resolutions_key[GIT_OID_HEXSZ + 1];
	qs_build_progress prog;
	qs_build_progress_fn progress;
	void *payload;
	int jobs;		/* threads asked for; 0: one per CPU */
};

/* build.c */
void qs__build_progress(struct build_ctx *c, const char *branch);
/* The apply flags every branch uses (3-way when the config asks). */
unsigned int qs__build_apply_flags(const struct build_ctx *c);

/* report.c: the report's branches */
struct qs_build_branch *qs__report_add(qs_build *b, const char *name,
				       qs_branch_kind kind);
struct qs_build_branch *qs__report_find(const qs_build *b, const char *name);
/* A warning for the report, formatted. */
int qs__report_warn(qs_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Replace a malloc()ed string field with a formatted one. */
int qs__set_text(char **field, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The branch's ref before the build, into br->old. */
int qs__report_read_old(git_repository *repo, struct qs_build_branch *br);
/* A branch computed at `tip`: its status from its old and new ids. */
int qs__report_finish(struct qs_build_branch *br, const git_oid *tip);
/* Forget the patches of an attempt, before another (dependency policies). */
void qs__report_reset_patches(struct qs_build_branch *br);
/* Copy the failed entry's name and line, before the queue goes. */
int qs__report_keep_failure(struct qs_build_branch *br);
/* Record a patch's commit on the branch. */
int qs__report_add_commit(struct qs_build_branch *br,
			  const struct patch_commit *pc);
/*
 * Not built, and its ref (if any) still names an older build's commit:
 * what the queue says is not what the branch holds.
 */
int qs__report_stale(const struct qs_build_branch *br);
/* "created", "updated", ...: the status as the report's JSON writes it. */
const char *qs__report_status_word(qs_branch_status s);
/* The report as JSON (quiltsync-build(1) documents it) into `out`. */
int qs__report_json(qs_buf *out, const qs_build *b, int dry_run);
/* "<common dir>/quiltsync/last-build.json", replaced whole. */
int qs__report_save(const qs_build *b, git_repository *repo);

/* build-patches.c: commits from patches */
/*
 * Commit `n` entries in turn on `*tip` for branch `br`. 0; 1 when one
 * does not apply (br->error says why); < 0 on errors that stop the build.
 */
int qs__commit_entries(struct build_ctx *c, git_oid *tip,
		       const qs_series_entry *const *v, size_t n,
		       unsigned int apply_flags, struct qs_build_branch *br);
/* One entry; the same results, `*out` its commit. */
int qs__commit_patch(struct build_ctx *c, git_oid *out, const git_oid *parent,
		     const qs_series_entry *e, unsigned int apply_flags,
		     struct qs_build_branch *br, struct patch_commit *pc);

/* build-integration.c: starts, external trees and merges */
/* The start of a branch: its first start, with the others merged in. */
int qs__start_of(struct build_ctx *c, git_oid *tip, struct qs_build_branch *br);
/* A start as messages name it: base, upstream, a branch, a ref. */
const char *qs__start_label(const struct qs__start *s);
int qs__build_integration(struct build_ctx *c, struct qs_build_branch *br);
/*
 * c->resolutions_key: a digest of the recorded resolutions (names and
 * contents), part of every merge's cache key, so that a new resolution
 * redoes the merges it may change.
 */
int qs__resolutions_key(struct build_ctx *c);

/* build-tree.c */
int qs__build_tree_branch(struct build_ctx *c, struct qs_build_branch *br);

/* build-series.c: the per-series branches of plan items [first, first + n) */
int qs__build_series(struct build_ctx *c, struct qs_build_branch *tree,
		     size_t first, size_t n);
/* Per-series branches in the repository whose series left the queue. */
int qs__list_gone(struct build_ctx *c, const struct qs__branch_conf *bc);

/*
 * build-maintenance.c: git's own maintenance, after a build that
 * published. It fails nothing: what goes wrong is a warning in the
 * report (logged when even that cannot be made).
 */
void qs__build_maintenance(struct build_ctx *c);
/*
 * build-verify.c: with QS_BUILD_VERIFY, the base's and upstream's
 * commits and trees read whole (QS_EGIT naming what is not); after the
 * refs, what the store found missing or damaged, reported as warnings.
 */
int qs__verify_upstream(struct build_ctx *c);
int qs__report_damaged(struct build_ctx *c);

/* changes.c: each branch's changes since the last manifest */
int qs__changes_find(struct build_ctx *c);

/*
 * manifest.c: the manifest commit of this build on `previous` (NULL for
 * the first), its objects in the store; `*written` 0 when the build
 * changed nothing the previous manifest does not already say.
 */
int qs__manifest_write(struct build_ctx *c, git_oid *out, int *written,
		       const git_oid *previous);

#endif
