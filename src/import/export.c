/*
 * export.c: articles and pages back to Markdown files with YAML front
 * matter, and the site settings back to a site.yaml.
 *
 * The promise is a round trip: `gazette import` of the folder gives the
 * same articles.  Three things keep it:
 *  - the front matter is built as a JSON object in the order it is
 *    written, then handed to libyaml's emitter: quoting YAML right is
 *    libyaml's job, never ours;
 *  - the importer keeps every scalar as text (frontmatter.c), so the only
 *    strings that need our help are those that plain would make null;
 *  - every file is read back with the importer's own parser before it is
 *    written, and compared with the article (check_document()), so that
 *    anything the format cannot carry is an error naming the file and the
 *    field, not a silent loss.
 */
#include "gazette/import/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "gazette/content/article.h"
#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/base/media.h"
#include "gazette/content/frontmatter.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

/*
 * The names the importer reads a field from, first preferred, and how it
 * chooses among them (article.c): most fields take the first name that is
 * not null (first_field()) or merge all of them (authors, tags), so a name
 * after one with a value would not be read; a page is any name saying
 * "page", so a `type: blog` beside `layout: page` is no obstacle.
 */
struct field_names {
	bool first_wins;
	const char *name[5];
};
static const struct field_names title_names = {true, {"title"}};
static const struct field_names slug_names = {true, {"slug"}};
static const struct field_names summary_names = {true, {"summary", "description", "excerpt"}};
static const struct field_names author_names = {true, {"authors", "author"}};
static const struct field_names date_names = {true, {"date", "publishDate", "published_at"}};
static const struct field_names updated_names = {
    true, {"lastmod", "updated", "last_modified_at", "updated_at"}};
static const struct field_names tag_names = {true, {"tags", "categories", "category"}};
/* A draft is `draft: true`, or Jekyll's `published: false`. */
static const struct field_names draft_names = {true, {"draft", "published"}};
static const char *const draft_values[] = {"true", "false"};
static const struct field_names page_names = {false, {"type", "layout"}};
static const struct field_names weight_names = {true, {"weight"}};
static const struct field_names format_names = {true, {"format"}};
static const struct field_names lang_names = {true, {"lang", "language"}};
static const struct field_names url_names = {true, {"url"}};
static const struct field_names alias_names = {true, {"aliases"}};

/* One export in progress. */
struct export
{
	const char *dir;
	bool created;    /* dir was made by this export: removed again on failure */
	json_t *written; /* paths of the files written so far (strings), for undo() */
	json_t *made;    /* folders made so far (strings), for undo() */
	json_t *paths;   /* the articles' files below dir written so far (a set) */
	struct store *st;
	bool failed;     /* export_one() set err (else a failure is the store's) */
	struct export_stats *stats;
	struct diag *err;
};

/* ---- values: JSON -> YAML ----------------------------------------------- */

/* libyaml's output handler: appends to the struct buf in data. */
static int put_bytes(void *data, unsigned char *bytes, size_t size)
{
	buf_append(data, bytes, size);
	return 1;
}

/*
 * Emits the scalar s[0..n).  Not plain: quoted, by asking for single quotes
 * with plain_implicit 0 (libyaml takes double quotes where single ones
 * cannot say it).  False if libyaml refused (the emitter keeps the reason).
 */
static bool emit_scalar(yaml_emitter_t *e, const char *s, size_t n, bool plain)
{
	yaml_event_t ev;

	if (n > INT_MAX)
		return false;
	return yaml_scalar_event_initialize(
	           &ev, NULL, NULL, (const yaml_char_t *)s, (int)n, plain, 1,
	           plain ? YAML_ANY_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE) &&
	       yaml_emitter_emit(e, &ev);
}

/* What the importer reads as null when it is written plain. */
static bool plain_reads_as_null(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	                   memcmp(s, "NULL", 4) == 0));
}

