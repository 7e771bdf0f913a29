/*
 * source_snap.c: a source that answers from a snapshot of the node's
 * configuration read at once (ncp_source_snapshot, source.h), wrapping the
 * source it was read from.
 *
 * The snapshot is the node's bundle (nodes/<n>/bundle: ncfs renders the
 * whole subtree in one read transaction, so no edit is ever half in it),
 * read in one walk, open, read and clunk; or, from a server without the
 * bundle (an older ncfs, nc9pfs's export), the subtree gathered a level at
 * a time with pipelined 9P reads, which takes a few exchanges but is not
 * one snapshot: an edit made meanwhile may be half in it, as with reads
 * one at a time.  Reads inside the snapshot's directories are answered
 * from it (a name not listed is -ENOENT); a file listed without contents
 * (the server could not render it), anything outside the node's subtree,
 * and a file written since, go to the wrapped source.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nctree.h"
#include "snapshot.h"
#include "source.h"
#include "util.h"

/* The wrapping source's state. */
struct snap_src {
	struct ncp_source inner; /* the source the snapshot came from */
	struct ncp_snap snap;	/* the snapshot */
};

/* What the snapshot says of a path. */
enum snap_says {
	S_ENTRY,		/* its entry (file or listing) */
	S_LISTED,		/* listed in its directory, no contents here */
	S_ABSENT,		/* its directory is here and does not list it */
	S_OUTSIDE,		/* the snapshot does not cover it */
};

static enum snap_says
lookup(const struct snap_src *ss, const char *path,
    struct ncp_snap_entry **ep, int *isdir)
{
	struct ncp_snap_entry *e = ncp_snap_get(&ss->snap, path), *d;
	const char *slash = strrchr(path, '/');
	char *parent;

	*ep = e;
	if (e != NULL && !e->live)
		return S_ENTRY;
	if (slash == NULL)
		return S_OUTSIDE;
	parent = nc_asprintf("%.*s", (int)(slash - path), path);
	d = ncp_snap_get(&ss->snap, parent);
	free(parent);
	if (d == NULL || !d->dir)
		return S_OUTSIDE;
	return ncp_snap_lists(d, slash + 1, isdir) ? S_LISTED : S_ABSENT;
}

static int
snap_read(void *impl, const char *path, struct nc_buf *out)
{
	struct snap_src *ss = impl;
	struct ncp_snap_entry *e;
	int isdir;

	switch (lookup(ss, path, &e, &isdir)) {
	case S_ENTRY:
		if (e->dir)
			return -EISDIR;
		nc_buf_add(out, e->data, e->len);
		return 0;
	case S_ABSENT:
		return -ENOENT;
	default:
		return ss->inner.ops->read(ss->inner.impl, path, out);
	}
}

static int
snap_list(void *impl, const char *path, char ***names, size_t *n)
{
	struct snap_src *ss = impl;
	struct ncp_snap_entry *e;
	const char *p, *end, *nl;
	size_t cap = 0, len;
	int isdir;

	switch (lookup(ss, path, &e, &isdir)) {
	case S_ENTRY:
		if (!e->dir)
			return -ENOTDIR;
		break;
	case S_ABSENT:
		return -ENOENT;
	default:
		return ss->inner.ops->list(ss->inner.impl, path, names, n);
	}
	*names = NULL;
	*n = 0;
	for (p = e->data, end = e->data + e->len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '/')
			len--;
		*NC_PUSH(*names, *n, cap) = nc_asprintf("%.*s", (int)len, p);
	}
	return 0;
}

static int
snap_is_dir(void *impl, const char *path)
{
	struct snap_src *ss = impl;
	struct ncp_snap_entry *e;
	int isdir = 0;

	switch (lookup(ss, path, &e, &isdir)) {
	case S_ENTRY:
		return e->dir;
	case S_LISTED:
		return isdir;
	case S_ABSENT:
		return -ENOENT;
	default:
		return ss->inner.ops->is_dir(ss->inner.impl, path);
	}
}

