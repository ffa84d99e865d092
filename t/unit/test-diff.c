/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"
#include "tap.h"

static qs_diff *parse(const char *text)
{
	qs_diff *diff = NULL;

	if (qs_diff_parse(&diff, text, strlen(text), NULL) < 0) {
		tap_diag("unexpected parse failure: %s", qs_error_last()->message);
		return NULL;
	}
	return diff;
}

static const qs_diff_line *line_of(const qs_diff *diff, size_t file,
				   size_t hunk, size_t line)
{
	return qs_hunk_line_byindex(qs_diff_file_hunk_byindex(
		qs_diff_file_byindex(diff, file), hunk), line);
}

static int content_is(const qs_diff_line *l, char origin, const char *s)
{
	return l && l->origin == origin && l->len == strlen(s) &&
	       !memcmp(l->content, s, l->len);
}

static void test_api_edges(void)
{
	qs_diff_options opts = QS_DIFF_OPTIONS_INIT;
	qs_diff *diff = NULL;
	const char *t = "x";

	is_int(qs_diff_parse(NULL, "", 0, NULL), QS_EINVAL, "NULL out");
	is_int(qs_diff_parse(&diff, NULL, 3, NULL), QS_EINVAL, "NULL buffer with length");
	opts.version = 99;
	is_int(qs_diff_parse(&diff, "", 0, &opts), QS_EINVAL, "unknown options version");
	ok(strstr(qs_error_last()->message, "version") != NULL, "message names the version");
	ok(diff == NULL, "out stays NULL on failure");
	is_int(qs_diff_parse(&diff, NULL, 0, NULL), 0, "empty input parses");
	is_int(qs_diff_file_count(diff), 0, "empty input has no files");
	ok(qs_diff_file_byindex(diff, 0) == NULL, "index out of range is NULL");
	qs_diff_free(diff);
	qs_diff_free(NULL);

	is_int(qs_diff_file_count(NULL), 0, "NULL diff has no files");
	ok(qs_diff_file_hunk_byindex(NULL, 0) == NULL, "NULL file has no hunks");
	ok(qs_hunk_line_byindex(NULL, 0) == NULL, "NULL hunk has no lines");
	ok(qs_diff_file_old_path(NULL) == NULL, "NULL file has no name");
	is_int(qs_diff_file_similarity(NULL), -1, "NULL file has no similarity");
	is_int(qs_diff_file_binary(NULL, NULL, NULL, 0), QS_BINARY_NONE, "NULL file is no binary");
	is_int(qs_diff_file_target(NULL, NULL, 1, NULL, NULL), QS_EINVAL, "target: NULL out");
	is_int(qs_diff_file_target(&t, NULL, 1, NULL, NULL), QS_EINVAL, "target: NULL file");
	ok(t == NULL, "target: out cleared");

	diff = parse("just a mail\nwith no diff\n");
	is_int(qs_diff_file_count(diff), 0, "text without a diff: no files");
	qs_diff_free(diff);
}

static void test_path_strip(void)
{
	is_str(qs_path_strip("a/b/c", 0), "a/b/c", "-p0 keeps all");
	is_str(qs_path_strip("a/b/c", 1), "b/c", "-p1");
	is_str(qs_path_strip("a//b/c", 2), "c", "a slash run counts once");
	is_str(qs_path_strip("/a/b", 1), "a/b", "a leading slash is a component");
	ok(qs_path_strip("a/b", 2) == NULL, "too few components");
	ok(qs_path_strip("a/", 1) == NULL, "nothing left after the strip");
	is_str(qs_path_strip("a/b/c", -1), "c", "negative keeps the base name");
	ok(qs_path_strip("", 0) == NULL, "empty name");
	ok(qs_path_strip(NULL, 0) == NULL, "NULL name");
}

