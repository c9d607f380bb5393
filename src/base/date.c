/*
 * date.c: front matter dates, HTTP dates and dates for readers.
 *
 * Everything is computed from the civil calendar by hand: timegm() is not
 * in C11 or POSIX, and strptime() and strftime() follow the locale.
 */
#include "gazette/base/date.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the years we handle. */
#define DATE_MIN (-62135596800LL)
#define DATE_MAX 253402300799LL

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

static const char *const day_names[7] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

/*
 * Counts days in eras of 400 years (146097 days each, the Gregorian
 * cycle), with years starting on 1 March so that the leap day is the
 * last day of its year and the month lengths follow a simple formula.
 */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	if (m <= 2)
		y--;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                          /* 0..399 */
	int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */
	return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

/* The inverse of date_days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* A broken-down UTC time, as the formatters need it. */
struct civil {
	int64_t year;
	unsigned month, day, hour, min, sec;
	unsigned wday; /* 0 = Sunday */
};

/* Splits t, clamped to years 1-9999 so that every field fits the outputs. */
static void split_time(int64_t t, struct civil *c)
{
	if (t < DATE_MIN)
		t = DATE_MIN;
	if (t > DATE_MAX)
		t = DATE_MAX;

	int64_t days = t / SECS_PER_DAY, secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (unsigned)(secs / 3600);
	c->min = (unsigned)(secs / 60 % 60);
	c->sec = (unsigned)(secs % 60);
	/* 1970-01-01 was a Thursday. */
	c->wday = (unsigned)(((days % 7) + 7 + 4) % 7);
}

void date_format_rfc3339(int64_t t, char out[32])
{
	struct civil c;
	split_time(t, &c);
	snprintf(out, 32, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)c.year, c.month, c.day, c.hour,
	         c.min, c.sec);
}

void date_format_human(int64_t t, char out[48])
{
	struct civil c;
	split_time(t, &c);
	snprintf(out, 48, "%u %s %d", c.day, month_names[c.month - 1], (int)c.year);
}

void date_format_month(int64_t t, char out[48])
{
	struct civil c;
	split_time(t, &c);
	snprintf(out, 48, "%s %d", month_names[c.month - 1], (int)c.year);
}

void date_format_http(int64_t t, char out[40])
{
	struct civil c;
	split_time(t, &c);
	snprintf(out, 40, "%.3s, %02u %.3s %04d %02u:%02u:%02u GMT", day_names[c.wday], c.day,
	         month_names[c.month - 1], (int)c.year, c.hour, c.min, c.sec);
}

/* A cursor over the text being parsed. */
struct scan {
	const char *p, *end;
};

static bool at_end(const struct scan *sc)
{
	return sc->p >= sc->end;
}

static bool peek(const struct scan *sc, char c)
{
	return sc->p < sc->end && *sc->p == c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Consumes c if it comes next. */
static bool accept(struct scan *sc, char c)
{
	if (!peek(sc, c))
		return false;
	sc->p++;
	return true;
}

/* Consumes the string lit if it comes next. */
static bool accept_str(struct scan *sc, const char *lit)
{
	const char *q = sc->p;
	for (; *lit; lit++, q++)
		if (q >= sc->end || *q != *lit)
			return false;
	sc->p = q;
	return true;
}

/* Consumes spaces and tabs; returns how many. */
static size_t skip_blanks(struct scan *sc)
{
	size_t n = 0;
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t')) {
		sc->p++;
		n++;
	}
	return n;
}

/* Reads exactly n digits as a number in [min, max]. */
static bool digits(struct scan *sc, unsigned n, unsigned min, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if ((size_t)(sc->end - sc->p) < n)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (!is_digit(sc->p[i]))
			return false;
		v = v * 10 + (unsigned)(sc->p[i] - '0');
	}
	/* "2025-02-045" must not read as day 04 followed by junk we skip. */
	if (sc->end - sc->p > (ptrdiff_t)n && is_digit(sc->p[n]))
		return false;
	if (v < min || v > max)
		return false;
	sc->p += n;
	*out = v;
	return true;
}

