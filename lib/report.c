// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report of a build: what became of each branch, as the caller gets
 * it from qs_build_run() (include/quiltsync/build.h), and as it is kept
 * in the repository for `quiltsync status`.
 */
#include "internal.h"
#include "build-internal.h"
#include "group.h"
#include "json-read.h"
#include "json-write.h"
#include "state.h"

static void branch_free(struct qs_build_branch *br)
{
	size_t i, k;

	if (!br)
		return;
	for (i = 0; i < br->nconflicts; i++)
		free(br->conflicts[i].path);
	free(br->conflicts);
	free(br->name);
	free(br->series);
	free(br->depends_on);
	free(br->reason);
	free(br->error);
	free(br->start_ids);
	free(br->start_known);
	free(br->commits);
	free(br->failed_file);
	free(br->failed_patch);
	free(br->moved_to);
	for (k = 0; k < CHANGE_KINDS; k++) {
		for (i = 0; i < br->changes[k].n; i++)
			free(br->changes[k].names[i]);
		free(br->changes[k].names);
	}
	free(br);
}

void qs_build_free(qs_build *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nbranches; i++)
		branch_free(b->branches[i]);
	free(b->branches);
	for (i = 0; i < b->nwarnings; i++)
		free(b->warnings[i]);
	free(b->warnings);
	free(b->base_name);
	qs_publish_free(b->publish);
	free(b);
}

const qs_publish *qs_build_publish(const qs_build *b)
{
	return b ? b->publish : NULL;
}

struct qs_build_branch *qs__report_add(qs_build *b, const char *name,
				       qs_branch_kind kind)
{
	struct qs_build_branch *br;

	if (QS_ARRAY_GROW(b->branches, b->alloc, b->nbranches + 1) < 0)
		return NULL;
	br = qs__calloc(1, sizeof(*br));
	if (!br)
		return NULL;
	br->name = qs__strdup(name);
	if (!br->name) {
		free(br);
		return NULL;
	}
	br->kind = kind;
	b->branches[b->nbranches++] = br;
	return br;
}

static int add_warning(qs_build *b, char *text)
{
	if (!text || QS_ARRAY_GROW(b->warnings, b->warnings_alloc, b->nwarnings + 1) < 0) {
		free(text);
		return QS_ENOMEM;
	}
	b->warnings[b->nwarnings++] = text;
	return 0;
}

int qs__report_warn(qs_build *b, const char *fmt, ...)
{
	qs_buf text = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	qs_buf_vaddf(&text, fmt, ap);
	va_end(ap);
	if (qs_buf_oom(&text)) {
		qs_buf_release(&text);
		return QS_ENOMEM;
	}
	return add_warning(b, qs_buf_detach(&text));
}

struct qs_build_branch *qs__report_find(const qs_build *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nbranches; i++)
		if (!strcmp(b->branches[i]->name, name))
			return b->branches[i];
	return NULL;
}

int qs__set_text(char **field, const char *fmt, ...)
{
	qs_buf b = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	qs_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (qs_buf_oom(&b)) {
		qs_buf_release(&b);
		return QS_ENOMEM;
	}
	free(*field);
	*field = qs_buf_detach(&b);
	return *field ? 0 : QS_ENOMEM;
}

int qs__report_read_old(git_repository *repo, struct qs_build_branch *br)
{
	qs_buf ref = QS_BUF_INIT;
	int err;

	qs_buf_addf(&ref, "refs/heads/%s", br->name);
	if (qs_buf_oom(&ref))
		return QS_ENOMEM;
	err = git_reference_name_to_id(&br->old, repo, ref.ptr);
	qs_buf_release(&ref);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return qs__error_git("cannot read a branch");
	br->has_old = 1;
	git_oid_tostr(br->old_hex, sizeof(br->old_hex), &br->old);
	return 0;
}

