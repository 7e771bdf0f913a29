/*
 * agent.c: the container's provisioning agent (agent.h; docs/DESIGN.md,
 * "Roles and steps", agent).  `ncprov container` starts it at the end of
 * a run (ncp_agent_start) when none runs yet: a process of the container,
 * nobody's child but init's, that waits on UDP port NCP_AGENT_PORT for a
 * wake from its pnode and then runs `ncprov container` again (its own
 * binary, /proc/self/exe, with the options of the run that started it,
 * NCPROV_AGAIN=1 and NCPROV_SCOPED=1 unless the wake asked "full").  So an
 * edit reaches a running container without lxc-attach, which cost the
 * pnode some 30 ms of CPU per container (the container's configuration
 * parsed, its namespaces, cgroups and confinement found again each time):
 * the agent already is inside all of them.
 *
 * It answers a wake at once ("ack"), takes the wakes that came meanwhile
 * too (one run serves them all: each came before the run began), runs,
 * and answers each with the exit status and the run's last line ("done").
 * One agent per container: it holds an flock on NCP_AGENT_LOCK for its
 * whole life (taken by the starting run before the fork, so two runs
 * ending together do not both start one); its pid is in NCP_AGENT_PID,
 * its output and its runs' in NCP_AGENT_LOG.  It holds no connection to
 * the tree while it waits.  Only from a run that read its source and node
 * from the boot file /etc/neoc/node (the boot hook's, lxc-attach's: a
 * node's own; not a test's --tree/--9p run), and not under --root,
 * --dry-run, --no-start or NCPROV_NO_AGENT=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "container_steps.h"
#include "util.h"

#define RUN_TIMEOUT_MS (300 * 1000)	/* a run's time at most */
#define OUT_KEEP 4096			/* bytes of a run's output kept */
#define WAKES_MAX 64			/* wakes one run answers at most */

extern char **environ;

/* A wake to answer: who sent it, its number. */
struct wake {
	struct sockaddr_in from;	/* the waker's address */
	unsigned long long seq;		/* its SEQ */
};

/* What a run needs: the options of the run that started the agent. */
struct agent {
	char *argv[12];			/* ncprov OPTIONS container */
	int sock;			/* the UDP socket */
};

