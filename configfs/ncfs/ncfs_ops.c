/*
 * ncfs_ops.c: the FUSE low-level operations of ncfs.
 *
 * Reads render a file once per open into the open file's snapshot; the
 * kernel caches entries, attributes and pages with long timeouts and the
 * watcher (ncfs_watch.c) invalidates them when the database changes.
 * Writes collect the new value in the open file and commit it on flush
 * (or release) through the field's validating setter in one transaction.
 * A write(2) whose data ends in a newline is checked at once (and refused
 * with EINVAL when invalid), so `echo bad > file` fails visibly.  Editors
 * that write a temporary file and rename it over the value are supported
 * by scratch files, kept in memory until renamed or removed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ncfs_fs.h"
#include "ncfs_inode.h"
#include "ncfs_log.h"
#include "ncfs_tree.h"
#include "util.h"

#define LOCK() pthread_mutex_lock(&ncfs_inode_lock)
#define UNLOCK() pthread_mutex_unlock(&ncfs_inode_lock)

/* An open file or directory (fi->fh). */
struct handle {
	uint64_t ino;		/* the inode */
	struct ncfs_ref ref;	/* what it names (copy) */
	struct nc_buf data;	/* file: snapshot or new value; dir: unused */
	int writing;		/* opened for writing */
	int dirty;		/* data holds an uncommitted value */
	int trunc_only;		/* dirty only by O_TRUNC: commit on release */
	int failed;		/* a refused write's -errno: commit nothing */
	int scratch;		/* a scratch file: data goes to the inode */
	/* directories: the listing taken at opendir */
	char **names;		/* entry names */
	struct ncfs_ref *refs;	/* their references */
	size_t n, cap;		/* entries */
	int listed;		/* names and refs hold the listing */
};

/* May the caller of req change the tree?  0 or -errno. */
static int
may_write(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t groups[64];
	int n, i;

	if (ncfs.readonly)
		return -EROFS;
	if (ctx->uid == 0)
		return 0;
	if (ncfs.admin_gid < 0)
		return -EACCES;
	if (ctx->gid == (gid_t)ncfs.admin_gid)
		return 0;
	n = fuse_req_getgroups(req, (int)(sizeof(groups) / sizeof(groups[0])),
	    groups);
	for (i = 0; i < n && i < (int)(sizeof(groups) / sizeof(groups[0]));
	    i++)
		if (groups[i] == (gid_t)ncfs.admin_gid)
			return 0;
	return -EACCES;
}

static struct ncfs_conn *
conn_or_fail(fuse_req_t req)
{
	struct ncfs_conn *c = ncfs_conn();

	if (c == NULL)
		fuse_reply_err(req, EIO);
	return c;
}

/*
 * Renders of the fields that are the same on every node, kept for the
 * epoch they were made in (a find over 10,000 nodes renders hosts once).
 */
struct memo {
	const struct ncfs_field *field;	/* the field */
	uint64_t epoch;			/* when it was rendered */
	struct ncfs_blob *blob;		/* what it rendered */
};
static struct memo memos[8];		/* one per shared field */

/* Render ref into out; 0 or -errno. */
static int
render(struct ncfs_conn *c, const struct ncfs_ref *ref, struct nc_buf *out)
{
	uint64_t epoch = ncfs_epoch();
	struct memo *m = NULL;
	size_t i;
	int rc;

	nc_buf_reset(out);
	if (ref->field == NULL)
		return 0;
	if (ref->field->shared) {
		LOCK();
		for (i = 0; i < sizeof(memos) / sizeof(memos[0]); i++)
			if (memos[i].field == ref->field ||
			    memos[i].field == NULL) {
				m = &memos[i];
				m->field = ref->field;
				break;
			}
		if (m != NULL && m->blob != NULL && m->epoch == epoch &&
		    ncfs_tree_exists(c, ref) == 1) {
			nc_buf_add(out, m->blob->data, m->blob->len);
			UNLOCK();
			return 0;
		}
		UNLOCK();
	}
	rc = ref->field->get(c, ref, out);
	if (rc < 0) {
		nc_buf_reset(out);
		return rc;
	}
	if (m != NULL) {
		LOCK();
		ncfs_blob_put(m->blob);
		m->blob = ncfs_blob_get(nc_buf_str(out), out->len);
		m->epoch = epoch;
		UNLOCK();
	}
	return rc;
}

