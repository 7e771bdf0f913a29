/*
 * node.c: what every step of either role shares: recording why the running
 * step failed (ncp_fail) and reading the node's own files from the tree
 * (ncp_read_node).
 */
#include <stdarg.h>
#include <stdio.h>

#include "steps.h"
#include "util.h"

int
ncp_fail(struct ncprov *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return -1;
}

int
ncp_read_node(struct ncprov *p, enum nct_id e, const char *key,
    struct nc_buf *out)
{
	char path[NCT_PATH_MAX];
	int rc;

	nc_buf_reset(out);
	if ((rc = nct_path(path, sizeof(path), e, p->node, key)) < 0)
		return rc;
	return p->src.ops->read(p->src.impl, path, out);
}
