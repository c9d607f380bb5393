/*
 * store_rank.c: how search results are ordered.
 *
 * FTS5's bm25() looks up each matching document's length in a table of
 * its own, a B-tree seek per match that cost more than everything else a
 * search does.  gz_rank() is the same BM25 over the three columns with
 * weights (title 10, summary 4, body 1), but takes the length from
 * articles.word_count, which the search reads anyway to check that the
 * article is published, and the terms' document counts from the caller,
 * who keeps them between searches.
 *
 *   gz_rank(articles_fts, a.word_count, :df, :counter)
 *
 * :df is a blob of doubles, one per phrase of the query; :counter a
 * pointer (sqlite3_bind_pointer, type "gz_rank_counter") to an unsigned
 * the function increments once per row it ranks.  A sort ranks every row
 * that passes the WHERE clause exactly once, so after the statement the
 * counter holds the number of results, which saves a second query.
 */
#include <math.h>
#include <string.h>

#include "store_internal.h"

#define MAX_PHRASES 64

/* Per query: the idf of each phrase and the average document length, computed once. */
struct rank_data {
	int nphrases;
	double idf[MAX_PHRASES];
	double avg_len;
};

static const double column_weight[] = {10.0, 4.0, 1.0};

static struct rank_data *rank_data(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_value *df)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	if (d)
		return d;
	d = sqlite3_malloc(sizeof *d);
	if (d == NULL)
		return NULL;
	memset(d, 0, sizeof *d);

	sqlite3_int64 rows = 0, tokens = 0;
	api->xRowCount(fts, &rows);
	for (int c = 0; c < 3; c++) {
		sqlite3_int64 t = 0;
		api->xColumnTotalSize(fts, c, &t);
		tokens += t;
	}
	d->avg_len = rows > 0 ? (double)tokens / (double)rows : 1.0;

	const double *counts = sqlite3_value_blob(df);
	int ncounts = sqlite3_value_bytes(df) / (int)sizeof(double);
	d->nphrases = api->xPhraseCount(fts);
	if (d->nphrases > MAX_PHRASES)
		d->nphrases = MAX_PHRASES;
	for (int p = 0; p < d->nphrases; p++) {
		double n = p < ncounts && counts ? counts[p] : 1.0;
		/* As FTS5's bm25(): rare terms weigh more; a term in most rows still a little. */
		double idf = log(((double)rows - n + 0.5) / (n + 0.5));
		d->idf[p] = idf > 1e-6 ? idf : 1e-6;
	}
	if (api->xSetAuxdata(fts, d, sqlite3_free) != SQLITE_OK)
		return NULL;
	return d;
}

static void gz_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **val)
{
	if (nval != 3) {
		sqlite3_result_error(ctx, "gz_rank(fts, length, df, counter)", -1);
		return;
	}
	struct rank_data *d = rank_data(api, fts, val[1]);
	if (d == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	unsigned *counter = sqlite3_value_pointer(val[2], "gz_rank_counter");
	if (counter)
		(*counter)++;

	/* Term frequencies, each hit weighted by its column. */
	double tf[MAX_PHRASES] = {0};
	int hits = 0;
	api->xInstCount(fts, &hits);
	for (int i = 0; i < hits; i++) {
		int phrase, column, offset;
		if (api->xInst(fts, i, &phrase, &column, &offset) == SQLITE_OK &&
		    phrase < MAX_PHRASES)
			tf[phrase] += column_weight[column < 3 ? column : 2];
	}

	const double k1 = 1.2, b = 0.75;
	double len = sqlite3_value_double(val[0]);
	double norm = k1 * (1.0 - b + b * len / d->avg_len);
	double score = 0.0;
	for (int p = 0; p < d->nphrases; p++)
		score += d->idf[p] * tf[p] * (k1 + 1.0) / (tf[p] + norm);
	/* Like bm25(): lower is better, so that ORDER BY puts the best first. */
	sqlite3_result_double(ctx, -score);
}

int store_register_rank(sqlite3 *db)
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
	return api->xCreateFunction(api, "gz_rank", NULL, gz_rank, NULL) == SQLITE_OK ? 0 : -1;
}
