/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz qs_mail_parse(). The first byte of the input chooses the flags
 * (its low six bits are the qs_mail_flag bits), the rest is the mail. Each
 * input is parsed with those flags and again with QS_MAIL_STRICT flipped,
 * with a file name so that the fallbacks run, and every accessor is read
 * and checked against the invariants the header promises.
 */
#include "internal.h"
#include "mail-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void check(int cond)
{
	if (!cond)
		abort();
}

static void touch(const char *s)
{
	check(s != NULL);
	sink += strlen(s);
}

static void exercise(const qs_mail *mail)
{
	qs_buf info = QS_BUF_INIT;
	const char *p;
	size_t len, i;
	int64_t t;
	int off;

	touch(qs_mail_author_name(mail));
	touch(qs_mail_author_email(mail));
	touch(qs_mail_date(mail));
	touch(qs_mail_subject(mail));
	touch(qs_mail_raw_subject(mail));
	p = qs_mail_body(mail, &len);
	check(p != NULL && p[len] == '\0');
	sink += len;
	p = qs_mail_message(mail);
	touch(p);
	/* git am's message: empty, or ending in one newline */
	len = strlen(p);
	check(len == 0 || p[len - 1] == '\n');
	p = qs_mail_patch(mail, &len);
	check(p != NULL && p[len] == '\0');
	check((len == 0) == (qs_mail_patch_line(mail) == 0));
	if (qs_mail_message_id(mail))
		touch(qs_mail_message_id(mail));
	for (i = 0; i < qs_mail_trailer_count(mail); i++) {
		const qs_trailer *tr = qs_mail_trailer_byindex(mail, i);

		check(tr != NULL);
		touch(tr->key);
		touch(tr->value);
		check(tr->key[0] != '\0');
	}
	check(qs_mail_trailer_byindex(mail, i) == NULL);
	for (i = 0; i < qs_mail_link_count(mail); i++)
		check(strchr(qs_mail_link_byindex(mail, i), '@') != NULL);
	check(qs_mail_link_byindex(mail, i) == NULL);
	for (i = 0; i < qs_mail_prefix_count(mail); i++)
		check(qs_mail_prefix_byindex(mail, i)[0] != '\0');
	check(qs_mail_prefix_byindex(mail, i) == NULL);
	sink += qs_mail_patch_version(mail) + qs_mail_patch_index(mail) +
		qs_mail_patch_total(mail);
	if (qs_mail_series_title(mail)) {
		touch(qs_mail_series_title(mail));
		sink += qs_mail_series_version(mail);
	} else {
		check(qs_mail_series_version(mail) == 0);
	}
	sink += qs_mail_series_total(mail);
	sink += (size_t)qs_mail_origin(mail, QS_FIELD_AUTHOR) +
		(size_t)qs_mail_origin(mail, QS_FIELD_SUBJECT) +
		(size_t)qs_mail_origin(mail, QS_FIELD_DATE);
	check((qs_mail_origin(mail, QS_FIELD_SUBJECT) == QS_ORIGIN_NONE) ==
	      (qs_mail_subject(mail)[0] == '\0'));
	if (!qs_mail_time(&t, &off, mail))
		sink += (size_t)t + (size_t)off;
	check(qs__mail_info(&info, mail) == 0);
	sink += info.len;
	qs_buf_release(&info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qs_mail_options opts = QS_MAIL_OPTIONS_INIT;
	unsigned int flags;
	qs_mail *mail;
	int round;

	if (!size)
		return 0;
	flags = data[0] & 0x3f;
	opts.name = "patches/fuzz-input.patch.gz";
	for (round = 0; round < 2; round++) {
		opts.flags = round ? flags ^ QS_MAIL_STRICT : flags;
		mail = NULL;
		if (qs_mail_parse(&mail, (const char *)data + 1, size - 1, &opts) == 0) {
			exercise(mail);
			qs_mail_free(mail);
		} else {
			check(mail == NULL);
			/* only strict mode may refuse a mail */
			check(opts.flags & QS_MAIL_STRICT);
			check(qs_error_last()->code == QS_EPARSE);
		}
	}
	return 0;
}
