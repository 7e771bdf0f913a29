/*
 * store.h: the in-memory experiment to and from the experiment database.
 */
#ifndef NC_STORE_H
#define NC_STORE_H

#include <sqlite3.h>

#include "model.h"

/*
 * Replace the experiment stored in db with e, in one transaction (BEGIN
 * IMMEDIATE ... COMMIT; ROLLBACK on any error, so a failure leaves the file
 * as it was).  The generation moves past the one stored.  Returns 0, or -1
 * with the reason printed to stderr.
 */
int nc_store_save(sqlite3 *db, const struct nc_exp *e);
/*
 * Read the whole experiment into e (initialised by the caller).  Returns 0,
 * 1 when the database holds no experiment, -1 on error (printed).
 */
int nc_store_load(sqlite3 *db, struct nc_exp *e);
/* The stored generation, or -1. */
long long nc_store_generation(sqlite3 *db);

#endif
