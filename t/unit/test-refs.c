/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ref updates through the journal, judged by git itself: for-each-ref,
 * reflog, fsck. Recovery from hand-written journals, and from a process
 * killed by SIGKILL at random moments while it updates 50 refs.
 */
#include "internal.h"
#include "lock.h"
#include "refs.h"
#include "ref-locks.h"

#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"

#define WHO "Quilt Sync <qs@example.org>"
#define ZERO "0000000000000000000000000000000000000000"

static char repo_path[300];

static const char *hex_of(const git_oid *id)
{
	static char buf[8][GIT_OID_HEXSZ + 1];
	static int next;

	next = (next + 1) % 8;
	return git_oid_tostr(buf[next], sizeof(buf[next]), id);
}

static char *state_file(const char *leaf)
{
	qs_buf b = QS_BUF_INIT;

	qs_buf_addf(&b, "%s/.git/quiltsync/%s", repo_path, leaf);
	return qs_buf_detach(&b);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int journal_exists(void)
{
	char *p = state_file("refs-journal");
	int ret = exists(p);

	free(p);
	return ret;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(text, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

static int write_journal(const char *text)
{
	char *p = state_file("refs-journal");
	int ret;

	ret = sh("mkdir -p .git/quiltsync") || write_text(p, text);
	free(p);
	return ret;
}

static char *refs_now(void)
{
	return sh_out("git for-each-ref --format='%%(objectname) %%(refname)'");
}

static int no_lock_files(void)
{
	char *out = sh_out("find .git/refs -name '*.lock'; ls .git/packed-refs.lock");
	int ret = out[0] == '\0';

	free(out);
	return ret;
}

static git_oid c1, c2, c3, c4;

static void test_update(git_repository *repo)
{
	struct qs__ref_update u[4];
	char *refs, *log, *want;
	qs_buf expect = QS_BUF_INIT;

	memset(u, 0, sizeof(u));
	u[0].name = "refs/heads/new";
	u[0].new = c2;
	u[1].name = "refs/heads/a";
	u[1].old = c1;
	u[1].new = c3;
	u[2].name = "refs/heads/b";
	u[2].old = c1;
	u[3].name = "refs/quiltsync/cache";
	u[3].new = c4;
	ok(sh("git reflog exists refs/heads/b") == 0,
	   "update: the ref to delete has a reflog before");
	is_int(qs__refs_update(repo, u, 4, "quiltsync build: nightly", WHO), 0,
	       "update: create, move, delete a packed ref, create outside heads");
	refs = refs_now();
	qs_buf_addf(&expect, "%s refs/heads/a\n%s refs/heads/d\n%s refs/heads/master\n"
		    "%s refs/heads/new\n%s refs/quiltsync/cache\n",
		    hex_of(&c3), hex_of(&c2), hex_of(&c4), hex_of(&c2), hex_of(&c4));
	want = sh_out("git tag --format='%%(objectname) %%(refname)'");
	qs_buf_adds(&expect, want);
	free(want);
	/* for-each-ref sorts by name: refs/heads < refs/quiltsync < refs/tags */
	is_str(refs, expect.ptr, "update: git for-each-ref shows every ref new");
	free(refs);
	log = sh_out("git reflog show --format='%%gs|%%gn <%%ge>|%%H' refs/heads/a");
	qs_buf_clear(&expect);
	qs_buf_addf(&expect, "quiltsync build: nightly|" WHO "|%s\n", hex_of(&c3));
	ok(!strncmp(log, expect.ptr, expect.len),
	   "update: git reflog shows the message and identity of a move");
	free(log);
	log = sh_out("git reflog show --format='%%gs|%%gn <%%ge>' refs/heads/new");
	is_str(log, "quiltsync build: nightly|" WHO "\n",
	       "update: git reflog shows the creation");
	free(log);
	ok(sh("git reflog exists refs/heads/b") != 0,
	   "update: a deleted ref's reflog is gone, as with git branch -D");
	ok(!journal_exists(), "update: the journal is removed");
	ok(no_lock_files(), "update: no lock file is left");
	is_int(sh("git fsck --no-dangling"), 0, "update: git fsck is clean");
	qs_buf_release(&expect);
}

static void test_newline_message(git_repository *repo)
{
	struct qs__ref_update u;
	char *log;

	memset(&u, 0, sizeof(u));
	u.name = "refs/heads/new";
	u.old = c2;
	u.new = c1;
	is_int(qs__refs_update(repo, &u, 1, "quiltsync build: two\nlines\n", WHO),
	       0, "a message with newlines");
	log = sh_out("git reflog show -n1 --format='%%gs' refs/heads/new");
	is_str(log, "quiltsync build: two lines\n",
	       "newlines become spaces in the reflog, as git does");
	free(log);
}

static void check_conflict(git_repository *repo, struct qs__ref_update *u,
			   size_t n, const char *message, const char *what)
{
	char *before = refs_now(), *after;
	char *alog = sh_out("git reflog show refs/heads/a");
	char *alog2;

	is_int(qs__refs_update(repo, u, n, "quiltsync build: x", WHO),
	       QS_EMOVED, "%s: QS_EMOVED", what);
	is_str(qs_error_last()->message, message, "%s: the message", what);
	after = refs_now();
	is_str(after, before, "%s: no ref changed", what);
	alog2 = sh_out("git reflog show refs/heads/a");
	is_str(alog2, alog, "%s: no reflog entry written", what);
	ok(!journal_exists(), "%s: the journal is removed", what);
	ok(no_lock_files(), "%s: no lock file is left", what);
	free(alog2);
	free(alog);
	free(after);
	free(before);
}

static void test_conflicts(git_repository *repo)
{
	struct qs__ref_update u[3];
	char msg[300], *before, *after;

	memset(u, 0, sizeof(u));
	u[0].name = "refs/heads/a";	/* right: c3 */
	u[0].old = c3;
	u[0].new = c1;
	u[1].name = "refs/heads/d";	/* wrong: it is c2 */
	u[1].old = c1;
	u[1].new = c4;
	u[2].name = "refs/heads/fresh";
	u[2].new = c4;
	snprintf(msg, sizeof(msg),
		 "ref 'refs/heads/d' changed during the build (expected %s, found %s)",
		 hex_of(&c1), hex_of(&c2));
	check_conflict(repo, u, 3, msg, "a moved ref");

	u[1].old = c2;
	u[2].name = "refs/heads/master";	/* exists, expected absent */
	snprintf(msg, sizeof(msg),
		 "ref 'refs/heads/master' changed during the build (expected %s, found %s)",
		 ZERO, hex_of(&c4));
	check_conflict(repo, u, 3, msg, "a ref that appeared");

	u[2].name = "refs/heads/b";	/* deleted, expected c1 */
	u[2].old = c1;
	snprintf(msg, sizeof(msg),
		 "ref 'refs/heads/b' changed during the build (expected %s, found %s)",
		 hex_of(&c1), ZERO);
	check_conflict(repo, u, 3, msg, "a ref that disappeared");

	if (sh("git symbolic-ref refs/heads/sym refs/heads/a")) {
		ok(0, "make a symbolic ref");
		return;
	}
	u[2].name = "refs/heads/sym";
	u[2].old = c3;
	snprintf(msg, sizeof(msg),
		 "ref 'refs/heads/sym' changed during the build (expected %s, found a symbolic ref to 'refs/heads/a')",
		 hex_of(&c3));
	check_conflict(repo, u, 3, msg, "a symbolic ref is never moved");
	sh("git symbolic-ref -d refs/heads/sym");

	/* someone else's lock: nothing is written, the journal goes */
	u[2].name = "refs/heads/fresh";
	memset(&u[2].old, 0, sizeof(u[2].old));
	if (sh("touch .git/refs/heads/d.lock")) {
		ok(0, "make a foreign lock file");
		return;
	}
	before = refs_now();
	is_int(qs__refs_update(repo, u, 3, "quiltsync build: x", WHO), QS_ELOCKED,
	       "a ref locked by someone else for 2 s");
	ok(strstr(qs_error_last()->message, "cannot lock ref: ") != NULL &&
	   strstr(qs_error_last()->message, "d.lock") != NULL,
	   "a ref locked by someone else: the message names the lock file");
	after = refs_now();
	is_str(after, before, "a ref locked by someone else: no ref changed");
	ok(!journal_exists(), "a ref locked by someone else: no journal left");
	ok(sh("test -f .git/refs/heads/d.lock") == 0,
	   "a ref locked by someone else: the lock file is not ours to remove");
	sh("rm .git/refs/heads/d.lock");
	free(after);
	free(before);
}

static void test_arguments(git_repository *repo)
{
	struct qs__ref_update u[2];
	char *before = refs_now(), *after;

	memset(u, 0, sizeof(u));
	u[0].name = "refs/heads/x";
	u[0].new = c1;
	u[1].name = "refs/heads/x";
	u[1].new = c2;
	is_int(qs__refs_update(repo, u, 2, "m", WHO), QS_EINVAL,
	       "a ref updated twice");
	is_str(qs_error_last()->message, "ref 'refs/heads/x' is updated twice",
	       "a ref updated twice: the message");
	u[1].name = "refs/heads/x..y";
	is_int(qs__refs_update(repo, u, 2, "m", WHO), QS_EINVAL,
	       "an invalid ref name");
	u[1].name = "HEAD";
	is_int(qs__refs_update(repo, u, 2, "m", WHO), QS_EINVAL,
	       "a name outside refs/");
	u[1].name = NULL;
	is_int(qs__refs_update(repo, u, 2, "m", WHO), QS_EINVAL, "a NULL name");
	is_int(qs__refs_update(repo, u, 1, "m", "nobody"), QS_EINVAL,
	       "an identity without an email");
	is_str(qs_error_last()->message,
	       "invalid identity 'nobody': expected 'Name <email>'",
	       "an identity without an email: the message");
	is_int(qs__refs_update(repo, u, 1, "m", "Two\nLines <a@b>"), QS_EINVAL,
	       "an identity of two lines");
	is_int(qs__refs_update(repo, u, 1, NULL, WHO), QS_EINVAL, "no message");
	is_int(qs__refs_update(NULL, u, 1, "m", WHO), QS_EINVAL, "no repository");
	is_int(qs__refs_update(repo, NULL, 1, "m", WHO), QS_EINVAL, "no updates");
	is_int(qs__refs_update(repo, NULL, 0, "m", WHO), 0, "nothing to do");
	is_int(qs__refs_recover(NULL, NULL), QS_EINVAL, "recover: no repository");
	after = refs_now();
	is_str(after, before, "invalid calls change nothing");
	ok(!journal_exists(), "invalid calls write no journal");
	free(after);
	free(before);
}

static void test_pending_journal(git_repository *repo)
{
	struct qs__ref_update u;

	memset(&u, 0, sizeof(u));
	u.name = "refs/heads/x";
	u.new = c1;
	if (write_journal("quiltsync refs journal 1\n")) {
		ok(0, "write a journal");
		return;
	}
	is_int(qs__refs_update(repo, &u, 1, "m", WHO), QS_ERROR,
	       "a pending journal is never overwritten");
	ok(strstr(qs_error_last()->message, "an interrupted ref update is pending in '") != NULL,
	   "a pending journal: the message");
	ok(journal_exists(), "a pending journal stays");
	ok(sh("git rev-parse -q --verify refs/heads/x") != 0,
	   "a pending journal: nothing written");
	sh("rm .git/quiltsync/refs-journal");
}

static char *journal_text(const char *lines)
{
	qs_buf b = QS_BUF_INIT;

	qs_buf_addf(&b, "quiltsync refs journal 1\n%s"
		    "who Recover Er <r@example.org>\n"
		    "message quiltsync build: recovered\nend\n", lines);
	return qs_buf_detach(&b);
}

/* A kill after some refs were written: recovery writes the rest. */
static void test_recover(git_repository *repo)
{
	qs_buf lines = QS_BUF_INIT, expect = QS_BUF_INIT;
	size_t n = 99;
	char *text, *refs, *log;

	if (sh("git update-ref refs/heads/r1 %s && git update-ref refs/heads/r2 %s && "
	       "git update-ref refs/heads/r3 %s && git update-ref refs/heads/r9 %s",
	       hex_of(&c1), hex_of(&c2), hex_of(&c1), hex_of(&c4))) {
		ok(0, "setup of the recovery test");
		return;
	}
	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c1), hex_of(&c2));
	qs_buf_addf(&lines, "%s %s refs/heads/r2\n", hex_of(&c1), hex_of(&c2));
	qs_buf_addf(&lines, "%s %s refs/heads/r3\n", hex_of(&c1), ZERO);
	qs_buf_addf(&lines, "%s %s refs/heads/r4\n", ZERO, hex_of(&c3));
	qs_buf_addf(&lines, "%s %s refs/heads/r5\n", ZERO, ZERO);
	text = journal_text(lines.ptr);
	if (write_journal(text)) {
		ok(0, "write the journal");
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), 0, "recover: done");
	is_int(n, 3, "recover: wrote the 3 refs still old");
	refs = sh_out("git for-each-ref --format='%%(objectname) %%(refname)' "
		      "refs/heads/r1 refs/heads/r2 refs/heads/r3 refs/heads/r4 "
		      "refs/heads/r5 refs/heads/r9");
	qs_buf_addf(&expect, "%s refs/heads/r1\n%s refs/heads/r2\n%s refs/heads/r4\n"
		    "%s refs/heads/r9\n",
		    hex_of(&c2), hex_of(&c2), hex_of(&c3), hex_of(&c4));
	is_str(refs, expect.ptr, "recover: git for-each-ref shows every ref new");
	free(refs);
	log = sh_out("git reflog show -n1 --format='%%gs|%%gn <%%ge>' refs/heads/r1");
	is_str(log, "quiltsync build: recovered|Recover Er <r@example.org>\n",
	       "recover: the journal's message and identity in the reflog");
	free(log);
	ok(sh("git reflog exists refs/heads/r3") != 0,
	   "recover: the deleted ref's reflog is gone");
	ok(!journal_exists(), "recover: the journal is removed");
	is_int(sh("git fsck --no-dangling"), 0, "recover: git fsck is clean");
	n = 99;
	is_int(qs__refs_recover(repo, &n), 0, "recover with no journal");
	is_int(n, 0, "recover with no journal: nothing written");
	is_int(qs__refs_recover(repo, NULL), 0, "recover: recovered may be NULL");

	/* r9 moved since: it stays, the others are finished */
	free(text);
	qs_buf_clear(&lines);
	qs_buf_addf(&lines, "%s %s refs/heads/r9\n", hex_of(&c1), hex_of(&c2));
	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c2), hex_of(&c3));
	text = journal_text(lines.ptr);
	if (write_journal(text)) {
		ok(0, "write the journal");
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), QS_EMOVED,
	       "recover: a ref at neither value");
	qs_buf_clear(&expect);
	qs_buf_addf(&expect,
		    "ref 'refs/heads/r9' changed after an interrupted build (expected %s or %s, found %s)",
		    hex_of(&c1), hex_of(&c2), hex_of(&c4));
	is_str(qs_error_last()->message, expect.ptr,
	       "recover: a ref at neither value: the message");
	is_int(n, 1, "recover: the other ref is written");
	refs = sh_out("git rev-parse refs/heads/r9 refs/heads/r1");
	qs_buf_clear(&expect);
	qs_buf_addf(&expect, "%s\n%s\n", hex_of(&c4), hex_of(&c3));
	is_str(refs, expect.ptr, "recover: r9 left alone, r1 new");
	free(refs);
	ok(!journal_exists(), "recover: nothing remains to do, the journal is removed");
