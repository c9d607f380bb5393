/*
 * frontmatter.c: the YAML between the '---' lines, turned into jansson values.
 *
 * Only the front matter region is handed to libyaml, so a body that is not
 * YAML (it never is) cannot confuse it.  libyaml's document API resolves
 * aliases by sharing nodes; we expand them while converting, with limits,
 * because "a: &a [x, x]  b: &b [*a, *a] ..." doubles with every line.
 */
#include "gazette/content/frontmatter.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "gazette/base/util.h"

#define FM_MAX_DEPTH 32
#define FM_MAX_NODES 10000
/* How much of a field name an error message quotes. */
#define FM_KEY_QUOTE 60

/* More nested brackets than any real front matter has; see check_text(). */
#define FLOW_DEPTH_MAX 64

static const char msg_too_big[] = "front matter too deeply nested or too large";

/* Where the parts of the file are. */
struct fm_region {
	const char *yaml; /* the lines between the delimiters */
	size_t yaml_len;
	const char *body;
	size_t body_len;
	unsigned body_line;
};

/* One line of the file: [start, end) without its line break; next is the following line. */
struct line {
	const char *start, *end, *next;
};

/* Reads the line at p; returns false at the end of the text. */
static bool next_line(const char *p, const char *end, struct line *l)
{
	if (p >= end)
		return false;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	l->start = p;
	l->next = nl ? nl + 1 : end;
	l->end = nl ? nl : end;
	if (l->end > l->start && l->end[-1] == '\r')
		l->end--;
	return true;
}

/* True if the line is exactly delim, give or take trailing blanks. */
static bool line_is(const struct line *l, const char *delim)
{
	size_t n = strlen(delim);
	const char *e = l->end;

	while (e > l->start && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return (size_t)(e - l->start) == n && memcmp(l->start, delim, n) == 0;
}

/* Finds the front matter and the body.  Errors are all about line 1. */
static int find_region(const char *text, size_t len, struct fm_region *r, struct diag *err)
{
	const char *p = text, *end = text + len;
	struct line l;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if (!next_line(p, end, &l) || !line_is(&l, "---")) {
		if (next_line(p, end, &l) && line_is(&l, "+++"))
			diag_set(err, 1,
			         "TOML front matter ('+++') is not supported; use YAML between "
			         "'---' lines");
		else
			diag_set(err, 1, "no front matter: the file must start with a line '---'");
		return -1;
	}

	r->yaml = l.next;
	p = l.next;
	for (unsigned lineno = 2; next_line(p, end, &l); lineno++, p = l.next) {
		if (line_is(&l, "---") || line_is(&l, "...")) {
			r->yaml_len = (size_t)(l.start - r->yaml);
			r->body = l.next;
			r->body_len = (size_t)(end - l.next);
			r->body_line = lineno + 1;
			return 0;
		}
	}
	diag_set(err, 1, "front matter is not closed: no line '---' after line 1");
	return -1;
}

/*
 * libyaml would stop at a NUL byte or invalid UTF-8 with a message about
 * octets; we catch both first to say which line it is, in plain words.
 */
static int check_text(const char *yaml, size_t len, unsigned first_line, struct diag *err)
{
	const char *p = yaml, *end = yaml + len;
	struct line l;

	/*
	 * libyaml's scanner takes time quadratic in the nesting of flow
	 * collections ("[[[[...": 100,000 of them take 20 s), so deep brackets
	 * are refused before it sees them.  Quotes are not tracked: a title
	 * would need dozens of unbalanced '[' to be refused wrongly.
	 */
	unsigned depth = 0, lineno = first_line;
	for (const char *q = yaml; q < end; q++) {
		if (*q == '\n')
			lineno++;
		else if (*q == '[' || *q == '{') {
			if (++depth > FLOW_DEPTH_MAX) {
				diag_set(err, lineno, "%s", msg_too_big);
				return -1;
			}
		} else if ((*q == ']' || *q == '}') && depth > 0)
			depth--;
	}

	if (utf8_valid(p, len))
		return 0;
	for (lineno = first_line; next_line(p, end, &l); lineno++, p = l.next) {
		size_t n = (size_t)(l.next - l.start);
		if (memchr(l.start, '\0', n) != NULL) {
			diag_set(err, lineno, "front matter contains a NUL byte");
			return -1;
		}
		if (!utf8_valid(l.start, n)) {
			diag_set(err, lineno, "front matter is not valid UTF-8");
			return -1;
		}
	}
	return 0;
}

/*
 * libyaml numbers lines from 0 and also breaks them at a lone CR, NEL,
 * U+2028 and U+2029 (YAML 1.1), which do not start a line in the file.
 * The map gives, for each libyaml line, the line of the file.
 */
struct line_map {
	unsigned *file_line;
	size_t n;
};

static void line_map_build(struct line_map *m, const char *s, size_t len, unsigned first_line)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t cap = 16, n = 0;
	unsigned line = first_line;
	unsigned *map = xmalloc(cap * sizeof *map);

	map[n++] = line;
	for (size_t i = 0; i < len; i++) {
		size_t width = 0;
		if (u[i] == '\n') {
			width = 1;
			line++;
		} else if (u[i] == '\r') {
			width = 1;
			if (i + 1 < len && u[i + 1] == '\n') {
				i++;
				line++;
			}
		} else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] == 0x85) {
			width = 2;
		} else if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80 &&
		           (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
			width = 3;
		}
		if (width == 0)
			continue;
		i += width - 1;
		if (n == cap) {
			cap *= 2;
			map = xrealloc(map, cap * sizeof *map);
		}
		map[n++] = line;
	}
	m->file_line = map;
	m->n = n;
}

