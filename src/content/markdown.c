/*
 * markdown.c: Markdown to safe HTML, plain text and an excerpt.
 *
 * md4c parses; this file writes.  md4c-html cannot be told to drop
 * dangerous URLs or to give headings ids, so the writer is our own and
 * every byte of user text goes through escape_html().  One pass over the
 * document fills three buffers (HTML, plain text, heading scratch); the
 * few per-document allocations are the buffers and the heading ids.
 */
#include "gazette/content/markdown.h"

#include <limits.h>
#include <md4c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/content/highlight.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

#define EXCERPT_MAX 300

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/*
 * Named entities: the HTML 4 set (what authors actually type) plus apos,
 * sorted by byte value for bsearch().  Anything else md4c reports as an
 * entity is shown literally.
 */
struct entity {
	char name[9];
	uint32_t cp;
};

static const struct entity entities[] = {
    {"AElig", 0xc6},     {"Aacute", 0xc1},   {"Acirc", 0xc2},     {"Agrave", 0xc0},
    {"Alpha", 0x391},    {"Aring", 0xc5},    {"Atilde", 0xc3},    {"Auml", 0xc4},
    {"Beta", 0x392},     {"Ccedil", 0xc7},   {"Chi", 0x3a7},      {"Dagger", 0x2021},
    {"Delta", 0x394},    {"ETH", 0xd0},      {"Eacute", 0xc9},    {"Ecirc", 0xca},
    {"Egrave", 0xc8},    {"Epsilon", 0x395}, {"Eta", 0x397},      {"Euml", 0xcb},
    {"Gamma", 0x393},    {"Iacute", 0xcd},   {"Icirc", 0xce},     {"Igrave", 0xcc},
    {"Iota", 0x399},     {"Iuml", 0xcf},     {"Kappa", 0x39a},    {"Lambda", 0x39b},
    {"Mu", 0x39c},       {"Ntilde", 0xd1},   {"Nu", 0x39d},       {"OElig", 0x152},
    {"Oacute", 0xd3},    {"Ocirc", 0xd4},    {"Ograve", 0xd2},    {"Omega", 0x3a9},
    {"Omicron", 0x39f},  {"Oslash", 0xd8},   {"Otilde", 0xd5},    {"Ouml", 0xd6},
    {"Phi", 0x3a6},      {"Pi", 0x3a0},      {"Prime", 0x2033},   {"Psi", 0x3a8},
    {"Rho", 0x3a1},      {"Scaron", 0x160},  {"Sigma", 0x3a3},    {"THORN", 0xde},
    {"Tau", 0x3a4},      {"Theta", 0x398},   {"Uacute", 0xda},    {"Ucirc", 0xdb},
    {"Ugrave", 0xd9},    {"Upsilon", 0x3a5}, {"Uuml", 0xdc},      {"Xi", 0x39e},
    {"Yacute", 0xdd},    {"Yuml", 0x178},    {"Zeta", 0x396},     {"aacute", 0xe1},
    {"acirc", 0xe2},     {"acute", 0xb4},    {"aelig", 0xe6},     {"agrave", 0xe0},
    {"alefsym", 0x2135}, {"alpha", 0x3b1},   {"amp", 0x26},       {"and", 0x2227},
    {"ang", 0x2220},     {"apos", 0x27},     {"aring", 0xe5},     {"asymp", 0x2248},
    {"atilde", 0xe3},    {"auml", 0xe4},     {"bdquo", 0x201e},   {"beta", 0x3b2},
    {"brvbar", 0xa6},    {"bull", 0x2022},   {"cap", 0x2229},     {"ccedil", 0xe7},
    {"cedil", 0xb8},     {"cent", 0xa2},     {"chi", 0x3c7},      {"circ", 0x2c6},
    {"clubs", 0x2663},   {"cong", 0x2245},   {"copy", 0xa9},      {"crarr", 0x21b5},
    {"cup", 0x222a},     {"curren", 0xa4},   {"dArr", 0x21d3},    {"dagger", 0x2020},
    {"darr", 0x2193},    {"deg", 0xb0},      {"delta", 0x3b4},    {"diams", 0x2666},
    {"divide", 0xf7},    {"eacute", 0xe9},   {"ecirc", 0xea},     {"egrave", 0xe8},
    {"empty", 0x2205},   {"emsp", 0x2003},   {"ensp", 0x2002},    {"epsilon", 0x3b5},
    {"equiv", 0x2261},   {"eta", 0x3b7},     {"eth", 0xf0},       {"euml", 0xeb},
    {"euro", 0x20ac},    {"exist", 0x2203},  {"fnof", 0x192},     {"forall", 0x2200},
    {"frac12", 0xbd},    {"frac14", 0xbc},   {"frac34", 0xbe},    {"frasl", 0x2044},
    {"gamma", 0x3b3},    {"ge", 0x2265},     {"gt", 0x3e},        {"hArr", 0x21d4},
    {"harr", 0x2194},    {"hearts", 0x2665}, {"hellip", 0x2026},  {"iacute", 0xed},
    {"icirc", 0xee},     {"iexcl", 0xa1},    {"igrave", 0xec},    {"image", 0x2111},
    {"infin", 0x221e},   {"int", 0x222b},    {"iota", 0x3b9},     {"iquest", 0xbf},
    {"isin", 0x2208},    {"iuml", 0xef},     {"kappa", 0x3ba},    {"lArr", 0x21d0},
    {"lambda", 0x3bb},   {"lang", 0x2329},   {"laquo", 0xab},     {"larr", 0x2190},
    {"lceil", 0x2308},   {"ldquo", 0x201c},  {"le", 0x2264},      {"lfloor", 0x230a},
    {"lowast", 0x2217},  {"loz", 0x25ca},    {"lrm", 0x200e},     {"lsaquo", 0x2039},
    {"lsquo", 0x2018},   {"lt", 0x3c},       {"macr", 0xaf},      {"mdash", 0x2014},
    {"micro", 0xb5},     {"middot", 0xb7},   {"minus", 0x2212},   {"mu", 0x3bc},
    {"nabla", 0x2207},   {"nbsp", 0xa0},     {"ndash", 0x2013},   {"ne", 0x2260},
    {"ni", 0x220b},      {"not", 0xac},      {"notin", 0x2209},   {"nsub", 0x2284},
    {"ntilde", 0xf1},    {"nu", 0x3bd},      {"oacute", 0xf3},    {"ocirc", 0xf4},
    {"oelig", 0x153},    {"ograve", 0xf2},   {"oline", 0x203e},   {"omega", 0x3c9},
    {"omicron", 0x3bf},  {"oplus", 0x2295},  {"or", 0x2228},      {"ordf", 0xaa},
    {"ordm", 0xba},      {"oslash", 0xf8},   {"otilde", 0xf5},    {"otimes", 0x2297},
    {"ouml", 0xf6},      {"para", 0xb6},     {"part", 0x2202},    {"permil", 0x2030},
    {"perp", 0x22a5},    {"phi", 0x3c6},     {"pi", 0x3c0},       {"piv", 0x3d6},
    {"plusmn", 0xb1},    {"pound", 0xa3},    {"prime", 0x2032},   {"prod", 0x220f},
    {"prop", 0x221d},    {"psi", 0x3c8},     {"quot", 0x22},      {"rArr", 0x21d2},
    {"radic", 0x221a},   {"rang", 0x232a},   {"raquo", 0xbb},     {"rarr", 0x2192},
    {"rceil", 0x2309},   {"rdquo", 0x201d},  {"real", 0x211c},    {"reg", 0xae},
    {"rfloor", 0x230b},  {"rho", 0x3c1},     {"rlm", 0x200f},     {"rsaquo", 0x203a},
    {"rsquo", 0x2019},   {"sbquo", 0x201a},  {"scaron", 0x161},   {"sdot", 0x22c5},
    {"sect", 0xa7},      {"shy", 0xad},      {"sigma", 0x3c3},    {"sigmaf", 0x3c2},
    {"sim", 0x223c},     {"spades", 0x2660}, {"sub", 0x2282},     {"sube", 0x2286},
    {"sum", 0x2211},     {"sup", 0x2283},    {"sup1", 0xb9},      {"sup2", 0xb2},
    {"sup3", 0xb3},      {"supe", 0x2287},   {"szlig", 0xdf},     {"tau", 0x3c4},
    {"there4", 0x2234},  {"theta", 0x3b8},   {"thetasym", 0x3d1}, {"thinsp", 0x2009},
    {"thorn", 0xfe},     {"tilde", 0x2dc},   {"times", 0xd7},     {"trade", 0x2122},
    {"uArr", 0x21d1},    {"uacute", 0xfa},   {"uarr", 0x2191},    {"ucirc", 0xfb},
    {"ugrave", 0xf9},    {"uml", 0xa8},      {"upsih", 0x3d2},    {"upsilon", 0x3c5},
    {"uuml", 0xfc},      {"weierp", 0x2118}, {"xi", 0x3be},       {"yacute", 0xfd},
    {"yen", 0xa5},       {"yuml", 0xff},     {"zeta", 0x3b6},     {"zwj", 0x200d},
    {"zwnj", 0x200c},
};

