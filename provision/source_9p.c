/*
 * source_9p.c: the node's subtree straight from diod over 9P2000.L
 * (--9p HOST:PORT [--aname /nc]), for nodes whose kernel has no 9p.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p9.h"
#include "source.h"
#include "util.h"

#define NCP_9P_ATTEMPTS 3	/* connections tried on transient failures */

static int
p9s_read(void *impl, const char *path, struct nc_buf *out)
{
	char *data;
	size_t len;
	int rc;

	if ((rc = p9_read_file(impl, path, &data, &len)) < 0)
		return rc;
	nc_buf_add(out, data, len);
	free(data);
	return 0;
}

static int
p9s_list(void *impl, const char *path, char ***names, size_t *n)
{
	return p9_list(impl, path, names, n);
}

static int
p9s_is_dir(void *impl, const char *path)
{
	struct p9_stat st;
	p9_fid fid;
	int rc;

	if ((rc = p9_walk(impl, p9_root(impl), path, &fid)) < 0)
		return rc;
	rc = p9_getattr(impl, fid, &st);
	p9_clunk(impl, fid);
	if (rc < 0)
		return rc;
	return (st.qtype & 0x80) ? 1 : 0;
}

static int
p9s_write(void *impl, const char *path, const char *data, size_t len)
{
	return p9_write_file(impl, path, data, len);
}

static unsigned long long
p9s_requests(void *impl)
{
	return p9_round_trips(impl);
}

static void
p9s_close(void *impl)
{
	p9_close(impl);
}

static int
p9s_lost(void *impl)
{
	return p9_dead(impl);
}

static int
p9s_fetch(void *impl, struct ncp_fetch *v, size_t n, size_t max)
{
	struct p9_fetch *f;
	size_t i;
	int rc;

	f = nc_calloc(n ? n : 1, sizeof(*f));
	for (i = 0; i < n; i++) {
		f[i].path = v[i].path;
		f[i].dir = v[i].dir;
	}
	rc = p9_fetch(impl, f, n, max);
	for (i = 0; i < n; i++) {
		v[i].rc = f[i].rc;
		v[i].data = f[i].data;
		v[i].len = f[i].len;
	}
	free(f);
	return rc;
}

static const struct ncp_source_ops p9_ops = {
	.read = p9s_read,
	.list = p9s_list,
	.is_dir = p9s_is_dir,
	.write = p9s_write,
	.requests = p9s_requests,
	.lost = p9s_lost,
	.fetch = p9s_fetch,
	.close = p9s_close,
};

/*
 * A failure worth another connection: no answer (a SYN dropped by a full
 * listen queue when many containers boot at once, a server that stalled)
 * or a connection cut during the handshake.  A refused connection is a
 * server that is down: that is said at once.
 */
static int
transient(int rc)
{
	return rc == -ETIMEDOUT || rc == -ECONNRESET || rc == -EPIPE ||
	    rc == -ECONNABORTED;
}

int
ncp_source_9p(const char *hostport, const char *aname, int timeout_ms,
    struct ncp_source *s, char *err, size_t errlen)
{
	struct p9_opts o = { .connect_ms = timeout_ms, .reply_ms = timeout_ms };
	struct timespec pause = { 0, 100 * 1000000L };
	struct p9_client *c;
	int rc, attempt;

	for (attempt = 1;; attempt++) {
		rc = p9_connect(hostport, aname, &o, &c, err, errlen);
		if (rc == 0 || !transient(rc) || attempt == NCP_9P_ATTEMPTS)
			break;
		fprintf(stderr, "ncprov: %s; connecting again (%d of %d)\n",
		    err != NULL && errlen > 0 && err[0] ? err : strerror(-rc),
		    attempt + 1, NCP_9P_ATTEMPTS);
		{
			/* jittered: the containers that lost together do
			 * not all come back in the same instant */
			struct timespec j = pause;

			srand((unsigned)getpid() ^ (unsigned)time(NULL));
			j.tv_nsec += (long)(rand() % 100) * (pause.tv_nsec /
			    100);
			nanosleep(&j, NULL);
		}
		pause.tv_nsec *= 2;
	}
	if (rc < 0)
		return rc;
	s->ops = &p9_ops;
	s->impl = c;
	snprintf(s->desc, sizeof(s->desc), "9p %s%s", hostport, aname);
	return 0;
}
