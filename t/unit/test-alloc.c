/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every allocation made to fail in turn (qs__alloc_fail_after), to walk
 * the error paths nothing else reaches: the config parser, the series
 * parser on an mmotm file and the queue on the demo queue, then whole
 * builds of the demo (per-series branches, append-only branches, an
 * integration) on a fresh repository and on one built before. A run must end in success or an error with a message,
 * never crash or leak; an error must leave every ref as it was, and a
 * success must make the refs an undisturbed build makes.
 *
 * Builds run in child processes, each on a fresh copy of the repository:
 * a crash then names its allocation and the other builds still run, and
 * LeakSanitizer's check at a child's exit is narrowed down to the build
 * that leaked (run_batch).
 *
 * QS_ALLOC_TRIES=n tries the first n allocations of each call stack
 * (see pick(); 0: every allocation); QS_ALLOC_AT=k tries only the k-th,
 * in the test's own process (to read its backtrace, or under a
 * debugger).
 *
 * The repositories live in /dev/shm when $TMPDIR is not set: a build
 * syncs its pack and its ref journal, and on a disk other jobs share
 * each sync can cost ten times the build.
 */
#include "internal.h"

#include <execinfo.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"

/* Builds judged in one child process. */
#define BATCH 100

/* What a child says of its build through its exit status. */
#define CHILD_OK 100		/* + -(the error code); 100 is success */
#define CHILD_WRONG 64		/* a property did not hold; it said which */

static char demo_yaml[512];
static char demo_series[512];
static char demo_patches[512];
static char work[300];		/* the repository every build writes */
static long only_k;		/* QS_ALLOC_AT, else 0 */
static long tries = 1;		/* QS_ALLOC_TRIES */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Where each allocation of a counted build is made: a hash of its call
 * stack, by allocation number. A build of the demo makes about 1900
 * allocations, and a child process, a copy of the repository and a build
 * for each would take minutes under AddressSanitizer; but most are the
 * same few places again (a buffer growing in a loop, a record per
 * patch). So a build tries the first allocation made from each call
 * stack (QS_ALLOC_TRIES of them: the second meets a structure that holds
 * something to clean up, and takes half as long again). With one thread
 * that is the same allocations on every run; with two the numbers shift
 * a little from run to run as the threads interleave.
 */
static uint64_t *sites;
static long sites_alloc;
static pthread_mutex_t sites_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_site(long n)
{
	void *frames[48];
	int depth = backtrace(frames, (int)QS_ARRAY_SIZE(frames)), i;
	uint64_t h = 1469598103934665603ull;

	for (i = 0; i < depth; i++) {
		h ^= (uint64_t)(uintptr_t)frames[i];
		h *= 1099511628211ull;
	}
	/* builds allocate on several threads; libc's realloc, not ours */
	pthread_mutex_lock(&sites_lock);
	if (n > sites_alloc) {
		long want = n * 2 > 4096 ? n * 2 : 4096;
		uint64_t *p = realloc(sites, (size_t)want * sizeof(*sites));

		if (!p)
			abort();
		memset(p + sites_alloc, 0, (size_t)(want - sites_alloc) * sizeof(*p));
		sites = p;
		sites_alloc = want;
	}
	sites[n - 1] = h;
	pthread_mutex_unlock(&sites_lock);
}

struct site_use {
	uint64_t site;
	long k;
};

