/*
 * agent.h: what a pnode and the provisioning agent in each of its lxc
 * containers say to each other (docs/DESIGN.md, "Roles and steps", agent).
 *
 * The agent (provision/container/agent.c) is a process in the container,
 * started by the container's first `ncprov container` run, that waits on
 * a UDP port of the container's control address.  The pnode (its watcher,
 * provision/pnode/pnode_wake.c) sends one datagram to wake it instead of
 * entering the container with lxc-attach; the agent runs `ncprov
 * container` again inside (its own binary, its own namespaces, cgroup and
 * confinement) and answers with how it ended.  Every message is one line
 * of text in one datagram:
 *
 *   ncprov-wake SEQ MODE      pnode -> agent: provision again; MODE
 *                             "scoped" (only the steps whose inputs
 *                             changed, container.c) or "full"
 *   ncprov-ack SEQ            agent -> pnode: taken (sent at once)
 *   ncprov-done SEQ RC LINE   agent -> pnode: the run ended with exit
 *                             status RC, LINE its last line of output
 *
 * SEQ is the waker's number (decimal, 64 bits); the answers go to the
 * address the wake came from.  Nothing in a message is trusted beyond
 * what it asks: anyone on the control network can wake an agent, which
 * only makes the container read its configuration again.
 */
#ifndef NCP_AGENT_H
#define NCP_AGENT_H

#include <stddef.h>

#define NCP_AGENT_PORT 5649		/* UDP, on every container */
#define NCP_AGENT_MSG_MAX 600		/* bytes of a message at most */
#define NCP_AGENT_LOCK "/run/neoc/agent.lock"	/* held while one runs */
#define NCP_AGENT_PID "/run/neoc/agent.pid"	/* its pid */
#define NCP_AGENT_LOG "/var/log/neoc/agent.log"	/* its output, its runs' */

/* A message taken apart (ncp_agent_parse). */
struct ncp_agent_msg {
	char kind[8];			/* "wake", "ack" or "done" */
	unsigned long long seq;		/* SEQ */
	int full;			/* wake: MODE "full" */
	int rc;				/* done: RC */
	char line[NCP_AGENT_MSG_MAX];	/* done: LINE ("" when none) */
};

/* Parse the len bytes of buf; 0, or -EINVAL when it is no message. */
int ncp_agent_parse(const char *buf, size_t len, struct ncp_agent_msg *m);

#endif
