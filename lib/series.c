/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The series file: quilt's syntax plus akpm's conventions in its comment
 * lines. quiltsync-series(5) is the specification; this file follows it
 * line by line, but for the section markers, which section.c reads.
 *
 * quilt reads the file with two programs (scripts/patchfns): cat_series
 * (sed) lists the patches and patch_args (awk) finds a patch's options.
 * Both treat only space and tab as blanks and only a '#' in column 0 as
 * a comment line; patch_args also drops a trailing comment that starts
 * after a blank. Everything quilt would read differently from what the
 * author meant is an error here rather than a silent guess.
 *
 * One pass over a private copy of the text: strings handed out (names,
 * options, comments, areas, notes, section names) are cut out of that
 * copy in place by writing NULs, so the parse makes no allocation per
 * line. Notes are attached and the name index built after the pass,
 * once the entry array no longer moves.
 */
#include "series-internal.h"

static int has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * Whether a name is a patch file by its name: .patch or .diff, possibly
 * compressed in one of the ways quilt's push decompresses.
 */
static int has_patch_suffix(const char *s, size_t len)
{
	static const char *const compressed[] = {
		".gz", ".bz2", ".xz", ".lzma", ".lz",
	};

	for (size_t i = 0; i < QS_ARRAY_SIZE(compressed); i++) {
		if (has_suffix(s, len, compressed[i])) {
			len -= strlen(compressed[i]);
			break;
		}
	}
	return has_suffix(s, len, ".patch") || has_suffix(s, len, ".diff");
}

static size_t token_end(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && !is_blank(*p))
		p++;
	return (size_t)(p - s);
}

/* A non-negative decimal number that fits an int. */
static int parse_count(const char *s, size_t len, int *out)
{
	long v = 0;

	if (!len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	*out = (int)v;
	return 0;
}

static int area_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_')
		return 1;
	return !first && (c == '.' || c == '/' || c == '-' || c == '+');
}

int qs__series_error(struct series_parser *ps, const char *fmt, ...)
{
	qs_buf msg = QS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	qs_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (qs_buf_oom(&msg))
		return QS_ENOMEM;
	qs__error_set_at(QS_EPARSE, ps->where, ps->line, "%s", msg.ptr);
	qs_buf_release(&msg);
	return QS_EPARSE;
}

enum pending_arg { ARG_NONE, ARG_STRIP, ARG_FUZZ };

/*
 * Parse "name [options] [# comment]" in [s, end), s at a non-blank. The
 * options quiltsync accepts are those quilt itself understands (-pN,
 * -p N, -R) and a few of GNU patch's that only change how one patch is
 * applied; they reach patch unchanged through quilt. Strings are cut in
 * place: the writer never passes the reader, see the comment below.
 */
