/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync series: load a queue and show how it is grouped into patch
 * series and which branch names they get. The JSON form is a contract
 * documented in quiltsync-series(1).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-write.h"

static const char usage[] =
	"quiltsync series [--json] [--series FILE [--patches DIR]] "
	"[--sections branch|mmotm] [--section NAME] [--placeholder NAME...]";

static const char *kind_name(qs_entry_kind kind)
{
	switch (kind) {
	case QS_ENTRY_COMMITTED:
		return "committed";
	case QS_ENTRY_PLACEHOLDER:
		return "placeholder";
	default:
		return "patch";
	}
}

static void json_entry_ref(struct json *j, const qs_series_entry *e, int kind)
{
	json_object_begin(j);
	json_kv_string(j, "name", qs_entry_name(e));
	json_kv_int(j, "line", (int64_t)qs_entry_line(e));
	if (kind)
		json_kv_string(j, "kind", kind_name(qs_entry_kind_of(e)));
	json_object_end(j);
}

static void json_patch(struct json *j, const qs_queue *queue,
		       const qs_series_entry *e)
{
	const qs_patch *patch = qs_queue_patch(queue, e);
	const qs_mail *mail = qs_patch_mail(patch);
	size_t i;

	json_object_begin(j);
	json_kv_string(j, "name", qs_entry_name(e));
	json_kv_int(j, "line", (int64_t)qs_entry_line(e));
	json_kv_string(j, "subject", mail ? qs_mail_subject(mail) : NULL);
	json_kv_string(j, "author_name", mail ? qs_mail_author_name(mail) : NULL);
	json_kv_string(j, "author_email", mail ? qs_mail_author_email(mail) : NULL);
	json_key(j, "notes");
	json_array_begin(j);
	for (i = 0; i < qs_entry_note_count(e); i++)
		json_string(j, qs_entry_note_byindex(e, i));
	json_array_end(j);
	json_kv_bool(j, "missing", patch == NULL);
	json_object_end(j);
}

static void json_section(struct json *j, const qs_queue *queue,
			 const qs_section *sec)
{
	size_t i, k;

	json_object_begin(j);
	json_kv_string(j, "name", qs_section_name(sec));
	json_key(j, "series");
	json_array_begin(j);
	for (i = 0; i < qs_queue_patchset_count(queue); i++) {
		const qs_patchset *set = qs_queue_patchset_byindex(queue, i);

		if (qs_patchset_section(set) != sec)
			continue;
		json_object_begin(j);
		json_kv_string(j, "title", qs_patchset_title(set));
		json_kv_string(j, "slug", qs_patchset_slug(set));
		json_kv_string(j, "area", qs_patchset_area(set));
		json_key(j, "patches");
		json_array_begin(j);
		for (k = 0; k < qs_patchset_entry_count(set); k++)
			json_patch(j, queue, qs_patchset_entry_byindex(set, k));
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "committed");
	json_array_begin(j);
	for (i = 0; i < qs_section_entry_count(sec); i++) {
		const qs_series_entry *e = qs_section_entry_byindex(sec, i);

		if (qs_entry_kind_of(e) == QS_ENTRY_COMMITTED)
			json_entry_ref(j, e, 0);
	}
	json_array_end(j);
	json_key(j, "placeholders");
	json_array_begin(j);
	for (i = 0; i < qs_section_entry_count(sec); i++) {
		const qs_series_entry *e = qs_section_entry_byindex(sec, i);

		if (qs_entry_kind_of(e) == QS_ENTRY_PLACEHOLDER)
			json_entry_ref(j, e, 0);
	}
	json_array_end(j);
	json_object_end(j);
}

static void print_json(const qs_queue *queue, const qs_section *only)
{
	const qs_series *series = qs_queue_series(queue);
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "sections");
	json_array_begin(&j);
	for (i = 0; i < qs_series_section_count(series); i++) {
		const qs_section *sec = qs_series_section_byindex(series, i);

		if (!only || sec == only)
			json_section(&j, queue, sec);
	}
	json_array_end(&j);
	json_key(&j, "outside");
	json_array_begin(&j);
	for (i = 0; i < qs_series_entry_count(series) && !only; i++) {
		const qs_series_entry *e = qs_series_entry_byindex(series, i);

		if (!qs_entry_section(e))
			json_entry_ref(&j, e, 1);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end_document(&j);
}

static void print_patch(const qs_queue *queue, const qs_series_entry *e)
{
	const qs_mail *mail = qs_patch_mail(qs_queue_patch(queue, e));
	size_t i;

	printf("      %s\n", qs_entry_name(e));
	if (mail)
		printf("          %s\n", qs_mail_subject(mail));
	else
		printf("          (patch file missing)\n");
	for (i = 0; i < qs_entry_note_count(e); i++)
		printf("          note: %s\n", qs_entry_note_byindex(e, i));
}

