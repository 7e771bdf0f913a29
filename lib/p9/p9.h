/*
 * p9.h: a small 9P2000.L client (the protocol diod speaks), used by ncprov
 * to read a node's subtree and by nc9pfs to mount a diod export.
 *
 * One connection per struct p9_client; calls may come from several threads
 * (they are serialized, one exchange at a time).  An exchange may carry
 * many requests at once (pipelined, each under its own tag): p9_read and
 * p9_write send a large transfer's chunks together, and p9_fetch reads
 * many files and directories in a few exchanges whatever their number.  Every call returns 0 (or a count) on success and
 * a negative errno on failure: the server's Rlerror code as is, -ETIMEDOUT
 * when a reply does not come within the reply timeout, -ECONNRESET or -EIO
 * when the connection dropped or the reply was malformed (after which the
 * client is dead: every later call fails fast with -ENOTCONN).
 */
#ifndef P9_H
#define P9_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define P9_NOFID 0xffffffffu

typedef uint32_t p9_fid;

struct p9_opts {
	int connect_ms;		/* connect timeout (default 5000) */
	int reply_ms;		/* per-reply timeout (default 10000) */
	uint32_t msize;		/* msize to propose (default 65536 + 24) */
	const char *uname;	/* user name to attach as (default "root") */
	uint32_t n_uname;	/* numeric uid to attach as (default 0) */
};

/* A file's attributes (Rgetattr, the fields we use). */
struct p9_stat {
	uint8_t qtype;		/* qid type: 0x80 dir, 0x02 symlink, 0 file */
	uint64_t qpath;		/* qid path: the server's inode identity */
	uint32_t mode;		/* st_mode, type bits included */
	uint32_t uid, gid;	/* owner */
	uint64_t nlink;		/* links */
	uint64_t rdev;		/* device */
	uint64_t size;		/* bytes */
	uint64_t blksize, blocks; /* block size, 512-byte blocks */
	int64_t atime_sec, mtime_sec, ctime_sec; /* times */
	uint32_t atime_nsec, mtime_nsec, ctime_nsec;
};

/* One directory entry (Rreaddir). */
struct p9_dirent {
	const char *name;	/* entry name (valid during the callback) */
	uint8_t qtype;		/* qid type */
	uint64_t qpath;		/* qid path */
	uint8_t type;		/* DT_* */
	uint64_t offset;	/* cookie to continue after this entry */
};

struct p9_client;

/*
 * Connect to "host:port" (IPv4, a name, or "[v6]:port"), negotiate the
 * version and msize, and attach to aname.  On failure returns -errno and,
 * when err is not NULL, a message ("connect 10.0.0.1:564: Connection
 * refused") in err.  The root of the attach is fid 0 (p9_root()).
 */
int p9_connect(const char *hostport, const char *aname,
    const struct p9_opts *o, struct p9_client **cp, char *err, size_t errlen);
void p9_close(struct p9_client *c);
/* 1 once the connection is unusable (lost, timed out, cut). */
int p9_dead(const struct p9_client *c);
/* The attached root's fid. */
p9_fid p9_root(const struct p9_client *c);
/* The negotiated msize. */
uint32_t p9_msize(const struct p9_client *c);
/* Requests sent so far. */
uint64_t p9_round_trips(const struct p9_client *c);
/* Exchanges made so far: a request and its reply, or one pipelined batch
 * (the times the client waited on the network, at most). */
uint64_t p9_exchanges(const struct p9_client *c);

/* Walk from fid along path ("a/b/c", "" for a clone) to a new fid. */
int p9_walk(struct p9_client *c, p9_fid from, const char *path, p9_fid *nfid);
int p9_clunk(struct p9_client *c, p9_fid fid);
int p9_getattr(struct p9_client *c, p9_fid fid, struct p9_stat *st);
/* Set attributes: valid is a mask of P9_SETATTR_* (the Linux iattr bits). */
#define P9_SETATTR_MODE 0x1
#define P9_SETATTR_UID 0x2
#define P9_SETATTR_GID 0x4
#define P9_SETATTR_SIZE 0x8
#define P9_SETATTR_ATIME 0x10
#define P9_SETATTR_MTIME 0x20
#define P9_SETATTR_CTIME 0x40
#define P9_SETATTR_ATIME_SET 0x80
#define P9_SETATTR_MTIME_SET 0x100
int p9_setattr(struct p9_client *c, p9_fid fid, uint32_t valid,
    const struct p9_stat *st);
