/*
 * highlight.c: code blocks to highlighted HTML, at import time.
 *
 * Why our own lexer.  The rule is to use a packaged library when one fits
 * a C11 server that needs no C++ or GTK runtime, no data files on disk at
 * run time, and these 25 languages.  What Debian 12 packages, looked at on
 * this project's build machine (apt-cache, 2025):
 *
 * - GNU Source-highlight 3.1.9 (libsource-highlight-dev): C++ on
 *   Boost.Regex; its languages are .lang files read from
 *   /usr/share/source-highlight at run time.  That folder (installed with
 *   libsource-highlight-common) has no Kotlin, Swift, TypeScript, TOML,
 *   YAML, Dockerfile, PowerShell or Markdown definition.  Its command-line
 *   tool is not installed here, so its speed was not measured.
 * - highlight 3.41 (André Simon's): a C++ program on Lua 5.2 whose language
 *   definitions are Lua files on disk; no C library.
 * - libt3highlight 0.5 (C, on PCRE2 and libt3config): a C API, but its
 *   languages are files under /usr/share read at run time, and its set
 *   (C, C++, Java, JavaScript, Python, Ruby, Perl, PHP, sh, make, diff,
 *   CSS, HTML, XML, Markdown...) has no Rust, Go, Kotlin, Swift,
 *   TypeScript, YAML, TOML, Dockerfile or PowerShell.
 * - KSyntaxHighlighting (libkf5syntaxhighlighting5): Qt 5 and C++.
 * - GtkSourceView 4/5: GTK and GLib, language files on disk.
 * - tree-sitter 0.20 (libtree-sitter-dev): only the runtime; bookworm
 *   packages no grammar, and a grammar per language is a generated parser
 *   of hundreds of kilobytes that we would have to vendor.
 * - Pygments 2.14 (python3-pygments) and highlight.js (node-highlight.js):
 *   Python and JavaScript, not something a C server links.
 *
 * None fits, so this file is a compact lexer driven by tables, written from
 * the languages' own references: per language its words (keywords, types,
 * constants, builtins), comment and string syntax, numbers, and a few modes
 * of its own (C's preprocessor lines, the shell's variables and heredocs, a
 * console's prompts, markup's tags and entities, YAML/TOML/JSON keys, diff
 * lines, Dockerfile instructions, Makefile targets, Markdown's headings and
 * emphasis).  It does not parse: it tells tokens apart the way a reader
 * does, cheaply, and when unsure it leaves text plain.
 *
 * How it writes.  A lexer walks the code once and calls tok() for each
 * token it recognises; the writer (struct hl_out) escapes everything from
 * where it stopped up to the token as plain text, then the token in its
 * class.  So every byte is written once, in order, and the lexers cannot
 * lose or repeat text.  The writer also merges neighbours of one class,
 * closes a span before every line break and opens it again after, never
 * cuts a UTF-8 sequence in two (a token ends after the continuation bytes
 * that follow it), and wraps lines when line options are set.
 */
#include "gazette/content/highlight.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

/* The token classes; see highlight.h for what each means. */
enum cls {
	C_NONE,
	C_K,
	C_KT,
	C_KC,
	C_NF,
	C_NB,
	C_ND,
	C_NV,
	C_S,
	C_SE,
	C_SI,
	C_C,
	C_CP,
	C_M,
	C_O,
	C_NT,
	C_NA,
	C_GH,
	C_GI,
	C_GD,
	C_GU,
	C_GP,
	C_GO,
	C_GE,
	C_GS,
	C__MAX
};

static const char *const cls_name[C__MAX] = {
    [C_K] = "k",   [C_KT] = "kt", [C_KC] = "kc", [C_NF] = "nf", [C_NB] = "nb", [C_ND] = "nd",
    [C_NV] = "nv", [C_S] = "s",   [C_SE] = "se", [C_SI] = "si", [C_C] = "c",   [C_CP] = "cp",
    [C_M] = "m",   [C_O] = "o",   [C_NT] = "nt", [C_NA] = "na", [C_GH] = "gh", [C_GI] = "gi",
    [C_GD] = "gd", [C_GU] = "gu", [C_GP] = "gp", [C_GO] = "go", [C_GE] = "ge", [C_GS] = "gs",
};

/* ---- the writer ---- */

struct hl_out {
	struct buf *out;
	const char *s;
	size_t n;
	size_t pos;   /* s[0..pos) is written */
	int open;     /* the class of the open token span, C_NONE if none */
	bool lines;   /* wrap each line */
	bool numbers; /* ... and number it */
	bool line_open;
	unsigned line;   /* the current line, from 1 */
	unsigned number; /* its number as shown */
	const struct hl_opts *opts;
};

static void close_span(struct hl_out *w)
{
	if (w->open != C_NONE)
		buf_append(w->out, "</span>", 7);
	w->open = C_NONE;
}

static bool line_marked(const struct hl_out *w)
{
	for (size_t k = 0; k < w->opts->nhl; k++)
		if (w->line >= w->opts->hl[k].first && w->line <= w->opts->hl[k].last)
			return true;
	return false;
}

static void open_line(struct hl_out *w)
{
	if (!w->lines || w->line_open)
		return;
	w->line_open = true;
	buf_puts(w->out, line_marked(w) ? "<span class=\"line hl\">" : "<span class=\"line\">");
	if (w->numbers)
		buf_printf(w->out, "<span class=\"ln\" aria-hidden=\"true\">%u</span>", w->number);
}

static void close_line(struct hl_out *w)
{
	if (w->line_open)
		buf_append(w->out, "</span>", 7);
	w->line_open = false;
	w->line++;
	w->number++;
}

/*
 * Writes s[pos..upto) in class cls.  upto never lands on a UTF-8
 * continuation byte: it moves past them, so that escape_html() sees each
 * well-formed character whole.  A call with upto <= pos writes nothing.
 */
static void put(struct hl_out *w, int cls, size_t upto)
{
	const char *s = w->s;

	if (upto > w->n)
		upto = w->n;
	while (upto < w->n && ((unsigned char)s[upto] & 0xc0) == 0x80)
		upto++;
	if (upto <= w->pos)
		return;
	size_t i = w->pos;
	while (i < upto) {
		size_t j = i;
		while (j < upto && s[j] != '\n' && s[j] != '\r')
			j++;
		if (j > i) {
			open_line(w);
			if (w->open != cls) {
				close_span(w);
				if (cls != C_NONE) {
					buf_append(w->out, "<span class=\"", 13);
					buf_puts(w->out, cls_name[cls]);
					buf_append(w->out, "\">", 2);
				}
				w->open = cls;
			}
			escape_html(w->out, s + i, j - i);
		}
		if (j < upto) {
			close_span(w);
			open_line(w);
			buf_putc(w->out, s[j]);
			if (s[j] == '\n')
				close_line(w);
			j++;
		}
		i = j;
	}
	w->pos = upto;
}

/* ---- the lexers' common state and helpers ---- */

struct lang;

struct lx {
	struct hl_out *w;
	const char *s; /* the whole block; lexers work on ranges of it */
	const struct lang *L;
	int depth; /* nested lexers (interpolations, <script>): bounded */
	bool make; /* the shell lexer reads a Makefile's recipe: $(NAME) is a variable */
};

#define DEPTH_MAX 12

