/*
 * test_routes.c: static routes computed at import ($ns rtproto Static and
 * Manual, configfs/model/routes.c), on real files' topologies: DETER's
 * corpus and case studies, the examples, and small files in
 * tests/data/routes.  Every Static result is checked against an
 * independent breadth-first search over the node graph: for each node and
 * each subnet, longest-prefix match over the node's routes (aggregated
 * into the pool 10.0.0.0/8, or flat) and its own subnets finds the subnet
 * itself when the node is on it, nothing when the node cannot reach it,
 * else a gateway the node shares a LAN with, through which the path is a
 * shortest one.  Routes with a wrong gateway, or missing, must fail it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "inet.h"
#include "ns.h"
#include "place.h"
#include "routes.h"
#include "util.h"
#include "valid.h"

/* An imported experiment and its diagnostics. */
struct run {
	struct nc_exp e;	/* the experiment */
	struct nc_diag d;	/* warnings and errors (not printed) */
};

/* Import path as neoc does: evaluate, place, address, route.  When force
 * is set, Static routing whatever the file says; when flat is set, no
 * pool to aggregate routes into (every route explicit). */
static int
load_as(struct run *r, const char *path, int force, int flat)
{
	struct nc_place_opts o;

	nc_exp_init(&r->e);
	nc_diag_init(&r->d, path);
	r->d.out = NULL;
	if (nc_ns_eval(path, &r->e, &r->d, NULL) < 0)
		return -1;
	if (force)
		r->e.rtproto = NC_RT_STATIC;
	nc_place_defaults(&o);
	if (o.pool != 0x0a000000u || o.pool_mask != 0xff000000u)
		return -1;	/* the tests below expect 10.0.0.0/8 */
	if (nc_place(&r->e, &o, &r->d) < 0)
		return -1;
	if (flat && r->e.rtproto == NC_RT_STATIC)
		nc_routes_static(&r->e, 0, 0);	/* no pool: all explicit */
	return 0;
}

static int
load(struct run *r, const char *path, int force)
{
	return load_as(r, path, force, 0);
}

static void
done(struct run *r)
{
	nc_exp_free(&r->e);
	nc_diag_free(&r->d);
}

static size_t
node(const struct run *r, const char *name)
{
	long n = nc_exp_find_node(&r->e, name);

	assert_true(n >= 0);
	return (size_t)n;
}

/* The text of node name's routes. */
static char *
routes_of(const struct run *r, const char *name)
{
	struct nc_buf b = { 0 };
	char *s;

	nc_routes_text(&r->e.nodes[node(r, name)], &b);
	s = nc_strdup(b.p != NULL ? b.p : "");
	nc_buf_free(&b);
	return s;
}

static void
expect_routes(const struct run *r, const char *name, const char *want)
{
	char *got = routes_of(r, name);

	if (strcmp(got, want) != 0)
		print_error("%s: routes\n%s\nwant\n%s\n", name, got, want);
	assert_string_equal(got, want);
	free(got);
}

/* ---------------------------------------------------------------- */
/* The independent check */

/* Hop counts from every node to every node (-1: unreachable), by a plain
 * BFS over "shares a LAN" per source. */
static int *
all_distances(const struct nc_exp *e)
{
	size_t n = e->nnodes, s, head, tail, u, k, m, v;
	int *dist = nc_malloc(n * n * sizeof(*dist));
	size_t *queue = nc_malloc(n * sizeof(*queue));
	const struct nc_lan *l;

	for (s = 0; s < n; s++) {
		int *d = dist + s * n;

		for (u = 0; u < n; u++)
			d[u] = -1;
		d[s] = 0;
		head = tail = 0;
		queue[tail++] = s;
		while (head < tail) {
			u = queue[head++];
			for (k = 0; k < e->nodes[u].nifaces; k++) {
				l = &e->lans[e->nodes[u].ifaces[k].lan];
				for (m = 0; m < l->nmembers; m++) {
					v = l->members[m].node;
					if (d[v] < 0) {
						d[v] = d[u] + 1;
						queue[tail++] = v;
					}
				}
			}
		}
	}
	free(queue);
	return dist;
}

