/*
 * test_place.c: roles, placement, images, subnets, addresses and MACs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "address.h"
#include "inet.h"
#include "place.h"
#include "util.h"

static struct nc_diag D;

static void
quiet(void)
{
	nc_diag_free(&D);
	nc_diag_init(&D, "t.ns");
	D.out = NULL;
}

static size_t
node(struct nc_exp *e, const char *name)
{
	size_t i = nc_exp_add_node(e, name, NC_ROLE_CONTAINER);

	e->nodes[i].line = (int)i + 1;
	return i;
}

/* A LAN (or link when two names) of the named nodes, created if new. */
static size_t
lan(struct nc_exp *e, const char *name, const char *const *members)
{
	enum nc_lan_kind k = members[2] == NULL ? NC_LAN_LINK : NC_LAN_LAN;
	size_t l = nc_exp_add_lan(e, name, k), i;
	long n;

	e->lans[l].line = 100 + (int)l;
	for (i = 0; members[i] != NULL; i++) {
		n = nc_exp_find_node(e, members[i]);
		if (n < 0)
			n = (long)node(e, members[i]);
		nc_exp_join(e, l, (size_t)n);
	}
	return l;
}

static const char *
ip_of(const struct nc_exp *e, const char *n, size_t iface, char *buf)
{
	return nc_ip_format(e->nodes[nc_exp_find_node(e, n)].ifaces[iface].ip,
	    buf);
}

static const char *
host_of(const struct nc_exp *e, const char *n)
{
	return e->nodes[nc_exp_find_node(e, n)].host;
}

static void
test_single_machine(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	char b[16];

	(void)state;
	quiet();
	nc_exp_init(&e);
	lan(&e, "link0", (const char *[]){ "A", "B", NULL });
	lan(&e, "lan0", (const char *[]){ "B", "C", "D", NULL });
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	/* config and pnode-0 are added, both implicit */
	assert_int_equal(e.nnodes, 6);
	assert_string_equal(e.control, "config");
	assert_int_equal(e.nodes[nc_exp_find_node(&e, "config")].role,
	    NC_ROLE_CONFIG);
	assert_int_equal(e.nodes[nc_exp_find_node(&e, "pnode-0")].role,
	    NC_ROLE_PNODE);
	assert_true(e.nodes[nc_exp_find_node(&e, "pnode-0")].implicit);
	assert_string_equal(host_of(&e, "A"), "pnode-0");
	assert_string_equal(host_of(&e, "D"), "pnode-0");
	assert_null(host_of(&e, "config"));
	/* a /24 each, in file order, members numbered in order */
	assert_string_equal(ip_of(&e, "A", 0, b), "10.0.0.1");
	assert_string_equal(ip_of(&e, "B", 0, b), "10.0.0.2");
	assert_string_equal(ip_of(&e, "B", 1, b), "10.0.1.1");
	assert_string_equal(ip_of(&e, "D", 0, b), "10.0.1.3");
	assert_string_equal(e.nodes[nc_exp_find_node(&e, "B")].ifaces[1].name,
	    "eth2");
	assert_int_equal(e.lans[1].mask, 0xffffff00u);
	nc_exp_free(&e);
}

static void
test_roles(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	size_t n;

	(void)state;
	quiet();
	nc_exp_init(&e);
	node(&e, "config");
	n = node(&e, "phys");
	nc_node_set_attr(&e.nodes[n], "containers:node_type",
	    "embedded_pnode", 3);
	node(&e, "pnode-0000");
	n = node(&e, "big");
	nc_set_str(&e.nodes[n].os, "PNODE-BASE");
	node(&e, "c1");
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_int_equal(e.nnodes, 5);	/* nothing implicit added */
	assert_int_equal(e.nodes[0].role, NC_ROLE_CONFIG);
	assert_int_equal(e.nodes[1].role, NC_ROLE_PHYSICAL);
	assert_int_equal(e.nodes[2].role, NC_ROLE_PNODE);
	assert_int_equal(e.nodes[3].role, NC_ROLE_PNODE);
	assert_int_equal(e.nodes[4].role, NC_ROLE_CONTAINER);
	assert_string_equal(e.nodes[4].host, "pnode-0000");
	assert_null(e.nodes[1].host);
	nc_exp_free(&e);
}

