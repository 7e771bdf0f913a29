/*
 * test_up.c: the support code of neoc up, down and exec.  pnodes.c:
 * HOST[:PORT] parsing, which pnodes the database has and where each is
 * (hostnames entries, --pnode-addr overrides, the one pnode that may be
 * this machine, malformed or hostile overrides refused); up_state.c: the
 * state file EXP.db.up written and read back field by field, missing,
 * corrupt or incomplete; nodestate.c: the nodes and their status rows,
 * the state counts, --state's words and the filter of neoc status, a
 * status line written (generation bumped by exactly one, control
 * characters blanked, a row replaced); up_opts.c: the shared
 * options and the settings down and exec start from, with and without a
 * state file.  Each test works in its own scratch directory on a database
 * saved by the store (nc_store_save).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic.h"
#include "db.h"
#include "inet.h"
#include "model.h"
#include "nodestate.h"
#include "pnodes.h"
#include "store.h"
#include "up.h"
#include "up_opts.h"
#include "util.h"
#include "scratch_dir.h"

/* ------------------------------------------------------------ scratch */

/* A scratch directory per test, removed afterwards. */
struct scratch {
	char dir[64];		/* the directory */
	char db[128];		/* DIR/exp.db */
	char err[128];		/* DIR/stderr: captured messages */
	int saved_fd;		/* stderr while captured, or -1 */
};

static int
setup(void **state)
{
	struct scratch *s = nc_calloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "/tmp/nc-test-up.XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		free(s);
		return -1;
	}
	snprintf(s->db, sizeof(s->db), "%s/exp.db", s->dir);
	snprintf(s->err, sizeof(s->err), "%s/stderr", s->dir);
	s->saved_fd = -1;
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct scratch *s = *state;

	if (s->saved_fd >= 0) {
		dup2(s->saved_fd, 2);
		close(s->saved_fd);
	}
	scratch_rm(s->dir);
	free(s);
	return 0;
}

