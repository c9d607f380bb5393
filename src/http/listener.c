/*
 * listener.c: bind, listen, accept, and hand each connection to
 * libmicrohttpd.  See listener.h for why gazette accepts by itself.
 *
 * Three ways to get a listening socket: TCP ("HOST:PORT", IPv4 or IPv6),
 * a UNIX socket ("unix:/run/gazette.sock"), or sockets passed by systemd
 * (LISTEN_FDS, sd_listen_fds(3)'s protocol, which needs no library).
 */
/* accept4() and pipe2() are GNU/Linux. */
#define _GNU_SOURCE

#include "gazette/http/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gazette/base/log.h"
#include "gazette/base/util.h"

#define MAX_SOCKETS 8

struct listener {
	int fds[MAX_SOCKETS];
	size_t nfds;
	char *unix_path; /* a UNIX socket we made, removed when we stop */
	int wake[2];     /* a pipe: a byte in it stops the accept loop */
	struct MHD_Daemon *daemon;
	pthread_t thread;
	bool running;
	atomic_uint_fast64_t handed_over; /* connections given to libmicrohttpd */
};

/* Parses "HOST:PORT" or "[V6]:PORT" into addr.  Returns 0 or -1. */
static int parse_tcp(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
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

/* "http://HOST:PORT" for a TCP socket, "unix:PATH" for a UNIX one. */
static void describe(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof addr;
	char host[INET6_ADDRSTRLEN] = "?";
	memset(&addr, 0, sizeof addr);
	getsockname(fd, (struct sockaddr *)&addr, &len);
	if (addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&addr;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		snprintf(out, outlen, "http://[%s]:%u", host, ntohs(a->sin6_port));
	} else if (addr.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&addr;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		snprintf(out, outlen, "http://%s:%u", host, ntohs(a->sin_port));
	} else if (addr.ss_family == AF_UNIX) {
		const struct sockaddr_un *a = (const struct sockaddr_un *)&addr;
		snprintf(out, outlen, "unix:%s", a->sun_path[0] ? a->sun_path : "(unnamed)");
	} else {
		snprintf(out, outlen, "fd:%d", fd);
	}
}

static int open_tcp(const char *listen_on, bool reuse_port)
{
	struct sockaddr_storage addr;
	socklen_t len;
	if (parse_tcp(listen_on, &addr, &len) < 0) {
		cli_error("--listen %s: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) "
		          "or unix:PATH",
		          listen_on);
		return -1;
	}
	int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	/*
	 * SO_REUSEPORT (asked for, as a second gazette on a port by mistake
	 * would silently take half the traffic) lets a new gazette bind the
	 * port while the old one still runs, for a restart.
	 */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 511) < 0) {
		cli_error("cannot listen on %s: %s", listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* True if a UNIX socket file at path has nobody listening (left by a crash). */
static bool stale_socket(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool stale =
	    connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0 && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int open_unix(struct listener *l, const char *path, unsigned mode)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (path[0] == '\0' || strlen(path) >= sizeof addr.sun_path) {
		cli_error("--listen unix:%s: a socket path must have 1 to %zu bytes", path,
		          sizeof addr.sun_path - 1);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path));
	if (stale_socket(path, &addr))
		unlink(path);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		cli_error("cannot listen on unix:%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	l->unix_path = xstrdup(path);
	/* Who may connect is decided by the file's mode: the proxy's group, by default. */
	if (chmod(path, mode ? mode : 0660) < 0 || listen(fd, 511) < 0) {
		cli_error("cannot listen on unix:%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The sockets systemd passed (sd_listen_fds(3)): LISTEN_PID is us and
 * LISTEN_FDS counts descriptors from 3.  Returns how many, 0 if none.
 */
static size_t systemd_sockets(struct listener *l)
{
	const char *pid = getenv("LISTEN_PID");
	const char *fds = getenv("LISTEN_FDS");
	long long p, n;
	if (pid == NULL || fds == NULL || parse_uint_range(pid, strlen(pid), 1, 1 << 30, &p) < 0 ||
	    (pid_t)p != getpid() || parse_uint_range(fds, strlen(fds), 1, MAX_SOCKETS, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		int fd = 3 + i;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		l->fds[l->nfds++] = fd;
	}
	/* Not for our children, should there be any. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (size_t)n;
}

struct listener *listener_open(const char *listen_on, unsigned unix_mode, bool reuse_port,
                               char *where, size_t wherelen)
{
	struct listener *l = xcalloc(1, sizeof *l);
	l->wake[0] = l->wake[1] = -1;

	if (systemd_sockets(l) > 0) {
		log_msg(LOG_INFO, "using %zu socket%s passed by the service manager", l->nfds,
		        l->nfds == 1 ? "" : "s");
	} else {
		int fd = strncmp(listen_on, "unix:", 5) == 0
		             ? open_unix(l, listen_on + 5, unix_mode)
		             : open_tcp(listen_on, reuse_port);
		if (fd < 0) {
			listener_free(l);
			return NULL;
		}
		l->fds[l->nfds++] = fd;
	}
	describe(l->fds[0], where, wherelen);
	return l;
}

/* Accepts everything waiting on fd, handing it over; returns when its queue is empty. */
static void accept_all(struct listener *l, int fd)
{
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int c = accept4(fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: let connections finish, try again soon. */
				log_msg(LOG_WARN, "accept: %s", strerror(errno));
				nanosleep(&(struct timespec){0, 50L * 1000 * 1000}, NULL);
			}
			return; /* EAGAIN: nothing more waiting */
		}
		/* On failure libmicrohttpd has closed the socket already. */
		if (MHD_add_connection(l->daemon, c, (struct sockaddr *)&sa, len) != MHD_YES)
			log_msg(LOG_DEBUG, "a connection was refused: %s", strerror(errno));
		else
			atomic_fetch_add(&l->handed_over, 1);
	}
}

static void *accept_loop(void *arg)
{
	struct listener *l = arg;
	struct pollfd fds[MAX_SOCKETS + 1];
	for (size_t i = 0; i < l->nfds; i++)
		fds[i] = (struct pollfd){.fd = l->fds[i], .events = POLLIN};
	fds[l->nfds] = (struct pollfd){.fd = l->wake[0], .events = POLLIN};
	for (;;) {
		if (poll(fds, l->nfds + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERROR, "poll on the listening sockets: %s", strerror(errno));
			break;
		}
		if (fds[l->nfds].revents)
			break;
		for (size_t i = 0; i < l->nfds; i++)
			if (fds[i].revents & POLLIN)
				accept_all(l, l->fds[i]);
	}
	return NULL;
}

int listener_start(struct listener *l, struct MHD_Daemon *daemon)
{
	l->daemon = daemon;
	if (pipe2(l->wake, O_CLOEXEC) < 0)
		return -1;
	/* Non-blocking, so that accept_all() stops when the queue is empty. */
	for (size_t i = 0; i < l->nfds; i++)
		if (fcntl(l->fds[i], F_SETFL, fcntl(l->fds[i], F_GETFL) | O_NONBLOCK) < 0)
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
	for (size_t i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	l->nfds = 0;
	if (l->unix_path) {
		unlink(l->unix_path);
		free(l->unix_path);
		l->unix_path = NULL;
	}
}

uint64_t listener_handed_over(struct listener *l)
{
	return atomic_load(&l->handed_over);
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
