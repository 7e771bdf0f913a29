/*
 * place.c: completing an imported experiment.  Roles first (the control
 * node, pnodes, embedded physical nodes), then the pnodes themselves (from
 * --pnodes, the file, tmcc data, or one implicit pnode-0), then containers
 * onto pnodes, then images and addresses.
 *
 * Placement: pins (tb-fix-node, containers:partition) first; then LAN by
 * LAN in file order, each unplaced member goes to the pnode holding most of
 * that LAN's members with room left, else to the least loaded pnode with
 * room; nodes on no LAN last, least loaded first.  Ties go to the pnode
 * first in order, so the result depends only on the input.  A container
 * that has a host keeps it; with keep (testbed data added to a stored
 * experiment) the single-machine placement is not undone either.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "images.h"
#include "place.h"
#include "routes.h"
#include "util.h"

void
nc_place_defaults(struct nc_place_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->capacity = 10;
	o->control = "config";
	o->pool = 0x0a000000u;
	o->pool_mask = 0xff000000u;
}

/* pnode-N, pnodeN, pnode-0000: the names containerize.py gives pnodes. */
static int
is_pnode_name(const char *s)
{
	if (strncmp(s, "pnode", 5) != 0)
		return 0;
	s += 5;
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

static int
is_pnode_os(const char *os)
{
	return os != NULL && (strcmp(os, "PNODE-BASE") == 0 ||
	    strcmp(os, "PNODE_BASE") == 0);
}

int
nc_node_is_pnode(const struct nc_node *n)
{
	if (n->role == NC_ROLE_PNODE)
		return 1;
	return n->role == NC_ROLE_CONTAINER &&
	    (is_pnode_os(n->os) || is_pnode_name(n->name));
}

/* Roles of nodes read from an NS file (all containers until now). */
static void
decide_roles(struct nc_exp *e, const char *control)
{
	const char *type;
	size_t i;

	for (i = 0; i < e->nnodes; i++) {
		struct nc_node *n = &e->nodes[i];

		if (n->role != NC_ROLE_CONTAINER)
			continue;
		type = nc_node_attr(n, "containers:node_type");
		if (strcmp(n->name, control) == 0)
			n->role = NC_ROLE_CONFIG;
		else if (type != NULL && strcmp(type, "embedded_pnode") == 0)
			n->role = NC_ROLE_PHYSICAL;
		else if (is_pnode_os(n->os) || is_pnode_name(n->name))
			n->role = NC_ROLE_PNODE;
	}
}

/* Remove node idx, which has no interfaces, keeping indices consistent. */
static void
remove_node(struct nc_exp *e, size_t idx)
{
	size_t i, m;

	free(e->nodes[idx].name);
	free(e->nodes[idx].host);
	memmove(&e->nodes[idx], &e->nodes[idx + 1],
	    (e->nnodes - idx - 1) * sizeof(*e->nodes));
	e->nnodes--;
	nc_strmap_free(&e->node_by_name);
	for (i = 0; i < e->nnodes; i++)
		nc_strmap_put(&e->node_by_name, e->nodes[i].name, (long)i);
	for (i = 0; i < e->nlans; i++)
		for (m = 0; m < e->lans[i].nmembers; m++)
			if (e->lans[i].members[m].node > idx)
				e->lans[i].members[m].node--;
}

static void
add_pnode(struct nc_exp *e, const char *name, int implicit)
{
	long i = nc_exp_find_node(e, name);

	if (i >= 0) {
		/* named by --pnodes or the testbed: no longer implicit */
		if (!implicit && e->nodes[i].role == NC_ROLE_PNODE)
			e->nodes[i].implicit = 0;
		return;
	}
	i = (long)nc_exp_add_node(e, name, NC_ROLE_PNODE);
	e->nodes[i].implicit = implicit;
}

/* The pnodes: given ones, else a single implicit pnode-0. */
static int
gather_pnodes(struct nc_exp *e, const struct nc_place_opts *o,
    struct nc_diag *d)
{
	char name[32];
	size_t i, real = 0;
	long imp;

	for (i = 0; i < (size_t)o->npnodes; i++) {
		snprintf(name, sizeof(name), "pnode-%zu", i);
		if (nc_exp_find_node(e, name) >= 0 &&
		    e->nodes[nc_exp_find_node(e, name)].role != NC_ROLE_PNODE)
			return nc_diag_error(d, 0, "--pnodes: node %s exists "
			    "and is not a pnode", name);
		add_pnode(e, name, 0);
	}
	/* a hostnames entry is an address, not a placement: it adds a
	 * pnode only when the experiment is being placed anew */
	for (i = 0; !o->keep && i < e->nhostnames; i++)
		if (is_pnode_name(e->hostnames[i].name))
			add_pnode(e, e->hostnames[i].name, 0);
	for (i = 0; i < e->npifaces; i++)
		add_pnode(e, e->pifaces[i].pnode, 0);
	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].role == NC_ROLE_PNODE && !e->nodes[i].implicit)
			real++;
	imp = nc_exp_find_node(e, "pnode-0");
	if (imp >= 0 && !e->nodes[imp].implicit)
		imp = -1;
	if (real > 0 && imp >= 0 && !o->keep) {
		/* Real pnodes arrived: single-machine placement is undone. */
		for (i = 0; i < e->nnodes; i++)
			if (e->nodes[i].host != NULL &&
			    strcmp(e->nodes[i].host, "pnode-0") == 0)
				nc_set_str(&e->nodes[i].host, NULL);
		remove_node(e, (size_t)imp);
	} else if (real == 0 && imp < 0) {
		if (nc_exp_find_node(e, "pnode-0") >= 0)
			return nc_diag_error(d, 0, "a node called pnode-0 "
			    "exists but is not a pnode");
		add_pnode(e, "pnode-0", 1);
	}
	return 0;
}

