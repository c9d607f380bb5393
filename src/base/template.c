/*
 * template.c: a mustache subset, compiled once and rendered per request.
 *
 * tmpl_set_add() turns a source into a flat array of nodes.  A section
 * node records the index just past its body, so a body is a sub-range of
 * the same array: the compiler needs no recursion (a hostile template
 * cannot exhaust the stack at start-up) and rendering is a loop over
 * ranges.  Literal text and the NUL-terminated parts of dotted names live
 * in one string pool per template, in document order, so a render reads
 * memory front to back.
 *
 * Rendering keeps its context stack in a fixed array on the C stack and
 * allocates nothing but the output.  Partials are resolved by
 * tmpl_set_link() into direct pointers, and cycles are refused there, so
 * every render terminates.
 */
#include "gazette/base/template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

/* Section and partial levels a render descends into; no page nests this deep. */
#define TMPL_MAX_DEPTH 64
/* Larger sources are refused, so that pool offsets and node indexes fit in 32 bits. */
#define TMPL_MAX_SRC (1u << 30)
/* The part count of a dotted name is kept in a byte. */
#define TMPL_MAX_PARTS 255
/* How much of a tag an error message quotes. */
#define TAG_SHOWN 60

#define NPOS     SIZE_MAX
#define NO_MERGE UINT32_MAX

enum node_type {
	N_TEXT,     /* pool[off..off+len) verbatim */
	N_VAR,      /* a value, escaped */
	N_RAW,      /* a value, verbatim */
	N_SECTION,  /* body: nodes (this, len) */
	N_INVERTED, /* body: nodes (this, len) */
	N_PARTIAL,  /* pool + off is the partial's name */
};

struct node {
	uint8_t type;
	uint8_t nparts; /* names: parts at pool + off, each NUL-terminated; 0 means "." */
	uint32_t line;
	uint32_t off;
	uint32_t len;         /* N_TEXT: bytes; sections: index of the node after the body */
	struct tmpl *partial; /* N_PARTIAL: set by tmpl_set_link() */
};

struct tmpl {
	char *name;
	char *pool;
	struct node *nodes;
	uint32_t n_nodes;
	size_t text_bytes; /* literal bytes in one pass, to size the output once */
	int mark;          /* tmpl_set_link(): 0 unvisited, 1 on the path, 2 done */
};

struct tmpl_set {
	struct tmpl **t; /* sorted by name, for binary search per request */
	size_t n;
	size_t cap;
	bool linked; /* false after any add: partial pointers may be stale */
};

/* ---- compiling ---- */

/* A section waiting for its closing tag. */
struct open_sec {
	uint32_t node;
	unsigned line;
	char sigil;
	size_t name; /* trimmed name in src, to match the closing tag */
	size_t name_len;
};

struct tag {
	char sigil;   /* 0 for a variable, else one of { & # ^ / > ! */
	size_t start; /* src[start..end) is the whole tag */
	size_t end;
	size_t name; /* src[name..name+name_len) is the trimmed content */
	size_t name_len;
	unsigned line;
};

