// SPDX-License-Identifier: GPL-2.0-only
/* Commit objects; see commit.h. */
#include "internal.h"
#include "commit.h"

#include "banned.h"

/* git's ident.c: what "crud" is at either end of a name or an email */
static int is_crud(unsigned char c)
{
	return c <= 32 || c == '.' || c == ',' || c == ':' || c == ';' ||
	       c == '<' || c == '>' || c == '"' || c == '\\' || c == '\'';
}

static void add_without_crud(qs_buf *b, const char *s)
{
	const char *end = s + strlen(s);

	while (s < end && is_crud((unsigned char)*s))
		s++;
	while (end > s && is_crud((unsigned char)end[-1]))
		end--;
	for (; s < end; s++)
		if (*s != '\n' && *s != '<' && *s != '>')
			qs_buf_addch(b, *s);
}

static void add_ident(qs_buf *b, const char *what, const struct qs__ident *id)
{
	int off = id->offset < 0 ? -id->offset : id->offset;

	qs_buf_addf(b, "%s ", what);
	add_without_crud(b, id->name);
	qs_buf_adds(b, " <");
	add_without_crud(b, id->email);
	qs_buf_addf(b, "> %lld %c%02d%02d\n", (long long)id->time,
		    id->offset < 0 ? '-' : '+', off / 60, off % 60);
}

int qs__commit_write(git_oid *out, struct qs__store *store,
		     const git_oid *tree, const git_oid *parents,
		     size_t nparents, const struct qs__ident *author,
		     const struct qs__ident *committer, const char *message)
{
	char hex[GIT_OID_HEXSZ + 1];
	qs_buf b = QS_BUF_INIT;
	size_t i;
	int ret;

	git_oid_tostr(hex, sizeof(hex), tree);
	qs_buf_addf(&b, "tree %s\n", hex);
	for (i = 0; i < nparents; i++) {
		git_oid_tostr(hex, sizeof(hex), &parents[i]);
		qs_buf_addf(&b, "parent %s\n", hex);
	}
	add_ident(&b, "author", author);
	add_ident(&b, "committer", committer);
	qs_buf_addch(&b, '\n');
	qs_buf_adds(&b, message);
	if (qs_buf_oom(&b)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__store_write(out, store, b.ptr, b.len, GIT_OBJECT_COMMIT);
done:
	qs_buf_release(&b);
	return ret;
}

int qs__commit_info(git_oid *tree, int64_t *time, int *offset,
		    git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	const git_signature *who;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_commit_lookup(&c, repo, commit) < 0) {
		char what[64];

		git_oid_tostr(hex, sizeof(hex), commit);
		snprintf(what, sizeof(what), "cannot read commit %s", hex);
		return qs__error_git(what);
	}
	if (tree)
		git_oid_cpy(tree, git_commit_tree_id(c));
	who = git_commit_committer(c);
	if (time)
		*time = who->when.time;
	if (offset)
		*offset = who->when.offset;
	git_commit_free(c);
	return 0;
}
