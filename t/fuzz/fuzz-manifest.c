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
 *
 * Then the same blobs are read as QS_MANIFEST_LAZY reads them, which
 * must agree: what the eager reader accepts is accepted, every patch
 * with every accessor as it was, and qs_manifest_patch_find finds each
 * patch by each of its strings (a part of one, in either case); what it
 * refuses is refused at load with the very same message, or else at a
 * patch, when that patch is read.
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

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void same_patch(const qs_manifest_patch *a, const qs_manifest_patch *b)
{
	int64_t ta = 0, tb = 0;
	int oa = 0, ob = 0;
	size_t i;

	CHECK(a && b);
	CHECK(same_str(qs_manifest_patch_name(a), qs_manifest_patch_name(b)) &&
	      qs_manifest_patch_line(a) == qs_manifest_patch_line(b) &&
	      same_str(qs_manifest_patch_section(a), qs_manifest_patch_section(b)) &&
	      qs_manifest_patch_committed(a) == qs_manifest_patch_committed(b) &&
	      same_str(qs_manifest_patch_blob(a), qs_manifest_patch_blob(b)) &&
	      same_str(qs_manifest_patch_message_id(a), qs_manifest_patch_message_id(b)) &&
	      same_str(qs_manifest_patch_subject(a), qs_manifest_patch_subject(b)) &&
	      same_str(qs_manifest_patch_author_name(a), qs_manifest_patch_author_name(b)) &&
	      same_str(qs_manifest_patch_author_email(a), qs_manifest_patch_author_email(b)) &&
	      same_str(qs_manifest_patch_date(a), qs_manifest_patch_date(b)));
	CHECK(qs_manifest_patch_time(&ta, &oa, a) == qs_manifest_patch_time(&tb, &ob, b) &&
	      ta == tb && oa == ob);
	CHECK(same_str(qs_manifest_patch_series(a), qs_manifest_patch_series(b)) &&
	      same_str(qs_manifest_patch_series_slug(a), qs_manifest_patch_series_slug(b)) &&
	      qs_manifest_patch_series_position(a) == qs_manifest_patch_series_position(b) &&
	      qs_manifest_patch_series_count(a) == qs_manifest_patch_series_count(b) &&
	      qs_manifest_patch_applied(a) == qs_manifest_patch_applied(b) &&
	      qs_manifest_patch_applied_offset(a) == qs_manifest_patch_applied_offset(b) &&
	      qs_manifest_patch_applied_fuzz(a) == qs_manifest_patch_applied_fuzz(b) &&
	      same_str(qs_manifest_patch_applied_error(a), qs_manifest_patch_applied_error(b)));
	CHECK(qs_manifest_patch_trailer_count(a) == qs_manifest_patch_trailer_count(b));
	for (i = 0; i < qs_manifest_patch_trailer_count(a); i++)
		CHECK(same_str(qs_manifest_patch_trailer_key(a, i), qs_manifest_patch_trailer_key(b, i)) &&
		      same_str(qs_manifest_patch_trailer_value(a, i),
			       qs_manifest_patch_trailer_value(b, i)));
	CHECK(qs_manifest_patch_file_count(a) == qs_manifest_patch_file_count(b));
	for (i = 0; i < qs_manifest_patch_file_count(a); i++)
		CHECK(same_str(qs_manifest_patch_file_byindex(a, i),
			       qs_manifest_patch_file_byindex(b, i)));
	CHECK(qs_manifest_patch_commit_count(a) == qs_manifest_patch_commit_count(b));
	for (i = 0; i < qs_manifest_patch_commit_count(a); i++)
		CHECK(same_str(qs_manifest_patch_commit_branch(a, i),
			       qs_manifest_patch_commit_branch(b, i)) &&
		      same_str(qs_manifest_patch_commit_id(a, i), qs_manifest_patch_commit_id(b, i)) &&
		      qs_manifest_patch_commit_position(a, i) ==
		      qs_manifest_patch_commit_position(b, i));
}

/* qs_manifest_patch_find must give patch `want` for `s`, a part of it, in any case. */
static void finds(const qs_manifest *m, size_t want, const char *s)
{
	char upper[64];
	size_t len, i, k, n, *items;
	int flags, hit;

	if (!s)
		return;
	/* a part from the middle, and in upper case for the search in any */
	len = strlen(s);
	if (len > 2) {
		s++;
		len -= 2;
	}
	if (len >= sizeof(upper))
		len = sizeof(upper) - 1;
	for (flags = 0; flags <= QS_MANIFEST_FIND_ICASE; flags += QS_MANIFEST_FIND_ICASE) {
		for (i = 0; i < len; i++)
			upper[i] = flags && s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
		upper[len] = '\0';
		items = NULL;
		n = 0;
		if (qs_manifest_patch_find(&items, &n, m, upper, (unsigned int)flags) < 0) {
			CHECK(qs_error_last()->code == QS_ENOMEM);
			continue;
		}
		for (k = 0, hit = 0; k < n; k++) {
			CHECK(items[k] < qs_manifest_patch_count(m));
			CHECK(k == 0 || items[k] > items[k - 1]);
			hit |= items[k] == want;
		}
		CHECK(hit);
		free(items);
	}
}

