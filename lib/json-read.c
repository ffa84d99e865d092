/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON reader; see json-read.h.
 *
 * Recursive descent, bounded by QS__JSON_MAX_DEPTH. A value's children
 * must end up side by side (so that element i is an index, not a walk),
 * but their own children are parsed in between; so every parsed value
 * goes on a stack first, and when its container closes the container's
 * children move, as one block, to the end of the document's value
 * array, where they stay. Containers refer to their block by index
 * while the array grows and by pointer once it is complete.
 */
#include "internal.h"
#include "json-read.h"
#include "json-write.h"

/*
 * 16 bytes: a big manifest has a quarter of a million values (keys
 * count), and their memory, not the text, is most of what a parse
 * touches.
 */
struct qs__json_value {
	union {
		const char *text;                   /* string; number's text */
		const struct qs__json_value *items; /* array; object: key, value, key... */
		size_t first;                       /* parsing: index of items */
	} u;
	uint32_t len;       /* string or text bytes; elements; members */
	unsigned char type; /* enum qs__json_type */
	unsigned char flag; /* number: an int64_t integer; boolean: its value */
};

struct qs__json_doc {
	struct qs__json_value *values;
	char *text;
	const struct qs__json_value *root;
};

struct parser {
	const char *orig; /* the caller's text, to locate and quote errors in */
	size_t orig_len;
	size_t base;      /* where in it our copy starts */
	/*
	 * Our copy of the text, where strings are decoded in place (every
	 * escape is longer than what it stands for, and the NUL takes the
	 * closing quote's byte at the latest) and numbers stay as written:
	 * most strings need no copy at all, and the whole text costs one.
	 */
	unsigned char *buf, *p, *end;
	const char *name;
	struct qs__json_value *stack;
	size_t nstack, stack_alloc;
	struct qs__json_value *values;
	size_t nvalues, values_alloc;
};

/* Bytes a string copies as they are: printable ASCII and DEL, but '"' and '\\'. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80 and up: UTF-8, checked sequence by sequence */
};

const unsigned char qs__json_space[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static int fail_at(struct parser *ps, const unsigned char *at,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(struct parser *ps, const unsigned char *at,
		   const char *fmt, ...)
{
	const unsigned char *s = (const unsigned char *)ps->orig;
	const unsigned char *stop = s + ps->base + (at - ps->buf);
	size_t line = 1, column = 1;
	qs_buf msg = QS_BUF_INIT;
	va_list ap;
	int ret;

	/*
	 * Only on failure: not worth counting lines while parsing. In the
	 * caller's text, as our copy's strings may be decoded already.
	 */
	for (; s < stop; s++) {
		if (*s == '\n') {
			line++;
			column = 1;
		} else if ((*s & 0xc0) != 0x80) {
			column++;
		}
	}
	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (qs_buf_oom(&msg))
		ret = QS_ENOMEM;
	else
		ret = qs__error_set_at_column(QS_EPARSE, ps->name, line, column,
					      "%s", msg.ptr);
	qs_buf_release(&msg);
	return ret;
}

/* "unexpected 'x'", or the byte's value when it does not print. */
static int fail_unexpected(struct parser *ps, const unsigned char *at,
			   const char *where)
{
	if (at >= ps->end)
		return fail_at(ps, at, "unexpected end of input%s", where);
	if (*at > 0x20 && *at < 0x7f)
		return fail_at(ps, at, "unexpected '%c'%s", *at, where);
	return fail_at(ps, at, "unexpected byte 0x%02x%s", *at, where);
}

static inline void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && qs__json_space[*ps->p])
		ps->p++;
}

static inline struct qs__json_value *push(struct parser *ps)
{
	if (ps->nstack == ps->stack_alloc &&
	    QS_ARRAY_GROW(ps->stack, ps->stack_alloc, ps->nstack + 1) < 0)
		return NULL;
	return memset(&ps->stack[ps->nstack++], 0, sizeof(*ps->stack));
}

/*
 * Length of the well-formed UTF-8 sequence at `s` (Unicode's table 3-7:
 * no overlong form, no surrogate, nothing past U+10FFFF), or 0.
 */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	size_t avail = (size_t)(end - s);
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (avail < len)
		return 0;
	/* the second byte's range is what rules out the invalid forms */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

