/*
 * lexical.h: Ghost 5's Lexical documents (the "lexical" column of posts)
 * rendered as an HTML fragment, for the posts of an export that have no
 * "html" of their own.
 *
 * A pure function, as mobiledoc_render(), with the same escaping rules.
 */
#ifndef GAZETTE_IMPORT_LEXICAL_H
#define GAZETTE_IMPORT_LEXICAL_H

#include <jansson.h>
#include <stddef.h>

#include "gazette/base/buf.h"
#include "gazette/base/log.h"

/*
 * Renders the Lexical text json[0..len) ({"root": {"children": [...]}}) and
 * appends the HTML to out.  What it supports:
 *
 *   blocks    paragraph, heading and extended-heading (h1-h6), quote and
 *               extended-quote, aside, list (bullet, check: ul; number: ol,
 *               with its start) and listitem, nested lists
 *   inline    text and extended-text with the format bits bold, italic,
 *               strikethrough, underline, code, subscript, superscript
 *               (highlight is kept as <mark>), link and autolink, linebreak,
 *               tab
 *   cards     those of mobiledoc_card_render(), under their Lexical names
 *               too (codeblock, horizontalrule)
 *
 * A node of another type is rendered as its children if it has any, else
 * as its text if it has one; else it leaves nothing, and its type is
 * appended to unknown (an array of strings, each once) when unknown is not
 * NULL.  Returns 0, or -1 with err->msg naming the place inside the
 * document ("root.children[2].children[0]: ...") and err->line 0 when the
 * text is not JSON, has no root, or nests deeper than 64 nodes.
 */
int lexical_render(const char *json, size_t len, struct buf *out, json_t *unknown,
                   struct diag *err);

#endif
