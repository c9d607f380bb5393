/*
 * collect.c: finding what an import takes.  A folder is walked in name
 * order (so that every import of the same folder sees the same order):
 * Markdown files are articles, a site.yaml at its top holds the settings,
 * a Jekyll _config.yml beside the posts gives their permalinks, and every
 * other file is one the site ships, served at its path below the folder.
 * Files a static site generator only builds from (templates, stylesheet
 * sources, its configuration) are left out and counted.
 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gazette/base/util.h"
#include "gazette/content/frontmatter.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool import_is_markdown_name(const char *name)
{
	static const char *const exts[] = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(exts); i++)
		if (has_suffix(name, exts[i]))
			return true;
	return false;
}

bool import_is_site_name(const char *name)
{
	return strcmp(name, "site.yaml") == 0 || strcmp(name, "site.yml") == 0;
}

/* Folders that hold no content of their own: build output, dependencies (hidden ones too). */
static bool skip_dir(const char *name)
{
	return name[0] == '.' || strcmp(name, "_site") == 0 || strcmp(name, "node_modules") == 0 ||
	       strcmp(name, "public") == 0 || strcmp(name, "resources") == 0;
}

/*
 * Files a generator builds from but never publishes: its configuration,
 * the package files of its tools, stylesheet sources.  Found in a folder
 * of articles, they are left out (and counted in a notice).
 */
