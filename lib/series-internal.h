/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interface between the two halves of the series file parser:
 * series.c reads lines, entries and notes; section.c recognises the
 * section markers and keeps the sections. Both fill one qs_series in a
 * single pass, through one struct series_parser.
 */
#ifndef QS_SERIES_INTERNAL_H
#define QS_SERIES_INTERNAL_H

#include "internal.h"
#include "strmap.h"

/* An entry's section_index outside every section, and no open section. */
#define NO_SECTION SIZE_MAX

struct qs_section {
	const char *name;
	size_t first_line;
	size_t last_line;
	/*
	 * Its entries in file order: a slice of the series' section_entries,
	 * since a section need not be one run of the file.
	 */
	const qs_series_entry **entries;
	size_t nentries;
};

struct qs_series_entry {
	const char *name;
	const char *options;
	const char *comment;
	const char *area;
	const qs_section *section;
	const char *const *notes;
	size_t nnotes;
	size_t line;
	size_t index;
	size_t section_index; /* NO_SECTION outside sections */
	int strip;
	qs_entry_kind kind;
	unsigned int reverse : 1;
	unsigned int starts_group : 1;
};

struct qs_series {
	char *path;
	char *text;
	qs_series_entry *entries;
	size_t nentries, entries_alloc;
	qs_section *sections;
	size_t nsections, sections_alloc;
	const qs_series_entry **section_entries; /* every section's entries */
	const char **notes;
	struct qs__strmap index; /* name -> entry index */
};

/* A review note as read: attached to entries once they are all known. */
struct raw_note {
	const char *target;
	const char *text;
	size_t line;
	size_t count;   /* entries after the target it also covers */
	int to_group;   /* "+N": up to the end of the target's group */
};

/* The compiled section markers: section.c's alone. */
struct qs__markers;

/* Parser state for one call of qs_series_parse(). */
struct series_parser {
	qs_series *series;
	const char *where; /* path for messages */
	const char *const *placeholders;
	struct qs__markers *markers;
	struct raw_note *notes;
	size_t nnotes, notes_alloc;
	size_t open;        /* index of the open section, or NO_SECTION */
	size_t open_line;   /* the line that opened it (this part of it) */
	const char *area;   /* area header in force */
	int new_group;      /* a group boundary since the last entry */
	int saw_marker;
	size_t line;
};

/* Only space and tab are blanks, for quilt and for us. */
static inline int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* QS_EPARSE located at the line being read ("patches/series:12: ..."). */
int qs__series_error(struct series_parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Compile the markers of `convention` into ps->markers: `start` and
 * `end` when given (both or neither), else the convention's own.
 * QS_EINVAL for an unknown convention, a pattern that does not compile
 * or lacks its group; QS_ENOMEM. qs__sections_release() frees them in
 * any case.
 */
int qs__sections_prepare(struct series_parser *ps, qs_series_convention convention,
			 const char *start, const char *end);
void qs__sections_release(struct series_parser *ps);

/*
 * A comment line (`len` bytes at `s`, starting with '#'): 1 when it was
 * a section marker, and the open section has changed accordingly; 0
 * when it was not; <0 on error.
 */
int qs__section_marker(struct series_parser *ps, char *s, size_t len);

/*
 * At the end of the text: a section left open is an error; a file with
 * no marker gets its one "default" section.
 */
int qs__sections_end(struct series_parser *ps);

/*
 * Pointers between sections and entries, once the arrays no longer
 * move: each section's list of entries, each entry's section. 0 or
 * QS_ENOMEM.
 */
int qs__sections_link(qs_series *series);

#endif
