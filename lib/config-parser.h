/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files that read quiltsync.yaml share: the tree libyaml's
 * events are read into (config-yaml.c), the parser state with the key
 * path of the node being checked, the key tables that drive a mapping's
 * checks, and the checks of single values (config-values.c) that the
 * sections of the file (config-branches.c, config-remotes.c) are built
 * from. Not used outside the config's files.
 */
#ifndef QS_CONFIG_PARSER_H
#define QS_CONFIG_PARSER_H

#include "internal.h"
#include "config-internal.h"

#define QS__CFG_DEFAULT_BASE "previous-rc3"
#define QS__CFG_DEFAULT_BASE_PATTERN "^v(\\d+)\\.(\\d+)-rc3$"

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

/* A YAML node as read: mappings hold key, value, key, value... in items. */
struct node {
	enum node_kind kind;
	size_t line, column;	/* 1-based */
	char *value;		/* scalar: its text, NUL-terminated */
	size_t len;		/* scalar: may hold NUL bytes ("\0" escapes) */
	int plain;		/* scalar: not quoted, not a block scalar */
	struct node **items;
	size_t n, alloc;
};

/* What the second pass needs to point at: the nodes of each branch. */
struct branch_src {
	const struct node *name, *section, *on;
};

struct integration_src {
	const struct node *name, *merge;
};

struct parser {
	qs_config *c;
	const char *name;	/* the file, as messages name it */
	qs_buf key;		/* key path of the node being checked */
	qs_buf scratch;		/* qs__cfg_describe()'s result */
	struct branch_src *bsrc;
	struct integration_src *isrc;
	const struct node **pvalue;	/* each placeholder's value node */
	const struct node **rnodes;	/* each remote's node, for the second pass */
	size_t cur;		/* index of the branch or integration being read */
	int have_placeholders;
};

typedef int (*set_fn)(struct parser *p, const struct node *value, void *obj);

struct key {
	const char *name;
	int required;
	set_fn set;
};


/* config-yaml.c: the tree */
int qs__cfg_read_tree(struct parser *p, const char *buf, size_t len,
		      struct node **out);
void qs__cfg_node_free(struct node *n);
int qs__cfg_is_null(const struct node *n);

/* "a sequence", "a mapping", "null" or the quoted value, for messages. */
const char *qs__cfg_describe(struct parser *p, const struct node *n);
/* The same, saying so when a number or a boolean was quoted. */
const char *qs__cfg_describe_typed(struct parser *p, const struct node *n);

/* A QS_ECONFIG error at node `at` (or a line and column), under the key path. */
__attribute__((format(printf, 3, 4)))
int qs__cfg_fail(struct parser *p, const struct node *at, const char *fmt, ...);
__attribute__((format(printf, 4, 5)))
int qs__cfg_fail_mark(struct parser *p, size_t line, size_t column,
		      const char *fmt, ...);

/* Key paths: "branches[2].on[1]". Each push returns what pop restores. */
size_t qs__cfg_push_key(struct parser *p, const char *name, size_t len);
size_t qs__cfg_push_index(struct parser *p, size_t i);
void qs__cfg_pop_key(struct parser *p, size_t old);
/* Start the key path afresh, for the checks of the second pass. */
__attribute__((format(printf, 2, 3)))
void qs__cfg_set_key(struct parser *p, const char *fmt, ...);

int qs__cfg_check_mapping(struct parser *p, const struct node *n,
			  const char *what);
/* A non-empty string, without NUL, into *out (freed first). */
int qs__cfg_get_string(struct parser *p, const struct node *n, char **out);
/* Which of `words` the scalar `v` is, or -1. */
int qs__cfg_one_of(const struct node *v, const char *const *words, size_t n);
/*
 * A mapping with the keys `keys`, in file order: unknown and duplicate
 * keys are errors at the key, missing required ones at the mapping.
 * `found[i]` receives the value node of keys[i], or NULL.
 */
int qs__cfg_walk_mapping(struct parser *p, const struct node *map,
			 const struct key *keys, size_t nkeys, void *obj,
			 const struct node **found, const struct node **key_found);

/* config-values.c: single values */
int qs__cfg_ref_is_valid(const char *ref);
int qs__cfg_ref_with_prefix_is_valid(const char *prefix, const char *name);
int qs__cfg_branch_name_is_valid(const char *name);
int qs__cfg_get_branch_name(struct parser *p, const struct node *n, char **out);
char *qs__cfg_normalize_path(const char *path);
char *qs__cfg_dir_of(const char *path);
int qs__cfg_get_path(struct parser *p, const struct node *n, char **out);
/* true or false (YAML 1.2's core schema) into *out. */
int qs__cfg_get_bool(struct parser *p, const struct node *v, int *out);
int qs__cfg_get_start(struct parser *p, const struct node *n,
		      struct qs__start *start);

/* The top-level keys' setters (config.c's root_keys) */
int qs__cfg_set_repository(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_series(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_patches(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_resolutions(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_committer(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_author(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_upstream(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_base(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_base_pattern(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_fuzz(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_max_patch_size(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_three_way(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_dependencies(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_failed_series(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_sections(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_link(struct parser *p, const struct node *v, void *obj);

/* config-branches.c */
int qs__cfg_set_placeholders(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_branches(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_integrations(struct parser *p, const struct node *v, void *obj);
/* config-remotes.c */
int qs__cfg_set_remotes(struct parser *p, const struct node *v, void *obj);
int qs__cfg_set_prune(struct parser *p, const struct node *v, void *obj);
int qs__cfg_check_remotes(struct parser *p);
/* The second pass: references between branches, integrations, placeholders. */
int qs__cfg_check_references(struct parser *p);

#endif
