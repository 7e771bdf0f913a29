/*
 * ncfs_inode.h: the inodes the kernel knows, by number: what each refers
 * to, under which parent and name it was looked up, how many lookups it
 * holds, and its last rendered contents (to tell whether they changed).
 * Scratch files (an editor's temporary file in a record directory) live
 * here too, in memory only.
 */
#ifndef NCFS_INODE_H
#define NCFS_INODE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "ncfs.h"
#include "ncfs_blob.h"

struct ncfs_inode {
	uint64_t ino;		/* inode number (1: the root) */
	struct ncfs_ref ref;	/* what it names (scratch: its directory) */
	uint64_t parent;	/* parent's inode number (root: 1) */
	char *name;		/* name in the parent */
	uint64_t nlookup;	/* lookups not yet forgotten */
	int scratch;		/* a temporary file, not in the database */
	struct nc_buf data;	/* scratch files: their contents */
	struct ncfs_blob *blob;	/* other files: the last render (shared) */
	int rendered;		/* data holds a render */
	uint64_t epoch;		/* database epoch of that render */
	struct timespec mtime;	/* when the contents last changed */
	unsigned mode;		/* scratch files: their mode */
};

/* The table; lock it around every use of the inodes it returns. */
extern pthread_mutex_t ncfs_inode_lock;

/* Find an inode by number, or NULL. */
struct ncfs_inode *ncfs_inode_get(uint64_t ino);
/*
 * The inode for ref under parent/name (created if new, the stable number
 * of the ref), with one more lookup.
 */
struct ncfs_inode *ncfs_inode_ref(const struct ncfs_ref *ref,
    uint64_t parent, const char *name);
/* A new scratch file named name in directory parent (one lookup). */
struct ncfs_inode *ncfs_inode_scratch(const struct ncfs_ref *dir,
    uint64_t parent, const char *name, unsigned mode);
/* The scratch file named name in parent, or NULL. */
struct ncfs_inode *ncfs_inode_find_scratch(uint64_t parent,
    const char *name);
/* Drop n lookups; the inode goes when none are left. */
void ncfs_inode_forget(uint64_t ino, uint64_t n);
/* A scratch file renamed over a value now stands for that value. */
void ncfs_inode_unscratch(struct ncfs_inode *in);
/* How many scratch files exist. */
size_t ncfs_inode_nscratch(void);
/* Call fn for every inode (under the lock). */
void ncfs_inode_each(void (*fn)(struct ncfs_inode *, void *), void *arg);
void ncfs_inode_init(void);

#endif
