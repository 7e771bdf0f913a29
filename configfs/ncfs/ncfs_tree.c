/*
 * ncfs_tree.c: /nc (docs/DESIGN.md, "The tree under /nc"; its contract is
 * lib/nctree.h) as directory types.  Each type holds the contract's rows
 * for it: fixed subdirectories, fixed files (read and written through
 * ncfs_field_table[]) and, for collections, children named by database
 * records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"
#include "ncfs_render.h"
#include "ncfs_tree.h"
#include "util.h"

/*
 * Collections: the directory types whose children are named by records
 * (the contract's "<what>" rows).  The SQL listing the names (bound to
 * ?1 = k0 if used) and the SQL telling whether one exists (?1 = k0, ?2 =
 * name).  What the children are (directories of some type, or files) is
 * the contract's.
 */
struct collection {
	const char *list;	/* SELECT name ... ORDER BY ... */
	const char *exists;	/* SELECT 1 ... */
};

static const struct collection *
collection(enum nct_dir t)
{
	static const struct collection nodes = {
		"SELECT name FROM nodes ORDER BY ord",
		"SELECT 1 FROM nodes WHERE name = ?2" };
	static const struct collection ifaces = {
		"SELECT i.name FROM ifaces i JOIN nodes n ON i.node_id = n.id"
		" WHERE n.name = ?1 ORDER BY i.ord",
		"SELECT 1 FROM ifaces i JOIN nodes n ON i.node_id = n.id"
		" WHERE n.name = ?1 AND i.name = ?2" };
	static const struct collection attrs = {
		"SELECT a.key FROM attributes a JOIN nodes n"
		" ON a.node_id = n.id WHERE n.name = ?1 ORDER BY a.ord",
		"SELECT 1 FROM attributes a JOIN nodes n ON a.node_id = n.id"
		" WHERE n.name = ?1 AND a.key = ?2" };
	/* keys/ and accounts/: the users the node gets (its passwd) */
	static const struct collection node_users = {
		NCFS_NODE_USERS,
		"SELECT 1 WHERE ?2 IN (" NCFS_NODE_USERS ")" };
	static const struct collection lans = {
		"SELECT name FROM lans ORDER BY ord",
		"SELECT 1 FROM lans WHERE name = ?2" };
	static const struct collection users = {
		"SELECT name FROM users ORDER BY ord",
		"SELECT 1 FROM users WHERE name = ?2" };
	static const struct collection groups = {
		"SELECT name FROM groups ORDER BY ord",
		"SELECT 1 FROM groups WHERE name = ?2" };

	switch (t) {
	case NCT_D_NODES: return &nodes;
	case NCT_D_IFACES: return &ifaces;
	case NCT_D_ATTRS: return &attrs;
	case NCT_D_KEYS: case NCT_D_ACCOUNTS: return &node_users;
	case NCT_D_LANS: return &lans;
	case NCT_D_USERS: return &users;
	case NCT_D_GROUPS: return &groups;
	default: return NULL;
	}
}

void
ncfs_ref_root(struct ncfs_ref *r)
{
	memset(r, 0, sizeof(*r));
	r->dir = NCT_D_ROOT;
}

void
ncfs_ref_copy(struct ncfs_ref *dst, const struct ncfs_ref *src)
{
	int i;

	*dst = *src;
	for (i = 0; i < 3; i++)
		dst->k[i] = nc_strdup0(src->k[i]);
}

void
ncfs_ref_free(struct ncfs_ref *r)
{
	int i;

	for (i = 0; i < 3; i++) {
		free(r->k[i]);
		r->k[i] = NULL;
	}
}

