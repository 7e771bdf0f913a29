/*
 * pnodes.h: the experiment's pnodes and how the control node reaches each:
 * over SSH at an address (--pnode-addr NAME=HOST[:PORT], else the testbed's
 * hostnames entry for it), or, for the one pnode without an address, this
 * machine itself (the embedded single-machine default).
 */
#ifndef NEOC_PNODES_H
#define NEOC_PNODES_H

#include <stddef.h>

/* One pnode and where it is. */
struct neoc_pnode {
	char *name;		/* its node name */
	char *host;		/* address or host name; NULL: this machine */
	int port;		/* SSH port (22) */
};

/* The pnodes of dbpath with their addresses; overrides are "NAME=HOST",
 * "NAME=HOST:PORT" or "NAME=local".  0, or -1 with the reason printed
 * (an unknown pnode in an override, more than one pnode without an
 * address). */
int neoc_pnodes_resolve(const char *dbpath, char *const *overrides,
    size_t nover, struct neoc_pnode **out, size_t *n);
void neoc_pnodes_free(struct neoc_pnode *p, size_t n);
/* The pnode called name in p, or NULL. */
const struct neoc_pnode *neoc_pnode_find(const struct neoc_pnode *p,
    size_t n, const char *name);
/* Parse "HOST[:PORT]" into a malloc'd host and a port (default 22);
 * 0 or -1. */
int neoc_hostport(const char *s, char **host, int *port);

#endif
