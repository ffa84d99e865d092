/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync which: where a patch went. Each query (a Message-ID or a
 * lore link to one, a patch file name, a commit id, a subject, a path)
 * is looked up in the manifest the last build wrote, never in the
 * queue, so the answer is what the branches hold, not what the queue
 * says now. The JSON form is a contract documented in
 * quiltsync-which(1).
 *
 * One process per query, on a manifest of thousands of patches: the
 * manifest is loaded lazily, and only the patches whose text holds what
 * the query looks for (qs_manifest_patch_find) are read and tested.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-write.h"

static const char usage[] =
	"quiltsync which [-c FILE] [--json] [--grep | --path] [--rev REV] QUERY...";

/* What a query was taken as; the words are part of the JSON contract. */
enum match_kind {
	BY_MESSAGE_ID,
	BY_NAME,
	BY_COMMIT,
	BY_SUBJECT,
	BY_GREP,
	BY_PATH,
};

static const char *const match_names[] = {
	"message-id", "name", "commit", "subject", "grep", "path",
};

struct matches {
	size_t *items; /* patch indexes, each once, in series order */
	size_t n;
	enum match_kind kind;
};

/*
 * The patches qs_manifest_patch_find gave for a needle, kept for the
 * next kind of query, which often searches the same: a query is tried
 * as a Message-ID, a name and a subject, each itself.
 */
struct candidates {
	char *needle;
	unsigned int flags;
	size_t *items;
	size_t n;
};

static const char *kind_name(qs_branch_kind k)
{
	switch (k) {
	case QS_BRANCH_SERIES: return "series";
	case QS_BRANCH_TREE: return "tree";
	default: return "integration";
	}
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* `len` bytes of `s` with %XX escapes decoded; malloc()ed. */
static char *percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *d = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			*d++ = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	return out;
}

/*
 * The Message-ID a query names, without angle brackets: "<id>", "id",
 * or a link whose path has it as a segment, as lore gives them
 * (https://lore.kernel.org/r/<id>, .../linux-mm/<id>/T/#u). malloc()ed;
 * NULL when the query cannot be one (a link without an '@' segment).
 */
static char *query_message_id(const char *q)
{
	size_t len = strlen(q);

	if (!strncmp(q, "https://", 8) || !strncmp(q, "http://", 7)) {
		const char *p = strstr(q, "://") + 3;
		const char *end = p + strcspn(p, "?#");

		/* skip the host, then look at each path segment */
		p += strcspn(p, "/");
		while (p < end) {
			const char *seg = ++p;
			char *id;

			while (p < end && *p != '/')
				p++;
			if (!(id = percent_decode(seg, (size_t)(p - seg))))
				return NULL;
			if (strchr(id, '@')) {
				size_t n = strlen(id);

				if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
					memmove(id, id + 1, n - 2);
					id[n - 2] = '\0';
				}
				return id;
			}
			free(id);
		}
		return NULL;
	}
	if (len >= 2 && q[0] == '<' && q[len - 1] == '>')
		return percent_decode(q + 1, len - 2);
	return strdup(q);
}

/* 4 to 40 hex digits: a commit id or an abbreviation of one. */
static int is_commit_prefix(const char *q)
{
	size_t i, len = strlen(q);

	if (len < 4 || len > 40)
		return 0;
	for (i = 0; i < len; i++)
		if (hex_value(q[i]) < 0)
			return 0;
	return 1;
}

/* `path` is `q`, or under the directory `q` ("mm/" or "mm"). */
static int path_matches(const char *path, const char *q)
{
	size_t len = strlen(q);

	if (!len)
		return 0;
	if (!strcmp(path, q))
		return 1;
	if (strncmp(path, q, len))
		return 0;
	return q[len - 1] == '/' || path[len] == '/';
}