/*
 * Fill st for the inode ino (rendering files to know their size).  Keeps
 * the render in the inode so a change of contents moves mtime.
 */
static int
inode_stat(struct ncfs_conn *c, uint64_t ino, struct stat *st)
{
	struct ncfs_inode *in;
	struct ncfs_ref ref;
	struct nc_buf data = { 0 };
	uint64_t epoch = ncfs_epoch();
	int rc = 0, scratch, fresh;

	memset(st, 0, sizeof(*st));
	LOCK();
	if ((in = ncfs_inode_get(ino)) == NULL) {
		UNLOCK();
		return -ENOENT;
	}
	scratch = in->scratch;
	fresh = in->rendered && in->epoch == epoch;
	ncfs_ref_copy(&ref, &in->ref);
	st->st_ino = ino;
	if (scratch) {
		st->st_mode = in->mode;
		st->st_size = (off_t)in->data.len;
	}
	UNLOCK();
	if (!scratch && !fresh) {
		if (ref.field != NULL)
			rc = render(c, &ref, &data);
		else
			rc = ncfs_tree_exists(c, &ref) == 1 ? 0 : -ENOENT;
	}
	LOCK();
	in = ncfs_inode_get(ino);
	if (in != NULL && !scratch && !fresh && rc == 0) {
		if (!in->rendered || !ncfs_blob_is(in->blob, nc_buf_str(&data),
		    data.len)) {
			if (in->rendered)
				clock_gettime(CLOCK_REALTIME, &in->mtime);
			ncfs_blob_put(in->blob);
			in->blob = ncfs_blob_get(nc_buf_str(&data), data.len);
		}
		in->rendered = 1;
		in->epoch = epoch;
	}
	if (in != NULL && rc == 0) {
		if (!scratch) {
			st->st_mode = ncfs_ref_mode(&ref);
			st->st_size = ref.field && in->blob ?
			    (off_t)in->blob->len : 0;
		}
		st->st_mtim = in->mtime;
		st->st_ctim = in->mtime;
		st->st_atim = in->mtime;
	}
	UNLOCK();
	if (rc == 0 && in == NULL)
		rc = -ENOENT;
	nc_buf_free(&data);
	ncfs_ref_free(&ref);
	if (rc < 0)
		return rc;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_uid = 0;
	st->st_gid = ncfs.admin_gid >= 0 ? (gid_t)ncfs.admin_gid : 0;
	if (ncfs.admin_gid >= 0 && (st->st_mode & 0200))
		st->st_mode |= 0020;	/* the admin group writes values */
	if (ncfs.readonly)
		st->st_mode &= ~(mode_t)0222;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	return 0;
}

static void
reply_entry(fuse_req_t req, struct ncfs_conn *c, uint64_t ino)
{
	struct fuse_entry_param e;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((rc = inode_stat(c, ino, &e.attr)) < 0) {
		LOCK();
		ncfs_inode_forget(ino, 1);
		UNLOCK();
		fuse_reply_err(req, -rc);
		return;
	}
	e.ino = ino;
	e.attr_timeout = ncfs.timeout;
	e.entry_timeout = ncfs.timeout;
	if (fuse_reply_entry(req, &e) != 0) {
		LOCK();
		ncfs_inode_forget(ino, 1);
		UNLOCK();
	}
}

/* Look name up in parent: a scratch file or a tree entry, one lookup more.
 * Returns the inode number or -errno. */
static int64_t
do_lookup(struct ncfs_conn *c, uint64_t parent, const char *name)
{
	struct ncfs_inode *pin, *in;
	struct ncfs_ref dir, child;
	uint64_t ino;
	int rc;

	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	LOCK();
	if ((in = ncfs_inode_find_scratch(parent, name)) != NULL) {
		in->nlookup++;
		UNLOCK();
		return (int64_t)in->ino;
	}
	if ((pin = ncfs_inode_get(parent)) == NULL || pin->scratch) {
		UNLOCK();
		return pin ? -ENOTDIR : -ENOENT;
	}
	ncfs_ref_copy(&dir, &pin->ref);
	UNLOCK();
	rc = ncfs_tree_lookup(c, &dir, name, &child);
	ncfs_ref_free(&dir);
	if (rc < 0)
		return rc;
	LOCK();
	ino = ncfs_inode_ref(&child, parent, name)->ino;
	UNLOCK();
	ncfs_ref_free(&child);
	return (int64_t)ino;
}

