/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: a complete config read into the expected struct,
 * defaults, path resolution, and every kind of error with its whole
 * message ("file:line:column: key path: problem"), since the location
 * is what a user fixing a cron job's config has to go on.
 */
#include "internal.h"
#include "config-internal.h"

#include "scratch.h"

#define NAME "conf/quiltsync.yaml"

/* The required keys, 4 lines: tests append from line 5. */
#define REQUIRED \
	"repository: ../linux\n" \
	"series: pc/devel-series\n" \
	"committer: Andrew Morton <akpm@linux-foundation.org>\n" \
	"upstream: refs/remotes/origin/master\n"

#define ONE_BRANCH "branches: [{name: a, on: upstream}]\n"

static qs_config *parse(const char *yaml, const char *path)
{
	qs_config *c = NULL;

	if (qs_config_parse(&c, yaml, strlen(yaml), path) < 0) {
		ok(0, "parse: %s", qs_error_last()->message);
		return NULL;
	}
	return c;
}

/*
 * `yaml` is refused with exactly `want`, and the error record names
 * the file and the line of the message.
 */
static void check_error(const char *yaml, size_t len, const char *want)
{
	qs_config *c = (qs_config *)1;
	const qs_error *e;
	size_t line = 0;
	int ret;

	ret = qs_config_parse(&c, yaml, len, NAME);
	e = qs_error_last();
	sscanf(want + strlen(NAME) + 1, "%zu", &line);
	if (!is_int(ret, QS_ECONFIG, "refused: %s", want))
		return;
	is_str(e->message, want, "message");
	ok(!c && e->code == QS_ECONFIG && e->path && !strcmp(e->path, NAME) &&
	   e->line == line, "record: no config, code, path and line %zu", line);
}

#define ERR(yaml, want) check_error(yaml, sizeof(yaml) - 1, want)

static const char full[] =
	"sections: mmotm  # every key\n"
	"repository: ../linux\n"
	"series: pc/devel-series\n"
	"patches: patches\n"
	"committer: '  Andrew Morton  <akpm@linux-foundation.org>'\n"
	"upstream: refs/remotes/origin/master\n"
	"base: v6.8-rc3\n"
	"base-pattern: '^v(\\d+)\\.(\\d+)-rc4$'\n"
	"resolutions: /srv/resolutions/\n"
	"fuzz: 0\n"
	"3way: True\n"
	"dependencies: skip\n"
	"link: https://lore.kernel.org/r/{msgid}\n"
	"placeholders:\n"
	"  origin.patch: upstream\n"
	"  mm-stable.patch: mm-stable\n"
	"  rc.patch: base\n"
	"  stop.patch: ~\n"
	"  end.patch:\n"
	"branches:\n"
	"  - name: mm-hotfixes-stable\n"
	"    on: upstream\n"
	"    mode: append\n"
	"  - name: mm-stable\n"
	"    section: stable\n"
	"    on: base\n"
	"    mode: rebuild\n"
	"  - name: mm-hotfixes-unstable\n"
	"    on: [mm-hotfixes-stable]\n"
	"  - name: mm-unstable\n"
	"    on:\n"
	"      - mm-hotfixes-unstable\n"
	"      - mm-stable\n"
	"    per-series: mm-unstable-{slug}\n"
	"integration:\n"
	"  - name: mm-everything\n"
	"    merge:\n"
	"      - mm-unstable\n"
	"      - url: https://git.kernel.org/pub/scm/linux/kernel/git/x/y.git\n"
	"        ref: for-next\n"
	"  - name: mm-next\n"
	"    merge: [mm-everything, {url: /srv/git/tree, ref: refs/heads/main},\n"
	"            {ref: refs/tags/v1, url: 'git://h/t'}]\n";

static void check_start(const struct qs__start *s, qs__start_kind kind,
			const char *branch, size_t line, size_t column,
			const char *what)
{
	is_int(s->kind, kind, "%s: kind", what);
	is_str(s->branch, branch, "%s: branch", what);
	ok(s->at.line == line && s->at.column == column,
	   "%s: at %zu:%zu (got %zu:%zu)", what, line, column, s->at.line,
	   s->at.column);
}

