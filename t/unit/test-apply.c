/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The apply engine's API: argument checks, results, the in-memory
 * object store and its flush, failures that write nothing, the paths
 * that must never be written. Semantics against quilt are t4100's job.
 */
#include "internal.h"

#include <dirent.h>
#include <git2.h>
#include <sys/stat.h>

#include "scratch.h"

static int repo_serial;

/* A new repository in the scratch directory; its path in `path`. */
static git_repository *new_repo(char *path, size_t size)
{
	git_repository *repo = NULL;

	snprintf(path, size, "%s/repo%d", scratch, ++repo_serial);
	if (git_repository_init(&repo, path, 1) < 0)
		return NULL;
	return repo;
}

/*
 * Write a tree from "path\0mode\0content" triples (a NULL path ends
 * them) straight into the repository.
 */
struct file { const char *path; unsigned int mode; const char *content; };

static int make_tree(git_oid *out, git_repository *repo,
		     const struct file *files)
{
	git_index *index = NULL;
	int ret = -1;

	if (git_repository_index(&index, repo) < 0)
		return -1;
	git_index_clear(index);
	for (; files->path; files++) {
		git_index_entry e;
		git_oid blob;

		if (git_blob_create_from_buffer(&blob, repo, files->content,
						strlen(files->content)) < 0)
			goto done;
		memset(&e, 0, sizeof(e));
		e.path = files->path;
		e.mode = files->mode;
		git_oid_cpy(&e.id, &blob);
		if (git_index_add(index, &e) < 0)
			goto done;
	}
	ret = git_index_write_tree(out, index);
done:
	git_index_free(index);
	return ret;
}

static qs_diff *parse(const char *text)
{
	qs_diff *diff = NULL;

	if (qs_diff_parse(&diff, text, strlen(text), NULL) < 0)
		return NULL;
	return diff;
}

static size_t count_packs(const char *repo_path)
{
	char dir[512];
	struct dirent *d;
	DIR *dp;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/objects/pack", repo_path);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		n += strlen(d->d_name) > 5 &&
		     !strcmp(d->d_name + strlen(d->d_name) - 5, ".pack");
	closedir(dp);
	return n;
}

