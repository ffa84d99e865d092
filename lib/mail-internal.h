/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal interfaces between the mail modules (mail.c, mail-date.c). */
#ifndef QS_MAIL_INTERNAL_H
#define QS_MAIL_INTERNAL_H

#include "internal.h"

/**
 * Parse a date as git does when it records an author date from a mail
 * (git's parse_date(): RFC 2822, ISO 8601, "@<seconds> <offset>" and the
 * other forms its strict parser accepts; no "approxidate"). Gives seconds
 * since the epoch and the offset east of UTC in minutes. QS_EPARSE (with
 * no error recorded; the caller words it) when git would reject it. Never
 * depends on the local time zone or locale.
 */
int qs__date_parse(int64_t *out_time, int *out_offset, const char *text);

/**
 * Append what `git mailinfo` prints on its standard output for `mail`
 * (the Author/Email, Subject and Date lines and a blank line; nothing for
 * an empty input), from git's own fields, whatever the fallbacks did.
 */
int qs__mail_info(qs_buf *out, const qs_mail *mail);

#endif
