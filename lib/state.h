/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The repository's quiltsync state: the directory "<common dir>/quiltsync"
 * (the build lock, the ref journal, the last build's report) and the one
 * way files are written there and in the resolutions directory: whole
 * or not at all.
 */
#ifndef QS_STATE_H
#define QS_STATE_H

#include "internal.h"

/*
 * "<common dir>/quiltsync/<leaf>" in `out` (replacing what it held);
 * `leaf` "" gives the directory itself. The common dir, not the git
 * dir, so that every worktree of a repository shares one lock and one
 * journal.
 */
int qs__state_path(qs_buf *out, const char *common_dir, const char *leaf);

/* Create the state directory when it does not exist yet. */
int qs__state_dir_create(const char *common_dir);

/*
 * Replace the file at `path` with `len` bytes of `data`, so that a
 * reader or a crash sees the old content or the new, never a mix:
 * "<path>.new" is written and synced, renamed into place, and the
 * directory synced so that the rename itself survives a power cut.
 * One writer at a time per path (the callers hold the build lock, or
 * write files whose names are their content's hash); a "<path>.new"
 * left by a killed writer is overwritten.
 */
int qs__write_atomic(const char *path, const char *data, size_t len);

/*
 * The same for a file that writers holding no lock may write at once (a
 * copy a reader derives from the repository when it finds none): each
 * writes a temporary file of its own, "<path>.XXXXXX", so that whichever
 * rename comes last puts a whole file in place. The file is read-only: it
 * is replaced, never edited. A writer killed before its rename leaves its
 * temporary file behind.
 */
int qs__write_atomic_unlocked(const char *path, const char *data, size_t len);

/* fsync a directory: makes creations, renames and unlinks in it durable. */
int qs__sync_dir(const char *dir);

#endif
