/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: reading the manifest.
 *
 * Every build that changes anything records what it made in a commit
 * at refs/quiltsync/manifest: which branches, at which commits, with
 * which status, and for every patch of the queue its mail metadata,
 * how it applied and which commit holds it on which branch. The commit
 * has three JSON blobs, build.json, branches.json and patches.json;
 * quiltsync-manifest(5) has the format. Its first parent is the
 * previous build's manifest, so the ref's history is one commit per
 * build.
 *
 * A manifest is loaded whole and checked whole: every field this
 * reader knows must be there with its type (fields it does not know
 * are ignored, so that later writers can add some), or the load fails
 * with QS_EPARSE naming the blob, the item (counted from 0, as jq's
 * .[N]) and the field: "branches.json: branch 3: 'status' is not a
 * string". A program that needs a few of thousands of patches may ask
 * for them to be read one by one instead (QS_MANIFEST_LAZY), and find
 * the ones worth reading with qs_manifest_patch_find().
 *
 * Ownership: a qs_manifest is the caller's, freed with
 * qs_manifest_free(). Branches, patches and every string they give are
 * borrowed from the manifest and live as long as it does. Strings are
 * UTF-8 without NUL bytes; ids are 40 lower-case hex digits.
 */
#ifndef QUILTSYNC_MANIFEST_H
#define QUILTSYNC_MANIFEST_H

#include "common.h"
#include "build.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_manifest qs_manifest;
typedef struct qs_manifest_branch qs_manifest_branch;
typedef struct qs_manifest_patch qs_manifest_patch;

/** The ref a build writes its manifest to. */
#define QS_MANIFEST_REF "refs/quiltsync/manifest"

/** The newest manifest format this library reads (build.json's "format"). */
#define QS_MANIFEST_FORMAT 1

typedef enum {
	/**
	 * Read build.json and branches.json only: for the commands that need
	 * the branches, not the patches (publish, status). patches.json is
	 * neither read nor checked; qs_manifest_patch_count() is then 0.
	 */
	QS_MANIFEST_BRANCHES_ONLY = 1u << 0,
	/**
	 * Read each patch when it is first asked for, not all at load: for a
	 * program that needs a few (quiltsync which). The load only splits
	 * patches.json into its patches, checking that it is an array of
	 * objects, as many as build.json counts; qs_manifest_patch_byindex()
	 * parses and checks a patch the first time, and returns NULL when it
	 * is malformed, with the error the load would have given. A patch
	 * never asked for is never checked. As it parses, a manifest loaded
	 * so must not be used by two threads at once.
	 */
	QS_MANIFEST_LAZY = 1u << 1,
} qs_manifest_flag;

/**
 * Load the manifest `rev` names in the repository at `repository` (a
 * path: the work tree or the git directory; not searched upwards).
 * `rev` is anything git_revparse_single() accepts that peels to a
 * manifest commit ("refs/quiltsync/manifest~1", an id, a prefix); NULL
 * means QS_MANIFEST_REF. `flags` are qs_manifest_flag bits.
 *
 * A load reads the manifest from an uncompressed copy in the
 * repository's quiltsync directory when there is one of this very
 * manifest commit; else from git, and a load that reads patches.json
 * then makes the copy for the next, if the repository can be written to
 * (quiltsync-manifest(5), FILES). The copy is derived: deleting it costs
 * the next load time, never an answer.
 *
 * Errors: QS_ENOTFOUND when `rev` names nothing ("no build has written
 * a manifest in 'REPO' yet" for the ref itself); QS_EINVAL when
 * `repository` is not a git repository; QS_EPARSE when the commit is
 * not a manifest (a blob is missing), when its format is newer than
 * QS_MANIFEST_FORMAT, when a blob is not JSON or a field is missing or
 * ill-typed, or when the blobs disagree (a count, a commit on a branch
 * that is not listed); QS_EGIT, QS_ENOMEM.
 */
QS_EXTERN(int) qs_manifest_load(qs_manifest **out, const char *repository,
				const char *rev, unsigned int flags);

/** Release a manifest and all it gave. NULL-safe. */
QS_EXTERN(void) qs_manifest_free(qs_manifest *manifest);

/** The manifest commit's id. */
QS_EXTERN(const char *) qs_manifest_id(const qs_manifest *manifest);
/** The previous build's manifest commit, or NULL for the first build's. */
QS_EXTERN(const char *) qs_manifest_parent(const qs_manifest *manifest);
/** build.json's "format": 1 up to QS_MANIFEST_FORMAT. */
QS_EXTERN(int) qs_manifest_format(const qs_manifest *manifest);

