/*
 * wxr.c: a WordPress export read as a stream of documents (wxr.h).
 *
 * libxml2's xmlTextReader walks the file node by node and frees what it
 * has passed, so memory does not grow with the file.  The state machine
 * below follows where the reader is (rss > channel > item > field) and
 * copies the text of the fields it wants into one item's buffers, which
 * are reused from item to item.
 *
 * An export is read twice.  The first reading checks the whole file (so a
 * damaged one stops before any document is handed on), and learns what a
 * post may need from elsewhere in the file: the channel's authors, the URL
 * of each attachment that a post names as its featured image (the
 * attachment usually comes after the post), and the site's offset from
 * UTC (a draft carries only its local time).  The second reading makes
 * the documents.
 *
 * The format, as WordPress's export (wp-admin/includes/export.php) writes
 * it: <rss> declares xmlns:wp="http://wordpress.org/export/1.2/" (1.0 and
 * 1.1 before it) and xmlns:excerpt with "excerpt/" after that; <channel>
 * has <title>, <description>, <language>, <wp:wxr_version>, one
 * <wp:author> per author (since 1.1: wp:author_login,
 * wp:author_display_name, ...), the terms, then one <item> per post of
 * any type: <title>, <link>, <dc:creator> (a login), <content:encoded>,
 * <excerpt:encoded>, wp:post_id, wp:post_date and wp:post_date_gmt (MySQL
 * datetimes; the GMT one is 0000-00-00 00:00:00 for drafts),
 * wp:post_modified(_gmt) (since WordPress 5.7), wp:post_name, wp:status,
 * wp:post_parent, wp:menu_order, wp:post_type, wp:post_password,
 * wp:is_sticky, wp:attachment_url (attachments), <category domain=
 * nicename=> per term (WXR 1.0 says domain="tag" for tags, and repeats
 * each term without domain), wp:postmeta (wp:meta_key, wp:meta_value) and
 * wp:comment.  Any text may be CDATA, split in several sections where it
 * holds "]]>".
 */
#include "wxr.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/xmlreader.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/util.h"
#include "gazette/content/slug.h"

/* Offsets from UTC in quarter hours, -14:00 to +14:00. */
#define ZONE_STEP  900
#define ZONE_SLOTS 113
#define ZONE_MID   56
/* Different offsets a notice names (DST gives two). */
#define ZONE_USED_MAX 4

enum ns { NS_NONE, NS_WP, NS_EXCERPT, NS_CONTENT, NS_DC, NS_OTHER };

/*
 * Is uri WXR's namespace, http://wordpress.org/export/VERSION/ (NS_WP),
 * or the excerpt one with "excerpt/" after it (NS_EXCERPT)?  Sets
 * *version to VERSION (cut to size - 1 bytes) when version is not NULL.
 */
static enum ns wp_uri(const char *uri, char *version, size_t size)
{
	static const char *const bases[] = {"http://wordpress.org/export/",
	                                    "https://wordpress.org/export/"};

	for (size_t i = 0; i < GZ_ARRAY_LEN(bases); i++) {
		size_t n = strlen(bases[i]);
		if (strncmp(uri, bases[i], n) != 0)
			continue;
		const char *v = uri + n, *e = v;
		while ((*e >= '0' && *e <= '9') || *e == '.')
			e++;
		if (e == v || *e != '/')
			return NS_OTHER;
		if (version != NULL)
			snprintf(version, size, "%.*s", (int)(e - v), v);
		if (e[1] == '\0')
			return NS_WP;
		return strcmp(e + 1, "excerpt/") == 0 ? NS_EXCERPT : NS_OTHER;
	}
	return NS_OTHER;
}

static enum ns ns_of(const xmlChar *uri)
{
	if (uri == NULL)
		return NS_NONE;
	const char *u = (const char *)uri;
	if (strcmp(u, "http://purl.org/rss/1.0/modules/content/") == 0)
		return NS_CONTENT;
	if (strcmp(u, "http://purl.org/dc/elements/1.1/") == 0)
		return NS_DC;
	return wp_uri(u, NULL, 0);
}

/* The fields of an item that are read; pass1: also in the first reading. */
enum field {
	F_TITLE,
	F_LINK,
	F_CREATOR,
	F_CONTENT,
	F_EXCERPT,
	F_ID,
	F_DATE,
	F_DATE_GMT,
	F_MODIFIED,
	F_MODIFIED_GMT,
	F_NAME,
	F_STATUS,
	F_TYPE,
	F_PARENT,
	F_ORDER,
	F_PASSWORD,
	F_STICKY,
	F_ATTACHMENT_URL,
	F__COUNT
};

static const struct {
	enum ns ns;
	const char *name;
	bool pass1;
} fields[F__COUNT] = {
    [F_TITLE] = {NS_NONE, "title", false},
    [F_LINK] = {NS_NONE, "link", false},
    [F_CREATOR] = {NS_DC, "creator", true},
    [F_CONTENT] = {NS_CONTENT, "encoded", false},
    [F_EXCERPT] = {NS_EXCERPT, "encoded", false},
    [F_ID] = {NS_WP, "post_id", true},
    [F_DATE] = {NS_WP, "post_date", true},
    [F_DATE_GMT] = {NS_WP, "post_date_gmt", true},
    [F_MODIFIED] = {NS_WP, "post_modified", false},
    [F_MODIFIED_GMT] = {NS_WP, "post_modified_gmt", false},
    [F_NAME] = {NS_WP, "post_name", false},
    [F_STATUS] = {NS_WP, "status", false},
    [F_TYPE] = {NS_WP, "post_type", true},
    [F_PARENT] = {NS_WP, "post_parent", false},
    [F_ORDER] = {NS_WP, "menu_order", false},
    [F_PASSWORD] = {NS_WP, "post_password", false},
    [F_STICKY] = {NS_WP, "is_sticky", false},
    [F_ATTACHMENT_URL] = {NS_WP, "attachment_url", true},
};

/* Where the reader is. */
enum state {
	S_START,    /* before the root element */
	S_RSS,      /* in <rss> */
	S_CHANNEL,  /* in <channel> */
	S_AUTHOR,   /* in <wp:author> */
	S_ITEM,     /* in <item> */
	S_META,     /* in an item's <wp:postmeta> */
	S_CATEGORY, /* in an item's <category> */
	S_DONE,     /* after </rss> */
};

/* One item's strings; the buffers are reused from item to item. */
struct item {
	unsigned line;
	struct buf v[F__COUNT];
	unsigned vline[F__COUNT];
	bool seen[F__COUNT];
	json_t *cats, *tags, *plain; /* term names: categories, tags, WXR 1.0's without domain */
	unsigned terms_line;
	struct buf term, domain, nicename; /* the <category> being read */
	struct buf key, value;             /* the wp:postmeta being read */
	unsigned pm_line;                  /* ...its line */
	json_t *meta;                      /* wp_meta */
	unsigned meta_line;                /* of its first entry */
	unsigned thumb_line;
	struct buf thumb; /* _thumbnail_id */
};

struct author {
	char *login;
	char *name; /* display name as text */
};

struct attachment {
	long long id;
	size_t off, len; /* its URL in the arena */
};

/* The first error libxml2 reports. */
struct xml_error {
	bool set;
	unsigned line;
	char msg[300];
};