static void test_full(void)
{
	qs_config *c = parse(full, NAME);
	const struct qs__branch_conf *b;
	const struct qs__integration_conf *in;

	if (!c)
		return;
	is_str(qs_config_path(c), NAME, "path");
	is_str(c->dir, "conf", "dir");
	is_str(qs_config_repository(c), "conf/../linux", "repository keeps ..");
	is_str(qs_config_series(c), "conf/pc/devel-series", "series");
	is_str(qs_config_patches(c), "conf/patches", "patches");
	is_str(qs_config_resolutions(c), "/srv/resolutions", "resolutions");
	is_str(c->committer_name, "Andrew Morton", "committer name, trimmed");
	is_str(c->committer_email, "akpm@linux-foundation.org", "committer email");
	is_str(c->upstream, "refs/remotes/origin/master", "upstream");
	is_str(c->base, "v6.8-rc3", "base: a tag");
	is_str(c->base_pattern, "^v(\\d+)\\.(\\d+)-rc4$", "base-pattern");
	is_int(c->fuzz, 0, "fuzz");
	is_int(c->three_way, 1, "3way");
	is_int(c->dependencies, QS__DEPS_SKIP, "dependencies");
	is_str(c->link, "https://lore.kernel.org/r/{msgid}", "link");
	is_int(qs_config_convention(c), QS_SERIES_MMOTM, "sections");

	if (is_int(c->nplaceholders, 5, "placeholders")) {
		is_str(c->placeholders[0].entry, "origin.patch", "placeholder 0");
		check_start(&c->placeholders[0].target, QS__START_UPSTREAM, NULL,
			    15, 17, "origin.patch");
		is_str(c->placeholders[1].entry, "mm-stable.patch", "placeholder 1");
		check_start(&c->placeholders[1].target, QS__START_BRANCH,
			    "mm-stable", 16, 20, "mm-stable.patch");
		check_start(&c->placeholders[2].target, QS__START_BASE, NULL,
			    17, 13, "rc.patch");
		check_start(&c->placeholders[3].target, QS__START_NONE, NULL,
			    18, 15, "stop.patch: ~");
		is_int(c->placeholders[4].target.kind, QS__START_NONE,
		       "end.patch: (empty) stands for nothing");
		for (size_t i = 0; i < 5; i++)
			ok(c->placeholder_names[i] == c->placeholders[i].entry,
			   "placeholder_names[%zu]", i);
		ok(!c->placeholder_names[5], "placeholder_names ends in NULL");
	}

	if (is_int(c->nbranches, 4, "branches")) {
		b = &c->branches[0];
		is_str(b->name, "mm-hotfixes-stable", "branch 0 name");
		is_str(b->section, "mm-hotfixes-stable", "branch 0 section: its name");
		is_int(b->mode, QS__MODE_APPEND, "branch 0 append");
		ok(!b->per_series, "branch 0 no per-series");
		ok(b->at.line == 21 && b->at.column == 5, "branch 0 at 21:5");
		if (is_int(b->non, 1, "branch 0 on one"))
			check_start(&b->on[0], QS__START_UPSTREAM, NULL, 22, 9,
				    "branch 0 on");
		b = &c->branches[1];
		is_str(b->section, "stable", "branch 1 section");
		is_int(b->mode, QS__MODE_REBUILD, "branch 1 rebuild");
		if (is_int(b->non, 1, "branch 1 on one"))
			check_start(&b->on[0], QS__START_BASE, NULL, 26, 9,
				    "branch 1 on");
		b = &c->branches[2];
		is_int(b->mode, QS__MODE_REBUILD, "branch 2 rebuild by default");
		if (is_int(b->non, 1, "branch 2 on: a sequence of one"))
			check_start(&b->on[0], QS__START_BRANCH,
				    "mm-hotfixes-stable", 29, 10, "branch 2 on");
		b = &c->branches[3];
		is_str(b->per_series, "mm-unstable-{slug}", "branch 3 per-series");
		if (is_int(b->non, 2, "branch 3 on two")) {
			check_start(&b->on[0], QS__START_BRANCH,
				    "mm-hotfixes-unstable", 32, 9, "branch 3 on[0]");
			check_start(&b->on[1], QS__START_BRANCH, "mm-stable",
				    33, 9, "branch 3 on[1]");
		}
		ok(qs__config_branch(c, "mm-stable") == &c->branches[1],
		   "qs__config_branch finds a branch");
		ok(!qs__config_branch(c, "mm-everything") &&
		   !qs__config_branch(c, "stable") && !qs__config_branch(c, NULL),
		   "qs__config_branch: not integrations, not sections");
	}

	if (is_int(c->nintegrations, 2, "integrations")) {
		in = &c->integrations[0];
		is_str(in->name, "mm-everything", "integration 0 name");
		ok(in->at.line == 36 && in->at.column == 5, "integration 0 at 36:5");
		if (is_int(in->nmerge, 2, "integration 0 merges two")) {
			check_start(&in->merge[0], QS__START_BRANCH,
				    "mm-unstable", 38, 9, "merge[0]");
			check_start(&in->merge[1], QS__START_REMOTE, NULL, 39, 9,
				    "merge[1]");
			is_str(in->merge[1].url,
			       "https://git.kernel.org/pub/scm/linux/kernel/git/x/y.git",
			       "merge[1] url");
			is_str(in->merge[1].ref, "for-next", "merge[1] ref");
			is_str(in->merge[1].local_ref,
			       "refs/quiltsync/remotes/https-git-kernel-org-pub-scm-linux-kernel-git-x-y-git/for-next",
			       "merge[1] local ref: slug of the URL, the branch");
		}
		in = &c->integrations[1];
		if (is_int(in->nmerge, 3, "integration 1 merges three")) {
			check_start(&in->merge[0], QS__START_BRANCH,
				    "mm-everything", 42, 13,
				    "an integration merges an earlier one");
			is_str(in->merge[1].local_ref,
			       "refs/quiltsync/remotes/srv-git-tree/main",
			       "refs/heads/ is dropped from the local ref");
			is_str(in->merge[2].local_ref,
			       "refs/quiltsync/remotes/git-h-t/refs/tags/v1",
			       "other refs are kept whole");
			is_str(in->merge[2].url, "git://h/t", "keys in any order");
		}
		ok(qs__config_integration(c, "mm-next") == &c->integrations[1],
		   "qs__config_integration finds an integration");
		ok(!qs__config_integration(c, "mm-stable") &&
		   !qs__config_integration(c, NULL),
		   "qs__config_integration: not branches");
	}
	qs_config_free(c);
}

static void test_defaults(void)
{
	static const char *const akpm[] = {
		"mm-stable.patch", "mm-nonmm-stable.patch",
		"mm-hotfixes-stable.patch", "origin.patch", "linux-next.patch",
		"stop.patch",
	};
	qs_config *c = parse(REQUIRED ONE_BRANCH, NULL);

	if (!c)
		return;
	ok(!qs_config_path(c), "no path");
	is_str(c->dir, ".", "dir: the current one");
	is_str(c->repository, "../linux", "repository");
	is_str(c->patches, "pc", "patches: the series file's directory");
	is_str(c->resolutions, "quiltsync-resolutions", "resolutions");
	is_str(c->base, "previous-rc3", "base");
	is_str(c->base_pattern, "^v(\\d+)\\.(\\d+)-rc3$", "base-pattern");
	is_int(c->fuzz, 2, "fuzz");
	is_int(c->three_way, 0, "3way");
	is_int(c->dependencies, QS__DEPS_STACK, "dependencies");
	is_int(qs_config_convention(c), QS_SERIES_BRANCH, "sections: branch");
	ok(!c->link, "no link");
	ok(!c->integrations && !c->nintegrations, "no integration");
	is_str(c->branches[0].section, "a", "section: the name");
	is_int(c->branches[0].mode, QS__MODE_REBUILD, "mode: rebuild");
	ok(!c->branches[0].per_series, "no per-series");
	if (is_int(c->nplaceholders, 6, "akpm's six placeholders")) {
		for (size_t i = 0; i < 6; i++) {
			is_str(c->placeholders[i].entry, akpm[i], "placeholder %zu", i);
			is_int(c->placeholders[i].target.kind, QS__START_NONE,
			       "%s stands for nothing", akpm[i]);
			ok(c->placeholder_names[i] == c->placeholders[i].entry,
			   "placeholder_names[%zu]", i);
		}
		ok(!c->placeholder_names[6], "placeholder_names ends in NULL");
	}
	qs_config_free(c);

	c = parse(REQUIRED ONE_BRANCH "placeholders: {}\n", NULL);
	if (c) {
		ok(!c->nplaceholders && c->placeholder_names &&
		   !c->placeholder_names[0], "placeholders: {} means none");
		qs_config_free(c);
	}
}

