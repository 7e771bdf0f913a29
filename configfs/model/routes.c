/*
 * routes.c: computing an experiment's static routes at import.
 *
 * The topology is a graph of nodes and LANs (a link is a LAN of two): a
 * node is next to every LAN it has an interface on.  Static routing runs
 * one breadth-first search per node over that graph; the first time the
 * search reaches a LAN, through a node u, is on a path with the fewest
 * LANs, and the route to the LAN's subnet goes where the path to u goes:
 * to the first node after the source, at its address on the LAN the two
 * share.  Each search visits every node and LAN once, so the whole costs
 * O(nodes x (nodes + interfaces)); the arrays are allocated once and reset
 * by stamping them with the source's number.  Nodes with a single
 * interface on the same LAN share one search.
 *
 * Aggregation: while a search's routes are written, the routes to subnets
 * inside the import's pool (--subnet) are counted per first hop; when one
 * first hop takes at least two of them, they become a single route to the
 * pool through it, and only the others stay explicit.  Longest-prefix
 * match keeps every destination where it was: each explicit route and each
 * subnet the node is on lies strictly inside the pool.  A node that cannot
 * reach every subnet of the pool keeps its explicit routes, so that no
 * unreachable subnet gains a route.
 *
 * Manual routing resolves the NS file's `$node add-route DST NEXTHOP`: DST
 * a LAN or link (a route to its subnet) or a node (a host route to each of
 * its addresses on a LAN the source is not on), NEXTHOP a node sharing a
 * LAN with the source.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "routes.h"
#include "util.h"
#include "valid.h"

/* The subnet of each LAN, from its members' addresses. */
struct subnets {
	uint32_t *net;		/* network address; 0 with prefix -1: none */
	int *prefix;		/* prefix length, or -1: no address yet */
	unsigned char *in_pool;	/* 1: strictly inside the pool, aggregable */
	size_t npool;		/* LANs with in_pool set */
	uint32_t pool;		/* the pool's network (aggregation) */
	int pool_prefix;	/* its prefix length; -1: no aggregation */
};

static void
subnets_init(const struct nc_exp *e, struct subnets *s)
{
	const struct nc_lan *l;
	const struct nc_iface *f;
	uint32_t mask;
	size_t i, m;

	s->net = nc_calloc(e->nlans ? e->nlans : 1, sizeof(*s->net));
	s->prefix = nc_calloc(e->nlans ? e->nlans : 1, sizeof(*s->prefix));
	s->in_pool = nc_calloc(e->nlans ? e->nlans : 1, sizeof(*s->in_pool));
	s->npool = 0;
	s->pool = 0;
	s->pool_prefix = -1;
	for (i = 0; i < e->nlans; i++) {
		l = &e->lans[i];
		s->prefix[i] = -1;
		for (m = 0; m < l->nmembers; m++) {
			f = &e->nodes[l->members[m].node].ifaces[
			    l->members[m].iface];
			if (f->ip == 0)
				continue;
			mask = nc_iface_mask(e, f);
			s->net[i] = f->ip & mask;
			s->prefix[i] = nc_mask_prefix(mask);
			break;
		}
	}
}

/*
 * Mark the LANs whose subnets lie strictly inside pool/pool_mask.  A pool
 * of prefix 0 (the default route's) or a LAN that is the pool itself or
 * holds it turns aggregation off: its route would not be more specific.
 */
static void
subnets_pool(const struct nc_exp *e, struct subnets *s, uint32_t pool,
    uint32_t pool_mask)
{
	int plen = nc_mask_prefix(pool_mask);
	size_t i;

	if (plen <= 0 || (pool & ~pool_mask) != 0)
		return;
	for (i = 0; i < e->nlans; i++) {
		if (s->prefix[i] < 0)
			continue;
		if (s->prefix[i] <= plen && (pool & (s->prefix[i] == 0 ? 0 :
		    0xffffffffu << (32 - s->prefix[i]))) == s->net[i])
			return;
		if (s->prefix[i] > plen && (s->net[i] & pool_mask) == pool) {
			s->in_pool[i] = 1;
			s->npool++;
		}
	}
	s->pool = pool;
	s->pool_prefix = plen;
}

static void
subnets_free(struct subnets *s)
{
	free(s->net);
	free(s->prefix);
	free(s->in_pool);
}

/* Write ip as a dotted quad at p; returns the end (no NUL). */
static char *
put_ip(char *p, uint32_t ip)
{
	int k, v;

	for (k = 3; k >= 0; k--) {
		v = (int)(ip >> (8 * k)) & 0xff;
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		if (k > 0)
			*p++ = '.';
	}
	return p;
}

