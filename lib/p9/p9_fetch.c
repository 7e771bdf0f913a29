/*
 * p9_fetch.c: whole files and directories by path, many at once (p9_fetch),
 * and the conveniences built on it (p9_read_file, p9_list) or on single
 * calls (p9_write_file).
 *
 * A batch goes in phases, each one pipelined exchange (p9_pipe.h) holding
 * that step of every entry still going: walk (again for paths of more than
 * P9_MAXWELEM names), open (a file's Tgetattr beside its Tlopen: both only
 * need the walked fid), read, clunk.  Steps that depend on each other are
 * never in the same exchange, since the server may run an exchange's
 * requests in any order.  A file's read phase asks for every chunk up to
 * the size Tgetattr said and one read at that size, which should come back
 * empty: a file ends only at an empty read at the offset reached, so a file
 * that was not the size it said, or a server that answers short, costs
 * another phase from where the bytes stopped (two reads, then eight, when
 * the size is unknown).  A directory's Treaddir goes one at a time (each
 * continues from the cookie of the last).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "p9.h"
#include "p9_msg.h"
#include "p9_pipe.h"

#define FIRST_READS 2		/* reads per file in the first read phase
				 * when its size is unknown */
#define MORE_READS 8		/* ... in later ones */
#define MAX_READS 256		/* reads per file in one phase at most */

/* Where an entry of the batch stands. */
enum ent_state {
	E_WALK,			/* walking toward the path */
	E_OPEN,			/* walked: open it next */
	E_READ,			/* open: reading */
	E_DONE,			/* finished (v->rc says how) */
};

/* An entry of the batch, as p9_fetch works on it. */
struct ent {
	struct p9_fetch *v;	/* the caller's entry */
	enum ent_state state;	/* where it stands */
	p9_fid fid;		/* its fid */
	int taken;		/* fid taken from the table */
	int live;		/* fid exists on the server: clunk it */
	const char *next;	/* walking: the rest of the path */
	uint32_t chunk;		/* bytes per read request */
	uint64_t off;		/* file: bytes read; directory: the cookie */
	uint64_t size;		/* file: the size Tgetattr said */
	int sized;		/* size is known */
	char *buf;		/* the data so far */
	size_t len, cap;	/* its bytes and room */
};

/* One request of a phase. */
struct req {
	struct ent *e;		/* the entry it is for */
	unsigned k;		/* the k-th request of its entry this phase
				 * (open: 0 Tlopen, 1 Tgetattr) */
	uint64_t off;		/* file read: the offset */
	unsigned nn;		/* walk: names in this step */
	const char *end;	/* walk: the path after them */
	uint32_t want;		/* read: bytes asked */
	int rc;			/* its result */
	unsigned char *seg;	/* file read: the bytes that came */
	uint32_t got;		/* ... how many */
};

/* A phase: its requests and the client. */
struct phase {
	struct p9_client *c;	/* the client */
	enum ent_state what;	/* walk, open, read, or E_DONE: clunk */
	struct req *r;		/* its requests */
	size_t n;		/* how many */
};

/* Make room for more bytes in e's buffer (and a NUL); 0 or -ENOMEM. */
static int
ent_room(struct ent *e, size_t more)
{
	size_t cap = e->cap ? e->cap : 256;
	char *nb;

	while (cap - e->len < more + 1) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	if (cap == e->cap)
		return 0;
	if ((nb = realloc(e->buf, cap)) == NULL)
		return -ENOMEM;
	e->buf = nb;
	e->cap = cap;
	return 0;
}

/* The names of the next walk step of e: count, and where they end. */
static unsigned
walk_names(const char *p, const char **names, size_t *lens, const char **end)
{
	unsigned n = 0;
	size_t len;

	p += strspn(p, "/");
	while (n < P9_MAXWELEM && *p != '\0') {
		len = strcspn(p, "/");
		names[n] = p;
		lens[n++] = len;
		p += len;
		p += strspn(p, "/");
	}
	*end = p;
	return n;
}

