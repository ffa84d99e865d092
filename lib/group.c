/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grouping a queue's entries into patch series, and naming them.
 *
 * The rules follow how akpm lays out his series file (quiltsync-series(1)
 * has them for users): a bare "#" line or a new area ends a series; the
 * first patch of a posting ("Patch series" cover text, "This patch (of
 * N)") starts one; patches of one git send-email run stay together even
 * across a separator; follow-up fixes ("x-fix.patch") join x's series
 * wherever they sit.
 */
#include "internal.h"
#include "group.h"
#include "strmap.h"

#include <git2.h>
#include <pthread.h>

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Advance over digits; returns how many there were. */
static size_t span_digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

int qs__posting_key(qs_buf *out, const char *msgid)
{
	const char *at = strrchr(msgid, '@'), *p;
	size_t n, len = 0;

	if (!at || at == msgid || !at[1])
		return 0;
	/*
	 * git send-email: "<YYYYmmddHHMMSS>.<pid>-<n>-<user>@<host>"; older
	 * ones wrote "<epoch>-<pid>-<n>-git-send-email-<user>@<host>". The
	 * part before <n> is the same for every mail of one run.
	 */
	if ((n = span_digits(msgid)) >= 8) {
		p = msgid + n;
		if (*p == '.' || *p == '-') {
			size_t pid = span_digits(p + 1);

			if (pid && p[1 + pid] == '-' && span_digits(p + 2 + pid) &&
			    (*p == '.' ||
			     !strncmp(p + 2 + pid + span_digits(p + 2 + pid),
				      "-git-send-email-", 16)))
				len = (size_t)(p + 1 + pid - msgid);
		}
	}
	/*
	 * git format-patch --thread: "<commit>.<epoch>.git.<user>@<host>",
	 * the cover letter "cover.<epoch>.git.<user>@<host>".
	 */
	if (!len) {
		if (!strncmp(msgid, "cover.", 6)) {
			n = 5;
		} else {
			for (n = 0; is_hex(msgid[n]); n++)
				;
			if (n != 40 && n != 64)
				return 0;
		}
		p = msgid + n;
		if (*p != '.' || !span_digits(p + 1) ||
		    strncmp(p + 1 + span_digits(p + 1), ".git.", 5))
			return 0;
		qs_buf_adds(out, p + 1);
		return 1;
	}
	qs_buf_add(out, msgid, len);
	qs_buf_adds(out, at);
	return 1;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t m = strlen(suffix);

	return len >= m && !memcmp(s + len - m, suffix, m);
}

char *qs__name_stem(const char *name)
{
	static const char *const compressed[] = { ".gz", ".bz2", ".xz" };
	size_t len = strlen(name), i;

	for (i = 0; i < QS_ARRAY_SIZE(compressed); i++)
		if (ends_with(name, len, compressed[i])) {
			len -= strlen(compressed[i]);
			break;
		}
	if (ends_with(name, len, ".patch"))
		len -= 6;
	else if (ends_with(name, len, ".diff"))
		len -= 5;
	return qs__strndup(name, len);
}

/*
 * Length of `stem` without its last follow-up suffix, or 0 when it has
 * none. akpm names follow-ups after their parent: "-fix", "-fix-2",
 * "-checkpatch-fixes", "-v2", stacked as in "-fix-fix" or
 * "-fix-checkpatch-fixes"; one call removes one of them.
 */
static size_t strip_followup(const char *stem, size_t len)
{
	size_t n;

	if (ends_with(stem, len, "-checkpatch-fixes"))
		return len - 17;
	if (ends_with(stem, len, "-fix"))
		return len - 4;
	for (n = 0; n < len && is_digit(stem[len - 1 - n]); n++)
		;
	if (!n || n == len)
		return 0;
	if (ends_with(stem, len - n, "-fix-"))
		return len - n - 5;
	if (ends_with(stem, len - n, "-v"))
		return len - n - 2;
	return 0;
}

