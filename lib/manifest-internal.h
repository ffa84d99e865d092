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
#include "strmap.h"

#include <git2.h>

/* The words of "on[].kind", in the order of qs_manifest_start_kind. */
#define QS__MANIFEST_START_KINDS 4
extern const char *const qs__manifest_start_names[QS__MANIFEST_START_KINDS];

/*
 * The loaded manifest: every string points into a JSON tree it keeps,
 * checked at load time (or, lazily, when a patch is first asked for), so
 * that the accessors (manifest-access.c) neither fail nor copy.
 */
struct qs_manifest_branch {
	const char *name, *section, *series, *slug, *tip, *depends_on;
	qs_branch_kind kind;
	qs_branch_mode mode;
	qs_manifest_status status;
	int publish;	/* 0: failed-series: unpublish took it out of publishing */
	size_t patches;
	const char *error, *error_patch, *error_file;
	size_t error_line, error_hunk;
	const struct qs__json_value *on; /* checked: objects of known kinds */
};

struct qs_manifest_patch {
	const char *name, *section, *blob, *message_id, *subject;
	const char *author_name, *author_email, *date;
	size_t line;
	int committed;
	int64_t time;
	int offset;
	const char *series, *series_slug;
	size_t series_position, series_count;
	qs_manifest_applied applied;
	size_t applied_offset, applied_fuzz;
	const char *applied_error;
	/* checked: objects or strings of the right fields */
	const struct qs__json_value *trailers, *files, *commits;
};

struct qs_manifest {
	char id[GIT_OID_HEXSZ + 1];
	char parent[GIT_OID_HEXSZ + 1];
	int has_parent;
	int format;
	const char *base, *base_id, *upstream, *upstream_id, *series_blob;
	struct qs__json_doc *build, *branches_doc, *patches_doc;
	struct qs_manifest_branch *branches;
	size_t nbranches;
	struct qs__strmap byname; /* branch name -> index */
	struct qs_manifest_patch *patches;
	size_t npatches;
	/* build.json's counts, which the other blobs must match */
	size_t want_branches, want_patches;
	/*
	 * QS_MANIFEST_LAZY: patches.json's text and where each patch lies in
	 * it (copy.patches, copy.spans); patch i's tree, once parsed and
	 * checked, else NULL.
	 */
	int lazy;
	struct qs__manifest_copy copy;
	struct qs__json_doc **patch_docs;
};


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
