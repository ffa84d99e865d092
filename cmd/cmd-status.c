/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync status: the report of the last build that wrote anything,
 * as kept in the repository by `quiltsync build`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static const char usage[] = "quiltsync status [-c FILE] [--json]";

int cmd_status(int argc, char **argv)
{
	const char *config_path = NULL;
	int json = 0, ret;
	qs_config *cfg = NULL;
	char *path = NULL, buf[65536];
	FILE *f = NULL;
	size_t n;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "the config (default: ./quiltsync.yaml)", 0 },
		{ CLI_OPT_FLAG, 0, "json", &json, NULL,
		  "the report as JSON, as `quiltsync build --json` printed it", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	if (cli_parse_no_operands(argc, argv, options, usage,
				"Show the report of the last build.", &ret))
		return ret;
	if ((ret = cli_load_config(&cfg, config_path)) != 0)
		return ret;
	path = report_path(cfg, json ? "json" : "txt");
	if (!path) {
		cli_error("'%s' is not a git repository", qs_config_repository(cfg));
		ret = QS_EXIT_USAGE;
		goto done;
	}
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT) {
			cli_error("no build has written to '%s' yet",
				  qs_config_repository(cfg));
			ret = QS_EXIT_FAILED;
		} else {
			cli_error("cannot read '%s': %s", path, strerror(errno));
			ret = QS_EXIT_SYSTEM;
		}
		goto done;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	ret = ferror(f) ? QS_EXIT_SYSTEM : QS_EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout))
		ret = QS_EXIT_SYSTEM;
done:
	if (f)
		fclose(f);
	free(path);
	qs_config_free(cfg);
	return ret;
}
