/* accesslog.c: the access log; see accesslog.h. */
#include "gazette/base/accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gazette/base/log.h"
#include "gazette/base/util.h"

static char *log_path; /* NULL: stderr */
static atomic_int log_fd = -1;
/* The descriptor a reopen replaced: closed at the next reopen, when no write can still use it. */
static int retired_fd = -1;

static int open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int accesslog_open(const char *path)
{
	if (path == NULL)
		return 0;
	if (strcmp(path, "-") == 0) {
		atomic_store(&log_fd, STDERR_FILENO);
		return 0;
	}
	int fd = open_file(path);
	if (fd < 0) {
		cli_error("--access-log %s: %s", path, strerror(errno));
		return -1;
	}
	log_path = xstrdup(path);
	atomic_store(&log_fd, fd);
	return 0;
}

void accesslog_reopen(void)
{
	if (log_path == NULL)
		return;
	int fd = open_file(log_path);
	if (fd < 0) {
		log_msg(LOG_ERROR, "reopening the access log %s: %s", log_path, strerror(errno));
		return;
	}
	if (retired_fd >= 0)
		close(retired_fd);
	retired_fd = atomic_exchange(&log_fd, fd);
	log_msg(LOG_INFO, "access log reopened");
}

void accesslog_close(void)
{
	int fd = atomic_exchange(&log_fd, -1);
	if (log_path && fd >= 0)
		close(fd);
	if (retired_fd >= 0)
		close(retired_fd);
	retired_fd = -1;
	free(log_path);
	log_path = NULL;
}

/* Appends s as a log field: printable ASCII as it is, '"' '\' and the rest as \xHH. */
static size_t put_escaped(char *out, size_t at, size_t cap, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; s && s[i] && i < max && at + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[at++] = (char)c;
		} else {
			out[at++] = '\\';
			out[at++] = 'x';
			out[at++] = hex[c >> 4];
			out[at++] = hex[c & 15];
		}
	}
	return at;
}

bool accesslog_on(void)
{
	return atomic_load_explicit(&log_fd, memory_order_relaxed) >= 0;
}

void accesslog_write(const struct access_entry *e)
{
	int fd = atomic_load(&log_fd);
	if (fd < 0)
		return;

	char line[4096], stamp[40];
	struct tm tm;
	time_t t = (time_t)e->when;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%d/%b/%Y:%H:%M:%S +0000", &tm);

	size_t at = (size_t)snprintf(line, sizeof line, "%s - - [%s] \"", e->client, stamp);
	at = put_escaped(line, at, sizeof line - 512, e->method, 32);
	line[at++] = ' ';
	at = put_escaped(line, at, sizeof line - 512, e->target, 2048);
	line[at++] = ' ';
	at = put_escaped(line, at, sizeof line - 512, e->version, 16);
	at += (size_t)snprintf(line + at, sizeof line - at, "\" %u ", e->status);
	if (e->bytes)
		at += (size_t)snprintf(line + at, sizeof line - at, "%zu \"", e->bytes);
	else
		at += (size_t)snprintf(line + at, sizeof line - at, "- \"");
	at = put_escaped(line, at, sizeof line - 128, e->referer ? e->referer : "-", 512);
	line[at++] = '"';
	line[at++] = ' ';
	line[at++] = '"';
	at = put_escaped(line, at, sizeof line - 32, e->user_agent ? e->user_agent : "-", 512);
	at += (size_t)snprintf(line + at, sizeof line - at, "\" %.6f\n", e->seconds);
	if (at >= sizeof line)
		at = sizeof line - 1;

	/* One write of an O_APPEND file: lines from threads never interleave. */
	while (write(fd, line, at) < 0 && errno == EINTR)
		;
}
