/*
 * container_steps.h: the steps of a booting container, one file each
 * (besides hosts, shared with the pnode: ../steps.h).
 */
#ifndef NCP_CONTAINER_STEPS_H
#define NCP_CONTAINER_STEPS_H

#include "steps.h"

int ncp_step_groups(struct ncprov *p);	 /* accounts.c */
int ncp_step_accounts(struct ncprov *p); /* accounts.c */
int ncp_step_logins(struct ncprov *p);	 /* logins.c */
int ncp_step_ifaces(struct ncprov *p);	 /* ifaces.c */
int ncp_step_routes(struct ncprov *p);	 /* routes.c */
int ncp_step_mounts(struct ncprov *p);	 /* mounts.c */
int ncp_step_tarfiles(struct ncprov *p); /* tarfiles.c */
int ncp_step_startcmd(struct ncprov *p); /* startcmd.c */
/* Start the container's agent (agent.c) unless one runs: 1 when started,
 * 0, or -errno. */
int ncp_agent_start(struct ncprov *p);

#endif
