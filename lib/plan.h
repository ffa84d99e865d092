/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The plan of a build: the config resolved against the queue. Every
 * branch the build will make, in the order it makes them (each tree
 * branch followed by the per-series branches of its section, then the
 * integrations), with what it starts from and what it takes. Made before
 * anything is built, so that every error of the config against the
 * queue (a section the series file lacks, a per-series name that is
 * another branch's or that git cannot store) is found before any work
 * starts; then the build only follows it, and the manifest records it.
 */
#ifndef QS_PLAN_H
#define QS_PLAN_H

#include "internal.h"
#include "config-internal.h"

struct qs__plan_branch {
	char *name;			/* owned */
	qs_branch_kind kind;
	qs_branch_mode mode;
	const char *section_name;	/* NULL for integrations */
	const qs_section *section;
	/* starts (tree), merges (integration), the base (per-series); borrowed */
	const struct qs__start *on;
	size_t non;
	/* what it takes, in order (owned array of borrowed entries) */
	const qs_series_entry **entries;
	size_t nentries;
	const qs_patchset *set;		/* per-series: its series */
	size_t nseries;			/* tree: per-series branches that follow it */
	size_t tree;			/* per-series: the index of its tree branch */
	const struct qs__branch_conf *conf;	/* tree and per-series */
	const struct qs__integration_conf *integration;
};

struct qs__plan {
	struct qs__plan_branch *v;
	size_t n, alloc;
};

/*
 * Resolve `cfg` against `queue`, for the repository whose common git
 * directory is `gitdir`. QS_ECONFIG, located in the config file, for a
 * section the series file lacks, a per-series branch name that another
 * branch has or that is not a valid branch name, or any branch name
 * that could not be stored there (a part longer than a file name, the
 * whole longer than a path): found before anything is written.
 */
int qs__plan_make(struct qs__plan *out, const struct qs_config *cfg,
		  const qs_queue *queue, const char *gitdir);
void qs__plan_clear(struct qs__plan *plan);

/* The start every per-series branch has: the base. */
extern const struct qs__start qs__plan_base_start;

#endif
