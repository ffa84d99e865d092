/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: the checks of single values (names, paths, idents,
 * refs, words, numbers) and the top-level settings made of one value.
 * Each setter checks its value alone, in file order; what needs the
 * whole file is config-branches.c's second pass.
 */
#include "internal.h"
#include "config-internal.h"
#include "config-parser.h"
#include "refname.h"

#include <git2.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* git's rules, without initialising libgit2 (refname.h says why) */
int qs__cfg_ref_is_valid(const char *ref)
{
	return qs__refname_is_valid(ref);
}

/* "refs/<prefix>" + name is a valid ref name. */
int qs__cfg_ref_with_prefix_is_valid(const char *prefix, const char *name)
{
	qs_buf ref = QS_BUF_INIT;
	int valid;

	qs_buf_adds(&ref, prefix);
	qs_buf_adds(&ref, name);
	valid = !qs_buf_oom(&ref) && qs__cfg_ref_is_valid(ref.ptr);
	qs_buf_release(&ref);
	return valid;
}

/*
 * A name git would take for a branch: libgit2's ref rules, and, as
 * `git branch` has it, not "HEAD", "@" nor starting with '-'.
 */
int qs__cfg_branch_name_is_valid(const char *name)
{
	if (name[0] == '-' || !strcmp(name, "HEAD") || !strcmp(name, "@"))
		return 0;
	return qs__cfg_ref_with_prefix_is_valid("refs/heads/", name);
}

/* A branch name that a config may give a branch or an integration. */
int qs__cfg_get_branch_name(struct parser *p, const struct node *n, char **out)
{
	int ret;

	if ((ret = qs__cfg_get_string(p, n, out)) < 0)
		return ret;
	if (!qs__cfg_branch_name_is_valid(*out))
		return qs__cfg_fail(p, n, "%s is not a valid branch name", qs__cfg_describe(p, n));
	if (!strcmp(*out, "base") || !strcmp(*out, "upstream"))
		return qs__cfg_fail(p, n, "'%s' is reserved: it means the %s commit in on, merge and placeholders",
			    *out, *out);
	return 0;
}

/* Normalised: no "." components, no repeated or trailing '/'; "" is ".". */
char *qs__cfg_normalize_path(const char *path)
{
	qs_buf out = QS_BUF_INIT;
	const char *s = path;

	if (*s == '/')
		qs_buf_addch(&out, '/');
	while (*s) {
		const char *end;

		while (*s == '/')
			s++;
		end = strchrnul(s, '/');
		if (end > s && !(end - s == 1 && *s == '.')) {
			if (out.len && out.ptr[out.len - 1] != '/')
				qs_buf_addch(&out, '/');
			qs_buf_add(&out, s, (size_t)(end - s));
		}
		s = end;
	}
	if (!out.len)
		qs_buf_addch(&out, '.');
	if (qs_buf_oom(&out)) {
		qs_buf_release(&out);
		return NULL;
	}
	return qs_buf_detach(&out);
}

/*
 * `value` taken relative to `dir` unless absolute. ".." is kept: a
 * symlink may stand before it, and the user wrote it.
 */
static char *resolve_path(const char *dir, const char *value)
{
	qs_buf joined = QS_BUF_INIT;
	char *path;

	if (value[0] != '/') {
		qs_buf_adds(&joined, dir);
		qs_buf_addch(&joined, '/');
	}
	qs_buf_adds(&joined, value);
	path = qs_buf_oom(&joined) ? NULL : qs__cfg_normalize_path(joined.ptr);
	qs_buf_release(&joined);
	return path;
}

/* The directory part of `path`: "." when it has none. */
char *qs__cfg_dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *dir, *norm;

	if (!slash)
		return qs__strdup(".");
	if (!(dir = qs__strndup(path, (size_t)(slash - path) + 1)))
		return NULL;
	norm = qs__cfg_normalize_path(dir);
	free(dir);
	return norm;
}

int qs__cfg_get_path(struct parser *p, const struct node *n, char **out)
{
	char *value = NULL;
	int ret;

	if ((ret = qs__cfg_get_string(p, n, &value)) < 0)
		return ret;
	free(*out);
	if (!(*out = resolve_path(p->c->dir, value)))
		ret = QS_ENOMEM;
	free(value);
	return ret;
}

int qs__cfg_set_repository(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_path(p, v, &p->c->repository);
}

int qs__cfg_set_series(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_path(p, v, &p->c->series);
}

int qs__cfg_set_patches(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_path(p, v, &p->c->patches);
}

int qs__cfg_set_resolutions(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_path(p, v, &p->c->resolutions);
}

