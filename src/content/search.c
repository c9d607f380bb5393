/* search.c: reader-typed words to safe FTS5 queries; snippets to segments. */
#include "gazette/content/search.h"

#include <libstemmer.h>

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

/* ---- snippets ------------------------------------------------------------ */

/*
 * Token characters as FTS5's unicode61 tokenizer sees them, near enough:
 * letters and digits (any byte of a non-ASCII character counts).  A table,
 * because snippets run this over every byte of up to 20 articles a search.
 */
#define T1(c)                                                                                      \
	((c) >= 0x80 || ((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'z') ||                \
	 ((c) >= 'A' && (c) <= 'Z'))
#define T4(c)  T1(c), T1(c + 1), T1(c + 2), T1(c + 3)
#define T16(c) T4(c), T4(c + 4), T4(c + 8), T4(c + 12)
#define T64(c) T16(c), T16(c + 16), T16(c + 32), T16(c + 48)
static const bool token_chars[256] = {T64(0), T64(64), T64(128), T64(192)};

static inline bool token_char(unsigned char c)
{
	return token_chars[c];
}

/* Lowercases (ASCII) and stems word into out (NUL-terminated); its length. */
static size_t stem_word(struct sb_stemmer *stemmer, const char *w, size_t n, char *out,
                        size_t outlen)
{
	char lower[64];
	if (n >= sizeof lower)
		n = sizeof lower - 1;
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] | 0x20 : w[i]);
	const sb_symbol *s =
	    stemmer ? sb_stemmer_stem(stemmer, (const sb_symbol *)lower, (int)n) : NULL;
	size_t len = s ? (size_t)sb_stemmer_length(stemmer) : n;
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, s ? (const char *)s : lower, len);
	out[len] = '\0';
	return len;
}

void search_terms_parse(const char *q, size_t n, struct sb_stemmer *stemmer,
                        struct search_terms *out)
{
	size_t pos = 0;
	struct term t;

	out->n = 0;
	memset(out->memo_hash, 0, sizeof out->memo_hash);
	if (!utf8_valid(q, n))
		return;
	for (int k = 0; k < SEARCH_MAX_TERMS && next_term(q, n, &pos, &t); k++) {
		if (t.negative)
			continue;
		/* A phrase is several words; each is looked for on its own. */
		size_t i = 0;
		while (i < t.n && out->n < GZ_ARRAY_LEN(out->term)) {
			while (i < t.n && !token_char((unsigned char)t.s[i]))
				i++;
			size_t start = i;
			while (i < t.n && token_char((unsigned char)t.s[i]))
				i++;
			if (i == start)
				break;
			bool last = i >= t.n;
			__typeof__(out->term[0]) *term = &out->term[out->n++];
			term->prefix = t.prefix && last;
			if (term->prefix) {
				size_t len = i - start < sizeof term->text ? i - start
				                                           : sizeof term->text - 1;
				for (size_t j = 0; j < len; j++)
					term->text[j] =
					    (char)((t.s[start + j] >= 'A' && t.s[start + j] <= 'Z')
					               ? t.s[start + j] | 0x20
					               : t.s[start + j]);
				term->text[len] = '\0';
				term->len = len;
			} else {
				term->len = stem_word(stemmer, t.s + start, i - start, term->text,
				                      sizeof term->text);
			}
		}
	}
}

static int match_term_uncached(const struct search_terms *terms, struct sb_stemmer *stemmer,
                               const char *w, size_t n);

/* Which term a word of the text is, or -1.  Cheap first: most words share no first letters. */
static int match_term(struct search_terms *terms, struct sb_stemmer *stemmer, const char *w,
                      size_t n)
{
	bool candidate = false;
	for (size_t i = 0; i < terms->n && !candidate; i++) {
		const char *t = terms->term[i].text;
		size_t k = terms->term[i].len < 2 ? terms->term[i].len : 2;
		candidate = n >= k;
		for (size_t j = 0; j < k && candidate; j++)
			candidate =
			    (char)((w[j] >= 'A' && w[j] <= 'Z') ? w[j] | 0x20 : w[j]) == t[j];
	}
	if (!candidate)
		return -1;

	/* Hash 0 marks an empty slot, so real hashes get their low bit set. */
	uint64_t h = hash_bytes(GZ_HASH_INIT, w, n) | 1;
	size_t slot = (size_t)(h >> 7) % GZ_ARRAY_LEN(terms->memo_hash);
	if (terms->memo_hash[slot] == h)
		return terms->memo_term[slot];
	int t = match_term_uncached(terms, stemmer, w, n);
	terms->memo_hash[slot] = h;
	terms->memo_term[slot] = (signed char)t;
	return t;
}

