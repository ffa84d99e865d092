// SPDX-License-Identifier: GPL-2.0-only
/* The build's cache of commits by what made them; see cache.h. */
#include "internal.h"
#include "cache.h"
#include "config-internal.h"

/* changes whenever a fix in the engine could change a commit it makes */
#define ENGINE_EPOCH "quiltsync-build-1"

void qs__key_add(struct qs__sha1 *h, const char *s)
{
	qs__sha1_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

void qs__key_add_oid(struct qs__sha1 *h, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	qs__key_add(h, hex);
}

void qs__key_finish(struct qs__sha1 *h, char out[GIT_OID_HEXSZ + 1])
{
	unsigned char sum[QS_SHA1_SIZE];
	size_t i;

	qs__sha1_final(h, sum);
	for (i = 0; i < QS_SHA1_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* Everything of the config that goes into every commit. */
void qs__key_start(struct qs__sha1 *h, const struct qs_config *cfg,
		   const char *what)
{
	qs__sha1_init(h);
	qs__key_add(h, ENGINE_EPOCH);
	qs__key_add(h, what);
	qs__key_add(h, cfg->committer_name);
	qs__key_add(h, cfg->committer_email);
	qs__key_add(h, cfg->link);
	/* only when set, so that the keys of a config without one stay */
	if (cfg->author_email) {
		qs__key_add(h, "default author");
		qs__key_add(h, cfg->author_name);
		qs__key_add(h, cfg->author_email);
	}
}

/* One line of the blob: "<key> <id>[ <note>]". */
static int load_line(struct qs__cache *cc, const char *p, size_t len)
{
	char key[GIT_OID_HEXSZ + 1];
	char *note = NULL;
	git_oid id;

	if (len < 2 * GIT_OID_HEXSZ + 1 || p[GIT_OID_HEXSZ] != ' ' ||
	    git_oid_fromstrn(&id, p + GIT_OID_HEXSZ + 1, GIT_OID_HEXSZ) < 0)
		return 0;	/* not ours: a broken line costs time only */
	if (len > 2 * GIT_OID_HEXSZ + 1) {
		if (p[2 * GIT_OID_HEXSZ + 1] != ' ')
			return 0;
		note = qs__strndup(p + 2 * GIT_OID_HEXSZ + 2,
				   len - 2 * GIT_OID_HEXSZ - 2);
		if (!note)
			return QS_ENOMEM;
	}
	memcpy(key, p, GIT_OID_HEXSZ);
	key[GIT_OID_HEXSZ] = '\0';
	if (QS_ARRAY_GROW(cc->old_ids, cc->old_alloc, cc->nold + 1) < 0 ||
	    QS_ARRAY_GROW(cc->old_notes, cc->notes_alloc, cc->nold + 1) < 0 ||
	    qs__strmap_put(&cc->old, key, cc->nold) < 0) {
		free(note);
		return QS_ENOMEM;
	}
	git_oid_cpy(&cc->old_ids[cc->nold], &id);
	cc->old_notes[cc->nold++] = note;
	return 0;
}

int qs__cache_load(struct qs__cache *cc, git_repository *repo,
		   struct qs__store *store)
{
	git_odb_object *obj = NULL;
	const char *p, *end;
	int ret = 0;

	if (git_reference_name_to_id(&cc->old_blob, repo, QS_CACHE_REF) < 0) {
		qs_error_clear();
		return 0;	/* no cache yet */
	}
	cc->has_old_blob = 1;
	/*
	 * Read and hashed: a damaged blob that still inflates would name
	 * wrong commits. A broken cache costs time, never correctness (and
	 * the store writes it again should this run make the same one).
	 */
	if ((ret = qs__store_check(store, &cc->old_blob, &obj)) <= 0)
		return ret;
	if (git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
		git_odb_object_free(obj);
		return 0;
	}
	ret = 0;
	p = git_odb_object_data(obj);
	end = p + git_odb_object_size(obj);
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		ret = load_line(cc, p, (size_t)(nl - p));
		p = nl + 1;
	}
	git_odb_object_free(obj);
	return ret;
}

int qs__cache_lookup(struct qs__cache *cc, git_repository *objects,
		     const char *key, git_oid *out, const char **note)
{
	git_odb *odb = NULL;
	size_t *at;
	int found;

	if (note)
		*note = NULL;
	if (cc->disabled || !(at = qs__strmap_get(&cc->old, key)))
		return 0;
	if (git_repository_odb(&odb, objects) < 0)
		return 0;
	/* gc may have pruned a commit that only the cache named */
	found = git_odb_exists(odb, &cc->old_ids[*at]);
	git_odb_free(odb);
	if (!found)
		return 0;
	git_oid_cpy(out, &cc->old_ids[*at]);
	if (note)
		*note = cc->old_notes[*at];
	return 1;
}

/* Keep an entry's line as it is. */
static int remember_line(struct qs__cache *cc, const char *key, char *line)
{
	if (QS_ARRAY_GROW(cc->lines, cc->lines_alloc, cc->nlines + 1) < 0 ||
	    qs__strmap_put(&cc->seen, key, 1) < 0) {
		free(line);
		return QS_ENOMEM;
	}
	cc->lines[cc->nlines++] = line;
	return 0;
}

int qs__cache_remember(struct qs__cache *cc, const char *key,
		       const git_oid *id, const char *note)
{
	char hex[GIT_OID_HEXSZ + 1];
	qs_buf line = QS_BUF_INIT;

	if (qs__strmap_get(&cc->seen, key))
		return 0;
	git_oid_tostr(hex, sizeof(hex), id);
	qs_buf_addf(&line, "%s %s", key, hex);
	if (note)
		qs_buf_addf(&line, " %s", note);
	if (qs_buf_oom(&line)) {
		qs_buf_release(&line);
		return QS_ENOMEM;
	}
	return remember_line(cc, key, qs_buf_detach(&line));
}

int qs__cache_take(struct qs__cache *into, struct qs__cache *from)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < from->nlines; i++) {
		char key[GIT_OID_HEXSZ + 1];

		memcpy(key, from->lines[i], GIT_OID_HEXSZ);
		key[GIT_OID_HEXSZ] = '\0';
		if (!ret && !qs__strmap_get(&into->seen, key)) {
			ret = remember_line(into, key, from->lines[i]);
			from->lines[i] = NULL;
		}
		free(from->lines[i]);
	}
	from->nlines = 0;
	return ret;
}

static int line_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int qs__cache_text(struct qs__cache *cc, qs_buf *out)
{
	size_t i;

	if (cc->nlines)
		qsort(cc->lines, cc->nlines, sizeof(char *), line_order);
	for (i = 0; i < cc->nlines; i++) {
		qs_buf_adds(out, cc->lines[i]);
		qs_buf_addch(out, '\n');
	}
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

void qs__cache_clear(struct qs__cache *cc, int shared_old)
{
	size_t i;

	if (!shared_old) {
		qs__strmap_clear(&cc->old);
		for (i = 0; i < cc->nold; i++)
			free(cc->old_notes[i]);
		free(cc->old_notes);
		free(cc->old_ids);
	}
	qs__strmap_clear(&cc->seen);
	for (i = 0; i < cc->nlines; i++)
		free(cc->lines[i]);
	free(cc->lines);
}
