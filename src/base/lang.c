/*
 * lang.c: dates in the reader's language, writing direction and the
 * characters read one by one, all from ICU's data.
 *
 * Why ICU and not the C library: strftime() takes month names from the
 * process's locale, which must be set with setlocale() (one locale for
 * the whole process, not per site or per call) and which exists only if
 * the machine has generated it (Debian's locales package and
 * `locale-gen`): a server must not depend on what its machine's
 * administrator generated.  ICU carries the CLDR's data for every
 * language in its own library (libicudata), opened per call.
 *
 * The formatters: opening one costs about a millisecond (ICU loads and
 * parses the language's patterns, names and calendar), formatting with
 * one 3 to 5 microseconds (measured with ICU 72).  So each language's
 * formatter is opened once and kept.  ICU's formatters are not
 * thread-safe (udat_format() sets the time on the formatter's calendar,
 * then reads it back), so they are either per thread or shared behind a
 * lock.  Shared: a site has one language, a page shows a few dozen dates
 * and pages are rendered once per change of the site (the answer cache
 * serves the rest), so a few microseconds under a lock cost less than a
 * formatter per worker thread, opened again in each (a millisecond each)
 * and freed when the thread ends, which needs a thread-exit hook.
 */
#include "gazette/base/lang.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/uchar.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unumberformatter.h>
#include <unicode/ures.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include "gazette/base/date.h"
#include "gazette/base/util.h"

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the years date.c handles. */
#define DATE_MIN (-62135596800LL)
#define DATE_MAX 253402300799LL

/* Languages kept open; a site uses one or two.  Beyond, each date opens its own. */
#define CACHE_MAX 16

/*
 * Days a language's formatter has written, by day % DAYS_KEPT: about
 * five and a half years of a site's dates, 96 KB a language, made on
 * first use.  A longer date than fits is formatted each time.
 */
#define DAYS_KEPT 2048

struct formatted_day {
	int32_t day; /* days since 1970 in UTC (years 1-9999 fit); len 0: none yet */
	uint8_t len;
	char text[43];
};

