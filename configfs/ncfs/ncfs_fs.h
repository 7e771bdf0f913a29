/*
 * ncfs_fs.h: the mounted filesystem's state and the parts that share it:
 * the FUSE operations (ncfs_ops.c) and the watcher that notices changes to
 * the database and invalidates the kernel's caches (ncfs_watch.c).
 */
#ifndef NCFS_FS_H
#define NCFS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdint.h>

#include "ncfs.h"

struct ncfs_fs {
	const char *db_path;	/* the experiment database */
	int readonly;		/* -o ro: refuse every write */
	long admin_gid;		/* -o admin_gid=N may write; -1: root only */
	double timeout;		/* entry and attribute timeout, seconds */
	double poll;		/* seconds between checks for other writers */
	struct fuse_session *se; /* the session, for notifications */
	pthread_key_t conn_key;	/* this thread's struct ncfs_conn */
	uint64_t epoch;		/* bumped whenever the database changed */
	pthread_mutex_t epoch_lock; /* guards epoch */
};

extern struct ncfs_fs ncfs;
extern const struct fuse_lowlevel_ops ncfs_ops;

/* pthread key destructor: close a thread's connection. */
void ncfs_close_conn(void *conn);
/* This thread's database connection (opened on first use), or NULL. */
struct ncfs_conn *ncfs_conn(void);
/* The current database epoch. */
uint64_t ncfs_epoch(void);

/* Start the watcher thread; stop it (joins). */
int ncfs_watch_start(void);
void ncfs_watch_stop(void);
/*
 * After this process committed a change: bump the epoch, have the watcher
 * invalidate what the kernel caches, and wait (bounded) until it has.
 * changed: the inode written (0: none); parent: a directory whose entries
 * changed (0: none).
 */
void ncfs_watch_changed(uint64_t changed, uint64_t parent);
/*
 * After this process committed a new value of the file ino names (ref):
 * ncfs_watch_changed(ino, 0), except for a value no other file derives
 * from (nct_change_scope NONE: a node's status, startstatus, control),
 * which has the watcher invalidate only that file, the
 * same node's bundle and experiment/generation: at 1,000 nodes, status
 * writes invalidating every directory and rendered file the kernel knows
 * made each one cost more than the node's whole provisioning.
 */
void ncfs_watch_value(uint64_t ino, const struct ncfs_ref *ref);

#endif
