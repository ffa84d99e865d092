/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: read with libyaml's event parser into a small tree of
 * our own (config-yaml.c), then checked key by key against a fixed
 * schema (config-values.c, config-branches.c). quiltsync.yaml(5) is the
 * specification.
 *
 * The event parser rather than libyaml's document loader because the
 * loader resolves aliases silently and forgets anchors and tags: we
 * refuse all three, so that what the file says is what the build does.
 * Scalars are untyped strings until a key gives them a type, as in YAML
 * 1.2's core schema: "on" and "yes" are strings, booleans are true and
 * false.
 *
 * Checks come in two passes. The first walks the tree in file order and
 * checks each value alone (type, syntax, allowed words) as it fills the
 * config; the second checks what needs the whole file: names used twice,
 * sections taken twice, references to branches that do not exist or come
 * later. Every error names "file:line:column" of the offending node and
 * its key path.
 *
 * Everything the config holds is malloc()ed as soon as it is read and
 * stored in the config at once, so that qs_config_free() on the partly
 * filled config is the one cleanup of every error path.
 */
#include "internal.h"
#include "config-internal.h"
#include "config-parser.h"

static const char resolutions_name[] = "quiltsync-resolutions";

/*
 * akpm's placeholders, used when the file has no `placeholders` key:
 * the same list as cmd/cli.c's, each standing for nothing.
 */
static const char *const akpm_placeholders[] = {
	"mm-stable.patch",
	"mm-nonmm-stable.patch",
	"mm-hotfixes-stable.patch",
	"origin.patch",
	"linux-next.patch",
	"stop.patch",
};

static const struct key root_keys[] = {
	{ "repository", 1, qs__cfg_set_repository },
	{ "series", 1, qs__cfg_set_series },
	{ "patches", 0, qs__cfg_set_patches },
	{ "sections", 0, qs__cfg_set_sections },
	{ "committer", 1, qs__cfg_set_committer },
	{ "author", 0, qs__cfg_set_author },
	{ "upstream", 1, qs__cfg_set_upstream },
	{ "base", 0, qs__cfg_set_base },
	{ "base-pattern", 0, qs__cfg_set_base_pattern },
	{ "resolutions", 0, qs__cfg_set_resolutions },
	{ "fuzz", 0, qs__cfg_set_fuzz },
	{ "max-patch-size", 0, qs__cfg_set_max_patch_size },
	{ "3way", 0, qs__cfg_set_three_way },
	{ "dependencies", 0, qs__cfg_set_dependencies },
	{ "failed-series", 0, qs__cfg_set_failed_series },
	{ "link", 0, qs__cfg_set_link },
	{ "placeholders", 0, qs__cfg_set_placeholders },
	{ "branches", 1, qs__cfg_set_branches },
	{ "integration", 0, qs__cfg_set_integrations },
	{ "remotes", 0, qs__cfg_set_remotes },
	{ "prune", 0, qs__cfg_set_prune },
};

static int set_defaults(struct parser *p)
{
	qs_config *c = p->c;
	qs_buf res = QS_BUF_INIT;

	if (!c->patches && !(c->patches = qs__cfg_dir_of(c->series)))
		return QS_ENOMEM;
	if (!c->resolutions) {
		qs_buf_addf(&res, "%s/%s", c->dir, resolutions_name);
		if (qs_buf_oom(&res) || !(c->resolutions = qs__cfg_normalize_path(res.ptr))) {
			qs_buf_release(&res);
			return QS_ENOMEM;
		}
		qs_buf_release(&res);
	}
	if (!c->base && !(c->base = qs__strdup(QS__CFG_DEFAULT_BASE)))
		return QS_ENOMEM;
	if (!c->base_pattern &&
	    !(c->base_pattern = qs__strdup(QS__CFG_DEFAULT_BASE_PATTERN)))
		return QS_ENOMEM;
	if (!p->have_placeholders) {
		size_t n = QS_ARRAY_SIZE(akpm_placeholders);

		if (!(c->placeholders = qs__calloc(n, sizeof(*c->placeholders))))
			return QS_ENOMEM;
		c->nplaceholders = n;
		for (size_t i = 0; i < n; i++) {
			c->placeholders[i].target.kind = QS__START_NONE;
			if (!(c->placeholders[i].entry = qs__strdup(akpm_placeholders[i])))
				return QS_ENOMEM;
		}
	}
	if (!(c->placeholder_names = qs__calloc(c->nplaceholders + 1,
						sizeof(*c->placeholder_names))))
		return QS_ENOMEM;
	for (size_t i = 0; i < c->nplaceholders; i++)
		c->placeholder_names[i] = c->placeholders[i].entry;
	return 0;
}