/* Send stderr to s->err until capture_end. */
static void
capture_begin(struct scratch *s)
{
	int fd;

	fflush(stderr);
	s->saved_fd = dup(2);
	assert_true(s->saved_fd >= 0);
	fd = open(s->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
}

/* A whole file (malloc'd, NUL-terminated), or NULL when missing. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = nc_malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Stop capturing; what came (malloc'd). */
static char *
capture_end(struct scratch *s)
{
	char *text;

	fflush(stderr);
	assert_int_equal(dup2(s->saved_fd, 2), 2);
	close(s->saved_fd);
	s->saved_fd = -1;
	text = slurp(s->err);
	assert_non_null(text);
	return text;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* ---------------------------------------------------------- databases */

/* Which experiment make_db saves. */
enum {
	DB_TWO = 1,		/* pnode-0 and pnode-1 (else pnode-0 only) */
	DB_HOSTNAME = 2,	/* a hostnames entry for pnode-1 */
	DB_NOPNODE = 4,		/* no pnode at all */
};

/*
 * config, pnode-0 (and pnode-1), containers n-0 on pnode-0 and n-1 on the
 * last pnode, a physical node phys; hostnames for n-0 (never a pnode's)
 * and, with DB_HOSTNAME, pnode-1 at 10.0.0.7.
 */
static void
make_db(const char *path, int flags)
{
	const char *last = (flags & DB_TWO) ? "pnode-1" : "pnode-0";
	struct nc_hostname *h;
	struct nc_exp e;
	sqlite3 *db;
	size_t i;

	nc_exp_init(&e);
	e.name = nc_strdup("e1");
	e.project = nc_strdup("proj");
	e.group = nc_strdup("grp");
	e.control = nc_strdup("config");
	nc_exp_add_node(&e, "config", NC_ROLE_CONFIG);
	if (!(flags & DB_NOPNODE)) {
		nc_exp_add_node(&e, "pnode-0", NC_ROLE_PNODE);
		if (flags & DB_TWO)
			nc_exp_add_node(&e, "pnode-1", NC_ROLE_PNODE);
	}
	i = nc_exp_add_node(&e, "n-0", NC_ROLE_CONTAINER);
	e.nodes[i].host = nc_strdup("pnode-0");
	i = nc_exp_add_node(&e, "n-1", NC_ROLE_CONTAINER);
	e.nodes[i].host = nc_strdup(last);
	e.nodes[i].failure_action = nc_strdup("nonfatal");
	nc_exp_add_node(&e, "phys", NC_ROLE_PHYSICAL);
	h = NC_PUSH(e.hostnames, e.nhostnames, e.caphostnames);
	h->name = nc_strdup("n-0");
	assert_int_equal(nc_ip_parse("10.1.1.1", &h->ip), 0);
	h->aliases = nc_strdup("");
	if (flags & DB_HOSTNAME) {
		h = NC_PUSH(e.hostnames, e.nhostnames, e.caphostnames);
		h->name = nc_strdup("pnode-1");
		assert_int_equal(nc_ip_parse("10.0.0.7", &h->ip), 0);
		h->aliases = nc_strdup("");
	}
	assert_int_equal(nc_db_open(path, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_save(db, &e), 0);
	nc_db_close(db);
	nc_exp_free(&e);
}

static void
db_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(nc_db_open(path, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_db_exec(db, sql), 0);
	nc_db_close(db);
}

static long long
generation(const char *path)
{
	sqlite3 *db;
	long long g;

	assert_int_equal(nc_db_open(path, NC_DB_READ, &db), 0);
	g = nc_store_generation(db);
	nc_db_close(db);
	return g;
}

/* One status row, its columns copied (NULL: SQL NULL); 0 when absent. */
struct row {
	char state[32], step[128], message[256];
	int has_step, has_message;
	long long time;
};

static int
status_row(const char *path, const char *node, struct row *r)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	const unsigned char *t;
	int found = 0;

	memset(r, 0, sizeof(*r));
	assert_int_equal(nc_db_open(path, NC_DB_READ, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT state, time, step, "
	    "message FROM status WHERE node = ?1", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(r->state, sizeof(r->state), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		r->time = sqlite3_column_int64(st, 1);
		if ((t = sqlite3_column_text(st, 2)) != NULL) {
			r->has_step = 1;
			snprintf(r->step, sizeof(r->step), "%s", t);
		}
		if ((t = sqlite3_column_text(st, 3)) != NULL) {
			r->has_message = 1;
			snprintf(r->message, sizeof(r->message), "%s", t);
		}
	}
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	nc_db_close(db);
	return found;
}

/* -------------------------------------------------------- neoc_hostport */

static void
hostport_ok(const char *s, const char *host, int port)
{
	char *h = (char *)"unset";
	int p = -1;

	if (neoc_hostport(s, &h, &p) != 0)
		fail_msg("\"%s\" refused", s);
	assert_non_null(h);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
	free(h);
}

static void
hostport_bad(const char *s)
{
	char *h = (char *)"unset";
	int p = -1;

	if (neoc_hostport(s, &h, &p) != -1)
		fail_msg("\"%s\" accepted as %s port %d", s, h ? h : "(null)",
		    p);
	/* nothing to free on failure */
	assert_null(h);
}

static void
test_hostport(void **state)
{
	(void)state;
	hostport_ok("pnode1.example.net", "pnode1.example.net", 22);
	hostport_ok("10.0.0.3", "10.0.0.3", 22);
	hostport_ok("10.0.0.3:2222", "10.0.0.3", 2222);
	hostport_ok("h:1", "h", 1);
	hostport_ok("h:65535", "h", 65535);
	hostport_ok("h:22", "h", 22);
	/* the last colon splits */
	hostport_ok("a:b:2200", "a:b", 2200);
	hostport_bad("h:0");
	hostport_bad("h:65536");
	hostport_bad("h:-1");
	hostport_bad("h:abc");
	hostport_bad("h:22abc");
	hostport_bad("h:");
	hostport_bad("h:99999999999999999999999");
	hostport_bad("");
	hostport_bad(":22");
	hostport_bad(":");
}

/* -------------------------------------------------- neoc_pnodes_resolve */

/* Resolve with the overrides; the result, stderr captured into *msg. */
static int
resolve(struct scratch *s, char *const *ov, size_t nov,
    struct neoc_pnode **p, size_t *n, char **msg)
{
	int rc;

	capture_begin(s);
	rc = neoc_pnodes_resolve(s->db, ov, nov, p, n);
	*msg = capture_end(s);
	return rc;
}

static void
test_resolve_one_local(void **state)
{
	struct scratch *s = *state;
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	make_db(s->db, 0);
	assert_int_equal(resolve(s, NULL, 0, &p, &n, &msg), 0);
	assert_string_equal(msg, "");
	assert_int_equal(n, 1);
	assert_string_equal(p[0].name, "pnode-0");
	assert_null(p[0].host);
	assert_int_equal(p[0].port, 22);
	assert_ptr_equal(neoc_pnode_find(p, n, "pnode-0"), &p[0]);
	assert_null(neoc_pnode_find(p, n, "pnode-1"));
	assert_null(neoc_pnode_find(p, n, "n-0"));
	neoc_pnodes_free(p, n);
	free(msg);
}

static void
test_resolve_no_pnodes(void **state)
{
	struct scratch *s = *state;
	struct neoc_pnode *p = (struct neoc_pnode *)1;
	size_t n = 7;
	char *msg;

	make_db(s->db, DB_NOPNODE);
	assert_int_equal(resolve(s, NULL, 0, &p, &n, &msg), 0);
	assert_int_equal(n, 0);
	neoc_pnodes_free(p, n);
	free(msg);
}

static void
test_resolve_two_without_address(void **state)
{
	struct scratch *s = *state;
	struct neoc_pnode *p = (struct neoc_pnode *)1;
	size_t n = 7;
	char *msg;

	make_db(s->db, DB_TWO);
	assert_int_equal(resolve(s, NULL, 0, &p, &n, &msg), -1);
	assert_null(p);
	assert_int_equal(n, 0);
	/* the second pnode without an address is named, with the cure */
	assert_non_null(strstr(msg, "pnode pnode-1 has no address"));
	assert_non_null(strstr(msg, "--pnode-addr pnode-1=HOST"));
	free(msg);
}

static void
test_resolve_hostname(void **state)
{
	struct scratch *s = *state;
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	assert_int_equal(resolve(s, NULL, 0, &p, &n, &msg), 0);
	assert_string_equal(msg, "");
	assert_int_equal(n, 2);
	/* file order, the hostnames entry for pnode-1 only */
	assert_string_equal(p[0].name, "pnode-0");
	assert_null(p[0].host);
	assert_int_equal(p[0].port, 22);
	assert_string_equal(p[1].name, "pnode-1");
	assert_non_null(p[1].host);
	assert_string_equal(p[1].host, "10.0.0.7");
	assert_int_equal(p[1].port, 22);
	neoc_pnodes_free(p, n);
	free(msg);
}

static void
test_resolve_overrides(void **state)
{
	struct scratch *s = *state;
	char *ov1[] = { "pnode-1=10.0.0.3:2222" };
	char *ov2[] = { "pnode-0=pn0.example.net", "pnode-1=local" };
	char *ov3[] = { "pnode-1=10.0.0.3:2222", "pnode-1=10.0.0.4" };
	char *ov4[] = { "pnode-0=local" };
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	/* an override wins over the hostnames entry, with its port */
	assert_int_equal(resolve(s, ov1, 1, &p, &n, &msg), 0);
	assert_int_equal(n, 2);
	assert_null(p[0].host);
	assert_string_equal(p[1].host, "10.0.0.3");
	assert_int_equal(p[1].port, 2222);
	neoc_pnodes_free(p, n);
	free(msg);

	/* the other way round: pnode-1 local, pnode-0 remote */
	assert_int_equal(resolve(s, ov2, 2, &p, &n, &msg), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].host, "pn0.example.net");
	assert_int_equal(p[0].port, 22);
	assert_null(p[1].host);
	assert_int_equal(p[1].port, 22);
	neoc_pnodes_free(p, n);
	free(msg);

	/* the last override for a pnode wins, its port back to 22 */
	assert_int_equal(resolve(s, ov3, 2, &p, &n, &msg), 0);
	assert_string_equal(p[1].host, "10.0.0.4");
	assert_int_equal(p[1].port, 22);
	neoc_pnodes_free(p, n);
	free(msg);

	/* pnode-0=local when it has no address anyway: still fine */
	assert_int_equal(resolve(s, ov4, 1, &p, &n, &msg), 0);
	assert_null(p[0].host);
	assert_string_equal(p[1].host, "10.0.0.7");
	neoc_pnodes_free(p, n);
	free(msg);
}

static void
test_resolve_override_makes_two_local(void **state)
{
	struct scratch *s = *state;
	char *ov[] = { "pnode-1=local" };
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	assert_int_equal(resolve(s, ov, 1, &p, &n, &msg), -1);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_non_null(strstr(msg, "pnode-1 has no address"));
	free(msg);
}

static void
test_resolve_bad_overrides(void **state)
{
	struct scratch *s = *state;
	static const char *const bad[] = {
		"=x", "pnode-0=", "pnode-0=-oProxyCommand=x", "pnode-0=a b",
		"pnode-0", "pnode-0=h:0", "pnode-0=h:65536", "pnode-0=h:x",
		"pnode-0=:22", "pnode-0=h;reboot", "pnode-0=$(id)",
		"pnode-0=`id`", "pnode-0=a\nb", "pnode-0=-p2222",
	};
	struct neoc_pnode *p;
	size_t n, i;
	char *msg, *ov[2];

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ov[0] = (char *)bad[i];
		p = (struct neoc_pnode *)1;
		if (resolve(s, ov, 1, &p, &n, &msg) != -1)
			fail_msg("override \"%s\" accepted", bad[i]);
		assert_null(p);
		assert_int_equal(n, 0);
		if (strstr(msg, "not NAME=HOST[:PORT]") == NULL)
			fail_msg("override \"%s\": %s", bad[i], msg);
		free(msg);
	}
	/* a bad one after a good one fails the whole resolve */
	ov[0] = "pnode-1=10.0.0.3";
	ov[1] = "pnode-0=a b";
	assert_int_equal(resolve(s, ov, 2, &p, &n, &msg), -1);
	assert_null(p);
	free(msg);
}

static void
test_resolve_unknown_pnode(void **state)
{
	struct scratch *s = *state;
	char *ov[] = { "pnode-9=10.0.0.9" };
	char *ov2[] = { "n-0=10.0.0.9" };
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	assert_int_equal(resolve(s, ov, 1, &p, &n, &msg), -1);
	assert_null(p);
	assert_non_null(strstr(msg, "no pnode \"pnode-9\""));
	free(msg);
	/* a container is not a pnode */
	assert_int_equal(resolve(s, ov2, 1, &p, &n, &msg), -1);
	assert_non_null(strstr(msg, "no pnode \"n-0\""));
	free(msg);
}

static void
test_resolve_no_database(void **state)
{
	struct scratch *s = *state;
	struct neoc_pnode *p;
	size_t n;
	char *msg;

	assert_int_equal(resolve(s, NULL, 0, &p, &n, &msg), -1);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_string_not_equal(msg, "");
	free(msg);
	/* and it did not create one */
	assert_int_equal(access(s->db, F_OK), -1);
}

/* ------------------------------------------------------------ up state */

static void
fill_up(struct scratch *s, struct neoc_up *u)
{
	memset(u, 0, sizeof(*u));
	u->db = nc_strdup(s->db);
	u->state = neoc_up_state_path(s->db);
	u->mount = nc_strdup("/mnt/nc \"quoted\"");
	u->listen = nc_strdup("10.0.0.1:5640");
	u->no_auth = 1;
	u->npnodes = 3;
	u->pnodes = nc_calloc(3, sizeof(*u->pnodes));
	u->pnodes[0].name = nc_strdup("pnode-0");
	u->pnodes[0].host = NULL;
	u->pnodes[0].port = 22;
	u->pnodes[1].name = nc_strdup("pnode-1");
	u->pnodes[1].host = nc_strdup("10.0.0.3");
	u->pnodes[1].port = 2222;
	u->pnodes[2].name = nc_strdup("pnode-2");
	u->pnodes[2].host = nc_strdup("pn2.example.net");
	u->pnodes[2].port = 65535;
	u->user = nc_strdup("admin");
	u->identity = nc_strdup("/home/a/.ssh/id_ed25519");
	u->known_hosts = nc_strdup("/home/a/.ssh/kh");
	u->remote_ncprov = nc_strdup("/opt/bin/ncprov");
}

static void
test_state_round_trip(void **state)
{
	struct scratch *s = *state;
	struct neoc_up a, b;
	char *path;
	glob_t g;
	size_t i;

	fill_up(s, &a);
	path = nc_asprintf("%s.up", s->db);
	assert_string_equal(a.state, path);
	assert_int_equal(neoc_up_save(&a), 0);
	/* written atomically: no temporary file left */
	assert_int_equal(access(path, R_OK), 0);
	free(path);
	path = nc_asprintf("%s.up" NC_ATOMIC_TMP "*", s->db);
	assert_int_equal(glob(path, 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
	free(path);

	memset(&b, 0, sizeof(b));
	assert_int_equal(neoc_up_load(s->db, &b), 1);
	assert_string_equal(b.db, a.db);
	assert_string_equal(b.state, a.state);
	assert_string_equal(b.mount, a.mount);
	assert_string_equal(b.listen, a.listen);
	assert_int_equal(b.no_auth, 1);
	assert_int_equal(b.npnodes, a.npnodes);
	for (i = 0; i < a.npnodes; i++) {
		assert_string_equal(b.pnodes[i].name, a.pnodes[i].name);
		if (a.pnodes[i].host == NULL)
			assert_null(b.pnodes[i].host);
		else
			assert_string_equal(b.pnodes[i].host,
			    a.pnodes[i].host);
		assert_int_equal(b.pnodes[i].port, a.pnodes[i].port);
	}
	assert_string_equal(b.user, a.user);
	assert_string_equal(b.identity, a.identity);
	assert_string_equal(b.known_hosts, a.known_hosts);
	assert_string_equal(b.remote_ncprov, a.remote_ncprov);
	neoc_up_free(&b);
	/* neoc_up_free leaves a clean struct */
	assert_null(b.db);
	assert_null(b.pnodes);
	assert_int_equal(b.npnodes, 0);

	/* the optional fields absent, no_auth off, no pnodes */
	free(a.identity);
	a.identity = NULL;
	free(a.known_hosts);
	a.known_hosts = NULL;
	a.no_auth = 0;
	neoc_pnodes_free(a.pnodes, a.npnodes);
	a.pnodes = NULL;
	a.npnodes = 0;
	assert_int_equal(neoc_up_save(&a), 0);
	assert_int_equal(neoc_up_load(s->db, &b), 1);
	assert_null(b.identity);
	assert_null(b.known_hosts);
	assert_int_equal(b.no_auth, 0);
	assert_int_equal(b.npnodes, 0);
	assert_string_equal(b.user, "admin");
	neoc_up_free(&b);
	neoc_up_free(&a);
}

static void
test_state_missing(void **state)
{
	struct scratch *s = *state;
	struct neoc_up u;
	char *path;

	memset(&u, 0, sizeof(u));
	assert_int_equal(neoc_up_load(s->db, &u), 0);
	/* db and state are set even so */
	assert_string_equal(u.db, s->db);
	path = nc_asprintf("%s.up", s->db);
	assert_string_equal(u.state, path);
	free(path);
	assert_null(u.mount);
	assert_int_equal(u.npnodes, 0);
	neoc_up_free(&u);
}

/* Write text as the state file of s->db; neoc_up_load's result. */
static int
load_text(struct scratch *s, const char *text, char **msg)
{
	struct neoc_up u;
	char *path = neoc_up_state_path(s->db);
	int rc;

	write_file(path, text);
	free(path);
	memset(&u, 0, sizeof(u));
	capture_begin(s);
	rc = neoc_up_load(s->db, &u);
	*msg = capture_end(s);
	neoc_up_free(&u);
	return rc;
}

static void
test_state_corrupt(void **state)
{
	struct scratch *s = *state;
	static const char ok_head[] = "{\"db\": \"x\", \"mount\": \"/nc\", "
	    "\"listen\": \"0.0.0.0:564\", ";
	static const struct {
		const char *text;	/* the file */
		const char *msg;	/* in the message */
	} cases[] = {
		{ "{\"mount\": \"/nc\", ", ".up:" },
		{ "", ".up:" },
		{ "not json at all\n", ".up:" },
		{ "{\"listen\": \"0.0.0.0:564\", \"pnodes\": []}",
		    "no mount or listen" },
		{ "{\"mount\": \"/nc\", \"pnodes\": []}",
		    "no mount or listen" },
		{ "[1, 2, 3]", "no mount or listen" },
	};
	char *msg, *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load_text(s, cases[i].text, &msg) != -1)
			fail_msg("state \"%s\" loaded", cases[i].text);
		if (strstr(msg, cases[i].msg) == NULL)
			fail_msg("state \"%s\": message %s", cases[i].text,
			    msg);
		free(msg);
	}
	/* pnodes without a name, or with a port out of range */
	static const char *const pn[] = {
		"[{\"host\": \"10.0.0.3\", \"port\": 22}]",
		"[{\"name\": 5, \"port\": 22}]",
		"[{\"name\": \"pnode-0\"}]",
		"[{\"name\": \"pnode-0\", \"port\": 0}]",
		"[{\"name\": \"pnode-0\", \"port\": 65536}]",
		/* 2^32 + 22: not 22 */
		"[{\"name\": \"pnode-0\", \"port\": 4294967318}]",
		"[{\"name\": \"pnode-0\", \"port\": -4294967274}]",
		"[{\"name\": \"pnode-0\", \"port\": \"22\"}]",
		"[{\"name\": \"pnode-0\", \"port\": 22}, {\"port\": 22}]",
	};
	for (i = 0; i < sizeof(pn) / sizeof(pn[0]); i++) {
		text = nc_asprintf("%s\"pnodes\": %s}", ok_head, pn[i]);
		if (load_text(s, text, &msg) != -1)
			fail_msg("state %s loaded", text);
		assert_non_null(strstr(msg, "a pnode without a name or port"));
		free(msg);
		free(text);
	}
	/* the same with a good pnode loads */
	text = nc_asprintf("%s\"pnodes\": [{\"name\": \"pnode-0\", "
	    "\"port\": 22}]}", ok_head);
	assert_int_equal(load_text(s, text, &msg), 1);
	assert_string_equal(msg, "");
	free(msg);
	free(text);
}

static void
test_state_save_fails(void **state)
{
	struct scratch *s = *state;
	struct neoc_up u;
	char *msg;

	/* the state file's directory does not exist */
	fill_up(s, &u);
	free(u.state);
	u.state = nc_asprintf("%s/no/such/dir/exp.db.up", s->dir);
	capture_begin(s);
	assert_int_equal(neoc_up_save(&u), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "no/such/dir/exp.db.up"));
	free(msg);
	/* a required field missing: refused, nothing written */
	free(u.state);
	u.state = neoc_up_state_path(s->db);
	free(u.mount);
	u.mount = NULL;
	capture_begin(s);
	assert_int_equal(neoc_up_save(&u), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "cannot build the state"));
	assert_int_equal(access(u.state, F_OK), -1);
	free(msg);
	neoc_up_free(&u);
}

