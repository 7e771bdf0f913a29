/*
 * ncprov.h: what the commands of ncprov share: the options and the source
 * of the node's subtree.
 */
#ifndef NCPROV_H
#define NCPROV_H

#include <stddef.h>

#include "nctree.h"
#include "source.h"

/* The exit status when the connection to the tree was lost part way: the
 * rc scripts run ncprov container again on it (EX_TEMPFAIL). */
#define NCP_EXIT_LOST 75
/* The exit status when the 9P server could not be reached (or refused the
 * attach) at the start: the boot hook runs ncprov container again on it,
 * every second for NCPROV_WAIT seconds (EX_UNAVAILABLE). */
#define NCP_EXIT_NOSERVER 69

struct ncprov {
	struct ncp_source src;	/* where the tree comes from */
	const char *node;	/* this node's name */
	const char *root;	/* --root: prefix of every local path ("") */
	int dry_run;		/* --dry-run: print changes, make none */
	int no_start;		/* --no-start: start nothing */
	size_t jobs;		/* --jobs N: programs a batch runs at once
				 * (lxc-start, -stop, -destroy, -attach,
				 * vagrant: at most 4 of these) */
	int settle_s;		/* --settle S: pnode watches the guests it
				 * started this long (0: not at all) */
	int changes;		/* changes made (or, dry, to make) so far */
	char why[512];		/* why the running step failed */
	const char *backend;	/* --backend lxc|vagrant: override images' */
	const char *guest_9p;	/* --guest-9p HOST:PORT containers use */
	const char *guest_aname; /* --guest-aname: their export (/nc) */
	int no_export;		/* --no-export: no diod for the homes */
	const char *control_net; /* --control-net A.B.C.D/NN: the control
				  * bridge's address (NULL: the default) */
	const char *tree;	/* --tree DIR the tree came from, or NULL */
	const char *ninep;	/* --9p HOST:PORT it came from, or NULL */
	const char *aname;	/* --aname: that export */
	int down;		/* ncprov down: no tree, everything of ours
				 * goes */
	int keep_boot;		/* down --keep-boot: /etc/neoc/pnode stays */
	const char *images;	/* --images DIR: the image builds (not under
				 * root), or NULL: ROOT/var/lib/neoc/images */
	int from_boot;		/* the source came from the boot file (a
				 * node's own run, not a test's: container
				 * may start the node's agent) */
};

/* ncprov show: every file of nodes/<node>/ as "path: value" lines. */
int ncprov_show(struct ncprov *p, int argc, char **argv);
/* ncprov status STATE [STEP] [MESSAGE]: write nodes/<node>/status. */
int ncprov_status(struct ncprov *p, int argc, char **argv);
/* ncprov pnode: provision this pnode: network, images, containers. */
int ncprov_pnode(struct ncprov *p, int argc, char **argv);
/* ncprov down: undo ncprov pnode from the pnode's own state, no tree. */
int ncprov_down(struct ncprov *p, int argc, char **argv);
/* ncprov container: provision this container from its subtree. */
int ncprov_container(struct ncprov *p, int argc, char **argv);
/* Write "STATE NOW [STEP] [MESSAGE]" to the node's status (the contract's
 * line, nctree.h); 0 or -errno. */
int ncprov_set_status(struct ncprov *p, enum nct_state state,
    const char *step, const char *message);
/* The same for another node's status (a pnode's guests); 0 or -errno. */
int ncprov_node_status(struct ncprov *p, const char *node,
    enum nct_state state, const char *step, const char *message);

#endif
