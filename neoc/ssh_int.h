/*
 * ssh_int.h: what ssh.c, ssh_io.c, ssh_run.c, ssh_keys.c, ssh_hostkey.c
 * and ssh_install.c share; not part of the API (ssh.h).
 */
#ifndef NEOC_SSH_INT_H
#define NEOC_SSH_INT_H

#include <libssh2.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ssh.h"

struct neoc_ssh {
	LIBSSH2_SESSION *sess;	/* the session, non-blocking */
	int fd;			/* its TCP socket */
	char *where;		/* "host:port", prefixing every message */
	int broken;		/* a transport error or timeout: unusable */
};

/* --- shared by the parts (ssh_io.c) --------------------------------------- */

/* Monotonic milliseconds. */
int64_t neoc_ssh_now_ms(void);
/* Milliseconds left before deadline (0 when past), -1 without one. */
int neoc_ssh_left_ms(int64_t deadline);
/*
 * Wait until the socket is ready the way libssh2 last blocked on (or for
 * the poll() events extra too), or until deadline (neoc_ssh_now_ms; 0:
 * none): 0, or -1 with errno (ETIMEDOUT).
 */
int neoc_ssh_wait(LIBSSH2_SESSION *sess, int fd, int64_t deadline,
    short extra);
/* libssh2's last error message. */
const char *neoc_ssh_lasterr(LIBSSH2_SESSION *sess);
/* strerror(e) starting in lower case, in buf. */
const char *neoc_ssh_errstr(int e, char *buf, size_t len);
/* snprintf into err (nothing when err is NULL). */
void neoc_ssh_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * rc = EXPR (a libssh2 call returning int) until it stops saying EAGAIN,
 * waiting for the socket in between; LIBSSH2_ERROR_TIMEOUT past deadline.
 */
#define NEOC_SSH_NB(rc, s, deadline, expr) do {				\
	while (((rc) = (expr)) == LIBSSH2_ERROR_EAGAIN)			\
		if (neoc_ssh_wait((s)->sess, (s)->fd, (deadline), 0) < 0) { \
			(rc) = LIBSSH2_ERROR_TIMEOUT;			\
			break;						\
		}							\
} while (0)

/* --- files (ssh_keys.c) --------------------------------------------------- */

/*
 * From o: the private keys to try (*keys, *nkeys: o's identity, else those
 * of ~/.ssh/id_ed25519 and id_rsa that exist), each readable and without a
 * passphrase, and the known_hosts path (*khpath).  All malloc'd, also on
 * failure.  0, or -1 with why.
 */
int neoc_ssh_files(const struct neoc_ssh_opts *o, char ***keys, int *nkeys,
    char **khpath, char *why, size_t whylen);
/* What to add to "authentication failed" for key: a word on RSA keys,
 * or "". */
const char *neoc_ssh_key_hint(const char *key);

/* --- commands (ssh_run.c) ------------------------------------------------- */

/* Where one output stream of a remote command goes. */
struct neoc_ssh_sink {
	int fd;			/* copy the bytes here (-1: nowhere) */
	struct nc_buf *buf;	/* and/or append them here (NULL: not) */
	size_t max;		/* keep at most this many bytes (0: all) */
	int werr;		/* errno of the first failed write to fd */
};

/*
 * Run argv remotely (quoted), feeding in_fd (read to its end; -1 = empty)
 * to its stdin, its stdout and stderr to out and errs (NULL = discard).
 * neoc_ssh_run's contract otherwise; a failed write to a sink's fd is
 * recorded in the sink, not an error.
 */
int neoc_ssh_exec(struct neoc_ssh *s, char *const argv[], int in_fd,
    struct neoc_ssh_sink *out, struct neoc_ssh_sink *errs, int timeout_ms,
    int *status, char *err, size_t errlen);
/* Copy text's last non-empty line (trimmed) into line ("" if none). */
void neoc_ssh_last_line(const char *text, char *line, size_t len);

/* --- known_hosts (ssh_hostkey.c) ----------------------------------------- */

/* The name host:port is recorded under: "host" for port 22, else
 * "[host]:port" (OpenSSH's form).  malloc'd. */
char *neoc_kh_name(const char *host, int port);
/*
 * The host key algorithms to offer, comma-separated (malloc'd): those whose
 * key type path already records for name first, then the others, in
 * OpenSSH's order; only those in supported[0..nsupported-1].  NULL when
 * none is supported.
 */
char *neoc_kh_prefs(const char *path, const char *name,
    const char *const *supported, int nsupported);
/*
 * Check the server's host key (the raw blob) for name against the
 * known_hosts file path (missing = empty).  0 when recorded; when unknown
 * and accept_new, appended (created, under an exclusive lock) and 0.
 * Otherwise -1 with the reason in why: "host key mismatch (PATH line N):
 * ...", unknown, revoked, or an I/O error.
 */
int neoc_kh_verify(const char *path, const char *name,
    const unsigned char *blob, size_t len, int accept_new, char *why,
    size_t whylen);

#endif