/* Hops from node x to LAN lan: to its nearest member (-1: unreachable). */
static int
lan_distance(const struct nc_exp *e, const int *dist, size_t x, size_t lan)
{
	const struct nc_lan *l = &e->lans[lan];
	int best = -1, d;
	size_t m;

	for (m = 0; m < l->nmembers; m++) {
		d = dist[x * e->nnodes + l->members[m].node];
		if (d >= 0 && (best < 0 || d < best))
			best = d;
	}
	return best;
}

static int
on_lan(const struct nc_node *n, size_t lan)
{
	size_t i;

	for (i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].lan == lan)
			return 1;
	return 0;
}

/* The node that has address ip on a LAN node s is on, or -1. */
static long
neighbour_with(const struct nc_exp *e, size_t s, uint32_t ip)
{
	size_t v, k;

	for (v = 0; v < e->nnodes; v++)
		for (k = 0; k < e->nodes[v].nifaces; k++)
			if (v != s && e->nodes[v].ifaces[k].ip == ip &&
			    on_lan(&e->nodes[s], e->nodes[v].ifaces[k].lan))
				return (long)v;
	return -1;
}

/* The subnet of lan (from its first member's address) into *net and
 * *prefix; 0, or -1 when it has none. */
static int
lan_subnet(const struct nc_exp *e, size_t lan, uint32_t *net, int *prefix)
{
	const struct nc_lan *l = &e->lans[lan];
	const struct nc_iface *f;
	uint32_t mask;
	size_t m;

	for (m = 0; m < l->nmembers; m++) {
		f = &e->nodes[l->members[m].node].ifaces[l->members[m].iface];
		if (f->ip == 0)
			continue;
		mask = nc_iface_mask(e, f);
		*net = f->ip & mask;
		*prefix = nc_mask_prefix(mask);
		return 0;
	}
	return -1;
}

