/*
 * store_schema.c: the database schema, one migration per version.
 *
 * PRAGMA user_version holds the number of migrations applied and PRAGMA
 * application_id marks the file as gazette's.  A migration is never edited
 * once released; changes come as a new entry at the end.
 */
#include "store_internal.h"

/* "GZTT": marks a SQLite file as a gazette database. */
const int store_application_id = 0x475a5454;

/* The triggers that keep the external-content index in step with articles (1; made again by 7). */
#define FTS_INSERT_TRIGGER \
	"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN\n" \
	"  INSERT INTO articles_fts (rowid, title, summary, body_text)\n" \
	"    VALUES (new.id, new.title, new.summary, new.body_text);\n" \
	"END;\n"
#define FTS_TRIGGERS \
	FTS_INSERT_TRIGGER \
	"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN\n" \
	"  INSERT INTO articles_fts (articles_fts, rowid, title, summary, body_text)\n" \
	"    VALUES ('delete', old.id, old.title, old.summary, old.body_text);\n" \
	"END;\n" \
	"CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body_text ON articles\n" \
	"BEGIN\n" \
	"  INSERT INTO articles_fts (articles_fts, rowid, title, summary, body_text)\n" \
	"    VALUES ('delete', old.id, old.title, old.summary, old.body_text);\n" \
	"  INSERT INTO articles_fts (rowid, title, summary, body_text)\n" \
	"    VALUES (new.id, new.title, new.summary, new.body_text);\n" \
	"END;\n"

/* 2: API tokens (hashed) and the revisions writes keep. */
static const char migration_2[] =
    "CREATE TABLE tokens (\n"
    "  name TEXT PRIMARY KEY,\n"
    "  scope TEXT NOT NULL,                -- 'write' or 'read-drafts'\n"
    "  hash BLOB NOT NULL UNIQUE,          -- BLAKE2b-256 of the token; the token is never kept\n"
    "  created_at INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE revisions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  slug TEXT NOT NULL,\n"
    "  saved_at INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,               -- 'updated' or 'deleted': what replaced it\n"
    "  document TEXT NOT NULL              -- the article before, in the write API's JSON\n"
    ");\n"
    "CREATE INDEX revisions_slug ON revisions (slug, id);\n";

/*
 * 3: the files a site ships (content-addressed: an unchanged file costs
 * nothing), old addresses that answer 301, what is needed to resolve an
 * article's relative references as its original site did, and authors as
 * a site declares them.
 */
static const char migration_3[] =
    "CREATE TABLE blobs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the bytes, hex: the content's name\n"
    "  size INTEGER NOT NULL,\n"
    "  type TEXT NOT NULL,                 -- media type, from the bytes\n"
    "  width INTEGER,                      -- images: their size in pixels\n"
    "  height INTEGER,\n"
    "  data BLOB NOT NULL                  -- last: a read of the other columns skips it\n"
    ");\n"
    "CREATE TABLE files (\n"
    "  path TEXT PRIMARY KEY,              -- the address below the site: 'images/a.png'\n"
    "  blob_id INTEGER NOT NULL REFERENCES blobs (id),\n"
    "  source TEXT NOT NULL DEFAULT '',    -- the file it was imported from, or 'api'\n"
    "  modified_at INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX files_blob ON files (blob_id);\n"
    "CREATE TABLE redirects (\n"
    "  path TEXT PRIMARY KEY,              -- an old address: '/2015/05/15/rust-1.0.html', '/?p=12'\n"
    "  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,\n"
    "  origin TEXT NOT NULL                -- where it came from: 'url', 'aliases', 'permalink'...\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX redirects_article ON redirects (article_id);\n"
    /* Where the article lived: its relative references resolve from there. */
    "ALTER TABLE articles ADD COLUMN url TEXT NOT NULL DEFAULT '';\n"
    /* body_md holds Markdown, or HTML an export of another system gave. */
    "ALTER TABLE articles ADD COLUMN format TEXT NOT NULL DEFAULT 'markdown';\n"
    "ALTER TABLE articles ADD COLUMN lang TEXT NOT NULL DEFAULT '';\n"
    /* Its file's path below the imported folder: export writes it there again. */
    "ALTER TABLE articles ADD COLUMN path TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE authors ADD COLUMN bio TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE authors ADD COLUMN avatar TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE authors ADD COLUMN links TEXT NOT NULL DEFAULT '[]'; -- JSON: [{name, url}]\n"
    "ALTER TABLE authors ADD COLUMN declared INTEGER NOT NULL DEFAULT 0; -- in site.yaml\n"
    /* How each article spelled its author: the newest spelling is the name. */
    "ALTER TABLE article_authors ADD COLUMN spelling TEXT NOT NULL DEFAULT '';\n";

