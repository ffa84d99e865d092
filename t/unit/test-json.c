/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON reader, judged by RFC 8259 and by the writer: what the
 * reader accepts is written back compact and compared, and what the
 * writer writes (control characters, NUL, invalid UTF-8) reads back.
 */
#include "internal.h"
#include "json-read.h"
#include "json-write.h"

#include <time.h>

#include "tap.h"

/* A text as a test's name: control characters and NUL escaped, C-like. */
static const char *shown(const char *s, size_t len)
{
	static qs_buf ring[4];
	static int next;
	qs_buf *b = &ring[next++ % 4];
	size_t i;

	qs_buf_release(b);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			qs_buf_adds(b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			qs_buf_addf(b, "\\x%02x", c);
		else
			qs_buf_addch(b, c);
	}
	return b->ptr;
}

/* A value written back compact; to free(). NULL when out of memory. */
static char *written(const struct qs__json_value *v)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct json j;

	if (!f)
		return NULL;
	json_init(&j, f);
	qs__json_write_value(&j, v);
	fclose(f);
	return out;
}

/* The document written back compact, or "ERROR: <message>"; to free(). */
static char *reparse(const char *text, size_t len)
{
	struct qs__json_doc *doc = NULL;
	char *out;

	if (qs__json_parse(&doc, text, len, "t.json") < 0) {
		qs_buf b = QS_BUF_INIT;

		qs_buf_addf(&b, "ERROR: %s", qs_error_last()->message);
		return qs_buf_detach(&b);
	}
	out = written(qs__json_root(doc));
	qs__json_doc_free(doc);
	return out;
}

static void check_same(const char *text, const char *want)
{
	char *got = reparse(text, strlen(text));

	is_str(got, want, "%s reads as %s", shown(text, strlen(text)), want);
	free(got);
}

/* The text must be refused with exactly this message (after "t.json:"). */
static void check_error_len(const char *text, size_t len, const char *want,
			    const char *what)
{
	struct qs__json_doc *doc = (struct qs__json_doc *)1;
	int ret = qs__json_parse(&doc, text, len, "t.json");
	const qs_error *e = qs_error_last();
	qs_buf w = QS_BUF_INIT;

	qs_buf_addf(&w, "t.json:%s", want);
	ok(ret == QS_EPARSE && doc == NULL && e->code == QS_EPARSE,
	   "%s: refused with QS_EPARSE", what);
	is_str(ret == QS_EPARSE ? e->message : "", w.ptr, "%s: message", what);
	qs_buf_release(&w);
}

static void check_error(const char *text, const char *want)
{
	check_error_len(text, strlen(text), want, shown(text, strlen(text)));
}

static void test_values(void)
{
	check_same("null", "null");
	check_same("true", "true");
	check_same(" false ", "false");
	check_same("\"\"", "\"\"");
	check_same("[]", "[]");
	check_same("{}", "{}");
	check_same(" \t\r\n[ 1 , 2 ,\n3 ] \n", "[1,2,3]");
	check_same("{\"a\":[{\"b\":null},true,\"x\"],\"c\":{}}",
		   "{\"a\":[{\"b\":null},true,\"x\"],\"c\":{}}");
	check_same("[[[[]]],[[]],[]]", "[[[[]]],[[]],[]]");
	check_same("{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}");
	check_same("[\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\"]",
		   "[\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\"]");
	check_same("\"\x7f\"", "\"\\u007f\"");
}

