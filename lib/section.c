/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sections: the trees a series file is divided into, marked in its
 * comment lines. Which lines are markers is the caller's choice of
 * pcre2 patterns (akpm's "#BRANCH name" / "#ENDBRANCH name" unless told
 * otherwise); what a marker may name and what it does is decided here.
 * quiltsync-series(5) is the specification.
 */
#include "series-internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The conventions, by qs_series_convention.
 *
 * akpm's markers take any number of '#': he comments out a whole
 * committed block with "##", end marker included ("###ENDBRANCH
 * mm-hotfixes-stable"), and the next "#BRANCH" shows that section did
 * end there. Every capture is the rest of the line, so that a missing
 * or two-word name is reported instead of turning the line into an
 * ordinary comment.
 *
 * mmotm's names are destinations ("linus", "block") and some are
 * phrases ("mainline-later (next week, approximately)"), and its end
 * marker names nothing. One destination may open several parts of the
 * file (block, idr and security did in March 2022): it is still one
 * destination, taking the patches of every part.
 */
static const struct convention {
	const char *name;		/* as quiltsync.yaml and --sections spell it */
	const char *start, *end;
	unsigned int continues : 1;	/* a name opened again continues its section */
	unsigned int blank_names : 1;	/* a name may hold blanks */
} conventions[] = {
	[QS_SERIES_BRANCH] = {
		"branch",
		"^#+BRANCH(?![^ \\t])[ \\t]*(.*?)[ \\t]*$",
		"^#+ENDBRANCH(?![^ \\t])[ \\t]*(.*?)[ \\t]*$",
		0, 0,
	},
	[QS_SERIES_MMOTM] = {
		"mmotm",
		"^#NEXT_PATCHES_START(?![^ \\t])[ \\t]*(.*?)[ \\t]*$",
		"^#NEXT_PATCHES_END(?![^ \\t])[ \\t]*(.*?)[ \\t]*$",
		1, 1,
	},
};

#define NCONVENTIONS QS_ARRAY_SIZE(conventions)

struct qs__markers {
	const struct convention *conv;
	pcre2_code *start_re, *end_re;
	const char *start_src, *end_src;
	/*
	 * The other conventions' start and end markers, when the file is
	 * read with its convention's own: a file written for one and read
	 * with another must not quietly become a file without sections.
	 */
	struct foreign {
		pcre2_code *re;
		const char *src;
		const struct convention *conv;
	} foreign[2 * NCONVENTIONS];
	size_t nforeign;
	pcre2_match_data *md;
};

static int compile_pattern(pcre2_code **out, uint32_t *groups, const char *src,
			   const char *what, int need_group)
{
	int errcode;
	PCRE2_SIZE erroff;

	*out = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0,
			     &errcode, &erroff, NULL);
	if (!*out) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return qs__error_set(QS_EINVAL, "invalid %s pattern '%s': %s at offset %zu",
				     what, src, (const char *)msg, (size_t)erroff);
	}
	pcre2_pattern_info(*out, PCRE2_INFO_CAPTURECOUNT, groups);
	if (need_group && *groups < 1)
		return qs__error_set(QS_EINVAL,
				     "%s pattern '%s' has no capture group for the section name",
				     what, src);
	return 0;
}

int qs__sections_prepare(struct series_parser *ps, qs_series_convention convention,
			 const char *start, const char *end)
{
	struct qs__markers *m;
	struct foreign *f;
	uint32_t groups, most = 0;
	int ret;

	if ((unsigned int)convention >= NCONVENTIONS)
		return qs__error_set(QS_EINVAL, "unknown series convention %d",
				     (int)convention);
	if (!(m = qs__calloc(1, sizeof(*m))))
		return QS_ENOMEM;
	ps->markers = m;
	m->conv = &conventions[convention];
	m->start_src = start ? start : m->conv->start;
	m->end_src = end ? end : m->conv->end;
	if ((ret = compile_pattern(&m->start_re, &most, m->start_src,
				   "section_start", 1)) < 0 ||
	    (ret = compile_pattern(&m->end_re, &groups, m->end_src,
				   "section_end", 0)) < 0)
		return ret;
	if (groups > most)
		most = groups;
	for (size_t i = 0; !start && i < 2 * NCONVENTIONS; i++) {
		const struct convention *other = &conventions[i / 2];

		if (other == m->conv)
			continue;
		f = &m->foreign[m->nforeign++];
		f->conv = other;
		f->src = i % 2 ? other->end : other->start;
		if ((ret = compile_pattern(&f->re, &groups, f->src, "section", 0)) < 0)
			return ret;
		if (groups > most)
			most = groups;
	}
	/* room for every group of any pattern, or pcre2_match() returns 0 */
	if (!(m->md = pcre2_match_data_create(1 + most, NULL)))
		return qs__error_oom();
	return 0;
}