struct placer {
	struct nc_exp *e;	/* the experiment */
	size_t *pn;		/* node indices of the pnodes, in order */
	size_t npn;		/* number of pnodes */
	long *load;		/* containers on each pnode */
	long cap;		/* capacity per pnode, LONG_MAX-like if none */
	int single;		/* the one implicit pnode: this machine */
	long *lancount;		/* scratch: this LAN's members per pnode */
	struct nc_strmap pn_by_name; /* pnode name -> position in pn */
};

static long
least_loaded(const struct placer *p)
{
	size_t i;
	long best = -1;

	for (i = 0; i < p->npn; i++)
		if (p->load[i] < p->cap &&
		    (best < 0 || p->load[i] < p->load[best]))
			best = (long)i;
	return best;
}

static void
put(struct placer *p, size_t node, size_t pos)
{
	nc_set_str(&p->e->nodes[node].host, p->e->nodes[p->pn[pos]].name);
	p->load[pos]++;
}

static int
no_room(struct placer *p, struct nc_diag *d)
{
	size_t i, n = 0;

	for (i = 0; i < p->e->nnodes; i++)
		n += p->e->nodes[i].role == NC_ROLE_CONTAINER;
	return nc_diag_error(d, 0, "%zu containers do not fit on %zu pnodes "
	    "of capacity %ld (use --capacity or --pnodes)", n, p->npn,
	    p->cap);
}

static int
place_pinned(struct placer *p, struct nc_diag *d)
{
	struct nc_exp *e = p->e;
	const char *part;
	char *end;
	long pos, k;
	size_t i;

	for (i = 0; i < e->nnodes; i++) {
		struct nc_node *n = &e->nodes[i];

		if (n->role != NC_ROLE_CONTAINER)
			continue;
		if (n->host != NULL) {
			pos = nc_strmap_get(&p->pn_by_name, n->host);
			if (pos < 0)
				return nc_diag_error(d, n->line, "node %s: "
				    "host %s is not a pnode", n->name, n->host);
			p->load[pos]++;
			continue;
		}
		if (n->fix != NULL) {
			pos = nc_strmap_get(&p->pn_by_name, n->fix);
			if (pos < 0)
				return nc_diag_error(d, n->fix_line,
				    "tb-fix-node: %s is pinned to %s, which "
				    "is not a pnode", n->name, n->fix);
			put(p, i, (size_t)pos);
			continue;
		}
		part = nc_node_attr(n, "containers:partition");
		if (part == NULL)
			continue;
		k = strtol(part, &end, 10);
		if (*part == '\0' || *end != '\0' || k < 0)
			return nc_diag_error(d, nc_node_attr_line(n,
			    "containers:partition"), "node %s: "
			    "containers:partition \"%s\" is not a "
			    "non-negative integer", n->name, part);
		if (p->single)
			continue;	/* one machine: every partition is here */
		if ((size_t)k >= p->npn)
			return nc_diag_error(d, nc_node_attr_line(n,
			    "containers:partition"), "node %s: "
			    "containers:partition %ld, but there are only %zu "
			    "pnodes (partitions 0 to %zu)", n->name, k, p->npn,
			    p->npn - 1);
		put(p, i, (size_t)k);
	}
	/* the implicit pnode is this machine: no limit */
	for (i = 0; i < p->npn; i++)
		if (p->load[i] > p->cap && !e->nodes[p->pn[i]].implicit)
			nc_diag_warn(d, 0, "pnode %s holds %ld pinned "
			    "containers, over its capacity %ld",
			    e->nodes[p->pn[i]].name, p->load[i], p->cap);
	return 0;
}

