/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A JSON reader (RFC 8259): a whole document parsed at once into a
 * read-only tree. The library reads the manifest's blobs with it.
 *
 * The tree belongs to a qs__json_doc and lives in three allocations
 * whatever its size (the values, a copy of the text where strings are
 * decoded in place, the doc), so that a manifest of a few megabytes
 * parses in milliseconds and is freed in one call. The caller's text is
 * not referenced after qs__json_parse returns. A document must be
 * smaller than 4 GiB.
 *
 * Strict, so that what the writer (json-write.h) writes and what this
 * reads agree byte for byte: a string must be valid UTF-8 (the writer
 * replaces what is not with U+FFFD), escapes decode to UTF-8 and a
 * surrogate must come in a pair. Nothing but white space may follow
 * the document. Nesting deeper than QS__JSON_MAX_DEPTH is refused, so
 * that hostile input cannot exhaust the stack.
 *
 * A reader that needs few elements of a big array need not parse it all:
 * qs__json_split_objects finds where each element lies in one pass that
 * allocates nothing per element, and qs__json_parse_part parses one of
 * them alone, as strictly, with errors located in the whole text.
 *
 * Strings are NUL-terminated and come with their length: "\u0000"
 * decodes to a NUL byte inside the string, which a caller that wants a
 * C string must refuse (length != strlen).
 *
 * Numbers are kept as their text; the integers among them (no fraction,
 * no exponent, within int64_t) can also be had as int64_t. Objects keep their
 * members in document order, duplicates included; looking a key up
 * finds the first.
 *
 * Every accessor takes NULL for a value and answers as for a value of
 * the wrong type, so that lookups chain: qs__json_get(qs__json_at(a, 3),
 * "name") is NULL when element 3 or its member is missing.
 */
#ifndef QS_JSON_READ_H
#define QS_JSON_READ_H

#include "internal.h"

/** Deepest nesting of arrays and objects qs__json_parse accepts. */
#define QS__JSON_MAX_DEPTH 128

struct qs__json_doc;
struct qs__json_value;

enum qs__json_type {
	QS__JSON_NONE = 0, /* no value: what qs__json_type(NULL) says */
	QS__JSON_NULL,
	QS__JSON_BOOL,
	QS__JSON_NUMBER,
	QS__JSON_STRING,
	QS__JSON_ARRAY,
	QS__JSON_OBJECT,
};

/**
 * Parse `len` bytes of `text` (need not be NUL-terminated). `name`
 * names the text in error messages: QS_EPARSE with
 * "NAME:LINE:COLUMN: message" (columns count characters from 1), or
 * QS_ENOMEM. `*out` is NULL on failure.
 */
int qs__json_parse(struct qs__json_doc **out, const char *text, size_t len,
		   const char *name);

/**
 * Parse text[start, end) of the `len` bytes of `text` as a document of
 * its own: one element that qs__json_split_objects found. Errors are
 * located, and quoted, in the whole text, so that they read as
 * qs__json_parse's would for the same fault. Otherwise as qs__json_parse.
 */
int qs__json_parse_part(struct qs__json_doc **out, const char *text, size_t len,
			size_t start, size_t end, const char *name);

/** Where one element of an array lies, as qs__json_split_objects finds it. */
struct qs__json_span {
	uint32_t start, end; /* text[start, end): from its '{' to its '}' */
	/*
	 * 1 when every escape in its strings is the one json-write writes for
	 * the byte it stands for, and no byte json-write escapes stands
	 * unescaped: then the element's text holds a string's writer-escaped
	 * form wherever one of its strings holds the string, so that a search
	 * of the text misses nothing. 0 for text escaped otherwise ("\u00e9",
	 * "\/"), which another writer may produce.
	 */
	unsigned char as_written;
};

/**
 * The elements of the array `len` bytes of `text` hold, in order, without
 * parsing them: one pass that follows strings, escapes and the nesting
 * of brackets and checks nothing else, so that each element can then be
 * parsed alone (qs__json_parse_part), when needed. `*out` is malloc()ed
 * (NULL when there are none), `*out_count` elements long; `count_hint`,
 * when not 0, is how many to make room for at first.
 *
 * QS_EPARSE ("NAME: not an array of objects") when the pass cannot split
 * the text: not an array, an element that is not an object, a bracket
 * or quote unbalanced, nesting deeper than QS__JSON_MAX_DEPTH, anything
 * but white space after it, 4 GiB or more of it. It does not say more: a caller parses the
 * text whole (qs__json_parse) for the precise error. Text it splits may
 * still be malformed inside an element. QS_ENOMEM.
 */
int qs__json_split_objects(struct qs__json_span **out, size_t *out_count,
			   const char *text, size_t len, size_t count_hint,
			   const char *name);

/** Free the document and every value and string of it. NULL-safe. */
void qs__json_doc_free(struct qs__json_doc *doc);

/** The top-level value; never NULL for a parsed document. */
const struct qs__json_value *qs__json_root(const struct qs__json_doc *doc);

enum qs__json_type qs__json_type(const struct qs__json_value *v);

/** "a string", "an object"...: for messages about the wrong type. */
const char *qs__json_type_name(enum qs__json_type type);

/** The string and its length (`out_len` may be NULL); NULL when not a string. */
const char *qs__json_string(const struct qs__json_value *v, size_t *out_len);

/**
 * The value of an integer. `*is_int` (may be NULL) is set to 1 for a
 * number written as an integer that fits in int64_t, else to 0 and 0
 * is returned: another type, 1.5, 1e3, 9223372036854775808.
 */
int64_t qs__json_int(const struct qs__json_value *v, int *is_int);

/**
 * A number as written in the document and its length, which must be
 * used: the text is not NUL-terminated. NULL when not a number.
 */
const char *qs__json_number_text(const struct qs__json_value *v,
				 size_t *out_len);

/** 1 for true, 0 for false, -1 when not a boolean. */
int qs__json_bool(const struct qs__json_value *v);

/** Elements of an array, members of an object; 0 for other values. */
size_t qs__json_count(const struct qs__json_value *v);

/** Element `i` of an array; NULL when out of range or not an array. */
const struct qs__json_value *qs__json_at(const struct qs__json_value *v,
					 size_t i);

/**
 * Member `i` of an object, in document order: its key (with its length;
 * `out_len` may be NULL) and its value. NULL when out of range or not
 * an object.
 */
const char *qs__json_key_at(const struct qs__json_value *v, size_t i,
			    size_t *out_len);
const struct qs__json_value *qs__json_value_at(const struct qs__json_value *v,
					       size_t i);

/**
 * The value of the first member named `key` (a C string: keys holding a
 * NUL byte never match); NULL when there is none or `v` is not an
 * object. Linear: the objects of our documents are small.
 */
const struct qs__json_value *qs__json_get(const struct qs__json_value *v,
					  const char *key);

struct json;
/**
 * Write `v` with json-write's writer: what a parse gives back, byte for
 * byte, where the text was written by json-write (the round trip the
 * tests and the fuzzer check).
 */
void qs__json_write_value(struct json *j, const struct qs__json_value *v);

/*
 * Shared by the parser (json-read.c) and the splitter (json-split.c),
 * which must agree on what JSON is: the blanks between tokens, and the
 * value of four hex digits (-1 when they are not).
 */
extern const unsigned char qs__json_space[256];
int qs__json_hex4(const unsigned char *s);

#endif