/* Writes s[..from) as it was and s[from..to) in class cls. */
static void tok(struct lx *x, size_t from, size_t to, int cls)
{
	put(x->w, C_NONE, from);
	put(x->w, cls, to);
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Letters, '_' and every non-ASCII byte: identifiers in all our languages. */
static bool id_start(unsigned char c)
{
	return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool id_char(unsigned char c)
{
	return id_start(c) || is_digit(c);
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c | 0x20);
	return c;
}

/* True if s[i..end) starts with the NUL-terminated lit. */
static bool at(const char *s, size_t i, size_t end, const char *lit)
{
	size_t m = strlen(lit);
	return i <= end && m <= end - i && memcmp(s + i, lit, m) == 0;
}

/* The same, ASCII case-insensitive. */
static bool at_nocase(const char *s, size_t i, size_t end, const char *lit)
{
	size_t m = strlen(lit);
	if (i > end || m > end - i)
		return false;
	for (size_t k = 0; k < m; k++)
		if (lower(s[i + k]) != lit[k])
			return false;
	return true;
}

/* The end of the line at i: the index of its '\n' (or '\r'), or end. */
static size_t eol(const char *s, size_t i, size_t end)
{
	while (i < end && s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

/* The index after the line break at i (or i itself at end). */
static size_t next_line(const char *s, size_t i, size_t end)
{
	i = eol(s, i, end);
	if (i < end && s[i] == '\r')
		i++;
	if (i < end && s[i] == '\n')
		i++;
	return i;
}

static size_t skip_blanks(const char *s, size_t i, size_t end)
{
	while (i < end && is_blank((unsigned char)s[i]))
		i++;
	return i;
}

static size_t scan_ident(const char *s, size_t i, size_t end)
{
	while (i < end && id_char((unsigned char)s[i]))
		i++;
	return i;
}

static size_t scan_digits(const char *s, size_t i, size_t end)
{
	while (i < end && (is_digit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i;
}

/* A decimal number at i: digits and '_', a fraction, an exponent ("1e-3"); returns its end. */
static size_t scan_decimal(const char *s, size_t i, size_t end)
{
	i = scan_digits(s, i, end);
	if (i + 1 < end && s[i] == '.' && is_digit((unsigned char)s[i + 1]))
		i = scan_digits(s, i + 1, end);
	if (i >= end || (s[i] != 'e' && s[i] != 'E'))
		return i;
	size_t j = i + 1;
	if (j < end && (s[j] == '+' || s[j] == '-'))
		j++;
	if (j >= end || !is_digit((unsigned char)s[j]))
		return i;
	while (j < end && is_digit((unsigned char)s[j]))
		j++;
	return j;
}

/*
 * A number: 0x/0o/0b with digits and '_', or decimal with a fraction and an
 * exponent, then any suffix letters (10u, 1.5f, 3i64, 10n, 2j).  A '.' is
 * part of it only before a digit, so "1..2" stays a range.
 */
static size_t scan_number(const char *s, size_t i, size_t end)
{
	if (s[i] == '0' && i + 1 < end && strchr("xXoObB", s[i + 1]) && s[i + 1] != '\0') {
		i += 2;
		while (i < end && (is_hex((unsigned char)s[i]) || s[i] == '_'))
			i++;
	} else {
		i = scan_decimal(s, i, end);
	}
	while (i < end &&
	       (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i;
}

/* ---- the words of each language ---- */

/*
 * Word lists are space-separated strings in the language tables below; at
 * the first use they go into one hash table keyed by (language, word).
 * Words of case-insensitive languages are written in lower case and looked
 * up lowered.  Flags on a word: the next identifier names a function
 * (W_FN: "fn", "def") or a type (W_TYPE: "class", "struct").
 */
enum {
	W_FN = 0x40,
	W_TYPE = 0x80,
	W_CLS = 0x3f,
};

struct word {
	const char *w; /* into a language's list; NULL for a free slot */
	uint8_t len;
	uint8_t lang;
	uint8_t val; /* class | W_FN | W_TYPE */
};

#define WORDS_CAP 8192 /* a power of two, at least twice the words we have */
#define WORD_MAX  40

static struct word words[WORDS_CAP];
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static size_t word_slot(unsigned lang, const char *w, size_t len)
{
	uint64_t h = hash_bytes(GZ_HASH_INIT ^ (uint64_t)lang, w, len);
	return (size_t)(h ^ (h >> 29)) & (WORDS_CAP - 1);
}

/* Adds a word: val is a class (the last list naming a word wins) or W_FN / W_TYPE. */
static void word_add(unsigned lang, const char *w, size_t len, unsigned val)
{
	size_t i = word_slot(lang, w, len);
	size_t probes = 0;

	while (words[i].w) {
		if (words[i].lang == lang && words[i].len == len &&
		    memcmp(words[i].w, w, len) == 0) {
			words[i].val |= (uint8_t)(val & ~(unsigned)W_CLS);
			if (val & W_CLS)
				words[i].val = (uint8_t)((words[i].val & ~W_CLS) | (val & W_CLS));
			return;
		}
		i = (i + 1) & (WORDS_CAP - 1);
		if (++probes == WORDS_CAP)
			abort(); /* the tables outgrew WORDS_CAP: a programming error */
	}
	if ((val & W_CLS) == 0)
		val |= C_K; /* "def", "class": keywords that announce a name */
	words[i] = (struct word){w, (uint8_t)len, (uint8_t)lang, (uint8_t)val};
}

/* Returns the class and flags of s[i..j) in lang, 0 if it is no word of it. */
static unsigned word_find(unsigned lang, bool nocase, const char *s, size_t len)
{
	char low[WORD_MAX];

	if (len == 0 || len > WORD_MAX)
		return 0;
	if (nocase) {
		for (size_t k = 0; k < len; k++)
			low[k] = lower(s[k]);
		s = low;
	}
	for (size_t i = word_slot(lang, s, len);; i = (i + 1) & (WORDS_CAP - 1)) {
		const struct word *e = &words[i];
		if (!e->w)
			return 0;
		if (e->lang == lang && e->len == len && memcmp(e->w, s, len) == 0)
			return e->val;
	}
}

/* ---- languages ---- */

/* What a language's lexer may do beyond comments, strings, numbers and words. */
enum {
	F_NOCASE = 1u << 0,      /* words are case-insensitive (SQL, PowerShell) */
	F_PREPROC = 1u << 1,     /* '#' first on a line starts a directive (C, C++) */
	F_SQ_STR = 1u << 2,      /* '...' is a string */
	F_SQ_CHAR = 1u << 3,     /* 'x' is a character */
	F_BT_TEMPLATE = 1u << 4, /* `...${expr}...` (JavaScript) */
	F_BT_RAW = 1u << 5,      /* `...` raw, over lines (Go) */
	F_BT_NAME = 1u << 6,     /* `name` is a quoted identifier (Kotlin, Swift, SQL) */
	F_TRIPLE = 1u << 7,      /* """...""" (and '''...''' with F_SQ_STR) over lines */
	F_PY = 1u << 8,          /* string prefixes r b f u; f-strings interpolate */
	F_RUST = 1u << 9,        /* r#"..."#, b"", 'a lifetimes, #[attr], name! macros */
	F_CPP = 1u << 10,        /* R"d(...)d" raw strings */
	F_AT_DECOR = 1u << 11,   /* @name is a decorator or annotation */
	F_DOLLAR_VAR = 1u << 12, /* $name is a variable (PHP, PowerShell, Ruby) */
	F_RUBY = 1u << 13,       /* @ivar, :symbol, =begin/=end, heredocs */
	F_REGEX = 1u << 14,      /* /re/ where a value may start */
	F_CAP_TYPES = 1u << 15,  /* Capitalized names are types */
	F_SWIFT = 1u << 16,      /* #directives, #"raw"# strings */
	F_PHP = 1u << 17,        /* <?php ?>, #[attr], heredocs */
	F_PS = 1u << 18,         /* PowerShell: -op, [type], Verb-Noun, @"..."@ */
	F_DQ_LINES = 1u << 19,   /* "..." may span lines */
	F_NESTED = 1u << 20,     /* block comments nest */
	F_SQL = 1u << 21,        /* '' inside '...', "name" is an identifier */
	F_DOLLAR_ID = 1u << 22,  /* '$' may be part of a name (JavaScript) */
	F_SQ_LINES = 1u << 23,   /* '...' may span lines */
};

/* What a string interpolates. */
enum interp {
	I_NONE,
	I_BRACE,  /* ${expr} */
	I_KOTLIN, /* $name, ${expr} */
	I_SWIFT,  /* \(expr) */
	I_RUBY,   /* #{expr} */
	I_PY,     /* {expr}, {{ and }} */
	I_PHP,    /* $name, {$expr} */
	I_SHELL,  /* $name, ${name}, $(command), `command` */
	I_PS,     /* $name, $(expr) */
};

struct lang {
	const char *id;      /* lower case; also the first alias */
	/* cppcheck-suppress unusedStructMember ; read by hl_lang_label() through the opaque type */
	const char *label;   /* for people */
	const char *aliases; /* other names, space-separated, lower case */
	void (*lex)(struct lx *x, size_t i, size_t end);
	const char *words[C__MAX]; /* per class, space-separated */
	const char *fn_kw;         /* words after which a name is a function's */
	const char *type_kw;       /* words after which a name is a type's */
	const char *line_c;        /* line comments */
	const char *line_c2;
	const char *block_open; /* block comments */
	const char *block_close;
	unsigned flags;
	uint8_t interp; /* in "..." strings */
};

enum {
	L_RUST,
	L_C,
	L_CPP,
	L_GO,
	L_PYTHON,
	L_JS,
	L_TS,
	L_JAVA,
	L_KOTLIN,
	L_SWIFT,
	L_RUBY,
	L_PHP,
	L_SH,
	L_CONSOLE,
	L_PS,
	L_SQL,
	L_HTML,
	L_XML,
	L_CSS,
	L_JSON,
	L_YAML,
	L_TOML,
	L_DOCKER,
	L_DIFF,
	L_MD,
	L_MAKE,
	L__MAX
};

static const struct lang langs[L__MAX];
static const size_t nlangs = L__MAX;

static unsigned lang_index(const struct lang *L)
{
	return (unsigned)(L - langs);
}

/* Runs lang's lexer on [i, end), nested in another; too deep, it is one token of class cls. */
static void sub_lex(struct lx *x, const struct lang *L, size_t i, size_t end, int cls)
{
	if (x->depth >= DEPTH_MAX) {
		put(x->w, cls, end);
		return;
	}
	const struct lang *saved = x->L;
	x->L = L;
	x->depth++;
	put(x->w, C_NONE, i);
	L->lex(x, i, end);
	put(x->w, C_NONE, end);
	x->depth--;
	x->L = saved;
}

#define SEARCH_MAX 4096 /* how far an interpolation's end is looked for */

/* The index of the close matching an open just before i, or SIZE_MAX. */
static size_t find_close(const char *s, size_t i, size_t end, char open, char close, bool one_line)
{
	unsigned depth = 1;
	size_t limit = end - i > SEARCH_MAX ? i + SEARCH_MAX : end;

	for (; i < limit; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i;
		else if (one_line && (s[i] == '\n' || s[i] == '\r'))
			break;
	}
	return SIZE_MAX;
}

/* The end of the escape sequence at s[i] (the escape character). */
static size_t escape_end(const char *s, size_t i, size_t end)
{
	size_t k = i + 1;
	size_t max = 0;

	if (k >= end)
		return k;
	char c = s[k++];
	if (c == '\r' && k < end && s[k] == '\n')
		return k + 1;
	if ((c == 'u' || c == 'N') && k < end && s[k] == '{') {
		size_t stop = k + 12 < end ? k + 12 : end;
		for (size_t j = k; j < stop && s[j] != '\n'; j++)
			if (s[j] == '}')
				return j + 1;
		return k;
	}
	if (c == 'x')
		max = 2;
	else if (c == 'u')
		max = 4;
	else if (c == 'U')
		max = 8;
	for (size_t n = 0; n < max && k < end && is_hex((unsigned char)s[k]); n++)
		k++;
	if (c >= '0' && c <= '7')
		for (size_t n = 0; n < 2 && k < end && s[k] >= '0' && s[k] <= '7'; n++)
			k++;
	return k;
}

struct strspec {
	const char *close;
	uint8_t interp;
	char esc;       /* '\\', '`' or 0 */
	bool dbl;       /* the close written twice stands for itself */
	bool multiline; /* else the string ends, unterminated, at the line's end */
};

static size_t shell_dollar(struct lx *x, size_t i, size_t end, int str_cls);

/* Writes s[i..j) as an interpolated variable (class cls) after the string before it; returns j. */
static size_t interp_var(struct lx *x, size_t i, size_t j, int cls)
{
	put(x->w, C_S, i);
	put(x->w, cls, j);
	return j;
}

/* PowerShell's $name, $env:NAME and ${any name} at s[i] == '$'; returns its end, or i. */
static size_t ps_var(struct lx *x, size_t i, size_t end, char n1)
{
	const char *s = x->s;
	size_t j =
	    n1 == '{' ? find_close(s, i + 2, end, '{', '}', true) : scan_ident(s, i + 1, end);
	if (j == SIZE_MAX)
		return i;
	if (n1 == '{')
		j++;
	else if (j + 1 < end && s[j] == ':' && id_start((unsigned char)s[j + 1]))
		j = scan_ident(s, j + 1, end); /* $env:PATH */
	return interp_var(x, i, j, C_NV);
}

/*
 * The interpolations that are a name, not an expression (Kotlin's $name,
 * PHP's $name, the shell's and PowerShell's variables), and Python's {{
 * and }}: written, returns the end; else i.
 */
static size_t interp_name(struct lx *x, size_t i, size_t end, unsigned kind, char c, char n1)
{
	bool name = id_start((unsigned char)n1);
	switch (kind) {
	case I_KOTLIN:
		if (c == '$' && name)
			return interp_var(x, i, scan_ident(x->s, i + 1, end), C_SI);
		return i;
	case I_PY:
		if ((c == '{' && n1 == '{') || (c == '}' && n1 == '}'))
			return interp_var(x, i, i + 2, C_SE);
		return i;
	case I_PHP:
		if (c == '$' && name)
			return interp_var(x, i, scan_ident(x->s, i + 1, end), C_NV);
		return i;
	case I_SHELL:
		if (c == '$' || c == '`')
			return shell_dollar(x, i, end, C_S);
		return i;
	case I_PS:
		if (c == '$' && (name || n1 == '{'))
			return ps_var(x, i, end, n1);
		return i;
	default: return i;
	}
}

/*
 * The interpolations of an expression: ${...}, \(...), #{...}, {...}
 * (Python), {$...} (PHP), $(...) (PowerShell).  True with its brackets
 * and the length of its opening (*skip) if one starts at c, n1.
 */
static bool interp_expr(unsigned kind, char c, char n1, char *open, char *close, size_t *skip)
{
	*skip = 2;
	*open = '{';
	*close = '}';
	switch (kind) {
	case I_BRACE:
	case I_KOTLIN: return c == '$' && n1 == '{';
	case I_RUBY: return c == '#' && n1 == '{';
	case I_PY: *skip = 1; return c == '{';
	case I_PHP: *skip = 1; return c == '{' && n1 == '$';
	case I_SWIFT: *open = '(', *close = ')'; return c == '\\' && n1 == '(';
	case I_PS: *open = '(', *close = ')'; return c == '$' && n1 == '(';
	default: return false;
	}
}

/* Writes an interpolation at s[i] if there is one; returns its end, or i. */
static size_t interp_at(struct lx *x, size_t i, size_t end, const struct strspec *sp)
{
	const char *s = x->s;
	char c = s[i];
	char n1 = '\0';
	char open, close;
	size_t skip;

	if (i + 1 < end)
		n1 = s[i + 1];
	size_t j = interp_name(x, i, end, sp->interp, c, n1);
	if (j != i || !interp_expr(sp->interp, c, n1, &open, &close, &skip))
		return j;
	size_t k = find_close(s, i + skip, end, open, close, !sp->multiline);
	if (k == SIZE_MAX)
		return i;
	put(x->w, C_S, i);
	put(x->w, C_SI, i + skip);
	sub_lex(x, x->L, i + skip, k, C_SI);
	put(x->w, C_SI, k + 1);
	return k + 1;
}

/*
 * Writes a string whose opening delimiter is s[start..i), up to and with
 * its closing one; returns the index after it.  An unterminated string
 * ends at the line's end (a single-line one) or at end.
 */
static size_t lex_string(struct lx *x, size_t start, size_t i, size_t end, const struct strspec *sp)
{
	const char *s = x->s;
	size_t clen = strlen(sp->close);

	tok(x, start, i, C_S);
	while (i < end) {
		char c = s[i];
		if ((c == '\n' || c == '\r') && !sp->multiline)
			break;
		if (at(s, i, end, sp->close)) {
			if (sp->dbl && at(s, i + clen, end, sp->close)) {
				put(x->w, C_S, i);
				put(x->w, C_SE, i + 2 * clen);
				i += 2 * clen;
				continue;
			}
			put(x->w, C_S, i + clen);
			return i + clen;
		}
		if (sp->interp != I_NONE) {
			size_t j = interp_at(x, i, end, sp);
			if (j > i) {
				i = j;
				continue;
			}
		}
		if (sp->esc && c == sp->esc && i + 1 < end) {
			size_t j = escape_end(s, i, end);
			put(x->w, C_S, i);
			put(x->w, C_SE, j);
			i = j;
			continue;
		}
		i++;
	}
	put(x->w, C_S, i);
	return i;
}

/* The end of a block comment opened at i (after its close, or end). */
static size_t block_comment_end(const char *s, size_t i, size_t end, const struct lang *L)
{
	size_t olen = strlen(L->block_open), clen = strlen(L->block_close);
	unsigned depth = 1;

	i += olen;
	while (i < end) {
		if (at(s, i, end, L->block_close)) {
			i += clen;
			if (--depth == 0 || !(L->flags & F_NESTED))
				return i;
		} else if ((L->flags & F_NESTED) && at(s, i, end, L->block_open)) {
			depth++;
			i += olen;
		} else {
			i++;
		}
	}
	return end;
}

/* The <path> or "path" after #include at k (blanks before it), as a string; returns its end or k.
 */
static size_t include_path(struct lx *x, size_t k, size_t end)
{
	const char *s = x->s;
	size_t a = skip_blanks(s, k, end);
	if (a >= end || (s[a] != '<' && s[a] != '"'))
		return k;
	char close = s[a] == '<' ? '>' : '"';
	size_t b = a + 1;
	while (b < end && s[b] != close && s[b] != '\n')
		b++;
	if (b < end && s[b] == close)
		b++;
	tok(x, a, b, C_S);
	return b;
}

/* A C preprocessor line at i ('#'), with its continuation lines. */
static size_t lex_preproc(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = skip_blanks(s, i + 1, end);
	size_t k = scan_ident(s, j, end);
	bool include = (k - j == 7 && memcmp(s + j, "include", 7) == 0) ||
	               (k - j == 6 && memcmp(s + j, "import", 6) == 0);

	tok(x, i, k, C_CP);
	if (include)
		k = include_path(x, k, end);
	for (;;) {
		size_t e = eol(s, k, end);
		size_t last = e;
		while (last > k && is_blank((unsigned char)s[last - 1]))
			last--;
		tok(x, k, e, C_CP);
		if (e >= end || last <= k || s[last - 1] != '\\')
			return e;
		k = next_line(s, e, end); /* a '\' last: the line goes on */
	}
}

/* A pending heredoc: its body starts on the next line. */
struct heredoc {
	size_t delim; /* the delimiter, s[delim..delim + len) */
	size_t len;
	bool indented; /* the closing line may be indented (<<-, <<~) */
	bool raw;      /* no interpolation ('EOF') */
	bool pending;
};

/* Writes a heredoc body from i (a line start); returns the end of its closing line. */
static size_t lex_heredoc_body(struct lx *x, size_t i, size_t end, struct heredoc *h,
                               const struct strspec *sp)
{
	const char *s = x->s;

	h->pending = false;
	while (i < end) {
		size_t a = h->indented ? skip_blanks(s, i, end) : i;
		size_t e = eol(s, i, end);
		size_t b = a + h->len;
		if (b <= e && memcmp(s + a, s + h->delim, h->len) == 0 &&
		    (b == e || (!id_char((unsigned char)s[b]) && s[b] != '\'' && s[b] != '"'))) {
			tok(x, a, b, C_S);
			return b;
		}
		size_t k = i;
		while (k < e) {
			size_t j = sp->interp && !h->raw ? interp_at(x, k, e, sp) : k;
			k = j > k ? j : k + 1;
		}
		put(x->w, C_S, e);
		i = next_line(s, e, end);
	}
	return end;
}

/* Reads the delimiter after "<<", "<<-", "<<~" or "<<<" at i; true if there is one. */
static bool heredoc_open(const char *s, size_t i, size_t end, struct heredoc *h, size_t *after)
{
	size_t j = i;
	char q = 0;

	h->indented = false;
	if (j < end && (s[j] == '-' || s[j] == '~')) {
		h->indented = true;
		j++;
	}
	if (j < end && (s[j] == '\'' || s[j] == '"'))
		q = s[j++];
	size_t d = j;
	while (j < end && (id_char((unsigned char)s[j]) || s[j] == '-'))
		j++;
	if (j == d || j - d > 64)
		return false;
	h->delim = d;
	h->len = j - d;
	if (q) {
		if (j >= end || s[j] != q)
			return false;
		j++;
	}
	h->raw = q == '\'';
	h->pending = true;
	*after = j;
	return true;
}

/* A regular expression literal /.../flags on one line at i, or 0 if there is none. */
static size_t scan_regex(const char *s, size_t i, size_t end)
{
	bool cls = false;
	size_t j = i + 1;

	if (j < end && (s[j] == '/' || s[j] == '*' || is_blank((unsigned char)s[j])))
		return 0;
	for (; j < end && s[j] != '\n' && s[j] != '\r'; j++) {
		if (s[j] == '\\')
			j++;
		else if (s[j] == '[')
			cls = true;
		else if (s[j] == ']')
			cls = false;
		else if (s[j] == '/' && !cls) {
			j++;
			while (j < end && is_alpha((unsigned char)s[j]))
				j++;
			return j;
		}
	}
	return 0;
}

static bool is_op(unsigned char c)
{
	return c && strchr("+-*/%=<>!&|^~?:", c) != NULL;
}

static bool is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/*
 * code_string()'s kinds, each given the string's start i and the spec of
 * a "..." string in the language (sp, theirs to change): each writes the
 * string and returns its end, or returns i.
 */

/* "...", """...""" (Python's and Kotlin's), and SQL's "name", which is no string. */
static size_t dq_string(struct lx *x, size_t i, size_t end, struct strspec *sp)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	if ((f & F_TRIPLE) && at(s, i, end, "\"\"\"")) {
		sp->close = "\"\"\"";
		sp->multiline = true;
		if (f & F_PY)
			sp->interp = I_NONE;
		if (x->L->interp == I_KOTLIN)
			sp->esc = 0; /* Kotlin's raw strings */
		return lex_string(x, i, i + 3, end, sp);
	}
	if (f & F_SQL) { /* a quoted identifier */
		size_t j = i + 1;
		while (j < end && s[j] != '"' && s[j] != '\n')
			j++;
		return j < end && s[j] == '"' ? j + 1 : j;
	}
	if (f & F_PY)
		sp->interp = I_NONE;
	return lex_string(x, i, i + 1, end, sp);
}

/* '...' strings, '''...''', and SQL's and PowerShell's with '' for a quote. */
static size_t sq_string(struct lx *x, size_t i, size_t end, struct strspec *sp)
{
	unsigned f = x->L->flags;
	sp->close = "'";
	sp->interp = I_NONE;
	sp->multiline = (f & F_SQ_LINES) != 0;
	if ((f & F_TRIPLE) && at(x->s, i, end, "'''")) {
		sp->close = "'''";
		sp->multiline = true;
		return lex_string(x, i, i + 3, end, sp);
	}
	if (f & (F_SQL | F_PS)) {
		sp->esc = 0;
		sp->dbl = true;
	}
	return lex_string(x, i, i + 1, end, sp);
}

/* A character 'x' or '\n'; else, in Rust, a lifetime ('a, 'static). */
static size_t char_literal(struct lx *x, size_t i, size_t end, struct strspec *sp)
{
	const char *s = x->s;
	size_t j = i + 1;
	if (j < end && s[j] == '\\')
		j = escape_end(s, j, end);
	else if (j < end && s[j] != '\'' && s[j] != '\n')
		j += utf8_seq_len((unsigned char)s[j]);
	if (j < end && s[j] == '\'') {
		sp->close = "'";
		return lex_string(x, i, i + 1, end, sp);
	}
	if ((x->L->flags & F_RUST) && i + 1 < end && id_start((unsigned char)s[i + 1])) {
		j = scan_ident(s, i + 1, end);
		tok(x, i, j, C_ND);
		return j;
	}
	return i;
}

/* `...`: JavaScript's templates, Go's raw strings, or a quoted name (Kotlin, Swift, SQL). */
static size_t bt_string(struct lx *x, size_t i, size_t end, struct strspec *sp)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	if (f & F_BT_TEMPLATE) {
		sp->close = "`";
		sp->interp = I_BRACE;
		sp->multiline = true;
		return lex_string(x, i, i + 1, end, sp);
	}
	if (f & F_BT_RAW) {
		sp->close = "`";
		sp->esc = 0;
		sp->multiline = true;
		return lex_string(x, i, i + 1, end, sp);
	}
	if (f & F_BT_NAME) {
		size_t j = i + 1;
		while (j < end && s[j] != '`' && s[j] != '\n')
			j++;
		return j < end && s[j] == '`' ? j + 1 : j;
	}
	return i;
}

/* Writes a string that starts at i, if one does; returns its end, or i. */
static size_t code_string(struct lx *x, size_t i, size_t end)
{
	const struct lang *L = x->L;
	unsigned f = L->flags;
	struct strspec sp = {.close = "\"", .esc = '\\', .interp = L->interp};

	sp.multiline = (f & F_DQ_LINES) != 0;
	if (f & F_PS)
		sp.esc = '`';
	switch (x->s[i]) {
	case '"': return dq_string(x, i, end, &sp);
	case '\'':
		if (f & F_SQ_STR)
			return sq_string(x, i, end, &sp);
		if (f & F_SQ_CHAR)
			return char_literal(x, i, end, &sp);
		return i;
	case '`': return bt_string(x, i, end, &sp);
	default: return i;
	}
}

/*
 * prefixed_string()'s languages: each is given the prefix s[i..j) (raw:
 * it has an r or R; fmt: an f or F), and returns the string's end, or i.
 */

/* Python: r"", b'', f"{x}", rb'''...''', in either quote, tripled or not. */
static size_t py_prefixed(struct lx *x, size_t i, size_t j, size_t end, bool raw, bool fmt)
{
	struct strspec sp = {.close = "\"", .esc = '\\'};
	const char *s = x->s;
	if (s[j] != '"' && s[j] != '\'')
		return i;
	char q[4] = {s[j], s[j], s[j], '\0'};
	bool triple = at(s, j, end, q);
	q[triple ? 3 : 1] = '\0';
	sp.close = q;
	sp.multiline = triple;
	sp.esc = raw ? 0 : '\\';
	sp.interp = fmt ? I_PY : I_NONE;
	return lex_string(x, i, j + (triple ? 3 : 1), end, &sp);
}

/* Rust: r"...", r#"..."#, b"...", br"...", and the byte b'x'. */
static size_t rust_prefixed(struct lx *x, size_t i, size_t j, size_t end, bool raw)
{
	struct strspec sp = {.close = "\"", .esc = '\\'};
	const char *s = x->s;
	size_t k = j;
	char close[258] = "\"";
	if (raw) {
		while (k < end && s[k] == '#' && k - j < 255)
			k++;
		memset(close + 1, '#', k - j);
		close[1 + k - j] = '\0';
	}
	if (k < end && s[k] == '"') {
		sp.close = close;
		sp.esc = raw ? 0 : '\\';
		sp.multiline = true;
		return lex_string(x, i, k + 1, end, &sp);
	}
	if (!raw && j - i == 1 && (s[i] == 'b') && s[j] == '\'') {
		sp.close = "'";
		return lex_string(x, i, j + 1, end, &sp);
	}
	return i;
}

/* C++: R"delim( ... )delim" raw strings, and u8"", L'x' and the like. */
static size_t cpp_prefixed(struct lx *x, size_t i, size_t j, size_t end, bool raw)
{
	struct strspec sp = {.close = "\"", .esc = '\\'};
	const char *s = x->s;
	if (!raw) {
		if (s[j] != '"' && s[j] != '\'')
			return i;
		char q[2] = {s[j], '\0'};
		sp.close = q;
		return lex_string(x, i, j + 1, end, &sp);
	}
	if (s[j] != '"')
		return i;
	size_t k = j + 1;
	while (k < end && k - j <= 17 && s[k] != '(' && s[k] != '"' &&
	       !is_blank((unsigned char)s[k]) && s[k] != '\n')
		k++;
	if (k >= end || s[k] != '(' || k - j > 17)
		return i;
	char close[20];
	close[0] = ')';
	memcpy(close + 1, s + j + 1, k - j - 1);
	close[k - j] = '"';
	close[k - j + 1] = '\0';
	sp.close = close;
	sp.esc = 0;
	sp.multiline = true;
	return lex_string(x, i, k + 1, end, &sp);
}

/*
 * A string with a prefix at i ("r", "b", "f", "rb", r#", u8R"), in the
 * languages that have them; returns its end, or i.
 */
static size_t prefixed_string(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	size_t j = i;
	bool raw = false, fmt = false;

	while (j < end && j - i < 3 && strchr("rRbBfFuU8L", s[j]) && s[j] != '\0') {
		raw |= s[j] == 'r' || s[j] == 'R';
		fmt |= s[j] == 'f' || s[j] == 'F';
		j++;
	}
	if (j == i || j >= end)
		return i;
	if (f & F_PY)
		return py_prefixed(x, i, j, end, raw, fmt);
	if (f & F_RUST)
		return rust_prefixed(x, i, j, end, raw);
	if (f & F_CPP)
		return cpp_prefixed(x, i, j, end, raw);
	return i;
}

/* What lex_code() knows between tokens. */
struct code_state {
	bool bol;        /* only blanks so far on this line */
	bool first;      /* the token at hand is the first of its line */
	bool value;      /* the last token ends a value, so '/' divides */
	unsigned expect; /* W_FN or W_TYPE: the next name is a definition's */
	struct heredoc h;
	struct strspec hsp;
};

/*
 * lex_code()'s rules, tried in order at a token's first byte: each writes
 * the token it recognises there and returns its end, or returns i (having
 * written nothing) when the token is none of its.
 */
typedef size_t code_rule(struct lx *x, struct code_state *st, size_t i, size_t end);

/* Line and block comments (PHP's "#[" is an attribute, not a comment). */
static size_t code_comment(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const struct lang *L = x->L;
	const char *s = x->s;
	size_t j;
	(void)st;
	if (((L->line_c && at(s, i, end, L->line_c)) ||
	     (L->line_c2 && at(s, i, end, L->line_c2))) &&
	    !((L->flags & F_PHP) && at(s, i, end, "#["))) {
		j = eol(s, i, end);
		tok(x, i, j, C_C);
		return j;
	}
	if (L->block_open && at(s, i, end, L->block_open)) {
		j = block_comment_end(s, i, end, L);
		tok(x, i, j, C_C);
		return j;
	}
	return i;
}

/* First on a line: C's preprocessor lines, Ruby's =begin ... =end comments. */
static size_t code_line_start(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	if (!st->first)
		return i;
	if (s[i] == '#' && (f & F_PREPROC))
		return lex_preproc(x, i, end);
	if (s[i] == '=' && (f & F_RUBY) && at(s, i, end, "=begin")) {
		size_t j = i;
		while (j < end && !(at(s, j, end, "\n=end") || at(s, j, end, "\r\n=end")))
			j++;
		j = j < end ? eol(s, j + 1, end) : end;
		tok(x, i, j, C_C);
		return j;
	}
	return i;
}

/* Swift's raw strings: #"..."#, ##"..."##. */
static size_t swift_raw_string(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	if (s[i] != '#' || !(x->L->flags & F_SWIFT) || i + 1 >= end ||
	    (s[i + 1] != '"' && s[i + 1] != '#'))
		return i;
	size_t k = i;
	while (k < end && s[k] == '#' && k - i < 16)
		k++;
	if (k >= end || s[k] != '"')
		return i;
	char close[18] = "\"";
	memset(close + 1, '#', k - i);
	close[1 + k - i] = '\0';
	struct strspec sp = {.close = close, .multiline = false};
	return lex_string(x, i, k + 1, end, &sp);
}

/* Strings of every kind: plain, prefixed (r"", f"", b''), raw; a string is a value. */
static size_t code_strings(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	size_t j = code_string(x, i, end);
	if (j == i && id_start((unsigned char)x->s[i]))
		j = prefixed_string(x, i, end);
	if (j == i)
		j = swift_raw_string(x, i, end);
	if (j > i) {
		st->value = true;
		st->expect = 0;
	}
	return j;
}

/* Numbers; ".5" only where no value comes before it (else the '.' is a member's). */
static size_t code_number(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[i];
	if (!is_digit(c) &&
	    !(c == '.' && !st->value && i + 1 < end && is_digit((unsigned char)s[i + 1])))
		return i;
	size_t j = scan_number(s, i, end);
	tok(x, i, j, C_M);
	st->value = true;
	return j;
}

/* The class of the name s[i..j) whose word is wv: a definition's name, a capitalised type. */
static int name_class(const struct lx *x, unsigned expect, unsigned wv, size_t i, size_t j)
{
	const char *s = x->s;
	int cls = (int)(wv & W_CLS);
	if (expect && (cls == C_NONE || cls == C_KT || cls == C_NB))
		return expect == W_FN ? C_NF : C_KT;
	if (cls != C_NONE || !(x->L->flags & F_CAP_TYPES) || !is_upper((unsigned char)s[i]))
		return cls;
	for (size_t k = i + 1; k < j; k++)
		if (s[k] >= 'a' && s[k] <= 'z')
			return C_KT;
	return cls;
}

/* PowerShell's Verb-Noun commands, from the name s[i..j) at the '-'. */
static size_t ps_command(struct lx *x, struct code_state *st, size_t i, size_t j, size_t end)
{
	const char *s = x->s;
	while (j < end && (id_char((unsigned char)s[j]) || s[j] == '-'))
		j++;
	tok(x, i, j, st->expect == W_FN ? C_NF : C_NB);
	st->expect = 0;
	st->value = true;
	return j;
}

/* Names: words of the language, Rust's macros (name!), definitions' names, types. */
static size_t code_name(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	bool dollar_id = (f & F_DOLLAR_ID) != 0;
	if (!id_start((unsigned char)s[i]) && !(s[i] == '$' && dollar_id))
		return i;
	size_t j = i + 1;
	while (j < end && (id_char((unsigned char)s[j]) || (s[j] == '$' && dollar_id)))
		j++;
	if ((f & F_RUST) && j < end && s[j] == '!' && !(j + 1 < end && s[j + 1] == '=')) {
		tok(x, i, j + 1, C_NF); /* a macro */
		st->value = false;
		st->expect = 0;
		return j + 1;
	}
	if ((f & F_PS) && j + 1 < end && s[j] == '-' && is_alpha((unsigned char)s[j + 1]))
		return ps_command(x, st, i, j, end);
	unsigned wv = word_find(lang_index(x->L), f & F_NOCASE, s + i, j - i);
	int cls = name_class(x, st->expect, wv, i, j);
	st->expect = wv & (W_FN | W_TYPE);
	tok(x, i, j, cls);
	st->value = cls != C_K;
	return j;
}

/* @decorator, @annotation (and @a.b); Ruby's @ivar and @@cvar. */
static size_t code_at_name(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	if (s[i] != '@' || !(f & (F_AT_DECOR | F_RUBY)) || i + 1 >= end)
		return i;
	size_t j = i + 1;
	if ((f & F_RUBY) && s[j] == '@')
		j++;
	if (j >= end || !id_start((unsigned char)s[j]))
		return i;
	j = scan_ident(s, j, end);
	while ((f & F_AT_DECOR) && j + 1 < end && s[j] == '.' && id_start((unsigned char)s[j + 1]))
		j = scan_ident(s, j + 1, end);
	tok(x, i, j, (f & F_RUBY) ? C_NV : C_ND);
	st->value = true;
	return j;
}

/* $variable (PHP, PowerShell, Ruby's globals); PowerShell's ${any name} and $env:NAME. */
static size_t code_dollar_var(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	if (s[i] != '$' || !(f & F_DOLLAR_VAR) || i + 1 >= end)
		return i;
	size_t j = i + 1;
	if ((f & F_PS) && s[j] == '{') {
		j = find_close(s, j + 1, end, '{', '}', true);
		j = j == SIZE_MAX ? i + 1 : j + 1;
	} else {
		j = scan_ident(s, j, end);
		if ((f & F_PS) && j + 1 < end && s[j] == ':' && id_start((unsigned char)s[j + 1]))
			j = scan_ident(s, j + 1, end);
	}
	if (j <= i + 1)
		return i;
	unsigned wv = word_find(lang_index(x->L), f & F_NOCASE, s + i + 1, j - i - 1);
	tok(x, i, j, (wv & W_CLS) == C_KC ? C_KC : C_NV);
	st->value = true;
	return j;
}

/* Attributes: Rust's #[...] and #![...], PHP's #[...]. */
static size_t code_attribute(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	(void)st;
	if (s[i] != '#' || !(x->L->flags & (F_RUST | F_PHP)) || i + 1 >= end ||
	    !(s[i + 1] == '[' || (s[i + 1] == '!' && i + 2 < end && s[i + 2] == '[')))
		return i;
	size_t j = find_close(s, i + (s[i + 1] == '[' ? 2 : 3), end, '[', ']', false);
	if (j == SIZE_MAX)
		return i;
	tok(x, i, j + 1, C_ND);
	return j + 1;
}

/* Swift's #directives (#if, #available); PHP's <?php, <?= and ?> tags. */
static size_t code_directive(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	size_t j;
	(void)st;
	if (s[i] == '#' && (f & F_SWIFT) && i + 1 < end && id_start((unsigned char)s[i + 1])) {
		j = scan_ident(s, i + 1, end);
		tok(x, i, j, C_CP);
		return j;
	}
	if ((f & F_PHP) &&
	    (at(s, i, end, "<?php") || at(s, i, end, "<?=") || at(s, i, end, "?>"))) {
		j = i + (s[i] == '?' ? 2 : s[i + 2] == '=' ? 3 : 5);
		tok(x, i, j, C_CP);
		return j;
	}
	return i;
}

/* Ruby's :symbols (not the second ':' of "a::b"). */
static size_t code_symbol(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	if (s[i] != ':' || !(x->L->flags & F_RUBY) || i + 1 >= end ||
	    !id_start((unsigned char)s[i + 1]) || (i > 0 && s[i - 1] == ':'))
		return i;
	size_t j = scan_ident(s, i + 1, end);
	if (j < end && (s[j] == '?' || s[j] == '!'))
		j++;
	tok(x, i, j, C_S); /* a symbol */
	st->value = true;
	return j;
}

/* Heredocs: Ruby's <<ID, <<~ID, <<-ID and PHP's <<<ID; the body comes on the next line. */
static size_t code_heredoc(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned f = x->L->flags;
	bool php = (f & F_PHP) != 0;
	if (s[i] != '<' || !(f & (F_RUBY | F_PHP)) || !at(s, i, end, php ? "<<<" : "<<") ||
	    st->h.pending)
		return i;
	size_t a = i + (php ? 3 : 2), j;
	if (php)
		a = skip_blanks(s, a, end);
	if (a >= end ||
	    !(php || s[a] == '~' || s[a] == '-' || is_upper((unsigned char)s[a]) || s[a] == '\'' ||
	      s[a] == '"') ||
	    !heredoc_open(s, a, end, &st->h, &j))
		return i;
	if (php)
		st->h.indented = true; /* PHP 7.3 allows an indented closing line */
	tok(x, i, j, C_S);
	return j;
}

/* PowerShell's here-strings: @" ... "@, the close first on its line. */
static size_t ps_here_string(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	(void)st;
	if (!(x->L->flags & F_PS) || s[i] != '@' || i + 1 >= end ||
	    (s[i + 1] != '"' && s[i + 1] != '\'') ||
	    eol(s, i + 2, end) != skip_blanks(s, i + 2, end))
		return i;
	char close[4] = {'\n', s[i + 1], '@', '\0'};
	struct strspec sp = {.close = close,
	                     .multiline = true,
	                     .interp = s[i + 1] == '"' ? I_PS : I_NONE,
	                     .esc = '`'};
	if (s[i + 1] == '\'')
		sp.esc = 0;
	return lex_string(x, i, i + 2, end, &sp);
}

/* PowerShell's -parameters and -operators (-eq, -like), and [type] names. */
static size_t ps_dash_or_type(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	char c = s[i];
	size_t j;
	if (!(x->L->flags & F_PS) || i + 1 >= end)
		return i;
	if (c == '-' && is_alpha((unsigned char)s[i + 1]) &&
	    (i == 0 || !id_char((unsigned char)s[i - 1]))) {
		j = scan_ident(s, i + 1, end);
		unsigned wv = word_find(lang_index(x->L), true, s + i, j - i);
		tok(x, i, j, (wv & W_CLS) == C_O ? C_O : C_NA);
		st->value = false;
		return j;
	}
	if (c != '[' || st->value || !id_start((unsigned char)s[i + 1]))
		return i;
	j = i + 1;
	while (j < end && (id_char((unsigned char)s[j]) || s[j] == '.'))
		j++;
	if (j >= end || s[j] != ']')
		return i;
	tok(x, i + 1, j, C_KT);
	st->value = false;
	return j + 1;
}

/* /regular expressions/ where a value may start. */
static size_t code_regex(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	if (x->s[i] != '/' || !(x->L->flags & F_REGEX) || st->value)
		return i;
	size_t j = scan_regex(x->s, i, end);
	if (j == 0)
		return i;
	tok(x, i, j, C_S);
	st->value = true;
	return j;
}

/* Operators: a run of them, but not into a comment's opening. */
static size_t code_operator(struct lx *x, struct code_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	const struct lang *L = x->L;
	unsigned char c = (unsigned char)s[i];
	if (!is_op(c))
		return i;
	size_t j = i + 1;
	while (j < end && is_op((unsigned char)s[j]) && !at(s, j, end, "//") &&
	       !(L->block_open && at(s, j, end, L->block_open)))
		j++;
	tok(x, i, j, C_O);
	st->value = false;
	if (c != '*' && c != '&')
		st->expect = 0;
	return j;
}

static code_rule *const code_rules[] = {
    code_comment, code_line_start, code_strings,    code_number,    code_name,
    code_at_name, code_dollar_var, code_attribute,  code_directive, code_symbol,
    code_heredoc, ps_here_string,  ps_dash_or_type, code_regex,     code_operator,
};

/*
 * The lexer for the languages with C-like tokens: Rust, C, C++, Go, Java,
 * JavaScript, TypeScript, Kotlin, Swift, Python, Ruby, PHP, PowerShell,
 * SQL.  What differs is in struct lang.
 */
static void lex_code(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct code_state st = {.bol = true,
	                        .hsp = {.close = "", .esc = '\\', .interp = x->L->interp}};

	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r') {
			i = next_line(s, i, end);
			st.bol = true;
			if (st.h.pending)
				i = lex_heredoc_body(x, i, end, &st.h, &st.hsp);
			continue;
		}
		if (is_blank(c)) {
			i++;
			continue;
		}
		st.first = st.bol;
		st.bol = false;
		size_t j = i;
		for (size_t k = 0; j == i && k < GZ_ARRAY_LEN(code_rules); k++)
			j = code_rules[k](x, &st, i, end);
		if (j > i) {
			i = j;
			continue;
		}
		/* Punctuation. */
		st.value = c == ')' || c == ']' || c == '}';
		if (c != '*')
			st.expect = 0;
		i++;
	}
	put(x->w, C_NONE, end);
}

/* ---- shell and console ---- */

static const struct lang *lang_shell(void);

static bool shell_special(unsigned char c)
{
	return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-' ||
	       is_digit(c);
}

/*
 * At s[i] = '$' or '`': a variable ($HOME, ${x:-y}, $1, $?) or a command
 * substitution ($(...), `...`, $((...))).  Writes what comes before it in
 * str_cls; returns its end, or i if there is none.
 */
static size_t shell_dollar(struct lx *x, size_t i, size_t end, int str_cls)
{
	const char *s = x->s;
	size_t j;

	if (s[i] == '`') {
		j = i + 1;
		while (j < end && s[j] != '`')
			j += s[j] == '\\' ? 2 : 1;
		if (j >= end)
			return i;
		put(x->w, str_cls, i);
		put(x->w, C_SI, i + 1);
		sub_lex(x, lang_shell(), i + 1, j, C_SI);
		put(x->w, C_SI, j + 1);
		return j + 1;
	}
	if (i + 1 >= end)
		return i;
	char n1 = s[i + 1];
	if (n1 == '{') {
		j = find_close(s, i + 2, end, '{', '}', false);
		if (j == SIZE_MAX)
			return i;
		j++;
	} else if (n1 == '(') {
		j = find_close(s, i + 2, end, '(', ')', false);
		if (j == SIZE_MAX)
			return i;
		size_t k = i + 2;
		if (x->make) {
			put(x->w, str_cls, i);
			put(x->w, C_NV, j + 1);
			return j + 1;
		}
		put(x->w, str_cls, i);
		put(x->w, C_SI, k);
		sub_lex(x, lang_shell(), k, j, C_SI);
		put(x->w, C_SI, j + 1);
		return j + 1;
	} else if (id_start((unsigned char)n1) && (unsigned char)n1 < 0x80) {
		j = scan_ident(s, i + 1, end);
	} else if (shell_special((unsigned char)n1) ||
	           (x->make && n1 != '\0' && strchr("<^%+|", n1))) {
		j = i + 2;
	} else {
		return i;
	}
	put(x->w, str_cls, i);
	put(x->w, C_NV, j);
	return j;
}

static bool shell_stop(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' ||
	       c == '|' || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == '\'' ||
	       c == '`' || c == '$' || c == '\\';
}

/* What lex_shell() knows between tokens. */
struct shell_state {
	bool cmd;  /* the next word names a command */
	bool word; /* inside a word: '#' does not start a comment */
	struct heredoc h;
	struct strspec dq; /* "...": interpolating, over lines */
};

/*
 * lex_shell()'s rules, tried in order at each byte that is no blank or
 * line end: each writes what it recognises there and returns its end, or
 * returns i having written nothing.
 */
typedef size_t shell_rule(struct lx *x, struct shell_state *st, size_t i, size_t end);

/* A comment: '#' where no word is going on. */
static size_t shell_comment(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	if (x->s[i] != '#' || st->word)
		return i;
	size_t j = eol(x->s, i, end);
	tok(x, i, j, C_C);
	return j;
}

/* One escaped byte, or a continued line. */
static size_t shell_escape(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	if (s[i] != '\\')
		return i;
	st->word = true;
	return i + (i + 2 < end && s[i + 1] == '\r' && s[i + 2] == '\n' ? 3 : 2);
}

/* Quotes: '...', "..." (interpolating) and $'...' (with escapes). */
static size_t shell_quote(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	if (s[i] == '\'') {
		struct strspec sq = {.close = "'", .multiline = true};
		st->word = true;
		st->cmd = false;
		return lex_string(x, i, i + 1, end, &sq);
	}
	if (s[i] == '"') {
		st->word = true;
		st->cmd = false;
		return lex_string(x, i, i + 1, end, &st->dq);
	}
	if (s[i] == '$' && i + 1 < end && s[i + 1] == '\'') {
		struct strspec ansi = {.close = "'", .esc = '\\', .multiline = true};
		st->word = true;
		return lex_string(x, i, i + 2, end, &ansi);
	}
	return i;
}

/* Variables and command substitutions; a lone '$' is a byte of a word. */
static size_t shell_subst(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	if (x->s[i] != '$' && x->s[i] != '`')
		return i;
	size_t j = shell_dollar(x, i, end, C_NONE);
	st->word = true;
	st->cmd = false;
	return j > i ? j : i + 1;
}

/* A heredoc's opening, <<WORD or <<-WORD (not the here-string <<<); its body comes next line. */
static size_t shell_heredoc(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j;
	if (s[i] != '<' || !at(s, i, end, "<<") || at(s, i, end, "<<<") || st->h.pending)
		return i;
	size_t a = skip_blanks(s, i + 2, end);
	if (a > i + 2 && a < end && s[a] == '-')
		a = i + 2; /* "<< -x" is no heredoc */
	if (!heredoc_open(s, a, end, &st->h, &j))
		return i;
	if (s[i + 2] != '-')
		st->h.indented = false;
	tok(x, i, j, C_S);
	return j;
}

/* Operators: ; & | ( ) < > and their runs; a command follows most of them. */
static size_t shell_operator(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	char c = s[i];
	if (c == '\0' || !strchr(";&|()<>", c))
		return i;
	size_t j = i + 1;
	while (j < end && s[j] && strchr(";&|<>", s[j]))
		j++;
	tok(x, i, j, C_O);
	st->cmd = c != '>' && c != '<'; /* after "name()" and "(...)" too */
	st->word = false;
	return j;
}

/* The class of the word s[i..j) with the language's word wv: keywords and builtins only as commands, numbers. */
static int shell_word_class(const struct lx *x, const struct shell_state *st, unsigned *wv,
                            size_t i, size_t j)
{
	const char *s = x->s;
	int cls = (int)(*wv & W_CLS);
	if (!st->cmd && !(j - i == 2 && memcmp(s + i, "in", 2) == 0)) {
		cls = C_NONE;
		*wv = 0;
	}
	if (cls != C_NONE || st->word)
		return cls;
	size_t k = i;
	while (k < j && is_digit((unsigned char)s[k]))
		k++;
	return k == j ? C_M : C_NONE;
}

/* Before a plain word: NAME=value, a function's name(), a group's { or }; returns the end, or i. */
static size_t shell_word_start(struct lx *x, struct shell_state *st, size_t i, size_t j,
                               size_t end)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[i];
	if (st->word)
		return i;
	size_t name_end = scan_ident(s, i, j);
	if (id_start(c) && name_end < end && s[name_end] == '=' && st->cmd) {
		tok(x, i, name_end, C_NV); /* NAME=value */
		tok(x, name_end, name_end + 1, C_O);
		st->word = true;
		return name_end + 1;
	}
	if (id_start(c) && at(s, skip_blanks(s, j, end), end, "()")) {
		tok(x, i, j, C_NF); /* name() { ... } */
		return j;
	}
	if (j - i == 1 && (c == '{' || c == '}'))
		return j; /* a group: a command follows */
	return i;
}

/* A word: a command (keyword, builtin), a function's name after "function", a number, text. */
static size_t shell_word(struct lx *x, struct shell_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = i;
	while (j < end && !shell_stop((unsigned char)s[j]))
		j++;
	if (j == i)
		return i + 1;
	size_t k = shell_word_start(x, st, i, j, end);
	if (k > i)
		return k;
	unsigned wv = st->word ? 0 : word_find(lang_index(lang_shell()), false, s + i, j - i);
	int cls = shell_word_class(x, st, &wv, i, j);
	tok(x, i, j, cls);
	if (wv & W_FN) {
		size_t a = skip_blanks(s, j, end);
		size_t b = scan_ident(s, a, end);
		if (b > a)
			tok(x, a, b, C_NF);
		j = b;
	}
	st->cmd = cls == C_K && !(j - i == 2 && memcmp(s + i, "in", 2) == 0);
	st->word = true;
	return j;
}

static shell_rule *const shell_rules[] = {
    shell_comment, shell_escape, shell_quote, shell_subst, shell_heredoc, shell_operator, shell_word,
};

/* sh, bash, zsh: commands, words, quotes, variables, heredocs. */
static void lex_shell(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct shell_state st = {
	    .cmd = true,
	    .dq = {.close = "\"", .esc = '\\', .interp = I_SHELL, .multiline = true},
	};

	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r') {
			i = next_line(s, i, end);
			st.cmd = true;
			st.word = false;
			if (st.h.pending)
				i = lex_heredoc_body(x, i, end, &st.h, &st.dq);
			continue;
		}
		if (is_blank(c)) {
			i++;
			st.word = false;
			continue;
		}
		size_t j = i;
		for (size_t k = 0; j == i && k < GZ_ARRAY_LEN(shell_rules); k++)
			j = shell_rules[k](x, &st, i, end);
		i = j;
	}
	put(x->w, C_NONE, end);
}

