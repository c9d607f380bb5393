/* search.c: reader-typed words to safe FTS5 queries; snippets to segments. */
#include "gazette/content/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"

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

size_t search_fts_phrases(const char *fts, struct fts_phrase *out, size_t max)
{
	size_t n = 0;
	const char *p = fts;
	while (*p && n < max) {
		if (*p != '"') {
			p++; /* spaces, and the NOT between phrases */
			continue;
		}
		const char *start = p++;
		/* Inside, a quote is doubled; a single one ends the phrase. */
		while (*p && !(p[0] == '"' && p[1] != '"'))
			p += p[0] == '"' ? 2 : 1;
		if (*p)
			p++;
		if (*p == '*')
			p++;
		out[n].s = start;
		out[n].len = (size_t)(p - start);
		n++;
	}
	return n;
}

static void add_segment(json_t *list, const char *s, size_t n, bool match)
{
	if (n == 0)
		return;
	/*
	 * Built by hand: json_pack() parses its format for each of a page's
	 * hundreds of segments.  Text that is not UTF-8 (json_stringn() gives
	 * NULL, which jansson refuses to set) makes no segment, as json_pack()
	 * made none: the router's fuzzer holds us to it.
	 */
	json_t *seg = json_object();
	if (json_object_set_new_nocheck(seg, "text", json_stringn(s, n)) < 0) {
		json_decref(seg);
		return;
	}
	json_object_set_new_nocheck(seg, "match", json_boolean(match));
	json_array_append_new(list, seg);
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

/* ---- snippets ------------------------------------------------------------ */

/*
 * Token characters as FTS5's unicode61 tokenizer sees them, near enough:
 * letters and digits (any byte of a non-ASCII character counts).  A table:
 * the test of every byte of a query's words.
 */
#define T1(c)                                                                                      \
	((c) >= 0x80 || ((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'z') ||                \
	 ((c) >= 'A' && (c) <= 'Z'))
#define T4(c)  T1(c), T1((c) + 1), T1((c) + 2), T1((c) + 3)
#define T16(c) T4(c), T4((c) + 4), T4((c) + 8), T4((c) + 12)
#define T64(c) T16(c), T16((c) + 16), T16((c) + 32), T16((c) + 48)
static const bool token_chars[256] = {T64(0), T64(64), T64(128), T64(192)};

static inline bool token_char(unsigned char c)
{
	return token_chars[c];
}

/* True if the matches within a window's length before the last one cover every term. */
static bool window_covers(const struct snippet_match *m, size_t n, uint64_t all)
{
	uint64_t seen = 0;
	uint32_t last = m[n - 1].token;
	for (size_t k = n; k-- > 0 && last - m[k].token < SNIPPET_WORDS - 3;)
		seen |= 1ull << (m[k].term & 63);
	return (seen & all) == all;
}

/* ---- snippets from a text's known matches -------------------------------- */

/* Adds the word w (len bytes) to out as an FTS5 phrase, with a '*' if prefix. */
static void add_word(struct search_words *out, const char *w, size_t len, bool prefix)
{
	if (len + 4 > sizeof out->text[0])
		return; /* no word is this long */
	char *p = out->text[out->n];
	p[0] = '"';
	memcpy(p + 1, w, len);
	p[len + 1] = '"';
	if (prefix)
		p[len + 2] = '*';
	out->len[out->n] = len + 2 + (prefix ? 1 : 0);
	p[out->len[out->n]] = '\0';
	out->n++;
}

void search_words_parse(const char *q, size_t n, struct search_words *out)
{
	size_t pos = 0;
	struct term t;

	out->n = 0;
	if (!utf8_valid(q, n))
		return;
	for (int k = 0; k < SEARCH_MAX_TERMS && next_term(q, n, &pos, &t); k++) {
		if (t.negative || !searchable(t.s, t.n))
			continue;
		size_t i = 0;
		while (i < t.n && out->n < GZ_ARRAY_LEN(out->text)) {
			while (i < t.n && !token_char((unsigned char)t.s[i]))
				i++;
			size_t start = i;
			while (i < t.n && token_char((unsigned char)t.s[i]))
				i++;
			if (i == start)
				break;
			add_word(out, t.s + start, i - start, t.prefix && i >= t.n);
		}
	}
}

size_t search_snippet_window(const struct snippet_match *m, size_t *n, size_t nterms)
{
	uint64_t all = nterms >= 64 ? ~0ull : (1ull << nterms) - 1;
	/* Reading stops SNIPPET_WORDS tokens after the first window with every word. */
	for (size_t k = 1; k <= *n; k++) {
		if (!window_covers(m, k, all))
			continue;
		uint32_t stop = m[k - 1].token + SNIPPET_WORDS;
		size_t keep = k;
		while (keep < *n && m[keep].token <= stop)
			keep++;
		*n = keep;
		break;
	}
	size_t best_start = 0;
	int best_score = -1;
	for (size_t i = 0; i < *n; i++) {
		size_t start = m[i].token > 3 ? m[i].token - 3 : 0;
		uint64_t seen = 0;
		int hits = 0;
		for (size_t k = i; k < *n && m[k].token < start + SNIPPET_WORDS; k++) {
			seen |= 1ull << (m[k].term & 63);
			hits++;
		}
		int score = __builtin_popcountll(seen) * 1000 + hits;
		if (score > best_score) {
			best_score = score;
			best_start = start;
		}
	}
	return best_start;
}

json_t *search_snippet_build(const char *text, size_t len, const uint32_t *starts,
                             const uint32_t *ends, size_t first, size_t count, size_t next,
                             const struct snippet_match *m, size_t n)
{
	json_t *out = json_array();
	size_t last = first + count - 1;
	size_t from = starts[0];
	if (first > 0)
		add_segment(out, "…", strlen("…"), false);
	size_t k = 0;
	while (k < n && m[k].token < first)
		k++;
	for (; k < n && m[k].token <= last; k++) {
		size_t a = m[k].token - first;
		size_t b = m[k].token + m[k].width - 1 <= last ? a + m[k].width - 1 : count - 1;
		if (starts[a] < from)
			continue; /* inside a word already marked */
		add_segment(out, text + from, starts[a] - from, false);
		add_segment(out, text + starts[a], ends[b] - starts[a], true);
		from = ends[b];
	}
	/* The window ends where the next word begins, keeping its punctuation ("slowly."). */
	bool more = next < len;
	size_t end = next;
	while (end > from && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
	                      text[end - 1] == '\t' || text[end - 1] == '\r'))
		end--;
	add_segment(out, text + from, end - from, false);
	if (more)
		add_segment(out, "…", strlen("…"), false);
	return out;
}
