// SPDX-License-Identifier: GPL-2.0-only
/*
 * qs__tree_path_refused, case by case from git's rules (read-cache.c's
 * verify_path(), path.c's is_ntfs_dotgit() and is_ntfs_dot*(), utf8.c's
 * is_hfs_dot*(), fsck.c's tree checks; git's t0060, t1450 and t7415 list
 * most of these spellings), and then against git itself: each path, and
 * a few hundred made at random from the pieces the rules are about, is
 * refused exactly when git refuses it, either way git can:
 * - `git update-index --add --cacheinfo` with core.protectHFS and
 *   core.protectNTFS on (verify_path(), as git apply and git am run it);
 * - `git fsck --strict` on the trees that would hold it, counting the
 *   reports about names: hasDot, hasDotdot, hasDotgit, emptyName and
 *   the symbolic link ones (gitmodulesSymlink is an error; the
 *   .gitattributes, .gitignore and .mailmap ones are warnings that we
 *   take as refusals, see tree-path.c).
 * qs__tree_find_refused is tried on small trees, with and without the
 * sides of a merge it must not look into.
 */
#include "internal.h"
#include "tree-path.h"

#include <fcntl.h>

#include <sys/wait.h>
#include <unistd.h>

#include "unit/scratch.h"

#define FILE_MODE 0100644u
#define LINK_MODE 0120000u

/* What the reason says, by the word it must hold; NULL: accepted. */
#define OK NULL
#define DOTGIT "a '.git' component"
#define HFS "HFS+ reads as '.git'"
#define NTFS "NTFS reads as '.git'"
#define BACKSLASH "'.git' after a backslash"
#define EMPTY "an empty component"
#define GITMODULES "link git reads as '.gitmodules'"

struct tcase {
	const char *path;
	uint32_t mode;
	const char *why;
};

