// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tree branches: a section's patches on the branch's start. A rebuilt
 * branch is made anew from its start every time; an append-only one
 * (mm-stable) is never rewritten: its commits must still be the
 * section's first patches, one for one, and new patches go on its tip.
 */
#include "internal.h"
#include "build-internal.h"
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

/*
 * An append-only branch: its own commits (those not in its start) must
 * be the section's first entries, one for one, each the same patch
 * (the same tree on the same parent) with the same message. Returns 0
 * with `*tip` the branch's tip and `*matched` the entries it already
 * has; QS_EREWRITE when they differ.
 */
static int match_append(struct build_ctx *c, struct qs_build_branch *br,
			const char *section, const git_oid *start, const qs_series_entry *const *v,
			size_t n, size_t *matched)
{
	git_revwalk *walk = NULL;
	git_oid *own = NULL, id;
	size_t nown = 0, alloc = 0, i;
	char hex[GIT_OID_HEXSZ + 1];
	int ret = 0;

	*matched = 0;
	if (git_revwalk_new(&walk, c->srepo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, &br->old) < 0 ||
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
	for (i = 0; i < nown; i++) {
		struct qs_build_branch probe;
		struct patch_commit pc;
		git_commit *commit = NULL;
		git_oid made, made_tree;
		const qs_patch *p;
		char *subject;
		int same = 0;

		git_oid_tostr(hex, 8, &own[i]);
		if (i >= n) {
			subject = commit_subject(c->srepo, &own[i]);
			ret = qs__error_set(QS_EREWRITE,
					    "append-only branch '%s': commit %s '%s' is no longer in section '%s' of the queue",
					    br->name, hex, subject ? subject : "", section);
			free(subject);
			goto done;
		}
		memset(&pc, 0, sizeof(pc));
		pc.entry = v[i];
		pc.how = PATCH_COMMITTED;
		git_oid_cpy(&pc.commit, &own[i]);
		p = qs_queue_patch(c->queue, v[i]);
		if (!p) {
			/* committed, file gone: nothing to compare */
			if ((ret = qs__report_add_commit(br, &pc)) < 0)
				goto done;
			continue;
		}
		if (git_commit_lookup(&commit, c->srepo, &own[i]) < 0) {
			ret = qs__error_git("cannot read a commit");
			goto done;
		}
		memset(&probe, 0, sizeof(probe));
		probe.name = br->name;
		ret = qs__commit_patch(c, &made, git_commit_parent_id(commit, 0), v[i],
				       0, &probe, &pc);
		/* made by us before: the very same commit */
		if (ret == 0 && git_oid_equal(&made, &own[i]))
			same = 1;
		else if (ret == 0 && qs__commit_info(&made_tree, NULL, NULL, c->srepo, &made) == 0) {
			git_commit *m = NULL;

			if (git_commit_lookup(&m, c->srepo, &made) == 0) {
				same = git_oid_equal(&made_tree, git_commit_tree_id(commit)) &&
				       !strcmp(git_commit_message_raw(m),
					       git_commit_message_raw(commit));
				git_commit_free(m);
			}
		}
		free(probe.error);
		free(probe.failed_file);
		git_commit_free(commit);
		if (ret < 0)
			goto done;
		if (!same) {
			subject = commit_subject(c->srepo, &own[i]);
			ret = qs__error_set_at(QS_EREWRITE, qs_series_path(qs_queue_series(c->queue)),
					       qs_entry_line(v[i]),
					       "append-only branch '%s': '%s' changed in the queue since it was committed as %s '%s'",
					       br->name, qs_entry_name(v[i]), hex,
					       subject ? subject : "");
			free(subject);
			goto done;
		}
		if (qs_entry_kind_of(v[i]) == QS_ENTRY_COMMITTED)
			pc.how = PATCH_COMMITTED;
		git_oid_cpy(&pc.commit, &own[i]);
		if ((ret = qs__report_add_commit(br, &pc)) < 0)
			goto done;
	}
	*matched = nown;
done:
	free(own);
	git_revwalk_free(walk);
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
		ret = match_append(c, br, pb->section_name, &tip, v, n, &matched);
		if (ret == QS_EREWRITE && (c->flags & QS_BUILD_ALLOW_REWRITE)) {
			qs_error_clear();
			br->ncommits = 0;
			matched = 0;
		} else if (ret < 0) {
			return ret;
		} else {
			git_oid_cpy(&tip, &br->old);
		}
		br->patches = matched;
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