/* ---------------------------------------------------------- node state */

static const struct neoc_node *
find_node(const struct neoc_node *nodes, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(nodes[i].name, name) == 0)
			return &nodes[i];
	fail_msg("no node %s", name);
	return NULL;
}

static void
test_nodes_load(void **state)
{
	struct scratch *s = *state;
	struct neoc_node *nodes;
	const struct neoc_node *nd;
	size_t n, counts[NCT_NSTATES];

	make_db(s->db, DB_TWO);
	db_exec(s->db, "INSERT INTO status (node, state, time, step, message) "
	    "VALUES ('n-0', 'ready', 1700000000, 'startcmd', 'ok'), "
	    "('pnode-1', 'failed', 1700000001, NULL, 'unreachable'), "
	    "('phys', 'booting', 5, NULL, NULL)");
	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
	/* every node but the control node, in file order */
	assert_int_equal(n, 5);
	assert_string_equal(nodes[0].name, "pnode-0");
	assert_string_equal(nodes[1].name, "pnode-1");
	assert_string_equal(nodes[2].name, "n-0");
	assert_string_equal(nodes[3].name, "n-1");
	assert_string_equal(nodes[4].name, "phys");

	nd = find_node(nodes, n, "pnode-0");
	assert_string_equal(nd->role, "pnode");
	assert_null(nd->host);
	assert_string_equal(nd->state, "pending");
	assert_int_equal(nd->time, 0);
	assert_null(nd->step);
	assert_null(nd->message);
	assert_int_equal(neoc_state_of(nd), NCT_PENDING);

	nd = find_node(nodes, n, "n-0");
	assert_string_equal(nd->role, "container");
	assert_string_equal(nd->host, "pnode-0");
	assert_string_equal(nd->failure, "fatal");
	assert_string_equal(nd->state, "ready");
	assert_int_equal(nd->time, 1700000000);
	assert_string_equal(nd->step, "startcmd");
	assert_string_equal(nd->message, "ok");
	assert_int_equal(neoc_state_of(nd), NCT_READY);

	nd = find_node(nodes, n, "n-1");
	assert_string_equal(nd->host, "pnode-1");
	assert_string_equal(nd->failure, "nonfatal");
	assert_int_equal(neoc_state_of(nd), NCT_PENDING);

	nd = find_node(nodes, n, "pnode-1");
	assert_string_equal(nd->state, "failed");
	assert_null(nd->step);
	assert_string_equal(nd->message, "unreachable");
	assert_int_equal(neoc_state_of(nd), NCT_FAILED);

	nd = find_node(nodes, n, "phys");
	assert_string_equal(nd->role, "physical");
	assert_int_equal(neoc_state_of(nd), NCT_BOOTING);
	assert_int_equal(nd->time, 5);

	neoc_nodes_count(nodes, n, counts);
	assert_int_equal(counts[NCT_PENDING], 2);
	assert_int_equal(counts[NCT_BOOTING], 1);
	assert_int_equal(counts[NCT_PROVISIONING], 0);
	assert_int_equal(counts[NCT_READY], 1);
	assert_int_equal(counts[NCT_FAILED], 1);
	neoc_nodes_free(nodes, n);
}

