/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs_queue: a series file with its patch files read and parsed, and its
 * entries grouped into patchsets (lib/group.c decides the grouping).
 */
#include "internal.h"
#include "group.h"

#include <git2.h>

struct qs_patch {
	const qs_series_entry *entry;
	int in_queue;             /* owned by a qs_queue: qs_patch_free ignores it */
	char *path;
	char *content;
	size_t len;
	char id[GIT_OID_HEXSZ + 1];
	qs_mail *mail;
	qs_diff *diff;
};

struct qs_patchset {
	const qs_section *section;
	char *title;
	char *slug;
	const char *area;
	const qs_series_entry **entries;
	size_t count;
};

struct qs_queue {
	qs_series *series;
	char *patches_dir;
	size_t entry_count;
	qs_patch **patches;       /* by entry index; NULL when not loaded */
	char **errors;            /* by entry index: why it was not (ENTRY_ERRORS) */
	qs_patchset *sets;
	size_t set_count;
	qs_patchset **set_of;     /* by entry index */
	qs_patchset **by_slug;    /* sorted by slug */
};

static void patch_free(qs_patch *patch)
{
	if (!patch)
		return;
	qs_diff_free(patch->diff);
	qs_mail_free(patch->mail);
	free(patch->content);
	free(patch->path);
	free(patch);
}

void qs_queue_free(qs_queue *queue)
{
	size_t i;

	if (!queue)
		return;
	for (i = 0; queue->patches && i < queue->entry_count; i++)
		patch_free(queue->patches[i]);
	for (i = 0; queue->errors && i < queue->entry_count; i++)
		free(queue->errors[i]);
	free(queue->errors);
	free(queue->patches);
	for (i = 0; i < queue->set_count; i++) {
		free(queue->sets[i].title);
		free(queue->sets[i].slug);
		free(queue->sets[i].entries);
	}
	free(queue->sets);
	free(queue->set_of);
	free(queue->by_slug);
	free(queue->patches_dir);
	qs_series_free(queue->series);
	free(queue);
}

/* The series file's directory: "." when its path has no '/'. */
static char *series_dir(const char *series_path)
{
	const char *slash = strrchr(series_path, '/');

	if (!slash)
		return qs__strdup(".");
	if (slash == series_path)
		return qs__strdup("/");
	return qs__strndup(series_path, (size_t)(slash - series_path));
}

/* "dir/name", or just "name" in ".", so that messages name what the user wrote. */
static char *join_path(const char *dir, const char *name)
{
	qs_buf path = QS_BUF_INIT;
	size_t len = strlen(dir);

	if (!strcmp(dir, "."))
		return qs__strdup(name);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	qs_buf_add(&path, dir, len);
	if (len && dir[len - 1] != '/')
		qs_buf_addch(&path, '/');
	qs_buf_adds(&path, name);
	if (qs_buf_oom(&path)) {
		qs_buf_release(&path);
		return NULL;
	}
	return qs_buf_detach(&path);
}

/*
 * Read and parse one patch file. QS_ENOTFOUND when it does not exist:
 * the caller decides, by the kind of entry, whether that is an error.
 */
static int load_patch(qs_patch **out, const qs_series_entry *entry,
		      const char *path, const qs_mail_options *mail_opts,
		      size_t max)
{
	qs_mail_options mopts = *mail_opts;
	qs_diff_options dopts = QS_DIFF_OPTIONS_INIT;
	qs_buf content = QS_BUF_INIT;
	qs_patch *patch;
	const char *text;
	size_t text_len;
	git_oid oid;
	int ret;

	*out = NULL;
	if (!(patch = qs__calloc(1, sizeof(*patch))))
		return QS_ENOMEM;
	patch->entry = entry;
	if (!(patch->path = qs__strdup(path))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = qs__read_file_decompressed(&content, patch->path,
					      max ? max : QS_READ_MAX_DEFAULT)) < 0)
		goto done;
	if ((ret = qs__git_init()) < 0)
		goto done;
	if (git_odb_hash(&oid, content.ptr, content.len, GIT_OBJECT_BLOB) < 0) {
		ret = qs__error_git("cannot hash a patch");
		goto done;
	}
	git_oid_tostr(patch->id, sizeof(patch->id), &oid);
	mopts.name = patch->path;
	if ((ret = qs_mail_parse(&patch->mail, content.ptr, content.len, &mopts)) < 0)
		goto done;
	text = qs_mail_patch(patch->mail, &text_len);
	dopts.path = patch->path;
	dopts.first_line = qs_mail_patch_line(patch->mail);
	if (!dopts.first_line)
		dopts.first_line = 1;
	if ((ret = qs_diff_parse(&patch->diff, text, text_len, &dopts)) < 0)
		goto done;
	/* the reader over-allocates; a queue keeps thousands of these */
	patch->len = content.len;
	if (!(patch->content = qs__strndup(content.ptr, content.len))) {
		ret = QS_ENOMEM;
		goto done;
	}
	*out = patch;
	patch = NULL;
