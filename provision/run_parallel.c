/*
 * run_parallel.c: running a batch of programs at once (run.h,
 * ncp_run_parallel): each job in a child of its own that runs it with
 * ncp_run and hands its status and the start of its output back through a
 * pipe; at most max at a time.  The container backends start, stop and
 * provision their guests with it, max being ncprov's --jobs.  A job's
 * timeout starts when its child does, so the time it spent waiting for a
 * place in the batch is never counted against it.  A gated job's child
 * then waits, stat(2) every GATE_POLL_MS, for its gate file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

#define JOB_OUT_MAX 4000			/* output kept per job */
#define GATE_POLL_MS 50				/* between two looks */

/* 1 when path appeared within ms, else 0. */
static int
gate_wait(const char *path, int ms)
{
	struct timespec nap = { 0, GATE_POLL_MS * 1000000L };
	struct stat st;
	int waited;

	for (waited = 0; ; waited += GATE_POLL_MS) {
		if (stat(path, &st) == 0)
			return 1;
		if (waited >= ms)
			return 0;
		nanosleep(&nap, NULL);
	}
}

/* Start job j in a child that runs it and writes its status and output
 * to a pipe; the child's pid, or -errno.  *fd gets the pipe. */
static pid_t
job_start(struct ncp_job *j, int timeout_ms, int *fd)
{
	int pfd[2], e;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -e;
	}
	if (pid == 0) {
		struct nc_buf out = { 0 };
		size_t len;
		int rc, gated = 0;

		close(pfd[0]);
		rc = ncp_run(&(struct ncp_cmd){ .argv = j->argv,
		    .envp = j->envp, .cwd = j->cwd, .out_fd = -1,
		    .capture = &out, .timeout_ms = timeout_ms });
		if (rc == 0 && j->gate != NULL)
			gated = gate_wait(j->gate, j->gate_ms);
		len = out.len < JOB_OUT_MAX ? out.len : JOB_OUT_MAX;
		/* Less than a pipe's buffer: these never block. */
		if (write(pfd[1], &rc, sizeof(rc)) < 0 ||
		    write(pfd[1], &gated, sizeof(gated)) < 0 ||
		    (len > 0 && write(pfd[1], out.p, len) < 0))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	*fd = pfd[0];
	return pid;
}

/* A job whose child has closed its pipe: reap it, take its result. */
static void
job_finish(struct ncp_job *j, pid_t pid, struct nc_buf *raw)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (raw->len < sizeof(j->rc) + sizeof(j->gated)) {
		j->rc = -EIO;
		return;
	}
	memcpy(&j->rc, raw->p, sizeof(j->rc));
	memcpy(&j->gated, raw->p + sizeof(j->rc), sizeof(j->gated));
	nc_buf_add(&j->out, raw->p + sizeof(j->rc) + sizeof(j->gated),
	    raw->len - sizeof(j->rc) - sizeof(j->gated));
}

size_t
ncp_jobs_default(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		cpus = 1;
	if (cpus > NCP_JOBS_MAX / NCP_JOBS_PER_CPU)
		return NCP_JOBS_MAX;
	return (size_t)cpus * NCP_JOBS_PER_CPU;
}

int
ncp_run_parallel(struct ncp_job *jobs, size_t n, size_t max, int timeout_ms)
{
	struct slot {
		pid_t pid;		/* its child */
		int fd;			/* the child's pipe, -1: free */
		size_t job;		/* which job */
		struct nc_buf raw;	/* what came through the pipe */
	} *slots;
	struct pollfd *fds;
	size_t next = 0, running = 0, i, k, nslots;
	char chunk[4096];
	ssize_t r;
	int rc = 0;

	if (n == 0)
		return 0;
	nslots = max == 0 || max > n ? n : max;
	slots = nc_calloc(nslots, sizeof(*slots));
	fds = nc_calloc(nslots, sizeof(*fds));
	for (i = 0; i < nslots; i++)
		slots[i].fd = -1;
	while (next < n || running > 0) {
		for (i = 0; i < nslots && next < n; i++) {
			if (slots[i].fd >= 0)
				continue;
			pid_t pid = job_start(&jobs[next], timeout_ms,
			    &slots[i].fd);

			if (pid < 0) {
				jobs[next++].rc = (int)pid;
				slots[i].fd = -1;
				continue;
			}
			slots[i].pid = pid;
			slots[i].job = next++;
			nc_buf_reset(&slots[i].raw);
			running++;
		}
		if (running == 0)
			continue;
		for (i = 0, k = 0; i < nslots; i++)
			if (slots[i].fd >= 0)
				fds[k++] = (struct pollfd){ slots[i].fd,
				    POLLIN, 0 };
		if (poll(fds, (nfds_t)k, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		for (i = 0; i < nslots; i++) {
			if (slots[i].fd < 0)
				continue;
			for (k = 0; fds[k].fd != slots[i].fd; k++)
				;
			if (fds[k].revents == 0)
				continue;
			r = read(slots[i].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				nc_buf_add(&slots[i].raw, chunk, (size_t)r);
				continue;
			}
			close(slots[i].fd);
			slots[i].fd = -1;
			job_finish(&jobs[slots[i].job], slots[i].pid,
			    &slots[i].raw);
			running--;
		}
	}
	for (i = 0; i < nslots; i++) {
		if (slots[i].fd >= 0) {	/* only after a failed poll */
			close(slots[i].fd);
			kill(-slots[i].pid, SIGKILL);
			job_finish(&jobs[slots[i].job], slots[i].pid,
			    &slots[i].raw);
		}
		nc_buf_free(&slots[i].raw);
	}
	free(slots);
	free(fds);
	return rc;
}