static int parse_entry(struct series_parser *ps, char *s, char *end,
		       qs_entry_kind kind)
{
	qs_series *series = ps->series;
	qs_series_entry *e;
	char *p, *w = NULL, *name;
	const char *pending_opt = NULL;
	enum pending_arg pending = ARG_NONE;
	size_t n;
	int ret, have_strip = 0, v;

	if ((ret = QS_ARRAY_GROW(series->entries, series->entries_alloc,
				 series->nentries + 1)) < 0)
		return ret;
	e = &series->entries[series->nentries];
	memset(e, 0, sizeof(*e));
	e->line = ps->line;
	e->index = series->nentries;
	e->section_index = ps->open;
	e->area = ps->area;
	e->strip = 1;
	e->options = "";
	e->kind = kind;
	e->starts_group = ps->new_group ? 1 : 0;

	n = token_end(s, end);
	name = s;
	p = s + n;
	/*
	 * patch_args pastes the name into an awk string literal: a quote
	 * ends it and a backslash starts an escape, so quilt never finds
	 * the line and runs patch without its options, without even -p1.
	 */
	if (memchr(name, '"', n) || memchr(name, '\\', n))
		return qs__series_error(ps, "quilt cannot read the options of entry '%.*s': "
				   "its name holds a quote or backslash",
				   (int)n, name);

	for (;;) {
		char *t;
		size_t tl;

		while (p < end && is_blank(*p))
			p++;
		if (p >= end)
			break;
		if (*p == '#') {
			char *c = p + 1, *ce = end;

			while (c < ce && is_blank(*c))
				c++;
			while (ce > c && is_blank(ce[-1]))
				ce--;
			*ce = '\0';
			e->comment = c;
			break;
		}
		t = p;
		tl = token_end(t, end);
		p = t + tl;

		if (pending != ARG_NONE) {
			if (parse_count(t, tl, &v) < 0)
				return qs__series_error(ps, "option '%s' of entry '%.*s' needs a "
						   "number, not '%.*s'", pending_opt,
						   (int)n, name, (int)tl, t);
			if (pending == ARG_STRIP) {
				e->strip = v;
				pending = ARG_NONE;
				continue;
			}
			pending = ARG_NONE;
			goto keep;
		}
		if (tl >= 2 && t[0] == '-' && t[1] == 'p') {
			if (have_strip)
				return qs__series_error(ps, "more than one -p option for entry '%.*s'",
						   (int)n, name);
			have_strip = 1;
			if (tl == 2) {
				pending = ARG_STRIP;
				pending_opt = "-p";
			} else if (parse_count(t + 2, tl - 2, &v) < 0) {
				return qs__series_error(ps, "bad strip level '%.*s' for entry '%.*s'",
						   (int)tl, t, (int)n, name);
			} else {
				e->strip = v;
			}
			continue;
		}
		if (tl == 2 && !memcmp(t, "-R", 2)) {
			e->reverse = 1;
			continue;
		}
		if (tl == 2 && !memcmp(t, "-F", 2)) {
			pending = ARG_FUZZ;
			pending_opt = "-F";
			goto keep;
		}
		if (tl == 6 && !memcmp(t, "--fuzz", 6)) {
			pending = ARG_FUZZ;
			pending_opt = "--fuzz";
			goto keep;
		}
		if ((tl > 2 && !memcmp(t, "-F", 2) && !parse_count(t + 2, tl - 2, &v)) ||
		    (tl > 7 && !memcmp(t, "--fuzz=", 7) && !parse_count(t + 7, tl - 7, &v)))
			goto keep;
		if ((tl == 2 && (!memcmp(t, "-l", 2) || !memcmp(t, "-E", 2))) ||
		    (tl == 19 && !memcmp(t, "--ignore-whitespace", 19)) ||
		    (tl == 20 && !memcmp(t, "--remove-empty-files", 20)) ||
		    (tl == 8 && !memcmp(t, "--binary", 8)))
			goto keep;
		/*
		 * quilt looks for "-p" and "-R" literally: it appends -p1
		 * after a --strip (GNU patch obeys the last one) and its
		 * push -R cannot undo a --reverse.
		 */
		if (tl >= 7 && !memcmp(t, "--strip", 7))
			return qs__series_error(ps, "unsupported patch option '%.*s' for entry '%.*s': "
					   "quilt overrides it with -p1, write -pN",
					   (int)tl, t, (int)n, name);
		if (tl == 9 && !memcmp(t, "--reverse", 9))
			return qs__series_error(ps, "unsupported patch option '--reverse' for entry "
					   "'%.*s': write -R", (int)n, name);
		if (t[0] == '-')
			return qs__series_error(ps, "unsupported patch option '%.*s' for entry '%.*s'",
					   (int)tl, t, (int)n, name);
		return qs__series_error(ps, "stray argument '%.*s' after entry '%.*s'",
				   (int)tl, t, (int)n, name);
keep:
		/*
		 * Copy the kept token down to w. w starts one past the name's
		 * terminator, which is at or before the first option, and
		 * each token written is preceded by at most one separator
		 * where the source had at least one blank: w never passes t.
		 */
		if (!w) {
			w = name + n + 1;
		} else {
			*w++ = ' ';
		}
		memmove(w, t, tl);
		w += tl;
	}
	if (pending != ARG_NONE)
		return qs__series_error(ps, "option '%s' of entry '%.*s' needs a number",
				   pending_opt, (int)n, name);
	/* both terminators land on a blank, the line end or the comment's '#' */
	if (w) {
		*w = '\0';
		e->options = name + n + 1;
	}
	name[n] = '\0';
	e->name = name;
	series->nentries++;
	ps->new_group = 0;
	return 0;
}

