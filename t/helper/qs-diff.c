/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs-diff: the diff parser behind a command line, for the shell tests.
 *
 *   qs-diff dump [-v] PATCH     a stable dump of the parse; -v adds lines
 *   qs-diff numstat PATCH       "added<TAB>deleted<TAB>name", as
 *                               `git apply --numstat` prints it
 *   qs-diff summary PATCH       create/delete/rename/copy/mode lines, as
 *                               `git apply --summary` prints them
 *   qs-diff files PATCH         one name per file diff with hunks (-p1),
 *                               as `lsdiff --strip=1` prints it
 *   qs-diff target -pN PATCH    the file GNU patch would patch, for each
 *                               file diff, in the current directory
 *   qs-diff binary N fwd|rev PATCH   the decoded payload of the binary
 *                               hunk of file diff N (1-based), raw
 *
 * Exit status: 0, 1 when the parse fails (the message on stderr), 2 on
 * usage errors.
 */
#include "internal.h"

#include <sys/stat.h>

static void put_quoted(const char *s)
{
	const unsigned char *p;
	int need = 0;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			need = 1;
	if (!need) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\a': fputs("\\a", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\v': fputs("\\v", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				printf("\\%03o", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void put_name(const char *label, const char *s)
{
	printf("  %s ", label);
	if (s)
		put_quoted(s);
	else
		putchar('-');
	putchar('\n');
}

static void put_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static const char *op_name(qs_diff_op op)
{
	static const char *const names[] = {
		"modified", "added", "deleted", "renamed", "copied",
	};

	return (unsigned)op < QS_ARRAY_SIZE(names) ? names[op] : "?";
}

static const char *bin_name(qs_binary_kind k)
{
	static const char *const names[] = { "none", "nodata", "literal", "delta" };

	return (unsigned)k < QS_ARRAY_SIZE(names) ? names[k] : "?";
}

static void count_lines(const qs_diff_file *f, size_t *added, size_t *deleted)
{
	*added = *deleted = 0;
	for (size_t h = 0; h < qs_diff_file_hunk_count(f); h++) {
		const qs_hunk *hk = qs_diff_file_hunk_byindex(f, h);

		for (size_t i = 0; i < qs_hunk_line_count(hk); i++) {
			const qs_diff_line *l = qs_hunk_line_byindex(hk, i);

			*added += l->origin == '+';
			*deleted += l->origin == '-';
		}
	}
}

static void dump(const qs_diff *diff, int verbose)
{
	for (size_t i = 0; i < qs_diff_file_count(diff); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, i);
		const char *data;
		size_t len;
		qs_binary_kind k;

		printf("file %zu line %zu %s%s%s\n", i + 1, qs_diff_file_line(f),
		       op_name(qs_diff_file_op(f)),
		       qs_diff_file_is_git(f) ? " git" : "",
		       qs_diff_file_strips_cr(f) ? " strip-cr" : "");
		put_name("old", qs_diff_file_old_path(f));
		put_name("new", qs_diff_file_new_path(f));
		if (qs_diff_file_index_path(f))
			put_name("index", qs_diff_file_index_path(f));
		if (qs_diff_file_old_mode(f) || qs_diff_file_new_mode(f))
			printf("  mode %06o %06o\n",
			       (unsigned)qs_diff_file_old_mode(f),
			       (unsigned)qs_diff_file_new_mode(f));
		if (qs_diff_file_old_id(f) || qs_diff_file_new_id(f))
			printf("  id %s %s\n",
			       qs_diff_file_old_id(f) ? qs_diff_file_old_id(f) : "-",
			       qs_diff_file_new_id(f) ? qs_diff_file_new_id(f) : "-");
		if (qs_diff_file_similarity(f) >= 0)
			printf("  similarity %d\n", qs_diff_file_similarity(f));
		for (int rev = 0; rev < 2; rev++) {
			k = qs_diff_file_binary(&data, &len, f, rev);
			if (k == QS_BINARY_NONE)
				break;
			if (k == QS_BINARY_NODATA && rev)
				break;
			printf("  binary %s %s", rev ? "reverse" : "forward",
			       bin_name(k));
			if (k != QS_BINARY_NODATA)
				printf(" %zu %08x", len, (unsigned)fnv1a(data, len));
			putchar('\n');
		}
		for (size_t h = 0; h < qs_diff_file_hunk_count(f); h++) {
			const qs_hunk *hk = qs_diff_file_hunk_byindex(f, h);
			size_t n[3] = { 0, 0, 0 }, nonl = 0;

			for (size_t j = 0; j < qs_hunk_line_count(hk); j++) {
				const qs_diff_line *l = qs_hunk_line_byindex(hk, j);

				n[l->origin == ' ' ? 0 : l->origin == '-' ? 1 : 2]++;
				nonl += l->no_newline;
			}
			printf("  hunk line %zu -%zu,%zu +%zu,%zu '%s'\n",
			       qs_hunk_line(hk), qs_hunk_old_start(hk),
			       qs_hunk_old_lines(hk), qs_hunk_new_start(hk),
			       qs_hunk_new_lines(hk), qs_hunk_section(hk));
			printf("    %zu context %zu removed %zu added %zu no-newline\n",
			       n[0], n[1], n[2], nonl);
			if (!verbose)
				continue;
			for (size_t j = 0; j < qs_hunk_line_count(hk); j++) {
				const qs_diff_line *l = qs_hunk_line_byindex(hk, j);

				printf("    %c|", l->origin);
				put_bytes(l->content, l->len);
				printf("|%s\n", l->no_newline ? " no-newline" : "");
			}
		}
	}
}

/* the name git apply prints: the new one, else the old one, -p1 */
static const char *git_name(const qs_diff_file *f)
{
	const char *name = qs_diff_file_new_path(f);
	const char *s;

	if (!name)
		name = qs_diff_file_old_path(f);
	s = qs_path_strip(name, 1);
	return s ? s : name;
}

static void numstat(const qs_diff *diff)
{
	for (size_t i = 0; i < qs_diff_file_count(diff); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, i);
		size_t added, deleted;

		if (qs_diff_file_binary(NULL, NULL, f, 0) != QS_BINARY_NONE) {
			printf("-\t-\t");
		} else {
			count_lines(f, &added, &deleted);
			printf("%zu\t%zu\t", added, deleted);
		}
		put_quoted(git_name(f));
		putchar('\n');
	}
}

/* git's pprint_rename(): "dir/{old => new}/tail" */
static void put_rename(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), pfx = 0, sfx = 0, i;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			pfx = i + 1;
	while (sfx < la - pfx && sfx < lb - pfx &&
	       a[la - sfx - 1] == b[lb - sfx - 1])
		sfx++;
	/* the common suffix starts at a slash */
	while (sfx && a[la - sfx] != '/')
		sfx--;
	if (!pfx && !sfx) {
		printf("%s => %s", a, b);
		return;
	}
	printf("%.*s{%.*s => %.*s}%s", (int)pfx, a, (int)(la - pfx - sfx),
	       a + pfx, (int)(lb - pfx - sfx), b + pfx, a + la - sfx);
}

