/*
 * test_backlog.c: neoc serve's raising of diod's listen backlog
 * (neoc/serve_backlog.c), against a child that listens as diod does,
 * with a backlog of 5, and never accepts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "serve_backlog.h"

#define CLIENTS 40	/* connections made to the child at once */

/* A child listening on 127.0.0.1 (backlog 5), never accepting; its pid,
 * *port its port. */
static pid_t
listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd, p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (listen(fd, 5) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fd);
	close(p[1]);
	{
		char c;

		assert_int_equal(read(p[0], &c, 1), 1);
	}
	close(p[0]);
	return pid;
}

/* How many of CLIENTS connections to port are made within ms. */
static int
connected(int port, int ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd fds[CLIENTS];
	int i, n = 0, left = ms;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	for (i = 0; i < CLIENTS; i++) {
		fds[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fds[i].fd >= 0);
		fds[i].events = POLLOUT;
		if (connect(fds[i].fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			assert_int_equal(errno, EINPROGRESS);
	}
	while (left > 0) {
		poll(fds, CLIENTS, 50);
		left -= 50;
	}
	poll(fds, CLIENTS, 0);
	for (i = 0; i < CLIENTS; i++) {
		int err = 1;
		socklen_t l = sizeof(err);

		if ((fds[i].revents & POLLOUT) &&
		    getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 &&
		    err == 0)
			n++;
		close(fds[i].fd);
	}
	return n;
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * With its own backlog of 5 the child's queue takes only a few of the
 * 40 connections (the rest of the SYNs are dropped, to be sent again a
 * second later); once neoc_raise_backlog has set it to 64 from outside,
 * all 40 are made at once.
 */
static void
test_raise_backlog(void **state)
{
	char why[256] = "";
	int port, n;
	pid_t pid;

	(void)state;
	pid = listener(&port);
	n = connected(port, 300);
	stop(pid);
	assert_true(n < CLIENTS);	/* the small queue overflows */

	pid = listener(&port);
	n = neoc_raise_backlog(pid, 64, 2000, why, sizeof(why));
	assert_int_equal(n, 1);		/* its one listening socket */
	assert_int_equal(connected(port, 300), CLIENTS);
	stop(pid);
}

/* A process that listens on nothing: a timeout, said. */
static void
test_raise_backlog_none(void **state)
{
	char why[256] = "";
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(neoc_raise_backlog(pid, 64, 100, why, sizeof(why)),
	    -ETIMEDOUT);
	assert_non_null(strstr(why, "listened on no TCP socket"));
	stop(pid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raise_backlog),
		cmocka_unit_test(test_raise_backlog_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