/* PowerShell's prompt "PS C:\> " at j: the index after it (and its space), or 0. */
static size_t ps_prompt(const char *s, size_t j, size_t e)
{
	for (size_t k = j + 3; k < e && k - j < 200; k++)
		if (s[k] == '>' && (k + 1 == e || s[k + 1] == ' '))
			return k + 1 < e ? k + 2 : k + 1;
	return 0;
}

/* After a virtualenv's "(name) " at j, or j. */
static size_t skip_venv(const char *s, size_t j, size_t e)
{
	if (j >= e || s[j] != '(')
		return j;
	size_t k = j + 1;
	while (k < e && s[k] != ')' && s[k] != ' ' && k - j < 64)
		k++;
	return k + 1 < e && s[k] == ')' && s[k + 1] == ' ' ? k + 2 : j;
}

/* Where a prompt's sign ($ # % >) should be: after "[...]" or "user@host:~/dir"; SIZE_MAX for none. */
static size_t prompt_sign(const char *s, size_t j, size_t e)
{
	size_t p = j;
	if (j < e && s[j] == '[') {
		while (p < e && s[p] != ']' && p - j < 120)
			p++;
		return p < e && s[p] == ']' ? p + 1 : SIZE_MAX;
	}
	while (p < e && p - j < 120 &&
	       (id_char((unsigned char)s[p]) || strchr("@.:~/-+", s[p])) && s[p] != '\0')
		p++;
	return p;
}

