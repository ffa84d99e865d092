/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz qs_config_parse(). The input is the file. A config that parses
 * is walked and its promises checked (every reference resolves to an
 * earlier branch, every name is there, the placeholder list ends in
 * NULL); one that does not must leave a located QS_ECONFIG, or
 * QS_ENOMEM. A broken promise aborts.
 */
#include "internal.h"
#include "config-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_start(const qs_config *c, const struct qs__start *s,
			size_t before_branch, int integration)
{
	switch (s->kind) {
	case QS__START_BRANCH: {
		const struct qs__branch_conf *b = qs__config_branch(c, s->branch);
		const struct qs__integration_conf *in =
			qs__config_integration(c, s->branch);

		CHECK(b || (integration && in));
		if (b && !integration)
			CHECK((size_t)(b - c->branches) < before_branch);
		if (!b && integration)
			CHECK((size_t)(in - c->integrations) < before_branch);
		break;
	}
	case QS__START_REMOTE:
		CHECK(integration);
		CHECK(s->url && *s->url && s->ref && *s->ref);
		CHECK(!strncmp(s->local_ref, "refs/quiltsync/remotes/", 23));
		break;
	case QS__START_BASE:
	case QS__START_UPSTREAM:
		CHECK(!integration);
		break;
	default:
		abort();
	}
	CHECK(s->at.line >= 1 && s->at.column >= 1);
}

static void walk(const qs_config *c)
{
	CHECK(c->repository && *c->repository);
	CHECK(c->series && c->patches && c->resolutions && c->dir);
	CHECK(c->committer_name && *c->committer_name);
	CHECK(c->committer_email && *c->committer_email);
	CHECK(c->upstream && c->base && c->base_pattern);
	CHECK(c->fuzz >= 0 && c->fuzz <= 3);
	CHECK(qs_config_convention(c) == QS_SERIES_BRANCH ||
	      qs_config_convention(c) == QS_SERIES_MMOTM);
	CHECK(!c->link || strstr(c->link, "{msgid}"));
	CHECK(c->nbranches >= 1);
	for (size_t i = 0; i < c->nbranches; i++) {
		const struct qs__branch_conf *b = &c->branches[i];

		CHECK(qs__config_branch(c, b->name) == b);
		CHECK(b->section && *b->section && b->non >= 1);
		for (size_t k = 0; k < b->non; k++)
			check_start(c, &b->on[k], i, 0);
		CHECK(!b->per_series || strstr(b->per_series, "{slug}"));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(c->branches[j].section, b->section));
	}
	for (size_t i = 0; i < c->nintegrations; i++) {
		const struct qs__integration_conf *in = &c->integrations[i];

		CHECK(qs__config_integration(c, in->name) == in);
		CHECK(!qs__config_branch(c, in->name));
		CHECK(in->nmerge >= 2);
		for (size_t k = 0; k < in->nmerge; k++)
			check_start(c, &in->merge[k], i, 1);
	}
	for (size_t i = 0; i < c->nplaceholders; i++) {
		const struct qs__placeholder *ph = &c->placeholders[i];

		CHECK(c->placeholder_names[i] == ph->entry);
		if (ph->target.kind == QS__START_BRANCH)
			CHECK(qs__config_branch(c, ph->target.branch));
		else
			CHECK(ph->target.kind == QS__START_BASE ||
			      ph->target.kind == QS__START_UPSTREAM ||
			      ph->target.kind == QS__START_NONE);
	}
	CHECK(!c->placeholder_names[c->nplaceholders]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qs_config *c = NULL;
	int ret;

	ret = qs_config_parse(&c, (const char *)data, size, "fuzz/quiltsync.yaml");
	if (ret == 0) {
		CHECK(c);
		walk(c);
		qs_config_free(c);
		return 0;
	}
	CHECK(!c);
	CHECK(ret == QS_ECONFIG || ret == QS_ENOMEM);
	if (ret == QS_ECONFIG) {
		const qs_error *e = qs_error_last();
		size_t line = 0, column = 0;
		int end = 0;

		/* "fuzz/quiltsync.yaml:LINE:COLUMN: ..." with the record's line */
		CHECK(e->code == QS_ECONFIG);
		CHECK(!strncmp(e->message, "fuzz/quiltsync.yaml:", 20));
		CHECK(sscanf(e->message + 20, "%zu:%zu: %n", &line, &column, &end) == 2);
		CHECK(end > 0 && line >= 1 && column >= 1 && line == e->line);
		CHECK(!strcmp(e->path, "fuzz/quiltsync.yaml"));
	}
	return 0;
}
