/*
 * frontmatter.h: splits an article file into YAML front matter and body.
 *
 * The YAML is parsed by libyaml into jansson values so that unknown fields
 * survive unchanged.  Scalars keep their text: a plain or quoted scalar is
 * a JSON string ("3.10" stays "3.10", "no" stays "no"); only a plain empty
 * scalar, "~" and "null"/"Null"/"NULL" become JSON null.  Interpreting
 * booleans, dates and numbers is left to whoever knows the field (or to
 * fm_doc.typed, for the fields nobody knows).
 */
#ifndef GAZETTE_FRONTMATTER_H
#define GAZETTE_FRONTMATTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/log.h"

struct fm_doc {
	json_t *meta;     /* object: field -> value (owned) */
	json_t *lines;    /* object: top-level field -> integer, its line in the file (owned) */
	const char *body; /* Markdown body: points into the caller's text */
	size_t body_len;
	unsigned body_line; /* line of the file where the body starts (1-based) */
	/*
	 * The same fields with plain (unquoted) scalars as the YAML types they
	 * spell: booleans (true/false, and YAML 1.1's yes/no/on/off as Jekyll
	 * reads them), integers, floats; everything else as in meta.  For the
	 * fields gazette does not interpret, which keep their type.  NULL
	 * where the document came from elsewhere (a reader, the write API).
	 */
	json_t *typed;
};

/*
 * Parses text[0..len).  The file must start with a line "---" (after an
 * optional UTF-8 BOM; CRLF line ends are fine); the front matter ends at
 * the next line that is "---" or "...".  The YAML must be one mapping
 * with string keys and no duplicate keys; aliases are resolved with
 * limits (depth 32, 10,000 nodes) so that a hostile file cannot blow up.
 * Returns 0, or -1 with err->line (a line of the file) and err->msg set;
 * err->file is left to the caller.  On failure out holds nothing to free.
 */
int fm_parse(const char *text, size_t len, struct fm_doc *out, struct diag *err);
/*
 * Parses a whole YAML text (site.yaml, or the inside of front matter) whose
 * first line is line first_line of its file, into *meta (an object of
 * fields) and *lines (field -> line), both the caller's.  A leading BOM is
 * skipped.  Returns 0, or -1 with err->line and err->msg set and nothing
 * to free.
 */
int fm_parse_yaml(const char *yaml, size_t len, unsigned first_line, json_t **meta, json_t **lines,
                  struct diag *err);

/*
 * True if s[0..n), written as a plain (unquoted) YAML scalar, reads back
 * as that text in fm_doc.typed too: not null, not a boolean, not a number.
 * Otherwise a writer must quote it.
 */
bool fm_plain_is_text(const char *s, size_t n);

/* Frees meta and lines; a zeroed struct is fine. */
void fm_doc_free(struct fm_doc *doc);

/*
 * v as front matter holds it (a new reference): strings, null, and arrays
 * and objects of those.  The parser reads every scalar as text, so true,
 * false and numbers (JSON from the write API) become the text they are
 * written as, at any depth: 3 is "3", true "true", 0.1 "0.1".
 */
json_t *fm_value_from_json(json_t *v);

#endif
