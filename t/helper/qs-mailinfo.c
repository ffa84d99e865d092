/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs-mailinfo: our mail parser behind git mailinfo's command line, so the
 * tests can set the two side by side.
 *
 *   qs-mailinfo [-k | -b] [-u] [-m | --message-id] [--scissors]
 *               [--no-inbody-headers] [--fallback] [--name NAME]
 *               [--am-message FILE] [--trailers FILE] [--links FILE]
 *               [--derived FILE] MSG PATCH <mail >info
 *
 * Like `git mailinfo -u`, it writes the message body to MSG, the patch to
 * PATCH and the Author/Email/Subject/Date lines to standard output, and
 * exits 1 when the mail is one git rejects. It parses with QS_MAIL_STRICT
 * unless --fallback is given; then the info lines are the accessors'
 * values, fallbacks included. --name sets qs_mail_options.name.
 * --am-message writes qs_mail_message(), --trailers the trailers one per
 * line as `git interpret-trailers --parse` prints them, --links the Link:
 * message-ids one per line, --derived the other derived fields as
 * "key: value" lines.
 */
#include "internal.h"
#include "mail-internal.h"

#include <inttypes.h>
#include <unistd.h>

static int usage(void)
{
	fputs("usage: qs-mailinfo [-k | -b] [-u] [-m | --message-id] [--scissors]\n"
	      "                   [--no-inbody-headers] [--fallback] [--name NAME]\n"
	      "                   [--am-message FILE] [--trailers FILE] [--links FILE]\n"
	      "                   [--derived FILE] MSG PATCH <mail >info\n", stderr);
	return 129;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "error: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if ((len && fwrite(data, 1, len, f) != len) | (fclose(f) != 0)) {
		fprintf(stderr, "error: cannot write '%s'\n", path);
		return -1;
	}
	return 0;
}

static const char *origin_name(qs_mail_origin_kind k)
{
	switch (k) {
	case QS_ORIGIN_NONE: return "none";
	case QS_ORIGIN_HEADER: return "header";
	case QS_ORIGIN_INBODY: return "inbody";
	case QS_ORIGIN_DEP3: return "dep3";
	case QS_ORIGIN_SIGNOFF: return "signoff";
	case QS_ORIGIN_FILENAME: return "filename";
	}
	return "?";
}

/* the info lines from the accessors, for --fallback */
static void fallback_info(qs_buf *out, const qs_mail *mail)
{
	const char *s, *nl;

	if (qs_mail_origin(mail, QS_FIELD_AUTHOR) != QS_ORIGIN_NONE)
		qs_buf_addf(out, "Author: %s\nEmail: %s\n", qs_mail_author_name(mail),
			    qs_mail_author_email(mail));
	if (qs_mail_origin(mail, QS_FIELD_SUBJECT) != QS_ORIGIN_NONE) {
		for (s = qs_mail_subject(mail); ; s = nl + 1) {
			nl = strchr(s, '\n');
			qs_buf_adds(out, "Subject: ");
			qs_buf_add(out, s, nl ? (size_t)(nl - s) : strlen(s));
			qs_buf_addch(out, '\n');
			if (!nl)
				break;
		}
	}
	if (qs_mail_origin(mail, QS_FIELD_DATE) != QS_ORIGIN_NONE)
		qs_buf_addf(out, "Date: %s\n", qs_mail_date(mail));
	qs_buf_addch(out, '\n');
}

static void derived(qs_buf *out, const qs_mail *mail)
{
	int64_t t;
	int off;
	size_t i;

	qs_buf_addf(out, "author-origin: %s\n",
		    origin_name(qs_mail_origin(mail, QS_FIELD_AUTHOR)));
	qs_buf_addf(out, "subject-origin: %s\n",
		    origin_name(qs_mail_origin(mail, QS_FIELD_SUBJECT)));
	qs_buf_addf(out, "date-origin: %s\n",
		    origin_name(qs_mail_origin(mail, QS_FIELD_DATE)));
	qs_buf_addf(out, "author: %s <%s>\n", qs_mail_author_name(mail),
		    qs_mail_author_email(mail));
	qs_buf_addf(out, "subject: %s\n", qs_mail_subject(mail));
	qs_buf_addf(out, "raw-subject: %s\n", qs_mail_raw_subject(mail));
	if (qs_mail_message_id(mail))
		qs_buf_addf(out, "message-id: %s\n", qs_mail_message_id(mail));
	qs_buf_addf(out, "patch-line: %zu\n", qs_mail_patch_line(mail));
	qs_buf_addf(out, "version: %u\nindex: %u\ntotal: %u\n",
		    qs_mail_patch_version(mail), qs_mail_patch_index(mail),
		    qs_mail_patch_total(mail));
	for (i = 0; i < qs_mail_prefix_count(mail); i++)
		qs_buf_addf(out, "prefix: %s\n", qs_mail_prefix_byindex(mail, i));
	for (i = 0; i < qs_mail_link_count(mail); i++)
		qs_buf_addf(out, "link: %s\n", qs_mail_link_byindex(mail, i));
	if (qs_mail_series_title(mail))
		qs_buf_addf(out, "series-title: %s\n", qs_mail_series_title(mail));
	qs_buf_addf(out, "series-version: %u\nseries-total: %u\n",
		    qs_mail_series_version(mail), qs_mail_series_total(mail));
	if (!qs_mail_time(&t, &off, mail))
		qs_buf_addf(out, "time: %" PRId64 " %+05d\n", t,
			    off / 60 * 100 + off % 60);
}