/* Open fid (flags: Linux O_* flags); *iounit may be NULL. */
int p9_lopen(struct p9_client *c, p9_fid fid, int flags, uint32_t *iounit);
/* Create name in directory fid, which becomes the open new file. */
int p9_lcreate(struct p9_client *c, p9_fid dirfid, const char *name,
    int flags, uint32_t mode, uint32_t gid, uint32_t *iounit);
/* Read/write up to n bytes at off (split by msize as needed). */
ssize_t p9_read(struct p9_client *c, p9_fid fid, uint64_t off, void *buf,
    size_t n);
ssize_t p9_write(struct p9_client *c, p9_fid fid, uint64_t off,
    const void *buf, size_t n);
/*
 * Read entries of an open directory from *off; fn is called per entry
 * (nonzero stops).  *off advances; returns the number of entries seen,
 * 0 at the end.
 */
int p9_readdir(struct p9_client *c, p9_fid fid, uint64_t *off,
    int (*fn)(void *arg, const struct p9_dirent *d), void *arg);
int p9_mkdir(struct p9_client *c, p9_fid dirfid, const char *name,
    uint32_t mode, uint32_t gid);
int p9_symlink(struct p9_client *c, p9_fid dirfid, const char *name,
    const char *target, uint32_t gid);
/* Read a symlink's target into buf (NUL-terminated). */
int p9_readlink(struct p9_client *c, p9_fid fid, char *buf, size_t len);
int p9_unlinkat(struct p9_client *c, p9_fid dirfid, const char *name,
    int flags);
int p9_renameat(struct p9_client *c, p9_fid olddir, const char *oldname,
    p9_fid newdir, const char *newname);
int p9_fsync(struct p9_client *c, p9_fid fid);

/* Conveniences on paths relative to the root (p9_fetch.c). */

/* One file to read or directory to list, of a p9_fetch batch. */
struct p9_fetch {
	const char *path;	/* in: relative to the root ("a/b") */
	int dir;		/* in: 1 to list a directory, 0 to read a file */
	int rc;			/* out: 0 or -errno (-ENOENT, -ENOTDIR,
				 * -EFBIG past max, the server's error) */
	char *data;		/* out: malloc'd and NUL-terminated (NULL
				 * on error); a file's bytes, or a
				 * directory's names without . and .., each
				 * ended by a NUL, a directory's with '/'
				 * before it */
	size_t len;		/* out: bytes of data (the NULs counted) */
};
/*
 * Read the n files and directories of v at once: every step (walk, open,
 * read, clunk) of every entry is sent together, so the batch takes about
 * four exchanges whatever n is (a file larger than two messages, a long
 * directory or a path of more than 16 names take a few more).  max bounds
 * each entry's data (0: no bound).  Each entry gets its own result;
 * returns 0, or the transport error when the connection was lost (every
 * entry not done then has it).  Free with p9_fetch_free.
 */
int p9_fetch(struct p9_client *c, struct p9_fetch *v, size_t n, size_t max);
void p9_fetch_free(struct p9_fetch *v, size_t n);
/* Read a whole file into *data (malloc'd, NUL-terminated), *len bytes. */
int p9_read_file(struct p9_client *c, const char *path, char **data,
    size_t *len);
/* Replace a file's contents (lopen O_WRONLY|O_TRUNC, write, clunk). */
int p9_write_file(struct p9_client *c, const char *path, const void *data,
    size_t len);
/* List a directory's names (without . and ..) into a malloc'd array of
 * malloc'd strings. */
int p9_list(struct p9_client *c, const char *path, char ***names,
    size_t *n);

/* Message codec (p9_msg.c), exposed for the fuzz harness and tests. */
/*
 * Check that buf[0..len) is one well-formed reply message of the
 * 9P2000.L type it claims (size field, type, tag, every field within
 * bounds, strings within the message).  Returns 0 or -EPROTO.
 */
int p9_msg_check(const unsigned char *buf, size_t len);

#endif
