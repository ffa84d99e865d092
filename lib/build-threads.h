/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The threads that try per-series branches alone on the base. Each job
 * is one per-series branch; its patches are committed on the base and
 * its result kept for the dependency policies (build-series.c), which
 * run afterwards in file order on the main thread.
 */
#ifndef QS_BUILD_THREADS_H
#define QS_BUILD_THREADS_H

#include "build-internal.h"

#include <pthread.h>

struct series_job {
	struct qs_build_branch *br;	/* its patches: br->plan->entries */
	int result;		/* of the attempt alone on the base: 0 or 1 */
	git_oid tip;
};

struct worker;

struct series_pool {
	struct series_job *jobs;
	size_t njobs;
	struct worker *w;
	size_t nworkers, started;
	size_t next;		/* the next job to take, under `lock` */
	pthread_mutex_t lock;
};

/*
 * Start threads for `jobs`: one per CPU beside this one (which builds the
 * tree branch meanwhile, then takes jobs too). None for a dry run: it
 * writes no pack, and threads hand their objects over in packs. On
 * failure, call qs__series_pool_stop and qs__series_pool_finish all the
 * same: some threads may have started.
 */
int qs__series_pool_start(struct series_pool *pool, struct build_ctx *c,
			  struct series_job *jobs, size_t njobs);
/* No job is taken any more, by any thread. */
void qs__series_pool_stop(struct series_pool *pool);
/*
 * This thread takes the jobs left, then waits for the others and takes
 * what they made (cache entries, progress, their packs). After
 * qs__series_pool_stop it only waits. The first error of any thread.
 */
int qs__series_pool_finish(struct series_pool *pool, struct build_ctx *c);
void qs__series_pool_clear(struct series_pool *pool);

#endif
