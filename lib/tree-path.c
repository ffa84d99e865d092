// SPDX-License-Identifier: GPL-2.0-only
/*
 * The paths git refuses in a tree (see tree-path.h).
 *
 * git checks in two places, and what we publish must pass both. Its
 * verify_path() runs over a whole path: at the start of every component
 * it looks at the rest of the path, and inside a component it looks
 * behind every backslash (Windows separates there). fsck runs over the
 * name of each tree entry, and looks behind every backslash in it. The
 * two disagree in corners, and we refuse what either refuses:
 * - verify_path() does not look behind a backslash that starts a
 *   component ("\.git"), fsck does;
 * - fsck reports a symbolic link at .gitattributes, .gitignore and
 *   .mailmap, which git (2.32 on) never follows in a worktree: such a
 *   link is never what a patch means, so it is refused like .gitmodules.
 *
 * Every check below looks at the rest of the path from where it starts
 * (as git does), bounded by `end`: a check that stops only at the end or
 * at ':' (NTFS names) thus fails on a component with more path after it.
 */
#include "internal.h"
#include "tree-path.h"

#define MODE_TYPE(m) ((m) & 0170000u)
#define MODE_LINK 0120000u

static const char reason_empty[] = "it names no file";
static const char reason_empty_component[] = "it has an empty component";
static const char reason_dot[] = "it has a '.' component";
static const char reason_dotdot[] = "it has a '..' component";
static const char reason_dotgit[] = "it has a '.git' component";
static const char reason_hfs[] = "it has a component HFS+ reads as '.git'";
static const char reason_ntfs[] = "it has a component NTFS reads as '.git'";
static const char reason_backslash[] =
	"it has a component Windows reads as '.git' after a backslash";

/*
 * The files git reads from a tree and never through a symbolic link,
 * with the start of the 8.3 short name NTFS derives from a hash of the
 * long name when the plain one ("gitmod~1") is taken. Only .gitmodules
 * is checked at every level and behind backslashes: git does so for it
 * alone.
 */
static const struct gitfile {
	const char *name;	/* without the leading dot */
	const char *hashed;	/* six characters */
	const char *reason;
} gitfiles[] = {
	{ "gitmodules", "gi7eba", "it is a symbolic link git reads as '.gitmodules'" },
	{ "gitattributes", "gi7d29", "it is a symbolic link git reads as '.gitattributes'" },
	{ "gitignore", "gi250a", "it is a symbolic link git reads as '.gitignore'" },
	{ "mailmap", "maba30", "it is a symbolic link git reads as '.mailmap'" },
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The byte at p[i], or 0 past `end` (the paths hold no NUL). */
static unsigned char at(const char *p, const char *end, size_t i)
{
	return (size_t)(end - p) > i ? (unsigned char)p[i] : 0;
}

/* Whether the `n` bytes at p are `lc` (lowercase ASCII) in any case. */
static int ascii_ieq(const char *p, const char *end, const char *lc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(at(p, end, i)) != lc[i])
			return 0;
	return 1;
}

/*
 * One UTF-8 character at *p, as git reads it: 0 at the end and for
 * bytes that are not UTF-8 (a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate, past U+10FFFF).
 */
static uint32_t utf8_next(const char **p, const char *end)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t avail = (size_t)(end - *p), n, i;
	uint32_t c, min;

	if (!avail)
		return 0;
	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*p += n;
	return c;
}

/* The code points HFS+ leaves out when it compares names. */
static int hfs_ignores(uint32_t c)
{
	return (c >= 0x200c && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x206a && c <= 0x206f) || c == 0xfeff;
}

/* The next character HFS+ compares; 0 at the end or at bytes not UTF-8. */
static uint32_t hfs_next(const char **p, const char *end)
{
	uint32_t c;

	do
		c = utf8_next(p, end);
	while (c && hfs_ignores(c));
	return c;
}