struct compiler {
	const char *src;
	size_t len;
	size_t line_pos; /* src[line_pos] is on line `line` */
	unsigned line;
	struct buf pool;
	struct node *nodes;
	size_t n_nodes;
	size_t cap_nodes;
	uint32_t merge; /* a text node the next text may extend, or NO_MERGE */
	size_t text_bytes;
	struct open_sec *open;
	size_t n_open;
	size_t cap_open;
	struct diag *err;
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Index of the first "cc" in s[from..len), or NPOS. */
static size_t find_pair(const char *s, size_t from, size_t len, char ch)
{
	while (from + 1 < len) {
		const char *p = memchr(s + from, ch, len - from - 1);
		if (p == NULL)
			return NPOS;
		size_t i = (size_t)(p - s);
		if (s[i + 1] == ch)
			return i;
		from = i + 1;
	}
	return NPOS;
}

/* Line number of src[pos]; positions only move forward, so lines are counted once. */
static unsigned line_at(struct compiler *c, size_t pos)
{
	while (c->line_pos < pos) {
		const char *nl = memchr(c->src + c->line_pos, '\n', pos - c->line_pos);
		if (nl == NULL) {
			c->line_pos = pos;
			break;
		}
		c->line++;
		c->line_pos = (size_t)(nl - c->src) + 1;
	}
	return c->line;
}

/* Length of the tag text worth quoting in a message: up to its end, the line end or TAG_SHOWN. */
static int shown(const struct compiler *c, size_t start, size_t end)
{
	size_t n = 0;
	while (start + n < end && n < TAG_SHOWN && c->src[start + n] != '\n' &&
	       c->src[start + n] != '\r')
		n++;
	return (int)n;
}

static uint32_t add_node(struct compiler *c, enum node_type type, unsigned line)
{
	if (c->n_nodes == c->cap_nodes) {
		c->cap_nodes = c->cap_nodes ? c->cap_nodes * 2 : 16;
		c->nodes = xrealloc(c->nodes, c->cap_nodes * sizeof *c->nodes);
	}
	struct node *n = &c->nodes[c->n_nodes];
	memset(n, 0, sizeof *n);
	n->type = (uint8_t)type;
	n->line = line;
	c->merge = NO_MERGE;
	return (uint32_t)c->n_nodes++;
}

/* Text between tags; joins text split only by comments, so each run is one buf_append. */
static void emit_text(struct compiler *c, size_t from, size_t to)
{
	if (to <= from)
		return;
	size_t n = to - from;
	if (c->merge != NO_MERGE) {
		/* Nothing was added to the pool since that node's text. */
		c->nodes[c->merge].len += (uint32_t)n;
	} else {
		uint32_t i = add_node(c, N_TEXT, 0);
		c->nodes[i].off = (uint32_t)c->pool.len;
		c->nodes[i].len = (uint32_t)n;
		c->merge = i;
	}
	buf_append(&c->pool, c->src + from, n);
	c->text_bytes += n;
}

/* Reads the tag opening at src[ts] ("{{").  Returns 0, or -1 with c->err set. */
static int parse_tag(struct compiler *c, size_t ts, struct tag *tag)
{
	const char *s = c->src;
	size_t p = ts + 2;

	tag->start = ts;
	tag->line = line_at(c, ts);
	tag->sigil = 0;
	if (p < c->len && s[p] == '{') {
		tag->sigil = '{';
		p++;
	} else {
		/* "{{ #name }}" is forgiven: theme authors space their tags. */
		size_t q = p;
		while (q < c->len && is_space(s[q]))
			q++;
		if (q < c->len && s[q] != '\0' && strchr("&#^/>!=", s[q])) {
			tag->sigil = s[q];
			p = q + 1;
		}
	}
	if (tag->sigil == '=') {
		diag_set(c->err, tag->line, "set-delimiter tags ('{{=...=}}') are not supported");
		return -1;
	}

	size_t close = find_pair(s, p, c->len, '}');
	if (close == NPOS) {
		diag_set(c->err, tag->line, "unclosed tag '%.*s' (no '}}' follows)",
		         shown(c, ts, c->len), s + ts);
		return -1;
	}
	tag->end = close + 2;
	if (tag->sigil == '{') {
		if (tag->end >= c->len || s[tag->end] != '}') {
			diag_set(c->err, tag->line, "'%.*s' opens with '{{{' but closes with '}}'",
			         shown(c, ts, tag->end), s + ts);
			return -1;
		}
		tag->end++;
	}

	while (p < close && is_space(s[p]))
		p++;
	while (close > p && is_space(s[close - 1]))
		close--;
	tag->name = p;
	tag->name_len = close - p;
	/* cppcheck-suppress knownConditionTrueFalse ; wrong: "{{}}" makes it true */
	if (tag->sigil != '!' && tag->name_len == 0) {
		diag_set(c->err, tag->line, "empty name in '%.*s'", shown(c, ts, tag->end), s + ts);
		return -1;
	}
	return 0;
}

static bool can_stand_alone(char sigil)
{
	return sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '!';
}

/*
 * The output drops src[*cut..*resume): the tag itself, or, if the tag is
 * alone on its line(s) but for spaces and tabs, the whole line with its
 * LF or CRLF, so that section and comment lines leave no blank lines in
 * the page (mustache's "standalone" rule).
 */
static void drop_span(const struct compiler *c, const struct tag *tag, size_t *cut, size_t *resume)
{
	const char *s = c->src;
	size_t b = tag->start;
	size_t e = tag->end;

	*cut = tag->start;
	*resume = tag->end;
	if (!can_stand_alone(tag->sigil))
		return;
	while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b > 0 && s[b - 1] != '\n')
		return;
	while (e < c->len && (s[e] == ' ' || s[e] == '\t'))
		e++;
	if (e + 1 < c->len && s[e] == '\r' && s[e + 1] == '\n')
		e += 2;
	else if (e < c->len && s[e] == '\n')
		e++;
	else if (e != c->len)
		return;
	*cut = b;
	*resume = e;
}