/** The base per-series branches start from: its name (a tag) and commit. */
QS_EXTERN(const char *) qs_manifest_base_name(const qs_manifest *manifest);
QS_EXTERN(const char *) qs_manifest_base_id(const qs_manifest *manifest);
/** The upstream ref the build followed and the commit it named. */
QS_EXTERN(const char *) qs_manifest_upstream(const qs_manifest *manifest);
QS_EXTERN(const char *) qs_manifest_upstream_id(const qs_manifest *manifest);
/** The git blob id of the series file the build read. */
QS_EXTERN(const char *) qs_manifest_series_blob(const qs_manifest *manifest);

/* --- branches ---------------------------------------------------------- */

/** What became of a branch in the build that wrote the manifest. */
typedef enum {
	QS_MANIFEST_BUILT = 0,  /**< the build created or moved it */
	QS_MANIFEST_UNCHANGED,  /**< it already was where it should be */
	QS_MANIFEST_FAILED,     /**< a patch did not apply; kept its old tip */
	QS_MANIFEST_BLOCKED,    /**< needs a branch that failed; kept its old tip */
	QS_MANIFEST_CONFLICT,   /**< an unresolved merge conflict; kept its old tip */
	QS_MANIFEST_SKIPPED,    /**< needs another series (`dependencies: skip`) */
	QS_MANIFEST_GONE,       /**< a per-series branch whose series left the queue */
} qs_manifest_status;

/** The word branches.json uses for a status ("built", ...); NULL if none. */
QS_EXTERN(const char *) qs_manifest_status_name(qs_manifest_status status);

/** The branches in build order: trees, their per-series branches, integrations, gone. */
QS_EXTERN(size_t) qs_manifest_branch_count(const qs_manifest *manifest);
QS_EXTERN(const qs_manifest_branch *) qs_manifest_branch_byindex(
	const qs_manifest *manifest, size_t i);
/** The branch named `name` ("mm-unstable", no refs/heads/), or NULL. */
QS_EXTERN(const qs_manifest_branch *) qs_manifest_branch_byname(
	const qs_manifest *manifest, const char *name);

QS_EXTERN(const char *) qs_manifest_branch_name(const qs_manifest_branch *branch);
QS_EXTERN(qs_branch_kind) qs_manifest_branch_kind(const qs_manifest_branch *branch);
QS_EXTERN(qs_branch_mode) qs_manifest_branch_mode(const qs_manifest_branch *branch);
QS_EXTERN(qs_manifest_status) qs_manifest_branch_status(const qs_manifest_branch *branch);
/** The section of the series file it takes; NULL for an integration. */
QS_EXTERN(const char *) qs_manifest_branch_section(const qs_manifest_branch *branch);
/** A per-series branch's series title and slug; NULL for other kinds. */
QS_EXTERN(const char *) qs_manifest_branch_series(const qs_manifest_branch *branch);
QS_EXTERN(const char *) qs_manifest_branch_slug(const qs_manifest_branch *branch);
/**
 * The commit the branch's ref names after the build, or NULL when there
 * is no ref. A branch that failed, was blocked, conflicted or was
 * skipped keeps its old tip.
 */
QS_EXTERN(const char *) qs_manifest_branch_tip(const qs_manifest_branch *branch);
/** The branch it was stacked on or waits for, or NULL. */
QS_EXTERN(const char *) qs_manifest_branch_depends_on(const qs_manifest_branch *branch);
/** Patches on it: commits made or reused. */
QS_EXTERN(size_t) qs_manifest_branch_patches(const qs_manifest_branch *branch);

/** Why it failed, one line; NULL when it did not. */
QS_EXTERN(const char *) qs_manifest_branch_error(const qs_manifest_branch *branch);
/** The failure's patch entry, file in the tree; NULL when not known. */
QS_EXTERN(const char *) qs_manifest_branch_error_patch(const qs_manifest_branch *branch);
QS_EXTERN(const char *) qs_manifest_branch_error_file(const qs_manifest_branch *branch);
/** The failed patch's series file line and hunk (1-based); 0 when not known. */
QS_EXTERN(size_t) qs_manifest_branch_error_line(const qs_manifest_branch *branch);
QS_EXTERN(size_t) qs_manifest_branch_error_hunk(const qs_manifest_branch *branch);