static int add_entry_line(struct series_parser *ps, char *s, char *end)
{
	size_t n = token_end(s, end);
	qs_entry_kind kind = QS_ENTRY_PATCH;

	for (const char *const *ph = ps->placeholders; ph && *ph; ph++) {
		if (strlen(*ph) == n && !memcmp(*ph, s, n)) {
			kind = QS_ENTRY_PLACEHOLDER;
			break;
		}
	}
	return parse_entry(ps, s, end, kind);
}

static int add_note(struct series_parser *ps, char *rest, size_t tl, char *end)
{
	struct raw_note *note;
	char *target = rest, *text;
	size_t n = tl - 1; /* without the ':' */
	size_t count = 0;
	int to_group = 0, ret;

	if (n >= 2 && rest[n - 2] == '+' && rest[n - 1] == 'N') {
		to_group = 1;
		n -= 2;
	} else {
		size_t d = n;
		int v;

		while (d > 0 && rest[d - 1] >= '0' && rest[d - 1] <= '9')
			d--;
		if (d < n && d > 0 && rest[d - 1] == '+') {
			/* digits beyond an int cover the rest of the section anyway */
			count = parse_count(rest + d, n - d, &v) < 0 ? SIZE_MAX : (size_t)v;
			n = d - 1;
		}
	}
	if (!n)
		return 0; /* "#: text" or "#+N: text" names nothing: a comment */

	text = rest + tl;
	while (text < end && is_blank(*text))
		text++;
	while (end > text && is_blank(end[-1]))
		end--;

	if ((ret = QS_ARRAY_GROW(ps->notes, ps->notes_alloc, ps->nnotes + 1)) < 0)
		return ret;
	*end = '\0';
	target[n] = '\0';
	note = &ps->notes[ps->nnotes++];
	note->target = target;
	note->text = text;
	note->line = ps->line;
	note->count = count;
	note->to_group = to_group;
	return 0;
}

/* A line with '#' in column 0: quilt ignores it, akpm does not. */
static int comment_line(struct series_parser *ps, char *s, char *end)
{
	char *rest = s, *te;
	size_t h, tl;
	int ret;

	if ((ret = qs__section_marker(ps, s, (size_t)(end - s))) != 0)
		return ret < 0 ? ret : 0;

	while (rest < end && *rest == '#')
		rest++;
	h = (size_t)(rest - s);
	te = end;
	while (te > rest && is_blank(te[-1]))
		te--;
	if (te == rest) {
		/* "#", and "##"/"###" inside commented-out blocks */
		ps->new_group = 1;
		return 0;
	}
	if (is_blank(*rest))
		return 0; /* "# free text" */

	tl = token_end(rest, te);
	if (h == 1 && rest[tl - 1] == ':')
		return add_note(ps, rest, tl, end);
	if (h == 2 && has_patch_suffix(rest, tl))
		return parse_entry(ps, rest, end, QS_ENTRY_COMMITTED);
	if (rest + tl == te && !has_patch_suffix(rest, tl)) {
		for (size_t i = 0; i < tl; i++)
			if (!area_char(rest[i], i == 0))
				return 0;
		rest[tl] = '\0';
		ps->area = rest;
		ps->new_group = 1;
	}
	/* anything else, "#name.patch" included, is a comment */
	return 0;
}

static int parse_line(struct series_parser *ps, char *s, char *end)
{
	char *p = s;

	if (memchr(s, '\0', (size_t)(end - s)))
		return qs__series_error(ps, "NUL byte in series file");
	if (s < end && *s == '#')
		return comment_line(ps, s, end);
	/*
	 * For quilt a carriage return is part of the name ("x.patch\r"),
	 * and a CRLF blank line is a patch named "\r".
	 */
	if (memchr(s, '\r', (size_t)(end - s)))
		return qs__series_error(ps, "carriage return in entry line (CRLF line ends?)");
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return 0;
	if (*p == '#')
		return qs__series_error(ps, "indented comment: quilt reads it as patch '%.*s'",
				   (int)token_end(p, end), p);
	return add_entry_line(ps, p, end);
}

