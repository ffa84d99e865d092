/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs__strmap: a map from strings to size_t, by open addressing. Keys are
 * copied. Entries are added, looked up and updated, never removed: that
 * is all the queue needs (patch names, stems, posting ids, slugs).
 * Zero-initialise (QS__STRMAP_INIT) to start; qs__strmap_clear to free.
 */
#ifndef QS_STRMAP_H
#define QS_STRMAP_H

#include "internal.h"

struct qs__strmap {
	struct qs__strmap_slot {
		char *key;
		size_t value;
	} *slots;
	size_t cap; /* 0 or a power of two */
	size_t count;
};

#define QS__STRMAP_INIT { NULL, 0, 0 }

/** The value stored for `key`, to read or update in place, or NULL. */
size_t *qs__strmap_get(const struct qs__strmap *map, const char *key);
/** Set `key` to `value`, adding it when new. 0 or QS_ENOMEM. */
int qs__strmap_put(struct qs__strmap *map, const char *key, size_t value);
void qs__strmap_clear(struct qs__strmap *map);

#endif
