/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One mail or patch file, read the way `git mailinfo -u` reads it.
 *
 * The parser follows git's mailinfo.c (2.39) step by step, because parity
 * is byte for byte and git's rules are defined by its code, quirks
 * included: which lines count as headers, the stdio end-of-file state
 * that feeds the last header line to the body once more, C-string
 * functions that stop at a NUL inside a line, its own isspace() that does
 * not know \v and \f. Each quirk we keep on purpose says so where it
 * happens. The code is ours: one pass over a copy of the input, lines are
 * views into that copy whenever git does not rewrite them, a handful of
 * scratch buffers reused for every line, and a patch part that stays a
 * view of the input when it is a verbatim tail of it (the usual case).
 *
 * On top of git's fields (author, email, subject, date, message body,
 * patch) we derive: the commit message git am would write, trailers, Link:
 * message-ids, the subject's [PATCH ...] prefix, akpm's series markers, and
 * fallbacks for patches that are not mails (see "Fallbacks" below).
 *
 * Errors: git mailinfo exits 1 for an empty input, an RFC 2047 word it
 * cannot decode, a charset iconv cannot convert from, a NUL byte in the
 * From/Subject/Date values and more than four nested multipart boundaries.
 * With QS_MAIL_STRICT these give QS_EPARSE. Without it quiltsync is
 * lenient, because a quilt queue is not required to be git-am-able: an
 * empty input is an empty mail (it gets the file name as subject), an
 * undecodable word stays as written (as git's own output has it), text in
 * a charset iconv does not know stays as its bytes (git drops the line
 * and stops reading the body), a NUL cuts the value as git prints it, an
 * extra boundary is ignored. Each such case is logged as a warning.
 */
#include "mail-internal.h"

#include <iconv.h>

enum { H_FROM, H_SUBJECT, H_DATE, NR_HEADERS };
static const char *const header_name[NR_HEADERS] = { "From", "Subject", "Date" };

/* git's mailinfo.h: content[0] is never used, so four boundaries nest */
#define MAX_BOUNDARIES 5

enum { HDR_PRIMARY, HDR_SECONDARY };
enum transfer_encoding { TE_DONTCARE, TE_QP, TE_BASE64 };

#define KNOWN_FLAGS (QS_MAIL_KEEP_SUBJECT | QS_MAIL_KEEP_NON_PATCH | \
		     QS_MAIL_SCISSORS | QS_MAIL_NO_INBODY_HEADERS | \
		     QS_MAIL_MESSAGE_ID | QS_MAIL_STRICT)

struct qs_mail {
	char *input;		/* the copy of the input, NUL-terminated */
	size_t input_len;
	unsigned int flags;
	char *name;
	bool empty;		/* nothing but white space: git prints no info */

	/* what git mailinfo prints */
	bool has[NR_HEADERS];
	qs_buf git_name, git_email, git_subject, date, raw_subject;
	qs_buf body;
	const char *patch;
	size_t patch_len;
	qs_buf patch_buf;
	size_t patch_line;
	size_t date_line;
	char *message_id;

	/* the fields as the accessors give them, fallbacks applied */
	const char *author_name, *author_email, *subject, *raw_subj;
	qs_buf fb_name, fb_email, fb_subject, fb_raw_subject;
	qs_mail_origin_kind origin[NR_HEADERS];

	qs_buf message;
	/* trailers, links and prefix words point into `strings` */
	qs_buf strings;
	qs_trailer *trailers;
	size_t trailer_nr;
	const char **links;
	size_t link_nr;
	const char **prefix;
	size_t prefix_nr;
	unsigned int version, index, total;
	const char *series_title;
	bool has_series;
	unsigned int series_version, series_total;
};

/*
 * Character classes. git replaces <ctype.h> with its own table, in which
 * only space, tab, LF and CR are white space; everything here is ASCII and
 * independent of the locale.
 */
static inline bool gspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool galpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool gdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int glower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 'a' - 'A' : c;
}

/* The byte at i, or the NUL git's strbuf always keeps after the end. */
static inline int at(const char *p, size_t len, size_t i)
{
	return i < len ? (unsigned char)p[i] : 0;
}

/* How much of p git's C-string functions see: up to the first NUL. */
static inline size_t clen(const char *p, size_t len)
{
	const char *z = memchr(p, '\0', len);

	return z ? (size_t)(z - p) : len;
}

static bool has_prefix(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(p, prefix, n);
}

/* skip_iprefix(): an ASCII case-insensitive prefix; gives its length */
static bool has_iprefix(const char *p, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= len || glower((unsigned char)p[i]) !=
				glower((unsigned char)prefix[i]))
			return false;
	return true;
}

static int icmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int d = glower((unsigned char)*a) - glower((unsigned char)*b);

		if (d || !*a)
			return d;
	}
}

/* strcasestr() in the C locale, on a NUL-terminated string */
static const char *icasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (has_iprefix(hay, n, needle))
			return hay;
	return n ? NULL : hay;
}

/* strbuf_rtrim(), strbuf_trim() with git's white space */
static void buf_rtrim(qs_buf *b)
{
	size_t n = b->len;

	while (n && gspace((unsigned char)b->ptr[n - 1]))
		n--;
	qs_buf_truncate(b, n);
}

static void buf_trim(qs_buf *b)
{
	size_t i = 0;

	buf_rtrim(b);
	while (i < b->len && gspace((unsigned char)b->ptr[i]))
		i++;
	qs_buf_remove(b, 0, i);
}

/* Cut a buffer at its first NUL, as a printf("%s") of it would. */
static void buf_cstr(qs_buf *b)
{
	qs_buf_truncate(b, clen(b->ptr, b->len));
}

/*
 * git's cleanup_space(): every run of white space becomes one space. In
 * one pass, where git removes each run with a memmove.
 */
static void cleanup_space(qs_buf *b)
{
	size_t r, w = 0;

	for (r = 0; r < b->len; ) {
		if (gspace((unsigned char)b->ptr[r])) {
			b->ptr[w++] = ' ';
			while (r < b->len && gspace((unsigned char)b->ptr[r]))
				r++;
		} else {
			b->ptr[w++] = b->ptr[r++];
		}
	}
	qs_buf_truncate(b, w);
}

/*
 * The input, read the way git reads its stdin through stdio. What
 * matters is the end-of-file indicator: once a read has hit the end, the
 * next strbuf_getwholeline() returns EOF without touching the line it was
 * given, so git's `line` keeps its old content.
 */
struct reader {
	const char *buf;
	size_t len, pos;
	bool eof;
	size_t lineno;	/* lines begun so far: the number of the last one */
};

/* git's `line`: a view of the input, or a copy it rewrote */
struct line {
	const char *p;
	size_t len;
	size_t lineno;
	bool view;	/* p points into the input copy, which never moves */
	qs_buf own;
};

static void line_view(struct line *l, const char *p, size_t len, size_t lineno)
{
	l->p = p;
	l->len = len;
	l->lineno = lineno;
	l->view = true;
}

/* Make the line its own copy, so that it can be rewritten. */
static void line_own(struct line *l)
{
	if (!l->view)
		return;
	qs_buf_set(&l->own, l->p, l->len);
	l->p = l->own.ptr;
	l->view = false;
}

static void line_sync(struct line *l)
{
	l->p = l->own.ptr;
	l->len = l->own.len;
	l->view = false;
}

/* strbuf_getwholeline(): the next line with its '\n', or EOF */
static int read_whole_line(struct reader *r, struct line *l)
{
	const char *nl;
	size_t end;

	if (r->eof)
		return EOF;
	if (r->pos >= r->len) {
		r->eof = true;
		qs_buf_clear(&l->own);
		line_sync(l);
		return EOF;
	}
	nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
	if (nl) {
		end = (size_t)(nl - r->buf) + 1;
	} else {
		end = r->len;
		r->eof = true;
	}
	line_view(l, r->buf + r->pos, end - r->pos, ++r->lineno);
	r->pos = end;
	return 0;
}

/* strbuf_getline_lf(): the same without the '\n' */
static int read_line(struct reader *r, struct line *l)
{
	if (read_whole_line(r, l))
		return EOF;
	if (l->len && l->p[l->len - 1] == '\n')
		l->len--;
	return 0;
}

/* fgetc() + ungetc() */
static int peek_char(struct reader *r)
{
	if (r->pos >= r->len) {
		r->eof = true;
		return EOF;
	}
	return (unsigned char)r->buf[r->pos];
}

/* A DEP-3 field of the top header block, kept for the fallbacks. */
struct dep3_field {
	size_t start, end;	/* raw lines in the input, folding included */
	size_t name_len;
	size_t lineno;
};

struct mi {
	qs_mail *mail;
	bool keep_subject, keep_non_patch, use_scissors, use_inbody_headers;
	bool add_message_id;
	struct reader in;
	struct line line;

	qs_buf hdr[2][NR_HEADERS];
	bool hdr_set[2][NR_HEADERS];
	size_t hdr_line[2][NR_HEADERS];

	qs_buf charset;
	enum transfer_encoding te;
	bool format_flowed, delsp;
	qs_buf boundary[MAX_BOUNDARIES];
	int top;

	bool header_stage;
	bool in_patch;
	qs_buf accum;
	size_t accum_line;
	qs_buf prev;
	size_t prev_line;
	qs_buf log;
	/* the patch: a view of the input while it is one, else patch_buf */
	const char *patch_view;
	size_t patch_view_len;
	bool patch_copied;
	size_t patch_lines, patch_lineno;
	qs_buf message_id;
	bool have_message_id;

	/* scratch buffers, reused line after line */
	qs_buf cont, hval, dec, cs, out, conv, joined, flow, tebuf;
	iconv_t cd;
	qs_buf cd_name;
	bool cd_open, cd_failed;

	/* git's input_error: the first one, for the message */
	bool failed;
	size_t fail_line;
	qs_buf fail_msg;

	/* the header line read last, as a range of the input */
	size_t hdr_start, hdr_lineno;
	struct dep3_field *dep3;
	size_t dep3_nr, dep3_alloc;
	bool dep3_oom;
};

static void input_error(struct mi *mi, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * git's `mi->input_error = -1`. We record the first one and go on: in
 * strict mode the parse then fails, otherwise it is a warning.
 */
static void input_error(struct mi *mi, size_t lineno, const char *fmt, ...)
{
	qs_buf msg = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	qs__log(QS_LOG_WARNING, mi->mail->name, lineno, "%s", msg.ptr);
	if (!mi->failed) {
		mi->failed = true;
		mi->fail_line = lineno;
		qs_buf_set(&mi->fail_msg, msg.ptr, msg.len);
	}
	qs_buf_release(&msg);
}

/*
 * Decoding.
 */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = glower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * git's decode_q_segment(): quoted-printable, and RFC 2047's Q with '_'
 * for space. An '=' before the end of the line ends the decoding: that
 * is a soft line break, the '\n' goes and so does the rest.
 */
static void decode_q(qs_buf *out, const char *in, size_t len, bool rfc2047)
{
	size_t i;
	char *w;

	len = clen(in, len);
	qs_buf_clear(out);
	if (qs_buf_grow(out, len) < 0)
		return;
	w = out->ptr;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)in[i];

		if (c == '=') {
			int d = at(in, len, i + 1), hi = hexval(d);
			int lo = hexval(at(in, len, i + 2));

			if (d == '\n' || !d)
				break;
			if (hi >= 0 && lo >= 0) {
				*w++ = (char)(hi << 4 | lo);
				i += 2;
				continue;
			}
		}
		if (rfc2047 && c == '_')
			c = ' ';
		*w++ = (char)c;
	}
	out->len = (size_t)(w - out->ptr);
	out->ptr[out->len] = '\0';
}

