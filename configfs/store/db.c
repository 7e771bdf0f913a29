/*
 * db.c: opening the experiment database (one SQLite file, WAL mode, foreign
 * keys on, a busy timeout) and bringing its schema up to date from the
 * embedded schema.sql, whose "-- migrate N" sections are applied in one
 * transaction when PRAGMA user_version is below N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

/* configfs/schema.sql, NUL-terminated (build/schema_sql.c). */
extern const char nc_schema_sql[];

#define MIGRATE_MARK "-- migrate "

/* One "-- migrate N" section of the schema. */
struct section {
	int version;		/* N */
	const char *sql;	/* first byte after the marker line */
	size_t len;		/* bytes up to the next marker or the end */
};

/* Print "path: what: sqlite's reason" for the last error on db. */
static void
db_error(sqlite3 *db, const char *path, const char *what)
{
	int code = db != NULL ? sqlite3_errcode(db) : SQLITE_NOMEM;
	int sys = db != NULL ? sqlite3_system_errno(db) : 0;

	if (code == SQLITE_NOTADB) {
		fprintf(stderr, "%s: not an SQLite database\n", path);
	} else if (code == SQLITE_CANTOPEN && sys != 0) {
		fprintf(stderr, "%s: %s: %s\n", path, what, strerror(sys));
	} else {
		fprintf(stderr, "%s: %s: %s\n", path, what,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	}
}

/* The file name of db for messages. */
static const char *
db_path(sqlite3 *db)
{
	const char *f = sqlite3_db_filename(db, "main");

	return f != NULL && *f != '\0' ? f : ":memory:";
}

/* Run a statement returning one integer (a PRAGMA) into *out. */
static int
query_int(sqlite3 *db, const char *path, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		goto fail;
	*out = sqlite3_column_int(st, 0);
	rc = sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	return 0;
fail:
	db_error(db, path, sql);
	sqlite3_finalize(st);
	return -1;
}

/* Run sql (no results), reporting failures against path. */
static int
exec_path(sqlite3 *db, const char *path, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_NOTADB)
			fprintf(stderr, "%s: not an SQLite database\n", path);
		else
			fprintf(stderr, "%s: %s\n", path,
			    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
nc_db_exec(sqlite3 *db, const char *sql)
{
	return exec_path(db, db_path(db), sql);
}

/*
 * Split the embedded schema into its sections.  Returns the number found
 * (at most max), or -1 when the numbers do not climb up to
 * NC_SCHEMA_VERSION (a build error, reported).  A number may be missing:
 * sections are numbered by the change that adds them, and may land out of
 * order.
 */
static int
split_schema(struct section *sec, int max)
{
	const char *p = nc_schema_sql, *nl;
	int n = 0;
	char *end;
	long v;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (strncmp(p, MIGRATE_MARK, strlen(MIGRATE_MARK)) == 0) {
			v = strtol(p + strlen(MIGRATE_MARK), &end, 10);
			if (n == max || v <= (n > 0 ? sec[n - 1].version : 0) ||
			    (*end != '\n' && *end != '\0'))
				goto bad;
			if (n > 0)
				sec[n - 1].len = (size_t)(p - sec[n - 1].sql);
			sec[n].version = (int)v;
			sec[n].sql = nl != NULL ? nl + 1 : p + strlen(p);
			sec[n].len = 0;
			n++;
		}
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	if (n > 0)
		sec[n - 1].len = (size_t)(p - sec[n - 1].sql);
	if (n == 0 || sec[n - 1].version != NC_SCHEMA_VERSION)
		goto bad;
	return n;
bad:
	fprintf(stderr, "neoc: internal error: schema.sql must hold "
	    "\"-- migrate N\" sections climbing to %d\n", NC_SCHEMA_VERSION);
	return -1;
}

/* Apply every section above the file's user_version, in one transaction. */
static int
migrate(sqlite3 *db, const char *path)
{
	struct section sec[NC_SCHEMA_VERSION];
	char *sql = NULL, setver[64];
	int n, i, have;

	n = split_schema(sec, NC_SCHEMA_VERSION);
	if (n < 0)
		return -1;
	if (exec_path(db, path, "BEGIN IMMEDIATE") < 0)
		return -1;
	/* Read again under the write lock: another process may have won. */
	if (query_int(db, path, "PRAGMA user_version", &have) < 0)
		goto fail;
	if (have > NC_SCHEMA_VERSION) {
		fprintf(stderr, "%s: schema version %d is newer than this neoc "
		    "(%d)\n", path, have, NC_SCHEMA_VERSION);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (sec[i].version <= have)
			continue;
		sql = nc_malloc(sec[i].len + 1);
		memcpy(sql, sec[i].sql, sec[i].len);
		sql[sec[i].len] = '\0';
		if (exec_path(db, path, sql) < 0)
			goto fail;
		free(sql);
		sql = NULL;
	}
	snprintf(setver, sizeof(setver), "PRAGMA user_version = %d",
	    NC_SCHEMA_VERSION);
	if (exec_path(db, path, setver) < 0)
		goto fail;
	if (exec_path(db, path, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	free(sql);
	if (!sqlite3_get_autocommit(db))
		(void)exec_path(db, path, "ROLLBACK");
	return -1;
}

int
nc_db_open(const char *path, int mode, sqlite3 **dbp)
{
	sqlite3 *db = NULL;
	int flags, rc, version;
	char mode_name[16] = "";
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;

	*dbp = NULL;
	flags = mode == NC_DB_WRITE ?
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		db_error(db, path, "cannot open");
		goto fail;
	}
	rc = sqlite3_busy_timeout(db, 5000);
	if (rc != SQLITE_OK) {
		db_error(db, path, "busy timeout");
		goto fail;
	}
	/* The first read of the file: this is where a non-database fails. */
	if (query_int(db, path, "PRAGMA user_version", &version) < 0)
		goto fail;
	if (version > NC_SCHEMA_VERSION) {
		fprintf(stderr, "%s: schema version %d is newer than this neoc "
		    "(%d)\n", path, version, NC_SCHEMA_VERSION);
		goto fail;
	}
	if (exec_path(db, path, "PRAGMA foreign_keys = ON") < 0)
		goto fail;
	if (mode == NC_DB_WRITE) {
		rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1,
		    &st, NULL);
		if (rc != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
			db_error(db, path, "cannot enter WAL mode");
			goto fail;
		}
		jm = sqlite3_column_text(st, 0);
		if (jm != NULL)
			snprintf(mode_name, sizeof(mode_name), "%s", jm);
		rc = sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_OK) {
			db_error(db, path, "cannot enter WAL mode");
			goto fail;
		}
		if (strcmp(mode_name, "wal") != 0)
			fprintf(stderr, "%s: warning: journal mode is %s, not "
			    "wal\n", path, mode_name);
	}
	/*
	 * A save replaces every row in one transaction: a cache that holds a
	 * 10,000-node experiment (about 5 MB) and statement journals in
	 * memory keep it well inside its budget.
	 */
	if (exec_path(db, path, "PRAGMA synchronous = NORMAL; "
	    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384") < 0)
		goto fail;
	if (version < NC_SCHEMA_VERSION) {
		if (mode == NC_DB_WRITE) {
			if (migrate(db, path) < 0)
				goto fail;
		} else if (version > 0) {
			/* An empty file reads as "no experiment". */
			fprintf(stderr, "%s: schema version %d is older than "
			    "this neoc (%d); open it for writing to upgrade\n",
			    path, version, NC_SCHEMA_VERSION);
			goto fail;
		}
	}
	*dbp = db;
	return 0;
fail:
	sqlite3_finalize(st);	/* its code repeats the error reported */
	if (db != NULL && sqlite3_close(db) != SQLITE_OK)
		db_error(db, path, "cannot close");
	return -1;
}

void
nc_db_close(sqlite3 *db)
{
	char *path;
	int rc;

	if (db == NULL)
		return;
	path = nc_strdup(db_path(db));
	rc = sqlite3_close(db);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "%s: cannot close: %s\n", path,
		    sqlite3_errmsg(db));
		/* Statements are still open: let SQLite close it after them. */
		sqlite3_close_v2(db);
	}
	free(path);
}