static long
phase_enc(void *arg, size_t i, unsigned char *buf, size_t cap, uint16_t tag,
    uint8_t *rtype)
{
	struct phase *ph = arg;
	struct req *q = &ph->r[i];
	struct ent *e = q->e;
	const char *names[P9_MAXWELEM];
	size_t lens[P9_MAXWELEM];

	switch (ph->what) {
	case E_WALK:
		*rtype = P9_RWALK;
		q->nn = walk_names(e->next, names, lens, &q->end);
		return p9_enc_walk(buf, cap, tag, e->live ? e->fid :
		    p9_root(ph->c), e->fid, q->nn, names, lens);
	case E_OPEN:
		if (q->k == 1) {
			*rtype = P9_RGETATTR;
			return p9_enc_getattr(buf, cap, tag, e->fid,
			    P9_GETATTR_BASIC);
		}
		*rtype = P9_RLOPEN;
		return p9_enc_lopen(buf, cap, tag, e->fid, p9_dotl_flags(
		    e->v->dir ? O_RDONLY | O_DIRECTORY : O_RDONLY));
	case E_READ:
		if (e->v->dir) {
			*rtype = P9_RREADDIR;
			return p9_enc_read(buf, cap, P9_TREADDIR, tag, e->fid,
			    e->off, q->want);
		}
		*rtype = P9_RREAD;
		return p9_enc_read(buf, cap, P9_TREAD, tag, e->fid, q->off,
		    q->want);
	default:
		*rtype = P9_RCLUNK;
		return p9_enc_fid(buf, cap, P9_TCLUNK, tag, e->fid);
	}
}

/* A Rreaddir's entries into e's listing; 0 at the end, 1 for more, or
 * -errno. */
static int
dir_add(struct ent *e, const struct p9_reply *r)
{
	struct p9_rdirent d;
	size_t pos = 0;
	int rc, seen = 0;

	if (r->count == 0)
		return 0;
	while ((rc = p9_dirent_next(r->data, r->count, &pos, &d)) > 0) {
		seen = 1;
		e->off = d.offset;
		if ((d.namelen == 1 && d.name[0] == '.') ||
		    (d.namelen == 2 && memcmp(d.name, "..", 2) == 0))
			continue;
		if (ent_room(e, (size_t)d.namelen + 2) < 0)
			return -ENOMEM;
		memcpy(e->buf + e->len, d.name, d.namelen);
		e->len += d.namelen;
		if (d.qid.type & 0x80)
			e->buf[e->len++] = '/';
		e->buf[e->len++] = '\0';
	}
	if (rc < 0 || !seen)	/* malformed, or no progress: never ends */
		return -EIO;
	return 1;
}

static int
phase_got(void *arg, size_t i, int rc, const struct p9_reply *r)
{
	struct phase *ph = arg;
	struct req *q = &ph->r[i];
	struct ent *e = q->e;

	q->rc = rc;
	if (rc < 0) {
		if (ph->what == E_DONE)	/* a clunk frees the fid anyway */
			e->live = 0;
		return 0;
	}
	switch (ph->what) {
	case E_WALK:
		if (r->nwqid > q->nn) {	/* more than asked: broken */
			q->rc = -EIO;
			return -EIO;
		}
		if (r->nwqid < q->nn) {
			q->rc = -ENOENT;
			return 0;	/* from the root: no fid made */
		}
		e->live = 1;
		e->next = q->end;
		break;
	case E_OPEN:
		if (q->k == 1) {
			e->size = r->st.size;
			e->sized = 1;
			break;
		}
		p9_fid_iounit(ph->c, e->fid, r->iounit);
		e->chunk = p9_io_chunk(ph->c, e->fid);
		break;
	case E_READ:
		if (r->count > q->want) {
			q->rc = -EIO;
			return -EIO;
		}
		if (e->v->dir) {
			q->rc = dir_add(e, r);
			break;
		}
		q->got = r->count;
		if (r->count > 0) {
			if ((q->seg = malloc(r->count)) == NULL) {
				q->rc = -ENOMEM;
				break;
			}
			memcpy(q->seg, r->data, r->count);
		}
		break;
	default:
		e->live = 0;
		break;
	}
	return 0;
}

/* Finish e with rc (its data dropped on error). */
static void
ent_finish(struct ent *e, int rc)
{
	e->state = E_DONE;
	e->v->rc = rc;
	if (rc < 0) {
		free(e->buf);
		e->buf = NULL;
		e->len = e->cap = 0;
	}
}

/*
 * The reads of a file's phase, in order of offset: each one that starts
 * where the bytes so far end is appended; the file ends at an empty one
 * there.  A read further on (after a short one) waits for the next phase.
 */
static void
file_reads(struct ent *e, struct req *q, size_t nq, size_t max)
{
	size_t k;
	int rc;

	for (k = 0; k < nq && q[k].off == e->off; k++) {
		if (q[k].rc < 0) {
			ent_finish(e, q[k].rc);
			return;
		}
		if (q[k].got == 0) {
			ent_finish(e, 0);
			return;
		}
		if (max > 0 && e->len + q[k].got > max) {
			ent_finish(e, -EFBIG);
			return;
		}
		if ((rc = ent_room(e, q[k].got)) < 0) {
			ent_finish(e, rc);
			return;
		}
		memcpy(e->buf + e->len, q[k].seg, q[k].got);
		e->len += q[k].got;
		e->off += q[k].got;
	}
}

