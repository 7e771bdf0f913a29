/*
 * test_p9.c: the 9P2000.L client (lib/p9/p9_*.c).
 *
 * The decoder is tested on hand-made byte arrays.  The client is tested
 * against a real diod on loopback that the test starts on a free port,
 * exporting a temporary directory it fills (files of several sizes, a
 * directory of 500 entries, a 20-deep path), and against fake servers
 * made here: a socket that listens and never reads, and a thread that
 * answers Tversion/Tattach and then misbehaves in one chosen way.
 * Run as root (diod attaches as root).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "p9.h"
#include "p9_msg.h"

#define DIOD "/usr/sbin/diod"
#define BIG (1024 * 1024)		/* the 1 MB file */
#define NENTRIES 500			/* entries of dir500 */
#define DEPTH 20			/* components of the deep path */

/* The diod every client test shares. */
static char g_dir[64];			/* its export */
static char g_addr[32];			/* "127.0.0.1:PORT" */
static pid_t g_diod = -1;		/* its pid */
static uint32_t g_msize;		/* the msize it grants */

/* ---- helpers ---- */

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deterministic bytes for file contents. */
static void
fill(unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

static void
write_local(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Read a local file whole (malloc'd). */
static unsigned char *
read_local(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
local_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", g_dir, rel);
}

/* A loopback TCP socket bound to a free port, listening or not. */
static int
bound_socket(int do_listen, int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Can we connect to port on loopback? */
static int
port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Start diod exporting dir on a free port; 0 or -1. */
static int
start_diod(const char *dir, pid_t *pidp, char *addr, size_t addrlen)
{
	char listen_on[32];
	int attempt, port, fd, i, st;
	pid_t pid;

	for (attempt = 0; attempt < 5; attempt++) {
		fd = bound_socket(0, &port);
		close(fd);
		snprintf(listen_on, sizeof(listen_on), "127.0.0.1:%d", port);
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execl(DIOD, "diod", "-f", "-n", "-l", listen_on, "-e",
			    dir, "-L", "/dev/null", "-c", "/dev/null",
			    (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 500; i++) {	/* up to 5 s */
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;		/* died: port taken? */
			if (port_open(port)) {
				*pidp = pid;
				snprintf(addr, addrlen, "%s", listen_on);
				return 0;
			}
			usleep(10000);
		}
		if (i == 500) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
	}
	return -1;
}

static void
stop_diod(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void
rm_rf(const char *path)
{
	struct stat sb;
	struct dirent *e;
	char sub[4096];
	DIR *d;

	if (lstat(path, &sb) < 0)
		return;
	if (S_ISDIR(sb.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static struct p9_client *
connect_diod(void)
{
	struct p9_client *c = NULL;
	struct p9_opts o = { .connect_ms = 2000, .reply_ms = 5000 };
	char err[256];
	int rc;

	rc = p9_connect(g_addr, g_dir, &o, &c, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "p9_connect: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	return c;
}

/* ---- the shared diod ---- */

static int
group_setup(void **state)
{
	unsigned char *buf;
	char path[4096], deep[512];
	size_t sizes[] = { 0, 1, 4096, 65537, BIG };
	size_t i, n;
	struct p9_client *c;
	char err[256];

	(void)state;
	if (access(DIOD, X_OK) != 0) {
		fprintf(stderr, "no %s: the client tests are skipped\n", DIOD);
		return 0;
	}
	snprintf(g_dir, sizeof(g_dir), "/tmp/test_p9.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	buf = malloc(BIG);
	if (buf == NULL)
		return -1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(path, sizeof(path), "%s/f%zu", g_dir, sizes[i]);
		fill(buf, sizes[i], (uint32_t)i + 1);
		write_local(path, buf, sizes[i]);
	}
	free(buf);
	snprintf(path, sizeof(path), "%s/dir500", g_dir);
	mkdir(path, 0755);
	for (i = 0; i < NENTRIES; i++) {
		snprintf(path, sizeof(path), "%s/dir500/entry-%03zu", g_dir, i);
		write_local(path, "x", 1);
	}
	n = (size_t)snprintf(deep, sizeof(deep), "%s/deep", g_dir);
	mkdir(deep, 0755);
	for (i = 1; i <= DEPTH; i++) {
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/d%zu", i);
		mkdir(deep, 0755);
	}
	snprintf(path, sizeof(path), "%s/leaf", deep);
	write_local(path, "deep leaf\n", 10);
	snprintf(path, sizeof(path), "%s/rw", g_dir);
	mkdir(path, 0755);
	if (start_diod(g_dir, &g_diod, g_addr, sizeof(g_addr)) < 0)
		return -1;
	if (p9_connect(g_addr, g_dir, NULL, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "p9_connect: %s\n", err);
		return -1;
	}
	g_msize = p9_msize(c);
	p9_close(c);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	stop_diod(g_diod);
	if (g_dir[0] != '\0')
		rm_rf(g_dir);
	return 0;
}

#define NEED_DIOD() do { if (g_diod <= 0) skip(); } while (0)

/* ---- the decoder on hand-made messages ---- */

/* Build a reply: the header, then the body bytes given. */
static size_t
msg(unsigned char *out, uint8_t type, uint16_t tag, const void *body,
    size_t blen)
{
	struct p9_wbuf w;

	p9_enc_begin(&w, out, 70000, type, tag);
	p9_putbytes(&w, body, blen);
	return (size_t)p9_enc_end(&w);
}

static void
put_qid(struct p9_wbuf *w, uint8_t type, uint64_t path)
{
	p9_put8(w, type);
	p9_put32(w, 7);
	p9_put64(w, path);
}

static void
put_dirent(struct p9_wbuf *w, const char *name, size_t len, uint64_t off)
{
	put_qid(w, 0, off * 10);
	p9_put64(w, off);
	p9_put8(w, 8);
	p9_putstr(w, name, len);
}

/* Every strict prefix of a valid message must be refused. */
static void
assert_prefixes_fail(const unsigned char *m, size_t len)
{
	unsigned char copy[512];
	size_t i;

	assert_true(len <= sizeof(copy));
	for (i = 0; i < len; i++) {
		/* with the size field fixed up too, so only the body is
		 * short */
		memcpy(copy, m, i);
		if (i >= 4) {
			copy[0] = (unsigned char)i;
			copy[1] = copy[2] = copy[3] = 0;
		}
		assert_int_equal(p9_msg_check(copy, i), -EPROTO);
		assert_int_equal(p9_msg_check(m, i), -EPROTO);
	}
}

static void
test_decode_valid(void **state)
{
	unsigned char m[600];
	struct p9_wbuf w;
	struct p9_reply r;
	struct p9_rdirent d;
	size_t len, pos;
	int i;

	(void)state;
	/* Rversion */
	p9_enc_begin(&w, m, sizeof(m), P9_RVERSION, P9_NOTAG);
	p9_put32(&w, 8192);
	p9_putstr(&w, "9P2000.L", 8);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.type, P9_RVERSION);
	assert_int_equal(r.tag, P9_NOTAG);
	assert_int_equal(r.msize, 8192);
	assert_int_equal(r.slen, 8);
	assert_memory_equal(r.str, "9P2000.L", 8);
	assert_prefixes_fail(m, len);
	/* Rlerror */
	len = msg(m, P9_RLERROR, 3, "\x02\0\0\0", 4);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.ecode, 2);
	assert_int_equal(r.tag, 3);
	/* Rwalk with 2 qids */
	p9_enc_begin(&w, m, sizeof(m), P9_RWALK, 1);
	p9_put16(&w, 2);
	put_qid(&w, 0x80, 11);
	put_qid(&w, 0, 12);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.nwqid, 2);
	assert_int_equal(r.wqid[0].type, 0x80);
	assert_int_equal(r.wqid[1].path, 12);
	assert_int_equal(r.wqid[1].version, 7);
	assert_prefixes_fail(m, len);
	/* Rgetattr: 153 bytes of body */
	p9_enc_begin(&w, m, sizeof(m), P9_RGETATTR, 1);
	p9_put64(&w, 0x7ff);
	put_qid(&w, 0, 99);
	p9_put32(&w, 0100644);
	p9_put32(&w, 1000);
	p9_put32(&w, 100);
	for (i = 0; i < 15; i++)
		p9_put64(&w, (uint64_t)i + 1);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(len, P9_HDRSZ + 153);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.st.mode, 0100644);
	assert_int_equal(r.st.uid, 1000);
	assert_int_equal(r.st.gid, 100);
	assert_int_equal(r.st.nlink, 1);
	assert_int_equal(r.st.size, 3);
	assert_int_equal(r.st.blocks, 5);
	assert_int_equal(r.st.mtime_sec, 8);
	assert_int_equal(r.st.ctime_nsec, 11);
	assert_int_equal(r.st.qpath, 99);
	assert_prefixes_fail(m, len);
	/* Rread */
	p9_enc_begin(&w, m, sizeof(m), P9_RREAD, 1);
	p9_put32(&w, 5);
	p9_putbytes(&w, "hello", 5);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.count, 5);
	assert_ptr_equal(r.data, m + P9_HDRSZ + 4);
	assert_prefixes_fail(m, len);
	/* Rreaddir with 3 entries */
	p9_enc_begin(&w, m, sizeof(m), P9_RREADDIR, 1);
	p9_put32(&w, (uint32_t)(3 * 24 + 7));
	put_dirent(&w, ".", 1, 1);
	put_dirent(&w, "..", 2, 2);
	put_dirent(&w, "file", 4, 3);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.count, 79);
	pos = 0;
	for (i = 0; p9_dirent_next(r.data, r.count, &pos, &d) == 1; i++)
		assert_int_equal(d.offset, i + 1);
	assert_int_equal(i, 3);
	assert_int_equal(d.namelen, 4);
	assert_memory_equal(d.name, "file", 4);
	assert_prefixes_fail(m, len);
	/* Rlopen, Rreadlink, empty replies */
	p9_enc_begin(&w, m, sizeof(m), P9_RLOPEN, 1);
	put_qid(&w, 0, 5);
	p9_put32(&w, 4096);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.iounit, 4096);
	len = msg(m, P9_RREADLINK, 1, "\x03\0abc", 5);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.slen, 3);
	assert_memory_equal(r.str, "abc", 3);
	len = msg(m, P9_RCLUNK, 1, NULL, 0);
	assert_int_equal(len, 7);
	assert_int_equal(p9_msg_check(m, len), 0);
	len = msg(m, P9_RWRITE, 1, "\x10\0\0\0", 4);
	assert_int_equal(p9_msg_decode(m, len, &r), 0);
	assert_int_equal(r.count, 16);
	assert_string_equal(p9_type_name(P9_RGETATTR), "Rgetattr");
	assert_string_equal(p9_type_name(P9_TVERSION), "Tversion");
}

static void
test_decode_bad(void **state)
{
	unsigned char m[600];
	struct p9_wbuf w;
	size_t len;
	int i;

	(void)state;
	/* too short for a header, and a size field that lies */
	assert_int_equal(p9_msg_check(NULL, 0), -EPROTO);
	assert_int_equal(p9_msg_check((const unsigned char *)"\7\0\0", 3),
	    -EPROTO);
	len = msg(m, P9_RCLUNK, 1, NULL, 0);
	m[0] = 6;
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	m[0] = 8;
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	m[0] = 7;
	m[3] = 0x80;
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* unknown type, a T-message, a trailing byte */
	len = msg(m, 200, 1, NULL, 0);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_TCLUNK, 1, "\0\0\0\0", 4);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RCLUNK, 1, "x", 1);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RLERROR, 1, "\2\0\0\0\0", 5);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* a string longer than the message */
	len = msg(m, P9_RVERSION, 1, "\0\x20\0\0\x09\0" "9P2000.L", 14);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RVERSION, 1, "\0\x20\0\0\xff\xff" "9P2000.L", 14);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RREADLINK, 1, "\x04\0abc", 5);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RREADLINK, 1, "\x03\0a\0c", 5);	/* NUL inside */
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* Rwalk: 17 qids, or a count above the qids present */
	p9_enc_begin(&w, m, sizeof(m), P9_RWALK, 1);
	p9_put16(&w, 17);
	for (i = 0; i < 17; i++)
		put_qid(&w, 0, (uint64_t)i);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	p9_enc_begin(&w, m, sizeof(m), P9_RWALK, 1);
	p9_put16(&w, 2);
	put_qid(&w, 0, 1);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* Rread: count beyond the data, and below it */
	len = msg(m, P9_RREAD, 1, "\x06\0\0\0hello", 9);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RREAD, 1, "\x04\0\0\0hello", 9);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RREAD, 1, "\xff\xff\xff\xff" "hello", 9);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* Rreaddir: an entry cut short, a name with '/', an empty name,
	 * a name running past the count */
	p9_enc_begin(&w, m, sizeof(m), P9_RREADDIR, 1);
	p9_put32(&w, 24 + 23);
	put_dirent(&w, "a", 1, 1);
	put_dirent(&w, "", 0, 2);
	w.len--;
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	p9_enc_begin(&w, m, sizeof(m), P9_RREADDIR, 1);
	p9_put32(&w, 27);
	put_dirent(&w, "a/b", 3, 1);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	p9_enc_begin(&w, m, sizeof(m), P9_RREADDIR, 1);
	p9_put32(&w, 24);
	put_dirent(&w, "", 0, 1);
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	p9_enc_begin(&w, m, sizeof(m), P9_RREADDIR, 1);
	p9_put32(&w, 25);
	put_dirent(&w, "ab", 2, 1);
	p9_put8(&w, 'x');
	len = (size_t)p9_enc_end(&w);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	/* Rgetattr one byte short and one byte long */
	memset(m, 0, sizeof(m));
	len = msg(m, P9_RGETATTR, 1, m + 300, 152);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RGETATTR, 1, m + 300, 154);
	assert_int_equal(p9_msg_check(m, len), -EPROTO);
	len = msg(m, P9_RGETATTR, 1, m + 300, 153);
	assert_int_equal(p9_msg_check(m, len), 0);
}