static void
test_capacity_and_lans(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	long load[3] = { 0 };
	size_t i;

	(void)state;
	quiet();
	nc_exp_init(&e);
	lan(&e, "lanA", (const char *[]){ "a1", "a2", "a3", NULL });
	lan(&e, "lanB", (const char *[]){ "b1", "b2", "b3", NULL });
	lan(&e, "lanC", (const char *[]){ "c1", "c2", "c3", "c4", NULL });
	nc_place_defaults(&o);
	o.npnodes = 3;
	o.capacity = 4;
	assert_int_equal(nc_place(&e, &o, &D), 0);
	for (i = 0; i < e.nnodes; i++) {
		if (e.nodes[i].role != NC_ROLE_CONTAINER)
			continue;
		assert_non_null(e.nodes[i].host);
		load[e.nodes[i].host[6] - '0']++;
	}
	for (i = 0; i < 3; i++)
		assert_true(load[i] <= 4);
	/* members of a LAN stay together when there is room */
	assert_string_equal(host_of(&e, "a1"), host_of(&e, "a3"));
	assert_string_equal(host_of(&e, "b1"), host_of(&e, "b3"));
	assert_string_equal(host_of(&e, "c1"), host_of(&e, "c4"));
	assert_null(nc_exp_find_node(&e, "pnode-0") >= 0 &&
	    e.nodes[nc_exp_find_node(&e, "pnode-0")].implicit ? "x" : NULL);
	nc_exp_free(&e);
}

static void
test_no_room(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;

	(void)state;
	quiet();
	nc_exp_init(&e);
	lan(&e, "l", (const char *[]){ "a", "b", "c", NULL });
	nc_place_defaults(&o);
	o.npnodes = 1;
	o.capacity = 2;
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "do not fit"));
	nc_exp_free(&e);
}

static void
test_pins(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	size_t n;

	(void)state;
	quiet();
	nc_exp_init(&e);
	n = node(&e, "x");
	nc_node_set_attr(&e.nodes[n], "containers:partition", "2", 7);
	n = node(&e, "w");
	nc_node_set_attr(&e.nodes[n], "containers:partition", "0", 8);
	n = node(&e, "y");
	nc_set_str(&e.nodes[n].fix, "pnode-1");
	nc_place_defaults(&o);
	o.npnodes = 3;
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_string_equal(host_of(&e, "x"), "pnode-2");
	assert_string_equal(host_of(&e, "y"), "pnode-1");
	assert_string_equal(host_of(&e, "w"), "pnode-0");
	nc_exp_free(&e);

	/* a partition beyond the pnodes is an error ... */
	quiet();
	nc_exp_init(&e);
	n = node(&e, "x");
	nc_node_set_attr(&e.nodes[n], "containers:partition", "5", 7);
	nc_place_defaults(&o);
	o.npnodes = 3;
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:7: node x: containers:partition "
	    "5, but there are only 3 pnodes (partitions 0 to 2)");
	nc_exp_free(&e);

	/* ... except on one machine, where every partition is local */
	quiet();
	nc_exp_init(&e);
	n = node(&e, "x");
	nc_node_set_attr(&e.nodes[n], "containers:partition", "5", 7);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_string_equal(host_of(&e, "x"), "pnode-0");
	nc_exp_free(&e);

	quiet();
	nc_exp_init(&e);
	n = node(&e, "y");
	nc_set_str(&e.nodes[n].fix, "nowhere");
	e.nodes[n].fix_line = 12;
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:12: tb-fix-node: y is pinned to "
	    "nowhere, which is not a pnode");
	nc_exp_free(&e);

	quiet();
	nc_exp_init(&e);
	n = node(&e, "z");
	nc_node_set_attr(&e.nodes[n], "containers:partition", "two", 9);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "t.ns:9: "));
	nc_exp_free(&e);
}

static void
test_case_collision(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;

	(void)state;
	quiet();
	nc_exp_init(&e);
	node(&e, "web");
	node(&e, "WEB");
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:2: node WEB: name differs from "
	    "node web only by case");
	nc_exp_free(&e);
}

