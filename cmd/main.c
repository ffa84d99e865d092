/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "build", cmd_build, "build every branch the config describes, in one step" },
	{ "publish", cmd_publish, "push the built branches to the config's remotes, atomically" },
	{ "status", cmd_status, "show the report of the last build" },
	{ "which", cmd_which, "show which branches and commits hold a patch" },
	{ "resolve", cmd_resolve, "record how an integration conflict was resolved" },
	{ "series", cmd_series, "list the queue's sections, patch series and branch names" },
	{ "show-patch", cmd_show_patch, "show what quiltsync reads from patch files" },
	{ "apply", cmd_apply, "apply patches to a git tree as quilt push would (plumbing)" },
	{ NULL, NULL, NULL },
};

static void print_usage(FILE *out)
{
	const struct cli_command *c;

	fputs("usage: quiltsync [--version] [--help] <command> [<args>]\n\n"
	      "Turn a quilt patch queue into git branches.\n\ncommands:\n", out);
	for (c = commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fputs("\n'quiltsync <command> --help' describes a command; "
	      "quiltsync(1) has the rest.\n", out);
}

int main(int argc, char **argv)
{
	const struct cli_command *c;
	const char *name;

	if (argc < 2) {
		print_usage(stderr);
		return QS_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			/* "quiltsync help series" is "quiltsync series --help" */
			char *help_argv[] = { argv[2], (char *)"--help", NULL };

			for (c = commands; c->name; c++)
				if (!strcmp(c->name, argv[2]))
					return c->run(2, help_argv);
			cli_error("'%s' is not a quiltsync command", argv[2]);
			return QS_EXIT_USAGE;
		}
		print_usage(stdout);
		return QS_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("quiltsync %s\n", qs_version());
		return QS_EXIT_OK;
	}
	if (name[0] == '-') {
		cli_error("unknown option '%s'", name);
		print_usage(stderr);
		return QS_EXIT_USAGE;
	}
	cli_setup_logging(0);
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c->run(argc - 1, argv + 1);
	cli_error("'%s' is not a quiltsync command; see 'quiltsync --help'", name);
	return QS_EXIT_USAGE;
}
