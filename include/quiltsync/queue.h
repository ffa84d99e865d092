/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: a quilt queue, loaded.
 *
 * qs_queue is a series file plus its patches directory: every active
 * entry's patch file read and parsed (mail and diff), and the entries of
 * each section grouped into patch series ("patchsets", to keep them apart
 * from the series file), each with a title and the slug its branch is
 * named after.
 */
#ifndef QUILTSYNC_QUEUE_H
#define QUILTSYNC_QUEUE_H

#include "common.h"
#include "series.h"
#include "mail.h"
#include "diff.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_queue qs_queue;
typedef struct qs_patch qs_patch;
typedef struct qs_patchset qs_patchset;

/** Flags of qs_queue_options. */
typedef enum {
	/**
	 * A missing patch file of an active entry is not an error: it is
	 * logged as a warning, the entry has no qs_patch and is grouped by
	 * its place in the series file alone. For tools that only list a
	 * queue; anything that applies it must leave this unset.
	 */
	QS_QUEUE_ALLOW_MISSING = 1u << 0,
	/**
	 * A patch file of an active entry that is missing, is not a file
	 * that can be read, or cannot be parsed fails that entry alone: the
	 * queue opens, the entry has no qs_patch, qs_queue_entry_error()
	 * says why (logged at QS_LOG_INFO, at the series file's line: the
	 * caller reports it with what it fails). For the build, where such
	 * an entry fails only the branches that take it.
	 */
	QS_QUEUE_ENTRY_ERRORS = 1u << 1,
} qs_queue_flag;

typedef struct {
	unsigned int version;      /**< QS_QUEUE_OPTIONS_VERSION */
	qs_series_options series;  /**< how to read the series file */
	qs_mail_options mail;      /**< how to read each patch; name is ignored */
	unsigned int flags;        /**< qs_queue_flag bits */
	/**
	 * Version 2: NULL, or the names of the sections whose patches are
	 * read (NULL-terminated); entries outside them are not read at all
	 * (no qs_patch, no error): a build reads only what it applies.
	 */
	const char *const *sections;
	/**
	 * Version 3: the most a patch file may hold, and what a compressed
	 * one may inflate to, in bytes; 0: 256 MiB. A larger one, and a
	 * patch that is not a regular file (a FIFO, a device, a directory),
	 * fails its entry as a file that cannot be read does.
	 */
	size_t max_patch_size;
} qs_queue_options;

/*
 * Version 3 holds version 2 of qs_series_options (with its convention),
 * which moved the members after it; versions 1 and 2 are still read as
 * they were laid out.
 */
#define QS_QUEUE_OPTIONS_VERSION 3
#define QS_QUEUE_OPTIONS_INIT \
	{ QS_QUEUE_OPTIONS_VERSION, QS_SERIES_OPTIONS_INIT, QS_MAIL_OPTIONS_INIT, 0, NULL, 0 }

/**
 * Load the queue: parse the series file at `series_path` and every
 * active entry's patch under `patches_dir` (NULL: the series file's
 * directory), then group the entries into patchsets. Patch files may be
 * compressed (.gz, .bz2, .xz, .lzma, .lz: what quilt reads); each is read as a mail (`opts->mail`, with
 * the file's path as its name) and its patch part as a diff. `opts` may
 * be NULL for the defaults.
 *
 * A missing patch file of an active entry is QS_ENOTFOUND, located at
 * the entry: "patches/series:12: patch file 'patches/x.patch' does not
 * exist" (unless QS_QUEUE_ALLOW_MISSING). An unreadable mail or diff is
 * the parser's QS_EPARSE, naming the patch file and line. Placeholders
 * have no file; committed entries' files are read when present and are
 * not required.
 *
 * The first call of this or qs_patch_open() initialises libgit2 for the
 * process (git_libgit2_init, once, thread-safe) and leaves it so.
 */
QS_EXTERN(int) qs_queue_open(qs_queue **out, const char *series_path,
			     const char *patches_dir,
			     const qs_queue_options *opts);

QS_EXTERN(void) qs_queue_free(qs_queue *queue);

/**
 * Why the patch file of `entry` could not be loaded, with
 * QS_QUEUE_ENTRY_ERRORS ("patch file 'patches/x.patch' does not exist";
 * a parse error is located in the patch file); the entry's series line
 * is qs_entry_line(). NULL when it loaded, or was not to be read.
 * Borrowed from the queue.
 */
QS_EXTERN(const char *) qs_queue_entry_error(const qs_queue *queue,
					     const qs_series_entry *entry);

/** The parsed series file, borrowed from the queue. */
QS_EXTERN(const qs_series *) qs_queue_series(const qs_queue *queue);

/** The patches directory in use. */
QS_EXTERN(const char *) qs_queue_patches_dir(const qs_queue *queue);

