// SPDX-License-Identifier: GPL-2.0-only
/* The config resolved against the queue; see plan.h. */
#include "internal.h"
#include "plan.h"

const struct qs__start qs__plan_base_start = { QS__START_BASE, NULL, NULL, NULL,
						NULL, { 0, 0 } };

void qs__plan_clear(struct qs__plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		free(plan->v[i].name);
		free(plan->v[i].entries);
	}
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

static struct qs__plan_branch *add(struct qs__plan *plan, const char *name)
{
	struct qs__plan_branch *pb;

	if (QS_ARRAY_GROW(plan->v, plan->alloc, plan->n + 1) < 0)
		return NULL;
	pb = &plan->v[plan->n];
	memset(pb, 0, sizeof(*pb));
	if (!(pb->name = qs__strdup(name)))
		return NULL;
	plan->n++;
	return pb;
}

/* The entries of a section a tree branch takes, in order. */
static int section_entries(struct qs__plan_branch *pb, int with_committed)
{
	size_t i, count = qs_section_entry_count(pb->section);

	pb->entries = qs__calloc(count ? count : 1, sizeof(*pb->entries));
	if (!pb->entries)
		return QS_ENOMEM;
	for (i = 0; i < count; i++) {
		const qs_series_entry *e = qs_section_entry_byindex(pb->section, i);
		qs_entry_kind k = qs_entry_kind_of(e);

		if (k == QS_ENTRY_PATCH || (with_committed && k == QS_ENTRY_COMMITTED))
			pb->entries[pb->nentries++] = e;
	}
	return 0;
}

/* "mm-unstable-{slug}" with the slug in place. */
static char *series_branch_name(const char *pattern, const char *slug)
{
	const char *at = strstr(pattern, "{slug}");
	qs_buf b = QS_BUF_INIT;

	qs_buf_add(&b, pattern, (size_t)(at - pattern));
	qs_buf_adds(&b, slug);
	qs_buf_adds(&b, at + strlen("{slug}"));
	if (qs_buf_oom(&b)) {
		qs_buf_release(&b);
		return NULL;
	}
	return qs_buf_detach(&b);
}

/*
 * Git stores a branch as a file per name component under the git
 * directory, written through "<component>.lock": a component longer than
 * the file system takes, or a whole path longer than it takes, could
 * never be created. NULL when `name` can be; else why not.
 */
static const char *unstorable(const char *name, const char *gitdir)
{
	const char *p = name;

	while (*p) {
		size_t len = strcspn(p, "/");

		if (len + strlen(".lock") > NAME_MAX)
			return "a part of the name is longer than a file name may be";
		p += len + (p[len] == '/');
	}
	if (strlen(gitdir) + strlen("/refs/heads/") + strlen(name) +
	    strlen(".lock") >= PATH_MAX)
		return "the name is longer than a ref of this repository may be";
	return NULL;
}

/* Which name `name` clashes with: a config branch, an integration or an earlier series. */
static int name_taken(const struct qs_config *cfg, const struct qs__plan *plan,
		      const char *name)
{
	size_t i;

	if (qs__config_branch(cfg, name) || qs__config_integration(cfg, name))
		return 1;
	for (i = 0; i < plan->n; i++)
		if (!strcmp(plan->v[i].name, name))
			return 1;
	return 0;
}

