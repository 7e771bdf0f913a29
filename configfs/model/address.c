/*
 * address.c: carving subnets, numbering interfaces, deriving MACs.
 *
 * A LAN whose members already hold addresses (explicit ones from the NS file,
 * or an earlier import) keeps the subnet they lie in; every other LAN gets
 * the next subnet of its size from the pool, skipping those in use.  The
 * cursor only moves forward, so carved subnets never overlap each other.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "hash.h"
#include "inet.h"
#include "util.h"

struct subnet {
	uint32_t net;		/* network address, host order */
	uint32_t mask;		/* its mask */
	size_t lan;		/* LAN that owns it */
};

struct addr_state {
	struct nc_exp *e;	/* the experiment */
	struct nc_diag *d;	/* where errors go */
	struct subnet *fixed;	/* subnets given by existing addresses */
	size_t nfixed, capfixed;
	struct nc_strmap used;	/* addresses in use, "a.b.c.d" -> node */
};

static int
overlaps(uint32_t a, uint32_t amask, uint32_t b, uint32_t bmask)
{
	uint32_t m = amask & bmask;	/* the shorter prefix */

	return (a & m) == (b & m);
}

static const char *
fmt_ip(uint32_t ip, char buf[16])
{
	return nc_ip_format(ip, buf);
}

/* Record the addresses members already hold; find the LAN's subnet. */
static int
scan_lan(struct addr_state *s, size_t li, int *has_fixed, uint32_t *net)
{
	struct nc_lan *l = &s->e->lans[li];
	char a[16], b[16];
	size_t m;
	long other;

	*has_fixed = 0;
	for (m = 0; m < l->nmembers; m++) {
		struct nc_node *n = &s->e->nodes[l->members[m].node];
		struct nc_iface *i = &n->ifaces[l->members[m].iface];
		uint32_t host;

		if (i->ip == 0)
			continue;
		if (!*has_fixed) {
			*net = i->ip & l->mask;
			*has_fixed = 1;
		} else if ((i->ip & l->mask) != *net) {
			return nc_diag_error(s->d, i->ip_line, "%s address %s "
			    "is outside %s's subnet %s/%d", n->name,
			    fmt_ip(i->ip, a), l->name, fmt_ip(*net, b),
			    nc_mask_prefix(l->mask));
		}
		host = i->ip & ~l->mask;
		if (host == 0 || host == ~l->mask)
			return nc_diag_error(s->d, i->ip_line, "%s address %s "
			    "is the %s address of %s/%d", n->name,
			    fmt_ip(i->ip, a), host ? "broadcast" : "network",
			    fmt_ip(*net, b), nc_mask_prefix(l->mask));
		other = nc_strmap_get(&s->used, fmt_ip(i->ip, a));
		if (other >= 0)
			return nc_diag_error(s->d, i->ip_line, "address %s of "
			    "%s is already given to %s", a, n->name,
			    s->e->nodes[other].name);
		nc_strmap_put(&s->used, a, (long)l->members[m].node);
	}
	return 0;
}

static int
members_fit(struct addr_state *s, size_t li)
{
	struct nc_lan *l = &s->e->lans[li];
	uint64_t hosts = (uint64_t)(~l->mask) - 1;

	if (l->nmembers > hosts)
		return nc_diag_error(s->d, l->line, "%s has %zu members but "
		    "netmask /%d holds only %llu hosts", l->name, l->nmembers,
		    nc_mask_prefix(l->mask), (unsigned long long)hosts);
	return 0;
}

/* Number the members without an address from the lowest free host. */
static void
number_lan(struct addr_state *s, size_t li, uint32_t net)
{
	struct nc_lan *l = &s->e->lans[li];
	uint32_t host = 1;
	char a[16];
	size_t m;

	for (m = 0; m < l->nmembers; m++) {
		struct nc_iface *i =
		    &s->e->nodes[l->members[m].node].ifaces[l->members[m].iface];

		if (i->ip != 0)
			continue;
		while (nc_strmap_get(&s->used, fmt_ip(net | host, a)) >= 0)
			host++;
		i->ip = net | host;
		nc_strmap_put(&s->used, a, (long)l->members[m].node);
	}
}