static bool build_file(const char *name)
{
	static const char *const names[] = {
	    "_config.yml", "_config.yaml", "Gemfile",   "Gemfile.lock", "package.json",
	    "package-lock.json", "yarn.lock", "config.toml", "config.yaml", "config.yml",
	    "hugo.toml", "hugo.yaml", "netlify.toml", "Makefile", "Rakefile"};
	static const char *const exts[] = {".scss", ".sass", ".less", ".liquid", ".rb", ".sh"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	for (size_t i = 0; i < GZ_ARRAY_LEN(exts); i++)
		if (has_suffix(name, exts[i]))
			return true;
	return false;
}

/*
 * True for a page template: a Jekyll or Hugo .html (or .xml, .txt) file
 * that starts with front matter is source code of the old site (Liquid or
 * Go templates), not a file to serve as it is.
 */
static bool template_file(const char *path, const char *name)
{
	if (!has_suffix(name, ".html") && !has_suffix(name, ".htm") && !has_suffix(name, ".xml") &&
	    !has_suffix(name, ".txt") && !has_suffix(name, ".json"))
		return false;
	FILE *f = fopen(path, "rb");
	char head[4] = {0};
	if (f == NULL)
		return false;
	size_t n = fread(head, 1, 3, f);
	fclose(f);
	return n == 3 && memcmp(head, "---", 3) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, without hidden ones; NULL with err set if it cannot be read. */
static char **read_dir(const char *dir, size_t *n, struct diag *err)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		diag_set_file(err, dir);
		diag_set(err, 0, "cannot read folder: %s", strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	*n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(names, *n, sizeof *names, cmp_names);
	return names ? names : xcalloc(1, sizeof *names);
}

struct walk {
	struct batch *b;
	size_t root;
	unsigned templates, build_files; /* left out, for the notice */
};

/* What a file found in a folder is to the import. */
static void take_file(struct walk *w, const char *path, const char *rel, const char *name,
                      int64_t size, bool top, bool private_dir)
{
	/* In a static folder, every file is one the site ships. */
	bool statics = w->b->roots[w->root].statics;
	enum input_kind kind = IN_FILE;
	if (!statics && import_is_markdown_name(name))
		kind = IN_ARTICLE;
	else if (!statics && top && import_is_site_name(name))
		kind = IN_SITE;
	else if (!statics && private_dir)
		return; /* Jekyll publishes nothing of _layouts, _includes, _data ... */
	else if (!statics && build_file(name)) {
		w->build_files++;
		return;
	} else if (!statics && template_file(path, name)) {
		w->templates++;
		return;
	}
	struct input *in = batch_add_input(w->b, path, kind);
	in->root = w->root;
	batch_input_rel(in, rel);
	in->size = size;
}

/*
 * Adds what dir (rel below the root) holds.  private_dir: inside a folder
 * whose name starts with '_' (Jekyll's _posts, _layouts, ...), whose
 * files other than articles are never published.
 */
static int walk_dir(struct walk *w, const char *dir, const char *rel, unsigned depth,
                    bool private_dir, struct diag *err)
{
	if (depth > 32) {
		diag_set_file(err, dir);
		diag_set(err, 0, "folders nested too deeply");
		return -1;
	}
	size_t n;
	char **names = read_dir(dir, &n, err);
	if (names == NULL)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[PATH_MAX], sub[PATH_MAX];
		int len = snprintf(path, sizeof path, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/",
		                   names[i]);
		int rlen = snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
		if (len < 0 || (size_t)len >= sizeof path || rlen < 0 || (size_t)rlen >= sizeof sub) {
			diag_set_file(err, names[i]);
			diag_set(err, 0, "path too long");
			rc = -1;
			break;
		}
		struct stat ls, st;
		if (lstat(path, &ls) < 0 || stat(path, &st) < 0)
			continue; /* vanished, or a dangling link: nothing to import */
		/* Linked folders are not followed: they can loop. */
		bool taken = depth == 0 && w->b->roots[w->root].own_static &&
		             strcmp(names[i], "static") == 0;
		/* A static folder's files are all the site's: only hidden folders stay out. */
		bool skipped = w->b->roots[w->root].statics ? names[i][0] == '.' : skip_dir(names[i]);
		if (S_ISDIR(st.st_mode) && !S_ISLNK(ls.st_mode) && !skipped && !taken)
			rc = walk_dir(w, path, sub, depth + 1, private_dir || names[i][0] == '_', err);
		else if (S_ISREG(st.st_mode))
			take_file(w, path, sub, names[i], (int64_t)st.st_size, depth == 0, private_dir);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * Jekyll's permalink setting for the posts of dir: its _config.yml, or the
 * one of the folder above when dir is a _posts folder.  NULL if there is
 * none; a _config.yml that cannot be read is an error.
 */
static int jekyll_permalink(const char *dir, char **permalink, struct diag *err)
{
	*permalink = NULL;
	char path[PATH_MAX];
	const char *base = strrchr(dir, '/');
	base = base && base[1] ? base + 1 : dir;
	bool posts = strcmp(base, "_posts") == 0 || has_suffix(dir, "_posts/");
	snprintf(path, sizeof path, "%s/%s_config.yml", dir, posts ? "../" : "");
	size_t len;
	char *text = read_file(path, 1 << 20, &len);
	if (text == NULL)
		return errno == ENOENT ? 0 : (diag_set_file(err, path),
		                              diag_set(err, 0, "%s", strerror(errno)), -1);
	json_t *meta = NULL, *lines = NULL;
	diag_set_file(err, path);
	int rc = fm_parse_yaml(text, len, 1, &meta, &lines, err);
	free(text);
	if (rc == 0) {
		json_t *p = json_object_get(meta, "permalink");
		if (json_is_string(p) && json_string_length(p) > 0)
			*permalink = xstrdup(json_string_value(p));
	}
	json_decref(meta);
	json_decref(lines);
	return rc;
}

/* True if dir/name exists (a file or a folder). */
static bool exists_in(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0;
}

/* True if dir is a Hugo site's root: its configuration file is there. */
static bool hugo_site(const char *dir)
{
	static const char *const names[] = {"hugo.toml", "hugo.yaml", "hugo.json",
	                                    "config.toml", "config.yaml", "config.json"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++)
		if (exists_in(dir, names[i]))
			return true;
	return false;
}

static size_t add_root(struct batch *b, const char *path, bool statics)
{
	b->roots = xrealloc(b->roots, (b->nroots + 1) * sizeof *b->roots);
	struct root *r = &b->roots[b->nroots];
	memset(r, 0, sizeof *r);
	r->path = xstrdup(path);
	r->statics = statics;
	return b->nroots++;
}

/* How many inputs from first on are of kind. */
static size_t count_kind(const struct batch *b, size_t first, enum input_kind kind)
{
	size_t n = 0;
	for (size_t i = first; i < b->ninputs; i++)
		n += b->inputs[i].kind == kind;
	return n;
}

static int collect_dir(struct batch *b, const char *path, bool statics, struct diag *err);

/* True if dir's last name is "content" and the folder above is a Hugo site. */
static bool hugo_content(const char *dir)
{
	char parent[PATH_MAX];
	const char *base = strrchr(dir, '/');
	base = base && base[1] ? base + 1 : dir;
	int n = snprintf(parent, sizeof parent, "%s/..", dir);
	return n > 0 && (size_t)n < sizeof parent && strcmp(base, "content") == 0 &&
	       hugo_site(parent);
}

/*
 * How a folder named for import lays its site out: a Hugo site's root
 * stands for its content folder (*articles, which the caller's buffer
 * holds), and its static folder for --static when that is not given:
 * `gazette import mysite` is what its author would type.  Any other
 * folder's top static/ folder is its site root's files too (as Hugo, Zola
 * and gazette's export lay a site out), except in a Jekyll site, which
 * publishes static/ at /static/.  The static folder found is collected
 * here.  0, or -1 with err set.
 */
static int site_layout(struct batch *b, const char **articles, char content[PATH_MAX],
                       struct root *layout, struct diag *err)
{
	const char *path = *articles;
	bool hugo_root = hugo_site(path) && exists_in(path, "content");
	bool own_static = !hugo_root && !exists_in(path, "_config.yml");
	if (b->opts->static_dir == NULL && (hugo_root || own_static) &&
	    exists_in(path, "static/.")) {
		char stat_dir[PATH_MAX];
		snprintf(stat_dir, sizeof stat_dir, "%s/static", path);
		if (collect_dir(b, stat_dir, true, err) < 0)
			return -1;
		layout->own_static = own_static;
	}
	if (hugo_root) {
		snprintf(content, PATH_MAX, "%s/content", path);
		*articles = content;
	}
	layout->hugo = hugo_root || hugo_content(path);
	return 0;
}

/* A folder: walked, with its Jekyll settings and its layout.  0, or -1 with err set. */
static int collect_dir(struct batch *b, const char *path, bool statics, struct diag *err)
{
	char content[PATH_MAX];
	struct root layout = {.hugo = false};
	if (!statics && site_layout(b, &path, content, &layout, err) < 0)
		return -1;
	struct walk w = {.b = b, .root = add_root(b, path, statics)};
	size_t before = b->ninputs;
	b->roots[w.root].hugo = layout.hugo;
	b->roots[w.root].own_static = layout.own_static;
	if (!statics && jekyll_permalink(path, &b->roots[w.root].permalink, err) < 0)
		return -1;
	diag_set_file(err, path);
	if (walk_dir(&w, path, "", 0, false, err) < 0)
		return -1;
	if (!statics && count_kind(b, before, IN_ARTICLE) == 0) {
		diag_set_file(err, path);
		diag_set(err, 0,
		         "no Markdown files in this folder (*.md, *.markdown); nothing was imported");
		return -1;
	}
	if (w.templates || w.build_files)
		batch_notice(b,
		             "%s: left out %u page template%s with front matter and %u file%s the "
		             "old site was built from",
		             path, w.templates, w.templates == 1 ? "" : "s", w.build_files,
		             w.build_files == 1 ? "" : "s");
	return 0;
}

/* A file named on the command line: an article, site.yaml or an export.  0, or -1 with err. */
static int collect_file(struct batch *b, const char *path, struct diag *err)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	enum input_kind kind;
	if (import_is_site_name(name))
		kind = IN_SITE;
	else if (import_is_markdown_name(name))
		kind = IN_ARTICLE;
	else {
		FILE *f = fopen(path, "rb");
		char head[4096];
		size_t n = f ? fread(head, 1, sizeof head, f) : 0;
		if (f)
			fclose(f);
		if (!exports_sniff(head, n)) {
			diag_set(err, 0,
			         "not a Markdown file, a site.yaml, a WordPress export (WXR) or a "
			         "Ghost export (JSON); a file for the site goes in a folder you "
			         "import, or in the folder of --static");
			return -1;
		}
		kind = IN_EXPORT;
	}
	struct input *in = batch_add_input(b, path, kind);
	in->explicit = true;
	in->root = NO_ROOT;
	batch_input_rel(in, name);
	return 0;
}

void collect_inputs(struct batch *b, char *const *paths, size_t npaths, struct diag_list *errs)
{
	for (size_t i = 0; i <= npaths; i++) {
		const char *path = i < npaths ? paths[i] : b->opts->static_dir;
		if (path == NULL)
			continue;
		struct diag err;
		struct stat st;
		diag_clear(&err);
		diag_set_file(&err, path);
		int rc;
		if (stat(path, &st) < 0) {
			diag_set(&err, 0, "%s", strerror(errno));
			rc = -1;
		} else if (i == npaths && !S_ISDIR(st.st_mode)) {
			diag_set(&err, 0, "--static takes a folder");
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = collect_dir(b, path, i == npaths, &err);
		} else {
			rc = collect_file(b, path, &err);
		}
		if (rc < 0)
			diag_list_add(errs, &err);
	}
}
