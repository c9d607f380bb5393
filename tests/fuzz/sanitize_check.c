/* sanitize_check.c: checks on sanitize_html()'s output (see sanitize_check.h). */
#include "sanitize_check.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"

const char *const sanitize_check_hosts[] = {"www.youtube.com", ".vimeo.com", NULL};

bool sanitize_check_rewrite(void *ctx, const char *tag, const char *attr, const char *url,
                            size_t len, struct buf *out)
{
	if (len < 3 || memcmp(url, "../", 3) != 0)
		return false;
	buf_puts(out, "/files/");
	buf_append(out, url + 3, len - 3);
	return true;
}

/* The allowlist, written out again: element, its attributes besides the global ones. */
static const struct {
	const char *name;
	bool is_void;
	const char *attrs; /* space-separated, with spaces around */
} allowed[] = {
    {"p", false, ""},
    {"br", true, ""},
    {"hr", true, ""},
    {"h1", false, ""},
    {"h2", false, ""},
    {"h3", false, ""},
    {"h4", false, ""},
    {"h5", false, ""},
    {"h6", false, ""},
    {"div", false, ""},
    {"span", false, ""},
    {"blockquote", false, " cite "},
    {"pre", false, ""},
    {"code", false, ""},
    {"em", false, ""},
    {"strong", false, ""},
    {"b", false, ""},
    {"i", false, ""},
    {"u", false, ""},
    {"s", false, ""},
    {"del", false, " cite datetime "},
    {"ins", false, " cite datetime "},
    {"mark", false, ""},
    {"small", false, ""},
    {"sup", false, ""},
    {"sub", false, ""},
    {"kbd", false, ""},
    {"samp", false, ""},
    {"var", false, ""},
    {"abbr", false, ""},
    {"cite", false, ""},
    {"q", false, " cite "},
    {"dfn", false, ""},
    {"time", false, " datetime "},
    {"wbr", true, ""},
    {"ruby", false, ""},
    {"rt", false, ""},
    {"rp", false, ""},
    {"bdi", false, ""},
    {"bdo", false, ""},
    {"address", false, ""},
    {"section", false, ""},
    {"article", false, ""},
    {"aside", false, ""},
    {"header", false, ""},
    {"footer", false, ""},
    {"ul", false, ""},
    {"ol", false, " start reversed type "},
    {"li", false, " value "},
    {"dl", false, ""},
    {"dt", false, ""},
    {"dd", false, ""},
    {"a", false, " href rel target "},
    {"figure", false, ""},
    {"figcaption", false, ""},
    {"details", false, " open "},
    {"summary", false, ""},
    {"table", false, ""},
    {"caption", false, ""},
    {"colgroup", false, " span "},
    {"col", true, " span "},
    {"thead", false, ""},
    {"tbody", false, ""},
    {"tfoot", false, ""},
    {"tr", false, ""},
    {"th", false, " colspan rowspan headers scope "},
    {"td", false, " colspan rowspan headers scope "},
    {"img", true, " src srcset alt width height loading decoding sizes "},
    {"picture", false, ""},
    {"source", true, " src srcset type media sizes "},
    {"video", false, " src poster controls width height loop muted playsinline preload "},
    {"audio", false, " src controls loop muted preload "},
    {"track", true, " src kind srclang label default "},
    {"iframe", false, " src width height allow allowfullscreen loading referrerpolicy "},
};

static const char global_attrs[] = " title lang dir class id ";
/* Attributes holding one URL, whatever the element. */
static const char url_attrs[] = " href src poster cite ";

static int find_element(const char *name, size_t n)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(allowed); i++) {
		if (strlen(allowed[i].name) == n && memcmp(allowed[i].name, name, n) == 0)
			return (int)i;
	}
	return -1;
}

/* " word " occurs in list. */
static bool in_list(const char *list, const char *word, size_t n)
{
	for (const char *p = list; (p = strchr(p, ' ')) != NULL; p++) {
		if (strncmp(p + 1, word, n) == 0 && p[1 + n] == ' ')
			return true;
	}
	return false;
}

static bool attr_allowed(int el, const char *name, size_t n)
{
	return in_list(global_attrs, name, n) || in_list(allowed[el].attrs, name, n);
}