/*
 * The prompt at the start of a console line, if there is one: "$ ",
 * "# ", "% ", "> ", "user@host:~/src$ ", "[root@box tmp]# ",
 * "(venv) $ ".  Returns the index after it (and its space), or 0; *ps
 * tells a PowerShell prompt ("PS C:\> ").
 */
static size_t console_prompt(const char *s, size_t i, size_t e, bool *ps)
{
	*ps = false;
	if (at(s, i, e, "PS ") && e - i > 3) {
		size_t p = ps_prompt(s, i, e);
		*ps = p != 0;
		return p;
	}
	size_t j = skip_venv(s, i, e);
	size_t p = prompt_sign(s, j, e);
	if (p >= e || !strchr("$#%>", s[p]) || s[p] == '\0')
		return 0;
	if (s[p] == '>' && p != j)
		return 0; /* "a>" is output, ">" alone a continuation prompt */
	if (p + 1 < e && s[p + 1] != ' ')
		return 0;
	return p + 1 < e ? p + 2 : p + 1;
}

/*
 * A session: prompt lines are commands, the rest output.  A command whose
 * line ends in '\' goes on on the next line, after a "> " prompt if any.
 */
static void lex_console(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	bool cont = false; /* the last command line ended in '\' */
	bool ps = false;

	while (i < end) {
		size_t e = eol(s, i, end);
		size_t p;
		if (cont)
			p = at(s, i, e, "> ") ? i + 2 : i;
		else
			p = console_prompt(s, i, e, &ps);
		if (p == 0) {
			tok(x, i, e, C_GO);
			i = next_line(s, e, end);
			continue;
		}
		tok(x, i, p, C_GP);
		sub_lex(x, ps ? &langs[L_PS] : lang_shell(), p, e, C_NONE);
		size_t t = e;
		while (t > p && is_blank((unsigned char)s[t - 1]))
			t--;
		cont = t > p && s[t - 1] == (ps ? '`' : '\\');
		i = next_line(s, e, end);
	}
	put(x->w, C_NONE, end);
}