/* git's decode_b_segment(): base64, anything else is skipped */
static void decode_b(qs_buf *out, const char *in, size_t len)
{
	unsigned int acc = 0;
	int pos = 0;
	size_t i;
	char *w;

	len = clen(in, len);
	qs_buf_clear(out);
	if (qs_buf_grow(out, len) < 0)
		return;
	w = out->ptr;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)in[i];

		if (c == '+')
			c = 62;
		else if (c == '/')
			c = 63;
		else if (c >= 'A' && c <= 'Z')
			c -= 'A';
		else if (c >= 'a' && c <= 'z')
			c -= 'a' - 26;
		else if (c >= '0' && c <= '9')
			c -= '0' - 52;
		else
			continue;
		switch (pos++) {
		case 0:
			acc = (unsigned int)c << 2;
			break;
		case 1:
			*w++ = (char)(acc | (unsigned int)c >> 4);
			acc = ((unsigned int)c & 15) << 4;
			break;
		case 2:
			*w++ = (char)(acc | (unsigned int)c >> 2);
			acc = ((unsigned int)c & 3) << 6;
			break;
		case 3:
			*w++ = (char)(acc | (unsigned int)c);
			acc = 0;
			pos = 0;
			break;
		}
	}
	out->len = (size_t)(w - out->ptr);
	out->ptr[out->len] = '\0';
}

/* git's is_encoding_utf8() */
static bool is_utf8_name(const char *name)
{
	return !icmp(name, "utf-8") || !icmp(name, "utf8");
}

/*
 * git's convert_to_utf8() with -u: text in `charset` to UTF-8, into
 * `out`. 1 when there is nothing to do (no charset, or UTF-8 already,
 * which is not checked), 0 when converted, -1 when iconv cannot. The
 * converter is kept for the next line; git opens one for each.
 */
static int to_utf8(struct mi *mi, qs_buf *out, const char *in, size_t len,
		   const char *charset)
{
	char *inp, *outp;
	size_t inleft, outleft;

	if (!*charset || is_utf8_name(charset))
		return 1;
	if (!mi->cd_open || strcmp(mi->cd_name.ptr, charset)) {
		if (mi->cd_open)
			iconv_close(mi->cd);
		mi->cd_open = false;
		qs_buf_sets(&mi->cd_name, charset);
		mi->cd = iconv_open("UTF-8", charset);
		mi->cd_failed = mi->cd == (iconv_t)-1;
		mi->cd_open = !mi->cd_failed;
	}
	if (mi->cd_failed)
		return -1;
	iconv(mi->cd, NULL, NULL, NULL, NULL);

	qs_buf_clear(out);
	inp = (char *)in;
	inleft = len;
	for (;;) {
		size_t done = out->len;

		if (qs_buf_grow(out, inleft * 2 + 32) < 0)
			return -1;
		outp = out->ptr + done;
		outleft = out->alloc - done - 1;
		if (iconv(mi->cd, &inp, &inleft, &outp, &outleft) != (size_t)-1) {
			out->len = (size_t)(outp - out->ptr);
			break;
		}
		out->len = (size_t)(outp - out->ptr);
		if (errno != E2BIG)
			return -1;
	}
	out->ptr[out->len] = '\0';
	return 0;
}

/*
 * git's decode_header(): RFC 2047 encoded words in a header value, each
 * converted to UTF-8. White space between two encoded words goes. A word
 * git cannot decode leaves the whole value as it was, and is an error.
 */
static void decode_header(struct mi *mi, qs_buf *it, size_t lineno)
{
	const char *base = it->ptr, *in = base, *ep, *cp;
	qs_buf *out = &mi->out;
	int rc;

	qs_buf_clear(out);
	while ((size_t)(in - base) <= it->len && (ep = strstr(in, "=?"))) {
		int encoding;

		if (in != ep) {
			const char *scan = in;

			while (scan < ep && gspace((unsigned char)*scan))
				scan++;
			/* only white space after an encoded word goes */
			if (scan != ep || in == base)
				qs_buf_add(out, in, (size_t)(ep - in));
		}
		ep += 2;
		if ((size_t)(ep - base) >= it->len || !(cp = strchr(ep, '?')))
			goto fail;
		if ((size_t)(cp + 3 - base) > it->len)
			goto fail;
		qs_buf_set(&mi->cs, ep, (size_t)(cp - ep));
		encoding = (unsigned char)cp[1];
		if (!encoding || cp[2] != '?')
			goto fail;
		ep = strstr(cp + 3, "?=");
		if (!ep)
			goto fail;
		switch (glower(encoding)) {
		case 'b':
			decode_b(&mi->dec, cp + 3, (size_t)(ep - cp - 3));
			break;
		case 'q':
			decode_q(&mi->dec, cp + 3, (size_t)(ep - cp - 3), true);
			break;
		default:
			goto fail;
		}
		rc = to_utf8(mi, &mi->conv, mi->dec.ptr, mi->dec.len, mi->cs.ptr);
		if (rc < 0) {
			input_error(mi, lineno, "cannot convert from %s to UTF-8",
				    mi->cs.ptr);
			goto keep;
		}
		qs_buf_addbuf(out, rc ? &mi->dec : &mi->conv);
		in = ep + 2;
	}
	qs_buf_adds(out, in);
	qs_buf_set(it, out->ptr, out->len);
	return;
fail:
	input_error(mi, lineno, "invalid RFC 2047 encoded word in '%s'", base);
keep:
	return;
}

/*
 * Headers.
 */

/*
 * git's skip_header(): "Name:" in any case, then white space. Gives the
 * offset of the value; the line is a C string to git, so a NUL ends it.
 */
static bool skip_header(const char *p, size_t len, const char *name, size_t *val)
{
	size_t n = strlen(name), i;

	len = clen(p, len);
	if (!has_iprefix(p, len, name) || at(p, len, n) != ':')
		return false;
	for (i = n + 1; i < len && gspace((unsigned char)p[i]); i++)
		;
	*val = i;
	return true;
}

/* git's parse_header(): the value of header `name`, decoded */
static bool parse_header(struct mi *mi, const char *p, size_t len,
			 const char *name, qs_buf *val, size_t lineno)
{
	size_t off;

	if (!skip_header(p, len, name, &off))
		return false;
	qs_buf_set(val, p + off, clen(p, len) - off);
	decode_header(mi, val, lineno);
	return true;
}

/*
 * git's slurp_attr(): the value after the first `name` anywhere in the
 * line (not only as a parameter), quoted or up to ';' or white space.
 */
static bool slurp_attr(const char *line, const char *name, qs_buf *attr)
{
	const char *ap = icasestr(line, name), *ends;

	qs_buf_clear(attr);
	if (!ap)
		return false;
	ap += strlen(name);
	if (*ap == '"') {
		ap++;
		ends = "\"";
	} else {
		ends = "; \t";
	}
	qs_buf_add(attr, ap, strcspn(ap, ends));
	return true;
}

static bool has_attr_value(struct mi *mi, const char *line, const char *name,
			   const char *value)
{
	return slurp_attr(line, name, &mi->cs) && !icmp(mi->cs.ptr, value);
}

static void handle_content_type(struct mi *mi, const char *value, size_t lineno)
{
	mi->format_flowed = has_attr_value(mi, value, "format=", "flowed");
	mi->delsp = has_attr_value(mi, value, "delsp=", "yes");

	if (slurp_attr(value, "boundary=", &mi->cs)) {
		if (mi->top + 1 >= MAX_BOUNDARIES) {
			input_error(mi, lineno, "too many boundaries to handle");
			/* git returns here, before it reads the charset */
			return;
		}
		mi->top++;
		qs_buf_set(&mi->boundary[mi->top], "--", 2);
		qs_buf_addbuf(&mi->boundary[mi->top], &mi->cs);
	}
	slurp_attr(value, "charset=", &mi->charset);
}

static void handle_transfer_encoding(struct mi *mi, const char *value)
{
	if (icasestr(value, "base64"))
		mi->te = TE_BASE64;
	else if (icasestr(value, "quoted-printable"))
		mi->te = TE_QP;
	else
		mi->te = TE_DONTCARE;
}

/*
 * git's check_header(): From, Subject and Date go to `which` table
 * (replacing a value only when `overwrite`), Content-Type,
 * Content-Transfer-Encoding and Message-ID are acted on. Returns whether
 * the line was one of these.
 */
static bool check_header(struct mi *mi, const char *p, size_t len, int which,
			 bool overwrite, size_t lineno)
{
	int i;

	for (i = 0; i < NR_HEADERS; i++) {
		if ((!mi->hdr_set[which][i] || overwrite) &&
		    parse_header(mi, p, len, header_name[i], &mi->hval, lineno)) {
			qs_buf_set(&mi->hdr[which][i], mi->hval.ptr, mi->hval.len);
			mi->hdr_set[which][i] = true;
			mi->hdr_line[which][i] = lineno;
			return true;
		}
	}
	if (parse_header(mi, p, len, "Content-Type", &mi->hval, lineno)) {
		handle_content_type(mi, mi->hval.ptr, lineno);
		return true;
	}
	if (parse_header(mi, p, len, "Content-Transfer-Encoding", &mi->hval, lineno)) {
		handle_transfer_encoding(mi, mi->hval.ptr);
		return true;
	}
	if (parse_header(mi, p, len, "Message-ID", &mi->hval, lineno)) {
		/* the last one wins, part headers included, as in git */
		qs_buf_set(&mi->message_id, mi->hval.ptr, mi->hval.len);
		mi->have_message_id = true;
		return true;
	}
	return false;
}

/*
 * git's is_rfc2822_header(): an mbox "From " line, or a field name of
 * printable ASCII up to a ':'. An empty name (": x") counts.
 */
static bool is_rfc2822_header(const char *p, size_t len)
{
	size_t i;

	len = clen(p, len);
	if (has_prefix(p, len, "From ") || has_prefix(p, len, ">From "))
		return true;
	for (i = 0; i < len; i++) {
		int ch = (unsigned char)p[i];

		if (ch == ':')
			return true;
		if ((ch >= 33 && ch <= 57) || (ch >= 59 && ch <= 126))
			continue;
		break;
	}
	return false;
}

/*
 * git's read_one_header_line(): a header with its folded lines unfolded
 * (each continuation's first white space character becomes one space, its
 * end is trimmed). At a line that is no header, the line is left in
 * `line`, trimmed and with a '\n' again, and the result is false.
 */
static bool read_header_line(struct mi *mi)
{
	struct line *l = &mi->line;
	struct line cont = { .own = QS_BUF_INIT };
	size_t start = mi->in.pos;

	if (read_line(&mi->in, l))
		return false;
	mi->hdr_start = start;
	mi->hdr_lineno = l->lineno;
	line_own(l);
	buf_rtrim(&l->own);
	line_sync(l);
	if (!l->len || !is_rfc2822_header(l->p, l->len)) {
		qs_buf_addch(&l->own, '\n');
		line_sync(l);
		return false;
	}
	for (;;) {
		int peek = peek_char(&mi->in);

		if (peek != ' ' && peek != '\t')
			break;
		if (read_line(&mi->in, &cont))
			break;
		/*
		 * When the copy fails, mi->cont may be the "" that every
		 * empty buffer shares: never write there. The failure is
		 * sticky; mi_release() reports it.
		 */
		if (qs_buf_set(&mi->cont, cont.p, cont.len) < 0)
			break;
		mi->cont.ptr[0] = ' ';
		buf_rtrim(&mi->cont);
		qs_buf_addbuf(&l->own, &mi->cont);
	}
	line_sync(l);
	return true;
}

