/*
 * mobiledoc.c: Mobiledoc 0.3 and Ghost's cards as HTML.
 *
 * A Mobiledoc document is a JSON object:
 *
 *   {"version": "0.3.1",
 *    "markups":  [["strong"], ["a", ["href", "https://..."]]],
 *    "atoms":    [["soft-return", "", {}]],
 *    "cards":    [["image", {"src": "...", "caption": "..."}]],
 *    "sections": [[1, "p", [MARKER, ...]],          markup section
 *                 [2, "https://..."],                image section
 *                 [3, "ul", [[MARKER, ...], ...]],   list section, one list per item
 *                 [10, 0]]}                          card section: index into cards
 *
 * and a marker is [0, [opened markups], closed count, "text"] or, for an
 * atom, [1, [opened markups], closed count, atom index].  A marker opens
 * the markups it lists (indexes into markups), then its text, then closes
 * the last `closed count` of the markups open: they nest like elements.
 */
#include "mobiledoc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/content/markdown.h"

/* More markups open at once than any editor writes. */
#define MARKUP_DEPTH_MAX 32

/* Inline markups gazette keeps; any other loses its tag, never its text. */
static const char *const markup_tags[] = {"b", "strong", "i",   "em", "a", "code",
                                          "s", "sub",    "sup", "u",  NULL};

/* Block tags of markup sections, and what each becomes. */
static const struct {
	const char *in, *out;
} section_tags[] = {
    {"p", "p"},         {"h1", "h1"},
    {"h2", "h2"},       {"h3", "h3"},
    {"h4", "h4"},       {"h5", "h5"},
    {"h6", "h6"},       {"blockquote", "blockquote"},
    {"aside", "aside"}, {"pull-quote", "blockquote"},
};

/* The state of one rendering. */
struct mdoc {
	json_t *markups, *atoms, *cards;
	json_t *unknown;
	struct buf *out;
	struct diag *err;
};

/* ---- small helpers shared by the cards ---- */

/* payload[key] when it is a non-empty string, else NULL. */
static const char *str(json_t *payload, const char *key)
{
	json_t *v = json_object_get(payload, key);
	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	return json_string_value(v);
}

static void esc(struct buf *out, const char *s)
{
	escape_html(out, s, strlen(s));
}

/* Appends ` name="value"` with value escaped; nothing when value is NULL. */
static void attr(struct buf *out, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(out, " %s=\"", name);
	esc(out, value);
	buf_putc(out, '"');
}

/*
 * Appends ` name="N"` when payload[key] is a whole number above 0 (Ghost
 * writes widths as numbers, some migrations as strings of digits).
 */
static void int_attr(struct buf *out, const char *name, json_t *payload, const char *key)
{
	json_t *v = json_object_get(payload, key);
	long long n = 0;

	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) >= 1 && json_real_value(v) < 1e9)
		n = (long long)json_real_value(v);
	else if (json_is_string(v) && parse_uint_range(json_string_value(v), json_string_length(v),
	                                               1, 999999999, &n) < 0)
		return;
	if (n > 0 && n < 1000000000)
		buf_printf(out, " %s=\"%lld\"", name, n);
}

