/* slug.c: URL names made from titles, and the check on names given to us. */
#include "gazette/content/slug.h"

#include <stdint.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"

/* Long titles make unwieldy URLs; 80 bytes keeps about ten words. */
#define SLUG_MAX_OUT   80
#define SLUG_MAX_VALID 200

/* What one character contributes to a slug. */
enum slug_class {
	SC_SEP,  /* ends a word: a '-' goes in before the next word */
	SC_DROP, /* vanishes without a gap (apostrophes, combining accents) */
	SC_TEXT, /* the character's text (possibly replaced) is part of a word */
};

/*
 * ASCII replacements for U+00C0..U+017F (Latin-1 Supplement letters and
 * Latin Extended-A), one byte per code point, 16 per row.  A letter is
 * the replacement itself; a digit indexes latin_multi for the few that
 * become two letters; '0' marks the two that are symbols (× and ÷).
 */
static const char latin_base[] = "aaaaaa1ceeeeiiii"  /* U+00C0 À..Ï */
                                 "dnooooo0ouuuuy23"  /* U+00D0 Ð..ß */
                                 "aaaaaa1ceeeeiiii"  /* U+00E0 à..ï */
                                 "dnooooo0ouuuuy2y"  /* U+00F0 ð..ÿ */
                                 "aaaaaaccccccccdd"  /* U+0100 Ā..ď */
                                 "ddeeeeeeeeeegggg"  /* U+0110 Đ..ğ */
                                 "gggghhhhiiiiiiii"  /* U+0120 Ġ..į */
                                 "ii55jjkkklllllll"  /* U+0130 İ..Ŀ */
                                 "lllnnnnnnn66oooo"  /* U+0140 ŀ..ŏ */
                                 "oo44rrrrrrssssss"  /* U+0150 Ő..ş */
                                 "ssttttttuuuuuuuu"  /* U+0160 Š..ů */
                                 "uuuuwwyyyzzzzzzs"; /* U+0170 Ű..ſ */

static const char *const latin_multi[] = {NULL, "ae", "th", "ss", "oe", "ij", "ng"};

/*
 * Decodes the character at s[0..n), n >= 1.  Returns its length in bytes
 * and sets *cp, or returns 0 for a byte that does not start a well-formed
 * sequence (the caller skips that one byte).
 */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = utf8_seq_len(s[0]);

	*cp = s[0];
	if (s[0] < 0x80)
		return 1;
	if (len == 1 || len > n || !utf8_valid((const char *)s, len))
		return 0; /* *cp is then the stray byte, never used as a character */
	if (len == 2)
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	else if (len == 3)
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	else
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		      (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return len;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | cp >> 6);
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | cp >> 12);
		tmp[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | cp >> 18);
		tmp[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		tmp[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, tmp, n);
}

/*
 * Non-ASCII code points that separate words: Latin-1 punctuation and
 * symbols, general punctuation, symbols and arrows, CJK punctuation,
 * fullwidth ASCII punctuation, emoji, and invisible characters that
 * ride along with them (variation selectors, BOM, tag characters).
 * Anything not listed is taken to be a letter or digit of some script.
 */
static bool is_separator(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 ||
	       (cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff || (cp >= 0xff00 && cp <= 0xff0f) ||
	       (cp >= 0x1f000 && cp <= 0x1fbff) || (cp >= 0xe0000 && cp <= 0xe007f);
}

/* Upper to lower case for basic Greek and Cyrillic; other code points unchanged. */
static uint32_t simple_lower(uint32_t cp)
{
	if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) /* Α..Ω */
		return cp + 0x20;
	if (cp == 0x386) /* Ά */
		return 0x3ac;
	if (cp >= 0x388 && cp <= 0x38a) /* Έ Ή Ί */
		return cp + 0x25;
	if (cp == 0x38c) /* Ό */
		return 0x3cc;
	if (cp == 0x38e || cp == 0x38f) /* Ύ Ώ */
		return cp + 0x3f;
	if (cp >= 0x410 && cp <= 0x42f) /* А..Я */
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f) /* Ѐ..Џ */
		return cp + 0x50;
	return cp;
}

/* Classifies cp and, for text, appends what it becomes to word. */
static enum slug_class classify(uint32_t cp, struct buf *word)
{
	if (cp < 0x80) {
		unsigned char c = (unsigned char)cp;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			buf_putc(word, (char)c);
			return SC_TEXT;
		}
		return c == '\'' ? SC_DROP : SC_SEP;
	}
	/* ’ is the apostrophe of typeset text; U+0300..U+036F are the
	 * combining accents of decomposed text ("e" + U+0301 for "é"). */
	if (cp == 0x2019 || (cp >= 0x300 && cp <= 0x36f))
		return SC_DROP;
	if (cp >= 0xc0 && cp <= 0x17f) {
		char r = latin_base[cp - 0xc0];
		if (r == '0')
			return SC_SEP;
		size_t multi = (size_t)(r - '0'); /* letters are past '9', so past the table */
		if (r > '0' && multi < GZ_ARRAY_LEN(latin_multi))
			buf_puts(word, latin_multi[multi]);
		else
			buf_putc(word, r);
		return SC_TEXT;
	}
	if (is_separator(cp))
		return SC_SEP;
	put_utf8(word, simple_lower(cp));
	return SC_TEXT;
}

/*
 * Cuts s to at most SLUG_MAX_OUT bytes: at the last '-' that fits, or
 * when the first word alone is too long, at the last character boundary.
 */
static size_t cut_length(const char *s, size_t len)
{
	if (len <= SLUG_MAX_OUT)
		return len;
	for (size_t i = SLUG_MAX_OUT; i > 0; i--)
		if (s[i] == '-')
			return i;
	size_t i = SLUG_MAX_OUT;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

char *slug_from_text(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf out = BUF_INIT, word = BUF_INIT;
	bool gap = false;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = decode(u + i, n - i, &cp);
		enum slug_class cls;

		if (len == 0) {
			cls = SC_SEP;
			len = 1;
		} else {
			cls = classify(cp, &word);
		}
		i += len;
		if (cls == SC_SEP) {
			gap = true;
		} else if (cls == SC_TEXT) {
			/* The '-' is only written once a word follows, so none trails. */
			if (gap && out.len > 0)
				buf_putc(&out, '-');
			gap = false;
			buf_append(&out, word.data, word.len);
			buf_reset(&word);
		}
	}
	buf_free(&word);

	size_t len;
	char *slug = buf_detach(&out, &len);
	slug[cut_length(slug, len)] = '\0';
	return slug;
}

/* Non-ASCII characters a slug must not hold: C1 controls and invisible or space characters. */
static bool invisible(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xa0) || cp == 0xad || (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 ||
	       cp == 0xfeff;
}

bool slug_is_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0 || n > SLUG_MAX_VALID || !utf8_valid(s, n))
		return false;
	if (s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = decode(u + i, n - i, &cp);
		if (len == 0)
			return false; /* not UTF-8 (utf8_valid() above says it is) */
		if (cp < 0x80) {
			unsigned char c = u[i];
			bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
			if (!ok)
				return false;
		} else if (invisible(cp)) {
			return false;
		}
		i += len;
	}
	return true;
}
