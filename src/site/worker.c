/*
 * worker.c: each worker thread's view of the site: its database
 * connection, the site settings and navigation, the public URL its links
 * use, made on first use and brought up to date when the database changes.
 */
#include "gazette/site/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/base/lang.h"
#include "gazette/base/util.h"

char *public_url_normalise(const char *url)
{
	const char *rest;
	if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return NULL;
	size_t n = strlen(url);
	if (*rest == '\0' || *rest == '/' || strpbrk(url, "?# \t\r\n\"'<>\\") != NULL ||
	    !utf8_valid(url, n))
		return NULL;
	while (n > 0 && url[n - 1] == '/')
		n--;
	return xstrndup(url, n);
}

const char *public_url_path(const char *url)
{
	const char *host = strstr(url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	return path ? path : url + strlen(url);
}

/* Makes the worker's links follow the public URL that applies now. */
static void set_worker_url(struct app *app, struct worker *w)
{
	const char *want = app->public_url;
	char *from_settings = NULL;
	if (want == NULL) {
		json_t *v = json_object_get(w->settings, "public_url");
		if (json_is_string(v))
			from_settings = public_url_normalise(json_string_value(v));
		want = from_settings ? from_settings : app->listen_url;
	}
	if (w->public_url == NULL || strcmp(w->public_url, want) != 0) {
		free(w->public_url);
		w->public_url = xstrdup(want);
		w->base_path = public_url_path(w->public_url);
		w->urls.base = w->public_url;
	}
	free(from_settings);
}

/* ---- workers ----------------------------------------------------------- */

static const char *setting(json_t *settings, const char *key, const char *fallback)
{
	json_t *v = json_object_get(settings, key);
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : fallback;
}

/* Gives each navigation entry its link path: base path + "/" + slug. */
static void nav_paths(struct worker *w, json_t *nav)
{
	size_t i;
	json_t *page;
	json_array_foreach(nav, i, page)
	{
		const char *slug = json_string_value(json_object_get(page, "slug"));
		struct buf b = BUF_INIT;
		escape_site_link(&b, w->base_path, "/", slug ? slug : "");
		json_object_set_new(page, "path", json_stringn(b.data, b.len));
		buf_free(&b);
	}
}

/*
 * The site's language as pages write it (lang_canonical(): "pt_BR" is
 * "pt-BR"), into out; "en" if site.yaml gives none or one no language
 * tag can be read from.
 */
static void site_language(struct worker *w, char out[LANG_TAG_MAX])
{
	if (!lang_canonical(setting(w->settings, "language", "en"), out))
		memcpy(out, "en", 3);
}

/* The "site" part of every page's view model. */
static json_t *site_model(struct app *app, struct worker *w, json_t *nav, int64_t now)
{
	char language[LANG_TAG_MAX];
	site_language(w, language);
	char *css = app_file_url(app, w->base_path, "css/site.css");
	char *icon = app_file_url(app, w->base_path, "icons/favicon.svg");
	struct tm tm;
	time_t t = (time_t)now;
	gmtime_r(&t, &tm);
	json_t *site =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:s}", "title",
	              setting(w->settings, "title", "gazette"), "description",
	              setting(w->settings, "description", ""), "language", language,
	              "contact_email",
	              setting(w->settings, "contact_email", ""), "url", w->public_url, "path",
	              w->base_path, "css_url", css, "icon_url", icon, "nav", nav, "year",
	              tm.tm_year + 1900, "generator", "gazette " GAZETTE_VERSION);
	if (site) {
		json_object_set_new(site, "version", json_string(GAZETTE_VERSION));
		/* Arabic, Hebrew, Persian, Urdu...: the page reads right to left. */
		json_object_set_new(site, "dir", json_string(lang_is_rtl(language) ? "rtl" : "ltr"));
	}
	free(css);
	free(icon);
	return site;
}

