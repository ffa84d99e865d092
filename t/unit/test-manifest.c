/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading manifests: commits made by hand here with libgit2, as the
 * format (quiltsync-manifest(5)) describes them, read back through
 * every accessor; then history, a missing manifest, a newer format and
 * blobs that break the format one way each.
 */
#include "internal.h"
#include "json-read.h"

#include "scratch.h"

#include <sys/stat.h>
#include <unistd.h>

#define A40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B40 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C40 "cccccccccccccccccccccccccccccccccccccccc"
#define T1 "1111111111111111111111111111111111111111"
#define T2 "2222222222222222222222222222222222222222"
#define T3 "3333333333333333333333333333333333333333"
#define T4 "4444444444444444444444444444444444444444"
#define P1 "5555555555555555555555555555555555555555"
#define K1 "6666666666666666666666666666666666666666"
#define K2 "7777777777777777777777777777777777777777"
#define K3 "8888888888888888888888888888888888888888"

static char repo_path[300];
static git_repository *repo;

/* Fields this reader does not know ("future") must be ignored. */
static const char build_json[] =
	"{\"format\":1,\"base\":\"v6.9-rc3\",\"base_id\":\"" A40 "\","
	"\"upstream\":\"refs/remotes/origin/master\",\"upstream_id\":\"" B40 "\","
	"\"series_blob\":\"" C40 "\",\"branches\":7,\"patches\":5,"
	"\"future\":{\"x\":[1,2]}}\n";

static const char branches_json[] =
	"[{\"name\":\"mm-unstable\",\"kind\":\"tree\",\"mode\":\"rebuild\","
	"\"section\":\"mm-unstable\",\"series\":null,\"slug\":null,"
	"\"on\":[{\"kind\":\"base\",\"name\":\"v6.9-rc3\",\"url\":null,\"id\":\"" A40 "\"}],"
	"\"tip\":\"" T1 "\",\"status\":\"built\",\"depends_on\":null,\"patches\":2,"
	"\"error\":null,\"future\":true},"
	"{\"name\":\"mm-unstable-gup-folio-pinning-helpers\",\"kind\":\"series\","
	"\"mode\":\"rebuild\",\"section\":\"mm-unstable\","
	"\"series\":\"gup: folio pinning helpers\",\"slug\":\"gup-folio-pinning-helpers\","
	"\"on\":[{\"kind\":\"base\",\"name\":\"v6.9-rc3\",\"url\":null,\"id\":\"" A40 "\"}],"
	"\"tip\":\"" T2 "\",\"status\":\"unchanged\",\"depends_on\":null,\"patches\":2,"
	"\"error\":null},"
	"{\"name\":\"mm-nonmm-unstable\",\"kind\":\"tree\",\"mode\":\"append\","
	"\"section\":\"mm-nonmm-unstable\",\"series\":null,\"slug\":null,"
	"\"on\":[{\"kind\":\"upstream\",\"name\":\"upstream\",\"url\":null,\"id\":\"" B40 "\"}],"
	"\"tip\":\"" T3 "\",\"status\":\"failed\",\"depends_on\":null,\"patches\":0,"
	"\"error\":{\"message\":\"lib-string-add-strends.patch: hunk 2 FAILED\","
	"\"patch\":\"lib-string-add-strends.patch\",\"line\":31,\"file\":\"lib/string.c\","
	"\"hunk\":2}},"
	"{\"name\":\"mm-everything\",\"kind\":\"integration\",\"mode\":\"rebuild\","
	"\"section\":null,\"series\":null,\"slug\":null,"
	"\"on\":[{\"kind\":\"branch\",\"name\":\"mm-unstable\",\"url\":null,\"id\":\"" T1 "\"},"
	"{\"kind\":\"remote\",\"name\":\"refs/heads/master\","
	"\"url\":\"https://git.example.org/next.git\",\"id\":null}],"
	"\"tip\":null,\"status\":\"conflict\",\"depends_on\":\"mm-unstable\",\"patches\":0,"
	"\"error\":{\"message\":\"conflict in mm/gup.c\",\"patch\":null,\"line\":null,"
	"\"file\":\"mm/gup.c\",\"hunk\":null}},"
	"{\"name\":\"mm-unstable-old\",\"kind\":\"series\",\"mode\":\"rebuild\","
	"\"section\":\"mm-unstable\",\"series\":\"old\",\"slug\":\"old\",\"on\":[],"
	"\"tip\":\"" T4 "\",\"status\":\"gone\",\"depends_on\":null,\"patches\":0,\"error\":null},"
	"{\"name\":\"b5\",\"kind\":\"series\",\"mode\":\"rebuild\",\"section\":\"s\","
	"\"series\":\"t\",\"slug\":\"b5\",\"on\":[],\"tip\":null,\"status\":\"blocked\","
	"\"depends_on\":\"mm-nonmm-unstable\",\"patches\":0,\"error\":null},"
	"{\"name\":\"b6\",\"kind\":\"series\",\"mode\":\"rebuild\",\"section\":\"s\","
	"\"series\":\"t\",\"slug\":\"b6\",\"on\":[],\"tip\":null,\"status\":\"skipped\","
	"\"depends_on\":null,\"patches\":0,\"error\":null}]\n";

static const char patches_json[] =
	"[{\"name\":\"mm-gup-add-folio-pin-helpers.patch\",\"line\":12,"
	"\"section\":\"mm-unstable\",\"committed\":false,\"blob\":\"" P1 "\","
	"\"message_id\":\"20240301.1-1-jorg@example.org\","
	"\"subject\":\"mm/gup: add folio pin helpers\","
	"\"author\":{\"name\":\"J\\u00f6rg \\u00c9\",\"email\":\"jorg@example.org\"},"
	"\"date\":\"2024-03-01T12:00:00+01:00\","
	"\"trailers\":[{\"key\":\"Signed-off-by\",\"value\":\"J <jorg@example.org>\"},"
	"{\"key\":\"Cc\",\"value\":\"X <x@example.org>\"}],"
	"\"files\":[\"mm/gup.c\",\"include/linux/mm.h\"],"
	"\"series\":{\"title\":\"gup: folio pinning helpers\","
	"\"slug\":\"gup-folio-pinning-helpers\",\"position\":1,\"count\":2},"
	"\"applied\":{\"how\":\"fuzz\",\"offset\":3,\"fuzz\":1,\"error\":null},"
	"\"commits\":[{\"branch\":\"mm-unstable\",\"commit\":\"" K1 "\",\"position\":1},"
	"{\"branch\":\"mm-unstable-gup-folio-pinning-helpers\",\"commit\":\"" K2 "\","
	"\"position\":1},"
	"{\"branch\":\"mm-everything\",\"commit\":\"" K3 "\",\"position\":null}],"
	"\"future\":null},"
	"{\"name\":\"mm-gup-use-helpers.patch\",\"line\":13,\"section\":\"mm-unstable\","
	"\"committed\":false,\"blob\":null,\"message_id\":null,\"subject\":\"use them\","
	"\"author\":{\"name\":\"A\",\"email\":\"a@example.org\"},"
	"\"date\":\"1999-12-31T23:59:59-07:30\",\"trailers\":[],\"files\":[],"
	"\"series\":{\"title\":\"gup: folio pinning helpers\","
	"\"slug\":\"gup-folio-pinning-helpers\",\"position\":2,\"count\":2},"
	"\"applied\":{\"how\":\"3-way\",\"offset\":0,\"fuzz\":0,\"error\":null},"
	"\"commits\":[]},"
	"{\"name\":\"lib-old.patch\",\"line\":30,\"section\":\"mm-nonmm-unstable\","
	"\"committed\":true,\"blob\":null,\"message_id\":null,\"subject\":\"old\","
	"\"author\":{\"name\":\"\",\"email\":\"\"},\"date\":null,\"trailers\":[],"
	"\"files\":[],\"series\":null,"
	"\"applied\":{\"how\":\"committed\",\"offset\":0,\"fuzz\":0,\"error\":null},"
	"\"commits\":[]},"
	"{\"name\":\"lib-string-add-strends.patch\",\"line\":31,"
	"\"section\":\"mm-nonmm-unstable\",\"committed\":false,\"blob\":null,"
	"\"message_id\":null,\"subject\":\"lib/string: add strends\","
	"\"author\":{\"name\":\"B\",\"email\":\"b@example.org\"},\"date\":null,"
	"\"trailers\":[],\"files\":[\"lib/string.c\"],\"series\":null,"
	"\"applied\":{\"how\":\"failed\",\"offset\":12,\"fuzz\":2,"
	"\"error\":\"hunk 2 FAILED at 40\"},\"commits\":[]},"
	"{\"name\":\"lib-after.patch\",\"line\":32,\"section\":\"mm-nonmm-unstable\","
	"\"committed\":false,\"blob\":null,\"message_id\":null,\"subject\":\"after\","
	"\"author\":{\"name\":\"B\",\"email\":\"b@example.org\"},\"date\":null,"
	"\"trailers\":[],\"files\":[],\"series\":null,"
	"\"applied\":{\"how\":\"not-reached\",\"offset\":0,\"fuzz\":0,\"error\":null},"
	"\"commits\":[]}]\n";

