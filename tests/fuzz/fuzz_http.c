/*
 * fuzz_http.c: the whole request path, through the real server.
 *
 * Once per process, LLVMFuzzerInitialize() starts `gazette serve` as
 * serve_run() in a background thread: a fresh database in a temporary
 * folder (created with the built-in sample site), a listening socket on
 * 127.0.0.1 made here and passed the way systemd passes one (fd 3,
 * LISTEN_PID, LISTEN_FDS), two worker threads and the public URL
 * https://example.org/blog.  The server runs until the process ends;
 * a sanitizer report in any of its threads ends the fuzzer with it.
 *
 * Each input is raw bytes on a new TCP connection (so one or several
 * pipelined requests, or anything else), then a half-close.  The answer
 * is read and split into responses, which must each start with
 * "HTTP/1.x NNN".  Findings: a 5xx other than 503 (overloaded) and 505
 * (an HTTP version the server does not speak, which is the right answer
 * to one); an HTML answer without its security headers; a <script>
 * element in HTML other than the JSON-LD block.
 *
 * libmicrohttpd 0.9.75 does not notice a half-closed connection that is
 * idle, so the end of the answer is not always an EOF: the harness counts
 * the blank lines of the input (no request can be answered without one)
 * and stops once that many responses have come, or when the server has
 * said nothing for a while (see the WAIT_* times).  Connections are
 * closed with a reset so that the server forgets them at once.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gazette/http/guard.h"
#include "gazette/cmd/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Milliseconds to wait for: a response a request may still bring (answers
 * take about a millisecond under ASan; a search of an empty cache, tens)
 */
#define WAIT_ANSWER 150
/* ... an early error answer to an input without a complete header block */
#define WAIT_EARLY 5
/* ... the missing body of a response that may answer a HEAD request */
#define WAIT_HEAD_BODY 30
/* Bytes of the answer kept for checking; the rest is read and dropped. */
#define ANSWER_MAX (4u << 20)

/*
 * Known findings (README.md, "Findings"), tolerated so that the harness
 * keeps fuzzing past them (-D...=0 to see them); set to 0 once they are fixed, and their
 * regress-* seeds guard the fix.
 *   KNOWN_MHD_DUP_HEADERS: libmicrohttpd 0.9.75 sends the header block of
 *     its own 400/413 answer to a bad Content-Length twice.
 */
#ifndef KNOWN_MHD_DUP_HEADERS
#define KNOWN_MHD_DUP_HEADERS 1 /* libmicrohttpd 0.9.75 itself: cannot be fixed here */
#endif

/* Answers seen, by status class (1xx..5xx), and inputs that got none: printed at exit. */
static unsigned long by_class[6], unanswered, refused;

static struct sockaddr_in server_addr;
static char tmp_dir[256];
static struct serve_options opts;

static void remove_tmp(void)
{
	static const char *const files[] = {"site.db", "site.db-wal", "site.db-shm"};
	char path[512];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp_dir, files[i]);
		unlink(path);
	}
	rmdir(tmp_dir);
}

static void print_stats(void)
{
	fprintf(stderr,
	        "fuzz_http: answers 1xx %lu, 2xx %lu, 3xx %lu, 4xx %lu, 5xx %lu (503: %lu); "
	        "inputs with no answer %lu\n",
	        by_class[1], by_class[2], by_class[3], by_class[4], by_class[5], refused,
	        unanswered);
}

static void *server_main(void *arg)
{
	(void)arg;
	int rc = serve_run(&opts);
	fprintf(stderr, "fuzz_http: serve_run returned %d: the server is gone\n", rc);
	abort();
}

/*
 * Connects to the server from a loopback address of its own (127.B.A.1,
 * a new one each time): thousands of connections a second from one
 * address reuse client ports whose last connection the server still holds
 * in TIME_WAIT, and a SYN to such a port waits a second for a retry.
 * Returns the socket, or -1 if the server refuses (errno set).
 */
