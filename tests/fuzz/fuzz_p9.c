/*
 * fuzz_p9.c: libFuzzer harness for the 9P2000.L reply decoder
 * (lib/p9/p9_msg.c), the code that handles every byte a server sends.
 *
 * Each input goes to p9_msg_check and p9_msg_decode as a whole message,
 * to p9_msg_decode_body as the body of every reply type, and to
 * p9_dirent_next as raw Rreaddir data.  Besides the sanitizers' checks,
 * every successful decode must satisfy the invariants the client relies
 * on (pointers and lengths inside the input, Rwalk's count bounded,
 * directory names without '/' or NUL); a violation traps.  The request
 * encoders get sizes and names from the input too, and must stay inside
 * their buffer.
 *
 * Build and run: tests/fuzz/run.sh SECONDS.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "p9_msg.h"

/* The replies the decoder knows, and a few it must refuse. */
static const uint8_t types[] = {
	P9_RLERROR, P9_RVERSION, P9_RAUTH, P9_RATTACH, P9_RWALK,
	P9_RGETATTR, P9_RSETATTR, P9_RLOPEN, P9_RLCREATE, P9_RREAD,
	P9_RWRITE, P9_RREADDIR, P9_RMKDIR, P9_RSYMLINK, P9_RREADLINK,
	P9_RUNLINKAT, P9_RRENAMEAT, P9_RRENAME, P9_RREMOVE, P9_RFSYNC,
	P9_RCLUNK, P9_RFLUSH, P9_RLINK, P9_RSTATFS, P9_TWALK, 0, 255,
};

static volatile unsigned sink;	/* keeps the reads of the data alive */

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* p[0..n) lies inside buf[0..len): read every byte of it. */
static void
inside(const void *p, size_t n, const uint8_t *buf, size_t len)
{
	const uint8_t *q = p;
	unsigned s = 0;
	size_t i;

	if (n == 0)
		return;
	CHECK(q != NULL);
	CHECK(q >= buf && q <= buf + len && n <= (size_t)(buf + len - q));
	for (i = 0; i < n; i++)
		s += q[i];
	sink += s;
}

/* Walk Rreaddir data as the client does; every entry must be sane. */
static int
entries(const uint8_t *data, size_t len, const uint8_t *buf, size_t blen)
{
	struct p9_rdirent d;
	size_t pos = 0, last = 0;
	int rc, n = 0;

	while ((rc = p9_dirent_next(data, len, &pos, &d)) > 0) {
		CHECK(pos > last && pos <= len);
		last = pos;
		CHECK(d.namelen > 0);
		inside(d.name, d.namelen, buf, blen);
		CHECK(memchr(d.name, '/', d.namelen) == NULL);
		CHECK(memchr(d.name, '\0', d.namelen) == NULL);
		n++;
	}
	CHECK(pos <= len);
	return rc < 0 ? rc : n;
}

/* The invariants of a reply that decoded. */
static void
check_reply(const struct p9_reply *r, const uint8_t *buf, size_t len)
{
	switch (r->type) {
	case P9_RVERSION:
	case P9_RREADLINK:
		inside(r->str, r->slen, buf, len);
		if (r->type == P9_RREADLINK)
			CHECK(memchr(r->str, '\0', r->slen) == NULL);
		break;
	case P9_RWALK:
		CHECK(r->nwqid <= P9_MAXWELEM);
		break;
	case P9_RREAD:
		inside(r->data, r->count, buf, len);
		break;
	case P9_RREADDIR:
		inside(r->data, r->count, buf, len);
		/* the decoder accepted it, so every entry is whole */
		CHECK(entries(r->data, r->count, buf, len) >= 0);
		CHECK(r->count == 0 || entries(r->data, r->count, buf,
		    len) > 0);
		break;
	default:
		break;
	}
}

/* An encoder's result: an error, or a message of that length in cap. */
static void
enc_ok(long len, const unsigned char *out, size_t cap)
{
	CHECK(len < 0 || ((size_t)len >= P9_HDRSZ && (size_t)len <= cap));
	if (len > 0)
		CHECK((long)(out[0] | out[1] << 8 | out[2] << 16) == len);
}

/*
 * The encoders with sizes and names from the input: whatever the room,
 * they stay inside it and either fail or write a message that says its
 * own length.
 */
static void
encode(const uint8_t *data, size_t size)
{
	static unsigned char out[600];
	static char text[300];
	const char *names[P9_MAXWELEM];
	size_t lens[P9_MAXWELEM], cap, n, i, start;
	int k;

	if (size < 1)
		return;
	cap = data[0] * 2u + 8;	/* 8..518 of the 600 bytes */
	n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
	memcpy(text, data + 1, n);
	text[n] = '\0';
	/* split on '/' as p9_walk does, at most P9_MAXWELEM names */
	for (i = 0, start = 0, k = 0; i <= n && k < P9_MAXWELEM; i++) {
		if (i == n || text[i] == '/') {
			names[k] = text + start;
			lens[k++] = i - start;
			start = i + 1;
		}
	}
	enc_ok(p9_enc_walk(out, cap, 1, 2, 3, (unsigned)k, names, lens),
	    out, cap);
	enc_ok(p9_enc_mkdir(out, cap, 1, 2, text, 0755, 0), out, cap);
	enc_ok(p9_enc_renameat(out, cap, 1, 2, text, 3, text), out, cap);
	enc_ok(p9_enc_write(out, cap, 1, 2, 0, data, (uint32_t)size), out,
	    cap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p9_reply r;
	size_t i;
	int rc;

	/* the input as one whole message */
	rc = p9_msg_decode(data, size, &r);
	CHECK(rc == 0 || rc == -EPROTO);
	CHECK(p9_msg_check(data, size) == rc);
	if (rc == 0) {
		CHECK(r.size == size && size >= P9_HDRSZ);
		CHECK(r.type == data[4]);
		check_reply(&r, data, size);
		(void)p9_type_name(r.type);
	}
	/* the input as the body of each reply type */
	for (i = 0; i < sizeof(types); i++) {
		memset(&r, 0, sizeof(r));
		if (p9_msg_decode_body(types[i], data, size, &r) == 0) {
			CHECK(types[i] % 2 == 1 && types[i] != 255);
			check_reply(&r, data, size);
		}
	}
	/* the input as Rreaddir data */
	(void)entries(data, size, data, size);
	encode(data, size);
	return 0;
}