/* True if payload[key] is true, 1 or "true". */
static bool flag(json_t *payload, const char *key)
{
	json_t *v = json_object_get(payload, key);
	return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0) ||
	       (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

/* <figcaption>caption</figcaption> when there is a caption (HTML in Ghost). */
static void figcaption(struct buf *out, json_t *payload)
{
	const char *caption = str(payload, "caption");
	if (caption == NULL)
		return;
	buf_puts(out, "<figcaption>");
	buf_puts(out, caption);
	buf_puts(out, "</figcaption>");
}

/* ---- the cards ---- */

/* <img ...> of an image card or a gallery's image, in a link if it has one. */
static void image_tag(struct buf *out, json_t *img)
{
	const char *href = str(img, "href");
	if (href != NULL) {
		buf_puts(out, "<a");
		attr(out, "href", href);
		buf_putc(out, '>');
	}
	buf_puts(out, "<img");
	attr(out, "src", str(img, "src"));
	const char *alt = str(img, "alt");
	attr(out, "alt", alt ? alt : "");
	attr(out, "title", str(img, "title"));
	int_attr(out, "width", img, "width");
	int_attr(out, "height", img, "height");
	buf_putc(out, '>');
	if (href != NULL)
		buf_puts(out, "</a>");
}

static void card_image(struct buf *out, json_t *p)
{
	if (str(p, "src") == NULL)
		return;
	buf_puts(out, "<figure>");
	image_tag(out, p);
	figcaption(out, p);
	buf_puts(out, "</figure>");
}

static void card_markdown(struct buf *out, json_t *p)
{
	const char *src = str(p, "markdown");
	if (src == NULL)
		return;
	struct md_doc md;
	if (md_render(src, strlen(src), &md) == 0) {
		buf_append(out, md.html, md.html_len);
	} else {
		/* md4c gave up: the text stays readable as it was written. */
		buf_puts(out, "<pre>");
		esc(out, src);
		buf_puts(out, "</pre>");
	}
	md_doc_free(&md);
}

static void card_html(struct buf *out, json_t *p)
{
	const char *html = str(p, "html");
	if (html != NULL)
		buf_puts(out, html);
}

static void card_code(struct buf *out, json_t *p)
{
	const char *code = str(p, "code"), *lang = str(p, "language");
	bool fig = str(p, "caption") != NULL;

	if (code == NULL)
		return;
	if (fig)
		buf_puts(out, "<figure>");
	buf_puts(out, "<pre><code");
	if (lang != NULL) {
		buf_puts(out, " class=\"language-");
		esc(out, lang);
		buf_putc(out, '"');
	}
	buf_putc(out, '>');
	esc(out, code);
	buf_puts(out, "</code></pre>");
	if (fig) {
		figcaption(out, p);
		buf_puts(out, "</figure>");
	}
}

static void card_embed(struct buf *out, json_t *p)
{
	const char *html = str(p, "html"), *url = str(p, "url");
	if (html == NULL && url == NULL)
		return;
	buf_puts(out, "<figure>");
	if (html != NULL) {
		buf_puts(out, html);
	} else {
		buf_puts(out, "<a");
		attr(out, "href", url);
		buf_putc(out, '>');
		esc(out, url);
		buf_puts(out, "</a>");
	}
	figcaption(out, p);
	buf_puts(out, "</figure>");
}

/* A link to a page with its title, description and site, as Ghost shows it. */
static void card_bookmark(struct buf *out, json_t *p)
{
	const char *url = str(p, "url");
	json_t *meta = json_object_get(p, "metadata");
	if (url == NULL)
		return;
	const char *title = str(meta, "title"), *desc = str(meta, "description");
	const char *publisher = str(meta, "publisher"), *author = str(meta, "author");

	buf_puts(out, "<figure><p><a");
	attr(out, "href", url);
	buf_puts(out, "><strong>");
	esc(out, title ? title : url);
	buf_puts(out, "</strong></a></p>");
	if (desc != NULL) {
		buf_puts(out, "<p>");
		esc(out, desc);
		buf_puts(out, "</p>");
	}
	if (publisher != NULL || author != NULL) {
		buf_puts(out, "<p><small>");
		if (publisher != NULL)
			esc(out, publisher);
		if (publisher != NULL && author != NULL)
			buf_puts(out, " \xc2\xb7 "); /* a middle dot */
		if (author != NULL)
			esc(out, author);
		buf_puts(out, "</small></p>");
	}
	figcaption(out, p);
	buf_puts(out, "</figure>");
}

/* Images in rows: Ghost numbers each image's row ("row": 0, 1, ...). */
static void card_gallery(struct buf *out, json_t *p)
{
	json_t *images = json_object_get(p, "images"), *img;
	size_t i;
	bool open = false, any = false;
	json_int_t row = 0;

	json_array_foreach(images, i, img)
	{
		if (str(img, "src") == NULL)
			continue;
		json_t *r = json_object_get(img, "row");
		json_int_t this_row = json_is_integer(r) ? json_integer_value(r) : row;
		if (!any)
			buf_puts(out, "<figure>");
		if (open && this_row != row) {
			buf_puts(out, "</div>");
			open = false;
		}
		if (!open)
			buf_puts(out, "<div>");
		open = any = true;
		row = this_row;
		image_tag(out, img);
	}
	if (!any)
		return;
	buf_puts(out, "</div>");
	figcaption(out, p);
	buf_puts(out, "</figure>");
}

static void card_callout(struct buf *out, json_t *p)
{
	const char *text = str(p, "calloutText"), *emoji = str(p, "calloutEmoji");
	if (text == NULL)
		return;
	buf_puts(out, "<aside>");
	if (emoji != NULL) {
		esc(out, emoji);
		buf_putc(out, ' ');
	}
	buf_puts(out, text); /* HTML in Ghost */
	buf_puts(out, "</aside>");
}

static void card_toggle(struct buf *out, json_t *p)
{
	const char *heading = str(p, "heading"), *content = str(p, "content");
	if (heading == NULL)
		return;
	/* Both are HTML in Ghost. */
	buf_puts(out, "<details><summary>");
	buf_puts(out, heading);
	buf_puts(out, "</summary>");
	if (content != NULL)
		buf_puts(out, content);
	buf_puts(out, "</details>");
}

/* A link that looks like a button; both parts are needed. */
static void link_button(struct buf *out, const char *url, const char *text)
{
	buf_puts(out, "<p><a");
	attr(out, "href", url);
	buf_putc(out, '>');
	esc(out, text);
	buf_puts(out, "</a></p>");
}

static void card_button(struct buf *out, json_t *p)
{
	const char *url = str(p, "buttonUrl"), *text = str(p, "buttonText");
	if (url != NULL && text != NULL)
		link_button(out, url, text);
}

static void card_header(struct buf *out, json_t *p)
{
	const char *header = str(p, "header"), *sub = str(p, "subheader");
	const char *bg = str(p, "backgroundImageSrc");
	const char *url = str(p, "buttonUrl"), *text = str(p, "buttonText");
	bool button = flag(p, "buttonEnabled") && url != NULL && text != NULL;

	if (header == NULL && sub == NULL && !button)
		return;
	buf_puts(out, "<section>");
	if (bg != NULL) {
		buf_puts(out, "<img");
		attr(out, "src", bg);
		buf_puts(out, " alt=\"\">");
	}
	if (header != NULL) { /* HTML in Ghost, as the subheader */
		buf_puts(out, "<h2>");
		buf_puts(out, header);
		buf_puts(out, "</h2>");
	}
	if (sub != NULL) {
		buf_puts(out, "<p>");
		buf_puts(out, sub);
		buf_puts(out, "</p>");
	}
	if (button)
		link_button(out, url, text);
	buf_puts(out, "</section>");
}

static void card_video(struct buf *out, json_t *p)
{
	const char *src = str(p, "src");
	const char *poster = str(p, "customThumbnailSrc");
	if (src == NULL)
		return;
	if (poster == NULL)
		poster = str(p, "thumbnailSrc");
	buf_puts(out, "<figure><video");
	attr(out, "src", src);
	attr(out, "poster", poster);
	int_attr(out, "width", p, "width");
	int_attr(out, "height", p, "height");
	buf_puts(out, flag(p, "loop") ? " controls loop muted></video>" : " controls></video>");
	figcaption(out, p);
	buf_puts(out, "</figure>");
}

static void card_audio(struct buf *out, json_t *p)
{
	const char *src = str(p, "src"), *title = str(p, "title");
	if (src == NULL)
		return;
	buf_puts(out, "<figure><audio");
	attr(out, "src", src);
	buf_puts(out, " controls></audio>");
	if (title != NULL) {
		buf_puts(out, "<figcaption>");
		esc(out, title); /* text, unlike a caption */
		buf_puts(out, "</figcaption>");
	}
	buf_puts(out, "</figure>");
}

static void card_file(struct buf *out, json_t *p)
{
	const char *src = str(p, "src"), *title = str(p, "fileTitle");
	const char *caption = str(p, "fileCaption");
	if (src == NULL)
		return;
	if (title == NULL)
		title = str(p, "fileName");
	buf_puts(out, "<p><a");
	attr(out, "href", src);
	buf_putc(out, '>');
	esc(out, title ? title : src);
	buf_puts(out, "</a>");
	if (caption != NULL) {
		buf_puts(out, "<br>");
		esc(out, caption);
	}
	buf_puts(out, "</p>");
}

static void card_nothing(struct buf *out, json_t *p)
{
	(void)out;
	(void)p;
}

static const struct {
	const char *name;
	void (*render)(struct buf *out, json_t *payload);
} cards[] = {
    {"image", card_image},       {"markdown", card_markdown}, {"card-markdown", card_markdown},
    {"html", card_html},         {"code", card_code},         {"embed", card_embed},
    {"bookmark", card_bookmark}, {"gallery", card_gallery},   {"callout", card_callout},
    {"toggle", card_toggle},     {"button", card_button},     {"header", card_header},
    {"video", card_video},       {"audio", card_audio},       {"file", card_file},
    {"paywall", card_nothing},   {"email", card_nothing},     {"email-cta", card_nothing},
};

bool mobiledoc_card_render(const char *name, json_t *payload, struct buf *out)
{
	if (strcmp(name, "hr") == 0) {
		buf_puts(out, "<hr>");
		return true;
	}
	for (size_t i = 0; i < GZ_ARRAY_LEN(cards); i++) {
		if (strcmp(name, cards[i].name) == 0) {
			cards[i].render(out, json_is_object(payload) ? payload : NULL);
			return true;
		}
	}
	return false;
}

/* ---- sections and markers ---- */

/* Adds name to the list of unknown cards unless it is there. */
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

/* A non-negative array index from v, or -1. */
static long long index_of(json_t *v, size_t n)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) >= n)
		return -1;
	return json_integer_value(v);
}

