/*
 * store_taxonomy.c: the site's tags and authors in memory.  A connection
 * reads them whole once per change of the data (when
 * store_articles_generation() moves): the tags' and authors' slugs and
 * names, every article's tags and authors in the order written, and every
 * tag's articles.
 *
 * Why: every article of a list, a search or an article page needs its
 * tags and byline.  Asked of SQLite, that was two statements an article
 * (an indexed lookup each, and a join for the names), 14% of a search
 * page at 2,000 articles and 6% of an article page made from the
 * database at 100,000 (perf).  Here it is a few array reads, and the
 * names are JSON strings made once and shared by reference.
 *
 * The related articles (store_nav.c) walk the same tables: a page's
 * candidates are the articles of each of its tags either side of it.
 *
 * Memory, at 100,000 articles with 2.5 tags each: 4 bytes per tag and
 * per author of an article, twice per tag (the tags' articles too), and
 * twice per article (where its tags and its authors start): about 3 MB.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

/* Tags or authors: ids ascending, their slugs and names as JSON strings (NULL: not UTF-8). */
struct terms {
	size_t n;
	int64_t *id;
	json_t **slug, **name;
};

/* Each article's terms (by place, see store_doc_find()): term[start[i] .. start[i + 1]). */
struct links {
	uint32_t *start;
	uint32_t *term;
};

struct taxonomy {
	uint64_t generation; /* store_articles_generation() when read */
	struct terms tags, authors;
	struct links tagged, bylines;
	/* Each tag's articles by place, ascending: places[by_tag[k] .. by_tag[k + 1]). */
	uint32_t *by_tag;
	uint32_t *places;
};

static const struct query q_tag_names = {STMT_TAXONOMY_TAGS,
                                         "SELECT id, slug, name FROM tags ORDER BY id"};
static const struct query q_author_names = {STMT_TAXONOMY_AUTHORS,
                                            "SELECT id, slug, name FROM authors ORDER BY id"};
/* In the key's order (article, tag): a scan of the table, no sort. */
static const struct query q_tag_links = {
    STMT_TAXONOMY_TAGGED,
    "SELECT article_id, tag_id, position FROM article_tags ORDER BY article_id"};
static const struct query q_author_links = {
    STMT_TAXONOMY_BYLINES,
    "SELECT article_id, author_id, position FROM article_authors ORDER BY article_id"};

static void terms_free(struct terms *t)
{
	for (size_t i = 0; i < t->n; i++) {
		json_decref(t->slug[i]);
		json_decref(t->name[i]);
	}
	free(t->id);
	free(t->slug);
	free(t->name);
}

void taxonomy_free(struct taxonomy *t)
{
	if (t == NULL)
		return;
	terms_free(&t->tags);
	terms_free(&t->authors);
	free(t->tagged.start);
	free(t->tagged.term);
	free(t->bylines.start);
	free(t->bylines.term);
	free(t->by_tag);
	free(t->places);
	free(t);
}

/* Reads the terms q selects (id, slug, name) into t.  0 or -1. */
static int load_terms(struct store *st, const struct query *q, struct terms *t)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->id = xrealloc(t->id, cap * sizeof *t->id);
			t->slug = xrealloc(t->slug, cap * sizeof(json_t *));
			t->name = xrealloc(t->name, cap * sizeof(json_t *));
		}
		t->id[t->n] = sqlite3_column_int64(s, 0);
		t->slug[t->n] = column_string(s, 1);
		t->name[t->n] = column_string(s, 2);
		t->n++;
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A link being read: where it was written, and what to. */
struct link {
	int64_t position;
	uint32_t term;
};

/*
 * Reads the links q selects (article id ascending, term id, position)
 * into l, each article's in the order of their positions (ties as the
 * key orders them), for the ndocs articles store_articles_known() read.
 * A link to an article or a term not read (there is none in one
 * snapshot) is left out.  0 or -1.
 */
