// SPDX-License-Identifier: GPL-2.0
/*
 * mm/vmscan.c: page reclaim (demo tree).
 */
#include <linux/mm.h>
#include <linux/swap.h>

struct scan_control {
	/* How many pages shrink_list() should reclaim */
	unsigned long nr_to_reclaim;

	/* Incremented by the number of inactive pages that were scanned */
	unsigned long nr_scanned;

	/* Number of pages freed so far during a call to shrink_zones() */
	unsigned long nr_reclaimed;

	/* Allocation order */
	s8 order;
};

#define SWAP_CLUSTER_MAX 32UL

static unsigned long shrink_list(struct lruvec *lruvec,
				 struct scan_control *sc)
{
	unsigned long nr = 0;

	while (sc->nr_reclaimed < sc->nr_to_reclaim) {
		nr = shrink_one(lruvec, sc);
		if (!nr)
			break;
		sc->nr_scanned += nr;
		sc->nr_reclaimed += nr;
	}
	return nr;
}

unsigned long try_to_free_pages(struct zonelist *zonelist, int order)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.order = order,
	};

	return do_try_to_free_pages(zonelist, &sc);
}
