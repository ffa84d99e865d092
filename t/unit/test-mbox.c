/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs_mbox: the API's edge cases, hostile input, and a comparison with
 * `git mailsplit -b` (what git am runs) on handcrafted mboxes and on
 * git's own t5100 samples in ../shared.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "scratch.h"

#define SEP "From 1234abcd Mon Sep 17 00:00:00 2001\n"

struct split {
	size_t nr;
	char *msg[64];
	size_t len[64];
};

static void split_release(struct split *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free(s->msg[i]);
	s->nr = 0;
}

/* Every message of `buf`, copied; -1 when qs_mbox fails. */
static int split_buf(struct split *s, const char *buf, size_t len,
		     unsigned int flags)
{
	qs_mbox *mbox;
	const char *msg;
	size_t n;
	int err;

	s->nr = 0;
	if (qs_mbox_new(&mbox, buf, len, flags))
		return -1;
	while (!(err = qs_mbox_next(&msg, &n, mbox))) {
		if (s->nr == QS_ARRAY_SIZE(s->msg) || msg[n] != '\0') {
			err = QS_ERROR;
			break;
		}
		s->msg[s->nr] = malloc(n + 1);
		if (!s->msg[s->nr])
			abort();
		memcpy(s->msg[s->nr], msg, n + 1);
		s->len[s->nr++] = n;
	}
	qs_mbox_free(mbox);
	return err == QS_ITEROVER ? 0 : -1;
}

static bool same(const struct split *s, size_t i, const char *want,
		 size_t want_len)
{
	return i < s->nr && s->len[i] == want_len &&
	       !memcmp(s->msg[i], want, want_len);
}

#define SAME(s, i, lit) same((s), (i), (lit), sizeof(lit) - 1)
#define SPLIT(s, lit, flags) split_buf((s), (lit), sizeof(lit) - 1, (flags))

static void test_args(void)
{
	qs_mbox *mbox = (qs_mbox *)&mbox;
	const char *msg = "x";
	size_t len = 7;

	is_int(qs_mbox_new(NULL, "", 0, 0), QS_EINVAL, "new: NULL out");
	is_int(qs_mbox_new(&mbox, NULL, 1, 0), QS_EINVAL, "new: NULL buf");
	ok(mbox == NULL, "new: *out is NULL on failure");
	is_int(qs_mbox_new(&mbox, "", 0, 1u << 5), QS_EINVAL,
	       "new: unknown flag");
	is_str(qs_error_last()->message, "qs_mbox_new: unknown flags 0x20",
	       "new: the error says why");

	is_int(qs_mbox_new(&mbox, NULL, 0, 0), 0, "new: NULL buf of length 0");
	is_int(qs_mbox_next(NULL, &len, mbox), QS_EINVAL, "next: NULL out_msg");
	is_int(qs_mbox_next(&msg, NULL, mbox), QS_EINVAL, "next: NULL out_len");
	is_int(qs_mbox_next(&msg, &len, NULL), QS_EINVAL, "next: NULL mbox");
	is_int(qs_mbox_next(&msg, &len, mbox), QS_ITEROVER, "next: empty");
	ok(msg == NULL && len == 0, "next: outputs cleared at the end");
	is_int(qs_mbox_next(&msg, &len, mbox), QS_ITEROVER,
	       "next: still over");
	qs_mbox_free(mbox);
	qs_mbox_free(NULL);
	ok(1, "free: NULL-safe");
}