/*
 * Opens markup number idx.  *tag is set to the tag to close later, or NULL
 * when the markup is not one gazette keeps.
 */
static int open_markup(struct mdoc *m, json_t *idx, const char **tag, const char *where)
{
	long long i = index_of(idx, json_array_size(m->markups));
	if (i < 0) {
		diag_set(m->err, 0, "%s: opens a markup that is not in \"markups\"", where);
		return -1;
	}
	json_t *mk = json_array_get(m->markups, (size_t)i);
	const char *name = json_string_value(json_array_get(mk, 0));
	if (name == NULL) {
		diag_set(m->err, 0, "markups[%lld]: a markup is [\"tag\", [attributes]]", i);
		return -1;
	}
	*tag = NULL;
	for (size_t k = 0; markup_tags[k]; k++)
		if (strcasecmp(name, markup_tags[k]) == 0)
			*tag = markup_tags[k];
	if (*tag == NULL)
		return 0;

	buf_printf(m->out, "<%s", *tag);
	if (strcmp(*tag, "a") == 0) {
		/* Attributes come as [name, value, name, value, ...]; only href is kept. */
		json_t *attrs = json_array_get(mk, 1);
		for (size_t k = 0; k + 1 < json_array_size(attrs); k += 2) {
			const char *an = json_string_value(json_array_get(attrs, k));
			const char *av = json_string_value(json_array_get(attrs, k + 1));
			if (an && av && strcasecmp(an, "href") == 0) {
				attr(m->out, "href", av);
				break;
			}
		}
	}
	buf_putc(m->out, '>');
	return 0;
}

