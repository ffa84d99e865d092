/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Applying one file diff's hunks to a buffer, with GNU patch 2.7.6's
 * rules as quilt runs it (notes/gnu-patch-semantics.md, sections 4, 5.1
 * and 6). Line numbers are signed, as in GNU patch: its search may try
 * positions before line 1 and after the last line, which then read as
 * empty lines, and we must try them in the same order to find the same
 * first match.
 *
 * Cost: the input's line starts are indexed once per call (one memchr
 * pass); a candidate position costs one length comparison per compared
 * line until the first difference, and positions whose compared lines
 * all fall outside the file are skipped in O(1), so that a hunk searches
 * at most the file's positions at each fuzz level. The output is built
 * in one pass.
 */
#include "hunk.h"

typedef ptrdiff_t lin;

/*
 * GNU patch does its line arithmetic in ptrdiff_t and overflows only for
 * absurd stated line numbers. We keep every quantity within +-2^60, far
 * from overflow; nothing changes for line numbers below that.
 */
#define LIN_LIMIT ((lin)1 << 60)

/* one line of a hunk side, as GNU patch holds it after reading */
struct pline {
	const char *s;
	size_t len;	/* bytes of s, without the newline */
	char c;		/* ' ', '-' (old side) or '+' (new side) */
	char nl;	/* ends in '\n' */
};

struct ctx {
	const char *in;
	size_t *start;	/* line i (1-based) is start[i - 1] .. start[i] */
	lin n;		/* input lines */
	qs_buf *out;
	lin frozen;	/* input lines consumed (copied or deleted) */
	lin in_offset;	/* where the last located hunk sat, minus its stated line */
	lin out_offset;	/* net growth from the hunks applied */
	int after_nl;	/* the output so far is empty or ends in '\n' */
	/* the current hunk, 1-based: old[1..P], new[1..R] */
	struct pline *old, *new;
	size_t old_alloc, new_alloc;
	lin P, R, pre, suf, S;
};

static lin clamp(lin v)
{
	return v > LIN_LIMIT ? LIN_LIMIT : v < -LIN_LIMIT ? -LIN_LIMIT : v;
}

/* Input line `l`; lines outside the file are empty, as GNU's ifetch() */
static const char *fetch(const struct ctx *c, lin l, size_t *size)
{
	if (l < 1 || l > c->n) {
		*size = 0;
		return "";
	}
	*size = c->start[l] - c->start[l - 1];
	return c->in + c->start[l - 1];
}

static int same_line(const struct pline *p, const char *s, size_t size)
{
	return size == p->len + (size_t)p->nl && !memcmp(s, p->s, p->len) &&
	       (!p->nl || s[p->len] == '\n');
}

static int index_input(struct ctx *c, const char *in, size_t len)
{
	const char *p = in, *end = in + len;
	size_t n = 0, alloc = 0;

	/* one pass; a guess of 32 bytes a line saves most regrowing */
	if (QS_ARRAY_GROW(c->start, alloc, len / 32 + 16))
		return QS_ENOMEM;
	c->start[0] = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p = nl ? nl + 1 : end;
		if (n + 2 > alloc && QS_ARRAY_GROW(c->start, alloc, n + 2))
			return QS_ENOMEM;
		c->start[++n] = (size_t)(p - in);
	}
	c->in = in;
	c->n = (lin)n;
	return 0;
}

static void set_line(struct pline *p, const qs_diff_line *dl, char c, int nl,
		     int strip_cr)
{
	p->s = dl->content;
	p->len = dl->len;
	/* the line had "\r\n" in the patch: GNU strips the CR on reading */
	if (strip_cr && p->len && p->s[p->len - 1] == '\r')
		p->len--;
	p->c = c;
	p->nl = (char)nl;
}

/*
 * The two sides of a hunk as GNU patch holds them, after -R. A context
 * line followed by "\ No newline" loses its newline on the old side only
 * when it is the old side's last line (GNU reads the marker once per
 * side); its new-side copy loses it in either case.
 */
