/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The series file API: argument checks, quilt's line syntax, akpm's
 * conventions, configurable section patterns, the name index and every
 * error message with its line. The comparison with quilt itself and the
 * real akpm queue are in t1000-series-parse.sh.
 */
#include "internal.h"
#include "tap.h"

#include <unistd.h>

static qs_series *parse_opts(const char *text, const qs_series_options *opts)
{
	qs_series *s = NULL;

	if (qs_series_parse(&s, text, strlen(text), "patches/series", opts) < 0)
		return NULL;
	return s;
}

static qs_series *parse(const char *text)
{
	return parse_opts(text, NULL);
}

/* The parse fails with `code`, `message`, and the line in the record. */
static void fails_opts(const char *text, const qs_series_options *opts,
		       int code, const char *message, size_t line)
{
	qs_series *s = NULL;
	int ret = qs_series_parse(&s, text, strlen(text), "patches/series", opts);

	is_int(ret, code, "fails: %s", message);
	ok(s == NULL, "no series on failure");
	is_str(qs_error_last()->message, message, "message");
	is_int(qs_error_last()->line, line, "error line %zu", line);
	qs_series_free(s);
}

static void fails(const char *text, const char *message, size_t line)
{
	fails_opts(text, NULL, QS_EPARSE, message, line);
}

static const char *note(const qs_series *s, const char *name, size_t i)
{
	return qs_entry_note_byindex(qs_series_entry_byname(s, name), i);
}

static void test_arguments(void)
{
	qs_series_options bad = QS_SERIES_OPTIONS_INIT;
	qs_series *s = (qs_series *)1;

	is_int(qs_series_parse(NULL, "x", 1, NULL, NULL), QS_EINVAL, "out NULL");
	is_int(qs_series_parse(&s, NULL, 3, NULL, NULL), QS_EINVAL, "buf NULL with a length");
	ok(s == NULL, "out cleared on failure");
	is_int(qs_series_parse(&s, NULL, 0, NULL, NULL), 0, "buf NULL, length 0: empty");
	is_int(qs_series_entry_count(s), 0, "no entries");
	is_int(qs_series_section_count(s), 1, "one implicit section");
	is_str(qs_section_name(qs_series_section_byindex(s, 0)), "default", "named default");
	is_int(qs_section_first_line(qs_series_section_byindex(s, 0)), 1, "first line 1");
	is_int(qs_section_last_line(qs_series_section_byindex(s, 0)), 1, "last line 1");
	ok(qs_series_path(s) == NULL, "no path");
	ok(qs_series_entry_byname(s, "x") == NULL, "byname on empty series");
	qs_series_free(s);

	bad.version = 3;
	is_int(qs_series_parse(&s, "a\n", 2, NULL, &bad), QS_EINVAL, "options version 3");
	is_str(qs_error_last()->message, "unsupported qs_series_options version 3",
	       "version message");
	bad.version = 0;
	is_int(qs_series_parse(&s, "a\n", 2, NULL, &bad), QS_EINVAL, "options version 0");
	bad.version = QS_SERIES_OPTIONS_VERSION;
	bad.convention = (qs_series_convention)7;
	is_int(qs_series_parse(&s, "a\n", 2, NULL, &bad), QS_EINVAL, "unknown convention");
	is_str(qs_error_last()->message, "unknown series convention 7",
	       "convention message");
	/* version 1 has no convention: whatever follows is not read */
	bad.version = 1;
	is_int(qs_series_parse(&s, "#BRANCH a\n#ENDBRANCH a\n", 22, NULL, &bad), 0,
	       "options version 1");
	is_str(qs_section_name(qs_series_section_byindex(s, 0)), "a",
	       "version 1 reads #BRANCH");
	qs_series_free(s);
	bad.version = QS_SERIES_OPTIONS_VERSION;
	bad.convention = QS_SERIES_BRANCH;
	bad.section_start = "^#S (\\S+)";
	is_int(qs_series_parse(&s, "a\n", 2, NULL, &bad), QS_EINVAL, "start without end");
	is_str(qs_error_last()->message,
	       "section_start and section_end must be set together", "pair message");

	is_int(qs_series_load(NULL, "x", NULL), QS_EINVAL, "load: out NULL");
	is_int(qs_series_load(&s, NULL, NULL), QS_EINVAL, "load: path NULL");
	is_int(qs_series_load(&s, "/nonexistent/series", NULL), QS_ENOTFOUND,
	       "load: missing file");
	ok(s == NULL, "load: out cleared");

	/* accessors are NULL-safe */
	qs_series_free(NULL);
	ok(qs_series_path(NULL) == NULL, "path(NULL)");
	is_int(qs_series_entry_count(NULL), 0, "entry_count(NULL)");
	ok(qs_series_entry_byindex(NULL, 0) == NULL, "entry_byindex(NULL)");
	ok(qs_series_entry_byname(NULL, "a") == NULL, "entry_byname(NULL)");
	is_int(qs_series_section_count(NULL), 0, "section_count(NULL)");
	ok(qs_series_section_byindex(NULL, 0) == NULL, "section_byindex(NULL)");
	ok(qs_series_section_byname(NULL, "a") == NULL, "section_byname(NULL)");
	ok(qs_section_name(NULL) == NULL, "section_name(NULL)");
	is_int(qs_section_entry_count(NULL), 0, "section_entry_count(NULL)");
	ok(qs_section_entry_byindex(NULL, 0) == NULL, "section_entry_byindex(NULL)");
	ok(qs_entry_name(NULL) == NULL, "entry_name(NULL)");
	ok(qs_entry_options(NULL) == NULL, "entry_options(NULL)");
	is_int(qs_entry_note_count(NULL), 0, "note_count(NULL)");
	ok(qs_entry_note_byindex(NULL, 0) == NULL, "note_byindex(NULL)");
	is_int(qs_entry_starts_group(NULL), 0, "starts_group(NULL)");
}