/*
 * Whether the component at p is "." + `name` to HFS+: ignorable code
 * points anywhere, any ASCII case. As in git, bytes that are not UTF-8
 * right after the name end it, like the end of the path or a slash.
 */
static int hfs_is(const char *p, const char *end, const char *name)
{
	uint32_t c;

	if (hfs_next(&p, end) != '.')
		return 0;
	for (; *name; name++) {
		c = hfs_next(&p, end);
		if (c > 127 || lower((int)c) != *name)
			return 0;
	}
	c = hfs_next(&p, end);
	return !c || c == '/';
}

/*
 * Whether the component at p is ".git" to NTFS, which drops trailing
 * dots and spaces, takes what follows a ':' as a stream of the file,
 * and may know a directory by its short name "GIT~1".
 */
static int ntfs_is_dotgit(const char *p, const char *end)
{
	size_t i;
	unsigned char c;

	if (at(p, end, 0) == '.' && ascii_ieq(p + 1, end, "git", 3))
		i = 4;
	else if (ascii_ieq(p, end, "git~1", 5))
		i = 5;
	else
		return 0;
	for (;; i++) {
		c = at(p, end, i);
		if (!c || c == '/' || c == '\\' || c == ':')
			return 1;
		if (c != '.' && c != ' ')
			return 0;
	}
}

/*
 * Whether the name at p is ".<f->name>" to NTFS: the long name, its
 * plain short name (the first six characters, '~', 1 to 4) or the
 * hashed one (up to six characters of f->hashed, '~', then digits, the
 * first not 0, eight characters in all), each with trailing dots and
 * spaces, and a stream after ':'. The name ends only at the end of the
 * path or at ':', never at a separator: git checks these only on the
 * rest of the path.
 */
static int ntfs_is(const char *p, const char *end, const struct gitfile *f)
{
	size_t len = strlen(f->name), i;
	int tilde = 0;
	unsigned char c;

	if (at(p, end, 0) == '.' && ascii_ieq(p + 1, end, f->name, len)) {
		i = len + 1;
	} else if (ascii_ieq(p, end, f->name, 6) && at(p, end, 6) == '~' &&
		   at(p, end, 7) >= '1' && at(p, end, 7) <= '4') {
		i = 8;
	} else {
		for (i = 0; i < 8; i++) {
			c = at(p, end, i);
			if (!c)
				return 0;
			if (tilde) {
				if (c < '0' || c > '9')
					return 0;
			} else if (c == '~') {
				c = at(p, end, ++i);
				if (c < '1' || c > '9')
					return 0;
				tilde = 1;
			} else if (i >= 6 || c >= 0x80 || lower(c) != f->hashed[i]) {
				return 0;
			}
		}
	}
	for (;; i++) {
		c = at(p, end, i);
		if (!c || c == ':')
			return 1;
		if (c != '.' && c != ' ')
			return 0;
	}
}

/* Why the component [p, ce) (the path ends at `end`) is refused, or NULL. */
static const char *component_refused(const char *p, const char *ce,
				     const char *end, int link)
{
	size_t n = (size_t)(ce - p), i;
	const char *b;

	if (!n)
		return reason_empty_component;
	if (n == 1 && p[0] == '.')
		return reason_dot;
	if (n == 2 && p[0] == '.' && p[1] == '.')
		return reason_dotdot;
	if (n == 4 && p[0] == '.' && ascii_ieq(p + 1, ce, "git", 3))
		return reason_dotgit;
	if (hfs_is(p, end, "git"))
		return reason_hfs;
	if (ntfs_is_dotgit(p, end))
		return reason_ntfs;
	for (b = memchr(p, '\\', n); b; b = memchr(b, '\\', (size_t)(ce - b)))
		if (ntfs_is_dotgit(++b, end))
			return reason_backslash;
	if (!link)
		return NULL;
	for (i = 0; i < QS_ARRAY_SIZE(gitfiles); i++) {
		const struct gitfile *f = &gitfiles[i];

		/* git looks for the others in the last component only */
		if (i && ce != end)
			break;
		if (hfs_is(p, end, f->name) || ntfs_is(p, end, f))
			return f->reason;
	}
	for (b = memchr(p, '\\', n); b; b = memchr(b, '\\', (size_t)(ce - b)))
		if (ntfs_is(++b, end, &gitfiles[0]))
			return gitfiles[0].reason;
	return NULL;
}

