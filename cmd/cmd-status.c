/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync status: the report of the last build that wrote anything,
 * as the build kept it in the repository, shown as `quiltsync build`
 * showed it (the JSON names the manifest that records those branches).
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
	qs_build *build = NULL;
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
	if (qs_build_report_load(&build, cfg) < 0) {
		/* no build yet is a failed question, not a broken system */
		ret = qs_error_last()->code == QS_ENOTFOUND ? (cli_fail(), QS_EXIT_FAILED) :
		      cli_fail();
		goto done;
	}
	if (json) {
		if (report_json(stdout, build, 0) < 0) {
			ret = cli_fail();
			goto done;
		}
	} else {
		report_human(stdout, build, 0);
		report_warnings(build);
	}
	ret = QS_EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output: %s", strerror(errno));
		ret = QS_EXIT_SYSTEM;
	}
done:
	qs_build_free(build);
	qs_config_free(cfg);
	return ret;
}
