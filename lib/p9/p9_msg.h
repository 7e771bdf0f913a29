/*
 * p9_msg.h: the 9P2000.L wire format in one place (private to p9_*.c and
 * their tests): message type numbers, a bounded request encoder and a
 * checked reply decoder.  The decoder never reads outside the buffer it
 * is given and points into it (no copies); the client and the fuzz
 * harness both go through it.
 *
 * A message is size[4] type[1] tag[2] body, little-endian; a string is
 * len[2] bytes (no NUL); a qid is type[1] version[4] path[8].
 */
#ifndef P9_MSG_H
#define P9_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "p9.h"

#define P9_HDRSZ 7		/* size[4] type[1] tag[2] */
#define P9_IOHDRSZ 24		/* room kept for a Tread/Twrite header */
#define P9_READDIRHDRSZ 24	/* room kept for an Rreaddir header */
#define P9_QIDSZ 13		/* type[1] version[4] path[8] */
#define P9_MAXWELEM 16		/* names per Twalk */
#define P9_MINMSIZE 4096	/* the smallest msize we accept */
#define P9_NOTAG 0xffffu	/* the tag of Tversion */
#define P9_VERSION "9P2000.L"
#define P9_GETATTR_BASIC 0x7ffull /* Tgetattr: every field of struct stat */

/* Message types: T is a request, R = T + 1 its reply. */
enum p9_type {
	P9_TLERROR = 6, P9_RLERROR,
	P9_TSTATFS = 8, P9_RSTATFS,
	P9_TLOPEN = 12, P9_RLOPEN,
	P9_TLCREATE = 14, P9_RLCREATE,
	P9_TSYMLINK = 16, P9_RSYMLINK,
	P9_TMKNOD = 18, P9_RMKNOD,
	P9_TRENAME = 20, P9_RRENAME,
	P9_TREADLINK = 22, P9_RREADLINK,
	P9_TGETATTR = 24, P9_RGETATTR,
	P9_TSETATTR = 26, P9_RSETATTR,
	P9_TXATTRWALK = 30, P9_RXATTRWALK,
	P9_TXATTRCREATE = 32, P9_RXATTRCREATE,
	P9_TREADDIR = 40, P9_RREADDIR,
	P9_TFSYNC = 50, P9_RFSYNC,
	P9_TLOCK = 52, P9_RLOCK,
	P9_TGETLOCK = 54, P9_RGETLOCK,
	P9_TLINK = 70, P9_RLINK,
	P9_TMKDIR = 72, P9_RMKDIR,
	P9_TRENAMEAT = 74, P9_RRENAMEAT,
	P9_TUNLINKAT = 76, P9_RUNLINKAT,
	P9_TVERSION = 100, P9_RVERSION,
	P9_TAUTH = 102, P9_RAUTH,
	P9_TATTACH = 104, P9_RATTACH,
	P9_TFLUSH = 108, P9_RFLUSH,
	P9_TWALK = 110, P9_RWALK,
	P9_TREAD = 116, P9_RREAD,
	P9_TWRITE = 118, P9_RWRITE,
	P9_TCLUNK = 120, P9_RCLUNK,
	P9_TREMOVE = 122, P9_RREMOVE,
};

/* A qid: the server's identity of a file. */
struct p9_qid {
	uint8_t type;		/* P9_QT*: 0x80 dir, 0x02 symlink, 0 file */
	uint32_t version;	/* changes with the file (often 0) */
	uint64_t path;		/* unique per file on the server */
};

/*
 * A decoded reply.  Only the fields of its type are set; pointers point
 * into the buffer that was decoded and live as long as it does.
 */
struct p9_reply {
	uint32_t size;		/* the size field: the whole message */
	uint8_t type;		/* P9_R* */
	uint16_t tag;		/* the request's tag */
	uint32_t ecode;		/* Rlerror: the errno */
	uint32_t msize;		/* Rversion: the server's msize */
	const char *str;	/* Rversion version, Rreadlink target */
	uint16_t slen;		/* its length (not NUL-terminated) */
	struct p9_qid qid;	/* Rattach Rauth Rlopen Rlcreate Rmkdir
				 * Rsymlink */
	uint32_t iounit;	/* Rlopen Rlcreate: 0 or the best I/O size */
	uint16_t nwqid;		/* Rwalk: qids walked (<= P9_MAXWELEM) */
	struct p9_qid wqid[P9_MAXWELEM]; /* Rwalk: one per name walked */
	uint64_t valid;		/* Rgetattr: which fields are set */
	struct p9_stat st;	/* Rgetattr: the attributes */
	uint32_t count;		/* Rread Rreaddir: data bytes; Rwrite:
				 * bytes written */
	const unsigned char *data; /* Rread Rreaddir: count bytes */
};

