// SPDX-License-Identifier: GPL-2.0-only
/*
 * qs__json_split_objects: where each element of an array of objects lies
 * in a JSON text, in one pass that parses nothing (see json-read.h), so
 * that a reader parses only the elements it needs (qs__json_parse_part).
 */
#include "internal.h"
#include "json-read.h"

/*
 * Bytes the splitter passes over inside a string: all but the quote, the
 * backslash, and what json-write escapes (control characters, DEL).
 * UTF-8 is not checked here: qs__json_parse_part checks each element.
 */
static const unsigned char split_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int is_lower_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * Whether the escape at `p` (its backslash) is the one json-write writes
 * for the byte it stands for: \" \\ \n \r \t \b \f, and \u00xx in
 * lower case for the other control characters and DEL. Not whether it
 * is valid: the parser says that.
 */
static int escape_as_written(const unsigned char *p, const unsigned char *end)
{
	int v;

	switch (p[1]) {
	case '"': case '\\': case 'n': case 'r': case 't': case 'b': case 'f':
		return 1;
	case 'u':
		if (end - p < 6 || p[2] != '0' || p[3] != '0' ||
		    !is_lower_hex(p[4]) || !is_lower_hex(p[5]))
			return 0;
		v = qs__json_hex4(p + 2);
		if (v == 0x7f)
			return 1;
		return v < 0x20 && v != '\b' && v != '\t' && v != '\n' &&
		       v != '\f' && v != '\r';
	default:
		return 0;
	}
}

/*
 * The element at text[*pos] (its '{'), to the byte after its '}': quotes
 * and escapes followed so that brackets in strings do not count, and
 * brackets matched by kind. `open` containers are open around it.
 */
static int split_element(struct qs__json_span *span, const unsigned char *text,
			 size_t *pos, size_t len, size_t open)
{
	const unsigned char *p = text + *pos, *end = text + len;
	unsigned char kinds[QS__JSON_MAX_DEPTH];
	size_t depth = 0;

	span->start = (uint32_t)*pos;
	span->as_written = 1;
	while (p < end) {
		switch (*p) {
		case '"':
			for (p++;;) {
				while (p < end && split_plain[*p])
					p++;
				if (p >= end)
					return -1;
				if (*p == '"')
					break;
				if (*p == '\\') {
					if (end - p < 2)
						return -1;
					if (!escape_as_written(p, end))
						span->as_written = 0;
					p += 2;
				} else {
					/* raw: refused by the parser, or written escaped */
					span->as_written = 0;
					p++;
				}
			}
			p++;
			break;
		case '{':
		case '[':
			if (open + depth >= QS__JSON_MAX_DEPTH)
				return -1;
			kinds[depth++] = *p == '{' ? '}' : ']';
			p++;
			break;
		case '}':
		case ']':
			if (!depth || kinds[--depth] != *p)
				return -1;
			p++;
			if (!depth) {
				span->end = (uint32_t)(p - text);
				*pos = span->end;
				return 0;
			}
			break;
		default:
			/* numbers, literals, ':' and ',': the parser checks them */
			p++;
			break;
		}
	}
	return -1;
}

static size_t split_space(const unsigned char *text, size_t pos, size_t len)
{
	while (pos < len && qs__json_space[text[pos]])
		pos++;
	return pos;
}

/* The array's elements into `spans`; 1 when the pass cannot split it. */
static int split_array(struct qs__json_span **spans, size_t *n, size_t *alloc,
		       const unsigned char *t, size_t len)
{
	size_t pos = split_space(t, 0, len);

	if (pos >= len || t[pos] != '[')
		return 1;
	pos = split_space(t, pos + 1, len);
	if (pos < len && t[pos] == ']')
		return split_space(t, pos + 1, len) == len ? 0 : 1;
	for (;;) {
		if (pos >= len || t[pos] != '{')
			return 1;
		if (QS_ARRAY_GROW(*spans, *alloc, *n + 1) < 0)
			return QS_ENOMEM;
		if (split_element(&(*spans)[*n], t, &pos, len, 1) < 0)
			return 1;
		(*n)++;
		pos = split_space(t, pos, len);
		if (pos < len && t[pos] == ',') {
			pos = split_space(t, pos + 1, len);
			continue;
		}
		if (pos < len && t[pos] == ']')
			return split_space(t, pos + 1, len) == len ? 0 : 1;
		return 1;
	}
}

int qs__json_split_objects(struct qs__json_span **out, size_t *out_count,
			   const char *text, size_t len, size_t count_hint,
			   const char *name)
{
	struct qs__json_span *spans = NULL;
	size_t n = 0, alloc = 0;
	int ret;

	if (!out || !out_count || (!text && len))
		return qs__error_set(QS_EINVAL, "qs__json_split_objects: NULL argument");
	*out = NULL;
	*out_count = 0;
	if (count_hint && QS_ARRAY_GROW(spans, alloc, count_hint) < 0)
		return QS_ENOMEM;
	/* offsets are 32 bits wide, as the parser's lengths */
	ret = len >= UINT32_MAX ? 1 :
	      split_array(&spans, &n, &alloc, (const unsigned char *)text, len);
	if (ret == 1)
		ret = qs__error_set_at(QS_EPARSE, name ? name : "json", 0,
				       "not an array of objects");
	if (ret < 0)
		goto done;
	*out = spans;
	*out_count = n;
	spans = NULL;
done:
	free(spans);
	return ret;
}
