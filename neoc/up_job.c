/*
 * up_job.c: the work on each pnode, run by a bounded pool of threads: on
 * this machine ncprov runs as a child; on a pnode reached over SSH the
 * session is opened (with retries and backoff), ncprov installed when
 * missing or different, and run there.  Each job's output goes to its log
 * file; its phase and last message are what neoc up shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "ssh.h"
#include "up.h"
#include "util.h"

pthread_mutex_t neoc_job_mu = PTHREAD_MUTEX_INITIALIZER;
volatile sig_atomic_t neoc_interrupted;

static const char *const phase_names[] = {
	[NEOC_PH_WAITING] = "waiting", [NEOC_PH_CONNECTING] = "connecting",
	[NEOC_PH_INSTALLING] = "installing", [NEOC_PH_RUNNING] = "running",
	[NEOC_PH_DONE] = "done", [NEOC_PH_FAILED] = "failed",
};

const char *
neoc_phase_name(enum neoc_phase ph)
{
	return phase_names[ph];
}

double
neoc_elapsed(void)
{
	static struct timespec t0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (t0.tv_sec == 0 && t0.tv_nsec == 0)
		t0 = now;
	return (double)(now.tv_sec - t0.tv_sec) +
	    (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
}

void
neoc_job_set(struct neoc_job *j, enum neoc_phase ph, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&neoc_job_mu);
	j->phase = ph;
	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
	va_end(ap);
	j->seq++;
	pthread_mutex_unlock(&neoc_job_mu);
}

/* ncprov's argv: argv0, then the job's args with @GUEST@ replaced. */
static char **
job_argv(const struct neoc_job *j, const char *argv0, const char *guest)
{
	size_t n = 0, i;
	char **v;

	while (j->args[n] != NULL)
		n++;
	v = nc_calloc(n + 2, sizeof(*v));
	v[0] = (char *)argv0;
	for (i = 0; i < n; i++)
		v[i + 1] = strcmp(j->args[i], "@GUEST@") == 0 ?
		    (char *)guest : j->args[i];
	return v;
}

/* The last line of the log (the reason a run failed), into buf. */
static void
last_line(const char *log, char *buf, size_t len)
{
	char line[512];
	FILE *f;

	buf[0] = '\0';
	if ((f = fopen(log, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '\n') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line);
		}
	fclose(f);
}

/* The 9P address this machine's containers use: diod's own address
 * unless it listens on every address, then the control bridge's. */
static char *
local_guest(const struct neoc_up *u)
{
	const char *colon = strrchr(u->listen, ':');

	if (strncmp(u->listen, "0.0.0.0:", 8) == 0 || colon == NULL)
		return nc_asprintf("%s%s", NEOC_CONTROL_BRIDGE_ADDR,
		    colon ? colon : ":564");
	return nc_strdup(u->listen);
}

static int
run_local(struct neoc_job *j, int logfd)
{
	char *ncprov = neoc_sibling("ncprov"), *guest = local_guest(j->up);
	char **argv = job_argv(j, ncprov, guest);
	double t0 = neoc_elapsed();
	int status = 0, rc = -1;
	pid_t pid, w;

	neoc_job_set(j, NEOC_PH_RUNNING, "ncprov %s on this machine", j->role);
	pthread_mutex_lock(&neoc_job_mu);
	pid = neoc_spawn(argv, logfd);
	j->child = pid;
	pthread_mutex_unlock(&neoc_job_mu);
	if (pid < 0) {
		neoc_job_set(j, NEOC_PH_FAILED, "cannot run %s", ncprov);
		goto out;
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (neoc_interrupted ||
		    neoc_elapsed() - t0 > j->up->pnode_timeout) {
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			neoc_job_set(j, NEOC_PH_FAILED, neoc_interrupted ?
			    "interrupted" : "ncprov did not finish within "
			    "%.0f s", j->up->pnode_timeout);
			goto out;
		}
		usleep(50000);
	}
	j->status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
	rc = 0;
out:
	pthread_mutex_lock(&neoc_job_mu);
	j->child = 0;
	pthread_mutex_unlock(&neoc_job_mu);
	free(argv);
	free(guest);
	free(ncprov);
	return rc;
}

static void
ssh_progress(void *arg, const char *msg)
{
	neoc_job_set(arg, NEOC_PH_CONNECTING, "%s", msg);
}

/* The ncprov to install: a static build when there is one at least as
 * new as the plain one (a stale static build is not sent). */
static char *
local_ncprov(void)
{
	char *st = neoc_sibling("ncprov-static"), *dyn = neoc_sibling("ncprov");
	struct stat a, b;

	if (strchr(st, '/') != NULL && stat(st, &a) == 0 &&
	    (stat(dyn, &b) < 0 || a.st_mtime >= b.st_mtime)) {
		free(dyn);
		return st;
	}
	free(st);
	return dyn;
}

