/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the manifest; see quiltsync/manifest.h and
 * quiltsync-manifest(5).
 *
 * The blobs are parsed into JSON trees that the manifest keeps, and
 * checked whole at load time, so that the accessors can neither fail
 * nor copy: every string they give is a string of the tree, NUL-
 * terminated where it lies, and the arrays of a patch (trailers,
 * files, commits) are read from the tree on demand.
 *
 * Under QS_MANIFEST_LAZY, patches.json is kept as text, split into its
 * patches, and each patch is parsed into a tree of its own and checked,
 * by the same code, on its first qs_manifest_patch_byindex(): a query
 * that needs three patches of three thousand parses three.
 */
#include "internal.h"
#include "group.h"
#include "json-read.h"
#include "manifest-copy.h"
#include "manifest-internal.h"


/* The spec's words, in the order of their enums. */
static const char *const status_names[] = {
	"built", "unchanged", "failed", "blocked", "conflict", "skipped", "gone",
};
static const char *const applied_names[] = {
	"clean", "offset", "fuzz", "3-way", "failed", "not-reached", "committed",
	"empty",
};
static const char *const kind_names[] = { "series", "tree", "integration" };
static const char *const mode_names[] = { "rebuild", "append" };
const char *const qs__manifest_start_names[QS__MANIFEST_START_KINDS] = {
	"base", "upstream", "branch", "remote",
};

/*
 * Where a field is, for messages: "branches.json: branch 3: 'on[1].kind'
 * is not a string". `item` is NULL for build.json, whose fields are at
 * the top; `prefix` ("on[1].") is put before the key.
 */
struct where {
	const char *blob;
	const char *item;
	size_t index;
	char prefix[48];
};

