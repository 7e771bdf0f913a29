/*
 * test_p9_pipe.c: pipelined exchanges of the 9P client (p9_pipe_run in
 * lib/p9/p9_client.c, p9_fetch in lib/p9/p9_fetch.c, the chunked p9_read).
 *
 * A fake server made here answers Tversion and Tattach, then collects the
 * requests the client has in flight (until none more come for 2 ms, or a
 * batch is full) and answers them in reverse order: replies never
 * come in the order asked.  Its files are named for what they do: "fN" is
 * N bytes of a known pattern, "missing" does not exist (Rlerror ENOENT to
 * the walk), "denied" refuses Tlopen (EACCES), "badN" answers reads at or
 * past offset N with Rlerror EIO.  It can cut every Rread to a few bytes
 * (short reads), and it records what the client must never do: two
 * requests in flight under one tag, or a request under NOTAG.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "p9.h"
#include "p9_msg.h"

#define MSIZE 8192			/* what the fake grants */
#define CHUNK (MSIZE - 24)		/* bytes per Tread */
#define MAXFID 4096			/* fids the fake knows */
#define BATCH 512			/* requests it collects at most */

/* What a fid of the fake names. */
struct ffile {
	int used;		/* walked to */
	int kind;		/* 0 pattern file, 1 denied, 2 bad */
	uint64_t len;		/* pattern and bad: bytes (bad: where errors
				 * start) */
};

/* One request the fake holds until it answers. */
struct freq {
	uint8_t type;		/* T-message type */
	uint16_t tag;		/* its tag */
	unsigned char body[256]; /* the body (reads, walks: small) */
	size_t blen;		/* its bytes */
};

struct pfake {
	int lfd;		/* listening socket */
	int port;		/* its port */
	pthread_t th;		/* the server thread */
	uint32_t shortmax;	/* 0, or the most bytes an Rread carries */
	struct ffile fids[MAXFID]; /* what each fid names */
	/* what the test checks afterwards */
	int dup_tag;		/* two requests in flight with one tag */
	int notag;		/* a request under NOTAG after Tversion */
	int wrapped;		/* tags went past 0xfffe and back to low */
	unsigned long nreq;	/* requests answered */
	size_t maxheld;		/* most requests held at once */
};

/* The byte at position p of every pattern file. */
static unsigned char
pat(uint64_t p)
{
	return (unsigned char)(p * 131 + 7 + (p >> 8));
}

/* Read one message (a 16-bit size is enough here); 0 at EOF. */
static size_t
get_msg(int fd, unsigned char *buf, size_t cap)
{
	size_t have = 0, want = 4;
	ssize_t n;

	while (have < want) {
		n = recv(fd, buf + have, want - have, 0);
		if (n <= 0)
			return 0;
		have += (size_t)n;
		if (have == 4) {
			want = buf[0] | (size_t)buf[1] << 8 |
			    (size_t)buf[2] << 16;
			if (want < 7 || want > cap)
				return 0;
		}
	}
	return have;
}

static uint32_t
le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int
reply_err(int fd, uint16_t tag, uint32_t e)
{
	unsigned char m[32];
	struct p9_wbuf w;
	long len;

	p9_enc_begin(&w, m, sizeof(m), P9_RLERROR, tag);
	p9_put32(&w, e);
	len = p9_enc_end(&w);
	(void)!send(fd, m, (size_t)len, MSG_NOSIGNAL);
	return 0;
}

static void
put_qid(struct p9_wbuf *w, uint8_t type, uint64_t path)
{
	p9_put8(w, type);
	p9_put32(w, 0);
	p9_put64(w, path);
}

/* What a walk's name names, into f: -ENOENT for "missing"; a name that is
 * no file of the fake is a directory. */
