/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Base selection against real git histories with decoy tags, with
 * `git tag --merged <upstream> --sort=-version:refname` as the judge of
 * which release candidate is the previous one.
 */
#include "internal.h"
#include "base.h"

#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"

#define RC3 "^v(\\d+)\\.(\\d+)-rc3$"

static char repo_path[300];

static int commit(const char *name)
{
	return sh("echo %s >f && git add f && git commit -q -m %s && git tag -f c-%s",
		  name, name, name);
}

/* What git says the previous -rc3 is, for `upstream`. */
static char *oracle(const char *upstream)
{
	return sh_line("git tag --merged %s --list 'v*-rc3' --sort=-version:refname",
		      upstream);
}

static void check_previous(git_repository *repo, const char *upstream,
			   const char *want, const char *what)
{
	git_oid got, expect;
	char *name = NULL, *judge = oracle(upstream), spec[300];
	int ret;

	ret = qs__base_resolve(&got, &name, repo, upstream, "previous-rc3", RC3);
	is_int(ret, 0, "%s: resolved", what);
	is_str(name, want, "%s: the tag chosen", what);
	is_str(judge, want, "%s: git tag --merged --sort=-version:refname agrees",
	       what);
	snprintf(spec, sizeof(spec), "%s^{commit}", want);
	git_rev(&expect, spec);
	ok(ret == 0 && git_oid_equal(&got, &expect),
	   "%s: the id is the tag's commit", what);
	free(judge);
	free(name);
}

static void check_error(git_repository *repo, const char *upstream,
			const char *base, const char *pattern, int code,
			const char *message, const char *what)
{
	git_oid got;
	char *name = (char *)"untouched";

	is_int(qs__base_resolve(&got, &name, repo, upstream, base, pattern),
	       code, "%s: error code", what);
	if (message)
		is_str(qs_error_last()->message, message, "%s: message", what);
	ok(name == NULL, "%s: no name on failure", what);
}

static void check_named(git_repository *repo, const char *base,
			const char *want_name, const char *rev, const char *what)
{
	git_oid got, expect;
	char *name = NULL, *hex = sh_line("git rev-parse '%s^{commit}'", rev);

	is_int(qs__base_resolve(&got, &name, repo, NULL, base, NULL), 0,
	       "%s: resolved", what);
	if (git_oid_fromstr(&expect, hex) < 0)
		memset(&expect, 0, sizeof(expect));
	ok(git_oid_equal(&got, &expect), "%s: the commit", what);
	is_str(name, want_name ? want_name : hex, "%s: the name", what);
	free(hex);
	free(name);
}

/*
 *   c1 (v6.8-rc3, v6.7-rc3 -> tag -> c1)
 *   c2 -- s1 (v6.10-rc3, on a side branch)
 *   c3 (v6.9-rc3, annotated)
 *   c4 (v6.9-rc4)
 *   c5 (v6.10-rc2) = master = refs/remotes/origin/master
 *   v6.11-rc3 tags a tree, v6.12-rc3 a blob
 */
static int make_history(void)
{
	return sh("git init -q -b master . && git config user.name T && "
		  "git config user.email t@example.org") ||
	       commit("c1") || sh("git tag v6.8-rc3") ||
	       sh("git tag -a -m inner inner-tag && git tag -a -m outer v6.7-rc3 inner-tag") ||
	       commit("c2") ||
	       sh("git checkout -q -b side && echo s >s && git add s && "
		  "git commit -q -m s1 && git tag v6.10-rc3 && git checkout -q master") ||
	       commit("c3") || sh("git tag -a -m 'v6.9-rc3' v6.9-rc3") ||
	       commit("c4") || sh("git tag v6.9-rc4") ||
	       commit("c5") || sh("git tag v6.10-rc2") ||
	       sh("git tag v6.11-rc3 'HEAD^{tree}' && "
		  "git tag v6.12-rc3 $(echo blob | git hash-object -w --stdin)") ||
	       sh("git update-ref refs/remotes/origin/master HEAD");
}

