/*
 * store_nav.c: the ways through a site beside its lists: the articles
 * either side of one in time, the articles that share its tags, and how
 * many articles each year and month holds (the archive).
 *
 * Each is bounded whatever the size of the site: the neighbours are a
 * binary search of the articles in time order (the timeline, in memory),
 * the related articles a window of each of its tags' articles around it
 * (the taxonomy, store_taxonomy.c), the archive a row per month
 * (archive_months, which triggers keep) and the scheduled articles.  What
 * a link to each needs (slug, title, date) is read by id.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

/* {"slug","title","url","published_at"} from a row (slug, title, published_at). */
static json_t *brief_from_row(const struct store_urls *urls, sqlite3_stmt *s)
{
	const char *slug = (const char *)sqlite3_column_text(s, 0);
	/*
	 * By hand, not json_pack(): an article page has five of these (its
	 * related articles and neighbours), and json_pack() parsing its format
	 * for each was 5% of a page made from the database (perf, random
	 * articles of 100,000).  A value that is not UTF-8 (NULL, which jansson
	 * refuses to set) leaves the brief out, as json_pack() did.
	 */
	json_t *b = json_object();
	int bad = json_object_set_new_nocheck(b, "slug", column_string(s, 0));
	bad |= json_object_set_new_nocheck(b, "title", column_string(s, 1));
	bad |= json_object_set_new_nocheck(b, "url",
	                                   store_link(urls, "/articles/", slug ? slug : ""));
	bad |= json_object_set_new_nocheck(b, "published_at", column_time(s, 2));
	if (bad) {
		json_decref(b);
		return NULL;
	}
	return b;
}

static const struct query q_brief_by_id = {
    STMT_BRIEF_BY_ID, "SELECT slug, title, published_at FROM articles WHERE id = ?"};

/* The brief of article id into *out (NULL if it has none, as an article deleted).  0 or -1. */
static int brief_by_id(struct store *st, const struct store_urls *urls, sqlite3_int64 id,
                       json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, &q_brief_by_id);
	*out = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = brief_from_row(urls, s);
	store_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_article_id = {
    STMT_ARTICLE_ID, "SELECT id FROM articles WHERE slug = :slug AND kind = 0"};

/*
 * The place (store_doc_find()) of the article (not a page) with slug,
 * into *at, with the data read (store_articles_known()): 1, 0 if there
 * is none, -1 on error.
 */
