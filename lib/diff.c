/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Diffs, read the way GNU patch 2.7.6 reads them when quilt runs it
 * (`patch -p1 --backup -f -i file`, POSIXLY_CORRECT unset).
 *
 * The scan mirrors GNU patch's two phases: a header scan over free text
 * (its intuit_diff_type()), which skips anything that is not a diff
 * header, and the hunk reader (another_hunk()), which reads as many lines
 * as the "@@" counts ask for. Where GNU patch and git disagree, what is
 * exposed follows the header's contract: names and git data as git reads
 * them, and the choice of the target file as GNU patch makes it. That
 * choice depends on -p and on the tree, so the header lines that name
 * files are recorded as events and replayed by qs_diff_file_target().
 *
 * The input is copied once; hunk lines point into the copy; files, hunks,
 * lines and events live in four arrays of the qs_diff; names and decoded
 * binary data in one string pool, referred to by offsets.
 */
#include "internal.h"

#include <zlib.h>

#define NO_OFF ((size_t)-1)
/* GNU patch's LINENUM_MAX for its `lin` (ptrdiff_t) */
#define LIN_MAX ((size_t)PTRDIFF_MAX)

enum { OLD = 0, NEW = 1, INDEX = 2 };

/* a header line that sets one of GNU patch's p_name[] slots */
enum ev_kind {
	EV_STAMPED,	/* "*** " or "+++ ": name and timestamp of the OLD slot */
	EV_MINUS,	/* "--- ": NEW slot; the timestamp only when it has one */
	EV_INDEX,	/* "Index:": no timestamp allowed */
	EV_GITPAIR,	/* "diff --git": resets OLD and NEW, then sets both */
};

#define NAME_DEVNULL 1	/* "/dev/null": no name, epoch timestamp */
#define NAME_IGNORED 2	/* malformed quoting, or junk after an Index name */

struct name_event {
	unsigned char kind;
	unsigned char slot;
	unsigned char flags;
	signed char ts;		/* -1 none or unparsed, 0 epoch, 1 another time */
	size_t name[2];		/* pool offsets; [1] only for EV_GITPAIR */
};

struct qs_hunk {
	const qs_diff *diff;
	size_t old_start, old_lines, new_start, new_lines;
	const char *section;
	size_t line;
	size_t first, count;	/* in diff->lines */
};

struct qs_diff_file {
	const qs_diff *diff;
	size_t line;
	qs_diff_op op;
	int is_git;
	int strip_cr;
	size_t old_path, new_path, index_path;	/* pool offsets or NO_OFF */
	size_t old_id, new_id;
	uint32_t old_mode, new_mode;
	int similarity;
	qs_binary_kind bin_kind[2];
	size_t bin_off[2], bin_len[2];
	size_t hunk_first, hunk_count;
	size_t ev_first, ev_count;
	/* GNU patch's view, for the target choice */
	signed char says[2];	/* p_says_nonexistent[] from git headers */
	unsigned char zero[2];	/* the first hunk header says "-0" / "+0" */
	unsigned char swapped;	/* a hunk was found: p_name[] are swapped */
	unsigned char rename, copy;
};

struct qs_diff {
	char *buf;
	size_t len;
	qs_buf pool;
	qs_diff_file *files;
	size_t nfiles, files_alloc;
	qs_hunk *hunks;
	size_t nhunks, hunks_alloc;
	qs_diff_line *lines;
	size_t nlines, lines_alloc;
	struct name_event *events;
	size_t nevents, events_alloc;
};

/* ------------------------------------------------------------------ */
/* Small helpers */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int starts(const char *s, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - s) >= n && !memcmp(s, prefix, n);
}

static size_t pool_add(qs_buf *pool, const char *s, size_t len)
{
	size_t off = pool->len;

	qs_buf_add(pool, s, len);
	qs_buf_addch(pool, '\0');
	return off;
}

/*
 * Add a name built in a scratch buffer. When the scratch buffer ran out
 * of memory the name is cut short: the pool takes the failure on, so
 * that the parse ends in QS_ENOMEM instead of going on with a wrong name
 * (and failing the patch as one that names no file).
 */
static size_t pool_add_buf(qs_buf *pool, const qs_buf *b)
{
	if (qs_buf_oom(b))
		pool->failed = 1;
	return pool_add(pool, b->ptr, b->len);
}

static const char *pool_str(const qs_diff *diff, size_t off)
{
	return off == NO_OFF ? NULL : diff->pool.ptr + off;
}

/*
 * Decode a C-style quoted name as git writes it and GNU patch's
 * parse_c_string() reads it. `s` points at the opening quote; the result
 * goes to `out` and `*endp` after the closing quote. -1 when malformed.
 */