/** What a branch starts from or merges ("on"). */
typedef enum {
	QS_MANIFEST_START_BASE = 0, /**< the base (a tag) */
	QS_MANIFEST_START_UPSTREAM, /**< the upstream ref */
	QS_MANIFEST_START_BRANCH,   /**< another branch of the build */
	QS_MANIFEST_START_REMOTE,   /**< a ref of another repository */
} qs_manifest_start_kind;

/** What it started from and then merged, in order. */
QS_EXTERN(size_t) qs_manifest_branch_start_count(const qs_manifest_branch *branch);
/** Start `i`'s kind; QS_MANIFEST_START_BASE when out of range. */
QS_EXTERN(qs_manifest_start_kind) qs_manifest_branch_start_kind(
	const qs_manifest_branch *branch, size_t i);
/** Its name: the tag, "upstream", the branch, or the remote's ref. NULL when out of range. */
QS_EXTERN(const char *) qs_manifest_branch_start_name(
	const qs_manifest_branch *branch, size_t i);
/** A remote's URL; NULL for the other kinds. */
QS_EXTERN(const char *) qs_manifest_branch_start_url(
	const qs_manifest_branch *branch, size_t i);
/** The commit it was at; NULL when it could not be resolved. */
QS_EXTERN(const char *) qs_manifest_branch_start_id(
	const qs_manifest_branch *branch, size_t i);

/* --- patches ----------------------------------------------------------- */

/** How a patch applied on its tree branch. */
typedef enum {
	QS_MANIFEST_APPLIED_CLEAN = 0,   /**< every hunk where it said */
	QS_MANIFEST_APPLIED_OFFSET,      /**< some hunk at an offset */
	QS_MANIFEST_APPLIED_FUZZ,        /**< some hunk with fuzz */
	QS_MANIFEST_APPLIED_THREE_WAY,   /**< by a three-way merge */
	QS_MANIFEST_APPLIED_FAILED,      /**< it did not apply */
	QS_MANIFEST_APPLIED_NOT_REACHED, /**< its branch failed on an earlier patch */
	QS_MANIFEST_APPLIED_COMMITTED,   /**< already committed (##name.patch), not applied */
	QS_MANIFEST_APPLIED_EMPTY,       /**< an empty patch: quilt pushes it, no commit */
} qs_manifest_applied;

/** The word patches.json uses ("clean", "3-way", ...); NULL if none. */
QS_EXTERN(const char *) qs_manifest_applied_name(qs_manifest_applied how);

/**
 * Every patch entry of the sections the configured branches take, in
 * series file order. 0 when loaded with QS_MANIFEST_BRANCHES_ONLY.
 */
QS_EXTERN(size_t) qs_manifest_patch_count(const qs_manifest *manifest);
/**
 * Patch `i`; NULL when out of range. Under QS_MANIFEST_LAZY, also NULL
 * when the patch is malformed (QS_EPARSE, "patches.json: patch 3: 'line'
 * is missing", in qs_error_last()) or memory runs out.
 */
QS_EXTERN(const qs_manifest_patch *) qs_manifest_patch_byindex(
	const qs_manifest *manifest, size_t i);

typedef enum {
	/** ASCII letters match in either case, as strcasestr() in the C locale. */
	QS_MANIFEST_FIND_ICASE = 1u << 0,
} qs_manifest_find_flag;

/**
 * The patches that may hold `needle` in one of their strings (name,
 * subject, author, a trailer, a path, a branch, a commit id...), without
 * reading any: under QS_MANIFEST_LAZY, a search of patches.json's text.
 * A filter, to be followed by the exact test with the accessors: every
 * patch with a string that holds `needle` is given, but so may others
 * be, as a patch's whole text is searched, keys and numbers too. A
 * manifest loaded without QS_MANIFEST_LAZY keeps no text to search and
 * gives every patch; so does an empty needle. `flags` are
 * qs_manifest_find_flag bits.
 *
 * `*out` is a malloc()ed array of `*out_count` patch indexes, in
 * ascending order, NULL when there are none: free() it. QS_EINVAL for
 * a NULL argument, QS_ENOMEM.
 */
QS_EXTERN(int) qs_manifest_patch_find(size_t **out, size_t *out_count,
				      const qs_manifest *manifest,
				      const char *needle, unsigned int flags);

