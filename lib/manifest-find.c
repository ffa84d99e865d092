// SPDX-License-Identifier: GPL-2.0-only
/*
 * qs_manifest_patch_find: the patches whose record's text holds a string,
 * found in the text itself, so that a query parses only its candidates
 * (QS_MANIFEST_LAZY); see quiltsync/manifest.h.
 */
#include "internal.h"
#include "json-read.h"
#include "manifest-internal.h"

/*
 * `s` as json-write writes it in a string, but for the bytes from 0x80,
 * kept as they are: a needle may be a part of a UTF-8 sequence, which a
 * string holds where it holds the whole. Lower case for `icase`.
 */
static int escape_needle(qs_buf *out, const char *s, int icase)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': qs_buf_adds(out, "\\\""); continue;
		case '\\': qs_buf_adds(out, "\\\\"); continue;
		case '\n': qs_buf_adds(out, "\\n"); continue;
		case '\r': qs_buf_adds(out, "\\r"); continue;
		case '\t': qs_buf_adds(out, "\\t"); continue;
		case '\b': qs_buf_adds(out, "\\b"); continue;
		case '\f': qs_buf_adds(out, "\\f"); continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f)
			qs_buf_addf(out, "\\u%04x", c);
		else
			qs_buf_addch(out, icase && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * The first `needle` (lower case, not empty) in `len` bytes of `hay`,
 * ASCII letters in either case. The candidates for its first byte are
 * found with memchr, in both cases, so that the text is not walked byte
 * by byte.
 */
static const char *find_icase(const char *hay, size_t len, const char *needle,
			      size_t nlen)
{
	const char *end = hay + len, *lo, *up = NULL, *at;
	unsigned char first = (unsigned char)needle[0];
	int letter = first >= 'a' && first <= 'z';
	size_t i;

	if (len < nlen)
		return NULL;
	end = hay + len - nlen + 1; /* where a match can start, at the latest */
	lo = memchr(hay, first, (size_t)(end - hay));
	if (letter)
		up = memchr(hay, first - 'a' + 'A', (size_t)(end - hay));
	while (lo || up) {
		at = !up || (lo && lo < up) ? lo : up;
		for (i = 1; i < nlen; i++)
			if (ascii_lower((unsigned char)at[i]) != (unsigned char)needle[i])
				break;
		if (i == nlen)
			return at;
		if (at == lo)
			lo = memchr(at + 1, first, (size_t)(end - at - 1));
		else
			up = memchr(at + 1, first - 'a' + 'A', (size_t)(end - at - 1));
	}
	return NULL;
}

static int add_index(size_t **items, size_t *n, size_t *alloc, size_t i)
{
	if (QS_ARRAY_GROW(*items, *alloc, *n + 1) < 0)
		return QS_ENOMEM;
	(*items)[(*n)++] = i;
	return 0;
}

/*
 * Search the text once, front to back: after a hit in a patch the
 * search goes on from its end. The patches whose text is not escaped
 * as the writer escapes it are candidates whatever the search finds.
 */
static int find_in_text(size_t **items, size_t *count, size_t *alloc,
			const qs_manifest *m, const qs_buf *needle, int icase)
{
	const char *text = m->copy.patches;
	const struct qs__json_span *spans = m->copy.spans;
	size_t k = 0, pos = 0, at = 0;
	int ret;

	while (k < m->npatches) {
		const char *hit = icase ?
			find_icase(text + pos, m->copy.patches_len - pos, needle->ptr, needle->len) :
			memmem(text + pos, m->copy.patches_len - pos, needle->ptr, needle->len);

		if (hit)
			at = (size_t)(hit - text);
		/* the patches before the hit, or all when there is none */
		for (; k < m->npatches && (!hit || spans[k].end < at + needle->len); k++)
			if (!spans[k].as_written &&
			    (ret = add_index(items, count, alloc, k)) < 0)
				return ret;
		if (!hit || k >= m->npatches)
			break;
		if (spans[k].start > at) {
			/* between two patches, or across one's start */
			pos = at + 1;
			continue;
		}
		if ((ret = add_index(items, count, alloc, k)) < 0)
			return ret;
		pos = spans[k++].end;
	}
	return 0;
}

int qs_manifest_patch_find(size_t **out, size_t *out_count, const qs_manifest *m,
			   const char *needle, unsigned int flags)
{
	qs_buf escaped = QS_BUF_INIT;
	size_t *items = NULL, count = 0, alloc = 0, i;
	int icase = !!(flags & QS_MANIFEST_FIND_ICASE), ret;

	if (out)
		*out = NULL;
	if (out_count)
		*out_count = 0;
	if (!out || !out_count || !m || !needle)
		return qs__error_set(QS_EINVAL, "qs_manifest_patch_find: NULL argument");
	if ((ret = escape_needle(&escaped, needle, icase)) < 0)
		goto done;
	if (m->lazy && escaped.len) {
		ret = find_in_text(&items, &count, &alloc, m, &escaped, icase);
	} else {
		/* no text to search, or nothing to search for: every patch */
		for (i = 0, ret = 0; i < m->npatches && ret == 0; i++)
			ret = add_index(&items, &count, &alloc, i);
	}
	if (ret < 0)
		goto done;
	*out = items;
	*out_count = count;
	items = NULL;
done:
	free(items);
	qs_buf_release(&escaped);
	return ret;
}