/* The content of `path` in `tree`, read through a fresh repository. */
static char *read_path(const char *repo_path, const git_oid *tree,
		       const char *path)
{
	git_repository *repo = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	char *ret = NULL;

	if (git_repository_open(&repo, repo_path) < 0 ||
	    git_tree_lookup(&t, repo, tree) < 0 ||
	    git_tree_entry_bypath(&e, t, path) < 0 ||
	    git_blob_lookup(&b, repo, git_tree_entry_id(e)) < 0)
		goto done;
	ret = qs__strndup(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
done:
	git_blob_free(b);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_repository_free(repo);
	return ret;
}

static const struct file base_files[] = {
	{ "f", 0100644, "a\nb\nc\n" },
	{ "dir/g", 0100644, "1\n2\n3\n" },
	{ "run.sh", 0100755, "#!/bin/sh\n" },
	{ "link", 0120000, "dir" },
	{ NULL, 0, NULL },
};

static const char modify_patch[] =
	"--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n";

static void test_arguments(git_repository *repo, const git_oid *base)
{
	qs_apply_options opts = QS_APPLY_OPTIONS_INIT;
	qs_applier *ap = NULL;
	qs_apply_result *res = (qs_apply_result *)1;
	qs_diff *diff = parse(modify_patch);
	git_oid missing;

	is_int(qs_applier_new(NULL, repo, NULL), QS_EINVAL, "applier_new: out NULL");
	is_int(qs_applier_new(&ap, NULL, NULL), QS_EINVAL, "applier_new: repo NULL");
	ok(ap == NULL, "applier_new: nothing on failure");
	opts.fuzz = -1;
	is_int(qs_applier_new(&ap, repo, &opts), QS_EINVAL, "applier_new: negative fuzz");
	opts.fuzz = 2;
	opts.version = 99;
	is_int(qs_applier_new(&ap, repo, &opts), QS_EINVAL, "applier_new: unknown version");
	is_int(qs_applier_new(&ap, repo, NULL), 0, "applier_new: defaults");

	is_int(qs_apply_diff(NULL, ap, base, diff, 1, 0), QS_EINVAL, "apply: out NULL");
	is_int(qs_apply_diff(&res, NULL, base, diff, 1, 0), QS_EINVAL, "apply: applier NULL");
	ok(res == NULL, "apply: *out cleared on failure");
	is_int(qs_apply_diff(&res, ap, NULL, diff, 1, 0), QS_EINVAL, "apply: base NULL");
	is_int(qs_apply_diff(&res, ap, base, NULL, 1, 0), QS_EINVAL, "apply: diff NULL");
	is_int(qs_apply_diff(&res, ap, base, diff, -1, 0), QS_EINVAL, "apply: negative strip");
	git_oid_fromstr(&missing, "0123456789012345678901234567890123456789");
	is_int(qs_apply_diff(&res, ap, &missing, diff, 1, 0), QS_ENOTFOUND,
	       "apply: a base that is not in the repository");
	ok(strstr(qs_error_last()->message, "0123456789012345678901234567890123456789") != NULL,
	   "apply: the error names the missing tree");

	/* NULL-safe accessors */
	is_int(qs_apply_result_status(NULL), QS_APPLY_FAILED, "status(NULL)");
	ok(qs_apply_result_tree(NULL) == NULL, "tree(NULL)");
	ok(qs_apply_result_error(NULL) == NULL, "error(NULL)");
	is_int(qs_apply_result_hunk_count(NULL), 0, "hunk_count(NULL)");
	ok(qs_apply_result_hunk_byindex(NULL, 0) == NULL, "hunk_byindex(NULL)");
	is_int(qs_apply_result_file_count(NULL), 0, "file_count(NULL)");
	ok(qs_apply_result_file_byindex(NULL, 0) == NULL, "file_byindex(NULL)");
	is_int(qs_applier_pending(NULL, NULL), 0, "pending(NULL)");
	is_int(qs_applier_flush(NULL), QS_EINVAL, "flush(NULL)");
	qs_apply_result_free(NULL);
	qs_applier_free(NULL);
	qs_applier_free(ap);
	qs_diff_free(diff);
}

static void test_apply_and_flush(void)
{
	char path[512];
	git_repository *repo = new_repo(path, sizeof(path));
	qs_applier *ap = NULL;
	qs_apply_result *res = NULL, *res2 = NULL;
	const qs_hunk_report *h;
	const qs_file_report *fr;
	qs_diff *diff = parse(modify_patch);
	qs_diff *diff2 = parse("diff --git a/f b/moved/f\nsimilarity index 90%\n"
			       "rename from f\nrename to moved/f\n--- a/f\n+++ b/moved/f\n"
			       "@@ -1,3 +1,4 @@\n a\n B\n c\n+d\n");
	git_oid base, t1, t2;
	git_tree *tree = NULL;
	size_t packs, bytes = 0;
	char *content;
	int fsck;

	if (!repo || make_tree(&base, repo, base_files) < 0 || !diff || !diff2) {
		ok(0, "setup of the flush test");
		goto done;
	}
	is_int(qs_applier_new(&ap, repo, NULL), 0, "applier on a disk repository");
	packs = count_packs(path);

	is_int(qs_apply_diff(&res, ap, &base, diff, 1, 0), 0, "a patch is tried");
	is_int(qs_apply_result_status(res), QS_APPLIED_CLEAN, "it applied cleanly");
	ok(qs_apply_result_error(res) == NULL, "no error when it applied");
	ok(qs_apply_result_tree(res) != NULL, "a tree when it applied");
	git_oid_cpy(&t1, qs_apply_result_tree(res));
	is_int(qs_apply_result_file_count(res), 1, "one file report");
	fr = qs_apply_result_file_byindex(res, 0);
	is_str(fr->path, "f", "file report: path");
	is_int(fr->op, QS_DIFF_MODIFIED, "file report: modified");
	is_int(fr->old_mode, 0100644, "file report: old mode");
	is_int(fr->new_mode, 0100644, "file report: new mode");
	is_int(qs_apply_result_hunk_count(res), 1, "one hunk report");
	h = qs_apply_result_hunk_byindex(res, 0);
	ok(h && h->applied && h->hunk == 1 && h->old_line == 1 && h->new_line == 1 &&
	   h->offset == 0 && h->fuzz == 0 && !h->merged, "hunk report: clean at line 1");
	ok(qs_apply_result_hunk_byindex(res, 1) == NULL, "hunk_byindex out of range");

	ok(qs_applier_pending(ap, &bytes) >= 2 && bytes > 0,
	   "the new blob and tree wait in memory");
	ok(git_tree_lookup(&tree, repo, &t1) < 0,
	   "before the flush, the caller's repository does not see the tree");

	/* the next patch starts from a tree that is only in memory */
	is_int(qs_apply_diff(&res2, ap, &t1, diff2, 1, 0), 0, "a second patch on the first's tree");
	is_int(qs_apply_result_status(res2), QS_APPLIED_CLEAN, "it applied");
	git_oid_cpy(&t2, qs_apply_result_tree(res2));
	fr = qs_apply_result_file_byindex(res2, 0);
	ok(fr && fr->op == QS_DIFF_RENAMED && !strcmp(fr->path, "moved/f") &&
	   !strcmp(fr->old_path, "f"), "file report: a rename, with both names");

	is_int(qs_applier_flush(ap), 0, "flush");
	is_int(qs_applier_pending(ap, NULL), 0, "nothing waits after the flush");
	is_int(count_packs(path), packs + 1, "the flush wrote exactly one pack");
	is_int(qs_applier_flush(ap), 0, "a flush with nothing to write");
	is_int(count_packs(path), packs + 1, "and it writes no pack");

	content = read_path(path, &t1, "f");
	is_str(content, "a\nB\nc\n", "a fresh repository reads the first tree");
	free(content);
	content = read_path(path, &t2, "moved/f");
	is_str(content, "a\nB\nc\nd\n", "and the second");
	free(content);
	content = read_path(path, &t2, "f");
	ok(content == NULL, "the renamed file is gone");
	free(content);
	content = read_path(path, &t2, "run.sh");
	is_str(content, "#!/bin/sh\n", "untouched files are kept");
	free(content);
	fsck = sh("git --git-dir='%s' fsck --strict --no-dangling", path);
	is_int(fsck, 0, "git fsck finds the repository sound");
	/* the applier still reads what it flushed */
	qs_apply_result_free(res);
	res = NULL;
	is_int(qs_apply_diff(&res, ap, &t2, diff, 1, 0), 0, "a patch on a flushed tree");
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED,
	       "it fails: f was renamed away");
	ok(qs_apply_result_error(res) && strstr(qs_apply_result_error(res), "f: "),
	   "the error names the file");
done:
	git_tree_free(tree);
	qs_apply_result_free(res);
	qs_apply_result_free(res2);
	qs_applier_free(ap);
	qs_diff_free(diff);
	qs_diff_free(diff2);
	git_repository_free(repo);
}

