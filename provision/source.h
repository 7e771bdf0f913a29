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

/* One file to read or directory to list of a batch (ops->fetch). */
struct ncp_fetch {
	const char *path;	/* in: from the tree's root */
	int dir;		/* in: 1 to list a directory */
	int rc;			/* out: 0 or -errno */
	char *data;		/* out (malloc'd, NUL-terminated): a file's
				 * bytes, or a directory's names, each ended
				 * by a NUL, a directory's with '/' before */
	size_t len;		/* out: bytes of data */
};

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
	/*
	 * Read the n files and directories of v at once, each at most max
	 * bytes (NULL: the source has no such thing; read one at a time).
	 * 0, or the error that lost the connection.
	 */
	int (*fetch)(void *impl, struct ncp_fetch *v, size_t n, size_t max);
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

/* How ncprov reads a node's configuration (--fetch). */
enum ncp_fetch_mode {
	NCP_FETCH_BUNDLE,	/* the node's bundle, one snapshot; without
				 * one, as NCP_FETCH_PIPELINE */
	NCP_FETCH_PIPELINE,	/* every file of the subtree, pipelined */
	NCP_FETCH_EACH,		/* each file when a step asks for it */
};
/*
 * Read node's configuration at once (source_snap.c) and serve the steps'
 * reads of it from memory from now on: s is wrapped.  Only sources with
 * ops->fetch (9P); others, and NCP_FETCH_EACH, stay as they are.  A
 * bundle that does not parse is an error (why says so); 0 otherwise, or
 * the error that lost the connection.
 */
int ncp_source_snapshot(struct ncp_source *s, const char *node,
    enum ncp_fetch_mode mode, char *why, size_t whylen);
/* 1 when the source's connection was lost (worth running again). */
int ncp_source_lost(const struct ncp_source *s);
/* Free a list from ops->list. */
void ncp_names_free(char **names, size_t n);

#endif
