/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz the diff parser: parse, walk every accessor, and ask for the
 * target with a few strip levels against a tree where every other
 * queried path exists.
 */
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int exists_alternating(void *payload, const char *path)
{
	unsigned *n = payload;

	(void)path;
	return (int)((*n)++ & 1);
}

static size_t sink;

static void walk_file(const qs_diff_file *f)
{
	const char *p, *data;
	size_t len;
	unsigned calls = 0;

	sink += qs_diff_file_op(f) + (size_t)qs_diff_file_is_git(f);
	sink += (size_t)qs_diff_file_strips_cr(f) + qs_diff_file_line(f);
	if ((p = qs_diff_file_old_path(f)))
		sink += strlen(p);
	if ((p = qs_diff_file_new_path(f)))
		sink += strlen(p);
	if ((p = qs_diff_file_index_path(f)))
		sink += strlen(p);
	if ((p = qs_diff_file_old_id(f)))
		sink += strlen(p);
	if ((p = qs_diff_file_new_id(f)))
		sink += strlen(p);
	sink += qs_diff_file_old_mode(f) + qs_diff_file_new_mode(f);
	sink += (size_t)qs_diff_file_similarity(f);
	for (int rev = 0; rev < 2; rev++)
		if (qs_diff_file_binary(&data, &len, f, rev) > QS_BINARY_NODATA)
			sink += len ? (unsigned char)data[len - 1] : 0;
	for (size_t h = 0; h < qs_diff_file_hunk_count(f); h++) {
		const qs_hunk *hk = qs_diff_file_hunk_byindex(f, h);

		sink += qs_hunk_old_start(hk) + qs_hunk_old_lines(hk);
		sink += qs_hunk_new_start(hk) + qs_hunk_new_lines(hk);
		sink += strlen(qs_hunk_section(hk)) + qs_hunk_line(hk);
		for (size_t i = 0; i < qs_hunk_line_count(hk); i++) {
			const qs_diff_line *l = qs_hunk_line_byindex(hk, i);

			sink += (size_t)l->origin + (size_t)l->no_newline;
			if (l->len)
				sink += (unsigned char)l->content[0] +
					(unsigned char)l->content[l->len - 1];
		}
	}
	for (int strip = -1; strip < 3; strip++)
		if (!qs_diff_file_target(&p, f, strip, exists_alternating, &calls))
			sink += strlen(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qs_diff_options opts = QS_DIFF_OPTIONS_INIT;
	qs_diff *diff = NULL;

	opts.path = "fuzz.patch";
	if (qs_diff_parse(&diff, (const char *)data, size, &opts) < 0) {
		/* every failure is located and described */
		if (!qs_error_last()->message[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < qs_diff_file_count(diff); i++)
		walk_file(qs_diff_file_byindex(diff, i));
	qs_diff_free(diff);
	return 0;
}
