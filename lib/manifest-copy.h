/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The derived copy of a manifest, "<common dir>/quiltsync/manifest-copy":
 * the manifest commit's three blobs as they are, uncompressed, and where
 * each patch lies in patches.json, behind one header line:
 *
 *   quiltsync manifest-copy 1 <commit> <parent> <build> <branches> <patches> <count>
 *
 * <parent> is "-" for the first build's manifest; then come the lengths
 * of build.json, branches.json and patches.json and the number of
 * patches. The blobs' bytes follow, in that order, and then nine bytes
 * a patch: where it starts and ends in patches.json, 32-bit numbers in
 * little-endian order, and 1 or 0, whether its strings are escaped as
 * the writer escapes them (qs__json_span).
 *
 * A Linux-sized manifest is 3 MB of JSON. Read from git, a query paid
 * for the commit and tree from a pack, for the blobs inflated into fresh
 * memory (zlib, and a page fault per 4 KB, which some virtual machines
 * make dear), and for splitting patches.json into its patches: more
 * than the rest of the query. From the copy, a load reads the manifest's
 * ref and maps one file, whose pages come from the page cache, and only
 * those touched.
 *
 * The copy is derived and always safe to delete. A load uses it only
 * for the very manifest commit its header names, when the file is
 * exactly as long as the header says and its index fits patches.json;
 * anything else (absent, another manifest's, cut short, unreadable) is
 * as if there were none: the manifest is read from git, and the copy
 * written anew when the repository can be written to. It is replaced
 * whole by a rename, never edited in place, so a mapping never sees it
 * change.
 */
#ifndef QS_MANIFEST_COPY_H
#define QS_MANIFEST_COPY_H

#include "internal.h"
#include "json-read.h"

#include <git2.h>

/* A manifest's blobs and its patches' places, and what holds them. */
struct qs__manifest_copy {
	char parent[GIT_OID_HEXSZ + 1]; /* "" for the first build's manifest */
	const char *build, *branches, *patches;
	size_t build_len, branches_len, patches_len;
	/* where each patch lies in patches.json; NULL when not known */
	struct qs__json_span *spans;
	size_t nspans;
	/* what holds the bytes: one of these */
	void *map;          /* the copy, mapped */
	size_t map_len;
	git_blob *blob[3];  /* the blobs, which the repository must outlive */
	char *owned;        /* the blobs' bytes, malloc()ed */
};

/*
 * The copy of the manifest commit `id`: 0 when there is one, mapped; 1
 * when there is none that can be used. QS_ENOMEM.
 */
int qs__manifest_copy_map(struct qs__manifest_copy *out, const char *common_dir,
			  const git_oid *id);

/*
 * The latest manifest's commit (`*id`) and its copy mapped, found
 * without libgit2 (whose start costs a query more than the query): the
 * ref read as git stores it, loose or packed, in a repository laid out
 * plainly (a .git directory, or a bare one). 0 when mapped; 1 when this
 * way cannot tell (a linked worktree, no such ref, a copy of another
 * commit): then libgit2 must.
 */
int qs__manifest_copy_quick(struct qs__manifest_copy *copy, git_oid *id,
			    const char *repository);

/*
 * The manifest `commit` from git: its parent, build.json, branches.json,
 * and with `patches` patches.json, whose copy is then written for the
 * next load when the repository lets us (a failure to write is only
 * logged, at QS_LOG_DEBUG). With `keep`, nothing refers to the
 * repository, which may then be freed first. QS_EPARSE when a blob is
 * missing ("commit X is not a manifest: it has no 'build.json'"),
 * QS_EGIT, QS_ENOMEM.
 */
int qs__manifest_copy_read(struct qs__manifest_copy *out, git_repository *repo,
			   git_commit *commit, int patches, int keep);

/* Let the bytes go; the struct is then empty. NULL-safe. */
void qs__manifest_copy_release(struct qs__manifest_copy *copy);

#endif
