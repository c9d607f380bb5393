/*
 * lexical.c: Ghost 5's Lexical documents as HTML.
 *
 * Lexical serializes its editor state as a tree of nodes:
 *
 *   {"root": {"type": "root", "children": [
 *       {"type": "paragraph", "children": [
 *           {"type": "text", "text": "Hello ", "format": 0},
 *           {"type": "link", "url": "https://...", "children": [...]}]},
 *       {"type": "image", "src": "...", "caption": "..."}]}}
 *
 * Element nodes have children; text nodes carry "format", a set of bits
 * (1 bold, 2 italic, 4 strikethrough, 8 underline, 16 code, 32 subscript,
 * 64 superscript, 128 highlight); Ghost's cards are nodes whose fields are
 * the card's payload, under the names of its Mobiledoc cards except for
 * codeblock (code) and horizontalrule (hr).
 */
#include "lexical.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "mobiledoc.h"

/* Deeper than any editor nests lists; keeps a hostile file off the stack. */
#define LEXICAL_DEPTH_MAX 64

/* The format bits of a text node, in the order their tags open. */
static const struct {
	unsigned bit;
	const char *tag;
} text_formats[] = {
    {1, "strong"}, {2, "em"},   {4, "s"},      {8, "u"},
    {32, "sub"},   {64, "sup"}, {128, "mark"}, {16, "code"},
};

/* Lexical's names of cards that Mobiledoc names otherwise. */
static const struct {
	const char *lexical, *mobiledoc;
} card_names[] = {
    {"codeblock", "code"},
    {"horizontalrule", "hr"},
};

struct lex {
	json_t *unknown;
	struct buf *out;
	struct diag *err;
};

static int render_node(struct lex *x, json_t *node, const char *where, unsigned depth);

static void note_unknown(json_t *unknown, const char *name)
{
	size_t i;
	json_t *v;

	if (unknown == NULL)
		return;
	json_array_foreach(unknown, i, v)
	{
		if (strcmp(json_string_value(v), name) == 0)
			return;
	}
	json_array_append_new(unknown, json_string(name));
}

