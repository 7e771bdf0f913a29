/*
 * box.c: Vagrant boxes and box catalogs.  A box is a tar (usually gzipped)
 * holding metadata.json ({"provider": "libvirt", ...}) and the disk; a
 * catalog is the JSON Vagrant Cloud serves for a box name:
 * {"name": ..., "versions": [{"version": "1.0", "providers": [{"name":
 * "virtualbox", "url": ..., "checksum_type": "sha256", "checksum": ...}]}]}.
 * Both are read with jansson; tar runs from an argument vector.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ncimage.h"
#include "util.h"

/* The largest metadata.json or catalog we read. */
#define META_MAX (1 << 20)

static char *
json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return nc_strdup(json_string_value(v));
	if (json_is_integer(v))
		return nc_asprintf("%lld", (long long)json_integer_value(v));
	return NULL;
}

int
nci_meta_parse(const char *json, size_t len, struct nci_meta *m)
{
	json_error_t jerr;
	json_t *root;

	memset(m, 0, sizeof(*m));
	root = json_loadb(json, len, 0, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return -EINVAL;
	}
	m->provider = json_str(root, "provider");
	m->version = json_str(root, "version");
	json_decref(root);
	return 0;
}

void
nci_meta_free(struct nci_meta *m)
{
	free(m->provider);
	free(m->version);
	m->provider = m->version = NULL;
}

/* Run tar -xOf path member; its stdout into *out.  0, or -ENOENT. */
static int
tar_member(const char *path, const char *member, char **out, size_t *len)
{
	char *argv[] = { "tar", "-xOf", (char *)path, (char *)member, NULL };
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int pfd[2] = { -1, -1 }, status, rc = 0, null;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) < 0) {
		rc = -errno;
		goto cleanup;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		if ((null = open("/dev/null", O_RDWR)) >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	for (;;) {
		if (used + 4097 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = nc_realloc(buf, cap);
		}
		n = read(pfd[0], buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used > META_MAX) {
			rc = -EFBIG;
			break;
		}
	}
	close(pfd[0]);
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			rc = -errno;
			goto cleanup;
		}
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = -ENOENT;
	if (rc == 0) {
		buf[used] = '\0';
		*out = buf;
		*len = used;
		buf = NULL;
	}
cleanup:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(buf);
	return rc;
}

int
nci_box_metadata(const char *path, char **json, size_t *len)
{
	int rc;

	*json = NULL;
	*len = 0;
	rc = tar_member(path, "metadata.json", json, len);
	if (rc == -ENOENT)
		rc = tar_member(path, "./metadata.json", json, len);
	return rc;
}

int
nci_is_catalog(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	return i < len && text[i] == '{';
}

int
nci_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long long x = strtoull(a, &ea, 10);
			unsigned long long y = strtoull(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

void
nci_pick_free(struct nci_pick *p)
{
	free(p->version);
	free(p->provider);
	free(p->url);
	free(p->sha256);
	memset(p, 0, sizeof(*p));
}

int
nci_catalog_pick(const char *json, size_t len, const char *provider,
    struct nci_pick *p, char *err, size_t errsz)
{
	json_t *root, *versions, *ver, *provs, *pv;
	const char *best = NULL, *vs;
	json_t *best_pv = NULL;
	json_error_t jerr;
	size_t i, k;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	root = json_loadb(json, len, 0, &jerr);
	versions = json_object_get(root, "versions");
	if (!json_is_object(root) || !json_is_array(versions)) {
		snprintf(err, errsz, "not a box catalog (no \"versions\")");
		rc = -EINVAL;
		goto cleanup;
	}
	json_array_foreach(versions, i, ver) {
		vs = json_string_value(json_object_get(ver, "version"));
		provs = json_object_get(ver, "providers");
		if (vs == NULL || !json_is_array(provs))
			continue;
		if (best != NULL && nci_version_cmp(vs, best) <= 0)
			continue;
		json_array_foreach(provs, k, pv) {
			const char *pn = json_string_value(
			    json_object_get(pv, "name"));
			if (pn == NULL || !json_is_string(
			    json_object_get(pv, "url")))
				continue;
			if (provider != NULL && strcmp(pn, provider) != 0)
				continue;
			best = vs;
			best_pv = pv;
			break;
		}
	}
	if (best_pv == NULL) {
		snprintf(err, errsz, "the box catalog has no box%s%s",
		    provider ? " for provider " : "", provider ? provider : "");
		rc = -ENOENT;
		goto cleanup;
	}
	p->version = nc_strdup(best);
	p->provider = json_str(best_pv, "name");
	p->url = json_str(best_pv, "url");
	vs = json_string_value(json_object_get(best_pv, "checksum_type"));
	if (vs != NULL && strcmp(vs, "sha256") == 0)
		p->sha256 = json_str(best_pv, "checksum");
cleanup:
	json_decref(root);
	return rc;
}
