/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync show-patch: what quiltsync reads from patch files — author,
 * date, subject, the commit message git am would write, trailers, the
 * series markers and the files the diff touches.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-write.h"

static const char usage[] =
	"quiltsync show-patch [--json] [-k | -b] [-p N] [--strict] FILE...";

struct show_opts {
	int json;
	int keep_subject;
	int keep_non_patch;
	int strict;
	int strip;
};

static const char *op_name(qs_diff_op op)
{
	switch (op) {
	case QS_DIFF_ADDED: return "added";
	case QS_DIFF_DELETED: return "deleted";
	case QS_DIFF_RENAMED: return "renamed";
	case QS_DIFF_COPIED: return "copied";
	default: return "modified";
	}
}

static const char *origin_name(qs_mail_origin_kind k)
{
	switch (k) {
	case QS_ORIGIN_HEADER: return "header";
	case QS_ORIGIN_INBODY: return "inbody";
	case QS_ORIGIN_DEP3: return "dep3";
	case QS_ORIGIN_SIGNOFF: return "signoff";
	case QS_ORIGIN_FILENAME: return "filename";
	default: return "none";
	}
}

/*
 * The path a file diff touches, as a reader names it: the new name with
 * `strip` components removed (the old one for a deletion). The diff's
 * own names are kept as written, so this is the -pN view of them.
 */
static const char *touched_path(const qs_diff_file *f, int strip)
{
	const char *name = qs_diff_file_op(f) == QS_DIFF_DELETED ?
		qs_diff_file_old_path(f) : qs_diff_file_new_path(f);
	const char *stripped;

	if (!name)
		name = qs_diff_file_old_path(f);
	if (!name)
		name = qs_diff_file_index_path(f);
	if (!name)
		return "";
	stripped = qs_path_strip(name, strip);
	return stripped ? stripped : name;
}

/* The series position: the [PATCH n/m] prefix, else "This patch (of N)". */
static unsigned int series_total(const qs_mail *m)
{
	return qs_mail_patch_total(m) ? qs_mail_patch_total(m) :
					qs_mail_series_total(m);
}

