/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the unit tests that touch the file system share: a scratch
 * directory of their own, shell commands run in it (git, mostly, as the
 * judge), and a git that no configuration of the user's can sway.
 * Each test is one program, so the state below is per test.
 */
#ifndef QS_T_SCRATCH_H
#define QS_T_SCRATCH_H

#include "internal.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* The test's scratch directory, once scratch_make() made it. */
static char scratch[256];

/*
 * Where sh(), sh_out() and sh_line() run their commands; NULL, the
 * current directory. A pointer, so that a test may change the path it
 * points at and have the next command follow.
 */
static const char *sh_dir;

/*
 * Make $TMPDIR/qs-test-<name>.XXXXXX (/tmp without $TMPDIR), so that
 * tests running side by side never share files; 0 or -1.
 */
static inline int scratch_make(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(scratch, sizeof(scratch), "%s/qs-test-%s.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp", name);

	if (n < 0 || (size_t)n >= sizeof(scratch))
		return -1;
	return mkdtemp(scratch) ? 0 : -1;
}

/* Remove the scratch directory and all below it; only a note if not. */
static inline void scratch_remove(void)
{
	char cmd[sizeof(scratch) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		tap_diag("cannot remove %s", scratch);
}

/* Whether there is a git to judge by. */
static inline int have_git(void)
{
	return system("git --version >/dev/null 2>&1") == 0;
}

/*
 * Keep the user's and the system's git configuration (identity, hooks,
 * rerere, default branch...) from changing what git does in the test:
 * $HOME is the scratch directory, and no system or global file is read.
 */
static inline void git_isolate(void)
{
	setenv("HOME", scratch, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
}

/* "cd '<sh_dir>' && (<command>) <redirect>", or NULL when out of memory. */
static inline char *sh_command(const char *redirect, const char *fmt,
			       va_list ap) __attribute__((format(printf, 2, 0)));
static inline char *sh_command(const char *redirect, const char *fmt,
			       va_list ap)
{
	qs_buf cmd = QS_BUF_INIT;

	if (sh_dir)
		qs_buf_addf(&cmd, "cd '%s' && ", sh_dir);
	qs_buf_adds(&cmd, "(");
	qs_buf_vaddf(&cmd, fmt, ap);
	qs_buf_addf(&cmd, ") %s", redirect);
	if (qs_buf_oom(&cmd)) {
		qs_buf_release(&cmd);
		return NULL;
	}
	return qs_buf_detach(&cmd);
}

/*
 * Run a shell command in sh_dir, its output thrown away; its exit
 * status as system() gives it, so 0 is success.
 */
static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int ret;

	va_start(ap, fmt);
	cmd = sh_command(">/dev/null 2>&1", fmt, ap);
	va_end(ap);
	ret = cmd ? system(cmd) : -1;
	free(cmd);
	return ret;
}

/*
 * Add what a shell command run in sh_dir prints on its standard output
 * to `out`; its standard error is thrown away.
 */
static inline void sh_capture(qs_buf *out, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static inline void sh_capture(qs_buf *out, const char *fmt, va_list ap)
{
	char chunk[4096], *cmd = sh_command("2>/dev/null", fmt, ap);
	size_t n;
	FILE *p = cmd ? popen(cmd, "r") : NULL;

	if (p) {
		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			qs_buf_add(out, chunk, n);
		pclose(p);
	}
	free(cmd);
}

/* All that a shell command prints, to free(); "" when it cannot run. */
static inline char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *sh_out(const char *fmt, ...)
{
	qs_buf out = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sh_capture(&out, fmt, ap);
	va_end(ap);
	return qs_buf_detach(&out);
}

/*
 * The first line a shell command prints, without its trailing white
 * space: the one value git plumbing (rev-parse, hash-object) answers.
 */
static inline char *sh_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *sh_line(const char *fmt, ...)
{
	qs_buf out = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sh_capture(&out, fmt, ap);
	va_end(ap);
	qs_buf_truncate(&out, strcspn(out.ptr, "\n"));
	qs_buf_rtrim(&out);
	return qs_buf_detach(&out);
}

/*
 * The object `rev` names, as `git rev-parse` in sh_dir tells it, to
 * judge the ids the library computes; all zeros when git names none.
 */
static inline void git_rev(git_oid *out, const char *rev)
{
	char *hex = sh_line("git rev-parse '%s'", rev);

	if (!hex || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(out, hex) < 0)
		memset(out, 0, sizeof(*out));
	free(hex);
}

#endif
