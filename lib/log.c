/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

static qs_log_fn log_fn;
static void *log_payload;
static qs_log_level log_level = QS_LOG_WARNING;

void qs_log_set(qs_log_fn fn, void *payload, qs_log_level level)
{
	log_fn = fn;
	log_payload = payload;
	log_level = level;
}

int qs__log_enabled(qs_log_level level)
{
	return log_fn && level <= log_level;
}

void qs__log(qs_log_level level, const char *path, size_t line,
	     const char *fmt, ...)
{
	qs_buf msg = QS_BUF_INIT;
	va_list ap;

	if (!qs__log_enabled(level))
		return;
	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (!qs_buf_oom(&msg))
		log_fn(log_payload, level, path, line, msg.ptr);
	qs_buf_release(&msg);
}

const char *qs_version(void)
{
	return QS_VERSION_STRING;
}
