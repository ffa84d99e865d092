// SPDX-License-Identifier: GPL-2.0-only
/*
 * The build: every branch of the config, computed in memory, then all
 * refs updated in one step. See include/quiltsync/build.h and
 * quiltsync-build(1).
 *
 * Order: the config's branches in file order (each tree branch, then
 * the per-series branches of its section), then the integrations. A
 * branch starts from commits computed earlier in the same run, never
 * from a ref read half-way, so the result depends only on the queue,
 * the config and the refs read at the start.
 *
 * Every commit is keyed in a cache by what made it (parent, patch bytes,
 * options); the cache is a blob under refs/quiltsync/cache, written in
 * the same ref update as the branches. A rebuild of an unchanged queue
 * finds every commit there and applies nothing.
 */
#include "internal.h"
#include "base.h"
#include "commit.h"
#include "config-internal.h"
#include "lock.h"
#include "merge.h"
#include "objstore.h"
#include "refs.h"
#include "sha1.h"
#include "strmap.h"

#include <dirent.h>
#include <git2.h>
#include <pthread.h>
#include <unistd.h>

#include "banned.h"

#define CACHE_REF "refs/quiltsync/cache"
/* changes whenever a fix in the engine could change a commit it makes */
#define ENGINE_EPOCH "quiltsync-build-1"

struct conflict {
	char *path;
	size_t hunks;
};

struct qs_build_branch {
	char *name;
	qs_branch_kind kind;
	qs_branch_status status;
	int has_old, has_new, has_merge;
	git_oid old, new, ours, theirs;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	char ours_hex[GIT_OID_HEXSZ + 1], theirs_hex[GIT_OID_HEXSZ + 1];
	char *series, *depends_on, *reason, *error;
	size_t patches, applied;
	struct conflict *conflicts;
	size_t nconflicts;
	int built;		/* `new` is valid: others may start from it */
};

struct qs_build {
	struct qs_build_branch **branches;
	size_t nbranches, alloc;
	char *base_name;
	char base_hex[GIT_OID_HEXSZ + 1];
	size_t recovered;
};

struct cache {
	struct qs__strmap old;	/* key -> index in old_ids */
	git_oid *old_ids;
	size_t nold, old_alloc;
	git_oid old_blob;
	int has_old_blob;
	struct qs__strmap seen;	/* keys used this run */
	char **lines;		/* "key id", for the new blob */
	size_t nlines, lines_alloc;
};

struct ctx {
	const qs_config *cfg;
	unsigned int flags;
	git_repository *repo;	/* refs are read and written here */
	qs_applier *ap;
	struct qs__store *store;
	git_repository *srepo;	/* objects: sees what the store holds */
	qs_queue *queue;
	git_oid upstream, base;
	struct cache cache;
	qs_build *b;
	char resolutions_key[GIT_OID_HEXSZ + 1];
	qs_build_progress prog;
	qs_build_progress_fn progress;
	void *payload;
	int jobs;		/* threads asked for; 0: one per CPU */
};

/* ------------------------------------------------------------------ */
/* Report */

static void branch_free(struct qs_build_branch *br)
{
	size_t i;

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
	free(b->base_name);
	free(b);
}

static struct qs_build_branch *add_branch(qs_build *b, const char *name,
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

static struct qs_build_branch *find_branch(const qs_build *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nbranches; i++)
		if (!strcmp(b->branches[i]->name, name))
			return b->branches[i];
	return NULL;
}

