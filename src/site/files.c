/*
 * files.c: the files a site ships (images, PDFs, audio, video, fonts) and
 * the old addresses of its articles, answered at every path no other
 * route takes; and files put in through the API.
 *
 * A path is looked up in this order: a file at that address
 * ("images/a.png"), the same with a content hash in its name
 * ("images/a.1a2b3c4d.png", cached for a year: the name changes with the
 * bytes), an old address that leads to an article (301), else 404.
 *
 * A file of up to FILE_IN_MEMORY bytes is read whole and answered like a
 * page (the answer cache, gzip for text, 304, ranges from memory).  A
 * larger one is streamed: read from the database as the client takes
 * it, never held whole (struct response_source).  Its reading has a
 * connection and a read transaction of its own (store_blob_open()): if an
 * import or an upload replaces or deletes the file while it is being
 * sent, the client still gets every byte of the file it began with,
 * from that snapshot; SQLite keeps the old pages until the reading ends
 * (the write-ahead log cannot be checkpointed past it meanwhile).  Only if
 * the file changes between the lookup and the first byte sent does the
 * answer end short (its Content-Length unmet): the client asks again and
 * gets the new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/base/log.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"
#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "gazette/site/router.h"
#include "auth.h"
#include "handlers.h"

_Static_assert(MEDIA_PATH_MAX_SEGMENTS <= REQUEST_MAX_SEGMENTS,
               "every valid file address must be a path the router takes");

/* Files up to this size are read whole, and may be kept in the answer cache. */
#define FILE_IN_MEMORY (1u << 20)

/* A hashed address never changes what it names; a plain one may, as theme files may. */
static const char cache_immutable[] = "public, max-age=31536000, immutable";
static const char cache_plain[] = "public, max-age=3600";
/*
 * A permanent redirect, but not for ever: an import may send an old
 * address elsewhere, and a cache in front could not be told.
 */
static const char cache_redirect[] = "public, max-age=86400";

/*
 * Types a browser would run scripts in if opened at the site's origin: a
 * file of these is sandboxed, as if from an origin of its own.
 */
static bool scriptable(const char *type)
{
	static const char *const types[] = {"text/html", "application/xhtml+xml", "image/svg+xml",
	                                    "application/xml", "text/xml"};
	size_t n = strcspn(type, ";");
	for (size_t i = 0; i < GZ_ARRAY_LEN(types); i++)
		if (strlen(types[i]) == n && strncasecmp(type, types[i], n) == 0)
			return true;
	return false;
}

/*
 * The file address a request names: its decoded segments joined with '/'
 * ("images/a b.png").  False if one holds a '/' of its own ("%2F"), which
 * no file's address can.
 */
static bool request_file_path(const struct request *req, struct buf *out)
{
	for (size_t i = 0; i < req->nsegs; i++) {
		if (strchr(req->segs[i], '/'))
			return false;
		if (i)
			buf_putc(out, '/');
		buf_puts(out, req->segs[i]);
	}
	return out->len > 0;
}

/* ---- streamed files -------------------------------------------------------- */

/* What a streamed file is: found by the request, read by each answer that sends it. */
struct blob_source {
	struct app *app;
	int64_t blob_id;
	char hash[65];
};

/* One answer's reading: a connection of this thread's own and the open blob. */
struct blob_reading {
	struct app *app;
	struct store *st;
	struct store_blob *blob;
};

/*
 * Called in libmicrohttpd's thread for the connection, which is the
 * worker thread that answered the request: its spare connections are its
 * own.
 */
static void *blob_open(void *cls)
{
	struct blob_source *src = cls;
	struct worker *w = app_worker(src->app);
	struct store *st = worker_take_reader(src->app, w);
	if (st == NULL)
		return NULL;
	struct store_blob *blob;
	int rc = store_blob_open(st, src->blob_id, src->hash, &blob);
	if (rc <= 0) {
		if (rc < 0)
			log_msg(LOG_ERROR, "reading a file: database: %s", store_errmsg(st));
		worker_give_reader(src->app, w, st);
		return NULL;
	}
	struct blob_reading *r = xcalloc(1, sizeof *r);
	r->app = src->app;
	r->st = st;
	r->blob = blob;
	return r;
}