static void test_quilt_syntax(void)
{
	const qs_series_entry *e;
	qs_series *s = parse(
		"# a comment\n"
		"a.patch\n"
		"\n"
		"  \tb.patch -p0\n"
		"sub/dir/c.diff -p 2 -R # reversed, see below  \n"
		"d.patch.gz\t-F 3 --fuzz=2 -l -E --binary -F1 --fuzz 0\n"
		"e#1.patch #\n"
		"f.patch -R\t-p3  #comment # with #hashes\n");

	ok(s != NULL, "quilt syntax parses: %s", s ? "ok" : qs_error_last()->message);
	is_str(qs_series_path(s), "patches/series", "path kept");
	is_int(qs_series_entry_count(s), 6, "six entries");
	if (qs_series_entry_count(s) != 6)
		goto done;

	e = qs_series_entry_byindex(s, 0);
	is_str(qs_entry_name(e), "a.patch", "plain name");
	is_int(qs_entry_line(e), 2, "line 2");
	is_int(qs_entry_strip(e), 1, "-p1 by default");
	is_int(qs_entry_reverse(e), 0, "not reversed");
	is_str(qs_entry_options(e), "", "no options");
	ok(qs_entry_comment(e) == NULL, "no comment");
	is_int(qs_entry_kind_of(e), QS_ENTRY_PATCH, "active");
	is_int(qs_entry_index(e), 0, "index 0");

	e = qs_series_entry_byindex(s, 1);
	is_str(qs_entry_name(e), "b.patch", "leading blanks skipped, as cat_series does");
	is_int(qs_entry_strip(e), 0, "-p0");

	e = qs_series_entry_byindex(s, 2);
	is_str(qs_entry_name(e), "sub/dir/c.diff", "name with directories");
	is_int(qs_entry_strip(e), 2, "-p 2 in two words");
	is_int(qs_entry_reverse(e), 1, "-R");
	is_str(qs_entry_options(e), "", "-p and -R are not in options");
	is_str(qs_entry_comment(e), "reversed, see below", "trailing comment trimmed");

	e = qs_series_entry_byindex(s, 3);
	is_str(qs_entry_name(e), "d.patch.gz", "compressed name kept");
	is_str(qs_entry_options(e), "-F 3 --fuzz=2 -l -E --binary -F1 --fuzz 0",
	       "other options, single-spaced, as written");

	e = qs_series_entry_byindex(s, 4);
	is_str(qs_entry_name(e), "e#1.patch", "'#' inside a name is not a comment");
	is_str(qs_entry_comment(e), "", "empty comment");

	e = qs_series_entry_byindex(s, 5);
	is_str(qs_entry_name(e), "f.patch", "f.patch");
	is_int(qs_entry_reverse(e), 1, "f: -R");
	is_int(qs_entry_strip(e), 3, "f: -p3");
	is_str(qs_entry_comment(e), "comment # with #hashes", "f: comment to the line end");
done:
	qs_series_free(s);
}