/* Replace a malloc()ed string field with a formatted one. */
static int set_text(char **field, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int set_text(char **field, const char *fmt, ...)
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

static void progress(struct ctx *c, const char *branch)
{
	c->prog.branch = branch;
	if (c->progress)
		c->progress(&c->prog, c->payload);
}

/* ------------------------------------------------------------------ */
/* Cache */

static void key_add(struct qs__sha1 *h, const char *s)
{
	qs__sha1_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void key_add_oid(struct qs__sha1 *h, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	key_add(h, hex);
}

static void key_finish(struct qs__sha1 *h, char out[GIT_OID_HEXSZ + 1])
{
	unsigned char sum[QS_SHA1_SIZE];
	size_t i;

	qs__sha1_final(h, sum);
	for (i = 0; i < QS_SHA1_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* Everything of the config that goes into every commit. */
static void key_start(struct ctx *c, struct qs__sha1 *h, const char *what)
{
	qs__sha1_init(h);
	key_add(h, ENGINE_EPOCH);
	key_add(h, what);
	key_add(h, c->cfg->committer_name);
	key_add(h, c->cfg->committer_email);
	key_add(h, c->cfg->link);
}

static int cache_load(struct ctx *c)
{
	git_odb_object *obj = NULL;
	const char *p, *end;
	int ret = 0;

	if (git_reference_name_to_id(&c->cache.old_blob, c->repo, CACHE_REF) < 0)
		return 0;	/* no cache yet */
	c->cache.has_old_blob = 1;
	if (qs__store_read(&obj, c->store, &c->cache.old_blob) < 0 ||
	    git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
		/* a broken cache costs time, never correctness */
		git_odb_object_free(obj);
		qs_error_clear();
		return 0;
	}
	p = git_odb_object_data(obj);
	end = p + git_odb_object_size(obj);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char key[GIT_OID_HEXSZ + 1];
		git_oid id;

		if (!nl)
			break;
		if (nl - p == 2 * GIT_OID_HEXSZ + 1 && p[GIT_OID_HEXSZ] == ' ' &&
		    git_oid_fromstrn(&id, p + GIT_OID_HEXSZ + 1, GIT_OID_HEXSZ) == 0) {
			memcpy(key, p, GIT_OID_HEXSZ);
			key[GIT_OID_HEXSZ] = '\0';
			if (QS_ARRAY_GROW(c->cache.old_ids, c->cache.old_alloc,
					  c->cache.nold + 1) < 0 ||
			    qs__strmap_put(&c->cache.old, key, c->cache.nold) < 0) {
				ret = QS_ENOMEM;
				break;
			}
			git_oid_cpy(&c->cache.old_ids[c->cache.nold++], &id);
		}
		p = nl + 1;
	}
	git_odb_object_free(obj);
	return ret;
}

static int cache_remember(struct ctx *c, const char *key, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1], *line;

	if (qs__strmap_get(&c->cache.seen, key))
		return 0;
	git_oid_tostr(hex, sizeof(hex), id);
	line = qs__malloc(2 * GIT_OID_HEXSZ + 2);
	if (!line)
		return QS_ENOMEM;
	snprintf(line, 2 * GIT_OID_HEXSZ + 2, "%s %s", key, hex);
	if (QS_ARRAY_GROW(c->cache.lines, c->cache.lines_alloc,
			  c->cache.nlines + 1) < 0 ||
	    qs__strmap_put(&c->cache.seen, key, 1) < 0) {
		free(line);
		return QS_ENOMEM;
	}
	c->cache.lines[c->cache.nlines++] = line;
	return 0;
}

/* 1 and the commit when the cache has one for `key` that still exists. */
static int cache_lookup(struct ctx *c, const char *key, git_oid *out)
{
	git_odb *odb = NULL;
	size_t *at;
	int found;

	if (c->flags & QS_BUILD_NO_CACHE)
		return 0;
	at = qs__strmap_get(&c->cache.old, key);
	if (!at)
		return 0;
	if (git_repository_odb(&odb, c->srepo) < 0)
		return 0;
	/* gc may have pruned a commit that only the cache named */
	found = git_odb_exists(odb, &c->cache.old_ids[*at]);
	git_odb_free(odb);
	if (!found)
		return 0;
	git_oid_cpy(out, &c->cache.old_ids[*at]);
	return 1;
}

static int line_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The new cache blob: the entries used by this run, sorted. */
static int cache_write(struct ctx *c, git_oid *out)
{
	qs_buf b = QS_BUF_INIT;
	size_t i;
	int ret;

	if (c->cache.nlines)
		qsort(c->cache.lines, c->cache.nlines, sizeof(char *), line_order);
	for (i = 0; i < c->cache.nlines; i++) {
		qs_buf_adds(&b, c->cache.lines[i]);
		qs_buf_addch(&b, '\n');
	}
	if (qs_buf_oom(&b))
		ret = QS_ENOMEM;
	else
		ret = qs__store_write(out, c->store, b.ptr, b.len, GIT_OBJECT_BLOB);
	qs_buf_release(&b);
	return ret;
}

static void cache_clear(struct cache *cc)
{
	size_t i;

	qs__strmap_clear(&cc->old);
	qs__strmap_clear(&cc->seen);
	free(cc->old_ids);
	for (i = 0; i < cc->nlines; i++)
		free(cc->lines[i]);
	free(cc->lines);
}

/* ------------------------------------------------------------------ */
/* Commits for patches */

/* The commit message: git am's, with a Link: trailer when asked for. */
static int patch_message(struct ctx *c, qs_buf *out, const qs_mail *mail)
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
 * Commit `e`'s patch on `parent`. 0 and `*out`; 1 when it does not
 * apply (br->error says why); < 0 on errors that stop the build.
 */
static int commit_patch(struct ctx *c, git_oid *out, const git_oid *parent,
			const qs_series_entry *e, unsigned int apply_flags,
			struct qs_build_branch *br)
{
	const qs_patch *p = qs_queue_patch(c->queue, e);
	qs_diff_options dopts = QS_DIFF_OPTIONS_INIT;
	qs_apply_result *res = NULL;
	qs_diff *diff = NULL;
	qs_buf msg = QS_BUF_INIT;
	struct qs__ident author, committer;
	struct qs__sha1 h;
	char key[GIT_OID_HEXSZ + 1], flags[32];
	const char *content;
	const qs_mail *mail;
	git_oid tree;
	int64_t ptime;
	int poff, ret;
	size_t len;

	if (!p)
		return set_text(&br->error, "%s: no patch file", qs_entry_name(e)) ? QS_ENOMEM : 1;
	content = qs_patch_content(p, &len);
	if (!len) {
		/* quilt pushes an empty patch, git am refuses it: no commit */
		git_oid_cpy(out, parent);
		br->patches++;
		c->prog.patches_done++;
		return 0;
	}
	snprintf(flags, sizeof(flags), "p%d R%d F%d 3w%u", qs_entry_strip(e),
		 qs_entry_reverse(e), c->cfg->fuzz, apply_flags);
	key_start(c, &h, "patch");
	key_add_oid(&h, parent);
	key_add(&h, qs_patch_content_id(p));
	key_add(&h, flags);
	key_finish(&h, key);
	br->patches++;
	c->prog.patches_done++;
	if (cache_lookup(c, key, out))
		return cache_remember(c, key, out);
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
	if (qs_diff_parse(&diff, content, len, &dopts) < 0 ||
	    qs_apply_diff(&res, c->ap, &tree, diff, qs_entry_strip(e),
			  qs_entry_reverse(e)) < 0) {
		const qs_error *err = qs_error_last();

		if (!is_patch_error(err->code)) {
			ret = err->code;
			goto done;
		}
		ret = set_text(&br->error, "%s: %s", qs_entry_name(e),
			       err->message) ? QS_ENOMEM : 1;
		goto done;
	}
	if (qs_apply_result_status(res) == QS_APPLY_FAILED) {
		ret = set_text(&br->error, "%s: %s", qs_entry_name(e),
			       qs_apply_result_error(res)) ? QS_ENOMEM : 1;
		goto done;
	}
	git_oid_cpy(&tree, qs_apply_result_tree(res));
	author.name = qs_mail_author_name(mail);
	author.email = qs_mail_author_email(mail);
	if (!*author.email) {
		/* git am stops here: "Patch does not have a valid e-mail address" */
		ret = set_text(&br->error, "%s: the patch has no author e-mail address",
			       qs_entry_name(e)) ? QS_ENOMEM : 1;
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
	if ((ret = patch_message(c, &msg, mail)) < 0 ||
	    (ret = qs__commit_write(out, c->store, &tree, parent, 1, &author,
				    &committer, msg.ptr)) < 0 ||
	    (ret = cache_remember(c, key, out)) < 0)
		goto done;
	ret = 0;
done:
	qs_buf_release(&msg);
	qs_apply_result_free(res);
	qs_diff_free(diff);
	return ret;
}

/* Commit `n` entries in turn on `*tip`. 0, 1 (one failed) or < 0. */
static int commit_entries(struct ctx *c, git_oid *tip,
			  const qs_series_entry *const *v, size_t n,
			  unsigned int apply_flags, struct qs_build_branch *br)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		git_oid next;

		if ((ret = commit_patch(c, &next, tip, v[i], apply_flags, br)) != 0)
			return ret;
		git_oid_cpy(tip, &next);
		progress(c, br->name);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Starts and merges */

static int fetch_remote(struct ctx *c, git_oid *out, const struct qs__start *s,
			struct qs_build_branch *br)
{
	git_fetch_options fo;
	git_remote *remote = NULL;
	qs_buf spec = QS_BUF_INIT;
	char *specs[1];
	git_strarray refspecs;
	int ret = 0;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	if (!(c->flags & QS_BUILD_DRY_RUN)) {
		if (!strncmp(s->ref, "refs/", 5))
			qs_buf_addf(&spec, "+%s:%s", s->ref, s->local_ref);
		else
			qs_buf_addf(&spec, "+refs/heads/%s:%s", s->ref, s->local_ref);
		if (qs_buf_oom(&spec)) {
			ret = QS_ENOMEM;
			goto done;
		}
		specs[0] = spec.ptr;
		refspecs.strings = specs;
		refspecs.count = 1;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
		if (git_remote_create_anonymous(&remote, c->repo, s->url) < 0 ||
		    git_remote_fetch(remote, &refspecs, &fo, "quiltsync build: fetch") < 0) {
			const git_error *e = git_error_last();

			ret = set_text(&br->error, "cannot fetch '%s' from %s: %s",
				       s->ref, s->url,
				       e && e->message ? e->message : "unknown error")
			      ? QS_ENOMEM : 1;
			goto done;
		}
	}
	if (git_reference_name_to_id(out, c->repo, s->local_ref) < 0) {
		ret = set_text(&br->error, "'%s' of %s was not fetched%s", s->ref,
			       s->url, c->flags & QS_BUILD_DRY_RUN ?
			       " (a dry run does not fetch)" : "") ? QS_ENOMEM : 1;
		goto done;
	}
done:
	git_remote_free(remote);
	qs_buf_release(&spec);
	if (ret == 1)
		br->status = QS_BRANCH_FAILED;
	return ret;
}

/*
 * The commit a start names. 0; 1 when it is a branch that was not
 * built (then `br` is blocked on it) or a remote that cannot be
 * fetched; < 0 on errors.
 */
static int start_tip(struct ctx *c, git_oid *out, const struct qs__start *s,
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
	dep = find_branch(c->b, s->branch);
	if (dep && dep->built) {
		git_oid_cpy(out, &dep->new);
		return 0;
	}
	br->status = QS_BRANCH_BLOCKED;
	if (set_text(&br->depends_on, "%s", s->branch) < 0)
		return QS_ENOMEM;
	if (dep && dep->error)
		return set_text(&br->error, "waits on %s: %s", s->branch, dep->error) ? QS_ENOMEM : 1;
	return set_text(&br->error, "waits on %s, which was not built",
			s->branch) ? QS_ENOMEM : 1;
}

static const char *start_label(const struct qs__start *s)
{
	switch (s->kind) {
	case QS__START_BASE: return "base";
	case QS__START_UPSTREAM: return "upstream";
	case QS__START_REMOTE: return s->ref;
	default: return s->branch;
	}
}

/*
 * Merge `theirs` into `*tip` for branch `br` with git's merge message.
 * 0; 1 on an unresolved conflict (br says which files); < 0 on errors.
 */
static int merge_into(struct ctx *c, git_oid *tip, const git_oid *theirs,
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
		qs_buf_addf(&msg, "Merge branch '%s' into %s\n", start_label(s),
			    br->name);
	if (qs_buf_oom(&msg))
		return QS_ENOMEM;
	key_start(c, &h, "merge");
	key_add_oid(&h, tip);
	key_add_oid(&h, theirs);
	key_add(&h, msg.ptr);
	key_add(&h, c->resolutions_key);
	key_finish(&h, key);
	if (cache_lookup(c, key, &out)) {
		git_oid_cpy(tip, &out);
		ret = cache_remember(c, key, &out);
		goto done;
	}
	if ((ret = qs__merge_commits(&r, c->srepo, tip, theirs,
				     c->cfg->resolutions)) < 0)
		goto done;
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
		ret = set_text(&br->error, "merging %s: %zu conflicting file%s",
			       start_label(s), r.nfiles, r.nfiles == 1 ? "" : "s")
		      ? QS_ENOMEM : 1;
		goto done;
	}
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
	    (ret = cache_remember(c, key, &out)) < 0)
		goto done;
	git_oid_cpy(tip, &out);
	ret = 0;
done:
	qs__merge_result_clear(&r);
	qs_buf_release(&msg);
	return ret;
}

/* The start of a branch: its first `on`, with the others merged in. */
static int start_of(struct ctx *c, git_oid *tip, const struct qs__start *on,
		    size_t n, struct qs_build_branch *br)
{
	size_t i;
	int ret;

	if ((ret = start_tip(c, tip, &on[0], br)) != 0)
		return ret;
	for (i = 1; i < n; i++) {
		git_oid theirs;

		if ((ret = start_tip(c, &theirs, &on[i], br)) != 0 ||
		    (ret = merge_into(c, tip, &theirs, &on[i], br)) != 0)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Branches */

static int read_old(struct ctx *c, struct qs_build_branch *br)
{
	qs_buf ref = QS_BUF_INIT;
	int err;

	qs_buf_addf(&ref, "refs/heads/%s", br->name);
	if (qs_buf_oom(&ref))
		return QS_ENOMEM;
	err = git_reference_name_to_id(&br->old, c->repo, ref.ptr);
	qs_buf_release(&ref);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return qs__error_git("cannot read a branch");
	br->has_old = 1;
	git_oid_tostr(br->old_hex, sizeof(br->old_hex), &br->old);
	return 0;
}

/* A branch computed: its status from its old and new ids. */
static int finish_branch(struct qs_build_branch *br, const git_oid *tip)
{
	git_oid_cpy(&br->new, tip);
	git_oid_tostr(br->new_hex, sizeof(br->new_hex), tip);
	br->has_new = 1;
	br->built = 1;
	if (!br->has_old) {
		br->status = QS_BRANCH_CREATED;
		return set_text(&br->reason, "new branch, %zu patch%s", br->patches,
				br->patches == 1 ? "" : "es");
	}
	if (git_oid_equal(&br->old, tip)) {
		br->status = QS_BRANCH_UNCHANGED;
		return set_text(&br->reason, "%zu patch%s, unchanged", br->patches,
				br->patches == 1 ? "" : "es");
	}
	br->status = QS_BRANCH_UPDATED;
	return set_text(&br->reason, "%zu patch%s, %zu applied anew",
			br->patches, br->patches == 1 ? "" : "es", br->applied);
}

/* The active patch entries of a section, in order. */
static int section_patches(const qs_section *sec, const qs_series_entry ***out,
			   size_t *n, int with_committed)
{
	size_t i, count = qs_section_entry_count(sec);

	*n = 0;
	*out = qs__calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return QS_ENOMEM;
	for (i = 0; i < count; i++) {
		const qs_series_entry *e = qs_section_entry_byindex(sec, i);
		qs_entry_kind k = qs_entry_kind_of(e);

		if (k == QS_ENTRY_PATCH || (with_committed && k == QS_ENTRY_COMMITTED))
			(*out)[(*n)++] = e;
	}
	return 0;
}

static const qs_section *section_of(struct ctx *c, const struct qs__branch_conf *bc)
{
	const qs_section *sec = qs_series_section_byname(qs_queue_series(c->queue),
							  bc->section);

	if (!sec)
		qs__error_set_at(QS_ECONFIG, c->cfg->path, bc->at.line,
				 "branch '%s': the series file has no section '%s'",
				 bc->name, bc->section);
	return sec;
}

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
static int match_append(struct ctx *c, const struct qs_build_branch *br,
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
		p = qs_queue_patch(c->queue, v[i]);
		if (!p)
			continue;	/* committed, file gone: nothing to compare */
		if (git_commit_lookup(&commit, c->srepo, &own[i]) < 0) {
			ret = qs__error_git("cannot read a commit");
			goto done;
		}
		memset(&probe, 0, sizeof(probe));
		probe.name = br->name;
		ret = commit_patch(c, &made, git_commit_parent_id(commit, 0), v[i], 0, &probe);
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
		ret = 0;
	}
	*matched = nown;
done:
	free(own);
	git_revwalk_free(walk);
	return ret;
}

static int build_tree_branch(struct ctx *c, const struct qs__branch_conf *bc,
			     struct qs_build_branch *br)
{
	const qs_series_entry **v = NULL;
	const qs_section *sec;
	git_oid tip;
	size_t n = 0, matched = 0;
	int ret;

	if (!(sec = section_of(c, bc)))
		return QS_ECONFIG;
	if ((ret = read_old(c, br)) < 0)
		return ret;
	progress(c, br->name);
	if ((ret = start_of(c, &tip, bc->on, bc->non, br)) != 0)
		goto failed;
	if ((ret = section_patches(sec, &v, &n, bc->mode == QS__MODE_APPEND)) < 0)
		return ret;
	if (bc->mode == QS__MODE_APPEND && br->has_old) {
		ret = match_append(c, br, bc->section, &tip, v, n, &matched);
		if (ret == QS_EREWRITE && (c->flags & QS_BUILD_ALLOW_REWRITE)) {
			qs_error_clear();
			matched = 0;
		} else if (ret < 0) {
			goto done;
		} else {
			git_oid_cpy(&tip, &br->old);
		}
		br->patches = matched;
	}
	ret = commit_entries(c, &tip, v + matched, n - matched,
			     c->cfg->three_way ? QS_APPLY_3WAY : 0, br);
	if (ret != 0)
		goto failed;
	ret = finish_branch(br, &tip);
	goto done;
failed:
	if (ret == 1) {
		if (br->status != QS_BRANCH_BLOCKED && br->status != QS_BRANCH_CONFLICT)
			br->status = QS_BRANCH_FAILED;
		ret = 0;
	}
done:
	free(v);
	return ret;
}

/* "mm-unstable-{slug}" with the slug in place. */
static char *series_branch_name(const char *pattern, const char *slug)
{
	const char *at = strstr(pattern, "{slug}");
	qs_buf b = QS_BUF_INIT;

	if (!at)
		return NULL;
	qs_buf_add(&b, pattern, (size_t)(at - pattern));
	qs_buf_adds(&b, slug);
	qs_buf_adds(&b, at + strlen("{slug}"));
	if (qs_buf_oom(&b)) {
		qs_buf_release(&b);
		return NULL;
	}
	return qs_buf_detach(&b);
}

struct series_job {
	const qs_patchset *set;
	struct qs_build_branch *br;
	const qs_series_entry **v;
	size_t n;
	int result;		/* of the attempt alone on the base: 0 or 1 */
	git_oid tip;
};

/*
 * Per-series branches are independent on the base: threads try them
 * alone there at the same time, each with an applier (and so an object
 * store and repository handle) of its own, since neither libgit2's
 * repositories nor our store may be shared between threads. What a
 * thread writes reaches the others through the pack it writes when it
 * is done; the cache entries it used are handed to the main context.
 */
struct worker {
	struct ctx c;
	pthread_t thread;
	struct series_job *jobs;
	size_t njobs;
	size_t *next;		/* the next job to take, under `lock` */
	pthread_mutex_t *lock;
	int ret;
	char *error;		/* the message of `ret`: errors are per thread */
	size_t done_before;	/* patches_done when it started */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		struct series_job *j;
		size_t i;

		pthread_mutex_lock(w->lock);
		i = (*w->next)++;
		pthread_mutex_unlock(w->lock);
		if (i >= w->njobs)
			break;
		j = &w->jobs[i];
		git_oid_cpy(&j->tip, &w->c.base);
		w->ret = commit_entries(&w->c, &j->tip, j->v, j->n,
					w->c.cfg->three_way ? QS_APPLY_3WAY : 0, j->br);
		if (w->ret < 0)
			break;
		j->result = w->ret;
		w->ret = 0;
	}
	if (w->ret == 0 && qs_applier_flush(w->c.ap) < 0)
		w->ret = qs_error_last()->code;
	if (w->ret < 0)
		w->error = qs__strdup(qs_error_last()->message);
	return NULL;
}

static int worker_start(struct worker *w, struct ctx *main)
{
	qs_apply_options aopts = QS_APPLY_OPTIONS_INIT;

	w->c = *main;
	w->done_before = main->prog.patches_done;
	/* the old cache is shared read-only; what is used is the worker's */
	memset(&w->c.cache.seen, 0, sizeof(w->c.cache.seen));
	w->c.cache.lines = NULL;
	w->c.cache.nlines = w->c.cache.lines_alloc = 0;
	w->c.progress = NULL;
	w->c.ap = NULL;
	w->c.repo = NULL;
	if (git_repository_open_ext(&w->c.repo, git_repository_commondir(main->repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return qs__error_git("cannot open the repository for a thread");
	aopts.fuzz = main->cfg->fuzz;
	if (qs_applier_new(&w->c.ap, w->c.repo, &aopts) < 0)
		return qs_error_last()->code;
	w->c.store = qs__applier_store(w->c.ap);
	w->c.srepo = qs__store_repository(w->c.store);
	if (pthread_create(&w->thread, NULL, worker_run, w) != 0)
		return qs__error_set(QS_ERROR, "cannot start a thread");
	return 0;
}

/* Hand a worker's cache entries and counts to the main context. */
static int worker_finish(struct worker *w, struct ctx *main)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < w->c.cache.nlines && !ret; i++) {
		char key[GIT_OID_HEXSZ + 1];
		git_oid id;

		memcpy(key, w->c.cache.lines[i], GIT_OID_HEXSZ);
		key[GIT_OID_HEXSZ] = '\0';
		if (git_oid_fromstr(&id, w->c.cache.lines[i] + GIT_OID_HEXSZ + 1) == 0)
			ret = cache_remember(main, key, &id);
	}
	main->prog.patches_done += w->c.prog.patches_done - w->done_before;
	for (i = 0; i < w->c.cache.nlines; i++)
		free(w->c.cache.lines[i]);
	free(w->c.cache.lines);
	qs__strmap_clear(&w->c.cache.seen);
	qs_applier_free(w->c.ap);
	git_repository_free(w->c.repo);
	return ret;
}


struct series_plan {
	struct series_job *jobs;
	size_t njobs;
	struct worker *w;
	size_t nworkers, started;
	size_t next;		/* the next job to take, under `lock` */
	pthread_mutex_t lock;
};

static void series_plan_clear(struct series_plan *p)
{
	size_t i;

	for (i = 0; i < p->njobs; i++)
		free(p->jobs[i].v);
	free(p->jobs);
	free(p->w);
	pthread_mutex_destroy(&p->lock);
}

/* The per-series branches of a section: their jobs, in file order. */
static int series_prepare(struct ctx *c, const struct qs__branch_conf *bc,
			  struct series_plan *p)
{
	const qs_section *sec;
	size_t i, k;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	if (!(sec = section_of(c, bc)))
		return QS_ECONFIG;
	p->jobs = qs__calloc(qs_queue_patchset_count(c->queue) + 1, sizeof(*p->jobs));
	if (!p->jobs)
		return QS_ENOMEM;
	for (i = 0; i < qs_queue_patchset_count(c->queue); i++) {
		const qs_patchset *set = qs_queue_patchset_byindex(c->queue, i);
		struct series_job *j;
		char *name;

		if (qs_patchset_section(set) != sec)
			continue;
		name = series_branch_name(bc->per_series, qs_patchset_slug(set));
		if (!name) {
			ret = QS_ENOMEM;
			return ret;
		}
		if (find_branch(c->b, name)) {
			ret = qs__error_set_at(QS_ECONFIG, c->cfg->path, bc->at.line,
					       "per-series branch '%s' of series '%s' has the name of another branch",
					       name, qs_patchset_title(set));
			free(name);
			return ret;
		}
		j = &p->jobs[p->njobs++];
		j->set = set;
		j->br = add_branch(c->b, name, QS_BRANCH_SERIES);
		free(name);
		if (!j->br || set_text(&j->br->series, "%s", qs_patchset_title(set)) < 0) {
			ret = QS_ENOMEM;
			return ret;
		}
		j->n = qs_patchset_entry_count(set);
		j->v = qs__calloc(j->n + 1, sizeof(*j->v));
		if (!j->v) {
			ret = QS_ENOMEM;
			return ret;
		}
		for (k = 0; k < j->n; k++)
			j->v[k] = qs_patchset_entry_byindex(set, k);
		if ((ret = read_old(c, j->br)) < 0)
			return ret;
	}
	return 0;
}

/*
 * Threads for the jobs: one per CPU beside this one (which builds the
 * tree branch meanwhile, then takes jobs too). A dry run uses none: it
 * writes no pack, and threads hand their objects over in packs.
 */
static int series_start(struct ctx *c, struct series_plan *p)
{
	long cpus = c->jobs > 0 ? c->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;
	int ret;

	if (c->flags & QS_BUILD_DRY_RUN || cpus < 2 || !p->njobs)
		return 0;
	p->nworkers = (size_t)cpus - 1 < p->njobs ? (size_t)cpus - 1 : p->njobs;
	p->w = qs__calloc(p->nworkers, sizeof(*p->w));
	if (!p->w)
		return QS_ENOMEM;
	for (i = 0; i < p->nworkers; i++) {
		p->w[i].jobs = p->jobs;
		p->w[i].njobs = p->njobs;
		p->w[i].next = &p->next;
		p->w[i].lock = &p->lock;
		if ((ret = worker_start(&p->w[i], c)) < 0) {
			qs_applier_free(p->w[i].c.ap);
			git_repository_free(p->w[i].c.repo);
			return ret;
		}
		p->started++;
	}
	return 0;
}

/* This thread takes the jobs left, then waits for the others. */
static int series_run(struct ctx *c, struct series_plan *p)
{
	git_odb *odb = NULL;
	size_t i;
	int ret = 0;

	for (;;) {
		struct series_job *j;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->njobs)
			break;
		j = &p->jobs[i];
		git_oid_cpy(&j->tip, &c->base);
		progress(c, j->br->name);
		ret = commit_entries(c, &j->tip, j->v, j->n,
				     c->cfg->three_way ? QS_APPLY_3WAY : 0, j->br);
		if (ret < 0) {
			/* make the threads stop early too */
			pthread_mutex_lock(&p->lock);
			p->next = p->njobs;
			pthread_mutex_unlock(&p->lock);
			break;
		}
		j->result = ret;
		ret = 0;
	}
	for (i = 0; i < p->started; i++) {
		pthread_join(p->w[i].thread, NULL);
		if (p->w[i].ret < 0 && !ret)
			ret = qs__error_set(p->w[i].ret, "%s",
					    p->w[i].error ? p->w[i].error : "a thread failed");
		free(p->w[i].error);
		if (worker_finish(&p->w[i], c) < 0 && !ret)
			ret = QS_ENOMEM;
	}
	p->started = 0;
	if (ret < 0 || !p->nworkers)
		return ret;
	/* the threads' packs are on disk: let this store see them */
	if (git_repository_odb(&odb, c->srepo) < 0 || git_odb_refresh(odb) < 0)
		ret = qs__error_git("cannot read the threads' objects");
	git_odb_free(odb);
	return ret;
}

/*
 * Apply a series again, on `start`, for a dependency policy: 0 and
 * `*tip`, 1 when it does not apply (its branch's error says why), < 0.
 */
static int retry_series(struct ctx *c, struct series_job *j,
			const git_oid *start, unsigned int apply_flags,
			git_oid *tip)
{
	j->br->patches = j->br->applied = 0;
	free(j->br->error);
	j->br->error = NULL;
	git_oid_cpy(tip, start);
	return commit_entries(c, tip, j->v, j->n, apply_flags, j->br);
}

/*
 * The `stack` policy: on the nearest earlier series whose branch makes
 * it apply. 1 when none does, with the error of the attempt alone on
 * the base, which says what the series needs.
 */
static int stack_series(struct ctx *c, struct series_job *jobs, size_t i,
			git_oid *tip)
{
	struct qs_build_branch *br = jobs[i].br;
	char *alone = br->error;
	size_t back;
	int ret = 1;

	br->error = NULL;
	for (back = i; back-- > 0 && ret == 1;) {
		const struct qs_build_branch *dep = jobs[back].br;

		if (!dep->built)
			continue;
		ret = retry_series(c, &jobs[i], &dep->new,
				   c->cfg->three_way ? QS_APPLY_3WAY : 0, tip);
		if (ret == 0 && set_text(&br->depends_on, "%s", dep->name) < 0)
			ret = QS_ENOMEM;
	}
	if (ret == 1) {
		free(br->error);
		br->error = alone;
		alone = NULL;
	}
	free(alone);
	return ret;
}

/*
 * In file order, each series that applied alone is done; one that did
 * not is handled by the `dependencies` policy, which may build it on an
 * earlier series' branch (all of which are settled by then).
 */
static int series_settle(struct ctx *c, struct series_plan *p)
{
	size_t i;
	int ret;

	for (i = 0; i < p->njobs; i++) {
		struct series_job *j = &p->jobs[i];
		git_oid tip;

		git_oid_cpy(&tip, &j->tip);
		c->prog.branches_done++;
		progress(c, j->br->name);
		ret = j->result;
		if (ret == 1 && c->cfg->dependencies == QS__DEPS_SKIP) {
			j->br->status = QS_BRANCH_SKIPPED;
			continue;
		}
		if (ret == 1 && c->cfg->dependencies == QS__DEPS_3WAY)
			ret = retry_series(c, j, &c->base, QS_APPLY_3WAY, &tip);
		else if (ret == 1)
			ret = stack_series(c, p->jobs, i, &tip);
		if (ret < 0)
			return ret;
		if (ret == 1)
			j->br->status = QS_BRANCH_FAILED;
		else if ((ret = finish_branch(j->br, &tip)) < 0)
			return ret;
	}
	return 0;
}

/* Per-series branches in the repository whose series left the queue. */
static int list_gone(struct ctx *c, const struct qs__branch_conf *bc)
{
	const char *at = strstr(bc->per_series, "{slug}");
	git_reference_iterator *it = NULL;
	git_reference *ref;
	qs_buf glob = QS_BUF_INIT;
	size_t plen = (size_t)(at - bc->per_series);
	const char *suffix = at + strlen("{slug}");
	int ret = 0, err;

	qs_buf_adds(&glob, "refs/heads/");
	qs_buf_add(&glob, bc->per_series, plen);
	qs_buf_addch(&glob, '*');
	qs_buf_adds(&glob, suffix);
	if (qs_buf_oom(&glob))
		return QS_ENOMEM;
	if (git_reference_iterator_glob_new(&it, c->repo, glob.ptr) < 0) {
		ret = qs__error_git("cannot list branches");
		goto done;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref) + strlen("refs/heads/");
		struct qs_build_branch *br;

		if (!find_branch(c->b, name) && git_reference_target(ref)) {
			br = add_branch(c->b, name, QS_BRANCH_SERIES);
			if (!br) {
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
			br->status = QS_BRANCH_GONE;
			br->has_old = 1;
			git_oid_cpy(&br->old, git_reference_target(ref));
			git_oid_tostr(br->old_hex, sizeof(br->old_hex), &br->old);
			if (set_text(&br->reason, "its series is no longer in the queue") < 0) {
				git_reference_free(ref);
				ret = QS_ENOMEM;
				goto done;
			}
		}
		git_reference_free(ref);
	}
	if (err != GIT_ITEROVER)
		ret = qs__error_git("cannot list branches");
done:
	git_reference_iterator_free(it);
	qs_buf_release(&glob);
	return ret;
}

static int build_integration(struct ctx *c, const struct qs__integration_conf *ic,
			     struct qs_build_branch *br)
{
	git_oid tip;
	int ret;

	if ((ret = read_old(c, br)) < 0)
		return ret;
	progress(c, br->name);
	ret = start_of(c, &tip, ic->merge, ic->nmerge, br);
	if (ret == 1) {
		if (br->status != QS_BRANCH_BLOCKED && br->status != QS_BRANCH_CONFLICT)
			br->status = QS_BRANCH_FAILED;
		return 0;
	}
	if (ret < 0)
		return ret;
	ret = finish_branch(br, &tip);
	if (ret == 0)
		ret = set_text(&br->reason, "%zu branches merged%s", ic->nmerge,
			       br->status == QS_BRANCH_UNCHANGED ? ", unchanged" : "");
	return ret;
}

/* ------------------------------------------------------------------ */
/* The run */

/* A key for the recorded resolutions: their names and contents. */
static int resolutions_key(struct ctx *c)
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
		qsort(list, n, sizeof(*list), line_order);
	for (i = 0; i < n; i++) {
		qs_buf data = QS_BUF_INIT;

		qs_buf_clear(&path);
		qs_buf_addf(&path, "%s/%s", c->cfg->resolutions, list[i]);
		key_add(&h, list[i]);
		if (!qs_buf_oom(&path) && qs__read_file(&data, path.ptr) == 0)
			qs__sha1_update(&h, data.ptr, data.len);
		qs_buf_release(&data);
		qs_error_clear();
	}
	key_finish(&h, c->resolutions_key);
done:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	qs_buf_release(&path);
	return ret;
}

