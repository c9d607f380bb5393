/*
 * import.c: a site into the store, all or nothing.
 *
 * The steps, so that a mistake changes nothing: collect the inputs
 * (collect.c), parse every one of them (every bad file is named), settle
 * the slugs, work out where each article lived before (addresses.c), check
 * the files' sizes, then write it all in one transaction: the files first
 * (files.c), then each article rendered with its references pointing at
 * their new addresses (refs.c), its old addresses, the settings.
 *
 * Only a few files' bytes are in memory at a time: parsing keeps an
 * article's front matter and where its body is, and the write step reads
 * the body again (checking the file is still the one parsed), on a second
 * core a few articles ahead of the one written (ahead.c); the bodies of
 * an export's documents wait in a temporary file.  A 10,000-article
 * import so needs the metadata, not the 75 MB of text.
 */
#include "gazette/import/import.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "variants.h"
#include "gazette/base/assets.h"
#include "gazette/base/util.h"
#include "gazette/content/slug.h"
#include "gazette/content/frontmatter.h"

/* No article is this long; a bigger file is a mistake (a video named .md). */
#define MAX_ARTICLE_SIZE (16u << 20)

struct input *batch_add_input(struct batch *b, const char *path, enum input_kind kind)
{
	if (b->ninputs == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->inputs = xrealloc(b->inputs, b->cap * sizeof *b->inputs);
	}
	struct input *in = &b->inputs[b->ninputs++];
	memset(in, 0, sizeof *in);
	in->path = xstrdup(path);
	in->kind = kind;
	in->root = NO_ROOT;
	return in;
}

void batch_input_rel(struct input *in, const char *rel)
{
	size_t plen = strlen(in->path), rlen = strlen(rel);
	/* Every caller names a tail: a folder's walk, a file named alone, a built-in sample. */
	assert(rlen <= plen && strcmp(in->path + plen - rlen, rel) == 0);
	in->rel = in->path + plen - rlen;
}

/* Room for n articles in all (kept till the import's end: exactly, when the count is known). */
static void reserve_articles(struct batch *b, size_t n)
{
	b->articles_cap = n;
	b->articles = xrealloc(b->articles, n * sizeof *b->articles);
	b->origins = xrealloc(b->origins, n * sizeof *b->origins);
}

void batch_keep(struct batch *b, struct article *a, struct origin *origin)
{
	if (b->narticles == b->articles_cap)
		reserve_articles(b, b->articles_cap ? 2 * b->articles_cap : 64);
	struct kept *k = &b->articles[b->narticles];
	const char *input_source = b->inputs[origin->input].source;
	*k = (struct kept){.slug = a->slug,
	                   .slug_origin = a->slug_origin,
	                   .kind = a->kind,
	                   .slug_line = a->slug_line};
	/* A file's article has its file's source: kept once, with the input. */
	if (a->source && (input_source == NULL || strcmp(a->source, input_source) != 0)) {
		k->source = a->source;
		a->source = NULL;
	}
	memcpy(k->source_hash, a->source_hash, sizeof k->source_hash);
	memcpy(k->render_hash, a->render_hash, sizeof k->render_hash);
	a->slug = NULL;
	article_free(a);
	b->origins[b->narticles++] = *origin;
}

const char *batch_article_source(const struct batch *b, size_t article)
{
	const struct kept *k = &b->articles[article];
	return k->source ? k->source : b->inputs[b->origins[article].input].source;
}

void batch_notice(struct batch *b, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (b->notices == NULL)
		b->notices = json_array();
	json_array_append_new(b->notices, json_stringn(line.data, line.len));
	buf_free(&line);
}

const char *batch_article_path(const struct batch *b, size_t article)
{
	return b->inputs[b->origins[article].input].path;
}

static void origin_free(struct origin *o)
{
	free(o->url);
	json_decref(o->addresses);
	free((char *)o->where);
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nroots; i++) {
		free(b->roots[i].path);
		free(b->roots[i].permalink);
	}
	for (size_t i = 0; i < b->ninputs; i++) {
		free(b->inputs[i].path);
		free(b->inputs[i].own_source);
		free(b->inputs[i].owned);
	}
	for (size_t i = 0; i < b->narticles; i++) {
		free(b->articles[i].slug);
		free(b->articles[i].source);
		origin_free(&b->origins[i]);
	}
	free(b->roots);
	free(b->inputs);
	free(b->articles);
	free(b->origins);
	json_decref(b->settings);
	index_free(&b->claimed);
	index_free(&b->by_address);
	json_decref(b->files);
	json_decref(b->notices);
	json_decref(b->site_urls);
	if (b->spool)
		fclose(b->spool);
}

