/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml: read with libyaml's event parser into a small tree of
 * our own, then checked key by key against a fixed schema. quiltsync.yaml(5)
 * is the specification.
 *
 * The event parser rather than libyaml's document loader because the
 * loader resolves aliases silently and forgets anchors and tags: we
 * refuse all three, so that what the file says is what the build does.
 * Scalars are untyped strings until a key gives them a type, as in YAML
 * 1.2's core schema: "on" and "yes" are strings, booleans are true and
 * false.
 *
 * Checks come in two passes. The first walks the tree in file order and
 * checks each value alone (type, syntax, allowed words) as it fills the
 * config; the second checks what needs the whole file: names used twice,
 * sections taken twice, references to branches that do not exist or come
 * later. Every error names "file:line:column" of the offending node and
 * its key path.
 *
 * Everything the config holds is malloc()ed as soon as it is read and
 * stored in the config at once, so that qs_config_free() on the partly
 * filled config is the one cleanup of every error path.
 */
#include "internal.h"
#include "config-internal.h"
#include "refname.h"
#include "group.h"

#include <git2.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* The deepest valid file nests 5 levels; anything far deeper is an error. */
#define MAX_DEPTH 32

/* Longest value quoted in a message, in bytes. */
#define QUOTE_MAX 60

static const char default_base[] = "previous-rc3";
static const char default_base_pattern[] = "^v(\\d+)\\.(\\d+)-rc3$";
static const char resolutions_name[] = "quiltsync-resolutions";
static const char remotes_prefix[] = "refs/quiltsync/remotes/";

/*
 * akpm's placeholders, used when the file has no `placeholders` key:
 * the same list as cmd/cli.c's, each standing for nothing.
 */
static const char *const akpm_placeholders[] = {
	"mm-stable.patch",
	"mm-nonmm-stable.patch",
	"mm-hotfixes-stable.patch",
	"origin.patch",
	"linux-next.patch",
	"stop.patch",
};

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

/* A YAML node as read: mappings hold key, value, key, value... in items. */
struct node {
	enum node_kind kind;
	size_t line, column;	/* 1-based */
	char *value;		/* scalar: its text, NUL-terminated */
	size_t len;		/* scalar: may hold NUL bytes ("\0" escapes) */
	int plain;		/* scalar: not quoted, not a block scalar */
	struct node **items;
	size_t n, alloc;
};

/* What the second pass needs to point at: the nodes of each branch. */
struct branch_src {
	const struct node *name, *section, *on;
};

struct integration_src {
	const struct node *name, *merge;
};

struct parser {
	qs_config *c;
	const char *name;	/* the file, as messages name it */
	qs_buf key;		/* key path of the node being checked */
	qs_buf scratch;		/* describe()'s result */
	struct branch_src *bsrc;
	struct integration_src *isrc;
	const struct node **pvalue;	/* each placeholder's value node */
	size_t cur;		/* index of the branch or integration being read */
	int have_placeholders;
};

typedef int (*set_fn)(struct parser *p, const struct node *value, void *obj);

struct key {
	const char *name;
	int required;
	set_fn set;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static int is_null(const struct node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->kind != NODE_SCALAR || !n->plain)
		return 0;
	for (size_t i = 0; i < QS_ARRAY_SIZE(nulls); i++)
		if (n->len == strlen(nulls[i]) && !strcmp(n->value, nulls[i]))
			return 1;
	return 0;
}

/*
 * A value as messages show it: quoted, control characters escaped, cut
 * after QUOTE_MAX bytes (never inside a UTF-8 sequence).
 */
static void add_quoted(qs_buf *b, const char *s, size_t len)
{
	size_t n = len;

	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	qs_buf_addch(b, '\'');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			qs_buf_adds(b, "\\n");
		else if (ch == '\t')
			qs_buf_adds(b, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			qs_buf_addf(b, "\\x%02x", ch);
		else
			qs_buf_addch(b, (char)ch);
	}
	qs_buf_addch(b, '\'');
	if (n < len)
		qs_buf_adds(b, "...");
}

/* "a sequence", "a mapping", "null" or the quoted value, for messages. */
static const char *describe(struct parser *p, const struct node *n)
{
	qs_buf *b = &p->scratch;

	qs_buf_clear(b);
	if (n->kind == NODE_SEQUENCE)
		qs_buf_adds(b, "a sequence");
	else if (n->kind == NODE_MAPPING)
		qs_buf_adds(b, "a mapping");
	else if (is_null(n))
		qs_buf_adds(b, "null");
	else
		add_quoted(b, n->value, n->len);
	return b->ptr;
}

/* The same, saying so when a number or a boolean was quoted. */
static const char *describe_typed(struct parser *p, const struct node *n)
{
	if (n->kind == NODE_SCALAR && !n->plain) {
		qs_buf_sets(&p->scratch, "the string ");
		add_quoted(&p->scratch, n->value, n->len);
		return p->scratch.ptr;
	}
	return describe(p, n);
}

__attribute__((format(printf, 4, 0)))
static int vfail(struct parser *p, size_t line, size_t column,
		 const char *fmt, va_list ap)
{
	qs_buf msg = QS_BUF_INIT;
	int ret;

	qs_buf_vaddf(&msg, fmt, ap);
	if (qs_buf_oom(&msg) || qs_buf_oom(&p->key) || qs_buf_oom(&p->scratch)) {
		qs_buf_release(&msg);
		return qs__error_oom();
	}
	if (p->key.len)
		ret = qs__error_set_at_column(QS_ECONFIG, p->name, line, column,
					      "%s: %s", p->key.ptr, msg.ptr);
	else
		ret = qs__error_set_at_column(QS_ECONFIG, p->name, line, column,
					      "%s", msg.ptr);
	qs_buf_release(&msg);
	return ret;
}

/* A QS_ECONFIG error at node `at`, under the current key path. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, const struct node *at, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(p, at->line, at->column, fmt, ap);
	va_end(ap);
	return ret;
}

__attribute__((format(printf, 4, 5)))
static int fail_mark(struct parser *p, size_t line, size_t column,
		     const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(p, line, column, fmt, ap);
	va_end(ap);
	return ret;
}

/* Key paths: "branches[2].on[1]". Each push returns what pop restores. */
static size_t push_key(struct parser *p, const char *name, size_t len)
{
	size_t old = p->key.len;

	if (old)
		qs_buf_addch(&p->key, '.');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x20 || ch == 0x7f)
			qs_buf_addf(&p->key, "\\x%02x", ch);
		else
			qs_buf_addch(&p->key, (char)ch);
	}
	return old;
}

