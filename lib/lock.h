/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The build lock: one build at a time per repository. An flock(2) on
 * "<git dir>/quiltsync/build.lock", so that a build killed by SIGKILL
 * never leaves a stale lock: the kernel drops it with the process.
 */
#ifndef QS_LOCK_H
#define QS_LOCK_H

#include "internal.h"

struct qs__lock;

/*
 * Take the lock of the repository whose git directory is `git_dir`,
 * creating "<git_dir>/quiltsync/" when needed. Wait up to `wait_seconds`
 * (0: do not wait; negative: wait forever) for another holder to let
 * go; then QS_ELOCKED, "the repository is locked by another build (pid
 * N, since <time>)" when the holder wrote its pid, which it does.
 */
int qs__lock_take(struct qs__lock **out, const char *git_dir,
		  int wait_seconds);
void qs__lock_release(struct qs__lock *lock);

#endif