void qs__sections_release(struct series_parser *ps)
{
	struct qs__markers *m = ps->markers;

	if (!m)
		return;
	pcre2_match_data_free(m->md);
	pcre2_code_free(m->start_re);
	pcre2_code_free(m->end_re);
	for (size_t i = 0; i < m->nforeign; i++)
		pcre2_code_free(m->foreign[i].re);
	free(m);
	ps->markers = NULL;
}

/* Matches `re` against the line; 1 with the capture in *cap, 0, or <0. */
static int match_marker(struct series_parser *ps, pcre2_code *re, const char *src,
			char *s, size_t len, char **cap, size_t *cap_len)
{
	PCRE2_SIZE *ov;
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, ps->markers->md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return qs__error_set_at(QS_EINVAL, ps->where, ps->line,
					"cannot match pattern '%s': %s", src,
					(const char *)msg);
	}
	ov = pcre2_get_ovector_pointer(ps->markers->md);
	*cap = NULL;
	*cap_len = 0;
	if (rc > 1 && ov[2] != PCRE2_UNSET && ov[3] >= ov[2]) {
		*cap = s + ov[2];
		*cap_len = ov[3] - ov[2];
	}
	return 1;
}

static int check_section_name(struct series_parser *ps, const char *line, size_t len,
			      const char *name, size_t n)
{
	if (ps->markers->conv->blank_names)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (is_blank(name[i]))
			return qs__series_error(ps, "bad section name '%.*s' in '%.*s'",
						(int)n, name, (int)len, line);
	return 0;
}

/* 0 when the line is no other convention's marker either; <0 when it is. */
static int foreign_marker(struct series_parser *ps, char *s, size_t len)
{
	struct qs__markers *m = ps->markers;
	char *cap;
	size_t n;
	int ret;

	for (size_t i = 0; i < m->nforeign; i++) {
		if ((ret = match_marker(ps, m->foreign[i].re, m->foreign[i].src, s, len,
					&cap, &n)) < 0)
			return ret;
		if (ret)
			return qs__series_error(ps, "'%.*s' is a section marker of the %s "
						"convention, not of the %s one",
						(int)len, s, m->foreign[i].conv->name,
						m->conv->name);
	}
	return 0;
}

static int end_marker(struct series_parser *ps, char *s, size_t len,
		      char *cap, size_t n)
{
	qs_series *series = ps->series;
	qs_section *sec;
	int ret;

	ps->saw_marker = 1;
	if (ps->open == NO_SECTION)
		return qs__series_error(ps, "'%.*s' ends no open section", (int)len, s);
	sec = &series->sections[ps->open];
	if (cap && n) {
		if ((ret = check_section_name(ps, s, len, cap, n)) < 0)
			return ret;
		if (strlen(sec->name) != n || memcmp(sec->name, cap, n))
			return qs__series_error(ps, "'%.*s' does not end section '%s' "
						"opened on line %zu", (int)len, s,
						sec->name, ps->open_line);
	}
	sec->last_line = ps->line;
	ps->open = NO_SECTION;
	ps->area = NULL;
	ps->new_group = 1;
	return 1;
}

static int start_marker(struct series_parser *ps, char *s, size_t len,
			char *cap, size_t n)
{
	qs_series *series = ps->series;
	qs_section *sec;
	size_t i;
	int ret;

	ps->saw_marker = 1;
	if (ps->open != NO_SECTION)
		return qs__series_error(ps, "'%.*s' inside section '%s' opened on line %zu",
					(int)len, s, series->sections[ps->open].name,
					ps->open_line);
	if (!cap || !n)
		return qs__series_error(ps, "section start '%.*s' has no name", (int)len, s);
	if ((ret = check_section_name(ps, s, len, cap, n)) < 0)
		return ret;
	for (i = 0; i < series->nsections; i++) {
		sec = &series->sections[i];
		if (strlen(sec->name) != n || memcmp(sec->name, cap, n))
			continue;
		/*
		 * In akpm's #BRANCH files a name opened twice is a mistake;
		 * in mmotm it is the same destination, continued here.
		 */
		if (!ps->markers->conv->continues)
			return qs__series_error(ps, "duplicate section '%.*s', first on line %zu",
						(int)n, cap, sec->first_line);
		break;
	}
	if (i == series->nsections) {
		if ((ret = QS_ARRAY_GROW(series->sections, series->sections_alloc,
					 series->nsections + 1)) < 0)
			return ret;
		cap[n] = '\0';
		sec = &series->sections[series->nsections++];
		memset(sec, 0, sizeof(*sec));
		sec->name = cap;
		sec->first_line = ps->line;
	}
	ps->open = i;
	ps->open_line = ps->line;
	ps->area = NULL;
	ps->new_group = 1;
	return 1;
}

