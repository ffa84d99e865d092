/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hunk engine on focused cases; t4000 compares it with GNU patch on
 * many more. Expected results here come from GNU patch 2.7.6 (the
 * experiments of notes/gnu-patch-semantics.md).
 */
#include "internal.h"
#include "hunk.h"
#include "tap.h"

#define H "--- a/f\n+++ b/f\n"

struct run {
	qs_diff *diff;
	qs_buf out;
	qs__hunk_result res[8];
	int ret;
};

/* apply the first file diff of `patch` to `in` (NULL: no file) */
static int run(struct run *r, const char *patch, const char *in,
	       const qs__hunk_options *opts)
{
	const qs_diff_file *f;

	memset(r, 0, sizeof(*r));
	qs_buf_init(&r->out);
	if (qs_diff_parse(&r->diff, patch, strlen(patch), NULL) < 0 ||
	    !(f = qs_diff_file_byindex(r->diff, 0)) ||
	    qs_diff_file_hunk_count(f) > QS_ARRAY_SIZE(r->res)) {
		tap_diag("bad test patch: %s", qs_error_last()->message);
		return r->ret = QS_ERROR;
	}
	r->ret = qs__apply_hunks(&r->out, in, in ? strlen(in) : 0, f, opts,
				 r->res);
	return r->ret;
}

static void done(struct run *r)
{
	qs_diff_free(r->diff);
	qs_buf_release(&r->out);
}

/* apply with default options and check the output */
static void check(const char *what, const char *patch, const char *in,
		  int want_ret, const char *want)
{
	struct run r;

	is_int(run(&r, patch, in, NULL), want_ret, "%s: status", what);
	is_str(r.out.ptr, want, "%s: output", what);
	done(&r);
}

static void test_api_edges(void)
{
	qs_buf out = QS_BUF_INIT;
	qs__hunk_result res[1];
	struct run r;
	qs_diff *diff = NULL;
	const char *git = "diff --git a/f b/f\nold mode 100644\nnew mode 100755\n";
	const char *one = H "@@ -1 +1 @@\n-a\n+b\n";

	is_int(qs__apply_hunks(NULL, "", 0, NULL, NULL, res), QS_EINVAL, "NULL out");
	is_int(qs__apply_hunks(&out, "", 0, NULL, NULL, res), QS_EINVAL, "NULL file");
	ok(strstr(qs_error_last()->message, "qs__apply_hunks") != NULL,
	   "the message names the function");

	/* a file diff without hunks: the input comes back unchanged */
	if (qs_diff_parse(&diff, git, strlen(git), NULL) == 0) {
		const qs_diff_file *f = qs_diff_file_byindex(diff, 0);

		is_int(qs__apply_hunks(&out, "a\nb", 3, f, NULL, NULL), 0,
		       "no hunks, no results array");
		is_str(out.ptr, "a\nb", "no hunks: input copied");
		qs_buf_clear(&out);
		is_int(qs__apply_hunks(&out, NULL, 0, f, NULL, NULL), 0,
		       "no hunks, no input");
		is_int(out.len, 0, "no hunks, no input: empty output");
		is_int(qs__apply_hunks(&out, NULL, 4, f, NULL, NULL), QS_EINVAL,
		       "NULL input with a length");
	} else {
		ok(0, "git mode change parses");
	}
	qs_diff_free(diff);

	if (qs_diff_parse(&diff, one, strlen(one), NULL) == 0)
		is_int(qs__apply_hunks(&out, "a\n", 2,
				       qs_diff_file_byindex(diff, 0), NULL, NULL),
		       QS_EINVAL, "hunks but no results array");
	qs_diff_free(diff);
	qs_buf_release(&out);

	/* the output is appended */
	memset(&r, 0, sizeof(r));
	if (qs_diff_parse(&r.diff, one, strlen(one), NULL) == 0) {
		qs_buf_init(&r.out);
		qs_buf_adds(&r.out, "kept:");
		is_int(qs__apply_hunks(&r.out, "a\n", 2,
				       qs_diff_file_byindex(r.diff, 0), NULL,
				       r.res), 0, "append: status");
		is_str(r.out.ptr, "kept:b\n", "append: earlier content kept");
	}
	done(&r);

	/* a missing input is an empty one */
	check("creation from nothing", "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n",
	      NULL, 0, "a\nb\n");
}