/* Checks that a name has no blanks, no NULs and (when dotted) no empty parts; counts the parts. */
static int check_name(struct compiler *c, const struct tag *tag, bool dotted, unsigned *nparts)
{
	const char *s = c->src + tag->name;
	size_t n = tag->name_len;

	for (size_t i = 0; i < n; i++) {
		if (is_space(s[i]) || s[i] == '\0') {
			diag_set(c->err, tag->line, "invalid name '%.*s': no blanks allowed",
			         shown(c, tag->name, tag->name + n), s);
			return -1;
		}
	}
	*nparts = 1;
	if (!dotted)
		return 0;
	if (n == 1 && s[0] == '.') {
		*nparts = 0;
		return 0;
	}
	bool empty_part = s[0] == '.' || s[n - 1] == '.';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			(*nparts)++;
			empty_part |= i + 1 < n && s[i + 1] == '.';
		}
	}
	if (empty_part || *nparts > TMPL_MAX_PARTS) {
		diag_set(c->err, tag->line, "invalid name '%.*s': %s",
		         shown(c, tag->name, tag->name + n), s,
		         empty_part ? "empty part in a dotted name" : "too many parts");
		return -1;
	}
	return 0;
}

/* Adds a node naming a value; the parts of a dotted name are split into the pool here, once. */
static int add_named(struct compiler *c, const struct tag *tag, enum node_type type,
                     uint32_t *index)
{
	unsigned nparts;
	if (check_name(c, tag, type != N_PARTIAL, &nparts) < 0)
		return -1;

	uint32_t i = add_node(c, type, tag->line);
	c->nodes[i].off = (uint32_t)c->pool.len;
	c->nodes[i].nparts = (uint8_t)nparts;
	if (nparts > 0) {
		const char *s = c->src + tag->name;
		for (size_t k = 0; k < tag->name_len; k++) {
			char ch = s[k];
			if (ch == '.' && type != N_PARTIAL)
				ch = '\0';
			buf_putc(&c->pool, ch);
		}
		buf_putc(&c->pool, '\0');
	}
	if (index)
		*index = i;
	return 0;
}

static int open_section(struct compiler *c, const struct tag *tag)
{
	uint32_t i;
	if (add_named(c, tag, tag->sigil == '#' ? N_SECTION : N_INVERTED, &i) < 0)
		return -1;
	if (c->n_open == c->cap_open) {
		c->cap_open = c->cap_open ? c->cap_open * 2 : 8;
		c->open = xrealloc(c->open, c->cap_open * sizeof *c->open);
	}
	struct open_sec *o = &c->open[c->n_open++];
	o->node = i;
	o->line = tag->line;
	o->sigil = tag->sigil;
	o->name = tag->name;
	o->name_len = tag->name_len;
	return 0;
}

static int close_section(struct compiler *c, const struct tag *tag)
{
	const char *s = c->src;
	int tag_len = shown(c, tag->start, tag->end);
	unsigned nparts;

	if (check_name(c, tag, true, &nparts) < 0)
		return -1;
	if (c->n_open == 0) {
		diag_set(c->err, tag->line, "'%.*s' closes no open section", tag_len,
		         s + tag->start);
		return -1;
	}
	const struct open_sec *o = &c->open[c->n_open - 1];
	if (o->name_len != tag->name_len || memcmp(s + o->name, s + tag->name, o->name_len) != 0) {
		diag_set(c->err, tag->line, "'%.*s' closes '{{%c%.*s}}' opened on line %u", tag_len,
		         s + tag->start, o->sigil, shown(c, o->name, o->name + o->name_len),
		         s + o->name, o->line);
		return -1;
	}
	c->nodes[o->node].len = (uint32_t)c->n_nodes;
	c->n_open--;
	/* Text after the section must not join text inside its body. */
	c->merge = NO_MERGE;
	return 0;
}