static int load_hunk(struct ctx *c, const qs_hunk *hk, int reverse,
		     int strip_cr)
{
	size_t n = qs_hunk_line_count(hk), i, nold = 0, seen_old = 0;
	lin first_change = -1, last_change = -1;
	struct pline *a, *b;
	lin na = 0, nb = 0;

	for (i = 0; i < n; i++) {
		const qs_diff_line *dl = qs_hunk_line_byindex(hk, i);

		if (dl->origin != '+')
			nold++;
		if (dl->origin != ' ') {
			if (first_change < 0)
				first_change = (lin)i;
			last_change = (lin)i;
		}
	}
	if (QS_ARRAY_GROW(c->old, c->old_alloc, n + 1) ||
	    QS_ARRAY_GROW(c->new, c->new_alloc, n + 1))
		return QS_ENOMEM;
	a = reverse ? c->new : c->old;	/* the patch's old side */
	b = reverse ? c->old : c->new;	/* the patch's new side */
	for (i = 0; i < n; i++) {
		const qs_diff_line *dl = qs_hunk_line_byindex(hk, i);
		int nonl = dl->no_newline != 0;

		switch (dl->origin) {
		case '-':
			seen_old++;
			set_line(&a[++na], dl, reverse ? '+' : '-', !nonl, strip_cr);
			break;
		case '+':
			set_line(&b[++nb], dl, reverse ? '-' : '+', !nonl, strip_cr);
			break;
		default:
			seen_old++;
			set_line(&a[++na], dl, ' ',
				 !(nonl && seen_old == nold), strip_cr);
			set_line(&b[++nb], dl, ' ', !nonl, strip_cr);
			break;
		}
	}
	c->P = reverse ? nb : na;
	c->R = reverse ? na : nb;
	if (first_change < 0) {
		/* GNU patch refuses such a hunk when reading it */
		c->pre = c->suf = (lin)n;
	} else {
		c->pre = first_change;
		c->suf = (lin)n - 1 - last_change;
	}
	if (reverse)
		c->S = (lin)(qs_hunk_new_lines(hk) ? qs_hunk_new_start(hk) :
			     qs_hunk_new_start(hk) + 1);
	else
		c->S = (lin)(qs_hunk_old_lines(hk) ? qs_hunk_old_start(hk) :
			     qs_hunk_old_start(hk) + 1);
	if (c->S > LIN_LIMIT || c->S < 0)
		c->S = LIN_LIMIT;
	return 0;
}

/* GNU's patch_match(): pattern lines top+1 .. P-bottom against input from w+top */
static int match(const struct ctx *c, lin w, lin top, lin bottom)
{
	lin i, l = w + top;

	for (i = top + 1; i <= c->P - bottom; i++, l++) {
		size_t size;
		const char *s = fetch(c, l, &size);

		if (!same_line(&c->old[i], s, size))
			return 0;
	}
	return 1;
}

/* 1 when pattern lines top+1 .. P-bottom are all empty and unterminated */
static int all_empty(const struct ctx *c, lin top, lin bottom)
{
	for (lin i = top + 1; i <= c->P - bottom; i++)
		if (c->old[i].len || c->old[i].nl)
			return 0;
	return 1;
}

/*
 * GNU's locate_hunk(): the input line where the pattern sits at this
 * fuzz level, or 0. The returned line may lie outside the file (the
 * g < lo quirk); apply then refuses it.
 */