static void print_section(const qs_queue *queue, const qs_section *sec)
{
	size_t i, k, nsets = 0, npatches = 0, ncommitted = 0;

	for (i = 0; i < qs_queue_patchset_count(queue); i++) {
		const qs_patchset *set = qs_queue_patchset_byindex(queue, i);

		if (qs_patchset_section(set) == sec) {
			nsets++;
			npatches += qs_patchset_entry_count(set);
		}
	}
	for (i = 0; i < qs_section_entry_count(sec); i++) {
		const qs_series_entry *e = qs_section_entry_byindex(sec, i);

		ncommitted += qs_entry_kind_of(e) == QS_ENTRY_COMMITTED;
	}
	printf("section %s: %zu series, %zu patch%s\n", qs_section_name(sec),
	       nsets, npatches, npatches == 1 ? "" : "es");
	for (i = 0; i < qs_section_entry_count(sec); i++) {
		const qs_series_entry *e = qs_section_entry_byindex(sec, i);

		if (qs_entry_kind_of(e) == QS_ENTRY_PLACEHOLDER)
			printf("  placeholder: %s\n", qs_entry_name(e));
	}
	if (ncommitted)
		printf("  committed: %zu patch%s\n", ncommitted,
		       ncommitted == 1 ? "" : "es");
	for (i = 0; i < qs_queue_patchset_count(queue); i++) {
		const qs_patchset *set = qs_queue_patchset_byindex(queue, i);
		size_t n = qs_patchset_entry_count(set);

		if (qs_patchset_section(set) != sec)
			continue;
		printf("\n  %s\n", qs_patchset_slug(set));
		printf("    title: %s\n", qs_patchset_title(set));
		if (qs_patchset_area(set))
			printf("    area: %s\n", qs_patchset_area(set));
		printf("    patches: %zu\n", n);
		for (k = 0; k < n; k++)
			print_patch(queue, qs_patchset_entry_byindex(set, k));
	}
}

static void print_human(const qs_queue *queue, const qs_section *only)
{
	const qs_series *series = qs_queue_series(queue);
	size_t i, outside = 0;

	for (i = 0; i < qs_series_section_count(series); i++) {
		const qs_section *sec = qs_series_section_byindex(series, i);

		if (only && sec != only)
			continue;
		if (!only && i)
			putchar('\n');
		print_section(queue, sec);
	}
	if (only)
		return;
	for (i = 0; i < qs_series_entry_count(series); i++)
		outside += !qs_entry_section(qs_series_entry_byindex(series, i));
	if (!outside)
		return;
	printf("\noutside sections: %zu entr%s\n", outside, outside == 1 ? "y" : "ies");
	for (i = 0; i < qs_series_entry_count(series); i++) {
		const qs_series_entry *e = qs_series_entry_byindex(series, i);

		if (!qs_entry_section(e))
			printf("  %s: %s\n", kind_name(qs_entry_kind_of(e)),
			       qs_entry_name(e));
	}
}

int cmd_series(int argc, char **argv)
{
	const char *series_path = NULL, *patches_dir = NULL, *section = NULL,
		   *config_path = NULL, *sections = NULL;
	qs_config *cfg = NULL;
	struct cli_list placeholders = { NULL, 0 };
	qs_queue_options opts = QS_QUEUE_OPTIONS_INIT;
	const qs_section *only = NULL;
	qs_queue *queue = NULL;
	int json = 0, ret;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "take the series file, patches, sections and placeholders "
		  "from this quiltsync.yaml", 0 },
		{ CLI_OPT_FLAG, 0, "json", &json, NULL,
		  "print JSON (see quiltsync-series(1))", 0 },
		{ CLI_OPT_STRING, 0, "series", &series_path, "FILE",
		  "the series file (default: patches/series)", 0 },
		{ CLI_OPT_STRING, 0, "patches", &patches_dir, "DIR",
		  "the patches directory (default: the series file's)", 0 },
		{ CLI_OPT_STRING, 0, "sections", &sections, "branch|mmotm",
		  "how the series file marks its sections: #BRANCH (the "
		  "default) or #NEXT_PATCHES_START", 0 },
		{ CLI_OPT_STRING, 0, "section", &section, "NAME",
		  "show only this section", 0 },
		{ CLI_OPT_LIST, 0, "placeholder", &placeholders, "NAME",
		  "an entry that stands for a git ref (repeatable; replaces "
		  "akpm's defaults)", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	if (cli_parse_no_operands(argc, argv, options, usage,
				  "List the queue's sections, patch series and branch slugs.",
				  &ret)) {
		free(placeholders.items);
		return ret;
	}
	if (sections && cli_series_convention(&opts.series.convention, sections) < 0) {
		free(placeholders.items);
		return QS_EXIT_USAGE;
	}
	if (config_path) {
		/* the options given beside it still win */
		if ((ret = cli_load_config(&cfg, config_path)) != 0) {
			free(placeholders.items);
			return ret;
		}
		if (!sections)
			opts.series.convention = qs_config_convention(cfg);
		if (!series_path) {
			series_path = qs_config_series(cfg);
			if (!patches_dir)
				patches_dir = qs_config_patches(cfg);
		}
	}
	if (!series_path)
		series_path = "patches/series";
	/*
	 * "--placeholder=" (empty) asks for none at all; empty names never
	 * match an entry.
	 */
	opts.series.placeholders = placeholders.count ? placeholders.items :
				   cfg ? qs_config_placeholders(cfg) :
				   cli_default_placeholders;
	/* listing a queue is still useful when some patch files are missing */
	opts.flags |= QS_QUEUE_ALLOW_MISSING;
	if (qs_queue_open(&queue, series_path, patches_dir, &opts) < 0) {
		ret = cli_fail();
		goto done;
	}
	if (section) {
		only = qs_series_section_byname(qs_queue_series(queue), section);
		if (!only) {
			cli_error("no section '%s' in '%s'", section, series_path);
			ret = QS_EXIT_USAGE;
			goto done;
		}
	}
	if (json)
		print_json(queue, only);
	else
		print_human(queue, only);
	ret = QS_EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output");
		ret = QS_EXIT_SYSTEM;
	}
done:
	qs_queue_free(queue);
	qs_config_free(cfg);
	free(placeholders.items);
	return ret;
}