/**
 * The loaded patch of an entry, or NULL for placeholders and for
 * committed entries whose file is absent.
 */
QS_EXTERN(const qs_patch *) qs_queue_patch(const qs_queue *queue,
					   const qs_series_entry *entry);

/**
 * Load one patch file outside any queue, as qs_queue_open loads each
 * entry's: read it (decompressing .gz, .bz2, .xz, .lzma, .lz), parse its mail with
 * `mail_opts` (NULL: defaults; its name is set to `path`) and the diff
 * of its patch part. For `quiltsync show-patch` and tools. Free with
 * qs_patch_free(); qs_patch_entry() of such a patch is NULL.
 */
QS_EXTERN(int) qs_patch_open(qs_patch **out, const char *path,
			     const qs_mail_options *mail_opts);

/** Release a patch from qs_patch_open(). NULL-safe. Never for queue-owned patches. */
QS_EXTERN(void) qs_patch_free(qs_patch *patch);

/** The entry a patch was loaded for (NULL for qs_patch_open). */
QS_EXTERN(const qs_series_entry *) qs_patch_entry(const qs_patch *patch);
/** Path of the patch file as opened. */
QS_EXTERN(const char *) qs_patch_path(const qs_patch *patch);
/** Its raw bytes, decompressed, and their length (out_len may be NULL). */
QS_EXTERN(const char *) qs_patch_content(const qs_patch *patch, size_t *out_len);
/**
 * The git blob id of those bytes in hex, as `git hash-object` gives it
 * for the decompressed file: it changes exactly when the patch does.
 */
QS_EXTERN(const char *) qs_patch_content_id(const qs_patch *patch);
QS_EXTERN(const qs_mail *) qs_patch_mail(const qs_patch *patch);
QS_EXTERN(const qs_diff *) qs_patch_diff(const qs_patch *patch);

/**
 * Patch series, grouped. Every active entry of every section belongs to
 * exactly one patchset; entries outside sections, committed entries and
 * placeholders belong to none. Order: by section, then by first entry.
 * quiltsync-series(1) gives the grouping rules.
 */
QS_EXTERN(size_t) qs_queue_patchset_count(const qs_queue *queue);
QS_EXTERN(const qs_patchset *) qs_queue_patchset_byindex(const qs_queue *queue,
							 size_t i);
/** The patchset whose slug is `slug`, or NULL. */
QS_EXTERN(const qs_patchset *) qs_queue_patchset_byslug(const qs_queue *queue,
							const char *slug);
/** The patchset an active entry belongs to, or NULL. */
QS_EXTERN(const qs_patchset *) qs_queue_patchset_of(const qs_queue *queue,
						    const qs_series_entry *entry);

QS_EXTERN(const qs_section *) qs_patchset_section(const qs_patchset *set);
/**
 * The title: the `Patch series "<title>"` of its first patch, else the
 * first patch's subject.
 */
QS_EXTERN(const char *) qs_patchset_title(const qs_patchset *set);
/**
 * The branch slug: qs_slugify() of the title (of the first patch's file
 * name when the title gives nothing, else "series"), made unique in the
 * queue: the first patchset in file order keeps it, a later one with the
 * same slug gets "-" and the first 7 hex digits of the git blob id of
 * its first patch's entry name (`printf %s NAME | git hash-object
 * --stdin`), so that its slug does not depend on the other patchsets;
 * a numeric "-2", "-3"... settles a clash that remains. At most 64
 * bytes. The same queue gives the same slugs on every run.
 */
QS_EXTERN(const char *) qs_patchset_slug(const qs_patchset *set);
/** The area header in force at its first entry, or NULL. */
QS_EXTERN(const char *) qs_patchset_area(const qs_patchset *set);
/** Its entries (active only), in series file order. */
QS_EXTERN(size_t) qs_patchset_entry_count(const qs_patchset *set);
QS_EXTERN(const qs_series_entry *) qs_patchset_entry_byindex(
	const qs_patchset *set, size_t i);

/**
 * Turn a UTF-8 title into a slug, without the uniqueness suffix:
 * lowercase ASCII letters and digits, words joined by single '-', no
 * leading or trailing '-', at most 64 bytes cut at a word boundary (a
 * first word longer than that is cut at 64). Latin letters with
 * diacritics and ligatures of Latin-1 and Latin Extended-A are spelled
 * in ASCII ("é" e, "ß" ss, "Æ" ae, "ł" l); apostrophes (' ` U+2018 U+2019
 * U+02BC) are dropped, so "don't" gives "dont"; every other character,
 * and invalid UTF-8, separates words. "refs/heads/<prefix>-<slug>" is
 * then always a valid git ref name. A title with no letter or digit
 * gives "". The result is malloc()ed: free() it.
 */
QS_EXTERN(int) qs_slugify(char **out, const char *title);

#ifdef __cplusplus
}
#endif

#endif
