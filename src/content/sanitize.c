/*
 * sanitize.c: authors' raw HTML through gumbo's HTML5 parser, an allowlist
 * and a writer of our own (see sanitize.h for the contract).
 *
 * Three parts:
 *
 * 1. The parse.  gumbo builds the tree a browser would from the fragment
 *    (fragment parsing with <body> as the context: no quirks mode, so
 *    <table> closes an open <p>, as on gazette's pages, which have a
 *    doctype).  Its memory comes from an arena of our own (below).
 *
 * 2. The tables: what each element is (kept, dropped with its content, or
 *    unwrapped) and which attributes it may keep, with the rule each
 *    attribute's value must follow.
 *
 * 3. The writer walks the tree without recursion and writes what is kept.
 *    It keeps the stack of the elements it has opened and refuses, by
 *    unwrapping it, an element that the HTML parser would not put where
 *    the writer is about to (below: "Where an element may stand"), so that
 *    parsing the output gives back the tree that was written: sanitizing
 *    the output again changes nothing.
 */
#include "gazette/content/sanitize.h"

#include <gumbo.h>
#include <limits.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

/* ------------------------------------------------------------------ */
/* gumbo's memory                                                      */
/* ------------------------------------------------------------------ */

/*
 * gumbo allocates through callbacks.  Ours bump-allocate from chunks that
 * are freed all at once, for two reasons:
 *
 * - gumbo_destroy_output() frees the tree recursively, one C frame per
 *   level: 333,000 nested <span> (2 MB of input) overflow an 8 MB stack.
 *   Dropping the chunks takes no stack at all.
 * - gumbo does not check what its allocator returns.  A failed malloc
 *   longjmps out of the parse instead; every byte gumbo holds is in the
 *   chunks, so nothing leaks and gumbo keeps no other state.
 *
 * gumbo frees little while it parses (its tree is most of what it
 * allocates), except scratch vectors it frees right after allocating
 * them; a free of the latest allocation takes it back.
 */
struct chunk {
	struct chunk *next;
};

struct arena {
	struct chunk *chunks;
	char *top, *end;   /* free space of the current chunk */
	char *last;        /* the latest allocation from it, or NULL */
	size_t chunk_size; /* of the next chunk: doubles up to CHUNK_MAX */
	jmp_buf oom;
};

#define ARENA_ALIGN  alignof(max_align_t)
#define CHUNK_HEADER ((sizeof(struct chunk) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))
#define CHUNK_MIN    ((size_t)64 * 1024)
#define CHUNK_MAX    ((size_t)1024 * 1024)

static char *chunk_new(struct arena *a, size_t size)
{
	if (size > SIZE_MAX - CHUNK_HEADER)
		longjmp(a->oom, 1);
	/*
	 * Zeroed: libgumbo 0.10.1 reads memory it allocated before writing it
	 * (valgrind: a conditional jump on uninitialised memory, in
	 * gumbo_parse_with_options, for '<a href="x">a</a> and [b](c)' followed
	 * by a Markdown table; test_pages.py's hello.md).  Zeroed, that read is
	 * the same on every run.
	 */
	struct chunk *c = calloc(1, CHUNK_HEADER + size);
	if (c == NULL)
		longjmp(a->oom, 1);
	c->next = a->chunks;
	a->chunks = c;
	return (char *)c + CHUNK_HEADER;
}

