/*
 * util.h: small helpers shared by every binary: checked allocation,
 * growable arrays and string duplication.
 */
#ifndef NC_UTIL_H
#define NC_UTIL_H

#include <stddef.h>

/* Allocation that never returns NULL: on failure the process exits(3). */
void *nc_malloc(size_t n);
void *nc_calloc(size_t n, size_t size);
void *nc_realloc(void *p, size_t n);
char *nc_strdup(const char *s);
/* Duplicate s, or return NULL when s is NULL. */
char *nc_strdup0(const char *s);
/* printf into a freshly allocated string. */
char *nc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Grow the array *arr (elements of elsz bytes, *cap allocated) so that it
 * holds at least n + 1 elements; new space is zeroed.  Returns the address of
 * element n.
 */
void *nc_grow(void *arr, size_t *cap, size_t n, size_t elsz);

/* Append one element to a growable array: NC_PUSH(vec, count, cap). */
#define NC_PUSH(arr, n, cap) \
	((arr) = nc_grow((arr), &(cap), (n), sizeof(*(arr))), &(arr)[(n)++])

#endif
