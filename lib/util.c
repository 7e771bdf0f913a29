/*
 * util.c: checked allocation and growable arrays.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void *
nc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		err(1, "malloc");
	return p;
}

void *
nc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		err(1, "calloc");
	return p;
}

void *
nc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		err(1, "realloc");
	return q;
}

char *
nc_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		err(1, "strdup");
	return d;
}

char *
nc_strdup0(const char *s)
{
	return s == NULL ? NULL : nc_strdup(s);
}

char *
nc_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		err(1, "vasprintf");
	va_end(ap);
	return s;
}

void *
nc_grow(void *arr, size_t *cap, size_t n, size_t elsz)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap <= n)
		ncap *= 2;
	arr = nc_realloc(arr, ncap * elsz);
	memset((char *)arr + *cap * elsz, 0, (ncap - *cap) * elsz);
	*cap = ncap;
	return arr;
}