static int plan_series(struct qs__plan *plan, const struct qs_config *cfg,
		       const qs_queue *queue, size_t tree, const char *gitdir)
{
	const struct qs__branch_conf *bc = plan->v[tree].conf;
	const qs_section *sec = plan->v[tree].section;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < qs_queue_patchset_count(queue); i++) {
		const qs_patchset *set = qs_queue_patchset_byindex(queue, i);
		struct qs__plan_branch *pb = NULL;
		const char *why;
		char *name;

		if (qs_patchset_section(set) != sec)
			continue;
		if (!(name = series_branch_name(bc->per_series, qs_patchset_slug(set))))
			return QS_ENOMEM;
		if (name_taken(cfg, plan, name))
			ret = qs__error_set_at(QS_ECONFIG, cfg->path, bc->at.line,
					       "per-series branch '%s' of series '%s' has the name of another branch",
					       name, qs_patchset_title(set));
		else if ((why = unstorable(name, gitdir)))
			ret = qs__error_set_at(QS_ECONFIG, cfg->path, bc->at.line,
					       "per-series branch '%s' of series '%s': %s",
					       name, qs_patchset_title(set), why);
		else if (!(pb = add(plan, name)))
			ret = QS_ENOMEM;
		free(name);
		if (ret < 0)
			return ret;
		pb->kind = QS_BRANCH_SERIES;
		pb->mode = QS_BRANCH_REBUILD;
		pb->section_name = bc->section;
		pb->section = sec;
		pb->on = &qs__plan_base_start;
		pb->non = 1;
		pb->set = set;
		pb->tree = tree;
		pb->conf = bc;
		pb->nentries = qs_patchset_entry_count(set);
		pb->entries = qs__calloc(pb->nentries + 1, sizeof(*pb->entries));
		if (!pb->entries)
			return QS_ENOMEM;
		for (k = 0; k < pb->nentries; k++)
			pb->entries[k] = qs_patchset_entry_byindex(set, k);
		plan->v[tree].nseries++;
	}
	return 0;
}

int qs__plan_make(struct qs__plan *plan, const struct qs_config *cfg,
		  const qs_queue *queue, const char *gitdir)
{
	const qs_series *series = qs_queue_series(queue);
	const char *why;
	size_t i;
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < cfg->nbranches && !ret; i++) {
		const struct qs__branch_conf *bc = &cfg->branches[i];
		const qs_section *sec = qs_series_section_byname(series, bc->section);
		struct qs__plan_branch *pb;
		size_t tree = plan->n;

		if (!sec) {
			ret = qs__error_set_at(QS_ECONFIG, cfg->path, bc->at.line,
					       "branch '%s': the series file has no section '%s'",
					       bc->name, bc->section);
			break;
		}
		if ((why = unstorable(bc->name, gitdir))) {
			ret = qs__error_set_at(QS_ECONFIG, cfg->path, bc->at.line,
					       "branch '%.60s%s': %s", bc->name,
					       strlen(bc->name) > 60 ? "..." : "", why);
			break;
		}
		if (!(pb = add(plan, bc->name))) {
			ret = QS_ENOMEM;
			break;
		}
		pb->kind = QS_BRANCH_TREE;
		pb->mode = bc->mode == QS__MODE_APPEND ? QS_BRANCH_APPEND : QS_BRANCH_REBUILD;
		pb->section_name = bc->section;
		pb->section = sec;
		pb->on = bc->on;
		pb->non = bc->non;
		pb->conf = bc;
		if ((ret = section_entries(pb, bc->mode == QS__MODE_APPEND)) == 0 &&
		    bc->per_series)
			ret = plan_series(plan, cfg, queue, tree, gitdir);
	}
	for (i = 0; i < cfg->nintegrations && !ret; i++) {
		const struct qs__integration_conf *ic = &cfg->integrations[i];
		struct qs__plan_branch *pb;

		if ((why = unstorable(ic->name, gitdir))) {
			ret = qs__error_set_at(QS_ECONFIG, cfg->path, ic->at.line,
					       "integration '%.60s%s': %s", ic->name,
					       strlen(ic->name) > 60 ? "..." : "", why);
			break;
		}
		if (!(pb = add(plan, ic->name))) {
			ret = QS_ENOMEM;
			break;
		}
		pb->kind = QS_BRANCH_INTEGRATION;
		pb->mode = QS_BRANCH_REBUILD;
		pb->on = ic->merge;
		pb->non = ic->nmerge;
		pb->integration = ic;
	}
	if (ret < 0)
		qs__plan_clear(plan);
	return ret;
}
