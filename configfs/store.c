/*
 * store.c: the in-memory experiment (model.h) to and from the experiment
 * database (schema.sql).  A save replaces every table's rows in one BEGIN
 * IMMEDIATE transaction with prepared statements reused across rows; a load
 * reads every table once, in one read transaction, and rebuilds the same
 * arrays in the same order.
 *
 * NOT NULL text columns take '' for a missing value (password '*',
 * failure_action 'fatal') and load back as stored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "store.h"
#include "util.h"

/* The file name of db for messages. */
static const char *
db_path(sqlite3 *db)
{
	const char *f = sqlite3_db_filename(db, "main");

	return f != NULL && *f != '\0' ? f : ":memory:";
}

/* ---------------------------------------------------------------- save */

/* The insert statements, prepared once per save. */
enum {
	S_EXP, S_NODE, S_ATTR, S_TAR, S_RPM, S_LAN, S_IFACE, S_IMAGE, S_USER,
	S_MEMBER, S_KEY, S_GROUP, S_MOUNT, S_PIFACE, S_HOST, S_STATUS, S_N
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
	    "url, sha256, ord) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
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

/* The stored generation (0: none) inside the open transaction. */
static int
read_generation(struct saver *s, sqlite3_int64 *gen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*gen = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT generation FROM experiment "
	    "WHERE id = 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*gen = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
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
	sqlite3_int64 gen;
	size_t *base = NULL;
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
	if (read_generation(&s, &gen) < 0)
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
	save_lans(&s, e);
	save_nodes(&s, e, base, mord);
	save_accounts(&s, e);
	save_rest(&s, e);
	if (s.rc == SQLITE_OK) {
		s.what = "status";
		s.name = "rows";
	}
	run(&s, S_STATUS);
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
			fprintf(stderr, "%s: rollback: %s\n", db_path(db),
			    sqlite3_errmsg(db));
	}
	if (s.what != NULL && s.name != NULL)
		fprintf(stderr, "%s: cannot save %s %s: %s\n", db_path(db),
		    s.what, s.name, s.msg);
	else
		fprintf(stderr, "%s: cannot save the experiment: %s\n",
		    db_path(db), s.msg);
	free(s.msg);
	free(base);
	free(mord);
	return -1;
}

/* ---------------------------------------------------------------- load */

/* A database row id and the array index it became. */
struct idx {
	sqlite3_int64 id;	/* nodes.id or lans.id */
	size_t i;		/* index into exp->nodes or exp->lans */
};

static int
cmp_idx(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index stored for id, or -1. */
static long
find_idx(const struct idx *v, size_t n, sqlite3_int64 id)
{
	struct idx key = { id, 0 }, *f;

	f = bsearch(&key, v, n, sizeof(*v), cmp_idx);
	return f != NULL ? (long)f->i : -1;
}

/* An interface's LAN membership, gathered while reading the ifaces. */
struct pending {
	size_t lan;		/* LAN index */
	sqlite3_int64 ord;	/* member_ord */
	size_t node;		/* node index */
	size_t iface;		/* interface index in the node */
};

static int
cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->lan != y->lan)
		return x->lan < y->lan ? -1 : 1;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->iface < y->iface ? -1 : x->iface > y->iface;
}

/* State of one load. */
struct loader {
	sqlite3 *db;		/* the database */
	struct nc_exp *e;	/* what is being filled */
	sqlite3_stmt *st;	/* the current query */
	struct idx *nodes;	/* node ids, sorted */
	struct idx *lans;	/* LAN ids, sorted */
	struct pending *mem;	/* LAN memberships to sort */
	size_t nmem, capmem;
	char *bad;		/* a malformed value, reported, or NULL */
};

