/*
 * serve_backlog.h: raising the listen backlog of diod's sockets from
 * outside (Debian's diod, 1.0.24, calls listen(fd, 5) with no option to
 * change it).
 */
#ifndef NEOC_SERVE_BACKLOG_H
#define NEOC_SERVE_BACKLOG_H

#include <stddef.h>
#include <sys/types.h>

/* The backlog neoc serve gives diod's listening sockets (the kernel caps
 * it at net.core.somaxconn). */
#define NEOC_DIOD_BACKLOG 4096

/*
 * Wait (timeout_ms at most) until process pid listens on a TCP socket,
 * then call listen(2) again on each of its listening sockets with
 * backlog, through a copy of the descriptor (pidfd_getfd(2)): a second
 * listen on a listening socket only sets its backlog, and the socket is
 * the process's own, so its accept queue grows.  The number of sockets
 * changed, or -errno with why.
 */
int neoc_raise_backlog(pid_t pid, int backlog, int timeout_ms, char *why,
    size_t len);

#endif