static void *arena_alloc(void *userdata, size_t n)
{
	struct arena *a = userdata;

	if (n > SIZE_MAX - ARENA_ALIGN)
		longjmp(a->oom, 1);
	n = n == 0 ? ARENA_ALIGN : (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (n > CHUNK_MIN / 4) {
		/* A large block gets a chunk of its own; the current one goes on. */
		a->last = NULL;
		return chunk_new(a, n);
	}
	if ((size_t)(a->end - a->top) < n) {
		a->top = chunk_new(a, a->chunk_size);
		a->end = a->top + a->chunk_size;
		if (a->chunk_size < CHUNK_MAX)
			a->chunk_size *= 2;
	}
	a->last = a->top;
	a->top += n;
	return a->last;
}

/* cppcheck-suppress constParameter ; the type is gumbo's deallocator: void (*)(void *, void *) */
static void arena_free(void *userdata, void *p)
{
	struct arena *a = userdata;
	if (p != NULL && p == a->last) {
		a->top = a->last;
		a->last = NULL;
	}
}

static void arena_release(struct arena *a)
{
	while (a->chunks) {
		struct chunk *next = a->chunks->next;
		free(a->chunks);
		a->chunks = next;
	}
}

/* ------------------------------------------------------------------ */
/* The tables                                                          */
/* ------------------------------------------------------------------ */

enum attr_kind {
	AK_TEXT,       /* any text */
	AK_URL,        /* sanitize_url_allowed(), then policy->rewrite_url */
	AK_SRCSET,     /* candidates "URL [descriptors]", each URL as AK_URL */
	AK_IFRAME_SRC, /* https on a host of policy->iframe_hosts */
	AK_UINT,       /* a decimal number in [min, max] */
	AK_INT,        /* the same, with an optional '-' */
	AK_BOOL,       /* present or not; written name="" */
	AK_ENUM,       /* one of values, ASCII case ignored; written as listed */
	AK_ENUM_CASE,  /* one of values, case counts (<ol type>) */
	AK_LANG,       /* a language tag: letters, digits and '-' */
	AK_REL,        /* link types; <a target=_blank> adds noopener noreferrer */
};

struct attr_rule {
	const char *name; /* NULL ends a list */
	enum attr_kind kind;
	const char *const *values; /* AK_ENUM, AK_ENUM_CASE */
	long long min, max;        /* AK_UINT, AK_INT */
};

/* clang-format off */
#define TEXT(n)         {n, AK_TEXT, NULL, 0, 0}
#define URL(n)          {n, AK_URL, NULL, 0, 0}
#define SRCSET(n)       {n, AK_SRCSET, NULL, 0, 0}
#define BOOL(n)         {n, AK_BOOL, NULL, 0, 0}
#define ENUM(n, v)      {n, AK_ENUM, v, 0, 0}
#define UINT(n, lo, hi) {n, AK_UINT, NULL, lo, hi}
#define INT(n, lo, hi)  {n, AK_INT, NULL, lo, hi}
#define END             {NULL, AK_TEXT, NULL, 0, 0}
/* clang-format on */

/* Pixels: wider than any screen, small enough to be a sane number. */
#define PIXELS_MAX 100000

static const char *const dir_values[] = {"ltr", "rtl", "auto", NULL};
static const char *const target_values[] = {"_blank", "_self", "_parent", "_top", NULL};
static const char *const loading_values[] = {"lazy", "eager", NULL};
static const char *const decoding_values[] = {"sync", "async", "auto", NULL};
static const char *const preload_values[] = {"none", "metadata", "auto", NULL};
static const char *const kind_values[] = {"subtitles", "captions", "descriptions",
                                          "chapters",  "metadata", NULL};
static const char *const scope_values[] = {"row", "col", "rowgroup", "colgroup", NULL};
static const char *const ol_type_values[] = {"1", "a", "A", "i", "I", NULL};
static const char *const referrer_values[] = {"no-referrer",
                                              "no-referrer-when-downgrade",
                                              "origin",
                                              "origin-when-cross-origin",
                                              "same-origin",
                                              "strict-origin",
                                              "strict-origin-when-cross-origin",
                                              "unsafe-url",
                                              NULL};

/* Every kept element may have these. */
static const struct attr_rule global_attrs[] = {
    TEXT("title"),
    {"lang", AK_LANG, NULL, 0, 0},
    ENUM("dir", dir_values),
    TEXT("class"),
    TEXT("id"),
    END,
};

static const struct attr_rule a_attrs[] = {
    URL("href"),
    {"rel", AK_REL, NULL, 0, 0},
    ENUM("target", target_values),
    END,
};
static const struct attr_rule image_attrs[] = {
    URL("src"),
    SRCSET("srcset"),
    TEXT("alt"),
    UINT("width", 0, PIXELS_MAX),
    UINT("height", 0, PIXELS_MAX),
    ENUM("loading", loading_values),
    ENUM("decoding", decoding_values),
    TEXT("sizes"),
    END,
};
static const struct attr_rule source_attrs[] = {
    URL("src"), SRCSET("srcset"), TEXT("type"), TEXT("media"), TEXT("sizes"), END,
};
static const struct attr_rule video_attrs[] = {
    URL("src"),
    URL("poster"),
    BOOL("controls"),
    UINT("width", 0, PIXELS_MAX),
    UINT("height", 0, PIXELS_MAX),
    BOOL("loop"),
    BOOL("muted"),
    BOOL("playsinline"),
    ENUM("preload", preload_values),
    END,
};
static const struct attr_rule audio_attrs[] = {
    URL("src"), BOOL("controls"), BOOL("loop"), BOOL("muted"), ENUM("preload", preload_values), END,
};
static const struct attr_rule track_attrs[] = {
    URL("src"),    ENUM("kind", kind_values), {"srclang", AK_LANG, NULL, 0, 0},
    TEXT("label"), BOOL("default"),           END,
};
/*
 * What gazette's own Markdown writer adds, so that its pages come through
 * unchanged: a scrolling code block is focusable and labelled
 * (content/highlight.c), line numbers are hidden from screen readers, a
 * table column's alignment, and the disabled checkbox of a task list item.
 */
static const char *const zero_values[] = {"0", NULL};
static const char *const region_values[] = {"region", NULL};
static const char *const true_values[] = {"true", NULL};
static const char *const align_values[] = {"text-align:left", "text-align:center",
                                           "text-align:right", NULL};
static const char *const checkbox_values[] = {"checkbox", NULL};
static const struct attr_rule pre_attrs[] = {
    ENUM("tabindex", zero_values),
    ENUM("role", region_values),
    TEXT("aria-label"),
    END,
};
static const struct attr_rule span_attrs[] = {ENUM("aria-hidden", true_values), END};
static const struct attr_rule input_attrs[] = {
    ENUM("type", checkbox_values),
    BOOL("checked"),
    BOOL("disabled"),
    END,
};
/* Browsers clamp colspan to 1000 and rowspan to 65534. */
static const struct attr_rule cell_attrs[] = {
    UINT("colspan", 1, 1000),
    UINT("rowspan", 0, 65534),
    TEXT("headers"),
    ENUM("scope", scope_values),
    ENUM("style", align_values),
    END,
};
static const struct attr_rule ol_attrs[] = {
    INT("start", INT_MIN, INT_MAX),
    BOOL("reversed"),
    {"type", AK_ENUM_CASE, ol_type_values, 0, 0},
    END,
};
static const struct attr_rule li_attrs[] = {INT("value", INT_MIN, INT_MAX), END};
static const struct attr_rule time_attrs[] = {TEXT("datetime"), END};
static const struct attr_rule edit_attrs[] = {URL("cite"), TEXT("datetime"), END};
static const struct attr_rule quote_attrs[] = {URL("cite"), END};
static const struct attr_rule details_attrs[] = {BOOL("open"), END};
static const struct attr_rule col_attrs[] = {UINT("span", 1, 1000), END};


static const struct attr_rule iframe_attrs[] = {
    {"src", AK_IFRAME_SRC, NULL, 0, 0},
    UINT("width", 0, PIXELS_MAX),
    UINT("height", 0, PIXELS_MAX),
    TEXT("allow"),
    BOOL("allowfullscreen"),
    ENUM("loading", loading_values),
    ENUM("referrerpolicy", referrer_values),
    END,
};

/*
 * What an element is.  An element with neither KEEP nor DROP (every tag
 * not listed, and every unknown one) is unwrapped.  The other flags say
 * how the HTML parser treats the kept ones (WHATWG HTML, "tree
 * construction", as gumbo 0.10 does it), for "Where an element may stand".
 */
enum {
	EL_KEEP = 1 << 0,       /* on the allowlist */
	EL_DROP = 1 << 1,       /* goes with its content */
	EL_VOID = 1 << 2,       /* no content, no end tag */
	EL_CLOSES_P = 1 << 3,   /* its start tag closes a <p> open in button scope */
	EL_ENDS_ITEM = 1 << 4,  /* "special", not address/div/p: ends the <li>/<dd> search */
	EL_HEADING = 1 << 5,    /* h1-h6 */
	EL_SCOPE = 1 << 6,      /* caption, table, td, th: limits scopes, marks <a> */
	EL_TABLE_PART = 1 << 7, /* only inside its table parent */
};

struct el_rule {
	const char *name;
	unsigned flags;
	const struct attr_rule *attrs; /* besides global_attrs; NULL: none */
};

/* clang-format off */
#define KEEP(n, f, a) {n, EL_KEEP | (f), a}
#define DROP          {NULL, EL_DROP, NULL}
/* clang-format on */
#define BLOCK (EL_CLOSES_P | EL_ENDS_ITEM)

static const struct el_rule el_rules[GUMBO_TAG_LAST + 1] = {
    /* structure and text */
    [GUMBO_TAG_P] = KEEP("p", EL_CLOSES_P, NULL),
    [GUMBO_TAG_BR] = KEEP("br", EL_VOID, NULL),
    [GUMBO_TAG_HR] = KEEP("hr", EL_VOID | EL_CLOSES_P, NULL),
    [GUMBO_TAG_H1] = KEEP("h1", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_H2] = KEEP("h2", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_H3] = KEEP("h3", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_H4] = KEEP("h4", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_H5] = KEEP("h5", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_H6] = KEEP("h6", BLOCK | EL_HEADING, NULL),
    [GUMBO_TAG_DIV] = KEEP("div", EL_CLOSES_P, NULL),
    [GUMBO_TAG_SPAN] = KEEP("span", 0, span_attrs),
    [GUMBO_TAG_BLOCKQUOTE] = KEEP("blockquote", BLOCK, quote_attrs),
    [GUMBO_TAG_PRE] = KEEP("pre", BLOCK, pre_attrs),
    [GUMBO_TAG_CODE] = KEEP("code", 0, NULL),
    [GUMBO_TAG_EM] = KEEP("em", 0, NULL),
    [GUMBO_TAG_STRONG] = KEEP("strong", 0, NULL),
    [GUMBO_TAG_B] = KEEP("b", 0, NULL),
    [GUMBO_TAG_I] = KEEP("i", 0, NULL),
    [GUMBO_TAG_U] = KEEP("u", 0, NULL),
    [GUMBO_TAG_S] = KEEP("s", 0, NULL),
    [GUMBO_TAG_DEL] = KEEP("del", 0, edit_attrs),
    [GUMBO_TAG_INS] = KEEP("ins", 0, edit_attrs),
    [GUMBO_TAG_MARK] = KEEP("mark", 0, NULL),
    [GUMBO_TAG_SMALL] = KEEP("small", 0, NULL),
    [GUMBO_TAG_SUP] = KEEP("sup", 0, NULL),
    [GUMBO_TAG_SUB] = KEEP("sub", 0, NULL),
    [GUMBO_TAG_KBD] = KEEP("kbd", 0, NULL),
    [GUMBO_TAG_SAMP] = KEEP("samp", 0, NULL),
    [GUMBO_TAG_VAR] = KEEP("var", 0, NULL),
    [GUMBO_TAG_ABBR] = KEEP("abbr", 0, NULL),
    [GUMBO_TAG_CITE] = KEEP("cite", 0, NULL),
    [GUMBO_TAG_Q] = KEEP("q", 0, quote_attrs),
    [GUMBO_TAG_DFN] = KEEP("dfn", 0, NULL),
    [GUMBO_TAG_TIME] = KEEP("time", 0, time_attrs),
    [GUMBO_TAG_WBR] = KEEP("wbr", EL_VOID, NULL),
    [GUMBO_TAG_RUBY] = KEEP("ruby", 0, NULL),
    [GUMBO_TAG_RT] = KEEP("rt", 0, NULL),
    [GUMBO_TAG_RP] = KEEP("rp", 0, NULL),
    [GUMBO_TAG_BDI] = KEEP("bdi", 0, NULL),
    [GUMBO_TAG_BDO] = KEEP("bdo", 0, NULL),
    [GUMBO_TAG_ADDRESS] = KEEP("address", EL_CLOSES_P, NULL),
    [GUMBO_TAG_SECTION] = KEEP("section", BLOCK, NULL),
    [GUMBO_TAG_ARTICLE] = KEEP("article", BLOCK, NULL),
    [GUMBO_TAG_ASIDE] = KEEP("aside", BLOCK, NULL),
    [GUMBO_TAG_HEADER] = KEEP("header", BLOCK, NULL),
    [GUMBO_TAG_FOOTER] = KEEP("footer", BLOCK, NULL),
    /* lists */
    [GUMBO_TAG_UL] = KEEP("ul", BLOCK, NULL),
    [GUMBO_TAG_OL] = KEEP("ol", BLOCK, ol_attrs),
    [GUMBO_TAG_LI] = KEEP("li", BLOCK, li_attrs),
    [GUMBO_TAG_DL] = KEEP("dl", BLOCK, NULL),
    [GUMBO_TAG_DT] = KEEP("dt", BLOCK, NULL),
    [GUMBO_TAG_DD] = KEEP("dd", BLOCK, NULL),
    /* links, figures, disclosure */
    [GUMBO_TAG_A] = KEEP("a", 0, a_attrs),
    [GUMBO_TAG_FIGURE] = KEEP("figure", BLOCK, NULL),
    [GUMBO_TAG_FIGCAPTION] = KEEP("figcaption", BLOCK, NULL),
    [GUMBO_TAG_DETAILS] = KEEP("details", BLOCK, details_attrs),
    [GUMBO_TAG_SUMMARY] = KEEP("summary", BLOCK, NULL),
    /* tables */
    [GUMBO_TAG_TABLE] = KEEP("table", BLOCK | EL_SCOPE, NULL),
    [GUMBO_TAG_CAPTION] = KEEP("caption", EL_ENDS_ITEM | EL_SCOPE | EL_TABLE_PART, NULL),
    [GUMBO_TAG_COLGROUP] = KEEP("colgroup", EL_ENDS_ITEM | EL_TABLE_PART, col_attrs),
    [GUMBO_TAG_COL] = KEEP("col", EL_VOID | EL_TABLE_PART, col_attrs),
    [GUMBO_TAG_THEAD] = KEEP("thead", EL_ENDS_ITEM | EL_TABLE_PART, NULL),
    [GUMBO_TAG_TBODY] = KEEP("tbody", EL_ENDS_ITEM | EL_TABLE_PART, NULL),
    [GUMBO_TAG_TFOOT] = KEEP("tfoot", EL_ENDS_ITEM | EL_TABLE_PART, NULL),
    [GUMBO_TAG_TR] = KEEP("tr", EL_ENDS_ITEM | EL_TABLE_PART, NULL),
    [GUMBO_TAG_TH] = KEEP("th", EL_ENDS_ITEM | EL_SCOPE | EL_TABLE_PART, cell_attrs),
    [GUMBO_TAG_TD] = KEEP("td", EL_ENDS_ITEM | EL_SCOPE | EL_TABLE_PART, cell_attrs),
    /* media */
    [GUMBO_TAG_IMG] = KEEP("img", EL_VOID, image_attrs),
    [GUMBO_TAG_SOURCE] = KEEP("source", EL_VOID, source_attrs),
    [GUMBO_TAG_VIDEO] = KEEP("video", 0, video_attrs),
    [GUMBO_TAG_AUDIO] = KEEP("audio", 0, audio_attrs),
    [GUMBO_TAG_TRACK] = KEEP("track", EL_VOID, track_attrs),
    /* Kept only from an allowed host, and always empty (its content is text). */
    [GUMBO_TAG_IFRAME] = KEEP("iframe", EL_ENDS_ITEM, iframe_attrs),

    /* Scripts, styles, plugins, frames, documents' heads. */
    [GUMBO_TAG_SCRIPT] = DROP,
    [GUMBO_TAG_STYLE] = DROP,
    [GUMBO_TAG_TEMPLATE] = DROP,
    [GUMBO_TAG_NOSCRIPT] = DROP,
    [GUMBO_TAG_OBJECT] = DROP,
    [GUMBO_TAG_EMBED] = DROP,
    [GUMBO_TAG_APPLET] = DROP,
    [GUMBO_TAG_PARAM] = DROP,
    [GUMBO_TAG_FRAME] = DROP,
    [GUMBO_TAG_FRAMESET] = DROP,
    [GUMBO_TAG_NOFRAMES] = DROP,
    [GUMBO_TAG_NOEMBED] = DROP,
    [GUMBO_TAG_XMP] = DROP,
    [GUMBO_TAG_PLAINTEXT] = DROP,
    [GUMBO_TAG_TITLE] = DROP,
    [GUMBO_TAG_HEAD] = DROP,
    [GUMBO_TAG_META] = DROP,
    [GUMBO_TAG_LINK] = DROP,
    [GUMBO_TAG_BASE] = DROP,
    [GUMBO_TAG_BASEFONT] = DROP,
    [GUMBO_TAG_BGSOUND] = DROP,
    [GUMBO_TAG_AREA] = DROP,
    /*
     * Forms and what takes input.  <label>, <fieldset>, <legend>,
     * <output>, <meter> and <progress> do nothing without them: unwrapped,
     * their text stays.
     */
    [GUMBO_TAG_FORM] = DROP,
    /* Only a task list's checkbox, disabled (enter_element() checks). */
    [GUMBO_TAG_INPUT] = KEEP("input", EL_VOID, input_attrs),
    [GUMBO_TAG_BUTTON] = DROP,
    [GUMBO_TAG_SELECT] = DROP,
    [GUMBO_TAG_OPTION] = DROP,
    [GUMBO_TAG_OPTGROUP] = DROP,
    [GUMBO_TAG_TEXTAREA] = DROP,
    [GUMBO_TAG_DATALIST] = DROP,
    [GUMBO_TAG_KEYGEN] = DROP,
    [GUMBO_TAG_ISINDEX] = DROP,
    /* Foreign content (any element outside the HTML namespace goes too). */
    [GUMBO_TAG_SVG] = DROP,
    [GUMBO_TAG_MATH] = DROP,
};

/*
 * <picture> is newer than gumbo 0.10's list of tags: there it is an
 * unknown element (which the parser treats as an ordinary one, as it does
 * <picture> itself), found by its name.
 */
static const struct el_rule picture_rule = KEEP("picture", 0, NULL);

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

/* HTML's ASCII whitespace. */
static bool html_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/* s[0..n) equals the NUL-terminated word, ignoring ASCII case. */
static bool equals_nocase(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n && word[i]; i++) {
		if (ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)word[i]))
			return false;
	}
	return i == n && word[i] == '\0';
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */
/* ------------------------------------------------------------------ */

