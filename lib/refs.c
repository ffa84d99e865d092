/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * All ref updates of a build as one step, through a journal.
 *
 * The journal ("<git dir>/quiltsync/refs-journal") is text, so that a
 * person can read what an interrupted build meant to do:
 *
 *	quiltsync refs journal 1
 *	<old hex> <new hex> <refname>		(one line per update)
 *	who <Name <email>>
 *	message <reflog message>
 *	end
 *
 * It is written to "refs-journal.new", synced and renamed into place, so
 * it either exists whole or not at all; "end" is checked all the same.
 *
 * libgit2's transaction creates "<ref>.lock" files with O_EXCL; a kill
 * in the middle leaves them behind. Each update logs the locks it holds,
 * and the recovery removes those, and waits for any other (ref-locks.h).
 */
#include "internal.h"
#include "refs.h"
#include "ref-locks.h"
#include "state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_HEADER "quiltsync refs journal 1"

struct journal {
	struct qs__ref_update *updates;
	size_t n, alloc;
	char **names;		/* owned copies behind updates[].name */
	size_t names_alloc;
	char *who;
	char *message;
};

static void journal_release(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		free(j->names[i]);
	free(j->names);
	free(j->updates);
	free(j->who);
	free(j->message);
}

/* "<common dir>/quiltsync" + `leaf`. */
static int state_path(qs_buf *out, git_repository *repo, const char *leaf)
{
	return qs__state_path(out, git_repository_commondir(repo), leaf);
}