static void test_values(void)
{
	static const char *const bools[] = {
		"true", "True", "TRUE", "false", "False", "FALSE",
	};
	char yaml[512];
	qs_config *c;

	for (size_t i = 0; i < QS_ARRAY_SIZE(bools); i++) {
		snprintf(yaml, sizeof(yaml), REQUIRED ONE_BRANCH "3way: %s\n", bools[i]);
		if ((c = parse(yaml, NULL))) {
			is_int(c->three_way, i < 3, "3way: %s", bools[i]);
			qs_config_free(c);
		}
	}
	for (int f = 0; f <= 3; f++) {
		snprintf(yaml, sizeof(yaml), REQUIRED ONE_BRANCH "fuzz: %d\n", f);
		if ((c = parse(yaml, NULL))) {
			is_int(c->fuzz, f, "fuzz: %d", f);
			qs_config_free(c);
		}
	}
	c = parse(REQUIRED ONE_BRANCH "dependencies: 3way\n"
		  "base: 0123abcd\n", NULL);
	if (c) {
		is_int(c->dependencies, QS__DEPS_3WAY, "dependencies: 3way");
		is_str(c->base, "0123abcd", "base: a commit id");
		qs_config_free(c);
	}
	c = parse(REQUIRED "sections: branch\n"
		  "branches: [{name: later, section: 'mainline-later (next week, approximately)',"
		  " on: upstream}]\n", NULL);
	if (c) {
		is_int(qs_config_convention(c), QS_SERIES_BRANCH, "sections: branch, written");
		is_str(c->branches[0].section, "mainline-later (next week, approximately)",
		       "a section name with blanks and parentheses");
		qs_config_free(c);
	}
	/* committer: the name trimmed, the email as written */
	c = parse("repository: r\nseries: s\nupstream: HEAD\n"
		  "committer: \"J\\u00e9r\\u00f4me O'Neil <j@x.org>\"\n"
		  ONE_BRANCH, NULL);
	if (c) {
		is_str(c->committer_name, "J\xc3\xa9r\xc3\xb4me O'Neil", "committer name");
		is_str(c->committer_email, "j@x.org", "committer email");
		is_str(c->upstream, "HEAD", "upstream: HEAD");
		qs_config_free(c);
	}
	/* revisions after a ref, short refs */
	c = parse("repository: r\nseries: s\ncommitter: a <b>\n"
		  "upstream: origin/master~2\n" ONE_BRANCH, NULL);
	if (c) {
		is_str(c->upstream, "origin/master~2", "upstream: kept as written");
		qs_config_free(c);
	}
	/* flow, block and quoted styles are the same values */
	c = parse("{repository: r, series: s, committer: 'a <b>',\n"
		  " upstream: \"u\", branches: [{name: a, on: [base, upstream]}],\n"
		  " integration: [{name: i, merge: [a, {url: u, ref: r}]}]}\n",
		  NULL);
	if (c) {
		ok(c->branches[0].non == 2 &&
		   c->branches[0].on[0].kind == QS__START_BASE &&
		   c->branches[0].on[1].kind == QS__START_UPSTREAM &&
		   c->branches[0].on[1].at.line == 2 &&
		   c->branches[0].on[1].at.column == 49,
		   "flow style: on [base, upstream], located");
		is_str(c->integrations[0].merge[1].local_ref,
		       "refs/quiltsync/remotes/u/r", "a one-letter URL");
		qs_config_free(c);
	}
	/* YAML 1.2: 'on' is a key like any other, and a comment is not a value */
	c = parse(REQUIRED "branches:\n  - name: a # a comment\n    on: base\n"
		  "    section: '#x'\n", NULL);
	if (c) {
		is_str(c->branches[0].name, "a", "comment after a value");
		is_str(c->branches[0].section, "#x", "quoted '#'");
		qs_config_free(c);
	}
}

static void check_paths(const char *path, const char *repository,
			const char *want_repo, const char *want_patches,
			const char *want_resolutions)
{
	char yaml[512];
	qs_config *c;

	snprintf(yaml, sizeof(yaml),
		 "repository: '%s'\nseries: .//queue/./series\ncommitter: a <b>\n"
		 "upstream: HEAD\nbranches: [{name: a, on: base}]\n", repository);
	if (!(c = parse(yaml, path)))
		return;
	is_str(c->repository, want_repo, "%s: repository '%s'",
	       path ? path : "(no path)", repository);
	is_str(c->patches, want_patches, "%s: patches", path ? path : "(no path)");
	is_str(c->resolutions, want_resolutions, "%s: resolutions",
	       path ? path : "(no path)");
	qs_config_free(c);
}

static void test_paths(void)
{
	check_paths(NULL, "../linux", "../linux", "queue", "quiltsync-resolutions");
	check_paths("q.yaml", "./x//y/", "x/y", "queue", "quiltsync-resolutions");
	check_paths("./q.yaml", ".", ".", "queue", "quiltsync-resolutions");
	check_paths("conf/q.yaml", "../linux", "conf/../linux", "conf/queue",
		    "conf/quiltsync-resolutions");
	check_paths("conf//sub/./q.yaml", ".", "conf/sub", "conf/sub/queue",
		    "conf/sub/quiltsync-resolutions");
	check_paths("conf/q.yaml", "/srv//git/./linux/", "/srv/git/linux",
		    "conf/queue", "conf/quiltsync-resolutions");
	check_paths("/etc/q.yaml", "linux", "/etc/linux", "/etc/queue",
		    "/etc/quiltsync-resolutions");
	check_paths("/q.yaml", "linux", "/linux", "/queue",
		    "/quiltsync-resolutions");
	check_paths("/q.yaml", "/", "/", "/queue", "/quiltsync-resolutions");
}

