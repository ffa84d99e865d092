/* SPDX-License-Identifier: GPL-2.0-only */
#include "quiltsync.h"

int main(void)
{
	return 2;
}
