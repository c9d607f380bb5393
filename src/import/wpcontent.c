/*
 * wpcontent.c: a WordPress post body made into the HTML its readers saw
 * (wpcontent.h says what each rule does).
 *
 * Two passes over the body.  The first handles what is written in
 * WordPress's own syntax: block comments, shortcodes ([caption], [embed],
 * the others kept as text) and URLs alone on a line.  The second is our
 * version of WordPress's wpautop(): a small tokenizer (text, tags,
 * comments, and elements whose text is copied whole: pre, script, style,
 * textarea, svg) feeds a state machine that opens and closes paragraphs
 * and turns single line ends into <br>.  WordPress does this with regular
 * expressions over the whole text and then repairs what they broke; a
 * state machine can keep the output well-formed instead: it knows which
 * paragraph it opened, which inline elements are open in it, and which
 * block elements enclose it.
 */
#include "wpcontent.h"

#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

/* How deep shortcodes may nest ([caption] content is converted again). */
#define SC_DEPTH_MAX 4
/* Attributes longer than this make "[name ..." text, not a shortcode. */
#define SC_ATTRS_MAX 4096
/* Open elements the paragraph machine keeps track of; more are passed through. */
#define INLINE_MAX 32
#define BLOCK_MAX  64

void wp_counts_add(struct wp_counts *c, const char *name, size_t len, unsigned n)
{
	len = utf8_cut(name, len, WP_NAME_MAX - 1);
	for (unsigned i = 0; i < c->len; i++) {
		if (strlen(c->items[i].name) == len && memcmp(c->items[i].name, name, len) == 0) {
			c->items[i].n += n;
			return;
		}
	}
	if (c->len == WP_COUNTS_MAX) {
		c->others += n;
		return;
	}
	memcpy(c->items[c->len].name, name, len);
	c->items[c->len].name[len] = '\0';
	c->items[c->len].n = n;
	c->len++;
}

void wp_counts_merge(struct wp_counts *to, const struct wp_counts *from)
{
	for (unsigned i = 0; i < from->len; i++)
		wp_counts_add(to, from->items[i].name, strlen(from->items[i].name),
		              from->items[i].n);
	to->others += from->others;
}

unsigned wp_counts_total(const struct wp_counts *c)
{
	unsigned n = c->others;
	for (unsigned i = 0; i < c->len; i++)
		n += c->items[i].n;
	return n;
}

/* ---- characters and character references ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* True if s[0..n) starts with the ASCII word w, in any case. */
static bool starts_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && strncasecmp(s, w, k) == 0;
}

static void put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(out, b, n);
}

/*
 * What browsers make of &#128; to &#159;: the characters Windows-1252 has
 * there (old posts pasted from word processors are full of &#146;), 0
 * where it has none.
 */
