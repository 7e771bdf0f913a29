/*
 * startcmd_sup.c: the start command's supervisor (startcmd.h).  The step
 * (startcmd.c) calls ncp_start_supervise, which forks; the child makes a
 * session of its own and forks the supervisor, then exits, so the
 * supervisor is nobody's child but init's (or the container's subreaper)
 * and lives on after ncprov exits.  The supervisor:
 *
 *   - closes every descriptor it inherited (the step's 9P socket among
 *     them: its connection is not shared), stdin /dev/null, stdout and
 *     stderr the log;
 *   - forks the command: /bin/sh -c CMD in a process group of its own, as
 *     the user (setgroups, setgid, setuid), in the user's home, with
 *     HOME USER LOGNAME SHELL PATH; a command that cannot start says why
 *     in the log and exits 127;
 *   - writes the state file (running, its pid and the group) and tells
 *     the step the group through a pipe;
 *   - waits, with no time limit; then "--- exit N" or "--- killed by
 *     signal S" into the log, "exited N TIME" or "killed SIG TIME" into
 *     the state file and into nodes/<node>/startstatus through a new
 *     connection to the tree (--tree DIR, or --9p HOST:PORT again: tried
 *     6 times over about 30 s when the server is away), and exits.
 *
 * Killing the supervisor (SIGKILL, as the step does when the command
 * changed) leaves nothing written; the step writes what it did itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "startcmd.h"
#include "util.h"

#define PATH_VALUE "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
	"/sbin:/bin"
#define WRITE_ATTEMPTS 6	/* startstatus writes tried at the end */
#define NINEP_TIMEOUT_MS 10000	/* connect and reply, as ncprov's default */

int
ncp_start_state_write(struct ncprov *p, const char *boot, const char *line,
    pid_t sup, pid_t pgid, const char *cmd)
{
	char *text = nc_asprintf("%s\n%s\n%ld %ld\n%s\n", boot, line,
	    (long)sup, (long)pgid, cmd);
	int rc;

	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) == 0)
		rc = ncp_replace(p, NCP_START_STATE, text, strlen(text), 0644,
		    0, 0);
	free(text);
	return rc < 0 ? rc : 0;
}

/* Write line + "\n" into nodes/<node>/startstatus of source s. */
static int
put_status(struct ncp_source *s, const char *node, const char *line)
{
	char path[NCT_PATH_MAX], *text;
	int rc;

	if ((rc = nct_path(path, sizeof(path), NCT_NODE_STARTSTATUS, node,
	    NULL)) < 0)
		return rc;
	text = nc_asprintf("%s\n", line);
	rc = s->ops->write(s->impl, path, text, strlen(text));
	free(text);
	return rc;
}

int
ncp_start_status(struct ncprov *p, const char *line)
{
	return put_status(&p->src, p->node, line);
}

/* In the supervisor: line into the tree over a connection of its own. */
static void
report(struct ncprov *p, const char *line)
{
	struct ncp_source s = { 0 };
	char err[256] = "";
	unsigned pause = 1;
	int rc = -ENOTCONN, attempt;

	if (p->tree == NULL && p->ninep == NULL) {
		printf("--- startstatus not written: no tree to write to\n");
		return;
	}
	for (attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
		if (p->tree != NULL)
			rc = ncp_source_tree(p->tree, &s);
		else
			rc = ncp_source_9p(p->ninep, p->aname ? p->aname :
			    "/nc", NINEP_TIMEOUT_MS, &s, err, sizeof(err));
		if (rc == 0) {
			rc = put_status(&s, p->node, line);
			ncp_source_close(&s);
			if (rc == 0)
				return;
		}
		if (attempt < WRITE_ATTEMPTS) {
			sleep(pause);
			pause *= 2;
		}
	}
	printf("--- startstatus \"%s\" not written: %s\n", line,
	    err[0] ? err : strerror(-rc));
}