static void
test_encode(void **state)
{
	unsigned char m[64], big[70000];
	const char *names[2] = { "ab", "c" };
	size_t lens[2] = { 2, 1 };
	char *longname;
	long len;

	(void)state;
	len = p9_enc_walk(m, sizeof(m), 5, 1, 2, 2, names, lens);
	assert_int_equal(len, 7 + 4 + 4 + 2 + 4 + 3);
	assert_memory_equal(m, "\x18\0\0\0\x6e\x05\0\1\0\0\0\2\0\0\0\2\0"
	    "\2\0ab\1\0c", 24);
	/* too big for the buffer, too long a string */
	assert_int_equal(p9_enc_walk(m, 20, 5, 1, 2, 2, names, lens),
	    -EMSGSIZE);
	longname = malloc(70000);
	assert_non_null(longname);
	memset(longname, 'a', 69999);
	longname[69999] = '\0';
	assert_int_equal(p9_enc_mkdir(big, sizeof(big), 1, 0, longname, 0755,
	    0), -ENAMETOOLONG);
	free(longname);
	assert_int_equal(p9_enc_version(m, sizeof(m), 8192, "9P2000.L"), 21);
	assert_int_equal(p9_dotl_flags(O_RDONLY), 0);
	assert_int_equal(p9_dotl_flags(O_WRONLY | O_TRUNC | O_CREAT),
	    01 | 01000 | 0100);
	assert_int_equal(p9_dotl_flags(O_RDONLY | O_DIRECTORY), 0200000);
}

