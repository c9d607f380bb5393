/*
 * buf.h: a growable byte string that carries its length.
 *
 * The owner of a struct buf calls buf_free() once.  data is always
 * NUL-terminated when non-NULL, so it can be handed to C string APIs,
 * but the length is what counts: bodies may contain NUL bytes.
 */
#ifndef GAZETTE_BUF_H
#define GAZETTE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Forgets the contents, keeps the memory. */
void buf_reset(struct buf *b);
/* Makes room for at least extra more bytes (plus the NUL). */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the bytes to the caller (who frees them) and leaves b empty.
 * Never returns NULL: an empty buffer gives a malloc'd "". */
char *buf_detach(struct buf *b, size_t *len);

#endif