static void test_option_errors(void)
{
	fails("a.patch -p3#x\n",
	      "patches/series:1: bad strip level '-p3#x' for entry 'a.patch'", 1);
	fails("a.patch\nb.patch -px\n",
	      "patches/series:2: bad strip level '-px' for entry 'b.patch'", 2);
	fails("a.patch -p1 -p0\n",
	      "patches/series:1: more than one -p option for entry 'a.patch'", 1);
	fails("a.patch -p\n",
	      "patches/series:1: option '-p' of entry 'a.patch' needs a number", 1);
	fails("a.patch -p # c\n",
	      "patches/series:1: option '-p' of entry 'a.patch' needs a number", 1);
	fails("a.patch -p x\n",
	      "patches/series:1: option '-p' of entry 'a.patch' needs a number, not 'x'", 1);
	fails("a.patch -F\n",
	      "patches/series:1: option '-F' of entry 'a.patch' needs a number", 1);
	fails("a.patch --fuzz -1\n",
	      "patches/series:1: option '--fuzz' of entry 'a.patch' needs a number, not '-1'", 1);
	fails("a.patch -p99999999999\n",
	      "patches/series:1: bad strip level '-p99999999999' for entry 'a.patch'", 1);
	fails("a.patch --strip=0\n",
	      "patches/series:1: unsupported patch option '--strip=0' for entry 'a.patch': "
	      "quilt overrides it with -p1, write -pN", 1);
	fails("a.patch --reverse\n",
	      "patches/series:1: unsupported patch option '--reverse' for entry 'a.patch': write -R", 1);
	fails("a.patch -Rp0\n",
	      "patches/series:1: unsupported patch option '-Rp0' for entry 'a.patch'", 1);
	fails("a.patch --fuzz=x\n",
	      "patches/series:1: unsupported patch option '--fuzz=x' for entry 'a.patch'", 1);
	fails("a.patch -N\n",
	      "patches/series:1: unsupported patch option '-N' for entry 'a.patch'", 1);
	fails("a.patch b.patch\n",
	      "patches/series:1: stray argument 'b.patch' after entry 'a.patch'", 1);
	fails("a\\tb.patch\n",
	      "patches/series:1: quilt cannot read the options of entry 'a\\tb.patch': "
	      "its name holds a quote or backslash", 1);
	fails("a\"b.patch -p0\n",
	      "patches/series:1: quilt cannot read the options of entry 'a\"b.patch': "
	      "its name holds a quote or backslash", 1);
	fails("##x.patch -Q\n",
	      "patches/series:1: unsupported patch option '-Q' for entry 'x.patch'", 1);
}

static void test_line_errors(void)
{
	qs_series *s = NULL;

	fails("a.patch\n  # note\n",
	      "patches/series:2: indented comment: quilt reads it as patch '#'", 2);
	fails("\t#b.patch -p0\n",
	      "patches/series:1: indented comment: quilt reads it as patch '#b.patch'", 1);
	fails("a.patch\r\n",
	      "patches/series:1: carriage return in entry line (CRLF line ends?)", 1);
	fails("a.patch\n\r\n",
	      "patches/series:2: carriage return in entry line (CRLF line ends?)", 2);
	{
		static const char nul[] = "a.patch\nb\0.patch\n";

		is_int(qs_series_parse(&s, nul, sizeof(nul) - 1, "patches/series", NULL),
		       QS_EPARSE, "NUL byte");
		is_str(qs_error_last()->message, "patches/series:2: NUL byte in series file",
		       "NUL message");
	}
	fails("a.patch\nb.patch\na.patch -p0\n",
	      "patches/series:3: duplicate entry 'a.patch', first on line 1", 3);
	{
		const char *ph[] = { "origin.patch", NULL };
		qs_series_options o = QS_SERIES_OPTIONS_INIT;

		o.placeholders = ph;
		fails_opts("origin.patch\na.patch\norigin.patch\n", &o, QS_EPARSE,
			   "patches/series:3: duplicate entry 'origin.patch', first on line 1", 3);
	}

	/* a comment line may hold anything quilt ignores */
	s = parse("#a\rb\n# \"\\\n");
	ok(s != NULL, "CR, quote and backslash in comments are fine");
	qs_series_free(s);

	/* without a path, messages still carry a name and the line */
	is_int(qs_series_parse(&s, "a\na\n", 4, NULL, NULL), QS_EPARSE, "no path");
	is_str(qs_error_last()->message, "series:2: duplicate entry 'a', first on line 1",
	       "no path: 'series' in the message");
	is_int(qs_error_last()->line, 2, "no path: line kept");
	is_str(qs_error_last()->path, "series", "no path: error path");
}

static void test_section_errors(void)
{
	fails("#ENDBRANCH a\n", "patches/series:1: '#ENDBRANCH a' ends no open section", 1);
	fails("#BRANCH a\nx.patch\n#ENDBRANCH b\n",
	      "patches/series:3: '#ENDBRANCH b' does not end section 'a' opened on line 1", 3);
	fails("#BRANCH a\n#BRANCH b\n",
	      "patches/series:2: '#BRANCH b' inside section 'a' opened on line 1", 2);
	fails("x.patch\n#BRANCH a\ny.patch\n",
	      "patches/series:2: section 'a' has no end marker", 2);
	fails("#BRANCH\n", "patches/series:1: section start '#BRANCH' has no name", 1);
	fails("#BRANCH a b\n", "patches/series:1: bad section name 'a b' in '#BRANCH a b'", 1);
	fails("#BRANCH a\n#ENDBRANCH a b\n",
	      "patches/series:2: bad section name 'a b' in '#ENDBRANCH a b'", 2);
	fails("#BRANCH a\n#ENDBRANCH a\n#BRANCH a\n#ENDBRANCH a\n",
	      "patches/series:3: duplicate section 'a', first on line 1", 3);
}

static void test_empty_sections(void)
{
	qs_series *s = parse("#BRANCH a\n#ENDBRANCH a\n");
	const qs_section *sec = qs_series_section_byname(s, "a");

	ok(s != NULL, "a section and no entry");
	is_int(qs_series_section_count(s), 1, "one section");
	is_int(qs_section_entry_count(sec), 0, "no entry in it");
	ok(qs_section_entry_byindex(sec, 0) == NULL, "entry_byindex: none");
	is_int(qs_section_last_line(sec), 2, "last line 2");
	qs_series_free(s);
}