/*
 * Text, quoted where the importer would read it plain as something else:
 * null, and in an extra field (typed: read with its YAML type) a boolean
 * or a number too.
 */
static bool emit_text(yaml_emitter_t *e, const char *s, size_t n, bool typed)
{
	return emit_scalar(e, s, n, typed ? fm_plain_is_text(s, n) : !plain_reads_as_null(s, n));
}

/* A boolean or a number, plain, so that it reads back as one. */
static bool emit_typed(yaml_emitter_t *e, json_t *v)
{
	char text[48];
	if (json_is_boolean(v))
		snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(text, sizeof text, "%.15g", json_real_value(v));
	/* A real the importer would not read back as this number stays text, quoted. */
	if (json_is_real(v) && fm_plain_is_text(text, strlen(text)))
		return emit_scalar(e, text, strlen(text), false);
	return emit_scalar(e, text, strlen(text), true);
}

static bool emit_value(yaml_emitter_t *e, json_t *v, bool typed);

/* A list: of scalars on one line, as authors write tags: [a, b]; else one item a line. */
static bool emit_sequence(yaml_emitter_t *e, json_t *v, bool typed)
{
	yaml_event_t ev;
	size_t i;
	json_t *item;
	bool flat = true;
	json_array_foreach(v, i, item)
	{
		flat = flat && !json_is_array(item) && !json_is_object(item);
	}
	if (!yaml_sequence_start_event_initialize(
	        &ev, NULL, NULL, 1, flat ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) ||
	    !yaml_emitter_emit(e, &ev))
		return false;
	json_array_foreach(v, i, item)
	{
		if (!emit_value(e, item, typed))
			return false;
	}
	return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

/* A mapping, one key a line, in the object's order. */
static bool emit_mapping(yaml_emitter_t *e, json_t *v, bool typed)
{
	yaml_event_t ev;
	const char *key;
	json_t *item;
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
	    !yaml_emitter_emit(e, &ev))
		return false;
	json_object_foreach(v, key, item)
	{
		if (!emit_text(e, key, strlen(key), false) || !emit_value(e, item, typed))
			return false;
	}
	return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

/* Emits v, front matter's JSON (extra fields keep their types); recursion is bounded by its depth. */
static bool emit_value(yaml_emitter_t *e, json_t *v, bool typed)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return emit_text(e, json_string_value(v), json_string_length(v), typed);
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_INTEGER:
	case JSON_REAL: return emit_typed(e, v);
	case JSON_ARRAY: return emit_sequence(e, v, typed);
	case JSON_OBJECT: return emit_mapping(e, v, typed);
	default: return emit_scalar(e, "~", 1, true); /* null */
	}
}

/*
 * Appends the YAML of root (an object made by fm_value_from_json()) to
 * out: one document without "---" or "..." lines, which are the caller's
 * to write.  Returns 0, or -1 with err->msg set.
 */
/* The root mapping: the fields typed names (the extra ones) are written with their types. */
static bool emit_root(yaml_emitter_t *e, json_t *root, json_t *typed)
{
	yaml_event_t ev;
	const char *key;
	json_t *item;
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
	    !yaml_emitter_emit(e, &ev))
		return false;
	json_object_foreach(root, key, item)
	{
		if (!emit_text(e, key, strlen(key), false) ||
		    !emit_value(e, item, typed && json_object_get(typed, key) != NULL))
			return false;
	}
	return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(e, &ev);
}