done:
	qs_buf_release(&content);
	patch_free(patch);
	return ret;
}

/* Whether `e` is in one of `sections` (NULL: every entry is read). */
static int wanted(const qs_series *series, const qs_series_entry *e,
		  const char *const *sections)
{
	size_t i, k;

	if (!sections)
		return 1;
	for (i = 0; sections[i]; i++) {
		const qs_section *sec = qs_series_section_byname(series, sections[i]);

		for (k = 0; sec && k < qs_section_entry_count(sec); k++)
			if (qs_section_entry_byindex(sec, k) == e)
				return 1;
	}
	return 0;
}

/* ENTRY_ERRORS: keep why an entry failed (the last error); 0 or QS_ENOMEM. */
static int keep_error(qs_queue *queue, size_t i, const char *series_path,
		      const qs_series_entry *e)
{
	if (!queue->errors &&
	    !(queue->errors = qs__calloc(queue->entry_count, sizeof(*queue->errors))))
		return QS_ENOMEM;
	if (!(queue->errors[i] = qs__strdup(qs_error_last()->message)))
		return QS_ENOMEM;
	/* the caller reports it with what it fails: a warning would say it twice */
	qs__log(QS_LOG_INFO, series_path, qs_entry_line(e), "%s", queue->errors[i]);
	return 0;
}

static int load_patches(qs_queue *queue, const qs_queue_options *opts)
{
	const char *series_path = qs_series_path(queue->series);
	const char *const *sections = opts->sections;
	size_t i;
	int ret;

	for (i = 0; i < queue->entry_count; i++) {
		const qs_series_entry *e = qs_series_entry_byindex(queue->series, i);
		qs_entry_kind kind = qs_entry_kind_of(e);
		char *path;

		if (kind == QS_ENTRY_PLACEHOLDER || !wanted(queue->series, e, sections))
			continue;
		if (!(path = join_path(queue->patches_dir, qs_entry_name(e))))
			return QS_ENOMEM;
		ret = load_patch(&queue->patches[i], e, path, &opts->mail,
				 opts->max_patch_size);
		if (queue->patches[i])
			queue->patches[i]->in_queue = 1;
		if (ret == 0 || (kind == QS_ENTRY_COMMITTED && ret == QS_ENOTFOUND)) {
			free(path);
			continue;
		}
		if (kind == QS_ENTRY_COMMITTED && ret == QS_EPARSE) {
			/* history only: it is never applied, so it stops nothing */
			qs__log(QS_LOG_WARNING, NULL, 0, "%s (a committed entry: ignored)",
				qs_error_last()->message);
			free(path);
			continue;
		}
		if (ret == QS_ENOTFOUND)
			qs__error_set(QS_ENOTFOUND, "patch file '%s' does not exist", path);
		free(path);
		if ((opts->flags & QS_QUEUE_ENTRY_ERRORS) &&
		    (ret == QS_ENOTFOUND || ret == QS_EPARSE || ret == QS_EIO)) {
			if ((ret = keep_error(queue, i, series_path, e)) < 0)
				return ret;
			continue;
		}
		if (ret != QS_ENOTFOUND)
			return ret;
		if (opts->flags & QS_QUEUE_ALLOW_MISSING) {
			qs__log(QS_LOG_WARNING, series_path, qs_entry_line(e), "%s",
				qs_error_last()->message);
			continue;
		}
		return qs__error_set_at(QS_ENOTFOUND, series_path, qs_entry_line(e),
					"%s", qs_error_last()->message);
	}
	qs_error_clear();
	return 0;
}

static int compare_slugs(const void *a, const void *b)
{
	const qs_patchset *const *x = a, *const *y = b;

	return strcmp((*x)->slug, (*y)->slug);
}

/*
 * Titles and slugs of the patchsets, given the title and first entry
 * name of each (by patchset number) and the patchsets in file order of
 * their first entries, the order slugs are given in.
 */