/*
 * The offsets of e's reads this phase into offs (room for MAX_READS + 1):
 * every chunk up to its size and one at the size, or nreads chunks when
 * the size is unknown or already passed.  Returns how many.
 */
static unsigned
read_offsets(const struct ent *e, unsigned nreads, uint64_t *offs)
{
	uint64_t left;
	unsigned n = 0;

	if (e->sized && e->size > e->off) {
		left = e->size - e->off;
		while (left > 0 && n < MAX_READS) {
			offs[n] = e->off + (uint64_t)n * e->chunk;
			left -= left < e->chunk ? left : e->chunk;
			n++;
		}
		if (left == 0)
			offs[n++] = e->size;
		return n;
	}
	if (e->sized && e->size == e->off)
		nreads = 1;
	for (n = 0; n < nreads; n++)
		offs[n] = e->off + (uint64_t)n * e->chunk;
	return n;
}

/* How many requests e makes in a phase of kind what (offs: its reads). */
static unsigned
ent_reqs(const struct ent *e, enum ent_state what, unsigned nreads,
    uint64_t *offs)
{
	if (what == E_DONE)
		return e->live ? 1 : 0;
	if (e->state != what)
		return 0;
	if (what == E_OPEN && !e->v->dir)
		return 2;
	if (what == E_READ && !e->v->dir)
		return read_offsets(e, nreads, offs);
	return 1;
}

/* The requests of the next phase of kind what into ph (reads: nreads per
 * file of unknown size).  0 or -ENOMEM. */
static int
phase_make(struct phase *ph, struct ent *es, size_t n, enum ent_state what,
    unsigned nreads)
{
	uint64_t offs[MAX_READS + 1];
	size_t i, cnt = 0;
	unsigned k, per;
	struct req *r;

	for (i = 0; i < n; i++)
		cnt += ent_reqs(&es[i], what, nreads, offs);
	ph->what = what;
	ph->n = 0;
	free(ph->r);
	ph->r = NULL;
	if (cnt == 0)
		return 0;
	if ((r = calloc(cnt, sizeof(*r))) == NULL)
		return -ENOMEM;
	ph->r = r;
	for (i = 0; i < n; i++) {
		per = ent_reqs(&es[i], what, nreads, offs);
		for (k = 0; k < per; k++) {
			r[ph->n].e = &es[i];
			r[ph->n].k = k;
			if (what == E_READ && es[i].v->dir) {
				r[ph->n].want = p9_msize(ph->c) -
				    P9_READDIRHDRSZ;
			} else if (what == E_READ) {
				r[ph->n].off = offs[k];
				r[ph->n].want = es[i].chunk;
			}
			ph->n++;
		}
	}
	return 0;
}

