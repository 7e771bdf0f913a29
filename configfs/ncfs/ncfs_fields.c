/*
 * ncfs_fields.c: how each file of the tree (each file row of the contract,
 * lib/nctree.h) is read and written: ncfs_field_table[].
 *
 * A get appends the value and a newline (an unset value reads as just the
 * newline; a list as one line per item, nothing when empty).  A set is
 * handed the value without its trailing newline, inside the caller's
 * transaction: it validates the value completely (ncfs_validate.h, then
 * the checks that need the database: the LAN's subnet, uniqueness,
 * existence) before its first write, so a refusal changes nothing.  A
 * record that vanished reads and writes as -ENOENT.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "images.h"
#include "inet.h"
#include "ncfs.h"
#include "ncfs_log.h"
#include "ncfs_render.h"
#include "ncfs_validate.h"
#include "util.h"
#include "valid.h"

/* How get_value shows column 0. */
enum {
	V_TEXT,			/* as text (NULL: nothing) */
	V_REAL,			/* a number, shortest exact decimal form */
};

/* The shortest decimal that reads back as v. */
static void
put_real(struct nc_buf *out, double v)
{
	char b[64];
	int p;

	if (v == 0) {
		nc_buf_puts(out, "0");
		return;
	}
	if (fabs(v) < 1e15)
		for (p = 0; p <= 17; p++) {
			snprintf(b, sizeof(b), "%.*f", p, v);
			if (strtod(b, NULL) == v) {
				nc_buf_puts(out, b);
				return;
			}
		}
	snprintf(b, sizeof(b), "%.17g", v);
	nc_buf_puts(out, b);
}

/*
 * The one row of sql, its parameters bound from types as (k[0], k[1]):
 * column 0 and a newline appended to out.  -ENOENT when there is no row.
 */
static int
get_value(struct ncfs_conn *c, const char *sql, const char *types,
    const struct ncfs_ref *r, int how, struct nc_buf *out)
{
	sqlite3_stmt *st;
	const unsigned char *s;
	int rc;

	if ((st = ncfs_sql(c, sql, types, r->k[0], r->k[1])) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	if (rc == 0)
		return -ENOENT;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		if (how == V_REAL)
			put_real(out, sqlite3_column_double(st, 0));
		else if ((s = sqlite3_column_text(st, 0)) != NULL)
			nc_buf_add(out, s,
			    (size_t)sqlite3_column_bytes(st, 0));
	}
	nc_buf_add(out, "\n", 1);
	return ncfs_sql_end(c, st);
}

/* Text column i of st for a message. */
static const char *
coltext(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "?";
}

/* The result of an UPDATE of one record: -ENOENT when it matched none. */
static int
updated(int n, struct nc_buf *why)
{
	if (n < 0)
		return n;
	if (n == 0) {
		nc_buf_puts(why, "the record no longer exists");
		return -ENOENT;
	}
	return 0;
}

/* 1 when sql(?1 = key) returns a row, 0 when not, -errno. */
static int
exists(struct ncfs_conn *c, const char *sql, const char *key)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, sql, "s", key)) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	return ncfs_sql_end(c, st) < 0 ? -EIO : rc;
}

static int
node_exists(struct ncfs_conn *c, const char *node)
{
	return exists(c, "SELECT 1 FROM nodes WHERE name = ?1", node);
}

/*
 * Column 0 of the one row of sql(?1 = key) as a new string into *out
 * (NULL for a NULL value).  1 when there was a row, 0 when not, -errno.
 */