struct wxr {
	const char *path;
	const struct import_sink *sink;
	struct wxr_stats *st;
	struct diag *err;
	xmlTextReaderPtr r;
	struct xml_error xerr;
	int pass; /* 1 or 2 */
	enum state state;
	bool seen_root;
	bool looks_xml;  /* the file starts as XML does */
	struct buf *cur; /* the buffer text goes to, if any */
	int cur_depth;   /* ...until this element ends */

	/* The channel. */
	struct buf title, description, language, login, display;
	struct buf site_urls[3]; /* the channel's link, wp:base_site_url, wp:base_blog_url */
	struct author *authors; /* sorted by login */
	size_t nauthors, authors_cap;

	/* Featured images: the attachments' URLs, and the ids posts name. */
	struct attachment *atts; /* sorted by id after the first reading */
	size_t natts, atts_cap;
	struct buf arena;
	long long *thumbs;
	size_t nthumbs, thumbs_cap;

	/* The site's offset from UTC: [0] all items, [1..12] by month of the local date. */
	unsigned zone[13][ZONE_SLOTS];
	int zone_used[ZONE_USED_MAX];
	unsigned nzone_used;

	struct item it;
	struct buf body, text, scratch;
};

/* ---- small helpers ---- */

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
	                  (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* A field's text without the whitespace around it ("" when absent). */
static const char *field(const struct item *it, enum field f, size_t *n)
{
	const char *s = it->v[f].data ? it->v[f].data : "";
	*n = it->v[f].len;
	trim(&s, n);
	return s;
}

static bool field_is(const struct item *it, enum field f, const char *want)
{
	size_t n;
	const char *s = field(it, f, &n);
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* A post id: a whole number from 1; 0 for anything else. */
static long long parse_id(const char *s, size_t n)
{
	long long v;
	trim(&s, &n);
	return parse_uint_range(s, n, 1, 1000000000000000LL, &v) == 0 ? v : 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static int cmp_att(const void *a, const void *b)
{
	return cmp_ll(&((const struct attachment *)a)->id, &((const struct attachment *)b)->id);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

/* Appends s[0..n) with %XX decoded (WordPress keeps non-ASCII slugs so). */
static void pct_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
			buf_putc(out, (char)(hex_val(s[i + 1]) << 4 | hex_val(s[i + 2])));
			i += 2;
		} else {
			buf_putc(out, s[i]);
		}
	}
}

/*
 * WordPress's MySQL datetime "YYYY-MM-DD HH:MM:SS" as seconds if it were
 * UTC, and its month; false for 0000-00-00 00:00:00 (no date) and
 * anything that is not such a time.
 */
static bool mysql_time(const char *s, size_t n, int64_t *t, unsigned *month)
{
	static const unsigned days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	unsigned v[6] = {0}, k = 0;

	trim(&s, &n);
	if (n != sizeof shape - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[k] = v[k] * 10 + (unsigned)(s[i] - '0');
		} else if (s[i] != shape[i]) {
			return false;
		} else {
			k++;
		}
	}
	unsigned y = v[0], mo = v[1], d = v[2];
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return false;
	*t = date_days_from_civil(y, mo, d) * 86400 + (int64_t)v[3] * 3600 + (int64_t)v[4] * 60 +
	     v[5];
	*month = mo;
	return true;
}

