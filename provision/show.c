/*
 * show.c: ncprov show, the node's subtree as "path: value" lines, one per
 * line of each file (a debugging aid: what this node would provision from).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncprov.h"
#include "util.h"

/* One "path: line" per line of data; "path:" for an empty file. */
static void
print_lines(const char *path, const struct nc_buf *data)
{
	const char *s = nc_buf_str(data), *end = s + data->len, *nl;
	size_t len;

	if (data->len == 0)
		printf("%s:\n", path);
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		printf("%s: %.*s\n", path, (int)len, s);
		s += len + 1;
	}
}

/* Every file under path; skip is the node's bundle (the same files
 * once more). */
static int
show_dir(struct ncprov *p, const char *path, const char *skip)
{
	struct nc_buf data = { 0 };
	char **names, *child;
	size_t n, i;
	int rc, isdir, ret = 0;

	if ((rc = p->src.ops->list(p->src.impl, path, &names, &n)) < 0) {
		fprintf(stderr, "ncprov: %s: %s\n", path, strerror(-rc));
		return -1;
	}
	for (i = 0; i < n; i++) {
		child = nc_asprintf("%s/%s", path, names[i]);
		if (strcmp(child, skip) == 0) {
			free(child);	/* what is shown, once more */
			continue;
		}
		isdir = p->src.ops->is_dir(p->src.impl, child);
		if (isdir == 1) {
			if (show_dir(p, child, skip) < 0)
				ret = -1;
		} else if (isdir < 0 || (rc = p->src.ops->read(p->src.impl,
		    child, &data)) < 0) {
			fprintf(stderr, "ncprov: %s: %s\n", child,
			    strerror(isdir < 0 ? -isdir : -rc));
			ret = -1;
		} else {
			print_lines(child, &data);
		}
		nc_buf_reset(&data);
		free(child);
	}
	nc_buf_free(&data);
	ncp_names_free(names, n);
	return ret;
}

int
ncprov_show(struct ncprov *p, int argc, char **argv)
{
	char path[NCT_PATH_MAX], bundle[NCT_PATH_MAX];
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ncprov ... --node NAME show\n");
		return 2;
	}
	if (nct_path(path, sizeof(path), NCT_NODE, p->node, NULL) < 0 ||
	    p->src.ops->is_dir(p->src.impl, path) != 1) {
		fprintf(stderr, "ncprov: no node \"%s\" in %s\n", p->node,
		    p->src.desc);
		return 1;
	}
	if (nct_path(bundle, sizeof(bundle), NCT_NODE_BUNDLE, p->node, NULL)
	    < 0)
		bundle[0] = '\0';
	rc = show_dir(p, path, bundle);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc < 0 ? 1 : 0;
}