static void test_numbers(void)
{
	struct qs__json_doc *doc = NULL;
	const struct qs__json_value *r;
	int is_int = -1;
	size_t len = 0;

	check_same("[0,-0,1,-1,42,1234567890123]", "[0,0,1,-1,42,1234567890123]");
	check_same("[9223372036854775807,-9223372036854775808]",
		   "[9223372036854775807,-9223372036854775808]");
	check_same("[1.5,-0.25,1e3,1E+3,2e-7,0.0,1.0]",
		   "[1.5,-0.25,1e3,1E+3,2e-7,0.0,1.0]");
	check_same("[9223372036854775808,-9223372036854775809,"
		   "123456789012345678901234567890]",
		   "[9223372036854775808,-9223372036854775809,"
		   "123456789012345678901234567890]");

	const char text[] = "[7, 1e3, 18446744073709551616, \"7\", -9223372036854775808]";

	ok(qs__json_parse(&doc, text, strlen(text), "t.json") == 0, "numbers parse");
	r = qs__json_root(doc);
	is_int(qs__json_int(qs__json_at(r, 0), &is_int), 7, "7 is 7");
	is_int(is_int, 1, "7 is an integer");
	is_int(qs__json_int(qs__json_at(r, 1), &is_int), 0, "1e3 gives 0");
	is_int(is_int, 0, "1e3 is not an integer");
	qs__json_int(qs__json_at(r, 2), &is_int);
	is_int(is_int, 0, "2^64 is not an int64_t");
	ok(qs__json_number_text(qs__json_at(r, 2), &len) &&
	   !memcmp(qs__json_number_text(qs__json_at(r, 2), NULL),
		   "18446744073709551616", 20), "but its text is kept");
	is_int(len, 20, "with its length");
	qs__json_int(qs__json_at(r, 3), &is_int);
	is_int(is_int, 0, "a string is not an integer");
	ok(qs__json_number_text(qs__json_at(r, 3), NULL) == NULL,
	   "nor a number");
	ok(qs__json_int(qs__json_at(r, 4), &is_int) == INT64_MIN && is_int,
	   "-2^63 is the smallest integer");
	qs__json_doc_free(doc);
}

static void test_escapes(void)
{
	struct qs__json_doc *doc = NULL;
	const char text[] = "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u0041\\u00e9\\u20AC\\uffff\","
			    " \"a\\u0000b\", \"\\ud83d\\ude00\\uD834\\uDD1E\"]";
	const char *s;
	size_t len = 0;

	ok(qs__json_parse(&doc, text, strlen(text), "t.json") == 0,
	   "every escape parses");
	s = qs__json_string(qs__json_at(qs__json_root(doc), 0), &len);
	ok(s && len == 8 && !memcmp(s, "\"\\/\b\f\n\r\t", 9),
	   "the short escapes decode to their bytes");
	s = qs__json_string(qs__json_at(qs__json_root(doc), 1), &len);
	is_str(s, "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf",
	       "\\u escapes of one, two and three UTF-8 bytes, either case");
	is_int(len, 9, "and their length");
	s = qs__json_string(qs__json_at(qs__json_root(doc), 2), &len);
	ok(s && len == 3 && !memcmp(s, "a\0b", 4),
	   "\\u0000 is a NUL byte inside the string, which keeps its length");
	is_int(strlen(s), 1, "so strlen() stops short of the length");
	s = qs__json_string(qs__json_at(qs__json_root(doc), 3), &len);
	is_str(s, "\xf0\x9f\x98\x80\xf0\x9d\x84\x9e",
	       "surrogate pairs decode to one four-byte sequence each");
	qs__json_doc_free(doc);
}

