/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Applying the hunks of one file diff to the content of one file, exactly
 * as GNU patch 2.7.6 does under `quilt push`: the first guess from the
 * stated line plus the previous hunk's offset, offsets tried +0, +1, -1,
 * +2, -2 ... with fuzz as the outer loop, anchoring at the file's start
 * and end, newline insertion, "\ No newline at end of file", CR
 * stripping. Pure computation on buffers: no repository, no files. The
 * tree engine (apply.c) decides which file, creation and deletion.
 */
#ifndef QS_HUNK_H
#define QS_HUNK_H

#include "internal.h"

typedef struct {
	int reverse;   /* -R: swap the sides of every hunk */
	int max_fuzz;  /* GNU patch's -F; 2 by default; < 0 counts as 0 */
	/*
	 * GNU patch's "old side says nonexistent" after -R, that is
	 * qs_diff_file_old_state() (new_state() with -R) ==
	 * QS_FILE_NONEXISTENT: a hunk that lands on line 1 of a non-empty
	 * input then fails ("would create the file ..., which already
	 * exists"). 0 skips that rule.
	 */
	int old_nonexistent;
} qs__hunk_options;

typedef struct {
	size_t old_line;    /* the hunk's stated start, after -R (GNU's first line) */
	/*
	 * GNU's "at L" of "Hunk #n succeeded at L" and of "Hunk #n FAILED
	 * at L": the line where it landed (or, failed, the stated line) plus
	 * the net growth of the hunks applied before it. 0 when that is not
	 * a positive line number.
	 */
	size_t new_line;
	long offset;        /* matched input line minus stated line (GNU's in_offset) */
	int fuzz;           /* fuzz used */
	int applied;        /* 1 when located and applied */
	const char *reason; /* static text when it failed, else NULL */
} qs__hunk_result;

/*
 * Apply every hunk of `file` to `in` (`in_len` bytes; NULL and 0 for a
 * file that does not exist) and append the new content to `out`.
 * `results` must hold qs_diff_file_hunk_count(file) entries; each is
 * filled in. Returns 0 when every hunk applied, QS_EAPPLY when at least
 * one failed (then `out` holds what GNU patch would write: the input
 * with the hunks that did apply, and the results say which failed and
 * why), QS_ENOMEM on allocation failure.
 */
int qs__apply_hunks(qs_buf *out, const char *in, size_t in_len,
		    const qs_diff_file *file, const qs__hunk_options *opts,
		    qs__hunk_result *results);

#endif