/* ---- against diod ---- */

static void
test_read_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 4096, 65537, BIG };
	struct p9_client *c;
	unsigned char *want;
	char rel[32], path[4096], *data;
	size_t i, len, wlen;
	uint64_t before, ex;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	assert_true(g_msize >= 4096);
	assert_int_equal(p9_msize(c), g_msize);
	assert_int_equal(p9_round_trips(c), 2);	/* version, attach */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(rel, sizeof(rel), "f%zu", sizes[i]);
		local_path(path, sizeof(path), rel);
		want = read_local(path, &wlen);
		assert_int_equal(wlen, sizes[i]);
		before = p9_round_trips(c);
		ex = p9_exchanges(c);
		assert_int_equal(p9_read_file(c, rel, &data, &len), 0);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(data, want, len);
		assert_int_equal(data[len], '\0');
		/* walk, lopen and getattr, every chunk up to the size and
		 * an empty read at it, clunk: in four exchanges */
		assert_int_equal(p9_round_trips(c) - before,
		    4 + (len + g_msize - 24 - 1) / (g_msize - 24) + 1);
		assert_int_equal(p9_exchanges(c) - ex, 4);
		free(data);
		free(want);
	}
	/* msize+1 bytes */
	assert_int_equal(g_msize, 65536);
	p9_close(c);
}

static void
test_read_offsets(void **state)
{
	struct p9_client *c;
	unsigned char *want, *buf;
	char path[4096];
	size_t wlen;
	p9_fid fid;
	uint32_t iounit = 1;
	ssize_t n;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	local_path(path, sizeof(path), "f1048576");
	want = read_local(path, &wlen);
	buf = malloc(BIG);
	assert_non_null(buf);
	assert_int_equal(p9_walk(c, p9_root(c), "f1048576", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, O_RDONLY, &iounit), 0);
	/* one call larger than msize is split */
	n = p9_read(c, fid, 12345, buf, 300000);
	assert_int_equal(n, 300000);
	assert_memory_equal(buf, want + 12345, 300000);
	/* a read across the end is short, at the end it is 0 */
	n = p9_read(c, fid, BIG - 10, buf, 100);
	assert_int_equal(n, 10);
	assert_memory_equal(buf, want + BIG - 10, 10);
	assert_int_equal(p9_read(c, fid, BIG, buf, 100), 0);
	assert_int_equal(p9_read(c, fid, BIG + 5000, buf, 100), 0);
	assert_int_equal(p9_clunk(c, fid), 0);
	free(buf);
	free(want);
	p9_close(c);
}