bool sanitize_check_url(const char *url, size_t len)
{
	/* Without any control or space (browsers ignore some; ignoring all is stricter). */
	char *s = xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c > 0x20)
			s[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	s[n] = '\0';
	size_t end = strcspn(s, ":/?#");
	bool ok = true;
	if (s[end] == ':') {
		static const char *const schemes[] = {"http", "https", "mailto", "tel"};
		ok = false;
		for (size_t k = 0; k < GZ_ARRAY_LEN(schemes); k++)
			ok = ok || (strlen(schemes[k]) == end && memcmp(s, schemes[k], end) == 0);
	}
	free(s);
	return ok;
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Each candidate URL of a srcset, split as browsers split it. */
static bool srcset_ok(const char *v)
{
	size_t i = 0, n = strlen(v);
	while (i < n) {
		while (i < n && (space(v[i]) || v[i] == ','))
			i++;
		size_t u0 = i;
		while (i < n && !space(v[i]))
			i++;
		size_t ulen = i - u0;
		bool ended = false;
		while (ulen > 0 && v[u0 + ulen - 1] == ',') {
			ulen--;
			ended = true;
		}
		if (ulen > 0 && !sanitize_check_url(v + u0, ulen))
			return false;
		if (!ended) {
			int paren = 0;
			for (; i < n; i++) {
				if (v[i] == '(')
					paren++;
				else if (v[i] == ')' && paren > 0)
					paren--;
				else if (v[i] == ',' && paren == 0)
					break;
			}
		}
	}
	return true;
}

static bool host_ok(const char *const *hosts, const char *src)
{
	if (hosts == NULL || strncasecmp(src, "https://", 8) != 0)
		return false;
	const char *h = src + 8;
	size_t n = strcspn(h, ":/?#");
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return false;
	}
	for (; *hosts; hosts++) {
		const char *p = *hosts;
		size_t m = strlen(p);
		if (p[0] == '.') {
			if ((n == m - 1 && strncasecmp(h, p + 1, n) == 0) ||
			    (n > m && strncasecmp(h + n - m, p, m) == 0))
				return true;
		} else if (n == m && strncasecmp(h, p, n) == 0) {
			return true;
		}
	}
	return false;
}

/* The byte-level check. */
static const char *check_bytes(const char *s, size_t n, const char **where)
{
	static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
	static char name_buf[64];

	if (!utf8_valid(s, n) && n > 0) {
		/* utf8_valid refuses NUL too, which the output may not hold either */
		return "not valid UTF-8 (or a NUL byte)";
	}
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '&') {
			bool ok = false;
			for (size_t k = 0; k < GZ_ARRAY_LEN(entities) && !ok; k++) {
				size_t m = strlen(entities[k]);
				ok = i + m <= n && memcmp(s + i, entities[k], m) == 0;
			}
			if (!ok) {
				*where = s + i;
				return "an '&' that escape_html did not write";
			}
			i++;
			continue;
		}
		if (c == '>' || c == '"') {
			*where = s + i;
			return "a raw '>' or '\"' in text";
		}
		if (c != '<') {
			i++;
			continue;
		}
		/* A tag. */
		bool end = i + 1 < n && s[i + 1] == '/';
		size_t j = i + 1 + (end ? 1 : 0), k = j;
		while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9')))
			k++;
		int el = find_element(s + j, k - j);
		if (el < 0) {
			size_t m = k - j < sizeof(name_buf) - 1 ? k - j : sizeof(name_buf) - 1;
			memcpy(name_buf, s + j, m);
			name_buf[m] = '\0';
			*where = name_buf;
			return "a tag not on the allowlist";
		}
		if (end) {
			if (allowed[el].is_void) {
				*where = allowed[el].name;
				return "an end tag for a void element";
			}
			if (k >= n || s[k] != '>') {
				*where = s + i;
				return "a malformed end tag";
			}
			i = k + 1;
			continue;
		}
		while (k < n && s[k] == ' ') {
			size_t a0 = ++k;
			while (k < n && s[k] >= 'a' && s[k] <= 'z')
				k++;
			if (!attr_allowed(el, s + a0, k - a0)) {
				*where = s + a0;
				return "an attribute not allowed on its element";
			}
			if (k + 1 >= n || s[k] != '=' || s[k + 1] != '"') {
				*where = s + a0;
				return "an attribute value not double-quoted";
			}
			k += 2;
			while (k < n && s[k] != '"') {
				if (s[k] == '<' || s[k] == '>') {
					*where = s + k;
					return "a raw '<' or '>' in an attribute value";
				}
				if (s[k] == '&') {
					bool ok = false;
					for (size_t e = 0; e < GZ_ARRAY_LEN(entities) && !ok; e++) {
						size_t m = strlen(entities[e]);
						ok = k + m <= n &&
						     memcmp(s + k, entities[e], m) == 0;
					}
					if (!ok) {
						*where = s + k;
						return "an '&' in a value that escape_html did not "
						       "write";
					}
				}
				k++;
			}
			if (k >= n) {
				*where = s + a0;
				return "an unterminated attribute value";
			}
			k++;
		}
		if (k >= n || s[k] != '>') {
			*where = s + i;
			return "a malformed start tag";
		}
		i = k + 1;
	}
	return NULL;
}