static void test_errors_structure(void)
{
	/* unknown keys, at the key, with what is allowed */
	ERR(REQUIRED ONE_BRANCH "fuz: 2\n",
	    NAME ":6:1: fuz: unknown key, expected one of repository, series, "
	    "patches, sections, committer, author, upstream, base, base-pattern, resolutions, "
	    "fuzz, max-patch-size, 3way, dependencies, failed-series, link, placeholders, branches, integration, remotes, prune");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    mdoe: append\n",
	    NAME ":8:5: branches[0].mdoe: unknown key, expected one of name, "
	    "section, on, mode, per-series");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - name: i\n    merge: [a, {url: u, ref: r, branch: b}]\n",
	    NAME ":8:33: integration[0].merge[1].branch: unknown key, expected one of url, ref");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, b], on: a}]\n",
	    NAME ":6:40: integration[0].on: unknown key, expected one of name, merge");
	/* duplicate keys, at the second */
	ERR(REQUIRED "fuzz: 1\n" ONE_BRANCH "fuzz: 2\n",
	    NAME ":7:1: fuzz: duplicate key, first at 5:1");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    name: b\n",
	    NAME ":8:5: branches[0].name: duplicate key, first at 6:5");
	ERR(REQUIRED ONE_BRANCH "placeholders:\n  x.patch: a\n  x.patch: base\n",
	    NAME ":8:3: placeholders: duplicate entry 'x.patch', first at 7:3");
	/* missing required keys, at the mapping that lacks them */
	ERR("series: s\ncommitter: a <b>\nupstream: u\n" ONE_BRANCH,
	    NAME ":1:1: missing required key 'repository'");
	ERR("repository: r\ncommitter: a <b>\nupstream: u\n" ONE_BRANCH,
	    NAME ":1:1: missing required key 'series'");
	ERR("repository: r\nseries: s\nupstream: u\n" ONE_BRANCH,
	    NAME ":1:1: missing required key 'committer'");
	ERR("repository: r\nseries: s\ncommitter: a <b>\n" ONE_BRANCH,
	    NAME ":1:1: missing required key 'upstream'");
	ERR("# comment\n\n" REQUIRED,
	    NAME ":3:1: missing required key 'branches'");
	ERR(REQUIRED "branches:\n  - name: a\n  - on: base\n",
	    NAME ":6:5: branches[0]: missing required key 'on'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n  - on: base\n",
	    NAME ":8:5: branches[1]: missing required key 'name'");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - name: i\n",
	    NAME ":7:5: integration[0]: missing required key 'merge'");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - name: i\n    merge: [a, {url: u}]\n",
	    NAME ":8:16: integration[0].merge[1]: missing required key 'ref'");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - name: i\n    merge:\n      - ref: r\n      - a\n",
	    NAME ":9:9: integration[0].merge[0]: missing required key 'url'");
	/* wrong types */
	ERR("- a\n- b\n", NAME ":1:1: expected a mapping of settings, got a sequence");
	ERR("hello\n", NAME ":1:1: expected a mapping of settings, got 'hello'");
	ERR(REQUIRED "branches: {name: a, on: base}\n",
	    NAME ":5:11: branches: expected a sequence of branches, got a mapping");
	ERR(REQUIRED "branches: a\n",
	    NAME ":5:11: branches: expected a sequence of branches, got 'a'");
	ERR(REQUIRED "branches:\n  - a\n",
	    NAME ":6:5: branches[0]: expected a mapping with name and on, got 'a'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: {base: 1}\n",
	    NAME ":7:9: branches[0].on: expected base, upstream, a branch name "
	    "or a sequence of them, got a mapping");
	ERR(REQUIRED "branches:\n  - name: a\n    on: [base, [upstream]]\n",
	    NAME ":7:16: branches[0].on[1]: expected base, upstream or a branch "
	    "name, got a sequence");
	ERR(REQUIRED "branches:\n  - name: [a]\n    on: base\n",
	    NAME ":6:11: branches[0].name: expected a string, got a sequence");
	ERR("repository:\n  path: r\n",
	    NAME ":2:3: repository: expected a string, got a mapping");
	ERR(REQUIRED ONE_BRANCH "integration: {name: i}\n",
	    NAME ":6:14: integration: expected a sequence of integration branches, got a mapping");
	ERR(REQUIRED ONE_BRANCH "integration: [i]\n",
	    NAME ":6:15: integration[0]: expected a mapping with name and merge, got 'i'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: a}]\n",
	    NAME ":6:32: integration[0].merge: expected a sequence of branch names "
	    "and {url, ref} trees, got 'a'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, [b]]}]\n",
	    NAME ":6:36: integration[0].merge[1]: expected a branch name or a "
	    "{url, ref} mapping, got a sequence");
	ERR(REQUIRED ONE_BRANCH "placeholders: [a.patch]\n",
	    NAME ":6:15: placeholders: expected a mapping of series entries to refs, got a sequence");
	ERR(REQUIRED ONE_BRANCH "placeholders: {x.patch: [a]}\n",
	    NAME ":6:25: placeholders.x.patch: expected base, upstream or a branch name, got a sequence");
	ERR(REQUIRED ONE_BRANCH "[a]: b\n",
	    NAME ":6:1: expected a key, got a sequence");
	ERR(REQUIRED "branches:\n  - ? {x: 1}\n    : 2\n",
	    NAME ":6:7: branches[0]: expected a key, got a mapping");
	ERR(REQUIRED ONE_BRANCH "placeholders: {[x]: a}\n",
	    NAME ":6:16: placeholders: expected a series entry name, got a sequence");
}

