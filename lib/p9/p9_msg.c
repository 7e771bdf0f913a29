/*
 * p9_msg.c: the 9P2000.L wire format: requests are built in a bounded
 * buffer, replies are decoded by one checked decoder that never reads
 * outside the message (every field's length is checked against what is
 * left before it is read) and requires each body to be exactly the
 * fields of its type.  No I/O and no allocation here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* SOCK_CLOEXEC, O_DIRECT, O_NOATIME */
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "p9_msg.h"

/* Little-endian loads from a buffer whose bounds were checked. */
static uint16_t
ld16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t
ld32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
ld64(const unsigned char *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

/* A reply body being read: every get checks what is left first. */
struct p9_rbuf {
	const unsigned char *p;	/* the body */
	size_t len;		/* its length */
	size_t pos;		/* bytes consumed */
	int err;		/* set once a field did not fit */
};

/* Take n bytes, or NULL (and err) when fewer are left. */
static const unsigned char *
take(struct p9_rbuf *b, size_t n)
{
	const unsigned char *q;

	if (b->err || n > b->len - b->pos) {
		b->err = 1;
		return NULL;
	}
	q = b->p + b->pos;
	b->pos += n;
	return q;
}

static uint8_t
get8(struct p9_rbuf *b)
{
	const unsigned char *q = take(b, 1);

	return q ? q[0] : 0;
}

static uint32_t
get32(struct p9_rbuf *b)
{
	const unsigned char *q = take(b, 4);

	return q ? ld32(q) : 0;
}

static uint64_t
get64(struct p9_rbuf *b)
{
	const unsigned char *q = take(b, 8);

	return q ? ld64(q) : 0;
}

/* A string: *s points at its bytes inside the body. */
static void
getstr(struct p9_rbuf *b, const char **s, uint16_t *len)
{
	const unsigned char *q = take(b, 2);
	uint16_t n = q ? ld16(q) : 0;

	q = take(b, n);
	*s = q ? (const char *)q : NULL;
	*len = q ? n : 0;
}

static void
getqid(struct p9_rbuf *b, struct p9_qid *qid)
{
	qid->type = get8(b);
	qid->version = get32(b);
	qid->path = get64(b);
}

int
p9_dirent_next(const unsigned char *data, size_t len, size_t *pos,
    struct p9_rdirent *d)
{
	struct p9_rbuf b = { data, len, *pos, 0 };

	if (*pos >= len)
		return 0;
	getqid(&b, &d->qid);
	d->offset = get64(&b);
	d->type = get8(&b);
	getstr(&b, &d->name, &d->namelen);
	if (b.err || d->namelen == 0 ||
	    memchr(d->name, '/', d->namelen) != NULL ||
	    memchr(d->name, '\0', d->namelen) != NULL)
		return -EPROTO;
	*pos = b.pos;
	return 1;
}

/* Rgetattr: valid qid mode uid gid nlink rdev size blksize blocks
 * atime mtime ctime btime gen data_version (sec, nsec each). */
static void
getattr_body(struct p9_rbuf *b, struct p9_reply *r)
{
	struct p9_stat *st = &r->st;
	struct p9_qid qid;

	r->valid = get64(b);
	getqid(b, &qid);
	st->qtype = qid.type;
	st->qpath = qid.path;
	st->mode = get32(b);
	st->uid = get32(b);
	st->gid = get32(b);
	st->nlink = get64(b);
	st->rdev = get64(b);
	st->size = get64(b);
	st->blksize = get64(b);
	st->blocks = get64(b);
	st->atime_sec = (int64_t)get64(b);
	st->atime_nsec = (uint32_t)get64(b);
	st->mtime_sec = (int64_t)get64(b);
	st->mtime_nsec = (uint32_t)get64(b);
	st->ctime_sec = (int64_t)get64(b);
	st->ctime_nsec = (uint32_t)get64(b);
	(void)get64(b);		/* btime_sec */
	(void)get64(b);		/* btime_nsec */
	(void)get64(b);		/* gen */
	(void)get64(b);		/* data_version */
}

int
p9_msg_decode_body(uint8_t type, const unsigned char *body, size_t len,
    struct p9_reply *r)
{
	static const unsigned char none[1];
	struct p9_rbuf b = { body ? body : none, body ? len : 0, 0, 0 };
	const unsigned char *q;
	size_t pos;
	struct p9_rdirent d;
	int rc;
	unsigned i;

	r->type = type;
	switch (type) {
	case P9_RLERROR:
		r->ecode = get32(&b);
		break;
	case P9_RVERSION:
		r->msize = get32(&b);
		getstr(&b, &r->str, &r->slen);
		break;
	case P9_RAUTH:
	case P9_RATTACH:
	case P9_RMKDIR:
	case P9_RSYMLINK:
		getqid(&b, &r->qid);
		break;
	case P9_RLOPEN:
	case P9_RLCREATE:
		getqid(&b, &r->qid);
		r->iounit = get32(&b);
		break;
	case P9_RWALK:
		q = take(&b, 2);
		r->nwqid = q ? ld16(q) : 0;
		if (r->nwqid > P9_MAXWELEM)
			return -EPROTO;
		for (i = 0; i < r->nwqid; i++)
			getqid(&b, &r->wqid[i]);
		break;
	case P9_RGETATTR:
		getattr_body(&b, r);
		break;
	case P9_RREAD:
	case P9_RREADDIR:
		r->count = get32(&b);
		r->data = take(&b, r->count);
		if (b.err || type == P9_RREAD)
			break;
		/* Every entry must be whole and inside the data. */
		pos = 0;
		while ((rc = p9_dirent_next(r->data, r->count, &pos, &d)) > 0)
			;
		if (rc < 0)
			return -EPROTO;
		break;
	case P9_RWRITE:
		r->count = get32(&b);
		break;
	case P9_RREADLINK:
		getstr(&b, &r->str, &r->slen);
		if (!b.err && memchr(r->str, '\0', r->slen) != NULL)
			return -EPROTO;
		break;
	case P9_RSETATTR:
	case P9_RCLUNK:
	case P9_RREMOVE:
	case P9_RFLUSH:
	case P9_RFSYNC:
	case P9_RUNLINKAT:
	case P9_RRENAMEAT:
	case P9_RRENAME:
	case P9_RLINK:
		break;
	default:
		return -EPROTO;
	}
	/* Every field inside the body, and nothing after the last one. */
	if (b.err || b.pos != b.len)
		return -EPROTO;
	return 0;
}

int
p9_msg_decode(const unsigned char *buf, size_t len, struct p9_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (buf == NULL || len < P9_HDRSZ)
		return -EPROTO;
	r->size = ld32(buf);
	if (r->size != len)
		return -EPROTO;
	r->tag = ld16(buf + 5);
	return p9_msg_decode_body(buf[4], buf + P9_HDRSZ, len - P9_HDRSZ, r);
}

int
p9_msg_check(const unsigned char *buf, size_t len)
{
	struct p9_reply r;

	return p9_msg_decode(buf, len, &r);
}

const char *
p9_type_name(uint8_t type)
{
	static const struct {
		uint8_t type;		/* the T message; its reply is + 1 */
		const char *t, *r;	/* their names */
	} names[] = {
		{ P9_TLERROR, "Tlerror", "Rlerror" },
		{ P9_TSTATFS, "Tstatfs", "Rstatfs" },
		{ P9_TLOPEN, "Tlopen", "Rlopen" },
		{ P9_TLCREATE, "Tlcreate", "Rlcreate" },
		{ P9_TSYMLINK, "Tsymlink", "Rsymlink" },
		{ P9_TMKNOD, "Tmknod", "Rmknod" },
		{ P9_TRENAME, "Trename", "Rrename" },
		{ P9_TREADLINK, "Treadlink", "Rreadlink" },
		{ P9_TGETATTR, "Tgetattr", "Rgetattr" },
		{ P9_TSETATTR, "Tsetattr", "Rsetattr" },
		{ P9_TXATTRWALK, "Txattrwalk", "Rxattrwalk" },
		{ P9_TXATTRCREATE, "Txattrcreate", "Rxattrcreate" },
		{ P9_TREADDIR, "Treaddir", "Rreaddir" },
		{ P9_TFSYNC, "Tfsync", "Rfsync" },
		{ P9_TLOCK, "Tlock", "Rlock" },
		{ P9_TGETLOCK, "Tgetlock", "Rgetlock" },
		{ P9_TLINK, "Tlink", "Rlink" },
		{ P9_TMKDIR, "Tmkdir", "Rmkdir" },
		{ P9_TRENAMEAT, "Trenameat", "Rrenameat" },
		{ P9_TUNLINKAT, "Tunlinkat", "Runlinkat" },
		{ P9_TVERSION, "Tversion", "Rversion" },
		{ P9_TAUTH, "Tauth", "Rauth" },
		{ P9_TATTACH, "Tattach", "Rattach" },
		{ P9_TFLUSH, "Tflush", "Rflush" },
		{ P9_TWALK, "Twalk", "Rwalk" },
		{ P9_TREAD, "Tread", "Rread" },
		{ P9_TWRITE, "Twrite", "Rwrite" },
		{ P9_TCLUNK, "Tclunk", "Rclunk" },
		{ P9_TREMOVE, "Tremove", "Rremove" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (type == names[i].type)
			return names[i].t;
		if (type == names[i].type + 1)
			return names[i].r;
	}
	return "unknown message";
}

/* ---- encoding ---- */

void
p9_enc_begin(struct p9_wbuf *w, unsigned char *buf, size_t cap,
    uint8_t type, uint16_t tag)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
	p9_put32(w, 0);		/* size, set by p9_enc_end */
	p9_put8(w, type);
	p9_put16(w, tag);
}

/* Room for n more bytes, or NULL (and err). */
static unsigned char *
room(struct p9_wbuf *w, size_t n)
{
	unsigned char *q;

	if (w->err || n > w->cap - w->len) {
		if (!w->err)
			w->err = -EMSGSIZE;
		return NULL;
	}
	q = w->buf + w->len;
	w->len += n;
	return q;
}

void
p9_put8(struct p9_wbuf *w, uint8_t v)
{
	unsigned char *q = room(w, 1);

	if (q)
		q[0] = v;
}

void
p9_put16(struct p9_wbuf *w, uint16_t v)
{
	unsigned char *q = room(w, 2);

	if (q) {
		q[0] = (unsigned char)v;
		q[1] = (unsigned char)(v >> 8);
	}
}

void
p9_put32(struct p9_wbuf *w, uint32_t v)
{
	unsigned char *q = room(w, 4);
	int i;

	for (i = 0; q && i < 4; i++)
		q[i] = (unsigned char)(v >> (8 * i));
}

void
p9_put64(struct p9_wbuf *w, uint64_t v)
{
	unsigned char *q = room(w, 8);
	int i;

	for (i = 0; q && i < 8; i++)
		q[i] = (unsigned char)(v >> (8 * i));
}

void
p9_putbytes(struct p9_wbuf *w, const void *p, size_t len)
{
	unsigned char *q = room(w, len);

	if (q && len > 0)
		memcpy(q, p, len);
}

void
p9_putstr(struct p9_wbuf *w, const char *s, size_t len)
{
	if (len > 0xffff) {
		if (!w->err)
			w->err = -ENAMETOOLONG;
		return;
	}
	p9_put16(w, (uint16_t)len);
	p9_putbytes(w, s, len);
}

long
p9_enc_end(struct p9_wbuf *w)
{
	size_t i;

	if (w->err)
		return w->err;
	if (w->len > 0xffffffffu)
		return -EMSGSIZE;
	for (i = 0; i < 4; i++)
		w->buf[i] = (unsigned char)(w->len >> (8 * i));
	return (long)w->len;
}

/* A C string as a 9P string. */
static void
putcstr(struct p9_wbuf *w, const char *s)
{
	p9_putstr(w, s ? s : "", s ? strlen(s) : 0);
}

long
p9_enc_version(unsigned char *buf, size_t cap, uint32_t msize,
    const char *version)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TVERSION, P9_NOTAG);
	p9_put32(&w, msize);
	putcstr(&w, version);
	return p9_enc_end(&w);
}

