/*
 * pnode.h: what the pnode provisioner (ncprov pnode) knows of its part of
 * the experiment, read once from the tree, and the steps that use it:
 * network (VDE switches, TAP devices, bridges, shaping), images, containers
 * (lxc and vagrant backends), the control network of the lxc guests and
 * the helpers the two container backends share.
 */
#ifndef NCP_PNODE_H
#define NCP_PNODE_H

#include <stddef.h>

#include "buf.h"
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
	char *image_type;	/* image type: "rootfs" is built on the pnode */
	char *packages;		/* its package list, one a line, "" for none */
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
	char **started;			/* lxc guests this run started, to
					 * watch (--settle) */
	size_t nstarted, capstarted;	/* how many; allocated */
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
 * The control network (pnode_control.c): the bridge NCP_CTL_BRIDGE on this
 * pnode, with the address of --control-net (NCP_CTL_DEFAULT when not
 * given); each lxc guest gets a NIC "ctl0" on it with the address
 * network + NCP_CTL_FIRST + its index in the pnode's container list, so
 * that ncprov inside reaches the 9P server before its experiment
 * interfaces are configured.
 */
#define NCP_CTL_BRIDGE "ncctl0"
#define NCP_CTL_MAC "02:6e:63:00:00:01"	/* its fixed, locally administered MAC */
#define NCP_CTL_DEFAULT "172.30.0.1/16"
#define NCP_CTL_FIRST 10

/*
 * A Linux bridge holds at most 1023 ports (BR_MAX_PORTS): guest i is on
 * control bridge i / NCP_CTL_PER_BRIDGE, bridge 0 being NCP_CTL_BRIDGE
 * and bridge k > 0 "ncctlK", which is joined to ncctl0 by a veth pair
 * "ncctlKup" (on it) and "ncctlKpe" (on ncctl0): one network, one subnet,
 * the addresses as before (pnode_control.c).
 */
#define NCP_CTL_PER_BRIDGE 1000
/* The name of control bridge k into out (16 bytes). */
void ncp_control_bridge_name(size_t k, char out[16]);

/* Parse "A.B.C.D/NN" (NN 1..30, not the network nor the broadcast
 * address): 0, *addr the address (host order), *prefix NN; or -1. */
int ncp_control_parse(const char *spec, unsigned long *addr, int *prefix);

/*
 * When the guests' 9P server (--guest-9p HOST:PORT) is not inside the
 * control network, each guest's ctl0 gets a default route via the bridge
 * address, and the pnode forwards (net.ipv4.ip_forward = 1) and
 * masquerades the control subnet's traffic leaving by any other
 * interface, in an nftables table of its own: NCP_NAT_TABLE (family ip).
 */
#define NCP_NAT_TABLE "neoc"

/* Is hostport outside the control network ctl ("A.B.C.D/NN")?  1 unless
 * its host is an IPv4 address in that network (a name may be anywhere);
 * 0 for an empty hostport (nothing to reach). */
int ncp_control_routed(const char *ctl, const char *hostport);
/* The control network's subnet "NETWORK/NN" of ctl, malloc'd, or NULL. */
char *ncp_control_subnet(const char *ctl);
/* The masquerade rule as `nft list` prints it, malloc'd. */
char *ncp_nat_rule(const char *subnet);
/* One nft argument that replaces our table by one masquerading subnet
 * (atomically: a single transaction), malloc'd. */
char *ncp_nat_script(const char *subnet);

/*
 * Shared by the two container backends: pnode_reprov.c, pnode_guest.c and
 * pnode_state.c (the parallel runner and ncp_self_binary are run.h's).
 */

/* Run `ncprov container` again inside the running lxc containers names
 * (under lxcpath), in parallel, reporting those that changed or failed;
 * nothing under --dry-run or --no-start.  0, or -errno when the batch
 * failed. */
int ncp_lxc_reprovision(struct ncprov *p, const char *lxcpath,
    char *const *names, size_t n);
/* The same, scoped (1: each container runs only the steps whose inputs
 * changed; the watcher's) or full (0: ncp_lxc_reprovision). */
int ncp_lxc_reprovision_mode(struct ncprov *p, const char *lxcpath,
    char *const *names, size_t n, int scoped);
/* Where a guest's boot hook leaves its end, "RC MESSAGE" (in the guest;
 * provision/rc/rcS.hook). */
#define NCP_BOOT_RESULT "/var/lib/neoc/boot.result"
/* Watch the lxc guests names (started under lxcpath) for timeout_s
 * seconds at most, until each has a boot result or has stopped; report
 * those whose hook gave up or whose container stopped, unless their
 * status is final, "failed STEP reason" (pnode_settle.c).  0. */
int ncp_lxc_settle(struct ncprov *p, const char *lxcpath, char *const *names,
    size_t n, int timeout_s);
/* Raise the kernel limits many containers need, only upward, each change
 * reported (pnode_limits.c); nothing under --root, --dry-run, --no-start. */
void ncp_pnode_limits(struct ncprov *p);
/* Is g the lxc backend's (--backend, else its image's provider, or no
 * image at all)? */
int ncp_guest_is_lxc(const struct ncprov *p, const struct ncp_guest *g);
/* The names ROOT/var/lib/neoc/containers lists for backend ("lxc",
 * "vagrant"), malloc'd (ncp_names_free); 0 or -errno. */
int ncp_state_read(struct ncprov *p, const char *backend, char ***names,
    size_t *n);
/* Make that file list exactly names for backend, the other backends'
 * lines kept; 0 or -errno. */
int ncp_state_write(struct ncprov *p, const char *backend,
    char *const *names, size_t n);
/* Write nodes/<guest>/status: "STATE TIME containers [MESSAGE]"; 0 or
 * -errno. */
int ncp_guest_status(struct ncprov *p, const char *guest,
    enum nct_state state, const char *message);

/* The steps (pnode_net.c, pnode_images.c, pnode_lxc.c, pnode_vagrant.c).
 * Each: 0 or -1 with ncp_fail; changes reported with ncp_report; under
 * p->root / p->dry_run / p->no_start as for the container steps. */
int ncp_pnode_network(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_images(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_lxc(struct ncprov *p, struct ncp_pnode *pn);
int ncp_pnode_vagrant(struct ncprov *p, struct ncp_pnode *pn);

#endif
