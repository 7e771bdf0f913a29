/*
 * pnode_wake.h: waking the provisioning agents of a pnode's running lxc
 * containers (pnode_wake.c; the messages are ../agent.h's).
 */
#ifndef NCP_PNODE_WAKE_H
#define NCP_PNODE_WAKE_H

#include <stddef.h>

#include "agent.h"
#include "ncprov.h"

/* A guest to wake, and how its run ended. */
struct ncp_wake {
	const char *name;		/* in: the guest's name */
	int answered;			/* out: 1 when its agent ran it */
	int rc;				/* out: the run's exit status */
	char line[NCP_AGENT_MSG_MAX];	/* out: the run's last line */
};

/*
 * Wake the agents of the n guests (under lxcpath) to run `ncprov
 * container` again, full or scoped, at most p->jobs at once, and wait for
 * each to end.  A guest whose agent does not take the wake (no control
 * address, nothing on the port, no "ack" after three sends) is left
 * unanswered for the caller to reach another way.  0, or -errno when no
 * socket could be had (then none is answered).
 */
int ncp_wake_agents(struct ncprov *p, const char *lxcpath, struct ncp_wake *w,
    size_t n, int full);

#endif
