/*
 * pnode_lxc.h: what the files of the lxc backend share, and no one else:
 * the run they work on, and the functions that cross from one to another.
 * pnode_lxc.c has the step (create, start, stop, destroy), pnode_control.c
 * the control network, pnode_lxc_conf.c each guest's config, boot file and
 * rcS hook, pnode_lxc_run.c what they all use to run commands and record
 * failures.
 */
#ifndef NCP_PNODE_LXC_H
#define NCP_PNODE_LXC_H

#include <stddef.h>

#include "buf.h"
#include "pnode.h"
#include "pnode_rootfs.h"

#define LXC_DIR "/var/lib/neoc/lxc"		/* the lxcpath, under root */
#define LXC_TIMEOUT_MS (120 * 1000)		/* create, start, destroy */
/* An lxc-start keeps its place in the --jobs bound until its guest's boot
 * hook left its result (the guest provisioned), this long at most. */
#define LXC_GATE_MS (30 * 1000)

/* What a run of the lxc backend works with. */
struct lxc_run {
	struct ncprov *p;	/* the run */
	struct ncp_pnode *pn;	/* the pnode's containers and LANs */
	char *lxcpath;		/* root + LXC_DIR: what -P gets */
	char *ncprov;		/* the binary bind-mounted in, or NULL */
	char *nc9pfs;		/* nc9pfs, or NULL */
	char *hook;		/* the rcS hook, markers included */
	char *boot;		/* the boot script of a debian build's
				 * containers (provision/rc/node-boot) */
	struct ncp_build *builds; /* the build each guest is cloned from,
				 * by index in pn->guests */
	struct nc_buf errs;	/* the failures so far, "; "-separated */
	const char *ctl;	/* the control bridge's A.B.C.D/NN */
	unsigned long ctl_addr;	/* its address, host order */
	int ctl_prefix;		/* its prefix length */
	int routed;		/* the guests' 9P server is outside the
				 * control network: a default route via the
				 * bridge, forwarding and masquerade */
};

/* pnode_lxc_run.c */

/* Record a failure of one container (the step goes on with the others). */
void ncp_lxc_failed(struct lxc_run *r, const char *guest, const char *fmt,
    const char *what);
/* Run a command (argv[0] a bare name), or, when dry, say it would: 0, or
 * -errno (-ENOENT: no such program, -EIO: it failed, else why it could not
 * run) with the reason in why. */
int ncp_lxc_run_or_say(struct lxc_run *r, char **argv, int dry, char *why,
    size_t len);
/* What a reason of ncp_lxc_run_or_say may take (with a command's output). */
#define NCP_LXC_WHY 2048
/* Is path (not under root) there? */
int ncp_lxc_exists(const char *path);
/* Do the programs run (not --dry-run, nor --root with --no-start)? */
int ncp_lxc_may_run(const struct ncprov *p);
/* Cut trailing white space off b. */
void ncp_lxc_trim(struct nc_buf *b);
/* The running containers under lxcpath, one name a line, from one
 * `lxc-ls --running` (one program for all, where lxc-info is one each)
 * appended to out; 0, or -1 when lxc-ls is missing or fails. */
int ncp_lxc_running_list(const char *lxcpath, struct nc_buf *out);
/* Is cname a line of list? */
int ncp_lxc_listed(const char *list, const char *cname);

/* pnode_control.c */

/* The control address "A.B.C.D/NN BCAST" of the guest at index i of the
 * pnode's container list (LXC's lxc.net.0.ipv4.address: without BCAST
 * LXC sets a wrong broadcast) into out; 0, or -1 when it does not fit the
 * network or out. */
int ncp_control_guest_addr(const struct lxc_run *r, size_t i, char *out,
    size_t len);
/*
 * Make the control network (want) or tear down what we made of it
 * (!want): the bridge, and the way out of it (ctl_nat).  Without --root
 * the system is inspected, under --root the state file stands for it;
 * under either --root or --dry-run the commands are only printed.  The
 * state file gets the bridge's and the table's lines before they are
 * made, and then lists what is ours, also after a failure (each part is
 * tried even when the other failed).  0 or -1 (the failure in r->errs).
 */
int ncp_control_net(struct lxc_run *r, int want);

/* pnode_lxc_conf.c */

/* The config, boot file and rcS hook of guest g (index gi); 0 or -1. */
int ncp_lxc_configure(struct lxc_run *r, struct ncp_guest *g, size_t gi,
    const char *cname);
/* The rcS hook: NCPROV_RC_DIR, the installed copies, or our own line. */
char *ncp_lxc_load_hook(struct ncprov *p);
/* The boot script (node-boot): NCPROV_RC_DIR, the installed copies, or
 * our own lines. */
char *ncp_lxc_load_boot(struct ncprov *p);

#endif