static int has_bad_char(const char *s)
{
	for (; *s; s++)
		if (*s == '<' || *s == '>' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* "Name <email>": the name trimmed, the email as written between <>. */
static int get_ident(struct parser *p, const struct node *v, char **name,
		     char **email)
{
	char *s = NULL;
	size_t len, start = 0, end;
	const char *lt;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &s)) < 0)
		return ret;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!(lt = strchr(s, '<')) || !len || s[len - 1] != '>') {
		ret = qs__cfg_fail(p, v, "expected 'Name <email>', got %s", qs__cfg_describe(p, v));
		goto done;
	}
	while (s[start] == ' ' || s[start] == '\t')
		start++;
	end = (size_t)(lt - s);
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (end == start) {
		ret = qs__cfg_fail(p, v, "no name before the email in %s", qs__cfg_describe(p, v));
		goto done;
	}
	if ((size_t)(lt - s) + 2 == len) {
		ret = qs__cfg_fail(p, v, "empty email in %s", qs__cfg_describe(p, v));
		goto done;
	}
	free(*name);
	free(*email);
	*name = qs__strndup(s + start, end - start);
	*email = qs__strndup(lt + 1, len - (size_t)(lt - s) - 2);
	if (!*name || !*email) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (has_bad_char(*name) || has_bad_char(*email))
		ret = qs__cfg_fail(p, v, "'<', '>' or a control character inside the name or the email of %s",
			   qs__cfg_describe(p, v));
done:
	free(s);
	return ret;
}

int qs__cfg_set_committer(struct parser *p, const struct node *v, void *obj)
{
	return get_ident(p, v, &p->c->committer_name, &p->c->committer_email);
}

/* The author of patches that name none (git quiltimport --author). */
int qs__cfg_set_author(struct parser *p, const struct node *v, void *obj)
{
	return get_ident(p, v, &p->c->author_name, &p->c->author_email);
}

/*
 * A ref name ("refs/remotes/origin/master", "origin/master", "HEAD"),
 * possibly followed by revision suffixes (~N, ^N, ^{...}, @{...}) that
 * libgit2 checks when the build resolves it.
 */
int qs__cfg_set_upstream(struct parser *p, const struct node *v, void *obj)
{
	char *s;
	size_t stem;
	int ret, valid;

	if ((ret = qs__cfg_get_string(p, v, &p->c->upstream)) < 0)
		return ret;
	s = p->c->upstream;
	stem = strcspn(s, "~^");
	if (strstr(s, "@{") && (size_t)(strstr(s, "@{") - s) < stem)
		stem = (size_t)(strstr(s, "@{") - s);
	if (!(s = qs__strndup(s, stem)))
		return QS_ENOMEM;
	valid = *s && *s != '-' &&
		(!strncmp(s, "refs/", 5) ? qs__cfg_ref_is_valid(s) :
		 qs__cfg_ref_with_prefix_is_valid("refs/heads/", s));
	free(s);
	if (!valid)
		return qs__cfg_fail(p, v, "expected a ref such as refs/remotes/origin/master, got %s",
			    qs__cfg_describe(p, v));
	return 0;
}

static int is_commit_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return !s[n] && n >= 4 && n <= GIT_OID_HEXSZ;
}

int qs__cfg_set_base(struct parser *p, const struct node *v, void *obj)
{
	char *s;
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &p->c->base)) < 0)
		return ret;
	s = p->c->base;
	if (!strcmp(s, QS__CFG_DEFAULT_BASE) || is_commit_id(s))
		return 0;
	if (*s == '-' || !qs__cfg_ref_with_prefix_is_valid("refs/tags/", s))
		return qs__cfg_fail(p, v, "expected previous-rc3, a tag or a commit id, got %s",
			    qs__cfg_describe(p, v));
	return 0;
}

int qs__cfg_set_base_pattern(struct parser *p, const struct node *v, void *obj)
{
	pcre2_code *re;
	PCRE2_SIZE erroff;
	uint32_t groups = 0;
	int ret, errcode;

	if ((ret = qs__cfg_get_string(p, v, &p->c->base_pattern)) < 0)
		return ret;
	re = pcre2_compile((PCRE2_SPTR)p->c->base_pattern, PCRE2_ZERO_TERMINATED,
			   0, &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return qs__cfg_fail(p, v, "invalid pattern %s: %s at offset %zu",
			    qs__cfg_describe(p, v), (const char *)msg, (size_t)erroff);
	}
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	pcre2_code_free(re);
	if (groups < 1)
		return qs__cfg_fail(p, v, "pattern %s has no capture group for the version numbers",
			    qs__cfg_describe(p, v));
	return 0;
}

int qs__cfg_set_fuzz(struct parser *p, const struct node *v, void *obj)
{
	if (v->kind != NODE_SCALAR || !v->plain || v->len != 1 ||
	    v->value[0] < '0' || v->value[0] > '3')
		return qs__cfg_fail(p, v, "expected an integer from 0 to 3, got %s",
			    qs__cfg_describe_typed(p, v));
	p->c->fuzz = v->value[0] - '0';
	return 0;
}

