/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: common definitions shared by every module: export macro,
 * error codes, the last-error record and the log callback.
 *
 * Conventions of the whole API:
 * - Fallible functions return int: 0 on success or a negative QS_E* code.
 *   Their result goes to the first parameter, named `out`.
 * - On failure, qs_error_last() describes what went wrong.
 * - Objects are opaque. An object returned through `out` is owned by the
 *   caller and released with its qs_X_free() (NULL-safe). Pointers returned
 *   by accessors are borrowed from the object and live as long as it does.
 * - Strings are UTF-8 and NUL-terminated unless a length is returned.
 * - The library never prints, never exits and never reads the terminal.
 */
#ifndef QUILTSYNC_COMMON_H
#define QUILTSYNC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define QS_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define QS_EXTERN(type) extern type
#endif

/** Error codes. Every fallible call returns 0 or one of these. */
typedef enum {
	QS_OK = 0,
	QS_ERROR = -1,      /**< generic failure */
	QS_ENOMEM = -2,     /**< out of memory */
	QS_EINVAL = -3,     /**< invalid argument from the caller */
	QS_ENOTFOUND = -4,  /**< the thing asked for does not exist */
	QS_EIO = -5,        /**< an operating system call failed */
	QS_EPARSE = -6,     /**< malformed input: series file, mail, diff */
	QS_ECONFIG = -7,    /**< invalid configuration */
	QS_EGIT = -8,       /**< a libgit2 call failed */
	QS_EAPPLY = -9,     /**< a patch does not apply */
	QS_EUNSAFE = -10,   /**< a path that must not be written */
	QS_ECONFLICT = -11, /**< a merge conflict with no recorded resolution */
	QS_ELOCKED = -12,   /**< another process holds the lock */
	QS_EREWRITE = -13,  /**< the change would rewrite an append-only branch */
	QS_EMOVED = -14,    /**< a ref moved while the build ran: nothing written */
	QS_ITEROVER = -31,  /**< end of an iteration; not an error */
} qs_error_code;

/**
 * The last error of the calling thread.
 *
 * `message` is complete and ready to show, in the project's style: lower
 * case, no final period, with the location first when there is one, as in
 * "patches/series:12: duplicate entry 'foo.patch'". `path` and `line`
 * repeat the location for programs (NULL and 0 when there is none).
 */
typedef struct {
	int code;            /**< a qs_error_code */
	const char *message; /**< never NULL */
	const char *path;    /**< file the error is about, or NULL */
	size_t line;         /**< 1-based line in `path`, or 0 */
} qs_error;

/**
 * The last error raised on this thread. Never NULL: when there is none,
 * the record has code QS_OK and message "no error". Valid until the next
 * failing call on this thread.
 */
QS_EXTERN(const qs_error *) qs_error_last(void);

/** Forget the last error of this thread. */
QS_EXTERN(void) qs_error_clear(void);

/** A short, static, lower-case description of an error code. */
QS_EXTERN(const char *) qs_error_string(int code);

/** Severity of a log message, in syslog order. */
typedef enum {
	QS_LOG_ERR = 3,
	QS_LOG_WARNING = 4,
	QS_LOG_NOTICE = 5,
	QS_LOG_INFO = 6,
	QS_LOG_DEBUG = 7,
} qs_log_level;

/**
 * Receives the library's diagnostics. `path` and `line` locate the message
 * in an input file when they are known (NULL and 0 otherwise). `message`
 * is borrowed for the duration of the call.
 */
typedef void (*qs_log_fn)(void *payload, qs_log_level level,
			  const char *path, size_t line, const char *message);

/**
 * Send diagnostics of `level` or more severe to `fn` (NULL: drop them,
 * the default). Process-wide; set it once before other calls.
 */
QS_EXTERN(void) qs_log_set(qs_log_fn fn, void *payload, qs_log_level level);

/** The library's version, "MAJOR.MINOR.PATCH". */
QS_EXTERN(const char *) qs_version(void);

#ifdef __cplusplus
}
#endif

#endif
