/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data; (void)size;
	return 0;
}
