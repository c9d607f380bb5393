/*
 * api_write.c: POST, PUT, PATCH and DELETE of articles, for holders of a
 * write token.
 *
 * A write takes the body as a document (store_document.c's shape), turns
 * it into front matter and goes through article_from_doc(), the very code
 * an import uses, so an article written here is one an import could have
 * made.  Each write is one transaction, begun with the write lock, and the
 * If-Match check happens inside it: of two writers with the same ETag,
 * the second sees the first one's article and gets 412.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "auth.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "handlers.h"
#include "gazette/site/router.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

/* The fields of a document and what each must be. */
enum field_type { F_TEXT, F_NONEMPTY, F_SLUG, F_DATE, F_BOOL, F_INT, F_NAMES, F_OBJECT, F_TYPE };

static const struct field {
	const char *name;
	enum field_type type;
	const char *fm; /* its front matter key; NULL: handled apart */
} fields[] = {
    {"title", F_NONEMPTY, "title"},        {"slug", F_SLUG, "slug"},
    {"summary", F_TEXT, "summary"},        {"body_markdown", F_TEXT, NULL},
    {"author", F_TEXT, "author"},          {"authors", F_NAMES, "authors"},
    {"tags", F_NAMES, "tags"},             {"published_at", F_DATE, "date"},
    {"updated_at", F_DATE, "lastmod"},     {"draft", F_BOOL, "draft"},
    {"type", F_TYPE, NULL},                {"weight", F_INT, "weight"},
    {"format", F_TEXT, "format"},          {"lang", F_TEXT, "lang"},
    {"extra", F_OBJECT, NULL},
};

static const struct field *find_field(const char *name)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

static void add_error(json_t *errors, const char *field, const char *detail)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "detail", detail));
}

/* What is wrong with v as a list of names, or NULL. */
static const char *names_problem(json_t *v)
{
	size_t i;
	json_t *x;
	if (!json_is_array(v))
		return "must be a list of names";
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) || json_string_length(x) == 0)
			return "must hold only non-empty strings";
	}
	return NULL;
}

/* What is wrong with v as text (nonempty: with at least one byte), or NULL. */
static const char *text_problem(json_t *v, bool nonempty)
{
	if (!json_is_string(v))
		return "must be a string";
	return nonempty && json_string_length(v) == 0 ? "must not be empty" : NULL;
}

static const char *slug_problem(json_t *v)
{
	if (!json_is_string(v) || !slug_is_valid(json_string_value(v), json_string_length(v)))
		return "must be a slug: letters, digits, '-', '_' and '.', no '/' or spaces";
	return NULL;
}

static const char *date_problem(json_t *v)
{
	int64_t t;
	if (!json_is_string(v) || date_parse(json_string_value(v), &t) < 0)
		return "must be a date and time such as 2025-02-04T10:00:00Z, or null";
	return NULL;
}

/* The API writes posts only. */
static const char *type_problem(json_t *v)
{
	if (!json_is_string(v) || strcmp(json_string_value(v), "post") != 0)
		return "must be \"post\": standalone pages are written by 'gazette import'";
	return NULL;
}

/* What is wrong with v as a value of type t, or NULL when nothing is. */
static const char *value_problem(enum field_type t, json_t *v)
{
	switch (t) {
	case F_TEXT: return text_problem(v, false);
	case F_NONEMPTY: return text_problem(v, true);
	case F_SLUG: return slug_problem(v);
	case F_DATE: return date_problem(v);
	case F_TYPE: return type_problem(v);
	case F_NAMES: return names_problem(v);
	case F_BOOL: return json_is_boolean(v) ? NULL : "must be true or false";
	case F_INT: return json_is_integer(v) ? NULL : "must be a whole number";
	case F_OBJECT: return json_is_object(v) ? NULL : "must be an object";
	}
	return NULL;
}

/* Checks one field's value; adds to errors what is wrong with it. */
static void check_field(const struct field *f, json_t *v, json_t *errors)
{
	if (json_is_null(v) && f->type != F_NONEMPTY && strcmp(f->name, "body_markdown") != 0)
		return; /* null: absent */
	const char *problem = value_problem(f->type, v);
	if (problem)
		add_error(errors, f->name, problem);
}