static size_t push_index(struct parser *p, size_t i)
{
	size_t old = p->key.len;

	qs_buf_addf(&p->key, "[%zu]", i);
	return old;
}

static void pop_key(struct parser *p, size_t old)
{
	if (old <= p->key.len)
		qs_buf_truncate(&p->key, old);
}

/* Start the key path afresh, for the checks of the second pass. */
__attribute__((format(printf, 2, 3)))
static void set_key(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	qs_buf_clear(&p->key);
	va_start(ap, fmt);
	qs_buf_vaddf(&p->key, fmt, ap);
	va_end(ap);
}

/*
 * Reading the tree.
 */

/* The key path of the place where the next node of the stream goes. */
static void key_of_position(struct parser *p, struct node **stack, size_t depth)
{
	qs_buf_clear(&p->key);
	for (size_t i = 0; i < depth; i++) {
		const struct node *n = stack[i];
		/* below the top, the child is the last item; at the top, the next */
		size_t pos = i + 1 < depth ? n->n - 1 : n->n;

		if (n->kind == NODE_SEQUENCE) {
			push_index(p, pos);
		} else if (pos % 2 == 1) {
			const struct node *k = n->items[pos - 1];

			if (k->kind == NODE_SCALAR)
				push_key(p, k->value, strlen(k->value));
		}
	}
}

/* Line and column of byte `offset`, counting characters as libyaml does. */
static void offset_mark(const char *buf, size_t len, size_t offset,
			size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static int syntax_error(struct parser *p, const yaml_parser_t *yp,
			const char *buf, size_t len)
{
	const char *problem = yp->problem ? yp->problem : "invalid YAML";
	size_t line, column;

	qs_buf_clear(&p->key);
	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		return qs__error_oom();
	case YAML_READER_ERROR:
		offset_mark(buf, len, yp->problem_offset, &line, &column);
		if (yp->problem_value != -1)
			return fail_mark(p, line, column, "%s (0x%02x)", problem,
					 (unsigned)yp->problem_value);
		return fail_mark(p, line, column, "%s", problem);
	default:
		line = yp->problem_mark.line + 1;
		column = yp->problem_mark.column + 1;
		if (yp->context)
			return fail_mark(p, line, column, "%s (%s at %zu:%zu)",
					 problem, yp->context,
					 yp->context_mark.line + 1,
					 yp->context_mark.column + 1);
		return fail_mark(p, line, column, "%s", problem);
	}
}

static int add_child(struct node *parent, struct node *child)
{
	if (QS_ARRAY_GROW(parent->items, parent->alloc, parent->n + 1) < 0)
		return QS_ENOMEM;
	parent->items[parent->n++] = child;
	return 0;
}

/*
 * One node of the stream: refuse what we do not support, make the node
 * and hang it in the tree. `*made` receives it, owned by the tree.
 */
static int new_node(struct parser *p, const yaml_event_t *ev,
		    struct node **root, struct node **stack, size_t depth,
		    struct node **made)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	size_t line = ev->start_mark.line + 1, column = ev->start_mark.column + 1;
	struct node *n;

	*made = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	default:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	}
	if (anchor || tag) {
		key_of_position(p, stack, depth);
		return fail_mark(p, line, column, "%s are not supported",
				 anchor ? "anchors" : "tags");
	}
	if (!(n = qs__calloc(1, sizeof(*n))))
		return QS_ENOMEM;
	n->line = line;
	n->column = column;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->kind = NODE_SCALAR;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->value = qs__strndup((const char *)ev->data.scalar.value, n->len);
		if (!n->value) {
			free(n);
			return QS_ENOMEM;
		}
	} else {
		n->kind = ev->type == YAML_SEQUENCE_START_EVENT ? NODE_SEQUENCE :
								 NODE_MAPPING;
	}
	if (!depth) {
		*root = n;
	} else if (add_child(stack[depth - 1], n) < 0) {
		node_free(n);
		return QS_ENOMEM;
	}
	*made = n;
	return 0;
}

static int read_tree(struct parser *p, const char *buf, size_t len,
		     struct node **out)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	struct node *stack[MAX_DEPTH], *root = NULL, *n;
	size_t depth = 0, line, column;
	int ret = 0, documents = 0, have_event = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&yp))
		return qs__error_oom();
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&yp, &ev)) {
			ret = syntax_error(p, &yp, buf, len);
			goto done;
		}
		have_event = 1;
		line = ev.start_mark.line + 1;
		column = ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			goto done;
		case YAML_DOCUMENT_START_EVENT:
			if (documents++) {
				qs_buf_clear(&p->key);
				ret = fail_mark(p, line, column,
						"more than one document");
				goto done;
			}
			break;
		case YAML_ALIAS_EVENT:
			key_of_position(p, stack, depth);
			ret = fail_mark(p, line, column, "aliases are not supported");
			goto done;
		case YAML_SCALAR_EVENT:
			if ((ret = new_node(p, &ev, &root, stack, depth, &n)) < 0)
				goto done;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == MAX_DEPTH) {
				key_of_position(p, stack, depth);
				ret = fail_mark(p, line, column,
						"nested more than %d levels deep",
						MAX_DEPTH);
				goto done;
			}
			if ((ret = new_node(p, &ev, &root, stack, depth, &n)) < 0)
				goto done;
			stack[depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		have_event = 0;
	}
done:
	if (have_event)
		yaml_event_delete(&ev);
	yaml_parser_delete(&yp);
	if (ret < 0)
		node_free(root);
	else
		*out = root;
	return ret;
}

/*
 * Value checks of the first pass.
 */

static int check_mapping(struct parser *p, const struct node *n,
			 const char *what)
{
	if (n->kind != NODE_MAPPING)
		return fail(p, n, "expected a mapping %s, got %s", what,
			    describe(p, n));
	return 0;
}

