/*
 * strmap.h: a map from strings to non-negative integers (indices into an
 * array), open addressing with linear probing.  Keys are copied.
 */
#ifndef NC_STRMAP_H
#define NC_STRMAP_H

#include <stddef.h>

struct nc_strmap {
	char **keys;	/* slot keys, NULL where empty */
	long *vals;	/* slot values */
	size_t cap;	/* number of slots, a power of two or 0 */
	size_t len;	/* number of occupied slots */
};

/* The value for key, or -1 when absent. */
long nc_strmap_get(const struct nc_strmap *m, const char *key);
/* Set key to val (val >= 0), replacing any earlier value. */
void nc_strmap_put(struct nc_strmap *m, const char *key, long val);
/* Remove key if present. */
void nc_strmap_del(struct nc_strmap *m, const char *key);
void nc_strmap_free(struct nc_strmap *m);

#endif
