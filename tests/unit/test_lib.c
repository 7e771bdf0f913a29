/*
 * test_lib.c: names, IPv4/MAC text forms and the string map.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inet.h"
#include "names.h"
#include "strmap.h"
#include "valid.h"

/* Validity of names is test_valid.c's table; here the NS mangling. */
static void
test_names(void **state)
{
	char *m;

	(void)state;
	assert_int_equal(nc_name_mangle("n(3)", &m), 0);
	assert_string_equal(m, "n-3");
	assert_int_equal(nc_valid_label(m, NULL), 0);
	free(m);
	assert_int_equal(nc_name_mangle("grid(1,2)", &m), 0);
	assert_string_equal(m, "grid-1-2");
	free(m);
	assert_int_equal(nc_name_mangle("node_1", &m), 1);
	assert_string_equal(m, "node-1");
	free(m);
	assert_int_equal(nc_name_mangle("a(b)c", &m), 0);
	/* ")" inside stays and fails */
	assert_int_equal(nc_valid_label(m, NULL), -EINVAL);
	free(m);
}

static void
test_ip(void **state)
{
	uint32_t ip, mask;
	char buf[16];

	(void)state;
	assert_int_equal(nc_ip_parse("10.1.2.3", &ip), 0);
	assert_int_equal(ip, 0x0a010203u);
	assert_string_equal(nc_ip_format(ip, buf), "10.1.2.3");
	assert_int_equal(nc_ip_parse("0.0.0.0", &ip), 0);
	assert_int_equal(nc_ip_parse("255.255.255.255", &ip), 0);
	assert_int_equal(nc_ip_parse("10.1.1.300", &ip), -1);
	assert_int_equal(nc_ip_parse("10.1.1", &ip), -1);
	assert_int_equal(nc_ip_parse("10.1.1.1.1", &ip), -1);
	assert_int_equal(nc_ip_parse("010.1.1.1", &ip), -1);
	assert_int_equal(nc_ip_parse("10.1.1.1 ", &ip), -1);
	assert_int_equal(nc_ip_parse("a.b.c.d", &ip), -1);
	assert_int_equal(nc_ip_parse("", &ip), -1);
	assert_int_equal(nc_ip_parse("1000.1.1.1", &ip), -1);
	assert_int_equal(nc_mask_parse("255.255.255.0", &mask), 0);
	assert_int_equal(nc_mask_prefix(mask), 24);
	assert_int_equal(nc_mask_parse("/16", &mask), 0);
	assert_int_equal(mask, 0xffff0000u);
	assert_int_equal(nc_mask_parse("255.0.255.0", &mask), -1);
	assert_int_equal(nc_mask_parse("/33", &mask), -1);
}

static void
test_mac(void **state)
{
	uint8_t mac[6];
	char buf[18];

	(void)state;
	assert_int_equal(nc_mac_parse("02:AB:cd:00:11:ff", mac), 0);
	assert_string_equal(nc_mac_format(mac, buf), "02:ab:cd:00:11:ff");
	assert_int_equal(nc_mac_parse("00d0b7112233", mac), 0);
	assert_string_equal(nc_mac_format(mac, buf), "00:d0:b7:11:22:33");
	assert_int_equal(nc_mac_parse("00:d0:b7:11:22", mac), -1);
	assert_int_equal(nc_mac_parse("00-d0-b7-11-22-33", mac), -1);
	assert_int_equal(nc_mac_parse("zz:d0:b7:11:22:33", mac), -1);
}

static void
test_strmap(void **state)
{
	struct nc_strmap m = { 0 };
	char key[32];
	long i;

	(void)state;
	assert_int_equal(nc_strmap_get(&m, "x"), -1);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		nc_strmap_put(&m, key, i);
	}
	assert_int_equal(m.len, 5000);
	for (i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "k%ld", i);
		nc_strmap_del(&m, key);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_int_equal(nc_strmap_get(&m, key), i % 2 ? i : -1);
	}
	nc_strmap_put(&m, "k1", 77);
	assert_int_equal(nc_strmap_get(&m, "k1"), 77);
	assert_int_equal(m.len, 2500);
	nc_strmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_strmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