/*
 * 4: how many articles each month holds, kept by triggers as articles
 * come, change and go, so that the archive's counts are read from a row
 * per month rather than counted over every article.  A month is YYYYMM
 * (UTC).  Scheduled articles are counted too: a reader of the counts
 * takes off those not yet due (store_nav.c), a bounded read of the
 * listing index.
 */
#define ARCHIVE_MONTH(row) "CAST(strftime('%Y%m', " row ".published_at, 'unixepoch') AS INTEGER)"
#define ARCHIVE_COUNTED(row)                                                                       \
	row ".kind = 0 AND " row ".draft = 0 AND " row ".published_at IS NOT NULL"
#define ARCHIVE_ADD(row)                                                                           \
	"  INSERT INTO archive_months (month, articles) SELECT " ARCHIVE_MONTH(row) ", 1 "           \
	"WHERE " ARCHIVE_COUNTED(row) " ON CONFLICT (month) DO UPDATE SET articles = articles + 1;\n"
#define ARCHIVE_TAKE(row)                                                                          \
	"  UPDATE archive_months SET articles = articles - 1 WHERE month = " ARCHIVE_MONTH(row)      \
	" AND " ARCHIVE_COUNTED(row) ";\n"                                                            \
	"  DELETE FROM archive_months WHERE articles <= 0;\n"
/* Also made again by migration 7, with the table they watch. */
#define ARCHIVE_TRIGGERS \
	"CREATE TRIGGER archive_months_insert AFTER INSERT ON articles BEGIN\n" ARCHIVE_ADD("new") \
	"END;\n" \
	"CREATE TRIGGER archive_months_delete AFTER DELETE ON articles BEGIN\n" ARCHIVE_TAKE("old") \
	"END;\n" \
	"CREATE TRIGGER archive_months_update AFTER UPDATE OF kind, draft, published_at ON articles\n" \
	"BEGIN\n" ARCHIVE_TAKE("old") ARCHIVE_ADD("new") "END;\n"
static const char migration_4[] =
    "CREATE TABLE archive_months (\n"
    "  month INTEGER PRIMARY KEY,          -- YYYYMM of published_at, UTC\n"
    "  articles INTEGER NOT NULL           -- articles (kind 0, no drafts) published in it\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO archive_months (month, articles) SELECT " ARCHIVE_MONTH("a") ", count(*) "
    "FROM articles a WHERE " ARCHIVE_COUNTED("a") " GROUP BY 1;\n"
    ARCHIVE_TRIGGERS;

/*
 * 5: reading times that count Chinese, Japanese and Korean by the
 * character, and the smaller copies of the images a site ships
 * (content/picture.h), kept as blobs beside their originals.
 */
static const char migration_5[] =
    /* Han, Hiragana, Katakana and Hangul letters of body_text (content/reading.h). */
    "ALTER TABLE articles ADD COLUMN cjk_chars INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE TABLE variants (\n"
    "  blob_id INTEGER NOT NULL REFERENCES blobs (id) ON DELETE CASCADE, -- the original\n"
    "  width INTEGER NOT NULL,             -- pixels\n"
    "  type TEXT NOT NULL,                 -- 'image/webp', or the original's media type\n"
    "  variant_id INTEGER NOT NULL REFERENCES blobs (id), -- its bytes\n"
    "  PRIMARY KEY (blob_id, width, type)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX variants_variant ON variants (variant_id);\n"
    /* An image looked at: its variants (none, for an animation) are made by this rule. */
    "CREATE TABLE variants_made (\n"
    "  blob_id INTEGER PRIMARY KEY REFERENCES blobs (id) ON DELETE CASCADE,\n"
    "  rule INTEGER NOT NULL               -- PICTURE_RULE_VERSION when they were made\n"
    ");\n";