/* Write r's text at p (at most NC_ROUTE_TEXT - 1 bytes); the end. */
static char *
put_route(char *p, const struct nc_route *r)
{
	if (r->prefix == 0 && r->dst == 0) {
		memcpy(p, "default", 7);
		p += 7;
	} else {
		p = put_ip(p, r->dst);
		*p++ = '/';
		if (r->prefix >= 10)
			*p++ = (char)('0' + r->prefix / 10);
		*p++ = (char)('0' + r->prefix % 10);
	}
	memcpy(p, " via ", 5);
	return put_ip(p + 5, r->gw);
}

char *
nc_route_format(const struct nc_route *r, char buf[NC_ROUTE_TEXT])
{
	*put_route(buf, r) = '\0';
	return buf;
}

void
nc_route_put(struct nc_node *n, const struct nc_route *r)
{
	size_t i;

	for (i = 0; i < n->nroutes; i++)
		if (n->routes[i].dst == r->dst &&
		    n->routes[i].prefix == r->prefix) {
			n->routes[i].gw = r->gw;
			return;
		}
	*NC_PUSH(n->routes, n->nroutes, n->caproutes) = *r;
}

/* For nc_routes_dup: a route and its index. */
struct dup_key {
	uint32_t dst;		/* destination */
	int prefix;		/* its length */
	size_t i;		/* index in the list */
};

static int
cmp_dup(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;

	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

long
nc_routes_dup(const struct nc_route *v, size_t n)
{
	struct dup_key *k;
	long found = -1;
	size_t i;

	if (n < 2)
		return -1;
	k = nc_malloc(n * sizeof(*k));
	for (i = 0; i < n; i++) {
		k[i].dst = v[i].dst;
		k[i].prefix = v[i].prefix;
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), cmp_dup);
	for (i = 1; i < n; i++)
		if (k[i].dst == k[i - 1].dst &&
		    k[i].prefix == k[i - 1].prefix &&
		    (found < 0 || (long)k[i].i < found))
			found = (long)k[i].i;
	free(k);
	return found;
}

int
nc_routes_parse(struct nc_node *n, const char *text, int *line,
    const char **why)
{
	struct nc_route *v = NULL;
	int *lines = NULL;	/* the line of each route */
	size_t nv = 0, cap = 0, capl = 0, len;
	const char *p = text;
	char *one;
	int ln = 0, rc = -EINVAL;
	long dup;

	while (*p != '\0') {
		ln++;
		len = strcspn(p, "\n");
		one = nc_malloc(len + 1);
		memcpy(one, p, len);
		one[len] = '\0';
		p += len + (p[len] == '\n');
		if (one[strspn(one, " \t")] == '\0') {
			free(one);
			continue;
		}
		lines = nc_grow(lines, &capl, nv, sizeof(*lines));
		lines[nv] = ln;
		v = nc_grow(v, &cap, nv, sizeof(*v));
		rc = nc_valid_route(one, &v[nv].dst, &v[nv].prefix, &v[nv].gw,
		    why);
		free(one);
		if (rc < 0)
			goto bad;
		nv++;
	}
	if ((dup = nc_routes_dup(v, nv)) >= 0) {
		*why = "is a second route to the same destination";
		ln = lines[dup];
		rc = -EINVAL;
		goto bad;
	}
	free(lines);
	free(n->routes);
	n->routes = v;
	n->nroutes = nv;
	n->caproutes = cap;
	return 0;
bad:
	free(v);
	free(lines);
	*line = ln;
	return rc;
}

void
nc_routes_text(const struct nc_node *n, struct nc_buf *out)
{
	char *p;
	size_t i;

	if (n->nroutes == 0)
		return;
	/* room for every line, then the bytes written */
	if (out->cap < out->len + n->nroutes * NC_ROUTE_TEXT + 1) {
		out->cap = out->len + n->nroutes * NC_ROUTE_TEXT + 1;
		out->p = nc_realloc(out->p, out->cap);
	}
	p = out->p + out->len;
	for (i = 0; i < n->nroutes; i++) {
		p = put_route(p, &n->routes[i]);
		*p++ = '\n';
	}
	*p = '\0';
	out->len = (size_t)(p - out->p);
}

static void
clear_routes(struct nc_exp *e)
{
	size_t i;

	for (i = 0; i < e->nnodes; i++) {
		free(e->nodes[i].routes);
		e->nodes[i].routes = NULL;
		e->nodes[i].nroutes = e->nodes[i].caproutes = 0;
	}
}

/* The search's arrays, reused from one source to the next. */
struct bfs {
	size_t *queue;		/* nodes to visit, in the order found */
	size_t *node_stamp;	/* source + 1 once the node is found */
	uint32_t *node_gw;	/* the first hop's address towards the node */
	size_t *lan_stamp;	/* source + 1 once the LAN is reached */
	uint32_t *lan_gw;	/* the first hop towards it; 0: directly on */
	size_t *node_hop;	/* the first node on the path to the node */
	size_t *lan_hop;	/* the first node on the path to the LAN */
	size_t *hop_stamp;	/* source + 1 once hop_count is counted */
	size_t *hop_count;	/* per first node: its routes into the pool */
};