/* A non-empty string, without NUL. */
static int get_string(struct parser *p, const struct node *n, char **out)
{
	free(*out);
	*out = NULL;
	if (n->kind != NODE_SCALAR)
		return fail(p, n, "expected a string, got %s", describe(p, n));
	if (!n->len || is_null(n))
		return fail(p, n, "empty value");
	if (memchr(n->value, '\0', n->len))
		return fail(p, n, "NUL character in %s", describe(p, n));
	if (!(*out = qs__strndup(n->value, n->len)))
		return QS_ENOMEM;
	return 0;
}

/* git's rules, without initialising libgit2 (refname.h says why) */
static int ref_is_valid(const char *ref)
{
	return qs__refname_is_valid(ref);
}

/* "refs/<prefix>" + name is a valid ref name. */
static int ref_with_prefix_is_valid(const char *prefix, const char *name)
{
	qs_buf ref = QS_BUF_INIT;
	int valid;

	qs_buf_adds(&ref, prefix);
	qs_buf_adds(&ref, name);
	valid = !qs_buf_oom(&ref) && ref_is_valid(ref.ptr);
	qs_buf_release(&ref);
	return valid;
}

/*
 * A name git would take for a branch: libgit2's ref rules, and, as
 * `git branch` has it, not "HEAD", "@" nor starting with '-'.
 */
static int branch_name_is_valid(const char *name)
{
	if (name[0] == '-' || !strcmp(name, "HEAD") || !strcmp(name, "@"))
		return 0;
	return ref_with_prefix_is_valid("refs/heads/", name);
}

/* A branch name that a config may give a branch or an integration. */
static int get_branch_name(struct parser *p, const struct node *n, char **out)
{
	int ret;

	if ((ret = get_string(p, n, out)) < 0)
		return ret;
	if (!branch_name_is_valid(*out))
		return fail(p, n, "%s is not a valid branch name", describe(p, n));
	if (!strcmp(*out, "base") || !strcmp(*out, "upstream"))
		return fail(p, n, "'%s' is reserved: it means the %s commit in on, merge and placeholders",
			    *out, *out);
	return 0;
}

/* Normalised: no "." components, no repeated or trailing '/'; "" is ".". */
static char *normalize_path(const char *path)
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
	path = qs_buf_oom(&joined) ? NULL : normalize_path(joined.ptr);
	qs_buf_release(&joined);
	return path;
}

/* The directory part of `path`: "." when it has none. */
static char *dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *dir, *norm;

	if (!slash)
		return qs__strdup(".");
	if (!(dir = qs__strndup(path, (size_t)(slash - path) + 1)))
		return NULL;
	norm = normalize_path(dir);
	free(dir);
	return norm;
}

static int get_path(struct parser *p, const struct node *n, char **out)
{
	char *value = NULL;
	int ret;

	if ((ret = get_string(p, n, &value)) < 0)
		return ret;
	free(*out);
	if (!(*out = resolve_path(p->c->dir, value)))
		ret = QS_ENOMEM;
	free(value);
	return ret;
}

static int set_repository(struct parser *p, const struct node *v, void *obj)
{
	return get_path(p, v, &p->c->repository);
}

static int set_series(struct parser *p, const struct node *v, void *obj)
{
	return get_path(p, v, &p->c->series);
}

static int set_patches(struct parser *p, const struct node *v, void *obj)
{
	return get_path(p, v, &p->c->patches);
}

static int set_resolutions(struct parser *p, const struct node *v, void *obj)
{
	return get_path(p, v, &p->c->resolutions);
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

	if ((ret = get_string(p, v, &s)) < 0)
		return ret;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!(lt = strchr(s, '<')) || !len || s[len - 1] != '>') {
		ret = fail(p, v, "expected 'Name <email>', got %s", describe(p, v));
		goto done;
	}
	while (s[start] == ' ' || s[start] == '\t')
		start++;
	end = (size_t)(lt - s);
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (end == start) {
		ret = fail(p, v, "no name before the email in %s", describe(p, v));
		goto done;
	}
	if ((size_t)(lt - s) + 2 == len) {
		ret = fail(p, v, "empty email in %s", describe(p, v));
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
		ret = fail(p, v, "'<', '>' or a control character inside the name or the email of %s",
			   describe(p, v));
done:
	free(s);
	return ret;
}

static int set_committer(struct parser *p, const struct node *v, void *obj)
{
	return get_ident(p, v, &p->c->committer_name, &p->c->committer_email);
}

/* The author of patches that name none (git quiltimport --author). */
static int set_author(struct parser *p, const struct node *v, void *obj)
{
	return get_ident(p, v, &p->c->author_name, &p->c->author_email);
}

/*
 * A ref name ("refs/remotes/origin/master", "origin/master", "HEAD"),
 * possibly followed by revision suffixes (~N, ^N, ^{...}, @{...}) that
 * libgit2 checks when the build resolves it.
 */
static int set_upstream(struct parser *p, const struct node *v, void *obj)
{
	char *s;
	size_t stem;
	int ret, valid;

	if ((ret = get_string(p, v, &p->c->upstream)) < 0)
		return ret;
	s = p->c->upstream;
	stem = strcspn(s, "~^");
	if (strstr(s, "@{") && (size_t)(strstr(s, "@{") - s) < stem)
		stem = (size_t)(strstr(s, "@{") - s);
	if (!(s = qs__strndup(s, stem)))
		return QS_ENOMEM;
	valid = *s && *s != '-' &&
		(!strncmp(s, "refs/", 5) ? ref_is_valid(s) :
		 ref_with_prefix_is_valid("refs/heads/", s));
	free(s);
	if (!valid)
		return fail(p, v, "expected a ref such as refs/remotes/origin/master, got %s",
			    describe(p, v));
	return 0;
}

static int is_commit_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return !s[n] && n >= 4 && n <= GIT_OID_HEXSZ;
}

static int set_base(struct parser *p, const struct node *v, void *obj)
{
	char *s;
	int ret;

	if ((ret = get_string(p, v, &p->c->base)) < 0)
		return ret;
	s = p->c->base;
	if (!strcmp(s, default_base) || is_commit_id(s))
		return 0;
	if (*s == '-' || !ref_with_prefix_is_valid("refs/tags/", s))
		return fail(p, v, "expected previous-rc3, a tag or a commit id, got %s",
			    describe(p, v));
	return 0;
}