int qs__report_finish(struct qs_build_branch *br, const git_oid *tip)
{
	const char *es = br->patches == 1 ? "" : "es";
	int ret;

	git_oid_cpy(&br->new, tip);
	git_oid_tostr(br->new_hex, sizeof(br->new_hex), tip);
	br->has_new = 1;
	br->built = 1;
	if (!br->has_old) {
		br->status = QS_BRANCH_CREATED;
		ret = qs__set_text(&br->reason, "new branch, %zu patch%s", br->patches, es);
	} else if (git_oid_equal(&br->old, tip)) {
		br->status = QS_BRANCH_UNCHANGED;
		ret = qs__set_text(&br->reason, "%zu patch%s, unchanged", br->patches, es);
	} else {
		br->status = QS_BRANCH_UPDATED;
		ret = qs__set_text(&br->reason, "%s%zu patch%s, %zu applied anew",
				   br->new_cycle ? "new cycle: " : "",
				   br->patches, es, br->applied);
	}
	if (ret == 0 && br->records)
		ret = qs__set_text(&br->reason, "%s; %zu committed (##) entr%s without a patch file, not made",
				   br->reason, br->records, br->records == 1 ? "y" : "ies");
	return ret;
}

void qs__report_reset_patches(struct qs_build_branch *br)
{
	br->patches = br->applied = br->records = 0;
	br->ncommits = 0;
	free(br->error);
	br->error = NULL;
	free(br->failed_file);
	br->failed_file = NULL;
	free(br->failed_patch);
	br->failed_patch = NULL;
	br->failed_entry = NULL;
	br->failed_hunk = 0;
}

int qs__report_keep_failure(struct qs_build_branch *br)
{
	if (!br->failed_entry || br->failed_patch)
		return 0;
	br->failed_patch = qs__strdup(qs_entry_name(br->failed_entry));
	br->failed_line = qs_entry_line(br->failed_entry);
	return br->failed_patch ? 0 : QS_ENOMEM;
}