/* ---- markup ---- */

static bool markup_name(unsigned char c)
{
	return id_char(c) || c == '-' || c == ':' || c == '.';
}

/* The end of an entity (&amp; &#38; &#x26;) at i, or i. */
static size_t entity_end(const char *s, size_t i, size_t end)
{
	size_t j = i + 1;
	if (j < end && s[j] == '#')
		j++;
	size_t k = j;
	while (k < end && k - j < 32 &&
	       (is_alpha((unsigned char)s[k]) || is_digit((unsigned char)s[k])))
		k++;
	return k > j && k < end && s[k] == ';' ? k + 1 : i;
}

/* The end of a markup section from i that closes with lit (after it), or end. */
static size_t until(const char *s, size_t i, size_t end, const char *lit)
{
	for (; i < end; i++)
		if (at(s, i, end, lit))
			return i + strlen(lit);
	return end;
}

/* Comments, CDATA sections, declarations (<!DOCTYPE>) and processing instructions at i; returns the end, or i. */
static size_t markup_special(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j;
	if (at(s, i, end, "<!--")) {
		j = until(s, i + 4, end, "-->");
		tok(x, i, j, C_C);
		return j;
	}
	if (at(s, i, end, "<![CDATA[")) {
		tok(x, i, i + 9, C_CP);
		j = until(s, i + 9, end, "]]>");
		if (j - i >= 12 && at(s, j - 3, end, "]]>"))
			tok(x, j - 3, j, C_CP);
		return j;
	}
	if (at(s, i, end, "<!") || at(s, i, end, "<?")) {
		j = until(s, i + 2, end, s[i + 1] == '?' ? "?>" : ">");
		tok(x, i, j, C_CP);
		return j;
	}
	return i;
}

/* An attribute's value after '=' at i, unquoted; returns its end. */
static size_t markup_bare_value(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t v = i;
	while (v < end && !strchr(" \t\r\n>\"'", s[v]) && s[v] != '\0')
		v++;
	if (v > i)
		tok(x, i, v, C_S);
	return v;
}

/*
 * One piece of a tag's attributes at i: a quoted value, '=' and a bare
 * value, a name, or a byte to pass.  Returns its end; *done at the tag's
 * end ("/>" or '>', written) or a '<' (an unclosed tag; i returned).
 */
static size_t markup_attr(struct lx *x, size_t i, size_t end, bool *done)
{
	const char *s = x->s;
	char c = s[i];
	size_t j;
	if (c == '>' || (c == '/' && i + 1 < end && s[i + 1] == '>')) {
		j = i + (c == '>' ? 1 : 2);
		tok(x, i, j, C_NT);
		*done = true;
		return j;
	}
	if (c == '<') {
		*done = true;
		return i;
	}
	if (c == '"' || c == '\'') {
		j = i + 1;
		while (j < end && s[j] != c)
			j++;
		j = j < end ? j + 1 : end;
		tok(x, i, j, C_S);
		return j;
	}
	if (c == '=') {
		tok(x, i, i + 1, C_O);
		return markup_bare_value(x, i + 1, end);
	}
	if (is_blank((unsigned char)c) || c == '\n' || c == '\r' || c == '/')
		return i + 1;
	j = i + 1; /* at least one byte: c may be a NUL */
	while (j < end && !strchr(" \t\r\n/>=\"'<", s[j]) && s[j] != '\0')
		j++;
	tok(x, i, j, C_NA);
	return j;
}

/*
 * A tag at i ('<', maybe '/', a name): its name, its attributes, and for
 * HTML's <script> and <style> their content in JavaScript or CSS.
 * Returns its end, or i + 1 when no tag starts there.
 */
static size_t markup_tag(struct lx *x, size_t i, size_t end, bool html)
{
	const char *s = x->s;
	size_t j = i + 1;
	bool closing = j < end && s[j] == '/';
	if (closing)
		j++;
	if (j >= end || !(id_start((unsigned char)s[j])))
		return i + 1;
	size_t n0 = j;
	while (j < end && markup_name((unsigned char)s[j]))
		j++;
	size_t nlen = j - n0;
	const char *inner = NULL;
	if (html && !closing && nlen == 6 && at_nocase(s, n0, end, "script"))
		inner = "</script";
	else if (html && !closing && nlen == 5 && at_nocase(s, n0, end, "style"))
		inner = "</style";
	tok(x, i, j, C_NT);
	i = j;
	bool done = false;
	while (i < end && !done)
		i = markup_attr(x, i, end, &done);
	if (inner && i < end && s[i - 1] == '>') {
		size_t k = i;
		while (k < end && !at_nocase(s, k, end, inner))
			k++;
		sub_lex(x, &langs[inner[3] == 'c' ? L_JS : L_CSS], i, k, C_NONE);
		i = k;
	}
	return i;
}

/* HTML and XML: tags, attributes, entities, comments; <script> and <style> in theirs. */
static void lex_markup(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	bool html = strcmp(x->L->id, "html") == 0;

	while (i < end) {
		char c = s[i];
		size_t j;
		if (c == '&') {
			j = entity_end(s, i, end);
			if (j > i)
				tok(x, i, j, C_SE);
			i = j > i ? j : i + 1;
			continue;
		}
		if (c != '<') {
			i++;
			continue;
		}
		j = markup_special(x, i, end);
		i = j > i ? j : markup_tag(x, i, end, html);
	}
	put(x->w, C_NONE, end);
}

/* ---- CSS ---- */

static bool css_name(unsigned char c)
{
	return id_char(c) || c == '-';
}

/* What lex_css() knows of the blocks it is in. */
struct css_state {
	uint64_t decl;  /* bit d: block at depth d+1 holds declarations */
	unsigned depth; /* blocks open */
	bool container; /* the next '{' opens @media-like rules */
};

/* A quoted string at i ('"' or '\''); returns its end. */
static size_t css_string(struct lx *x, size_t i, size_t end)
{
	char q[2] = {x->s[i], '\0'};
	struct strspec sp = {.close = q, .esc = '\\'};
	return lex_string(x, i, i + 1, end, &sp);
}

/*
 * An at-rule at i ("@media"), up to its block or ';'.  Its prelude
 * ("(min-width: 40em)", "url(x.css)") stays plain but for strings; a
 * word of the language's (@media, @supports) opens a block of rules.
 */
static size_t css_at_rule(struct lx *x, struct css_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = i + 1;
	while (j < end && css_name((unsigned char)s[j]))
		j++;
	st->container = word_find(lang_index(x->L), true, s + i + 1, j - i - 1) != 0;
	tok(x, i, j, C_K);
	while (j < end && s[j] != '{' && s[j] != ';' && s[j] != '}') {
		if (s[j] == '"' || s[j] == '\'')
			j = css_string(x, j, end);
		else
			j++;
	}
	return j;
}

/* '{', '}' or ';' at c: the blocks and what they hold follow; false for another byte. */
static bool css_structure(struct css_state *st, char c, bool in_decl)
{
	if (c == '{') {
		if (st->depth < 64) {
			bool d = in_decl || !st->container;
			st->decl = (st->decl & ~(1ull << st->depth)) | ((uint64_t)d << st->depth);
		}
		st->depth++;
		st->container = false;
		return true;
	}
	if (c == '}') {
		st->depth -= st->depth > 0;
		return true;
	}
	if (c == ';') {
		st->container = false;
		return true;
	}
	return false;
}

/* A property's name ("color:") or a function's ("rgb("), at i; returns its end. */
static size_t css_decl_name(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = i;
	while (j < end && css_name((unsigned char)s[j]))
		j++;
	size_t k = skip_blanks(s, j, end);
	if (k < end && s[k] == ':' && !(k + 1 < end && css_name((unsigned char)s[k + 1]) && k == j))
		tok(x, i, j, C_NA);
	else if (j < end && s[j] == '(')
		tok(x, i, j, C_NB);
	return j;
}

/* In a block of declarations: !important, #colours, numbers with units, names; returns the end. */
static size_t css_declaration(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[i];
	size_t j;
	if (c == '!' && at_nocase(s, i, end, "!important")) {
		tok(x, i, i + 10, C_K);
		return i + 10;
	}
	if (c == '#' && i + 1 < end && is_hex((unsigned char)s[i + 1])) {
		j = i + 1;
		while (j < end && css_name((unsigned char)s[j]))
			j++;
		tok(x, i, j, C_M);
		return j;
	}
	if (is_digit(c) || (c == '.' && i + 1 < end && is_digit((unsigned char)s[i + 1]))) {
		j = scan_number(s, i, end);
		if (j < end && s[j] == '%')
			j++;
		tok(x, i, j, C_M);
		return j;
	}
	if (css_name(c) && (i == 0 || !css_name((unsigned char)s[i - 1])))
		return css_decl_name(x, i, end);
	return i + 1;
}

/* In a selector: element names, .classes, #ids, :pseudo-classes, [attributes]; returns the end. */
static size_t css_selector(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[i];
	size_t j;
	if (css_name(c) || ((c == '.' || c == '#' || c == ':') && i + 1 < end &&
	                    (css_name((unsigned char)s[i + 1]) || s[i + 1] == ':'))) {
		j = i + 1;
		while (j < end &&
		       (css_name((unsigned char)s[j]) || (s[j] == ':' && c == ':' && j == i + 1)))
			j++;
		tok(x, i, j, C_NT);
		return j;
	}
	if (c == '[') {
		j = i + 1;
		while (j < end && css_name((unsigned char)s[j]))
			j++;
		tok(x, i + 1, j, C_NA);
		return j;
	}
	return i + 1;
}

static void lex_css(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct css_state st = {0, 0, false};

	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		bool in_decl = st.depth > 0 && st.depth <= 64 && (st.decl >> (st.depth - 1) & 1);

		if (at(s, i, end, "/*")) {
			size_t j = until(s, i + 2, end, "*/");
			tok(x, i, j, C_C);
			i = j;
		} else if (c == '"' || c == '\'') {
			i = css_string(x, i, end);
		} else if (c == '@' && i + 1 < end && css_name((unsigned char)s[i + 1])) {
			i = css_at_rule(x, &st, i, end);
		} else if (css_structure(&st, s[i], in_decl)) {
			i++;
		} else {
			i = in_decl ? css_declaration(x, i, end) : css_selector(x, i, end);
		}
	}
	put(x->w, C_NONE, end);
}

/* ---- data: JSON, YAML, TOML ---- */

/* The end of a one-line "..." string at i (after the quote), escapes skipped. */
static size_t dq_end(const char *s, size_t i, size_t end)
{
	size_t j = i + 1;
	while (j < end && s[j] != '"' && s[j] != '\n' && s[j] != '\r')
		j += s[j] == '\\' && j + 1 < end && s[j + 1] != '\n' ? 2 : 1;
	return j < end && s[j] == '"' ? j + 1 : j;
}

static void lex_json(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct strspec sp = {.close = "\"", .esc = '\\'};

	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		size_t j;
		if (c == '"') {
			j = dq_end(s, i, end);
			size_t k = skip_blanks(s, j, end);
			if (k < end && s[k] == ':') {
				tok(x, i, j, C_NA);
				i = j;
			} else {
				i = lex_string(x, i, i + 1, end, &sp);
			}
			continue;
		}
		if (at(s, i, end, "//")) {
			j = eol(s, i, end);
			tok(x, i, j, C_C);
			i = j;
			continue;
		}
		if (at(s, i, end, "/*")) {
			j = until(s, i + 2, end, "*/");
			tok(x, i, j, C_C);
			i = j;
			continue;
		}
		if (is_digit(c) || (c == '-' && i + 1 < end && is_digit((unsigned char)s[i + 1]))) {
			j = scan_number(s, i + (c == '-'), end);
			tok(x, i, j, C_M);
			i = j;
			continue;
		}
		if (is_alpha(c)) {
			j = scan_ident(s, i, end);
			if ((j - i == 4 && (at(s, i, end, "true") || at(s, i, end, "null"))) ||
			    (j - i == 5 && at(s, i, end, "false")))
				tok(x, i, j, C_KC);
			i = j;
			continue;
		}
		i++;
	}
	put(x->w, C_NONE, end);
}

/* A YAML or TOML scalar written plainly: a constant, a number or text. */
static int scalar_class(const char *s, size_t i, size_t j, bool yaml)
{
	static const char *const yaml_consts[] = {"true", "false", "null", "~", "yes",
	                                          "no",   "on",    "off",  NULL};
	size_t n = j - i;
	for (size_t k = 0; yaml && yaml_consts[k]; k++)
		if (strlen(yaml_consts[k]) == n && at_nocase(s, i, j, yaml_consts[k]))
			return C_KC;
	if (!yaml && ((n == 4 && at(s, i, j, "true")) || (n == 5 && at(s, i, j, "false"))))
		return C_KC;
	size_t k = i;
	if (k < j && (s[k] == '-' || s[k] == '+'))
		k++;
	if (at_nocase(s, k, j, ".inf") || at_nocase(s, k, j, ".nan") || at(s, k, j, "inf") ||
	    at(s, k, j, "nan"))
		return j - k <= 4 ? C_M : C_NONE;
	if (k >= j || !is_digit((unsigned char)s[k]))
		return C_NONE;
	for (; k < j; k++)
		if (!(is_hex((unsigned char)s[k]) || strchr("xXoO_.:+-tTzZ ", s[k])) ||
		    s[k] == '\0')
			return C_NONE;
	return C_M;
}

/*
 * The start of a YAML line at a (its first non-blank; i the line's
 * start): a document marker (--- or ...) and the indicators of sequence
 * entries and complex keys ("- ", "? ").  Returns where the rest begins;
 * SIZE_MAX when the line was a directive (%YAML), written whole.
 */
static size_t yaml_line_start(struct lx *x, size_t i, size_t a, size_t e)
{
	const char *s = x->s;
	if (a == i && (at(s, a, e, "---") || at(s, a, e, "...")) &&
	    (a + 3 == e || is_blank((unsigned char)s[a + 3]))) {
		tok(x, a, a + 3, C_CP);
		a = skip_blanks(s, a + 3, e);
	} else if (a == i && a < e && s[a] == '%') {
		tok(x, a, e, C_CP);
		return SIZE_MAX;
	}
	while (a + 1 < e && (s[a] == '-' || s[a] == '?') && is_blank((unsigned char)s[a + 1])) {
		tok(x, a, a + 1, C_O);
		a = skip_blanks(s, a + 1, e);
	}
	if (a + 1 == e && s[a] == '-') {
		tok(x, a, e, C_O);
		a = e;
	}
	return a;
}