static int connect_server(void)
{
	static unsigned counter;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("fuzz_http: socket");
		abort();
	}
	counter++;
	unsigned a = 1 + counter % 250, b = 1 + (counter / 250) % 250;
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
	src.sin_addr.s_addr = htonl(0x7f000001u | (b << 16) | (a << 8));
	bind(fd, (struct sockaddr *)&src, sizeof src); /* if it fails, any address will do */

	if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) < 0) {
		/* A signal (libFuzzer's timer) may interrupt it: the attempt goes on. */
		int err = errno;
		if (err == EINTR) {
			struct pollfd p = {fd, POLLOUT, 0};
			int rc;
			while ((rc = poll(&p, 1, 10000)) < 0 && errno == EINTR)
				;
			socklen_t len = sizeof err;
			if (rc != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = ETIMEDOUT; /* else the outcome: 0 or why it failed */
		}
		if (err) {
			close(fd);
			errno = err;
			return -1;
		}
	}
	/* close() sends a reset: the server drops the connection at once. */
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	return fd;
}

/* Waits until /healthz answers 200 (the sample database is being made). */
static void wait_ready(void)
{
	static const char req[] =
	    "GET /healthz HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
	for (int i = 0; i < 600; i++) {
		int fd = connect_server();
		if (fd >= 0) {
			char buf[64] = {0};
			ssize_t got = -1;
			if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) ==
			    (ssize_t)(sizeof req - 1)) {
				struct pollfd p = {fd, POLLIN, 0};
				if (poll(&p, 1, 1000) == 1)
					got = recv(fd, buf, sizeof buf - 1, 0);
			}
			close(fd);
			if (got > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0)
				return;
		}
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	fprintf(stderr, "fuzz_http: the server did not become ready in 60 s\n");
	abort();
}

static bool started;

/* True if libFuzzer was asked only to run other processes (-jobs=N, -fork=N). */
static bool orchestrating(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if ((strncmp(argv[i], "-jobs=", 6) == 0 && atoi(argv[i] + 6) > 0) ||
		    (strncmp(argv[i], "-fork=", 6) == 0 && atoi(argv[i] + 6) > 0))
			return true;
	return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The processes it starts run their own servers; this one needs none. */
	if (orchestrating(*argc, *argv))
		return 0;
	/* The listening socket goes to fd 3, as systemd passes it; 3 must be free. */
	if (fcntl(3, F_GETFD) != -1) {
		fprintf(stderr,
		        "fuzz_http: file descriptor 3 is already open; run the harness "
		        "without extra descriptors (it passes the listening socket as fd 3)\n");
		abort();
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 512) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&server_addr, &alen) < 0) {
		perror("fuzz_http: listening socket");
		abort();
	}
	if (lfd != 3) {
		if (dup2(lfd, 3) < 0) {
			perror("fuzz_http: dup2");
			abort();
		}
		close(lfd);
	}
	char pid[32];
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	unsetenv("LISTEN_FDNAMES");
	unsetenv("NOTIFY_SOCKET");

	const char *tmp = getenv("TMPDIR");
	snprintf(tmp_dir, sizeof tmp_dir, "%s/gazette-fuzz-http.XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		perror("fuzz_http: mkdtemp");
		abort();
	}
	atexit(remove_tmp);
	atexit(print_stats);
	static char db_path[300];
	snprintf(db_path, sizeof db_path, "%s/site.db", tmp_dir);

	opts.db_path = db_path;
	opts.listen = "127.0.0.1:0"; /* not used: the passed socket is */
	opts.public_url = "https://example.org/blog";
	opts.threads = 2;
	opts.cache_mib = 8;
	/* The limits of `gazette serve` as it ships (guard.h). */
	opts.limits = (struct guard_limits)GUARD_DEFAULT_LIMITS;

	pthread_t t;
	if (pthread_create(&t, NULL, server_main, NULL) != 0) {
		fprintf(stderr, "fuzz_http: cannot start the server thread\n");
		abort();
	}
	pthread_detach(t);
	wait_ready();
	started = true;
	fprintf(stderr, "fuzz_http: gazette is serving %s on 127.0.0.1:%u\n", db_path,
	        ntohs(server_addr.sin_port));
	return 0;
}

/* Blank lines of the input: each request's header block ends with one. */
static size_t count_blank_lines(const uint8_t *d, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (d[i] != '\n')
			continue;
		size_t j = i + 1;
		if (d[j] == '\r')
			j++;
		if (j < n && d[j] == '\n') {
			count++;
			i = j;
		}
	}
	return count;
}

static const char *find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

