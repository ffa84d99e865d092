/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz qs_series_parse(). The first byte picks the options (the
 * convention, #BRANCH or mmotm; its own markers or patterns of the
 * caller's; with or without placeholders); the rest is the series
 * file. A parsed series is walked through every accessor and its
 * invariants are checked: a broken one aborts.
 */
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void walk(const qs_series *s, qs_series_convention convention)
{
	size_t n = qs_series_entry_count(s), in_sections = 0;

	for (size_t i = 0; i < n; i++) {
		const qs_series_entry *e = qs_series_entry_byindex(s, i);
		const qs_series_entry *byname;

		CHECK(e && qs_entry_index(e) == i);
		CHECK(qs_entry_name(e) && *qs_entry_name(e));
		CHECK(qs_entry_options(e));
		CHECK(qs_entry_strip(e) >= 0);
		CHECK(qs_entry_line(e) >= 1);
		CHECK(i == 0 || qs_entry_line(e) > qs_entry_line(qs_series_entry_byindex(s, i - 1)));
		byname = qs_series_entry_byname(s, qs_entry_name(e));
		CHECK(byname && !strcmp(qs_entry_name(byname), qs_entry_name(e)));
		if (qs_entry_kind_of(e) != QS_ENTRY_COMMITTED)
			CHECK(byname == e);
		for (size_t k = 0; k < qs_entry_note_count(e); k++)
			CHECK(qs_entry_note_byindex(e, k));
		CHECK(!qs_entry_note_byindex(e, qs_entry_note_count(e)));
		if (qs_entry_comment(e))
			(void)strlen(qs_entry_comment(e));
		if (qs_entry_area(e))
			CHECK(*qs_entry_area(e));
		if (qs_entry_section(e))
			in_sections++;
	}
	CHECK(!qs_series_entry_byindex(s, n));
	for (size_t j = 0; j < qs_series_section_count(s); j++) {
		const qs_section *sec = qs_series_section_byindex(s, j);

		const char *name = qs_section_name(sec);

		/* one section per name: a name opened again is continued or refused */
		CHECK(qs_series_section_byname(s, name) == sec);
		CHECK(*name);
		if (convention == QS_SERIES_BRANCH)
			CHECK(!strchr(name, ' ') && !strchr(name, '\t'));
		CHECK(qs_section_first_line(sec) <= qs_section_last_line(sec));
		if (j)
			CHECK(qs_section_first_line(sec) >
			      qs_section_first_line(qs_series_section_byindex(s, j - 1)));
		for (size_t k = 0; k < qs_section_entry_count(sec); k++) {
			const qs_series_entry *e = qs_section_entry_byindex(sec, k);

			CHECK(qs_entry_section(e) == sec);
			CHECK(qs_entry_line(e) >= qs_section_first_line(sec) &&
			      qs_entry_line(e) <= qs_section_last_line(sec));
			/* all its parts' entries, in file order */
			CHECK(k == 0 || qs_entry_index(e) >
			      qs_entry_index(qs_section_entry_byindex(sec, k - 1)));
		}
		in_sections -= qs_section_entry_count(sec);
	}
	CHECK(in_sections == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const placeholders[] = { "origin.patch", "a", NULL };
	qs_series_options opts = QS_SERIES_OPTIONS_INIT;
	qs_series *s = NULL;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		opts.section_start = "^#NEXT_PATCHES_START\\s+(\\S+)";
		opts.section_end = "^#NEXT_PATCHES_END(?:\\s+(\\S+))?";
	}
	if (data[0] & 2)
		opts.placeholders = placeholders;
	if (data[0] & 4)
		opts.convention = QS_SERIES_MMOTM;
	if (qs_series_parse(&s, (const char *)data + 1, size - 1, NULL, &opts) == 0) {
		walk(s, opts.convention);
		qs_series_free(s);
	} else {
		CHECK(!s);
		CHECK(qs_error_last()->code < 0);
	}
	return 0;
}