static int
query_str(struct ncfs_conn *c, const char *sql, const char *key, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((st = ncfs_sql(c, sql, "s", key)) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc;
	*out = nc_strdup0((const char *)sqlite3_column_text(st, 0));
	if (ncfs_sql_end(c, st) < 0) {
		free(*out);
		*out = NULL;
		return -EIO;
	}
	return 1;
}

/* Getters of one column: fn reads sql with the keys bound as types. */
#define GET(fn, types, sql)						\
static int								\
fn(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)	\
{									\
	return get_value(c, sql, types, r, V_TEXT, out);		\
}

#define GET_REAL(fn, types, sql)					\
static int								\
fn(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)	\
{									\
	return get_value(c, sql, types, r, V_REAL, out);		\
}

/* Getters of a list: sql(?1 = k[0]), see ncfs_render_list. */
#define LIST(fn, sql)							\
static int								\
fn(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)	\
{									\
	return ncfs_render_list(c, sql, r->k[0], out);			\
}

/*
 * Setters of one text column: check(what, value, why), then sql with ?1
 * the value (NULL when empty and nullable) and the keys bound after it as
 * types says.
 */
#define SET(fn, what, check, nullable, types, sql)			\
static int								\
fn(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,	\
    struct nc_buf *why)							\
{									\
	int rc;								\
									\
	if ((rc = check(what, value, why)) < 0)				\
		return rc;						\
	return updated(ncfs_sql_exec(c, sql, types,			\
	    (nullable) && *value == '\0' ? NULL : value, r->k[0],	\
	    r->k[1]), why);						\
}

/* experiment/ */

GET(exp_name_get, "", "SELECT name FROM experiment WHERE id = 1")
GET(exp_project_get, "", "SELECT project FROM experiment WHERE id = 1")
GET(exp_group_get, "", "SELECT grp FROM experiment WHERE id = 1")
GET(exp_control_get, "", "SELECT control FROM experiment WHERE id = 1")
GET(exp_addr_get, "", "SELECT control_addr FROM experiment WHERE id = 1")
GET(exp_generation_get, "",
    "SELECT generation FROM experiment WHERE id = 1")
GET(exp_confgen_get, "", "SELECT confgen FROM experiment WHERE id = 1")
SET(exp_name_set, "name", ncfs_v_label, 0, "s",
    "UPDATE experiment SET name = ?1 WHERE id = 1")
SET(exp_project_set, "project", ncfs_v_label, 0, "s",
    "UPDATE experiment SET project = ?1 WHERE id = 1")
SET(exp_group_set, "group", ncfs_v_label, 0, "s",
    "UPDATE experiment SET grp = ?1 WHERE id = 1")

static int
exp_addr_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	uint32_t ip;
	int rc;

	(void)r;
	if (*value != '\0' && (rc = ncfs_v_ip("control_addr", value, &ip,
	    why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE experiment SET control_addr"
	    " = ?1 WHERE id = 1", "s", *value == '\0' ? NULL : value), why);
}

/* nodes/<n>/ */

GET(node_role_get, "s", "SELECT role FROM nodes WHERE name = ?1")
GET(node_os_get, "s", "SELECT os FROM nodes WHERE name = ?1")
GET(node_hw_get, "s", "SELECT hardware FROM nodes WHERE name = ?1")
GET(node_startcmd_get, "s", "SELECT startcmd FROM nodes WHERE name = ?1")
GET(node_fa_get, "s", "SELECT failure_action FROM nodes WHERE name = ?1")
GET(node_host_get, "s", "SELECT host FROM nodes WHERE name = ?1")
LIST(node_tarfiles_get, "SELECT t.dir || ' ' || t.file FROM nodes n"
    " LEFT JOIN tarfiles t ON t.node_id = n.id WHERE n.name = ?1"
    " ORDER BY t.ord")
LIST(node_containers_get, "SELECT c.name FROM nodes p"
    " LEFT JOIN nodes c ON p.role = 'pnode' AND c.host = p.name"
    " AND c.role = 'container' WHERE p.name = ?1 ORDER BY c.ord, c.name")
/* A node's generation: its own last change, or one of every node's. */
GET(node_confgen_get, "s", "SELECT max(n.confgen, e.allgen) FROM nodes n"
    " JOIN experiment e ON e.id = 1 WHERE n.name = ?1")
LIST(node_guests_get, "SELECT c.name || ' ' || max(c.confgen, e.allgen)"
    " FROM nodes p JOIN experiment e ON e.id = 1"
    " LEFT JOIN nodes c ON p.role = 'pnode' AND c.host = p.name"
    " AND c.role = 'container' WHERE p.name = ?1 ORDER BY c.ord, c.name")

/*
 * A container's OS picks its image in the same transaction: the first
 * image (catalog order) whose osnames match it, the default image for an
 * empty os; an OS no image serves is refused (EINVAL), since it would
 * make the node's image ambiguous.  Other nodes' os is only a value.
 */
static int
node_os_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	sqlite3_stmt *st;
	char *role = NULL, *img = NULL;
	int rc;

	if ((rc = ncfs_v_word("os", value, why)) < 0)
		return rc;
	if ((rc = query_str(c, "SELECT role FROM nodes WHERE name = ?1",
	    r->k[0], &role)) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	if (role != NULL && strcmp(role, "container") == 0) {
		if (*value == '\0')
			img = nc_strdup(NC_IMAGE_DEFAULT);
		else if ((st = ncfs_sql(c, "SELECT name, osnames FROM images"
		    " ORDER BY ord", "")) == NULL) {
			rc = -EIO;
			goto done;
		} else {
			while ((rc = ncfs_sql_step(c, st)) > 0)
				if (img == NULL && nc_osnames_match(
				    (const char *)sqlite3_column_text(st, 1),
				    value))
					img = nc_strdup(coltext(st, 0));
			if (rc < 0 || ncfs_sql_end(c, st) < 0) {
				rc = rc < 0 ? rc : -EIO;
				goto done;
			}
		}
		if (img == NULL) {
			nc_buf_printf(why, "os: no image serves OS \"%s\" "
			    "(add it to an image's osnames first)", value);
			rc = -EINVAL;
			goto done;
		}
		if ((rc = ncfs_sql_exec(c, "UPDATE nodes SET image = ?1"
		    " WHERE name = ?2", "ss", img, r->k[0])) < 0)
			goto done;
	}
	rc = updated(ncfs_sql_exec(c, "UPDATE nodes SET os = ?1"
	    " WHERE name = ?2", "ss", *value == '\0' ? NULL : value, r->k[0]),
	    why);
done:
	free(role);
	free(img);
	return rc;
}
SET(node_hw_set, "hardware", ncfs_v_word, 1, "ss",
    "UPDATE nodes SET hardware = ?1 WHERE name = ?2")
SET(node_startcmd_set, "startcmd", ncfs_v_text, 1, "ss",
    "UPDATE nodes SET startcmd = ?1 WHERE name = ?2")
SET(node_fa_set, "failure_action", ncfs_v_failure_action, 0, "ss",
    "UPDATE nodes SET failure_action = ?1 WHERE name = ?2")

/*
 * A role change keeps the tree coherent: the control node stays config
 * and no other node becomes config; a pnode that hosts containers stays a
 * pnode; a node that stops being a container loses its host.
 */
static int
node_role_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	sqlite3_stmt *st;
	char *old = NULL, *control = NULL;
	long long hosted = 0;
	int rc;

	if ((rc = ncfs_v_role("role", value, why)) < 0)
		return rc;
	st = ncfs_sql(c, "SELECT n.role, e.control FROM nodes n"
	    " LEFT JOIN experiment e ON e.id = 1 WHERE n.name = ?1", "s",
	    r->k[0]);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	old = nc_strdup0((const char *)sqlite3_column_text(st, 0));
	control = nc_strdup0((const char *)sqlite3_column_text(st, 1));
	if ((rc = ncfs_sql_end(c, st)) < 0)
		goto done;
	if (old == NULL || strcmp(old, value) == 0)
		goto done;
	if (control != NULL && strcmp(control, r->k[0]) == 0) {
		nc_buf_printf(why, "role: %s is the experiment's control node;"
		    " its role stays config", r->k[0]);
		rc = -EINVAL;
		goto done;
	}
	if (strcmp(value, "config") == 0) {
		nc_buf_printf(why, "role: only the control node (%s) has role "
		    "config", control != NULL ? control : "none");
		rc = -EINVAL;
		goto done;
	}
	if (strcmp(old, "pnode") == 0) {
		st = ncfs_sql(c, "SELECT count(*) FROM nodes WHERE host = ?1"
		    " AND role = 'container'", "s", r->k[0]);
		if (st == NULL) {
			rc = -EIO;
			goto done;
		}
		if ((rc = ncfs_sql_step(c, st)) < 0)
			goto done;
		hosted = sqlite3_column_int64(st, 0);
		if ((rc = ncfs_sql_end(c, st)) < 0)
			goto done;
		if (hosted > 0) {
			nc_buf_printf(why, "role: %s hosts %lld container%s; "
			    "give %s another host first", r->k[0], hosted,
			    hosted == 1 ? "" : "s",
			    hosted == 1 ? "it" : "them");
			rc = -EINVAL;
			goto done;
		}
	}
	rc = updated(ncfs_sql_exec(c, "UPDATE nodes SET role = ?1, host ="
	    " CASE WHEN ?1 = 'container' THEN host ELSE NULL END"
	    " WHERE name = ?2", "ss", value, r->k[0]), why);
done:
	free(old);
	free(control);
	return rc;
}

/* A container's host is an existing pnode; other nodes have none. */
static int
node_host_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	char *role = NULL, *hrole = NULL;
	int rc, container;

	if (*value != '\0' && (rc = ncfs_v_label("host", value, why)) < 0)
		return rc;
	rc = query_str(c, "SELECT role FROM nodes WHERE name = ?1", r->k[0],
	    &role);
	if (rc <= 0)
		return rc == 0 ? updated(0, why) : rc;
	container = role != NULL && strcmp(role, "container") == 0;
	rc = -EINVAL;
	if (*value == '\0' && container) {
		nc_buf_printf(why, "host: %s is a container and needs a pnode",
		    r->k[0]);
		goto done;
	}
	if (*value != '\0' && !container) {
		nc_buf_printf(why, "host: %s is a %s; only containers have a "
		    "host", r->k[0], role != NULL ? role : "node");
		goto done;
	}
	if (*value != '\0') {
		rc = query_str(c, "SELECT role FROM nodes WHERE name = ?1",
		    value, &hrole);
		if (rc < 0)
			goto done;
		if (rc == 0 || hrole == NULL || strcmp(hrole, "pnode") != 0) {
			nc_buf_printf(why, "host: %s is %s", value, rc == 0 ?
			    "not a node of the experiment" : "not a pnode");
			rc = -EINVAL;
			goto done;
		}
	}
	rc = updated(ncfs_sql_exec(c, "UPDATE nodes SET host = ?1"
	    " WHERE name = ?2", "ss", *value == '\0' ? NULL : value,
	    r->k[0]), why);