/*
 * A size in bytes, with an optional k, m or g (powers of 1024, in
 * either case, as git's config reads them): "256m".
 */
int qs__cfg_set_max_patch_size(struct parser *p, const struct node *v, void *obj)
{
	unsigned long long n = 0, unit = 1;
	size_t i = 0;

	if (v->kind == NODE_SCALAR && v->plain) {
		for (; i < v->len && v->value[i] >= '0' && v->value[i] <= '9'; i++) {
			if (n > (ULLONG_MAX - 9) / 10)
				break;
			n = n * 10 + (unsigned long long)(v->value[i] - '0');
		}
		if (i + 1 == v->len) {
			switch (v->value[i] | 0x20) {
			case 'k': unit = 1ull << 10; i++; break;
			case 'm': unit = 1ull << 20; i++; break;
			case 'g': unit = 1ull << 30; i++; break;
			}
		}
	}
	if (!i || i != v->len || !n || n > SIZE_MAX / unit)
		return qs__cfg_fail(p, v, "expected a size in bytes (a number, then k, m or g), got %s",
			    qs__cfg_describe_typed(p, v));
	p->c->max_patch_size = (size_t)(n * unit);
	return 0;
}

/* YAML 1.2's core schema: true and false only, so "yes" is a typo. */
int qs__cfg_get_bool(struct parser *p, const struct node *v, int *out)
{
	static const char *const words[] = {
		"false", "False", "FALSE", "true", "True", "TRUE",
	};

	if (v->kind == NODE_SCALAR && v->plain) {
		for (size_t i = 0; i < QS_ARRAY_SIZE(words); i++) {
			if (!strcmp(v->value, words[i]) && v->len == strlen(words[i])) {
				*out = i >= 3;
				return 0;
			}
		}
	}
	return qs__cfg_fail(p, v, "expected true or false, got %s", qs__cfg_describe_typed(p, v));
}

int qs__cfg_set_three_way(struct parser *p, const struct node *v, void *obj)
{
	return qs__cfg_get_bool(p, v, &p->c->three_way);
}

int qs__cfg_set_dependencies(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "stack", "3way", "skip" };
	static const qs__deps_policy policies[] = {
		QS__DEPS_STACK, QS__DEPS_3WAY, QS__DEPS_SKIP,
	};
	int i = qs__cfg_one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return qs__cfg_fail(p, v, "expected stack, 3way or skip, got %s",
			    qs__cfg_describe(p, v));
	p->c->dependencies = policies[i];
	return 0;
}

/* What becomes of a per-series branch whose series fails: kept, or unpublished. */
int qs__cfg_set_failed_series(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "keep", "unpublish" };
	int i = qs__cfg_one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return qs__cfg_fail(p, v, "expected keep or unpublish, got %s", qs__cfg_describe(p, v));
	p->c->unpublish_failed_series = i == 1;
	return 0;
}

/* How the series file marks its sections: quiltsync-series(5). */
int qs__cfg_set_sections(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "branch", "mmotm" };
	static const qs_series_convention conventions[] = {
		QS_SERIES_BRANCH, QS_SERIES_MMOTM,
	};
	int i = qs__cfg_one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return qs__cfg_fail(p, v, "expected branch or mmotm, got %s", qs__cfg_describe(p, v));
	p->c->convention = conventions[i];
	return 0;
}

int qs__cfg_set_link(struct parser *p, const struct node *v, void *obj)
{
	int ret;

	if ((ret = qs__cfg_get_string(p, v, &p->c->link)) < 0)
		return ret;
	if (!strstr(p->c->link, "{msgid}"))
		return qs__cfg_fail(p, v, "expected a URL pattern containing {msgid}, got %s",
			    qs__cfg_describe(p, v));
	return 0;
}

/* base, upstream or a branch name: what `on` and placeholders name. */
int qs__cfg_get_start(struct parser *p, const struct node *n,
		     struct qs__start *start)
{
	char *s = NULL;
	int ret;

	start->at.line = n->line;
	start->at.column = n->column;
	if (n->kind != NODE_SCALAR)
		return qs__cfg_fail(p, n, "expected base, upstream or a branch name, got %s",
			    qs__cfg_describe(p, n));
	if ((ret = qs__cfg_get_string(p, n, &s)) < 0)
		return ret;
	if (!strcmp(s, "base")) {
		start->kind = QS__START_BASE;
		free(s);
	} else if (!strcmp(s, "upstream")) {
		start->kind = QS__START_UPSTREAM;
		free(s);
	} else {
		start->kind = QS__START_BRANCH;
		start->branch = s;
		if (!qs__cfg_branch_name_is_valid(s))
			return qs__cfg_fail(p, n, "%s is not a valid branch name",
				    qs__cfg_describe(p, n));
	}
	return 0;
}