static const uint16_t cp1252[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static uint32_t numeric_char(uint32_t v)
{
	if (v >= 0x80 && v <= 0x9f)
		v = cp1252[v - 0x80];
	if (v == 0 || (v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v == 0x7f ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0xfffd;
	return v;
}

/*
 * The named character reference at s[0] == '&' (libxml2's table of HTML
 * 4's names; &apos; is XML's): the bytes it takes, or 0 if it is none.
 */
static size_t named_ref(const char *s, size_t n, uint32_t *cp)
{
	char name[32];
	size_t i = 1;

	while (i < n && i < sizeof name && is_alnum(s[i]))
		i++;
	if (i == 1 || i >= n || s[i] != ';' || i > sizeof name - 1)
		return 0;
	memcpy(name, s + 1, i - 1);
	name[i - 1] = '\0';
	if (strcmp(name, "apos") == 0) {
		*cp = '\'';
		return i + 1;
	}
	/* Deprecated in newer libxml2 but present in every version. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
#pragma GCC diagnostic pop
	if (e == NULL)
		return 0;
	*cp = e->value;
	return i + 1;
}

/* The character reference at s[0] == '&': the bytes it takes, or 0. */
static size_t char_ref(const char *s, size_t n, uint32_t *cp)
{
	if (n < 3)
		return 0;
	if (s[1] != '#')
		return named_ref(s, n, cp);

	size_t i = 2;
	bool hex = s[i] == 'x' || s[i] == 'X';
	uint32_t v = 0;
	if (hex)
		i++;
	size_t first = i;
	for (; i < n; i++) {
		unsigned d;
		if (is_digit(s[i]))
			d = (unsigned)(s[i] - '0');
		else if (hex && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (hex && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			break;
		v = v > 0x10ffff ? v : v * (hex ? 16 : 10) + d;
	}
	if (i == first || i >= n || s[i] != ';')
		return 0;
	*cp = numeric_char(v);
	return i + 1;
}

void wp_decode_entities(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, run = 0;

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		if (amp == NULL)
			break;
		i = (size_t)(amp - s);
		uint32_t cp;
		size_t used = char_ref(s + i, n - i, &cp);
		if (used == 0) {
			i++;
			continue;
		}
		buf_append(out, s + run, i - run);
		put_utf8(out, cp);
		i += used;
		run = i;
	}
	buf_append(out, s + run, n - run);
}

/* ---- elements ---- */

enum {
	EL_BLOCK = 1 << 0,    /* ends a paragraph; WordPress's list of block elements */
	EL_VOID = 1 << 1,     /* has no end tag */
	EL_RAW = 1 << 2,      /* its text is copied whole, up to its end tag */
	EL_NOBR = 1 << 3,     /* no <br> next to it (form options, media sources) */
	EL_PHRASING = 1 << 4, /* holds no paragraphs: a blank line in it is one line end */
	EL_OPTEND = 1 << 5,   /* its end tag may be left out (li, td, p, ...) */
	EL_CODE = 1 << 6,     /* code: no shortcodes inside */
};

/* Sorted by name for bsearch(); test_wpcontent.c checks the order. */
static const struct element {
	const char *name;
	unsigned flags;
} elements[] = {
    {"address", EL_BLOCK},
    {"area", EL_BLOCK | EL_VOID},
    {"article", EL_BLOCK},
    {"aside", EL_BLOCK},
    {"audio", EL_NOBR},
    {"base", EL_VOID},
    {"blockquote", EL_BLOCK},
    {"br", EL_VOID},
    {"caption", EL_BLOCK | EL_PHRASING | EL_OPTEND},
    {"code", EL_CODE},
    {"col", EL_BLOCK | EL_VOID},
    {"colgroup", EL_BLOCK | EL_OPTEND},
    {"datalist", EL_NOBR},
    {"dd", EL_BLOCK | EL_OPTEND},
    {"details", EL_BLOCK},
    {"div", EL_BLOCK},
    {"dl", EL_BLOCK},
    {"dt", EL_BLOCK | EL_PHRASING | EL_OPTEND},
    {"embed", EL_VOID | EL_NOBR},
    {"fieldset", EL_BLOCK},
    {"figcaption", EL_BLOCK},
    {"figure", EL_BLOCK},
    {"footer", EL_BLOCK},
    {"form", EL_BLOCK},
    {"h1", EL_BLOCK | EL_PHRASING},
    {"h2", EL_BLOCK | EL_PHRASING},
    {"h3", EL_BLOCK | EL_PHRASING},
    {"h4", EL_BLOCK | EL_PHRASING},
    {"h5", EL_BLOCK | EL_PHRASING},
    {"h6", EL_BLOCK | EL_PHRASING},
    {"header", EL_BLOCK},
    {"hgroup", EL_BLOCK},
    {"hr", EL_BLOCK | EL_VOID},
    {"img", EL_VOID},
    {"input", EL_VOID},
    {"legend", EL_BLOCK | EL_PHRASING},
    {"li", EL_BLOCK | EL_OPTEND},
    {"link", EL_VOID},
    {"main", EL_BLOCK},
    {"map", EL_BLOCK},
    {"math", EL_BLOCK},
    {"menu", EL_BLOCK},
    {"meta", EL_VOID},
    {"nav", EL_BLOCK},
    {"object", EL_NOBR},
    {"ol", EL_BLOCK},
    {"optgroup", EL_NOBR | EL_OPTEND},
    {"option", EL_NOBR | EL_OPTEND},
    {"p", EL_BLOCK | EL_PHRASING | EL_OPTEND},
    {"param", EL_VOID | EL_NOBR},
    {"picture", EL_NOBR},
    {"pre", EL_BLOCK | EL_RAW},
    {"script", EL_RAW},
    {"section", EL_BLOCK},
    {"select", EL_NOBR},
    {"source", EL_VOID | EL_NOBR},
    {"style", EL_BLOCK | EL_RAW},
    {"summary", EL_BLOCK | EL_PHRASING},
    {"svg", EL_RAW},
    {"table", EL_BLOCK},
    {"tbody", EL_BLOCK | EL_OPTEND},
    {"td", EL_BLOCK | EL_OPTEND},
    {"textarea", EL_RAW},
    {"tfoot", EL_BLOCK | EL_OPTEND},
    {"th", EL_BLOCK | EL_OPTEND},
    {"thead", EL_BLOCK | EL_OPTEND},
    {"tr", EL_BLOCK | EL_OPTEND},
    {"track", EL_VOID | EL_NOBR},
    {"ul", EL_BLOCK},
    {"video", EL_NOBR},
    {"wbr", EL_VOID},
};

static int element_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct element *)el)->name);
}

static unsigned element_flags(const char *name)
{
	const struct element *e =
	    bsearch(name, elements, GZ_ARRAY_LEN(elements), sizeof elements[0], element_cmp);
	return e ? e->flags : 0;
}

bool wp_elements_sorted(void)
{
	for (size_t i = 1; i < GZ_ARRAY_LEN(elements); i++)
		if (strcmp(elements[i - 1].name, elements[i].name) >= 0)
			return false;
	return true;
}

/* A start or end tag. */
struct tag {
	size_t end;    /* just past its '>' */
	char name[16]; /* lowercased, cut to 15 bytes */
	bool close;    /* </name> */
	bool empty;    /* <name ... /> */
};

static char lower_ascii(char c)
{
	if (is_alpha(c))
		return (char)(c | 0x20);
	return c;
}

/* Reads the tag name at s[*j] into t->name (lowercased, cut to 15 bytes), *j moved past it. */
static void tag_name(const char *s, size_t len, size_t *j, struct tag *t)
{
	size_t k = 0;
	for (; *j < len && (is_alnum(s[*j]) || s[*j] == '-' || s[*j] == ':' || s[*j] == '_');
	     (*j)++) {
		if (k < sizeof t->name - 1)
			t->name[k++] = lower_ascii(s[*j]);
	}
	t->name[k] = '\0';
}

/*
 * Finds the '>' that ends the tag whose attributes start at s[j], skipping
 * quoted attribute values: true with t->end and t->empty set; false if a
 * '<' or the end comes first.
 */
static bool tag_end(const char *s, size_t len, size_t j, struct tag *t)
{
	char quote = 0, last = 0;
	for (; j < len; j++) {
		char c = s[j];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if ((c == '"' || c == '\'') && last == '=') {
			quote = c;
		} else if (c == '>') {
			t->end = j + 1;
			t->empty = s[j - 1] == '/';
			return true;
		} else if (c == '<') {
			return false;
		}
		if (!is_space(c))
			last = c;
	}
	return false;
}

/*
 * Reads the tag that starts at s[i] == '<'.  False if none starts there:
 * no letter after '<' or '</', or no '>' before the next '<' outside
 * quoted attribute values.
 */
static bool read_tag(const char *s, size_t len, size_t i, struct tag *t)
{
	size_t j = i + 1;

	t->close = j < len && s[j] == '/';
	if (t->close)
		j++;
	if (j >= len || !is_alpha(s[j]))
		return false;
	tag_name(s, len, &j, t);
	if (j < len && !is_space(s[j]) && s[j] != '>' && s[j] != '/')
		return false;
	return tag_end(s, len, j, t);
}

/*
 * Where the element whose start tag ends at s[from] ends: just past its
 * end tag </name>, or len when it has none (*closed false).
 */
static size_t raw_end(const char *s, size_t len, size_t from, const char *name, bool *closed)
{
	size_t n = strlen(name);

	for (size_t i = from; i + 2 + n <= len; i++) {
		const char *lt = memchr(s + i, '<', len - i);
		if (lt == NULL)
			break;
		i = (size_t)(lt - s);
		if (i + 2 + n > len)
			break;
		if (s[i + 1] == '/' && strncasecmp(s + i + 2, name, n) == 0 &&
		    (i + 2 + n == len || s[i + 2 + n] == '>' || is_space(s[i + 2 + n]))) {
			const char *gt = memchr(s + i, '>', len - i);
			*closed = true;
			return gt ? (size_t)(gt - s) + 1 : len;
		}
	}
	*closed = false;
	return len;
}

/* Where the comment at s[i] ("<!--") ends, or 0 if it is not closed. */
static size_t comment_end(const char *s, size_t len, size_t i)
{
	for (size_t k = i + 4; k + 3 <= len; k++) {
		const char *dash = memchr(s + k, '-', len - k);
		if (dash == NULL)
			break;
		k = (size_t)(dash - s);
		if (k + 3 <= len && s[k + 1] == '-' && s[k + 2] == '>')
			return k + 3;
	}
	return 0;
}

/* ---- the first pass: WordPress's own syntax ---- */

struct closer {
	char name[65];
	const char *from;  /* searched from here... */
	const char *found; /* ...and found "[/name]" here, or NULL: none after from */
};

struct pass1 {
	struct buf *out;
	struct wp_counts *unknown;
	bool blocks;         /* Gutenberg block comments were seen */
	unsigned a_depth;    /* inside <a>: no links made */
	unsigned code_depth; /* inside <code>: no shortcodes */
	/*
	 * What earlier searches for "[/name]" found, so that a body with many
	 * "[name" and no closer is read in linear time.
	 */
	struct closer closers[8];
	unsigned next_closer;
};

static void pass1_run(struct pass1 *c, const char *s, size_t len, unsigned depth);

/*
 * Writes <a href="URL">URL</a> for the URL s[0..n) as the HTML has it:
 * its character references decoded, then escaped once.
 */
static void put_link(struct buf *out, const char *s, size_t n)
{
	struct buf url = BUF_INIT;

	wp_decode_entities(s, n, &url);
	buf_puts(out, "<a href=\"");
	escape_html(out, url.data, url.len);
	buf_puts(out, "\">");
	escape_html(out, url.data, url.len);
	buf_puts(out, "</a>");
	buf_free(&url);
}

static bool is_url_byte(char c)
{
	return !is_space(c) && c != '<' && c != '>' && c != '"';
}

/*
 * WordPress's autoembed: is s[i..] blanks, an http(s) URL and blanks up to
 * the end of the line (in_p false) or up to "</p>" (in_p true, line ends
 * allowed)?  Sets [*u0, *u1) to the URL.
 */
static bool url_alone(const char *s, size_t len, size_t i, bool in_p, size_t *u0, size_t *u1)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || (in_p && is_space(s[i]))))
		i++;
	size_t scheme = starts_ci(s + i, len - i, "https://")  ? 8
	                : starts_ci(s + i, len - i, "http://") ? 7
	                                                       : 0;
	if (scheme == 0)
		return false;
	*u0 = i;
	i += scheme;
	while (i < len && is_url_byte(s[i]))
		i++;
	if (i == *u0 + scheme)
		return false;
	*u1 = i;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || (in_p && is_space(s[i]))))
		i++;
	if (in_p)
		return starts_ci(s + i, len - i, "</p>");
	return i == len || s[i] == '\n';
}

