/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of lib/mail.c: the fields quiltsync derives (subject prefix,
 * trailers, Link: ids, series markers, the git am message, fallbacks and
 * origins) and the API's argument checks. Parity of git's own fields with
 * git mailinfo is checked against git itself by t2000, t2100 and t2200.
 */
#include "internal.h"
#include "mail-internal.h"
#include "tap.h"

static qs_mail *parse_flags(const char *text, unsigned int flags, const char *name)
{
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	qs_mail *mail = NULL;

	opts.flags = flags;
	opts.name = name;
	if (qs_mail_parse(&mail, text, strlen(text), &opts) < 0)
		tap_diag("parse failed: %s", qs_error_last()->message);
	return mail;
}

static qs_mail *parse(const char *text)
{
	return parse_flags(text, 0, NULL);
}

static void test_arguments(void)
{
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	qs_mail *mail = (qs_mail *)&opts;
	size_t len = 7;

	is_int(qs_mail_parse(NULL, "x", 1, NULL), QS_EINVAL, "NULL out is refused");
	is_int(qs_mail_parse(&mail, NULL, 3, NULL), QS_EINVAL, "NULL buffer with a length is refused");
	ok(mail == NULL, "out is NULL after a failure");
	opts.version = QS_MAIL_OPTIONS_VERSION + 1;
	is_int(qs_mail_parse(&mail, "x", 1, &opts), QS_EINVAL, "a newer options version is refused");
	ok(strstr(qs_error_last()->message, "version") != NULL, "the error names the version");
	opts.version = QS_MAIL_OPTIONS_VERSION;
	opts.flags = 1u << 20;
	is_int(qs_mail_parse(&mail, "x", 1, &opts), QS_EINVAL, "unknown flags are refused");

	/* NULL-safe accessors */
	qs_mail_free(NULL);
	is_str(qs_mail_author_name(NULL), "", "author of NULL");
	is_str(qs_mail_subject(NULL), "", "subject of NULL");
	is_str(qs_mail_body(NULL, &len), "", "body of NULL");
	is_int(len, 0, "body length of NULL");
	ok(qs_mail_message_id(NULL) == NULL, "message-id of NULL");
	ok(qs_mail_trailer_byindex(NULL, 0) == NULL, "trailer of NULL");
	is_int(qs_mail_origin(NULL, QS_FIELD_AUTHOR), QS_ORIGIN_NONE, "origin of NULL");
	is_int(qs_mail_time(NULL, NULL, NULL), QS_EINVAL, "qs_mail_time checks its arguments");
}

static void test_empty(void)
{
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	qs_mail *mail = NULL;
	qs_buf info = QS_BUF_INIT;

	opts.flags = QS_MAIL_STRICT;
	opts.name = "dir/empty.patch";
	is_int(qs_mail_parse(&mail, " \n\t\n", 4, &opts), QS_EPARSE,
	       "strict: white space only is git's empty patch");
	is_str(qs_error_last()->message, "dir/empty.patch: empty patch", "the error says so");
	is_int(qs_mail_parse(&mail, NULL, 0, &opts), QS_EPARSE, "strict: NULL, 0 is empty too");

	opts.flags = 0;
	is_int(qs_mail_parse(&mail, "\n\n", 2, &opts), 0, "lenient: an empty patch parses");
	is_str(qs_mail_subject(mail), "empty", "it takes its subject from the file name");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_FILENAME, "origin: file name");
	is_str(qs_mail_message(mail), "empty\n", "message");
	qs__mail_info(&info, mail);
	is_str(info.ptr, "", "git prints no info for it");
	qs_mail_free(mail);
	qs_buf_release(&info);
}