static int emit_yaml(json_t *root, json_t *typed, struct buf *out, struct diag *err)
{
	yaml_emitter_t e;
	yaml_event_t ev;

	if (!yaml_emitter_initialize(&e)) {
		diag_set(err, 0, "cannot write YAML: out of memory");
		return -1;
	}
	yaml_emitter_set_output(&e, put_bytes, out);
	yaml_emitter_set_encoding(&e, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&e, 1); /* "é" stays é, not "\xE9" */
	yaml_emitter_set_width(&e, -1);  /* no folding: one line per field, easy to diff */
	yaml_emitter_set_break(&e, YAML_LN_BREAK);
	/* An implicit start and end: the first document of a stream needs no markers. */
	bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	          yaml_emitter_emit(&e, &ev) &&
	          yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	          yaml_emitter_emit(&e, &ev) && emit_root(&e, root, typed) &&
	          yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
	          yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
	          yaml_emitter_flush(&e);
	if (!ok)
		diag_set(err, 0, "cannot write YAML: %s",
		         e.problem ? e.problem : "out of memory or invalid text");
	yaml_emitter_delete(&e);
	return ok ? 0 : -1;
}

/* ---- one document ------------------------------------------------------- */

static const char *text_of(json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));
	return s ? s : "";
}

/*
 * Which of a field's names it is written under: the first one the extra
 * fields do not use, provided (for a first_wins field) every one before it
 * is null there.  If none will do and the first is null, that null is
 * dropped with a notice: it told the importer nothing, and the field must
 * be written.  Returns an index into f->name, or -1 with err set when an
 * extra field would be read back as this one (only the write API can make
 * such an article).
 */
static int pick_name(json_t *extra, const struct field_names *f, struct diag *err)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(f->name) && f->name[i]; i++) {
		json_t *x = json_object_get(extra, f->name[i]);
		if (x == NULL)
			return (int)i;
		if (!json_is_null(x) && f->first_wins)
			break;
	}
	if (json_is_null(json_object_get(extra, f->name[0]))) {
		fprintf(stderr,
		        "gazette: %s: the empty field '%s' is left out (the %s is written)\n",
		        err->file, f->name[0], f->name[0]);
		json_object_del(extra, f->name[0]);
		return 0;
	}
	diag_set(err, 0, "cannot be exported: its extra field '%s' would be read back as its %s",
	         f->name[0], f->name[0]);
	return -1;
}

/* True if any of f's names has a value (not null) among the extra fields. */
static bool has_any(json_t *extra, const struct field_names *f)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(f->name) && f->name[i]; i++) {
		json_t *x = json_object_get(extra, f->name[i]);
		if (x && !json_is_null(x))
			return true;
	}
	return false;
}

/*
 * True if the slug is better left to the importer: the author wrote an
 * empty `slug:` (kept as null in extra) and the title gives the same slug
 * again.  Writing it out would mean dropping that null.
 */
static bool slug_implied(json_t *doc)
{
	json_t *extra = json_object_get(doc, "extra");
	if (!json_is_null(json_object_get(extra, "slug")))
		return false;
	const char *title = text_of(doc, "title");
	char *derived = slug_from_text(title, strlen(title));
	bool same = strcmp(derived, text_of(doc, "slug")) == 0;
	free(derived);
	return same;
}

/* Sets fm[name] = value (stolen), name from pick_name(); -1 with err set if none will do. */
static int put_field(json_t *fm, json_t *extra, const struct field_names *f, json_t *value,
                     struct diag *err)
{
	int k = pick_name(extra, f, err);
	if (k >= 0)
		json_object_set(fm, f->name[k], value);
	json_decref(value);
	return k < 0 ? -1 : 0;
}

/*
 * The front matter of doc (the store's document JSON) as an object in the
 * order it is written: title, slug, summary, authors, date, lastmod, tags,
 * draft, type, weight, format, lang, url, aliases, then the extra fields
 * as they were.  *extra gets
 * the extra fields as the importer will read them back.  Returns the
 * object (the caller's, as *extra is), or NULL with err set.
 */
