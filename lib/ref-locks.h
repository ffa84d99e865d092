/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ref locks an update holds, logged so that a recovery removes the
 * ones a killed update left and never one another process holds.
 *
 * libgit2's transaction makes "<ref>.lock" with O_EXCL; a kill leaves it
 * behind, blocking the recovery (and git) for ever. But a lock file can
 * also be a concurrent `git update-ref`'s, taken after the kill: removing
 * that one would lose its update. So, around each lock, the update logs
 * "quiltsync/refs-locks":
 *
 *	intent <unix time ns> <ref>		before asking for the lock
 *	held <dev> <inode> <birth ns> <ref>	once it holds it
 *
 * and removes the log once the transaction has released its locks. A
 * recovery removes a lock file the log says it held (the same file: its
 * device, inode and birth time). Any other lock file it waits for, as git
 * waits for a lock: another process's goes within moments. One that
 * stays is ours only when it is the lock a kill interrupted the taking
 * of (logged as intended, still empty, made after the intent) or
 * packed-refs.lock, which libgit2 takes inside the commit and which
 * stays only when its holder died; anything else is refused, named.
 * The log is not synced: after a power cut, a refusal asks a person.
 */
#ifndef QS_REF_LOCKS_H
#define QS_REF_LOCKS_H

#include "internal.h"

#include <git2.h>
#include <sys/stat.h>

struct qs__lock_log;

/* Start the log afresh (an update or a recovery is about to lock). */
int qs__lock_log_start(struct qs__lock_log **out, git_repository *repo);
/* About to lock `ref`; then it holds it. */
int qs__lock_log_intent(struct qs__lock_log *log, const char *ref);
int qs__lock_log_held(struct qs__lock_log *log, const char *ref);
/* The transaction is over, its locks released: the log goes. NULL is fine. */
void qs__lock_log_end(struct qs__lock_log *log);

/*
 * Before a recovery writes the journal's `n` refs: remove the lock files
 * the log proves ours, wait for the others (packed-refs.lock too when
 * `deletes`), and fail with QS_ELOCKED naming one that stays and is not
 * ours. `journal` is the journal's stat.
 */
int qs__lock_log_clear(git_repository *repo, const char *const *refs,
		       size_t n, int deletes, const struct stat *journal);

#endif