/* Heading ids already given out, so that a repeated heading gets "-2", "-3"... */
struct id_slot {
	char *id; /* owned by the set; NULL for a free slot */
	size_t len;
	unsigned next; /* the suffix to try when this id is wanted again */
};

struct id_set {
	struct id_slot *slots;
	size_t cap; /* 0 or a power of two, at most half full */
	size_t count;
};

struct render {
	struct buf html;
	struct buf text;
	struct buf head_html; /* the open heading: its id needs all of its text first */
	struct buf head_text;
	struct buf attr;     /* an attribute with its entities decoded */
	struct buf kept;     /* a URL without what browsers ignore inside it */
	struct buf url;      /* a URL as it will be written, before HTML escaping */
	struct buf rewritten; /* a URL as opts->rewrite_url gives it */
	struct buf img_src;   /* the open image's URL, for opts->img_attrs */
	const struct md_options *opts; /* never NULL */
	unsigned images;     /* images written so far, for opts->img_attrs */
	bool raw_html;       /* raw HTML was kept */
	struct buf code;     /* the open code block's text, written when it ends */
	bool in_code;
	bool code_nul; /* the last code text was a NUL */
	const struct hl_lang *code_lang; /* its language, NULL for plain text */
	struct hl_opts code_opts;        /* its fence attributes (line numbers...) */
	struct buf *out;     /* html, or head_html inside a heading */
	unsigned level;      /* of the open heading, 0 outside one */
	unsigned depth;      /* open blocks, the document included */
	unsigned alt_depth;  /* open images: their text is alt text and their spans are dropped */
	bool alt_img;        /* the outermost open image was written as <img> */
	bool text_break;     /* a block began or ended since the last plain text */
	unsigned char *owed; /* per open span outside images: 1 if a closing tag is owed */
	size_t nowed;
	size_t owed_cap;
	struct id_set ids;
	size_t para_start; /* offset in text of the open paragraph */
	bool para_top;
	size_t exc_start; /* the excerpt paragraph, as offsets in text */
	size_t exc_end;
	int exc_rank; /* 0: none yet, 1: a nested paragraph, 2: a top-level one */
};

