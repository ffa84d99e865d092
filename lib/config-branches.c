/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: branches, integration branches (with the external
 * trees they merge) and placeholders, read in file order, then the
 * second pass that checks what needs the whole file: names used twice,
 * sections taken twice, references to branches that do not exist or
 * come later.
 */
#include "internal.h"
#include "config-internal.h"
#include "config-parser.h"
#include "group.h"

static const char remotes_prefix[] = "refs/quiltsync/remotes/";

static int set_branch_name(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;

	p->bsrc[p->cur].name = v;
	return qs__cfg_get_branch_name(p, v, &b->name);
}

static int set_section(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;

	p->bsrc[p->cur].section = v;
	return qs__cfg_get_string(p, v, &b->section);
}

static int set_on(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;
	int ret;

	p->bsrc[p->cur].on = v;
	if (v->kind == NODE_MAPPING)
		return qs__cfg_fail(p, v, "expected base, upstream, a branch name or a sequence of them, got a mapping");
	if (v->kind == NODE_SCALAR) {
		if (!(b->on = qs__calloc(1, sizeof(*b->on))))
			return QS_ENOMEM;
		b->non = 1;
		return qs__cfg_get_start(p, v, &b->on[0]);
	}
	if (!v->n)
		return qs__cfg_fail(p, v, "empty sequence, expected base, upstream or branch names");
	if (!(b->on = qs__calloc(v->n, sizeof(*b->on))))
		return QS_ENOMEM;
	b->non = v->n;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = qs__cfg_push_index(p, i);

		if ((ret = qs__cfg_get_start(p, v->items[i], &b->on[i])) < 0)
			return ret;
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

static int set_mode(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "rebuild", "append" };
	struct qs__branch_conf *b = obj;
	int i = qs__cfg_one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return qs__cfg_fail(p, v, "expected rebuild or append, got %s",
			    qs__cfg_describe(p, v));
	b->mode = i ? QS__MODE_APPEND : QS__MODE_REBUILD;
	return 0;
}

static int set_per_series(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;
	qs_buf name = QS_BUF_INIT;
	const char *slug;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &b->per_series)) < 0)
		return ret;
	slug = strstr(b->per_series, "{slug}");
	if (!slug || strstr(slug + 1, "{slug}"))
		return qs__cfg_fail(p, v, "expected a branch name pattern with {slug} once, got %s",
			    qs__cfg_describe(p, v));
	qs_buf_add(&name, b->per_series, (size_t)(slug - b->per_series));
	qs_buf_addch(&name, 'x');
	qs_buf_adds(&name, slug + strlen("{slug}"));
	if (qs_buf_oom(&name))
		ret = QS_ENOMEM;
	else if (!qs__cfg_branch_name_is_valid(name.ptr))
		ret = qs__cfg_fail(p, v, "%s does not make valid branch names",
			   qs__cfg_describe(p, v));
	qs_buf_release(&name);
	return ret;
}

static const struct key branch_keys[] = {
	{ "name", 1, set_branch_name },
	{ "section", 0, set_section },
	{ "on", 1, set_on },
	{ "mode", 0, set_mode },
	{ "per-series", 0, set_per_series },
};

int qs__cfg_set_branches(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(branch_keys)];
	const struct node *keys[QS_ARRAY_SIZE(branch_keys)];
	qs_config *c = p->c;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return qs__cfg_fail(p, v, "expected a sequence of branches, got %s",
			    qs__cfg_describe(p, v));
	if (!v->n)
		return qs__cfg_fail(p, v, "empty sequence, expected at least one branch");
	if (!(c->branches = qs__calloc(v->n, sizeof(*c->branches))) ||
	    !(p->bsrc = qs__calloc(v->n, sizeof(*p->bsrc))))
		return QS_ENOMEM;
	c->nbranches = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__branch_conf *b = &c->branches[i];
		size_t old = qs__cfg_push_index(p, i);

		if ((ret = qs__cfg_check_mapping(p, item, "with name and on")) < 0)
			return ret;
		b->at.line = item->line;
		b->at.column = item->column;
		p->cur = i;
		if ((ret = qs__cfg_walk_mapping(p, item, branch_keys,
					QS_ARRAY_SIZE(branch_keys), b, found,
					keys)) < 0)
			return ret;
		if (!b->section && !(b->section = qs__strdup(b->name)))
			return QS_ENOMEM;
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