static int unquote_c(qs_buf *out, const char *s, const char *end,
		     const char **endp)
{
	s++;
	while (s < end) {
		int c = (unsigned char)*s++;

		if (c == '"') {
			*endp = s;
			return 0;
		}
		if (c == '\0' || c == '\n')
			return -1;
		if (c != '\\') {
			qs_buf_addch(out, c);
			continue;
		}
		if (s >= end)
			return -1;
		c = (unsigned char)*s++;
		switch (c) {
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'v': c = '\v'; break;
		case '\\': case '"': break;
		case '0': case '1': case '2': case '3':
			if (end - s < 2 || s[0] < '0' || s[0] > '7' ||
			    s[1] < '0' || s[1] > '7')
				return -1;
			c = ((c - '0') << 6) | ((s[0] - '0') << 3) | (s[1] - '0');
			s += 2;
			if (!c)
				return -1;
			break;
		default:
			return -1;
		}
		qs_buf_addch(out, c);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Timestamps */

static int month_of(const char *s)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	for (int i = 0; i < 12; i++)
		if (!strncasecmp(s, names + 3 * i, 3))
			return i + 1;
	return 0;
}

static int scan_num(const char **sp, const char *end, int maxdigits,
		    long long *out)
{
	const char *s = *sp;
	long long n = 0;
	int k = 0;

	while (s < end && is_digit(*s) && k < maxdigits) {
		n = n * 10 + (*s++ - '0');
		k++;
	}
	if (!k)
		return -1;
	*sp = s;
	*out = n;
	return 0;
}

static void skip_ws(const char **sp, const char *end)
{
	while (*sp < end && is_space(**sp))
		(*sp)++;
}

static int scan_clock(const char **sp, const char *end, long long *secs)
{
	long long h, m, sec = 0;
	const char *s = *sp;

	if (scan_num(&s, end, 2, &h) || s >= end || *s++ != ':' ||
	    scan_num(&s, end, 2, &m))
		return -1;
	if (s < end && *s == ':') {
		s++;
		if (scan_num(&s, end, 2, &sec))
			return -1;
		if (s < end && (*s == '.' || *s == ',')) {
			s++;
			while (s < end && is_digit(*s))
				s++;
		}
	}
	if (h > 24 || m > 59 || sec > 60)
		return -1;
	*secs = h * 3600 + m * 60 + sec;
	*sp = s;
	return 0;
}

static int scan_zone(const char **sp, const char *end, long long *off)
{
	const char *s = *sp;
	long long hh, mm = 0;
	int sign;

	skip_ws(&s, end);
	*off = 0;
	if (s >= end)
		return 0;
	if (starts(s, end, "UTC") || starts(s, end, "GMT")) {
		*sp = s + 3;
		return 0;
	}
	if (*s == 'Z') {
		*sp = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return 0;
	sign = *s++ == '-' ? -1 : 1;
	if (end - s >= 4 && is_digit(s[0]) && is_digit(s[1]) &&
	    is_digit(s[2]) && is_digit(s[3])) {
		hh = (s[0] - '0') * 10 + (s[1] - '0');
		mm = (s[2] - '0') * 10 + (s[3] - '0');
		s += 4;
	} else if (scan_num(&s, end, 2, &hh)) {
		return -1;
	} else if (s < end && *s == ':') {
		s++;
		if (scan_num(&s, end, 2, &mm))
			return -1;
	}
	*off = sign * (hh * 3600 + mm * 60);
	*sp = s;
	return 0;
}

/*
 * Classify the timestamp after a name the way GNU patch's fetchname()
 * uses it: -1 when it does not parse, 0 when it is within a day of the
 * epoch (-25h < t < +26h, so that a local-time epoch of any zone counts:
 * the mark of a file that does not exist), 1 for any other time. Only
 * the forms diff, git and quilt write are understood: "YYYY-MM-DD
 * hh:mm:ss[.frac] [zone]" and ctime's "Www Mmm dd hh:mm:ss yyyy [zone]".
 * Blank text is "now" for parse_datetime(), so it is 1.
 */
static int timestamp_class(const char *s, const char *end)
{
	long long y, mo, d, secs, zone = 0, t;

	skip_ws(&s, end);
	if (s >= end)
		return 1;
	if (is_digit(*s)) {
		if (scan_num(&s, end, 6, &y) || s >= end || *s++ != '-' ||
		    scan_num(&s, end, 2, &mo) || s >= end || *s++ != '-' ||
		    scan_num(&s, end, 2, &d))
			return -1;
		if (s < end && (*s == 'T' || *s == ' ' || *s == '\t'))
			s++;
		skip_ws(&s, end);
		if (scan_clock(&s, end, &secs))
			return -1;
	} else {
		int m;

		/* optional weekday */
		if (end - s >= 3 && !month_of(s)) {
			while (s < end && ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
				s++;
			if (s < end && *s == ',')
				s++;
			skip_ws(&s, end);
		}
		if (end - s < 3 || !(m = month_of(s)))
			return -1;
		mo = m;
		while (s < end && ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
			s++;
		skip_ws(&s, end);
		if (scan_num(&s, end, 2, &d))
			return -1;
		skip_ws(&s, end);
		if (scan_clock(&s, end, &secs))
			return -1;
		skip_ws(&s, end);
		if (scan_num(&s, end, 6, &y))
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (scan_zone(&s, end, &zone))
		return -1;
	skip_ws(&s, end);
	if (s < end)
		return -1;
	t = qs__days_from_civil(y, (int)mo, (int)d) * 86400 + secs - zone;
	return (t > -25 * 3600 && t < 26 * 3600) ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Names */

/*
 * GNU patch's fetchname() up to the point where -p matters: the name
 * after "--- ", "+++ ", "*** " or "Index:" (`at`), its timestamp class,
 * and whether the line is ignored. The strip itself happens at replay.
 * `eol` is the line's '\n'.
 */
static void fetch_name(qs_diff *diff, struct name_event *ev, const char *at,
		       const char *eol, int stamped)
{
	const char *lim = memchr(at, '\0', (size_t)(eol - at));
	const char *t;
	qs_buf name = QS_BUF_INIT;
	int lim_is_newline;

	/* C string functions stop at a NUL byte, as in GNU patch */
	if (!lim)
		lim = eol;
	lim_is_newline = lim == eol;
	ev->flags = 0;
	ev->ts = -1;
	ev->name[0] = ev->name[1] = NO_OFF;
	while (at < lim && is_space(*at))
		at++;
	if (at < lim && *at == '"') {
		/* GNU patch does not check what follows the closing quote */
		if (unquote_c(&name, at, lim, &t) < 0) {
			ev->flags = NAME_IGNORED;
			goto done;
		}
	} else {
		for (t = at; t < lim; t++) {
			const char *u;
			int more;

			if (!is_space(*t))
				continue;
			/*
			 * Spaces belong to the name only when a tab separates
			 * the name from the timestamp (for Index:, when the
			 * line goes on after them). The newline at `lim` is
			 * whitespace too, as in GNU patch's C strings.
			 */
			u = t;
			while (*u != '\t' && (u + 1 < lim ||
			       (u + 1 == lim && lim_is_newline)) &&
			       is_space(u + 1 < lim ? u[1] : '\n'))
				u++;
			if (u < lim && *u == '\t')
				break;
			if (stamped)
				more = u + 1 < lim &&
				       memchr(u + 1, '\t', (size_t)(lim - u - 1));
			else
				more = lim_is_newline && u + 1 <= lim;
			if (!more)
				break;
		}
		qs_buf_add(&name, at, (size_t)(t - at));
	}
	if (!strcmp(name.ptr, "/dev/null") && name.len == 9) {
		ev->flags = NAME_DEVNULL;
		ev->ts = 0;
		goto done;
	}
	if (!stamped) {
		if (!(t == lim && lim_is_newline))
			ev->flags = NAME_IGNORED;
	} else if (!(t == lim && lim_is_newline)) {
		ev->ts = lim_is_newline ? timestamp_class(t, lim) : 1;
	}
	ev->name[0] = pool_add_buf(&diff->pool, &name);
done:
	qs_buf_release(&name);
}

/* GNU patch's parse_name(): one name of a "diff --git" line. */
static const char *git_pair_name(qs_diff *diff, size_t *off, const char *s,
				 const char *lim)
{
	qs_buf name = QS_BUF_INIT;
	const char *t;

	while (s < lim && is_space(*s))
		s++;
	if (s < lim && *s == '"') {
		if (unquote_c(&name, s, lim, &t) < 0) {
			qs_buf_release(&name);
			return NULL;
		}
	} else {
		for (t = s; t < lim && !is_space(*t); t++)
			;
		qs_buf_add(&name, s, (size_t)(t - s));
	}
	*off = pool_add_buf(&diff->pool, &name);
	qs_buf_release(&name);
	return t;
}

static void fetch_git_pair(qs_diff *diff, struct name_event *ev,
			   const char *s, const char *eol)
{
	const char *lim = memchr(s, '\0', (size_t)(eol - s));
	const char *u;

	if (!lim)
		lim = eol + 1;	/* the newline is whitespace to skip */
	ev->flags = NAME_IGNORED;
	ev->ts = -1;
	ev->name[0] = ev->name[1] = NO_OFF;
	u = git_pair_name(diff, &ev->name[0], s, lim);
	if (!u || u >= lim || !is_space(*u))
		return;
	u = git_pair_name(diff, &ev->name[1], u, lim);
	if (!u)
		return;
	while (u < lim && is_space(*u))
		u++;
	if (u == lim && lim == eol + 1)
		ev->flags = 0;
}

const char *qs_path_strip(const char *path, int n)
{
	const char *p, *name;
	int s = n;

	if (!path)
		return NULL;
	for (p = name = path; *p; p++) {
		if (*p != '/')
			continue;
		while (p[1] == '/')
			p++;
		if (n < 0 || --s >= 0)
			name = p + 1;
	}
	if ((n < 0 || s <= 0) && *name)
		return name;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The parser */

struct parser {
	qs_diff *diff;
	const char *buf;
	size_t end;		/* just after the last newline */
	size_t pos;		/* start of the next line */
	size_t lineno;		/* its line number in the patch file */
	const char *path;
	size_t first_line;
};

/* One line as GNU patch's pget_line() returns it. */
struct rline {
	size_t start;		/* raw start of the line */
	size_t lineno;
	const char *text;	/* after indentation and "- " nesting */
	size_t len;		/* up to and with the '\n' */
	int cr;			/* ends in "\r\n" and CRs are stripped */
};

static size_t line_end(const struct parser *ps, size_t pos)
{
	const char *nl = memchr(ps->buf + pos, '\n', ps->end - pos);

	return (size_t)(nl - ps->buf) + 1;
}

/*
 * Read the next line: skip up to `indent` columns of ' ', 'X' and tabs,
 * then up to `nesting` RFC 934 "- " prefixes; lines that then begin with
 * '#' are comments and skipped. A last line without a newline is not a
 * line at all. Returns 0 at the end.
 */
static int get_line(struct parser *ps, struct rline *l, size_t indent,
		    int nesting, int strip_cr)
{
	for (;;) {
		size_t p = ps->pos, i = 0, e;
		int nest = nesting;

		if (p >= ps->end)
			return 0;
		e = line_end(ps, p);
		while (indent > i) {
			char c = ps->buf[p];

			if (c == ' ' || c == 'X')
				i++;
			else if (c == '\t')
				i = (i + 8) & ~(size_t)7;
			else
				break;
			p++;
		}
		while (ps->buf[p] == '-' && 0 <= --nest) {
			if (ps->buf[p + 1] != ' ')
				break;
			p += 2;
		}
		l->start = ps->pos;
		l->lineno = ps->lineno;
		l->text = ps->buf + p;
		l->len = e - p;
		l->cr = strip_cr && l->len >= 2 && l->text[l->len - 2] == '\r';
		ps->pos = e;
		ps->lineno++;
		if (l->text[0] != '#')
			return 1;
	}
}

static int parse_error(const struct parser *ps, size_t lineno,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int parse_error(const struct parser *ps, size_t lineno,
		       const char *fmt, ...)
{
	qs_buf msg = QS_BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* a name cut short by a shortage may be what looks malformed */
	if (qs_buf_oom(&msg) || qs_buf_oom(&ps->diff->pool))
		ret = qs__error_oom();
	else if (ps->path)
		ret = qs__error_set_at(QS_EPARSE, ps->path, lineno, "%s", msg.ptr);
	else
		ret = qs__error_set(QS_EPARSE, "line %zu: %s", lineno, msg.ptr);
	qs_buf_release(&msg);
	return ret;
}

/* A short, printable excerpt of a line for error messages. */
static void excerpt(char *out, size_t size, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && s[i] != '\n' && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'') {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, size - o, "\\%03o", c);
			o += 4;
		}
	}
	if (i < len && s[i] != '\n' && o + 3 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* What the header scan found. */
enum diff_type { D_NONE, D_UNI, D_GITBIN };

struct header {
	size_t start, start_line;	/* first line of the hunks or binary */
	size_t file_line;
	size_t indent;
	int nesting;
	int strip_cr;
	int git;
	size_t ev_first;
	signed char says[2];
	unsigned char rename[2], copy[2];
	unsigned char zero[2];
	/* what git reads */
	const char *git_names;		/* after "diff --git " */
	const char *git_names_end;	/* its '\n' */
	size_t git_line;
	size_t minus, plus;		/* names of the last ---/+++ lines */
	int minus_null, plus_null;
	size_t minus_line, plus_line, index_line;
	size_t index_name;
	size_t rename_from, rename_to, copy_from, copy_to;
	int have_old_mode, have_new_mode;
	uint32_t old_mode, new_mode, index_mode;
	int new_file, deleted_file;
	size_t old_id, new_id;
	int similarity;
	int binary_nodata;
};

static int add_event(struct parser *ps, struct name_event **out)
{
	qs_diff *diff = ps->diff;

	if (QS_ARRAY_GROW(diff->events, diff->events_alloc, diff->nevents + 1))
		return QS_ENOMEM;
	*out = &diff->events[diff->nevents++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* git's mode: octal digits to the end of the line */
static uint32_t git_mode(const char *s, const char *eol)
{
	uint32_t mode = 0;
	int n = 0;

	while (s < eol && *s == ' ')
		s++;
	for (; s < eol && *s >= '0' && *s <= '7' && n < 7; s++, n++)
		mode = (mode << 3) | (uint32_t)(*s - '0');
	if (s < eol && *s == '\r')
		s++;
	return n && s == eol ? mode : 0;
}

static const char *skip_hex(const char *s, const char *eol)
{
	const char *p = s;

	while (p < eol && (is_digit(*p) || (*p >= 'a' && *p <= 'f')))
		p++;
	return p == s ? NULL : p;
}

static int sha_says(const char *s, const char *e)
{
	static const char empty[] = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
	const char *p;
	size_t i;

	for (p = s; p < e && *p == '0'; p++)
		;
	if (p == e)
		return 2;
	for (i = 0; s + i < e && i < sizeof(empty) - 1; i++)
		if (s[i] != empty[i])
			return 0;
	return s + i == e;
}

/* the rest of a git header line as a name: git quotes, or raw */
static size_t git_header_value(qs_diff *diff, const char *s, const char *eol)
{
	qs_buf name = QS_BUF_INIT;
	const char *t;
	size_t off;

	if (eol > s && eol[-1] == '\r')
		eol--;
	if (s < eol && *s == '"' && unquote_c(&name, s, eol, &t) == 0 &&
	    t == eol) {
		off = pool_add_buf(&diff->pool, &name);
	} else {
		off = pool_add(&diff->pool, s, (size_t)(eol - s));
	}
	qs_buf_release(&name);
	return off;
}

/* ed commands GNU patch recognises (its get_ed_command_letter()) */
static char ed_letter(const char *p, const char *eol)
{
	int pair = 0;
	char letter;

	if (p < eol && is_digit(*p)) {
		while (++p < eol && is_digit(*p))
			;
		if (p < eol && *p == ',') {
			if (++p >= eol || !is_digit(*p))
				return 0;
			while (++p < eol && is_digit(*p))
				;
			pair = 1;
		}
	}
	if (p >= eol)
		return 0;
	letter = *p++;
	switch (letter) {
	case 'a': case 'i':
		if (pair)
			return 0;
		break;
	case 'c': case 'd':
		break;
	case 's':
		if (!starts(p, eol, "/.//"))
			return 0;
		p += 4;
		break;
	default:
		return 0;
	}
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	return p == eol ? letter : 0;
}

static void header_init(struct header *h, const qs_diff *diff)
{
	memset(h, 0, sizeof(*h));
	h->ev_first = diff->nevents;
	h->minus = h->plus = h->index_name = NO_OFF;
	h->rename_from = h->rename_to = h->copy_from = h->copy_to = NO_OFF;
	h->old_id = h->new_id = NO_OFF;
	h->similarity = -1;
}

/*
 * GNU patch's intuit_diff_type(): scan free text for the next file diff.
 * Sets *type to D_NONE at the end of the input.
 */
static int scan_header(struct parser *ps, struct header *h,
		       enum diff_type *type)
{
	qs_diff *diff = ps->diff;
	int need_header = 1, stars_this = 0, this_is_command = 0;
	int ext_headers = 0, have_first_command = 0;
	char first_letter = 0;
	size_t indent = 0, prev_lineno = 0;
	struct rline l;
	int ret;

	header_init(h, diff);
	*type = D_NONE;
	for (;;) {
		int last_was_command = this_is_command;
		int stars_last = stars_this;
		size_t indent_last = indent;
		const char *s, *t, *eol;
		struct name_event *ev;
		char letter = 0;
		size_t this_start = ps->pos, this_lineno = ps->lineno;

		if (!get_line(ps, &l, 0, 0, 0)) {
			if (first_letter)
				return parse_error(ps, ps->lineno,
						   "ed scripts are not supported");
			if (ext_headers) {
				h->start = ps->pos;
				h->start_line = ps->lineno;
				*type = D_UNI;
				return 0;
			}
			/* trailing garbage, or no diff at all */
			diff->nevents = h->ev_first;
			return 0;
		}
		this_start = l.start;
		this_lineno = l.lineno;
		eol = l.text + l.len - 1;
		indent = 0;
		for (s = l.text; *s == ' ' || *s == '\t' || *s == 'X'; s++)
			indent = *s == '\t' ? (indent + 8) & ~(size_t)7 : indent + 1;
		if (is_digit(*s)) {
			for (t = s + 1; is_digit(*t) || *t == ','; t++)
				;
			if (*t == 'd' || *t == 'c' || *t == 'a') {
				for (t++; is_digit(*t) || *t == ','; t++)
					;
				while (*t == ' ' || *t == '\t')
					t++;
				if (*t == '\r')
					t++;
				this_is_command = t == eol;
			}
		}
		if (!need_header && !have_first_command &&
		    ((letter = ed_letter(s, eol)) || this_is_command)) {
			have_first_command = 1;
			first_letter = letter;
		}

		if (!stars_last && starts(s, eol, "*** ")) {
			if ((ret = add_event(ps, &ev)))
				return ret;
			ev->kind = EV_STAMPED;
			ev->slot = OLD;
			fetch_name(diff, ev, s + 4, eol, 1);
			need_header = 0;
		} else if (starts(s, eol, "+++ ")) {
			if ((ret = add_event(ps, &ev)))
				return ret;
			ev->kind = EV_STAMPED;
			ev->slot = OLD;
			fetch_name(diff, ev, s + 4, eol, 1);
			need_header = 0;
			h->strip_cr = l.len >= 2 && eol[-1] == '\r';
			h->plus = ev->name[0];
			h->plus_null = ev->flags & NAME_DEVNULL;
			h->plus_line = this_lineno;
		} else if (starts(s, eol, "Index:")) {
			if ((ret = add_event(ps, &ev)))
				return ret;
			ev->kind = EV_INDEX;
			ev->slot = INDEX;
			fetch_name(diff, ev, s + 6, eol, 0);
			need_header = 0;
			h->strip_cr = l.len >= 2 && eol[-1] == '\r';
			t = s + 6;
			while (t < eol && is_space(*t))
				t++;
			{
				const char *e = eol;

				while (e > t && is_space(e[-1]))
					e--;
				h->index_name = e > t ?
					pool_add(&diff->pool, t, (size_t)(e - t)) : NO_OFF;
			}
			h->index_line = this_lineno;
		} else if (starts(s, eol, "Prereq:")) {
			/* checked by GNU patch, but quilt passes -f */
		} else if (starts(s, eol, "diff --git ")) {
			if (ext_headers) {
				ps->pos = this_start;
				ps->lineno = this_lineno;
				h->start = this_start;
				h->start_line = this_lineno;
				*type = D_UNI;
				return 0;
			}
			/*
			 * GNU patch forgets the old and new names here (the
			 * replay does it) but keeps an Index: name.
			 */
			h->similarity = -1;
			h->binary_nodata = 0;
			if ((ret = add_event(ps, &ev)))
				return ret;
			ev->kind = EV_GITPAIR;
			fetch_git_pair(diff, ev, s + 11, eol);
			h->git = 1;
			h->git_names = s + 11;
			h->git_names_end = eol;
			h->git_line = this_lineno;
			need_header = 0;
		} else if (h->git && starts(s, eol, "index ")) {
			const char *u, *v;

			if ((u = skip_hex(s + 6, eol)) && u + 1 < eol &&
			    u[0] == '.' && u[1] == '.' &&
			    (v = skip_hex(u + 2, eol)) &&
			    (v == eol || is_space(*v))) {
				h->says[OLD] = (signed char)sha_says(s + 6, u);
				h->says[NEW] = (signed char)sha_says(u + 2, v);
				h->old_id = pool_add(&diff->pool, s + 6, (size_t)(u - s - 6));
				h->new_id = pool_add(&diff->pool, u + 2, (size_t)(v - u - 2));
				while (v < eol && is_space(*v))
					v++;
				if (v < eol)
					h->index_mode = git_mode(v, eol);
				ext_headers = 1;
			}
		} else if (h->git && starts(s, eol, "old mode ")) {
			h->old_mode = git_mode(s + 9, eol);
			h->have_old_mode = 1;
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "new mode ")) {
			h->new_mode = git_mode(s + 9, eol);
			h->have_new_mode = 1;
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "deleted file mode ")) {
			h->old_mode = git_mode(s + 18, eol);
			h->have_old_mode = 1;
			h->deleted_file = 1;
			h->says[NEW] = 2;
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "new file mode ")) {
			h->new_mode = git_mode(s + 14, eol);
			h->have_new_mode = 1;
			h->new_file = 1;
			h->says[OLD] = 2;
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "rename from ")) {
			h->rename[OLD] = 1;
			h->rename_from = git_header_value(diff, s + 12, eol);
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "rename to ")) {
			h->rename[NEW] = 1;
			h->rename_to = git_header_value(diff, s + 10, eol);
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "copy from ")) {
			h->copy[OLD] = 1;
			h->copy_from = git_header_value(diff, s + 10, eol);
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "copy to ")) {
			h->copy[NEW] = 1;
			h->copy_to = git_header_value(diff, s + 8, eol);
			ext_headers = 1;
		} else if (h->git && starts(s, eol, "GIT binary patch")) {
			h->start = this_start;
			h->start_line = this_lineno;
			h->indent = indent;
			*type = D_GITBIN;
			return 0;
		} else {
			/* "- --- " is an RFC 934 encapsulated "--- " */
			for (t = s; t[0] == '-' && t[1] == ' '; t += 2)
				;
			if (starts(t, eol, "--- ")) {
				if ((ret = add_event(ps, &ev)))
					return ret;
				ev->kind = EV_MINUS;
				ev->slot = NEW;
				fetch_name(diff, ev, t + 4, eol, 1);
				need_header = 0;
				if (ev->ts != -1)
					h->nesting = (int)((t - s) >> 1);
				h->strip_cr = l.len >= 2 && eol[-1] == '\r';
				h->minus = ev->name[0];
				h->minus_null = ev->flags & NAME_DEVNULL;
				h->minus_line = this_lineno;
			}
		}
		if (h->git && !h->binary_nodata && starts(s, eol, "Binary files "))
			h->binary_nodata = 1;
		if (h->git && starts(s, eol, "similarity index ")) {
			long long v;

			t = s + 17;
			if (!scan_num(&t, eol, 3, &v) && v <= 100)
				h->similarity = (int)v;
		}
		if (need_header)
			continue;
		if (have_first_command && eol - s == 1 && *s == '.')
			return parse_error(ps, this_lineno,
					   "ed scripts are not supported");
		if (starts(s, eol, "@@ -")) {
			t = s + 4;
			h->zero[OLD] = t[0] == '0' && !is_digit(t[1]);
			while (*t != ' ' && *t != '\n')
				t++;
			while (*t == ' ')
				t++;
			h->zero[NEW] = t[0] == '+' && t[1] == '0' && !is_digit(t[2]);
			h->indent = indent;
			h->start = this_start;
			h->start_line = this_lineno;
			*type = D_UNI;
			return 0;
		}
		stars_this = starts(s, eol, "********");
		if (stars_last && indent_last == indent && starts(s, eol, "*** "))
			return parse_error(ps, prev_lineno,
					   "context diffs are not supported");
		if (last_was_command &&
		    (starts(s, eol, "< ") || starts(s, eol, "> ")))
			return parse_error(ps, prev_lineno,
					   "normal diffs are not supported");
		prev_lineno = this_lineno;
	}
}

/* ------------------------------------------------------------------ */
/* Hunks */

static int scan_linenum(const char **sp, const char *eol, size_t *out)
{
	const char *s = *sp;
	size_t n = 0;
	int overflow = 0;

	if (s >= eol || !is_digit(*s))
		return -1;
	for (; s < eol && is_digit(*s); s++) {
		if (n > (LIN_MAX - 9) / 10)
			overflow = 1;
		n = n * 10 + (size_t)(*s - '0');
	}
	*sp = s;
	*out = n;
	return overflow ? -2 : 0;
}

static int add_line(struct parser *ps, char origin, const char *content,
		    size_t len, int no_newline)
{
	qs_diff *diff = ps->diff;
	qs_diff_line *dl;

	if (QS_ARRAY_GROW(diff->lines, diff->lines_alloc, diff->nlines + 1))
		return QS_ENOMEM;
	dl = &diff->lines[diff->nlines++];
	dl->origin = origin;
	dl->no_newline = no_newline;
	dl->content = content;
	dl->len = len;
	return 0;
}

/*
 * GNU patch's incomplete_line(): a raw line starting with '\' right after
 * the last line of a side marks it as having no newline; it is consumed.
 */
static int incomplete_line(struct parser *ps)
{
	if (ps->pos < ps->end && ps->buf[ps->pos] == '\\') {
		ps->pos = line_end(ps, ps->pos);
		ps->lineno++;
		return 1;
	}
	return 0;
}

static int parse_hunk_header(struct parser *ps, const struct rline *l,
			     qs_hunk *hk)
{
	const char *s = l->text + 4, *eol = l->text + l->len - 1;
	char ex[80];
	int r;

	excerpt(ex, sizeof(ex), l->text, l->len);
	if (l->cr)
		eol--;
	if ((r = scan_linenum(&s, eol, &hk->old_start)))
		goto bad_number;
	hk->old_lines = 1;
	if (*s == ',' && (s++, (r = scan_linenum(&s, eol, &hk->old_lines))))
		goto bad_number;
	if (hk->old_start >= LIN_MAX - hk->old_lines)
		goto malformed;
	if (*s == ' ')
		s++;
	if (*s != '+')
		goto malformed;
	s++;
	if ((r = scan_linenum(&s, eol, &hk->new_start)))
		goto bad_number;
	hk->new_lines = 1;
	if (*s == ',' && (s++, (r = scan_linenum(&s, eol, &hk->new_lines))))
		goto bad_number;
	if (hk->new_start >= LIN_MAX - hk->new_lines)
		goto malformed;
	if (*s == ' ')
		s++;
	if (s >= eol || *s++ != '@')
		goto malformed;
	hk->section = "";
	if (s < eol && *s++ == '@' && s < eol && *s == ' ') {
		/* the copy is ours: end the section where the line ends */
		*(char *)eol = '\0';
		hk->section = s + 1;
	}
	if (hk->old_lines >= LIN_MAX - (hk->new_lines + 1))
		goto malformed;
	return 0;
bad_number:
	if (r == -2)
		return parse_error(ps, l->lineno,
				   "line number too large in hunk header '%s'", ex);
	return parse_error(ps, l->lineno,
			   "missing line number in hunk header '%s'", ex);
malformed:
	return parse_error(ps, l->lineno, "malformed hunk header '%s'", ex);
}

/*
 * GNU patch's another_hunk() for unified diffs: the lines of one hunk,
 * as many as its header counts. Returns 1 with a hunk, 0 when the next
 * line is not a hunk header (ps->pos is left on it), or an error.
 */
static int parse_hunk(struct parser *ps, const struct header *h,
		      qs_diff_file *file)
{
	qs_diff *diff = ps->diff;
	size_t save_pos = ps->pos, save_line = ps->lineno;
	size_t old_seen = 0, new_seen = 0, changes = 0, hunk_line;
	struct rline l;
	qs_hunk *hk;
	char ex[80];
	int ret;

	if (!get_line(ps, &l, h->indent, h->nesting, h->strip_cr) ||
	    l.len - l.cr <= 4 || !starts(l.text, l.text + l.len, "@@ -")) {
		ps->pos = save_pos;
		ps->lineno = save_line;
		return 0;
	}
	if (QS_ARRAY_GROW(diff->hunks, diff->hunks_alloc, diff->nhunks + 1))
		return QS_ENOMEM;
	hk = &diff->hunks[diff->nhunks];
	memset(hk, 0, sizeof(*hk));
	if ((ret = parse_hunk_header(ps, &l, hk)))
		return ret;
	hk->line = hunk_line = l.lineno;
	hk->first = diff->nlines;
	diff->nhunks++;
	file->hunk_count++;

	while (old_seen < hk->old_lines || new_seen < hk->new_lines) {
		const char *content;
		size_t len;
		char ch;
		int last_old, last_new, nonl = 0;

		if (!get_line(ps, &l, h->indent, h->nesting, h->strip_cr)) {
			/* GNU patch assumes that trailing blank lines were chopped */
			if (hk->new_lines - new_seen > 3)
				return parse_error(ps, hunk_line,
						   "unexpected end of patch in hunk: %zu old and %zu new lines missing",
						   hk->old_lines - old_seen,
						   hk->new_lines - new_seen);
			ch = ' ';
			content = "";
			len = 0;
			l.lineno = ps->lineno;
			l.text = "\n";
			l.len = 1;
		} else if (l.text[0] == '\t' || l.text[0] == '\n' ||
			   (l.cr && l.len == 2)) {
			/* a context line whose leading space was eaten */
			ch = ' ';
			content = l.text;
			len = l.len - 1;
		} else {
			ch = l.text[0] == '=' ? ' ' : l.text[0];
			content = l.text + 1;
			len = l.len - 2;
		}
		last_old = old_seen + 1 == hk->old_lines;
		last_new = new_seen + 1 == hk->new_lines;
		switch (ch) {
		case '-':
			if (old_seen >= hk->old_lines)
				goto too_long;
			if (last_old)
				nonl = incomplete_line(ps);
			old_seen++;
			break;
		case ' ':
			if (old_seen >= hk->old_lines || new_seen >= hk->new_lines)
				goto too_long;
			/* GNU patch looks for "\\ No newline" once per side */
			if (last_old)
				nonl |= incomplete_line(ps);
			if (last_new)
				nonl |= incomplete_line(ps);
			old_seen++;
			new_seen++;
			break;
		case '+':
			if (new_seen >= hk->new_lines)
				goto too_long;
			if (last_new)
				nonl = incomplete_line(ps);
			new_seen++;
			break;
		default:
			excerpt(ex, sizeof(ex), l.text, l.len);
			return parse_error(ps, l.lineno,
					   "malformed hunk line '%s': %zu old and %zu new lines missing",
					   ex, hk->old_lines - old_seen,
					   hk->new_lines - new_seen);
		}
		if ((ret = add_line(ps, ch, content, len, nonl)))
			return ret;
		hk->count++;
		changes += ch != ' ';
		continue;
too_long:
		excerpt(ex, sizeof(ex), l.text, l.len);
		return parse_error(ps, l.lineno,
				   "hunk line '%s' is beyond the counts of the hunk header at line %zu",
				   ex, hunk_line);
	}
	/* GNU patch: "malformed patch" (there is no prefix context) */
	if (!changes)
		return parse_error(ps, hunk_line,
				   "hunk adds and removes no line");
	return 1;
}

/* ------------------------------------------------------------------ */
/* Git binary patches */

static const char b85_chars[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"abcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

static int b85_value(unsigned char c)
{
	const char *p = c ? strchr(b85_chars, c) : NULL;

	return p ? (int)(p - b85_chars) : -1;
}

static int inflate_exact(qs_buf *out, const qs_buf *in, size_t size)
{
	z_stream z;
	size_t start = out->len;
	int zret, ret = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in->ptr;
	z.avail_in = (uInt)in->len;
	for (;;) {
		size_t room;

		if (qs_buf_grow(out, 65536) < 0) {
			ret = QS_ENOMEM;
			break;
		}
		room = out->alloc - out->len - 1;
		z.next_out = (Bytef *)out->ptr + out->len;
		z.avail_out = (uInt)(room > 65536 ? 65536 : room);
		zret = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->ptr);
		out->ptr[out->len] = '\0';
		if (out->len - start > size) {
			ret = -1;
			break;
		}
		if (zret == Z_STREAM_END) {
			ret = out->len - start == size ? 0 : -1;
			break;
		}
		if (zret != Z_OK) {
			ret = -1;
			break;
		}
	}
	inflateEnd(&z);
	return ret;
}

/*
 * One "literal N" or "delta N" hunk of a "GIT binary patch": base85
 * lines, each led by a letter telling its byte count, up to an empty
 * line; then the zlib stream must inflate to exactly N bytes.
 * Returns 1 with a hunk, 0 when the next line starts no hunk.
 */
static int parse_binary_hunk(struct parser *ps, qs_diff_file *file, int which)
{
	qs_diff *diff = ps->diff;
	qs_buf data = QS_BUF_INIT;
	const char *s, *eol;
	size_t size = 0, hunk_line = ps->lineno, e;
	qs_binary_kind kind;
	int ret = 0;

	if (ps->pos >= ps->end)
		return 0;
	s = ps->buf + ps->pos;
	e = line_end(ps, ps->pos);
	eol = ps->buf + e - 1;
	if (starts(s, eol, "literal ")) {
		kind = QS_BINARY_LITERAL;
		s += 8;
	} else if (starts(s, eol, "delta ")) {
		kind = QS_BINARY_DELTA;
		s += 6;
	} else {
		return 0;
	}
	if (scan_linenum(&s, eol, &size) || s != eol)
		return parse_error(ps, hunk_line,
				   "malformed size in binary patch");
	ps->pos = e;
	ps->lineno++;
	for (;;) {
		size_t llen, bytes, max, i;
		int c;

		if (ps->pos >= ps->end) {
			ret = parse_error(ps, ps->lineno,
					  "binary patch ends without an empty line");
			goto done;
		}
		s = ps->buf + ps->pos;
		e = line_end(ps, ps->pos);
		llen = e - ps->pos;
		if (llen == 1) {
			ps->pos = e;
			ps->lineno++;
			break;
		}
		c = (unsigned char)s[0];
		if (c >= 'A' && c <= 'Z')
			bytes = (size_t)(c - 'A' + 1);
		else if (c >= 'a' && c <= 'z')
			bytes = (size_t)(c - 'a' + 27);
		else {
			ret = parse_error(ps, ps->lineno,
					  "corrupt binary patch: bad length character");
			goto done;
		}
		max = (llen - 2) / 5 * 4;
		if (llen < 7 || (llen - 2) % 5 || max < bytes || bytes + 4 <= max) {
			ret = parse_error(ps, ps->lineno,
					  "corrupt binary patch: line length does not match its byte count");
			goto done;
		}
		for (i = 0; i < bytes; i += 4) {
			const char *g = s + 1 + i / 4 * 5;
			uint32_t acc = 0;
			unsigned char out[4];
			int k;

			for (k = 0; k < 5; k++) {
				int v = b85_value((unsigned char)g[k]);

				if (v < 0 || (k == 4 &&
				    (0xffffffffu / 85 < acc ||
				     0xffffffffu - (uint32_t)v < acc * 85))) {
					ret = parse_error(ps, ps->lineno,
							  "corrupt binary patch: bad base85 data");
					goto done;
				}
				acc = acc * 85 + (uint32_t)v;
			}
			out[0] = (unsigned char)(acc >> 24);
			out[1] = (unsigned char)(acc >> 16);
			out[2] = (unsigned char)(acc >> 8);
			out[3] = (unsigned char)acc;
			qs_buf_add(&data, out, bytes - i < 4 ? bytes - i : 4);
		}
		ps->pos = e;
		ps->lineno++;
	}
	if (qs_buf_oom(&data)) {
		ret = QS_ENOMEM;
		goto done;
	}
	file->bin_off[which] = diff->pool.len;
	ret = inflate_exact(&diff->pool, &data, size);
	if (ret == QS_ENOMEM)
		goto done;
	if (ret < 0) {
		ret = parse_error(ps, hunk_line,
				  "corrupt binary patch: data does not inflate to %zu bytes",
				  size);
		goto done;
	}
	qs_buf_addch(&diff->pool, '\0');
	file->bin_len[which] = size;
	file->bin_kind[which] = kind;
	ret = 1;
done:
	qs_buf_release(&data);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Files */

/* the part of a git name after its first component ("a/x" -> "x") */
static const char *after_prefix(const char *s, const char *e)
{
	const char *p = memchr(s, '/', (size_t)(e - s));

	return p ? p + 1 : NULL;
}

static int same_tail(const char *a, const char *ae, const char *b,
		     const char *be)
{
	const char *x = after_prefix(a, ae), *y = after_prefix(b, be);

	return x && y && ae - x == be - y && !memcmp(x, y, (size_t)(ae - x));
}

static int tail_is(const char *a, const char *ae, const char *want)
{
	const char *x = after_prefix(a, ae);

	return want && x && (size_t)(ae - x) == strlen(want) &&
	       !memcmp(x, want, (size_t)(ae - x));
}

/*
 * The two names of a "diff --git" line, read as git reads them: quoted
 * names are decoded; unquoted names that hold spaces are split where
 * both halves name the same file, or where they match the rename/copy
 * headers.
 */
static int git_names(qs_diff *diff, const struct header *h, size_t *old,
		     size_t *new)
{
	const char *s = h->git_names, *eol = h->git_names_end, *t, *sp;
	const char *from, *to;
	qs_buf a = QS_BUF_INIT, b = QS_BUF_INIT;
	int ret = -1;

	if (eol > s && eol[-1] == '\r')
		eol--;
	if (h->copy_from != NO_OFF || h->copy_to != NO_OFF) {
		from = pool_str(diff, h->copy_from);
		to = pool_str(diff, h->copy_to);
	} else {
		from = pool_str(diff, h->rename_from);
		to = pool_str(diff, h->rename_to);
	}
	if (s < eol && *s == '"') {
		if (unquote_c(&a, s, eol, &t) < 0 || t >= eol || *t != ' ')
			goto done;
		while (t < eol && *t == ' ')
			t++;
		if (t < eol && *t == '"') {
			if (unquote_c(&b, t, eol, &sp) < 0 || sp != eol)
				goto done;
		} else {
			qs_buf_add(&b, t, (size_t)(eol - t));
		}
		ret = 0;
		goto done;
	}
	/* an unquoted name, then a quoted one */
	for (sp = eol; sp > s; sp--) {
		if (sp[-1] == ' ' && sp < eol && *sp == '"') {
			qs_buf_clear(&b);
			if (unquote_c(&b, sp, eol, &t) == 0 && t == eol) {
				qs_buf_add(&a, s, (size_t)(sp - 1 - s));
				ret = 0;
				goto done;
			}
		}
	}
	qs_buf_clear(&b);
	for (sp = s; sp < eol; sp++) {
		if (*sp != ' ')
			continue;
		if (same_tail(s, sp, sp + 1, eol) ||
		    (from && to && tail_is(s, sp, from) && tail_is(sp + 1, eol, to))) {
			qs_buf_add(&a, s, (size_t)(sp - s));
			qs_buf_add(&b, sp + 1, (size_t)(eol - sp - 1));
			ret = 0;
			goto done;
		}
	}
done:
	if (!ret) {
		*old = pool_add_buf(&diff->pool, &a);
		*new = pool_add_buf(&diff->pool, &b);
	}
	qs_buf_release(&a);
	qs_buf_release(&b);
	return ret;
}

struct replay {
	const char *name[3];
	int ts[2];
	int says[2];
};

static int replay_with(const qs_diff *diff, const qs_diff_file *file,
		       int strip, struct replay *r);

static int finish_file(struct parser *ps, const struct header *h,
		       qs_diff_file *file)
{
	qs_diff *diff = ps->diff;
	struct replay r;
	int ret;

	file->is_git = h->git;
	file->strip_cr = h->strip_cr;
	file->says[OLD] = h->says[OLD];
	file->says[NEW] = h->says[NEW];
	file->zero[OLD] = h->zero[OLD];
	file->zero[NEW] = h->zero[NEW];
	file->rename = h->rename[OLD] && h->rename[NEW];
	file->copy = h->copy[OLD] && h->copy[NEW];
	file->similarity = h->similarity;
	file->index_path = h->index_name;
	file->old_id = h->old_id;
	file->new_id = h->new_id;
	file->ev_first = h->ev_first;
	file->ev_count = diff->nevents - h->ev_first;

	if (h->git) {
		size_t old = NO_OFF, new = NO_OFF;

		file->line = h->git_line;
		if (git_names(diff, h, &old, &new) < 0) {
			/* git falls back on the ---/+++ names */
			old = h->minus_null ? NO_OFF : h->minus;
			new = h->plus_null ? NO_OFF : h->plus;
			if (old == NO_OFF && new == NO_OFF)
				return parse_error(ps, h->git_line,
						   "cannot tell the file names of a 'diff --git' line");
		}
		file->old_path = old;
		file->new_path = new;
		file->old_mode = h->have_old_mode ? h->old_mode : h->index_mode;
		file->new_mode = h->have_new_mode ? h->new_mode : h->index_mode;
		if (h->new_file) {
			file->op = QS_DIFF_ADDED;
			file->old_path = NO_OFF;
			file->old_mode = 0;
		} else if (h->deleted_file) {
			file->op = QS_DIFF_DELETED;
			file->new_path = NO_OFF;
			file->new_mode = 0;
		} else if (file->rename) {
			file->op = QS_DIFF_RENAMED;
		} else if (file->copy) {
			file->op = QS_DIFF_COPIED;
		}
		if (h->binary_nodata && file->bin_kind[0] == QS_BINARY_NONE &&
		    !file->hunk_count)
			file->bin_kind[0] = QS_BINARY_NODATA;
	} else {
		const char *old, *new;

		file->line = h->minus_line ? h->minus_line :
			     h->plus_line ? h->plus_line : h->start_line;
		if (h->index_line && h->index_line < file->line)
			file->line = h->index_line;
		file->old_path = h->minus_null ? NO_OFF : h->minus;
		file->new_path = h->plus_null ? NO_OFF : h->plus;
		/*
		 * akpm's "--- a/x.c~patch-name" names the file quilt
		 * refreshed against; the name is the new one.
		 */
		old = pool_str(diff, file->old_path);
		new = pool_str(diff, file->new_path);
		if (old && new) {
			const char *tilde = strrchr(old, '~');
			size_t n = strlen(new);

			if (tilde && (size_t)(tilde - old) == n &&
			    !memcmp(old, new, n) && !strchr(tilde, '/'))
				file->old_path = file->new_path;
		}
		if ((ret = replay_with(diff, file, 0, &r)) < 0)
			return ret;
		if (r.says[OLD] == 2)
			file->op = QS_DIFF_ADDED;
		else if (r.says[NEW] == 2)
			file->op = QS_DIFF_DELETED;
	}
	return 0;
}

static int new_file(struct parser *ps, qs_diff_file **out)
{
	qs_diff *diff = ps->diff;
	qs_diff_file *f;

	if (QS_ARRAY_GROW(diff->files, diff->files_alloc, diff->nfiles + 1))
		return QS_ENOMEM;
	f = &diff->files[diff->nfiles++];
	memset(f, 0, sizeof(*f));
	f->old_path = f->new_path = f->index_path = NO_OFF;
	f->old_id = f->new_id = NO_OFF;
	f->similarity = -1;
	f->hunk_first = diff->nhunks;
	*out = f;
	return 0;
}

static int parse_all(struct parser *ps)
{
	for (;;) {
		struct header h;
		enum diff_type type;
		qs_diff_file *file;
		int ret;

		if ((ret = scan_header(ps, &h, &type)))
			return ret;
		if (type == D_NONE)
			return 0;
		if ((ret = new_file(ps, &file)))
			return ret;
		ps->pos = h.start;
		ps->lineno = h.start_line;
		if (type == D_UNI) {
			while ((ret = parse_hunk(ps, &h, file)) == 1)
				;
			if (ret < 0)
				return ret;
			file->swapped = file->hunk_count > 0;
		} else {
			/* the "GIT binary patch" line */
			ps->pos = line_end(ps, ps->pos);
			ps->lineno++;
			if ((ret = parse_binary_hunk(ps, file, 0)) < 0)
				return ret;
			if (!ret)
				return parse_error(ps, h.start_line,
						   "binary patch has no 'literal' or 'delta' line");
			if ((ret = parse_binary_hunk(ps, file, 1)) < 0)
				return ret;
		}
		if ((ret = finish_file(ps, &h, file)) < 0)
			return ret;
		if (qs_buf_oom(&ps->diff->pool))
			return QS_ENOMEM;
	}
}

int qs_diff_parse(qs_diff **out, const char *buf, size_t len,
		  const qs_diff_options *opts)
{
	qs_diff_options defaults = QS_DIFF_OPTIONS_INIT;
	struct parser ps;
	qs_diff *diff = NULL;
	const char *last_nl;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_diff_parse: out is NULL");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_diff_parse: buf is NULL");
	if (!opts)
		opts = &defaults;
	if (opts->version != QS_DIFF_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL,
				     "qs_diff_parse: unsupported options version %u",
				     opts->version);
	if (!(diff = qs__calloc(1, sizeof(*diff))))
		return QS_ENOMEM;
	qs_buf_init(&diff->pool);
	if (!(diff->buf = qs__malloc(len + 1))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (len)
		memcpy(diff->buf, buf, len);
	diff->buf[len] = '\0';
	diff->len = len;

	memset(&ps, 0, sizeof(ps));
	ps.diff = diff;
	ps.buf = diff->buf;
	/* GNU patch ignores a last line that has no newline */
	last_nl = len ? memrchr(diff->buf, '\n', len) : NULL;
	ps.end = last_nl ? (size_t)(last_nl - diff->buf) + 1 : 0;
	ps.path = opts->path;
	ps.first_line = opts->first_line ? opts->first_line : 1;
	ps.lineno = ps.first_line;
	if ((ret = parse_all(&ps)) < 0)
		goto done;
	if (qs_buf_oom(&diff->pool)) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < diff->nfiles; i++)
		diff->files[i].diff = diff;
	for (size_t i = 0; i < diff->nhunks; i++)
		diff->hunks[i].diff = diff;
	*out = diff;
	diff = NULL;
	ret = 0;
done:
	qs_diff_free(diff);
	return ret;
}

void qs_diff_free(qs_diff *diff)
{
	if (!diff)
		return;
	free(diff->buf);
	qs_buf_release(&diff->pool);
	free(diff->files);
	free(diff->hunks);
	free(diff->lines);
	free(diff->events);
	free(diff);
}

/* ------------------------------------------------------------------ */
/* Accessors */

size_t qs_diff_file_count(const qs_diff *diff)
{
	return diff ? diff->nfiles : 0;
}

const qs_diff_file *qs_diff_file_byindex(const qs_diff *diff, size_t i)
{
	return diff && i < diff->nfiles ? &diff->files[i] : NULL;
}

qs_diff_op qs_diff_file_op(const qs_diff_file *file)
{
	return file ? file->op : QS_DIFF_MODIFIED;
}

int qs_diff_file_is_git(const qs_diff_file *file)
{
	return file ? file->is_git : 0;
}

int qs_diff_file_strips_cr(const qs_diff_file *file)
{
	return file ? file->strip_cr : 0;
}

const char *qs_diff_file_old_path(const qs_diff_file *file)
{
	return file ? pool_str(file->diff, file->old_path) : NULL;
}

const char *qs_diff_file_new_path(const qs_diff_file *file)
{
	return file ? pool_str(file->diff, file->new_path) : NULL;
}

const char *qs_diff_file_index_path(const qs_diff_file *file)
{
	return file ? pool_str(file->diff, file->index_path) : NULL;
}

uint32_t qs_diff_file_old_mode(const qs_diff_file *file)
{
	return file ? file->old_mode : 0;
}

uint32_t qs_diff_file_new_mode(const qs_diff_file *file)
{
	return file ? file->new_mode : 0;
}

const char *qs_diff_file_old_id(const qs_diff_file *file)
{
	return file ? pool_str(file->diff, file->old_id) : NULL;
}

const char *qs_diff_file_new_id(const qs_diff_file *file)
{
	return file ? pool_str(file->diff, file->new_id) : NULL;
}

int qs_diff_file_similarity(const qs_diff_file *file)
{
	return file ? file->similarity : -1;
}

size_t qs_diff_file_line(const qs_diff_file *file)
{
	return file ? file->line : 0;
}

qs_binary_kind qs_diff_file_binary(const char **out_data, size_t *out_len,
				   const qs_diff_file *file, int reverse)
{
	int which = reverse ? 1 : 0;
	qs_binary_kind kind;

	if (!file || file->bin_kind[0] == QS_BINARY_NONE)
		return QS_BINARY_NONE;
	kind = file->bin_kind[which];
	if (kind == QS_BINARY_NONE || kind == QS_BINARY_NODATA) {
		if (out_data)
			*out_data = NULL;
		if (out_len)
			*out_len = 0;
		return QS_BINARY_NODATA;
	}
	if (out_data)
		*out_data = file->diff->pool.ptr + file->bin_off[which];
	if (out_len)
		*out_len = file->bin_len[which];
	return kind;
}

size_t qs_diff_file_hunk_count(const qs_diff_file *file)
{
	return file ? file->hunk_count : 0;
}

const qs_hunk *qs_diff_file_hunk_byindex(const qs_diff_file *file, size_t i)
{
	if (!file || i >= file->hunk_count)
		return NULL;
	return &file->diff->hunks[file->hunk_first + i];
}

size_t qs_hunk_old_start(const qs_hunk *hunk)
{
	return hunk ? hunk->old_start : 0;
}

size_t qs_hunk_old_lines(const qs_hunk *hunk)
{
	return hunk ? hunk->old_lines : 0;
}

size_t qs_hunk_new_start(const qs_hunk *hunk)
{
	return hunk ? hunk->new_start : 0;
}

size_t qs_hunk_new_lines(const qs_hunk *hunk)
{
	return hunk ? hunk->new_lines : 0;
}

const char *qs_hunk_section(const qs_hunk *hunk)
{
	return hunk ? hunk->section : NULL;
}

size_t qs_hunk_line(const qs_hunk *hunk)
{
	return hunk ? hunk->line : 0;
}

size_t qs_hunk_line_count(const qs_hunk *hunk)
{
	return hunk ? hunk->count : 0;
}

const qs_diff_line *qs_hunk_line_byindex(const qs_hunk *hunk, size_t i)
{
	if (!hunk || i >= hunk->count)
		return NULL;
	return &hunk->diff->lines[hunk->first + i];
}

/* ------------------------------------------------------------------ */
/* The target, as GNU patch chooses it */

/*
 * Replay the header lines of a file diff with -p`strip`: GNU patch's
 * p_name[], p_timestamp[] and p_says_nonexistent[] as they stand when
 * its header scan ends.
 */
static int replay_with(const qs_diff *diff, const qs_diff_file *file,
		       int strip, struct replay *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->ts[OLD] = r->ts[NEW] = -1;
	for (i = file->ev_first; i < file->ev_first + file->ev_count; i++) {
		const struct name_event *ev = &diff->events[i];
		const char *name;

		if (ev->kind == EV_GITPAIR) {
			const char *a, *b;

			r->name[OLD] = r->name[NEW] = NULL;
			if (ev->flags & NAME_IGNORED)
				continue;
			a = qs_path_strip(pool_str(diff, ev->name[0]), strip);
			b = qs_path_strip(pool_str(diff, ev->name[1]), strip);
			if (a && b) {
				r->name[OLD] = a;
				r->name[NEW] = b;
			}
			continue;
		}
		if (ev->flags & NAME_IGNORED)
			continue;
		if (ev->flags & NAME_DEVNULL) {
			if (ev->kind == EV_STAMPED)
				r->ts[OLD] = 0;
			else if (ev->kind == EV_MINUS)
				r->ts[NEW] = 0;
			continue;
		}
		name = qs_path_strip(pool_str(diff, ev->name[0]), strip);
		if (!name)
			continue;
		r->name[ev->slot] = name;
		if (ev->kind == EV_STAMPED)
			r->ts[OLD] = ev->ts;
		else if (ev->kind == EV_MINUS && ev->ts != -1)
			r->ts[NEW] = ev->ts;
	}
	if (file->swapped) {
		const char *t = r->name[OLD];
		int ts = r->ts[OLD];

		r->name[OLD] = r->name[NEW];
		r->name[NEW] = t;
		r->ts[OLD] = r->ts[NEW];
		r->ts[NEW] = ts;
	}
	r->says[OLD] = file->says[OLD];
	r->says[NEW] = file->says[NEW];
	if (file->swapped) {
		if (file->zero[OLD])
			r->says[OLD] = 1 + !r->ts[OLD];
		if (file->zero[NEW])
			r->says[NEW] = 1 + !r->ts[NEW];
	}
	return 0;
}

qs_file_state qs_diff_file_old_state(const qs_diff_file *file, int strip)
{
	struct replay r;

	if (!file)
		return QS_FILE_EXISTS;
	replay_with(file->diff, file, strip, &r);
	return (qs_file_state)r.says[OLD];
}

qs_file_state qs_diff_file_new_state(const qs_diff_file *file, int strip)
{
	struct replay r;

	if (!file)
		return QS_FILE_EXISTS;
	replay_with(file->diff, file, strip, &r);
	return (qs_file_state)r.says[NEW];
}

/* GNU patch's prefix_components(): slashes after the first character */
static int prefix_components(const char *name, int checkdirs,
			     qs_path_exists_fn exists, void *payload,
			     qs_buf *tmp)
{
	const char *f = name;
	int count = 0;

	if (*f) {
		while (*++f) {
			if (*f != '/' || f[-1] == '/')
				continue;
			if (checkdirs) {
				qs_buf_set(tmp, name, (size_t)(f - name));
				if (qs_buf_oom(tmp))
					return -1;
				if (!exists(payload, tmp->ptr))
					break;
			}
			count++;
		}
	}
	return count;
}

/*
 * gnulib's base_len() as GNU patch calls it: on the whole name, so it is
 * the length without trailing slashes, not the length of the base name.
 */
static size_t base_len(const char *name)
{
	size_t len = strlen(name);

	while (len > 1 && name[len - 1] == '/')
		len--;
	return len;
}

/* relative and free of ".." components (GNU patch's filename_is_safe()) */
static int name_is_valid(const char *name)
{
	if (*name == '/')
		return 0;
	while (*name) {
		if (name[0] == '.' && name[1] == '.' &&
		    (!name[2] || name[2] == '/'))
			return 0;
		while (*name && *name != '/')
			name++;
		while (*name == '/')
			name++;
	}
	return 1;
}

#define NONE 3

/*
 * GNU patch's best_name(): of the names not ignored, those with the
 * fewest components, then the shortest, then the first. Its running
 * minimums can leave no name at all (a later name with fewer components
 * but a longer length); that is kept.
 */
static int best_name(const char *const name[3], const int ignore[3])
{
	int components[3] = { 0, 0, 0 }, components_min = INT_MAX, i;
	size_t blen[3] = { 0, 0, 0 }, blen_min = SIZE_MAX;
	size_t len[3] = { 0, 0, 0 }, len_min = SIZE_MAX;

	for (i = OLD; i <= INDEX; i++) {
		if (!name[i] || ignore[i])
			continue;
		components[i] = prefix_components(name[i], 0, NULL, NULL, NULL);
		if (components_min < components[i])
			continue;
		components_min = components[i];
		blen[i] = base_len(name[i]);
		if (blen_min < blen[i])
			continue;
		blen_min = blen[i];
		len[i] = strlen(name[i]);
		if (len_min < len[i])
			continue;
		len_min = len[i];
	}
	for (i = OLD; i <= INDEX; i++)
		if (name[i] && !ignore[i] && name_is_valid(name[i]) &&
		    components[i] == components_min &&
		    blen[i] == blen_min && len[i] == len_min)
			return i;
	return NONE;
}

int qs_diff_file_target(const char **out, const qs_diff_file *file,
			int strip, qs_path_exists_fn exists, void *payload)
{
	qs_buf tmp = QS_BUF_INIT;
	struct replay r;
	const char **name;
	int missing[3] = { 1, 1, 1 }, i, i0 = NONE, ret = 0;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_diff_file_target: out is NULL");
	*out = NULL;
	if (!file || !exists)
		return qs__error_set(QS_EINVAL,
				     "qs_diff_file_target: file or exists is NULL");
	replay_with(file->diff, file, strip, &r);
	name = r.name;
	/* without POSIXLY_CORRECT, Index: counts only when nothing else does */
	if ((name[OLD] || name[NEW]) && name[INDEX])
		name[INDEX] = NULL;
	for (i = OLD; i <= INDEX; i++) {
		if (!name[i])
			continue;
		if (i0 != NONE && !strcmp(name[i0], name[i]))
			missing[i] = missing[i0];
		else
			missing[i] = !exists(payload, name[i]);
		i0 = i;
	}
	i = best_name(name, missing);
	/*
	 * No file exists. A patch that deletes one is applied to the last
	 * name anyway (-f: "Applying it anyway"), unless it only empties a
	 * file that it creates.
	 */
	if (i == NONE && i0 != NONE && r.says[NEW] &&
	    !(r.says[NEW] == 1 && r.says[OLD] == 2))
		i = i0;
	if (i == NONE && r.says[OLD]) {
		/* a new file: the name needing the fewest new directories */
		int newdirs[3] = { 0, 0, 0 }, dist[3] = { 1, 1, 1 };
		int newdirs_min = INT_MAX, a, b;

		for (i = OLD; i <= INDEX; i++) {
			if (!name[i])
				continue;
			a = prefix_components(name[i], 0, NULL, NULL, NULL);
			b = prefix_components(name[i], 1, exists, payload, &tmp);
			if (b < 0) {
				ret = qs__error_oom();
				goto done;
			}
			newdirs[i] = a - b;
			if (newdirs[i] < newdirs_min)
				newdirs_min = newdirs[i];
		}
		for (i = OLD; i <= INDEX; i++)
			if (name[i])
				dist[i] = newdirs[i] - newdirs_min;
		i = best_name(name, dist);
	}
	if ((file->rename || file->copy) &&
	    !((i == OLD || i == NEW) && name[OLD] && name[NEW] &&
	      name_is_valid(name[OLD]) && name_is_valid(name[NEW]))) {
		ret = qs__error_set(QS_ENOTFOUND,
				    "cannot %s the file of the diff at line %zu without two valid file names",
				    file->rename ? "rename" : "copy", file->line);
		goto done;
	}
	if (i == NONE) {
		ret = qs__error_set(QS_ENOTFOUND,
				    "no file to patch for the diff at line %zu",
				    file->line);
		goto done;
	}
	*out = name[i];
done:
	qs_buf_release(&tmp);
	return ret;
}

const char *qs_diff_file_path(const qs_diff_file *f, int strip)
{
	const char *name, *stripped;

	if (!f)
		return "";
	name = qs_diff_file_op(f) == QS_DIFF_DELETED ?
		qs_diff_file_old_path(f) : qs_diff_file_new_path(f);
	if (!name)
		name = qs_diff_file_old_path(f);
	if (!name)
		name = qs_diff_file_index_path(f);
	if (!name)
		return "";
	stripped = qs_path_strip(name, strip);
	return stripped ? stripped : name;
}
