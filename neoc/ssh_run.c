/*
 * ssh_run.c: running commands over an SSH session (ssh.h, ssh_int.h).  The
 * argument vector becomes one command line, each argument single-quoted;
 * stdin is fed, stdout and stderr read apart as they arrive, all in one
 * poll() loop bounded by the command's deadline; the exit status (or
 * 128+signal) comes from the channel.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ssh.h"
#include "ssh_int.h"
#include "util.h"

#define IO_CHUNK 32768		/* bytes per read or write */

/* An error code of ours next to libssh2's: a local failure. */
#define ERR_LOCAL (-1000)

char *
neoc_ssh_quote(const char *arg)
{
	struct nc_buf b = { 0 };
	const char *p;

	nc_buf_add(&b, "'", 1);
	for (p = arg; *p != '\0'; p++) {
		if (*p == '\'')
			nc_buf_puts(&b, "'\\''");
		else
			nc_buf_add(&b, p, 1);
	}
	nc_buf_add(&b, "'", 1);
	return b.p;
}

/* Deliver n bytes to a sink. */
static void
sink_put(struct neoc_ssh_sink *k, const char *p, size_t n)
{
	size_t room;
	ssize_t w;
	const char *q = p;
	size_t left = n;

	if (k == NULL)
		return;
	if (k->buf != NULL) {
		room = k->max == 0 ? n : k->max > k->buf->len ? k->max -
		    k->buf->len : 0;
		nc_buf_add(k->buf, p, n < room ? n : room);
	}
	while (k->fd >= 0 && k->werr == 0 && left > 0) {
		w = write(k->fd, q, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			k->werr = errno;
			break;
		}
		q += w;
		left -= (size_t)w;
	}
}

