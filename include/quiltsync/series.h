/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: series files.
 *
 * qs_series is the series file as text: its patch entries with their
 * options, the sections that divide it into trees, the area headers,
 * the entries already committed to git, placeholders and review notes.
 * It reads no patch file; qs_queue (queue.h) does.
 *
 * quiltsync-series(5) describes the syntax and every convention.
 */
#ifndef QUILTSYNC_SERIES_H
#define QUILTSYNC_SERIES_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_series qs_series;
typedef struct qs_series_entry qs_series_entry;
typedef struct qs_section qs_section;

/**
 * How a series file marks its sections (quiltsync-series(5) has both).
 */
typedef enum {
	/**
	 * akpm's since 2022: "#BRANCH name" opens section name and
	 * "#ENDBRANCH name" closes it (any number of leading '#'). A name
	 * holds no blank and opens one section: a second "#BRANCH" of the
	 * same name is an error.
	 */
	QS_SERIES_BRANCH = 0,
	/**
	 * The older mmotm: "#NEXT_PATCHES_START name" opens a part and
	 * "#NEXT_PATCHES_END" closes it. A name is the rest of the line
	 * and may hold blanks ("mainline-later (next week, approximately)");
	 * a name that opens a second part continues its section, whose
	 * entries are those of all its parts in file order.
	 */
	QS_SERIES_MMOTM,
} qs_series_convention;

typedef struct {
	unsigned int version; /**< QS_SERIES_OPTIONS_VERSION */
	/**
	 * Entry names that stand for git refs rather than patch files
	 * (akpm's "mm-stable.patch", "origin.patch"). NULL-terminated
	 * array, may be NULL. Copied.
	 */
	const char *const *placeholders;
	/**
	 * pcre2 patterns matched against whole comment lines (with their
	 * '#', without the newline), each with one capture group giving the
	 * section name; the end pattern is tried first. Set both or
	 * neither: NULL selects the convention's markers. Patterns replace
	 * the markers only: the convention's rules for names still hold.
	 * An end whose group is unset or empty closes the open section.
	 * Copied.
	 */
	const char *section_start;
	const char *section_end;
	/**
	 * Version 2: how sections are marked and what a name opened twice
	 * means. With the convention's own markers, a line that is a marker
	 * of another convention is an error: the file is not read as its
	 * author wrote it.
	 */
	qs_series_convention convention;
} qs_series_options;

/* Version 1 is the same without `convention` (QS_SERIES_BRANCH). */
#define QS_SERIES_OPTIONS_VERSION 2
#define QS_SERIES_OPTIONS_INIT \
	{ QS_SERIES_OPTIONS_VERSION, NULL, NULL, NULL, QS_SERIES_BRANCH }

/**
 * Parse a series file held in `buf` (copied). `path` names it in errors
 * ("patches/series:12: ..."); may be NULL, and errors then say "series".
 * Syntax errors (a bad option, a duplicate entry, an unterminated or
 * mismatched section, another convention's marker) are QS_EPARSE with
 * the line in qs_error_last(). A section pattern that does not compile,
 * lacks its group or exceeds pcre2's match limit is QS_EINVAL, and so
 * are an unknown options version or convention. `opts` may be NULL.
 */
QS_EXTERN(int) qs_series_parse(qs_series **out, const char *buf, size_t len,
			       const char *path, const qs_series_options *opts);

/** Read and parse the series file at `path`. */
QS_EXTERN(int) qs_series_load(qs_series **out, const char *path,
			      const qs_series_options *opts);

QS_EXTERN(void) qs_series_free(qs_series *series);

/** The path given to qs_series_parse/load, or NULL. */
QS_EXTERN(const char *) qs_series_path(const qs_series *series);

/** Every entry in file order, active, committed and placeholders. */
QS_EXTERN(size_t) qs_series_entry_count(const qs_series *series);
QS_EXTERN(const qs_series_entry *) qs_series_entry_byindex(
	const qs_series *series, size_t i);
/** The entry named `name` (active or placeholder first, then committed), or NULL. */
QS_EXTERN(const qs_series_entry *) qs_series_entry_byname(
	const qs_series *series, const char *name);

/**
 * Sections in file order of their first start marker. A series file with
 * no section markers has one section, named "default", holding every
 * entry.
 */
QS_EXTERN(size_t) qs_series_section_count(const qs_series *series);
QS_EXTERN(const qs_section *) qs_series_section_byindex(
	const qs_series *series, size_t i);
QS_EXTERN(const qs_section *) qs_series_section_byname(
	const qs_series *series, const char *name);

QS_EXTERN(const char *) qs_section_name(const qs_section *section);
/**
 * Lines of its first start marker and its last end marker (1 and the
 * last line when implicit). A section in several parts (QS_SERIES_MMOTM)
 * spans the lines of whatever lies between its parts.
 */
QS_EXTERN(size_t) qs_section_first_line(const qs_section *section);
QS_EXTERN(size_t) qs_section_last_line(const qs_section *section);
/** The entries of the section, of all its parts, in file order. */
QS_EXTERN(size_t) qs_section_entry_count(const qs_section *section);
QS_EXTERN(const qs_series_entry *) qs_section_entry_byindex(
	const qs_section *section, size_t i);

typedef enum {
	QS_ENTRY_PATCH = 0,  /**< an active patch: applied */
	QS_ENTRY_COMMITTED,  /**< "##name": already committed to the branch */
	QS_ENTRY_PLACEHOLDER /**< stands for a git ref; no file */
} qs_entry_kind;

QS_EXTERN(qs_entry_kind) qs_entry_kind_of(const qs_series_entry *entry);
/** The patch name as written, relative to the patches directory. */
QS_EXTERN(const char *) qs_entry_name(const qs_series_entry *entry);
/** 1-based line in the series file. */
QS_EXTERN(size_t) qs_entry_line(const qs_series_entry *entry);
/** Index of the entry in qs_series_entry_byindex() order. */
QS_EXTERN(size_t) qs_entry_index(const qs_series_entry *entry);
/** The -pN strip level (1 by default). */
QS_EXTERN(int) qs_entry_strip(const qs_series_entry *entry);
/** 1 when the entry has -R (apply reversed). */
QS_EXTERN(int) qs_entry_reverse(const qs_series_entry *entry);
/** Other patch options on the line, space-separated, "" when none. */
QS_EXTERN(const char *) qs_entry_options(const qs_series_entry *entry);
/** Comment after the options ("# text" without "# "), or NULL. */
QS_EXTERN(const char *) qs_entry_comment(const qs_series_entry *entry);
/** The section holding the entry, or NULL outside every section. */
QS_EXTERN(const qs_section *) qs_entry_section(const qs_series_entry *entry);
/** The area header ("mm/gup") in force at the entry, or NULL. */
QS_EXTERN(const char *) qs_entry_area(const qs_series_entry *entry);

/**
 * Review notes attached to the entry, the text after "name: ": those of
 * "#name: note" lines and of any "#other+N: note" (the rest of other's
 * group) or "#other+3: note" (three more entries) that covers it, in
 * file order.
 */
QS_EXTERN(size_t) qs_entry_note_count(const qs_series_entry *entry);
QS_EXTERN(const char *) qs_entry_note_byindex(const qs_series_entry *entry,
					      size_t i);

/**
 * 1 when a bare "#" separator line (or an area header, or the start or
 * end of a section) stands between this entry and the previous one, and
 * for the first entry of the file: where the maintainer ends one series
 * and starts the next.
 */
QS_EXTERN(int) qs_entry_starts_group(const qs_series_entry *entry);

#ifdef __cplusplus
}
#endif

#endif