static int set_integration_name(struct parser *p, const struct node *v,
				void *obj)
{
	struct qs__integration_conf *in = obj;

	p->isrc[p->cur].name = v;
	return qs__cfg_get_branch_name(p, v, &in->name);
}

static int set_url(struct parser *p, const struct node *v, void *obj)
{
	struct qs__start *s = obj;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &s->url)) < 0)
		return ret;
	for (const char *c = s->url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return qs__cfg_fail(p, v, "blank or control character in URL %s",
				    qs__cfg_describe(p, v));
	return 0;
}

static int set_ref(struct parser *p, const struct node *v, void *obj)
{
	struct qs__start *s = obj;
	int ret, valid;

	if ((ret = qs__cfg_get_string(p, v, &s->ref)) < 0)
		return ret;
	if (!strncmp(s->ref, "refs/", 5))
		valid = qs__cfg_ref_is_valid(s->ref);
	else
		valid = qs__cfg_branch_name_is_valid(s->ref);
	if (!valid)
		return qs__cfg_fail(p, v, "expected a branch name or a full ref, got %s",
			    qs__cfg_describe(p, v));
	return 0;
}

static const struct key remote_keys[] = {
	{ "url", 1, set_url },
	{ "ref", 1, set_ref },
};

/* {url, ref}, and the local ref it is fetched to. */
static int get_remote(struct parser *p, const struct node *n,
		      struct qs__start *s)
{
	const struct node *found[QS_ARRAY_SIZE(remote_keys)];
	const struct node *keys[QS_ARRAY_SIZE(remote_keys)];
	qs_buf local = QS_BUF_INIT;
	char *slug = NULL;
	const char *ref;
	int ret;