/*
 * Reads "HH:MM:SS" into secs of the day.  With front_matter, the seconds
 * are optional and may carry a fraction, which is ignored.
 */
static bool clock_time(struct scan *sc, bool front_matter, int64_t *secs)
{
	unsigned h, m, s = 0;

	if (!digits(sc, 2, 0, 23, &h) || !accept(sc, ':') || !digits(sc, 2, 0, 59, &m))
		return false;
	if (accept(sc, ':')) {
		if (!digits(sc, 2, 0, 60, &s))
			return false;
		if (front_matter && accept(sc, '.')) {
			if (at_end(sc) || !is_digit(*sc->p))
				return false;
			while (!at_end(sc) && is_digit(*sc->p))
				sc->p++;
		}
	} else if (!front_matter) {
		return false;
	}
	*secs = (int64_t)h * 3600 + (int64_t)m * 60 + s;
	return true;
}

/*
 * Reads a zone: Z, z, UTC, GMT, or +HH, +HHMM, +HH:MM (or '-').  Sets the
 * offset east of UTC in seconds.
 */
static bool zone(struct scan *sc, int64_t *offset)
{
	if (accept(sc, 'Z') || accept(sc, 'z') || accept_str(sc, "UTC") || accept_str(sc, "GMT")) {
		*offset = 0;
		return true;
	}

	int sign;
	if (accept(sc, '+'))
		sign = 1;
	else if (accept(sc, '-'))
		sign = -1;
	else
		return false;

	unsigned h, m = 0;
	if (sc->end - sc->p >= 4 && is_digit(sc->p[2])) {
		/* +HHMM: digits() would refuse "0530" as two digits. */
		if (!digits(sc, 4, 0, 2359, &h) || h % 100 > 59)
			return false;
		m = h % 100;
		h /= 100;
	} else {
		if (!digits(sc, 2, 0, 23, &h))
			return false;
		if (accept(sc, ':') && !digits(sc, 2, 0, 59, &m))
			return false;
	}
	*offset = sign * ((int64_t)h * 3600 + (int64_t)m * 60);
	return true;
}

int date_parse(const char *s, int64_t *out)
{
	struct scan sc = {s, s + strlen(s)};
	unsigned year, month, day;
	int64_t secs = 0, offset = 0;

	while (sc.end > sc.p && (sc.end[-1] == ' ' || sc.end[-1] == '\t' || sc.end[-1] == '\n' ||
	                         sc.end[-1] == '\r'))
		sc.end--;
	skip_blanks(&sc);

	if (!digits(&sc, 4, 1, 9999, &year) || !accept(&sc, '-') ||
	    !digits(&sc, 2, 1, 12, &month) || !accept(&sc, '-') ||
	    !digits(&sc, 2, 1, days_in_month(year, month), &day))
		return -1;

	if (!at_end(&sc)) {
		/* A time follows, after 'T', 't' or spaces. */
		if (!accept(&sc, 'T') && !accept(&sc, 't') && skip_blanks(&sc) == 0)
			return -1;
		if (!clock_time(&sc, true, &secs))
			return -1;

		size_t blanks = skip_blanks(&sc);
		/* Some Jekyll posts repeat the year here, as date(1) prints it. */
		if (blanks > 0 && sc.end - sc.p >= 4 && is_digit(*sc.p)) {
			unsigned again;
			if (!digits(&sc, 4, 1, 9999, &again) || again != year)
				return -1;
			skip_blanks(&sc);
		}
		if (!at_end(&sc) && !zone(&sc, &offset))
			return -1;
		if (!at_end(&sc))
			return -1;
	}

	*out = date_days_from_civil(year, month, day) * SECS_PER_DAY + secs - offset;
	return 0;
}

/*
 * Reads one of names[0..n): its first len bytes, or all of it when len is
 * SIZE_MAX.  Case matters, as RFC 9110 says it does in HTTP dates.
 */
