/*
 * place.h: completing an imported experiment: roles, the control node,
 * pnodes and placement of containers, images, subnets, addresses and MACs.
 */
#ifndef NC_PLACE_H
#define NC_PLACE_H

#include <stdint.h>

#include "diag.h"
#include "model.h"

struct nc_place_opts {
	int npnodes;		/* --pnodes N: add pnode-0..N-1 (0: none) */
	int capacity;		/* containers per pnode (default 10) */
	const char *control;	/* name of the control node ("config") */
	uint32_t pool;		/* subnet pool (10.0.0.0) */
	uint32_t pool_mask;	/* its mask (255.0.0.0) */
	int keep;		/* testbed data added to a placed experiment:
				 * every container keeps its host, and a
				 * hostnames entry adds no pnode (neoc import
				 * without --replace) */
};

void nc_place_defaults(struct nc_place_opts *o);
/* 1 when n is a pnode, or will be made one by nc_place: its role says so,
 * it runs PNODE-BASE, or it is called pnode-N / pnodeN / pnode-0000. */
int nc_node_is_pnode(const struct nc_node *n);
/*
 * Decide roles (config, pnode, physical, container), add the implicit
 * control node and pnodes, place every container without a host, resolve
 * images against the catalog, carve subnets and give every interface an
 * address, netmask and MAC.  Deterministic: the same input gives the same
 * result.  Errors (a conflict of addresses, an unknown image, a pin to no
 * pnode, no room) are recorded in d and -1 returned.
 */
int nc_place(struct nc_exp *e, const struct nc_place_opts *o,
    struct nc_diag *d);

#endif