static void
test_explicit_addresses(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	size_t l;
	char b[16];

	(void)state;
	quiet();
	nc_exp_init(&e);
	lan(&e, "link0", (const char *[]){ "A", "B", NULL });
	l = lan(&e, "lan0", (const char *[]){ "B", "C", "D", NULL });
	/* C takes 10.0.0.2 in lan0: the carved subnets must avoid it */
	nc_ip_parse("10.0.0.2", &e.nodes[nc_exp_find_node(&e, "C")].ifaces[0].ip);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_string_equal(ip_of(&e, "C", 0, b), "10.0.0.2");
	assert_string_equal(ip_of(&e, "B", 1, b), "10.0.0.1");
	assert_string_equal(ip_of(&e, "D", 0, b), "10.0.0.3");
	assert_string_equal(ip_of(&e, "A", 0, b), "10.0.1.1");
	(void)l;
	nc_exp_free(&e);
}

static void
test_address_errors(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	struct nc_iface *i;

	(void)state;
	/* outside the subnet of the LAN's first address */
	quiet();
	nc_exp_init(&e);
	lan(&e, "lan0", (const char *[]){ "B", "C", "D", NULL });
	nc_ip_parse("10.9.0.2", &e.nodes[0].ifaces[0].ip);
	i = &e.nodes[1].ifaces[0];
	nc_ip_parse("10.8.0.3", &i->ip);
	i->ip_line = 44;
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:44: C address 10.8.0.3 is outside "
	    "lan0's subnet 10.9.0.0/24");
	nc_exp_free(&e);

	/* the same address twice */
	quiet();
	nc_exp_init(&e);
	lan(&e, "l1", (const char *[]){ "A", "B", NULL });
	lan(&e, "l2", (const char *[]){ "A", "C", NULL });
	nc_ip_parse("10.1.0.1", &e.nodes[0].ifaces[0].ip);
	nc_ip_parse("10.1.0.1", &e.nodes[1].ifaces[0].ip);
	e.nodes[1].ifaces[0].ip_line = 5;
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:5: address 10.1.0.1 of B is "
	    "already given to A");
	nc_exp_free(&e);

	/* network address */
	quiet();
	nc_exp_init(&e);
	lan(&e, "l1", (const char *[]){ "A", "B", NULL });
	nc_ip_parse("10.1.0.0", &e.nodes[0].ifaces[0].ip);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "network address"));
	nc_exp_free(&e);

	/* overlapping subnets of two LANs */
	quiet();
	nc_exp_init(&e);
	lan(&e, "l1", (const char *[]){ "A", "B", NULL });
	lan(&e, "l2", (const char *[]){ "C", "D", NULL });
	nc_ip_parse("10.1.0.1", &e.nodes[0].ifaces[0].ip);
	nc_ip_parse("10.1.0.9", &e.nodes[2].ifaces[0].ip);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "overlaps"));
	nc_exp_free(&e);
}

static void
test_pool_exhausted(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	char name[16];
	int k;

	(void)state;
	quiet();
	nc_exp_init(&e);
	for (k = 0; k < 5; k++) {
		snprintf(name, sizeof(name), "l%d", k);
		lan(&e, name, (const char *[]){ "A", name + 1, NULL });
	}
	nc_place_defaults(&o);
	nc_ip_parse("192.168.0.0", &o.pool);
	o.pool_mask = 0xfffffc00u;	/* a /22: four /24s */
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "no free /24 subnet"));
	nc_exp_free(&e);
}

static void
test_macs_stable(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e1, e2;
	size_t n, i;

	(void)state;
	quiet();
	nc_exp_init(&e1);
	nc_exp_init(&e2);
	lan(&e1, "l", (const char *[]){ "A", "B", "C", NULL });
	lan(&e2, "l", (const char *[]){ "A", "B", "C", NULL });
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e1, &o, &D), 0);
	assert_int_equal(nc_place(&e2, &o, &D), 0);
	for (n = 0; n < e1.nnodes; n++)
		for (i = 0; i < e1.nodes[n].nifaces; i++) {
			assert_true(e1.nodes[n].ifaces[i].has_mac);
			assert_int_equal(e1.nodes[n].ifaces[i].mac[0], 0x02);
			assert_memory_equal(e1.nodes[n].ifaces[i].mac,
			    e2.nodes[n].ifaces[i].mac, 6);
		}
	assert_memory_not_equal(e1.nodes[0].ifaces[0].mac,
	    e1.nodes[1].ifaces[0].mac, 6);
	nc_exp_free(&e1);
	nc_exp_free(&e2);
}

