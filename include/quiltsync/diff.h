/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: diffs, parsed but not applied.
 *
 * qs_diff reads the patch part of a patch file: unified diffs with or
 * without git headers, git extended headers, git binary patches, akpm's
 * "--- a/mm/x.c~name" names, "Index:" and "diff -puN" lines. It keeps the
 * names as written; choosing the file a hunk applies to, as GNU patch
 * does, is qs_diff_file_target()'s job.
 *
 * Text is read as GNU patch 2.7.6 reads it under quilt: free text between
 * file diffs is skipped, and so is a "---"/"+++" pair that no hunk
 * follows; a hunk holds exactly as many lines as its "@@" counts say
 * (larger counts eat the following lines, even another file's header);
 * after a hunk, any line but another "@@ -" ends the file diff, so that
 * later "@@" hunks without a header of their own are skipped as text; a
 * bare newline or a line starting with a tab is a context line; lines
 * starting with '#' are comments and skipped, inside hunks too; a last
 * line without a newline is ignored, and at the end of the input up to
 * three missing trailing lines of a hunk are taken as empty context
 * lines; an indented patch has its indentation removed. A hunk without
 * a '-' or '+' line is malformed. Context diffs, normal diffs and ed
 * scripts are not supported (QS_EPARSE).
 */
#ifndef QUILTSYNC_DIFF_H
#define QUILTSYNC_DIFF_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_diff qs_diff;
typedef struct qs_diff_file qs_diff_file;
typedef struct qs_hunk qs_hunk;

typedef struct {
	unsigned int version; /**< QS_DIFF_OPTIONS_VERSION */
	/** file name for error messages ("patches/x.patch"), may be NULL */
	const char *path;
	/** line of `path` where the buffer starts (1 when 0) */
	size_t first_line;
} qs_diff_options;

#define QS_DIFF_OPTIONS_VERSION 1
#define QS_DIFF_OPTIONS_INIT { QS_DIFF_OPTIONS_VERSION, NULL, 1 }

/**
 * Parse every file diff in `buf` (copied). Text that is not part of a
 * diff (a changelog, a diffstat, akpm's closing "_") is skipped as GNU
 * patch skips it. A malformed hunk or header is QS_EPARSE, with the path
 * and line in qs_error_last(). A buffer with no diff at all parses to an
 * empty qs_diff; GNU patch fails such a patch unless it is empty ("Only
 * garbage was found in the patch input"), and so should a caller that
 * applies it.
 */
QS_EXTERN(int) qs_diff_parse(qs_diff **out, const char *buf, size_t len,
			     const qs_diff_options *opts);

QS_EXTERN(void) qs_diff_free(qs_diff *diff);

QS_EXTERN(size_t) qs_diff_file_count(const qs_diff *diff);
QS_EXTERN(const qs_diff_file *) qs_diff_file_byindex(const qs_diff *diff,
						     size_t i);

typedef enum {
	QS_DIFF_MODIFIED = 0, /**< content and/or mode change */
	QS_DIFF_ADDED,        /**< new file */
	QS_DIFF_DELETED,      /**< deleted file */
	QS_DIFF_RENAMED,      /**< git rename, possibly with changes */
	QS_DIFF_COPIED,       /**< git copy, possibly with changes */
} qs_diff_op;

QS_EXTERN(qs_diff_op) qs_diff_file_op(const qs_diff_file *file);

/** 1 when the file diff has a "diff --git" header, else 0. */
QS_EXTERN(int) qs_diff_file_is_git(const qs_diff_file *file);

/**
 * 1 when GNU patch strips a trailing CR from every line of this file
 * diff's hunks (its last "---", "+++" or "Index:" header line ends in
 * CRLF), else 0. Line contents keep their bytes either way.
 */
QS_EXTERN(int) qs_diff_file_strips_cr(const qs_diff_file *file);

/**
 * Names as written, unquoted (git C-style quoting is decoded), without
 * akpm's "~suffix" (dropped when the rest equals the new name) and
 * without a trailing timestamp; NULL for /dev/null or when the diff has
 * no such line. For git diffs these are the names of the "diff --git"
 * line, still with their a/ b/ prefix (names with spaces are split as
 * git splits them, with the help of the rename/copy headers); the old
 * name is NULL for an added file and the new one for a deleted file.
 */
QS_EXTERN(const char *) qs_diff_file_old_path(const qs_diff_file *file);
QS_EXTERN(const char *) qs_diff_file_new_path(const qs_diff_file *file);
/** Name from an "Index:" line before the diff, or NULL. */
QS_EXTERN(const char *) qs_diff_file_index_path(const qs_diff_file *file);

/** Modes from git headers (0100644, 0100755, 0120000, 0160000), 0 if none. */
QS_EXTERN(uint32_t) qs_diff_file_old_mode(const qs_diff_file *file);
QS_EXTERN(uint32_t) qs_diff_file_new_mode(const qs_diff_file *file);

/** Hex object ids of an "index <old>..<new>" line (maybe abbreviated), or NULL. */
QS_EXTERN(const char *) qs_diff_file_old_id(const qs_diff_file *file);
QS_EXTERN(const char *) qs_diff_file_new_id(const qs_diff_file *file);

/**
 * What a side of a file diff says about its file, as GNU patch 2.7.6
 * reads it (its p_says_nonexistent[]). The values are GNU's.
 */
typedef enum {
	QS_FILE_EXISTS = 0,      /**< nothing special: the file exists */
	QS_FILE_EMPTY = 1,       /**< the file is empty (or does not exist) */
	QS_FILE_NONEXISTENT = 2, /**< the file does not exist */
} qs_file_state;

/**
 * The old and the new side's state, given the "patch -pN" strip (a name
 * that -p drops takes its timestamp with it, as in GNU patch). Git
 * diffs: "new file mode" makes the old side NONEXISTENT, "deleted file
 * mode" the new side; an "index" line's all-zero id NONEXISTENT, the
 * empty blob's id (or a prefix of it) EMPTY. Then, for every diff with
 * hunks, a first hunk "@@ -0[,N]" makes the old side EMPTY, or
 * NONEXISTENT when that side's name is /dev/null or its timestamp lies
 * within a day of the epoch; "+0" does the same for the new side. So
 * "--- a/f" / "+++ b/f" / "@@ -0,0 +1 @@" without timestamps says the
 * file is empty, not new, and GNU patch then prepends to an existing f.
 * With -R, swap the two. EXISTS for NULL.
 */
QS_EXTERN(qs_file_state) qs_diff_file_old_state(const qs_diff_file *file,
						int strip);
QS_EXTERN(qs_file_state) qs_diff_file_new_state(const qs_diff_file *file,
						int strip);

/** Similarity index of a rename or copy in percent, -1 when none. */
QS_EXTERN(int) qs_diff_file_similarity(const qs_diff_file *file);

/**
 * Line of the patch file where this file's diff starts: its "diff --git"
 * line, else its "Index:" or "---" line (or "+++" when there is no "---").
 */
QS_EXTERN(size_t) qs_diff_file_line(const qs_diff_file *file);

typedef enum {
	QS_BINARY_NONE = 0,    /**< a text diff */
	QS_BINARY_NODATA,      /**< "Binary files a and b differ": no data */
	QS_BINARY_LITERAL,     /**< "GIT binary patch" literal: whole content */
	QS_BINARY_DELTA,       /**< "GIT binary patch" delta against the preimage */
} qs_binary_kind;

/**
 * The binary part of a file diff. `reverse` 0 asks for the forward hunk
 * (old to new), 1 for the reverse one git writes after it. `*out_data`
 * is the decoded and inflated payload (for a delta, git's delta
 * instructions), borrowed from the diff. Returns the kind; QS_BINARY_NONE
 * leaves the out-parameters untouched. QS_BINARY_NODATA (also returned
 * for a missing reverse hunk) sets them to NULL and 0. Either may be NULL.
 */
QS_EXTERN(qs_binary_kind) qs_diff_file_binary(const char **out_data,
					      size_t *out_len,
					      const qs_diff_file *file,
					      int reverse);

QS_EXTERN(size_t) qs_diff_file_hunk_count(const qs_diff_file *file);
QS_EXTERN(const qs_hunk *) qs_diff_file_hunk_byindex(const qs_diff_file *file,
						     size_t i);

/** The numbers of "@@ -old_start,old_lines +new_start,new_lines @@". */
QS_EXTERN(size_t) qs_hunk_old_start(const qs_hunk *hunk);
QS_EXTERN(size_t) qs_hunk_old_lines(const qs_hunk *hunk);
QS_EXTERN(size_t) qs_hunk_new_start(const qs_hunk *hunk);
QS_EXTERN(size_t) qs_hunk_new_lines(const qs_hunk *hunk);
/** Text after the closing "@@" (the function name), "" when none. */
QS_EXTERN(const char *) qs_hunk_section(const qs_hunk *hunk);
/** Line of the patch file holding the "@@" header. */
QS_EXTERN(size_t) qs_hunk_line(const qs_hunk *hunk);

/** One line of a hunk. */
typedef struct {
	char origin;          /**< ' ' context, '-' removed, '+' added */
	int no_newline;       /**< followed by "\ No newline at end of file" */
	const char *content;  /**< without origin and without the newline */
	size_t len;           /**< bytes of content; may hold CR and NUL */
} qs_diff_line;

QS_EXTERN(size_t) qs_hunk_line_count(const qs_hunk *hunk);
/** Line `i` of the hunk, borrowed from the diff, or NULL when out of range. */
QS_EXTERN(const qs_diff_line *) qs_hunk_line_byindex(const qs_hunk *hunk,
						     size_t i);

/**
 * Strip `n` leading components from `path` as "patch -pN" does (runs of
 * slashes count as one) and return a pointer into `path`, or NULL when it
 * has fewer than `n` components to strip. n < 0 keeps only the base name.
 */
QS_EXTERN(const char *) qs_path_strip(const char *path, int n);

/**
 * The path a file diff touches, with `strip` leading components removed
 * as patch -pN would: its new name (the old one for a deletion, the
 * Index: name when it has neither), as written when it has too few
 * components to strip; "" when it names none. Borrowed from the diff.
 */
QS_EXTERN(const char *) qs_diff_file_path(const qs_diff_file *file, int strip);

/**
 * Tells whether `path` exists in the tree a patch is applied to: nonzero
 * when it does (as GNU patch's lstat() would find it). It is also asked
 * about the leading directories of a new file's names ("mm", "mm/sub"),
 * and must then answer nonzero only for a directory. Files created or
 * deleted by earlier file diffs of the same patch should be answered as
 * they stand after those diffs.
 */
typedef int (*qs_path_exists_fn)(void *payload, const char *path);

/**
 * The path this file diff applies to, chosen among its old, new and
 * Index names after stripping `strip` components, exactly as GNU patch
 * 2.7.6 chooses when quilt runs it (`patch -pN -f`, POSIXLY_CORRECT
 * unset): the best existing name; else, for a deletion, the last name;
 * else, when the old side says the file does not exist, the name that
 * needs the fewest new directories. "Best" is GNU patch's: fewest
 * components, then shortest, then the first of old, new, Index (which
 * can leave no name at all, as it does in GNU patch). The Index name
 * counts only when there is no other. Git diffs follow the same rules on
 * the names of their ---/+++ lines (or of the "diff --git" line when
 * there is no hunk). This is the file read; for a git rename or copy,
 * the file written is the other of the stripped old and new names.
 * `exists` answers for the target tree. `*out` is borrowed from the
 * file diff, valid until qs_diff_free(). QS_ENOTFOUND when no name fits
 * (GNU patch: "No file to patch. Skipping patch.").
 */
QS_EXTERN(int) qs_diff_file_target(const char **out,
				   const qs_diff_file *file, int strip,
				   qs_path_exists_fn exists, void *payload);

#ifdef __cplusplus
}
#endif

#endif
