// SPDX-License-Identifier: GPL-2.0-only
/* The log of the ref locks an update holds; see ref-locks.h. */
#include "internal.h"
#include "ref-locks.h"
#include "state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_LEAF "refs-locks"

/* How long a lock not proven ours is waited for: as lock_ref waits. */
#define WAIT_STEPS 200
#define WAIT_STEP_NS (10 * 1000 * 1000)
/* file times come from a coarse clock, a few ms behind the one we read */
#define CLOCK_SLACK_NS 1000000000LL

struct qs__lock_log {
	int fd;
	char *path;
	char *common;	/* the common dir, where the lock files are */
};

/* A file's identity: what stays while it lives, writes included. */
struct identity {
	unsigned long long dev, ino;
	long long birth_ns;	/* 0 where the file system keeps none */
};

static int identity_of(struct identity *id, const char *path)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &sx) < 0)
		return -1;
	id->dev = ((unsigned long long)sx.stx_dev_major << 32) | sx.stx_dev_minor;
	id->ino = sx.stx_ino;
	id->birth_ns = sx.stx_mask & STATX_BTIME ?
		       (long long)sx.stx_btime.tv_sec * 1000000000LL + sx.stx_btime.tv_nsec : 0;
	return 0;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int lock_path(qs_buf *out, const char *common, const char *ref)
{
	size_t len = strlen(common);

	qs_buf_clear(out);
	qs_buf_addf(out, "%s%s%s.lock", common,
		    len && common[len - 1] == '/' ? "" : "/", ref);
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

int qs__lock_log_start(struct qs__lock_log **out, git_repository *repo)
{
	struct qs__lock_log *log;
	qs_buf path = QS_BUF_INIT;
	int ret;

	*out = NULL;
	log = qs__calloc(1, sizeof(*log));
	if (!log)
		return QS_ENOMEM;
	log->fd = -1;
	if ((ret = qs__state_dir_create(git_repository_commondir(repo))) < 0 ||
	    (ret = qs__state_path(&path, git_repository_commondir(repo), LOG_LEAF)) < 0)
		goto fail;
	log->path = qs_buf_detach(&path);
	log->common = qs__strdup(git_repository_commondir(repo));
	if (!log->path || !log->common) {
		ret = QS_ENOMEM;
		goto fail;
	}
	log->fd = open(log->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	if (log->fd < 0) {
		ret = qs__error_os("cannot write", log->path);
		goto fail;
	}
	*out = log;
	return 0;
fail:
	qs_buf_release(&path);
	qs__lock_log_end(log);
	return ret;
}

/* One line, in one write(): a kill leaves whole lines, or a last one cut short. */
static int log_line(struct qs__lock_log *log, const qs_buf *line)
{
	if (qs_buf_oom(line))
		return QS_ENOMEM;
	if (write(log->fd, line->ptr, line->len) != (ssize_t)line->len)
		return qs__error_os("cannot write", log->path);
	return 0;
}

int qs__lock_log_intent(struct qs__lock_log *log, const char *ref)
{
	qs_buf line = QS_BUF_INIT;
	int ret;

	qs_buf_addf(&line, "intent %lld %s\n", now_ns(), ref);
	ret = log_line(log, &line);
	qs_buf_release(&line);
	return ret;
}

int qs__lock_log_held(struct qs__lock_log *log, const char *ref)
{
	qs_buf line = QS_BUF_INIT, path = QS_BUF_INIT;
	struct identity id;
	int ret;

	if ((ret = lock_path(&path, log->common, ref)) < 0)
		goto done;
	if (identity_of(&id, path.ptr) < 0) {
		ret = qs__error_os("cannot read the lock file", path.ptr);
		goto done;
	}
	qs_buf_addf(&line, "held %llu %llu %lld %s\n", id.dev, id.ino, id.birth_ns, ref);
	ret = log_line(log, &line);
done:
	qs_buf_release(&line);
	qs_buf_release(&path);
	return ret;
}

void qs__lock_log_end(struct qs__lock_log *log)
{
	if (!log)
		return;
	if (log->fd >= 0) {
		close(log->fd);
		if (unlink(log->path) < 0 && errno != ENOENT)
			qs__log(QS_LOG_WARNING, NULL, 0, "cannot remove '%s': %s",
				log->path, strerror(errno));
	}
	free(log->path);
	free(log->common);
	free(log);
}

/* What the log of a killed update says of one ref. */
struct logged {
	int held;
	struct identity id;
	int intended;		/* the last intent had no "held" after it */
	long long intent_ns;
};

/* Read the log for `ref`; a missing log says nothing. */
static void read_log(struct logged *out, const char *text, const char *ref)
{
	const char *line, *next;
	size_t rlen = strlen(ref);

	memset(out, 0, sizeof(*out));
	for (line = text; line && *line; line = next) {
		const char *nl = strchr(line, '\n'), *name;
		struct identity id;
		long long t;
		int used = 0;

		if (!nl)
			break;	/* cut short by the kill */
		next = nl + 1;
		if (sscanf(line, "held %llu %llu %lld %n", &id.dev, &id.ino,
			   &id.birth_ns, &used) == 3 && used) {
			name = line + used;
			if ((size_t)(nl - name) == rlen && !memcmp(name, ref, rlen)) {
				out->held = 1;
				out->id = id;
				out->intended = 0;
			}
		} else if (sscanf(line, "intent %lld %n", &t, &used) == 1 && used) {
			name = line + used;
			if ((size_t)(nl - name) == rlen && !memcmp(name, ref, rlen)) {
				out->intended = 1;
				out->intent_ns = t;
			}
		}
	}
}

static int same_identity(const struct identity *a, const struct identity *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	       (!a->birth_ns || !b->birth_ns || a->birth_ns == b->birth_ns);
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* Wait for `path` to go, as git waits for a lock: 1 gone, 0 still there. */
static int waited_away(const char *path)
{
	struct timespec pause = { 0, WAIT_STEP_NS };
	struct stat st;
	int i;

	for (i = 0; i < WAIT_STEPS; i++) {
		if (lstat(path, &st) < 0)
			return 1;
		nanosleep(&pause, NULL);
	}
	return lstat(path, &st) < 0;
}

static int remove_ours(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return qs__error_os("cannot remove the stale lock", path);
	qs__log(QS_LOG_NOTICE, NULL, 0, "removed '%s', left by an interrupted build", path);
	return 0;
}

/* One lock file: removed when ours, waited for when it may not be. */
static int clear_one(const char *path, const char *ref, const char *text,
		     int packed, const struct stat *journal)
{
	struct logged l;
	struct identity id;
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	read_log(&l, text, ref);
	if (l.held && !identity_of(&id, path) && same_identity(&id, &l.id))
		return remove_ours(path);
	if (waited_away(path))
		return 0;	/* someone else's, and it is done */
	if (lstat(path, &st) < 0)
		return 0;
	/* killed between libgit2 making it and our "held" line */
	if (l.intended && st.st_size == 0 && mtime_ns(&st) >= l.intent_ns - CLOCK_SLACK_NS)
		return remove_ours(path);
	/* taken inside the commit, never logged; no live holder keeps it this long */
	if (packed && mtime_ns(&st) >= mtime_ns(journal))
		return remove_ours(path);
	return qs__error_set(QS_ELOCKED,
			     "cannot finish the ref updates of an interrupted build: '%s' "
			     "stayed locked for 2 s, and it is not a lock that build left; "
			     "another process holds it, or one that was killed left it: "
			     "remove it when no git command is running", path);
}

int qs__lock_log_clear(git_repository *repo, const char *const *refs,
		       size_t n, int deletes, const struct stat *journal)
{
	const char *common = git_repository_commondir(repo);
	qs_buf log_path = QS_BUF_INIT, text = QS_BUF_INIT, path = QS_BUF_INIT;
	size_t i;
	int ret;

	if ((ret = qs__state_path(&log_path, common, LOG_LEAF)) < 0)
		goto done;
	if (qs__read_file(&text, log_path.ptr) < 0) {
		qs_error_clear();	/* no log: no lock is proven ours */
		qs_buf_clear(&text);
	}
	for (i = 0; i < n && !ret; i++)
		if (!(ret = lock_path(&path, common, refs[i])))
			ret = clear_one(path.ptr, refs[i], text.ptr, 0, journal);
	/* deleting a packed ref rewrites packed-refs under its own lock */
	if (!ret && deletes && !(ret = lock_path(&path, common, "packed-refs")))
		ret = clear_one(path.ptr, "packed-refs", text.ptr, 1, journal);
done:
	qs_buf_release(&log_path);
	qs_buf_release(&text);
	qs_buf_release(&path);
	return ret;
}