/* Writes go to the tree; what was written is read from there after. */
static int
snap_write(void *impl, const char *path, const char *data, size_t len)
{
	struct snap_src *ss = impl;
	struct ncp_snap_entry *e;
	int rc;

	rc = ss->inner.ops->write(ss->inner.impl, path, data, len);
	if (rc == 0 && (e = ncp_snap_get(&ss->snap, path)) != NULL)
		e->live = 1;
	return rc;
}

static unsigned long long
snap_requests(void *impl)
{
	struct snap_src *ss = impl;

	return ss->inner.ops->requests(ss->inner.impl);
}

static int
snap_lost(void *impl)
{
	struct snap_src *ss = impl;

	return ss->inner.ops->lost != NULL &&
	    ss->inner.ops->lost(ss->inner.impl);
}

static int
snap_fetch(void *impl, struct ncp_fetch *v, size_t n, size_t max)
{
	struct snap_src *ss = impl;

	return ss->inner.ops->fetch(ss->inner.impl, v, n, max);
}

static void
snap_close(void *impl)
{
	struct snap_src *ss = impl;

	ncp_snap_free(&ss->snap);
	ncp_source_close(&ss->inner);
	free(ss);
}

static const struct ncp_source_ops snap_ops = {
	.read = snap_read,
	.list = snap_list,
	.is_dir = snap_is_dir,
	.write = snap_write,
	.requests = snap_requests,
	.lost = snap_lost,
	.fetch = snap_fetch,
	.close = snap_close,
};

/* The names of a fetched directory (NUL-ended, '/' after a directory's)
 * as a listing (newline-ended) into out; -EINVAL for a name with a
 * newline. */
static int
to_listing(const struct ncp_fetch *f, struct nc_buf *out)
{
	const char *p, *end = f->data + f->len;
	size_t len;

	for (p = f->data; p < end; p += len + 1) {
		len = strlen(p);
		if (memchr(p, '\n', len) != NULL)
			return -EINVAL;
		nc_buf_add(out, p, len);
		nc_buf_add(out, "\n", 1);
	}
	return 0;
}

/* 1 when the n bytes at name are keys or accounts, the node's per-user
 * views of sshkeys and passwd: listed, not gathered, as in a bundle. */
static int
per_user(const char *name, size_t n)
{
	const char *k = nct_entries[NCT_NODE_KEYS].name;
	const char *a = nct_entries[NCT_NODE_ACCOUNTS].name;

	return (n == strlen(k) && memcmp(name, k, n) == 0) ||
	    (n == strlen(a) && memcmp(name, a, n) == 0);
}

/*
 * Gather the subtree at root into s, a level at a time: each level's files
 * and directories in one pipelined batch; keys/ and accounts/ are listed
 * but not gathered (read from the server when asked), as in a bundle.  0; the error that lost the
 * connection; or another -errno (nothing kept).
 */