/* A key at a: a plain or quoted scalar before ": " or a final ':'.  Returns where the value begins.
 */
static size_t yaml_key(struct lx *x, size_t a, size_t e)
{
	const char *s = x->s;
	size_t k = a;
	if (k < e && (s[k] == '"' || s[k] == '\'')) {
		char q = s[k];
		k++;
		while (k < e && s[k] != q)
			k++;
		k = k < e ? k + 1 : e;
	} else if (k < e && !strchr("#&*!|>[{\"'%@`", s[k])) {
		while (k < e &&
		       !(s[k] == ':' && (k + 1 == e || is_blank((unsigned char)s[k + 1]))) &&
		       !(s[k] == '#' && is_blank((unsigned char)s[k - 1])))
			k++;
	}
	if (k < e && s[k] == ':' && (k + 1 == e || is_blank((unsigned char)s[k + 1])) && k > a) {
		tok(x, a, k, C_NA);
		return k + 1;
	}
	return a;
}

/* Anchors (&a), aliases (*a) and tags (!t) at a; returns the end. */
static size_t yaml_property(struct lx *x, size_t a, size_t e)
{
	const char *s = x->s;
	size_t j = a + 1;
	while (j < e && !is_blank((unsigned char)s[j]) && !strchr(",[]{}", s[j]))
		j++;
	tok(x, a, j, s[a] == '!' ? C_KT : C_NV);
	return j;
}

/* A plain scalar at a, up to a comment or a flow indicator; its class by scalar_class(). */
static size_t yaml_plain(struct lx *x, size_t a, size_t e)
{
	const char *s = x->s;
	size_t j = a;
	while (j < e && !(is_blank((unsigned char)s[j]) && j + 1 < e && s[j + 1] == '#') &&
	       !strchr(",[]{}", s[j]))
		j++;
	size_t t = j;
	while (t > a && is_blank((unsigned char)s[t - 1]))
		t--;
	tok(x, a, t, scalar_class(s, a, t, true));
	return j;
}

/* A block scalar's indicator at a: '|' or '>' at the end, or before +, -, a digit, a blank. */
static bool yaml_block_start(const char *s, size_t a, size_t e)
{
	return (s[a] == '|' || s[a] == '>') &&
	       (a + 1 == e || (s[a + 1] != '\0' && strchr("+-0123456789 \t#", s[a + 1])));
}

/*
 * The token of a value at a (i: the line's start, for comments), or
 * SIZE_MAX after a comment, which ends the line.  A block scalar's
 * indicator sets *block to the line's indent.
 */
static size_t yaml_value_token(struct lx *x, size_t i, size_t a, size_t e, size_t indent,
                               size_t *block)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[a];
	if (is_blank(c) || strchr("[]{},", c))
		return a + 1;
	if (c == '#' && (a == i || is_blank((unsigned char)s[a - 1]))) {
		tok(x, a, e, C_C);
		return SIZE_MAX;
	}
	if (c == '&' || c == '*' || c == '!')
		return yaml_property(x, a, e);
	if (c == '"') {
		struct strspec sp = {.close = "\"", .esc = '\\'};
		return lex_string(x, a, a + 1, e, &sp);
	}
	if (c == '\'') {
		struct strspec sp = {.close = "'", .dbl = true};
		return lex_string(x, a, a + 1, e, &sp);
	}
	if (yaml_block_start(s, a, e)) {
		size_t j = a + 1;
		while (j < e && strchr("+-0123456789", s[j]) && s[j] != '\0')
			j++;
		tok(x, a, j, C_O);
		*block = indent;
		return j;
	}
	return yaml_plain(x, a, e);
}

/* YAML: keys, comments, anchors and aliases, tags, quoted and block scalars. */
static void lex_yaml(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t block = SIZE_MAX; /* in a block scalar: lines indented more than this */

	while (i < end) {
		size_t e = eol(s, i, end);
		size_t a = skip_blanks(s, i, e);
		size_t indent = a - i;
		if (block != SIZE_MAX) {
			if (a == e || indent > block) {
				tok(x, a, e, C_S);
				i = next_line(s, e, end);
				continue;
			}
			block = SIZE_MAX;
		}
		a = yaml_line_start(x, i, a, e);
		if (a != SIZE_MAX)
			a = yaml_key(x, a, e);
		while (a < e)
			a = yaml_value_token(x, i, a, e, indent, &block);
		i = next_line(s, e, end);
	}
	put(x->w, C_NONE, end);
}

/* What lex_toml() knows between tokens. */
struct toml_state {
	char stack[64]; /* open '[' and '{' */
	size_t depth;
	bool key; /* a key may come next */
};

/* A table's header, [name] or [[name]], first on its line; returns its end. */
static size_t toml_table(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = i;
	while (j < end && s[j] != '\n' && s[j] != '#' &&
	       !(s[j] == ']' && !(j + 1 < end && s[j + 1] == ']')))
		j++;
	j = j < end && s[j] == ']' ? j + 1 : j;
	tok(x, i, j, C_NT);
	return j;
}

/* A key and its '=' at i, when the line has one before any comment; returns their end, or i. */
static size_t toml_key(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	size_t j = i;
	while (j < end && s[j] != '=' && s[j] != '\n' && s[j] != '#')
		j++;
	if (j >= end || s[j] != '=')
		return i;
	size_t t = j;
	while (t > i && is_blank((unsigned char)s[t - 1]))
		t--;
	tok(x, i, t, C_NA);
	tok(x, j, j + 1, C_O);
	return j + 1;
}

/* Strings: "..." and '...' (literal), tripled over lines; returns the end. */
static size_t toml_string(struct lx *x, size_t i, size_t end)
{
	char c = x->s[i];
	char q[4] = {c, c, c, '\0'};
	bool triple = at(x->s, i, end, q);
	q[triple ? 3 : 1] = '\0';
	struct strspec sp = {.close = q, .esc = c == '"' ? '\\' : 0, .multiline = triple};
	return lex_string(x, i, i + (triple ? 3 : 1), end, &sp);
}

/* Arrays and inline tables: [ { ] } and ','; false for another byte. */
static bool toml_bracket(struct toml_state *st, char c)
{
	if (c == '[' || c == '{') {
		if (st->depth < sizeof(st->stack))
			st->stack[st->depth] = c;
		st->depth++;
		st->key = c == '{';
		return true;
	}
	if (c == ']' || c == '}') {
		st->depth -= st->depth > 0;
		return true;
	}
	if (c == ',') {
		st->key = st->depth > 0 && st->depth <= sizeof(st->stack) &&
		          st->stack[st->depth - 1] == '{';
		return true;
	}
	return false;
}

/* The token at i (no line end or blank): a comment, a table, a key, a string, a scalar; returns its
 * end. */
static size_t toml_token(struct lx *x, struct toml_state *st, size_t i, size_t end)
{
	const char *s = x->s;
	unsigned char c = (unsigned char)s[i];
	size_t j;
	if (c == '#') {
		j = eol(s, i, end);
		tok(x, i, j, C_C);
		return j;
	}
	if (c == '[' && st->depth == 0 && st->key) {
		st->key = false;
		return toml_table(x, i, end);
	}
	if (st->key && (id_char(c) || c == '-' || c == '"' || c == '\'')) {
		st->key = false;
		j = toml_key(x, i, end);
		if (j > i)
			return j;
	}
	if (c == '"' || c == '\'')
		return toml_string(x, i, end);
	if (toml_bracket(st, s[i]))
		return i + 1;
	if (id_char(c) || c == '+' || c == '-') {
		j = i + 1;
		while (j < end && (id_char((unsigned char)s[j]) || strchr(":.+-", s[j])) &&
		       s[j] != '\0')
			j++;
		tok(x, i, j, scalar_class(s, i, j, false));
		return j;
	}
	return i + 1;
}

/* TOML: [tables], keys, strings of four kinds, numbers and dates, arrays over lines. */
static void lex_toml(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct toml_state st = {.depth = 0, .key = true};

	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r') {
			i++;
			st.key = st.depth == 0;
		} else if (is_blank(c)) {
			i++;
		} else {
			i = toml_token(x, &st, i, end);
		}
	}
	put(x->w, C_NONE, end);
}

/* ---- line-shaped formats: diff, Dockerfile, Makefile, Markdown ---- */

static void lex_diff(struct lx *x, size_t i, size_t end)
{
	static const char *const headers[] = {
	    "diff ",         "index ",  "new file", "deleted file", "similarity",
	    "dissimilarity", "rename ", "copy ",    "old mode",     "new mode",
	    "Binary files",  "From ",   "From:",    "Date:",        "Subject:",
	    "commit ",       "Author:", "Only in ", NULL,
	};
	const char *s = x->s;
	bool minus_header = false;

	while (i < end) {
		size_t e = eol(s, i, end);
		size_t nl = next_line(s, e, end);
		int cls = C_NONE;
		for (size_t k = 0; headers[k] && cls == C_NONE; k++)
			if (at(s, i, e, headers[k]))
				cls = C_GH;
		if (cls == C_NONE) {
			if ((at(s, i, e, "--- ") && at(s, nl, end, "+++ ")) ||
			    (at(s, i, e, "+++ ") && minus_header))
				cls = C_GH;
			else if (at(s, i, e, "@@"))
				cls = C_GU;
			else if (i < e && s[i] == '+')
				cls = C_GI;
			else if (i < e && s[i] == '-')
				cls = C_GD;
			else if (i < e && s[i] == '\\')
				cls = C_C;
		}
		minus_header = cls == C_GH && at(s, i, e, "--- ");
		tok(x, i, e, cls);
		i = nl;
	}
	put(x->w, C_NONE, end);
}

/* The end of a logical line at i: lines that end in '\' go on. */
static size_t logical_eol(const char *s, size_t i, size_t end)
{
	for (;;) {
		size_t e = eol(s, i, end);
		size_t t = e;
		while (t > i && is_blank((unsigned char)s[t - 1]))
			t--;
		if (e >= end || t == i || s[t - 1] != '\\')
			return e;
		i = next_line(s, e, end);
	}
}

/* Words, strings and $variables in a line that is no command. */
static void lex_words(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	struct strspec dq = {.close = "\"", .esc = '\\', .interp = I_SHELL};

	while (i < end) {
		char c = s[i];
		if (c == '"') {
			i = lex_string(x, i, i + 1, end, &dq);
		} else if (c == '\'') {
			struct strspec sq = {.close = "'"};
			i = lex_string(x, i, i + 1, end, &sq);
		} else if (c == '$') {
			size_t j = shell_dollar(x, i, end, C_NONE);
			i = j > i ? j : i + 1;
		} else if (c == '-' && i + 2 < end && s[i + 1] == '-' &&
		           (i == 0 || is_blank((unsigned char)s[i - 1]))) {
			size_t j = i + 2;
			while (j < end && (id_char((unsigned char)s[j]) || s[j] == '-'))
				j++;
			tok(x, i, j, C_NA);
			i = j;
		} else {
			i++;
		}
	}
	put(x->w, C_NONE, end);
}

/* FROM's arguments: the image, and "AS name" with AS a keyword. */
static void docker_from(struct lx *x, size_t k, size_t le)
{
	const char *s = x->s;
	while (k < le) {
		size_t b = k;
		while (b < le && !is_blank((unsigned char)s[b]))
			b++;
		if (b - k == 2 && at_nocase(s, k, le, "as"))
			tok(x, k, b, C_K);
		else
			lex_words(x, k, b);
		k = skip_blanks(s, b, le);
	}
}

/* The arguments r..le of an instruction whose word is wv: a command (shell or JSON), FROM's, words. */
static void docker_args(struct lx *x, unsigned wv, size_t r, size_t le)
{
	const char *s = x->s;
	if (wv & W_FN) { /* RUN, CMD, ENTRYPOINT, SHELL: shell or JSON */
		while (at(s, r, le, "--")) { /* RUN --mount=... */
			size_t o = r;
			while (o < le && !is_blank((unsigned char)s[o]))
				o++;
			lex_words(x, r, o);
			r = skip_blanks(s, o, le);
		}
		sub_lex(x, &langs[r < le && s[r] == '[' ? L_JSON : L_SH], r, le, C_NONE);
	} else if (wv & W_TYPE) { /* FROM image AS name */
		docker_from(x, r, le);
	} else {
		lex_words(x, r, le);
	}
}

/*
 * A comment line at a ('#'): a parser directive ("# syntax=...") while
 * directives may still come (before anything else), else a comment.
 */
static void docker_comment(struct lx *x, size_t a, size_t e, bool directives)
{
	const char *s = x->s;
	size_t k = scan_ident(s, skip_blanks(s, a + 1, e), e);
	bool directive = directives && k < e && s[k] == '=';
	tok(x, a, e, directive ? C_CP : C_C);
}

static void lex_dockerfile(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	const unsigned lid = lang_index(x->L);
	bool directives = true; /* "# syntax=..." is a directive only before anything else */

	while (i < end) {
		size_t a = skip_blanks(s, i, end);
		size_t e = eol(s, a, end);
		if (a == e || s[a] == '#') {
			if (a < e)
				docker_comment(x, a, e, directives);
			i = next_line(s, e, end);
			continue;
		}
		directives = false;
		size_t le = logical_eol(s, a, end);
		size_t w = scan_ident(s, a, le);
		unsigned wv = word_find(lid, true, s + a, w - a);
		if ((wv & W_CLS) != C_K) {
			lex_words(x, a, le);
		} else {
			tok(x, a, w, C_K);
			docker_args(x, wv, skip_blanks(s, w, le), le);
		}
		i = next_line(s, le, end);
	}
	put(x->w, C_NONE, end);
}

/* $(VAR), ${VAR}, $@ and the other automatic variables, in make's sense. */
static size_t make_var(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	if (i + 1 >= end)
		return i + 1;
	char n1 = s[i + 1];
	size_t j;
	if (n1 == '(' || n1 == '{') {
		j = find_close(s, i + 2, end, n1, n1 == '(' ? ')' : '}', true);
		if (j == SIZE_MAX)
			return i + 1;
		j++;
	} else if (n1 == '$') {
		return i + 2;
	} else if (strchr("@<^?*%+|", n1) && n1 != '\0') {
		j = i + 2;
	} else {
		return i + 1;
	}
	tok(x, i, j, C_NV);
	return j;
}

static void lex_make_words(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	while (i < end) {
		if (s[i] == '$') {
			i = make_var(x, i, end);
		} else if (s[i] == '#' && (i == 0 || s[i - 1] != '\\')) {
			size_t e = eol(s, i, end);
			tok(x, i, e, C_C);
			i = e;
		} else {
			i++;
		}
	}
}

/* A recipe line at i (a tab first): its @ - + prefixes, then the shell, with make's variables. */
static void make_recipe(struct lx *x, size_t i, size_t e)
{
	const char *s = x->s;
	size_t r = i + 1;
	while (r < e && (s[r] == '@' || s[r] == '-' || s[r] == '+'))
		r++;
	tok(x, i + 1, r, C_O);
	bool saved = x->make;
	x->make = true;
	sub_lex(x, lang_shell(), r, e, C_NONE);
	x->make = saved;
}

