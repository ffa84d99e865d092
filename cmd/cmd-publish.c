/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync publish: push the branches of the last build to the
 * config's remotes (qs_publish_run()), and say what became of each
 * remote and ref: on the terminal, as JSON, or, with -q, one line per
 * failure on stderr, which is what cron mails. Output and exit codes are
 * documented in quiltsync-publish(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"quiltsync publish [-c FILE] [REMOTE...] [--dry-run] [--allow-rewrite BRANCH...] "
	"[--now TIME] [--wait SECONDS] [--json] [-q]";


static void draw_progress(const char *remote, qs_publish_stage stage, size_t refs,
			  void *payload)
{
	struct cli_publish_progress *run = payload;

	if (!run->show_progress)
		return;
	if (stage == QS_PUBLISH_STAGE_LIST)
		fprintf(stderr, "\r%s: asking what it has...\033[K", remote);
	else if (stage == QS_PUBLISH_STAGE_PUSH)
		fprintf(stderr, "\r%s: pushing %zu ref%s...\033[K", remote, refs,
			refs == 1 ? "" : "s");
	else
		fputs("\r\033[K", stderr);
	run->drawn = stage != QS_PUBLISH_STAGE_DONE;
}

static const char *short_id(const char *hex, char *buf)
{
	if (!hex)
		return "-";
	memcpy(buf, hex, 12);
	buf[12] = '\0';
	return buf;
}

static void print_ref(FILE *out, const qs_publish_ref *ref, int dry_run)
{
	const char *name = qs_publish_ref_name(ref);
	qs_ref_status st = qs_publish_ref_status(ref);
	char a[16], b[16];
	const char *what;

	if (!strncmp(name, "refs/heads/", 11))
		name += 11;
	else if (!strncmp(name, "refs/tags/", 10))
		name += 5;	/* "tags/..." */
	switch (st) {
	case QS_REF_REFUSED:
		what = "refused";
		break;
	case QS_REF_REJECTED:
		what = "rejected";
		break;
	case QS_REF_NOT_SENT:
		what = "not sent";
		break;
	default:
		switch (qs_publish_ref_action(ref)) {
		case QS_REF_CREATE:
			what = dry_run ? "create" : "created";
			break;
		case QS_REF_DELETE:
			what = dry_run ? "delete" : "deleted";
			break;
		case QS_REF_UNCHANGED:
			what = "kept";
			break;
		default:
			what = dry_run ? "update" : "updated";
			break;
		}
		break;
	}
	fprintf(out, "  %-9s %s %s -> %s", what, name,
		short_id(qs_publish_ref_old(ref), a), short_id(qs_publish_ref_new(ref), b));
	if (qs_publish_ref_append_only(ref) && !qs_publish_ref_lease(ref))
		fputs(" (append-only, fast-forward)", out);
	if (qs_publish_ref_reason(ref))
		fprintf(out, ": %s", qs_publish_ref_reason(ref));
	fputc('\n', out);
	if (dry_run && st == QS_REF_OK && qs_publish_ref_refspec(ref)) {
		fprintf(out, "            refspec %s", qs_publish_ref_refspec(ref));
		if (qs_publish_ref_lease(ref))
			fprintf(out, ", lease %s",
				*qs_publish_ref_lease(ref) ? qs_publish_ref_lease(ref) :
				"(must not exist)");
		fputc('\n', out);
	}
}

/*
 * Whether some refs of a failed remote moved: only with atomic: false,
 * when the server took some of them.
 */
static int partly_published(const qs_publish_remote *r)
{
	for (size_t k = 0; k < qs_publish_ref_count(r); k++) {
		const qs_publish_ref *ref = qs_publish_ref_byindex(r, k);

		if (qs_publish_ref_status(ref) == QS_REF_OK &&
		    qs_publish_ref_action(ref) != QS_REF_UNCHANGED)
			return 1;
	}
	return 0;
}

static void print_human(FILE *out, const qs_publish *p)
{
	int dry_run = qs_publish_dry_run(p);

	if (qs_publish_recovered_refs(p))
		fprintf(out, "finished %zu ref update%s a killed build left\n",
			qs_publish_recovered_refs(p),
			qs_publish_recovered_refs(p) == 1 ? "" : "s");
	for (size_t i = 0; i < qs_publish_remote_count(p); i++) {
		const qs_publish_remote *r = qs_publish_remote_byindex(p, i);
		size_t unchanged = 0, n = qs_publish_ref_count(r);
		qs_remote_result res = qs_publish_remote_result(r);

		fprintf(out, "%s (%s): ", qs_publish_remote_name(r), qs_publish_remote_url(r));
		if (res == QS_REMOTE_PUBLISHED)
			fputs(dry_run ? "would publish\n" : "published\n", out);
		else if (res == QS_REMOTE_UNCHANGED)
			fputs("up to date, nothing sent\n", out);
		else
			fprintf(out, "FAILED, %s: %s\n",
				partly_published(r) ? "only the refs listed as done moved" :
				"nothing of it changed",
				qs_publish_remote_error(r));
		for (size_t k = 0; k < n; k++) {
			const qs_publish_ref *ref = qs_publish_ref_byindex(r, k);

			if (qs_publish_ref_action(ref) == QS_REF_UNCHANGED &&
			    !qs_publish_ref_reason(ref))
				unchanged++;
			else
				print_ref(out, ref, dry_run);
		}
		if (unchanged)
			fprintf(out, "  %zu unchanged\n", unchanged);
		if (dry_run && qs_publish_remote_command(r))
			fprintf(out, "  would run: %s\n", qs_publish_remote_command(r));
	}
	for (size_t i = 0; i < qs_publish_pruned_count(p); i++)
		fprintf(out, "deleted here too: %s (its series left the queue)\n",
			qs_publish_pruned(p, i));
}

/* With -q: one line per failed remote, the ref first when one is the cause. */
static void print_failures(const qs_publish *p)
{
	for (size_t i = 0; i < qs_publish_remote_count(p); i++) {
		const qs_publish_remote *r = qs_publish_remote_byindex(p, i);
		qs_remote_result res = qs_publish_remote_result(r);

		if (res != QS_REMOTE_PUBLISHED && res != QS_REMOTE_UNCHANGED)
			cli_error("publish to '%s' %s: %s", qs_publish_remote_name(r),
				  partly_published(r) ? "failed, some refs moved" :
				  "failed, nothing of it changed",
				  qs_publish_remote_error(r));
	}
}

/*
 * The exit code of the remote that failed worst: a refused rewrite asks
 * a person to decide, a lease to look at who pushed, a failure maybe
 * only for the next run.
 */
static int exit_code(const qs_publish *p)
{
	int rewrite = 0, lease = 0, failed = 0;

	for (size_t i = 0; i < qs_publish_remote_count(p); i++) {
		switch (qs_publish_remote_result(qs_publish_remote_byindex(p, i))) {
		case QS_REMOTE_REWRITE:
			rewrite = 1;
			break;
		case QS_REMOTE_LEASE:
			lease = 1;
			break;
		case QS_REMOTE_FAILED:
			failed = 1;
			break;
		default:
			break;
		}
	}
	return rewrite ? QS_EXIT_REWRITE : lease ? QS_EXIT_LEASE :
	       failed ? QS_EXIT_REMOTE : QS_EXIT_OK;
}

int cli_parse_now(long long *out, const char *text)
{
	struct tm tm;
	char *end;
	time_t t;

	*out = 0;
	if (!text)
		return 0;
	if (text[0] == '@') {
		errno = 0;
		*out = strtoll(text + 1, &end, 10);
		if (!errno && end != text + 1 && !*end && *out > 0)
			return 0;
	} else {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%dT%H:%M", &tm);
		if (end && *end == ':')
			end = strptime(end + 1, "%S", &tm);
		if (end && !*end && (t = timegm(&tm)) > 0) {
			*out = t;
			return 0;
		}
	}
	cli_error("--now: expected YYYY-MM-DDThh:mm[:ss] (UTC) or @SECONDS, got '%s'", text);
	return -1;
}

int cli_publish_report(const qs_publish *p, int json, int quiet)
{
	char *text = NULL;

	if (json) {
		if (qs_publish_report_json(&text, p) < 0)
			return cli_fail();
		fputs(text, stdout);
		free(text);
	} else if (quiet) {
		print_failures(p);
	} else {
		print_human(stdout, p);
	}
	return exit_code(p);
}

void cli_publish_options(qs_publish_options *opts, const char *const *remotes,
			 const char *const *allow_rewrite, int dry_run, int wait,
			 int show_progress, void *progress_state)
{
	opts->flags = dry_run ? QS_PUBLISH_DRY_RUN : 0;
	opts->wait_seconds = wait;
	opts->remotes = remotes;
	opts->allow_rewrite = allow_rewrite;
	((struct cli_publish_progress *)progress_state)->show_progress = show_progress;
	opts->progress = draw_progress;
	opts->payload = progress_state;
}

static int publish(const qs_config *cfg, const char *const *remotes,
		   const char *const *allow_rewrite, int dry_run, int wait,
		   long long now, int json, int quiet)
{
	qs_publish_options opts = QS_PUBLISH_OPTIONS_INIT;
	qs_publish *p = NULL;
	struct cli_publish_progress run = { 0, 0 };
	int ret;

	cli_publish_options(&opts, remotes, allow_rewrite, dry_run, wait,
			    !quiet && !json && isatty(STDERR_FILENO), &run);
	opts.now = now;
	ret = qs_publish_run(&p, cfg, &opts);
	if (run.drawn)
		fputs("\r\033[K", stderr);
	if (ret < 0)
		return cli_fail();
	ret = cli_publish_report(p, json, quiet);
	qs_publish_free(p);
	return ret;
}

int cmd_publish(int argc, char **argv)
{
	const char *config_path = NULL, *now_text = NULL;
	struct cli_list allow_rewrite = { NULL, 0 };
	int dry_run = 0, json = 0, quiet = 0, wait = 0, nargs = 0, ret;
	long long now = 0;
	qs_config *cfg = NULL;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "the config (default: ./quiltsync.yaml)", 0 },
		{ CLI_OPT_FLAG, 'n', "dry-run", &dry_run, NULL,
		  "ask the remotes and print the refspecs and leases; send nothing", 0 },
		{ CLI_OPT_LIST, 0, "allow-rewrite", &allow_rewrite, "BRANCH",
		  "publish this append-only branch even if the remote's commit "
		  "is not in it (repeatable)", 0 },
		{ CLI_OPT_STRING, 0, "now", &now_text, "TIME",
		  "the time dated tags are named by: YYYY-MM-DDThh:mm (UTC) or @SECONDS", 0 },
		{ CLI_OPT_INT, 0, "wait", &wait, "SECONDS",
		  "wait this long for a build's lock (default 0)", 0 },
		{ CLI_OPT_FLAG, 0, "json", &json, NULL,
		  "print the report as JSON (see quiltsync-publish(1))", 0 },
		{ CLI_OPT_FLAG, 'q', "quiet", &quiet, NULL,
		  "nothing on success; one line per failed remote on stderr", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	ret = cli_parse_options(argc, argv, options, usage,
				"Push the branches of the last build to the config's remotes, "
				"each in one atomic push of what changed.", &nargs);
	if (ret) {
		ret = ret > 0 ? QS_EXIT_OK : QS_EXIT_USAGE;
		goto done;
	}
	if (wait < -1) {
		cli_error("--wait must not be negative");
		ret = QS_EXIT_USAGE;
		goto done;
	}
	if (cli_parse_now(&now, now_text) < 0) {
		ret = QS_EXIT_USAGE;
		goto done;
	}
	argv[nargs] = NULL;
	cli_tune_libgit2();
	if ((ret = cli_load_config(&cfg, config_path)) != 0)
		goto done;
	ret = publish(cfg, nargs ? (const char *const *)argv : NULL,
			  allow_rewrite.items, dry_run, wait, now, json, quiet);
done:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output: %s", strerror(errno));
		ret = QS_EXIT_SYSTEM;
	}
	qs_config_free(cfg);
	free(allow_rewrite.items);
	return ret;
}
