/* SPDX-License-Identifier: GPL-2.0-only */
#include "cli.h"

int cmd_series(int argc, char **argv)
{
	(void)argc; (void)argv;
	cli_error("not built yet");
	return QS_EXIT_SYSTEM;
}