static void test_patterns(void)
{
	qs_series_options o = QS_SERIES_OPTIONS_INIT;
	const qs_section *sec;
	qs_series *s;

	o.section_start = "^#NEXT_PATCHES_START\\s+(\\S+)";
	o.section_end = "^#NEXT_PATCHES_END(?:\\s+(\\S+))?";
	s = parse_opts("a.patch\n"
		       "#NEXT_PATCHES_START one\n"
		       "b.patch\n"
		       "#BRANCH not-a-marker-here\n"
		       "#NEXT_PATCHES_END\n"
		       "#NEXT_PATCHES_START two extra words ignored by this pattern\n"
		       "c.patch\n"
		       "#NEXT_PATCHES_END two\n", &o);
	ok(s != NULL, "NEXT_PATCHES convention parses");
	is_int(qs_series_section_count(s), 2, "two sections");
	sec = qs_series_section_byname(s, "one");
	is_int(qs_section_first_line(sec), 2, "one: first line");
	is_int(qs_section_last_line(sec), 5, "one: closed by an end without a name");
	is_int(qs_section_entry_count(sec), 1, "one: one entry");
	is_str(qs_entry_name(qs_section_entry_byindex(sec, 0)), "b.patch", "one: b.patch");
	ok(qs_section_entry_byindex(sec, 1) == NULL, "one: out of range");
	sec = qs_series_section_byname(s, "two");
	is_int(qs_section_last_line(sec), 8, "two: last line");
	ok(qs_entry_section(qs_series_entry_byname(s, "a.patch")) == NULL,
	   "entry before the first section: none");
	ok(qs_series_section_byname(s, "default") == NULL, "no default section");
	qs_series_free(s);

	o.section_end = "^#NEXT_PATCHES_END\\s+(\\S+)";
	fails_opts("#NEXT_PATCHES_START one\n#NEXT_PATCHES_END two\n", &o, QS_EPARSE,
		   "patches/series:2: '#NEXT_PATCHES_END two' does not end section 'one' "
		   "opened on line 1", 2);

	/* end patterns are tried first: an unanchored start matches end lines too */
	o.section_start = "BRANCH (\\S+)";
	o.section_end = "ENDBRANCH (\\S+)";
	s = parse_opts("#BRANCH a\nx.patch\n#ENDBRANCH a\n", &o);
	ok(s != NULL, "overlapping patterns: end first");
	is_int(qs_series_section_count(s), 1, "overlapping patterns: one section");
	qs_series_free(s);

	o.section_start = "^#S (\\S+";
	o.section_end = "^#E";
	fails_opts("", &o, QS_EINVAL,
		   "invalid section_start pattern '^#S (\\S+': missing closing parenthesis at offset 8",
		   0);
	o.section_start = "^#S \\S+";
	fails_opts("", &o, QS_EINVAL,
		   "section_start pattern '^#S \\S+' has no capture group for the section name", 0);
	o.section_start = "^#S (\\S+)";
	o.section_end = "^#E[";
	fails_opts("", &o, QS_EINVAL,
		   "invalid section_end pattern '^#E[': missing terminating ] for character "
		   "class at offset 4", 0);
	/* a pattern that exceeds pcre2's match limit fails the parse, naming it */
	o.section_start = "^#S (\\S+)";
	o.section_end = "^#(a|aa)+$";
	{
		qs_buf text = QS_BUF_INIT;

		qs_buf_adds(&text, "x.patch\n#");
		for (int i = 0; i < 40; i++)
			qs_buf_addch(&text, 'a');
		qs_buf_adds(&text, "b\n");
		fails_opts(text.ptr, &o, QS_EINVAL,
			   "patches/series:2: cannot match pattern '^#(a|aa)+$': match limit exceeded", 2);
		qs_buf_release(&text);
	}
}

/*
 * The older mmotm convention, on a file shaped as the March 2022 one was:
 * origin.patch commented out, entries outside every part, empty parts, a
 * name with blanks and parentheses, one destination in two far-apart
 * parts, area headers, separators and review notes inside parts.
 */
static const char mmotm[] =
	"#origin.patch\n"                                       /*  1 */
	"linux-next.patch\n"                                    /*  2 */
	"#NEXT_PATCHES_START linus\n"                           /*  3 */
	"#NEXT_PATCHES_END\n"                                   /*  4 */
	"#NEXT_PATCHES_START mainline-later (next week, approximately)\n" /* 5 */
	"#mm/slub\n"                                            /*  6 */
	"#slub-a.patch+N: acked\n"                              /*  7 */
	"slub-a.patch\n"                                        /*  8 */
	"slub-a-fix.patch\n"                                    /*  9 */
	"#\n"                                                   /* 10 */
	"slub-b.patch\n"                                        /* 11 */
	"#NEXT_PATCHES_END\n"                                   /* 12 */
	"#NEXT_PATCHES_START block\n"                           /* 13 */
	"#block\n"                                              /* 14 */
	"block-a.patch\n"                                       /* 15 */
	"#NEXT_PATCHES_END\n"                                   /* 16 */
	"mm-only.patch\n"                                       /* 17 */
	"#NEXT_PATCHES_START scsi\n"                            /* 18 */
	"scsi-a.patch\n"                                        /* 19 */
	"#NEXT_PATCHES_END\n"                                   /* 20 */
	"#NEXT_PATCHES_START block\n"                           /* 21 */
	"#block-b.patch: from the second part\n"                /* 22 */
	"block-b.patch\n"                                       /* 23 */
	"##block-c.patch\n"                                     /* 24 */
	"#NEXT_PATCHES_END block\n"                             /* 25 */
	"#NEXT_PATCHES_START security\n"                        /* 26 */
	"#NEXT_PATCHES_END\n";                                  /* 27 */