int main(int argc, char **argv)
{
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	const char *am_message = NULL, *trailers = NULL, *links = NULL;
	const char *derived_file = NULL;
	qs_buf in = QS_BUF_INIT, out = QS_BUF_INIT;
	qs_mail *mail = NULL;
	bool fallback = false;
	const char *msg_file, *patch_file, *data;
	size_t len, i;
	char chunk[65536];
	ssize_t n;
	int i_arg, ret = 1;

	for (i_arg = 1; i_arg < argc && argv[i_arg][0] == '-' && argv[i_arg][1]; i_arg++) {
		const char *a = argv[i_arg];

		if (!strcmp(a, "-k"))
			opts.flags |= QS_MAIL_KEEP_SUBJECT;
		else if (!strcmp(a, "-b"))
			opts.flags |= QS_MAIL_KEEP_NON_PATCH;
		else if (!strcmp(a, "-u"))
			;
		else if (!strcmp(a, "-m") || !strcmp(a, "--message-id"))
			opts.flags |= QS_MAIL_MESSAGE_ID;
		else if (!strcmp(a, "--scissors"))
			opts.flags |= QS_MAIL_SCISSORS;
		else if (!strcmp(a, "--no-inbody-headers"))
			opts.flags |= QS_MAIL_NO_INBODY_HEADERS;
		else if (!strcmp(a, "--fallback"))
			fallback = true;
		else if (!strcmp(a, "--name") && i_arg + 1 < argc)
			opts.name = argv[++i_arg];
		else if (!strcmp(a, "--am-message") && i_arg + 1 < argc)
			am_message = argv[++i_arg];
		else if (!strcmp(a, "--trailers") && i_arg + 1 < argc)
			trailers = argv[++i_arg];
		else if (!strcmp(a, "--links") && i_arg + 1 < argc)
			links = argv[++i_arg];
		else if (!strcmp(a, "--derived") && i_arg + 1 < argc)
			derived_file = argv[++i_arg];
		else if (!strcmp(a, "--"))
			break;
		else
			return usage();
	}
	if (i_arg < argc && !strcmp(argv[i_arg], "--"))
		i_arg++;
	if (argc - i_arg != 2)
		return usage();
	msg_file = argv[i_arg];
	patch_file = argv[i_arg + 1];
	if (!fallback)
		opts.flags |= QS_MAIL_STRICT;

	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		qs_buf_add(&in, chunk, (size_t)n);
	if (n < 0 || qs_buf_oom(&in)) {
		fprintf(stderr, "error: cannot read the mail\n");
		goto done;
	}

	/* git mailinfo creates both files before it reads anything */
	if (write_file(msg_file, "", 0) || write_file(patch_file, "", 0))
		goto done;
	if (qs_mail_parse(&mail, in.ptr, in.len, &opts) < 0) {
		fprintf(stderr, "error: %s\n", qs_error_last()->message);
		goto done;
	}

	data = qs_mail_body(mail, &len);
	if (write_file(msg_file, data, len))
		goto done;
	data = qs_mail_patch(mail, &len);
	if (write_file(patch_file, data, len))
		goto done;
	if (fallback)
		fallback_info(&out, mail);
	else
		qs__mail_info(&out, mail);
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len)
		goto done;

	if (am_message) {
		data = qs_mail_message(mail);
		if (write_file(am_message, data, strlen(data)))
			goto done;
	}
	if (trailers) {
		qs_buf_clear(&out);
		for (i = 0; i < qs_mail_trailer_count(mail); i++) {
			const qs_trailer *t = qs_mail_trailer_byindex(mail, i);

			qs_buf_addf(&out, "%s: %s\n", t->key, t->value);
		}
		if (write_file(trailers, out.ptr, out.len))
			goto done;
	}
	if (links) {
		qs_buf_clear(&out);
		for (i = 0; i < qs_mail_link_count(mail); i++)
			qs_buf_addf(&out, "%s\n", qs_mail_link_byindex(mail, i));
		if (write_file(links, out.ptr, out.len))
			goto done;
	}
	if (derived_file) {
		qs_buf_clear(&out);
		derived(&out, mail);
		if (write_file(derived_file, out.ptr, out.len))
			goto done;
	}
	ret = 0;
done:
	qs_mail_free(mail);
	qs_buf_release(&in);
	qs_buf_release(&out);
	return ret;
}