/* What the article is: title, slug, summary, authors.  False with err set. */
static bool put_about(json_t *fm, json_t *extra, json_t *doc, struct diag *err)
{
	bool ok = put_field(fm, extra, &title_names, json_incref(json_object_get(doc, "title")),
	                    err) == 0;
	if (ok && !slug_implied(doc))
		ok = put_field(fm, extra, &slug_names, json_incref(json_object_get(doc, "slug")),
		               err) == 0;
	/* An empty summary is written too when an alias (description:) would stand in for it. */
	json_t *v = json_object_get(doc, "summary");
	if (ok && (json_string_length(v) > 0 || has_any(extra, &summary_names)))
		ok = put_field(fm, extra, &summary_names, json_incref(v), err) == 0;
	v = json_object_get(doc, "authors");
	if (ok && json_array_size(v) > 0)
		ok = put_field(fm, extra, &author_names, json_incref(v), err) == 0;
	return ok;
}

/* When and where it is published: dates, tags, draft, page, weight.  False with err set. */
static bool put_publishing(json_t *fm, json_t *extra, json_t *doc, struct diag *err)
{
	bool ok = true;
	json_t *v = json_object_get(doc, "published_at");
	if (json_is_string(v))
		ok = put_field(fm, extra, &date_names, json_incref(v), err) == 0;
	v = json_object_get(doc, "updated_at");
	if (ok && json_is_string(v))
		ok = put_field(fm, extra, &updated_names, json_incref(v), err) == 0;
	v = json_object_get(doc, "tags");
	if (ok && json_array_size(v) > 0)
		ok = put_field(fm, extra, &tag_names, json_incref(v), err) == 0;
	if (ok && json_is_true(json_object_get(doc, "draft"))) {
		int k = pick_name(extra, &draft_names, err);
		ok = k >= 0;
		if (ok)
			json_object_set_new(fm, draft_names.name[k], json_string(draft_values[k]));
	}
	if (ok && strcmp(text_of(doc, "type"), "page") == 0)
		ok = put_field(fm, extra, &page_names, json_string("page"), err) == 0;
	v = json_object_get(doc, "weight");
	if (ok && json_integer_value(v) != 0)
		ok = put_field(fm, extra, &weight_names, fm_value_from_json(v), err) == 0;
	return ok;
}

/*
 * How it is written and where it lived before: format, lang, and its old
 * addresses (url, aliases), which keep answering after a re-import.
 * False with err set.
 */
static bool put_origin(json_t *fm, json_t *extra, json_t *doc, struct diag *err)
{
	bool ok = true;
	if (strcmp(text_of(doc, "format"), "html") == 0)
		ok = put_field(fm, extra, &format_names, json_string("html"), err) == 0;
	json_t *v = json_object_get(doc, "lang");
	if (ok && json_is_string(v))
		ok = put_field(fm, extra, &lang_names, json_incref(v), err) == 0;
	v = json_object_get(doc, "url");
	if (ok && json_string_length(v) > 0)
		ok = put_field(fm, extra, &url_names, json_incref(v), err) == 0;
	v = json_object_get(doc, "aliases");
	if (ok && json_array_size(v) > 0)
		ok = put_field(fm, extra, &alias_names, json_incref(v), err) == 0;
	return ok;
}

static json_t *front_matter(json_t *doc, json_t **extra_out, struct diag *err)
{
	/* The extra fields keep their types: the importer reads them back typed. */
	json_t *extra = json_deep_copy(json_object_get(doc, "extra"));
	json_t *fm = json_object();
	if (!json_is_object(extra)) {
		json_decref(extra);
		extra = json_object();
	}
	if (!put_about(fm, extra, doc, err) || !put_publishing(fm, extra, doc, err) ||
	    !put_origin(fm, extra, doc, err)) {
		json_decref(fm);
		json_decref(extra);
		return NULL;
	}
	/* pick_name() chose names the extra fields do not use: nothing is overwritten here. */
	const char *key;
	json_t *v;
	json_object_foreach(extra, key, v) json_object_set(fm, key, v);
	*extra_out = extra;
	return fm;
}

/*
 * True if name ("YYYY-MM-DD-rest") would be read by the importer as a
 * Jekyll post's date and slug (file_stem() in article.c).
 */