static int handle_tag(struct compiler *c, const struct tag *tag)
{
	switch (tag->sigil) {
	case 0: return add_named(c, tag, N_VAR, NULL);
	case '{':
	case '&': return add_named(c, tag, N_RAW, NULL);
	case '#':
	case '^': return open_section(c, tag);
	case '/': return close_section(c, tag);
	case '>': return add_named(c, tag, N_PARTIAL, NULL);
	default: /* '!' */ return 0;
	}
}

/* Turns c->src into c->nodes and c->pool.  Returns 0, or -1 with c->err set. */
static int compile(struct compiler *c)
{
	size_t text_from = 0;
	size_t pos = 0;

	for (;;) {
		size_t ts = find_pair(c->src, pos, c->len, '{');
		if (ts == NPOS)
			break;
		struct tag tag;
		if (parse_tag(c, ts, &tag) < 0)
			return -1;
		size_t cut;
		size_t resume;
		drop_span(c, &tag, &cut, &resume);
		emit_text(c, text_from, cut);
		if (handle_tag(c, &tag) < 0)
			return -1;
		text_from = resume;
		pos = resume;
	}
	emit_text(c, text_from, c->len);

	if (c->n_open > 0) {
		const struct open_sec *o = &c->open[c->n_open - 1];
		diag_set(c->err, o->line, "unclosed section '%.*s' opened on line %u",
		         shown(c, o->name, o->name + o->name_len), c->src + o->name, o->line);
		return -1;
	}
	return 0;
}

static void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->pool);
	free(t->nodes);
	free(t);
}

/* Compiles src into a new template (the caller owns it), or NULL with err set. */
static struct tmpl *tmpl_compile(const char *name, const char *src, size_t len, struct diag *err)
{
	struct compiler c = {
	    .src = src,
	    .len = len,
	    .line = 1,
	    .merge = NO_MERGE,
	    .err = err,
	};
	struct tmpl *t = NULL;

	buf_init(&c.pool);
	if (len >= TMPL_MAX_SRC) {
		diag_set(err, 0, "template too large (%zu bytes)", len);
		goto out;
	}
	if (compile(&c) < 0)
		goto out;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->pool = buf_detach(&c.pool, NULL);
	t->nodes = c.nodes;
	t->n_nodes = (uint32_t)c.n_nodes;
	t->text_bytes = c.text_bytes;
	c.nodes = NULL;
out:
	free(c.open);
	free(c.nodes);
	buf_free(&c.pool);
	return t;
}

/* ---- the set ---- */

/* Index of name in set->t, or where it would go (then *found is false). */
static size_t set_find(const struct tmpl_set *set, const char *name, bool *found)
{
	size_t lo = 0;
	size_t hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, set->t[mid]->name);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

static struct tmpl *set_get(const struct tmpl_set *set, const char *name)
{
	bool found;
	size_t i = set_find(set, name, &found);
	return found ? set->t[i] : NULL;
}

struct tmpl_set *tmpl_set_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		tmpl_free(set->t[i]);
	free(set->t);
	free(set);
}

int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
                 struct diag *err)
{
	struct tmpl *t = tmpl_compile(name, src, len, err);
	if (t == NULL)
		return -1;

	bool found;
	size_t i = set_find(set, name, &found);
	if (found) {
		/* Other templates may point at the old one: the set is unlinked below. */
		tmpl_free(set->t[i]);
		set->t[i] = t;
	} else {
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 16;
			/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
			set->t = xrealloc(set->t, set->cap * sizeof *set->t);
		}
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		memmove(set->t + i + 1, set->t + i, (set->n - i) * sizeof *set->t);
		set->t[i] = t;
		set->n++;
	}
	set->linked = false;
	return 0;
}

int tmpl_set_has(const struct tmpl_set *set, const char *name)
{
	return set_get(set, name) != NULL;
}