done:
	free(text);
	qs_buf_release(&expect);
	qs_buf_release(&lines);
}

static void check_bad_journal(git_repository *repo, const char *text,
			      const char *message, const char *what)
{
	char *before = refs_now(), *after;
	char *path = state_file("refs-journal");
	size_t n = 99;

	if (write_journal(text)) {
		ok(0, "%s: write the journal", what);
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), QS_EPARSE, "%s: refused", what);
	ok(strstr(qs_error_last()->message, message) != NULL,
	   "%s: the message: %s", what, qs_error_last()->message);
	ok(!strncmp(qs_error_last()->message, path, strlen(path)),
	   "%s: the message names the journal", what);
	is_int(n, 0, "%s: nothing written", what);
	after = refs_now();
	is_str(after, before, "%s: no ref changed", what);
	free(after);
	ok(journal_exists(), "%s: the journal is kept for a person to read", what);
	unlink(path);
done:
	free(path);
	free(before);
}

static void test_bad_journals(git_repository *repo)
{
	qs_buf b = QS_BUF_INIT;
	char *stale;

	qs_buf_addf(&b, "quiltsync refs journal 1\n%s %s refs/heads/r1\n"
		    "who A <a@b>\nmessage m\n", hex_of(&c3), hex_of(&c1));
	check_bad_journal(repo, b.ptr, "incomplete refs journal: no 'end' line",
			  "a journal without end");
	check_bad_journal(repo, "quiltsync refs journal 2\nend\n",
			  ":1: not a quiltsync refs journal", "another version");
	qs_buf_clear(&b);
	qs_buf_addf(&b, "quiltsync refs journal 1\n%s %s refs/heads/r1\n"
		    "%s refs/heads/r2\nwho A <a@b>\nmessage m\nend\n",
		    hex_of(&c3), hex_of(&c1), hex_of(&c1));
	check_bad_journal(repo, b.ptr, ":3: malformed refs journal line",
			  "a line with one id");
	qs_buf_clear(&b);
	qs_buf_addf(&b, "quiltsync refs journal 1\n%s %s refs/heads/r1\n"
		    "message m\nend\n", hex_of(&c3), hex_of(&c1));
	check_bad_journal(repo, b.ptr, "incomplete refs journal: no 'who' line",
			  "a journal without who");
	qs_buf_clear(&b);
	qs_buf_addf(&b, "quiltsync refs journal 1\n%s %s refs/heads/r1\n"
		    "who A <a@b>\nmessage m\nend\nmore\n", hex_of(&c3), hex_of(&c1));
	check_bad_journal(repo, b.ptr, ":6: malformed refs journal line",
			  "text after end");
	qs_buf_release(&b);

	/* a journal never renamed into place is dropped */
	stale = state_file("refs-journal.new");
	if (write_text(stale, "quiltsync refs journal 1\n")) {
		ok(0, "write a temporary journal");
	} else {
		char *before = refs_now(), *after;

		is_int(qs__refs_recover(repo, NULL), 0,
		       "a journal that was never renamed into place: ignored");
		ok(!exists(stale), "... and removed");
		after = refs_now();
		is_str(after, before, "... and no ref changed");
		free(after);
		free(before);
	}
	free(stale);
}

