/*
 * import.c: files and folders of Markdown into the store.
 *
 * Three steps, so that a bad file changes nothing: collect the inputs,
 * parse every one of them (stopping at the first error), then write them
 * all in one transaction.  Slugs are settled in the write step, where the
 * database can be asked who already owns one.
 *
 * Only one file's bytes are in memory at a time: parsing keeps an
 * article's front matter and where its body is, and the write step reads
 * the body again (checking the file is still the one parsed).  A 10,000-
 * article import so needs the metadata, not the 75 MB of text.
 */
#include "gazette/import/import.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gazette/content/article.h"
#include "gazette/base/assets.h"
#include "gazette/content/frontmatter.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

/* No article is this long; a bigger file is a mistake (a video named .md). */
#define MAX_FILE_SIZE (16u << 20)

struct input {
	char *path;       /* as the user named it, for messages */
	char *source;     /* what the database records: a canonical path or "builtin:NAME" */
	const char *data; /* the file's bytes, while loaded (always, when built in) */
	size_t len;
	char *owned;    /* data, when read from disk */
	size_t body_at; /* where the article's body is in data */
	size_t body_len;
	bool explicit;  /* named on the command line, not found in a folder */
	bool site;      /* a site.yaml */
	bool duplicate; /* the same file as an earlier input */
};

struct batch {
	struct input *inputs;
	size_t ninputs, cap;
	struct article *articles; /* parsed, in input order; bodies not loaded */
	size_t *from;             /* the input each article came from */
	size_t narticles;
	json_t *settings; /* from site.yaml, or NULL */
	json_t *claimed;  /* slug -> index of the article that has it */
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->ninputs; i++) {
		free(b->inputs[i].path);
		free(b->inputs[i].source);
		free(b->inputs[i].owned);
	}
	for (size_t i = 0; i < b->narticles; i++)
		article_free(&b->articles[i]);
	free(b->inputs);
	free(b->articles);
	free(b->from);
	json_decref(b->settings);
	json_decref(b->claimed);
}

