/*
 * buf.h: a growable byte buffer, always NUL-terminated.
 */
#ifndef NC_BUF_H
#define NC_BUF_H

#include <stddef.h>

struct nc_buf {
	char *p;		/* the bytes, NUL-terminated (NULL when empty) */
	size_t len;		/* bytes used, excluding the NUL */
	size_t cap;		/* bytes allocated */
};

void nc_buf_add(struct nc_buf *b, const void *data, size_t n);
void nc_buf_puts(struct nc_buf *b, const char *s);
void nc_buf_printf(struct nc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory. */
void nc_buf_reset(struct nc_buf *b);
void nc_buf_free(struct nc_buf *b);
/* The contents as a string ("" when empty). */
const char *nc_buf_str(const struct nc_buf *b);

#endif
