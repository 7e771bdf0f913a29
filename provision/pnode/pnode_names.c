/*
 * pnode_names.c: stable short interface names (pnode.h, ncp_ifname).  The
 * kernel allows 15 bytes; experiment names are longer, so a name is a
 * two-letter prefix and 8 hex digits of a 32-bit FNV-1a hash of the key(s):
 * the same keys give the same name on every run and every pnode.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "pnode.h"

/* FNV-1a over s and its terminating NUL (so "ab","c" != "a","bc"). */
static uint32_t
fnv1a(uint32_t h, const char *s)
{
	return nc_fnv32(h, s, strlen(s) + 1);
}

void
ncp_ifname(const char *prefix, const char *a, const char *b, char out[16])
{
	uint32_t h = NC_FNV32_BASIS;
	char pre[3] = "nc";
	size_t i;

	/* Only [a-z0-9] in names: a bad prefix falls back to "nc". */
	for (i = 0; i < 2 && prefix != NULL && prefix[i] != '\0'; i++)
		if ((prefix[i] >= 'a' && prefix[i] <= 'z') ||
		    (prefix[i] >= '0' && prefix[i] <= '9'))
			pre[i] = prefix[i];
	h = fnv1a(h, a != NULL ? a : "");
	if (b != NULL)
		h = fnv1a(h, b);
	snprintf(out, 16, "%s%08x", pre, (unsigned)h);
}