static int
streq0(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
ncfs_ref_equal(const struct ncfs_ref *a, const struct ncfs_ref *b)
{
	return a->dir == b->dir && a->field == b->field &&
	    streq0(a->k[0], b->k[0]) && streq0(a->k[1], b->k[1]) &&
	    streq0(a->k[2], b->k[2]);
}

/* FNV-1a of s (NULL as ""), then a 0xff that ends it. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	return nc_fnv64_byte(nc_fnv64_str(h, s), 0xff);
}

uint64_t
ncfs_ref_hash(const struct ncfs_ref *r)
{
	uint64_t h = NC_FNV64_BASIS;
	int i;

	if (r->dir == NCT_D_ROOT && r->field == NULL)
		return 1;
	h = nc_fnv64_byte(h, (unsigned char)r->dir);	/* < NCT_D_MAX */
	h = fnv(h, r->field ? nct_entries[r->field->id].name : "/");
	for (i = 0; i < 3; i++)
		h = fnv(h, r->k[i]);
	h &= 0x7fffffffffffffffULL;	/* positive in a signed off_t */
	return h < 2 ? h + 2 : h;
}

unsigned
ncfs_ref_mode(const struct ncfs_ref *r)
{
	int e;

	if (r->field == NULL)
		return S_IFDIR | ((e = nct_dir_entry(r->dir)) < 0 ? 0755 :
		    nct_entries[e].mode);
	return S_IFREG | nct_entries[r->field->id].mode;
}

void
ncfs_ref_path(const struct ncfs_ref *r, struct nc_buf *out)
{
	char path[NCT_PATH_MAX];
	int rc;

	if (r->field != NULL)
		rc = nct_path(path, sizeof(path), r->field->id, r->k[0],
		    r->k[1]);
	else if (r->dir == NCT_D_IMAGES && r->k[0] != NULL)
		rc = snprintf(path, sizeof(path), "images/%s", r->k[0]);
	else
		rc = nct_dir_path(path, sizeof(path), r->dir, r->k[0],
		    r->k[1]);
	if (rc < 0) {
		/* a name the contract refuses in a path: for the log only */
		nc_buf_printf(out, "/?/%s/%s", r->k[0] ? r->k[0] : "",
		    r->k[1] ? r->k[1] : "");
		return;
	}
	nc_buf_printf(out, "/%s", path);
}

/* Bind k0 (when the statement has a first parameter) and name. */
static sqlite3_stmt *
prepare(struct ncfs_conn *c, const char *sql, const char *k0,
    const char *name)
{
	sqlite3_stmt *st = ncfs_stmt(c, sql);
	int n;

	if (st == NULL)
		return NULL;
	n = sqlite3_bind_parameter_count(st);
	if ((n >= 1 && sqlite3_bind_text(st, 1, k0 ? k0 : "", -1,
	    SQLITE_STATIC) != SQLITE_OK) ||
	    (n >= 2 && sqlite3_bind_text(st, 2, name ? name : "", -1,
	    SQLITE_STATIC) != SQLITE_OK)) {
		sqlite3_reset(st);
		return NULL;
	}
	return st;
}

