/*
 * atomic.c: replacing a file atomically and durably (atomic.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/* "path: what: reason" into why (when there is one); returns rc. */
static int
fail(char *why, size_t whylen, int rc, const char *path, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s: %s: %s", path, what, strerror(-rc));
	return rc;
}

int
nc_fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -ENOMEM;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
out:
	free(dir);
	return rc;
}

/* Write all of data to fd; 0 or -errno. */
static int
write_all(int fd, const unsigned char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, data, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int
nc_atomic_write(const char *path, const void *data, size_t len,
    const struct nc_atomic_opts *o, char *why, size_t whylen)
{
	static const struct nc_atomic_opts dflt = { .mode = 0644 };
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(NC_ATOMIC_TMP) + 6);
	const char *what = "";
	int fd = -1, rc = 0;

	if (o == NULL)
		o = &dflt;
	if (tmp == NULL)
		return fail(why, whylen, -ENOMEM, path, "temporary");
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, NC_ATOMIC_TMP "XXXXXX", sizeof(NC_ATOMIC_TMP) + 6);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = fail(why, whylen, -errno, path, "create a temporary");
		free(tmp);
		return rc;
	}
	if ((rc = write_all(fd, data, len)) < 0) {
		what = "write";
		goto fail;
	}
	if (o->chown && fchown(fd, o->uid, o->gid) < 0 && geteuid() == 0) {
		rc = -errno;
		what = "chown";
		goto fail;
	}
	/* mkostemp made it 0600: the mode asked for, whatever the umask */
	if (fchmod(fd, o->mode) < 0) {
		rc = -errno;
		what = "chmod";
		goto fail;
	}
	if (!o->nosync && fsync(fd) < 0) {
		rc = -errno;
		what = "fsync";
		goto fail;
	}
	rc = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (rc < 0) {
		what = "close";
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		what = "rename";
		goto fail;
	}
	/* the file is in place: a directory that cannot be synced (a
	 * file system without directory fsync) only makes it less durable */
	if (!o->nosync)
		nc_fsync_dir(path);
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	fail(why, whylen, rc, path, what);
	free(tmp);
	return rc;
}
