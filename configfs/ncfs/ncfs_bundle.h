/*
 * ncfs_bundle.h: the renderer of nodes/<n>/bundle (ncfs_bundle.c), a node's
 * whole subtree from one read transaction.
 */
#ifndef NCFS_BUNDLE_H
#define NCFS_BUNDLE_H

#include "ncfs.h"

#define NCFS_BUNDLE_VERSION 1	/* the format's number, its first line */

/* Install the renderer behind the bundle's field (ncfs_bundle_render):
 * call once before serving or rendering. */
void ncfs_bundle_init(void);

#endif
