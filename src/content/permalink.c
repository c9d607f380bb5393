/*
 * permalink.c: Jekyll's permalink patterns, expanded for one post (see
 * permalink.h for what each placeholder means).
 */
#include "gazette/content/permalink.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gazette/base/util.h"

static const struct {
	const char *name;
	const char *pattern;
} styles[] = {
    {"date", "/:categories/:year/:month/:day/:title:output_ext"},
    {"pretty", "/:categories/:year/:month/:day/:title/"},
    {"ordinal", "/:categories/:year/:y_day/:title:output_ext"},
    {"weekdate", "/:categories/:year/W:week/:short_day/:title:output_ext"},
    {"none", "/:categories/:title:output_ext"},
};

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day of the year, 1 to 366. */
static int year_day(const struct permalink_post *p)
{
	static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int m = p->month >= 1 && p->month <= 12 ? p->month : 1;
	return before[m - 1] + p->day + (m > 2 && leap(p->year));
}

/* Day of the week, 0 = Sunday (Sakamoto's method over the proleptic Gregorian calendar). */
static int week_day(const struct permalink_post *p)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	int y = p->year, m = p->month >= 1 && p->month <= 12 ? p->month : 1;
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + p->day) % 7;
}

/* ISO 8601 week number, as Ruby's strftime("%V") that Jekyll's :week uses. */
static int iso_week(const struct permalink_post *p)
{
	int wday = (week_day(p) + 6) % 7; /* 0 = Monday */
	int week = (year_day(p) - wday + 9) / 7;
	if (week < 1) {
		struct permalink_post dec = *p;
		dec.year--, dec.month = 12, dec.day = 31;
		return iso_week(&dec);
	}
	if (week == 53) {
		/* Week 53 only if the year's 31 December is a Thursday or later in the week. */
		struct permalink_post last = *p;
		last.month = 12, last.day = 31;
		if ((week_day(&last) + 6) % 7 < 3)
			return 1;
	}
	return week;
}

/*
 * c in lower case.  A function rather than tolower() inline: glibc's
 * tolower macro is a conditional expression that counts against every
 * function it appears in.
 */
static char lower(unsigned char c)
{
	return (char)tolower(c);
}

/* Appends the categories, lower case, joined by '/'. */
static void put_categories(struct buf *out, json_t *categories)
{
	size_t i;
	json_t *c;
	size_t start = out->len;
	json_array_foreach(categories, i, c)
	{
		const char *name = json_string_value(c);
		if (name == NULL || *name == '\0')
			continue;
		if (out->len > start)
			buf_putc(out, '/');
		for (const char *s = name; *s; s++)
			buf_putc(out, lower((unsigned char)*s));
	}
}

/* A slug of text: lower case, runs of other than letters and digits as one '-'. */
static void put_slug(struct buf *out, const char *text)
{
	bool gap = false;
	size_t start = out->len;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (isalnum(*s) || *s >= 0x80) {
			if (gap && out->len > start)
				buf_putc(out, '-');
			gap = false;
			buf_putc(out, lower(*s));
		} else {
			gap = true;
		}
	}
}

/* Jekyll's placeholders (permalink.h says what each is). */
enum placeholder {
	PH_YEAR,
	PH_SHORT_YEAR,
	PH_MONTH,
	PH_I_MONTH,
	PH_SHORT_MONTH,
	PH_LONG_MONTH,
	PH_DAY,
	PH_I_DAY,
	PH_Y_DAY,
	PH_WEEK,
	PH_SHORT_DAY,
	PH_LONG_DAY,
	PH_HOUR,
	PH_MINUTE,
	PH_SECOND,
	PH_TITLE,
	PH_SLUG,
	PH_CATEGORIES,
	PH_OUTPUT_EXT,
};

static const struct {
	const char *name;
	enum placeholder ph;
} placeholders[] = {
    {"year", PH_YEAR},
    {"short_year", PH_SHORT_YEAR},
    {"month", PH_MONTH},
    {"i_month", PH_I_MONTH},
    {"short_month", PH_SHORT_MONTH},
    {"long_month", PH_LONG_MONTH},
    {"day", PH_DAY},
    {"i_day", PH_I_DAY},
    {"y_day", PH_Y_DAY},
    {"week", PH_WEEK},
    {"short_day", PH_SHORT_DAY},
    {"long_day", PH_LONG_DAY},
    {"hour", PH_HOUR},
    {"minute", PH_MINUTE},
    {"second", PH_SECOND},
    {"title", PH_TITLE},
    {"name", PH_TITLE},
    {"slug", PH_SLUG},
    {"categories", PH_CATEGORIES},
    {"output_ext", PH_OUTPUT_EXT},
};

