/*
 * nc9pfs.c: a FUSE filesystem on the 9P2000.L client: a diod export
 * (the users' home directories) mounted where the kernel has no 9p.
 *
 *   nc9pfs HOST:PORT:ANAME MOUNTPOINT [-o uid=N,gid=N] [FUSE options]
 *
 * Path-based (libfuse's high-level API): each operation walks from the
 * attach root to its path, so nothing is cached here; open files keep their
 * fid.  libfuse's threads share the one connection; a read or write of up
 * to 1 MiB goes out as msize-sized 9P requests all in flight at once.  A dropped server turns every operation into EIO, never a hang (the
 * client's reply timeout bounds each call).
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p9.h"

#define NC9PFS_IO_MAX (1u << 20)	/* bytes a FUSE read or write may carry */

/* Mount options. */
struct options {
	char *spec;		/* HOST:PORT:ANAME */
	unsigned uid;		/* attach as this uid (default 0) */
	unsigned gid;		/* and create files with this gid */
	int timeout;		/* reply timeout in ms */
	int help;		/* -h */
};

static struct p9_client *cl;	/* the connection */

/* An open file (fi->fh). */
struct handle {
	p9_fid fid;		/* the open fid */
	int written;		/* written since the last flush */
};

static struct handle *
handle_new(p9_fid fid)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (h != NULL)
		h->fid = fid;
	return h;
}

#define FID(fi) (((struct handle *)(uintptr_t)(fi)->fh)->fid)
static struct options opt = { .timeout = 10000 };

/* Errors of a dead connection become EIO for the callers. */
static int
err9(int rc)
{
	if (rc == -ECONNRESET || rc == -ENOTCONN || rc == -ETIMEDOUT ||
	    rc == -EPROTO || rc == -EPIPE)
		return -EIO;
	return rc;
}

/* The path without its leading '/', "" for the root. */
static const char *
rel(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

static int
walk(const char *path, p9_fid *fid)
{
	return err9(p9_walk(cl, p9_root(cl), rel(path), fid));
}

/* Split path into its parent's fid and the last name. */
static int
walk_parent(const char *path, p9_fid *dir, const char **name)
{
	const char *r = rel(path), *slash = strrchr(r, '/');
	char *parent;
	int rc;

	if (slash == NULL) {
		*name = r;
		return walk("", dir);
	}
	*name = slash + 1;
	parent = strndup(r, (size_t)(slash - r));
	if (parent == NULL)
		return -ENOMEM;
	rc = walk(parent, dir);
	free(parent);
	return rc;
}

static void
to_stat(const struct p9_stat *p, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = p->qpath;
	st->st_mode = p->mode;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
	st->st_nlink = p->nlink;
	st->st_rdev = p->rdev;
	st->st_size = (off_t)p->size;
	st->st_blksize = (blksize_t)p->blksize;
	st->st_blocks = (blkcnt_t)p->blocks;
	st->st_atim.tv_sec = p->atime_sec;
	st->st_atim.tv_nsec = p->atime_nsec;
	st->st_mtim.tv_sec = p->mtime_sec;
	st->st_mtim.tv_nsec = p->mtime_nsec;
	st->st_ctim.tv_sec = p->ctime_sec;
	st->st_ctim.tv_nsec = p->ctime_nsec;
}

static int
fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct p9_stat p;
	p9_fid fid;
	int rc;

	if (fi != NULL && fi->fh != 0) {
		rc = err9(p9_getattr(cl, FID(fi), &p));
	} else {
		if ((rc = walk(path, &fid)) < 0)
			return rc;
		rc = err9(p9_getattr(cl, fid, &p));
		p9_clunk(cl, fid);
	}
	if (rc == 0)
		to_stat(&p, st);
	return rc;
}

/* Collect entries into the FUSE filler. */
struct fill {
	void *buf;			/* FUSE's buffer */
	fuse_fill_dir_t filler;		/* FUSE's filler */
};

static int
fill_one(void *arg, const struct p9_dirent *d)
{
	struct fill *f = arg;

	if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
		return 0;
	return f->filler(f->buf, d->name, NULL, 0, 0) != 0;
}

static int
fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fill f = { buf, filler };
	uint64_t cookie = 0;
	p9_fid fid;
	int rc;

	(void)off;
	(void)fi;
	(void)flags;
	if ((rc = walk(path, &fid)) < 0)
		return rc;
	if ((rc = err9(p9_lopen(cl, fid, O_RDONLY | O_DIRECTORY, NULL))) < 0)
		goto out;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	while ((rc = err9(p9_readdir(cl, fid, &cookie, fill_one, &f))) > 0)
		;
out:
	p9_clunk(cl, fid);
	return rc < 0 ? rc : 0;
}