static const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

static bool ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Width of the blank at s[i] (ASCII whitespace or U+00A0), 0 if there is none. */
static size_t blank_width(const unsigned char *s, size_t i, size_t n)
{
	if (ascii_space(s[i]))
		return 1;
	if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0xa0)
		return 2;
	return 0;
}

static unsigned count_words(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned words = 0;
	bool in_word = false;

	for (size_t i = 0; i < n;) {
		size_t w = blank_width(s, i, n);
		if (w > 0) {
			in_word = false;
			i += w;
			continue;
		}
		if (!in_word)
			words++;
		in_word = true;
		i++;
	}
	return words;
}

static size_t utf8_encode(char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int entity_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entity *)a)->name, ((const struct entity *)b)->name);
}

/*
 * "&#60;" and "&#x3C;": CommonMark turns 0, surrogates and anything past
 * U+10FFFF into U+FFFD.  Returns 0 if s is not a numeric reference.
 */
static size_t numeric_decode(const char *s, size_t n, char out[4])
{
	bool hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
	size_t i = hex ? 3 : 2;
	uint32_t cp = 0;

	if (i >= n - 1)
		return 0;
	for (; i < n - 1; i++) {
		int d = hex_digit(s[i]);
		if (d < 0 || (!hex && d > 9))
			return 0;
		if (cp <= 0x10ffff) /* stop before it can wrap; it is invalid anyway */
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
	}
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	return utf8_encode(out, cp);
}

/*
 * Decodes one entity as md4c reports it ("&amp;", "&#60;", "&#x3C;") into
 * out.  Returns the length of the UTF-8 in out, 0 for a name we do not know
 * (the caller then shows the text as it was written).
 */
static size_t entity_decode(const char *s, size_t n, char out[4])
{
	struct entity key;

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		return 0;
	if (s[1] == '#')
		return numeric_decode(s, n, out);
	if (n - 2 >= sizeof(key.name))
		return 0;
	memcpy(key.name, s + 1, n - 2);
	key.name[n - 2] = '\0';
	const struct entity *e =
	    bsearch(&key, entities, GZ_ARRAY_LEN(entities), sizeof(entities[0]), entity_cmp);
	return e ? utf8_encode(out, e->cp) : 0;
}

/*
 * Appends s[0..n) to plain text as valid UTF-8: invalid bytes and control
 * characters other than tab, CR and LF become U+FFFD, as escape_html()
 * does for the HTML, so that the text can go into JSON and the search
 * index as it is.
 */
static void plain_append(struct buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		size_t start = i;
		while (i < n && s[i] >= 0x20 && s[i] < 0x7f)
			i++;
		if (i > start)
			buf_append(b, s + start, i - start);
		if (i >= n)
			break;
		unsigned char c = s[i];
		size_t len = utf8_seq_len(c);
		if (c == '\t' || c == '\n' || c == '\r') {
			buf_putc(b, (char)c);
		} else if (c < 0x80 || len == 1 || i + len > n || !utf8_valid(str + i, len)) {
			buf_append(b, replacement, 3);
			len = 1;
		} else {
			buf_append(b, s + i, len);
		}
		i += len;
	}
}

