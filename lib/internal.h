/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by every file of lib/: system headers, the public API, the
 * string buffer, error and log helpers, allocation helpers. Included
 * first by every file of lib/; banned.h comes last so that no system header
 * trips over its macros.
 */
#ifndef QS_INTERNAL_H
#define QS_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiltsync.h"
#include "buf.h"

#define QS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define QS_UNUSED(x) ((void)(x))

/*
 * Errors. qs__error_set() records the thread's last error and returns
 * `code`, so that a failure reads `return qs__error_set(QS_EPARSE, ...)`.
 * The _at form puts "path:line: " in front of the message and fills the
 * record's location; path may be NULL (then only the message is used).
 */
int qs__error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int qs__error_set_at(int code, const char *path, size_t line,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/** The same with "path:line:column: " in front (config files). */
int qs__error_set_at_column(int code, const char *path, size_t line,
			    size_t column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/** Record "out of memory"; returns QS_ENOMEM. */
int qs__error_oom(void);
/** Record an OS error: "<what> '<path>': strerror(errno)"; returns QS_EIO. */
int qs__error_os(const char *what, const char *path);
/** Record the last libgit2 error with context; returns QS_EGIT. */
int qs__error_git(const char *what);

/* Logging through the callback set with qs_log_set(). */
void qs__log(qs_log_level level, const char *path, size_t line,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int qs__log_enabled(qs_log_level level);

/* Allocation that records QS_ENOMEM on failure. */
void *qs__malloc(size_t size);
void *qs__calloc(size_t n, size_t size);
/** Resize an array of `n` items of `size`; NULL (old kept) on failure. */
void *qs__reallocarray(void *ptr, size_t n, size_t size);
char *qs__strdup(const char *s);
char *qs__strndup(const char *s, size_t n);

/*
 * For tests: make the n-th allocation through the helpers above (and
 * qs_buf's) from now fail as malloc() does, NULL and errno ENOMEM, and
 * only that one; n <= 0 disarms. QS_ALLOC_NEVER arms without failing,
 * to count. qs__alloc_count() is how many allocations were numbered
 * since the last call to qs__alloc_fail_after(); none are while
 * unarmed. Process-wide, callable from any thread; not exported.
 */
#define QS_ALLOC_NEVER LONG_MAX
void qs__alloc_fail_after(long n);
long qs__alloc_count(void);
/*
 * While armed, `fn` (NULL: none) is called with each allocation's number
 * on the thread that allocates, before the allocation is made or fails:
 * for a test to tell allocations apart by where they are made.
 */
typedef void (*qs__alloc_observer_fn)(long n);
void qs__alloc_observe(qs__alloc_observer_fn fn);

/*
 * Grow `*array` (of `*alloc` items of `size`) to hold at least `need`
 * items, amortised. Returns 0 or QS_ENOMEM.
 */
int qs__array_grow(void **array, size_t *alloc, size_t need, size_t size);
#define QS_ARRAY_GROW(arr, alloc, need) \
	qs__array_grow((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

/**
 * Days from 1970-01-01 to the proleptic Gregorian date y-m-d (month
 * 1-12), without the C library's time zone machinery: diff headers and
 * the manifest carry their own offsets.
 */
long long qs__days_from_civil(long long y, int m, int d);

/* Files (input-file.c). */
/** What a file read, or a patch inflated, may hold by default: 256 MiB. */
#define QS_READ_MAX_DEFAULT ((size_t)256 << 20)
/**
 * Read a whole regular file (or a symlink to one) into `out` (appended):
 * QS_ENOTFOUND if it does not exist, QS_EPARSE for anything else (a
 * directory, a FIFO, a device) and for a file of more than `max` bytes.
 */
int qs__read_file_max(qs_buf *out, const char *path, size_t max);
/** The same with QS_READ_MAX_DEFAULT. */
int qs__read_file(qs_buf *out, const char *path);
/**
 * Read a file, decompressing it when its name ends in .gz, .bz2, .xz,
 * .lzma or .lz; `max` bounds the file and what it inflates to.
 */
int qs__read_file_decompressed(qs_buf *out, const char *path, size_t max);

#include "banned.h"

#endif
