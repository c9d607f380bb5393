/* Unit tests for proxy.c: trusted networks and the client's address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "gazette/http/proxy.h"
#include "gazette/base/util.h"

static void test_cidr(void **state)
{
	static const struct {
		const char *net, *addr;
		bool in;
	} cases[] = {
	    {"10.0.0.0/8", "10.1.2.3", true},
	    {"10.0.0.0/8", "11.0.0.1", false},
	    {"192.168.1.7", "192.168.1.7", true},
	    {"192.168.1.7", "192.168.1.8", false},
	    {"172.16.0.0/12", "172.31.255.255", true},
	    {"172.16.0.0/12", "172.32.0.0", false},
	    {"::1", "::1", true},
	    {"fd00::/8", "fd12:3456::1", true},
	    {"fd00::/8", "fe80::1", false},
	    {"0.0.0.0/0", "8.8.8.8", true},
	    {"127.0.0.1", "::ffff:127.0.0.1", true},
	    {"10.0.0.0/8", "[10.0.0.1]", true},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct trust t = {0};
		assert_int_equal(trust_add(&t, cases[i].net), 0);
		if (trust_has_text(&t, cases[i].addr, strlen(cases[i].addr)) != cases[i].in)
			fail_msg("%s in %s", cases[i].addr, cases[i].net);
		trust_free(&t);
	}
	static const char *const bad[] = {"",  "10.0.0.0/33", "::/129",    "10.0.0",
	                                  "x", "1.2.3.4/",    "1.2.3.4/-1"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(bad); i++) {
		struct cidr c;
		if (cidr_parse(bad[i], &c) == 0)
			fail_msg("'%s' accepted", bad[i]);
	}
}

static struct sockaddr_in v4(const char *a)
{
	struct sockaddr_in s = {.sin_family = AF_INET};
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static void test_clients(void **state)
{
	static const struct {
		const char *peer; /* NULL: a UNIX socket */
		const char *forwarded, *xff, *proto, *host;
		const char *want_addr, *want_proto, *want_host;
	} cases[] = {
	    /* An untrusted peer's headers change nothing. */
	    {"203.0.113.9", NULL, "1.2.3.4", "https", "evil.example", "203.0.113.9", "", ""},
	    {"203.0.113.9", "for=1.2.3.4", NULL, NULL, NULL, "203.0.113.9", "", ""},
	    /* A trusted proxy's word is taken. */
	    {"127.0.0.1", NULL, "198.51.100.7", "https", "example.org", "198.51.100.7", "https",
	     "example.org"},
	    /* A spoofed chain: only the rightmost untrusted hop counts. */
	    {"127.0.0.1", NULL, "6.6.6.6, 198.51.100.7", NULL, NULL, "198.51.100.7", "", ""},
	    {"127.0.0.1", NULL, "6.6.6.6, 198.51.100.7, 10.1.1.1", NULL, NULL, "198.51.100.7", "",
	     ""},
	    /* All trusted: the leftmost. */
	    {"127.0.0.1", NULL, "10.2.2.2, 10.1.1.1", NULL, NULL, "10.2.2.2", "", ""},
	    /* RFC 7239, with quoted IPv6 and ports, and a chain. */
	    {"127.0.0.1", "for=192.0.2.60;proto=https;host=news.example", NULL, "http", NULL,
	     "192.0.2.60", "https", "news.example"},
	    {"127.0.0.1", "for=\"[2001:db8:cafe::17]:4711\"", NULL, NULL, NULL, "2001:db8:cafe::17",
	     "", ""},
	    {"127.0.0.1", "for=6.6.6.6, for=192.0.2.61;proto=http, for=10.0.0.5", NULL, NULL, NULL,
	     "192.0.2.61", "http", ""},
	    {"127.0.0.1", "for=unknown", NULL, NULL, NULL, "unknown", "", ""},
	    {"127.0.0.1", NULL, "1.2.3.4:5678", NULL, NULL, "1.2.3.4", "", ""},
	    /* Junk cannot reach the logs as it came. */
	    {"127.0.0.1", NULL, "<script>\"x", NULL, NULL, "?script??x", "", ""},
	    /* A UNIX socket peer is the local proxy. */
	    {NULL, NULL, "198.51.100.8", NULL, NULL, "198.51.100.8", "", ""},
	    {NULL, NULL, NULL, NULL, NULL, "unix", "", ""},
	};
	struct trust t = {0};
	assert_int_equal(trust_add(&t, "127.0.0.0/8"), 0);
	assert_int_equal(trust_add(&t, "10.0.0.0/8"), 0);
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct client c;
		struct sockaddr_in peer = v4(cases[i].peer ? cases[i].peer : "0.0.0.0");
		struct sockaddr_un unix_peer = {.sun_family = AF_UNIX};
		const struct sockaddr *p = cases[i].peer ? (const struct sockaddr *)&peer
		                                         : (const struct sockaddr *)&unix_peer;
		client_identify(&t, p, cases[i].forwarded, cases[i].xff, cases[i].proto,
		                cases[i].host, &c);
		if (strcmp(c.addr, cases[i].want_addr) != 0 ||
		    strcmp(c.proto, cases[i].want_proto) != 0 ||
		    strcmp(c.host, cases[i].want_host) != 0)
			fail_msg("case %zu: got '%s' '%s' '%s'", i, c.addr, c.proto, c.host);
	}
	trust_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
