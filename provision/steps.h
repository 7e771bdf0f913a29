/*
 * steps.h: what the steps of both roles share (docs/DESIGN.md, "Roles and
 * steps"): the hosts step (hosts.c), failure reporting and node reads
 * (node.c).  The container's own steps are in container/container_steps.h.
 *
 * A step reads what it needs from p->src (paths "nodes/<node>/..."),
 * changes local files under p->root through files.h (idempotent: a second
 * run changes nothing), says what it changed with ncp_report(), and returns
 * 0, or -1 after ncp_fail() set the reason.
 */
#ifndef NCP_STEPS_H
#define NCP_STEPS_H

#include "ncprov.h"

int ncp_step_hosts(struct ncprov *p);	 /* hosts.c */
/* Take the experiment's block out of /etc/hosts (ncprov down). */
int ncp_hosts_remove(struct ncprov *p);	 /* hosts.c */

/* node.c: record why the running step failed (kept for the status line); -1. */
int ncp_fail(struct ncprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Read entry e of the node's own subtree (lib/nctree.h: NCT_NODE_HOSTS,
 * NCT_IFACE_IP ...) into out (emptied first); key is the entry's second
 * key (an interface, attribute key or user), NULL when it has none.
 * 0 or -errno (-EINVAL for a key that cannot be a name).
 */
int ncp_read_node(struct ncprov *p, enum nct_id e, const char *key,
    struct nc_buf *out);

#endif