static int set_base_pattern(struct parser *p, const struct node *v, void *obj)
{
	pcre2_code *re;
	PCRE2_SIZE erroff;
	uint32_t groups = 0;
	int ret, errcode;

	if ((ret = get_string(p, v, &p->c->base_pattern)) < 0)
		return ret;
	re = pcre2_compile((PCRE2_SPTR)p->c->base_pattern, PCRE2_ZERO_TERMINATED,
			   0, &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return fail(p, v, "invalid pattern %s: %s at offset %zu",
			    describe(p, v), (const char *)msg, (size_t)erroff);
	}
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	pcre2_code_free(re);
	if (groups < 1)
		return fail(p, v, "pattern %s has no capture group for the version numbers",
			    describe(p, v));
	return 0;
}

static int set_fuzz(struct parser *p, const struct node *v, void *obj)
{
	if (v->kind != NODE_SCALAR || !v->plain || v->len != 1 ||
	    v->value[0] < '0' || v->value[0] > '3')
		return fail(p, v, "expected an integer from 0 to 3, got %s",
			    describe_typed(p, v));
	p->c->fuzz = v->value[0] - '0';
	return 0;
}

/*
 * A size in bytes, with an optional k, m or g (powers of 1024, in
 * either case, as git's config reads them): "256m".
 */
static int set_max_patch_size(struct parser *p, const struct node *v, void *obj)
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
		return fail(p, v, "expected a size in bytes (a number, then k, m or g), got %s",
			    describe_typed(p, v));
	p->c->max_patch_size = (size_t)(n * unit);
	return 0;
}

/* YAML 1.2's core schema: true and false only, so "yes" is a typo. */
static int set_three_way(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = {
		"false", "False", "FALSE", "true", "True", "TRUE",
	};

	if (v->kind == NODE_SCALAR && v->plain) {
		for (size_t i = 0; i < QS_ARRAY_SIZE(words); i++) {
			if (!strcmp(v->value, words[i]) && v->len == strlen(words[i])) {
				p->c->three_way = i >= 3;
				return 0;
			}
		}
	}
	return fail(p, v, "expected true or false, got %s", describe_typed(p, v));
}

/* Which of `words` the scalar `v` is, or -1. */
static int one_of(const struct node *v, const char *const *words, size_t n)
{
	if (v->kind != NODE_SCALAR)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v->len == strlen(words[i]) && !strcmp(v->value, words[i]))
			return (int)i;
	return -1;
}

static int set_dependencies(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "stack", "3way", "skip" };
	static const qs__deps_policy policies[] = {
		QS__DEPS_STACK, QS__DEPS_3WAY, QS__DEPS_SKIP,
	};
	int i = one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return fail(p, v, "expected stack, 3way or skip, got %s",
			    describe(p, v));
	p->c->dependencies = policies[i];
	return 0;
}

/* What becomes of a per-series branch whose series fails: kept, or unpublished. */
static int set_failed_series(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "keep", "unpublish" };
	int i = one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return fail(p, v, "expected keep or unpublish, got %s", describe(p, v));
	p->c->unpublish_failed_series = i == 1;
	return 0;
}

/* How the series file marks its sections: quiltsync-series(5). */
static int set_sections(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "branch", "mmotm" };
	static const qs_series_convention conventions[] = {
		QS_SERIES_BRANCH, QS_SERIES_MMOTM,
	};
	int i = one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return fail(p, v, "expected branch or mmotm, got %s", describe(p, v));
	p->c->convention = conventions[i];
	return 0;
}

static int set_link(struct parser *p, const struct node *v, void *obj)
{
	int ret;

	if ((ret = get_string(p, v, &p->c->link)) < 0)
		return ret;
	if (!strstr(p->c->link, "{msgid}"))
		return fail(p, v, "expected a URL pattern containing {msgid}, got %s",
			    describe(p, v));
	return 0;
}

/*
 * A mapping with the keys `keys`, in file order: unknown and duplicate
 * keys are errors at the key, missing required ones at the mapping.
 * `found[i]` receives the value node of keys[i], or NULL.
 */
static int walk_mapping(struct parser *p, const struct node *map,
			const struct key *keys, size_t nkeys, void *obj,
			const struct node **found, const struct node **key_found)
{
	int ret;

	for (size_t i = 0; i < nkeys; i++)
		found[i] = key_found[i] = NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->items[i], *v = map->items[i + 1];
		size_t j, old;

		if (k->kind != NODE_SCALAR)
			return fail(p, k, "expected a key, got %s", describe(p, k));
		if (is_null(k) || !k->len)
			return fail(p, k, "empty key");
		for (j = 0; j < nkeys; j++)
			if (k->len == strlen(keys[j].name) &&
			    !strcmp(k->value, keys[j].name))
				break;
		old = push_key(p, k->value, k->len);
		if (j == nkeys) {
			qs_buf allowed = QS_BUF_INIT;

			for (size_t a = 0; a < nkeys; a++)
				qs_buf_addf(&allowed, "%s%s", a ? ", " : "",
					    keys[a].name);
			ret = fail(p, k, "unknown key, expected one of %s",
				   allowed.ptr);
			qs_buf_release(&allowed);
			return ret;
		}
		if (key_found[j])
			return fail(p, k, "duplicate key, first at %zu:%zu",
				    key_found[j]->line, key_found[j]->column);
		key_found[j] = k;
		found[j] = v;
		if ((ret = keys[j].set(p, v, obj)) < 0)
			return ret;
		pop_key(p, old);
	}
	for (size_t j = 0; j < nkeys; j++)
		if (keys[j].required && !found[j])
			return fail(p, map, "missing required key '%s'",
				    keys[j].name);
	return 0;
}

/* base, upstream or a branch name: what `on` and placeholders name. */
static int get_start(struct parser *p, const struct node *n,
		     struct qs__start *start)
{
	char *s = NULL;
	int ret;

	start->at.line = n->line;
	start->at.column = n->column;
	if (n->kind != NODE_SCALAR)
		return fail(p, n, "expected base, upstream or a branch name, got %s",
			    describe(p, n));
	if ((ret = get_string(p, n, &s)) < 0)
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
		if (!branch_name_is_valid(s))
			return fail(p, n, "%s is not a valid branch name",
				    describe(p, n));
	}
	return 0;
}

static int set_branch_name(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;

	p->bsrc[p->cur].name = v;
	return get_branch_name(p, v, &b->name);
}