int qs__report_add_commit(struct qs_build_branch *br,
			  const struct patch_commit *pc)
{
	if (QS_ARRAY_GROW(br->commits, br->commits_alloc, br->ncommits + 1) < 0)
		return QS_ENOMEM;
	br->commits[br->ncommits++] = *pc;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The report as JSON */

static const char *kind_word(qs_branch_kind k)
{
	switch (k) {
	case QS_BRANCH_SERIES: return "series";
	case QS_BRANCH_TREE: return "tree";
	default: return "integration";
	}
}

const char *qs__report_status_word(qs_branch_status s)
{
	static const char *const words[] = {
		[QS_BRANCH_CREATED] = "created", [QS_BRANCH_UPDATED] = "updated",
		[QS_BRANCH_UNCHANGED] = "unchanged", [QS_BRANCH_FAILED] = "failed",
		[QS_BRANCH_BLOCKED] = "blocked", [QS_BRANCH_CONFLICT] = "conflict",
		[QS_BRANCH_SKIPPED] = "skipped", [QS_BRANCH_GONE] = "gone",
	};

	return (size_t)s < QS_ARRAY_SIZE(words) ? words[s] : "gone";
}

int qs__report_stale(const struct qs_build_branch *br)
{
	switch (br->status) {
	case QS_BRANCH_FAILED:
	case QS_BRANCH_BLOCKED:
	case QS_BRANCH_CONFLICT:
	case QS_BRANCH_SKIPPED:
		return br->has_old;
	default:
		return 0;
	}
}

static void branch_json(struct json *j, const struct qs_build_branch *br)
{
	size_t i, k;

	json_object_begin(j);
	json_kv_string(j, "name", br->name);
	json_kv_string(j, "kind", kind_word(br->kind));
	json_kv_string(j, "mode", br->mode == QS_BRANCH_APPEND ? "append" : "rebuild");
	json_kv_string(j, "old", qs_build_branch_old(br));
	json_kv_string(j, "new", qs_build_branch_new(br));
	json_kv_string(j, "status", qs__report_status_word(br->status));
	json_kv_string(j, "series", br->series);
	json_kv_string(j, "depends_on", br->depends_on);
	json_kv_int(j, "patches", (int64_t)br->patches);
	json_kv_int(j, "applied", (int64_t)br->applied);
	json_kv_string(j, "reason", br->reason);
	json_kv_string(j, "error", br->error);
	json_kv_bool(j, "stale", qs__report_stale(br));
	json_kv_bool(j, "publish", !br->unpublished);
	json_kv_string(j, "moved_to", br->moved_to);
	json_kv_bool(j, "new_cycle", br->new_cycle);
	json_key(j, "changes");
	json_object_begin(j);
	for (k = 0; k < CHANGE_KINDS; k++) {
		static const char *const kinds[] = { "added", "removed", "changed" };

		json_key(j, kinds[k]);
		json_array_begin(j);
		for (i = 0; i < br->changes[k].n; i++)
			json_string(j, br->changes[k].names[i]);
		json_array_end(j);
	}
	json_object_end(j);
	json_kv_string(j, "error_patch", br->failed_patch);
	json_key(j, "error_line");
	if (br->failed_line)
		json_int(j, (int64_t)br->failed_line);
	else
		json_null(j);
	if (br->status == QS_BRANCH_CONFLICT) {
		json_key(j, "merge");
		json_object_begin(j);
		json_kv_string(j, "ours", qs_build_branch_merge_ours(br));
		json_kv_string(j, "theirs", qs_build_branch_merge_theirs(br));
		json_key(j, "conflicts");
		json_array_begin(j);
		for (k = 0; k < br->nconflicts; k++) {
			json_object_begin(j);
			json_kv_string(j, "path", br->conflicts[k].path);
			json_kv_int(j, "hunks", (int64_t)br->conflicts[k].hunks);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_object_end(j);
}

int qs__report_json(qs_buf *out, const qs_build *b, int dry_run)
{
	struct json j;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	int ret = 0;

	if (!f)
		return qs__error_oom();
	json_init(&j, f);
	json_object_begin(&j);
	json_kv_bool(&j, "dry_run", dry_run);
	json_kv_string(&j, "base", b->base_name);
	json_kv_string(&j, "base_id", b->base_hex);
	json_kv_int(&j, "recovered_refs", (int64_t)b->recovered);
	json_kv_string(&j, "manifest", qs_build_manifest_id(b));
	json_key(&j, "warnings");
	json_array_begin(&j);
	for (i = 0; i < b->nwarnings; i++)
		json_string(&j, b->warnings[i]);
	json_array_end(&j);
	json_key(&j, "branches");
	json_array_begin(&j);
	for (i = 0; i < b->nbranches; i++)
		branch_json(&j, b->branches[i]);
	json_array_end(&j);
	json_object_end(&j);
	json_end_document(&j);
	if (fclose(f) != 0 || !text)
		ret = qs__error_oom();
	else if (qs_buf_add(out, text, len) < 0)
		ret = QS_ENOMEM;
	free(text);
	return ret;
}

int qs__report_save(const qs_build *b, git_repository *repo)
{
	qs_buf text = QS_BUF_INIT, path = QS_BUF_INIT;
	int ret;

	if ((ret = qs__report_json(&text, b, 0)) == 0 &&
	    (ret = qs__state_path(&path, git_repository_commondir(repo),
				  "last-build.json")) == 0)
		ret = qs__write_atomic(path.ptr, text.ptr, text.len);
	qs_buf_release(&text);
	qs_buf_release(&path);
	return ret;
}

int qs_build_report_json(char **out, const qs_build *b, int dry_run)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	if (!out || !b)
		return qs__error_set(QS_EINVAL, "qs_build_report_json: NULL argument");
	*out = NULL;
	if ((ret = qs__report_json(&text, b, dry_run)) < 0) {
		qs_buf_release(&text);
		return ret;
	}
	*out = qs_buf_detach(&text);
	return *out ? 0 : QS_ENOMEM;
}

/* ------------------------------------------------------------------ */
/* The kept report, read back */

/* A string member into a malloc()ed field (NULL stays NULL). */
static int take_string(char **field, const struct qs__json_value *obj,
		       const char *key)
{
	const char *v = qs__json_string(qs__json_get(obj, key), NULL);

	if (!v)
		return 0;
	*field = qs__strdup(v);
	return *field ? 0 : QS_ENOMEM;
}

static int take_oid(git_oid *id, char *hex, int *has,
		    const struct qs__json_value *obj, const char *key)
{
	const char *v = qs__json_string(qs__json_get(obj, key), NULL);

	if (!v || strlen(v) != GIT_OID_HEXSZ || git_oid_fromstr(id, v) < 0)
		return 0;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, id);
	*has = 1;
	return 0;
}

static int word_index(const char *word, const char *(*name)(int), int n)
{
	int i;

	for (i = 0; word && i < n; i++)
		if (!strcmp(word, name(i)))
			return i;
	return -1;
}

static const char *kind_name_of(int i)
{
	return kind_word((qs_branch_kind)i);
}

static const char *status_name_of(int i)
{
	return qs__report_status_word((qs_branch_status)i);
}

static int load_changes(struct qs_build_branch *br, const struct qs__json_value *o)
{
	static const char *const kinds[] = { "added", "removed", "changed" };
	size_t k, i;

	for (k = 0; k < CHANGE_KINDS; k++) {
		const struct qs__json_value *a = qs__json_get(o, kinds[k]);
		struct patch_list *l = &br->changes[k];

		for (i = 0; i < qs__json_count(a); i++) {
			const char *name = qs__json_string(qs__json_at(a, i), NULL);

			if (!name)
				continue;
			if (QS_ARRAY_GROW(l->names, l->alloc, l->n + 1) < 0 ||
			    !(l->names[l->n] = qs__strdup(name)))
				return QS_ENOMEM;
			l->n++;
		}
	}
	return 0;
}

static int load_branch(qs_build *b, const struct qs__json_value *o,
		       const char *path, size_t index)
{
	const char *name = qs__json_string(qs__json_get(o, "name"), NULL);
	const char *mode = qs__json_string(qs__json_get(o, "mode"), NULL);
	const struct qs__json_value *merge = qs__json_get(o, "merge");
	const struct qs__json_value *conflicts = qs__json_get(merge, "conflicts");
	struct qs_build_branch *br;
	int kind, status, has;
	size_t i;

	kind = word_index(qs__json_string(qs__json_get(o, "kind"), NULL),
			  kind_name_of, QS_BRANCH_INTEGRATION + 1);
	status = word_index(qs__json_string(qs__json_get(o, "status"), NULL),
			    status_name_of, QS_BRANCH_GONE + 1);
	if (!name || kind < 0 || status < 0)
		return qs__error_set(QS_EPARSE, "%s: branch %zu: no name, kind or status",
				     path, index + 1);
	if (!(br = qs__report_add(b, name, (qs_branch_kind)kind)))
		return QS_ENOMEM;
	br->status = (qs_branch_status)status;
	br->mode = mode && !strcmp(mode, "append") ? QS_BRANCH_APPEND : QS_BRANCH_REBUILD;
	take_oid(&br->old, br->old_hex, &br->has_old, o, "old");
	take_oid(&br->new, br->new_hex, &br->has_new, o, "new");
	has = 0;
	take_oid(&br->ours, br->ours_hex, &has, merge, "ours");
	take_oid(&br->theirs, br->theirs_hex, &br->has_merge, merge, "theirs");
	br->has_merge = br->has_merge && has;
	br->patches = (size_t)qs__json_int(qs__json_get(o, "patches"), NULL);
	br->applied = (size_t)qs__json_int(qs__json_get(o, "applied"), NULL);
	if (take_string(&br->series, o, "series") < 0 ||
	    take_string(&br->depends_on, o, "depends_on") < 0 ||
	    take_string(&br->reason, o, "reason") < 0 ||
	    take_string(&br->error, o, "error") < 0 ||
	    take_string(&br->failed_patch, o, "error_patch") < 0)
		return QS_ENOMEM;
	br->failed_line = (size_t)qs__json_int(qs__json_get(o, "error_line"), NULL);
	br->unpublished = qs__json_bool(qs__json_get(o, "publish")) == 0;
	br->new_cycle = qs__json_bool(qs__json_get(o, "new_cycle")) == 1;
	if (take_string(&br->moved_to, o, "moved_to") < 0 ||
	    load_changes(br, qs__json_get(o, "changes")) < 0)
		return QS_ENOMEM;
	if (!qs__json_count(conflicts))
		return 0;
	br->conflicts = qs__calloc(qs__json_count(conflicts), sizeof(*br->conflicts));
	if (!br->conflicts)
		return QS_ENOMEM;
	for (i = 0; i < qs__json_count(conflicts); i++) {
		const struct qs__json_value *c = qs__json_at(conflicts, i);

		if (take_string(&br->conflicts[i].path, c, "path") < 0)
			return QS_ENOMEM;
		if (!br->conflicts[i].path)
			break;
		br->conflicts[i].hunks = (size_t)qs__json_int(qs__json_get(c, "hunks"), NULL);
		br->nconflicts++;
	}
	return 0;
}

int qs_build_report_load(qs_build **out, const qs_config *cfg)
{
	git_repository *repo = NULL;
	struct qs__json_doc *doc = NULL;
	const struct qs__json_value *root, *branches, *warnings;
	qs_buf path = QS_BUF_INIT, text = QS_BUF_INIT;
	qs_build *b = NULL;
	git_oid id;
	int has, ret;
	size_t i;

	if (!out || !cfg)
		return qs__error_set(QS_EINVAL, "qs_build_report_load: NULL argument");
	*out = NULL;
	if ((ret = qs__git_init()) < 0)
		return ret;
	if (git_repository_open_ext(&repo, cfg->repository,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return qs__error_set(QS_ECONFIG, "'%s' is not a git repository",
				     cfg->repository);
	if ((ret = qs__state_path(&path, git_repository_commondir(repo),
				  "last-build.json")) < 0)
		goto done;
	if ((ret = qs__read_file(&text, path.ptr)) < 0) {
		if (ret == QS_ENOTFOUND)
			qs__error_set(QS_ENOTFOUND, "no build has written to '%s' yet",
				      cfg->repository);
		goto done;
	}
	if ((ret = qs__json_parse(&doc, text.ptr, text.len, path.ptr)) < 0)
		goto done;
	root = qs__json_root(doc);
	branches = qs__json_get(root, "branches");
	if (qs__json_type(branches) != QS__JSON_ARRAY) {
		ret = qs__error_set(QS_EPARSE, "%s: no list of branches", path.ptr);
		goto done;
	}
	if (!(b = qs__calloc(1, sizeof(*b)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = take_string(&b->base_name, root, "base")) < 0)
		goto done;
	has = 0;
	take_oid(&id, b->base_hex, &has, root, "base_id");
	take_oid(&id, b->manifest_hex, &has, root, "manifest");
	b->recovered = (size_t)qs__json_int(qs__json_get(root, "recovered_refs"), NULL);
	warnings = qs__json_get(root, "warnings");
	for (i = 0; i < qs__json_count(warnings); i++) {
		const char *w = qs__json_string(qs__json_at(warnings, i), NULL);

		if (w && (ret = add_warning(b, qs__strdup(w))) < 0)
			goto done;
	}
	for (i = 0; i < qs__json_count(branches); i++)
		if ((ret = load_branch(b, qs__json_at(branches, i), path.ptr, i)) < 0)
			goto done;
	*out = b;
	b = NULL;
done:
	qs_build_free(b);
	qs__json_doc_free(doc);
	qs_buf_release(&text);
	qs_buf_release(&path);
	git_repository_free(repo);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Accessors */

const char *qs_build_base_name(const qs_build *b)
{
	return b ? b->base_name : NULL;
}

const char *qs_build_base_id(const qs_build *b)
{
	return b ? b->base_hex : NULL;
}

size_t qs_build_recovered_refs(const qs_build *b)
{
	return b ? b->recovered : 0;
}

const char *qs_build_manifest_id(const qs_build *b)
{
	return b && b->manifest_hex[0] ? b->manifest_hex : NULL;
}

size_t qs_build_warning_count(const qs_build *b)
{
	return b ? b->nwarnings : 0;
}

const char *qs_build_warning(const qs_build *b, size_t i)
{
	return b && i < b->nwarnings ? b->warnings[i] : NULL;
}

size_t qs_build_branch_count(const qs_build *b)
{
	return b ? b->nbranches : 0;
}

const qs_build_branch *qs_build_branch_byindex(const qs_build *b, size_t i)
{
	return b && i < b->nbranches ? b->branches[i] : NULL;
}

const char *qs_build_branch_name(const qs_build_branch *br)
{
	return br->name;
}

qs_branch_kind qs_build_branch_kind(const qs_build_branch *br)
{
	return br->kind;
}

qs_branch_mode qs_build_branch_mode(const qs_build_branch *br)
{
	return br->mode;
}

qs_branch_status qs_build_branch_status(const qs_build_branch *br)
{
	return br->status;
}

const char *qs_build_branch_old(const qs_build_branch *br)
{
	return br->has_old ? br->old_hex : NULL;
}

const char *qs_build_branch_new(const qs_build_branch *br)
{
	return br->has_new ? br->new_hex : NULL;
}

const char *qs_build_branch_series(const qs_build_branch *br)
{
	return br->series;
}

const char *qs_build_branch_depends_on(const qs_build_branch *br)
{
	return br->depends_on;
}

size_t qs_build_branch_patches(const qs_build_branch *br)
{
	return br->patches;
}

size_t qs_build_branch_applied(const qs_build_branch *br)
{
	return br->applied;
}

const char *qs_build_branch_reason(const qs_build_branch *br)
{
	return br->reason;
}

const char *qs_build_branch_error(const qs_build_branch *br)
{
	return br->error;
}

size_t qs_build_branch_change_count(const qs_build_branch *br,
				    qs_change_kind kind)
{
	return (unsigned)kind < CHANGE_KINDS ? br->changes[kind].n : 0;
}

const char *qs_build_branch_change(const qs_build_branch *br,
				   qs_change_kind kind, size_t i)
{
	if ((unsigned)kind >= CHANGE_KINDS || i >= br->changes[kind].n)
		return NULL;
	return br->changes[kind].names[i];
}

const char *qs_build_branch_moved_to(const qs_build_branch *br)
{
	return br->moved_to;
}

int qs_build_branch_new_cycle(const qs_build_branch *br)
{
	return br->new_cycle;
}

int qs_build_branch_stale(const qs_build_branch *br)
{
	return qs__report_stale(br);
}

int qs_build_branch_publish(const qs_build_branch *br)
{
	return !br->unpublished;
}

const char *qs_build_branch_error_patch(const qs_build_branch *br,
					size_t *out_line)
{
	if (out_line)
		*out_line = br->failed_patch ? br->failed_line : 0;
	return br->failed_patch;
}

const char *qs_build_branch_merge_ours(const qs_build_branch *br)
{
	return br->has_merge ? br->ours_hex : NULL;
}

const char *qs_build_branch_merge_theirs(const qs_build_branch *br)
{
	return br->has_merge ? br->theirs_hex : NULL;
}

size_t qs_build_branch_conflict_count(const qs_build_branch *br)
{
	return br->nconflicts;
}

const char *qs_build_branch_conflict_path(const qs_build_branch *br, size_t i,
					  size_t *out_hunks)
{
	if (i >= br->nconflicts)
		return NULL;
	if (out_hunks)
		*out_hunks = br->conflicts[i].hunks;
	return br->conflicts[i].path;
}