void
nc_mac_derive(const char *node, const char *ifname, unsigned salt,
    uint8_t mac[6])
{
	uint64_t h = NC_FNV64_BASIS;
	unsigned char le[4];	/* salt, least significant byte first */
	int k;

	/* node, a 0xff no name holds, ifname, the salt's bytes */
	h = nc_fnv64_str(h, node);
	h = nc_fnv64_byte(h, 0xff);
	h = nc_fnv64_str(h, ifname);
	for (k = 0; k < 4; k++)
		le[k] = (unsigned char)(salt >> (8 * k));
	h = nc_fnv64(h, le, sizeof(le));
	mac[0] = 0x02;		/* locally administered, unicast */
	for (k = 1; k < 6; k++)
		mac[k] = (uint8_t)(h >> (8 * (k - 1)));
}

static void
assign_macs(struct nc_exp *e)
{
	struct nc_strmap used = { 0 };
	char buf[18];
	size_t n, i;
	unsigned salt;

	for (n = 0; n < e->nnodes; n++)
		for (i = 0; i < e->nodes[n].nifaces; i++)
			if (e->nodes[n].ifaces[i].has_mac)
				nc_strmap_put(&used, nc_mac_format(
				    e->nodes[n].ifaces[i].mac, buf), 1);
	for (n = 0; n < e->nnodes; n++) {
		for (i = 0; i < e->nodes[n].nifaces; i++) {
			struct nc_iface *f = &e->nodes[n].ifaces[i];

			if (f->has_mac)
				continue;
			salt = 0;
			do
				nc_mac_derive(e->nodes[n].name, f->name,
				    salt++, f->mac);
			while (nc_strmap_get(&used,
			    nc_mac_format(f->mac, buf)) >= 0);
			nc_strmap_put(&used, buf, 1);
			f->has_mac = 1;
		}
	}
	nc_strmap_free(&used);
}

int
nc_address(struct nc_exp *e, uint32_t pool, uint32_t pool_mask,
    struct nc_diag *d)
{
	struct addr_state s = { .e = e, .d = d };
	uint32_t *nets = NULL, pool_end;
	uint64_t cursor, size;
	char a[16], b[16];
	int *fixed = NULL, rc = -1, has;
	size_t li, k;

	nets = nc_calloc(e->nlans, sizeof(*nets));
	fixed = nc_calloc(e->nlans, sizeof(*fixed));
	for (li = 0; li < e->nlans; li++) {
		if (e->lans[li].mask == 0)
			e->lans[li].mask = 0xffffff00u;
		if (members_fit(&s, li) < 0 ||
		    scan_lan(&s, li, &has, &nets[li]) < 0)
			goto out;
		fixed[li] = has;
		if (!has)
			continue;
		for (k = 0; k < s.nfixed; k++)
			if (overlaps(s.fixed[k].net, s.fixed[k].mask,
			    nets[li], e->lans[li].mask)) {
				nc_diag_error(d, e->lans[li].line, "%s's subnet "
				    "%s/%d overlaps %s's subnet %s/%d",
				    e->lans[li].name, fmt_ip(nets[li], a),
				    nc_mask_prefix(e->lans[li].mask),
				    e->lans[s.fixed[k].lan].name,
				    fmt_ip(s.fixed[k].net, b),
				    nc_mask_prefix(s.fixed[k].mask));
				goto out;
			}
		*NC_PUSH(s.fixed, s.nfixed, s.capfixed) = (struct subnet){
			nets[li], e->lans[li].mask, li };
	}

	pool &= pool_mask;
	pool_end = pool | ~pool_mask;
	cursor = pool;
	for (li = 0; li < e->nlans; li++) {
		uint32_t mask = e->lans[li].mask;

		if (fixed[li])
			continue;
		size = (uint64_t)(~mask) + 1;
		for (;;) {
			cursor = (cursor + size - 1) & ~(size - 1);	/* align */
			if (cursor + (size - 1) > pool_end ||
			    (mask & pool_mask) != pool_mask) {
				nc_diag_error(d, e->lans[li].line, "no free "
				    "/%d subnet left in %s/%d for %s",
				    nc_mask_prefix(mask), fmt_ip(pool, a),
				    nc_mask_prefix(pool_mask),
				    e->lans[li].name);
				goto out;
			}
			for (k = 0; k < s.nfixed; k++)
				if (overlaps(s.fixed[k].net, s.fixed[k].mask,
				    (uint32_t)cursor, mask))
					break;
			if (k == s.nfixed)
				break;
			cursor += size;
		}
		nets[li] = (uint32_t)cursor;
		cursor += size;
	}
	for (li = 0; li < e->nlans; li++)
		number_lan(&s, li, nets[li]);
	assign_macs(e);
	rc = 0;
out:
	free(nets);
	free(fixed);
	free(s.fixed);
	nc_strmap_free(&s.used);
	return rc;
}