struct cached_format {
	char tag[LANG_TAG_MAX];
	UDateFormat *fmt; /* NULL: ICU does not know the tag, English is written */
	/*
	 * A long date names the day only, in UTC, and ICU took a twentieth of
	 * a search page's time formatting the results' dates.
	 */
	struct formatted_day *days;
	/* "5 minutes", "5 Minuten": opened on first use; NULL until then or if ICU cannot */
	UNumberFormatter *minutes;
	bool minutes_tried;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_format cache[CACHE_MAX];
static size_t cache_len;

/*
 * ICU's locale ID for a BCP 47 tag ("pt-BR" -> "pt_BR", "fa-u-ca-gregory"
 * -> "fa@calendar=gregorian") into loc[ULOC_FULLNAME_CAPACITY]; false if
 * the tag is invalid: not all of it parses, or it names no language
 * ("und", "x-private").
 */
static bool locale_of(const char *tag, char *loc)
{
	if (tag == NULL)
		return false;
	size_t len = strnlen(tag, LANG_TAG_MAX);
	if (len == 0 || len >= LANG_TAG_MAX)
		return false;

	UErrorCode st = U_ZERO_ERROR;
	int32_t parsed = 0;
	uloc_forLanguageTag(tag, loc, ULOC_FULLNAME_CAPACITY, &parsed, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || parsed != (int32_t)len)
		return false;

	char language[ULOC_LANG_CAPACITY];
	st = U_ZERO_ERROR;
	uloc_getLanguage(loc, language, sizeof language, &st);
	return U_SUCCESS(st) && language[0] != '\0';
}

/* The bare "en" (with extensions, if any) is international English: "en" -> "en_001". */
static void english_day_first(char *loc)
{
	if (strncmp(loc, "en", 2) != 0 || (loc[2] != '\0' && loc[2] != '@'))
		return;
	size_t rest = strlen(loc + 2);
	if (2 + 4 + rest + 1 > ULOC_FULLNAME_CAPACITY)
		return;
	memmove(loc + 6, loc + 2, rest + 1);
	memcpy(loc + 2, "_001", 4);
}

/*
 * ICU's Gregorian calendar switches to the Julian one before 15 October
 * 1582; date.c's arithmetic (and RFC 3339) is proleptic Gregorian.  Moves
 * the switch to the beginning of time, so that both agree on every day.
 */
static void make_proleptic(UDateFormat *fmt)
{
	UErrorCode st = U_ZERO_ERROR;
	const UCalendar *cal = udat_getCalendar(fmt);
	const char *type = ucal_getType(cal, &st);
	if (U_FAILURE(st) || type == NULL || strcmp(type, "gregorian") != 0)
		return;
	UCalendar *copy = ucal_clone(cal, &st);
	if (U_FAILURE(st))
		return;
	ucal_setGregorianChange(copy, -8.64e15 /* ms: 273,000 years ago */, &st);
	if (U_SUCCESS(st))
		udat_setCalendar(fmt, copy); /* copies it */
	ucal_close(copy);
}

/* A long-date formatter for tag in UTC, or NULL if the tag is invalid or ICU has no data for it. */
static UDateFormat *open_format(const char *tag)
{
	char loc[ULOC_FULLNAME_CAPACITY];
	if (!locale_of(tag, loc))
		return NULL;
	english_day_first(loc);

	/*
	 * ICU falls back silently to the process's default locale (from
	 * LANG) for a language it has no data for; opening the language's
	 * resource bundle says so (U_USING_DEFAULT_WARNING), where "de_XX"
	 * falling back to "de" is only U_USING_FALLBACK_WARNING.
	 */
	UErrorCode st = U_ZERO_ERROR;
	UResourceBundle *rb = ures_open(NULL, loc, &st);
	bool known = U_SUCCESS(st) && st != U_USING_DEFAULT_WARNING;
	ures_close(rb);
	if (!known)
		return NULL;

	static const UChar utc[] = {'U', 'T', 'C', 0};
	st = U_ZERO_ERROR;
	UDateFormat *fmt = udat_open(UDAT_NONE, UDAT_LONG, loc, utc, -1, NULL, 0, &st);
	if (U_FAILURE(st)) {
		udat_close(fmt);
		return NULL;
	}
	/* A script ICU has no data for ("az-Arab") ends at the root locale: "2025 M02 4". */
	st = U_ZERO_ERROR;
	const char *valid = udat_getLocaleByType(fmt, ULOC_VALID_LOCALE, &st);
	if (U_FAILURE(st) || valid == NULL || valid[0] == '\0' || strcmp(valid, "root") == 0) {
		udat_close(fmt);
		return NULL;
	}
	make_proleptic(fmt);
	return fmt;
}

/* Formats t with fmt into out as UTF-8; false if ICU fails or it does not fit. */
static bool format_with(UDateFormat *fmt, int64_t t, char out[LANG_DATE_MAX], size_t *len)
{
	UChar u[LANG_DATE_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t ulen = udat_format(fmt, (UDate)t * 1000.0, u, LANG_DATE_MAX, NULL, &st);
	if (U_FAILURE(st) || ulen >= LANG_DATE_MAX)
		return false;
	int32_t n = 0;
	u_strToUTF8(out, LANG_DATE_MAX, &n, u, ulen, &st);
	if (U_FAILURE(st) || n < 0 || n >= LANG_DATE_MAX)
		return false;
	out[n] = '\0';
	*len = (size_t)n;
	return true;
}

/*
 * The cache's entry for tag, added (its date formatter opened) if it is
 * new; NULL if tag is too long to be a key or the table is full.  Called
 * with cache_lock held.
 */
static struct cached_format *cache_entry(const char *tag)
{
	if (tag == NULL || strnlen(tag, LANG_TAG_MAX) >= LANG_TAG_MAX)
		return NULL;
	for (size_t i = 0; i < cache_len; i++)
		if (strcmp(cache[i].tag, tag) == 0)
			return &cache[i];
	if (cache_len == CACHE_MAX)
		return NULL;
	struct cached_format *c = &cache[cache_len++];
	memcpy(c->tag, tag, strlen(tag) + 1);
	c->fmt = open_format(tag);
	c->minutes = NULL;
	c->minutes_tried = false;
	c->days = NULL;
	return c;
}

size_t lang_date_long(const char *tag, int64_t t, char out[LANG_DATE_MAX])
{
	if (t < DATE_MIN)
		t = DATE_MIN;
	if (t > DATE_MAX)
		t = DATE_MAX;

	size_t len = 0;
	bool done = false;
	bool valid_key = tag != NULL && strnlen(tag, LANG_TAG_MAX) < LANG_TAG_MAX;

	pthread_mutex_lock(&cache_lock);
	struct cached_format *c = cache_entry(tag);
	if (c != NULL && c->fmt != NULL) {
		int32_t day = (int32_t)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
		if (c->days == NULL)
			c->days = xcalloc(DAYS_KEPT, sizeof *c->days);
		struct formatted_day *d = &c->days[(uint32_t)day % DAYS_KEPT];
		if (d->len > 0 && d->day == day) {
			memcpy(out, d->text, d->len);
			out[d->len] = '\0';
			len = d->len;
			done = true;
		} else if ((done = format_with(c->fmt, t, out, &len)) && len < sizeof d->text) {
			d->day = day;
			d->len = (uint8_t)len;
			memcpy(d->text, out, len);
		}
	}
	pthread_mutex_unlock(&cache_lock);

	if (c == NULL && valid_key) {
		/* The table is full: this language's formatter lives for one date. */
		UDateFormat *fmt = open_format(tag);
		if (fmt != NULL)
			done = format_with(fmt, t, out, &len);
		udat_close(fmt);
	}
	if (!done) {
		char human[48];
		date_format_human(t, human);
		len = strlen(human);
		memcpy(out, human, len + 1);
	}
	return len;
}

/*
 * A formatter of whole minutes with the unit's full name, as the CLDR
 * writes it ("5 minutes", "5 Minuten", "5分钟", "٥ دقائق") for tag, or NULL if the tag is
 * invalid or ICU has no data for its language.
 */
static UNumberFormatter *open_minutes(const char *tag)
{
	char loc[ULOC_FULLNAME_CAPACITY];
	if (!locale_of(tag, loc))
		return NULL;
	english_day_first(loc);
	UErrorCode st = U_ZERO_ERROR;
	UResourceBundle *rb = ures_open(NULL, loc, &st);
	bool known = U_SUCCESS(st) && st != U_USING_DEFAULT_WARNING;
	ures_close(rb);
	if (!known)
		return NULL;
	static const char skeleton[] = "measure-unit/duration-minute unit-width-full-name";
	UChar u[sizeof skeleton];
	u_charsToUChars(skeleton, u, (int32_t)sizeof skeleton);
	st = U_ZERO_ERROR;
	UNumberFormatter *f = unumf_openForSkeletonAndLocale(u, -1, loc, &st);
	if (U_FAILURE(st)) {
		unumf_close(f);
		return NULL;
	}
	return f;
}

/* Formats n minutes with f into out as UTF-8; false if ICU fails or it does not fit. */
static bool minutes_with(const UNumberFormatter *f, unsigned n, char out[LANG_DATE_MAX],
                         size_t *len)
{
	UErrorCode st = U_ZERO_ERROR;
	UFormattedNumber *r = unumf_openResult(&st);
	UChar u[LANG_DATE_MAX];
	int32_t ulen = 0;
	if (U_SUCCESS(st))
		unumf_formatInt(f, (int64_t)n, r, &st);
	if (U_SUCCESS(st))
		ulen = unumf_resultToString(r, u, LANG_DATE_MAX, &st);
	unumf_closeResult(r);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || ulen >= LANG_DATE_MAX)
		return false;
	int32_t k = 0;
	u_strToUTF8(out, LANG_DATE_MAX, &k, u, ulen, &st);
	if (U_FAILURE(st) || k < 0 || k >= LANG_DATE_MAX)
		return false;
	out[k] = '\0';
	*len = (size_t)k;
	return true;
}

size_t lang_minutes(const char *tag, unsigned n, char out[LANG_DATE_MAX])
{
	size_t len = 0;
	bool done = false;
	pthread_mutex_lock(&cache_lock);
	struct cached_format *c = cache_entry(tag);
	if (c != NULL && !c->minutes_tried) {
		c->minutes = open_minutes(tag);
		c->minutes_tried = true;
	}
	/* A number formatter is immutable, but the entry is only read under the lock. */
	if (c != NULL && c->minutes != NULL)
		done = minutes_with(c->minutes, n, out, &len);
	pthread_mutex_unlock(&cache_lock);

	if (c == NULL && tag != NULL && strnlen(tag, LANG_TAG_MAX) < LANG_TAG_MAX) {
		UNumberFormatter *f = open_minutes(tag);
		if (f != NULL)
			done = minutes_with(f, n, out, &len);
		unumf_close(f);
	}
	if (!done) {
		int k = snprintf(out, LANG_DATE_MAX, "%u min", n);
		len = k > 0 && k < LANG_DATE_MAX ? (size_t)k : 0;
		out[len] = '\0';
	}
	return len;
}

bool lang_canonical(const char *tag, char out[LANG_TAG_MAX])
{
	out[0] = '\0';
	if (tag == NULL)
		return false;
	size_t n = strnlen(tag, LANG_TAG_MAX);
	if (n == 0 || n >= LANG_TAG_MAX)
		return false;
	/* A POSIX locale's '_' ("pt_BR", as some exports write it) is BCP 47's '-'. */
	char dashed[LANG_TAG_MAX];
	memcpy(dashed, tag, n + 1);
	for (char *p = strchr(dashed, '_'); p != NULL; p = strchr(p, '_'))
		*p = '-';
	char loc[ULOC_FULLNAME_CAPACITY];
	if (!locale_of(dashed, loc))
		return false;
	UErrorCode st = U_ZERO_ERROR;
	int32_t k = uloc_toLanguageTag(loc, out, LANG_TAG_MAX, true, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || k <= 0 || k >= LANG_TAG_MAX) {
		out[0] = '\0';
		return false;
	}
	return true;
}

bool lang_is_rtl(const char *tag)
{
	char loc[ULOC_FULLNAME_CAPACITY];
	/* uloc_isRightToLeft() adds the likely script of a tag that has none ("fa" -> Arab). */
	return locale_of(tag, loc) && uloc_isRightToLeft(loc);
}

bool lang_is_cjk_char(uint32_t cp)
{
	/* Hangul Jamo (U+1100) is the first of these letters; most text is below. */
	if (cp < 0x1100 || cp > 0x10ffff)
		return false;
	UErrorCode st = U_ZERO_ERROR;
	UChar32 c = (UChar32)cp;
	switch (uscript_getScript(c, &st)) {
	case USCRIPT_HAN:
	case USCRIPT_HIRAGANA:
	case USCRIPT_KATAKANA:
	case USCRIPT_HANGUL:
		return u_isalpha(c) || u_charType(c) == U_LETTER_NUMBER; /* 〇 is a number */
	case USCRIPT_COMMON:
	case USCRIPT_INHERITED:
		/* "ー" (U+30FC), half-width "ｰ": Hiragana and Katakana by Script_Extensions. */
		return u_charType(c) == U_MODIFIER_LETTER &&
		       (uscript_hasScript(c, USCRIPT_HIRAGANA) ||
		        uscript_hasScript(c, USCRIPT_KATAKANA) ||
		        uscript_hasScript(c, USCRIPT_HAN));
	default: return false;
	}
}

void lang_cache_free(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_len; i++) {
		udat_close(cache[i].fmt);
		unumf_close(cache[i].minutes);
		free(cache[i].days);
	}
	cache_len = 0;
	pthread_mutex_unlock(&cache_lock);
}