/*
 * 6: Chinese, Japanese and Korean searchable.  unicode61 makes a whole run
 * of CJK letters one token, so a word inside a sentence was never found;
 * gz_cjk (fts_cjk.c) makes each CJK letter a token and hands the rest of
 * the text to the tokenizer used before.  The index is made again with it
 * and rebuilt from the articles; the triggers keep their names, so they
 * stay, and the ranking weights live in the table's config, so they are
 * set again.  Every connection that writes articles needs gz_cjk
 * registered (store.c; other programs load the gz_cjk extension).
 */
static const char migration_6[] =
    "DROP TABLE articles_fts;\n"
    "CREATE VIRTUAL TABLE articles_fts USING fts5 (\n"
    "  title, summary, body_text,\n"
    "  content = 'articles', content_rowid = 'id',\n"
    "  tokenize = 'gz_cjk porter unicode61 remove_diacritics 2'\n"
    ");\n"
    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');\n"
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');\n";

/*
 * 7: the articles' small columns before the bodies again.  SQLite reads a
 * row's columns in order, so a column after the three bodies costs a walk
 * of their overflow pages, about 24 KB a row; url, format, lang, path
 * (migration 3) and cjk_chars (5) were added at the end, and every list
 * and page reads lang.  With 100,000 articles an article page read 166
 * pages (680 KB) from the file for that.  SQLite cannot move a column, so
 * the table is made again in this order and the rows copied, ids kept
 * (the index's rows are the articles' ids, so it stays as it is); its
 * index and triggers go with the old table and are made again.  The
 * tables that refer to articles keep their references by name: with
 * foreign keys off while migrating (store.c), dropping the old table
 * deletes none of their rows.
 */
#define ARTICLE_COLUMNS_7                                                                          \
	"id, slug, kind, draft, published_at, updated_at, weight, word_count, cjk_chars, title, "  \
	"summary, excerpt, lang, format, url, path, source, source_hash, modified_at, extra, "     \
	"body_html, body_text, body_md"
static const char migration_7[] =
    "CREATE TABLE articles_new (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  slug TEXT NOT NULL UNIQUE,          -- URL name; the identity for upserts\n"
    "  kind INTEGER NOT NULL DEFAULT 0,    -- 0 article, 1 standalone page\n"
    "  draft INTEGER NOT NULL DEFAULT 0,   -- drafts are never served\n"
    "  published_at INTEGER,               -- UTC seconds; NULL only for undated pages, drafts\n"
    "  updated_at INTEGER,                 -- UTC seconds; NULL: not updated\n"
    "  weight INTEGER NOT NULL DEFAULT 0,  -- order of pages in the navigation\n"
    "  word_count INTEGER NOT NULL,\n"
    "  cjk_chars INTEGER NOT NULL DEFAULT 0, -- Han, Hiragana, Katakana, Hangul letters of body_text\n"
    "  title TEXT NOT NULL,\n"
    "  summary TEXT NOT NULL DEFAULT '',   -- as the author wrote it, '' if none\n"
    "  excerpt TEXT NOT NULL DEFAULT '',   -- first paragraph, shown when summary is ''\n"
    "  lang TEXT NOT NULL DEFAULT '',      -- its own language; '' the site's\n"
    "  format TEXT NOT NULL DEFAULT 'markdown', -- body_md's: Markdown, or HTML an export gave\n"
    "  url TEXT NOT NULL DEFAULT '',       -- where it lived: relative references resolve from there\n"
    "  path TEXT NOT NULL DEFAULT '',      -- its file's path below the imported folder\n"
    "  source TEXT NOT NULL DEFAULT '',    -- the file it was imported from\n"
    "  source_hash TEXT NOT NULL DEFAULT '', -- of that file: same hash, nothing to do\n"
    "  modified_at INTEGER NOT NULL,       -- when this row last changed\n"
    "  extra TEXT NOT NULL DEFAULT '{}',   -- front matter fields gazette does not use (JSON)\n"
    "  body_html TEXT NOT NULL,            -- rendered and sanitised at import\n"
    "  body_text TEXT NOT NULL,            -- plain text, for search\n"
    "  body_md TEXT NOT NULL               -- the Markdown as written (export)\n"
    ");\n"
    "INSERT INTO articles_new (" ARTICLE_COLUMNS_7 ") SELECT " ARTICLE_COLUMNS_7 " FROM articles;\n"
    "DROP TABLE articles;\n"
    "ALTER TABLE articles_new RENAME TO articles;\n"
    "CREATE INDEX articles_listing ON articles (kind, draft, published_at DESC, id DESC);\n"
    FTS_TRIGGERS ARCHIVE_TRIGGERS;