static int blob_read(void *reading, uint64_t offset, void *out, size_t n)
{
	struct blob_reading *r = reading;
	return store_blob_read(r->blob, (size_t)offset, out, n);
}

/* In the connection's thread too, which gets the connection back as a spare. */
static void blob_close(void *reading)
{
	struct blob_reading *r = reading;
	store_blob_close(r->blob);
	worker_give_reader(r->app, app_worker(r->app), r->st);
	free(r);
}

static void blob_source_free(void *cls)
{
	free(cls);
}

/* ---- answering -------------------------------------------------------------- */

/* The strong ETag of a file: its content hash (32 hex digits of it are plenty). */
static void file_etag(const struct store_file *f, char out[40])
{
	snprintf(out, 40, "\"%.32s\"", f->hash);
}

/* Fills resp with the file f: 200 with its bytes, or streamed; 500 if they cannot be read. */
static void answer_file(struct request *req, struct response *resp, const struct store_file *f,
                        bool hashed)
{
	/* The response points at these; reply_new() copies them before this thread answers again.
	 */
	static _Thread_local char etag[40], type[sizeof f->type];
	file_etag(f, etag);
	snprintf(type, sizeof type, "%s", f->type);
	resp->status = 200;
	resp->content_type = type;
	resp->etag = etag;
	resp->last_modified = f->modified_at > 0 ? f->modified_at : 1;
	resp->cache_control = hashed ? cache_immutable : cache_plain;
	resp->ranges = true;
	if (scriptable(f->type))
		response_header(resp, "Content-Security-Policy",
		                "sandbox; default-src 'none'; img-src 'self' data:; "
		                "style-src 'unsafe-inline'; media-src 'self'");
	if ((uint64_t)f->size > FILE_IN_MEMORY) {
		/* Streamed: an answer the cache must not keep. */
		req->cacheable = false;
		struct blob_source *src = xcalloc(1, sizeof *src);
		src->app = req->app;
		src->blob_id = f->blob_id;
		snprintf(src->hash, sizeof src->hash, "%s", f->hash);
		resp->source = xcalloc(1, sizeof *resp->source);
		*resp->source = (struct response_source){.size = (uint64_t)f->size,
		                                         .open = blob_open,
		                                         .read = blob_read,
		                                         .close = blob_close,
		                                         .free = blob_source_free,
		                                         .cls = src};
		return;
	}
	size_t size = (size_t)f->size;
	buf_reset(&resp->body);
	buf_reserve(&resp->body, size);
	if (size && store_read_file(req->worker->store, f->blob_id, 0, resp->body.data, size) < 0) {
		response_free(resp);
		response_init(resp);
		errors_database(req, resp);
		return;
	}
	resp->body.len = size;
	resp->body.data[size] = '\0';
}

/*
 * The file a request names, plainly or by its hashed address: 1 with *f
 * and *hashed set, 0 if there is none, -1 on a database error.
 */
static int find_file(struct request *req, struct store_file *f, bool *hashed)
{
	struct buf path = BUF_INIT, plain = BUF_INIT;
	int found = 0;
	*hashed = false;
	if (request_file_path(req, &path)) {
		char digits[MEDIA_HASH_DIGITS + 1];
		found = store_get_file(req->worker->store, path.data, f);
		if (found == 0 && media_unhashed_path(path.data, &plain, digits)) {
			found = store_get_file(req->worker->store, plain.data, f);
			/* The hash of other bytes: that version is gone, and was never this one. */
			if (found > 0 && strncmp(f->hash, digits, MEDIA_HASH_DIGITS) != 0)
				found = 0;
			*hashed = found > 0;
		}
	}
	buf_free(&path);
	buf_free(&plain);
	return found;
}