/*
 * The comment at s[i]: block comments ("wp:...") and the breaks more,
 * nextpage and noteaser are dropped, others copied; an unterminated one
 * makes its '<' text.  Returns where the text goes on.
 */
static size_t pass1_comment(struct pass1 *c, const char *s, size_t len, size_t i)
{
	static const char *const breaks[] = {"more", "nextpage", "noteaser"};
	size_t end = comment_end(s, len, i);
	if (end == 0) {
		buf_puts(c->out, "&lt;");
		return i + 1;
	}
	const char *in = s + i + 4, *stop = s + end - 3;
	while (in < stop && is_space(*in))
		in++;
	size_t n = (size_t)(stop - in);
	if (starts_ci(in, n, "wp:") || starts_ci(in, n, "/wp:")) {
		c->blocks = true;
		return end;
	}
	for (size_t k = 0; k < GZ_ARRAY_LEN(breaks); k++) {
		size_t bl = strlen(breaks[k]);
		if (starts_ci(in, n, breaks[k]) && (n == bl || is_space(in[bl])))
			return end;
	}
	buf_append(c->out, s + i, end - i);
	return end;
}

/* One more open element for a start tag, one fewer for an end tag (never below none). */
static void count_depth(unsigned *depth, bool close)
{
	if (!close)
		(*depth)++;
	else if (*depth > 0)
		(*depth)--;
}

/*
 * The tag t at s[i]: copied, with the element whole when it is one copied
 * whole (EL_RAW, closed if its end tag is missing); the <a> and <code>
 * depths counted; a <p> holding only a URL (outside links and code) made
 * a link.  Returns where the text goes on.
 */
static size_t pass1_tag(struct pass1 *c, const char *s, size_t len, size_t i, const struct tag *t)
{
	unsigned flags = element_flags(t->name);
	if (!t->close && (flags & EL_RAW)) {
		bool closed;
		size_t end = raw_end(s, len, t->end, t->name, &closed);
		buf_append(c->out, s + i, end - i);
		if (!closed)
			buf_printf(c->out, "</%s>", t->name);
		return end;
	}
	buf_append(c->out, s + i, t->end - i);
	if (t->empty)
		return t->end;
	if (flags & EL_CODE)
		count_depth(&c->code_depth, t->close);
	if (strcmp(t->name, "a") == 0)
		count_depth(&c->a_depth, t->close);
	size_t u0, u1;
	if (!t->close && strcmp(t->name, "p") == 0 && c->a_depth == 0 && c->code_depth == 0 &&
	    url_alone(s, len, t->end, true, &u0, &u1)) {
		buf_append(c->out, s + t->end, u0 - t->end);
		put_link(c->out, s + u0, u1 - u0);
		return u1;
	}
	return t->end;
}