done:
	free(role);
	free(hrole);
	return rc;
}

/* The rendered files: the node must exist. */
#define RENDER(fn, render)						\
static int								\
fn(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)	\
{									\
	int rc = node_exists(c, r->k[0]);				\
									\
	if (rc <= 0)							\
		return rc == 0 ? -ENOENT : rc;				\
	return render(c, out);						\
}

RENDER(node_hosts_get, ncfs_render_hosts)
RENDER(node_passwd_get, ncfs_render_passwd)
RENDER(node_group_get, ncfs_render_group)
RENDER(node_shadow_get, ncfs_render_shadow)
RENDER(node_sudoers_get, ncfs_render_sudoers)
RENDER(node_sshkeys_get, ncfs_render_sshkeys)

static int
node_mounts_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	return ncfs_render_mounts(c, r->k[0], out);
}

static int
node_physical_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	return ncfs_render_physical(c, r->k[0], out);
}

/* The node's routes, one a line; none: nothing. */
static int
node_routes_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, "SELECT routes FROM nodes WHERE name = ?1", "s",
	    r->k[0])) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	if (rc == 0)
		return -ENOENT;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    sqlite3_column_bytes(st, 0) > 0) {
		nc_buf_add(out, sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		nc_buf_add(out, "\n", 1);
	}
	return ncfs_sql_end(c, st);
}

/*
 * Each gateway must lie on a subnet of one of the node's interfaces (and
 * not be its own address): the kernel refuses any other next hop.
 */
static int
gateways_reachable(struct ncfs_conn *c, const char *node,
    const struct ncfs_list *l, const uint32_t *gws, struct nc_buf *why)
{
	sqlite3_stmt *st;
	struct { uint32_t ip, mask; } *nets = NULL, *x;	/* its subnets */
	uint32_t a, m;
	size_t n = 0, cap = 0, i, k;
	const char *s;
	char g[16];
	int rc;

	if ((st = ncfs_sql(c, "SELECT i.ip, COALESCE(i.netmask, l.netmask,"
	    " '255.255.255.0') FROM ifaces i JOIN nodes n ON n.id = i.node_id"
	    " JOIN lans l ON l.id = i.lan_id WHERE n.name = ?1"
	    " AND i.ip IS NOT NULL", "s", node)) == NULL)
		return -EIO;
	while ((rc = ncfs_sql_step(c, st)) == 1) {
		s = (const char *)sqlite3_column_text(st, 0);
		if (s == NULL || nc_ip_parse(s, &a) < 0)
			continue;
		s = (const char *)sqlite3_column_text(st, 1);
		if (s == NULL || nc_mask_parse(s, &m) < 0)
			continue;
		x = NC_PUSH(nets, n, cap);
		x->ip = a;
		x->mask = m;
	}
	if (rc < 0 || (rc = ncfs_sql_end(c, st)) < 0)
		goto out;
	for (i = 0; i < l->n; i++) {
		for (k = 0; k < n; k++)
			if ((gws[i] & nets[k].mask) ==
			    (nets[k].ip & nets[k].mask) && gws[i] != nets[k].ip)
				break;
		if (k == n) {
			nc_buf_printf(why, "routes: \"%s\": gateway %s is on "
			    "no subnet of %s's interfaces", l->v[i],
			    nc_ip_format(gws[i], g), node);
			rc = -EINVAL;
			goto out;
		}
	}
	rc = 0;
out:
	free(nets);
	return rc;
}

/* The routes written, each checked, stored in their canonical form. */
static int
node_routes_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct ncfs_list l = { 0 };
	struct nc_buf text = { 0 };
	uint32_t *gws = NULL;
	size_t i;
	int rc;

	if ((rc = ncfs_v_route_list("routes", value, &l, &gws, why)) < 0)
		goto done;
	if ((rc = node_exists(c, r->k[0])) <= 0) {
		rc = rc == 0 ? updated(0, why) : rc;
		goto done;
	}
	if ((rc = gateways_reachable(c, r->k[0], &l, gws, why)) < 0)
		goto done;
	for (i = 0; i < l.n; i++) {
		if (i > 0)
			nc_buf_add(&text, "\n", 1);
		nc_buf_puts(&text, l.v[i]);
	}
	rc = updated(ncfs_sql_exec(c, "UPDATE nodes SET routes = ?1"
	    " WHERE name = ?2", "ss", l.n > 0 ? nc_buf_str(&text) : NULL,
	    r->k[0]), why);
done:
	nc_buf_free(&text);
	free(gws);
	ncfs_list_free(&l);
	return rc;
}

/*
 * 1 when the node forwards: it has two or more interfaces and some node
 * has routes, or an address of it is the gateway of a route of a node on
 * one of its LANs.
 */
GET(node_forwarding_get, "s", "SELECT CASE WHEN"
    " ((SELECT count(*) FROM ifaces WHERE node_id = n.id) >= 2"
    " AND EXISTS (SELECT 1 FROM nodes WHERE routes IS NOT NULL))"
    " OR EXISTS (SELECT 1 FROM ifaces i"
    " JOIN ifaces j ON j.lan_id = i.lan_id AND j.node_id <> i.node_id"
    " JOIN nodes o ON o.id = j.node_id"
    " WHERE i.node_id = n.id AND i.ip IS NOT NULL AND o.routes IS NOT NULL"
    " AND instr(o.routes || char(10), ' via ' || i.ip || char(10)) > 0)"
    " THEN 1 ELSE 0 END FROM nodes n WHERE n.name = ?1")

/* "STATE TIME[ STEP[ MESSAGE]]"; a node never heard of is pending. */
static int
node_status_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	sqlite3_stmt *st;
	const unsigned char *s;
	int rc, i;

	st = ncfs_sql(c, "SELECT s.state, s.time, s.step, s.message"
	    " FROM nodes n LEFT JOIN status s ON s.node = n.name"
	    " WHERE n.name = ?1", "s", r->k[0]);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc == 0 ? -ENOENT : rc;
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		nc_buf_puts(out, "pending 0\n");
		return ncfs_sql_end(c, st);
	}
	for (i = 0; i < 4; i++) {
		if ((s = sqlite3_column_text(st, i)) == NULL || *s == '\0')
			continue;
		if (i > 0)
			nc_buf_add(out, " ", 1);
		nc_buf_add(out, s, (size_t)sqlite3_column_bytes(st, i));
	}
	nc_buf_add(out, "\n", 1);
	return ncfs_sql_end(c, st);
}

