// SPDX-License-Identifier: GPL-2.0-only
/* Running the system git; see git-exec.h. */
#include "internal.h"
#include "git-exec.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Ours, with git's own prompts for credentials off. Where ssh would ask
 * for a password it asks the terminal, and a cron job has none; the
 * user's ssh command, askpass and config stay as they set them.
 */
static char **quiet_environ(void)
{
	static const char prompt[] = "GIT_TERMINAL_PROMPT=0";
	size_t n = 0, i, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	if (!(env = qs__calloc(n + 2, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], prompt, sizeof("GIT_TERMINAL_PROMPT=") - 1))
			env[k++] = environ[i];
	env[k++] = (char *)prompt;
	env[k] = NULL;
	return env;
}

int qs__git_run(int *status, qs_buf *out, qs_buf *err, const char *dir,
		const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	const char **args = NULL;
	char **env = NULL;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, have_fa = 0;
	size_t n = 0, i;
	pid_t pid = -1;
	int ret = 0, ws;

	*status = -1;
	while (argv[n])
		n++;
	if (!(args = qs__calloc(n + 4, sizeof(*args))) || !(env = quiet_environ())) {
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
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_adddup2(&fa, outp[1], 1) ||
	    posix_spawn_file_actions_adddup2(&fa, errp[1], 2) ||
	    (errno = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)args, env))) {
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
		if (!open_fds)
			break;
		if (poll(p, 2, -1) < 0) {
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
	free(args);
	free(env);
	return ret;
}
