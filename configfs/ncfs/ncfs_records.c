/*
 * ncfs_records.c: records made and removed through the tree: mkdir and
 * rmdir of users/<u> and groups/<g>, creating and unlinking
 * nodes/<n>/attributes/<key>.  Inside the caller's transaction; the name
 * is validated and the record looked up before anything is written.
 *
 * A new user gets the next uid (the largest plus one, 20000 for the
 * first, never below 1000: nc_valid_next_id), the gid of the group "users"
 * if there is one (else its uid), home /users/<u>, shell /bin/sh and no
 * password ("*").  A new group gets the next gid (6000 for the first,
 * never below 1000).  A new attribute is empty and last.
 */
#include <errno.h>

#include "ncfs.h"
#include "ncfs_render.h"
#include "ncfs_validate.h"
#include "valid.h"

#define FIRST_UID 20000UL	/* the first user's uid */
#define FIRST_GID 6000UL	/* the first group's gid */

/* 1 when sql(?1 = k0, ?2 = k1) returns a row, 0 when not, -errno. */
static int
exists(struct ncfs_conn *c, const char *sql, const char *k0, const char *k1)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, sql, k1 != NULL ? "ss" : "s", k0, k1)) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	return ncfs_sql_end(c, st) < 0 ? -EIO : rc;
}

/*
 * The integer in the first row of sql (?1 = k0 unless k0 is NULL) into *v:
 * 1, or 0 when there is no row, or -errno.
 */
static int
query_int(struct ncfs_conn *c, const char *sql, const char *k0,
    long long *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, sql, k0 != NULL ? "s" : "", k0)) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc;
	*v = sqlite3_column_int64(st, 0);
	return ncfs_sql_end(c, st) < 0 ? -EIO : 1;
}

/* query_int for a query that always returns a row (an aggregate). */
static int
query_agg(struct ncfs_conn *c, const char *sql, long long *v)
{
	int rc = query_int(c, sql, NULL, v);

	return rc == 0 ? -EIO : rc < 0 ? rc : 0;
}

static int
user_add(struct ncfs_conn *c, const char *name, struct nc_buf *why)
{
	long long uid, gid, ord;
	int rc;

	if ((rc = ncfs_v_login("users", name, why)) < 0)
		return rc;
	if ((rc = exists(c, "SELECT 1 FROM users WHERE name = ?1", name,
	    NULL)) < 0)
		return rc;
	if (rc == 1) {
		nc_buf_printf(why, "users: %s already exists", name);
		return -EEXIST;
	}
	if ((rc = query_agg(c, "SELECT COALESCE(MAX(uid), -1) FROM users",
	    &uid)) < 0 ||
	    (rc = query_agg(c, "SELECT COALESCE(MAX(ord) + 1, 0) FROM users",
	    &ord)) < 0)
		return rc;
	if ((uid = (long long)nc_valid_next_id(uid, FIRST_UID)) == 0) {
		nc_buf_printf(why, "users: %s: no uid is left above the "
		    "largest in use", name);
		return -ENOSPC;
	}
	rc = query_int(c, "SELECT gid FROM groups WHERE name = ?1", "users",
	    &gid);
	if (rc < 0)
		return rc;
	if (rc == 0)
		gid = uid;
	rc = ncfs_sql_exec(c, "INSERT INTO users (name, uid, gid, fullname,"
	    " home, shell, password, root, ord) VALUES (?1, ?2, ?3, '',"
	    " '/users/' || ?1, '/bin/sh', '*', 0, ?4)", "siii", name, uid,
	    gid, ord);
	return rc < 0 ? rc : 0;
}

static int
group_add(struct ncfs_conn *c, const char *name, struct nc_buf *why)
{
	long long gid, ord;
	int rc;

	if ((rc = ncfs_v_login("groups", name, why)) < 0)
		return rc;
	if ((rc = exists(c, "SELECT 1 FROM groups WHERE name = ?1", name,
	    NULL)) < 0)
		return rc;
	if (rc == 1) {
		nc_buf_printf(why, "groups: %s already exists", name);
		return -EEXIST;
	}
	if ((rc = query_agg(c, "SELECT COALESCE(MAX(gid), -1) FROM groups",
	    &gid)) < 0 ||
	    (rc = query_agg(c, "SELECT COALESCE(MAX(ord) + 1, 0) FROM groups",
	    &ord)) < 0)
		return rc;
	if ((gid = (long long)nc_valid_next_id(gid, FIRST_GID)) == 0) {
		nc_buf_printf(why, "groups: %s: no gid is left above the "
		    "largest in use", name);
		return -ENOSPC;
	}
	rc = ncfs_sql_exec(c, "INSERT INTO groups (name, gid, ord)"
	    " VALUES (?1, ?2, ?3)", "sii", name, gid, ord);
	return rc < 0 ? rc : 0;
}

