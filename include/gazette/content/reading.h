/*
 * reading.h: how long an article takes to read, in languages that put
 * spaces between words and in Chinese, Japanese and Korean, which are
 * read (and counted) by the character.
 */
#ifndef GAZETTE_READING_H
#define GAZETTE_READING_H

#include <stddef.h>

/* The default speeds: words of space-separated text, and CJK characters, per minute. */
#define READING_WORDS_PER_MINUTE 265
#define READING_CJK_PER_MINUTE   500

struct reading_count {
	size_t words;     /* words of text that puts spaces between them */
	size_t cjk_chars; /* Han, Hiragana, Katakana and Hangul letters */
};

/*
 * Counts text[0..len), UTF-8 such as struct md_doc's text (markdown.h):
 * each Han, Hiragana, Katakana or Hangul letter (lang_is_cjk_char())
 * counts as a character; the rest is split into words at Unicode's
 * White_Space (the ideographic space U+3000 and the no-break space
 * included) and at those letters, and a word counts if it has a letter or
 * a digit in it, so "—" or "。" alone is none.  "我用Python写了3个程序"
 * is 2 words (Python, 3) and 7 characters.  Bytes that are not UTF-8 are
 * neither letters nor spaces: they belong to the word around them.
 * text may contain NUL bytes; len 0 (text may then be NULL) counts none.
 */
void reading_count(const char *text, size_t len, struct reading_count *out);

/*
 * Minutes to read c: words at words_per_minute plus CJK characters at
 * cjk_per_minute, rounded up, at least 1 (as article_reading_minutes()).
 * 0 for a speed means its default above; speeds above 1000000 are taken
 * as 1000000.  A result beyond UINT_MAX is UINT_MAX.
 */
unsigned reading_minutes(const struct reading_count *c, unsigned words_per_minute,
                         unsigned cjk_per_minute);

#endif