	s->kind = QS__START_REMOTE;
	if ((ret = qs__cfg_walk_mapping(p, n, remote_keys, QS_ARRAY_SIZE(remote_keys),
				s, found, keys)) < 0)
		return ret;
	if ((ret = qs_slugify(&slug, s->url)) < 0)
		return ret;
	if (!*slug) {
		size_t old = qs__cfg_push_key(p, "url", 3);

		ret = qs__cfg_fail(p, found[0], "no letter or digit in URL %s to name its local ref",
			   qs__cfg_describe(p, found[0]));
		qs__cfg_pop_key(p, old);
		goto done;
	}
	ref = s->ref;
	if (!strncmp(ref, "refs/heads/", 11))
		ref += 11;
	qs_buf_addf(&local, "%s%s/%s", remotes_prefix, slug, ref);
	if (qs_buf_oom(&local)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (!qs__cfg_ref_is_valid(local.ptr)) {
		size_t old = qs__cfg_push_key(p, "ref", 3);

		ret = qs__cfg_fail(p, found[1], "%s gives no valid local ref", qs__cfg_describe(p, found[1]));
		qs__cfg_pop_key(p, old);
		goto done;
	}
	s->local_ref = qs_buf_detach(&local);
done:
	qs_buf_release(&local);
	free(slug);
	return ret;
}

static int set_merge(struct parser *p, const struct node *v, void *obj)
{
	struct qs__integration_conf *in = obj;
	int ret;

	p->isrc[p->cur].merge = v;
	if (v->kind != NODE_SEQUENCE)
		return qs__cfg_fail(p, v, "expected a sequence of branch names and {url, ref} trees, got %s",
			    qs__cfg_describe(p, v));
	if (v->n < 2)
		return qs__cfg_fail(p, v, "expected at least two things to merge, got %zu",
			    v->n);
	if (!(in->merge = qs__calloc(v->n, sizeof(*in->merge))))
		return QS_ENOMEM;
	in->nmerge = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__start *s = &in->merge[i];
		size_t old = qs__cfg_push_index(p, i);

		s->at.line = item->line;
		s->at.column = item->column;
		if (item->kind == NODE_MAPPING) {
			ret = get_remote(p, item, s);
		} else if (item->kind == NODE_SEQUENCE) {
			ret = qs__cfg_fail(p, item, "expected a branch name or a {url, ref} mapping, got a sequence");
		} else if ((ret = qs__cfg_get_start(p, item, s)) == 0 &&
			   s->kind != QS__START_BRANCH) {
			ret = qs__cfg_fail(p, item, "expected a branch name or a {url, ref} mapping, got %s",
				   qs__cfg_describe(p, item));
		}
		if (ret < 0)
			return ret;
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

static const struct key integration_keys[] = {
	{ "name", 1, set_integration_name },
	{ "merge", 1, set_merge },
};

int qs__cfg_set_integrations(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(integration_keys)];
	const struct node *keys[QS_ARRAY_SIZE(integration_keys)];
	qs_config *c = p->c;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return qs__cfg_fail(p, v, "expected a sequence of integration branches, got %s",
			    qs__cfg_describe(p, v));
	if (!(c->integrations = qs__calloc(v->n, sizeof(*c->integrations))) ||
	    !(p->isrc = qs__calloc(v->n, sizeof(*p->isrc))))
		return QS_ENOMEM;
	c->nintegrations = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__integration_conf *in = &c->integrations[i];
		size_t old = qs__cfg_push_index(p, i);

		if ((ret = qs__cfg_check_mapping(p, item, "with name and merge")) < 0)
			return ret;
		in->at.line = item->line;
		in->at.column = item->column;
		p->cur = i;
		if ((ret = qs__cfg_walk_mapping(p, item, integration_keys,
					QS_ARRAY_SIZE(integration_keys), in,
					found, keys)) < 0)
			return ret;
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

/* What quilt would read as one series entry: a word, not a comment. */
static int is_entry_name(const char *s)
{
	if (!*s || *s == '#')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int qs__cfg_set_placeholders(struct parser *p, const struct node *v, void *obj)
{
	qs_config *c = p->c;
	size_t n = v->n / 2;
	int ret;

	if ((ret = qs__cfg_check_mapping(p, v, "of series entries to refs")) < 0)
		return ret;
	p->have_placeholders = 1;
	if (!(c->placeholders = qs__calloc(n, sizeof(*c->placeholders))) ||
	    !(p->pvalue = qs__calloc(n, sizeof(*p->pvalue))))
		return QS_ENOMEM;
	c->nplaceholders = n;
	for (size_t i = 0; i < n; i++) {
		const struct node *k = v->items[2 * i], *val = v->items[2 * i + 1];
		struct qs__placeholder *ph = &c->placeholders[i];
		size_t old;

		if (k->kind != NODE_SCALAR)
			return qs__cfg_fail(p, k, "expected a series entry name, got %s",
				    qs__cfg_describe(p, k));
		if (qs__cfg_is_null(k) || !k->len)
			return qs__cfg_fail(p, k, "empty key");
		if ((ret = qs__cfg_get_string(p, k, &ph->entry)) < 0)
			return ret;
		if (!is_entry_name(ph->entry))
			return qs__cfg_fail(p, k, "%s cannot be a series entry name",
				    qs__cfg_describe(p, k));
		for (size_t j = 0; j < i; j++) {
			const struct node *first = v->items[2 * j];

			if (!strcmp(c->placeholders[j].entry, ph->entry))
				return qs__cfg_fail(p, k, "duplicate entry %s, first at %zu:%zu",
					    qs__cfg_describe(p, k), first->line,
					    first->column);
		}
		old = qs__cfg_push_key(p, ph->entry, strlen(ph->entry));
		p->pvalue[i] = val;
		if (qs__cfg_is_null(val)) {
			ph->target.kind = QS__START_NONE;
			ph->target.at.line = val->line;
			ph->target.at.column = val->column;
		} else if ((ret = qs__cfg_get_start(p, val, &ph->target)) < 0) {
			return ret;
		}
		qs__cfg_pop_key(p, old);
	}
	return 0;
}

/*
 * The second pass: what needs the whole file.
 */

static size_t find_branch(const qs_config *c, const char *name)
{
	for (size_t i = 0; i < c->nbranches; i++)
		if (!strcmp(c->branches[i].name, name))
			return i;
	return SIZE_MAX;
}

static size_t find_integration(const qs_config *c, const char *name)
{
	for (size_t i = 0; i < c->nintegrations; i++)
		if (!strcmp(c->integrations[i].name, name))
			return i;
	return SIZE_MAX;
}

/* The node of on[k] of branch i, and its key path in p->key. */
static const struct node *on_node(struct parser *p, size_t i, size_t k)
{
	const struct node *on = p->bsrc[i].on;

	if (on->kind == NODE_SCALAR) {
		qs__cfg_set_key(p, "branches[%zu].on", i);
		return on;
	}
	qs__cfg_set_key(p, "branches[%zu].on[%zu]", i, k);
	return on->items[k];
}

static int same_start(const struct qs__start *a, const struct qs__start *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == QS__START_BRANCH)
		return !strcmp(a->branch, b->branch);
	if (a->kind == QS__START_REMOTE)
		return !strcmp(a->local_ref, b->local_ref);
	return 1;
}

static int check_branch(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__branch_conf *b = &c->branches[i];
	const struct branch_src *src = &p->bsrc[i];

	for (size_t j = 0; j < i; j++) {
		if (!strcmp(c->branches[j].name, b->name)) {
			qs__cfg_set_key(p, "branches[%zu].name", i);
			return qs__cfg_fail(p, src->name, "'%s' is already the name of branches[%zu]",
				    b->name, j);
		}
	}
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->branches[j].section, b->section))
			continue;
		/* a section left to its default is the name's doing */
		qs__cfg_set_key(p, "branches[%zu].%s", i, src->section ? "section" : "name");
		return qs__cfg_fail(p, src->section ? src->section : src->name,
			    "section '%s' is already taken by branch '%s'",
			    b->section, c->branches[j].name);
	}
	for (size_t k = 0; k < b->non; k++) {
		const struct qs__start *s = &b->on[k];
		const struct node *n = on_node(p, i, k);
		size_t j;

		for (size_t m = 0; m < k; m++)
			if (same_start(&b->on[m], s))
				return qs__cfg_fail(p, n, "'%s' is listed twice",
					    s->kind == QS__START_BRANCH ? s->branch :
					    s->kind == QS__START_BASE ? "base" : "upstream");
		if (s->kind != QS__START_BRANCH)
			continue;
		j = find_branch(c, s->branch);
		if (j == i)
			return qs__cfg_fail(p, n, "branch '%s' cannot start from itself",
				    s->branch);
		if (j != SIZE_MAX && j > i)
			return qs__cfg_fail(p, n, "branch '%s' comes later (branches[%zu]): a branch can only start from earlier ones",
				    s->branch, j);
		if (j != SIZE_MAX)
			continue;
		if (find_integration(c, s->branch) != SIZE_MAX)
			return qs__cfg_fail(p, n, "'%s' is an integration: a branch cannot start from one",
				    s->branch);
		return qs__cfg_fail(p, n, "no branch named '%s'", s->branch);
	}
	return 0;
}

