/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: `remotes`, the repositories `quiltsync publish`
 * pushes the branches to (quiltsync-publish(1)). Read in file order like
 * the rest; the second pass checks the names they list against the
 * branches and integrations, which may come later in the file.
 *
 * A remote's name becomes part of a ref name
 * (refs/quiltsync/published/<name>/<branch>), and the command line
 * names remotes by it: it is one plain word.
 */
#include "internal.h"
#include "config-internal.h"
#include "config-parser.h"

#include <ctype.h>
#include <time.h>

#define DEFAULT_TIMEOUT 600
#define MAX_TIMEOUT 86400

static int remote_name_is_valid(const char *name)
{
	if (!*name || *name == '.' || *name == '-')
		return 0;
	for (const char *s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return qs__cfg_ref_with_prefix_is_valid("refs/quiltsync/published/", name);
}

static int set_remote_name(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &r->name)) < 0)
		return ret;
	if (!remote_name_is_valid(r->name))
		return qs__cfg_fail(p, v, "expected a name of letters, digits, '-', '_' and '.', got %s",
				    qs__cfg_describe(p, v));
	return 0;
}

/*
 * Anything git takes: ssh://, host:path, https://, git://, file://, a
 * path. git itself says whether it can reach it; what is checked here
 * is only what could never be a URL, or would be read as an option.
 */
static int set_remote_url(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &r->url)) < 0)
		return ret;
	if (r->url[0] == '-')
		return qs__cfg_fail(p, v, "URL %s starts with '-'", qs__cfg_describe(p, v));
	for (const char *c = r->url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return qs__cfg_fail(p, v, "blank or control character in URL %s",
					    qs__cfg_describe(p, v));
	return 0;
}

static int set_remote_branches(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return qs__cfg_fail(p, v, "expected a sequence of branch names, got %s",
				    qs__cfg_describe(p, v));
	if (!v->n)
		return qs__cfg_fail(p, v, "empty sequence, expected branch names (leave the key out for all)");
	if (!(r->branches = qs__calloc(v->n, sizeof(*r->branches))))
		return QS_ENOMEM;
	r->nbranches = v->n;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = qs__cfg_push_index(p, i);

		if ((ret = qs__cfg_get_string(p, v->items[i], &r->branches[i])) < 0)
			return ret;
		if (!qs__cfg_branch_name_is_valid(r->branches[i]))
			return qs__cfg_fail(p, v->items[i], "%s is not a valid branch name",
					    qs__cfg_describe(p, v->items[i]));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->branches[j], r->branches[i]))
				return qs__cfg_fail(p, v->items[i], "'%s' is listed twice",
						    r->branches[i]);
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

static int set_remote_per_series(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_bool(p, v, &((struct qs__remote_conf *)obj)->per_series);
}

static int set_remote_atomic(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_bool(p, v, &((struct qs__remote_conf *)obj)->atomic);
}

static int set_remote_timeout(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	long n = 0;
	size_t i;

	if (v->kind == NODE_SCALAR && v->plain && v->len && v->len <= 6) {
		for (i = 0; i < v->len && isdigit((unsigned char)v->value[i]); i++)
			n = n * 10 + (v->value[i] - '0');
		if (i == v->len && n >= 1 && n <= MAX_TIMEOUT) {
			r->timeout = (int)n;
			return 0;
		}
	}
	return qs__cfg_fail(p, v, "expected a number of seconds from 1 to %d, got %s",
			    MAX_TIMEOUT, qs__cfg_describe_typed(p, v));
}

static int get_prune(struct parser *p, const struct node *v, qs__prune_policy *out)
{
	static const char *const words[] = { "next-rc3", "now", "never" };
	static const qs__prune_policy policies[] = {
		QS__PRUNE_NEXT_RC3, QS__PRUNE_NOW, QS__PRUNE_NEVER,
	};
	int i = qs__cfg_one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return qs__cfg_fail(p, v, "expected next-rc3, now or never, got %s",
				    qs__cfg_describe(p, v));
	*out = policies[i];
	return 0;
}