/* A reflog message is one line: git turns newlines into spaces too. */
static char *one_line(const char *message)
{
	char *s = qs__strdup(message), *p;
	size_t len;

	if (!s)
		return NULL;
	for (p = s; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	len = strlen(s);
	while (len && s[len - 1] == ' ')
		s[--len] = '\0';
	return s;
}

static int parse_who(git_signature **out, const char *who)
{
	const char *lt = strrchr(who, '<'), *gt;
	char *name = NULL, *email = NULL;
	size_t nlen;
	int ret = 0;

	gt = lt ? strchr(lt, '>') : NULL;
	/* one line: it goes into the journal and the reflog as it is */
	if (!lt || !gt || gt[1] != '\0' || strpbrk(who, "\n\r"))
		return qs__error_set(QS_EINVAL,
				     "invalid identity '%s': expected 'Name <email>'",
				     who);
	nlen = (size_t)(lt - who);
	while (nlen && who[nlen - 1] == ' ')
		nlen--;
	name = qs__strndup(who, nlen);
	email = qs__strndup(lt + 1, (size_t)(gt - lt - 1));
	if (!name || !email) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (git_signature_now(out, name, email) < 0)
		ret = qs__error_set(QS_EINVAL, "invalid identity '%s': %s", who,
				    git_error_last() ?
				    git_error_last()->message : "unknown error");
done:
	free(name);
	free(email);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_updates(const struct qs__ref_update *updates, size_t n)
{
	const char **names;
	size_t i;
	int ret = 0;

	names = qs__calloc(n, sizeof(*names));
	if (!names)
		return QS_ENOMEM;
	for (i = 0; i < n; i++) {
		int valid = 0;

		if (!updates[i].name ||
		    strncmp(updates[i].name, "refs/", 5) ||
		    git_reference_name_is_valid(&valid, updates[i].name) < 0 ||
		    !valid) {
			ret = qs__error_set(QS_EINVAL, "invalid ref name '%s'",
					    updates[i].name ? updates[i].name : "(null)");
			goto done;
		}
		names[i] = updates[i].name;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n; i++) {
		if (!strcmp(names[i - 1], names[i])) {
			ret = qs__error_set(QS_EINVAL,
					    "ref '%s' is updated twice", names[i]);
			goto done;
		}
	}
done:
	free(names);
	return ret;
}

static int write_journal(git_repository *repo,
			 const struct qs__ref_update *updates, size_t n,
			 const char *who, const char *message)
{
	qs_buf final = QS_BUF_INIT, text = QS_BUF_INIT;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int ret;

	if ((ret = qs__state_dir_create(git_repository_commondir(repo))) < 0 ||
	    (ret = state_path(&final, repo, "refs-journal")) < 0)
		goto done;
	/* a journal left behind must be finished first, never overwritten */
	if (access(final.ptr, F_OK) == 0) {
		ret = qs__error_set(QS_ERROR,
				    "an interrupted ref update is pending in '%s'",
				    final.ptr);
		goto done;
	}

	qs_buf_adds(&text, JOURNAL_HEADER "\n");
	for (i = 0; i < n; i++) {
		git_oid_tostr(old_hex, sizeof(old_hex), &updates[i].old);
		git_oid_tostr(new_hex, sizeof(new_hex), &updates[i].new);
		qs_buf_addf(&text, "%s %s %s\n", old_hex, new_hex,
			    updates[i].name);
	}
	qs_buf_addf(&text, "who %s\nmessage %s\nend\n", who, message);
	if (qs_buf_oom(&text)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__write_atomic(final.ptr, text.ptr, text.len);
done:
	qs_buf_release(&text);
	qs_buf_release(&final);
	return ret;
}

/*
 * The journal's path and its directory's, for remove_journal(). Made
 * before any ref is written: once one is, an allocation failure must
 * not turn the update that did happen into an error.
 */
static int journal_paths(qs_buf *journal, qs_buf *dir, git_repository *repo)
{
	int ret;

	if ((ret = state_path(journal, repo, "refs-journal")) < 0)
		return ret;
	return state_path(dir, repo, "");
}

static int remove_journal(const char *journal, const char *dir)
{
	if (unlink(journal) < 0 && errno != ENOENT)
		return qs__error_os("cannot remove", journal);
	/* so that a power cut cannot bring back a finished journal */
	return qs__sync_dir(dir);
}

/*
 * The current value of `name` for comparisons: `*exists` 0 for a missing
 * ref; `found` gets a description for messages.
 */
static int current_value(git_oid *out, int *exists, qs_buf *found,
			 git_repository *repo, const char *name)
{
	git_reference *ref = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int err, ret = 0;

	memset(out, 0, sizeof(*out));
	*exists = 0;
	qs_buf_clear(found);
	err = git_reference_lookup(&ref, repo, name);
	if (err == GIT_ENOTFOUND) {
		git_oid_tostr(hex, sizeof(hex), out);
		qs_buf_adds(found, hex);
		goto done;
	}
	if (err < 0) {
		ret = qs__error_git("cannot read ref");
		goto done;
	}
	*exists = 1;
	if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) {
		/* never equal to an id: a symbolic ref is not ours to move */
		*exists = -1;
		qs_buf_addf(found, "a symbolic ref to '%s'",
			    git_reference_symbolic_target(ref));
		goto done;
	}
	git_oid_cpy(out, git_reference_target(ref));
	git_oid_tostr(hex, sizeof(hex), out);
	qs_buf_adds(found, hex);
done:
	git_reference_free(ref);
	return qs_buf_oom(found) ? QS_ENOMEM : ret;
}

static bool has_value(const git_oid *cur, int exists, const git_oid *want)
{
	if (exists < 0)
		return false;
	if (git_oid_is_zero(want))
		return !exists;
	return exists && git_oid_equal(cur, want);
}

/*
 * Lock one ref of the transaction. git holds a ref's lock for moments
 * (git gc packing refs, an update-ref); like git, which retries for
 * core.filesRefLockTimeout (100 ms) and packed-refs for a second, wait a
 * little for it before giving up.
 */
static int lock_ref(git_transaction *tx, struct qs__lock_log *log,
		    const char *name)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int tries, err = 0;

	if ((err = qs__lock_log_intent(log, name)) < 0)
		return err;
	for (tries = 0; tries < 200; tries++) {
		if ((err = git_transaction_lock_ref(tx, name)) == 0)
			return qs__lock_log_held(log, name);
		if (err != GIT_ELOCKED)
			break;
		nanosleep(&pause, NULL);
	}
	if (err != GIT_ELOCKED)
		return qs__error_git("cannot lock ref");
	return qs__error_set(QS_ELOCKED, "cannot lock ref: %s (another process held "
			     "it for 2 s); no ref was changed",
			     git_error_last() ? git_error_last()->message : name);
}

/*
 * Lock every ref, check each under its lock, then write. Updating
 * (`recovering` false): one ref not at its old value stops everything.
 * Recovering: refs already new are left, refs at neither value are left
 * and the first is reported, the others are written.
 */
static int apply_updates(git_repository *repo,
			 const struct qs__ref_update *u, size_t n,
			 const git_signature *sig, const char *message,
			 bool recovering, size_t *written, bool *committing)
{
	git_transaction *tx = NULL;
	struct qs__lock_log *log = NULL;
	qs_buf found = QS_BUF_INIT, conflict = QS_BUF_INIT;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	bool *acted = NULL;
	size_t i, count = 0;
	int ret = 0;

	*written = 0;
	*committing = false;
	acted = qs__calloc(n ? n : 1, sizeof(*acted));
	if (!acted)
		return QS_ENOMEM;
	if ((ret = qs__lock_log_start(&log, repo)) < 0)
		goto done;
	if (git_transaction_new(&tx, repo) < 0) {
		ret = qs__error_git("cannot start a ref transaction");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((ret = lock_ref(tx, log, u[i].name)) < 0)
			goto done;
	}
	for (i = 0; i < n; i++) {
		git_oid cur;
		int exists;

		ret = current_value(&cur, &exists, &found, repo, u[i].name);
		if (ret < 0)
			goto done;
		if (recovering && has_value(&cur, exists, &u[i].new))
			continue;
		if (!has_value(&cur, exists, &u[i].old)) {
			if (!conflict.len) {
				git_oid_tostr(old_hex, sizeof(old_hex), &u[i].old);
				git_oid_tostr(new_hex, sizeof(new_hex), &u[i].new);
				if (recovering)
					qs_buf_addf(&conflict,
						    "ref '%s' changed after an interrupted build (expected %s or %s, found %s)",
						    u[i].name, old_hex, new_hex,
						    found.ptr);
				else
					qs_buf_addf(&conflict,
						    "ref '%s' changed during the build (expected %s, found %s)",
						    u[i].name, old_hex, found.ptr);
				if (qs_buf_oom(&conflict)) {
					ret = QS_ENOMEM;
					goto done;
				}
			}
			if (!recovering) {
				ret = qs__error_set(QS_EMOVED, "%s",
						    conflict.ptr);
				goto done;
			}
			continue;
		}
		if (git_oid_equal(&u[i].old, &u[i].new))
			continue;
		if (git_oid_is_zero(&u[i].new))
			ret = git_transaction_remove(tx, u[i].name);
		else
			ret = git_transaction_set_target(tx, u[i].name,
							 &u[i].new, sig,
							 message);
		if (ret < 0) {
			ret = qs__error_git("cannot prepare the ref update");
			goto done;
		}
		acted[i] = true;
		count++;
	}
	*committing = true;
	if (git_transaction_commit(tx) < 0) {
		ret = qs__error_git("cannot update refs");
		goto done;
	}
	*written = count;
	/*
	 * libgit2's transaction keeps the reflog of a deleted ref; git drops
	 * it, and a stale one would stop "refs/heads/x/y" from being logged
	 * after "refs/heads/x" is gone. Not part of the atomic step.
	 */
	for (i = 0; i < n; i++) {
		if (git_oid_is_zero(&u[i].new) && (acted[i] || recovering) &&
		    git_reference_has_log(repo, u[i].name) == 1 &&
		    git_reflog_delete(repo, u[i].name) < 0)
			qs__log(QS_LOG_WARNING, NULL, 0,
				"cannot remove the reflog of '%s'", u[i].name);
	}
	if (conflict.len)
		ret = qs__error_set(QS_EMOVED, "%s", conflict.ptr);
done:
	/* the locks are released here: only then may the log go */
	git_transaction_free(tx);
	qs__lock_log_end(log);
	free(acted);
	qs_buf_release(&conflict);
	qs_buf_release(&found);
	return ret;
}

int qs__refs_update(git_repository *repo, const struct qs__ref_update *updates,
		    size_t n, const char *message, const char *who)
{
	git_signature *sig = NULL;
	qs_buf journal = QS_BUF_INIT, dir = QS_BUF_INIT;
	char *msg = NULL;
	size_t written;
	bool committing = false;
	int ret;

	if (!repo || (n && !updates) || !message || !who)
		return qs__error_set(QS_EINVAL, "qs__refs_update: missing argument");
	if (!n)
		return 0;
	if ((ret = check_updates(updates, n)) < 0 ||
	    (ret = parse_who(&sig, who)) < 0 ||
	    (ret = journal_paths(&journal, &dir, repo)) < 0)
		goto done;
	msg = one_line(message);
	if (!msg) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = write_journal(repo, updates, n, who, msg);
	if (ret < 0)
		goto done;
	ret = apply_updates(repo, updates, n, sig, msg, false, &written,
			    &committing);
	/*
	 * The journal stays only when some refs may have been written: then
	 * the recovery finishes them. A conflict or a failure to lock wrote
	 * nothing, and the journal must not make a later run write it.
	 */
	if (ret == 0 || !committing) {
		int err = remove_journal(journal.ptr, dir.ptr);

		if (ret == 0)
			ret = err;
	}
done:
	free(msg);
	git_signature_free(sig);
	qs_buf_release(&journal);
	qs_buf_release(&dir);
	return ret;
}

static int parse_journal(struct journal *j, const char *path, char *text)
{
	char *line = text, *next;
	size_t lineno = 0;
	bool ended = false;
	int ret = 0;

	for (; *line; line = next) {
		struct qs__ref_update *u;
		char *sp1, *sp2;

		next = strchr(line, '\n');
		if (!next)
			break;	/* an unfinished last line: never complete */
		*next++ = '\0';
		lineno++;
		if (ended)
			goto bad;
		if (lineno == 1) {
			if (strcmp(line, JOURNAL_HEADER))
				return qs__error_set_at(QS_EPARSE, path, lineno,
							"not a quiltsync refs journal");
			continue;
		}
		if (!strcmp(line, "end")) {
			ended = true;
			continue;
		}
		if (!strncmp(line, "who ", 4)) {
			if (j->who)
				goto bad;
			if (!(j->who = qs__strdup(line + 4)))
				return QS_ENOMEM;
			continue;
		}
		if (!strncmp(line, "message ", 8)) {
			if (j->message)
				goto bad;
			if (!(j->message = qs__strdup(line + 8)))
				return QS_ENOMEM;
			continue;
		}
		if (j->who || j->message)
			goto bad;
		sp1 = strchr(line, ' ');
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp1 || !sp2 || sp1 - line != GIT_OID_HEXSZ ||
		    sp2 - sp1 - 1 != GIT_OID_HEXSZ || !sp2[1])
			goto bad;
		*sp1 = *sp2 = '\0';
		if (QS_ARRAY_GROW(j->updates, j->alloc, j->n + 1) < 0 ||
		    QS_ARRAY_GROW(j->names, j->names_alloc, j->n + 1) < 0)
			return QS_ENOMEM;
		u = &j->updates[j->n];
		if (git_oid_fromstr(&u->old, line) < 0 ||
		    git_oid_fromstr(&u->new, sp1 + 1) < 0)
			goto bad;
		if (!(j->names[j->n] = qs__strdup(sp2 + 1)))
			return QS_ENOMEM;
		u->name = j->names[j->n];
		j->n++;
	}
	if (!ended)
		return qs__error_set_at(QS_EPARSE, path, 0,
					"incomplete refs journal: no 'end' line");
	if (!j->who || !j->message)
		return qs__error_set_at(QS_EPARSE, path, 0,
					"incomplete refs journal: no '%s' line",
					j->who ? "message" : "who");
	ret = check_updates(j->updates, j->n);
	if (ret == QS_EINVAL)
		ret = qs__error_set_at(QS_EPARSE, path, 0, "%s",
				       qs_error_last()->message);
	return ret;
bad:
	return qs__error_set_at(QS_EPARSE, path, lineno,
				"malformed refs journal line");
}