static unsigned line_of(const struct line_map *m, yaml_mark_t mark)
{
	return mark.line < m->n ? m->file_line[mark.line] : m->file_line[m->n - 1];
}

/* The state of one conversion from libyaml nodes to jansson values. */
struct conv {
	yaml_document_t *doc;
	const struct line_map *map;
	unsigned nodes;    /* nodes visited so far, aliases counted each time */
	unsigned top_line; /* line of the top-level field being converted */
	struct diag *err;
	bool typed;        /* plain scalars as YAML types: booleans, numbers (fm_doc.typed) */
};

/*
 * Counts a node; false (with the error set) once there are too many or
 * too deep.  An alias leads back to a node defined earlier, so the line
 * given is never before the field being converted.
 */
static bool visit(struct conv *c, const yaml_node_t *node, unsigned depth)
{
	if (++c->nodes > FM_MAX_NODES || depth > FM_MAX_DEPTH) {
		unsigned line = line_of(c->map, node->start_mark);
		diag_set(c->err, line > c->top_line ? line : c->top_line, "%s", msg_too_big);
		return false;
	}
	return true;
}

/*
 * Copies a field name for a message into out: at most FM_KEY_QUOTE bytes
 * cut at a character boundary, control characters shown as '?'.
 */
static void quote_key(char out[FM_KEY_QUOTE + 4], const yaml_node_t *key)
{
	const unsigned char *s = key->data.scalar.value;
	size_t n = key->data.scalar.length, i = 0;

	if (n > FM_KEY_QUOTE) {
		n = FM_KEY_QUOTE;
		while (n > 0 && (s[n] & 0xc0) == 0x80)
			n--;
	}
	for (; i < n; i++)
		out[i] = (char)(s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	if (n < key->data.scalar.length)
		for (int k = 0; k < 3; k++)
			out[i++] = '.';
	out[i] = '\0';
}

static json_t *convert(struct conv *c, yaml_node_t *node, unsigned depth);

/* True if s is one of the words (NULL-terminated list). */
static bool one_of(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/*
 * A plain scalar as the YAML type it spells: booleans (YAML 1.2's true and
 * false, and YAML 1.1's yes, no, on and off, which Jekyll's Ruby reads as
 * booleans too), integers and decimal numbers; NULL for everything else,
 * which stays text.  A number becomes one only if it reads back as
 * written: "3.10" (a version), "007" and "0x1f" stay the text the author
 * wrote, which a JSON number would lose.  Dates stay text: JSON has no
 * type for them.
 */
static json_t *typed_scalar(const char *s, size_t n)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
	                                  "on", "On", "ON", NULL};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
	                                 "off", "Off", "OFF", NULL};
	if (one_of(s, yes))
		return json_true();
	if (one_of(s, no))
		return json_false();
	if (n == 0 || n > 40 || strlen(s) != n || strspn(s, "-0123456789.") != n)
		return NULL;
	char *end, back[48];
	errno = 0;
	if (strchr(s, '.') == NULL) {
		long long v = strtoll(s, &end, 10);
		snprintf(back, sizeof back, "%lld", v);
		return *end == '\0' && errno == 0 && strcmp(back, s) == 0 ? json_integer(v) : NULL;
	}
	double d = strtod(s, &end);
	snprintf(back, sizeof back, "%.15g", d);
	return *end == '\0' && errno == 0 && strcmp(back, s) == 0 ? json_real(d) : NULL;
}

bool fm_plain_is_text(const char *s, size_t n)
{
	bool null = n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	            strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
	if (null || strlen(s) != n)
		return false;
	json_t *t = typed_scalar(s, n);
	json_decref(t);
	return t == NULL;
}

