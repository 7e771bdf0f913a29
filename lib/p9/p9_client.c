/*
 * p9_client.c: a small 9P2000.L client over TCP (see p9.h).
 *
 * A mutex serializes exchanges and guards the fid table.  An exchange is
 * one request and its reply (rpc), or a pipelined batch (p9_pipe_run,
 * p9_pipe.h): up to P9_PIPE_WINDOW requests in flight, each under its own
 * tag, packed into tbuf and sent together, their replies matched by tag in
 * whatever order they come.  p9_read and p9_write split a large transfer
 * into chunks sent that way, and p9_fetch.c reads many files at once.
 * Replies arrive into rbuf, which may hold the start of the next one.  The
 * socket is non-blocking; connect, send and every reply wait in poll(2)
 * against a deadline, so nothing hangs.  Any transport trouble (timeout,
 * reset, a malformed reply, one with a tag nobody waits for) kills the
 * client: the socket is shut down and later calls fail with -ENOTCONN at
 * once.  Replies go through p9_msg_decode, the same checked decoder the
 * fuzz harness exercises.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* SOCK_CLOEXEC, O_DIRECT, O_NOATIME */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "p9.h"
#include "p9_msg.h"
#include "p9_pipe.h"

#define P9_DEF_CONNECT_MS 5000
#define P9_DEF_REPLY_MS 10000
#define P9_DEF_MSIZE (65536 + 24)
#define P9_MAX_MSIZE (16u << 20)	/* the most we propose */
#define P9_MAX_FIDS (1u << 20)		/* fids one client may hold */

struct p9_client {
	int fd;			/* the connection */
	pthread_mutex_t lock;	/* one exchange at a time; the fid table */
	int dead;		/* set once the connection is unusable */
	int no_unlinkat;	/* the server lacks Tunlinkat: use Tremove */
	int no_renameat;	/* the server lacks Trenameat: use Trename */
	uint32_t msize;		/* negotiated message size */
	int reply_ms;		/* per-reply timeout */
	uint16_t tag;		/* the next request's tag */
	atomic_uint_fast64_t trips; /* requests sent */
	atomic_uint_fast64_t exchanges; /* exchanges: one request and its
				 * reply, or one pipelined batch */
	unsigned char *tbuf;	/* requests being sent (2 * msize bytes:
				 * a batch packs them up to msize, and one
				 * more of up to msize may follow) */
	unsigned char *rbuf;	/* replies received (msize bytes) */
	size_t rhave;		/* bytes in rbuf */
	size_t rused;		/* bytes of rbuf's first reply, handed out
				 * and dropped at the next receive */
	uint64_t *fidmap;	/* one bit per fid: set when in use */
	uint32_t *iounit;	/* per fid: iounit of lopen/lcreate, or 0 */
	uint32_t nfid;		/* fids the table covers (multiple of 64) */
	char peer[300];		/* "host:port", for messages */
};

/* ---- time and sockets ---- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for ev or the deadline passes (-ETIMEDOUT). */
static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/* The socket failed: the reason as this client reports it. */
static int
sock_err(int e)
{
	return e == ETIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
}

static int
send_all(struct p9_client *c, const unsigned char *p, size_t len,
    int64_t deadline)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			rc = wait_fd(c->fd, POLLOUT, deadline);
			if (rc < 0)
				return rc;
			continue;
		}
		return sock_err(n < 0 ? errno : ECONNRESET);
	}
	return 0;
}

/*
 * Receive the next reply: the reply handed out last is dropped first, then
 * bytes are read until rbuf starts with a whole reply (its size field
 * 7..msize).  Returns its length (it stays at rbuf until the next call) or
 * a negative errno.
 */
