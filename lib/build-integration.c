// SPDX-License-Identifier: GPL-2.0-only
/*
 * Integration: where a branch starts (the base, upstream, a branch built
 * earlier in the run, an external tree fetched from its URL) and the
 * merges of everything after its first start, as git merge makes them.
 * Integration branches are nothing but that; tree branches use it for
 * their starts.
 */
#include "internal.h"
#include "build-internal.h"
#include "commit.h"
#include "git-exec.h"
#include "merge.h"
#include "tree-path.h"

#include <dirent.h>

/* The first line git wrote that says something: reports are one line a branch. */
static const char *first_line(qs_buf *err)
{
	char *p = err->ptr, *nl;

	while (*p == '\n')
		p++;
	if ((nl = strchr(p, '\n')))
		*nl = '\0';
	return *p ? p : "git fetch failed";
}

/*
 * 0 and `*out`; 1 when it cannot be fetched (br says why); 2 in a dry run
 * when it never was (br says it would be); < 0 on errors.
 *
 * Fetch an external tree into its local ref with the system git, so that
 * every URL git accepts works as it does for the user, and the user's
 * keys, agents, helpers and URL rewrites apply; then let the build's
 * object store see what came. A dry run fetches nothing: it uses what an
 * earlier build fetched, and says when there is none.
 */
static int fetch_remote(struct build_ctx *c, git_oid *out, const struct qs__start *s,
			struct qs_build_branch *br)
{
	qs_buf spec = QS_BUF_INIT, url = QS_BUF_INIT, err = QS_BUF_INIT;
	const char *argv[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
			       "--", NULL, NULL, NULL };
	git_odb *odb = NULL;
	int ret = 0, status;

	if (!(c->flags & QS_BUILD_DRY_RUN)) {
		qs_buf_addf(&spec, "+%s%s:%s", strncmp(s->ref, "refs/", 5) ? "refs/heads/" : "",
			    s->ref, s->local_ref);
		if (qs_buf_oom(&spec) || (ret = qs__git_url(&url, c->cfg->dir, s->url)) < 0 ||
		    qs_buf_oom(&url)) {
			ret = ret < 0 ? ret : QS_ENOMEM;
			goto done;
		}
		argv[5] = url.ptr;
		argv[6] = spec.ptr;
		if ((ret = qs__git_run(&status, NULL, &err, git_repository_commondir(c->repo),
				       argv)) < 0)
			goto done;
		if (status != 0) {
			ret = qs__set_text(&br->error, "cannot fetch '%s' from %s: %s",
					   s->ref, s->url, first_line(&err)) ? QS_ENOMEM : 1;
			goto done;
		}
		if (git_repository_odb(&odb, c->srepo) < 0 || git_odb_refresh(odb) < 0) {
			ret = qs__error_git("cannot read the fetched objects");
			goto done;
		}
	}
	if (git_reference_name_to_id(out, c->repo, s->local_ref) < 0 &&
	    (c->flags & QS_BUILD_DRY_RUN)) {
		/* not a failure: the build would fetch it, and cannot say more */
		br->status = QS_BRANCH_SKIPPED;
		ret = qs__set_text(&br->reason, "would fetch '%s' from %s first",
				   s->ref, s->url) ? QS_ENOMEM : 2;
		goto done;
	} else if (!git_reference_name_to_id(out, c->repo, s->local_ref)) {
		goto done;
	} else {
		ret = qs__set_text(&br->error, "'%s' of %s was not fetched", s->ref,
				   s->url) ? QS_ENOMEM : 1;
		goto done;
	}
done:
	git_odb_free(odb);
	qs_buf_release(&spec);
	qs_buf_release(&url);
	qs_buf_release(&err);
	if (ret == 1)
		br->status = QS_BRANCH_FAILED;
	return ret;
}

/*
 * The commit a start names. 0; 1 when it is a branch that was not
 * built (then `br` is blocked on it) or a remote that cannot be
 * fetched; < 0 on errors.
 */
static int start_tip(struct build_ctx *c, git_oid *out, const struct qs__start *s,
		     struct qs_build_branch *br)
{
	const struct qs_build_branch *dep;

