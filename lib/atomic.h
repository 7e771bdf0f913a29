/*
 * atomic.h: the one way to replace a file: write the new contents beside
 * it under a name of their own (PATH.atomic-XXXXXX, so concurrent writers
 * never share a temporary), fsync, rename over PATH, fsync the directory.
 * A reader sees the old file or the new one, never a part; after a crash
 * the same.  On any failure the old file is left as it was and the
 * temporary is removed.  (A directory that cannot be fsync'd is not a
 * failure: the file is in place by then.)
 */
#ifndef NC_ATOMIC_H
#define NC_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/* What the temporary's name adds to the path (then six random letters). */
#define NC_ATOMIC_TMP ".atomic-"

/* How to write (nc_atomic_write; NULL: mode 0644, synced, our owner). */
struct nc_atomic_opts {
	mode_t mode;		/* the new file's permission bits */
	int chown;		/* give it uid:gid (a failure counts only when
				 * we are root) */
	uid_t uid;		/* its owner, with chown */
	gid_t gid;		/* its group, with chown */
	int nosync;		/* no fsync: still atomic, not yet durable (a
				 * thousand small files would cost two fsyncs
				 * each) */
};

/*
 * Make path hold the len bytes of data, atomically (above).  0, or -errno
 * with "PATH: what failed: reason" in why (why may be NULL).
 */
int nc_atomic_write(const char *path, const void *data, size_t len,
    const struct nc_atomic_opts *o, char *why, size_t whylen);

/* fsync the directory that holds path (so a rename in it lasts); 0 or
 * -errno. */
int nc_fsync_dir(const char *path);

#endif