/*
 * A killed update's log, as it would leave it: the locks of `refs` (NULL
 * ends) held, the lock of `taking` (or NULL) intended and made but not
 * yet logged as held.
 */
static int leave_lock_log(git_repository *repo, const char *const *refs,
			  const char *taking)
{
	struct qs__lock_log *log = NULL;
	qs_buf cmd = QS_BUF_INIT;
	int ret = qs__lock_log_start(&log, repo);

	for (; !ret && *refs; refs++) {
		qs_buf_clear(&cmd);
		qs_buf_addf(&cmd, "touch .git/%s.lock", *refs);
		if ((ret = qs__lock_log_intent(log, *refs)) == 0 &&
		    (ret = sh("%s", cmd.ptr) ? -1 : 0) == 0)
			ret = qs__lock_log_held(log, *refs);
	}
	if (!ret && taking) {
		qs_buf_clear(&cmd);
		qs_buf_addf(&cmd, "touch .git/%s.lock", taking);
		if ((ret = qs__lock_log_intent(log, taking)) == 0)
			ret = sh("%s", cmd.ptr) ? -1 : 0;
	}
	/* killed: the log stays (end would remove it) */
	if (!ret)
		ret = sh("cp .git/quiltsync/refs-locks .git/quiltsync/refs-locks.kept") ? -1 : 0;
	qs__lock_log_end(log);
	if (!ret)
		ret = sh("mv .git/quiltsync/refs-locks.kept .git/quiltsync/refs-locks") ? -1 : 0;
	qs_buf_release(&cmd);
	return ret;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Lock files the killed update logged go; a lock anyone else may hold is
 * waited for and never removed: a concurrent `git update-ref` would lose
 * its update.
 */
static void test_stale_locks(git_repository *repo)
{
	static const char *const held[] = { "refs/heads/r1", NULL };
	static const char *const none[] = { NULL };
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct timespec t0;
	qs_buf lines = QS_BUF_INIT;
	char *text, *lock, *out, path[600];
	size_t n = 0;

	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c3), hex_of(&c4));
	qs_buf_addf(&lines, "%s %s refs/heads/r4\n", hex_of(&c3), ZERO);
	text = journal_text(lines.ptr);
	if (write_journal(text) || leave_lock_log(repo, held, NULL) ||
	    sh("sleep 0.01; touch .git/packed-refs.lock")) {
		ok(0, "setup of the stale lock test");
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), 0,
	       "recover: the locks the killed build logged are removed");
	is_int(n, 2, "recover: both refs written");
	out = sh_out("git rev-parse refs/heads/r1; git rev-parse -q --verify refs/heads/r4");
	lock = qs__strdup(hex_of(&c4));
	ok(out && lock && !strncmp(out, lock, GIT_OID_HEXSZ) &&
	   strlen(out) == GIT_OID_HEXSZ + 1,
	   "recover: r1 moved and r4 deleted past the stale locks");
	free(lock);
	free(out);
	ok(no_lock_files(), "recover: no lock file is left (packed-refs.lock: after 2 s)");

	/* killed between libgit2 making the lock and the log saying so */
	qs_buf_clear(&lines);
	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c4), hex_of(&c3));
	free(text);
	text = journal_text(lines.ptr);
	if (write_journal(text) || leave_lock_log(repo, none, "refs/heads/r1")) {
		ok(0, "setup of the interrupted lock test");
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), 0,
	       "recover: the lock the kill interrupted the taking of is removed");
	out = sh_out("git rev-parse refs/heads/r1");
	ok(!strncmp(out, hex_of(&c3), GIT_OID_HEXSZ), "recover: r1 written");
	free(out);
	ok(no_lock_files(), "recover: no lock file is left");

	/*
	 * Another process takes the lock after the kill and holds it for a
	 * moment, as git update-ref does: the recovery waits, leaves its lock
	 * alone, and its update stands (the ref is at neither of the
	 * journal's values: the journal ends, naming it).
	 */
	qs_buf_clear(&lines);
	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c3), hex_of(&c1));
	free(text);
	text = journal_text(lines.ptr);
	qs_buf_clear(&lines);
	qs_buf_addf(&lines, "echo %s >.git/refs/heads/r1.lock && "
		    "(sleep 0.5; mv .git/refs/heads/r1.lock .git/refs/heads/r1) &",
		    hex_of(&c2));
	if (write_journal(text) || leave_lock_log(repo, none, NULL) || sh("%s", lines.ptr)) {
		ok(0, "setup of the concurrent update test");
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(qs__refs_recover(repo, &n), QS_EMOVED,
	       "recover: another process's lock is waited for, not removed");
	ok(seconds_since(&t0) >= 0.4, "recover: it waited for the lock to go");
	ok(strstr(qs_error_last()->message, "changed after an interrupted build") != NULL,
	   "recover: the other update is named: %s", qs_error_last()->message);
	out = sh_out("git rev-parse refs/heads/r1");
	ok(!strncmp(out, hex_of(&c2), GIT_OID_HEXSZ),
	   "recover: the other process's update stands");
	free(out);
	ok(!journal_exists(), "recover: the journal ends");

	/* a lock that stays and is not ours: refused, named, nothing written */
	qs_buf_clear(&lines);
	qs_buf_addf(&lines, "%s %s refs/heads/r1\n", hex_of(&c2), hex_of(&c1));
	free(text);
	text = journal_text(lines.ptr);
	if (write_journal(text) || sh("touch .git/refs/heads/r1.lock")) {
		ok(0, "setup of the foreign lock test");
		goto done;
	}
	snprintf(path, sizeof(path), "%s/.git/refs/heads/r1.lock", repo_path);
	if (utimensat(AT_FDCWD, path, old, 0) < 0) {
		ok(0, "make the lock file old");
		goto done;
	}
	is_int(qs__refs_recover(repo, &n), QS_ELOCKED,
	       "recover: a lock file that stays and is not ours is refused");
	ok(strstr(qs_error_last()->message, "r1.lock") != NULL &&
	   strstr(qs_error_last()->message, "remove it when no git command is running") != NULL,
	   "recover: the message names it: %s", qs_error_last()->message);
	ok(journal_exists(), "recover: the journal stays for the next run");
	ok(exists(path), "recover: the lock file is left alone");
	out = sh_out("git rev-parse refs/heads/r1");
	ok(!strncmp(out, hex_of(&c2), GIT_OID_HEXSZ), "recover: r1 not written");
	free(out);
	sh("rm .git/refs/heads/r1.lock");
	is_int(qs__refs_recover(repo, &n), 0, "recover: once it is gone, done");
	out = sh_out("git rev-parse refs/heads/r1");
	ok(!strncmp(out, hex_of(&c1), GIT_OID_HEXSZ), "recover: r1 new");
	free(out);
	is_int(sh("git fsck --no-dangling"), 0, "git fsck is clean");
done:
	free(text);
	qs_buf_release(&lines);
}