static int patch_matches(const qs_manifest_patch *p, enum match_kind kind,
			 const char *q)
{
	const char *s;
	size_t i, len;

	switch (kind) {
	case BY_MESSAGE_ID:
		s = qs_manifest_patch_message_id(p);
		return s && !strcmp(s, q);
	case BY_NAME:
		return !strcmp(qs_manifest_patch_name(p), q);
	case BY_COMMIT:
		len = strlen(q);
		for (i = 0; i < qs_manifest_patch_commit_count(p); i++)
			if (!strncasecmp(qs_manifest_patch_commit_id(p, i), q, len))
				return 1;
		return 0;
	case BY_SUBJECT:
		return !strcmp(qs_manifest_patch_subject(p), q);
	case BY_GREP:
		return strcasestr(qs_manifest_patch_subject(p), q) != NULL;
	case BY_PATH:
		for (i = 0; i < qs_manifest_patch_file_count(p); i++)
			if (path_matches(qs_manifest_patch_file_byindex(p, i), q))
				return 1;
		return 0;
	}
	return 0;
}

static int candidates_for(struct candidates *c, const qs_manifest *m,
			  const char *needle, unsigned int flags)
{
	if (c->needle && c->flags == flags && !strcmp(c->needle, needle))
		return 0;
	free(c->needle);
	free(c->items);
	memset(c, 0, sizeof(*c));
	if (!(c->needle = strdup(needle)))
		return QS_ENOMEM;
	c->flags = flags;
	return qs_manifest_patch_find(&c->items, &c->n, m, needle, flags);
}

/*
 * Every patch that matches `q` taken as `kind`: the candidates whose text
 * holds it, tested exactly. 0, or a QS_E* code: QS_EPARSE when a
 * candidate is malformed, as qs_error_last() says.
 */
static int find(struct matches *out, struct candidates *cand, const qs_manifest *m,
		enum match_kind kind, const char *q)
{
	const char *needle = q;
	char *lower = NULL;
	size_t k;
	int ret;

	out->n = 0;
	out->kind = kind;
	if (kind == BY_COMMIT) {
		/* ids are written in lower case: the query is compared in any */
		if (!(lower = strdup(q)))
			return QS_ENOMEM;
		for (k = 0; lower[k]; k++)
			lower[k] = (char)tolower((unsigned char)lower[k]);
		needle = lower;
	}
	ret = candidates_for(cand, m, needle,
			     kind == BY_GREP ? QS_MANIFEST_FIND_ICASE : 0);
	free(lower);
	if (ret < 0)
		return ret;
	for (k = 0; k < cand->n; k++) {
		const qs_manifest_patch *p = qs_manifest_patch_byindex(m, cand->items[k]);

		if (!p)
			return qs_error_last()->code < 0 ? qs_error_last()->code : QS_ERROR;
		if (!patch_matches(p, kind, q))
			continue;
		if (!out->items &&
		    !(out->items = malloc(qs_manifest_patch_count(m) * sizeof(*out->items))))
			return QS_ENOMEM;
		out->items[out->n++] = cand->items[k];
	}
	return 0;
}

/*
 * Look `query` up: as the one kind --grep or --path asks for, or else as
 * each kind in turn (Message-ID, file name, commit, subject) until one
 * finds something.
 */
static int lookup(struct matches *out, struct candidates *cand, const qs_manifest *m,
		  const char *query, int forced, enum match_kind forced_kind)
{
	char *id;
	int ret;

	if (forced)
		return find(out, cand, m, forced_kind, query);
	if ((id = query_message_id(query))) {
		ret = find(out, cand, m, BY_MESSAGE_ID, id);
		free(id);
		if (ret < 0 || out->n)
			return ret;
	}
	if ((ret = find(out, cand, m, BY_NAME, query)) < 0 || out->n)
		return ret;
	if (is_commit_prefix(query) &&
	    ((ret = find(out, cand, m, BY_COMMIT, query)) < 0 || out->n))
		return ret;
	return find(out, cand, m, BY_SUBJECT, query);
}

/*
 * The branches made from the patch's own section: its tree branch and
 * its per-series branch. When one of them failed, the patch is on
 * neither, and the answer must say why.
 */