static void test_invalid(void)
{
	char deep[2 * QS__JSON_MAX_DEPTH + 4];
	size_t i;

	check_error("", "1:1: unexpected end of input: expected a value");
	check_error("  \n ", "2:2: unexpected end of input: expected a value");
	check_error("[1,2", "1:5: unexpected end of input in an array: expected ',' or ']'");
	check_error("[1,]", "1:4: unexpected ']': expected a value");
	check_error("[1 2]", "1:4: unexpected '2' in an array: expected ',' or ']'");
	check_error("{\"a\":1,}", "1:8: unexpected '}' in an object: expected a key");
	check_error("{\"a\" 1}", "1:6: unexpected '1' in an object: expected ':'");
	check_error("{a:1}", "1:2: unexpected 'a' in an object: expected a key");
	check_error("{\"a\":1 \"b\":2}",
		    "1:8: unexpected '\"' in an object: expected ',' or '}'");
	check_error("['a']", "1:2: unexpected ''': expected a value");
	check_error("[] x", "1:4: unexpected 'x' after the document");
	check_error("1 2", "1:3: unexpected '2' after the document");
	check_error("{}}", "1:3: unexpected '}' after the document");
	check_error("tru", "1:1: invalid literal: expected 'true'");
	check_error("nul", "1:1: invalid literal: expected 'null'");
	check_error("True", "1:1: unexpected 'T': expected a value");
	check_error("\xef\xbb\xbf[]", "1:1: unexpected byte 0xef: expected a value");
	check_error_len("[\0]", 3, "1:2: unexpected byte 0x00: expected a value",
			"a NUL byte outside a string");

	check_error("01", "1:1: invalid number: leading zero");
	check_error("[-012]", "1:2: invalid number: leading zero");
	check_error("-", "1:1: invalid number: '-' needs a digit after it");
	check_error("[-a]", "1:2: invalid number: '-' needs a digit after it");
	check_error("1.", "1:3: invalid number: '.' needs a digit after it");
	check_error("1.e3", "1:3: invalid number: '.' needs a digit after it");
	check_error("1e", "1:3: invalid number: the exponent needs a digit");
	check_error("1e+", "1:4: invalid number: the exponent needs a digit");
	check_error(".5", "1:1: unexpected '.': expected a value");
	check_error("+1", "1:1: unexpected '+': expected a value");
	check_error("[1.5.2]", "1:5: unexpected '.' in an array: expected ',' or ']'");

	check_error("\"abc", "1:1: unterminated string");
	check_error("[\"abc\\", "1:2: unterminated string");
	check_error("\"a\nb\"", "1:3: control character U+000A in a string must be escaped");
	check_error("\"a\tb\"", "1:3: control character U+0009 in a string must be escaped");
	check_error_len("\"a\0b\"", 5,
			"1:3: control character U+0000 in a string must be escaped",
			"a raw NUL in a string");
	check_error("\"\\x\"", "1:2: invalid escape '\\x'");
	check_error("\"\\U0041\"", "1:2: invalid escape '\\U'");
	check_error("\"\\\x01\"", "1:2: invalid escape: byte 0x01 after '\\'");
	check_error("\"\\u12\"", "1:2: invalid escape '\\u12\"': \\u needs four hex digits");
	check_error("\"\\u12G4\"", "1:2: invalid escape '\\u12G4': \\u needs four hex digits");
	check_error("\"\\u12", "1:2: invalid escape '\\u12': \\u needs four hex digits");
	check_error("\"\\ud83d\"", "1:2: lone surrogate '\\ud83d'");
	check_error("\"x\\ud83dx\"", "1:3: lone surrogate '\\ud83d'");
	check_error("\"\\ud83d\\u0041\"", "1:2: lone surrogate '\\ud83d'");
	check_error("\"\\ud83d\\ud83d\"", "1:2: lone surrogate '\\ud83d'");
	check_error("\"\\ude00\"", "1:2: lone surrogate '\\ude00'");
	check_error("\"\\ude00\\ud83d\"", "1:2: lone surrogate '\\ude00'");

	check_error("\"\xff\"", "1:2: invalid UTF-8 in a string");
	check_error("\"\xc0\x80\"", "1:2: invalid UTF-8 in a string");
	check_error("\"\xe0\x80\xaf\"", "1:2: invalid UTF-8 in a string");
	check_error("\"\xed\xa0\x80\"", "1:2: invalid UTF-8 in a string");
	check_error("\"\xf4\x90\x80\x80\"", "1:2: invalid UTF-8 in a string");
	check_error("\"ok\xe2\x82\"", "1:4: invalid UTF-8 in a string");
	check_error("\"\x80\"", "1:2: invalid UTF-8 in a string");
	check_error("[\"\xc3\xa9\xc3\xa9\", \xc3\xa9]",
		    "1:8: unexpected byte 0xc3: expected a value");

	check_error("{\n  \"a\": [1,\n  2,,\n]}", "3:5: unexpected ',': expected a value");

	/* as deep as allowed, then one more */
	for (i = 0; i < QS__JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[QS__JSON_MAX_DEPTH + i] = ']';
	}
	deep[2 * QS__JSON_MAX_DEPTH] = '\0';
	{
		char *got = reparse(deep, strlen(deep));

		is_str(got, deep, "%d nested arrays parse, and write back",
		       QS__JSON_MAX_DEPTH);
		free(got);
	}
	memmove(deep + 1, deep, 2 * QS__JSON_MAX_DEPTH + 1);
	deep[0] = '{';
	check_error_len(deep, strlen(deep),
			"1:2: unexpected '[' in an object: expected a key",
			"an object around them is refused for its key first");
	deep[0] = '[';
	deep[2 * QS__JSON_MAX_DEPTH + 1] = ']';
	deep[2 * QS__JSON_MAX_DEPTH + 2] = '\0';
	check_error_len(deep, strlen(deep), "1:129: nested deeper than 128 levels",
			"one more level is refused");
}