static const struct tcase cases[] = {
	/* plain names, and names that only look alike */
	{ "f", FILE_MODE, OK },
	{ "a/b/c", FILE_MODE, OK },
	{ ".github/workflows/x", FILE_MODE, OK },
	{ "a..b/.git2", FILE_MODE, OK },
	{ ".gitx/config", FILE_MODE, OK },
	{ ".git-blame-ignore-revs", FILE_MODE, OK },
	{ ".git.foo/x", FILE_MODE, OK },
	{ "x.git/config", FILE_MODE, OK },
	{ "git/config", FILE_MODE, OK },
	{ ".git~1/x", FILE_MODE, OK },
	{ "git~2/x", FILE_MODE, OK },
	{ "git~10", FILE_MODE, OK },
	{ "git~1x", FILE_MODE, OK },
	{ " .git/x", FILE_MODE, OK },
	{ "..a", FILE_MODE, OK },
	{ "...", FILE_MODE, OK },
	/* U+200B is not one of the code points HFS+ ignores */
	{ ".gi\xe2\x80\x8bt/x", FILE_MODE, OK },
	/* a broken sequence inside the name does not make it ".git" */
	{ ".gi\xfft/x", FILE_MODE, OK },
	/* the files git reads are fine as files, anywhere */
	{ ".gitmodules", FILE_MODE, OK },
	{ "sub/.gitmodules", FILE_MODE, OK },
	{ "gitmod~1", FILE_MODE, OK },
	{ ".gitattributes", FILE_MODE, OK },
	{ ".gitignore", FILE_MODE, OK },
	{ ".mailmap", FILE_MODE, OK },
	{ "a\\.gitmodules", FILE_MODE, OK },
	/* and a symbolic link is fine anywhere else */
	{ "link", LINK_MODE, OK },
	{ ".gitmodulesx", LINK_MODE, OK },
	{ ".gitmodule", LINK_MODE, OK },
	{ "gitmod~5", LINK_MODE, OK },
	{ "gi7eba~10", LINK_MODE, OK },
	{ "gi7eba~0", LINK_MODE, OK },
	{ "gi7eb~1x", LINK_MODE, OK },
	{ "gi~1234", LINK_MODE, OK },
	{ "~1", LINK_MODE, OK },
	{ ".gitmodules\\b", LINK_MODE, OK },
	{ "a\\.gitmodules\\b", LINK_MODE, OK },
	{ ".gitignore/x", LINK_MODE, OK },
	{ ".mailmap.d/x", LINK_MODE, OK },

	/* what a path must not be */
	{ "", FILE_MODE, "names no file" },
	{ "a//b", FILE_MODE, EMPTY },
	{ "/a", FILE_MODE, EMPTY },
	{ "a/", FILE_MODE, EMPTY },
	{ ".", FILE_MODE, "a '.' component" },
	{ "a/./b", FILE_MODE, "a '.' component" },
	{ "..", FILE_MODE, "a '..' component" },
	{ "a/../b", FILE_MODE, "a '..' component" },

	/* ".git" in any ASCII case, at any level */
	{ ".git", FILE_MODE, DOTGIT },
	{ ".git/config", FILE_MODE, DOTGIT },
	{ ".GIT/config", FILE_MODE, DOTGIT },
	{ "sub/.GiT/config", FILE_MODE, DOTGIT },
	{ "x/.git", FILE_MODE, DOTGIT },

	/* HFS+: invisible code points are left out, case is folded */
	{ ".git\xe2\x80\x8c/config", FILE_MODE, HFS },		/* U+200C */
	{ ".gi\xe2\x80\x8dt/x", FILE_MODE, HFS },		/* U+200D */
	{ ".GIT\xef\xbb\xbf/x", FILE_MODE, HFS },		/* U+FEFF */
	{ "\xe2\x80\x8c.git/x", FILE_MODE, HFS },
	{ ".\xe2\x80\x8cgit/x", FILE_MODE, HFS },
	{ "\xef\xbb\xbf.git/x", FILE_MODE, HFS },
	{ "a/.g\xe2\x80\x8ei\xe2\x80\x8ft", FILE_MODE, HFS },	/* U+200E, U+200F */
	/* bytes that are not UTF-8 right after the name end it, in git */
	{ ".git\xff/x", FILE_MODE, HFS },
	{ ".git\xe2\x80/x", FILE_MODE, HFS },			/* truncated */
	{ ".git\xc0\x80", FILE_MODE, HFS },			/* overlong NUL */
	{ ".git\xed\xa0\x80", FILE_MODE, HFS },			/* a surrogate */
	{ ".git\xf4\x90\x80\x80", FILE_MODE, HFS },		/* past U+10FFFF */

	/* NTFS: trailing dots and spaces, streams, the short name */
	{ ".git./config", FILE_MODE, NTFS },
	{ ".git /config", FILE_MODE, NTFS },
	{ ".git. . /x", FILE_MODE, NTFS },
	{ ".GiT. ", FILE_MODE, NTFS },
	{ "a/.git../b", FILE_MODE, NTFS },
	{ ".git::$INDEX_ALLOCATION/config", FILE_MODE, NTFS },
	{ ".git:x/y", FILE_MODE, NTFS },
	{ ".git:", FILE_MODE, NTFS },
	{ "git~1/config", FILE_MODE, NTFS },
	{ "GIT~1/x", FILE_MODE, NTFS },
	{ "git~1", FILE_MODE, NTFS },
	{ "git~1. :x", FILE_MODE, NTFS },

	/* Windows separates at a backslash too */
	{ "sub\\.git\\config", FILE_MODE, BACKSLASH },
	{ "sub\\.git", FILE_MODE, BACKSLASH },
	{ "sub\\.git.\\x", FILE_MODE, BACKSLASH },
	{ "a\\git~1\\b", FILE_MODE, BACKSLASH },
	{ "a\\\\.git", FILE_MODE, BACKSLASH },
	{ "a\\.git:b", FILE_MODE, BACKSLASH },
	{ "d/a\\.GIT /x", FILE_MODE, BACKSLASH },
	/* verify_path() misses these, git fsck does not */
	{ "\\.git/x", FILE_MODE, BACKSLASH },
	{ "\\.git", FILE_MODE, BACKSLASH },
	/* as NTFS reads the name before a backslash, so does git */
	{ ".git\\x", FILE_MODE, NTFS },
	{ "x\\git~1", FILE_MODE, BACKSLASH },

	/* a symbolic link as .gitmodules, in every spelling, at any level */
	{ ".gitmodules", LINK_MODE, GITMODULES },
	{ ".GITMODULES", LINK_MODE, GITMODULES },
	{ "sub/.gitmodules", LINK_MODE, GITMODULES },
	{ ".gitmodules\xe2\x80\x8c", LINK_MODE, GITMODULES },
	{ ".git\xe2\x80\x8cmodules", LINK_MODE, GITMODULES },
	{ ".gitmodules\xff", LINK_MODE, GITMODULES },
	{ ".gitmodules .", LINK_MODE, GITMODULES },
	{ ".gitmodules. .", LINK_MODE, GITMODULES },
	{ ".gitmodules::$DATA", LINK_MODE, GITMODULES },
	{ "gitmod~1", LINK_MODE, GITMODULES },
	{ "GITMOD~4", LINK_MODE, GITMODULES },
	{ "gitmod~1 ", LINK_MODE, GITMODULES },
	{ "gitmod~1:x", LINK_MODE, GITMODULES },
	{ "x/gitmod~1", LINK_MODE, GITMODULES },
	/* NTFS's short name from a hash, when the plain ones are taken */
	{ "gi7eba~1", LINK_MODE, GITMODULES },
	{ "gi7eba~9", LINK_MODE, GITMODULES },
	{ "GI7EBA~1", LINK_MODE, GITMODULES },
	{ "gi7eb~12", LINK_MODE, GITMODULES },
	{ "gi7e~123", LINK_MODE, GITMODULES },
	{ "~1234567", LINK_MODE, GITMODULES },
	{ "sub\\.gitmodules", LINK_MODE, GITMODULES },
	{ "\\.gitmodules", LINK_MODE, GITMODULES },
	/* git refuses a link below a directory named so, too */
	{ ".gitmodules/foo", LINK_MODE, GITMODULES },
	{ ".gitmodules:x/foo", LINK_MODE, GITMODULES },

	/* the other files git reads from a tree, never through a link */
	{ ".gitattributes", LINK_MODE, "'.gitattributes'" },
	{ "d/.GitAttributes", LINK_MODE, "'.gitattributes'" },
	{ ".gitattributes. ", LINK_MODE, "'.gitattributes'" },
	{ "gitatt~1", LINK_MODE, "'.gitattributes'" },
	{ "gi7d29~1", LINK_MODE, "'.gitattributes'" },
	{ ".gitignore", LINK_MODE, "'.gitignore'" },
	{ ".gitignore\xef\xbb\xbf", LINK_MODE, "'.gitignore'" },
	{ "gitign~1", LINK_MODE, "'.gitignore'" },
	{ "gi250a~1", LINK_MODE, "'.gitignore'" },
	{ ".mailmap", LINK_MODE, "'.mailmap'" },
	{ ".MAILMAP:x", LINK_MODE, "'.mailmap'" },
	{ "mailma~1", LINK_MODE, "'.mailmap'" },
	{ "maba30~1", LINK_MODE, "'.mailmap'" },
	/* a link is still a path: ".git" rules first */
	{ ".git/x", LINK_MODE, DOTGIT },
};

