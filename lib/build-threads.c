// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-series branches are independent on the base: threads try them
 * alone there at the same time, each with an applier (and so an object
 * store and repository handle) of its own, since neither libgit2's
 * repositories nor our store may be shared between threads. What a
 * thread writes reaches the others through the pack it writes when it
 * is done; the cache entries it used are handed to the main context.
 */
#include "internal.h"
#include "build-threads.h"

#include <unistd.h>

struct worker {
	struct build_ctx c;
	pthread_t thread;
	struct series_pool *pool;
	int ret;
	char *error;		/* the message of `ret`: errors are per thread */
	size_t done_before;	/* patches_done when it started */
};

/* The index of the next job to take, or njobs when none is left. */
static size_t take_job(struct series_pool *p)
{
	size_t i;

	pthread_mutex_lock(&p->lock);
	i = p->next < p->njobs ? p->next++ : p->njobs;
	pthread_mutex_unlock(&p->lock);
	return i;
}

/* Try one series alone on the base. */
static int run_job(struct build_ctx *c, struct series_job *j)
{
	const struct qs__plan_branch *pb = j->br->plan;

	git_oid_cpy(&j->tip, &c->base);
	return qs__commit_entries(c, &j->tip, pb->entries, pb->nentries,
				  qs__build_apply_flags(c), j->br);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	size_t i;

	while ((i = take_job(w->pool)) < w->pool->njobs) {
		w->ret = run_job(&w->c, &w->pool->jobs[i]);
		if (w->ret < 0)
			break;
		w->pool->jobs[i].result = w->ret;
		w->ret = 0;
	}
	if (w->ret == 0 && qs_applier_flush(w->c.ap) < 0)
		w->ret = qs_error_last()->code;
	if (w->ret < 0)
		w->error = qs__strdup(qs_error_last()->message);
	/*
	 * The error record is thread-local and its message allocated: a
	 * failed series leaves one, and nothing frees a dead thread's.
	 */
	qs_error_clear();
	return NULL;
}

static int worker_start(struct worker *w, struct build_ctx *main)
{
	qs_apply_options aopts = QS_APPLY_OPTIONS_INIT;

	w->c = *main;
	w->done_before = main->prog.patches_done;
	/* the old cache is shared read-only; what is used is the worker's */
	memset(&w->c.cache.seen, 0, sizeof(w->c.cache.seen));
	w->c.cache.lines = NULL;
	w->c.cache.nlines = w->c.cache.lines_alloc = 0;
	w->c.progress = NULL;
	w->c.ap = NULL;
	w->c.repo = NULL;
	if (git_repository_open_ext(&w->c.repo, git_repository_commondir(main->repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return qs__error_git("cannot open the repository for a thread");
	aopts.fuzz = main->cfg->fuzz;
	if (qs_applier_new(&w->c.ap, w->c.repo, &aopts) < 0)
		return qs_error_last()->code;
	w->c.store = qs__applier_store(w->c.ap);
	w->c.srepo = qs__store_repository(w->c.store);
	qs__store_set_verify(w->c.store, !!(main->flags & QS_BUILD_VERIFY));
	if (!(main->flags & QS_BUILD_DRY_RUN) &&
	    qs__store_keep(w->c.store, QS_BUILD_KEEP) < 0)
		return QS_ENOMEM;
	if (pthread_create(&w->thread, NULL, worker_run, w) != 0)
		return qs__error_set(QS_ERROR, "cannot start a thread");
	return 0;
}

/* Hand a worker's cache entries and counts to the main context. */
static int worker_finish(struct worker *w, struct build_ctx *main)
{
	int ret = qs__cache_take(&main->cache, &w->c.cache);

	/* its pack stays kept until the refs name what it holds */
	if (w->c.ap && (qs__store_take_keeps(main->store, w->c.store) < 0 ||
			qs__store_take_damaged(main->store, w->c.store) < 0))
		ret = QS_ENOMEM;
	main->prog.patches_done += w->c.prog.patches_done - w->done_before;
	qs__cache_clear(&w->c.cache, 1);
	qs_applier_free(w->c.ap);
	git_repository_free(w->c.repo);
	return ret;
}

int qs__series_pool_start(struct series_pool *p, struct build_ctx *c,
			  struct series_job *jobs, size_t njobs)
{
	long cpus = c->jobs > 0 ? c->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->jobs = jobs;
	p->njobs = njobs;
	if (c->flags & QS_BUILD_DRY_RUN || cpus < 2 || !njobs)
		return 0;
	p->nworkers = (size_t)cpus - 1 < njobs ? (size_t)cpus - 1 : njobs;
	p->w = qs__calloc(p->nworkers, sizeof(*p->w));
	if (!p->w) {
		p->nworkers = 0;
		return QS_ENOMEM;
	}
	for (i = 0; i < p->nworkers; i++) {
		p->w[i].pool = p;
		if ((ret = worker_start(&p->w[i], c)) < 0) {
			qs_applier_free(p->w[i].c.ap);
			git_repository_free(p->w[i].c.repo);
			return ret;
		}
		p->started++;
	}
	return 0;
}

void qs__series_pool_stop(struct series_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->next = p->njobs;
	pthread_mutex_unlock(&p->lock);
}

int qs__series_pool_finish(struct series_pool *p, struct build_ctx *c)
{
	git_odb *odb = NULL;
	size_t i;
	int ret = 0;

	while ((i = take_job(p)) < p->njobs) {
		qs__build_progress(c, p->jobs[i].br->name);
		ret = run_job(c, &p->jobs[i]);
		if (ret < 0) {
			/* make the threads stop early too */
			qs__series_pool_stop(p);
			break;
		}
		p->jobs[i].result = ret;
		ret = 0;
	}
	for (i = 0; i < p->started; i++) {
		pthread_join(p->w[i].thread, NULL);
		if (p->w[i].ret < 0 && !ret)
			ret = qs__error_set(p->w[i].ret, "%s",
					    p->w[i].error ? p->w[i].error : "a thread failed");
		free(p->w[i].error);
		p->w[i].error = NULL;
		if (worker_finish(&p->w[i], c) < 0 && !ret)
			ret = QS_ENOMEM;
	}
	p->started = 0;
	if (ret < 0 || !p->nworkers)
		return ret;
	/* the threads' packs are on disk: let this store see them */
	if (git_repository_odb(&odb, c->srepo) < 0 || git_odb_refresh(odb) < 0)
		ret = qs__error_git("cannot read the threads' objects");
	git_odb_free(odb);
	return ret;
}

void qs__series_pool_clear(struct series_pool *p)
{
	free(p->w);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof(*p));
}