/* Points every partial node of t at its template.  Returns 0, or -1 with err set. */
static int link_partials(struct tmpl_set *set, struct tmpl *t, struct diag *err)
{
	for (uint32_t i = 0; i < t->n_nodes; i++) {
		struct node *n = &t->nodes[i];
		if (n->type != N_PARTIAL)
			continue;
		n->partial = set_get(set, t->pool + n->off);
		if (n->partial == NULL) {
			diag_set_file(err, t->name);
			diag_set(err, n->line, "unknown partial '%s'", t->pool + n->off);
			return -1;
		}
	}
	return 0;
}

/* Reports the cycle path[from..depth) closed by node n of path[depth - 1]. */
static void report_cycle(const struct tmpl **path, size_t from, size_t depth, const struct node *n,
                         struct diag *err)
{
	struct buf b = BUF_INIT;
	for (size_t k = from; k < depth; k++)
		buf_printf(&b, "'%s' -> ", path[k]->name);
	buf_printf(&b, "'%s'", path[from]->name);
	diag_set_file(err, path[depth - 1]->name);
	diag_set(err, n->line, "partial cycle: %s", b.data);
	buf_free(&b);
}

/*
 * Depth-first walk over partial references from t; path holds the
 * templates being visited (room for all of them).  Returns 0, or -1 with
 * err describing the first cycle found.
 */
static int visit(struct tmpl *t, const struct tmpl **path, size_t depth, struct diag *err)
{
	t->mark = 1;
	path[depth++] = t;
	for (uint32_t i = 0; i < t->n_nodes; i++) {
		const struct node *n = &t->nodes[i];
		if (n->type != N_PARTIAL)
			continue;
		struct tmpl *p = n->partial;
		if (p->mark == 1) {
			size_t from = 0;
			while (path[from] != p)
				from++;
			report_cycle(path, from, depth, n, err);
			return -1;
		}
		if (p->mark == 0 && visit(p, path, depth, err) < 0)
			return -1;
	}
	t->mark = 2;
	return 0;
}

int tmpl_set_link(struct tmpl_set *set, struct diag *err)
{
	set->linked = false;
	for (size_t i = 0; i < set->n; i++) {
		if (link_partials(set, set->t[i], err) < 0)
			return -1;
		set->t[i]->mark = 0;
	}

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	const struct tmpl **path = xcalloc(set->n, sizeof *path);
	int rc = 0;
	for (size_t i = 0; i < set->n && rc == 0; i++)
		if (set->t[i]->mark == 0)
			rc = visit(set->t[i], path, 0, err);
	free(path);
	if (rc == 0)
		set->linked = true;
	return rc;
}

/* ---- rendering ---- */

struct render {
	struct buf *out;
	int depth;
	/* The root plus one context per level; cannot overflow as levels are capped. */
	json_t *stack[TMPL_MAX_DEPTH + 1];
};

/*
 * A member of v: a key of an object, or a position of an array ("tags.0",
 * so that a template can ask whether a list has a first element before
 * drawing the markup around it).
 */
static json_t *child(json_t *v, const char *key)
{
	if (!json_is_array(v))
		return json_object_get(v, key);
	size_t i = 0;
	if (*key == '\0')
		return NULL;
	for (const char *p = key; *p; p++) {
		if (*p < '0' || *p > '9' || i > 100000)
			return NULL;
		i = i * 10 + (size_t)(*p - '0');
	}
	return json_array_get(v, i);
}

/*
 * Resolves the name of node n: the first part from the innermost context
 * outwards (only objects have keys), the rest inside that value, as
 * mustache does.  Returns a borrowed value or NULL.
 */
static json_t *lookup(const struct render *r, const char *pool, const struct node *n)
{
	if (n->nparts == 0)
		return r->depth > 0 ? r->stack[r->depth - 1] : NULL;

	const char *key = pool + n->off;
	json_t *v = NULL;
	for (int i = r->depth - 1; i >= 0 && v == NULL; i--)
		v = json_object_get(r->stack[i], key);
	for (unsigned k = 1; k < n->nparts && v != NULL; k++) {
		key += strlen(key) + 1;
		v = child(v, key);
	}
	return v;
}

