/*
 * Unit tests for guard.c: connection limits, per-address counting, the
 * deadlines of each phase, the sweeper, the hit counters and their log.
 *
 * The guard takes a socket and the client's address separately, so the
 * addresses here are made up (documentation ranges) and the socket is one
 * end of a socketpair(): what the guard writes to a refused or late client
 * (503, 408) and when it shuts the socket are read at the other end.  The
 * phase functions take the time, so the deadlines are checked with made-up
 * times.  Two things run on the real clock and are waited for: the
 * sweeper (it looks twice a second) and the log's ten-second interval
 * (guard_hit() reads time() itself); the second costs this suite ten
 * seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "gazette/base/util.h"
#include "gazette/http/guard.h"
#include "gazette/http/proxy.h"

/* Trusted proxies (10.0.0.0/8): no limit per address (set up in main). */
static struct trust proxies;

/* A client: its end of the socketpair (peer), the guard's (fd), its state. */
struct peer {
	int fd, peer;
	struct guard_conn c;
	bool open;
};

/* A made-up address: "v4 text", "v6 text", "unix" or NULL (no address: local). */
static const struct sockaddr *address(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (text == NULL)
		return NULL;
	if (strcmp(text, "unix") == 0) {
		((struct sockaddr_un *)ss)->sun_family = AF_UNIX;
	} else if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return (const struct sockaddr *)ss;
}

/* Opens cl from addr; returns what guard_open() answered (0 or 503). */
static unsigned open_client(struct guard *g, struct peer *cl, const char *addr)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cl->fd = sv[0];
	cl->peer = sv[1];
	cl->open = true;
	struct sockaddr_storage ss;
	return guard_open(g, &cl->c, cl->fd, address(addr, &ss));
}

static void close_client(struct guard *g, struct peer *cl)
{
	if (!cl->open)
		return;
	guard_close(g, &cl->c);
	close(cl->fd);
	close(cl->peer);
	cl->open = false;
}

/*
 * What the client has been sent until the guard shut the socket, waiting
 * up to timeout_ms; NULL if it is still open by then.  free() the text.
 */
static char *read_to_eof(struct peer *cl, int timeout_ms)
{
	size_t cap = 1024, len = 0;
	char *text = xmalloc(cap);
	for (;;) {
		struct pollfd p = {.fd = cl->peer, .events = POLLIN};
		if (poll(&p, 1, timeout_ms) <= 0) {
			free(text);
			return NULL;
		}
		ssize_t n = read(cl->peer, text + len, cap - len - 1);
		if (n <= 0)
			break; /* end of file, or reset: shut either way */
		len += (size_t)n;
		if (len + 1 == cap)
			text = xrealloc(text, cap *= 2);
	}
	text[len] = '\0';
	return text;
}

/*
 * True once the guard has shut the client's socket for reading too (a
 * byte sent then fails), waiting up to timeout_ms.
 */
static bool shut_for_reading(struct peer *cl, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		if (send(cl->peer, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EPIPE)
			return true;
		usleep(50000);
	}
	return false;
}

