/*
 * test_hash.c: FNV-1a (lib/hash.h) against the published test values, and
 * what is derived from it (interface names, MAC addresses, ncfs inode
 * numbers) against the values the copies it replaced gave: those must
 * never change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "address.h"
#include "hash.h"
#include "ncfs.h"
#include "ncfs_tree.h"
#include "pnode.h"

/* The published offset basis of 64-bit FNV (the project's lost a digit). */
#define FNV64_PUBLISHED 14695981039346656037ULL

static void
test_published_vectors(void **state)
{
	(void)state;
	assert_int_equal(nc_fnv64_str(FNV64_PUBLISHED, ""),
	    0xcbf29ce484222325ULL);
	assert_int_equal(nc_fnv64_str(FNV64_PUBLISHED, "a"),
	    0xaf63dc4c8601ec8cULL);
	assert_int_equal(nc_fnv64_str(FNV64_PUBLISHED, "foobar"),
	    0x85944171f73967e8ULL);
	assert_int_equal(nc_fnv32(NC_FNV32_BASIS, "", 0), 0x811c9dc5u);
	assert_int_equal(nc_fnv32(NC_FNV32_BASIS, "a", 1), 0xe40c292cu);
	assert_int_equal(nc_fnv32(NC_FNV32_BASIS, "foobar", 6), 0xbf9cf968u);
}

/* The forms agree: bytes, string, byte by byte, chained. */
static void
test_forms_agree(void **state)
{
	const char *s = "node0\377eth1";
	uint64_t h = NC_FNV64_BASIS;
	size_t i;

	(void)state;
	assert_int_equal(NC_FNV64_BASIS, 1469598103934665603ULL);
	for (i = 0; s[i] != '\0'; i++)
		h = nc_fnv64_byte(h, (unsigned char)s[i]);
	assert_int_equal(h, nc_fnv64(NC_FNV64_BASIS, s, strlen(s)));
	assert_int_equal(h, nc_fnv64_str(NC_FNV64_BASIS, s));
	assert_int_equal(h, nc_fnv64_str(nc_fnv64(NC_FNV64_BASIS, s, 5),
	    s + 5));
	assert_int_equal(nc_fnv64_str(NC_FNV64_BASIS, NULL), NC_FNV64_BASIS);
	assert_true(nc_fnv64_str(NC_FNV64_BASIS, "ab") !=
	    nc_fnv64_str(NC_FNV64_BASIS, "ba"));
}

/* Interface names, as the copy in pnode_names.c gave them. */
static void
test_ifnames_stable(void **state)
{
	char out[16];

	(void)state;
	ncp_ifname("nb", "lan0", NULL, out);
	assert_string_equal(out, "nb2ae3cd20");
	ncp_ifname("nv", "a-very-long-node-name-of-an-experiment", "eth12",
	    out);
	assert_string_equal(out, "nv7c0fe093");
	ncp_ifname("nk", "node1", "ctl0", out);
	assert_string_equal(out, "nk7673c3ad");
	ncp_ifname("nc", "", NULL, out);
	assert_string_equal(out, "nc050c5d1f");
}

/* MAC addresses, as the copy in address.c gave them. */
static void
test_macs_stable(void **state)
{
	static const uint8_t m0[6] = { 0x02, 0x33, 0x32, 0xcd, 0x24, 0x86 };
	static const uint8_t m1[6] = { 0x02, 0xf6, 0x67, 0x78, 0x32, 0x4f };
	static const uint8_t m2[6] = { 0x02, 0x3a, 0xc6, 0xfd, 0xdf, 0xb2 };
	uint8_t mac[6];

	(void)state;
	nc_mac_derive("node0", "eth0", 0, mac);
	assert_memory_equal(mac, m0, 6);
	nc_mac_derive("client-1", "eth3", 1, mac);
	assert_memory_equal(mac, m1, 6);
	nc_mac_derive("", "", 0xdeadbeefu, mac);
	assert_memory_equal(mac, m2, 6);
}

/* ncfs inode numbers, as the copy in ncfs_tree.c gave them. */
static void
test_inodes_stable(void **state)
{
	static const uint64_t want[5] = { 0x352f7500078c9b05ULL,
	    0x425619b86eeb6b32ULL, 0x29871d4fb325ce13ULL,
	    0x41b14c390794c8e8ULL, 0x5a517cae19ac0f29ULL };
	int d;

	(void)state;
	for (d = 1; d < 6; d++) {
		struct ncfs_ref r = { 0 };

		r.dir = (enum nct_dir)d;
		r.k[0] = "node0";
		r.k[1] = d & 1 ? "eth1" : NULL;
		assert_int_equal(ncfs_ref_hash(&r), want[d - 1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_vectors),
		cmocka_unit_test(test_forms_agree),
		cmocka_unit_test(test_ifnames_stable),
		cmocka_unit_test(test_macs_stable),
		cmocka_unit_test(test_inodes_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
