/*
 * run.c: fork and execve a program with an argument vector, optionally as
 * another user, with its output in a file descriptor or a buffer, and
 * wait for it with a timeout (run.h).
 *
 * The child tells the parent why it could not start through a close-on-
 * exec pipe: the parent reads the errno, or end of file once the exec
 * succeeded.  The wait watches a pidfd (Linux 5.3 and later) and, where
 * there is none, polls waitpid() with growing sleeps; a capture pipe is
 * read meanwhile.  When the program exits, whatever it wrote so far is
 * taken and the pipe left: a daemon it started may keep the pipe open.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

extern char **environ;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: report errno e to the parent and exit. */
static void __attribute__((noreturn))
child_fail(int errfd, int e)
{
	ssize_t w = write(errfd, &e, sizeof(e));

	(void)w;
	_exit(127);
}

/* In the child: set up and exec; never returns. */
static void __attribute__((noreturn))
child(const struct ncp_cmd *c, int errfd, int outfd)
{
	int fd;

	setpgid(0, 0);
	/* The parent may ignore or block signals: the program gets the
	 * defaults. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0)
		child_fail(errfd, errno);
	if (dup2(fd, 0) < 0)
		child_fail(errfd, errno);
	if (fd != 0)
		close(fd);
	if (outfd >= 0 && (dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0))
		child_fail(errfd, errno);
	if (outfd > 2)
		close(outfd);
	if (c->setid) {
		if (setgroups(c->ngroups, c->groups) < 0 ||
		    setgid(c->gid) < 0 || setuid(c->uid) < 0)
			child_fail(errfd, errno);
	}
	/* After setuid: a home directory on a root-squashed mount may
	 * admit only its owner. */
	if (c->cwd != NULL && chdir(c->cwd) < 0)
		child_fail(errfd, errno);
	execve(c->argv[0], c->argv, c->envp ? c->envp : environ);
	child_fail(errfd, errno);
}

/* Read what is there from fd into cap (keeping at most the maximum);
 * 0 at end of file, 1 when more may come. */
static int
drain(int fd, struct nc_buf *cap)
{
	char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			size_t room = cap->len < NCP_CAPTURE_MAX ?
			    NCP_CAPTURE_MAX - cap->len : 0;

			nc_buf_add(cap, chunk, (size_t)n < room ? (size_t)n :
			    room);
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 1 : 0;
	}
}

static int
pidfd_for(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Kill the program's process group (and the program itself, should it
 * have left the group) and reap it. */
