/*
 * pnode_net.h: the pnode's link shaping, which the pnode command runs
 * again once the containers (and so their host-side veths) exist.
 */
#ifndef NCP_PNODE_NET_H
#define NCP_PNODE_NET_H

#include "pnode.h"

/*
 * tc netem (delay, loss) and tbf (bandwidth) on the host side of every
 * container NIC that exists now; state in ROOT/var/lib/neoc/shaping.
 * Fills nic->host_if when empty.  0 or -1 (ncp_fail).
 */
int ncp_pnode_shape(struct ncprov *p, struct ncp_pnode *pn);

#endif