/* `doc` with its first `from` replaced by `to`; to free(). */
static char *replace(const char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	qs_buf b = QS_BUF_INIT;

	if (!at) {
		tap_diag("fixture has no '%s'", from);
		return qs__strdup(doc);
	}
	qs_buf_add(&b, doc, (size_t)(at - doc));
	qs_buf_adds(&b, to);
	qs_buf_adds(&b, at + strlen(from));
	return qs_buf_detach(&b);
}

/*
 * A manifest commit of the given blobs (NULL: left out) on `parent`
 * (NULL: none), and refs/quiltsync/manifest set to it when `set_ref`.
 */
static int write_manifest(git_oid *out, const git_oid *parent, const char *build,
			  const char *branches, const char *patches, int set_ref)
{
	const char *names[] = { "branches.json", "build.json", "patches.json" };
	const char *docs[] = { branches, build, patches };
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_commit *pc = NULL;
	git_reference *ref = NULL;
	git_tree *tree = NULL;
	git_oid blob, tree_id;
	size_t i;
	int ret = -1;

	if (git_treebuilder_new(&tb, repo, NULL) < 0)
		goto done;
	for (i = 0; i < QS_ARRAY_SIZE(names); i++) {
		if (!docs[i])
			continue;
		if (git_blob_create_from_buffer(&blob, repo, docs[i], strlen(docs[i])) < 0 ||
		    git_treebuilder_insert(NULL, tb, names[i], &blob, GIT_FILEMODE_BLOB) < 0)
			goto done;
	}
	if (git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0 ||
	    git_signature_new(&sig, "Andrew Morton", "akpm@example.org", 1709290800, 60) < 0 ||
	    (parent && git_commit_lookup(&pc, repo, parent) < 0) ||
	    git_commit_create(out, repo, NULL, sig, sig, NULL,
			      "quiltsync build: 7 branches, 5 patches\n", tree,
			      parent ? 1 : 0, (const git_commit **)&pc) < 0)
		goto done;
	if (set_ref && git_reference_create(&ref, repo, QS_MANIFEST_REF, out, 1,
					    "test") < 0)
		goto done;
	ret = 0;
done:
	if (ret < 0)
		tap_diag("libgit2: %s", git_error_last() ? git_error_last()->message : "?");
	git_reference_free(ref);
	git_commit_free(pc);
	git_tree_free(tree);
	git_signature_free(sig);
	git_treebuilder_free(tb);
	return ret;
}