/*
 * The kill test. State i of the 50 refs: kill/00..39 at commit C[i];
 * kill/40..49 at C[i] or absent, alternately, so that every step moves,
 * creates and deletes refs. A child steps through the states as a build
 * does (lock, recover, read, update); it is killed at random moments.
 */
#define KILL_REFS 50
#define KILL_STATES 4000
#define KILLS 30

static git_oid kill_commits[KILL_STATES];

static void kill_ref_name(char *buf, size_t size, int k)
{
	snprintf(buf, size, "refs/heads/kill/%02d", k);
}

static const git_oid *kill_value(int state, int k)
{
	static const git_oid zero;

	if (k < 40 || (state + k) % 2 == 0)
		return &kill_commits[state];
	return &zero;
}

static int make_kill_commits(git_repository *repo)
{
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid tree_id;
	char msg[32];
	int i, ret = -1;

	if (git_treebuilder_new(&tb, repo, NULL) < 0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0 ||
	    git_signature_new(&sig, "K", "k@example.org", 1700000000, 0) < 0)
		goto done;
	for (i = 0; i < KILL_STATES; i++) {
		snprintf(msg, sizeof(msg), "state %d\n", i);
		if (git_commit_create_v(&kill_commits[i], repo, NULL, sig, sig,
					NULL, msg, tree, 0) < 0)
			goto done;
	}
	ret = 0;
done:
	git_tree_free(tree);
	git_signature_free(sig);
	git_treebuilder_free(tb);
	return ret;
}