static int match_term_uncached(const struct search_terms *terms, struct sb_stemmer *stemmer,
                               const char *w, size_t n)
{
	char stem[64];
	size_t stemlen = 0;
	bool stemmed = false;
	for (size_t i = 0; i < terms->n; i++) {
		const char *t = terms->term[i].text;
		size_t tl = terms->term[i].len;
		size_t k = tl < 2 ? tl : 2; /* stems keep their word's first letters */
		if (n < k)
			continue;
		bool same = true;
		for (size_t j = 0; j < k && same; j++)
			same = (char)((w[j] >= 'A' && w[j] <= 'Z') ? w[j] | 0x20 : w[j]) == t[j];
		if (!same)
			continue;
		if (terms->term[i].prefix) {
			bool prefix = n >= tl;
			for (size_t j = 0; j < tl && prefix; j++)
				prefix = (char)((w[j] >= 'A' && w[j] <= 'Z') ? w[j] | 0x20
				                                             : w[j]) == t[j];
			if (prefix)
				return (int)i;
			continue;
		}
		if (!stemmed) {
			stemlen = stem_word(stemmer, w, n, stem, sizeof stem);
			stemmed = true;
		}
		if (stemlen == tl && memcmp(stem, t, tl) == 0)
			return (int)i;
	}
	return -1;
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

json_t *search_snippet(const char *text, size_t len, struct search_terms *terms,
                       struct sb_stemmer *stemmer)
{
	/* 32 KiB of stack: thread-local arrays cost a TLS lookup per use in this hot loop. */
	uint32_t starts[SNIPPET_MAX_TOKENS + 1], ends[SNIPPET_MAX_TOKENS + 1];
	struct snippet_match matches[SNIPPET_MAX_MATCHES];
	size_t ntokens = 0, nmatches = 0;
	json_t *out = json_array();

	/*
	 * The words, and which of them match.  Once every term has been seen
	 * within one window, no later window can beat it: stop reading as soon
	 * as that window's words are known.
	 */
	uint64_t all = terms->n >= 64 ? ~0ull : (1ull << terms->n) - 1;
	size_t stop = SIZE_MAX;
	for (size_t i = 0; i < len && ntokens < SNIPPET_MAX_TOKENS && ntokens <= stop;) {
		while (i < len && !token_char((unsigned char)text[i]))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && token_char((unsigned char)text[i]))
			i++;
		starts[ntokens] = (uint32_t)start;
		ends[ntokens] = (uint32_t)i;
		if (nmatches < SNIPPET_MAX_MATCHES) {
			int t = match_term(terms, stemmer, text + start, i - start);
			if (t >= 0) {
				matches[nmatches].token = (uint32_t)ntokens;
				matches[nmatches].width = 1;
				matches[nmatches].term = t;
				nmatches++;
				if (stop == SIZE_MAX && window_covers(matches, nmatches, all))
					stop = ntokens + SNIPPET_WORDS;
			}
		}
		ntokens++;
	}
	if (ntokens == 0)
		return out;

	/* The window with the most different terms, then the most matches, earliest first. */
	size_t best_start = 0;
	int best_score = -1;
	for (size_t m = 0; m < nmatches; m++) {
		size_t start = matches[m].token > 3 ? matches[m].token - 3 : 0;
		uint64_t seen = 0;
		int hits = 0;
		for (size_t k = m; k < nmatches && matches[k].token < start + SNIPPET_WORDS; k++) {
			seen |= 1ull << (matches[k].term & 63);
			hits++;
		}
		int score = __builtin_popcountll(seen) * 1000 + hits;
		if (score > best_score) {
			best_score = score;
			best_start = start;
		}
	}
	size_t last = best_start + SNIPPET_WORDS - 1;
	if (last >= ntokens)
		last = ntokens - 1;

	/* Segments: plain text between matched words, "…" where the text goes on. */
	size_t from = starts[best_start];
	if (best_start > 0)
		add_segment(out, "…", strlen("…"), false);
	size_t m = 0;
	while (m < nmatches && matches[m].token < best_start)
		m++;
	for (; m < nmatches && matches[m].token <= last; m++) {
		size_t tok = matches[m].token;
		add_segment(out, text + from, starts[tok] - from, false);
		add_segment(out, text + starts[tok], ends[tok] - starts[tok], true);
		from = ends[tok];
	}
	/* The window ends where the next word begins, keeping its punctuation ("slowly."). */
	bool more = last + 1 < ntokens || (ntokens == SNIPPET_MAX_TOKENS && ends[last] < len);
	size_t end = last + 1 < ntokens ? starts[last + 1] : more ? ends[last] : len;
	while (end > from && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
	                      text[end - 1] == '\t' || text[end - 1] == '\r'))
		end--;
	add_segment(out, text + from, end - from, false);
	if (more)
		add_segment(out, "…", strlen("…"), false);
	return out;
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