static void test_unified(void)
{
	const char *text =
		"From: x\n\nSubject\n---\n stat | 1 +\n\n"
		"diff -puN a/x.c~fix a/x.c\n"
		"--- a/x.c~fix\n"
		"+++ a/x.c\n"
		"@@ -1,3 +1,3 @@ int f(void)\n"
		" a\n"
		"\n"
		"-b\n"
		"+B\n"
		"@@ -10 +10,0 @@\n"
		"-gone\n"
		"_\n";
	qs_diff *diff = parse(text);
	const qs_diff_file *f = qs_diff_file_byindex(diff, 0);
	const qs_hunk *h = qs_diff_file_hunk_byindex(f, 0);

	is_int(qs_diff_file_count(diff), 1, "akpm: one file");
	is_str(qs_diff_file_old_path(f), "a/x.c", "akpm: ~suffix dropped from the old name");
	is_str(qs_diff_file_new_path(f), "a/x.c", "akpm: new name");
	is_int(qs_diff_file_op(f), QS_DIFF_MODIFIED, "akpm: modified");
	is_int(qs_diff_file_is_git(f), 0, "akpm: not git");
	is_int(qs_diff_file_line(f), 8, "akpm: file starts at ---");
	is_int(qs_diff_file_hunk_count(f), 2, "two hunks");
	is_str(qs_hunk_section(h), "int f(void)", "section");
	is_int(qs_hunk_line(h), 10, "hunk line");
	is_int(qs_hunk_line_count(h), 4, "four lines");
	ok(content_is(line_of(diff, 0, 0, 1), ' ', ""), "bare newline is empty context");
	ok(content_is(line_of(diff, 0, 0, 3), '+', "B"), "added line");
	ok(line_of(diff, 0, 0, 4) == NULL, "line out of range");
	h = qs_diff_file_hunk_byindex(f, 1);
	is_int(qs_hunk_old_start(h), 10, "omitted count: start");
	is_int(qs_hunk_old_lines(h), 1, "omitted count means 1");
	is_int(qs_hunk_new_lines(h), 0, "explicit 0");
	is_str(qs_hunk_section(h), "", "no section");
	ok(qs_diff_file_hunk_byindex(f, 2) == NULL, "hunk out of range");
	qs_diff_free(diff);
}

static void test_no_newline_crlf(void)
{
	const char *text =
		"--- a/n\n+++ b/n\n@@ -1,2 +1,2 @@\n k\r\n-o\n\\ No newline at end of file\n"
		"+n\n\\ No newline at end of file\n";
	qs_diff *diff = parse(text);
	const qs_diff_line *l;

	l = line_of(diff, 0, 0, 0);
	ok(content_is(l, ' ', "k\r") && !l->no_newline, "CR kept in content");
	l = line_of(diff, 0, 0, 1);
	ok(content_is(l, '-', "o") && l->no_newline, "old side has no newline");
	l = line_of(diff, 0, 0, 2);
	ok(content_is(l, '+', "n") && l->no_newline, "new side has no newline");
	is_int(qs_diff_file_strips_cr(qs_diff_file_byindex(diff, 0)), 0, "LF headers: no CR strip");
	qs_diff_free(diff);

	diff = parse("--- a/n\r\n+++ b/n\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n");
	is_int(qs_diff_file_strips_cr(qs_diff_file_byindex(diff, 0)), 1, "CRLF headers: GNU patch strips CRs");
	ok(content_is(line_of(diff, 0, 0, 0), '-', "a\r"), "content keeps its bytes");
	qs_diff_free(diff);
}

