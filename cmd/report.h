/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A build's report as the commands show it: the summary on the terminal,
 * the JSON (the library's, as it keeps it for `quiltsync status`), and
 * the exit code. Shared by `build` and `status`, so that they never
 * disagree.
 */
#ifndef QS_REPORT_H
#define QS_REPORT_H

#include <stdio.h>

#include "quiltsync.h"

void report_human(FILE *out, const qs_build *build, int dry_run);
/*
 * One line per branch that was not built (failed, blocked, conflict,
 * skipped): what `build -q` prints, for cron to mail. `series` is the
 * series file's path, for the failing patch's "series:LINE".
 */
void report_failures(FILE *out, const qs_build *build, const char *series);
/* The report's warnings, on standard error (cli_warning). */
void report_warnings(const qs_build *build);
/* -1 when the library cannot make it (out of memory): see qs_error_last(). */
int report_json(FILE *out, const qs_build *build, int dry_run);

/* 0 all fine, 3 an integration conflict, 1 another branch failed. */
int report_exit_code(const qs_build *build);

#endif