/* A line at a that is neither recipe nor directive: NAME op value, or targets: prerequisites. */
static void make_rule(struct lx *x, size_t a, size_t e)
{
	const char *s = x->s;
	size_t k = a;
	while (k < e && !strchr(":=?+!#", s[k]) && s[k] != '\0')
		k = s[k] == '$' ? make_var(x, k, e) : k + 1;
	size_t t = k;
	while (t > a && is_blank((unsigned char)s[t - 1]))
		t--;
	size_t op = k;
	while (op < e && strchr(":?+!", s[op]) && s[op] != '\0' && op - k < 3)
		op++;
	if (op < e && s[op] == '=' && t > a) {
		tok(x, a, t, C_NV);
		tok(x, k, op + 1, C_O);
		lex_make_words(x, op + 1, e);
	} else if (k < e && s[k] == ':' && t > a) {
		tok(x, a, t, C_NF);
		size_t c2 = k + 1 + (k + 1 < e && s[k + 1] == ':');
		tok(x, k, c2, C_O);
		lex_make_words(x, c2, e);
	} else {
		lex_make_words(x, a, e);
	}
}

/* Inside define ... endef: only the endef at a is a keyword; true when it ends the definition. */
static bool make_endef(struct lx *x, size_t a, size_t e)
{
	size_t w = scan_ident(x->s, a, e);
	if (w - a != 6 || !at(x->s, a, e, "endef"))
		return false;
	tok(x, a, w, C_K);
	return true;
}

/*
 * A directive at a (include, ifeq, define...): true, with *define set when
 * it opens a definition; false when the line starts with no directive.
 */
static bool make_directive(struct lx *x, size_t a, size_t e, bool *define)
{
	const char *s = x->s;
	size_t w = a;
	while (w < e && (id_char((unsigned char)s[w]) || s[w] == '-'))
		w++;
	unsigned wv = word_find(lang_index(x->L), false, s + a, w - a);
	if ((wv & W_CLS) != C_K)
		return false;
	tok(x, a, w, C_K);
	*define = w - a == 6 && at(s, a, e, "define");
	lex_make_words(x, w, e);
	return true;
}

static void lex_make(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	bool define = false;

	while (i < end) {
		size_t e = logical_eol(s, i, end);
		size_t a = skip_blanks(s, i, e);
		if (define) {
			define = !make_endef(x, a, e);
		} else if (i < e && s[i] == '\t') { /* a recipe */
			make_recipe(x, i, e);
		} else if (a < e && s[a] == '#') {
			tok(x, a, e, C_C);
		} else if (!make_directive(x, a, e, &define)) {
			make_rule(x, a, e);
		}
		i = next_line(s, e, end);
	}
	put(x->w, C_NONE, end);
}

/* The end of an inline span that closes with the run s[i..i+n) on this line, or 0. */
static size_t md_close(const char *s, size_t i, size_t n, size_t e)
{
	if (i + n >= e || is_blank((unsigned char)s[i + n]))
		return 0;
	for (size_t j = i + n; j + n <= e; j++) {
		if (s[j] == '\\') {
			j++;
			continue;
		}
		if (memcmp(s + j, s + i, n) == 0 && !is_blank((unsigned char)s[j - 1]) &&
		    !(j + n < e && s[j + n] == s[i]))
			return j + n;
	}
	return 0;
}

/* A code span at i (a run of '`' closed by the same run on the line); returns its end. */
static size_t md_code_span(struct lx *x, size_t i, size_t e)
{
	const char *s = x->s;
	size_t n = 1, j;
	while (i + n < e && s[i + n] == '`')
		n++;
	for (j = i + n; j + n <= e; j++)
		if (memcmp(s + j, s + i, n) == 0)
			break;
	if (j + n > e)
		return i + n;
	tok(x, i, j + n, C_S);
	return j + n;
}

/* Emphasis at i: *x* or _x_ (em), **x** or __x__ (strong); returns its end, or past the run. */
static size_t md_emphasis(struct lx *x, size_t i, size_t e)
{
	const char *s = x->s;
	size_t n = i + 1 < e && s[i + 1] == s[i] ? 2 : 1;
	size_t j = md_close(s, i, n, e);
	if (j == 0)
		return i + n;
	tok(x, i, j, n == 2 ? C_GS : C_GE);
	return j;
}

/* A link's (url) after ']' at i, or an autolink <https://...> at i; returns its end, or i. */
static size_t md_link(struct lx *x, size_t i, size_t e)
{
	const char *s = x->s;
	size_t j;
	if (s[i] == ']' && i + 1 < e && s[i + 1] == '(') {
		j = find_close(s, i + 2, e, '(', ')', true);
		if (j == SIZE_MAX)
			return i;
		tok(x, i + 1, j + 1, C_NA);
		return j + 1;
	}
	if (s[i] != '<' || !(at(s, i + 1, e, "http://") || at(s, i + 1, e, "https://")))
		return i;
	j = i + 1;
	while (j < e && s[j] != '>' && !is_blank((unsigned char)s[j]))
		j++;
	if (j >= e || s[j] != '>')
		return i;
	tok(x, i, j + 1, C_NA);
	return j + 1;
}

static void md_inline(struct lx *x, size_t i, size_t e)
{
	const char *s = x->s;
	while (i < e) {
		char c = s[i];
		if (c == '\\' && i + 1 < e && strchr("\\`*_{}[]()#+-.!<>|~", s[i + 1]) &&
		    s[i + 1] != '\0') {
			tok(x, i, i + 2, C_SE);
			i += 2;
		} else if (c == '`') {
			i = md_code_span(x, i, e);
		} else if ((c == '*' || c == '_') &&
		           !(c == '_' && i > 0 && id_char((unsigned char)s[i - 1]))) {
			i = md_emphasis(x, i, e);
		} else {
			size_t j = md_link(x, i, e);
			i = j > i ? j : i + 1;
		}
	}
}

/*
 * A fence line at a (``` or ~~~, up to three blanks in): it opens a fenced
 * block, or closes the open one (*fence, *fence_len) with a run as long;
 * written as a string.  False when the line is no fence.
 */
static bool md_fence(struct lx *x, size_t i, size_t a, size_t e, char *fence, size_t *fence_len)
{
	const char *s = x->s;
	if (a - i > 3 || a + 2 >= e || (s[a] != '`' && s[a] != '~') || s[a + 1] != s[a] ||
	    s[a + 2] != s[a])
		return false;
	size_t n = 0;
	while (a + n < e && s[a + n] == s[a])
		n++;
	if (!*fence) {
		*fence = s[a];
		*fence_len = n;
	} else if (s[a] == *fence && n >= *fence_len && skip_blanks(s, a + n, e) == e) {
		*fence = 0;
	}
	tok(x, a, e, C_S);
	return true;
}

/* A line that is a heading (# ...), a rule (--- *** ___) or a setext underline (=== ---): written whole. */
static bool md_whole_line(struct lx *x, size_t i, size_t a, size_t e)
{
	const char *s = x->s;
	if (a < e && s[a] == '#') {
		size_t h = a;
		while (h < e && s[h] == '#')
			h++;
		if (h - a <= 6 && (h == e || is_blank((unsigned char)s[h]))) {
			tok(x, a, e, C_GH);
			return true;
		}
	}
	if (a >= e || s[a] == '\0' || !strchr("=-*_", s[a]))
		return false;
	size_t k = a, n = 0;
	while (k < e && (s[k] == s[a] || is_blank((unsigned char)s[k])))
		n += s[k++] == s[a];
	if (k != e || (n < 3 && s[a] != '='))
		return false;
	tok(x, a, e, s[a] == '=' || (s[a] == '-' && a == i) ? C_GH : C_O);
	return true;
}

/* Block quotes' '>' and a list item's marker (- * + or 1. 1)) at a; returns where the text begins. */
static size_t md_markers(struct lx *x, size_t a, size_t e)
{
	const char *s = x->s;
	while (a < e && s[a] == '>') {
		tok(x, a, a + 1, C_O);
		a = skip_blanks(s, a + 1, e);
	}
	if (a + 1 < e && strchr("-*+", s[a]) && s[a] != '\0' && is_blank((unsigned char)s[a + 1])) {
		tok(x, a, a + 1, C_O);
		return a + 2;
	}
	size_t d = a;
	while (d < e && is_digit((unsigned char)s[d]) && d - a < 9)
		d++;
	if (d > a && d + 1 < e && (s[d] == '.' || s[d] == ')') && is_blank((unsigned char)s[d + 1])) {
		tok(x, a, d + 1, C_O);
		return d + 1;
	}
	return a;
}

static void lex_markdown(struct lx *x, size_t i, size_t end)
{
	const char *s = x->s;
	char fence = 0; /* '`' or '~' inside a fenced block */
	size_t fence_len = 0;

	while (i < end) {
		size_t e = eol(s, i, end);
		size_t a = skip_blanks(s, i, e);
		size_t nl = next_line(s, e, end);
		if (md_fence(x, i, a, e, &fence, &fence_len)) {
			/* written */
		} else if (fence) {
			tok(x, i, e, C_S);
		} else if (!md_whole_line(x, i, a, e)) {
			md_inline(x, md_markers(x, a, e), e);
		}
		i = nl;
	}
	put(x->w, C_NONE, end);
}

/* ---- the languages ---- */

/* The tables keep their hand layout. */
// clang-format off
#define C_TYPES                                                                                    \
	"char double float int long short signed unsigned void _Bool _Complex bool size_t ssize_t " \
	"ptrdiff_t intptr_t uintptr_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t "   \
	"uint64_t wchar_t off_t pid_t FILE va_list"
#define C_KEYWORDS                                                                                 \
	"auto break case const continue default do else extern for goto if inline register "       \
	"restrict return sizeof static switch typedef volatile while _Alignas _Alignof _Atomic "   \
	"_Generic _Noreturn _Static_assert _Thread_local alignas alignof static_assert "            \
	"thread_local typeof"
#define JS_KEYWORDS                                                                                \
	"break case catch class const continue debugger default delete do else export extends "    \
	"finally for function if import in instanceof let new of return static super switch this " \
	"throw try typeof var void while with yield async await from as"
#define JS_BUILTINS                                                                                \
	"Array Boolean Date Error Function JSON Map Math Number Object Promise Proxy Reflect "      \
	"RegExp Set String Symbol WeakMap WeakSet BigInt console document window globalThis "      \
	"require module exports process parseInt parseFloat isNaN fetch setTimeout setInterval"

