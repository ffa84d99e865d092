/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration merges, and the conflict resolutions people record for
 * them (like git rerere).
 *
 * A conflicted file is cut into conflict hunks, the stretches git's
 * merge marks with <<<<<<< ======= >>>>>>>. Each hunk is keyed by the
 * SHA-1 of its two sides ("ours" text, NUL, "theirs" text, NUL; the
 * sides swapped into byte order first, as rerere does, so that merging
 * in the other order finds the same key), and its recorded resolution
 * is the text that replaces it. Keys depend only on the conflicting
 * lines: a resolution still applies when the rest of the file changed.
 *
 * Recorded resolutions live in a directory next to the config (key
 * `resolutions`): one file per hunk, "<dir>/<key hex>", holding the
 * resolved text, written by `quiltsync resolve`. Plain files, so that
 * the maintainer can keep them in git and read them.
 */
#ifndef QS_MERGE_H
#define QS_MERGE_H

#include "internal.h"

#include <git2.h>

/* One conflict hunk of a file, as found, and whether it was resolved. */
struct qs__conflict_hunk {
	size_t line;		/* first line of the hunk in the merged file (1-based) */
	size_t ours_lines, theirs_lines;
	char key[41];		/* hex SHA-1, see above */
	int resolved;		/* a recorded resolution replaced it */
};

struct qs__conflict_file {
	char *path;
	/*
	 * Why git could not merge it: "content" (conflict hunks, below; two
	 * text files added on both sides are "content" too), or "add/add"
	 * (not both regular files), "modify/delete", "rename", "mode",
	 * "binary", "symlink", "submodule": those have no hunks and no
	 * recorded resolution can settle them. A file is resolved only
	 * when every one of its hunks has a recorded resolution.
	 */
	const char *kind;
	struct qs__conflict_hunk *hunks;
	size_t nhunks;
};

struct qs__merge_result {
	git_oid tree;		/* valid when nconflicts_left == 0 */
	struct qs__conflict_file *files;	/* every conflicted file */
	size_t nfiles;
	size_t nresolved;	/* hunks settled by recorded resolutions */
	size_t nleft;		/* hunks and files still in conflict */
};

/*
 * Merge `theirs` into `ours` (commits) on their merge base (git's: the
 * best common ancestor; several are merged recursively by libgit2), as
 * `git merge` would, with recorded resolutions from `resolutions_dir`
 * (may be NULL or missing: none) applied to conflict hunks. Returns 0
 * with `out->nleft == 0` and the tree when it merged; 0 with
 * `out->nleft > 0` and the conflicts listed when it did not (this is
 * a result, not an error); < 0 on errors. Writes only blobs and trees.
 * Free with qs__merge_result_clear().
 */
int qs__merge_commits(struct qs__merge_result *out, git_repository *repo,
		      const git_oid *ours, const git_oid *theirs,
		      const char *resolutions_dir);
void qs__merge_result_clear(struct qs__merge_result *r);

/*
 * Record resolutions: merge `theirs` into `ours` again, and for every
 * conflict hunk of every content-conflicted file, find the text that
 * replaced it in `worktree`/<path> (the file a person resolved: the
 * text between the hunk's unchanged neighbours) and store it in
 * `resolutions_dir` (created when missing). `*out_recorded` gets the
 * number of hunks recorded. A file still holding conflict markers, or
 * one whose unchanged parts were edited so that its hunks cannot be
 * found, is QS_ECONFLICT naming the file; a conflict of another kind
 * is QS_ECONFLICT too ("cannot record a resolution of a modify/delete
 * conflict in 'x'"). Every file is checked before anything is written,
 * so a refused file leaves the directory as it was.
 */
int qs__merge_record(size_t *out_recorded, git_repository *repo,
		     const git_oid *ours, const git_oid *theirs,
		     const char *worktree, const char *resolutions_dir);

#endif