static int
fs_open(const char *path, struct fuse_file_info *fi)
{
	struct handle *h;
	p9_fid fid;
	int rc;

	if ((rc = walk(path, &fid)) < 0)
		return rc;
	if ((rc = err9(p9_lopen(cl, fid, fi->flags & ~(O_CREAT | O_EXCL |
	    O_NOCTTY), NULL))) < 0) {
		p9_clunk(cl, fid);
		return rc;
	}
	if ((h = handle_new(fid)) == NULL) {
		p9_clunk(cl, fid);
		return -ENOMEM;
	}
	fi->fh = (uintptr_t)h;
	return 0;
}

static int
fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct handle *h;
	const char *name;
	p9_fid dir;
	int rc;

	if ((rc = walk_parent(path, &dir, &name)) < 0)
		return rc;
	/* Tlcreate turns the directory fid into the new open file. */
	rc = err9(p9_lcreate(cl, dir, name, fi->flags & ~O_EXCL, mode,
	    opt.gid, NULL));
	if (rc < 0 || (h = handle_new(dir)) == NULL) {
		p9_clunk(cl, dir);
		return rc < 0 ? rc : -ENOMEM;
	}
	h->written = 1;		/* a new file: make it visible on close */
	fi->fh = (uintptr_t)h;
	return 0;
}

static int
fs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	n = p9_read(cl, FID(fi), (uint64_t)off, buf, size);
	return n < 0 ? err9((int)n) : (int)n;
}

static int
fs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	n = p9_write(cl, FID(fi), (uint64_t)off, buf, size);
	if (n > 0)
		((struct handle *)(uintptr_t)fi->fh)->written = 1;
	return n < 0 ? err9((int)n) : (int)n;
}

/*
 * close(2): what was written reaches the server's file before close
 * returns (FUSE's release, which clunks, comes later and asynchronously),
 * so a reader elsewhere sees it and the server's refusal (an ncfs value
 * that does not validate) comes back to the writer.
 */
static int
fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	if (!h->written)
		return 0;
	h->written = 0;
	return err9(p9_fsync(cl, h->fid));
}

static int
fs_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	p9_clunk(cl, h->fid);
	free(h);
	return 0;
}

static int
fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return err9(p9_fsync(cl, FID(fi)));
}

/* Operations on a name in its parent directory. */
static int
fs_mkdir(const char *path, mode_t mode)
{
	const char *name;
	p9_fid dir;
	int rc;

	if ((rc = walk_parent(path, &dir, &name)) < 0)
		return rc;
	rc = err9(p9_mkdir(cl, dir, name, mode, opt.gid));
	p9_clunk(cl, dir);
	return rc;
}

static int
remove_common(const char *path, int flags)
{
	const char *name;
	p9_fid dir;
	int rc;

	if ((rc = walk_parent(path, &dir, &name)) < 0)
		return rc;
	rc = err9(p9_unlinkat(cl, dir, name, flags));
	p9_clunk(cl, dir);
	return rc;
}

static int
fs_unlink(const char *path)
{
	return remove_common(path, 0);
}

static int
fs_rmdir(const char *path)
{
	return remove_common(path, 0x200);	/* AT_REMOVEDIR */
}

static int
fs_symlink(const char *target, const char *path)
{
	const char *name;
	p9_fid dir;
	int rc;

	if ((rc = walk_parent(path, &dir, &name)) < 0)
		return rc;
	rc = err9(p9_symlink(cl, dir, name, target, opt.gid));
	p9_clunk(cl, dir);
	return rc;
}

static int
fs_readlink(const char *path, char *buf, size_t size)
{
	p9_fid fid;
	int rc;

	if ((rc = walk(path, &fid)) < 0)
		return rc;
	rc = err9(p9_readlink(cl, fid, buf, size));
	p9_clunk(cl, fid);
	return rc;
}

static int
fs_rename(const char *from, const char *to, unsigned int flags)
{
	const char *oname, *nname;
	p9_fid odir, ndir;
	int rc;

	if (flags != 0)
		return -EINVAL;
	if ((rc = walk_parent(from, &odir, &oname)) < 0)
		return rc;
	if ((rc = walk_parent(to, &ndir, &nname)) < 0) {
		p9_clunk(cl, odir);
		return rc;
	}
	rc = err9(p9_renameat(cl, odir, oname, ndir, nname));
	p9_clunk(cl, odir);
	p9_clunk(cl, ndir);
	return rc;
}

/* setattr on path (or the open fid). */
static int
setattr(const char *path, struct fuse_file_info *fi, uint32_t valid,
    const struct p9_stat *st)
{
	p9_fid fid;
	int rc;

	if (fi != NULL && fi->fh != 0)
		return err9(p9_setattr(cl, FID(fi), valid, st));
	if ((rc = walk(path, &fid)) < 0)
		return rc;
	rc = err9(p9_setattr(cl, fid, valid, st));
	p9_clunk(cl, fid);
	return rc;
}

static int
fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct p9_stat st = { .mode = mode };

	return setattr(path, fi, P9_SETATTR_MODE, &st);
}