static int
name_file(const unsigned char *s, size_t n, struct ffile *f)
{
	char name[64];

	if (n >= sizeof(name))
		return -ENOENT;
	memcpy(name, s, n);
	name[n] = '\0';
	memset(f, 0, sizeof(*f));
	f->used = 1;
	if (strcmp(name, "missing") == 0)
		return -ENOENT;
	if (strcmp(name, "denied") == 0) {
		f->kind = 1;
		return 0;
	}
	if (strncmp(name, "bad", 3) == 0) {
		f->kind = 2;
		f->len = strtoull(name + 3, NULL, 10);
		return 0;
	}
	if (name[0] == 'f') {
		f->len = strtoull(name + 1, NULL, 10);
		return 0;
	}
	f->kind = 3;
	return 0;
}

/* Answer one held request. */
static int
answer(struct pfake *pf, int fd, const struct freq *q)
{
	static unsigned char m[MSIZE];
	const unsigned char *b = q->body;
	struct p9_wbuf w;
	struct ffile *f, nf;
	uint32_t fid, nfid, count, i;
	uint64_t off, p;
	uint16_t nw, slen;
	size_t pos;
	long len;
	int rc;

	pf->nreq++;
	fid = le32(b);
	f = fid < MAXFID ? &pf->fids[fid] : NULL;
	switch (q->type) {
	case P9_TWALK:
		nfid = le32(b + 4);
		nw = (uint16_t)(b[8] | b[9] << 8);
		if (f == NULL || nfid >= MAXFID)
			return reply_err(fd, q->tag, EBADF);
		nf = *f;
		pos = 10;
		for (i = 0; i < nw; i++) {
			slen = (uint16_t)(b[pos] | b[pos + 1] << 8);
			if ((rc = name_file(b + pos + 2, slen, &nf)) < 0)
				break;
			pos += 2 + (size_t)slen;
		}
		if (i == 0 && nw > 0)	/* the first name: an error */
			return reply_err(fd, q->tag, (uint32_t)-rc);
		if (i == nw)		/* a partial walk makes no fid */
			pf->fids[nfid] = nf;
		p9_enc_begin(&w, m, sizeof(m), P9_RWALK, q->tag);
		p9_put16(&w, (uint16_t)i);
		for (nw = (uint16_t)i, i = 0; i < nw; i++)
			put_qid(&w, 0, nfid * 100 + i);
		break;
	case P9_TLOPEN:
		if (f == NULL || !f->used)
			return reply_err(fd, q->tag, EBADF);
		if (f->kind == 1)
			return reply_err(fd, q->tag, EACCES);
		p9_enc_begin(&w, m, sizeof(m), P9_RLOPEN, q->tag);
		put_qid(&w, 0, fid);
		p9_put32(&w, 0);
		break;
	case P9_TREAD:
		off = le64(b + 4);
		count = le32(b + 12);
		if (f == NULL || !f->used)
			return reply_err(fd, q->tag, EBADF);
		if (f->kind == 2 && off >= f->len)
			return reply_err(fd, q->tag, EIO);
		if (f->kind == 2)
			count = count > f->len - off ? (uint32_t)(f->len -
			    off) : count;
		else if (off >= f->len)
			count = 0;
		else if (count > f->len - off)
			count = (uint32_t)(f->len - off);
		if (pf->shortmax > 0 && count > pf->shortmax)
			count = pf->shortmax;
		p9_enc_begin(&w, m, sizeof(m), P9_RREAD, q->tag);
		p9_put32(&w, count);
		for (p = off; p < off + count; p++)
			p9_put8(&w, pat(p));
		break;
	case P9_TGETATTR:
		if (f == NULL || !f->used)
			return reply_err(fd, q->tag, EBADF);
		p9_enc_begin(&w, m, sizeof(m), P9_RGETATTR, q->tag);
		p9_put64(&w, P9_GETATTR_BASIC);
		put_qid(&w, f->kind == 3 ? 0x80 : 0, fid);
		p9_put32(&w, f->kind == 3 ? 040755 : 0100644);
		p9_put32(&w, 0);		/* uid */
		p9_put32(&w, 0);		/* gid */
		p9_put64(&w, 1);		/* nlink */
		p9_put64(&w, 0);		/* rdev */
		p9_put64(&w, f->kind == 3 ? 0 : f->len); /* size */
		for (i = 0; i < 12; i++)	/* blksize ... data_version */
			p9_put64(&w, 0);
		break;
	case P9_TCLUNK:
		if (f != NULL)
			f->used = 0;
		p9_enc_begin(&w, m, sizeof(m), P9_RCLUNK, q->tag);
		break;
	default:
		return reply_err(fd, q->tag, EOPNOTSUPP);
	}
	len = p9_enc_end(&w);
	if (len > 0)
		(void)!send(fd, m, (size_t)len, MSG_NOSIGNAL);
	return 0;
}

