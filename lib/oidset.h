/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs__oidset: a set of object ids, by open addressing on the id's first
 * bytes (already uniformly spread). Ids are added and looked up, never
 * removed: what the build has checked or must write again only grows
 * during a run. Zero-initialise (QS__OIDSET_INIT); qs__oidset_clear frees.
 */
#ifndef QS_OIDSET_H
#define QS_OIDSET_H

#include "internal.h"

#include <git2.h>

struct qs__oidset {
	git_oid *slots;
	unsigned char *used;
	size_t cap;	/* 0 or a power of two */
	size_t count;
};

#define QS__OIDSET_INIT { NULL, NULL, 0, 0 }

/* 1 when `id` is in the set. */
int qs__oidset_has(const struct qs__oidset *set, const git_oid *id);
/* Add `id`: 1 when it was new, 0 when already there, QS_ENOMEM. */
int qs__oidset_add(struct qs__oidset *set, const git_oid *id);
void qs__oidset_clear(struct qs__oidset *set);

#endif
