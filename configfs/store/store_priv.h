/*
 * store_priv.h: what saving (store_save.c) and loading (store_load.c) the
 * experiment database share.
 */
#ifndef NC_STORE_PRIV_H
#define NC_STORE_PRIV_H

#include <sqlite3.h>

/* The file name of db for messages. */
static inline const char *
store_db_path(sqlite3 *db)
{
	const char *f = sqlite3_db_filename(db, "main");

	return f != NULL && *f != '\0' ? f : ":memory:";
}

#endif