static int
fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct p9_stat st = { .uid = uid, .gid = gid };
	uint32_t valid = 0;

	if (uid != (uid_t)-1)
		valid |= P9_SETATTR_UID;
	if (gid != (gid_t)-1)
		valid |= P9_SETATTR_GID;
	return valid ? setattr(path, fi, valid, &st) : 0;
}

static int
fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct p9_stat st = { .size = (uint64_t)size };

	return setattr(path, fi, P9_SETATTR_SIZE, &st);
}

static int
fs_utimens(const char *path, const struct timespec tv[2],
    struct fuse_file_info *fi)
{
	struct p9_stat st = { 0 };
	uint32_t valid = P9_SETATTR_ATIME | P9_SETATTR_MTIME;

	if (tv[0].tv_nsec != UTIME_NOW) {
		valid |= P9_SETATTR_ATIME_SET;
		st.atime_sec = tv[0].tv_sec;
		st.atime_nsec = (uint32_t)tv[0].tv_nsec;
	}
	if (tv[1].tv_nsec != UTIME_NOW) {
		valid |= P9_SETATTR_MTIME_SET;
		st.mtime_sec = tv[1].tv_sec;
		st.mtime_nsec = (uint32_t)tv[1].tv_nsec;
	}
	if (tv[0].tv_nsec == UTIME_OMIT)
		valid &= ~(uint32_t)(P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET);
	if (tv[1].tv_nsec == UTIME_OMIT)
		valid &= ~(uint32_t)(P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET);
	return setattr(path, fi, valid, &st);
}

static void *
fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/*
	 * Large transfers: the kernel sends up to NC9PFS_IO_MAX bytes a
	 * request (libfuse asks for the pages), and p9_read and p9_write
	 * send their msize-sized chunks together, so one FUSE request is one
	 * exchange of many 9P requests in flight.
	 */
	conn->max_write = NC9PFS_IO_MAX;
	conn->max_readahead = NC9PFS_IO_MAX;
	cfg->use_ino = 1;	/* the server's inode numbers */
	cfg->nullpath_ok = 0;	/* every operation walks its path */
	cfg->entry_timeout = 1;
	cfg->attr_timeout = 1;
	return NULL;
}

static const struct fuse_operations ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.create = fs_create,
	.read = fs_read,
	.write = fs_write,
	.flush = fs_flush,
	.release = fs_release,
	.fsync = fs_fsync,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_rmdir,
	.symlink = fs_symlink,
	.readlink = fs_readlink,
	.rename = fs_rename,
	.chmod = fs_chmod,
	.chown = fs_chown,
	.truncate = fs_truncate,
	.utimens = fs_utimens,
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt optspec[] = {
	OPT("uid=%u", uid),
	OPT("gid=%u", gid),
	OPT("timeout=%d", timeout),
	OPT("-h", help),
	OPT("--help", help),
	FUSE_OPT_END
};

static int
opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	if (key == FUSE_OPT_KEY_NONOPT && o->spec == NULL) {
		o->spec = strdup(arg);
		return 0;
	}
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: nc9pfs HOST:PORT:ANAME MOUNTPOINT [-f] [-o uid=N,gid=N,timeout=MS]\n"
"\n"
"Mount a diod export over 9P2000.L where the kernel has no 9p.\n"
"  -o uid=N      attach as uid N (default 0)\n"
"  -o gid=N      group of the files and directories made (default 0)\n"
"  -o timeout=MS reply timeout (default 10000): a dead server gives EIO\n"
"  and the FUSE options (-f foreground, -o allow_other, ...)\n");
}

int
main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct p9_opts po = { 0 };
	char err[256] = "", *hostport, *aname;
	int rc;

	if (fuse_opt_parse(&args, &opt, optspec, opt_proc) != 0)
		return 2;
	if (opt.help) {
		usage(stdout);
		return 0;
	}
	if (opt.spec == NULL || (aname = strrchr(opt.spec, ':')) == NULL ||
	    aname == opt.spec || aname[1] != '/') {
		usage(stderr);
		return 2;
	}
	hostport = strndup(opt.spec, (size_t)(aname - opt.spec));
	aname++;
	po.reply_ms = opt.timeout > 0 ? opt.timeout : 10000;
	po.connect_ms = po.reply_ms;
	po.n_uname = opt.uid;
	if ((rc = p9_connect(hostport, aname, &po, &cl, err,
	    sizeof(err))) < 0) {
		fprintf(stderr, "nc9pfs: %s\n", err[0] ? err : strerror(-rc));
		free(hostport);
		return 1;
	}
	free(hostport);
	fuse_opt_add_arg(&args, "-osubtype=nc9pfs");
	rc = fuse_main(args.argc, args.argv, &ops, NULL);
	p9_close(cl);
	fuse_opt_free_args(&args);
	free(opt.spec);
	return rc;
}
