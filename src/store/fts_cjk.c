/*
 * fts_cjk.c: the FTS5 tokenizer "gz_cjk": Chinese, Japanese and Korean
 * letters one token each, the rest to the tokenizer it wraps.
 *
 * Why letters one by one (tests/data/notes/cjk-search.md has the
 * figures): of the ways measured it is the only one that finds every
 * query of 1, 2, 3 and 4+ letters in Chinese, Japanese and Korean with
 * one table and FTS5's own MATCH, with an index about as large as
 * unicode61's.  The trigram tokenizer needs 3 letters (and SQLite 3.40's
 * LIKE on a trigram table finds nothing for 1 or 2 CJK letters), bigrams
 * lose a lone letter at the end of a run, and ICU's dictionary word
 * break misses Korean words with their particles ("서울" in "서울에서")
 * and a letter inside a word.  What it gives up: a word is found inside
 * a longer one ("京都", Kyoto, inside "東京都", Tokyo), as substring
 * search does.
 *
 * Token positions follow the text: in "A18芯片" the tokens are "a18",
 * "芯", "片" at positions 0, 1, 2, so the phrase "A18芯片" matches it and
 * "A18 芯片" too.  Offsets are the bytes of the original text, so FTS5's
 * highlight() and snippet() mark the right letters.
 */
#include "gazette/store/fts_cjk.h"

#include <string.h>

#include <sqlite3.h>

#include "gazette/base/lang.h"
#include "gazette/base/util.h"

struct cjk_tokenizer {
	fts5_tokenizer inner; /* the wrapped tokenizer's methods */
	Fts5Tokenizer *inner_tok;
};

typedef int (*token_fn)(void *ctx, int tflags, const char *tok, int n, int start, int end);

/*
 * The wrapped tokenizer sees a piece of the text: its offsets move by
 * base.  What FTS5's callback last said is kept: SQLITE_DONE asks the
 * tokenizer to stop, and unicode61 then returns SQLITE_OK, so that the
 * caller of the wrapped tokenizer cannot tell otherwise.
 */
struct shifted {
	void *ctx;
	token_fn token;
	int base;
	int rc;
};

static int shifted_token(void *p, int tflags, const char *tok, int n, int start, int end)
{
	struct shifted *s = p;
	s->rc = s->token(s->ctx, tflags, tok, n, start + s->base, end + s->base);
	return s->rc;
}

/*
 * argv: the wrapped tokenizer's name and its arguments, as porter takes
 * them ("porter unicode61 remove_diacritics 2"); none means unicode61.
 */
static int cjk_create(void *api_ptr, const char **argv, int argc, Fts5Tokenizer **out)
{
	fts5_api *api = api_ptr;
	const char *name = argc > 0 ? argv[0] : "unicode61";
	void *inner_ctx = NULL;
	fts5_tokenizer inner;

	if (strcmp(name, FTS_CJK_TOKENIZER) == 0)
		return SQLITE_ERROR; /* itself: it would recurse */
	int rc = api->xFindTokenizer(api, name, &inner_ctx, &inner);
	if (rc != SQLITE_OK)
		return rc;
	struct cjk_tokenizer *t = sqlite3_malloc(sizeof *t);
	if (t == NULL)
		return SQLITE_NOMEM;
	t->inner = inner;
	t->inner_tok = NULL;
	rc = inner.xCreate(inner_ctx, argc > 1 ? argv + 1 : NULL, argc > 1 ? argc - 1 : 0,
	                   &t->inner_tok);
	if (rc != SQLITE_OK) {
		sqlite3_free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void cjk_delete(Fts5Tokenizer *tok)
{
	struct cjk_tokenizer *t = (struct cjk_tokenizer *)tok;
	if (t == NULL)
		return;
	t->inner.xDelete(t->inner_tok);
	sqlite3_free(t);
}

/* Hands text[from..to) to the wrapped tokenizer; SQLITE_DONE if FTS5 said stop. */
static int tokenize_piece(struct cjk_tokenizer *t, struct shifted *s, int flags, const char *text,
                          int from, int to)
{
	if (from >= to)
		return SQLITE_OK;
	s->base = from;
	int rc = t->inner.xTokenize(t->inner_tok, s, flags, text + from, to - from, shifted_token);
	return rc == SQLITE_OK ? s->rc : rc;
}

static int cjk_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n,
                        token_fn token)
{
	struct cjk_tokenizer *t = (struct cjk_tokenizer *)tok;
	struct shifted s = {ctx, token, 0, SQLITE_OK};
	int piece = 0, i = 0, rc = SQLITE_OK;

	if (text == NULL || n <= 0)
		return SQLITE_OK;
	while (i < n && rc == SQLITE_OK) {
		if ((unsigned char)text[i] < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp = utf8_decode(text + i, (size_t)(n - i), &len);
		if (cp != UTF8_INVALID && lang_is_cjk_char(cp)) {
			rc = tokenize_piece(t, &s, flags, text, piece, i);
			if (rc == SQLITE_OK)
				rc = token(ctx, 0, text + i, (int)len, i, i + (int)len);
			piece = i + (int)len;
		}
		i += (int)len;
	}
	if (rc == SQLITE_OK)
		rc = tokenize_piece(t, &s, flags, text, piece, n);
	/* Stopping when asked is no error (as unicode61 and trigram answer). */
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int fts_cjk_register(struct sqlite3 *db)
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

	static fts5_tokenizer methods = {cjk_create, cjk_delete, cjk_tokenize};
	return api->xCreateTokenizer(api, FTS_CJK_TOKENIZER, api, &methods, NULL) == SQLITE_OK ? 0
	                                                                                       : -1;
}