/* Column i as a fresh string, NULL for NULL. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? nc_strdup((const char *)t) : NULL;
}

/* Column i as a string, "" for NULL (not copied). */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static int
col_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* Prepare the next query into l->st. */
static int
query(struct loader *l, const char *sql)
{
	int rc;

	/* The previous query ran to SQLITE_DONE: its finalize cannot fail. */
	sqlite3_finalize(l->st);
	l->st = NULL;
	rc = sqlite3_prepare_v2(l->db, sql, -1, &l->st, NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Record a malformed stored value (the first one is reported). */
static int __attribute__((format(printf, 2, 3)))
malformed(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->bad == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&l->bad, fmt, ap) < 0)
			l->bad = NULL;
		va_end(ap);
	}
	return -1;
}

/* Parse an address column: NULL is 0. */
static int
col_ip(struct loader *l, int i, uint32_t *ip, const char *what,
    const char *owner)
{
	const char *t;

	*ip = 0;
	if (col_null(l->st, i))
		return 0;
	t = col_text(l->st, i);
	if (nc_ip_parse(t, ip) < 0)
		return malformed(l, "%s: %s %s is not an IPv4 address", owner,
		    what, t);
	return 0;
}

static int
col_mask(struct loader *l, int i, uint32_t *mask, const char *owner)
{
	*mask = 0;
	if (col_null(l->st, i))
		return 0;
	if (nc_mask_parse(col_text(l->st, i), mask) < 0)
		return malformed(l, "%s: netmask %s is not valid", owner,
		    col_text(l->st, i));
	return 0;
}

static int
col_mac(struct loader *l, int i, uint8_t mac[6], int *has,
    const char *owner)
{
	*has = 0;
	memset(mac, 0, 6);
	if (col_null(l->st, i))
		return 0;
	if (nc_mac_parse(col_text(l->st, i), mac) < 0)
		return malformed(l, "%s: MAC address %s is not valid", owner,
		    col_text(l->st, i));
	*has = 1;
	return 0;
}

