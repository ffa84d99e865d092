/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Updating many refs as one step, and surviving being killed in the
 * middle of it.
 *
 * libgit2's transaction locks every ref first and then renames each
 * lock file into place: a kill between two renames would leave some
 * refs new and others old. So the updates are first written to a
 * journal, "<git dir>/quiltsync/refs-journal", made durable and renamed
 * into place in one step; then the refs are updated; then the journal
 * is removed. Whoever takes the build lock next finds a journal left
 * behind and finishes it (qs__refs_recover) before doing anything else,
 * so after any kill every ref is either old or new, and the next run
 * makes them all new.
 */
#ifndef QS_REFS_H
#define QS_REFS_H

#include "internal.h"

#include <git2.h>

struct qs__ref_update {
	const char *name;	/* full name: "refs/heads/mm-unstable" */
	git_oid old;		/* expected value; zero: must not exist */
	git_oid new;		/* zero: delete */
};

/*
 * Apply `updates` (all or none are attempted): each ref must still have
 * its `old` value, checked under the ref locks; a ref that moved is
 * QS_EMOVED "ref 'X' changed during the build (expected A, found
 * B)", and then nothing is written. Every update gets `message` in the
 * reflog (of the refs git would log: core.logAllRefUpdates), with `who`
 * ("Name <email>") as identity and the current time (reflogs record
 * when, unlike commits). A journal still pending is QS_ERROR: recover
 * first. Call with the build lock held.
 */
int qs__refs_update(git_repository *repo, const struct qs__ref_update *updates,
		    size_t n, const char *message, const char *who);

/*
 * Whether every object the updates would make reachable is on disk: the
 * new ids, and for commits every commit between them and what the refs
 * name today, with its tree. A concurrent `git gc --prune=now` may have
 * removed an object a build found in its cache and used; then no ref
 * must name it. 0, or QS_EIO naming the object and the ref.
 */
int qs__refs_check_objects(git_repository *repo,
			   const struct qs__ref_update *updates, size_t n);

/*
 * Finish the updates of a journal left by a killed qs__refs_update: each
 * ref still at its old value (or already at its new one) is set to its
 * new value. 0 when there was nothing to do or it is done; `*recovered`
 * (may be NULL) is set to the number of refs it wrote. A ref at neither
 * value is left alone and is QS_EMOVED, naming it, once the others
 * are written (the journal is then done). On other failures the journal
 * stays for the next run. Call with the build lock held, before reading
 * any ref.
 */
int qs__refs_recover(git_repository *repo, size_t *recovered);

/*
 * Whether a killed update left its journal, for a caller that writes
 * nothing and so cannot finish it (a dry run): 1 with its path in
 * `path`, 0, or an error.
 */
int qs__refs_journal_left(git_repository *repo, qs_buf *path);

#endif