static void test_branches(const qs_manifest *m)
{
	const qs_manifest_branch *b;

	is_int(qs_manifest_branch_count(m), 7, "seven branches");
	b = qs_manifest_branch_byindex(m, 0);
	is_str(qs_manifest_branch_name(b), "mm-unstable", "branch 0: name");
	is_int(qs_manifest_branch_kind(b), QS_BRANCH_TREE, "branch 0: a tree branch");
	is_int(qs_manifest_branch_mode(b), QS_BRANCH_REBUILD, "branch 0: rebuilt");
	is_str(qs_manifest_branch_section(b), "mm-unstable", "branch 0: section");
	ok(!qs_manifest_branch_series(b) && !qs_manifest_branch_slug(b),
	   "branch 0: no series, no slug");
	is_str(qs_manifest_branch_tip(b), T1, "branch 0: tip");
	is_int(qs_manifest_branch_status(b), QS_MANIFEST_BUILT, "branch 0: built");
	ok(!qs_manifest_branch_depends_on(b), "branch 0: depends on nothing");
	is_int(qs_manifest_branch_patches(b), 2, "branch 0: two patches");
	ok(!qs_manifest_branch_error(b) && !qs_manifest_branch_error_patch(b) &&
	   !qs_manifest_branch_error_file(b) && !qs_manifest_branch_error_line(b) &&
	   !qs_manifest_branch_error_hunk(b), "branch 0: no error");
	is_int(qs_manifest_branch_start_count(b), 1, "branch 0: one start");
	is_int(qs_manifest_branch_start_kind(b, 0), QS_MANIFEST_START_BASE,
	       "branch 0: starts from the base");
	is_str(qs_manifest_branch_start_name(b, 0), "v6.9-rc3", "branch 0: the base's name");
	ok(!qs_manifest_branch_start_url(b, 0), "branch 0: no url");
	is_str(qs_manifest_branch_start_id(b, 0), A40, "branch 0: the base's id");
	ok(!qs_manifest_branch_start_name(b, 1) && !qs_manifest_branch_start_id(b, 1),
	   "branch 0: no second start");

	b = qs_manifest_branch_byname(m, "mm-unstable-gup-folio-pinning-helpers");
	ok(b == qs_manifest_branch_byindex(m, 1), "byname finds branch 1");
	is_int(qs_manifest_branch_kind(b), QS_BRANCH_SERIES, "branch 1: per series");
	is_str(qs_manifest_branch_series(b), "gup: folio pinning helpers", "branch 1: series title");
	is_str(qs_manifest_branch_slug(b), "gup-folio-pinning-helpers", "branch 1: slug");
	is_int(qs_manifest_branch_status(b), QS_MANIFEST_UNCHANGED, "branch 1: unchanged");

	b = qs_manifest_branch_byname(m, "mm-nonmm-unstable");
	is_int(qs_manifest_branch_mode(b), QS_BRANCH_APPEND, "branch 2: append-only");
	is_int(qs_manifest_branch_status(b), QS_MANIFEST_FAILED, "branch 2: failed");
	is_str(qs_manifest_branch_tip(b), T3, "branch 2: keeps its old tip");
	is_str(qs_manifest_branch_error(b), "lib-string-add-strends.patch: hunk 2 FAILED",
	       "branch 2: error message");
	is_str(qs_manifest_branch_error_patch(b), "lib-string-add-strends.patch",
	       "branch 2: error patch");
	is_int(qs_manifest_branch_error_line(b), 31, "branch 2: error line");
	is_str(qs_manifest_branch_error_file(b), "lib/string.c", "branch 2: error file");
	is_int(qs_manifest_branch_error_hunk(b), 2, "branch 2: error hunk");
	is_int(qs_manifest_branch_start_kind(b, 0), QS_MANIFEST_START_UPSTREAM,
	       "branch 2: starts from upstream");

	b = qs_manifest_branch_byname(m, "mm-everything");
	is_int(qs_manifest_branch_kind(b), QS_BRANCH_INTEGRATION, "branch 3: integration");
	ok(!qs_manifest_branch_section(b), "branch 3: no section");
	ok(!qs_manifest_branch_tip(b), "branch 3: no tip");
	is_int(qs_manifest_branch_status(b), QS_MANIFEST_CONFLICT, "branch 3: conflict");
	is_str(qs_manifest_branch_depends_on(b), "mm-unstable", "branch 3: depends on");
	is_str(qs_manifest_branch_error(b), "conflict in mm/gup.c", "branch 3: error");
	ok(!qs_manifest_branch_error_patch(b) && !qs_manifest_branch_error_line(b) &&
	   !qs_manifest_branch_error_hunk(b), "branch 3: null error fields");
	is_int(qs_manifest_branch_start_count(b), 2, "branch 3: merges two");
	is_int(qs_manifest_branch_start_kind(b, 0), QS_MANIFEST_START_BRANCH,
	       "branch 3: a branch first");
	is_str(qs_manifest_branch_start_id(b, 0), T1, "branch 3: at its id");
	is_int(qs_manifest_branch_start_kind(b, 1), QS_MANIFEST_START_REMOTE,
	       "branch 3: then a remote");
	is_str(qs_manifest_branch_start_name(b, 1), "refs/heads/master", "branch 3: remote ref");
	is_str(qs_manifest_branch_start_url(b, 1), "https://git.example.org/next.git",
	       "branch 3: remote url");
	ok(!qs_manifest_branch_start_id(b, 1), "branch 3: remote not resolved");

	is_int(qs_manifest_branch_status(qs_manifest_branch_byindex(m, 4)),
	       QS_MANIFEST_GONE, "branch 4: gone");
	is_int(qs_manifest_branch_status(qs_manifest_branch_byindex(m, 5)),
	       QS_MANIFEST_BLOCKED, "branch 5: blocked");
	is_int(qs_manifest_branch_status(qs_manifest_branch_byindex(m, 6)),
	       QS_MANIFEST_SKIPPED, "branch 6: skipped");
	ok(!qs_manifest_branch_byindex(m, 7), "no branch 7");
	ok(!qs_manifest_branch_byname(m, "nope") && !qs_manifest_branch_byname(m, NULL),
	   "byname: unknown names are NULL");
}

static void test_patches(const qs_manifest *m)
{
	const qs_manifest_patch *p;
	int64_t t = 0;
	int off = 0;

	is_int(qs_manifest_patch_count(m), 5, "five patches");
	p = qs_manifest_patch_byindex(m, 0);
	is_str(qs_manifest_patch_name(p), "mm-gup-add-folio-pin-helpers.patch", "patch 0: name");
	is_int(qs_manifest_patch_line(p), 12, "patch 0: line");
	is_str(qs_manifest_patch_section(p), "mm-unstable", "patch 0: section");
	is_int(qs_manifest_patch_committed(p), 0, "patch 0: not committed");
	is_str(qs_manifest_patch_blob(p), P1, "patch 0: blob");
	is_str(qs_manifest_patch_message_id(p), "20240301.1-1-jorg@example.org",
	       "patch 0: message-id");
	is_str(qs_manifest_patch_subject(p), "mm/gup: add folio pin helpers", "patch 0: subject");
	is_str(qs_manifest_patch_author_name(p), "J\xc3\xb6rg \xc3\x89", "patch 0: author name");
	is_str(qs_manifest_patch_author_email(p), "jorg@example.org", "patch 0: author email");
	is_str(qs_manifest_patch_date(p), "2024-03-01T12:00:00+01:00", "patch 0: date");
	ok(qs_manifest_patch_time(&t, &off, p) == 0 && t == 1709290800 && off == 60,
	   "patch 0: date as time and offset");
	is_int(qs_manifest_patch_trailer_count(p), 2, "patch 0: two trailers");
	is_str(qs_manifest_patch_trailer_key(p, 0), "Signed-off-by", "patch 0: trailer key");
	is_str(qs_manifest_patch_trailer_value(p, 0), "J <jorg@example.org>",
	       "patch 0: trailer value");
	is_str(qs_manifest_patch_trailer_key(p, 1), "Cc", "patch 0: second trailer");
	ok(!qs_manifest_patch_trailer_key(p, 2) && !qs_manifest_patch_trailer_value(p, 2),
	   "patch 0: no third trailer");
	is_int(qs_manifest_patch_file_count(p), 2, "patch 0: two files");
	is_str(qs_manifest_patch_file_byindex(p, 1), "include/linux/mm.h", "patch 0: file");
	ok(!qs_manifest_patch_file_byindex(p, 2), "patch 0: no third file");
	is_str(qs_manifest_patch_series(p), "gup: folio pinning helpers", "patch 0: series");
	is_str(qs_manifest_patch_series_slug(p), "gup-folio-pinning-helpers",
	       "patch 0: series slug");
	is_int(qs_manifest_patch_series_position(p), 1, "patch 0: position");
	is_int(qs_manifest_patch_series_count(p), 2, "patch 0: of two");
	is_int(qs_manifest_patch_applied(p), QS_MANIFEST_APPLIED_FUZZ, "patch 0: with fuzz");
	is_int(qs_manifest_patch_applied_offset(p), 3, "patch 0: offset");
	is_int(qs_manifest_patch_applied_fuzz(p), 1, "patch 0: fuzz");
	ok(!qs_manifest_patch_applied_error(p), "patch 0: no error");
	is_int(qs_manifest_patch_commit_count(p), 3, "patch 0: on three branches");
	is_str(qs_manifest_patch_commit_branch(p, 1), "mm-unstable-gup-folio-pinning-helpers",
	       "patch 0: commit branch");
	is_str(qs_manifest_patch_commit_id(p, 1), K2, "patch 0: commit id");
	is_int(qs_manifest_patch_commit_position(p, 0), 1, "patch 0: position on the tree");
	is_int(qs_manifest_patch_commit_position(p, 2), 0, "patch 0: none on the integration");
	ok(!qs_manifest_patch_commit_branch(p, 3) && !qs_manifest_patch_commit_id(p, 3) &&
	   !qs_manifest_patch_commit_position(p, 3), "patch 0: no fourth commit");

	p = qs_manifest_patch_byindex(m, 1);
	ok(!qs_manifest_patch_blob(p) && !qs_manifest_patch_message_id(p),
	   "patch 1: no blob, no message-id");
	ok(qs_manifest_patch_time(&t, &off, p) == 0 && t == 946711799 && off == -450,
	   "patch 1: a negative offset");
	is_int(qs_manifest_patch_applied(p), QS_MANIFEST_APPLIED_THREE_WAY, "patch 1: 3-way");
	ok(!qs_manifest_patch_trailer_count(p) && !qs_manifest_patch_file_count(p) &&
	   !qs_manifest_patch_commit_count(p), "patch 1: empty arrays");

	p = qs_manifest_patch_byindex(m, 2);
	is_int(qs_manifest_patch_committed(p), 1, "patch 2: committed");
	ok(!qs_manifest_patch_date(p) && qs_manifest_patch_time(&t, &off, p) == QS_ENOTFOUND,
	   "patch 2: no date");
	ok(!qs_manifest_patch_series(p) && !qs_manifest_patch_series_slug(p) &&
	   !qs_manifest_patch_series_position(p) && !qs_manifest_patch_series_count(p),
	   "patch 2: no series");
	is_int(qs_manifest_patch_applied(p), QS_MANIFEST_APPLIED_COMMITTED, "patch 2: committed");

	p = qs_manifest_patch_byindex(m, 3);
	is_int(qs_manifest_patch_applied(p), QS_MANIFEST_APPLIED_FAILED, "patch 3: failed");
	is_str(qs_manifest_patch_applied_error(p), "hunk 2 FAILED at 40", "patch 3: why");
	is_int(qs_manifest_patch_applied(qs_manifest_patch_byindex(m, 4)),
	       QS_MANIFEST_APPLIED_NOT_REACHED, "patch 4: not reached");
	ok(!qs_manifest_patch_byindex(m, 5), "no patch 5");
}