static lin locate(struct ctx *c, lin fuzz)
{
	lin g = c->S + c->in_offset;
	lin ctxl = c->pre > c->suf ? c->pre : c->suf;
	lin pf = fuzz + c->pre - ctxl, sf = fuzz + c->suf - ctxl;
	lin hi, lo, maxp, maxn, maxo, off, w;
	lin a1, b1, a2, b2;
	int empty_ok;

	if (!c->P)
		return g;	/* a pure insertion is not checked at all */
	hi = c->n - (c->P - sf) + 1;
	lo = c->frozen + 1;
	maxp = hi - g;
	maxn = g - lo;
	maxo = maxp > maxn ? maxp : maxn;

	if (pf < 0 && c->S <= 1) {
		/*
		 * Short leading context at the start: only line 1 will do
		 * (sf >= 0 here, as pf < 0 means the suffix is the longer).
		 */
		off = 1 - g;
		if (c->frozen <= c->pre && off <= maxp && match(c, 1, 0, sf)) {
			c->in_offset = clamp(c->in_offset + off);
			return 1;
		}
		return 0;
	}
	if (pf < 0)
		pf = 0;
	if (sf < 0) {
		/* short trailing context: only the end of the file will do */
		off = g - (c->n - c->P + 1);
		if (off <= maxn && match(c, g - off, pf, 0)) {
			c->in_offset = clamp(c->in_offset - off);
			return g - off;
		}
		return 0;
	}

	/*
	 * Where the compared lines all lie outside the file, a position
	 * matches only when they are all empty: then the first such
	 * position tried wins; otherwise whole runs of such positions are
	 * skipped. [a1, b1] holds the forward offsets whose compared lines
	 * touch the file, [a2, b2] the backward ones.
	 */
	empty_ok = all_empty(c, pf, sf);
	a1 = 2 - c->P + sf - g;
	b1 = c->n - pf - g;
	if (b1 > maxp)
		b1 = maxp;
	a2 = g + pf - c->n;
	b2 = g + c->P - sf - 2;
	if (b2 > maxn)
		b2 = maxn;
	off = maxp < 0 ? g - hi : maxn < 0 ? g - lo : 0;
	for (; off <= maxo; off++) {
		if (!empty_ok) {
			lin next = maxo + 1, t;

			t = off > a1 ? off : a1;
			if (t <= b1 && t < next)
				next = t;
			t = off > a2 ? off : a2;
			if (t <= b2 && t < next)
				next = t;
			if (next > maxo)
				return 0;
			off = next;
		}
		if (off <= maxp) {
			w = g + off;
			if (off < a1 || off > c->n - pf - g ?
			    empty_ok : match(c, w, pf, sf)) {
				c->in_offset = clamp(c->in_offset + off);
				return w;
			}
		}
		if (off <= maxn) {
			w = g - off;
			if (off < a2 || off > g + c->P - sf - 2 ?
			    empty_ok : match(c, w, pf, sf)) {
				c->in_offset = clamp(c->in_offset - off);
				return w;
			}
		}
	}
	return 0;
}

static void emit(struct ctx *c, const char *s, size_t len, int nl)
{
	qs_buf_add(c->out, s, len);
	if (nl)
		qs_buf_addch(c->out, '\n');
}

/*
 * GNU's copy_till(): copy input lines frozen+1 .. k (those past the end
 * are empty) and freeze them; -1 when k < frozen.
 */
static int copy_until(struct ctx *c, lin k)
{
	lin last = k < c->n ? k : c->n;

	if (c->frozen > k)
		return -1;
	if (c->frozen < last) {
		/* only the first line can need a newline before it */
		size_t from = c->start[c->frozen], to = c->start[last];

		if (!c->after_nl)
			qs_buf_addch(c->out, '\n');
		qs_buf_add(c->out, c->in + from, to - from);
		c->after_nl = c->in[to - 1] == '\n';
	}
	c->frozen = k;
	return 0;
}

/* GNU's apply_hunk() at input line w; -1 for "misordered hunks" */
static int apply_at(struct ctx *c, lin w)
{
	lin old = 1, new = 1, base = w - 1;

	while (old <= c->P) {
		if (c->old[old].c == '-') {
			if (copy_until(c, base + old - 1) < 0)
				return -1;
			c->frozen++;
			old++;
		} else if (new > c->R) {
			break;
		} else if (c->new[new].c == '+') {
			if (copy_until(c, base + old - 1) < 0)
				return -1;
			emit(c, c->new[new].s, c->new[new].len, c->new[new].nl);
			c->after_nl = c->new[new].nl;
			new++;
		} else {
			old++;
			new++;
		}
	}
	if (new <= c->R && c->new[new].c == '+') {
		if (copy_until(c, base + old - 1) < 0)
			return -1;
		do {
			if (!c->after_nl)
				qs_buf_addch(c->out, '\n');
			emit(c, c->new[new].s, c->new[new].len, c->new[new].nl);
			c->after_nl = c->new[new].nl;
			new++;
		} while (new <= c->R && c->new[new].c == '+');
	}
	c->out_offset += c->R - c->P;
	return 0;
}

