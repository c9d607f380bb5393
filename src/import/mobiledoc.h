/*
 * mobiledoc.h: Ghost's Mobiledoc (the editor format of Ghost 1 to 4, still
 * found in Ghost 5 exports) rendered as an HTML fragment, and the cards of
 * Ghost's editor (Koenig), which Lexical documents share (lexical.h).
 *
 * Pure functions: JSON in, HTML out, nothing else touched.  Text is
 * escaped with escape_html(); fields that Ghost itself stores as HTML (an
 * html or embed card, captions, a callout's text, a toggle's heading and
 * content, a header card's header and subheader) are passed through as they
 * are, because gazette sanitizes every HTML body later.  Fields that are
 * text (alt, title, code, a button's or a bookmark's text) never are.
 */
#ifndef GAZETTE_IMPORT_MOBILEDOC_H
#define GAZETTE_IMPORT_MOBILEDOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"
#include "gazette/base/log.h"

/*
 * Renders the Mobiledoc text json[0..len) (version 0.3.0 to 0.3.2; Ghost
 * stores it as a JSON string inside the export) and appends the HTML to out.
 *
 *   sections  1 markup section (p, h1-h6, blockquote, aside; any other tag
 *               becomes p), 2 image section, 3 list section (ul, ol),
 *               10 card section
 *   markups   b strong i em a(href) code s sub sup u; others keep their
 *               text and lose the tag
 *   atoms     soft-return is <br>; any other atom is its text
 *   cards     mobiledoc_card_render()
 *
 * A card the renderer does not know leaves nothing in the body; its name is
 * appended to unknown (an array of strings, each name once) when unknown is
 * not NULL.  Returns 0, or -1 with err->msg naming the place inside the
 * Mobiledoc ("sections[3][2][0]: ...") and err->line 0 when the text is not
 * JSON or not Mobiledoc 0.3; out then holds a part of the document.
 */
int mobiledoc_render(const char *json, size_t len, struct buf *out, json_t *unknown,
                     struct diag *err);

/*
 * Appends one of Ghost's cards, named name with the payload object payload,
 * as HTML: image, markdown (and card-markdown, its Ghost 1 name, rendered
 * by md_render()), html, code, hr, embed, bookmark, gallery, callout,
 * toggle, button, header, video, audio and file.  paywall, email and
 * email-cta are known and leave nothing: the first marks where members-only
 * content starts, the others are for newsletters only.  Returns false,
 * appending nothing, for any other name.
 */
bool mobiledoc_card_render(const char *name, json_t *payload, struct buf *out);

#endif