/* Plain text: one '\n' between blocks, whatever their nesting. */
static void put_text(struct render *r, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (r->text_break && r->text.len > 0 && r->text.data[r->text.len - 1] != '\n')
		buf_putc(&r->text, '\n');
	r->text_break = false;
	plain_append(&r->text, s, n);
	if (r->level > 0)
		plain_append(&r->head_text, s, n);
}

/* Text that is both shown and searched. */
static void put_both(struct render *r, const char *s, size_t n)
{
	escape_html(r->out, s, n);
	put_text(r, s, n);
}

/* Leaves the attribute's value in r->attr, entities decoded and NULs replaced. */
static void attr_decode(struct render *r, const MD_ATTRIBUTE *a)
{
	buf_reset(&r->attr);
	if (a->size == 0)
		return;
	for (size_t i = 0; a->substr_offsets[i] < a->size; i++) {
		const char *s = a->text + a->substr_offsets[i];
		size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
		char dec[4];
		size_t dlen;

		switch (a->substr_types[i]) {
		case MD_TEXT_NULLCHAR: buf_append(&r->attr, replacement, 3); break;
		case MD_TEXT_ENTITY:
			dlen = entity_decode(s, n, dec);
			if (dlen > 0)
				buf_append(&r->attr, dec, dlen);
			else
				buf_append(&r->attr, s, n);
			break;
		default: buf_append(&r->attr, s, n); break;
		}
	}
}

/* Writes ` name="value"` for the decoded attribute a, if it is not empty. */
static void put_attr(struct render *r, const char *name, const MD_ATTRIBUTE *a)
{
	attr_decode(r, a);
	if (r->attr.len == 0)
		return;
	buf_putc(r->out, ' ');
	buf_puts(r->out, name);
	buf_puts(r->out, "=\"");
	escape_html(r->out, r->attr.data, r->attr.len);
	buf_putc(r->out, '"');
}

/* What browsers ignore in a URL: leading and trailing C0 controls and spaces. */
static bool url_ignored_edge(unsigned char c)
{
	return c <= 0x20;
}

/* ... and tab, CR and LF anywhere in it. */
static bool url_ignored_inner(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

static bool scheme_char(unsigned char c, bool first)
{
	bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (first)
		return alpha;
	return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/*
 * A ':' before any '/', '?' or '#' makes the part before it a scheme; it
 * must then be a well-formed one from the list.  Anything odd there
 * ("java%73cript", "java script", a non-ASCII letter) is refused rather
 * than guessed at: a real relative path never puts a ':' there (RFC 3986
 * 4.2 says to write "./a:b").
 */
bool md_url_is_safe(const char *url, size_t len)
{
	static const char *const allowed[] = {"http", "https", "mailto"};
	const unsigned char *s = (const unsigned char *)url;
	char scheme[8];
	size_t slen = 0;
	bool well_formed = true;
	size_t i = 0;

	while (i < len && url_ignored_edge(s[i]))
		i++;
	for (; i < len; i++) {
		unsigned char c = s[i];
		if (url_ignored_inner(c))
			continue;
		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true;
		if (!scheme_char(c, slen == 0))
			well_formed = false;
		if (slen < sizeof(scheme))
			scheme[slen] =
			    (char)(c | 0x20); /* lower case for the letters that matter */
		slen++;
	}
	if (i == len)
		return true; /* no scheme: a relative path */
	if (!well_formed || slen == 0 || slen >= sizeof(scheme))
		return false;
	for (size_t k = 0; k < GZ_ARRAY_LEN(allowed); k++) {
		if (strlen(allowed[k]) == slen && memcmp(allowed[k], scheme, slen) == 0)
			return true;
	}
	return false;
}

/* RFC 3986 unreserved and reserved characters: kept as they are in a URL. */
/*
 * Writes the URL in r->attr as an attribute value: what browsers would
 * strip is removed (so the page says what md_url_is_safe() checked),
 * other bytes a URL may not hold are percent-encoded, an existing %XX is
 * kept, and the result is escaped.
 */
static void put_url(struct render *r, const char *tag, const char *attr)
{
	const unsigned char *s = (const unsigned char *)r->attr.data;
	size_t n = r->attr.len;
	size_t i = 0;

	while (i < n && url_ignored_edge(s[i]))
		i++;
	while (n > i && url_ignored_edge(s[n - 1]))
		n--;
	/* What browsers would strip inside goes first, then the URL is made valid. */
	buf_reset(&r->kept);
	for (; i < n; i++)
		if (!url_ignored_inner(s[i]))
			buf_putc(&r->kept, (char)s[i]);
	buf_reset(&r->url);
	escape_url_whole(&r->url, r->kept.data ? r->kept.data : "", r->kept.len);
	buf_reset(&r->rewritten);
	if (r->opts->rewrite_url &&
	    r->opts->rewrite_url(r->opts->ctx, tag, attr, r->url.data ? r->url.data : "",
	                         r->url.len, &r->rewritten) &&
	    md_url_is_safe(r->rewritten.data ? r->rewritten.data : "", r->rewritten.len)) {
		buf_reset(&r->url);
		escape_url_whole(&r->url, r->rewritten.data ? r->rewritten.data : "",
		                 r->rewritten.len);
	}
	escape_html(r->out, r->url.data, r->url.len);
}

static struct id_slot *id_find(struct id_set *set, const char *id, size_t len)
{
	size_t mask = set->cap - 1;
	size_t i = (size_t)hash_bytes(GZ_HASH_INIT, id, len) & mask;

	while (set->slots[i].id &&
	       !(set->slots[i].len == len && memcmp(set->slots[i].id, id, len) == 0))
		i = (i + 1) & mask;
	return &set->slots[i];
}

/* Makes room for one more id. */
static void id_reserve(struct id_set *set)
{
	if ((set->count + 1) * 2 <= set->cap)
		return;
	struct id_slot *old = set->slots;
	size_t old_cap = set->cap;
	set->cap = old_cap ? old_cap * 2 : 16;
	set->slots = xcalloc(set->cap, sizeof(*set->slots));
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].id)
			*id_find(set, old[i].id, old[i].len) = old[i];
	}
	free(old);
}