static void test_git(void)
{
	const char *text =
		"diff --git a/old name.c b/new name.c\n"
		"old mode 100644\n"
		"new mode 100755\n"
		"similarity index 88%\n"
		"rename from old name.c\n"
		"rename to new name.c\n"
		"index 1234567..89abcde\n"
		"diff --git \"a/caf\\303\\251\" \"b/caf\\303\\251\"\n"
		"deleted file mode 120000\n"
		"index 1234567..0000000\n"
		"--- \"a/caf\\303\\251\"\n"
		"+++ /dev/null\n"
		"@@ -1 +0,0 @@\n"
		"-target\n"
		"\\ No newline at end of file\n"
		"diff --git a/bin b/bin\n"
		"index 1111111..2222222 100644\n"
		"Binary files a/bin and b/bin differ\n"
		"-- \n2.39.0\n";
	qs_diff *diff = parse(text);
	const qs_diff_file *f = qs_diff_file_byindex(diff, 0);
	const char *data = "untouched";
	size_t len = 7;

	is_int(qs_diff_file_count(diff), 3, "git: three files");
	is_int(qs_diff_file_op(f), QS_DIFF_RENAMED, "rename");
	is_str(qs_diff_file_old_path(f), "a/old name.c", "rename: old name with a space");
	is_str(qs_diff_file_new_path(f), "b/new name.c", "rename: new name with a space");
	is_int(qs_diff_file_old_mode(f), 0100644, "old mode");
	is_int(qs_diff_file_new_mode(f), 0100755, "new mode");
	is_int(qs_diff_file_similarity(f), 88, "similarity");
	is_str(qs_diff_file_old_id(f), "1234567", "old id");
	is_str(qs_diff_file_new_id(f), "89abcde", "new id");
	is_int(qs_diff_file_hunk_count(f), 0, "pure rename: no hunk");
	is_int(qs_diff_file_binary(&data, &len, f, 0), QS_BINARY_NONE, "text diff");
	ok(len == 7 && !strcmp(data, "untouched"), "NONE leaves the out-parameters alone");

	f = qs_diff_file_byindex(diff, 1);
	is_int(qs_diff_file_op(f), QS_DIFF_DELETED, "delete");
	is_str(qs_diff_file_old_path(f), "a/caf\303\251", "quoted name decoded");
	ok(qs_diff_file_new_path(f) == NULL, "deleted: no new name");
	is_int(qs_diff_file_old_mode(f), 0120000, "symlink mode");
	ok(line_of(diff, 1, 0, 0)->no_newline, "symlink target has no newline");

	f = qs_diff_file_byindex(diff, 2);
	is_int(qs_diff_file_binary(&data, &len, f, 0), QS_BINARY_NODATA, "Binary files ... differ");
	ok(data == NULL && len == 0, "no data");
	is_int(qs_diff_file_old_mode(f), 0100644, "index line mode");
	qs_diff_free(diff);
}

static void test_binary(void)
{
	/* "hello\n", zlib-deflated and base85-encoded by git */
	const char *text =
		"diff --git a/h b/h\n"
		"new file mode 100644\n"
		"index 0000000000000000000000000000000000000000..ce013625030ba8dba906f756967f9e9ca394464a\n"
		"GIT binary patch\n"
		"literal 6\n"
		"Ncmc~u&B@8<0ssh00v`YX\n"
		"\n"
		"literal 0\n"
		"HcmV?d00001\n"
		"\n";
	qs_diff *diff = parse(text);
	const qs_diff_file *f = qs_diff_file_byindex(diff, 0);
	const char *data = NULL;
	size_t len = 0;

	is_int(qs_diff_file_binary(&data, &len, f, 0), QS_BINARY_LITERAL, "literal");
	ok(len == 6 && data && !memcmp(data, "hello\n", 6), "literal decodes to its content");
	is_int(qs_diff_file_binary(&data, &len, f, 1), QS_BINARY_LITERAL, "reverse literal");
	is_int(len, 0, "reverse is empty");
	is_int(qs_diff_file_op(f), QS_DIFF_ADDED, "binary new file");
	qs_diff_free(diff);
}

static void expect_error(const char *text, size_t first_line, size_t line,
			 const char *what)
{
	qs_diff_options opts = QS_DIFF_OPTIONS_INIT;
	qs_diff *diff = NULL;
	int ret;

	opts.path = "p.patch";
	opts.first_line = first_line;
	ret = qs_diff_parse(&diff, text, strlen(text), &opts);
	is_int(ret, QS_EPARSE, "%s: QS_EPARSE", what);
	is_str(qs_error_last()->path, "p.patch", "%s: path", what);
	is_int(qs_error_last()->line, line, "%s: line", what);
	ok(diff == NULL, "%s: no diff", what);
}

static void test_errors(void)
{
	expect_error("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\nxx\n", 1, 5,
		     "malformed hunk line");
	expect_error("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\nxx\n", 20, 24,
		     "first_line offsets the location");
	expect_error("--- a/f\n+++ b/f\n@@ -a +1 @@\n", 1, 3, "bad number");
	expect_error("--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n", 1, 3, "hunk cut short");
	expect_error("diff --git a/b b/b\nindex 1..2\nGIT binary patch\nliteral 6\n"
		     "Ncmc~v&B@8<0ssh00v`YX\n\n", 1, 4, "bad zlib data");
	expect_error("diff --git a/b b/b\nindex 1..2\nGIT binary patch\nliteral 6\n"
		     "Ncmc~u&B@8<0ssh00v`Y\n\n", 1, 5, "short binary line");
}