static void
test_nodes_load_no_database(void **state)
{
	struct scratch *s = *state;
	struct neoc_node *nodes = (struct neoc_node *)1;
	size_t n = 3;
	char *msg;

	capture_begin(s);
	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), -1);
	msg = capture_end(s);
	assert_null(nodes);
	assert_int_equal(n, 0);
	assert_string_not_equal(msg, "");
	free(msg);
}

static void
test_state_of(void **state)
{
	static const struct {
		const char *state;
		enum nct_state want;
	} cases[] = {
		{ "pending", NCT_PENDING },
		{ "booting", NCT_BOOTING },
		{ "provisioning", NCT_PROVISIONING },
		{ "ready", NCT_READY },
		{ "failed", NCT_FAILED },
		{ "", NCT_PENDING },
		{ "READY", NCT_PENDING },
		{ "ready ", NCT_PENDING },
		{ "readyish", NCT_PENDING },
		{ "exploded", NCT_PENDING },
	};
	struct neoc_node nodes[sizeof(cases) / sizeof(cases[0])];
	size_t i, counts[NCT_NSTATES];

	(void)state;
	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nodes[i].state = (char *)cases[i].state;
		if (neoc_state_of(&nodes[i]) != cases[i].want)
			fail_msg("state \"%s\": %d, not %d", cases[i].state,
			    neoc_state_of(&nodes[i]), cases[i].want);
	}
	/* the names are in the enum's order */
	for (i = 0; i < NCT_NSTATES; i++) {
		struct neoc_node nd = { .state = (char *)nct_states[i] };

		assert_int_equal(neoc_state_of(&nd), i);
	}
	neoc_nodes_count(nodes, sizeof(nodes) / sizeof(nodes[0]), counts);
	assert_int_equal(counts[NCT_PENDING], 6);
	assert_int_equal(counts[NCT_BOOTING], 1);
	assert_int_equal(counts[NCT_PROVISIONING], 1);
	assert_int_equal(counts[NCT_READY], 1);
	assert_int_equal(counts[NCT_FAILED], 1);
	/* nothing: all zero, whatever was there */
	memset(counts, 0xff, sizeof(counts));
	neoc_nodes_count(NULL, 0, counts);
	for (i = 0; i < NCT_NSTATES; i++)
		assert_int_equal(counts[i], 0);
}