static void test_git_fields(void)
{
	qs_mail *mail = parse("From: \"Doe, John\" <jd@example.com>\n"
			      "Subject: Re: [PATCH v3 2/7] mm: fix\n"
			      " the thing\n"
			      "Date: Mon, 2 May 2022 10:00:00 +0200\n"
			      "Message-ID: <20220502.1-2-jd@example.com> (sent)\n"
			      "\n"
			      "Body.\n"
			      "---\n"
			      "diff --git a/f b/f\n");
	size_t len;
	int64_t t;
	int off;

	is_str(qs_mail_author_name(mail), "Doe, John", "author name");
	is_str(qs_mail_author_email(mail), "jd@example.com", "author email");
	is_str(qs_mail_subject(mail), "mm: fix the thing", "subject cleaned up and unfolded");
	is_str(qs_mail_raw_subject(mail), "Re: [PATCH v3 2/7] mm: fix the thing", "raw subject");
	is_str(qs_mail_date(mail), "Mon, 2 May 2022 10:00:00 +0200", "date");
	is_str(qs_mail_message_id(mail), "20220502.1-2-jd@example.com", "message-id without <>");
	is_str(qs_mail_body(mail, &len), "Body.\n", "body");
	is_int(len, 6, "body length");
	is_str(qs_mail_patch(mail, &len), "---\ndiff --git a/f b/f\n", "patch");
	is_int(qs_mail_patch_line(mail), 8, "the patch starts on line 8");
	is_int(qs_mail_origin(mail, QS_FIELD_AUTHOR), QS_ORIGIN_HEADER, "author from the header");
	is_int(qs_mail_origin(mail, QS_FIELD_DATE), QS_ORIGIN_HEADER, "date from the header");
	is_str(qs_mail_message(mail), "mm: fix the thing\n\nBody.\n", "git am's message");
	is_int(qs_mail_time(&t, &off, mail), 0, "the date parses");
	is_int(t, 1651478400, "seconds");
	is_int(off, 120, "offset in minutes");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: x\n\n[PATCH] in-body subject\n"
		     "From: Real Author <real@example.com>\n\nbody\n---\n+x\n");
	is_str(qs_mail_author_name(mail), "Real Author", "in-body From: wins when there is a patch");
	is_int(qs_mail_origin(mail, QS_FIELD_AUTHOR), QS_ORIGIN_INBODY, "origin: in-body");
	is_str(qs_mail_subject(mail), "in-body subject", "in-body [PATCH] line");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_INBODY, "subject origin: in-body");
	is_int(qs_mail_time(&t, &off, mail), QS_ENOTFOUND, "no date: QS_ENOTFOUND");
	is_int(qs_mail_origin(mail, QS_FIELD_DATE), QS_ORIGIN_NONE, "date origin: none");
	qs_mail_free(mail);

	mail = parse_flags("From: a@b.c\nSubject: x\nDate: ?\?\n\nb\n", 0, "p.patch");
	is_int(qs_mail_time(&t, &off, mail), QS_EPARSE, "a date git rejects: QS_EPARSE");
	is_str(qs_error_last()->message, "p.patch:3: invalid date format '?\?'",
	       "the error points at the Date line");
	qs_mail_free(mail);
}

static void test_body_bytes(void)
{
	static const char text[] = "From: a@b.c\nSubject: s\n\nnul\0byte \xe9t\xe9\n---\n+x\n";
	qs_mail *mail = NULL;
	size_t len;
	const char *body;

	is_int(qs_mail_parse(&mail, text, sizeof(text) - 1, NULL), 0, "a NUL in the body parses");
	body = qs_mail_body(mail, &len);
	is_int(len, 13, "body length counts past the NUL");
	ok(len == 13 && !memcmp(body, "nul\0byte \xe9t\xe9\n", 13), "body bytes as git writes them");
	is_str(qs_mail_message(mail), "s\n\nnulbyte \xc3\xa9t\xc3\xa9\n",
	       "message: NUL dropped, Latin-1 made UTF-8 as git's commit does");
	qs_mail_free(mail);

	/* base64: the patch line is the encoded line its first byte came from */
	mail = parse("From: a@b.c\nSubject: s\nContent-Transfer-Encoding: base64\n\n"
		     "bXNnCi0tLQpkaWZm\nIC0tZ2l0Cg==\n");
	is_str(qs_mail_body(mail, NULL), "msg\n", "base64 message");
	is_str(qs_mail_patch(mail, NULL), "---\ndiff --git\n", "base64 patch");
	is_int(qs_mail_patch_line(mail), 5, "base64 patch line");
	qs_mail_free(mail);
}