static int
attr_add(struct ncfs_conn *c, const char *node, const char *key,
    struct nc_buf *why)
{
	int rc;

	if ((rc = ncfs_v_attr_key("attributes", key, why)) < 0)
		return rc;
	if ((rc = exists(c, "SELECT 1 FROM nodes WHERE name = ?1", node,
	    NULL)) < 0)
		return rc;
	if (rc == 0) {
		nc_buf_printf(why, "attributes: there is no node %s", node);
		return -ENOENT;
	}
	if ((rc = exists(c, "SELECT 1 FROM attributes a JOIN nodes n"
	    " ON n.id = a.node_id WHERE n.name = ?1 AND a.key = ?2", node,
	    key)) < 0)
		return rc;
	if (rc == 1) {
		nc_buf_printf(why, "attributes: %s already has %s", node, key);
		return -EEXIST;
	}
	rc = ncfs_sql_exec(c, "INSERT INTO attributes (node_id, key, value,"
	    " ord) SELECT n.id, ?2, '', (SELECT COALESCE(MAX(ord) + 1, 0)"
	    " FROM attributes WHERE node_id = n.id) FROM nodes n"
	    " WHERE n.name = ?1", "ss", node, key);
	return rc < 0 ? rc : 0;
}

int
ncfs_record_add(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why)
{
	switch (r->dir) {
	case NCT_D_USER:
		return user_add(c, r->k[0], why);
	case NCT_D_GROUP:
		return group_add(c, r->k[0], why);
	case NCT_D_ATTRS:
		return attr_add(c, r->k[0], r->k[1], why);
	default:
		nc_buf_puts(why, "records are made only in users/, groups/ "
		    "and nodes/<node>/attributes/");
		return -EPERM;
	}
}

/* The rows removed by sql(?1 = k0, ?2 = k1): -ENOENT when none. */
static int
removed(int n, const char *what, const char *name, struct nc_buf *why)
{
	if (n < 0)
		return n;
	if (n == 0) {
		nc_buf_printf(why, "%s: there is no %s", what, name);
		return -ENOENT;
	}
	return 0;
}

int
ncfs_record_remove(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why)
{
	int rc;

	switch (r->dir) {
	case NCT_D_USER:
		/* memberships and keys go too (also without foreign keys) */
		if ((rc = exists(c, "SELECT 1 FROM users WHERE name = ?1",
		    r->k[0], NULL)) <= 0)
			return removed(rc, "users", r->k[0], why);
		if ((rc = ncfs_sql_exec(c, "DELETE FROM memberships"
		    " WHERE user = ?1", "s", r->k[0])) < 0 ||
		    (rc = ncfs_sql_exec(c, "DELETE FROM sshkeys"
		    " WHERE user = ?1", "s", r->k[0])) < 0)
			return rc;
		return removed(ncfs_sql_exec(c, "DELETE FROM users"
		    " WHERE name = ?1", "s", r->k[0]), "users", r->k[0], why);
	case NCT_D_GROUP:
		if ((rc = exists(c, "SELECT 1 FROM groups WHERE name = ?1",
		    r->k[0], NULL)) <= 0)
			return removed(rc, "groups", r->k[0], why);
		if ((rc = ncfs_sql_exec(c, "DELETE FROM memberships"
		    " WHERE grp = ?1", "s", r->k[0])) < 0)
			return rc;
		return removed(ncfs_sql_exec(c, "DELETE FROM groups"
		    " WHERE name = ?1", "s", r->k[0]), "groups", r->k[0],
		    why);
	case NCT_D_ATTRS:
		return removed(ncfs_sql_exec(c, "DELETE FROM attributes"
		    " WHERE node_id = (SELECT id FROM nodes WHERE name = ?1)"
		    " AND key = ?2", "ss", r->k[0], r->k[1]), "attributes",
		    r->k[1], why);
	default:
		nc_buf_puts(why, "records are removed only from users/, "
		    "groups/ and nodes/<node>/attributes/");
		return -EPERM;
	}
}