static void
test_images(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	size_t n;

	(void)state;
	quiet();
	nc_exp_init(&e);
	n = node(&e, "c3po");
	nc_node_set_attr(&e.nodes[n], "containers:image_os", "ubuntu", 2);
	nc_node_set_attr(&e.nodes[n], "containers:image_name",
	    "ubuntu/trusty64", 3);
	n = node(&e, "r2d2");
	nc_node_set_attr(&e.nodes[n], "containers:image_os", "windows", 4);
	nc_node_set_attr(&e.nodes[n], "containers:image_name", "deter/win7", 5);
	nc_node_set_attr(&e.nodes[n], "containers:image_url",
	    "http://scratch/benito/deter_win7.box", 6);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	/* the two of the NS file, then the two every catalog has */
	assert_int_equal(e.nimages, 4);
	assert_string_equal(e.images[2].name, "debian-12");
	assert_string_equal(e.images[3].name, "busybox");
	assert_string_equal(e.images[0].name, "ubuntu/trusty64");
	assert_string_equal(e.images[0].provider, "virtualbox");
	assert_string_equal(e.images[0].version, "14.04");
	assert_string_equal(e.images[0].type, "vagrant");
	assert_null(e.images[0].url);
	assert_string_equal(e.images[1].os, "windows");
	assert_string_equal(e.images[1].url,
	    "http://scratch/benito/deter_win7.box");
	assert_string_equal(e.nodes[1].image, "deter/win7");
	nc_exp_free(&e);

	quiet();
	nc_exp_init(&e);
	n = node(&e, "x");
	nc_node_set_attr(&e.nodes[n], "containers:image_name", "no/such", 8);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_string_equal(D.error, "t.ns:8: node x: image \"no/such\" is "
	    "not a baked-in image and has no containers:image_url");
	nc_exp_free(&e);

	quiet();
	nc_exp_init(&e);
	n = node(&e, "x");
	nc_node_set_attr(&e.nodes[n], "containers:image_name", "../../etc", 8);
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), -1);
	assert_non_null(strstr(D.error, "is not a box name"));
	nc_exp_free(&e);
}

static void
test_real_pnodes_replace_implicit(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;

	(void)state;
	quiet();
	nc_exp_init(&e);
	lan(&e, "l", (const char *[]){ "A", "B", NULL });
	nc_place_defaults(&o);
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_string_equal(host_of(&e, "A"), "pnode-0");
	/* tmcc data later names two pnodes */
	NC_PUSH(e.hostnames, e.nhostnames, e.caphostnames)->name =
	    nc_strdup("pnode-0001");
	NC_PUSH(e.hostnames, e.nhostnames, e.caphostnames)->name =
	    nc_strdup("pnode-0002");
	e.hostnames[0].aliases = nc_strdup("");
	e.hostnames[1].aliases = nc_strdup("");
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_true(nc_exp_find_node(&e, "pnode-0") < 0);
	assert_string_equal(host_of(&e, "A"), "pnode-0001");
	assert_string_equal(host_of(&e, "B"), "pnode-0001");
	nc_exp_free(&e);
}

static void
test_large(void **state)
{
	struct nc_place_opts o;
	struct nc_exp e;
	char a[16], b[16];
	size_t k;

	(void)state;
	quiet();
	nc_exp_init(&e);
	node(&e, "hub");
	for (k = 0; k < 2000; k++) {
		snprintf(a, sizeof(a), "n-%zu", k);
		snprintf(b, sizeof(b), "l-%zu", k);
		lan(&e, b, (const char *[]){ "hub", a, NULL });
	}
	nc_place_defaults(&o);
	o.npnodes = 300;
	assert_int_equal(nc_place(&e, &o, &D), 0);
	assert_string_equal(host_of(&e, "n-0"), host_of(&e, "hub"));
	assert_non_null(host_of(&e, "n-1999"));
	/* 2000 /24s from 10.0.0.0/8: the last is 10.7.207.0/24 */
	assert_string_equal(ip_of(&e, "n-1999", 0, a), "10.7.207.2");
	nc_exp_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_machine),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_capacity_and_lans),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_pins),
		cmocka_unit_test(test_case_collision),
		cmocka_unit_test(test_explicit_addresses),
		cmocka_unit_test(test_address_errors),
		cmocka_unit_test(test_pool_exhausted),
		cmocka_unit_test(test_macs_stable),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_real_pnodes_replace_implicit),
		cmocka_unit_test(test_large),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	nc_diag_free(&D);
	return rc;
}
