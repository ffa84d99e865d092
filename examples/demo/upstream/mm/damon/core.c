// SPDX-License-Identifier: GPL-2.0
/*
 * mm/damon/core.c: Data Access Monitor (demo tree).
 */
#include <linux/damon.h>

struct damos_quota {
	unsigned long ms;
	unsigned long sz;
	unsigned long reset_interval;
};

static void damos_set_effective_quota(struct damos_quota *quota)
{
	unsigned long throughput;
	unsigned long esz;

	if (!quota->ms) {
		quota->esz = quota->sz;
		return;
	}

	throughput = quota->total_charged_sz * 1000000 /
		quota->total_charged_ns;
	esz = throughput * quota->ms;

	if (quota->sz && quota->sz < esz)
		esz = quota->sz;
	quota->esz = esz;
}
