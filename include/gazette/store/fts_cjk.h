/*
 * fts_cjk.h: an FTS5 tokenizer that finds words inside Chinese, Japanese
 * and Korean text.
 *
 * FTS5's unicode61 tokenizer makes one token of a whole run of letters
 * without spaces, so "经济" is not found in "经济增长是主要动力" (the
 * sentence is a single token).  This tokenizer makes each Han, Hiragana,
 * Katakana and Hangul letter (lang_is_cjk_char()) a token of its own, in
 * order, and hands the text between them to another tokenizer (porter
 * unicode61, say), so that English keeps its stems.  A reader's word of
 * several CJK letters becomes, in an FTS5 query, a phrase of its letters
 * (FTS5 makes a phrase of the tokens of one quoted string), which matches
 * exactly where those letters stand side by side: a substring search,
 * for words of any length, one letter included.
 *
 * Its name in a table's tokenize option is FTS_CJK_TOKENIZER, followed by
 * the tokenizer it wraps and that one's arguments (unicode61 if none):
 *
 *   CREATE VIRTUAL TABLE t USING fts5(body,
 *     tokenize = 'gz_cjk porter unicode61 remove_diacritics 2');
 *
 * The design, the alternatives measured (trigram, bigrams, ICU's word
 * break iterator) and what using it in the store takes:
 * tests/data/notes/cjk-search.md.
 */
#ifndef GAZETTE_FTS_CJK_H
#define GAZETTE_FTS_CJK_H

#define FTS_CJK_TOKENIZER "gz_cjk"

struct sqlite3;

/*
 * Registers the tokenizer on the connection db (each connection that
 * reads or writes a table using it must).  Returns 0, or -1 if this
 * SQLite has no FTS5 or refuses the tokenizer.
 */
int fts_cjk_register(struct sqlite3 *db);

#endif