static void
op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ncfs_conn *c = conn_or_fail(req);
	int64_t ino;

	if (c == NULL)
		return;
	if ((ino = do_lookup(c, parent, name)) < 0) {
		if (ino == -ENOENT) {
			/* a negative entry, cached briefly */
			struct fuse_entry_param e;

			memset(&e, 0, sizeof(e));
			e.entry_timeout = 0;
			fuse_reply_entry(req, &e);
			return;
		}
		fuse_reply_err(req, (int)-ino);
		return;
	}
	reply_entry(req, c, (uint64_t)ino);
}

static void
op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	LOCK();
	ncfs_inode_forget(ino, nlookup);
	UNLOCK();
	fuse_reply_none(req);
}

static void
op_forget_multi(fuse_req_t req, size_t count,
    struct fuse_forget_data *forgets)
{
	size_t i;

	LOCK();
	for (i = 0; i < count; i++)
		ncfs_inode_forget(forgets[i].ino, forgets[i].nlookup);
	UNLOCK();
	fuse_reply_none(req);
}

static void
op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct stat st;
	int rc;

	(void)fi;
	if (c == NULL)
		return;
	if ((rc = inode_stat(c, ino, &st)) < 0)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, ncfs.timeout);
}

/* Log a refusal. */
static void
refused(const struct ncfs_ref *ref, const char *what, int rc,
    const struct nc_buf *why)
{
	struct nc_buf path = { 0 };

	ncfs_ref_path(ref, &path);
	ncfs_log("refused %s %s: %s", what, nc_buf_str(&path),
	    why->len ? nc_buf_str(why) : strerror(-rc));
	nc_buf_free(&path);
}

/*
 * Store data as the value of ref: checked (dry) or committed.  One
 * trailing newline is dropped; NUL bytes are refused.
 */
static int
store_value(struct ncfs_conn *c, const struct ncfs_ref *ref, const char *data,
    size_t len, int dry)
{
	struct nc_buf why = { 0 }, value = { 0 };
	int rc;

	if (ref->field == NULL || ref->field->set == NULL)
		return -EACCES;
	if (memchr(data, '\0', len) != NULL) {
		nc_buf_puts(&why, "binary data (a NUL byte)");
		rc = -EINVAL;
		goto out;
	}
	if (len > 0 && data[len - 1] == '\n')
		len--;
	nc_buf_add(&value, data, len);
	if ((rc = ncfs_begin(c)) < 0)
		goto out;
	rc = ref->field->set(c, ref, nc_buf_str(&value), &why);
	if (rc < 0 || dry)
		ncfs_rollback(c);
	else
		rc = ncfs_commit_ref(c, ref);
out:
	if (rc < 0)
		refused(ref, "write to", rc, &why);
	nc_buf_free(&why);
	nc_buf_free(&value);
	return rc;
}

/* Commit a handle's pending value; 0 or -errno. */
static int
handle_commit(struct ncfs_conn *c, struct handle *h, int release)
{
	int rc;

	if (h->failed)
		return h->failed;
	/*
	 * A shell's "> file" opens, dup2()s and closes the first descriptor
	 * before writing: that flush must not store an empty value.
	 */
	if (!h->dirty || h->scratch || (h->trunc_only && !release))
		return 0;
	h->dirty = 0;
	rc = store_value(c, &h->ref, nc_buf_str(&h->data), h->data.len, 0);
	if (rc == 0)
		ncfs_watch_value(h->ino, &h->ref);
	return rc;
}

static void
handle_free(struct handle *h)
{
	size_t i;

	ncfs_ref_free(&h->ref);
	nc_buf_free(&h->data);
	for (i = 0; i < h->n; i++) {
		free(h->names[i]);
		ncfs_ref_free(&h->refs[i]);
	}
	free(h->names);
	free(h->refs);
	free(h);
}