static void test_mmotm(void)
{
	qs_series_options o = QS_SERIES_OPTIONS_INIT;
	const qs_series_entry *e;
	const qs_section *sec;
	qs_series *s;

	o.convention = QS_SERIES_MMOTM;
	s = parse_opts(mmotm, &o);
	if (!ok(s != NULL, "mmotm: parses")) {
		tap_diag("%s", qs_error_last()->message);
		return;
	}
	is_int(qs_series_section_count(s), 5, "mmotm: five sections, block once");
	is_str(qs_section_name(qs_series_section_byindex(s, 0)), "linus", "mmotm: linus first");
	is_int(qs_section_entry_count(qs_series_section_byindex(s, 0)), 0, "mmotm: empty part");
	sec = qs_series_section_byindex(s, 1);
	is_str(qs_section_name(sec), "mainline-later (next week, approximately)",
	       "mmotm: the whole rest of the line names the section");
	ok(qs_series_section_byname(s, "mainline-later (next week, approximately)") == sec,
	   "mmotm: found by that name");
	ok(qs_series_section_byname(s, "mainline-later") == NULL,
	   "mmotm: and not by its first word");
	is_int(qs_section_entry_count(sec), 3, "mmotm: mainline-later holds three");
	is_str(qs_entry_area(qs_section_entry_byindex(sec, 0)), "mm/slub", "mmotm: area header");
	is_str(note(s, "slub-a-fix.patch", 0), "acked", "mmotm: +N note covers its group");
	ok(qs_entry_note_count(qs_series_entry_byname(s, "slub-b.patch")) == 0,
	   "mmotm: and stops at the separator");

	sec = qs_series_section_byname(s, "block");
	ok(sec == qs_series_section_byindex(s, 2), "mmotm: block keeps its first place");
	is_int(qs_section_first_line(sec), 13, "mmotm: block starts at its first part");
	is_int(qs_section_last_line(sec), 25, "mmotm: and ends with its last");
	is_int(qs_section_entry_count(sec), 3, "mmotm: block holds both parts' entries");
	is_str(qs_entry_name(qs_section_entry_byindex(sec, 0)), "block-a.patch",
	       "mmotm: the first part's first");
	is_str(qs_entry_name(qs_section_entry_byindex(sec, 1)), "block-b.patch",
	       "mmotm: then the second part's, in file order");
	is_str(qs_entry_name(qs_section_entry_byindex(sec, 2)), "block-c.patch",
	       "mmotm: committed entries too");
	ok(qs_section_entry_byindex(sec, 3) == NULL, "mmotm: no more");
	e = qs_series_entry_byname(s, "block-b.patch");
	ok(qs_entry_section(e) == sec, "mmotm: the second part's entry is block's");
	ok(qs_entry_area(e) == NULL, "mmotm: a new part starts without an area");
	ok(qs_entry_starts_group(e), "mmotm: and starts a group");
	is_str(note(s, "block-b.patch", 0), "from the second part", "mmotm: notes in parts");
	sec = qs_series_section_byname(s, "scsi");
	is_int(qs_section_first_line(sec), 18, "mmotm: scsi lies between block's parts");
	is_int(qs_section_entry_count(qs_series_section_byname(s, "security")), 0,
	       "mmotm: the last part is empty");

	ok(qs_series_entry_byname(s, "origin.patch") == NULL,
	   "mmotm: the commented-out origin.patch is no entry");
	ok(qs_entry_section(qs_series_entry_byname(s, "linux-next.patch")) == NULL,
	   "mmotm: an entry before every part is in none");
	ok(qs_entry_section(qs_series_entry_byname(s, "mm-only.patch")) == NULL,
	   "mmotm: an entry between parts is in none");
	qs_series_free(s);

	/* what is still wrong in a part */
	fails_opts("#NEXT_PATCHES_START a\n#NEXT_PATCHES_END b\n", &o, QS_EPARSE,
		   "patches/series:2: '#NEXT_PATCHES_END b' does not end section 'a' "
		   "opened on line 1", 2);
	fails_opts("#NEXT_PATCHES_START a\n#NEXT_PATCHES_START b\n", &o, QS_EPARSE,
		   "patches/series:2: '#NEXT_PATCHES_START b' inside section 'a' "
		   "opened on line 1", 2);
	fails_opts("#NEXT_PATCHES_START a\n#NEXT_PATCHES_END\n#NEXT_PATCHES_START a\n",
		   &o, QS_EPARSE, "patches/series:3: section 'a' has no end marker", 3);
	fails_opts("#NEXT_PATCHES_START \t\n", &o, QS_EPARSE,
		   "patches/series:1: section start '#NEXT_PATCHES_START \t' has no name", 1);
	fails_opts("#NEXT_PATCHES_END\n", &o, QS_EPARSE,
		   "patches/series:1: '#NEXT_PATCHES_END' ends no open section", 1);

	/* a file read with the other convention fails, rather than losing its sections */
	fails_opts(mmotm, NULL, QS_EPARSE,
		   "patches/series:3: '#NEXT_PATCHES_START linus' is a section marker of "
		   "the mmotm convention, not of the branch one", 3);
	fails_opts("x.patch\n#NEXT_PATCHES_END\n", NULL, QS_EPARSE,
		   "patches/series:2: '#NEXT_PATCHES_END' is a section marker of the "
		   "mmotm convention, not of the branch one", 2);
	fails_opts("#BRANCH mm-unstable\n#ENDBRANCH mm-unstable\n", &o, QS_EPARSE,
		   "patches/series:1: '#BRANCH mm-unstable' is a section marker of the "
		   "branch convention, not of the mmotm one", 1);
	fails_opts("###ENDBRANCH mm-stable\n", &o, QS_EPARSE,
		   "patches/series:1: '###ENDBRANCH mm-stable' is a section marker of the "
		   "branch convention, not of the mmotm one", 1);
	/* words that only begin like a marker are comments in either */
	s = parse_opts("#NEXT_PATCHES_STARTED\n#BRANCHES\nx.patch\n", &o);
	ok(s && qs_series_section_count(s) == 1, "mmotm: look-alikes are comments");
	qs_series_free(s);
	s = parse("#NEXT_PATCHES_ENDS\n#NEXT_PATCHES\nx.patch\n");
	ok(s && qs_series_section_count(s) == 1, "branch: look-alikes are comments");
	qs_series_free(s);

	/* patterns of one's own replace the markers, not the convention's rules */
	o.section_start = "^#S (.+)$";
	o.section_end = "^#E$";
	s = parse_opts("#S a b\nx.patch\n#E\n#S c\ny.patch\n#E\n#S a b\nz.patch\n#E\n"
		       "#NEXT_PATCHES_START not a marker here\n", &o);
	ok(s != NULL, "mmotm with patterns: parses");
	sec = qs_series_section_byname(s, "a b");
	is_int(qs_section_entry_count(sec), 2, "mmotm with patterns: a name continues");
	is_str(qs_entry_name(qs_section_entry_byindex(sec, 1)), "z.patch",
	       "mmotm with patterns: in file order");
	qs_series_free(s);
	o.convention = QS_SERIES_BRANCH;
	fails_opts("#S a\n#E\n#S a\n#E\n", &o, QS_EPARSE,
		   "patches/series:3: duplicate section 'a', first on line 1", 3);
	fails_opts("#S a b\n#E\n", &o, QS_EPARSE,
		   "patches/series:1: bad section name 'a b' in '#S a b'", 1);
}