static void test_hostile_depth(void)
{
	size_t n = 1000000, i;
	char *s = malloc(4 * n);
	struct qs__json_doc *doc = NULL;

	if (!s)
		return;
	memset(s, '[', n);
	ok(qs__json_parse(&doc, s, n, "t.json") == QS_EPARSE && !doc,
	   "a million '[' are refused without exhausting the stack");
	for (i = 0; i < n; i++)
		memcpy(s + 4 * i, "{\"\":", 4);
	ok(qs__json_parse(&doc, s, 4 * n, "t.json") == QS_EPARSE && !doc,
	   "so are a million nested objects");
	free(s);
}

static void test_access(void)
{
	struct qs__json_doc *doc = NULL;
	const char text[] = "{\"name\":\"x\",\"n\":3,\"list\":[true,false,null],"
			    "\"k\\u0000\":1,\"name\":\"second\"}";
	const struct qs__json_value *r, *list;
	size_t len = 0;

	ok(qs__json_parse(&doc, text, strlen(text), "t.json") == 0, "object parses");
	r = qs__json_root(doc);
	is_int(qs__json_type(r), QS__JSON_OBJECT, "the root is an object");
	is_int(qs__json_count(r), 5, "with five members");
	is_str(qs__json_string(qs__json_get(r, "name"), NULL), "x",
	       "a key finds its first member");
	is_str(qs__json_key_at(r, 4, NULL), "name", "the duplicate is kept");
	is_str(qs__json_string(qs__json_value_at(r, 4), NULL), "second",
	       "with its value");
	ok(qs__json_key_at(r, 3, &len) && len == 2, "a key holding NUL keeps its length");
	ok(!qs__json_get(r, "k"), "and is not found by its C string");
	ok(!qs__json_get(r, "missing"), "a missing key is NULL");
	is_int(qs__json_type(qs__json_get(r, "missing")), QS__JSON_NONE,
	       "whose type is none");
	is_str(qs__json_type_name(QS__JSON_NONE), "missing", "named 'missing'");
	is_str(qs__json_type_name(QS__JSON_OBJECT), "an object", "types have names");
	list = qs__json_get(r, "list");
	is_int(qs__json_count(list), 3, "the array has three elements");
	is_int(qs__json_bool(qs__json_at(list, 0)), 1, "true");
	is_int(qs__json_bool(qs__json_at(list, 1)), 0, "false");
	is_int(qs__json_bool(qs__json_at(list, 2)), -1, "null is not a boolean");
	is_int(qs__json_type(qs__json_at(list, 2)), QS__JSON_NULL, "but null");
	ok(!qs__json_at(list, 3), "past the end is NULL");
	ok(!qs__json_at(r, 0), "an object has no elements by index");
	ok(!qs__json_get(list, "name"), "an array has no members");
	ok(!qs__json_key_at(list, 0, NULL) && !qs__json_value_at(list, 0),
	   "nor keys");
	ok(!qs__json_string(qs__json_get(r, "n"), NULL), "a number is not a string");
	is_int(qs__json_count(qs__json_get(r, "n")), 0, "and has no count");
	ok(!qs__json_string(qs__json_get(qs__json_at(qs__json_get(r, "nope"), 2), "x"),
			    NULL), "lookups through missing values chain to NULL");
	qs__json_doc_free(doc);
	qs__json_doc_free(NULL);
	ok(qs__json_root(NULL) == NULL, "no document, no root");
}