const char *const store_migrations[] = {
    /* 1: articles, people, tags, settings, full-text search. */
    /*
     * Small columns first: SQLite reads a row's columns in order, and a
     * list query should not walk the overflow pages of three bodies to
     * reach published_at.
     */
    "CREATE TABLE articles (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  slug TEXT NOT NULL UNIQUE,          -- URL name; the identity for upserts\n"
    "  kind INTEGER NOT NULL DEFAULT 0,    -- 0 article, 1 standalone page\n"
    "  draft INTEGER NOT NULL DEFAULT 0,   -- drafts are never served\n"
    "  published_at INTEGER,               -- UTC seconds; NULL only for undated pages, drafts\n"
    "  updated_at INTEGER,                 -- UTC seconds; NULL: not updated\n"
    "  weight INTEGER NOT NULL DEFAULT 0,  -- order of pages in the navigation\n"
    "  word_count INTEGER NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  summary TEXT NOT NULL DEFAULT '',   -- as the author wrote it, '' if none\n"
    "  excerpt TEXT NOT NULL DEFAULT '',   -- first paragraph, shown when summary is ''\n"
    "  source TEXT NOT NULL DEFAULT '',    -- the file it was imported from\n"
    "  source_hash TEXT NOT NULL DEFAULT '', -- of that file: same hash, nothing to do\n"
    "  modified_at INTEGER NOT NULL,       -- when this row last changed\n"
    "  extra TEXT NOT NULL DEFAULT '{}',   -- front matter fields gazette does not use (JSON)\n"
    "  body_html TEXT NOT NULL,            -- rendered and sanitised at import\n"
    "  body_text TEXT NOT NULL,            -- plain text, for search\n"
    "  body_md TEXT NOT NULL               -- the Markdown as written (export)\n"
    ");\n"
    /* Lists read this index in order: newest first, stopping at LIMIT. */
    "CREATE INDEX articles_listing ON articles (kind, draft, published_at DESC, id DESC);\n"
    "CREATE TABLE authors (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  slug TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE article_authors (\n"
    "  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,\n"
    "  author_id INTEGER NOT NULL REFERENCES authors (id),\n"
    "  position INTEGER NOT NULL,          -- byline order\n"
    "  PRIMARY KEY (article_id, author_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX article_authors_author ON article_authors (author_id, article_id);\n"
    "CREATE TABLE tags (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  slug TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE article_tags (\n"
    "  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,\n"
    "  tag_id INTEGER NOT NULL REFERENCES tags (id),\n"
    "  position INTEGER NOT NULL,          -- order as written\n"
    "  PRIMARY KEY (article_id, tag_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);\n"
    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,               -- 'site.*' from site.yaml, 'gazette.*' internal\n"
    "  value TEXT NOT NULL                 -- JSON\n"
    ") WITHOUT ROWID;\n"
    /* External-content FTS5 over the articles, kept in step by triggers. */
    "CREATE VIRTUAL TABLE articles_fts USING fts5 (\n"
    "  title, summary, body_text,\n"
    "  content = 'articles', content_rowid = 'id',\n"
    "  tokenize = 'porter unicode61 remove_diacritics 2'\n"
    ");\n"
    /* Ranking: a match in the title counts most, then the summary. */
    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');\n"
    FTS_TRIGGERS,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
    migration_6,
    migration_7,
};

/* Made again as it is after an import that added articles without it (store_write.c). */
const char store_fts_insert_trigger[] = FTS_INSERT_TRIGGER;

const int store_schema_version = (int)(sizeof store_migrations / sizeof store_migrations[0]);