static int set_remote_prune(struct parser *p, const struct node *v, void *obj)
{
	return get_prune(p, v, &((struct qs__remote_conf *)obj)->prune);
}

/* The top-level key: the repository's own branches. */
int qs__cfg_set_prune(struct parser *p, const struct node *v, void *obj)
{
	return get_prune(p, v, &p->c->prune);
}

/*
 * A tag name pattern: {branch}, {YYYY}, {MM}, {DD}, {hh}, {mm}, {ss}
 * and text, giving valid tag names.
 */
int qs__tag_name(qs_buf *out, const char *pattern, const char *branch, const struct tm *tm)
{
	static const char *const words[] = { "{branch}", "{YYYY}", "{MM}", "{DD}", "{hh}", "{mm}", "{ss}" };
	const char *s = pattern;

	while (*s) {
		size_t w;

		if (*s != '{') {
			qs_buf_addch(out, *s++);
			continue;
		}
		for (w = 0; w < QS_ARRAY_SIZE(words); w++)
			if (!strncmp(s, words[w], strlen(words[w])))
				break;
		switch (w) {
		case 0: qs_buf_adds(out, branch); break;
		case 1: qs_buf_addf(out, "%04d", tm->tm_year + 1900); break;
		case 2: qs_buf_addf(out, "%02d", tm->tm_mon + 1); break;
		case 3: qs_buf_addf(out, "%02d", tm->tm_mday); break;
		case 4: qs_buf_addf(out, "%02d", tm->tm_hour); break;
		case 5: qs_buf_addf(out, "%02d", tm->tm_min); break;
		case 6: qs_buf_addf(out, "%02d", tm->tm_sec); break;
		default: return QS_EINVAL;
		}
		s += strlen(words[w]);
	}
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

static int set_tag_pattern(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	struct tm tm = { .tm_year = 123, .tm_mon = 11, .tm_mday = 29, .tm_hour = 21, .tm_min = 56 };
	qs_buf name = QS_BUF_INIT;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &r->tag_pattern)) < 0)
		return ret;
	if (!strstr(r->tag_pattern, "{branch}"))
		return qs__cfg_fail(p, v, "expected a tag name pattern with {branch}, got %s",
				    qs__cfg_describe(p, v));
	qs_buf_adds(&name, "refs/tags/");
	ret = qs__tag_name(&name, r->tag_pattern, "mm-everything", &tm);
	if (ret == QS_EINVAL)
		ret = qs__cfg_fail(p, v, "unknown {word} in %s: {branch}, {YYYY}, {MM}, {DD}, {hh}, {mm} and {ss} are known",
				   qs__cfg_describe(p, v));
	else if (!ret && !qs__cfg_ref_is_valid(name.ptr))
		ret = qs__cfg_fail(p, v, "%s does not make valid tag names", qs__cfg_describe(p, v));
	qs_buf_release(&name);
	return ret;
}

static int set_tag_branches(struct parser *p, const struct node *v, void *obj)
{
	struct qs__remote_conf *r = obj;
	int ret;

	if (v->kind != NODE_SEQUENCE || !v->n)
		return qs__cfg_fail(p, v, "expected a sequence of branch names, got %s",
				    qs__cfg_describe(p, v));
	if (!(r->tag_branches = qs__calloc(v->n, sizeof(*r->tag_branches))))
		return QS_ENOMEM;
	r->ntag_branches = v->n;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = qs__cfg_push_index(p, i);

		if ((ret = qs__cfg_get_string(p, v->items[i], &r->tag_branches[i])) < 0)
			return ret;
		if (!qs__cfg_branch_name_is_valid(r->tag_branches[i]))
			return qs__cfg_fail(p, v->items[i], "%s is not a valid branch name",
					    qs__cfg_describe(p, v->items[i]));
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

static const struct key tag_keys[] = {
	{ "pattern", 1, set_tag_pattern },
	{ "branches", 1, set_tag_branches },
};

static int set_remote_tags(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(tag_keys)];
	const struct node *keys[QS_ARRAY_SIZE(tag_keys)];
	int ret;

	if ((ret = qs__cfg_check_mapping(p, v, "with pattern and branches")) < 0)
		return ret;
	return qs__cfg_walk_mapping(p, v, tag_keys, QS_ARRAY_SIZE(tag_keys), obj,
				    found, keys);
}