int qs__group(size_t *out_set_of, size_t *out_count,
	      const struct qs__group_item *items, size_t n)
{
	struct qs__strmap stems = QS__STRMAP_INIT, postings = QS__STRMAP_INIT;
	qs_buf key = QS_BUF_INIT;
	size_t i, j, nsets = 0, cur = QS__NO_SET, section = QS__NO_SET;
	char *stem = NULL;
	int brk = 0, ret = 0;

	for (i = 0; i < n; i++) {
		const struct qs__group_item *it = &items[i];
		size_t parent = QS__NO_SET, len;
		int keep = 0;

		out_set_of[i] = QS__NO_SET;
		if (it->section != section) {
			/* follow-ups find parents within their own section only */
			qs__strmap_clear(&stems);
			section = it->section;
			cur = QS__NO_SET;
			brk = 0;
		}
		if (it->starts_group)
			brk = 1;
		if (it->kind == QS_ENTRY_PLACEHOLDER) {
			/* it stands for a git ref: nothing continues across it */
			cur = QS__NO_SET;
			continue;
		}
		if (it->kind != QS_ENTRY_PATCH || it->section == QS__NO_SET)
			continue;

		free(stem);
		if (!(stem = qs__name_stem(it->name))) {
			ret = QS_ENOMEM;
			goto done;
		}
		for (len = strlen(stem); (len = strip_followup(stem, len)) > 0;) {
			size_t *found;
			char saved = stem[len];

			stem[len] = '\0';
			found = qs__strmap_get(&stems, stem);
			stem[len] = saved;
			if (found) {
				parent = *found;
				break;
			}
		}
		if (parent != QS__NO_SET) {
			/*
			 * A follow-up joins its parent's series and leaves the
			 * current one as it was: the next patch continues it
			 * unless a separator came in between.
			 */
			out_set_of[i] = out_set_of[parent];
		} else {
			for (j = 0; j < it->link_count && cur != QS__NO_SET; j++) {
				size_t *found;

				qs_buf_clear(&key);
				if (!qs__posting_key(&key, it->links[j]))
					continue;
				if (qs_buf_oom(&key)) {
					ret = QS_ENOMEM;
					goto done;
				}
				found = qs__strmap_get(&postings, key.ptr);
				if (found && *found == cur)
					keep = 1;
			}
			/*
			 * The first patch of a posting starts a series even
			 * when it shares a posting with the one before: akpm
			 * links cover letters of earlier postings from it.
			 */
			if (it->series_title || it->series_total > 1 ||
			    (!keep && (cur == QS__NO_SET || brk)))
				cur = nsets++;
			out_set_of[i] = cur;
			brk = 0;
		}
		if ((ret = qs__strmap_put(&stems, stem, i)) < 0)
			goto done;
		for (j = 0; j < it->link_count; j++) {
			qs_buf_clear(&key);
			if (!qs__posting_key(&key, it->links[j]))
				continue;
			if (qs_buf_oom(&key)) {
				ret = QS_ENOMEM;
				goto done;
			}
			if ((ret = qs__strmap_put(&postings, key.ptr, out_set_of[i])) < 0)
				goto done;
		}
	}
	*out_count = nsets;
done:
	free(stem);
	qs_buf_release(&key);
	qs__strmap_clear(&stems);
	qs__strmap_clear(&postings);
	return ret;
}

/*
 * Slugs.
 */