/* 1 when the line was a section marker, 0 when not, <0 on error. */
int qs__section_marker(struct series_parser *ps, char *s, size_t len)
{
	struct qs__markers *m = ps->markers;
	char *cap;
	size_t n;
	int ret;

	/*
	 * The end pattern goes first: an end marker usually contains the
	 * start marker ("#ENDBRANCH" holds "BRANCH"), never the reverse.
	 */
	if ((ret = match_marker(ps, m->end_re, m->end_src, s, len, &cap, &n)) < 0)
		return ret;
	if (ret)
		return end_marker(ps, s, len, cap, n);
	if ((ret = match_marker(ps, m->start_re, m->start_src, s, len, &cap, &n)) < 0)
		return ret;
	if (ret)
		return start_marker(ps, s, len, cap, n);
	return foreign_marker(ps, s, len);
}

int qs__sections_end(struct series_parser *ps)
{
	qs_series *series = ps->series;
	qs_section *sec;
	int ret;

	if (ps->open != NO_SECTION) {
		ps->line = ps->open_line;
		return qs__series_error(ps, "section '%s' has no end marker",
					series->sections[ps->open].name);
	}
	if (ps->saw_marker)
		return 0;
	if ((ret = QS_ARRAY_GROW(series->sections, series->sections_alloc, 1)) < 0)
		return ret;
	sec = &series->sections[0];
	memset(sec, 0, sizeof(*sec));
	sec->name = "default";
	sec->first_line = 1;
	sec->last_line = ps->line ? ps->line : 1;
	series->nsections = 1;
	for (size_t i = 0; i < series->nentries; i++)
		series->entries[i].section_index = 0;
	return 0;
}

int qs__sections_link(qs_series *series)
{
	size_t i, in_sections = 0;
	const qs_series_entry **fill;

	for (i = 0; i < series->nentries; i++) {
		qs_series_entry *e = &series->entries[i];

		if (e->section_index == NO_SECTION)
			continue;
		e->section = &series->sections[e->section_index];
		series->sections[e->section_index].nentries++;
		in_sections++;
	}
	if (!in_sections)
		return 0;
	if (!(series->section_entries = qs__calloc(in_sections,
						   sizeof(*series->section_entries))))
		return QS_ENOMEM;
	fill = series->section_entries;
	for (i = 0; i < series->nsections; i++) {
		series->sections[i].entries = fill;
		fill += series->sections[i].nentries;
		series->sections[i].nentries = 0;
	}
	for (i = 0; i < series->nentries; i++) {
		const qs_series_entry *e = &series->entries[i];
		qs_section *sec;

		if (e->section_index == NO_SECTION)
			continue;
		sec = &series->sections[e->section_index];
		sec->entries[sec->nentries++] = e;
	}
	return 0;
}

size_t qs_series_section_count(const qs_series *series)
{
	return series ? series->nsections : 0;
}

const qs_section *qs_series_section_byindex(const qs_series *series, size_t i)
{
	return series && i < series->nsections ? &series->sections[i] : NULL;
}

const qs_section *qs_series_section_byname(const qs_series *series,
					   const char *name)
{
	if (!series || !name)
		return NULL;
	for (size_t i = 0; i < series->nsections; i++)
		if (!strcmp(series->sections[i].name, name))
			return &series->sections[i];
	return NULL;
}

const char *qs_section_name(const qs_section *section)
{
	return section ? section->name : NULL;
}

size_t qs_section_first_line(const qs_section *section)
{
	return section ? section->first_line : 0;
}

size_t qs_section_last_line(const qs_section *section)
{
	return section ? section->last_line : 0;
}

size_t qs_section_entry_count(const qs_section *section)
{
	return section ? section->nentries : 0;
}

const qs_series_entry *qs_section_entry_byindex(const qs_section *section,
						size_t i)
{
	return section && i < section->nentries ? section->entries[i] : NULL;
}
