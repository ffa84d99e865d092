/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One remote's push, with the system git rather than libgit2: libgit2
 * 1.5 has no atomic push, and none of the user's own git setup that a
 * push to kernel.org stands on (ssh config, keys and agents, credential
 * helpers, insteadOf, proxies). git's porcelain report says, per ref,
 * what became of it; with --atomic, one rejected ref leaves every ref
 * of the remote as it was, and git reports the others as "atomic push
 * failed".
 */
#include "internal.h"
#include "publish-internal.h"
#include "git-exec.h"

#define ATOMIC_UNSUPPORTED "does not support --atomic push"

/* The refs that are sent: every changed one (the plan refused none). */
static int sent(const struct qs_publish_ref *ref)
{
	return ref->action != QS_REF_UNCHANGED && ref->status == QS_REF_OK;
}

/*
 * git push's arguments: the options with one lease per leased ref,
 * then the URL and the refspecs. `args` holds the strings, `argv` points
 * into them (NULL-terminated).
 */
static int make_args(const struct qs_publish_remote *r, qs_buf *args,
		     const char ***argv)
{
	size_t n = 0, i, count = 0;
	const char *s, *end;

	qs_buf_adds(args, "push");
	qs_buf_addch(args, '\0');
	if (r->conf->atomic) {
		qs_buf_adds(args, "--atomic");
		qs_buf_addch(args, '\0');
	}
	/* ours alone: no tags followed, whatever push.followTags says */
	qs_buf_adds(args, "--porcelain");
	qs_buf_addch(args, '\0');
	qs_buf_adds(args, "--no-follow-tags");
	qs_buf_addch(args, '\0');
	for (i = 0; i < r->nrefs; i++) {
		if (!sent(&r->refs[i]) || !r->refs[i].lease)
			continue;
		qs_buf_addf(args, "--force-with-lease=%s:%s", r->refs[i].name,
			    r->refs[i].lease);
		qs_buf_addch(args, '\0');
	}
	qs_buf_adds(args, "--");
	qs_buf_addch(args, '\0');
	qs_buf_adds(args, r->url);
	qs_buf_addch(args, '\0');
	for (i = 0; i < r->nrefs; i++) {
		if (!sent(&r->refs[i]))
			continue;
		qs_buf_adds(args, r->refs[i].refspec);
		qs_buf_addch(args, '\0');
	}
	if (qs_buf_oom(args))
		return QS_ENOMEM;
	for (s = args->ptr, end = args->ptr + args->len; s < end; s += strlen(s) + 1)
		count++;
	if (!(*argv = qs__calloc(count + 1, sizeof(**argv))))
		return QS_ENOMEM;
	for (s = args->ptr; s < end; s += strlen(s) + 1)
		(*argv)[n++] = s;
	return 0;
}

static int set_command(struct qs_publish_remote *r, const char *const *argv)
{
	qs_buf line = QS_BUF_INIT;

	qs_buf_adds(&line, "git");
	for (; *argv; argv++)
		qs_buf_addf(&line, " %s", *argv);
	if (qs_buf_oom(&line))
		return QS_ENOMEM;
	free(r->command);
	r->command = qs_buf_detach(&line);
	return 0;
}

int qs__publish_command(struct qs_publish_remote *r)
{
	qs_buf args = QS_BUF_INIT;
	const char **argv = NULL;
	int ret;

	if ((ret = make_args(r, &args, &argv)) == 0)
		ret = set_command(r, argv);
	free(argv);
	qs_buf_release(&args);
	return ret;
}

static struct qs_publish_ref *find_ref(struct qs_publish_remote *r, const char *name,
				       size_t len)
{
	for (size_t i = 0; i < r->nrefs; i++)
		if (strlen(r->refs[i].name) == len && !strncmp(r->refs[i].name, name, len))
			return &r->refs[i];
	return NULL;
}

/*
 * "<flag>\t<from>:<to>\t<summary>" per ref: '!' rejected, '=' up to date,
 * ' ', '+', '*', '-' done. A rejection's summary is "[rejected]
 * (reason)" or "[remote rejected] (reason)".
 */
