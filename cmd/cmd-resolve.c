/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync resolve: record how a person resolved an integration
 * conflict, from the worktree where they did, so that every later build
 * applies the same resolution (quiltsync-resolve(1)).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "quiltsync resolve [-c FILE] [--worktree DIR]";

int cmd_resolve(int argc, char **argv)
{
	const char *config_path = NULL, *worktree = ".";
	int ret;
	qs_config *cfg = NULL;
	size_t recorded = 0;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "the config (default: ./quiltsync.yaml)", 0 },
		{ CLI_OPT_STRING, 'C', "worktree", &worktree, "DIR",
		  "the worktree where the merge was resolved (default: .)", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	if (cli_parse_no_operands(argc, argv, options, usage,
				"Record the resolution of an integration conflict, "
				"from a worktree where git merge stopped and the files "
				"were then fixed.", &ret))
		return ret;
	if ((ret = cli_load_config(&cfg, config_path)) != 0)
		return ret;
	if (qs_resolve_record(&recorded, cfg, worktree) < 0) {
		ret = cli_fail();
		goto done;
	}
	printf("recorded %zu resolved hunk%s in %s\n", recorded,
	       recorded == 1 ? "" : "s", qs_config_resolutions(cfg));
	ret = QS_EXIT_OK;
done:
	qs_config_free(cfg);
	return ret;
}
