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
 * akpm's markers. Any number of '#': he comments out a whole committed
 * block with "##", end marker included ("###ENDBRANCH mm-hotfixes-stable"),
 * and the next "#BRANCH" shows that section did end there. The capture is
 * the rest of the line, so that a missing or two-word name is reported
 * instead of turning the line into an ordinary comment.
 */
static const char default_start[] = "^#+BRANCH(?![^ \\t])[ \\t]*(.*?)[ \\t]*$";
static const char default_end[] = "^#+ENDBRANCH(?![^ \\t])[ \\t]*(.*?)[ \\t]*$";

struct qs__markers {
	pcre2_code *start_re, *end_re;
	const char *start_src, *end_src;
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

int qs__sections_prepare(struct series_parser *ps, const qs_series_options *opts)
{
	struct qs__markers *m;
	uint32_t start_groups = 0, end_groups = 0;
	int ret;

	if (!(m = qs__calloc(1, sizeof(*m))))
		return QS_ENOMEM;
	ps->markers = m;
	m->start_src = opts->section_start ? opts->section_start : default_start;
	m->end_src = opts->section_end ? opts->section_end : default_end;
	if ((ret = compile_pattern(&m->start_re, &start_groups, m->start_src,
				   "section_start", 1)) < 0 ||
	    (ret = compile_pattern(&m->end_re, &end_groups, m->end_src,
				   "section_end", 0)) < 0)
		return ret;
	/* room for every group of either pattern, or pcre2_match() returns 0 */
	m->md = pcre2_match_data_create(1 + (start_groups > end_groups ?
					    start_groups : end_groups), NULL);
	if (!m->md)
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
	for (size_t i = 0; i < n; i++)
		if (is_blank(name[i]))
			return qs__series_error(ps, "bad section name '%.*s' in '%.*s'",
					   (int)n, name, (int)len, line);
	return 0;
}

/* 1 when the line was a section marker, 0 when not, <0 on error. */
int qs__section_marker(struct series_parser *ps, char *s, size_t len)
{
	struct qs__markers *m = ps->markers;
	qs_series *series = ps->series;
	qs_section *sec;
	char *cap;
	size_t n;
	int ret;

	/*
	 * The end pattern goes first: an end marker usually contains the
	 * start marker ("#ENDBRANCH" holds "BRANCH"), never the reverse.
	 */
	if ((ret = match_marker(ps, m->end_re, m->end_src, s, len, &cap, &n)) < 0)
		return ret;
	if (ret) {
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
						   sec->name, sec->first_line);
		}
		sec->last_line = ps->line;
		ps->open = NO_SECTION;
		ps->area = NULL;
		ps->new_group = 1;
		return 1;
	}

	if ((ret = match_marker(ps, m->start_re, m->start_src, s, len, &cap, &n)) < 0)
		return ret;
	if (!ret)
		return 0;
	ps->saw_marker = 1;
	if (ps->open != NO_SECTION)
		return qs__series_error(ps, "'%.*s' inside section '%s' opened on line %zu",
				   (int)len, s, series->sections[ps->open].name,
				   series->sections[ps->open].first_line);
	if (!cap || !n)
		return qs__series_error(ps, "section start '%.*s' has no name", (int)len, s);
	if ((ret = check_section_name(ps, s, len, cap, n)) < 0)
		return ret;
	for (size_t i = 0; i < series->nsections; i++) {
		sec = &series->sections[i];
		if (strlen(sec->name) == n && !memcmp(sec->name, cap, n))
			return qs__series_error(ps, "duplicate section '%.*s', first on line %zu",
					   (int)n, cap, sec->first_line);
	}
	if ((ret = QS_ARRAY_GROW(series->sections, series->sections_alloc,
				 series->nsections + 1)) < 0)
		return ret;
	cap[n] = '\0';
	sec = &series->sections[series->nsections];
	memset(sec, 0, sizeof(*sec));
	sec->name = cap;
	sec->first_line = ps->line;
	ps->open = series->nsections++;
	ps->area = NULL;
	ps->new_group = 1;
	return 1;
}

int qs__sections_end(struct series_parser *ps)
{
	qs_series *series = ps->series;
	qs_section *sec;
	int ret;

	if (ps->open != NO_SECTION) {
		sec = &series->sections[ps->open];
		ps->line = sec->first_line;
		return qs__series_error(ps, "section '%s' has no end marker", sec->name);
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
