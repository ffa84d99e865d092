/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checked config, as the build reads it. Everything here has been
 * validated by qs_config_parse(): names are valid branch names, every
 * branch named in `on`, in an integration or a placeholder exists and
 * comes earlier in the file (so the order of `branches` followed by
 * `integration` is an order the build can follow), there is no cycle
 * and no name is used twice (per-series names are checked against the
 * queue by the build, since slugs come from the queue).
 */
#ifndef QS_CONFIG_INTERNAL_H
#define QS_CONFIG_INTERNAL_H

#include "internal.h"

/* Where something was written in the file, for messages. */
struct qs__where {
	size_t line, column;	/* 1-based; 0 when built by hand */
};

typedef enum {
	QS__START_BASE,		/* the base commit (previous-rc3, a tag, a commit) */
	QS__START_UPSTREAM,	/* the upstream ref's commit */
	QS__START_BRANCH,	/* a branch of this config */
	QS__START_REMOTE,	/* an external tree: {url, ref} (integration only) */
	QS__START_NONE,		/* nothing: a placeholder written with a null value */
} qs__start_kind;

/* One thing a branch starts from or an integration merges. */
struct qs__start {
	qs__start_kind kind;
	char *branch;		/* QS__START_BRANCH: its name */
	char *url, *ref;	/* QS__START_REMOTE */
	/*
	 * QS__START_REMOTE: where it is fetched to,
	 * "refs/quiltsync/remotes/<slug of url>/<ref without refs/heads/>".
	 */
	char *local_ref;
	struct qs__where at;
};

typedef enum {
	QS__MODE_REBUILD = 0,	/* recomputed every run */
	QS__MODE_APPEND,	/* never rewritten: new patches go on the tip */
} qs__branch_mode;

typedef enum {
	QS__DEPS_STACK = 0,	/* on the branch of the series it needs */
	QS__DEPS_3WAY,		/* alone on the base, with 3-way merges */
	QS__DEPS_SKIP,		/* left as it was, and reported */
} qs__deps_policy;

struct qs__branch_conf {
	char *name;		/* "mm-unstable" (no refs/heads/) */
	char *section;		/* the series file section it takes */
	struct qs__start *on;	/* at least one; more are merged in order */
	size_t non;
	qs__branch_mode mode;
	char *per_series;	/* "mm-unstable-{slug}", or NULL */
	struct qs__where at;
};

struct qs__integration_conf {
	char *name;
	struct qs__start *merge;	/* at least two; the first is the start */
	size_t nmerge;
	struct qs__where at;
};

/* A series entry name that stands for a ref rather than a patch file. */
struct qs__placeholder {
	char *entry;		/* "mm-stable.patch" */
	struct qs__start target;	/* base, upstream or a branch */
};

/*
 * A repository branches are published to (quiltsync-publish(1)): its
 * name (a word that names refs/quiltsync/published/<name>/), the URL as
 * git takes it, which branches, and how.
 */
typedef enum {
	QS__PRUNE_NEXT_RC3 = 0,	/* once the base has moved on (the default) */
	QS__PRUNE_NOW,		/* as soon as the series left the queue */
	QS__PRUNE_NEVER,
} qs__prune_policy;

struct qs__remote_conf {
	char *name;
	char *url;
	/* branch and integration names of this config; NULL: all of them */
	char **branches;
	size_t nbranches;
	int per_series;		/* a listed tree's per-series branches too: default 1 */
	int atomic;		/* default 1; 0 is unsafe, documented so */
	int timeout;		/* seconds a push may take: default 600 */
	/* when the per-series branches of series that left the queue are deleted there */
	qs__prune_policy prune;
	/*
	 * tags: a dated tag per listed branch each time the branch moves
	 * there, named by the pattern ("{branch}-{YYYY}-{MM}-{DD}"); NULL:
	 * none
	 */
	char *tag_pattern;
	char **tag_branches;
	size_t ntag_branches;
	struct qs__where at;
};

/*
 * Every pointer below, down to the strings of each branch and start, is
 * malloc()ed and owned by the config alone; qs_config_free() frees them
 * all (placeholder_names only borrows the placeholders' entry strings).
 */
struct qs_config {
	char *path;		/* as given, or NULL */
	char *dir;		/* the file's directory: relative paths start here */

	/* paths, resolved against dir */
	char *repository;	/* required */
	char *series;		/* required */
	char *patches;		/* default: the series file's directory */
	char *resolutions;	/* default: "<dir>/quiltsync-resolutions" */

	char *committer_name, *committer_email;	/* required: "Name <email>" */
	/* the author of a patch that names none, or NULL (then it fails) */
	char *author_name, *author_email;

	char *upstream;		/* required: "refs/remotes/origin/master" */
	char *base;		/* "previous-rc3" (default), a tag, or a commit */
	char *base_pattern;	/* default "^v(\\d+)\\.(\\d+)-rc3$" */

	qs_series_convention convention;	/* sections: default branch */

	struct qs__placeholder *placeholders;
	size_t nplaceholders;
	/* the same entry names, NULL-terminated, for qs_series_options */
	const char **placeholder_names;

	int fuzz;		/* 0..3, default 2 */
	size_t max_patch_size;	/* bytes; default QS_READ_MAX_DEFAULT */
	int three_way;		/* default 0 */
	qs__deps_policy dependencies;	/* default stack */
	/*
	 * failed-series: unpublish: a per-series branch whose series fails
	 * is marked not to be published (default keep: its last good commit)
	 */
	int unpublish_failed_series;
	/*
	 * prune: when publish deletes the repository's own per-series
	 * branches of series that left the queue (default next-rc3)
	 */
	qs__prune_policy prune;
	char *link;		/* "https://lore.kernel.org/r/{msgid}" or NULL */

	struct qs__branch_conf *branches;
	size_t nbranches;
	struct qs__integration_conf *integrations;
	size_t nintegrations;
	struct qs__remote_conf *remotes;
	size_t nremotes;
};

/* The branch or integration named `name`, or NULL. */
const struct qs__branch_conf *qs__config_branch(const struct qs_config *c,
						const char *name);
const struct qs__integration_conf *qs__config_integration(
	const struct qs_config *c, const char *name);

/*
 * The tag name a remote's tag pattern gives `branch` at `tm`, appended
 * to `out`: 0, QS_EINVAL for an unknown {word}, QS_ENOMEM.
 */
struct tm;
int qs__tag_name(qs_buf *out, const char *pattern, const char *branch,
		 const struct tm *tm);

/* The remote named `name`, or NULL. */
const struct qs__remote_conf *qs__config_remote(const struct qs_config *c,
						const char *name);

#endif