bool files_old_address(struct request *req, struct response *resp, const char *address)
{
	char *slug = NULL;
	enum article_kind kind;
	/*
	 * address is as the router spells a path: decoded segments encoded
	 * again the one canonical way, a leading '/', no trailing one
	 * ("/2015/05/15/Rust%201.0.html"), or "/?p=123" for the front page
	 * with WordPress's p.  url_canonical_path() turns an old URL into it.
	 */
	int found = store_find_redirect(req->worker->store, address, &slug, &kind);
	if (found < 0) {
		errors_database(req, resp);
		return true;
	}
	if (found == 0)
		return false;
	struct buf where = BUF_INIT;
	escape_site_link(&where, req->worker->base_path, kind == ARTICLE_PAGE ? "/" : "/articles/",
	                 slug);
	response_header(resp, "Location", "%s", where.data);
	response_text(resp, 301, "Moved Permanently\n");
	resp->cache_control = cache_redirect;
	buf_free(&where);
	free(slug);
	return true;
}

void files_serve(struct request *req, struct response *resp)
{
	struct store_file f;
	bool hashed;
	int found = find_file(req, &f, &hashed);
	if (found < 0) {
		errors_database(req, resp);
		return;
	}
	if (found > 0) {
		answer_file(req, resp, &f, hashed);
		return;
	}
	struct buf address = BUF_INIT;
	request_path(req, (size_t)-1, &address);
	bool answered = files_old_address(req, resp, address.data);
	buf_free(&address);
	if (!answered)
		errors_answer(req, resp, 404, "There is no page at this address.");
}

/* ---- the API: POST and GET /api/v1/files ------------------------------------ */

/* A file as the API shows it (static/openapi.json's File). */
static json_t *file_json(struct request *req, const char *path, const struct store_file *f)
{
	struct buf url = BUF_INIT, hashed = BUF_INIT, hashed_url = BUF_INIT;
	buf_printf(&url, "%s/", req->worker->public_url);
	escape_url_path(&url, path, strlen(path));
	media_hashed_path(path, f->hash, &hashed);
	buf_printf(&hashed_url, "%s/", req->worker->public_url);
	escape_url_path(&hashed_url, hashed.data, hashed.len);
	char when[32];
	date_format_rfc3339(f->modified_at, when);
	json_t *j =
	    json_pack("{s:s, s:s%, s:s%, s:s, s:I, s:s, s:s}", "path", path, "url", url.data,
	              url.len, "hashed_url", hashed_url.data, hashed_url.len, "type", f->type,
	              "size", (json_int_t)f->size, "sha256", f->hash, "modified_at", when);
	if (j) {
		json_object_set_new(j, "width", f->width ? json_integer(f->width) : json_null());
		json_object_set_new(j, "height", f->height ? json_integer(f->height) : json_null());
	}
	buf_free(&url);
	buf_free(&hashed);
	buf_free(&hashed_url);
	return j;
}

static int list_one(void *ctx, const char *path, const struct store_file *f)
{
	void **args = ctx;
	json_t *j = file_json(args[0], path, f);
	if (j == NULL)
		return -1;
	json_array_append_new(args[1], j);
	return 0;
}

void api_files(struct request *req, struct response *resp)
{
	json_t *files = json_array();
	void *args[2] = {req, files};
	if (store_each_file(req->worker->store, list_one, args) < 0) {
		json_decref(files);
		errors_database(req, resp);
		return;
	}
	json_t *body = json_pack("{s:o}", "files", files);
	response_json(resp, 200, body);
	json_decref(body);
}

