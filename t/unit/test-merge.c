/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration merges and recorded resolutions, with git as the judge:
 * trees equal to `git merge`'s (and to `git commit` of a resolved
 * worktree), conflicted files and hunks where `git merge` puts them,
 * hunk keys equal to git rerere's conflict ids (rerere hashes a file's
 * hunks together, so a one-hunk file's id is its hunk's key).
 */
#include "internal.h"
#include "merge.h"

#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"

static char repo_path[300];
static git_repository *repo;

static git_oid rev(const char *name)
{
	git_object *obj = NULL;
	git_oid id;

	memset(&id, 0, sizeof(id));
	if (git_revparse_single(&obj, repo, name) == 0) {
		git_oid_cpy(&id, git_object_id(obj));
		git_object_free(obj);
	}
	return id;
}

static const char setup_script[] =
	"git init -q r && cd r &&"
	"seq 1 30 | sed 's/^/line /' > a.txt &&"
	"seq 1 10 | sed 's/^/c /' > c.txt &&"
	"seq 1 12 | sed 's/^/rename me /' > r.txt &&"
	"printf 'bin\\0base\\n' > x.bin &&"
	"git add . && git commit -qm base &&"
	/* a content conflict of two hunks, an add/add one, a mode change */
	"git checkout -q -b ours master &&"
	"sed -i 's/^line 5$/line 5 ours/; s/^line 25$/line 25 ours/' a.txt &&"
	"printf 'b ours\\n' > b.txt && echo 'ours new' > o.txt &&"
	"git add -A && git commit -qm ours &&"
	"git checkout -q -b theirs master &&"
	"sed -i 's/^line 5$/line 5 theirs\\nline 5b theirs/; s/^line 25$/line 25 theirs/' a.txt &&"
	"chmod +x a.txt &&"
	"printf 'b theirs\\nsecond\\n' > b.txt && echo 'theirs new' > t.txt &&"
	"git add -A && git commit -qm theirs &&"
	/* ours with an unrelated change between the hunks */
	"git checkout -q -b ours2 ours &&"
	"sed -i 's/^line 15$/line 15 changed/; s/^line 1$/line 1 changed/' a.txt &&"
	"echo x > o2.txt && git add -A && git commit -qm ours2 &&"
	/* clean: edits, a rename on one side and an edit on the other, a delete */
	"git checkout -q -b clean1 master &&"
	"sed -i 's/^line 3$/line 3 clean/' a.txt && git mv r.txt r-moved.txt &&"
	"echo n > n1.txt && git add -A && git commit -qm c1 &&"
	"git checkout -q -b clean2 master &&"
	"sed -i 's/^line 28$/line 28 clean/' a.txt &&"
	"sed -i 's/^rename me 6$/rename me 6 edited/' r.txt &&"
	"git rm -q c.txt && git add -A && git commit -qm c2 &&"
	/* modify/delete */
	"git checkout -q -b md1 master && git rm -q c.txt && git commit -qm md1 &&"
	"git checkout -q -b md2 master && sed -i 's/^c 3$/c 3 changed/' c.txt &&"
	"git commit -qam md2 &&"
	/* renamed on one side, a content conflict with the other */
	"git checkout -q -b rm1 master && git mv r.txt r2.txt &&"
	"sed -i 's/^rename me 2$/rename me 2 ours/' r2.txt && git add -A &&"
	"git commit -qm rm1 &&"
	"git checkout -q -b rm2 master &&"
	"sed -i 's/^rename me 2$/rename me 2 theirs/' r.txt && git commit -qam rm2 &&"
	/* renamed apart; renamed and deleted */
	"git checkout -q -b rr1 master && git mv r.txt r-a.txt && git commit -qm rr1 &&"
	"git checkout -q -b rr2 master && git mv r.txt r-b.txt && git commit -qm rr2 &&"
	"git checkout -q -b rd1 master && git mv r.txt r-d.txt && git commit -qm rd1 &&"
	"git checkout -q -b rd2 master && git rm -q r.txt && git commit -qm rd2 &&"
	/* binary */
	"git checkout -q -b bin1 master && printf 'bin\\0one\\n' > x.bin &&"
	"git commit -qam bin1 &&"
	"git checkout -q -b bin2 master && printf 'bin\\0two\\n' > x.bin &&"
	"git commit -qam bin2 &&"
	/* criss-cross: two merge bases */
	"git checkout -q -b cc1 master && sed -i 's/^line 2$/line 2 cc1/' a.txt &&"
	"git commit -qam cc1 &&"
	"git checkout -q -b cc2 master && sed -i 's/^line 29$/line 29 cc2/' a.txt &&"
	"git commit -qam cc2 &&"
	"git checkout -q -b cx1 cc1 && git merge -q --no-edit cc2 &&"
	"sed -i 's/^line 10$/line 10 x1/' a.txt && git commit -qam x1 &&"
	"git checkout -q -b cx2 cc2 && git merge -q --no-edit cc1 &&"
	"sed -i 's/^line 20$/line 20 x2/' a.txt && git commit -qam x2 &&"
	/* hunks at the very start and end (no final newline), CRLF lines */
	"git checkout -q -b ebase master &&"
	"printf 'first\\nm1\\nm2\\nm3\\nm4\\nm5\\nm6\\nlast' > e.txt &&"
	"printf 'one\\r\\ntwo\\r\\nthree\\r\\nfour\\r\\nfive\\r\\n' > crlf.txt &&"
	"git add . && git commit -qm ebase &&"
	"git checkout -q -b e1 ebase &&"
	"printf 'first e1\\nm1\\nm2\\nm3\\nm4\\nm5\\nm6\\nlast e1' > e.txt &&"
	"sed -i 's/^three/three e1/' crlf.txt && git commit -qam e1 &&"
	"git checkout -q -b e2 ebase &&"
	"printf 'first e2\\nm1\\nm2\\nm3\\nm4\\nm5\\nm6\\nlast e2' > e.txt &&"
	"sed -i 's/^three/three e2/' crlf.txt && git commit -qam e2 &&"
	"git checkout -q master";