/* Adds id, which is not in the set yet and which the set owns from now on. */
static void id_add(struct id_set *set, char *id, size_t len)
{
	id_reserve(set);
	struct id_slot *slot = id_find(set, id, len);
	slot->id = id;
	slot->len = len;
	slot->next = 2;
	set->count++;
}

/*
 * Returns a heading id not given out yet, made from base (a slug, which
 * the set takes over): base itself, then base-2, base-3...  The owner is
 * the set.  Each id remembers its next suffix, so that a thousand equal
 * headings cost a thousand look-ups, not half a million.
 */
static const char *id_claim(struct id_set *set, char *base, struct buf *scratch)
{
	size_t len = strlen(base);

	if (len == 0) {
		free(base);
		base = xstrdup("section");
		len = strlen(base);
	}
	id_reserve(set);
	struct id_slot *slot = id_find(set, base, len);
	if (!slot->id) {
		id_add(set, base, len);
		return base;
	}
	free(base);
	unsigned n = slot->next;
	for (;; n++) {
		buf_reset(scratch);
		buf_printf(scratch, "%.*s-%u", (int)slot->len, slot->id, n);
		if (!id_find(set, scratch->data, scratch->len)->id)
			break;
	}
	slot->next = n + 1;
	char *id = xstrndup(scratch->data, scratch->len);
	id_add(set, id, scratch->len); /* may move slot, not the strings */
	return id;
}

static void id_set_free(struct id_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i].id);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

static void enter_heading(struct render *r, const MD_BLOCK_H_DETAIL *d)
{
	r->level = d->level >= 1 && d->level <= 6 ? d->level : 6;
	buf_reset(&r->head_html);
	buf_reset(&r->head_text);
	r->out = &r->head_html;
}

static void leave_heading(struct render *r)
{
	char *slug = slug_from_text(buf_str(&r->head_text), r->head_text.len);
	const char *id = id_claim(&r->ids, slug, &r->url); /* url is free between links */

	r->out = &r->html;
	buf_printf(&r->html, "<h%u id=\"", r->level);
	escape_html(&r->html, id, strlen(id));
	buf_append(&r->html, "\">", 2);
	buf_append(&r->html, buf_str(&r->head_html), r->head_html.len);
	buf_printf(&r->html, "</h%u>\n", r->level);
	r->level = 0;
}

/*
 * A code block: <pre> can scroll, so it is focusable and named for
 * keyboard and screen-reader users ("Code: Rust"); <code> keeps the
 * fence's first word as its class.  The text is collected and highlighted
 * when the block ends (leave_code), with the fence's attributes.
 */
static void enter_code(struct render *r, const MD_BLOCK_CODE_DETAIL *d)
{
	attr_decode(r, &d->lang);
	r->code_lang = hl_lang_find(r->attr.data, r->attr.len);
	buf_puts(r->out, "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code");
	if (r->code_lang) {
		buf_puts(r->out, ": ");
		buf_puts(r->out, hl_lang_label(r->code_lang));
	}
	buf_puts(r->out, "\"><code");
	if (r->attr.len > 0) {
		buf_puts(r->out, " class=\"language-");
		escape_html(r->out, r->attr.data, r->attr.len);
		buf_putc(r->out, '"');
	}
	buf_putc(r->out, '>');
	attr_decode(r, &d->info);
	hl_opts_parse(r->attr.data ? r->attr.data : "", r->attr.len, &r->code_opts);
	buf_reset(&r->code);
	r->in_code = true;
}

static void leave_code(struct render *r)
{
	hl_render(r->out, r->code_lang, r->code.data, r->code.len, &r->code_opts);
	buf_puts(r->out, "</code></pre>\n");
	r->in_code = false;
}