static void
op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	struct ncfs_inode *in;
	struct ncfs_ref ref;
	struct nc_buf cur = { 0 };
	struct stat st;
	int rc = 0, scratch;

	if (c == NULL)
		return;
	if ((to_set & (FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_MODE |
	    FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    (rc = may_write(req)) < 0)
		goto out;
	LOCK();
	if ((in = ncfs_inode_get(ino)) == NULL) {
		UNLOCK();
		rc = -ENOENT;
		goto out;
	}
	scratch = in->scratch;
	ncfs_ref_copy(&ref, &in->ref);
	if (scratch) {
		if (to_set & FUSE_SET_ATTR_MODE)
			in->mode = S_IFREG | (attr->st_mode & 07777);
		if ((to_set & FUSE_SET_ATTR_SIZE) &&
		    (size_t)attr->st_size <= in->data.len) {
			in->data.len = (size_t)attr->st_size;
			if (in->data.p != NULL)
				in->data.p[in->data.len] = '\0';
		} else if (to_set & FUSE_SET_ATTR_SIZE) {
			while (in->data.len < (size_t)attr->st_size)
				nc_buf_add(&in->data, "", 1);
		}
	}
	UNLOCK();
	if (!scratch) {
		if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
		    FUSE_SET_ATTR_GID))
			rc = -EPERM;
		else if ((to_set & FUSE_SET_ATTR_SIZE) && h != NULL &&
		    h->writing) {
			while (h->data.len < (size_t)attr->st_size)
				nc_buf_add(&h->data, "", 1);
			h->data.len = (size_t)attr->st_size;
			if (h->data.p != NULL)
				h->data.p[h->data.len] = '\0';
			h->dirty = 1;
			h->trunc_only = 0;
		} else if (to_set & FUSE_SET_ATTR_SIZE) {
			/* truncate(2) by path: the value cut to size */
			if ((rc = render(c, &ref, &cur)) == 0 &&
			    (size_t)attr->st_size <= cur.len &&
			    (rc = store_value(c, &ref, nc_buf_str(&cur),
			    (size_t)attr->st_size, 0)) == 0)
				ncfs_watch_value(ino, &ref);
			else if (rc == 0)
				rc = -EINVAL;
		}
	}
	ncfs_ref_free(&ref);
	nc_buf_free(&cur);
out:
	if (rc == 0 && (rc = inode_stat(c, ino, &st)) == 0) {
		if (h != NULL && h->writing && !scratch)
			st.st_size = (off_t)h->data.len;
		fuse_reply_attr(req, &st, ncfs.timeout);
		return;
	}
	fuse_reply_err(req, -rc);
}

/* Collect one directory entry into the handle. */
static int
collect(void *arg, const char *name, const struct ncfs_ref *child)
{
	struct handle *h = arg;
	size_t cap = h->cap;

	h->names = nc_grow(h->names, &cap, h->n, sizeof(*h->names));
	h->refs = nc_grow(h->refs, &h->cap, h->n, sizeof(*h->refs));
	h->names[h->n] = nc_strdup(name);
	ncfs_ref_copy(&h->refs[h->n], child);
	h->n++;
	return 0;
}

static void
collect_scratch(struct ncfs_inode *in, void *arg)
{
	struct handle *h = arg;

	if (in->scratch && in->parent == h->ino && in->name != NULL)
		collect(h, in->name, &in->ref);
}

static void
op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ncfs_inode *in;
	struct handle *h;

	h = nc_calloc(1, sizeof(*h));
	h->ino = ino;
	LOCK();
	if ((in = ncfs_inode_get(ino)) == NULL || in->scratch) {
		UNLOCK();
		free(h);
		fuse_reply_err(req, in ? ENOTDIR : ENOENT);
		return;
	}
	ncfs_ref_copy(&h->ref, &in->ref);
	UNLOCK();
	/*
	 * The listing is taken at the first readdir: a directory the kernel
	 * has cached is opened and closed without one.
	 */
	fi->fh = (uintptr_t)h;
	fi->keep_cache = 1;
	fi->cache_readdir = 1;
	if (fuse_reply_open(req, fi) != 0)
		handle_free(h);
}

