/*
 * proxy.h: who the client is, when there may be proxies in between.
 *
 * X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host and RFC 7239
 * Forwarded are believed only from peers in the --trusted-proxy networks,
 * and then only up to the rightmost address that is not itself trusted:
 * everything left of it was written by someone we do not trust.
 */
#ifndef GAZETTE_PROXY_H
#define GAZETTE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A network: IPv4 addresses are kept as IPv4-mapped IPv6 ones. */
struct cidr {
	unsigned char addr[16];
	unsigned bits; /* prefix length over the 128 bits */
};

/* Parses "10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8".  Returns 0 or -1. */
int cidr_parse(const char *s, struct cidr *out);

struct trust {
	struct cidr *nets;
	size_t n;
};

/* Adds a network given on the command line; 0 or -1 (not a network). */
int trust_add(struct trust *t, const char *cidr);
void trust_free(struct trust *t);
/* True if the address (IPv4 mapped into IPv6) is trusted. */
bool trust_has_addr(const struct trust *t, const unsigned char addr[16]);
/* True if the address (text, as in headers, IPv6 with or without brackets) is trusted. */
bool trust_has_text(const struct trust *t, const char *addr, size_t n);

/* What a request says about its client once the proxies it came through are weighed. */
struct client {
	char addr[64];  /* the client's address (or what the nearest untrusted hop called it) */
	char proto[8];  /* "https" or "http" as the trusted proxy saw it, or "" */
	char host[256]; /* the Host the trusted proxy received, or "" */
};

/*
 * Fills c for a request from peer (NULL or AF_UNIX: a local socket, which
 * is trusted since only who may open the socket file can connect) with
 * these header values (each may be NULL).  Forwarded wins over the
 * X-Forwarded-* headers when both came.
 */
void client_identify(const struct trust *t, const struct sockaddr *peer, const char *forwarded,
                     const char *xff, const char *xproto, const char *xhost, struct client *c);

#endif