static void enter_cell(struct render *r, const char *tag, const MD_BLOCK_TD_DETAIL *d)
{
	static const char *const align[] = {
	    [MD_ALIGN_LEFT] = "left",
	    [MD_ALIGN_CENTER] = "center",
	    [MD_ALIGN_RIGHT] = "right",
	};

	buf_putc(r->out, '<');
	buf_puts(r->out, tag);
	if (d->align > MD_ALIGN_DEFAULT && d->align <= MD_ALIGN_RIGHT)
		buf_printf(r->out, " style=\"text-align:%s\"", align[d->align]);
	buf_putc(r->out, '>');
}

static void enter_item(struct render *r, const MD_BLOCK_LI_DETAIL *d)
{
	if (!d->is_task) {
		buf_puts(r->out, "<li>");
		return;
	}
	buf_puts(r->out, "<li class=\"task\"><input type=\"checkbox\" disabled");
	if (d->task_mark == 'x' || d->task_mark == 'X')
		buf_puts(r->out, " checked");
	buf_puts(r->out, "> ");
}

/*
 * The excerpt is the first top-level paragraph with a word in it; a
 * paragraph inside a quote or a list only stands in when there is none.
 */
static void leave_paragraph(struct render *r)
{
	int rank = r->para_top ? 2 : 1;

	if (r->exc_rank >= rank)
		return;
	if (count_words(buf_str(&r->text) + r->para_start, r->text.len - r->para_start) == 0)
		return;
	r->exc_rank = rank;
	r->exc_start = r->para_start;
	r->exc_end = r->text.len;
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct render *r = userdata;

	r->text_break = true;
	switch (type) {
	case MD_BLOCK_QUOTE: buf_puts(r->out, "<blockquote>\n"); break;
	case MD_BLOCK_UL: buf_puts(r->out, "<ul>\n"); break;
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;
		if (d->start == 1)
			buf_puts(r->out, "<ol>\n");
		else
			buf_printf(r->out, "<ol start=\"%u\">\n", d->start);
		break;
	}
	case MD_BLOCK_LI: enter_item(r, detail); break;
	case MD_BLOCK_HR: buf_puts(r->out, "<hr>\n"); break;
	case MD_BLOCK_H: enter_heading(r, detail); break;
	case MD_BLOCK_CODE: enter_code(r, detail); break;
	case MD_BLOCK_P:
		buf_puts(r->out, "<p>");
		/* Break now, so that the paragraph's own text starts at para_start. */
		if (r->text.len > 0 && r->text.data[r->text.len - 1] != '\n')
			buf_putc(&r->text, '\n');
		r->text_break = false;
		r->para_start = r->text.len;
		r->para_top = r->depth == 1;
		break;
	case MD_BLOCK_TABLE: buf_puts(r->out, "<table>\n"); break;
	case MD_BLOCK_THEAD: buf_puts(r->out, "<thead>\n"); break;
	case MD_BLOCK_TBODY: buf_puts(r->out, "<tbody>\n"); break;
	case MD_BLOCK_TR: buf_puts(r->out, "<tr>\n"); break;
	case MD_BLOCK_TH: enter_cell(r, "th", detail); break;
	case MD_BLOCK_TD: enter_cell(r, "td", detail); break;
	default: /* the document, and raw HTML blocks (their text comes as MD_TEXT_HTML) */ break;
	}
	r->depth++;
	return 0;
}

static void leave_image(struct render *r, const MD_SPAN_IMG_DETAIL *d);

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	static const char *const close[] = {
	    [MD_BLOCK_QUOTE] = "</blockquote>\n",
	    [MD_BLOCK_UL] = "</ul>\n",
	    [MD_BLOCK_OL] = "</ol>\n",
	    [MD_BLOCK_LI] = "</li>\n",
	    [MD_BLOCK_P] = "</p>\n",
	    [MD_BLOCK_TABLE] = "</table>\n",
	    [MD_BLOCK_THEAD] = "</thead>\n",
	    [MD_BLOCK_TBODY] = "</tbody>\n",
	    [MD_BLOCK_TR] = "</tr>\n",
	    [MD_BLOCK_TH] = "</th>\n",
	    [MD_BLOCK_TD] = "</td>\n",
	};
	struct render *r = userdata;

	/*
	 * Spans never cross blocks, but md4c 0.4.8 can leave an image inside
	 * odd nested brackets unclosed (found by fuzzing): end its alt text
	 * here rather than leave an attribute open.
	 */
	if (r->alt_depth > 0) {
		r->alt_depth = 0;
		leave_image(r, NULL);
	}
	r->depth--;
	r->text_break = true;
	if (type == MD_BLOCK_H) {
		leave_heading(r);
		return 0;
	}
	if (type == MD_BLOCK_P)
		leave_paragraph(r);
	if (type == MD_BLOCK_CODE) {
		leave_code(r);
		return 0;
	}
	if ((size_t)type < GZ_ARRAY_LEN(close) && close[type])
		buf_puts(r->out, close[type]);
	return 0;
}