/* Every problem with a document, as [{"field", "detail"}]. */
static json_t *validate(json_t *doc)
{
	json_t *errors = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v)
	{
		const struct field *f = find_field(key);
		if (f)
			check_field(f, v, errors);
		else
			add_error(errors, key, "is not a field of an article");
	}
	if (!json_object_get(doc, "title"))
		add_error(errors, "title", "is required");
	if (!json_object_get(doc, "body_markdown"))
		add_error(errors, "body_markdown", "is required (the article's Markdown)");
	/* Said here: article_from_doc() would blame the document's first line (title). */
	json_t *date = json_object_get(doc, "published_at");
	if (!json_is_true(json_object_get(doc, "draft")) && (date == NULL || json_is_null(date)))
		add_error(errors, "published_at", "is required unless the article is a draft");
	json_t *author = json_object_get(doc, "author"), *authors = json_object_get(doc, "authors");
	if (author && authors && !json_is_null(author) && !json_is_null(authors))
		add_error(errors, "author", "give either author or authors, not both");
	return errors;
}

/*
 * The front matter for a valid document, each field on a line of its own
 * (lines maps the key to it) so that an error of article_from_doc() can be
 * traced back to the field.
 */
static void to_front_matter(json_t *doc, json_t *meta, json_t *lines)
{
	json_t *extra = json_object_get(doc, "extra");
	const char *key;
	json_t *v;
	int line = 1;
	json_object_foreach(extra, key, v)
	{
		json_object_set_new(meta, key, fm_value_from_json(v));
		json_object_set_new(lines, key, json_integer(line++));
	}
	for (size_t i = 0; i < GZ_ARRAY_LEN(fields); i++) {
		v = json_object_get(doc, fields[i].name);
		if (fields[i].fm == NULL || v == NULL || json_is_null(v))
			continue;
		json_object_set_new(meta, fields[i].fm, fm_value_from_json(v));
		json_object_set_new(lines, fields[i].fm, json_integer(line++));
	}
}

/* The document field a front matter line came from, for errors. */
static const char *field_of_line(json_t *lines, json_t *doc, unsigned line)
{
	const char *key;
	json_t *v;
	json_object_foreach(lines, key, v) if ((unsigned)json_integer_value(v) == line)
	{
		for (size_t i = 0; i < GZ_ARRAY_LEN(fields); i++)
			if (fields[i].fm && strcmp(fields[i].fm, key) == 0)
				return fields[i].name;
		return json_object_get(json_object_get(doc, "extra"), key) ? "extra" : key;
	}
	return "body_markdown";
}

/* RFC 7396: patch applied to target, in place. */
static void merge_patch(json_t *target, json_t *patch)
{
	const char *key;
	json_t *v;
	json_object_foreach(patch, key, v)
	{
		json_t *old = json_object_get(target, key);
		if (json_is_null(v))
			json_object_del(target, key);
		else if (json_is_object(v) && json_is_object(old))
			merge_patch(old, v);
		else if (json_is_object(v)) {
			json_t *fresh = json_object();
			merge_patch(fresh, v);
			json_object_set_new(target, key, fresh);
		} else
			json_object_set(target, key, v);
	}
}

static void problem_with_errors(struct request *req, struct response *resp, json_t *errors)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:O}", "type", "about:blank", "title",
	                      "Bad Request", "status", 400, "detail",
	                      "The article has errors; see 'errors'.", "errors", errors);
	(void)req;
	response_json(resp, 400, p);
	resp->content_type = "application/problem+json";
	json_decref(p);
}

/* 415 unless the body is declared JSON (application/json, or a merge patch for PATCH). */
static bool json_body(struct request *req, struct response *resp)
{
	const char *type = request_header(req, "Content-Type");
	size_t n = type ? strcspn(type, "; \t") : 0;
	if (type && ((n == 16 && strncasecmp(type, "application/json", 16) == 0) ||
	             (req->method == METHOD_PATCH && n == 28 &&
	              strncasecmp(type, "application/merge-patch+json", 28) == 0)))
		return true;
	errors_answer(req, resp, 415,
	             req->method == METHOD_PATCH
	                 ? "Send the patch as application/merge-patch+json or application/json."
	                 : "Send the article as application/json.");
	return false;
}

