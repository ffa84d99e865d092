/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

char qs_buf__empty[1];

void qs_buf_init(qs_buf *buf)
{
	buf->ptr = qs_buf__empty;
	buf->len = 0;
	buf->alloc = 0;
	buf->failed = 0;
}

void qs_buf_release(qs_buf *buf)
{
	if (buf->alloc)
		free(buf->ptr);
	qs_buf_init(buf);
}

char *qs_buf_detach(qs_buf *buf)
{
	char *s;

	if (buf->alloc) {
		s = buf->ptr;
	} else {
		s = qs__malloc(1);
		if (!s)
			return NULL;
		s[0] = '\0';
	}
	qs_buf_init(buf);
	return s;
}

int qs_buf_grow(qs_buf *buf, size_t extra)
{
	size_t need, alloc;
	char *p;

	if (buf->failed)
		return QS_ENOMEM;
	if (extra >= SIZE_MAX - buf->len - 1)
		goto oom;
	need = buf->len + extra + 1;
	if (need <= buf->alloc)
		return 0;
	/* grow by half again, as git's ALLOC_GROW does: amortised O(1) */
	alloc = buf->alloc < 16 ? 16 : buf->alloc;
	while (alloc < need) {
		if (alloc > SIZE_MAX / 3 * 2) {
			alloc = need;
			break;
		}
		alloc = alloc + alloc / 2;
	}
	p = qs__reallocarray(buf->alloc ? buf->ptr : NULL, alloc, 1);
	if (!p) {
		buf->failed = 1;
		return QS_ENOMEM;
	}
	if (!buf->alloc)
		p[0] = '\0';
	buf->ptr = p;
	buf->alloc = alloc;
	return 0;
oom:
	buf->failed = 1;
	return qs__error_oom();
}

void qs_buf_clear(qs_buf *buf)
{
	qs_buf_truncate(buf, 0);
}

void qs_buf_truncate(qs_buf *buf, size_t len)
{
	if (len > buf->len)
		return;
	buf->len = len;
	if (buf->alloc)
		buf->ptr[len] = '\0';
}

int qs_buf_add(qs_buf *buf, const void *data, size_t len)
{
	if (qs_buf_grow(buf, len) < 0)
		return QS_ENOMEM;
	if (len)
		memmove(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int qs_buf_addch(qs_buf *buf, int c)
{
	char ch = (char)c;

	return qs_buf_add(buf, &ch, 1);
}

int qs_buf_adds(qs_buf *buf, const char *s)
{
	return qs_buf_add(buf, s, strlen(s));
}

int qs_buf_addbuf(qs_buf *buf, const qs_buf *other)
{
	return qs_buf_add(buf, other->ptr, other->len);
}

int qs_buf_vaddf(qs_buf *buf, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (buf->failed)
		return QS_ENOMEM;
	va_copy(cp, ap);
	n = vsnprintf(buf->ptr + buf->len, buf->alloc ? buf->alloc - buf->len : 0,
		      fmt, cp);
	va_end(cp);
	if (n < 0) {
		qs__error_set(QS_ERROR, "invalid format string");
		return QS_ERROR;
	}
	if (buf->alloc && (size_t)n < buf->alloc - buf->len) {
		buf->len += (size_t)n;
		return 0;
	}
	if (qs_buf_grow(buf, (size_t)n) < 0)
		return QS_ENOMEM;
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
	return 0;
}

int qs_buf_addf(qs_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = qs_buf_vaddf(buf, fmt, ap);
	va_end(ap);
	return ret;
}

int qs_buf_set(qs_buf *buf, const void *data, size_t len)
{
	if (buf->alloc && data >= (const void *)buf->ptr &&
	    data <= (const void *)(buf->ptr + buf->len)) {
		/* setting from our own content: move, then cut */
		size_t off = (size_t)((const char *)data - buf->ptr);
		memmove(buf->ptr, buf->ptr + off, len);
		qs_buf_truncate(buf, len);
		return buf->failed ? QS_ENOMEM : 0;
	}
	qs_buf_clear(buf);
	return qs_buf_add(buf, data, len);
}

int qs_buf_sets(qs_buf *buf, const char *s)
{
	return qs_buf_set(buf, s, strlen(s));
}

int qs_buf_insert(qs_buf *buf, size_t pos, const void *data, size_t len)
{
	if (pos > buf->len)
		pos = buf->len;
	if (qs_buf_grow(buf, len) < 0)
		return QS_ENOMEM;
	memmove(buf->ptr + pos + len, buf->ptr + pos, buf->len - pos);
	memcpy(buf->ptr + pos, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

void qs_buf_remove(qs_buf *buf, size_t pos, size_t n)
{
	if (pos >= buf->len)
		return;
	if (n > buf->len - pos)
		n = buf->len - pos;
	memmove(buf->ptr + pos, buf->ptr + pos + n, buf->len - pos - n);
	qs_buf_truncate(buf, buf->len - n);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

void qs_buf_ltrim(qs_buf *buf)
{
	size_t i = 0;

	while (i < buf->len && is_space(buf->ptr[i]))
		i++;
	qs_buf_remove(buf, 0, i);
}

void qs_buf_rtrim(qs_buf *buf)
{
	size_t len = buf->len;

	while (len && is_space(buf->ptr[len - 1]))
		len--;
	qs_buf_truncate(buf, len);
}

void qs_buf_trim(qs_buf *buf)
{
	qs_buf_rtrim(buf);
	qs_buf_ltrim(buf);
}

int qs_buf_starts_with(const qs_buf *buf, const char *s)
{
	size_t n = strlen(s);

	return buf->len >= n && !memcmp(buf->ptr, s, n);
}

int qs_buf_ends_with(const qs_buf *buf, const char *s)
{
	size_t n = strlen(s);

	return buf->len >= n && !memcmp(buf->ptr + buf->len - n, s, n);
}