static void test_strict_errors(void)
{
	static const char bad_word[] = "From: a@b.c\nSubject: =?utf-8?x?oops?=\n\nb\n";
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	qs_mail *mail = NULL;

	opts.flags = QS_MAIL_STRICT;
	opts.name = "bad.patch";
	is_int(qs_mail_parse(&mail, bad_word, strlen(bad_word), &opts), QS_EPARSE,
	       "strict: an undecodable encoded word is an error, as in git");
	ok(!strncmp(qs_error_last()->message, "bad.patch:2: ", 13), "the error has the line");
	opts.flags = 0;
	is_int(qs_mail_parse(&mail, bad_word, strlen(bad_word), &opts), 0,
	       "lenient: it parses");
	is_str(qs_mail_subject(mail), "=?utf-8?x?oops?=", "the word stays as written");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\nContent-Type: text/plain; charset=no-such-cs\n\n"
		     "caf\xe9\n");
	is_str(qs_mail_body(mail, NULL), "caf\xe9\n", "lenient: an unknown charset keeps its bytes");
	qs_mail_free(mail);
}

static void test_prefix(void)
{
	static const struct {
		const char *subject;
		unsigned int version, index, total;
		const char *words;
	} cases[] = {
		{ "[PATCH v3 2/7] x", 3, 2, 7, "PATCH" },
		{ "[RFC PATCH mm-unstable 0/4] x", 1, 0, 4, "RFC PATCH mm-unstable" },
		{ "[PATCH 1/2 v2] x", 2, 1, 2, "PATCH" },
		{ "[PATCHv4 03/10] x", 4, 3, 10, "PATCH" },
		{ "Re: [RFC][PATCH -next V2] x", 2, 0, 0, "RFC PATCH -next" },
		{ "[PATCH] x", 1, 0, 0, "PATCH" },
		{ "plain subject [v2]", 0, 0, 0, "" },
		{ "[PATCH v99999999999 1/2] x", UINT_MAX, 1, 2, "PATCH" },
	};
	size_t i, k;

	for (i = 0; i < QS_ARRAY_SIZE(cases); i++) {
		qs_buf text = QS_BUF_INIT, words = QS_BUF_INIT;
		qs_mail *mail;

		qs_buf_addf(&text, "From: a@b.c\nSubject: %s\n\nbody\n", cases[i].subject);
		mail = parse(text.ptr);
		for (k = 0; k < qs_mail_prefix_count(mail); k++)
			qs_buf_addf(&words, "%s%s", k ? " " : "", qs_mail_prefix_byindex(mail, k));
		is_int(qs_mail_patch_version(mail), cases[i].version, "version of '%s'", cases[i].subject);
		is_int(qs_mail_patch_index(mail), cases[i].index, "index of '%s'", cases[i].subject);
		is_int(qs_mail_patch_total(mail), cases[i].total, "total of '%s'", cases[i].subject);
		is_str(words.ptr, cases[i].words, "words of '%s'", cases[i].subject);
		ok(qs_mail_prefix_byindex(mail, k) == NULL, "no word past the end");
		qs_mail_free(mail);
		qs_buf_release(&text);
		qs_buf_release(&words);
	}
}

static void test_trailers(void)
{
	qs_mail *mail = parse("From: a@b.c\nSubject: s\n\nBody text.\n\n"
			      "Fixes: 1234 (\"x\")\n"
			      "Link: https://lkml.kernel.org/r/20220504-1-a@b.c\n"
			      "Reported-by: Some One\n   <one@example.com>\n"
			      "Link: https://lore.kernel.org/linux-mm/x%2Fy@host/T/#u\n"
			      "Link: http://lore.kernel.org/r/<br@host>/\n"
			      "Link: https://example.com/r/not@kernel\n"
			      "Link: https://lore.kernel.org/all/\n"
			      "Signed-off-by: A <a@b.c>\n"
			      "---\ndiff\n");
	const qs_trailer *t;

	is_int(qs_mail_trailer_count(mail), 8, "eight trailers");
	t = qs_mail_trailer_byindex(mail, 0);
	is_str(t ? t->key : NULL, "Fixes", "first key");
	is_str(t ? t->value : NULL, "1234 (\"x\")", "first value");
	t = qs_mail_trailer_byindex(mail, 2);
	is_str(t ? t->value : NULL, "Some One <one@example.com>", "a folded value is unfolded");
	t = qs_mail_trailer_byindex(mail, 7);
	is_str(t ? t->key : NULL, "Signed-off-by", "last key");
	ok(qs_mail_trailer_byindex(mail, 8) == NULL, "none past the end");

	is_int(qs_mail_link_count(mail), 3, "three Link: message-ids");
	is_str(qs_mail_link_byindex(mail, 0), "20220504-1-a@b.c", "lkml.kernel.org/r/");
	is_str(qs_mail_link_byindex(mail, 1), "x/y@host", "lore list link, %%2F and /T/#u");
	is_str(qs_mail_link_byindex(mail, 2), "br@host", "http, <> and trailing /");
	ok(qs_mail_link_byindex(mail, 3) == NULL, "no link past the end");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\n\nKey: value in the body\nis not a trailer block\n");
	is_int(qs_mail_trailer_count(mail), 0, "a paragraph of prose has no trailers");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\n\nprose line\nmore prose\n"
		     "Signed-off-by: A <a@b.c>\n");
	is_int(qs_mail_trailer_count(mail), 1, "a Signed-off-by makes a mixed paragraph count");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: Title: with colon\n\n");
	is_int(qs_mail_trailer_count(mail), 0, "the title is never a trailer");
	qs_mail_free(mail);
}