/*
 * Copies the markup at s[i] == '<' (a tag, a comment, an element copied
 * whole) to the output, or drops it (block comments); returns where the
 * text goes on.
 */
static size_t pass1_markup(struct pass1 *c, const char *s, size_t len, size_t i)
{
	struct tag t;

	if (starts_ci(s + i, len - i, "<!--"))
		return pass1_comment(c, s, len, i);
	if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
		const char *gt = memchr(s + i, '>', len - i);
		if (gt == NULL) {
			buf_puts(c->out, "&lt;");
			return i + 1;
		}
		buf_append(c->out, s + i, (size_t)(gt - s) + 1 - i);
		return (size_t)(gt - s) + 1;
	}
	if (!read_tag(s, len, i, &t)) {
		buf_puts(c->out, "&lt;");
		return i + 1;
	}
	return pass1_tag(c, s, len, i, &t);
}

/* A shortcode as WordPress's get_shortcode_regex() reads one. */
struct shortcode {
	size_t name, name_len;
	size_t attrs, attrs_len; /* after the name, up to ']' or '/]' */
	size_t open_end;         /* just past the opening [name ...] */
	size_t content, content_len;
	size_t end;     /* just past all of it: the closer, the escape's ']' */
	bool enclosing; /* [name]content[/name] */
	bool escaped;   /* [[name]] */
};

/* The first "[/name]" at or after from in s[0..len), using and filling the cache. */
static const char *find_closer(struct pass1 *c, const char *s, size_t len, const char *from,
                               const char *name, size_t name_len, bool cache)
{
	struct closer *hit = NULL;

	if (cache) {
		for (size_t k = 0; k < GZ_ARRAY_LEN(c->closers); k++) {
			struct closer *e = &c->closers[k];
			if (strlen(e->name) == name_len && memcmp(e->name, name, name_len) == 0 &&
			    from >= e->from && (e->found == NULL || from <= e->found)) {
				return e->found;
			}
		}
	}

	const char *end = s + len, *found = NULL;
	for (const char *p = from; p + name_len + 3 <= end; p++) {
		p = memchr(p, '[', (size_t)(end - p));
		if (p == NULL || p + name_len + 3 > end)
			break;
		if (p[1] == '/' && memcmp(p + 2, name, name_len) == 0 && p[2 + name_len] == ']') {
			found = p;
			break;
		}
	}
	if (cache) {
		hit = &c->closers[c->next_closer];
		c->next_closer = (c->next_closer + 1) % GZ_ARRAY_LEN(c->closers);
		memcpy(hit->name, name, name_len);
		hit->name[name_len] = '\0';
		hit->from = from;
		hit->found = found;
	}
	return found;
}

/*
 * The rest of shortcode sc, whose opening [name ...] is read: its content
 * up to "[/name]" unless it closes itself, and the ']' that ends an
 * escaped one.  False if an escaped one lacks it ("[[name]": the '[' is
 * text, the shortcode starts after it).
 */
static bool shortcode_close(struct pass1 *c, const char *s, size_t len, bool cache,
                            bool self_closing, struct shortcode *sc)
{
	if (!self_closing) {
		const char *closer =
		    find_closer(c, s, len, s + sc->open_end, s + sc->name, sc->name_len, cache);
		if (closer != NULL) {
			sc->enclosing = true;
			sc->content = sc->open_end;
			sc->content_len = (size_t)(closer - s) - sc->open_end;
			sc->end = (size_t)(closer - s) + sc->name_len + 3;
		}
	}
	if (!sc->escaped)
		return true;
	if (sc->end < len && s[sc->end] == ']') {
		sc->end++;
		return true;
	}
	return false;
}

/* Reads the shortcode at s[i] == '['; false if none starts there. */
static bool read_shortcode(struct pass1 *c, const char *s, size_t len, size_t i, bool cache,
                           struct shortcode *sc)
{
	size_t j = i + 1;

	memset(sc, 0, sizeof *sc);
	sc->escaped = j < len && s[j] == '[';
	if (sc->escaped)
		j++;
	if (j >= len || !is_alpha(s[j]))
		return false;
	sc->name = j;
	while (j < len && (is_alnum(s[j]) || s[j] == '_' || s[j] == '-'))
		j++;
	sc->name_len = j - sc->name;
	if (j >= len || sc->name_len > 64 || (s[j] != ']' && s[j] != '/' && !is_space(s[j])))
		return false;
	sc->attrs = j;
	while (j < len && s[j] != ']') {
		if (s[j] == '[' || s[j] == '<' || j - sc->attrs > SC_ATTRS_MAX)
			return false;
		j++;
	}
	if (j >= len)
		return false;
	sc->attrs_len = j - sc->attrs;
	bool self_closing = sc->attrs_len > 0 && s[j - 1] == '/';
	if (self_closing)
		sc->attrs_len--;
	sc->open_end = sc->end = j + 1;
	return shortcode_close(c, s, len, cache, self_closing, sc);
}

/* Is this "[name ...]" a shortcode (see wp_content_html()) and not text like "[sic]"? */
static bool looks_like_shortcode(const char *s, const struct shortcode *sc)
{
	static const char *const core[] = {"audio",    "caption", "embed",     "gallery",
	                                   "playlist", "video",   "wp_caption"};
	const char *name = s + sc->name;

	if (sc->enclosing || memchr(s + sc->attrs, '=', sc->attrs_len) != NULL ||
	    memchr(name, '-', sc->name_len) != NULL || memchr(name, '_', sc->name_len) != NULL)
		return true;
	for (size_t k = 0; k < GZ_ARRAY_LEN(core); k++)
		if (strlen(core[k]) == sc->name_len && memcmp(core[k], name, sc->name_len) == 0)
			return true;
	return false;
}

