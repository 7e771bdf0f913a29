/*
 * fetch_time.c: bench/fetch's timer (built by `make build/bench/fetch_time`).
 * Times one node's whole configuration fetch over 9P the way ncprov makes
 * it, in one process, as rest_fetch.py times its HTTP fetches:
 *
 *   fetch_time HOST:PORT ANAME NODE bundle|pipeline|each REPEAT
 *
 * Each fetch connects (version, attach), reads the configuration as
 * `ncprov --fetch MODE` does (provision/source_snap.c), then visits every
 * file of nodes/NODE as `ncprov show` does but keys/ and accounts/ (in
 * memory once a snapshot was taken; one request at a time with "each"),
 * and disconnects.  After one
 * fetch to warm up, prints "MODE: median X ms, min Y ms, N requests".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nctree.h"
#include "source.h"
#include "util.h"

/*
 * Every file under path, read; the bytes seen added to *bytes.  The
 * node's keys/ and accounts/ are left out: per-user views of sshkeys,
 * passwd, group and sudoers, which no step of a container reads (and the
 * bundle does not hold).
 */
static int
visit(struct ncp_source *s, const char *path, size_t *bytes, int top)
{
	struct nc_buf data = { 0 };
	char **names, *child;
	size_t n, i;
	int rc, isdir;

	if ((rc = s->ops->list(s->impl, path, &names, &n)) < 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++) {
		child = nc_asprintf("%s/%s", path, names[i]);
		if (strcmp(names[i], "bundle") != 0 && !(top &&
		    (strcmp(names[i], "keys") == 0 ||
		    strcmp(names[i], "accounts") == 0))) {
			isdir = s->ops->is_dir(s->impl, child);
			if (isdir == 1)
				rc = visit(s, child, bytes, 0);
			else if (isdir == 0 && (rc = s->ops->read(s->impl,
			    child, &data)) == 0)
				*bytes += data.len;
			nc_buf_reset(&data);
		}
		free(child);
	}
	nc_buf_free(&data);
	ncp_names_free(names, n);
	return rc < 0 ? rc : 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	enum ncp_fetch_mode mode;
	struct ncp_source s;
	char err[256], root[NCT_PATH_MAX];
	unsigned long long reqs = 0;
	double *t, t0;
	size_t bytes = 0;
	int rep, i, rc;

	if (argc != 6 || (rep = atoi(argv[5])) < 1) {
		fprintf(stderr, "usage: fetch_time HOST:PORT ANAME NODE "
		    "bundle|pipeline|each REPEAT\n");
		return 2;
	}
	if (strcmp(argv[4], "bundle") == 0)
		mode = NCP_FETCH_BUNDLE;
	else if (strcmp(argv[4], "pipeline") == 0)
		mode = NCP_FETCH_PIPELINE;
	else if (strcmp(argv[4], "each") == 0)
		mode = NCP_FETCH_EACH;
	else
		return 2;
	if (nct_dir_path(root, sizeof(root), NCT_D_NODE, argv[3], NULL) < 0)
		return 2;
	t = nc_calloc((size_t)rep, sizeof(*t));
	for (i = -1; i < rep; i++) {
		t0 = now();
		if ((rc = ncp_source_9p(argv[1], argv[2], 10000, &s, err,
		    sizeof(err))) < 0) {
			fprintf(stderr, "fetch_time: %s\n", err);
			return 1;
		}
		if ((rc = ncp_source_snapshot(&s, argv[3], mode, err,
		    sizeof(err))) < 0 || (bytes = 0,
		    rc = visit(&s, root, &bytes, 1)) < 0) {
			fprintf(stderr, "fetch_time: %s: %s\n", root,
			    rc == -EINVAL ? err : strerror(-rc));
			return 1;
		}
		reqs = s.ops->requests(s.impl);
		ncp_source_close(&s);
		if (i >= 0)
			t[i] = now() - t0;
	}
	qsort(t, (size_t)rep, sizeof(*t), cmp);
	printf("%s: median %.2f ms, min %.2f ms, %llu requests, %zu bytes\n",
	    argv[4], t[rep / 2], t[0], reqs, bytes);
	free(t);
	return 0;
}
