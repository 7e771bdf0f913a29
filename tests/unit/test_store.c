/*
 * test_store.c: the experiment database (db.c) and the store
 * (store_save.c, store_load.c): opening, migrating and refusing files,
 * saving and loading an experiment field by field, generations, the status
 * table, a failed save leaving the file byte-identical, and the time a
 * 10,000-node save and load take (printed, not asserted: budgets are
 * measured by bench/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>

#include "db.h"
#include "json.h"
#include "store.h"
#include "exp_fixture.h"

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

	snprintf(s->dir, sizeof(s->dir), "/tmp/nc-test-store.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
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
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[160];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", s->db, suffix[i]);
		unlink(path);
	}
	unlink(s->err);
	rmdir(s->dir);
	free(s);
	return 0;
}

/* Send stderr to s->err until capture_end, which returns what came. */
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

static char *
capture_end(struct scratch *s)
{
	static char buf[4096];
	FILE *f;
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(s->saved_fd, 2), 2);
	close(s->saved_fd);
	s->saved_fd = -1;
	f = fopen(s->err, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The whole content of a file (caller frees), its size in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = nc_malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
save_file(const char *path, const struct nc_exp *e)
{
	sqlite3 *db;

	assert_int_equal(nc_db_open(path, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_save(db, e), 0);
	nc_db_close(db);
}

static void
load_file(const char *path, struct nc_exp *e)
{
	sqlite3 *db;

	nc_exp_init(e);
	assert_int_equal(nc_db_open(path, NC_DB_READ, &db), 0);
	assert_int_equal(nc_store_load(db, e), 0);
	nc_db_close(db);
}

/* Seconds of CPU this process used: steadier than the wall clock on a
 * busy machine. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- tests */

static void
test_rich_round_trip(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a, b;

	fx_rich(&a);
	save_file(s->db, &a);
	load_file(s->db, &b);
	fx_equal(&a, &b, CMP_EXACT);
	/* Spot checks of what the comparison relies on. */
	assert_string_equal(b.nodes[2].ifaces[1].name, "eth2");
	assert_string_equal(b.nodes[3].ifaces[1].name, "eth7");
	assert_string_equal(b.nodes[4].ifaces[0].name, "em0");
	assert_int_equal(b.lans[1].members[0].node, 4);
	assert_int_equal(b.lans[1].members[2].node, 2);
	assert_int_equal(b.lans[1].members[2].iface, 1);
	assert_int_equal(b.nodes[2].ifaces[0].bandwidth_kbps, 5000);
	assert_true(b.nodes[3].ifaces[0].delay_ms == NC_UNSET);
	nc_exp_free(&a);
	nc_exp_free(&b);
}

static void
test_bare_round_trip(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a, b;

	fx_bare(&a);
	save_file(s->db, &a);
	load_file(s->db, &b);
	fx_equal(&a, &b, CMP_STORE);
	assert_null(b.nodes[0].os);
	assert_int_equal(b.nodes[0].ifaces[0].ip, 0);
	assert_int_equal(b.nodes[0].ifaces[0].has_mac, 0);
	assert_int_equal(b.lans[0].mask, 0);
	assert_string_equal(b.users[0].password, "*");
	nc_exp_free(&a);
	nc_exp_free(&b);
}

/* What goes through the store exports as the same JSON. */
static void
test_store_then_json(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a, b;
	json_t *ja, *jb;
	char *da, *db;

	fx_rich(&a);
	save_file(s->db, &a);
	load_file(s->db, &b);
	ja = nc_json_export(&a, NC_JSON_SECRETS);
	jb = nc_json_export(&b, NC_JSON_SECRETS);
	assert_non_null(ja);
	assert_non_null(jb);
	da = json_dumps(ja, JSON_INDENT(2));
	db = json_dumps(jb, JSON_INDENT(2));
	assert_string_equal(da, db);
	free(da);
	free(db);
	json_decref(ja);
	json_decref(jb);
	nc_exp_free(&a);
	nc_exp_free(&b);
}

static void
test_generation(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a;
	sqlite3 *db;

	fx_rich(&a);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_generation(db), -1);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(nc_store_generation(db), 1);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(nc_store_generation(db), 2);
	nc_db_close(db);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(nc_store_generation(db), 3);
	nc_db_close(db);
	nc_exp_free(&a);
}

/* One integer a query gives. */
static long long
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* An import (a save) moves the configuration generation on, for every
 * node (allgen), past an edit's; the nodes' own start again. */
static void
test_confgen(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a;
	sqlite3 *db;

	fx_rich(&a);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(one_int(db, "SELECT confgen FROM experiment"), 1);
	assert_int_equal(one_int(db, "SELECT allgen FROM experiment"), 1);
	/* an edit as ncfs makes it: one node's own generation */
	assert_int_equal(nc_db_exec(db, "UPDATE experiment SET confgen = 7;"
	    " UPDATE nodes SET confgen = 7 WHERE id = (SELECT min(id) FROM"
	    " nodes)"), 0);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(one_int(db, "SELECT confgen FROM experiment"), 8);
	assert_int_equal(one_int(db, "SELECT allgen FROM experiment"), 8);
	assert_int_equal(one_int(db, "SELECT max(confgen) FROM nodes"), 0);
	assert_int_equal(one_int(db, "SELECT generation FROM experiment"), 2);
	nc_db_close(db);
	nc_exp_free(&a);
}

/* A save that fails half-way leaves the file exactly as it was. */
static void
test_failed_save_untouched(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a, bad, b;
	char *before, *after, *msg;
	size_t nb, na;
	sqlite3 *db;

	fx_rich(&a);
	save_file(s->db, &a);
	before = slurp(s->db, &nb);

	fx_rich(&bad);
	nc_set_str(&bad.nodes[0].os, "changed");
	bad.users[2].uid = bad.users[0].uid;	/* UNIQUE users.uid */
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	capture_begin(s);
	assert_int_equal(nc_store_save(db, &bad), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "cannot save user carol: UNIQUE "
	    "constraint failed: users.uid"));
	assert_non_null(strstr(msg, s->db));
	assert_int_equal(nc_store_generation(db), 1);
	nc_db_close(db);

	after = slurp(s->db, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	load_file(s->db, &b);
	fx_equal(&a, &b, CMP_EXACT);
	free(before);
	free(after);
	nc_exp_free(&a);
	nc_exp_free(&bad);
	nc_exp_free(&b);
}

/* A broken model (a member naming another LAN's interface) is refused. */
static void
test_broken_model_refused(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a;
	sqlite3 *db;
	char *msg;

	fx_rich(&a);
	a.lans[0].members[0].iface = 1;	/* n-0's lan0 interface */
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	capture_begin(s);
	assert_int_equal(nc_store_save(db, &a), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "cannot save lan link0"));
	assert_int_equal(nc_store_generation(db), -1);
	nc_db_close(db);
	nc_exp_free(&a);
}