	switch (s->kind) {
	case QS__START_BASE:
		git_oid_cpy(out, &c->base);
		return 0;
	case QS__START_UPSTREAM:
		git_oid_cpy(out, &c->upstream);
		return 0;
	case QS__START_REMOTE:
		return fetch_remote(c, out, s, br);
	case QS__START_BRANCH:
		break;
	default:
		return qs__error_set(QS_ECONFIG, "branch '%s' starts from nothing",
				     br->name);
	}
	dep = qs__report_find(c->b, s->branch);
	if (dep && dep->built) {
		git_oid_cpy(out, &dep->new);
		return 0;
	}
	br->status = QS_BRANCH_BLOCKED;
	if (qs__set_text(&br->depends_on, "%s", s->branch) < 0)
		return QS_ENOMEM;
	if (dep && dep->error)
		return qs__set_text(&br->error, "waits on %s: %s", s->branch, dep->error) ? QS_ENOMEM : 1;
	return qs__set_text(&br->error, "waits on %s, which was not built",
			s->branch) ? QS_ENOMEM : 1;
}

const char *qs__start_label(const struct qs__start *s)
{
	switch (s->kind) {
	case QS__START_BASE: return "base";
	case QS__START_UPSTREAM: return "upstream";
	case QS__START_REMOTE: return s->ref;
	default: return s->branch;
	}
}

/*
 * A merge of `ours` and `theirs` that failed with `code` (libgit2 refuses
 * to put a path it takes for unsafe in an index): 1 and br's error when
 * one side holds a path git refuses, else `code` with its message back.
 * Read only on that failure: the whole of both trees is walked.
 */
static int refused_side(struct build_ctx *c, int code, const git_oid *ours,
			const git_oid *theirs, const struct qs__start *s,
			struct qs_build_branch *br)
{
	static const char *const side_names[2] = { "it", "the branch it merges into" };
	const git_oid *sides[2] = { theirs, ours };
	char *saved = qs__strdup(qs_error_last()->message), *path = NULL;
	const char *why = NULL;
	git_oid tree;
	size_t i = 0;
	int ret = QS_ENOTFOUND;

	if (!saved)
		return QS_ENOMEM;
	for (;;) {
		if ((ret = qs__commit_info(&tree, NULL, NULL, c->srepo, sides[i])) < 0 ||
		    (ret = qs__tree_find_refused(&path, &why, c->srepo, &tree,
						 NULL, 0)) != QS_ENOTFOUND ||
		    ++i == 2)
			break;
	}
	if (ret == 0)
		ret = qs__set_text(&br->error, "merging %s: unsafe path '%s' in %s: %s",
				   qs__start_label(s), path, side_names[i], why)
		      ? QS_ENOMEM : 1;
	else if (ret == QS_ENOTFOUND)
		ret = qs__error_set(code, "%s", saved);
	free(path);
	free(saved);
	return ret;
}

/*
 * A merge made the tree `merged`: 1 and br's error when a tree it made
 * anew (not one of the sides', at the same place) holds a path git
 * refuses, brought by a side that was not quiltsync's making; else 0.
 */
static int refused_merge(struct build_ctx *c, const git_oid *merged,
			 const git_oid *ours, const git_oid *theirs,
			 const struct qs__start *s, struct qs_build_branch *br)
{
	git_oid trees[2];
	const git_oid *known[2] = { &trees[0], &trees[1] };
	char *path = NULL;
	const char *why = NULL;
	int ret;

	if ((ret = qs__commit_info(&trees[0], NULL, NULL, c->srepo, ours)) < 0 ||
	    (ret = qs__commit_info(&trees[1], NULL, NULL, c->srepo, theirs)) < 0)
		return ret;
	ret = qs__tree_find_refused(&path, &why, c->srepo, merged, known, 2);
	if (ret == 0)
		ret = qs__set_text(&br->error, "merging %s: unsafe path '%s' in the merge: %s",
				   qs__start_label(s), path, why) ? QS_ENOMEM : 1;
	else if (ret == QS_ENOTFOUND)
		ret = 0;
	free(path);
	return ret;
}