static int kill_state_of(const git_oid *id)
{
	int i;

	for (i = 0; i < KILL_STATES; i++) {
		if (git_oid_equal(id, &kill_commits[i]))
			return i;
	}
	return -1;
}

static int kill_step(git_repository *repo, int from)
{
	struct qs__ref_update u[KILL_REFS];
	char names[KILL_REFS][32];
	int k;

	for (k = 0; k < KILL_REFS; k++) {
		kill_ref_name(names[k], sizeof(names[k]), k);
		u[k].name = names[k];
		git_oid_cpy(&u[k].old, kill_value(from, k));
		git_oid_cpy(&u[k].new, kill_value(from + 1, k));
	}
	return qs__refs_update(repo, u, KILL_REFS, "quiltsync build: kill test",
			       WHO);
}

static void kill_child(void)
{
	git_repository *repo = NULL;
	char git_dir[400];

	snprintf(git_dir, sizeof(git_dir), "%s/.git", repo_path);
	if (git_repository_open(&repo, repo_path) < 0)
		_exit(2);
	for (;;) {
		struct qs__lock *lock = NULL;
		git_oid id;
		int state;

		if (qs__lock_take(&lock, git_dir, 10) < 0 ||
		    qs__refs_recover(repo, NULL) < 0 ||
		    git_reference_name_to_id(&id, repo, "refs/heads/kill/00") < 0)
			_exit(3);
		state = kill_state_of(&id);
		if (state < 0)
			_exit(4);
		if (state + 1 >= KILL_STATES)
			_exit(0);
		if (kill_step(repo, state) < 0)
			_exit(5);
		qs__lock_release(lock);
	}
}

