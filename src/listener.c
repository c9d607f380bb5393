/*
 * listener.c: bind, listen, accept, and hand each connection to
 * libmicrohttpd.  See listener.h for why gazette accepts by itself.
 */
/* accept4() and pipe2() are GNU/Linux. */
#define _GNU_SOURCE

#include "gazette/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gazette/log.h"
#include "gazette/util.h"

struct listener {
	int fd;
	int wake[2]; /* a pipe: a byte in it stops the accept loop */
	struct MHD_Daemon *daemon;
	pthread_t thread;
	bool running;
};

/* Parses "HOST:PORT" or "[V6]:PORT" into addr.  Returns 0 or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
{
	char host[256];
	const char *port;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(end - listen - 1), listen + 1);
		port = end + 2;
	} else {
		const char *colon = strrchr(listen, ':');
		if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
		port = colon + 1;
	}
	long long p;
	if (parse_uint_range(port, strlen(port), 0, 65535, &p) < 0)
		return -1;

	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0)
		return -1;
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void describe(const struct sockaddr_storage *addr, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		snprintf(out, outlen, "http://[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		snprintf(out, outlen, "http://%s:%u", host, ntohs(a->sin_port));
	}
}

struct listener *listener_open(const char *listen_on, char *where, size_t wherelen)
{
	struct sockaddr_storage addr;
	socklen_t len;
	if (parse_listen(listen_on, &addr, &len) < 0) {
		cli_error("--listen %s: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
		          listen_on);
		return NULL;
	}

	int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 511) < 0) {
		cli_error("cannot listen on %s: %s", listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* The real address: the port the kernel chose for port 0. */
	socklen_t blen = sizeof addr;
	getsockname(fd, (struct sockaddr *)&addr, &blen);
	describe(&addr, where, wherelen);

	struct listener *l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->wake[0] = l->wake[1] = -1;
	return l;
}

/* Accepts everything waiting, handing it over; returns when the queue is empty. */
static void accept_all(struct listener *l)
{
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int c = accept4(l->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: let connections finish, try again soon. */
				log_msg(LOG_WARN, "accept: %s", strerror(errno));
				nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
			}
			return; /* EAGAIN: nothing more waiting */
		}
		/* On failure libmicrohttpd has closed the socket already. */
		if (MHD_add_connection(l->daemon, c, (struct sockaddr *)&sa, len) != MHD_YES)
			log_msg(LOG_DEBUG, "a connection was refused: %s", strerror(errno));
	}
}

static void *accept_loop(void *arg)
{
	struct listener *l = arg;
	struct pollfd fds[2] = {{.fd = l->fd, .events = POLLIN},
	                        {.fd = l->wake[0], .events = POLLIN}};
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERROR, "poll on the listening socket: %s", strerror(errno));
			break;
		}
		if (fds[1].revents)
			break;
		if (fds[0].revents & POLLIN)
			accept_all(l);
	}
	return NULL;
}

int listener_start(struct listener *l, struct MHD_Daemon *daemon)
{
	l->daemon = daemon;
	/* Non-blocking, so that accept_all() stops when the queue is empty. */
	if (pipe2(l->wake, O_CLOEXEC) < 0 || fcntl(l->fd, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	if (pthread_create(&l->thread, NULL, accept_loop, l) != 0)
		return -1;
	l->running = true;
	return 0;
}

void listener_stop(struct listener *l)
{
	if (l->running) {
		char byte = 'q';
		while (write(l->wake[1], &byte, 1) < 0 && errno == EINTR)
			;
		pthread_join(l->thread, NULL);
		l->running = false;
	}
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
}

void listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	listener_stop(l);
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	free(l);
}