/* The canonical path of every input; the same file named twice is read once. */
static void read_inputs(struct batch *b)
{
	struct index seen = {0};
	size_t first;
	for (size_t i = 0; i < b->ninputs; i++) {
		struct input *in = &b->inputs[i];
		if (in->source == NULL) {
			char real[PATH_MAX];
			if (realpath(in->path, real) && strcmp(real, in->path) != 0)
				in->source = in->own_source = xstrdup(real);
			else
				in->source = in->path;
		}
		in->duplicate = index_get(&seen, in->source, &first);
		if (!in->duplicate)
			index_put(&seen, in->source, i);
	}
	index_free(&seen);
}

/* Reads an input's file into in->data (a built-in one is always there). */
static int load_input(struct input *in, struct diag *err)
{
	if (in->data != NULL)
		return 0;
	diag_set_file(err, in->path);
	in->owned = read_file(in->path, MAX_ARTICLE_SIZE, &in->len);
	if (in->owned == NULL) {
		diag_set(err, 0, "%s",
		         errno == EFBIG ? "file too large for an article (over 16 MiB)"
		                        : strerror(errno));
		return -1;
	}
	in->data = in->owned;
	return 0;
}

static void unload_input(struct input *in)
{
	if (in->owned == NULL)
		return;
	free(in->owned);
	in->owned = NULL;
	in->data = NULL;
}

/* What parsing an input may answer besides 0 and -1: it is no article. */
enum {
	PARSED_NO_FRONT_MATTER = 1, /* a Markdown file in a folder without it: a README */
	PARSED_LEFT_OUT,            /* a Hugo section's list page that says nothing more */
	PARSED_NOTHING,             /* not a Markdown file (parse_job() of another input) */
};

static int hugo_page(const struct input *in, struct fm_doc *doc);

/*
 * Article k whole again for the write step, into *full, from its file,
 * which must be the one parsed (same hash: otherwise the slug settled for
 * it would be another version's), or from the spool; with what the import
 * settled (its slug, its source, its render hash).  0, or -1 with err set
 * and nothing in *full.
 */
static int reload_article(struct batch *b, size_t k, struct article *full, struct diag *err)
{
	const struct kept *a = &b->articles[k];
	struct input *in = &b->inputs[b->origins[k].input];
	int rc;
	memset(full, 0, sizeof *full);
	if (in->kind == IN_EXPORT) {
		rc = exports_reload(b, k, full, err);
	} else {
		struct fm_doc doc;
		rc = load_input(in, err);
		if (rc == 0 && (rc = fm_parse(in->data, in->len, &doc, err)) == 0) {
			if (in->root != NO_ROOT && b->roots[in->root].hugo)
				hugo_page(in, &doc);
			rc = article_from_doc(full, &doc, in->path, in->data, in->len, err);
			fm_doc_free(&doc);
		}
		unload_input(in);
	}
	if (rc != 0)
		return -1;
	if (strcmp(full->source_hash, a->source_hash) != 0) {
		article_free(full);
		diag_set_file(err, in->path);
		diag_set(err, 0, "the file changed while it was imported; nothing was written, "
		                 "import again");
		return -1;
	}
	free(full->slug);
	free(full->source);
	full->slug = xstrdup(a->slug);
	full->source = xstrdup(batch_article_source(b, k));
	full->slug_origin = a->slug_origin;
	memcpy(full->render_hash, a->render_hash, sizeof full->render_hash);
	diag_clear(err); /* an error from here on is the database's, not the file's */
	return 0;
}

/* One setting of site.yaml checked: 0, or -1 with err set at line. */
static bool setting_count(json_t *v)
{
	long long n;
	const char *s = json_string_value(v);
	return s && parse_uint_range(s, strlen(s), 1, 100000, &n) == 0;
}

static bool setting_url(json_t *v)
{
	const char *s = json_string_value(v);
	return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

static bool setting_text(json_t *v)
{
	return json_is_string(v);
}

static bool setting_bool(json_t *v)
{
	const char *s = json_string_value(v);
	return s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0);
}

