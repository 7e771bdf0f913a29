/*
 * hash.h: FNV-1a, the one hash of the project (hash tables, ncfs inode
 * numbers, derived MAC addresses, interface names).  Names and addresses
 * derived from it must stay the same across versions, so these functions
 * never change: each byte is XORed in, then the state multiplied by the
 * FNV prime.  Chain calls by passing one's result as the next one's h,
 * starting from the offset basis.
 */
#ifndef NC_HASH_H
#define NC_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit basis of every hash the project has derived so far: the
 * published offset basis (14695981039346656037) with its last digit lost.
 * Kept, because MACs and inode numbers come from it; any 64-bit value
 * does as a basis. */
#define NC_FNV64_BASIS 1469598103934665603ULL
/* The published 32-bit offset basis (interface names). */
#define NC_FNV32_BASIS 2166136261u

/* 64-bit FNV-1a of len bytes of data, continuing from h. */
uint64_t nc_fnv64(uint64_t h, const void *data, size_t len);
/* 64-bit FNV-1a of the bytes of the string s (not its NUL); s NULL adds
 * nothing. */
uint64_t nc_fnv64_str(uint64_t h, const char *s);
/* 64-bit FNV-1a of the one byte c. */
uint64_t nc_fnv64_byte(uint64_t h, unsigned char c);
/* 32-bit FNV-1a of len bytes of data, continuing from h. */
uint32_t nc_fnv32(uint32_t h, const void *data, size_t len);

#endif
