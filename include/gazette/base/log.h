/*
 * log.h: messages for people.
 *
 * Two audiences: the CLI prints "gazette: FILE:LINE: message" and exits
 * non-zero (struct diag carries such an error up to whoever prints it);
 * the server prints lines with a UTC timestamp and a level to stderr.
 */
#ifndef GAZETTE_LOG_H
#define GAZETTE_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* The least important level that is still printed (default LOG_INFO). */
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * An error found in an input, with its place.  file may be empty (then
 * only the message is printed) and line may be 0 (then only the file).
 */
struct diag {
	char file[1024];
	unsigned line;
	char msg[512];
};

void diag_clear(struct diag *d);
void diag_set(struct diag *d, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_set_file(struct diag *d, const char *file);
/* Prints "gazette: FILE:LINE: msg" to stderr. */
void diag_print(const struct diag *d);

/*
 * Every mistake of a run that goes on past the first, as a compiler
 * reports them (an import names all its bad files): the first
 * DIAG_LIST_MAX are kept, all are counted.
 */
#define DIAG_LIST_MAX 20
struct diag_list {
	struct diag items[DIAG_LIST_MAX];
	unsigned n;     /* kept */
	unsigned total; /* found */
};

void diag_list_clear(struct diag_list *l);
void diag_list_add(struct diag_list *l, const struct diag *d);
/* Prints each kept one, then how many more there were. */
void diag_list_print(const struct diag_list *l);

/* Prints "gazette: msg" to stderr (for CLI errors with no file). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