static int
node_status_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct ncfs_status s;
	char *msg;
	int rc;

	if ((rc = ncfs_v_status("status", value, &s, why)) < 0)
		return rc;
	if ((rc = node_exists(c, r->k[0])) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	msg = s.message == NULL ? NULL :
	    nc_asprintf("%.*s", (int)s.message_len, s.message);
	rc = ncfs_sql_exec(c, "INSERT OR REPLACE INTO status"
	    " (node, state, time, step, message) VALUES (?1, ?2, ?3, ?4, ?5)",
	    "ssiss", r->k[0], s.state, s.time, s.step[0] ? s.step : NULL,
	    msg);
	free(msg);
	return rc < 0 ? rc : 0;
}

/* "running TIME", "exited N TIME", "killed SIG TIME"; empty: none. */
static int
node_startstatus_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	struct nct_startstatus s = { 0 };
	sqlite3_stmt *st;
	const unsigned char *w;
	char line[64];
	int rc, k;

	st = ncfs_sql(c, "SELECT s.state, s.code, s.time FROM nodes n"
	    " LEFT JOIN startstatus s ON s.node = n.name WHERE n.name = ?1",
	    "s", r->k[0]);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc == 0 ? -ENOENT : rc;
	if ((w = sqlite3_column_text(st, 0)) != NULL) {
		for (k = 0; k < NCT_NSTARTS; k++)
			if (strcmp((const char *)w, nct_starts[k]) == 0)
				s.state = (enum nct_start)k;
		s.code = sqlite3_column_int(st, 1);
		s.time = sqlite3_column_int64(st, 2);
		if (nct_start_format(line, sizeof(line), &s) > 0)
			nc_buf_puts(out, line);
	}
	nc_buf_add(out, "\n", 1);
	return ncfs_sql_end(c, st);
}

/* Written by the node itself; empty removes the row. */
static int
node_startstatus_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct nct_startstatus s;
	int rc;

	if (*value != '\0' && (rc = ncfs_v_startstatus("startstatus", value,
	    &s, why)) < 0)
		return rc;
	if ((rc = node_exists(c, r->k[0])) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	if (*value == '\0')
		rc = ncfs_sql_exec(c, "DELETE FROM startstatus WHERE node = ?1",
		    "s", r->k[0]);
	else
		rc = ncfs_sql_exec(c, "INSERT OR REPLACE INTO startstatus"
		    " (node, state, code, time) VALUES (?1, ?2, ?3, ?4)",
		    "ssii", r->k[0], nct_starts[s.state], (long long)s.code,
		    s.time);
	return rc < 0 ? rc : 0;
}

GET(node_control_get, "s", "SELECT c.ip FROM nodes n"
    " LEFT JOIN control c ON c.node = n.name WHERE n.name = ?1")

/* A container's control address, written by its pnode; empty removes it. */
static int
node_control_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	uint32_t ip;
	int rc;

	if (*value != '\0' && (rc = ncfs_v_ip("control", value, &ip,
	    why)) < 0)
		return rc;
	if ((rc = node_exists(c, r->k[0])) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	if (*value == '\0')
		rc = ncfs_sql_exec(c, "DELETE FROM control WHERE node = ?1",
		    "s", r->k[0]);
	else
		rc = ncfs_sql_exec(c, "INSERT OR REPLACE INTO control"
		    " (node, ip) VALUES (?1, ?2)", "ss", r->k[0], value);
	return rc < 0 ? rc : 0;
}

/* nodes/<n>/image/: the images row the node names. */

GET(nimg_name_get, "s", "SELECT image FROM nodes WHERE name = ?1")
GET(nimg_os_get, "s", "SELECT i.os FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")
GET(nimg_type_get, "s", "SELECT i.type FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")
GET(nimg_url_get, "s", "SELECT i.url FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")
GET(nimg_version_get, "s", "SELECT i.version FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")
GET(nimg_provider_get, "s", "SELECT i.provider FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")
GET(nimg_packages_get, "s", "SELECT i.packages FROM nodes n"
    " LEFT JOIN images i ON i.name = n.image WHERE n.name = ?1")

/* nodes/<n>/ifaces/<if>/ */

#define IFACE_JOIN " FROM nodes n JOIN ifaces i ON i.node_id = n.id"	\
	" JOIN lans l ON l.id = i.lan_id WHERE n.name = ?1 AND i.name = ?2"
#define IFACE_WHERE " WHERE node_id = (SELECT id FROM nodes"		\
	" WHERE name = ?2) AND name = ?3"

GET(if_lan_get, "ss", "SELECT l.name" IFACE_JOIN)
GET(if_ip_get, "ss", "SELECT i.ip" IFACE_JOIN)
GET(if_mac_get, "ss", "SELECT i.mac" IFACE_JOIN)
GET(if_netmask_get, "ss",
    "SELECT COALESCE(i.netmask, l.netmask, '255.255.255.0')" IFACE_JOIN)
GET(if_bw_get, "ss",
    "SELECT COALESCE(i.bandwidth_kbps, l.bandwidth_kbps)" IFACE_JOIN)
GET_REAL(if_delay_get, "ss",
    "SELECT COALESCE(i.delay_ms, l.delay_ms)" IFACE_JOIN)
GET_REAL(if_loss_get, "ss", "SELECT COALESCE(i.loss, l.loss)" IFACE_JOIN)

/* The interface being written: its row and its LAN. */
struct iface {
	long long node_id;	/* ifaces.node_id */
	long long lan_id;	/* ifaces.lan_id */
	char *lan;		/* the LAN's name */
	uint32_t mask;		/* the LAN's netmask */
};

static int
iface_find(struct ncfs_conn *c, const struct ncfs_ref *r, struct iface *f,
    struct nc_buf *why)
{
	sqlite3_stmt *st;
	const char *m;
	int rc;

