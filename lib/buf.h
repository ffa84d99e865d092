/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs_buf: a growable byte string.
 *
 * Invariants, true after every call:
 * - `ptr` is never NULL: an empty buffer points at a shared "" and owns
 *   nothing (alloc == 0), so it can be read and printed at once.
 * - `ptr[len]` is always '\0'; the content may hold other NUL bytes.
 * - `len < alloc` whenever alloc != 0.
 * - Allocation failure is sticky: the call returns QS_ENOMEM, the error is
 *   recorded (qs_error_last), the content stays as it was and `failed` is
 *   set; later appends do nothing and return QS_ENOMEM too. Code that
 *   builds a string may therefore check once, at the end, with
 *   qs_buf_oom(), instead of after every append.
 *
 * QS_BUF_INIT or qs_buf_init() to start; qs_buf_release() to free;
 * qs_buf_detach() to take the malloc()ed string and leave the buffer empty.
 */
#ifndef QS_BUF_H
#define QS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *ptr;
	size_t len;
	size_t alloc;
	int failed;
} qs_buf;

extern char qs_buf__empty[];
#define QS_BUF_INIT { qs_buf__empty, 0, 0, 0 }

void qs_buf_init(qs_buf *buf);
void qs_buf_release(qs_buf *buf);
/** The content as a malloc()ed string (never NULL unless out of memory). */
char *qs_buf_detach(qs_buf *buf);
/** Make room for `extra` more bytes. */
int qs_buf_grow(qs_buf *buf, size_t extra);
/** Empty the buffer, keeping its memory. */
void qs_buf_clear(qs_buf *buf);
/** Shorten to `len` (must be <= the current length). */
void qs_buf_truncate(qs_buf *buf, size_t len);

int qs_buf_add(qs_buf *buf, const void *data, size_t len);
int qs_buf_addch(qs_buf *buf, int c);
int qs_buf_adds(qs_buf *buf, const char *s);
int qs_buf_addbuf(qs_buf *buf, const qs_buf *other);
int qs_buf_addf(qs_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int qs_buf_vaddf(qs_buf *buf, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/** Replace the content with `len` bytes of `data`. */
int qs_buf_set(qs_buf *buf, const void *data, size_t len);
int qs_buf_sets(qs_buf *buf, const char *s);
/** Insert `len` bytes at `pos` (<= len). */
int qs_buf_insert(qs_buf *buf, size_t pos, const void *data, size_t len);
/** Remove `n` bytes at `pos`. */
void qs_buf_remove(qs_buf *buf, size_t pos, size_t n);

/** Remove leading/trailing ASCII whitespace (space, \t, \n, \r, \v, \f). */
void qs_buf_ltrim(qs_buf *buf);
void qs_buf_rtrim(qs_buf *buf);
void qs_buf_trim(qs_buf *buf);

/** 1 when an allocation failed since init, else 0. */
static inline int qs_buf_oom(const qs_buf *buf) { return buf->failed; }

/** 1 when the content starts/ends with `s`. */
int qs_buf_starts_with(const qs_buf *buf, const char *s);
int qs_buf_ends_with(const qs_buf *buf, const char *s);

#endif