long
p9_enc_attach(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t afid, const char *uname, const char *aname, uint32_t n_uname)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TATTACH, tag);
	p9_put32(&w, fid);
	p9_put32(&w, afid);
	putcstr(&w, uname);
	putcstr(&w, aname);
	p9_put32(&w, n_uname);
	return p9_enc_end(&w);
}

long
p9_enc_walk(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t newfid, unsigned n, const char *const *names,
    const size_t *lens)
{
	struct p9_wbuf w;
	unsigned i;

	if (n > P9_MAXWELEM)
		return -EINVAL;
	p9_enc_begin(&w, buf, cap, P9_TWALK, tag);
	p9_put32(&w, fid);
	p9_put32(&w, newfid);
	p9_put16(&w, (uint16_t)n);
	for (i = 0; i < n; i++)
		p9_putstr(&w, names[i], lens[i]);
	return p9_enc_end(&w);
}

long
p9_enc_fid(unsigned char *buf, size_t cap, uint8_t type, uint16_t tag,
    uint32_t fid)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, type, tag);
	p9_put32(&w, fid);
	return p9_enc_end(&w);
}

long
p9_enc_getattr(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint64_t mask)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TGETATTR, tag);
	p9_put32(&w, fid);
	p9_put64(&w, mask);
	return p9_enc_end(&w);
}