/*
 * DEP-3 fields (https://dep-team.pages.debian.net/deps/dep3/) that may
 * stand in a patch's header block, where git reads and drops them.
 */
static const char *const dep3_names[] = {
	"Description", "Subject", "Author", "From", "Origin", "Bug",
	"Forwarded", "Reviewed-by", "Acked-by", "Last-Update",
	"Applied-Upstream",
};

/* Length of the field name when the line is a DEP-3 field, else 0. */
static size_t dep3_field_name(const char *p, size_t len)
{
	size_t n, i;

	for (n = 0; n < len && p[n] != ':'; n++)
		if (gspace((unsigned char)p[n]))
			return 0;
	if (n == len || !n)
		return 0;
	for (i = 0; i < QS_ARRAY_SIZE(dep3_names); i++)
		if (strlen(dep3_names[i]) == n && has_iprefix(p, n, dep3_names[i]))
			return n;
	/* Bug-<Vendor> */
	if (n > 4 && has_iprefix(p, n, "Bug-"))
		return n;
	return 0;
}

static void note_dep3_field(struct mi *mi)
{
	const char *p = mi->in.buf + mi->hdr_start;
	size_t n = dep3_field_name(p, mi->in.pos - mi->hdr_start);

	if (!n)
		return;
	if (QS_ARRAY_GROW(mi->dep3, mi->dep3_alloc, mi->dep3_nr + 1) < 0) {
		mi->dep3_oom = true;
		return;
	}
	mi->dep3[mi->dep3_nr].start = mi->hdr_start;
	mi->dep3[mi->dep3_nr].end = mi->in.pos;
	mi->dep3[mi->dep3_nr].name_len = n;
	mi->dep3[mi->dep3_nr].lineno = mi->hdr_lineno;
	mi->dep3_nr++;
}

/*
 * The body.
 */

/* git's is_format_patch_separator(): the "From <sha1> Mon Sep 17..." line */
static bool is_format_patch_separator(const char *p, size_t len)
{
	static const char sample[] =
		"From e6807f3efca28b30decfecb1732a56c7db1137ee Mon Sep 17 00:00:00 2001\n";
	size_t n = sizeof(sample) - 1, i;

	if (len != n || !has_prefix(p, len, "From "))
		return false;
	for (i = 5; i < 45; i++)
		if (!strchr("0123456789abcdef", p[i]) || !p[i])
			return false;
	return !memcmp(p + 45, sample + 45, n - 45);
}

/*
 * git's patchbreak(): "diff -", "Index: ", "--- <name>", or "---" and only
 * white space.
 */
static bool patchbreak(const char *p, size_t len)
{
	size_t i;

	if (has_prefix(p, len, "diff -") || has_prefix(p, len, "Index: "))
		return true;
	if (len < 4 || !has_prefix(p, len, "---"))
		return false;
	if (p[3] == ' ' && !gspace(at(p, len, 4)))
		return true;
	for (i = 3; i < len; i++) {
		if (p[i] == '\n')
			return true;
		if (!gspace((unsigned char)p[i]))
			break;
	}
	return false;
}

/*
 * git's is_scissors_line(): "-- >8 --" and its kin. The mark is at least
 * 8 visible bytes; dashes and scissors are more than a third of the
 * visible width and gaps less than half of the perforation.
 */
static bool is_scissors_line(const char *p, size_t len)
{
	size_t i, first = 0, last = 0;
	bool nonblank = false, in_perforation = false;
	size_t scissors = 0, gap = 0, perforation = 0, visible;

	len = clen(p, len);
	for (i = 0; i < len; i++) {
		int c = (unsigned char)p[i];

		if (gspace(c)) {
			if (in_perforation) {
				perforation++;
				gap++;
			}
			continue;
		}
		last = i;
		if (!nonblank) {
			first = i;
			nonblank = true;
		}
		if (c == '-') {
			in_perforation = true;
			perforation++;
			continue;
		}
		if ((c == '>' && (at(p, len, i + 1) == '8' || at(p, len, i + 1) == '%')) ||
		    ((c == '8' || c == '%') && at(p, len, i + 1) == '<')) {
			in_perforation = true;
			perforation += 2;
			scissors += 2;
			i++;
			continue;
		}
		in_perforation = false;
	}
	visible = nonblank ? last - first + 1 : 0;
	return scissors && visible >= 8 && visible < perforation * 3 &&
	       gap * 2 < perforation;
}

/* The patch output: a view of the input while its lines follow each other. */
static void patch_add(struct mi *mi, const char *p, size_t len, bool view)
{
	qs_mail *mail = mi->mail;

	if (!mi->patch_copied) {
		if (view && (!mi->patch_view_len ||
			     mi->patch_view + mi->patch_view_len == p)) {
			if (!mi->patch_view_len)
				mi->patch_view = p;
			mi->patch_view_len += len;
			return;
		}
		qs_buf_add(&mail->patch_buf, mi->patch_view, mi->patch_view_len);
		mi->patch_copied = true;
	}
	qs_buf_add(&mail->patch_buf, p, len);
}

static void flush_inbody_header(struct mi *mi)
{
	if (!mi->accum.len)
		return;
	/* accum only ever holds a header check_header() takes */
	check_header(mi, mi->accum.ptr, mi->accum.len, HDR_SECONDARY, false,
		     mi->accum_line);
	qs_buf_clear(&mi->accum);
}

static bool is_inbody_header(struct mi *mi, const char *p, size_t len)
{
	size_t off;
	int i;

	for (i = 0; i < NR_HEADERS; i++)
		if (!mi->hdr_set[HDR_SECONDARY][i] &&
		    skip_header(p, len, header_name[i], &off))
			return true;
	return false;
}

/*
 * git's check_inbody_header(): whether the line is (part of) an in-body
 * From/Subject/Date, a "[PATCH] subject" line, or format-patch's
 * ">From <sha1>" line. Folded in-body headers are joined as they are,
 * '\n' and all.
 */
static bool check_inbody_header(struct mi *mi, const char *p, size_t len,
				size_t lineno)
{
	if (mi->accum.len && (at(p, len, 0) == ' ' || at(p, len, 0) == '\t')) {
		if (mi->use_scissors && is_scissors_line(p, len)) {
			flush_inbody_header(mi);
			return false;
		}
		if (mi->accum.ptr[mi->accum.len - 1] == '\n')
			qs_buf_truncate(&mi->accum, mi->accum.len - 1);
		qs_buf_add(&mi->accum, p, len);
		return true;
	}
	flush_inbody_header(mi);

	if (has_prefix(p, clen(p, len), ">From") && gspace(at(p, len, 5)))
		return is_format_patch_separator(p + 1, len - 1);
	if (has_prefix(p, clen(p, len), "[PATCH]") && gspace(at(p, len, 7))) {
		qs_buf_set(&mi->hdr[HDR_SECONDARY][H_SUBJECT], p, len);
		mi->hdr_set[HDR_SECONDARY][H_SUBJECT] = true;
		mi->hdr_line[HDR_SECONDARY][H_SUBJECT] = lineno;
		return true;
	}
	if (is_inbody_header(mi, p, len)) {
		if (!mi->accum.len)
			mi->accum_line = lineno;
		qs_buf_add(&mi->accum, p, len);
		return true;
	}
	return false;
}

/*
 * git's handle_commit_msg(): one line of the message. Returns true at the
 * line that starts the patch, which (converted if it was) is then in
 * *p and *len.
 */
static bool handle_commit_msg(struct mi *mi, const char **pp, size_t *plen,
			      bool *view, size_t lineno)
{
	const char *p = *pp;
	size_t len = *plen;
	int rc;
	int i;

	if (mi->header_stage && (!len || (len == 1 && p[0] == '\n'))) {
		if (mi->accum.len) {
			flush_inbody_header(mi);
			mi->header_stage = false;
		}
		return false;
	}
	if (mi->use_inbody_headers && mi->header_stage) {
		mi->header_stage = check_inbody_header(mi, p, len, lineno);
		if (mi->header_stage)
			return false;
	} else {
		mi->header_stage = false;
	}

	rc = to_utf8(mi, &mi->conv, p, len, mi->charset.ptr);
	if (rc < 0) {
		/* git drops the line and stops; we keep its bytes */
		input_error(mi, lineno, "cannot convert from %s to UTF-8",
			    mi->charset.ptr);
	} else if (!rc) {
		p = mi->conv.ptr;
		len = mi->conv.len;
		*view = false;
	}

	if (mi->use_scissors && is_scissors_line(p, len)) {
		qs_buf_clear(&mi->log);
		mi->header_stage = true;
		/* forget the in-body headers read so far: a clean restart */
		for (i = 0; i < NR_HEADERS; i++) {
			qs_buf_clear(&mi->hdr[HDR_SECONDARY][i]);
			mi->hdr_set[HDR_SECONDARY][i] = false;
		}
		return false;
	}
	if (patchbreak(p, len)) {
		if (mi->add_message_id && mi->have_message_id)
			qs_buf_addf(&mi->log, "Message-Id: %s\n", mi->message_id.ptr);
		*pp = p;
		*plen = len;
		return true;
	}
	qs_buf_add(&mi->log, p, len);
	return false;
}

/* git's handle_filter(): the message until the patch starts, then the patch */
static void handle_filter(struct mi *mi, const char *p, size_t len, bool view,
			  size_t lineno)
{
	if (!mi->in_patch) {
		if (!handle_commit_msg(mi, &p, &len, &view, lineno))
			return;
		mi->in_patch = true;
		mi->patch_lineno = lineno;
	}
	patch_add(mi, p, len, view);
	mi->patch_lines++;
}

static void prev_add(struct mi *mi, const char *p, size_t len, size_t lineno)
{
	if (!mi->prev.len)
		mi->prev_line = lineno;
	qs_buf_add(&mi->prev, p, len);
}

static void flush_prev(struct mi *mi)
{
	if (!mi->prev.len)
		return;
	handle_filter(mi, mi->prev.ptr, mi->prev.len, false, mi->prev_line);
	qs_buf_clear(&mi->prev);
}

/*
 * git's handle_filter_flowed(): format=flowed (RFC 3676) lines that end
 * in a space are joined with the next one, a leading space is unstuffed.
 * Without format=flowed, the line goes through as it is (git only
 * notices a quoted CR, to warn about it).
 */
static void handle_flowed(struct mi *mi, const char *p, size_t len, bool view,
			  size_t lineno)
{
	size_t n = len;

	if (!mi->format_flowed) {
		handle_filter(mi, p, len, view, lineno);
		return;
	}
	/* git reads p[-1] of an empty line here; we take it as no '\n' */
	if (n && p[n - 1] == '\n') {
		n--;
		if (n && p[n - 1] == '\r')
			n--;
	}
	/* the signature separator stays as it is */
	if (n == 3 && has_prefix(p, clen(p, len), "-- ")) {
		flush_prev(mi);
		handle_filter(mi, p, len, view, lineno);
		return;
	}
	if (n && p[0] == ' ') {
		p++;
		len--;
		n--;
	}
	if (n && p[n - 1] == ' ') {
		prev_add(mi, p, n - (mi->delsp ? 1 : 0), lineno);
		return;
	}
	if (mi->prev.len) {
		qs_buf_set(&mi->flow, mi->prev.ptr, mi->prev.len);
		qs_buf_add(&mi->flow, p, len);
		lineno = mi->prev_line;
		qs_buf_clear(&mi->prev);
		handle_filter(mi, mi->flow.ptr, mi->flow.len, false, lineno);
		return;
	}
	handle_filter(mi, p, len, view, lineno);
}

