/*
 * cache.c: the layout of the image cache (cache.h), checksums with
 * SHA-256 (lib/digest.c), and small atomic file writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cache.h"
#include "digest.h"
#include "util.h"
#include "valid.h"

const char *
nci_cache_root(const char *opt)
{
	const char *env = getenv("NCIMAGE_CACHE");

	if (opt != NULL && *opt != '\0')
		return opt;
	if (env != NULL && *env != '\0')
		return env;
	return NCI_CACHE_DEFAULT;
}

int
nci_cache_key(const char *name, char *out, size_t outsz)
{
	size_t i, o = 0, len;
	const char *put;

	if (nc_valid_image_name(name, NULL) < 0)
		return -EINVAL;
	len = strlen(name);
	for (i = 0; i < len; i++) {
		char c = name[i], prev = i ? name[i - 1] : 0;
		char next = name[i + 1];
		char one[2] = { c, 0 };

		if (c == '/')
			put = "--";
		else if (c == '-' && (prev == '-' || prev == '/' ||
		    next == '-' || next == '/'))
			put = "%2d";
		else
			put = one;
		if (o + strlen(put) + 1 > outsz)
			return -ENAMETOOLONG;
		memcpy(out + o, put, strlen(put));
		o += strlen(put);
	}
	out[o] = '\0';
	return 0;
}

int
nci_cache_unkey(const char *key, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = key;
	char check[512];

	while (*p) {
		char c;

		if (strncmp(p, "%2d", 3) == 0) {
			c = '-';
			p += 3;
		} else if (strncmp(p, "--", 2) == 0) {
			c = '/';
			p += 2;
		} else {
			c = *p++;
		}
		if (o + 2 > outsz)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	/* Only the canonical spelling of a name is its key. */
	if (nci_cache_key(out, check, sizeof(check)) < 0 ||
	    strcmp(check, key) != 0)
		return -EINVAL;
	return 0;
}

char *
nci_cache_path(const char *root, const char *name, const char *file)
{
	char key[512];

	if (nci_cache_key(name, key, sizeof(key)) < 0)
		return NULL;
	if (file == NULL)
		return nc_asprintf("%s/%s", root, key);
	return nc_asprintf("%s/%s/%s", root, key, file);
}

/* mkdir -p path (mode 0755). */
static int
mkdir_p(const char *path)
{
	char *copy = nc_strdup(path), *p, save;
	int rc = 0;

	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		save = *p;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			rc = -errno;
			goto cleanup;
		}
		*p = save;
		if (save == '\0')
			break;
	}
cleanup:
	free(copy);
	return rc;
}

int
nci_cache_mkdir(const char *root, const char *name)
{
	char *dir = nci_cache_path(root, name, NULL);
	int rc;

	if (dir == NULL)
		return -EINVAL;
	rc = mkdir_p(dir);
	free(dir);
	return rc;
}

int
nci_cache_stat(const char *root, const char *name, struct nci_entry *e)
{
	char *box = nci_cache_path(root, name, "box");
	char *part = nci_cache_path(root, name, "box.part");
	struct stat st;
	int rc = 0;

	memset(e, 0, sizeof(*e));
	e->size = e->part = -1;
	if (box == NULL || part == NULL) {
		rc = -EINVAL;
		goto cleanup;
	}
	if (stat(box, &st) == 0 && S_ISREG(st.st_mode)) {
		e->cached = 1;
		e->size = (long long)st.st_size;
	}
	if (stat(part, &st) == 0 && S_ISREG(st.st_mode))
		e->part = (long long)st.st_size;
	if (nci_cache_read_sha(root, name, e->sha256) < 0)
		e->sha256[0] = '\0';
cleanup:
	free(box);
	free(part);
	return rc;
}

int
nci_sha256_file(const char *path, char hex[NCI_SHA256_HEX])
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	rc = nc_sha256_fd(fd, hex);
	close(fd);
	return rc;
}

int
nci_read_file(const char *path, size_t max, char **out, size_t *len)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int fd, rc = 0;
	ssize_t n;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	for (;;) {
		if (used + 4097 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = nc_realloc(buf, cap);
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			rc = -EFBIG;
			goto cleanup;
		}
	}
	if (buf == NULL)
		buf = nc_malloc(1);
	buf[used] = '\0';
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = used;
cleanup:
	free(buf);
	close(fd);
	return rc;
}

int
nci_cache_read_sha(const char *root, const char *name,
    char hex[NCI_SHA256_HEX])
{
	char *path = nci_cache_path(root, name, "box.sha256"), *text = NULL;
	int rc;

	if (path == NULL)
		return -EINVAL;
	if ((rc = nci_read_file(path, 4096, &text, NULL)) < 0)
		goto cleanup;
	if (strlen(text) < 64) {
		rc = -EINVAL;
		goto cleanup;
	}
	text[64] = '\0';
	if (nc_valid_sha256(text, NULL) < 0) {
		rc = -EINVAL;
		goto cleanup;
	}
	memcpy(hex, text, NCI_SHA256_HEX);
cleanup:
	free(text);
	free(path);
	return rc;
}

int
nci_cache_write_sha(const char *root, const char *name, const char *hex)
{
	char *path = nci_cache_path(root, name, "box.sha256"), *line;
	int rc;

	if (path == NULL || nc_valid_sha256(hex, NULL) < 0) {
		free(path);
		return -EINVAL;
	}
	line = nc_asprintf("%s  box\n", hex);
	rc = nc_atomic_write(path, line, strlen(line), NULL, NULL, 0);
	free(line);
	free(path);
	return rc;
}
