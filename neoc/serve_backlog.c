/*
 * serve_backlog.c: neoc serve raises diod's listen backlog
 * (serve_backlog.h).  diod listens with a backlog of 5
 * (src/libdiod/diod_sock.c), and has neither an option for it nor socket
 * activation; when hundreds of containers boot at once their SYNs
 * overflow that queue and are dropped, and each client waits for its
 * SYN's retransmission (1 s, 3 s, 7 s ...).  Linux lets another process
 * holding the socket change its backlog: listen(2) on a socket already
 * listening only sets sk_max_ack_backlog.  neoc serve, diod's parent
 * (root), takes a copy of each of diod's listening TCP sockets with
 * pidfd_getfd(2) (Linux 5.6) and calls listen(copy, backlog).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "serve_backlog.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Is fd a listening stream socket of the internet families? */
static int
listening_inet(int fd)
{
	int on = 0, type = 0, domain = 0;
	socklen_t l = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &l) < 0 || !on)
		return 0;
	l = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 ||
	    type != SOCK_STREAM)
		return 0;
	l = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0)
		return 0;
	return domain == AF_INET || domain == AF_INET6;
}

/* One pass over pid's descriptors: the number of listening sockets whose
 * backlog was set, or -errno. */
static int
raise_once(int pidfd, pid_t pid, int backlog)
{
	char dir[64];
	struct dirent *de;
	int n = 0, fd, target;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char link[64], *end;
		ssize_t r;

		target = (int)strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%ld/fd/%d", (long)pid,
		    target);
		r = readlink(dir, link, sizeof(link) - 1);
		if (r < 0)
			continue;
		link[r] = '\0';
		if (strncmp(link, "socket:", 7) != 0)
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
		if (fd < 0)
			continue;
		if (listening_inet(fd) && listen(fd, backlog) == 0)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

int
neoc_raise_backlog(pid_t pid, int backlog, int timeout_ms, char *why,
    size_t len)
{
	struct timespec pause = { 0, 20 * 1000000L };
	int pidfd, n = 0, waited = 0, e;

	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		e = errno;
		snprintf(why, len, "pidfd_open(%ld): %s", (long)pid,
		    strerror(e));
		return -e;
	}
	while ((n = raise_once(pidfd, pid, backlog)) == 0 &&
	    waited < timeout_ms) {
		nanosleep(&pause, NULL);
		waited += 20;
	}
	close(pidfd);
	if (n < 0) {
		snprintf(why, len, "pid %ld's descriptors: %s", (long)pid,
		    strerror(-n));
		return n;
	}
	if (n == 0) {
		snprintf(why, len, "pid %ld listened on no TCP socket within "
		    "%d ms", (long)pid, timeout_ms);
		return -ETIMEDOUT;
	}
	return n;
}