/* Take the listing of a directory handle (once); 0 or -errno. */
static int
dir_listing(struct ncfs_conn *c, struct handle *h)
{
	int rc;

	if (h->listed)
		return 0;
	if ((rc = ncfs_tree_list(c, &h->ref, collect, h)) < 0)
		return rc;
	LOCK();
	if (ncfs_inode_nscratch() > 0)
		ncfs_inode_each(collect_scratch, h);
	UNLOCK();
	h->listed = 1;
	return 0;
}

static void
readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi, int plus)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	char *buf, *p;
	size_t rem = size, len;
	off_t i;
	int rc;

	if (c == NULL)
		return;
	if ((rc = dir_listing(c, h)) < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	buf = nc_malloc(size);
	p = buf;
	for (i = off; i < (off_t)h->n + 2; i++) {
		struct fuse_entry_param e;
		const char *name;

		memset(&e, 0, sizeof(e));
		if (i < 2) {
			name = i == 0 ? "." : "..";
			e.attr.st_ino = ino;
			e.attr.st_mode = S_IFDIR;
		} else {
			name = h->names[i - 2];
			if (plus) {
				int64_t cino = do_lookup(c, ino, name);

				if (cino < 0 ||
				    inode_stat(c, (uint64_t)cino, &e.attr)
				    < 0) {
					if (cino >= 0) {
						LOCK();
						ncfs_inode_forget(
						    (uint64_t)cino, 1);
						UNLOCK();
					}
					continue;	/* vanished */
				}
				e.ino = (uint64_t)cino;
				e.attr_timeout = ncfs.timeout;
				e.entry_timeout = ncfs.timeout;
			} else {
				e.attr.st_ino = ncfs_ref_hash(&h->refs[i - 2]);
				e.attr.st_mode = ncfs_ref_mode(&h->refs[i - 2]);
			}
		}
		if (plus)
			len = fuse_add_direntry_plus(req, p, rem, name, &e,
			    i + 1);
		else
			len = fuse_add_direntry(req, p, rem, name, &e.attr,
			    i + 1);
		if (len > rem) {
			if (plus && e.ino != 0) {
				LOCK();
				ncfs_inode_forget(e.ino, 1);
				UNLOCK();
			}
			break;
		}
		p += len;
		rem -= len;
	}
	fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

static void
op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, fi, 0);
}

static void
op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, fi, 1);
}