/* A shortcode's attribute: its key s[k0..k1) and its value s[v0..v1). */
struct sc_pair {
	size_t k0, k1;
	size_t v0, v1;
};

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && is_space(s[i]))
		i++;
	return i;
}

/* Reads the value at s[*i] (quoted with " or ', or up to a space), *i moved past it. */
static void sc_value(const char *s, size_t n, size_t *i, struct sc_pair *p)
{
	if (*i < n && (s[*i] == '"' || s[*i] == '\'')) {
		const char *q = memchr(s + *i + 1, s[*i], n - *i - 1);
		p->v0 = *i + 1;
		p->v1 = q ? (size_t)(q - s) : n;
		*i = q ? p->v1 + 1 : n;
		return;
	}
	p->v0 = *i;
	while (*i < n && !is_space(s[*i]))
		(*i)++;
	p->v1 = *i;
}

/*
 * Reads the attribute at s[*i..n) (after any blanks), *i moved past it:
 * true for a key=value pair, false for a positional value or a key alone.
 */
static bool sc_next_attr(const char *s, size_t n, size_t *i, struct sc_pair *p)
{
	*i = skip_spaces(s, n, *i);
	p->k0 = *i;
	if (*i < n && (s[*i] == '"' || s[*i] == '\'')) { /* a positional value */
		const char *q = memchr(s + *i + 1, s[*i], n - *i - 1);
		*i = q ? (size_t)(q - s) + 1 : n;
		return false;
	}
	while (*i < n && !is_space(s[*i]) && s[*i] != '=')
		(*i)++;
	p->k1 = *i;
	*i = skip_spaces(s, n, *i);
	if (*i >= n || s[*i] != '=')
		return false;
	*i = skip_spaces(s, n, *i + 1);
	sc_value(s, n, i, p);
	return true;
}

/*
 * The value of attribute key in a shortcode's attributes s[0..n)
 * (key="v", key='v' or key=v, as shortcode_parse_atts() reads them).
 */