static void test_names(void)
{
	is_str(qs_manifest_status_name(QS_MANIFEST_BUILT), "built", "status name: built");
	is_str(qs_manifest_status_name(QS_MANIFEST_GONE), "gone", "status name: gone");
	ok(!qs_manifest_status_name((qs_manifest_status)7), "status name: out of range");
	is_str(qs_manifest_applied_name(QS_MANIFEST_APPLIED_THREE_WAY), "3-way",
	       "applied name: 3-way");
	is_str(qs_manifest_applied_name(QS_MANIFEST_APPLIED_NOT_REACHED), "not-reached",
	       "applied name: not-reached");
	ok(!qs_manifest_applied_name((qs_manifest_applied)-1), "applied name: out of range");
}

/* Loading must fail with `code` and a message holding `want`. */
static void check_refused(const char *rev, unsigned flags, int code,
			  const char *want, const char *what)
{
	qs_manifest *m = (qs_manifest *)1;
	int ret = qs_manifest_load(&m, repo_path, rev, flags);

	ok(ret == code && !m, "%s: refused with %s", what, qs_error_string(code));
	ok(strstr(qs_error_last()->message, want) != NULL, "%s: says so", what);
	if (!strstr(qs_error_last()->message, want))
		tap_diag("message: %s", qs_error_last()->message);
	if (ret == 0)
		qs_manifest_free(m);
}

/* A manifest with one blob replaced: `blob` 0 build, 1 branches, 2 patches. */
static void check_malformed(int blob, const char *from, const char *to,
			    const char *want, const char *what)
{
	const char *docs[3] = { build_json, branches_json, patches_json };
	char *changed = replace(docs[blob], from, to);
	git_oid id;

	docs[blob] = changed;
	if (write_manifest(&id, NULL, docs[0], docs[1], docs[2], 1) < 0)
		ok(0, "%s: cannot write the manifest", what);
	else
		check_refused(NULL, 0, QS_EPARSE, want, what);
	free(changed);
}

static void test_refused(void)
{
	git_oid id;

	check_malformed(1, "\"status\":\"conflict\"", "\"status\":3",
			"branches.json: branch 3: 'status' is not a string",
			"an ill-typed status");
	check_malformed(1, "\"status\":\"conflict\"", "\"status\":\"exploded\"",
			"branches.json: branch 3: 'status' is 'exploded', which format 1 "
			"does not have", "an unknown status");
	check_malformed(1, "\"kind\":\"remote\",", "",
			"branches.json: branch 3: 'on[1].kind' is missing",
			"a start without a kind");
	check_malformed(1, "\"tip\":\"" T1 "\"", "\"tip\":\"HEAD\"",
			"branches.json: branch 0: 'tip' is not an object id: 'HEAD'",
			"a tip that is not an id");
	check_malformed(1, "\"hunk\":2", "\"hunk\":-2",
			"branches.json: branch 2: 'error.hunk' is not a non-negative integer",
			"a negative hunk");
	check_malformed(1, "\"name\":\"b6\"", "\"name\":\"b5\"",
			"branches.json: branch 6: 'name' 'b5' is listed twice",
			"a branch listed twice");
	check_malformed(1, "\"name\":\"mm-unstable\"", "\"name\":\"mm\\u0000unstable\"",
			"branches.json: branch 0: 'name' holds a NUL character",
			"a name with a NUL");
	check_malformed(1, "[{", "[7,{", "branches.json: 8 branches where build.json counts 7",
			"a branch more than counted");
	check_malformed(1, "[{", "[7,{\"x\":1},{", "branches.json: 9 branches where",
			"two more");
	check_malformed(1, "\"error\":null}]", "\"error\":null},3]",
			"branches.json: 8 branches where", "a number where a branch goes");
	check_malformed(2, "\"trailers\":[{", "\"trailers\":[1,{",
			"patches.json: patch 0: 'trailers[0]' is not an object",
			"a trailer that is not an object");
	check_malformed(2, "\"files\":[\"mm/gup.c\"", "\"files\":[null",
			"patches.json: patch 0: 'files[0]' is not a path", "a null path");
	check_malformed(2, "\"author\":{\"name\":\"A\",", "\"author\":{\"name\":false,",
			"patches.json: patch 1: 'author.name' is not a string",
			"an author name that is not a string");
	check_malformed(2, "\"date\":\"1999-12-31T23:59:59-07:30\"",
			"\"date\":\"31 Dec 1999\"",
			"patches.json: patch 1: 'date' is not an ISO 8601 date: '31 Dec 1999'",
			"a date that is not ISO 8601");
	check_malformed(2, "\"branch\":\"mm-everything\"", "\"branch\":\"mm-nothing\"",
			"patches.json: patch 0: 'commits[2].branch' names 'mm-nothing', "
			"which branches.json does not list", "a commit on an unknown branch");
	check_malformed(2, "\"how\":\"3-way\"", "\"how\":\"three-way\"",
			"patches.json: patch 1: 'applied.how' is 'three-way'", "an unknown how");
	check_malformed(2, "\"series\":{\"title\":\"gup: folio pinning helpers\","
			"\"slug\":\"gup-folio-pinning-helpers\",\"position\":2",
			"\"series\":{\"title\":\"gup: folio pinning helpers\","
			"\"slug\":\"gup-folio-pinning-helpers\",\"position\":2.5",
			"patches.json: patch 1: 'series.position' is not a non-negative integer",
			"a fractional position");
	check_malformed(2, "\"line\":13,", "",
			"patches.json: patch 1: 'line' is missing", "a missing line");
	check_malformed(2, "\"committed\":true", "\"committed\":\"yes\"",
			"patches.json: patch 2: 'committed' is not a boolean",
			"a committed flag that is a string");
	check_malformed(2, "\"line\":30,", "\"line\":30,,",
			"patches.json:1:", "patches.json not JSON");
	check_malformed(0, "\"format\":1", "\"format\":2",
			"build.json: manifest format 2 is newer than this quiltsync reads (1)",
			"a newer format");
	check_malformed(0, "\"format\":1", "\"format\":\"1\"",
			"build.json: 'format' is not a manifest format", "a format that is a string");
	check_malformed(0, "\"format\":1", "\"format\":0",
			"build.json: 'format' is not a manifest format", "format 0");
	check_malformed(0, "\"patches\":5", "\"patches\":6",
			"patches.json: 5 patches where build.json counts 6",
			"a patch count that does not match");
	check_malformed(0, "\"base_id\":", "\"based_id\":",
			"build.json: 'base_id' is missing", "a base id missing");

	/* only what the flag asks for is read, and checked */
	if (write_manifest(&id, NULL, build_json, branches_json, "not json", 1) == 0) {
		qs_manifest *m = NULL;

		ok(qs_manifest_load(&m, repo_path, NULL, QS_MANIFEST_BRANCHES_ONLY) == 0,
		   "branches only: a broken patches.json is not read");
		is_int(m ? qs_manifest_branch_count(m) : 0, 7, "branches only: the branches");
		is_int(m ? qs_manifest_patch_count(m) : 1, 0, "branches only: no patches");
		qs_manifest_free(m);
		check_refused(NULL, 0, QS_EPARSE,
			      "patches.json:1:1: invalid literal: expected 'null'",
			      "without the flag, it is");
		check_refused(NULL, QS_MANIFEST_LAZY, QS_EPARSE,
			      "patches.json:1:1: invalid literal: expected 'null'",
			      "lazy, it is too");
	}
	if (write_manifest(&id, NULL, build_json, branches_json, "{}", 1) == 0) {
		check_refused(NULL, 0, QS_EPARSE, "patches.json: not an array",
			      "patches.json not an array");
		check_refused(NULL, QS_MANIFEST_LAZY, QS_EPARSE, "patches.json: not an array",
			      "patches.json not an array, lazy");
	}
	if (write_manifest(&id, NULL, build_json, branches_json, "[]", 1) == 0)
		check_refused(NULL, QS_MANIFEST_LAZY, QS_EPARSE,
			      "patches.json: 0 patches where build.json counts 5",
			      "no patches where five are counted, lazy");
	if (write_manifest(&id, NULL, build_json, branches_json, NULL, 1) == 0)
		check_refused(NULL, 0, QS_EPARSE, "is not a manifest: it has no 'patches.json'",
			      "a commit without patches.json");
}

