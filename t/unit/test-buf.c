/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"
#include "tap.h"

static void test_empty(void)
{
	qs_buf b = QS_BUF_INIT;

	ok(b.ptr != NULL, "empty buffer has a readable pointer");
	is_str(b.ptr, "", "empty buffer reads as \"\"");
	is_int(b.len, 0, "empty buffer has length 0");
	qs_buf_release(&b);
	ok(b.ptr != NULL && b.alloc == 0, "release leaves an empty buffer");
}

static void test_append(void)
{
	qs_buf b = QS_BUF_INIT;
	char big[1000];
	size_t i;

	qs_buf_adds(&b, "hello");
	qs_buf_addch(&b, ' ');
	qs_buf_addf(&b, "%s %d", "world", 42);
	is_str(b.ptr, "hello world 42", "adds, addch and addf concatenate");
	is_int(b.len, 14, "length follows content");

	memset(big, 'x', sizeof(big));
	for (i = 0; i < 100; i++)
		qs_buf_add(&b, big, sizeof(big));
	is_int(b.len, 14 + 100 * sizeof(big), "growth keeps every byte");
	ok(b.ptr[b.len] == '\0', "content stays NUL-terminated after growth");
	ok(!qs_buf_oom(&b), "no allocation failure recorded");

	qs_buf_add(&b, "a\0b", 3);
	ok(b.ptr[b.len - 2] == '\0', "embedded NUL bytes are kept");
	qs_buf_release(&b);
}

static void test_addf_long(void)
{
	qs_buf b = QS_BUF_INIT;
	char s[300];

	memset(s, 'y', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	qs_buf_adds(&b, "ab");
	qs_buf_addf(&b, "[%s]", s);
	is_int(b.len, 2 + 2 + 299, "addf larger than the allocation grows it");
	ok(b.ptr[2] == '[' && b.ptr[b.len - 1] == ']', "addf output is complete");
	qs_buf_release(&b);
}

static void test_edit(void)
{
	qs_buf b = QS_BUF_INIT;
	char *s;

	qs_buf_sets(&b, "  padded text \n");
	qs_buf_trim(&b);
	is_str(b.ptr, "padded text", "trim removes both ends");
	qs_buf_insert(&b, 0, ">> ", 3);
	is_str(b.ptr, ">> padded text", "insert at the front");
	qs_buf_remove(&b, 3, 7);
	is_str(b.ptr, ">> text", "remove a middle run");
	ok(qs_buf_starts_with(&b, ">>") && qs_buf_ends_with(&b, "text"),
	   "starts_with and ends_with");
	qs_buf_set(&b, b.ptr + 3, 4);
	is_str(b.ptr, "text", "set from the buffer's own content");
	qs_buf_truncate(&b, 2);
	is_str(b.ptr, "te", "truncate shortens");
	s = qs_buf_detach(&b);
	is_str(s, "te", "detach hands over the string");
	ok(b.alloc == 0 && b.len == 0, "detach leaves the buffer empty");
	free(s);
	s = qs_buf_detach(&b);
	is_str(s, "", "detaching an empty buffer gives an allocated \"\"");
	free(s);
}

static void test_errors(void)
{
	const qs_error *e;

	qs_error_clear();
	e = qs_error_last();
	ok(e != NULL && e->code == QS_OK, "no error after clear");
	is_int(qs__error_set_at(QS_EPARSE, "patches/series", 12,
				"duplicate entry '%s'", "a.patch"),
	       QS_EPARSE, "error_set_at returns its code");
	e = qs_error_last();
	is_str(e->message, "patches/series:12: duplicate entry 'a.patch'",
	       "message carries the location first");
	is_str(e->path, "patches/series", "path is recorded");
	is_int(e->line, 12, "line is recorded");
	qs__error_set(QS_EINVAL, "bad %s '%s'", "thing", e->message);
	is_str(qs_error_last()->message,
	       "bad thing 'patches/series:12: duplicate entry 'a.patch''",
	       "a new message may quote the old one");
	ok(qs_error_last()->path == NULL, "an error without location has no path");
	is_str(qs_error_string(QS_EPARSE), "malformed input", "error_string");
}

int main(void)
{
	test_empty();
	test_append();
	test_addf_long();
	test_edit();
	test_errors();
	return done_testing();
}