static void test_previous_rc3(git_repository *repo)
{
	git_oid c3;
	char *name = NULL;

	check_previous(repo, "refs/remotes/origin/master", "v6.9-rc3",
		       "decoys: v6.10-rc2, v6.9-rc4, unreachable v6.10-rc3, v6.8-rc3");
	check_previous(repo, "master", "v6.9-rc3", "upstream as a branch name");
	check_previous(repo, "c-c3", "v6.9-rc3",
		       "the upstream commit itself carries the tag");
	check_previous(repo, "c-c2", "v6.8-rc3", "a lightweight tag is chosen");
	is_int(qs__base_resolve(&c3, NULL, repo, "master", "previous-rc3", RC3),
	       0, "out_name may be NULL");
	is_int(qs__base_resolve(&c3, &name, repo, "master", "previous-rc3",
				"^v6\\.(7)-rc3$"),
	       0, "a tag of a tag");
	is_str(name, "v6.7-rc3", "a tag of a tag: its name");
	free(name);
	name = NULL;
	is_int(qs__base_resolve(&c3, &name, repo, "master", "previous-rc3",
				"^v(\\d+)\\.(1[12])-rc3$"),
	       QS_ENOTFOUND, "tags of a tree and a blob are never a base");
	is_str(qs_error_last()->message,
	       "no tag matching '^v(\\d+)\\.(1[12])-rc3$' is reachable from 'master' (2 tags match, none reachable)",
	       "tags of a tree and a blob: the message");

	check_error(repo, "master", "previous-rc3", "^v6\\.(10)-rc3$",
		    QS_ENOTFOUND,
		    "no tag matching '^v6\\.(10)-rc3$' is reachable from 'master' (1 tags match, none reachable)",
		    "the only match is on a side branch");
	check_error(repo, "master", "previous-rc3", "^release-(\\d+)$",
		    QS_ENOTFOUND,
		    "no tag matching '^release-(\\d+)$' is reachable from 'master' (0 tags match, none reachable)",
		    "no tag matches");
	check_error(repo, "refs/remotes/origin/nope", "previous-rc3", RC3,
		    QS_ENOTFOUND,
		    "upstream 'refs/remotes/origin/nope' not found",
		    "a missing upstream");
	check_error(repo, "master", "previous-rc3", "^v(\\d+", QS_ECONFIG,
		    NULL, "a pattern that does not compile");
	ok(strstr(qs_error_last()->message, "invalid base pattern '^v(\\d+'") != NULL,
	   "a pattern that does not compile: the message names it");
	check_error(repo, "master", "previous-rc3", "^v6", QS_ECONFIG,
		    "base pattern '^v6' has no capture group to read a version from",
		    "a pattern without a capture group");
	check_error(repo, "master^{tree}", "previous-rc3", RC3, QS_ECONFIG,
		    "upstream 'master^{tree}' is not a commit",
		    "an upstream that is a tree");
	check_error(repo, NULL, "previous-rc3", RC3, QS_EINVAL, NULL,
		    "previous-rc3 without an upstream");
	check_error(repo, "master", "previous-rc3", NULL, QS_EINVAL, NULL,
		    "previous-rc3 without a pattern");
	check_error(repo, "master", NULL, RC3, QS_EINVAL, NULL, "no base");
	is_int(qs__base_resolve(NULL, NULL, repo, "master", "v6.9-rc3", NULL),
	       QS_EINVAL, "no out");
	is_int(qs__base_resolve(&c3, NULL, NULL, "master", "v6.9-rc3", NULL),
	       QS_EINVAL, "no repository");
}

/*
 * A commit known to be in upstream (the build's cached last answer)
 * spares the walk for a tag on it, and changes no answer: a higher
 * reachable tag still wins over a lower known one.
 */
static void test_known(git_repository *repo)
{
	git_oid got, rc3, rc3_old, none;
	char *name = NULL;

	git_rev(&rc3, "v6.9-rc3^{commit}");
	git_rev(&rc3_old, "v6.8-rc3^{commit}");
	memset(&none, 0, sizeof(none));
	is_int(qs__base_resolve_known(&got, &name, repo, "master", "previous-rc3",
				      RC3, &rc3),
	       0, "known: the answer itself");
	is_str(name, "v6.9-rc3", "known: the answer itself, its name");
	ok(git_oid_equal(&got, &rc3), "known: the answer itself, its commit");
	free(name);
	name = NULL;
	is_int(qs__base_resolve_known(&got, &name, repo, "master", "previous-rc3",
				      RC3, &rc3_old),
	       0, "known: a lower tag's commit");
	is_str(name, "v6.9-rc3", "known: a lower tag's commit does not win");
	free(name);
	name = NULL;
	is_int(qs__base_resolve_known(&got, &name, repo, "master", "previous-rc3",
				      RC3, &none),
	       0, "known: a commit no tag is on");
	is_str(name, "v6.9-rc3", "known: a commit no tag is on changes nothing");
	free(name);
}

