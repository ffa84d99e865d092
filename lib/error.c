/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

#include <git2.h>

/*
 * The error record is per thread: a build applies independent series on
 * several threads and each must keep its own failure.
 */
static _Thread_local qs_error last_error = { QS_OK, "no error", NULL, 0 };
static _Thread_local qs_buf last_message = QS_BUF_INIT;
static _Thread_local qs_buf last_path = QS_BUF_INIT;

/* Used when even the message cannot be allocated. */
static const char oom_message[] = "out of memory";

const qs_error *qs_error_last(void)
{
	return &last_error;
}

void qs_error_clear(void)
{
	qs_buf_release(&last_message);
	qs_buf_release(&last_path);
	last_error.code = QS_OK;
	last_error.message = "no error";
	last_error.path = NULL;
	last_error.line = 0;
}

static int set_error(int code, const char *path, size_t line, size_t column,
		     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static int set_error(int code, const char *path, size_t line, size_t column,
		     const char *fmt, va_list ap)
{
	/* the arguments may point into the old message: format first */
	qs_buf msg = QS_BUF_INIT, where = QS_BUF_INIT;

	if (path) {
		qs_buf_adds(&where, path);
		if (line && column)
			qs_buf_addf(&msg, "%s:%zu:%zu: ", path, line, column);
		else if (line)
			qs_buf_addf(&msg, "%s:%zu: ", path, line);
		else
			qs_buf_addf(&msg, "%s: ", path);
	}
	qs_buf_vaddf(&msg, fmt, ap);

	qs_buf_release(&last_message);
	qs_buf_release(&last_path);
	last_error.code = code;
	if (qs_buf_oom(&msg) || qs_buf_oom(&where)) {
		qs_buf_release(&msg);
		qs_buf_release(&where);
		last_error.message = oom_message;
		last_error.path = NULL;
		last_error.line = 0;
		return code;
	}
	last_message = msg;
	last_path = where;
	last_error.message = last_message.ptr;
	last_error.path = path ? last_path.ptr : NULL;
	last_error.line = path ? line : 0;
	return code;
}

int qs__error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int qs__error_set_at(int code, const char *path, size_t line,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(code, path, line, 0, fmt, ap);
	va_end(ap);
	return code;
}

int qs__error_set_at_column(int code, const char *path, size_t line,
			    size_t column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(code, path, line, column, fmt, ap);
	va_end(ap);
	return code;
}

int qs__error_oom(void)
{
	qs_buf_release(&last_message);
	qs_buf_release(&last_path);
	last_error.code = QS_ENOMEM;
	last_error.message = oom_message;
	last_error.path = NULL;
	last_error.line = 0;
	return QS_ENOMEM;
}

int qs__error_os(const char *what, const char *path)
{
	int err = errno;

	if (err == ENOENT)
		return qs__error_set(QS_ENOTFOUND, "%s '%s': %s", what, path,
				     strerror(err));
	return qs__error_set(QS_EIO, "%s '%s': %s", what, path, strerror(err));
}

int qs__error_git(const char *what)
{
	const git_error *e = git_error_last();

	return qs__error_set(QS_EGIT, "%s: %s", what,
			     e && e->message ? e->message : "unknown libgit2 error");
}

const char *qs_error_string(int code)
{
	switch (code) {
	case QS_OK: return "success";
	case QS_ERROR: return "failure";
	case QS_ENOMEM: return "out of memory";
	case QS_EINVAL: return "invalid argument";
	case QS_ENOTFOUND: return "not found";
	case QS_EIO: return "input/output error";
	case QS_EPARSE: return "malformed input";
	case QS_ECONFIG: return "invalid configuration";
	case QS_EGIT: return "git error";
	case QS_EAPPLY: return "patch does not apply";
	case QS_EUNSAFE: return "unsafe path";
	case QS_ECONFLICT: return "merge conflict";
	case QS_ELOCKED: return "locked by another process";
	case QS_EREWRITE: return "would rewrite an append-only branch";
	case QS_EMOVED: return "a ref moved meanwhile";
	case QS_ITEROVER: return "end of iteration";
	default: return "unknown error";
	}
}
