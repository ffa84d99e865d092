/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync apply: plumbing that applies patches to a git tree as
 * `quilt push` would, one after the other, and prints the tree after
 * each. It writes objects (one pack) and never a ref. The output, human
 * and JSON, is documented in quiltsync-apply(1).
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "cli.h"
#include "json-write.h"

static const char usage[] =
	"quiltsync apply --repo DIR --base REV (--series FILE [--patches DIR] "
	"[--sections branch|mmotm] | [-p N] [-R] PATCH...) [--fuzz N] [--3way] [--json]";

/* objects held in memory before they are written out as a pack */
#define FLUSH_BYTES (64u << 20)

struct run {
	git_repository *repo;
	qs_applier *applier;
	git_oid tree;		/* the tree the next patch applies to */
	int json;
	struct json j;
};

static const char *status_name(qs_apply_status s)
{
	switch (s) {
	case QS_APPLIED_CLEAN: return "clean";
	case QS_APPLIED_OFFSET: return "offset";
	case QS_APPLIED_FUZZ: return "fuzz";
	case QS_APPLIED_3WAY: return "3way";
	default: return "failed";
	}
}

static void print_json(struct run *r, const char *name,
		       const qs_apply_result *res, const git_oid *tree,
		       const char *error)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	json_object_begin(&r->j);
	json_kv_string(&r->j, "patch", name);
	if (tree) {
		git_oid_tostr(hex, sizeof(hex), tree);
		json_kv_string(&r->j, "tree", hex);
	} else {
		json_kv_string(&r->j, "tree", NULL);
	}
	json_kv_string(&r->j, "status", res ? status_name(qs_apply_result_status(res)) :
			       tree ? "clean" : "failed");
	json_key(&r->j, "hunks");
	json_array_begin(&r->j);
	for (i = 0; res && i < qs_apply_result_hunk_count(res); i++) {
		const qs_hunk_report *h = qs_apply_result_hunk_byindex(res, i);

		if (!h->hunk)
			continue;
		json_object_begin(&r->j);
		json_kv_string(&r->j, "file", h->path);
		json_kv_int(&r->j, "hunk", (int64_t)h->hunk);
		json_kv_int(&r->j, "old_line", (int64_t)h->old_line);
		json_kv_int(&r->j, "new_line", (int64_t)h->new_line);
		json_kv_int(&r->j, "offset", h->offset);
		json_kv_int(&r->j, "fuzz", h->fuzz);
		json_kv_bool(&r->j, "applied", h->applied);
		if (h->merged)
			json_kv_bool(&r->j, "merged", 1);
		if (h->reason)
			json_kv_string(&r->j, "reason", h->reason);
		json_object_end(&r->j);
	}
	json_array_end(&r->j);
	if (error)
		json_kv_string(&r->j, "error", error);
	json_object_end(&r->j);
	json_end_document(&r->j);
}

static void print_human(const char *name, const qs_apply_result *res,
			const git_oid *tree)
{
	char hex[GIT_OID_HEXSZ + 1];
	qs_apply_status s = res ? qs_apply_result_status(res) : QS_APPLIED_CLEAN;

	if (!tree) {
		printf("%s - failed\n", name);
		return;
	}
	git_oid_tostr(hex, sizeof(hex), tree);
	if (s == QS_APPLIED_FUZZ)
		printf("%s %s fuzz %d\n", name, hex, qs_apply_result_fuzz(res));
	else if (s == QS_APPLIED_3WAY)
		printf("%s %s 3-way\n", name, hex);
	else
		printf("%s %s %s\n", name, hex, status_name(s));
}

/* The failure's report on stderr: the error, then each failed hunk. */
static void print_failure(const char *name, const qs_apply_result *res)
{
	size_t i;

	cli_error("%s: %s", name, qs_apply_result_error(res));
	for (i = 0; i < qs_apply_result_hunk_count(res); i++) {
		const qs_hunk_report *h = qs_apply_result_hunk_byindex(res, i);

		if (h->applied)
			continue;
		if (h->hunk)
			fprintf(stderr, "  %s: hunk #%zu FAILED at %zu: %s\n",
				h->path ? h->path : "?", h->hunk,
				h->new_line ? h->new_line : h->old_line,
				h->reason ? h->reason : "does not apply");
		else
			fprintf(stderr, "  %s: %s\n", h->path ? h->path : "?",
				h->reason ? h->reason : "does not apply");
	}
}

/*
 * Apply one patch to r->tree. Returns 0 when it applied, QS_EXIT_FAILED
 * when it did not, another exit code on errors.
 */
