/*
 * rtnl.c: one rtnetlink request and its acknowledgement (rtnl.h): an
 * address added or a route replaced or deleted, as iproute2's ip builds
 * them (the same flags, protocol, scope and type), without running it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "rtnl.h"

#define RTNL_TIMEOUT_S 5	/* for the kernel's answer */

/* A request: the header, its message and room for a few attributes. */
struct req {
	struct nlmsghdr h;	/* netlink header */
	union {
		struct ifaddrmsg a;	/* RTM_NEWADDR */
		struct rtmsg r;		/* RTM_NEWROUTE, RTM_DELROUTE */
	} m;			/* the message */
	char attrs[64];		/* its attributes */
};

/* Append attribute type holding a 4-byte address (network order). */
static void
add_addr(struct req *q, unsigned short type, uint32_t host)
{
	struct rtattr *ra = (struct rtattr *)(void *)((char *)q +
	    NLMSG_ALIGN(q->h.nlmsg_len));
	uint32_t net = htonl(host);

	ra->rta_type = type;
	ra->rta_len = RTA_LENGTH(sizeof(net));
	memcpy(RTA_DATA(ra), &net, sizeof(net));
	q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(ra->rta_len);
}

/* Send q and read the kernel's acknowledgement: 0 or -errno. */
static int
talk(struct req *q)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { RTNL_TIMEOUT_S, 0 };
	union {
		struct nlmsghdr h;	/* the answer */
		char buf[1024];		/* room for the request echoed */
	} ans;
	struct nlmsghdr *h;
	ssize_t n;
	int fd, rc = -EPROTO;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0)
		return -errno;
	q->h.nlmsg_seq = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    sendto(fd, q, q->h.nlmsg_len, 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		if ((n = recv(fd, ans.buf, sizeof(ans.buf), 0)) < 0) {
			if (errno == EINTR)
				continue;
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		for (h = &ans.h; NLMSG_OK(h, (unsigned)n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != q->h.nlmsg_seq ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct
			    nlmsgerr)))
				goto out;
			rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			goto out;	/* 0: acknowledged */
		}
	}
out:
	close(fd);
	return rc;
}

int
ncp_rtnl_addr_add(const char *dev, uint32_t ip, int prefix)
{
	struct req q;
	unsigned idx;

	if (prefix < 0 || prefix > 32)
		return -EINVAL;
	if ((idx = if_nametoindex(dev)) == 0)
		return -errno;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	q.h.nlmsg_type = RTM_NEWADDR;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	q.m.a.ifa_family = AF_INET;
	q.m.a.ifa_prefixlen = (unsigned char)prefix;
	q.m.a.ifa_scope = RT_SCOPE_UNIVERSE;
	q.m.a.ifa_index = idx;
	add_addr(&q, IFA_LOCAL, ip);
	add_addr(&q, IFA_ADDRESS, ip);
	if (prefix < 31)	/* "broadcast +": the host bits all set */
		add_addr(&q, IFA_BROADCAST, ip | (0xffffffffu >> prefix));
	return talk(&q);
}

int
ncp_rtnl_route(int del, uint32_t dst, int prefix, uint32_t gw)
{
	struct req q;

	if (prefix < 0 || prefix > 32)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	q.h.nlmsg_type = del ? RTM_DELROUTE : RTM_NEWROUTE;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (del ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
	q.m.r.rtm_family = AF_INET;
	q.m.r.rtm_dst_len = (unsigned char)prefix;
	q.m.r.rtm_table = RT_TABLE_MAIN;
	/* ip's: a new route is the administrator's, unicast, global; a
	 * deletion matches any scope */
	q.m.r.rtm_scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
	if (!del) {
		q.m.r.rtm_protocol = RTPROT_BOOT;
		q.m.r.rtm_type = RTN_UNICAST;
	}
	if (prefix > 0)
		add_addr(&q, RTA_DST, dst);
	add_addr(&q, RTA_GATEWAY, gw);
	return talk(&q);
}