/* 1 if the single-row query sql(k0, name) returns a row. */
static int
query_exists(struct ncfs_conn *c, const char *sql, const char *k0,
    const char *name)
{
	sqlite3_stmt *st = prepare(c, sql, k0, name);
	int rc;

	if (st == NULL)
		return -EIO;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int
image_exists(struct ncfs_conn *c, const char *name)
{
	return query_exists(c, "SELECT 1 FROM images WHERE name = ?2", NULL,
	    name);
}

/* 1 when some image name starts with prefix + "/". */
static int
image_prefix_exists(struct ncfs_conn *c, const char *prefix)
{
	char *pat = nc_asprintf("%s/", prefix);
	int rc;

	rc = query_exists(c, "SELECT 1 FROM images WHERE "
	    "substr(name, 1, length(?2)) = ?2", NULL, pat);
	free(pat);
	return rc;
}

/* The node-scoped directories exist with their node. */
static int
node_exists(struct ncfs_conn *c, const char *node)
{
	return query_exists(c, "SELECT 1 FROM nodes WHERE name = ?2", NULL,
	    node);
}

int
ncfs_tree_exists(struct ncfs_conn *c, const struct ncfs_ref *r)
{
	const struct collection *col;
	struct ncfs_ref parent;
	int rc;

	switch (r->dir) {
	case NCT_D_ROOT: case NCT_D_EXPERIMENT: case NCT_D_NODES:
	case NCT_D_LANS: case NCT_D_USERS: case NCT_D_GROUPS:
		rc = 1;
		break;
	case NCT_D_IMAGES:
		rc = r->k[0] == NULL ? 1 : image_prefix_exists(c, r->k[0]);
		break;
	case NCT_D_IMAGE:
		rc = image_exists(c, r->k[0]);
		break;
	case NCT_D_NODE: case NCT_D_NODE_IMAGE: case NCT_D_IFACES:
	case NCT_D_ATTRS: case NCT_D_KEYS: case NCT_D_ACCOUNTS:
		rc = node_exists(c, r->k[0]);
		break;
	case NCT_D_IFACE:
		rc = query_exists(c, collection(NCT_D_IFACES)->exists,
		    r->k[0], r->k[1]);
		break;
	case NCT_D_ACCOUNT:
		rc = node_exists(c, r->k[0]);
		if (rc == 1)
			rc = query_exists(c, collection(NCT_D_ACCOUNTS)->exists,
			    r->k[0], r->k[1]);
		break;
	case NCT_D_LAN: case NCT_D_USER: case NCT_D_GROUP:
		parent.dir = r->dir == NCT_D_LAN ? NCT_D_LANS :
		    r->dir == NCT_D_USER ? NCT_D_USERS : NCT_D_GROUPS;
		col = collection(parent.dir);
		rc = query_exists(c, col->exists, NULL, r->k[0]);
		break;
	default:
		rc = 0;
	}
	if (rc != 1 || r->field == NULL || !nct_keyed(r->field->id))
		return rc;
	/* attributes/<key> and keys/<user> files */
	col = collection(r->dir);
	return query_exists(c, col->exists, r->k[0], r->k[1]);
}

/* A child of dir named name, of type t, keys extended by name if keyed. */
static void
child_dir(const struct ncfs_ref *dir, enum nct_dir t, const char *key,
    struct ncfs_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->dir = t;
	out->k[0] = nc_strdup0(dir->k[0]);
	out->k[1] = nc_strdup0(dir->k[1]);
	if (key == NULL)
		return;
	if (out->k[0] == NULL)
		out->k[0] = nc_strdup(key);
	else if (out->k[1] == NULL)
		out->k[1] = nc_strdup(key);
}

static void
child_file(const struct ncfs_ref *dir, const struct ncfs_field *f,
    const char *key, struct ncfs_ref *out)
{
	child_dir(dir, dir->dir, key, out);
	out->field = f;
}

/* Images: /images/<prefix...>/<rest>; name is relative to dir's prefix. */
static int
image_lookup(struct ncfs_conn *c, const struct ncfs_ref *dir,
    const char *name, struct ncfs_ref *out)
{
	char *full = dir->k[0] ? nc_asprintf("%s/%s", dir->k[0], name) :
	    nc_strdup(name);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = image_exists(c, full)) == 1) {
		out->dir = NCT_D_IMAGE;
		out->k[0] = full;
		return 0;
	}
	if (rc == 0 && (rc = image_prefix_exists(c, full)) == 1) {
		out->dir = NCT_D_IMAGES;
		out->k[0] = full;
		return 0;
	}
	free(full);
	return rc < 0 ? rc : -ENOENT;
}

/* The child of dir that contract entry e makes, named key if keyed. */
static void
child_of(const struct ncfs_ref *dir, enum nct_id e, const char *key,
    struct ncfs_ref *out)
{
	const char *k = nct_keyed(e) ? key : NULL;

	if (nct_is_dir(e))
		child_dir(dir, nct_entries[e].child, k, out);
	else
		child_file(dir, ncfs_field_of(e), k, out);
}