/* A host goes into the pages' Content-Security-Policy: letters, digits, '-', '.' only. */
static bool setting_hosts(json_t *v)
{
	static const char host_chars[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
	size_t i;
	json_t *h;
	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, h)
	{
		const char *host = json_string_value(h);
		size_t n = host ? strlen(host) : 0;
		if (n == 0 || n > 253 || strspn(host, host_chars) != n)
			return false;
	}
	return true;
}

static bool setting_authors(json_t *v)
{
	const char *slug;
	json_t *who;
	if (!json_is_object(v))
		return false;
	json_object_foreach(v, slug, who)
	{
		if (!json_is_object(who))
			return false;
	}
	return true;
}

/* The settings site.yaml may give that are checked, and what each must be. */
static const struct setting_rule {
	const char *key;
	bool (*valid)(json_t *v);
	const char *must; /* "'KEY' must ..." */
} setting_rules[] = {
    {"words_per_minute", setting_count, "be a whole number"},
    {"feed_limit", setting_count, "be a whole number"},
    {"public_url", setting_url, "start with http:// or https://"},
    {"title", setting_text, "be text"},
    {"description", setting_text, "be text"},
    {"language", setting_text, "be text"},
    {"contact_email", setting_text, "be text"},
    {"permalink", setting_text, "be text"},
    {"raw_html", setting_bool, "be true or false"},
    {"iframe_hosts", setting_hosts, "be a list of host names such as www.youtube-nocookie.com"},
    {"authors", setting_authors,
     "map each author's slug to a mapping of their name, bio, avatar and links"},
};

static int check_setting(const char *key, json_t *v, unsigned at, struct diag *err)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(setting_rules); i++)
		if (strcmp(key, setting_rules[i].key) == 0 && !setting_rules[i].valid(v)) {
			diag_set(err, at, "'%s' must %s", key, setting_rules[i].must);
			return -1;
		}
	return 0;
}

/* Checks a site.yaml and keeps its fields as the site settings. */
static int parse_site(struct batch *b, const struct input *in, struct diag *err)
{
	json_t *meta = NULL, *lines = NULL;
	diag_set_file(err, in->path);
	if (fm_parse_yaml(in->data, in->len, 1, &meta, &lines, err) < 0)
		return -1;
	const char *key;
	json_t *v;
	int rc = 0;
	json_object_foreach(meta, key, v)
	{
		json_t *line = json_object_get(lines, key);
		unsigned at = json_is_integer(line) ? (unsigned)json_integer_value(line) : 1;
		if ((rc = check_setting(key, v, at, err)) < 0)
			break;
	}
	if (rc == 0) {
		json_decref(b->settings);
		b->settings = json_incref(meta);
	}
	json_decref(meta);
	json_decref(lines);
	return rc;
}

/* True if data starts with front matter (after an optional BOM). */
static bool has_front_matter(const char *data, size_t len)
{
	return (len >= 3 && memcmp(data, "---", 3) == 0) ||
	       (len >= 6 && memcmp(data, "\xef\xbb\xbf---", 6) == 0);
}

/* True if the n bytes at s are only white space. */
static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * What Hugo makes of a content file that is not a dated post: a section's
 * _index.md is the list page Hugo builds itself (skipped when it says
 * nothing more, else a standalone page named after its section), and a
 * file at the top of content/ without a date (about.md) is a standalone
 * page.  PARSED_LEFT_OUT if the file is skipped; 0 otherwise, with doc's
 * meta completed.
 */
static int hugo_page(const struct input *in, struct fm_doc *doc)
{
	const char *slash = strrchr(in->rel, '/');
	const char *name = slash ? slash + 1 : in->rel;
	bool list = strncmp(name, "_index.", 7) == 0;
	bool typed = json_object_get(doc->meta, "type") || json_object_get(doc->meta, "layout");
	if (list && blank(doc->body, doc->body_len))
		return PARSED_LEFT_OUT;
	if (list && !json_object_get(doc->meta, "slug")) {
		const char *dir = in->rel;
		size_t n = slash ? (size_t)(slash - in->rel) : 0;
		for (const char *p = in->rel; p < in->rel + n; p++)
			if (*p == '/')
				dir = p + 1;
		char *slug = n > 0 ? slug_from_text(dir, (size_t)(in->rel + n - dir)) : xstrdup("home");
		json_object_set_new(doc->meta, "slug", json_string(slug));
		free(slug);
	}
	bool dated = json_object_get(doc->meta, "date") || json_object_get(doc->meta, "publishDate");
	if (!typed && (list || (slash == NULL && !dated)))
		json_object_set_new(doc->meta, "type", json_string("page"));
	return 0;
}

