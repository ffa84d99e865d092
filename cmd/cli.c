/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "cli.h"

const char *const cli_default_placeholders[] = {
	"mm-stable.patch",
	"mm-nonmm-stable.patch",
	"mm-hotfixes-stable.patch",
	"origin.patch",
	"linux-next.patch",
	"stop.patch",
	NULL,
};

int cli_series_convention(qs_series_convention *out, const char *word)
{
	if (!strcmp(word, "branch")) {
		*out = QS_SERIES_BRANCH;
		return 0;
	}
	if (!strcmp(word, "mmotm")) {
		*out = QS_SERIES_MMOTM;
		return 0;
	}
	cli_error("option '--sections' expects branch or mmotm, not '%s'", word);
	return -1;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("quiltsync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	fputs("quiltsync: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(int code)
{
	switch (code) {
	case QS_OK:
		return QS_EXIT_OK;
	case QS_EPARSE:
	case QS_ENOTFOUND:
	case QS_EUNSAFE:
		return QS_EXIT_INPUT;
	case QS_EINVAL:
	case QS_ECONFIG:
		return QS_EXIT_USAGE;
	case QS_EAPPLY:
		return QS_EXIT_FAILED;
	case QS_ECONFLICT:
		return QS_EXIT_CONFLICT;
	case QS_ELOCKED:
		return QS_EXIT_LOCKED;
	case QS_EREWRITE:
		return QS_EXIT_REWRITE;
	case QS_EMOVED:
		return QS_EXIT_MOVED;
	default:
		return QS_EXIT_SYSTEM;
	}
}

int cli_fail(void)
{
	const qs_error *e = qs_error_last();

	cli_error("%s", e->message);
	return cli_exit_code(e->code);
}

static void log_to_stderr(void *payload, qs_log_level level, const char *path,
			  size_t line, const char *message)
{
	const char *what = level <= QS_LOG_ERR ? "error: " :
			   level == QS_LOG_WARNING ? "warning: " : "";

	(void)payload;
	if (path && line)
		fprintf(stderr, "quiltsync: %s%s:%zu: %s\n", what, path, line, message);
	else if (path)
		fprintf(stderr, "quiltsync: %s%s: %s\n", what, path, message);
	else
		fprintf(stderr, "quiltsync: %s%s\n", what, message);
}

void cli_setup_logging(int verbose)
{
	qs_log_set(log_to_stderr, NULL,
		   verbose > 1 ? QS_LOG_DEBUG : verbose ? QS_LOG_INFO : QS_LOG_WARNING);
}

static const struct cli_opt *find_long(const struct cli_opt *opts,
				       const char *name, size_t len)
{
	for (; opts->type != CLI_OPT_END; opts++)
		if (opts->long_name && strlen(opts->long_name) == len &&
		    !strncmp(opts->long_name, name, len))
			return opts;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (; opts->type != CLI_OPT_END; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

static int takes_arg(const struct cli_opt *o)
{
	return o->type == CLI_OPT_STRING || o->type == CLI_OPT_INT ||
	       o->type == CLI_OPT_LIST;
}

static int set_value(const struct cli_opt *o, const char *arg, const char *shown)
{
	char *end;
	long v;

	switch (o->type) {
	case CLI_OPT_FLAG:
		*(int *)o->value = 1;
		return 0;
	case CLI_OPT_CHOICE:
		*(int *)o->value = o->choice;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case CLI_OPT_LIST: {
		struct cli_list *l = o->value;
		const char **items = realloc(l->items, (l->count + 2) * sizeof(*items));

		if (!items) {
			cli_error("out of memory");
			return -1;
		}
		items[l->count++] = arg;
		items[l->count] = NULL;
		l->items = items;
		return 0;
	}
	case CLI_OPT_INT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < INT_MIN || v > INT_MAX) {
			cli_error("option '%s' expects a number, not '%s'", shown, arg);
			return -1;
		}
		*(int *)o->value = (int)v;
		return 0;
	default:
		return -1;
	}
}

void cli_print_help(FILE *out, const struct cli_opt *opts, const char *usage,
		    const char *summary)
{
	fprintf(out, "usage: %s\n", usage);
	if (summary)
		fprintf(out, "\n%s\n", summary);
	if (opts->type == CLI_OPT_END)
		return;
	fputs("\noptions:\n", out);
	for (; opts->type != CLI_OPT_END; opts++) {
		char left[64];
		int n = 0;

		if (opts->short_name && opts->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s", opts->short_name,
				     opts->long_name);
		else if (opts->short_name)
			n = snprintf(left, sizeof(left), "-%c", opts->short_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", opts->long_name);
		if (takes_arg(opts) && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
				 opts->arg_name ? opts->arg_name : "ARG");
		fprintf(out, "  %-28s %s\n", left, opts->help);
	}
	fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

int cli_parse_options(int argc, char **argv, const struct cli_opt *opts,
		      const char *usage, const char *summary, int *nargs)
{
	int i, n = 0, only_operands = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_operands || a[0] != '-' || !a[1]) {
			argv[n++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_print_help(stdout, opts, usage, summary);
			return 1;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o = find_long(opts, name, len);
			const char *arg = NULL;

			if (!o) {
				cli_error("unknown option '%.*s'", (int)len + 2, a);
				goto usage;
			}
			if (takes_arg(o)) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else {
					cli_error("option '--%s' requires a value", o->long_name);
					goto usage;
				}
			} else if (eq) {
				cli_error("option '--%s' takes no value", o->long_name);
				goto usage;
			}
			if (set_value(o, arg, a) < 0)
				goto usage;
			continue;
		}
		/* a cluster of short options: -qk, -p1, -c file */
		for (char *c = a + 1; *c; c++) {
			const struct cli_opt *o = find_short(opts, *c);
			char shown[3] = { '-', *c, '\0' };

			if (!o) {
				cli_error("unknown option '-%c'", *c);
				goto usage;
			}
			if (takes_arg(o)) {
				const char *arg = c[1] ? c + 1 : i + 1 < argc ? argv[++i] : NULL;

				if (!arg) {
					cli_error("option '-%c' requires a value", *c);
					goto usage;
				}
				if (set_value(o, arg, shown) < 0)
					goto usage;
				break;
			}
			if (set_value(o, NULL, shown) < 0)
				goto usage;
		}
	}
	*nargs = n;
	return 0;
usage:
	fprintf(stderr, "usage: %s\n", usage);
	return -1;
}

int cli_load_config(qs_config **cfg, const char *path)
{
	const qs_error *e;

	if (qs_config_load(cfg, path ? path : QS_CONFIG_DEFAULT_NAME) == 0)
		return 0;
	e = qs_error_last();
	if (!path && e->code == QS_ENOTFOUND)
		cli_error("no %s in the current directory; give one with -c FILE",
			  QS_CONFIG_DEFAULT_NAME);
	else
		cli_error("%s", e->message);
	return e->code == QS_EIO ? QS_EXIT_SYSTEM : QS_EXIT_USAGE;
}

/* libgit2's pack windows (its defaults: 1 GiB windows, 8 GiB mapped) */
#define MWINDOW_BYTES (32u << 20)
#define MWINDOW_LIMIT (64u << 20)

void cli_tune_libgit2(void)
{
	git_libgit2_init();
	/*
	 * Map packs in small windows: a kernel-sized pack read through one
	 * huge window keeps every page we touched resident.
	 */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)MWINDOW_BYTES);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)MWINDOW_LIMIT);
	/*
	 * libgit2 hashes every object it reads again, to check it; git does
	 * not (pack data carries its own checksums). A fifth of a kernel
	 * queue's time went there.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

int cli_parse_no_operands(int argc, char **argv, const struct cli_opt *opts,
			  const char *usage, const char *summary, int *exit_code)
{
	int nargs = 0, ret = cli_parse_options(argc, argv, opts, usage, summary,
					       &nargs);

	if (ret) {
		*exit_code = ret > 0 ? QS_EXIT_OK : QS_EXIT_USAGE;
		return 1;
	}
	if (nargs) {
		cli_error("unexpected argument '%s'", argv[0]);
		fprintf(stderr, "usage: %s\n", usage);
		*exit_code = QS_EXIT_USAGE;
		return 1;
	}
	return 0;
}
