/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs-hunk: the hunk engine behind GNU patch's command line, for the
 * shell tests.
 *
 *   qs-hunk [-R] [-F N] [-pN] PATCH FILE OUTPUT
 *
 * applies the first file diff of PATCH to FILE (which may be missing)
 * and writes OUTPUT, printing per hunk what GNU patch prints under quilt
 * ("Hunk #1 succeeded at 12 with fuzz 1 (offset 3 lines)." only when
 * there is fuzz or an offset, "Hunk #2 FAILED at 40." always). Like GNU
 * patch, it writes OUTPUT only when FILE exists or a hunk applied, and
 * removes OUTPUT instead when the result is empty and the new side says
 * the file does not exist (a deletion); a non-empty result then fails
 * ("Not deleting file"). -pN (default 1) only matters for these
 * nonexistent-file rules.
 *
 * Exit status: 0, 1 when a hunk failed, 2 on errors.
 */
#include "internal.h"
#include "hunk.h"

static int usage(void)
{
	fputs("usage: qs-hunk [-R] [-F N] [-pN] PATCH FILE OUTPUT\n", stderr);
	return 2;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	qs__hunk_options opts = { 0, 2, 0 };
	qs_buf patch = QS_BUF_INIT, in = QS_BUF_INIT, out = QS_BUF_INIT;
	qs_diff_options dopts = QS_DIFF_OPTIONS_INIT;
	qs__hunk_result *res = NULL;
	const qs_diff_file *file;
	qs_diff *diff = NULL;
	int i, ret, status = 2, exists, strip = 1, applied = 0, deleted;
	size_t n, h;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-R"))
			opts.reverse = 1;
		else if (!strcmp(argv[i], "-F") && i + 1 < argc)
			opts.max_fuzz = atoi(argv[++i]);
		else if (!strncmp(argv[i], "-F", 2))
			opts.max_fuzz = atoi(argv[i] + 2);
		else if (!strncmp(argv[i], "-p", 2))
			strip = atoi(argv[i] + 2);
		else
			return usage();
	}
	if (argc - i != 3)
		return usage();
	if (qs__read_file(&patch, argv[i]) < 0)
		goto fail;
	ret = qs__read_file(&in, argv[i + 1]);
	if (ret < 0 && ret != QS_ENOTFOUND)
		goto fail;
	exists = ret == 0;
	dopts.path = argv[i];
	if (qs_diff_parse(&diff, patch.ptr, patch.len, &dopts) < 0)
		goto fail;
	if (!(file = qs_diff_file_byindex(diff, 0))) {
		fprintf(stderr, "qs-hunk: %s: no file diff\n", argv[i]);
		goto done;
	}
	opts.old_nonexistent = (opts.reverse ?
				qs_diff_file_new_state(file, strip) :
				qs_diff_file_old_state(file, strip)) ==
			       QS_FILE_NONEXISTENT;
	deleted = (opts.reverse ? qs_diff_file_old_state(file, strip) :
		   qs_diff_file_new_state(file, strip)) == QS_FILE_NONEXISTENT;
	n = qs_diff_file_hunk_count(file);
	if (!(res = calloc(n ? n : 1, sizeof(*res)))) {
		fputs("qs-hunk: out of memory\n", stderr);
		goto done;
	}
	ret = qs__apply_hunks(&out, exists ? in.ptr : NULL, in.len, file,
			      &opts, res);
	if (ret < 0 && ret != QS_EAPPLY)
		goto fail;
	for (h = 0; h < n; h++) {
		const qs__hunk_result *r = &res[h];

		if (!r->applied) {
			printf("Hunk #%zu FAILED at %zu%s.\n", h + 1, r->new_line,
			       strstr(r->reason, "line endings") ?
			       " (different line endings)" : "");
			continue;
		}
		applied++;
		if (!r->fuzz && !r->offset)
			continue;
		printf("Hunk #%zu succeeded at %zu", h + 1, r->new_line);
		if (r->fuzz)
			printf(" with fuzz %d", r->fuzz);
		if (r->offset)
			printf(" (offset %ld line%s)", r->offset,
			       r->offset == 1 ? "" : "s");
		puts(".");
	}
	status = ret == QS_EAPPLY ? 1 : 0;
	if (deleted && !out.len) {
		remove(argv[i + 2]);
		goto done;
	}
	if (deleted) {
		puts("Not deleting file as content differs from patch");
		status = 1;
	}
	if ((exists || applied) &&
	    write_file(argv[i + 2], out.ptr, out.len) < 0) {
		fprintf(stderr, "qs-hunk: cannot write '%s'\n", argv[i + 2]);
		status = 2;
	}
	goto done;
fail:
	fprintf(stderr, "qs-hunk: %s\n", qs_error_last()->message);
done:
	free(res);
	qs_diff_free(diff);
	qs_buf_release(&patch);
	qs_buf_release(&in);
	qs_buf_release(&out);
	return status;
}