static int by_site(const void *a, const void *b)
{
	const struct site_use *x = a, *y = b;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static int by_number(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The allocations to fail of the `n` noted: the first `per_site` of each
 * call stack, in order, or all when `per_site` is 0. To free(); `*count`
 * gets their number, `*nsites` that of distinct stacks.
 */
static long *pick(long n, long per_site, long *count, long *nsites)
{
	struct site_use *u = calloc((size_t)n + 1, sizeof(*u));
	long *out = calloc((size_t)n + 1, sizeof(*out));
	long i, m = 0, run = 0;

	if (!u || !out)
		abort();
	for (i = 0; i < n; i++) {
		u[i].site = i < sites_alloc ? sites[i] : 0;
		u[i].k = i + 1;
	}
	qsort(u, (size_t)n, sizeof(*u), by_site);
	*nsites = 0;
	for (i = 0; i < n; i++) {
		run = i && u[i].site == u[i - 1].site ? run + 1 : 0;
		*nsites += !run;
		if (!per_site || run < per_site)
			out[m++] = u[i].k;
	}
	qsort(out, (size_t)m, sizeof(*out), by_number);
	free(u);
	*count = m;
	return out;
}

static int same(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/* ------------------------------------------------------------------ */
/* Parsers: in this process, every allocation */

static int load_text(qs_buf *out, const char *path)
{
	if (qs__read_file(out, path) < 0) {
		ok(0, "read '%s': %s", path, qs_error_last()->message);
		return -1;
	}
	return 0;
}

/*
 * Whether a call that returned `ret`, with `made` its output, ended
 * well: an error code, a message and no output, or success and output.
 */
static int ended_well(int ret, const void *made, long k, const char *what)
{
	const char *msg = qs_error_last()->message;

	if (qs_buf__empty[0]) {
		tap_diag("%s, allocation %ld failing: wrote '%s' into the shared empty string",
			 what, k, qs_buf__empty);
		qs_buf__empty[0] = '\0';
		return 0;
	}
	if (ret == 0 && made)
		return 1;
	if (ret < 0 && !made && !same(msg, "no error") && *msg)
		return 1;
	tap_diag("%s, allocation %ld failing: returned %d (%s), output %s",
		 what, k, ret, msg, made ? "set" : "NULL");
	return 0;
}

/* What a config says that the public API shows, to compare two. To free(). */
static char *config_text(const qs_config *c)
{
	const char *const *ph;
	qs_buf b = QS_BUF_INIT;

	qs_buf_addf(&b, "%s\n%s\n%s\n%s\n%s\n", qs_config_path(c),
		    qs_config_repository(c), qs_config_series(c),
		    qs_config_patches(c), qs_config_resolutions(c));
	for (ph = qs_config_placeholders(c); *ph; ph++)
		qs_buf_addf(&b, "placeholder %s\n", *ph);
	if (qs_buf_oom(&b))
		abort();
	return qs_buf_detach(&b);
}

static void test_config_parse(const qs_buf *yaml)
{
	qs_config *c = NULL;
	long n, k, bad = 0, errors = 0;
	char *want, *got;
	int ret;

	qs__alloc_fail_after(QS_ALLOC_NEVER);
	ret = qs_config_parse(&c, yaml->ptr, yaml->len, demo_yaml);
	n = qs__alloc_count();
	qs__alloc_fail_after(0);
	if (!is_int(ret, 0, "the demo's quiltsync.yaml parses"))
		return;
	want = config_text(c);
	qs_config_free(c);
	for (k = 1; k <= n; k++) {
		qs_error_clear();
		c = NULL;
		qs__alloc_fail_after(k);
		ret = qs_config_parse(&c, yaml->ptr, yaml->len, demo_yaml);
		qs__alloc_fail_after(0);
		got = NULL;
		if (!ended_well(ret, c, k, "qs_config_parse")) {
			bad++;
		} else if (ret == 0 && !same(got = config_text(c), want)) {
			tap_diag("qs_config_parse, allocation %ld failing: a config of its own:\n%s",
				 k, got);
			bad++;
		}
		free(got);
		errors += ret < 0;
		qs_config_free(c);
	}
	free(want);
	tap_diag("qs_config_parse: %ld allocations, %ld of them end in an error", n, errors);
	is_int(bad, 0, "qs_config_parse: each of %ld allocations failing", n);
}

static void test_queue_open(const qs_config *cfg)
{
	qs_queue_options qopts = QS_QUEUE_OPTIONS_INIT;
	qs_queue *q = NULL;
	long n, k, bad = 0, errors = 0;
	int ret;

	qopts.series.placeholders = qs_config_placeholders(cfg);
	qs__alloc_fail_after(QS_ALLOC_NEVER);
	ret = qs_queue_open(&q, demo_series, demo_patches, &qopts);
	n = qs__alloc_count();
	qs__alloc_fail_after(0);
	qs_queue_free(q);
	if (!is_int(ret, 0, "the demo queue opens"))
		return;
	for (k = 1; k <= n; k++) {
		qs_error_clear();
		q = NULL;
		qs__alloc_fail_after(k);
		ret = qs_queue_open(&q, demo_series, demo_patches, &qopts);
		qs__alloc_fail_after(0);
		bad += !ended_well(ret, q, k, "qs_queue_open");
		errors += ret < 0;
		qs_queue_free(q);
	}
	tap_diag("qs_queue_open: %ld allocations, %ld of them end in an error", n, errors);
	is_int(bad, 0, "qs_queue_open: each of %ld allocations failing", n);
}

/*
 * The series parser in the mmotm convention, whose paths the demo (a
 * #BRANCH file) does not take: a section continued in a later part, a
 * name with blanks, the other convention's markers compiled.
 */
static void test_series_mmotm(void)
{
	static const char text[] =
		"#origin.patch\n"
		"outside.patch\n"
		"#NEXT_PATCHES_START mainline-later (next week, approximately)\n"
		"#mm/slub\n"
		"#a.patch+N: acked\n"
		"a.patch\n"
		"#NEXT_PATCHES_END\n"
		"#NEXT_PATCHES_START block\n"
		"b.patch\n"
		"#NEXT_PATCHES_END\n"
		"#NEXT_PATCHES_START scsi\n"
		"#NEXT_PATCHES_END\n"
		"#NEXT_PATCHES_START block\n"
		"c.patch\n"
		"##d.patch\n"
		"#NEXT_PATCHES_END\n";
	qs_series_options opts = QS_SERIES_OPTIONS_INIT;
	qs_series *s = NULL;
	long n, k, bad = 0, errors = 0;
	int ret;

	opts.convention = QS_SERIES_MMOTM;
	qs__alloc_fail_after(QS_ALLOC_NEVER);
	ret = qs_series_parse(&s, text, sizeof(text) - 1, "series", &opts);
	n = qs__alloc_count();
	qs__alloc_fail_after(0);
	if (!is_int(ret, 0, "the mmotm series parses") ||
	    !is_int(qs_section_entry_count(qs_series_section_byname(s, "block")), 3,
		    "block from both parts")) {
		qs_series_free(s);
		return;
	}
	qs_series_free(s);
	for (k = 1; k <= n; k++) {
		qs_error_clear();
		s = NULL;
		qs__alloc_fail_after(k);
		ret = qs_series_parse(&s, text, sizeof(text) - 1, "series", &opts);
		qs__alloc_fail_after(0);
		bad += !ended_well(ret, s, k, "qs_series_parse");
		errors += ret < 0;
		qs_series_free(s);
	}
	tap_diag("qs_series_parse (mmotm): %ld allocations, %ld of them end in an error",
		 n, errors);
	is_int(bad, 0, "qs_series_parse (mmotm): each of %ld allocations failing", n);
}

/* ------------------------------------------------------------------ */
/* Builds: in child processes, each on a copy of a repository */

static int line_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every ref of the repository at `path`, "name target" a line, sorted,
 * and whether a refs journal is pending (a later build would finish
 * it): the whole of what a build may change that a user sees. To free().
 */
static char *refs_of(const char *path)
{
	git_repository *repo = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref;
	qs_buf out = QS_BUF_INIT, journal = QS_BUF_INIT;
	char **lines = NULL;
	size_t n = 0, alloc = 0, i;

	if (git_repository_open(&repo, path) < 0 ||
	    git_reference_iterator_new(&it, repo) < 0) {
		qs_buf_addf(&out, "cannot read the refs of '%s'\n", path);
		goto done;
	}
	while (git_reference_next(&ref, it) == 0) {
		char hex[GIT_OID_HEXSZ + 1] = "";
		qs_buf line = QS_BUF_INIT;

		if (git_reference_target(ref))
			git_oid_tostr(hex, sizeof(hex), git_reference_target(ref));
		qs_buf_addf(&line, "%s %s", git_reference_name(ref),
			    git_reference_target(ref) ? hex :
			    git_reference_symbolic_target(ref));
		git_reference_free(ref);
		if (QS_ARRAY_GROW(lines, alloc, n + 1) < 0)
			abort();
		lines[n++] = qs_buf_detach(&line);
	}
	if (n)
		qsort(lines, n, sizeof(*lines), line_order);
	for (i = 0; i < n; i++)
		qs_buf_addf(&out, "%s\n", lines[i]);
	qs_buf_addf(&journal, "%s/quiltsync/refs-journal", git_repository_commondir(repo));
	if (access(journal.ptr, F_OK) == 0)
		qs_buf_adds(&out, "(a refs journal is pending)\n");
done:
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	qs_buf_release(&journal);
	git_reference_iterator_free(it);
	git_repository_free(repo);
	if (qs_buf_oom(&out))
		abort();
	return qs_buf_detach(&out);
}

/*
 * Copying a repository, in this process: a shell, rm and cp for each of
 * thousands of builds would cost more than the builds. nftw() takes no
 * payload, hence the two paths here.
 */
static const char *copy_from;
static size_t copy_from_len;

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	QS_UNUSED(st);
	QS_UNUSED(ftw);
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char chunk[8192];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, ret = -1;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
	if (out < 0)
		goto done;
	while ((n = read(in, chunk, sizeof(chunk))) > 0)
		if (write(out, chunk, (size_t)n) != n)
			goto done;
	ret = n < 0 ? -1 : 0;
done:
	if (out >= 0 && close(out) < 0)
		ret = -1;
	close(in);
	return ret;
}

static int copy_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	char to[PATH_MAX];

	QS_UNUSED(ftw);
	if ((size_t)snprintf(to, sizeof(to), "%s%s", work, path + copy_from_len) >=
	    sizeof(to))
		return -1;
	if (type == FTW_D)
		return mkdir(to, st->st_mode & 0777) < 0 ? -1 : 0;
	if (type == FTW_F)
		return copy_file(path, to, st->st_mode);
	return -1;	/* no symbolic links in a repository we made */
}

/* Replace the repository builds write with a copy of `from`. */
static int fresh_copy(const char *from)
{
	if (access(work, F_OK) == 0 &&
	    nftw(work, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return -1;
	copy_from = from;
	copy_from_len = strlen(from);
	return nftw(from, copy_one, 16, FTW_PHYS);
}

/* A build with the library's defaults and `jobs` threads; its error code. */
static int build(const qs_config *cfg, int jobs)
{
	qs_build_options opts = QS_BUILD_OPTIONS_INIT;
	qs_build *b = NULL;
	int ret;

	opts.jobs = jobs;
	ret = qs_build_run(&b, cfg, &opts);
	if (ret == 0 && !b) {
		tap_diag("qs_build_run returned 0 and no build");
		ret = QS_ERROR;
	}
	qs_build_free(b);
	return ret;
}

struct scenario {
	const char *name;
	char pristine[300];	/* the repository each build starts from */
	char *before;		/* its refs */
	char *after;		/* the refs a build makes in it */
	long n;			/* allocations of that build */
	long *picks, npicks;	/* those to fail, in order */
	long nsites;		/* distinct call stacks among the n */
};

/*
 * The build with allocation k failing, judged: CHILD_OK - its error
 * code when it ended as it should, else CHILD_WRONG, after saying why.
 */
static int judge(const qs_config *cfg, const struct scenario *s, int jobs,
		 long k)
{
	char *refs, *msg;
	int ret, code, right = 1;

	if (fresh_copy(s->pristine)) {
		tap_diag("cannot copy '%s'", s->pristine);
		return CHILD_WRONG;
	}
	qs_error_clear();
	qs__alloc_fail_after(k);
	ret = build(cfg, jobs);
	qs__alloc_fail_after(0);
	msg = strdup(qs_error_last()->message);
	code = qs_error_last()->code;
	refs = refs_of(work);
	if (ret > 0) {
		tap_diag("%s jobs=%d k=%ld: returned %d", s->name, jobs, k, ret);
		right = 0;
	} else if (ret < 0) {
		if (same(msg, "no error") || !*msg || code != ret) {
			tap_diag("%s jobs=%d k=%ld: returned %d, last error %d '%s'",
				 s->name, jobs, k, ret, code, msg);
			right = 0;
		}
		if (ret != QS_ENOMEM)
			tap_diag("%s jobs=%d k=%ld: error %d: %s", s->name, jobs,
				 k, ret, msg);
		if (!same(refs, s->before)) {
			tap_diag("%s jobs=%d k=%ld: failed (%s) but changed refs:\n%s",
				 s->name, jobs, k, msg, refs);
			right = 0;
		}
	} else if (!same(refs, s->after)) {
		tap_diag("%s jobs=%d k=%ld: succeeded with other refs:\n%s\nexpected:\n%s",
			 s->name, jobs, k, refs, s->after);
		right = 0;
	}
	if (qs_buf__empty[0]) {
		tap_diag("%s jobs=%d k=%ld: the shared empty string is '%s'",
			 s->name, jobs, k, qs_buf__empty);
		right = 0;
	}
	free(refs);
	free(msg);
	fflush(stdout);
	return right ? CHILD_OK - ret : CHILD_WRONG;
}

/* A child's report on one allocation: started (status -1), then judged. */
struct verdict {
	long k;
	int status;
};

/* The tally of one scenario's builds. */
struct tally {
	long tried, bad, by_code[32];
};

static void tally_status(struct tally *t, int status)
{
	t->tried++;
	if (status >= CHILD_OK && status < CHILD_OK + 32)
		t->by_code[status - CHILD_OK]++;
	else
		t->bad++;
}

/* How a child process ended, for a message. */
static const char *how(int wstatus, char *buf, size_t size)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
	else
		snprintf(buf, size, "exit status %d (a sanitizer's report?)",
			 WEXITSTATUS(wstatus));
	return buf;
}

/*
 * Judge the builds with allocations ks[0..n) failing, in one child
 * process: a process (and a leak check at its exit) per build would cost
 * more than the builds. The child reports each allocation before and
 * after its build, so that when it dies the parent knows which build
 * killed it. Returns how many of ks were dealt with; the caller goes on
 * from there. A child that dies at exit, when every build went well, is
 * LeakSanitizer's: each half of the builds is then judged again, down
 * to the builds that leak, one per child.
 */
static void judge_all(const qs_config *cfg, const struct scenario *s, int jobs,
		      const long *ks, long n, struct tally *t);

static long run_batch(const qs_config *cfg, const struct scenario *s, int jobs,
		      const long *ks, long n, struct tally *t)
{
	struct tally again = { 0, 0, { 0 } };
	struct verdict v, last = { 0, 0 };
	int fds[2], wstatus;
	long i, done = 0;
	char why[64];
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		ok(0, "pipe or fork: %s", strerror(errno));
		exit(done_testing());
	}
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < n; i++) {
			v.k = ks[i];
			v.status = -1;
			if (write(fds[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
				_exit(CHILD_WRONG);
			v.status = judge(cfg, s, jobs, ks[i]);
			if (write(fds[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
				_exit(CHILD_WRONG);
		}
		exit(0);
	}
	close(fds[1]);
	while (read(fds[0], &v, sizeof(v)) == (ssize_t)sizeof(v)) {
		last = v;
		if (v.status >= 0) {
			tally_status(t, v.status);
			done++;
		}
	}
	close(fds[0]);
	if (waitpid(pid, &wstatus, 0) != pid)
		wstatus = -1;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return done;
	if (last.status < 0) {
		/* died in the build of `last.k` */
		tap_diag("%s jobs=%d k=%ld: %s", s->name, jobs, last.k,
			 how(wstatus, why, sizeof(why)));
		tally_status(t, CHILD_WRONG);
		return done + 1;
	}
	if (n == 1) {
		tap_diag("%s jobs=%d k=%ld: %s at exit", s->name, jobs, ks[0],
			 how(wstatus, why, sizeof(why)));
		t->bad++;
		return 1;
	}
	/* at exit, after all went well: judge each half again, to tell which */
	judge_all(cfg, s, jobs, ks, n / 2, &again);
	judge_all(cfg, s, jobs, ks + n / 2, n - n / 2, &again);
	t->bad += again.bad;
	return n;
}

static void judge_all(const qs_config *cfg, const struct scenario *s, int jobs,
		      const long *ks, long n, struct tally *t)
{
	long i;

	for (i = 0; i < n;) {
		long m = n - i < BATCH ? n - i : BATCH;

		i += run_batch(cfg, s, jobs, ks + i, m, t);
	}
}

/* Build in `s` with each allocation of the sample failing in turn. */
static void test_build(const qs_config *cfg, const struct scenario *s, int jobs)
{
	struct tally t = { 0, 0, { 0 } };
	double start = now();
	long i;

	if (only_k) {
		/* in this process, for a debugger */
		int status = judge(cfg, s, jobs, only_k);

		is_int(status, status == CHILD_WRONG ? 0 : status,
		       "%s build, jobs=%d: allocation %ld failing ends cleanly",
		       s->name, jobs, only_k);
		return;
	}
	judge_all(cfg, s, jobs, s->picks, s->npicks, &t);
	for (i = 0; i < 32; i++)
		if (t.by_code[i])
			tap_diag("%s jobs=%d: %ld runs %s (%ld)", s->name, jobs,
				 t.by_code[i], i ? qs_error_string(-(int)i) : "succeed", -i);
	tap_diag("%s jobs=%d: %ld of %ld allocations tried in %.1f s", s->name,
		 jobs, t.tried, s->n, now() - start);
	is_int(t.bad, 0, "%s build, jobs=%d: %ld allocations failing end cleanly",
	       s->name, jobs, t.tried);
}

/*
 * The scenario's reference run: copy its repository, note its refs, and
 * build once unarmed, counting the allocations.
 */
static int scenario_measure(const qs_config *cfg, struct scenario *s, int jobs)
{
	double start = now();
	int ret;

	if (fresh_copy(s->pristine))
		return -1;
	free(s->before);
	free(s->after);
	s->before = refs_of(work);
	qs__alloc_observe(note_site);
	qs__alloc_fail_after(QS_ALLOC_NEVER);
	ret = build(cfg, jobs);
	s->n = qs__alloc_count();
	qs__alloc_fail_after(0);
	qs__alloc_observe(NULL);
	s->after = refs_of(work);
	free(s->picks);
	s->picks = pick(s->n, tries, &s->npicks, &s->nsites);
	tap_diag("%s build, jobs=%d: %ld allocations from %ld call stacks, %.3f s; %ld to try",
		 s->name, jobs, s->n, s->nsites, now() - start, s->npicks);
	return ret;
}

/*
 * A small copy of the repository at `from`, in `to`, for builds to
 * start from: bare, its refs packed, its objects borrowed through
 * alternates, reflogs on as in a repository with a work tree. Four
 * files, so that a copy per build costs little next to the build.
 */
static int pristine_from(const char *to, const char *from)
{
	return sh("git clone -q --mirror --shared --template= '%s' '%s' && "
		  "git -C '%s' config core.logAllRefUpdates true",
		  from, to, to);
}

static void test_builds(const qs_config *cfg)
{
	struct scenario fresh = { "fresh", "", NULL, NULL, 0, NULL, 0, 0 };
	struct scenario again = { "rebuild", "", NULL, NULL, 0, NULL, 0, 0 };
	char upstream[300], built[300];
	int jobs;

	snprintf(upstream, sizeof(upstream), "%s/upstream", scratch);
	snprintf(built, sizeof(built), "%s/built", scratch);
	snprintf(fresh.pristine, sizeof(fresh.pristine), "%s/fresh", scratch);
	snprintf(again.pristine, sizeof(again.pristine), "%s/again", scratch);
	if (!is_int(sh("'%s/examples/demo/make-upstream' '%s' && "
		       "git -C '%s' repack -adq",
		       getenv("QS_SOURCE_DIR"), upstream, upstream), 0,
		    "make-upstream makes the demo's repository") ||
	    !is_int(pristine_from(fresh.pristine, upstream), 0,
		    "a bare copy of it"))
		return;
	/*
	 * The second repository holds the branches of a build, and then
	 * upstream moves on: the next build reads the cache, finds its base
	 * there, checks the append-only branches against the queue and
	 * rebuilds what starts on upstream.
	 */
	if (!is_int(scenario_measure(cfg, &fresh, 1), 0, "the demo builds") ||
	    !is_int(sh("cp -R '%s' '%s'", work, built), 0, "a copy of it") ||
	    !is_int(pristine_from(again.pristine, built), 0, "a bare copy of that") ||
	    !is_int(sh("cd '%s' && up=refs/remotes/origin/master && "
		       "c=$(git -c user.name=L -c user.email=l@example.org "
		       "commit-tree -p $up -m more $up^{tree}) && "
		       "git update-ref $up $c", again.pristine), 0,
		    "upstream moves on after the build"))
		goto done;
	for (jobs = 1; jobs <= 2; jobs++) {
		if (!is_int(scenario_measure(cfg, &fresh, jobs), 0,
			    "fresh build, jobs=%d, unarmed", jobs) ||
		    !ok(!same(fresh.before, fresh.after), "it makes branches"))
			continue;
		test_build(cfg, &fresh, jobs);
		if (!is_int(scenario_measure(cfg, &again, jobs), 0,
			    "rebuild, jobs=%d, unarmed", jobs) ||
		    !ok(!same(again.before, again.after), "it moves branches"))
			continue;
		test_build(cfg, &again, jobs);
	}
done:
	free(fresh.before);
	free(fresh.after);
	free(fresh.picks);
	free(again.before);
	free(again.after);
	free(again.picks);
}

/* ------------------------------------------------------------------ */

/*
 * The demo's config, writing to `work`: its own text but for the
 * repository, and read as if from examples/demo, so that its queue is
 * the demo's.
 */
static int demo_config(qs_buf *yaml)
{
	qs_buf text = QS_BUF_INIT;
	const char *p, *eol;
	int ret = -1;

	if (load_text(&text, demo_yaml) < 0)
		goto done;
	for (p = text.ptr; *p; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (!strncmp(p, "repository:", strlen("repository:")))
			qs_buf_addf(yaml, "repository: %s\n", work);
		else
			qs_buf_addf(yaml, "%.*s\n", (int)(eol - p), p);
	}
	ret = qs_buf_oom(yaml) ? -1 : 0;
done:
	qs_buf_release(&text);
	return ret;
}

int main(void)
{
	const char *src = getenv("QS_SOURCE_DIR");
	qs_config *cfg = NULL;
	qs_buf yaml = QS_BUF_INIT;

	if (!src)
		tap_skip_all("QS_SOURCE_DIR is not set: run through meson test");
	if (!have_git())
		tap_skip_all("git is not installed");
	only_k = getenv("QS_ALLOC_AT") ? atol(getenv("QS_ALLOC_AT")) : 0;
	if (getenv("QS_ALLOC_TRIES"))
		tries = atol(getenv("QS_ALLOC_TRIES"));
	if (!getenv("TMPDIR") && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	git_libgit2_init();
	if (scratch_make("alloc")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	git_isolate();
	snprintf(demo_yaml, sizeof(demo_yaml), "%s/examples/demo/quiltsync.yaml", src);
	snprintf(demo_series, sizeof(demo_series), "%s/examples/demo/patches/series", src);
	snprintf(demo_patches, sizeof(demo_patches), "%s/examples/demo/patches", src);
	snprintf(work, sizeof(work), "%s/work", scratch);
	if (!ok(demo_config(&yaml) == 0, "the demo's config, on a scratch repository"))
		goto done;
	if (!only_k)
		test_config_parse(&yaml);
	if (!is_int(qs_config_parse(&cfg, yaml.ptr, yaml.len, demo_yaml), 0,
		    "the config parses unarmed"))
		goto done;
	if (!only_k) {
		test_series_mmotm();
		test_queue_open(cfg);
	}
	test_builds(cfg);
done:
	qs_config_free(cfg);
	qs_buf_release(&yaml);
	free(sites);
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