/* Step l->st: 1 for a row, 0 at the end, -1 on error. */
static int
next(struct loader *l)
{
	int rc = sqlite3_step(l->st);

	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
load_experiment(struct loader *l)
{
	int r;

	if (query(l, "SELECT name, project, grp, control FROM experiment "
	    "WHERE id = 1") < 0)
		return -1;
	if ((r = next(l)) <= 0)
		return r < 0 ? -1 : 1;
	l->e->name = col_str(l->st, 0);
	l->e->project = col_str(l->st, 1);
	l->e->group = col_str(l->st, 2);
	l->e->control = col_str(l->st, 3);
	return 0;
}

static int
load_lans(struct loader *l)
{
	struct nc_exp *e = l->e;
	struct nc_lan *ln;
	enum nc_lan_kind kind;
	size_t n, cap = 0;
	int r;

	if (query(l, "SELECT id, name, kind, bandwidth_kbps, delay_ms, loss, "
	    "netmask FROM lans ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		const char *name = col_text(l->st, 1);

		if (nc_lan_kind_parse(col_text(l->st, 2), &kind) < 0)
			return malformed(l, "lan %s: unknown kind %s", name,
			    col_text(l->st, 2));
		if (nc_exp_find_lan(e, name) >= 0)
			return malformed(l, "lan %s is stored twice", name);
		n = nc_exp_add_lan(e, name, kind);
		ln = &e->lans[n];
		ln->bandwidth_kbps = (long)sqlite3_column_int64(l->st, 3);
		ln->delay_ms = sqlite3_column_double(l->st, 4);
		ln->loss = sqlite3_column_double(l->st, 5);
		if (col_mask(l, 6, &ln->mask, ln->name) < 0)
			return -1;
		l->lans = nc_grow(l->lans, &cap, n, sizeof(*l->lans));
		l->lans[n].id = sqlite3_column_int64(l->st, 0);
		l->lans[n].i = n;
	}
	if (r < 0)
		return -1;
	if (e->nlans > 0)
		qsort(l->lans, e->nlans, sizeof(*l->lans), cmp_idx);
	return 0;
}

static int
load_nodes(struct loader *l)
{
	struct nc_exp *e = l->e;
	struct nc_node *nd;
	enum nc_role role;
	size_t n, cap = 0;
	int r;

	if (query(l, "SELECT id, name, role, os, parent_os, hardware, host, "
	    "startcmd, failure_action, image, fix, implicit FROM nodes "
	    "ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		const char *name = col_text(l->st, 1);

		if (nc_role_parse(col_text(l->st, 2), &role) < 0)
			return malformed(l, "node %s: unknown role %s", name,
			    col_text(l->st, 2));
		if (nc_exp_find_node(e, name) >= 0)
			return malformed(l, "node %s is stored twice", name);
		n = nc_exp_add_node(e, name, role);
		nd = &e->nodes[n];
		nd->os = col_str(l->st, 3);
		nd->parent_os = col_str(l->st, 4);
		nd->hardware = col_str(l->st, 5);
		nd->host = col_str(l->st, 6);
		nd->startcmd = col_str(l->st, 7);
		nd->failure_action = col_str(l->st, 8);
		nd->image = col_str(l->st, 9);
		nd->fix = col_str(l->st, 10);
		nd->implicit = sqlite3_column_int(l->st, 11) != 0;
		l->nodes = nc_grow(l->nodes, &cap, n, sizeof(*l->nodes));
		l->nodes[n].id = sqlite3_column_int64(l->st, 0);
		l->nodes[n].i = n;
	}
	if (r < 0)
		return -1;
	if (e->nnodes > 0)
		qsort(l->nodes, e->nnodes, sizeof(*l->nodes), cmp_idx);
	return 0;
}

/* The node of the current row's column 0, or NULL (reported). */
static struct nc_node *
row_node(struct loader *l, const char *table)
{
	long n = find_idx(l->nodes, l->e->nnodes,
	    sqlite3_column_int64(l->st, 0));

	if (n < 0) {
		malformed(l, "%s: a row names no node", table);
		return NULL;
	}
	return &l->e->nodes[n];
}

static int
load_node_lists(struct loader *l)
{
	struct nc_node *nd;
	struct nc_attr *a;
	struct nc_tarfile *t;
	char **p;
	int r;

	if (query(l, "SELECT node_id, key, value FROM attributes "
	    "ORDER BY node_id, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((nd = row_node(l, "attributes")) == NULL)
			return -1;
		a = NC_PUSH(nd->attrs, nd->nattrs, nd->capattrs);
		a->key = nc_strdup(col_text(l->st, 1));
		a->value = nc_strdup(col_text(l->st, 2));
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT node_id, dir, file FROM tarfiles "
	    "ORDER BY node_id, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((nd = row_node(l, "tarfiles")) == NULL)
			return -1;
		t = NC_PUSH(nd->tarfiles, nd->ntarfiles, nd->captarfiles);
		t->dir = nc_strdup(col_text(l->st, 1));
		t->file = nc_strdup(col_text(l->st, 2));
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT node_id, rpm FROM rpms ORDER BY node_id, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((nd = row_node(l, "rpms")) == NULL)
			return -1;
		p = NC_PUSH(nd->rpms, nd->nrpms, nd->caprpms);
		*p = nc_strdup(col_text(l->st, 1));
	}
	return r < 0 ? -1 : 0;
}

static int
load_ifaces(struct loader *l)
{
	struct nc_exp *e = l->e;
	struct nc_node *nd;
	struct nc_iface *f;
	struct pending *pm;
	long lan;
	size_t k;
	int r;

	if (query(l, "SELECT node_id, name, lan_id, ip, netmask, mac, "
	    "bandwidth_kbps, delay_ms, loss, member_ord FROM ifaces "
	    "ORDER BY node_id, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((nd = row_node(l, "ifaces")) == NULL)
			return -1;
		lan = find_idx(l->lans, e->nlans,
		    sqlite3_column_int64(l->st, 2));
		if (lan < 0)
			return malformed(l, "node %s: interface %s names no "
			    "LAN", nd->name, col_text(l->st, 1));
		f = NC_PUSH(nd->ifaces, nd->nifaces, nd->capifaces);
		f->name = nc_strdup(col_text(l->st, 1));
		f->lan = (size_t)lan;
		if (col_ip(l, 3, &f->ip, "address", nd->name) < 0 ||
		    col_mask(l, 4, &f->mask, nd->name) < 0 ||
		    col_mac(l, 5, f->mac, &f->has_mac, nd->name) < 0)
			return -1;
		f->bandwidth_kbps = col_null(l->st, 6) ? NC_UNSET :
		    (long)sqlite3_column_int64(l->st, 6);
		f->delay_ms = col_null(l->st, 7) ? NC_UNSET :
		    sqlite3_column_double(l->st, 7);
		f->loss = col_null(l->st, 8) ? NC_UNSET :
		    sqlite3_column_double(l->st, 8);
		pm = NC_PUSH(l->mem, l->nmem, l->capmem);
		pm->lan = (size_t)lan;
		pm->ord = sqlite3_column_int64(l->st, 9);
		pm->node = (size_t)(nd - e->nodes);
		pm->iface = nd->nifaces - 1;
	}
	if (r < 0)
		return -1;
	if (l->nmem > 0)
		qsort(l->mem, l->nmem, sizeof(*l->mem), cmp_pending);
	for (k = 0; k < l->nmem; k++) {
		struct nc_lan *ln = &e->lans[l->mem[k].lan];
		struct nc_member *m;

		m = NC_PUSH(ln->members, ln->nmembers, ln->capmembers);
		m->node = l->mem[k].node;
		m->iface = l->mem[k].iface;
	}
	return 0;
}

static int
load_images(struct loader *l)
{
	size_t ix;
	struct nc_image *im;
	int r;

	if (query(l, "SELECT name, os, type, provider, version, url, sha256 "
	    "FROM images ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		ix = nc_exp_image(l->e, col_text(l->st, 0));
		im = &l->e->images[ix];
		im->os = col_str(l->st, 1);
		im->type = col_str(l->st, 2);
		im->provider = col_str(l->st, 3);
		im->version = col_str(l->st, 4);
		im->url = col_str(l->st, 5);
		im->sha256 = col_str(l->st, 6);
	}
	return r < 0 ? -1 : 0;
}

/* The user named by column 0 of the current row, or NULL (reported). */
static struct nc_user *
row_user(struct loader *l, const char *table)
{
	long u = nc_strmap_get(&l->e->user_by_name, col_text(l->st, 0));

	if (u < 0) {
		malformed(l, "%s: a row names no user", table);
		return NULL;
	}
	return &l->e->users[u];
}

static int
load_accounts(struct loader *l)
{
	size_t ix;
	struct nc_exp *e = l->e;
	struct nc_user *u;
	struct nc_group *g;
	char **p;
	int r;

	if (query(l, "SELECT name, uid, gid, fullname, home, shell, email, "
	    "password, root FROM users ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		ix = nc_exp_user(e, col_text(l->st, 0));
		u = &e->users[ix];
		u->uid = (long)sqlite3_column_int64(l->st, 1);
		u->gid = (long)sqlite3_column_int64(l->st, 2);
		u->fullname = col_str(l->st, 3);
		u->home = col_str(l->st, 4);
		u->shell = col_str(l->st, 5);
		u->email = col_str(l->st, 6);
		u->password = col_str(l->st, 7);
		u->root = sqlite3_column_int(l->st, 8) != 0;
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT user, grp FROM memberships "
	    "ORDER BY user, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((u = row_user(l, "memberships")) == NULL)
			return -1;
		p = NC_PUSH(u->groups, u->ngroups, u->capgroups);
		*p = nc_strdup(col_text(l->st, 1));
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT user, key FROM sshkeys ORDER BY user, ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((u = row_user(l, "sshkeys")) == NULL)
			return -1;
		p = NC_PUSH(u->keys, u->nkeys, u->capkeys);
		*p = nc_strdup(col_text(l->st, 1));
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT name, gid FROM groups ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		ix = nc_exp_group(e, col_text(l->st, 0));
		g = &e->groups[ix];
		g->gid = (long)sqlite3_column_int64(l->st, 1);
	}
	return r < 0 ? -1 : 0;
}

static int
load_rest(struct loader *l)
{
	struct nc_exp *e = l->e;
	struct nc_mount *m;
	struct nc_piface *p;
	struct nc_hostname *h;
	int r, has;

	if (query(l, "SELECT server, source, target, fstype, options "
	    "FROM mounts ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		m = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
		m->server = col_str(l->st, 0);
		m->source = col_str(l->st, 1);
		m->target = col_str(l->st, 2);
		m->fstype = col_str(l->st, 3);
		m->options = col_str(l->st, 4);
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT pnode, name, ip, netmask, mac, speed, duplex, "
	    "lan FROM pifaces ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		p = NC_PUSH(e->pifaces, e->npifaces, e->cappifaces);
		p->pnode = col_str(l->st, 0);
		p->name = col_str(l->st, 1);
		p->speed = col_str(l->st, 5);
		p->duplex = col_str(l->st, 6);
		p->lan = col_str(l->st, 7);
		if (col_ip(l, 2, &p->ip, "address", p->pnode) < 0 ||
		    col_mask(l, 3, &p->mask, p->pnode) < 0 ||
		    col_mac(l, 4, p->mac, &has, p->pnode) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (query(l, "SELECT name, ip, aliases FROM hostnames "
	    "ORDER BY ord") < 0)
		return -1;
	while ((r = next(l)) > 0) {
		h = NC_PUSH(e->hostnames, e->nhostnames, e->caphostnames);
		h->name = col_str(l->st, 0);
		h->aliases = col_str(l->st, 2);
		if (col_ip(l, 1, &h->ip, "address", h->name) < 0)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/* 1 when the experiment table exists. */
static int
have_table(struct loader *l)
{
	int r;

	if (query(l, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
	    "AND name = 'experiment'") < 0)
		return -1;
	r = next(l);
	return r;
}

int
nc_store_load(sqlite3 *db, struct nc_exp *e)
{
	struct loader l;
	int r, ret = -1, rc;

	memset(&l, 0, sizeof(l));
	l.db = db;
	l.e = e;
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "%s: cannot read the experiment: %s\n",
		    db_path(db), sqlite3_errmsg(db));
		return -1;
	}
	r = have_table(&l);
	if (r <= 0) {
		ret = r < 0 ? -1 : 1;
		goto out;
	}
	r = load_experiment(&l);
	if (r != 0) {
		ret = r;
		goto out;
	}
	if (load_lans(&l) < 0 || load_nodes(&l) < 0 ||
	    load_node_lists(&l) < 0 || load_ifaces(&l) < 0 ||
	    load_images(&l) < 0 || load_accounts(&l) < 0 || load_rest(&l) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		if (l.bad != NULL)
			fprintf(stderr, "%s: malformed experiment: %s\n",
			    db_path(db), l.bad);
		else
			fprintf(stderr, "%s: cannot read the experiment: %s\n",
			    db_path(db), sqlite3_errmsg(db));
	}
	rc = sqlite3_finalize(l.st);
	if (rc != SQLITE_OK && ret >= 0) {
		fprintf(stderr, "%s: cannot read the experiment: %s\n",
		    db_path(db), sqlite3_errmsg(db));
		ret = -1;
	}
	rc = sqlite3_exec(db, ret < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK && ret >= 0) {
		fprintf(stderr, "%s: cannot read the experiment: %s\n",
		    db_path(db), sqlite3_errmsg(db));
		ret = -1;
	}
	free(l.nodes);
	free(l.lans);
	free(l.mem);
	free(l.bad);
	return ret;
}

long long
nc_store_generation(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long long gen = -1;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT generation FROM experiment "
	    "WHERE id = 1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		/* A database without the schema has no generation. */
		if (sqlite3_errcode(db) != SQLITE_ERROR)
			fprintf(stderr, "%s: %s\n", db_path(db),
			    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		gen = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", db_path(db), sqlite3_errmsg(db));
	rc = sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		gen = -1;
	return gen;
}