static int is_own_branch(const qs_manifest_branch *b, const qs_manifest_patch *p)
{
	const char *section = qs_manifest_branch_section(b);
	const char *slug = qs_manifest_patch_series_slug(p);

	if (!section || strcmp(section, qs_manifest_patch_section(p)))
		return 0;
	if (qs_manifest_branch_kind(b) == QS_BRANCH_TREE)
		return 1;
	return qs_manifest_branch_kind(b) == QS_BRANCH_SERIES && slug &&
	       qs_manifest_branch_slug(b) && !strcmp(qs_manifest_branch_slug(b), slug);
}

static int holds(const qs_manifest_patch *p, const char *branch)
{
	size_t i;

	for (i = 0; i < qs_manifest_patch_commit_count(p); i++)
		if (!strcmp(qs_manifest_patch_commit_branch(p, i), branch))
			return 1;
	return 0;
}

/* Why the patch is not on one of its own branches, or NULL. */
static const char *why_not(const qs_manifest_branch *b)
{
	const char *error = qs_manifest_branch_error(b);

	switch (qs_manifest_branch_status(b)) {
	case QS_MANIFEST_FAILED:
		return error ? error : "a patch did not apply";
	case QS_MANIFEST_BLOCKED:
		return error ? error : "it needs a branch that failed";
	case QS_MANIFEST_CONFLICT:
		return error ? error : "a merge conflict";
	case QS_MANIFEST_SKIPPED:
		return error ? error : "it needs another series";
	default:
		return NULL;
	}
}

static void print_applied(const qs_manifest_patch *p)
{
	size_t offset = qs_manifest_patch_applied_offset(p);
	size_t fuzz = qs_manifest_patch_applied_fuzz(p);
	const char *err = qs_manifest_patch_applied_error(p);

	fputs("    applied:    ", stdout);
	switch (qs_manifest_patch_applied(p)) {
	case QS_MANIFEST_APPLIED_CLEAN:
		puts("cleanly");
		break;
	case QS_MANIFEST_APPLIED_OFFSET:
		printf("at an offset of %zu line%s\n", offset, offset == 1 ? "" : "s");
		break;
	case QS_MANIFEST_APPLIED_FUZZ:
		printf("with fuzz %zu, offset %zu\n", fuzz, offset);
		break;
	case QS_MANIFEST_APPLIED_THREE_WAY:
		puts("by a three-way merge");
		break;
	case QS_MANIFEST_APPLIED_FAILED:
		printf("FAILED: %s\n", err ? err : "does not apply");
		break;
	case QS_MANIFEST_APPLIED_NOT_REACHED:
		puts("not reached: its branch failed on an earlier patch");
		break;
	case QS_MANIFEST_APPLIED_EMPTY:
		puts("empty: quilt pushes it, and it makes no commit");
		break;
	case QS_MANIFEST_APPLIED_COMMITTED:
		puts("committed before, not applied by this build");
		break;
	}
}

static void print_human(const qs_manifest *m, const qs_manifest_patch *p)
{
	size_t i, n = qs_manifest_branch_count(m);

	printf("%s\n", qs_manifest_patch_name(p));
	printf("    subject:    %s\n", qs_manifest_patch_subject(p));
	if (qs_manifest_patch_series(p))
		printf("    series:     %s (%zu/%zu)\n", qs_manifest_patch_series(p),
		       qs_manifest_patch_series_position(p),
		       qs_manifest_patch_series_count(p));
	printf("    section:    %s, series file line %zu%s\n",
	       qs_manifest_patch_section(p), qs_manifest_patch_line(p),
	       qs_manifest_patch_committed(p) ? " (committed)" : "");
	if (qs_manifest_patch_message_id(p))
		printf("    message-id: <%s>\n", qs_manifest_patch_message_id(p));
	print_applied(p);
	fputs("    branches:\n", stdout);
	/* what holds it, in the order the build recorded */
	for (i = 0; i < qs_manifest_patch_commit_count(p); i++) {
		const char *name = qs_manifest_patch_commit_branch(p, i);
		const qs_manifest_branch *b = qs_manifest_branch_byname(m, name);
		size_t pos = qs_manifest_patch_commit_position(p, i);

		printf("      %-10s %.12s  %s (%s", qs_manifest_status_name(
			       qs_manifest_branch_status(b)),
		       qs_manifest_patch_commit_id(p, i), name,
		       kind_name(qs_manifest_branch_kind(b)));
		if (pos)
			printf(", position %zu", pos);
		puts(")");
	}
	/* its own branches that do not hold it, and why */
	for (i = 0; i < n; i++) {
		const qs_manifest_branch *b = qs_manifest_branch_byindex(m, i);
		const char *why;

		if (!is_own_branch(b, p) || holds(p, qs_manifest_branch_name(b)))
			continue;
		why = why_not(b);
		printf("      %-10s %-12s  %s (%s)%s%s\n",
		       qs_manifest_status_name(qs_manifest_branch_status(b)), "-",
		       qs_manifest_branch_name(b), kind_name(qs_manifest_branch_kind(b)),
		       why ? ": " : ": not on it", why ? why : "");
	}
}

