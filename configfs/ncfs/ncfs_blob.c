/*
 * ncfs_blob.c: the interned contents, an open-addressing table keyed by
 * hash and compared byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ncfs_blob.h"
#include "util.h"

static struct ncfs_blob **table;	/* slots, NULL where empty */
static size_t cap;			/* slots, a power of two */
static size_t used;			/* blobs in the table */

static uint64_t
hash(const char *s, size_t n)
{
	return nc_fnv64(NC_FNV64_BASIS, s, n);
}

int
ncfs_blob_is(const struct ncfs_blob *b, const char *data, size_t len)
{
	return b != NULL && b->len == len && memcmp(b->data, data, len) == 0;
}

static size_t
slot(uint64_t h, const char *data, size_t len)
{
	size_t i = (size_t)h & (cap - 1);

	while (table[i] != NULL && !(table[i]->hash == h &&
	    ncfs_blob_is(table[i], data, len)))
		i = (i + 1) & (cap - 1);
	return i;
}

static void
grow(void)
{
	struct ncfs_blob **old = table;
	size_t oldcap = cap, i;

	cap = cap ? cap * 2 : 256;
	table = nc_calloc(cap, sizeof(*table));
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			table[slot(old[i]->hash, old[i]->data, old[i]->len)] =
			    old[i];
	free(old);
}

struct ncfs_blob *
ncfs_blob_get(const char *data, size_t len)
{
	uint64_t h = hash(data, len);
	struct ncfs_blob *b;
	size_t i;

	if ((used + 1) * 2 > cap)
		grow();
	i = slot(h, data, len);
	if ((b = table[i]) == NULL) {
		b = nc_calloc(1, sizeof(*b));
		b->hash = h;
		b->len = len;
		b->data = nc_malloc(len + 1);
		memcpy(b->data, data, len);
		b->data[len] = '\0';
		table[i] = b;
		used++;
	}
	b->refs++;
	return b;
}

void
ncfs_blob_put(struct ncfs_blob *b)
{
	size_t i, j, home;

	if (b == NULL || --b->refs > 0)
		return;
	i = slot(b->hash, b->data, b->len);
	table[i] = NULL;
	used--;
	/* Shift the rest of the probe run back into the hole. */
	for (j = (i + 1) & (cap - 1); table[j] != NULL;
	    j = (j + 1) & (cap - 1)) {
		home = (size_t)table[j]->hash & (cap - 1);
		if (((j - home) & (cap - 1)) >= ((j - i) & (cap - 1))) {
			table[i] = table[j];
			table[j] = NULL;
			i = j;
		}
	}
	free(b->data);
	free(b);
}
