/*
 * snapshot.c: a node's configuration in memory (snapshot.h), and the
 * parser of the node bundle.  The bundle is untrusted input: every header,
 * length, path and listed name is checked, and sizes are bounded.  The
 * values themselves are checked where the steps use them (lib/valid.c),
 * as those read one file at a time are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nctree.h"
#include "snapshot.h"
#include "util.h"

int
ncp_snap_add(struct ncp_snap *s, const char *path, int dir, const char *data,
    size_t len)
{
	struct ncp_snap_entry *e;

	if (nc_strmap_get(&s->idx, path) >= 0)
		return -EEXIST;
	e = NC_PUSH(s->v, s->n, s->cap);
	e->path = nc_strdup(path);
	e->dir = dir;
	e->data = nc_malloc(len + 1);
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->live = 0;
	nc_strmap_put(&s->idx, path, (long)(s->n - 1));
	return 0;
}

struct ncp_snap_entry *
ncp_snap_get(const struct ncp_snap *s, const char *path)
{
	long i = nc_strmap_get(&s->idx, path);

	return i < 0 ? NULL : &s->v[i];
}

int
ncp_snap_lists(const struct ncp_snap_entry *l, const char *name, int *isdir)
{
	size_t n = strlen(name);
	const char *p = l->data, *end = l->data + l->len, *nl;

	if (n == 0 || strchr(name, '/') != NULL)
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) >= n && memcmp(p, name, n) == 0 &&
		    (p + n == nl || (p + n + 1 == nl && p[n] == '/'))) {
			*isdir = p + n != nl;
			return 1;
		}
		p = nl + 1;
	}
	return 0;
}

void
ncp_snap_free(struct ncp_snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].data);
	}
	free(s->v);
	nc_strmap_free(&s->idx);
	memset(s, 0, sizeof(*s));
}

/* 1 when the n bytes at p are one plain name: printable, no blank or '/',
 * not "." or "..". */
static int
plain(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || (n == 1 && p[0] == '.') ||
	    (n == 2 && p[0] == '.' && p[1] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~' || p[i] == '/')
			return 0;
	return 1;
}

/* 1 when path is root or lies below it, each component plain. */
static int
inside(const char *path, const char *root)
{
	size_t rl = strlen(root);
	const char *p, *slash;

	if (strncmp(path, root, rl) != 0 ||
	    (path[rl] != '\0' && path[rl] != '/'))
		return 0;
	for (p = path; *p != '\0'; p = slash + 1) {
		slash = strchr(p, '/');
		if (!plain(p, slash ? (size_t)(slash - p) : strlen(p)))
			return 0;
		if (slash == NULL)
			break;
	}
	return 1;
}

/* 1 when every line of a listing is a plain name, '/' after it or not. */
static int
listing_ok(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	size_t n;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '/')
			n--;
		if (!plain(p, n))
			return 0;
		p = nl + 1;
	}
	return 1;
}

/* A decimal number of at most 12 digits at *p, ended by c; *p moves past
 * c.  -1 when there is none. */
static long long
number(const char **p, const char *end, char c)
{
	long long v = 0;
	const char *q = *p;
	int digits = 0;

	while (q < end && *q >= '0' && *q <= '9' && digits < 12) {
		v = v * 10 + (*q++ - '0');
		digits++;
	}
	if (digits == 0 || q >= end || *q != c)
		return -1;
	*p = q + 1;
	return v;
}

int
ncp_bundle_parse(const char *data, size_t len, const char *node,
    struct ncp_snap *s, char *why, size_t whylen)
{
	static const char magic[] = "ncbundle 1 ";
	const char *p = data, *end = data + len, *nl;
	char root[NCT_PATH_MAX], path[NCT_PATH_MAX];
	long long n;
	char kind;
	size_t plen;
	int rc;

	memset(s, 0, sizeof(*s));
	if (len > NCP_BUNDLE_MAX) {
		snprintf(why, whylen, "%zu bytes, more than %u", len,
		    NCP_BUNDLE_MAX);
		return -EINVAL;
	}
	if (nct_dir_path(root, sizeof(root), NCT_D_NODE, node, NULL) < 0) {
		snprintf(why, whylen, "\"%s\" is not a node name", node);
		return -EINVAL;
	}
	if (len < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1)) {
		snprintf(why, whylen, "not a bundle of version 1");
		return -EINVAL;
	}
	p += sizeof(magic) - 1;
	if ((s->generation = number(&p, end, '\n')) < 0) {
		snprintf(why, whylen, "no generation on the first line");
		return -EINVAL;
	}
	for (;;) {
		if ((size_t)(end - p) == 4 && memcmp(p, "end\n", 4) == 0)
			return 0;
		if (s->n >= NCP_BUNDLE_ENTRIES) {
			snprintf(why, whylen, "more than %d entries",
			    NCP_BUNDLE_ENTRIES);
			goto bad;
		}
		if (end - p < 4 || (p[0] != 'F' && p[0] != 'D') ||
		    p[1] != ' ') {
			snprintf(why, whylen, "entry %zu: no \"F \" or \"D \" "
			    "header, nor the end", s->n + 1);
			goto bad;
		}
		kind = p[0];
		p += 2;
		if ((n = number(&p, end, ' ')) < 0 ||
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			snprintf(why, whylen, "entry %zu: a bad header",
			    s->n + 1);
			goto bad;
		}
		plen = (size_t)(nl - p);
		if (plen >= sizeof(path)) {
			snprintf(why, whylen, "entry %zu: a path too long",
			    s->n + 1);
			goto bad;
		}
		memcpy(path, p, plen);
		path[plen] = '\0';
		p = nl + 1;
		if (!inside(path, root)) {
			snprintf(why, whylen, "entry %zu: \"%.200s\" is not a "
			    "path in %s", s->n + 1, path, root);
			goto bad;
		}
		if ((unsigned long long)n >= (size_t)(end - p) ||
		    p[n] != '\n') {
			snprintf(why, whylen, "%s: %lld bytes do not fit",
			    path, n);
			goto bad;
		}
		if (kind == 'D' && !listing_ok(p, (size_t)n)) {
			snprintf(why, whylen, "%s: a listing with a name that "
			    "is not one plain name", path);
			goto bad;
		}
		if ((rc = ncp_snap_add(s, path, kind == 'D', p, (size_t)n))
		    < 0) {
			snprintf(why, whylen, "%s: twice", path);
			goto bad;
		}
		p += n + 1;
	}
bad:
	ncp_snap_free(s);
	return -EINVAL;
}
