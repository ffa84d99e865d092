/* SPDX-License-Identifier: GPL-2.0-only */
#include "strmap.h"

/* FNV-1a: short keys, no adversary; the table stays at most half full. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/* The slot holding `key`, or the empty slot where it would go. */
static struct qs__strmap_slot *probe(const struct qs__strmap *map,
				     const char *key)
{
	size_t i;

	for (i = hash_str(key) & (map->cap - 1); map->slots[i].key;
	     i = (i + 1) & (map->cap - 1))
		if (!strcmp(map->slots[i].key, key))
			break;
	return &map->slots[i];
}

size_t *qs__strmap_get(const struct qs__strmap *map, const char *key)
{
	struct qs__strmap_slot *slot;

	if (!map->cap)
		return NULL;
	slot = probe(map, key);
	return slot->key ? &slot->value : NULL;
}

static int grow(struct qs__strmap *map)
{
	struct qs__strmap old = *map;
	size_t i, cap = old.cap ? old.cap * 2 : 64;

	map->slots = qs__calloc(cap, sizeof(*map->slots));
	if (!map->slots) {
		*map = old;
		return QS_ENOMEM;
	}
	map->cap = cap;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*probe(map, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return 0;
}

int qs__strmap_put(struct qs__strmap *map, const char *key, size_t value)
{
	struct qs__strmap_slot *slot;
	size_t *v = qs__strmap_get(map, key);

	if (v) {
		*v = value;
		return 0;
	}
	if ((map->count + 1) * 2 > map->cap && grow(map) < 0)
		return QS_ENOMEM;
	slot = probe(map, key);
	if (!(slot->key = qs__strdup(key)))
		return QS_ENOMEM;
	slot->value = value;
	map->count++;
	return 0;
}

void qs__strmap_clear(struct qs__strmap *map)
{
	size_t i;

	for (i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	map->slots = NULL;
	map->cap = map->count = 0;
}