int qs__refs_journal_left(git_repository *repo, qs_buf *path)
{
	int ret;

	if ((ret = state_path(path, repo, "refs-journal")) < 0)
		return ret;
	return access(path->ptr, F_OK) == 0;
}

/* The journal's refs, for the lock log. */
static int clear_locks(git_repository *repo, const struct journal *j,
		       const struct stat *journal)
{
	const char **names = qs__calloc(j->n ? j->n : 1, sizeof(*names));
	size_t i;
	int deletes = 0, ret;

	if (!names)
		return QS_ENOMEM;
	for (i = 0; i < j->n; i++) {
		names[i] = j->updates[i].name;
		deletes |= git_oid_is_zero(&j->updates[i].new);
	}
	ret = qs__lock_log_clear(repo, names, j->n, deletes, journal);
	free(names);
	return ret;
}

int qs__refs_recover(git_repository *repo, size_t *recovered)
{
	struct journal j = { NULL, 0, 0, NULL, 0, NULL, NULL };
	qs_buf path = QS_BUF_INIT, text = QS_BUF_INIT, dir = QS_BUF_INIT;
	git_signature *sig = NULL;
	struct stat st;
	size_t written = 0;
	bool committing = false;
	int ret;

	if (recovered)
		*recovered = 0;
	if (!repo)
		return qs__error_set(QS_EINVAL, "qs__refs_recover: missing argument");

	/* never renamed into place: the build had not started to write */
	if ((ret = state_path(&path, repo, "refs-journal.new")) < 0)
		goto done;
	if (unlink(path.ptr) < 0 && errno != ENOENT) {
		ret = qs__error_os("cannot remove", path.ptr);
		goto done;
	}

	if ((ret = journal_paths(&path, &dir, repo)) < 0)
		goto done;
	if (stat(path.ptr, &st) < 0) {
		if (errno != ENOENT)
			ret = qs__error_os("cannot read", path.ptr);
		goto done;
	}
	if ((ret = qs__read_file(&text, path.ptr)) < 0 ||
	    (ret = parse_journal(&j, path.ptr, text.ptr)) < 0 ||
	    (ret = parse_who(&sig, j.who)) < 0 ||
	    (ret = clear_locks(repo, &j, &st)) < 0)
		goto done;
	ret = apply_updates(repo, j.updates, j.n, sig, j.message, true,
			    &written, &committing);
	if (recovered)
		*recovered = written;
	/*
	 * A ref found at neither value is left as someone else set it: there
	 * is nothing more to do for it, so a conflict ends the journal too.
	 * Any other failure keeps it for the next run.
	 */
	if (ret == 0 || ret == QS_EMOVED) {
		int err = remove_journal(path.ptr, dir.ptr);

		if (err < 0)
			ret = err;
	}
done:
	git_signature_free(sig);
	journal_release(&j);
	qs_buf_release(&text);
	qs_buf_release(&path);
	qs_buf_release(&dir);
	return ret;
}

