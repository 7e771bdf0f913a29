/*
 * pnode_rootfs.h: the root filesystems a pnode builds once and clones its
 * lxc containers from (pnode_rootfs.c; docs/DESIGN.md, "Images on a
 * pnode").  An image build is a directory
 * ROOT/var/lib/neoc/images/<image>/<id>/ holding rootfs/ (the lower layer
 * of every container cloned from it), config (the LXC lines every such
 * container includes), recipe and manifest; <id> names the recipe (the
 * kind, the Debian suite, the package list), so a changed package list is
 * a new build beside the old one.
 */
#ifndef NCP_PNODE_ROOTFS_H
#define NCP_PNODE_ROOTFS_H

#include <stddef.h>

#include "pnode.h"

#define NCP_IMAGES_DIR "/var/lib/neoc/images"	/* builds, under root */
#define NCP_BUILD_TIMEOUT_MS (1800 * 1000)	/* one mmdebstrap */
#define NCP_BUILD_FILE "neoc-build"	/* in a container's directory:
					 * "IMAGE ID", the build it is of */
#define NCP_DEBIAN_SUITE "bookworm"	/* when the image names none */

/* What a build is made with. */
enum ncp_rootfs_kind {
	NCP_ROOTFS_BUSYBOX,	/* the LXC busybox template (busybox init) */
	NCP_ROOTFS_DEBIAN,	/* mmdebstrap minbase + packages (tini) */
};

/* One image build a container is cloned from. */
struct ncp_build {
	enum ncp_rootfs_kind kind;	/* how it is built and booted */
	char *name;		/* image name: its directory under the images */
	char *suite;		/* Debian suite (debian only) */
	char **pkgs;		/* packages, sorted, unique (debian only) */
	size_t npkgs;		/* how many */
	char *recipe;		/* the text the id is a hash of */
	char id[17];		/* 16 hex digits: FNV-1a 64 of the recipe */
	char *top;		/* root + NCP_IMAGES_DIR/<name> */
	char *dir;		/* top/<id>: rootfs/, config, manifest */
	char *bad;		/* why the tree's values make no build, or NULL */
};

/* The build guest g is cloned from: Debian for an image of type "rootfs"
 * and os "debian..." (its packages, tini added), busybox for any other
 * (no image, "busybox", or a box the lxc backend cannot run).  Nothing is
 * read or run.  Free it with ncp_build_free. */
void ncp_build_of(struct ncprov *p, const struct ncp_guest *g,
    struct ncp_build *b);
void ncp_build_free(struct ncp_build *b);
/* Is the build there (its directory, renamed into place when done)? */
int ncp_build_ready(const struct ncp_build *b);
/*
 * Build b unless it is there: under a lock (top/.lock, so two runs build
 * it once), into top/<id>.part (a build cut short is removed and made
 * again), renamed to top/<id> when complete; top/current then names it.
 * The builder's output goes to ncprov's stdout line by line (progress).
 * 0 when built or there, 1 when it would build (--dry-run, or --root with
 * --no-start), or -errno with the reason in why.
 */
int ncp_build_make(struct ncprov *p, struct ncp_build *b, char *why,
    size_t len);
/*
 * Remove the builds under the images directory that are not their
 * image's current one and that no container under lxcpath records (its
 * NCP_BUILD_FILE).  The number removed, or -errno.
 */
int ncp_builds_prune(struct ncprov *p, const char *lxcpath);

#endif
