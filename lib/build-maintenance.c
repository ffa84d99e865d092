// SPDX-License-Identifier: GPL-2.0-only
/*
 * After a build that published: git's own housekeeping, run the way git
 * runs it after its own commands (quiltsync-build(1), "Housekeeping").
 *
 * Every build writes its objects as new packs, and a cron job that runs
 * only quiltsync runs no git command that would ever merge them: past
 * about 50 packs every object lookup slows down, and the commits of
 * older nights, unreachable once the branches are rebuilt, are never
 * pruned. Merging our own packs inside the library would bound their
 * number but keep every unreachable object forever; git's gc bounds
 * both, by rules the user may already have tuned or turned off
 * (gc.auto, gc.autoPackLimit, gc.pruneExpire, maintenance.auto). So we
 * ask the system git, as a git command would, and let it decide.
 */
#include "internal.h"
#include "build-internal.h"
#include "git-exec.h"

#include "banned.h"

/*
 * The two settings read before: `git maintenance register` sets
 * maintenance.auto to false, and git's own commands then leave the
 * repository to the scheduled runs (`maintenance run --auto` does not
 * look at it, its callers do); gc.cruftPacks, only to know whether the
 * user chose. Both as booleans, each one line "key true|false".
 */
static const char *const config_argv[] = {
	"config", "--type=bool", "--get-regexp",
	"^(maintenance\\.auto|gc\\.cruftpacks)$", NULL
};

/*
 * In the foreground: a gc detached in the background would still be
 * repacking when the build returns, racing whatever the cron job does
 * next (a push, the next build). git 2.39's gc has no --no-detach, but
 * the setting reaches the gc that maintenance starts.
 *
 * Unreachable objects in a cruft pack, unless the user chose otherwise:
 * a rebuilt -mm tree leaves thousands of unreachable commits and trees
 * a night, which gc otherwise keeps as loose objects for their two
 * weeks' grace. Measured on the Linux-scale queue (bench/nights): 50,000
 * loose objects, more than gc.auto, so a 40-second gc after every build,
 * with its warning. git before 2.37 ignores the setting.
 */
static const char *const run_argv[] = {
	"-c", "gc.cruftPacks=true", "-c", "gc.autoDetach=false",
	"maintenance", "run", "--auto", "--quiet", NULL
};

/* The setting `key` in `config_argv`'s output: 1 true, 0 false, -1 unset. */
static int setting(const qs_buf *out, const char *key)
{
	size_t klen = strlen(key);
	const char *p = out->ptr;

	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return !strncmp(p + klen + 1, "true", 4);
		if (!nl)
			break;
		p = nl + 1;
	}
	return -1;
}

/* git's standard error as one line: its lines joined with "; ". */
static void one_line(qs_buf *out, const qs_buf *err)
{
	const char *p = err->ptr, *end = err->ptr + err->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len) {
			if (out->len)
				qs_buf_adds(out, "; ");
			qs_buf_add(out, p, len);
		}
		p = nl ? nl + 1 : end;
	}
}

/* A warning naming what failed; the build's result stands. */
static int warn(struct build_ctx *c, const char *what, int status,
		const qs_buf *err)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	one_line(&text, err);
	if (qs_buf_oom(&text))
		ret = QS_ENOMEM;
	else if (status)
		ret = qs__report_warn(c->b, "%s failed (exit %d): %s", what, status,
				      text.len ? text.ptr : "no message");
	else
		ret = qs__report_warn(c->b, "%s: %s", what, text.ptr);
	qs_buf_release(&text);
	return ret;
}

void qs__build_maintenance(struct build_ctx *c)
{
	const char *dir = git_repository_commondir(c->repo);
	qs_buf out = QS_BUF_INIT, err = QS_BUF_INIT;
	const char *const *argv = run_argv;
	int ret, status;

	ret = qs__git_run(&status, &out, &err, dir, config_argv);
	if (ret < 0)
		goto cannot_run;
	/* 1: neither is set */
	if (status != 0 && status != 1) {
		ret = warn(c, "git maintenance not run: git config", status, &err);
		goto done;
	}
	if (setting(&out, "maintenance.auto") == 0)
		goto done;
	if (setting(&out, "gc.cruftpacks") >= 0)
		argv = run_argv + 2;	/* the user chose: no -c gc.cruftPacks */
	qs_buf_clear(&err);
	if ((ret = qs__git_run(&status, NULL, &err, dir, argv)) < 0)
		goto cannot_run;
	/* quiet, it says only what it must: a failure, or a warning of gc's */
	if (status != 0 || err.len)
		ret = warn(c, "git maintenance run --auto", status, &err);
	goto done;
cannot_run:
	if (ret != QS_ENOMEM)
		ret = qs__report_warn(c->b, "git maintenance not run: %s",
				      qs_error_last()->message);
done:
	/* the refs are out: a build that got this far has succeeded */
	if (ret < 0)
		qs__log(QS_LOG_WARNING, NULL, 0, "git maintenance: %s",
			qs_error_last()->message);
	qs_error_clear();
	qs_buf_release(&out);
	qs_buf_release(&err);
}