static void summary(const qs_diff *diff)
{
	for (size_t i = 0; i < qs_diff_file_count(diff); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, i);
		const char *o = qs_path_strip(qs_diff_file_old_path(f), 1);
		const char *n = qs_path_strip(qs_diff_file_new_path(f), 1);
		unsigned om = qs_diff_file_old_mode(f), nm = qs_diff_file_new_mode(f);

		switch (qs_diff_file_op(f)) {
		case QS_DIFF_ADDED:
			if (!qs_diff_file_is_git(f))
				break;
			printf(" create mode %06o %s\n", nm, n);
			continue;
		case QS_DIFF_DELETED:
			if (!qs_diff_file_is_git(f))
				break;
			printf(" delete mode %06o %s\n", om, o);
			continue;
		case QS_DIFF_RENAMED:
		case QS_DIFF_COPIED:
			printf(" %s ", qs_diff_file_op(f) == QS_DIFF_RENAMED ?
			       "rename" : "copy");
			put_rename(o, n);
			printf(" (%d%%)\n", qs_diff_file_similarity(f));
			if (om && nm && om != nm)
				printf(" mode change %06o => %06o\n", om, nm);
			continue;
		default:
			break;
		}
		if (om && nm && om != nm)
			printf(" mode change %06o => %06o %s\n", om, nm, n);
	}
}

