/*
 * address.h: subnets for links and LANs, interface addresses and MACs.
 */
#ifndef NC_ADDRESS_H
#define NC_ADDRESS_H

#include <stdint.h>

#include "diag.h"
#include "model.h"

/*
 * Give every LAN a netmask and a subnet (the one its explicit addresses
 * lie in, else the next free one carved from pool/pool_mask), every
 * interface without an address the lowest free host address of its LAN in
 * member order, and every interface without a MAC a stable locally
 * administered one derived from node and interface names.  Errors
 * (addresses outside their LAN's subnet, duplicates, overlapping subnets,
 * an exhausted pool) are recorded in d and -1 returned.
 */
int nc_address(struct nc_exp *e, uint32_t pool, uint32_t pool_mask,
    struct nc_diag *d);
/* The MAC nc_address gives interface ifname of node (before collisions). */
void nc_mac_derive(const char *node, const char *ifname, unsigned salt,
    uint8_t mac[6]);

#endif