static void test_series(void)
{
	qs_mail *mail = parse("From: a@b.c\nSubject: s\n\n"
			      "Patch series \"mm: make \"foo\" faster\", v4.\n\n"
			      "Cover letter.\n\n\nThis patch (of 12):\n\nBody.\n");

	is_str(qs_mail_series_title(mail), "mm: make \"foo\" faster", "title with quotes");
	is_int(qs_mail_series_version(mail), 4, "series version");
	is_int(qs_mail_series_total(mail), 12, "This patch (of 12)");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\n\n"
		     "Patch series \"a title that is long enough to\n"
		     "wrap\".\n\nText.\n");
	is_str(qs_mail_series_title(mail), "a title that is long enough to wrap", "wrapped title");
	is_int(qs_mail_series_version(mail), 1, "version 1 when none is named");
	is_int(qs_mail_series_total(mail), 0, "no This patch line");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\n\n"
		     "Patch series \"A few cleanup and fixup patches for vmscan\n\nText \"x\".\n");
	is_str(qs_mail_series_title(mail), "A few cleanup and fixup patches for vmscan",
	       "no closing quote: the rest of the line");
	qs_mail_free(mail);

	mail = parse("From: a@b.c\nSubject: s\n\nNo series here.\n");
	ok(qs_mail_series_title(mail) == NULL, "no title");
	is_int(qs_mail_series_version(mail), 0, "version 0 without the line");
	qs_mail_free(mail);
}