static void
op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	handle_free((struct handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* Open ino: a snapshot for reading, a buffer for writing. */
static int
open_handle(fuse_req_t req, struct ncfs_conn *c, fuse_ino_t ino,
    struct fuse_file_info *fi, struct handle **hp)
{
	int acc = fi->flags & O_ACCMODE, rc;
	struct ncfs_inode *in;
	struct handle *h;

	h = nc_calloc(1, sizeof(*h));
	h->ino = ino;
	h->writing = acc != O_RDONLY;
	LOCK();
	if ((in = ncfs_inode_get(ino)) == NULL) {
		UNLOCK();
		free(h);
		return -ENOENT;
	}
	h->scratch = in->scratch;
	ncfs_ref_copy(&h->ref, &in->ref);
	UNLOCK();
	if (h->writing && (rc = may_write(req)) < 0)
		goto fail;
	if (!h->scratch && h->ref.field == NULL) {
		rc = -EISDIR;
		goto fail;
	}
	if (h->writing && !h->scratch && h->ref.field->set == NULL) {
		rc = -EACCES;
		goto fail;
	}
	if (!h->scratch && !h->writing) {
		/* The inode keeps the last render of this epoch: reuse it. */
		struct stat st;

		if ((rc = inode_stat(c, ino, &st)) < 0)
			goto fail;
		LOCK();
		if ((in = ncfs_inode_get(ino)) != NULL && in->blob != NULL)
			nc_buf_add(&h->data, in->blob->data, in->blob->len);
		UNLOCK();
	} else if (!h->scratch && !(fi->flags & O_TRUNC) &&
	    (rc = render(c, &h->ref, &h->data)) < 0) {
		goto fail;
	}
	if (h->scratch && h->writing && (fi->flags & O_TRUNC)) {
		LOCK();
		if ((in = ncfs_inode_get(ino)) != NULL)
			nc_buf_reset(&in->data);
		UNLOCK();
	}
	if (h->writing && (fi->flags & O_TRUNC) && !h->scratch)
		h->dirty = h->trunc_only = 1;	/* emptied: see release */
	*hp = h;
	return 0;
fail:
	handle_free(h);
	return rc;
}

static void
op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h;
	int rc;

	if (c == NULL)
		return;
	if ((rc = open_handle(req, c, ino, fi, &h)) < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uintptr_t)h;
	/*
	 * Values can change under a reader (a writer's O_TRUNC empties the
	 * kernel's copy at once): they are read and written directly, each
	 * open seeing one whole value.  Rendered files change only through
	 * commits, which invalidate them: those the kernel caches.
	 */
	fi->direct_io = h->scratch || h->ref.field->set != NULL ||
	    h->ref.field->id == NCT_NODE_BUNDLE; /* one render per open */
	fi->keep_cache = !fi->direct_io;
	fi->noflush = !h->writing;	/* a reader's close needs no request */
	if (fuse_reply_open(req, fi) != 0)
		handle_free(h);
}

static void
op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	struct ncfs_inode *in;
	char *copy = NULL;
	size_t len = 0;

	if (h->scratch) {
		LOCK();
		if ((in = ncfs_inode_get(ino)) != NULL &&
		    (size_t)off < in->data.len) {
			len = in->data.len - (size_t)off;
			if (len > size)
				len = size;
			copy = nc_malloc(len);
			memcpy(copy, in->data.p + off, len);
		}
		UNLOCK();
		fuse_reply_buf(req, copy, len);
		free(copy);
		return;
	}
	if ((size_t)off >= h->data.len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	len = h->data.len - (size_t)off;
	fuse_reply_buf(req, h->data.p + off, len < size ? len : size);
}

/* Put data at off in b, zero-filling a gap. */
static void
buf_write(struct nc_buf *b, const char *data, size_t size, off_t off)
{
	while (b->len < (size_t)off)
		nc_buf_add(b, "", 1);
	if ((size_t)off + size > b->len) {
		size_t keep = (size_t)off;

		b->len = keep;
		nc_buf_add(b, data, size);
	} else {
		memcpy(b->p + off, data, size);
	}
}

static void
op_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size,
    off_t off, struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	struct ncfs_inode *in;
	size_t oldlen;
	char *old;
	int rc;

	if (c == NULL)
		return;
	if ((size_t)off + size > (1u << 20)) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	if (h->scratch) {
		LOCK();
		if ((in = ncfs_inode_get(ino)) != NULL)
			buf_write(&in->data, data, size, off);
		UNLOCK();
		fuse_reply_write(req, size);
		return;
	}
	oldlen = h->data.len;
	old = nc_malloc(oldlen + 1);
	memcpy(old, nc_buf_str(&h->data), oldlen);
	buf_write(&h->data, data, size, off);
	/* A complete line: check it now so the writer sees EINVAL. */
	if (h->data.len > 0 && h->data.p[h->data.len - 1] == '\n' &&
	    (rc = store_value(c, &h->ref, h->data.p, h->data.len, 1)) < 0) {
		h->failed = rc;
		nc_buf_reset(&h->data);
		nc_buf_add(&h->data, old, oldlen);
		free(old);
		fuse_reply_err(req, -rc);
		return;
	}
	free(old);
	h->dirty = 1;
	h->trunc_only = 0;
	fuse_reply_write(req, size);
}

static void
op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int rc;

	(void)ino;
	if (c == NULL)
		return;
	rc = handle_commit(c, h, 0);
	fuse_reply_err(req, -rc);
}

static void
op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ncfs_conn *c = ncfs_conn();
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)ino;
	if (c != NULL)
		handle_commit(c, h, 1);
	handle_free(h);
	fuse_reply_err(req, 0);
}

static void
op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)ino;
	(void)datasync;
	if (c == NULL)
		return;
	fuse_reply_err(req, -handle_commit(c, h, 0));
}