static void
test_counts_and_table(void **state)
{
	struct scratch *s = *state;
	struct neoc_node *nodes;
	size_t n, counts[NCT_NSTATES];
	char *path = nc_asprintf("%s/table", s->dir), *text;
	FILE *f;

	make_db(s->db, DB_TWO);
	db_exec(s->db, "INSERT INTO status (node, state, time) VALUES "
	    "('n-0', 'ready', 1), ('n-1', 'failed', 1)");
	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
	neoc_nodes_count(nodes, n, counts);
	f = fopen(path, "w");
	assert_non_null(f);
	neoc_counts_line(f, counts);
	fputc('\n', f);
	neoc_nodes_table(f, nodes, n, n, 1);
	assert_int_equal(fclose(f), 0);
	text = slurp(path);
	assert_non_null(strstr(text, "pending 3, booting 0, provisioning 0, "
	    "ready 1, failed 1\n"));
	assert_non_null(strstr(text, " (5 nodes)\n"));
	assert_non_null(strstr(text, "] 2/5 settled, 1 failed\n"));
	/* 2 of 5 settled: 16 of 40 marks */
	assert_non_null(strstr(text, "[################........................"
	    "]"));
	free(text);
	free(path);
	neoc_nodes_free(nodes, n);
}

/* --state's words: single, a list, repeated (bits add up); a bad word
 * (unknown, empty, a prefix, a trailing comma) refused, named. */
static void
test_state_mask(void **state)
{
	unsigned mask = 0;
	char why[256];

	(void)state;
	assert_int_equal(neoc_state_mask("failed", &mask, why, sizeof(why)),
	    0);
	assert_int_equal(mask, 1u << NCT_FAILED);
	assert_int_equal(neoc_state_mask("pending,ready", &mask, why,
	    sizeof(why)), 0);
	assert_int_equal(mask, (1u << NCT_FAILED) | (1u << NCT_PENDING) |
	    (1u << NCT_READY));
	mask = 0;
	assert_int_equal(neoc_state_mask("booting,provisioning,booting",
	    &mask, why, sizeof(why)), 0);
	assert_int_equal(mask, (1u << NCT_BOOTING) | (1u << NCT_PROVISIONING));
	assert_int_equal(neoc_state_mask("ready,faild", &mask, why,
	    sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown state \"faild\""));
	assert_non_null(strstr(why, "pending booting provisioning ready "
	    "failed"));
	assert_int_equal(neoc_state_mask("", &mask, why, sizeof(why)),
	    -EINVAL);
	assert_int_equal(neoc_state_mask("read", &mask, why, sizeof(why)),
	    -EINVAL);
	assert_int_equal(neoc_state_mask("ready,", &mask, why, sizeof(why)),
	    -EINVAL);
	assert_non_null(strstr(why, "unknown state \"\""));
}

