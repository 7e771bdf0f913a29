/*
 * strmap.c: string to index map (FNV-1a hash, linear probing, backward-shift
 * deletion).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strmap.h"
#include "util.h"

static uint64_t
hash(const char *s)
{
	return nc_fnv64_str(NC_FNV64_BASIS, s);
}

static size_t
find(const struct nc_strmap *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

long
nc_strmap_get(const struct nc_strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = find(m, key);
	return m->keys[i] ? m->vals[i] : -1;
}

static void
resize(struct nc_strmap *m)
{
	struct nc_strmap n = { 0 };
	size_t i, j;

	n.cap = m->cap ? m->cap * 2 : 64;
	n.keys = nc_calloc(n.cap, sizeof(*n.keys));
	n.vals = nc_calloc(n.cap, sizeof(*n.vals));
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		j = find(&n, m->keys[i]);
		n.keys[j] = m->keys[i];
		n.vals[j] = m->vals[i];
	}
	n.len = m->len;
	free(m->keys);
	free(m->vals);
	*m = n;
}

void
nc_strmap_put(struct nc_strmap *m, const char *key, long val)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		resize(m);
	i = find(m, key);
	if (m->keys[i] == NULL) {
		m->keys[i] = nc_strdup(key);
		m->len++;
	}
	m->vals[i] = val;
}

void
nc_strmap_del(struct nc_strmap *m, const char *key)
{
	size_t i, j, home;

	if (m->cap == 0)
		return;
	i = find(m, key);
	if (m->keys[i] == NULL)
		return;
	free(m->keys[i]);
	m->keys[i] = NULL;
	m->len--;
	/* Shift later members of the probe run back into the hole. */
	for (j = (i + 1) & (m->cap - 1); m->keys[j] != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		home = hash(m->keys[j]) & (m->cap - 1);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
}

void
nc_strmap_free(struct nc_strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