/* A readdir callback: count entries, note one name. */
struct seen {
	int n;			/* entries */
	int dots;		/* "." and ".." */
	int has_42;		/* saw entry-042 */
	int stop_after;		/* return nonzero at this entry (0: never) */
};

static int
see(void *arg, const struct p9_dirent *d)
{
	struct seen *s = arg;

	s->n++;
	if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
		s->dots++;
	else
		assert_int_equal(d->type, DT_REG);
	if (strcmp(d->name, "entry-042") == 0)
		s->has_42 = 1;
	return s->stop_after != 0 && s->n == s->stop_after;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_readdir(void **state)
{
	struct p9_client *c, *c2;
	struct p9_opts o = { .msize = 4096 };
	struct seen s = { 0, 0, 0, 0 };
	char **names, want[32];
	size_t n, i;
	uint64_t off = 0;
	p9_fid fid;
	int rc, calls = 0;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	assert_int_equal(p9_list(c, "dir500", &names, &n), 0);
	assert_int_equal(n, NENTRIES);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "entry-%03zu", i);
		assert_string_equal(names[i], want);
		free(names[i]);
	}
	free(names);
	/* by hand with a 4096-byte msize: several Treaddirs, each entry
	 * once */
	assert_int_equal(p9_connect(g_addr, g_dir, &o, &c2, NULL, 0), 0);
	assert_int_equal(p9_msize(c2), 4096);
	assert_int_equal(p9_walk(c2, p9_root(c2), "dir500", &fid), 0);
	assert_int_equal(p9_lopen(c2, fid, O_RDONLY | O_DIRECTORY, NULL),
	    0);
	while ((rc = p9_readdir(c2, fid, &off, see, &s)) > 0)
		calls++;
	assert_int_equal(rc, 0);
	assert_true(calls > 1);
	assert_int_equal(s.n, NENTRIES + 2);
	assert_int_equal(s.dots, 2);
	assert_true(s.has_42);
	/* a callback that stops: the next call goes on after it */
	memset(&s, 0, sizeof(s));
	s.stop_after = 3;
	off = 0;
	assert_int_equal(p9_readdir(c2, fid, &off, see, &s), 3);
	s.stop_after = 0;
	while (p9_readdir(c2, fid, &off, see, &s) > 0)
		;
	assert_int_equal(s.n, NENTRIES + 2);
	assert_int_equal(p9_clunk(c2, fid), 0);
	p9_close(c2);
	/* an empty directory lists nothing; a file is not a directory */
	assert_int_equal(p9_list(c, "rw", &names, &n), 0);
	assert_int_equal(n, 0);
	free(names);
	assert_int_equal(p9_list(c, "f1", &names, &n), -ENOTDIR);
	p9_close(c);
}

static void
test_walk(void **state)
{
	struct p9_client *c;
	struct p9_stat st;
	char path[512], bad[600], *data;
	size_t n, len, i;
	p9_fid fid, fid2;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	n = (size_t)snprintf(path, sizeof(path), "deep");
	for (i = 1; i <= DEPTH; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/d%zu", i);
	/* 21 names: two Twalks */
	assert_int_equal(p9_walk(c, p9_root(c), path, &fid), 0);
	assert_int_equal(fid, 1);
	assert_int_equal(p9_getattr(c, fid, &st), 0);
	assert_int_equal(st.qtype & 0x80, 0x80);
	assert_true(S_ISDIR(st.mode));
	/* from that fid on, with extra slashes */
	assert_int_equal(p9_walk(c, fid, "//leaf/", &fid2), 0);
	assert_int_equal(fid2, 2);
	assert_int_equal(p9_clunk(c, fid2), 0);
	assert_int_equal(p9_clunk(c, fid), 0);
	snprintf(path + n, sizeof(path) - n, "/leaf");
	assert_int_equal(p9_read_file(c, path, &data, &len), 0);
	assert_string_equal(data, "deep leaf\n");
	free(data);
	/* missing in the first, the second and the last step */
	snprintf(bad, sizeof(bad), "deep/nope/%s", path + 5);
	assert_int_equal(p9_walk(c, p9_root(c), bad, &fid), -ENOENT);
	snprintf(bad, sizeof(bad), "%s", path);
	memcpy(strstr(bad, "/d18/"), "/x18/", 5);
	assert_int_equal(p9_walk(c, p9_root(c), bad, &fid), -ENOENT);
	snprintf(bad, sizeof(bad), "%s", path);
	strcat(bad, "/more");		/* through a file */
	assert_int_equal(p9_walk(c, p9_root(c), bad, &fid), -ENOENT);
	assert_int_equal(p9_walk(c, p9_root(c), "nope", &fid), -ENOENT);
	/* no fid leaked: the next one is the lowest again */
	assert_int_equal(p9_walk(c, p9_root(c), "", &fid), 0);
	assert_int_equal(fid, 1);
	assert_int_equal(p9_clunk(c, fid), 0);
	p9_close(c);
}

static void
test_getattr(void **state)
{
	static const char *const rels[] = { "f4096", "dir500", "f0" };
	struct p9_client *c;
	struct p9_stat st;
	struct stat sb;
	char path[4096];
	p9_fid fid;
	size_t i;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		local_path(path, sizeof(path), rels[i]);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(p9_walk(c, p9_root(c), rels[i], &fid), 0);
		assert_int_equal(p9_getattr(c, fid, &st), 0);
		assert_int_equal(st.mode, sb.st_mode);
		assert_int_equal(st.uid, sb.st_uid);
		assert_int_equal(st.gid, sb.st_gid);
		assert_int_equal(st.nlink, sb.st_nlink);
		assert_int_equal(st.size, sb.st_size);
		assert_int_equal(st.blocks, sb.st_blocks);
		assert_int_equal(st.qpath, sb.st_ino);
		assert_int_equal(st.mtime_sec, sb.st_mtim.tv_sec);
		assert_int_equal(st.mtime_nsec, sb.st_mtim.tv_nsec);
		assert_int_equal(st.ctime_sec, sb.st_ctim.tv_sec);
		assert_int_equal(st.ctime_nsec, sb.st_ctim.tv_nsec);
		assert_int_equal(st.qtype, S_ISDIR(sb.st_mode) ? 0x80 : 0);
		assert_int_equal(p9_clunk(c, fid), 0);
	}
	p9_close(c);
}