static void show_json(struct json *j, const char *file, const qs_patch *p,
		      int strip)
{
	const qs_mail *m = qs_patch_mail(p);
	const qs_diff *d = qs_patch_diff(p);
	int64_t t;
	int tz;
	size_t i;

	json_object_begin(j);
	json_kv_string(j, "file", file);
	json_kv_string(j, "author_name", qs_mail_author_name(m));
	json_kv_string(j, "author_email", qs_mail_author_email(m));
	json_kv_string(j, "date", qs_mail_date(m));
	json_key(j, "time");
	if (qs_mail_time(&t, &tz, m) == 0) {
		char zone[16];

		snprintf(zone, sizeof(zone), "%c%02d%02d", tz < 0 ? '-' : '+',
			 abs(tz) / 60, abs(tz) % 60);
		json_object_begin(j);
		json_kv_int(j, "seconds", t);
		json_kv_string(j, "offset", zone);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_kv_string(j, "subject", qs_mail_subject(m));
	json_kv_string(j, "message", qs_mail_message(m));
	json_key(j, "trailers");
	json_array_begin(j);
	for (i = 0; i < qs_mail_trailer_count(m); i++) {
		const qs_trailer *tr = qs_mail_trailer_byindex(m, i);

		json_object_begin(j);
		json_kv_string(j, "key", tr->key);
		json_kv_string(j, "value", tr->value);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_string(j, "message_id", qs_mail_message_id(m));
	json_key(j, "links");
	json_array_begin(j);
	for (i = 0; i < qs_mail_link_count(m); i++)
		json_string(j, qs_mail_link_byindex(m, i));
	json_array_end(j);
	json_key(j, "prefixes");
	json_array_begin(j);
	for (i = 0; i < qs_mail_prefix_count(m); i++)
		json_string(j, qs_mail_prefix_byindex(m, i));
	json_array_end(j);
	json_kv_int(j, "version", qs_mail_patch_version(m));
	json_kv_string(j, "series_title", qs_mail_series_title(m));
	json_kv_int(j, "series_index", qs_mail_patch_index(m));
	json_kv_int(j, "series_total", series_total(m));
	json_key(j, "origin");
	json_object_begin(j);
	json_kv_string(j, "author", origin_name(qs_mail_origin(m, QS_FIELD_AUTHOR)));
	json_kv_string(j, "subject", origin_name(qs_mail_origin(m, QS_FIELD_SUBJECT)));
	json_kv_string(j, "date", origin_name(qs_mail_origin(m, QS_FIELD_DATE)));
	json_object_end(j);
	json_kv_int(j, "patch_line", (int64_t)qs_mail_patch_line(m));
	json_key(j, "files");
	json_array_begin(j);
	for (i = 0; i < qs_diff_file_count(d); i++)
		json_string(j, touched_path(qs_diff_file_byindex(d, i), strip));
	json_array_end(j);
	json_key(j, "changes");
	json_array_begin(j);
	for (i = 0; i < qs_diff_file_count(d); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(d, i);
		const char *data;
		size_t len;

		json_object_begin(j);
		json_kv_string(j, "path", touched_path(f, strip));
		json_kv_string(j, "op", op_name(qs_diff_file_op(f)));
		json_kv_int(j, "hunks", (int64_t)qs_diff_file_hunk_count(f));
		json_kv_bool(j, "binary", qs_diff_file_binary(&data, &len, f, 0) !=
					  QS_BINARY_NONE);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_end_document(j);
}

static void show_text(const char *file, const qs_patch *p, int strip)
{
	const qs_mail *m = qs_patch_mail(p);
	const qs_diff *d = qs_patch_diff(p);
	const char *title = qs_mail_series_title(m);
	int64_t t;
	int tz;
	size_t i;

	printf("file:     %s\n", file);
	printf("author:   %s <%s>", qs_mail_author_name(m), qs_mail_author_email(m));
	if (qs_mail_origin(m, QS_FIELD_AUTHOR) != QS_ORIGIN_HEADER)
		printf(" (from %s)", origin_name(qs_mail_origin(m, QS_FIELD_AUTHOR)));
	putchar('\n');
	if (qs_mail_time(&t, &tz, m) == 0)
		printf("date:     %s (%" PRId64 " %c%02d%02d)\n", qs_mail_date(m), t,
		       tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
	else
		printf("date:     %s\n", *qs_mail_date(m) ? qs_mail_date(m) : "(none)");
	printf("subject:  %s\n", qs_mail_subject(m));
	if (title || series_total(m)) {
		printf("series:   ");
		if (title)
			printf("\"%s\" v%u", title, qs_mail_series_version(m));
		if (series_total(m))
			printf("%spatch %u of %u", title ? ", " : "",
			       qs_mail_patch_index(m), series_total(m));
		putchar('\n');
	}
	if (qs_mail_message_id(m))
		printf("msgid:    <%s>\n", qs_mail_message_id(m));
	for (i = 0; i < qs_diff_file_count(d); i++) {
		const qs_diff_file *f = qs_diff_file_byindex(d, i);

		printf("%s %s (%s)\n", i ? "         " : "files:   ",
		       touched_path(f, strip), op_name(qs_diff_file_op(f)));
	}
	printf("\n%s", qs_mail_message(m));
}

int cmd_show_patch(int argc, char **argv)
{
	struct show_opts o = { 0, 0, 0, 0, 1 };
	const struct cli_opt opts[] = {
		{ CLI_OPT_FLAG, 0, "json", &o.json, NULL,
		  "one JSON object per file, one per line" },
		{ CLI_OPT_FLAG, 'k', "keep-subject", &o.keep_subject, NULL,
		  "keep the subject as written (git mailinfo -k)" },
		{ CLI_OPT_FLAG, 'b', "keep-non-patch", &o.keep_non_patch, NULL,
		  "strip only [PATCH]-like brackets (git mailinfo -b)" },
		{ CLI_OPT_FLAG, 0, "strict", &o.strict, NULL,
		  "exactly git mailinfo: no author or subject fallbacks" },
		{ CLI_OPT_INT, 'p', "strip", &o.strip, "N",
		  "path components to strip from file names (default 1)" },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	qs_mail_options mopts = QS_MAIL_OPTIONS_INIT;
	struct json j;
	int nargs, i, ret, status = QS_EXIT_OK;

	ret = cli_parse_options(argc, argv, opts, usage,
				"Show what quiltsync reads from patch files.", &nargs);
	if (ret)
		return ret > 0 ? QS_EXIT_OK : QS_EXIT_USAGE;
	if (!nargs) {
		cli_error("no patch file given");
		fprintf(stderr, "usage: %s\n", usage);
		return QS_EXIT_USAGE;
	}
	if (o.keep_subject && o.keep_non_patch) {
		cli_error("options '--keep-subject' and '--keep-non-patch' cannot be used together");
		return QS_EXIT_USAGE;
	}
	if (o.keep_subject)
		mopts.flags |= QS_MAIL_KEEP_SUBJECT;
	if (o.keep_non_patch)
		mopts.flags |= QS_MAIL_KEEP_NON_PATCH;
	if (o.strict)
		mopts.flags |= QS_MAIL_STRICT;

	json_init(&j, stdout);
	for (i = 0; i < nargs; i++) {
		qs_patch *p;

		if (qs_patch_open(&p, argv[i], &mopts) < 0) {
			/* keep going: report every bad file, exit with the first code */
			int code = cli_fail();

			if (status == QS_EXIT_OK)
				status = code;
			continue;
		}
		if (o.json) {
			show_json(&j, argv[i], p, o.strip);
		} else {
			if (i)
				putchar('\n');
			show_text(argv[i], p, o.strip);
		}
		qs_patch_free(p);
	}
	if (fflush(stdout) != 0) {
		cli_error("cannot write output");
		return QS_EXIT_SYSTEM;
	}
	return status;
}