static void test_failure_writes_nothing(void)
{
	char path[512];
	git_repository *repo = new_repo(path, sizeof(path));
	qs_applier *ap = NULL;
	qs_apply_result *res = NULL;
	/* the first file applies, the second does not */
	qs_diff *diff = parse("--- a/dir/g\n+++ b/dir/g\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n"
			      "--- /dev/null\n+++ b/new\n@@ -0,0 +1 @@\n+new\n"
			      "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-nope\n+B\n c\n");
	qs_diff *empty = parse("just a mail, no diff\n");
	/* "deletes" a missing empty file, then makes its name a directory */
	qs_diff *late = parse("diff --git a/x b/x\ndeleted file mode 100644\n"
			      "index e69de29..0000000\n"
			      "diff --git a/x/y b/x/y\nnew file mode 100644\n"
			      "--- /dev/null\n+++ b/x/y\n@@ -0,0 +1 @@\n+y\n");
	const qs_hunk_report *h;
	git_oid base;
	size_t packs, i, failed = 0;

	if (!repo || make_tree(&base, repo, base_files) < 0 || !diff || !empty ||
	    !late || qs_applier_new(&ap, repo, NULL) < 0) {
		ok(0, "setup of the failure test");
		goto done;
	}
	packs = count_packs(path);
	is_int(qs_apply_diff(&res, ap, &base, diff, 1, 0), 0, "a failing patch is tried");
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED, "it fails");
	ok(qs_apply_result_tree(res) == NULL, "no tree");
	is_int(qs_applier_pending(ap, NULL), 0, "not one object was written");
	ok(qs_apply_result_error(res) &&
	   strstr(qs_apply_result_error(res), "f: hunk #1 at line 1 does not apply"),
	   "the error names the file and the hunk: %s", qs_apply_result_error(res));
	for (i = 0; i < qs_apply_result_hunk_count(res); i++) {
		h = qs_apply_result_hunk_byindex(res, i);
		if (!h->applied) {
			failed++;
			ok(h->reason != NULL && !strcmp(h->path, "f"),
			   "the failed hunk has its path and a reason");
		}
	}
	is_int(failed, 1, "one hunk failed, the others applied");
	ok(!qs_apply_result_file_byindex(res, 2)->applied &&
	   qs_apply_result_file_byindex(res, 0)->applied,
	   "file reports say which file failed");
	is_int(qs_applier_flush(ap), 0, "flush");
	is_int(count_packs(path), packs, "the flush had nothing to write");
	qs_apply_result_free(res);
	res = NULL;

	is_int(qs_apply_diff(&res, ap, &base, empty, 1, 0), 0, "a patch with no diff is tried");
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED, "and fails, as GNU patch does");
	qs_apply_result_free(res);
	res = NULL;

	/* a failure found at the very end, after every file diff applied */
	is_int(qs_apply_diff(&res, ap, &base, late, 1, 0), 0, "a patch failing at its end");
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED, "fails");
	ok(qs_apply_result_error(res) && strstr(qs_apply_result_error(res), "x: cannot delete"),
	   "the error names the path: %s", qs_apply_result_error(res));
	is_int(qs_applier_pending(ap, NULL), 0, "and wrote no blob");
