/*
 * exports.c: another system's export as articles of an import: a
 * WordPress WXR file (wxr.c) or a Ghost JSON export (ghost.c).  Their
 * readers hand over one post or page at a time as front matter and an
 * HTML body; each becomes an article as a Markdown file would, and its
 * body waits in a temporary file (the spool) until the write step, so a
 * large export is never in memory whole.
 */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ghost.h"
#include "gazette/base/util.h"
#include "reader.h"
#include "wxr.h"

bool exports_sniff(const char *head, size_t len)
{
	return wxr_sniff(head, len) || ghost_sniff(head, len);
}

struct export_ctx {
	struct batch *b;
	size_t input;
};

/*
 * An identity for a document that survives edits of the export and its
 * move to another folder or name: the other system's id ("ghost:ID", a
 * Ghost id being unique; "wordpress:SITE#ID", a post number only within
 * its site), else the file and the place in it.
 */
static void document_source(const struct batch *b, const struct input *in,
                            const struct fm_doc *doc, const char *where, struct buf *out)
{
	const char *wp = json_string_value(json_object_get(doc->meta, "wp_id"));
	const char *ghost = json_string_value(json_object_get(doc->meta, "ghost_id"));
	const char *site = json_string_value(json_array_get(b->site_urls, 0));
	if (ghost)
		buf_printf(out, "ghost:%s", ghost);
	else if (wp)
		buf_printf(out, "wordpress:%s#%s", site ? site : "", wp);
	else
		buf_printf(out, "%s#%s", in->source, where);
}

/*
 * Keeps a document in the spool as text: its front matter as one line of
 * compact JSON, then its body (what its source hash is of).  0, or -1 with
 * err set.
 */
static int spool_doc(struct batch *b, struct origin *o, const char *body, size_t len,
                     struct diag *err)
{
	if (b->spool == NULL && (b->spool = tmpfile()) == NULL) {
		diag_set(err, 0, "cannot make a temporary file: %s", strerror(errno));
		return -1;
	}
	if (len > 0 && fwrite(body, 1, len, b->spool) != len) {
		diag_set(err, 0, "cannot write a temporary file: %s", strerror(errno));
		return -1;
	}
	o->spool_at = b->spool_len;
	o->spool_len = len;
	b->spool_len += (int64_t)len;
	return 0;
}

static int on_doc(void *ctx, const struct fm_doc *doc, const char *where, struct diag *err)
{
	struct export_ctx *x = ctx;
	struct batch *b = x->b;
	struct input *in = &b->inputs[x->input];
	struct origin origin = {.input = x->input, .spool_at = -1}, *o = &origin;
	struct article article, *a = &article;
	memset(a, 0, sizeof *a);

	/* What the article's hash is of: its front matter and body as the export gave them. */
	char *meta = json_dumps(doc->meta, JSON_COMPACT | JSON_SORT_KEYS);
	struct buf text = BUF_INIT;
	buf_puts(&text, meta ? meta : "");
	buf_putc(&text, '\n');
	buf_append(&text, doc->body, doc->body_len);
	free(meta);
	int rc = article_from_doc(a, doc, in->path, text.data, text.len, err);
	/*
	 * WordPress lets pages below different parents share a name
	 * (/about/team/, /careers/team/): the second gets "team-2", and each
	 * old address still leads to its own.
	 */
	if (rc == 0 && a->slug_origin == SLUG_GIVEN)
		a->slug_origin = SLUG_EXPORT;
	if (rc == 0 && addresses_find(b, a, doc, o, err) < 0) {
		article_free(a);
		rc = -1;
	}
	if (rc == 0 && spool_doc(b, o, text.data, text.len, err) < 0) {
		article_free(a);
		rc = -1;
	}
	if (rc < 0) {
		buf_free(&text);
		free(o->url);
		json_decref(o->addresses);
		if (err->line == 0) {
			/* Ghost's documents have no lines: say where in the JSON. */
			struct buf msg = BUF_INIT;
			buf_printf(&msg, "%s: %s", where, err->msg);
			snprintf(err->msg, sizeof err->msg, "%.*s", (int)(sizeof err->msg - 1), msg.data);
			buf_free(&msg);
		}
		return -1;
	}
	buf_free(&text);
	struct buf source = BUF_INIT;
	document_source(b, in, doc, where, &source);
	free(a->source);
	a->source = buf_detach(&source, NULL);
	/* Until it is written, the article is its slug and its place in the spool. */
	o->where = xstrdup(where);
	batch_keep(b, a, o);
	return 0;
}

/* The export's site settings, where site.yaml does not say otherwise. */
static int on_settings(void *ctx, json_t *settings, struct diag *err)
{
	struct export_ctx *x = ctx;
	(void)err;
	if (x->b->settings == NULL)
		x->b->settings = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(settings, key, v)
	{
		if (strcmp(key, "site_urls") == 0) {
			size_t i;
			json_t *u;
			if (x->b->site_urls == NULL)
				x->b->site_urls = json_array();
			json_array_foreach(v, i, u) json_array_append(x->b->site_urls, u);
		} else if (json_object_get(x->b->settings, key) == NULL)
			json_object_set(x->b->settings, key, v);
	}
	return 0;
}

static void on_notice(void *ctx, const char *msg)
{
	struct export_ctx *x = ctx;
	batch_notice(x->b, "%s: %s", x->b->inputs[x->input].path, msg);
}

int exports_parse(struct batch *b, size_t input, struct diag_list *errs)
{
	struct input *in = &b->inputs[input];
	struct export_ctx x = {b, input};
	struct import_sink sink = {on_doc, on_settings, on_notice, &x};
	struct diag err;
	char head[4096];
	diag_clear(&err);
	diag_set_file(&err, in->path);
	FILE *f = fopen(in->path, "rb");
	size_t n = f ? fread(head, 1, sizeof head, f) : 0;
	if (f)
		fclose(f);
	int rc;
	if (wxr_sniff(head, n)) {
		struct wxr_stats stats;
		rc = wxr_read(in->path, &sink, &stats, &err);
	} else {
		struct ghost_stats stats;
		rc = ghost_read(in->path, &sink, &stats, &err);
	}
	if (rc < 0) {
		if (err.file[0] == '\0')
			diag_set_file(&err, in->path);
		diag_list_add(errs, &err);
	}
	return rc;
}

int exports_reload(struct batch *b, size_t k, struct article *full, struct diag *err)
{
	struct origin *o = &b->origins[k];
	const struct input *in = &b->inputs[o->input];
	char *text = xmalloc(o->spool_len + 1);
	diag_set_file(err, batch_article_path(b, k));
	if (fseek(b->spool, (long)o->spool_at, SEEK_SET) != 0 ||
	    (o->spool_len > 0 && fread(text, 1, o->spool_len, b->spool) != o->spool_len)) {
		free(text);
		diag_set(err, 0, "cannot read back the temporary file: %s", strerror(errno));
		return -1;
	}
	text[o->spool_len] = '\0';
	size_t meta_len = strcspn(text, "\n");
	struct fm_doc doc = {.body = text + meta_len + (text[meta_len] != '\0'),
	                     .lines = json_object()};
	doc.body_len = o->spool_len - (size_t)(doc.body - text);
	doc.meta = json_loadb(text, meta_len, 0, NULL);
	int rc = -1;
	if (json_is_object(doc.meta))
		rc = article_from_doc(full, &doc, in->path, text, o->spool_len, err);
	else
		diag_set(err, 0, "cannot read back the temporary file: it is damaged");
	json_decref(doc.meta);
	json_decref(doc.lines);
	free(text);
	return rc;
}