static void *
pfake_main(void *arg)
{
	struct pfake *pf = arg;
	static struct freq held[BATCH];
	unsigned char req[MSIZE + 64], m[64];
	struct pollfd pfd;
	struct p9_wbuf w;
	size_t nheld, len, i, j;
	uint16_t tag, last = 0;
	long mlen;
	int fd, one = 1;

	fd = accept(pf->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (get_msg(fd, req, sizeof(req)) == 0)	/* Tversion */
		goto out;
	p9_enc_begin(&w, m, sizeof(m), P9_RVERSION, P9_NOTAG);
	p9_put32(&w, MSIZE);
	p9_putstr(&w, "9P2000.L", 8);
	mlen = p9_enc_end(&w);
	(void)!send(fd, m, (size_t)mlen, MSG_NOSIGNAL);
	if (get_msg(fd, req, sizeof(req)) == 0)	/* Tattach */
		goto out;
	tag = (uint16_t)(req[5] | req[6] << 8);
	pf->fids[le32(req + 7)].used = 1;
	p9_enc_begin(&w, m, sizeof(m), P9_RATTACH, tag);
	put_qid(&w, 0x80, 1);
	mlen = p9_enc_end(&w);
	(void)!send(fd, m, (size_t)mlen, MSG_NOSIGNAL);
	for (;;) {
		/* Hold what comes until a pause, then answer backwards. */
		nheld = 0;
		pfd.fd = fd;
		pfd.events = POLLIN;
		while (nheld < BATCH && poll(&pfd, 1, nheld ? 2 : 5000) > 0) {
			if ((len = get_msg(fd, req, sizeof(req))) == 0)
				goto out;
			held[nheld].type = req[4];
			held[nheld].tag = tag = (uint16_t)(req[5] |
			    req[6] << 8);
			held[nheld].blen = len - 7 < sizeof(held[0].body) ?
			    len - 7 : sizeof(held[0].body);
			memcpy(held[nheld].body, req + 7, held[nheld].blen);
			if (tag == P9_NOTAG)
				pf->notag = 1;
			if (last >= 0xff00 && tag < 0x100)
				pf->wrapped = 1;
			last = tag;
			for (j = 0; j < nheld; j++)
				if (held[j].tag == tag)
					pf->dup_tag = 1;
			nheld++;
		}
		if (nheld == 0)
			goto out;
		if (nheld > pf->maxheld)
			pf->maxheld = nheld;
		for (i = nheld; i > 0; i--)
			(void)answer(pf, fd, &held[i - 1]);
	}
out:
	close(fd);
	return NULL;
}

static struct pfake *
pfake_start(uint32_t shortmax, char *addr, size_t len)
{
	struct pfake *pf = calloc(1, sizeof(*pf));
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	assert_non_null(pf);
	pf->shortmax = shortmax;
	pf->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(pf->lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(pf->lfd, (struct sockaddr *)&sa, sizeof(sa)),
	    0);
	assert_int_equal(getsockname(pf->lfd, (struct sockaddr *)&sa, &sl),
	    0);
	assert_int_equal(listen(pf->lfd, 4), 0);
	pf->port = ntohs(sa.sin_port);
	snprintf(addr, len, "127.0.0.1:%d", pf->port);
	assert_int_equal(pthread_create(&pf->th, NULL, pfake_main, pf), 0);
	return pf;
}

static void
pfake_stop(struct pfake *pf, struct p9_client *c)
{
	p9_close(c);		/* the fake sees EOF */
	shutdown(pf->lfd, SHUT_RDWR);
	pthread_join(pf->th, NULL);
	close(pf->lfd);
	free(pf);
}

static struct p9_client *
pconnect(const char *addr)
{
	struct p9_opts o = { .connect_ms = 2000, .reply_ms = 5000 };
	struct p9_client *c;
	char err[256];

	assert_int_equal(p9_connect(addr, "/x", &o, &c, err, sizeof(err)),
	    0);
	assert_int_equal(p9_msize(c), MSIZE);
	return c;
}

/* 1 when data is the pattern from offset off. */
static int
is_pat(const void *data, size_t len, uint64_t off)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(off + i))
			return 0;
	return 1;
}

