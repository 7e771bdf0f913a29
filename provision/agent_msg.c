/*
 * agent_msg.c: parsing the messages of agent.h, shared by the agent
 * (provision/container/agent.c) and the pnode that wakes it
 * (provision/pnode/pnode_wake.c).  A datagram is untrusted input: every
 * field is checked, a line is cut at its first control byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* Parse a decimal number of digits at s (up to end) into v; the first byte
 * after it, or NULL when there is no number. */
static const char *
number(const char *s, const char *end, unsigned long long *v)
{
	unsigned long long n = 0;
	const char *p = s;

	while (p < end && *p >= '0' && *p <= '9' && p - s < 20) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (~0ULL - d) / 10)
			return NULL;
		n = n * 10 + d;
		p++;
	}
	if (p == s)
		return NULL;
	*v = n;
	return p;
}

int
ncp_agent_parse(const char *buf, size_t len, struct ncp_agent_msg *m)
{
	static const char *const kinds[] = { "wake", "ack", "done" };
	const char *end = buf + len, *s;
	unsigned long long v;
	size_t i, k;

	memset(m, 0, sizeof(*m));
	if (len < 7 || len > NCP_AGENT_MSG_MAX || memcmp(buf, "ncprov-", 7))
		return -EINVAL;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\0'))
		end--;
	s = buf + 7;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		k = strlen(kinds[i]);
		if ((size_t)(end - s) > k && memcmp(s, kinds[i], k) == 0 &&
		    s[k] == ' ')
			break;
	}
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -EINVAL;
	memcpy(m->kind, kinds[i], k + 1);
	if ((s = number(s + k + 1, end, &m->seq)) == NULL)
		return -EINVAL;
	if (i == 1)			/* ack */
		return s == end ? 0 : -EINVAL;
	if (s == end || *s++ != ' ')
		return -EINVAL;
	if (i == 0) {			/* wake MODE */
		if ((size_t)(end - s) == 4 && memcmp(s, "full", 4) == 0)
			m->full = 1;
		else if ((size_t)(end - s) != 6 || memcmp(s, "scoped", 6))
			return -EINVAL;
		return 0;
	}
	if ((s = number(s, end, &v)) == NULL || v > 255)	/* done RC */
		return -EINVAL;
	m->rc = (int)v;
	if (s < end && *s++ != ' ')
		return -EINVAL;
	for (i = 0; s < end && i + 1 < sizeof(m->line); i++, s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			break;
		m->line[i] = *s;
	}
	return 0;
}
