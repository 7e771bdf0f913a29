/*
 * ncfs_conn.c: SQLite connections of ncfs, one per worker thread, with
 * their prepared statements cached by the address of the SQL text, the
 * write transactions that bump experiment.generation, and read
 * transactions (one snapshot for several reads: the node bundle).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "ncfs.h"
#include "ncfs_log.h"
#include "util.h"

struct ncfs_conn *
ncfs_conn_open(const char *path, int readonly)
{
	struct ncfs_conn *c;
	sqlite3 *db;

	if (access(path, F_OK) != 0) {
		ncfs_log("%s: no such experiment database", path);
		return NULL;
	}
	if (nc_db_open(path, readonly ? NC_DB_READ : NC_DB_WRITE, &db) < 0)
		return NULL;
	c = nc_calloc(1, sizeof(*c));
	c->db = db;
	return c;
}

void
ncfs_conn_close(struct ncfs_conn *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->in_txn)
		ncfs_rollback(c);
	for (i = 0; i < c->nstmts; i++)
		sqlite3_finalize(c->stmts[i]);
	free(c->stmts);
	free(c->sqls);
	nc_db_close(c->db);
	free(c);
}

sqlite3_stmt *
ncfs_stmt(struct ncfs_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	size_t i, cap;
	int rc;

	for (i = 0; i < c->nstmts; i++)
		if (c->sqls[i] == sql) {
			sqlite3_reset(c->stmts[i]);
			sqlite3_clear_bindings(c->stmts[i]);
			return c->stmts[i];
		}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL);
	if (rc != SQLITE_OK) {
		ncfs_log("prepare: %s: %s", sqlite3_errmsg(c->db), sql);
		return NULL;
	}
	cap = c->capstmts;
	c->sqls = nc_grow(c->sqls, &cap, c->nstmts, sizeof(*c->sqls));
	c->stmts = nc_grow(c->stmts, &c->capstmts, c->nstmts,
	    sizeof(*c->stmts));
	c->sqls[c->nstmts] = sql;
	c->stmts[c->nstmts++] = st;
	return st;
}

static int
exec1(struct ncfs_conn *c, const char *sql)
{
	sqlite3_stmt *st = ncfs_stmt(c, sql);
	int rc;

	if (st == NULL)
		return -EIO;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		ncfs_log("%s: %s", sql, sqlite3_errmsg(c->db));
		return rc == SQLITE_BUSY ? -EBUSY : -EIO;
	}
	return 0;
}

/* experiment.generation as this connection sees it. */
int
ncfs_generation(struct ncfs_conn *c, long long *gen)
{
	sqlite3_stmt *st = ncfs_stmt(c, "SELECT generation FROM experiment");
	int rc;

	if (st == NULL)
		return -EIO;
	rc = sqlite3_step(st);
	*gen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int
ncfs_read_begin(struct ncfs_conn *c)
{
	int rc = exec1(c, "BEGIN");

	if (rc == 0)
		c->in_txn = 1;
	return rc;
}

void
ncfs_read_end(struct ncfs_conn *c)
{
	if (exec1(c, "COMMIT") < 0)
		ncfs_rollback(c);
	c->in_txn = 0;
}

int
ncfs_begin(struct ncfs_conn *c)
{
	int rc = exec1(c, "BEGIN IMMEDIATE");

	if (rc == 0)
		c->in_txn = 1;
	return rc;
}

int
ncfs_commit(struct ncfs_conn *c)
{
	int rc;

	rc = exec1(c, "UPDATE experiment SET generation = generation + 1");
	if (rc == 0)
		rc = ncfs_generation(c, &c->last_gen);
	if (rc == 0)
		rc = exec1(c, "COMMIT");
	if (rc != 0) {
		ncfs_rollback(c);
		return rc;
	}
	c->in_txn = 0;
	return 0;
}

void
ncfs_rollback(struct ncfs_conn *c)
{
	if (exec1(c, "ROLLBACK") < 0)
		ncfs_log("rollback failed");
	c->in_txn = 0;
}