/* Merging the side branch makes v6.10-rc3 reachable: 10 > 9, by number. */
static void test_numeric_order(git_repository *repo)
{
	if (sh("git merge -q --no-edit side && git update-ref refs/remotes/origin/master HEAD")) {
		ok(0, "merge the side branch");
		return;
	}
	check_previous(repo, "refs/remotes/origin/master", "v6.10-rc3",
		       "v6.10-rc3 beats v6.9-rc3 once both are reachable");
	check_previous(repo, "c-c5", "v6.9-rc3",
		       "the old upstream still picks v6.9-rc3");
}

/* A group that did not take part counts as -1: v1.2 < v1.2.1 < v1.10. */
static void test_optional_groups(git_repository *repo)
{
	const char *pat = "^r(\\d+)\\.(\\d+)(?:\\.(\\d+))?$";
	git_oid id;
	char *name = NULL;

	if (sh("git tag r1.2 c-c1 && git tag r1.2.1 c-c1 && git tag r1.2.0 c-c1")) {
		ok(0, "tags for the optional group test");
		return;
	}
	is_int(qs__base_resolve(&id, &name, repo, "master", "previous-rc3", pat),
	       0, "optional group: resolved");
	is_str(name, "r1.2.1", "optional group: r1.2.1 > r1.2.0 > r1.2");
	free(name);
	name = NULL;
	if (sh("git tag r1.10 c-c2 && git tag r1.9.99 c-c4")) {
		ok(0, "more tags for the optional group test");
		return;
	}
	is_int(qs__base_resolve(&id, &name, repo, "master", "previous-rc3", pat),
	       0, "optional group: resolved again");
	is_str(name, "r1.10", "optional group: r1.10 > r1.9.99");
	free(name);
}

static void test_named(git_repository *repo)
{
	char *hex = sh_line("git rev-parse c-c2");

	check_named(repo, "v6.9-rc4", "v6.9-rc4", "v6.9-rc4", "a lightweight tag");
	check_named(repo, "v6.9-rc3", "v6.9-rc3", "v6.9-rc3",
		    "an annotated tag is peeled to its commit");
	check_named(repo, "v6.10-rc3", "v6.10-rc3", "v6.10-rc3",
		    "a tag need not be reachable from upstream");
	check_named(repo, hex, NULL, "c-c2", "a full hex id");
	check_named(repo, "c-c4~1", NULL, "c-c3", "any revision");
	check_error(repo, "master", "v9.9-rc3", RC3, QS_ENOTFOUND,
		    "base 'v9.9-rc3' not found", "a missing tag");
	check_error(repo, "master", "v6.11-rc3", RC3, QS_ECONFIG,
		    "base 'v6.11-rc3' is not a commit", "a tag of a tree");
	free(hex);
}

int main(void)
{
	git_repository *repo = NULL;

	if (!have_git())
		tap_skip_all("git is not installed");
	git_libgit2_init();
	if (scratch_make("base")) {
		ok(0, "cannot make a scratch directory");
		return done_testing();
	}
	git_isolate();
	snprintf(repo_path, sizeof(repo_path), "%s/repo", scratch);
	sh_dir = repo_path;
	if (mkdir(repo_path, 0777) < 0 || make_history() ||
	    git_repository_open(&repo, repo_path) < 0) {
		ok(0, "setup of the test history");
	} else {
		test_previous_rc3(repo);
		test_named(repo);
		test_known(repo);
		test_numeric_order(repo);
		test_optional_groups(repo);
	}
	git_repository_free(repo);
	scratch_remove();
	git_libgit2_shutdown();
	return done_testing();
}
