/* proxy.c: trusted proxies and the client's address; see proxy.h. */
#include "gazette/http/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "gazette/base/util.h"

/* Text to a 16-byte address (IPv4 mapped into IPv6); false if it is not an address. */
static bool parse_addr(const char *s, unsigned char out[16], bool *v4)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, s, out) == 1;
}

int cidr_parse(const char *s, struct cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	bool v4;
	if (n == 0 || n >= sizeof addr)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (!parse_addr(addr, out->addr, &v4))
		return -1;
	long long bits = v4 ? 32 : 128;
	if (slash && parse_uint_range(slash + 1, strlen(slash + 1), 0, v4 ? 32 : 128, &bits) < 0)
		return -1;
	out->bits = (unsigned)bits + (v4 ? 96 : 0);
	return 0;
}

static bool cidr_contains(const struct cidr *c, const unsigned char a[16])
{
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (a[full] & mask);
}

int trust_add(struct trust *t, const char *s)
{
	struct cidr c;
	if (cidr_parse(s, &c) < 0)
		return -1;
	t->nets = xrealloc(t->nets, (t->n + 1) * sizeof *t->nets);
	t->nets[t->n++] = c;
	return 0;
}

void trust_free(struct trust *t)
{
	free(t->nets);
	t->nets = NULL;
	t->n = 0;
}

bool trust_has_addr(const struct trust *t, const unsigned char a[16])
{
	for (size_t i = 0; i < t->n; i++)
		if (cidr_contains(&t->nets[i], a))
			return true;
	return false;
}

/*
 * A hop as headers write it ("192.0.2.1", "2001:db8::1", "[2001:db8::1]:4711",
 * "192.0.2.1:80", "\"[::1]\"", "unknown", "_hidden") cleaned to its address,
 * or kept as the identifier it is.  Returns whether it is an address.
 */
