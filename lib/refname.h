/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whether a string is a ref name git would take, by git's own rules
 * (git-check-ref-format(1)), without libgit2: initialising libgit2 costs
 * a command that only reads its config several milliseconds (mbedTLS
 * parses the whole CA bundle), which `quiltsync which` cannot afford.
 * t/unit/test-refname.c holds it to `git check-ref-format`.
 */
#ifndef QS_REFNAME_H
#define QS_REFNAME_H

#include "internal.h"

/*
 * 1 when `name` is a full ref name (at least two components: "refs/..."),
 * as `git check-ref-format NAME` accepts it; else 0.
 */
int qs__refname_is_valid(const char *name);

#endif