/* "UTC+02:00", "UTC-05:30", "UTC" */
static void format_offset(int off, char out[16])
{
	if (off == 0) {
		snprintf(out, 16, "UTC");
		return;
	}
	int a = off < 0 ? -off : off;
	snprintf(out, 16, "UTC%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* ---- XML ---- */

static void on_xml_error(void *arg, const char *msg, xmlParserSeverities severity,
                         xmlTextReaderLocatorPtr locator)
{
	struct xml_error *e = arg;

	if (e->set || severity != XML_PARSER_SEVERITY_ERROR)
		return;
	e->set = true;
	int line = xmlTextReaderLocatorLineNumber(locator);
	e->line = line > 0 ? (unsigned)line : 0;
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	snprintf(e->msg, sizeof e->msg, "%.*s", (int)n, msg);
}

/*
 * The line of the element the reader is on.  libxml2 keeps lines up to
 * 65534 in the node.  Past that (XML_PARSE_BIG_LINES) only text nodes
 * keep theirs, the line where the text ends: an element whose first child
 * is text (the line end and indent after <item>) starts that text's line
 * ends before it.  Else the parser's own line, which may be a few lines
 * ahead (for fields in CDATA past line 65535).
 */
static unsigned node_line(xmlTextReaderPtr r)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(r);
	long line = 0;

	if (n != NULL && n->line > 0 && n->line < 65535)
		return n->line;
	xmlNodePtr text = n != NULL ? n->children : NULL;
	if (text != NULL && text->type == XML_TEXT_NODE && text->psvi != NULL &&
	    text->content != NULL) {
		line = (long)(intptr_t)text->psvi;
		for (const xmlChar *c = text->content; *c; c++)
			line -= *c == '\n';
	}
	if (line < 65535)
		line = xmlTextReaderGetParserLineNumber(r);
	return line > 0 ? (unsigned)line : 0;
}

static const char msg_doctype[] =
    "a WordPress export has no DOCTYPE, and this file has one: refused, as its "
    "entities could expand without end or read other files";

/*
 * Refuses a DOCTYPE before libxml2 reads it: looks through the prolog
 * (the XML declaration, comments and processing instructions before the
 * root element) in the first 64 KB of the file.  A prolog longer than that
 * is left to the check in read_pass(), after libxml2 has read the DTD with
 * its own limits.  Returns 0, or -1 with err set.
 */
/* The first w[0..k) in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *w, size_t k)
{
	for (const char *p = s, *end = s + n; (size_t)(end - p) >= k; p++) {
		p = memchr(p, w[0], (size_t)(end - p));
		if (p == NULL || (size_t)(end - p) < k)
			break;
		if (memcmp(p, w, k) == 0)
			return p;
	}
	return NULL;
}

static bool is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Whether head[0..len) looks like XML: '<' first after a byte order mark
 * (from i on) and maybe spaces, or a UTF-16 byte order mark.
 */
static bool looks_like_xml(const char *head, size_t len, size_t i)
{
	while (i < len && is_xml_space(head[i]))
		i++;
	return (i < len && head[i] == '<') ||
	       (len >= 2 && ((unsigned char)head[0] ^ (unsigned char)head[1]) == 0x01 &&
	        ((unsigned char)head[0] & 0xfe) == 0xfe);
}

/*
 * Walks the prolog in head[i..len): spaces, comments and processing
 * instructions, up to the root element.  -1 with err set at a DOCTYPE
 * (never read: msg_doctype), else 0.
 */
static int scan_prolog(const char *head, size_t len, size_t i, struct diag *err)
{
	unsigned line = 1;
	while (i < len) {
		const char *end = NULL; /* of the comment or processing instruction */
		if (is_xml_space(head[i])) {
			line += head[i++] == '\n';
			continue;
		}
		if (len - i >= 9 && memcmp(head + i, "<!DOCTYPE", 9) == 0) {
			diag_set(err, line, "%s", msg_doctype);
			return -1;
		}
		if (len - i >= 4 && memcmp(head + i, "<!--", 4) == 0)
			end = find(head + i + 4, len - i - 4, "-->", 3);
		else if (len - i >= 2 && memcmp(head + i, "<?", 2) == 0)
			end = find(head + i + 2, len - i - 2, "?>", 2);
		if (end == NULL)
			break; /* the root element, or something libxml2 will name */
		for (; head + i < end; i++)
			line += head[i] == '\n';
		i += head[i] == '-' ? 3 : 2;
	}
	return 0;
}

static int check_prolog(int fd, bool *looks_xml, struct diag *err)
{
	enum { HEAD = 65536 };
	char *head = xmalloc(HEAD);
	ssize_t got = pread(fd, head, HEAD, 0);

	if (got < 0) {
		diag_set(err, 0, "cannot read: %s", strerror(errno));
		free(head);
		return -1;
	}
	size_t len = (size_t)got;
	size_t i = len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	*looks_xml = looks_like_xml(head, len, i);
	int rc = scan_prolog(head, len, i, err);
	free(head);
	return rc;
}

static int fail(struct wxr *w, unsigned line, const char *msg)
{
	diag_set(w->err, line, "%s", msg);
	return -1;
}

/* ---- the channel ---- */

static struct author *find_author(struct wxr *w, const char *login, size_t *pos)
{
	size_t lo = 0, hi = w->nauthors;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(login, w->authors[mid].login);
		if (c == 0)
			return &w->authors[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return NULL;
}

/* Adds an author unless the login is known; name is HTML (a display name) or NULL. */
static void add_author(struct wxr *w, const char *login, size_t login_len, const char *name,
                       size_t name_len)
{
	char *l = xstrndup(login, login_len);
	size_t pos;

	if (login_len == 0 || find_author(w, l, &pos) != NULL) {
		free(l);
		return;
	}
	buf_reset(&w->text);
	if (name != NULL)
		wp_html_text(name, name_len, &w->text);
	if (w->text.len == 0)
		buf_append(&w->text, login, login_len);
	if (w->nauthors == w->authors_cap) {
		w->authors_cap = w->authors_cap ? w->authors_cap * 2 : 8;
		w->authors = xrealloc(w->authors, w->authors_cap * sizeof *w->authors);
	}
	memmove(w->authors + pos + 1, w->authors + pos, (w->nauthors - pos) * sizeof *w->authors);
	w->authors[pos].login = l;
	w->authors[pos].name = xstrndup(w->text.data, w->text.len);
	w->nauthors++;
}

/* The settings of reader.h: title, description, language, authors. */
static int send_settings(struct wxr *w)
{
	json_t *s = json_object(), *authors = json_object();
	const char *v;
	size_t n;

	buf_reset(&w->text);
	wp_html_text(w->title.data ? w->title.data : "", w->title.len, &w->text);
	if (w->text.len > 0)
		json_object_set_new(s, "title", json_stringn(w->text.data, w->text.len));
	buf_reset(&w->text);
	wp_html_text(w->description.data ? w->description.data : "", w->description.len, &w->text);
	if (w->text.len > 0)
		json_object_set_new(s, "description", json_stringn(w->text.data, w->text.len));
	v = w->language.data ? w->language.data : "";
	n = w->language.len;
	trim(&v, &n);
	if (n > 0)
		json_object_set_new(s, "language", json_stringn(v, n));
	for (size_t i = 0; i < w->nauthors; i++) {
		char *slug = slug_from_text(w->authors[i].name, strlen(w->authors[i].name));
		if (slug[0] != '\0' && json_object_get(authors, slug) == NULL)
			json_object_set_new(authors, slug,
			                    json_pack("{s:s}", "name", w->authors[i].name));
		free(slug);
	}
	if (json_object_size(authors) > 0)
		json_object_set(s, "authors", authors);
	json_decref(authors);
	/* Where the old site lived: its absolute links to itself become the site's own. */
	json_t *urls = json_array();
	for (size_t i = 0; i < 3; i++) {
		v = w->site_urls[i].data ? w->site_urls[i].data : "";
		n = w->site_urls[i].len;
		trim(&v, &n);
		bool seen = n == 0;
		for (size_t k = 0; k < json_array_size(urls) && !seen; k++)
			seen = json_string_length(json_array_get(urls, k)) == n &&
			       memcmp(json_string_value(json_array_get(urls, k)), v, n) == 0;
		if (!seen)
			json_array_append_new(urls, json_stringn(v, n));
	}
	json_object_set_new(s, "site_urls", urls);

	int rc = w->sink->settings ? w->sink->settings(w->sink->ctx, s, w->err) : 0;
	json_decref(s);
	if (rc < 0 && w->err->file[0] == '\0')
		diag_set_file(w->err, w->path);
	return rc;
}

/* ---- the first reading: what posts need from elsewhere ---- */

static void learn_zone(struct wxr *w, const struct item *it)
{
	int64_t local, gmt;
	unsigned month, m2;
	size_t ln, gn;
	const char *l = field(it, F_DATE, &ln), *g = field(it, F_DATE_GMT, &gn);

	if (!mysql_time(l, ln, &local, &month) || !mysql_time(g, gn, &gmt, &m2))
		return;
	int64_t off = local - gmt;
	if (off % ZONE_STEP != 0 || off < -14 * (int64_t)3600 || off > 14 * (int64_t)3600)
		return;
	unsigned slot = (unsigned)(off / ZONE_STEP + ZONE_MID);
	w->zone[0][slot]++;
	w->zone[month][slot]++;
}

/* The most common offset in a histogram; false when it is empty. */
static bool zone_mode(const unsigned *h, int *off)
{
	unsigned best = 0;
	for (unsigned k = 0; k < ZONE_SLOTS; k++) {
		if (h[k] > best) {
			best = h[k];
			*off = ((int)k - ZONE_MID) * ZONE_STEP;
		}
	}
	return best > 0;
}

static int item_end_pass1(struct wxr *w)
{
	struct item *it = &w->it;
	size_t n;
	const char *s;

	if (!it->seen[F_TYPE])
		return fail(w, it->line,
		            "this <item> has no <wp:post_type>: a WordPress export says of each "
		            "item whether it is a post, a page or an attachment");
	learn_zone(w, it);
	s = field(it, F_CREATOR, &n);
	if (n > 0) {
		char *login = xstrndup(s, n);
		size_t pos;
		if (find_author(w, login, &pos) == NULL)
			add_author(w, s, n, NULL, 0);
		free(login);
	}
	if (field_is(it, F_TYPE, "attachment")) {
		long long id = parse_id(it->v[F_ID].data, it->v[F_ID].len);
		s = field(it, F_ATTACHMENT_URL, &n);
		if (id > 0 && n > 0) {
			if (w->natts == w->atts_cap) {
				w->atts_cap = w->atts_cap ? w->atts_cap * 2 : 64;
				w->atts = xrealloc(w->atts, w->atts_cap * sizeof *w->atts);
			}
			w->atts[w->natts++] = (struct attachment){id, w->arena.len, n};
			buf_append(&w->arena, s, n);
		}
	}
	return 0;
}

static void meta_end_pass1(struct wxr *w)
{
	struct item *it = &w->it;
	const char *k = it->key.data ? it->key.data : "";
	size_t kn = it->key.len;

	trim(&k, &kn);
	if (kn != 13 || memcmp(k, "_thumbnail_id", 13) != 0)
		return;
	long long id = parse_id(it->value.data, it->value.len);
	if (id == 0)
		return;
	if (w->nthumbs == w->thumbs_cap) {
		w->thumbs_cap = w->thumbs_cap ? w->thumbs_cap * 2 : 64;
		w->thumbs = xrealloc(w->thumbs, w->thumbs_cap * sizeof *w->thumbs);
	}
	w->thumbs[w->nthumbs++] = id;
}

/* Keeps only the attachments some post names, sorted by id for bsearch(). */
static void keep_used_attachments(struct wxr *w)
{
	struct buf arena = BUF_INIT;
	size_t kept = 0;

	if (w->nthumbs > 0)
		qsort(w->thumbs, w->nthumbs, sizeof *w->thumbs, cmp_ll);
	for (size_t i = 0; i < w->natts; i++) {
		struct attachment a = w->atts[i];
		if (w->nthumbs == 0 ||
		    !bsearch(&a.id, w->thumbs, w->nthumbs, sizeof *w->thumbs, cmp_ll))
			continue;
		size_t off = arena.len;
		buf_append(&arena, w->arena.data + a.off, a.len);
		w->atts[kept++] = (struct attachment){a.id, off, a.len};
	}
	w->natts = kept;
	if (kept > 0)
		qsort(w->atts, w->natts, sizeof *w->atts, cmp_att);
	buf_free(&w->arena);
	w->arena = arena;
	free(w->thumbs);
	w->thumbs = NULL;
	w->nthumbs = w->thumbs_cap = 0;
}

/* ---- the second reading: documents ---- */

static void set_str(json_t *meta, json_t *lines, const char *key, const char *s, size_t n,
                    unsigned line)
{
	json_object_set_new(meta, key, json_stringn(s, n));
	json_object_set_new(lines, key, json_integer(line));
}

/*
 * An item's time from its UTC field, or else from its local one less the
 * site's offset (counted in the stats).  False when it has neither.
 */
static bool item_time(struct wxr *w, enum field gmt, enum field local, int64_t *t, unsigned *line)
{
	const struct item *it = &w->it;
	size_t n;
	const char *s = field(it, gmt, &n);
	unsigned month;
	int off = 0;

	if (mysql_time(s, n, t, &month)) {
		*line = it->vline[gmt];
		return true;
	}
	s = field(it, local, &n);
	if (!mysql_time(s, n, t, &month))
		return false;
	if (!zone_mode(w->zone[month], &off) && !zone_mode(w->zone[0], &off))
		off = 0;
	*t -= off;
	*line = it->vline[local];
	if (gmt == F_DATE_GMT) {
		w->st->local_dates++;
		unsigned k = 0;
		while (k < w->nzone_used && w->zone_used[k] != off)
			k++;
		if (k == w->nzone_used && k < ZONE_USED_MAX)
			w->zone_used[w->nzone_used++] = off;
	}
	return true;
}

/* The path (and query) of a URL, without its fragment; false for none or "/". */
static bool url_path(const char *s, size_t n, const char **p, size_t *pn)
{
	trim(&s, &n);
	const char *scheme = n > 3 ? strstr(s, "://") : NULL;
	if (scheme != NULL && (size_t)(scheme - s) < n) {
		const char *host = scheme + 3, *end = s + n;
		const char *slash = memchr(host, '/', (size_t)(end - host));
		if (slash == NULL)
			return false;
		n = (size_t)(end - slash);
		s = slash;
	} else if (n == 0 || s[0] != '/') {
		return false;
	}
	const char *hash = memchr(s, '#', n);
	if (hash != NULL)
		n = (size_t)(hash - s);
	if (n <= 1)
		return false;
	*p = s;
	*pn = n;
	return true;
}

static void add_aliases(struct wxr *w, json_t *meta, json_t *lines)
{
	const struct item *it = &w->it;
	json_t *aliases = json_array();
	const char *path, *id;
	size_t n, idn;

	if (url_path(it->v[F_LINK].data ? it->v[F_LINK].data : "", it->v[F_LINK].len, &path, &n))
		json_array_append_new(aliases, json_stringn(path, n));
	id = field(it, F_ID, &idn);
	if (parse_id(id, idn) > 0) {
		char query[40];
		int k = snprintf(query, sizeof query, "/?p=%.*s", (int)idn, id);
		if (k > 0 && (size_t)k < sizeof query &&
		    !(json_array_size(aliases) == 1 &&
		      strcmp(json_string_value(json_array_get(aliases, 0)), query) == 0))
			json_array_append_new(aliases, json_string(query));
	}
	if (json_array_size(aliases) > 0) {
		json_object_set_new(meta, "aliases", aliases);
		json_object_set_new(lines, "aliases",
		                    json_integer(it->seen[F_LINK] ? it->vline[F_LINK] : it->line));
	} else {
		json_decref(aliases);
	}
}

static void add_terms(struct item *it, json_t *meta, json_t *lines)
{
	json_t *tags = json_array();
	bool domains = json_array_size(it->cats) + json_array_size(it->tags) > 0;

	json_array_extend(tags, domains ? it->cats : it->plain);
	if (domains)
		json_array_extend(tags, it->tags);
	if (json_array_size(tags) > 0) {
		json_object_set_new(meta, "tags", tags);
		json_object_set_new(lines, "tags", json_integer(it->terms_line));
	} else {
		json_decref(tags);
	}
}

static void add_image(struct wxr *w, json_t *meta, json_t *lines)
{
	const struct item *it = &w->it;
	long long id = parse_id(it->thumb.data, it->thumb.len);

	if (id == 0)
		return;
	struct attachment *a =
	    w->natts ? bsearch(&id, w->atts, w->natts, sizeof *w->atts, cmp_att) : NULL;
	if (a == NULL) {
		w->st->missing_images++;
		return;
	}
	set_str(meta, lines, "image", w->arena.data + a->off, a->len, it->thumb_line);
	w->st->images++;
}

/*
 * send_doc()'s parts: each sets its fields of the current item in meta,
 * with the line each came from in lines.
 */

/* The title, as text (WordPress stores it as HTML); "Untitled" when empty. */
static void doc_title(struct wxr *w, json_t *meta, json_t *lines)
{
	const struct item *it = &w->it;
	buf_reset(&w->text);
	wp_html_text(it->v[F_TITLE].data ? it->v[F_TITLE].data : "", it->v[F_TITLE].len, &w->text);
	if (w->text.len == 0) {
		buf_puts(&w->text, "Untitled");
		w->st->untitled++;
	}
	set_str(meta, lines, "title", w->text.data, w->text.len,
	        it->seen[F_TITLE] ? it->vline[F_TITLE] : it->line);
}

/* The slug, percent-decoded, if it is one gazette takes (else counted in bad_slugs). */
static void doc_slug(struct wxr *w, json_t *meta, json_t *lines)
{
	size_t n;
	const char *s = field(&w->it, F_NAME, &n);
	if (n == 0)
		return;
	buf_reset(&w->scratch);
	pct_decode(s, n, &w->scratch);
	if (slug_is_valid(w->scratch.data, w->scratch.len))
		set_str(meta, lines, "slug", w->scratch.data, w->scratch.len, w->it.vline[F_NAME]);
	else
		w->st->bad_slugs++;
}

/* date, and lastmod when it is later. */
static void doc_dates(struct wxr *w, json_t *meta, json_t *lines)
{
	int64_t date = 0, mod;
	unsigned line, mline;
	char text[40];
	bool has_date = item_time(w, F_DATE_GMT, F_DATE, &date, &line);
	if (has_date) {
		date_format_rfc3339(date, text);
		set_str(meta, lines, "date", text, strlen(text), line);
	}
	if (item_time(w, F_MODIFIED_GMT, F_MODIFIED, &mod, &mline) && has_date && mod > date) {
		date_format_rfc3339(mod, text);
		set_str(meta, lines, "lastmod", text, strlen(text), mline);
	}
}

/* draft: only publish and future are public (future at its date); a password makes a draft. */
static void doc_status(struct wxr *w, json_t *meta, json_t *lines)
{
	const struct item *it = &w->it;
	size_t n;
	bool draft = !field_is(it, F_STATUS, "publish") && !field_is(it, F_STATUS, "future");
	if (field_is(it, F_STATUS, "future"))
		w->st->scheduled++;
	field(it, F_PASSWORD, &n);
	if (n > 0) {
		w->st->protected ++;
		draft = true;
	}
	if (draft) {
		set_str(meta, lines, "draft", "true", 4,
		        it->seen[F_STATUS] ? it->vline[F_STATUS] : it->line);
		w->st->drafts++;
	}
}

/* A page's type, and its menu order as weight when it is a whole number. */
static void doc_page(struct wxr *w, json_t *meta, json_t *lines)
{
	const struct item *it = &w->it;
	size_t n;
	set_str(meta, lines, "type", "page", 4, it->seen[F_TYPE] ? it->vline[F_TYPE] : it->line);
	const char *s = field(it, F_ORDER, &n);
	long long order;
	bool neg = n > 1 && s[0] == '-';
	if (parse_uint_range(s + neg, n - neg, 1, 1000000000, &order) == 0) {
		char text[40];
		snprintf(text, sizeof text, "%s%lld", neg ? "-" : "", order);
		set_str(meta, lines, "weight", text, strlen(text), it->vline[F_ORDER]);
	}
}

/* authors: the display name of the login (the login itself when it is no known author). */
static void doc_author(struct wxr *w, json_t *meta, json_t *lines)
{
	size_t n;
	const char *s = field(&w->it, F_CREATOR, &n);
	if (n == 0)
		return;
	char *login = xstrndup(s, n);
	size_t pos;
	struct author *a = find_author(w, login, &pos);
	json_object_set_new(meta, "authors", json_pack("[s]", a ? a->name : login));
	json_object_set_new(lines, "authors", json_integer(w->it.vline[F_CREATOR]));
	free(login);
}

/* Kept for the record: sticky, wp_id, wp_parent, wp_meta (which moves out of the item). */
static void doc_record(struct wxr *w, json_t *meta, json_t *lines)
{
	struct item *it = &w->it;
	size_t n;
	if (field_is(it, F_STICKY, "1"))
		set_str(meta, lines, "sticky", "true", 4, it->vline[F_STICKY]);
	add_aliases(w, meta, lines);
	const char *s = field(it, F_ID, &n);
	if (n > 0)
		set_str(meta, lines, "wp_id", s, n, it->vline[F_ID]);
	s = field(it, F_PARENT, &n);
	if (parse_id(s, n) > 0)
		set_str(meta, lines, "wp_parent", s, n, it->vline[F_PARENT]);
	if (json_object_size(it->meta) > 0) {
		/* the document's own: the item's is cleared for the next one */
		json_object_set_new(meta, "wp_meta", it->meta);
		json_object_set_new(lines, "wp_meta", json_integer(it->meta_line));
		it->meta = json_object();
	}
}

/* Builds the front matter of a post or page and hands it to the sink. */
static int send_doc(struct wxr *w, bool page)
{
	struct item *it = &w->it;
	struct wxr_stats *st = w->st;
	json_t *meta = json_object(), *lines = json_object();

	doc_title(w, meta, lines);
	doc_slug(w, meta, lines);
	doc_dates(w, meta, lines);
	doc_status(w, meta, lines);
	if (page)
		doc_page(w, meta, lines);
	doc_author(w, meta, lines);
	add_terms(it, meta, lines);
	buf_reset(&w->text);
	wp_html_text(it->v[F_EXCERPT].data ? it->v[F_EXCERPT].data : "", it->v[F_EXCERPT].len,
	             &w->text);
	if (w->text.len > 0)
		set_str(meta, lines, "summary", w->text.data, w->text.len, it->vline[F_EXCERPT]);
	add_image(w, meta, lines);
	doc_record(w, meta, lines);
	set_str(meta, lines, "format", "html", 4, it->line);

	/* the body */
	buf_reset(&w->body);
	wp_content_html(it->v[F_CONTENT].data ? it->v[F_CONTENT].data : "", it->v[F_CONTENT].len,
	                &w->body, &st->shortcodes);

	struct fm_doc doc = {
	    .meta = meta,
	    .lines = lines,
	    .body = w->body.data ? w->body.data : "",
	    .body_len = w->body.len,
	    .body_line = it->seen[F_CONTENT] ? it->vline[F_CONTENT] : it->line,
	};
	char where[32];
	snprintf(where, sizeof where, "line %u", it->line);
	if (page)
		st->pages++;
	else
		st->posts++;
	int rc = w->sink->doc(w->sink->ctx, &doc, where, w->err);
	json_decref(meta);
	json_decref(lines);
	if (rc < 0) {
		if (w->err->file[0] == '\0')
			diag_set_file(w->err, w->path);
		if (w->err->line == 0)
			w->err->line = it->line;
		if (w->err->msg[0] == '\0')
			snprintf(w->err->msg, sizeof w->err->msg, "the import stopped here");
		return -1;
	}
	return 0;
}

static int item_end_pass2(struct wxr *w)
{
	struct item *it = &w->it;
	size_t n;
	const char *type = field(it, F_TYPE, &n);
	bool post = field_is(it, F_TYPE, "post"), page = field_is(it, F_TYPE, "page");

	if (!post && !page) {
		wp_counts_add(&w->st->skipped, type, n, 1);
		return 0;
	}
	if (field_is(it, F_STATUS, "trash")) {
		w->st->trashed++;
		return 0;
	}
	return send_doc(w, page);
}

static void meta_end_pass2(struct wxr *w)
{
	struct item *it = &w->it;
	const char *k = it->key.data ? it->key.data : "";
	size_t kn = it->key.len;

	trim(&k, &kn);
	if (kn == 13 && memcmp(k, "_thumbnail_id", 13) == 0) {
		buf_reset(&it->thumb);
		buf_append(&it->thumb, it->value.data ? it->value.data : "", it->value.len);
		it->thumb_line = it->pm_line;
		return;
	}
	if (kn == 0 || k[0] == '_')
		return; /* WordPress's own (_edit_lock, _wp_page_template, ...) */
	char *key = xstrndup(k, kn);
	if (json_object_get(it->meta, key) == NULL) {
		if (json_object_size(it->meta) == 0)
			it->meta_line = it->pm_line;
		json_object_set_new(
		    it->meta, key,
		    json_stringn(it->value.data ? it->value.data : "", it->value.len));
	}
	free(key);
}

static void category_end(struct wxr *w)
{
	struct item *it = &w->it;
	const char *d = it->domain.data ? it->domain.data : "";
	const char *nice = it->nicename.data ? it->nicename.data : "";
	json_t *to;

	if (strcmp(d, "category") == 0)
		to = it->cats;
	else if (strcmp(d, "post_tag") == 0 || strcmp(d, "tag") == 0)
		to = it->tags;
	else if (d[0] == '\0')
		to = it->plain;
	else
		return; /* post formats, custom taxonomies */

	buf_reset(&w->text);
	wp_html_text(it->term.data ? it->term.data : "", it->term.len, &w->text);
	if (w->text.len == 0)
		return;
	/* WordPress's default category: on every post nobody filed. */
	if (to != it->tags &&
	    (strcmp(nice, "uncategorized") == 0 || strcmp(w->text.data, "Uncategorized") == 0))
		return;
	size_t i;
	json_t *v;
	json_array_foreach(to, i, v)
	{
		if (strcmp(json_string_value(v), w->text.data) == 0)
			return; /* WXR 1.0 names a tag twice: with its nicename and without */
	}
	if (json_array_size(it->cats) + json_array_size(it->tags) + json_array_size(it->plain) == 0)
		it->terms_line = node_line(w->r);
	json_array_append_new(to, json_stringn(w->text.data, w->text.len));
}

/* ---- the reading ---- */

static void item_begin(struct wxr *w, unsigned line)
{
	struct item *it = &w->it;

	it->line = line;
	for (int f = 0; f < F__COUNT; f++) {
		buf_reset(&it->v[f]);
		it->seen[f] = false;
		it->vline[f] = 0;
	}
	json_array_clear(it->cats);
	json_array_clear(it->tags);
	json_array_clear(it->plain);
	json_object_clear(it->meta);
	buf_reset(&it->thumb);
	it->terms_line = it->meta_line = it->thumb_line = it->pm_line = line;
}

/* Copies an attribute of the current element into out ("" when it has none). */
static void get_attr(xmlTextReaderPtr r, const char *name, struct buf *out)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	buf_reset(out);
	buf_puts(out, v ? (const char *)v : "");
	xmlFree(v);
}

/* The rss element: it must declare WordPress's namespace. */
static int root_start(struct wxr *w, const char *local, enum ns ns, unsigned line)
{
	char version[8] = "";
	bool wp = false;

	w->seen_root = true;
	if (strcmp(local, "rss") != 0 || ns != NS_NONE) {
		diag_set(w->err, line,
		         "not a WordPress export: the document is <%s>, and an export is <rss>",
		         (const char *)xmlTextReaderConstName(w->r));
		return -1;
	}
	while (xmlTextReaderMoveToNextAttribute(w->r) == 1) {
		const xmlChar *v = xmlTextReaderConstValue(w->r);
		if (xmlTextReaderIsNamespaceDecl(w->r) == 1 && v != NULL &&
		    wp_uri((const char *)v, version, sizeof version) == NS_WP)
			wp = true;
	}
	xmlTextReaderMoveToElement(w->r);
	if (!wp)
		return fail(
		    w, line,
		    "an RSS feed, not a WordPress export: <rss> does not declare WordPress's "
		    "namespace (xmlns:wp=\"http://wordpress.org/export/1.2/\")");
	snprintf(w->st->version, sizeof w->st->version, "%s", version);
	w->state = S_RSS;
	return 0;
}

static void start_field(struct wxr *w, struct buf *b, int depth)
{
	buf_reset(b);
	w->cur = b;
	w->cur_depth = depth;
}

static int end_element(struct wxr *w, int depth);

/*
 * The elements start_element() reads in each state: each returns true
 * when it reads the element (its text or its children), false when the
 * element's subtree is to be passed over.
 */

/* The site's fields in <channel> (the first reading only): its buffer, or NULL for another element.
 */
static struct buf *channel_field(struct wxr *w, const char *local, enum ns ns)
{
	const struct {
		enum ns ns;
		const char *name;
		struct buf *b;
	} fs[] = {
	    {NS_NONE, "title", &w->title},
	    {NS_NONE, "description", &w->description},
	    {NS_NONE, "language", &w->language},
	    {NS_NONE, "link", &w->site_urls[0]},
	    {NS_WP, "base_site_url", &w->site_urls[1]},
	    {NS_WP, "base_blog_url", &w->site_urls[2]},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(fs); i++)
		if (fs[i].ns == ns && strcmp(fs[i].name, local) == 0)
			return fs[i].b;
	return NULL;
}

/* In <channel>: an <item>; in the first reading also the site's fields and <wp:author>. */
static bool channel_start(struct wxr *w, const char *local, enum ns ns, int depth)
{
	if (ns == NS_NONE && strcmp(local, "item") == 0) {
		item_begin(w, node_line(w->r));
		w->state = S_ITEM;
		return true;
	}
	if (w->pass == 2)
		return false;
	struct buf *b = channel_field(w, local, ns);
	if (b != NULL) {
		start_field(w, b, depth);
		return true;
	}
	if (ns == NS_WP && strcmp(local, "author") == 0) {
		buf_reset(&w->login);
		buf_reset(&w->display);
		w->state = S_AUTHOR;
		return true;
	}
	return false;
}

/* In <wp:author>: the login and the display name. */
static bool author_start(struct wxr *w, const char *local, enum ns ns, int depth)
{
	if (ns == NS_WP && strcmp(local, "author_login") == 0)
		start_field(w, &w->login, depth);
	else if (ns == NS_WP && strcmp(local, "author_display_name") == 0)
		start_field(w, &w->display, depth);
	else
		return false;
	return true;
}

/*
 * In <item>: the fields of fields[] (in the first reading those marked
 * pass1), <wp:postmeta>, and in the second reading <category>; comments
 * are counted, never read.
 */
static bool item_start(struct wxr *w, const char *local, enum ns ns, int depth)
{
	struct item *it = &w->it;
	for (int f = 0; f < F__COUNT; f++) {
		if (fields[f].ns != ns || strcmp(fields[f].name, local) != 0)
			continue;
		if (w->pass == 1 && !fields[f].pass1)
			break;
		it->seen[f] = true;
		it->vline[f] = node_line(w->r);
		start_field(w, &it->v[f], depth);
		return true;
	}
	if (ns == NS_WP && strcmp(local, "postmeta") == 0) {
		buf_reset(&it->key);
		buf_reset(&it->value);
		it->pm_line = node_line(w->r);
		w->state = S_META;
		return true;
	}
	if (ns == NS_NONE && strcmp(local, "category") == 0 && w->pass == 2) {
		get_attr(w->r, "domain", &it->domain);
		get_attr(w->r, "nicename", &it->nicename);
		start_field(w, &it->term, depth);
		w->state = S_CATEGORY;
		return true;
	}
	if (ns == NS_WP && strcmp(local, "comment") == 0 && w->pass == 2)
		w->st->comments++;
	return false;
}

/* In <wp:postmeta>: its key and value. */
static bool meta_start(struct wxr *w, const char *local, enum ns ns, int depth)
{
	if (ns == NS_WP && strcmp(local, "meta_key") == 0)
		start_field(w, &w->it.key, depth);
	else if (ns == NS_WP && strcmp(local, "meta_value") == 0)
		start_field(w, &w->it.value, depth);
	else
		return false;
	return true;
}

/* An element starts; *skip asks for its subtree to be passed over. */
static int start_element(struct wxr *w, bool *skip)
{
	xmlTextReaderPtr r = w->r;
	const char *local = (const char *)xmlTextReaderConstLocalName(r);
	enum ns ns = ns_of(xmlTextReaderConstNamespaceUri(r));
	int depth = xmlTextReaderDepth(r);
	bool read = false;

	switch (w->state) {
	case S_START:
		if (root_start(w, local, ns, node_line(r)) < 0)
			return -1;
		read = true;
		break;
	case S_RSS:
		read = ns == NS_NONE && strcmp(local, "channel") == 0;
		if (read)
			w->state = S_CHANNEL;
		break;
	case S_CHANNEL: read = channel_start(w, local, ns, depth); break;
	case S_AUTHOR: read = author_start(w, local, ns, depth); break;
	case S_ITEM: read = item_start(w, local, ns, depth); break;
	case S_META: read = meta_start(w, local, ns, depth); break;
	case S_CATEGORY:
	case S_DONE: break;
	}
	*skip = !read;
	if (read && xmlTextReaderIsEmptyElement(r) == 1) {
		*skip = true; /* nothing inside; its end comes now */
		return end_element(w, depth);
	}
	return 0;
}

/* </wp:author>: the author is known by login from here on. */
static void author_end(struct wxr *w)
{
	const char *l = w->login.data ? w->login.data : "";
	size_t n = w->login.len;
	trim(&l, &n);
	add_author(w, l, n, w->display.data ? w->display.data : "", w->display.len);
	w->state = S_CHANNEL;
}

/* </wp:postmeta>, as each reading takes it. */
static void meta_end(struct wxr *w)
{
	if (w->pass == 1)
		meta_end_pass1(w);
	else
		meta_end_pass2(w);
}

static int end_element(struct wxr *w, int depth)
{
	if (w->cur != NULL && depth == w->cur_depth)
		w->cur = NULL;
	switch (w->state) {
	case S_AUTHOR:
		if (depth == 2)
			author_end(w);
		break;
	case S_META:
		if (depth == 3) {
			meta_end(w);
			w->state = S_ITEM;
		}
		break;
	case S_CATEGORY:
		if (depth == 3) {
			category_end(w);
			w->state = S_ITEM;
		}
		break;
	case S_ITEM:
		if (depth == 2) {
			w->state = S_CHANNEL;
			return w->pass == 1 ? item_end_pass1(w) : item_end_pass2(w);
		}
		break;
	case S_CHANNEL:
		if (depth == 1)
			w->state = S_RSS;
		break;
	case S_RSS:
		if (depth == 0)
			w->state = S_DONE;
		break;
	case S_START:
	case S_DONE: break;
	}
	return 0;
}

/*
 * Is there an </rss> near the end of the file?  libxml2's push parser
 * says "Extra content at the end of the document" both of a file cut short
 * and of one with something after its </rss>: only the second has one.
 */
static bool has_rss_end(int fd)
{
	enum { TAIL = 65536 };
	struct stat sb;
	bool found = false;

	if (fstat(fd, &sb) < 0)
		return false;
	char *tail = xmalloc(TAIL);
	off_t from = sb.st_size > TAIL ? sb.st_size - TAIL : 0;
	ssize_t n = pread(fd, tail, TAIL, from);
	if (n > 0)
		found = find(tail, (size_t)n, "</rss>", 6) != NULL;
	free(tail);
	return found;
}

/* The message for a file that ends before its elements do, stopped at line. */
static void cut_short(struct wxr *w, unsigned line)
{
	switch (w->state) {
	case S_ITEM:
	case S_META:
	case S_CATEGORY:
		diag_set(w->err, line,
		         "damaged XML: the file ends inside the <item> of line %u (was it cut "
		         "short?)",
		         w->it.line);
		break;
	case S_AUTHOR:
		diag_set(w->err, line, "damaged XML: the file ends inside a <wp:author>");
		break;
	default:
		diag_set(w->err, line,
		         "damaged XML: the file ends before </%s> (was it cut short?)",
		         w->state == S_CHANNEL ? "channel" : "rss");
		break;
	}
}

/* The node the reader is on, read as its type says: 0, or -1 with w->err set. */
static int read_node(struct wxr *w, bool *skip)
{
	switch (xmlTextReaderNodeType(w->r)) {
	case XML_READER_TYPE_ELEMENT: return start_element(w, skip);
	case XML_READER_TYPE_END_ELEMENT: return end_element(w, xmlTextReaderDepth(w->r));
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		if (w->cur != NULL) {
			const xmlChar *v = xmlTextReaderConstValue(w->r);
			if (v != NULL)
				buf_puts(w->cur, (const char *)v);
		}
		return 0;
	case XML_READER_TYPE_DOCUMENT_TYPE:
		/* check_prolog() did not see it; a DTD node has no line of its own. */
		return fail(w, (unsigned)xmlTextReaderGetParserLineNumber(w->r), msg_doctype);
	case XML_READER_TYPE_ENTITY_REFERENCE:
		diag_set(w->err, node_line(w->r), "entity &%s; is not read in an export",
		         (const char *)xmlTextReaderConstName(w->r));
		return -1;
	default: return 0;
	}
}

/*
 * The message for a reading libxml2 stopped: not XML at all, a file cut
 * short (has_rss_end() tells it from one with something after </rss>), or
 * damaged XML, at the line of libxml2's first error.
 */
static void read_failed(struct wxr *w, int fd)
{
	unsigned line = w->xerr.line;
	if (line == 0)
		line = (unsigned)xmlTextReaderGetParserLineNumber(w->r);
	if (!w->xerr.set)
		diag_set(w->err, line, "cannot read the XML");
	else if (!w->looks_xml)
		diag_set(w->err, line, "not XML (a WordPress export is an XML file): %s",
		         w->xerr.msg);
	else if (strstr(w->xerr.msg, "Extra content at the end") && !has_rss_end(fd))
		cut_short(w, line);
	else
		diag_set(w->err, line, "damaged XML: %s", w->xerr.msg);
}

/* One reading of the whole file from fd. */
static int read_pass(struct wxr *w, int fd, int pass)
{
	int rc = -1, more;
	bool skip = false;

	if (lseek(fd, 0, SEEK_SET) < 0) {
		diag_set(w->err, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	w->pass = pass;
	w->state = S_START;
	w->seen_root = false;
	w->cur = NULL;
	memset(&w->xerr, 0, sizeof w->xerr);
	/*
	 * No XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_DTDATTR: no entity
	 * is expanded and no DTD read; XML_PARSE_NONET: nothing fetched.  Lines
	 * past 65535 are kept (XML_PARSE_BIG_LINES) for the messages.
	 */
	w->r = xmlReaderForFd(fd, NULL, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (w->r == NULL) {
		diag_set(w->err, 0, "cannot read: out of memory");
		return -1;
	}
	xmlTextReaderSetErrorHandler(w->r, on_xml_error, &w->xerr);

	while ((more = skip ? xmlTextReaderNext(w->r) : xmlTextReaderRead(w->r)) == 1) {
		skip = false;
		if (read_node(w, &skip) < 0)
			goto out;
	}
	if (more < 0) {
		read_failed(w, fd);
		goto out;
	}
	if (!w->seen_root) {
		fail(w, 1, "not a WordPress export: the file has no XML element");
		goto out;
	}
	rc = 0;
out:
	xmlFreeTextReader(w->r);
	w->r = NULL;
	return rc;
}

/* ---- notices ---- */

static int cmp_count(const void *a, const void *b)
{
	const struct wp_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* "12 attachments, 3 nav_menu_items" or "3 [gallery], 1 [contact-form-7]", most first. */
static void format_counts(const struct wp_counts *c, bool shortcodes, struct buf *out)
{
	struct wp_counts sorted = *c;

	qsort(sorted.items, sorted.len, sizeof sorted.items[0], cmp_count);
	for (unsigned i = 0; i < sorted.len; i++) {
		unsigned n = sorted.items[i].n;
		if (shortcodes)
			buf_printf(out, "%s%u [%s]", i ? ", " : "", n, sorted.items[i].name);
		else
			buf_printf(out, "%s%u %s%s", i ? ", " : "", n, sorted.items[i].name,
			           n == 1 ? "" : "s");
	}
	if (sorted.others > 0)
		buf_printf(out, ", %u of other %s", sorted.others,
		           shortcodes ? "shortcodes" : "types");
}

static void notice(struct wxr *w, struct buf *b)
{
	if (w->sink->notice != NULL && b->len > 0)
		w->sink->notice(w->sink->ctx, b->data);
	buf_reset(b);
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void send_notices(struct wxr *w)
{
	const struct wxr_stats *st = w->st;
	struct buf b = BUF_INIT;

	if (st->skipped.len > 0) {
		buf_puts(&b, "skipped: ");
		format_counts(&st->skipped, false, &b);
		notice(w, &b);
	}
	if (st->trashed > 0) {
		buf_printf(&b, "skipped: %u %s in the trash", st->trashed,
		           plural(st->trashed, "post", "posts"));
		notice(w, &b);
	}
	if (st->comments > 0) {
		buf_printf(&b, "left out: %u %s (gazette has none)", st->comments,
		           plural(st->comments, "comment", "comments"));
		notice(w, &b);
	}
	if (st->shortcodes.len > 0) {
		buf_puts(&b, "kept as text: ");
		format_counts(&st->shortcodes, true, &b);
		notice(w, &b);
	}
	if (st->local_dates > 0 && st->zone_samples > 0) {
		buf_printf(&b, "dates: %u %s no UTC time (drafts): read in the site's time zone, ",
		           st->local_dates, plural(st->local_dates, "post has", "posts have"));
		for (unsigned k = 0; k < w->nzone_used; k++) {
			char off[16];
			format_offset(w->zone_used[k], off);
			buf_printf(&b, "%s%s",
			           k == 0                   ? ""
			           : k + 1 == w->nzone_used ? " or "
			                                    : ", ",
			           off);
		}
		if (w->nzone_used > 1)
			buf_puts(&b, " by the month");
		buf_printf(&b, ", learned from the %u %s both", st->zone_samples,
		           plural(st->zone_samples, "item that has", "items that have"));
		notice(w, &b);
	} else if (st->local_dates > 0) {
		buf_printf(&b,
		           "dates: %u %s no UTC time (drafts): read as UTC, as no item in the "
		           "export has both times to learn the site's time zone from",
		           st->local_dates, plural(st->local_dates, "post has", "posts have"));
		notice(w, &b);
	}
	if (st->protected > 0) {
		buf_printf(&b, "drafts: %u password-protected %s (gazette has no passwords)",
		           st->protected, plural(st->protected, "post", "posts"));
		notice(w, &b);
	}
	if (st->missing_images > 0) {
		buf_printf(&b,
		           "left out: %u featured %s: _thumbnail_id names no attachment of the "
		           "export",
		           st->missing_images, plural(st->missing_images, "image", "images"));
		notice(w, &b);
	}
	if (st->untitled > 0) {
		buf_printf(&b, "titles: %u %s no title, now \"Untitled\"", st->untitled,
		           plural(st->untitled, "post had", "posts had"));
		notice(w, &b);
	}
	if (st->bad_slugs > 0) {
		buf_printf(&b,
		           "slugs: %u wp:post_name %s not be used in a URL; gazette makes %s "
		           "from the title",
		           st->bad_slugs, plural(st->bad_slugs, "can", "cannot"),
		           plural(st->bad_slugs, "it", "them"));
		notice(w, &b);
	}
	buf_free(&b);
}

/* ---- the entry points ---- */

static void wxr_free(struct wxr *w)
{
	struct item *it = &w->it;

	for (int f = 0; f < F__COUNT; f++)
		buf_free(&it->v[f]);
	buf_free(&it->term);
	buf_free(&it->domain);
	buf_free(&it->nicename);
	buf_free(&it->key);
	buf_free(&it->value);
	buf_free(&it->thumb);
	json_decref(it->cats);
	json_decref(it->tags);
	json_decref(it->plain);
	json_decref(it->meta);
	buf_free(&w->title);
	buf_free(&w->description);
	buf_free(&w->language);
	for (size_t i = 0; i < 3; i++)
		buf_free(&w->site_urls[i]);
	buf_free(&w->login);
	buf_free(&w->display);
	for (size_t i = 0; i < w->nauthors; i++) {
		free(w->authors[i].login);
		free(w->authors[i].name);
	}
	free(w->authors);
	free(w->atts);
	buf_free(&w->arena);
	free(w->thumbs);
	buf_free(&w->body);
	buf_free(&w->text);
	buf_free(&w->scratch);
}

int wxr_read(const char *path, const struct import_sink *sink, struct wxr_stats *stats,
             struct diag *err)
{
	struct wxr_stats own;
	struct wxr *w = xcalloc(1, sizeof *w);
	struct stat sb;
	int rc = -1;

	if (stats == NULL)
		stats = &own;
	memset(stats, 0, sizeof *stats);
	w->path = path;
	w->sink = sink;
	w->st = stats;
	w->err = err;
	w->it.cats = json_array();
	w->it.tags = json_array();
	w->it.plain = json_array();
	w->it.meta = json_object();

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_set(err, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		diag_set(err, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		diag_set(err, 0, "a folder, not a WordPress export");
		goto out;
	}

	if (check_prolog(fd, &w->looks_xml, err) < 0 || read_pass(w, fd, 1) < 0)
		goto out;
	keep_used_attachments(w);
	int off;
	for (unsigned k = 0; k < ZONE_SLOTS; k++)
		stats->zone_samples += w->zone[0][k];
	if (zone_mode(w->zone[0], &off))
		stats->zone_offset = off;
	if (send_settings(w) < 0)
		goto out;
	if (read_pass(w, fd, 2) < 0)
		goto out;
	send_notices(w);
	rc = 0;
out:
	if (rc < 0 && err->file[0] == '\0')
		diag_set_file(err, path);
	if (fd >= 0)
		close(fd);
	wxr_free(w);
	free(w);
	return rc;
}

bool wxr_sniff(const char *head, size_t len)
{
	static const char *const ns[] = {
	    "\"http://wordpress.org/export/", "'http://wordpress.org/export/",
	    "\"https://wordpress.org/export/", "'https://wordpress.org/export/"};
	const char *end = head + len, *rss = NULL;

	for (const char *p = head; p + 5 <= end; p++) {
		p = memchr(p, '<', (size_t)(end - p));
		if (p == NULL || p + 5 > end)
			return false;
		if (memcmp(p, "<rss", 4) == 0 &&
		    (p[4] == ' ' || p[4] == '\t' || p[4] == '\n' || p[4] == '\r' || p[4] == '>')) {
			rss = p;
			break;
		}
	}
	if (rss == NULL)
		return false;
	const char *gt = memchr(rss, '>', (size_t)(end - rss));
	size_t n = (size_t)((gt ? gt : end) - rss);
	for (size_t i = 0; i < GZ_ARRAY_LEN(ns); i++) {
		size_t k = strlen(ns[i]);
		for (size_t j = 0; j + k <= n; j++)
			if (memcmp(rss + j, ns[i], k) == 0)
				return true;
	}
	return false;
}