/*
 * The refs as git sees them; -1 when for-each-ref failed or a ref's
 * value is not one of ours. values[k] is a state index or -2 (absent).
 */
static int kill_read(int values[KILL_REFS])
{
	char *out = sh_out("git for-each-ref --format='%%(objectname) %%(refname)' "
			   "refs/heads/kill/ && echo ok");
	char *line, *save = NULL;
	int k, ret = -1;

	for (k = 0; k < KILL_REFS; k++)
		values[k] = -2;
	if (!strstr(out, "ok\n"))
		goto done;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		git_oid id;

		if (!strcmp(line, "ok"))
			break;
		if (strlen(line) < GIT_OID_HEXSZ + 17 ||
		    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) < 0)
			goto done;
		k = atoi(line + GIT_OID_HEXSZ + 17);
		if (k < 0 || k >= KILL_REFS)
			goto done;
		values[k] = kill_state_of(&id);
		if (values[k] < 0)
			goto done;
	}
	ret = 0;
done:
	free(out);
	return ret;
}

static bool kill_matches(const int values[KILL_REFS], int k, int state)
{
	const git_oid *want = kill_value(state, k);

	if (git_oid_is_zero(want))
		return values[k] == -2;
	return values[k] == state;
}

/* The state all refs are in, or -1 when they are mixed. */
static int kill_uniform(const int values[KILL_REFS])
{
	int k, s = values[0];

	for (k = 0; k < KILL_REFS && s >= 0; k++) {
		if (!kill_matches(values, k, s))
			return -1;
	}
	return s;
}