static void
test_status_rows(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a;
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = 0;

	fx_rich(&a);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(nc_db_exec(db, "INSERT INTO status (node, state, "
	    "time) VALUES ('n-0', 'ready', 1), ('gone', 'failed', 2)"), 0);
	assert_int_equal(nc_store_save(db, &a), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT node, state FROM "
	    "status ORDER BY node", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		    "n-0");
		assert_string_equal((const char *)sqlite3_column_text(st, 1),
		    "ready");
		n++;
	}
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	assert_int_equal(n, 1);
	nc_db_close(db);
	nc_exp_free(&a);
}

static void
test_empty_database(void **state)
{
	struct scratch *s = *state;
	struct nc_exp e;
	sqlite3 *db;

	nc_exp_init(&e);
	/* A new file has the schema and no experiment. */
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(nc_store_load(db, &e), 1);
	assert_int_equal(e.nnodes, 0);
	nc_db_close(db);
	/* So has an empty file opened read-only (no schema at all). */
	unlink(s->db);
	close(open(s->db, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(nc_db_open(s->db, NC_DB_READ, &db), 0);
	assert_int_equal(nc_store_load(db, &e), 1);
	assert_int_equal(nc_store_generation(db), -1);
	nc_db_close(db);
	nc_exp_free(&e);
}

static void
test_schema_version(void **state)
{
	struct scratch *s = *state;
	sqlite3 *db;
	sqlite3_stmt *st;
	char *msg, want[512];

	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	nc_db_close(db);
	/* Opening again migrates nothing and keeps the version. */
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), NC_SCHEMA_VERSION);
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	assert_int_equal(nc_db_exec(db, "PRAGMA user_version = 7"), 0);
	nc_db_close(db);

	capture_begin(s);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), -1);
	assert_int_equal(nc_db_open(s->db, NC_DB_READ, &db), -1);
	msg = capture_end(s);
	assert_null(db);
	snprintf(want, sizeof(want), "%s: schema version 7 is newer than "
	    "this neoc (%d)\n", s->db, NC_SCHEMA_VERSION);
	assert_non_null(strstr(msg, want));
}