/* `s` with every byte outside printable ASCII as \xHH, for messages. */
static const char *show(const char *s)
{
	static char out[4][512];
	static int k;
	char *o = out[k++ & 3];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			o[n++] = (char)c;
		else
			n += (size_t)snprintf(o + n, 5, "\\x%02x", c);
	}
	o[n] = '\0';
	return o;
}

static const char *ours(const char *path, uint32_t mode)
{
	return qs__tree_path_refused(path, strlen(path), mode);
}

/* ------------------------------------------------------------------ */
/* git as the judge */

static git_repository *repo;
static git_oid empty_blob, link_blob;

/* One path, and what git and we make of it. */
struct judged {
	char *path;
	uint32_t mode;
	int index_refuses;	/* git update-index refused it */
	git_oid trees[16];	/* the trees that would hold it, leaf first */
	size_t ntrees;
	int fsck_refuses;
};

static struct judged *judged;
static size_t njudged, judged_alloc;

/* A tree of one entry, written as it is: libgit2's builder checks names. */
static int write_tree1(git_oid *out, const char *name, size_t len,
		       uint32_t mode, const git_oid *id)
{
	qs_buf raw = QS_BUF_INIT;
	git_odb *odb = NULL;
	int ret = -1;

	qs_buf_addf(&raw, "%o ", mode);
	qs_buf_add(&raw, name, len);
	qs_buf_addch(&raw, '\0');
	qs_buf_add(&raw, id->id, GIT_OID_RAWSZ);
	if (!qs_buf_oom(&raw) && git_repository_odb(&odb, repo) == 0)
		ret = git_odb_write(out, odb, raw.ptr, raw.len, GIT_OBJECT_TREE);
	git_odb_free(odb);
	qs_buf_release(&raw);
	return ret;
}

