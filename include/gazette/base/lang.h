/*
 * lang.h: what depends on the reader's language: dates in words, the
 * writing direction, and which characters are read (and searched) one by
 * one because their scripts put no spaces between words.
 *
 * A language is a BCP 47 tag as site.yaml's `language` holds it ("en",
 * "de", "pt-BR", "zh-Hans", "sr-Latn", "ar-u-nu-latn"...).  Everything
 * here comes from ICU's data (the CLDR), not from tables of our own.
 * A tag ICU cannot parse as BCP 47 is invalid ("en_US" with an underscore,
 * "!!", "", NULL, or longer than LANG_TAG_MAX - 1 bytes); an invalid tag
 * behaves like one ICU does not know.
 */
#ifndef GAZETTE_LANG_H
#define GAZETTE_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tags this long or longer are invalid (BCP 47 sets no limit; site.yaml's tags are short). */
#define LANG_TAG_MAX 64
/* Room for any long date ICU writes (the longest are about 60 bytes), with its NUL. */
#define LANG_DATE_MAX 128

/*
 * Writes the day t falls on (seconds since the epoch, in UTC) as a long
 * date in the language of tag, as UTF-8 into out, NUL-terminated, and
 * returns its length in bytes:
 *   en "4 February 2025" (as date_format_human(); en-US "February 4, 2025")
 *   de "4. Februar 2025"   fr "4 février 2025"   es "4 de febrero de 2025"
 *   pt, pt-BR "4 de fevereiro de 2025"   ja, zh, zh-Hans "2025年2月4日"
 *   ko "2025년 2월 4일"   ar "٤ فبراير ٢٠٢٥"   he "4 בפברואר 2025"
 * The calendar and the digits are the language's own as the CLDR has
 * them (fa: the Solar Hijri calendar, th: the Buddhist era, ar: Arabic-
 * Indic digits); the tag's Unicode extension overrides them
 * ("fa-u-ca-gregory", "ar-u-nu-latn").  Years outside 1-9999 are clamped
 * as date.c does, and the Gregorian calendar is proleptic, as date.c's.
 * A tag that is invalid or that ICU has no data for gives the English
 * date of date_format_human().  The bare "en" means ICU's "en-001"
 * (international English, day before month), which is what gazette has
 * always written.  Never fails.  This is the date for people; the one
 * for machines (<time datetime>, feeds, the API) stays RFC 3339,
 * date_format_rfc3339(), whatever the language.
 *
 * Thread-safe: each language's formatter is opened once, on first use
 * (about a millisecond), and kept in a table shared by all threads behind
 * one mutex (ICU's formatters may not be used by two threads at once);
 * formatting holds the mutex 3 to 5 microseconds.
 */
size_t lang_date_long(const char *tag, int64_t t, char out[LANG_DATE_MAX]);

/*
 * Writes n minutes as the CLDR writes a duration with the unit's full
 * name in the language of tag (its plural rules and digits, as
 * lang_date_long()), as UTF-8 into out, NUL-terminated, and returns its
 * length in bytes: en "5 minutes", "1 minute", de "5 Minuten", fr "5
 * minutes", es and pt "5 minutos", ja "5 分", zh "5分钟", ko "5분",
 * ar "٥ دقائق", he "5 דקות", fa "۵ دقیقه".  A tag that is invalid or that ICU has no data for
 * gives "5 min".  Never fails.  Thread-safe, with the formatters kept as
 * lang_date_long()'s.
 */
size_t lang_minutes(const char *tag, unsigned n, char out[LANG_DATE_MAX]);

/*
 * Writes the canonical BCP 47 form of tag into out (ICU's, from the
 * CLDR's aliases): case as BCP 47 writes it ("EN" -> "en", "zh-hans" ->
 * "zh-Hans", "pt-br" -> "pt-BR"), a POSIX locale's '_' as '-' ("pt_BR"
 * -> "pt-BR"), deprecated codes replaced ("iw" -> "he", "in" -> "id").
 * The form an HTML lang attribute wants.  Returns false, with out "", if
 * the tag is invalid (see above).
 */
bool lang_canonical(const char *tag, char out[LANG_TAG_MAX]);

/*
 * True if the language of tag is written right to left: its script
 * subtag, or else the script ICU's likely-subtags data gives the
 * language, is one of the right-to-left scripts (Arabic, Hebrew, Thaana,
 * Syriac, N'Ko...).  So "ar", "he", "fa", "ur", "ps", "sd", "yi", "dv",
 * "ckb", "ug", "en-Arab" and "ku-Arab" are; "ku" (Latin script) and
 * "ar-Latn" are not.
 * False for an invalid tag.  Thread-safe.
 */
bool lang_is_rtl(const char *tag);

/*
 * True if the code point cp is a letter of a script written without
 * spaces between words, that reading times count and search indexes one
 * character at a time: Han (Chinese characters, kanji, hanja), Hiragana,
 * Katakana and Hangul, by Unicode's Script property as ICU has it, plus
 * the modifier letters those scripts share with others (the prolonged
 * sound mark "ー", U+30FC, whose Script is Common).  Punctuation ("。",
 * "、", "「") and spaces (U+3000) are not.
 */
bool lang_is_cjk_char(uint32_t cp);

/*
 * Closes the formatters lang_date_long() opened.  For the end of the
 * program and for tests: no other thread may be using lang_date_long().
 */
void lang_cache_free(void);

#endif
