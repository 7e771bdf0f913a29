/*
 * files.h: local files as provisioning steps change them: every path under
 * --root, atomic replacement (lib/atomic.h) only when the contents change,
 * and under --dry-run a diff instead of a write.
 */
#ifndef NCP_FILES_H
#define NCP_FILES_H

#include <sys/types.h>

#include "buf.h"
#include "ncprov.h"

/* root + abs, malloc'd ("/etc/hosts" under --root /tmp/r: /tmp/r/etc/hosts). */
char *ncp_path(const struct ncprov *p, const char *abs);
/* Read the local file abs (under root) into out; *exists tells whether it
 * was there (a missing file reads as empty).  0 or -errno. */
int ncp_read_local(const struct ncprov *p, const char *abs,
    struct nc_buf *out, int *exists);
/*
 * Make the local file abs hold data.  Unchanged contents: nothing happens
 * (returns 0).  Otherwise, unless --dry-run, replace it with
 * nc_atomic_write (atomic.h: a unique temporary beside it, fsync, rename,
 * fsync the directory) with mode/uid/gid (a file that exists keeps its own
 * mode and owner); under --dry-run print a diff.
 * Returns 1 when it changed (or would), or -errno.
 */
int ncp_replace(struct ncprov *p, const char *abs, const char *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid);
/* ncp_replace with flags: NCP_NOSYNC skips the fsyncs (still atomic, not
 * yet durable: for per-user files, a thousand of which would otherwise
 * cost two fsyncs each). */
#define NCP_NOSYNC 1
int ncp_replace_flags(struct ncprov *p, const char *abs, const char *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid, int flags);
/* Take away the permission bits of abs outside allowed (a shadow file a
 * template left world-readable).  1 when it changed, 0, or -errno. */
int ncp_restrict_mode(struct ncprov *p, const char *abs, mode_t allowed);
/* Say what a step changed ("hosts: /etc/hosts: 8 lines") and count it. */
void ncp_report(struct ncprov *p, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* mkdir -p of abs under root with mode for the directories made. */
int ncp_mkdirs(struct ncprov *p, const char *abs, mode_t mode);

#endif
