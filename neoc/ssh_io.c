/*
 * ssh_io.c: what the parts of the SSH client (ssh.c, ssh_run.c,
 * ssh_keys.c, ...) share, declared in ssh_int.h: the clock, waiting on the
 * non-blocking socket until a deadline, and the error messages.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ssh.h"
#include "ssh_int.h"

/* Monotonic milliseconds. */
int64_t
neoc_ssh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
neoc_ssh_left_ms(int64_t deadline)
{
	int64_t d;

	if (deadline == 0)
		return -1;
	d = deadline - neoc_ssh_now_ms();
	return d < 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
}

/*
 * Wait until the socket is ready the way libssh2 last blocked on (or for
 * the poll events extra too), or until deadline (0: none): 0, or -1 with
 * errno (ETIMEDOUT).
 */
int
neoc_ssh_wait(LIBSSH2_SESSION *sess, int fd, int64_t deadline, short extra)
{
	int dir = libssh2_session_block_directions(sess), t, r;
	struct pollfd p = { .fd = fd, .events = extra };

	if (extra != 0)
		dir |= LIBSSH2_SESSION_BLOCK_INBOUND;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (p.events == 0)	/* no direction: look again soon */
		p.events = POLLIN;
	for (;;) {
		t = neoc_ssh_left_ms(deadline);
		if (t == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (dir == 0 && (t < 0 || t > 50))
			t = 50;
		r = poll(&p, 1, t);
		if (r > 0 || (r == 0 && dir == 0))
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* libssh2's last error message. */
const char *
neoc_ssh_lasterr(LIBSSH2_SESSION *sess)
{
	char *m = NULL;

	libssh2_session_last_error(sess, &m, NULL, 0);
	return m != NULL && *m != '\0' ? m : "unknown error";
}

/* strerror(e) starting in lower case, into buf. */
const char *
neoc_ssh_errstr(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	if (isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

void
neoc_ssh_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