bool api_write_precheck(struct request *req, struct response *resp)
{
	if (!auth_require(req, resp, SCOPE_WRITE))
		return false;
	if (req->app->read_only) {
		errors_answer(req, resp, 403, "This server is a read-only replica: write to the primary.");
		return false;
	}
	return req->method == METHOD_DELETE || json_body(req, resp);
}

/*
 * The current ETag of the article with slug, as GET would give it (with a
 * token, so drafts too), into etag; "" if there is none.
 */
static int current_etag(struct request *req, const char *slug, char etag[40])
{
	int found;
	json_t *answer = api_article_answer(req, slug, true, NULL, &found);
	etag[0] = '\0';
	if (found < 0)
		return -1;
	if (answer) {
		char *text = json_dumps(answer, JSON_COMPACT);
		if (text)
			http_etag(text, strlen(text), etag);
		free(text);
		json_decref(answer);
	}
	return 0;
}

/* 412 unless If-Match (if sent) holds the article's current ETag. */
static bool precondition_holds(struct request *req, struct response *resp, const char *slug,
                               bool *failed_db)
{
	const char *if_match = request_header(req, "If-Match");
	*failed_db = false;
	if (if_match == NULL)
		return true;
	char etag[40];
	if (current_etag(req, slug, etag) < 0) {
		*failed_db = true;
		return false;
	}
	if (etag[0] && http_etag_matches(if_match, etag))
		return true;
	errors_answer(req, resp, 412,
	             etag[0] ? "The article has changed since the ETag in If-Match: fetch it again."
	                     : "If-Match names an article that does not exist.");
	return false;
}

/* Ends a write: commit, and this thread's view of the site is stale. */
static bool commit(struct request *req, struct response *resp, struct store *st)
{
	/* An author's name is the newest article's spelling, as after an import. */
	if (store_settle_author_names(st) < 0 || store_prune(st) < 0 ||
	    store_touch(st, req->now) < 0 || store_commit(st) < 0) {
		store_rollback(st);
		errors_database(req, resp);
		return false;
	}
	req->worker->stale = true;
	return true;
}

static void answer_article(struct request *req, struct response *resp, const char *slug,
                           unsigned status)
{
	int found;
	bool snapshot = store_read_begin(req->worker->store);
	json_t *body = api_article_answer(req, slug, true, NULL, &found);
	store_read_end(req->worker->store, snapshot);
	if (body == NULL) {
		errors_database(req, resp);
		return;
	}
	response_json(resp, status, body);
	json_decref(body);
	resp->cache_control = "no-store";
	if (status == 201) {
		struct buf where = BUF_INIT;
		escape_site_link(&where, req->worker->public_url, "/api/v1/articles/", slug);
		response_header(resp, "Location", "%s", where.data);
		buf_free(&where);
	}
}

static void delete_article(struct request *req, struct response *resp, struct store *st)
{
	const char *slug = req->p.slug;
	json_t *doc;
	bool db_failed;
	int found = store_get_document(st, slug, &doc);
	if (found < 0)
		goto db_error;
	bool page = found && strcmp(json_string_value(json_object_get(doc, "type")), "page") == 0;
	if (!found || page) {
		json_decref(doc);
		store_rollback(st);
		errors_answer(req, resp, 404, "There is no article with this slug.");
		return;
	}
	if (!precondition_holds(req, resp, slug, &db_failed)) {
		json_decref(doc);
		store_rollback(st);
		if (db_failed)
			errors_database(req, resp);
		return;
	}
	int saved = store_save_revision(st, slug, doc, "deleted", req->now);
	json_decref(doc);
	if (saved < 0 || store_delete_article(st, slug) < 0)
		goto db_error;
	if (commit(req, resp, st)) {
		resp->status = 204;
		resp->cache_control = "no-store";
		buf_reset(&resp->body);
	}
	return;
db_error:
	store_rollback(st);
	errors_database(req, resp);
}

