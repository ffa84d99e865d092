/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The derived copy of a manifest's patches.json,
 * "<common dir>/quiltsync/manifest-patches": the blob's bytes as they
 * are, uncompressed, behind one header line that names the manifest
 * commit, the blob and the length:
 *
 *   quiltsync manifest-patches 1 <commit id> <blob id> <length>
 *
 * A Linux-sized patches.json is 3 MB; inflating it into fresh memory
 * for every `quiltsync which` cost more than the rest of the query (zlib,
 * and a page fault per 4 KB, which some virtual machines make dear). A
 * mapping of the copy costs neither: its pages come from the page cache,
 * and only those touched.
 *
 * The copy is derived and always safe to delete. A reader uses it only
 * when its header names the very manifest commit and blob it is loading
 * and the file is as long as the header says; anything else (absent,
 * another manifest's, cut short, unreadable) is as if there were none:
 * the blob is read, and the copy written anew for the next reader, when
 * the repository can be written to. It is replaced whole by a rename,
 * never edited in place, so a mapping never sees it change.
 */
#ifndef QS_MANIFEST_COPY_H
#define QS_MANIFEST_COPY_H

#include "internal.h"

#include <git2.h>

/* patches.json's bytes, and what holds them. */
struct qs__manifest_text {
	const char *data;
	size_t len;
	void *map;       /* the copy, mapped; or NULL */
	size_t map_len;
	git_blob *blob;  /* or the blob, which the repository must outlive; or NULL */
	char *owned;     /* or a malloc()ed copy of the blob; or NULL */
};

/*
 * The bytes of the blob `blob_id`, patches.json of the manifest commit
 * `manifest_id` (hex) in `repo`: from the copy when it is this one's,
 * else from the blob, writing the copy when the repository lets us (a
 * failure to write is only logged, at QS_LOG_DEBUG). With `outlive_repo`
 * the bytes stay valid after `repo` is freed. 0, QS_EGIT, QS_ENOMEM.
 */
int qs__manifest_text_read(struct qs__manifest_text *out, git_repository *repo,
			   const char *manifest_id, const git_oid *blob_id,
			   int outlive_repo);

/* Let the bytes go; the struct is then empty. NULL-safe. */
void qs__manifest_text_release(struct qs__manifest_text *text);

#endif