done:
	qs_apply_result_free(res);
	qs_applier_free(ap);
	qs_diff_free(diff);
	qs_diff_free(empty);
	qs_diff_free(late);
	git_repository_free(repo);
}

static void test_unsafe(void)
{
	static const struct {
		const char *patch;
		int strip;
		const char *path;
	} cases[] = {
		{ "--- /dev/null\n+++ b/../evil\n@@ -0,0 +1 @@\n+x\n", 1, "../evil" },
		{ "--- a/f\n+++ b/a/../../f\n@@ -1 +1 @@\n-a\n+b\n", 1, "a/../../f" },
		{ "--- /dev/null\n+++ /tmp/evil\n@@ -0,0 +1 @@\n+x\n", 0, "/tmp/evil" },
		{ "--- /dev/null\n+++ b/.git/config\n@@ -0,0 +1 @@\n+x\n", 1, ".git/config" },
		{ "--- /dev/null\n+++ b/d/.GIT/hooks/x\n@@ -0,0 +1 @@\n+x\n", 1, "d/.GIT/hooks/x" },
		{ "--- /dev/null\n+++ b/d/.gIt\n@@ -0,0 +1 @@\n+x\n", 1, "d/.gIt" },
		{ "--- /dev/null\n+++ b/link/evil\n@@ -0,0 +1 @@\n+x\n", 1, "link/evil" },
		{ "diff --git a/f b/link/f\nsimilarity index 100%\nrename from f\n"
		  "rename to link/f\n", 1, "link/f" },
		/* names git refuses in a tree (tree-path.h) */
		{ "--- /dev/null\n+++ b/.git./config\n@@ -0,0 +1 @@\n+x\n", 1, ".git./config" },
		{ "--- /dev/null\n+++ b/d/git~1/x\n@@ -0,0 +1 @@\n+x\n", 1, "d/git~1/x" },
		{ "--- /dev/null\n+++ b/.GIT\xef\xbb\xbf/x\n@@ -0,0 +1 @@\n+x\n", 1,
		  ".GIT\xef\xbb\xbf/x" },
		{ "--- a/f\n+++ b/sub\\.git\\f\n@@ -1 +1 @@\n-a\n+b\n", 1, "sub\\.git\\f" },
		/* a symbolic link where git reads .gitmodules: made, renamed, revived */
		{ "diff --git a/.gitmodules b/.gitmodules\nnew file mode 120000\n"
		  "--- /dev/null\n+++ b/.gitmodules\n@@ -0,0 +1 @@\n+dir\n"
		  "\\ No newline at end of file\n", 1, ".gitmodules" },
		{ "diff --git a/link b/d/gitmod~1\nsimilarity index 50%\nrename from link\n"
		  "rename to d/gitmod~1\nindex 1111111..2222222 120000\n"
		  "--- a/link\n+++ b/d/gitmod~1\n@@ -1 +1 @@\n-dir\n"
		  "\\ No newline at end of file\n+f\n\\ No newline at end of file\n",
		  1, "d/gitmod~1" },
		{ "diff --git a/x/.gitmodules b/x/.gitmodules\ndeleted file mode 120000\n"
		  "--- a/x/.gitmodules\n+++ /dev/null\n@@ -1 +0,0 @@\n-dir\n"
		  "\\ No newline at end of file\n", 1, "x/.gitmodules" },
	};
	char path[512];
	git_repository *repo = new_repo(path, sizeof(path));
	qs_applier *ap = NULL;
	git_oid base;
	size_t i;

	if (!repo || make_tree(&base, repo, base_files) < 0 ||
	    qs_applier_new(&ap, repo, NULL) < 0) {
		ok(0, "setup of the unsafe test");
		goto done;
	}
	for (i = 0; i < QS_ARRAY_SIZE(cases); i++) {
		qs_diff *diff = parse(cases[i].patch);
		qs_apply_result *res = (qs_apply_result *)1;
		/* the last one deletes a link: reversed, it makes one */
		int rev = i + 1 == QS_ARRAY_SIZE(cases);
		int ret = diff ? qs_apply_diff(&res, ap, &base, diff, cases[i].strip, rev) : -99;

		is_int(ret, QS_EUNSAFE, "'%s' is refused", cases[i].path);
		ok(res == NULL, "no result for '%s'", cases[i].path);
		ok(strstr(qs_error_last()->message, cases[i].path) != NULL,
		   "the message names it: %s", qs_error_last()->message);
		qs_diff_free(diff);
	}
	is_int(qs_applier_pending(ap, NULL), 0, "nothing was written");
	{
		/* names that merely look alike are fine */
		qs_diff *diff = parse("--- /dev/null\n+++ b/.github/x\n@@ -0,0 +1 @@\n+x\n"
				      "--- /dev/null\n+++ b/a..b/.git2\n@@ -0,0 +1 @@\n+x\n"
				      "--- /dev/null\n+++ b/.gitmodules\n@@ -0,0 +1 @@\n+x\n"
				      "diff --git a/gitmod~5 b/gitmod~5\nnew file mode 120000\n"
				      "--- /dev/null\n+++ b/gitmod~5\n@@ -0,0 +1 @@\n+f\n"
				      "\\ No newline at end of file\n");
		qs_apply_result *res = NULL;

		is_int(qs_apply_diff(&res, ap, &base, diff, 1, 0), 0, "'.github', 'a..b', a file '.gitmodules', a link 'gitmod~5' are safe");
		is_int(qs_apply_result_status(res), QS_APPLIED_CLEAN, "and applied");
		qs_apply_result_free(res);
		qs_diff_free(diff);
	}
done:
	qs_applier_free(ap);
	git_repository_free(repo);
}