/* Appends the value of placeholder ph for post p. */
static void put_value(struct buf *out, enum placeholder ph, const struct permalink_post *p)
{
	int month = p->month >= 1 && p->month <= 12 ? p->month : 1;
	const char *title = p->title ? p->title : p->slug;
	switch (ph) {
	case PH_YEAR: buf_printf(out, "%04d", p->year); break;
	case PH_SHORT_YEAR: buf_printf(out, "%02d", p->year % 100); break;
	case PH_MONTH: buf_printf(out, "%02d", month); break;
	case PH_I_MONTH: buf_printf(out, "%d", month); break;
	case PH_SHORT_MONTH: buf_printf(out, "%.3s", month_names[month - 1]); break;
	case PH_LONG_MONTH: buf_puts(out, month_names[month - 1]); break;
	case PH_DAY: buf_printf(out, "%02d", p->day); break;
	case PH_I_DAY: buf_printf(out, "%d", p->day); break;
	case PH_Y_DAY: buf_printf(out, "%03d", year_day(p)); break;
	case PH_WEEK: buf_printf(out, "%02d", iso_week(p)); break;
	case PH_SHORT_DAY: buf_printf(out, "%.3s", day_names[week_day(p)]); break;
	case PH_LONG_DAY: buf_puts(out, day_names[week_day(p)]); break;
	case PH_HOUR: buf_printf(out, "%02d", p->hour); break;
	case PH_MINUTE: buf_printf(out, "%02d", p->minute); break;
	case PH_SECOND: buf_printf(out, "%02d", p->second); break;
	case PH_TITLE: buf_puts(out, title); break;
	case PH_SLUG: put_slug(out, title); break;
	case PH_CATEGORIES: put_categories(out, p->categories); break;
	case PH_OUTPUT_EXT: buf_puts(out, ".html"); break;
	}
}

/*
 * Appends the value of the placeholder name[0..n); false if there is no
 * such placeholder.
 */
static bool put_placeholder(struct buf *out, const char *name, size_t n,
                            const struct permalink_post *p)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(placeholders); i++) {
		if (strlen(placeholders[i].name) == n &&
		    memcmp(name, placeholders[i].name, n) == 0) {
			put_value(out, placeholders[i].ph, p);
			return true;
		}
	}
	return false;
}

/* Drops the empty segments an empty placeholder left ("//2016" -> "/2016"). */
static void squeeze_slashes(struct buf *b, size_t from)
{
	size_t k = from;
	for (size_t i = from; i < b->len; i++)
		if (!(b->data[i] == '/' && k > from && b->data[k - 1] == '/'))
			b->data[k++] = b->data[i];
	b->len = k;
	if (b->data)
		b->data[k] = '\0';
}

int permalink_expand(const char *pattern, const struct permalink_post *p, struct buf *out,
                     const char **bad)
{
	*bad = NULL;
	for (size_t i = 0; i < GZ_ARRAY_LEN(styles); i++)
		if (strcmp(pattern, styles[i].name) == 0)
			pattern = styles[i].pattern;
	size_t start = out->len;
	if (pattern[0] != '/')
		buf_putc(out, '/');
	for (const char *s = pattern; *s;) {
		if (*s != ':') {
			buf_putc(out, *s++);
			continue;
		}
		size_t n = 1;
		while (s[n] == '_' || isalnum((unsigned char)s[n]))
			n++;
		if (!put_placeholder(out, s + 1, n - 1, p)) {
			*bad = s;
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return -1;
		}
		s += n;
	}
	squeeze_slashes(out, start);
	return 0;
}

/* Reads n digits at s into *v; false if they are not all digits. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int permalink_date(const char *text, struct permalink_post *p)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (text == NULL || strlen(text) < 10 || !digits(text, 4, &y) || text[4] != '-' ||
	    !digits(text + 5, 2, &mo) || text[7] != '-' || !digits(text + 8, 2, &d) || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return -1;
	const char *t = text + 10;
	if ((*t == ' ' || *t == 'T' || *t == 't') && digits(t + 1, 2, &h) && t[3] == ':' &&
	    digits(t + 4, 2, &mi)) {
		if (t[6] != ':' || !digits(t + 7, 2, &sec))
			sec = 0;
	} else {
		h = mi = 0;
	}
	p->year = y, p->month = mo, p->day = d;
	p->hour = h, p->minute = mi, p->second = sec;
	return 0;
}