static bool is_multipart_boundary(struct mi *mi, const struct line *l)
{
	const qs_buf *b = &mi->boundary[mi->top];

	return b->len <= l->len && !memcmp(l->p, b->ptr, b->len);
}

/* git's find_boundary(): skip to the next line that starts the boundary */
static bool find_boundary(struct mi *mi)
{
	while (!read_line(&mi->in, &mi->line))
		if (mi->top && is_multipart_boundary(mi, &mi->line))
			return true;
	return false;
}

/*
 * git's handle_boundary(): at a boundary line. An end boundary pops the
 * stack and sends a '\n' down the filter; a part's boundary reads the
 * part's headers. The line after the one that ended them becomes the
 * current line: git drops the first body line of a part that has no
 * blank line after its headers, and so do we.
 */
static bool handle_boundary(struct mi *mi)
{
	struct line *l = &mi->line;
	size_t newline = 1;

	while (l->len >= mi->boundary[mi->top].len + 2 &&
	       !memcmp(l->p + mi->boundary[mi->top].len, "--", 2)) {
		qs_buf_clear(&mi->boundary[mi->top]);
		mi->top--;
		/*
		 * git releases its "\n" after the first end boundary: the
		 * ones that follow at once send an empty line.
		 */
		handle_filter(mi, "\n", newline, false, l->lineno);
		newline = 0;
		if (!find_boundary(mi))
			return false;
	}

	mi->te = TE_DONTCARE;
	qs_buf_clear(&mi->charset);
	while (read_header_line(mi))
		check_header(mi, l->p, l->len, HDR_PRIMARY, false, l->lineno);

	if (read_line(&mi->in, l))
		return false;
	line_own(l);
	qs_buf_truncate(&l->own, l->len);
	qs_buf_addch(&l->own, '\n');
	line_sync(l);
	return true;
}

/*
 * A line of a quoted-printable or base64 body. Decoded, it may hold
 * several lines or part of one; the part left at the end waits in `prev`
 * for the next input line. A decoded line is numbered with the input line
 * its first byte came from.
 */
static void handle_encoded_line(struct mi *mi, const struct line *l)
{
	size_t s, first_line;

	if (mi->te == TE_QP)
		decode_q(&mi->tebuf, l->p, l->len, false);
	else
		decode_b(&mi->tebuf, l->p, l->len);

	/*
	 * No end of line: it all waits in prev. git copies prev in front
	 * of every line here, which is quadratic for a long line.
	 */
	if (!memchr(mi->tebuf.ptr, '\n', mi->tebuf.len)) {
		prev_add(mi, mi->tebuf.ptr, mi->tebuf.len, l->lineno);
		return;
	}
	first_line = mi->prev.len ? mi->prev_line : l->lineno;
	qs_buf_set(&mi->joined, mi->prev.ptr, mi->prev.len);
	qs_buf_addbuf(&mi->joined, &mi->tebuf);
	qs_buf_clear(&mi->prev);

	for (s = 0; s < mi->joined.len; ) {
		const char *p = mi->joined.ptr + s;
		const char *nl = memchr(p, '\n', mi->joined.len - s);
		size_t lineno = s ? l->lineno : first_line;

		if (!nl) {
			prev_add(mi, p, mi->joined.len - s, lineno);
			break;
		}
		handle_flowed(mi, p, (size_t)(nl - p) + 1, false, lineno);
		s += (size_t)(nl - p) + 1;
	}
}

/* git's handle_body(): every line after the mail's header block */
static void handle_body(struct mi *mi)
{
	struct line *l = &mi->line;

	/* the text before the first boundary is not part of any part */
	if (mi->top && !find_boundary(mi))
		return;
	do {
		if (mi->top && is_multipart_boundary(mi, l)) {
			flush_prev(mi);
			/* at the end of the last part git is done: no flush below */
			if (!handle_boundary(mi))
				return;
		}
		if (mi->te == TE_DONTCARE)
			handle_flowed(mi, l->p, l->len, l->view, l->lineno);
		else
			handle_encoded_line(mi, l);
	} while (!read_whole_line(&mi->in, l));

	flush_prev(mi);
	flush_inbody_header(mi);
}

/*
 * Author and subject, as git's handle_info() prints them.
 */

/*
 * git's unquote_quoted_pair(): "quoted strings" lose their quotes,
 * (comments) keep their parentheses, a backslash takes the next
 * character as it is. git recurses into nested comments; a depth count
 * does the same without a stack to exhaust.
 */
static void unquote_quoted_pair(qs_buf *out, const char *in)
{
	int c;

	qs_buf_clear(out);
	while ((c = (unsigned char)*in++)) {
		bool literal = false;
		size_t depth;

		if (c == '"') {
			while ((c = (unsigned char)*in++)) {
				if (literal)
					literal = false;
				else if (c == '\\') {
					literal = true;
					continue;
				} else if (c == '"')
					break;
				qs_buf_addch(out, c);
			}
		} else if (c == '(') {
			qs_buf_addch(out, '(');
			for (depth = 1; depth && (c = (unsigned char)*in++); ) {
				if (literal) {
					literal = false;
				} else if (c == '\\') {
					literal = true;
					continue;
				} else if (c == '(') {
					depth++;
				} else if (c == ')') {
					depth--;
				}
				qs_buf_addch(out, c);
			}
		} else {
			qs_buf_addch(out, c);
			continue;
		}
		/*
		 * git steps past the NUL of an unterminated quote or
		 * comment and reads on; we take the end as the end.
		 */
		if (!c)
			break;
	}
}

/* git's get_sane_name(): a name that looks like none gives way to the email */
static void sane_name(qs_buf *out, const qs_buf *name, const qs_buf *email)
{
	const qs_buf *src = name;

	if (!name->len || name->len > 60 || strpbrk(name->ptr, "@<>"))
		src = email;
	if (src != out)
		qs_buf_set(out, src->ptr, src->len);
}

/*
 * git's handle_from(): the email is the word around the first '@' (its
 * '<' and '>' go), the name is what is left, trimmed and out of its
 * parentheses. Without an '@', only "Name <address>" gives anything.
 */
static void handle_from(qs_buf *name, qs_buf *email, const char *from,
			qs_buf *f)
{
	const char *at_sign, *bra, *ket;
	size_t a, el;

	qs_buf_clear(name);
	qs_buf_clear(email);
	unquote_quoted_pair(f, from);
	at_sign = strchr(f->ptr, '@');
	if (!at_sign) {
		/* parse_bogus_from(), on the line before unquoting */
		bra = strchr(from, '<');
		ket = bra ? strchr(bra, '>') : NULL;
		if (!ket)
			return;
		qs_buf_set(email, bra + 1, (size_t)(ket - bra - 1));
		qs_buf_set(name, from, (size_t)(bra - from));
		buf_trim(name);
		sane_name(name, name, email);
		return;
	}
	for (a = (size_t)(at_sign - f->ptr); a > 0; a--) {
		char c = f->ptr[a - 1];

		if (gspace((unsigned char)c))
			break;
		if (c == '<') {
			f->ptr[a - 1] = ' ';
			break;
		}
	}
	el = strcspn(f->ptr + a, " \n\t\r\v\f>");
	qs_buf_set(email, f->ptr + a, el);
	qs_buf_remove(f, a, el + (f->ptr[a + el] ? 1 : 0));

	cleanup_space(f);
	buf_trim(f);
	if (f->len && f->ptr[0] == '(' && f->ptr[f->len - 1] == ')') {
		qs_buf_truncate(f, f->len - 1);
		qs_buf_remove(f, 0, 1);
	}
	sane_name(name, f, email);
}

/*
 * git's cleanup_subject(): "Re:", white space, ':' and [bracketed] text
 * go from the front until something else comes. With -b only brackets
 * that hold "PATCH" go. git removes each piece with a memmove; we copy
 * what stays once (a subject of a million spaces is no reason to stall).
 */
static void cleanup_subject(qs_buf *s, bool keep_non_patch)
{
	char *b = s->ptr;
	size_t len = s->len, r = 0, w = 0;

	/* b[0, w) stays, b[r, len) is still to look at */
	while (r < len) {
		const char *close;
		size_t n;

		switch (b[r]) {
		case 'r': case 'R':
			if (len - r <= 3)
				goto done;
			if ((b[r + 1] == 'e' || b[r + 1] == 'E') && b[r + 2] == ':') {
				r += 3;
				continue;
			}
			goto done;
		case ' ': case '\t': case ':':
			r++;
			continue;
		case '[':
			/* strchr(): a NUL before the ']' hides it */
			close = memchr(b + r, ']', len - r);
			if (!close || memchr(b + r, '\0', (size_t)(close - (b + r))))
				goto done;
			n = (size_t)(close - (b + r)) + 1;
			if (!keep_non_patch ||
			    (n >= 7 && memmem(b + r, n, "PATCH", 5))) {
				r += n;
				continue;
			}
			memmove(b + w, b + r, n);
			w += n;
			r += n;
			/* a space after the kept ']' stays too */
			if (gspace(at(b + r, len - r, 0)))
				b[w++] = b[r++];
			continue;
		}
		goto done;
	}
done:
	memmove(b + w, b + r, len - r);
	qs_buf_truncate(s, w + len - r);
	buf_trim(s);
}

/* git's handle_info(): which value of each header counts, cleaned up */
static void handle_info(struct mi *mi)
{
	qs_mail *mail = mi->mail;
	int i;

	for (i = 0; i < NR_HEADERS; i++) {
		int which;
		qs_buf *h;
		size_t lineno;

		/* in-body headers count only when there is a patch */
		if (mi->patch_lines && mi->hdr_set[HDR_SECONDARY][i])
			which = HDR_SECONDARY;
		else if (mi->hdr_set[HDR_PRIMARY][i])
			which = HDR_PRIMARY;
		else
			continue;
		h = &mi->hdr[which][i];
		lineno = mi->hdr_line[which][i];
		if (memchr(h->ptr, '\0', h->len))
			input_error(mi, lineno, "a NUL byte in '%s' is not allowed",
				    header_name[i]);
		mail->has[i] = true;
		mail->origin[i] = which == HDR_SECONDARY ? QS_ORIGIN_INBODY
							 : QS_ORIGIN_HEADER;
		switch (i) {
		case H_SUBJECT:
			qs_buf_set(&mail->raw_subject, h->ptr, clen(h->ptr, h->len));
			cleanup_space(&mail->raw_subject);
			buf_trim(&mail->raw_subject);
			if (!mi->keep_subject) {
				cleanup_subject(h, mi->keep_non_patch);
				cleanup_space(h);
			}
			qs_buf_set(&mail->git_subject, h->ptr, clen(h->ptr, h->len));
			break;
		case H_FROM:
			cleanup_space(h);
			handle_from(&mail->git_name, &mail->git_email, h->ptr,
				    &mi->hval);
			break;
		case H_DATE:
			cleanup_space(h);
			qs_buf_set(&mail->date, h->ptr, clen(h->ptr, h->len));
			mail->date_line = lineno;
			break;
		}
	}
}

/*
 * The commit message, as git am makes it.
 */