const char *qs__tree_path_refused(const char *path, size_t len, uint32_t mode)
{
	const char *end = path + len, *p = path;
	int link = MODE_TYPE(mode) == MODE_LINK;

	if (!len)
		return reason_empty;
	for (;;) {
		const char *ce = memchr(p, '/', (size_t)(end - p));
		const char *why;

		if (!ce)
			ce = end;
		if ((why = component_refused(p, ce, end, link)))
			return why;
		if (ce == end)
			return NULL;
		p = ce + 1;
	}
}

/* ------------------------------------------------------------------ */
/* Finding one in a tree */

/* At most this many known trees: the sides of a merge. */
#define MAX_KNOWN 4

static int find_in(qs_buf *path, const char **why, git_repository *repo,
		   const git_oid *id, const git_oid *const *known,
		   size_t nknown)
{
	git_tree *t = NULL, *k[MAX_KNOWN] = { NULL };
	size_t i, j, n, at = path->len;
	int ret = QS_ENOTFOUND;

	for (j = 0; j < nknown; j++)
		if (known[j] && git_oid_equal(known[j], id))
			return QS_ENOTFOUND;	/* not made anew */
	if (git_tree_lookup(&t, repo, id) < 0)
		return qs__error_git("cannot read a tree");
	for (j = 0; j < nknown; j++)
		if (known[j] && git_tree_lookup(&k[j], repo, known[j]) < 0)
			git_error_clear();	/* not a tree there: nothing known */
	n = git_tree_entrycount(t);
	for (i = 0; i < n && ret == QS_ENOTFOUND; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		const git_oid *sub[MAX_KNOWN] = { NULL };

		qs_buf_truncate(path, at);
		if (at)
			qs_buf_addch(path, '/');
		qs_buf_adds(path, name);
		if (qs_buf_oom(path)) {
			ret = QS_ENOMEM;
			break;
		}
		*why = qs__tree_path_refused(path->ptr, path->len,
					     (uint32_t)git_tree_entry_filemode_raw(e));
		if (*why) {
			ret = 0;
			break;
		}
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		for (j = 0; j < nknown; j++) {
			const git_tree_entry *ke = k[j] ? git_tree_entry_byname(k[j], name) : NULL;

			if (ke && git_tree_entry_type(ke) == GIT_OBJECT_TREE)
				sub[j] = git_tree_entry_id(ke);
		}
		ret = find_in(path, why, repo, git_tree_entry_id(e), sub, nknown);
	}
	if (ret == QS_ENOTFOUND)
		qs_buf_truncate(path, at);
	for (j = 0; j < nknown; j++)
		git_tree_free(k[j]);
	git_tree_free(t);
	return ret;
}

int qs__tree_find_refused(char **path, const char **why, git_repository *repo,
			  const git_oid *tree, const git_oid *const *known,
			  size_t nknown)
{
	qs_buf buf = QS_BUF_INIT;
	int ret;

	*path = NULL;
	*why = NULL;
	if (nknown > MAX_KNOWN)
		return qs__error_set(QS_EINVAL, "qs__tree_find_refused: %zu known trees",
				     nknown);
	ret = find_in(&buf, why, repo, tree, known, nknown);
	if (ret == 0 && !(*path = qs_buf_detach(&buf)))
		ret = QS_ENOMEM;
	qs_buf_release(&buf);
	return ret;
}