/*
 * `git merge` of theirs into ours in a new clone "w-<tag>", with rerere
 * on; 1 when it merged cleanly.
 */
static int run_git_merge(const char *tag, const char *ours, const char *theirs)
{
	return sh("rm -rf w-%s && git clone -q r w-%s && cd w-%s &&"
		  "git config rerere.enabled true &&"
		  "git checkout -q -B work origin/%s &&"
		  "git merge --no-edit origin/%s",
		  tag, tag, tag, ours, theirs) == 0;
}

/* Replace every conflict hunk of a worktree file by "resolved N <tag>". */
static int resolve_in(const char *tag, const char *path)
{
	return sh("cd w-%s && awk '"
		  "/^<<<<<<< /{s=1; n++; print \"resolved \" n \" %s\"; next}"
		  "/^>>>>>>> /{s=0; next} !s' %s > .tmp && cat .tmp > %s &&"
		  "rm .tmp", tag, path, path, path) == 0;
}

static char *oid_hex(const git_oid *id)
{
	static char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return hex;
}

/* "path kind\n" per file, in order. */
static char *describe_files(const struct qs__merge_result *r)
{
	qs_buf b = QS_BUF_INIT;
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		qs_buf_addf(&b, "%s %s\n", r->files[i].path, r->files[i].kind);
	return qs_buf_detach(&b);
}

/* "line ours theirs\n" per hunk of the file at `path`. */
static char *describe_hunks(const struct qs__merge_result *r, const char *path)
{
	qs_buf b = QS_BUF_INIT;
	size_t i, j;

	for (i = 0; i < r->nfiles; i++) {
		if (strcmp(r->files[i].path, path))
			continue;
		for (j = 0; j < r->files[i].nhunks; j++) {
			const struct qs__conflict_hunk *h = &r->files[i].hunks[j];

			qs_buf_addf(&b, "%zu %zu %zu\n", h->line, h->ours_lines,
				    h->theirs_lines);
		}
	}
	return qs_buf_detach(&b);
}

static const struct qs__conflict_file *find_file(const struct qs__merge_result *r,
						 const char *path)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