/* Latin letters spelled in ASCII, by code point range. */
static const struct {
	uint16_t first, last;
	const char *ascii;
} translit[] = {
	{ 0x00c0, 0x00c5, "a" }, { 0x00c6, 0x00c6, "ae" }, { 0x00c7, 0x00c7, "c" },
	{ 0x00c8, 0x00cb, "e" }, { 0x00cc, 0x00cf, "i" }, { 0x00d0, 0x00d0, "d" },
	{ 0x00d1, 0x00d1, "n" }, { 0x00d2, 0x00d6, "o" }, { 0x00d8, 0x00d8, "o" },
	{ 0x00d9, 0x00dc, "u" }, { 0x00dd, 0x00dd, "y" }, { 0x00de, 0x00de, "th" },
	{ 0x00df, 0x00df, "ss" }, { 0x00e0, 0x00e5, "a" }, { 0x00e6, 0x00e6, "ae" },
	{ 0x00e7, 0x00e7, "c" }, { 0x00e8, 0x00eb, "e" }, { 0x00ec, 0x00ef, "i" },
	{ 0x00f0, 0x00f0, "d" }, { 0x00f1, 0x00f1, "n" }, { 0x00f2, 0x00f6, "o" },
	{ 0x00f8, 0x00f8, "o" }, { 0x00f9, 0x00fc, "u" }, { 0x00fd, 0x00fd, "y" },
	{ 0x00fe, 0x00fe, "th" }, { 0x00ff, 0x00ff, "y" },
	{ 0x0100, 0x0105, "a" }, { 0x0106, 0x010d, "c" }, { 0x010e, 0x0111, "d" },
	{ 0x0112, 0x011b, "e" }, { 0x011c, 0x0123, "g" }, { 0x0124, 0x0127, "h" },
	{ 0x0128, 0x0131, "i" }, { 0x0132, 0x0133, "ij" }, { 0x0134, 0x0135, "j" },
	{ 0x0136, 0x0138, "k" }, { 0x0139, 0x0142, "l" }, { 0x0143, 0x014b, "n" },
	{ 0x014c, 0x0151, "o" }, { 0x0152, 0x0153, "oe" }, { 0x0154, 0x0159, "r" },
	{ 0x015a, 0x0161, "s" }, { 0x0162, 0x0167, "t" }, { 0x0168, 0x0173, "u" },
	{ 0x0174, 0x0175, "w" }, { 0x0176, 0x0178, "y" }, { 0x0179, 0x017e, "z" },
	{ 0x017f, 0x017f, "s" }, { 0x0218, 0x0219, "s" }, { 0x021a, 0x021b, "t" },
};

static const char *transliterate(uint32_t cp)
{
	size_t lo = 0, hi = QS_ARRAY_SIZE(translit);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < translit[mid].first)
			hi = mid;
		else if (cp > translit[mid].last)
			lo = mid + 1;
		else
			return translit[mid].ascii;
	}
	return NULL;
}

/*
 * Decode one UTF-8 sequence at `s` (NUL-terminated). Returns its length
 * and the code point, or length 1 and U+FFFD for a byte that does not
 * start a valid, shortest-form sequence.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static int is_apostrophe(uint32_t cp)
{
	/* ' ` and the typographic ones: "don't" is one word, "dont" */
	return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 ||
	       cp == 0x02bc;
}

/*
 * The length of the longest prefix of the slug `s` (of `len` bytes) that
 * is at most `max` bytes and ends at a word boundary; a first word longer
 * than `max` is cut at `max`.
 */
static size_t cut_at_word(const char *s, size_t len, size_t max)
{
	size_t k;

	if (len <= max)
		return len;
	for (k = max; k > 0; k--)
		if (s[k] == '-')
			return k;
	return max;
}

