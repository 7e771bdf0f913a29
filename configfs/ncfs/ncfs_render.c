/*
 * ncfs_render.c: the aggregate files of a node rendered from the database
 * (see ncfs_render.h), and the SQL helpers of the value files.
 *
 * Every rendering is one or two statements walked in the experiment's
 * order (ord, then the name to break ties), so the bytes are the same for
 * the same database.  Statements are the connection's cached ones, and
 * each is reset when done so no read snapshot outlives the request.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "ncfs_log.h"
#include "ncfs_render.h"

int
ncfs_sql_errno(struct ncfs_conn *c, int rc)
{
	int ext = sqlite3_extended_errcode(c->db);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CONSTRAINT:
		return ext == SQLITE_CONSTRAINT_UNIQUE ||
		    ext == SQLITE_CONSTRAINT_PRIMARYKEY ? -EEXIST : -EINVAL;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static sqlite3_stmt *
vsql(struct ncfs_conn *c, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st;
	const char *s;
	int i, rc = SQLITE_OK;

	if ((st = ncfs_stmt(c, sql)) == NULL)
		return NULL;
	for (i = 0; rc == SQLITE_OK && types[i] != '\0'; i++) {
		switch (types[i]) {
		case 's':
			s = va_arg(ap, const char *);
			rc = s == NULL ? sqlite3_bind_null(st, i + 1) :
			    sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1,
			    va_arg(ap, long long));
			break;
		case 'd':
			rc = sqlite3_bind_double(st, i + 1,
			    va_arg(ap, double));
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		ncfs_log("bind: %s: %s", sqlite3_errstr(rc), sql);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
ncfs_sql(struct ncfs_conn *c, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = vsql(c, sql, types, ap);
	va_end(ap);
	return st;
}

int
ncfs_sql_step(struct ncfs_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return ncfs_sql_end(c, st);
	ncfs_log("%s: %s", sqlite3_errmsg(c->db), sqlite3_sql(st));
	rc = ncfs_sql_errno(c, rc);
	(void)sqlite3_reset(st);	/* repeats the error just logged */
	return rc;
}

int
ncfs_sql_end(struct ncfs_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_reset(st);

	if (rc == SQLITE_OK)
		return 0;
	ncfs_log("%s: %s", sqlite3_errmsg(c->db), sqlite3_sql(st));
	return ncfs_sql_errno(c, rc);
}

int
ncfs_sql_exec(struct ncfs_conn *c, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = vsql(c, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	if ((rc = ncfs_sql_end(c, st)) < 0)
		return rc;
	return sqlite3_changes(c->db);
}

/* Append column i of st (nothing when NULL). */
static void
col(struct nc_buf *out, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	if (s != NULL)
		nc_buf_add(out, s, (size_t)sqlite3_column_bytes(st, i));
}

/* Run to the end: rc is the last ncfs_sql_step result. */
static int
finish(struct ncfs_conn *c, sqlite3_stmt *st, int rc)
{
	if (rc < 0)
		return rc;
	return ncfs_sql_end(c, st);
}

int
ncfs_render_hosts(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	long long node, last = -1;
	int rc;

	if ((st = ncfs_sql(c, "SELECT name FROM experiment", "")) == NULL)
		return -EIO;
	nc_buf_puts(out, "# neo-containers experiment ");
	if ((rc = ncfs_sql_step(c, st)) == 1)
		col(out, st, 0);
	nc_buf_puts(out, "\n");
	if ((rc = finish(c, st, rc)) < 0)
		return rc;

	st = ncfs_sql(c, "SELECT i.ip, n.name, l.name, n.id FROM nodes n"
	    " JOIN ifaces i ON i.node_id = n.id JOIN lans l ON l.id = i.lan_id"
	    " WHERE i.ip IS NOT NULL ORDER BY n.ord, n.name, i.ord, i.name",
	    "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		node = sqlite3_column_int64(st, 3);
		col(out, st, 0);
		nc_buf_add(out, "\t", 1);
		col(out, st, 1);
		nc_buf_add(out, "-", 1);
		col(out, st, 2);
		if (node != last) {	/* the node's first address */
			nc_buf_add(out, " ", 1);
			col(out, st, 1);
			last = node;
		}
		nc_buf_add(out, "\n", 1);
	}
	if ((rc = finish(c, st, rc)) < 0)
		return rc;

	st = ncfs_sql(c, "SELECT h.ip, h.name, h.aliases FROM hostnames h"
	    " WHERE NOT EXISTS (SELECT 1 FROM nodes n JOIN ifaces i"
	    " ON i.node_id = n.id WHERE n.name = h.name AND i.ip IS NOT NULL)"
	    " ORDER BY h.ord, h.name", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		col(out, st, 0);
		nc_buf_add(out, "\t", 1);
		col(out, st, 1);
		if (sqlite3_column_bytes(st, 2) > 0) {
			nc_buf_add(out, " ", 1);
			col(out, st, 2);
		}
		nc_buf_add(out, "\n", 1);
	}
	return finish(c, st, rc);
}

int
ncfs_render_passwd(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	st = ncfs_sql(c, "SELECT name, uid, gid, fullname, home, shell"
	    " FROM users ORDER BY ord, name", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		col(out, st, 0);
		nc_buf_add(out, ":x:", 3);
		col(out, st, 1);
		nc_buf_add(out, ":", 1);
		col(out, st, 2);
		nc_buf_add(out, ":", 1);
		col(out, st, 3);
		nc_buf_add(out, ":", 1);
		col(out, st, 4);
		nc_buf_add(out, ":", 1);
		col(out, st, 5);
		nc_buf_add(out, "\n", 1);
	}
	return finish(c, st, rc);
}

int
ncfs_render_group(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc, first = 1, members = 0;
	long long id, prev = -1;

	/* One row per (group, member), a group without members once. */
	st = ncfs_sql(c, "SELECT g.name, g.gid, u.name, g.rowid FROM groups g"
	    " LEFT JOIN memberships m ON m.grp = g.name"
	    " LEFT JOIN users u ON u.name = m.user"
	    " ORDER BY g.ord, g.name, u.ord, u.name", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		id = sqlite3_column_int64(st, 3);
		if (first || id != prev) {
			if (!first)
				nc_buf_add(out, "\n", 1);
			col(out, st, 0);
			nc_buf_add(out, ":x:", 3);
			col(out, st, 1);
			nc_buf_add(out, ":", 1);
			first = 0;
			members = 0;
			prev = id;
		}
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		if (members++ > 0)
			nc_buf_add(out, ",", 1);
		col(out, st, 2);
	}
	if (!first)
		nc_buf_add(out, "\n", 1);
	return finish(c, st, rc);
}

int
ncfs_render_shadow(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	st = ncfs_sql(c, "SELECT name, password FROM users"
	    " ORDER BY ord, name", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		col(out, st, 0);
		nc_buf_add(out, ":", 1);
		col(out, st, 1);
		nc_buf_puts(out, "::0:99999:7:::\n");
	}
	return finish(c, st, rc);
}

int
ncfs_render_physical(struct ncfs_conn *c, const char *node,
    struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	st = ncfs_sql(c, "SELECT name, coalesce(mac, '-'), coalesce(lan, '-'),"
	    " coalesce(ip, '-'), coalesce(netmask, '-') FROM pifaces"
	    " WHERE pnode = ?1 ORDER BY ord, name", "s", node);
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		int i;

		for (i = 0; i < 5; i++) {
			if (i > 0)
				nc_buf_add(out, " ", 1);
			col(out, st, i);
		}
		nc_buf_add(out, "\n", 1);
	}
	return finish(c, st, rc);
}