/** The entry's name in the series file, and its line there. */
QS_EXTERN(const char *) qs_manifest_patch_name(const qs_manifest_patch *patch);
QS_EXTERN(size_t) qs_manifest_patch_line(const qs_manifest_patch *patch);
QS_EXTERN(const char *) qs_manifest_patch_section(const qs_manifest_patch *patch);
/** 1 for a committed entry (##name.patch), else 0. */
QS_EXTERN(int) qs_manifest_patch_committed(const qs_manifest_patch *patch);
/** The patch file's git blob id; NULL when there was no file. */
QS_EXTERN(const char *) qs_manifest_patch_blob(const qs_manifest_patch *patch);
/** The mail's Message-ID without <>, or NULL. */
QS_EXTERN(const char *) qs_manifest_patch_message_id(const qs_manifest_patch *patch);
QS_EXTERN(const char *) qs_manifest_patch_subject(const qs_manifest_patch *patch);
QS_EXTERN(const char *) qs_manifest_patch_author_name(const qs_manifest_patch *patch);
QS_EXTERN(const char *) qs_manifest_patch_author_email(const qs_manifest_patch *patch);
/** The author date as written, ISO 8601 with its offset ("2024-03-01T12:00:00+01:00"), or NULL. */
QS_EXTERN(const char *) qs_manifest_patch_date(const qs_manifest_patch *patch);
/**
 * The author date as seconds since the epoch and the offset east of
 * UTC in minutes. QS_ENOTFOUND when the patch has no date.
 */
QS_EXTERN(int) qs_manifest_patch_time(int64_t *out_seconds, int *out_offset_minutes,
				      const qs_manifest_patch *patch);

/** The message's trailers, in order: key ("Signed-off-by") and value. */
QS_EXTERN(size_t) qs_manifest_patch_trailer_count(const qs_manifest_patch *patch);
/** NULL when out of range. */
QS_EXTERN(const char *) qs_manifest_patch_trailer_key(const qs_manifest_patch *patch,
						      size_t i);
QS_EXTERN(const char *) qs_manifest_patch_trailer_value(const qs_manifest_patch *patch,
							size_t i);

/** The paths it touches in the tree, as applied. */
QS_EXTERN(size_t) qs_manifest_patch_file_count(const qs_manifest_patch *patch);
/** NULL when out of range. */
QS_EXTERN(const char *) qs_manifest_patch_file_byindex(const qs_manifest_patch *patch,
						       size_t i);

/** The patch series it belongs to: title and slug, NULL when none. */
QS_EXTERN(const char *) qs_manifest_patch_series(const qs_manifest_patch *patch);
QS_EXTERN(const char *) qs_manifest_patch_series_slug(const qs_manifest_patch *patch);
/** Its position n (from 1) of count m in the series; both 0 when none. */
QS_EXTERN(size_t) qs_manifest_patch_series_position(const qs_manifest_patch *patch);
QS_EXTERN(size_t) qs_manifest_patch_series_count(const qs_manifest_patch *patch);

QS_EXTERN(qs_manifest_applied) qs_manifest_patch_applied(const qs_manifest_patch *patch);
/** The largest offset (in lines, absolute) and fuzz among its hunks. */
QS_EXTERN(size_t) qs_manifest_patch_applied_offset(const qs_manifest_patch *patch);
QS_EXTERN(size_t) qs_manifest_patch_applied_fuzz(const qs_manifest_patch *patch);
/** Why it failed to apply, or NULL. */
QS_EXTERN(const char *) qs_manifest_patch_applied_error(const qs_manifest_patch *patch);

/**
 * The branches that hold the patch, each with its commit there: its
 * tree branch, its per-series branch, and every branch built on one of
 * those. Only built or unchanged branches hold commits.
 */
QS_EXTERN(size_t) qs_manifest_patch_commit_count(const qs_manifest_patch *patch);
/** The branch's name (qs_manifest_branch_byname finds it); NULL when out of range. */
QS_EXTERN(const char *) qs_manifest_patch_commit_branch(const qs_manifest_patch *patch,
							size_t i);
/** The patch's commit on that branch; NULL when out of range. */
QS_EXTERN(const char *) qs_manifest_patch_commit_id(const qs_manifest_patch *patch,
						    size_t i);
/**
 * Its position there, from 1: among the section's patches on a tree
 * branch, in the series on a per-series branch; 0 on branches that
 * merely contain it.
 */
QS_EXTERN(size_t) qs_manifest_patch_commit_position(const qs_manifest_patch *patch,
						    size_t i);

#ifdef __cplusplus
}
#endif

#endif
