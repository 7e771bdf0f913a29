/*
 * store_load.c: the experiment database (schema.sql) back into the
 * in-memory experiment (model.h).  A load reads every table once, in one
 * read transaction, and rebuilds the same arrays in the same order that
 * store_save.c wrote them; text columns load back as stored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "routes.h"
#include "store.h"
#include "store_priv.h"
#include "util.h"

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
	const char *why;
	char **p;
	int r, line;

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
	if (r < 0)
		return -1;
	if (query(l, "SELECT id, routes FROM nodes WHERE routes IS NOT NULL")
	    < 0)
		return -1;
	while ((r = next(l)) > 0) {
		if ((nd = row_node(l, "routes")) == NULL)
			return -1;
		if (nc_routes_parse(nd, col_text(l->st, 1), &line, &why) < 0)
			return malformed(l, "node %s: routes line %d %s",
			    nd->name, line, why);
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

	if (query(l, "SELECT name, os, type, provider, version, url, sha256, "
	    "packages, osnames FROM images ORDER BY ord") < 0)
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
		im->packages = col_str(l->st, 7);
		im->osnames = col_str(l->st, 8);
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
		    store_db_path(db), sqlite3_errmsg(db));
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
			    store_db_path(db), l.bad);
		else
			fprintf(stderr, "%s: cannot read the experiment: %s\n",
			    store_db_path(db), sqlite3_errmsg(db));
	}
	rc = sqlite3_finalize(l.st);
	if (rc != SQLITE_OK && ret >= 0) {
		fprintf(stderr, "%s: cannot read the experiment: %s\n",
		    store_db_path(db), sqlite3_errmsg(db));
		ret = -1;
	}
	rc = sqlite3_exec(db, ret < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK && ret >= 0) {
		fprintf(stderr, "%s: cannot read the experiment: %s\n",
		    store_db_path(db), sqlite3_errmsg(db));
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
			fprintf(stderr, "%s: %s\n", store_db_path(db),
			    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		gen = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", store_db_path(db),
		    sqlite3_errmsg(db));
	rc = sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		gen = -1;
	return gen;
}