long
p9_enc_setattr(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t valid, const struct p9_stat *st)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TSETATTR, tag);
	p9_put32(&w, fid);
	p9_put32(&w, valid);
	p9_put32(&w, st->mode);
	p9_put32(&w, st->uid);
	p9_put32(&w, st->gid);
	p9_put64(&w, st->size);
	p9_put64(&w, (uint64_t)st->atime_sec);
	p9_put64(&w, st->atime_nsec);
	p9_put64(&w, (uint64_t)st->mtime_sec);
	p9_put64(&w, st->mtime_nsec);
	return p9_enc_end(&w);
}

long
p9_enc_lopen(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t flags)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TLOPEN, tag);
	p9_put32(&w, fid);
	p9_put32(&w, flags);
	return p9_enc_end(&w);
}

long
p9_enc_lcreate(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    const char *name, uint32_t flags, uint32_t mode, uint32_t gid)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TLCREATE, tag);
	p9_put32(&w, fid);
	putcstr(&w, name);
	p9_put32(&w, flags);
	p9_put32(&w, mode);
	p9_put32(&w, gid);
	return p9_enc_end(&w);
}

long
p9_enc_read(unsigned char *buf, size_t cap, uint8_t type, uint16_t tag,
    uint32_t fid, uint64_t off, uint32_t count)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, type, tag);
	p9_put32(&w, fid);
	p9_put64(&w, off);
	p9_put32(&w, count);
	return p9_enc_end(&w);
}