static void test_history(void)
{
	qs_manifest *m = NULL;
	git_oid first, second;
	char hex1[GIT_OID_HEXSZ + 1], hex2[GIT_OID_HEXSZ + 1], prefix[9];
	char *later = replace(branches_json, "\"built\"", "\"unchanged\"");
	int ret;

	ret = write_manifest(&first, NULL, build_json, branches_json, patches_json, 1) ||
	      write_manifest(&second, &first, build_json, later, patches_json, 1);
	free(later);
	if (ret) {
		ok(0, "history: cannot write two manifests");
		return;
	}
	git_oid_tostr(hex1, sizeof(hex1), &first);
	git_oid_tostr(hex2, sizeof(hex2), &second);
	ok(qs_manifest_load(&m, repo_path, NULL, 0) == 0, "history: the ref loads");
	if (m) {
		is_str(qs_manifest_id(m), hex2, "history: the ref's commit");
		is_str(qs_manifest_parent(m), hex1, "history: its parent");
		is_int(qs_manifest_branch_status(qs_manifest_branch_byindex(m, 0)),
		       QS_MANIFEST_UNCHANGED, "history: the newer content");
	}
	qs_manifest_free(m);
	m = NULL;
	ok(qs_manifest_load(&m, repo_path, QS_MANIFEST_REF "~1", 0) == 0,
	   "history: ~1 loads");
	if (m) {
		is_str(qs_manifest_id(m), hex1, "history: ~1 is the first");
		ok(!qs_manifest_parent(m), "history: the first has no parent");
		is_int(qs_manifest_format(m), 1, "format 1");
		is_str(qs_manifest_base_name(m), "v6.9-rc3", "base name");
		is_str(qs_manifest_base_id(m), A40, "base id");
		is_str(qs_manifest_upstream(m), "refs/remotes/origin/master", "upstream");
		is_str(qs_manifest_upstream_id(m), B40, "upstream id");
		is_str(qs_manifest_series_blob(m), C40, "series blob");
		test_branches(m);
		test_patches(m);
	}
	qs_manifest_free(m);
	m = NULL;
	snprintf(prefix, sizeof(prefix), "%.8s", hex1);
	ok(qs_manifest_load(&m, repo_path, prefix, QS_MANIFEST_BRANCHES_ONLY) == 0 &&
	   !strcmp(qs_manifest_id(m), hex1), "history: an id prefix loads");
	qs_manifest_free(m);
	check_refused(QS_MANIFEST_REF "~2", 0, QS_ENOTFOUND,
		      "no manifest 'refs/quiltsync/manifest~2' in", "history: ~2 is none");
	check_refused(QS_MANIFEST_REF "^{tree}", 0, QS_EPARSE,
		      "'refs/quiltsync/manifest^{tree}' is not a manifest: not a commit",
		      "a tree is not a manifest");
}

static void test_missing(void)
{
	char msg[512];
	char nowhere[320];

	snprintf(msg, sizeof(msg), "no build has written a manifest in '%s' yet", repo_path);
	check_refused(NULL, 0, QS_ENOTFOUND, msg, "no manifest yet");
	check_refused(QS_MANIFEST_REF, 0, QS_ENOTFOUND, msg, "no manifest yet, named");
	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", scratch);
	{
		qs_manifest *m = NULL;

		ok(qs_manifest_load(&m, nowhere, NULL, 0) == QS_EINVAL && !m,
		   "not a repository: QS_EINVAL, not the manifest's QS_ENOTFOUND");
		ok(strstr(qs_error_last()->message, "is not a git repository") != NULL,
		   "not a repository: says so");
	}
	ok(qs_manifest_load(NULL, repo_path, NULL, 0) == QS_EINVAL, "no out: QS_EINVAL");
	qs_manifest_free(NULL);
}

/* --- lazy patches ------------------------------------------------------ */

