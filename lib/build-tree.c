// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tree branches: a section's patches on the branch's start. A rebuilt
 * branch is made anew from its start every time; an append-only one
 * (mm-stable) is never rewritten: its commits must still be the
 * section's first patches, one for one, and new patches go on its tip.
 */
#include "internal.h"
#include "build-internal.h"
#include "cherry.h"
#include "commit.h"

/* The first line of a commit's message, for messages about it. */
static char *commit_subject(git_repository *repo, const git_oid *id)
{
	git_commit *commit = NULL;
	char *s = NULL;

	if (git_commit_lookup(&commit, repo, id) == 0) {
		const char *m = git_commit_summary(commit);

		s = qs__strdup(m ? m : "");
	}
	git_commit_free(commit);
	return s;
}

/* The commits of `old` not in `start`, oldest first: an append-only branch's own. */
static int own_commits(struct build_ctx *c, const git_oid *old,
		       const git_oid *start, git_oid **out, size_t *n)
{
	git_revwalk *walk = NULL;
	git_oid *own = NULL, id;
	size_t nown = 0, alloc = 0;
	int ret = 0;

	if (git_revwalk_new(&walk, c->srepo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, old) < 0 ||
	    git_revwalk_hide(walk, start) < 0) {
		ret = qs__error_git("cannot walk an append-only branch");
		goto done;
	}
	while (git_revwalk_next(&id, walk) == 0) {
		if (QS_ARRAY_GROW(own, alloc, nown + 1) < 0) {
			ret = QS_ENOMEM;
			goto done;
		}
		git_oid_cpy(&own[nown++], &id);
	}
done:
	git_revwalk_free(walk);
	if (ret < 0) {
		free(own);
		own = NULL;
		nown = 0;
	}
	*out = own;
	*n = nown;
	return ret;
}

/*
 * Whether `old`, an ancestor of `start`, is on the line of `start`'s
 * first parents: an empty branch that upstream left behind, rather than
 * a branch upstream merged (its commits came in by a merge's second
 * parent). 1 or 0; < 0 on errors. Only the commits since `old`'s parents
 * are walked.
 */
static int followed_upstream(struct build_ctx *c, const git_oid *old,
			     const git_oid *start)
{
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid id;
	unsigned int i;
	int ret = 0;

	if (git_commit_lookup(&commit, c->srepo, old) < 0 ||
	    git_revwalk_new(&walk, c->srepo) < 0 ||
	    git_revwalk_simplify_first_parent(walk) < 0 ||
	    git_revwalk_push(walk, start) < 0) {
		ret = qs__error_git("cannot walk upstream");
		goto done;
	}
	for (i = 0; i < git_commit_parentcount(commit); i++)
		if (git_revwalk_hide(walk, git_commit_parent_id(commit, i)) < 0) {
			ret = qs__error_git("cannot walk upstream");
			goto done;
		}
	while (!ret && git_revwalk_next(&id, walk) == 0)
		ret = git_oid_equal(&id, old);
done:
	git_revwalk_free(walk);
	git_commit_free(commit);
	return ret;
}

/*
 * Whether an append-only branch starts again on its start: 1 when the
 * start holds every commit the branch has, merged as they are or applied
 * anew (compared by patch-id); `br->new_cycle` then says whether that is
 * a new cycle, or an empty branch its start moved past. 0 when not, with
 * `why_not` saying which commit the start lacks when it moved past the
 * branch (empty when it did not); < 0 on errors.
 */
