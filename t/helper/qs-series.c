/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs-series: parse a series file and print a stable dump of the model,
 * for the shell tests.
 *
 *   qs-series [-P name]... [--sections branch|mmotm] [--start PAT --end PAT]
 *             [--quilt] [--log] FILE
 *
 * -P names a placeholder (repeatable). --sections picks the convention,
 * --start/--end set the section patterns. --log prints the library's
 * log messages to stderr.
 *
 * Default output: one line per section, then one line per entry with
 * its indented options, comment and notes:
 *
 *   section NAME first=L last=L entries=N
 *   entry I line=L KIND NAME strip=N reverse=0|1 group=0|1 section=S area=A
 *     options: ...
 *     comment: ...
 *     note: ...
 *
 * (S and A are "-" when there is none.) --quilt prints what quilt sees:
 * the active and placeholder entries only, as "NAME p=N R=0|1 opts=...".
 *
 * On failure the error message goes to stderr as "error: MESSAGE" and the
 * exit status is the negated qs_error_code (6 for QS_EPARSE, 3 for
 * QS_EINVAL); 2 is a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiltsync.h"

static void print_log(void *payload, qs_log_level level, const char *path,
		      size_t line, const char *message)
{
	(void)payload;
	(void)level;
	if (path)
		fprintf(stderr, "log: %s:%zu: %s\n", path, line, message);
	else
		fprintf(stderr, "log: %s\n", message);
}

static const char *kind_name(qs_entry_kind kind)
{
	switch (kind) {
	case QS_ENTRY_PATCH: return "patch";
	case QS_ENTRY_COMMITTED: return "committed";
	case QS_ENTRY_PLACEHOLDER: return "placeholder";
	}
	return "?";
}

static void dump(const qs_series *s)
{
	for (size_t i = 0; i < qs_series_section_count(s); i++) {
		const qs_section *sec = qs_series_section_byindex(s, i);

		printf("section %s first=%zu last=%zu entries=%zu\n",
		       qs_section_name(sec), qs_section_first_line(sec),
		       qs_section_last_line(sec), qs_section_entry_count(sec));
	}
	for (size_t i = 0; i < qs_series_entry_count(s); i++) {
		const qs_series_entry *e = qs_series_entry_byindex(s, i);
		const qs_section *sec = qs_entry_section(e);
		const char *area = qs_entry_area(e);

		printf("entry %zu line=%zu %s %s strip=%d reverse=%d group=%d section=%s area=%s\n",
		       qs_entry_index(e), qs_entry_line(e),
		       kind_name(qs_entry_kind_of(e)), qs_entry_name(e),
		       qs_entry_strip(e), qs_entry_reverse(e),
		       qs_entry_starts_group(e), sec ? qs_section_name(sec) : "-",
		       area ? area : "-");
		if (*qs_entry_options(e))
			printf("  options: %s\n", qs_entry_options(e));
		if (qs_entry_comment(e))
			printf("  comment: %s\n", qs_entry_comment(e));
		for (size_t k = 0; k < qs_entry_note_count(e); k++)
			printf("  note: %s\n", qs_entry_note_byindex(e, k));
	}
}

static void dump_quilt(const qs_series *s)
{
	for (size_t i = 0; i < qs_series_entry_count(s); i++) {
		const qs_series_entry *e = qs_series_entry_byindex(s, i);

		if (qs_entry_kind_of(e) == QS_ENTRY_COMMITTED)
			continue;
		printf("%s p=%d R=%d opts=%s\n", qs_entry_name(e),
		       qs_entry_strip(e), qs_entry_reverse(e),
		       qs_entry_options(e));
	}
}

static int usage(void)
{
	fputs("usage: qs-series [-P name]... [--sections branch|mmotm] "
	      "[--start PAT --end PAT] [--quilt] [--log] FILE\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	qs_series_options opts = QS_SERIES_OPTIONS_INIT;
	const char **placeholders;
	const char *file = NULL;
	qs_series *s = NULL;
	size_t nph = 0;
	int quilt = 0, ret;

	placeholders = calloc((size_t)argc + 1, sizeof(*placeholders));
	if (!placeholders)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-P") && i + 1 < argc) {
			placeholders[nph++] = argv[++i];
		} else if (!strcmp(argv[i], "--sections") && i + 1 < argc &&
			   (!strcmp(argv[i + 1], "branch") || !strcmp(argv[i + 1], "mmotm"))) {
			opts.convention = !strcmp(argv[++i], "mmotm") ? QS_SERIES_MMOTM :
					  QS_SERIES_BRANCH;
		} else if (!strcmp(argv[i], "--start") && i + 1 < argc) {
			opts.section_start = argv[++i];
		} else if (!strcmp(argv[i], "--end") && i + 1 < argc) {
			opts.section_end = argv[++i];
		} else if (!strcmp(argv[i], "--quilt")) {
			quilt = 1;
		} else if (!strcmp(argv[i], "--log")) {
			qs_log_set(print_log, NULL, QS_LOG_DEBUG);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(placeholders);
			return usage();
		} else if (!file) {
			file = argv[i];
		} else {
			free(placeholders);
			return usage();
		}
	}
	if (!file) {
		free(placeholders);
		return usage();
	}
	opts.placeholders = placeholders;

	ret = qs_series_load(&s, file, &opts);
	free(placeholders);
	if (ret < 0) {
		fprintf(stderr, "error: %s\n", qs_error_last()->message);
		return -ret;
	}
	if (quilt)
		dump_quilt(s);
	else
		dump(s);
	qs_series_free(s);
	return 0;
}