/* Apply a finished phase's results to its entries. */
static void
phase_apply(struct phase *ph, size_t max)
{
	size_t i, j;
	struct ent *e;

	for (i = 0; i < ph->n; i = j) {
		e = ph->r[i].e;
		for (j = i + 1; j < ph->n && ph->r[j].e == e; j++)
			;
		if (e->state == E_DONE)
			continue;
		switch (ph->what) {
		case E_WALK:
			if (ph->r[i].rc < 0)
				ent_finish(e, ph->r[i].rc);
			else if (*e->next == '\0')
				e->state = E_OPEN;
			break;
		case E_OPEN:
			if (ph->r[i].rc < 0)
				ent_finish(e, ph->r[i].rc);
			else if (max > 0 && e->sized && e->size > max)
				ent_finish(e, -EFBIG);
			else
				e->state = E_READ;
			break;
		case E_READ:
			if (!e->v->dir)
				file_reads(e, &ph->r[i], j - i, max);
			else if (ph->r[i].rc <= 0)
				ent_finish(e, ph->r[i].rc);
			else if (max > 0 && e->len > max)
				ent_finish(e, -EFBIG);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < ph->n; i++) {
		free(ph->r[i].seg);
		ph->r[i].seg = NULL;
	}
}

/* Run phases of kind what until no entry is left in that state. */
static int
phases(struct phase *ph, struct ent *es, size_t n, enum ent_state what,
    size_t max)
{
	unsigned nreads = FIRST_READS;
	int rc;

	for (;;) {
		if ((rc = phase_make(ph, es, n, what, nreads)) < 0)
			return rc;
		if (ph->n == 0)
			return 0;
		rc = p9_pipe_run(ph->c, ph->n, phase_enc, phase_got, ph);
		phase_apply(ph, max);
		if (rc < 0)
			return rc;
		nreads = MORE_READS;
	}
}

int
p9_fetch(struct p9_client *c, struct p9_fetch *v, size_t n, size_t max)
{
	struct phase ph = { c, E_WALK, NULL, 0 };
	struct ent *es;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		v[i].rc = -EIO;
		v[i].data = NULL;
		v[i].len = 0;
	}
	if (n == 0)
		return 0;
	if ((es = calloc(n, sizeof(*es))) == NULL)
		return -ENOMEM;
	p9_lock(c);
	for (i = 0; i < n; i++) {
		es[i].v = &v[i];
		es[i].next = v[i].path != NULL ? v[i].path : "";
		if (p9_dead(c))
			ent_finish(&es[i], -ENOTCONN);
		else if ((rc = p9_fid_take(c, &es[i].fid)) < 0)
			ent_finish(&es[i], rc);
		else
			es[i].taken = 1;
	}
	rc = phases(&ph, es, n, E_WALK, max);
	if (rc == 0)
		rc = phases(&ph, es, n, E_OPEN, max);
	if (rc == 0)
		rc = phases(&ph, es, n, E_READ, max);
	/* Clunk every fid the server holds; failures change nothing. */
	if (phase_make(&ph, es, n, E_DONE, 1) == 0 && ph.n > 0 && rc == 0)
		p9_pipe_run(c, ph.n, phase_enc, phase_got, &ph);
	for (i = 0; i < n; i++) {
		if (es[i].taken)
			p9_fid_drop(c, es[i].fid);
		if (es[i].state != E_DONE)
			ent_finish(&es[i], rc < 0 ? rc : -EIO);
		if (v[i].rc == 0) {
			if (ent_room(&es[i], 0) < 0) {
				ent_finish(&es[i], -ENOMEM);
				continue;
			}
			es[i].buf[es[i].len] = '\0';
			v[i].data = es[i].buf;
			v[i].len = es[i].len;
		}
	}
	p9_unlock(c);
	free(ph.r);
	free(es);
	return rc;
}

void
p9_fetch_free(struct p9_fetch *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].data);
		v[i].data = NULL;
		v[i].len = 0;
	}
}

int
p9_read_file(struct p9_client *c, const char *path, char **data,
    size_t *len)
{
	struct p9_fetch f = { .path = path };
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = p9_fetch(c, &f, 1, 0)) < 0 && f.rc == 0)
		f.rc = rc;
	if (f.rc < 0) {
		p9_fetch_free(&f, 1);
		return f.rc;
	}
	*data = f.data;
	*len = f.len;
	return 0;
}

int
p9_list(struct p9_client *c, const char *path, char ***names, size_t *n)
{
	struct p9_fetch f = { .path = path, .dir = 1 };
	char **v, *p, *end;
	size_t cnt = 0, k = 0, len;
	int rc;

	*names = NULL;
	*n = 0;
	if ((rc = p9_fetch(c, &f, 1, 0)) < 0 && f.rc == 0)
		f.rc = rc;
	if (f.rc < 0)
		return f.rc;
	end = f.data + f.len;
	for (p = f.data; p < end; p += strlen(p) + 1)
		cnt++;
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL) {
		p9_fetch_free(&f, 1);
		return -ENOMEM;
	}
	for (p = f.data; p < end; p += len + 1) {
		len = strlen(p);
		if ((v[k] = strndup(p, len > 0 && p[len - 1] == '/' ?
		    len - 1 : len)) == NULL) {
			while (k > 0)
				free(v[--k]);
			free(v);
			p9_fetch_free(&f, 1);
			return -ENOMEM;
		}
		k++;
	}
	p9_fetch_free(&f, 1);
	*names = v;
	*n = cnt;
	return 0;
}

/* Walk from the root to path and open it with flags. */
static int
open_path(struct p9_client *c, const char *path, int flags, p9_fid *fid)
{
	int rc;

	rc = p9_walk(c, p9_root(c), path, fid);
	if (rc < 0)
		return rc;
	rc = p9_lopen(c, *fid, flags, NULL);
	if (rc < 0)
		p9_clunk(c, *fid);
	return rc;
}

int
p9_write_file(struct p9_client *c, const char *path, const void *data,
    size_t len)
{
	size_t done = 0;
	ssize_t n;
	p9_fid fid;
	int rc;

	rc = open_path(c, path, O_WRONLY | O_TRUNC, &fid);
	if (rc < 0)
		return rc;
	while (done < len) {
		n = p9_write(c, fid, done, (const char *)data + done,
		    len - done);
		if (n <= 0) {
			rc = n < 0 ? (int)n : -EIO;
			goto cleanup;
		}
		done += (size_t)n;
	}
cleanup:
	if (p9_clunk(c, fid) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}
