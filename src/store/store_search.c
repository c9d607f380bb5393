/*
 * store_search.c: ranked search without ranking every match in SQL.
 *
 * A search by relevance orders every article that matches by BM25.  Done
 * in SQL (store_articles.c's fallback), each match costs a step of the
 * statement, a seek into articles for its status and length, the
 * decoding of its position lists by gz_rank() and a place in the sorter:
 * some microseconds each, and a common word matches most of a site.
 *
 * Here each phrase of the query is read once from FTS5 into a compact
 * list, kept for every connection to the database until the index
 * changes (store_lists.c): for every article that holds the phrase, its
 * id and its weighted count (title 10, summary 4, body 1, as
 * store_rank.c weighs them).  FTS5 itself finds the phrase
 * (xQueryPhrase(): its tokenizer, its stems, phrases, prefixes, CJK
 * letters), so what matches is what the MATCH of the same query matches.
 * A search then walks the lists of its phrases side by side: the
 * articles in every wanted list and in no excluded one, of the status
 * asked, are the matches; each is scored with gz_rank()'s formula and
 * arithmetic (so the order is the same to the last bit) and only the
 * best page*limit are kept, in a heap.  Nothing is allocated per match.
 *
 * A list keeps where its phrase stands in each body only while that is
 * small (see struct sink): a common word's positions at 100,000 articles
 * take many times its list, and only a page of results needs them.  For
 * those, the results' bodies are read for the words (store_scan.c), and
 * FTS5 is asked where a word stands in a body with letters outside ASCII
 * (gz_positions(), found by rowid).  Each result's text is then read only
 * as far as its window ends (store_snippet()), and the words before the
 * window are counted in place where they are plain ASCII (ascii_tokens()),
 * the index's tokenizer splitting only the rest.
 * The articles' status, date and length are read once per change of the
 * data, in id order, so a search finds them by walking forward.
 */
#include "store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/filemem.h"
#include "gazette/base/util.h"
#include "gazette/content/search.h"
#include "store_lists.h"
#include "store_scan.h"

#define MAX_PHRASES  SEARCH_MAX_TERMS
/* Deeper pages than this (page * limit) are ranked in SQL. */
#define MAX_WANTED 2000

static const unsigned column_weight[] = {10, 4, 1};

/* The articles, in id order: what a search needs to know of each. */
struct docs {
	size_t n;
	int64_t *id;
	int64_t *published; /* INT64_MIN: none */
	uint32_t *words;
	unsigned char *flags; /* DOC_PAGE, DOC_DRAFT */
};

#define DOC_PAGE  1u
#define DOC_DRAFT 2u

/* The matches of one article: its words' positions merged in token order. */
struct doc_matches {
	struct snippet_match m[SNIPPET_MAX_MATCHES];
	size_t n;
};

struct store_snippets {
	struct doc_matches *docs; /* one per id */
	size_t nterms;
	struct search_words words; /* the query's */
};

/* The page's ids in order, and where each is in ids. */
struct id_slot {
	sqlite3_int64 id;
	size_t at;
};

struct store_search {
	long long version;     /* data_version the lists were read at */
	uint64_t generation;   /* reads of docs so far: store_articles_generation() */
	int64_t changes;       /* and the connection's own changes */
	bool loaded;           /* docs is read */
	struct docs docs;
	struct lists *lists;   /* the phrases' lists, shared with the database's other connections */
	/*
	 * BM25's length normalisation of each article in docs for an average
	 * length (norm_avg), made once per change of either: a division less
	 * for every match, the same number to the bit.
	 */
	double *norm;
	double norm_avg;
	double norm_min;          /* the least of norm: the shortest article's */
	uint64_t norm_generation; /* the docs it was made for: generation */
	/*
	 * The articles a search of one status shows, as a bitmap by id (bit
	 * i: id i), for the bitmap walk: the same while the docs and the
	 * status are and now stays in [shown_from, shown_until), before the
	 * next article's date.
	 */
	uint64_t *shown;
	size_t shown_words;
	int64_t shown_base; /* the id of bit 0, a multiple of 64 */
	uint64_t shown_generation;
	enum article_status shown_status;
	int64_t shown_from, shown_until;
	uint64_t state;        /* the search index's state (index_state()), if known */
	bool state_known;
	fts5_tokenizer tokenizer; /* the index's, without its stemmer (snippets) */
	Fts5Tokenizer *tok;
	fts5_tokenizer stemmer;   /* the index's, with it (store_scan.c's stem()) */
	Fts5Tokenizer *stem_tok;
	/*
	 * What store_snippets_find() works in, kept from one page of results
	 * to the next: some 60 KB for a page of 20, and allocating it anew for
	 * every search made glibc sort out its free lists every time.
	 */
	struct store_snippets snippets;
	struct snippet_match *tmp;
	size_t *ntmp;
	struct id_slot *order;
	size_t slots, tmp_cap; /* room in docs, ntmp and order; in tmp */
	/*
	 * The body text of each result of the page (slots of them), read for
	 * its words and kept for its snippet, as far as either needed.
	 */
	sqlite3_blob *blob; /* open on articles.body_text from store_snippets_find() to store_snippets_done() */
	sqlite3_int64 blob_id; /* the article it points at */
	/*
	 * Counts the blob's openings: each reads in a read transaction of its
	 * own, so a text read through an earlier one is not read on through
	 * a later one (the article may have changed between the two).
	 */
	uint64_t blob_opening;
	struct body *bodies;
	size_t bodies_scanned; /* bodies read for their words' places (store_bodies_scanned()) */
};

/* An article's body text, read through the blob only as far as needed. */
struct body {
	bool held;        /* it holds article id's text (as far as have) */
	sqlite3_int64 id;
	uint64_t opening; /* the blob's opening it was read through (struct store_search) */
	char *data;
	size_t cap, len, have; /* room; the text's length; bytes read */
};

/* ---- lists ------------------------------------------------------------- */

static void docs_free(struct docs *d)
{
	free(d->id);
	free(d->published);
	free(d->words);
	free(d->flags);
	memset(d, 0, sizeof *d);
}

void store_search_free(struct store_search *ss)
{
	if (ss == NULL)
		return;
	lists_detach(ss->lists);
	free(ss->shown);
	free(ss->norm);
	docs_free(&ss->docs);
	free(ss->snippets.docs);
	free(ss->tmp);
	free(ss->ntmp);
	free(ss->order);
	sqlite3_blob_close(ss->blob);
	for (size_t i = 0; ss->bodies && i < ss->slots; i++)
		free(ss->bodies[i].data);
	free(ss->bodies);
	if (ss->tok)
		ss->tokenizer.xDelete(ss->tok);
	if (ss->stem_tok)
		ss->stemmer.xDelete(ss->stem_tok);
	free(ss);
}

/*
 * What gz_postings() fills: one phrase's articles and weights, before
 * plist_encode().  The list keeps where its phrase stands in each
 * article's body up to a bound (pos_max, lists_positions_max(): 64 KiB):
 * a word in 1,730 of 2,000 articles takes some 28 KB, a word in most of
 * 100,000 400 KB and more.  Its results' positions are then read from
 * their bodies (store_scan.c), or asked of FTS5.  Not a prefix ("glac*"):
 * FTS5 merges the lists of every word it stands for each time it is
 * asked, so a prefix's list keeps them all.
 */
struct sink {
	struct buf pos; /* positions as struct plist keeps them, until they pass pos_max */
	size_t pos_max;
	bool no_pos;
	bool prefix; /* keeps them all */
	int64_t *ids;
	uint32_t *weights;
	size_t n, cap;
	unsigned width;
	double rows, tokens;
	bool ran;
};


/*
 * The current row's instances of the phrase (phrase 0): its weighted
 * count into *weight and, if pos is not NULL, where it stands in the
 * body into pos as struct plist keeps it (varint distances, the first
 * SNIPPET_MAX_MATCHES below SNIPPET_MAX_TOKENS).  Returns the bytes of
 * positions, or -1.
 */