/* The signals an exit-signal message may name, without "SIG". */
static const struct {
	const char *name;	/* as on the wire */
	int num;		/* the local number */
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

/* The command's exit status, 128+signal when a signal ended it. */
static int
exit_status(LIBSSH2_CHANNEL *ch, LIBSSH2_SESSION *sess)
{
	char *sig = NULL;
	size_t n = 0, i;
	int st = libssh2_channel_get_exit_status(ch);

	if (libssh2_channel_get_exit_signal(ch, &sig, &n, NULL, NULL, NULL,
	    NULL) == 0 && sig != NULL) {
		st = 255;
		for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
			if (strcmp(sig, signals[i].name) == 0)
				st = 128 + signals[i].num;
		libssh2_free(sess, sig);
	}
	return st;
}

/* The quoted command line of argv (malloc'd). */
static char *
command_line(char *const argv[])
{
	struct nc_buf b = { 0 };
	char *q;
	int i;

	for (i = 0; argv[i] != NULL; i++) {
		q = neoc_ssh_quote(argv[i]);
		nc_buf_printf(&b, "%s%s", i ? " " : "", q);
		free(q);
	}
	return b.p;
}

/* The command's stdin on its way. */
struct feed {
	int fd;			/* where stdin comes from (-1: empty) */
	char buf[IO_CHUNK];	/* bytes read from fd */
	size_t len, pos;	/* bytes in buf, bytes of them sent */
	int eof;		/* fd is at its end */
	int done;		/* EOF sent to the remote side */
	int err;		/* errno of a failed read of fd */
	int blocked_out;	/* the last write waits for the socket */
};

/* libssh2 last waited to send. */
static int
blocked_out(LIBSSH2_SESSION *sess)
{
	return (libssh2_session_block_directions(sess) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

/*
 * One step of feeding stdin: read in_fd, write to the channel, EOF at its
 * end (*progress set when something moved).  0, a libssh2 error, or
 * ERR_LOCAL when in_fd fails.
 */
static int
feed_step(LIBSSH2_SESSION *sess, LIBSSH2_CHANNEL *ch, struct feed *f,
    int *progress)
{
	ssize_t n;

	if (f->done)
		return 0;
	if (f->pos == f->len && !f->eof) {
		if (f->fd < 0)
			n = 0;
		else
			while ((n = read(f->fd, f->buf, sizeof(f->buf))) < 0 &&
			    errno == EINTR)
				;
		if (n < 0) {
			f->err = errno;
			return ERR_LOCAL;
		}
		f->eof = n == 0;
		f->len = (size_t)n;
		f->pos = 0;
	}
	f->blocked_out = 0;
	if (f->pos < f->len) {
		n = libssh2_channel_write(ch, f->buf + f->pos, f->len - f->pos);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			f->blocked_out = blocked_out(sess);
			return 0;
		}
		if (n < 0)
			return (int)n;
		f->pos += (size_t)n;
		if (n > 0)	/* 0: no window yet, wait for input */
			*progress = 1;
		return 0;
	}
	n = libssh2_channel_send_eof(ch);
	if (n == 0) {
		f->done = 1;
		*progress = 1;
	}
	if (n == LIBSSH2_ERROR_EAGAIN) {
		f->blocked_out = blocked_out(sess);
		return 0;
	}
	return (int)n;
}

/* Read what is there of one stream into its sink: 0, or libssh2's rc. */
static int
drain(LIBSSH2_CHANNEL *ch, int stream, struct neoc_ssh_sink *k,
    int *progress)
{
	char buf[IO_CHUNK];
	ssize_t n;

	for (;;) {
		n = libssh2_channel_read_ex(ch, stream, buf, sizeof(buf));
		if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
			return 0;
		if (n < 0)
			return (int)n;
		sink_put(k, buf, (size_t)n);
		*progress = 1;
	}
}

int
neoc_ssh_exec(struct neoc_ssh *s, char *const argv[], int in_fd,
    struct neoc_ssh_sink *out, struct neoc_ssh_sink *errs, int timeout_ms,
    int *status, char *err, size_t errlen)
{
	int64_t deadline = timeout_ms > 0 ? neoc_ssh_now_ms() + timeout_ms : 0;
	LIBSSH2_CHANNEL *ch = NULL;
	struct feed *f = NULL;
	char *cmd = NULL, eb[128];
	const char *step = "opening a channel";
	unsigned long avail;
	int rc, progress;

	*status = -1;
	if (s->broken) {
		neoc_ssh_fail(err, errlen, "%s: the session failed earlier",
		    s->where);
		return -1;
	}
	if (argv == NULL || argv[0] == NULL) {
		neoc_ssh_fail(err, errlen, "%s: no command to run", s->where);
		return -1;
	}
	cmd = command_line(argv);
	while ((ch = libssh2_channel_open_session(s->sess)) == NULL) {
		if (libssh2_session_last_errno(s->sess) != LIBSSH2_ERROR_EAGAIN)
			goto ssh_error;
		if (neoc_ssh_wait(s->sess, s->fd, deadline, 0) < 0)
			goto timeout;
	}
	step = "starting the command";
	NEOC_SSH_NB(rc, s, deadline, libssh2_channel_exec(ch, cmd));
	if (rc == LIBSSH2_ERROR_TIMEOUT)
		goto timeout;
	if (rc != 0)
		goto ssh_error;
	step = "running the command";
	f = nc_calloc(1, sizeof(*f));
	f->fd = in_fd;
	for (;;) {
		progress = 0;
		if ((rc = feed_step(s->sess, ch, f, &progress)) == ERR_LOCAL) {
			neoc_ssh_fail(err, errlen, "%s: reading the command's "
			    "input: %s", s->where,
			    neoc_ssh_errstr(f->err, eb, sizeof(eb)));
			goto broken;
		}
		if (rc < 0 || (rc = drain(ch, 0, out, &progress)) < 0 ||
		    (rc = drain(ch, SSH_EXTENDED_DATA_STDERR, errs,
		    &progress)) < 0)
			goto ssh_error;
		/* the remote end closed its output: the command is over
		 * (input it did not read is dropped) */
		if (libssh2_channel_eof(ch) == 1)
			break;
		if (progress)
			continue;
		avail = 0;
		libssh2_channel_window_read_ex(ch, &avail, NULL);
		if (avail > 0)
			continue;
		/* output may come at any time; input may wait for the socket */
		if (neoc_ssh_wait(s->sess, s->fd, deadline, POLLIN |
		    (f->blocked_out ? POLLOUT : 0)) < 0)
			goto timeout;
	}
	step = "closing the channel";
	NEOC_SSH_NB(rc, s, deadline, libssh2_channel_close(ch));
	if (rc == 0)
		NEOC_SSH_NB(rc, s, deadline, libssh2_channel_wait_closed(ch));
	if (rc == LIBSSH2_ERROR_TIMEOUT)
		goto timeout;
	if (rc != 0)
		goto ssh_error;
	*status = exit_status(ch, s->sess);
	NEOC_SSH_NB(rc, s, deadline, libssh2_channel_free(ch));
	ch = NULL;
	if (rc == LIBSSH2_ERROR_TIMEOUT)
		goto timeout;
	if (rc != 0)
		goto ssh_error;
	free(cmd);
	free(f);
	return 0;
timeout:
	neoc_ssh_fail(err, errlen, "%s: %s: timed out after %.1f s %s",
	    s->where, argv[0], timeout_ms / 1000.0, step);
	goto broken;
ssh_error:
	neoc_ssh_fail(err, errlen, "%s: %s: %s: %s", s->where, argv[0], step,
	    neoc_ssh_lasterr(s->sess));
broken:
	/* the channel is mid-way: the session goes with it (on close) */
	s->broken = 1;
	free(cmd);
	free(f);
	return -1;
}

int
neoc_ssh_run(struct neoc_ssh *s, char *const argv[], int out_fd, int err_fd,
    int timeout_ms, int *status, char *err, size_t errlen)
{
	struct neoc_ssh_sink out = { .fd = out_fd }, errs = { .fd = err_fd };

	return neoc_ssh_exec(s, argv, -1, &out, &errs, timeout_ms, status,
	    err, errlen);
}

void
neoc_ssh_last_line(const char *text, char *line, size_t len)
{
	const char *end, *start;

	if (len == 0)
		return;
	line[0] = '\0';
	if (text == NULL)
		return;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	while (start < end && isspace((unsigned char)*start))
		start++;
	snprintf(line, len, "%.*s", (int)(end - start), start);
}

int
neoc_ssh_capture(struct neoc_ssh *s, char *const argv[], char **out,
    int *status, char *err, size_t errlen)
{
	struct nc_buf ob = { 0 }, eb = { 0 };
	struct neoc_ssh_sink o = { .fd = -1, .buf = &ob };
	struct neoc_ssh_sink e = { .fd = -1, .buf = &eb, .max = 65536 };
	int rc;

	*out = NULL;
	nc_buf_add(&ob, "", 0);
	rc = neoc_ssh_exec(s, argv, -1, &o, &e, 0, status, err, errlen);
	if (rc == 0 && *status != 0 && err != NULL)
		neoc_ssh_last_line(eb.p, err, errlen);
	nc_buf_free(&eb);
	if (rc < 0) {
		nc_buf_free(&ob);
		return -1;
	}
	*out = ob.p;
	return 0;
}