static int new_cycle(struct build_ctx *c, struct qs_build_branch *br,
		     const git_oid *start, const git_oid *own, size_t nown,
		     qs_buf *why_not)
{
	char key[GIT_OID_HEXSZ + 1], hex[GIT_OID_HEXSZ + 1];
	const git_oid *since = NULL;
	qs_buf flags = QS_BUF_INIT;
	unsigned char *found;
	const char *note;
	struct qs__sha1 h;
	git_oid scanned;
	size_t missing, i;
	char *subject;
	int ret;

	if (git_oid_equal(&br->old, start))
		return 0;
	if (!nown) {
		/* the start holds the branch: it only moves forward */
		if ((ret = followed_upstream(c, &br->old, start)) < 0)
			return ret;
		br->new_cycle = !ret;
		return 1;
	}
	ret = git_graph_descendant_of(c->srepo, &br->old, start);
	if (ret < 0)
		return qs__error_git("cannot compare a branch with its start");
	if (ret == 1)
		return 0;	/* the start has nothing the branch lacks */
	/*
	 * How far an earlier build looked upstream for this branch's commits,
	 * and which it found: a scan goes on from there, so that a night
	 * costs the commits upstream gained that day, not the whole cycle.
	 */
	qs__key_start(&h, c->cfg, "upstream scanned for");
	qs__key_add_oid(&h, &br->old);
	qs__key_finish(&h, key);
	if (!(found = qs__calloc(nown, 1)))
		return QS_ENOMEM;
	if (qs__cache_lookup(&c->cache, c->srepo, key, &scanned, &note) &&
	    note && strlen(note) == nown &&
	    (git_oid_equal(&scanned, start) ||
	     git_graph_descendant_of(c->srepo, start, &scanned) == 1)) {
		for (i = 0; i < nown; i++)
			found[i] = note[i] == '1';
		since = &scanned;
	}
	qs_error_clear();
	ret = qs__cherry_all_upstream(c->srepo, start, &br->old, since, own, nown,
				      found, &missing);
	if (ret == 0) {
		for (i = 0; i < nown; i++)
			qs_buf_addch(&flags, found[i] ? '1' : '0');
		ret = qs_buf_oom(&flags) ? QS_ENOMEM :
		      qs__cache_remember(&c->cache, key, start, flags.ptr);
	}
	free(found);
	qs_buf_release(&flags);
	if (ret < 0)
		return ret;
	br->new_cycle = ret;
	if (ret == 0 && missing < nown) {
		subject = commit_subject(c->srepo, &own[missing]);
		git_oid_tostr(hex, 8, &own[missing]);
		qs_buf_addf(why_not, "; not a new cycle: commit %s '%s' is not in %s",
			    hex, subject ? subject : "",
			    br->plan->non == 1 ? qs__start_label(&br->plan->on[0]) : "its start");
		free(subject);
		if (qs_buf_oom(why_not))
			return QS_ENOMEM;
	}
	return ret;
}

/* The same person at the same moment, in the same time zone. */
static int same_signature(const git_signature *a, const git_signature *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->email, b->email) &&
	       a->when.time == b->when.time && a->when.offset == b->when.offset;
}

/*
 * Whether the commit `id` of an append-only branch is the patch of entry
 * `e`: the same tree on the same parent, with the same message and the
 * same author (name, e-mail, date, time zone). 1 or 0 (with `pc`
 * describing the commit), < 0 on errors.
 */
static int same_patch(struct build_ctx *c, struct qs_build_branch *br,
		      const git_oid *id, const qs_series_entry *e,
		      struct patch_commit *pc)
{
	struct qs_build_branch probe;
	git_commit *commit = NULL, *m = NULL;
	git_oid made, made_tree;
	int ret, same = 0;

	if (git_commit_lookup(&commit, c->srepo, id) < 0)
		return qs__error_git("cannot read a commit");
	memset(&probe, 0, sizeof(probe));
	probe.name = br->name;
	ret = qs__commit_patch(c, &made, git_commit_parent_id(commit, 0), e, 0,
			       &probe, pc);
	/* made by us before: the very same commit */
	if (ret == 0 && git_oid_equal(&made, id))
		same = 1;
	else if (ret == 0 && qs__commit_info(&made_tree, NULL, NULL, c->srepo, &made) == 0 &&
		 git_commit_lookup(&m, c->srepo, &made) == 0)
		same = git_oid_equal(&made_tree, git_commit_tree_id(commit)) &&
		       !strcmp(git_commit_message_raw(m), git_commit_message_raw(commit)) &&
		       same_signature(git_commit_author(m), git_commit_author(commit));
	git_commit_free(m);
	free(probe.error);
	free(probe.failed_file);
	git_commit_free(commit);
	return ret < 0 ? ret : same;
}

/* A committed (##) entry whose patch file is gone: kept for the record only. */
static int committed_record(struct build_ctx *c, const qs_series_entry *e)
{
	return qs_entry_kind_of(e) == QS_ENTRY_COMMITTED && !qs_queue_patch(c->queue, e);
}

/*
 * An append-only branch: its own commits (`own`, oldest first) must be
 * the section's first entries, one for one, each the same patch (the
 * same tree on the same parent) with the same message. A committed entry
 * whose file is gone cannot be compared: it stands for the next commit,
 * unless that commit is the next entry that has a file (the branch was
 * made without the records: quiltsync makes no commit for them). Returns
 * 0 with `*matched` the entries the branch already has; QS_EREWRITE when
 * they differ, its message ending in `why_not`.
 */
