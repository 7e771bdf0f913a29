/*
 * source_tree.c: the node's subtree from a mounted directory (--tree DIR),
 * such as an ncfs mount or a copy of one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "util.h"

struct tree {
	int dirfd;			/* the tree's root */
	unsigned long long requests;	/* files and directories opened */
};

static int
tree_read(void *impl, const char *path, struct nc_buf *out)
{
	struct tree *t = impl;
	char chunk[8192];
	ssize_t n;
	int fd;

	t->requests++;
	if ((fd = openat(t->dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(out, chunk, (size_t)n);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

static int
tree_list(void *impl, const char *path, char ***names, size_t *n)
{
	struct tree *t = impl;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int fd;

	t->requests++;
	*names = NULL;
	*n = 0;
	fd = openat(t->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		*NC_PUSH(*names, *n, cap) = nc_strdup(de->d_name);
	}
	closedir(d);
	return 0;
}

static int
tree_is_dir(void *impl, const char *path)
{
	struct tree *t = impl;
	struct stat st;

	if (fstatat(t->dirfd, path, &st, 0) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

static int
tree_write(void *impl, const char *path, const char *data, size_t len)
{
	struct tree *t = impl;
	ssize_t w;
	int fd, rc = 0;

	t->requests++;
	fd = openat(t->dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		if ((w = write(fd, data, len)) < 0) {
			rc = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	/* ncfs commits (and validates) on close. */
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static unsigned long long
tree_requests(void *impl)
{
	return ((struct tree *)impl)->requests;
}

static void
tree_close(void *impl)
{
	struct tree *t = impl;

	close(t->dirfd);
	free(t);
}

static const struct ncp_source_ops tree_ops = {
	.read = tree_read,
	.list = tree_list,
	.is_dir = tree_is_dir,
	.write = tree_write,
	.requests = tree_requests,
	.close = tree_close,
};

int
ncp_source_tree(const char *dir, struct ncp_source *s)
{
	struct tree *t;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	t = nc_calloc(1, sizeof(*t));
	t->dirfd = fd;
	s->ops = &tree_ops;
	s->impl = t;
	snprintf(s->desc, sizeof(s->desc), "tree %s", dir);
	return 0;
}

int
ncp_source_lost(const struct ncp_source *s)
{
	return s->ops != NULL && s->ops->lost != NULL && s->ops->lost(s->impl);
}

void
ncp_source_close(struct ncp_source *s)
{
	if (s->ops != NULL)
		s->ops->close(s->impl);
	s->ops = NULL;
	s->impl = NULL;
}

void
ncp_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
