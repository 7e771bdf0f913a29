/*
 * ssh.h: reaching a pnode over SSH (libssh2): key authentication, known_hosts
 * checked, bounded connect timeout, retries with backoff.  Commands run with
 * argument vectors (each argument quoted for the remote shell); files are
 * installed atomically and only when their SHA-256 differs.
 *
 * Every step is non-blocking libssh2 bounded by poll(): connect, handshake
 * and authentication by opts.timeout_ms, a command by its own timeout.  The
 * module never prints, except through opts.progress.
 */
#ifndef NEOC_SSH_H
#define NEOC_SSH_H

#include <signal.h>
#include <stddef.h>

struct neoc_ssh_opts {
	const char *user;		/* login name; NULL = "root" */
	const char *identity;		/* private key file; the public key is identity.pub; NULL = ~/.ssh/id_ed25519 then id_rsa */
	const char *known_hosts;	/* known_hosts file; NULL = ~/.ssh/known_hosts */
	int accept_new;			/* learn (append) unknown host keys; a CHANGED key is always refused */
	int timeout_ms;			/* connect + handshake + auth bound per attempt; 0 = 10000 */
	int retries;			/* further attempts after a failed connect; default 0 */
	int backoff_ms;			/* delay before the first retry, doubled each time (0 = 500) */
	void (*progress)(void *arg, const char *msg);	/* optional: "host: attempt 2 of 4 in 1.0 s: connection refused" */
	void *progress_arg;		/* first argument of progress */
	volatile sig_atomic_t *cancel;	/* non-zero: no further attempt (checked in the backoff) */
};
struct neoc_ssh;			/* one authenticated session */

/*
 * Connect, check the host key, authenticate.  0 and *out set, or -1 with a
 * one-line reason in err ("10.0.0.2:22: host key mismatch (known_hosts line 3)",
 * "... connection refused after 4 attempts", "... authentication failed for root").
 * Only transport failures (connect, handshake, timeouts) are retried; a
 * host key or authentication refusal fails at once.
 */
int neoc_ssh_open(const char *host, int port, const struct neoc_ssh_opts *o,
    struct neoc_ssh **out, char *err, size_t errlen);
/*
 * Run argv on the remote host.  The remote side is a shell command line, so
 * every argument is single-quoted safely (neoc_ssh_quote).  Output copied to
 * out_fd / err_fd as it arrives (-1 = discard; a failed write there stops
 * the copying, not the command); the remote stdin is empty.  timeout_ms 0 =
 * none.  Returns 0 with *status = the remote exit status (or 128+signal),
 * -1 on a transport error or timeout (err filled; the session is then
 * unusable: close it.  The remote command is not killed: libssh2 1.10
 * cannot signal it).
 */
int neoc_ssh_run(struct neoc_ssh *s, char *const argv[], int out_fd, int err_fd,
    int timeout_ms, int *status, char *err, size_t errlen);
/*
 * Same but capture stdout into a malloc'd NUL-terminated string (*out, set
 * also when the command fails).  When *status != 0, err holds the last line
 * the command wrote to stderr (or is empty).
 */
int neoc_ssh_capture(struct neoc_ssh *s, char *const argv[], char **out,
    int *status, char *err, size_t errlen);
/*
 * Install local file at remote path with mode unless a file with the same
 * SHA-256 is already there (checked with sha256sum remotely; a file with
 * the same contents but another mode only has its mode changed, and counts
 * as copied).  The bytes go through the command's stdin into a mktemp
 * PATH.neoc-XXXXXX in the same directory (parents created as needed),
 * their SHA-256 is checked there, then the file is renamed over PATH
 * (atomic).  Returns 1 if copied, 0 if already identical, -1 on error (err).
 */
int neoc_ssh_install(struct neoc_ssh *s, const char *local, const char *remote,
    int mode, char *err, size_t errlen);
/*
 * The local end's address of the session's connection (the control node
 * as the pnode sees it) as text, without port: 0, or -1.
 */
int neoc_ssh_local_addr(struct neoc_ssh *s, char *buf, size_t len);
/* Quote one argument for a POSIX shell (malloc'd). */
char *neoc_ssh_quote(const char *arg);
/* Disconnect (bounded to about a second) and free; NULL is allowed. */
void neoc_ssh_close(struct neoc_ssh *s);
/*
 * libssh2_init once (thread safe to call repeatedly); sessions may then be
 * used from different threads, one thread per session.  0, or -1.
 */
int neoc_ssh_global_init(void);

#endif