int worker_refresh(struct app *app, struct worker *w, int64_t now)
{
	unsigned generation = atomic_load(&app->db_generation);
	if (w->store && w->db_generation != generation) {
		/* The file was replaced (a new replica): this connection still reads the old one.
		 */
		store_close(w->store);
		w->store = NULL;
	}
	if (w->store == NULL) {
		w->db_generation = generation;
		struct diag err;
		diag_clear(&err);
		if (store_open(app->db_path, STORE_MMAP | (app->read_only ? STORE_READONLY : 0),
		               &w->store, NULL, &err) < 0) {
			log_msg(LOG_ERROR, "%s: %s", err.file, err.msg);
			return -1;
		}
		w->stale = true;
	}
	long long v = store_data_version(w->store);
	if (v < 0)
		return -1;
	if (!w->stale && v == w->data_version &&
	    (w->times.next_due == 0 || now < w->times.next_due))
		return 0;

	json_t *settings = NULL, *nav = NULL;
	int rc = store_get_settings(w->store, &settings);
	if (rc == 0) {
		json_decref(w->settings);
		w->settings = settings;
		settings = NULL;
		set_worker_url(app, w);
		rc = store_list_pages(w->store, &w->urls, now, &nav);
	}
	if (rc == 0)
		rc = store_content_times(w->store, now, &w->times);
	if (rc == 0)
		atomic_store(&app->next_due, w->times.next_due ? w->times.next_due : INT64_MAX);
	if (rc < 0) {
		log_msg(LOG_ERROR, "database: %s", store_errmsg(w->store));
		json_decref(settings);
		json_decref(nav);
		return -1;
	}
	nav_paths(w, nav);
	json_t *site = site_model(app, w, nav, now);
	if (site == NULL) {
		log_msg(LOG_ERROR, "the site settings cannot be shown (not text?)");
		return -1;
	}
	json_decref(w->site);
	w->site = site;
	w->data_version = v;
	w->stale = false;
	return 0;
}

/* Closes the spare readers of w. */
static void close_spares(struct worker *w)
{
	while (w->nspare_readers > 0)
		store_close(w->spare_readers[--w->nspare_readers]);
}

struct store *worker_take_reader(struct app *app, struct worker *w)
{
	unsigned generation = atomic_load(&app->db_generation);
	if (w->spare_generation != generation) {
		close_spares(w); /* the file was replaced: they read the old one */
		w->spare_generation = generation;
	}
	if (w->nspare_readers > 0)
		return w->spare_readers[--w->nspare_readers];
	struct diag err;
	struct store *st;
	diag_clear(&err);
	if (store_open(app->db_path, STORE_READONLY, &st, NULL, &err) < 0) {
		log_msg(LOG_ERROR, "%s: %s", err.file, err.msg);
		return NULL;
	}
	return st;
}

void worker_give_reader(struct app *app, struct worker *w, struct store *st)
{
	if (st == NULL)
		return;
	if (w->spare_generation == atomic_load(&app->db_generation) &&
	    w->nspare_readers < GZ_ARRAY_LEN(w->spare_readers))
		w->spare_readers[w->nspare_readers++] = st;
	else
		store_close(st);
}

static _Thread_local struct worker *thread_worker;

struct worker *app_worker(struct app *app)
{
	if (thread_worker == NULL) {
		thread_worker = xcalloc(1, sizeof *thread_worker);
		pthread_mutex_lock(&app->workers_lock);
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		app->workers = xrealloc(app->workers, (app->nworkers + 1) * sizeof *app->workers);
		app->workers[app->nworkers++] = thread_worker;
		pthread_mutex_unlock(&app->workers_lock);
	}
	return thread_worker;
}

static void worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	store_close(w->store);
	close_spares(w);
	json_decref(w->settings);
	json_decref(w->site);
	free(w->public_url);
	free(w);
}

void app_free_workers(struct app *app)
{
	for (size_t i = 0; i < app->nworkers; i++)
		worker_free(app->workers[i]);
	free(app->workers);
	app->workers = NULL;
	app->nworkers = 0;
}