static bool looks_dated(const char *name)
{
	int64_t t;
	char day[11];

	if (strlen(name) <= 11 || name[4] != '-' || name[7] != '-' || name[10] != '-')
		return false;
	memcpy(day, name, 10);
	day[10] = '\0';
	return date_parse(day, &t) == 0;
}

/*
 * Appends the path of doc's file to path: where the article was imported
 * from (doc["path"], below dir: "_posts/2015-05-15-rust-1.0.md",
 * "posts/trip/index.md"), so that the folder comes back as it was and
 * references relative to the file still resolve; else, or when that place
 * is taken or unsafe, DIR/SLUG.md, or DIR/_SLUG.md when SLUG looks like a
 * Jekyll "YYYY-MM-DD-name" and the front matter does not give both the
 * date and the slug, which the file name would then give.
 */
static void file_path(struct export *x, struct buf *path, json_t *doc)
{
	const char *slug = text_of(doc, "slug");
	const char *rel = json_string_value(json_object_get(doc, "path"));
	const char *why;
	size_t n = strlen(x->dir);
	const char *sep = n > 0 && x->dir[n - 1] == '/' ? "" : "/";

	/* static/ holds the site's files; the path must stay in the folder. */
	if (rel && strncmp(rel, "static/", 7) != 0 && media_path_valid(rel, strlen(rel), &why) &&
	    json_object_get(x->paths, rel) == NULL) {
		buf_printf(path, "%s%s%s", x->dir, sep, rel);
		json_object_set_new(x->paths, rel, json_true());
		return;
	}
	bool said = !slug_implied(doc) && json_is_string(json_object_get(doc, "published_at"));
	struct buf name = BUF_INIT;
	buf_printf(&name, "%s%s.md", looks_dated(slug) && !said ? "_" : "", slug);
	/* A later article named as an earlier one's file: that file keeps its name. */
	for (unsigned i = 2; json_object_get(x->paths, name.data); i++) {
		buf_reset(&name);
		buf_printf(&name, "%s%s-%u.md", looks_dated(slug) && !said ? "_" : "", slug, i);
	}
	json_object_set_new(x->paths, name.data, json_true());
	buf_printf(path, "%s%s%s", x->dir, sep, name.data);
	buf_free(&name);
}

/* The names in list ([{"slug", "name"}], as article.c makes them) are names ([strings]). */
static bool same_names(json_t *list, json_t *names)
{
	size_t i;
	json_t *item;

	if (json_array_size(list) != json_array_size(names))
		return false;
	json_array_foreach(list, i, item)
	{
		if (!json_equal(json_object_get(item, "name"), json_array_get(names, i)))
			return false;
	}
	return true;
}

static bool same_text(const char *s, json_t *v)
{
	return json_is_string(v) && strlen(s) == json_string_length(v) &&
	       memcmp(s, json_string_value(v), json_string_length(v)) == 0;
}

static bool same_date(bool has, int64_t t, json_t *v)
{
	char when[32];

	if (!has)
		return json_is_null(v);
	date_format_rfc3339(t, when);
	return json_is_string(v) && strcmp(when, json_string_value(v)) == 0;
}

/* The first field in which a (read back) differs from doc, or NULL if none does. */
static const char *differing_field(const struct article *a, json_t *doc, json_t *extra)
{
	if (!same_text(a->title, json_object_get(doc, "title")))
		return "title";
	if (!same_text(a->slug, json_object_get(doc, "slug")))
		return "slug";
	if (!same_text(a->summary, json_object_get(doc, "summary")))
		return "summary";
	if (!same_text(a->body_md, json_object_get(doc, "body_markdown")))
		return "body";
	if (!same_date(a->has_date, a->published_at, json_object_get(doc, "published_at")))
		return "date";
	if (!same_date(a->has_updated, a->updated_at, json_object_get(doc, "updated_at")))
		return "lastmod";
	if (a->draft != json_is_true(json_object_get(doc, "draft")))
		return "draft";
	if ((a->kind == ARTICLE_PAGE) != (strcmp(text_of(doc, "type"), "page") == 0))
		return "type";
	if (a->weight != json_integer_value(json_object_get(doc, "weight")))
		return "weight";
	if (!same_names(a->authors, json_object_get(doc, "authors")))
		return "authors";
	if (!same_names(a->tags, json_object_get(doc, "tags")))
		return "tags";
	if ((a->format == ARTICLE_HTML) != (strcmp(text_of(doc, "format"), "html") == 0))
		return "format";
	if (!(a->lang ? same_text(a->lang, json_object_get(doc, "lang"))
	              : json_is_null(json_object_get(doc, "lang"))))
		return "lang";
	if (!json_equal(a->extra, extra))
		return "extra fields";
	return NULL;
}