/* The filter keeps the nodes asked for, in order: by state, by pnode (the
 * pnode and its guests), both, neither (all). */
static void
test_nodes_filter(void **state)
{
	struct scratch *s = *state;
	struct neoc_node *nodes;
	size_t n;
	char *p1[] = { "pnode-1" }, *p0[] = { "pnode-0" };

	make_db(s->db, DB_TWO);
	db_exec(s->db, "INSERT INTO status (node, state, time) VALUES "
	    "('n-0', 'ready', 1), ('n-1', 'failed', 1), "
	    "('pnode-1', 'ready', 1)");
	/* every node: pnode-0 pnode-1 n-0 n-1 phys (pending, ready, ready,
	 * failed, pending) */
	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
	assert_int_equal(n, 5);
	neoc_nodes_filter(nodes, &n, 0, NULL, 0);
	assert_int_equal(n, 5);
	neoc_nodes_filter(nodes, &n, (1u << NCT_READY) | (1u << NCT_FAILED),
	    NULL, 0);
	assert_int_equal(n, 3);
	assert_string_equal(nodes[0].name, "pnode-1");
	assert_string_equal(nodes[1].name, "n-0");
	assert_string_equal(nodes[2].name, "n-1");
	neoc_nodes_filter(nodes, &n, 0, p1, 1);
	assert_int_equal(n, 2);
	assert_string_equal(nodes[0].name, "pnode-1");
	assert_string_equal(nodes[1].name, "n-1");
	neoc_nodes_free(nodes, n);

	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
	neoc_nodes_filter(nodes, &n, 1u << NCT_PENDING, p0, 1);
	assert_int_equal(n, 1);
	assert_string_equal(nodes[0].name, "pnode-0");
	neoc_nodes_filter(nodes, &n, 1u << NCT_READY, NULL, 0);
	assert_int_equal(n, 0);
	neoc_nodes_free(nodes, n);
}

static void
test_status_write(void **state)
{
	struct scratch *s = *state;
	struct row r;
	long long g0, g1;
	time_t t0;

	make_db(s->db, DB_TWO);
	g0 = generation(s->db);
	assert_true(g0 >= 1);
	assert_int_equal(status_row(s->db, "n-0", &r), 0);

	t0 = time(NULL);
	assert_int_equal(neoc_status_write(s->db, "n-0", "provisioning",
	    "accounts", "adding\tusers\r\nalice\x7f bob\x01"), 0);
	g1 = generation(s->db);
	assert_int_equal(g1, g0 + 1);
	assert_int_equal(status_row(s->db, "n-0", &r), 1);
	assert_string_equal(r.state, "provisioning");
	assert_true(r.has_step);
	assert_string_equal(r.step, "accounts");
	assert_true(r.has_message);
	/* one line, printable: each control character a space */
	assert_string_equal(r.message, "adding users  alice  bob ");
	assert_true(r.time >= (long long)t0 && r.time <= (long long)time(NULL));

	/* the row exists: replaced, one more generation; step and message
	 * empty or missing are stored as NULL */
	assert_int_equal(neoc_status_write(s->db, "n-0", "ready", "", NULL),
	    0);
	assert_int_equal(generation(s->db), g0 + 2);
	assert_int_equal(status_row(s->db, "n-0", &r), 1);
	assert_string_equal(r.state, "ready");
	assert_false(r.has_step);
	assert_false(r.has_message);

	/* a step with control characters; UTF-8 bytes kept */
	assert_int_equal(neoc_status_write(s->db, "n-0", "failed",
	    "start\ncmd", "caf\xc3\xa9 \x1b[31mred"), 0);
	assert_int_equal(generation(s->db), g0 + 3);
	assert_int_equal(status_row(s->db, "n-0", &r), 1);
	assert_string_equal(r.step, "start cmd");
	assert_string_equal(r.message, "caf\xc3\xa9  [31mred");

	/* neoc_nodes_load sees it */
	{
		struct neoc_node *nodes;
		size_t n;

		assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
		assert_int_equal(neoc_state_of(find_node(nodes, n, "n-0")),
		    NCT_FAILED);
		neoc_nodes_free(nodes, n);
	}
	/* the other rows untouched */
	assert_int_equal(status_row(s->db, "n-1", &r), 0);
}

static void
test_status_write_refused(void **state)
{
	struct scratch *s = *state;
	struct row r;
	long long g0;
	char *msg;

	make_db(s->db, DB_TWO);
	assert_int_equal(neoc_status_write(s->db, "n-1", "booting", NULL,
	    NULL), 0);
	g0 = generation(s->db);
	/* a state the table does not allow: nothing changes */
	capture_begin(s);
	assert_int_equal(neoc_status_write(s->db, "n-1", "exploded", "x",
	    "y"), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "status of n-1"));
	free(msg);
	assert_int_equal(generation(s->db), g0);
	assert_int_equal(status_row(s->db, "n-1", &r), 1);
	assert_string_equal(r.state, "booting");
}

/* Bytes that are not UTF-8, written or found in the table, become '?'
 * (neoc status --json and up's events must not lose the node). */
