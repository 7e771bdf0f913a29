/*
 * db.h: opening the experiment database and bringing its schema up to date.
 */
#ifndef NC_DB_H
#define NC_DB_H

#include <sqlite3.h>

/* The schema version this build writes (PRAGMA user_version). */
#define NC_SCHEMA_VERSION 5

enum {
	NC_DB_READ = 0,		/* open an existing database read-only */
	NC_DB_WRITE = 1,	/* open read-write, creating it if missing */
};

/*
 * Open path (WAL mode, foreign keys on, a busy timeout) and apply any
 * migrations the file lacks.  On failure prints "path: reason" to stderr and
 * returns -1.
 */
int nc_db_open(const char *path, int mode, sqlite3 **dbp);
void nc_db_close(sqlite3 *db);
/* Run sql (no results); on failure prints the reason and returns -1. */
int nc_db_exec(sqlite3 *db, const char *sql);

#endif
