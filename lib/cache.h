/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The build's cache: every commit the build makes is keyed by what made
 * it (the parent, the patch's bytes, the options, the engine's epoch),
 * so that a rebuild of an unchanged queue finds every commit and applies
 * nothing. The cache is one blob under refs/quiltsync/cache, written in
 * the same ref update as the branches, with a line per entry:
 *
 *	<key> <commit id>[ <note>]
 *
 * The note is what a later build needs to know of the entry besides the
 * commit: for a patch, how it applied ("fuzz,0,2"), then a space and
 * the ids of the trees and blobs the commit added to its parent's, run
 * together, which a later hit checks are still there. Entries not used by
 * a build are dropped from the next blob, so it never grows beyond one
 * build's worth.
 */
#ifndef QS_CACHE_H
#define QS_CACHE_H

#include "internal.h"
#include "objstore.h"
#include "sha1.h"
#include "strmap.h"

#include <git2.h>

#define QS_CACHE_REF "refs/quiltsync/cache"

struct qs__cache {
	struct qs__strmap old;	/* key -> index in old_ids */
	git_oid *old_ids;
	char **old_notes;	/* NULL where the entry has none */
	size_t nold, old_alloc, notes_alloc;
	git_oid old_blob;
	int has_old_blob;
	int disabled;		/* --no-cache: find nothing, still record */
	struct qs__strmap seen;	/* keys used this run */
	char **lines;		/* "key id[ note]", for the new blob */
	size_t nlines, lines_alloc;
};

/* A key: start it with what every key of this config shares. */
void qs__key_start(struct qs__sha1 *h, const struct qs_config *cfg,
		   const char *what);
void qs__key_add(struct qs__sha1 *h, const char *s);
void qs__key_add_oid(struct qs__sha1 *h, const git_oid *id);
void qs__key_finish(struct qs__sha1 *h, char out[GIT_OID_HEXSZ + 1]);

/*
 * Read the cache blob named by `repo`'s ref, through the build's store
 * (which checks it, and lists it when damaged).
 */
int qs__cache_load(struct qs__cache *cache, git_repository *repo,
		   struct qs__store *store);
/*
 * 1 and the commit (and its note, borrowed, NULL when none) when the
 * cache has an entry for `key` whose commit still exists; 0.
 */
int qs__cache_lookup(struct qs__cache *cache, git_repository *objects,
		     const char *key, git_oid *out, const char **note);
/* Keep `key` for the next blob. */
int qs__cache_remember(struct qs__cache *cache, const char *key,
		       const git_oid *id, const char *note);
/* Take the entries `from` (a thread's cache) used into `into`. */
int qs__cache_take(struct qs__cache *into, struct qs__cache *from);
/* The text of the new blob: the entries used by this run, sorted. */
int qs__cache_text(struct qs__cache *cache, qs_buf *out);
/* Free what the cache holds; `shared_old` leaves the old entries (a thread's copy). */
void qs__cache_clear(struct qs__cache *cache, int shared_old);

#endif