/*
 * Whether git update-index, with the protections on, refuses to put
 * `path` in an index of its own: 1, 0, or -1 when git did not run. git
 * is run directly: a shell around each of hundreds of calls doubles
 * the time the test takes.
 */
static int index_refuses(const char *path, uint32_t mode)
{
	char index[sizeof(scratch) + 16], arg[512];
	const git_oid *id = mode == LINK_MODE ? &link_blob : &empty_blob;
	pid_t pid;
	int status, null;

	snprintf(index, sizeof(index), "%s/.git/judge", scratch);
	if (snprintf(arg, sizeof(arg), "%o,%s,%s", mode, git_oid_tostr_s(id),
		     path) >= (int)sizeof(arg))
		return -1;
	unlink(index);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
		    chdir(scratch) < 0 || setenv("GIT_INDEX_FILE", index, 1) < 0)
			_exit(127);
		execlp("git", "git", "-c", "core.protectHFS=true",
		       "-c", "core.protectNTFS=true", "update-index", "--add",
		       "--cacheinfo", arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 127)
		return -1;
	return WEXITSTATUS(status) != 0;
}

/* Ask git about `path`: update-index now, fsck later for all at once. */
static int judge(const char *path, uint32_t mode)
{
	struct judged *j;
	const char *end = path + strlen(path), *p = end;
	git_oid id;
	uint32_t m = mode;
	int st;

	if (QS_ARRAY_GROW(judged, judged_alloc, njudged + 1) < 0)
		return -1;
	j = &judged[njudged];
	memset(j, 0, sizeof(*j));
	if (!(j->path = qs__strdup(path)))
		return -1;
	j->mode = mode;
	njudged++;
	if ((st = index_refuses(path, mode)) < 0)
		return -1;
	j->index_refuses = st;
	if (!*path)
		return 0;	/* no tree holds an empty path */
	/* the trees from the leaf up, one entry each */
	git_oid_cpy(&id, mode == LINK_MODE ? &link_blob : &empty_blob);
	while (p >= path && j->ntrees < QS_ARRAY_SIZE(j->trees)) {
		const char *start = p;

		while (start > path && start[-1] != '/')
			start--;
		if (write_tree1(&j->trees[j->ntrees], start, (size_t)(p - start),
				m, &id) < 0)
			return -1;
		git_oid_cpy(&id, &j->trees[j->ntrees++]);
		m = 040000;
		if (start == path)
			break;
		p = start - 1;
	}
	return 0;
}

/* Run git fsck once over every tree written, and mark what it reports. */
static int fsck_all(void)
{
	static const char *const ids[] = {
		"hasDot:", "hasDotdot:", "hasDotgit:", "emptyName:",
		"gitmodulesSymlink:", "gitattributesSymlink:",
		"gitignoreSymlink:", "mailmapSymlink:",
	};
	char *out = sh_out("git fsck --strict --no-dangling --no-progress 2>&1");
	const char *line;
	size_t i, k;

	if (!out)
		return -1;
	for (line = out; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
		const char *t = strstr(line, " in tree ");
		const char *nl = strchr(line, '\n');
		int relevant = 0;
		git_oid tree;

		if (!t || (nl && t > nl))
			continue;
		for (k = 0; k < QS_ARRAY_SIZE(ids); k++) {
			const char *at_id = strstr(line, ids[k]);

			if (at_id && (!nl || at_id < nl))
				relevant = 1;
		}
		if (!relevant || git_oid_fromstrn(&tree, t + 9, GIT_OID_HEXSZ) < 0)
			continue;
		for (i = 0; i < njudged; i++)
			for (k = 0; k < judged[i].ntrees; k++)
				if (git_oid_equal(&judged[i].trees[k], &tree))
					judged[i].fsck_refuses = 1;
	}
	free(out);
	return 0;
}