static void owe_push(struct render *r, bool owed)
{
	if (r->nowed == r->owed_cap) {
		r->owed_cap = r->owed_cap ? r->owed_cap * 2 : 16;
		r->owed = xrealloc(r->owed, r->owed_cap);
	}
	r->owed[r->nowed++] = owed;
}

static bool owe_pop(struct render *r)
{
	return r->nowed > 0 && r->owed[--r->nowed];
}

/* An unsafe link keeps its text and loses the <a>. */
static bool enter_link(struct render *r, const MD_SPAN_A_DETAIL *d)
{
	attr_decode(r, &d->href);
	if (!md_url_is_safe(r->attr.data, r->attr.len))
		return false;
	buf_puts(r->out, "<a href=\"");
	put_url(r, "a", "href");
	buf_putc(r->out, '"');
	put_attr(r, "title", &d->title);
	buf_putc(r->out, '>');
	return true;
}

/* An image's text becomes its alt attribute; an unsafe image is only that text. */
static void enter_image(struct render *r, const MD_SPAN_IMG_DETAIL *d)
{
	attr_decode(r, &d->src);
	r->alt_depth = 1;
	r->alt_img = md_url_is_safe(r->attr.data, r->attr.len);
	if (!r->alt_img)
		return;
	buf_puts(r->out, "<img src=\"");
	put_url(r, "img", "src");
	buf_reset(&r->img_src);
	buf_append(&r->img_src, r->url.data ? r->url.data : "", r->url.len);
	buf_puts(r->out, "\" alt=\"");
}

static void leave_image(struct render *r, const MD_SPAN_IMG_DETAIL *d)
{
	if (!r->alt_img)
		return;
	buf_putc(r->out, '"');
	if (d)
		put_attr(r, "title", &d->title);
	if (r->opts->img_attrs)
		r->opts->img_attrs(r->opts->ctx, r->img_src.data ? r->img_src.data : "",
		                   r->img_src.len, r->images, false, false, r->out);
	else
		buf_puts(r->out, " loading=\"lazy\"");
	r->images++;
	buf_putc(r->out, '>');
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	static const char *const open[] = {
	    [MD_SPAN_EM] = "<em>",
	    [MD_SPAN_STRONG] = "<strong>",
	    [MD_SPAN_CODE] = "<code>",
	    [MD_SPAN_DEL] = "<del>",
	};
	struct render *r = userdata;

	if (r->alt_depth > 0) {
		/* Alt text is text: nested markup is dropped, images counted to find the end. */
		if (type == MD_SPAN_IMG)
			r->alt_depth++;
		return 0;
	}
	if (type == MD_SPAN_IMG) {
		enter_image(r, detail);
	} else if (type == MD_SPAN_A) {
		owe_push(r, enter_link(r, detail));
	} else if ((size_t)type < GZ_ARRAY_LEN(open) && open[type]) {
		buf_puts(r->out, open[type]);
		owe_push(r, true);
	} else {
		owe_push(r, false); /* extensions we do not enable */
	}
	return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	static const char *const close[] = {
	    [MD_SPAN_EM] = "</em>",     [MD_SPAN_STRONG] = "</strong>", [MD_SPAN_A] = "</a>",
	    [MD_SPAN_CODE] = "</code>", [MD_SPAN_DEL] = "</del>",
	};
	struct render *r = userdata;

	if (r->alt_depth > 0) {
		if (type == MD_SPAN_IMG && --r->alt_depth == 0)
			leave_image(r, detail);
		return 0;
	}
	if (owe_pop(r) && (size_t)type < GZ_ARRAY_LEN(close) && close[type])
		buf_puts(r->out, close[type]);
	return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *userdata)
{
	struct render *r = userdata;
	char dec[4];
	size_t dlen;

	if (r->in_code) {
		/*
		 * Code is text (md4c reports no entities in it): collected as it
		 * is.  md4c 0.4.8 reports a NUL in a code block twice, as
		 * MD_TEXT_NULLCHAR and again as the first byte of the next text:
		 * that byte is dropped, so one NUL gives one U+FFFD.
		 */
		bool was_nul = r->code_nul;
		r->code_nul = type == MD_TEXT_NULLCHAR;
		if (type == MD_TEXT_NULLCHAR) {
			s = replacement;
			n = 3;
		} else if (was_nul && n > 0 && s[0] == '\0') {
			s++;
			n--;
		}
		buf_append(&r->code, s, n);
		put_text(r, s, n);
		return 0;
	}
	switch (type) {
	case MD_TEXT_NULLCHAR: put_both(r, replacement, 3); break;
	case MD_TEXT_BR:
		buf_puts(r->out, r->alt_depth > 0 ? " " : "<br>\n");
		put_text(r, "\n", 1);
		break;
	case MD_TEXT_SOFTBR:
		buf_putc(r->out, r->alt_depth > 0 ? ' ' : '\n');
		put_text(r, " ", 1);
		break;
	case MD_TEXT_ENTITY:
		dlen = entity_decode(s, n, dec);
		if (dlen > 0)
			put_both(r, dec, dlen);
		else
			put_both(r, s, n);
		break;
	case MD_TEXT_HTML:
		/* Kept as written only where asked: the caller sanitizes it. */
		if (r->opts->raw_html && r->alt_depth == 0) {
			buf_append(r->out, s, n);
			r->raw_html = true;
			break;
		}
		put_both(r, s, n);
		break;
	default: /* normal text and code */
		put_both(r, s, n);
		break;
	}
	return 0;
}