static void test_locate(void)
{
	struct run r;
	qs__hunk_options o = { 0, 2, 0 };

	check("exact", H "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", "a\nb\nc\n", 0,
	      "a\nB\nc\n");

	/* F1: +k before -k */
	run(&r, H "@@ -3,3 +3,3 @@\n a\n-X\n+Y\n b\n", "a\nX\nb\nq\na\nX\nb\n", NULL);
	is_str(r.out.ptr, "a\nX\nb\nq\na\nY\nb\n", "F1: forward offset wins");
	is_int(r.res[0].offset, 2, "F1: offset");
	is_int(r.res[0].new_line, 5, "F1: landed line");
	is_int(r.res[0].old_line, 3, "F1: stated line");
	is_int(r.res[0].fuzz, 0, "F1: no fuzz");
	done(&r);

	/* F3: fuzz is the outer loop */
	run(&r, H "@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n",
	    "x\nb\nc\nd\ne\np\na\nb\nc\nd\ne\n", NULL);
	is_str(r.out.ptr, "x\nb\nc\nd\ne\np\na\nb\nC\nd\ne\n",
	       "F3: exact match far away beats fuzz in place");
	done(&r);

	/* F4: fuzz 1 and 2, then failure */
	run(&r, H "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n",
	    "A\nB\nc\nd\ne\nf\ng\n", NULL);
	is_int(r.res[0].fuzz, 2, "F4: fuzz 2");
	is_str(r.out.ptr, "A\nB\nc\nD\ne\nf\ng\n", "F4: fuzzed lines keep the file's text");
	done(&r);
	o.max_fuzz = 1;
	run(&r, H "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n",
	    "A\nB\nc\nd\ne\nf\ng\n", &o);
	is_int(r.ret, QS_EAPPLY, "F4: -F1 fails");
	ok(!r.res[0].applied && r.res[0].reason, "F4: failed with a reason");
	is_int(r.res[0].new_line, 1, "F4: failed at the stated line");
	ok(strstr(qs_error_last()->message, "1 out of 1 hunks failed") != NULL,
	   "F4: the error counts failed hunks");
	is_str(r.out.ptr, "A\nB\nc\nd\ne\nf\ng\n", "F4: input kept");
	done(&r);
	o.max_fuzz = -3;
	run(&r, H "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", "A\nb\nc\n", &o);
	is_int(r.ret, QS_EAPPLY, "negative fuzz counts as 0");
	done(&r);

	/* F5: anchored at the start; F7: at the end */
	check("F5 anchored start", H "@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n",
	      "x\na\nb\nc\nd\n", QS_EAPPLY, "x\na\nb\nc\nd\n");
	check("F7 anchored end", H "@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n",
	      "y\ny\ny\ny\na\nb\nc\nd\ne\n", 0, "y\ny\ny\ny\na\nb\nc\nd\ne\nf\n");

	/* F10: zero-context insertion past the end appends */
	check("F10 append past EOF", H "@@ -2,0 +3 @@\n+INS\n@@ -100,0 +102 @@\n+END\n",
	      "a\nb\nc\n", 0, "a\nb\nINS\nc\nEND\n");

	/* F11: the next hunk may not reuse changed lines */
	run(&r, H "@@ -1,3 +1,3 @@\n l1\n-l2\n+L2\n l3\n@@ -2 +2 @@\n-l2\n+X\n",
	    "l1\nl2\nl3\nl4\n", NULL);
	is_int(r.ret, QS_EAPPLY, "F11: misordered");
	ok(r.res[0].applied && !r.res[1].applied, "F11: first applied, second failed");
	ok(r.res[1].reason && strstr(r.res[1].reason, "misordered"), "F11: reason");
	is_str(r.out.ptr, "l1\nL2\nl3\nl4\n", "F11: output has the first hunk");
	done(&r);

	/* F16: a first guess inside the previous hunk still matches */
	check("F16", H "@@ -4,3 +4,3 @@\n l4\n-l5\n+L5\n l6\n"
	      "@@ -3,7 +3,7 @@\n l3\n l4\n l5\n-l6\n+L6\n l7\n l8\n l9\n",
	      "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n", 0,
	      "l1\nl2\nl3\nl4\nL5\nL6\nl7\nl8\nl9\nl10\n");

	/* F14 and F18: offsets follow located hunks, lines count growth */
	run(&r, H "@@ -2,3 +2,5 @@\n l2\n+n1\n+n2\n l3\n l4\n@@ -20,3 +22,3 @@\n l20\n-l21\n+L21\n l22\n",
	    "l1\nl2\nl3\nl4\nl5\nextra\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\n"
	    "l15\nl16\nl17\nl18\nl19\nl20\nl21\nl22\n", NULL);
	is_int(r.res[1].offset, 1, "F18: offset");
	is_int(r.res[1].new_line, 23, "F18: landed line counts earlier growth");
	done(&r);
}