bool api_file_precheck(struct request *req, struct response *resp)
{
	if (!auth_require(req, resp, SCOPE_WRITE))
		return false;
	if (req->app->read_only) {
		errors_answer(req, resp, 403,
		              "This server is a read-only replica: write to the primary.");
		return false;
	}
	if (req->p.path == NULL) {
		errors_answer(
		    req, resp, 400,
		    "Say where the file goes: POST /api/v1/files?path=images/cat.png, with "
		    "its bytes as the body.");
		return false;
	}
	const char *type = request_header(req, "Content-Type");
	if (type && strncasecmp(type, "multipart/form-data", 19) == 0) {
		errors_answer(
		    req, resp, 415,
		    "Send the file's bytes as the body, not a form (multipart/form-data).");
		return false;
	}
	const char *encoding = request_header(req, "Content-Encoding");
	if (encoding && strcasecmp(encoding, "identity") != 0) {
		errors_answer(req, resp, 415,
		              "Send the file's bytes as they are, without a Content-Encoding.");
		return false;
	}
	return true;
}

/*
 * True if the Content-Type a client declared fits the type the bytes
 * have.  Only a declared image, audio, video or PDF is held to it (a
 * saved error page named cat.png is a mistake worth a 415); anything else
 * (none, application/octet-stream, text) leaves the bytes to speak.
 */
static bool declared_type_fits(const char *declared, const char *found)
{
	if (declared == NULL)
		return true;
	size_t n = strcspn(declared, "; \t");
	static const char *const kinds[] = {"image/", "audio/", "video/"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(kinds); i++) {
		size_t k = strlen(kinds[i]);
		if (n > k && strncasecmp(declared, kinds[i], k) == 0)
			return strncmp(found, kinds[i], k) == 0;
	}
	if (n == 15 && strncasecmp(declared, "application/pdf", 15) == 0)
		return strcmp(found, "application/pdf") == 0;
	return true;
}

/* The server has passed api_file_precheck() before reading the body. */
void api_file_upload(struct request *req, struct response *resp)
{
	resp->cache_control = "no-store";
	if (req->body_too_big) {
		errors_answer(req, resp, 413, router_body_limit_text(req));
		return;
	}
	const char *path = req->p.path;
	const char *data = req->body.data ? req->body.data : "";
	size_t len = req->body.len;
	struct media_info info;
	if (media_inspect(data, len, path, &info) < 0) {
		errors_answer(req, resp, 500,
		              "This server cannot tell what files are: libmagic's database "
		              "(/usr/share/misc/magic.mgc) is missing.");
		return;
	}
	const char *declared = request_header(req, "Content-Type");
	if (!declared_type_fits(declared, info.type)) {
		char msg[300];
		snprintf(msg, sizeof msg,
		         "The body is not what its Content-Type says (%.*s): its bytes are %s.",
		         (int)utf8_cut(declared, strcspn(declared, ";"), 100), declared, info.type);
		errors_answer(req, resp, 415, msg);
		return;
	}

	struct store *st = req->worker->store;
	struct store_file before, after;
	bool changed = false;
	if (store_begin(st) < 0) {
		errors_answer(req, resp, 503, "The database is busy; try again.");
		return;
	}
	int existed = store_get_file(st, path, &before);
	if (existed < 0 ||
	    store_put_file(st, path, data, len, info.type, info.width, info.height, "api", req->now,
	                   &changed) < 0 ||
	    (changed && store_prune_blobs(st) < 0) || store_get_file(st, path, &after) <= 0 ||
	    store_commit(st) < 0) {
		store_rollback(st);
		errors_database(req, resp);
		return;
	}
	json_t *file = file_json(req, path, &after);
	json_t *body = json_pack("{s:o, s:b}", "file", file, "replaced", existed > 0 && changed);
	unsigned status = changed ? 201 : 200;
	response_json(resp, status, body);
	json_decref(body);
	resp->cache_control = "no-store";
	if (status == 201) {
		struct buf where = BUF_INIT;
		buf_printf(&where, "%s/", req->worker->public_url);
		escape_url_path(&where, path, strlen(path));
		response_header(resp, "Location", "%s", where.data);
		buf_free(&where);
	}
}