	memset(f, 0, sizeof(*f));
	st = ncfs_sql(c, "SELECT i.node_id, i.lan_id, l.name,"
	    " COALESCE(l.netmask, '255.255.255.0')" IFACE_JOIN, "ss",
	    r->k[0], r->k[1]);
	if (st == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	f->node_id = sqlite3_column_int64(st, 0);
	f->lan_id = sqlite3_column_int64(st, 1);
	f->lan = nc_strdup0((const char *)sqlite3_column_text(st, 2));
	m = (const char *)sqlite3_column_text(st, 3);
	if (f->lan == NULL || m == NULL || nc_mask_parse(m, &f->mask) < 0) {
		ncfs_log("ifaces/%s: LAN %s has a bad netmask", r->k[1],
		    f->lan != NULL ? f->lan : "?");
		(void)ncfs_sql_end(c, st);
		free(f->lan);
		f->lan = NULL;
		return -EIO;
	}
	return ncfs_sql_end(c, st);
}

/*
 * Who else uses value in column ip or mac: sql(?1 value, ?2 node_id, ?3
 * interface).  -EEXIST naming them, 0 when nobody, -errno.
 */
static int
iface_unique(struct ncfs_conn *c, const char *sql, const char *what,
    const char *value, const struct ncfs_ref *r, const struct iface *f,
    struct nc_buf *why)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, sql, "sis", value, f->node_id, r->k[1])) ==
	    NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) <= 0)
		return rc;
	nc_buf_printf(why, "%s: %s is already used by %s's %s", what, value,
	    coltext(st, 0), coltext(st, 1));
	return ncfs_sql_end(c, st) < 0 ? -EIO : -EEXIST;
}

static int
if_ip_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	struct iface f;
	sqlite3_stmt *st;
	uint32_t ip, peer;
	const char *s;
	int rc, have_peer = 0;

	if ((rc = ncfs_v_ip("ip", value, &ip, why)) < 0)
		return rc;
	if ((rc = iface_find(c, r, &f, why)) < 0)
		return rc;
	st = ncfs_sql(c, "SELECT ip FROM ifaces WHERE lan_id = ?1"
	    " AND ip IS NOT NULL AND NOT (node_id = ?2 AND name = ?3)"
	    " ORDER BY member_ord LIMIT 1", "iis", f.lan_id, f.node_id,
	    r->k[1]);
	if (st == NULL) {
		rc = -EIO;
		goto done;
	}
	if ((rc = ncfs_sql_step(c, st)) < 0)
		goto done;
	if (rc == 1 && (s = (const char *)sqlite3_column_text(st, 0)) !=
	    NULL && nc_ip_parse(s, &peer) == 0)
		have_peer = 1;
	if ((rc = ncfs_sql_end(c, st)) < 0)
		goto done;
	if ((rc = ncfs_v_ip_subnet("ip", ip, f.mask, have_peer ? &peer : NULL,
	    f.lan, why)) < 0)
		goto done;
	if ((rc = iface_unique(c, "SELECT n.name, i.name FROM ifaces i"
	    " JOIN nodes n ON n.id = i.node_id WHERE i.ip = ?1"
	    " AND NOT (i.node_id = ?2 AND i.name = ?3)", "ip", value, r, &f,
	    why)) < 0)
		goto done;
	rc = updated(ncfs_sql_exec(c, "UPDATE ifaces SET ip = ?1"
	    " WHERE node_id = ?2 AND name = ?3", "sis", value, f.node_id,
	    r->k[1]), why);
done:
	free(f.lan);
	return rc;
}

static int
if_mac_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	struct iface f;
	char mac[18];
	int rc;

	if ((rc = ncfs_v_mac("mac", value, mac, why)) < 0)
		return rc;
	if ((rc = iface_find(c, r, &f, why)) < 0)
		return rc;
	if ((rc = iface_unique(c, "SELECT n.name, i.name FROM ifaces i"
	    " JOIN nodes n ON n.id = i.node_id WHERE i.mac = ?1"
	    " AND NOT (i.node_id = ?2 AND i.name = ?3)", "mac", mac, r, &f,
	    why)) < 0)
		goto done;
	rc = updated(ncfs_sql_exec(c, "UPDATE ifaces SET mac = ?1"
	    " WHERE node_id = ?2 AND name = ?3", "sis", mac, f.node_id,
	    r->k[1]), why);
done:
	free(f.lan);
	return rc;
}

/*
 * Link shaping of an interface: a value overrides the LAN's, an empty one
 * goes back to it.  sql: ?1 the value, ?2 the node, ?3 the interface.
 */
static int
if_bw_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	static const char sql[] = "UPDATE ifaces SET bandwidth_kbps = ?1"
	    IFACE_WHERE;
	long kbps;
	int rc;

	if (*value == '\0')
		return updated(ncfs_sql_exec(c, sql, "sss", NULL, r->k[0],
		    r->k[1]), why);
	if ((rc = ncfs_v_bandwidth("bandwidth", value, &kbps, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, sql, "iss", (long long)kbps, r->k[0],
	    r->k[1]), why);
}

static int
if_delay_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	static const char sql[] = "UPDATE ifaces SET delay_ms = ?1"
	    IFACE_WHERE;
	double ms;
	int rc;

	if (*value == '\0')
		return updated(ncfs_sql_exec(c, sql, "sss", NULL, r->k[0],
		    r->k[1]), why);
	if ((rc = ncfs_v_delay("delay", value, &ms, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, sql, "dss", ms, r->k[0], r->k[1]),
	    why);
}

static int
if_loss_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	static const char sql[] = "UPDATE ifaces SET loss = ?1" IFACE_WHERE;
	double loss;
	int rc;

	if (*value == '\0')
		return updated(ncfs_sql_exec(c, sql, "sss", NULL, r->k[0],
		    r->k[1]), why);
	if ((rc = ncfs_v_loss("loss", value, &loss, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, sql, "dss", loss, r->k[0], r->k[1]),
	    why);
}

/* lans/<l>/ */

GET(lan_kind_get, "s", "SELECT kind FROM lans WHERE name = ?1")
GET(lan_bw_get, "s", "SELECT bandwidth_kbps FROM lans WHERE name = ?1")
GET_REAL(lan_delay_get, "s", "SELECT delay_ms FROM lans WHERE name = ?1")
GET_REAL(lan_loss_get, "s", "SELECT loss FROM lans WHERE name = ?1")
GET(lan_netmask_get, "s",
    "SELECT COALESCE(netmask, '255.255.255.0') FROM lans WHERE name = ?1")
LIST(lan_members_get, "SELECT n.name FROM lans l"
    " LEFT JOIN ifaces i ON i.lan_id = l.id"
    " LEFT JOIN nodes n ON n.id = i.node_id WHERE l.name = ?1"
    " ORDER BY i.member_ord, n.ord, n.name")

static int
lan_bw_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	long kbps;
	int rc;

	if ((rc = ncfs_v_bandwidth("bandwidth", value, &kbps, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE lans SET bandwidth_kbps = ?1"
	    " WHERE name = ?2", "is", (long long)kbps, r->k[0]), why);
}

static int
lan_delay_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	double ms;
	int rc;

	if ((rc = ncfs_v_delay("delay", value, &ms, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE lans SET delay_ms = ?1"
	    " WHERE name = ?2", "ds", ms, r->k[0]), why);
}

static int
lan_loss_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	double loss;
	int rc;

	if ((rc = ncfs_v_loss("loss", value, &loss, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE lans SET loss = ?1"
	    " WHERE name = ?2", "ds", loss, r->k[0]), why);
}

/* users/<u>/ */