static int apply_one(struct run *r, const char *name, const qs_patch *patch,
		     int strip, int reverse)
{
	qs_diff_options dopts = QS_DIFF_OPTIONS_INIT;
	qs_apply_result *res = NULL;
	qs_diff *diff = NULL;
	size_t len = 0, bytes = 0;
	const char *content = qs_patch_content(patch, &len);
	int ret;

	if (!len) {
		/* quilt never runs patch on an empty file: it applies */
		if (r->json)
			print_json(r, name, NULL, &r->tree, NULL);
		else
			print_human(name, NULL, &r->tree);
		return 0;
	}
	/*
	 * GNU patch reads the whole file, mail headers and all, not the
	 * part after the message that git am would take: an "Index:" line
	 * at the top is a mail header to one and a file name to the other.
	 */
	dopts.path = qs_patch_path(patch);
	if (qs_diff_parse(&diff, content, len, &dopts) < 0 ||
	    qs_apply_diff(&res, r->applier, &r->tree, diff, strip, reverse) < 0) {
		const qs_error *e = qs_error_last();

		if (r->json)
			print_json(r, name, NULL, NULL, e->message);
		else
			printf("%s - failed\n", name);
		cli_error("%s: %s", name, e->message);
		ret = cli_exit_code(e->code);
		goto done;
	}
	if (qs_apply_result_status(res) == QS_APPLY_FAILED) {
		if (r->json)
			print_json(r, name, res, NULL, qs_apply_result_error(res));
		else
			print_human(name, res, NULL);
		print_failure(name, res);
		ret = QS_EXIT_FAILED;
		goto done;
	}
	git_oid_cpy(&r->tree, qs_apply_result_tree(res));
	if (r->json)
		print_json(r, name, res, &r->tree, NULL);
	else
		print_human(name, res, &r->tree);
	ret = 0;
	qs_applier_pending(r->applier, &bytes);
	if (bytes > FLUSH_BYTES && qs_applier_flush(r->applier) < 0)
		ret = cli_fail();
done:
	qs_apply_result_free(res);
	qs_diff_free(diff);
	return ret;
}

static int apply_series(struct run *r, const char *series_path,
			const char *patches_dir, const struct cli_list *placeholders,
			qs_series_convention convention)
{
	qs_queue_options opts = QS_QUEUE_OPTIONS_INIT;
	const qs_series *series;
	qs_queue *queue = NULL;
	size_t i;
	int ret = 0;

	opts.series.placeholders = placeholders->count ? placeholders->items :
				   cli_default_placeholders;
	opts.series.convention = convention;
	if (qs_queue_open(&queue, series_path, patches_dir, &opts) < 0)
		return cli_fail();
	series = qs_queue_series(queue);
	for (i = 0; i < qs_series_entry_count(series) && !ret; i++) {
		const qs_series_entry *e = qs_series_entry_byindex(series, i);
		const qs_patch *patch;

		if (qs_entry_kind_of(e) != QS_ENTRY_PATCH)
			continue;
		patch = qs_queue_patch(queue, e);
		if (!patch) {
			cli_error("%s: no patch file", qs_entry_name(e));
			ret = QS_EXIT_INPUT;
			break;
		}
		if (*qs_entry_options(e))
			cli_warning("%s: ignoring patch options '%s'",
				    qs_entry_name(e), qs_entry_options(e));
		ret = apply_one(r, qs_entry_name(e), patch, qs_entry_strip(e),
				qs_entry_reverse(e));
	}
	qs_queue_free(queue);
	return ret;
}

static int apply_files(struct run *r, char **paths, int n, int strip,
		       int reverse)
{
	int i, ret = 0;

	for (i = 0; i < n && !ret; i++) {
		qs_patch *patch = NULL;

		if (qs_patch_open(&patch, paths[i], NULL) < 0)
			return cli_fail();
		ret = apply_one(r, paths[i], patch, strip, reverse);
		qs_patch_free(patch);
	}
	return ret;
}

