// SPDX-License-Identifier: GPL-2.0-only
/* A set of object ids; see oidset.h. */
#include "oidset.h"

static size_t slot_of(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (cap - 1);
}

int qs__oidset_has(const struct qs__oidset *set, const git_oid *id)
{
	size_t i;

	if (!set->cap)
		return 0;
	for (i = slot_of(id, set->cap); set->used[i]; i = (i + 1) & (set->cap - 1))
		if (git_oid_equal(&set->slots[i], id))
			return 1;
	return 0;
}

static void put(git_oid *slots, unsigned char *used, size_t cap,
		const git_oid *id)
{
	size_t i;

	for (i = slot_of(id, cap); used[i]; i = (i + 1) & (cap - 1))
		;
	used[i] = 1;
	git_oid_cpy(&slots[i], id);
}

/* Double the table (from 64 slots) when it would pass three quarters full. */
static int grow(struct qs__oidset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64, i;
	git_oid *slots;
	unsigned char *used;

	if (cap < set->cap)
		return QS_ENOMEM;
	slots = qs__calloc(cap, sizeof(*slots));
	used = qs__calloc(cap, 1);
	if (!slots || !used) {
		free(slots);
		free(used);
		return QS_ENOMEM;
	}
	for (i = 0; i < set->cap; i++)
		if (set->used[i])
			put(slots, used, cap, &set->slots[i]);
	free(set->slots);
	free(set->used);
	set->slots = slots;
	set->used = used;
	set->cap = cap;
	return 0;
}

int qs__oidset_add(struct qs__oidset *set, const git_oid *id)
{
	if (qs__oidset_has(set, id))
		return 0;
	if ((set->count + 1) * 4 > set->cap * 3 && grow(set) < 0)
		return QS_ENOMEM;
	put(set->slots, set->used, set->cap, id);
	set->count++;
	return 1;
}

void qs__oidset_clear(struct qs__oidset *set)
{
	free(set->slots);
	free(set->used);
	memset(set, 0, sizeof(*set));
}
