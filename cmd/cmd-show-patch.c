/* SPDX-License-Identifier: GPL-2.0-only */
#include "cli.h"

int cmd_show_patch(int argc, char **argv)
{
	(void)argc; (void)argv;
	cli_error("not built yet");
	return QS_EXIT_SYSTEM;
}
