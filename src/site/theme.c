/*
 * theme.c: the files the server renders with and serves: the ones built
 * into the binary, and a theme folder's (--theme) over them; their media
 * types, ETags and fingerprinted names; the templates compiled from them.
 */
#include "gazette/site/app.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gazette/base/assets.h"
#include "gazette/base/buf.h"
#include "gazette/base/util.h"

/* A theme is a handful of templates and stylesheets; more is a mistake. */
#define THEME_MAX_FILE  (8u << 20)
#define THEME_MAX_FILES 1000

static const struct {
	const char *ext;
	const char *mime;
} mime_types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".xml", "application/xml"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".avif", "image/avif"},
    {".ico", "image/vnd.microsoft.icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".yaml", "text/plain; charset=utf-8"},
};

static const char *mime_for(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < GZ_ARRAY_LEN(mime_types); i++)
			if (strcmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].mime;
	return "application/octet-stream";
}

static struct app_file *find_by_name(struct app *app, const char *name)
{
	for (size_t i = 0; i < app->nfiles; i++)
		if (strcmp(app->files[i].name, name) == 0)
			return &app->files[i];
	return NULL;
}

/* Adds a file, or replaces the one with the same name (a theme over the built-in). */
static void put_file(struct app *app, const char *name, const unsigned char *data, size_t len,
                     unsigned char *owned, int64_t mtime)
{
	struct app_file *f = find_by_name(app, name);
	if (f == NULL) {
		app->files = xrealloc(app->files, (app->nfiles + 1) * sizeof *app->files);
		f = &app->files[app->nfiles++];
		memset(f, 0, sizeof *f);
		f->name = xstrdup(name);
	}
	free(f->owned);
	f->data = data;
	f->len = len;
	f->owned = owned;
	f->mtime = mtime;
}

static int load_theme_dir(struct app *app, const char *root, const char *rel, unsigned depth,
                          struct diag *err);

/* One file of the theme, path, as name; -1 with err set past THEME_MAX_FILES or on a read error. */
static int load_theme_file(struct app *app, const char *root, const char *name, const char *path,
                           int64_t mtime, struct diag *err)
{
	if (app->nfiles >= THEME_MAX_FILES) {
		diag_set_file(err, root);
		diag_set(err, 0, "theme has more than %d files", THEME_MAX_FILES);
		return -1;
	}
	size_t len;
	char *data = read_file(path, THEME_MAX_FILE, &len);
	if (data == NULL) {
		diag_set_file(err, path);
		diag_set(err, 0, "%s", strerror(errno));
		return -1;
	}
	put_file(app, name, (unsigned char *)data, len, (unsigned char *)data, mtime);
	return 0;
}

/*
 * One entry of the folder root/rel: a folder is read in turn (8 deep at
 * most), a file is loaded; a link that leads out of the theme, and what
 * is neither file nor folder, are passed over.  0, or -1 with err set.
 */
static int load_theme_entry(struct app *app, const char *root, const char *rel, const char *entry,
                            unsigned depth, struct diag *err)
{
	char name[PATH_MAX], path[PATH_MAX + 2], real[PATH_MAX];
	int n = snprintf(name, sizeof name, "%s%s%s", rel, rel[0] ? "/" : "", entry);
	if (n < 0 || (size_t)n >= sizeof name)
		return 0;
	snprintf(path, sizeof path, "%s/%s", root, name);
	struct stat st;
	if (stat(path, &st) < 0 || realpath(path, real) == NULL)
		return 0;
	/* A link out of the theme folder would serve whatever it points to. */
	size_t rootlen = strlen(root);
	if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/') {
		log_msg(LOG_WARN, "theme: ignoring %s: it leads out of the theme folder", path);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return depth < 8 ? load_theme_dir(app, root, name, depth + 1, err) : 0;
	if (!S_ISREG(st.st_mode))
		return 0;
	return load_theme_file(app, root, name, path, (int64_t)st.st_mtime, err);
}