static int check_integration(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__integration_conf *in = &c->integrations[i];
	const struct integration_src *src = &p->isrc[i];
	size_t j;

	qs__cfg_set_key(p, "integration[%zu].name", i);
	if ((j = find_branch(c, in->name)) != SIZE_MAX)
		return qs__cfg_fail(p, src->name, "'%s' is already the name of branches[%zu]",
			    in->name, j);
	if ((j = find_integration(c, in->name)) < i)
		return qs__cfg_fail(p, src->name, "'%s' is already the name of integration[%zu]",
			    in->name, j);
	for (size_t k = 0; k < in->nmerge; k++) {
		const struct qs__start *s = &in->merge[k];
		const struct node *n = src->merge->items[k];

		qs__cfg_set_key(p, "integration[%zu].merge[%zu]", i, k);
		for (size_t m = 0; m < k; m++) {
			if (!same_start(&in->merge[m], s))
				continue;
			if (s->kind == QS__START_BRANCH)
				return qs__cfg_fail(p, n, "'%s' is listed twice", s->branch);
			return qs__cfg_fail(p, n, "this tree is listed twice, first as merge[%zu]", m);
		}
		if (s->kind == QS__START_REMOTE) {
			/* two trees may not share the ref they are fetched to */
			for (size_t x = 0; x <= i; x++) {
				const struct qs__integration_conf *o = &c->integrations[x];

				for (size_t y = 0; y < (x < i ? o->nmerge : k); y++) {
					const struct qs__start *t = &o->merge[y];

					if (t->kind != QS__START_REMOTE ||
					    strcmp(t->local_ref, s->local_ref) ||
					    (!strcmp(t->url, s->url) && !strcmp(t->ref, s->ref)))
						continue;
					return qs__cfg_fail(p, n, "this tree would be fetched to '%s' as integration[%zu].merge[%zu] is",
						    s->local_ref, x, y);
				}
			}
			continue;
		}
		if (find_branch(c, s->branch) != SIZE_MAX)
			continue;
		j = find_integration(c, s->branch);
		if (j == i)
			return qs__cfg_fail(p, n, "integration '%s' cannot merge itself",
				    s->branch);
		if (j != SIZE_MAX && j > i)
			return qs__cfg_fail(p, n, "integration '%s' comes later (integration[%zu]): an integration can only merge earlier ones",
				    s->branch, j);
		if (j == SIZE_MAX)
			return qs__cfg_fail(p, n, "no branch named '%s'", s->branch);
	}
	return 0;
}