static void test_errors_values(void)
{
	/* empty strings and nulls */
	ERR("repository: ''\n", NAME ":1:13: repository: empty value");
	ERR("repository: ~\n", NAME ":1:13: repository: empty value");
	ERR("repository:\nseries: s\n", NAME ":1:12: repository: empty value");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    section: \"\"\n",
	    NAME ":8:14: branches[0].section: empty value");
	ERR(REQUIRED "branches:\n  - name: null\n    on: base\n",
	    NAME ":6:11: branches[0].name: empty value");
	ERR(REQUIRED "branches:\n  - name: a\n    on: [base, ~]\n",
	    NAME ":7:16: branches[0].on[1]: empty value");
	ERR(REQUIRED "branches: []\n",
	    NAME ":5:11: branches: empty sequence, expected at least one branch");
	ERR(REQUIRED "branches:\n  - name: a\n    on: []\n",
	    NAME ":7:9: branches[0].on: empty sequence, expected base, upstream or branch names");
	ERR(REQUIRED ONE_BRANCH "placeholders: {'': a}\n",
	    NAME ":6:16: placeholders: empty key");
	ERR(REQUIRED ONE_BRANCH "'': a\n", NAME ":6:1: empty key");
	ERR("repository: \"a\\0b\"\n",
	    NAME ":1:13: repository: NUL character in 'a\\x00b'");
	/* bad values */
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    mode: apend\n",
	    NAME ":8:11: branches[0].mode: expected rebuild or append, got 'apend'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    mode: \"app\\tend\\n\"\n",
	    NAME ":8:11: branches[0].mode: expected rebuild or append, got 'app\\tend\\n'");
	ERR(REQUIRED ONE_BRANCH "dependencies: stacked\n",
	    NAME ":6:15: dependencies: expected stack, 3way or skip, got 'stacked'");
	ERR(REQUIRED ONE_BRANCH "sections: BRANCH\n",
	    NAME ":6:11: sections: expected branch or mmotm, got 'BRANCH'");
	ERR(REQUIRED ONE_BRANCH "sections: [mmotm]\n",
	    NAME ":6:11: sections: expected branch or mmotm, got a sequence");
	ERR(REQUIRED ONE_BRANCH "fuzz: 4\n",
	    NAME ":6:7: fuzz: expected an integer from 0 to 3, got '4'");
	ERR(REQUIRED ONE_BRANCH "fuzz: -1\n",
	    NAME ":6:7: fuzz: expected an integer from 0 to 3, got '-1'");
	ERR(REQUIRED ONE_BRANCH "fuzz: \"2\"\n",
	    NAME ":6:7: fuzz: expected an integer from 0 to 3, got the string '2'");
	ERR(REQUIRED ONE_BRANCH "fuzz: [2]\n",
	    NAME ":6:7: fuzz: expected an integer from 0 to 3, got a sequence");
	ERR(REQUIRED ONE_BRANCH "3way: yes\n",
	    NAME ":6:7: 3way: expected true or false, got 'yes'");
	ERR(REQUIRED ONE_BRANCH "3way: 'true'\n",
	    NAME ":6:7: 3way: expected true or false, got the string 'true'");
	ERR(REQUIRED ONE_BRANCH "3way:\n",
	    NAME ":6:6: 3way: expected true or false, got null");
	ERR(REQUIRED ONE_BRANCH "link: https://lore.kernel.org/r/{msg}\n",
	    NAME ":6:7: link: expected a URL pattern containing {msgid}, got "
	    "'https://lore.kernel.org/r/{msg}'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    per-series: a-slug\n",
	    NAME ":8:17: branches[0].per-series: expected a branch name pattern "
	    "with {slug} once, got 'a-slug'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    per-series: '{slug}-{slug}'\n",
	    NAME ":8:17: branches[0].per-series: expected a branch name pattern "
	    "with {slug} once, got '{slug}-{slug}'");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n    per-series: a..{slug}\n",
	    NAME ":8:17: branches[0].per-series: 'a..{slug}' does not make valid branch names");
	ERR(REQUIRED ONE_BRANCH "base-pattern: 'v(\\d+'\n",
	    NAME ":6:15: base-pattern: invalid pattern 'v(\\d+': missing closing "
	    "parenthesis at offset 5");
	ERR(REQUIRED ONE_BRANCH "base-pattern: '^v\\d+-rc3$'\n",
	    NAME ":6:15: base-pattern: pattern '^v\\d+-rc3$' has no capture group "
	    "for the version numbers");
	ERR(REQUIRED ONE_BRANCH "base: previous rc3\n",
	    NAME ":6:7: base: expected previous-rc3, a tag or a commit id, got 'previous rc3'");
	ERR(REQUIRED ONE_BRANCH "base: v6.9..\n",
	    NAME ":6:7: base: expected previous-rc3, a tag or a commit id, got 'v6.9..'");
	ERR("repository: r\nseries: s\ncommitter: a <b>\nupstream: origin/a..b\n",
	    NAME ":4:11: upstream: expected a ref such as refs/remotes/origin/master, got 'origin/a..b'");
	ERR("repository: r\nseries: s\ncommitter: a <b>\nupstream: refs/heads/x.lock~1\n",
	    NAME ":4:11: upstream: expected a ref such as refs/remotes/origin/master, got 'refs/heads/x.lock~1'");
	ERR("committer: Andrew Morton\n",
	    NAME ":1:12: committer: expected 'Name <email>', got 'Andrew Morton'");
	ERR("committer: Andrew <akpm> Morton\n",
	    NAME ":1:12: committer: expected 'Name <email>', got 'Andrew <akpm> Morton'");
	ERR("committer: <akpm@x.org>\n",
	    NAME ":1:12: committer: no name before the email in '<akpm@x.org>'");
	ERR("committer: Andrew Morton <>\n",
	    NAME ":1:12: committer: empty email in 'Andrew Morton <>'");
	ERR("committer: Andrew > Morton <akpm@x.org>\n",
	    NAME ":1:12: committer: '<', '>' or a control character inside the "
	    "name or the email of 'Andrew > Morton <akpm@x.org>'");
	ERR("committer: A <a<b@x.org>\n",
	    NAME ":1:12: committer: '<', '>' or a control character inside the "
	    "name or the email of 'A <a<b@x.org>'");
	ERR("committer: \"A\\nB <a@x.org>\"\n",
	    NAME ":1:12: committer: '<', '>' or a control character inside the "
	    "name or the email of 'A\\nB <a@x.org>'");
	/* names */
	ERR(REQUIRED "branches:\n  - name: a..b\n    on: base\n",
	    NAME ":6:11: branches[0].name: 'a..b' is not a valid branch name");
	ERR(REQUIRED "branches:\n  - name: -a\n    on: base\n",
	    NAME ":6:11: branches[0].name: '-a' is not a valid branch name");
	ERR(REQUIRED "branches:\n  - name: HEAD\n    on: base\n",
	    NAME ":6:11: branches[0].name: 'HEAD' is not a valid branch name");
	ERR(REQUIRED "branches:\n  - name: upstream\n    on: base\n",
	    NAME ":6:11: branches[0].name: 'upstream' is reserved: it means the "
	    "upstream commit in on, merge and placeholders");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: base, merge: [a, a]}]\n",
	    NAME ":6:22: integration[0].name: 'base' is reserved: it means the "
	    "base commit in on, merge and placeholders");
	ERR(REQUIRED "branches:\n  - name: a\n    on: [base, 'x y']\n",
	    NAME ":7:16: branches[0].on[1]: 'x y' is not a valid branch name");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, upstream]}]\n",
	    NAME ":6:36: integration[0].merge[1]: expected a branch name or a "
	    "{url, ref} mapping, got 'upstream'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: u, ref: 'a b'}]}]\n",
	    NAME ":6:50: integration[0].merge[1].ref: expected a branch name or a full ref, got 'a b'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: u, ref: refs/x..}]}]\n",
	    NAME ":6:50: integration[0].merge[1].ref: expected a branch name or a full ref, got 'refs/x..'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: '://', ref: r}]}]\n",
	    NAME ":6:42: integration[0].merge[1].url: no letter or digit in URL "
	    "'://' to name its local ref");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: 'a b', ref: r}]}]\n",
	    NAME ":6:42: integration[0].merge[1].url: blank or control character in URL 'a b'");
	ERR(REQUIRED ONE_BRANCH "placeholders: {'a b.patch': base}\n",
	    NAME ":6:16: placeholders: 'a b.patch' cannot be a series entry name");
	ERR(REQUIRED ONE_BRANCH "placeholders: {'#x.patch': base}\n",
	    NAME ":6:16: placeholders: '#x.patch' cannot be a series entry name");
	/* columns count characters, as libyaml's marks do */
	ERR(REQUIRED ONE_BRANCH "placeholders: {\xc3\xa9.patch: nope}\n",
	    NAME ":6:25: placeholders.\xc3\xa9.patch: no branch named 'nope'");
	/* long values are cut in messages */
	ERR(REQUIRED ONE_BRANCH "dependencies: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    NAME ":6:15: dependencies: expected stack, 3way or skip, got "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'...");
}