static void json_branch(struct json *j, const qs_manifest_branch *b,
			const char *commit, size_t position)
{
	json_object_begin(j);
	json_kv_string(j, "name", qs_manifest_branch_name(b));
	json_kv_string(j, "kind", kind_name(qs_manifest_branch_kind(b)));
	json_kv_string(j, "commit", commit);
	json_key(j, "position");
	if (position)
		json_int(j, (int64_t)position);
	else
		json_null(j);
	json_kv_string(j, "status",
		       qs_manifest_status_name(qs_manifest_branch_status(b)));
	json_kv_string(j, "error", commit ? NULL : why_not(b));
	json_object_end(j);
}

static void print_json(struct json *j, const qs_manifest *m,
		       const qs_manifest_patch *p, const char *query,
		       enum match_kind kind)
{
	size_t i, n = qs_manifest_branch_count(m);

	json_object_begin(j);
	json_kv_string(j, "query", query);
	json_kv_string(j, "matched_by", match_names[kind]);
	json_kv_string(j, "patch", qs_manifest_patch_name(p));
	json_kv_int(j, "line", (int64_t)qs_manifest_patch_line(p));
	json_kv_string(j, "section", qs_manifest_patch_section(p));
	json_kv_bool(j, "committed", qs_manifest_patch_committed(p));
	json_kv_string(j, "subject", qs_manifest_patch_subject(p));
	json_kv_string(j, "message_id", qs_manifest_patch_message_id(p));
	json_kv_string(j, "series", qs_manifest_patch_series(p));
	json_kv_string(j, "series_slug", qs_manifest_patch_series_slug(p));
	json_key(j, "series_position");
	if (qs_manifest_patch_series(p))
		json_int(j, (int64_t)qs_manifest_patch_series_position(p));
	else
		json_null(j);
	json_key(j, "series_count");
	if (qs_manifest_patch_series(p))
		json_int(j, (int64_t)qs_manifest_patch_series_count(p));
	else
		json_null(j);
	json_key(j, "applied");
	json_object_begin(j);
	json_kv_string(j, "how", qs_manifest_applied_name(qs_manifest_patch_applied(p)));
	json_kv_int(j, "offset", (int64_t)qs_manifest_patch_applied_offset(p));
	json_kv_int(j, "fuzz", (int64_t)qs_manifest_patch_applied_fuzz(p));
	json_kv_string(j, "error", qs_manifest_patch_applied_error(p));
	json_object_end(j);
	json_key(j, "branches");
	json_array_begin(j);
	for (i = 0; i < qs_manifest_patch_commit_count(p); i++)
		json_branch(j, qs_manifest_branch_byname(m,
				qs_manifest_patch_commit_branch(p, i)),
			    qs_manifest_patch_commit_id(p, i),
			    qs_manifest_patch_commit_position(p, i));
	for (i = 0; i < n; i++) {
		const qs_manifest_branch *b = qs_manifest_branch_byindex(m, i);

		if (is_own_branch(b, p) && !holds(p, qs_manifest_branch_name(b)))
			json_branch(j, b, NULL, 0);
	}
	json_array_end(j);
	json_object_end(j);
}

