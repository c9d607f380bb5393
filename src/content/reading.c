/*
 * reading.c: words and CJK characters of a text, and the minutes they take.
 *
 * Counting words at spaces makes a whole Chinese or Japanese sentence one
 * word (they put no spaces between words), so an article of 3000
 * characters would read in a minute.  Readers of those languages read
 * about 500 characters a minute; Korean puts spaces between words but
 * its syllable blocks are counted the same way, by the character.
 */
#include "gazette/content/reading.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <unicode/uchar.h>

#include "gazette/base/lang.h"
#include "gazette/base/util.h"

/* What an ASCII byte is to counting. */
enum ascii_class { OTHER, SPACE, ALNUM };

#define C1(c)                                                                                      \
	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == '\f' || (c) == '\v'     \
	     ? SPACE                                                                               \
	 : ((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z')  \
	     ? ALNUM                                                                               \
	     : OTHER)
#define C4(c)  C1(c), C1((c) + 1), C1((c) + 2), C1((c) + 3)
#define C16(c) C4(c), C4((c) + 4), C4((c) + 8), C4((c) + 12)
#define C64(c) C16(c), C16((c) + 16), C16((c) + 32), C16((c) + 48)
static const unsigned char ascii_class[128] = {C64(0), C64(64)};

void reading_count(const char *text, size_t len, struct reading_count *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t words = 0, cjk = 0;
	/* The run of text since the last space or CJK letter already had a letter or digit. */
	bool counted = false;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			if (ascii_class[c] == SPACE) {
				counted = false;
			} else if (ascii_class[c] == ALNUM && !counted) {
				words++;
				counted = true;
			}
			continue;
		}

		size_t n;
		uint32_t cp = utf8_decode(text + i, len - i, &n);
		i += n;
		if (cp == UTF8_INVALID)
			continue; /* not UTF-8: part of the word around it */
		if (lang_is_cjk_char(cp)) {
			cjk++;
			counted = false;
		} else if (u_isUWhiteSpace((UChar32)cp) || cp == 0x200b /* zero width space */) {
			counted = false;
		} else if (!counted && u_isalnum((UChar32)cp)) {
			words++;
			counted = true;
		}
	}
	out->words = words;
	out->cjk_chars = cjk;
}

unsigned reading_minutes(const struct reading_count *c, unsigned words_per_minute,
                         unsigned cjk_per_minute)
{
	uint64_t wpm = words_per_minute ? words_per_minute : READING_WORDS_PER_MINUTE;
	uint64_t cpm = cjk_per_minute ? cjk_per_minute : READING_CJK_PER_MINUTE;
	if (wpm > 1000000)
		wpm = 1000000;
	if (cpm > 1000000)
		cpm = 1000000;

	/* words / wpm + chars / cpm, rounded up: whole minutes, then the rest over wpm * cpm. */
	uint64_t word_minutes = c->words / wpm, cjk_minutes = c->cjk_chars / cpm;
	if (word_minutes >= UINT_MAX || cjk_minutes >= UINT_MAX)
		return UINT_MAX;
	uint64_t rest = (c->words % wpm) * cpm + (c->cjk_chars % cpm) * wpm; /* < 2e12 */
	uint64_t minutes = word_minutes + cjk_minutes + (rest + wpm * cpm - 1) / (wpm * cpm);
	if (minutes == 0)
		minutes = 1;
	return minutes > UINT_MAX ? UINT_MAX : (unsigned)minutes;
}
