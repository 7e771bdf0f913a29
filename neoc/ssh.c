/*
 * ssh.c: the SSH client neoc up reaches pnodes with (ssh.h): connecting.
 * Non-blocking libssh2, every wait a poll() on the socket bounded by a
 * deadline: connect, handshake and authentication share one per attempt;
 * transport failures are retried with a doubling backoff.  Host keys:
 * ssh_hostkey.c; commands: ssh_run.c; installing files: ssh_install.c;
 * waiting on the socket and the messages they all use: ssh_io.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ssh.h"
#include "ssh_int.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 10000	/* opts.timeout_ms 0 */
#define DEFAULT_BACKOFF_MS 500		/* opts.backoff_ms 0 */
#define MAX_BACKOFF_MS 60000		/* the doubling stops here */
#define CLOSE_MS 1000			/* bound on saying goodbye */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = -1;

static void
do_init(void)
{
	init_rc = libssh2_init(0) == 0 ? 0 : -1;
}

int
neoc_ssh_global_init(void)
{
	pthread_once(&init_once, do_init);
	return init_rc;
}

/* Sleep ms milliseconds (a signal does not cut it short). */
static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- connecting -------------------------------------------------------- */

/* TCP options for a long-lived session: a dead peer is noticed within
 * about a minute, idle or not. */
static void
tune_socket(int fd)
{
	int one = 1, idle = 30, intvl = 10, cnt = 3;
	unsigned int user_timeout = 60000;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
	    sizeof(user_timeout));
}

/*
 * A non-blocking TCP connection to host:port before deadline: the socket,
 * or -1 with the reason (*retriable when trying again may help).
 */
static int
connect_tcp(const char *host, int port, int64_t deadline, int timeout_ms,
    char *why, size_t whylen, int *retriable)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	char portstr[16], eb[128];
	int fd = -1, e = ECONNREFUSED, rc, soerr;
	socklen_t sl;
	struct pollfd p;

	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		neoc_ssh_fail(why, whylen, "cannot resolve the host name: %s",
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		*retriable = rc == EAI_AGAIN || rc == EAI_SYSTEM;
		return -1;
	}
	*retriable = 1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			goto connected;
		if (errno != EINPROGRESS) {
			e = errno;
			goto next;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		while ((rc = poll(&p, 1, neoc_ssh_left_ms(deadline))) < 0 &&
		    errno == EINTR)
			;
		if (rc == 0) {
			e = ETIMEDOUT;
			close(fd);
			fd = -1;
			break;	/* the deadline is spent */
		}
		if (rc < 0) {
			e = errno;
			goto next;
		}
		soerr = 0;
		sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr == 0)
			goto connected;
		e = soerr;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (e == ETIMEDOUT)
		neoc_ssh_fail(why, whylen, "connect timed out (%.1f s)",
		    timeout_ms / 1000.0);
	else
		neoc_ssh_fail(why, whylen, "%s",
		    neoc_ssh_errstr(e, eb, sizeof(eb)));
	return -1;
connected:
	freeaddrinfo(res);
	tune_socket(fd);
	return fd;
}

/* Free a session that is unusable or done with: a goodbye (bounded to
 * CLOSE_MS) when it is healthy, then the socket. */
static void
teardown(LIBSSH2_SESSION *sess, int fd, int healthy)
{
	if (sess != NULL) {
		if (!healthy)
			shutdown(fd, SHUT_RDWR);
		libssh2_session_set_timeout(sess, CLOSE_MS);
		libssh2_session_set_blocking(sess, 1);
		if (healthy)
			libssh2_session_disconnect(sess, "bye");
		libssh2_session_free(sess);
	}
	if (fd >= 0)
		close(fd);
}

/* Offer the host key algorithms known_hosts records for the host first. */
static void
prefer_known(LIBSSH2_SESSION *sess, const char *khpath, const char *khname)
{
	const char **supported = NULL;
	char *prefs;
	int n;

	n = libssh2_session_supported_algs(sess, LIBSSH2_METHOD_HOSTKEY,
	    &supported);
	if (n <= 0)
		return;
	prefs = neoc_kh_prefs(khpath, khname, supported, n);
	if (prefs != NULL)
		libssh2_session_method_pref(sess, LIBSSH2_METHOD_HOSTKEY,
		    prefs);
	free(prefs);
	libssh2_free(sess, supported);
}

/* "word" is one of the comma-separated list. */
static int
in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