static void test_edges(void)
{
	static const char nul[] = SEP "a\0b\n\0\n" SEP "\0";
	struct split s;

	ok(!SPLIT(&s, "", 0) && s.nr == 0, "empty input: no message");
	ok(!SPLIT(&s, " \n\t\r\n", 0) && s.nr == 0,
	   "white space only: no message");

	ok(!SPLIT(&s, "Subject: x\n\nbody\n", 0) && s.nr == 1 &&
	   SAME(&s, 0, "Subject: x\n\nbody\n"), "no From line: one message");
	split_release(&s);
	ok(!SPLIT(&s, "\n \nSubject: x\n" SEP "b\n", 0) &&
	   s.nr == 1 && SAME(&s, 0, "Subject: x\n" SEP "b\n"),
	   "bare: leading blank lines dropped, no split");
	split_release(&s);
	ok(!SPLIT(&s, "\v\nx", 0) && s.nr == 1 &&
	   SAME(&s, 0, "\v\nx"), "VT is not white space to git");
	split_release(&s);

	ok(!SPLIT(&s, SEP, 0) && s.nr == 1 && SAME(&s, 0, ""),
	   "a lone separator is an empty message");
	split_release(&s);
	ok(!SPLIT(&s, SEP "a\n\n" SEP "b", 0) &&
	   s.nr == 2 && SAME(&s, 0, "a\n\n") && SAME(&s, 1, "b"),
	   "the blank line before a separator stays; no final LF added");
	split_release(&s);

	ok(!split_buf(&s, nul, sizeof(nul) - 1, 0) && s.nr == 2 &&
	   SAME(&s, 0, "a\0b\n\0\n") && SAME(&s, 1, "\0"), "NUL bytes kept");
	split_release(&s);

	ok(!SPLIT(&s, "From 1 Mon Sep 17 00:00:00 2001\r\nA\r\n\r\n\r", 0) &&
	   s.nr == 1 && SAME(&s, 0, "A\n\n\r"),
	   "CRLF to LF, a CR without LF kept");
	split_release(&s);

	ok(!SPLIT(&s, SEP ">From a\n>>From b\n>From\n From c\n", QS_MBOX_RD) &&
	   s.nr == 1 && SAME(&s, 0, "From a\n>From b\n>From\n From c\n"),
	   "mboxrd: one '>' removed from '>From ' lines");
	split_release(&s);
	ok(!SPLIT(&s, SEP ">From a\n", 0) && s.nr == 1 &&
	   SAME(&s, 0, ">From a\n"), "mbox: '>From ' kept");
	split_release(&s);
	ok(!SPLIT(&s, SEP ">From a\r\n", QS_MBOX_RD) &&
	   s.nr == 1 && SAME(&s, 0, "From a\n"), "mboxrd after CRLF");
	split_release(&s);

	/* what mailsplit takes for a separator */
	ok(!SPLIT(&s, SEP "From me\nFrom x 1:00:00 1991\n"
		      "From x Mon Sep 17 0:00 2001\n"
		      "From a Mon Sep 17 00:00:00 90\n", 0) &&
	   s.nr == 2 && SAME(&s, 0, "From me\n") &&
	   SAME(&s, 1, "From x Mon Sep 17 0:00 2001\n"
		"From a Mon Sep 17 00:00:00 90\n"),
	   "separator needs 'd?dd:dd' and a number above 90");
	split_release(&s);
}

/* Whatever bytes come in, the splitter must stay inside them. */
static void test_hostile(void)
{
	static const char *const inputs[] = {
		"From ", "From :", "From :::::::::::::::::::::",
		"From 0000000000000000:00", "From 0000000000000000:00\n",
		"From 0000:00 99999999999999999999999\n",
		"From 0000:00 -99999999999999999999999\n",
		"From 0000:00 \n\n\n\n91\n",
		"\r", "\r\n", ">", ">>>>>>", ">>>>>From", "\n\n\n",
	};
	struct split s;
	size_t i;
	char *big;

	for (i = 0; i < QS_ARRAY_SIZE(inputs); i++) {
		ok(!split_buf(&s, inputs[i], strlen(inputs[i]), QS_MBOX_RD),
		   "hostile input %zu", i);
		split_release(&s);
	}
	ok(!SPLIT(&s, "From 0000:00 \n\n\n\n91\n", 0) && s.nr == 1 &&
	   SAME(&s, 0, "From 0000:00 \n\n\n\n91\n"),
	   "the year is read within its line");
	split_release(&s);

	big = malloc(1 << 20);
	if (!big)
		abort();
	memset(big, '>', 1 << 20);
	ok(!split_buf(&s, big, 1 << 20, QS_MBOX_RD) && s.nr == 1 &&
	   s.len[0] == 1 << 20, "a megabyte of '>'");
	split_release(&s);
	free(big);
}

/*
 * The oracle: `git mailsplit -b [--mboxrd]` writes each message, with its
 * separator line first (or, when the input has none, as it is).
 */
static int git_split(struct split *s, const char *path, bool rd)
{
	char file[4200];
	size_t i;

	s->nr = 0;
	if (sh("rm -f %s/0* && git mailsplit -b %s -o%s '%s'", scratch,
	       rd ? "--mboxrd" : "", scratch, path))
		return -1;
	for (i = 0; i < QS_ARRAY_SIZE(s->msg); i++) {
		qs_buf buf = QS_BUF_INIT;

		snprintf(file, sizeof(file), "%s/%04zu", scratch, i + 1);
		if (access(file, F_OK))
			break;
		if (qs__read_file(&buf, file)) {
			qs_buf_release(&buf);
			return -1;
		}
		s->len[i] = buf.len;
		s->msg[i] = qs_buf_detach(&buf);
		s->nr++;
	}
	return 0;
}