static void files(const qs_diff *diff)
{
	for (size_t i = 0; i < qs_diff_file_count(diff); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, i);

		if (!qs_diff_file_hunk_count(f))
			continue;
		put_quoted(git_name(f));
		putchar('\n');
	}
}

static int exists_in_cwd(void *payload, const char *path)
{
	struct stat st;

	QS_UNUSED(payload);
	return lstat(path, &st) == 0;
}

static int targets(const qs_diff *diff, int strip)
{
	for (size_t i = 0; i < qs_diff_file_count(diff); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, i);
		const char *t;

		if (qs_diff_file_target(&t, f, strip, exists_in_cwd, NULL) == 0) {
			printf("%s\n", t);
		} else {
			printf("-\n");
			fprintf(stderr, "%s\n", qs_error_last()->message);
		}
	}
	return 0;
}

static int binary(const qs_diff *diff, size_t index, int reverse)
{
	const qs_diff_file *f = qs_diff_file_byindex(diff, index - 1);
	const char *data;
	size_t len;
	qs_binary_kind k = qs_diff_file_binary(&data, &len, f, reverse);

	if (k != QS_BINARY_LITERAL && k != QS_BINARY_DELTA) {
		fprintf(stderr, "file diff %zu has no binary data\n", index);
		return 1;
	}
	fwrite(data, 1, len, stdout);
	return 0;
}

static int usage(void)
{
	fputs("usage: qs-diff (dump [-v] | numstat | summary | files | target -pN) PATCH\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	qs_diff_options opts = QS_DIFF_OPTIONS_INIT;
	qs_buf buf = QS_BUF_INIT;
	qs_diff *diff = NULL;
	const char *cmd, *path;
	int verbose = 0, strip = 1, ret = 0, argi = 2, bin_reverse = 0;
	size_t bin_index = 0;

	if (argc < 3)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "dump") && !strcmp(argv[argi], "-v")) {
		verbose = 1;
		argi++;
	} else if (!strcmp(cmd, "target") && !strncmp(argv[argi], "-p", 2)) {
		strip = atoi(argv[argi] + 2);
		argi++;
	} else if (!strcmp(cmd, "binary") && argc == 5) {
		bin_index = strtoul(argv[2], NULL, 10);
		bin_reverse = !strcmp(argv[3], "rev");
		argi = 4;
	}
	if (argi != argc - 1)
		return usage();
	path = argv[argi];
	if (qs__read_file(&buf, path) < 0) {
		fprintf(stderr, "%s\n", qs_error_last()->message);
		return 1;
	}
	opts.path = path;
	if (qs_diff_parse(&diff, buf.ptr, buf.len, &opts) < 0) {
		fprintf(stderr, "%s\n", qs_error_last()->message);
		ret = 1;
		goto done;
	}
	if (!strcmp(cmd, "dump"))
		dump(diff, verbose);
	else if (!strcmp(cmd, "numstat"))
		numstat(diff);
	else if (!strcmp(cmd, "summary"))
		summary(diff);
	else if (!strcmp(cmd, "files"))
		files(diff);
	else if (!strcmp(cmd, "target"))
		targets(diff, strip);
	else if (!strcmp(cmd, "binary"))
		ret = binary(diff, bin_index, bin_reverse);
	else
		ret = usage();
done:
	qs_diff_free(diff);
	qs_buf_release(&buf);
	return ret;
}
