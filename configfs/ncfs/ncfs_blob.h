/*
 * ncfs_blob.h: rendered contents shared between inodes.  Most big files are
 * the same on every node (hosts, passwd, group, shadow, sshkeys, sudoers):
 * an inode keeps a reference to an interned copy, so a 10,000-node tree
 * holds one hosts file, not ten thousand.  Callers hold ncfs_inode_lock.
 */
#ifndef NCFS_BLOB_H
#define NCFS_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct ncfs_blob {
	uint64_t hash;		/* FNV-1a of the bytes */
	size_t len;		/* bytes */
	unsigned long refs;	/* inodes holding it */
	char *data;		/* the bytes (len, then a NUL) */
};

/* A reference to the blob holding data (made if new). */
struct ncfs_blob *ncfs_blob_get(const char *data, size_t len);
/* Drop a reference (NULL is fine). */
void ncfs_blob_put(struct ncfs_blob *b);
/* 1 when b holds exactly data. */
int ncfs_blob_is(const struct ncfs_blob *b, const char *data, size_t len);

#endif