static void test_errors_yaml(void)
{
	ERR("", NAME ":1:1: empty file");
	ERR("# only a comment\n\n", NAME ":1:1: empty file");
	ERR("---\n", NAME ":2:1: empty document");
	ERR("repository: r\nseries: s: t\n",
	    NAME ":2:10: mapping values are not allowed in this context");
	ERR("repository: r\nseries\ncommitter: c\n",
	    NAME ":3:1: could not find expected ':' (while scanning a simple key at 2:1)");
	ERR("branches: [a, b\n",
	    NAME ":2:1: did not find expected ',' or ']' (while parsing a flow sequence at 1:11)");
	ERR("repository: r\n\tseries: s\n",
	    NAME ":2:1: found a tab character that violates indentation (while scanning a plain scalar at 1:13)");
	ERR("repository: r\nseries: '\xc3\xa9\xff'\n",
	    NAME ":2:11: invalid leading UTF-8 octet (0xff)");
	ERR("repository: r\x01\n",
	    NAME ":1:14: control characters are not allowed (0x01)");
	ERR("repository: r\nseries: s\n---\nfuzz: 1\n",
	    NAME ":3:1: more than one document");
	ERR(REQUIRED "branches:\n  - name: &n a\n    on: base\n",
	    NAME ":6:11: branches[0].name: anchors are not supported");
	ERR(REQUIRED "x: &y\n  - 1\n",
	    NAME ":5:4: x: anchors are not supported");
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n  - name: b\n    on: *x\n",
	    NAME ":9:9: branches[1].on: aliases are not supported");
	ERR(REQUIRED "fuzz: !!int 2\n",
	    NAME ":5:7: fuzz: tags are not supported");
	ERR(REQUIRED "branches: !!seq\n  - x\n",
	    NAME ":5:11: branches: tags are not supported");
	ERR("a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	    NAME ":1:35: a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	    "[0][0][0][0][0][0][0][0][0][0][0][0]: nested more than 32 levels deep");
}

static void test_errors_references(void)
{
	/* names used twice */
	ERR(REQUIRED "branches:\n  - name: a\n    on: base\n  - name: a\n    on: base\n    section: b\n",
	    NAME ":8:11: branches[1].name: 'a' is already the name of branches[0]");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - name: a\n    merge: [a, b]\n",
	    NAME ":7:11: integration[0].name: 'a' is already the name of branches[0]");
	ERR(REQUIRED "branches: [{name: a, on: base}, {name: b, on: base}]\n"
	    "integration:\n  - {name: i, merge: [a, b]}\n  - {name: i, merge: [b, a]}\n",
	    NAME ":8:12: integration[1].name: 'i' is already the name of integration[0]");
	/* sections taken twice: at the section, or at the name that gives it */
	ERR(REQUIRED "branches:\n  - {name: a, on: base}\n  - {name: b, on: base, section: a}\n",
	    NAME ":7:34: branches[1].section: section 'a' is already taken by branch 'a'");
	ERR(REQUIRED "branches:\n  - {name: a, on: base, section: b}\n  - {name: b, on: base}\n",
	    NAME ":7:12: branches[1].name: section 'b' is already taken by branch 'a'");
	/* on */
	ERR(REQUIRED "branches:\n  - {name: a, on: [base, b]}\n  - {name: b, on: base}\n",
	    NAME ":6:26: branches[0].on[1]: branch 'b' comes later (branches[1]): "
	    "a branch can only start from earlier ones");
	ERR(REQUIRED "branches:\n  - {name: a, on: a}\n",
	    NAME ":6:19: branches[0].on: branch 'a' cannot start from itself");
	ERR(REQUIRED "branches:\n  - {name: a, on: nope}\n",
	    NAME ":6:19: branches[0].on: no branch named 'nope'");
	ERR(REQUIRED "branches:\n  - {name: a, on: base}\n  - {name: b, on: i}\n"
	    "integration: [{name: i, merge: [a, a2]}]\n",
	    NAME ":7:19: branches[1].on: 'i' is an integration: a branch cannot start from one");
	ERR(REQUIRED "branches:\n  - {name: a, on: base}\n  - {name: b, on: [a, base, a]}\n",
	    NAME ":7:29: branches[1].on[2]: 'a' is listed twice");
	ERR(REQUIRED "branches:\n  - {name: a, on: [upstream, upstream]}\n",
	    NAME ":6:30: branches[0].on[1]: 'upstream' is listed twice");
	/* merge */
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, nope]}]\n",
	    NAME ":6:36: integration[0].merge[1]: no branch named 'nope'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, i]}]\n",
	    NAME ":6:36: integration[0].merge[1]: integration 'i' cannot merge itself");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - {name: i, merge: [a, j]}\n  - {name: j, merge: [a, b]}\n",
	    NAME ":7:26: integration[0].merge[1]: integration 'j' comes later "
	    "(integration[1]): an integration can only merge earlier ones");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a]}]\n",
	    NAME ":6:32: integration[0].merge: expected at least two things to merge, got 1");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: u, ref: r}, a]}]\n",
	    NAME ":6:54: integration[0].merge[2]: 'a' is listed twice");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: u, ref: r}, "
	    "{url: u, ref: refs/heads/r}]}]\n",
	    NAME ":6:54: integration[0].merge[2]: this tree is listed twice, first as merge[1]");
	ERR(REQUIRED ONE_BRANCH "integration:\n  - {name: i, merge: [a, {url: 'h:/u', ref: r}]}\n"
	    "  - {name: j, merge: [i, {url: 'h/u', ref: r}]}\n",
	    NAME ":8:26: integration[1].merge[1]: this tree would be fetched to "
	    "'refs/quiltsync/remotes/h-u/r' as integration[0].merge[1] is");
	/* placeholders */
	ERR(REQUIRED ONE_BRANCH "placeholders:\n  mm-stable.patch: mm-stable\n",
	    NAME ":7:20: placeholders.mm-stable.patch: no branch named 'mm-stable'");
	ERR(REQUIRED ONE_BRANCH "integration: [{name: i, merge: [a, {url: u, ref: r}]}]\n"
	    "placeholders:\n  x.patch: i\n",
	    NAME ":8:12: placeholders.x.patch: 'i' is an integration: a placeholder "
	    "stands for base, upstream or a branch");
}