/*
 * Merge `theirs` into `*tip` for branch `br` with git's merge message.
 * 0; 1 on an unresolved conflict (br says which files) or a path git
 * refuses (br says which); < 0 on errors.
 */
static int merge_into(struct build_ctx *c, git_oid *tip, const git_oid *theirs,
		      const struct qs__start *s, struct qs_build_branch *br)
{
	struct qs__merge_result r;
	struct qs__ident who;
	struct qs__sha1 h;
	char key[GIT_OID_HEXSZ + 1];
	git_oid parents[2], out;
	int64_t t1, t2;
	int o1, o2, ret;
	qs_buf msg = QS_BUF_INIT;
	size_t i;

	memset(&r, 0, sizeof(r));
	/* as git merge: nothing to do when up to date, a fast-forward when behind */
	if (git_merge_base(&out, c->srepo, tip, theirs) == 0) {
		if (git_oid_equal(&out, theirs))
			return 0;
		if (git_oid_equal(&out, tip)) {
			git_oid_cpy(tip, theirs);
			return 0;
		}
	}
	if (s->kind == QS__START_REMOTE)
		qs_buf_addf(&msg, "Merge branch '%s' of %s into %s\n",
			    !strncmp(s->ref, "refs/heads/", 11) ? s->ref + 11 : s->ref,
			    s->url, br->name);
	else
		qs_buf_addf(&msg, "Merge branch '%s' into %s\n", qs__start_label(s),
			    br->name);
	if (qs_buf_oom(&msg))
		return QS_ENOMEM;
	qs__key_start(&h, c->cfg, "merge");
	qs__key_add_oid(&h, tip);
	qs__key_add_oid(&h, theirs);
	qs__key_add(&h, msg.ptr);
	qs__key_add(&h, c->resolutions_key);
	qs__key_finish(&h, key);
	if (qs__cache_lookup(&c->cache, c->srepo, key, &out, NULL) &&
	    (ret = qs__store_check_commit(c->store, &out, tip,
					  !!(c->flags & QS_BUILD_VERIFY), NULL)) != 0) {
		if (ret > 0) {
			git_oid_cpy(tip, &out);
			ret = qs__cache_remember(&c->cache, key, &out, NULL);
		}
		goto done;
	}
	if ((ret = qs__merge_commits(&r, c->srepo, tip, theirs,
				     c->cfg->resolutions)) < 0) {
		if (ret == QS_EGIT)
			ret = refused_side(c, ret, tip, theirs, s, br);
		goto done;
	}
	if (r.nleft) {
		br->status = QS_BRANCH_CONFLICT;
		br->has_merge = 1;
		git_oid_cpy(&br->ours, tip);
		git_oid_cpy(&br->theirs, theirs);
		git_oid_tostr(br->ours_hex, sizeof(br->ours_hex), tip);
		git_oid_tostr(br->theirs_hex, sizeof(br->theirs_hex), theirs);
		br->conflicts = qs__calloc(r.nfiles ? r.nfiles : 1, sizeof(*br->conflicts));
		if (!br->conflicts) {
			ret = QS_ENOMEM;
			goto done;
		}
		for (i = 0; i < r.nfiles; i++) {
			size_t k, left = 0;

			for (k = 0; k < r.files[i].nhunks; k++)
				left += !r.files[i].hunks[k].resolved;
			br->conflicts[i].path = qs__strdup(r.files[i].path);
			br->conflicts[i].hunks = left;
			br->nconflicts++;
			if (!br->conflicts[i].path) {
				ret = QS_ENOMEM;
				goto done;
			}
		}
		ret = qs__set_text(&br->error, "merging %s: %zu conflicting file%s",
			       qs__start_label(s), r.nfiles, r.nfiles == 1 ? "" : "s")
		      ? QS_ENOMEM : 1;
		goto done;
	}
	if ((ret = refused_merge(c, &r.tree, tip, theirs, s, br)) != 0)
		goto done;
	if ((ret = qs__commit_info(NULL, &t1, &o1, c->srepo, tip)) < 0 ||
	    (ret = qs__commit_info(NULL, &t2, &o2, c->srepo, theirs)) < 0)
		goto done;
	/* no clock: the later of the two parents' dates */
	who.name = c->cfg->committer_name;
	who.email = c->cfg->committer_email;
	who.time = t1 >= t2 ? t1 : t2;
	who.offset = t1 >= t2 ? o1 : o2;
	git_oid_cpy(&parents[0], tip);
	git_oid_cpy(&parents[1], theirs);
	if ((ret = qs__commit_write(&out, c->store, &r.tree, parents, 2, &who,
				    &who, msg.ptr)) < 0 ||
	    (ret = qs__cache_remember(&c->cache, key, &out, NULL)) < 0)
		goto done;
	git_oid_cpy(tip, &out);
	ret = 0;
done:
	qs__merge_result_clear(&r);
	qs_buf_release(&msg);
	return ret;
}