/* git's strbuf_stripspace(sb, 0): trailing white space, runs of blank lines */
static void stripspace(qs_buf *sb)
{
	size_t empties = 0, i, j, len, newlen;

	if (qs_buf_grow(sb, 1) < 0)
		return;
	for (i = j = 0; i < sb->len; i += len, j += newlen) {
		const char *eol = memchr(sb->ptr + i, '\n', sb->len - i);

		len = eol ? (size_t)(eol - (sb->ptr + i)) + 1 : sb->len - i;
		newlen = len;
		while (newlen && gspace((unsigned char)sb->ptr[i + newlen - 1]))
			newlen--;
		if (newlen) {
			if (empties > 0 && j > 0)
				sb->ptr[j++] = '\n';
			empties = 0;
			memmove(sb->ptr + j, sb->ptr + i, newlen);
			sb->ptr[newlen + j++] = '\n';
		} else {
			empties++;
		}
	}
	sb->len = j;
	sb->ptr[j] = '\0';
}

/*
 * Where git's find_invalid_utf8() stops: a byte that does not start a
 * well-formed UTF-8 sequence (overlong forms, surrogates, U+xxFFFE/F and
 * U+FDD0..FDEF are refused too). Returns len when all is well.
 */
static size_t find_invalid_utf8(const unsigned char *b, size_t len)
{
	static const unsigned int max_codepoint[] = { 0x7f, 0x7ff, 0xffff, 0x10ffff };
	size_t i = 0;

	while (i < len) {
		unsigned int c = b[i], cp, bytes = 0;
		size_t bad = i++;

		if (c < 0x80)
			continue;
		while (c & 0x40) {
			c = (c << 1) & 0xff;
			bytes++;
		}
		if (bytes < 1 || bytes > 3 || len - i < bytes)
			return bad;
		cp = (c & 0x7f) >> bytes;
		for (unsigned int k = 0; k < bytes; k++, i++) {
			cp = cp << 6 | (b[i] & 0x3f);
			if ((b[i] & 0xc0) != 0x80)
				return bad;
		}
		if (cp <= max_codepoint[bytes - 1] || cp > max_codepoint[bytes])
			return bad;
		if ((cp & 0x1ff800) == 0xd800 || (cp & 0xfffe) == 0xfffe ||
		    (cp >= 0xfdd0 && cp <= 0xfdef))
			return bad;
	}
	return len;
}

/*
 * git's verify_utf8(), which commit_tree_extended() runs on every commit
 * it writes: a byte that is not valid UTF-8 is taken as Latin-1.
 */
static void fix_utf8(qs_buf *sb, qs_buf *tmp)
{
	const unsigned char *b = (const unsigned char *)sb->ptr;
	size_t pos = 0, bad;

	if (find_invalid_utf8(b, sb->len) == sb->len)
		return;
	qs_buf_clear(tmp);
	while ((bad = pos + find_invalid_utf8(b + pos, sb->len - pos)) < sb->len) {
		qs_buf_add(tmp, b + pos, bad - pos);
		qs_buf_addch(tmp, 0xc0 + (b[bad] >> 6));
		qs_buf_addch(tmp, 0x80 + (b[bad] & 0x3f));
		pos = bad + 1;
	}
	qs_buf_add(tmp, b + pos, sb->len - pos);
	qs_buf_set(sb, tmp->ptr, tmp->len);
}

/*
 * git am's message: the Subject: lines of mailinfo's output joined by
 * '\n', a blank line, the body; then stripspace and, on commit,
 * verify_utf8(). git refuses to commit a NUL byte; we drop NUL bytes.
 */
static void build_message(qs_mail *mail, const char *subject,
			  const char *body, size_t body_len, qs_buf *tmp)
{
	qs_buf *m = &mail->message;
	const char *s = subject, *nl;
	size_t i, w;

	qs_buf_clear(m);
	for (;;) {
		nl = strchr(s, '\n');
		if (m->len)
			qs_buf_addch(m, '\n');
		qs_buf_add(m, s, nl ? (size_t)(nl - s) : strlen(s));
		if (!nl)
			break;
		s = nl + 1;
	}
	qs_buf_add(m, "\n\n", 2);
	qs_buf_add(m, body, body_len);
	if (qs_buf_oom(m))
		return;
	for (i = w = 0; i < m->len; i++)
		if (m->ptr[i])
			m->ptr[w++] = m->ptr[i];
	qs_buf_truncate(m, w);
	stripspace(m);
	fix_utf8(m, tmp);
}

/*
 * Trailers, as git interpret-trailers --parse finds them (trailer.c of
 * git 2.39, with no trailer.* configuration): in the last paragraph of
 * the message, not in the first, before a "---" divider and trailing
 * comment lines; a paragraph of "Key: value" lines, or one with a
 * Signed-off-by and at least a quarter of such lines. A line that starts
 * with white space continues the trailer above it.
 */

/* git's next_line() */
static const char *next_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? nl + 1 : s + strlen(s);
}

/* git's last_line(): where the line before offset len starts, or -1 */
static ptrdiff_t last_line(const char *buf, size_t len)
{
	ptrdiff_t i;

	if (len == 0)
		return -1;
	if (len == 1)
		return 0;
	for (i = (ptrdiff_t)len - 2; i >= 0; i--)
		if (buf[i] == '\n')
			return i + 1;
	return 0;
}

static bool is_blank_line(const char *s)
{
	while (*s && *s != '\n' && gspace((unsigned char)*s))
		s++;
	return !*s || *s == '\n';
}

/* git's find_separator() with ':' as the only separator */
static ptrdiff_t find_separator(const char *line)
{
	bool whitespace_found = false;
	const char *c;

	for (c = line; *c; c++) {
		if (*c == ':')
			return c - line;
		if (!whitespace_found &&
		    (galpha((unsigned char)*c) || gdigit((unsigned char)*c) || *c == '-'))
			continue;
		if (c != line && (*c == ' ' || *c == '\t')) {
			whitespace_found = true;
			continue;
		}
		break;
	}
	return -1;
}

/* git's ignore_non_trailer(): trailing comments and blank lines */
static size_t ignore_non_trailer(const char *buf, size_t len)
{
	static const char cut[] =
		"\n# ------------------------ >8 ------------------------";
	size_t boc = 0, bol = 0, cutoff = len;
	bool in_conflicts = false;
	const char *p;

	/* git's wt_status_locate_end(); past `len` it would loop forever */
	if (!strncmp(buf, cut + 1, sizeof(cut) - 2))
		cutoff = 0;
	else if ((p = strstr(buf, cut)) && (size_t)(p - buf) < len)
		cutoff = (size_t)(p - buf) + 1;

	while (bol < cutoff) {
		const char *nl = memchr(buf + bol, '\n', len - bol);
		size_t next = nl ? (size_t)(nl - buf) + 1 : len;

		if (buf[bol] == '#' || buf[bol] == '\n') {
			if (!boc)
				boc = bol;
		} else if (!strncmp(buf + bol, "Conflicts:\n", 11)) {
			in_conflicts = true;
			if (!boc)
				boc = bol;
		} else if (in_conflicts && buf[bol] == '\t') {
			;
		} else if (boc) {
			boc = 0;
			in_conflicts = false;
		}
		bol = next;
	}
	return boc ? len - boc : len - cutoff;
}

static size_t find_trailer_start(const char *buf, size_t len)
{
	static const char *const git_generated[] = {
		"Signed-off-by: ", "(cherry picked from commit ",
	};
	const char *s;
	ptrdiff_t l, end_of_title;
	bool only_spaces = true, recognized_prefix = false;
	size_t trailer_lines = 0, non_trailer_lines = 0, continuation = 0, i;

	/* the first paragraph is the title and cannot be trailers */
	for (s = buf; s < buf + len; s = next_line(s)) {
		if (s[0] == '#')
			continue;
		if (is_blank_line(s))
			break;
	}
	end_of_title = s - buf;

	for (l = last_line(buf, len); l >= end_of_title;
	     l = last_line(buf, (size_t)l)) {
		const char *bol = buf + l;
		bool generated = false;

		if (bol[0] == '#') {
			non_trailer_lines += continuation;
			continuation = 0;
			continue;
		}
		if (is_blank_line(bol)) {
			if (only_spaces)
				continue;
			non_trailer_lines += continuation;
			if (recognized_prefix && trailer_lines * 3 >= non_trailer_lines)
				return (size_t)(next_line(bol) - buf);
			if (trailer_lines && !non_trailer_lines)
				return (size_t)(next_line(bol) - buf);
			return len;
		}
		only_spaces = false;

		for (i = 0; i < QS_ARRAY_SIZE(git_generated); i++)
			if (!strncmp(bol, git_generated[i], strlen(git_generated[i])))
				generated = true;
		if (generated) {
			trailer_lines++;
			continuation = 0;
			recognized_prefix = true;
		} else if (find_separator(bol) >= 1 && !gspace((unsigned char)bol[0])) {
			trailer_lines++;
			continuation = 0;
		} else if (gspace((unsigned char)bol[0])) {
			continuation++;
		} else {
			non_trailer_lines++;
			non_trailer_lines += continuation;
			continuation = 0;
		}
	}
	return len;
}

/* An arena of strings: offsets while it grows, pointers at the end. */
static size_t arena_add(qs_buf *a, const char *p, size_t n)
{
	size_t off = a->len;

	qs_buf_add(a, p, n);
	qs_buf_addch(a, '\0');
	return off;
}

#define ARENA_OFF(off) ((const char *)(uintptr_t)(off))
#define ARENA_PTR(a, p) ((a)->ptr + (uintptr_t)(p))

/* the trimmed, unfolded value of a trailer, as --parse --unfold gives it */
static void unfold_value(qs_buf *out, const char *p, size_t n)
{
	size_t i = 0;

	qs_buf_clear(out);
	while (i < n) {
		char c = p[i++];

		if (c == '\n') {
			while (i < n && gspace((unsigned char)p[i]))
				i++;
			qs_buf_addch(out, ' ');
		} else {
			qs_buf_addch(out, c);
		}
	}
	buf_trim(out);
}

static int parse_trailers(qs_mail *mail, qs_buf *tmp)
{
	const char *str = mail->message.ptr, *s, *end;
	size_t patch_start, trailer_end, trailer_start, alloc = 0;

	/* git's find_patch_start(): a "---" line followed by white space */
	for (s = str; *s; s = next_line(s))
		if (!strncmp(s, "---", 3) && gspace((unsigned char)s[3]))
			break;
	patch_start = (size_t)(s - str);
	trailer_end = patch_start - ignore_non_trailer(str, patch_start);
	trailer_start = find_trailer_start(str, trailer_end);

	s = str + trailer_start;
	end = str + trailer_end;
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		ptrdiff_t sep;
		size_t key, val;

		e = e ? e + 1 : end;
		sep = find_separator(s);
		/* continuation lines belong to the trailer above */
		while (sep >= 1 && e < end && gspace((unsigned char)*e)) {
			const char *n = memchr(e, '\n', (size_t)(end - e));

			e = n ? n + 1 : end;
		}
		if (sep >= 1) {
			qs_buf_set(tmp, s, (size_t)sep);
			buf_trim(tmp);
			key = arena_add(&mail->strings, tmp->ptr, tmp->len);
			unfold_value(tmp, s + sep + 1, (size_t)(e - s - sep - 1));
			val = arena_add(&mail->strings, tmp->ptr, tmp->len);
			if (QS_ARRAY_GROW(mail->trailers, alloc, mail->trailer_nr + 1) < 0)
				return QS_ENOMEM;
			mail->trailers[mail->trailer_nr].key = ARENA_OFF(key);
			mail->trailers[mail->trailer_nr].value = ARENA_OFF(val);
			mail->trailer_nr++;
		}
		s = e;
	}
	return 0;
}

/*
 * "Link: https://lore.kernel.org/r/<msgid>" and its kin: the message-id
 * is the second path segment on lore.kernel.org or lkml.kernel.org, with
 * %XX escapes undone. What follows it ("/", "/T/#u") does not count.
 */