/* The shortest of %.15g..%.17g that reads back as d: "0.1", not "0.10000000000000001". */
static void put_real(struct buf *out, double d)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (n < 0 || (size_t)n >= sizeof tmp)
			return;
		if (prec == 17 || strtod(tmp, NULL) == d) {
			buf_append(out, tmp, (size_t)n);
			return;
		}
	}
}

/* Digits, signs and "true" need no escaping, so only strings go through escape_html. */
static void put_value(struct buf *out, const json_t *v, bool escape)
{
	char tmp[32];
	int n;

	if (v == NULL)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (escape)
			escape_html(out, json_string_value(v), json_string_length(v));
		else
			buf_append(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		n = snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
		if (n > 0 && (size_t)n < sizeof tmp)
			buf_append(out, tmp, (size_t)n);
		break;
	case JSON_REAL: put_real(out, json_real_value(v)); break;
	case JSON_TRUE: buf_append(out, "true", 4); break;
	default: /* false, null, arrays and objects print nothing */ break;
	}
}

/* Whether a section over v renders its body (at least once). */
static bool truthy(const json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE: return true;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	default: return false;
	}
}

static void render_range(const struct tmpl *t, uint32_t from, uint32_t to, struct render *r,
                         int level);

/* Renders the body of section node i once with v as the innermost context. */
static void render_pushed(const struct tmpl *t, uint32_t i, json_t *v, struct render *r, int level)
{
	if (r->depth >= (int)GZ_ARRAY_LEN(r->stack))
		return;
	r->stack[r->depth++] = v;
	render_range(t, i + 1, t->nodes[i].len, r, level);
	r->depth--;
}

/* Section node i; level is the level of its body. */
static void render_section(const struct tmpl *t, uint32_t i, struct render *r, int level)
{
	const struct node *n = &t->nodes[i];
	json_t *v = lookup(r, t->pool, n);

	if (n->type == N_INVERTED) {
		if (!truthy(v))
			render_range(t, i + 1, n->len, r, level);
		return;
	}
	if (!truthy(v))
		return;
	if (json_is_array(v)) {
		size_t n_elems = json_array_size(v);
		for (size_t k = 0; k < n_elems; k++)
			render_pushed(t, i, json_array_get(v, k), r, level);
	} else if (json_is_true(v)) {
		/* Nothing to push: {{.}} still means the enclosing context. */
		render_range(t, i + 1, n->len, r, level);
	} else {
		render_pushed(t, i, v, r, level);
	}
}

/* Renders nodes [from, to) of t at nesting level `level`; deeper levels are not entered. */
static void render_range(const struct tmpl *t, uint32_t from, uint32_t to, struct render *r,
                         int level)
{
	const struct node *nodes = t->nodes;
	uint32_t i = from;

	while (i < to) {
		const struct node *n = &nodes[i];
		switch (n->type) {
		case N_TEXT:
			buf_append(r->out, t->pool + n->off, n->len);
			i++;
			break;
		case N_VAR:
		case N_RAW:
			put_value(r->out, lookup(r, t->pool, n), n->type == N_VAR);
			i++;
			break;
		case N_SECTION:
		case N_INVERTED:
			if (level < TMPL_MAX_DEPTH)
				render_section(t, i, r, level + 1);
			i = n->len;
			break;
		default: /* N_PARTIAL */
			if (level < TMPL_MAX_DEPTH)
				render_range(n->partial, 0, n->partial->n_nodes, r, level + 1);
			i++;
			break;
		}
	}
}

int tmpl_render(const struct tmpl_set *set, const char *name, json_t *ctx, struct buf *out)
{
	if (set == NULL || name == NULL || !set->linked)
		return -1;
	const struct tmpl *t = set_get(set, name);
	if (t == NULL)
		return -1;

	struct render r; /* no initialiser: only stack[0..depth) is ever read */
	r.out = out;
	r.depth = 0;
	if (ctx != NULL)
		r.stack[r.depth++] = ctx;
	buf_reserve(out, t->text_bytes);
	/* buf_reserve() alone leaves a fresh buffer unterminated if nothing follows. */
	buf_append(out, "", 0);
	render_range(t, 0, t->n_nodes, &r, 0);
	return 0;
}