/*
 * Parses one Markdown input into it->a, with where it lived before
 * (it->origin), changing nothing of the batch: it->rc is 0, -1 with
 * it->err, or PARSED_NO_FRONT_MATTER, PARSED_LEFT_OUT (nothing in it).
 */
static int parse_article(struct batch *b, size_t i, struct ahead_item *it)
{
	struct input *in = &b->inputs[i];
	struct diag *err = &it->err;
	it->origin = (struct origin){.input = i, .spool_at = -1};
	if (load_input(in, err) < 0)
		return it->rc = -1;
	diag_set_file(err, in->path);
	/* A Markdown file with no front matter at all in a folder is a README, not an article. */
	if (!in->explicit && !has_front_matter(in->data, in->len)) {
		unload_input(in);
		return it->rc = PARSED_NO_FRONT_MATTER;
	}
	struct fm_doc doc;
	if (fm_parse(in->data, in->len, &doc, err) < 0) {
		unload_input(in);
		return it->rc = -1;
	}
	if (in->root != NO_ROOT && b->roots && b->roots[in->root].hugo &&
	    hugo_page(in, &doc) == PARSED_LEFT_OUT) {
		fm_doc_free(&doc);
		unload_input(in);
		return it->rc = PARSED_LEFT_OUT;
	}
	int rc = article_from_doc(&it->a, &doc, in->path, in->data, in->len, err);
	if (rc == 0 && addresses_find(b, &it->a, &doc, &it->origin, err) < 0) {
		article_free(&it->a);
		rc = -1;
	}
	/* The article stays in the file until the write step reads it again. */
	fm_doc_free(&doc);
	unload_input(in);
	if (rc < 0) {
		origin_free(&it->origin);
		memset(&it->origin, 0, sizeof it->origin);
		return it->rc = -1; /* article_from_doc() freed what it made */
	}
	free(it->a.source); /* its file's: the input's source stands for it */
	it->a.source = NULL;
	return it->rc = 0;
}

/* ahead.c's job while the inputs are parsed: input k if it is a Markdown file's. */
static int parse_job(struct batch *b, struct store *st, size_t k, struct ahead_item *out)
{
	(void)st;
	const struct input *in = &b->inputs[k];
	if (in->duplicate || in->kind != IN_ARTICLE)
		return out->rc = PARSED_NOTHING;
	return parse_article(b, k, out);
}

/* What parse_article() made of input i joins the batch, in input order, or is said. */
static void keep_parsed(struct batch *b, size_t i, struct ahead_item *it, unsigned *skipped,
                        struct diag_list *errs)
{
	const struct input *in = &b->inputs[i];
	switch (it->rc) {
	case 0: batch_keep(b, &it->a, &it->origin); break;
	case -1: diag_list_add(errs, &it->err); break;
	case PARSED_NO_FRONT_MATTER:
		fprintf(stderr, "gazette: %s: skipped: no front matter, so not an article\n",
		        in->path);
		(*skipped)++;
		break;
	case PARSED_LEFT_OUT:
		batch_notice(b, "%s: left out: Hugo builds this section's list page itself", in->path);
		(*skipped)++;
		break;
	}
}

void batch_item_free(struct ahead_item *it)
{
	article_free(&it->a);
	origin_free(&it->origin);
	memset(it, 0, sizeof *it);
}

/* Parses input i if its kind is read in this pass (site.yaml first): a mistake goes to errs. */
static void parse_input(struct batch *b, size_t i, int pass, unsigned *skipped,
                        struct diag_list *errs)
{
	struct input *in = &b->inputs[i];
	struct ahead_item it;
	memset(&it, 0, sizeof it);
	if (in->duplicate || (pass == 0) != (in->kind == IN_SITE))
		return;
	if (in->kind == IN_SITE) {
		if (load_input(in, &it.err) < 0 || parse_site(b, in, &it.err) < 0)
			diag_list_add(errs, &it.err);
		unload_input(in);
	} else if (in->kind == IN_ARTICLE) {
		parse_article(b, i, &it);
		keep_parsed(b, i, &it, skipped, errs);
	} else if (in->kind == IN_EXPORT) {
		exports_parse(b, i, errs);
	}
}