/* A random path from the pieces git's rules look at, seeded. */
static void random_path(char *out, size_t size, unsigned int *seed)
{
	static const char *const pieces[] = {
		".", "git", "GiT", "~1", "~4", "~9", " ", ":", "\\", "/",
		"modules", "gitmod", "gi7eba", "attributes", "ignore",
		"mailmap", "maba30", "x", "1", "\xe2\x80\x8c", "\xef\xbb\xbf",
		"\xe2\x80\x8b", "\xff", "\xe2\x80", ".git", ".gitmodules",
	};
	size_t n = 1 + (size_t)(rand_r(seed) % 6), k, len = 0;

	out[0] = '\0';
	for (k = 0; k < n; k++) {
		const char *piece = pieces[(size_t)rand_r(seed) % QS_ARRAY_SIZE(pieces)];

		if (len + strlen(piece) + 1 >= size)
			break;
		memcpy(out + len, piece, strlen(piece) + 1);
		len += strlen(piece);
	}
}

static void test_find(void);

static void against_git(void)
{
	unsigned int seed = 1450;
	char path[128];
	size_t i, first_random, agree = 0;

	if (!have_git() || scratch_make("tree-path") < 0) {
		tap_diag("no git to judge by: only our own verdicts were checked");
		return;
	}
	git_isolate();
	sh_dir = scratch;
	if (sh("git init -q . && git config core.autocrlf false") != 0 ||
	    git_repository_open(&repo, scratch) < 0 ||
	    git_blob_create_from_buffer(&empty_blob, repo, "", 0) < 0 ||
	    git_blob_create_from_buffer(&link_blob, repo, "target", 6) < 0) {
		ok(0, "a scratch repository for git to judge in");
		goto done;
	}
	test_find();
	for (i = 0; i < QS_ARRAY_SIZE(cases); i++)
		if (judge(cases[i].path, cases[i].mode) < 0)
			goto fail;
	first_random = njudged;
	for (i = 0; i < 200; i++) {
		random_path(path, sizeof(path), &seed);
		if (judge(path, rand_r(&seed) % 2 ? LINK_MODE : FILE_MODE) < 0)
			goto fail;
	}
	if (fsck_all() < 0)
		goto fail;
	for (i = 0; i < njudged; i++) {
		const struct judged *j = &judged[i];
		int git_refuses = j->index_refuses || j->fsck_refuses;
		const char *why = ours(j->path, j->mode);

		if (i < first_random) {
			ok(git_refuses == !!why, "git %s '%s' (%o)%s%s",
			   git_refuses ? "refuses" : "takes", show(j->path), j->mode,
			   j->index_refuses ? " in the index" : "",
			   j->fsck_refuses ? " in fsck" : "");
			continue;
		}
		if (git_refuses == !!why)
			agree++;
		else
			tap_diag("'%s' (%o): git %s it, we %s", show(j->path), j->mode,
				 git_refuses ? "refuses" : "takes",
				 why ? "refuse" : "take");
	}
	ok(agree == njudged - first_random,
	   "%zu random paths: each refused exactly when git refuses it",
	   njudged - first_random);
	goto done;
fail:
	ok(0, "asking git about every path");
done:
	for (i = 0; i < njudged; i++)
		free(judged[i].path);
	free(judged);
	git_repository_free(repo);
	sh_dir = NULL;
	scratch_remove();
}