/* git's hunks of a conflicted worktree file, as describe_hunks() prints them */
static char *git_hunks(const char *tag, const char *path)
{
	return sh_out("cd w-%s && awk '"
		      "/^<<<<<<< /{s=1; o=0; t=0; l=NR; next}"
		      "s==1 && /^=======\\r?$/{s=2; next}"
		      "s==2 && /^>>>>>>> /{print l, o, t; s=0; next}"
		      "s==1{o++} s==2{t++}' %s", tag, path);
}

static void test_arguments(void)
{
	struct qs__merge_result r;
	git_oid a = rev("ours"), b = rev("theirs");
	size_t n = 7;

	is_int(qs__merge_commits(NULL, repo, &a, &b, NULL), QS_EINVAL,
	       "merge: no result is QS_EINVAL");
	is_int(qs__merge_commits(&r, NULL, &a, &b, NULL), QS_EINVAL,
	       "merge: no repository is QS_EINVAL");
	is_int(qs__merge_commits(&r, repo, &a, NULL, NULL), QS_EINVAL,
	       "merge: no theirs is QS_EINVAL");
	is_int(qs__merge_record(&n, repo, &a, &b, NULL, "x"), QS_EINVAL,
	       "record: no worktree is QS_EINVAL");
	is_int(qs__merge_record(&n, repo, &a, &b, "x", NULL), QS_EINVAL,
	       "record: no resolutions dir is QS_EINVAL");
	qs__merge_result_clear(NULL);
	ok(1, "clearing NULL is harmless");
}

static void check_clean(const char *tag, const char *ours, const char *theirs)
{
	struct qs__merge_result r;
	git_oid a = rev(ours), b = rev(theirs);
	char *want;
	int ret;

	ok(run_git_merge(tag, ours, theirs), "%s: git merges %s and %s cleanly",
	   tag, ours, theirs);
	want = sh_out("cd w-%s && git rev-parse HEAD^{tree}", tag);
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	is_int(ret, 0, "%s: merged", tag);
	is_int(r.nleft, 0, "%s: nothing left", tag);
	is_int(r.nfiles, 0, "%s: no conflicted file", tag);
	if (ret == 0) {
		qs_buf got = QS_BUF_INIT;

		qs_buf_addf(&got, "%s\n", oid_hex(&r.tree));
		is_str(got.ptr, want, "%s: the tree git merge makes", tag);
		qs_buf_release(&got);
	}
	qs__merge_result_clear(&r);
	free(want);
}

/* keys of the result, one a line, in order */
static char *keys_of(const struct qs__merge_result *r)
{
	qs_buf b = QS_BUF_INIT;
	size_t i, j;

	for (i = 0; i < r->nfiles; i++)
		for (j = 0; j < r->files[i].nhunks; j++)
			qs_buf_addf(&b, "%s %s\n", r->files[i].path,
				    r->files[i].hunks[j].key);
	return qs_buf_detach(&b);
}

