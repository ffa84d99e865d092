/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The steps of qs_manifest_load() that come after git: an empty
 * manifest, then each blob's JSON tree checked and kept, in the order
 * the loader follows (build.json first, as its format decides how the
 * rest reads; its counts are what the others must match). Apart, so
 * that the fuzzer checks the manifest reader without a repository.
 */
#ifndef QS_MANIFEST_INTERNAL_H
#define QS_MANIFEST_INTERNAL_H

#include "internal.h"
#include "json-read.h"
#include "manifest-copy.h"

/** An empty manifest, for the steps below; NULL when out of memory. */
qs_manifest *qs__manifest_new(void);

/*
 * Check one blob's tree and keep it in the manifest (freed with it,
 * whatever the result). 0, or QS_EPARSE naming the blob and the field,
 * or QS_ENOMEM. After a failure, only qs_manifest_free() may follow.
 */
int qs__manifest_take_build(qs_manifest *m, struct qs__json_doc *doc);
int qs__manifest_take_branches(qs_manifest *m, struct qs__json_doc *doc);
int qs__manifest_take_patches(qs_manifest *m, struct qs__json_doc *doc);

/*
 * patches.json as QS_MANIFEST_LAZY reads it: `copy` is taken (emptied
 * here, released with the manifest) and its patches are each parsed and
 * checked when first asked for; copy->spans may be NULL, for the
 * splitter to find them. The load's errors are the eager one's: what
 * cannot be split is parsed whole for them.
 */
int qs__manifest_take_patches_copy(qs_manifest *m, struct qs__manifest_copy *copy);

#endif