static int phrase_in_row(const Fts5ExtensionApi *api, Fts5Context *fts, uint32_t *weight,
                         unsigned char pos[POS_BYTES])
{
	Fts5PhraseIter it;
	int col = -1, off = 0, prev = 0, kept = 0;
	size_t npos = 0;
	*weight = 0;
	if (api->xPhraseFirst(fts, 0, &it, &col, &off) != SQLITE_OK)
		return -1;
	for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
		*weight += column_weight[col < 3 ? col : 2];
		/* Instances come by column, then offset: the body's are the last. */
		if (pos && col == 2 && kept < SNIPPET_MAX_MATCHES && off < SNIPPET_MAX_TOKENS) {
			npos += varint_put(pos + npos, (uint64_t)(off - prev));
			prev = off;
			kept++;
		}
	}
	return (int)npos;
}

/* xQueryPhrase()'s callback: one article holding the phrase. */
static int each_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *p)
{
	struct sink *s = p;
	unsigned char pos[POS_BYTES];
	uint32_t weight;
	int npos = phrase_in_row(api, fts, &weight, s->no_pos ? NULL : pos);
	if (npos < 0)
		return SQLITE_ERROR;
	if (!s->no_pos) {
		unsigned char size[10];
		buf_append(&s->pos, size, varint_put(size, (uint64_t)npos));
		buf_append(&s->pos, pos, (size_t)npos);
		if (s->pos.len > s->pos_max && !s->prefix) {
			buf_free(&s->pos);
			s->no_pos = true;
		}
	}
	if (s->n == s->cap) {
		/* A common word has some 70,000 rows at 100,000 articles. */
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ids = xrealloc(s->ids, s->cap * sizeof *s->ids);
		s->weights = xrealloc(s->weights, s->cap * sizeof *s->weights);
	}
	s->ids[s->n] = api->xRowid(fts);
	s->weights[s->n] = weight;
	s->n++;
	return SQLITE_OK;
}

/*
 * gz_postings(articles_fts, sink): on the first row of a MATCH of one
 * phrase, reads every article that holds it into the sink (a pointer of
 * type "gz_postings_sink"), with the table's row count and token total.
 */
static void gz_postings(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                        int nval, sqlite3_value **val)
{
	struct sink *s = nval == 1 ? sqlite3_value_pointer(val[0], "gz_postings_sink") : NULL;
	if (s == NULL || s->ran)
		return;
	s->ran = true;
	sqlite3_int64 rows = 0, tokens = 0;
	api->xRowCount(fts, &rows);
	for (int c = 0; c < 3; c++) {
		sqlite3_int64 t = 0;
		api->xColumnTotalSize(fts, c, &t);
		tokens += t;
	}
	s->rows = (double)rows;
	s->tokens = (double)tokens;
	s->width = (unsigned)api->xPhraseSize(fts, 0);
	int rc = api->xQueryPhrase(fts, 0, s, each_row);
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
}

/* What gz_positions() fills: where one phrase stands in one article's body. */
struct spots {
	unsigned char pos[POS_BYTES]; /* as phrase_in_row() writes them */
	size_t npos;
	unsigned width; /* tokens in the phrase */
};

/*
 * gz_positions(articles_fts, spots): for the row of a MATCH of one phrase
 * (a pointer of type "gz_positions_sink"), where the phrase stands in the
 * body, for the snippet of a result whose positions neither its list nor
 * its body (store_scan.c: not ASCII, a prefix) could give.
 */
static void gz_positions(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                         int nval, sqlite3_value **val)
{
	struct spots *sp = nval == 1 ? sqlite3_value_pointer(val[0], "gz_positions_sink") : NULL;
	if (sp == NULL)
		return;
	uint32_t weight;
	int npos = phrase_in_row(api, fts, &weight, sp->pos);
	if (npos < 0) {
		sqlite3_result_error_code(ctx, SQLITE_ERROR);
		return;
	}
	sp->npos = (size_t)npos;
	sp->width = (unsigned)api->xPhraseSize(fts, 0);
}

int store_register_postings(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL || api->iVersion < 2)
		return -1;
	if (api->xCreateFunction(api, "gz_postings", NULL, gz_postings, NULL) != SQLITE_OK)
		return -1;
	return api->xCreateFunction(api, "gz_positions", NULL, gz_positions, NULL) == SQLITE_OK ? 0
	                                                                                         : -1;
}

static const struct query q_postings = {
    STMT_POSTINGS,
    "SELECT gz_postings(articles_fts, ?2) FROM articles_fts WHERE articles_fts MATCH ?1 LIMIT 1"};

static const struct query q_positions = {
    STMT_POSITIONS, "SELECT gz_positions(articles_fts, ?3) FROM articles_fts "
                    "WHERE articles_fts MATCH ?1 AND rowid = ?2"};

static const struct query q_index_state = {
    STMT_INDEX_STATE, "SELECT id, block FROM articles_fts_data WHERE id IN (1, 10)"};

/*
 * The state of the search index as st reads it now, the key its lists
 * are kept by: a hash of FTS5's totals (id 1) and list of segments (id
 * 10), which it rewrites with every change to the index.  0 or -1.
 */