static void test_api(void)
{
	char path[sizeof(scratch) + 32];
	qs_config *c = (qs_config *)1;
	FILE *f;

	is_int(qs_config_parse(NULL, "", 0, NULL), QS_EINVAL, "parse: NULL out");
	is_int(qs_config_parse(&c, NULL, 3, NULL), QS_EINVAL, "parse: NULL buffer");
	is_int(qs_config_load(&c, NULL), QS_EINVAL, "load: NULL path");
	ok(!c, "out cleared");
	qs_config_free(NULL);
	ok(!qs_config_path(NULL) && !qs_config_repository(NULL) &&
	   !qs_config_series(NULL) && !qs_config_patches(NULL) &&
	   !qs_config_resolutions(NULL), "accessors take NULL");
	is_int(qs_config_convention(NULL), QS_SERIES_BRANCH, "convention of NULL");

	if (scratch_make("config")) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/none.yaml", scratch);
	is_int(qs_config_load(&c, path), QS_ENOTFOUND, "load: no such file");
	is_int(qs_config_load(&c, scratch), QS_ECONFIG, "load: a directory is a config error");
	snprintf(path, sizeof(path), "%s/quiltsync.yaml", scratch);
	if ((f = fopen(path, "w"))) {
		fputs(REQUIRED "branches:\n  - {name: a, on: nope}\n", f);
		fclose(f);
	}
	is_int(qs_config_load(&c, path), QS_ECONFIG, "load: a bad file");
	ok(!strncmp(qs_error_last()->message, path, strlen(path)) &&
	   !strcmp(qs_error_last()->message + strlen(path),
		   ":6:19: branches[0].on: no branch named 'nope'"),
	   "load: the message names the file (%s)", qs_error_last()->message);
	if ((f = fopen(path, "w"))) {
		fputs(REQUIRED ONE_BRANCH, f);
		fclose(f);
	}
	if (is_int(qs_config_load(&c, path), 0, "load: a good file")) {
		char want[sizeof(scratch) + 8];

		snprintf(want, sizeof(want), "%s/pc", scratch);
		is_str(qs_config_patches(c), want, "load: paths from the file's directory");
		is_str(qs_config_path(c), path, "load: path");
		qs_config_free(c);
	}
	scratch_remove();
}

static void test_akpm_example(void)
{
	static const char *const names[] = {
		"mm-hotfixes-stable", "mm-stable", "mm-nonmm-stable",
		"mm-hotfixes-unstable", "mm-unstable", "mm-nonmm-unstable",
	};
	const char *src = getenv("QS_SOURCE_DIR");
	const struct qs__branch_conf *b;
	const struct qs__integration_conf *in;
	qs_buf path = QS_BUF_INIT, want = QS_BUF_INIT;
	qs_config *c = NULL;

	if (!src) {
		ok(1, "examples/akpm/quiltsync.yaml # SKIP QS_SOURCE_DIR is not set");
		return;
	}
	qs_buf_addf(&path, "%s/examples/akpm/quiltsync.yaml", src);
	if (!is_int(qs_config_load(&c, path.ptr), 0, "examples/akpm/quiltsync.yaml loads")) {
		tap_diag("%s", qs_error_last()->message);
		goto done;
	}
	qs_buf_addf(&want, "%s/examples/akpm/../linux", src);
	is_str(c->repository, want.ptr, "akpm: repository ../linux");
	qs_buf_clear(&want);
	qs_buf_addf(&want, "%s/examples/akpm/pc/devel-series", src);
	is_str(c->series, want.ptr, "akpm: series pc/devel-series");
	qs_buf_clear(&want);
	qs_buf_addf(&want, "%s/examples/akpm/patches", src);
	is_str(c->patches, want.ptr, "akpm: patches");
	ok(!strcmp(c->committer_name, "Andrew Morton") &&
	   !strcmp(c->committer_email, "akpm@linux-foundation.org"),
	   "akpm: committer");
	is_str(c->link, "https://lore.kernel.org/r/{msgid}", "akpm: link");
	is_str(c->base, "previous-rc3", "akpm: base");
	if (!is_int(c->nbranches, 6, "akpm: six trees"))
		goto done;
	for (size_t i = 0; i < 6; i++) {
		is_str(c->branches[i].name, names[i], "akpm: branch %zu", i);
		is_str(c->branches[i].section, names[i], "akpm: its section");
		is_int(c->branches[i].mode, i < 3 ? QS__MODE_APPEND : QS__MODE_REBUILD,
		       "akpm: %s is %s", names[i], i < 3 ? "append-only" : "rebuilt");
	}
	for (size_t i = 0; i < 3; i++)
		ok(c->branches[i].non == 1 &&
		   c->branches[i].on[0].kind == QS__START_UPSTREAM,
		   "akpm: %s on upstream", names[i]);
	b = qs__config_branch(c, "mm-hotfixes-unstable");
	ok(b && b->non == 1 && !strcmp(b->on[0].branch, "mm-hotfixes-stable"),
	   "akpm: mm-hotfixes-unstable on mm-hotfixes-stable");
	b = qs__config_branch(c, "mm-unstable");
	ok(b && b->non == 2 && !strcmp(b->on[0].branch, "mm-hotfixes-unstable") &&
	   !strcmp(b->on[1].branch, "mm-stable") &&
	   b->per_series && !strcmp(b->per_series, "mm-unstable-{slug}"),
	   "akpm: mm-unstable on mm-hotfixes-unstable + mm-stable, per series");
	b = qs__config_branch(c, "mm-nonmm-unstable");
	ok(b && b->non == 1 && !strcmp(b->on[0].branch, "mm-nonmm-stable"),
	   "akpm: mm-nonmm-unstable on mm-nonmm-stable");
	in = qs__config_integration(c, "mm-everything");
	ok(c->nintegrations == 1 && in && in->nmerge == 2 &&
	   !strcmp(in->merge[0].branch, "mm-unstable") &&
	   !strcmp(in->merge[1].branch, "mm-nonmm-unstable"),
	   "akpm: mm-everything = mm-unstable + mm-nonmm-unstable");
done:
	qs_config_free(c);
	qs_buf_release(&path);
	qs_buf_release(&want);
}