static int parse_tree(struct parser *p, const struct node *root)
{
	const struct node *found[QS_ARRAY_SIZE(root_keys)];
	const struct node *keys[QS_ARRAY_SIZE(root_keys)];
	int ret;

	qs_buf_clear(&p->key);
	if (!root)
		return qs__cfg_fail_mark(p, 1, 1, "empty file");
	if (qs__cfg_is_null(root))
		return qs__cfg_fail(p, root, "empty document");
	if (root->kind != NODE_MAPPING)
		return qs__cfg_fail(p, root, "expected a mapping of settings, got %s",
			    qs__cfg_describe(p, root));
	if ((ret = qs__cfg_walk_mapping(p, root, root_keys, QS_ARRAY_SIZE(root_keys),
				p->c, found, keys)) < 0 ||
	    (ret = set_defaults(p)) < 0)
		return ret;
	if ((ret = qs__cfg_check_references(p)) < 0)
		return ret;
	return qs__cfg_check_remotes(p);
}

int qs_config_parse(qs_config **out, const char *buf, size_t len,
		    const char *path)
{
	struct parser p = { 0 };
	struct node *root = NULL;
	qs_config *c = NULL;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_config_parse: NULL argument");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_config_parse: NULL buffer");
	if (!buf)
		buf = "";
	qs_buf_init(&p.key);
	qs_buf_init(&p.scratch);
	p.name = path ? path : QS_CONFIG_DEFAULT_NAME;
	if (!(c = qs__calloc(1, sizeof(*c)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	p.c = c;
	c->fuzz = 2;
	c->max_patch_size = QS_READ_MAX_DEFAULT;
	if ((path && !(c->path = qs__strdup(path))) || !(c->dir = qs__cfg_dir_of(path))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = qs__cfg_read_tree(&p, buf, len, &root)) < 0 ||
	    (ret = parse_tree(&p, root)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	qs__cfg_node_free(root);
	qs_config_free(c);
	free(p.bsrc);
	free(p.isrc);
	free(p.pvalue);
	free(p.rnodes);
	qs_buf_release(&p.key);
	qs_buf_release(&p.scratch);
	return ret;
}

int qs_config_load(qs_config **out, const char *path)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_config_load: NULL argument");
	*out = NULL;
	if (!path)
		return qs__error_set(QS_EINVAL, "qs_config_load: NULL path");
	ret = qs__read_file(&text, path);
	/* not a regular file, or far too large: the config is wrong, not the queue */
	if (ret == QS_EPARSE)
		ret = qs__error_set(QS_ECONFIG, "%s", qs_error_last()->message);
	if (ret == 0)
		ret = qs_config_parse(out, text.ptr, text.len, path);
	qs_buf_release(&text);
	return ret;
}

static void start_release(struct qs__start *s)
{
	free(s->branch);
	free(s->url);
	free(s->ref);
	free(s->local_ref);
}

void qs_config_free(qs_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbranches; i++) {
		struct qs__branch_conf *b = &c->branches[i];

		for (size_t k = 0; k < b->non; k++)
			start_release(&b->on[k]);
		free(b->on);
		free(b->name);
		free(b->section);
		free(b->per_series);
	}
	free(c->branches);
	for (size_t i = 0; i < c->nintegrations; i++) {
		struct qs__integration_conf *in = &c->integrations[i];

		for (size_t k = 0; k < in->nmerge; k++)
			start_release(&in->merge[k]);
		free(in->merge);
		free(in->name);
	}
	free(c->integrations);
	for (size_t i = 0; i < c->nremotes; i++) {
		struct qs__remote_conf *r = &c->remotes[i];

		for (size_t k = 0; k < r->nbranches; k++)
			free(r->branches[k]);
		free(r->branches);
		for (size_t k = 0; k < r->ntag_branches; k++)
			free(r->tag_branches[k]);
		free(r->tag_branches);
		free(r->tag_pattern);
		free(r->name);
		free(r->url);
	}
	free(c->remotes);
	for (size_t i = 0; i < c->nplaceholders; i++) {
		free(c->placeholders[i].entry);
		start_release(&c->placeholders[i].target);
	}
	free(c->placeholders);
	free(c->placeholder_names);
	free(c->path);
	free(c->dir);
	free(c->repository);
	free(c->series);
	free(c->patches);
	free(c->resolutions);
	free(c->committer_name);
	free(c->committer_email);
	free(c->author_name);
	free(c->author_email);
	free(c->upstream);
	free(c->base);
	free(c->base_pattern);
	free(c->link);
	free(c);
}

const char *qs_config_path(const qs_config *config)
{
	return config ? config->path : NULL;
}

const char *qs_config_repository(const qs_config *config)
{
	return config ? config->repository : NULL;
}

const char *qs_config_series(const qs_config *config)
{
	return config ? config->series : NULL;
}

const char *qs_config_patches(const qs_config *config)
{
	return config ? config->patches : NULL;
}

const char *qs_config_resolutions(const qs_config *config)
{
	return config ? config->resolutions : NULL;
}

qs_series_convention qs_config_convention(const qs_config *config)
{
	return config ? config->convention : QS_SERIES_BRANCH;
}

const char *const *qs_config_placeholders(const qs_config *config)
{
	return config ? config->placeholder_names : NULL;
}