static int
gather(struct ncp_source *src, const char *root, struct ncp_snap *s)
{
	struct ncp_fetch *lv = NULL, *next = NULL;
	size_t nlv = 1, nnext, capn, i, len;
	struct nc_buf listing = { 0 };
	const char *p, *end;
	int rc = 0;

	lv = nc_calloc(1, sizeof(*lv));
	lv[0].path = nc_strdup(root);
	lv[0].dir = 1;
	while (nlv > 0 && rc == 0) {
		if ((rc = src->ops->fetch(src->impl, lv, nlv,
		    NCP_BUNDLE_MAX)) < 0)
			break;
		next = NULL;
		nnext = capn = 0;
		for (i = 0; i < nlv && rc == 0; i++) {
			if (lv[i].rc < 0) {
				/* the node itself must be there; a file that
				 * did not read is asked for again if used */
				if (lv[i].dir && strcmp(lv[i].path, root) == 0)
					rc = lv[i].rc;
				continue;
			}
			if (s->n + nnext >= NCP_BUNDLE_ENTRIES) {
				rc = -EFBIG;
				break;
			}
			if (!lv[i].dir) {
				rc = ncp_snap_add(s, lv[i].path, 0, lv[i].data,
				    lv[i].len);
				continue;
			}
			nc_buf_reset(&listing);
			if ((rc = to_listing(&lv[i], &listing)) < 0 ||
			    (rc = ncp_snap_add(s, lv[i].path, 1,
			    nc_buf_str(&listing), listing.len)) < 0)
				break;
			end = lv[i].data + lv[i].len;
			for (p = lv[i].data; p < end; p += len + 1) {
				struct ncp_fetch *f;
				int isdir;

				len = strlen(p);
				isdir = len > 0 && p[len - 1] == '/';
				if (isdir && strcmp(lv[i].path, root) == 0 &&
				    per_user(p, len - 1))
					continue;
				f = NC_PUSH(next, nnext, capn);
				memset(f, 0, sizeof(*f));
				f->path = nc_asprintf("%s/%.*s", lv[i].path,
				    (int)(len - (size_t)isdir), p);
				f->dir = isdir;
			}
		}
		for (i = 0; i < nlv; i++) {
			free((char *)lv[i].path);
			free(lv[i].data);
		}
		free(lv);
		lv = next;
		nlv = nnext;
	}
	for (i = 0; i < nlv; i++) {
		free((char *)lv[i].path);
		free(lv[i].data);
	}
	free(lv);
	nc_buf_free(&listing);
	if (rc < 0)
		ncp_snap_free(s);
	return rc;
}

/* Wrap s around snap. */
static void
wrap(struct ncp_source *s, struct ncp_snap *snap, const char *how)
{
	struct snap_src *ss = nc_calloc(1, sizeof(*ss));
	char desc[sizeof(s->desc)];

	ss->inner = *s;
	ss->snap = *snap;
	snprintf(desc, sizeof(desc), "%s", s->desc);
	s->ops = &snap_ops;
	s->impl = ss;
	snprintf(s->desc, sizeof(s->desc), "%.100s (%s)", desc, how);
}

int
ncp_source_snapshot(struct ncp_source *s, const char *node,
    enum ncp_fetch_mode mode, char *why, size_t whylen)
{
	struct ncp_fetch f = { 0 };
	struct ncp_snap snap = { 0 };
	char path[NCT_PATH_MAX], root[NCT_PATH_MAX];
	char reason[256];
	int rc;

	if (mode == NCP_FETCH_EACH || s->ops->fetch == NULL)
		return 0;
	if (nct_path(path, sizeof(path), NCT_NODE_BUNDLE, node, NULL) < 0 ||
	    nct_dir_path(root, sizeof(root), NCT_D_NODE, node, NULL) < 0)
		return 0;	/* the caller says what is wrong with node */
	if (mode == NCP_FETCH_BUNDLE) {
		f.path = path;
		if ((rc = s->ops->fetch(s->impl, &f, 1, NCP_BUNDLE_MAX)) < 0) {
			free(f.data);
			snprintf(why, whylen, "%s: %s", path, strerror(-rc));
			return rc;
		}
		if (f.rc == 0) {
			rc = ncp_bundle_parse(f.data, f.len, node, &snap,
			    reason, sizeof(reason));
			free(f.data);
			if (rc < 0) {
				snprintf(why, whylen, "%s: %s", path, reason);
				return rc;
			}
			wrap(s, &snap, "bundle");
			return 0;
		}
		/* no bundle here: gather the subtree instead */
	}
	rc = gather(s, root, &snap);
	if (rc < 0 && s->ops->lost != NULL && s->ops->lost(s->impl)) {
		snprintf(why, whylen, "%s: %s", root, strerror(-rc));
		return rc;
	}
	if (rc == 0)
		wrap(s, &snap, "pipelined");
	return 0;
}