int qs__json_hex4(const unsigned char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static unsigned char *put_utf8(unsigned char *d, uint32_t cp)
{
	if (cp < 0x80) {
		*d++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*d++ = (unsigned char)(0xc0 | (cp >> 6));
		*d++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*d++ = (unsigned char)(0xe0 | (cp >> 12));
		*d++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*d++ = (unsigned char)(0xf0 | (cp >> 18));
		*d++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*d++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	return d;
}

/* The \u escape at *pp (and its pair's second half), decoded to *dp. */
static int parse_u_escape(struct parser *ps, unsigned char **pp,
			  unsigned char **dp)
{
	unsigned char *p = *pp, *end = ps->end;
	int cp, lo;

	if (end - p < 6 || (cp = qs__json_hex4(p + 2)) < 0) {
		/*
		 * Quoted from the caller's text, which goes on past a part
		 * (qs__json_parse_part); up to p, nothing is decoded yet.
		 */
		size_t at = ps->base + (size_t)(p - ps->buf);
		size_t n = ps->orig_len - at < 6 ? ps->orig_len - at : 6;

		return fail_at(ps, p, "invalid escape '%.*s': \\u needs four hex digits",
			       (int)n, ps->orig + at);
	}
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail_at(ps, p, "lone surrogate '%.6s'", (const char *)p);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* UTF-16's pair: the low half must follow at once */
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
		    (lo = qs__json_hex4(p + 8)) < 0xdc00 || lo > 0xdfff)
			return fail_at(ps, p, "lone surrogate '%.6s'",
				       (const char *)p);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	}
	/* everything read before anything is written: *dp <= p */
	*dp = put_utf8(*dp, (uint32_t)cp);
	*pp = p + 6;
	return 0;
}

/* The string at ps->p (its opening quote), decoded where it stands. */
static int parse_string(struct parser *ps, const char **out, uint32_t *out_len)
{
	unsigned char *open = ps->p, *p = open + 1, *end = ps->end;
	unsigned char *dst = p, *d = p;
	int ret;

	for (;;) {
		unsigned char *run = p;
		size_t n;

		/* the common case: a run of bytes kept as they are */
		for (;;) {
			while (p < end && plain[*p])
				p++;
			if (p < end && *p >= 0x80 && (n = utf8_seq(p, end)) > 0) {
				p += n;
				continue;
			}
			break;
		}
		/* until the first escape, the bytes are already in place */
		if (d != run)
			memmove(d, run, (size_t)(p - run));
		d += p - run;
		if (p >= end)
			return fail_at(ps, open, "unterminated string");
		if (*p == '"')
			break;
		if (*p >= 0x80)
			return fail_at(ps, p, "invalid UTF-8 in a string");
		if (*p < 0x20)
			return fail_at(ps, p, "control character U+%04X in a string "
				       "must be escaped", *p);
		/* a backslash */
		if (p + 1 >= end)
			return fail_at(ps, open, "unterminated string");
		switch (p[1]) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u':
			if ((ret = parse_u_escape(ps, &p, &d)) < 0)
				return ret;
			continue;
		default:
			if (p[1] > 0x20 && p[1] < 0x7f)
				return fail_at(ps, p, "invalid escape '\\%c'", p[1]);
			return fail_at(ps, p, "invalid escape: byte 0x%02x after '\\'",
				       p[1]);
		}
		p += 2;
	}
	*d = '\0';
	*out = (const char *)dst;
	*out_len = (uint32_t)(d - dst);
	ps->p = p + 1;
	return 0;
}

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The number at ps->p, checked against RFC 8259's grammar; its value is
 * computed only when asked for (qs__json_int), from the text.
 */