static int check_placeholder(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__placeholder *ph = &c->placeholders[i];

	if (ph->target.kind != QS__START_BRANCH ||
	    find_branch(c, ph->target.branch) != SIZE_MAX)
		return 0;
	qs__cfg_set_key(p, "placeholders.%s", ph->entry);
	if (find_integration(c, ph->target.branch) != SIZE_MAX)
		return qs__cfg_fail(p, p->pvalue[i], "'%s' is an integration: a placeholder stands for base, upstream or a branch",
			    ph->target.branch);
	return qs__cfg_fail(p, p->pvalue[i], "no branch named '%s'", ph->target.branch);
}

int qs__cfg_check_references(struct parser *p)
{
	int ret;

	for (size_t i = 0; i < p->c->nbranches; i++)
		if ((ret = check_branch(p, i)) < 0)
			return ret;
	for (size_t i = 0; i < p->c->nintegrations; i++)
		if ((ret = check_integration(p, i)) < 0)
			return ret;
	for (size_t i = 0; i < p->c->nplaceholders; i++)
		if ((ret = check_placeholder(p, i)) < 0)
			return ret;
	return 0;
}

const struct qs__branch_conf *qs__config_branch(const struct qs_config *c,
						const char *name)
{
	size_t i;

	if (!c || !name || (i = find_branch(c, name)) == SIZE_MAX)
		return NULL;
	return &c->branches[i];
}

const struct qs__integration_conf *qs__config_integration(
	const struct qs_config *c, const char *name)
{
	size_t i;

	if (!c || !name || (i = find_integration(c, name)) == SIZE_MAX)
		return NULL;
	return &c->integrations[i];
}