static int open_base(struct run *r, const char *dir, const char *rev)
{
	git_object *obj = NULL, *tree = NULL;
	int ret = 0;

	if (git_repository_open_ext(&r->repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0) {
		cli_error("cannot open the repository '%s': %s", dir,
			  git_error_last() ? git_error_last()->message : "unknown error");
		return QS_EXIT_USAGE;
	}
	if (git_revparse_single(&obj, r->repo, rev) < 0 ||
	    git_object_peel(&tree, obj, GIT_OBJECT_TREE) < 0) {
		cli_error("'%s' names no tree in '%s'", rev, dir);
		ret = QS_EXIT_USAGE;
		goto done;
	}
	git_oid_cpy(&r->tree, git_object_id(tree));
done:
	git_object_free(tree);
	git_object_free(obj);
	return ret;
}

int cmd_apply(int argc, char **argv)
{
	const char *repo_dir = NULL, *base = NULL, *series_path = NULL,
		   *patches_dir = NULL, *sections = NULL;
	qs_series_convention convention = QS_SERIES_BRANCH;
	struct cli_list placeholders = { NULL, 0 };
	qs_apply_options opts = QS_APPLY_OPTIONS_INIT;
	struct run r;
	int nargs = 0, strip = 1, reverse = 0, three_way = 0, fuzz = 2, ret;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 0, "repo", &repo_dir, "DIR",
		  "the git repository (its worktree or git directory)", 0 },
		{ CLI_OPT_STRING, 0, "base", &base, "REV",
		  "the commit or tree to apply to", 0 },
		{ CLI_OPT_STRING, 0, "series", &series_path, "FILE",
		  "apply every active entry of this series file, in order", 0 },
		{ CLI_OPT_STRING, 0, "patches", &patches_dir, "DIR",
		  "the patches directory (default: the series file's)", 0 },
		{ CLI_OPT_STRING, 0, "sections", &sections, "branch|mmotm",
		  "how the series file marks its sections: #BRANCH (the "
		  "default) or #NEXT_PATCHES_START", 0 },
		{ CLI_OPT_LIST, 0, "placeholder", &placeholders, "NAME",
		  "a series entry that stands for a git ref (repeatable; "
		  "replaces akpm's defaults)", 0 },
		{ CLI_OPT_INT, 'p', "strip", &strip, "N",
		  "strip N leading components from names in PATCH files (default 1)", 0 },
		{ CLI_OPT_FLAG, 'R', "reverse", &reverse, NULL,
		  "apply PATCH files reversed", 0 },
		{ CLI_OPT_INT, 'F', "fuzz", &fuzz, "N",
		  "the largest fuzz factor (default 2, as GNU patch)", 0 },
		{ CLI_OPT_FLAG, '3', "3way", &three_way, NULL,
		  "merge with the preimage blob when hunks fail, as git am -3", 0 },
		{ CLI_OPT_FLAG, 0, "json", &r.json, NULL,
		  "print one JSON object per patch (see quiltsync-apply(1))", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	memset(&r, 0, sizeof(r));
	ret = cli_parse_options(argc, argv, options, usage,
				"Apply patches to a git tree as quilt push would, and "
				"print the tree after each (writes objects, never a ref).",
				&nargs);
	if (ret) {
		free(placeholders.items);
		return ret > 0 ? QS_EXIT_OK : QS_EXIT_USAGE;
	}
	if (!repo_dir || !base || (!series_path && !nargs) ||
	    (series_path && nargs) || (patches_dir && !series_path) ||
	    (sections && !series_path)) {
		cli_error(!repo_dir ? "--repo is required" :
			  !base ? "--base is required" :
			  series_path && nargs ? "give either --series or patch files, not both" :
			  patches_dir && !series_path ? "--patches needs --series" :
			  sections && !series_path ? "--sections needs --series" :
			  "no patch to apply");
		fprintf(stderr, "usage: %s\n", usage);
		free(placeholders.items);
		return QS_EXIT_USAGE;
	}
	if (sections && cli_series_convention(&convention, sections) < 0) {
		free(placeholders.items);
		return QS_EXIT_USAGE;
	}
	if (fuzz < 0 || strip < 0) {
		cli_error("%s must not be negative", fuzz < 0 ? "--fuzz" : "-p");
		free(placeholders.items);
		return QS_EXIT_USAGE;
	}
	cli_tune_libgit2();
	json_init(&r.j, stdout);
	if ((ret = open_base(&r, repo_dir, base)) != 0)
		goto done;
	opts.fuzz = fuzz;
	opts.flags = three_way ? QS_APPLY_3WAY : 0;
	if (qs_applier_new(&r.applier, r.repo, &opts) < 0) {
		ret = cli_fail();
		goto done;
	}
	if (series_path)
		ret = apply_series(&r, series_path, patches_dir, &placeholders,
				   convention);
	else
		ret = apply_files(&r, argv, nargs, strip, reverse);
	/* the trees printed so far must exist, even after a failure */
	if (qs_applier_flush(r.applier) < 0 && !ret)
		ret = cli_fail();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output");
		ret = QS_EXIT_SYSTEM;
	}
done:
	qs_applier_free(r.applier);
	git_repository_free(r.repo);
	git_libgit2_shutdown();
	free(placeholders.items);
	return ret;
}
