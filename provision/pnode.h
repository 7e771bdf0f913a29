/*
 * pnode.h: what the pnode provisioner (ncprov pnode) knows of its part of
 * the experiment, read once from the tree, and the steps that use it:
 * network (VDE switches, TAP devices, bridges, shaping), images, containers
 * (lxc and vagrant backends).
 */
#ifndef NCP_PNODE_H
#define NCP_PNODE_H

#include <stddef.h>

#include "ncprov.h"

/* One experiment interface of a container on this pnode. */
struct ncp_nic {
	char *name;		/* in the container: eth1, eth2, ... */
	char *lan;		/* the LAN or link it is on */
	char *mac;		/* aa:bb:cc:dd:ee:ff */
	char *ip;		/* a.b.c.d */
	char *netmask;		/* a.b.c.d */
	long bandwidth_kbps;	/* 0: unlimited */
	double delay_ms;	/* one-way delay */
	double loss;		/* 0..1 */
	char host_if[16];	/* our name for its host side (veth), <= 15 */
};

/* One container of this pnode. */
struct ncp_guest {
	char *name;		/* node name */
	char *image;		/* image name, "" for the default */
	char *image_os;		/* image os ("windows..." is Windows) */
	char *image_url;	/* where to fetch it, "" when baked in */
	char *image_version;	/* box version, "" when unknown */
	char *image_provider;	/* virtualbox, lxc, libvirt, "" */
	char *memory;		/* attribute containers:memory (MB), "" */
	char *cpus;		/* attribute containers:cpus, "" */
	struct ncp_nic *nics;	/* its experiment interfaces */
	size_t nnics;
};

/* One LAN with a container on this pnode. */
struct ncp_lan {
	char *name;		/* LAN name */
	long bandwidth_kbps;	/* the LAN's shaping */
	double delay_ms;
	double loss;
	char *phys;		/* this pnode's physical interface on it, or
				 * NULL (single-machine mode) */
	char bridge[16];	/* Linux bridge name, <= 15 bytes */
	char tap[16];		/* TAP device of its VDE switch */
	char vde[16];		/* VDE switch name (sockets, conf file) */
};

struct ncp_pnode {
	struct ncp_guest *guests;	/* containers, tree order */
	size_t nguests, capguests;
	struct ncp_lan *lans;		/* LANs they are on, first-use order */
	size_t nlans;
	char *ninep;			/* HOST:PORT the containers read the
					 * tree from (for /etc/neoc/node) */
	char *aname;			/* that export's path */
};

/* Read this pnode's containers and LANs from the tree.  0 or -1 (ncp_fail). */
int ncp_pnode_load(struct ncprov *p, struct ncp_pnode *pn);
void ncp_pnode_free(struct ncp_pnode *pn);

/*
 * A stable interface name of at most 15 bytes: prefix (2 letters) and 8
 * hex digits of a hash of the experiment-unique key(s).  out holds 16.
 */
void ncp_ifname(const char *prefix, const char *a, const char *b,
    char out[16]);

/*
 * The control network (pnode_lxc.c): the bridge NCP_CTL_BRIDGE on this
 * pnode, with the address of --control-net (NCP_CTL_DEFAULT when not
 * given); each lxc guest gets a NIC "ctl0" on it with the address
 * network + NCP_CTL_FIRST + its index in the pnode's container list, so
 * that ncprov inside reaches the 9P server before its experiment
 * interfaces are configured.
 */
#define NCP_CTL_BRIDGE "ncctl0"
#define NCP_CTL_DEFAULT "172.30.0.1/16"
#define NCP_CTL_FIRST 10

/* Parse "A.B.C.D/NN" (NN 1..30, not the network nor the broadcast
 * address): 0, *addr the address (host order), *prefix NN; or -1. */
int ncp_control_parse(const char *spec, unsigned long *addr, int *prefix);

/* The steps (pnode_net.c, pnode_images.c, pnode_lxc.c, pnode_vagrant.c).
 * Each: 0 or -1 with ncp_fail; changes reported with ncp_report; under
 * p->root / p->dry_run / p->no_start as for the container steps. */
int ncp_pnode_network(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_images(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_lxc(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_vagrant(struct ncprov *p, struct ncp_pnode *pn);

#endif