/* The value of header name (case-insensitive) in the header block h[0..n), or NULL. */
static const char *header_value(const char *h, size_t n, const char *name, size_t *vlen)
{
	size_t m = strlen(name);
	for (const char *line = h; line < h + n;) {
		const char *eol = find(line, (size_t)(h + n - line), "\r\n");
		size_t len = eol ? (size_t)(eol - line) : (size_t)(h + n - line);
		if (len > m && line[m] == ':' && fuzz_memcasemem(line, m, name) == line) {
			const char *v = line + m + 1;
			while (v < line + len && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(line + len - v);
			return v;
		}
		line += len + 2;
	}
	return NULL;
}

struct answer {
	const uint8_t *input; /* for the report */
	size_t input_len;
	bool has_head;  /* the input may hold a HEAD request: bodies may be absent */
	size_t expect;  /* responses to expect at most: the input's blank lines */
	size_t finals;  /* complete responses other than 1xx */
	bool head_wait; /* the last parse stopped at a body that HEAD would not have */
	bool counted;   /* the response being parsed is in by_class[] */
};

/* Reports a finding about the response r[0..n) and aborts with the input. */
__attribute__((noreturn)) static void finding(const struct answer *ans, const char *what,
                                              const char *r, size_t n)
{
	fprintf(stderr, "\nfuzz_http: FINDING: %s\nfuzz_http: response: \"", what);
	for (size_t i = 0; i < n && i < 600; i++) {
		unsigned char c = (unsigned char)r[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\"%s\n", n > 600 ? " ..." : "");
	fuzz_fail(what, (const char *)ans->input, ans->input_len);
}

/* Checks an HTML body against the page rules of the issue. */
static void check_html(const struct answer *ans, const char *resp, size_t rn, const char *h,
                       size_t hn, const char *body, size_t bn)
{
	size_t vl;
	const char *v = header_value(h, hn, "X-Content-Type-Options", &vl);
	if (v == NULL || vl < 7 || fuzz_memcasemem(v, vl, "nosniff") == NULL)
		finding(ans, "an HTML answer without X-Content-Type-Options: nosniff", resp, rn);
	v = header_value(h, hn, "Content-Security-Policy", &vl);
	if (v == NULL || find(v, vl, "frame-ancestors 'none'") == NULL)
		finding(ans,
		        "an HTML answer without a Content-Security-Policy with "
		        "frame-ancestors 'none'",
		        resp, rn);
	for (const char *s = body; s < body + bn;) {
		const char *tag = fuzz_memcasemem(s, (size_t)(body + bn - s), "<script");
		if (tag == NULL)
			break;
		static const char ld[] = "<script type=\"application/ld+json\">";
		if ((size_t)(body + bn - tag) < sizeof ld - 1 ||
		    memcmp(tag, ld, sizeof ld - 1) != 0)
			finding(ans, "a <script> element in an HTML answer", tag,
			        (size_t)(body + bn - tag));
		s = tag + 7;
	}
}

/*
 * Parses one response from r[0..n).  Returns its length once it is
 * complete, 0 if more bytes are needed.  eof: no more will come.
 */
static size_t parse_response(struct answer *ans, const char *r, size_t n, bool eof)
{
	static const char prefix[] = "HTTP/1.";
	size_t p = n < 7 ? n : 7;
	if (memcmp(r, prefix, p) != 0)
		finding(ans, "an answer that does not start with \"HTTP/1.\"", r, n);
	if (n < 13)
		return 0;
	if (!(r[7] >= '0' && r[7] <= '9') || r[8] != ' ' || !(r[9] >= '1' && r[9] <= '5') ||
	    !(r[10] >= '0' && r[10] <= '9') || !(r[11] >= '0' && r[11] <= '9') ||
	    (r[12] != ' ' && r[12] != '\r'))
		finding(ans, "a status line that is not \"HTTP/1.x NNN\"", r, n);
	unsigned status = (unsigned)((r[9] - '0') * 100 + (r[10] - '0') * 10 + (r[11] - '0'));
	if (status >= 500 && status != 503 && status != 505)
		finding(ans, "a 5xx answer (server error)", r, n);
	if (eof || find(r, n, "\r\n\r\n")) {
		/* Counted once, when its header block is complete (or the connection ends). */
		if (!ans->counted) {
			by_class[status / 100]++;
			refused += status == 503;
			ans->counted = true;
		}
	}

	const char *end = find(r, n, "\r\n\r\n");
	if (end == NULL) {
		if (n > 256 * 1024)
			finding(ans, "an answer with more than 256 KiB of headers", r, n);
		return 0;
	}
	const char *h = r, *body = end + 4;
	size_t hn = (size_t)(end - r), avail = (size_t)(r + n - body), blen = 0;
	if (avail < hn + 4 && memcmp(body, r, avail) == 0 && status >= 400 && avail > 0)
		return 0; /* perhaps the header block again: wait for all of it */
	if (KNOWN_MHD_DUP_HEADERS && status >= 400 && avail >= hn + 4 &&
	    memcmp(body, r, hn + 4) == 0) {
		body += hn + 4;
		avail -= hn + 4;
	}
	size_t vl;
	const char *v;

	ans->head_wait = false;
	if (status < 200 || status == 204 || status == 304) {
		blen = 0;
	} else if ((v = header_value(h, hn, "Transfer-Encoding", &vl)) != NULL &&
	           fuzz_memcasemem(v, vl, "chunked")) {
		/* Chunks: SIZE\r\n DATA\r\n ... 0\r\n\r\n (no trailers from this server). */
		size_t at = 0;
		for (;;) {
			const char *eol = find(body + at, avail - at, "\r\n");
			if (eol == NULL)
				return 0;
			char *stop;
			unsigned long sz = strtoul(body + at, &stop, 16);
			if (stop == body + at)
				finding(ans, "a bad chunk size", r, n);
			at = (size_t)(eol - body) + 2;
			if (sz > avail - at || avail - at - sz < 2)
				return 0;
			at += sz + 2;
			if (sz == 0)
				break;
		}
		blen = at;
	} else if ((v = header_value(h, hn, "Content-Length", &vl)) != NULL) {
		blen = (size_t)strtoull(v, NULL, 10);
		/*
		 * A HEAD answer has the length but no body: the next response may
		 * follow at once (no body of this server starts with "HTTP/1."), or
		 * nothing (the end, or the last response expected).
		 */
		if (ans->has_head && blen > 0 &&
		    ((avail >= 7 && memcmp(body, prefix, 7) == 0) ||
		     (avail == 0 && (eof || ans->finals + 1 >= ans->expect)))) {
			blen = 0;
		} else if (avail < blen) {
			ans->head_wait = ans->has_head && avail == 0;
			return 0;
		}
	} else {
		/* No length: the body runs to the end of the connection. */
		if (!eof)
			return 0;
		blen = avail;
	}
	if (status >= 200)
		ans->finals++;
	ans->counted = false; /* the next response is a new one */
	v = header_value(h, hn, "Content-Type", &vl);
	if (v && vl >= 9 && fuzz_memcasemem(v, vl, "text/html") == v && blen <= avail)
		check_html(ans, r, n, h, hn, body, blen);
	return (size_t)(body - r) + blen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *buf;
	if (!started) {
		fprintf(stderr, "fuzz_http: no server (started with -jobs or -fork?)\n");
		abort();
	}
	if (buf == NULL)
		buf = malloc(ANSWER_MAX);
	if (size == 0)
		return 0;

	int fd = connect_server();
	if (fd < 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "the server refuses connections (connect: %s)",
		         strerror(errno));
		fuzz_fail(msg, (const char *)data, size);
	}
	struct answer ans = {
	    .input = data,
	    .input_len = size,
	    .has_head = memmem(data, size, "HEAD", 4) != NULL,
	};
	size_t expect = ans.expect = count_blank_lines(data, size);

	/* Send it all (the server may stop reading and answer early: that is fine). */
	for (size_t sent = 0; sent < size;) {
		ssize_t k = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		sent += (size_t)k;
	}
	shutdown(fd, SHUT_WR);

	size_t len = 0, pos = 0;
	bool eof = false;
	for (;;) {
		size_t used;
		while (pos < len && (used = parse_response(&ans, buf + pos, len - pos, eof)) > 0)
			pos += used;
		if (eof)
			break;
		int wait;
		if (pos == len && ans.finals >= expect)
			wait = expect == 0 && ans.finals == 0 ? WAIT_EARLY : 0;
		else
			wait = ans.head_wait ? WAIT_HEAD_BODY : WAIT_ANSWER;
		if (wait == 0)
			break;
		struct pollfd p = {fd, POLLIN, 0};
		int rc = poll(&p, 1, wait);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		char tmp[65536];
		ssize_t got = recv(fd, tmp, sizeof tmp, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			eof = true; /* closed, or reset after a refusal */
			continue;
		}
		size_t keep = (size_t)got < ANSWER_MAX - len ? (size_t)got : ANSWER_MAX - len;
		memcpy(buf + len, tmp, keep);
		len += keep;
	}
	if (len == 0)
		unanswered++;
	close(fd);
	return 0;
}