/*
 * Parses every input, naming each one that has a mistake in errs:
 * settings first.  The Markdown files are parsed two at a time where
 * there are two CPUs (ahead.c takes every other one), and kept in order;
 * not beside an export, whose reading writes the settings they read.
 */
static void parse_inputs(struct batch *b, unsigned *skipped, struct diag_list *errs)
{
	/* A Markdown file is one article at most; an export's count is known once it is read. */
	size_t files = 0;
	bool exports = false;
	for (size_t i = 0; i < b->ninputs; i++) {
		files += b->inputs[i].kind == IN_ARTICLE && !b->inputs[i].duplicate;
		exports |= b->inputs[i].kind == IN_EXPORT;
	}
	if (files > 0)
		reserve_articles(b, b->narticles + files);
	/* Found all: the inputs need no more room. */
	if (b->ninputs > 0 && b->cap > b->ninputs) {
		b->cap = b->ninputs;
		b->inputs = xrealloc(b->inputs, b->cap * sizeof *b->inputs);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct ahead *ah = pass == 1 && !exports && files >= 2
		                       ? ahead_start(b, NULL, parse_job, 1, b->ninputs, 2)
		                       : NULL;
		for (size_t i = 0; i < b->ninputs; i++) {
			if (ah == NULL || i % 2 == 0) {
				parse_input(b, i, pass, skipped, errs);
				continue;
			}
			struct ahead_item it;
			ahead_next(ah, i, &it);
			keep_parsed(b, i, &it, skipped, errs);
		}
		ahead_stop(ah);
	}
}

/* A second article giving slug: an error naming both files. */
static void slug_given_twice(struct batch *b, size_t k, size_t owner, struct diag_list *errs)
{
	const struct kept *a = &b->articles[k];
	struct diag err;
	diag_clear(&err);
	diag_set_file(&err, batch_article_path(b, k));
	diag_set(&err, a->slug_line, "slug '%s' is also given by %s", a->slug,
	         batch_article_path(b, owner));
	diag_list_add(errs, &err);
}

/* The file name of a path, without its folders ("builtin:samples/a.md" -> "a.md"). */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *colon = strrchr(path, ':');
	const char *after = slash > colon ? slash : colon;
	return after ? after + 1 : path;
}

/*
 * Who has slug in the store: 0 nobody, 1 an article from a file of the
 * same name as article k's (the same article: its file may lie in another
 * folder now), 2 another article, -1 on error.
 */
static int slug_holder(const struct batch *b, struct store *st, const char *slug, size_t k)
{
	char *source;
	int found = store_article_source(st, slug, &source);
	if (found <= 0)
		return found;
	int who = strcmp(file_name(source), file_name(batch_article_source(b, k))) == 0 ? 1 : 2;
	free(source);
	return who;
}

/*
 * A derived slug: base, or "base-2", "base-3" ... when another file has it,
 * in this import or in the store.  An article from a file of the same name
 * keeps its slug whatever folder the file came from, so that importing one
 * file of two with the same title updates its own article.
 */
static int slug_derive_free(struct batch *b, struct store *st, size_t k)
{
	struct kept *a = &b->articles[k];
	char *base = xstrdup(a->slug);
	for (unsigned n = 1;; n++) {
		if (n > 1) {
			size_t len = strlen(base) + 16;
			free(a->slug);
			a->slug = xmalloc(len);
			snprintf(a->slug, len, "%s-%u", base, n);
		}
		size_t owner;
		if (index_get(&b->claimed, a->slug, &owner))
			continue;
		int who = slug_holder(b, st, a->slug, k);
		if (who < 0) {
			free(base);
			return -1;
		}
		/*
		 * This article as imported before, or a free slug: suffixes are
		 * handed out in order, so past a free one none is this article's.
		 */
		if (who == 0 || who == 1)
			break;
	}
	if (strcmp(base, a->slug) != 0)
		fprintf(stderr,
		        "gazette: %s: another article is called '%s'; this one gets the address "
		        "'%s' (add a 'slug:' to choose)\n",
		        batch_article_path(b, k), base, a->slug);
	free(base);
	return 0;
}

/*
 * Gives every article of this import its final slug.  An article is its
 * slug, never where its file lay: the same slug from another folder, or
 * from an earlier import, is the same article, updated in place.  A slug
 * the author wrote is theirs (two files of one import giving the same one
 * is an error); a slug gazette derived (from a title or a file name) that
 * another file has gets "-2", "-3" ... instead (slug_derive_free()).
 * Returns 0, or -1 with every slug given twice in errs.
 */