static int
run_remote(struct neoc_job *j, int logfd)
{
	const struct neoc_up *u = j->up;
	struct neoc_ssh_opts o = {
		.user = u->user, .identity = u->identity,
		.known_hosts = u->known_hosts, .accept_new = u->accept_new,
		.timeout_ms = (int)(u->connect_timeout * 1000),
		.retries = u->retries, .progress = ssh_progress,
		.cancel = &neoc_interrupted,
		.progress_arg = j,
	};
	char err[512], addr[64], *guest = NULL, *src = NULL, **argv = NULL;
	const char *colon = strrchr(u->listen, ':');
	struct neoc_ssh *s = NULL;
	int rc = -1, r;

	neoc_job_set(j, NEOC_PH_CONNECTING, "connecting to %s:%d", j->pn->host,
	    j->pn->port);
	if (neoc_ssh_open(j->pn->host, j->pn->port, &o, &s, err,
	    sizeof(err)) < 0) {
		neoc_job_set(j, NEOC_PH_FAILED, "%s", err);
		goto out;
	}
	if (neoc_interrupted)
		goto interrupted;
	/* The control node's address as the pnode sees it. */
	if (strncmp(u->listen, "0.0.0.0:", 8) == 0) {
		if (neoc_ssh_local_addr(s, addr, sizeof(addr)) < 0) {
			neoc_job_set(j, NEOC_PH_FAILED, "no local address for "
			    "the SSH connection");
			goto out;
		}
		guest = nc_asprintf("%s%s", addr, colon);
	} else
		guest = nc_strdup(u->listen);
	src = local_ncprov();
	neoc_job_set(j, NEOC_PH_INSTALLING, "installing %s", u->remote_ncprov);
	if ((r = neoc_ssh_install(s, src, u->remote_ncprov, 0755, err,
	    sizeof(err))) < 0) {
		neoc_job_set(j, NEOC_PH_FAILED, "installing ncprov: %s", err);
		goto out;
	}
	if (neoc_interrupted)
		goto interrupted;
	argv = job_argv(j, u->remote_ncprov, guest);
	neoc_job_set(j, NEOC_PH_RUNNING, "ncprov %s on %s (%s)", j->role,
	    j->pn->host, r ? "installed" : "already there");
	if (neoc_ssh_run(s, argv, logfd, logfd, (int)(u->pnode_timeout *
	    1000), &j->status, err, sizeof(err)) < 0) {
		neoc_job_set(j, NEOC_PH_FAILED, "%s", err);
		goto out;
	}
	rc = 0;
	goto out;
interrupted:
	neoc_job_set(j, NEOC_PH_FAILED, "interrupted");
out:
	if (s != NULL)
		neoc_ssh_close(s);
	free(argv);
	free(guest);
	free(src);
	return rc;
}

static void
run_job(struct neoc_job *j)
{
	char why[sizeof(((struct neoc_job *)0)->msg)];
	int logfd, rc;

	j->status = -1;
	logfd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		neoc_job_set(j, NEOC_PH_FAILED, "%s: %s", j->log,
		    strerror(errno));
		return;
	}
	rc = j->pn->host == NULL ? run_local(j, logfd) : run_remote(j, logfd);
	close(logfd);
	if (rc < 0)
		return;
	if (j->status == 0) {
		neoc_job_set(j, NEOC_PH_DONE, "ncprov %s done", j->role);
		return;
	}
	last_line(j->log, why, sizeof(why));
	neoc_job_set(j, NEOC_PH_FAILED, "ncprov %s exited %d%s%s (log %s)",
	    j->role, j->status, why[0] ? ": " : "", why, j->log);
}

static void *
worker(void *arg)
{
	struct neoc_pool *pool = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&neoc_job_mu);
		i = pool->next < pool->n && !neoc_interrupted ? pool->next++ :
		    pool->n;
		pthread_mutex_unlock(&neoc_job_mu);
		if (i == pool->n)
			break;
		run_job(&pool->jobs[i]);
		pthread_mutex_lock(&neoc_job_mu);
		pool->finished++;
		pthread_mutex_unlock(&neoc_job_mu);
	}
	return NULL;
}

int
neoc_pool_start(struct neoc_pool *pool, int parallel)
{
	size_t i, want = parallel > 0 ? (size_t)parallel : 1;

	if (want > pool->n)
		want = pool->n;
	if (neoc_ssh_global_init() < 0) {
		fprintf(stderr, "neoc: libssh2 does not initialise\n");
		return -1;
	}
	pool->threads = nc_calloc(want ? want : 1, sizeof(*pool->threads));
	for (i = 0; i < want; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker, pool) != 0)
			break;
		pool->nthreads++;
	}
	if (want > 0 && pool->nthreads == 0) {
		fprintf(stderr, "neoc: cannot start a thread\n");
		return -1;
	}
	return 0;
}

size_t
neoc_pool_finished(struct neoc_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&neoc_job_mu);
	n = pool->finished;
	pthread_mutex_unlock(&neoc_job_mu);
	return n;
}

void
neoc_pool_join(struct neoc_pool *pool)
{
	size_t i;

	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	free(pool->threads);
	pool->threads = NULL;
	pool->nthreads = 0;
}
