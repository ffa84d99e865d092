/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz the manifest reader's checks (qs_manifest_load without git).
 * The input is build.json, branches.json and patches.json separated by
 * NUL bytes (which no JSON text holds). A manifest that loads is walked
 * through every accessor and the header's promises are checked: the
 * strings it says are never NULL are not, ids are 40 hex digits, enums
 * are in range and have names, every commit's branch is found by name.
 * One that does not must leave QS_EPARSE naming one of the blobs, or
 * QS_ENOMEM. A broken promise aborts.
 */
#include "internal.h"
#include "json-read.h"
#include "manifest-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static int hex_id(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[40] == '\0';
}

#define ID_OR_NULL(s) do { const char *id_ = (s); CHECK(!id_ || hex_id(id_)); } while (0)

static void walk_branch(const qs_manifest *m, const qs_manifest_branch *b)
{
	size_t i;

	CHECK(qs_manifest_branch_name(b));
	CHECK(qs_manifest_branch_byname(m, qs_manifest_branch_name(b)) == b);
	CHECK(qs_manifest_branch_kind(b) <= QS_BRANCH_INTEGRATION);
	CHECK(qs_manifest_branch_mode(b) <= QS_BRANCH_APPEND);
	CHECK(qs_manifest_status_name(qs_manifest_branch_status(b)));
	ID_OR_NULL(qs_manifest_branch_tip(b));
	if (!qs_manifest_branch_error(b))
		CHECK(!qs_manifest_branch_error_patch(b) &&
		      !qs_manifest_branch_error_file(b) &&
		      !qs_manifest_branch_error_line(b) &&
		      !qs_manifest_branch_error_hunk(b));
	for (i = 0; i < qs_manifest_branch_start_count(b); i++) {
		CHECK(qs_manifest_branch_start_kind(b, i) <= QS_MANIFEST_START_REMOTE);
		CHECK(qs_manifest_branch_start_name(b, i));
		ID_OR_NULL(qs_manifest_branch_start_id(b, i));
	}
	CHECK(!qs_manifest_branch_start_name(b, i));
}

static void walk_patch(const qs_manifest *m, const qs_manifest_patch *p)
{
	int64_t t;
	int off;
	size_t i;

	CHECK(qs_manifest_patch_name(p) && qs_manifest_patch_section(p) &&
	      qs_manifest_patch_subject(p) && qs_manifest_patch_author_name(p) &&
	      qs_manifest_patch_author_email(p));
	CHECK(qs_manifest_patch_committed(p) == 0 || qs_manifest_patch_committed(p) == 1);
	ID_OR_NULL(qs_manifest_patch_blob(p));
	CHECK((qs_manifest_patch_time(&t, &off, p) == 0) == !!qs_manifest_patch_date(p));
	if (qs_manifest_patch_date(p))
		CHECK(off > -24 * 60 && off < 24 * 60);
	CHECK(!!qs_manifest_patch_series(p) == !!qs_manifest_patch_series_slug(p));
	CHECK(qs_manifest_applied_name(qs_manifest_patch_applied(p)));
	for (i = 0; i < qs_manifest_patch_trailer_count(p); i++)
		CHECK(qs_manifest_patch_trailer_key(p, i) &&
		      qs_manifest_patch_trailer_value(p, i));
	CHECK(!qs_manifest_patch_trailer_key(p, i));
	for (i = 0; i < qs_manifest_patch_file_count(p); i++)
		CHECK(qs_manifest_patch_file_byindex(p, i));
	CHECK(!qs_manifest_patch_file_byindex(p, i));
	for (i = 0; i < qs_manifest_patch_commit_count(p); i++) {
		CHECK(qs_manifest_branch_byname(m, qs_manifest_patch_commit_branch(p, i)));
		CHECK(hex_id(qs_manifest_patch_commit_id(p, i)));
		qs_manifest_patch_commit_position(p, i);
	}
	CHECK(!qs_manifest_patch_commit_id(p, i));
}

static void walk(const qs_manifest *m, int with_patches)
{
	size_t i;

	CHECK(qs_manifest_format(m) >= 1 && qs_manifest_format(m) <= QS_MANIFEST_FORMAT);
	CHECK(qs_manifest_base_name(m) && qs_manifest_upstream(m));
	CHECK(hex_id(qs_manifest_base_id(m)) && hex_id(qs_manifest_upstream_id(m)) &&
	      hex_id(qs_manifest_series_blob(m)));
	for (i = 0; i < qs_manifest_branch_count(m); i++)
		walk_branch(m, qs_manifest_branch_byindex(m, i));
	CHECK(!qs_manifest_branch_byindex(m, i));
	if (!with_patches)
		return;
	for (i = 0; i < qs_manifest_patch_count(m); i++)
		walk_patch(m, qs_manifest_patch_byindex(m, i));
	CHECK(!qs_manifest_patch_byindex(m, i));
}

static void check_error(int ret)
{
	const qs_error *e = qs_error_last();

	CHECK(ret == QS_EPARSE || ret == QS_ENOMEM);
	if (ret != QS_EPARSE)
		return;
	CHECK(!strncmp(e->message, "build.json:", 11) ||
	      !strncmp(e->message, "branches.json:", 14) ||
	      !strncmp(e->message, "patches.json:", 13));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "build.json", "branches.json", "patches.json" };
	int (*const take[])(qs_manifest *, struct qs__json_doc *) = {
		qs__manifest_take_build, qs__manifest_take_branches,
		qs__manifest_take_patches,
	};
	const char *p = (const char *)data, *end = p + size;
	qs_manifest *m = qs__manifest_new();
	size_t i;
	int ret = 0;

	if (!m)
		return 0;
	for (i = 0; i < 3 && p; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		struct qs__json_doc *doc = NULL;

		if ((ret = qs__json_parse(&doc, p, len, names[i])) < 0 ||
		    (ret = take[i](m, doc)) < 0)
			break;
		p = nul ? nul + 1 : NULL;
	}
	if (ret < 0)
		check_error(ret);
	else if (i >= 2)
		walk(m, i == 3);
	qs_manifest_free(m);
	return 0;
}
