/*
 * source.h: where ncprov reads a node's subtree from.  Every provisioning
 * step is written once against struct ncp_source; the tree comes either from
 * a mounted directory (--tree DIR) or straight from diod over 9P (--9p).
 * Paths are relative to the tree's root ("nodes/a/hosts").  Errors are
 * negative errno values.
 */
#ifndef NCP_SOURCE_H
#define NCP_SOURCE_H

#include <stddef.h>

#include "buf.h"

struct ncp_source_ops {
	/* Append the whole file at path to out. */
	int (*read)(void *impl, const char *path, struct nc_buf *out);
	/* The names in directory path (malloc'd array of malloc'd strings). */
	int (*list)(void *impl, const char *path, char ***names, size_t *n);
	/* 1 when path is a directory, 0 when a file. */
	int (*is_dir)(void *impl, const char *path);
	/* Replace the file at path with data. */
	int (*write)(void *impl, const char *path, const char *data,
	    size_t len);
	/* Requests made so far (9P round trips; files opened for a tree). */
	unsigned long long (*requests)(void *impl);
	/* 1 when the connection to the tree was lost (NULL: never). */
	int (*lost)(void *impl);
	void (*close)(void *impl);
};

struct ncp_source {
	const struct ncp_source_ops *ops; /* how to reach the tree */
	void *impl;			/* the implementation's state */
	char desc[128];			/* "tree /nc", "9p 10.0.0.1:564/nc" */
};

/* A mounted tree rooted at dir. */
int ncp_source_tree(const char *dir, struct ncp_source *s);
/* A diod export: hostport "HOST:PORT", aname the export ("/nc"),
 * timeout_ms for connect and every reply.  err gets a message. */
int ncp_source_9p(const char *hostport, const char *aname, int timeout_ms,
    struct ncp_source *s, char *err, size_t errlen);
void ncp_source_close(struct ncp_source *s);
/* 1 when the source's connection was lost (worth running again). */
int ncp_source_lost(const struct ncp_source *s);
/* Free a list from ops->list. */
void ncp_names_free(char **names, size_t n);

#endif