static void test_statuses(void)
{
	char path[512];
	git_repository *repo = new_repo(path, sizeof(path));
	static const struct file files[] = {
		{ "f", 0100644, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n" },
		{ NULL, 0, NULL },
	};
	qs_applier *ap = NULL;
	qs_apply_options opts = QS_APPLY_OPTIONS_INIT;
	qs_apply_result *res = NULL;
	/* stated at line 3, found at line 6 */
	qs_diff *offset = parse("--- a/f\n+++ b/f\n@@ -3,3 +3,3 @@\n 5\n-6\n+six\n 7\n");
	/* the first context line differs: fuzz 1 */
	qs_diff *fuzz = parse("--- a/f\n+++ b/f\n@@ -3,3 +3,3 @@\n X\n-3\n+three\n 4\n");
	git_oid base;

	if (!repo || make_tree(&base, repo, files) < 0 || !offset || !fuzz ||
	    qs_applier_new(&ap, repo, NULL) < 0) {
		ok(0, "setup of the status test");
		goto done;
	}
	qs_apply_diff(&res, ap, &base, offset, 1, 0);
	is_int(qs_apply_result_status(res), QS_APPLIED_OFFSET, "an offset");
	is_int(qs_apply_result_hunk_byindex(res, 0)->offset, 3, "of 3 lines");
	is_int(qs_apply_result_hunk_byindex(res, 0)->new_line, 6, "landing at line 6");
	qs_apply_result_free(res);
	res = NULL;
	qs_apply_diff(&res, ap, &base, fuzz, 1, 0);
	is_int(qs_apply_result_status(res), QS_APPLIED_FUZZ, "fuzz");
	is_int(qs_apply_result_fuzz(res), 1, "fuzz 1");
	qs_apply_result_free(res);
	res = NULL;
	qs_applier_free(ap);
	ap = NULL;
	opts.fuzz = 0;
	if (qs_applier_new(&ap, repo, &opts) < 0) {
		ok(0, "applier with fuzz 0");
		goto done;
	}
	qs_apply_diff(&res, ap, &base, fuzz, 1, 0);
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED, "with fuzz 0 it fails");
	qs_apply_result_free(res);
	res = NULL;
	/* -R: the reversed offset patch applies to its own result */
	qs_apply_diff(&res, ap, &base, offset, 1, 1);
	is_int(qs_apply_result_status(res), QS_APPLY_FAILED, "-R on the base fails");
	ok(qs_apply_result_error(res) &&
	   strstr(qs_apply_result_error(res), "reversed (or previously applied) patch detected"),
	   "with the reversed-patch hint");
done:
	qs_apply_result_free(res);
	qs_applier_free(ap);
	qs_diff_free(offset);
	qs_diff_free(fuzz);
	git_repository_free(repo);
}

int main(void)
{
	char path[512];
	git_repository *repo;
	git_oid base;

	git_libgit2_init();
	if (scratch_make("apply")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	repo = new_repo(path, sizeof(path));
	if (repo && make_tree(&base, repo, base_files) == 0)
		test_arguments(repo, &base);
	else
		ok(0, "setup of the argument test");
	git_repository_free(repo);
	test_apply_and_flush();
	test_failure_writes_nothing();
	test_unsafe();
	test_statuses();
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