int
ncfs_render_sshkeys(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	st = ncfs_sql(c, "SELECT k.user, k.key FROM sshkeys k JOIN users u"
	    " ON u.name = k.user ORDER BY u.ord, u.name, k.ord, k.rowid", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		col(out, st, 0);
		nc_buf_add(out, " ", 1);
		col(out, st, 1);
		nc_buf_add(out, "\n", 1);
	}
	return finish(c, st, rc);
}

int
ncfs_render_sudoers(struct ncfs_conn *c, struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	st = ncfs_sql(c, "SELECT name FROM users WHERE root != 0"
	    " ORDER BY ord, name", "");
	if (st == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		col(out, st, 0);
		nc_buf_puts(out, " ALL=(ALL) NOPASSWD:ALL\n");
	}
	return finish(c, st, rc);
}

int
ncfs_render_mounts(struct ncfs_conn *c, const char *node,
    struct nc_buf *out)
{
	sqlite3_stmt *st;
	struct nc_buf pnode = { 0 };
	const char *role;
	int rc, container;

	st = ncfs_sql(c, "SELECT role, host FROM nodes WHERE name = ?1", "s",
	    node);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) == 0)
		rc = -ENOENT;
	if (rc < 0)
		goto done;
	role = (const char *)sqlite3_column_text(st, 0);
	container = role != NULL && strcmp(role, "container") == 0 &&
	    sqlite3_column_bytes(st, 1) > 0;
	if (container)
		col(&pnode, st, 1);
	if ((rc = ncfs_sql_end(c, st)) < 0)
		goto done;

	st = ncfs_sql(c, "SELECT server, source, target, options FROM mounts"
	    " ORDER BY ord, target", "");
	if (st == NULL) {
		rc = -EIO;
		goto done;
	}
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		if (container)
			nc_buf_add(out, pnode.p, pnode.len);
		else
			col(out, st, 0);
		nc_buf_add(out, ":", 1);
		col(out, st, 1);
		nc_buf_add(out, " ", 1);
		col(out, st, 2);
		nc_buf_puts(out, " 9p aname=");
		col(out, st, 1);
		if (sqlite3_column_bytes(st, 3) > 0) {
			nc_buf_add(out, ",", 1);
			col(out, st, 3);
		}
		nc_buf_puts(out, " 0 0\n");
	}
	rc = finish(c, st, rc);
done:
	nc_buf_free(&pnode);
	return rc;
}

int
ncfs_render_list(struct ncfs_conn *c, const char *sql, const char *k0,
    struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc, rows = 0;

	if ((st = ncfs_sql(c, sql, "s", k0)) == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		rows++;
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		col(out, st, 0);
		nc_buf_add(out, "\n", 1);
	}
	if ((rc = finish(c, st, rc)) < 0)
		return rc;
	return rows > 0 ? 0 : -ENOENT;
}

int
ncfs_render_keys(struct ncfs_conn *c, const char *user, struct nc_buf *out)
{
	return ncfs_render_list(c, "SELECT k.key FROM users u"
	    " LEFT JOIN sshkeys k ON k.user = u.name WHERE u.name = ?1"
	    " ORDER BY k.ord, k.rowid", user, out);
}