GET(user_uid_get, "s", "SELECT uid FROM users WHERE name = ?1")
GET(user_gid_get, "s", "SELECT gid FROM users WHERE name = ?1")
GET(user_name_get, "s", "SELECT fullname FROM users WHERE name = ?1")
GET(user_home_get, "s", "SELECT home FROM users WHERE name = ?1")
GET(user_shell_get, "s", "SELECT shell FROM users WHERE name = ?1")
GET(user_password_get, "s", "SELECT password FROM users WHERE name = ?1")
GET(user_root_get, "s", "SELECT root FROM users WHERE name = ?1")
#define USER_GROUPS_SQL "SELECT m.grp FROM users u"			\
    " LEFT JOIN memberships m ON m.user = u.name WHERE u.name = ?1"	\
    " ORDER BY m.ord, m.grp"
LIST(user_groups_get, USER_GROUPS_SQL)
SET(user_name_set, "name", ncfs_v_fullname, 0, "ss",
    "UPDATE users SET fullname = ?1 WHERE name = ?2")
SET(user_home_set, "home", ncfs_v_home, 0, "ss",
    "UPDATE users SET home = ?1 WHERE name = ?2")
SET(user_shell_set, "shell", ncfs_v_shell, 0, "ss",
    "UPDATE users SET shell = ?1 WHERE name = ?2")
SET(user_password_set, "password", ncfs_v_password, 0, "ss",
    "UPDATE users SET password = ?1 WHERE name = ?2")

static int
user_keys_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	return ncfs_render_keys(c, r->k[0], out);
}

static int
user_exists(struct ncfs_conn *c, const char *user)
{
	return exists(c, "SELECT 1 FROM users WHERE name = ?1", user);
}

static int
group_exists(struct ncfs_conn *c, const char *group)
{
	return exists(c, "SELECT 1 FROM groups WHERE name = ?1", group);
}

/*
 * A numeric id column that must be unique: taken (sql ?1 = id, ?2 =
 * record) names the record that has it already.
 */
static int
id_set(struct ncfs_conn *c, const char *what, const char *value,
    const char *record, const char *taken, const char *update,
    struct nc_buf *why)
{
	sqlite3_stmt *st;
	long id;
	int rc;

	if ((rc = ncfs_v_id(what, value, &id, why)) < 0)
		return rc;
	if (taken != NULL) {
		if ((st = ncfs_sql(c, taken, "is", (long long)id, record)) ==
		    NULL)
			return -EIO;
		if ((rc = ncfs_sql_step(c, st)) < 0)
			return rc;
		if (rc == 1) {
			nc_buf_printf(why, "%s: %ld is already %s's", what, id,
			    coltext(st, 0));
			return ncfs_sql_end(c, st) < 0 ? -EIO : -EEXIST;
		}
		if ((rc = ncfs_sql_end(c, st)) < 0)
			return rc;
	}
	return updated(ncfs_sql_exec(c, update, "is", (long long)id, record),
	    why);
}

static int
user_uid_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	int rc;

	if ((rc = user_exists(c, r->k[0])) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	return id_set(c, "uid", value, r->k[0],
	    "SELECT name FROM users WHERE uid = ?1 AND name <> ?2",
	    "UPDATE users SET uid = ?1 WHERE name = ?2", why);
}

static int
user_gid_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	return id_set(c, "gid", value, r->k[0], NULL,
	    "UPDATE users SET gid = ?1 WHERE name = ?2", why);
}

static int
user_root_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	int rc, b;

	if ((rc = ncfs_v_bool("root", value, &b, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE users SET root = ?1"
	    " WHERE name = ?2", "is", (long long)b, r->k[0]), why);
}

/* The user's groups, replaced by the list written (each must exist). */
static int
user_groups_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct ncfs_list l = { 0 };
	size_t i;
	int rc;

	if ((rc = ncfs_v_name_list("groups", value, &l, why)) < 0)
		goto done;
	if ((rc = user_exists(c, r->k[0])) <= 0) {
		rc = rc == 0 ? updated(0, why) : rc;
		goto done;
	}
	for (i = 0; i < l.n; i++) {
		if ((rc = group_exists(c, l.v[i])) < 0)
			goto done;
		if (rc == 0) {
			nc_buf_printf(why, "groups: there is no group %s",
			    l.v[i]);
			rc = -EINVAL;
			goto done;
		}
	}
	if ((rc = ncfs_sql_exec(c, "DELETE FROM memberships WHERE user = ?1",
	    "s", r->k[0])) < 0)
		goto done;
	for (i = 0; i < l.n; i++)
		if ((rc = ncfs_sql_exec(c, "INSERT INTO memberships"
		    " (user, grp, ord) VALUES (?1, ?2, ?3)", "ssi", r->k[0],
		    l.v[i], (long long)i)) < 0)
			goto done;
	rc = 0;
done:
	ncfs_list_free(&l);
	return rc;
}

/* The user's keys, replaced by the lines written. */
static int
user_keys_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct ncfs_list l = { 0 };
	size_t i;
	int rc;

	if ((rc = ncfs_v_key_list("keys", value, &l, why)) < 0)
		goto done;
	if ((rc = user_exists(c, r->k[0])) <= 0) {
		rc = rc == 0 ? updated(0, why) : rc;
		goto done;
	}
	if ((rc = ncfs_sql_exec(c, "DELETE FROM sshkeys WHERE user = ?1",
	    "s", r->k[0])) < 0)
		goto done;
	for (i = 0; i < l.n; i++)
		if ((rc = ncfs_sql_exec(c, "INSERT INTO sshkeys"
		    " (user, key, ord) VALUES (?1, ?2, ?3)", "ssi", r->k[0],
		    l.v[i], (long long)i)) < 0)
			goto done;
	rc = 0;
done:
	ncfs_list_free(&l);
	return rc;
}

/* groups/<g>/ */

GET(group_gid_get, "s", "SELECT gid FROM groups WHERE name = ?1")
LIST(group_members_get, "SELECT u.name FROM groups g"
    " LEFT JOIN memberships m ON m.grp = g.name"
    " LEFT JOIN users u ON u.name = m.user WHERE g.name = ?1"
    " ORDER BY u.ord, u.name")

static int
group_gid_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	int rc;

	if ((rc = group_exists(c, r->k[0])) <= 0)
		return rc == 0 ? updated(0, why) : rc;
	return id_set(c, "gid", value, r->k[0],
	    "SELECT name FROM groups WHERE gid = ?1 AND name <> ?2",
	    "UPDATE groups SET gid = ?1 WHERE name = ?2", why);
}