static int bad(const struct where *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(const struct where *w, const char *key, const char *fmt, ...)
{
	qs_buf msg = QS_BUF_INIT;
	va_list ap;
	int ret;

	if (w->item)
		qs_buf_addf(&msg, "%s %zu%s", w->item, w->index, key ? ": " : " ");
	if (key)
		qs_buf_addf(&msg, "'%s%s' ", w->prefix, key);
	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (qs_buf_oom(&msg))
		ret = QS_ENOMEM;
	else
		ret = qs__error_set_at(QS_EPARSE, w->blob, 0, "%s", msg.ptr);
	qs_buf_release(&msg);
	return ret;
}

/* The member `key` of `obj`; NULL, and the error recorded, when missing. */
static const struct qs__json_value *member(int *ret, const struct where *w,
					   const struct qs__json_value *obj,
					   const char *key)
{
	const struct qs__json_value *v = qs__json_get(obj, key);

	if (!v)
		*ret = bad(w, key, "is missing");
	return v;
}

enum { REQUIRED = 0, NULLABLE = 1 };

static int get_string(const char **out, const struct where *w,
		      const struct qs__json_value *obj, const char *key,
		      int nullable)
{
	const struct qs__json_value *v;
	const char *s;
	size_t len;
	int ret = 0;

	*out = NULL;
	if (!(v = member(&ret, w, obj, key)))
		return ret;
	if (nullable && qs__json_type(v) == QS__JSON_NULL)
		return 0;
	if (!(s = qs__json_string(v, &len)))
		return bad(w, key, "is not a string");
	/* accessors give C strings: a NUL would cut them short unseen */
	if (strlen(s) != len)
		return bad(w, key, "holds a NUL character");
	*out = s;
	return 0;
}

/* A count or line number: an integer >= 0. Null gives 0 when allowed. */
static int get_size(size_t *out, const struct where *w,
		    const struct qs__json_value *obj, const char *key,
		    int nullable)
{
	const struct qs__json_value *v;
	int64_t n;
	int is_int, ret = 0;

	*out = 0;
	if (!(v = member(&ret, w, obj, key)))
		return ret;
	if (nullable && qs__json_type(v) == QS__JSON_NULL)
		return 0;
	if (qs__json_type(v) != QS__JSON_NUMBER)
		return bad(w, key, "is not a number");
	n = qs__json_int(v, &is_int);
	if (!is_int || n < 0 || (uint64_t)n > SIZE_MAX)
		return bad(w, key, "is not a non-negative integer");
	*out = (size_t)n;
	return 0;
}

static int get_bool(int *out, const struct where *w,
		    const struct qs__json_value *obj, const char *key)
{
	const struct qs__json_value *v;
	int ret = 0;

	if (!(v = member(&ret, w, obj, key)))
		return ret;
	if ((*out = qs__json_bool(v)) < 0)
		return bad(w, key, "is not a boolean");
	return 0;
}

static int is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; i < GIT_OID_HEXSZ; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/* A git object id: 40 lower-case hex digits, as git prints them. */
static int get_id(const char **out, const struct where *w,
		  const struct qs__json_value *obj, const char *key,
		  int nullable)
{
	int ret = get_string(out, w, obj, key, nullable);

	if (ret == 0 && *out && !is_hex_id(*out))
		return bad(w, key, "is not an object id: '%s'", *out);
	return ret;
}

/* One of `names`, as its index. */
static int get_word(int *out, const struct where *w,
		    const struct qs__json_value *obj, const char *key,
		    const char *const *names, size_t n)
{
	const char *s;
	size_t i;
	int ret;

	if ((ret = get_string(&s, w, obj, key, REQUIRED)) < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	/* a new word would come with a new format: this one has no such value */
	return bad(w, key, "is '%s', which format %d does not have", s,
		   QS_MANIFEST_FORMAT);
}

static int get_typed(const struct qs__json_value **out, const struct where *w,
		     const struct qs__json_value *obj, const char *key,
		     enum qs__json_type type, int nullable)
{
	const struct qs__json_value *v;
	int ret = 0;

	*out = NULL;
	if (!(v = member(&ret, w, obj, key)))
		return ret;
	if (nullable && qs__json_type(v) == QS__JSON_NULL)
		return 0;
	if (qs__json_type(v) != type)
		return bad(w, key, "is not %s", qs__json_type_name(type));
	*out = v;
	return 0;
}

/* An element of a blob's top-level array must be an object. */
static int item_object(const struct where *w, const struct qs__json_value *v)
{
	if (qs__json_type(v) != QS__JSON_OBJECT)
		return bad(w, NULL, "is not an object");
	return 0;
}

/*
 * Element `i` of the array `key` must be an object; the prefix then
 * names it for the messages about its fields ("on[1].").
 */
static int element_object(struct where *w, const char *key, size_t i,
			  const struct qs__json_value *v)
{
	snprintf(w->prefix, sizeof(w->prefix), "%s[%zu]", key, i);
	if (qs__json_type(v) != QS__JSON_OBJECT)
		return bad(w, "", "is not an object");
	snprintf(w->prefix, sizeof(w->prefix), "%s[%zu].", key, i);
	return 0;
}

static int load_build(qs_manifest *m)
{
	const struct qs__json_value *root = qs__json_root(m->build), *v;
	struct where w = { "build.json", NULL, 0, "" };
	int64_t format;
	int is_int, ret = 0;

	if (qs__json_type(root) != QS__JSON_OBJECT)
		return qs__error_set_at(QS_EPARSE, "build.json", 0, "not an object");
	/* the format first: a newer one may have changed everything else */
	if (!(v = member(&ret, &w, root, "format")))
		return ret;
	format = qs__json_int(v, &is_int);
	if (!is_int || format < 1)
		return bad(&w, "format", "is not a manifest format");
	if (format > QS_MANIFEST_FORMAT)
		return qs__error_set_at(QS_EPARSE, "build.json", 0,
					"manifest format %lld is newer than this "
					"quiltsync reads (%d); upgrade quiltsync",
					(long long)format, QS_MANIFEST_FORMAT);
	m->format = (int)format;
	if ((ret = get_string(&m->base, &w, root, "base", REQUIRED)) < 0 ||
	    (ret = get_id(&m->base_id, &w, root, "base_id", REQUIRED)) < 0 ||
	    (ret = get_string(&m->upstream, &w, root, "upstream", REQUIRED)) < 0 ||
	    (ret = get_id(&m->upstream_id, &w, root, "upstream_id", REQUIRED)) < 0 ||
	    (ret = get_id(&m->series_blob, &w, root, "series_blob", REQUIRED)) < 0 ||
	    (ret = get_size(&m->want_branches, &w, root, "branches", REQUIRED)) < 0 ||
	    (ret = get_size(&m->want_patches, &w, root, "patches", REQUIRED)) < 0)
		return ret;
	return 0;
}

static int load_starts(const struct where *item, const struct qs__json_value *on)
{
	struct where w = *item;
	size_t i;
	int kind, ret;

	for (i = 0; i < qs__json_count(on); i++) {
		const struct qs__json_value *s = qs__json_at(on, i);
		const char *str;

		if ((ret = element_object(&w, "on", i, s)) < 0 ||
		    (ret = get_word(&kind, &w, s, "kind", qs__manifest_start_names,
				    QS_ARRAY_SIZE(qs__manifest_start_names))) < 0 ||
		    (ret = get_string(&str, &w, s, "name", REQUIRED)) < 0 ||
		    (ret = get_string(&str, &w, s, "url", NULLABLE)) < 0 ||
		    (ret = get_id(&str, &w, s, "id", NULLABLE)) < 0)
			return ret;
	}
	return 0;
}

static int load_branch(struct qs_manifest_branch *b, const struct where *w,
		       const struct qs__json_value *obj)
{
	struct where ew = *w;
	const struct qs__json_value *err;
	int kind = 0, mode = 0, status = 0, ret;

	if ((ret = item_object(w, obj)) < 0 ||
	    (ret = get_string(&b->name, w, obj, "name", REQUIRED)) < 0 ||
	    (ret = get_word(&kind, w, obj, "kind", kind_names,
			    QS_ARRAY_SIZE(kind_names))) < 0 ||
	    (ret = get_word(&mode, w, obj, "mode", mode_names,
			    QS_ARRAY_SIZE(mode_names))) < 0 ||
	    (ret = get_string(&b->section, w, obj, "section", NULLABLE)) < 0 ||
	    (ret = get_string(&b->series, w, obj, "series", NULLABLE)) < 0 ||
	    (ret = get_string(&b->slug, w, obj, "slug", NULLABLE)) < 0 ||
	    (ret = get_typed(&b->on, w, obj, "on", QS__JSON_ARRAY, REQUIRED)) < 0 ||
	    (ret = load_starts(w, b->on)) < 0 ||
	    (ret = get_id(&b->tip, w, obj, "tip", NULLABLE)) < 0 ||
	    (ret = get_word(&status, w, obj, "status", status_names,
			    QS_ARRAY_SIZE(status_names))) < 0 ||
	    (ret = get_string(&b->depends_on, w, obj, "depends_on", NULLABLE)) < 0 ||
	    (ret = get_size(&b->patches, w, obj, "patches", REQUIRED)) < 0 ||
	    (ret = get_typed(&err, w, obj, "error", QS__JSON_OBJECT, NULLABLE)) < 0)
		return ret;
	b->kind = (qs_branch_kind)kind;
	b->mode = (qs_branch_mode)mode;
	b->status = (qs_manifest_status)status;
	/*
	 * "publish" (false for a failed series under failed-series:
	 * unpublish) is newer than format 1's first writers: when it is
	 * missing, the branch is published, as it then was.
	 */
	b->publish = 1;
	if (qs__json_get(obj, "publish") &&
	    (ret = get_bool(&b->publish, w, obj, "publish")) < 0)
		return ret;
	if (!err)
		return 0;
	snprintf(ew.prefix, sizeof(ew.prefix), "error.");
	if ((ret = get_string(&b->error, &ew, err, "message", REQUIRED)) < 0 ||
	    (ret = get_string(&b->error_patch, &ew, err, "patch", NULLABLE)) < 0 ||
	    (ret = get_size(&b->error_line, &ew, err, "line", NULLABLE)) < 0 ||
	    (ret = get_string(&b->error_file, &ew, err, "file", NULLABLE)) < 0 ||
	    (ret = get_size(&b->error_hunk, &ew, err, "hunk", NULLABLE)) < 0)
		return ret;
	return 0;
}

static int load_branches(qs_manifest *m)
{
	size_t expected = m->want_branches;
	const struct qs__json_value *root = qs__json_root(m->branches_doc);
	struct where w = { "branches.json", "branch", 0, "" };
	size_t i, n;
	int ret;

	if (qs__json_type(root) != QS__JSON_ARRAY)
		return qs__error_set_at(QS_EPARSE, "branches.json", 0, "not an array");
	n = qs__json_count(root);
	if (n != expected)
		return qs__error_set_at(QS_EPARSE, "branches.json", 0,
					"%zu branches where build.json counts %zu",
					n, expected);
	if (n && !(m->branches = qs__calloc(n, sizeof(*m->branches))))
		return QS_ENOMEM;
	for (i = 0; i < n; i++) {
		struct qs_manifest_branch *b = &m->branches[i];

		w.index = i;
		if ((ret = load_branch(b, &w, qs__json_at(root, i))) < 0)
			return ret;
		if (qs__strmap_get(&m->byname, b->name))
			return bad(&w, "name", "'%s' is listed twice", b->name);
		if ((ret = qs__strmap_put(&m->byname, b->name, i)) < 0)
			return ret;
		m->nbranches++;
	}
	return 0;
}

static int two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/*
 * "2024-03-01T12:00:00+01:00" (or "Z" for the offset), as git's
 * strict ISO 8601 format writes an author date.
 */
static int parse_date(int64_t *time, int *offset, const char *s)
{
	int y1, y2, mo, d, h, mi, sec, oh = 0, om = 0;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' ||
	    two_digits(s, &y1) || two_digits(s + 2, &y2) ||
	    two_digits(s + 5, &mo) || two_digits(s + 8, &d) ||
	    two_digits(s + 11, &h) || two_digits(s + 14, &mi) ||
	    two_digits(s + 17, &sec))
		return -1;
	if (!strcmp(s + 19, "Z")) {
		*offset = 0;
	} else if (strlen(s + 19) == 6 && (s[19] == '+' || s[19] == '-') &&
		   s[22] == ':' && !two_digits(s + 20, &oh) &&
		   !two_digits(s + 23, &om) && oh < 24 && om < 60) {
		*offset = (s[19] == '-' ? -1 : 1) * (oh * 60 + om);
	} else {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	*time = (int64_t)qs__days_from_civil(y1 * 100 + y2, mo, d) * 86400 +
		h * 3600 + mi * 60 + sec - (int64_t)*offset * 60;
	return 0;
}

static int load_patch_arrays(qs_manifest *m, struct qs_manifest_patch *p,
			     const struct where *item,
			     const struct qs__json_value *obj)
{
	struct where w = *item;
	const char *s;
	size_t i, pos;
	int ret;

	if ((ret = get_typed(&p->trailers, item, obj, "trailers",
			     QS__JSON_ARRAY, REQUIRED)) < 0 ||
	    (ret = get_typed(&p->files, item, obj, "files",
			     QS__JSON_ARRAY, REQUIRED)) < 0 ||
	    (ret = get_typed(&p->commits, item, obj, "commits",
			     QS__JSON_ARRAY, REQUIRED)) < 0)
		return ret;
	for (i = 0; i < qs__json_count(p->trailers); i++) {
		const struct qs__json_value *t = qs__json_at(p->trailers, i);

		if ((ret = element_object(&w, "trailers", i, t)) < 0 ||
		    (ret = get_string(&s, &w, t, "key", REQUIRED)) < 0 ||
		    (ret = get_string(&s, &w, t, "value", REQUIRED)) < 0)
			return ret;
	}
	for (i = 0; i < qs__json_count(p->files); i++) {
		size_t len;

		s = qs__json_string(qs__json_at(p->files, i), &len);
		if (!s || strlen(s) != len) {
			snprintf(w.prefix, sizeof(w.prefix), "files[%zu]", i);
			return bad(&w, "", "is not a path");
		}
	}
	for (i = 0; i < qs__json_count(p->commits); i++) {
		const struct qs__json_value *c = qs__json_at(p->commits, i);

		if ((ret = element_object(&w, "commits", i, c)) < 0 ||
		    (ret = get_string(&s, &w, c, "branch", REQUIRED)) < 0)
			return ret;
		if (!qs__strmap_get(&m->byname, s))
			return bad(&w, "branch", "names '%s', which branches.json "
				   "does not list", s);
		if ((ret = get_id(&s, &w, c, "commit", REQUIRED)) < 0 ||
		    (ret = get_size(&pos, &w, c, "position", NULLABLE)) < 0)
			return ret;
	}
	return 0;
}

static int load_patch(qs_manifest *m, struct qs_manifest_patch *p,
		      const struct where *w, const struct qs__json_value *obj)
{
	struct where sw = *w;
	const struct qs__json_value *author, *series, *applied;
	int how = 0, ret;

	if ((ret = item_object(w, obj)) < 0 ||
	    (ret = get_string(&p->name, w, obj, "name", REQUIRED)) < 0 ||
	    (ret = get_size(&p->line, w, obj, "line", REQUIRED)) < 0 ||
	    (ret = get_string(&p->section, w, obj, "section", REQUIRED)) < 0 ||
	    (ret = get_bool(&p->committed, w, obj, "committed")) < 0 ||
	    (ret = get_id(&p->blob, w, obj, "blob", NULLABLE)) < 0 ||
	    (ret = get_string(&p->message_id, w, obj, "message_id", NULLABLE)) < 0 ||
	    (ret = get_string(&p->subject, w, obj, "subject", REQUIRED)) < 0 ||
	    (ret = get_typed(&author, w, obj, "author", QS__JSON_OBJECT, REQUIRED)) < 0 ||
	    (ret = get_string(&p->date, w, obj, "date", NULLABLE)) < 0 ||
	    (ret = get_typed(&series, w, obj, "series", QS__JSON_OBJECT, NULLABLE)) < 0 ||
	    (ret = get_typed(&applied, w, obj, "applied", QS__JSON_OBJECT, REQUIRED)) < 0)
		return ret;
	if (p->date && parse_date(&p->time, &p->offset, p->date) < 0)
		return bad(w, "date", "is not an ISO 8601 date: '%s'", p->date);
	snprintf(sw.prefix, sizeof(sw.prefix), "author.");
	if ((ret = get_string(&p->author_name, &sw, author, "name", REQUIRED)) < 0 ||
	    (ret = get_string(&p->author_email, &sw, author, "email", REQUIRED)) < 0)
		return ret;
	snprintf(sw.prefix, sizeof(sw.prefix), "series.");
	if (series &&
	    ((ret = get_string(&p->series, &sw, series, "title", REQUIRED)) < 0 ||
	     (ret = get_string(&p->series_slug, &sw, series, "slug", REQUIRED)) < 0 ||
	     (ret = get_size(&p->series_position, &sw, series, "position", REQUIRED)) < 0 ||
	     (ret = get_size(&p->series_count, &sw, series, "count", REQUIRED)) < 0))
		return ret;
	snprintf(sw.prefix, sizeof(sw.prefix), "applied.");
	if ((ret = get_word(&how, &sw, applied, "how", applied_names,
			    QS_ARRAY_SIZE(applied_names))) < 0 ||
	    (ret = get_size(&p->applied_offset, &sw, applied, "offset", REQUIRED)) < 0 ||
	    (ret = get_size(&p->applied_fuzz, &sw, applied, "fuzz", REQUIRED)) < 0 ||
	    (ret = get_string(&p->applied_error, &sw, applied, "error", NULLABLE)) < 0)
		return ret;
	p->applied = (qs_manifest_applied)how;
	return load_patch_arrays(m, p, w, obj);
}

static int load_patches(qs_manifest *m)
{
	size_t expected = m->want_patches;
	const struct qs__json_value *root = qs__json_root(m->patches_doc);
	struct where w = { "patches.json", "patch", 0, "" };
	size_t i, n;
	int ret;

	if (qs__json_type(root) != QS__JSON_ARRAY)
		return qs__error_set_at(QS_EPARSE, "patches.json", 0, "not an array");
	n = qs__json_count(root);
	if (n != expected)
		return qs__error_set_at(QS_EPARSE, "patches.json", 0,
					"%zu patches where build.json counts %zu",
					n, expected);
	if (n && !(m->patches = qs__calloc(n, sizeof(*m->patches))))
		return QS_ENOMEM;
	for (i = 0; i < n; i++) {
		w.index = i;
		if ((ret = load_patch(m, &m->patches[i], &w, qs__json_at(root, i))) < 0)
			return ret;
		m->npatches++;
	}
	return 0;
}

/*
 * Patch `i` of a lazy manifest, parsed and checked as load_patches
 * would: its errors are the ones the eager load gives. A patch that
 * fails is kept as not parsed, so that asking again says why again.
 */
static const struct qs_manifest_patch *lazy_patch(qs_manifest *m, size_t i)
{
	struct where w = { "patches.json", "patch", 0, "" };
	struct qs_manifest_patch p;
	struct qs__json_doc *doc = NULL;

	if (m->patch_docs[i])
		return &m->patches[i];
	w.index = i;
	memset(&p, 0, sizeof(p));
	if (qs__json_parse_part(&doc, m->copy.patches, m->copy.patches_len,
				m->copy.spans[i].start, m->copy.spans[i].end,
				"patches.json") < 0)
		return NULL;
	if (load_patch(m, &p, &w, qs__json_root(doc)) < 0) {
		qs__json_doc_free(doc);
		return NULL;
	}
	m->patches[i] = p;
	m->patch_docs[i] = doc;
	return &m->patches[i];
}

/*
 * Keep patches.json as text, split into its patches: by the copy's index,
 * or else by the splitter. What the splitter refuses, and a count that
 * does not match, is parsed whole instead, for the error the eager load
 * gives; should that parse accept it after all, the manifest is simply
 * loaded eagerly.
 */
static int take_patches_lazy(qs_manifest *m)
{
	struct qs__manifest_copy *c = &m->copy;
	size_t hint = m->want_patches;
	struct qs__json_doc *doc = NULL;
	int ret = 0;

	/* build.json's count is not to be trusted with memory: 2 bytes a patch */
	if (hint > c->patches_len / 2 + 1)
		hint = c->patches_len / 2 + 1;
	if (!c->spans)
		ret = qs__json_split_objects(&c->spans, &c->nspans, c->patches,
					     c->patches_len, hint, "patches.json");
	if (ret == QS_ENOMEM)
		return ret;
	if (ret < 0 || c->nspans != m->want_patches) {
		if ((ret = qs__json_parse(&doc, c->patches, c->patches_len,
					  "patches.json")) < 0)
			return ret;
		qs__manifest_copy_release(c);
		return qs__manifest_take_patches(m, doc);
	}
	if (c->nspans && (!(m->patches = qs__calloc(c->nspans, sizeof(*m->patches))) ||
			  !(m->patch_docs = qs__calloc(c->nspans, sizeof(*m->patch_docs)))))
		return QS_ENOMEM;
	m->npatches = c->nspans;
	m->lazy = 1;
	return 0;
}

/*
 * The object `rev` names, not peeled, with the messages a user of
 * `which` needs. For the manifest's ref, only the ref is read: its
 * commit may never need to be, when the copy is its.
 */
static int resolve(git_oid *out, git_repository *repo, const char *repository,
		   const char *rev)
{
	git_object *obj = NULL;
	int err;

	if (!rev || !strcmp(rev, QS_MANIFEST_REF)) {
		if ((err = git_reference_name_to_id(out, repo, QS_MANIFEST_REF)) == 0)
			return 0;
		if (err != GIT_ENOTFOUND)
			return qs__error_git(QS_MANIFEST_REF);
		return qs__error_set(QS_ENOTFOUND,
				     "no build has written a manifest in '%s' yet",
				     repository);
	}
	if ((err = git_revparse_single(&obj, repo, rev)) < 0) {
		if (err != GIT_ENOTFOUND)
			return qs__error_git(rev);
		return qs__error_set(QS_ENOTFOUND, "no manifest '%s' in '%s'", rev,
				     repository);
	}
	git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

/* The commit the object `id` peels to: what `rev` names must be one. */
static int peel_commit(git_commit **out, git_repository *repo, const git_oid *id,
		       const char *rev)
{
	git_object *obj = NULL;
	int err;

	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY) < 0)
		return qs__error_git(rev ? rev : QS_MANIFEST_REF);
	err = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (err < 0)
		return qs__error_set(QS_EPARSE, "'%s' is not a manifest: not a commit",
				     rev ? rev : QS_MANIFEST_REF);
	return 0;
}

qs_manifest *qs__manifest_new(void)
{
	return qs__calloc(1, sizeof(qs_manifest));
}

int qs__manifest_take_build(qs_manifest *m, struct qs__json_doc *doc)
{
	m->build = doc;
	return load_build(m);
}

int qs__manifest_take_branches(qs_manifest *m, struct qs__json_doc *doc)
{
	m->branches_doc = doc;
	return load_branches(m);
}

int qs__manifest_take_patches(qs_manifest *m, struct qs__json_doc *doc)
{
	m->patches_doc = doc;
	return load_patches(m);
}

int qs__manifest_take_patches_copy(qs_manifest *m, struct qs__manifest_copy *copy)
{
	m->copy = *copy;
	memset(copy, 0, sizeof(*copy));
	return take_patches_lazy(m);
}

/* Parse a blob of the manifest and give it to `take`; NULL is a blob missing. */
static int take_text(qs_manifest *m, const char *text, size_t len, const char *name,
		     int (*take)(qs_manifest *, struct qs__json_doc *))
{
	struct qs__json_doc *doc = NULL;
	int ret;

	if (!text)
		return qs__error_set(QS_EPARSE, "commit %s is not a manifest: it has no '%s'",
				     m->id, name);
	if ((ret = qs__json_parse(&doc, text, len, name)) < 0)
		return ret;
	return take(m, doc);
}

/*
 * The manifest's blobs: from its derived copy (manifest-copy.h) when
 * there is one, which reads nothing from git but the ref; else from the
 * commit `id` peels to, then writing the copy for the next load, when
 * patches.json is read. `*id` is then the commit's.
 */
static int read_manifest(struct qs__manifest_copy *out, git_repository *repo,
			 git_oid *id, const char *rev, unsigned int flags)
{
	const char *common_dir = git_repository_commondir(repo);
	git_commit *commit = NULL;
	int ret;

	if ((ret = qs__manifest_copy_map(out, common_dir, id)) != 1)
		return ret;
	if ((ret = peel_commit(&commit, repo, id, rev)) < 0)
		return ret;
	/* what `rev` names may be a tag of the commit, whose copy it is */
	if (git_oid_equal(id, git_commit_id(commit)) ||
	    (ret = qs__manifest_copy_map(out, common_dir, git_commit_id(commit))) == 1)
		ret = qs__manifest_copy_read(out, repo, commit,
					     !(flags & QS_MANIFEST_BRANCHES_ONLY),
					     !!(flags & QS_MANIFEST_LAZY));
	git_oid_cpy(id, git_commit_id(commit));
	git_commit_free(commit);
	return ret;
}

int qs_manifest_load(qs_manifest **out, const char *repository,
		     const char *rev, unsigned int flags)
{
	struct qs__manifest_copy copy;
	git_repository *repo = NULL;
	qs_manifest *m = NULL;
	git_oid id;
	int ret;

	if (!out || !repository)
		return qs__error_set(QS_EINVAL, "qs_manifest_load: NULL argument");
	*out = NULL;
	memset(&copy, 0, sizeof(copy));
	if (!(m = qs__manifest_new()))
		return QS_ENOMEM;
	/* the common case, with no libgit2 at all: the latest, and its copy */
	if (!rev && !(flags & QS_MANIFEST_BRANCHES_ONLY) &&
	    qs__manifest_copy_quick(&copy, &id, repository) == 0)
		goto take;
	if ((ret = qs__git_init()) < 0)
		goto done;
	if (git_repository_open_ext(&repo, repository,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		/* the caller's argument: QS_ENOTFOUND is for the manifest */
		ret = qs__error_set(QS_EINVAL, "'%s' is not a git repository: %s",
				    repository, git_error_last() ?
				    git_error_last()->message : "unknown error");
		goto done;
	}
	if ((ret = resolve(&id, repo, repository, rev)) < 0 ||
	    (ret = read_manifest(&copy, repo, &id, rev, flags)) < 0)
		goto done;
take:
	git_oid_tostr(m->id, sizeof(m->id), &id);
	if (copy.parent[0]) {
		memcpy(m->parent, copy.parent, sizeof(m->parent));
		m->has_parent = 1;
	}
	/* build.json first: a newer format is refused before anything else */
	if ((ret = take_text(m, copy.build, copy.build_len, "build.json",
			     qs__manifest_take_build)) < 0 ||
	    (ret = take_text(m, copy.branches, copy.branches_len, "branches.json",
			     qs__manifest_take_branches)) < 0)
		goto done;
	if (flags & QS_MANIFEST_BRANCHES_ONLY)
		ret = 0;
	else if (!copy.patches)
		ret = take_text(m, NULL, 0, "patches.json", qs__manifest_take_patches);
	else if (flags & QS_MANIFEST_LAZY)
		ret = qs__manifest_take_patches_copy(m, &copy);
	else
		ret = take_text(m, copy.patches, copy.patches_len, "patches.json",
				qs__manifest_take_patches);
	if (ret < 0)
		goto done;
	*out = m;
	m = NULL;
done:
	qs_manifest_free(m);
	/* before the repository: the bytes may be its blobs' */
	qs__manifest_copy_release(&copy);
	git_repository_free(repo);
	return ret;
}

void qs_manifest_free(qs_manifest *m)
{
	size_t i;

	if (!m)
		return;
	free(m->branches);
	free(m->patches);
	for (i = 0; m->patch_docs && i < m->npatches; i++)
		qs__json_doc_free(m->patch_docs[i]);
	free(m->patch_docs);
	qs__manifest_copy_release(&m->copy);
	qs__strmap_clear(&m->byname);
	qs__json_doc_free(m->build);
	qs__json_doc_free(m->branches_doc);
	qs__json_doc_free(m->patches_doc);
	free(m);
}

const char *qs_manifest_status_name(qs_manifest_status status)
{
	return (size_t)status < QS_ARRAY_SIZE(status_names) ?
	       status_names[status] : NULL;
}

const char *qs_manifest_applied_name(qs_manifest_applied how)
{
	return (size_t)how < QS_ARRAY_SIZE(applied_names) ?
	       applied_names[how] : NULL;
}

/* --- patches --- */

size_t qs_manifest_patch_count(const qs_manifest *m) { return m ? m->npatches : 0; }

const qs_manifest_patch *qs_manifest_patch_byindex(const qs_manifest *m, size_t i)
{
	if (!m || i >= m->npatches)
		return NULL;
	/* what the manifest says does not change: only what it has parsed */
	return m->lazy ? lazy_patch((qs_manifest *)m, i) : &m->patches[i];
}