static int load_links(struct store *st, const struct query *q, const struct terms *terms,
                      size_t ndocs, struct links *l)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return -1;
	l->start = xcalloc(ndocs + 1, sizeof *l->start);
	struct link *got = NULL;
	size_t n = 0, cap = 0, doc = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), term = sqlite3_column_int64(s, 1);
		/* Both in id order: the article's place is at or after the last one's. */
		while (doc < ndocs && store_doc_id(st, doc) < id)
			doc++;
		size_t k = lower_bound_i64(terms->id, terms->n, term);
		if (doc == ndocs || store_doc_id(st, doc) != id || k == terms->n || terms->id[k] != term)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			got = xrealloc(got, cap * sizeof *got);
		}
		/* Insertion into order among the article's own: it has a few. */
		int64_t position = sqlite3_column_int64(s, 2);
		size_t at = n++, first = n - 1 - l->start[doc + 1];
		for (; at > first && got[at - 1].position > position; at--)
			got[at] = got[at - 1];
		got[at] = (struct link){position, (uint32_t)k};
		l->start[doc + 1]++;
	}
	store_done(s);
	if (rc != SQLITE_DONE) {
		free(got);
		return -1;
	}
	for (size_t i = 0; i < ndocs; i++)
		l->start[i + 1] += l->start[i];
	l->term = xmalloc((n ? n : 1) * sizeof *l->term);
	for (size_t i = 0; i < n; i++)
		l->term[i] = got[i].term;
	free(got);
	return 0;
}

/* Each tag's articles from the articles' tags, by place ascending. */
static void index_by_tag(struct taxonomy *t, size_t ndocs)
{
	size_t ntags = t->tags.n, nlinks = t->tagged.start[ndocs];
	t->by_tag = xcalloc(ntags + 1, sizeof *t->by_tag);
	t->places = xmalloc((nlinks ? nlinks : 1) * sizeof *t->places);
	for (size_t i = 0; i < nlinks; i++)
		t->by_tag[t->tagged.term[i] + 1]++;
	for (size_t k = 0; k < ntags; k++)
		t->by_tag[k + 1] += t->by_tag[k];
	/* Filled from each tag's start, moved along as it goes, then moved back. */
	for (size_t doc = 0; doc < ndocs; doc++)
		for (uint32_t i = t->tagged.start[doc]; i < t->tagged.start[doc + 1]; i++)
			t->places[t->by_tag[t->tagged.term[i]]++] = (uint32_t)doc;
	for (size_t k = ntags; k > 0; k--)
		t->by_tag[k] = t->by_tag[k - 1];
	t->by_tag[0] = 0;
}

const struct taxonomy *store_taxonomy(struct store *st)
{
	if (store_articles_known(st) < 0)
		return NULL;
	uint64_t generation = store_articles_generation(st);
	if (st->taxonomy && st->taxonomy->generation == generation)
		return st->taxonomy;
	size_t ndocs = store_docs_count(st);
	struct taxonomy *t = xcalloc(1, sizeof *t);
	if (load_terms(st, &q_tag_names, &t->tags) < 0 ||
	    load_terms(st, &q_author_names, &t->authors) < 0 ||
	    load_links(st, &q_tag_links, &t->tags, ndocs, &t->tagged) < 0 ||
	    load_links(st, &q_author_links, &t->authors, ndocs, &t->bylines) < 0) {
		taxonomy_free(t);
		return NULL;
	}
	index_by_tag(t, ndocs);
	t->generation = generation;
	taxonomy_free(st->taxonomy);
	st->taxonomy = t;
	return t;
}

const struct taxonomy *store_taxonomy_current(struct store *st)
{
	const struct taxonomy *t = st->taxonomy;
	if (t == NULL || t->generation != store_articles_generation(st) ||
	    !store_articles_current(st))
		return NULL;
	return t;
}

/* Appends {"slug","name"} of the article's terms to the array into. */
static void attach_terms(const struct terms *terms, const struct links *l, size_t at, json_t *into)
{
	for (uint32_t i = l->start[at]; i < l->start[at + 1]; i++) {
		uint32_t k = l->term[i];
		/* A slug or name that is not UTF-8 leaves the term out, as it always did. */
		if (terms->slug[k] == NULL || terms->name[k] == NULL)
			continue;
		json_t *item = json_object();
		json_object_set_nocheck(item, "slug", terms->slug[k]);
		json_object_set_nocheck(item, "name", terms->name[k]);
		json_array_append_new(into, item);
	}
}

void taxonomy_attach(const struct taxonomy *t, size_t at, json_t *a)
{
	attach_terms(&t->tags, &t->tagged, at, json_object_get(a, "tags"));
	attach_terms(&t->authors, &t->bylines, at, json_object_get(a, "authors"));
}

size_t taxonomy_tags_of(const struct taxonomy *t, size_t at, const uint32_t **tags)
{
	*tags = t->tagged.term + t->tagged.start[at];
	return t->tagged.start[at + 1] - t->tagged.start[at];
}

size_t taxonomy_tagged(const struct taxonomy *t, uint32_t tag, const uint32_t **places)
{
	*places = t->places + t->by_tag[tag];
	return t->by_tag[tag + 1] - t->by_tag[tag];
}
