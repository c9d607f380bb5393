/* log.c: CLI diagnostics and timestamped server log lines. */
#include "gazette/base/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level max_level = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > max_level)
		return;

	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* One fprintf per line so that lines from threads do not interleave. */
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s gazette[%s]: %s\n", stamp, level_names[level], msg);
}

void diag_clear(struct diag *d)
{
	d->file[0] = '\0';
	d->line = 0;
	d->msg[0] = '\0';
}

void diag_set(struct diag *d, unsigned line, const char *fmt, ...)
{
	va_list ap;
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

void diag_set_file(struct diag *d, const char *file)
{
	snprintf(d->file, sizeof d->file, "%s", file);
}

void diag_print(const struct diag *d)
{
	if (d->file[0] && d->line)
		fprintf(stderr, "gazette: %s:%u: %s\n", d->file, d->line, d->msg);
	else if (d->file[0])
		fprintf(stderr, "gazette: %s: %s\n", d->file, d->msg);
	else
		fprintf(stderr, "gazette: %s\n", d->msg);
}

void diag_list_clear(struct diag_list *l)
{
	l->n = 0;
	l->total = 0;
}

void diag_list_add(struct diag_list *l, const struct diag *d)
{
	if (l->n < DIAG_LIST_MAX)
		l->items[l->n++] = *d;
	l->total++;
}

void diag_list_print(const struct diag_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		diag_print(&l->items[i]);
	if (l->total > l->n)
		fprintf(stderr, "gazette: ... and %u more\n", l->total - l->n);
}

void cli_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "gazette: %s\n", msg);
}