static bool sc_attr(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t i = 0, klen = strlen(key);

	while (i < n) {
		struct sc_pair p;
		if (sc_next_attr(s, n, &i, &p) && p.k1 - p.k0 == klen &&
		    strncasecmp(s + p.k0, key, klen) == 0) {
			*v = s + p.v0;
			*vn = p.v1 - p.v0;
			return true;
		}
	}
	return false;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* Runs the first pass over a part of the body, with the <a> and <code> depths of its own. */
static void pass1_part(struct pass1 *c, const char *s, size_t len, unsigned depth)
{
	unsigned a = c->a_depth, code = c->code_depth;

	c->a_depth = c->code_depth = 0;
	pass1_run(c, s, len, depth);
	c->a_depth = a;
	c->code_depth = code;
}

/*
 * [caption]: the image (in its link, with anything before it) and the
 * text after it, or the caption="" attribute.  False to keep it as text.
 */
static bool put_caption(struct pass1 *c, const char *s, const struct shortcode *sc, unsigned depth)
{
	const char *content = s + sc->content, *align = "alignnone", *cap, *v;
	size_t n = sc->content_len, align_len = strlen(align), cap_len, vn, image_len;
	struct tag t;

	if (!sc->enclosing)
		return false;
	if (sc_attr(s + sc->attrs, sc->attrs_len, "align", &v, &vn) && vn > 0) {
		align = v;
		align_len = vn;
	}
	if (sc_attr(s + sc->attrs, sc->attrs_len, "caption", &cap, &cap_len)) {
		image_len = n;
	} else {
		/* img_caption_shortcode(): the first image, in its link, and the text after it. */
		image_len = 0;
		for (size_t k = 0; k + 4 <= n; k++) {
			if (starts_ci(content + k, n - k, "<img") && read_tag(content, n, k, &t) &&
			    strcmp(t.name, "img") == 0) {
				image_len = t.end;
				break;
			}
		}
		size_t k = image_len;
		while (k < n && is_space(content[k]))
			k++;
		if (image_len == 0) {
			pass1_part(c, content, n, depth + 1);
			return true;
		}
		if (starts_ci(content + k, n - k, "</a>"))
			image_len = k + 4;
		cap = content + image_len;
		cap_len = n - image_len;
	}
	trim(&cap, &cap_len);
	if (cap_len == 0) {
		pass1_part(c, content, n, depth + 1);
		return true;
	}
	const char *image = content;
	trim(&image, &image_len);
	buf_puts(c->out, "<figure class=\"wp-caption ");
	escape_html(c->out, align, align_len);
	buf_puts(c->out, "\">");
	pass1_part(c, image, image_len, depth + 1);
	buf_puts(c->out, "<figcaption>");
	pass1_part(c, cap, cap_len, depth + 1);
	buf_puts(c->out, "</figcaption></figure>");
	return true;
}

/* [embed]URL[/embed] or [embed src="URL"]: a link.  False to keep it as text. */
static bool put_embed(struct pass1 *c, const char *s, const struct shortcode *sc)
{
	const char *url = s + sc->content;
	size_t n = sc->content_len, u0, u1;

	trim(&url, &n);
	if (n == 0 && !sc_attr(s + sc->attrs, sc->attrs_len, "src", &url, &n))
		return false;
	if (!url_alone(url, n, 0, false, &u0, &u1) || u1 != n)
		return false;
	put_link(c->out, url, n);
	return true;
}

/*
 * Handles the shortcode at s[i] == '['; returns where the text goes on, or
 * 0 if there is none and the '[' is text.
 */
static size_t pass1_shortcode(struct pass1 *c, const char *s, size_t len, size_t i, unsigned depth)
{
	struct shortcode sc;

	if (!read_shortcode(c, s, len, i, depth == 0, &sc) || !looks_like_shortcode(s, &sc))
		return 0;
	if (sc.escaped) {
		buf_append(c->out, s + i + 1, sc.end - i - 2);
		return sc.end;
	}
	const char *name = s + sc.name;
	bool is = false;
	if (depth < SC_DEPTH_MAX) {
		if ((sc.name_len == 7 && memcmp(name, "caption", 7) == 0) ||
		    (sc.name_len == 10 && memcmp(name, "wp_caption", 10) == 0))
			is = put_caption(c, s, &sc, depth);
		else if (sc.name_len == 5 && memcmp(name, "embed", 5) == 0)
			is = put_embed(c, s, &sc);
	}
	if (is)
		return sc.end;
	/* Kept as text; an enclosing one's content is read on as usual. */
	if (c->unknown)
		wp_counts_add(c->unknown, name, sc.name_len, 1);
	buf_append(c->out, s + i, sc.open_end - i);
	return sc.open_end;
}

static void pass1_run(struct pass1 *c, const char *s, size_t len, unsigned depth)
{
	size_t i = 0, run = 0, next, u0, u1;

	while (i < len) {
		char ch = s[i];
		if (ch == '<') {
			buf_append(c->out, s + run, i - run);
			i = run = pass1_markup(c, s, len, i);
			continue;
		}
		if (ch == '[' && c->code_depth == 0) {
			buf_append(c->out, s + run, i - run);
			run = i;
			if ((next = pass1_shortcode(c, s, len, i, depth)) != 0) {
				i = run = next;
				continue;
			}
		}
		if ((i == 0 || s[i - 1] == '\n') &&
		    (ch == 'h' || ch == 'H' || ch == ' ' || ch == '\t') && c->a_depth == 0 &&
		    c->code_depth == 0 && url_alone(s, len, i, false, &u0, &u1)) {
			buf_append(c->out, s + run, u0 - run);
			put_link(c->out, s + u0, u1 - u0);
			i = run = u1;
			continue;
		}
		i++;
	}
	buf_append(c->out, s + run, len - run);
}

/* ---- the second pass: paragraphs and line breaks ---- */

enum prev {
	PREV_START,  /* nothing yet, or a block element's tag, or a paragraph break */
	PREV_INLINE, /* text or an inline element */
	PREV_BR,     /* a <br> */
	PREV_NOBR,   /* an element no <br> goes next to */
};

enum inl_state {
	INL_OUTER,   /* opened outside any paragraph of ours */
	INL_OPEN,    /* opened in the open paragraph */
	INL_CARRIED, /* its paragraph ended: closed there, opened again in the next one */
};

struct autop {
	struct buf *out;
	bool para;      /* a <p> of ours is open */
	bool wrap;      /* inline content here starts a paragraph */
	enum prev prev; /* what came last */
	unsigned nl;    /* line ends in the whitespace not yet written */
	bool space;     /* other whitespace there */
	bool br;        /* a <br> not yet written: a second one makes a paragraph break */
	struct {
		char name[16];
		const char *tag; /* its start tag, to open it again */
		size_t tag_len;
		enum inl_state state;
	} inl[INLINE_MAX];
	unsigned ninl;
	struct {
		char name[16];
		unsigned ninl; /* inline elements open when it started */
	} blk[BLOCK_MAX];
	unsigned nblk;
};

static void end_line(struct autop *a)
{
	if (a->out->len > 0 && a->out->data[a->out->len - 1] != '\n')
		buf_putc(a->out, '\n');
}

static void para_open(struct autop *a)
{
	end_line(a);
	buf_puts(a->out, "<p>");
	for (unsigned k = 0; k < a->ninl; k++) {
		if (a->inl[k].state == INL_CARRIED) {
			buf_append(a->out, a->inl[k].tag, a->inl[k].tag_len);
			a->inl[k].state = INL_OPEN;
		}
	}
	a->para = true;
}

static void para_close(struct autop *a)
{
	for (unsigned k = a->ninl; k-- > 0;) {
		if (a->inl[k].state == INL_OPEN) {
			buf_printf(a->out, "</%s>", a->inl[k].name);
			a->inl[k].state = INL_CARRIED;
		}
	}
	buf_puts(a->out, "</p>");
	a->para = false;
}

/* The innermost block element (NULL at the top) and its flags. */
static const char *top_block(const struct autop *a, unsigned *flags)
{
	if (a->nblk == 0) {
		*flags = 0;
		return NULL;
	}
	*flags = element_flags(a->blk[a->nblk - 1].name);
	return a->blk[a->nblk - 1].name;
}

/* Does inline content start a paragraph after a block element ends or a blank line? */
static bool wraps_here(const struct autop *a)
{
	unsigned flags;
	top_block(a, &flags);
	return !(flags & EL_PHRASING);
}

enum next {
	NEXT_INLINE, /* text or an inline element's start tag: may start a paragraph */
	NEXT_CLOSE,  /* an inline element's end tag, a comment: never starts one */
	NEXT_BLOCK,  /* a block element's tag */
	NEXT_END,    /* the end of the body */
};

/*
 * A blank line before inline content: it closes the open paragraph, splits
 * the author's <p>, or lets a paragraph start after a block; true when it
 * did one of those.  False in a heading or the like, which has no
 * paragraphs.
 */
static bool blank_line(struct autop *a)
{
	unsigned flags;
	const char *top = top_block(a, &flags);
	if (a->para) {
		para_close(a);
		a->wrap = true;
		a->prev = PREV_START;
		end_line(a);
		return true;
	}
	if (top && strcmp(top, "p") == 0 && a->ninl == a->blk[a->nblk - 1].ninl) {
		buf_puts(a->out, "</p>\n<p>"); /* the author's paragraph, split */
		a->prev = PREV_START;
		return true;
	}
	if (!(flags & EL_PHRASING)) {
		a->wrap = true;
		a->prev = PREV_START;
		end_line(a);
		return true;
	}
	return false;
}

/*
 * Writes the whitespace (and <br>) waiting before the next piece, by the
 * rules of line breaks and paragraphs.
 */
static void flush_ws(struct autop *a, enum next next, bool next_nobr)
{
	unsigned nl = a->nl;
	bool space = a->space, br = a->br;

	a->nl = 0;
	a->space = false;
	a->br = false;
	if (next == NEXT_BLOCK || next == NEXT_END) {
		if (nl > 0 && !a->para)
			end_line(a);
		return; /* a <br> or line end before a block is dropped */
	}
	if (br) {
		if (!a->para && a->wrap && next == NEXT_INLINE)
			para_open(a);
		buf_puts(a->out, "<br>");
		a->prev = PREV_BR;
	}
	if (nl >= 2) {
		if (blank_line(a))
			return;
		nl = 1; /* in a heading or the like: one line end */
	}
	if (!a->para && a->wrap && next == NEXT_INLINE)
		return; /* a paragraph starts: whitespace before it is dropped */
	if (nl == 1) {
		if (a->prev == PREV_INLINE && !next_nobr)
			buf_puts(a->out, "<br>\n");
		else if (a->prev != PREV_START || !a->para)
			buf_putc(a->out, '\n');
	} else if (space && a->prev != PREV_START) {
		buf_putc(a->out, ' ');
	}
}

/* Text, or an inline element's start tag (whole, for script and the like). */
static void inline_piece(struct autop *a, const char *s, size_t n, bool nobr)
{
	flush_ws(a, NEXT_INLINE, nobr);
	if (!a->para && a->wrap)
		para_open(a);
	buf_append(a->out, s, n);
	a->prev = nobr ? PREV_NOBR : PREV_INLINE;
}

static void inline_start(struct autop *a, const char *s, const struct tag *t, unsigned flags)
{
	inline_piece(a, s, t->end, flags & EL_NOBR);
	if ((flags & EL_VOID) || t->empty || a->ninl == INLINE_MAX)
		return;
	memcpy(a->inl[a->ninl].name, t->name, sizeof t->name);
	a->inl[a->ninl].tag = s;
	a->inl[a->ninl].tag_len = t->end;
	a->inl[a->ninl].state = a->para ? INL_OPEN : INL_OUTER;
	a->ninl++;
}

/* Closes (in the output) the inline elements from index k up, innermost first. */
static void close_inline_from(struct autop *a, unsigned k)
{
	while (a->ninl > k) {
		a->ninl--;
		if (a->inl[a->ninl].state != INL_CARRIED)
			buf_printf(a->out, "</%s>", a->inl[a->ninl].name);
	}
}

static void inline_end(struct autop *a, const char *s, const struct tag *t, unsigned flags)
{
	flush_ws(a, NEXT_CLOSE, flags & EL_NOBR);
	unsigned k = a->ninl;
	while (k > 0 && strcmp(a->inl[k - 1].name, t->name) != 0)
		k--;
	if (k == 0) {
		buf_append(a->out, s, t->end); /* not ours to check */
	} else {
		k--;
		if (a->inl[k].state == INL_OUTER && a->para)
			para_close(a); /* it was open before our paragraph began */
		bool carried = a->inl[k].state == INL_CARRIED;
		close_inline_from(a, k + 1);
		a->ninl = k;
		if (!carried)
			buf_append(a->out, s, t->end);
	}
	a->prev = (flags & EL_NOBR) ? PREV_NOBR : PREV_INLINE;
}

/* A block element's start or end tag, or a whole <pre> or <style> (raw). */
static void block_tag(struct autop *a, const char *s, size_t n, const struct tag *t, bool raw)
{
	unsigned flags = element_flags(t->name);

	flush_ws(a, NEXT_BLOCK, false);
	if (a->para) {
		para_close(a);
		end_line(a);
	}
	if (t->close) {
		unsigned k = a->nblk;
		while (k > 0 && strcmp(a->blk[k - 1].name, t->name) != 0)
			k--;
		if (k > 0) {
			close_inline_from(a, a->blk[k - 1].ninl);
			a->nblk = k - 1;
		}
	}
	buf_append(a->out, s, n);
	if (!t->close && !raw && !(flags & EL_VOID) && !t->empty && a->nblk < BLOCK_MAX) {
		memcpy(a->blk[a->nblk].name, t->name, sizeof t->name);
		a->blk[a->nblk].ninl = a->ninl;
		a->nblk++;
		a->wrap = strcmp(t->name, "blockquote") == 0;
	} else {
		a->wrap = wraps_here(a);
	}
	a->prev = PREV_START;
}

static void br_tag(struct autop *a)
{
	if (a->br) { /* <br> <br>: a paragraph break */
		a->br = false;
		a->nl = 2;
		return;
	}
	flush_ws(a, NEXT_INLINE, true);
	a->br = true;
}

/* A comment, <!DOCTYPE ...> or <?...?>: written where it is, changes nothing. */
static void neutral(struct autop *a, const char *s, size_t n)
{
	flush_ws(a, NEXT_CLOSE, false);
	buf_append(a->out, s, n);
}

static void text(struct autop *a, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (is_space(s[i])) {
			if (s[i] == '\n')
				a->nl++;
			else
				a->space = true;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_space(s[j]))
			j++;
		inline_piece(a, s + i, j - i, false);
		i = j;
	}
}