static const struct lang langs[L__MAX] = {
    [L_RUST] = {
        .id = "rust", .label = "Rust", .aliases = "rs", .lex = lex_code,
        .words = {
            [C_K] = "as async await break const continue crate dyn else enum extern fn for if "
                    "impl in let loop match mod move mut pub ref return self static struct super "
                    "trait type unsafe use where while yield union macro_rules",
            [C_KT] = "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str "
                     "Self",
            [C_KC] = "true false",
            [C_NB] = "Some None Ok Err",
        },
        .fn_kw = "fn", .type_kw = "struct enum trait union type",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_CHAR | F_RUST | F_CAP_TYPES | F_NESTED | F_DQ_LINES,
    },
    [L_C] = {
        .id = "c", .label = "C", .aliases = "h", .lex = lex_code,
        .words = {
            [C_K] = C_KEYWORDS " struct union enum",
            [C_KT] = C_TYPES,
            [C_KC] = "NULL true false nullptr EOF",
            [C_NB] = "stdin stdout stderr errno",
        },
        .type_kw = "struct union enum",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_PREPROC | F_SQ_CHAR | F_CPP,
    },
    [L_CPP] = {
        .id = "cpp", .label = "C++", .aliases = "c++ cc cxx hpp hh hxx", .lex = lex_code,
        .words = {
            [C_K] = C_KEYWORDS " struct union enum and and_eq asm bitand bitor catch class "
                    "co_await co_return co_yield compl concept const_cast consteval constexpr "
                    "constinit decltype delete dynamic_cast explicit export friend mutable "
                    "namespace new noexcept not not_eq operator or or_eq private protected "
                    "public reinterpret_cast requires static_cast template this throw try typeid "
                    "typename using virtual xor xor_eq override final",
            [C_KT] = C_TYPES " char8_t char16_t char32_t string string_view vector map set "
                     "unordered_map unordered_set unique_ptr shared_ptr weak_ptr optional "
                     "variant array span pair tuple",
            [C_KC] = "NULL true false nullptr",
            [C_NB] = "std cout cerr cin endl move forward make_unique make_shared",
        },
        .type_kw = "struct union enum class",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_PREPROC | F_SQ_CHAR | F_CPP,
    },
    [L_GO] = {
        .id = "go", .label = "Go", .aliases = "golang", .lex = lex_code,
        .words = {
            [C_K] = "break case chan const continue default defer else fallthrough for func go "
                    "goto if import interface map package range return select struct switch "
                    "type var",
            [C_KT] = "bool byte complex64 complex128 error float32 float64 int int8 int16 "
                     "int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any "
                     "comparable",
            [C_KC] = "true false iota nil",
            [C_NB] = "append cap clear close complex copy delete imag len make max min new "
                     "panic print println real recover",
        },
        .fn_kw = "func", .type_kw = "type",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_CHAR | F_BT_RAW,
    },
    [L_PYTHON] = {
        .id = "python", .label = "Python", .aliases = "py python3 py3", .lex = lex_code,
        .words = {
            [C_K] = "and as assert async await break class continue def del elif else except "
                    "finally for from global if import in is lambda nonlocal not or pass raise "
                    "return try while with yield",
            [C_KT] = "Exception BaseException ValueError TypeError KeyError IndexError "
                     "RuntimeError OSError IOError StopIteration AttributeError ImportError "
                     "NotImplementedError ZeroDivisionError FileNotFoundError",
            [C_KC] = "True False None NotImplemented Ellipsis __debug__",
            [C_NB] = "abs all any ascii bin bool breakpoint bytearray bytes callable chr "
                     "classmethod compile complex delattr dict dir divmod enumerate eval exec "
                     "filter float format frozenset getattr globals hasattr hash help hex id "
                     "input int isinstance issubclass iter len list locals map max memoryview "
                     "min next object oct open ord pow print property range repr reversed "
                     "round set setattr slice sorted staticmethod str sum super tuple type vars "
                     "zip self cls __name__ __init__",
        },
        .fn_kw = "def", .type_kw = "class",
        .line_c = "#",
        .flags = F_SQ_STR | F_TRIPLE | F_PY | F_AT_DECOR,
    },
    [L_JS] = {
        .id = "javascript", .label = "JavaScript", .aliases = "js jsx mjs cjs node",
        .lex = lex_code,
        .words = {
            [C_K] = JS_KEYWORDS,
            [C_KC] = "true false null undefined NaN Infinity",
            [C_NB] = JS_BUILTINS,
        },
        .fn_kw = "function", .type_kw = "class",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_STR | F_BT_TEMPLATE | F_REGEX | F_DOLLAR_ID | F_CAP_TYPES,
    },
    [L_TS] = {
        .id = "typescript", .label = "TypeScript", .aliases = "ts tsx mts", .lex = lex_code,
        .words = {
            [C_K] = JS_KEYWORDS " abstract asserts declare enum implements interface keyof "
                    "namespace private protected public readonly type infer is satisfies "
                    "override module unique",
            [C_KT] = "any boolean number string symbol unknown never void object bigint "
                     "Record Partial Required Readonly Pick Omit",
            [C_KC] = "true false null undefined NaN Infinity",
            [C_NB] = JS_BUILTINS,
        },
        .fn_kw = "function", .type_kw = "class interface type enum",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_STR | F_BT_TEMPLATE | F_REGEX | F_DOLLAR_ID | F_AT_DECOR | F_CAP_TYPES,
    },
    [L_JAVA] = {
        .id = "java", .label = "Java", .aliases = "", .lex = lex_code,
        .words = {
            [C_K] = "abstract assert break case catch class const continue default do else "
                    "enum extends final finally for goto if implements import instanceof "
                    "interface native new package private protected public return static "
                    "strictfp super switch synchronized this throw throws transient try "
                    "volatile while var record sealed permits yield",
            [C_KT] = "boolean byte char double float int long short void",
            [C_KC] = "true false null",
            [C_NB] = "System",
        },
        .type_kw = "class interface enum record",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_CHAR | F_TRIPLE | F_AT_DECOR | F_CAP_TYPES,
    },
    [L_KOTLIN] = {
        .id = "kotlin", .label = "Kotlin", .aliases = "kt kts", .lex = lex_code,
        .words = {
            [C_K] = "as break class continue do else for fun if in interface is object package "
                    "return super this throw try typealias typeof val var when while by catch "
                    "constructor finally get import init set where actual abstract annotation "
                    "companion const crossinline data enum expect external final infix inline "
                    "inner internal lateinit noinline open operator out override private "
                    "protected public reified sealed suspend tailrec vararg value",
            [C_KC] = "true false null",
            [C_NB] = "println print listOf mapOf setOf mutableListOf mutableMapOf arrayOf "
                     "require check error lazy emptyList to",
        },
        .fn_kw = "fun", .type_kw = "class interface object typealias",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_SQ_CHAR | F_TRIPLE | F_AT_DECOR | F_CAP_TYPES | F_NESTED | F_BT_NAME,
        .interp = I_KOTLIN,
    },
    [L_SWIFT] = {
        .id = "swift", .label = "Swift", .aliases = "", .lex = lex_code,
        .words = {
            [C_K] = "associatedtype class deinit enum extension fileprivate func import init "
                    "inout internal let open operator private precedencegroup protocol public "
                    "rethrows static struct subscript typealias var break case catch continue "
                    "default defer do else fallthrough for guard if in repeat return throw "
                    "switch where while as is try await async throws super self some any actor "
                    "mutating nonmutating override final lazy weak unowned convenience required "
                    "dynamic optional indirect get set willSet didSet",
            [C_KT] = "Self",
            [C_KC] = "true false nil",
            [C_NB] = "print debugPrint fatalError precondition assert min max abs zip stride",
        },
        .fn_kw = "func", .type_kw = "class struct enum protocol extension actor typealias",
        .line_c = "//", .block_open = "/*", .block_close = "*/",
        .flags = F_TRIPLE | F_AT_DECOR | F_CAP_TYPES | F_NESTED | F_SWIFT | F_BT_NAME,
        .interp = I_SWIFT,
    },
    [L_RUBY] = {
        .id = "ruby", .label = "Ruby", .aliases = "rb", .lex = lex_code,
        .words = {
            [C_K] = "BEGIN END alias and begin break case class def defined? do else elsif end "
                    "ensure for if in module next not or redo rescue retry return self super "
                    "then undef unless until when while yield __FILE__ __LINE__ __method__",
            [C_KC] = "true false nil",
            [C_NB] = "puts print p pp require require_relative attr_accessor attr_reader "
                     "attr_writer include extend raise lambda proc private protected public "
                     "loop new",
        },
        .fn_kw = "def", .type_kw = "class module",
        .line_c = "#",
        .flags = F_SQ_STR | F_RUBY | F_DOLLAR_VAR | F_REGEX | F_CAP_TYPES | F_DQ_LINES |
                 F_SQ_LINES,
        .interp = I_RUBY,
    },
    [L_PHP] = {
        .id = "php", .label = "PHP", .aliases = "", .lex = lex_code,
        .words = {
            [C_K] = "abstract and array as break callable case catch class clone const "
                    "continue declare default do echo else elseif empty enddeclare endfor "
                    "endforeach endif endswitch endwhile enum extends final finally fn for "
                    "foreach function global goto if implements include include_once "
                    "instanceof insteadof interface isset list match namespace new or print "
                    "private protected public readonly require require_once return static "
                    "switch throw trait try unset use var while xor yield",
            [C_KT] = "int float bool string object mixed void never iterable self parent",
            [C_KC] = "true false null",
        },
        .fn_kw = "function", .type_kw = "class interface trait enum",
        .line_c = "//", .line_c2 = "#", .block_open = "/*", .block_close = "*/",
        .flags = F_NOCASE | F_SQ_STR | F_DOLLAR_VAR | F_PHP | F_DQ_LINES | F_SQ_LINES,
        .interp = I_PHP,
    },
    [L_SH] = {
        .id = "sh", .label = "Shell", .aliases = "bash shell zsh ksh", .lex = lex_shell,
        .words = {
            [C_K] = "if then else elif fi case esac for select while until do done in "
                    "function time coproc ! [[ ]]",
            [C_NB] = "alias bg bind break builtin caller cd command compgen complete continue "
                     "declare dirs disown echo enable eval exec exit export false fc fg getopts "
                     "hash help history jobs kill let local logout mapfile popd printf pushd "
                     "pwd read readarray readonly return set shift shopt source suspend test "
                     "times trap true type typeset ulimit umask unalias unset wait",
        },
        .fn_kw = "function",
    },
    [L_CONSOLE] = {
        .id = "console", .label = "Shell session",
        .aliases = "shell-session sh-session shellsession terminal", .lex = lex_console,
    },
    [L_PS] = {
        .id = "powershell", .label = "PowerShell", .aliases = "ps1 pwsh posh psm1",
        .lex = lex_code,
        .words = {
            /* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): each class is one space-separated string */
            [C_K] = "begin break catch class continue data define do dynamicparam else elseif "
                    "end enum exit filter finally for foreach from function hidden if in param "
                    "process return static switch throw trap try until using var while workflow",
            [C_KC] = "true false null",
            [C_O] = "-eq -ne -gt -ge -lt -le -like -notlike -match -notmatch -contains "
                    "-notcontains -in -notin -replace -and -or -not -xor -band -bor -is -isnot "
                    "-as -split -join -f -ceq -cne -ieq -clike -cmatch",
        },
        .fn_kw = "function filter", .type_kw = "class enum",
        .line_c = "#", .block_open = "<#", .block_close = "#>",
        .flags = F_NOCASE | F_SQ_STR | F_DOLLAR_VAR | F_PS | F_DQ_LINES | F_SQ_LINES,
        .interp = I_PS,
    },
    [L_SQL] = {
        .id = "sql", .label = "SQL", .aliases = "sqlite mysql postgresql postgres psql plsql",
        .lex = lex_code,
        .words = {
            [C_K] = "select from where insert into values update set delete create table drop "
                    "alter add column index view primary key foreign references unique not "
                    "default check constraint and or in is like ilike glob between exists join "
                    "inner left right outer full cross on as order by group having limit "
                    "offset union all distinct case when then else end begin commit rollback "
                    "transaction if returning with recursive desc asc grant revoke trigger "
                    "procedure function returns declare cascade using natural over partition "
                    "window filter explain analyze vacuum pragma replace conflict do nothing "
                    "collate escape fetch next rows only temporary temp virtual without rowid "
                    "autoincrement intersect except language",
            [C_KT] = "int integer smallint bigint tinyint decimal numeric real float double "
                     "precision char varchar text nchar nvarchar blob boolean bool date time "
                     "timestamp timestamptz datetime interval uuid json jsonb serial bigserial "
                     "bytea",
            [C_KC] = "true false null current_date current_time current_timestamp",
            [C_NB] = "count sum avg min max coalesce nullif cast lower upper length substr "
                     "substring trim now round abs concat ifnull date_trunc extract "
                     "row_number rank dense_rank lag lead json_extract strftime",
        },
        .line_c = "--", .block_open = "/*", .block_close = "*/",
        .flags = F_NOCASE | F_SQ_STR | F_SQL | F_BT_NAME | F_SQ_LINES,
    },
    [L_HTML] = {
        .id = "html", .label = "HTML", .aliases = "xhtml htm", .lex = lex_markup,
    },
    [L_XML] = {
        .id = "xml", .label = "XML", .aliases = "svg xsl xslt rss atom plist", .lex = lex_markup,
    },
    [L_CSS] = {
        .id = "css", .label = "CSS", .aliases = "", .lex = lex_css,
        /* At-rules whose block holds rules, not declarations. */
        .words = {[C_K] = "media supports layer container document scope starting-style "
                          "keyframes -webkit-keyframes"},
    },
    [L_JSON] = {
        .id = "json", .label = "JSON", .aliases = "jsonc json5 jsonl geojson", .lex = lex_json,
    },
    [L_YAML] = {
        .id = "yaml", .label = "YAML", .aliases = "yml", .lex = lex_yaml,
    },
    [L_TOML] = {
        .id = "toml", .label = "TOML", .aliases = "", .lex = lex_toml,
    },
    [L_DOCKER] = {
        .id = "dockerfile", .label = "Dockerfile", .aliases = "docker containerfile",
        .lex = lex_dockerfile,
        .words = {
            [C_K] = "from run cmd label maintainer expose env add copy entrypoint volume user "
                    "workdir arg onbuild stopsignal healthcheck shell",
        },
        .fn_kw = "run cmd entrypoint shell", .type_kw = "from",
    },
    [L_DIFF] = {
        .id = "diff", .label = "Diff", .aliases = "patch udiff", .lex = lex_diff,
    },
    [L_MD] = {
        .id = "markdown", .label = "Markdown", .aliases = "md mkd mdown", .lex = lex_markdown,
    },
    [L_MAKE] = {
        .id = "makefile", .label = "Makefile", .aliases = "make mk mf gnumakefile bsdmakefile",
        .lex = lex_make,
        .words = {
            [C_K] = "include -include sinclude ifeq ifneq ifdef ifndef else endif define endef "
                    "export unexport override vpath undefine private",
        },
    },
};

// clang-format on

static const struct lang *lang_shell(void)
{
	return &langs[L_SH];
}

/* Calls fn for each space-separated word of list. */
static void each_word(const char *list, unsigned lang, unsigned val)
{
	if (!list)
		return;
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		const char *q = p;
		while (*q && *q != ' ')
			q++;
		if (q > p) {
			if ((size_t)(q - p) > WORD_MAX)
				abort(); /* a word longer than word_find() looks up */
			word_add(lang, p, (size_t)(q - p), val);
		}
		p = q;
	}
}

static void words_init(void)
{
	for (unsigned k = 0; k < nlangs; k++) {
		for (unsigned c = 1; c < C__MAX; c++)
			each_word(langs[k].words[c], k, c);
		each_word(langs[k].fn_kw, k, W_FN);
		each_word(langs[k].type_kw, k, W_TYPE);
	}
}

/* ---- the interface ---- */

static bool name_is(const char *name, size_t len, const char *w, size_t wlen)
{
	if (len != wlen)
		return false;
	for (size_t k = 0; k < len; k++)
		if (lower(name[k]) != w[k])
			return false;
	return true;
}

const struct hl_lang *hl_lang_find(const char *name, size_t len)
{
	if (len == 0 || len > 32)
		return NULL;
	for (size_t k = 0; k < nlangs; k++) {
		const struct lang *L = &langs[k];
		if (name_is(name, len, L->id, strlen(L->id)))
			return (const struct hl_lang *)L;
		for (const char *p = L->aliases; *p;) {
			const char *q = strchr(p, ' ');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			if (name_is(name, len, p, n))
				return (const struct hl_lang *)L;
			p += n + (q != NULL);
		}
	}
	return NULL;
}

const char *hl_lang_label(const struct hl_lang *lang)
{
	return ((const struct lang *)lang)->label;
}

void hl_render(struct buf *out, const struct hl_lang *lang, const char *code, size_t len,
               const struct hl_opts *opts)
{
	static const struct hl_opts none = {0};
	struct hl_out w = {
	    .out = out,
	    .s = code,
	    .n = len,
	    .opts = opts ? opts : &none,
	    .line = 1,
	};

	w.numbers = w.opts->linenos;
	w.lines = w.numbers || w.opts->nhl > 0;
	w.number = w.opts->linenostart ? w.opts->linenostart : 1;
	buf_reserve(out, len + len / 4);
	if (lang && len > 0) {
		struct lx x = {.w = &w, .s = code, .L = (const struct lang *)lang};
		pthread_once(&words_once, words_init);
		x.L->lex(&x, 0, len);
	}
	put(&w, C_NONE, len);
	close_span(&w);
	if (w.line_open)
		buf_append(out, "</span>", 7);
}

/* ---- Hugo's fence attributes ---- */

/* Reads an unsigned number at s[*i], at most 1e6; false if there is none. */
static bool read_uint(const char *s, size_t *i, size_t n, unsigned *v)
{
	size_t j = *i;
	unsigned long val = 0;
	while (j < n && is_digit((unsigned char)s[j]) && j - *i < 7)
		val = val * 10 + (unsigned long)(s[j++] - '0');
	if (j == *i || val > 1000000)
		return false;
	*i = j;
	*v = (unsigned)val;
	return true;
}

/* Adds the ranges in s[i..n): 2, "4-5", 7-8, separated by commas or blanks. */
static void read_ranges(const char *s, size_t i, size_t n, struct hl_opts *o)
{
	while (i < n && o->nhl < HL_RANGES_MAX) {
		unsigned a, b;
		if (!read_uint(s, &i, n, &a)) {
			i++;
			continue;
		}
		b = a;
		if (i + 1 < n && s[i] == '-') {
			i++;
			if (!read_uint(s, &i, n, &b))
				b = a;
		}
		if (b >= a)
			o->hl[o->nhl++] = (struct hl_range){a, b};
	}
}

/*
 * Reads the value at info[*i] (blanks skipped before it): [...] or "..."
 * or '...' without its brackets or quotes, or a bare word up to a blank or
 * ','.  Sets [*v, *ve) and moves *i past it.
 */
static void opt_value(const char *info, size_t *i, size_t n, size_t *v, size_t *ve)
{
	size_t j = *i;
	if (j < n && (info[j] == '[' || info[j] == '"' || info[j] == '\'')) {
		char c = info[j];
		if (c == '[')
			c = ']';
		size_t k = j + 1;
		while (k < n && info[k] != c)
			k++;
		*v = j + 1;
		*ve = k;
		*i = k < n ? k + 1 : n;
		return;
	}
	*v = j;
	while (j < n && !is_blank((unsigned char)info[j]) && info[j] != ',')
		j++;
	*ve = j;
	*i = j;
}

/* Sets the option named info[k..k + klen) from its value info[v..ve); others are ignored. */
static void opt_set(struct hl_opts *o, const char *info, size_t k, size_t klen, size_t v,
                    size_t ve)
{
	if (name_is(info + k, klen, "linenos", 7)) {
		o->linenos = !(ve - v == 5 && at_nocase(info, v, ve, "false"));
	} else if (name_is(info + k, klen, "linenostart", 11)) {
		size_t p = v;
		unsigned start;
		if (read_uint(info, &p, ve, &start))
			o->linenostart = start;
	} else if (name_is(info + k, klen, "hl_lines", 8)) {
		read_ranges(info, v, ve, o);
	}
}

bool hl_opts_parse(const char *info, size_t len, struct hl_opts *o)
{
	memset(o, 0, sizeof(*o));
	const char *open = memchr(info, '{', len);
	if (!open)
		return false;
	size_t i = (size_t)(open - info) + 1;
	const char *close = memchr(info + i, '}', len - i);
	size_t n = close ? (size_t)(close - info) : len;

	while (i < n) {
		while (i < n && (is_blank((unsigned char)info[i]) || info[i] == ','))
			i++;
		size_t k = i;
		while (i < n && (id_char((unsigned char)info[i])))
			i++;
		size_t klen = i - k;
		i = skip_blanks(info, i, n);
		if (i >= n || info[i] != '=') {
			i++;
			continue;
		}
		i = skip_blanks(info, i + 1, n);
		size_t v, ve;
		opt_value(info, &i, n, &v, &ve);
		opt_set(o, info, k, klen, v, ve);
	}
	return o->linenos || o->nhl > 0;
}

/*EOF-MARK*/