/* What the writer writes, the reader reads back, byte for byte or U+FFFD. */
static void test_round_trip(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
		size_t out_len;
		const char *what;
	} cases[] = {
		{ "plain", 5, "plain", 5, "a plain string" },
		{ "a\"b\\c/d", 7, "a\"b\\c/d", 7, "quote, backslash and slash" },
		{ "\b\f\n\r\t", 5, "\b\f\n\r\t", 5, "the control characters with short escapes" },
		{ "\x01\x1f\x7f", 3, "\x01\x1f\x7f", 3, "other control characters and DEL" },
		{ "a\0b\0", 4, "a\0b\0", 4, "NUL bytes" },
		{ "\xc3\xa9\xf0\x9f\x98\x80", 6, "\xc3\xa9\xf0\x9f\x98\x80", 6, "UTF-8" },
		{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b", 5, "an invalid byte becomes U+FFFD" },
		{ "\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, "an overlong NUL, two U+FFFD" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9,
		  "an encoded surrogate, three U+FFFD" },
		{ "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, "a truncated sequence" },
	};
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(cases); i++) {
		char *text = NULL;
		size_t n = 0, len = 0;
		FILE *f = open_memstream(&text, &n);
		struct qs__json_doc *doc = NULL;
		struct json j;
		const char *s;

		if (!f)
			continue;
		json_init(&j, f);
		json_object_begin(&j);
		json_key_len(&j, cases[i].in, cases[i].len);
		json_array_begin(&j);
		json_string_len(&j, cases[i].in, cases[i].len);
		json_int(&j, INT64_MIN);
		json_array_end(&j);
		json_object_end(&j);
		json_end_document(&j);
		fclose(f);
		ok(qs__json_parse(&doc, text, n, "t.json") == 0,
		   "round trip, %s: the writer's output parses", cases[i].what);
		s = qs__json_string(qs__json_at(qs__json_value_at(qs__json_root(doc), 0), 0),
				    &len);
		ok(s && len == cases[i].out_len && !memcmp(s, cases[i].out, len),
		   "round trip, %s: the string reads back", cases[i].what);
		s = qs__json_key_at(qs__json_root(doc), 0, &len);
		ok(s && len == cases[i].out_len && !memcmp(s, cases[i].out, len),
		   "round trip, %s: so does the key", cases[i].what);
		qs__json_doc_free(doc);
		free(text);
	}
}

/*
 * A document shaped like a big manifest's patches.json: 3000 patches of
 * about 1 KB. Parsed a few times; the speed is only reported, as the
 * machine may be busy.
 */