static int set_section(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;

	p->bsrc[p->cur].section = v;
	return get_string(p, v, &b->section);
}

static int set_on(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;
	int ret;

	p->bsrc[p->cur].on = v;
	if (v->kind == NODE_MAPPING)
		return fail(p, v, "expected base, upstream, a branch name or a sequence of them, got a mapping");
	if (v->kind == NODE_SCALAR) {
		if (!(b->on = qs__calloc(1, sizeof(*b->on))))
			return QS_ENOMEM;
		b->non = 1;
		return get_start(p, v, &b->on[0]);
	}
	if (!v->n)
		return fail(p, v, "empty sequence, expected base, upstream or branch names");
	if (!(b->on = qs__calloc(v->n, sizeof(*b->on))))
		return QS_ENOMEM;
	b->non = v->n;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = push_index(p, i);

		if ((ret = get_start(p, v->items[i], &b->on[i])) < 0)
			return ret;
		pop_key(p, old);
	}
	return 0;
}

static int set_mode(struct parser *p, const struct node *v, void *obj)
{
	static const char *const words[] = { "rebuild", "append" };
	struct qs__branch_conf *b = obj;
	int i = one_of(v, words, QS_ARRAY_SIZE(words));

	if (i < 0)
		return fail(p, v, "expected rebuild or append, got %s",
			    describe(p, v));
	b->mode = i ? QS__MODE_APPEND : QS__MODE_REBUILD;
	return 0;
}

static int set_per_series(struct parser *p, const struct node *v, void *obj)
{
	struct qs__branch_conf *b = obj;
	qs_buf name = QS_BUF_INIT;
	const char *slug;
	int ret;

	if ((ret = get_string(p, v, &b->per_series)) < 0)
		return ret;
	slug = strstr(b->per_series, "{slug}");
	if (!slug || strstr(slug + 1, "{slug}"))
		return fail(p, v, "expected a branch name pattern with {slug} once, got %s",
			    describe(p, v));
	qs_buf_add(&name, b->per_series, (size_t)(slug - b->per_series));
	qs_buf_addch(&name, 'x');
	qs_buf_adds(&name, slug + strlen("{slug}"));
	if (qs_buf_oom(&name))
		ret = QS_ENOMEM;
	else if (!branch_name_is_valid(name.ptr))
		ret = fail(p, v, "%s does not make valid branch names",
			   describe(p, v));
	qs_buf_release(&name);
	return ret;
}

static const struct key branch_keys[] = {
	{ "name", 1, set_branch_name },
	{ "section", 0, set_section },
	{ "on", 1, set_on },
	{ "mode", 0, set_mode },
	{ "per-series", 0, set_per_series },
};

static int set_branches(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(branch_keys)];
	const struct node *keys[QS_ARRAY_SIZE(branch_keys)];
	qs_config *c = p->c;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return fail(p, v, "expected a sequence of branches, got %s",
			    describe(p, v));
	if (!v->n)
		return fail(p, v, "empty sequence, expected at least one branch");
	if (!(c->branches = qs__calloc(v->n, sizeof(*c->branches))) ||
	    !(p->bsrc = qs__calloc(v->n, sizeof(*p->bsrc))))
		return QS_ENOMEM;
	c->nbranches = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__branch_conf *b = &c->branches[i];
		size_t old = push_index(p, i);

		if ((ret = check_mapping(p, item, "with name and on")) < 0)
			return ret;
		b->at.line = item->line;
		b->at.column = item->column;
		p->cur = i;
		if ((ret = walk_mapping(p, item, branch_keys,
					QS_ARRAY_SIZE(branch_keys), b, found,
					keys)) < 0)
			return ret;
		if (!b->section && !(b->section = qs__strdup(b->name)))
			return QS_ENOMEM;
		pop_key(p, old);
	}
	return 0;
}

static int set_integration_name(struct parser *p, const struct node *v,
				void *obj)
{
	struct qs__integration_conf *in = obj;

	p->isrc[p->cur].name = v;
	return get_branch_name(p, v, &in->name);
}