static struct input *add_input(struct batch *b, const char *path)
{
	if (b->ninputs == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->inputs = xrealloc(b->inputs, b->cap * sizeof *b->inputs);
	}
	struct input *in = &b->inputs[b->ninputs++];
	memset(in, 0, sizeof *in);
	in->path = xstrdup(path);
	return in;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_markdown_name(const char *name)
{
	static const char *const exts[] = {".md", ".markdown", ".mdown", ".mkd", ".mkdn", NULL};
	for (size_t i = 0; exts[i]; i++)
		if (has_suffix(name, exts[i]))
			return true;
	return false;
}

static bool is_site_name(const char *name)
{
	return strcmp(name, "site.yaml") == 0 || strcmp(name, "site.yml") == 0;
}

/* Folders that hold no content of their own: build output, dependencies (walk skips hidden ones).
 */
static bool skip_dir(const char *name)
{
	return strcmp(name, "_site") == 0 || strcmp(name, "node_modules") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Adds the Markdown files under dir (and its site.yaml if top) in name
 * order, so that every import of the same folder sees the same order.
 */
static int walk(struct batch *b, const char *dir, bool top, unsigned depth, struct diag *err)
{
	if (depth > 32) {
		diag_set_file(err, dir);
		diag_set(err, 0, "folders nested too deeply");
		return -1;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		diag_set_file(err, dir);
		diag_set(err, 0, "cannot read folder: %s", strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);

	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		int len = snprintf(path, sizeof path, "%s%s%s", dir,
		                   has_suffix(dir, "/") ? "" : "/", names[i]);
		if (rc < 0)
			break;
		if (len < 0 || (size_t)len >= sizeof path) {
			diag_set_file(err, names[i]);
			diag_set(err, 0, "path too long");
			rc = -1;
			continue;
		}
		struct stat ls, st;
		if (lstat(path, &ls) < 0 || stat(path, &st) < 0)
			continue; /* vanished, or a dangling link: nothing to import */
		if (S_ISDIR(st.st_mode)) {
			/* Linked folders are not followed: they can loop. */
			if (!S_ISLNK(ls.st_mode) && !skip_dir(names[i]))
				rc = walk(b, path, false, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			if (is_markdown_name(names[i]))
				add_input(b, path);
			else if (top && is_site_name(names[i]))
				add_input(b, path)->site = true;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* How many of b's inputs from the first one on are Markdown files. */
static size_t count_markdown(const struct batch *b, size_t first)
{
	size_t n = 0;
	for (size_t i = first; i < b->ninputs; i++)
		n += !b->inputs[i].site;
	return n;
}

/*
 * Finds the inputs the paths name.  Every path that is missing, unreadable
 * or a folder without a Markdown file is an error of its own.
 */
static void collect(struct batch *b, char *const *paths, size_t npaths, struct diag_list *errs)
{
	for (size_t i = 0; i < npaths; i++) {
		struct diag err;
		struct stat st;
		diag_clear(&err);
		diag_set_file(&err, paths[i]);
		if (stat(paths[i], &st) < 0) {
			diag_set(&err, 0, "%s", strerror(errno));
			diag_list_add(errs, &err);
		} else if (S_ISDIR(st.st_mode)) {
			size_t before = b->ninputs;
			if (walk(b, paths[i], true, 0, &err) < 0) {
				diag_list_add(errs, &err);
			} else if (count_markdown(b, before) == 0) {
				diag_set_file(&err, paths[i]);
				diag_set(&err, 0,
				         "no Markdown files in this folder (*.md, *.markdown); "
				         "nothing was imported");
				diag_list_add(errs, &err);
			}
		} else {
			const char *base = strrchr(paths[i], '/');
			struct input *in = add_input(b, paths[i]);
			in->explicit = true;
			in->site = is_site_name(base ? base + 1 : paths[i]);
		}
	}
}

static void read_inputs(struct batch *b)
{
	json_t *seen = json_object(); /* canonical paths named so far */
	for (size_t i = 0; i < b->ninputs; i++) {
		struct input *in = &b->inputs[i];
		char real[PATH_MAX];
		/* The canonical path identifies the file whatever folder import runs from. */
		in->source = xstrdup(realpath(in->path, real) ? real : in->path);
		in->duplicate = json_object_get(seen, in->source) != NULL; /* named twice: once */
		json_object_set_new(seen, in->source, json_true());
	}
	json_decref(seen);
}

/* Reads an input's file into in->data (a built-in one is always there). */
static int load_input(struct input *in, struct diag *err)
{
	if (in->data != NULL)
		return 0;
	diag_set_file(err, in->path);
	in->owned = read_file(in->path, MAX_FILE_SIZE, &in->len);
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

/*
 * Gives article k its body again, from its file, for the write step.  The
 * file must be the one parsed (same hash): otherwise its front matter and
 * body would come from two versions.
 */
static int load_body(struct batch *b, size_t k, struct diag *err)
{
	struct article *a = &b->articles[k];
	struct input *in = &b->inputs[b->from[k]];
	if (load_input(in, err) < 0)
		return -1;
	char hash[sizeof a->source_hash];
	snprintf(hash, sizeof hash, "%016llx",
	         (unsigned long long)hash_bytes(GZ_HASH_INIT, in->data, in->len));
	if (strcmp(hash, a->source_hash) != 0 || in->body_at + in->body_len > in->len) {
		unload_input(in);
		diag_set_file(err, in->path);
		diag_set(err, 0, "the file changed while it was imported; nothing was written, "
		                 "import again");
		return -1;
	}
	a->body_md = xstrndup(in->data + in->body_at, in->body_len);
	unload_input(in);
	diag_clear(err); /* an error from here on is the database's, not the file's */
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
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (strcmp(key, "words_per_minute") == 0 || strcmp(key, "feed_limit") == 0) {
			long long n;
			if (s == NULL || parse_uint_range(s, strlen(s), 1, 100000, &n) < 0) {
				diag_set(err, at, "'%s' must be a whole number", key);
				rc = -1;
				break;
			}
		} else if (strcmp(key, "public_url") == 0) {
			if (s == NULL ||
			    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)) {
				diag_set(err, at,
				         "'public_url' must start with http:// or https://");
				rc = -1;
				break;
			}
		} else if (strcmp(key, "title") == 0 || strcmp(key, "description") == 0 ||
		           strcmp(key, "language") == 0 || strcmp(key, "contact_email") == 0) {
			if (s == NULL) {
				diag_set(err, at, "'%s' must be text", key);
				rc = -1;
				break;
			}
		}
	}
	if (rc == 0) {
		json_decref(b->settings);
		b->settings = json_incref(meta);
	}
	json_decref(meta);
	json_decref(lines);
	return rc;
}

/*
 * Parses one input: a site.yaml into b->settings, an article into
 * b->articles.  0, 1 if it was skipped (no front matter), or -1 with err set.
 */
static int parse_input(struct batch *b, size_t i, struct diag *err)
{
	struct input *in = &b->inputs[i];
	if (load_input(in, err) < 0)
		return -1;
	if (in->site) {
		int rc = parse_site(b, in, err);
		unload_input(in);
		return rc;
	}
	struct fm_doc doc;
	diag_set_file(err, in->path);
	/* A Markdown file with no front matter at all in a folder is a README, not an article. */
	if (!in->explicit && (in->len < 3 || memcmp(in->data, "---", 3) != 0) &&
	    (in->len < 6 || memcmp(in->data, "\xef\xbb\xbf---", 6) != 0)) {
		fprintf(stderr, "gazette: %s: skipped: no front matter, so not an article\n",
		        in->path);
		unload_input(in);
		return 1;
	}
	if (fm_parse(in->data, in->len, &doc, err) < 0) {
		unload_input(in);
		return -1;
	}
	struct article *a = &b->articles[b->narticles];
	int rc = article_from_doc(a, &doc, in->path, in->data, in->len, err);
	/* The body stays in the file until the write step needs it. */
	in->body_at = (size_t)(doc.body - in->data);
	in->body_len = doc.body_len;
	fm_doc_free(&doc);
	unload_input(in);
	if (rc < 0)
		return -1; /* article_from_doc() freed what it made */
	free(a->source);
	a->source = xstrdup(in->source);
	free(a->body_md);
	a->body_md = NULL;
	b->from[b->narticles++] = i;
	return 0;
}

/* Parses every input, naming each one that has a mistake in errs. */
static void parse_inputs(struct batch *b, unsigned *skipped, struct diag_list *errs)
{
	b->articles = xcalloc(b->ninputs ? b->ninputs : 1, sizeof *b->articles);
	b->from = xcalloc(b->ninputs ? b->ninputs : 1, sizeof *b->from);
	for (size_t i = 0; i < b->ninputs; i++) {
		if (b->inputs[i].duplicate)
			continue;
		struct diag err;
		diag_clear(&err);
		int rc = parse_input(b, i, &err);
		if (rc < 0)
			diag_list_add(errs, &err);
		*skipped += rc == 1;
	}
}

/* The input an article came from (same index order). */
static const char *article_path(const struct batch *b, const struct article *a)
{
	for (size_t i = 0; i < b->ninputs; i++)
		if (strcmp(b->inputs[i].source, a->source) == 0)
			return b->inputs[i].path;
	return a->source;
}

/* A second article giving slug: an error naming both files. */
static void slug_given_twice(struct batch *b, const struct article *a, size_t owner,
                             struct diag_list *errs)
{
	struct diag err;
	diag_clear(&err);
	diag_set_file(&err, article_path(b, a));
	diag_set(&err, a->slug_line, "slug '%s' is also given by %s", a->slug,
	         article_path(b, &b->articles[owner]));
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
 * same name as a's (the same article: its file may lie in another folder
 * now), 2 another article, -1 on error.
 */
static int slug_holder(struct store *st, const char *slug, const struct article *a)
{
	char *source;
	int found = store_article_source(st, slug, &source);
	if (found <= 0)
		return found;
	int who = strcmp(file_name(source), file_name(a->source)) == 0 ? 1 : 2;
	free(source);
	return who;
}

/*
 * A derived slug: base, or "base-2", "base-3" ... when another file has it,
 * in this import or in the store.  An article from a file of the same name
 * keeps its slug whatever folder the file came from, so that importing one
 * file of two with the same title updates its own article.
 */
static int slug_derive_free(struct batch *b, struct store *st, struct article *a)
{
	char *base = xstrdup(a->slug);
	for (unsigned n = 1;; n++) {
		if (n > 1) {
			size_t len = strlen(base) + 16;
			free(a->slug);
			a->slug = xmalloc(len);
			snprintf(a->slug, len, "%s-%u", base, n);
		}
		if (json_object_get(b->claimed, a->slug))
			continue;
		int who = slug_holder(st, a->slug, a);
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
		        article_path(b, a), base, a->slug);
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
	b->claimed = json_object();
	/* Given slugs first: a derived one must not take a slug an author chose. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->narticles; i++) {
			struct article *a = &b->articles[i];
			bool given = a->slug_origin == SLUG_GIVEN;
			if ((pass == 0) != given)
				continue;
			json_t *owner = json_object_get(b->claimed, a->slug);
			if (given && owner) {
				slug_given_twice(b, a, (size_t)json_integer_value(owner), errs);
				continue;
			}
			if (!given && slug_derive_free(b, st, a) < 0) {
				struct diag err;
				diag_clear(&err);
				diag_set(&err, 0, "cannot read the database: %s", store_errmsg(st));
				diag_list_add(errs, &err);
				return -1;
			}
			json_object_set_new(b->claimed, a->slug, json_integer((json_int_t)i));
		}
	}
	return errs->total > errors ? -1 : 0;
}

static int write_batch(struct batch *b, struct store *st, bool replace_samples,
                       struct import_stats *stats, struct diag_list *errs)
{
	int64_t now = (int64_t)time(NULL);
	bool changed = false;
	struct diag e;
	struct diag *err = &e;

	diag_clear(err);
	if (store_begin(st) < 0) {
		diag_set(err, 0, "cannot start the import: %s", store_errmsg(st));
		diag_list_add(errs, err);
		return -1;
	}
	/* Real content replaces the sample site a new database was born with. */
	if (replace_samples && b->narticles > 0) {
		stats->removed_samples = store_delete_builtin(st);
		if (stats->removed_samples < 0)
			goto fail;
		changed |= stats->removed_samples > 0;
	}
	for (size_t i = 0; i < b->narticles; i++) {
		struct article *a = &b->articles[i];
		enum upsert_result r;
		article_seal(a, 0);
		if (store_article_is_current(st, a)) {
			stats->unchanged++;
			continue;
		}
		if (load_body(b, i, err) < 0)
			goto fail_quiet;
		if (article_render(a) < 0) {
			diag_set_file(err, article_path(b, a));
			diag_set(err, a->body_line, "the Markdown body could not be rendered");
			goto fail_quiet;
		}
		int rc = store_upsert_article(st, a, NULL, now, &r);
		article_release_body(a); /* one article's rendering in memory at a time */
		if (rc < 0)
			goto fail;
		stats->added += r == UPSERT_ADDED;
		stats->updated += r == UPSERT_UPDATED;
		stats->unchanged += r == UPSERT_UNCHANGED;
		changed |= r != UPSERT_UNCHANGED;
	}
	/* The sample site's settings go with its articles, unless site.yaml replaces them. */
	json_t *settings = b->settings                  ? json_incref(b->settings)
	                   : stats->removed_samples > 0 ? json_object()
	                                                : NULL;
	if (settings) {
		int rc = store_put_settings(st, settings, now, &stats->settings_changed);
		json_decref(settings);
		if (rc < 0)
			goto fail;
		changed |= stats->settings_changed;
	}
	if (changed && (store_prune(st) < 0 || store_touch(st, now) < 0))
		goto fail;
	if (store_commit(st) < 0)
		goto fail;
	return 0;

fail:
	diag_set(err, 0, "cannot write the database: %s", store_errmsg(st));
fail_quiet:
	diag_list_add(errs, err);
	store_rollback(st);
	return -1;
}

int import_paths(struct store *st, char *const *paths, size_t npaths, struct import_stats *stats,
                 struct diag_list *errs)
{
	struct batch b = {0};
	int rc = -1;

	memset(stats, 0, sizeof *stats);
	diag_list_clear(errs);
	collect(&b, paths, npaths, errs);
	read_inputs(&b);
	parse_inputs(&b, &stats->skipped, errs);
	if (errs->total > 0 || settle_slugs(&b, st, errs) < 0)
		goto out;
	if (b.narticles == 0 && b.settings == NULL) {
		struct diag err;
		diag_clear(&err);
		if (npaths == 1)
			diag_set_file(&err, paths[0]);
		diag_set(&err, 0,
		         "no article to import: %u Markdown file%s without front matter %s "
		         "skipped; nothing was imported",
		         stats->skipped, stats->skipped == 1 ? "" : "s",
		         stats->skipped == 1 ? "was" : "were");
		diag_list_add(errs, &err);
		goto out;
	}
	stats->files = (unsigned)b.narticles;
	rc = write_batch(&b, st, true, stats, errs);
out:
	batch_free(&b);
	return rc;
}

int import_builtin(struct store *st, struct import_stats *stats, struct diag_list *errs)
{
	struct batch b = {0};
	int rc = -1;

	memset(stats, 0, sizeof *stats);
	diag_list_clear(errs);
	for (size_t i = 0; i < assets_builtin_count; i++) {
		const struct asset *as = &assets_builtin[i];
		if (strncmp(as->name, "samples/", 8) != 0)
			continue;
		const char *base = as->name + 8;
		if (!is_markdown_name(base) && !is_site_name(base))
			continue;
		struct input *in = add_input(&b, as->name);
		size_t n = strlen("builtin:") + strlen(as->name) + 1;
		in->source = xmalloc(n);
		snprintf(in->source, n, "builtin:%s", as->name);
		in->data = (const char *)as->data;
		in->len = as->len;
		in->explicit = true;
		in->site = is_site_name(base);
	}
	parse_inputs(&b, &stats->skipped, errs);
	if (errs->total > 0 || settle_slugs(&b, st, errs) < 0)
		goto out;
	stats->files = (unsigned)b.narticles;
	rc = write_batch(&b, st, false, stats, errs);
out:
	batch_free(&b);
	return rc;
}
