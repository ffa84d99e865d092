/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz qs__json_parse(). The input is the document. A document that
 * parses is walked (every string valid UTF-8 and NUL-terminated at its
 * length, counts and lookups consistent), written back with the
 * writer, and parsed again: the second tree must equal the first, and
 * writing it must give the same bytes. One that does not parse must
 * leave "fuzz.json:LINE:COLUMN: ..." and QS_EPARSE, or QS_ENOMEM. A
 * broken promise aborts.
 *
 * The splitter must agree with the parser: a document that parses as an
 * array of objects splits into as many elements, each of which parses
 * alone (qs__json_parse_part) as it did in the whole, and holds, when
 * flagged as written, every one of its strings as the writer escapes it;
 * one that parses otherwise does not split; and one that splits but does
 * not parse has an element that does not, with the whole parse's message.
 */
#include "internal.h"
#include "json-read.h"
#include "json-write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Well-formed UTF-8, NUL bytes allowed: what the reader promises. */
static int utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 :
			   c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

		if (!n || len - i < n)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

static void walk(const struct qs__json_value *v)
{
	const char *s;
	size_t i, len, n;

	switch (qs__json_type(v)) {
	case QS__JSON_NULL:
		CHECK(qs__json_bool(v) == -1);
		break;
	case QS__JSON_BOOL:
		CHECK(qs__json_bool(v) == 0 || qs__json_bool(v) == 1);
		break;
	case QS__JSON_NUMBER:
		s = qs__json_number_text(v, &len);
		CHECK(s && len >= 1);
		CHECK(s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
		break;
	case QS__JSON_STRING:
		s = qs__json_string(v, &len);
		CHECK(s && s[len] == '\0');
		CHECK(utf8_ok((const unsigned char *)s, len));
		break;
	case QS__JSON_ARRAY:
		n = qs__json_count(v);
		CHECK(!qs__json_at(v, n) && !qs__json_get(v, ""));
		for (i = 0; i < n; i++)
			walk(qs__json_at(v, i));
		break;
	case QS__JSON_OBJECT:
		n = qs__json_count(v);
		CHECK(!qs__json_at(v, 0) && !qs__json_key_at(v, n, NULL));
		for (i = 0; i < n; i++) {
			const struct qs__json_value *first;

			s = qs__json_key_at(v, i, &len);
			CHECK(s && s[len] == '\0');
			CHECK(utf8_ok((const unsigned char *)s, len));
			/* the lookup finds this member or an earlier one of its name */
			if (strlen(s) == len) {
				first = qs__json_get(v, s);
				CHECK(first);
				CHECK(first <= qs__json_value_at(v, i));
			}
			walk(qs__json_value_at(v, i));
		}
		break;
	default:
		abort();
	}
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static int same(const struct qs__json_value *a, const struct qs__json_value *b)
{
	const char *sa, *sb;
	size_t la, lb, i;
	int ia, ib;

	if (qs__json_type(a) != qs__json_type(b))
		return 0;
	switch (qs__json_type(a)) {
	case QS__JSON_BOOL:
		return qs__json_bool(a) == qs__json_bool(b);
	case QS__JSON_NUMBER:
		/* integers by value ("-0" is written "0"), the rest as text */
		if (qs__json_int(a, &ia) != qs__json_int(b, &ib) || ia != ib)
			return 0;
		if (ia)
			return 1;
		sa = qs__json_number_text(a, &la);
		sb = qs__json_number_text(b, &lb);
		return same_bytes(sa, la, sb, lb);
	case QS__JSON_STRING:
		sa = qs__json_string(a, &la);
		sb = qs__json_string(b, &lb);
		return same_bytes(sa, la, sb, lb);
	case QS__JSON_ARRAY:
		if (qs__json_count(a) != qs__json_count(b))
			return 0;
		for (i = 0; i < qs__json_count(a); i++)
			if (!same(qs__json_at(a, i), qs__json_at(b, i)))
				return 0;
		return 1;
	case QS__JSON_OBJECT:
		if (qs__json_count(a) != qs__json_count(b))
			return 0;
		for (i = 0; i < qs__json_count(a); i++) {
			sa = qs__json_key_at(a, i, &la);
			sb = qs__json_key_at(b, i, &lb);
			if (!same_bytes(sa, la, sb, lb) ||
			    !same(qs__json_value_at(a, i), qs__json_value_at(b, i)))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

/* The document written compact into a malloc()ed buffer. */
static char *write_doc(const struct qs__json_doc *doc, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	struct json j;

	CHECK(f);
	json_init(&j, f);
	qs__json_write_value(&j, qs__json_root(doc));
	json_end_document(&j);
	CHECK(fclose(f) == 0);
	return out;
}

static void check_error(int ret)
{
	const qs_error *e = qs_error_last();
	size_t line = 0, column = 0;
	int end = 0;

	CHECK(ret == QS_EPARSE || ret == QS_ENOMEM);
	if (ret != QS_EPARSE)
		return;
	CHECK(e->code == QS_EPARSE);
	CHECK(!strncmp(e->message, "fuzz.json:", 10));
	CHECK(sscanf(e->message + 10, "%zu:%zu: %n", &line, &column, &end) == 2);
	CHECK(end > 0 && line >= 1 && column >= 1 && line == e->line);
	CHECK(e->path && !strcmp(e->path, "fuzz.json"));
}

/* The string as the writer escapes it, without its quotes, is in `text`. */
static void written_in(const char *s, size_t n, const char *text, size_t len)
{
	char *esc = NULL;
	size_t esclen = 0;
	FILE *f = open_memstream(&esc, &esclen);
	struct json j;

	CHECK(f);
	json_init(&j, f);
	json_string_len(&j, s, n);
	CHECK(fclose(f) == 0);
	CHECK(esclen >= 2 && memmem(text, len, esc + 1, esclen - 2));
	free(esc);
}

/* Every string of `v`, keys too, as the writer escapes it, is in `text`. */
static void strings_as_written(const struct qs__json_value *v, const char *text,
			       size_t len)
{
	const char *s;
	size_t i, n;

	switch (qs__json_type(v)) {
	case QS__JSON_STRING:
		s = qs__json_string(v, &n);
		written_in(s, n, text, len);
		break;
	case QS__JSON_ARRAY:
		for (i = 0; i < qs__json_count(v); i++)
			strings_as_written(qs__json_at(v, i), text, len);
		break;
	case QS__JSON_OBJECT:
		for (i = 0; i < qs__json_count(v); i++) {
			s = qs__json_key_at(v, i, &n);
			written_in(s, n, text, len);
			strings_as_written(qs__json_value_at(v, i), text, len);
		}
		break;
	default:
		break;
	}
}

static int array_of_objects(const struct qs__json_value *root)
{
	size_t i;

	if (qs__json_type(root) != QS__JSON_ARRAY)
		return 0;
	for (i = 0; i < qs__json_count(root); i++)
		if (qs__json_type(qs__json_at(root, i)) != QS__JSON_OBJECT)
			return 0;
	return 1;
}

/* The splitter against the parser's verdict: `doc`, or `message`. */
static void check_split(const char *text, size_t size, const struct qs__json_doc *doc,
			const char *message)
{
	struct qs__json_span *spans = NULL;
	size_t n = 0, i;
	int ret, failed = 0;

	ret = qs__json_split_objects(&spans, &n, text, size, 0, "fuzz.json");
	if (ret == QS_ENOMEM)
		return;
	if (doc && !array_of_objects(qs__json_root(doc))) {
		CHECK(ret == QS_EPARSE && !spans && !n);
		return;
	}
	if (doc)
		CHECK(ret == 0 && n == qs__json_count(qs__json_root(doc)));
	for (i = 0; ret == 0 && i < n && !failed; i++) {
		struct qs__json_doc *part = NULL;
		int pr;

		CHECK(spans[i].start < spans[i].end && spans[i].end <= size &&
		      text[spans[i].start] == '{' && text[spans[i].end - 1] == '}');
		CHECK(i == 0 || spans[i].start > spans[i - 1].end);
		pr = qs__json_parse_part(&part, text, size, spans[i].start, spans[i].end,
					 "fuzz.json");
		if (pr == QS_ENOMEM)
			break;
		if (pr < 0) {
			/* the first element that does not parse is where the whole fails */
			CHECK(!doc && message && !strcmp(qs_error_last()->message, message));
			failed = 1;
			continue;
		}
		if (doc)
			CHECK(same(qs__json_root(part), qs__json_at(qs__json_root(doc), i)));
		if (spans[i].as_written)
			strings_as_written(qs__json_root(part), text + spans[i].start,
					   spans[i].end - spans[i].start);
		qs__json_doc_free(part);
	}
	/* split but not parsed: some element must say why */
	CHECK(doc || ret < 0 || failed || i < n || !message);
	free(spans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qs__json_doc *doc = NULL, *again = NULL;
	char *text = NULL, *text2 = NULL, *message;
	size_t len = 0, len2 = 0;
	int ret;

	ret = qs__json_parse(&doc, (const char *)data, size, "fuzz.json");
	if (ret < 0) {
		CHECK(!doc);
		check_error(ret);
		if (ret == QS_EPARSE && (message = strdup(qs_error_last()->message))) {
			check_split((const char *)data, size, NULL, message);
			free(message);
		}
		return 0;
	}
	check_split((const char *)data, size, doc, NULL);
	CHECK(doc && qs__json_root(doc));
	walk(qs__json_root(doc));

	/* parse, write, parse: the same tree; write again: the same bytes */
	text = write_doc(doc, &len);
	ret = qs__json_parse(&again, text, len, "written.json");
	CHECK(ret == 0);
	CHECK(same(qs__json_root(doc), qs__json_root(again)));
	text2 = write_doc(again, &len2);
	CHECK(same_bytes(text, len, text2, len2));

	free(text);
	free(text2);
	qs__json_doc_free(again);
	qs__json_doc_free(doc);
	return 0;
}