static int match_append(struct build_ctx *c, struct qs_build_branch *br,
			const char *section, const git_oid *own, size_t nown,
			const qs_series_entry *const *v, size_t n,
			const char *why_not, size_t *matched)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, j, k;
	char *subject;
	int ret = 0;

	*matched = 0;
	for (i = 0, j = 0; i < nown; i++, j++) {
		struct patch_commit pc;

		for (k = j; k < n && committed_record(c, v[k]); k++)
			;
		if (k > j && k < n) {
			memset(&pc, 0, sizeof(pc));
			if ((ret = same_patch(c, br, &own[i], v[k], &pc)) < 0)
				goto done;
			if (ret == 1)
				j = k;
		}
		git_oid_tostr(hex, 8, &own[i]);
		if (j >= n) {
			subject = commit_subject(c->srepo, &own[i]);
			ret = qs__error_set(QS_EREWRITE,
					    "append-only branch '%s': commit %s '%s' is no longer in section '%s' of the queue%s",
					    br->name, hex, subject ? subject : "", section, why_not);
			free(subject);
			goto done;
		}
		memset(&pc, 0, sizeof(pc));
		/* a file gone (committed, or missing today): nothing to compare */
		ret = qs_queue_patch(c->queue, v[j]) ? same_patch(c, br, &own[i], v[j], &pc) : 1;
		if (ret < 0)
			goto done;
		if (!ret) {
			subject = commit_subject(c->srepo, &own[i]);
			ret = qs__error_set_at(QS_EREWRITE, qs_series_path(qs_queue_series(c->queue)),
					       qs_entry_line(v[j]),
					       "append-only branch '%s': '%s' changed in the queue since it was committed as %s '%s'%s",
					       br->name, qs_entry_name(v[j]), hex,
					       subject ? subject : "", why_not);
			free(subject);
			goto done;
		}
		pc.entry = v[j];
		pc.how = PATCH_COMMITTED;
		git_oid_cpy(&pc.commit, &own[i]);
		if ((ret = qs__report_add_commit(br, &pc)) < 0)
			goto done;
	}
	*matched = j;
	ret = 0;
done:
	return ret;
}

/* Whether the build may rebuild the append-only branch `name` from its start. */
static int may_rewrite(const struct build_ctx *c, const char *name)
{
	const char *const *allowed = c->allow_rewrite;

	if (c->flags & QS_BUILD_ALLOW_REWRITE)
		return 1;
	while (allowed && *allowed)
		if (!strcmp(*allowed++, name))
			return 1;
	return 0;
}

/*
 * Where an existing append-only branch goes on: `*tip` (its start on
 * entry) becomes the commit the section's entries from `*matched` on
 * are committed on. That is its old tip, its own commits matching the
 * queue; or its start, when a new cycle begins or the caller allows a
 * rewrite. QS_EREWRITE otherwise.
 */
static int append_point(struct build_ctx *c, struct qs_build_branch *br,
			git_oid *tip, size_t *matched)
{
	const struct qs__plan_branch *pb = br->plan;
	qs_buf why_not = QS_BUF_INIT;
	git_oid *own = NULL;
	size_t nown = 0;
	int ret;

	*matched = 0;
	if ((ret = own_commits(c, &br->old, tip, &own, &nown)) < 0 ||
	    (ret = new_cycle(c, br, tip, own, nown, &why_not)) < 0)
		goto done;
	if (ret == 1) {
		ret = 0;	/* from the start, with every entry */
		goto done;
	}
	ret = match_append(c, br, pb->section_name, own, nown, pb->entries,
			   pb->nentries, why_not.ptr ? why_not.ptr : "", matched);
	if (ret == QS_EREWRITE && may_rewrite(c, br->name)) {
		qs_error_clear();
		qs__report_reset_patches(br);
		*matched = 0;
		ret = 0;
	} else if (ret == 0) {
		git_oid_cpy(tip, &br->old);
	}
done:
	qs_buf_release(&why_not);
	free(own);
	return ret;
}

int qs__build_tree_branch(struct build_ctx *c, struct qs_build_branch *br)
{
	const struct qs__plan_branch *pb = br->plan;
	const qs_series_entry *const *v = pb->entries;
	size_t n = pb->nentries, matched = 0;
	git_oid tip;
	int ret;

	qs__build_progress(c, br->name);
	if ((ret = qs__start_of(c, &tip, br)) != 0)
		goto failed;
	if (pb->mode == QS_BRANCH_APPEND && br->has_old) {
		if ((ret = append_point(c, br, &tip, &matched)) < 0)
			return ret;
		br->patches = br->ncommits;
	}
	ret = qs__commit_entries(c, &tip, v + matched, n - matched,
				 qs__build_apply_flags(c), br);
	if (ret == 0)
		return qs__report_finish(br, &tip);
failed:
	if (ret == 1) {
		if (br->status != QS_BRANCH_BLOCKED && br->status != QS_BRANCH_CONFLICT)
			br->status = QS_BRANCH_FAILED;
		ret = 0;
	}
	return ret;
}