static int set_url(struct parser *p, const struct node *v, void *obj)
{
	struct qs__start *s = obj;
	int ret;

	if ((ret = get_string(p, v, &s->url)) < 0)
		return ret;
	for (const char *c = s->url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return fail(p, v, "blank or control character in URL %s",
				    describe(p, v));
	return 0;
}

static int set_ref(struct parser *p, const struct node *v, void *obj)
{
	struct qs__start *s = obj;
	int ret, valid;

	if ((ret = get_string(p, v, &s->ref)) < 0)
		return ret;
	if (!strncmp(s->ref, "refs/", 5))
		valid = ref_is_valid(s->ref);
	else
		valid = branch_name_is_valid(s->ref);
	if (!valid)
		return fail(p, v, "expected a branch name or a full ref, got %s",
			    describe(p, v));
	return 0;
}

static const struct key remote_keys[] = {
	{ "url", 1, set_url },
	{ "ref", 1, set_ref },
};

/* {url, ref}, and the local ref it is fetched to. */
static int get_remote(struct parser *p, const struct node *n,
		      struct qs__start *s)
{
	const struct node *found[QS_ARRAY_SIZE(remote_keys)];
	const struct node *keys[QS_ARRAY_SIZE(remote_keys)];
	qs_buf local = QS_BUF_INIT;
	char *slug = NULL;
	const char *ref;
	int ret;

	s->kind = QS__START_REMOTE;
	if ((ret = walk_mapping(p, n, remote_keys, QS_ARRAY_SIZE(remote_keys),
				s, found, keys)) < 0)
		return ret;
	if ((ret = qs_slugify(&slug, s->url)) < 0)
		return ret;
	if (!*slug) {
		size_t old = push_key(p, "url", 3);

		ret = fail(p, found[0], "no letter or digit in URL %s to name its local ref",
			   describe(p, found[0]));
		pop_key(p, old);
		goto done;
	}
	ref = s->ref;
	if (!strncmp(ref, "refs/heads/", 11))
		ref += 11;
	qs_buf_addf(&local, "%s%s/%s", remotes_prefix, slug, ref);
	if (qs_buf_oom(&local)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (!ref_is_valid(local.ptr)) {
		size_t old = push_key(p, "ref", 3);

		ret = fail(p, found[1], "%s gives no valid local ref", describe(p, found[1]));
		pop_key(p, old);
		goto done;
	}
	s->local_ref = qs_buf_detach(&local);
done:
	qs_buf_release(&local);
	free(slug);
	return ret;
}

static int set_merge(struct parser *p, const struct node *v, void *obj)
{
	struct qs__integration_conf *in = obj;
	int ret;

	p->isrc[p->cur].merge = v;
	if (v->kind != NODE_SEQUENCE)
		return fail(p, v, "expected a sequence of branch names and {url, ref} trees, got %s",
			    describe(p, v));
	if (v->n < 2)
		return fail(p, v, "expected at least two things to merge, got %zu",
			    v->n);
	if (!(in->merge = qs__calloc(v->n, sizeof(*in->merge))))
		return QS_ENOMEM;
	in->nmerge = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__start *s = &in->merge[i];
		size_t old = push_index(p, i);

		s->at.line = item->line;
		s->at.column = item->column;
		if (item->kind == NODE_MAPPING) {
			ret = get_remote(p, item, s);
		} else if (item->kind == NODE_SEQUENCE) {
			ret = fail(p, item, "expected a branch name or a {url, ref} mapping, got a sequence");
		} else if ((ret = get_start(p, item, s)) == 0 &&
			   s->kind != QS__START_BRANCH) {
			ret = fail(p, item, "expected a branch name or a {url, ref} mapping, got %s",
				   describe(p, item));
		}
		if (ret < 0)
			return ret;
		pop_key(p, old);
	}
	return 0;
}

static const struct key integration_keys[] = {
	{ "name", 1, set_integration_name },
	{ "merge", 1, set_merge },
};

static int set_integrations(struct parser *p, const struct node *v, void *obj)
{
	const struct node *found[QS_ARRAY_SIZE(integration_keys)];
	const struct node *keys[QS_ARRAY_SIZE(integration_keys)];
	qs_config *c = p->c;
	int ret;

	if (v->kind != NODE_SEQUENCE)
		return fail(p, v, "expected a sequence of integration branches, got %s",
			    describe(p, v));
	if (!(c->integrations = qs__calloc(v->n, sizeof(*c->integrations))) ||
	    !(p->isrc = qs__calloc(v->n, sizeof(*p->isrc))))
		return QS_ENOMEM;
	c->nintegrations = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *item = v->items[i];
		struct qs__integration_conf *in = &c->integrations[i];
		size_t old = push_index(p, i);

		if ((ret = check_mapping(p, item, "with name and merge")) < 0)
			return ret;
		in->at.line = item->line;
		in->at.column = item->column;
		p->cur = i;
		if ((ret = walk_mapping(p, item, integration_keys,
					QS_ARRAY_SIZE(integration_keys), in,
					found, keys)) < 0)
			return ret;
		pop_key(p, old);
	}
	return 0;
}

/* What quilt would read as one series entry: a word, not a comment. */
static int is_entry_name(const char *s)
{
	if (!*s || *s == '#')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static int set_placeholders(struct parser *p, const struct node *v, void *obj)
{
	qs_config *c = p->c;
	size_t n = v->n / 2;
	int ret;

	if ((ret = check_mapping(p, v, "of series entries to refs")) < 0)
		return ret;
	p->have_placeholders = 1;
	if (!(c->placeholders = qs__calloc(n, sizeof(*c->placeholders))) ||
	    !(p->pvalue = qs__calloc(n, sizeof(*p->pvalue))))
		return QS_ENOMEM;
	c->nplaceholders = n;
	for (size_t i = 0; i < n; i++) {
		const struct node *k = v->items[2 * i], *val = v->items[2 * i + 1];
		struct qs__placeholder *ph = &c->placeholders[i];
		size_t old;

		if (k->kind != NODE_SCALAR)
			return fail(p, k, "expected a series entry name, got %s",
				    describe(p, k));
		if (is_null(k) || !k->len)
			return fail(p, k, "empty key");
		if ((ret = get_string(p, k, &ph->entry)) < 0)
			return ret;
		if (!is_entry_name(ph->entry))
			return fail(p, k, "%s cannot be a series entry name",
				    describe(p, k));
		for (size_t j = 0; j < i; j++) {
			const struct node *first = v->items[2 * j];

			if (!strcmp(c->placeholders[j].entry, ph->entry))
				return fail(p, k, "duplicate entry %s, first at %zu:%zu",
					    describe(p, k), first->line,
					    first->column);
		}
		old = push_key(p, ph->entry, strlen(ph->entry));
		p->pvalue[i] = val;
		if (is_null(val)) {
			ph->target.kind = QS__START_NONE;
			ph->target.at.line = val->line;
			ph->target.at.column = val->column;
		} else if ((ret = get_start(p, val, &ph->target)) < 0) {
			return ret;
		}
		pop_key(p, old);
	}
	return 0;
}

static const struct key root_keys[] = {
	{ "repository", 1, set_repository },
	{ "series", 1, set_series },
	{ "patches", 0, set_patches },
	{ "sections", 0, set_sections },
	{ "committer", 1, set_committer },
	{ "author", 0, set_author },
	{ "upstream", 1, set_upstream },
	{ "base", 0, set_base },
	{ "base-pattern", 0, set_base_pattern },
	{ "resolutions", 0, set_resolutions },
	{ "fuzz", 0, set_fuzz },
	{ "max-patch-size", 0, set_max_patch_size },
	{ "3way", 0, set_three_way },
	{ "dependencies", 0, set_dependencies },
	{ "failed-series", 0, set_failed_series },
	{ "link", 0, set_link },
	{ "placeholders", 0, set_placeholders },
	{ "branches", 1, set_branches },
	{ "integration", 0, set_integrations },
};

/*
 * The second pass: what needs the whole file.
 */

static size_t find_branch(const qs_config *c, const char *name)
{
	for (size_t i = 0; i < c->nbranches; i++)
		if (!strcmp(c->branches[i].name, name))
			return i;
	return SIZE_MAX;
}

static size_t find_integration(const qs_config *c, const char *name)
{
	for (size_t i = 0; i < c->nintegrations; i++)
		if (!strcmp(c->integrations[i].name, name))
			return i;
	return SIZE_MAX;
}

/* The node of on[k] of branch i, and its key path in p->key. */
static const struct node *on_node(struct parser *p, size_t i, size_t k)
{
	const struct node *on = p->bsrc[i].on;

	if (on->kind == NODE_SCALAR) {
		set_key(p, "branches[%zu].on", i);
		return on;
	}
	set_key(p, "branches[%zu].on[%zu]", i, k);
	return on->items[k];
}

static int same_start(const struct qs__start *a, const struct qs__start *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == QS__START_BRANCH)
		return !strcmp(a->branch, b->branch);
	if (a->kind == QS__START_REMOTE)
		return !strcmp(a->local_ref, b->local_ref);
	return 1;
}