static int index_state(struct store *st, uint64_t *state)
{
	sqlite3_stmt *s = store_stmt(st, &q_index_state);
	if (s == NULL)
		return -1;
	uint64_t h = GZ_HASH_INIT;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(s, 0);
		h = hash_bytes(h, &id, sizeof id);
		h = hash_bytes(h, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
	}
	store_done(s);
	*state = h;
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The list of phrase (len bytes), kept or read from FTS5, taken
 * (lists_release() it); NULL on error.
 */
static struct plist *phrase_list(struct store *st, struct store_search *ss, const char *phrase,
                                 size_t len)
{
	/*
	 * A write's transaction sees its own changes, which others do not: a
	 * list read in it is its own.  Else the state it reads is asked once
	 * per change of the data (search_state()), outside such a transaction,
	 * so that it is the state others read after the commit too.
	 */
	bool shared = sqlite3_txn_state(st->db, NULL) != SQLITE_TXN_WRITE;
	if (shared && !ss->state_known) {
		if (index_state(st, &ss->state) < 0)
			return NULL;
		ss->state_known = true;
	}
	struct plist *l = shared ? lists_find(ss->lists, ss->state, phrase, len) : NULL;
	if (l)
		return l;
	sqlite3_stmt *s = store_stmt(st, &q_postings);
	if (s == NULL)
		return NULL;
	struct sink sink = {.prefix = len > 0 && phrase[len - 1] == '*',
	                    .pos_max = lists_positions_max(ss->lists)};
	sqlite3_bind_text(s, 1, phrase, (int)len, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &sink, "gz_postings_sink", NULL);
	int rc = sqlite3_step(s);
	store_done(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		l = plist_new(phrase, len);
		l->width = sink.width;
		l->rows = sink.rows;
		l->tokens = sink.tokens;
		plist_encode(l, sink.ids, sink.weights, sink.n);
		if (!sink.no_pos && sink.pos.len) {
			/* Where the list's data is (filemem.h), as long as it is: it is charged that. */
			size_t cap = sink.pos.cap;
			unsigned char *pos = (unsigned char *)buf_detach(&sink.pos, &l->pos_len);
			l->pos = filemem_take(pos, l->pos_len, cap);
		}
	}
	buf_free(&sink.pos);
	free(sink.ids);
	free(sink.weights);
	return l && shared ? lists_keep(ss->lists, ss->state, l) : l;
}

/* ---- the articles ------------------------------------------------------ */

static const struct query q_docs = {
    STMT_SEARCH_DOCS,
    "SELECT id, kind, draft, published_at, word_count FROM articles ORDER BY id"};

static int load_docs(struct store *st, struct store_search *ss)
{
	sqlite3_stmt *s = store_stmt(st, &q_docs);
	if (s == NULL)
		return -1;
	size_t cap = 0;
	int rc;
	docs_free(&ss->docs);
	struct docs *d = &ss->docs;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (d->n == cap) {
			cap = cap ? cap * 2 : 1024;
			d->id = xrealloc(d->id, cap * sizeof *d->id);
			d->published = xrealloc(d->published, cap * sizeof *d->published);
			d->words = xrealloc(d->words, cap * sizeof *d->words);
			d->flags = xrealloc(d->flags, cap * sizeof *d->flags);
		}
		d->id[d->n] = sqlite3_column_int64(s, 0);
		d->flags[d->n] = (unsigned char)((sqlite3_column_int(s, 1) != 0 ? DOC_PAGE : 0) |
		                                 (sqlite3_column_int(s, 2) != 0 ? DOC_DRAFT : 0));
		d->published[d->n] = sqlite3_column_type(s, 3) == SQLITE_NULL
		                         ? INT64_MIN
		                         : sqlite3_column_int64(s, 3);
		d->words[d->n] = (uint32_t)sqlite3_column_int64(s, 4);
		d->n++;
	}
	store_done(s);
	/* Kept till the data changes, by every connection: no spare room (at 100,000, 0.6 MB each). */
	if (d->n > 0 && d->n < cap) {
		d->id = xrealloc(d->id, d->n * sizeof *d->id);
		d->published = xrealloc(d->published, d->n * sizeof *d->published);
		d->words = xrealloc(d->words, d->n * sizeof *d->words);
		d->flags = xrealloc(d->flags, d->n * sizeof *d->flags);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The connection's search state, up to date with the data; NULL on error. */
static struct store_search *search_state(struct store *st)
{
	struct store_search *ss = st->search;
	if (ss == NULL)
		ss = st->search = xcalloc(1, sizeof *ss);
	long long version = store_data_version(st);
	int64_t changes = sqlite3_total_changes64(st->db);
	if (version < 0)
		return NULL;
	if (!ss->loaded || version != ss->version || changes != ss->changes) {
		ss->loaded = false;
		if (ss->lists == NULL)
			ss->lists = lists_attach(st->db);
		ss->state_known = false;
		if (load_docs(st, ss) < 0)
			return NULL;
		ss->loaded = true;
		ss->generation++;
		ss->version = version;
		ss->changes = changes;
	}
	return ss;
}

int store_articles_known(struct store *st)
{
	return search_state(st) ? 0 : -1;
}

uint64_t store_articles_generation(const struct store *st)
{
	return st->search ? st->search->generation : 0;
}

bool store_articles_current(struct store *st)
{
	const struct store_search *ss = st->search;
	return ss && ss->loaded && sqlite3_total_changes64(st->db) == ss->changes &&
	       store_data_version(st) == ss->version;
}

size_t store_docs_count(const struct store *st)
{
	return st->search ? st->search->docs.n : 0;
}

sqlite3_int64 store_doc_id(const struct store *st, size_t at)
{
	return st->search->docs.id[at];
}

bool store_doc_find(const struct store *st, sqlite3_int64 id, size_t *at)
{
	const struct docs *d = &st->search->docs;
	if (d->n == 0 || id < d->id[0])
		return false;
	/*
	 * Ids only grow, one at least per article, so id is at most id - first
	 * places in; with no article deleted, exactly there.
	 */
	size_t lo = 0, hi = d->n;
	if ((uint64_t)(id - d->id[0]) < d->n) {
		hi = (size_t)(id - d->id[0]) + 1;
		if (d->id[hi - 1] == id)
			lo = hi - 1;
	}
	lo += lower_bound_i64(d->id + lo, hi - lo, id);
	if (lo == d->n || d->id[lo] != id)
		return false;
	*at = lo;
	return true;
}

bool store_doc_shown(const struct store *st, size_t at, int64_t now, int64_t *published)
{
	const struct docs *d = &st->search->docs;
	if (d->flags[at] & (DOC_PAGE | DOC_DRAFT))
		return false;
	int64_t t = d->published[at];
	if (t != INT64_MIN && t > now)
		return false;
	*published = t == INT64_MIN ? 0 : t;
	return true;
}

bool store_doc_listed(const struct store *st, size_t at)
{
	const struct docs *d = &st->search->docs;
	return !(d->flags[at] & (DOC_PAGE | DOC_DRAFT)) && d->published[at] != INT64_MIN;
}

int64_t store_doc_time(const struct store *st, size_t at)
{
	return st->search->docs.published[at];
}

/* Whether article i of docs is of the status asked, at now. */
static bool status_fits(const struct docs *d, size_t i, enum article_status status, int64_t now)
{
	unsigned f = d->flags[i];
	int64_t t = d->published[i];
	if (f & DOC_PAGE)
		return false;
	switch (status) {
	case STATUS_PUBLISHED: return !(f & DOC_DRAFT) && t != INT64_MIN && t <= now;
	case STATUS_SCHEDULED: return !(f & DOC_DRAFT) && t != INT64_MIN && t > now;
	case STATUS_DRAFT: return (f & DOC_DRAFT) != 0;
	case STATUS_ALL: return true;
	}
	return false;
}

/* ---- ranking ----------------------------------------------------------- */

struct hit {
	double rank; /* -score: lower is better, as gz_rank() */
	int64_t published;
	int64_t id;
};

/* Whether a comes before b: rank, then newest first (none last), then id. */
static bool before(const struct hit *a, const struct hit *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank;
	if (a->published != b->published)
		return a->published > b->published;
	return a->id < b->id;
}

/* A heap of the best hits so far, the worst on top. */
struct best {
	struct hit *h;
	size_t n, max;
};

static void sift_down(struct best *b, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;
		if (l < b->n && before(&b->h[worst], &b->h[l]))
			worst = l;
		if (r < b->n && before(&b->h[worst], &b->h[r]))
			worst = r;
		if (worst == i)
			return;
		struct hit t = b->h[i];
		b->h[i] = b->h[worst];
		b->h[worst] = t;
		i = worst;
	}
}

static void offer(struct best *b, const struct hit *h)
{
	if (b->n < b->max) {
		size_t i = b->n++;
		b->h[i] = *h;
		while (i > 0 && before(&b->h[(i - 1) / 2], &b->h[i])) {
			struct hit t = b->h[i];
			b->h[i] = b->h[(i - 1) / 2];
			b->h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (b->max > 0 && before(h, &b->h[0])) {
		b->h[0] = *h;
		sift_down(b, 0);
	}
}

static int by_order(const void *x, const void *y)
{
	return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* What one search needs while it walks its lists. */
struct walk {
	struct plist *held[MAX_PHRASES]; /* taken: given back by walk_close() */
	size_t nheld;
	struct cursor want[MAX_PHRASES], skip[MAX_PHRASES];
	size_t nwant, nskip;
	double idf[MAX_PHRASES];
	double avg_len;
	/*
	 * What a weight of 1..15 of wanted phrase p adds to a score at most
	 * (over the shortest article: norm_min): a match whose bound cannot
	 * beat the worst of a full page is not scored.
	 */
	double most[MAX_PHRASES][16];
	double norm_min; /* the shortest article's norm (ss->norm_min) */
};

/* Whether phrase i of fts (from search_fts_phrases()) is excluded: "NOT " before it. */
static bool excluded(const char *fts, const struct fts_phrase *p)
{
	return p->s - fts >= 4 && memcmp(p->s - 4, "NOT ", 4) == 0;
}

static void walk_close(struct store_search *ss, struct walk *w)
{
	for (size_t i = 0; i < w->nheld; i++)
		lists_release(ss->lists, w->held[i]);
	w->nheld = 0;
}

/*
 * The lists of fts's phrases into w, with the idf of each wanted one as
 * gz_rank() computes it.  1: ready; 0: a wanted phrase is nowhere (no
 * results); -1: error.  walk_close() w in every case.
 */
static int open_lists(struct store *st, struct store_search *ss, const char *fts, struct walk *w)
{
	struct fts_phrase phrases[MAX_PHRASES];
	size_t np = search_fts_phrases(fts, phrases, MAX_PHRASES);
	struct plist **lists = w->held;
	bool out[MAX_PHRASES];
	double rows = 0, tokens = 0;
	memset(w, 0, sizeof *w);
	for (size_t i = 0; i < np; i++) {
		out[i] = excluded(fts, &phrases[i]);
		lists[i] = phrase_list(st, ss, phrases[i].s, phrases[i].len);
		if (lists[i] == NULL)
			return -1;
		w->nheld++;
		if (out[i])
			continue;
		if (lists[i]->n == 0)
			return 0;
		/* A list that holds articles learned the index's totals. */
		rows = lists[i]->rows;
		tokens = lists[i]->tokens;
	}
	for (size_t i = 0; i < np; i++) {
		struct cursor *c = out[i] ? &w->skip[w->nskip++] : &w->want[w->nwant++];
		cursor_open(c, lists[i]);
		if (!out[i]) {
			/* As FTS5's bm25(): rare terms weigh more; a term in most rows still a little. */
			double n = (double)lists[i]->n;
			double idf = log((rows - n + 0.5) / (n + 0.5));
			w->idf[c - w->want] = idf > 1e-6 ? idf : 1e-6;
		}
	}
	if (w->nwant == 0)
		return 0;
	w->avg_len = rows > 0 ? tokens / rows : 1.0;
	return 1;
}

/* The next article at or after id in every wanted list and in no excluded one; INT64_MAX. */
static int64_t next_match(struct walk *w, int64_t id)
{
	for (;;) {
		bool agreed = true;
		for (size_t i = 0; i < w->nwant; i++) {
			cursor_seek(&w->want[i], id);
			if (w->want[i].id != id) {
				id = w->want[i].id;
				agreed = false;
			}
		}
		if (id == INT64_MAX)
			return id;
		if (!agreed)
			continue;
		bool out = false;
		for (size_t i = 0; i < w->nskip && !out; i++) {
			cursor_seek(&w->skip[i], id);
			out = w->skip[i].id == id;
		}
		if (!out)
			return id;
		id++;
	}
}

#define BM25_K1 1.2
#define BM25_B  0.75

/* ss->norm for w's average length, made if the docs or the average changed. */
static const double *norms(struct store_search *ss, const struct walk *w)
{
	if (ss->norm && ss->norm_generation == ss->generation && ss->norm_avg == w->avg_len)
		return ss->norm;
	const struct docs *d = &ss->docs;
	ss->norm = xrealloc(ss->norm, (d->n ? d->n : 1) * sizeof *ss->norm);
	ss->norm_min = HUGE_VAL;
	for (size_t i = 0; i < d->n; i++) {
		double len = (double)d->words[i];
		/* gz_rank()'s expression, term by term. */
		ss->norm[i] = BM25_K1 * (1.0 - BM25_B + BM25_B * len / w->avg_len);
		if (ss->norm[i] < ss->norm_min)
			ss->norm_min = ss->norm[i];
	}
	ss->norm_avg = w->avg_len;
	ss->norm_generation = ss->generation;
	return ss->norm;
}

/* What weight tf of wanted phrase p adds to the score of an article of norm norm. */
static inline double term_score(const struct walk *w, size_t p, uint32_t tf, double norm)
{
	return w->idf[p] * (double)tf * (BM25_K1 + 1.0) / ((double)tf + norm);
}

/*
 * gz_rank()'s score of a match with weights tf, over the wanted phrases in
 * query order, as a rank (-score: lower is better).
 */
static double rank_of(const struct walk *w, const uint32_t *tf, double norm)
{
	double score = 0.0;
	for (size_t p = 0; p < w->nwant; p++)
		score += term_score(w, p, tf[p], norm);
	return -score;
}

/*
 * Whether a match with weights tf cannot get onto a full page: even over
 * the shortest article its score is below the page's worst.  Each term
 * falls as the norm grows, and IEEE arithmetic keeps that order, so the
 * bound, summed in the score's order, is never below the score itself.
 */
static bool cannot_enter(const struct walk *w, const struct best *best, const uint32_t *tf)
{
	if (best->n < best->max)
		return false;
	double most = 0.0;
	for (size_t p = 0; p < w->nwant; p++)
		most += tf[p] < 16 ? w->most[p][tf[p]] : term_score(w, p, tf[p], w->norm_min);
	return -most > best->h[0].rank;
}

/* w->most for the shortest article's norm. */
static void make_bounds(struct walk *w, double norm_min)
{
	w->norm_min = norm_min;
	for (size_t p = 0; p < w->nwant; p++)
		for (uint32_t tf = 1; tf < 16; tf++)
			w->most[p][tf] = term_score(w, p, tf, norm_min);
}

/* Offers the match id, at docs index di, with weights tf to best. */
static inline void offer_match(const struct walk *w, const struct docs *d, const double *norm,
                               size_t di, int64_t id, const uint32_t *tf, struct best *best)
{
	struct hit h = {rank_of(w, tf, norm[di]), d->published[di], id};
	offer(best, &h);
}

/* Advances *di to id in d; whether id is an article shown to q. */
static inline bool doc_at(const struct docs *d, size_t *di, int64_t id,
                          const struct article_query *q)
{
	while (*di < d->n && d->id[*di] < id)
		(*di)++;
	return *di < d->n && d->id[*di] == id && status_fits(d, *di, q->status, q->now);
}

/* The walk of any lists: each cursor goes through every article of its list. */
static unsigned walk_cursors(struct walk *w, const struct docs *d, const double *norm,
                             const struct article_query *q, struct best *best)
{
	size_t di = 0;
	unsigned matches = 0;
	uint32_t tf[MAX_PHRASES];
	for (int64_t id = next_match(w, 0); id != INT64_MAX; id = next_match(w, id + 1)) {
		if (!doc_at(d, &di, id, q))
			continue;
		matches++;
		for (size_t p = 0; p < w->nwant; p++)
			tf[p] = (uint32_t)w->want[p].weight;
		if (!cannot_enter(w, best, tf))
			offer_match(w, d, norm, di, id, tf, best);
	}
	return matches;
}

/* The articles a search shows, as a bitmap by id: bit i of words[k] is id base + 64k + i. */
struct shown {
	const uint64_t *bits;
	size_t words;
	int64_t base;
};

/* Makes ss->shown for q; false if the ids are too sparse. */
static bool make_shown(struct store_search *ss, const struct article_query *q)
{
	const struct docs *d = &ss->docs;
	if (d->n == 0)
		return false;
	int64_t base = d->id[0] & ~(int64_t)63, last = d->id[d->n - 1];
	if ((uint64_t)last - (uint64_t)base > (uint64_t)d->n * 64)
		return false;
	size_t words = (size_t)((uint64_t)last - (uint64_t)base) / 64 + 1;
	free(ss->shown);
	ss->shown = xcalloc(words, sizeof *ss->shown);
	int64_t until = INT64_MAX; /* the next date after now: a scheduled article shows then */
	for (size_t i = 0; i < d->n; i++) {
		int64_t t = d->published[i];
		if (t != INT64_MIN && t > q->now && t < until)
			until = t;
		size_t b = (size_t)((uint64_t)d->id[i] - (uint64_t)base);
		if (status_fits(d, i, q->status, q->now))
			ss->shown[b / 64] |= (uint64_t)1 << (b % 64);
	}
	ss->shown_words = words;
	ss->shown_base = base;
	ss->shown_generation = ss->generation;
	ss->shown_status = q->status;
	ss->shown_from = q->now;
	ss->shown_until = until;
	return true;
}

/*
 * The articles a search of q's status shows into *sh, made again when
 * they may have changed (ss->shown); false if the ids are too sparse for
 * a bitmap (fewer than one in 64 taken).
 */
static bool shown_bitmap(struct store_search *ss, const struct article_query *q, struct shown *sh)
{
	if (!(ss->shown && ss->shown_generation == ss->generation && ss->shown_status == q->status &&
	      q->now >= ss->shown_from && q->now < ss->shown_until) &&
	    !make_shown(ss, q))
		return false;
	*sh = (struct shown){ss->shown, ss->shown_words, ss->shown_base};
	return true;
}


/*
 * Where id is in d (it is there).  Ids grow by one at least, so id is at
 * id - the first id or before; looked at first, it is there unless
 * articles were deleted below it.
 */
static size_t doc_index(const struct docs *d, int64_t id)
{
	size_t lo = 0, hi = (size_t)(id - d->id[0]) + 1;
	if (hi > d->n)
		hi = d->n;
	if (d->id[hi - 1] == id)
		return hi - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->id[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Word k of a dense list's bitmap bits (its ids' or heavy ones'): ids from l->base + 64k; 0 past its end. */
static inline uint64_t list_word(const struct plist *l, const unsigned char *bits, int64_t k)
{
	if (bits == NULL || k < 0 || (size_t)k >= l->ids_len / 8)
		return 0;
	return bitmap_word(bits, (size_t)k);
}

static bool all_bitmaps(const struct walk *w)
{
	for (size_t p = 0; p < w->nwant; p++)
		if (!w->want[p].list->dense)
			return false;
	return true;
}

/* Where a bitmap walk stands: each wanted list's rank at the current word. */
struct bitwalk {
	int64_t lo, hi; /* the ids every wanted bitmap and the shown one cover */
	size_t rank[MAX_PHRASES];
	const uint32_t *large[MAX_PHRASES];
	uint64_t word[MAX_PHRASES];
};

/* bw's range, each wanted list's rank at its start, the excluded lists' cursors at their first. */
static void bitwalk_open(struct walk *w, const struct shown *sh, struct bitwalk *bw)
{
	*bw = (struct bitwalk){.lo = sh->base, .hi = sh->base + (int64_t)sh->words * 64};
	for (size_t p = 0; p < w->nwant; p++) {
		const struct plist *l = w->want[p].list;
		if (l->base > bw->lo)
			bw->lo = l->base;
		if (l->base + (int64_t)l->ids_len * 8 < bw->hi)
			bw->hi = l->base + (int64_t)l->ids_len * 8;
	}
	for (size_t p = 0; p < w->nwant; p++) {
		const struct plist *l = w->want[p].list;
		for (int64_t k = 0; k < (bw->lo - l->base) / 64; k++)
			bw->rank[p] += bits_set(list_word(l, l->data, k));
		bw->large[p] = l->large;
	}
	for (size_t x = 0; x < w->nskip; x++)
		cursor_open(&w->skip[x], w->skip[x].list);
}

/* The matches among the 64 ids from id0: in every wanted list, shown, in no excluded list. */
static uint64_t word_matches(struct walk *w, struct bitwalk *bw, int64_t id0,
                             const struct shown *sh)
{
	uint64_t m = sh->bits[(id0 - sh->base) / 64];
	for (size_t p = 0; p < w->nwant; p++) {
		const struct plist *l = w->want[p].list;
		bw->word[p] = list_word(l, l->data, (id0 - l->base) / 64);
		m &= bw->word[p];
	}
	for (size_t x = 0; x < w->nskip && m; x++) {
		const struct plist *l = w->skip[x].list;
		if (l->dense) {
			m &= ~list_word(l, l->data, (id0 - l->base) / 64);
			continue;
		}
		struct cursor *c = &w->skip[x];
		for (cursor_seek(c, id0); c->id < id0 + 64; cursor_next(c))
			m &= ~((uint64_t)1 << (c->id - id0));
	}
	return m;
}

/* The articles among the 64 from id0 heavy in some wanted list. */
static uint64_t word_heavy(const struct walk *w, int64_t id0)
{
	uint64_t h = 0;
	for (size_t p = 0; p < w->nwant; p++) {
		const struct plist *l = w->want[p].list;
		h |= list_word(l, l->heavy_bits, (id0 - l->base) / 64);
	}
	return h;
}

/*
 * One pass over the bitmaps: the heavy matches (heavy in some list) or
 * the light ones (in none) offered to best, each only if its bound beats
 * the page's worst.  Returns every match's count.
 */
static unsigned bitmap_pass(struct walk *w, const struct docs *d, const double *norm,
                            const struct shown *sh, bool heavy, struct best *best)
{
	struct bitwalk bw;
	bitwalk_open(w, sh, &bw);
	unsigned matches = 0;
	uint32_t tf[MAX_PHRASES] = {0};
	for (int64_t id0 = bw.lo; id0 < bw.hi; id0 += 64) {
		uint64_t m = word_matches(w, &bw, id0, sh);
		matches += bits_set(m);
		m &= heavy ? word_heavy(w, id0) : ~word_heavy(w, id0);
		for (; m; m &= m - 1) {
			unsigned b = (unsigned)__builtin_ctzll(m);
			uint64_t below = ((uint64_t)1 << b) - 1;
			for (size_t p = 0; p < w->nwant; p++)
				tf[p] = plist_weight(w->want[p].list, bw.rank[p] + bits_set(bw.word[p] & below),
				                     &bw.large[p]);
			if (!cannot_enter(w, best, tf))
				offer_match(w, d, norm, doc_index(d, id0 + b), id0 + b, tf, best);
		}
		for (size_t p = 0; p < w->nwant; p++)
			bw.rank[p] += bits_set(bw.word[p]);
	}
	return matches;
}

/*
 * The walk of wanted lists that are all bitmaps (common words): their
 * 64-bit words anded with the articles shown, so the matches are counted
 * 64 at a time and an article in one list and not another costs nothing.
 * A match's weights are found by its rank in each list (the bits set
 * before it).  The matches heavy in some list go first; the light ones
 * only if the page is not full or their bound (each weight below its
 * list's heavy) could beat its worst.  Any match is scored only if its
 * own bound beats the page's worst.
 */
static unsigned walk_bitmaps(struct walk *w, const struct docs *d, const double *norm,
                             const struct shown *sh, struct best *best)
{
	unsigned matches = bitmap_pass(w, d, norm, sh, true, best);
	uint32_t light[MAX_PHRASES];
	for (size_t p = 0; p < w->nwant; p++)
		light[p] = w->want[p].list->heavy - 1;
	if (!cannot_enter(w, best, light))
		bitmap_pass(w, d, norm, sh, false, best);
	return matches;
}

int store_search_rank(struct store *st, const char *fts, const struct article_query *q,
                      sqlite3_int64 *ids, size_t *nids, unsigned *total)
{
	size_t wanted = (size_t)q->page * q->limit;
	*nids = 0;
	*total = 0;
	if (wanted > MAX_WANTED)
		return 1;
	struct store_search *ss = search_state(st);
	if (ss == NULL)
		return -1;
	struct walk w;
	int rc = open_lists(st, ss, fts, &w);
	if (rc <= 0) {
		walk_close(ss, &w);
		return rc;
	}

	struct best best = {xcalloc(wanted, sizeof *best.h), 0, wanted};
	const double *norm = norms(ss, &w);
	make_bounds(&w, ss->norm_min);
	struct shown sh;
	unsigned matches = all_bitmaps(&w) && shown_bitmap(ss, q, &sh)
	                       ? walk_bitmaps(&w, &ss->docs, norm, &sh, &best)
	                       : walk_cursors(&w, &ss->docs, norm, q, &best);
	walk_close(ss, &w);
	qsort(best.h, best.n, sizeof *best.h, by_order);
	for (size_t i = (size_t)(q->page - 1) * q->limit; i < best.n; i++)
		ids[(*nids)++] = best.h[i].id;
	free(best.h);
	*total = matches;
	return 0;
}

/* ---- snippets ---------------------------------------------------------- */

/*
 * The tokenizer the index splits text with, without its stemmer (porter
 * changes a token's text, never where tokens are): the snippet's words
 * are counted as the index counts them.  Made on first use.
 */
static int open_tokenizer(struct store *st, struct store_search *ss)
{
	if (ss->tok && ss->stem_tok)
		return 0;
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL)
		return -1;
	/* CJK letters are tokens of their own where the index says so (fts_cjk.c). */
	bool cjk = false;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT instr(sql, 'gz_cjk') > 0 FROM sqlite_schema "
	                       "WHERE name = 'articles_fts'",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		cjk = sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	/* The index's tokenizer (store_schema.c): [gz_cjk] porter unicode61 remove_diacritics 2. */
	static const char *const chain[] = {"porter", "unicode61", "remove_diacritics", "2"};
	void *ctx = NULL, *stem_ctx = NULL;
	if (api->xFindTokenizer(api, cjk ? "gz_cjk" : "unicode61", &ctx, &ss->tokenizer) !=
	        SQLITE_OK ||
	    api->xFindTokenizer(api, cjk ? "gz_cjk" : "porter", &stem_ctx, &ss->stemmer) != SQLITE_OK)
		return -1;
	/* Without porter for the snippets' tokens; with it to stem (store_scan.c). */
	static const char *const plain[] = {"unicode61", "remove_diacritics", "2"};
	const char *const *split = cjk ? plain : plain + 1;
	const char *const *stem = cjk ? chain : chain + 1;
	if (!ss->stem_tok &&
	    ss->stemmer.xCreate(stem_ctx, (const char **)stem, cjk ? 4 : 3, &ss->stem_tok) != SQLITE_OK)
		return -1;
	if (!ss->tok &&
	    ss->tokenizer.xCreate(ctx, (const char **)split, cjk ? 3 : 2, &ss->tok) != SQLITE_OK)
		return -1;
	return 0;
}

/* The byte spans of the tokens first .. first+SNIPPET_WORDS-1 of a text, and where the next starts. */
struct spans {
	uint32_t starts[SNIPPET_WORDS], ends[SNIPPET_WORDS];
	size_t first, count;
	size_t next; /* the start of the token after them; the text's length if none */
	size_t token;
	size_t base; /* where in the text the tokenizer was started */
	bool done;   /* the token after them was seen */
};

static int span_token(void *p, int flags, const char *tok, int n, int start, int end)
{
	(void)tok;
	(void)n;
	struct spans *s = p;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK; /* at the same place as the one before */
	size_t t = s->token++;
	if (t < s->first)
		return SQLITE_OK;
	if (t - s->first < SNIPPET_WORDS) {
		s->starts[s->count] = (uint32_t)(s->base + (size_t)start);
		s->ends[s->count] = (uint32_t)(s->base + (size_t)end);
		s->count++;
		return SQLITE_OK;
	}
	s->next = s->base + (size_t)start;
	s->done = true;
	return SQLITE_DONE;
}


/* Whether byte c separates tokens wherever it stands: ASCII, and no letter or digit. */
static inline bool ascii_separator(unsigned char c)
{
	return c < 0x80 && !ascii_alnum(c);
}

/*
 * Counts the words before the window eight bytes at a time (they are
 * most of what ascii_tokens() reads): a block is taken while it is all
 * ASCII and no word that ends in it is one of the window's.  Returns
 * where the byte loop goes on, with whether it is inside a word and
 * where that word started.
 */
static size_t skip_words(const char *text, size_t i, size_t len, struct spans *sp, bool *in_word,
                         size_t *start)
{
	/* In locals: written through the pointers, each would be stored and loaded again per block. */
	size_t token = sp->token, first = sp->first;
	uint64_t carry = *in_word ? 0x80u : 0u;
	uint64_t last_starts = 0; /* the starts of the last block that had one, at last_at */
	size_t last_at = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v = load_le64(text + i);
		if (v & BYTES_HIGH)
			break;
		uint64_t alnum = alnum_bytes(v);
		uint64_t prev = (alnum << 8) | carry;
		unsigned ends = bytes_marked(prev & ~alnum & BYTES_HIGH);
		if (token + ends > first)
			break;
		uint64_t starts = alnum & ~prev;
		if (starts) {
			last_starts = starts;
			last_at = i;
		}
		token += ends;
		carry = (alnum >> 63) << 7;
	}
	if (last_starts)
		*start = last_at + (size_t)(63 - __builtin_clzll(last_starts)) / 8;
	sp->token = token;
	*in_word = carry != 0;
	return i;
}

/*
 * The snippet's window is often hundreds of tokens into an article, and
 * running the index's tokenizer over all of them was most of a search's
 * time.  unicode61 (and gz_cjk, which hands it all but CJK letters) makes
 * a token of each longest run of letters and digits, and in ASCII those
 * are [0-9A-Za-z]: every other ASCII byte separates.  So plain ASCII is
 * split here, from byte from, token by token into sp as span_token()
 * takes them, up to the first byte that is not ASCII.  Returns where the
 * tokenizer is to go on: the start of the word holding that byte (a word
 * boundary, where it splits the rest exactly as it would have split the
 * whole), or len.
 */
static size_t ascii_tokens(const char *text, size_t from, size_t len, struct spans *sp)
{
	bool in_word = false;
	size_t start = from;
	sp->base = 0;
	for (size_t i = skip_words(text, from, len, sp, &in_word, &start); i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x80)
			return in_word ? start : i;
		bool alnum = ascii_alnum(c);
		if (alnum && !in_word) {
			start = i;
			in_word = true;
		} else if (!alnum && in_word) {
			in_word = false;
			span_token(sp, 0, NULL, 0, (int)start, (int)i);
			if (sp->done)
				return len;
		}
	}
	if (in_word)
		span_token(sp, 0, NULL, 0, (int)start, (int)len);
	return len;
}

/* The first ASCII separator at or after from (len if none): a place to cut the text. */
static size_t boundary_after(const char *text, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++)
		if (ascii_separator((unsigned char)text[i]))
			return i;
	return len;
}

/*
 * Fills sp from the text: ASCII by ascii_tokens(), each stretch around
 * other letters by the index's tokenizer (ss's), a piece of at least
 * 256 bytes cut at a separator, then ASCII again: an English article
 * with a few curly quotes is still split here, and gz_cjk, which reads
 * all it is given before its first token, is given pieces.
 */
static void window_spans(struct store_search *ss, const char *text, size_t len, struct spans *sp)
{
	size_t at = ascii_tokens(text, 0, len, sp);
	while (!sp->done && at < len) {
		size_t end = boundary_after(text, len, at + 256 < len ? at + 256 : len);
		sp->base = at;
		ss->tokenizer.xTokenize(ss->tok, sp, FTS5_TOKENIZE_DOCUMENT, text + at,
		                        (int)(end - at), span_token);
		if (!sp->done && end < len)
			at = ascii_tokens(text, end, len, sp);
		else
			at = end;
	}
}

static int by_token(const void *x, const void *y)
{
	const struct snippet_match *a = x, *b = y;
	if (a->token != b->token)
		return a->token < b->token ? -1 : 1;
	return a->term - b->term;
}

/* Sorts tmp into dm: one match per token (the first word's), the first SNIPPET_MAX_MATCHES. */
static void settle_matches(struct doc_matches *dm, struct snippet_match *tmp, size_t ntmp)
{
	qsort(tmp, ntmp, sizeof *tmp, by_token);
	dm->n = 0;
	for (size_t i = 0; i < ntmp && dm->n < SNIPPET_MAX_MATCHES; i++)
		if (dm->n == 0 || dm->m[dm->n - 1].token != tmp[i].token)
			dm->m[dm->n++] = tmp[i];
}

static int by_id(const void *x, const void *y)
{
	const struct id_slot *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Whether word w of words is one given before it (it marks as its first). */
static bool given_before(const struct search_words *words, size_t w)
{
	for (size_t v = 0; v < w; v++)
		if (words->len[v] == words->len[w] &&
		    memcmp(words->text[v], words->text[w], words->len[w]) == 0)
			return true;
	return false;
}

/* Adds word term's positions (npos bytes at pos, each width tokens) to tmp (room for cap). */
static void add_positions(struct snippet_match *tmp, size_t *ntmp, size_t cap,
                          const unsigned char *pos, size_t npos, unsigned width, int term)
{
	const unsigned char *p = pos, *end = pos + npos;
	uint32_t at = 0;
	while (p < end && *ntmp < cap) {
		at += (uint32_t)varint_get(&p);
		tmp[(*ntmp)++] = (struct snippet_match){at, width ? width : 1, term};
	}
}

/* Word w's positions in each article of order by FTS5, which finds it by rowid (gz_positions()). */
static int asked_positions(struct store *st, const struct search_words *words, size_t w,
                           const struct id_slot *order, size_t nids, struct snippet_match *tmp,
                           size_t *ntmp, size_t cap)
{
	sqlite3_stmt *s = store_stmt(st, &q_positions);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, words->text[w], (int)words->len[w], SQLITE_STATIC);
	for (size_t i = 0; i < nids; i++) {
		struct spots sp = {0};
		sqlite3_bind_int64(s, 2, order[i].id);
		sqlite3_bind_pointer(s, 3, &sp, "gz_positions_sink", NULL);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_done(s);
			return -1;
		}
		size_t at = order[i].at;
		add_positions(tmp + at * cap, &ntmp[at], cap, sp.pos, sp.npos, sp.width, (int)w);
	}
	store_done(s);
	return 0;
}

/*
 * Word w's positions in each article of order (nids, by id) into tmp
 * (cap a article, ntmp[] filled), from its list.  0; 1 if the list keeps
 * none (too large: the bodies are read or the index asked); -1.
 */
static int word_positions(struct store *st, struct store_search *ss,
                          const struct search_words *words, size_t w,
                          const struct id_slot *order, size_t nids, struct snippet_match *tmp,
                          size_t *ntmp, size_t cap)
{
	struct plist *l = phrase_list(st, ss, words->text[w], words->len[w]);
	if (l == NULL)
		return -1;
	if (l->pos == NULL && l->n > 0) {
		lists_release(ss->lists, l);
		return 1;
	}
	struct cursor c;
	cursor_open(&c, l);
	for (size_t i = 0; i < nids; i++) {
		cursor_seek(&c, order[i].id);
		if (c.id == order[i].id) {
			size_t at = order[i].at;
			add_positions(tmp + at * cap, &ntmp[at], cap, c.pos, c.npos, l->width, (int)w);
		}
	}
	lists_release(ss->lists, l);
	return 0;
}

/* Points ss's blob at the body text of article id.  0 or -1. */
static int point_blob(struct store *st, struct store_search *ss, sqlite3_int64 id)
{
	if (ss->blob && ss->blob_id == id)
		return 0;
	int rc;
	if (ss->blob) {
		rc = sqlite3_blob_reopen(ss->blob, id);
	} else {
		rc = sqlite3_blob_open(st->db, "main", "articles", "body_text", id, 0, &ss->blob);
		ss->blob_opening++;
	}
	if (rc != SQLITE_OK) {
		/* A handle that failed to move is of no more use. */
		sqlite3_blob_close(ss->blob);
		ss->blob = NULL;
		return -1;
	}
	ss->blob_id = id;
	return 0;
}

/* Sets b to read article id's text from its start through the blob, which points at it. */
static void body_start(struct store_search *ss, struct body *b, sqlite3_int64 id)
{
	b->held = true;
	b->id = id;
	b->opening = ss->blob_opening;
	b->len = (size_t)sqlite3_blob_bytes(ss->blob);
	b->have = 0;
}

/*
 * Makes b the body text of article id, its length in b->len, unless it
 * is already (read for the words, then asked for the snippet).  The text
 * is read through the blob only as far as needed (read_body()):
 * selected as a column, the whole of it was copied into a new allocation
 * for every result, the largest part of a search's time; read twice, for
 * the words and for the snippet, at 100,000 articles the second reading
 * was 8% of a search's CPU.  0 or -1 (b then holds nothing).
 */
static int open_body(struct store *st, struct store_search *ss, struct body *b, sqlite3_int64 id)
{
	if (b->held && b->id == id)
		return 0;
	b->held = false;
	if (point_blob(st, ss, id) < 0)
		return -1;
	body_start(ss, b, id);
	return 0;
}

/*
 * Has b's text read up to want bytes (all of it, at most its length), and
 * says in *avail how much of it to split: up to its last ASCII separator,
 * so that no word or letter is cut, unless all of it was read.  A text
 * begun through an earlier opening of the blob is read again from its
 * start.  False if it cannot be read.
 */
static bool read_body(struct store *st, struct store_search *ss, struct body *b, size_t want,
                      size_t *avail)
{
	if (want > b->have && b->have < b->len) {
		if (point_blob(st, ss, b->id) < 0)
			return false;
		if (b->opening != ss->blob_opening)
			body_start(ss, b, b->id);
		if (want > b->len)
			want = b->len;
		if (want > b->cap) {
			/* Grown as it is read: a page's bodies are often read only in part. */
			size_t cap = 2 * b->cap < b->len ? 2 * b->cap : b->len;
			b->cap = cap > want ? cap : want;
			b->data = xrealloc(b->data, b->cap);
		}
		if (want > b->have && sqlite3_blob_read(ss->blob, b->data + b->have,
		                                        (int)(want - b->have), (int)b->have) != SQLITE_OK)
			return false;
		b->have = want;
	}
	*avail = b->have;
	if (b->have < b->len)
		while (*avail > 0 && !ascii_separator((unsigned char)b->data[*avail - 1]))
			(*avail)--;
	return true;
}

/* What the stemmer hands back for one token: the first, and how many. */
struct stemmed {
	char *out;
	size_t len;
	int n;
};

static int on_stem(void *p, int flags, const char *tok, int n, int start, int end)
{
	struct stemmed *sd = p;
	(void)flags, (void)start, (void)end;
	if (sd->n++ == 0) {
		/* Longer than any stem looked for: matches none. */
		sd->len = (size_t)n <= SCAN_STEM_MAX ? (size_t)n : SIZE_MAX;
		if (sd->len != SIZE_MAX)
			memcpy(sd->out, tok, (size_t)n);
	}
	return SQLITE_OK;
}

/* store_scan.c's stem(): the index's tokenizer, porter included, on one token. */
static int stem_token(void *ctx, const char *token, size_t n, char *out, size_t *len)
{
	struct store_search *ss = ctx;
	struct stemmed sd = {out, SIZE_MAX, 0};
	if (ss->stemmer.xTokenize(ss->stem_tok, &sd, FTS5_TOKENIZE_DOCUMENT, token, (int)n,
	                          on_stem) != SQLITE_OK)
		return -1;
	*len = sd.n == 1 ? sd.len : SIZE_MAX;
	return 0;
}

/*
 * Whether word w (a quoted word, from search_words_parse()) can be found
 * by reading the bodies: not a prefix, and one token as the index stems
 * it, into sw.
 */
static bool scannable(struct store_search *ss, const struct search_words *words, size_t w,
                      struct scan_word *sw)
{
	const char *text = words->text[w];
	size_t len = words->len[w];
	if (len < 3 || text[0] != '"' || text[len - 1] != '"')
		return false;
	char stem[SCAN_STEM_MAX];
	size_t slen;
	if (stem_token(ss, text + 1, len - 2, stem, &slen) < 0 || slen == SIZE_MAX || slen == 0)
		return false;
	scan_word_init(sw, stem, slen);
	return true;
}

/* The words scanned for in one search's bodies, and which word of the query each is. */
struct scan {
	struct scan_word word[SEARCH_MAX_TERMS * 4];
	size_t term[SEARCH_MAX_TERMS * 4];
	size_t n;
	bool cover; /* they are all the query's words, each its own stem (scan_body()) */
};

/* Whether sc's words are all of words, none with another's stem. */
static bool scan_covers(const struct scan *sc, const struct search_words *words)
{
	if (sc->n != words->n)
		return false;
	for (size_t i = 0; i < sc->n; i++)
		for (size_t j = 0; j < i; j++)
			if (sc->word[i].len == sc->word[j].len &&
			    memcmp(sc->word[i].stem, sc->word[j].stem, sc->word[i].len) == 0)
				return false;
	return true;
}

/*
 * The scan's words' positions in the body of article id into its tmp
 * (ntmp filled, room for cap), read as far as needed.  0; 1 if the body
 * is not all ASCII where it matters (the index is asked); -1.
 */
static int scan_article(struct store *st, struct store_search *ss, struct scan *sc,
                        struct body *b, int64_t id, struct snippet_match *tmp, size_t *ntmp,
                        size_t cap)
{
	size_t avail = 0;
	/* Gone since the ranking (another connection deleted it): no places, as FTS5 would say. */
	if (open_body(st, ss, b, id) < 0)
		return 0;
	int rc = 1;
	/* Some 6 bytes a token in English: 4,096 tokens in 24 KB, most bodies whole in less. */
	for (size_t want = 16384; rc == 1; want = b->have * 4) {
		if (!read_body(st, ss, b, want, &avail))
			return -1;
		rc = scan_body(b->data, avail, avail == b->len, sc->word, sc->n, sc->cover, stem_token,
		               ss);
		if (rc == 1 && avail == b->len)
			rc = 0;
	}
	if (rc != 0)
		return rc == 2 ? 1 : -1;
	for (size_t k = 0; k < sc->n; k++)
		add_positions(tmp, ntmp, cap, sc->word[k].pos, sc->word[k].npos, 1, (int)sc->term[k]);
	ss->bodies_scanned++;
	return 0;
}

size_t store_search_lists_bytes(struct store *st)
{
	/* The file's lists, whichever connection read them. */
	struct lists *ls = lists_attach(st->db);
	size_t bytes = lists_bytes(ls);
	lists_detach(ls);
	return bytes;
}

size_t store_bodies_scanned(const struct store *st)
{
	return st->search ? st->search->bodies_scanned : 0;
}

/* The scan's words' positions in each article of order: read from its body, or asked of FTS5. */
static int scanned_positions(struct store *st, struct store_search *ss, struct scan *sc,
                             const struct search_words *words, const struct id_slot *order,
                             size_t nids, struct snippet_match *tmp, size_t *ntmp, size_t cap)
{
	for (size_t i = 0; i < nids; i++) {
		size_t at = order[i].at;
		int rc = scan_article(st, ss, sc, &ss->bodies[at], order[i].id, tmp + at * cap,
		                      &ntmp[at], cap);
		for (size_t k = 0; rc == 1 && k < sc->n; k++)
			if (asked_positions(st, words, sc->term[k], order + i, 1, tmp, ntmp, cap) < 0)
				return -1;
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* store_snippets_find() but for the blob it leaves open on failure. */
static int find_snippets(struct store *st, const char *q, const sqlite3_int64 *ids, size_t nids)
{
	struct store_search *ss = search_state(st);
	if (ss == NULL || open_tokenizer(st, ss) < 0)
		return -1;
	if (nids == 0)
		return 0; /* no results: no snippet will be asked for */
	struct store_snippets *sn = &ss->snippets;
	struct search_words *words = &sn->words;
	search_words_parse(q, strlen(q), words);
	sn->nterms = words->n;
	if (nids > ss->slots) {
		sn->docs = xrealloc(sn->docs, nids * sizeof *sn->docs);
		ss->ntmp = xrealloc(ss->ntmp, nids * sizeof *ss->ntmp);
		ss->order = xrealloc(ss->order, nids * sizeof *ss->order);
		ss->bodies = xrealloc(ss->bodies, nids * sizeof *ss->bodies);
		memset(ss->bodies + ss->slots, 0, (nids - ss->slots) * sizeof *ss->bodies);
		ss->slots = nids;
	}
	/* Nothing read for another page is this page's. */
	for (size_t i = 0; i < nids; i++)
		ss->bodies[i].held = false;
	for (size_t i = 0; i < nids; i++) {
		ss->order[i] = (struct id_slot){ids[i], i};
		ss->ntmp[i] = 0;
	}
	qsort(ss->order, nids, sizeof *ss->order, by_id);
	/* Per article, every word's positions, before they are merged. */
	size_t cap = (words->n ? words->n : 1) * SNIPPET_MAX_MATCHES;
	if (nids * cap > ss->tmp_cap) {
		ss->tmp_cap = nids * cap;
		ss->tmp = xrealloc(ss->tmp, ss->tmp_cap * sizeof *ss->tmp);
	}
	/*
	 * From the lists that keep them; for a list too large, by reading the
	 * bodies (store_scan.c), or from FTS5 for a word they cannot be read for.
	 */
	struct scan sc;
	sc.n = 0;
	for (size_t w = 0; w < words->n; w++) {
		if (given_before(words, w))
			continue;
		int rc = word_positions(st, ss, words, w, ss->order, nids, ss->tmp, ss->ntmp, cap);
		if (rc == 1 && scannable(ss, words, w, &sc.word[sc.n]))
			sc.term[sc.n++] = w;
		else if (rc == 1)
			rc = asked_positions(st, words, w, ss->order, nids, ss->tmp, ss->ntmp, cap);
		if (rc < 0)
			return -1;
	}
	sc.cover = scan_covers(&sc, words);
	if (sc.n > 0 &&
	    scanned_positions(st, ss, &sc, words, ss->order, nids, ss->tmp, ss->ntmp, cap) < 0)
		return -1;
	for (size_t i = 0; i < nids; i++)
		settle_matches(&sn->docs[i], ss->tmp + i * cap, ss->ntmp[i]);
	return 0;
}

int store_snippets_find(struct store *st, const char *q, const sqlite3_int64 *ids, size_t nids)
{
	int rc = find_snippets(st, q, ids, nids);
	if (rc < 0)
		store_snippets_done(st); /* the blob holds a read transaction open */
	return rc;
}

json_t *store_snippet(struct store *st, size_t i, sqlite3_int64 id)
{
	struct store_search *ss = st->search;
	const struct store_snippets *sn = &ss->snippets;
	struct doc_matches *dm = &sn->docs[i];
	struct body *b = &ss->bodies[i];
	size_t n = dm->n;
	size_t first = search_snippet_window(dm->m, &n, sn->nterms);
	if (open_body(st, ss, b, id) < 0 || b->len == 0)
		return json_array();
	/*
	 * A guess of where the window ends, generous for English, or all that
	 * the words' scan read; four times more while short.
	 */
	size_t want = (first + SNIPPET_WORDS + 1) * 12 + 256;
	if (want < b->have)
		want = b->have;
	struct spans sp;
	for (;;) {
		size_t avail;
		if (!read_body(st, ss, b, want, &avail))
			return json_array();
		sp = (struct spans){.first = first, .next = b->len};
		window_spans(ss, b->data, avail, &sp);
		if (sp.done || avail == b->len)
			break;
		want = b->have * 4;
	}
	if (sp.count == 0)
		return json_array();
	return search_snippet_build(b->data, b->len, sp.starts, sp.ends, sp.first, sp.count, sp.next,
	                            dm->m, n);
}

/*
 * Room for bodies kept for the next page, all together: more (one long
 * article, or a page of 100) is given back.
 */
#define TEXT_KEPT (1u << 20)

void store_snippets_done(struct store *st)
{
	struct store_search *ss = st->search;
	if (ss == NULL)
		return;
	sqlite3_blob_close(ss->blob);
	ss->blob = NULL;
	/* What the bodies hold is forgotten by the next store_snippets_find(). */
	size_t kept = 0;
	for (size_t i = 0; i < ss->slots; i++) {
		struct body *b = &ss->bodies[i];
		if (kept + b->cap > TEXT_KEPT) {
			free(b->data);
			*b = (struct body){0};
		}
		kept += b->cap;
	}
}