static int name_patchsets(qs_queue *queue, const size_t *file_order,
			  const char *const *titles, const char *const *first_names)
{
	size_t k, nsets = queue->set_count;
	const char **file_titles = NULL, **file_names = NULL;
	char **slugs = NULL;
	int ret = QS_ENOMEM;

	if (!(file_titles = qs__calloc(nsets, sizeof(*file_titles))) ||
	    !(file_names = qs__calloc(nsets, sizeof(*file_names))) ||
	    !(slugs = qs__calloc(nsets, sizeof(*slugs))) ||
	    !(queue->by_slug = qs__calloc(nsets, sizeof(*queue->by_slug))))
		goto done;
	for (k = 0; k < nsets; k++) {
		file_titles[k] = titles[file_order[k]];
		file_names[k] = first_names[file_order[k]];
	}
	if ((ret = qs__slugs_assign(slugs, file_titles, file_names, nsets)) < 0)
		goto done;
	ret = QS_ENOMEM;
	for (k = 0; k < nsets; k++) {
		qs_patchset *set = &queue->sets[file_order[k]];

		set->slug = slugs[k];
		slugs[k] = NULL;
		/* a patch whose file is missing has no subject: its name will do */
		set->title = file_titles[k] ? qs__strdup(file_titles[k]) :
					      qs__name_stem(file_names[k]);
		if (!set->title)
			goto done;
		queue->by_slug[k] = set;
	}
	qsort(queue->by_slug, nsets, sizeof(*queue->by_slug), compare_slugs);
	ret = 0;
done:
	if (slugs)
		for (k = 0; k < nsets; k++)
			free(slugs[k]);
	free(slugs);
	free(file_names);
	free(file_titles);
	return ret;
}

/*
 * Grouping sees each section as one run of entries, in file order: a
 * section the mmotm convention continues in a later part is grouped as
 * if its parts stood together, so that a follow-up finds its parent in
 * an earlier part. Patchsets are numbered in that order, by section
 * then by first entry.
 */
static int group_entries(qs_queue *queue)
{
	const qs_series *series = queue->series;
	struct qs__group_item *items = NULL;
	const char **links = NULL, **titles = NULL, **first_names = NULL;
	size_t *set_of = NULL, *item_set = NULL, *entry_of = NULL, *fill = NULL;
	size_t *file_order = NULL;
	size_t n = queue->entry_count, nitems = 0, nlinks = 0, i, j, k, nsets = 0;
	int ret = QS_ENOMEM;

	if (!(items = qs__calloc(n, sizeof(*items))) ||
	    !(item_set = qs__calloc(n, sizeof(*item_set))) ||
	    !(entry_of = qs__calloc(n, sizeof(*entry_of))) ||
	    !(set_of = qs__calloc(n, sizeof(*set_of))) ||
	    !(queue->set_of = qs__calloc(n, sizeof(*queue->set_of))))
		goto done;

	for (i = 0; i < n; i++) {
		set_of[i] = QS__NO_SET;
		if (queue->patches[i])
			nlinks += qs_mail_link_count(queue->patches[i]->mail);
	}
	if (!(links = qs__calloc(nlinks, sizeof(*links))))
		goto done;
	nlinks = 0;
	for (i = 0; i < qs_series_section_count(series); i++) {
		const qs_section *sec = qs_series_section_byindex(series, i);

		for (k = 0; k < qs_section_entry_count(sec); k++) {
			const qs_series_entry *e = qs_section_entry_byindex(sec, k);
			size_t x = qs_entry_index(e);
			const qs_mail *mail = queue->patches[x] ? queue->patches[x]->mail
				: NULL;
			struct qs__group_item *it = &items[nitems];

			entry_of[nitems++] = x;
			it->name = qs_entry_name(e);
			it->kind = qs_entry_kind_of(e);
			it->section = i;
			it->starts_group = qs_entry_starts_group(e);
			if (!mail)
				continue;
			it->series_title = qs_mail_series_title(mail);
			it->series_total = qs_mail_series_total(mail);
			it->links = links + nlinks;
			it->link_count = qs_mail_link_count(mail);
			for (j = 0; j < it->link_count; j++)
				links[nlinks++] = qs_mail_link_byindex(mail, j);
		}
	}
	if ((ret = qs__group(item_set, &nsets, items, nitems)) < 0)
		goto done;
	for (k = 0; k < nitems; k++)
		set_of[entry_of[k]] = item_set[k];

	ret = QS_ENOMEM;
	if (!(queue->sets = qs__calloc(nsets, sizeof(*queue->sets))) ||
	    !(fill = qs__calloc(nsets, sizeof(*fill))) ||
	    !(titles = qs__calloc(nsets, sizeof(*titles))) ||
	    !(first_names = qs__calloc(nsets, sizeof(*first_names))) ||
	    !(file_order = qs__calloc(nsets, sizeof(*file_order))))
		goto done;
	queue->set_count = nsets;
	for (i = 0; i < n; i++)
		if (set_of[i] != QS__NO_SET)
			queue->sets[set_of[i]].count++;
	for (i = 0; i < nsets; i++) {
		queue->sets[i].entries = qs__calloc(queue->sets[i].count,
						    sizeof(*queue->sets[i].entries));
		if (!queue->sets[i].entries)
			goto done;
	}
	for (i = 0, k = 0; i < n; i++) {
		const qs_series_entry *e = qs_series_entry_byindex(series, i);
		qs_patchset *set;

		if (set_of[i] == QS__NO_SET)
			continue;
		set = &queue->sets[set_of[i]];
		queue->set_of[i] = set;
		if (!fill[set_of[i]]) {
			const qs_mail *mail = queue->patches[i] ?
					      queue->patches[i]->mail : NULL;

			file_order[k++] = set_of[i];
			set->section = qs_entry_section(e);
			set->area = qs_entry_area(e);
			first_names[set_of[i]] = qs_entry_name(e);
			if (mail)
				titles[set_of[i]] = qs_mail_series_title(mail) ?
						    qs_mail_series_title(mail) :
						    qs_mail_subject(mail);
		}
		set->entries[fill[set_of[i]]++] = e;
	}
	ret = name_patchsets(queue, file_order, titles, first_names);
done:
	free(file_order);
	free(first_names);
	free(titles);
	free(fill);
	free(links);
	free(set_of);
	free(entry_of);
	free(item_set);
	free(items);
	return ret;
}