/*
 * Saves doc (valid) as the article with slug.  Returns 1 saved, 0 answered
 * with an error (resp filled), -1 on a database error.
 */
static int save(struct request *req, struct response *resp, struct store *st, json_t *doc,
                const json_t *current)
{
	struct fm_doc fm = {.meta = json_object(), .lines = json_object()};
	to_front_matter(doc, fm.meta, fm.lines);
	json_t *body = json_object_get(doc, "body_markdown");
	fm.body = json_string_value(body);
	fm.body_len = json_string_length(body);
	fm.body_line = 1;

	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	struct article a = {0};
	struct diag err;
	diag_clear(&err);
	int rc = 1;
	if (article_from_doc(&a, &fm, "api", text ? text : "", text ? strlen(text) : 0, &err) < 0) {
		json_t *errors = json_array();
		add_error(errors, field_of_line(fm.lines, doc, err.line), err.msg);
		problem_with_errors(req, resp, errors);
		json_decref(errors);
		rc = 0;
		goto out;
	}
	/* An extra field that article_from_doc() read is not extra: say so. */
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(doc, "extra"), key, v)
	{
		if (json_object_get(a.extra, key) == NULL) {
			char msg[200];
			snprintf(msg, sizeof msg,
			         "'%.60s' is a field gazette reads; give it as a field of its own, "
			         "not in extra",
			         key);
			json_t *errors = json_array();
			add_error(errors, "extra", msg);
			problem_with_errors(req, resp, errors);
			json_decref(errors);
			rc = 0;
			goto out;
		}
	}
	enum upsert_result result;
	if (article_render(&a) < 0 || store_upsert_article(st, &a, current, req->now, &result) < 0)
		rc = -1;
out:
	article_free(&a);
	free(text);
	fm_doc_free(&fm);
	return rc;
}

/*
 * How a write's step ended: go on to the next; done (answered, the
 * transaction ended); answered, and the transaction is to be rolled back;
 * or a database error, to roll back and answer (errors_database: 500).
 */
enum step { STEP_GO, STEP_DONE, STEP_ROLLBACK, STEP_DB_ERROR };

/* Parse: the body as a JSON object, or NULL with 400 answered. */
static json_t *body_object(struct request *req, struct response *resp)
{
	json_error_t jerr;
	json_t *in = json_loadb(req->body.data ? req->body.data : "", req->body.len,
	                        JSON_REJECT_DUPLICATES, &jerr);
	if (json_is_object(in))
		return in;
	char msg[300];
	snprintf(msg, sizeof msg,
	         in ? "The body must be a JSON object."
	            : "The body is not valid JSON: %s (line %d, column %d).",
	         jerr.text, jerr.line, jerr.column);
	errors_answer(req, resp, 400, msg);
	json_decref(in);
	return NULL;
}

/*
 * Which article: the address's, or for POST the body's slug or one made
 * from its title (NULL when it has neither).  A body's slug that is not
 * the address's is an error, put in a new *errors.
 */
static char *target_slug(struct request *req, json_t *in, json_t **errors)
{
	if (req->method == METHOD_POST) {
		json_t *s = json_object_get(in, "slug"), *t = json_object_get(in, "title");
		if (json_is_string(s))
			return xstrdup(json_string_value(s));
		if (json_is_string(t))
			return slug_from_text(json_string_value(t), json_string_length(t));
		return NULL;
	}
	json_t *s = json_object_get(in, "slug");
	if (json_is_string(s) && strcmp(json_string_value(s), req->p.slug) != 0) {
		*errors = json_array();
		add_error(*errors, "slug",
		          "must be the slug of the address (articles keep theirs)");
	}
	return xstrdup(req->p.slug);
}

/*
 * Check: whether the write may go on.  400 for errors found so far, 409
 * for a POST to a taken slug or a write to a page's, 404 for a PATCH of
 * nothing, 412 when If-Match does not hold.
 */