/* Finding a refused path in the trees a merge made anew, and only there. */
static void test_find(void)
{
	git_oid bad, good, sub_bad, sub_good, root_bad, root_mixed, root_good;
	const git_oid *known[2];
	char *path = NULL;
	const char *why = NULL;

	if (write_tree1(&bad, ".git.", 5, FILE_MODE, &empty_blob) < 0 ||
	    write_tree1(&good, "f", 1, FILE_MODE, &empty_blob) < 0 ||
	    write_tree1(&sub_bad, "a", 1, 040000, &bad) < 0 ||
	    write_tree1(&sub_good, "a", 1, 040000, &good) < 0 ||
	    write_tree1(&root_bad, "d", 1, 040000, &sub_bad) < 0 ||
	    write_tree1(&root_good, "d", 1, 040000, &sub_good) < 0 ||
	    write_tree1(&root_mixed, "e", 1, 040000, &sub_bad) < 0) {
		ok(0, "trees to search");
		return;
	}
	is_int(qs__tree_find_refused(&path, &why, repo, &root_bad, NULL, 0), 0,
	       "the whole tree: found");
	is_str(path, "d/a/.git.", "at its path");
	ok(why && strstr(why, "NTFS"), "and why: %s", why ? why : "(none)");
	free(path);
	is_int(qs__tree_find_refused(&path, &why, repo, &root_good, NULL, 0),
	       QS_ENOTFOUND, "none in a good tree");
	ok(!path, "and no path");
	known[0] = &root_good;
	known[1] = &root_bad;
	is_int(qs__tree_find_refused(&path, &why, repo, &root_bad, known, 2),
	       QS_ENOTFOUND, "a tree one side has is not made anew");
	known[1] = NULL;
	is_int(qs__tree_find_refused(&path, &why, repo, &root_mixed, known, 2), 0,
	       "a refused path below a new tree: found");
	is_str(path, "e/a/.git.", "at its path");
	free(path);
	/* {d: sub_bad, z: good}: new, but its "d" is the side's "d" */
	{
		qs_buf raw = QS_BUF_INIT;
		git_odb *odb = NULL;
		git_oid two;

		qs_buf_adds(&raw, "40000 d");
		qs_buf_addch(&raw, '\0');
		qs_buf_add(&raw, sub_bad.id, GIT_OID_RAWSZ);
		qs_buf_adds(&raw, "40000 z");
		qs_buf_addch(&raw, '\0');
		qs_buf_add(&raw, good.id, GIT_OID_RAWSZ);
		if (qs_buf_oom(&raw) || git_repository_odb(&odb, repo) < 0 ||
		    git_odb_write(&two, odb, raw.ptr, raw.len, GIT_OBJECT_TREE) < 0) {
			ok(0, "a tree of two entries");
		} else {
			known[0] = &root_bad;
			is_int(qs__tree_find_refused(&path, &why, repo, &two, known, 1),
			       QS_ENOTFOUND, "a subtree a side has at the same place is skipped");
			ok(!path, "and no path");
			is_int(qs__tree_find_refused(&path, &why, repo, &two, known, 0), 0,
			       "and found without the side");
			free(path);
		}
		git_odb_free(odb);
		qs_buf_release(&raw);
	}
}

int main(void)
{
	size_t i;

	git_libgit2_init();
	for (i = 0; i < QS_ARRAY_SIZE(cases); i++) {
		const struct tcase *c = &cases[i];
		const char *why = ours(c->path, c->mode);

		if (!c->why)
			ok(!why, "'%s' (%o) is taken%s%s", show(c->path), c->mode,
			   why ? ": " : "", why ? why : "");
		else
			ok(why && strstr(why, c->why), "'%s' (%o) is refused: %s",
			   show(c->path), c->mode, why ? why : "(taken)");
	}
	/* the length bounds the path: what follows is not read */
	ok(qs__tree_path_refused(".gitx", 4, FILE_MODE) != NULL,
	   "'.git' cut from '.gitx' is refused");
	ok(qs__tree_path_refused(".git/", 4, FILE_MODE) != NULL,
	   "'.git' cut from '.git/' is refused");
	ok(qs__tree_path_refused("gitmod~1x", 8, LINK_MODE) != NULL,
	   "'gitmod~1' cut from a longer name is refused");
	ok(!qs__tree_path_refused("a/b", 1, FILE_MODE),
	   "'a' cut from 'a/b' is taken");
	against_git();
	git_libgit2_shutdown();
	return done_testing();
}