/*
 * Reads text back as `gazette import` will read the file at err->file and
 * checks that it gives doc again, with the extra fields extra.  Returns 0,
 * or -1 with err set.
 */
static int check_document(json_t *doc, json_t *extra, const struct buf *text, struct diag *err)
{
	struct fm_doc fm;
	struct article a;
	struct diag why;
	const char *field = NULL;

	diag_clear(&why);
	/* A file that does not even parse back names the parser's reason. */
	if (fm_parse(text->data, text->len, &fm, &why) < 0 ||
	    article_from_doc(&a, &fm, err->file, text->data, text->len, &why) < 0) {
		field = why.msg;
	} else {
		field = differing_field(&a, doc, extra);
		article_free(&a);
	}
	fm_doc_free(&fm); /* fm_parse() zeroes it first: fine after a failure too */
	if (field == NULL)
		return 0;
	diag_set(err, 0, "cannot be written so that it imports back the same (%s)", field);
	return -1;
}

/* ---- files -------------------------------------------------------------- */

/* Writes data to a new file at path, never over an existing one.  0, or -1 with err set. */
static int write_new_file(const char *path, const char *data, size_t len, struct diag *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			unlink(path);
			errno = saved;
			goto fail;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	diag_set_file(err, path);
	diag_set(err, 0, "cannot write the file: %s", strerror(errno));
	return -1;
}

