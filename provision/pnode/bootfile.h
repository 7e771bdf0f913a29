/*
 * bootfile.h: the boot files, small files of KEY=value lines that tell
 * ncprov who it is and where its tree is when the command line does not.
 *
 * /etc/neoc/node, written by a pnode into each container (ncprov
 * container, show, status):
 *   NODE=h1
 *   NINEP=10.0.3.1:564      (or TREE=/nc for a mounted tree)
 *   ANAME=/nc
 *
 * /etc/neoc/pnode, written by a successful `ncprov pnode` on the pnode
 * itself, so that the boot unit (provision/rc/ncprov-pnode.service) can
 * run `ncprov pnode` again with no options; `ncprov down` removes it.
 * The keys of the node file, and
 *   GUEST_NINEP=172.30.0.1:564  (--guest-9p)
 *   GUEST_ANAME=/nc             (--guest-aname)
 *   NO_EXPORT=1                 (--no-export, only when given)
 *   CONTROL_NET=172.30.0.1/16   (--control-net, only when given)
 *   BACKEND=lxc                 (--backend, only when given)
 *
 * Lines starting with # and empty lines are skipped, and so are keys this
 * version does not know (a later version's); a known key's value is
 * checked (a node name is a DNS label, HOST:PORT a host or [v6] and a port
 * 1..65535, paths absolute), and a bad one is an error naming the file and
 * the line.
 */
#ifndef NCP_BOOTFILE_H
#define NCP_BOOTFILE_H

#include <stddef.h>

#include "ncprov.h"

#define NCP_BOOTFILE "/etc/neoc/node"
#define NCP_PNODE_BOOTFILE "/etc/neoc/pnode"

struct ncp_boot {
	char *node;		/* NODE */
	char *ninep;		/* NINEP: HOST:PORT of diod */
	char *aname;		/* ANAME: the export (default /nc) */
	char *tree;		/* TREE: a mounted tree instead */
	char *guest_ninep;	/* GUEST_NINEP (pnode): the containers' 9P */
	char *guest_aname;	/* GUEST_ANAME (pnode): their export */
	char *control_net;	/* CONTROL_NET (pnode): A.B.C.D/NN */
	char *backend;		/* BACKEND (pnode): lxc or vagrant */
	int no_export;		/* NO_EXPORT=1 (pnode) */
};

/*
 * Parse the text of a boot file into b (name for the messages; pnode: the
 * pnode's keys are known too).  0, or -1 with err "NAME:LINE: what" (or
 * "NAME: what").
 */
int ncp_boot_parse(const char *text, const char *name, int pnode,
    struct ncp_boot *b, char *err, size_t errlen);
/* Read root + path (NCP_BOOTFILE or NCP_PNODE_BOOTFILE) into b: 0,
 * -ENOENT when it is missing, or -1 with err (unreadable, bad). */
int ncp_boot_read(const char *root, const char *path, int pnode,
    struct ncp_boot *b, char *err, size_t errlen);
/* Read root + NCP_BOOTFILE; 0, or -1 (printed) when missing or bad. */
int ncp_bootfile(const char *root, struct ncp_boot *b);
/* The text of a pnode boot file holding b, malloc'd. */
char *ncp_boot_text(const struct ncp_boot *b);
/* Make p->root + path hold b (ncp_replace: unchanged, nothing is written;
 * reported when it changed).  1 when it changed, 0, or -errno. */
int ncp_boot_write(struct ncprov *p, const char *path,
    const struct ncp_boot *b);
/* Remove p->root + path (reported; "would remove" under --dry-run).  1
 * when it was there, 0, or -errno. */
int ncp_boot_remove(struct ncprov *p, const char *path);
void ncp_boot_free(struct ncp_boot *b);

/* Is s a node name (nc_valid_label)?  For the table of boot file keys. */
int ncp_node_name_ok(const char *s);
/* Is s "HOST:PORT" (a host name or IPv4 address, or "[v6]"; a port
 * 1..65535)? */
int ncp_hostport_ok(const char *s);

#endif