/* The markups a marker opens, pushed on stack (*depth of them there).  0, or -1 with m->err set. */
static int open_markups(struct mdoc *m, json_t *opens, const char **stack, size_t *depth,
                        const char *here)
{
	size_t k;
	json_t *o;
	json_array_foreach(opens, k, o)
	{
		if (*depth == MARKUP_DEPTH_MAX) {
			diag_set(m->err, 0, "%s: more than %d markups open at once", here,
			         MARKUP_DEPTH_MAX);
			return -1;
		}
		if (open_markup(m, o, &stack[*depth], here) < 0)
			return -1;
		(*depth)++;
	}
	return 0;
}

/* Closes n of the markups open on stack, the last first; never more than are open. */
static void close_markups(struct mdoc *m, const char **stack, size_t *depth, json_int_t n)
{
	for (; n > 0 && *depth > 0; n--) {
		(*depth)--;
		if (stack[*depth] != NULL)
			buf_printf(m->out, "</%s>", stack[*depth]);
	}
}

/*
 * A marker's content: text (type 0: value, escaped) or an atom (type 1:
 * value indexes "atoms"; a soft-return is <br>, another its text).  0,
 * or -1 with m->err set.
 */
static int marker_content(struct mdoc *m, json_int_t type, json_t *value, const char *here)
{
	if (type == 0 && json_is_string(value)) {
		escape_html(m->out, json_string_value(value), json_string_length(value));
		return 0;
	}
	if (type != 1) {
		diag_set(m->err, 0, "%s: a marker is text (0) or an atom (1)", here);
		return -1;
	}
	long long a = index_of(value, json_array_size(m->atoms));
	json_t *atom = a < 0 ? NULL : json_array_get(m->atoms, (size_t)a);
	const char *name = json_string_value(json_array_get(atom, 0));
	json_t *text = json_array_get(atom, 1);
	if (name == NULL) {
		diag_set(m->err, 0,
		         "%s: names an atom that is not in \"atoms\" as [name, text, payload]",
		         here);
		return -1;
	}
	if (strcmp(name, "soft-return") == 0)
		buf_puts(m->out, "<br>");
	else if (json_is_string(text))
		escape_html(m->out, json_string_value(text), json_string_length(text));
	return 0;
}