static int parse_number(struct parser *ps, struct qs__json_value *v)
{
	const unsigned char *s = ps->p, *p = s, *end = ps->end;
	const unsigned char *digits;
	int integral = 1;

	if (*p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		return fail_at(ps, s, "invalid number: '-' needs a digit after it");
	digits = p;
	if (*p == '0') {
		p++;
		if (p < end && is_digit(*p))
			return fail_at(ps, s, "invalid number: leading zero");
	} else {
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && *p == '.') {
		integral = 0;
		if (++p >= end || !is_digit(*p))
			return fail_at(ps, p, "invalid number: '.' needs a digit after it");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		integral = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return fail_at(ps, p, "invalid number: the exponent needs a digit");
		while (p < end && is_digit(*p))
			p++;
	}
	v->type = QS__JSON_NUMBER;
	v->u.text = (const char *)s;
	v->len = (uint32_t)(p - s);
	if (integral) {
		/* within int64_t: up to 9223372036854775807, or ...808 negated */
		size_t n = (size_t)(p - digits);
		const char *limit = *s == '-' ? "9223372036854775808" :
				    "9223372036854775807";

		v->flag = n < 19 || (n == 19 && memcmp(digits, limit, 19) <= 0);
	}
	ps->p += p - s;
	return 0;
}

/*
 * Move the stack's values from `base` up to the end of the document's
 * array, and push the container that holds them.
 */
static int close_container(struct parser *ps, size_t base,
			   enum qs__json_type type)
{
	size_t n = ps->nstack - base;
	struct qs__json_value *v;

	if (QS_ARRAY_GROW(ps->values, ps->values_alloc, ps->nvalues + n) < 0)
		return QS_ENOMEM;
	if (n)
		memcpy(ps->values + ps->nvalues, ps->stack + base, n * sizeof(*v));
	ps->nstack = base;
	if (!(v = push(ps)))
		return QS_ENOMEM;
	v->type = (unsigned char)type;
	v->u.first = ps->nvalues;
	v->len = (uint32_t)(type == QS__JSON_OBJECT ? n / 2 : n);
	ps->nvalues += n;
	return 0;
}

static int parse_value(struct parser *ps, int depth);

static int parse_array(struct parser *ps, int depth)
{
	size_t base = ps->nstack;
	int ret;

	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return close_container(ps, base, QS__JSON_ARRAY);
	}
	for (;;) {
		if ((ret = parse_value(ps, depth)) < 0)
			return ret;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']')
			break;
		return fail_unexpected(ps, ps->p, " in an array: expected ',' or ']'");
	}
	ps->p++;
	return close_container(ps, base, QS__JSON_ARRAY);
}

static int parse_object(struct parser *ps, int depth)
{
	size_t base = ps->nstack;
	struct qs__json_value *key;
	int ret;

	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return close_container(ps, base, QS__JSON_OBJECT);
	}
	for (;;) {
		if (ps->p >= ps->end || *ps->p != '"')
			return fail_unexpected(ps, ps->p, " in an object: expected a key");
		if (!(key = push(ps)))
			return QS_ENOMEM;
		key->type = QS__JSON_STRING;
		if ((ret = parse_string(ps, &key->u.text, &key->len)) < 0)
			return ret;
		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail_unexpected(ps, ps->p, " in an object: expected ':'");
		ps->p++;
		skip_space(ps);
		if ((ret = parse_value(ps, depth)) < 0)
			return ret;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}')
			break;
		return fail_unexpected(ps, ps->p, " in an object: expected ',' or '}'");
	}
	ps->p++;
	return close_container(ps, base, QS__JSON_OBJECT);
}

static int parse_literal(struct parser *ps, const char *word,
			 enum qs__json_type type, int flag)
{
	size_t len = strlen(word);
	struct qs__json_value *v;

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return fail_at(ps, ps->p, "invalid literal: expected '%s'", word);
	if (!(v = push(ps)))
		return QS_ENOMEM;
	v->type = (unsigned char)type;
	v->flag = (unsigned char)flag;
	ps->p += len;
	return 0;
}

/* One value at ps->p, inside `depth` containers, pushed on the stack. */
static int parse_value(struct parser *ps, int depth)
{
	struct qs__json_value *v;

	if (ps->p >= ps->end)
		return fail_unexpected(ps, ps->p, ": expected a value");
	switch (*ps->p) {
	case '"':
		if (!(v = push(ps)))
			return QS_ENOMEM;
		v->type = QS__JSON_STRING;
		return parse_string(ps, &v->u.text, &v->len);
	case '[':
	case '{':
		if (depth >= QS__JSON_MAX_DEPTH)
			return fail_at(ps, ps->p, "nested deeper than %d levels",
				       QS__JSON_MAX_DEPTH);
		return *ps->p == '[' ? parse_array(ps, depth + 1) :
				       parse_object(ps, depth + 1);
	case 't':
		return parse_literal(ps, "true", QS__JSON_BOOL, 1);
	case 'f':
		return parse_literal(ps, "false", QS__JSON_BOOL, 0);
	case 'n':
		return parse_literal(ps, "null", QS__JSON_NULL, 0);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (!(v = push(ps)))
			return QS_ENOMEM;
		return parse_number(ps, v);
	default:
		return fail_unexpected(ps, ps->p, ": expected a value");
	}
}