static int exists_in(void *payload, const char *path)
{
	const char *const *p;

	for (p = payload; *p; p++)
		if (!strcmp(*p, path))
			return 1;
	return 0;
}

static void test_target(void)
{
	static const char *tree[] = { "mm", "mm/x.c", NULL };
	static const char *empty[] = { NULL };
	qs_diff *diff = parse(
		"--- a/mm/x.c~fix\n+++ a/mm/x.c\n@@ -1 +1 @@\n-a\n+b\n"
		"--- /dev/null\n+++ a/mm/new.c\n@@ -0,0 +1 @@\n+n\n"
		"diff --git a/mm/x.c b/mm/y.c\nsimilarity index 100%\n"
		"rename from mm/x.c\nrename to mm/y.c\n");
	const char *t = NULL;

	is_int(qs_diff_file_target(&t, qs_diff_file_byindex(diff, 0), 1,
				   exists_in, tree), 0, "akpm target found");
	is_str(t, "mm/x.c", "akpm: the existing name, not x.c~fix");
	is_int(qs_diff_file_target(&t, qs_diff_file_byindex(diff, 1), 1,
				   exists_in, tree), 0, "new file target");
	is_str(t, "mm/new.c", "new file");
	is_int(qs_diff_file_target(&t, qs_diff_file_byindex(diff, 2), 1,
				   exists_in, tree), 0, "rename target");
	is_str(t, "mm/x.c", "rename reads the old name");
	is_int(qs_diff_file_target(&t, qs_diff_file_byindex(diff, 0), 1,
				   exists_in, empty), QS_ENOTFOUND, "missing file");
	is_int(qs_diff_file_target(&t, qs_diff_file_byindex(diff, 0), 3,
				   exists_in, tree), QS_ENOTFOUND, "strip too deep");
	qs_diff_free(diff);
}

static void test_garbage_rules(void)
{
	/* the counts end the hunk; the rest is text until the next header */
	qs_diff *diff = parse(
		"--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.0\n"
		"# comment\n"
		"--- a/g\n+++ b/g\n@@ -1,2 +1,2 @@\n-x\n# skipped comment\n+y\n z"  /* no final newline */);

	is_int(qs_diff_file_count(diff), 2, "two files around a signature");
	/* the last line has no newline: GNU patch ignores it, then assumes a chopped blank */
	ok(content_is(line_of(diff, 1, 0, 2), ' ', ""), "chopped last line is an empty context line");
	qs_diff_free(diff);

	diff = parse("    --- a/f\n    +++ b/f\n    @@ -1 +1 @@\n    -a\n    +b\n");
	is_int(qs_diff_file_hunk_count(qs_diff_file_byindex(diff, 0)), 1, "indented patch");
	ok(content_is(line_of(diff, 0, 0, 0), '-', "a"), "indentation is removed");
	qs_diff_free(diff);
}