static void
send_to(int sock, const struct sockaddr_in *to, const char *msg)
{
	sendto(sock, msg, strlen(msg), MSG_DONTWAIT,
	    (const struct sockaddr *)to, sizeof(*to));
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The last non-empty line of the len bytes of s into line (size n). */
static void
last_line(const char *s, size_t len, char *line, size_t n)
{
	size_t end = len, start;

	while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	if (end - start >= n)
		end = start + n - 1;
	memcpy(line, s + start, end - start);
	line[end - start] = '\0';
}

/*
 * Run `ncprov ... container` (full or scoped), its output appended to the
 * log (our stdout); its exit status (124 when it took too long, 127 when
 * it did not start), its last line into line.
 */
static int
run_once(struct agent *a, int full, char *line, size_t n)
{
	char out[OUT_KEEP], buf[OUT_KEEP / 4];
	size_t len = 0;
	long long deadline = now_ms() + RUN_TIMEOUT_MS;
	int fds[2], status = 0, killed = 0, exited = 0, rc;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	ssize_t r;

	line[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return 127;
	fflush(stdout);
	/* posix_spawn (a vfork): no copy of the agent's page tables, which
	 * a fork per run cost the pnode's CPU */
	setenv("NCPROV_AGAIN", "1", 1);
	setenv("NCPROV_SCOPED", full ? "0" : "1", 1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, a->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	unsetenv("NCPROV_AGAIN");
	unsetenv("NCPROV_SCOPED");
	close(fds[1]);
	if (rc != 0) {
		printf("--- agent: /proc/self/exe: %s\n", strerror(rc));
		close(fds[0]);
		return 127;
	}
	/* until the run ends and its output is read: not until the pipe's
	 * end, which a daemon the run started (sshd) could hold */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pf = { fds[0], POLLIN, 0 };

		poll(&pf, 1, exited ? 0 : 100);
		if ((r = read(fds[0], buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, (size_t)r, stdout);
			/* keep the tail (buf is smaller than out): the last
			 * line is what is answered */
			if (len + (size_t)r > sizeof(out)) {
				size_t drop = len + (size_t)r - sizeof(out);

				memmove(out, out + drop, len - drop);
				len -= drop;
			}
			memcpy(out + len, buf, (size_t)r);
			len += (size_t)r;
			continue;
		}
		if (r == 0 || exited)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;	/* read what is left, then go */
			continue;
		}
		if (!killed && now_ms() >= deadline) {
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	close(fds[0]);
	fflush(stdout);
	while (!exited && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	last_line(out, len, line, n);
	if (killed)
		return 124;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Take a message from the socket (wait up to wait_ms; -1: forever) into
 * w when it is a wake; 1 when it was one, 0 when none came. */
static int
take_wake(struct agent *a, int wait_ms, struct wake *w, int *full)
{
	char buf[NCP_AGENT_MSG_MAX + 1];
	struct ncp_agent_msg m;
	socklen_t alen = sizeof(w->from);
	struct pollfd pf = { a->sock, POLLIN, 0 };
	ssize_t r;

	for (;;) {
		if (poll(&pf, 1, wait_ms) <= 0)
			return 0;
		alen = sizeof(w->from);
		r = recvfrom(a->sock, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&w->from, &alen);
		if (r < 0)
			return 0;
		if (ncp_agent_parse(buf, (size_t)r, &m) < 0 ||
		    strcmp(m.kind, "wake") != 0 || alen != sizeof(w->from))
			continue;	/* not for us: wait for the next */
		w->seq = m.seq;
		*full |= m.full;
		snprintf(buf, sizeof(buf), "ncprov-ack %llu\n", m.seq);
		send_to(a->sock, &w->from, buf);
		return 1;
	}
}

static void __attribute__((noreturn))
agent_loop(struct agent *a)
{
	struct wake w[WAKES_MAX];
	char line[NCP_AGENT_MSG_MAX - 64], msg[NCP_AGENT_MSG_MAX];
	size_t n, i;
	int full, rc;

	for (;;) {
		full = 0;
		if (!take_wake(a, -1, &w[0], &full))
			continue;
		/* the wakes already here are served by the same run */
		for (n = 1; n < WAKES_MAX && take_wake(a, 0, &w[n], &full);
		    n++)
			;
		printf("--- agent: %zu wake%s, %s run\n", n, n == 1 ? "" :
		    "s", full ? "full" : "scoped");
		rc = run_once(a, full, line, sizeof(line));
		printf("--- agent: exit %d\n", rc);
		fflush(stdout);
		for (i = 0; i < n; i++) {
			snprintf(msg, sizeof(msg), "ncprov-done %llu %d %s\n",
			    w[i].seq, rc, line);
			send_to(a->sock, &w[i].from, msg);
		}
	}
}

/* In the agent: the socket, the files, then wait for wakes (no return). */
static void __attribute__((noreturn))
agent_main(struct agent *a, int lock)
{
	struct sockaddr_in sin;
	int fd, one = 1;
	char pid[32];

	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	mkdir("/var/log/neoc", 0755);
	if ((fd = open(NCP_AGENT_LOG, O_WRONLY | O_CREAT | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	/* every other descriptor of the run that started us goes (its 9P
	 * socket, its caller's pipes: lxc-attach's waits for their end) */
	for (fd = 3; fd < 1024; fd++)
		if (fd != lock)
			close(fd);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	prctl(PR_SET_NAME, "ncprov-agent", 0, 0, 0);	/* ps, bench/edit */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((a->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		printf("--- agent: socket: %s\n", strerror(errno));
		_exit(1);
	}
	setsockopt(a->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(NCP_AGENT_PORT);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(a->sock, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("--- agent: UDP port %d: %s\n", NCP_AGENT_PORT,
		    strerror(errno));
		_exit(1);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if ((fd = open(NCP_AGENT_PID ".tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0) {
		if (write(fd, pid, strlen(pid)) < 0)
			(void)0;
		close(fd);
		rename(NCP_AGENT_PID ".tmp", NCP_AGENT_PID);
	}
	printf("--- agent: pid %ld, UDP port %d\n", (long)getpid(),
	    NCP_AGENT_PORT);
	agent_loop(a);
}

int
ncp_agent_start(struct ncprov *p)
{
	struct agent a = { 0 };
	const char *v = getenv("NCPROV_NO_AGENT");
	int lock, k = 0, status;
	pid_t pid;

	if (!p->from_boot || p->dry_run || p->no_start || p->root[0] != '\0' ||
	    (v != NULL && strcmp(v, "1") == 0))
		return 0;
	mkdir("/run/neoc", 0755);
	if ((lock = open(NCP_AGENT_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0)
		return -errno;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		close(lock);		/* one runs already */
		return 0;
	}
	a.argv[k++] = "ncprov";
	a.argv[k++] = "--node";
	a.argv[k++] = (char *)p->node;
	if (p->tree != NULL) {
		a.argv[k++] = "--tree";
		a.argv[k++] = (char *)p->tree;
	} else if (p->ninep != NULL) {
		a.argv[k++] = "--9p";
		a.argv[k++] = (char *)p->ninep;
		a.argv[k++] = "--aname";
		a.argv[k++] = (char *)(p->aname ? p->aname : "/nc");
	}
	a.argv[k++] = "container";
	a.argv[k] = NULL;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(lock);
		return -errno;
	}
	if (pid == 0) {
		/* a session of its own, then the agent: init's child */
		setsid();
		if (fork() != 0)
			_exit(0);
		agent_main(&a, lock);
	}
	close(lock);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	printf("agent: started (UDP port %d)\n", NCP_AGENT_PORT);
	return 1;
}