static uint32_t
prefix_mask(int prefix)
{
	return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/*
 * Longest-prefix match of the subnet net/prefix over node n's routes and
 * the subnets of its own LANs: 1 with *gw the route's gateway, 0 for a
 * subnet of its own (directly connected), -1 when nothing matches, -2
 * when the answer is not one next hop for the whole subnet (two matches
 * of the same length, or a match narrower than the subnet).
 */
static int
lookup(const struct nc_exp *e, const struct nc_node *n, uint32_t net,
    int prefix, uint32_t *gw)
{
	const struct nc_route *r;
	uint32_t lnet;
	int best = -1, how = -1, ties = 0, lpre;
	size_t i;

	for (i = 0; i < n->nroutes; i++) {
		r = &n->routes[i];
		if (r->prefix > prefix &&
		    (r->dst & prefix_mask(prefix)) == net)
			return -2;	/* splits the subnet */
		if (r->prefix > prefix ||
		    (net & prefix_mask(r->prefix)) != r->dst)
			continue;
		if (r->prefix == best)
			ties++;
		if (r->prefix > best) {
			best = r->prefix;
			ties = 0;
			how = 1;
			*gw = r->gw;
		}
	}
	for (i = 0; i < n->nifaces; i++) {
		if (lan_subnet(e, n->ifaces[i].lan, &lnet, &lpre) < 0)
			continue;
		if (lpre > prefix || (net & prefix_mask(lpre)) != lnet)
			continue;
		if (lpre == best && how != 0)
			ties++;
		if (lpre > best) {
			best = lpre;
			ties = 0;
			how = 0;
		}
	}
	return ties > 0 ? -2 : how;
}

/* 1 while test_check_fails injects faults: they are expected, unprinted. */
static int quiet;

static void
say(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
}

/*
 * The whole check; returns the number of faults found (each printed), and
 * the number of routes in *total.  For every node with an interface and
 * every subnet: longest-prefix match over the node's routes and its own
 * subnets gives the subnet itself when the node is on it, nothing when it
 * cannot reach it, else a gateway on a LAN the node shares, through which
 * the path is a shortest one.  No two routes of a node have the same
 * destination.  When connected is set, every node reaches every subnet.
 */
static size_t
faults(const struct nc_exp *e, int connected, size_t *total)
{
	int *dist = all_distances(e), want, via, prefix, how;
	size_t s, lan, i, bad = 0;
	const struct nc_node *n;
	uint32_t net, gw = 0;
	long h;

	*total = 0;
	for (s = 0; s < e->nnodes; s++) {
		n = &e->nodes[s];
		*total += n->nroutes;
		if (nc_routes_dup(n->routes, n->nroutes) >= 0) {
			say("%s: two routes to one destination\n",
			    n->name);
			bad++;
		}
		for (i = 0; i < n->nroutes; i++)
			if (neighbour_with(e, s, n->routes[i].gw) < 0) {
				say("%s: gateway of route %zu is on no "
				    "LAN it is on\n", n->name, i);
				bad++;
			}
		for (lan = 0; lan < e->nlans; lan++) {
			if (lan_subnet(e, lan, &net, &prefix) < 0)
				continue;
			want = n->nifaces == 0 ? -1 :
			    lan_distance(e, dist, s, lan);
			how = lookup(e, n, net, prefix, &gw);
			if (connected && n->nifaces > 0 && want < 0) {
				say("%s cannot reach %s\n", n->name,
				    e->lans[lan].name);
				bad++;
			}
			if (on_lan(n, lan)) {
				if (how != 0) {
					say("%s: its own %s is not "
					    "direct\n", n->name,
					    e->lans[lan].name);
					bad++;
				}
				continue;
			}
			if (want < 0) {
				if (how != -1) {
					say("%s: a route to "
					    "unreachable %s\n", n->name,
					    e->lans[lan].name);
					bad++;
				}
				continue;
			}
			if (how != 1) {
				say("%s: no single route to %s\n",
				    n->name, e->lans[lan].name);
				bad++;
				continue;
			}
			h = neighbour_with(e, s, gw);
			if (h < 0)
				continue;	/* counted above */
			via = lan_distance(e, dist, (size_t)h, lan);
			if (via < 0 || via + 1 != want) {
				say("%s -> %s: via %s %d hops, "
				    "shortest %d\n", n->name,
				    e->lans[lan].name, e->nodes[h].name,
				    via + 1, want);
				bad++;
			}
		}
	}
	free(dist);
	return bad;
}

/* faults() must find none; returns the number of routes. */
static size_t
check_static(const struct nc_exp *e, int connected)
{
	size_t total;

	assert_int_equal(faults(e, connected, &total), 0);
	return total;
}

/* ---------------------------------------------------------------- */
/* The tests */

/* a - r1 - r2 - r3 - b: a reaches b's subnet via r1. */
static void
test_chain(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(load_as(&r, "tests/data/routes/chain.ns", 0, 1), 0);
	/* links 10.0.0/24 a-r1, 10.0.1 r1-r2, 10.0.2 r2-r3, 10.0.3 r3-b */
	expect_routes(&r, "a", "10.0.1.0/24 via 10.0.0.2\n"
	    "10.0.2.0/24 via 10.0.0.2\n10.0.3.0/24 via 10.0.0.2\n");
	expect_routes(&r, "r2", "10.0.0.0/24 via 10.0.1.1\n"
	    "10.0.3.0/24 via 10.0.2.2\n");
	expect_routes(&r, "b", "10.0.0.0/24 via 10.0.3.1\n"
	    "10.0.1.0/24 via 10.0.3.1\n10.0.2.0/24 via 10.0.3.1\n");
	/* nodes without interfaces (config, pnode-0) have none */
	expect_routes(&r, "config", "");
	assert_int_equal(check_static(&r.e, 1), 3 + 2 + 2 + 2 + 3);
	assert_int_equal(r.d.nwarn, 0);
	done(&r);
	/* aggregated: a gateway with two routes or more takes the pool; r2
	 * has one route through each neighbour and keeps both */
	assert_int_equal(load(&r, "tests/data/routes/chain.ns", 0), 0);
	expect_routes(&r, "a", "10.0.0.0/8 via 10.0.0.2\n");
	expect_routes(&r, "r1", "10.0.0.0/8 via 10.0.1.2\n");
	expect_routes(&r, "r2", "10.0.0.0/24 via 10.0.1.1\n"
	    "10.0.3.0/24 via 10.0.2.2\n");
	expect_routes(&r, "r3", "10.0.0.0/8 via 10.0.2.1\n");
	expect_routes(&r, "b", "10.0.0.0/8 via 10.0.3.1\n");
	expect_routes(&r, "config", "");
	assert_int_equal(check_static(&r.e, 1), 1 + 1 + 2 + 1 + 1);
	done(&r);
}

/* A subnet a node cannot reach gains no route: a keeps its two routes
 * through r1 explicit, since the pool holds c - d's subnet too. */
static void
test_islands(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(load(&r, "tests/data/routes/islands.ns", 0), 0);
	/* l0 10.0.0/24 a-r1, l1 10.0.1, l2 10.0.2, l3 10.0.3 c-d */
	expect_routes(&r, "a", "10.0.1.0/24 via 10.0.0.2\n"
	    "10.0.2.0/24 via 10.0.0.2\n");
	expect_routes(&r, "c", "");
	check_static(&r.e, 0);
	done(&r);
}

/* The first node with k interfaces. */
static struct nc_node *
with_ifaces(struct nc_exp *e, size_t k)
{
	size_t i;

	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].nifaces == k)
			return &e->nodes[i];
	fail();
	return NULL;
}

