/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The base of per-series branches. "previous-rc3" is found by version
 * number, not by tag date: tags are often created or fetched out of
 * order, and a kernel mirror holds tags from side histories (stable
 * trees, other maintainers) that must not be picked.
 */
#include "internal.h"
#include "base.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define TAGS_PREFIX "refs/tags/"

struct candidate {
	char *name;		/* without refs/tags/ */
	git_oid target;		/* what the ref points at: tag or commit */
	int64_t *version;	/* one per capture group; -1: did not match */
	size_t ngroups;
};

struct candidates {
	struct candidate *items;
	size_t n, alloc;
	size_t ngroups;
};

static void candidates_release(struct candidates *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->items[i].name);
		free(c->items[i].version);
	}
	free(c->items);
}

/*
 * A capture read as a number: its leading decimal digits, saturated so
 * that an absurdly long number still sorts above the others. A capture
 * with no leading digit counts as a group that did not take part.
 */
static int64_t capture_number(const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	if (!len || s[0] < '0' || s[0] > '9')
		return -1;
	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - 9) / 10)
			return INT64_MAX;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Highest version first; equal versions by name, so the order is total. */
static int candidate_cmp(const void *a_, const void *b_)
{
	const struct candidate *a = a_, *b = b_;
	size_t i;

	for (i = 0; i < a->ngroups; i++) {
		if (a->version[i] != b->version[i])
			return a->version[i] > b->version[i] ? -1 : 1;
	}
	return strcmp(a->name, b->name);
}

static int collect_tags(struct candidates *c, size_t *nmatched,
			git_repository *repo, pcre2_code *re)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *resolved = NULL;
	pcre2_match_data *md = NULL;
	int ret = 0, err;

	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md) {
		ret = qs__error_oom();
		goto done;
	}
	if (git_reference_iterator_glob_new(&it, repo, TAGS_PREFIX "*") < 0) {
		ret = qs__error_git("cannot list tags");
		goto done;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref) + strlen(TAGS_PREFIX);
		PCRE2_SIZE *ov;
		struct candidate *cand;
		size_t g;
		int rc;

		rc = pcre2_match(re, (PCRE2_SPTR)name, strlen(name), 0, 0, md,
				 NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			goto next;
		if (rc < 0) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			ret = qs__error_set(QS_ECONFIG,
					    "cannot match tag '%s': %s", name,
					    (const char *)msg);
			goto done;
		}
		/* a symbolic tag is unusual but legal: follow it */
		if (git_reference_resolve(&resolved, ref) < 0)
			goto next;
		(*nmatched)++;
		if (QS_ARRAY_GROW(c->items, c->alloc, c->n + 1) < 0) {
			ret = QS_ENOMEM;
			goto done;
		}
		cand = &c->items[c->n];
		cand->name = qs__strdup(name);
		cand->version = qs__calloc(c->ngroups, sizeof(*cand->version));
		if (!cand->name || !cand->version) {
			free(cand->name);
			free(cand->version);
			ret = QS_ENOMEM;
			goto done;
		}
		cand->ngroups = c->ngroups;
		git_oid_cpy(&cand->target, git_reference_target(resolved));
		ov = pcre2_get_ovector_pointer(md);
		for (g = 0; g < c->ngroups; g++) {
			PCRE2_SIZE s = ov[2 * (g + 1)], e = ov[2 * (g + 1) + 1];

			/* groups past rc did not take part; so did unset ones */
			if ((int)(g + 1) >= rc || s == PCRE2_UNSET)
				cand->version[g] = -1;
			else
				cand->version[g] = capture_number(name + s, e - s);
		}
		c->n++;
next:
		git_reference_free(resolved);
		resolved = NULL;
		git_reference_free(ref);
		ref = NULL;
	}
	if (err != GIT_ITEROVER)
		ret = qs__error_git("cannot list tags");
done:
	git_reference_free(resolved);
	git_reference_free(ref);
	git_reference_iterator_free(it);
	pcre2_match_data_free(md);
	return ret;
}

/*
 * 1 when `target` peels to a commit that is `tip` or one of its
 * ancestors; `known` (may be NULL) is a commit already known to be one.
 */