/* Compare the messages of one file; returns how many agree. */
static size_t compare_with_git(const char *path, const char *name, bool rd,
			       bool bare)
{
	struct split ours, git;
	qs_buf buf = QS_BUF_INIT;
	size_t i, agree = 0;

	if (qs__read_file(&buf, path) ||
	    split_buf(&ours, buf.ptr, buf.len, rd ? QS_MBOX_RD : 0) ||
	    git_split(&git, path, rd)) {
		ok(0, "%s: split by both", name);
		qs_buf_release(&buf);
		return 0;
	}
	is_int(ours.nr, git.nr, "%s: %zu messages, as git", name, git.nr);
	for (i = 0; i < ours.nr && i < git.nr; i++) {
		const char *g = git.msg[i];
		size_t skip = 0;

		if (!bare) {
			const char *nl = memchr(g, '\n', git.len[i]);

			skip = nl ? (size_t)(nl - g) + 1 : git.len[i];
		}
		if (ok(git.len[i] - skip == ours.len[i] &&
		       !memcmp(g + skip, ours.msg[i], ours.len[i]),
		       "%s: message %zu is git's", name, i + 1))
			agree++;
	}
	split_release(&ours);
	split_release(&git);
	qs_buf_release(&buf);
	return agree;
}

static const struct {
	const char *name;
	const char *text;
	size_t len;
	bool rd, bare;
} crafted[] = {
#define CASE(name, lit, rd, bare) { name, lit, sizeof(lit) - 1, rd, bare }
	CASE("two", SEP "a\n\n" SEP "b\n", false, false),
	CASE("leading-space", " \r\n\t" SEP "a\n", false, false),
	CASE("bare", "Subject: x\n\n" SEP "b\n", false, true),
	CASE("crlf", SEP "A\r\n\r\nB\r\r\n" SEP "C\r", false, false),
	CASE("nul", SEP "a\0b\n" SEP "\0\n", false, false),
	CASE("rd", SEP ">From a\n>>From b\n>From\n >From c\n", true, false),
	CASE("rd-crlf", SEP ">From a\r\n", true, false),
	CASE("separators", SEP "From me\nFrom x 1:00:00 1991\n"
	     "From x Mon Sep 17 0:00 2001\nFrom a Mon Sep 17 00:00:00 90\n"
	     "From b 12:34:56 +91\nFrom b 12:34:56 -91\n"
	     "From b Mon Sep 17 00:00:00 2001\r\n", false, false),
	CASE("empty-messages", SEP SEP SEP, false, false),
#undef CASE
};

static void test_oracle(void)
{
	static const char *const samples[] = {
		"sample.mbox", "sample.mboxrd", "rfc2047-samples.mbox",
		"quoted-cr.mbox",
	};
	const char *shared = getenv("QS_SHARED");
	char path[4096];
	size_t i, agree = 0;

	if (!have_git()) {
		ok(1, "git mailsplit comparison # SKIP git not found");
		return;
	}
	if (scratch_make("mbox")) {
		ok(0, "make a temporary directory");
		return;
	}

	for (i = 0; i < QS_ARRAY_SIZE(crafted); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.in", scratch, crafted[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(crafted[i].text, 1, crafted[i].len, f) !=
			  crafted[i].len || fclose(f)) {
			ok(0, "write '%s'", path);
			continue;
		}
		agree += compare_with_git(path, crafted[i].name, crafted[i].rd,
					  crafted[i].bare);
	}
	tap_diag("handcrafted mboxes: %zu messages agree with git mailsplit",
		 agree);

	agree = 0;
	if (!shared || snprintf(path, sizeof(path), "%s/corpus/git-t5100",
				shared) >= (int)sizeof(path) ||
	    access(path, R_OK)) {
		ok(1, "t5100 samples # SKIP ../shared/corpus/git-t5100 absent");
	} else {
		for (i = 0; i < QS_ARRAY_SIZE(samples); i++) {
			snprintf(path, sizeof(path), "%s/corpus/git-t5100/%s",
				 shared, samples[i]);
			agree += compare_with_git(path, samples[i],
						  !strcmp(samples[i],
							  "sample.mboxrd"),
						  false);
		}
		tap_diag("t5100 samples: %zu messages agree with git mailsplit",
			 agree);
	}

	scratch_remove();
}

int main(void)
{
	test_args();
	test_edges();
	test_hostile();
	test_oracle();
	return done_testing();
}
