/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the system git, for the steps where the user's own git setup
 * must apply (URL rewrites, ssh keys and agents, credential helpers,
 * proxies) and where libgit2 falls short: fetching external trees
 * (libgit2's local transport cannot fetch into a repository with a ref
 * to a blob, as refs/quiltsync/cache is). Never waits on a person:
 * GIT_TERMINAL_PROMPT=0 and standard input from /dev/null.
 */
#ifndef QS_GIT_EXEC_H
#define QS_GIT_EXEC_H

#include "internal.h"

/*
 * Run `git -C dir ARGS...` (argv NULL-terminated, without "git"), with
 * its standard output in `out` (may be NULL: discarded) and its standard
 * error in `err` (may be NULL). `*status` gets its exit status (128 +
 * signal when killed). 0 when it ran, whatever its status; QS_EIO when
 * git cannot be started.
 */
int qs__git_run(int *status, qs_buf *out, qs_buf *err, const char *dir,
		const char *const *argv);

/*
 * The same, with `env_extra` ("NAME=value", NULL-terminated, may be
 * NULL) set in git's environment over ours, and, when `timeout_seconds`
 * > 0, a time limit: once it is up, git and every process it started
 * (ssh, helpers) are sent SIGTERM, then SIGKILL two seconds later, and
 * `*timed_out` (may be NULL) is set to 1.
 */
int qs__git_run_ex(int *status, qs_buf *out, qs_buf *err, const char *dir,
		   const char *const *argv, const char *const *env_extra,
		   int timeout_seconds, int *timed_out);

/*
 * A URL as git takes it when run in the repository: a relative local
 * path is taken from `dir` (the config's directory), as every path of
 * the config is. Not a path: "scheme://..." and scp's "host:path" (a
 * colon before any '/'). Appended to `out`.
 */
int qs__git_url(qs_buf *out, const char *dir, const char *url);

#endif