static void *plain_alloc(void *userdata, size_t size)
{
	return xmalloc(size ? size : 1);
}

static void plain_free(void *userdata, void *p)
{
	free(p);
}

/* The check of gumbo's tree, walked with a stack on the heap. */
static const char *check_tree(const GumboNode *root, const char *const *hosts, const char **where)
{
	const GumboNode **stack = xmalloc(64 * sizeof(*stack));
	size_t n = 0, cap = 64;
	const char *why = NULL;

	stack[n++] = root;
	while (n > 0 && why == NULL) {
		const GumboNode *node = stack[--n];
		if (node->type == GUMBO_NODE_COMMENT || node->type == GUMBO_NODE_CDATA) {
			why = "a comment or CDATA section";
			break;
		}
		if (node->type == GUMBO_NODE_TEMPLATE) {
			why = "a template";
			break;
		}
		if (node->type != GUMBO_NODE_ELEMENT)
			continue;
		const GumboElement *e = &node->v.element;
		if (node != root) {
			if (e->tag_namespace != GUMBO_NAMESPACE_HTML) {
				why = "an element outside the HTML namespace";
				break;
			}
			GumboStringPiece name = e->original_tag;
			if (e->tag != GUMBO_TAG_UNKNOWN) {
				name.data = gumbo_normalized_tagname(e->tag);
				name.length = strlen(name.data);
			} else if (name.data != NULL) {
				gumbo_tag_from_original_text(&name);
			}
			char lower[32] = "";
			for (size_t i = 0; i < name.length && i < sizeof(lower) - 1; i++) {
				char c = name.data[i];
				lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			int el = find_element(lower, name.length < sizeof(lower) ? name.length : 0);
			if (el < 0) {
				*where = gumbo_normalized_tagname(e->tag);
				why = "an element not on the allowlist (parsed again)";
				break;
			}
			for (unsigned i = 0; i < e->attributes.length; i++) {
				const GumboAttribute *a = e->attributes.data[i];
				size_t an = strlen(a->name);
				if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE ||
				    !attr_allowed(el, a->name, an)) {
					*where = a->name;
					why = "an attribute not allowed (parsed again)";
					break;
				}
				if (strcmp(allowed[el].name, "iframe") == 0 &&
				    strcmp(a->name, "src") == 0) {
					if (!host_ok(hosts, a->value)) {
						*where = a->value;
						why = "an iframe src not on the allowed hosts";
						break;
					}
				} else if (in_list(url_attrs, a->name, an) &&
				           !sanitize_check_url(a->value, strlen(a->value))) {
					*where = a->value;
					why = "a URL with a scheme not allowed";
					break;
				} else if (strcmp(a->name, "srcset") == 0 && !srcset_ok(a->value)) {
					*where = a->value;
					why = "a srcset URL with a scheme not allowed";
					break;
				}
			}
		}
		for (unsigned i = e->children.length; i-- > 0;) {
			if (n == cap)
				stack = xrealloc(stack, (cap *= 2) * sizeof(*stack));
			stack[n++] = e->children.data[i];
		}
	}
	free(stack);
	return why;
}

const char *sanitize_check(const char *html, size_t len, const char *const *iframe_hosts,
                           const char **where)
{
	const char *dummy;
	if (where == NULL)
		where = &dummy;
	*where = NULL;
	const char *why = check_bytes(html, len, where);
	if (why)
		return why;

	GumboOptions opt = kGumboDefaultOptions;
	opt.allocator = plain_alloc;
	opt.deallocator = plain_free;
	opt.max_errors = 0;
	opt.fragment_context = GUMBO_TAG_BODY;
	opt.fragment_namespace = GUMBO_NAMESPACE_HTML;
	GumboOutput *g = gumbo_parse_with_options(&opt, html ? html : "", html ? len : 0);
	why = check_tree(g->root, iframe_hosts, where);
	if (why && *where) {
		/* *where points into gumbo's tree, about to go */
		static char copy[128];
		size_t n = strlen(*where) < sizeof(copy) - 1 ? strlen(*where) : sizeof(copy) - 1;
		memcpy(copy, *where, n);
		copy[n] = '\0';
		*where = copy;
	}
	gumbo_destroy_output(&opt, g);
	return why;
}
