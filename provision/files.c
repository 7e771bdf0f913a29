/*
 * files.c: atomic, idempotent edits of local files, and the dry-run diff.
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
#include "files.h"
#include "util.h"

char *
ncp_path(const struct ncprov *p, const char *abs)
{
	return nc_asprintf("%s%s", p->root, abs);
}

int
ncp_read_local(const struct ncprov *p, const char *abs, struct nc_buf *out,
    int *exists)
{
	char *path = ncp_path(p, abs), chunk[8192];
	ssize_t n;
	int fd, rc = 0;

	*exists = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? 0 : -errno;
		free(path);
		return rc;
	}
	*exists = 1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(out, chunk, (size_t)n);
	if (n < 0)
		rc = -errno;
	close(fd);
	free(path);
	return rc;
}

void
ncp_report(struct ncprov *p, const char *step, const char *fmt, ...)
{
	va_list ap;

	p->changes++;
	printf("%s: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Is line (len bytes) one of the lines of text? */
static int
has_line(const char *text, size_t tlen, const char *line, size_t len)
{
	const char *s = text, *end = text + tlen, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - s) == len && memcmp(s, line, len) == 0)
			return 1;
		s = nl + 1;
	}
	return 0;
}

/* Print the lines of a that are not in b, each prefixed by mark. */
static void
diff_side(const char *a, size_t alen, const char *b, size_t blen, char mark)
{
	const char *s = a, *end = a + alen, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if (!has_line(b, blen, s, (size_t)(nl - s)))
			printf("%c%.*s\n", mark, (int)(nl - s), s);
		s = nl + 1;
	}
}

int
ncp_replace(struct ncprov *p, const char *abs, const char *data, size_t len,
    mode_t mode, uid_t uid, gid_t gid)
{
	return ncp_replace_flags(p, abs, data, len, mode, uid, gid, 0);
}

int
ncp_replace_flags(struct ncprov *p, const char *abs, const char *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid, int flags)
{
	struct nc_buf old = { 0 };
	char *path = NULL;
	struct stat st;
	int exists, rc;

	if ((rc = ncp_read_local(p, abs, &old, &exists)) < 0)
		goto out;
	if (exists && old.len == len && memcmp(nc_buf_str(&old), data,
	    len) == 0) {
		rc = 0;
		goto out;
	}
	rc = 1;
	if (p->dry_run) {
		printf("--- %s\n+++ %s\n", abs, abs);
		diff_side(nc_buf_str(&old), old.len, data, len, '-');
		diff_side(data, len, nc_buf_str(&old), old.len, '+');
		goto out;
	}
	path = ncp_path(p, abs);
	/* a file that exists keeps its own mode and owner */
	if (exists && stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
	}
	rc = nc_atomic_write(path, data, len, &(struct nc_atomic_opts){
	    .mode = mode, .chown = 1, .uid = uid, .gid = gid,
	    .nosync = (flags & NCP_NOSYNC) != 0 }, NULL, 0);
	if (rc == 0)
		rc = 1;
out:
	nc_buf_free(&old);
	free(path);
	return rc;
}

int
ncp_mkdirs(struct ncprov *p, const char *abs, mode_t mode)
{
	char *path = ncp_path(p, abs), *s;
	size_t skip = strlen(p->root);
	int rc = 0;

	for (s = path + skip + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (!p->dry_run && mkdir(path, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(path);
	return rc;
}

int
ncp_restrict_mode(struct ncprov *p, const char *abs, mode_t allowed)
{
	char *path = ncp_path(p, abs);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) == 0 && (st.st_mode & 07777 & ~allowed) != 0) {
		if (p->dry_run)
			printf("would chmod %o %s\n",
			    (unsigned)(st.st_mode & allowed), abs);
		else if (chmod(path, st.st_mode & allowed) < 0)
			rc = -errno;
		if (rc == 0)
			rc = 1;
	}
	free(path);
	return rc;
}