static bool link_message_id(qs_buf *out, const char *url)
{
	const char *p = url, *seg;
	size_t n, i;

	if (*p == '<')
		p++;
	if (has_iprefix(p, strlen(p), "https://"))
		p += 8;
	else if (has_iprefix(p, strlen(p), "http://"))
		p += 7;
	else
		return false;
	if (!has_iprefix(p, strlen(p), "lore.kernel.org/") &&
	    !has_iprefix(p, strlen(p), "lkml.kernel.org/"))
		return false;
	seg = p + 16;
	n = strcspn(seg, "/?#> \t");
	if (!n || seg[n] != '/')
		return false;
	seg += n + 1;
	if (*seg == '<') {
		seg++;
		n = strcspn(seg, ">");
	} else {
		n = strcspn(seg, "/?#> \t");
	}

	qs_buf_clear(out);
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (seg[i] == '%' && i + 2 < n &&
		    (hi = hexval(at(seg, n, i + 1))) >= 0 &&
		    (lo = hexval(at(seg, n, i + 2))) >= 0) {
			qs_buf_addch(out, hi << 4 | lo);
			i += 2;
		} else {
			qs_buf_addch(out, seg[i]);
		}
	}
	if (out->len >= 2 && out->ptr[0] == '<' && out->ptr[out->len - 1] == '>') {
		qs_buf_truncate(out, out->len - 1);
		qs_buf_remove(out, 0, 1);
	}
	return out->len && memchr(out->ptr, '@', out->len) &&
	       !memchr(out->ptr, '\0', out->len);
}

static int parse_links(qs_mail *mail, qs_buf *tmp, qs_buf *id)
{
	const char **vals = NULL;
	size_t i, alloc = 0;

	for (i = 0; i < mail->trailer_nr; i++) {
		size_t off;

		if (icmp(ARENA_PTR(&mail->strings, mail->trailers[i].key), "Link"))
			continue;
		/* the arena may move when it grows: work on a copy */
		qs_buf_sets(tmp, ARENA_PTR(&mail->strings, mail->trailers[i].value));
		if (!link_message_id(id, tmp->ptr))
			continue;
		off = arena_add(&mail->strings, id->ptr, id->len);
		if (QS_ARRAY_GROW(vals, alloc, mail->link_nr + 1) < 0) {
			free(vals);
			return QS_ENOMEM;
		}
		vals[mail->link_nr++] = ARENA_OFF(off);
	}
	mail->links = vals;
	return 0;
}

/* a decimal number, saturated at UINT_MAX */
static unsigned int parse_uint(const char *p, size_t n)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		v = v * 10 + (unsigned long)(p[i] - '0');
		if (v > UINT_MAX)
			return UINT_MAX;
	}
	return (unsigned int)v;
}

static size_t digits(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && gdigit((unsigned char)p[i]))
		i++;
	return i;
}

/*
 * The subject's leading [bracketed] groups ("[RFC PATCH v3 2/7]",
 * "[PATCH 1/2 v2]", "[PATCHv2]"): "vN" is the version, "N/M" index and
 * total, every other word is kept, in order.
 */
static int parse_prefix(qs_mail *mail, const char *s)
{
	bool found = false, have_version = false, have_index = false;
	size_t alloc = 0;
	const char **words = NULL;

	for (;;) {
		while (gspace((unsigned char)*s))
			s++;
		if ((s[0] == 'R' || s[0] == 'r') && (s[1] == 'e' || s[1] == 'E') &&
		    s[2] == ':') {
			s += 3;
			continue;
		}
		break;
	}
	while (*s == '[') {
		const char *close = strchr(s, ']'), *w = s + 1;

		if (!close)
			break;
		found = true;
		while (w < close) {
			size_t n, d;
			const char *word;

			while (w < close && (gspace((unsigned char)*w) || *w == ','))
				w++;
			word = w;
			while (w < close && !gspace((unsigned char)*w) && *w != ',')
				w++;
			n = (size_t)(w - word);
			if (!n)
				continue;
			if (n > 1 && (word[0] == 'v' || word[0] == 'V') &&
			    digits(word + 1, n - 1) == n - 1) {
				if (!have_version)
					mail->version = parse_uint(word + 1, n - 1);
				have_version = true;
				continue;
			}
			d = digits(word, n);
			if (d && d + 1 < n && word[d] == '/' &&
			    digits(word + d + 1, n - d - 1) == n - d - 1) {
				if (!have_index) {
					mail->index = parse_uint(word, d);
					mail->total = parse_uint(word + d + 1, n - d - 1);
				}
				have_index = true;
				continue;
			}
			/* "PATCHv2", "PATCH-v2" */
			if (n > 6 && has_iprefix(word, n, "PATCH")) {
				size_t v = 5 + (word[5] == '-');

				if (v + 1 < n && (word[v] == 'v' || word[v] == 'V') &&
				    digits(word + v + 1, n - v - 1) == n - v - 1) {
					if (!have_version)
						mail->version = parse_uint(word + v + 1, n - v - 1);
					have_version = true;
					n = 5;
				}
			}
			if (QS_ARRAY_GROW(words, alloc, mail->prefix_nr + 1) < 0) {
				free(words);
				return QS_ENOMEM;
			}
			words[mail->prefix_nr++] =
				ARENA_OFF(arena_add(&mail->strings, word, n));
		}
		s = close + 1;
		while (gspace((unsigned char)*s))
			s++;
	}
	mail->prefix = words;
	if (found && !have_version)
		mail->version = 1;
	return 0;
}

/*
 * akpm's cover letter quote: `Patch series "<title>", vN.` at the start
 * of a line, the title possibly with quotes of its own, the line possibly
 * wrapped (the paragraph is joined with single spaces). The title ends at
 * `", v<N>`, else at the first '"' followed by '.', ',' or the end of the
 * paragraph; with no closing quote at all, at the end of the line. And
 * "This patch (of N):".
 */
static void parse_series(qs_mail *mail, qs_buf *tmp)
{
	const char *s = mail->body.ptr, *end = s + clen(s, mail->body.len);
	static const char tag[] = "Patch series \"";
	static const char of[] = "This patch (of ";

	for (; s < end; ) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t n;

		e = e ? e : end;
		if (!mail->has_series && has_prefix(s, (size_t)(e - s), tag)) {
			const char *t = s + sizeof(tag) - 1, *p, *q, *close = NULL;
			size_t first_len;
			unsigned int version = 1;

			/* the paragraph, joined */
			qs_buf_set(tmp, t, (size_t)(e - t));
			buf_rtrim(tmp);
			first_len = tmp->len;
			for (p = e < end ? e + 1 : end; p < end; ) {
				const char *pe = memchr(p, '\n', (size_t)(end - p));
				size_t b = 0, l;

				pe = pe ? pe : end;
				l = (size_t)(pe - p);
				while (b < l && gspace((unsigned char)p[b]))
					b++;
				while (l > b && gspace((unsigned char)p[l - 1]))
					l--;
				if (b == l)
					break;
				qs_buf_addch(tmp, ' ');
				qs_buf_add(tmp, p + b, l - b);
				p = pe < end ? pe + 1 : end;
			}
			for (q = tmp->ptr; (q = strchr(q, '"')); q++) {
				if (!strncmp(q, "\", v", 4) && gdigit((unsigned char)q[4])) {
					for (n = 0; gdigit((unsigned char)q[4 + n]); n++)
						;
					close = q;
					version = parse_uint(q + 4, n);
					break;
				}
			}
			for (q = tmp->ptr; !close && (q = strchr(q, '"')); q++)
				if (q[1] == '.' || q[1] == ',' || !q[1])
					close = q;
			if (!close)
				close = tmp->ptr + first_len;
			n = (size_t)(close - tmp->ptr);
			mail->series_title = ARENA_OFF(arena_add(&mail->strings,
								 tmp->ptr, n));
			mail->series_version = version;
			mail->has_series = true;
		}
		if (!mail->series_total && has_prefix(s, (size_t)(e - s), of)) {
			const char *d = s + sizeof(of) - 1;

			n = digits(d, (size_t)(e - d));
			if (n && has_prefix(d + n, (size_t)(e - d - n), "):"))
				mail->series_total = parse_uint(d, n);
		}
		s = e < end ? e + 1 : end;
	}
}

/*
 * Fallbacks, for patches that are not mails (without QS_MAIL_STRICT).
 *
 * Debian's queues (DEP-3, or the older dpatch "# DP:" comments), git log
 * output pasted above a diff, bare diffs: git mailinfo leaves them
 * without author or subject, and git am refuses them. We give them:
 * - an author from the first non-empty DEP-3 Author:/From: field, in
 *   the header block (where git read and dropped it) or at the start of a
 *   line of the message ("Author:" is also git log's), else from the first
 *   Signed-off-by trailer;
 * - a subject from the first line of the first non-empty DEP-3
 *   Description:/Subject: field (a doubled "Description: Description:"
 *   counts once), cleaned up as git cleans a subject; its continuation
 *   lines (" ." for an empty one) become the first paragraph of the body.
 *   Taken from the header block, the other DEP-3 fields git dropped there
 *   (Bug, Origin, Forwarded, ...) come back at the end of the message,
 *   one per line. Taken from the message, the field's lines give way to
 *   the continuation lines. Else the subject is the file name without
 *   its directory, compression suffix and .patch/.diff.
 */
struct field {
	const char *value;	/* the first line's value, trimmed */
	size_t value_len;
	const char *cont;	/* continuation lines up to end */
	const char *start, *end;
};

static bool field_name_is(const char *p, size_t n, const char *const *names,
			  size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strlen(names[i]) == n && has_iprefix(p, n, names[i]))
			return true;
	return false;
}

/*
 * The first line of text[0, len) that is one of the `names` fields with
 * a value, dpatch's "# DP: Name: value" too when `dpatch`.
 */
static bool find_field(const char *text, size_t len, const char *const *names,
		       size_t nr, bool dpatch, struct field *f)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		const char *p = s, *v, *ve, *c;
		bool dp = false;
		size_t n;

		e = e ? e + 1 : end;
		if (dpatch && has_prefix(p, (size_t)(e - p), "# DP:")) {
			p += 5;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			dp = true;
		}
		for (n = 0; p + n < e && p[n] != ':' && !gspace((unsigned char)p[n]); n++)
			;
		if (p + n < e && p[n] == ':' && field_name_is(p, n, names, nr)) {
			v = p + n + 1;
			ve = e;
			while (v < ve && gspace((unsigned char)*v))
				v++;
			while (ve > v && gspace((unsigned char)ve[-1]))
				ve--;
			c = e;
			while (!dp && c < end && (*c == ' ' || *c == '\t')) {
				const char *ce = memchr(c, '\n', (size_t)(end - c));

				c = ce ? ce + 1 : end;
			}
			if (ve > v) {
				f->value = v;
				f->value_len = (size_t)(ve - v);
				f->start = s;
				f->cont = e;
				f->end = c;
				return true;
			}
		}
		s = e;
	}
	return false;
}

/* a DEP-3 field of the header block, looked for among `names` */
static bool find_header_field(const qs_mail *mail, const struct mi *mi,
			      const char *const *names, size_t nr, struct field *f)
{
	size_t i;

	for (i = 0; i < mi->dep3_nr; i++)
		if (find_field(mail->input + mi->dep3[i].start,
			       mi->dep3[i].end - mi->dep3[i].start, names, nr,
			       false, f))
			return true;
	return false;
}