/* Plain (unquoted) "", "~" and "null" in three spellings are null; all else is text. */
static json_t *convert_scalar(struct conv *c, const yaml_node_t *node)
{
	const char *s = (const char *)node->data.scalar.value;
	size_t n = node->data.scalar.length;

	if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	     strcmp(s, "NULL") == 0))
		return json_null();
	if (c->typed && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		json_t *t = typed_scalar(s, n);
		if (t)
			return t;
	}

	/* libyaml hands out valid UTF-8, so this only fails when memory does. */
	json_t *v = json_stringn(s, n);
	if (v == NULL)
		diag_set(c->err, line_of(c->map, node->start_mark), "invalid text in front matter");
	return v;
}

static json_t *convert_sequence(struct conv *c, yaml_node_t *node, unsigned depth)
{
	json_t *arr = json_array();

	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		json_t *v = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);
		if (v == NULL || json_array_append_new(arr, v) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static bool same_scalar(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0;
}

/* The line of the first key in pairs [start, stop) equal to key. */
static unsigned first_line_of_key(struct conv *c, const yaml_node_pair_t *start,
                                  const yaml_node_pair_t *stop, const yaml_node_t *key)
{
	for (const yaml_node_pair_t *p = start; p < stop; p++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if (same_scalar(k, key))
			return line_of(c->map, k->start_mark);
	}
	return 0;
}

/* Checks a field name; returns it as a C string, or NULL with the error set. */
static const char *field_name(struct conv *c, const yaml_node_t *key, unsigned depth)
{
	unsigned line = line_of(c->map, key->start_mark);

	if (!visit(c, key, depth))
		return NULL;
	if (key->type != YAML_SCALAR_NODE) {
		diag_set(c->err, line, "a field name must be text, not a list or mapping");
		return NULL;
	}
	const char *s = (const char *)key->data.scalar.value;
	if (key->data.scalar.length == 0) {
		diag_set(c->err, line, "a field name must not be empty");
		return NULL;
	}
	if (memchr(s, '\0', key->data.scalar.length) != NULL) {
		diag_set(c->err, line, "a field name must not contain a NUL character");
		return NULL;
	}
	return s;
}

/*
 * Converts a mapping.  For the top level, lines is the object that gets
 * each field's line; deeper down it is NULL.
 */
static json_t *convert_mapping(struct conv *c, yaml_node_t *node, unsigned depth, json_t *lines)
{
	json_t *obj = json_object();
	yaml_node_pair_t *start = node->data.mapping.pairs.start;

	for (yaml_node_pair_t *p = start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		const char *name = field_name(c, key, depth + 1);
		if (name == NULL)
			goto fail;

		unsigned line = line_of(c->map, key->start_mark);
		if (lines != NULL)
			c->top_line = line;
		if (json_object_get(obj, name) != NULL) {
			char quoted[FM_KEY_QUOTE + 4];
			quote_key(quoted, key);
			diag_set(c->err, line, "duplicate field '%s' (first on line %u)", quoted,
			         first_line_of_key(c, start, p, key));
			goto fail;
		}
		json_t *v = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1);
		if (v == NULL)
			goto fail;
		if (json_object_set_new(obj, name, v) < 0 ||
		    (lines && json_object_set_new(lines, name, json_integer(line)) < 0)) {
			diag_set(c->err, line, "invalid field name");
			goto fail;
		}
	}
	return obj;

fail:
	json_decref(obj);
	return NULL;
}

static json_t *convert(struct conv *c, yaml_node_t *node, unsigned depth)
{
	if (!visit(c, node, depth))
		return NULL;
	switch (node->type) {
	case YAML_SCALAR_NODE: return convert_scalar(c, node);
	case YAML_SEQUENCE_NODE: return convert_sequence(c, node, depth);
	case YAML_MAPPING_NODE: return convert_mapping(c, node, depth, NULL);
	default: break;
	}
	diag_set(c->err, line_of(c->map, node->start_mark), "invalid YAML: empty node");
	return NULL;
}

/* Converts the document's root: a mapping, or nothing at all (no fields). */
static int convert_root(yaml_document_t *doc, const struct line_map *map, bool typed,
                        json_t **meta, json_t **lines, struct diag *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	struct conv c = {doc, map, 0, 0, err, typed};
	json_t *obj = NULL, *l = json_object();

	if (root == NULL)
		obj = json_object();
	else if (root->type != YAML_MAPPING_NODE)
		diag_set(err, line_of(map, root->start_mark),
		         "front matter must be a mapping of fields");
	else if (visit(&c, root, 1))
		obj = convert_mapping(&c, root, 1, l);
	if (obj == NULL) {
		json_decref(l);
		return -1;
	}
	*meta = obj;
	*lines = l;
	return 0;
}

