/*
 * p9_pipe.h: the client's pipelined exchange, private to lib/p9 (p9_client.c
 * defines it, p9_fetch.c builds whole-file and directory batches on it).
 *
 * A pipelined exchange sends requests 0..n-1 with up to P9_PIPE_WINDOW of
 * them in flight on the one connection, each under its own tag, and takes
 * their replies in whatever order the server sends them (diod answers from
 * a pool of threads).  Requests of one exchange must not depend on each
 * other (a Tlopen of the fid a Twalk of the same exchange makes): the
 * server may run them in any order, so dependent steps go in successive
 * exchanges.  Every function here is called with the client's lock held.
 */
#ifndef P9_PIPE_H
#define P9_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "p9.h"
#include "p9_msg.h"

#define P9_PIPE_WINDOW 64	/* requests in flight at most */

/*
 * Encode request i with tag into buf (cap bytes); set *rtype to the reply
 * type it expects.  Returns the length, or a negative errno, which is
 * handed to the reply function as request i's result (nothing is sent).
 */
typedef long (*p9_pipe_enc)(void *arg, size_t i, unsigned char *buf,
    size_t cap, uint16_t tag, uint8_t *rtype);
/*
 * Take request i's result: rc 0 with r its reply (valid during the call),
 * the server's -errno (Rlerror) with r the error reply, or a transport
 * error with r NULL.  Returns 0, or -EIO when the reply breaks the protocol
 * (more bytes than asked): the client is then killed.
 */
typedef int (*p9_pipe_got)(void *arg, size_t i, int rc,
    const struct p9_reply *r);

/*
 * Run one pipelined exchange (the lock held).  Returns 0 when every
 * request got its reply (each with its own result), or the transport
 * error after which the client is dead: every request left without a
 * reply is handed that error.
 */
int p9_pipe_run(struct p9_client *c, size_t n, p9_pipe_enc enc,
    p9_pipe_got got, void *arg);

/* The client's lock (calls of p9.h take it themselves). */
void p9_lock(struct p9_client *c);
void p9_unlock(struct p9_client *c);
/* Take the lowest free fid / give one back (the lock held). */
int p9_fid_take(struct p9_client *c, p9_fid *fid);
void p9_fid_drop(struct p9_client *c, p9_fid fid);
/* Record the iounit lopen gave fid (the lock held). */
void p9_fid_iounit(struct p9_client *c, p9_fid fid, uint32_t iounit);
/* The largest Tread/Twrite payload for fid (msize and its iounit). */
uint32_t p9_io_chunk(const struct p9_client *c, p9_fid fid);

#endif