static void finds_patch(const qs_manifest *m, size_t i, const qs_manifest_patch *p)
{
	size_t k;

	finds(m, i, qs_manifest_patch_name(p));
	finds(m, i, qs_manifest_patch_subject(p));
	finds(m, i, qs_manifest_patch_message_id(p));
	finds(m, i, qs_manifest_patch_author_name(p));
	finds(m, i, qs_manifest_patch_series(p));
	finds(m, i, qs_manifest_patch_applied_error(p));
	for (k = 0; k < qs_manifest_patch_trailer_count(p) && k < 4; k++)
		finds(m, i, qs_manifest_patch_trailer_value(p, k));
	for (k = 0; k < qs_manifest_patch_file_count(p) && k < 4; k++)
		finds(m, i, qs_manifest_patch_file_byindex(p, k));
	for (k = 0; k < qs_manifest_patch_commit_count(p) && k < 4; k++)
		finds(m, i, qs_manifest_patch_commit_id(p, k));
}

/*
 * The blobs again, patches.json read lazily, against the eager reader's
 * result: `eager` when it loaded, else its error `eager_ret` and message.
 */
static void check_lazy(const qs_manifest *eager, int eager_ret, const char *eager_msg,
		       const char *const *blob, const size_t *len)
{
	int (*const take[])(qs_manifest *, struct qs__json_doc *) = {
		qs__manifest_take_build, qs__manifest_take_branches,
	};
	static const char *const names[] = { "build.json", "branches.json" };
	struct qs__manifest_copy copy;
	qs_manifest *m = qs__manifest_new();
	const qs_manifest_patch *p;
	size_t i, refused = 0;
	int ret = 0;

	if (!m)
		return;
	for (i = 0; i < 2 && ret == 0; i++) {
		struct qs__json_doc *doc = NULL;

		if ((ret = qs__json_parse(&doc, blob[i], len[i], names[i])) == 0)
			ret = take[i](m, doc);
	}
	memset(&copy, 0, sizeof(copy));
	if (ret == 0 && (copy.owned = malloc(len[2] + 1))) {
		memcpy(copy.owned, blob[2], len[2]);
		copy.patches = copy.owned;
		copy.patches_len = len[2];
		ret = qs__manifest_take_patches_copy(m, &copy);
		if (ret < 0 && ret != QS_ENOMEM && eager_ret != QS_ENOMEM) {
			/* refused at load: as the eager reader refused it */
			CHECK(!eager && ret == eager_ret &&
			      !strcmp(qs_error_last()->message, eager_msg));
		} else if (ret == 0) {
			CHECK(!eager || qs_manifest_patch_count(m) == qs_manifest_patch_count(eager));
			for (i = 0; i < qs_manifest_patch_count(m); i++) {
				if (!(p = qs_manifest_patch_byindex(m, i))) {
					CHECK(qs_error_last()->code == QS_ENOMEM ||
					      !strncmp(qs_error_last()->message, "patches.json:", 13));
					refused++;
					continue;
				}
				walk_patch(m, p);
				if (eager)
					same_patch(p, qs_manifest_patch_byindex(eager, i));
				if (i < 8)
					finds_patch(m, i, p);
			}
			/* what the eager reader refused is refused at some patch */
			CHECK(eager || eager_ret == QS_ENOMEM || refused);
		}
	}
	qs_manifest_free(m);
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
	const char *blob[3] = { NULL, NULL, NULL };
	size_t len[3] = { 0, 0, 0 }, nblobs, i;
	qs_manifest *m = qs__manifest_new();
	char *msg = NULL;
	int ret = 0;

	if (!m)
		return 0;
	for (nblobs = 0; nblobs < 3 && p; nblobs++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		blob[nblobs] = p;
		len[nblobs] = nul ? (size_t)(nul - p) : (size_t)(end - p);
		p = nul ? nul + 1 : NULL;
	}
	for (i = 0; i < nblobs; i++) {
		struct qs__json_doc *doc = NULL;

		if ((ret = qs__json_parse(&doc, blob[i], len[i], names[i])) < 0 ||
		    (ret = take[i](m, doc)) < 0)
			break;
	}
	if (ret < 0)
		check_error(ret);
	else if (i >= 2)
		walk(m, i == 3);
	/* patches.json read, or refused: the lazy reader must agree */
	if (nblobs == 3 && i >= 2 && (ret == 0 || (msg = strdup(qs_error_last()->message))))
		check_lazy(ret == 0 ? m : NULL, ret, msg, blob, len);
	free(msg);
	qs_manifest_free(m);
	return 0;
}
