/*
 * hash.c: FNV-1a, 64 and 32 bits (hash.h).
 */
#include "hash.h"

#define FNV64_PRIME 1099511628211ULL	/* 2^40 + 2^8 + 0xb3 */
#define FNV32_PRIME 16777619u		/* 2^24 + 2^8 + 0x93 */

uint64_t
nc_fnv64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV64_PRIME;
	return h;
}

uint64_t
nc_fnv64_str(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * FNV64_PRIME;
	return h;
}

uint64_t
nc_fnv64_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV64_PRIME;
}

uint32_t
nc_fnv32(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV32_PRIME;
	return h;
}