static bool clean_hop(const char *s, size_t n, char *out, size_t outlen, unsigned char a[16])
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '"')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"'))
		n--;
	if (n > 0 && *s == '[') { /* [v6] or [v6]:port */
		const char *end = memchr(s, ']', n);
		if (end) {
			n = (size_t)(end - s - 1);
			s++;
		}
	} else {
		/* v4:port has one colon; a bare v6 address has several. */
		const char *colon = memchr(s, ':', n);
		if (colon && memchr(colon + 1, ':', n - (size_t)(colon - s) - 1) == NULL)
			n = (size_t)(colon - s);
	}
	if (n >= outlen)
		n = outlen - 1;
	/* Whatever it is, it reaches the logs: only characters an address or a name has. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		          c == '.' || c == ':' || c == '_' || c == '-';
		out[i] = (char)(ok ? c : '?');
	}
	out[n] = '\0';
	bool v4;
	if (!parse_addr(out, a, &v4))
		return false;
	/* The canonical spelling, and IPv4-mapped IPv6 written as IPv4. */
	if (v4 || (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
		inet_ntop(AF_INET, a + 12, out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
	return true;
}

bool trust_has_text(const struct trust *t, const char *addr, size_t n)
{
	char clean[64];
	unsigned char a[16];
	return clean_hop(addr, n, clean, sizeof clean, a) && trust_has_addr(t, a);
}

/* One hop of a chain, with what the proxy that wrote it said of proto and host. */
struct hop {
	const char *s; /* the for= value or the X-Forwarded-For item */
	size_t n;
	const char *proto, *host;
	size_t proto_n, host_n;
};

#define MAX_HOPS 32

/* Finds the value of name= in a Forwarded element (pairs separated by ';'). */
static bool forwarded_param(const char *el, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t klen = strlen(name);
	size_t i = 0;
	while (i < n) {
		while (i < n && (el[i] == ' ' || el[i] == ';'))
			i++;
		size_t start = i;
		bool quoted = false;
		while (i < n && (quoted || el[i] != ';')) {
			if (el[i] == '"')
				quoted = !quoted;
			i++;
		}
		const char *pair = el + start;
		size_t plen = i - start;
		if (plen > klen && strncasecmp(pair, name, klen) == 0 && pair[klen] == '=') {
			*v = pair + klen + 1;
			*vn = plen - klen - 1;
			return true;
		}
	}
	return false;
}

/* Splits a header list at commas outside quotes into hops. */
static size_t split_forwarded(const char *h, struct hop *hops)
{
	size_t nh = 0, i = 0, len = strlen(h);
	while (i < len && nh < MAX_HOPS) {
		size_t start = i;
		bool quoted = false;
		while (i < len && (quoted || h[i] != ',')) {
			if (h[i] == '"')
				quoted = !quoted;
			i++;
		}
		struct hop *p = &hops[nh];
		memset(p, 0, sizeof *p);
		if (forwarded_param(h + start, i - start, "for", &p->s, &p->n)) {
			forwarded_param(h + start, i - start, "proto", &p->proto, &p->proto_n);
			forwarded_param(h + start, i - start, "host", &p->host, &p->host_n);
			nh++;
		}
		i++;
	}
	return nh;
}

static size_t split_xff(const char *h, struct hop *hops)
{
	size_t nh = 0;
	const char *p = h;
	while (*p && nh < MAX_HOPS) {
		size_t n = strcspn(p, ",");
		memset(&hops[nh], 0, sizeof hops[nh]);
		hops[nh].s = p;
		hops[nh].n = n;
		nh++;
		p += n;
		if (*p == ',')
			p++;
	}
	return nh;
}

/* The last comma-separated item of a header: what the nearest proxy added. */
static void last_item(const char *h, char *out, size_t outlen)
{
	const char *comma = strrchr(h, ',');
	const char *s = comma ? comma + 1 : h;
	while (*s == ' ')
		s++;
	snprintf(out, outlen, "%s", s);
}

static void copy_param(char *out, size_t outlen, const char *s, size_t n)
{
	while (n > 0 && *s == '"')
		s++, n--;
	while (n > 0 && s[n - 1] == '"')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(s[i] > 0x20 && s[i] < 0x7f && s[i] != '"' ? s[i] : '?');
	out[n] = '\0';
}

void client_identify(const struct trust *t, const struct sockaddr *peer, const char *forwarded,
                     const char *xff, const char *xproto, const char *xhost, struct client *c)
{
	unsigned char a[16];
	bool peer_trusted;
	memset(c, 0, sizeof *c);

	if (peer == NULL || peer->sa_family == AF_UNIX) {
		snprintf(c->addr, sizeof c->addr, "unix");
		peer_trusted = true;
	} else {
		char text[INET6_ADDRSTRLEN];
		if (peer->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, text,
			          sizeof text);
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, text,
			          sizeof text);
		clean_hop(text, strlen(text), c->addr, sizeof c->addr, a);
		peer_trusted = trust_has_addr(t, a);
	}
	if (!peer_trusted)
		return; /* whatever the headers say was written by the client itself */

	struct hop hops[MAX_HOPS];
	size_t nh = forwarded ? split_forwarded(forwarded, hops) : xff ? split_xff(xff, hops) : 0;
	/* From the right: the first hop we do not trust is the client. */
	size_t at = nh;
	while (at > 0) {
		at--;
		char clean[64];
		bool addr = clean_hop(hops[at].s, hops[at].n, clean, sizeof clean, a);
		snprintf(c->addr, sizeof c->addr, "%s", clean);
		if (!addr || !trust_has_addr(t, a))
			break;
	}
	if (forwarded && nh > 0) {
		if (hops[at].proto)
			copy_param(c->proto, sizeof c->proto, hops[at].proto, hops[at].proto_n);
		if (hops[at].host)
			copy_param(c->host, sizeof c->host, hops[at].host, hops[at].host_n);
	} else {
		if (xproto)
			last_item(xproto, c->proto, sizeof c->proto);
		if (xhost)
			last_item(xhost, c->host, sizeof c->host);
		copy_param(c->proto, sizeof c->proto, c->proto, strlen(c->proto));
		copy_param(c->host, sizeof c->host, c->host, strlen(c->host));
	}
}