static int reachable(git_oid *commit_out, git_repository *repo,
		     const git_oid *target, const git_oid *tip,
		     const git_oid *known)
{
	git_object *obj = NULL, *commit = NULL;
	int ret = 0;

	/* a tag of a tree or a blob, or of a missing object: not a base */
	if (git_object_lookup(&obj, repo, target, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		goto done;
	git_oid_cpy(commit_out, git_object_id(commit));
	if (git_oid_equal(commit_out, tip) ||
	    (known && git_oid_equal(commit_out, known))) {
		ret = 1;
		goto done;
	}
	ret = git_graph_descendant_of(repo, tip, commit_out);
	if (ret < 0)
		ret = qs__error_git("cannot walk the history of upstream");
done:
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

static int resolve_upstream(git_oid *out, git_repository *repo,
			    const char *upstream)
{
	git_object *obj = NULL, *commit = NULL;
	int ret = 0, err;

	err = git_revparse_single(&obj, repo, upstream);
	if (err == GIT_ENOTFOUND) {
		ret = qs__error_set(QS_ENOTFOUND, "upstream '%s' not found",
				    upstream);
		goto done;
	}
	if (err < 0) {
		ret = qs__error_set(QS_ECONFIG, "invalid upstream '%s': %s",
				    upstream, git_error_last() ?
				    git_error_last()->message : "unknown error");
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		ret = qs__error_set(QS_ECONFIG, "upstream '%s' is not a commit",
				    upstream);
		goto done;
	}
	git_oid_cpy(out, git_object_id(commit));
done:
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

static int previous_tag(git_oid *out, char **out_name, git_repository *repo,
			const char *upstream, const char *pattern,
			const git_oid *known)
{
	struct candidates c = { NULL, 0, 0, 0 };
	pcre2_code *re = NULL;
	PCRE2_SIZE erroff;
	uint32_t ngroups = 0;
	git_oid tip, commit;
	size_t nmatched = 0, i;
	int ret, errcode;

	ret = resolve_upstream(&tip, repo, upstream);
	if (ret < 0)
		goto done;
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0,
			   &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		ret = qs__error_set(QS_ECONFIG,
				    "invalid base pattern '%s': %s at offset %zu",
				    pattern, (const char *)msg, (size_t)erroff);
		goto done;
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ngroups) < 0 ||
	    ngroups == 0) {
		ret = qs__error_set(QS_ECONFIG,
				    "base pattern '%s' has no capture group to read a version from",
				    pattern);
		goto done;
	}
	c.ngroups = ngroups;
	ret = collect_tags(&c, &nmatched, repo, re);
	if (ret < 0)
		goto done;
	if (c.n > 1)
		qsort(c.items, c.n, sizeof(*c.items), candidate_cmp);
	/*
	 * From the highest version down: the answer is nearly always among
	 * the first few, and each test walks a kernel-sized history.
	 */
	for (i = 0; i < c.n; i++) {
		ret = reachable(&commit, repo, &c.items[i].target, &tip, known);
		if (ret < 0)
			goto done;
		if (ret == 1)
			break;
	}
	if (i == c.n) {
		ret = qs__error_set(QS_ENOTFOUND,
				    "no tag matching '%s' is reachable from '%s' (%zu tags match, none reachable)",
				    pattern, upstream, nmatched);
		goto done;
	}
	ret = 0;
	if (out_name) {
		*out_name = qs__strdup(c.items[i].name);
		if (!*out_name) {
			ret = QS_ENOMEM;
			goto done;
		}
	}
	git_oid_cpy(out, &commit);
done:
	candidates_release(&c);
	pcre2_code_free(re);
	return ret;
}

static int named_base(git_oid *out, char **out_name, git_repository *repo,
		      const char *base)
{
	git_reference *tag = NULL;
	git_object *obj = NULL, *commit = NULL;
	qs_buf refname = QS_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	bool is_tag = false;
	int ret = 0, err;

	/* a tag first, as the config's documentation says: "v6.9-rc3" */
	if (qs_buf_addf(&refname, TAGS_PREFIX "%s", base) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	err = git_reference_lookup(&tag, repo, refname.ptr);
	if (err == 0) {
		err = git_reference_peel(&obj, tag, GIT_OBJECT_ANY);
		is_tag = true;
	} else {
		err = git_revparse_single(&obj, repo, base);
	}
	if (err == GIT_ENOTFOUND) {
		ret = qs__error_set(QS_ENOTFOUND, "base '%s' not found", base);
		goto done;
	}
	if (err < 0) {
		ret = qs__error_set(QS_ECONFIG, "invalid base '%s': %s", base,
				    git_error_last() ?
				    git_error_last()->message : "unknown error");
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		ret = qs__error_set(QS_ECONFIG, "base '%s' is not a commit",
				    base);
		goto done;
	}
	git_oid_cpy(out, git_object_id(commit));
	if (out_name) {
		git_oid_tostr(hex, sizeof(hex), out);
		*out_name = qs__strdup(is_tag ? base : hex);
		if (!*out_name)
			ret = QS_ENOMEM;
	}
done:
	qs_buf_release(&refname);
	git_object_free(commit);
	git_object_free(obj);
	git_reference_free(tag);
	return ret;
}

int qs__base_resolve(git_oid *out, char **out_name, git_repository *repo,
		     const char *upstream, const char *base,
		     const char *pattern)
{
	return qs__base_resolve_known(out, out_name, repo, upstream, base,
				      pattern, NULL);
}

int qs__base_resolve_known(git_oid *out, char **out_name, git_repository *repo,
			   const char *upstream, const char *base,
			   const char *pattern, const git_oid *known)
{
	if (out_name)
		*out_name = NULL;
	if (!out || !repo || !base || !*base)
		return qs__error_set(QS_EINVAL, "qs__base_resolve: missing argument");
	if (strcmp(base, "previous-rc3"))
		return named_base(out, out_name, repo, base);
	if (!upstream || !*upstream || !pattern)
		return qs__error_set(QS_EINVAL,
				     "qs__base_resolve: previous-rc3 needs an upstream and a pattern");
	return previous_tag(out, out_name, repo, upstream, pattern, known);
}