/* Renders the markers of one section or list item, closing what they leave open. */
static int render_markers(struct mdoc *m, json_t *markers, const char *where)
{
	const char *stack[MARKUP_DEPTH_MAX];
	size_t depth = 0, i;
	json_t *mk;
	char here[160];

	if (!json_is_array(markers)) {
		diag_set(m->err, 0, "%s: a list of markers was expected", where);
		return -1;
	}
	json_array_foreach(markers, i, mk)
	{
		snprintf(here, sizeof here, "%s[%zu]", where, i);
		json_t *type = json_array_get(mk, 0), *opens = json_array_get(mk, 1);
		json_t *closes = json_array_get(mk, 2), *value = json_array_get(mk, 3);
		if (!json_is_array(mk) || !json_is_integer(type) || !json_is_array(opens) ||
		    !json_is_integer(closes) || json_integer_value(closes) < 0) {
			diag_set(m->err, 0,
			         "%s: a marker is [type, [markups opened], markups closed, value]",
			         here);
			return -1;
		}
		if (open_markups(m, opens, stack, &depth, here) < 0 ||
		    marker_content(m, json_integer_value(type), value, here) < 0)
			return -1;
		/* Editors never close more than is open; if one did, stop at none. */
		close_markups(m, stack, &depth, json_integer_value(closes));
	}
	close_markups(m, stack, &depth, (json_int_t)depth);
	return 0;
}

/* A markup section: [1, tag, markers] (0.3.2 adds attributes: ignored); section_tags[] maps the
 * tag. */
static int markup_section(struct mdoc *m, json_t *s, size_t n, const char *where)
{
	const char *tag = json_string_value(json_array_get(s, 1)), *out = "p";
	json_t *markers = json_array_get(s, 2);
	char here[64];
	if (tag == NULL) {
		diag_set(m->err, 0, "%s: a markup section is [1, \"tag\", [markers]]", where);
		return -1;
	}
	for (size_t i = 0; i < GZ_ARRAY_LEN(section_tags); i++)
		if (strcasecmp(tag, section_tags[i].in) == 0)
			out = section_tags[i].out;
	if (json_array_size(markers) == 0 && json_is_array(markers))
		return 0; /* an empty line of the editor */
	buf_printf(m->out, "<%s>", out);
	snprintf(here, sizeof here, "sections[%zu][2]", n);
	if (render_markers(m, markers, here) < 0)
		return -1;
	buf_printf(m->out, "</%s>", out);
	return 0;
}