static void
kill_and_reap(pid_t pid)
{
	int st;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Wait for pid, reading capfd (-1: none) into cap; the wait status, or
 * -ETIMEDOUT. */
static int
wait_for(pid_t pid, int capfd, struct nc_buf *cap, int timeout_ms)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	int pidfd = pidfd_for(pid), nap = 1, st = 0, rc;
	struct pollfd fds[2];
	pid_t w;

	if (capfd >= 0)
		fcntl(capfd, F_SETFL, fcntl(capfd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		int nfds = 0, wait_ms = -1;

		if ((w = waitpid(pid, &st, WNOHANG)) == pid) {
			if (capfd >= 0)
				drain(capfd, cap);
			rc = st;
			break;
		}
		if (w < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				kill_and_reap(pid);
				rc = -ETIMEDOUT;
				break;
			}
			wait_ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		if (capfd >= 0)
			fds[nfds++] = (struct pollfd){ capfd, POLLIN, 0 };
		if (pidfd >= 0) {
			fds[nfds++] = (struct pollfd){ pidfd, POLLIN, 0 };
		} else {
			/* No pidfd: come back to waitpid() soon. */
			if (wait_ms < 0 || wait_ms > nap)
				wait_ms = nap;
			if (nap < 50)
				nap *= 2;
		}
		if (poll(fds, (nfds_t)nfds, wait_ms) < 0 && errno != EINTR) {
			rc = -errno;
			kill_and_reap(pid);
			break;
		}
		if (capfd >= 0 && fds[0].revents != 0 &&
		    drain(capfd, cap) == 0) {
			close(capfd);
			capfd = -1;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (capfd >= 0)
		close(capfd);
	return rc;
}

int
ncp_run(const struct ncp_cmd *c)
{
	int errp[2] = { -1, -1 }, capp[2] = { -1, -1 }, outfd = c->out_fd;
	int e = 0, rc;
	ssize_t n;
	pid_t pid;

	if (pipe2(errp, O_CLOEXEC) < 0)
		return -errno;
	if (c->capture != NULL) {
		if (pipe2(capp, O_CLOEXEC) < 0) {
			rc = -errno;
			goto out;
		}
		outfd = capp[1];
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		close(errp[0]);
		if (capp[0] >= 0)
			close(capp[0]);
		child(c, errp[1], outfd);
	}
	/* Both sides set the group: whichever runs first. */
	setpgid(pid, pid);
	close(errp[1]);
	errp[1] = -1;
	if (capp[1] >= 0) {
		close(capp[1]);
		capp[1] = -1;
	}
	while ((n = read(errp[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e)) {
		/* It never ran: reap the child that reported why. */
		while (waitpid(pid, &rc, 0) < 0 && errno == EINTR)
			;
		rc = -e;
		goto out;
	}
	rc = wait_for(pid, capp[0], c->capture, c->timeout_ms);
	capp[0] = -1;		/* wait_for closed it */
	if (rc < 0)
		goto out;
	if (WIFEXITED(rc))
		rc = WEXITSTATUS(rc);
	else if (WIFSIGNALED(rc))
		rc = 128 + WTERMSIG(rc);
	else
		rc = -EIO;
out:
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (capp[0] >= 0)
		close(capp[0]);
	if (capp[1] >= 0)
		close(capp[1]);
	return rc;
}

static int
is_exec(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* dir/name when it is an executable regular file; malloc'd or NULL. */
static char *
exec_in(const char *dir, size_t dlen, const char *name)
{
	char *path = nc_asprintf("%.*s/%s", (int)dlen, dir, name);

	if (is_exec(path))
		return path;
	free(path);
	return NULL;
}

char *
ncp_which(const char *name)
{
	static const char *const dirs[] = {
		"/sbin", "/usr/sbin", "/bin", "/usr/bin", "/usr/local/sbin",
		"/usr/local/bin", NULL,
	};
	const char *path = getenv("PATH"), *s, *colon;
	char *found;
	int i;

	if (strchr(name, '/') != NULL)
		return is_exec(name) ? nc_strdup(name) : NULL;
	for (i = 0; dirs[i] != NULL; i++)
		if ((found = exec_in(dirs[i], strlen(dirs[i]), name)) != NULL)
			return found;
	for (s = path; s != NULL && *s != '\0'; s = colon ? colon + 1 : NULL) {
		colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		if (len > 0 && s[0] == '/' &&
		    (found = exec_in(s, len, name)) != NULL)
			return found;
	}
	return NULL;
}

char *
ncp_argv_str(char *const *argv)
{
	struct nc_buf b = { 0 };
	const char *base;
	char *s;
	int i;

	for (i = 0; argv[i] != NULL; i++) {
		base = argv[i];
		if (i == 0 && strrchr(base, '/') != NULL)
			base = strrchr(base, '/') + 1;
		nc_buf_printf(&b, "%s%s", i ? " " : "", base);
	}
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

char *
ncp_self_binary(const char *name)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if (name == NULL)
		return nc_strdup(self);
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	path = nc_asprintf("%s/%s", self, name);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

int
ncp_run_noting(char **argv, int timeout_ms, struct nc_buf *errs)
{
	struct nc_buf out = { 0 };
	char *line = ncp_argv_str(argv), *prog, *bare = argv[0];
	int rc, ret = -1;

	if ((prog = ncp_which(bare)) == NULL) {
		nc_buf_printf(errs, "%s%s: no %s command", errs->len ? "; " :
		    "", line, bare);
		goto out;
	}
	argv[0] = prog;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = timeout_ms });
	argv[0] = bare;
	if (rc != 0) {
		while (out.len > 0 && isspace((unsigned char)
		    out.p[out.len - 1]))
			out.p[--out.len] = '\0';
		nc_buf_printf(errs, "%s%s: %s%s%s", errs->len ? "; " : "",
		    line, rc < 0 ? strerror(-rc) : "failed",
		    out.len ? ": " : "", nc_buf_str(&out));
		goto out;
	}
	ret = 0;
out:
	free(prog);
	free(line);
	nc_buf_free(&out);
	return ret;
}
