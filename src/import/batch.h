/*
 * batch.h: one import as it goes (import/ only): what was found, what was
 * parsed, where everything came from.  import.c runs the steps; collect.c
 * finds the inputs, addresses.c works out where each article lived on its
 * original site, files.c keeps the files a site ships, refs.c rewrites the
 * references of a page to gazette's addresses, exports.c reads other
 * systems' exports.
 */
#ifndef GAZETTE_IMPORT_BATCH_H
#define GAZETTE_IMPORT_BATCH_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gazette/base/log.h"
#include "gazette/content/article.h"
#include "gazette/import/import.h"
#include "gazette/store/store.h"

enum input_kind {
	IN_ARTICLE, /* a Markdown file with front matter */
	IN_SITE,    /* site.yaml: the site's settings */
	IN_FILE,    /* a file the site ships: an image, a download */
	IN_EXPORT,  /* another system's export: a WordPress WXR file, a Ghost JSON export */
};

/* A folder named on the command line (or --static), and what it says of its site. */
struct root {
	char *path;      /* as named */
	bool statics;    /* --static: its files are served at the site root */
	char *permalink; /* Jekyll's permalink setting (_config.yml), or NULL */
	bool hugo;       /* a Hugo site's content folder: its pages' Hugo addresses are old ones */
	bool own_static; /* its top static/ folder was taken as the site root's files */
};

struct input {
	enum input_kind kind;
	char *path;         /* as the user named it, for messages */
	const char *source; /* what the database records: a canonical path or "builtin:NAME" */
	size_t root;        /* the folder it was found in (an index of roots), NO_ROOT if named */
	const char *rel;    /* its path below that folder, '/'-separated; its file name if named:
	                       always the tail of path (batch_input_rel()) */
	char *own_source;   /* source, when it is not path itself (most often it is) */
	const char *data; /* the file's bytes, while loaded (always, when built in) */
	size_t len;
	char *owned;      /* data, when read from disk */
	int64_t size;     /* a file's size in bytes, when found */
	bool explicit;    /* named on the command line, not found in a folder */
	bool duplicate;   /* the same file as an earlier input */
};

#define NO_ROOT ((size_t)-1)

/*
 * What an article keeps between its parse and its write: its slug, its
 * kind and hashes, where it came from.  The rest (title, people, tags,
 * the body) is read again when it is written (import.c), so that an
 * import of 100,000 files holds 100,000 of these, not 100,000 articles.
 */
struct kept {
	char *slug;
	char *source;                  /* an export's document ("FILE#where"); NULL: its input's */
	enum slug_origin slug_origin;
	enum article_kind kind;
	unsigned slug_line;            /* see struct article */
	char source_hash[17];
	char render_hash[17];
	bool current;                  /* the store has it as it is: nothing to write (check_current()) */
};

/*
 * A table from strings to article indexes (index.c): open addressing, the
 * keys borrowed, so that an entry costs 16 bytes and not an allocation.
 * Every key must outlive the table.
 */
struct index_slot {
	const char *key; /* NULL: empty */
	uint32_t hash;
	uint32_t value;
};

struct index {
	struct index_slot *slots;
	size_t cap, n; /* cap a power of two, or 0 */
};

/* Where an article lived before gazette, and what else its import needs to know. */
struct origin {
	size_t input;       /* the input it came from */
	char *url;          /* its address on the original site ("/2015/05/15/x.html"), or NULL */
	bool url_guessed;   /* url is only where Hugo would have put it: a base for refs, not kept */
	json_t *addresses;  /* its old addresses: [{"path", "origin"}], NULL if none */
	int64_t spool_at;   /* an export's document: where it lies in the spool (front matter, body) */
	size_t spool_len;
	const char *where;  /* an export's document: its place in the file, for messages */
};

struct batch {
	const struct import_options *opts;
	struct root *roots;
	size_t nroots;
	struct input *inputs;
	size_t ninputs, cap;
	struct kept *articles;  /* parsed, in input order */
	struct origin *origins; /* one per article */
	size_t narticles, articles_cap;
	json_t *settings;   /* from site.yaml (or an export), or NULL */
	struct index claimed;    /* slug -> index of the article that has it */
	struct index by_address; /* canonical old address or source file -> index of its article */
	json_t *files;      /* site path -> index of the input of a file this import keeps */
	json_t *notices;    /* lines for the person importing, printed after success */
	json_t *site_urls;  /* the old site's URLs ("https://example.com"), from an export, or NULL */
	FILE *spool;        /* the bodies of exports' documents, until they are written */
	int64_t spool_len;
	unsigned warnings;  /* references that lead nowhere (refs.c) */
	pthread_mutex_t *store_lock; /* while ahead.c runs a job on a second thread */
};

/* ---- import.c ---------------------------------------------------------------- */

struct input *batch_add_input(struct batch *b, const char *path, enum input_kind kind);
/* Sets an input's path below its folder: rel must be the tail of its path. */
void batch_input_rel(struct input *in, const char *rel);
/*
 * A parsed article joins the batch: what it keeps of a (its slug, and
 * source when it is not its input's) and all of origin are the batch's
 * now; the rest of a is freed.
 */
