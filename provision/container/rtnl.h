/*
 * rtnl.h: the rtnetlink requests of the ifaces and routes steps (rtnl.c):
 * what `ip addr add IP/N broadcast + dev DEV`, `ip route replace DST via
 * GW` and `ip route del DST via GW` ask the kernel, asked by ncprov itself
 * (a booting container pays no ip process per address and route: issue
 * 12).  Addresses are IPv4, host order.
 */
#ifndef NCP_RTNL_H
#define NCP_RTNL_H

#include <stdint.h>

/* Give dev the address ip/prefix, with its broadcast address as `ip ...
 * broadcast +` computes it (none for /31 and /32).  0 or -errno. */
int ncp_rtnl_addr_add(const char *dev, uint32_t ip, int prefix);

/* Replace (del 0) or delete (del 1) the main table's route to dst/prefix
 * via gw.  0 or -errno. */
int ncp_rtnl_route(int del, uint32_t dst, int prefix, uint32_t gw);

#endif