static void test_content_conflict(void)
{
	struct qs__merge_result r, s;
	git_oid a = rev("ours"), b = rev("theirs");
	const struct qs__conflict_file *f;
	char *want, *got, *k1, *k2;
	int ret;

	ok(!run_git_merge("cc", "ours", "theirs"), "git merge of ours and theirs conflicts");
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	is_int(ret, 0, "a conflict is a result, not an error");
	want = sh_out("cd w-cc && git diff --name-only --diff-filter=U");
	got = sh_out("printf 'a.txt\\nb.txt\\n'");
	is_str(want, got, "git: a.txt and b.txt conflict");
	free(got);
	got = describe_files(&r);
	is_str(got, "a.txt content\nb.txt content\n",
	       "the same files, both content conflicts (b.txt is add/add)");
	free(got);
	free(want);
	is_int(r.nleft, 3, "three hunks left");
	is_int(r.nresolved, 0, "none resolved");

	want = git_hunks("cc", "a.txt");
	got = describe_hunks(&r, "a.txt");
	is_str(got, want, "a.txt: hunks at git's lines, with git's sizes");
	ok(strlen(want) > 0 && strchr(want, '\n') != strrchr(want, '\n'),
	   "a.txt: git shows two hunks");
	free(got);
	free(want);
	want = git_hunks("cc", "b.txt");
	got = describe_hunks(&r, "b.txt");
	is_str(got, want, "b.txt: the hunk at git's line, with git's sizes");
	free(got);
	free(want);

	/* rerere's id of one-hunk b.txt is that hunk's key */
	want = sh_out("cd w-cc && tr '\\0' '\\n' < .git/MERGE_RR | sed -n 's/\\tb.txt$//p'");
	f = find_file(&r, "b.txt");
	if (f && f->nhunks == 1) {
		qs_buf k = QS_BUF_INIT;

		qs_buf_addf(&k, "%s\n", f->hunks[0].key);
		is_str(k.ptr, want, "b.txt: the key is git rerere's conflict id");
		qs_buf_release(&k);
	} else {
		ok(0, "b.txt has one hunk");
	}
	free(want);

	/* the other order: same keys, sides swapped */
	ret = qs__merge_commits(&s, repo, &b, &a, NULL);
	is_int(ret, 0, "merged the other way");
	k1 = keys_of(&r);
	k2 = keys_of(&s);
	is_str(k2, k1, "the other order finds the same keys");
	f = find_file(&s, "a.txt");
	ok(f && f->nhunks == 2 && f->hunks[0].ours_lines == 2 &&
	   f->hunks[0].theirs_lines == 1, "with the sides swapped");
	free(k1);
	free(k2);
	qs__merge_result_clear(&s);
	qs__merge_result_clear(&r);

	/* no resolutions, or a directory that does not exist: the same */
	ret = qs__merge_commits(&r, repo, &a, &b, "no/such/dir");
	ok(ret == 0 && r.nleft == 3 && r.nresolved == 0,
	   "a missing resolutions directory holds no resolution");
	qs__merge_result_clear(&r);
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_record_and_apply(void)
{
	struct qs__merge_result r;
	git_oid a = rev("ours"), b = rev("theirs"), a2 = rev("ours2");
	char res_dir[400], path[500];
	char *want, *got;
	size_t n = 0;
	int ret;

	snprintf(res_dir, sizeof(res_dir), "%s/res/nested", scratch);

	/* a worktree still holding markers is refused, naming the file */
	ok(resolve_in("cc", "b.txt"), "resolve b.txt only");
	snprintf(path, sizeof(path), "%s/w-cc", scratch);
	ret = qs__merge_record(&n, repo, &a, &b, path, res_dir);
	is_int(ret, QS_ECONFLICT, "markers left: QS_ECONFLICT");
	want = sh_out("cd w-cc && grep -n '^<<<<<<< ' a.txt | sed -n '1s/:.*//p'");
	got = sh_out("printf 'a.txt:%%s: conflict marker left in the resolved file\\n' %s",
		     want);
	{
		qs_buf msg = QS_BUF_INIT;

		qs_buf_addf(&msg, "%s\n", qs_error_last()->message);
		is_str(msg.ptr, got, "the message names the file and git's marker line");
		qs_buf_release(&msg);
	}
	free(want);
	free(got);
	is_int(n, 0, "nothing recorded");
	ok(!file_exists(res_dir), "the resolutions directory was not made");

	/* resolved, but an unchanged line was edited too */
	ok(resolve_in("cc", "a.txt") &&
	   sh("cd w-cc && cp a.txt a.keep && sed -i 's/^line 15$/line 15 edited/' a.txt") == 0,
	   "resolve a.txt, edit an unchanged line between its hunks");
	ret = qs__merge_record(&n, repo, &a, &b, path, res_dir);
	is_int(ret, QS_ECONFLICT, "edited unchanged lines: QS_ECONFLICT");
	ok(strstr(qs_error_last()->message, "'a.txt'") != NULL,
	   "naming the file: %s", qs_error_last()->message);
	ok(!file_exists(res_dir), "still nothing written");

	ok(sh("cd w-cc && mv a.keep a.txt") == 0, "undo the edit");
	ret = qs__merge_record(&n, repo, &a, &b, path, res_dir);
	is_int(ret, 0, "recorded: %s", ret ? qs_error_last()->message : "ok");
	is_int(n, 3, "three hunks recorded");

	ret = qs__merge_commits(&r, repo, &a, &b, res_dir);
	is_int(ret, 0, "merged with the resolutions");
	is_int(r.nleft, 0, "nothing left");
	is_int(r.nresolved, 3, "three hunks resolved");
	ok(r.nfiles == 2 && r.files[0].nhunks == 2 && r.files[0].hunks[0].resolved &&
	   r.files[0].hunks[1].resolved && r.files[1].hunks[0].resolved,
	   "the files are still listed, their hunks marked resolved");
	want = sh_out("cd w-cc && git add -A && git write-tree");
	if (ret == 0 && r.nleft == 0) {
		got = sh_out("echo %s", oid_hex(&r.tree));
		is_str(got, want, "the tree git commit makes of the resolved worktree");
		free(got);
	} else {
		ok(0, "a tree");
	}
	free(want);
	if (r.nfiles == 2 && r.files[1].nhunks == 1) {
		qs_buf p = QS_BUF_INIT, content = QS_BUF_INIT;

		qs_buf_addf(&p, "%s/%s", res_dir, r.files[1].hunks[0].key);
		qs__read_file(&content, p.ptr);
		is_str(content.ptr, "resolved 1 b.txt\n",
		       "the resolution file holds the replacement text");
		qs_buf_release(&p);
		qs_buf_release(&content);
	}
	qs__merge_result_clear(&r);

	/* rerere's promise: an unrelated change elsewhere in the file */
	ok(!run_git_merge("c2", "ours2", "theirs") && resolve_in("c2", "a.txt") &&
	   resolve_in("c2", "b.txt"),
	   "git merge of ours2 and theirs, resolved the same way");
	ret = qs__merge_commits(&r, repo, &a2, &b, res_dir);
	is_int(ret, 0, "ours2: merged");
	is_int(r.nleft, 0, "ours2: the resolutions still apply");
	want = sh_out("cd w-c2 && git add -A && git write-tree");
	got = sh_out("echo %s", oid_hex(&r.tree));
	is_str(got, want, "ours2: the tree of the resolved worktree");
	free(got);
	free(want);
	qs__merge_result_clear(&r);

	/* the other order */
	ok(!run_git_merge("sw", "theirs", "ours") && resolve_in("sw", "a.txt") &&
	   resolve_in("sw", "b.txt"), "git merge of theirs and ours, resolved");
	ret = qs__merge_commits(&r, repo, &b, &a, res_dir);
	ok(ret == 0 && r.nleft == 0 && r.nresolved == 3,
	   "swapped: the same resolutions apply");
	want = sh_out("cd w-sw && git add -A && git write-tree");
	got = sh_out("echo %s", oid_hex(&r.tree));
	is_str(got, want, "swapped: the tree of the resolved worktree");
	free(got);
	free(want);
	qs__merge_result_clear(&r);

	/* one resolution missing: the file stays in conflict, whole */
	{
		struct qs__merge_result t;
		qs_buf p = QS_BUF_INIT;

		ret = qs__merge_commits(&t, repo, &a, &b, NULL);
		if (ret == 0 && t.nfiles == 2 && t.files[0].nhunks == 2) {
			qs_buf_addf(&p, "%s/%s", res_dir, t.files[0].hunks[1].key);
			ok(unlink(p.ptr) == 0, "remove one resolution of a.txt");
		}
		qs__merge_result_clear(&t);
		ret = qs__merge_commits(&t, repo, &a, &b, res_dir);
		ok(ret == 0 && t.nleft == 2 && t.nresolved == 1,
		   "a.txt left whole (2 hunks), b.txt resolved");
		ok(t.nfiles == 2 && !t.files[0].hunks[0].resolved &&
		   t.files[1].hunks[0].resolved, "marked so");
		qs__merge_result_clear(&t);
		qs_buf_release(&p);
	}
}

static void test_other_kinds(void)
{
	struct qs__merge_result r;
	git_oid a, b;
	char *want, *got;
	char wt[400], res_dir[400];
	size_t n = 5;
	int ret;

	snprintf(res_dir, sizeof(res_dir), "%s/res-other", scratch);

	/* modify/delete */
	a = rev("md1");
	b = rev("md2");
	ok(!run_git_merge("md", "md1", "md2"), "git: modify/delete conflicts");
	want = sh_out("cd w-md && git diff --name-only --diff-filter=U");
	ret = qs__merge_commits(&r, repo, &a, &b, res_dir);
	got = describe_files(&r);
	is_str(got, "c.txt modify/delete\n", "listed with its kind");
	is_str(want, "c.txt\n", "the file git lists");
	ok(ret == 0 && r.nleft == 1 && r.nfiles == 1 && r.files[0].nhunks == 0,
	   "no hunks, one left");
	free(want);
	free(got);
	qs__merge_result_clear(&r);
	snprintf(wt, sizeof(wt), "%s/w-md", scratch);
	ret = qs__merge_record(&n, repo, &a, &b, wt, res_dir);
	is_int(ret, QS_ECONFLICT, "cannot record a modify/delete resolution");
	is_str(qs_error_last()->message,
	       "cannot record a resolution of a modify/delete conflict in 'c.txt'",
	       "the message says so");
	is_int(n, 0, "nothing recorded");

	/* binary */
	a = rev("bin1");
	b = rev("bin2");
	ok(!run_git_merge("bin", "bin1", "bin2"), "git: binary conflict");
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	got = describe_files(&r);
	is_str(got, "x.bin binary\n", "binary kind");
	ok(ret == 0 && r.nleft == 1, "left");
	free(got);
	qs__merge_result_clear(&r);

	/* renamed on one side, content conflict: the file at git's path */
	a = rev("rm1");
	b = rev("rm2");
	ok(!run_git_merge("rm", "rm1", "rm2"), "git: rename/modify conflicts");
	want = sh_out("cd w-rm && git diff --name-only --diff-filter=U");
	is_str(want, "r2.txt\n", "git: at the new path");
	free(want);
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	got = describe_files(&r);
	is_str(got, "r2.txt content\n", "a content conflict at the new path");
	free(got);
	want = git_hunks("rm", "r2.txt");
	got = describe_hunks(&r, "r2.txt");
	is_str(got, want, "at git's lines");
	free(got);
	free(want);
	qs__merge_result_clear(&r);
	ok(resolve_in("rm", "r2.txt"), "resolve r2.txt");
	snprintf(wt, sizeof(wt), "%s/w-rm", scratch);
	ret = qs__merge_record(&n, repo, &a, &b, wt, res_dir);
	ok(ret == 0 && n == 1, "recorded the renamed file's hunk");
	ret = qs__merge_commits(&r, repo, &a, &b, res_dir);
	ok(ret == 0 && r.nleft == 0, "resolved");
	want = sh_out("cd w-rm && git add -A && git write-tree");
	got = sh_out("echo %s", oid_hex(&r.tree));
	is_str(got, want, "the tree of git's resolved worktree (old path gone)");
	free(got);
	free(want);
	qs__merge_result_clear(&r);

	/* renamed to two names; renamed on one side, deleted on the other */
	a = rev("rr1");
	b = rev("rr2");
	ok(!run_git_merge("rr", "rr1", "rr2"), "git: rename/rename conflicts");
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	got = describe_files(&r);
	is_str(got, "r-a.txt rename\n", "one rename conflict, at our name");
	ok(ret == 0 && r.nleft == 1, "left");
	free(got);
	qs__merge_result_clear(&r);
	snprintf(wt, sizeof(wt), "%s/w-rr", scratch);
	ret = qs__merge_record(&n, repo, &a, &b, wt, res_dir);
	is_str(qs_error_last()->message,
	       "cannot record a resolution of a rename conflict in 'r-a.txt'",
	       "cannot record it");
	a = rev("rd1");
	b = rev("rd2");
	ok(!run_git_merge("rd", "rd1", "rd2"), "git: rename/delete conflicts");
	want = sh_out("cd w-rd && git diff --name-only --diff-filter=U");
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	got = describe_files(&r);
	is_str(got, "r-d.txt rename\n", "a rename conflict");
	is_str(want, "r-d.txt\n", "at the path git lists");
	ok(ret == 0 && r.nleft == 1, "left");
	free(got);
	free(want);
	qs__merge_result_clear(&r);

	/* no conflict at all: nothing to record */
	a = rev("clean1");
	b = rev("clean2");
	ret = qs__merge_record(&n, repo, &a, &b, wt, res_dir);
	ok(ret == 0 && n == 0, "a clean merge records nothing");
}

/* Record from a resolved worktree, merge with it, compare with git's tree. */
static void check_resolved(const char *tag, const char *ours,
			   const char *theirs, size_t nhunks, const char *what)
{
	struct qs__merge_result r;
	git_oid a = rev(ours), b = rev(theirs);
	char wt[400], res_dir[400];
	char *want, *got;
	size_t n = 0;
	int ret;

	snprintf(wt, sizeof(wt), "%s/w-%s", scratch, tag);
	snprintf(res_dir, sizeof(res_dir), "%s/res-%s", scratch, tag);
	ret = qs__merge_record(&n, repo, &a, &b, wt, res_dir);
	is_int(ret, 0, "%s: recorded%s%s", what, ret ? ": " : "",
	       ret ? qs_error_last()->message : "");
	is_int(n, nhunks, "%s: every hunk", what);
	ret = qs__merge_commits(&r, repo, &a, &b, res_dir);
	ok(ret == 0 && r.nleft == 0 && r.nresolved == nhunks,
	   "%s: resolved", what);
	want = sh_out("cd w-%s && git add -A && git write-tree", tag);
	got = sh_out("echo %s", oid_hex(&r.tree));
	is_str(got, want, "%s: the tree of git's resolved worktree", what);
	free(got);
	free(want);
	qs__merge_result_clear(&r);
}

static void test_edges(void)
{
	struct qs__merge_result r;
	git_oid a = rev("e1"), b = rev("e2");
	char *want, *got;
	int ret;

	ok(!run_git_merge("e", "e1", "e2"), "git: e1 and e2 conflict");
	want = sh_out("cd w-e && git diff --name-only --diff-filter=U");
	is_str(want, "crlf.txt\ne.txt\n", "git: crlf.txt and e.txt");
	free(want);
	ret = qs__merge_commits(&r, repo, &a, &b, NULL);
	got = describe_files(&r);
	is_str(got, "crlf.txt content\ne.txt content\n", "the same files");
	free(got);
	ok(ret == 0 && r.nleft == 3, "three hunks");
	want = git_hunks("e", "e.txt");
	got = describe_hunks(&r, "e.txt");
	is_str(got, want, "e.txt: first and last line hunks at git's lines");
	free(got);
	free(want);
	want = git_hunks("e", "crlf.txt");
	got = describe_hunks(&r, "crlf.txt");
	is_str(got, want, "crlf.txt: CRLF hunk at git's line");
	free(got);
	free(want);
	qs__merge_result_clear(&r);

	ok(resolve_in("e", "e.txt") && resolve_in("e", "crlf.txt"),
	   "resolve both files");
	check_resolved("e", "e1", "e2", 3, "edges");
	ok(!run_git_merge("ed", "e1", "e2") &&
	   sh("cd w-ed && sed -i '/^<<<<<<< /,/^>>>>>>> /d' e.txt crlf.txt") == 0,
	   "resolve by deleting every hunk");
	check_resolved("ed", "e1", "e2", 3, "deleted hunks");
}

int main(void)
{
	if (!have_git())
		tap_skip_all("git is not installed");
	git_libgit2_init();
	if (scratch_make("merge")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	git_isolate();
	sh_dir = scratch;
	setenv("GIT_AUTHOR_NAME", "A U Thor", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "C O Mitter", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
	setenv("GIT_AUTHOR_DATE", "1700000000 +0000", 1);
	setenv("GIT_COMMITTER_DATE", "1700000000 +0000", 1);
	setenv("LC_ALL", "C", 1);
	snprintf(repo_path, sizeof(repo_path), "%s/r", scratch);
	if (sh("%s", setup_script) || git_repository_open(&repo, repo_path) < 0) {
		ok(0, "set up the test repository");
		scratch_remove();
		return done_testing();
	}
	test_arguments();
	check_clean("clean", "clean1", "clean2");
	check_clean("criss", "cx1", "cx2");
	test_content_conflict();
	test_record_and_apply();
	test_other_kinds();
	test_edges();
	git_repository_free(repo);
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