/* An image section: [2, src]. */
static int image_section(struct mdoc *m, json_t *s, const char *where)
{
	const char *src = json_string_value(json_array_get(s, 1));
	if (src == NULL) {
		diag_set(m->err, 0, "%s: an image section is [2, \"src\"]", where);
		return -1;
	}
	buf_puts(m->out, "<img");
	attr(m->out, "src", src);
	buf_puts(m->out, " alt=\"\">");
	return 0;
}

/* A list section: [3, tag, [[markers], ...]], an <ol> if tag says so, else a <ul>. */
static int list_section(struct mdoc *m, json_t *s, size_t n, const char *where)
{
	const char *tag = json_string_value(json_array_get(s, 1));
	json_t *items = json_array_get(s, 2), *item;
	size_t i;
	if (tag == NULL || !json_is_array(items)) {
		diag_set(m->err, 0, "%s: a list section is [3, \"ul\", [[markers], ...]]", where);
		return -1;
	}
	tag = strcasecmp(tag, "ol") == 0 ? "ol" : "ul";
	buf_printf(m->out, "<%s>", tag);
	json_array_foreach(items, i, item)
	{
		char here[64];
		snprintf(here, sizeof here, "sections[%zu][2][%zu]", n, i);
		buf_puts(m->out, "<li>");
		if (render_markers(m, item, here) < 0)
			return -1;
		buf_puts(m->out, "</li>");
	}
	buf_printf(m->out, "</%s>", tag);
	return 0;
}

/* A card section: [10, card index]; a card is [name, payload].  Unknown cards are noted. */
static int card_section(struct mdoc *m, json_t *s, const char *where)
{
	long long c = index_of(json_array_get(s, 1), json_array_size(m->cards));
	json_t *card = c < 0 ? NULL : json_array_get(m->cards, (size_t)c);
	const char *name = json_string_value(json_array_get(card, 0));
	if (name == NULL) {
		diag_set(m->err, 0, "%s: names a card that is not in \"cards\" as [name, payload]",
		         where);
		return -1;
	}
	if (!mobiledoc_card_render(name, json_array_get(card, 1), m->out))
		note_unknown(m->unknown, name);
	return 0;
}

static int render_section(struct mdoc *m, json_t *s, size_t n)
{
	char where[64];
	json_t *type = json_array_get(s, 0);

	snprintf(where, sizeof where, "sections[%zu]", n);
	if (!json_is_array(s) || !json_is_integer(type)) {
		diag_set(m->err, 0, "%s: a section is [type, ...]", where);
		return -1;
	}
	switch (json_integer_value(type)) {
	case 1: return markup_section(m, s, n, where);
	case 2: return image_section(m, s, where);
	case 3: return list_section(m, s, n, where);
	case 10: return card_section(m, s, where);
	default:
		diag_set(m->err, 0, "%s: section type %" JSON_INTEGER_FORMAT " is not Mobiledoc's",
		         where, json_integer_value(type));
		return -1;
	}
}

int mobiledoc_render(const char *json, size_t len, struct buf *out, json_t *unknown,
                     struct diag *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr);
	int rc = -1;

	if (doc == NULL) {
		diag_set(err, 0, "not JSON (column %d): %s", jerr.column, jerr.text);
		return -1;
	}
	const char *version = json_string_value(json_object_get(doc, "version"));
	if (!json_is_object(doc) || version == NULL) {
		diag_set(err, 0, "not Mobiledoc: no \"version\"");
		goto done;
	}
	if (strncmp(version, "0.3.", 4) != 0) {
		diag_set(err, 0, "Mobiledoc version %.20s is not supported (0.3.x is)", version);
		goto done;
	}

	struct mdoc m = {
	    .markups = json_object_get(doc, "markups"),
	    .atoms = json_object_get(doc, "atoms"),
	    .cards = json_object_get(doc, "cards"),
	    .unknown = unknown,
	    .out = out,
	    .err = err,
	};
	json_t *sections = json_object_get(doc, "sections"), *s;
	size_t i;
	if (!json_is_array(sections)) {
		diag_set(err, 0, "not Mobiledoc: no \"sections\" list");
		goto done;
	}
	json_array_foreach(sections, i, s)
	{
		if (render_section(&m, s, i) < 0)
			goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}