int
ncfs_tree_lookup(struct ncfs_conn *c, const struct ncfs_ref *dir,
    const char *name, struct ncfs_ref *out)
{
	const struct collection *col;
	int e, rc;

	memset(out, 0, sizeof(*out));
	if (dir->field != NULL)
		return -ENOTDIR;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strchr(name, '/') != NULL)
		return -ENOENT;
	if ((e = nct_find(dir->dir, name)) >= 0) {
		child_of(dir, (enum nct_id)e, NULL, out);
		return 0;
	}
	if (dir->dir == NCT_D_IMAGES)
		return image_lookup(c, dir, name, out);
	if ((e = nct_keyed_entry(dir->dir)) < 0 ||
	    (col = collection(dir->dir)) == NULL)
		return -ENOENT;
	rc = query_exists(c, col->exists, dir->k[0], name);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return -ENOENT;
	child_of(dir, (enum nct_id)e, name, out);
	return 0;
}

/* List images under dir's prefix: images there, and deeper prefixes once. */
static int
image_list(struct ncfs_conn *c, const struct ncfs_ref *dir, ncfs_list_fn fn,
    void *arg)
{
	sqlite3_stmt *st = ncfs_stmt(c, "SELECT name FROM images ORDER BY "
	    "name");
	const char *pre = dir->k[0];
	size_t plen = pre ? strlen(pre) + 1 : 0;
	char *last = NULL;
	struct ncfs_ref child;
	int rc, stop = 0;

	if (st == NULL)
		return -EIO;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *rest, *slash;
		char *comp;

		if (pre != NULL && (strncmp(name, pre, plen - 1) != 0 ||
		    name[plen - 1] != '/'))
			continue;
		rest = name + plen;
		slash = strchr(rest, '/');
		comp = slash ? nc_asprintf("%.*s", (int)(slash - rest), rest) :
		    nc_strdup(rest);
		if (last == NULL || strcmp(last, comp) != 0) {
			memset(&child, 0, sizeof(child));
			child.dir = slash ? NCT_D_IMAGES : NCT_D_IMAGE;
			child.k[0] = slash ? nc_asprintf("%.*s",
			    (int)(slash - name), name) : nc_strdup(name);
			stop = fn(arg, comp, &child);
			ncfs_ref_free(&child);
			free(last);
			last = comp;
		} else {
			free(comp);
		}
	}
	free(last);
	sqlite3_reset(st);
	return stop || rc == SQLITE_DONE ? 0 : -EIO;
}

int
ncfs_tree_list(struct ncfs_conn *c, const struct ncfs_ref *dir,
    ncfs_list_fn fn, void *arg)
{
	const struct collection *col;
	struct ncfs_ref child;
	sqlite3_stmt *st;
	enum nct_id e;
	size_t n;
	int keyed = -1, rc = SQLITE_DONE, stop = 0;

	if (dir->field != NULL)
		return -ENOTDIR;
	/* the fixed entries, in the contract's order */
	for (n = nct_dir_entries(dir->dir, &e); !stop && n > 0; n--, e++) {
		if (nct_keyed(e)) {
			keyed = (int)e;
			continue;
		}
		child_of(dir, e, NULL, &child);
		stop = fn(arg, nct_entries[e].name, &child);
		ncfs_ref_free(&child);
	}
	if (stop)
		return 0;
	if (dir->dir == NCT_D_IMAGES)
		return image_list(c, dir, fn, arg);
	if (keyed < 0 || (col = collection(dir->dir)) == NULL)
		return 0;
	if ((st = prepare(c, col->list, dir->k[0], NULL)) == NULL)
		return -EIO;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		child_of(dir, (enum nct_id)keyed, name, &child);
		stop = fn(arg, name, &child);
		ncfs_ref_free(&child);
	}
	sqlite3_reset(st);
	return stop || rc == SQLITE_DONE ? 0 : -EIO;
}