/* 1 when l holds s. */
static int
listed(const struct ncfs_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/*
 * The group's members, replaced by the users written (each must exist):
 * members kept keep their place among their user's groups, new ones go
 * last.
 */
static int
group_members_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	struct ncfs_list l = { 0 }, old = { 0 };
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = ncfs_v_name_list("members", value, &l, why)) < 0)
		goto done;
	if ((rc = group_exists(c, r->k[0])) <= 0) {
		rc = rc == 0 ? updated(0, why) : rc;
		goto done;
	}
	for (i = 0; i < l.n; i++) {
		if ((rc = user_exists(c, l.v[i])) < 0)
			goto done;
		if (rc == 0) {
			nc_buf_printf(why, "members: there is no user %s",
			    l.v[i]);
			rc = -EINVAL;
			goto done;
		}
	}
	st = ncfs_sql(c, "SELECT user FROM memberships WHERE grp = ?1", "s",
	    r->k[0]);
	if (st == NULL) {
		rc = -EIO;
		goto done;
	}
	while ((rc = ncfs_sql_step(c, st)) == 1)
		*NC_PUSH(old.v, old.n, old.cap) =
		    nc_strdup((const char *)sqlite3_column_text(st, 0));
	if (rc < 0 || (rc = ncfs_sql_end(c, st)) < 0)
		goto done;
	for (i = 0; i < old.n; i++)
		if (!listed(&l, old.v[i]) && (rc = ncfs_sql_exec(c,
		    "DELETE FROM memberships WHERE user = ?1 AND grp = ?2",
		    "ss", old.v[i], r->k[0])) < 0)
			goto done;
	for (i = 0; i < l.n; i++)
		if (!listed(&old, l.v[i]) && (rc = ncfs_sql_exec(c,
		    "INSERT INTO memberships (user, grp, ord)"
		    " SELECT ?1, ?2, COALESCE(MAX(ord) + 1, 0)"
		    " FROM memberships WHERE user = ?1", "ss", l.v[i],
		    r->k[0])) < 0)
			goto done;
	rc = 0;
done:
	ncfs_list_free(&l);
	ncfs_list_free(&old);
	return rc;
}

/* images/<name>/ */

GET(img_os_get, "s", "SELECT os FROM images WHERE name = ?1")
GET(img_type_get, "s", "SELECT type FROM images WHERE name = ?1")
GET(img_provider_get, "s", "SELECT provider FROM images WHERE name = ?1")
GET(img_version_get, "s", "SELECT version FROM images WHERE name = ?1")
GET(img_url_get, "s", "SELECT url FROM images WHERE name = ?1")
GET(img_sha256_get, "s", "SELECT sha256 FROM images WHERE name = ?1")
SET(img_provider_set, "provider", ncfs_v_word, 1, "ss",
    "UPDATE images SET provider = ?1 WHERE name = ?2")
SET(img_version_set, "version", ncfs_v_word, 1, "ss",
    "UPDATE images SET version = ?1 WHERE name = ?2")
SET(img_url_set, "url", ncfs_v_url, 1, "ss",
    "UPDATE images SET url = ?1 WHERE name = ?2")
SET(img_sha256_set, "sha256", ncfs_v_sha256, 1, "ss",
    "UPDATE images SET sha256 = ?1 WHERE name = ?2")
GET(img_packages_get, "s", "SELECT packages FROM images WHERE name = ?1")
GET(img_osnames_get, "s", "SELECT osnames FROM images WHERE name = ?1")

/* A list column of images (packages, osnames): the lines written, each
 * by rule, kept one a line (none: NULL). */
static int
img_list_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why, const char *col,
    int (*rule)(const char *, const char **))
{
	struct ncfs_list l = { 0 };
	struct nc_buf b = { 0 };
	char *sql;
	size_t i;
	int rc;

	if ((rc = ncfs_v_rule_list(col, value, rule, &l, why)) < 0)
		goto done;
	for (i = 0; i < l.n; i++)
		nc_buf_printf(&b, "%s%s", i ? "\n" : "", l.v[i]);
	sql = nc_asprintf("UPDATE images SET %s = ?1 WHERE name = ?2", col);
	rc = updated(ncfs_sql_exec(c, sql, "ss", l.n ? nc_buf_str(&b) : NULL,
	    r->k[0]), why);
	free(sql);
done:
	nc_buf_free(&b);
	ncfs_list_free(&l);
	return rc;
}

static int
img_packages_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	return img_list_set(c, r, value, why, "packages", nc_valid_package);
}

static int
img_osnames_set(struct ncfs_conn *c, const struct ncfs_ref *r,
    const char *value, struct nc_buf *why)
{
	return img_list_set(c, r, value, why, "osnames", nc_valid_osname);
}

/* nodes/<n>/attributes/<key> and nodes/<n>/keys/<user> */

GET(attr_get, "ss", "SELECT a.value FROM attributes a"
    " JOIN nodes n ON n.id = a.node_id WHERE n.name = ?1 AND a.key = ?2")

static int
attr_set(struct ncfs_conn *c, const struct ncfs_ref *r, const char *value,
    struct nc_buf *why)
{
	int rc;

	if ((rc = ncfs_v_text(r->k[1], value, why)) < 0)
		return rc;
	return updated(ncfs_sql_exec(c, "UPDATE attributes SET value = ?1"
	    " WHERE node_id = (SELECT id FROM nodes WHERE name = ?2)"
	    " AND key = ?3", "sss", value, r->k[0], r->k[1]), why);
}

/* Every user of the experiment is on every node. */
static int
key_get(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)
{
	int rc = node_exists(c, r->k[0]);

	if (rc <= 0)
		return rc == 0 ? -ENOENT : rc;
	return ncfs_render_keys(c, r->k[1], out);
}


/*
 * nodes/<n>/accounts/<user>/: the users of the node's passwd, read-only
 * views of users/<user>/ (k[0] the node, k[1] the user).  A user the node
 * does not get, or a node that is gone, reads as -ENOENT.
 */

#define ACCOUNT_JOIN " FROM nodes n JOIN users u ON u.name = ?2"	\
	" WHERE n.name = ?1 AND u.name IN (" NCFS_NODE_USERS ")"

GET(acct_uid_get, "ss", "SELECT u.uid" ACCOUNT_JOIN)
GET(acct_gid_get, "ss", "SELECT u.gid" ACCOUNT_JOIN)
GET(acct_home_get, "ss", "SELECT u.home" ACCOUNT_JOIN)
GET(acct_shell_get, "ss", "SELECT u.shell" ACCOUNT_JOIN)
/* The same rule as sudoers: a user with root != 0 may sudo. */
GET(acct_sudo_get, "ss",
    "SELECT CASE WHEN u.root != 0 THEN 1 ELSE 0 END" ACCOUNT_JOIN)

/* 1 when node n gets user u, 0 when not (or n is gone), -errno. */
static int
account_exists(struct ncfs_conn *c, const struct ncfs_ref *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = ncfs_sql(c, "SELECT 1" ACCOUNT_JOIN, "ss", r->k[0],
	    r->k[1])) == NULL)
		return -EIO;
	if ((rc = ncfs_sql_step(c, st)) < 0)
		return rc;
	return ncfs_sql_end(c, st) < 0 ? -EIO : rc;
}

static int
acct_groups_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	int rc = account_exists(c, r);

	if (rc <= 0)
		return rc == 0 ? -ENOENT : rc;
	return ncfs_render_list(c, USER_GROUPS_SQL, r->k[1], out);
}