static int resolve_upstream(struct ctx *c)
{
	git_object *obj = NULL, *commit = NULL;
	int ret = 0;

	if (git_revparse_single(&obj, c->srepo, c->cfg->upstream) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		ret = qs__error_set(QS_ECONFIG,
				    "upstream '%s' names no commit in '%s'",
				    c->cfg->upstream, c->cfg->repository);
	else
		git_oid_cpy(&c->upstream, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

/*
 * The base, with the last answer for this upstream commit from the
 * cache: proving a tag is in upstream walks history, and upstream moves
 * far less often than the queue.
 */
static int resolve_base(struct ctx *c)
{
	struct qs__sha1 h;
	char key[GIT_OID_HEXSZ + 1];
	git_oid known;
	int has_known, ret;

	key_start(c, &h, "base");
	key_add_oid(&h, &c->upstream);
	key_add(&h, c->cfg->base);
	key_add(&h, c->cfg->base_pattern);
	key_finish(&h, key);
	/* only previous-rc3 walks; the key says which base was asked for */
	has_known = cache_lookup(c, key, &known);
	ret = qs__base_resolve_known(&c->base, &c->b->base_name, c->srepo,
				     c->cfg->upstream, c->cfg->base,
				     c->cfg->base_pattern,
				     has_known ? &known : NULL);
	if (ret == QS_ENOTFOUND)
		/* the config names what is not there: its error, exit 2 */
		return qs__error_set(QS_ECONFIG, "%s", qs_error_last()->message);
	if (ret < 0)
		return ret;
	return cache_remember(c, key, &c->base);
}

static size_t count_work(struct ctx *c)
{
	size_t i, k, n = 0;
	const qs_series *s = qs_queue_series(c->queue);

	for (i = 0; i < c->cfg->nbranches; i++) {
		const struct qs__branch_conf *bc = &c->cfg->branches[i];
		const qs_section *sec = qs_series_section_byname(s, bc->section);

		if (!sec)
			continue;
		for (k = 0; k < qs_section_entry_count(sec); k++)
			n += qs_entry_kind_of(qs_section_entry_byindex(sec, k)) ==
			     QS_ENTRY_PATCH ? (bc->per_series ? 2 : 1) : 0;
	}
	return n;
}

/* Per-series branches the config makes, for the progress report. */
static size_t count_series_branches(struct ctx *c)
{
	const qs_series *s = qs_queue_series(c->queue);
	size_t i, k, n = 0;

	for (i = 0; i < c->cfg->nbranches; i++) {
		const qs_section *sec;

		if (!c->cfg->branches[i].per_series)
			continue;
		sec = qs_series_section_byname(s, c->cfg->branches[i].section);
		for (k = 0; sec && k < qs_queue_patchset_count(c->queue); k++)
			n += qs_patchset_section(qs_queue_patchset_byindex(c->queue, k)) == sec;
	}
	return n;
}

/* The ref updates: changed branches, and the cache. */
static int publish(struct ctx *c)
{
	struct qs__ref_update *u = NULL;
	qs_buf *names = NULL;
	size_t n = 0, i;
	git_oid cache;
	qs_buf who = QS_BUF_INIT;
	int ret;

	u = qs__calloc(c->b->nbranches + 1, sizeof(*u));
	names = qs__calloc(c->b->nbranches + 1, sizeof(*names));
	if (!u || !names) {
		ret = QS_ENOMEM;
		goto done;
	}
	for (i = 0; i < c->b->nbranches; i++) {
		struct qs_build_branch *br = c->b->branches[i];

		if (br->status != QS_BRANCH_CREATED && br->status != QS_BRANCH_UPDATED)
			continue;
		qs_buf_init(&names[n]);
		qs_buf_addf(&names[n], "refs/heads/%s", br->name);
		if (qs_buf_oom(&names[n])) {
			ret = QS_ENOMEM;
			goto done;
		}
		u[n].name = names[n].ptr;
		if (br->has_old)
			git_oid_cpy(&u[n].old, &br->old);
		git_oid_cpy(&u[n].new, &br->new);
		n++;
	}
	if ((ret = cache_write(c, &cache)) < 0)
		goto done;
	if (!c->cache.has_old_blob || !git_oid_equal(&cache, &c->cache.old_blob)) {
		u[n].name = CACHE_REF;
		if (c->cache.has_old_blob)
			git_oid_cpy(&u[n].old, &c->cache.old_blob);
		git_oid_cpy(&u[n].new, &cache);
		n++;
	}
	/* objects first: no ref may ever name an object not on disk */
	if ((ret = qs_applier_flush(c->ap)) < 0)
		goto done;
	if (!n)
		goto done;
	qs_buf_addf(&who, "%s <%s>", c->cfg->committer_name, c->cfg->committer_email);
	if (qs_buf_oom(&who)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__refs_update(c->repo, u, n, "quiltsync build", who.ptr);
done:
	for (i = 0; names && i < c->b->nbranches + 1; i++)
		if (names[i].ptr)
			qs_buf_release(&names[i]);
	free(names);
	free(u);
	qs_buf_release(&who);
	return ret;
}

int qs_build_run(qs_build **out, const qs_config *cfg,
		 const qs_build_options *opts)
{
	qs_build_options defaults = QS_BUILD_OPTIONS_INIT;
	qs_queue_options qopts = QS_QUEUE_OPTIONS_INIT;
	qs_apply_options aopts = QS_APPLY_OPTIONS_INIT;
	struct qs__lock *lock = NULL;
	struct ctx c;
	size_t i;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_build_run: out is NULL");
	*out = NULL;
	if (!cfg)
		return qs__error_set(QS_EINVAL, "qs_build_run: config is NULL");
	if (!opts)
		opts = &defaults;
	if (opts->version != QS_BUILD_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL, "qs_build_run: unknown options version %u",
				     opts->version);
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.flags = opts->flags;
	c.progress = opts->progress;
	c.payload = opts->payload;
	c.jobs = opts->jobs;
	c.b = qs__calloc(1, sizeof(*c.b));
	if (!c.b)
		return QS_ENOMEM;
	if (git_repository_open_ext(&c.repo, cfg->repository,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		/* the config names it: a config error, exit 2 */
		ret = qs__error_set(QS_ECONFIG, "'%s' is not a git repository: %s",
				    cfg->repository,
				    git_error_last() ? git_error_last()->message : "unknown error");
		goto done;
	}
	if ((ret = qs__lock_take(&lock, git_repository_commondir(c.repo),
				 opts->wait_seconds)) < 0)
		goto done;
	if (!(c.flags & QS_BUILD_DRY_RUN) &&
	    (ret = qs__refs_recover(c.repo, &c.b->recovered)) < 0)
		goto done;
	qopts.series.placeholders = cfg->placeholder_names;
	if ((ret = qs_queue_open(&c.queue, cfg->series, cfg->patches, &qopts)) < 0)
		goto done;
	aopts.fuzz = cfg->fuzz;
	if ((ret = qs_applier_new(&c.ap, c.repo, &aopts)) < 0)
		goto done;
	c.store = qs__applier_store(c.ap);
	c.srepo = qs__store_repository(c.store);
	if ((ret = resolve_upstream(&c)) < 0)
		goto done;
	if ((ret = cache_load(&c)) < 0 || (ret = resolve_base(&c)) < 0)
		goto done;
	if ((ret = resolutions_key(&c)) < 0)
		goto done;
	git_oid_tostr(c.b->base_hex, sizeof(c.b->base_hex), &c.base);
	c.prog.patches_total = count_work(&c);
	c.prog.branches_total = cfg->nbranches + cfg->nintegrations +
				count_series_branches(&c);
	for (i = 0; i < cfg->nbranches; i++) {
		const struct qs__branch_conf *bc = &cfg->branches[i];
		struct qs_build_branch *br = add_branch(c.b, bc->name, QS_BRANCH_TREE);

		if (!br) {
			ret = QS_ENOMEM;
			goto done;
		}
		if (!bc->per_series) {
			if ((ret = build_tree_branch(&c, bc, br)) < 0)
				goto done;
		} else {
			struct series_plan plan;

			/* threads take series while this one builds the tree */
			if ((ret = series_prepare(&c, bc, &plan)) < 0 ||
			    (ret = series_start(&c, &plan)) < 0) {
				series_run(&c, &plan);
				series_plan_clear(&plan);
				goto done;
			}
			ret = build_tree_branch(&c, bc, br);
			if (ret < 0) {
				pthread_mutex_lock(&plan.lock);
				plan.next = plan.njobs;
				pthread_mutex_unlock(&plan.lock);
				series_run(&c, &plan);
			} else if ((ret = series_run(&c, &plan)) == 0) {
				ret = series_settle(&c, &plan);
			}
			series_plan_clear(&plan);
			if (ret < 0)
				goto done;
		}
		c.prog.branches_done++;
		progress(&c, br->name);
	}
	for (i = 0; i < cfg->nintegrations; i++) {
		const struct qs__integration_conf *ic = &cfg->integrations[i];
		struct qs_build_branch *br = add_branch(c.b, ic->name,
							 QS_BRANCH_INTEGRATION);

		if (!br) {
			ret = QS_ENOMEM;
			goto done;
		}
		if ((ret = build_integration(&c, ic, br)) < 0)
			goto done;
		c.prog.branches_done++;
		progress(&c, br->name);
	}
	/*
	 * Last, once every name the config makes is known: a later branch
	 * may match an earlier per-series pattern ("dev-extra", "dev-{slug}").
	 */
	for (i = 0; i < cfg->nbranches; i++)
		if (cfg->branches[i].per_series &&
		    (ret = list_gone(&c, &cfg->branches[i])) < 0)
			goto done;
	if (!(c.flags & QS_BUILD_DRY_RUN)) {
		if ((ret = publish(&c)) < 0)
			goto done;
		if (opts->finished)
			opts->finished(c.b, c.payload);
	}
	*out = c.b;
	c.b = NULL;
	ret = 0;
done:
	cache_clear(&c.cache);
	qs_applier_free(c.ap);
	qs_queue_free(c.queue);
	qs__lock_release(lock);
	git_repository_free(c.repo);
	qs_build_free(c.b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Recording resolutions */

static int first_merge_head(const git_oid *oid, void *payload)
{
	git_oid_cpy(payload, oid);
	return 1;	/* one is all a merge of two sides has */
}

/* What git merge is merging in, from MERGE_HEAD. */
static int merge_head(git_oid *out, git_repository *repo)
{
	int err = git_repository_mergehead_foreach(repo, first_merge_head, out);

	if (err == 1)
		return 0;
	return qs__error_set(QS_ENOTFOUND,
			     "no merge in progress in '%s' (no MERGE_HEAD): run git merge there first",
			     git_repository_workdir(repo) ?
			     git_repository_workdir(repo) : git_repository_path(repo));
}

int qs_resolve_record(size_t *out_recorded, const qs_config *cfg,
		      const char *worktree)
{
	git_repository *repo = NULL;
	git_oid head, theirs;
	int ret;

	if (!out_recorded || !cfg || !worktree)
		return qs__error_set(QS_EINVAL, "qs_resolve_record: NULL argument");
	*out_recorded = 0;
	if (git_repository_open_ext(&repo, worktree, 0, NULL) < 0)
		return qs__error_set(QS_ENOTFOUND, "'%s' is not in a git worktree",
				     worktree);
	if (!git_repository_workdir(repo)) {
		ret = qs__error_set(QS_EINVAL, "'%s' is a bare repository: resolve in a worktree",
				    worktree);
		goto done;
	}
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		ret = qs__error_git("cannot read HEAD");
		goto done;
	}
	if ((ret = merge_head(&theirs, repo)) < 0)
		goto done;
	ret = qs__merge_record(out_recorded, repo, &head, &theirs,
			       git_repository_workdir(repo), cfg->resolutions);
done:
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
