/*
 * template.h: logic-less templates over jansson values (a mustache subset).
 *
 *   {{name}}  {{a.b.c}}  {{.}}      value, HTML-escaped (escape_html)
 *   {{{name}}}  {{& name}}          value, raw (only for HTML we produced)
 *   {{#name}}...{{/name}}           section: array = once per element,
 *                                   object = once with it pushed, true or a
 *                                   non-empty string or non-zero number = once;
 *                                   false, null, missing, "", 0, [] = never
 *   {{^name}}...{{/name}}           inverted section
 *   {{> partial}}                   another template of the set
 *   {{! comment }}
 *
 * Names are looked up from the innermost context outwards, as in
 * mustache.  A tag alone on its line (sections, partials, comments) takes
 * its line with it.  Templates are compiled once into a node list; rendering
 * allocates only the output.
 */
#ifndef GAZETTE_TEMPLATE_H
#define GAZETTE_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "gazette/base/buf.h"
#include "gazette/base/log.h"

struct tmpl_set;

struct tmpl_set *tmpl_set_new(void);
/* Frees the set and all its templates; NULL is fine. */
void tmpl_set_free(struct tmpl_set *set);

/*
 * Compiles src[0..len) as template NAME (replacing an earlier one of that
 * name).  Returns 0, or -1 with err->line and err->msg set (err->file is
 * left to the caller).
 */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
                 struct diag *err);

/*
 * Resolves partials once all templates are added.  Returns 0, or -1 with
 * err naming the template (in err->file) and line of an unknown partial or
 * of a partial cycle.
 */
int tmpl_set_link(struct tmpl_set *set, struct diag *err);

/* True if the set has a template called name. */
int tmpl_set_has(const struct tmpl_set *set, const char *name);

/*
 * Renders template NAME with ctx as the root context, appending to out.
 * Returns 0, or -1 if there is no such template.  The set must be linked.
 */
int tmpl_render(const struct tmpl_set *set, const char *name, json_t *ctx, struct buf *out);

#endif