/* The directory reference of inode parent (a copy), or -errno. */
static int
dir_ref(uint64_t parent, struct ncfs_ref *out)
{
	struct ncfs_inode *pin;

	LOCK();
	pin = ncfs_inode_get(parent);
	if (pin == NULL || pin->scratch || pin->ref.field != NULL) {
		UNLOCK();
		return pin ? -ENOTDIR : -ENOENT;
	}
	ncfs_ref_copy(out, &pin->ref);
	UNLOCK();
	return 0;
}

/* Add or remove a record (mkdir, rmdir, create and unlink of an attribute).
 */
static int
change_record(struct ncfs_conn *c, const struct ncfs_ref *r, int add,
    uint64_t parent)
{
	struct nc_buf why = { 0 };
	int rc;

	if ((rc = ncfs_begin(c)) < 0)
		return rc;
	rc = add ? ncfs_record_add(c, r, &why) : ncfs_record_remove(c, r,
	    &why);
	if (rc < 0)
		ncfs_rollback(c);
	else
		rc = ncfs_commit_ref(c, r);
	if (rc < 0)
		refused(r, add ? "adding" : "removing", rc, &why);
	else
		ncfs_watch_changed(0, parent);
	nc_buf_free(&why);
	return rc;
}

/* The record a new name in dir makes: users/<u>, groups/<g>,
 * attributes/<k>.  -EPERM elsewhere. */
static int
record_ref(const struct ncfs_ref *dir, const char *name, int isdir,
    struct ncfs_ref *r)
{
	memset(r, 0, sizeof(*r));
	if (isdir && (dir->dir == NCT_D_USERS || dir->dir == NCT_D_GROUPS)) {
		r->dir = dir->dir == NCT_D_USERS ? NCT_D_USER :
		    NCT_D_GROUP;
		r->k[0] = nc_strdup(name);
		return 0;
	}
	if (!isdir && dir->dir == NCT_D_ATTRS) {
		r->dir = NCT_D_ATTRS;
		r->field = &ncfs_attr_field;
		r->k[0] = nc_strdup(dir->k[0]);
		r->k[1] = nc_strdup(name);
		return 0;
	}
	return -EPERM;
}

static void
op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct ncfs_ref dir, r;
	int64_t ino;
	int rc;

	(void)mode;
	if (c == NULL)
		return;
	if ((rc = may_write(req)) < 0 || (rc = dir_ref(parent, &dir)) < 0)
		goto fail;
	rc = record_ref(&dir, name, 1, &r);
	ncfs_ref_free(&dir);
	if (rc == 0) {
		rc = change_record(c, &r, 1, parent);
		ncfs_ref_free(&r);
	}
	if (rc < 0)
		goto fail;
	if ((ino = do_lookup(c, parent, name)) < 0) {
		rc = (int)ino;
		goto fail;
	}
	reply_entry(req, c, (uint64_t)ino);
	return;
fail:
	fuse_reply_err(req, -rc);
}

static void
remove_common(fuse_req_t req, fuse_ino_t parent, const char *name, int isdir)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct ncfs_inode *in;
	struct ncfs_ref dir, r;
	int rc;

	if (c == NULL)
		return;
	if ((rc = may_write(req)) < 0)
		goto out;
	if (!isdir) {
		LOCK();
		if ((in = ncfs_inode_find_scratch(parent, name)) != NULL) {
			free(in->name);
			in->name = NULL;
			ncfs_inode_forget(in->ino, 0);
			UNLOCK();
			goto out;
		}
		UNLOCK();
	}
	if ((rc = dir_ref(parent, &dir)) < 0)
		goto out;
	rc = record_ref(&dir, name, isdir, &r);
	ncfs_ref_free(&dir);
	if (rc < 0)
		goto out;
	rc = change_record(c, &r, 0, parent);
	ncfs_ref_free(&r);
out:
	fuse_reply_err(req, -rc);
}

static void
op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_common(req, parent, name, 1);
}

static void
op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_common(req, parent, name, 0);
}