static void test_lines(void)
{
	struct run r;
	qs__hunk_options rev = { 1, 2, 0 }, create = { 0, 2, 1 };

	/* W5, W6: missing newlines */
	check("W5 add newline", H "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
	      "a\nb", 0, "a\nb\n");
	check("W5 remove newline", H "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
	      "a\nb\n", 0, "a\nb");
	check("W6 newline supplied before appended lines", H "@@ -1,2 +1,3 @@\n a\n b\n+c\n",
	      "a\nb", 0, "a\nb\nc\n");
	check("context without newline on the old side only",
	      H "@@ -1,2 +1,3 @@\n a\n b\n\\ No newline at end of file\n+c\n",
	      "a\nb", 0, "a\nb\nc\n");

	/* W1-W4: CRs */
	check("W1 LF patch, CRLF file", H "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
	      "a\r\nb\r\nc\r\n", QS_EAPPLY, "a\r\nb\r\nc\r\n");
	run(&r, H "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", "a\r\nb\r\nc\r\n", NULL);
	ok(r.res[0].reason && strstr(r.res[0].reason, "line endings"),
	   "W1: the reason names line endings");
	done(&r);
	check("W2 CRLF patch, LF file",
	      "--- a/f\r\n+++ b/f\r\n@@ -1,3 +1,3 @@\r\n a\r\n-b\r\n+B\r\n c\r\n",
	      "a\nb\nc\n", 0, "a\nB\nc\n");
	check("W3 CRLF hunk lines, CRLF file",
	      H "@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n",
	      "a\r\nb\r\nc\r\n", 0, "a\r\nB\r\nc\r\n");

	/* W8, W10 */
	check("W8 lost leading space", H "@@ -1,4 +1,4 @@\n\n-b\n+B\n\tt\n c\n",
	      "\nb\n\tt\nc\n", 0, "\nB\n\tt\nc\n");

	/* -R swaps starts, counts and sides */
	run(&r, H "@@ -1,3 +1,4 @@\n a\n+X\n b\n c\n", "q\na\nX\nb\nc\n", &rev);
	is_int(r.ret, 0, "-R: applies");
	is_str(r.out.ptr, "q\na\nb\nc\n", "-R: the added line is removed");
	is_int(r.res[0].old_line, 1, "-R: stated line from the new side");
	is_int(r.res[0].offset, 1, "-R: offset");
	done(&r);
	run(&r, H "@@ -2,0 +3 @@\n+z\n", "a\nb\nz\n", &rev);
	is_str(r.out.ptr, "a\nb\n", "-R of an insertion deletes");
	done(&r);

	/* N6: a creation landing on line 1 of a non-empty file fails */
	run(&r, "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n", "old\n", &create);
	is_int(r.ret, QS_EAPPLY, "N6: creating over a file fails");
	ok(r.res[0].reason && strstr(r.res[0].reason, "creates"), "N6: reason");
	done(&r);
	run(&r, "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n", "", &create);
	is_int(r.ret, 0, "N6: an empty file is filled");
	is_str(r.out.ptr, "x\n", "N6: output");
	done(&r);
	check("N7: without the flag the lines are prepended",
	      H "@@ -0,0 +1 @@\n+x\n", "old\n", 0, "x\nold\n");

	/* N10: a deletion found at an offset keeps the rest */
	check("N10", "--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n",
	      "extra\na\nb\n", 0, "extra\n");

	/* NUL bytes are ordinary */
	{
		static const char patch[] = H "@@ -1,2 +1,2 @@\n \0x\n-b\n+B\n";
		static const char in[] = "\0x\nb\n";
		const qs_diff_file *f;

		memset(&r, 0, sizeof(r));
		qs_buf_init(&r.out);
		if (qs_diff_parse(&r.diff, patch, sizeof(patch) - 1, NULL) == 0 &&
		    (f = qs_diff_file_byindex(r.diff, 0))) {
			is_int(qs__apply_hunks(&r.out, in, sizeof(in) - 1, f,
					       NULL, r.res), 0, "W10: NUL bytes");
			ok(r.out.len == 5 && !memcmp(r.out.ptr, "\0x\nB\n", 5),
			   "W10: output");
		}
		done(&r);
	}
}

static void test_big(void)
{
	qs_buf in = QS_BUF_INIT, patch = QS_BUF_INIT;
	struct run r;
	int i;

	/* F15: the whole file is searched */
	for (i = 0; i < 50000; i++)
		qs_buf_adds(&in, "pad\n");
	qs_buf_adds(&in, "a\nb\nc\n");
	qs_buf_adds(&patch, H "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	run(&r, patch.ptr, in.ptr, NULL);
	is_int(r.ret, 0, "F15: found 50000 lines away");
	is_int(r.res[0].offset, 50000, "F15: offset");
	ok(r.out.len == in.len && !memcmp(r.out.ptr + in.len - 6, "a\nB\nc\n", 6),
	   "F15: output");
	done(&r);

	/* a failing hunk in the same file searches all of it, three times */
	qs_buf_clear(&patch);
	qs_buf_adds(&patch, H "@@ -100,7 +100,7 @@\n pad\n pad\n pad\n-nope\n+x\n pad\n pad\n pad\n");
	run(&r, patch.ptr, in.ptr, NULL);
	is_int(r.ret, QS_EAPPLY, "failing hunk in a big file");
	ok(r.out.len == in.len && !memcmp(r.out.ptr, in.ptr, in.len),
	   "failing hunk: input kept");
	done(&r);
	qs_buf_release(&in);
	qs_buf_release(&patch);
}

int main(void)
{
	test_api_edges();
	test_locate();
	test_lines();
	test_big();
	return done_testing();
}