/* The excerpt paragraph, blanks as spaces, cut after a word near EXCERPT_MAX bytes. */
static char *make_excerpt(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	bool cut = false;

	while (n > 0 && ascii_space((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && ascii_space((unsigned char)s[n - 1]))
		n--;
	if (n > EXCERPT_MAX) {
		size_t end = EXCERPT_MAX;
		while (end > 0 && !ascii_space((unsigned char)s[end]))
			end--;
		if (end == 0) {
			/* One long word: cut it, but not inside a character. */
			end = EXCERPT_MAX;
			while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
				end--;
		}
		while (end > 0 && ascii_space((unsigned char)s[end - 1]))
			end--;
		n = end;
		cut = true;
	}
	buf_append(&b, s, n);
	for (size_t i = 0; i < b.len; i++) {
		if (ascii_space((unsigned char)b.data[i]))
			b.data[i] = ' ';
	}
	if (cut)
		buf_puts(&b, "\xe2\x80\xa6"); /* … */
	return buf_detach(&b, NULL);
}

static void render_free(struct render *r)
{
	buf_free(&r->html);
	buf_free(&r->text);
	buf_free(&r->head_html);
	buf_free(&r->head_text);
	buf_free(&r->attr);
	buf_free(&r->kept);
	buf_free(&r->url);
	buf_free(&r->rewritten);
	buf_free(&r->img_src);
	buf_free(&r->code);
	free(r->owed);
	id_set_free(&r->ids);
}

char *md_excerpt_of(const char *text, size_t n)
{
	/* The first line with a word in it: HTML's blocks end in newlines there. */
	for (size_t i = 0; i < n;) {
		size_t len = 0;
		while (i + len < n && text[i + len] != '\n')
			len++;
		if (count_words(text + i, len) > 0)
			return make_excerpt(text + i, len);
		i += len + 1;
	}
	return xstrdup("");
}

int md_render(const char *src, size_t len, struct md_doc *out)
{
	return md_render_opts(src, len, NULL, out);
}

int md_render_opts(const char *src, size_t len, const struct md_options *opts,
                   struct md_doc *out)
{
	static const struct md_options plain = {0};
	opts = opts ? opts : &plain;
	const MD_PARSER parser = {
	    .abi_version = 0,
	    .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS |
	             (opts->raw_html ? 0 : MD_FLAG_NOHTML) | MD_FLAG_TASKLISTS,
	    .enter_block = on_enter_block,
	    .leave_block = on_leave_block,
	    .enter_span = on_enter_span,
	    .leave_span = on_leave_span,
	    .text = on_text,
	};
	struct render r;
	char *copy;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > UINT_MAX - 1)
		return -1; /* md4c sizes are unsigned int */
	/*
	 * md4c 0.4.8 reads the byte just past the input while it looks at an
	 * unfinished link at the very end: "[x](y" followed in memory by ')'
	 * gives a text callback billions of bytes long.  It parses a copy
	 * that ends in a NUL, whatever follows src.
	 */
	copy = xmalloc(len + 1);
	if (len > 0)
		memcpy(copy, src, len);
	copy[len] = '\0';
	memset(&r, 0, sizeof(r));
	r.out = &r.html;
	r.opts = opts;
	rc = md_parse(copy, (MD_SIZE)len, &parser, &r);
	free(copy);
	if (rc != 0) {
		render_free(&r);
		return -1;
	}

	out->excerpt = r.exc_rank > 0
	                   ? make_excerpt(r.text.data + r.exc_start, r.exc_end - r.exc_start)
	                   : xstrdup("");
	/* Code blocks end in '\n'; the text as a whole does not. */
	while (r.text.len > 0 && r.text.data[r.text.len - 1] == '\n')
		r.text.data[--r.text.len] = '\0';
	reading_count(r.text.data, r.text.len, &out->reading);
	out->raw_html = r.raw_html;
	out->html = buf_detach(&r.html, &out->html_len);
	out->text = buf_detach(&r.text, &out->text_len);
	render_free(&r);
	return 0;
}

void md_doc_free(struct md_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->html);
	free(doc->text);
	free(doc->excerpt);
	memset(doc, 0, sizeof(*doc));
}