static enum step check_write(struct request *req, struct response *resp, json_t *errors,
                             const char *slug, json_t *current, int found)
{
	bool page = found && strcmp(json_string_value(json_object_get(current, "type")), "page") == 0;
	bool db_failed;
	if (errors) {
		problem_with_errors(req, resp, errors);
	} else if (req->method == METHOD_POST && found) {
		errors_answer(
		    req, resp, 409,
		    "An article with this slug exists: PUT or PATCH it, or choose another "
		    "slug.");
	} else if (page) {
		errors_answer(
		    req, resp, 409,
		    "This slug belongs to a standalone page, which 'gazette import' writes.");
	} else if (req->method == METHOD_PATCH && !found) {
		errors_answer(req, resp, 404, "There is no article with this slug to patch.");
	} else if (!precondition_holds(req, resp, slug, &db_failed)) {
		return db_failed ? STEP_DB_ERROR : STEP_ROLLBACK;
	} else {
		return STEP_GO;
	}
	return STEP_ROLLBACK;
}

/*
 * Per method, the document to save: PATCH merges the body into the
 * current article's, POST and PUT take the body as it is.  The slug goes
 * in when the document has none.
 */
static json_t *document_to_save(struct request *req, json_t *in, json_t *current, const char *slug)
{
	json_t *doc;
	if (req->method == METHOD_PATCH) {
		doc = json_deep_copy(current);
		json_object_del(doc, "type");
		merge_patch(doc, in);
	} else {
		doc = json_incref(in);
	}
	if (!json_object_get(doc, "slug") && slug && slug[0])
		json_object_set_new(doc, "slug", json_string(slug));
	return doc;
}

/* Save: 400 with every problem of doc, else saved and committed, 201 or 200. */
static enum step save_document(struct request *req, struct response *resp, struct store *st,
                               json_t *doc, const char *slug, json_t *current, int found)
{
	json_t *errors = validate(doc);
	if (!(slug && slug[0]) && json_array_size(errors) == 0)
		add_error(errors, "slug", "cannot be made from the title: give one");
	enum step step = STEP_ROLLBACK;
	if (json_array_size(errors) > 0) {
		problem_with_errors(req, resp, errors);
	} else {
		int rc = save(req, resp, st, doc, current);
		if (rc < 0) {
			step = STEP_DB_ERROR;
		} else if (rc > 0) {
			if (commit(req, resp, st))
				answer_article(req, resp, slug, found ? 200 : 201);
			step = STEP_DONE; /* committed, or commit() answered */
		}
	}
	json_decref(errors);
	return step;
}

/* POST, PUT or PATCH of the body in, inside the transaction begun. */
static enum step write_article(struct request *req, struct response *resp, struct store *st,
                               json_t *in)
{
	json_t *errors = NULL, *current = NULL, *doc = NULL;
	char *slug = target_slug(req, in, &errors);
	int found = slug ? store_get_document(st, slug, &current) : 0;
	enum step step =
	    found < 0 ? STEP_DB_ERROR : check_write(req, resp, errors, slug, current, found);
	if (step == STEP_GO) {
		doc = document_to_save(req, in, current, slug);
		step = save_document(req, resp, st, doc, slug, current, found);
	}
	free(slug);
	json_decref(doc);
	json_decref(current);
	json_decref(errors);
	return step;
}

/* The server has passed api_write_precheck() before reading the body. */
void api_write(struct request *req, struct response *resp)
{
	resp->cache_control = "no-store";
	if (req->body_too_big) {
		errors_answer(req, resp, 413,
		              "The body is larger than this server takes (--max-body).");
		return;
	}
	json_t *in = NULL;
	if (req->method != METHOD_DELETE && (in = body_object(req, resp)) == NULL)
		return;
	struct store *st = req->worker->store;
	if (store_begin(st) < 0) {
		json_decref(in);
		errors_answer(req, resp, 503, "The database is busy; try again.");
		return;
	}
	if (req->method == METHOD_DELETE) {
		delete_article(req, resp, st);
		return;
	}
	switch (write_article(req, resp, st, in)) {
	case STEP_GO:
	case STEP_DONE: break;
	case STEP_ROLLBACK: store_rollback(st); break;
	case STEP_DB_ERROR:
		store_rollback(st);
		errors_database(req, resp);
		break;
	}
	json_decref(in);
}
