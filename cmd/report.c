/* SPDX-License-Identifier: GPL-2.0-only */
/* A build's report in its forms; see report.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "cli.h"
#include "json-write.h"
#include "report.h"

static const char *kind_name(qs_branch_kind k)
{
	switch (k) {
	case QS_BRANCH_SERIES: return "series";
	case QS_BRANCH_TREE: return "tree";
	default: return "integration";
	}
}

static const char *status_name(qs_branch_status s, int dry_run)
{
	switch (s) {
	case QS_BRANCH_CREATED: return dry_run ? "would create" : "created";
	case QS_BRANCH_UPDATED: return dry_run ? "would update" : "updated";
	case QS_BRANCH_UNCHANGED: return "unchanged";
	case QS_BRANCH_FAILED: return "failed";
	case QS_BRANCH_BLOCKED: return "blocked";
	case QS_BRANCH_CONFLICT: return "conflict";
	case QS_BRANCH_SKIPPED: return "skipped";
	default: return "gone";
	}
}

/* JSON wants one word per status; "would create" is "created" + dry_run */
static const char *status_word(qs_branch_status s)
{
	return status_name(s, 0);
}

static void short_id(char *out, const char *hex)
{
	snprintf(out, 13, "%.12s", hex ? hex : "-");
}

void report_human(FILE *out, const qs_build *b, int dry_run)
{
	size_t i, k, n = qs_build_branch_count(b);

	for (i = 0; i < n; i++) {
		const qs_build_branch *br = qs_build_branch_byindex(b, i);
		qs_branch_status st = qs_build_branch_status(br);
		char o[16], nw[16];
		const char *why = qs_build_branch_error(br);

		short_id(o, qs_build_branch_old(br));
		short_id(nw, qs_build_branch_new(br));
		if (!why)
			why = qs_build_branch_reason(br);
		/* the ids first: fixed width, so that names line up */
		if (st == QS_BRANCH_UPDATED)
			fprintf(out, "%-12s %s..%s  ", status_name(st, dry_run), o, nw);
		else
			fprintf(out, "%-12s %12s  %12s  ", status_name(st, dry_run), "",
				qs_build_branch_new(br) ? nw : o);
		fprintf(out, "%s: %s", qs_build_branch_name(br), why ? why : "");
		if (qs_build_branch_depends_on(br))
			fprintf(out, " (on %s)", qs_build_branch_depends_on(br));
		fputc('\n', out);
		for (k = 0; k < qs_build_branch_conflict_count(br); k++) {
			size_t hunks = 0;
			const char *path = qs_build_branch_conflict_path(br, k, &hunks);

			if (hunks)
				fprintf(out, "    conflict in %s (%zu hunk%s)\n", path,
					hunks, hunks == 1 ? "" : "s");
			else
				fprintf(out, "    conflict in %s\n", path);
		}
		if (st == QS_BRANCH_CONFLICT)
			fprintf(out, "    to resolve: git checkout --detach %s && git merge %s,\n"
				"    fix the files, then run quiltsync resolve there\n",
				qs_build_branch_merge_ours(br),
				qs_build_branch_merge_theirs(br));
	}
}