/* Close every descriptor from 3 up but keep (-1: none). */
static void
close_from_3(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* In the command's child: become w and run cmd; never returns. */
static void __attribute__((noreturn))
command(struct ncprov *p, const struct ncp_start_who *w, const char *cmd)
{
	char *home = ncp_path(p, w->home ? w->home : "/"), *env[6];
	const char *cwd = home;
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	struct stat st;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (stat(home, &st) < 0 || !S_ISDIR(st.st_mode))
		cwd = p->root[0] != '\0' ? p->root : "/";
	env[0] = nc_asprintf("HOME=%s", home);
	env[1] = nc_asprintf("USER=%s", w->name);
	env[2] = nc_asprintf("LOGNAME=%s", w->name);
	env[3] = nc_asprintf("SHELL=%s", w->shell ? w->shell : "/bin/sh");
	env[4] = nc_strdup("PATH=" PATH_VALUE);
	env[5] = NULL;
	if (w->known && geteuid() == 0 &&
	    (setgroups(w->ngroups, w->groups) < 0 || setgid(w->gid) < 0 ||
	    setuid(w->uid) < 0)) {
		printf("--- not run: cannot become %s: %s\n", w->name,
		    strerror(errno));
		fflush(stdout);
		_exit(127);
	}
	/* after setuid: a home on a root-squashed mount may admit only its
	 * owner */
	if (chdir(cwd) < 0) {
		printf("--- not run: %s: %s\n", cwd, strerror(errno));
		fflush(stdout);
		_exit(127);
	}
	execve(argv[0], argv, env);
	printf("--- not run: %s: %s\n", argv[0], strerror(errno));
	fflush(stdout);
	_exit(127);
}

/* The supervisor itself; never returns. */
static void __attribute__((noreturn))
supervise(struct ncprov *p, const struct ncp_start_who *w, const char *boot,
    const char *cmd, int logfd, int tell)
{
	struct nct_startstatus end = { 0 };
	char line[64];
	pid_t child, sup = getpid();
	long pg[2];
	int st, fd;
	ssize_t wr;

	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(logfd, 1);
	dup2(logfd, 2);
	close_from_3(tell);
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "ncprov-startcmd");	/* its name in ps -o comm */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if ((child = fork()) < 0) {
		printf("--- not run: fork: %s\n", strerror(errno));
		child = 0;
		end.state = NCT_START_EXIT;
		end.code = 127;
		goto done;
	}
	if (child == 0) {
		close(tell);
		command(p, w, cmd);
	}
	setpgid(child, child);	/* also here: no race with the child's own */
	snprintf(line, sizeof(line), "%s %lld", NCT_START_RUNNING,
	    (long long)time(NULL));
	ncp_start_state_write(p, boot, line, sup, child, cmd);
	pg[0] = (long)sup;
	pg[1] = (long)child;
	wr = write(tell, pg, sizeof(pg));
	(void)wr;
	close(tell);
	tell = -1;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR) {
			st = 127 << 8;
			break;
		}
	if (WIFSIGNALED(st)) {
		end.state = NCT_START_KILL;
		end.code = WTERMSIG(st);
		printf("--- killed by signal %d\n", end.code);
	} else {
		end.state = NCT_START_EXIT;
		end.code = WEXITSTATUS(st);
		printf("--- exit %d\n", end.code);
	}
done:
	if (tell >= 0) {
		pg[0] = (long)sup;
		pg[1] = 0;
		wr = write(tell, pg, sizeof(pg));
		(void)wr;
		close(tell);
	}
	end.time = (long long)time(NULL);
	if (nct_start_format(line, sizeof(line), &end) < 0)
		snprintf(line, sizeof(line), "%s 127 %lld", NCT_START_EXITED,
		    end.time);
	fflush(stdout);	/* the log holds the end before the state says it */
	ncp_start_state_write(p, boot, line, sup, child, cmd);
	report(p, line);
	fflush(stdout);
	_exit(0);
}

int
ncp_start_supervise(struct ncprov *p, const struct ncp_start_who *w,
    const char *boot, const char *cmd, int logfd, pid_t *sup, pid_t *pgid)
{
	int pipefd[2], st, rc = 0;
	pid_t first, second;
	long got[2] = { 0, 0 };
	ssize_t n;

	*sup = *pgid = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	if ((first = fork()) < 0) {
		rc = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return rc;
	}
	if (first == 0) {
		close(pipefd[0]);
		setsid();
		if ((second = fork()) < 0)
			_exit(1);
		if (second == 0)
			supervise(p, w, boot, cmd, logfd, pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	while (waitpid(first, &st, 0) < 0 && errno == EINTR)
		;
	/* the supervisor's pid and the command's group (0: it did not
	 * start); end of file: the supervisor is gone */
	while ((n = read(pipefd[0], got, sizeof(got))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(got) || got[0] <= 0) {
		rc = -ECHILD;
		goto out;
	}
	*sup = (pid_t)got[0];
	*pgid = (pid_t)got[1];
	if (got[1] <= 0)
		rc = -EAGAIN;
out:
	close(pipefd[0]);
	return rc;
}