/* Every ref either old or new of one step: the step's old state, or -1. */
static int kill_old_or_new(const int values[KILL_REFS])
{
	int from, k;

	for (from = values[0] - 1; from <= values[0] && from >= -1; from++) {
		if (from < 0)
			continue;
		for (k = 0; k < KILL_REFS; k++) {
			if (!kill_matches(values, k, from) &&
			    !kill_matches(values, k, from + 1))
				break;
		}
		if (k == KILL_REFS)
			return from;
	}
	return -1;
}

static int stale_locks_removed;

static void count_stale_locks(void *payload, qs_log_level level,
			      const char *path, size_t line, const char *message)
{
	if (strstr(message, "left by an interrupted build"))
		stale_locks_removed++;
}

static void test_kill(void)
{
	git_repository *repo = NULL;
	unsigned int seed = (unsigned int)time(NULL);
	char git_dir[400];
	int values[KILL_REFS];
	int kill_no, killed = 0, with_journal = 0, mixed = 0;
	int bad_read = 0, bad_state = 0, bad_recover = 0, not_uniform = 0;
	int bad_locks = 0, last_state = 0, advanced = 1;
	struct qs__ref_update u[KILL_REFS];
	char names[KILL_REFS][32];

	snprintf(repo_path, sizeof(repo_path), "%s/kill", scratch);
	snprintf(git_dir, sizeof(git_dir), "%s/.git", repo_path);
	if (git_repository_init(&repo, repo_path, 0) < 0 ||
	    make_kill_commits(repo) < 0) {
		ok(0, "setup of the kill test");
		goto done;
	}
	for (int k = 0; k < KILL_REFS; k++) {
		kill_ref_name(names[k], sizeof(names[k]), k);
		u[k].name = names[k];
		memset(&u[k].old, 0, sizeof(u[k].old));
		git_oid_cpy(&u[k].new, kill_value(0, k));
	}
	if (qs__refs_update(repo, u, KILL_REFS, "quiltsync build: start", WHO) < 0) {
		ok(0, "kill test: the first state");
		goto done;
	}
	tap_diag("kill test: seed %u", seed);
	qs_log_set(count_stale_locks, NULL, QS_LOG_NOTICE);
	for (kill_no = 0; kill_no < KILLS; kill_no++) {
		struct qs__lock *lock = NULL;
		int status = 0, from, now;
		pid_t pid = fork();
		struct timespec pause;

		if (pid == 0)
			kill_child();
		if (pid < 0) {
			ok(0, "fork");
			goto done;
		}
		pause.tv_sec = 0;
		pause.tv_nsec = (long)(5 + rand_r(&seed) % 80) * 1000000L;
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else
			tap_diag("kill %d: the child ended by itself (status %d)",
				 kill_no, status);

		if (kill_read(values) < 0) {
			bad_read++;
			continue;
		}
		from = kill_old_or_new(values);
		if (from < 0) {
			bad_state++;
			continue;
		}
		mixed += kill_uniform(values) < 0;
		with_journal += journal_exists();
		if (qs__lock_take(&lock, git_dir, 0) < 0 ||
		    qs__refs_recover(repo, NULL) < 0) {
			tap_diag("kill %d: %s", kill_no, qs_error_last()->message);
			bad_recover++;
			qs__lock_release(lock);
			continue;
		}
		qs__lock_release(lock);
		bad_locks += !no_lock_files();
		if (kill_read(values) < 0 || (now = kill_uniform(values)) < 0) {
			not_uniform++;
			continue;
		}
		if (now < last_state)
			advanced = 0;
		last_state = now;
	}
	is_int(killed, KILLS, "kill test: the child was killed %d times", KILLS);
	qs_log_set(NULL, NULL, QS_LOG_ERR);
	tap_diag("kill test: %d kills left a journal, %d left refs mixed, "
		 "%d stale lock files removed, state %d reached",
		 with_journal, mixed, stale_locks_removed, last_state);
	is_int(bad_read, 0, "kill test: git for-each-ref works after every kill");
	is_int(bad_state, 0, "kill test: after every kill each ref is old or new");
	is_int(bad_recover, 0, "kill test: every recovery succeeds");
	is_int(not_uniform, 0, "kill test: after recovery all refs are in one state");
	is_int(bad_locks, 0, "kill test: no lock file outlives a recovery");
	ok(advanced && last_state > 0, "kill test: the builds made progress");
	ok(!journal_exists(), "kill test: no journal at the end");
	is_int(sh("git fsck --no-dangling"), 0, "kill test: git fsck is clean");
	if (kill_step(repo, last_state) == 0 && kill_read(values) == 0)
		is_int(kill_uniform(values), last_state + 1,
		       "kill test: the next build succeeds");
	else
		ok(0, "kill test: the next build succeeds");
done:
	git_repository_free(repo);
}