static void
test_status_not_utf8(void **state)
{
	struct scratch *s = *state;
	struct neoc_node *nodes;
	struct row r;
	size_t n;

	make_db(s->db, DB_TWO);
	assert_int_equal(neoc_status_write(s->db, "n-0", "failed", "x",
	    "ok\xff caf\xc3\xa9 \xc3("), 0);
	assert_int_equal(status_row(s->db, "n-0", &r), 1);
	assert_string_equal(r.message, "ok? caf\xc3\xa9 ?(");
	/* a row some other writer left */
	assert_int_equal(neoc_status_write(s->db, "n-1", "ready", NULL, NULL),
	    0);
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(s->db, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE status SET message = "
		    "CAST(X'6F6BFF' AS TEXT) WHERE node = 'n-1'", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(neoc_nodes_load(s->db, &nodes, &n), 0);
	assert_string_equal(find_node(nodes, n, "n-1")->message, "ok?");
	neoc_nodes_free(nodes, n);
}

/* ------------------------------------------------------------ up_opts */

static void
test_reach_opt(void **state)
{
	struct neoc_reach r = { .retries = -1 };

	(void)state;
	assert_int_equal(neoc_reach_opt(&r, 'i', "/k/id"), 1);
	assert_string_equal(r.identity, "/k/id");
	assert_int_equal(neoc_reach_opt(&r, 'l', "admin"), 1);
	assert_string_equal(r.user, "admin");
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_KNOWN, "/k/kh"), 1);
	assert_string_equal(r.known, "/k/kh");
	assert_int_equal(r.accept_new, 0);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ACCEPT, NULL), 1);
	assert_int_equal(r.accept_new, 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_RETRIES, "0"), 1);
	assert_int_equal(r.retries, 0);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_RETRIES, "100"), 1);
	assert_int_equal(r.retries, 100);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_CTIMEOUT, "2.5"), 1);
	assert_true(r.connect_timeout == 2.5);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_PARALLEL, "1"), 1);
	assert_int_equal(r.parallel, 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_PARALLEL, "256"), 1);
	assert_int_equal(r.parallel, 256);
	/* --pnode-addr accumulates, in order */
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR, "pnode-0=a"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR, "pnode-1=b:2"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR, "pnode-2=c"), 1);
	assert_int_equal(r.naddrs, 3);
	assert_string_equal(r.addrs[0], "pnode-0=a");
	assert_string_equal(r.addrs[1], "pnode-1=b:2");
	assert_string_equal(r.addrs[2], "pnode-2=c");
	/* not ours: untouched */
	assert_int_equal(neoc_reach_opt(&r, 'd', "x.db"), 0);
	assert_int_equal(neoc_reach_opt(&r, 'q', NULL), 0);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_JSON, NULL), 0);
	assert_int_equal(neoc_reach_opt(&r, '?', NULL), 0);
	assert_string_equal(r.identity, "/k/id");
	assert_int_equal(r.naddrs, 3);
	free(r.addrs);
	/* the usage names every option */
	assert_non_null(strstr(neoc_reach_usage, "--pnode-addr"));
	assert_non_null(strstr(neoc_reach_usage, "--connect-timeout"));
	assert_non_null(strstr(neoc_reach_usage, "--accept-new-hostkeys"));
}

/* The exit status of neoc_reach_opt(ch, arg) in a child (0 if it
 * returned). */
static int
opt_exit(int ch, const char *arg)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct neoc_reach r = { .retries = -1 };

		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		neoc_reach_opt(&r, ch, arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
test_reach_opt_bad_values(void **state)
{
	static const struct {
		int ch;
		const char *arg;
	} bad[] = {
		{ NEOC_OPT_RETRIES, "-1" }, { NEOC_OPT_RETRIES, "101" },
		{ NEOC_OPT_RETRIES, "x" }, { NEOC_OPT_RETRIES, "" },
		{ NEOC_OPT_RETRIES, "3x" },
		{ NEOC_OPT_PARALLEL, "0" }, { NEOC_OPT_PARALLEL, "257" },
		{ NEOC_OPT_PARALLEL, "eight" },
		{ NEOC_OPT_CTIMEOUT, "0" }, { NEOC_OPT_CTIMEOUT, "-1" },
		{ NEOC_OPT_CTIMEOUT, "nan" }, { NEOC_OPT_CTIMEOUT, "10s" },
		{ NEOC_OPT_CTIMEOUT, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (opt_exit(bad[i].ch, bad[i].arg) != 2)
			fail_msg("option %d \"%s\" not refused with 2",
			    bad[i].ch, bad[i].arg);
	/* and the child really returns for a good one */
	assert_int_equal(opt_exit(NEOC_OPT_RETRIES, "5"), 0);
	assert_int_equal(opt_exit(NEOC_OPT_CTIMEOUT, "0.5"), 0);
}

static void
test_reach_setup_no_state(void **state)
{
	struct scratch *s = *state;
	struct neoc_reach r = { .retries = -1 };
	struct neoc_up u;
	char *msg;

	make_db(s->db, DB_TWO | DB_HOSTNAME);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 0);
	assert_string_equal(u.db, s->db);
	assert_int_equal(u.npnodes, 2);
	assert_string_equal(u.pnodes[0].name, "pnode-0");
	assert_null(u.pnodes[0].host);
	assert_string_equal(u.pnodes[1].host, "10.0.0.7");
	/* the defaults */
	assert_string_equal(u.user, "root");
	assert_null(u.identity);
	assert_null(u.known_hosts);
	assert_int_equal(u.accept_new, 0);
	assert_int_equal(u.retries, 3);
	assert_true(u.connect_timeout == 10);
	assert_int_equal(u.parallel, 8);
	assert_string_equal(u.mount, "/nc");
	assert_string_equal(u.listen, "0.0.0.0:564");
	assert_string_equal(u.remote_ncprov, NEOC_REMOTE_NCPROV);
	assert_true(u.pnode_timeout > 0);
	assert_true(u.ready_timeout > 0);
	neoc_up_free(&u);

	/* every option given */
	assert_int_equal(neoc_reach_opt(&r, 'i', "/k/id"), 1);
	assert_int_equal(neoc_reach_opt(&r, 'l', "admin"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_KNOWN, "/k/kh"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ACCEPT, NULL), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_RETRIES, "0"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_CTIMEOUT, "1.5"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_PARALLEL, "2"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR,
	    "pnode-1=10.0.0.3:2222"), 1);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 0);
	assert_string_equal(u.user, "admin");
	assert_string_equal(u.identity, "/k/id");
	assert_string_equal(u.known_hosts, "/k/kh");
	assert_int_equal(u.accept_new, 1);
	/* --retries 0 is zero retries, not the default */
	assert_int_equal(u.retries, 0);
	assert_true(u.connect_timeout == 1.5);
	assert_int_equal(u.parallel, 2);
	assert_string_equal(u.pnodes[1].host, "10.0.0.3");
	assert_int_equal(u.pnodes[1].port, 2222);
	neoc_up_free(&u);
	free(r.addrs);

	/* an override the database refuses fails the setup */
	memset(&r, 0, sizeof(r));
	r.retries = -1;
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR, "pnode-7=h"), 1);
	capture_begin(s);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "pnode-7"));
	free(msg);
	neoc_up_free(&u);
	free(r.addrs);
}