static int find_article(struct store *st, const char *slug, size_t *at)
{
	sqlite3_stmt *s = store_stmt(st, &q_article_id);
	if (s == NULL || store_articles_known(st) < 0)
		return -1;
	store_bind_text(s, ":slug", slug);
	int rc = sqlite3_step(s);
	sqlite3_int64 id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	store_done(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	return store_doc_find(st, id, at) ? 1 : 0;
}

/* ---- neighbours -------------------------------------------------------- */

/*
 * The articles a list shows at some time (store_doc_listed()), by place,
 * in the order of every list: (published_at, id) ascending.  Read by a
 * connection once per change of the data; 4 bytes an article.  Asked of
 * SQLite, a neighbour was a row-value step along articles_listing from a
 * lookup of the slug, two statements a page: 8.5% of an article page made
 * from the database (perf, random articles of 100,000).
 */
struct timeline {
	uint64_t generation; /* store_articles_generation() when read */
	size_t n;
	uint32_t *place;
};

void timeline_free(struct timeline *t)
{
	if (t == NULL)
		return;
	free(t->place);
	free(t);
}

/* A listed article while the timeline is sorted. */
struct dated {
	int64_t published;
	uint32_t place;
};

static int by_time(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;
	if (x->published != y->published)
		return x->published < y->published ? -1 : 1;
	return x->place < y->place ? -1 : x->place > y->place;
}

/* st's timeline, read again if the articles were (after store_articles_known()). */
static const struct timeline *timeline(struct store *st)
{
	uint64_t generation = store_articles_generation(st);
	if (st->timeline && st->timeline->generation == generation)
		return st->timeline;
	size_t ndocs = store_docs_count(st), n = 0;
	struct dated *d = xmalloc((ndocs ? ndocs : 1) * sizeof *d);
	for (size_t i = 0; i < ndocs; i++)
		if (store_doc_listed(st, i))
			d[n++] = (struct dated){store_doc_time(st, i), (uint32_t)i};
	/* Places follow ids: most are in order already, and qsort() takes them as they come. */
	qsort(d, n, sizeof *d, by_time);
	struct timeline *t = xcalloc(1, sizeof *t);
	t->place = xmalloc((n ? n : 1) * sizeof *t->place);
	for (size_t i = 0; i < n; i++)
		t->place[i] = d[i].place;
	free(d);
	t->n = n;
	t->generation = generation;
	timeline_free(st->timeline);
	st->timeline = t;
	return t;
}

/* Where (published, place) goes in t: the first entry not before it. */
static size_t timeline_bound(const struct store *st, const struct timeline *t, int64_t published,
                             uint32_t place)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t p = store_doc_time(st, t->place[mid]);
		if (p < published || (p == published && t->place[mid] < place))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The ids of the articles shown at now either side of the article at
 * place at in time, into *older and *newer (0: none).
 */
static void neighbour_ids(struct store *st, size_t at, int64_t now, sqlite3_int64 *older,
                          sqlite3_int64 *newer)
{
	*older = *newer = 0;
	int64_t published = store_doc_time(st, at);
	/* Undated (a draft may be), it stands nowhere in time. */
	if (published == INT64_MIN)
		return;
	const struct timeline *t = timeline(st);
	size_t k = timeline_bound(st, t, published, (uint32_t)at);
	/* The one before it shown now: the timeline is in time order, so the nearest such. */
	size_t before = k;
	while (before > 0 && store_doc_time(st, t->place[before - 1]) > now)
		before--;
	size_t after = k < t->n && t->place[k] == at ? k + 1 : k;
	if (before > 0)
		*older = store_doc_id(st, t->place[before - 1]);
	if (after < t->n && store_doc_time(st, t->place[after]) <= now)
		*newer = store_doc_id(st, t->place[after]);
}

/* The briefs of the neighbours older_id and newer_id (0: none).  0, or -1 with both NULL. */
static int neighbour_briefs(struct store *st, const struct store_urls *urls,
                            sqlite3_int64 older_id, sqlite3_int64 newer_id, json_t **older,
                            json_t **newer)
{
	*older = *newer = NULL;
	if ((older_id && brief_by_id(st, urls, older_id, older) < 0) ||
	    (newer_id && brief_by_id(st, urls, newer_id, newer) < 0)) {
		json_decref(*older);
		*older = NULL;
		return -1;
	}
	return 0;
}

int store_article_neighbours(struct store *st, const struct store_urls *urls, const char *slug,
                             int64_t now, json_t **older, json_t **newer)
{
	*older = *newer = NULL;
	size_t at;
	int found = find_article(st, slug, &at);
	if (found <= 0)
		return found;
	sqlite3_int64 older_id, newer_id;
	neighbour_ids(st, at, now, &older_id, &newer_id);
	return neighbour_briefs(st, urls, older_id, newer_id, older, newer);
}

/* ---- related articles -------------------------------------------------- */

/* The tags of an article that count for its related ones: the first it names. */
#define RELATED_TAGS 8
/* How many articles of each tag, on each side of the article, are candidates. */
#define RELATED_WINDOW 40

/* An article that shares tags with the one shown, and how close it is. */
struct candidate {
	sqlite3_int64 id;
	int64_t distance; /* seconds between the two publications */
	unsigned shared;  /* tags in common */
};

/* Whether x goes before y: most tags shared, then nearest in time, then newest added. */
static bool more_related(const struct candidate *x, const struct candidate *y)
{
	if (x->shared != y->shared)
		return x->shared > y->shared;
	if (x->distance != y->distance)
		return x->distance < y->distance;
	return x->id > y->id;
}

/* Adds the article at place other to c if it is shown; whether it was. */
static bool add_candidate(struct store *st, uint32_t other, int64_t published, int64_t now,
                          struct candidate *c, size_t *n)
{
	int64_t when;
	if (!store_doc_shown(st, other, now, &when))
		return false;
	c[(*n)++] = (struct candidate){store_doc_id(st, other),
	                               when > published ? when - published : published - when, 1};
	return true;
}

/*
 * Appends to c the first RELATED_WINDOW shown articles of tag either side
 * of the article at place at (published then), nearest first: those
 * before it downward, then those after it upward.  Places follow ids,
 * which grow as articles are added, so these are its neighbours in the
 * order they came, whatever the size of the tag.
 */
static void tag_sides(struct store *st, const struct taxonomy *t, uint32_t tag, uint32_t at,
                      int64_t published, int64_t now, struct candidate *c, size_t *n)
{
	const uint32_t *places;
	size_t count = taxonomy_tagged(t, tag, &places);
	int found = 0;
	for (size_t i = lower_bound_u32(places, count, at); i > 0 && found < RELATED_WINDOW; i--)
		found += add_candidate(st, places[i - 1], published, now, c, n);
	found = 0;
	for (size_t i = lower_bound_u32(places, count, at + 1); i < count && found < RELATED_WINDOW;
	     i++)
		found += add_candidate(st, places[i], published, now, c, n);
}

/*
 * Gathers the candidates of the article at place at into c (*n of them):
 * the articles of its first RELATED_TAGS tags, as written.
 */
static void gather_candidates(struct store *st, const struct taxonomy *t, size_t at, int64_t now,
                              struct candidate *c, size_t *n)
{
	int64_t published = store_doc_time(st, at);
	if (published == INT64_MIN)
		published = 0;
	const uint32_t *tags;
	size_t ntags = taxonomy_tags_of(t, at, &tags);
	for (size_t i = 0; i < ntags && i < RELATED_TAGS; i++)
		tag_sides(st, t, tags[i], (uint32_t)at, published, now, c, n);
}

/* Room for every candidate: each side of each tag gives at most a window. */
#define MAX_CANDIDATES ((size_t)RELATED_TAGS * 2 * RELATED_WINDOW)
/* fold_candidates()'s table: a power of two at least twice MAX_CANDIDATES. */
#define FOLD_SLOTS 2048
_Static_assert(FOLD_SLOTS >= 2 * MAX_CANDIDATES, "the fold's table holds every candidate");

/*
 * Counts each candidate of c[0..n) once, with the tags it shares, folded
 * in place in the order first seen; returns how many are left.  A table
 * of ids (slot: index + 1, 0 empty; at most half full) rather than a
 * sort: this runs on every article page, with a few hundred candidates.
 */
static size_t fold_candidates(struct candidate *c, size_t n)
{
	unsigned bits = 4;
	while (((size_t)1 << bits) < 2 * n)
		bits++;
	size_t mask = ((size_t)1 << bits) - 1;
	/* On the stack, as the candidates (store_related_articles()). */
	uint32_t slot[FOLD_SLOTS];
	memset(slot, 0, (mask + 1) * sizeof *slot);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)(((uint64_t)c[i].id * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
		while (slot[h] && c[slot[h] - 1].id != c[i].id)
			h = (h + 1) & mask;
		if (slot[h]) {
			c[slot[h] - 1].shared++;
		} else {
			c[out] = c[i];
			slot[h] = (uint32_t)++out;
		}
	}
	return out;
}

/* Puts the limit most related of c[0..n) first, in order (a page shows a few). */
static void select_most_related(struct candidate *c, size_t n, size_t limit)
{
	for (size_t i = 0; i < limit && i < n; i++) {
		size_t best = i;
		for (size_t k = i + 1; k < n; k++)
			if (more_related(&c[k], &c[best]))
				best = k;
		struct candidate t = c[i];
		c[i] = c[best];
		c[best] = t;
	}
}

/*
 * Up to limit related articles of the article at place at, none of them
 * the articles except[0..2) (0: none), into the array out.  0 or -1.
 */
static int related_briefs(struct store *st, const struct store_urls *urls, size_t at, int64_t now,
                          unsigned limit, const sqlite3_int64 except[2], json_t *out)
{
	const struct taxonomy *t = store_taxonomy(st);
	if (t == NULL)
		return -1;
	/*
	 * 15 KB on the worker's stack: allocated for every article page, this
	 * malloc was 2.4% of a page's time (perf, random pages of 100,000).
	 */
	struct candidate c[MAX_CANDIDATES];
	size_t n = 0;
	gather_candidates(st, t, at, now, c, &n);
	n = fold_candidates(c, n);
	/* The page links the neighbours already: no brief is read for them here. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].id != except[0] && c[i].id != except[1])
			c[kept++] = c[i];
	n = kept;
	select_most_related(c, n, limit);
	for (size_t i = 0; i < n && i < limit; i++) {
		json_t *brief;
		if (brief_by_id(st, urls, c[i].id, &brief) < 0)
			return -1;
		if (brief)
			json_array_append_new(out, brief);
	}
	return 0;
}

int store_related_articles(struct store *st, const struct store_urls *urls, const char *slug,
                           int64_t now, unsigned limit, json_t **out)
{
	static const sqlite3_int64 none[2] = {0, 0};
	*out = json_array();
	size_t at;
	int found = find_article(st, slug, &at);
	if (found <= 0)
		return found;
	return related_briefs(st, urls, at, now, limit, none, *out);
}

int store_article_ways(struct store *st, const struct store_urls *urls, const char *slug,
                       int64_t now, unsigned limit, json_t **older, json_t **newer,
                       json_t **related)
{
	*older = *newer = NULL;
	*related = json_array();
	size_t at;
	int found = find_article(st, slug, &at);
	if (found == 0)
		return 0;
	sqlite3_int64 ids[2];
	if (found > 0) {
		neighbour_ids(st, at, now, &ids[0], &ids[1]);
		if (neighbour_briefs(st, urls, ids[0], ids[1], older, newer) == 0 &&
		    related_briefs(st, urls, at, now, limit, ids, *related) == 0)
			return 0;
	}
	json_decref(*older);
	json_decref(*newer);
	json_decref(*related);
	*older = *newer = *related = NULL;
	return -1;
}

/* ---- the archive ------------------------------------------------------- */

/*
 * Published articles by year and month (UTC), newest first: the counts
 * the triggers keep (store_schema.c, migration 4), less the articles
 * still scheduled (a range of the listing index after :now).
 */
static const struct query q_archive = {
    STMT_ARCHIVE,
    "SELECT month / 100, month % 100, sum(n) FROM ("
    "SELECT month, articles AS n FROM archive_months UNION ALL "
    "SELECT CAST(strftime('%Y%m', a.published_at, 'unixepoch') AS INTEGER), -count(*) "
    "FROM articles a WHERE a.kind = 0 AND a.draft = 0 AND a.published_at > :now GROUP BY 1) "
    "GROUP BY month HAVING sum(n) > 0 ORDER BY month DESC"};

/* An archive page's address: base/archive/YYYY or base/archive/YYYY/MM. */
static json_t *archive_link(const struct store_urls *urls, long long year, long long month)
{
	char path[40];
	if (month)
		snprintf(path, sizeof path, "/archive/%04lld/%02lld", year, month);
	else
		snprintf(path, sizeof path, "/archive/%04lld", year);
	return store_link(urls, path, NULL);
}

int store_archive(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, &q_archive);
	*out = json_array();
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	json_t *year = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long y = sqlite3_column_int64(s, 0), m = sqlite3_column_int64(s, 1);
		json_int_t count = (json_int_t)sqlite3_column_int64(s, 2);
		if (year == NULL || json_integer_value(json_object_get(year, "year")) != y) {
			year = json_pack("{s:I, s:I, s:o, s:[]}", "year", (json_int_t)y, "count",
			                 (json_int_t)0, "url", archive_link(urls, y, 0), "months");
			json_array_append_new(*out, year);
		}
		json_object_set_new(year, "count",
		                    json_integer(json_integer_value(json_object_get(year, "count")) +
		                                 count));
		json_array_append_new(json_object_get(year, "months"),
		                      json_pack("{s:I, s:I, s:o}", "month", (json_int_t)m, "count",
		                                count, "url", archive_link(urls, y, m)));
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
