/*
 * store_save.c: the in-memory experiment (model.h) into the experiment
 * database (schema.sql).  A save replaces every table's rows in one BEGIN
 * IMMEDIATE transaction with prepared statements reused across rows.
 *
 * NOT NULL text columns take '' for a missing value (password '*',
 * failure_action 'fatal'); store_load.c reads them back as stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "routes.h"
#include "store.h"
#include "store_priv.h"
#include "util.h"

/* The insert statements, prepared once per save. */
enum {
	S_EXP, S_NODE, S_ATTR, S_TAR, S_RPM, S_LAN, S_IFACE, S_IMAGE, S_USER,
	S_MEMBER, S_KEY, S_GROUP, S_MOUNT, S_PIFACE, S_HOST, S_STATUS,
	S_STARTSTATUS, S_CONTROL, S_ROUTES, S_N
};

static const char *const save_sql[S_N] = {
	[S_EXP] = "INSERT INTO experiment (id, name, project, grp, control, "
	    "generation) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
	[S_NODE] = "INSERT INTO nodes (id, name, role, os, parent_os, "
	    "hardware, host, startcmd, failure_action, image, fix, implicit, "
	    "ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	    "?13)",
	[S_ATTR] = "INSERT INTO attributes (node_id, key, value, ord) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_TAR] = "INSERT INTO tarfiles (node_id, dir, file, ord) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_RPM] = "INSERT INTO rpms (node_id, rpm, ord) VALUES (?1, ?2, ?3)",
	[S_LAN] = "INSERT INTO lans (id, name, kind, bandwidth_kbps, "
	    "delay_ms, loss, netmask, ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8)",
	[S_IFACE] = "INSERT INTO ifaces (node_id, name, lan_id, ip, netmask, "
	    "mac, bandwidth_kbps, delay_ms, loss, member_ord, ord) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[S_IMAGE] = "INSERT INTO images (name, os, type, provider, version, "
	    "url, sha256, ord, packages, osnames) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10)",
	[S_USER] = "INSERT INTO users (name, uid, gid, fullname, home, shell, "
	    "email, password, root, ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10)",
	[S_MEMBER] = "INSERT INTO memberships (user, grp, ord) "
	    "VALUES (?1, ?2, ?3)",
	[S_KEY] = "INSERT INTO sshkeys (user, key, ord) VALUES (?1, ?2, ?3)",
	[S_GROUP] = "INSERT INTO groups (name, gid, ord) VALUES (?1, ?2, ?3)",
	[S_MOUNT] = "INSERT INTO mounts (server, source, target, fstype, "
	    "options, ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_PIFACE] = "INSERT INTO pifaces (pnode, name, ip, netmask, mac, "
	    "speed, duplex, lan, ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9)",
	[S_HOST] = "INSERT INTO hostnames (name, ip, aliases, ord) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_STATUS] = "DELETE FROM status WHERE node NOT IN "
	    "(SELECT name FROM nodes)",
	[S_STARTSTATUS] = "DELETE FROM startstatus WHERE node NOT IN "
	    "(SELECT name FROM nodes)",
	[S_CONTROL] = "DELETE FROM control WHERE node NOT IN "
	    "(SELECT name FROM nodes)",
	[S_ROUTES] = "UPDATE nodes SET routes = ?1 WHERE id = ?2",
};

/* Children before parents, so no cascade has to search a full table. */
static const char delete_sql[] =
	"DELETE FROM attributes; DELETE FROM tarfiles; DELETE FROM rpms; "
	"DELETE FROM ifaces; DELETE FROM memberships; DELETE FROM sshkeys; "
	"DELETE FROM nodes; DELETE FROM lans; DELETE FROM users; "
	"DELETE FROM groups; DELETE FROM mounts; DELETE FROM images; "
	"DELETE FROM pifaces; DELETE FROM hostnames; DELETE FROM experiment;";

/* State of one save: the statements and the first failure. */
struct saver {
	sqlite3 *db;		/* the database */
	sqlite3_stmt *st[S_N];	/* prepared inserts, reused across rows */
	int rc;			/* first failing SQLite code or SQLITE_OK */
	char *msg;		/* its message (copied at once), or NULL */
	const char *what;	/* kind of row being written, for messages */
	const char *name;	/* its name, for messages */
};

/* Record a failure (the first one wins). */
static void
save_fail(struct saver *s, int rc, const char *msg)
{
	if (s->rc != SQLITE_OK)
		return;
	s->rc = rc;
	s->msg = nc_strdup(msg != NULL ? msg : sqlite3_errstr(rc));
}

/* Bind helpers: no-ops once something failed. */
static void
b_text(struct saver *s, int t, int i, const char *v)
{
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = v != NULL ? sqlite3_bind_text(s->st[t], i, v, -1, SQLITE_STATIC) :
	    sqlite3_bind_null(s->st[t], i);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

/* Bind a copy of v (for strings in local buffers). */
static void
b_copy(struct saver *s, int t, int i, const char *v)
{
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = v != NULL ?
	    sqlite3_bind_text(s->st[t], i, v, -1, SQLITE_TRANSIENT) :
	    sqlite3_bind_null(s->st[t], i);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

static void
b_int(struct saver *s, int t, int i, sqlite3_int64 v)
{
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = sqlite3_bind_int64(s->st[t], i, v);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

static void
b_double(struct saver *s, int t, int i, double v)
{
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = sqlite3_bind_double(s->st[t], i, v);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

static void
b_null(struct saver *s, int t, int i)
{
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = sqlite3_bind_null(s->st[t], i);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

/* Execute statement t with its bindings, then make it ready for reuse. */
static void
run(struct saver *s, int t)
{
	sqlite3_stmt *st = s->st[t];
	int rc;

	if (s->rc != SQLITE_OK)
		return;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		save_fail(s, rc, sqlite3_errmsg(s->db));
		return;
	}
	rc = sqlite3_reset(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_clear_bindings(st);
	if (rc != SQLITE_OK)
		save_fail(s, rc, sqlite3_errmsg(s->db));
}

/* "" for NULL, for NOT NULL columns. */
static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Bind an address as text, NULL when 0. */
static void
b_ip(struct saver *s, int t, int i, uint32_t ip)
{
	char buf[16];

	if (ip == 0)
		b_null(s, t, i);
	else
		b_copy(s, t, i, nc_ip_format(ip, buf));
}

/* Bind a shaping override: NULL when NC_UNSET. */
static void
b_over(struct saver *s, int t, int i, double v)
{
	if (v == NC_UNSET)
		b_null(s, t, i);
	else
		b_double(s, t, i, v);
}

/*
 * Work out every interface's position among its LAN's members: ord[base[n]
 * + i] for interface i of node n.  A member that names no interface, or an
 * interface of another LAN, or twice, is a broken experiment (reported).
 */
static int
member_orders(struct saver *s, const struct nc_exp *e, size_t **basep,
    long **ordp)
{
	size_t *base, n, k;
	long *ord;

	base = nc_calloc(e->nnodes + 1, sizeof(*base));
	for (n = 0; n < e->nnodes; n++)
		base[n + 1] = base[n] + e->nodes[n].nifaces;
	ord = nc_calloc(base[e->nnodes] + 1, sizeof(*ord));
	for (k = 0; k < base[e->nnodes]; k++)
		ord[k] = -1;
	*basep = base;
	*ordp = ord;
	for (n = 0; n < e->nlans; n++) {
		const struct nc_lan *l = &e->lans[n];

		for (k = 0; k < l->nmembers; k++) {
			const struct nc_member *m = &l->members[k];

			if (m->node >= e->nnodes ||
			    m->iface >= e->nodes[m->node].nifaces ||
			    e->nodes[m->node].ifaces[m->iface].lan != n ||
			    ord[base[m->node] + m->iface] != -1) {
				s->what = "lan";
				s->name = l->name;
				save_fail(s, SQLITE_MISUSE, "a member is not "
				    "one of its own interfaces");
				return -1;
			}
			ord[base[m->node] + m->iface] = (long)k;
		}
	}
	return 0;
}

static void
save_nodes(struct saver *s, const struct nc_exp *e, const size_t *base,
    const long *mord)
{
	char buf[18];
	size_t n, i;

	for (n = 0; n < e->nnodes && s->rc == SQLITE_OK; n++) {
		const struct nc_node *nd = &e->nodes[n];
		sqlite3_int64 id = (sqlite3_int64)n + 1;

		s->what = "node";
		s->name = nd->name;
		b_int(s, S_NODE, 1, id);
		b_text(s, S_NODE, 2, nd->name);
		b_text(s, S_NODE, 3, nc_role_name(nd->role));
		b_text(s, S_NODE, 4, nd->os);
		b_text(s, S_NODE, 5, nd->parent_os);
		b_text(s, S_NODE, 6, nd->hardware);
		b_text(s, S_NODE, 7, nd->host);
		b_text(s, S_NODE, 8, nd->startcmd);
		b_text(s, S_NODE, 9, nd->failure_action != NULL ?
		    nd->failure_action : "fatal");
		b_text(s, S_NODE, 10, nd->image);
		b_text(s, S_NODE, 11, nd->fix);
		b_int(s, S_NODE, 12, nd->implicit != 0);
		b_int(s, S_NODE, 13, (sqlite3_int64)n);
		run(s, S_NODE);
		if (nd->nroutes > 0) {
			struct nc_buf rt = { 0 };

			nc_routes_text(nd, &rt);
			rt.p[--rt.len] = '\0';	/* the last newline */
			b_copy(s, S_ROUTES, 1, rt.p);
			b_int(s, S_ROUTES, 2, id);
			run(s, S_ROUTES);
			nc_buf_free(&rt);
		}
		for (i = 0; i < nd->nattrs; i++) {
			b_int(s, S_ATTR, 1, id);
			b_text(s, S_ATTR, 2, nd->attrs[i].key);
			b_text(s, S_ATTR, 3, nd->attrs[i].value);
			b_int(s, S_ATTR, 4, (sqlite3_int64)i);
			run(s, S_ATTR);
		}
		for (i = 0; i < nd->ntarfiles; i++) {
			b_int(s, S_TAR, 1, id);
			b_text(s, S_TAR, 2, nz(nd->tarfiles[i].dir));
			b_text(s, S_TAR, 3, nz(nd->tarfiles[i].file));
			b_int(s, S_TAR, 4, (sqlite3_int64)i);
			run(s, S_TAR);
		}
		for (i = 0; i < nd->nrpms; i++) {
			b_int(s, S_RPM, 1, id);
			b_text(s, S_RPM, 2, nz(nd->rpms[i]));
			b_int(s, S_RPM, 3, (sqlite3_int64)i);
			run(s, S_RPM);
		}
		for (i = 0; i < nd->nifaces; i++) {
			const struct nc_iface *f = &nd->ifaces[i];

			s->name = nd->name;
			if (mord[base[n] + i] < 0) {
				s->what = "node";
				save_fail(s, SQLITE_MISUSE, "an interface is "
				    "not a member of its LAN");
				return;
			}
			b_int(s, S_IFACE, 1, id);
			b_text(s, S_IFACE, 2, f->name);
			b_int(s, S_IFACE, 3, (sqlite3_int64)f->lan + 1);
			b_ip(s, S_IFACE, 4, f->ip);
			b_ip(s, S_IFACE, 5, f->mask);
			if (f->has_mac)
				b_copy(s, S_IFACE, 6, nc_mac_format(f->mac,
				    buf));
			else
				b_null(s, S_IFACE, 6);
			if (f->bandwidth_kbps == NC_UNSET)
				b_null(s, S_IFACE, 7);
			else
				b_int(s, S_IFACE, 7, f->bandwidth_kbps);
			b_over(s, S_IFACE, 8, f->delay_ms);
			b_over(s, S_IFACE, 9, f->loss);
			b_int(s, S_IFACE, 10, mord[base[n] + i]);
			b_int(s, S_IFACE, 11, (sqlite3_int64)i);
			run(s, S_IFACE);
		}
	}
}

static void
save_lans(struct saver *s, const struct nc_exp *e)
{
	size_t n;

	for (n = 0; n < e->nlans && s->rc == SQLITE_OK; n++) {
		const struct nc_lan *l = &e->lans[n];

		s->what = "lan";
		s->name = l->name;
		b_int(s, S_LAN, 1, (sqlite3_int64)n + 1);
		b_text(s, S_LAN, 2, l->name);
		b_text(s, S_LAN, 3, nc_lan_kind_name(l->kind));
		b_int(s, S_LAN, 4, l->bandwidth_kbps);
		b_double(s, S_LAN, 5, l->delay_ms);
		b_double(s, S_LAN, 6, l->loss);
		b_ip(s, S_LAN, 7, l->mask);
		b_int(s, S_LAN, 8, (sqlite3_int64)n);
		run(s, S_LAN);
	}
}

static void
save_accounts(struct saver *s, const struct nc_exp *e)
{
	size_t n, i;

	for (n = 0; n < e->nusers && s->rc == SQLITE_OK; n++) {
		const struct nc_user *u = &e->users[n];

		s->what = "user";
		s->name = u->name;
		b_text(s, S_USER, 1, u->name);
		b_int(s, S_USER, 2, u->uid);
		b_int(s, S_USER, 3, u->gid);
		b_text(s, S_USER, 4, u->fullname);
		b_text(s, S_USER, 5, u->home);
		b_text(s, S_USER, 6, u->shell);
		b_text(s, S_USER, 7, u->email);
		b_text(s, S_USER, 8, u->password != NULL ? u->password : "*");
		b_int(s, S_USER, 9, u->root != 0);
		b_int(s, S_USER, 10, (sqlite3_int64)n);
		run(s, S_USER);
		for (i = 0; i < u->ngroups; i++) {
			b_text(s, S_MEMBER, 1, u->name);
			b_text(s, S_MEMBER, 2, nz(u->groups[i]));
			b_int(s, S_MEMBER, 3, (sqlite3_int64)i);
			run(s, S_MEMBER);
		}
		for (i = 0; i < u->nkeys; i++) {
			b_text(s, S_KEY, 1, u->name);
			b_text(s, S_KEY, 2, nz(u->keys[i]));
			b_int(s, S_KEY, 3, (sqlite3_int64)i);
			run(s, S_KEY);
		}
	}
	for (n = 0; n < e->ngroups && s->rc == SQLITE_OK; n++) {
		s->what = "group";
		s->name = e->groups[n].name;
		b_text(s, S_GROUP, 1, e->groups[n].name);
		b_int(s, S_GROUP, 2, e->groups[n].gid);
		b_int(s, S_GROUP, 3, (sqlite3_int64)n);
		run(s, S_GROUP);
	}
}

static void
save_rest(struct saver *s, const struct nc_exp *e)
{
	char buf[18];
	size_t n;

	for (n = 0; n < e->nimages && s->rc == SQLITE_OK; n++) {
		const struct nc_image *im = &e->images[n];

		s->what = "image";
		s->name = im->name;
		b_text(s, S_IMAGE, 1, im->name);
		b_text(s, S_IMAGE, 2, im->os);
		b_text(s, S_IMAGE, 3, im->type);
		b_text(s, S_IMAGE, 4, im->provider);
		b_text(s, S_IMAGE, 5, im->version);
		b_text(s, S_IMAGE, 6, im->url);
		b_text(s, S_IMAGE, 7, im->sha256);
		b_int(s, S_IMAGE, 8, (sqlite3_int64)n);
		b_text(s, S_IMAGE, 9, im->packages);
		b_text(s, S_IMAGE, 10, im->osnames);
		run(s, S_IMAGE);
	}
	for (n = 0; n < e->nmounts && s->rc == SQLITE_OK; n++) {
		const struct nc_mount *m = &e->mounts[n];

		s->what = "mount";
		s->name = m->target;
		b_text(s, S_MOUNT, 1, nz(m->server));
		b_text(s, S_MOUNT, 2, nz(m->source));
		b_text(s, S_MOUNT, 3, nz(m->target));
		b_text(s, S_MOUNT, 4, m->fstype);
		b_text(s, S_MOUNT, 5, nz(m->options));
		b_int(s, S_MOUNT, 6, (sqlite3_int64)n);
		run(s, S_MOUNT);
	}
	for (n = 0; n < e->npifaces && s->rc == SQLITE_OK; n++) {
		const struct nc_piface *p = &e->pifaces[n];

		s->what = "physical interface of";
		s->name = p->pnode;
		b_text(s, S_PIFACE, 1, nz(p->pnode));
		b_text(s, S_PIFACE, 2, nz(p->name));
		b_ip(s, S_PIFACE, 3, p->ip);
		b_ip(s, S_PIFACE, 4, p->mask);
		b_copy(s, S_PIFACE, 5, nc_mac_format(p->mac, buf));
		b_text(s, S_PIFACE, 6, p->speed);
		b_text(s, S_PIFACE, 7, p->duplex);
		b_text(s, S_PIFACE, 8, p->lan);
		b_int(s, S_PIFACE, 9, (sqlite3_int64)n);
		run(s, S_PIFACE);
	}
	for (n = 0; n < e->nhostnames && s->rc == SQLITE_OK; n++) {
		const struct nc_hostname *h = &e->hostnames[n];

		s->what = "hostname";
		s->name = h->name;
		b_text(s, S_HOST, 1, nz(h->name));
		b_copy(s, S_HOST, 2, nc_ip_format(h->ip, buf));
		b_text(s, S_HOST, 3, nz(h->aliases));
		b_int(s, S_HOST, 4, (sqlite3_int64)n);
		run(s, S_HOST);
	}
}

/* The stored generation and configuration generation (0: none) inside
 * the open transaction. */
static int
read_generation(struct saver *s, sqlite3_int64 *gen, sqlite3_int64 *confgen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*gen = *confgen = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT generation, confgen FROM "
	    "experiment WHERE id = 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*gen = sqlite3_column_int64(st, 0);
		*confgen = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE)
		goto fail;
	rc = sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	return 0;
fail:
	save_fail(s, rc, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return -1;
}

/* sqlite3_exec that records its failure in s. */
static int
save_exec(struct saver *s, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		save_fail(s, rc, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
nc_store_save(sqlite3 *db, const struct nc_exp *e)
{
	struct saver s;
	sqlite3_int64 gen, confgen;
	size_t *base = NULL;
	char *sql;
	long *mord = NULL;
	int i, rc, began = 0;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.rc = SQLITE_OK;
	if (save_exec(&s, "BEGIN IMMEDIATE") < 0)
		goto fail;
	began = 1;
	for (i = 0; i < S_N; i++) {
		rc = sqlite3_prepare_v3(db, save_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s.st[i], NULL);
		if (rc != SQLITE_OK) {
			save_fail(&s, rc, sqlite3_errmsg(db));
			goto fail;
		}
	}
	if (read_generation(&s, &gen, &confgen) < 0)
		goto fail;
	if (save_exec(&s, delete_sql) < 0)
		goto fail;
	if (member_orders(&s, e, &base, &mord) < 0)
		goto fail;
	s.what = "experiment";
	s.name = e->name;
	b_text(&s, S_EXP, 1, nz(e->name));
	b_text(&s, S_EXP, 2, nz(e->project));
	b_text(&s, S_EXP, 3, nz(e->group));
	b_text(&s, S_EXP, 4, nz(e->control));
	b_int(&s, S_EXP, 5, gen + 1);
	run(&s, S_EXP);
	/* Every node's configuration may have changed (docs/DESIGN.md,
	 * "Status"): confgen moves on, every node's with it. */
	sql = sqlite3_mprintf("UPDATE experiment SET confgen = %lld, "
	    "allgen = %lld WHERE id = 1", (long long)confgen + 1,
	    (long long)confgen + 1);
	rc = s.rc == SQLITE_OK ? save_exec(&s, sql) : 0;
	sqlite3_free(sql);
	if (rc < 0)
		goto fail;
	save_lans(&s, e);
	save_nodes(&s, e, base, mord);
	save_accounts(&s, e);
	save_rest(&s, e);
	if (s.rc == SQLITE_OK) {
		s.what = "status";
		s.name = "rows";
	}
	run(&s, S_STATUS);
	run(&s, S_STARTSTATUS);
	run(&s, S_CONTROL);
	if (s.rc != SQLITE_OK)
		goto fail;
	for (i = 0; i < S_N; i++) {
		rc = sqlite3_finalize(s.st[i]);
		s.st[i] = NULL;
		if (rc != SQLITE_OK) {
			save_fail(&s, rc, sqlite3_errmsg(db));
			goto fail;
		}
	}
	s.what = NULL;
	if (save_exec(&s, "COMMIT") < 0)
		goto fail;
	free(base);
	free(mord);
	return 0;
fail:
	for (i = 0; i < S_N; i++)
		sqlite3_finalize(s.st[i]);	/* repeats a reported error */
	if (began && !sqlite3_get_autocommit(db)) {
		rc = sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			fprintf(stderr, "%s: rollback: %s\n", store_db_path(db),
			    sqlite3_errmsg(db));
	}
	if (s.what != NULL && s.name != NULL)
		fprintf(stderr, "%s: cannot save %s %s: %s\n",
		    store_db_path(db), s.what, s.name, s.msg);
	else
		fprintf(stderr, "%s: cannot save the experiment: %s\n",
		    store_db_path(db), s.msg);
	free(s.msg);
	free(base);
	free(mord);
	return -1;
}