static void
test_not_a_database(void **state)
{
	struct scratch *s = *state;
	char *msg, want[512];
	sqlite3 *db;
	FILE *f;
	int i;

	f = fopen(s->db, "w");
	assert_non_null(f);
	for (i = 0; i < 200; i++)
		fputs("this is not a database, just text\n", f);
	fclose(f);
	capture_begin(s);
	assert_int_equal(nc_db_open(s->db, NC_DB_READ, &db), -1);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), -1);
	msg = capture_end(s);
	snprintf(want, sizeof(want), "%s: not an SQLite database\n%s: not an "
	    "SQLite database\n", s->db, s->db);
	assert_string_equal(msg, want);
}

static void
test_missing_file(void **state)
{
	struct scratch *s = *state;
	char *msg, want[512];
	sqlite3 *db;

	capture_begin(s);
	assert_int_equal(nc_db_open(s->db, NC_DB_READ, &db), -1);
	msg = capture_end(s);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or "
	    "directory\n", s->db);
	assert_string_equal(msg, want);
	assert_int_equal(access(s->db, F_OK), -1);
}

static void
test_read_only_refuses_save(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a;
	sqlite3 *db;
	char *msg;

	fx_bare(&a);
	save_file(s->db, &a);
	assert_int_equal(nc_db_open(s->db, NC_DB_READ, &db), 0);
	capture_begin(s);
	assert_int_equal(nc_store_save(db, &a), -1);
	msg = capture_end(s);
	assert_non_null(strstr(msg, "readonly"));
	nc_db_close(db);
	nc_exp_free(&a);
}

/* 10,000 nodes and 10,000 links: correct, and timed (printed). */
static void
test_big(void **state)
{
	struct scratch *s = *state;
	struct nc_exp a, b;
	double t0, t1, t2;
	sqlite3 *db;

	fx_big(&a, 10000);
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	t0 = now();
	assert_int_equal(nc_store_save(db, &a), 0);
	t1 = now();
	nc_exp_init(&b);
	assert_int_equal(nc_store_load(db, &b), 0);
	t2 = now();
	nc_db_close(db);
	fprintf(stderr, "# 10000 nodes, 10000 links: save %.3f s, "
	    "load %.3f s (CPU)\n", t1 - t0, t2 - t1);
	fx_equal(&a, &b, CMP_EXACT);
	/* A second save replaces everything: time it too. */
	assert_int_equal(nc_db_open(s->db, NC_DB_WRITE, &db), 0);
	t0 = now();
	assert_int_equal(nc_store_save(db, &b), 0);
	t1 = now();
	assert_int_equal(nc_store_generation(db), 2);
	nc_db_close(db);
	fprintf(stderr, "# re-save over 10000 nodes: %.3f s (CPU)\n", t1 - t0);
	nc_exp_free(&a);
	nc_exp_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rich_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bare_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_then_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_confgen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_generation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_untouched,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_model_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_only_refuses_save,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_big, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
