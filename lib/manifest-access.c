// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manifest's accessors (quiltsync/manifest.h): reads of what
 * manifest-read.c loaded and checked, which can neither fail nor copy.
 */
#include "internal.h"
#include "json-read.h"
#include "manifest-internal.h"

const char *qs_manifest_id(const qs_manifest *m) { return m->id; }
const char *qs_manifest_parent(const qs_manifest *m)
{
	return m->has_parent ? m->parent : NULL;
}
int qs_manifest_format(const qs_manifest *m) { return m->format; }
const char *qs_manifest_base_name(const qs_manifest *m) { return m->base; }
const char *qs_manifest_base_id(const qs_manifest *m) { return m->base_id; }
const char *qs_manifest_upstream(const qs_manifest *m) { return m->upstream; }
const char *qs_manifest_upstream_id(const qs_manifest *m) { return m->upstream_id; }
const char *qs_manifest_series_blob(const qs_manifest *m) { return m->series_blob; }


/* --- branches --- */

size_t qs_manifest_branch_count(const qs_manifest *m) { return m ? m->nbranches : 0; }

const qs_manifest_branch *qs_manifest_branch_byindex(const qs_manifest *m,
						     size_t i)
{
	return m && i < m->nbranches ? &m->branches[i] : NULL;
}

const qs_manifest_branch *qs_manifest_branch_byname(const qs_manifest *m,
						    const char *name)
{
	size_t *i = m && name ? qs__strmap_get(&m->byname, name) : NULL;

	return i ? &m->branches[*i] : NULL;
}

const char *qs_manifest_branch_name(const qs_manifest_branch *b) { return b->name; }
qs_branch_kind qs_manifest_branch_kind(const qs_manifest_branch *b) { return b->kind; }
qs_branch_mode qs_manifest_branch_mode(const qs_manifest_branch *b) { return b->mode; }
qs_manifest_status qs_manifest_branch_status(const qs_manifest_branch *b) { return b->status; }
const char *qs_manifest_branch_section(const qs_manifest_branch *b) { return b->section; }
const char *qs_manifest_branch_series(const qs_manifest_branch *b) { return b->series; }
const char *qs_manifest_branch_slug(const qs_manifest_branch *b) { return b->slug; }
const char *qs_manifest_branch_tip(const qs_manifest_branch *b) { return b->tip; }
const char *qs_manifest_branch_depends_on(const qs_manifest_branch *b) { return b->depends_on; }
size_t qs_manifest_branch_patches(const qs_manifest_branch *b) { return b->patches; }
const char *qs_manifest_branch_error(const qs_manifest_branch *b) { return b->error; }
const char *qs_manifest_branch_error_patch(const qs_manifest_branch *b) { return b->error_patch; }
const char *qs_manifest_branch_error_file(const qs_manifest_branch *b) { return b->error_file; }
size_t qs_manifest_branch_error_line(const qs_manifest_branch *b) { return b->error_line; }
size_t qs_manifest_branch_error_hunk(const qs_manifest_branch *b) { return b->error_hunk; }

size_t qs_manifest_branch_start_count(const qs_manifest_branch *b)
{
	return qs__json_count(b->on);
}

/* Members of element `i` of a checked array: NULL only out of range. */
static const char *item_string(const struct qs__json_value *array, size_t i,
			       const char *key)
{
	return qs__json_string(qs__json_get(qs__json_at(array, i), key), NULL);
}

qs_manifest_start_kind qs_manifest_branch_start_kind(const qs_manifest_branch *b,
						     size_t i)
{
	const char *s = item_string(b->on, i, "kind");
	size_t k;

	for (k = 0; s && k < QS_ARRAY_SIZE(qs__manifest_start_names); k++)
		if (!strcmp(s, qs__manifest_start_names[k]))
			return (qs_manifest_start_kind)k;
	return QS_MANIFEST_START_BASE;
}