static int missing_object(const git_oid *id, const char *ref)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	qs_error_clear();
	return qs__error_set(QS_EIO, "object %s, which '%s' would name, is not in "
			     "the repository (removed by a concurrent git gc or repack?): "
			     "no ref was changed", hex, ref);
}

/* Hide from `walk` every commit a ref names today: those are whole, or git would say so. */
static int hide_refs(git_revwalk *walk, git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int err;

	if (git_reference_iterator_new(&it, repo) < 0)
		return qs__error_git("cannot list the refs");
	while ((err = git_reference_next(&ref, it)) == 0) {
		git_object *commit = NULL;

		if (git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0)
			git_revwalk_hide(walk, git_object_id(commit));
		git_object_free(commit);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	return err == GIT_ITEROVER ? 0 : qs__error_git("cannot list the refs");
}

int qs__refs_check_objects(git_repository *repo,
			   const struct qs__ref_update *u, size_t n)
{
	git_revwalk *walk = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t i, size;
	git_oid id;
	int ret = 0, err = GIT_ITEROVER;

	if (git_repository_odb(&odb, repo) < 0 || git_revwalk_new(&walk, repo) < 0) {
		ret = qs__error_git("cannot read the repository's objects");
		goto done;
	}
	for (i = 0; i < n && !ret; i++) {
		if (git_oid_is_zero(&u[i].new))
			continue;
		if (git_odb_read_header(&size, &type, odb, &u[i].new) < 0)
			ret = missing_object(&u[i].new, u[i].name);
		else if (type == GIT_OBJECT_COMMIT && git_revwalk_push(walk, &u[i].new) < 0)
			ret = missing_object(&u[i].new, u[i].name);
	}
	/* only what no ref holds yet: a new branch's commits, not upstream's history */
	if (!ret)
		ret = hide_refs(walk, repo);
	while (!ret && (err = git_revwalk_next(&id, walk)) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo, &id) < 0) {
			ret = missing_object(&id, "a branch");
			break;
		}
		if (!git_odb_exists(odb, git_commit_tree_id(commit)))
			ret = missing_object(git_commit_tree_id(commit), "a branch");
		git_commit_free(commit);
	}
	if (!ret && err != GIT_ITEROVER)
		ret = qs__error_set(QS_EIO, "a commit a branch would hold is not in the "
				    "repository (removed by a concurrent git gc or repack?): %s; "
				    "no ref was changed",
				    git_error_last() ? git_error_last()->message : "unknown error");
done:
	git_revwalk_free(walk);
	git_odb_free(odb);
	return ret;
}
