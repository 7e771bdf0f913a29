/*
 * bootfile.h: /etc/neoc/node, the small file a pnode writes into each
 * container: which node it is and where its tree is.  Lines KEY=value:
 *   NODE=h1
 *   NINEP=10.0.3.1:564      (or TREE=/nc for a mounted tree)
 *   ANAME=/nc
 */
#ifndef NCP_BOOTFILE_H
#define NCP_BOOTFILE_H

#define NCP_BOOTFILE "/etc/neoc/node"

struct ncp_boot {
	char *node;		/* NODE */
	char *ninep;		/* NINEP: HOST:PORT of diod */
	char *aname;		/* ANAME: the export (default /nc) */
	char *tree;		/* TREE: a mounted tree instead */
};

/* Read root + NCP_BOOTFILE; 0, or -1 (printed) when missing or bad. */
int ncp_bootfile(const char *root, struct ncp_boot *b);
void ncp_boot_free(struct ncp_boot *b);

#endif
