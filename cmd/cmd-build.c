/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync build: the nightly job. Runs qs_build_run() and tells what
 * became of every branch, on the terminal (with a progress bar), as
 * JSON, and in the repository for `quiltsync status`. The output and
 * exit codes are documented in quiltsync-build(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "cli.h"
#include "json-write.h"
#include "report.h"

static const char usage[] =
	"quiltsync build [-c FILE] [--dry-run] [--allow-rewrite BRANCH...] [--no-cache] [--verify] "
	"[--wait SECONDS] [--jobs N] [--publish [--now TIME]] [--json] [-q]";

/* What the progress callback needs. */
struct run {
	time_t start;
	int show_bar, bar_drawn;
};

/* patches done of total, branches, and a rough ETA: only on a terminal */
static void draw_progress(const qs_build_progress *p, void *payload)
{
	struct run *run = payload;
	size_t width = 30, fill, total = p->patches_total ? p->patches_total : 1;
	size_t done = p->patches_done < total ? p->patches_done : total;
	double elapsed;
	char eta[32] = "";
	char line[160];
	size_t i;

	if (!run->show_bar)
		return;
	elapsed = difftime(time(NULL), run->start);
	fill = width * done / total;
	if (done && elapsed >= 1)
		snprintf(eta, sizeof(eta), ", ETA %.0fs",
			 elapsed * (double)(total - done) / (double)done);
	for (i = 0; i < width; i++)
		line[i] = i < fill ? '#' : '.';
	line[width] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu patches, %zu/%zu branches%s\033[K", line,
		p->patches_done, p->patches_total, p->branches_done,
		p->branches_total, eta);
	run->bar_drawn = 1;
}

int cmd_build(int argc, char **argv)
{
	const char *config_path = NULL, *now_text = NULL;
	struct cli_list allow_rewrite = { NULL, 0 };
	int dry_run = 0, no_cache = 0, verify = 0, json = 0,
	    quiet = 0, wait = 0, jobs = 0, publish = 0, ret;
	qs_build_options opts = QS_BUILD_OPTIONS_INIT;
	qs_publish_options popts = QS_PUBLISH_OPTIONS_INIT;
	struct cli_publish_progress pprogress = { 0, 0 };
	qs_config *cfg = NULL;
	qs_build *build = NULL;
	struct run run;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "the config (default: ./quiltsync.yaml)", 0 },
		{ CLI_OPT_FLAG, 'n', "dry-run", &dry_run, NULL,
		  "print the plan (branch, old -> new, why); write nothing", 0 },
		{ CLI_OPT_LIST, 0, "allow-rewrite", &allow_rewrite, "BRANCH",
		  "rebuild this append-only branch from its start if its "
		  "patches changed (repeatable)", 0 },
		{ CLI_OPT_FLAG, 0, "no-cache", &no_cache, NULL,
		  "apply every patch again instead of reusing earlier commits", 0 },
		{ CLI_OPT_FLAG, 0, "verify", &verify, NULL,
		  "read every object the branches stand on; make again what is damaged", 0 },
		{ CLI_OPT_INT, 0, "wait", &wait, "SECONDS",
		  "wait this long for another build's lock (default 0)", 0 },
		{ CLI_OPT_INT, 'j', "jobs", &jobs, "N",
		  "threads for per-series branches (default: one per CPU)", 0 },
		{ CLI_OPT_FLAG, 0, "publish", &publish, NULL,
		  "then publish to every remote, under the same lock (quiltsync-publish(1))", 0 },
		{ CLI_OPT_STRING, 0, "now", &now_text, "TIME",
		  "with --publish: the time dated tags are named by", 0 },
		{ CLI_OPT_FLAG, 0, "json", &json, NULL,
		  "print the report as JSON (see quiltsync-build(1))", 0 },
		{ CLI_OPT_FLAG, 'q', "quiet", &quiet, NULL,
		  "no progress bar, no summary: errors only", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	if (cli_parse_no_operands(argc, argv, options, usage,
				"Build every branch the config describes from the queue, "
				"and update them all in one step.", &ret))
		goto done;
	if (wait < -1 || jobs < 0) {
		cli_error("%s must not be negative", jobs < 0 ? "--jobs" : "--wait");
		ret = QS_EXIT_USAGE;
		goto done;
	}
	if (now_text && !publish) {
		cli_error("--now goes with --publish");
		ret = QS_EXIT_USAGE;
		goto done;
	}
	if (publish && dry_run) {
		cli_error("--publish cannot go with --dry-run: a dry run writes no branch "
			  "(quiltsync publish --dry-run shows what the last build would send)");
		ret = QS_EXIT_USAGE;
		goto done;
	}
	cli_tune_libgit2();
	if ((ret = cli_load_config(&cfg, config_path)) != 0)
		goto done;
	if (publish) {
		/* what the build may rewrite, publishing may push */
		cli_publish_options(&popts, NULL, allow_rewrite.items, 0, 0,
				    !quiet && !json && isatty(STDERR_FILENO), &pprogress);
		if (cli_parse_now(&popts.now, now_text) < 0) {
			ret = QS_EXIT_USAGE;
			goto done;
		}
		opts.publish = &popts;
	}
	opts.flags = (dry_run ? QS_BUILD_DRY_RUN : 0) |
		     (no_cache ? QS_BUILD_NO_CACHE : 0) |
		     (verify ? QS_BUILD_VERIFY : 0);
	opts.allow_rewrite = allow_rewrite.items;
	opts.wait_seconds = wait;
	opts.jobs = jobs;
	memset(&run, 0, sizeof(run));
	run.start = time(NULL);
	run.show_bar = !quiet && !json && isatty(STDERR_FILENO);
	opts.progress = draw_progress;
	opts.payload = &run;
	ret = qs_build_run(&build, cfg, &opts);
	if (run.bar_drawn || pprogress.drawn)
		fputs("\r\033[K", stderr);
	if (ret < 0) {
		ret = cli_fail();
		goto done;
	}
	if (json && report_json(stdout, build, dry_run) < 0) {
		ret = cli_fail();
		goto done;
	} else if (!json && quiet) {
		report_failures(stderr, build, qs_config_series(cfg));
		report_warnings(build);
	} else if (!json) {
		report_human(stdout, build, dry_run);
		report_warnings(build);
	}
	ret = report_exit_code(build);
	/* the build's failure first: the publish's is printed beside it */
	if (qs_build_publish(build)) {
		int pret;

		if (!json && !quiet)
			fputc('\n', stdout);
		pret = cli_publish_report(qs_build_publish(build), json, quiet);
		if (ret == QS_EXIT_OK)
			ret = pret;
	}
done:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output: %s", strerror(errno));
		ret = QS_EXIT_SYSTEM;
	}
	qs_build_free(build);
	qs_config_free(cfg);
	free(allow_rewrite.items);
	return ret;
}