/* Many files at once, answered backwards, with errors in the middle. */
static void
test_fetch_out_of_order(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, CHUNK - 1, CHUNK,
	    CHUNK + 1, 2 * CHUNK, 30000, 70000 };
	struct p9_fetch v[40];
	char names[40][32], addr[32];
	struct pfake *pf;
	struct p9_client *c;
	uint64_t ex;
	size_t i, n = 0, k;

	(void)state;
	pf = pfake_start(0, addr, sizeof(addr));
	c = pconnect(addr);
	for (k = 0; k < 3; k++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			snprintf(names[n], sizeof(names[n]), "d%zu/f%zu", k,
			    sizes[i]);
			n++;
		}
	/* errors in the middle of the batch */
	snprintf(names[n++], sizeof(names[0]), "missing");
	snprintf(names[n++], sizeof(names[0]), "x/denied");
	snprintf(names[n++], sizeof(names[0]), "a/b/missing/f9");
	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		v[i].path = names[(i * 7) % n];	/* a mixed order */
	ex = p9_exchanges(c);
	assert_int_equal(p9_fetch(c, v, n, 0), 0);
	for (i = 0; i < n; i++) {
		const char *p = v[i].path, *base = strrchr(p, '/');

		base = base ? base + 1 : p;
		if (strstr(p, "missing") != NULL) {
			assert_int_equal(v[i].rc, -ENOENT);
			assert_null(v[i].data);
		} else if (strcmp(base, "denied") == 0) {
			assert_int_equal(v[i].rc, -EACCES);
			assert_null(v[i].data);
		} else {
			assert_int_equal(v[i].rc, 0);
			assert_int_equal(v[i].len, strtoul(base + 1, NULL,
			    10));
			assert_true(is_pat(v[i].data, v[i].len, 0));
			assert_int_equal(v[i].data[v[i].len], '\0');
		}
	}
	/* walk, open and getattr, reads up to each size, clunk */
	assert_int_equal(p9_exchanges(c) - ex, 4);
	assert_true(pf->maxheld >= n - 3);	/* they were in flight at once */
	assert_false(pf->dup_tag);
	assert_false(p9_dead(c));
	p9_fetch_free(v, n);
	/* every fid was clunked: the next one taken is 1 */
	{
		p9_fid fid;

		assert_int_equal(p9_walk(c, p9_root(c), "f1", &fid), 0);
		assert_int_equal(fid, 1);
		assert_int_equal(p9_clunk(c, fid), 0);
	}
	pfake_stop(pf, c);
}

/* One large read split into chunks in flight together. */
static void
test_read_chunks(void **state)
{
	struct p9_client *c;
	struct pfake *pf;
	unsigned char *buf;
	char addr[32];
	p9_fid fid;
	uint64_t ex;

	(void)state;
	pf = pfake_start(0, addr, sizeof(addr));
	c = pconnect(addr);
	buf = malloc(100000);
	assert_non_null(buf);
	assert_int_equal(p9_walk(c, p9_root(c), "f1000000", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, 0, NULL), 0);
	ex = p9_exchanges(c);
	assert_int_equal(p9_read(c, fid, 1234, buf, 100000), 100000);
	assert_int_equal(p9_exchanges(c) - ex, 1);
	assert_true(pf->maxheld >= 100000 / CHUNK);
	assert_true(is_pat(buf, 100000, 1234));
	/* the end of the file: a short chunk, the rest empty */
	assert_int_equal(p9_read(c, fid, 1000000 - 5000, buf, 100000), 5000);
	assert_true(is_pat(buf, 5000, 1000000 - 5000));
	assert_int_equal(p9_clunk(c, fid), 0);
	free(buf);
	pfake_stop(pf, c);
}

