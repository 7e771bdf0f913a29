/*
 * cmd_serve.c: neoc serve, the experiment tree and the home directories
 * over 9P: ncfs mounts the database, diod exports the mount and the local
 * sources of the experiment's mounts.  A service: a pidfile, a clean stop
 * on SIGTERM (diod stopped, ncfs unmounted), safe to start again after a
 * crash (a stale mount is cleared).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "cmds.h"
#include "model.h"
#include "children.h"
#include "serve_backlog.h"
#include "util.h"

/* What neoc serve runs. */
struct serve {
	const char *db;		/* the experiment database */
	const char *mnt;	/* where ncfs mounts it */
	const char *listen;	/* diod's ADDR:PORT */
	const char *pidfile;	/* our pidfile */
	int no_auth;		/* diod -n */
	int foreground;		/* -f */
	pid_t ncfs, diod;	/* the children */
};

static volatile sig_atomic_t stop_signal;	/* SIGTERM/SIGINT seen */

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc serve [-d EXP.db] [--mount /nc] [--listen ADDR:PORT]\n"
"                  [--no-auth] [-f] [--pidfile FILE]\n"
"\n"
"Mount the experiment database with ncfs and export it, with the local\n"
"sources of the experiment's mounts (home directories), over 9P with\n"
"diod.  Runs until SIGTERM, then stops diod and unmounts.\n"
"\n"
"  -d, --db EXP.db      the experiment database (default ./%s)\n"
"      --mount DIR      mount point of the tree (default /nc)\n"
"      --listen A:P     diod's address (default 0.0.0.0:564)\n"
"      --no-auth        no authentication (closed test networks); by\n"
"                       default diod uses munge, which must be running\n"
"  -f, --foreground     do not become a daemon\n"
"      --pidfile FILE   default /run/neoc/serve.pid\n", NEOC_DEFAULT_DB);
}

static int
write_pidfile(const char *pidfile)
{
	char *dir, *slash, pid[32], why[512];

	dir = nc_strdup(pidfile);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	free(dir);
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (nc_atomic_write(pidfile, pid, strlen(pid), NULL, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "neoc serve: %s\n", why);
		return -1;
	}
	return 0;
}

static int
munge_running(void)
{
	return access("/run/munge/munge.socket.2", F_OK) == 0;
}

static void
unmount(const char *mnt)
{
	char *const lazy[] = { "fusermount3", "-u", "-z", (char *)mnt, NULL };

	if (neoc_is_mounted(mnt))
		neoc_run(lazy, 1);
}