long
p9_enc_write(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint64_t off, const void *data, uint32_t count)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TWRITE, tag);
	p9_put32(&w, fid);
	p9_put64(&w, off);
	p9_put32(&w, count);
	p9_putbytes(&w, data, count);
	return p9_enc_end(&w);
}

long
p9_enc_mkdir(unsigned char *buf, size_t cap, uint16_t tag, uint32_t dfid,
    const char *name, uint32_t mode, uint32_t gid)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TMKDIR, tag);
	p9_put32(&w, dfid);
	putcstr(&w, name);
	p9_put32(&w, mode);
	p9_put32(&w, gid);
	return p9_enc_end(&w);
}

long
p9_enc_symlink(unsigned char *buf, size_t cap, uint16_t tag, uint32_t dfid,
    const char *name, const char *target, uint32_t gid)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TSYMLINK, tag);
	p9_put32(&w, dfid);
	putcstr(&w, name);
	putcstr(&w, target);
	p9_put32(&w, gid);
	return p9_enc_end(&w);
}

long
p9_enc_unlinkat(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t dfid, const char *name, uint32_t flags)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TUNLINKAT, tag);
	p9_put32(&w, dfid);
	putcstr(&w, name);
	p9_put32(&w, flags);
	return p9_enc_end(&w);
}

long
p9_enc_renameat(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t olddfid, const char *oldname, uint32_t newdfid,
    const char *newname)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TRENAMEAT, tag);
	p9_put32(&w, olddfid);
	putcstr(&w, oldname);
	p9_put32(&w, newdfid);
	putcstr(&w, newname);
	return p9_enc_end(&w);
}

long
p9_enc_rename(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t newdfid, const char *newname)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TRENAME, tag);
	p9_put32(&w, fid);
	p9_put32(&w, newdfid);
	putcstr(&w, newname);
	return p9_enc_end(&w);
}

long
p9_enc_fsync(unsigned char *buf, size_t cap, uint16_t tag, uint32_t fid,
    uint32_t datasync)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, buf, cap, P9_TFSYNC, tag);
	p9_put32(&w, fid);
	p9_put32(&w, datasync);
	return p9_enc_end(&w);
}

uint32_t
p9_dotl_flags(int flags)
{
	/* The 9P2000.L values are Linux's generic (x86) ones. */
	static const struct {
		int host;		/* this host's O_* bit */
		uint32_t wire;		/* its 9P2000.L value */
	} map[] = {
		{ O_CREAT, 00000100 }, { O_EXCL, 00000200 },
		{ O_NOCTTY, 00000400 }, { O_TRUNC, 00001000 },
		{ O_APPEND, 00002000 }, { O_NONBLOCK, 00004000 },
		{ O_DSYNC, 00010000 }, { O_DIRECTORY, 00200000 },
		{ O_NOFOLLOW, 00400000 }, { O_SYNC, 04010000 },
#ifdef O_DIRECT
		{ O_DIRECT, 00040000 },
#endif
#ifdef O_NOATIME
		{ O_NOATIME, 01000000 },
#endif
	};
	uint32_t wire = (uint32_t)(flags & O_ACCMODE);
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((flags & map[i].host) == map[i].host)
			wire |= map[i].wire;
	return wire;
}