static void test_akpm(void)
{
	const char *ph[] = { "origin.patch", "mm-stable.patch", NULL };
	qs_series_options o = QS_SERIES_OPTIONS_INIT;
	const qs_series_entry *e;
	const qs_section *sec;
	qs_series *s;

	o.placeholders = ph;
	s = parse_opts(
		"origin.patch\n"                              /* 1 */
		"#BRANCH mm-stable\n"                         /* 2 */
		"mm-stable.patch\n"                           /* 3 */
		"###mm/vmalloc\n"                             /* 4 */
		"##v1.patch\n"                                /* 5 */
		"###\n"                                       /* 6 */
		"##v2.patch\n"                                /* 7 */
		"##mm/debug\n"                                /* 8 */
		"##d1.patch\n"                                /* 9 */
		"##\n"                                        /* 10 */
		"###foo.patch\n"                              /* 11 */
		"###ENDBRANCH mm-stable\n"                    /* 12 */
		"#BRANCH mm-unstable\n"                       /* 13 */
		"#mm/gup\n"                                   /* 14 */
		"#g1.patch+N: series note\n"                  /* 15 */
		"#g1.patch: own note\n"                       /* 16 */
		"g1.patch\n"                                  /* 17 */
		"#g2.patch:   spaced note  \n"                /* 18 */
		"g2.patch\n"                                  /* 19 */
		"g3.patch\n"                                  /* 20 */
		"#\n"                                         /* 21 */
		"#h1.patch+1: two entries\n"                  /* 22 */
		"h1.patch\n"                                  /* 23 */
		"# mmend\n"                                   /* 24 */
		"#h3.patch\n"                                 /* 25 */
		"h2.patch\n"                                  /* 26 */
		"h3.patch\n"                                  /* 27 */
		"#drivers/tty\n"                              /* 28 */
		"#gone.patch: dropped\n"                      /* 29 */
		"#t1.patch:\n"                                /* 30 */
		"t1.patch\n"                                  /* 31 */
		"#ENDBRANCH mm-unstable\n"                    /* 32 */
		"v1.patch\n"                                  /* 33 */
		"\n"                                          /* 34 */
		"#ia64\n"                                     /* 35 */
		"i1.patch\n",                                 /* 36 */
		&o);
	ok(s != NULL, "akpm conventions parse: %s", s ? "ok" : qs_error_last()->message);
	if (!s)
		return;
	is_int(qs_series_section_count(s), 2, "two sections");
	sec = qs_series_section_byname(s, "mm-stable");
	is_int(qs_section_first_line(sec), 2, "mm-stable starts on line 2");
	is_int(qs_section_last_line(sec), 12, "###ENDBRANCH closes mm-stable");
	is_int(qs_section_entry_count(sec), 4, "mm-stable: placeholder and three committed");
	sec = qs_series_section_byname(s, "mm-unstable");
	is_int(qs_section_entry_count(sec), 7, "mm-unstable: seven entries");
	ok(qs_series_section_byname(s, "nope") == NULL, "section_byname: unknown");
	ok(qs_series_section_byindex(s, 2) == NULL, "section_byindex: out of range");
	is_int(qs_series_entry_count(s), 14, "fourteen entries");
	ok(qs_series_entry_byindex(s, 14) == NULL, "entry_byindex: out of range");

	e = qs_series_entry_byname(s, "origin.patch");
	is_int(qs_entry_kind_of(e), QS_ENTRY_PLACEHOLDER, "origin.patch: placeholder");
	ok(qs_entry_section(e) == NULL, "origin.patch: outside sections");
	is_int(qs_entry_starts_group(e), 1, "first entry of the file starts a group");
	e = qs_series_entry_byname(s, "mm-stable.patch");
	is_int(qs_entry_kind_of(e), QS_ENTRY_PLACEHOLDER, "mm-stable.patch: placeholder");
	is_int(qs_entry_starts_group(e), 1, "first entry of a section starts a group");
	ok(qs_entry_area(e) == NULL, "no area before the first header");

	e = qs_series_entry_byindex(s, 2);
	is_str(qs_entry_name(e), "v1.patch", "##v1.patch");
	is_int(qs_entry_kind_of(e), QS_ENTRY_COMMITTED, "##v1.patch: committed");
	is_str(qs_entry_area(e), "mm/vmalloc", "###mm/vmalloc names the area");
	is_int(qs_entry_starts_group(e), 1, "after an area header: starts a group");
	e = qs_series_entry_byindex(s, 3);
	is_str(qs_entry_name(e), "v2.patch", "##v2.patch");
	is_int(qs_entry_starts_group(e), 1, "after ###: starts a group");
	is_str(qs_entry_area(e), "mm/vmalloc", "area persists across ###");
	e = qs_series_entry_byindex(s, 4);
	is_str(qs_entry_area(e), "mm/debug", "##mm/debug is an area header too");

	/* committed v1.patch and active v1.patch: byname prefers the active one */
	e = qs_series_entry_byname(s, "v1.patch");
	is_int(qs_entry_kind_of(e), QS_ENTRY_PATCH, "byname prefers the active entry");
	is_int(qs_entry_line(e), 33, "active v1.patch on line 33");
	ok(qs_entry_section(e) == NULL, "after the last section: none");
	ok(qs_entry_area(e) == NULL, "area reset at a section end");
	is_int(qs_entry_starts_group(e), 1, "after a section end: starts a group");
	e = qs_series_entry_byname(s, "v2.patch");
	is_int(qs_entry_kind_of(e), QS_ENTRY_COMMITTED, "committed only: found by name");
	ok(qs_series_entry_byname(s, "foo.patch") == NULL, "###foo.patch is a comment");
	ok(qs_series_entry_byname(s, "h3.patch") != NULL &&
	   qs_entry_line(qs_series_entry_byname(s, "h3.patch")) == 27,
	   "#h3.patch is a comment, h3.patch on line 27 the entry");

	e = qs_series_entry_byname(s, "g1.patch");
	is_str(qs_entry_area(e), "mm/gup", "#mm/gup");
	is_int(qs_entry_starts_group(e), 1, "g1 starts a group");
	is_int(qs_entry_note_count(e), 2, "g1: two notes");
	is_str(note(s, "g1.patch", 0), "series note", "g1: the +N note first (file order)");
	is_str(note(s, "g1.patch", 1), "own note", "g1: its own note");
	ok(note(s, "g1.patch", 2) == NULL, "g1: note out of range");
	e = qs_series_entry_byname(s, "g2.patch");
	is_int(qs_entry_starts_group(e), 0, "g2 continues the group");
	is_int(qs_entry_note_count(e), 2, "g2: +N note and its own");
	is_str(note(s, "g2.patch", 1), "spaced note", "note text trimmed");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "g3.patch")), 1,
	       "g3: covered by +N up to the '#'");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "h1.patch")), 1, "h1: +1");
	is_str(note(s, "h2.patch", 0), "two entries", "h2: covered by h1's +1");
	is_int(qs_entry_starts_group(qs_series_entry_byname(s, "h2.patch")), 0,
	       "free comments do not split groups");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "h3.patch")), 0, "h3: not covered");
	is_str(qs_entry_area(qs_series_entry_byname(s, "h3.patch")), "mm/gup",
	       "area persists across '#'");
	e = qs_series_entry_byname(s, "t1.patch");
	is_str(qs_entry_area(e), "drivers/tty", "#drivers/tty");
	is_int(qs_entry_note_count(e), 1, "t1: empty note");
	is_str(note(s, "t1.patch", 0), "", "t1: empty note text");
	e = qs_series_entry_byname(s, "i1.patch");
	is_str(qs_entry_area(e), "ia64", "area outside sections");
	ok(qs_entry_section(e) == NULL, "i1: outside sections");
	qs_series_free(s);
}