static void
test_reach_setup_relative(void **state)
{
	struct scratch *s = *state;
	struct neoc_reach r = { .retries = -1 };
	char cwd[PATH_MAX];
	struct neoc_up u;
	char *path;
	int rc;

	make_db(s->db, 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(s->dir), 0);
	rc = neoc_reach_setup("exp.db", &r, &u);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);
	/* made absolute, and the state file beside it */
	assert_string_equal(u.db, s->db);
	path = nc_asprintf("%s.up", s->db);
	assert_string_equal(u.state, path);
	free(path);
	assert_int_equal(u.npnodes, 1);
	assert_null(u.pnodes[0].host);
	neoc_up_free(&u);
}

static void
test_reach_setup_no_database(void **state)
{
	struct scratch *s = *state;
	struct neoc_reach r = { .retries = -1 };
	struct neoc_up u;

	struct neoc_up a;
	char *msg;

	/* neither database nor state: no pnodes, the defaults */
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 0);
	assert_int_equal(u.npnodes, 0);
	assert_string_equal(u.user, "root");
	neoc_up_free(&u);
	/* a state file but no database: the state's pnodes */
	fill_up(s, &a);
	assert_int_equal(neoc_up_save(&a), 0);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 1);
	assert_int_equal(u.npnodes, 3);
	neoc_up_free(&u);
	neoc_up_free(&a);
	/* but --pnode-addr needs the database: an error, not silently no
	 * pnodes at all (neoc down --pnode-addr on a mistyped -d said
	 * "down" and exited 0) */
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR, "pnode-0=h"), 1);
	capture_begin(s);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, s->db));
	free(msg);
	neoc_up_free(&u);
	free(r.addrs);
}

static void
test_reach_setup_with_state(void **state)
{
	struct scratch *s = *state;
	struct neoc_reach r = { .retries = -1 };
	struct neoc_up a, u;

	/* the database says pnode-1 is at 10.0.0.7; the state says
	 * otherwise, and has a pnode-2 the database lacks */
	make_db(s->db, DB_TWO | DB_HOSTNAME);
	fill_up(s, &a);
	assert_int_equal(neoc_up_save(&a), 0);

	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 1);
	/* the state's pnodes are kept */
	assert_int_equal(u.npnodes, 3);
	assert_null(u.pnodes[0].host);
	assert_string_equal(u.pnodes[1].host, "10.0.0.3");
	assert_int_equal(u.pnodes[1].port, 2222);
	assert_string_equal(u.pnodes[2].name, "pnode-2");
	/* and what up was told */
	assert_string_equal(u.mount, a.mount);
	assert_string_equal(u.listen, a.listen);
	assert_int_equal(u.no_auth, 1);
	assert_string_equal(u.user, "admin");
	assert_string_equal(u.identity, a.identity);
	assert_string_equal(u.known_hosts, a.known_hosts);
	assert_string_equal(u.remote_ncprov, a.remote_ncprov);
	/* the run-time settings are the defaults */
	assert_int_equal(u.retries, 3);
	assert_true(u.connect_timeout == 10);
	assert_int_equal(u.parallel, 8);
	assert_int_equal(u.accept_new, 0);
	neoc_up_free(&u);

	/* options override the state */
	assert_int_equal(neoc_reach_opt(&r, 'l', "root"), 1);
	assert_int_equal(neoc_reach_opt(&r, 'i', "/other/key"), 1);
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_KNOWN, "/other/kh"), 1);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 1);
	assert_string_equal(u.user, "root");
	assert_string_equal(u.identity, "/other/key");
	assert_string_equal(u.known_hosts, "/other/kh");
	assert_int_equal(u.npnodes, 3);
	neoc_up_free(&u);

	/* --pnode-addr: the pnodes come from the database again */
	assert_int_equal(neoc_reach_opt(&r, NEOC_OPT_ADDR,
	    "pnode-0=10.0.0.2"), 1);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), 1);
	assert_int_equal(u.npnodes, 2);
	assert_string_equal(u.pnodes[0].host, "10.0.0.2");
	assert_int_equal(u.pnodes[0].port, 22);
	assert_string_equal(u.pnodes[1].host, "10.0.0.7");
	assert_int_equal(u.pnodes[1].port, 22);
	/* the rest still from the state */
	assert_string_equal(u.mount, a.mount);
	neoc_up_free(&u);
	free(r.addrs);
	neoc_up_free(&a);
}

static void
test_reach_setup_bad_state(void **state)
{
	struct scratch *s = *state;
	struct neoc_reach r = { .retries = -1 };
	struct neoc_up u;
	char *path = neoc_up_state_path(s->db), *msg;

	make_db(s->db, 0);
	write_file(path, "{\"mount\": ");
	capture_begin(s);
	assert_int_equal(neoc_reach_setup(s->db, &r, &u), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, path));
	free(msg);
	neoc_up_free(&u);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_resolve_one_local),
		T(test_resolve_no_pnodes),
		T(test_resolve_two_without_address),
		T(test_resolve_hostname),
		T(test_resolve_overrides),
		T(test_resolve_override_makes_two_local),
		T(test_resolve_bad_overrides),
		T(test_resolve_unknown_pnode),
		T(test_resolve_no_database),
		T(test_state_round_trip),
		T(test_state_missing),
		T(test_state_corrupt),
		T(test_state_save_fails),
		T(test_nodes_load),
		T(test_nodes_load_no_database),
		cmocka_unit_test(test_state_of),
		T(test_counts_and_table),
		cmocka_unit_test(test_state_mask),
		T(test_nodes_filter),
		T(test_status_write),
		T(test_status_write_refused),
		T(test_status_not_utf8),
		cmocka_unit_test(test_reach_opt),
		cmocka_unit_test(test_reach_opt_bad_values),
		T(test_reach_setup_no_state),
		T(test_reach_setup_relative),
		T(test_reach_setup_no_database),
		T(test_reach_setup_with_state),
		T(test_reach_setup_bad_state),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