/* Makes the folders of path below x->dir that do not exist yet.  0, or -1 with err set. */
static int make_parents(struct export *x, const char *path)
{
	char dir[PATH_MAX];
	size_t base = strlen(x->dir);
	for (const char *p = path + base + 1; (p = strchr(p, '/')) != NULL; p++) {
		size_t n = (size_t)(p - path);
		if (n >= sizeof dir)
			break;
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (mkdir(dir, 0777) == 0)
			json_array_append_new(x->made, json_string(dir));
		else if (errno != EEXIST) {
			diag_set_file(x->err, dir);
			diag_set(x->err, 0, "cannot create the folder: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Writes a file and remembers it for undo(). */
static int export_file(struct export *x, const char *path, const struct buf *text)
{
	if (write_new_file(path, text->data, text->len, x->err) < 0)
		return -1;
	json_array_append_new(x->written, json_string(path));
	return 0;
}

/*
 * doc["url"] and doc["aliases"]: the article's address on the site it
 * came from and its other old addresses (the store keeps both); and
 * doc["path"], its file below the folder it was imported from.  0 or -1.
 */
static int add_addresses(struct export *x, json_t *doc)
{
	json_t *paths;
	char *url = NULL, *path = NULL;
	if (store_article_addresses(x->st, text_of(doc, "slug"), &paths) < 0 ||
	    store_article_origin(x->st, text_of(doc, "slug"), &url, &path) < 0) {
		json_decref(paths);
		return -1;
	}
	json_object_set_new(doc, "path", path ? json_string(path) : json_null());
	free(path);
	/* The store keeps a url only when the article really lived there (not a guess). */
	struct buf canonical = BUF_INIT;
	const char *why;
	if (url && url_canonical_path(url, strlen(url), NULL, &canonical, &why) < 0)
		buf_reset(&canonical);
	for (size_t i = json_array_size(paths); canonical.len > 0 && i-- > 0;)
		if (strcmp(json_string_value(json_array_get(paths, i)), canonical.data) == 0)
			json_array_remove(paths, i);
	buf_free(&canonical);
	json_object_set_new(doc, "url", url ? json_string(url) : json_null());
	json_object_set_new(doc, "aliases", paths);
	free(url);
	return 0;
}

/* store_each_document()'s callback: one article or page to DIR/SLUG.md. */
static int export_one(void *ctx, json_t *doc)
{
	struct export *x = ctx;
	struct buf path = BUF_INIT, text = BUF_INIT;
	json_t *fm = NULL, *extra = NULL;
	const char *slug = text_of(doc, "slug");
	int rc = -1;

	x->failed = true;
	/* The slug becomes a file name: never one that leaves the folder. */
	if (!slug_is_valid(slug, strlen(slug))) {
		diag_set_file(x->err, x->dir);
		diag_set(x->err, 0, "the slug '%s' cannot name a file", slug);
		return -1;
	}
	if (add_addresses(x, doc) < 0) {
		x->failed = false; /* the store's error */
		goto out;
	}
	file_path(x, &path, doc);
	diag_set_file(x->err, path.data);
	if ((fm = front_matter(doc, &extra, x->err)) == NULL)
		goto out;

	buf_puts(&text, "---\n");
	if (emit_yaml(fm, extra, &text, x->err) < 0)
		goto out;
	buf_puts(&text, "---\n");
	json_t *body = json_object_get(doc, "body_markdown");
	buf_append(&text, json_string_value(body) ? json_string_value(body) : "",
	           json_string_length(body));
	if (check_document(doc, extra, &text, x->err) < 0 || make_parents(x, path.data) < 0 ||
	    export_file(x, path.data, &text) < 0)
		goto out;

	if (strcmp(text_of(doc, "type"), "page") == 0)
		x->stats->pages++;
	else
		x->stats->articles++;
	x->failed = false;
	rc = 0;
out:
	json_decref(fm);
	json_decref(extra);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

/* Copies a stored file's bytes to fd, a piece at a time: a large video needs no large buffer. */
static int copy_out(struct export *x, const struct store_file *f, int fd)
{
	enum { PIECE = 1 << 20 };
	char *piece = xmalloc(PIECE);
	int rc = 0;
	for (int64_t at = 0; at < f->size && rc == 0;) {
		size_t n = f->size - at < PIECE ? (size_t)(f->size - at) : PIECE;
		if (store_read_file(x->st, f->blob_id, (size_t)at, piece, n) < 0) {
			diag_set(x->err, 0, "cannot read the file from the database: %s",
			         store_errmsg(x->st));
			rc = -1;
			break;
		}
		for (size_t done = 0; done < n && rc == 0;) {
			ssize_t w = write(fd, piece + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				diag_set(x->err, 0, "cannot write the file: %s", strerror(errno));
				rc = -1;
			} else
				done += (size_t)w;
		}
		at += (int64_t)n;
	}
	free(piece);
	return rc;
}

/* store_each_file()'s callback: one file the site ships to DIR/static/PATH. */
static int export_site_file(void *ctx, const char *site_path, const struct store_file *f)
{
	struct export *x = ctx;
	struct buf path = BUF_INIT;
	const char *why;
	int rc = -1;

	x->failed = true;
	buf_printf(&path, "%s/static/%s", x->dir, site_path);
	diag_set_file(x->err, path.data);
	/* The store's paths were checked at import; a path leaving the folder is never written. */
	if (!media_path_valid(site_path, strlen(site_path), &why)) {
		diag_set(x->err, 0, "the file '%s' cannot be written: %s", site_path, why);
		goto out;
	}
	if (make_parents(x, path.data) < 0)
		goto out;
	int fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		diag_set(x->err, 0, "cannot write the file: %s", strerror(errno));
		goto out;
	}
	json_array_append_new(x->written, json_string(path.data));
	rc = copy_out(x, f, fd);
	if (close(fd) < 0 && rc == 0) {
		diag_set(x->err, 0, "cannot write the file: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		x->stats->files++;
		x->failed = false;
	}
out:
	buf_free(&path);
	return rc;
}

/* The site settings to DIR/site.yaml, if the site has any.  -1: err set, or the store's error. */
static int export_settings(struct export *x, struct store *st)
{
	json_t *settings, *yaml = NULL, *meta = NULL, *lines = NULL;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct diag why;
	int rc = -1;

	if (store_get_settings(st, &settings) < 0) {
		json_decref(settings);
		return -1;
	}
	if (json_object_size(settings) == 0) {
		json_decref(settings);
		return 0;
	}
	x->failed = true;
	buf_printf(&path, "%s/site.yaml", x->dir);
	diag_set_file(x->err, path.data);
	yaml = fm_value_from_json(settings);
	if (emit_yaml(yaml, NULL, &text, x->err) < 0)
		goto out;
	/* Read back as import reads a site.yaml: the same fields, or an error. */
	diag_clear(&why);
	if (fm_parse_yaml(text.data, text.len, 1, &meta, &lines, &why) < 0 ||
	    !json_equal(meta, yaml)) {
		diag_set(x->err, 0, "cannot be written so that it imports back the same");
		goto out;
	}
	if (export_file(x, path.data, &text) < 0)
		goto out;
	x->stats->settings = true;
	x->failed = false;
	rc = 0;
out:
	json_decref(meta);
	json_decref(lines);
	json_decref(yaml);
	json_decref(settings);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

/*
 * Makes dir, or accepts it if it exists and is empty: export never writes
 * over an author's files, nor mixes its files with theirs.
 */
static int prepare_dir(struct export *x)
{
	diag_set_file(x->err, x->dir);
	x->failed = true;
	if (mkdir(x->dir, 0777) == 0) {
		x->created = true;
		x->failed = false;
		return 0;
	}
	if (errno != EEXIST) {
		diag_set(x->err, 0, "cannot create the folder: %s", strerror(errno));
		return -1;
	}
	DIR *d = opendir(x->dir);
	if (d == NULL) {
		diag_set(x->err, 0, "%s",
		         errno == ENOTDIR ? "exists and is not a folder" : strerror(errno));
		return -1;
	}
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty) {
		diag_set(x->err, 0,
		         "the folder is not empty; export writes only into a new or empty folder");
		return -1;
	}
	x->failed = false;
	return 0;
}

/* Removes what a failed export wrote, so that it leaves nothing half-done. */
static void undo(struct export *x)
{
	size_t i;
	json_t *path;

	json_array_foreach(x->written, i, path) unlink(json_string_value(path));
	for (i = json_array_size(x->made); i-- > 0;)
		rmdir(json_string_value(json_array_get(x->made, i)));
	if (x->created)
		rmdir(x->dir);
}

int export_site(struct store *st, const char *dir, struct export_stats *stats, struct diag *err)
{
	struct export x = {
	    .dir = dir, .written = json_array(), .made = json_array(), .paths = json_object(), .st = st, .stats = stats, .err = err};
	int rc;

	memset(stats, 0, sizeof *stats);
	diag_clear(err);
	rc = prepare_dir(&x);
	if (rc == 0)
		rc = store_each_document(st, export_one, &x);
	if (rc == 0)
		rc = export_settings(&x, st);
	if (rc == 0)
		rc = store_each_file(st, export_site_file, &x);
	if (rc < 0 && !x.failed) {
		/* The store failed, not a file: the caller names the database. */
		diag_clear(err);
		diag_set(err, 0, "cannot read the database: %s", store_errmsg(st));
	}
	if (rc < 0)
		undo(&x);
	json_decref(x.written);
	json_decref(x.made);
	json_decref(x.paths);
	return rc;
}