/*
 * qs_queue_options as programs built for versions 1 and 2 lay it out:
 * their qs_series_options (version 1) ends before `convention`, so the
 * members after it sit earlier than ours. Version 1 has no `sections`.
 */
struct queue_options_v2 {
	unsigned int version;
	struct {
		unsigned int version;
		const char *const *placeholders;
		const char *section_start;
		const char *section_end;
	} series;
	qs_mail_options mail;
	unsigned int flags;
	const char *const *sections;
};

/* Options of an older version, in the current layout. */
static void options_upgrade(qs_queue_options *out, const qs_queue_options *opts)
{
	const struct queue_options_v2 *old = (const struct queue_options_v2 *)opts;
	static const qs_queue_options defaults = QS_QUEUE_OPTIONS_INIT;

	*out = defaults;
	out->series.version = old->series.version;
	out->series.placeholders = old->series.placeholders;
	out->series.section_start = old->series.section_start;
	out->series.section_end = old->series.section_end;
	out->mail = old->mail;
	out->flags = old->flags;
	out->sections = old->version >= 2 ? old->sections : NULL;
}

int qs_queue_open(qs_queue **out, const char *series_path,
		  const char *patches_dir, const qs_queue_options *opts)
{
	static const qs_queue_options defaults = QS_QUEUE_OPTIONS_INIT;
	qs_queue_options upgraded;
	qs_queue *queue = NULL;
	int ret;

	if (!out || !series_path)
		return qs__error_set(QS_EINVAL, "qs_queue_open: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > QS_QUEUE_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL,
				     "unsupported qs_queue_options version %u",
				     opts->version);
	if (opts->version < 3) {
		options_upgrade(&upgraded, opts);
		opts = &upgraded;
	}
	if (!(queue = qs__calloc(1, sizeof(*queue))))
		return QS_ENOMEM;
	if ((ret = qs_series_load(&queue->series, series_path, &opts->series)) < 0)
		goto done;
	queue->patches_dir = patches_dir ? qs__strdup(patches_dir) :
					   series_dir(series_path);
	if (!queue->patches_dir) {
		ret = QS_ENOMEM;
		goto done;
	}
	queue->entry_count = qs_series_entry_count(queue->series);
	if (!(queue->patches = qs__calloc(queue->entry_count,
					  sizeof(*queue->patches)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = load_patches(queue, opts)) < 0 ||
	    (ret = group_entries(queue)) < 0)
		goto done;
	*out = queue;
	queue = NULL;
done:
	qs_queue_free(queue);
	return ret;
}

const char *qs_queue_entry_error(const qs_queue *queue,
				 const qs_series_entry *entry)
{
	size_t i;

	if (!queue || !entry || !queue->errors)
		return NULL;
	i = qs_entry_index(entry);
	if (i >= queue->entry_count ||
	    qs_series_entry_byindex(queue->series, i) != entry)
		return NULL;
	return queue->errors[i];
}

const qs_series *qs_queue_series(const qs_queue *queue)
{
	return queue ? queue->series : NULL;
}

const char *qs_queue_patches_dir(const qs_queue *queue)
{
	return queue ? queue->patches_dir : NULL;
}

const qs_patch *qs_queue_patch(const qs_queue *queue,
			       const qs_series_entry *entry)
{
	size_t i;

	if (!queue || !entry)
		return NULL;
	i = qs_entry_index(entry);
	if (i >= queue->entry_count ||
	    qs_series_entry_byindex(queue->series, i) != entry)
		return NULL;
	return queue->patches[i];
}

int qs_patch_open(qs_patch **out, const char *path,
		  const qs_mail_options *mail_opts)
{
	static const qs_mail_options defaults = QS_MAIL_OPTIONS_INIT;

	if (!out || !path)
		return qs__error_set(QS_EINVAL, "qs_patch_open: NULL argument");
	*out = NULL;
	if (!mail_opts)
		mail_opts = &defaults;
	if (mail_opts->version != QS_MAIL_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL,
				     "unsupported qs_mail_options version %u",
				     mail_opts->version);
	return load_patch(out, NULL, path, mail_opts, 0);
}

void qs_patch_free(qs_patch *patch)
{
	if (patch && !patch->in_queue)
		patch_free(patch);
}

const qs_series_entry *qs_patch_entry(const qs_patch *patch)
{
	return patch ? patch->entry : NULL;
}

const char *qs_patch_path(const qs_patch *patch)
{
	return patch ? patch->path : NULL;
}

const char *qs_patch_content(const qs_patch *patch, size_t *out_len)
{
	if (out_len)
		*out_len = patch ? patch->len : 0;
	return patch ? patch->content : NULL;
}

const char *qs_patch_content_id(const qs_patch *patch)
{
	return patch ? patch->id : NULL;
}

const qs_mail *qs_patch_mail(const qs_patch *patch)
{
	return patch ? patch->mail : NULL;
}

const qs_diff *qs_patch_diff(const qs_patch *patch)
{
	return patch ? patch->diff : NULL;
}

size_t qs_queue_patchset_count(const qs_queue *queue)
{
	return queue ? queue->set_count : 0;
}

const qs_patchset *qs_queue_patchset_byindex(const qs_queue *queue, size_t i)
{
	return queue && i < queue->set_count ? &queue->sets[i] : NULL;
}

const qs_patchset *qs_queue_patchset_byslug(const qs_queue *queue,
					    const char *slug)
{
	size_t lo = 0, hi;

	if (!queue || !slug)
		return NULL;
	hi = queue->set_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(slug, queue->by_slug[mid]->slug);

		if (!cmp)
			return queue->by_slug[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const qs_patchset *qs_queue_patchset_of(const qs_queue *queue,
					const qs_series_entry *entry)
{
	size_t i;

	if (!queue || !entry)
		return NULL;
	i = qs_entry_index(entry);
	if (i >= queue->entry_count ||
	    qs_series_entry_byindex(queue->series, i) != entry)
		return NULL;
	return queue->set_of[i];
}

const qs_section *qs_patchset_section(const qs_patchset *set)
{
	return set ? set->section : NULL;
}

const char *qs_patchset_title(const qs_patchset *set)
{
	return set ? set->title : NULL;
}

const char *qs_patchset_slug(const qs_patchset *set)
{
	return set ? set->slug : NULL;
}

const char *qs_patchset_area(const qs_patchset *set)
{
	return set ? set->area : NULL;
}

size_t qs_patchset_entry_count(const qs_patchset *set)
{
	return set ? set->count : 0;
}

const qs_series_entry *qs_patchset_entry_byindex(const qs_patchset *set,
						 size_t i)
{
	return set && i < set->count ? set->entries[i] : NULL;
}