/* What browsers strip from both ends of a URL: C0 controls and space. */
static bool url_edge(unsigned char c)
{
	return c <= 0x20;
}

/* ... and tab, LF and CR anywhere in it. */
static bool url_inner(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

/* Writes url[0..n) to b (emptied first) as a browser reads it: edges and inner tab/LF/CR gone. */
static void url_clean(struct buf *b, const char *url, size_t n)
{
	const unsigned char *s = (const unsigned char *)url;
	size_t i = 0;

	buf_reset(b);
	while (i < n && url_edge(s[i]))
		i++;
	while (n > i && url_edge(s[n - 1]))
		n--;
	buf_reserve(b, n - i);
	while (i < n) {
		size_t start = i;
		while (i < n && !url_inner(s[i]))
			i++;
		buf_append(b, s + start, i - start);
		while (i < n && url_inner(s[i]))
			i++;
	}
	if (b->data == NULL)
		buf_append(b, "", 0);
}

static bool scheme_char(unsigned char c, bool first)
{
	bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (first)
		return alpha;
	return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/*
 * A ':' before any '/', '?' or '#' makes what comes before it a scheme,
 * which must then be a well-formed one from the list.  Anything odd there
 * ("java%73cript", "java script", U+FFFD from a NUL, a non-ASCII letter)
 * is refused rather than guessed at: a relative path never puts a ':'
 * there (RFC 3986 4.2 says to write "./a:b").
 */
bool sanitize_url_allowed(const char *url, size_t len)
{
	static const char *const allowed[] = {"http", "https", "mailto", "tel"};
	const unsigned char *s = (const unsigned char *)url;
	char scheme[8];
	size_t slen = 0, i = 0;
	bool well_formed = true;

	while (i < len && url_edge(s[i]))
		i++;
	for (; i < len; i++) {
		unsigned char c = s[i];
		if (url_inner(c))
			continue;
		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true;
		if (!scheme_char(c, slen == 0))
			well_formed = false;
		if (slen < sizeof(scheme))
			scheme[slen] = (char)ascii_lower(c);
		slen++;
	}
	if (i == len)
		return true; /* no scheme: relative */
	if (!well_formed || slen == 0 || slen >= sizeof(scheme))
		return false;
	for (size_t k = 0; k < GZ_ARRAY_LEN(allowed); k++) {
		if (strlen(allowed[k]) == slen && memcmp(allowed[k], scheme, slen) == 0)
			return true;
	}
	return false;
}

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

/*
 * The length of the host at u[h0..n) if it is HOST [":" PORT] followed by
 * the end, '/', '?' or '#' (a port of 1 to 5 digits); 0 if it is not.
 */
static size_t url_host_length(const char *u, size_t h0, size_t n)
{
	size_t i = h0;
	while (i < n && host_char((unsigned char)u[i]))
		i++;
	size_t hlen = i - h0;
	if (hlen == 0)
		return 0;
	if (i < n && u[i] == ':') {
		size_t p0 = ++i;
		while (i < n && u[i] >= '0' && u[i] <= '9')
			i++;
		if (i == p0 || i - p0 > 5)
			return 0;
	}
	if (i < n && u[i] != '/' && u[i] != '?' && u[i] != '#')
		return 0;
	return hlen;
}

/*
 * True if host[0..hlen) is one of hosts: "www.youtube.com" that host only,
 * ".vimeo.com" vimeo.com itself or a name ending in .vimeo.com.
 */
static bool host_listed(const char *const *hosts, const char *host, size_t hlen)
{
	for (const char *const *h = hosts; *h; h++) {
		const char *p = *h;
		size_t plen = strlen(p);
		if (p[0] == '.') {
			if (equals_nocase(host, hlen, p + 1))
				return true;
			if (hlen > plen && equals_nocase(host + hlen - plen, plen, p))
				return true;
		} else if (plen > 0 && equals_nocase(host, hlen, p)) {
			return true;
		}
	}
	return false;
}

/*
 * A cleaned URL's host is on the list: "https://" HOST [":" PORT] and
 * then the end, '/', '?' or '#'.  The host is letters, digits, '-' and
 * '.' only: no user or password ('@'), no percent-encoding, no
 * backslash, nothing a browser would read differently.
 */
static bool iframe_host_allowed(const char *const *hosts, const char *u, size_t n)
{
	static const char https[] = "https://";
	size_t h0 = sizeof(https) - 1;

	if (hosts == NULL || n < h0 || !equals_nocase(u, h0, https))
		return false;
	size_t hlen = url_host_length(u, h0, n);
	return hlen > 0 && host_listed(hosts, u + h0, hlen);
}

/* ------------------------------------------------------------------ */
/* The writer                                                          */
/* ------------------------------------------------------------------ */

struct open_el {
	GumboTag tag; /* GUMBO_TAG_UNKNOWN for <picture> */
	const char *name;
	bool empty; /* nothing written inside it yet */
};

/* A node of gumbo's tree being walked, and its next child. */
struct frame {
	const GumboNode *node;
	unsigned next;
	bool open; /* its start tag was written: its end tag is owed */
};

struct san {
	const struct sanitize_policy *policy;
	struct buf *out;
	struct buf *plain;    /* the text a reader sees, or NULL: sanitize_html_text() */
	struct buf attrs;     /* a start tag's attributes, before the tag is known to stay */
	struct buf url;       /* a cleaned URL */
	struct buf rewritten; /* what policy->rewrite_url writes */
	struct buf value;     /* an attribute value assembled before escaping */
	struct buf text;      /* a text or value as put_escaped() changes it */
	struct buf src;       /* the <img> src written */
	struct open_el open[SANITIZE_MAX_DEPTH];
	size_t depth;
	unsigned images;
};

static void san_free(struct san *s)
{
	buf_free(&s->attrs);
	buf_free(&s->url);
	buf_free(&s->rewritten);
	buf_free(&s->value);
	buf_free(&s->text);
	buf_free(&s->src);
}

/*
 * Code points the parser turns into U+FFFD when it reads them raw, though
 * a character reference ("&#129;", "&#xFDD0;") gives them as they are:
 * C1 controls and noncharacters (gumbo does it for them all; WHATWG HTML
 * calls them "control-character-" and "noncharacter-in-input-stream"
 * errors).  The C0 ones are escape_html's business.
 */
static bool raw_invalid(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* A byte that may start something put_escaped() changes. */
static bool maybe_changed(unsigned char c, bool text)
{
	return c == '\r' || (text && c == '\f') || c == 0xc2 || c == 0xef ||
	       (c >= 0xf0 && c <= 0xf4);
}

/*
 * Escapes t[0..n) into out as the parser will read it back the same:
 * CR as LF (a raw CR is read as LF, one from "&#13;" is not), the code
 * points of raw_invalid() as U+FFFD, and, in text, FF as a space
 * (escape_html would make it U+FFFD, which is not whitespace, where only
 * whitespace may stand).
 */
static void put_escaped(struct san *s, struct buf *out, const char *t, size_t n, bool text)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i = 0;

	while (i < n && !maybe_changed(u[i], text))
		i++;
	if (i == n) {
		escape_html(out, t, n);
		return;
	}
	buf_reset(&s->text);
	buf_append(&s->text, t, i);
	while (i < n) {
		unsigned char c = u[i];
		size_t len = utf8_seq_len(c);
		if (c == '\r') {
			buf_putc(&s->text, '\n');
		} else if (text && c == '\f') {
			buf_putc(&s->text, ' ');
		} else if (len > 1 && i + len <= n && utf8_valid(t + i, len)) {
			uint32_t cp = c & (0x7f >> len);
			for (size_t k = 1; k < len; k++)
				cp = (cp << 6) | (u[i + k] & 0x3f);
			if (raw_invalid(cp))
				buf_append(&s->text, "\xef\xbf\xbd", 3);
			else
				buf_append(&s->text, t + i, len);
			i += len;
			continue;
		} else {
			buf_putc(&s->text, (char)c); /* escape_html decides */
		}
		i++;
	}
	escape_html(out, s->text.data, s->text.len);
}

static bool table_context(GumboTag t)
{
	return t == GUMBO_TAG_TABLE || t == GUMBO_TAG_THEAD || t == GUMBO_TAG_TBODY ||
	       t == GUMBO_TAG_TFOOT || t == GUMBO_TAG_TR || t == GUMBO_TAG_COLGROUP;
}

static struct open_el *parent_el(struct san *s)
{
	return s->depth ? &s->open[s->depth - 1] : NULL;
}

static void put_text(struct san *s, const char *t, size_t n)
{
	struct open_el *parent = parent_el(s);

	if (n == 0)
		return;
	if (parent && table_context(parent->tag)) {
		/* Only whitespace stays in a table's frame; the parser moves other text out. */
		for (size_t i = 0; i < n; i++) {
			if (!html_space((unsigned char)t[i]))
				return;
		}
	}
	/* The parser drops a newline right after <pre>: write one for it to drop. */
	if (parent && parent->empty && parent->tag == GUMBO_TAG_PRE &&
	    (t[0] == '\n' || t[0] == '\r'))
		buf_putc(s->out, '\n');
	put_escaped(s, s->out, t, n, true);
	if (parent)
		parent->empty = false;
	if (s->plain)
		buf_append(s->plain, t, n);
}

/* ' name="' escaped value '"' into the attribute buffer. */
static void attr_open(struct san *s, const char *name)
{
	buf_putc(&s->attrs, ' ');
	buf_puts(&s->attrs, name);
	buf_append(&s->attrs, "=\"", 2);
}

static void attr_put(struct san *s, const char *name, const char *v, size_t n)
{
	attr_open(s, name);
	put_escaped(s, &s->attrs, v, n, false);
	buf_putc(&s->attrs, '"');
}

/*
 * Checks a URL and leaves the one to write in s->url (cleaned, maybe
 * rewritten: the replacement must pass the same check).  Returns false if
 * it may not stay.
 */
static bool url_take(struct san *s, const char *tag, const char *attr, const char *v, size_t n)
{
	if (!sanitize_url_allowed(v, n))
		return false;
	url_clean(&s->url, v, n);
	if (s->policy->rewrite_url) {
		buf_reset(&s->rewritten);
		if (s->policy->rewrite_url(s->policy->ctx, tag, attr, s->url.data, s->url.len,
		                           &s->rewritten)) {
			url_clean(&s->url, s->rewritten.data ? s->rewritten.data : "",
			          s->rewritten.len);
			return sanitize_url_allowed(s->url.data, s->url.len);
		}
	}
	return true;
}

/* A srcset descriptor: "2x", "1.5x", "640w" (and "480h", which browsers parse). */
static bool srcset_descriptor(const char *d, size_t n)
{
	size_t i = 0, digits = 0;
	while (i < n && d[i] >= '0' && d[i] <= '9')
		i++, digits++;
	if (i + 1 == n && digits > 0 && (d[i] == 'w' || d[i] == 'h'))
		return true;
	if (i < n && d[i] == '.') {
		i++;
		size_t frac = 0;
		while (i < n && d[i] >= '0' && d[i] <= '9')
			i++, frac++;
		if (frac == 0)
			return false;
	}
	return digits > 0 && i + 1 == n && d[i] == 'x';
}

/*
 * A URL as written into a srcset reads back as itself: not empty (the
 * controls url_clean() strips can be all there is, "&#1;"), no comma at
 * either end and no whitespace (which would split it elsewhere).
 */
static bool srcset_url(const struct buf *url)
{
	if (url->len == 0 || url->data[0] == ',' || url->data[url->len - 1] == ',')
		return false;
	for (size_t i = 0; i < url->len; i++) {
		if (html_space((unsigned char)url->data[i]))
			return false;
	}
	return true;
}

/* A srcset candidate: its URL v[u0..u0 + ulen) and its descriptors v[d0..d1). */
struct srcset_candidate {
	size_t u0, ulen;
	size_t d0, d1;
};

/*
 * The candidate at v[*i..n), *i moved past it and its comma: false when
 * only separators are left.  The URL may come out empty (a lone comma).
 */
static bool srcset_next(const char *v, size_t n, size_t *i, struct srcset_candidate *c)
{
	while (*i < n && (html_space((unsigned char)v[*i]) || v[*i] == ','))
		(*i)++;
	if (*i >= n)
		return false;
	c->u0 = *i;
	while (*i < n && !html_space((unsigned char)v[*i]))
		(*i)++;
	c->ulen = *i - c->u0;
	bool ended = false;
	while (c->ulen > 0 && v[c->u0 + c->ulen - 1] == ',') {
		c->ulen--;
		ended = true;
	}
	c->d0 = c->d1 = *i;
	if (ended)
		return true;
	int paren = 0;
	for (; *i < n; (*i)++) {
		if (v[*i] == '(')
			paren++;
		else if (v[*i] == ')' && paren > 0)
			paren--;
		else if (v[*i] == ',' && paren == 0)
			break;
	}
	c->d1 = *i;
	if (*i < n)
		(*i)++; /* the comma */
	return true;
}

/*
 * Appends the descriptors v[d0..d1) to cand, each after a space; false
 * (cand then incomplete) at the first that is not a plain number.
 */
static bool srcset_descriptors(struct buf *cand, const char *v, size_t d0, size_t d1)
{
	for (size_t k = d0; k < d1;) {
		while (k < d1 && html_space((unsigned char)v[k]))
			k++;
		if (k >= d1)
			break;
		size_t t0 = k;
		while (k < d1 && !html_space((unsigned char)v[k]))
			k++;
		bool ok = srcset_descriptor(v + t0, k - t0);
		buf_putc(cand, ' ');
		buf_append(cand, v + t0, k - t0);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Writes the candidates of a srcset that stay into s->value, as
 * "URL[ DESCRIPTOR...], ...".  A candidate whose URL is refused or whose
 * descriptors are not plain numbers goes.  Returns false if none stays.
 * The split follows WHATWG HTML's "parse a srcset attribute": a URL is a
 * run of non-whitespace (commas at its end end the candidate), then the
 * descriptors run to a comma outside parentheses.
 */
static bool srcset_take(struct san *s, const char *tag, const char *v, size_t n)
{
	struct buf cand = BUF_INIT;
	struct srcset_candidate c;
	size_t i = 0;

	buf_reset(&s->value);
	while (srcset_next(v, n, &i, &c)) {
		if (c.ulen == 0)
			continue;
		buf_reset(&cand);
		if (!srcset_descriptors(&cand, v, c.d0, c.d1) ||
		    !url_take(s, tag, "srcset", v + c.u0, c.ulen) || !srcset_url(&s->url))
			continue;
		if (s->value.len > 0)
			buf_append(&s->value, ", ", 2);
		buf_append(&s->value, s->url.data, s->url.len);
		buf_append(&s->value, cand.data ? cand.data : "", cand.len);
	}
	buf_free(&cand);
	return s->value.len > 0;
}

/*
 * Writes the link types of a rel into s->value: every token but "opener"
 * (which would give a new tab's page a handle on ours), and, with
 * target=_blank, noopener and noreferrer if missing.  Returns false if
 * none is left.
 */
static bool rel_take(struct san *s, const char *v, size_t n, bool blank)
{
	bool noopener = false, noreferrer = false;
	size_t i = 0;

	buf_reset(&s->value);
	while (i < n) {
		while (i < n && html_space((unsigned char)v[i]))
			i++;
		size_t t0 = i;
		while (i < n && !html_space((unsigned char)v[i]))
			i++;
		size_t len = i - t0;
		if (len == 0 || equals_nocase(v + t0, len, "opener"))
			continue;
		noopener = noopener || equals_nocase(v + t0, len, "noopener");
		noreferrer = noreferrer || equals_nocase(v + t0, len, "noreferrer");
		if (s->value.len > 0)
			buf_putc(&s->value, ' ');
		buf_append(&s->value, v + t0, len);
	}
	if (blank && !noopener)
		buf_puts(&s->value, s->value.len > 0 ? " noopener" : "noopener");
	if (blank && !noreferrer)
		buf_puts(&s->value, s->value.len > 0 ? " noreferrer" : "noreferrer");
	return s->value.len > 0;
}

/* An integer in [min, max], surrounded by whitespace at most, written plainly into buf. */
static bool number_take(const char *v, size_t n, bool sign, long long min, long long max, char *num,
                        size_t numsize)
{
	long long x;
	bool neg = false;

	while (n > 0 && html_space((unsigned char)v[0]))
		v++, n--;
	while (n > 0 && html_space((unsigned char)v[n - 1]))
		n--;
	if (sign && n > 0 && v[0] == '-') {
		neg = true;
		v++, n--;
	}
	if (parse_uint_range(v, n, 0, neg ? -min : max, &x) != 0)
		return false;
	if (neg)
		x = -x;
	if (x < min || x > max)
		return false;
	int w = snprintf(num, numsize, "%lld", x);
	return w > 0 && (size_t)w < numsize;
}

static const char *enum_take(const char *const *values, const char *v, size_t n, bool nocase)
{
	for (const char *const *p = values; *p; p++) {
		if (nocase ? equals_nocase(v, n, *p) : (strlen(*p) == n && memcmp(*p, v, n) == 0))
			return *p;
	}
	return NULL;
}

static bool lang_ok(const char *v, size_t n)
{
	if (n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

static const struct attr_rule *attr_find(const struct attr_rule *list, const char *name)
{
	for (; list && list->name; list++) {
		if (strcmp(list->name, name) == 0)
			return list;
	}
	return NULL;
}

/* What writing an element's attributes found out. */
struct attr_result {
	bool src;    /* a src (or, for <source>, a src or srcset) is written */
	bool width;  /* a width is written */
	bool height; /* a height is written */
};

/* The element whose attributes write_attrs() writes, and what it saw so far. */
struct attr_ctx {
	const GumboElement *el;
	const struct el_rule *rule;
	bool blank; /* an <a target=_blank> */
	bool rel;   /* a rel was seen */
};

/* A URL attribute (AK_URL): kept if url_take() takes it; <img src=""> is no image. */
static void write_url_attr(struct san *s, const struct attr_ctx *c, const struct attr_rule *ar,
                           const char *v, size_t n, struct attr_result *r)
{
	if (!url_take(s, c->rule->name, ar->name, v, n))
		return;
	if (c->el->tag == GUMBO_TAG_IMG && s->url.len == 0)
		return;
	attr_put(s, ar->name, s->url.data, s->url.len);
	if (strcmp(ar->name, "src") == 0) {
		r->src = true;
		buf_append(&s->src, s->url.data, s->url.len);
	}
}

/*
 * An iframe's src (AK_IFRAME_SRC): kept if its host is allowed both as
 * written (cleaned) and as rewrite_url gives it back.
 */
static void write_iframe_src(struct san *s, const struct attr_ctx *c, const struct attr_rule *ar,
                             const char *v, size_t n, struct attr_result *r)
{
	url_clean(&s->value, v, n);
	if (!iframe_host_allowed(s->policy->iframe_hosts, s->value.data, s->value.len))
		return;
	if (!url_take(s, c->rule->name, ar->name, s->value.data, s->value.len) ||
	    !iframe_host_allowed(s->policy->iframe_hosts, s->url.data, s->url.len))
		return;
	attr_put(s, ar->name, s->url.data, s->url.len);
	r->src = true;
}

/* A number (AK_UINT, AK_INT), written plainly if it is one in the rule's range. */
static void write_number_attr(struct san *s, const struct attr_rule *ar, const char *v, size_t n,
                              struct attr_result *r)
{
	char num[24];
	if (!number_take(v, n, ar->kind == AK_INT, ar->min, ar->max, num, sizeof(num)))
		return;
	attr_put(s, ar->name, num, strlen(num));
	r->width = r->width || strcmp(ar->name, "width") == 0;
	r->height = r->height || strcmp(ar->name, "height") == 0;
}

/* Writes attribute ar of value v into s->attrs if its kind's check lets it stay. */
static void write_attr(struct san *s, struct attr_ctx *c, const struct attr_rule *ar, const char *v,
                       struct attr_result *r)
{
	size_t n = strlen(v);
	const char *word;

	switch (ar->kind) {
	case AK_TEXT: attr_put(s, ar->name, v, n); break;
	case AK_URL: write_url_attr(s, c, ar, v, n, r); break;
	case AK_SRCSET:
		if (!srcset_take(s, c->rule->name, v, n))
			break;
		attr_put(s, ar->name, s->value.data, s->value.len);
		if (c->el->tag == GUMBO_TAG_SOURCE)
			r->src = true;
		break;
	case AK_IFRAME_SRC: write_iframe_src(s, c, ar, v, n, r); break;
	case AK_UINT:
	case AK_INT: write_number_attr(s, ar, v, n, r); break;
	case AK_BOOL: attr_put(s, ar->name, "", 0); break;
	case AK_ENUM:
	case AK_ENUM_CASE:
		word = enum_take(ar->values, v, n, ar->kind == AK_ENUM);
		if (word)
			attr_put(s, ar->name, word, strlen(word));
		break;
	case AK_LANG:
		if (lang_ok(v, n))
			attr_put(s, ar->name, v, n);
		break;
	case AK_REL:
		c->rel = true;
		if (rel_take(s, v, n, c->blank))
			attr_put(s, ar->name, s->value.data, s->value.len);
		break;
	}
}

/*
 * Writes the attributes of a kept element that stay into s->attrs, in the
 * author's order; gumbo has dropped repeated names and lower-cased them.
 */
static struct attr_result write_attrs(struct san *s, const GumboElement *el,
                                      const struct el_rule *rule)
{
	struct attr_result r = {false, false, false};
	const GumboVector *attrs = &el->attributes;
	struct attr_ctx c = {el, rule, false, false};

	buf_reset(&s->attrs);
	buf_reset(&s->src);
	if (el->tag == GUMBO_TAG_A) {
		GumboAttribute *t = gumbo_get_attribute(attrs, "target");
		c.blank = t && equals_nocase(t->value, strlen(t->value), "_blank");
	}
	for (unsigned i = 0; i < attrs->length; i++) {
		const GumboAttribute *a = attrs->data[i];
		if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
			continue;
		const struct attr_rule *ar = attr_find(rule->attrs, a->name);
		if (ar == NULL)
			ar = attr_find(global_attrs, a->name);
		if (ar != NULL)
			write_attr(s, &c, ar, a->value, &r);
	}
	if (c.blank && !c.rel && rel_take(s, "", 0, true))
		attr_put(s, "rel", s->value.data, s->value.len);
	return r;
}

/* ------------------------------------------------------------------ */
/* Where an element may stand                                          */
/* ------------------------------------------------------------------ */

/*
 * The output is a tree, written with every end tag in its place.  When
 * the parser reads it back, nothing is closed early or moved only if each
 * element's start tag, read where it stands, leaves the open elements
 * alone.  The parser's tree for the input already obeys that, but
 * unwrapping an element puts its children where it stood (in <li><nav>
 * <li>, the inner <li> is fine; in <li><li> it closes the outer one), so
 * each element is checked against the elements actually written around
 * it, and unwrapped in turn if the parser would not leave it there:
 *
 * - tables: a table, thead/tbody/tfoot, tr and colgroup hold only their
 *   parts (caption, colgroup, thead, tbody, tfoot; tr; td, th; col) and
 *   whitespace; the parser moves anything else out ("foster parenting").
 *   A table part anywhere else is ignored by the parser.
 * - a start tag that closes a <p> (div, ul, table, h1, ...) may not stand
 *   inside a <p> open in button scope (up to a caption, table, td or th);
 * - an <h1>-<h6> may not be the child of another (the parser closes it);
 * - an <li> may not stand inside an <li>, nor a <dd> or <dt> inside a <dd>
 *   or <dt>, unless a "special" element other than address, div and p
 *   stands between them (where the parser stops looking);
 * - an <a> may not stand inside an <a>, unless a td, th or caption (which
 *   put a marker in the list of active formatting elements) stands
 *   between them;
 * - an <rt> or <rp> may not be the child of a dd, dt, li, p, rp or rt
 *   (the parser closes those first, "generate implied end tags").
 *
 * Elements nested deeper than SANITIZE_MAX_DEPTH are unwrapped too.
 * Written this way, end tags always close the current element: the
 * parser then never reconstructs formatting elements or runs the
 * adoption agency, the remaining ways it could change the tree.
 */
static bool item_open(const struct san *s, GumboTag a, GumboTag b)
{
	for (size_t i = s->depth; i-- > 0;) {
		GumboTag t = s->open[i].tag;
		if (t == a || t == b)
			return true;
		if (el_rules[t].flags & EL_ENDS_ITEM)
			return false;
	}
	return false;
}

static bool p_in_button_scope(const struct san *s)
{
	for (size_t i = s->depth; i-- > 0;) {
		GumboTag t = s->open[i].tag;
		if (t == GUMBO_TAG_P)
			return true;
		if (el_rules[t].flags & EL_SCOPE)
			return false;
	}
	return false;
}

static bool a_open(const struct san *s)
{
	for (size_t i = s->depth; i-- > 0;) {
		GumboTag t = s->open[i].tag;
		if (t == GUMBO_TAG_A)
			return true;
		if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH || t == GUMBO_TAG_CAPTION)
			return false;
	}
	return false;
}

static bool fits(const struct san *s, GumboTag tag, unsigned flags)
{
	GumboTag parent = s->depth ? s->open[s->depth - 1].tag : GUMBO_TAG_BODY;

	if (s->depth >= SANITIZE_MAX_DEPTH)
		return false;
	switch (parent) {
	case GUMBO_TAG_TABLE:
		return tag == GUMBO_TAG_CAPTION || tag == GUMBO_TAG_COLGROUP ||
		       tag == GUMBO_TAG_THEAD || tag == GUMBO_TAG_TBODY || tag == GUMBO_TAG_TFOOT;
	case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TFOOT: return tag == GUMBO_TAG_TR;
	case GUMBO_TAG_TR: return tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH;
	case GUMBO_TAG_COLGROUP: return tag == GUMBO_TAG_COL;
	default: break;
	}
	if (flags & EL_TABLE_PART)
		return false;
	if ((flags & EL_CLOSES_P) && p_in_button_scope(s))
		return false;
	if ((flags & EL_HEADING) && (el_rules[parent].flags & EL_HEADING))
		return false;
	if (tag == GUMBO_TAG_LI && item_open(s, GUMBO_TAG_LI, GUMBO_TAG_LI))
		return false;
	if ((tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT) &&
	    item_open(s, GUMBO_TAG_DD, GUMBO_TAG_DT))
		return false;
	if (tag == GUMBO_TAG_A && a_open(s))
		return false;
	if ((tag == GUMBO_TAG_RT || tag == GUMBO_TAG_RP) &&
	    (parent == GUMBO_TAG_DD || parent == GUMBO_TAG_DT || parent == GUMBO_TAG_LI ||
	     parent == GUMBO_TAG_P || parent == GUMBO_TAG_RP || parent == GUMBO_TAG_RT))
		return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* The walk                                                            */
/* ------------------------------------------------------------------ */

enum visit {
	SKIP,     /* written whole (text, void element, iframe) or dropped */
	CHILDREN, /* unwrapped: its children are written where it stood */
	OPENED,   /* its start tag is written: its children, then its end tag */
};

/* A break in the plain text before and after a block (a new line, once). */
static void plain_break(struct san *s, GumboTag tag)
{
	if (s->plain == NULL || s->plain->len == 0 || s->plain->data[s->plain->len - 1] == '\n')
		return;
	if ((el_rules[tag].flags & (EL_CLOSES_P | EL_ENDS_ITEM | EL_HEADING)) || tag == GUMBO_TAG_BR)
		buf_putc(s->plain, '\n');
}

static void open_push(struct san *s, GumboTag tag, const char *name)
{
	plain_break(s, tag);
	s->open[s->depth].tag = tag;
	s->open[s->depth].name = name;
	s->open[s->depth].empty = true;
	s->depth++;
}

static void close_pop(struct san *s)
{
	s->depth--;
	plain_break(s, s->open[s->depth].tag);
	buf_append(s->out, "</", 2);
	buf_puts(s->out, s->open[s->depth].name);
	buf_putc(s->out, '>');
}

/* The rule for an element: by its tag, or by its name for the tags gumbo does not know. */
static const struct el_rule *rule_of(const GumboElement *el)
{
	const struct el_rule *rule = &el_rules[el->tag];
	GumboStringPiece name = el->original_tag;

	if (rule->flags != 0)
		return rule;
	if (el->tag != GUMBO_TAG_UNKNOWN) {
		name.data = gumbo_normalized_tagname(el->tag);
		name.length = strlen(name.data);
	} else if (name.data != NULL && name.length > 0) {
		gumbo_tag_from_original_text(&name);
	} else {
		return rule;
	}
	if (equals_nocase(name.data, name.length, "picture"))
		return &picture_rule;
	return rule;
}

/* An <input> stays only as a task list's box: type="checkbox" and disabled, outside any form. */
static bool disabled_checkbox(const GumboElement *el)
{
	const GumboAttribute *type = gumbo_get_attribute(&el->attributes, "type");
	return type && equals_nocase(type->value, strlen(type->value), "checkbox") &&
	       gumbo_get_attribute(&el->attributes, "disabled") != NULL;
}

static enum visit enter_element(struct san *s, const GumboNode *node)
{
	const GumboElement *el = &node->v.element;
	if (el->tag_namespace != GUMBO_NAMESPACE_HTML || el->tag >= GUMBO_TAG_LAST)
		return SKIP;
	const struct el_rule *rule = rule_of(el);
	if ((rule->flags & EL_DROP) || (el->tag == GUMBO_TAG_INPUT && !disabled_checkbox(el)))
		return SKIP;
	if (!(rule->flags & EL_KEEP))
		return CHILDREN;
	bool is_void = (rule->flags & EL_VOID) != 0;
	if (!fits(s, el->tag, rule->flags))
		return is_void ? SKIP : CHILDREN;

	struct attr_result r = write_attrs(s, el, rule);
	switch (el->tag) {
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_IFRAME:
	case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_TRACK:
		if (!r.src)
			return SKIP; /* nothing to show: the element goes */
		break;
	default: break;
	}
	if (el->tag == GUMBO_TAG_IMG) {
		if (s->policy->img_attrs)
			s->policy->img_attrs(s->policy->ctx, s->src.data ? s->src.data : "",
			                     s->src.len, s->images, r.width, r.height, &s->attrs);
		s->images++;
	}

	struct open_el *parent = parent_el(s);
	if (parent)
		parent->empty = false;
	buf_putc(s->out, '<');
	buf_puts(s->out, rule->name);
	buf_append(s->out, s->attrs.data ? s->attrs.data : "", s->attrs.len);
	buf_putc(s->out, '>');
	if (is_void)
		return SKIP;
	if (el->tag == GUMBO_TAG_IFRAME) {
		/* Its content is text for browsers without frames: never written. */
		buf_append(s->out, "</iframe>", 9);
		return SKIP;
	}
	open_push(s, el->tag, rule->name);
	return OPENED;
}

static enum visit enter(struct san *s, const GumboNode *node)
{
	switch (node->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
		put_text(s, node->v.text.text, strlen(node->v.text.text));
		return SKIP;
	case GUMBO_NODE_ELEMENT: return enter_element(s, node);
	case GUMBO_NODE_DOCUMENT:
	case GUMBO_NODE_CDATA: /* only in foreign content */
	case GUMBO_NODE_COMMENT:
	case GUMBO_NODE_TEMPLATE: /* <template> and its content */
	default: return SKIP;
	}
}

/* Writes the children of root, depth first, with a stack on the heap. */
static void walk(struct san *s, const GumboNode *root)
{
	struct frame *stack = NULL;
	size_t n = 0, cap = 0;

	stack = xrealloc(stack, (cap = 64) * sizeof(*stack));
	stack[n++] = (struct frame){root, 0, false};
	while (n > 0) {
		struct frame *f = &stack[n - 1];
		const GumboVector *kids = &f->node->v.element.children;
		if (f->next >= kids->length) {
			if (f->open)
				close_pop(s);
			n--;
			continue;
		}
		const GumboNode *child = kids->data[f->next++];
		enum visit v = enter(s, child);
		if (v == SKIP)
			continue;
		if (n == cap)
			stack = xrealloc(stack, (cap *= 2) * sizeof(*stack));
		stack[n++] = (struct frame){child, 0, v == OPENED};
	}
	free(stack);
}

int sanitize_html(const char *html, size_t len, const struct sanitize_policy *policy,
                  struct buf *out)
{
	return sanitize_html_text(html, len, policy, out, NULL);
}

int sanitize_html_text(const char *html, size_t len, const struct sanitize_policy *policy,
                       struct buf *out, struct buf *plain)
{
	static const struct sanitize_policy no_policy = {NULL, NULL, NULL, NULL};
	/* On the heap: a longjmp may not find a local that changed since setjmp. */
	struct arena *a = xcalloc(1, sizeof(*a));
	GumboOutput *volatile parsed = NULL;
	int rc = -1;

	a->chunk_size = CHUNK_MIN;
	GumboOptions opt = kGumboDefaultOptions;
	opt.allocator = arena_alloc;
	opt.deallocator = arena_free;
	opt.userdata = a;
	/*
	 * No parse errors kept: by default gumbo keeps each one with a copy
	 * of the open elements' tags, memory that grows with errors times
	 * depth (90 MB for 50 KB of "<div>"s and stray end tags).
	 */
	opt.max_errors = 0;
	opt.fragment_context = GUMBO_TAG_BODY;
	opt.fragment_namespace = GUMBO_NAMESPACE_HTML;

	if (setjmp(a->oom) == 0)
		parsed = gumbo_parse_with_options(&opt, html ? html : "", html ? len : 0);
	if (parsed && parsed->root && parsed->root->type == GUMBO_NODE_ELEMENT) {
		struct san s;
		memset(&s, 0, sizeof(s));
		s.policy = policy ? policy : &no_policy;
		s.out = out;
		s.plain = plain;
		walk(&s, parsed->root);
		san_free(&s);
		rc = 0;
	}
	arena_release(a);
	free(a);
	return rc;
}