/* True if the client's socket is still open and has nothing to read. */
static bool quiet(struct peer *cl)
{
	struct pollfd p = {.fd = cl->peer, .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

/* The whole answer the guard writes: status, Retry-After if any, text. */
static char *status_answer(const char *status, const char *extra, const char *text)
{
	char *out = xmalloc(512);
	snprintf(out, 512,
	         "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n%sConnection: close\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         status, extra, strlen(text), text);
	return out;
}

static const char PER_CLIENT_TEXT[] = "Too many connections from your address; try again soon.\n";
static const char BUSY_TEXT[] = "The server is busy; try again soon.\n";

/* A refused client read its 503 with this text, then end of file. */
static void assert_refused(struct peer *cl, const char *text)
{
	char *got = read_to_eof(cl, 2000);
	char *want = status_answer("503 Service Unavailable", "Retry-After: 5\r\n", text);
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("refused with\n%s\nexpected\n%s", got ? got : "(still open)", want);
	assert_true(cl->c.refused);
	free(got);
	free(want);
}

/* ---- limits and names ---------------------------------------------------- */

static void test_limits_and_names(void **state)
{
	(void)state;
	const struct guard_limits defaults = GUARD_DEFAULT_LIMITS;
	const struct {
		unsigned got, want;
	} flags[] = {
	    {defaults.max_uri, 8192},         {defaults.max_header_bytes, 16384},
	    {defaults.max_headers, 100},      {defaults.max_query_params, 32},
	    {defaults.max_param_bytes, 2048}, {defaults.max_connections, 1000},
	    {defaults.max_per_client, 256},   {defaults.header_timeout, 10},
	    {defaults.send_timeout, 60},      {defaults.idle_timeout, 30},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(flags); i++)
		assert_int_equal(flags[i].got, flags[i].want);

	struct guard_limits l = defaults;
	l.max_uri = 100;
	struct guard *g = guard_new(&l, NULL);
	l.max_uri = 200; /* the guard keeps its own copy */
	assert_int_equal(guard_limits(g)->max_uri, 100);
	assert_int_equal(guard_limits(g)->max_per_client, 256);

	/* The names /metrics labels the counters with. */
	static const struct {
		enum guard_limit which;
		const char *name;
	} names[] = {
	    {LIMIT_URI, "uri"},
	    {LIMIT_HEADER_BYTES, "header_bytes"},
	    {LIMIT_HEADER_COUNT, "header_count"},
	    {LIMIT_QUERY, "query"},
	    {LIMIT_BODY, "body"},
	    {LIMIT_CONNECTIONS, "connections"},
	    {LIMIT_PER_CLIENT, "connections_per_ip"},
	    {LIMIT_HEADER_TIMEOUT, "header_timeout"},
	    {LIMIT_SEND_TIMEOUT, "send_timeout"},
	    {LIMIT_IDLE_TIMEOUT, "idle_timeout"},
	    {LIMIT__COUNT, "unknown"},
	    {(enum guard_limit)99, "unknown"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++) {
		assert_string_equal(guard_limit_name(names[i].which), names[i].name);
		assert_int_equal(guard_hits(g, names[i].which), 0);
	}
	guard_hit(g, LIMIT__COUNT, NULL); /* out of range: nothing counted, nothing broken */
	assert_int_equal(guard_hits(g, LIMIT__COUNT), 0);
	guard_free(g);
	guard_free(NULL);
}

/* ---- counting connections ------------------------------------------------ */

static void test_per_address_limit(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	l.max_per_client = 2;
	struct guard *g = guard_new(&l, &proxies);
	static const struct {
		char op; /* 'o'pen or 'c'lose */
		int client;
		const char *addr;
		unsigned want; /* what guard_open answers */
	} steps[] = {
	    {'o', 0, "203.0.113.5", 0},
	    {'o', 1, "203.0.113.5", 0},
	    {'o', 2, "203.0.113.5", 503},
	    {'o', 3, "203.0.113.6", 0},          /* another address has places of its own */
	    {'o', 4, "::ffff:203.0.113.5", 503}, /* the same client over IPv6 */
	    {'c', 0, NULL, 0},                   /* a refused connection still counts ... */
	    {'o', 5, "203.0.113.5", 503},        /* ... until it is closed */
	    {'c', 2, NULL, 0},
	    {'c', 4, NULL, 0},
	    {'c', 5, NULL, 0},
	    {'o', 6, "203.0.113.5", 0},
	    {'o', 7, "203.0.113.5", 503},
	    {'o', 8, "2001:db8::1", 0},
	    {'o', 9, "2001:db8::1", 0},
	    {'o', 10, "2001:db8::1", 503},
	    {'o', 11, "2001:db8::2", 0},
	    /* Trusted proxies and local clients are not counted per address. */
	    {'o', 12, "10.1.2.3", 0},
	    {'o', 13, "10.1.2.3", 0},
	    {'o', 14, "10.1.2.3", 0},
	    {'o', 15, "10.1.2.3", 0},
	    {'o', 16, NULL, 0},
	    {'o', 17, NULL, 0},
	    {'o', 18, NULL, 0},
	    {'o', 19, "unix", 0},
	    {'o', 20, "unix", 0},
	    {'o', 21, "unix", 0},
	};
	struct peer cl[22] = {0};
	unsigned refused = 0;
	for (size_t i = 0; i < GZ_ARRAY_LEN(steps); i++) {
		struct peer *c = &cl[steps[i].client];
		if (steps[i].op == 'c') {
			close_client(g, c);
			continue;
		}
		unsigned got = open_client(g, c, steps[i].addr);
		if (got != steps[i].want)
			fail_msg("step %zu: %s answered %u, expected %u", i, steps[i].addr, got,
			         steps[i].want);
		if (got == 503) {
			refused++;
			assert_refused(c, PER_CLIENT_TEXT);
		} else {
			assert_false(c->c.refused);
			assert_true(quiet(c));
		}
		assert_int_equal(c->c.local,
		                 steps[i].addr == NULL || strcmp(steps[i].addr, "unix") == 0);
	}
	assert_int_equal(guard_hits(g, LIMIT_PER_CLIENT), refused);
	assert_int_equal(guard_hits(g, LIMIT_CONNECTIONS), 0);
	for (size_t i = 0; i < GZ_ARRAY_LEN(cl); i++)
		close_client(g, &cl[i]);

	/* Every place was given back: two again from the first address. */
	struct peer again[3] = {0};
	assert_int_equal(open_client(g, &again[0], "203.0.113.5"), 0);
	assert_int_equal(open_client(g, &again[1], "203.0.113.5"), 0);
	assert_int_equal(open_client(g, &again[2], "203.0.113.5"), 503);
	for (size_t i = 0; i < 3; i++)
		close_client(g, &again[i]);
	guard_free(g);

	/* 0: no limit per address. */
	l.max_per_client = 0;
	g = guard_new(&l, NULL);
	struct peer many[20] = {0};
	for (size_t i = 0; i < GZ_ARRAY_LEN(many); i++)
		assert_int_equal(open_client(g, &many[i], "203.0.113.5"), 0);
	for (size_t i = 0; i < GZ_ARRAY_LEN(many); i++)
		close_client(g, &many[i]);
	assert_int_equal(guard_hits(g, LIMIT_PER_CLIENT), 0);
	guard_free(g);
}

static void test_total_limit(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	l.max_connections = 3;
	l.max_per_client = 1;
	struct guard *g = guard_new(&l, &proxies);
	struct peer cl[6] = {0};
	/* Every client counts in the total, trusted and local ones too. */
	assert_int_equal(open_client(g, &cl[0], "203.0.113.1"), 0);
	assert_int_equal(open_client(g, &cl[1], "10.0.0.1"), 0);
	assert_int_equal(open_client(g, &cl[2], NULL), 0);
	assert_int_equal(open_client(g, &cl[3], "203.0.113.2"), 503);
	assert_refused(&cl[3], BUSY_TEXT);
	/* Over both limits: the total is named. */
	assert_int_equal(open_client(g, &cl[4], "203.0.113.1"), 503);
	assert_refused(&cl[4], BUSY_TEXT);
	assert_int_equal(guard_hits(g, LIMIT_CONNECTIONS), 2);
	assert_int_equal(guard_hits(g, LIMIT_PER_CLIENT), 0);
	close_client(g, &cl[3]);
	close_client(g, &cl[4]);
	close_client(g, &cl[0]);
	assert_int_equal(open_client(g, &cl[5], "203.0.113.2"), 0);
	close_client(g, &cl[5]);

	/* Without a socket of its own to shut, the guard cannot keep a deadline: refused. */
	struct guard_conn c;
	struct sockaddr_storage ss;
	assert_int_equal(guard_open(g, &c, -1, address("203.0.113.9", &ss)), 503);
	assert_true(c.refused);
	assert_int_equal(c.fd, -1);
	guard_close(g, &c);
	assert_int_equal(guard_hits(g, LIMIT_CONNECTIONS), 3);
	for (size_t i = 0; i < GZ_ARRAY_LEN(cl); i++)
		close_client(g, &cl[i]);
	guard_free(g);
}

/* ---- deadlines ------------------------------------------------------------ */

static void test_deadlines(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	l.header_timeout = 10;
	l.send_timeout = 60;
	l.idle_timeout = 30;
	struct guard *g = guard_new(&l, NULL);
	struct peer cl = {0};
	int64_t before = guard_now_ms();
	assert_int_equal(open_client(g, &cl, "203.0.113.5"), 0);
	int64_t after = guard_now_ms();
	/* Accepted: the headers are due within --header-timeout of now. */
	int64_t opened = atomic_load(&cl.c.deadline_ms);
	assert_true(opened >= before + 10000 && opened <= after + 10000);
	assert_int_equal(atomic_load(&cl.c.phase), PHASE_WAITING);
	assert_true(cl.c.fd >= 0 && cl.c.fd != cl.fd); /* its own copy of the socket */

	static const struct {
		char call; /* 'l'ine, 'a'nswering, 'd'one */
		int64_t now;
		int phase;
		int64_t deadline; /* -1: the one of the open */
	} steps[] = {
	    /* The first request line: the time from the accept still runs. */
	    {'l', 1000, PHASE_HEADERS, -1},
	    {'a', 5000, PHASE_ANSWERING, 5000 + 60000},
	    {'d', 9000, PHASE_IDLE, 9000 + (30 + 10) * 1000},
	    /* The next request on the connection: its headers get their own time. */
	    {'l', 20000, PHASE_HEADERS, 20000 + 10000},
	    {'l', 25000, PHASE_HEADERS, 25000 + 10000},
	    {'a', 26000, PHASE_ANSWERING, 26000 + 60000},
	    {'a', 27000, PHASE_ANSWERING, 27000 + 60000},
	    {'d', 90000, PHASE_IDLE, 90000 + 40000},
	    {'d', 91000, PHASE_IDLE, 91000 + 40000},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(steps); i++) {
		switch (steps[i].call) {
		case 'l': guard_request_line(g, &cl.c, steps[i].now); break;
		case 'a': guard_answering(g, &cl.c, steps[i].now); break;
		default: guard_request_done(g, &cl.c, steps[i].now); break;
		}
		int64_t want = steps[i].deadline < 0 ? opened : steps[i].deadline;
		if (atomic_load(&cl.c.phase) != steps[i].phase ||
		    atomic_load(&cl.c.deadline_ms) != want)
			fail_msg("step %zu: phase %d deadline %lld, expected %d %lld", i,
			         atomic_load(&cl.c.phase),
			         (long long)atomic_load(&cl.c.deadline_ms), steps[i].phase,
			         (long long)want);
	}
	close_client(g, &cl);
	assert_int_equal(cl.c.fd, -1);
	guard_free(g);
}

/*
 * The sweeper closes what is late, each phase in its own way; what is not
 * late it leaves alone.  Late is made with times long past, except for a
 * connection still waiting for its request (a second of --header-timeout)
 * and a refused one (a second to read its 503).
 */
static void test_sweeper(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	l.header_timeout = 1;
	l.max_per_client = 1;
	struct guard *g = guard_new(&l, NULL);
	assert_int_equal(guard_start(g), 0);
	int64_t past = guard_now_ms() - 1000000, now = guard_now_ms();
	enum { WAITING, HEADERS, ANSWERING, IDLE, REFUSED, ON_TIME, N };
	struct peer cl[N] = {0};
	static const char *const addrs[N] = {"203.0.113.1", "203.0.113.2", "203.0.113.3",
	                                     "203.0.113.4", "203.0.113.4", "203.0.113.6"};
	for (int i = 0; i < N; i++)
		assert_int_equal(open_client(g, &cl[i], addrs[i]), i == REFUSED ? 503 : 0);
	guard_request_done(g, &cl[HEADERS].c, past);
	guard_request_line(g, &cl[HEADERS].c, past);
	guard_answering(g, &cl[ANSWERING].c, past);
	guard_request_done(g, &cl[IDLE].c, past);
	guard_request_line(g, &cl[ON_TIME].c, now);
	guard_answering(g, &cl[ON_TIME].c, now);

	static const struct {
		const char *name;
		const char *answer; /* what the client reads before the end */
	} want[N] = {
	    [WAITING] = {"waiting", ""}, /* nothing asked: closed without a word */
	    [HEADERS] = {"headers", NULL}, [ANSWERING] = {"answering", ""},
	    [IDLE] = {"idle", ""},         [REFUSED] = {"refused", NULL},
	};
	char *late =
	    status_answer("408 Request Timeout", "", "The request took too long to arrive.\n");
	char *busy =
	    status_answer("503 Service Unavailable", "Retry-After: 5\r\n", PER_CLIENT_TEXT);
	for (int i = 0; i < ON_TIME; i++) {
		char *got = read_to_eof(&cl[i], 5000);
		const char *expected = i == HEADERS ? late : i == REFUSED ? busy : want[i].answer;
		if (got == NULL || strcmp(got, expected) != 0)
			fail_msg("%s: read '%s', expected '%s'", want[i].name,
			         got ? got : "(still open)", expected);
		free(got);
	}
	free(late);
	free(busy);
	/* The refused one was shut for writing at once; for reading too a second later. */
	assert_true(shut_for_reading(&cl[REFUSED], 5000));
	for (int i = 0; i < ON_TIME; i++)
		assert_true(shut_for_reading(&cl[i], 0));
	assert_true(quiet(&cl[ON_TIME]));
	assert_false(shut_for_reading(&cl[ON_TIME], 0));

	assert_int_equal(guard_hits(g, LIMIT_HEADER_TIMEOUT), 2); /* waiting, headers */
	assert_int_equal(guard_hits(g, LIMIT_SEND_TIMEOUT), 1);
	assert_int_equal(guard_hits(g, LIMIT_IDLE_TIMEOUT), 1);
	assert_int_equal(guard_hits(g, LIMIT_PER_CLIENT), 1);
	for (int i = 0; i < N; i++) {
		close_client(g, &cl[i]); /* takes the guard's lock: its flags can be read now */
		assert_int_equal(cl[i].c.expired, i != ON_TIME);
	}
	guard_free(g);
}

/* ---- hits and their log ---------------------------------------------------- */

/* How many lines of text hold needle. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		for (const char *p = line; p + strlen(needle) <= line + len; p++)
			if (memcmp(p, needle, strlen(needle)) == 0) {
				n++;
				break;
			}
		line += len + (end != NULL);
	}
	return n;
}

static void test_hits_are_counted_and_logged_once(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	struct guard *g = guard_new(&l, NULL);
	struct peer v4 = {0}, v6 = {0}, local = {0};
	assert_int_equal(open_client(g, &v4, "203.0.113.5"), 0);
	assert_int_equal(open_client(g, &v6, "2001:db8::7"), 0);
	assert_int_equal(open_client(g, &local, "unix"), 0);
	static const struct {
		enum guard_limit which;
		int client; /* 0: v4, 1: v6, 2: local, 3: none */
		int times;
		const char *line; /* the one log line, within ten seconds */
	} cases[] = {
	    {LIMIT_URI, 0, 5,
	     "limit: request target longer than --max-uri (414), from 203.0.113.5"},
	    {LIMIT_HEADER_BYTES, 1, 3,
	     "limit: headers larger than --max-header-bytes (431), from 2001:db8::7"},
	    {LIMIT_HEADER_COUNT, 2, 2,
	     "limit: more headers than --max-headers (431), from a local client"},
	    {LIMIT_QUERY, 3, 1,
	     "limit: query over --max-query-params or --max-param-bytes (400), from a local "
	     "client"},
	    {LIMIT_BODY, 0, 4, "limit: a request body where none is taken (413), from 203.0.113.5"},
	};
	struct guard_conn *conns[4] = {&v4.c, &v6.c, &local.c, NULL};
	capture_begin();
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		for (int k = 0; k < cases[i].times; k++)
			guard_hit(g, cases[i].which, conns[cases[i].client]);
	char *log = capture_end();
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		assert_int_equal(guard_hits(g, cases[i].which), cases[i].times);
		if (lines_with(log, cases[i].line) != 1)
			fail_msg("expected the line once: %s\nin:\n%s", cases[i].line, log);
	}
	/* One line per limit: the rest of the hits were only counted. */
	assert_int_equal(lines_with(log, "gazette[warn]: limit: "), (int)GZ_ARRAY_LEN(cases));
	assert_int_equal(lines_with(log, "times since the last such message"), 0);
	free(log);
	close_client(g, &v4);
	close_client(g, &v6);
	close_client(g, &local);
	guard_free(g);
}

/* After ten seconds, the next hit is logged with how many came in between. */
static void test_log_after_ten_seconds(void **state)
{
	(void)state;
	struct guard_limits l = GUARD_DEFAULT_LIMITS;
	struct guard *g = guard_new(&l, NULL);
	capture_begin();
	for (int k = 0; k < 6; k++)
		guard_hit(g, LIMIT_URI, NULL);
	time_t last = time(NULL); /* the logged hit was at this second or before */
	char *log = capture_end();
	assert_int_equal(lines_with(log, "limit: "), 1);
	free(log);
	while (time(NULL) < last + 10)
		usleep(100000);
	capture_begin();
	guard_hit(g, LIMIT_URI, NULL);  /* the 7th: 6 since the one logged */
	guard_hit(g, LIMIT_URI, NULL);  /* within ten seconds of it: counted only */
	guard_hit(g, LIMIT_BODY, NULL); /* another limit has its own ten seconds */
	log = capture_end();
	assert_int_equal(guard_hits(g, LIMIT_URI), 8);
	static const char *const lines[] = {
	    "limit: request target longer than --max-uri (414), from a local client (6 times "
	    "since the last such message)",
	    "limit: a request body where none is taken (413), from a local client",
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(lines); i++)
		if (lines_with(log, lines[i]) != 1)
			fail_msg("expected the line once: %s\nin:\n%s", lines[i], log);
	assert_int_equal(lines_with(log, "limit: "), 2);
	free(log);
	guard_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits_and_names),
	    cmocka_unit_test(test_per_address_limit),
	    cmocka_unit_test(test_total_limit),
	    cmocka_unit_test(test_deadlines),
	    cmocka_unit_test(test_sweeper),
	    cmocka_unit_test(test_hits_are_counted_and_logged_once),
	    cmocka_unit_test(test_log_after_ten_seconds),
	};
	if (trust_add(&proxies, "10.0.0.0/8") != 0)
		return 1;
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	trust_free(&proxies);
	return failed;
}