static long
recv_reply(struct p9_client *c, int64_t deadline)
{
	uint32_t size;
	ssize_t n;
	int rc;

	if (c->rused > 0) {
		memmove(c->rbuf, c->rbuf + c->rused, c->rhave - c->rused);
		c->rhave -= c->rused;
		c->rused = 0;
	}
	for (;;) {
		if (c->rhave >= 4) {
			size = (uint32_t)c->rbuf[0] |
			    (uint32_t)c->rbuf[1] << 8 |
			    (uint32_t)c->rbuf[2] << 16 |
			    (uint32_t)c->rbuf[3] << 24;
			if (size < P9_HDRSZ || size > c->msize)
				return -EPROTO;
			if (c->rhave >= size) {
				c->rused = size;
				return (long)size;
			}
		}
		n = recv(c->fd, c->rbuf + c->rhave, c->msize - c->rhave, 0);
		if (n > 0) {
			c->rhave += (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return sock_err(errno);
		rc = wait_fd(c->fd, POLLIN, deadline);
		if (rc < 0)
			return rc;
	}
}

/* 1 when bytes beyond the replies handed out arrived: a reply to nothing
 * asked (every request has had its reply). */
static int
unasked(const struct p9_client *c)
{
	return c->rhave > c->rused;
}

/* The connection is unusable from now on. */
static void
kill_client(struct p9_client *c)
{
	if (!c->dead) {
		c->dead = 1;
		shutdown(c->fd, SHUT_RDWR);
	}
}

static uint16_t
next_tag(struct p9_client *c)
{
	uint16_t t = c->tag;

	c->tag = (uint16_t)(c->tag + 1 == P9_NOTAG ? 0 : c->tag + 1);
	return t;
}

/*
 * One exchange (the lock held): send the len-byte request in tbuf with
 * tag, wait for its reply and decode it into *r, which must be of type
 * rtype or Rlerror.  Returns 0, the server's -errno, or a transport
 * error after which the client is dead.  A negative len (the encoder's
 * error) is returned as is.
 */
static int
rpc(struct p9_client *c, long len, uint16_t tag, uint8_t rtype,
    struct p9_reply *r)
{
	int64_t deadline;
	long n;
	int rc;

	if (len < 0)
		return (int)len;
	if (c->dead)
		return -ENOTCONN;
	atomic_fetch_add(&c->trips, 1);
	atomic_fetch_add(&c->exchanges, 1);
	deadline = now_ms() + c->reply_ms;
	rc = send_all(c, c->tbuf, (size_t)len, deadline);
	if (rc < 0)
		goto dead;
	n = recv_reply(c, deadline);
	if (n < 0) {
		rc = n == -EPROTO ? -EIO : (int)n;
		goto dead;
	}
	rc = -EIO;
	if (p9_msg_decode(c->rbuf, (size_t)n, r) < 0 || r->tag != tag ||
	    unasked(c))
		goto dead;
	if (r->type == P9_RLERROR) {
		/* A well-formed error; one that is no errno is -EIO. */
		if (r->ecode == 0 || r->ecode > 4095)
			return -EIO;
		return -(int)r->ecode;
	}
	if (r->type != rtype)
		goto dead;
	return 0;
dead:
	kill_client(c);
	return rc;
}

/* One request of a pipelined exchange in flight. */
struct pipe_slot {
	size_t i;		/* the caller's index */
	uint16_t tag;		/* its tag */
	uint8_t rtype;		/* the reply it expects */
};

/* Hand every request without a reply the transport error rc. */
static void
pipe_fail(struct pipe_slot *fl, size_t nfl, size_t sent, size_t n,
    int rc, p9_pipe_got got, void *arg)
{
	size_t k;

	for (k = 0; k < nfl; k++)
		got(arg, fl[k].i, rc, NULL);
	for (; sent < n; sent++)
		got(arg, sent, rc, NULL);
}

int
p9_pipe_run(struct p9_client *c, size_t n, p9_pipe_enc enc, p9_pipe_got got,
    void *arg)
{
	struct pipe_slot fl[P9_PIPE_WINDOW];
	struct p9_reply r;
	size_t nfl = 0, sent = 0, used, k, idx;
	uint8_t rtype;
	uint16_t tag;
	long len;
	int rc = 0, res;

	if (n == 0)
		return 0;
	if (c->dead) {
		pipe_fail(fl, 0, 0, n, -ENOTCONN, got, arg);
		return -ENOTCONN;
	}
	atomic_fetch_add(&c->exchanges, 1);
	while (sent < n || nfl > 0) {
		/* Fill the window: requests packed into tbuf, one send. */
		used = 0;
		while (sent < n && nfl < P9_PIPE_WINDOW && used < c->msize) {
			tag = next_tag(c);
			len = enc(arg, sent, c->tbuf + used, c->msize, tag,
			    &rtype);
			if (len < 0) {
				got(arg, sent++, (int)len, NULL);
				continue;
			}
			fl[nfl].i = sent++;
			fl[nfl].tag = tag;
			fl[nfl++].rtype = rtype;
			used += (size_t)len;
			atomic_fetch_add(&c->trips, 1);
		}
		if (used > 0 && (rc = send_all(c, c->tbuf, used,
		    now_ms() + c->reply_ms)) < 0)
			goto dead;
		if (nfl == 0)
			continue;
		/* Take one reply, whichever request it answers. */
		len = recv_reply(c, now_ms() + c->reply_ms);
		if (len < 0) {
			rc = len == -EPROTO ? -EIO : (int)len;
			goto dead;
		}
		rc = -EIO;
		if (p9_msg_decode(c->rbuf, (size_t)len, &r) < 0)
			goto dead;
		for (k = 0; k < nfl && fl[k].tag != r.tag; k++)
			;
		if (k == nfl)		/* a tag nobody waits for */
			goto dead;
		if (r.type == P9_RLERROR)
			res = r.ecode == 0 || r.ecode > 4095 ? -EIO :
			    -(int)r.ecode;
		else if (r.type != fl[k].rtype)
			goto dead;
		else
			res = 0;
		idx = fl[k].i;
		fl[k] = fl[--nfl];	/* the slot is free for the next */
		if (got(arg, idx, res, &r) < 0)
			goto dead;
	}
	rc = -EIO;
	if (unasked(c))
		goto dead;
	return 0;
dead:
	kill_client(c);
	pipe_fail(fl, nfl, sent, n, rc, got, arg);
	return rc;
}

void
p9_lock(struct p9_client *c)
{
	pthread_mutex_lock(&c->lock);
}

void
p9_unlock(struct p9_client *c)
{
	pthread_mutex_unlock(&c->lock);
}

/* ---- fids ---- */

/* Take the lowest free fid (the lock held). */
static int
fid_alloc(struct p9_client *c, p9_fid *fid)
{
	uint64_t *map;
	uint32_t *iou;
	uint32_t i, n, bit;

	for (i = 0; i < c->nfid / 64; i++)
		if (c->fidmap[i] != UINT64_MAX)
			goto found;
	if (c->nfid >= P9_MAX_FIDS)
		return -EMFILE;
	n = c->nfid ? c->nfid * 2 : 64;
	map = realloc(c->fidmap, n / 64 * sizeof(*map));
	if (map == NULL)
		return -ENOMEM;
	c->fidmap = map;
	iou = realloc(c->iounit, n * sizeof(*iou));
	if (iou == NULL)
		return -ENOMEM;
	c->iounit = iou;
	memset(map + c->nfid / 64, 0, (n - c->nfid) / 64 * sizeof(*map));
	c->nfid = n;
found:
	for (bit = 0; c->fidmap[i] >> bit & 1; bit++)
		;
	*fid = i * 64 + bit;
	c->fidmap[i] |= 1ull << (*fid % 64);
	c->iounit[*fid] = 0;
	return 0;
}

static void
fid_free(struct p9_client *c, p9_fid fid)
{
	if (fid < c->nfid)
		c->fidmap[fid / 64] &= ~(1ull << (fid % 64));
}

/* The largest Tread/Twrite payload for fid. */
static uint32_t
io_chunk(const struct p9_client *c, p9_fid fid)
{
	uint32_t n = c->msize - P9_IOHDRSZ;

	if (fid < c->nfid && c->iounit[fid] != 0 && c->iounit[fid] < n)
		n = c->iounit[fid];
	return n;
}

int
p9_fid_take(struct p9_client *c, p9_fid *fid)
{
	return fid_alloc(c, fid);
}

void
p9_fid_drop(struct p9_client *c, p9_fid fid)
{
	fid_free(c, fid);
}

void
p9_fid_iounit(struct p9_client *c, p9_fid fid, uint32_t iounit)
{
	if (fid < c->nfid)
		c->iounit[fid] = iounit;
}

uint32_t
p9_io_chunk(const struct p9_client *c, p9_fid fid)
{
	return io_chunk(c, fid);
}

/* ---- connecting ---- */

/* Split "host:port" or "[v6]:port" into host and port. */
static int
split_hostport(const char *hp, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *h = hp, *colon, *end;
	size_t n;

	if (hp[0] == '[') {
		end = strchr(hp, ']');
		if (end == NULL || end[1] != ':')
			return -EINVAL;
		h = hp + 1;
		colon = end + 1;
	} else {
		colon = strrchr(hp, ':');
		if (colon == NULL)
			return -EINVAL;
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostlen || strlen(colon + 1) >= portlen ||
	    colon[1] == '\0' || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1) || atol(colon + 1) < 1 ||
	    atol(colon + 1) > 65535)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* Connect one address by the deadline: the fd or a negative errno. */
static int
connect_one(const struct addrinfo *ai, int64_t deadline)
{
	socklen_t sl = sizeof(int);
	int fd, rc, e = 0, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
			goto fail;
		}
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
			e = errno;
		if (e != 0) {
			rc = -e;
			goto fail;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return rc;
}

/* Resolve and connect to the first address that answers. */
static int
dial(const char *hostport, int connect_ms, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], port[8];
	int64_t deadline = now_ms() + connect_ms;
	int rc, fd = -EHOSTUNREACH;

	if (hostport == NULL || split_hostport(hostport, host, sizeof(host),
	    port, sizeof(port)) < 0) {
		snprintf(err, errlen, "%s: not HOST:PORT",
		    hostport ? hostport : "(null)");
		return -EINVAL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "resolve %s: %s", host,
		    gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		if (fd >= 0 || fd == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "connect %s: %s", hostport,
		    strerror(-fd));
	return fd;
}

int
p9_dead(const struct p9_client *c)
{
	return c->dead;
}

/* Describe a failed exchange for p9_connect's message. */
static void
describe(const struct p9_client *c, int rc, const char *what,
    const char *subject, char *err, size_t errlen)
{
	if (!c->dead)
		snprintf(err, errlen, "%s: %s", subject, strerror(-rc));
	else if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no reply to %s within %g s",
		    c->peer, what, c->reply_ms / 1000.0);
	else if (rc == -ECONNRESET)
		snprintf(err, errlen, "%s: connection closed during %s",
		    c->peer, what);
	else
		snprintf(err, errlen, "%s: malformed reply to %s", c->peer,
		    what);
}

/* Tversion: agree on 9P2000.L and the smaller msize. */
static int
negotiate(struct p9_client *c, char *err, size_t errlen)
{
	struct p9_reply r;
	long len;
	int rc;

	len = p9_enc_version(c->tbuf, c->msize, c->msize, P9_VERSION);
	rc = rpc(c, len, P9_NOTAG, P9_RVERSION, &r);
	if (rc < 0) {
		describe(c, rc, "Tversion", c->peer, err, errlen);
		return rc;
	}
	if (r.slen != strlen(P9_VERSION) ||
	    memcmp(r.str, P9_VERSION, r.slen) != 0) {
		snprintf(err, errlen, "%s: server speaks %.*s, not %s",
		    c->peer, (int)r.slen, r.str, P9_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (r.msize < P9_MINMSIZE) {
		snprintf(err, errlen, "%s: server msize %u is below %u",
		    c->peer, (unsigned)r.msize, P9_MINMSIZE);
		return -EPROTO;
	}
	if (r.msize < c->msize)
		c->msize = r.msize;
	return 0;
}

int
p9_connect(const char *hostport, const char *aname,
    const struct p9_opts *o, struct p9_client **cp, char *err,
    size_t errlen)
{
	struct p9_client *c = NULL;
	struct p9_reply r;
	char scratch[1];
	uint32_t msize = o && o->msize ? o->msize : P9_DEF_MSIZE;
	int connect_ms = o && o->connect_ms > 0 ? o->connect_ms :
	    P9_DEF_CONNECT_MS;
	p9_fid root;
	uint16_t tag;
	long len;
	int rc, fd = -1;

	*cp = NULL;
	if (err == NULL || errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if (aname == NULL)
		aname = "";
	if (msize < P9_MINMSIZE || msize > P9_MAX_MSIZE) {
		snprintf(err, errlen, "msize %u is not %u..%u",
		    (unsigned)msize, P9_MINMSIZE, P9_MAX_MSIZE);
		return -EINVAL;
	}
	fd = dial(hostport, connect_ms, err, errlen);
	if (fd < 0)
		return fd;
	rc = -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "%s: %s", hostport, strerror(ENOMEM));
		goto fail;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		c = NULL;
		snprintf(err, errlen, "%s: %s", hostport, strerror(ENOMEM));
		goto fail;
	}
	c->fd = fd;
	fd = -1;
	c->msize = msize;
	c->reply_ms = o && o->reply_ms > 0 ? o->reply_ms : P9_DEF_REPLY_MS;
	snprintf(c->peer, sizeof(c->peer), "%s", hostport);
	c->tbuf = malloc(2 * (size_t)msize);
	c->rbuf = malloc(msize);
	if (c->tbuf == NULL || c->rbuf == NULL) {
		snprintf(err, errlen, "%s: %s", hostport, strerror(ENOMEM));
		goto fail;
	}
	rc = negotiate(c, err, errlen);
	if (rc < 0)
		goto fail;
	rc = fid_alloc(c, &root);	/* fid 0 */
	if (rc < 0)
		goto fail;
	tag = next_tag(c);
	len = p9_enc_attach(c->tbuf, c->msize, tag, root, P9_NOFID,
	    o && o->uname ? o->uname : "root", aname, o ? o->n_uname : 0);
	rc = rpc(c, len, tag, P9_RATTACH, &r);
	if (rc < 0) {
		char subject[300];

		snprintf(subject, sizeof(subject), "attach %s", aname);
		describe(c, rc, "Tattach", subject, err, errlen);
		goto fail;
	}
	*cp = c;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	p9_close(c);
	return rc;
}

void
p9_close(struct p9_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
	free(c->tbuf);
	free(c->rbuf);
	free(c->fidmap);
	free(c->iounit);
	free(c);
}

p9_fid
p9_root(const struct p9_client *c)
{
	(void)c;
	return 0;
}

uint32_t
p9_msize(const struct p9_client *c)
{
	return c->msize;
}

uint64_t
p9_round_trips(const struct p9_client *c)
{
	return atomic_load(&((struct p9_client *)c)->trips);
}

uint64_t
p9_exchanges(const struct p9_client *c)
{
	return atomic_load(&((struct p9_client *)c)->exchanges);
}

/* ---- calls ---- */

/* A single name: not empty, no '/', not "." or "..". */
static int
plain_name(const char *name)
{
	return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Tclunk with the lock held; the fid is free afterwards whatever. */
static int
clunk_locked(struct p9_client *c, p9_fid fid)
{
	struct p9_reply r;
	uint16_t tag = next_tag(c);
	int rc;

	rc = rpc(c, p9_enc_fid(c->tbuf, c->msize, P9_TCLUNK, tag, fid), tag,
	    P9_RCLUNK, &r);
	fid_free(c, fid);
	return rc;
}

/*
 * Walk one step of at most P9_MAXWELEM names from fid to newfid (the
 * lock held).  A partial walk is -ENOENT.
 */
static int
walk_step(struct p9_client *c, p9_fid fid, p9_fid newfid, unsigned n,
    const char *const *names, const size_t *lens, struct p9_qid *last)
{
	struct p9_reply r;
	uint16_t tag = next_tag(c);
	int rc;

	rc = rpc(c, p9_enc_walk(c->tbuf, c->msize, tag, fid, newfid, n,
	    names, lens), tag, P9_RWALK, &r);
	if (rc < 0)
		return rc;
	if (r.nwqid > n) {
		kill_client(c);
		return -EIO;
	}
	if (r.nwqid < n)
		return -ENOENT;
	if (n > 0)
		*last = r.wqid[n - 1];
	return 0;
}

/*
 * Walk from along path to a new fid (the lock held); *last gets the qid
 * of the last name (left alone for a clone).  The first step walks from
 * to the new fid, later steps walk the new fid onward in place, so no
 * intermediate fids are needed; when a later step fails, the stranded
 * fid is clunked.
 */
static int
walk_locked(struct p9_client *c, p9_fid from, const char *path,
    p9_fid *nfid, struct p9_qid *last)
{
	const char *names[P9_MAXWELEM];
	size_t lens[P9_MAXWELEM];
	const char *p = path ? path : "";
	p9_fid fid, src = from;
	unsigned n;
	int rc;

	rc = c->dead ? -ENOTCONN : fid_alloc(c, &fid);
	if (rc < 0)
		return rc;
	do {
		for (n = 0; n < P9_MAXWELEM && *p != '\0'; ) {
			size_t len = strcspn(p, "/");

			if (len > 0) {
				names[n] = p;
				lens[n++] = len;
			}
			p += len;
			p += strspn(p, "/");
		}
		rc = walk_step(c, src, fid, n, names, lens, last);
		if (rc < 0) {
			if (src == fid)
				clunk_locked(c, fid);
			else
				fid_free(c, fid);
			return rc;
		}
		src = fid;
	} while (*p != '\0');
	*nfid = fid;
	return 0;
}

int
p9_walk(struct p9_client *c, p9_fid from, const char *path, p9_fid *nfid)
{
	struct p9_qid last;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = walk_locked(c, from, path, nfid, &last);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_clunk(struct p9_client *c, p9_fid fid)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = clunk_locked(c, fid);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_getattr(struct p9_client *c, p9_fid fid, struct p9_stat *st)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_getattr(c->tbuf, c->msize, tag, fid,
	    P9_GETATTR_BASIC), tag, P9_RGETATTR, &r);
	if (rc == 0)
		*st = r.st;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_setattr(struct p9_client *c, p9_fid fid, uint32_t valid,
    const struct p9_stat *st)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_setattr(c->tbuf, c->msize, tag, fid, valid, st),
	    tag, P9_RSETATTR, &r);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_lopen(struct p9_client *c, p9_fid fid, int flags, uint32_t *iounit)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_lopen(c->tbuf, c->msize, tag, fid,
	    p9_dotl_flags(flags)), tag, P9_RLOPEN, &r);
	if (rc == 0) {
		if (fid < c->nfid)
			c->iounit[fid] = r.iounit;
		if (iounit != NULL)
			*iounit = r.iounit;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_lcreate(struct p9_client *c, p9_fid dirfid, const char *name,
    int flags, uint32_t mode, uint32_t gid, uint32_t *iounit)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	if (!plain_name(name))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_lcreate(c->tbuf, c->msize, tag, dirfid, name,
	    p9_dotl_flags(flags), mode, gid), tag, P9_RLCREATE, &r);
	if (rc == 0) {
		if (dirfid < c->nfid)
			c->iounit[dirfid] = r.iounit;
		if (iounit != NULL)
			*iounit = r.iounit;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* A transfer split into chunks sent together (p9_read, p9_write). */
struct xfer {
	p9_fid fid;		/* the open file */
	uint64_t off;		/* where chunk 0 starts */
	unsigned char *buf;	/* the caller's buffer */
	size_t n;		/* its bytes */
	uint32_t chunk;		/* bytes per request */
	int write;		/* Twrite, else Tread */
	uint32_t *got;		/* per chunk: bytes read or written */
	int *rc;		/* per chunk: its result */
};

/* Bytes of chunk i. */
static uint32_t
xfer_want(const struct xfer *x, size_t i)
{
	size_t left = x->n - i * x->chunk;

	return left < x->chunk ? (uint32_t)left : x->chunk;
}

static long
xfer_enc(void *arg, size_t i, unsigned char *buf, size_t cap, uint16_t tag,
    uint8_t *rtype)
{
	struct xfer *x = arg;
	uint64_t off = x->off + i * (uint64_t)x->chunk;

	if (x->write) {
		*rtype = P9_RWRITE;
		return p9_enc_write(buf, cap, tag, x->fid, off,
		    x->buf + i * x->chunk, xfer_want(x, i));
	}
	*rtype = P9_RREAD;
	return p9_enc_read(buf, cap, P9_TREAD, tag, x->fid, off,
	    xfer_want(x, i));
}

static int
xfer_got(void *arg, size_t i, int rc, const struct p9_reply *r)
{
	struct xfer *x = arg;

	x->rc[i] = rc;
	x->got[i] = 0;
	if (rc < 0)
		return 0;
	if (r->count > xfer_want(x, i)) {	/* more than asked: broken */
		x->rc[i] = -EIO;
		return -EIO;
	}
	x->got[i] = r->count;
	if (!x->write && r->count > 0)
		memcpy(x->buf + i * x->chunk, r->data, r->count);
	return 0;
}

/*
 * Read or write n bytes at off in chunks of the fid's I/O size, all sent
 * at once (the lock held).  The result is what a single transfer would
 * say: the bytes up to the first short chunk (a read stops there, as
 * read(2) may; a write's later chunks may have been written too), or the
 * first chunk's error when nothing came before it.
 */
static ssize_t
transfer(struct p9_client *c, p9_fid fid, uint64_t off, void *buf, size_t n,
    int write)
{
	struct xfer x = { fid, off, buf, n, io_chunk(c, fid), write, NULL,
	    NULL };
	size_t nch, i, done = 0;
	int rc;

	if (n == 0)
		return c->dead ? -ENOTCONN : 0;
	nch = (n + x.chunk - 1) / x.chunk;
	x.got = malloc(nch * sizeof(*x.got));
	x.rc = malloc(nch * sizeof(*x.rc));
	if (x.got == NULL || x.rc == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = p9_pipe_run(c, nch, xfer_enc, xfer_got, &x);
	for (i = 0; i < nch; i++) {
		if (x.rc[i] < 0) {
			rc = done > 0 ? 0 : x.rc[i];
			break;
		}
		done += x.got[i];
		rc = 0;
		if (x.got[i] < xfer_want(&x, i))
			break;
	}
out:
	free(x.got);
	free(x.rc);
	return rc < 0 ? rc : (ssize_t)done;
}

/*
 * Reads stop early at a short reply (as read(2) may), so a caller that
 * wants everything loops until 0; writes go on until all is written or
 * one chunk is short.
 */
ssize_t
p9_read(struct p9_client *c, p9_fid fid, uint64_t off, void *buf, size_t n)
{
	ssize_t rc;

	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	pthread_mutex_lock(&c->lock);
	rc = transfer(c, fid, off, buf, n, 0);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

ssize_t
p9_write(struct p9_client *c, p9_fid fid, uint64_t off, const void *buf,
    size_t n)
{
	ssize_t rc;

	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	pthread_mutex_lock(&c->lock);
	rc = transfer(c, fid, off, (void *)(uintptr_t)buf, n, 1);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * One Treaddir.  The entries are copied out and fn runs without the lock
 * held, so it may call the client.  The entry on which fn returns
 * nonzero counts as seen and *off moves past it.
 */
int
p9_readdir(struct p9_client *c, p9_fid fid, uint64_t *off,
    int (*fn)(void *arg, const struct p9_dirent *d), void *arg)
{
	struct p9_reply r;
	struct p9_rdirent rd;
	struct p9_dirent d;
	unsigned char *data = NULL;
	char *name;
	uint32_t count = 0;
	size_t pos = 0;
	uint16_t tag;
	int rc, seen = 0;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_read(c->tbuf, c->msize, P9_TREADDIR, tag, fid,
	    *off, c->msize - P9_READDIRHDRSZ), tag, P9_RREADDIR, &r);
	if (rc == 0 && r.count > 0) {
		/* The data, then room for one name and its NUL. */
		count = r.count;
		data = malloc(2 * (size_t)count + 1);
		if (data == NULL)
			rc = -ENOMEM;
		else
			memcpy(data, r.data, count);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc < 0 || count == 0)
		goto out;
	name = (char *)data + count;
	while (p9_dirent_next(data, count, &pos, &rd) > 0) {
		memcpy(name, rd.name, rd.namelen);
		name[rd.namelen] = '\0';
		d.name = name;
		d.qtype = rd.qid.type;
		d.qpath = rd.qid.path;
		d.type = rd.type;
		d.offset = rd.offset;
		seen++;
		*off = rd.offset;
		if (fn != NULL && fn(arg, &d) != 0)
			break;
	}
	rc = seen;
out:
	free(data);
	return rc;
}

int
p9_mkdir(struct p9_client *c, p9_fid dirfid, const char *name,
    uint32_t mode, uint32_t gid)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	if (!plain_name(name))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_mkdir(c->tbuf, c->msize, tag, dirfid, name, mode,
	    gid), tag, P9_RMKDIR, &r);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_symlink(struct p9_client *c, p9_fid dirfid, const char *name,
    const char *target, uint32_t gid)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	if (!plain_name(name))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_symlink(c->tbuf, c->msize, tag, dirfid, name,
	    target, gid), tag, P9_RSYMLINK, &r);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Returns 0 (the target is buf's string); -ERANGE when it does not fit
 * in len bytes with its NUL. */
int
p9_readlink(struct p9_client *c, p9_fid fid, char *buf, size_t len)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_fid(c->tbuf, c->msize, P9_TREADLINK, tag, fid),
	    tag, P9_RREADLINK, &r);
	if (rc == 0 && (size_t)r.slen + 1 > len) {
		rc = -ERANGE;
	} else if (rc == 0) {
		memcpy(buf, r.str, r.slen);
		buf[r.slen] = '\0';
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * Servers without Tunlinkat (diod answers EOPNOTSUPP) get what the
 * Linux client sends then: a walk to the name and Tremove, checking the
 * qid against AT_REMOVEDIR first so rm and rmdir keep their meaning.
 */
static int
remove_locked(struct p9_client *c, p9_fid dirfid, const char *name,
    int flags)
{
	struct p9_reply r;
	struct p9_qid qid;
	p9_fid fid;
	uint16_t tag;
	int rc, isdir;

	rc = walk_locked(c, dirfid, name, &fid, &qid);
	if (rc < 0)
		return rc;
	isdir = (qid.type & 0x80) != 0;
	if (isdir != ((flags & AT_REMOVEDIR) != 0)) {
		clunk_locked(c, fid);
		return isdir ? -EISDIR : -ENOTDIR;
	}
	tag = next_tag(c);
	rc = rpc(c, p9_enc_fid(c->tbuf, c->msize, P9_TREMOVE, tag, fid),
	    tag, P9_RREMOVE, &r);
	fid_free(c, fid);	/* Tremove clunks, even when it fails */
	return rc;
}

int
p9_unlinkat(struct p9_client *c, p9_fid dirfid, const char *name,
    int flags)
{
	struct p9_reply r;
	uint16_t tag;
	int rc = -EOPNOTSUPP;

	if (!plain_name(name))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	if (!c->no_unlinkat) {
		tag = next_tag(c);
		rc = rpc(c, p9_enc_unlinkat(c->tbuf, c->msize, tag, dirfid,
		    name, (uint32_t)flags), tag, P9_RUNLINKAT, &r);
	}
	if (rc == -EOPNOTSUPP) {
		c->no_unlinkat = 1;
		rc = remove_locked(c, dirfid, name, flags);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Without Trenameat: walk to the old name and Trename it. */
static int
rename_locked(struct p9_client *c, p9_fid olddir, const char *oldname,
    p9_fid newdir, const char *newname)
{
	struct p9_reply r;
	struct p9_qid qid;
	p9_fid fid;
	uint16_t tag;
	int rc;

	rc = walk_locked(c, olddir, oldname, &fid, &qid);
	if (rc < 0)
		return rc;
	tag = next_tag(c);
	rc = rpc(c, p9_enc_rename(c->tbuf, c->msize, tag, fid, newdir,
	    newname), tag, P9_RRENAME, &r);
	clunk_locked(c, fid);
	return rc;
}

int
p9_renameat(struct p9_client *c, p9_fid olddir, const char *oldname,
    p9_fid newdir, const char *newname)
{
	struct p9_reply r;
	uint16_t tag;
	int rc = -EOPNOTSUPP;

	if (!plain_name(oldname) || !plain_name(newname))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	if (!c->no_renameat) {
		tag = next_tag(c);
		rc = rpc(c, p9_enc_renameat(c->tbuf, c->msize, tag, olddir,
		    oldname, newdir, newname), tag, P9_RRENAMEAT, &r);
	}
	if (rc == -EOPNOTSUPP) {
		c->no_renameat = 1;
		rc = rename_locked(c, olddir, oldname, newdir, newname);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
p9_fsync(struct p9_client *c, p9_fid fid)
{
	struct p9_reply r;
	uint16_t tag;
	int rc;

	pthread_mutex_lock(&c->lock);
	tag = next_tag(c);
	rc = rpc(c, p9_enc_fsync(c->tbuf, c->msize, tag, fid, 0), tag,
	    P9_RFSYNC, &r);
	pthread_mutex_unlock(&c->lock);
	return rc;
}