static int read_porcelain(struct qs_publish_remote *r, char *out, int *stale,
			  int *rejected)
{
	char *line, *next;
	int ret;

	for (line = out; *line; line = next) {
		char *tab1, *tab2, *colon;
		struct qs_publish_ref *ref;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!(tab1 = strchr(line, '\t')) || tab1 != line + 1 ||
		    !(tab2 = strchr(tab1 + 1, '\t')))
			continue;
		*tab2 = '\0';
		if (!(colon = strrchr(tab1 + 1, ':')) ||
		    !(ref = find_ref(r, colon + 1, strlen(colon + 1))))
			continue;
		if (line[0] != '!') {
			ref->status = QS_REF_OK;
			continue;
		}
		/*
		 * git's words for "another ref failed": the client's "atomic
		 * push failed", receive-pack's "atomic push failure"
		 */
		if (strstr(tab2 + 1, "(atomic push fail") ||
		    strstr(tab2 + 1, "(atomic transaction fail")) {
			ref->status = QS_REF_NOT_SENT;
			continue;
		}
		ref->status = QS_REF_REJECTED;
		*rejected = 1;
		if (strstr(tab2 + 1, "(stale info)")) {
			*stale = 1;
			ret = qs__set_text(&ref->reason, "%s",
					   "someone else pushed to it (the lease did not hold)");
		} else {
			ret = qs__set_text(&ref->reason, "%s", tab2 + 1);
		}
		if (ret < 0)
			return ret;
		if ((!r->error || *stale) &&
		    qs__set_text(&r->error, "%s: %s", ref->name, ref->reason) < 0)
			return QS_ENOMEM;
	}
	return 0;
}

int qs__publish_push(struct qs__publish_ctx *ctx, struct qs_publish_remote *r)
{
	qs_buf args = QS_BUF_INIT, out = QS_BUF_INIT, err = QS_BUF_INIT;
	const char **argv = NULL;
	int ret, status, timed_out, stale = 0, rejected = 0;
	size_t i;

	if ((ret = make_args(r, &args, &argv)) < 0 || (ret = set_command(r, argv)) < 0 ||
	    (ret = qs__git_run_ex(&status, &out, &err, ctx->git_dir, argv, ctx->env,
				  r->conf->timeout, &timed_out)) < 0)
		goto done;
	/* until git says otherwise, nothing was sent */
	for (i = 0; i < r->nrefs; i++)
		if (sent(&r->refs[i]))
			r->refs[i].status = QS_REF_NOT_SENT;
	if ((ret = read_porcelain(r, out.ptr, &stale, &rejected)) < 0)
		goto done;
	if (!status && !timed_out) {
		for (i = 0; i < r->nrefs; i++)
			if (r->refs[i].status == QS_REF_NOT_SENT) {
				/* git said Done without naming it: never seen, but not a success */
				r->result = QS_REMOTE_FAILED;
				ret = qs__set_text(&r->error, "git push did not report '%s'",
						   r->refs[i].name);
				goto done;
			}
		r->result = QS_REMOTE_PUBLISHED;
		goto done;
	}
	r->result = stale ? QS_REMOTE_LEASE : QS_REMOTE_FAILED;
	if (timed_out)
		ret = qs__set_text(&r->error, "git push timed out after %d seconds",
				   r->conf->timeout);
	else if (strstr(err.ptr, ATOMIC_UNSUPPORTED))
		ret = qs__set_text(&r->error, "%s",
				   "the server does not offer atomic pushes: nothing sent "
				   "(atomic: false publishes there without, unsafely)");
	else if (!rejected)
		ret = qs__set_text(&r->error, "git push failed: %s",
				   qs__publish_git_message(&err));
	if (!ret && !timed_out && r->result == QS_REMOTE_FAILED)
		ret = qs__publish_recheck(ctx, r);
done:
	free(argv);
	qs_buf_release(&args);
	qs_buf_release(&out);
	qs_buf_release(&err);
	return ret;
}