const char *qs_manifest_branch_start_name(const qs_manifest_branch *b, size_t i)
{
	return item_string(b->on, i, "name");
}

const char *qs_manifest_branch_start_url(const qs_manifest_branch *b, size_t i)
{
	return item_string(b->on, i, "url");
}

const char *qs_manifest_branch_start_id(const qs_manifest_branch *b, size_t i)
{
	return item_string(b->on, i, "id");
}

const char *qs_manifest_patch_name(const qs_manifest_patch *p) { return p->name; }
size_t qs_manifest_patch_line(const qs_manifest_patch *p) { return p->line; }
const char *qs_manifest_patch_section(const qs_manifest_patch *p) { return p->section; }
int qs_manifest_patch_committed(const qs_manifest_patch *p) { return p->committed; }
const char *qs_manifest_patch_blob(const qs_manifest_patch *p) { return p->blob; }
const char *qs_manifest_patch_message_id(const qs_manifest_patch *p) { return p->message_id; }
const char *qs_manifest_patch_subject(const qs_manifest_patch *p) { return p->subject; }
const char *qs_manifest_patch_author_name(const qs_manifest_patch *p) { return p->author_name; }
const char *qs_manifest_patch_author_email(const qs_manifest_patch *p) { return p->author_email; }
const char *qs_manifest_patch_date(const qs_manifest_patch *p) { return p->date; }

int qs_manifest_patch_time(int64_t *out_seconds, int *out_offset_minutes,
			   const qs_manifest_patch *p)
{
	if (!p || !p->date)
		return QS_ENOTFOUND;
	if (out_seconds)
		*out_seconds = p->time;
	if (out_offset_minutes)
		*out_offset_minutes = p->offset;
	return 0;
}

size_t qs_manifest_patch_trailer_count(const qs_manifest_patch *p)
{
	return qs__json_count(p->trailers);
}

const char *qs_manifest_patch_trailer_key(const qs_manifest_patch *p, size_t i)
{
	return item_string(p->trailers, i, "key");
}

const char *qs_manifest_patch_trailer_value(const qs_manifest_patch *p, size_t i)
{
	return item_string(p->trailers, i, "value");
}

size_t qs_manifest_patch_file_count(const qs_manifest_patch *p)
{
	return qs__json_count(p->files);
}

const char *qs_manifest_patch_file_byindex(const qs_manifest_patch *p, size_t i)
{
	return qs__json_string(qs__json_at(p->files, i), NULL);
}

const char *qs_manifest_patch_series(const qs_manifest_patch *p) { return p->series; }
const char *qs_manifest_patch_series_slug(const qs_manifest_patch *p) { return p->series_slug; }
size_t qs_manifest_patch_series_position(const qs_manifest_patch *p) { return p->series_position; }
size_t qs_manifest_patch_series_count(const qs_manifest_patch *p) { return p->series_count; }
qs_manifest_applied qs_manifest_patch_applied(const qs_manifest_patch *p) { return p->applied; }
size_t qs_manifest_patch_applied_offset(const qs_manifest_patch *p) { return p->applied_offset; }
size_t qs_manifest_patch_applied_fuzz(const qs_manifest_patch *p) { return p->applied_fuzz; }
const char *qs_manifest_patch_applied_error(const qs_manifest_patch *p) { return p->applied_error; }

size_t qs_manifest_patch_commit_count(const qs_manifest_patch *p)
{
	return qs__json_count(p->commits);
}

const char *qs_manifest_patch_commit_branch(const qs_manifest_patch *p, size_t i)
{
	return item_string(p->commits, i, "branch");
}

const char *qs_manifest_patch_commit_id(const qs_manifest_patch *p, size_t i)
{
	return item_string(p->commits, i, "commit");
}

size_t qs_manifest_patch_commit_position(const qs_manifest_patch *p, size_t i)
{
	int64_t n = qs__json_int(qs__json_get(qs__json_at(p->commits, i), "position"),
				 NULL);

	return n > 0 ? (size_t)n : 0;
}