static int slugify_buf(qs_buf *out, const char *title)
{
	const unsigned char *s = (const unsigned char *)title;
	int sep = 0;

	while (*s) {
		const char *ascii = NULL;
		char one[2] = { 0, 0 };
		uint32_t cp;

		s += utf8_decode(s, &cp);
		if ((cp >= 'a' && cp <= 'z') || is_digit((int)cp)) {
			one[0] = (char)cp;
			ascii = one;
		} else if (cp >= 'A' && cp <= 'Z') {
			one[0] = (char)(cp - 'A' + 'a');
			ascii = one;
		} else if (is_apostrophe(cp)) {
			continue;
		} else {
			ascii = transliterate(cp);
		}
		if (!ascii) {
			sep = 1;
			continue;
		}
		if (sep && out->len)
			qs_buf_addch(out, '-');
		sep = 0;
		qs_buf_adds(out, ascii);
	}
	qs_buf_truncate(out, cut_at_word(out->ptr, out->len, QS__SLUG_MAX));
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

int qs_slugify(char **out, const char *title)
{
	qs_buf buf = QS_BUF_INIT;
	int ret;

	if (!out || !title)
		return qs__error_set(QS_EINVAL, "qs_slugify: NULL argument");
	*out = NULL;
	if ((ret = slugify_buf(&buf, title)) < 0) {
		qs_buf_release(&buf);
		return ret;
	}
	if (!(*out = qs_buf_detach(&buf)))
		return QS_ENOMEM;
	return 0;
}

/*
 * `base` with "-<suffix>", cut so that the whole stays within the slug
 * length limit.
 */
static int add_suffix(qs_buf *out, const char *base, const char *suffix)
{
	size_t room = QS__SLUG_MAX - 1 - strlen(suffix);

	qs_buf_clear(out);
	qs_buf_add(out, base, cut_at_word(base, strlen(base), room));
	if (out->len)
		qs_buf_addch(out, '-');
	qs_buf_adds(out, suffix);
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_init_result;

static void git_init_once(void)
{
	git_init_result = git_libgit2_init();
}

int qs__git_init(void)
{
	pthread_once(&git_once, git_init_once);
	if (git_init_result < 0)
		return qs__error_git("cannot initialise libgit2");
	return 0;
}

/* First 7 hex digits of `printf %s NAME | git hash-object --stdin`. */
static int name_hash(char hex[8], const char *name)
{
	char full[GIT_OID_HEXSZ + 1];
	git_oid oid;
	int ret;

	if ((ret = qs__git_init()) < 0)
		return ret;
	if (git_odb_hash(&oid, name, strlen(name), GIT_OBJECT_BLOB) < 0)
		return qs__error_git("cannot hash a patch name");
	git_oid_tostr(full, sizeof(full), &oid);
	memcpy(hex, full, 7);
	hex[7] = '\0';
	return 0;
}

int qs__slugs_assign(char **out_slugs, const char *const *titles,
		     const char *const *first_names, size_t n)
{
	struct qs__strmap taken = QS__STRMAP_INIT;
	qs_buf base = QS_BUF_INIT, slug = QS_BUF_INIT;
	char *stem = NULL;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < n; i++)
		out_slugs[i] = NULL;
	for (i = 0; i < n; i++) {
		qs_buf_clear(&base);
		if ((ret = slugify_buf(&base, titles[i] ? titles[i] : "")) < 0)
			goto done;
		if (!base.len && first_names[i]) {
			free(stem);
			if (!(stem = qs__name_stem(first_names[i]))) {
				ret = QS_ENOMEM;
				goto done;
			}
			if ((ret = slugify_buf(&base, stem)) < 0)
				goto done;
		}
		if (!base.len)
			qs_buf_adds(&base, "series");
		/*
		 * The first series in file order with a given slug keeps it;
		 * later ones add a hash of their first patch's name, which
		 * does not move when other series come or go. A numeric suffix
		 * only settles the rare case where that is taken too.
		 */
		qs_buf_set(&slug, base.ptr, base.len);
		if (qs__strmap_get(&taken, slug.ptr)) {
			char hex[8];

			if ((ret = name_hash(hex, first_names[i] ? first_names[i] : "")) < 0 ||
			    (ret = add_suffix(&slug, base.ptr, hex)) < 0)
				goto done;
		}
		for (k = 2; qs__strmap_get(&taken, slug.ptr); k++) {
			char num[24];

			snprintf(num, sizeof(num), "%zu", k);
			if ((ret = add_suffix(&slug, base.ptr, num)) < 0)
				goto done;
		}
		if (qs_buf_oom(&slug)) {
			ret = QS_ENOMEM;
			goto done;
		}
		if ((ret = qs__strmap_put(&taken, slug.ptr, i)) < 0)
			goto done;
		if (!(out_slugs[i] = qs__strndup(slug.ptr, slug.len))) {
			ret = QS_ENOMEM;
			goto done;
		}
	}
done:
	if (ret < 0)
		for (i = 0; i < n; i++) {
			free(out_slugs[i]);
			out_slugs[i] = NULL;
		}
	free(stem);
	qs_buf_release(&base);
	qs_buf_release(&slug);
	qs__strmap_clear(&taken);
	return ret;
}
