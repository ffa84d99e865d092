/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The build lock. flock(2) rather than a git-style ".lock" file created
 * with O_EXCL: the kernel drops an flock with the last descriptor, so a
 * build killed by SIGKILL or a power cut never leaves a stale lock that a
 * person must remove. The file itself is never deleted: unlinking a
 * locked file lets a newcomer lock a fresh inode while an older waiter
 * locks the unlinked one.
 */
#include "internal.h"
#include "lock.h"
#include "state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RETRY_NS (100 * 1000 * 1000L)

struct qs__lock {
	int fd;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The holder's "pid N, since T" for the message, or "" when unknown. */
static void describe_holder(qs_buf *out, int fd)
{
	char text[128], when[64];
	long long pid = 0, since = 0;
	ssize_t n;

	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return;
	text[n] = '\0';
	if (sscanf(text, "pid %lld\nsince %lld", &pid, &since) != 2 || pid <= 0)
		return;
	when[0] = '\0';
	if (since > 0) {
		time_t t = (time_t)since;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	}
	if (when[0])
		qs_buf_addf(out, " (pid %lld, since %s)", pid, when);
	else
		qs_buf_addf(out, " (pid %lld)", pid);
}

static int write_holder(int fd, const char *path)
{
	char text[96];
	int len;

	len = snprintf(text, sizeof(text), "pid %ld\nsince %lld\n",
		       (long)getpid(), (long long)time(NULL));
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len)
		return qs__error_os("cannot write the lock file", path);
	return 0;
}

int qs__lock_take(struct qs__lock **out, const char *git_dir,
		  int wait_seconds)
{
	struct qs__lock *lock = NULL;
	qs_buf path = QS_BUF_INIT, who = QS_BUF_INIT;
	double deadline = now_seconds() + wait_seconds;
	int fd = -1, ret = 0;

	if (out)
		*out = NULL;
	if (!out || !git_dir)
		return qs__error_set(QS_EINVAL, "qs__lock_take: missing argument");

	if ((ret = qs__state_dir_create(git_dir)) < 0 ||
	    (ret = qs__state_path(&path, git_dir, "build.lock")) < 0)
		goto done;
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		ret = qs__error_os("cannot open the lock file", path.ptr);
		goto done;
	}
	for (;;) {
		struct timespec pause = { 0, RETRY_NS };

		if (flock(fd, wait_seconds < 0 ? LOCK_EX : LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			ret = qs__error_os("cannot lock", path.ptr);
			goto done;
		}
		if (now_seconds() >= deadline) {
			describe_holder(&who, fd);
			ret = qs__error_set(QS_ELOCKED,
					    "the repository is locked by another build%s",
					    who.ptr);
			goto done;
		}
		nanosleep(&pause, NULL);
	}
	ret = write_holder(fd, path.ptr);
	if (ret < 0)
		goto done;
	lock = qs__malloc(sizeof(*lock));
	if (!lock) {
		ret = QS_ENOMEM;
		goto done;
	}
	lock->fd = fd;
	fd = -1;
	*out = lock;
done:
	if (fd >= 0)
		close(fd);
	qs_buf_release(&who);
	qs_buf_release(&path);
	return ret;
}

void qs__lock_release(struct qs__lock *lock)
{
	if (!lock)
		return;
	/* so that nobody reads a dead build's pid; still ours until close */
	if (ftruncate(lock->fd, 0) < 0)
		qs__log(QS_LOG_DEBUG, NULL, 0, "cannot empty the build lock file");
	close(lock->fd);
	free(lock);
}