static void test_fallbacks(void)
{
	static const char dep3[] =
		"Description: Lie about futex support.\n"
		" In past versions we lied.\n"
		" .\n"
		" Restore the lie.\n"
		"Author: Adam Conrad <adconrad@ubuntu.com>\n"
		"Bug-Debian: https://bugs.debian.org/788799\n"
		"Forwarded: no\n"
		"\n"
		"--- a/f\n+++ b/f\n";
	qs_mail *mail;

	mail = parse_flags(dep3, 0, "debian/patches/arm/local-futex.diff");
	is_str(qs_mail_subject(mail), "Lie about futex support.", "subject from Description");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_DEP3, "subject origin: DEP-3");
	is_str(qs_mail_author_name(mail), "Adam Conrad", "author from Author:");
	is_str(qs_mail_author_email(mail), "adconrad@ubuntu.com", "its email");
	is_int(qs_mail_origin(mail, QS_FIELD_AUTHOR), QS_ORIGIN_DEP3, "author origin: DEP-3");
	is_str(qs_mail_message(mail),
	       "Lie about futex support.\n\nIn past versions we lied.\n\nRestore the lie.\n\n"
	       "Bug-Debian: https://bugs.debian.org/788799\nForwarded: no\n",
	       "message: long description, then the dropped DEP-3 fields");
	is_str(qs_mail_body(mail, NULL), "", "the body stays git's");
	is_int(qs_mail_trailer_count(mail), 2, "the fields are trailers again");
	qs_mail_free(mail);

	mail = parse_flags(dep3, QS_MAIL_STRICT, "local-futex.diff");
	is_str(qs_mail_subject(mail), "", "strict: no subject");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_NONE, "strict: origin none");
	is_str(qs_mail_author_name(mail), "", "strict: no author");
	qs_mail_free(mail);

	mail = parse_flags("# DP: Description: Fix the build\n# DP: Author: Some One\n\n"
			   "--- a/f\n+++ b/f\n", 0, "x.diff");
	is_str(qs_mail_subject(mail), "Fix the build", "dpatch Description");
	is_str(qs_mail_author_name(mail), "Some One", "dpatch Author without email");
	is_str(qs_mail_author_email(mail), "", "empty email");
	is_str(qs_mail_message(mail), "Fix the build\n\n# DP: Author: Some One\n",
	       "the used field leaves the body");
	qs_mail_free(mail);

	mail = parse_flags("Author: \nDescription: Description: correct paths\n"
			   "Author: Chris <chris@debian.org>\nUpstream status: N/A\n--- a/f\n", 0,
			   "001_ld.patch");
	is_str(qs_mail_subject(mail), "correct paths", "a doubled Description: counts once");
	is_str(qs_mail_author_name(mail), "Chris", "the first non-empty Author:");
	qs_mail_free(mail);

	mail = parse_flags("commit 0123\nAuthor: Git Log <gl@example.com>\nDate:   today\n\n"
			   "    Subject line\n\ndiff --git a/f b/f\n", 0, "patches/git-fix.diff.xz");
	is_str(qs_mail_author_name(mail), "Git Log", "Author: in the message");
	is_str(qs_mail_subject(mail), "git-fix", "subject from the file name");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_FILENAME, "origin: file name");
	qs_mail_free(mail);

	mail = parse_flags("Fix a thing.\n\nSigned-off-by: First <first@example.com>\n"
			   "Signed-off-by: Second <second@example.com>\n---\n+x\n", 0, "fix.patch.gz");
	is_str(qs_mail_author_name(mail), "First", "author from the first Signed-off-by");
	is_int(qs_mail_origin(mail, QS_FIELD_AUTHOR), QS_ORIGIN_SIGNOFF, "origin: signoff");
	is_str(qs_mail_subject(mail), "fix", "fix.patch.gz gives fix");
	qs_mail_free(mail);

	mail = parse_flags("--- a/f\n+++ b/f\n", 0, NULL);
	is_str(qs_mail_subject(mail), "", "no name, no subject");
	is_int(qs_mail_origin(mail, QS_FIELD_SUBJECT), QS_ORIGIN_NONE, "origin none");
	is_int(qs_mail_origin(mail, QS_FIELD_AUTHOR), QS_ORIGIN_NONE, "author origin none");
	is_int(qs_mail_patch_line(mail), 1, "the patch starts on line 1");
	qs_mail_free(mail);
}

static void test_flags(void)
{
	static const char text[] = "From: a@b.c\nSubject: [RFC] [PATCH 2/3] x\nMessage-ID: <m@x>\n\n"
				   "junk\n-- >8 --\nSubject: after scissors\n\nkept\n---\n+x\n";
	qs_mail *mail;

	mail = parse_flags(text, QS_MAIL_KEEP_SUBJECT, NULL);
	is_str(qs_mail_subject(mail), "[RFC] [PATCH 2/3] x", "-k keeps the subject");
	qs_mail_free(mail);
	mail = parse_flags(text, QS_MAIL_KEEP_NON_PATCH, NULL);
	is_str(qs_mail_subject(mail), "[RFC] x", "-b keeps brackets without PATCH");
	qs_mail_free(mail);
	mail = parse_flags(text, QS_MAIL_SCISSORS | QS_MAIL_MESSAGE_ID, NULL);
	is_str(qs_mail_subject(mail), "after scissors", "--scissors: the subject below the line");
	is_str(qs_mail_body(mail, NULL), "kept\nMessage-Id: <m@x>\n", "--message-id appends it");
	qs_mail_free(mail);
	mail = parse_flags("From: a@b.c\nSubject: s\n\nFrom: b@c.d\n\nx\n---\n+\n",
			   QS_MAIL_NO_INBODY_HEADERS, NULL);
	is_str(qs_mail_author_email(mail), "a@b.c", "--no-inbody-headers ignores From:");
	qs_mail_free(mail);
}

int main(void)
{
	test_arguments();
	test_empty();
	test_git_fields();
	test_body_bytes();
	test_strict_errors();
	test_prefix();
	test_trailers();
	test_series();
	test_fallbacks();
	test_flags();
	return done_testing();
}