/* remotes: defaults, every key, and the errors of each */
static void test_remotes(void)
{
	const struct qs__remote_conf *r;
	qs_config *c;

	c = parse(REQUIRED ONE_BRANCH, NAME);
	ok(c && c->nremotes == 0 && !qs__config_remote(c, "korg") && c->prune == QS__PRUNE_NEXT_RC3,
	   "no remotes key: none; the repository prunes at the next -rc3");
	qs_config_free(c);
	c = parse(REQUIRED ONE_BRANCH "prune: never\n", NAME);
	ok(c && c->prune == QS__PRUNE_NEVER, "prune: never");
	qs_config_free(c);
	c = parse(REQUIRED "branches: [{name: a, on: upstream}, {name: b, on: a}]\n"
		  "integration: [{name: i, merge: [a, b]}]\n"
		  "remotes:\n"
		  "  - name: korg\n"
		  "    url: ssh://git@gitolite.kernel.org/pub/scm/linux/kernel/git/akpm/mm\n"
		  "  - {name: mirror.2, url: ../mirror.git, branches: [i, a], per-series: false,\n"
		  "     atomic: false, timeout: 30, prune: never,\n"
		  "     tags: {pattern: '{branch}-{YYYY}-{MM}-{DD}-{hh}-{mm}', branches: [i]}}\n", NAME);
	if (!c)
		return;
	is_int(c->nremotes, 2, "two remotes");
	r = qs__config_remote(c, "korg");
	ok(r && !strcmp(r->url, "ssh://git@gitolite.kernel.org/pub/scm/linux/kernel/git/akpm/mm") &&
	   !r->branches && !r->nbranches && r->per_series && r->atomic && r->timeout == 600 &&
	   r->prune == QS__PRUNE_NEXT_RC3 && !r->tag_pattern && !r->ntag_branches &&
	   r->at.line == 8, "korg: url as written, defaults: all branches, per-series, atomic, 600s");
	r = qs__config_remote(c, "mirror.2");
	ok(r && !strcmp(r->url, "../mirror.git") && r->nbranches == 2 &&
	   !strcmp(r->branches[0], "i") && !strcmp(r->branches[1], "a") &&
	   !r->per_series && !r->atomic && r->timeout == 30 && r->prune == QS__PRUNE_NEVER &&
	   r->tag_pattern && !strcmp(r->tag_pattern, "{branch}-{YYYY}-{MM}-{DD}-{hh}-{mm}") &&
	   r->ntag_branches == 1 && !strcmp(r->tag_branches[0], "i"),
	   "mirror.2: the URL is git's to read (not resolved), every key");
	qs_config_free(c);

	ERR(REQUIRED ONE_BRANCH "remotes: {name: a}\n",
	    NAME ":6:10: remotes: expected a sequence of remotes, got a mapping");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a}]\n",
	    NAME ":6:11: remotes[0]: missing required key 'url'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a/b, url: u}]\n",
	    NAME ":6:18: remotes[0].name: expected a name of letters, digits, '-', '_' and '.', got 'a/b'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: -a, url: u}]\n",
	    NAME ":6:18: remotes[0].name: expected a name of letters, digits, '-', '_' and '.', got '-a'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a, url: u}, {name: a, url: v}]\n",
	    NAME ":6:37: remotes[1]: 'a' is already the name of remotes[0]");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a, url: '--upload-pack=x'}]\n",
	    NAME ":6:26: remotes[0].url: URL '--upload-pack=x' starts with '-'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a, url: 'a b'}]\n",
	    NAME ":6:26: remotes[0].url: blank or control character in URL 'a b'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: a, url: u, branches: []}]\n",
	    NAME ":6:39: remotes[0].branches: empty sequence, expected branch names (leave the key out for all)");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, branches: [a, a]}]\n",
	    NAME ":6:43: remotes[0].branches[1]: 'a' is listed twice");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, branches: [a, nope]}]\n",
	    NAME ":6:43: remotes[0].branches[1]: no branch or integration named 'nope'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, atomic: yes}]\n",
	    NAME ":6:37: remotes[0].atomic: expected true or false, got 'yes'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, timeout: 0}]\n",
	    NAME ":6:38: remotes[0].timeout: expected a number of seconds from 1 to 86400, got '0'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, mirror: x}]\n",
	    NAME ":6:29: remotes[0].mirror: unknown key, expected one of name, url, branches, per-series, atomic, timeout, prune, tags");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, tags: {pattern: '{YYYY}', branches: [a]}}]\n",
	    NAME ":6:45: remotes[0].tags.pattern: expected a tag name pattern with {branch}, got '{YYYY}'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, tags: {pattern: '{branch}-{yy}', branches: [a]}}]\n",
	    NAME ":6:45: remotes[0].tags.pattern: unknown {word} in '{branch}-{yy}': {branch}, {YYYY}, {MM}, {DD}, {hh}, {mm} and {ss} are known");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, tags: {pattern: '{branch}..x', branches: [a]}}]\n",
	    NAME ":6:45: remotes[0].tags.pattern: '{branch}..x' does not make valid tag names");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, tags: {pattern: '{branch}', branches: [b]}}]\n",
	    NAME ":6:68: remotes[0].tags.branches[0]: no branch or integration named 'b'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, tags: {branches: [a]}}]\n",
	    NAME ":6:35: remotes[0].tags: missing required key 'pattern'");
	ERR(REQUIRED ONE_BRANCH "remotes: [{name: r, url: u, prune: later}]\n",
	    NAME ":6:36: remotes[0].prune: expected next-rc3, now or never, got 'later'");
}

int main(void)
{
	test_full();
	test_defaults();
	test_values();
	test_paths();
	test_errors_structure();
	test_errors_values();
	test_errors_yaml();
	test_errors_references();
	test_api();
	test_akpm_example();
	test_remotes();
	return done_testing();
}
