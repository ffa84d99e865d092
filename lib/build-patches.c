// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commits from patches: each patch of the queue applied on its parent
 * as quilt push would, committed as git am would commit it (author and
 * message from the mail, the config's committer, the committer date
 * rule below), and found in the cache when nothing that made it changed.
 */
#include "internal.h"
#include "build-internal.h"
#include "commit.h"

/* The commit message: git am's, with a Link: trailer when asked for. */
static int patch_message(struct build_ctx *c, qs_buf *out, const qs_mail *mail)
{
	const char *msg = qs_mail_message(mail);
	const char *id = qs_mail_message_id(mail);
	const char *at;
	size_t i, n = qs_mail_trailer_count(mail);
	int has_link = 0;

	qs_buf_sets(out, msg);
	if (out->len && out->ptr[out->len - 1] != '\n')
		qs_buf_addch(out, '\n');
	for (i = 0; i < n; i++)
		if (!strcasecmp(qs_mail_trailer_byindex(mail, i)->key, "Link"))
			has_link = 1;
	if (!c->cfg->link || !id || !*id || has_link)
		return qs_buf_oom(out) ? QS_ENOMEM : 0;
	/* a trailer block at the end takes it; else it starts one */
	if (!n)
		qs_buf_addch(out, '\n');
	qs_buf_adds(out, "Link: ");
	at = strstr(c->cfg->link, "{msgid}");
	if (at) {
		qs_buf_add(out, c->cfg->link, (size_t)(at - c->cfg->link));
		qs_buf_adds(out, id);
		qs_buf_adds(out, at + strlen("{msgid}"));
	} else {
		qs_buf_adds(out, c->cfg->link);
	}
	qs_buf_addch(out, '\n');
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

/* Errors that are the patch's fault fail its branch, not the build. */
static int is_patch_error(int code)
{
	return code == QS_EAPPLY || code == QS_EUNSAFE || code == QS_EPARSE ||
	       code == QS_ENOTFOUND;
}

/*
 * How it applied, as the cache keeps it for later builds: "fuzz,3,1",
 * then a space and the ids of the trees and blobs the commit added to
 * its parent's (qs__store_record), which a later hit checks are there.
 */
static const char *const how_words[] = {
	[PATCH_CLEAN] = "clean", [PATCH_OFFSET] = "offset",
	[PATCH_FUZZ] = "fuzz", [PATCH_3WAY] = "3-way",
};

static void note_of(char *out, size_t size, const struct patch_commit *pc)
{
	snprintf(out, size, "%s,%ld,%d", how_words[pc->how], pc->offset, pc->fuzz);
}

/* 1 when `note` is a note of ours, read into pc. */
static int parse_note(struct patch_commit *pc, const char *note)
{
	size_t i, len;

	if (!note)
		return 0;
	for (i = 0; i < QS_ARRAY_SIZE(how_words); i++) {
		len = strlen(how_words[i]);
		if (!strncmp(note, how_words[i], len) && note[len] == ',' &&
		    sscanf(note + len + 1, "%ld,%d", &pc->offset, &pc->fuzz) == 2) {
			pc->how = (patch_how)i;
			return 1;
		}
	}
	return 0;
}

static void how_of(struct patch_commit *pc, const qs_apply_result *res)
{
	size_t i, n = qs_apply_result_hunk_count(res);

	switch (qs_apply_result_status(res)) {
	case QS_APPLIED_OFFSET: pc->how = PATCH_OFFSET; break;
	case QS_APPLIED_FUZZ: pc->how = PATCH_FUZZ; break;
	case QS_APPLIED_3WAY: pc->how = PATCH_3WAY; break;
	default: pc->how = PATCH_CLEAN; break;
	}
	pc->fuzz = qs_apply_result_fuzz(res);
	pc->offset = 0;
	for (i = 0; i < n; i++) {
		long off = qs_apply_result_hunk_byindex(res, i)->offset;

		if (off < 0)
			off = -off;
		if (off > pc->offset)
			pc->offset = off;
	}
}

/*
 * The branch failed on `e`: why, and where when the result says. A
 * patch file that could not be loaded says so with its series line.
 */
static int patch_failed(struct qs_build_branch *br, const qs_series_entry *e,
			const qs_apply_result *res, const char *why)
{
	size_t i, n = res ? qs_apply_result_hunk_count(res) : 0;

	br->failed_entry = e;
	for (i = 0; i < n; i++) {
		const qs_hunk_report *h = qs_apply_result_hunk_byindex(res, i);

		if (!h->applied) {
			if (qs__set_text(&br->failed_file, "%s", h->path) < 0)
				return QS_ENOMEM;
			br->failed_hunk = h->hunk;
			break;
		}
	}
	return qs__set_text(&br->error, "%s: %s", qs_entry_name(e), why) ? QS_ENOMEM : 1;
}

int qs__commit_patch(struct build_ctx *c, git_oid *out, const git_oid *parent,
		     const qs_series_entry *e, unsigned int apply_flags,
		     struct qs_build_branch *br, struct patch_commit *pc)
{
	const qs_patch *p = qs_queue_patch(c->queue, e);
	qs_diff_options dopts = QS_DIFF_OPTIONS_INIT;
	qs_apply_result *res = NULL;
	qs_diff *diff = NULL;
	qs_buf msg = QS_BUF_INIT, note = QS_BUF_INIT, ids = QS_BUF_INIT;
	struct qs__ident author, committer;
	struct patch_commit local;
	struct qs__sha1 h;
	char key[GIT_OID_HEXSZ + 1], flags[32], how[64];
	const char *content, *cached_note, *added;
	const qs_mail *mail;
	git_oid tree;
	int64_t ptime;
	int poff, ret;
	size_t len;

	if (!pc)
		pc = &local;
	memset(pc, 0, sizeof(*pc));
	pc->entry = e;
	if (!p) {
		const char *why = qs_queue_entry_error(c->queue, e);

		return patch_failed(br, e, NULL, why ? why : "no patch file");
	}
	content = qs_patch_content(p, &len);
	if (!len) {
		/* quilt pushes an empty patch, git am refuses it: no commit */
		git_oid_cpy(out, parent);
		git_oid_cpy(&pc->commit, parent);
		br->patches++;
		c->prog.patches_done++;
		return 0;
	}
	snprintf(flags, sizeof(flags), "p%d R%d F%d 3w%u", qs_entry_strip(e),
		 qs_entry_reverse(e), c->cfg->fuzz, apply_flags);
	qs__key_start(&h, c->cfg, "patch");
	qs__key_add_oid(&h, parent);
	qs__key_add(&h, qs_patch_content_id(p));
	qs__key_add(&h, flags);
	qs__key_finish(&h, key);
	br->patches++;
	c->prog.patches_done++;
	/* an entry of an older cache, without how it applied, is applied again */
	if (qs__cache_lookup(&c->cache, c->srepo, key, out, &cached_note) &&
	    parse_note(pc, cached_note)) {
		/* what it stands on missing or damaged: made again below */
		added = strchr(cached_note, ' ');
		if ((ret = qs__store_check_commit(c->store, out, parent,
						  !!(c->flags & QS_BUILD_VERIFY),
						  added ? added + 1 : NULL)) < 0)
			return ret;
		if (ret) {
			git_oid_cpy(&pc->commit, out);
			return qs__cache_remember(&c->cache, key, out, cached_note);
		}
	}
	br->applied++;
	if ((ret = qs__commit_info(&tree, &ptime, &poff, c->srepo, parent)) < 0)
		return ret;
	mail = qs_patch_mail(p);
	/*
	 * GNU patch reads the whole file (an "Index:" line among the mail
	 * headers names a file to it), as `quiltsync apply` does.
	 */
	dopts.path = qs_patch_path(p);
	qs__applier_set_flags(c->ap, apply_flags);
	qs__store_record(c->store, &ids);
	ret = qs_diff_parse(&diff, content, len, &dopts) < 0 ||
	      qs_apply_diff(&res, c->ap, &tree, diff, qs_entry_strip(e),
			    qs_entry_reverse(e)) < 0;
	qs__store_record(c->store, NULL);
	/* now: a cleared error record below (no date) must not hide it */
	if (qs_buf_oom(&ids)) {
		ret = qs__error_oom();
		goto done;
	}
	if (ret) {
		const qs_error *err = qs_error_last();

		if (!is_patch_error(err->code)) {
			ret = err->code;
			goto done;
		}
		ret = patch_failed(br, e, NULL, err->message);
		goto done;
	}
	if (qs_apply_result_status(res) == QS_APPLY_FAILED) {
		ret = patch_failed(br, e, res, qs_apply_result_error(res));
		goto done;
	}
	how_of(pc, res);
	git_oid_cpy(&tree, qs_apply_result_tree(res));
	author.name = qs_mail_author_name(mail);
	author.email = qs_mail_author_email(mail);
	if (!*author.email && c->cfg->author_email) {
		/* a patch that names no author: the config's, as git quiltimport --author */
		author.name = c->cfg->author_name;
		author.email = c->cfg->author_email;
	}
	if (!*author.email) {
		/* git am stops here: "Patch does not have a valid e-mail address" */
		ret = patch_failed(br, e, NULL,
				   "the patch has no author e-mail address (the config's author: would be used)");
		goto done;
	}
	if (qs_mail_time(&author.time, &author.offset, mail) < 0) {
		/*
		 * git am would take the current time: that would make the id
		 * depend on the day. The parent's date is as good and fixed.
		 */
		qs_error_clear();
		author.time = ptime;
		author.offset = poff;
	}
	committer.name = c->cfg->committer_name;
	committer.email = c->cfg->committer_email;
	if (author.time >= ptime) {
		committer.time = author.time;
		committer.offset = author.offset;
	} else {
		committer.time = ptime;
		committer.offset = poff;
	}
	note_of(how, sizeof(how), pc);
	qs_buf_adds(&note, how);
	if (ids.len)
		qs_buf_addf(&note, " %s", ids.ptr);
	if (qs_buf_oom(&note)) {
		ret = qs__error_oom();
		goto done;
	}
	if ((ret = patch_message(c, &msg, mail)) < 0 ||
	    (ret = qs__commit_write(out, c->store, &tree, parent, 1, &author,
				    &committer, msg.ptr)) < 0 ||
	    (ret = qs__cache_remember(&c->cache, key, out, note.ptr)) < 0)
		goto done;
	git_oid_cpy(&pc->commit, out);
	ret = 0;
done:
	qs_buf_release(&msg);
	qs_buf_release(&note);
	qs_buf_release(&ids);
	qs_apply_result_free(res);
	qs_diff_free(diff);
	return ret;
}

int qs__commit_entries(struct build_ctx *c, git_oid *tip,
		       const qs_series_entry *const *v, size_t n,
		       unsigned int apply_flags, struct qs_build_branch *br)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		struct patch_commit pc;
		git_oid next;

		if (qs_entry_kind_of(v[i]) == QS_ENTRY_COMMITTED &&
		    !qs_queue_patch(c->queue, v[i])) {
			/*
			 * "##name.patch" with its file gone: the record of a
			 * commit made elsewhere (akpm's own mm-stable), for quilt
			 * a comment. There is nothing to make it from.
			 */
			br->records++;
			continue;
		}
		if ((ret = qs__commit_patch(c, &next, tip, v[i], apply_flags, br,
					    &pc)) != 0)
			return ret;
		if (!git_oid_equal(&next, tip) &&
		    (ret = qs__report_add_commit(br, &pc)) < 0)
			return ret;
		git_oid_cpy(tip, &next);
		qs__build_progress(c, br->name);
	}
	return 0;
}
