/* links.c: relative links made absolute; see links.h. */
/* memmem() is GNU. */
#define _GNU_SOURCE
#include "gazette/content/links.h"

#include <stdbool.h>
#include <string.h>

/* The length of a URL's scheme and ':' ("https:" is 6), or 0 if it has none. */
static size_t scheme_len(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	while (i < n && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
	                 (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i < n && s[i] == ':' ? i + 1 : 0;
}

/*
 * Appends path with its "." and ".." segments taken out (RFC 3986 5.2.4):
 * "/a/b/../c/./d" is "/a/c/d".
 */
static void remove_dots(struct buf *out, const char *path, size_t n)
{
	size_t start = out->len;
	size_t i = 0;
	while (i < n) {
		size_t seg = i + 1;
		while (seg < n && path[seg] != '/')
			seg++;
		size_t len = seg - i; /* with its leading '/' */
		if (len == 2 && path[i + 1] == '.') {
			if (seg == n)
				buf_putc(out, '/');
		} else if (len == 3 && path[i + 1] == '.' && path[i + 2] == '.') {
			while (out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			if (seg == n)
				buf_putc(out, '/');
		} else {
			buf_append(out, path + i, len);
		}
		i = seg;
	}
	if (out->data)
		out->data[out->len] = '\0';
}

void url_resolve(struct buf *out, const char *base, const char *ref, size_t n)
{
	size_t bn = strlen(base);
	size_t bscheme = scheme_len(base, bn);
	/* base's parts: scheme, authority (from "//" to the next '/'), path, query. */
	const char *auth = base + bscheme;
	size_t authlen = 0;
	if (bn - bscheme >= 2 && auth[0] == '/' && auth[1] == '/')
		authlen = 2 + strcspn(auth + 2, "/?#");
	const char *path = auth + authlen;
	size_t pathlen = strcspn(path, "?#");

	if (scheme_len(ref, n)) {
		buf_append(out, ref, n); /* already absolute */
	} else if (n >= 2 && ref[0] == '/' && ref[1] == '/') {
		buf_append(out, base, bscheme);
		buf_append(out, ref, n);
	} else if (n >= 1 && ref[0] == '/') {
		buf_append(out, base, bscheme + authlen);
		size_t p = strcspn(ref, "?#");
		if (p > n)
			p = n;
		remove_dots(out, ref, p);
		buf_append(out, ref + p, n - p);
	} else if (n == 0 || ref[0] == '#') {
		buf_append(out, base, (size_t)(path - base) + strcspn(path, "#"));
		buf_append(out, ref, n);
	} else if (ref[0] == '?') {
		buf_append(out, base, (size_t)(path - base) + pathlen);
		buf_append(out, ref, n);
	} else {
		/* Merge: the base path up to its last '/', then the reference. */
		buf_append(out, base, bscheme + authlen);
		struct buf merged = BUF_INIT;
		size_t dir = pathlen;
		while (dir > 0 && path[dir - 1] != '/')
			dir--;
		if (dir == 0)
			buf_putc(&merged, '/');
		buf_append(&merged, path, dir);
		size_t p = strcspn(ref, "?#");
		if (p > n)
			p = n;
		buf_append(&merged, ref, p);
		remove_dots(out, merged.data, merged.len);
		buf_append(out, ref + p, n - p);
		buf_free(&merged);
	}
}

static bool srcset_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/*
 * Appends a srcset's value v[0..n) with each candidate's URL resolved
 * against base: candidates are separated by commas, a URL runs to the
 * next white space (HTML's "parse a srcset attribute"), its descriptors
 * ("480w", "2x") are copied as they are.
 */
static void resolve_srcset(struct buf *out, const char *base, const char *v, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && (srcset_space(v[i]) || v[i] == ','))
			i++;
		buf_append(out, v + start, i - start);
		size_t url = i;
		while (i < n && !srcset_space(v[i]))
			i++;
		size_t end = i;
		while (end > url && v[end - 1] == ',')
			end--; /* "a.png," is the URL a.png and no descriptor */
		if (end > url)
			url_resolve(out, base, v + url, end - url);
		buf_append(out, v + end, i - end);
		if (end < i)
			continue; /* the URL's commas ended the candidate */
		start = i;
		while (i < n && v[i] != ',')
			i++; /* its descriptors */
		buf_append(out, v + start, i - start);
	}
}

void links_absolute(struct buf *out, const char *html, size_t n, const char *base)
{
	static const char *const attrs[] = {" href=\"", " src=\"", " srcset=\""};
	size_t i = 0;
	while (i < n) {
		/* The next attribute that holds a URL. */
		const char *next = NULL;
		size_t alen = 0, which = 0;
		for (size_t a = 0; a < 3; a++) {
			const char *hit = memmem(html + i, n - i, attrs[a], strlen(attrs[a]));
			if (hit && (next == NULL || hit < next)) {
				next = hit;
				alen = strlen(attrs[a]);
				which = a;
			}
		}
		if (next == NULL) {
			buf_append(out, html + i, n - i);
			return;
		}
		size_t value = (size_t)(next - html) + alen;
		const char *end = memchr(html + value, '"', n - value);
		if (end == NULL) {
			buf_append(out, html + i, n - i);
			return;
		}
		buf_append(out, html + i, value - i);
		if (which == 2)
			resolve_srcset(out, base, html + value, (size_t)(end - html) - value);
		else
			url_resolve(out, base, html + value, (size_t)(end - html) - value);
		i = (size_t)(end - html);
	}
}
