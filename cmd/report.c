/* SPDX-License-Identifier: GPL-2.0-only */
/* A build's report in its forms; see report.h. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-write.h"
#include "report.h"

static const char *status_name(qs_branch_status s, int dry_run)
{
	switch (s) {
	case QS_BRANCH_CREATED: return dry_run ? "would create" : "created";
	case QS_BRANCH_UPDATED: return dry_run ? "would update" : "updated";
	case QS_BRANCH_UNCHANGED: return "unchanged";
	case QS_BRANCH_FAILED: return "failed";
	case QS_BRANCH_BLOCKED: return "blocked";
	case QS_BRANCH_CONFLICT: return "conflict";
	case QS_BRANCH_SKIPPED: return "skipped";
	default: return "gone";
	}
}

static void short_id(char *out, const char *hex)
{
	snprintf(out, 13, "%.12s", hex ? hex : "-");
}

void report_human(FILE *out, const qs_build *b, int dry_run)
{
	size_t i, k, n = qs_build_branch_count(b);

	for (i = 0; i < n; i++) {
		const qs_build_branch *br = qs_build_branch_byindex(b, i);
		qs_branch_status st = qs_build_branch_status(br);
		char o[16], nw[16];
		const char *why = qs_build_branch_error(br);

		short_id(o, qs_build_branch_old(br));
		short_id(nw, qs_build_branch_new(br));
		if (!why)
			why = qs_build_branch_reason(br);
		/* the ids first: fixed width, so that names line up */
		if (st == QS_BRANCH_UPDATED)
			fprintf(out, "%-12s %s..%s  ", status_name(st, dry_run), o, nw);
		else
			fprintf(out, "%-12s %12s  %12s  ", status_name(st, dry_run), "",
				qs_build_branch_new(br) ? nw : o);
		fprintf(out, "%s: %s", qs_build_branch_name(br), why ? why : "");
		if (qs_build_branch_depends_on(br))
			fprintf(out, " (on %s)", qs_build_branch_depends_on(br));
		fputc('\n', out);
		for (k = 0; k < qs_build_branch_conflict_count(br); k++) {
			size_t hunks = 0;
			const char *path = qs_build_branch_conflict_path(br, k, &hunks);

			if (hunks)
				fprintf(out, "    conflict in %s (%zu hunk%s)\n", path,
					hunks, hunks == 1 ? "" : "s");
			else
				fprintf(out, "    conflict in %s\n", path);
		}
		if (st == QS_BRANCH_CONFLICT)
			fprintf(out, "    to resolve: git checkout --detach %s && git merge %s,\n"
				"    fix the files, then run quiltsync resolve there\n",
				qs_build_branch_merge_ours(br),
				qs_build_branch_merge_theirs(br));
	}
}

void report_failures(FILE *out, const qs_build *b, const char *series)
{
	size_t i, line, n = qs_build_branch_count(b);

	for (i = 0; i < n; i++) {
		const qs_build_branch *br = qs_build_branch_byindex(b, i);
		qs_branch_status st = qs_build_branch_status(br);
		const char *patch = qs_build_branch_error_patch(br, &line);
		const char *why = qs_build_branch_error(br);

		if (st != QS_BRANCH_FAILED && st != QS_BRANCH_BLOCKED &&
		    st != QS_BRANCH_CONFLICT && st != QS_BRANCH_SKIPPED)
			continue;
		fprintf(out, "quiltsync: %s %s", qs_build_branch_name(br),
			status_name(st, 0));
		if (patch)
			fprintf(out, " at %s:%zu", series, line);
		fprintf(out, ": %s\n", why ? why : qs_build_branch_reason(br));
	}
}

void report_warnings(const qs_build *b)
{
	size_t i;

	for (i = 0; i < qs_build_warning_count(b); i++)
		cli_warning("%s", qs_build_warning(b, i));
}

int report_json(FILE *out, const qs_build *b, int dry_run)
{
	char *text = NULL;

	if (qs_build_report_json(&text, b, dry_run) < 0)
		return -1;
	fputs(text, out);
	free(text);
	return 0;
}

int report_exit_code(const qs_build *b)
{
	size_t i, n = qs_build_branch_count(b);
	int failed = 0, conflict = 0;

	for (i = 0; i < n; i++) {
		switch (qs_build_branch_status(qs_build_branch_byindex(b, i))) {
		case QS_BRANCH_SKIPPED:
			/* a dry run that would fetch first skips without an error */
			if (!qs_build_branch_error(qs_build_branch_byindex(b, i)))
				break;
			/* fall through */
		case QS_BRANCH_FAILED:
		case QS_BRANCH_BLOCKED:
			failed = 1;
			break;
		case QS_BRANCH_CONFLICT:
			conflict = 1;
			break;
		default:
			break;
		}
	}
	return conflict ? QS_EXIT_CONFLICT : failed ? QS_EXIT_FAILED : QS_EXIT_OK;
}
