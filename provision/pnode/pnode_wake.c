/*
 * pnode_wake.c: the pnode's side of the agents (pnode_wake.h, ../agent.h).
 *
 * One UDP socket for a batch.  Each guest's control address comes from
 * its LXC config (LXCPATH/nc-<g>/config, "lxc.net.0.ipv4.address": the
 * pnode's own file, not the container's).  At most p->jobs guests are in
 * flight: each gets "ncprov-wake SEQ MODE" (SEQ: the batch's base plus its
 * index), an "ack" within 250 ms (sent again after 250, 500 ms: three
 * sends), then a "done" within 300 s.  An ICMP port unreachable (nothing
 * listening: a container from before the agent, or one whose agent died)
 * comes back on the socket's error queue (IP_RECVERR) and settles that
 * guest at once as unanswered.  An answer counts only from the guest's
 * address and with its SEQ.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pnode_wake.h"
#include "util.h"

#define ACK_MS 250			/* the first wait for an ack */
#define SENDS 3				/* wakes sent before giving up */
#define RUN_MS (300 * 1000)		/* a run's time at most */

/* Where a guest is in the batch. */
enum { W_QUEUED, W_SENT, W_RUNNING, W_DONE };

/* A guest's state in the batch. */
struct slot {
	struct sockaddr_in to;		/* its agent (port 0: no address) */
	int state;			/* W_* */
	int sends;			/* wakes sent */
	long long deadline;		/* of the ack or of the run (ms) */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The guest's control address from its LXC config into to; 0 or -1. */
static int
control_addr(const char *lxcpath, const char *g, struct sockaddr_in *to)
{
	char *cfg = nc_asprintf("%s/nc-%s/config", lxcpath, g);
	char line[512], addr[64];
	FILE *f = fopen(cfg, "re");
	int rc = -1;

	free(cfg);
	if (f == NULL)
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "lxc.net.0.ipv4.address = %63[0-9.]",
		    addr) == 1 && inet_pton(AF_INET, addr,
		    &to->sin_addr) == 1)
			rc = 0;
	fclose(f);
	to->sin_family = AF_INET;
	to->sin_port = rc == 0 ? htons(NCP_AGENT_PORT) : 0;
	return rc;
}

static void
send_wake(int sock, struct slot *s, unsigned long long seq, int full)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "ncprov-wake %llu %s\n", seq, full ?
	    "full" : "scoped");
	sendto(sock, msg, strlen(msg), MSG_DONTWAIT,
	    (struct sockaddr *)&s->to, sizeof(s->to));
	s->sends++;
	s->state = W_SENT;
	s->deadline = now_ms() + ((long long)ACK_MS << (s->sends - 1));
}

static int
same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr &&
	    a->sin_port == b->sin_port;
}

/* Errors queued for datagrams we sent: the guests they went to have
 * nothing on the port.  The number of guests settled so. */
static size_t
take_errors(int sock, struct slot *s, struct ncp_wake *w, size_t n)
{
	char data[NCP_AGENT_MSG_MAX], ctl[512];
	struct sockaddr_in dst;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh;
	size_t settled = 0, i;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &dst;
		mh.msg_namelen = sizeof(dst);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		if (recvmsg(sock, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return settled;
		for (i = 0; i < n; i++)
			if (s[i].state == W_SENT && same_addr(&s[i].to, &dst)) {
				s[i].state = W_DONE;
				w[i].answered = 0;
				settled++;
			}
	}
}

/* Answers waiting on the socket; the number of guests whose run ended. */
static size_t
take_answers(int sock, struct slot *s, struct ncp_wake *w, size_t n,
    unsigned long long base)
{
	char buf[NCP_AGENT_MSG_MAX + 1];
	struct ncp_agent_msg m;
	struct sockaddr_in from;
	socklen_t alen;
	size_t settled = 0, i;
	ssize_t r;

	for (;;) {
		alen = sizeof(from);
		r = recvfrom(sock, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &alen);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return settled;
			/* an error for a datagram sent: on the queue */
			return settled + take_errors(sock, s, w, n);
		}
		if (ncp_agent_parse(buf, (size_t)r, &m) < 0 || m.seq < base ||
		    m.seq - base >= n || alen != sizeof(from))
			continue;
		i = (size_t)(m.seq - base);
		if (!same_addr(&from, &s[i].to))
			continue;
		if (strcmp(m.kind, "ack") == 0 && s[i].state == W_SENT) {
			s[i].state = W_RUNNING;
			s[i].deadline = now_ms() + RUN_MS;
		} else if (strcmp(m.kind, "done") == 0 &&
		    (s[i].state == W_SENT || s[i].state == W_RUNNING)) {
			s[i].state = W_DONE;
			w[i].answered = 1;
			w[i].rc = m.rc;
			snprintf(w[i].line, sizeof(w[i].line), "%s", m.line);
			settled++;
		}
	}
}

int
ncp_wake_agents(struct ncprov *p, const char *lxcpath, struct ncp_wake *w,
    size_t n, int full)
{
	struct slot *s;
	size_t next = 0, busy = 0, left = n, i, max = p->jobs ? p->jobs : 1;
	unsigned long long base;
	struct timespec ts;
	int sock, on = 1;

	for (i = 0; i < n; i++) {
		w[i].answered = 0;
		w[i].rc = 0;
		w[i].line[0] = '\0';
	}
	if (n == 0)
		return 0;
	if ((sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	setsockopt(sock, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	s = nc_calloc(n, sizeof(*s));
	for (i = 0; i < n; i++)
		control_addr(lxcpath, w[i].name, &s[i].to);
	clock_gettime(CLOCK_REALTIME, &ts);
	/* a batch's numbers differ from the last batch's: a late answer to
	 * it is not taken for one of this batch */
	base = ((unsigned long long)ts.tv_sec << 20 ^
	    (unsigned long long)ts.tv_nsec) & 0xffffffffffffULL;
	base = (base << 12) + ((unsigned long long)getpid() & 0xfff);
	while (left > 0) {
		long long now = now_ms(), wait = -1;
		struct pollfd pf = { sock, POLLIN, 0 };
		size_t got;

		while (busy < max && next < n) {
			if (s[next].to.sin_port == 0) {	/* no address */
				s[next].state = W_DONE;
				left--;
			} else {
				send_wake(sock, &s[next], base + next, full);
				busy++;
			}
			next++;
		}
		for (i = 0; i < next; i++) {
			if (s[i].state != W_SENT && s[i].state != W_RUNNING)
				continue;
			if (s[i].deadline <= now) {
				if (s[i].state == W_SENT && s[i].sends < SENDS) {
					send_wake(sock, &s[i], base + i, full);
				} else {	/* no ack: not there; no end */
					if (s[i].state == W_RUNNING) {
						w[i].answered = 1;
						w[i].rc = 124;
						snprintf(w[i].line,
						    sizeof(w[i].line), "its "
						    "agent did not answer "
						    "within %d s", RUN_MS /
						    1000);
					}
					s[i].state = W_DONE;
					busy--;
					left--;
					continue;
				}
			}
			if (wait < 0 || s[i].deadline - now < wait)
				wait = s[i].deadline - now;
		}
		if (left == 0)
			break;
		if (poll(&pf, 1, wait < 0 ? 1000 : (int)(wait + 1)) < 0 &&
		    errno != EINTR)
			break;
		got = take_answers(sock, s, w, n, base);
		if (pf.revents & POLLERR)
			got += take_errors(sock, s, w, n);
		busy -= got;
		left -= got;
	}
	close(sock);
	free(s);
	return 0;
}