void batch_keep(struct batch *b, struct article *a, struct origin *origin);
/* The file (or export's document) article k came from, as the database records it. */
const char *batch_article_source(const struct batch *b, size_t article);
/* A line for the person importing (printed once the import succeeded). */
void batch_notice(struct batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The input an article came from, as the user named it. */
const char *batch_article_path(const struct batch *b, size_t article);

/* What a job of ahead.c makes of one input or article, for import.c's thread to take. */
struct ahead_item {
	int rc;            /* the job's answer (0, or -1 with err set, or the job's own) */
	struct diag err;
	struct article a;  /* owned until taken */
	struct origin origin;
};

/* Frees what an item holds (it may be all zeros). */
void batch_item_free(struct ahead_item *it);

/* ---- ahead.c ----------------------------------------------------------------- */

/*
 * A job: makes item k (an input's parse, an article's render) into *out,
 * reading the batch and, under batch_store_lock(), the store, and
 * changing neither (but for its own input's bytes, read and let go).
 * Returns out->rc.
 */
typedef int (*ahead_job)(struct batch *b, struct store *st, size_t k, struct ahead_item *out);

struct ahead;

/*
 * Starts doing job for first, first + step, ... below count, in order, on
 * a second thread, a few items ahead of the caller; NULL if it would not
 * help (fewer than two items, one CPU) or could not start: the caller
 * then does each itself.  From here to ahead_stop(), every use of the
 * store is between batch_store_lock() and batch_store_unlock().
 */
struct ahead *ahead_start(struct batch *b, struct store *st, ahead_job job, size_t first,
                          size_t count, size_t step);
/* Item k as job made it, into *out (the caller's now): k must be the one after the last taken. */
int ahead_next(struct ahead *ah, size_t k, struct ahead_item *out);
/* Stops the thread (it finishes the item it is on) and frees what was not taken. */
void ahead_stop(struct ahead *ah);
/* The store to one thread at a time while ahead.c runs; nothing otherwise. */
void batch_store_lock(struct batch *b);
void batch_store_unlock(struct batch *b);

/* ---- index.c ----------------------------------------------------------------- */

/* Sets key's value (key is borrowed: it must outlive the table). */
void index_put(struct index *ix, const char *key, size_t value);
/* True with *value set if key is in the table. */
bool index_get(const struct index *ix, const char *key, size_t *value);
void index_free(struct index *ix);

/* ---- collect.c --------------------------------------------------------------- */

bool import_is_markdown_name(const char *name);
bool import_is_site_name(const char *name);
/*
 * Finds the inputs the paths name (folders walked in name order) and the
 * files of static_dir.  Every path that is missing, unreadable, or a folder
 * without an article is an error of its own in errs.
 */
void collect_inputs(struct batch *b, char *const *paths, size_t npaths, struct diag_list *errs);

/* ---- addresses.c -------------------------------------------------------------- */

/*
 * Works out where the article parsed from doc lived on its original site:
 * origin->url (relative references resolve from there) and
 * origin->addresses (Jekyll's permalinks, the date-prefixed file name,
 * url:, permalink:, aliases:, redirect_from:; NULL if none).  0, or -1
 * with err set (a permalink with an unknown placeholder).
 */
int addresses_find(struct batch *b, const struct article *a, const struct fm_doc *doc,
                   struct origin *origin, struct diag *err);
/*
 * An old address or path as the store keeps it: percent-decoded, then each
 * segment encoded again the one canonical way, no trailing '/'
 * ("/2015/05/15/Rust%201.0.html/" -> "/2015/05/15/Rust%201.0.html");
 * "/?p=12" keeps its query.  NULL if it is no path of this site.
 */
char *addresses_canonical(const char *path);

/* ---- files.c ----------------------------------------------------------------- */

/* Checks the files' sizes against the limits; each one over them is an error in errs. */
void files_check(struct batch *b, struct diag_list *errs);
/*
 * Keeps every file of the import in the store (within its transaction):
 * an unchanged one writes nothing.  0, or -1 with err set.
 */
int files_write(struct batch *b, struct store *st, int64_t now, struct import_stats *stats,
                struct diag *err);

/* ---- refs.c ------------------------------------------------------------------ */

/*
 * Renders article k's body (a: the article whole again) into its page, with every reference rewritten
 * to where it is now: a file this site ships to its content-hashed
 * address, another article's old address or file to the article, each
 * relative to the article's own page so that any --public-url works.
 * References that lead nowhere are noted (warnings, errors with --strict).
 * 0, or -1 with err set.
 */
int refs_render(struct batch *b, struct store *st, size_t k, struct article *a,
                struct diag *err);

/* ---- exports.c ---------------------------------------------------------------- */

/* True if the file's first bytes are a WordPress or a Ghost export. */
bool exports_sniff(const char *head, size_t len);
/* Reads an export's posts and pages as articles of the batch (bodies to the spool). */
int exports_parse(struct batch *b, size_t input, struct diag_list *errs);
/*
 * Reads article k of an export whole again into *full from the spool (its
 * front matter and body as the export gave them).  0, or -1 with err set.
 */
int exports_reload(struct batch *b, size_t k, struct article *full, struct diag *err);

#endif
