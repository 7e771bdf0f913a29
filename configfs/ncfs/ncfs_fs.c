/*
 * ncfs_fs.c: the state of the mounted filesystem and each worker thread's
 * database connection.
 */
#include <stdlib.h>

#include "ncfs_fs.h"

struct ncfs_fs ncfs = {
	.admin_gid = -1,
	.timeout = 86400.0,
	.poll = 0.25,
	.epoch_lock = PTHREAD_MUTEX_INITIALIZER,
};

void
ncfs_close_conn(void *p)
{
	ncfs_conn_close(p);
}

struct ncfs_conn *
ncfs_conn(void)
{
	struct ncfs_conn *c = pthread_getspecific(ncfs.conn_key);

	if (c == NULL) {
		c = ncfs_conn_open(ncfs.db_path, ncfs.readonly);
		if (c != NULL)
			pthread_setspecific(ncfs.conn_key, c);
	}
	return c;
}

