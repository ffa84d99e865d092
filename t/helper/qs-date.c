/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs-date: our reading of mail dates, beside git's. Reads one date per
 * line on stdin and prints, per line, "<seconds> <+|-><hhmm>" the way git
 * writes an ident's date (seconds unsigned, as git keeps them), or
 * "error" where git would say "invalid date format".
 */
#include <inttypes.h>
#include <sys/types.h>

#include "mail-internal.h"

int main(void)
{
	char *line = NULL;
	size_t alloc = 0;
	ssize_t len;

	while ((len = getline(&line, &alloc, stdin)) != -1) {
		int64_t t;
		int offset;
		unsigned int minutes;

		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (qs__date_parse(&t, &offset, line)) {
			puts("error");
			continue;
		}
		minutes = offset < 0 ? 0u - (unsigned int)offset :
			  (unsigned int)offset;
		printf("%" PRIu64 " %c%02u%02u\n", (uint64_t)t,
		       offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
	}
	free(line);
	return ferror(stdin) || fflush(stdout) ? 1 : 0;
}