static void
test_write(void **state)
{
	struct p9_client *c;
	unsigned char *buf, *local;
	char path[4096], *data;
	size_t len, llen, n = 200000;
	p9_fid dir, fid;
	uint32_t iounit = 1;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	buf = malloc(n);
	assert_non_null(buf);
	fill(buf, n, 77);
	/* lcreate turns the directory's fid into the open new file */
	assert_int_equal(p9_walk(c, p9_root(c), "rw", &dir), 0);
	assert_int_equal(p9_lcreate(c, dir, "new", O_WRONLY | O_CREAT, 0640,
	    0, &iounit), 0);
	assert_int_equal(p9_write(c, dir, 0, buf, n), (ssize_t)n);
	assert_int_equal(p9_fsync(c, dir), 0);
	assert_int_equal(p9_clunk(c, dir), 0);
	local_path(path, sizeof(path), "rw/new");
	local = read_local(path, &llen);
	assert_int_equal(llen, n);
	assert_memory_equal(local, buf, n);
	free(local);
	assert_int_equal(p9_read_file(c, "rw/new", &data, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(data, buf, n);
	free(data);
	/* creating it again fails with EEXIST */
	assert_int_equal(p9_walk(c, p9_root(c), "rw", &dir), 0);
	assert_int_equal(p9_lcreate(c, dir, "new", O_WRONLY | O_CREAT |
	    O_EXCL, 0640, 0, NULL), -EEXIST);
	assert_int_equal(p9_clunk(c, dir), 0);
	/* p9_write_file replaces the contents, shorter */
	assert_int_equal(p9_write_file(c, "rw/new", "short\n", 6), 0);
	assert_int_equal(p9_read_file(c, "rw/new", &data, &len), 0);
	assert_string_equal(data, "short\n");
	free(data);
	assert_int_equal(p9_write_file(c, "rw/new", "", 0), 0);
	assert_int_equal(p9_read_file(c, "rw/new", &data, &len), 0);
	assert_int_equal(len, 0);
	free(data);
	/* a write at an offset */
	assert_int_equal(p9_walk(c, p9_root(c), "rw/new", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, O_RDWR, NULL), 0);
	assert_int_equal(p9_write(c, fid, 3, "abc", 3), 3);
	assert_int_equal(p9_clunk(c, fid), 0);
	local = read_local(path, &llen);
	assert_int_equal(llen, 6);
	assert_memory_equal(local, "\0\0\0abc", 6);
	free(local);
	assert_int_equal(p9_write_file(c, "rw/absent", "x", 1), -ENOENT);
	free(buf);
	p9_close(c);
}

static void
test_namespace(void **state)
{
	struct p9_client *c;
	struct p9_stat st;
	struct stat sb;
	char path[4096], target[64], small[4];
	uint64_t before;
	p9_fid dir, fid;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	assert_int_equal(p9_walk(c, p9_root(c), "rw", &dir), 0);
	/* mkdir */
	assert_int_equal(p9_mkdir(c, dir, "sub", 0750, 0), 0);
	assert_int_equal(p9_mkdir(c, dir, "sub", 0750, 0), -EEXIST);
	local_path(path, sizeof(path), "rw/sub");
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0750);
	/* symlink and readlink */
	assert_int_equal(p9_symlink(c, dir, "link", "../f1", 0), 0);
	local_path(path, sizeof(path), "rw/link");
	assert_int_equal(readlink(path, target, sizeof(target)), 5);
	assert_int_equal(p9_walk(c, dir, "link", &fid), 0);
	assert_int_equal(p9_getattr(c, fid, &st), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(st.qtype, 0x02);
	assert_int_equal(p9_readlink(c, fid, target, sizeof(target)), 0);
	assert_string_equal(target, "../f1");
	assert_int_equal(p9_readlink(c, fid, small, sizeof(small)), -ERANGE);
	assert_int_equal(p9_readlink(c, fid, small, 0), -ERANGE);
	assert_int_equal(p9_clunk(c, fid), 0);
	/* renameat, then the old name is gone */
	local_path(path, sizeof(path), "rw/file");
	write_local(path, "data", 4);
	assert_int_equal(p9_renameat(c, dir, "file", dir, "moved"), 0);
	assert_int_equal(access(path, F_OK), -1);
	local_path(path, sizeof(path), "rw/moved");
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(p9_renameat(c, dir, "file", dir, "x"), -ENOENT);
	/* unlinkat keeps rm and rmdir apart */
	assert_int_equal(p9_unlinkat(c, dir, "moved", AT_REMOVEDIR),
	    -ENOTDIR);
	assert_int_equal(p9_unlinkat(c, dir, "sub", 0), -EISDIR);
	assert_int_equal(p9_unlinkat(c, dir, "..", AT_REMOVEDIR), -EINVAL);
	assert_int_equal(p9_unlinkat(c, dir, "a/b", 0), -EINVAL);
	assert_int_equal(p9_unlinkat(c, dir, "", 0), -EINVAL);
	assert_int_equal(p9_renameat(c, dir, "moved", dir, "../x"), -EINVAL);
	assert_int_equal(p9_mkdir(c, dir, "full", 0755, 0), 0);
	assert_int_equal(p9_mkdir(c, dir, "full/x", 0755, 0), -EINVAL);
	assert_int_equal(p9_walk(c, dir, "full", &fid), 0);
	assert_int_equal(p9_mkdir(c, fid, "x", 0755, 0), 0);
	assert_int_equal(p9_clunk(c, fid), 0);
	assert_int_equal(p9_unlinkat(c, dir, "full", AT_REMOVEDIR),
	    -ENOTEMPTY);
	assert_int_equal(p9_walk(c, dir, "full", &fid), 0);
	assert_int_equal(p9_unlinkat(c, fid, "x", AT_REMOVEDIR), 0);
	assert_int_equal(p9_clunk(c, fid), 0);
	assert_int_equal(p9_unlinkat(c, dir, "full", AT_REMOVEDIR), 0);
	/* unlinkat of a file, of a directory */
	before = p9_round_trips(c);
	assert_int_equal(p9_unlinkat(c, dir, "moved", 0), 0);
	/* diod has no Tunlinkat: a walk and Tremove, once it is known */
	assert_true(p9_round_trips(c) - before <= 2);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(p9_unlinkat(c, dir, "moved", 0), -ENOENT);
	assert_int_equal(p9_unlinkat(c, dir, "link", 0), 0);
	assert_int_equal(p9_unlinkat(c, dir, "sub", AT_REMOVEDIR), 0);
	local_path(path, sizeof(path), "rw/sub");
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(p9_clunk(c, dir), 0);
	p9_close(c);
}

static void
test_setattr(void **state)
{
	struct p9_client *c;
	struct p9_stat st;
	struct stat sb;
	char path[4096];
	p9_fid fid;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	local_path(path, sizeof(path), "rw/attr");
	write_local(path, "0123456789abcdef", 16);
	assert_int_equal(p9_walk(c, p9_root(c), "rw/attr", &fid), 0);
	memset(&st, 0, sizeof(st));
	st.mode = 0604;
	assert_int_equal(p9_setattr(c, fid, P9_SETATTR_MODE, &st), 0);
	st.size = 10;
	assert_int_equal(p9_setattr(c, fid, P9_SETATTR_SIZE, &st), 0);
	st.atime_sec = 1000000000;
	st.atime_nsec = 5;
	st.mtime_sec = 1234567890;
	st.mtime_nsec = 123456789;
	assert_int_equal(p9_setattr(c, fid, P9_SETATTR_ATIME |
	    P9_SETATTR_MTIME | P9_SETATTR_ATIME_SET | P9_SETATTR_MTIME_SET,
	    &st), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0604);
	assert_int_equal(sb.st_size, 10);
	assert_int_equal(sb.st_atim.tv_sec, 1000000000);
	assert_int_equal(sb.st_atim.tv_nsec, 5);
	assert_int_equal(sb.st_mtim.tv_sec, 1234567890);
	assert_int_equal(sb.st_mtim.tv_nsec, 123456789);
	memset(&st, 0, sizeof(st));
	assert_int_equal(p9_getattr(c, fid, &st), 0);
	assert_int_equal(st.size, 10);
	assert_int_equal(st.mtime_sec, 1234567890);
	assert_int_equal(p9_clunk(c, fid), 0);
	p9_close(c);
}

static void
test_errors(void **state)
{
	struct p9_client *c;
	char *data, **names, err[256];
	struct p9_stat st;
	size_t len, n;
	p9_fid fid;
	int rc;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	assert_int_equal(p9_read_file(c, "nope", &data, &len), -ENOENT);
	assert_null(data);
	assert_int_equal(p9_read_file(c, "dir500/nope", &data, &len),
	    -ENOENT);
	assert_int_equal(p9_list(c, "nope", &names, &n), -ENOENT);
	assert_int_equal(p9_walk(c, p9_root(c), "dir500", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, O_WRONLY, NULL), -EISDIR);
	assert_int_equal(p9_clunk(c, fid), 0);
	/* diod answers EIO for a fid it does not know */
	assert_int_equal(p9_getattr(c, 999, &st), -EIO);
	/* the client is still usable after server errors */
	assert_int_equal(p9_read_file(c, "f1", &data, &len), 0);
	free(data);
	p9_close(c);
	/* an export that is not there */
	rc = p9_connect(g_addr, "/nonexistent", NULL, &c, err, sizeof(err));
	assert_true(rc < 0);
	assert_null(c);
	assert_true(strncmp(err, "attach /nonexistent: ", 21) == 0);
	/* malformed addresses */
	assert_int_equal(p9_connect("nohostport", "", NULL, &c, err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(p9_connect("127.0.0.1:99999", "", NULL, &c, NULL,
	    0), -EINVAL);
	assert_int_equal(p9_connect("[::1:564", "", NULL, &c, NULL, 0),
	    -EINVAL);
}

/* Several threads share one client. */
struct reader {
	struct p9_client *c;	/* the shared client */
	int failures;		/* reads that went wrong */
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	char *data, rel[32];
	size_t len;
	int i;

	for (i = 0; i < 60; i++) {
		snprintf(rel, sizeof(rel), "dir500/entry-%03d", i * 7 % 500);
		if (p9_read_file(r->c, rel, &data, &len) != 0 || len != 1 ||
		    data[0] != 'x')
			r->failures++;
		else
			free(data);
		if (p9_read_file(r->c, "f65537", &data, &len) != 0 ||
		    len != 65537)
			r->failures++;
		else
			free(data);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct reader r[4];
	pthread_t th[4];
	struct p9_client *c;
	int i;

	(void)state;
	NEED_DIOD();
	c = connect_diod();
	for (i = 0; i < 4; i++) {
		r[i].c = c;
		r[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, reader_main,
		    &r[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].failures, 0);
	}
	p9_close(c);
}

static void
test_server_killed(void **state)
{
	struct p9_client *c;
	struct p9_opts o = { .reply_ms = 2000 };
	char addr[32], err[256], buf[1000];
	struct p9_stat st;
	pid_t pid;
	p9_fid fid;
	int64_t t0;
	ssize_t n;

	(void)state;
	NEED_DIOD();
	assert_int_equal(start_diod(g_dir, &pid, addr, sizeof(addr)), 0);
	assert_int_equal(p9_connect(addr, g_dir, &o, &c, err, sizeof(err)),
	    0);
	assert_int_equal(p9_walk(c, p9_root(c), "f1048576", &fid), 0);
	assert_int_equal(p9_lopen(c, fid, O_RDONLY, NULL), 0);
	assert_int_equal(p9_read(c, fid, 0, buf, sizeof(buf)), sizeof(buf));
	stop_diod(pid);
	t0 = ms_now();
	n = p9_read(c, fid, 1000, buf, sizeof(buf));
	assert_true(n == -ECONNRESET || n == -EIO);
	assert_true(ms_now() - t0 < 1000);
	assert_int_equal(p9_getattr(c, fid, &st), -ENOTCONN);
	assert_int_equal(p9_clunk(c, fid), -ENOTCONN);
	p9_close(c);
}

/* ---- against fake servers ---- */

static void
test_refused(void **state)
{
	struct p9_client *c;
	char addr[32], err[256], want[300];
	int fd, port, rc;
	int64_t t0;

	(void)state;
	fd = bound_socket(0, &port);	/* bound, not listening: refused */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	t0 = ms_now();
	rc = p9_connect(addr, "/nc", NULL, &c, err, sizeof(err));
	assert_int_equal(rc, -ECONNREFUSED);
	assert_true(ms_now() - t0 < 1000);
	assert_null(c);
	snprintf(want, sizeof(want), "connect %s: Connection refused", addr);
	assert_string_equal(err, want);
	close(fd);
}

static void
test_silent(void **state)
{
	struct p9_client *c;
	struct p9_opts o = { .connect_ms = 1000, .reply_ms = 500 };
	char addr[32], err[256], want[300];
	int fd, port, rc;
	int64_t t0, dt;

	(void)state;
	fd = bound_socket(1, &port);	/* listens, never reads */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	t0 = ms_now();
	rc = p9_connect(addr, "/nc", &o, &c, err, sizeof(err));
	dt = ms_now() - t0;
	assert_int_equal(rc, -ETIMEDOUT);
	assert_true(dt >= 450 && dt < 1500);
	snprintf(want, sizeof(want), "%s: no reply to Tversion within 0.5 s",
	    addr);
	assert_string_equal(err, want);
	close(fd);
}

/* How the fake server misbehaves after Tversion and Tattach. */
enum fake_mode {
	FAKE_SILENT,		/* never answers */
	FAKE_GARBAGE,		/* random bytes */
	FAKE_WRONG_TAG,		/* a valid reply with another tag */
	FAKE_WRONG_TYPE,	/* Rclunk to a Tgetattr */
	FAKE_BIG_SIZE,		/* a size field beyond msize */
	FAKE_SMALL_SIZE,	/* a size field below 7 */
	FAKE_TRUNCATED,		/* half a reply, then close */
	FAKE_TWO_REPLIES,	/* a reply and then another one */
	FAKE_LERROR,		/* Rlerror EACCES, then Rgetattr */
	FAKE_LONG_READ,		/* Rread with more than asked */
	FAKE_V_GARBAGE,		/* garbage to Tversion */
	FAKE_V_OTHER,		/* Rversion "9P2000.u" */
	FAKE_V_SMALL,		/* Rversion msize 512 */
};

struct fake {
	int lfd;		/* listening socket */
	int port;		/* its port */
	enum fake_mode mode;	/* how to misbehave */
	pthread_t th;		/* the server thread */
};

/* Read one request; 0 at EOF. */
static size_t
fake_recv(int fd, unsigned char *buf, size_t cap)
{
	size_t have = 0, want = 4;
	ssize_t n;

	while (have < want) {
		n = recv(fd, buf + have, want - have, 0);
		if (n <= 0)
			return 0;
		have += (size_t)n;
		if (have == 4) {
			want = buf[0] | (size_t)buf[1] << 8;
			if (want < 7 || want > cap)
				return 0;
		}
	}
	return have;
}

static void
fake_send(int fd, const void *p, size_t len)
{
	(void)!send(fd, p, len, MSG_NOSIGNAL);
}

/* Answer one request with a well-formed reply of type type. */
static void
fake_reply(int fd, uint8_t type, uint16_t tag, const void *body,
    size_t blen)
{
	unsigned char m[512];

	fake_send(fd, m, msg(m, type, tag, body, blen));
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	unsigned char req[70000], m[512], garbage[64];
	struct timeval tv = { 5, 0 };
	struct p9_wbuf w;
	uint16_t tag;
	size_t len;
	int fd;

	fd = accept(f->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fake_recv(fd, req, sizeof(req)) == 0)
		goto out;
	p9_enc_begin(&w, m, sizeof(m), P9_RVERSION, P9_NOTAG);
	p9_put32(&w, f->mode == FAKE_V_SMALL ? 512 : 8192);
	if (f->mode == FAKE_V_OTHER)
		p9_putstr(&w, "9P2000.u", 8);
	else
		p9_putstr(&w, "9P2000.L", 8);
	len = (size_t)p9_enc_end(&w);
	if (f->mode == FAKE_V_GARBAGE) {
		fill(garbage, sizeof(garbage), 3);
		garbage[0] = 40;
		garbage[1] = garbage[2] = garbage[3] = 0;
		fake_send(fd, garbage, 40);
	} else {
		fake_send(fd, m, len);
	}
	/* Tattach */
	if (fake_recv(fd, req, sizeof(req)) == 0)
		goto out;
	tag = (uint16_t)(req[5] | req[6] << 8);
	fake_reply(fd, P9_RATTACH, tag, "\x80\0\0\0\0\1\0\0\0\0\0\0\0", 13);
	/* the request that gets the bad answer */
	if (fake_recv(fd, req, sizeof(req)) == 0)
		goto out;
	tag = (uint16_t)(req[5] | req[6] << 8);
	memset(m, 0, sizeof(m));
	switch (f->mode) {
	case FAKE_GARBAGE:
		fill(garbage, sizeof(garbage), 9);
		fake_send(fd, garbage, sizeof(garbage));
		break;
	case FAKE_WRONG_TAG:
		fake_reply(fd, P9_RGETATTR, (uint16_t)(tag + 1), m + 300, 153);
		break;
	case FAKE_WRONG_TYPE:
		fake_reply(fd, P9_RCLUNK, tag, NULL, 0);
		break;
	case FAKE_BIG_SIZE:
		fake_send(fd, "\x01\x20\0\0\x19\0\0", 7);	/* 8193 */
		break;
	case FAKE_SMALL_SIZE:
		fake_send(fd, "\x06\0\0\0\x19\0\0", 7);
		break;
	case FAKE_TRUNCATED:
		len = msg(m, P9_RGETATTR, tag, m + 300, 153);
		fake_send(fd, m, len / 2);
		goto out;
	case FAKE_TWO_REPLIES:
		len = msg(m, P9_RGETATTR, tag, m + 300, 153);
		memcpy(m + len, m, len);
		fake_send(fd, m, 2 * len);
		break;
	case FAKE_LERROR:
		fake_reply(fd, P9_RLERROR, tag, "\x0d\0\0\0", 4);
		if (fake_recv(fd, req, sizeof(req)) == 0)
			goto out;
		tag = (uint16_t)(req[5] | req[6] << 8);
		fake_reply(fd, P9_RGETATTR, tag, m + 300, 153);
		break;
	case FAKE_LONG_READ:
		fake_reply(fd, P9_RREAD, tag, "\x05\0\0\0hello", 9);
		break;
	default:
		break;
	}
	/* wait for the client to hang up */
	while (recv(fd, req, sizeof(req), 0) > 0)
		;
out:
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode, char *addr, size_t len)
{
	f->mode = mode;
	f->lfd = bound_socket(1, &f->port);
	snprintf(addr, len, "127.0.0.1:%d", f->port);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->lfd);
}

/* Connect to a fake in mode and make one getattr: its result. */
static int
fake_getattr(enum fake_mode mode)
{
	struct fake f;
	struct p9_client *c;
	struct p9_opts o = { .connect_ms = 1000, .reply_ms = 500 };
	struct p9_stat st;
	char addr[32], err[256];
	int64_t t0;
	int rc;

	fake_start(&f, mode, addr, sizeof(addr));
	rc = p9_connect(addr, "/nc", &o, &c, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(p9_msize(c), 8192);
	rc = p9_getattr(c, p9_root(c), &st);
	if (rc == -EACCES) {		/* a server error: still alive */
		assert_int_equal(p9_getattr(c, p9_root(c), &st), 0);
	} else {
		/* a second reply is a wrong tag on the next call */
		if (rc == 0)
			assert_int_equal(p9_getattr(c, p9_root(c), &st),
			    -EIO);
		/* dead now: later calls fail at once */
		t0 = ms_now();
		assert_int_equal(p9_getattr(c, p9_root(c), &st), -ENOTCONN);
		assert_true(ms_now() - t0 < 100);
	}
	p9_close(c);
	fake_stop(&f);
	return rc;
}

static void
test_fake_timeout(void **state)
{
	int64_t t0, dt;

	(void)state;
	t0 = ms_now();
	assert_int_equal(fake_getattr(FAKE_SILENT), -ETIMEDOUT);
	dt = ms_now() - t0;
	assert_true(dt >= 450 && dt < 1500);
}

static void
test_fake_garbage(void **state)
{
	(void)state;
	assert_int_equal(fake_getattr(FAKE_GARBAGE), -EIO);
	assert_int_equal(fake_getattr(FAKE_WRONG_TAG), -EIO);
	assert_int_equal(fake_getattr(FAKE_WRONG_TYPE), -EIO);
	assert_int_equal(fake_getattr(FAKE_BIG_SIZE), -EIO);
	assert_int_equal(fake_getattr(FAKE_SMALL_SIZE), -EIO);
	assert_int_equal(fake_getattr(FAKE_TRUNCATED), -ECONNRESET);
	assert_int_equal(fake_getattr(FAKE_LERROR), -EACCES);
}

static void
test_fake_two_replies(void **state)
{
	int rc;

	(void)state;
	/* the extra reply arrives with the first or on the next call */
	rc = fake_getattr(FAKE_TWO_REPLIES);
	assert_true(rc == -EIO || rc == 0);
}

static void
test_fake_long_read(void **state)
{
	struct fake f;
	struct p9_client *c;
	struct p9_opts o = { .connect_ms = 1000, .reply_ms = 500 };
	char addr[32], buf[4];

	(void)state;
	fake_start(&f, FAKE_LONG_READ, addr, sizeof(addr));
	assert_int_equal(p9_connect(addr, "/nc", &o, &c, NULL, 0), 0);
	/* 5 bytes for a 4-byte read must not overflow buf */
	assert_int_equal(p9_read(c, p9_root(c), 0, buf, sizeof(buf)), -EIO);
	assert_int_equal(p9_read(c, p9_root(c), 0, buf, sizeof(buf)),
	    -ENOTCONN);
	p9_close(c);
	fake_stop(&f);
}

static void
test_fake_version(void **state)
{
	static const struct {
		enum fake_mode mode;	/* the bad Rversion */
		int rc;			/* p9_connect's result */
		const char *msg;	/* its message after "ADDR: " */
	} cases[] = {
		{ FAKE_V_GARBAGE, -EIO, "malformed reply to Tversion" },
		{ FAKE_V_OTHER, -EPROTONOSUPPORT,
		  "server speaks 9P2000.u, not 9P2000.L" },
		{ FAKE_V_SMALL, -EPROTO, "server msize 512 is below 4096" },
	};
	struct p9_opts o = { .connect_ms = 1000, .reply_ms = 500 };
	struct p9_client *c;
	struct fake f;
	char addr[32], err[256], want[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_start(&f, cases[i].mode, addr, sizeof(addr));
		assert_int_equal(p9_connect(addr, "/nc", &o, &c, err,
		    sizeof(err)), cases[i].rc);
		assert_null(c);
		snprintf(want, sizeof(want), "%s: %s", addr, cases[i].msg);
		assert_string_equal(err, want);
		fake_stop(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_read_sizes),
		cmocka_unit_test(test_read_offsets),
		cmocka_unit_test(test_readdir),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_getattr),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_namespace),
		cmocka_unit_test(test_setattr),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_server_killed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_fake_timeout),
		cmocka_unit_test(test_fake_garbage),
		cmocka_unit_test(test_fake_two_replies),
		cmocka_unit_test(test_fake_long_read),
		cmocka_unit_test(test_fake_version),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