/*
 * Public key authentication as user with each key in turn: 0, or -1 with
 * the reason (*retriable when it was the transport that failed).
 */
static int
authenticate(struct neoc_ssh *s, const char *user, char *const keys[],
    int nkeys, int64_t deadline, char *why, size_t whylen, int *retriable)
{
	char *list, *pub, tried[512] = "";
	const char *hint = "";
	int i, rc, refused = 0;
	size_t tl;

	*retriable = 1;
	while ((list = libssh2_userauth_list(s->sess, user,
	    (unsigned int)strlen(user))) == NULL &&
	    libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if (neoc_ssh_wait(s->sess, s->fd, deadline, 0) < 0) {
			neoc_ssh_fail(why, whylen, "authentication timed out");
			return -1;
		}
	if (list == NULL) {
		if (libssh2_userauth_authenticated(s->sess))
			return 0;	/* "none" was enough */
		neoc_ssh_fail(why, whylen, "authentication failed: %s",
		    neoc_ssh_lasterr(s->sess));
		return -1;
	}
	if (!in_list(list, "publickey")) {
		*retriable = 0;
		neoc_ssh_fail(why, whylen, "authentication failed for %s: "
		    "the server does not take keys (only %s)", user, list);
		return -1;
	}
	for (i = 0; i < nkeys; i++) {
		pub = nc_asprintf("%s.pub", keys[i]);
		if (access(pub, R_OK) < 0) {
			free(pub);
			pub = NULL;
		}
		NEOC_SSH_NB(rc, s, deadline,
		    libssh2_userauth_publickey_fromfile_ex(s->sess, user,
		    (unsigned int)strlen(user), pub, keys[i], ""));
		free(pub);
		if (rc == 0)
			return 0;
		if (rc == LIBSSH2_ERROR_TIMEOUT) {
			neoc_ssh_fail(why, whylen, "authentication timed out");
			return -1;
		}
		if (rc == LIBSSH2_ERROR_FILE) {
			*retriable = 0;
			neoc_ssh_fail(why, whylen, "cannot use the private key "
			    "%s: %s", keys[i], neoc_ssh_lasterr(s->sess));
			continue;
		}
		if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
		    rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) {
			neoc_ssh_fail(why, whylen, "authentication failed: %s",
			    neoc_ssh_lasterr(s->sess));
			return -1;
		}
		refused++;
		if (*hint == '\0')
			hint = neoc_ssh_key_hint(keys[i]);
		tl = strlen(tried);
		snprintf(tried + tl, sizeof(tried) - tl, "%s%s", tl ? ", " :
		    "", keys[i]);
	}
	*retriable = 0;
	if (refused > 0)
		neoc_ssh_fail(why, whylen, "authentication failed for %s "
		    "(key%s %s)%s", user, refused > 1 ? "s" : "", tried,
		    hint);
	return -1;
}

/* What one attempt needs. */
struct target {
	const char *host;	/* as given */
	int port;		/* TCP port */
	const char *user;	/* login name */
	char **keys;		/* private key files to try, in order */
	int nkeys;		/* how many */
	char *khpath;		/* known_hosts file */
	char *khname;		/* the host's name in it */
	int accept_new;		/* learn unknown host keys */
	int timeout_ms;		/* bound on the attempt */
};