/* DEP-3's long description: the continuation lines, " ." for a blank */
static void add_long_description(qs_buf *out, const struct field *f)
{
	const char *s = f->cont;

	while (s < f->end) {
		const char *e = memchr(s, '\n', (size_t)(f->end - s));
		size_t n;

		e = e ? e : f->end;
		n = (size_t)(e - s);
		/* drop the one white space character that marks it */
		s++;
		n = n ? n - 1 : 0;
		while (n && gspace((unsigned char)s[n - 1]))
			n--;
		if (!(n == 1 && s[0] == '.'))
			qs_buf_add(out, s, n);
		qs_buf_addch(out, '\n');
		s = e < f->end ? e + 1 : f->end;
	}
}

/* The author from a DEP-3 field or a trailer: git's rules, else the text. */
static bool author_from_text(qs_mail *mail, const char *p, size_t n, qs_buf *tmp,
			     qs_buf *scratch)
{
	qs_buf_set(tmp, p, n);
	buf_cstr(tmp);
	cleanup_space(tmp);
	buf_trim(tmp);
	if (!tmp->len)
		return false;
	handle_from(&mail->fb_name, &mail->fb_email, tmp->ptr, scratch);
	if (!mail->fb_name.len) {
		qs_buf_set(&mail->fb_name, tmp->ptr, tmp->len);
		qs_buf_clear(&mail->fb_email);
	}
	return true;
}

static void author_fallback(qs_mail *mail, const struct mi *mi, qs_buf *tmp,
			    qs_buf *scratch)
{
	static const char *const names[] = { "Author", "From" };
	struct field f;
	size_t i;

	if ((find_header_field(mail, mi, names, 2, &f) ||
	     find_field(mail->body.ptr, clen(mail->body.ptr, mail->body.len),
			names, 2, true, &f)) &&
	    author_from_text(mail, f.value, f.value_len, tmp, scratch)) {
		mail->origin[H_FROM] = QS_ORIGIN_DEP3;
		return;
	}
	for (i = 0; i < mail->trailer_nr; i++) {
		const qs_trailer *t = &mail->trailers[i];

		if (!icmp(ARENA_PTR(&mail->strings, t->key), "Signed-off-by")) {
			const char *v = ARENA_PTR(&mail->strings, t->value);

			if (author_from_text(mail, v, strlen(v), tmp, scratch)) {
				mail->origin[H_FROM] = QS_ORIGIN_SIGNOFF;
				return;
			}
		}
	}
}

/* the file name, without directory, compression suffix, .patch or .diff */
static void name_subject(qs_buf *out, const char *name)
{
	static const char *const zip[] = { ".gz", ".bz2", ".xz" };
	static const char *const ext[] = { ".patch", ".diff" };
	const char *base = strrchr(name, '/');
	size_t i, n;

	base = base ? base + 1 : name;
	n = strlen(base);
	for (i = 0; i < QS_ARRAY_SIZE(zip); i++)
		if (n > strlen(zip[i]) && !strcmp(base + n - strlen(zip[i]), zip[i])) {
			n -= strlen(zip[i]);
			break;
		}
	for (i = 0; i < QS_ARRAY_SIZE(ext); i++)
		if (n > strlen(ext[i]) && !strncmp(base + n - strlen(ext[i]), ext[i],
						   strlen(ext[i]))) {
			n -= strlen(ext[i]);
			break;
		}
	qs_buf_set(out, base, n);
}

/*
 * The subject from a DEP-3 field's first line ("Description: Description:"
 * counts once), cleaned up as git cleans a subject. Empty when nothing is
 * left of it.
 */
static void dep3_subject(qs_mail *mail, const struct field *f)
{
	const char *v = f->value;
	size_t n = f->value_len;

	while (has_iprefix(v, n, "Description:") || has_iprefix(v, n, "Subject:")) {
		size_t skip = glower((unsigned char)*v) == 'd' ? 12 : 8;

		v += skip;
		n -= skip;
		while (n && gspace((unsigned char)*v)) {
			v++;
			n--;
		}
	}
	qs_buf_set(&mail->fb_subject, v, n);
	buf_cstr(&mail->fb_subject);
	qs_buf_set(&mail->fb_raw_subject, mail->fb_subject.ptr, mail->fb_subject.len);
	cleanup_space(&mail->fb_raw_subject);
	buf_trim(&mail->fb_raw_subject);
	if (!(mail->flags & QS_MAIL_KEEP_SUBJECT)) {
		cleanup_subject(&mail->fb_subject, mail->flags & QS_MAIL_KEEP_NON_PATCH);
		cleanup_space(&mail->fb_subject);
	}
}

/* The other DEP-3 fields of the header block, "Name: value" lines. */
static void add_dropped_fields(qs_buf *body, const qs_mail *mail,
			       const struct mi *mi, qs_buf *tmp)
{
	static const char *const taken[] = { "Description", "Subject", "Author", "From" };
	size_t i;

	for (i = 0; i < mi->dep3_nr; i++) {
		const char *p = mail->input + mi->dep3[i].start;
		size_t n = mi->dep3[i].name_len;

		if (field_name_is(p, n, taken, QS_ARRAY_SIZE(taken)))
			continue;
		qs_buf_set(tmp, p + n + 1, mi->dep3[i].end - mi->dep3[i].start - n - 1);
		buf_cstr(tmp);
		cleanup_space(tmp);
		buf_trim(tmp);
		qs_buf_add(body, p, n);
		qs_buf_add(body, ": ", 2);
		qs_buf_addbuf(body, tmp);
		qs_buf_addch(body, '\n');
	}
}

/*
 * The subject fallback. `body` receives the body git am would commit with
 * it; returns false when the body stays git's.
 */
static bool subject_fallback(qs_mail *mail, const struct mi *mi, qs_buf *body,
			     qs_buf *tmp)
{
	static const char *const names[] = { "Description", "Subject" };
	const char *msg = mail->body.ptr;
	size_t len = mail->body.len;
	bool in_header;
	struct field f;

	in_header = find_header_field(mail, mi, names, 2, &f);
	if (in_header || find_field(msg, clen(msg, len), names, 2, true, &f)) {
		dep3_subject(mail, &f);
		if (mail->fb_subject.len) {
			mail->origin[H_SUBJECT] = QS_ORIGIN_DEP3;
			qs_buf_clear(body);
			if (in_header) {
				add_long_description(body, &f);
				qs_buf_addch(body, '\n');
				qs_buf_add(body, msg, len);
				qs_buf_addch(body, '\n');
				add_dropped_fields(body, mail, mi, tmp);
			} else {
				qs_buf_add(body, msg, (size_t)(f.start - msg));
				add_long_description(body, &f);
				qs_buf_add(body, f.end, len - (size_t)(f.end - msg));
			}
			return true;
		}
		qs_buf_clear(&mail->fb_raw_subject);
	}
	if (mail->name) {
		name_subject(&mail->fb_subject, mail->name);
		if (mail->fb_subject.len) {
			qs_buf_set(&mail->fb_raw_subject, mail->fb_subject.ptr,
				   mail->fb_subject.len);
			mail->origin[H_SUBJECT] = QS_ORIGIN_FILENAME;
		}
	}
	return false;
}

/*
 * Parsing, from the top.
 */

static void mailinfo(struct mi *mi)
{
	struct reader *r = &mi->in;
	struct line *l = &mi->line;

	/* git skips white space before the first header, then reads on */
	while (r->pos < r->len && gspace((unsigned char)r->buf[r->pos])) {
		if (r->buf[r->pos] == '\n')
			r->lineno++;
		r->pos++;
	}
	if (r->pos >= r->len) {
		mi->mail->empty = true;
		return;
	}
	while (read_header_line(mi)) {
		note_dep3_field(mi);
		check_header(mi, l->p, l->len, HDR_PRIMARY, true, l->lineno);
	}
	handle_body(mi);
	handle_info(mi);
}

/* The patch: the view when it runs to the end of the input, else a copy. */
static void finish_patch(struct mi *mi)
{
	qs_mail *mail = mi->mail;

	if (!mi->patch_copied && mi->patch_view_len &&
	    mi->patch_view + mi->patch_view_len != mail->input + mail->input_len) {
		qs_buf_add(&mail->patch_buf, mi->patch_view, mi->patch_view_len);
		mi->patch_copied = true;
	}
	if (mi->patch_copied) {
		mail->patch = mail->patch_buf.ptr;
		mail->patch_len = mail->patch_buf.len;
	} else if (mi->patch_view_len) {
		mail->patch = mi->patch_view;
		mail->patch_len = mi->patch_view_len;
	} else {
		mail->patch = "";
		mail->patch_len = 0;
	}
	mail->patch_line = mi->patch_lines ? mi->patch_lineno : 0;
}

/* "<id@host>" and comments around it: the id */
static int set_message_id(qs_mail *mail, const qs_buf *value)
{
	const char *p = value->ptr, *lt = strchr(p, '<'), *gt;
	size_t n;

	if (lt && (gt = strchr(lt, '>'))) {
		p = lt + 1;
		n = (size_t)(gt - p);
	} else {
		while (gspace((unsigned char)*p))
			p++;
		n = strlen(p);
		while (n && gspace((unsigned char)p[n - 1]))
			n--;
	}
	if (!n)
		return 0;
	mail->message_id = qs__strndup(p, n);
	return mail->message_id ? 0 : QS_ENOMEM;
}

static int derive(struct mi *mi)
{
	qs_mail *mail = mi->mail;
	bool strict = mail->flags & QS_MAIL_STRICT;
	const qs_buf *body = &mail->body;
	const char *subject;
	qs_buf *tmp = &mi->hval, *tmp2 = &mi->cont;
	size_t i;
	int error;

	if (!mail->git_subject.len)
		mail->origin[H_SUBJECT] = QS_ORIGIN_NONE;
	if (!mail->git_name.len)
		mail->origin[H_FROM] = QS_ORIGIN_NONE;
	if (!mail->date.len)
		mail->origin[H_DATE] = QS_ORIGIN_NONE;

	if (!strict && mail->origin[H_SUBJECT] == QS_ORIGIN_NONE &&
	    subject_fallback(mail, mi, &mi->joined, tmp))
		body = &mi->joined;
	if (mail->origin[H_SUBJECT] == QS_ORIGIN_DEP3 ||
	    mail->origin[H_SUBJECT] == QS_ORIGIN_FILENAME) {
		mail->subject = mail->fb_subject.ptr;
		mail->raw_subj = mail->fb_raw_subject.ptr;
	} else {
		mail->subject = mail->git_subject.ptr;
		mail->raw_subj = mail->raw_subject.ptr;
	}
	subject = mail->subject;

	build_message(mail, subject, body->ptr, body->len, tmp);
	if (qs_buf_oom(&mail->message))
		return QS_ENOMEM;
	if ((error = parse_trailers(mail, tmp)) < 0)
		return error;
	if (!strict && mail->origin[H_FROM] == QS_ORIGIN_NONE)
		author_fallback(mail, mi, tmp, tmp2);
	if (mail->origin[H_FROM] == QS_ORIGIN_DEP3 ||
	    mail->origin[H_FROM] == QS_ORIGIN_SIGNOFF) {
		mail->author_name = mail->fb_name.ptr;
		mail->author_email = mail->fb_email.ptr;
	} else {
		mail->author_name = mail->git_name.ptr;
		mail->author_email = mail->git_email.ptr;
	}
	if ((error = parse_links(mail, tmp, tmp2)) < 0)
		return error;
	if ((error = parse_prefix(mail, mail->raw_subj)) < 0)
		return error;
	parse_series(mail, tmp);
	if (qs_buf_oom(&mail->strings))
		return QS_ENOMEM;

	/* the arena does not move any more: offsets become pointers */
	for (i = 0; i < mail->trailer_nr; i++) {
		mail->trailers[i].key = ARENA_PTR(&mail->strings, mail->trailers[i].key);
		mail->trailers[i].value = ARENA_PTR(&mail->strings, mail->trailers[i].value);
	}
	for (i = 0; i < mail->link_nr; i++)
		mail->links[i] = ARENA_PTR(&mail->strings, mail->links[i]);
	for (i = 0; i < mail->prefix_nr; i++)
		mail->prefix[i] = ARENA_PTR(&mail->strings, mail->prefix[i]);
	if (mail->has_series)
		mail->series_title = ARENA_PTR(&mail->strings, mail->series_title);
	return 0;
}