static int render_children(struct lex *x, json_t *node, const char *where, unsigned depth)
{
	json_t *children = json_object_get(node, "children"), *child;
	size_t i;
	char here[256];

	if (children == NULL)
		return 0;
	if (!json_is_array(children)) {
		diag_set(x->err, 0, "%s.children: a list of nodes was expected", where);
		return -1;
	}
	json_array_foreach(children, i, child)
	{
		int n = snprintf(here, sizeof here, "%s.children[%zu]", where, i);
		if (n < 0 || (size_t)n >= sizeof here)
			snprintf(here, sizeof here, "...children[%zu]", i);
		if (render_node(x, child, here, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* <tag>children</tag> */
static int element(struct lex *x, const char *tag, json_t *node, const char *where, unsigned depth)
{
	buf_printf(x->out, "<%s>", tag);
	if (render_children(x, node, where, depth) < 0)
		return -1;
	buf_printf(x->out, "</%s>", tag);
	return 0;
}

static void render_text(struct lex *x, json_t *node)
{
	json_t *text = json_object_get(node, "text"), *format = json_object_get(node, "format");
	json_int_t bits = json_is_integer(format) ? json_integer_value(format) : 0;
	size_t n = GZ_ARRAY_LEN(text_formats);

	if (!json_is_string(text))
		return;
	for (size_t i = 0; i < n; i++)
		if (bits & text_formats[i].bit)
			buf_printf(x->out, "<%s>", text_formats[i].tag);
	escape_html(x->out, json_string_value(text), json_string_length(text));
	for (size_t i = n; i-- > 0;)
		if (bits & text_formats[i].bit)
			buf_printf(x->out, "</%s>", text_formats[i].tag);
}

static bool is_type(const char *type, const char *a, const char *b)
{
	return strcmp(type, a) == 0 || (b != NULL && strcmp(type, b) == 0);
}

/* A heading: its "tag" if it is h1 to h6, else h2. */
static int render_heading(struct lex *x, json_t *node, const char *where, unsigned depth)
{
	const char *tag = json_string_value(json_object_get(node, "tag"));
	static const char *const h[] = {"h1", "h2", "h3", "h4", "h5", "h6"};
	const char *use = "h2";
	for (size_t i = 0; tag != NULL && i < GZ_ARRAY_LEN(h); i++)
		if (strcmp(tag, h[i]) == 0)
			use = h[i];
	return element(x, use, node, where, depth);
}

/* A list: <ol> (with its start unless 1) when listType is "number", else <ul>. */
static int render_list(struct lex *x, json_t *node, const char *where, unsigned depth)
{
	const char *kind = json_string_value(json_object_get(node, "listType"));
	json_t *start = json_object_get(node, "start");
	if (kind == NULL || strcmp(kind, "number") != 0)
		return element(x, "ul", node, where, depth);
	if (json_is_integer(start) && json_integer_value(start) != 1)
		buf_printf(x->out, "<ol start=\"%" JSON_INTEGER_FORMAT "\">",
		           json_integer_value(start));
	else
		buf_puts(x->out, "<ol>");
	if (render_children(x, node, where, depth) < 0)
		return -1;
	buf_puts(x->out, "</ol>");
	return 0;
}

/* A link: <a>, with its url (escaped) as href when it has one. */
static int render_link(struct lex *x, json_t *node, const char *where, unsigned depth)
{
	const char *url = json_string_value(json_object_get(node, "url"));
	buf_puts(x->out, "<a");
	if (url != NULL) {
		buf_puts(x->out, " href=\"");
		escape_html(x->out, url, strlen(url));
		buf_putc(x->out, '"');
	}
	buf_putc(x->out, '>');
	if (render_children(x, node, where, depth) < 0)
		return -1;
	buf_puts(x->out, "</a>");
	return 0;
}

/*
 * A node of no type of Lexical's own: a card (under Mobiledoc's name for
 * it) if mobiledoc_card_render() knows it; else, being newer than this
 * renderer, its children or its text, or nothing but its type noted in
 * x->unknown.
 */
static int render_other(struct lex *x, json_t *node, const char *type, const char *where,
                        unsigned depth)
{
	const char *card = type;
	for (size_t i = 0; i < GZ_ARRAY_LEN(card_names); i++)
		if (strcmp(type, card_names[i].lexical) == 0)
			card = card_names[i].mobiledoc;
	if (mobiledoc_card_render(card, node, x->out))
		return 0;

	json_t *text = json_object_get(node, "text");
	if (json_is_array(json_object_get(node, "children")))
		return render_children(x, node, where, depth);
	if (json_is_string(text))
		escape_html(x->out, json_string_value(text), json_string_length(text));
	else
		note_unknown(x->unknown, type);
	return 0;
}

static int render_node(struct lex *x, json_t *node, const char *where, unsigned depth)
{
	if (depth > LEXICAL_DEPTH_MAX) {
		diag_set(x->err, 0, "%s: nodes nested deeper than %d", where, LEXICAL_DEPTH_MAX);
		return -1;
	}
	const char *type = json_string_value(json_object_get(node, "type"));
	if (!json_is_object(node) || type == NULL) {
		diag_set(x->err, 0, "%s: a node is an object with a \"type\"", where);
		return -1;
	}

	if (is_type(type, "text", "extended-text")) {
		render_text(x, node);
		return 0;
	}
	if (is_type(type, "paragraph", NULL)) {
		if (json_array_size(json_object_get(node, "children")) == 0)
			return 0; /* an empty line of the editor */
		return element(x, "p", node, where, depth);
	}
	if (is_type(type, "heading", "extended-heading"))
		return render_heading(x, node, where, depth);
	if (is_type(type, "quote", "extended-quote"))
		return element(x, "blockquote", node, where, depth);
	if (is_type(type, "aside", NULL))
		return element(x, "aside", node, where, depth);
	if (is_type(type, "list", NULL))
		return render_list(x, node, where, depth);
	if (is_type(type, "listitem", NULL))
		return element(x, "li", node, where, depth);
	if (is_type(type, "link", "autolink"))
		return render_link(x, node, where, depth);
	if (is_type(type, "linebreak", NULL)) {
		buf_puts(x->out, "<br>");
		return 0;
	}
	if (is_type(type, "tab", NULL)) {
		buf_putc(x->out, '\t');
		return 0;
	}
	return render_other(x, node, type, where, depth);
}

int lexical_render(const char *json, size_t len, struct buf *out, json_t *unknown, struct diag *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr);
	int rc = -1;

	if (doc == NULL) {
		diag_set(err, 0, "not JSON (column %d): %s", jerr.column, jerr.text);
		return -1;
	}
	json_t *root = json_object_get(doc, "root");
	if (!json_is_object(root)) {
		diag_set(err, 0, "not a Lexical document: no \"root\" object");
		goto done;
	}
	struct lex x = {.unknown = unknown, .out = out, .err = err};
	rc = render_children(&x, root, "root", 0);
done:
	json_decref(doc);
	return rc;
}
