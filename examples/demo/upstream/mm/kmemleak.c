// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/kmemleak.c: kernel memory leak detector (demo tree).
 */
#include <linux/kmemleak.h>

static void scan_block(void *_start, void *_end,
		       struct kmemleak_object *scanned)
{
	unsigned long *ptr;
	unsigned long *start = PTR_ALIGN(_start, BYTES_PER_POINTER);
	unsigned long *end = _end - (BYTES_PER_POINTER - 1);

	for (ptr = start; ptr < end; ptr++) {
		if (scan_should_stop())
			break;
		update_refs(*ptr);
	}
}

static void scan_large_block(void *start, void *end)
{
	void *next;

	while (start < end) {
		next = min(start + MAX_SCAN_SIZE, end);
		scan_block(start, next, NULL);
		start = next;
		cond_resched();
	}
}