/* One search from node src: its routes, in LAN order. */
static void
search(struct nc_exp *e, const struct subnets *sn, struct bfs *b,
    size_t src)
{
	struct nc_node *s = &e->nodes[src], *u;
	const struct nc_lan *l;
	const struct nc_iface *f;
	struct nc_route r;
	size_t head = 0, tail = 0, stamp = src + 1, cur, k, m, v, lan;
	size_t nreached = 0, inpool = 0, best = SIZE_MAX, hop;

	b->node_stamp[src] = stamp;
	b->node_gw[src] = 0;
	b->node_hop[src] = src;
	b->queue[tail++] = src;
	while (head < tail) {
		cur = b->queue[head++];
		u = &e->nodes[cur];
		for (k = 0; k < u->nifaces; k++) {
			lan = u->ifaces[k].lan;
			if (b->lan_stamp[lan] == stamp)
				continue;
			b->lan_stamp[lan] = stamp;
			b->lan_gw[lan] = b->node_gw[cur];
			b->lan_hop[lan] = b->node_hop[cur];
			nreached++;
			inpool += sn->in_pool[lan];
			l = &e->lans[lan];
			for (m = 0; m < l->nmembers; m++) {
				v = l->members[m].node;
				if (b->node_stamp[v] == stamp)
					continue;
				b->node_stamp[v] = stamp;
				f = &e->nodes[v].ifaces[l->members[m].iface];
				b->node_gw[v] = cur == src ? f->ip :
				    b->node_gw[cur];
				b->node_hop[v] = cur == src ? v :
				    b->node_hop[cur];
				b->queue[tail++] = v;
			}
		}
	}
	if (nreached == 0)
		return;
	/*
	 * The first hop taking the most routes into the pool (the first in
	 * LAN order on a tie), when the node reaches the whole pool.
	 */
	if (sn->pool_prefix > 0 && inpool == sn->npool) {
		for (lan = 0; lan < e->nlans; lan++) {
			if (b->lan_stamp[lan] != stamp || b->lan_gw[lan] == 0 ||
			    !sn->in_pool[lan])
				continue;
			hop = b->lan_hop[lan];
			if (b->hop_stamp[hop] != stamp) {
				b->hop_stamp[hop] = stamp;
				b->hop_count[hop] = 0;
			}
			if (++b->hop_count[hop] >= 2 && (best == SIZE_MAX ||
			    b->hop_count[hop] > b->hop_count[best]))
				best = hop;
		}
	}
	s->caproutes = nreached + 1;
	s->routes = nc_realloc(s->routes, s->caproutes * sizeof(*s->routes));
	if (best != SIZE_MAX) {
		r.dst = sn->pool;
		r.prefix = sn->pool_prefix;
		r.gw = b->node_gw[best];
		*NC_PUSH(s->routes, s->nroutes, s->caproutes) = r;
	}
	for (lan = 0; lan < e->nlans; lan++) {
		if (b->lan_stamp[lan] != stamp || b->lan_gw[lan] == 0 ||
		    sn->prefix[lan] < 0)
			continue;
		if (best != SIZE_MAX && sn->in_pool[lan] &&
		    b->lan_hop[lan] == best)
			continue;
		r.dst = sn->net[lan];
		r.prefix = sn->prefix[lan];
		r.gw = b->lan_gw[lan];
		*NC_PUSH(s->routes, s->nroutes, s->caproutes) = r;
	}
}