static const qs_series_entry *index_find(const qs_series *series,
					 const char *name)
{
	const size_t *i = qs__strmap_get(&series->index, name);

	return i ? &series->entries[*i] : NULL;
}

/*
 * The name index: active entries and placeholders are unique; a
 * committed entry is reachable by name only when no other entry uses it.
 */
static int build_index(struct series_parser *ps)
{
	qs_series *series = ps->series;
	int ret;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < series->nentries; i++) {
			const qs_series_entry *e = &series->entries[i], *old;
			int committed = e->kind == QS_ENTRY_COMMITTED;

			if (committed != pass)
				continue;
			old = index_find(series, e->name);
			if (old && !committed) {
				ps->line = e->line;
				return qs__series_error(ps, "duplicate entry '%s', first on line %zu",
						   e->name, old->line);
			}
			if (!old && (ret = qs__strmap_put(&series->index, e->name, i)) < 0)
				return ret;
		}
	}
	return 0;
}

static int attach_notes(struct series_parser *ps)
{
	qs_series *series = ps->series;
	size_t *first = NULL, *last = NULL, *fill = NULL, total = 0;
	int ret = 0;

	if (!ps->nnotes)
		return 0;
	first = qs__calloc(ps->nnotes, sizeof(*first));
	last = qs__calloc(ps->nnotes, sizeof(*last));
	fill = qs__calloc(series->nentries + 1, sizeof(*fill));
	if (!first || !last || !fill) {
		ret = QS_ENOMEM;
		goto done;
	}
	/* the range each note covers, and how many notes each entry gets */
	for (size_t k = 0; k < ps->nnotes; k++) {
		const struct raw_note *note = &ps->notes[k];
		const qs_series_entry *t = index_find(series, note->target);
		size_t i, j;

		if (!t) {
			/* akpm keeps notes on patches he dropped */
			qs__log(QS_LOG_INFO, ps->where, note->line,
				"note names no entry '%s'", note->target);
			first[k] = SIZE_MAX;
			continue;
		}
		i = j = t->index;
		while (j + 1 < series->nentries &&
		       series->entries[j + 1].section_index == t->section_index &&
		       (note->to_group ? !series->entries[j + 1].starts_group
				       : j - i < note->count))
			j++;
		first[k] = i;
		last[k] = j;
		total += j - i + 1;
		for (size_t x = i; x <= j; x++)
			fill[x]++;
	}
	series->notes = qs__calloc(total, sizeof(*series->notes));
	if (!series->notes) {
		ret = QS_ENOMEM;
		goto done;
	}
	/* fill[] becomes each entry's start offset, then its write cursor */
	{
		size_t off = 0;

		for (size_t x = 0; x < series->nentries; x++) {
			size_t c = fill[x];

			series->entries[x].notes = series->notes + off;
			fill[x] = off;
			off += c;
		}
	}
	for (size_t k = 0; k < ps->nnotes; k++) {
		if (first[k] == SIZE_MAX)
			continue;
		for (size_t x = first[k]; x <= last[k]; x++) {
			series->notes[fill[x]++] = ps->notes[k].text;
			series->entries[x].nnotes++;
		}
	}
done:
	free(first);
	free(last);
	free(fill);
	return ret;
}