static void
op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct fuse_entry_param e;
	struct ncfs_inode *in;
	struct ncfs_ref dir, r;
	struct handle *h;
	int64_t ino;
	int rc;

	if (c == NULL)
		return;
	if ((rc = may_write(req)) < 0 || (rc = dir_ref(parent, &dir)) < 0)
		goto fail;
	if (strlen(name) > 255) {
		ncfs_ref_free(&dir);
		rc = -ENAMETOOLONG;
		goto fail;
	}
	if (dir.dir == NCT_D_ATTRS) {
		/* a new attribute */
		rc = record_ref(&dir, name, 0, &r);
		ncfs_ref_free(&dir);
		if (rc == 0) {
			rc = change_record(c, &r, 1, parent);
			ncfs_ref_free(&r);
		}
		if (rc < 0 || (ino = do_lookup(c, parent, name)) < 0) {
			rc = rc < 0 ? rc : -EIO;
			goto fail;
		}
	} else if (nct_has_files(dir.dir)) {
		/* an editor's temporary file beside the values */
		LOCK();
		in = ncfs_inode_scratch(&dir, parent, name, mode);
		ino = (int64_t)in->ino;
		UNLOCK();
		ncfs_ref_free(&dir);
	} else {
		ncfs_ref_free(&dir);
		rc = -EPERM;
		goto fail;
	}
	memset(&e, 0, sizeof(e));
	if ((rc = open_handle(req, c, (uint64_t)ino, fi, &h)) < 0 ||
	    (rc = inode_stat(c, (uint64_t)ino, &e.attr)) < 0) {
		LOCK();
		ncfs_inode_forget((uint64_t)ino, 1);
		UNLOCK();
		goto fail;
	}
	e.ino = (uint64_t)ino;
	e.attr_timeout = ncfs.timeout;
	e.entry_timeout = ncfs.timeout;
	fi->fh = (uintptr_t)h;
	fi->direct_io = h->scratch;
	if (fuse_reply_create(req, &e, fi) != 0)
		handle_free(h);
	return;
fail:
	fuse_reply_err(req, -rc);
}

/*
 * rename: only a scratch file over a value of the same directory (how
 * editors save).  The value is committed; the scratch inode then stands
 * for the value, since the kernel now knows it under that name.
 */
static void
op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
    fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct ncfs_conn *c = conn_or_fail(req);
	struct ncfs_inode *in;
	struct ncfs_ref dir, target;
	struct nc_buf data = { 0 };
	uint64_t sino;
	int rc;

	if (c == NULL)
		return;
	if ((rc = may_write(req)) < 0)
		goto out;
	if (flags != 0 || parent != newparent) {
		rc = flags ? -EINVAL : -EPERM;
		goto out;
	}
	LOCK();
	if ((in = ncfs_inode_find_scratch(parent, name)) == NULL) {
		UNLOCK();
		rc = -EPERM;	/* mv renames nothing */
		goto out;
	}
	sino = in->ino;
	nc_buf_add(&data, nc_buf_str(&in->data), in->data.len);
	UNLOCK();
	if ((rc = dir_ref(parent, &dir)) < 0)
		goto out;
	rc = ncfs_tree_lookup(c, &dir, newname, &target);
	ncfs_ref_free(&dir);
	if (rc < 0) {
		rc = rc == -ENOENT ? -EPERM : rc;
		goto out;
	}
	rc = store_value(c, &target, nc_buf_str(&data), data.len, 0);
	if (rc == 0) {
		LOCK();
		if ((in = ncfs_inode_get(sino)) != NULL) {
			ncfs_inode_unscratch(in);
			nc_buf_free(&in->data);
			ncfs_ref_free(&in->ref);
			ncfs_ref_copy(&in->ref, &target);
			free(in->name);
			in->name = nc_strdup(newname);
			in->rendered = 0;
			clock_gettime(CLOCK_REALTIME, &in->mtime);
		}
		UNLOCK();
		ncfs_watch_changed(sino, parent);
	}
	ncfs_ref_free(&target);
out:
	nc_buf_free(&data);
	fuse_reply_err(req, -rc);
}

static void
op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

static void
op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
}

const struct fuse_lowlevel_ops ncfs_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.create = op_create,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.unlink = op_unlink,
	.rename = op_rename,
	.statfs = op_statfs,
};
