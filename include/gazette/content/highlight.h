/*
 * highlight.h: syntax highlighting of code blocks, once, at import time.
 *
 * The Markdown writer hands a fenced block's text and language here and
 * stores the result; readers get plain HTML with <span class="k">...</span>
 * around tokens and no JavaScript.  Every byte of code goes through
 * escape_html() exactly once.  The classes (short, as Hugo's and Pygments'
 * are) and what they mean:
 *
 *   k keyword        kt type           kc constant (true, null)
 *   nf function name nb builtin        nd decorator, attribute, lifetime
 *   nv variable      s string          se escape in a string, entity
 *   si interpolation c comment         cp preprocessor, directive
 *   m number         o operator        nt tag, section   na attribute, key
 *   gh diff header   gi inserted line  gd deleted line   gu hunk
 *   gp prompt        go output         ge emphasis       gs strong
 *
 * A token never spans a line: one that does (a block comment, a triple-
 * quoted string) is closed before each line break and reopened after it,
 * so no <span class> holds a '\n' or '\r', and each line can be wrapped in
 * an element of its own (struct hl_opts).
 */
#ifndef GAZETTE_HIGHLIGHT_H
#define GAZETTE_HIGHLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

struct hl_lang;

/*
 * The language a fence's info word names ("rust", "rs", "C++", "yml"...),
 * case-insensitive, or NULL for one we do not highlight (its block stays
 * plain text).  The result is static.
 */
const struct hl_lang *hl_lang_find(const char *name, size_t len);

/* The language's name for people ("Rust", "C++", "Shell session"). */
const char *hl_lang_label(const struct hl_lang *lang);

/* Lines first..last (counted from 1 at the block's first line) are marked. */
struct hl_range {
	unsigned first;
	unsigned last;
};

#define HL_RANGES_MAX 32

/*
 * Hugo's fence attributes: ```go {linenos=true, hl_lines=[2, "4-5"],
 * linenostart=10}.  With linenos or a highlighted line, each line is
 * wrapped in <span class="line"> (class "line hl" for a highlighted one),
 * with linenos its number first, in <span class="ln" aria-hidden="true">.
 */
struct hl_opts {
	bool linenos;
	unsigned linenostart; /* the first line's number; 0 means 1 */
	struct hl_range hl[HL_RANGES_MAX];
	size_t nhl;
};

/*
 * Reads the attributes from a fence's info string (all of it: "go {...}");
 * what it does not know it ignores, as Hugo does.  Fills *opts (zeroed
 * first) and returns true if any line option is set.
 */
bool hl_opts_parse(const char *info, size_t len, struct hl_opts *opts);

/*
 * Appends code[0..len) as HTML: escaped, with token spans when lang is not
 * NULL, with line wrappers when opts asks for them (opts may be NULL).
 * Any bytes are fine (invalid UTF-8 comes out as U+FFFD, as escape_html()
 * writes it); the cost is linear in len.
 */
void hl_render(struct buf *out, const struct hl_lang *lang, const char *code, size_t len,
               const struct hl_opts *opts);

#endif