int qs_series_parse(qs_series **out, const char *buf, size_t len,
		    const char *path, const qs_series_options *opts)
{
	static const qs_series_options defaults = QS_SERIES_OPTIONS_INIT;
	struct series_parser ps;
	qs_series *series = NULL;
	char *p, *end;
	int ret;

	memset(&ps, 0, sizeof(ps));
	if (!out)
		return qs__error_set(QS_EINVAL, "qs_series_parse: out is NULL");
	*out = NULL;
	if (!buf && len)
		return qs__error_set(QS_EINVAL, "qs_series_parse: buf is NULL");
	if (!opts)
		opts = &defaults;
	/* version 1 has no convention */
	if (opts->version < 1 || opts->version > QS_SERIES_OPTIONS_VERSION)
		return qs__error_set(QS_EINVAL, "unsupported qs_series_options version %u",
				     opts->version);
	if (!opts->section_start != !opts->section_end)
		return qs__error_set(QS_EINVAL,
				     "section_start and section_end must be set together");

	ps.where = path ? path : "series";
	ps.placeholders = opts->placeholders;
	ps.open = NO_SECTION;
	ps.new_group = 1;

	if ((ret = qs__sections_prepare(&ps, opts->version >= 2 ? opts->convention :
					QS_SERIES_BRANCH, opts->section_start,
					opts->section_end)) < 0)
		goto done;
	if (!(series = qs__calloc(1, sizeof(*series)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	ps.series = series;
	if (path && !(series->path = qs__strdup(path))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (!(series->text = qs__malloc(len + 1))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (len)
		memcpy(series->text, buf, len);
	series->text[len] = '\0';

	p = series->text;
	end = series->text + len;
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		ps.line++;
		if ((ret = parse_line(&ps, p, eol)) < 0)
			goto done;
		p = eol + 1;
	}

	if ((ret = qs__sections_end(&ps)) < 0)
		goto done;
	if ((ret = build_index(&ps)) < 0 || (ret = attach_notes(&ps)) < 0 ||
	    (ret = qs__sections_link(series)) < 0)
		goto done;
	*out = series;
	series = NULL;
	ret = 0;
done:
	qs_series_free(series);
	free(ps.notes);
	qs__sections_release(&ps);
	return ret;
}

int qs_series_load(qs_series **out, const char *path,
		   const qs_series_options *opts)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	if (!out)
		return qs__error_set(QS_EINVAL, "qs_series_load: out is NULL");
	*out = NULL;
	if (!path)
		return qs__error_set(QS_EINVAL, "qs_series_load: path is NULL");
	if ((ret = qs__read_file(&text, path)) < 0)
		goto done;
	ret = qs_series_parse(out, text.ptr, text.len, path, opts);
done:
	qs_buf_release(&text);
	return ret;
}

void qs_series_free(qs_series *series)
{
	if (!series)
		return;
	free(series->path);
	free(series->text);
	free(series->entries);
	free(series->sections);
	free(series->section_entries);
	free(series->notes);
	qs__strmap_clear(&series->index);
	free(series);
}

const char *qs_series_path(const qs_series *series)
{
	return series ? series->path : NULL;
}

size_t qs_series_entry_count(const qs_series *series)
{
	return series ? series->nentries : 0;
}

const qs_series_entry *qs_series_entry_byindex(const qs_series *series, size_t i)
{
	return series && i < series->nentries ? &series->entries[i] : NULL;
}

const qs_series_entry *qs_series_entry_byname(const qs_series *series,
					      const char *name)
{
	if (!series || !name)
		return NULL;
	return index_find(series, name);
}

qs_entry_kind qs_entry_kind_of(const qs_series_entry *entry)
{
	return entry ? entry->kind : QS_ENTRY_PATCH;
}

const char *qs_entry_name(const qs_series_entry *entry)
{
	return entry ? entry->name : NULL;
}

size_t qs_entry_line(const qs_series_entry *entry)
{
	return entry ? entry->line : 0;
}

size_t qs_entry_index(const qs_series_entry *entry)
{
	return entry ? entry->index : 0;
}

int qs_entry_strip(const qs_series_entry *entry)
{
	return entry ? entry->strip : 1;
}

int qs_entry_reverse(const qs_series_entry *entry)
{
	return entry ? entry->reverse : 0;
}

const char *qs_entry_options(const qs_series_entry *entry)
{
	return entry ? entry->options : NULL;
}

const char *qs_entry_comment(const qs_series_entry *entry)
{
	return entry ? entry->comment : NULL;
}

const qs_section *qs_entry_section(const qs_series_entry *entry)
{
	return entry ? entry->section : NULL;
}

const char *qs_entry_area(const qs_series_entry *entry)
{
	return entry ? entry->area : NULL;
}

size_t qs_entry_note_count(const qs_series_entry *entry)
{
	return entry ? entry->nnotes : 0;
}

const char *qs_entry_note_byindex(const qs_series_entry *entry, size_t i)
{
	return entry && i < entry->nnotes ? entry->notes[i] : NULL;
}

int qs_entry_starts_group(const qs_series_entry *entry)
{
	return entry ? entry->starts_group : 0;
}