static int check_branch(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__branch_conf *b = &c->branches[i];
	const struct branch_src *src = &p->bsrc[i];

	for (size_t j = 0; j < i; j++) {
		if (!strcmp(c->branches[j].name, b->name)) {
			set_key(p, "branches[%zu].name", i);
			return fail(p, src->name, "'%s' is already the name of branches[%zu]",
				    b->name, j);
		}
	}
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->branches[j].section, b->section))
			continue;
		/* a section left to its default is the name's doing */
		set_key(p, "branches[%zu].%s", i, src->section ? "section" : "name");
		return fail(p, src->section ? src->section : src->name,
			    "section '%s' is already taken by branch '%s'",
			    b->section, c->branches[j].name);
	}
	for (size_t k = 0; k < b->non; k++) {
		const struct qs__start *s = &b->on[k];
		const struct node *n = on_node(p, i, k);
		size_t j;

		for (size_t m = 0; m < k; m++)
			if (same_start(&b->on[m], s))
				return fail(p, n, "'%s' is listed twice",
					    s->kind == QS__START_BRANCH ? s->branch :
					    s->kind == QS__START_BASE ? "base" : "upstream");
		if (s->kind != QS__START_BRANCH)
			continue;
		j = find_branch(c, s->branch);
		if (j == i)
			return fail(p, n, "branch '%s' cannot start from itself",
				    s->branch);
		if (j != SIZE_MAX && j > i)
			return fail(p, n, "branch '%s' comes later (branches[%zu]): a branch can only start from earlier ones",
				    s->branch, j);
		if (j != SIZE_MAX)
			continue;
		if (find_integration(c, s->branch) != SIZE_MAX)
			return fail(p, n, "'%s' is an integration: a branch cannot start from one",
				    s->branch);
		return fail(p, n, "no branch named '%s'", s->branch);
	}
	return 0;
}

static int check_integration(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__integration_conf *in = &c->integrations[i];
	const struct integration_src *src = &p->isrc[i];
	size_t j;

	set_key(p, "integration[%zu].name", i);
	if ((j = find_branch(c, in->name)) != SIZE_MAX)
		return fail(p, src->name, "'%s' is already the name of branches[%zu]",
			    in->name, j);
	if ((j = find_integration(c, in->name)) < i)
		return fail(p, src->name, "'%s' is already the name of integration[%zu]",
			    in->name, j);
	for (size_t k = 0; k < in->nmerge; k++) {
		const struct qs__start *s = &in->merge[k];
		const struct node *n = src->merge->items[k];

		set_key(p, "integration[%zu].merge[%zu]", i, k);
		for (size_t m = 0; m < k; m++) {
			if (!same_start(&in->merge[m], s))
				continue;
			if (s->kind == QS__START_BRANCH)
				return fail(p, n, "'%s' is listed twice", s->branch);
			return fail(p, n, "this tree is listed twice, first as merge[%zu]", m);
		}
		if (s->kind == QS__START_REMOTE) {
			/* two trees may not share the ref they are fetched to */
			for (size_t x = 0; x <= i; x++) {
				const struct qs__integration_conf *o = &c->integrations[x];

				for (size_t y = 0; y < (x < i ? o->nmerge : k); y++) {
					const struct qs__start *t = &o->merge[y];

					if (t->kind != QS__START_REMOTE ||
					    strcmp(t->local_ref, s->local_ref) ||
					    (!strcmp(t->url, s->url) && !strcmp(t->ref, s->ref)))
						continue;
					return fail(p, n, "this tree would be fetched to '%s' as integration[%zu].merge[%zu] is",
						    s->local_ref, x, y);
				}
			}
			continue;
		}
		if (find_branch(c, s->branch) != SIZE_MAX)
			continue;
		j = find_integration(c, s->branch);
		if (j == i)
			return fail(p, n, "integration '%s' cannot merge itself",
				    s->branch);
		if (j != SIZE_MAX && j > i)
			return fail(p, n, "integration '%s' comes later (integration[%zu]): an integration can only merge earlier ones",
				    s->branch, j);
		if (j == SIZE_MAX)
			return fail(p, n, "no branch named '%s'", s->branch);
	}
	return 0;
}

static int check_placeholder(struct parser *p, size_t i)
{
	const qs_config *c = p->c;
	const struct qs__placeholder *ph = &c->placeholders[i];

	if (ph->target.kind != QS__START_BRANCH ||
	    find_branch(c, ph->target.branch) != SIZE_MAX)
		return 0;
	set_key(p, "placeholders.%s", ph->entry);
	if (find_integration(c, ph->target.branch) != SIZE_MAX)
		return fail(p, p->pvalue[i], "'%s' is an integration: a placeholder stands for base, upstream or a branch",
			    ph->target.branch);
	return fail(p, p->pvalue[i], "no branch named '%s'", ph->target.branch);
}

static int check_references(struct parser *p)
{
	int ret;

	for (size_t i = 0; i < p->c->nbranches; i++)
		if ((ret = check_branch(p, i)) < 0)
			return ret;
	for (size_t i = 0; i < p->c->nintegrations; i++)
		if ((ret = check_integration(p, i)) < 0)
			return ret;
	for (size_t i = 0; i < p->c->nplaceholders; i++)
		if ((ret = check_placeholder(p, i)) < 0)
			return ret;
	return 0;
}

