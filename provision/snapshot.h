/*
 * snapshot.h: a node's configuration held in memory, read at once: parsed
 * from the node bundle ncfs renders in one transaction (nodes/<n>/bundle,
 * docs/DESIGN.md, "Node bundle"), or gathered by pipelined 9P reads of the
 * subtree where the server has no bundle.  source_snap.c serves the steps'
 * reads from it.  libc only (the static ncprov).
 */
#ifndef NCP_SNAPSHOT_H
#define NCP_SNAPSHOT_H

#include <stddef.h>

#include "strmap.h"

#define NCP_BUNDLE_MAX (64u << 20)	/* bytes of a bundle at most */
#define NCP_BUNDLE_ENTRIES 100000	/* entries of a bundle at most */

/* A file or a directory's listing of the snapshot. */
struct ncp_snap_entry {
	char *path;		/* from the tree's root: "nodes/a/hosts" */
	int dir;		/* 1: a listing; 0: a file */
	char *data;		/* a file's bytes, or the listing: one name a
				 * line, a directory's with '/' after it;
				 * NUL-terminated */
	size_t len;		/* bytes of data */
	int live;		/* written since: ask the tree */
};

/* The snapshot. */
struct ncp_snap {
	struct ncp_snap_entry *v; /* entries */
	size_t n, cap;		/* count, room */
	struct nc_strmap idx;	/* path -> index in v */
	long long generation;	/* the bundle's experiment generation; -1
				 * when gathered without a bundle */
};

/*
 * Parse bundle data[0..len) of node into s (empty before).  Every path
 * must lie in nodes/<node>, every name of a listing be one plain name,
 * sizes and counts within the bounds above.  0, or -EINVAL with the reason
 * in why (s is then freed).
 */
int ncp_bundle_parse(const char *data, size_t len, const char *node,
    struct ncp_snap *s, char *why, size_t whylen);
/* Add an entry (data copied); -EEXIST when path is there already. */
int ncp_snap_add(struct ncp_snap *s, const char *path, int dir,
    const char *data, size_t len);
/* The entry at path, or NULL. */
struct ncp_snap_entry *ncp_snap_get(const struct ncp_snap *s,
    const char *path);
/* 1 when listing (a directory entry) names name; *isdir says whether as a
 * directory.  0 when not. */
int ncp_snap_lists(const struct ncp_snap_entry *listing, const char *name,
    int *isdir);
void ncp_snap_free(struct ncp_snap *s);

#endif
