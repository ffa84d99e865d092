/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command-line tool's shared pieces: the subcommand table, option
 * tables that drive both parsing and --help, exit codes and messages.
 */
#ifndef QS_CLI_H
#define QS_CLI_H

#include <stdio.h>

#include "quiltsync.h"

/*
 * Exit codes, documented in quiltsync(1). Scripts and cron jobs rely on
 * them: never renumber one.
 */
enum {
	QS_EXIT_OK = 0,
	QS_EXIT_FAILED = 1,    /* an operation failed: a patch did not apply */
	QS_EXIT_USAGE = 2,     /* bad command line or invalid configuration */
	QS_EXIT_CONFLICT = 3,  /* an integration merge conflict */
	QS_EXIT_LOCKED = 4,    /* another build holds the lock */
	QS_EXIT_INPUT = 5,     /* bad queue input: series file, patch, mail, diff */
	QS_EXIT_SYSTEM = 6,    /* repository, file system or memory failure */
	QS_EXIT_REWRITE = 7,   /* an append-only branch would be rewritten */
	QS_EXIT_MOVED = 8,     /* a branch moved while the build ran: nothing written */
	QS_EXIT_LEASE = 9,     /* publish: someone else pushed to a remote's branch: nothing of it moved */
	QS_EXIT_REMOTE = 10,   /* publish: a remote failed (unreachable, hook, timeout): nothing of it moved */
};

typedef enum {
	CLI_OPT_END = 0,
	CLI_OPT_FLAG,   /* int *: set to 1 */
	CLI_OPT_STRING, /* const char **: the argument */
	CLI_OPT_INT,    /* int *: a decimal argument */
	CLI_OPT_CHOICE, /* int *: set to `choice` (several entries share one int) */
	CLI_OPT_LIST,   /* struct cli_list *: each use appends its argument */
} cli_opt_type;

/* Arguments of a repeatable option, NULL-terminated; free(items) after use. */
struct cli_list {
	const char **items;
	size_t count;
};

struct cli_opt {
	cli_opt_type type;
	char short_name;        /* 0 for none */
	const char *long_name;  /* without "--" */
	void *value;
	const char *arg_name;   /* for --help: "FILE" */
	const char *help;
	int choice;
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/*
 * Parse argv[1..] (argv[0] is the command's name) against `opts`.
 * Options and operands may be mixed; "--" ends options. On success the
 * operands are moved to argv[0..*nargs-1] and 0 is returned. "-h" and
 * "--help" print the help to stdout and return 1 (the caller exits 0).
 * Errors are printed and return -1 (the caller exits QS_EXIT_USAGE).
 */
int cli_parse_options(int argc, char **argv, const struct cli_opt *opts,
		      const char *usage, const char *summary, int *nargs);
/*
 * cli_parse_options for a command that takes no operands. 0 to go on;
 * 1 when the command is done and must return `*exit_code` (QS_EXIT_OK
 * after --help, QS_EXIT_USAGE after an error, printed).
 */
int cli_parse_no_operands(int argc, char **argv, const struct cli_opt *opts,
			  const char *usage, const char *summary, int *exit_code);
void cli_print_help(FILE *out, const struct cli_opt *opts, const char *usage,
		    const char *summary);

/* "quiltsync: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report the library's last error on stderr and map its code to an exit
 * code.
 */
int cli_fail(void);
int cli_exit_code(int qs_code);

/*
 * akpm's series entries that stand for git refs or upstream rather than
 * patch files: the placeholders a command uses unless told others.
 */
extern const char *const cli_default_placeholders[];

/*
 * The convention --sections names ("branch" or "mmotm", as quiltsync.yaml's
 * sections key spells it): 0, or -1 after printing the error (the caller
 * exits QS_EXIT_USAGE).
 */
int cli_series_convention(qs_series_convention *out, const char *word);

/*
 * Load the config: `path`, or quiltsync.yaml in the current directory
 * when NULL. 0, or the exit code after printing the error.
 */
int cli_load_config(qs_config **cfg, const char *path);

/*
 * Set libgit2 up for kernel-sized repositories: small pack windows, no
 * second hash of every object read. Once, before any repository opens.
 */
void cli_tune_libgit2(void);

/* Install the log callback that prints the library's warnings. */
void cli_setup_logging(int verbose);

/* Subcommands, one file each. */
int cmd_series(int argc, char **argv);
int cmd_show_patch(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_which(int argc, char **argv);
int cmd_publish(int argc, char **argv);

/*
 * Publishing, shared with build --publish: fill `opts` (the progress
 * line drawn on stderr when `show_progress`, its state in
 * `progress_state`, a struct cli_publish_progress), and print a report
 * as quiltsync-publish(1) says, returning its exit code.
 */
struct cli_publish_progress {
	int show_progress, drawn;
};
void cli_publish_options(qs_publish_options *opts, const char *const *remotes,
			 const char *const *allow_rewrite, int dry_run, int wait,
			 int show_progress, void *progress_state);
int cli_publish_report(const qs_publish *p, int json, int quiet);
/* --now TIME for dated tags: 0 (and *out 0 for NULL), or -1 after printing the error. */
int cli_parse_now(long long *out, const char *text);

#endif