/* The check fails on a wrong gateway, a missing route and a route to a
 * subnet that cannot be reached. */
static void
test_check_fails(void **state)
{
	struct run r;
	struct nc_node *n;
	struct nc_route extra;
	uint32_t gw;
	size_t total;

	(void)state;
	assert_int_equal(load(&r, "examples/thousand.ns", 0), 0);
	assert_int_equal(faults(&r.e, 1, &total), 0);
	quiet = 1;
	/* a ring router: the pool through one neighbour, explicit routes
	 * through the other; swap the two gateways */
	n = with_ifaces(&r.e, 3);
	assert_true(n->nroutes >= 2);
	assert_int_equal(n->routes[0].prefix, 8);
	gw = n->routes[0].gw;
	assert_true(n->routes[1].gw != gw);
	n->routes[0].gw = n->routes[1].gw;
	assert_true(faults(&r.e, 1, &total) > 0);
	n->routes[0].gw = gw;
	gw = n->routes[1].gw;
	n->routes[1].gw = n->routes[0].gw;
	assert_true(faults(&r.e, 1, &total) > 0);
	n->routes[1].gw = gw;
	assert_int_equal(faults(&r.e, 1, &total), 0);
	/* a host without its pool route */
	n = with_ifaces(&r.e, 1);
	assert_int_equal(n->nroutes, 1);
	n->nroutes = 0;
	assert_true(faults(&r.e, 1, &total) > 0);
	n->nroutes = 1;
	done(&r);
	/* islands: the pool route a must not have */
	assert_int_equal(load(&r, "tests/data/routes/islands.ns", 0), 0);
	n = &r.e.nodes[node(&r, "a")];
	extra.dst = 0x0a000000u;
	extra.prefix = 8;
	extra.gw = n->routes[0].gw;
	nc_route_put(n, &extra);
	assert_true(faults(&r.e, 0, &total) > 0);
	quiet = 0;
	done(&r);
}

/* Two shortest paths: the first found wins, every time. */
static void
test_tie(void **state)
{
	struct run r;
	char *first;

	(void)state;
	assert_int_equal(load_as(&r, "tests/data/routes/square.ns", 0, 1),
	    0);
	check_static(&r.e, 1);
	/* ab 10.0.0, ac 10.0.1, bd 10.0.2, cd 10.0.3, lan 10.0.4 */
	expect_routes(&r, "a", "10.0.2.0/24 via 10.0.0.2\n"
	    "10.0.3.0/24 via 10.0.1.2\n10.0.4.0/24 via 10.0.0.2\n");
	done(&r);
	assert_int_equal(load(&r, "tests/data/routes/square.ns", 0), 0);
	check_static(&r.e, 1);
	expect_routes(&r, "a", "10.0.0.0/8 via 10.0.0.2\n"
	    "10.0.3.0/24 via 10.0.1.2\n");
	first = routes_of(&r, "e");
	done(&r);
	assert_int_equal(load(&r, "tests/data/routes/square.ns", 0), 0);
	expect_routes(&r, "e", first);
	free(first);
	done(&r);
}

/* examples/two-lans.ns: the router joins both LANs, so a1 reaches lanB
 * through it and the router itself needs no route. */
static void
test_two_lans(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(load(&r, "examples/two-lans.ns", 0), 0);
	assert_int_equal(r.e.rtproto, NC_RT_STATIC);
	expect_routes(&r, "a1", "10.0.1.0/24 via 10.0.0.1\n");
	expect_routes(&r, "b2", "10.0.0.0/24 via 10.0.1.1\n");
	expect_routes(&r, "router", "");
	assert_int_equal(check_static(&r.e, 1), 4);
	done(&r);
}