static int
place_lans(struct placer *p, struct nc_diag *d)
{
	struct nc_exp *e = p->e;
	size_t li, m, k, *touched = NULL, ntouched = 0, captouched = 0;
	long best, pos;
	int rc = -1;

	for (li = 0; li < e->nlans; li++) {
		struct nc_lan *l = &e->lans[li];

		ntouched = 0;
		for (m = 0; m < l->nmembers; m++) {
			struct nc_node *n = &e->nodes[l->members[m].node];

			if (n->role != NC_ROLE_CONTAINER || n->host == NULL)
				continue;
			pos = nc_strmap_get(&p->pn_by_name, n->host);
			if (p->lancount[pos]++ == 0)
				*NC_PUSH(touched, ntouched, captouched) =
				    (size_t)pos;
		}
		for (m = 0; m < l->nmembers; m++) {
			size_t ni = l->members[m].node;
			struct nc_node *n = &e->nodes[ni];

			if (n->role != NC_ROLE_CONTAINER || n->host != NULL)
				continue;
			best = -1;
			for (k = 0; k < ntouched; k++) {
				size_t t = touched[k];

				if (p->load[t] >= p->cap)
					continue;
				if (best < 0 ||
				    p->lancount[t] > p->lancount[best] ||
				    (p->lancount[t] == p->lancount[best] &&
				    (p->load[t] < p->load[best] ||
				    (p->load[t] == p->load[best] &&
				    t < (size_t)best))))
					best = (long)t;
			}
			if (best < 0)
				best = least_loaded(p);
			if (best < 0) {
				no_room(p, d);
				goto out;
			}
			put(p, ni, (size_t)best);
			if (p->lancount[best]++ == 0)
				*NC_PUSH(touched, ntouched, captouched) =
				    (size_t)best;
		}
		for (k = 0; k < ntouched; k++)
			p->lancount[touched[k]] = 0;
	}
	rc = 0;
out:
	free(touched);
	return rc;
}

static int
place_containers(struct nc_exp *e, const struct nc_place_opts *o,
    struct nc_diag *d)
{
	struct placer p = { .e = e };
	size_t i;
	long best;
	int rc = -1;

	p.pn = nc_calloc(e->nnodes, sizeof(*p.pn));
	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].role == NC_ROLE_PNODE) {
			nc_strmap_put(&p.pn_by_name, e->nodes[i].name,
			    (long)p.npn);
			p.pn[p.npn++] = i;
		}
	p.load = nc_calloc(p.npn, sizeof(*p.load));
	p.lancount = nc_calloc(p.npn, sizeof(*p.lancount));
	/* A single implicit pnode is this machine: no limit. */
	p.single = p.npn == 1 && e->nodes[p.pn[0]].implicit;
	p.cap = p.single ? 1L << 40 : o->capacity;
	if (place_pinned(&p, d) < 0 || place_lans(&p, d) < 0)
		goto out;
	for (i = 0; i < e->nnodes; i++) {
		if (e->nodes[i].role != NC_ROLE_CONTAINER ||
		    e->nodes[i].host != NULL)
			continue;
		if ((best = least_loaded(&p)) < 0) {
			no_room(&p, d);
			goto out;
		}
		put(&p, i, (size_t)best);
	}
	/* Only containers have a host. */
	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].role != NC_ROLE_CONTAINER)
			nc_set_str(&e->nodes[i].host, NULL);
	rc = 0;
out:
	free(p.pn);
	free(p.load);
	free(p.lancount);
	nc_strmap_free(&p.pn_by_name);
	return rc;
}

/*
 * Names that differ only by case are one name to DNS and hosts(5): refuse
 * them.
 */
static int
check_case(struct nc_exp *e, struct nc_diag *d)
{
	struct nc_strmap seen = { 0 };
	char *low;
	size_t i, k;
	long other;
	int rc = 0;

	for (i = 0; i < e->nnodes && rc == 0; i++) {
		low = nc_strdup(e->nodes[i].name);
		for (k = 0; low[k]; k++)
			low[k] = (char)tolower((unsigned char)low[k]);
		other = nc_strmap_get(&seen, low);
		if (other >= 0)
			rc = nc_diag_error(d, e->nodes[i].line, "node %s: "
			    "name differs from node %s only by case",
			    e->nodes[i].name, e->nodes[other].name);
		nc_strmap_put(&seen, low, (long)i);
		free(low);
	}
	nc_strmap_free(&seen);
	return rc;
}

int
nc_place(struct nc_exp *e, const struct nc_place_opts *o, struct nc_diag *d)
{
	const char *control = e->control ? e->control : o->control;
	long c;

	if (o->capacity < 1)
		return nc_diag_error(d, 0, "--capacity must be at least 1");
	if (check_case(e, d) < 0)
		return -1;
	decide_roles(e, control);
	c = nc_exp_find_node(e, control);
	if (c < 0) {
		c = (long)nc_exp_add_node(e, control, NC_ROLE_CONFIG);
		e->nodes[c].implicit = 1;
	} else if (e->nodes[c].role != NC_ROLE_CONFIG) {
		return nc_diag_error(d, e->nodes[c].line, "control node %s "
		    "is a %s", control, nc_role_name(e->nodes[c].role));
	}
	nc_set_str(&e->control, control);
	if (gather_pnodes(e, o, d) < 0 || place_containers(e, o, d) < 0 ||
	    nc_images_resolve(e, d) < 0 ||
	    nc_address(e, o->pool, o->pool_mask, d) < 0 ||
	    nc_routes(e, o->pool, o->pool_mask, d) < 0)
		return -1;
	return 0;
}