/*
 * The start of a branch: its first start, with the others merged in.
 * What each start resolved to is kept for the manifest.
 */
int qs__start_of(struct build_ctx *c, git_oid *tip, struct qs_build_branch *br)
{
	const struct qs__start *on = br->plan->on;
	size_t i, n = br->plan->non;
	int ret;

	br->start_ids = qs__calloc(n, sizeof(*br->start_ids));
	br->start_known = qs__calloc(n, 1);
	if (!br->start_ids || !br->start_known)
		return QS_ENOMEM;
	if ((ret = start_tip(c, tip, &on[0], br)) != 0)
		return ret;
	git_oid_cpy(&br->start_ids[0], tip);
	br->start_known[0] = 1;
	for (i = 1; i < n; i++) {
		git_oid theirs;

		if ((ret = start_tip(c, &theirs, &on[i], br)) != 0)
			return ret;
		git_oid_cpy(&br->start_ids[i], &theirs);
		br->start_known[i] = 1;
		if ((ret = merge_into(c, tip, &theirs, &on[i], br)) != 0)
			return ret;
	}
	return 0;
}

int qs__build_integration(struct build_ctx *c, struct qs_build_branch *br)
{
	git_oid tip;
	int ret;

	qs__build_progress(c, br->name);
	ret = qs__start_of(c, &tip, br);
	if (ret == 2)
		return 0;	/* a dry run that would fetch first */
	if (ret == 1) {
		if (br->status != QS_BRANCH_BLOCKED && br->status != QS_BRANCH_CONFLICT)
			br->status = QS_BRANCH_FAILED;
		return 0;
	}
	if (ret < 0)
		return ret;
	ret = qs__report_finish(br, &tip);
	if (ret == 0)
		ret = qs__set_text(&br->reason, "%zu branches merged%s", br->plan->non,
				   br->status == QS_BRANCH_UNCHANGED ? ", unchanged" : "");
	return ret;
}

static int name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A key for the recorded resolutions: their names and contents. */
int qs__resolutions_key(struct build_ctx *c)
{
	struct qs__sha1 h;
	qs_buf path = QS_BUF_INIT;
	char **list = NULL;
	size_t n = 0, alloc = 0, i;
	int ret = 0;
	DIR *d;
	struct dirent *de;

	qs__sha1_init(&h);
	d = c->cfg->resolutions ? opendir(c->cfg->resolutions) : NULL;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (QS_ARRAY_GROW(list, alloc, n + 1) < 0 ||
		    !(list[n] = qs__strdup(de->d_name))) {
			ret = QS_ENOMEM;
			goto done;
		}
		n++;
	}
	if (n)
		qsort(list, n, sizeof(*list), name_order);
	for (i = 0; i < n; i++) {
		qs_buf data = QS_BUF_INIT;

		qs_buf_clear(&path);
		qs_buf_addf(&path, "%s/%s", c->cfg->resolutions, list[i]);
		qs__key_add(&h, list[i]);
		if (!qs_buf_oom(&path) && qs__read_file(&data, path.ptr) == 0)
			qs__sha1_update(&h, data.ptr, data.len);
		qs_buf_release(&data);
		qs_error_clear();
	}
	qs__key_finish(&h, c->resolutions_key);
done:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	qs_buf_release(&path);
	return ret;
}