/* How GNU patch cuts a patch into file diffs and hunks */
static void test_sections(void)
{
	qs_diff *diff;
	const qs_diff_file *f;

	/* X16: after a hunk, a non-"@@" line ends the file diff */
	diff = parse("--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n l2\n-l3\n+L3\n l4\n"
		     "\n@@ -10,3 +10,3 @@\n l10\n-l11\n+L11\n l12\n");
	is_int(qs_diff_file_count(diff), 1, "X16: one file diff");
	is_int(qs_diff_file_hunk_count(qs_diff_file_byindex(diff, 0)), 1,
	       "X16: the hunk after an empty line is dropped");
	qs_diff_free(diff);
	diff = parse("--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n l2\n-l3\n+L3\n l4\n"
		     "# note\n@@ -10,3 +10,3 @@\n l10\n-l11\n+L11\n l12\n");
	is_int(qs_diff_file_hunk_count(qs_diff_file_byindex(diff, 0)), 2,
	       "X16: a '#' line does not end the file diff");
	qs_diff_free(diff);

	/* X8: counts too large eat the next header */
	diff = parse("--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n"
		     "--- a/g\n+++ b/g\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	is_int(qs_diff_file_count(diff), 1, "X8: one file diff");
	f = qs_diff_file_byindex(diff, 0);
	is_int(qs_diff_file_hunk_count(f), 2, "X8: g's hunk belongs to f");
	ok(content_is(line_of(diff, 0, 0, 4), '-', "-- a/g"),
	   "X8: the --- line is a removed line");
	qs_diff_free(diff);

	/* a ---/+++ pair without a hunk is text */
	diff = parse("--- a/x\n+++ b/x\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
		     "--- a/y\n+++ b/y\n");
	is_int(qs_diff_file_count(diff), 1, "pairs without hunks are skipped");
	is_str(qs_diff_file_new_path(qs_diff_file_byindex(diff, 0)), "b/f",
	       "the real diff keeps its names");
	is_int(qs_diff_file_line(qs_diff_file_byindex(diff, 0)), 3,
	       "the real diff starts at its own header");
	qs_diff_free(diff);
	diff = parse("text\n--- a/f\n+++ b/f\n");
	is_int(qs_diff_file_count(diff), 0, "a lone pair: no diff at all");
	qs_diff_free(diff);

	/* X6: a hunk with context lines only is malformed */
	expect_error("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n b\n", 1, 3,
		     "context-only hunk");
	expect_error("--- a/f\n+++ b/f\n@@ -1,0 +1,0 @@\n", 1, 3, "empty hunk");
}

/* GNU patch's p_says_nonexistent[] */
static void test_states(void)
{
	static const struct {
		const char *patch;
		int strip;
		qs_file_state old, new;
		const char *what;
	} t[] = {
		{ "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n", 1,
		  QS_FILE_EXISTS, QS_FILE_EXISTS, "a modification" },
		{ "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_EMPTY, QS_FILE_EXISTS, "N7: -0 without a date is empty" },
		{ "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_NONEXISTENT, QS_FILE_EXISTS, "/dev/null is nonexistent" },
		{ "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", 1,
		  QS_FILE_EXISTS, QS_FILE_NONEXISTENT, "a deletion" },
		{ "--- a/f\t1970-01-01 01:00:00 +0100\n+++ b/f\t2020-01-01 10:00:00 +0000\n"
		  "@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_NONEXISTENT, QS_FILE_EXISTS, "N8: an epoch date" },
		{ "--- a/f\t2020-01-01 10:00:00 +0000\n+++ b/f\t2020-01-01 10:00:00 +0000\n"
		  "@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_EMPTY, QS_FILE_EXISTS, "another date" },
		{ "--- f\t1970-01-01 00:00:00 +0000\n+++ f\n@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_EMPTY, QS_FILE_EXISTS, "-p drops the name and its date" },
		{ "--- f\t1970-01-01 00:00:00 +0000\n+++ f\n@@ -0,0 +1 @@\n+b\n", 0,
		  QS_FILE_NONEXISTENT, QS_FILE_EXISTS, "-p0 keeps them" },
		{ "diff --git a/f b/f\nnew file mode 100644\nindex 0000000..e69de29\n", 1,
		  QS_FILE_NONEXISTENT, QS_FILE_EMPTY, "git: new empty file" },
		{ "diff --git a/f b/f\nindex e69de29..1234567 100644\n--- a/f\n+++ b/f\n"
		  "@@ -0,0 +1 @@\n+b\n", 1,
		  QS_FILE_EMPTY, QS_FILE_EXISTS, "git: the empty blob" },
		{ "diff --git a/f b/f\ndeleted file mode 100644\nindex 1234567..0000000\n"
		  "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", 1,
		  QS_FILE_EXISTS, QS_FILE_NONEXISTENT, "git: deleted file" },
	};

	for (size_t i = 0; i < QS_ARRAY_SIZE(t); i++) {
		qs_diff *diff = parse(t[i].patch);
		const qs_diff_file *f = qs_diff_file_byindex(diff, 0);

		is_int(qs_diff_file_old_state(f, t[i].strip), t[i].old,
		       "%s: old side", t[i].what);
		is_int(qs_diff_file_new_state(f, t[i].strip), t[i].new,
		       "%s: new side", t[i].what);
		qs_diff_free(diff);
	}
	is_int(qs_diff_file_old_state(NULL, 1), QS_FILE_EXISTS, "NULL file");
}

int main(void)
{
	test_api_edges();
	test_path_strip();
	test_unified();
	test_no_newline_crlf();
	test_git();
	test_binary();
	test_errors();
	test_target();
	test_garbage_rules();
	test_sections();
	test_states();
	return done_testing();
}