static int
acct_keys_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	int rc = account_exists(c, r);

	if (rc <= 0)
		return rc == 0 ? -ENOENT : rc;
	return ncfs_render_keys(c, r->k[1], out);
}

int (*ncfs_bundle_render)(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out);

static int
node_bundle_get(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *out)
{
	return ncfs_bundle_render != NULL ? ncfs_bundle_render(c, r, out) :
	    -EIO;
}

/*
 * Every file of the contract (lib/nctree.h): how it is read, written
 * (NULL: read-only) and whether it is the same on every node.
 */
#define F(id, get, set, shared) [NCT_##id] = { NCT_##id, get, set, shared }

const struct ncfs_field ncfs_field_table[NCT_NENTRIES] = {
	F(EXP_NAME, exp_name_get, exp_name_set, 0),
	F(EXP_PROJECT, exp_project_get, exp_project_set, 0),
	F(EXP_GROUP, exp_group_get, exp_group_set, 0),
	F(EXP_CONTROL_HOST, exp_control_get, NULL, 0),
	F(EXP_CONTROL_ADDR, exp_addr_get, exp_addr_set, 0),
	F(EXP_GENERATION, exp_generation_get, NULL, 0),
	F(EXP_CONFGEN, exp_confgen_get, NULL, 0),

	F(NODE_ROLE, node_role_get, node_role_set, 0),
	F(NODE_OS, node_os_get, node_os_set, 0),
	F(NODE_HARDWARE, node_hw_get, node_hw_set, 0),
	F(NODE_STARTCMD, node_startcmd_get, node_startcmd_set, 0),
	F(NODE_FAILURE_ACTION, node_fa_get, node_fa_set, 0),
	F(NODE_HOST, node_host_get, node_host_set, 0),
	F(NODE_ROUTES, node_routes_get, node_routes_set, 0),
	F(NODE_CONTAINERS, node_containers_get, NULL, 0),
	F(NODE_CONFGEN, node_confgen_get, NULL, 0),
	F(NODE_GUESTS, node_guests_get, NULL, 0),
	F(NODE_HOSTS, node_hosts_get, NULL, 1),
	F(NODE_PASSWD, node_passwd_get, NULL, 1),
	F(NODE_GROUP, node_group_get, NULL, 1),
	F(NODE_SHADOW, node_shadow_get, NULL, 1),
	F(NODE_SUDOERS, node_sudoers_get, NULL, 1),
	F(NODE_SSHKEYS, node_sshkeys_get, NULL, 1),
	F(NODE_MOUNTS, node_mounts_get, NULL, 0),
	F(NODE_PHYSICAL, node_physical_get, NULL, 0),
	F(NODE_TARFILES, node_tarfiles_get, NULL, 0),
	F(NODE_FORWARDING, node_forwarding_get, NULL, 0),
	F(NODE_STATUS, node_status_get, node_status_set, 0),
	F(NODE_STARTSTATUS, node_startstatus_get, node_startstatus_set, 0),
	F(NODE_CONTROL, node_control_get, node_control_set, 0),
	F(NODE_BUNDLE, node_bundle_get, NULL, 0),

	F(NIMG_OS, nimg_os_get, NULL, 0),
	F(NIMG_TYPE, nimg_type_get, NULL, 0),
	F(NIMG_NAME, nimg_name_get, NULL, 0),
	F(NIMG_URL, nimg_url_get, NULL, 0),
	F(NIMG_VERSION, nimg_version_get, NULL, 0),
	F(NIMG_PROVIDER, nimg_provider_get, NULL, 0),
	F(NIMG_PACKAGES, nimg_packages_get, NULL, 0),

	F(IFACE_LAN, if_lan_get, NULL, 0),
	F(IFACE_IP, if_ip_get, if_ip_set, 0),
	F(IFACE_NETMASK, if_netmask_get, NULL, 0),
	F(IFACE_MAC, if_mac_get, if_mac_set, 0),
	F(IFACE_BANDWIDTH, if_bw_get, if_bw_set, 0),
	F(IFACE_DELAY, if_delay_get, if_delay_set, 0),
	F(IFACE_LOSS, if_loss_get, if_loss_set, 0),

	F(ATTR, attr_get, attr_set, 0),
	F(KEY, key_get, NULL, 0),

	F(ACCT_UID, acct_uid_get, NULL, 0),
	F(ACCT_GID, acct_gid_get, NULL, 0),
	F(ACCT_HOME, acct_home_get, NULL, 0),
	F(ACCT_SHELL, acct_shell_get, NULL, 0),
	F(ACCT_GROUPS, acct_groups_get, NULL, 0),
	F(ACCT_KEYS, acct_keys_get, NULL, 0),
	F(ACCT_SUDO, acct_sudo_get, NULL, 0),

	F(LAN_KIND, lan_kind_get, NULL, 0),
	F(LAN_MEMBERS, lan_members_get, NULL, 0),
	F(LAN_BANDWIDTH, lan_bw_get, lan_bw_set, 0),
	F(LAN_DELAY, lan_delay_get, lan_delay_set, 0),
	F(LAN_LOSS, lan_loss_get, lan_loss_set, 0),
	F(LAN_NETMASK, lan_netmask_get, NULL, 0),

	F(USER_UID, user_uid_get, user_uid_set, 0),
	F(USER_GID, user_gid_get, user_gid_set, 0),
	F(USER_NAME, user_name_get, user_name_set, 0),
	F(USER_HOME, user_home_get, user_home_set, 0),
	F(USER_SHELL, user_shell_get, user_shell_set, 0),
	F(USER_GROUPS, user_groups_get, user_groups_set, 0),
	F(USER_KEYS, user_keys_get, user_keys_set, 0),
	F(USER_PASSWORD, user_password_get, user_password_set, 0),
	F(USER_ROOT, user_root_get, user_root_set, 0),

	F(GROUP_GID, group_gid_get, group_gid_set, 0),
	F(GROUP_MEMBERS, group_members_get, group_members_set, 0),

	F(IMAGE_OS, img_os_get, NULL, 0),
	F(IMAGE_TYPE, img_type_get, NULL, 0),
	F(IMAGE_PROVIDER, img_provider_get, img_provider_set, 0),
	F(IMAGE_VERSION, img_version_get, img_version_set, 0),
	F(IMAGE_URL, img_url_get, img_url_set, 0),
	F(IMAGE_SHA256, img_sha256_get, img_sha256_set, 0),
	F(IMAGE_PACKAGES, img_packages_get, img_packages_set, 0),
	F(IMAGE_OSNAMES, img_osnames_get, img_osnames_set, 0),
};

const struct ncfs_field *
ncfs_field_of(enum nct_id e)
{
	if ((unsigned)e >= NCT_NENTRIES || ncfs_field_table[e].get == NULL)
		return NULL;
	return &ncfs_field_table[e];
}