/* Every accessor of a patch, as one text, to compare two loads by. */
static char *patch_dump(const qs_manifest_patch *p)
{
	qs_buf b = QS_BUF_INIT;
	int64_t t = 0;
	int off = 0;
	size_t i;

	if (!p)
		return qs__strdup("NULL");
#define S(x) ((x) ? (x) : "(null)")
	qs_buf_addf(&b, "%s|%zu|%s|%d|%s|%s|%s|%s|%s|%s|", qs_manifest_patch_name(p),
		    qs_manifest_patch_line(p), qs_manifest_patch_section(p),
		    qs_manifest_patch_committed(p), S(qs_manifest_patch_blob(p)),
		    S(qs_manifest_patch_message_id(p)), qs_manifest_patch_subject(p),
		    qs_manifest_patch_author_name(p), qs_manifest_patch_author_email(p),
		    S(qs_manifest_patch_date(p)));
	qs_buf_addf(&b, "%d|%lld|%d|", qs_manifest_patch_time(&t, &off, p), (long long)t, off);
	for (i = 0; i <= qs_manifest_patch_trailer_count(p); i++)
		qs_buf_addf(&b, "%s=%s,", S(qs_manifest_patch_trailer_key(p, i)),
			    S(qs_manifest_patch_trailer_value(p, i)));
	for (i = 0; i <= qs_manifest_patch_file_count(p); i++)
		qs_buf_addf(&b, "%s,", S(qs_manifest_patch_file_byindex(p, i)));
	qs_buf_addf(&b, "|%s|%s|%zu|%zu|%d|%zu|%zu|%s|", S(qs_manifest_patch_series(p)),
		    S(qs_manifest_patch_series_slug(p)), qs_manifest_patch_series_position(p),
		    qs_manifest_patch_series_count(p), (int)qs_manifest_patch_applied(p),
		    qs_manifest_patch_applied_offset(p), qs_manifest_patch_applied_fuzz(p),
		    S(qs_manifest_patch_applied_error(p)));
	for (i = 0; i <= qs_manifest_patch_commit_count(p); i++)
		qs_buf_addf(&b, "%s@%s#%zu,", S(qs_manifest_patch_commit_branch(p, i)),
			    S(qs_manifest_patch_commit_id(p, i)),
			    qs_manifest_patch_commit_position(p, i));
#undef S
	return qs_buf_detach(&b);
}

