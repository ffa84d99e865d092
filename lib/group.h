/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interface of lib/group.c: grouping a series file's entries
 * into patch series and naming them. It works on a plain list of what
 * grouping looks at, so that it can be tested and reasoned about without
 * patch files; lib/queue.c fills the list from the series file and the
 * parsed mails.
 */
#ifndef QS_GROUP_H
#define QS_GROUP_H

#include "internal.h"

/** No patch series: committed entries, placeholders, entries outside sections. */
#define QS__NO_SET SIZE_MAX

/** One series file entry, as grouping sees it. */
struct qs__group_item {
	const char *name;          /**< entry name as written */
	qs_entry_kind kind;
	size_t section;            /**< index of its section, QS__NO_SET outside */
	int starts_group;          /**< qs_entry_starts_group() */
	const char *series_title;  /**< `Patch series "..."`, or NULL */
	unsigned int series_total; /**< N of "This patch (of N)", or 0 */
	const char *const *links;  /**< Link: message-ids */
	size_t link_count;
};

/**
 * Group `n` items into patch series: each section's items in file
 * order, one section after the other. `out_set_of[i]` receives the
 * 0-based number of item i's series, or QS__NO_SET; series are numbered
 * in the order of their first item. `*out_count` receives the number of
 * series. Returns 0 or QS_ENOMEM.
 */
int qs__group(size_t *out_set_of, size_t *out_count,
	      const struct qs__group_item *items, size_t n);

/**
 * The "<timestamp>.<pid>@<domain>"-like key shared by every message-id of
 * one git send-email or git format-patch run, appended to `out`. Returns
 * 1 when `msgid` has such a form, 0 when it does not (`out` untouched).
 */
int qs__posting_key(qs_buf *out, const char *msgid);

/**
 * The part of an entry name a follow-up's name is built on: without a
 * compression suffix (.gz, .bz2, .xz) and without ".patch" or ".diff".
 */
char *qs__name_stem(const char *name);

/**
 * Give `n` patch series their slugs, in order: `titles[i]` slugified,
 * else `first_names[i]`'s stem slugified, else "series"; made unique as
 * quiltsync-series(1) describes. `out_slugs[i]` are malloc()ed; on
 * failure none is left allocated. Returns 0 or QS_ENOMEM.
 */
int qs__slugs_assign(char **out_slugs, const char *const *titles,
		     const char *const *first_names, size_t n);

/**
 * Initialise libgit2 once for the process (git_libgit2_init, never shut
 * down: a cycle costs milliseconds, and a program's own init/shutdown
 * pairs stay balanced around ours). Thread-safe. Returns 0 or QS_EGIT.
 */
int qs__git_init(void);

/** Longest slug qs_slugify() gives. */
#define QS__SLUG_MAX 64

#endif