#define MAIL_BUFS(m) { &(m)->git_name, &(m)->git_email, &(m)->git_subject, \
	&(m)->date, &(m)->raw_subject, &(m)->body, &(m)->patch_buf, \
	&(m)->fb_name, &(m)->fb_email, &(m)->fb_subject, &(m)->fb_raw_subject, \
	&(m)->message, &(m)->strings }

#define MI_BUFS(m) { &(m)->line.own, &(m)->hdr[0][0], &(m)->hdr[0][1], \
	&(m)->hdr[0][2], &(m)->hdr[1][0], &(m)->hdr[1][1], &(m)->hdr[1][2], \
	&(m)->charset, &(m)->boundary[0], &(m)->boundary[1], \
	&(m)->boundary[2], &(m)->boundary[3], &(m)->boundary[4], \
	&(m)->accum, &(m)->prev, &(m)->log, &(m)->message_id, &(m)->cont, \
	&(m)->hval, &(m)->dec, &(m)->cs, &(m)->out, &(m)->conv, &(m)->joined, \
	&(m)->flow, &(m)->tebuf, &(m)->cd_name, &(m)->fail_msg }

static void mi_init(struct mi *mi, qs_mail *mail)
{
	qs_buf *bufs[] = MI_BUFS(mi);
	size_t i;

	memset(mi, 0, sizeof(*mi));
	for (i = 0; i < QS_ARRAY_SIZE(bufs); i++)
		qs_buf_init(bufs[i]);
	mi->mail = mail;
	mi->keep_subject = mail->flags & QS_MAIL_KEEP_SUBJECT;
	mi->keep_non_patch = mail->flags & QS_MAIL_KEEP_NON_PATCH;
	mi->use_scissors = mail->flags & QS_MAIL_SCISSORS;
	mi->use_inbody_headers = !(mail->flags & QS_MAIL_NO_INBODY_HEADERS);
	mi->add_message_id = mail->flags & QS_MAIL_MESSAGE_ID;
	mi->header_stage = true;
	mi->in.buf = mail->input;
	mi->in.len = mail->input_len;
	mi->line.p = "";
}

/* Whether an allocation failed anywhere; then free the parser. */
static bool mi_release(struct mi *mi)
{
	qs_buf *bufs[] = MI_BUFS(mi);
	bool oom = mi->dep3_oom;
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(bufs); i++) {
		oom |= qs_buf_oom(bufs[i]);
		qs_buf_release(bufs[i]);
	}
	if (mi->cd_open)
		iconv_close(mi->cd);
	free(mi->dep3);
	return oom;
}

static bool mail_oom(const qs_mail *mail)
{
	const qs_buf *bufs[] = MAIL_BUFS(mail);
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(bufs); i++)
		if (qs_buf_oom(bufs[i]))
			return true;
	return false;
}

int qs_mail_parse(qs_mail **out, const char *buf, size_t len,
		  const qs_mail_options *opts)
{
	static const qs_mail_options defaults = QS_MAIL_OPTIONS_INIT;
	qs_mail *mail = NULL;
	struct mi mi;
	bool strict, oom;
	int error = 0;
	size_t i;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_mail_parse: NULL out");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_mail_parse: NULL buffer");
	if (!opts)
		opts = &defaults;
	if (opts->version != QS_MAIL_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL, "unsupported qs_mail_options version %u",
				     opts->version);
	if (opts->flags & ~(unsigned int)KNOWN_FLAGS)
		return qs__error_set(QS_EINVAL, "unknown qs_mail_options flags 0x%x",
				     opts->flags & ~(unsigned int)KNOWN_FLAGS);

	mail = qs__calloc(1, sizeof(*mail));
	if (!mail)
		return QS_ENOMEM;
	{
		qs_buf *bufs[] = MAIL_BUFS(mail);

		for (i = 0; i < QS_ARRAY_SIZE(bufs); i++)
			qs_buf_init(bufs[i]);
	}
	mail->flags = opts->flags;
	strict = opts->flags & QS_MAIL_STRICT;
	mail->input = qs__malloc(len + 1);
	if (!mail->input || (opts->name && !(mail->name = qs__strdup(opts->name)))) {
		qs_mail_free(mail);
		return QS_ENOMEM;
	}
	if (len)
		memcpy(mail->input, buf, len);
	mail->input[len] = '\0';
	mail->input_len = len;

	mi_init(&mi, mail);
	mailinfo(&mi);
	finish_patch(&mi);
	/* the message body is the parser's log: take it over */
	mail->body = mi.log;
	qs_buf_init(&mi.log);
	if (mi.have_message_id)
		error = set_message_id(mail, &mi.message_id);

	if (!error && mail->empty) {
		if (strict)
			error = qs__error_set_at(QS_EPARSE, mail->name, 0, "empty patch");
		else
			qs__log(QS_LOG_WARNING, mail->name, 0, "empty patch");
	}
	if (!error && mi.failed && strict)
		error = qs__error_set_at(QS_EPARSE, mail->name, mi.fail_line, "%s",
					 mi.fail_msg.ptr);
	if (!error)
		error = derive(&mi);
	oom = mi_release(&mi);
	if (!error && (oom || mail_oom(mail)))
		error = qs__error_oom();
	if (error) {
		qs_mail_free(mail);
		return error;
	}
	*out = mail;
	return 0;
}

void qs_mail_free(qs_mail *mail)
{
	if (!mail)
		return;
	{
		qs_buf *bufs[] = MAIL_BUFS(mail);
		size_t i;

		for (i = 0; i < QS_ARRAY_SIZE(bufs); i++)
			qs_buf_release(bufs[i]);
	}
	free(mail->input);
	free(mail->name);
	free(mail->message_id);
	free(mail->trailers);
	free((void *)mail->links);
	free((void *)mail->prefix);
	free(mail);
}

/*
 * Accessors.
 */

const char *qs_mail_author_name(const qs_mail *mail)
{
	return mail && mail->author_name ? mail->author_name : "";
}

const char *qs_mail_author_email(const qs_mail *mail)
{
	return mail && mail->author_email ? mail->author_email : "";
}

const char *qs_mail_date(const qs_mail *mail)
{
	return mail ? mail->date.ptr : "";
}

int qs_mail_time(int64_t *out_seconds, int *out_offset_minutes,
		 const qs_mail *mail)
{
	int64_t t;
	int off;

	if (!out_seconds || !out_offset_minutes || !mail)
		return qs__error_set(QS_EINVAL, "qs_mail_time: NULL argument");
	if (!mail->date.len)
		return qs__error_set_at(QS_ENOTFOUND, mail->name, 0, "no date");
	if (qs__date_parse(&t, &off, mail->date.ptr) < 0)
		return qs__error_set_at(QS_EPARSE, mail->name, mail->date_line,
					"invalid date format '%s'", mail->date.ptr);
	*out_seconds = t;
	*out_offset_minutes = off;
	return 0;
}

const char *qs_mail_subject(const qs_mail *mail)
{
	return mail && mail->subject ? mail->subject : "";
}

const char *qs_mail_raw_subject(const qs_mail *mail)
{
	return mail && mail->raw_subj ? mail->raw_subj : "";
}

const char *qs_mail_body(const qs_mail *mail, size_t *out_len)
{
	if (out_len)
		*out_len = mail ? mail->body.len : 0;
	return mail ? mail->body.ptr : "";
}

const char *qs_mail_message(const qs_mail *mail)
{
	return mail ? mail->message.ptr : "";
}

const char *qs_mail_patch(const qs_mail *mail, size_t *out_len)
{
	if (out_len)
		*out_len = mail ? mail->patch_len : 0;
	return mail ? mail->patch : "";
}

size_t qs_mail_patch_line(const qs_mail *mail)
{
	return mail ? mail->patch_line : 0;
}

const char *qs_mail_message_id(const qs_mail *mail)
{
	return mail ? mail->message_id : NULL;
}

size_t qs_mail_trailer_count(const qs_mail *mail)
{
	return mail ? mail->trailer_nr : 0;
}

const qs_trailer *qs_mail_trailer_byindex(const qs_mail *mail, size_t i)
{
	return mail && i < mail->trailer_nr ? &mail->trailers[i] : NULL;
}

size_t qs_mail_link_count(const qs_mail *mail)
{
	return mail ? mail->link_nr : 0;
}

const char *qs_mail_link_byindex(const qs_mail *mail, size_t i)
{
	return mail && i < mail->link_nr ? mail->links[i] : NULL;
}

unsigned int qs_mail_patch_version(const qs_mail *mail)
{
	return mail ? mail->version : 0;
}

unsigned int qs_mail_patch_index(const qs_mail *mail)
{
	return mail ? mail->index : 0;
}

unsigned int qs_mail_patch_total(const qs_mail *mail)
{
	return mail ? mail->total : 0;
}

size_t qs_mail_prefix_count(const qs_mail *mail)
{
	return mail ? mail->prefix_nr : 0;
}

const char *qs_mail_prefix_byindex(const qs_mail *mail, size_t i)
{
	return mail && i < mail->prefix_nr ? mail->prefix[i] : NULL;
}

const char *qs_mail_series_title(const qs_mail *mail)
{
	return mail && mail->has_series ? mail->series_title : NULL;
}

unsigned int qs_mail_series_version(const qs_mail *mail)
{
	return mail && mail->has_series ? mail->series_version : 0;
}

unsigned int qs_mail_series_total(const qs_mail *mail)
{
	return mail ? mail->series_total : 0;
}

qs_mail_origin_kind qs_mail_origin(const qs_mail *mail, qs_mail_field field)
{
	if (!mail)
		return QS_ORIGIN_NONE;
	switch (field) {
	case QS_FIELD_AUTHOR:
		return mail->origin[H_FROM];
	case QS_FIELD_SUBJECT:
		return mail->origin[H_SUBJECT];
	case QS_FIELD_DATE:
		return mail->origin[H_DATE];
	}
	return QS_ORIGIN_NONE;
}

int qs__mail_info(qs_buf *out, const qs_mail *mail)
{
	const char *s, *nl;

	if (!out || !mail)
		return qs__error_set(QS_EINVAL, "qs__mail_info: NULL argument");
	if (mail->empty)
		return 0;
	if (mail->has[H_FROM])
		qs_buf_addf(out, "Author: %s\nEmail: %s\n", mail->git_name.ptr,
			    mail->git_email.ptr);
	if (mail->has[H_SUBJECT]) {
		for (s = mail->git_subject.ptr; ; s = nl + 1) {
			nl = strchr(s, '\n');
			qs_buf_adds(out, "Subject: ");
			qs_buf_add(out, s, nl ? (size_t)(nl - s) : strlen(s));
			qs_buf_addch(out, '\n');
			if (!nl)
				break;
		}
	}
	if (mail->has[H_DATE])
		qs_buf_addf(out, "Date: %s\n", mail->date.ptr);
	qs_buf_addch(out, '\n');
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}