static void autop_finish(struct autop *a)
{
	flush_ws(a, NEXT_END, false);
	if (a->para)
		para_close(a);
	/*
	 * What the author left open, innermost first.  An element whose end
	 * tag may be left out (<li>, <p>) was closed by the next one of its
	 * name: <li>a<li>b gets one </li>, not two.
	 */
	while (a->nblk > 0) {
		a->nblk--;
		close_inline_from(a, a->blk[a->nblk].ninl);
		const char *name = a->blk[a->nblk].name;
		bool implied = false;
		if (element_flags(name) & EL_OPTEND)
			for (unsigned k = 0; k < a->nblk && !implied; k++)
				implied = strcmp(a->blk[k].name, name) == 0;
		if (!implied)
			buf_printf(a->out, "</%s>", name);
	}
	close_inline_from(a, 0);
	while (a->out->len > 0 && is_space(a->out->data[a->out->len - 1]))
		a->out->len--;
	if (a->out->data)
		a->out->data[a->out->len] = '\0';
}

/*
 * The tag t at s[i], given to the writer by its kind: an element copied
 * whole, a block element's tag, <br>, or an inline element's start or end
 * tag.  Returns where the text goes on.
 */
static size_t autop_tag(struct autop *a, const char *s, size_t len, size_t i, const struct tag *t)
{
	unsigned flags = element_flags(t->name);
	if (!t->close && (flags & EL_RAW)) {
		bool closed;
		size_t end = raw_end(s, len, t->end, t->name, &closed);
		if (flags & EL_BLOCK)
			block_tag(a, s + i, end - i, t, true);
		else
			inline_piece(a, s + i, end - i, false);
		return end;
	}
	if (flags & EL_BLOCK) {
		block_tag(a, s + i, t->end - i, t, false);
	} else if (!t->close && strcmp(t->name, "br") == 0) {
		br_tag(a);
	} else {
		struct tag rel = *t; /* its end counted from s + i */
		rel.end = t->end - i;
		if (t->close)
			inline_end(a, s + i, &rel, flags);
		else
			inline_start(a, s + i, &rel, flags);
	}
	return t->end;
}

