/*
 * steps.h: the provisioning steps of a container (DESIGN.md, "Roles and
 * steps"), one file each.  A step reads what it needs from p->src (paths
 * "nodes/<node>/..."), changes local files under p->root through files.h
 * (idempotent: a second run changes nothing), says what it changed with
 * ncp_report(), and returns 0, or -1 after ncp_fail() set the reason.
 */
#ifndef NCP_STEPS_H
#define NCP_STEPS_H

#include "ncprov.h"

int ncp_step_hosts(struct ncprov *p);	 /* hosts.c */
/* Take the experiment's block out of /etc/hosts (ncprov down). */
int ncp_hosts_remove(struct ncprov *p);	 /* hosts.c */
int ncp_step_groups(struct ncprov *p);	 /* accounts.c */
int ncp_step_accounts(struct ncprov *p); /* accounts.c */
int ncp_step_ifaces(struct ncprov *p);	 /* ifaces.c */
int ncp_step_mounts(struct ncprov *p);	 /* mounts.c */
int ncp_step_startcmd(struct ncprov *p); /* startcmd.c */

/* Record why the running step failed (kept for the status line); -1. */
int ncp_fail(struct ncprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Read nodes/<node>/<rel> from the tree into out (emptied first). */
int ncp_read_node(struct ncprov *p, const char *rel, struct nc_buf *out);

#endif