static int settle_slugs(struct batch *b, struct store *st, struct diag_list *errs)
{
	unsigned errors = errs->total;
	/* Given slugs first: a derived one must not take a slug an author chose. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->narticles; i++) {
			struct kept *a = &b->articles[i];
			bool given = a->slug_origin == SLUG_GIVEN;
			size_t owner;
			if ((pass == 0) != given)
				continue;
			if (given && index_get(&b->claimed, a->slug, &owner)) {
				slug_given_twice(b, i, owner, errs);
				continue;
			}
			if (!given && slug_derive_free(b, st, i) < 0) {
				struct diag err;
				diag_clear(&err);
				diag_set(&err, 0, "cannot read the database: %s", store_errmsg(st));
				diag_list_add(errs, &err);
				return -1;
			}
			index_put(&b->claimed, a->slug, i);
		}
	}
	return errs->total > errors ? -1 : 0;
}

/*
 * What leads to each article of the import: its old addresses, and the
 * file it came from (a link to another post's .md file).  Two articles
 * claiming one old address: the later one has it, with a notice.
 */
static void index_addresses(struct batch *b)
{
	for (size_t k = 0; k < b->narticles; k++) {
		struct origin *o = &b->origins[k];
		size_t i, other;
		json_t *addr;
		json_array_foreach(o->addresses, i, addr)
		{
			const char *path = json_string_value(json_object_get(addr, "path"));
			if (index_get(&b->by_address, path, &other) && other != k)
				batch_notice(b, "%s and %s both lived at %s; it leads to the latter",
				             batch_article_path(b, other), batch_article_path(b, k), path);
			index_put(&b->by_address, path, k);
		}
		const struct input *in = &b->inputs[o->input];
		if (in->kind == IN_ARTICLE)
			index_put(&b->by_address, in->source, k);
	}
}

/* Article k's file below the folder it was found in, or NULL (a file named alone, an export). */
static const char *article_path(const struct batch *b, size_t k)
{
	const struct input *in = &b->inputs[b->origins[k].input];
	return in->kind == IN_ARTICLE && in->root != NO_ROOT ? in->rel : NULL;
}

/*
 * A hash of what every page depends on besides its own file: the
 * settings that change how bodies render.  Mixed into each article's
 * render hash with its old addresses, so that changing either renders it
 * again.
 */
static uint64_t render_context(const struct batch *b, size_t k)
{
	uint64_t h = GZ_HASH_INIT;
	static const char *const keys[] = {"raw_html", "iframe_hosts", "permalink"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(keys); i++) {
		json_t *v = b->settings ? json_object_get(b->settings, keys[i]) : NULL;
		char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		if (text)
			h = hash_bytes(h, text, strlen(text));
		free(text);
		h = hash_bytes(h, "|", 1);
	}
	const struct origin *o = &b->origins[k];
	/* No addresses (NULL) hashes as the empty list it was before such lists were left out. */
	char *addresses = o->addresses ? json_dumps(o->addresses, JSON_COMPACT) : NULL;
	const char *text = o->addresses ? addresses : "[]";
	if (text)
		h = hash_bytes(h, text, strlen(text));
	free(addresses);
	if (o->url)
		h = hash_bytes(h, o->url, strlen(o->url));
	const char *path = article_path(b, k);
	if (path)
		h = hash_bytes(h, path, strlen(path) + 1);
	return h;
}

/*
 * Settles article k's render hash and whether the store has it as it is
 * (kept.current), for every article before any is written: a check while
 * they are written would wait for each write to end (ahead.c).
 */
static void check_current(struct batch *b, struct store *st)
{
	for (size_t k = 0; k < b->narticles; k++) {
		struct kept *kept = &b->articles[k];
		/* Its hashes and slug are all the store's check needs. */
		struct article a;
		memset(&a, 0, sizeof a);
		a.slug = kept->slug;
		memcpy(a.source_hash, kept->source_hash, sizeof a.source_hash);
		article_seal(&a, render_context(b, k));
		memcpy(kept->render_hash, a.render_hash, sizeof kept->render_hash);
		kept->current = store_article_is_current(st, &a);
	}
}

/*
 * Article k made ready for its write: unless the store holds it as it is
 * (its kept.current, and nothing in *a), whole again and rendered into
 * *a, which the caller frees.  Runs on ahead.c's thread while this one
 * writes the articles before it.  0, or -1 with err set.
 */
static int prepare_article(struct batch *b, struct store *st, size_t k, struct article *a,
                           struct diag *err)
{
	memset(a, 0, sizeof *a);
	if (b->articles[k].current)
		return 0;
	/* The whole article, only while it is written: a few in memory at a time (ahead.c). */
	if (reload_article(b, k, a, err) < 0)
		return -1;
	const struct origin *o = &b->origins[k];
	free(a->url);
	a->url = o->url && !o->url_guessed ? xstrdup(o->url) : NULL;
	free(a->path);
	a->path = article_path(b, k) ? xstrdup(article_path(b, k)) : NULL;
	if (refs_render(b, st, k, a, err) < 0) {
		article_free(a);
		return -1;
	}
	return 0;
}

/* ahead.c's job while the articles are written: article k made ready. */
static int prepare_job(struct batch *b, struct store *st, size_t k, struct ahead_item *out)
{
	return out->rc = prepare_article(b, st, k, &out->a, &out->err);
}

/* Writes article k if it changed: rendered (by ah if there is one), stored, with its old addresses. */
static int write_article(struct batch *b, struct store *st, struct ahead *ah, size_t k,
                         int64_t now, struct import_stats *stats, bool *changed, struct diag *err)
{
	struct origin *o = &b->origins[k];
	enum upsert_result r = UPSERT_UNCHANGED;
	struct ahead_item it;
	memset(&it, 0, sizeof it);
	int rc = ah ? ahead_next(ah, k, &it) : prepare_job(b, st, k, &it);
	if (rc < 0) {
		*err = it.err;
		return -1;
	}
	if (b->articles[k].current) {
		stats->unchanged++;
		return 0;
	}
	batch_store_lock(b);
	rc = variants_pictures(st, &it.a, err);
	if (rc == 0 && (store_upsert_article(st, &it.a, NULL, now, &r) < 0 ||
	                store_set_redirects(st, b->articles[k].slug, o->addresses) < 0)) {
		diag_set(err, 0, "cannot write the database: %s", store_errmsg(st));
		rc = -1;
	}
	batch_store_unlock(b);
	article_free(&it.a);
	if (rc < 0)
		return -1;
	stats->addresses += (unsigned)json_array_size(o->addresses);
	stats->added += r == UPSERT_ADDED;
	stats->updated += r == UPSERT_UPDATED;
	stats->unchanged += r == UPSERT_UNCHANGED;
	*changed |= r != UPSERT_UNCHANGED;
	return 0;
}

/* The site's settings, authors and names once the articles are in.  0 or -1. */
static int write_site(struct batch *b, struct store *st, int64_t now, struct import_stats *stats,
                      bool *changed)
{
	/* The sample site's settings go with its articles, unless site.yaml replaces them. */
	json_t *settings = b->settings                  ? json_incref(b->settings)
	                   : stats->removed_samples > 0 ? json_object()
	                                                : NULL;
	if (settings) {
		int rc = store_put_settings(st, settings, now, &stats->settings_changed);
		json_t *authors = json_object_get(settings, "authors");
		if (rc == 0 && stats->settings_changed)
			rc = store_put_authors(st, json_is_object(authors) ? authors : NULL);
		json_decref(settings);
		if (rc < 0)
			return -1;
		*changed |= stats->settings_changed;
	}
	if (*changed && (store_settle_author_names(st) < 0 || store_prune(st) < 0 ||
	                 store_prune_blobs(st) < 0 || store_touch(st, now) < 0))
		return -1;
	return 0;
}

static int write_batch(struct batch *b, struct store *st, bool replace_samples,
                       struct import_stats *stats, struct diag_list *errs)
{
	int64_t now = (int64_t)time(NULL);
	bool changed = false;
	struct diag err;

	diag_clear(&err);
	if (store_begin(st) < 0) {
		diag_set(&err, 0, "cannot start the import: %s", store_errmsg(st));
		diag_list_add(errs, &err);
		return -1;
	}
	/* Real content replaces the sample site a new database was born with. */
	if (replace_samples && b->narticles > 0) {
		stats->removed_samples = store_delete_builtin(st);
		if (stats->removed_samples < 0)
			goto fail;
		changed |= stats->removed_samples > 0;
	}
	/* The articles added enter the search index together, at the commit (store.h says why). */
	if (b->narticles > 0 && store_defer_index(st) < 0)
		goto fail;
	if (files_write(b, st, now, stats, &err) < 0)
		goto fail_quiet;
	changed |= stats->files_changed > 0;
	check_current(b, st);
	struct ahead *ah = ahead_start(b, st, prepare_job, 0, b->narticles, 1);
	int rc = 0;
	for (size_t k = 0; k < b->narticles && rc == 0; k++)
		rc = write_article(b, st, ah, k, now, stats, &changed, &err);
	ahead_stop(ah);
	if (rc < 0)
		goto fail_quiet;
	stats->warnings = b->warnings;
	if (b->opts->strict && stats->warnings > 0) {
		diag_set(&err, 0,
		         "%u reference%s lead%s nowhere (above); with --strict nothing was imported",
		         stats->warnings, stats->warnings == 1 ? "" : "s",
		         stats->warnings == 1 ? "s" : "");
		goto fail_quiet;
	}
	if (write_site(b, st, now, stats, &changed) < 0 || store_commit(st) < 0)
		goto fail;
	return 0;

fail:
	diag_set(&err, 0, "cannot write the database: %s", store_errmsg(st));
fail_quiet:
	diag_list_add(errs, &err);
	store_rollback(st);
	return -1;
}

static void print_notices(const struct batch *b)
{
	size_t i;
	json_t *line;
	json_array_foreach(b->notices, i, line)
	    fprintf(stderr, "gazette: %s\n", json_string_value(line));
}

/* The error for an import that found no article at all. */
static void nothing_to_import(char *const *paths, size_t npaths, unsigned skipped,
                              struct diag_list *errs)
{
	struct diag err;
	diag_clear(&err);
	if (npaths == 1)
		diag_set_file(&err, paths[0]);
	diag_set(&err, 0,
	         "no article to import: %u Markdown file%s without front matter %s skipped; "
	         "nothing was imported",
	         skipped, skipped == 1 ? "" : "s", skipped == 1 ? "was" : "were");
	diag_list_add(errs, &err);
}

int import_paths(struct store *st, char *const *paths, size_t npaths,
                 const struct import_options *opts, struct import_stats *stats,
                 struct diag_list *errs)
{
	static const struct import_options defaults = {0};
	struct batch b = {.opts = opts ? opts : &defaults};
	int rc = -1;

	memset(stats, 0, sizeof *stats);
	diag_list_clear(errs);
	collect_inputs(&b, paths, npaths, errs);
	read_inputs(&b);
	parse_inputs(&b, &stats->skipped, errs);
	files_check(&b, errs);
	if (errs->total > 0 || settle_slugs(&b, st, errs) < 0)
		goto out;
	if (b.narticles == 0 && b.settings == NULL) {
		nothing_to_import(paths, npaths, stats->skipped, errs);
		goto out;
	}
	index_addresses(&b);
	stats->files = (unsigned)b.narticles;
	rc = write_batch(&b, st, true, stats, errs);
	if (rc == 0)
		print_notices(&b);
out:
	batch_free(&b);
	return rc;
}

int import_builtin(struct store *st, struct import_stats *stats, struct diag_list *errs)
{
	static const struct import_options defaults = {0};
	struct batch b = {.opts = &defaults};
	int rc = -1;

	memset(stats, 0, sizeof *stats);
	diag_list_clear(errs);
	for (size_t i = 0; i < assets_builtin_count; i++) {
		const struct asset *as = &assets_builtin[i];
		if (strncmp(as->name, "samples/", 8) != 0)
			continue;
		const char *base = as->name + 8;
		bool site = import_is_site_name(base);
		if (!import_is_markdown_name(base) && !site)
			continue;
		struct input *in = batch_add_input(&b, as->name, site ? IN_SITE : IN_ARTICLE);
		size_t n = strlen("builtin:") + strlen(as->name) + 1;
		in->own_source = xmalloc(n);
		snprintf(in->own_source, n, "builtin:%s", as->name);
		in->source = in->own_source;
		batch_input_rel(in, base);
		in->data = (const char *)as->data;
		in->len = as->len;
		in->explicit = true;
	}
	parse_inputs(&b, &stats->skipped, errs);
	if (errs->total > 0 || settle_slugs(&b, st, errs) < 0)
		goto out;
	index_addresses(&b);
	stats->files = (unsigned)b.narticles;
	rc = write_batch(&b, st, false, stats, errs);
out:
	batch_free(&b);
	return rc;
}
