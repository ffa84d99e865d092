/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync.yaml, the first step: libyaml's event stream read into a
 * small tree of our own (config-parser.h), and the helpers every key's
 * check uses to report an error at a node with its key path.
 *
 * The event parser rather than libyaml's document loader because the
 * loader resolves aliases silently and forgets anchors and tags: we
 * refuse all three, so that what the file says is what the build does.
 * Scalars are untyped strings until a key gives them a type, as in YAML
 * 1.2's core schema: "on" and "yes" are strings, booleans are true and
 * false.
 */
#include "internal.h"
#include "config-internal.h"
#include "config-parser.h"

#include <yaml.h>

/* The deepest valid file nests 5 levels; anything far deeper is an error. */
#define MAX_DEPTH 32

/* Longest value quoted in a message, in bytes. */
#define QUOTE_MAX 60

void qs__cfg_node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		qs__cfg_node_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

int qs__cfg_is_null(const struct node *n)
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
const char *qs__cfg_describe(struct parser *p, const struct node *n)
{
	qs_buf *b = &p->scratch;

	qs_buf_clear(b);
	if (n->kind == NODE_SEQUENCE)
		qs_buf_adds(b, "a sequence");
	else if (n->kind == NODE_MAPPING)
		qs_buf_adds(b, "a mapping");
	else if (qs__cfg_is_null(n))
		qs_buf_adds(b, "null");
	else
		add_quoted(b, n->value, n->len);
	return b->ptr;
}

/* The same, saying so when a number or a boolean was quoted. */
const char *qs__cfg_describe_typed(struct parser *p, const struct node *n)
{
	if (n->kind == NODE_SCALAR && !n->plain) {
		qs_buf_sets(&p->scratch, "the string ");
		add_quoted(&p->scratch, n->value, n->len);
		return p->scratch.ptr;
	}
	return qs__cfg_describe(p, n);
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
int qs__cfg_fail(struct parser *p, const struct node *at, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(p, at->line, at->column, fmt, ap);
	va_end(ap);
	return ret;
}

__attribute__((format(printf, 4, 5)))
int qs__cfg_fail_mark(struct parser *p, size_t line, size_t column,
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
size_t qs__cfg_push_key(struct parser *p, const char *name, size_t len)
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

size_t qs__cfg_push_index(struct parser *p, size_t i)
{
	size_t old = p->key.len;

	qs_buf_addf(&p->key, "[%zu]", i);
	return old;
}

void qs__cfg_pop_key(struct parser *p, size_t old)
{
	if (old <= p->key.len)
		qs_buf_truncate(&p->key, old);
}

/* Start the key path afresh, for the checks of the second pass. */
__attribute__((format(printf, 2, 3)))
void qs__cfg_set_key(struct parser *p, const char *fmt, ...)
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
			qs__cfg_push_index(p, pos);
		} else if (pos % 2 == 1) {
			const struct node *k = n->items[pos - 1];

			if (k->kind == NODE_SCALAR)
				qs__cfg_push_key(p, k->value, strlen(k->value));
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
			return qs__cfg_fail_mark(p, line, column, "%s (0x%02x)", problem,
					 (unsigned)yp->problem_value);
		return qs__cfg_fail_mark(p, line, column, "%s", problem);
	default:
		line = yp->problem_mark.line + 1;
		column = yp->problem_mark.column + 1;
		if (yp->context)
			return qs__cfg_fail_mark(p, line, column, "%s (%s at %zu:%zu)",
					 problem, yp->context,
					 yp->context_mark.line + 1,
					 yp->context_mark.column + 1);
		return qs__cfg_fail_mark(p, line, column, "%s", problem);
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
		return qs__cfg_fail_mark(p, line, column, "%s are not supported",
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
		qs__cfg_node_free(n);
		return QS_ENOMEM;
	}
	*made = n;
	return 0;
}

int qs__cfg_read_tree(struct parser *p, const char *buf, size_t len,
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
				ret = qs__cfg_fail_mark(p, line, column,
						"more than one document");
				goto done;
			}
			break;
		case YAML_ALIAS_EVENT:
			key_of_position(p, stack, depth);
			ret = qs__cfg_fail_mark(p, line, column, "aliases are not supported");
			goto done;
		case YAML_SCALAR_EVENT:
			if ((ret = new_node(p, &ev, &root, stack, depth, &n)) < 0)
				goto done;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == MAX_DEPTH) {
				key_of_position(p, stack, depth);
				ret = qs__cfg_fail_mark(p, line, column,
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
		qs__cfg_node_free(root);
	else
		*out = root;
	return ret;
}

/*
 * Value checks of the first pass.
 */

int qs__cfg_check_mapping(struct parser *p, const struct node *n,
			 const char *what)
{
	if (n->kind != NODE_MAPPING)
		return qs__cfg_fail(p, n, "expected a mapping %s, got %s", what,
			    qs__cfg_describe(p, n));
	return 0;
}

/* A non-empty string, without NUL. */
int qs__cfg_get_string(struct parser *p, const struct node *n, char **out)
{
	free(*out);
	*out = NULL;
	if (n->kind != NODE_SCALAR)
		return qs__cfg_fail(p, n, "expected a string, got %s", qs__cfg_describe(p, n));
	if (!n->len || qs__cfg_is_null(n))
		return qs__cfg_fail(p, n, "empty value");
	if (memchr(n->value, '\0', n->len))
		return qs__cfg_fail(p, n, "NUL character in %s", qs__cfg_describe(p, n));
	if (!(*out = qs__strndup(n->value, n->len)))
		return QS_ENOMEM;
	return 0;
}

/* Which of `words` the scalar `v` is, or -1. */
int qs__cfg_one_of(const struct node *v, const char *const *words, size_t n)
{
	if (v->kind != NODE_SCALAR)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v->len == strlen(words[i]) && !strcmp(v->value, words[i]))
			return (int)i;
	return -1;
}

/*
 * A mapping with the keys `keys`, in file order: unknown and duplicate
 * keys are errors at the key, missing required ones at the mapping.
 * `found[i]` receives the value node of keys[i], or NULL.
 */
int qs__cfg_walk_mapping(struct parser *p, const struct node *map,
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
			return qs__cfg_fail(p, k, "expected a key, got %s", qs__cfg_describe(p, k));
		if (qs__cfg_is_null(k) || !k->len)
			return qs__cfg_fail(p, k, "empty key");
		for (j = 0; j < nkeys; j++)
			if (k->len == strlen(keys[j].name) &&
			    !strcmp(k->value, keys[j].name))
				break;
		old = qs__cfg_push_key(p, k->value, k->len);
		if (j == nkeys) {
			qs_buf allowed = QS_BUF_INIT;

			for (size_t a = 0; a < nkeys; a++)
				qs_buf_addf(&allowed, "%s%s", a ? ", " : "",
					    keys[a].name);
			ret = qs__cfg_fail(p, k, "unknown key, expected one of %s",
				   allowed.ptr);
			qs_buf_release(&allowed);
			return ret;
		}
		if (key_found[j])
			return qs__cfg_fail(p, k, "duplicate key, first at %zu:%zu",
				    key_found[j]->line, key_found[j]->column);
		key_found[j] = k;
		found[j] = v;
		if ((ret = keys[j].set(p, v, obj)) < 0)
			return ret;
		qs__cfg_pop_key(p, old);
	}
	for (size_t j = 0; j < nkeys; j++)
		if (keys[j].required && !found[j])
			return qs__cfg_fail(p, map, "missing required key '%s'",
				    keys[j].name);
	return 0;
}
