/*
 * date.h: dates as authors write them and as HTTP, feeds and people read them.
 * All times are seconds since the epoch, UTC.
 */
#ifndef GAZETTE_DATE_H
#define GAZETTE_DATE_H

#include <stdint.h>

/*
 * Parses the dates found in Hugo and Jekyll front matter:
 *   2025-02-04                      (00:00 UTC)
 *   2025-02-04T10:00:00Z            (RFC 3339; 't'/'z' too, fractions of a second ignored)
 *   2025-02-04T10:00:00+05:30       2025-02-04T10:00+0530
 *   2025-02-04 10:00:00             (no zone: UTC)
 *   2018-09-19 18:00:00 +0530       2013-07-25 09:08:38 +02:00  ... UTC, GMT, Z
 *   2023-01-29 18:30:22 2023 -0800  (a repeated year, as some Jekyll posts have)
 * with surrounding spaces allowed.  Fields are range-checked (month 1-12,
 * day within the month with leap years, hour 0-23, minute 0-59, second
 * 0-60, zone offset below 24h).  Returns 0 and sets *out, or -1.
 */
int date_parse(const char *s, int64_t *out);

/* "2025-02-04T10:00:00Z" */
void date_format_rfc3339(int64_t t, char out[32]);
/* "4 February 2025" */
void date_format_human(int64_t t, char out[48]);
/* The month t falls in: "February 2025" (the archive's headings) */
void date_format_month(int64_t t, char out[48]);
/* IMF-fixdate, "Tue, 04 Feb 2025 10:00:00 GMT" (HTTP dates, RSS) */
void date_format_http(int64_t t, char out[40]);
/*
 * Parses an HTTP date (IMF-fixdate; also RFC 850 and asctime forms, as
 * RFC 9110 asks of recipients).  Returns 0 and sets *out, or -1.
 */
int date_parse_http(const char *s, int64_t *out);

/* Days since 1970-01-01 for a proleptic Gregorian date (no range check). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