/* Rlerror for one chunk of a batch: the bytes before it, then the error;
 * the connection lives on. */
static void
test_rerror_mid_batch(void **state)
{
	struct p9_client *c;
	struct pfake *pf;
	unsigned char buf[50000];
	char addr[32];
	p9_fid fid;

	(void)state;
	pf = pfake_start(0, addr, sizeof(addr));
	c = pconnect(addr);
	assert_int_equal(p9_walk(c, p9_root(c), "bad20000", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, 0, NULL), 0);
	/* chunks 0 and 1 whole, chunk 2 partly, chunks 3..6 EIO */
	assert_int_equal(p9_read(c, fid, 0, buf, sizeof(buf)), 20000);
	assert_true(is_pat(buf, 20000, 0));
	assert_int_equal(p9_read(c, fid, 20000, buf, sizeof(buf)), -EIO);
	assert_false(p9_dead(c));
	assert_int_equal(p9_clunk(c, fid), 0);
	pfake_stop(pf, c);
}

/* Tags wrap around 0xfffe without NOTAG and without two in flight. */
static void
test_tag_reuse(void **state)
{
	struct p9_fetch v[64];
	struct p9_client *c;
	struct pfake *pf;
	char addr[32], *data;
	size_t i, len;
	int round;

	(void)state;
	pf = pfake_start(0, addr, sizeof(addr));
	c = pconnect(addr);
	for (round = 0; round < 1100; round++) {
		memset(v, 0, sizeof(v));
		for (i = 0; i < 64; i++)
			v[i].path = "missing";
		assert_int_equal(p9_fetch(c, v, 64, 0), 0);
		for (i = 0; i < 64; i++)
			assert_int_equal(v[i].rc, -ENOENT);
	}
	assert_true(p9_round_trips(c) > 70000);
	assert_int_equal(p9_read_file(c, "f5000", &data, &len), 0);
	assert_int_equal(len, 5000);
	assert_true(is_pat(data, len, 0));
	free(data);
	assert_true(pf->wrapped);
	assert_false(pf->notag);
	assert_false(pf->dup_tag);
	pfake_stop(pf, c);
}

/* Every Rread cut to 1000 bytes: whole files still come whole. */
static void
test_short_reads(void **state)
{
	struct p9_fetch v[3] = { { .path = "f20000" }, { .path = "f999" },
	    { .path = "f0" } };
	struct p9_client *c;
	struct pfake *pf;
	unsigned char buf[20000];
	char addr[32];
	p9_fid fid;

	(void)state;
	pf = pfake_start(1000, addr, sizeof(addr));
	c = pconnect(addr);
	assert_int_equal(p9_fetch(c, v, 3, 0), 0);
	assert_int_equal(v[0].rc, 0);
	assert_int_equal(v[0].len, 20000);
	assert_true(is_pat(v[0].data, 20000, 0));
	assert_int_equal(v[1].rc, 0);
	assert_int_equal(v[1].len, 999);
	assert_true(is_pat(v[1].data, 999, 0));
	assert_int_equal(v[2].rc, 0);
	assert_int_equal(v[2].len, 0);
	p9_fetch_free(v, 3);
	/* a bound: more than max bytes is -EFBIG */
	v[0].path = "f20000";
	assert_int_equal(p9_fetch(c, v, 1, 5000), 0);
	assert_int_equal(v[0].rc, -EFBIG);
	assert_null(v[0].data);
	/* p9_read stops at the first short chunk, as read(2) may */
	assert_int_equal(p9_walk(c, p9_root(c), "f20000", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, 0, NULL), 0);
	assert_int_equal(p9_read(c, fid, 3000, buf, sizeof(buf)), 1000);
	assert_true(is_pat(buf, 1000, 3000));
	assert_int_equal(p9_clunk(c, fid), 0);
	pfake_stop(pf, c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_out_of_order),
		cmocka_unit_test(test_read_chunks),
		cmocka_unit_test(test_rerror_mid_batch),
		cmocka_unit_test(test_tag_reuse),
		cmocka_unit_test(test_short_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