/* Reads the files under dir/rel into the app, refusing links that leave the theme. */
static int load_theme_dir(struct app *app, const char *root, const char *rel, unsigned depth,
                          struct diag *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
	DIR *d = opendir(dir);
	if (d == NULL) {
		diag_set_file(err, dir);
		diag_set(err, 0, "cannot read theme folder: %s", strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			rc = load_theme_entry(app, root, rel, e->d_name, depth, err);
	closedir(d);
	return rc;
}

/* "css/site.css" -> "css/site.1a2b3c4d.css": a name that changes with the content. */
static char *fingerprint(const char *name, uint64_t hash)
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	if (dot == NULL || (slash && dot < slash))
		dot = name + strlen(name);
	struct buf b = BUF_INIT;
	buf_printf(&b, "%.*s.%08x%s", (int)(dot - name), name, (unsigned)(hash >> 32), dot);
	return buf_detach(&b, NULL);
}

static int compile_templates(struct app *app, struct diag *err)
{
	app->templates = tmpl_set_new();
	for (size_t i = 0; i < app->nfiles; i++) {
		const struct app_file *f = &app->files[i];
		if (strncmp(f->name, "templates/", 10) != 0)
			continue;
		const char *base = f->name + 10;
		const char *dot = strrchr(base, '.');
		/* HTML pages and XML feeds: "templates/atom.xml" is template "atom". */
		if (dot == NULL || (strcmp(dot, ".html") != 0 && strcmp(dot, ".xml") != 0) ||
		    strchr(base, '/'))
			continue;
		char tname[128];
		snprintf(tname, sizeof tname, "%.*s", (int)(dot - base), base);
		diag_clear(err);
		if (tmpl_set_add(app->templates, tname, (const char *)f->data, f->len, err) < 0) {
			diag_set_file(err, f->name);
			return -1;
		}
	}
	diag_clear(err);
	if (tmpl_set_link(app->templates, err) < 0)
		return -1;
	static const char *const required[] = {"home", "article", "list", "search",
	                                       "page", "error",   "atom", "rss"};

	for (size_t i = 0; i < GZ_ARRAY_LEN(required); i++)
		if (!tmpl_set_has(app->templates, required[i])) {
			diag_set_file(err, "templates");
			diag_set(err, 0,
			         "the theme has no template '%s' (templates/%s.html or .xml)",
			         required[i], required[i]);
			return -1;
		}
	return 0;
}

int app_load_files(struct app *app, const char *theme_dir, struct diag *err)
{
	diag_clear(err);
	for (size_t i = 0; i < assets_builtin_count; i++)
		put_file(app, assets_builtin[i].name, assets_builtin[i].data, assets_builtin[i].len,
		         NULL, 0);
	if (theme_dir) {
		char root[PATH_MAX];
		if (realpath(theme_dir, root) == NULL) {
			diag_set_file(err, theme_dir);
			diag_set(err, 0, "%s", strerror(errno));
			return -1;
		}
		if (load_theme_dir(app, root, "", 0, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < app->nfiles; i++) {
		struct app_file *f = &app->files[i];
		uint64_t h = hash_bytes(GZ_HASH_INIT, f->data, f->len);
		snprintf(f->etag, sizeof f->etag, "\"%016llx\"", (unsigned long long)h);
		f->fingerprinted = fingerprint(f->name, h);
		f->mime = mime_for(f->name);
	}
	return compile_templates(app, err);
}

void app_free_files(struct app *app)
{
	for (size_t i = 0; i < app->nfiles; i++) {
		free(app->files[i].name);
		free(app->files[i].owned);
		free(app->files[i].fingerprinted);
	}
	free(app->files);
	app->files = NULL;
	app->nfiles = 0;
	tmpl_set_free(app->templates);
	app->templates = NULL;
}

const struct app_file *app_find_file(const struct app *app, const char *name, bool *immutable)
{
	*immutable = false;
	for (size_t i = 0; i < app->nfiles; i++) {
		if (strcmp(app->files[i].name, name) == 0)
			return &app->files[i];
		if (strcmp(app->files[i].fingerprinted, name) == 0) {
			*immutable = true;
			return &app->files[i];
		}
	}
	return NULL;
}

char *app_file_url(const struct app *app, const char *base_path, const char *name)
{
	struct buf b = BUF_INIT;
	bool immutable;
	const struct app_file *f = app_find_file(app, name, &immutable);
	buf_printf(&b, "%s/static/%s", base_path, f ? f->fingerprinted : name);
	return buf_detach(&b, NULL);
}