int cmd_which(int argc, char **argv)
{
	const char *config_path = NULL, *rev = NULL;
	int json = 0, grep = 0, path = 0, nargs = 0, unmatched = 0, printed = 0;
	int ret, i;
	qs_config *cfg = NULL;
	qs_manifest *m = NULL;
	struct matches found = { NULL, 0, BY_NAME };
	struct candidates cand = { NULL, 0, NULL, 0 };
	struct json j;
	const struct cli_opt options[] = {
		{ CLI_OPT_STRING, 'c', "config", &config_path, "FILE",
		  "the config (default: ./quiltsync.yaml)", 0 },
		{ CLI_OPT_FLAG, 0, "json", &json, NULL,
		  "print one JSON array (see quiltsync-which(1))", 0 },
		{ CLI_OPT_FLAG, 0, "grep", &grep, NULL,
		  "queries are parts of subjects, in any case", 0 },
		{ CLI_OPT_FLAG, 0, "path", &path, NULL,
		  "queries are paths: the patches that touch them", 0 },
		{ CLI_OPT_STRING, 0, "rev", &rev, "REV",
		  "read this manifest (default: refs/quiltsync/manifest)", 0 },
		{ CLI_OPT_END, 0, NULL, NULL, NULL, NULL, 0 },
	};

	ret = cli_parse_options(argc, argv, options, usage,
				"Show which branches and commits hold a patch, from the "
				"last build's manifest.", &nargs);
	if (ret)
		return ret > 0 ? QS_EXIT_OK : QS_EXIT_USAGE;
	if (!nargs) {
		fprintf(stderr, "usage: %s\n", usage);
		return QS_EXIT_USAGE;
	}
	if (grep && path) {
		cli_error("--grep and --path cannot be used together");
		return QS_EXIT_USAGE;
	}
	/*
	 * No cli_tune_libgit2(): it initialises libgit2, which a query read
	 * from the manifest's copy does without (qs_manifest_load).
	 */
	if ((ret = cli_load_config(&cfg, config_path)) != 0)
		return ret;
	if (qs_manifest_load(&m, qs_config_repository(cfg), rev, QS_MANIFEST_LAZY) < 0) {
		const qs_error *e = qs_error_last();

		/* no manifest yet is an answer, not a broken input */
		cli_error("%s", e->message);
		ret = e->code == QS_ENOTFOUND ? QS_EXIT_FAILED : cli_exit_code(e->code);
		goto done;
	}
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	}
	for (i = 0; i < nargs; i++) {
		size_t k;

		if ((ret = lookup(&found, &cand, m, argv[i], grep || path,
				  grep ? BY_GREP : BY_PATH)) < 0) {
			/* a malformed patch of the manifest, as the load would have said */
			if (ret == QS_ENOMEM)
				cli_error("out of memory");
			else
				cli_error("%s", qs_error_last()->message);
			ret = cli_exit_code(ret);
			goto done;
		}
		if (!found.n) {
			cli_error("no patch matches '%s'", argv[i]);
			unmatched = 1;
			continue;
		}
		for (k = 0; k < found.n; k++) {
			const qs_manifest_patch *p = qs_manifest_patch_byindex(m, found.items[k]);

			if (json) {
				print_json(&j, m, p, argv[i], found.kind);
			} else {
				if (printed++)
					putchar('\n');
				print_human(m, p);
			}
		}
	}
	if (json) {
		json_array_end(&j);
		json_end_document(&j);
	}
	ret = unmatched ? QS_EXIT_FAILED : QS_EXIT_OK;
done:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the output");
		ret = QS_EXIT_SYSTEM;
	}
	free(found.items);
	free(cand.needle);
	free(cand.items);
	qs_manifest_free(m);
	qs_config_free(cfg);
	return ret;
}