static void test_note_ranges(void)
{
	qs_series *s = parse("#BRANCH s\n"
			     "#x.patch+2: two more\n"
			     "x.patch\n"
			     "y.patch\n"
			     "#\n"
			     "z.patch\n"
			     "w.patch\n"
			     "#z.patch+99999999999: to the section end\n"
			     "#ENDBRANCH s\n"
			     "v.patch\n"
			     "#+N: names nothing\n"
			     "#: names nothing\n");

	ok(s != NULL, "note ranges parse");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "x.patch")), 1, "+2: x");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "y.patch")), 1, "+2: y");
	is_str(note(s, "z.patch", 0), "two more", "+2 crosses a separator: z");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "w.patch")), 1,
	       "+2 stops after two: w has only the big range");
	is_str(note(s, "w.patch", 0), "to the section end", "huge +k: w");
	is_int(qs_entry_note_count(qs_series_entry_byname(s, "v.patch")), 0,
	       "a range stops at the section end");
	qs_series_free(s);
}

static void test_default_section(void)
{
	qs_series *s = parse("# Debian style\n\na.patch\nsub/b.diff -p0\n\n#c.patch\n");
	const qs_section *sec = qs_series_section_byindex(s, 0);

	is_int(qs_series_section_count(s), 1, "implicit section");
	is_str(qs_section_name(sec), "default", "named default");
	is_int(qs_section_first_line(sec), 1, "from line 1");
	is_int(qs_section_last_line(sec), 6, "to the last line");
	is_int(qs_section_entry_count(sec), 2, "holding every entry");
	ok(qs_entry_section(qs_series_entry_byname(s, "a.patch")) == sec, "entry in default");
	qs_series_free(s);

	/* no trailing newline: the last line still counts */
	s = parse("a.patch\nb.patch -p0");
	is_int(qs_series_entry_count(s), 2, "last line without newline");
	is_int(qs_entry_strip(qs_series_entry_byname(s, "b.patch")), 0, "its options");
	is_int(qs_section_last_line(qs_series_section_byindex(s, 0)), 2, "last line 2");
	qs_series_free(s);
}