/* GNU's check_line_endings(): the first pattern line ends differently */
static int line_endings_differ(const struct ctx *c, lin where)
{
	const struct pline *p;
	const char *s;
	size_t size;
	int patch_crlf, input_crlf;

	if (c->P < 1) {
		/* GNU looks at the hunk's "--- a,b ----" line then */
		patch_crlf = 0;
	} else {
		p = &c->old[1];
		if (!p->len && !p->nl)
			return 0;
		patch_crlf = p->nl && p->len && p->s[p->len - 1] == '\r';
	}
	if (!c->n)
		return 0;
	if (where > c->n)
		where = c->n;
	s = fetch(c, where, &size);
	if (!size)
		return 0;
	input_crlf = size >= 2 && s[size - 2] == '\r' && s[size - 1] == '\n';
	return patch_crlf != input_crlf;
}

static size_t line_number(lin l)
{
	return l > 0 ? (size_t)l : 0;
}

/* why a hunk failed, without and with GNU's "different line endings" */
static const char *const reasons[3][2] = {
	{ "hunk does not match",
	  "hunk does not match (different line endings)" },
	{ "the hunk creates the file, which exists and is not empty",
	  "the hunk creates the file, which exists and is not empty (different line endings)" },
	{ "misordered hunks: output would be garbled",
	  "misordered hunks: output would be garbled (different line endings)" },
};

int qs__apply_hunks(qs_buf *out, const char *in, size_t in_len,
		    const qs_diff_file *file, const qs__hunk_options *opts,
		    qs__hunk_result *results)
{
	qs__hunk_options defaults = { 0, 2, 0 };
	struct ctx c;
	size_t nhunks, i, failed = 0, first_failed = 0;
	int strip_cr, ret;

	if (!out || !file || (!in && in_len))
		return qs__error_set(QS_EINVAL, "qs__apply_hunks: invalid arguments");
	nhunks = qs_diff_file_hunk_count(file);
	if (nhunks && !results)
		return qs__error_set(QS_EINVAL, "qs__apply_hunks: results is NULL");
	if (!opts)
		opts = &defaults;
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.after_nl = 1;
	if (!in)
		in = "";
	if ((ret = index_input(&c, in, in_len)) < 0)
		goto done;
	if (qs_buf_grow(out, in_len + in_len / 8 + 64) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	strip_cr = qs_diff_file_strips_cr(file);

	for (i = 0; i < nhunks; i++) {
		qs__hunk_result *r = &results[i];
		lin top, fuzz, where = 0, maxfuzz = opts->max_fuzz;
		int why;

		memset(r, 0, sizeof(*r));
		if ((ret = load_hunk(&c, qs_diff_file_hunk_byindex(file, i),
				     opts->reverse, strip_cr)) < 0)
			goto done;
		r->old_line = line_number(c.S);
		if (maxfuzz < 0)
			maxfuzz = 0;
		top = c.pre > c.suf ? c.pre : c.suf;
		if (top > maxfuzz)
			top = maxfuzz;
		for (fuzz = 0; fuzz <= top; fuzz++)
			if ((where = locate(&c, fuzz)))
				break;
		r->fuzz = where ? (int)fuzz : 0;
		r->offset = where ? (long)(where - c.S) : 0;
		r->new_line = line_number((where ? where : c.S) + c.out_offset);
		if (!where) {
			why = 0;
		} else if (where == 1 && opts->old_nonexistent && in_len) {
			why = 1;
		} else if (apply_at(&c, where) < 0) {
			why = 2;
		} else {
			r->applied = 1;
			continue;
		}
		/* GNU adds the note to any failure, as a hint */
		r->reason = reasons[why][line_endings_differ(&c,
				(where ? where : c.S) + c.out_offset)];
		if (!failed++)
			first_failed = i + 1;
	}
	if (c.frozen < c.n)
		copy_until(&c, c.n);
	if (qs_buf_oom(out)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = 0;
	if (failed)
		ret = qs__error_set(QS_EAPPLY,
				    "%zu out of %zu hunks failed, the first is hunk #%zu at line %zu: %s",
				    failed, nhunks, first_failed,
				    results[first_failed - 1].new_line,
				    results[first_failed - 1].reason);
done:
	free(c.start);
	free(c.old);
	free(c.new);
	return ret;
}