void report_json(FILE *out, const qs_build *b, int dry_run)
{
	struct json j;
	size_t i, k, n = qs_build_branch_count(b);

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_bool(&j, "dry_run", dry_run);
	json_kv_string(&j, "base", qs_build_base_name(b));
	json_kv_string(&j, "base_id", qs_build_base_id(b));
	json_kv_int(&j, "recovered_refs", (int64_t)qs_build_recovered_refs(b));
	json_key(&j, "branches");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		const qs_build_branch *br = qs_build_branch_byindex(b, i);

		json_object_begin(&j);
		json_kv_string(&j, "name", qs_build_branch_name(br));
		json_kv_string(&j, "kind", kind_name(qs_build_branch_kind(br)));
		json_kv_string(&j, "old", qs_build_branch_old(br));
		json_kv_string(&j, "new", qs_build_branch_new(br));
		json_kv_string(&j, "status", status_word(qs_build_branch_status(br)));
		json_kv_string(&j, "series", qs_build_branch_series(br));
		json_kv_string(&j, "depends_on", qs_build_branch_depends_on(br));
		json_kv_int(&j, "patches", (int64_t)qs_build_branch_patches(br));
		json_kv_int(&j, "applied", (int64_t)qs_build_branch_applied(br));
		json_kv_string(&j, "reason", qs_build_branch_reason(br));
		json_kv_string(&j, "error", qs_build_branch_error(br));
		if (qs_build_branch_status(br) == QS_BRANCH_CONFLICT) {
			json_key(&j, "merge");
			json_object_begin(&j);
			json_kv_string(&j, "ours", qs_build_branch_merge_ours(br));
			json_kv_string(&j, "theirs", qs_build_branch_merge_theirs(br));
			json_key(&j, "conflicts");
			json_array_begin(&j);
			for (k = 0; k < qs_build_branch_conflict_count(br); k++) {
				size_t hunks = 0;
				const char *path = qs_build_branch_conflict_path(br, k, &hunks);

				json_object_begin(&j);
				json_kv_string(&j, "path", path);
				json_kv_int(&j, "hunks", (int64_t)hunks);
				json_object_end(&j);
			}
			json_array_end(&j);
			json_object_end(&j);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end_document(&j);
}

char *report_path(const qs_config *cfg, const char *form)
{
	git_repository *repo = NULL;
	char *path = NULL;
	const char *dir;
	size_t len;

	if (git_repository_open_ext(&repo, qs_config_repository(cfg),
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return NULL;
	dir = git_repository_commondir(repo);
	len = strlen(dir) + sizeof("/quiltsync/last-build.") + strlen(form);
	path = malloc(len);
	if (path)
		snprintf(path, len, "%s/quiltsync/last-build.%s", dir, form);
	git_repository_free(repo);
	return path;
}

/* Write one form under a temporary name and rename it into place. */
static int save_form(const qs_config *cfg, const qs_build *b, const char *form)
{
	char *path = report_path(cfg, form), *tmp = NULL;
	FILE *f = NULL;
	int ret = -1, saved;

	if (!path)
		return -1;
	tmp = malloc(strlen(path) + 8);
	if (!tmp)
		goto done;
	snprintf(tmp, strlen(path) + 8, "%s.XXXXXX", path);
	{
		int fd = mkstemp(tmp);

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			if (fd >= 0)
				close(fd);
			goto done;
		}
	}
	if (!strcmp(form, "json"))
		report_json(f, b, 0);
	else
		report_human(f, b, 0);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
		goto done;
	if (fclose(f) != 0) {
		f = NULL;
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		goto done;
	ret = 0;
done:
	saved = errno;
	if (f)
		fclose(f);
	if (ret < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	errno = saved;
	return ret;
}

int report_save(const qs_config *cfg, const qs_build *b)
{
	if (save_form(cfg, b, "json") < 0 || save_form(cfg, b, "txt") < 0)
		return -1;
	return 0;
}

int report_exit_code(const qs_build *b)
{
	size_t i, n = qs_build_branch_count(b);
	int failed = 0, conflict = 0;

	for (i = 0; i < n; i++) {
		switch (qs_build_branch_status(qs_build_branch_byindex(b, i))) {
		case QS_BRANCH_FAILED:
		case QS_BRANCH_BLOCKED:
		case QS_BRANCH_SKIPPED:
			failed = 1;
			break;
		case QS_BRANCH_CONFLICT:
			conflict = 1;
			break;
		default:
			break;
		}
	}
	return conflict ? QS_EXIT_CONFLICT : failed ? QS_EXIT_FAILED : QS_EXIT_OK;
}