/* A directory entry inside Rreaddir data. */
struct p9_rdirent {
	struct p9_qid qid;	/* the entry's qid */
	uint64_t offset;	/* cookie to continue after it */
	uint8_t type;		/* DT_* */
	const char *name;	/* points into the data, not NUL-terminated */
	uint16_t namelen;	/* 1..65535 bytes, no '/' and no NUL */
};

/*
 * Decode buf[0..len), exactly one reply message, into *r.  Checks the
 * size field (== len, >= 7), the type (a known R-message) and that the
 * body has exactly the fields of that type, each inside the message.
 * Returns 0 or -EPROTO.
 */
int p9_msg_decode(const unsigned char *buf, size_t len, struct p9_reply *r);
/*
 * Decode only a body (what follows the 7-byte header) as reply type
 * type; the same checks.  Returns 0 or -EPROTO.
 */
int p9_msg_decode_body(uint8_t type, const unsigned char *body, size_t len,
    struct p9_reply *r);
/*
 * Next entry of Rreaddir data[0..len) at *pos: returns 1 with *d set and
 * *pos advanced, 0 at the end, -EPROTO when the entry is malformed.
 */
int p9_dirent_next(const unsigned char *data, size_t len, size_t *pos,
    struct p9_rdirent *d);
/* The name of a message type ("Tversion", "Rlerror"), for messages. */
const char *p9_type_name(uint8_t type);

/*
 * A request being built in a caller's buffer.  Every put is bounded by
 * cap; once something did not fit, err is set and p9_enc_end fails.
 */
struct p9_wbuf {
	unsigned char *buf;	/* the message */
	size_t cap;		/* its capacity (the msize) */
	size_t len;		/* bytes so far */
	int err;		/* 0, or -EMSGSIZE once a put overflowed */
};

void p9_enc_begin(struct p9_wbuf *w, unsigned char *buf, size_t cap,
    uint8_t type, uint16_t tag);
void p9_put8(struct p9_wbuf *w, uint8_t v);
void p9_put16(struct p9_wbuf *w, uint16_t v);
void p9_put32(struct p9_wbuf *w, uint32_t v);
void p9_put64(struct p9_wbuf *w, uint64_t v);
/* A string of len bytes (len > 65535 sets -ENAMETOOLONG). */
void p9_putstr(struct p9_wbuf *w, const char *s, size_t len);
void p9_putbytes(struct p9_wbuf *w, const void *p, size_t len);
/* Write the size field; returns the message length or a negative errno. */
long p9_enc_end(struct p9_wbuf *w);

/* The requests (each returns the message length or a negative errno). */
long p9_enc_version(unsigned char *buf, size_t cap, uint32_t msize,
    const char *version);
long p9_enc_attach(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t afid, const char *uname, const char *aname,
    uint32_t n_uname);
/* Twalk of n names (n <= P9_MAXWELEM), name i being lens[i] bytes. */
long p9_enc_walk(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t newfid, unsigned n, const char *const *names,
    const size_t *lens);
long p9_enc_fid(unsigned char *buf, size_t cap, uint8_t type,
    uint16_t tag, uint32_t fid);	/* Tclunk Tremove Treadlink */
long p9_enc_getattr(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint64_t mask);
long p9_enc_setattr(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t valid, const struct p9_stat *st);
long p9_enc_lopen(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t flags);
long p9_enc_lcreate(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, const char *name, uint32_t flags, uint32_t mode,
    uint32_t gid);
/* Tread and Treaddir (same layout: fid offset count). */
long p9_enc_read(unsigned char *buf, size_t cap, uint8_t type,
    uint16_t tag, uint32_t fid, uint64_t off, uint32_t count);
long p9_enc_write(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint64_t off, const void *data, uint32_t count);
long p9_enc_mkdir(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t dfid, const char *name, uint32_t mode, uint32_t gid);
long p9_enc_symlink(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t dfid, const char *name, const char *target, uint32_t gid);
long p9_enc_unlinkat(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t dfid, const char *name, uint32_t flags);
long p9_enc_renameat(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t olddfid, const char *oldname, uint32_t newdfid,
    const char *newname);
long p9_enc_rename(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t newdfid, const char *newname);
long p9_enc_fsync(unsigned char *buf, size_t cap, uint16_t tag,
    uint32_t fid, uint32_t datasync);

/* Linux open(2) flags of this host to the 9P2000.L wire values. */
uint32_t p9_dotl_flags(int flags);

#endif