/* One attempt: 0 with *out, or -1 with the reason and *retriable. */
static int
attempt(const struct target *t, struct neoc_ssh **out, char *why,
    size_t whylen, int *retriable)
{
	int64_t deadline = neoc_ssh_now_ms() + t->timeout_ms;
	struct neoc_ssh s = { .fd = -1 };
	const char *key;
	size_t klen;
	int rc, ktype, shook = 0;

	*retriable = 1;
	s.fd = connect_tcp(t->host, t->port, deadline, t->timeout_ms, why,
	    whylen, retriable);
	if (s.fd < 0)
		return -1;
	s.sess = libssh2_session_init();
	if (s.sess == NULL) {
		*retriable = 0;
		neoc_ssh_fail(why, whylen, "cannot create an SSH session");
		goto bad;
	}
	libssh2_session_set_blocking(s.sess, 0);
	prefer_known(s.sess, t->khpath, t->khname);
	NEOC_SSH_NB(rc, &s, deadline, libssh2_session_handshake(s.sess, s.fd));
	if (rc == LIBSSH2_ERROR_TIMEOUT) {
		neoc_ssh_fail(why, whylen, "SSH handshake timed out (%.1f s)",
		    t->timeout_ms / 1000.0);
		goto bad;
	}
	if (rc != 0) {
		neoc_ssh_fail(why, whylen, "SSH handshake failed: %s",
		    neoc_ssh_lasterr(s.sess));
		goto bad;
	}
	shook = 1;
	key = libssh2_session_hostkey(s.sess, &klen, &ktype);
	if (key == NULL) {
		neoc_ssh_fail(why, whylen, "the server sent no host key");
		goto bad;
	}
	if (neoc_kh_verify(t->khpath, t->khname, (const unsigned char *)key,
	    klen, t->accept_new, why, whylen) < 0) {
		*retriable = 0;
		goto bad;
	}
	if (authenticate(&s, t->user, t->keys, t->nkeys, deadline, why,
	    whylen, retriable) < 0)
		goto bad;
	*out = nc_malloc(sizeof(**out));
	**out = s;
	return 0;
bad:
	teardown(s.sess, s.fd, shook && !*retriable);
	return -1;
}

int
neoc_ssh_open(const char *host, int port, const struct neoc_ssh_opts *o,
    struct neoc_ssh **out, char *err, size_t errlen)
{
	static const struct neoc_ssh_opts none;
	struct target t = { .host = host, .port = port };
	char *where, why[768], msg[1024];
	int attempts, i, k, delay, retriable = 0, rc = -1;

	*out = NULL;
	if (o == NULL)
		o = &none;
	where = strchr(host, ':') != NULL ? nc_asprintf("[%s]:%d", host, port)
	    : nc_asprintf("%s:%d", host, port);
	if (neoc_ssh_global_init() < 0) {
		neoc_ssh_fail(err, errlen, "%s: libssh2 does not initialise",
		    where);
		goto out;
	}
	if (port < 1 || port > 65535 || *host == '\0') {
		neoc_ssh_fail(err, errlen, "%s: bad host or port", where);
		goto out;
	}
	if (neoc_ssh_files(o, &t.keys, &t.nkeys, &t.khpath, why,
	    sizeof(why)) < 0) {
		neoc_ssh_fail(err, errlen, "%s: %s", where, why);
		goto out;
	}
	t.user = o->user != NULL ? o->user : "root";
	t.khname = neoc_kh_name(host, port);
	t.accept_new = o->accept_new;
	t.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	attempts = 1 + (o->retries > 0 ? o->retries : 0);
	delay = o->backoff_ms > 0 ? o->backoff_ms : DEFAULT_BACKOFF_MS;
	for (i = 1;; i++) {
		if (attempt(&t, out, why, sizeof(why), &retriable) == 0) {
			(*out)->where = where;
			where = NULL;
			rc = 0;
			goto out;
		}
		if (!retriable || i >= attempts)
			break;
		if (o->progress != NULL) {
			snprintf(msg, sizeof(msg), "%s: attempt %d of %d in "
			    "%.1f s: %s", where, i + 1, attempts,
			    delay / 1000.0, why);
			o->progress(o->progress_arg, msg);
		}
		for (k = 0; k < delay && !(o->cancel && *o->cancel); k += 50)
			sleep_ms(delay - k < 50 ? delay - k : 50);
		if (o->cancel != NULL && *o->cancel) {
			snprintf(why, sizeof(why), "interrupted");
			retriable = 0;
			break;
		}
		delay = delay > MAX_BACKOFF_MS / 2 ? MAX_BACKOFF_MS : delay * 2;
	}
	if (retriable && attempts > 1)
		neoc_ssh_fail(err, errlen, "%s: %s after %d attempts", where,
		    why, attempts);
	else
		neoc_ssh_fail(err, errlen, "%s: %s", where, why);
out:
	for (i = 0; i < t.nkeys; i++)
		free(t.keys[i]);
	free(t.keys);
	free(t.khname);
	free(t.khpath);
	free(where);
	return rc;
}

void
neoc_ssh_close(struct neoc_ssh *s)
{
	if (s == NULL)
		return;
	teardown(s->sess, s->fd, !s->broken);
	free(s->where);
	free(s);
}

int
neoc_ssh_local_addr(struct neoc_ssh *s, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const void *a;

	if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return -1;
	return inet_ntop(ss.ss_family, a, buf, (socklen_t)len) ? 0 : -1;
}
