/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a pack and its index (git's pack format 2, index format 2)
 * straight into a repository's objects/pack, from objects whose ids are
 * already known.
 *
 * Why not libgit2's pack builder: it searches every object for deltas
 * against ten others and then has the indexer inflate and hash every
 * object again; on a kernel queue that was a third of a run. The caller
 * here knows each object's previous version (the same path, one patch
 * earlier), which is the delta a patch queue needs: an object is stored
 * as a delta of that base when it is much smaller than the object.
 *
 * The pack becomes visible only when complete: both files are written
 * under temporary names (tmp_pack_*, tmp_idx_*, which git gc removes if
 * we die), flushed to disk, and renamed, the index last.
 */
#ifndef QS_PACK_H
#define QS_PACK_H

#include "internal.h"

#include <git2.h>

struct qs__packwriter;

/* Start a pack of exactly `count` objects in `objects_dir`/pack. */
int qs__pack_begin(struct qs__packwriter **out, const char *objects_dir,
		   size_t count);

/*
 * Add object number N (N counts from 0 in the order of the calls): its
 * id, type and content. `base` is the index of an earlier object of this
 * pack that is a previous version of it, with its content, or SIZE_MAX.
 */
int qs__pack_add(struct qs__packwriter *w, const git_oid *oid,
		 git_object_t type, const void *data, size_t len,
		 size_t base, const void *base_data, size_t base_len);

/*
 * Write the trailer and the index and publish both; frees `w`. With
 * `keep` (NULL: none), a "pack-<id>.keep" file holding that line is made
 * before the pack is put in place, and `*keep_path` is its path
 * (malloc()ed; NULL when a .keep was there already): git repack and gc
 * leave a kept pack alone, as they leave the pack a fetch is still
 * writing refs for, until the caller removes the file.
 */
int qs__pack_finish(struct qs__packwriter *w, const char *keep,
		    char **keep_path);

/*
 * Remove the .keep files of `objects_dir`/pack that hold `line`: those
 * a killed writer left, when the caller knows none is alive (a build
 * holding the repository's lock). Others' .keep files stay.
 */
int qs__pack_remove_keeps(const char *objects_dir, const char *line);

/* Give up: remove the temporary files; frees `w`. NULL is allowed. */
void qs__pack_abort(struct qs__packwriter *w);

#endif
