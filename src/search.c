/* search.c: reader-typed words to safe FTS5 queries; snippets to segments. */
#include "gazette/search.h"

#include <stdbool.h>
#include <string.h>

#include "gazette/buf.h"
#include "gazette/util.h"

struct term {
	const char *s;
	size_t n;
	bool negative;
	bool prefix;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A word worth searching has a letter or digit (any non-ASCII byte counts). */
static bool searchable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/* Reads the next word or "phrase" at *pos; false at the end. */
static bool next_term(const char *q, size_t n, size_t *pos, struct term *t)
{
	size_t i = *pos;
	while (i < n && is_space(q[i]))
		i++;
	if (i >= n)
		return false;

	memset(t, 0, sizeof *t);
	if (q[i] == '-' && i + 1 < n && !is_space(q[i + 1])) {
		t->negative = true;
		i++;
	}
	if (q[i] == '"') {
		size_t start = ++i;
		while (i < n && q[i] != '"')
			i++;
		t->s = q + start;
		t->n = i - start;
		if (i < n)
			i++; /* the closing quote */
	} else {
		size_t start = i;
		while (i < n && !is_space(q[i]))
			i++;
		t->s = q + start;
		t->n = i - start;
	}
	if (t->n > 0 && t->s[t->n - 1] == '*') {
		t->prefix = true;
		t->n--;
	}
	*pos = i;
	return true;
}

static void append_quoted(struct buf *b, const struct term *t)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < t->n; i++) {
		if (t->s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, t->s[i]);
	}
	buf_putc(b, '"');
	if (t->prefix)
		buf_putc(b, '*');
}

char *search_fts_query(const char *q, size_t n)
{
	struct term terms[SEARCH_MAX_TERMS];
	size_t count = 0, pos = 0, positives = 0;
	struct term t;

	if (!utf8_valid(q, n))
		return NULL;
	while (count < SEARCH_MAX_TERMS && next_term(q, n, &pos, &t)) {
		if (!searchable(t.s, t.n))
			continue;
		terms[count++] = t;
		if (!t.negative)
			positives++;
	}
	if (positives == 0)
		return NULL;

	struct buf b = BUF_INIT;
	for (size_t i = 0; i < count; i++) {
		if (terms[i].negative)
			continue;
		if (b.len)
			buf_putc(&b, ' ');
		append_quoted(&b, &terms[i]);
	}
	for (size_t i = 0; i < count; i++) {
		if (!terms[i].negative)
			continue;
		buf_puts(&b, " NOT ");
		append_quoted(&b, &terms[i]);
	}
	return buf_detach(&b, NULL);
}

static void add_segment(json_t *list, const char *s, size_t n, bool match)
{
	if (n == 0)
		return;
	json_array_append_new(list, json_pack("{s:s%, s:b}", "text", s, n, "match", match));
}

json_t *search_snippet_segments(const char *snippet)
{
	json_t *list = json_array();
	if (snippet == NULL)
		return list;

	bool match = false;
	const char *start = snippet, *p = snippet;
	for (; *p; p++) {
		if (*p != '\x01' && *p != '\x02')
			continue;
		add_segment(list, start, (size_t)(p - start), match);
		match = (*p == '\x01');
		start = p + 1;
	}
	add_segment(list, start, (size_t)(p - start), match);
	return list;
}
