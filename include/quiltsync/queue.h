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

typedef struct {
	unsigned int version;      /**< QS_QUEUE_OPTIONS_VERSION */
	qs_series_options series;  /**< how to read the series file */
	qs_mail_options mail;      /**< how to read each patch; name is ignored */
} qs_queue_options;

#define QS_QUEUE_OPTIONS_VERSION 1
#define QS_QUEUE_OPTIONS_INIT \
	{ QS_QUEUE_OPTIONS_VERSION, QS_SERIES_OPTIONS_INIT, QS_MAIL_OPTIONS_INIT }

/**
 * Load the queue: parse the series file at `series_path` and every
 * active entry's patch under `patches_dir` (NULL: the series file's
 * directory). Patch files may be compressed (.gz, .bz2, .xz). A missing
 * patch file is QS_ENOTFOUND naming "series:LINE"; an unreadable mail or
 * diff is QS_EPARSE naming the patch file and line. Committed entries'
 * files are read when present and are not required.
 */
QS_EXTERN(int) qs_queue_open(qs_queue **out, const char *series_path,
			     const char *patches_dir,
			     const qs_queue_options *opts);

QS_EXTERN(void) qs_queue_free(qs_queue *queue);

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
 * entry's: read it (decompressing .gz, .bz2, .xz), parse its mail with
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
/** Its raw bytes (decompressed), their SHA-1 hex, and their length. */
QS_EXTERN(const char *) qs_patch_content(const qs_patch *patch, size_t *out_len);
QS_EXTERN(const char *) qs_patch_content_id(const qs_patch *patch);
QS_EXTERN(const qs_mail *) qs_patch_mail(const qs_patch *patch);
QS_EXTERN(const qs_diff *) qs_patch_diff(const qs_patch *patch);

/**
 * Patch series, grouped. Every active entry of every section belongs to
 * exactly one patchset; entries outside sections, committed entries and
 * placeholders belong to none. Order: by section, then by first entry.
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
 * The branch slug: lowercase ASCII [a-z0-9-], no leading, trailing or
 * doubled '-', at most 64 bytes cut at a word boundary, unique in the
 * queue (a clash gets "-2", "-3"... in file order), a valid git ref
 * component. The same series gives the same slug on every run.
 */
QS_EXTERN(const char *) qs_patchset_slug(const qs_patchset *set);
/** The area header in force at its first entry, or NULL. */
QS_EXTERN(const char *) qs_patchset_area(const qs_patchset *set);
/** Its entries (active only), in series file order. */
QS_EXTERN(size_t) qs_patchset_entry_count(const qs_patchset *set);
QS_EXTERN(const qs_series_entry *) qs_patchset_entry_byindex(
	const qs_patchset *set, size_t i);

/**
 * Turn any title into a slug with the rules above, without the
 * uniqueness suffix. The result is malloc()ed: free() it.
 */
QS_EXTERN(int) qs_slugify(char **out, const char *title);

#ifdef __cplusplus
}
#endif

#endif
