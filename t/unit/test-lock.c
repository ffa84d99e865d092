/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The build lock between real processes: a second taker is refused and
 * told who holds it, a waiter gets it when the holder lets go, and a
 * holder killed by SIGKILL leaves nothing behind.
 */
#include "internal.h"
#include "lock.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"

static char git_dir[300];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * A child that takes the lock, says so on `ready` (one byte: 1 taken, 0
 * not), holds it `hold_ms` (forever when negative) and exits.
 */
static pid_t holder(int *ready_fd, long hold_ms)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct qs__lock *lock = NULL;
		char c;

		close(fds[0]);
		c = qs__lock_take(&lock, git_dir, 0) == 0;
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		if (hold_ms < 0)
			for (;;)
				pause();
		sleep_ms(hold_ms);
		qs__lock_release(lock);
		_exit(0);
	}
	close(fds[1]);
	*ready_fd = fds[0];
	return pid;
}

static int wait_ready(int fd)
{
	char c = 0;
	int ok = read(fd, &c, 1) == 1 && c == 1;

	close(fd);
	return ok;
}

/* The child's view of a lock we hold: its result code and message. */
static int child_try(char *msg, size_t size, int wait_seconds)
{
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe(fds) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		struct qs__lock *lock = NULL;
		int ret;

		close(fds[0]);
		ret = qs__lock_take(&lock, git_dir, wait_seconds);
		if (write(fds[1], qs_error_last()->message,
			  strlen(qs_error_last()->message)) < 0)
			_exit(100);
		qs__lock_release(lock);
		_exit(-ret);
	}
	close(fds[1]);
	n = read(fds[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? -WEXITSTATUS(status) : 1;
}

static char *read_text(const char *path)
{
	qs_buf b = QS_BUF_INIT;

	if (qs__read_file(&b, path) < 0)
		return NULL;
	return qs_buf_detach(&b);
}

/* Whether our descriptor of `path` is close-on-exec, or -1 if none. */
static int cloexec_of(const char *path)
{
	char link[PATH_MAX + 1], fdpath[300];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int ret = -1;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		ssize_t n;

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%s", d->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, path)) {
			int flags = fcntl(atoi(d->d_name), F_GETFD);

			ret = flags >= 0 && (flags & FD_CLOEXEC);
			break;
		}
	}
	closedir(dir);
	return ret;
}

static void test_take_and_refuse(void)
{
	struct qs__lock *lock = NULL;
	char path[400], msg[512], want[200], when[64], *text;
	long long pid = 0, since = 0;
	int code;

	snprintf(path, sizeof(path), "%s/quiltsync/build.lock", git_dir);
	is_int(qs__lock_take(&lock, git_dir, 0), 0, "take the lock");
	ok(lock != NULL, "a lock is returned");
	text = read_text(path);
	ok(text && sscanf(text, "pid %lld\nsince %lld\n", &pid, &since) == 2,
	   "the lock file says who and since when");
	is_int(pid, getpid(), "the lock file holds our pid");
	ok(since > 0 && since <= (long long)time(NULL) &&
	   since > (long long)time(NULL) - 60, "the lock file holds the time");
	free(text);
	is_int(cloexec_of(path), 1, "the lock's descriptor is close-on-exec");

	code = child_try(msg, sizeof(msg), 0);
	is_int(code, QS_ELOCKED, "another process is refused");
	{
		time_t t = (time_t)since;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	}
	snprintf(want, sizeof(want),
		 "the repository is locked by another build (pid %ld, since %s)",
		 (long)getpid(), when);
	is_str(msg, want, "the refusal names the holder's pid and since when");

	qs__lock_release(lock);
	text = read_text(path);
	is_str(text, "", "release empties the lock file");
	free(text);
	code = child_try(msg, sizeof(msg), 0);
	is_int(code, 0, "after release another process takes it");
	qs__lock_release(NULL);
}

static void test_wait(void)
{
	struct qs__lock *lock = NULL;
	double t0, waited;
	int ready, status = 0;
	pid_t pid;

	pid = holder(&ready, 300);
	if (pid < 0 || !wait_ready(ready)) {
		ok(0, "a child holds the lock for 0.3 s");
		return;
	}
	t0 = now();
	is_int(qs__lock_take(&lock, git_dir, 1), 0,
	       "waiting up to 1 s for a holder that lets go after 0.3 s");
	waited = now() - t0;
	tap_diag("waited %.3f s", waited);
	ok(waited > 0.05, "it did wait for the holder");
	qs__lock_release(lock);
	lock = NULL;
	waitpid(pid, &status, 0);

	pid = holder(&ready, 300);
	if (pid < 0 || !wait_ready(ready)) {
		ok(0, "a child holds the lock for 0.3 s again");
		return;
	}
	is_int(qs__lock_take(&lock, git_dir, -1), 0,
	       "a negative wait blocks until the holder lets go");
	qs__lock_release(lock);
	lock = NULL;
	waitpid(pid, &status, 0);

	pid = holder(&ready, -1);
	if (pid < 0 || !wait_ready(ready)) {
		ok(0, "a child holds the lock");
		return;
	}
	is_int(qs__lock_take(&lock, git_dir, 1), QS_ELOCKED,
	       "a holder that keeps it: the wait ends with QS_ELOCKED");
	ok(lock == NULL, "no lock when refused");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "the holder was killed by SIGKILL");
	is_int(qs__lock_take(&lock, git_dir, 0), 0,
	       "a holder killed by SIGKILL leaves the lock free");
	qs__lock_release(lock);
}

static void test_errors(void)
{
	struct qs__lock *lock = (struct qs__lock *)1;
	char missing[400];

	snprintf(missing, sizeof(missing), "%s/no/such/dir", scratch);
	is_int(qs__lock_take(&lock, missing, 0), QS_ENOTFOUND,
	       "a git directory that does not exist");
	ok(lock == NULL, "*out is cleared on failure");
	is_int(qs__lock_take(NULL, git_dir, 0), QS_EINVAL, "out NULL");
	is_int(qs__lock_take(&lock, NULL, 0), QS_EINVAL, "git_dir NULL");
}

int main(void)
{
	char resolved[PATH_MAX];
	struct stat st;

	if (scratch_make("lock")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	/* a resolved path, so that /proc/self/fd's links compare equal */
	if (!realpath(scratch, resolved) || strlen(resolved) >= sizeof(scratch)) {
		ok(0, "cannot resolve the scratch directory");
		return done_testing();
	}
	snprintf(scratch, sizeof(scratch), "%s", resolved);
	snprintf(git_dir, sizeof(git_dir), "%s/repo.git", scratch);
	if (mkdir(git_dir, 0777) < 0) {
		ok(0, "cannot make the git directory");
		return done_testing();
	}
	test_take_and_refuse();
	ok(stat(git_dir, &st) == 0, "the git directory is still there");
	test_wait();
	test_errors();
	scratch_remove();
	return done_testing();
}
