/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming JSON writer for machine-readable output. It places the
 * commas and escapes strings (control characters as \u00XX, invalid
 * UTF-8 bytes as U+FFFD), so every document it writes is valid JSON.
 * Output is compact: one document per line when `json_end_document` is
 * called.
 *
 * It needs nothing but stdio, so that one source is compiled into both
 * the library (JSON documents it writes, such as the manifest) and the
 * quiltsync command (its --json output) without the command reaching
 * into lib/'s internals. In the shared library its symbols stay hidden.
 */
#ifndef QS_JSON_WRITE_H
#define QS_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Levels 0 (the top) to JSON_MAX_DEPTH - 1: 128 nested arrays and
 * objects, as deep as the reader (json-read.h) accepts, so that what it
 * reads can be written back.
 */
#define JSON_MAX_DEPTH 129

struct json {
	FILE *out;
	int depth;
	/* per level: 1 once a value was written, so the next needs a comma */
	unsigned char has_value[JSON_MAX_DEPTH];
	int after_key;
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
/* A key that may hold NUL bytes. */
void json_key_len(struct json *j, const char *key, size_t len);
/* A string; NULL writes null. */
void json_string(struct json *j, const char *s);
void json_string_len(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
/*
 * A number given as its JSON text ("1.5e3"), written as it is: the
 * reader keeps numbers that are not int64_t integers as text. The text
 * must be a valid JSON number.
 */
void json_number_text(struct json *j, const char *text, size_t len);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Convenience: key and value at once. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, int v);
/* Ends a top-level value with a newline. */
void json_end_document(struct json *j);

#endif