/* Turns libyaml's error about yaml[0..len) into ours, with the line of the file. */
static void yaml_error(const yaml_parser_t *parser, const char *yaml, size_t len,
                       const struct line_map *map, struct diag *err)
{
	const char *problem = parser->problem ? parser->problem : "out of memory";
	unsigned line = map->file_line[0];

	if (parser->error == YAML_READER_ERROR) {
		/* Reader errors have a byte offset instead of a mark. */
		size_t off = parser->problem_offset < len ? parser->problem_offset : len;
		for (size_t i = 0; i < off; i++)
			line += yaml[i] == '\n';
	} else if (parser->error != YAML_MEMORY_ERROR) {
		line = line_of(map, parser->problem_mark);
	}

	unsigned ctx_line = line_of(map, parser->context_mark);
	if (parser->context != NULL && ctx_line != line)
		diag_set(err, line, "invalid YAML: %s (%s on line %u)", problem, parser->context,
		         ctx_line);
	else
		diag_set(err, line, "invalid YAML: %s", problem);
}

/* fm_parse_yaml(), and the typed values too when typed is not NULL. */
static int parse_yaml(const char *yaml, size_t len, unsigned first_line, json_t **meta,
                      json_t **lines, json_t **typed, struct diag *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	struct line_map map;
	int rc = -1;

	*meta = NULL;
	*lines = NULL;
	if (len >= 3 && memcmp(yaml, "\xef\xbb\xbf", 3) == 0) {
		yaml += 3;
		len -= 3;
	}
	if (check_text(yaml, len, first_line, err) < 0)
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		diag_set(err, first_line, "invalid YAML: out of memory");
		return -1;
	}
	line_map_build(&map, yaml, len, first_line);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	if (!yaml_parser_load(&parser, &doc)) {
		yaml_error(&parser, yaml, len, &map, err);
		goto out_parser;
	}
	/* A second document ("--- x" inside the front matter) would be ignored silently. */
	if (!yaml_parser_load(&parser, &extra)) {
		yaml_error(&parser, yaml, len, &map, err);
		goto out_doc;
	}
	bool more = yaml_document_get_root_node(&extra) != NULL;
	unsigned extra_line = line_of(&map, extra.start_mark);
	yaml_document_delete(&extra);
	if (more) {
		diag_set(err, extra_line, "front matter must be a single YAML document");
		goto out_doc;
	}

	rc = convert_root(&doc, &map, false, meta, lines, err);
	if (rc == 0 && typed) {
		json_t *typed_lines;
		rc = convert_root(&doc, &map, true, typed, &typed_lines, err);
		json_decref(typed_lines);
		if (rc < 0) {
			json_decref(*meta);
			json_decref(*lines);
			*meta = *lines = NULL;
		}
	}

out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	free(map.file_line);
	return rc;
}

int fm_parse_yaml(const char *yaml, size_t len, unsigned first_line, json_t **meta, json_t **lines,
                  struct diag *err)
{
	return parse_yaml(yaml, len, first_line, meta, lines, NULL, err);
}

int fm_parse(const char *text, size_t len, struct fm_doc *out, struct diag *err)
{
	struct fm_region r;
	json_t *meta = NULL, *lines = NULL, *typed = NULL;

	memset(out, 0, sizeof *out);
	/* The front matter starts on line 2 of the file. */
	if (find_region(text, len, &r, err) < 0 ||
	    parse_yaml(r.yaml, r.yaml_len, 2, &meta, &lines, &typed, err) < 0)
		return -1;
	out->meta = meta;
	out->lines = lines;
	out->typed = typed;
	out->body = r.body;
	out->body_len = r.body_len;
	out->body_line = r.body_line;
	return 0;
}

void fm_doc_free(struct fm_doc *doc)
{
	json_decref(doc->meta);
	json_decref(doc->lines);
	json_decref(doc->typed);
	doc->meta = NULL;
	doc->lines = NULL;
	doc->typed = NULL;
}

/*
 * What fm_value_from_json() promises (frontmatter.h): true, false and
 * numbers, at any depth, become the text they are written as.
 */
json_t *fm_value_from_json(json_t *v)
{
	char text[64];
	size_t i;
	const char *key;
	json_t *item, *out;

	switch (json_typeof(v)) {
	case JSON_TRUE: return json_string("true");
	case JSON_FALSE: return json_string("false");
	case JSON_INTEGER:
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(text);
	case JSON_REAL:
		/* The shortest text that reads back as the same double: 0.1, not
		 * 0.10000000000000001. */
		for (int digits = 1; digits <= 17; digits++) {
			snprintf(text, sizeof text, "%.*g", digits, json_real_value(v));
			if (strtod(text, NULL) == json_real_value(v))
				break;
		}
		return json_string(text);
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, item) json_array_append_new(out, fm_value_from_json(item));
		return out;
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach(v, key, item)
		    json_object_set_new(out, key, fm_value_from_json(item));
		return out;
	default: return json_incref(v); /* a string, or null */
	}
}