static int make_repo(void)
{
	return sh("git init -q -b master . && git config user.name T && "
		  "git config user.email t@example.org && "
		  "for c in c1 c2 c3 c4; do echo $c >f && git add f && "
		  "git commit -q -m $c && git tag $c; done && "
		  "git branch a c1 && git branch b c1 && git branch d c2 && "
		  "git pack-refs --all");
}

int main(void)
{
	git_repository *repo = NULL;

	if (!have_git())
		tap_skip_all("git is not installed");
	git_libgit2_init();
	if (scratch_make("refs")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	git_isolate();
	snprintf(repo_path, sizeof(repo_path), "%s/repo", scratch);
	sh_dir = repo_path;
	if (mkdir(repo_path, 0777) < 0 || make_repo() ||
	    git_repository_open(&repo, repo_path) < 0) {
		ok(0, "setup of the test repository");
	} else {
		git_rev(&c1, "c1");
		git_rev(&c2, "c2");
		git_rev(&c3, "c3");
		git_rev(&c4, "c4");
		test_arguments(repo);
		test_update(repo);
		test_newline_message(repo);
		test_conflicts(repo);
		test_pending_journal(repo);
		test_recover(repo);
		test_bad_journals(repo);
		test_stale_locks(repo);
	}
	git_repository_free(repo);
	test_kill();
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
