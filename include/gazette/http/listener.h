/*
 * listener.h: the listening socket and the thread that accepts on it.
 *
 * gazette accepts connections itself and hands them to libmicrohttpd
 * (MHD_add_connection) rather than letting the daemon listen: stopping
 * is then just stopping this loop, while MHD_quiesce_daemon() races with
 * epoll worker pools in 0.9.75 and can abort the process.
 */
#ifndef GAZETTE_LISTENER_H
#define GAZETTE_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Daemon;
struct listener;

/*
 * Listens where told: "HOST:PORT" or "[V6]:PORT" (port 0: any free one),
 * or "unix:PATH" (a socket file with mode unix_mode, 0660 if 0), with
 * SO_REUSEPORT if reuse_port (a restart's new gazette binds beside the old) - unless
 * systemd passed sockets (LISTEN_FDS), which are then used instead.  On
 * success writes "http://HOST:PORT" (the real port) or "unix:PATH" into
 * where.  On failure prints "gazette: ..." and returns NULL.
 */
struct listener *listener_open(const char *listen, unsigned unix_mode, bool reuse_port, char *where,
                               size_t wherelen);

/* Starts accepting into daemon on a thread of its own.  Returns 0 or -1. */
int listener_start(struct listener *l, struct MHD_Daemon *daemon);

/* Stops accepting (connections already handed over carry on) and closes the socket. */
void listener_stop(struct listener *l);

/*
 * How many connections were handed to libmicrohttpd so far.  It takes them
 * on its own threads a moment later (its connection notification), so a
 * stop that waits for connections compares this with those it was told of.
 */
uint64_t listener_handed_over(struct listener *l);

/* Frees the listener (stopping it first if needed); NULL is fine. */
void listener_free(struct listener *l);

#endif