static bool name(struct scan *sc, const char *const *names, unsigned n, size_t len, unsigned *idx)
{
	for (unsigned i = 0; i < n; i++) {
		const char *q = names[i];
		size_t k = 0;
		while (k < len && q[k] && sc->p + k < sc->end && sc->p[k] == q[k])
			k++;
		if (k == len || (len == SIZE_MAX && q[k] == '\0')) {
			sc->p += k;
			*idx = i;
			return true;
		}
	}
	return false;
}

/*
 * A two-digit year of an RFC 850 date: RFC 9110 (section 5.6.7) has a
 * date that would be more than 50 years ahead taken from the past century.
 */
static unsigned rfc850_year(unsigned yy)
{
	time_t now = time(NULL);
	struct tm tm;
	int cur = 2000;

	if (gmtime_r(&now, &tm) != NULL)
		cur = tm.tm_year + 1900;
	int y = cur - cur % 100 + (int)yy;
	if (y > cur + 50)
		y -= 100;
	return (unsigned)y;
}

/* The fields of an HTTP date, whichever form it came in. */
struct http_date {
	unsigned year, month, day; /* month 0-11 */
	int64_t secs;
};

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
static bool imf_fixdate(struct scan *sc, struct http_date *d)
{
	unsigned wday;
	return name(sc, day_names, 7, 3, &wday) && accept_str(sc, ", ") &&
	       digits(sc, 2, 1, 31, &d->day) && accept(sc, ' ') &&
	       name(sc, month_names, 12, 3, &d->month) && accept(sc, ' ') &&
	       digits(sc, 4, 1, 9999, &d->year) && accept(sc, ' ') &&
	       clock_time(sc, false, &d->secs) && accept_str(sc, " GMT");
}

/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
static bool rfc850_date(struct scan *sc, struct http_date *d)
{
	unsigned wday, yy;
	if (!name(sc, day_names, 7, SIZE_MAX, &wday) || !accept_str(sc, ", ") ||
	    !digits(sc, 2, 1, 31, &d->day) || !accept(sc, '-') ||
	    !name(sc, month_names, 12, 3, &d->month) || !accept(sc, '-') ||
	    !digits(sc, 2, 0, 99, &yy) || !accept(sc, ' ') || !clock_time(sc, false, &d->secs) ||
	    !accept_str(sc, " GMT"))
		return false;
	d->year = rfc850_year(yy);
	return true;
}

/* asctime: "Sun Nov  6 08:49:37 1994", the day padded with a space. */
static bool asctime_date(struct scan *sc, struct http_date *d)
{
	unsigned wday;
	if (!name(sc, day_names, 7, 3, &wday) || !accept(sc, ' ') ||
	    !name(sc, month_names, 12, 3, &d->month) || !accept(sc, ' '))
		return false;
	if (accept(sc, ' ')) {
		if (!digits(sc, 1, 1, 9, &d->day))
			return false;
	} else if (!digits(sc, 2, 10, 31, &d->day)) {
		return false;
	}
	return accept(sc, ' ') && clock_time(sc, false, &d->secs) && accept(sc, ' ') &&
	       digits(sc, 4, 1, 9999, &d->year);
}

/*
 * The day of the week is checked to be a name but not against the date:
 * RFC 9110 gives no rule for a mismatch, and the date itself is what counts.
 */
int date_parse_http(const char *s, int64_t *out)
{
	struct scan sc = {s, s + strlen(s)};
	struct http_date d;
	bool ok;

	while (sc.end > sc.p && (sc.end[-1] == ' ' || sc.end[-1] == '\t'))
		sc.end--;
	skip_blanks(&sc);

	/* The character after the day name tells the three forms apart. */
	if (sc.end - sc.p > 3 && sc.p[3] == ',')
		ok = imf_fixdate(&sc, &d);
	else if (sc.end - sc.p > 3 && sc.p[3] == ' ')
		ok = asctime_date(&sc, &d);
	else
		ok = rfc850_date(&sc, &d);
	if (!ok || !at_end(&sc) || d.day > days_in_month(d.year, d.month + 1))
		return -1;
	*out = date_days_from_civil(d.year, d.month + 1, d.day) * SECS_PER_DAY + d.secs;
	return 0;
}