/* DETER's public NS files (tests/corpus), each routed Static. */
static void
test_corpus(void **state)
{
	static const char *const files[] = {
		"tests/corpus/basic.ns", "tests/corpus/clientserver.tcl",
		"tests/corpus/example4.tcl", "tests/corpus/parsable.ns",
	};
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(load(&r, files[i], 1), 0);
		check_static(&r.e, 1);
		done(&r);
	}
	/* basic.ns: A - B - {C, D}: A reaches the LAN via B */
	assert_int_equal(load(&r, "tests/corpus/basic.ns", 0), 0);
	expect_routes(&r, "A", "10.0.1.0/24 via 10.0.0.2\n");
	expect_routes(&r, "C", "10.0.0.0/24 via 10.0.1.1\n");
	done(&r);
}

/* The MAGI feedback case study: 63 nodes, 62 links, a tree. */
static void
test_case_feedback(void **state)
{
	struct run r;
	size_t i, links, total = 0, flat;

	(void)state;
	assert_int_equal(load_as(&r, "tests/corpus/casestudy_feedback.tcl", 0,
	    1), 0);
	assert_int_equal(r.e.nlans, 62);
	for (i = 0; i < r.e.nnodes; i++) {
		links = r.e.nodes[i].nifaces;
		if (links == 0)
			continue;
		/* a tree: every other link is reachable */
		assert_int_equal(r.e.nodes[i].nroutes, 62 - links);
		total++;
	}
	assert_int_equal(total, 63);
	flat = check_static(&r.e, 1);
	done(&r);
	/* aggregated: a leaf has one neighbour, hence the pool alone */
	assert_int_equal(load(&r, "tests/corpus/casestudy_feedback.tcl", 0),
	    0);
	for (i = 0; i < r.e.nnodes; i++)
		if (r.e.nodes[i].nifaces == 1)
			assert_int_equal(r.e.nodes[i].nroutes, 1);
	assert_true(check_static(&r.e, 1) < flat);
	done(&r);
}

/* The 55-node client-server case study: two LANs and a router named by
 * its bare name. */
static void
test_case_cs55(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(load(&r, "tests/corpus/cs55_topology.tcl", 0), 0);
	assert_int_equal(r.e.nlans, 2);
	assert_int_equal(r.e.nodes[node(&r, "router")].nifaces, 2);
	expect_routes(&r, "clientnode-7", "10.0.1.0/24 via 10.0.0.1\n");
	expect_routes(&r, "servernode-2", "10.0.0.0/24 via 10.0.1.1\n");
	assert_int_equal(check_static(&r.e, 1), 55);
	done(&r);
}

/* The generated 1,000-node example: LANs of 10 around a ring of routers. */
static void
test_thousand(void **state)
{
	struct run r;
	struct nc_node copy;
	struct nc_buf b = { 0 };
	const char *why;
	int line = 0;
	size_t i;

	(void)state;
	assert_int_equal(load_as(&r, "examples/thousand.ns", 0, 1), 0);
	/* 100 LANs and 100 ring links: 200 subnets; a host is on 1, a
	 * router on 3 */
	assert_int_equal(check_static(&r.e, 1), 900 * 199 + 100 * 197);
	done(&r);
	/*
	 * Aggregated: a host sends everything to its router (1 route).  A
	 * router reaches, through each ring neighbour, the 49 routers on
	 * that side with their LANs and the 49 ring links past the
	 * neighbour, and the LAN of the router opposite through the first
	 * (a tie): 99 routes become the pool, 98 stay.
	 */
	assert_int_equal(load(&r, "examples/thousand.ns", 0), 0);
	assert_int_equal(check_static(&r.e, 1), 900 * 1 + 100 * (1 + 98));
	/* the pool routes pass nc_valid_route and the duplicate check */
	for (i = 0; i < r.e.nnodes; i++) {
		memset(&copy, 0, sizeof(copy));
		nc_routes_text(&r.e.nodes[i], &b);
		assert_int_equal(nc_routes_parse(&copy, b.p != NULL ? b.p : "",
		    &line, &why), 0);
		assert_int_equal(copy.nroutes, r.e.nodes[i].nroutes);
		free(copy.routes);
		nc_buf_free(&b);
	}
	done(&r);
}

