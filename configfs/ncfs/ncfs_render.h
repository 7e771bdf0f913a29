/*
 * ncfs_render.h: the aggregate files of a node (hosts, passwd, group,
 * shadow, mounts, keys/<user>) rendered from the database in the formats
 * the standard tools read, byte-exact and in the experiment's order; and
 * the small SQL helpers that ncfs_fields.c and ncfs_records.c share.
 */
#ifndef NCFS_RENDER_H
#define NCFS_RENDER_H

#include "ncfs.h"

/*
 * hosts(5): "# neo-containers experiment <name>", then per node and
 * interface with an address "<ip>\t<node>-<lan>" (" <node>" added on the
 * node's first such line), then the hostnames entries for the names that
 * have no line yet: "<ip>\t<name>[ <aliases>]".
 */
int ncfs_render_hosts(struct ncfs_conn *c, struct nc_buf *out);
/*
 * The users a node gets, in passwd order: the names listed by keys/ and
 * accounts/ (every user of the experiment is on every node, so passwd,
 * shadow and sshkeys render every row of users in this order).
 */
#define NCFS_NODE_USERS "SELECT name FROM users ORDER BY ord, name"

/* passwd(5): "<user>:x:<uid>:<gid>:<fullname>:<home>:<shell>" */
int ncfs_render_passwd(struct ncfs_conn *c, struct nc_buf *out);
/* group(5): "<group>:x:<gid>:<user,user>" (members in user order) */
int ncfs_render_group(struct ncfs_conn *c, struct nc_buf *out);
/* A pnode's physical interfaces (tmcc ifconfig), one per line:
 * "IFACE MAC LAN IP NETMASK" ("-" for a missing field). */
int ncfs_render_physical(struct ncfs_conn *c, const char *node,
    struct nc_buf *out);
/* Every user's authorized_keys lines in one file, "<user> <key>" (one
 * read for a provisioner, whatever the number of users). */
int ncfs_render_sshkeys(struct ncfs_conn *c, struct nc_buf *out);
/* sudoers(5) lines for the users who may become root (ROOT=1):
 * "<user> ALL=(ALL) NOPASSWD:ALL" */
int ncfs_render_sudoers(struct ncfs_conn *c, struct nc_buf *out);
/* shadow(5): "<user>:<hash>::0:99999:7:::" (no password aging) */
int ncfs_render_shadow(struct ncfs_conn *c, struct nc_buf *out);
/*
 * fstab(5) lines of node: "<server>:<source> <target> 9p
 * aname=<source>[,<options>] 0 0", the server being the node's pnode for
 * a container, the mount's own server otherwise.  -ENOENT: no such node.
 */
int ncfs_render_mounts(struct ncfs_conn *c, const char *node,
    struct nc_buf *out);
/* authorized_keys(5) lines of user.  -ENOENT: no such user. */
int ncfs_render_keys(struct ncfs_conn *c, const char *user,
    struct nc_buf *out);
/*
 * A list, one line per row: sql(?1 = k0) returns at least one row when the
 * record exists (-ENOENT when not), column 0 of each row is a line (NULL
 * rows skipped: LEFT JOINs of an empty list).
 */
int ncfs_render_list(struct ncfs_conn *c, const char *sql, const char *k0,
    struct nc_buf *out);

/*
 * SQL helpers.  ncfs_sql: the cached statement for sql (a string constant)
 * with parameters bound in order from the arguments, as types says: 's' a
 * string (NULL binds NULL), 'i' a long long, 'd' a double.  NULL on error
 * (logged).  ncfs_sql_step: 1 for a row, 0 at the end, -errno on error
 * (logged); at the end or on error the statement is reset.  ncfs_sql_end:
 * reset the statement
 * (so it holds no read snapshot), 0 or -errno.  ncfs_sql_exec: run a
 * statement without results; the rows it changed, or -errno.
 */
sqlite3_stmt *ncfs_sql(struct ncfs_conn *c, const char *sql,
    const char *types, ...);
int ncfs_sql_step(struct ncfs_conn *c, sqlite3_stmt *st);
int ncfs_sql_end(struct ncfs_conn *c, sqlite3_stmt *st);
int ncfs_sql_exec(struct ncfs_conn *c, const char *sql,
    const char *types, ...);
/* The errno for SQLite result rc on c (a unique constraint: -EEXIST). */
int ncfs_sql_errno(struct ncfs_conn *c, int rc);

#endif
