/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: applying patches to git trees, exactly as `quilt push`
 * applies them (GNU patch 2.7.6 under quilt's command line), with no
 * worktree: blobs and trees are written through libgit2.
 *
 * An applier belongs to one repository. The objects it creates go to an
 * in-memory object store first; qs_applier_flush() writes them all to
 * the repository as one pack. Until then they are readable through the
 * applier only (qs_apply_diff on a tree it made is fine). A patch costs
 * in proportion to the bytes of the files it touches and the depth of
 * their paths, not to the size of the tree: only the trees along the
 * changed paths are rewritten, and trees are kept parsed from one patch
 * to the next.
 *
 * quiltsync-apply(1) lists the semantics and every deliberate difference
 * from GNU patch.
 */
#ifndef QUILTSYNC_APPLY_H
#define QUILTSYNC_APPLY_H

#include "common.h"
#include "diff.h"

#ifdef __cplusplus
extern "C" {
#endif

/* libgit2's types, by tag: include <git2.h> to use them. */
struct git_repository;
struct git_oid;

typedef struct qs_applier qs_applier;
typedef struct qs_apply_result qs_apply_result;

typedef enum {
	/**
	 * When hunks of a file fail and its diff carries an "index
	 * <pre>..<post>" line whose preimage blob is in the repository,
	 * rebuild the postimage by applying the hunks to that blob and
	 * merge it into the current file (base: the preimage), as
	 * `git am -3` does. A merge with conflicts fails.
	 */
	QS_APPLY_3WAY = 1u << 0,
} qs_apply_flag;

typedef struct {
	unsigned int version; /**< QS_APPLY_OPTIONS_VERSION */
	int fuzz;             /**< the largest fuzz factor (GNU's -F); 2 by default */
	unsigned int flags;   /**< qs_apply_flag bits */
} qs_apply_options;

#define QS_APPLY_OPTIONS_VERSION 1
#define QS_APPLY_OPTIONS_INIT { QS_APPLY_OPTIONS_VERSION, 2, 0 }

/**
 * A new applier writing to `repo` (borrowed: it must outlive the
 * applier). `opts` may be NULL for the defaults; a negative fuzz is
 * QS_EINVAL. When `repo` lives on disk, the applier reads and writes
 * through a handle of its own on the same object directory, so writes
 * others make through `repo` are never held in its memory. Objects must
 * be in that object directory (or reached through its alternates) to be
 * seen. A repository without a directory (git_repository_wrap_odb) gets
 * the in-memory store added to its own object database, where it stays
 * after qs_applier_free(): writes made through `repo` later go to memory.
 */
QS_EXTERN(int) qs_applier_new(qs_applier **out, struct git_repository *repo,
			      const qs_apply_options *opts);

/** Free the applier, dropping objects not yet flushed. NULL-safe. */
QS_EXTERN(void) qs_applier_free(qs_applier *applier);

/**
 * Write every object created so far to the repository, as one pack, and
 * empty the in-memory store. Objects already in the repository are not
 * written again. Nothing to write is not an error.
 */
QS_EXTERN(int) qs_applier_flush(qs_applier *applier);

/**
 * How many objects wait in memory for qs_applier_flush(), and their
 * total size in bytes (`bytes` may be NULL): a long run can flush when
 * this grows too large.
 */
QS_EXTERN(size_t) qs_applier_pending(const qs_applier *applier,
				     size_t *bytes);

/**
 * Apply `diff` to the tree `base`, stripping `strip` leading path
 * components (-pN) and, when `reverse`, swapping its sides (-R).
 *
 * Returns 0 and a result in `*out` whenever the patch was tried: look at
 * qs_apply_result_status() to know whether it applied. A patch that does
 * not apply writes nothing (not a blob) and leaves nothing behind but
 * its result. Returns QS_EUNSAFE (and no result) for a path that must
 * never be written: absolute, with a ".." component, with a ".git"
 * component in any case, or leading through a symlink of the tree; the
 * error names the path and the line of its file diff. Other negative
 * codes are errors of the repository or memory.
 */
QS_EXTERN(int) qs_apply_diff(qs_apply_result **out, qs_applier *applier,
			     const struct git_oid *base, const qs_diff *diff,
			     int strip, int reverse);

QS_EXTERN(void) qs_apply_result_free(qs_apply_result *result);

typedef enum {
	QS_APPLIED_CLEAN = 0, /**< every hunk at its stated line */
	QS_APPLIED_OFFSET,    /**< some hunk at an offset, none with fuzz */
	QS_APPLIED_FUZZ,      /**< some hunk needed fuzz */
	QS_APPLIED_3WAY,      /**< some file was merged (QS_APPLY_3WAY) */
	QS_APPLY_FAILED,      /**< the patch does not apply: nothing changed */
} qs_apply_status;

QS_EXTERN(qs_apply_status) qs_apply_result_status(const qs_apply_result *result);

/** The resulting tree, or NULL when the patch failed. Borrowed. */
QS_EXTERN(const struct git_oid *) qs_apply_result_tree(const qs_apply_result *result);

/** The largest fuzz any hunk needed. */
QS_EXTERN(int) qs_apply_result_fuzz(const qs_apply_result *result);

/**
 * Why the patch failed, in the project's message style, naming the file
 * and the hunk ("mm/gup.c: hunk #2 at line 120 does not apply"), or NULL
 * when it applied. When the failing hunks would apply reversed, it ends
 * in "; reversed (or previously applied) patch detected" (a diagnostic
 * only: GNU patch under quilt never reverses a patch).
 */
QS_EXTERN(const char *) qs_apply_result_error(const qs_apply_result *result);

/** What happened to one file diff. */
typedef struct {
	const char *path;     /**< the file written or deleted (after -p) */
	const char *old_path; /**< the file read: differs for renames and copies; NULL when none existed */
	qs_diff_op op;        /**< what was done: added, deleted, renamed, copied or modified */
	uint32_t old_mode;    /**< mode of the file read, 0 when none existed */
	uint32_t new_mode;    /**< mode written, 0 when deleted or untouched */
	size_t line;          /**< the line of the patch where its diff starts */
	int binary;           /**< 1 when a git binary patch was applied */
	int merged;           /**< 1 when the 3-way fallback merged it */
	int applied;          /**< 1 when the file diff applied */
	const char *reason;   /**< why it failed, or NULL */
} qs_file_report;

QS_EXTERN(size_t) qs_apply_result_file_count(const qs_apply_result *result);
QS_EXTERN(const qs_file_report *) qs_apply_result_file_byindex(
	const qs_apply_result *result, size_t i);

/** What happened to one hunk (or, for hunk-less changes, one file). */
typedef struct {
	const char *path;     /**< the file written (after -p and renames) */
	size_t file;          /**< index of its qs_file_report */
	size_t hunk;          /**< 1-based hunk number in its file; 0: no hunk */
	size_t old_line;      /**< the line the hunk states for its old side (after -R) */
	/**
	 * Where it landed, as GNU patch reports it ("Hunk #2 succeeded at
	 * L"): the matched line plus the growth of the hunks before it in
	 * the file; for a failed hunk, the stated line plus that growth
	 * ("FAILED at L"); 0 for no hunk or a merged one.
	 */
	size_t new_line;
	long offset;          /**< matched line minus stated line */
	int fuzz;             /**< context lines ignored */
	int applied;          /**< 1 applied, 0 failed */
	int merged;           /**< 1 when applied by the 3-way fallback */
	int conflict;         /**< 1 when the 3-way merge left conflicts */
	const char *reason;   /**< why it failed, or NULL */
} qs_hunk_report;

QS_EXTERN(size_t) qs_apply_result_hunk_count(const qs_apply_result *result);
QS_EXTERN(const qs_hunk_report *) qs_apply_result_hunk_byindex(
	const qs_apply_result *result, size_t i);

#ifdef __cplusplus
}
#endif

#endif