static int set_defaults(struct parser *p)
{
	qs_config *c = p->c;
	qs_buf res = QS_BUF_INIT;

	if (!c->patches && !(c->patches = dir_of(c->series)))
		return QS_ENOMEM;
	if (!c->resolutions) {
		qs_buf_addf(&res, "%s/%s", c->dir, resolutions_name);
		if (qs_buf_oom(&res) || !(c->resolutions = normalize_path(res.ptr))) {
			qs_buf_release(&res);
			return QS_ENOMEM;
		}
		qs_buf_release(&res);
	}
	if (!c->base && !(c->base = qs__strdup(default_base)))
		return QS_ENOMEM;
	if (!c->base_pattern &&
	    !(c->base_pattern = qs__strdup(default_base_pattern)))
		return QS_ENOMEM;
	if (!p->have_placeholders) {
		size_t n = QS_ARRAY_SIZE(akpm_placeholders);

		if (!(c->placeholders = qs__calloc(n, sizeof(*c->placeholders))))
			return QS_ENOMEM;
		c->nplaceholders = n;
		for (size_t i = 0; i < n; i++) {
			c->placeholders[i].target.kind = QS__START_NONE;
			if (!(c->placeholders[i].entry = qs__strdup(akpm_placeholders[i])))
				return QS_ENOMEM;
		}
	}
	if (!(c->placeholder_names = qs__calloc(c->nplaceholders + 1,
						sizeof(*c->placeholder_names))))
		return QS_ENOMEM;
	for (size_t i = 0; i < c->nplaceholders; i++)
		c->placeholder_names[i] = c->placeholders[i].entry;
	return 0;
}

static int parse_tree(struct parser *p, const struct node *root)
{
	const struct node *found[QS_ARRAY_SIZE(root_keys)];
	const struct node *keys[QS_ARRAY_SIZE(root_keys)];
	int ret;

	qs_buf_clear(&p->key);
	if (!root)
		return fail_mark(p, 1, 1, "empty file");
	if (is_null(root))
		return fail(p, root, "empty document");
	if (root->kind != NODE_MAPPING)
		return fail(p, root, "expected a mapping of settings, got %s",
			    describe(p, root));
	if ((ret = walk_mapping(p, root, root_keys, QS_ARRAY_SIZE(root_keys),
				p->c, found, keys)) < 0 ||
	    (ret = set_defaults(p)) < 0)
		return ret;
	return check_references(p);
}

int qs_config_parse(qs_config **out, const char *buf, size_t len,
		    const char *path)
{
	struct parser p = { 0 };
	struct node *root = NULL;
	qs_config *c = NULL;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_config_parse: NULL argument");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_config_parse: NULL buffer");
	if (!buf)
		buf = "";
	qs_buf_init(&p.key);
	qs_buf_init(&p.scratch);
	p.name = path ? path : QS_CONFIG_DEFAULT_NAME;
	if (!(c = qs__calloc(1, sizeof(*c)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	p.c = c;
	c->fuzz = 2;
	c->max_patch_size = QS_READ_MAX_DEFAULT;
	if ((path && !(c->path = qs__strdup(path))) || !(c->dir = dir_of(path))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((ret = read_tree(&p, buf, len, &root)) < 0 ||
	    (ret = parse_tree(&p, root)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	node_free(root);
	qs_config_free(c);
	free(p.bsrc);
	free(p.isrc);
	free(p.pvalue);
	qs_buf_release(&p.key);
	qs_buf_release(&p.scratch);
	return ret;
}

int qs_config_load(qs_config **out, const char *path)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_config_load: NULL argument");
	*out = NULL;
	if (!path)
		return qs__error_set(QS_EINVAL, "qs_config_load: NULL path");
	ret = qs__read_file(&text, path);
	/* not a regular file, or far too large: the config is wrong, not the queue */
	if (ret == QS_EPARSE)
		ret = qs__error_set(QS_ECONFIG, "%s", qs_error_last()->message);
	if (ret == 0)
		ret = qs_config_parse(out, text.ptr, text.len, path);
	qs_buf_release(&text);
	return ret;
}

static void start_release(struct qs__start *s)
{
	free(s->branch);
	free(s->url);
	free(s->ref);
	free(s->local_ref);
}

void qs_config_free(qs_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbranches; i++) {
		struct qs__branch_conf *b = &c->branches[i];

		for (size_t k = 0; k < b->non; k++)
			start_release(&b->on[k]);
		free(b->on);
		free(b->name);
		free(b->section);
		free(b->per_series);
	}
	free(c->branches);
	for (size_t i = 0; i < c->nintegrations; i++) {
		struct qs__integration_conf *in = &c->integrations[i];

		for (size_t k = 0; k < in->nmerge; k++)
			start_release(&in->merge[k]);
		free(in->merge);
		free(in->name);
	}
	free(c->integrations);
	for (size_t i = 0; i < c->nplaceholders; i++) {
		free(c->placeholders[i].entry);
		start_release(&c->placeholders[i].target);
	}
	free(c->placeholders);
	free(c->placeholder_names);
	free(c->path);
	free(c->dir);
	free(c->repository);
	free(c->series);
	free(c->patches);
	free(c->resolutions);
	free(c->committer_name);
	free(c->committer_email);
	free(c->author_name);
	free(c->author_email);
	free(c->upstream);
	free(c->base);
	free(c->base_pattern);
	free(c->link);
	free(c);
}

const char *qs_config_path(const qs_config *config)
{
	return config ? config->path : NULL;
}

const char *qs_config_repository(const qs_config *config)
{
	return config ? config->repository : NULL;
}

const char *qs_config_series(const qs_config *config)
{
	return config ? config->series : NULL;
}

const char *qs_config_patches(const qs_config *config)
{
	return config ? config->patches : NULL;
}

const char *qs_config_resolutions(const qs_config *config)
{
	return config ? config->resolutions : NULL;
}

qs_series_convention qs_config_convention(const qs_config *config)
{
	return config ? config->convention : QS_SERIES_BRANCH;
}

const char *const *qs_config_placeholders(const qs_config *config)
{
	return config ? config->placeholder_names : NULL;
}

const struct qs__branch_conf *qs__config_branch(const struct qs_config *c,
						const char *name)
{
	size_t i;

	if (!c || !name || (i = find_branch(c, name)) == SIZE_MAX)
		return NULL;
	return &c->branches[i];
}

const struct qs__integration_conf *qs__config_integration(
	const struct qs_config *c, const char *name)
{
	size_t i;

	if (!c || !name || (i = find_integration(c, name)) == SIZE_MAX)
		return NULL;
	return &c->integrations[i];
}