/*
 * The markup at s[i] == '<': comments, declarations and processing
 * instructions stay as they are, a '<' that starts no tag is text, a tag
 * goes to autop_tag().  Returns where the text goes on.
 */
static size_t autop_markup(struct autop *a, const char *s, size_t len, size_t i)
{
	struct tag t;
	size_t end;
	if (starts_ci(s + i, len - i, "<!--")) {
		end = comment_end(s, len, i);
		end = end ? end : len;
		neutral(a, s + i, end - i);
		return end;
	}
	if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
		const char *gt = memchr(s + i, '>', len - i);
		end = gt ? (size_t)(gt - s) + 1 : len;
		neutral(a, s + i, end - i);
		return end;
	}
	if (!read_tag(s, len, i, &t)) {
		inline_piece(a, "&lt;", 4, false);
		return i + 1;
	}
	return autop_tag(a, s, len, i, &t);
}

static void autop(const char *s, size_t len, struct buf *out)
{
	struct autop a;
	struct buf own = BUF_INIT;
	size_t i = 0;

	memset(&a, 0, sizeof a);
	/* The caller's buffer may hold text already: end_line() must not look at it. */
	a.out = &own;
	a.wrap = true;
	a.prev = PREV_START;
	while (i < len) {
		if (s[i] != '<') {
			const char *lt = memchr(s + i, '<', len - i);
			size_t j = lt ? (size_t)(lt - s) : len;
			text(&a, s + i, j - i);
			i = j;
			continue;
		}
		i = autop_markup(&a, s, len, i);
	}
	autop_finish(&a);
	buf_append(out, own.data, own.len);
	buf_free(&own);
}

/*
 * A body with Gutenberg blocks keeps its HTML as it is, but the comments
 * dropped leave blank lines behind: runs of whitespace with a blank line
 * in them become one line end, except in elements copied whole (<pre>).
 */
static void tidy_blocks(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, run = 0;
	struct tag t;

	trim(&s, &len);
	while (i < len) {
		if (s[i] == '<' && read_tag(s, len, i, &t) && !t.close &&
		    (element_flags(t.name) & EL_RAW)) {
			bool closed;
			i = raw_end(s, len, t.end, t.name, &closed);
			continue;
		}
		if (!is_space(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		unsigned nl = 0;
		while (j < len && is_space(s[j]))
			nl += s[j++] == '\n';
		if (nl >= 2) {
			buf_append(out, s + run, i - run);
			buf_putc(out, '\n');
			run = j;
		}
		i = j;
	}
	buf_append(out, s + run, len - run);
}

/* ---- the public functions ---- */

void wp_content_html(const char *src, size_t len, struct buf *out, struct wp_counts *unknown)
{
	struct buf norm = BUF_INIT, mid = BUF_INIT;
	struct pass1 c;

	if (len == 0)
		return;
	if (memchr(src, '\r', len) != NULL) {
		for (size_t i = 0; i < len; i++) {
			if (src[i] != '\r')
				buf_putc(&norm, src[i]);
			else if (i + 1 >= len || src[i + 1] != '\n')
				buf_putc(&norm, '\n');
		}
		src = norm.data;
		len = norm.len;
	}

	memset(&c, 0, sizeof c);
	c.out = &mid;
	c.unknown = unknown;
	pass1_run(&c, src, len, 0);

	if (c.blocks && mid.len > 0) {
		tidy_blocks(mid.data, mid.len, out);
	} else if (mid.len > 0) {
		autop(mid.data, mid.len, out);
	}
	buf_free(&mid);
	buf_free(&norm);
}

/*
 * For wp_html_text(): the comment or tag at src[i] == '<' skipped, with
 * the content of an element copied whole but <pre>'s; a block element's
 * tag or <br> sets *space.  Returns where the text goes on, or i if no
 * markup starts there.
 */
static size_t text_skip_markup(const char *src, size_t len, size_t i, bool *space)
{
	struct tag t;
	if (starts_ci(src + i, len - i, "<!--")) {
		size_t end = comment_end(src, len, i);
		return end ? end : len;
	}
	if (!read_tag(src, len, i, &t))
		return i;
	unsigned flags = element_flags(t.name);
	size_t end = t.end;
	if (!t.close && (flags & EL_RAW) && strcmp(t.name, "pre") != 0) {
		bool closed;
		end = raw_end(src, len, t.end, t.name, &closed);
	}
	if ((flags & EL_BLOCK) || strcmp(t.name, "br") == 0)
		*space = true;
	return end;
}

void wp_html_text(const char *src, size_t len, struct buf *out)
{
	struct buf plain = BUF_INIT;
	bool space = false;
	size_t i = 0;

	while (i < len) {
		char c = src[i];
		size_t next = c == '<' ? text_skip_markup(src, len, i, &space) : i;
		if (next > i) {
			i = next;
			continue;
		}
		if (is_space(c)) {
			space = true;
		} else {
			if (space && plain.len > 0)
				buf_putc(&plain, ' ');
			space = false;
			buf_putc(&plain, c);
		}
		i++;
	}
	if (plain.len > 0)
		wp_decode_entities(plain.data, plain.len, out);
	buf_free(&plain);
}