static void test_big(void)
{
	qs_buf b = QS_BUF_INIT;
	struct qs__json_doc *doc = NULL;
	struct qs__json_span *spans = NULL;
	struct timespec t0, t1;
	double secs;
	size_t i, k, n = 0;
	int ret = 0, rounds = 5;

	qs_buf_addch(&b, '[');
	for (i = 0; i < 3000; i++) {
		qs_buf_addf(&b, "%s{\"name\":\"mm-patch-number-%zu-does-something.patch\","
			    "\"line\":%zu,\"section\":\"mm-unstable\",\"committed\":false,"
			    "\"blob\":\"%040zx\",\"message_id\":\"2024030%zu.%zu-1-someone@kernel.org\","
			    "\"subject\":\"mm/gup: patch %zu does something \\\"useful\\\" \\u2014 really\","
			    "\"author\":{\"name\":\"J\xc3\xb6rg Someone\",\"email\":\"jorg@example.org\"},"
			    "\"date\":\"2024-03-01T12:00:00+01:00\",\"trailers\":[",
			    i ? "," : "", i, i + 10, i * 7919, i % 10, i, i);
		for (k = 0; k < 4; k++)
			qs_buf_addf(&b, "%s{\"key\":\"Signed-off-by\",\"value\":\"Person %zu <p%zu@example.org>\"}",
				    k ? "," : "", k, k);
		qs_buf_addf(&b, "],\"files\":[\"mm/gup.c\",\"include/linux/mm.h\"],"
			    "\"series\":{\"title\":\"mm: series %zu\",\"slug\":\"mm-series-%zu\","
			    "\"position\":%zu,\"count\":4},"
			    "\"applied\":{\"how\":\"clean\",\"offset\":0,\"fuzz\":0,\"error\":null},"
			    "\"commits\":[{\"branch\":\"mm-unstable\",\"commit\":\"%040zx\",\"position\":%zu},"
			    "{\"branch\":\"mm-unstable-mm-series-%zu\",\"commit\":\"%040zx\",\"position\":%zu}]}",
			    i / 4, i / 4, i % 4 + 1, i, i + 1, i / 4, i * 3, i % 4 + 1);
	}
	qs_buf_adds(&b, "]\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds && !ret; r++) {
		qs__json_doc_free(doc);
		doc = NULL;
		ret = qs__json_parse(&doc, b.ptr, b.len, "patches.json");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(ret == 0 && qs__json_count(qs__json_root(doc)) == 3000,
	   "a %zu-byte document of 3000 patches parses", b.len);
	is_str(qs__json_string(qs__json_get(qs__json_at(qs__json_root(doc), 2999),
					     "subject"), NULL),
	       "mm/gup: patch 2999 does something \"useful\" \xe2\x80\x94 really",
	       "and its last patch reads back");
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_diag("%.2f MB parsed in %.2f ms: %.0f MB/s", (double)b.len / 1e6,
		 secs * 1e3 / rounds, (double)b.len * rounds / 1e6 / secs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds && !ret; r++) {
		free(spans);
		spans = NULL;
		ret = qs__json_split_objects(&spans, &n, b.ptr, b.len, 0, "patches.json");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(ret == 0 && n == 3000 && spans[2999].end == b.len - 2,
	   "it splits into its 3000 patches");
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	tap_diag("%.2f MB split in %.2f ms: %.0f MB/s", (double)b.len / 1e6,
		 secs * 1e3 / rounds, (double)b.len * rounds / 1e6 / secs);
	free(spans);
	qs__json_doc_free(doc);
	qs_buf_release(&b);
}

/*
 * Split `text`, then parse each element alone: the same elements, read
 * the same, as a parse of the whole; `as_written` gives each element's
 * flag as a string of '0' and '1'.
 */
static void check_split(const char *text, const char *as_written)
{
	struct qs__json_span *spans = NULL;
	struct qs__json_doc *whole = NULL;
	size_t n = 0, i;
	qs_buf flags = QS_BUF_INIT;
	int same = 1;

	if (qs__json_split_objects(&spans, &n, text, strlen(text), 0, "t.json") < 0 ||
	    qs__json_parse(&whole, text, strlen(text), "t.json") < 0) {
		ok(0, "split %s: %s", shown(text, strlen(text)), qs_error_last()->message);
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct qs__json_doc *part = NULL;
		char *a = NULL, *b = NULL;

		qs_buf_addch(&flags, spans[i].as_written ? '1' : '0');
		if (qs__json_parse_part(&part, text, strlen(text), spans[i].start, spans[i].end,
					"t.json") < 0) {
			same = 0;
			continue;
		}
		a = written(qs__json_root(part));
		b = written(qs__json_at(qs__json_root(whole), i));
		if (!a || !b || strcmp(a, b))
			same = 0;
		free(a);
		free(b);
		qs__json_doc_free(part);
	}
	ok(same && n == qs__json_count(qs__json_root(whole)),
	   "split %s: each element parses alone as in the whole", shown(text, strlen(text)));
	is_str(flags.ptr ? flags.ptr : "", as_written, "split %s: as written",
	       shown(text, strlen(text)));
done:
	qs_buf_release(&flags);
	qs__json_doc_free(whole);
	free(spans);
}

/* The splitter refuses `text`; so may the parser, but need not. */
static void check_split_refused(const char *text, size_t len)
{
	struct qs__json_span *spans = (struct qs__json_span *)1;
	size_t n = 7;
	int ret = qs__json_split_objects(&spans, &n, text, len, 0, "t.json");

	ok(ret == QS_EPARSE && !spans && !n &&
	   !strcmp(qs_error_last()->message, "t.json: not an array of objects"),
	   "split refuses %s", shown(text, len));
}

/*
 * `text` splits, but element `i` does not parse: refused with the
 * message a parse of the whole gives, `want` after "t.json:".
 */
static void check_part_error(const char *text, size_t i, const char *want)
{
	struct qs__json_span *spans = NULL;
	struct qs__json_doc *doc = (struct qs__json_doc *)1;
	size_t n = 0;

	ok(qs__json_split_objects(&spans, &n, text, strlen(text), 0, "t.json") == 0 && n > i,
	   "split %s: an element malformed inside is not the splitter's to see",
	   shown(text, strlen(text)));
	if (n > i) {
		ok(qs__json_parse_part(&doc, text, strlen(text), spans[i].start, spans[i].end,
				       "t.json") == QS_EPARSE && !doc,
		   "parse_part %s: element %zu refused", shown(text, strlen(text)), i);
		is_str(qs_error_last()->message + strlen("t.json:"), want,
		       "parse_part %s: as the whole parse says it", shown(text, strlen(text)));
		check_error(text, want);
	}
	free(spans);
}

static void test_split(void)
{
	struct qs__json_span *spans = NULL;
	struct qs__json_doc *doc = NULL;
	size_t n = 0, d;

	check_split("[]", "");
	check_split(" [ ] \n", "");
	check_split("[{}]", "1");
	check_split(" [ {\"a\":1} ,\n{\"b\":[{\"c\":\"]}\\\"[{\"}]} ] ", "11");
	check_split("[{\"k\":\"\\\" \\\\ \\n \\r \\t \\b \\f \\u0001 \\u001f \\u007f\"}]", "1");
	/* what another writer may write: the element must be searched decoded */
	check_split("[{\"k\":\"\\u00e9\"},{\"k\":\"\\/\"},{\"k\":\"\\u001F\"},"
		    "{\"k\":\"\\u000a\"},{\"k\":\"\\u0041\"},{\"k\":\"\x7f\"},"
		    "{\"\\u0062\":1},{\"k\":\"\\ud83d\\ude00\"},{\"k\":\"\xc3\xa9\"}]",
		    "000000001");

	check_split_refused("", 0);
	check_split_refused("{}", 2);
	check_split_refused("[1]", 3);
	check_split_refused("[{},1]", 6);
	check_split_refused("[[]]", 4);
	check_split_refused("[{},]", 5);
	check_split_refused("[{} {}]", 7);
	check_split_refused("[{]", 3);
	check_split_refused("[{\"a\":[}]", 9);
	check_split_refused("[{\"a\":\"}]", 9);
	check_split_refused("[{\"a\":\"\\", 8);
	check_split_refused("[{}]x", 5);
	check_split_refused("[{}", 3);
	check_split_refused("[{}]\0", 5);

	/* nesting: as deep as the parser allows, and one more */
	for (d = QS__JSON_MAX_DEPTH - 2; d <= QS__JSON_MAX_DEPTH - 1; d++) {
		qs_buf deep = QS_BUF_INIT;
		int parsed, split;
		size_t k;

		qs_buf_adds(&deep, "[{\"\":");
		for (k = 0; k < d; k++)
			qs_buf_addch(&deep, '[');
		for (k = 0; k < d; k++)
			qs_buf_addch(&deep, ']');
		qs_buf_adds(&deep, "}]");
		parsed = qs__json_parse(&doc, deep.ptr, deep.len, "t.json");
		split = qs__json_split_objects(&spans, &n, deep.ptr, deep.len, 0, "t.json");
		ok(parsed == split && (parsed == 0) == (d + 2 <= QS__JSON_MAX_DEPTH),
		   "split: %zu levels, as the parser reads them", d + 2);
		qs__json_doc_free(doc);
		doc = NULL;
		free(spans);
		spans = NULL;
		qs_buf_release(&deep);
	}

	/* an element's errors are located and quoted in the whole text, as a whole parse's */
	check_part_error("[{\"a\":1},\n {\"b\" 2},{}]", 1,
			 "2:7: unexpected '2' in an object: expected ':'");
	check_part_error("[{\"a\":\"\\u{\"}]", 0,
			 "1:8: invalid escape '\\u{\"}]': \\u needs four hex digits");
	free(spans);
}

int main(void)
{
	test_values();
	test_numbers();
	test_escapes();
	test_invalid();
	test_hostile_depth();
	test_access();
	test_round_trip();
	test_split();
	test_big();
	return done_testing();
}