/* 5000 entries: every one found by name, at its index */
static void test_index(void)
{
	qs_buf text = QS_BUF_INIT;
	qs_series *s = NULL;
	int bad = 0;

	for (int i = 0; i < 5000; i++)
		qs_buf_addf(&text, "%s%d-x.patch\n", i % 3 ? "" : "##", i);
	is_int(qs_series_parse(&s, text.ptr, text.len, NULL, NULL), 0, "5000 entries parse");
	is_int(qs_series_entry_count(s), 5000, "5000 entries");
	for (int i = 0; i < 5000 && s; i++) {
		char name[32];
		const qs_series_entry *e;

		snprintf(name, sizeof(name), "%d-x.patch", i);
		e = qs_series_entry_byname(s, name);
		if (!e || qs_entry_index(e) != (size_t)i ||
		    qs_series_entry_byindex(s, (size_t)i) != e)
			bad++;
	}
	is_int(bad, 0, "each found by name at its index");
	ok(qs_series_entry_byname(s, "5000-x.patch") == NULL, "absent name");
	ok(qs_series_entry_byname(s, NULL) == NULL, "NULL name");
	qs_series_free(s);
	qs_buf_release(&text);
}

static void test_load(void)
{
	char path[] = "/tmp/qs-test-series.XXXXXX";
	int fd = mkstemp(path);
	qs_series *s = NULL;

	ok(fd >= 0, "temporary file");
	if (fd < 0)
		return;
	ok(write(fd, "a.patch\nb.patch\nb.patch\n", 24) == 24, "written");
	close(fd);
	is_int(qs_series_load(&s, path, NULL), QS_EPARSE, "load: duplicate");
	is_str(qs_error_last()->path, path, "load: error path is the file");
	is_int(qs_error_last()->line, 3, "load: error line");
	unlink(path);
}

int main(void)
{
	test_arguments();
	test_quilt_syntax();
	test_option_errors();
	test_line_errors();
	test_section_errors();
	test_empty_sections();
	test_patterns();
	test_mmotm();
	test_akpm();
	test_note_ranges();
	test_default_section();
	test_index();
	test_load();
	return done_testing();
}