/*
 * Room for the values from the start, so that the array rarely moves:
 * a manifest spends about 11 bytes of text per value. Only what is
 * used is touched; the cap keeps a huge text from reserving more than
 * 16 MiB at once.
 */
#define VALUES_GUESS(len) ((len) / 4 + 16 < (1u << 20) ? (len) / 4 + 16 : (1u << 20))

/* text[start, start + len) of `text_len` as a document; see qs__json_parse_part. */
static int parse(struct qs__json_doc **out, const char *text, size_t text_len,
		 size_t start, size_t len, const char *name)
{
	struct parser ps;
	struct qs__json_doc *doc = NULL;
	size_t i;
	int ret;

	memset(&ps, 0, sizeof(ps));
	ps.orig = text ? text : "";
	ps.orig_len = text_len;
	ps.base = start;
	text = ps.orig + start;
	ps.name = name ? name : "json";
	/* lengths are 32 bits wide, to keep values small */
	if (len >= UINT32_MAX)
		return qs__error_set_at(QS_EPARSE, ps.name, 0,
					"larger than 4 GiB");
	if (!(doc = qs__calloc(1, sizeof(*doc))) ||
	    !(ps.buf = qs__malloc(len + 1)) ||
	    QS_ARRAY_GROW(ps.values, ps.values_alloc, VALUES_GUESS(len)) < 0 ||
	    QS_ARRAY_GROW(ps.stack, ps.stack_alloc, 256) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (len)
		memcpy(ps.buf, text, len);
	ps.buf[len] = '\0';
	ps.p = ps.buf;
	ps.end = ps.buf + len;
	skip_space(&ps);
	if ((ret = parse_value(&ps, 0)) < 0)
		goto done;
	skip_space(&ps);
	if (ps.p < ps.end) {
		ret = fail_unexpected(&ps, ps.p, " after the document");
		goto done;
	}
	/* the root, alone on the stack, goes last, after its descendants */
	if (QS_ARRAY_GROW(ps.values, ps.values_alloc, ps.nvalues + 1) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	ps.values[ps.nvalues++] = ps.stack[0];
	for (i = 0; i < ps.nvalues; i++) {
		struct qs__json_value *v = &ps.values[i];

		if (v->type == QS__JSON_ARRAY || v->type == QS__JSON_OBJECT)
			v->u.items = ps.values + v->u.first;
	}
	doc->values = ps.values;
	doc->text = (char *)ps.buf;
	doc->root = &ps.values[ps.nvalues - 1];
	ps.values = NULL;
	ps.buf = NULL;
	*out = doc;
	doc = NULL;
	ret = 0;
done:
	free(ps.stack);
	free(ps.values);
	free(ps.buf);
	free(doc);
	return ret;
}

int qs__json_parse(struct qs__json_doc **out, const char *text, size_t len,
		   const char *name)
{
	if (!out || (!text && len))
		return qs__error_set(QS_EINVAL, "qs__json_parse: NULL argument");
	*out = NULL;
	return parse(out, text, len, 0, len, name);
}

int qs__json_parse_part(struct qs__json_doc **out, const char *text, size_t len,
			size_t start, size_t end, const char *name)
{
	if (!out || !text || start > end || end > len)
		return qs__error_set(QS_EINVAL, "qs__json_parse_part: invalid argument");
	*out = NULL;
	return parse(out, text, len, start, end - start, name);
}

void qs__json_doc_free(struct qs__json_doc *doc)
{
	if (!doc)
		return;
	free(doc->values);
	free(doc->text);
	free(doc);
}

const struct qs__json_value *qs__json_root(const struct qs__json_doc *doc)
{
	return doc ? doc->root : NULL;
}

enum qs__json_type qs__json_type(const struct qs__json_value *v)
{
	return v ? (enum qs__json_type)v->type : QS__JSON_NONE;
}

const char *qs__json_type_name(enum qs__json_type type)
{
	switch (type) {
	case QS__JSON_NULL: return "null";
	case QS__JSON_BOOL: return "a boolean";
	case QS__JSON_NUMBER: return "a number";
	case QS__JSON_STRING: return "a string";
	case QS__JSON_ARRAY: return "an array";
	case QS__JSON_OBJECT: return "an object";
	default: return "missing";
	}
}

const char *qs__json_string(const struct qs__json_value *v, size_t *out_len)
{
	if (!v || v->type != QS__JSON_STRING)
		return NULL;
	if (out_len)
		*out_len = v->len;
	return v->u.text;
}

int64_t qs__json_int(const struct qs__json_value *v, int *is_int)
{
	int ok = v && v->type == QS__JSON_NUMBER && v->flag;
	uint64_t mag = 0;
	uint32_t i;

	if (is_int)
		*is_int = ok;
	if (!ok)
		return 0;
	/* parse_number checked the digits and the range */
	for (i = v->u.text[0] == '-'; i < v->len; i++)
		mag = mag * 10 + (uint64_t)(v->u.text[i] - '0');
	if (v->u.text[0] != '-')
		return (int64_t)mag;
	/* -2^63 has no positive counterpart to negate */
	return mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
}

const char *qs__json_number_text(const struct qs__json_value *v,
				 size_t *out_len)
{
	if (!v || v->type != QS__JSON_NUMBER)
		return NULL;
	if (out_len)
		*out_len = v->len;
	return v->u.text;
}

int qs__json_bool(const struct qs__json_value *v)
{
	return v && v->type == QS__JSON_BOOL ? v->flag : -1;
}

size_t qs__json_count(const struct qs__json_value *v)
{
	return v && (v->type == QS__JSON_ARRAY || v->type == QS__JSON_OBJECT) ?
	       v->len : 0;
}

const struct qs__json_value *qs__json_at(const struct qs__json_value *v,
					 size_t i)
{
	if (!v || v->type != QS__JSON_ARRAY || i >= v->len)
		return NULL;
	return &v->u.items[i];
}

const char *qs__json_key_at(const struct qs__json_value *v, size_t i,
			    size_t *out_len)
{
	if (!v || v->type != QS__JSON_OBJECT || i >= v->len)
		return NULL;
	if (out_len)
		*out_len = v->u.items[2 * i].len;
	return v->u.items[2 * i].u.text;
}

const struct qs__json_value *qs__json_value_at(const struct qs__json_value *v,
					       size_t i)
{
	if (!v || v->type != QS__JSON_OBJECT || i >= v->len)
		return NULL;
	return &v->u.items[2 * i + 1];
}

const struct qs__json_value *qs__json_get(const struct qs__json_value *v,
					  const char *key)
{
	size_t i, len;

	if (!v || v->type != QS__JSON_OBJECT || !key)
		return NULL;
	len = strlen(key);
	for (i = 0; i < v->len; i++) {
		const struct qs__json_value *k = &v->u.items[2 * i];

		if (k->len == len && !memcmp(k->u.text, key, len))
			return &v->u.items[2 * i + 1];
	}
	return NULL;
}

void qs__json_write_value(struct json *j, const struct qs__json_value *v)
{
	const char *s;
	size_t i, len = 0;
	int is_int;
	int64_t n;

	switch (qs__json_type(v)) {
	case QS__JSON_NULL:
		json_null(j);
		break;
	case QS__JSON_BOOL:
		json_bool(j, qs__json_bool(v));
		break;
	case QS__JSON_NUMBER:
		n = qs__json_int(v, &is_int);
		if (is_int) {
			json_int(j, n);
		} else {
			s = qs__json_number_text(v, &len);
			json_number_text(j, s, len);
		}
		break;
	case QS__JSON_STRING:
		s = qs__json_string(v, &len);
		json_string_len(j, s, len);
		break;
	case QS__JSON_ARRAY:
		json_array_begin(j);
		for (i = 0; i < qs__json_count(v); i++)
			qs__json_write_value(j, qs__json_at(v, i));
		json_array_end(j);
		break;
	case QS__JSON_OBJECT:
		json_object_begin(j);
		for (i = 0; i < qs__json_count(v); i++) {
			s = qs__json_key_at(v, i, &len);
			json_key_len(j, s, len);
			qs__json_write_value(j, qs__json_value_at(v, i));
		}
		json_object_end(j);
		break;
	default:
		break;
	}
}