/* Manual: add-route to a node, a link, a LAN. */
static void
test_manual(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(load(&r, "tests/data/routes/manual.ns", 0), 0);
	assert_int_equal(r.e.rtproto, NC_RT_MANUAL);
	/* l0 10.0.0, l1 10.0.1, l2 10.0.2, lan 10.0.3 */
	expect_routes(&r, "client", "10.0.2.2/32 via 10.0.0.2\n"
	    "10.0.1.0/24 via 10.0.0.2\n10.0.3.0/24 via 10.0.0.2\n");
	expect_routes(&r, "r1", "10.0.3.0/24 via 10.0.1.2\n");
	expect_routes(&r, "server", "10.0.0.1/32 via 10.0.2.1\n");
	expect_routes(&r, "r2", "");
	done(&r);
}

/* A next hop that shares no LAN is an error at its line. */
static void
test_manual_bad_hop(void **state)
{
	struct run r;
	char path[] = "/tmp/nc-routes-XXXXXX";
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("set ns [new Simulator]\nset a [$ns node]\nset r [$ns node]\n"
	    "set b [$ns node]\n$ns duplex-link $a $r 1Mb 0ms DropTail\n"
	    "$ns duplex-link $r $b 1Mb 0ms DropTail\n"
	    "$a add-route $b $b\n$ns rtproto Manual\n", f);
	fclose(f);
	assert_int_equal(load(&r, path, 0), -1);
	assert_non_null(strstr(r.d.error, ":7: add-route: next hop b shares "
	    "no link or LAN with a"));
	done(&r);
	unlink(path);
}

/* Session (and ospf): one warning, no routes; no rtproto: no routes. */
static void
test_refused(void **state)
{
	struct run r;
	size_t i;

	(void)state;
	assert_int_equal(load(&r, "tests/data/routes/session.ns", 0), 0);
	assert_int_equal(r.e.rtproto, NC_RT_NONE);
	assert_int_equal(r.d.nwarn, 1);
	for (i = 0; i < r.e.nnodes; i++)
		assert_int_equal(r.e.nodes[i].nroutes, 0);
	done(&r);
	assert_int_equal(load(&r, "tests/data/ns/nbsp.ns", 0), 0);
	assert_int_equal(r.e.rtproto, NC_RT_NONE);
	for (i = 0; i < r.e.nnodes; i++)
		assert_int_equal(r.e.nodes[i].nroutes, 0);
	done(&r);
}

/* Text forms: parse and format agree; bad lines leave the node alone. */
static void
test_text(void **state)
{
	struct nc_node n;
	struct nc_buf b = { 0 };
	const char *why;
	int line = 0;

	(void)state;
	memset(&n, 0, sizeof(n));
	assert_int_equal(nc_routes_parse(&n, "10.1.2.0/24 via 10.1.1.1\n\n"
	    "default  via\t10.1.1.254\n10.9.9.9/32 via 10.1.1.2", &line,
	    &why), 0);
	assert_int_equal(n.nroutes, 3);
	nc_routes_text(&n, &b);
	assert_string_equal(b.p, "10.1.2.0/24 via 10.1.1.1\n"
	    "default via 10.1.1.254\n10.9.9.9/32 via 10.1.1.2\n");
	assert_int_equal(nc_routes_parse(&n, "10.1.2.0/24 via 10.1.1.1\n"
	    "10.1.2.5/24 via 10.1.1.1\n", &line, &why), -EINVAL);
	assert_int_equal(line, 2);
	assert_string_equal(why, "has a destination with bits set past its "
	    "prefix");
	assert_int_equal(nc_routes_parse(&n, "10.1.2.0/24 via 10.1.1.1\n"
	    "10.1.2.0/24 via 10.1.1.3\n", &line, &why), -EINVAL);
	assert_int_equal(line, 2);
	assert_int_equal(n.nroutes, 3);	/* unchanged */
	free(n.routes);
	nc_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_islands),
		cmocka_unit_test(test_check_fails),
		cmocka_unit_test(test_tie),
		cmocka_unit_test(test_two_lans),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_case_feedback),
		cmocka_unit_test(test_case_cs55),
		cmocka_unit_test(test_thousand),
		cmocka_unit_test(test_manual),
		cmocka_unit_test(test_manual_bad_hop),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