void
nc_routes_static(struct nc_exp *e, uint32_t pool, uint32_t pool_mask)
{
	struct subnets sn;
	struct bfs b;
	size_t n, nn = e->nnodes ? e->nnodes : 1, nl = e->nlans ? e->nlans : 1;
	size_t *rep;	/* per LAN: a node with only it whose routes are known */

	clear_routes(e);
	subnets_init(e, &sn);
	subnets_pool(e, &sn, pool, pool_mask);
	b.queue = nc_calloc(nn, sizeof(*b.queue));
	b.node_stamp = nc_calloc(nn, sizeof(*b.node_stamp));
	b.node_gw = nc_calloc(nn, sizeof(*b.node_gw));
	b.lan_stamp = nc_calloc(nl, sizeof(*b.lan_stamp));
	b.lan_gw = nc_calloc(nl, sizeof(*b.lan_gw));
	b.node_hop = nc_calloc(nn, sizeof(*b.node_hop));
	b.lan_hop = nc_calloc(nl, sizeof(*b.lan_hop));
	b.hop_stamp = nc_calloc(nn, sizeof(*b.hop_stamp));
	b.hop_count = nc_calloc(nn, sizeof(*b.hop_count));
	rep = nc_malloc(nl * sizeof(*rep));
	for (n = 0; n < nl; n++)
		rep[n] = SIZE_MAX;
	for (n = 0; n < e->nnodes; n++) {
		struct nc_node *s = &e->nodes[n], *t;
		size_t lan;

		if (s->nifaces == 0)
			continue;
		/*
		 * Nodes with one interface on the same LAN have the same
		 * routes: their searches differ only in which of them starts,
		 * and neither leads anywhere but that LAN.
		 */
		lan = s->ifaces[0].lan;
		if (s->nifaces == 1 && rep[lan] != SIZE_MAX) {
			t = &e->nodes[rep[lan]];
			if (t->nroutes > 0) {
				s->routes = nc_malloc(t->nroutes *
				    sizeof(*s->routes));
				memcpy(s->routes, t->routes, t->nroutes *
				    sizeof(*s->routes));
			}
			s->nroutes = s->caproutes = t->nroutes;
			continue;
		}
		search(e, &sn, &b, n);
		if (s->nifaces == 1)
			rep[lan] = n;
	}
	free(rep);
	free(b.queue);
	free(b.node_stamp);
	free(b.node_gw);
	free(b.lan_stamp);
	free(b.lan_gw);
	free(b.node_hop);
	free(b.lan_hop);
	free(b.hop_stamp);
	free(b.hop_count);
	subnets_free(&sn);
}

/* 1 when node n has an interface on lan. */
static int
on_lan(const struct nc_node *n, size_t lan)
{
	size_t i;

	for (i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].lan == lan)
			return 1;
	return 0;
}

/* The address of hop on the first LAN it shares with n, or 0. */
static uint32_t
shared_addr(const struct nc_node *n, const struct nc_node *hop)
{
	size_t i, j;

	for (i = 0; i < n->nifaces; i++)
		for (j = 0; j < hop->nifaces; j++)
			if (n->ifaces[i].lan == hop->ifaces[j].lan)
				return hop->ifaces[j].ip;
	return 0;
}

static int
manual(struct nc_exp *e, struct nc_diag *d)
{
	const struct nc_manroute *mr;
	struct nc_node *n, *hop, *dn;
	struct subnets sn;
	struct nc_route r;
	size_t i, k;
	int rc = -1, added;

	clear_routes(e);
	subnets_init(e, &sn);
	for (i = 0; i < e->nmanroutes; i++) {
		mr = &e->manroutes[i];
		n = &e->nodes[mr->node];
		hop = &e->nodes[mr->nexthop];
		if (mr->node == mr->nexthop) {
			nc_diag_error(d, mr->line, "add-route: %s is its own "
			    "next hop", n->name);
			goto out;
		}
		if ((r.gw = shared_addr(n, hop)) == 0) {
			nc_diag_error(d, mr->line, "add-route: next hop %s "
			    "shares no link or LAN with %s", hop->name,
			    n->name);
			goto out;
		}
		if (mr->dst_lan) {
			if (on_lan(n, mr->dst)) {
				nc_diag_warn(d, mr->line, "add-route: %s is "
				    "on %s already; no route needed", n->name,
				    e->lans[mr->dst].name);
				continue;
			}
			if (sn.prefix[mr->dst] < 0)
				continue;
			r.dst = sn.net[mr->dst];
			r.prefix = sn.prefix[mr->dst];
			nc_route_put(n, &r);
			continue;
		}
		dn = &e->nodes[mr->dst];
		added = 0;
		for (k = 0; k < dn->nifaces; k++) {
			if (on_lan(n, dn->ifaces[k].lan) ||
			    dn->ifaces[k].ip == 0)
				continue;
			r.dst = dn->ifaces[k].ip;
			r.prefix = 32;
			nc_route_put(n, &r);
			added = 1;
		}
		if (!added)
			nc_diag_warn(d, mr->line, "add-route: %s reaches %s "
			    "directly; no route needed", n->name, dn->name);
	}
	rc = 0;
out:
	subnets_free(&sn);
	return rc;
}

int
nc_routes(struct nc_exp *e, uint32_t pool, uint32_t pool_mask,
    struct nc_diag *d)
{
	if (e->rtproto != NC_RT_MANUAL && e->nmanroutes > 0)
		nc_diag_warn(d, e->manroutes[0].line, "add-route needs `$ns "
		    "rtproto Manual`; %zu add-route line%s ignored",
		    e->nmanroutes, e->nmanroutes == 1 ? "" : "s");
	switch (e->rtproto) {
	case NC_RT_NONE:
		return 0;
	case NC_RT_STATIC:
		nc_routes_static(e, pool, pool_mask);
		return 0;
	case NC_RT_MANUAL:
		return manual(e, d);
	}
	return 0;
}
