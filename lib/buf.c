/*
 * buf.c: growable byte buffers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

static void
reserve(struct nc_buf *b, size_t n)
{
	size_t cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = nc_realloc(b->p, cap);
	b->cap = cap;
}

void
nc_buf_add(struct nc_buf *b, const void *data, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
nc_buf_puts(struct nc_buf *b, const char *s)
{
	nc_buf_add(b, s, strlen(s));
}

void
nc_buf_printf(struct nc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
nc_buf_reset(struct nc_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
nc_buf_free(struct nc_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

const char *
nc_buf_str(const struct nc_buf *b)
{
	return b->p ? b->p : "";
}