/* Stop a child: SIGTERM, then SIGKILL after 5 s. */
static void
stop_child(pid_t pid)
{
	int status, i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static int
start_ncfs(struct serve *s)
{
	char *ncfs = neoc_sibling("ncfs");
	char *const argv[] = { ncfs, "-f", "-o", "allow_other",
	    (char *)s->db, (char *)s->mnt, NULL };
	int i, status;

	if (mkdir(s->mnt, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "neoc serve: %s: %s\n", s->mnt,
		    strerror(errno));
		free(ncfs);
		return -1;
	}
	s->ncfs = neoc_spawn(argv, -1);
	free(ncfs);
	if (s->ncfs < 0)
		return -1;
	for (i = 0; i < 100; i++) {
		if (neoc_is_mounted(s->mnt))
			return 0;
		if (waitpid(s->ncfs, &status, WNOHANG) == s->ncfs) {
			fprintf(stderr, "neoc serve: ncfs exited before "
			    "mounting %s\n", s->mnt);
			s->ncfs = 0;
			return -1;
		}
		usleep(50000);
	}
	fprintf(stderr, "neoc serve: ncfs did not mount %s within 5 s\n",
	    s->mnt);
	return -1;
}

/* diod's arguments: the tree and every local mount source. */
static char **
diod_argv(const struct serve *s, const struct nc_exp *e)
{
	char **v = NULL;
	size_t n = 0, cap = 0, i;
	struct stat st;

	*NC_PUSH(v, n, cap) = nc_strdup("diod");
	*NC_PUSH(v, n, cap) = nc_strdup("-f");
	*NC_PUSH(v, n, cap) = nc_strdup("-c");
	*NC_PUSH(v, n, cap) = nc_strdup("/dev/null");
	*NC_PUSH(v, n, cap) = nc_strdup("-l");
	*NC_PUSH(v, n, cap) = nc_strdup(s->listen);
	*NC_PUSH(v, n, cap) = nc_strdup("-L");
	*NC_PUSH(v, n, cap) = nc_strdup("stderr");
	if (s->no_auth)
		*NC_PUSH(v, n, cap) = nc_strdup("-n");
	*NC_PUSH(v, n, cap) = nc_strdup("-e");
	*NC_PUSH(v, n, cap) = nc_strdup(s->mnt);
	for (i = 0; i < e->nmounts; i++)
		if (stat(e->mounts[i].source, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			*NC_PUSH(v, n, cap) = nc_strdup("-e");
			*NC_PUSH(v, n, cap) = nc_strdup(e->mounts[i].source);
		}
	*NC_PUSH(v, n, cap) = NULL;
	return v;
}

static void
free_argv(char **v)
{
	size_t i;

	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
serve(struct serve *s)
{
	struct sigaction sa, old_pipe;
	struct nc_exp e;
	char **dargv = NULL;
	pid_t pid;
	int status, rc = 1;

	nc_exp_init(&e);
	if (neoc_open_load(s->db, &e) < 0)
		goto out;
	if ((pid = neoc_pidfile_pid(s->pidfile)) != 0 && pid != getpid()) {
		fprintf(stderr, "neoc serve: already running (pid %ld, %s)\n",
		    (long)pid, s->pidfile);
		goto out;
	}
	if (!s->no_auth && !munge_running()) {
		fprintf(stderr, "neoc serve: munge is not running; start it, "
		    "or use --no-auth on a closed test network\n");
		goto out;
	}
	unmount(s->mnt);	/* left over from a crash */
	if (!s->foreground && daemon(1, 1) < 0) {
		fprintf(stderr, "neoc serve: daemon: %s\n", strerror(errno));
		goto out;
	}
	if (write_pidfile(s->pidfile) < 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (start_ncfs(s) < 0)
		goto stop;
	dargv = diod_argv(s, &e);
	/*
	 * diod sends replies without MSG_NOSIGNAL: a client gone with replies
	 * in flight (a container that died, a cut connection, a pipelined
	 * batch) would kill it with SIGPIPE.  Ignored across the exec, that
	 * write fails and diod drops that connection alone.
	 */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	s->diod = neoc_spawn(dargv, -1);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (s->diod < 0)
		goto stop;
	fprintf(stderr, "neoc serve: %s mounted on %s, diod on %s\n", s->db,
	    s->mnt, s->listen);
	{
		/* diod's own backlog of 5 drops the SYNs of containers that
		 * boot at once (serve_backlog.c) */
		char why[256];
		int n = neoc_raise_backlog(s->diod, NEOC_DIOD_BACKLOG, 5000,
		    why, sizeof(why));

		if (n > 0)
			fprintf(stderr, "neoc serve: diod's listen backlog "
			    "raised from 5 to %d (capped by "
			    "net.core.somaxconn)\n", NEOC_DIOD_BACKLOG);
		else
			fprintf(stderr, "neoc serve: diod's listen backlog "
			    "stays 5: %s\n", why);
	}
	rc = 0;
	while (!stop_signal) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid == s->diod || pid == s->ncfs) {
			fprintf(stderr, "neoc serve: %s exited; stopping\n",
			    pid == s->diod ? "diod" : "ncfs");
			if (pid == s->diod)
				s->diod = 0;
			else
				s->ncfs = 0;
			rc = 1;
			break;
		}
		if (pid < 0)
			break;
	}
stop:
	stop_child(s->diod);
	stop_child(s->ncfs);
	unmount(s->mnt);
	unlink(s->pidfile);
out:
	if (dargv != NULL)
		free_argv(dargv);
	nc_exp_free(&e);
	return rc;
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "mount", required_argument, NULL, 'm' },
	{ "listen", required_argument, NULL, 'l' },
	{ "no-auth", no_argument, NULL, 'n' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_serve(int argc, char **argv)
{
	struct serve s = { .db = NEOC_DEFAULT_DB, .mnt = "/nc",
	    .listen = "0.0.0.0:564", .pidfile = "/run/neoc/serve.pid" };
	int ch;

	while ((ch = getopt_long(argc, argv, "d:hf", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': s.db = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'm': s.mnt = optarg; break;
		case 'l': s.listen = optarg; break;
		case 'n': s.no_auth = 1; break;
		case 'f': s.foreground = 1; break;
		case 'p': s.pidfile = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (s.mnt[0] != '/' || strchr(s.listen, ':') == NULL)
		errx(2, "--mount must be absolute and --listen ADDR:PORT");
	return serve(&s);
}