static const struct key remote_keys[] = {
	{ "name", 1, set_remote_name },
	{ "url", 1, set_remote_url },
	{ "branches", 0, set_remote_branches },
	{ "per-series", 0, set_remote_per_series },
	{ "atomic", 0, set_remote_atomic },
	{ "timeout", 0, set_remote_timeout },
	{ "prune", 0, set_remote_prune },
	{ "tags", 0, set_remote_tags },
};

int qs__cfg_set_remotes(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(remote_keys)];
	const struct node *keys[QS_ARRAY_SIZE(remote_keys)];
	qs_config *c = p->c;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return qs__cfg_fail(p, v, "expected a sequence of remotes, got %s",
				    qs__cfg_describe(p, v));
	if (!(c->remotes = qs__calloc(v->n, sizeof(*c->remotes))) ||
	    !(p->rnodes = qs__calloc(v->n, sizeof(*p->rnodes))))
		return QS_ENOMEM;
	c->nremotes = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__remote_conf *r = &c->remotes[i];
		size_t old = qs__cfg_push_index(p, i);

		r->per_series = 1;
		r->atomic = 1;
		r->timeout = DEFAULT_TIMEOUT;
		if ((ret = qs__cfg_check_mapping(p, item, "with name and url")) < 0)
			return ret;
		r->at.line = item->line;
		r->at.column = item->column;
		p->rnodes[i] = item;
		if ((ret = qs__cfg_walk_mapping(p, item, remote_keys,
						QS_ARRAY_SIZE(remote_keys), r,
						found, keys)) < 0)
			return ret;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->remotes[j].name, r->name))
				return qs__cfg_fail(p, found[0], "'%s' is already the name of remotes[%zu]",
						    r->name, j);
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

/* The value node of `key` in mapping `map` (which has it). */
static const struct node *value_of(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->items[i]->value, key))
			return map->items[i + 1];
	return map;
}

int qs__cfg_check_remotes(struct parser *p)
{
	const qs_config *c = p->c;

	for (size_t i = 0; i < c->nremotes; i++) {
		const struct qs__remote_conf *r = &c->remotes[i];

		for (size_t k = 0; k < r->nbranches; k++) {
			const char *name = r->branches[k];

			if (qs__config_branch(c, name) || qs__config_integration(c, name))
				continue;
			qs__cfg_set_key(p, "remotes[%zu].branches[%zu]", i, k);
			return qs__cfg_fail(p, value_of(p->rnodes[i], "branches")->items[k],
					    "no branch or integration named '%s'", name);
		}
		for (size_t k = 0; k < r->ntag_branches; k++) {
			const char *name = r->tag_branches[k];

			if (qs__config_branch(c, name) || qs__config_integration(c, name))
				continue;
			qs__cfg_set_key(p, "remotes[%zu].tags.branches[%zu]", i, k);
			return qs__cfg_fail(p, value_of(value_of(p->rnodes[i], "tags"), "branches")->items[k],
					    "no branch or integration named '%s'", name);
		}
	}
	return 0;
}

const struct qs__remote_conf *qs__config_remote(const struct qs_config *c,
						const char *name)
{
	for (size_t i = 0; c && name && i < c->nremotes; i++)
		if (!strcmp(c->remotes[i].name, name))
			return &c->remotes[i];
	return NULL;
}