/* qs_manifest_patch_find's answer as "0,3,", or "ERROR". */
static const char *found(const qs_manifest *m, const char *needle, unsigned int flags)
{
	static char text[256];
	size_t *items = NULL, n = 0, i, len = 0;

	text[0] = '\0';
	if (qs_manifest_patch_find(&items, &n, m, needle, flags) < 0)
		return "ERROR";
	for (i = 0; i < n && len < sizeof(text) - 24; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%zu,", items[i]);
	free(items);
	return text;
}

static void test_lazy(void)
{
	qs_manifest *eager = NULL, *lazy = NULL;
	/* patch 0 is escaped as jq would (\u00f6): found by anything */
	char *written = replace(patches_json, "J\\u00f6rg \\u00c9", "J\xc3\xb6rg \xc3\x89");
	size_t i, n, *items = NULL;
	int same = 1;
	git_oid id;

	if (write_manifest(&id, NULL, build_json, branches_json, patches_json, 1) < 0 ||
	    qs_manifest_load(&eager, repo_path, NULL, 0) < 0 ||
	    qs_manifest_load(&lazy, repo_path, NULL, QS_MANIFEST_LAZY) < 0) {
		ok(0, "lazy: cannot load the manifest: %s", qs_error_last()->message);
		goto done;
	}
	test_patches(lazy);
	test_branches(lazy);
	n = qs_manifest_patch_count(eager);
	is_int(qs_manifest_patch_count(lazy), n, "lazy: as many patches");
	/* backwards, so that the order of parsing is not the file's */
	for (i = n + 1; i-- > 0;) {
		char *a = patch_dump(qs_manifest_patch_byindex(eager, i));
		char *b = patch_dump(qs_manifest_patch_byindex(lazy, i));

		if (strcmp(a, b)) {
			tap_diag("patch %zu: eager %s", i, a);
			tap_diag("patch %zu: lazy  %s", i, b);
			same = 0;
		}
		free(a);
		free(b);
	}
	ok(same, "lazy: every accessor of every patch as the eager load gives it");
	ok(qs_manifest_patch_byindex(lazy, 1) == qs_manifest_patch_byindex(lazy, 1),
	   "lazy: a patch is parsed once");

	is_str(found(eager, "strends", 0), "0,1,2,3,4,", "find: eager, every patch");
	is_str(found(lazy, "", 0), "0,1,2,3,4,", "find: an empty needle, every patch");
	is_str(found(lazy, "lib/string.c", 0), "0,3,", "find: a path (and patch 0, escaped otherwise)");
	is_str(found(lazy, "LIB/STRING", 0), "0,", "find: in case");
	is_str(found(lazy, "LIB/STRING", QS_MANIFEST_FIND_ICASE), "0,3,", "find: in any case");
	is_str(found(lazy, "mm-unstable-gup-folio-pinning-helpers", 0), "0,",
	       "find: a branch");
	is_str(found(lazy, "3-way\"", 0), "0,", "find: a quote is a string's, escaped");
	is_str(found(lazy, "after", 0), "0,4,", "find: the last patch");
	is_str(found(lazy, "},{", 0), "0,", "find: between patches, none");
	ok(qs_manifest_patch_find(NULL, &n, lazy, "x", 0) == QS_EINVAL &&
	   qs_manifest_patch_find(&items, &n, NULL, "x", 0) == QS_EINVAL && !items && !n &&
	   qs_manifest_patch_find(&items, &n, lazy, NULL, 0) == QS_EINVAL,
	   "find: NULL arguments are QS_EINVAL");
	qs_manifest_free(lazy);
	lazy = NULL;

	/* as the writer escapes: searched as text, every string */
	if (write_manifest(&id, NULL, build_json, branches_json, written, 1) < 0 ||
	    qs_manifest_load(&lazy, repo_path, NULL, QS_MANIFEST_LAZY) < 0) {
		ok(0, "lazy: cannot load the manifest: %s", qs_error_last()->message);
		goto done;
	}
	is_str(found(lazy, "lib/string.c", 0), "3,", "find: written escaped, only the patch");
	is_str(found(lazy, "J\xc3\xb6rg", 0), "0,", "find: UTF-8");
	is_str(found(lazy, "\xc3", 0), "0,", "find: a part of a UTF-8 sequence");
	is_str(found(lazy, "rg \xc3\x89", QS_MANIFEST_FIND_ICASE), "0,", "find: UTF-8, any case");
	is_str(found(lazy, "nothing", 0), "", "find: nothing");
	is_str(found(lazy, "failed", QS_MANIFEST_FIND_ICASE), "3,", "find: a word of a field");
done:
	qs_manifest_free(eager);
	qs_manifest_free(lazy);
	free(written);
}

/* A lazy load of patches.json changed so: refused at load or at patch `bad`. */
static void check_lazy_malformed(const char *from, const char *to, size_t bad,
				 const char *want, const char *what)
{
	char *changed = replace(patches_json, from, to);
	qs_manifest *m = NULL;
	qs_buf eager = QS_BUF_INIT;
	const qs_manifest_patch *p;
	git_oid id;
	size_t i;
	int ret;

	if (write_manifest(&id, NULL, build_json, branches_json, changed, 1) < 0) {
		ok(0, "%s: cannot write the manifest", what);
		goto done;
	}
	/* the eager load's message is the one */
	ret = qs_manifest_load(&m, repo_path, NULL, 0);
	qs_buf_adds(&eager, qs_error_last()->message);
	ok(ret == QS_EPARSE && strstr(eager.ptr, want), "%s: the eager load refuses it", what);
	ret = qs_manifest_load(&m, repo_path, NULL, QS_MANIFEST_LAZY);
	if (bad == (size_t)-1) {
		ok(ret == QS_EPARSE && !m, "%s: refused at load", what);
		is_str(qs_error_last()->message, eager.ptr, "%s: as the eager load says", what);
		goto done;
	}
	ok(ret == 0, "%s: loads", what);
	for (i = 0; m && i < qs_manifest_patch_count(m); i++) {
		p = qs_manifest_patch_byindex(m, i);
		if (i != bad) {
			ok(p != NULL, "%s: patch %zu reads", what, i);
			continue;
		}
		ok(!p && qs_error_last()->code == QS_EPARSE, "%s: patch %zu is refused", what, i);
		is_str(qs_error_last()->message, eager.ptr, "%s: as the eager load says", what);
		ok(!qs_manifest_patch_byindex(m, i) &&
		   !strcmp(qs_error_last()->message, eager.ptr), "%s: again", what);
	}
done:
	qs_manifest_free(m);
	qs_buf_release(&eager);
	free(changed);
}

static void test_lazy_refused(void)
{
	check_lazy_malformed("\"line\":13,", "", 1,
			     "patches.json: patch 1: 'line' is missing", "lazy: a missing line");
	check_lazy_malformed("\"branch\":\"mm-everything\"", "\"branch\":\"mm-nothing\"", 0,
			     "'commits[2].branch' names 'mm-nothing', which branches.json "
			     "does not list", "lazy: a commit on an unknown branch");
	check_lazy_malformed("\"line\":30,", "\"line\":30,,", 2, "patches.json:1:",
			     "lazy: not JSON inside a patch");
	check_lazy_malformed("\"subject\":\"old\"", "\"subject\":\"o\\x\"", 2,
			     "invalid escape", "lazy: an invalid escape");
	check_lazy_malformed("\"subject\":\"after\"", "\"subject\":\"\xff\"", 4,
			     "invalid UTF-8", "lazy: invalid UTF-8");
	check_lazy_malformed("[{\"name\"", "[7,{\"name\"", (size_t)-1,
			     "patches.json: 6 patches where build.json counts 5",
			     "lazy: a number for a patch");
	check_lazy_malformed("]\n", "]]\n", (size_t)-1, "patches.json:1:",
			     "lazy: text after the array");
	check_lazy_malformed("\"commits\":[]},{\"name\":\"lib-old.patch\"",
			     "\"commits\":[]},{\"name\":\"lib-old.patch\"}]", (size_t)-1,
			     "patches.json:1:", "lazy: a bracket unbalanced");
	check_lazy_malformed("[{", "{\"x\":[{", (size_t)-1,
			     "patches.json:2:1: unexpected end of input", "lazy: not an array");
}

/* --- the derived copy of the manifest ---------------------------------- */

static char copy_path[340];

/*
 * The copy a load must write of the manifest `id` (`parent` NULL for
 * none) whose blobs are `build`, `branches` and `patches`.
 */
static void expected_copy(qs_buf *out, const git_oid *id, const git_oid *parent,
			  const char *build, const char *branches, const char *patches)
{
	char hex[GIT_OID_HEXSZ + 1], parent_hex[GIT_OID_HEXSZ + 1] = "-";
	struct qs__json_span *spans = NULL;
	size_t n = 0, i;

	git_oid_tostr(hex, sizeof(hex), id);
	if (parent)
		git_oid_tostr(parent_hex, sizeof(parent_hex), parent);
	if (qs__json_split_objects(&spans, &n, patches, strlen(patches), 0, "p") < 0)
		tap_diag("the fixture does not split");
	qs_buf_clear(out);
	qs_buf_addf(out, "quiltsync manifest-copy 1 %s %s %zu %zu %zu %zu\n", hex, parent_hex,
		    strlen(build), strlen(branches), strlen(patches), n);
	qs_buf_adds(out, build);
	qs_buf_adds(out, branches);
	qs_buf_adds(out, patches);
	for (i = 0; i < n; i++) {
		unsigned char b[9];
		int k;

		for (k = 0; k < 4; k++) {
			b[k] = (unsigned char)(spans[i].start >> (8 * k));
			b[4 + k] = (unsigned char)(spans[i].end >> (8 * k));
		}
		b[8] = spans[i].as_written;
		qs_buf_add(out, b, sizeof(b));
	}
	free(spans);
}

/* Whether the copy is there and is exactly `want`. */
static int copy_is(const qs_buf *want)
{
	qs_buf file = QS_BUF_INIT;
	int same;

	same = qs__read_file(&file, copy_path) == 0 && file.len == want->len &&
	       !memcmp(file.ptr, want->ptr, want->len);
	qs_buf_release(&file);
	return same;
}

/* Replace the file (read-only, as the library writes the copy) with `len` bytes. */
static int put_file(const char *path, const char *data, size_t len)
{
	FILE *f;
	int ret;

	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	if (!(f = fopen(path, "w")))
		return -1;
	ret = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? ret : -1;
}

/* `b` with its first `from` replaced by `to`; -1 when there is none. */
static int change(qs_buf *b, const char *from, const char *to)
{
	const char *at = memmem(b->ptr, b->len, from, strlen(from));
	size_t pos = at ? (size_t)(at - b->ptr) : 0;

	if (!at)
		return -1;
	qs_buf_remove(b, pos, strlen(from));
	return qs_buf_insert(b, pos, to, strlen(to));
}

/* The copy `want` with its first `from` replaced by `to`, as the copy. */
static int put_changed(const qs_buf *want, const char *from, const char *to)
{
	qs_buf changed = QS_BUF_INIT;
	int ret;

	qs_buf_addbuf(&changed, want);
	ret = change(&changed, from, to) < 0 ? -1 :
	      put_file(copy_path, changed.ptr, changed.len);
	qs_buf_release(&changed);
	return ret;
}

/* Load `rev` with `flags`: patch 0's subject and the parent, or "ERROR". */
static const char *first_subject(const char *rev, unsigned int flags)
{
	static char subject[256];
	qs_manifest *m = NULL;
	const qs_manifest_patch *p;

	snprintf(subject, sizeof(subject), "ERROR");
	if (qs_manifest_load(&m, repo_path, rev, flags) == 0 &&
	    (p = qs_manifest_patch_byindex(m, 0)))
		snprintf(subject, sizeof(subject), "%s, parent %.7s",
			 qs_manifest_patch_subject(p),
			 qs_manifest_parent(m) ? qs_manifest_parent(m) : "none");
	qs_manifest_free(m);
	return subject;
}

static void test_copy(unsigned int flags, const char *how)
{
	char *second_patches = replace(patches_json, "mm/gup: add folio pin helpers",
				       "mm/gup: add folio pin helpers, v2");
	qs_buf want = QS_BUF_INIT, other = QS_BUF_INIT;
	char state[330], v2[128], v1[128];
	git_oid first, second;

	snprintf(copy_path, sizeof(copy_path), "%s/quiltsync/manifest-copy", repo_path);
	snprintf(state, sizeof(state), "%s/quiltsync", repo_path);
	if (write_manifest(&first, NULL, build_json, branches_json, patches_json, 1) < 0 ||
	    write_manifest(&second, &first, build_json, branches_json, second_patches, 1) < 0) {
		ok(0, "copy: cannot write the manifests");
		goto done;
	}
	snprintf(v2, sizeof(v2), "mm/gup: add folio pin helpers, v2, parent %.7s",
		 git_oid_tostr_s(&first));
	snprintf(v1, sizeof(v1), "mm/gup: add folio pin helpers, parent none");
	unlink(copy_path);

	/* absent: the load reads git and writes the copy */
	is_str(first_subject(NULL, flags), v2, "copy, %s: none yet, git is read", how);
	expected_copy(&want, &second, &first, build_json, branches_json, second_patches);
	ok(copy_is(&want), "copy, %s: written, header, blobs and index", how);
	ok(access(copy_path, W_OK) < 0 || geteuid() == 0, "copy, %s: read-only", how);

	/* this manifest's: read from the copy, parent and all, not from git */
	qs_buf_addbuf(&other, &want);
	ok(change(&other, "add folio pin helpers, v2", "ADD folio pin helpers, v2") == 0 &&
	   change(&other, git_oid_tostr_s(&first), K3) == 0 &&
	   put_file(copy_path, other.ptr, other.len) == 0 &&
	   !strcmp(first_subject(NULL, flags), "mm/gup: ADD folio pin helpers, v2, parent 8888888"),
	   "copy, %s: this manifest's copy is what is read", how);
	ok(put_file(copy_path, want.ptr, want.len) == 0 &&
	   !strcmp(first_subject(QS_MANIFEST_REF, flags), v2) &&
	   !strcmp(first_subject(git_oid_tostr_s(&second), flags), v2),
	   "copy, %s: for the ref named, or the commit's id", how);

	/* a tag of the manifest commit: its copy is the commit's */
	{
		git_object *target = NULL;
		git_signature *sig = NULL;
		git_oid tag;
		qs_manifest *m = NULL;

		ok(git_object_lookup(&target, repo, &second, GIT_OBJECT_COMMIT) == 0 &&
		   git_signature_new(&sig, "A", "a@example.org", 1709290800, 0) == 0 &&
		   git_tag_create(&tag, repo, "built", target, sig, "built\n", 1) == 0 &&
		   qs_manifest_load(&m, repo_path, "refs/tags/built", flags) == 0 &&
		   !strcmp(qs_manifest_id(m), git_oid_tostr_s(&second)) && copy_is(&want),
		   "copy, %s: a tag of the manifest: the commit's copy", how);
		qs_manifest_free(m);
		git_signature_free(sig);
		git_object_free(target);
	}

	/* another manifest's: never used for this one, and replaced */
	is_str(first_subject(QS_MANIFEST_REF "~1", flags), v1,
	       "copy, %s: another manifest's copy is not used", how);
	expected_copy(&other, &first, NULL, build_json, branches_json, patches_json);
	ok(copy_is(&other), "copy, %s: and is replaced by this one's", how);
	is_str(first_subject(NULL, flags), v2, "copy, %s: and back", how);
	ok(copy_is(&want), "copy, %s: replaced again", how);

	/* as long as the header says, no more, no less */
	ok(put_file(copy_path, want.ptr, want.len - 1) == 0 &&
	   !strcmp(first_subject(NULL, flags), v2) && copy_is(&want),
	   "copy, %s: one byte short, it is not used and is written anew", how);
	qs_buf_addch(&want, '\n');
	ok(put_file(copy_path, want.ptr, want.len) == 0 &&
	   !strcmp(first_subject(NULL, flags), v2), "copy, %s: one byte long, not used", how);
	qs_buf_truncate(&want, want.len - 1);
	ok(copy_is(&want), "copy, %s: and written anew", how);

	/* a header that is not one, or not quite; an index that does not fit */
	ok(put_file(copy_path, "garbage\n", 8) == 0 &&
	   !strcmp(first_subject(NULL, flags), v2) && copy_is(&want),
	   "copy, %s: garbage is replaced", how);
	ok(put_changed(&want, " 5\n", " 05\n") == 0 &&
	   !strcmp(first_subject(NULL, flags), v2) && copy_is(&want),
	   "copy, %s: a count with a leading zero", how);
	want.ptr[want.len - 1] = 2;
	ok(put_file(copy_path, want.ptr, want.len) == 0 &&
	   !strcmp(first_subject(NULL, flags), v2), "copy, %s: an index's flag not 0 or 1", how);
	want.ptr[want.len - 1] = 1;
	ok(copy_is(&want), "copy, %s: written anew", how);
	want.ptr[want.len - 2] = 0x7f;
	ok(put_file(copy_path, want.ptr, want.len) == 0 &&
	   !strcmp(first_subject(NULL, flags), v2), "copy, %s: an index past patches.json", how);
	want.ptr[want.len - 2] = 0;
	ok(copy_is(&want), "copy, %s: not used, written anew", how);

	/* a repository it cannot be written to: loads all the same */
	unlink(copy_path);
	if (rmdir(state) < 0 || put_file(state, "", 0) < 0) {
		ok(0, "copy, %s: cannot put a file where the state directory goes", how);
	} else {
		is_str(first_subject(NULL, flags), v2,
		       "copy, %s: a state directory that cannot be made: git is read", how);
		unlink(state);
	}
	if (geteuid() == 0) {
		ok(1, "copy, %s: a read-only repository # SKIP root writes anywhere", how);
	} else if (chmod(repo_path, 0555) < 0) {
		ok(0, "copy, %s: cannot make the repository read-only", how);
	} else {
		is_str(first_subject(NULL, flags), v2,
		       "copy, %s: a read-only repository: git is read", how);
		ok(access(copy_path, F_OK) < 0, "copy, %s: and no copy is made", how);
		chmod(repo_path, 0755);
	}
	ok(!strcmp(first_subject(NULL, flags), v2) && copy_is(&want),
	   "copy, %s: writable again, written again", how);
	/* only a load that reads patches.json writes a copy: a copy is whole */
	unlink(copy_path);
	ok(!strcmp(first_subject(NULL, flags), v2) && access(copy_path, F_OK) == 0,
	   "copy, %s: made by a load of the patches", how);
	unlink(copy_path);
	{
		qs_manifest *m = NULL;

		ok(qs_manifest_load(&m, repo_path, NULL, QS_MANIFEST_BRANCHES_ONLY) == 0 &&
		   access(copy_path, F_OK) < 0, "copy, %s: not by a load of the branches", how);
		qs_manifest_free(m);
	}
done:
	qs_buf_release(&want);
	qs_buf_release(&other);
	free(second_patches);
}

int main(void)
{
	git_libgit2_init();
	if (scratch_make("manifest")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	git_isolate();
	snprintf(repo_path, sizeof(repo_path), "%s/repo", scratch);
	if (git_repository_init(&repo, repo_path, 1) < 0) {
		ok(0, "cannot make a repository");
	} else {
		test_names();
		test_missing();
		test_history();
		test_refused();
		test_lazy();
		test_lazy_refused();
		test_copy(0, "eager");
		test_copy(QS_MANIFEST_LAZY, "lazy");
	}
	git_repository_free(repo);
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
