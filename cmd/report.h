/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A build's report: the summary on the terminal, the JSON, the copy kept
 * in the repository for `quiltsync status`, and the exit code. One place
 * for all four, so that they never disagree.
 */
#ifndef QS_REPORT_H
#define QS_REPORT_H

#include <stdio.h>

#include "quiltsync.h"

void report_human(FILE *out, const qs_build *build, int dry_run);
void report_json(FILE *out, const qs_build *build, int dry_run);

/*
 * Keep both forms in "<git dir>/quiltsync/last-build.json" and
 * "last-build.txt", each replaced in one rename. -1 with errno set on
 * failure.
 */
int report_save(const qs_config *cfg, const qs_build *build);

/* The kept report's path for `form` ("json" or "txt"); malloc()ed. */
char *report_path(const qs_config *cfg, const char *form);

/* 0 all fine, 3 an integration conflict, 1 another branch failed. */
int report_exit_code(const qs_build *build);

#endif
