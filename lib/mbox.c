/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Splitting an mbox the way `git am` has `git mailsplit -b` do it, so that
 * each message reaches the mail parser with the bytes git mailinfo would
 * have been given:
 * - White space (space, tab, CR, LF; not VT or FF) before the first line
 *   is dropped.
 * - A message starts at a "From " line that looks like an mbox separator
 *   (mailsplit's loose test: a ":dd:dd" or "d:dd"-like time near the end
 *   and a number above 90 after it). When the first line is not one, the
 *   whole input is a single message and nothing splits it.
 * - Lines are compared raw, then CRLF becomes LF (mailsplit without
 *   --keep-cr, git am's default); a last line without LF keeps its CR.
 * - With QS_MBOX_RD, a line of one or more '>' then "From " loses one '>'.
 * - Nothing else changes: the empty line before the next separator stays
 *   at the end of the previous message, NUL bytes are kept.
 * git writes the separator line at the top of each file; we leave it out.
 */
#include "internal.h"

struct message {
	size_t off, len;
};

struct qs_mbox {
	char *data;		/* the messages, each followed by a NUL */
	struct message *msgs;
	size_t nr, alloc, next;
};

/* git's isspace(): its own ctype table, narrower than the C locale's */
static bool is_git_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * strtol(s, NULL, 10) > 90 on a line git holds NUL-terminated: white
 * space, a sign, digits, never past the line or a NUL byte.
 */
static bool year_after_90(const char *s, const char *end)
{
	bool negative = false;
	int64_t v = 0;

	while (s < end && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
		s++;
	if (s < end && (*s == '+' || *s == '-'))
		negative = *s++ == '-';
	for (; s < end && is_digit(*s); s++) {
		/* past 91 digits do not change the answer */
		if (v <= 90)
			v = v * 10 + (*s - '0');
	}
	return !negative && v > 90;
}

/*
 * mailsplit's is_from_line(): "From ", at least 20 bytes with the LF, and
 * the last ':' before the final two bytes preceded by "d?dd" and
 * followed by "dd" and a year above 90.
 */
static bool is_from_line(const char *line, size_t len)
{
	const char *colon;

	if (len < 20 || memcmp(line, "From ", 5))
		return false;
	for (colon = line + len - 2; ; ) {
		if (colon < line + 5)
			return false;
		if (*--colon == ':')
			break;
	}
	if (!is_digit(colon[-4]) || !is_digit(colon[-2]) ||
	    !is_digit(colon[-1]) || !is_digit(colon[1]) ||
	    !is_digit(colon[2]))
		return false;
	return year_after_90(colon + 3, line + len);
}

/* mboxrd: ">From ", ">>From ", ... */
static bool is_quoted_from(const char *line, size_t len)
{
	size_t n = 0;

	while (n < len && line[n] == '>')
		n++;
	return n && len - n >= 5 && !memcmp(line + n, "From ", 5);
}

static size_t line_length(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

static void add_line(qs_buf *out, const char *line, size_t len, bool rd)
{
	bool crlf = len > 1 && line[len - 1] == '\n' && line[len - 2] == '\r';

	if (crlf)
		len--;
	if (rd && is_quoted_from(line, len)) {
		line++;
		len--;
	}
	if (crlf) {
		qs_buf_add(out, line, len - 1);
		qs_buf_addch(out, '\n');
	} else {
		qs_buf_add(out, line, len);
	}
}

/* Close the message that started at `start`. */
static int end_message(qs_mbox *mbox, qs_buf *out, size_t start)
{
	if (QS_ARRAY_GROW(mbox->msgs, mbox->alloc, mbox->nr + 1))
		return QS_ENOMEM;
	mbox->msgs[mbox->nr].off = start;
	mbox->msgs[mbox->nr].len = out->len - start;
	mbox->nr++;
	return qs_buf_addch(out, '\0');
}

static int split(qs_mbox *mbox, qs_buf *data, const char *p,
		 const char *end, bool rd)
{
	size_t start = 0, n;
	bool bare;
	int err;

	while (p < end && is_git_space((unsigned char)*p))
		p++;
	if (p == end)
		return 0;

	n = line_length(p, end);
	bare = !is_from_line(p, n);
	if (!bare)
		p += n;
	for (; p < end; p += n) {
		n = line_length(p, end);
		if (!bare && is_from_line(p, n)) {
			err = end_message(mbox, data, start);
			if (err)
				return err;
			start = data->len;
			continue;
		}
		add_line(data, p, n, rd);
	}
	return end_message(mbox, data, start);
}

int qs_mbox_new(qs_mbox **out, const char *buf, size_t len,
		unsigned int flags)
{
	qs_buf data = QS_BUF_INIT;
	qs_mbox *mbox = NULL;
	int err = 0;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_mbox_new: out is NULL");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_mbox_new: buf is NULL");
	if (flags & ~(unsigned int)QS_MBOX_RD)
		return qs__error_set(QS_EINVAL,
				     "qs_mbox_new: unknown flags 0x%x", flags);

	mbox = qs__calloc(1, sizeof(*mbox));
	if (!mbox)
		return QS_ENOMEM;
	if (buf) {
		err = split(mbox, &data, buf, buf + len, flags & QS_MBOX_RD);
		if (err)
			goto done;
	}
	/* appends stop at the first failure: one check covers them all */
	if (qs_buf_oom(&data)) {
		err = QS_ENOMEM;
		goto done;
	}
	mbox->data = qs_buf_detach(&data);
	if (!mbox->data) {
		err = QS_ENOMEM;
		goto done;
	}
	*out = mbox;
	mbox = NULL;
done:
	qs_buf_release(&data);
	qs_mbox_free(mbox);
	return err;
}

int qs_mbox_next(const char **out_msg, size_t *out_len, qs_mbox *mbox)
{
	if (!out_msg)
		return qs__error_set(QS_EINVAL,
				     "qs_mbox_next: out_msg is NULL");
	*out_msg = NULL;
	if (!out_len)
		return qs__error_set(QS_EINVAL,
				     "qs_mbox_next: out_len is NULL");
	*out_len = 0;
	if (!mbox)
		return qs__error_set(QS_EINVAL, "qs_mbox_next: mbox is NULL");

	if (mbox->next >= mbox->nr)
		return QS_ITEROVER;
	*out_msg = mbox->data + mbox->msgs[mbox->next].off;
	*out_len = mbox->msgs[mbox->next].len;
	mbox->next++;
	return 0;
}

void qs_mbox_free(qs_mbox *mbox)
{
	if (!mbox)
		return;
	free(mbox->data);
	free(mbox->msgs);
	free(mbox);
}
