// SPDX-License-Identifier: GPL-2.0-only
/* Running the system git; see git-exec.h. */
#include "internal.h"
#include "git-exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Whether `entry` ("NAME=value") sets the variable `name=` (with its '='). */
static int sets(const char *entry, const char *name)
{
	return !strncmp(entry, name, strlen(name));
}

/*
 * Ours, with git's own prompts for credentials off, and `extra`
 * ("NAME=value", NULL-terminated, may be NULL) set over ours. Where ssh
 * would ask for a password it asks the terminal, and a cron job has
 * none; the user's ssh command, askpass and config stay as they set
 * them unless `extra` says otherwise.
 */
static char **quiet_environ(const char *const *extra)
{
	static const char prompt[] = "GIT_TERMINAL_PROMPT=0";
	size_t n = 0, nextra = 0, i, k = 0, e;
	char **env;

	while (environ && environ[n])
		n++;
	while (extra && extra[nextra])
		nextra++;
	if (!(env = qs__calloc(n + nextra + 2, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++) {
		int replaced = sets(environ[i], "GIT_TERMINAL_PROMPT=");

		for (e = 0; e < nextra && !replaced; e++) {
			const char *eq = strchr(extra[e], '=');

			replaced = eq && !strncmp(environ[i], extra[e], (size_t)(eq - extra[e]) + 1);
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	env[k++] = (char *)prompt;
	for (e = 0; e < nextra; e++)
		env[k++] = (char *)extra[e];
	env[k] = NULL;
	return env;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int qs__git_run(int *status, qs_buf *out, qs_buf *err, const char *dir,
		const char *const *argv)
{
	return qs__git_run_ex(status, out, err, dir, argv, NULL, 0, NULL);
}

int qs__git_run_ex(int *status, qs_buf *out, qs_buf *err, const char *dir,
		   const char *const *argv, const char *const *env_extra,
		   int timeout_seconds, int *timed_out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int have_attr = 0, killed = 0;
	double deadline = timeout_seconds > 0 ? now_seconds() + timeout_seconds : 0;
	const char **args = NULL;
	char **env = NULL;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, have_fa = 0;
	size_t n = 0, i;
	pid_t pid = -1;
	int ret = 0, ws;

	*status = -1;
	if (timed_out)
		*timed_out = 0;
	while (argv[n])
		n++;
	if (!(args = qs__calloc(n + 4, sizeof(*args))) || !(env = quiet_environ(env_extra))) {
		ret = QS_ENOMEM;
		goto done;
	}
	args[0] = "git";
	args[1] = "-C";
	args[2] = dir;
	for (i = 0; i < n; i++)
		args[3 + i] = argv[i];
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    posix_spawn_file_actions_init(&fa) != 0) {
		ret = qs__error_os("cannot start", "git");
		goto done;
	}
	have_fa = 1;
	if (posix_spawnattr_init(&attr) != 0) {
		ret = qs__error_os("cannot start", "git");
		goto done;
	}
	have_attr = 1;
	/*
	 * With a time limit, git and what it starts (ssh, a remote helper)
	 * get a process group of their own, so that all of them can be
	 * stopped at once when it is up.
	 */
	if (timeout_seconds > 0 &&
	    (posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) ||
	     posix_spawnattr_setpgroup(&attr, 0))) {
		ret = qs__error_os("cannot start", "git");
		goto done;
	}
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_adddup2(&fa, outp[1], 1) ||
	    posix_spawn_file_actions_adddup2(&fa, errp[1], 2) ||
	    (errno = posix_spawnp(&pid, "git", &fa, &attr, (char *const *)args, env))) {
		pid = -1;
		ret = qs__error_os("cannot start", "git");
		goto done;
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	/* both pipes at once: git may fill either while we wait on the other */
	for (;;) {
		struct pollfd p[2] = { { outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
		char chunk[8192];
		int open_fds = 0;

		for (i = 0; i < 2; i++)
			open_fds += p[i].fd >= 0;
		int wait_ms = -1;

		if (!open_fds)
			break;
		if (deadline) {
			double left = deadline - now_seconds();

			if (left <= 0) {
				/*
				 * Something outside the group (a daemon ssh left
				 * behind) still holds a pipe two seconds after the
				 * KILL: stop reading, git itself is gone.
				 */
				if (killed == 2)
					break;
				/* TERM first, for ssh to close its connection; KILL if that is not enough */
				kill(-pid, killed ? SIGKILL : SIGTERM);
				if (timed_out)
					*timed_out = 1;
				deadline = now_seconds() + 2;
				killed++;
				continue;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		if (poll(p, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			ret = qs__error_os("cannot read from", "git");
			goto done;
		}
		for (i = 0; i < 2; i++) {
			int *fd = i ? &errp[0] : &outp[0];
			qs_buf *to = i ? err : out;
			ssize_t r;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(*fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(*fd);
				*fd = -1;
			} else if (to && qs_buf_add(to, chunk, (size_t)r) < 0) {
				ret = QS_ENOMEM;
			}
		}
	}
done:
	if (pid > 0) {
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
	for (i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (have_attr)
		posix_spawnattr_destroy(&attr);
	free(args);
	free(env);
	return ret;
}

int qs__git_url(qs_buf *out, const char *dir, const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
	qs_buf joined = QS_BUF_INIT;
	char *abs;
	int ret;

	if (strstr(url, "://") || url[0] == '/' || (colon && (!slash || colon < slash)))
		return qs_buf_adds(out, url);
	/* git runs in the repository: the config's directory, made absolute */
	if (!(abs = realpath(dir ? dir : ".", NULL)))
		return qs__error_os("cannot resolve", dir ? dir : ".");
	if ((ret = qs_buf_addf(&joined, "%s/%s", abs, url)) == 0) {
		/*
		 * "../../build/demo/public.git" is shown and logged as the
		 * path it names, when there is one; else as written, for git
		 * to say what is wrong with it
		 */
		char *canon = realpath(joined.ptr, NULL);

		ret = qs_buf_adds(out, canon ? canon : joined.ptr);
		free(canon);
	}
	qs_buf_release(&joined);
	free(abs);
	return ret;
}
