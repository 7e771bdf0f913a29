/*
 * pnode_watch.c: ncprov watch, the pnode's watcher (docs/DESIGN.md,
 * "Status", Generation): an edit of the tree reaches the running
 * containers of this pnode without `neoc up`.
 *
 * It reads experiment/confgen every --interval (500 ms): one small file,
 * which status writes do not move.  When it moved, it reads
 * nodes/<pnode>/guests ("GUEST GEN" lines) and provisions again, through
 * pnode_reprov.c (lxc-attach ... ncprov container), the lxc containers
 * whose generation is newer than the one applied; what it applied is kept
 * in ROOT/var/lib/neoc/applied ("GUEST GEN" lines; `ncprov pnode` writes
 * it after a successful run with the generations it read first, so an edit
 * made during that run is applied by the watcher).  A change the running
 * container cannot take (an interface added or removed, another image) is
 * noted in the guest's status line (STEP "restart"), not done.  A lost 9P
 * connection is opened again with backoff (0.5 s doubling to 30 s).
 *
 * One watcher per pnode: ROOT/var/lib/neoc/watch.lock is held while it
 * runs (a new one stops the old one first) and ROOT/var/lib/neoc/watch.pid
 * holds its pid, which `ncprov down` (ncp_watch_stop) reads to stop it.
 * --detach: it forks into the background (a session of its own, output
 * appended to ROOT/var/lib/neoc/watch.log) and the command returns once
 * the watcher holds the lock.  SIGTERM or SIGINT end it; SIGUSR1 prints
 * its counts (polls, 9P requests, batches).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootfile.h"
#include "files.h"
#include "pnode.h"
#include "pnode_watch.h"
#include "run.h"
#include "steps.h"
#include "util.h"

#define STEP "watch"
#define LXC_PATH "/var/lib/neoc/lxc"		/* the lxc backend's lxcpath */
#define BACKOFF_MIN_MS 500			/* first reconnect wait */
#define BACKOFF_MAX_MS 30000			/* longest reconnect wait */
#define STOP_WAIT_MS 10000			/* a watcher's time to go */

static volatile sig_atomic_t stopping;		/* SIGTERM, SIGINT */
static volatile sig_atomic_t report_asked;	/* SIGUSR1 */

static void
gens_free(struct ncp_watch_gens *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i].name);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static struct ncp_watch_gen *
gens_find(const struct ncp_watch_gens *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, name) == 0)
			return &g->v[i];
	return NULL;
}

static void
gens_set(struct ncp_watch_gens *g, const char *name, long long gen)
{
	struct ncp_watch_gen *e = gens_find(g, name);

	if (e == NULL) {
		e = NC_PUSH(g->v, g->n, g->cap);
		e->name = nc_strdup(name);
	}
	e->gen = gen;
}

int
ncp_watch_parse(const char *s, struct ncp_watch_gens *out)
{
	struct ncp_watch_gens *g = out;
	char name[256], *end;
	const char *nl, *sp;
	long long v;
	size_t len;

	memset(g, 0, sizeof(*g));
	for (; s != NULL && *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (nl == s)
			continue;
		sp = memchr(s, ' ', (size_t)(nl - s));
		len = sp ? (size_t)(sp - s) : 0;
		if (sp == NULL || len == 0 || len >= sizeof(name))
			goto bad;
		memcpy(name, s, len);
		name[len] = '\0';
		if (!ncp_node_name_ok(name))
			goto bad;
		if (sp[1] < '0' || sp[1] > '9')
			goto bad;
		errno = 0;
		v = strtoll(sp + 1, &end, 10);
		if (errno != 0 || end != nl)
			goto bad;
		gens_set(g, name, v);
	}
	return 0;
bad:
	gens_free(g);
	return -EINVAL;
}

void
ncp_watch_gens_free(struct ncp_watch_gens *g)
{
	gens_free(g);
}

long long
ncp_watch_gen_of(const struct ncp_watch_gens *g, const char *name)
{
	const struct ncp_watch_gen *e = gens_find(g, name);

	return e != NULL ? e->gen : -1;
}

/* Read tree entry e (keys k0) into out, its trailing newline dropped. */
static int
tree_read(struct ncprov *p, enum nct_id e, const char *k0,
    struct nc_buf *out)
{
	char path[NCT_PATH_MAX];
	int rc;

	nc_buf_reset(out);
	if ((rc = nct_path(path, sizeof(path), e, k0, NULL)) < 0)
		return rc;
	if ((rc = p->src.ops->read(p->src.impl, path, out)) < 0)
		return rc;
	while (out->len > 0 && out->p[out->len - 1] == '\n')
		out->p[--out->len] = '\0';
	return 0;
}

char *
ncp_watch_guests_read(struct ncprov *p)
{
	struct nc_buf b = { 0 };
	char *s;

	if (tree_read(p, NCT_NODE_GUESTS, p->node, &b) < 0) {
		nc_buf_free(&b);
		return NULL;
	}
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

/* Write the applied generations (sorted as given). */
static int
applied_write(struct ncprov *p, const struct ncp_watch_gens *g)
{
	struct nc_buf b = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++)
		nc_buf_printf(&b, "%s %lld\n", g->v[i].name, g->v[i].gen);
	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) == 0)
		rc = ncp_replace_flags(p, NCP_WATCH_APPLIED, nc_buf_str(&b),
		    b.len, 0644, 0, 0, NCP_NOSYNC);
	nc_buf_free(&b);
	return rc < 0 ? rc : 0;
}

int
ncp_watch_baseline(struct ncprov *p, const char *guests)
{
	struct ncp_watch_gens g;
	int rc;

	if (guests == NULL || p->dry_run)
		return 0;
	if ((rc = ncp_watch_parse(guests, &g)) < 0)
		return rc;
	rc = applied_write(p, &g);
	gens_free(&g);
	return rc;
}

/* The pid in the pid file, or 0. */
static pid_t
pidfile_read(struct ncprov *p)
{
	struct nc_buf b = { 0 };
	long v = 0;
	int exists;

	if (ncp_read_local(p, NCP_WATCH_PIDFILE, &b, &exists) == 0 && exists)
		v = strtol(nc_buf_str(&b), NULL, 10);
	nc_buf_free(&b);
	return v > 1 ? (pid_t)v : 0;
}

/* Is pid a live ncprov (not a pid the system gave to someone else)? */
static int
is_ncprov(pid_t pid)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;	/* gone, or a zombie */
	buf[n] = '\0';
	return strstr(buf, "ncprov") != NULL;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Send SIGTERM to the watcher pid and wait for it to go (SIGKILL after
 * STOP_WAIT_MS).  0 when it is gone. */
static int
stop_pid(pid_t pid)
{
	long waited = 0;

	if (!is_ncprov(pid))
		return 0;
	kill(pid, SIGTERM);
	while (is_ncprov(pid) && waited < STOP_WAIT_MS) {
		sleep_ms(50);
		waited += 50;
	}
	if (is_ncprov(pid)) {
		kill(pid, SIGKILL);
		sleep_ms(100);
	}
	return is_ncprov(pid) ? -1 : 0;
}

int
ncp_watch_kill(struct ncprov *p)
{
	pid_t pid = pidfile_read(p);

	if (pid == 0 || pid == getpid() || !is_ncprov(pid))
		return 0;
	if (p->dry_run) {
		printf(STEP ": would stop the watcher (pid %ld)\n", (long)pid);
		return 0;
	}
	if (stop_pid(pid) < 0)
		return ncp_fail(p, "the watcher (pid %ld) does not stop",
		    (long)pid);
	printf(STEP ": stopped the watcher (pid %ld)\n", (long)pid);
	return 1;
}

int
ncp_watch_stop(struct ncprov *p, struct ncp_pnode *pn)
{
	static const char *const files[] = { NCP_WATCH_APPLIED,
	    NCP_WATCH_PIDFILE, NCP_WATCH_LOCK, NCP_WATCH_LOG };
	size_t i;
	int rc;

	(void)pn;
	if ((rc = ncp_watch_kill(p)) < 0)
		return -1;
	if (rc > 0)
		p->changes++;	/* down: something was there */
	for (i = 0; !p->dry_run && i < sizeof(files) / sizeof(files[0]);
	    i++) {
		char *path = ncp_path(p, files[i]);

		if (unlink(path) < 0 && errno != ENOENT) {
			ncp_fail(p, "%s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

/* Take the watcher's lock, stopping the watcher that holds it.  The lock's
 * descriptor, or -1 (printed). */
static int
take_lock(struct ncprov *p)
{
	char *path = ncp_path(p, NCP_WATCH_LOCK);
	long waited = 0;
	pid_t old;
	int fd;

	if (ncp_mkdirs(p, "/var/lib/neoc", 0755) < 0 ||
	    (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "ncprov: watch: %s: %s\n", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if ((old = pidfile_read(p)) != 0 && old != getpid()) {
			printf("watch: stopping the watcher before (pid %ld)\n",
			    (long)old);
			stop_pid(old);
		}
		while (flock(fd, LOCK_EX | LOCK_NB) < 0 &&
		    waited < STOP_WAIT_MS) {
			sleep_ms(50);
			waited += 50;
		}
		if (waited >= STOP_WAIT_MS) {
			fprintf(stderr, "ncprov: watch: %s: another watcher "
			    "holds it\n", path);
			close(fd);
			free(path);
			return -1;
		}
	}
	free(path);
	return fd;
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_report(int sig)
{
	(void)sig;
	report_asked = 1;
}

/*
 * Into the background: the caller returns (exit 0) once the watcher wrote
 * '1' into the pipe (it holds the lock), 1 when it did not.  In the
 * watcher: 0 and *ready the pipe's end to write to.
 */
static int
detach(struct ncprov *p, int *ready)
{
	int fds[2], fd;
	char c = 0, *log;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) < 0)
		return -errno;
	if (pid > 0) {
		int status;

		close(fds[1]);
		while (read(fds[0], &c, 1) < 0 && errno == EINTR)
			;
		waitpid(pid, &status, 0);
		/* _exit: the 9P connection is the watcher's now */
		_exit(c == '1' ? 0 : 1);
	}
	close(fds[0]);
	setsid();
	if ((pid = fork()) < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	ncp_mkdirs(p, "/var/lib/neoc", 0755);
	log = ncp_path(p, NCP_WATCH_LOG);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	free(log);
	*ready = fds[1];
	return 0;
}

/* (Re)open the source of the tree; 0 or -errno. */
static int
reopen(struct ncprov *p, int timeout_ms)
{
	char err[256] = "";
	int rc;

	ncp_source_close(&p->src);
	memset(&p->src, 0, sizeof(p->src));
	if (p->tree != NULL)
		rc = ncp_source_tree(p->tree, &p->src);
	else
		rc = ncp_source_9p(p->ninep, p->aname, timeout_ms, &p->src,
		    err, sizeof(err));
	if (rc < 0)
		printf("watch: reconnecting to %s: %s\n", p->tree ? p->tree :
		    p->ninep, err[0] ? err : strerror(-rc));
	return rc;
}

/* The "IMAGE" of a container's neoc-build file ("IMAGE ID"), malloc'd. */
static char *
build_image(const char *lxcpath, const char *guest)
{
	char *path = nc_asprintf("%s/nc-%s/neoc-build", lxcpath, guest);
	char buf[512] = "";
	FILE *f = fopen(path, "re");

	free(path);
	if (f == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, " \n")] = '\0';
	return nc_strdup(buf);
}

/* 1 when the n names hold name. */
static int
has_name(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * What guest g needs a restart for, appended to why ("" when nothing):
 * experiment interfaces the tree has and its LXC config has not, or the
 * other way round; an image other than the one it was cloned from.
 */
static void
restart_needs(struct ncprov *p, const char *lxcpath, const char *g,
    struct nc_buf *why)
{
	char dir[NCT_PATH_MAX], **ifs = NULL, **have = NULL, line[512];
	char *cfg = nc_asprintf("%s/nc-%s/config", lxcpath, g), *img;
	size_t nifs = 0, nhave = 0, cap = 0, i;
	struct nc_buf b = { 0 };
	FILE *f;

	if ((f = fopen(cfg, "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char name[64];
			unsigned k;

			if (sscanf(line, "lxc.net.%u.name = %63s", &k,
			    name) == 2 && k > 0)
				*NC_PUSH(have, nhave, cap) = nc_strdup(name);
		}
		fclose(f);
	}
	free(cfg);
	if (f != NULL && nct_dir_path(dir, sizeof(dir), NCT_D_IFACES, g,
	    NULL) >= 0 && p->src.ops->list(p->src.impl, dir, &ifs,
	    &nifs) == 0) {
		for (i = 0; i < nifs; i++)
			if (!has_name(have, nhave, ifs[i]))
				nc_buf_printf(why, "%sinterface %s added",
				    why->len ? ", " : "", ifs[i]);
		for (i = 0; i < nhave; i++)
			if (!has_name(ifs, nifs, have[i]))
				nc_buf_printf(why, "%sinterface %s removed",
				    why->len ? ", " : "", have[i]);
	}
	img = build_image(lxcpath, g);
	if (img != NULL && *img != '\0' &&
	    tree_read(p, NCT_NIMG_NAME, g, &b) == 0 && b.len > 0 &&
	    strcmp(nc_buf_str(&b), img) != 0)
		nc_buf_printf(why, "%simage %s (running %s)", why->len ?
		    ", " : "", nc_buf_str(&b), img);
	free(img);
	nc_buf_free(&b);
	ncp_names_free(ifs, nifs);
	ncp_names_free(have, nhave);
}

/* Note in g's status line (its state kept) what it needs a restart for. */
static void
note_restart(struct ncprov *p, const char *g, const char *why)
{
	struct nc_buf b = { 0 };
	char *msg;
	int st = NCT_READY, rc;

	if (tree_read(p, NCT_NODE_STATUS, g, &b) == 0) {
		size_t n = strcspn(nc_buf_str(&b), " ");

		if ((rc = nct_state_find(nc_buf_str(&b), n)) >= 0)
			st = rc;
	}
	msg = nc_asprintf("needs a restart (neoc down and up): %s", why);
	if ((rc = ncprov_node_status(p, g, (enum nct_state)st, "restart",
	    msg)) < 0)
		printf("watch: %s: status: %s\n", g, strerror(-rc));
	printf("watch: %s: %s\n", g, msg);
	free(msg);
	nc_buf_free(&b);
}

/* One look at the tree: 1 when it found changes and applied them, 0 when
 * nothing changed, -errno when the tree could not be read. */
static int
poll_once(struct ncprov *p, const char *lxcpath, struct ncp_watch_gens *applied,
    long long *seen, unsigned long *batches)
{
	struct nc_buf b = { 0 };
	struct ncp_watch_gens now;
	char **due = NULL, *end;
	size_t n = 0, cap = 0, i;
	long long confgen;
	int rc;

	if ((rc = tree_read(p, NCT_EXP_CONFGEN, NULL, &b)) < 0)
		goto out;
	errno = 0;
	confgen = strtoll(nc_buf_str(&b), &end, 10);
	if (errno != 0 || *end != '\0' || end == nc_buf_str(&b)) {
		rc = -EPROTO;
		goto out;
	}
	if (confgen == *seen)
		goto out;
	if ((rc = tree_read(p, NCT_NODE_GUESTS, p->node, &b)) < 0)
		goto out;
	if ((rc = ncp_watch_parse(nc_buf_str(&b),
	    &now)) < 0)
		goto out;
	for (i = 0; i < now.n; i++) {
		struct ncp_watch_gen *a = gens_find(applied, now.v[i].name);
		char *cfg;

		if (a != NULL && a->gen >= now.v[i].gen)
			continue;
		cfg = nc_asprintf("%s/nc-%s/config", lxcpath, now.v[i].name);
		if (a == NULL || access(cfg, F_OK) != 0) {
			/* not made here yet (neoc up makes it): nothing to
			 * provision again */
			gens_set(applied, now.v[i].name, now.v[i].gen);
		} else {
			*NC_PUSH(due, n, cap) = now.v[i].name;
		}
		free(cfg);
	}
	if (n > 0) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		printf("watch: confgen %lld: provisioning %zu container%s "
		    "again:", confgen, n, n == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			printf(" %s", due[i]);
		printf("\n");
		ncp_lxc_reprovision_mode(p, lxcpath, due, n, 1);
		for (i = 0; i < n; i++) {
			struct nc_buf why = { 0 };

			restart_needs(p, lxcpath, due[i], &why);
			if (why.len > 0)
				note_restart(p, due[i], nc_buf_str(&why));
			nc_buf_free(&why);
			gens_set(applied, due[i], ncp_watch_gen_of(
			    &now, due[i]));
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("watch: confgen %lld applied in %.3f s\n", confgen,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		(*batches)++;
	}
	applied_write(p, applied);
	*seen = confgen;
	rc = n > 0;
	gens_free(&now);
out:
	free(due);
	nc_buf_free(&b);
	return rc;
}

/* Parse a number of milliseconds in [lo, hi]; -1 when it is not one. */
static long
parse_ms(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi)
		return -1;
	return v;
}

int
ncp_watch_args(int argc, char **argv, struct ncp_watch_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--detach") == 0)
			o->detach = 1;
		else if (strcmp(argv[i], "--watch") == 0)
			o->watch = 1;
		else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc &&
		    (o->interval_ms = parse_ms(argv[i + 1], 10, 60000)) > 0)
			i++;
		else
			return -1;
	}
	if (o->interval_ms <= 0)
		o->interval_ms = NCP_WATCH_INTERVAL_MS;
	return 0;
}

int
ncp_watch_spawn(struct ncprov *p, const struct ncp_watch_opts *o)
{
	char *self = ncp_self_binary(NULL), ms[32], jobs[32];
	char *argv[16];
	struct ncp_cmd c = { 0 };
	int k = 0, rc;

	if (self == NULL)
		return ncp_fail(p, "watch: cannot find this ncprov");
	snprintf(ms, sizeof(ms), "%ld", o->interval_ms);
	snprintf(jobs, sizeof(jobs), "%zu", p->jobs);
	argv[k++] = self;
	if (p->root[0] != '\0') {
		argv[k++] = "--root";
		argv[k++] = (char *)p->root;
	}
	if (p->jobs > 0) {	/* its batches as this run's */
		argv[k++] = "--jobs";
		argv[k++] = jobs;
	}
	argv[k++] = "watch";
	argv[k++] = "--detach";
	argv[k++] = "--interval";
	argv[k++] = ms;
	argv[k] = NULL;
	c.argv = argv;
	c.out_fd = -1;
	c.timeout_ms = STOP_WAIT_MS * 3;
	fflush(stdout);
	rc = ncp_run(&c);
	free(self);
	if (rc != 0)
		return ncp_fail(p, "watch: ncprov watch --detach: %s",
		    rc < 0 ? strerror(-rc) : "failed");
	return 0;
}

int
ncprov_watch(struct ncprov *p, int argc, char **argv)
{
	struct ncp_watch_opts o = { 0 };
	struct ncp_watch_gens applied = { 0 };
	struct nc_buf b = { 0 };
	struct sigaction sa;
	unsigned long polls = 0, batches = 0, fails = 0;
	long backoff = 0;
	long long seen = -1;
	char *lxcpath = NULL;
	int lock = -1, ready = -1, exists, rc, down = 0;
	time_t started = time(NULL);

	if (ncp_watch_args(argc, argv, &o) < 0 || o.watch) {
		fprintf(stderr, "usage: ncprov [options] watch [--interval MS] "
		    "[--detach]\n");
		return 2;
	}
	if (p->dry_run) {
		fprintf(stderr, "ncprov: watch: not with --dry-run\n");
		return 2;
	}
	if (o.detach && (rc = detach(p, &ready)) < 0) {
		fprintf(stderr, "ncprov: watch: detach: %s\n", strerror(-rc));
		return 1;
	}
	if ((lock = take_lock(p)) < 0)
		goto fail;
	{
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		if ((rc = ncp_replace(p, NCP_WATCH_PIDFILE, pid, (size_t)n,
		    0644, 0, 0)) < 0) {
			fprintf(stderr, "ncprov: watch: %s: %s\n",
			    NCP_WATCH_PIDFILE, strerror(-rc));
			goto fail;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_report;
	sigaction(SIGUSR1, &sa, NULL);
	lxcpath = ncp_path(p, LXC_PATH);
	/* What was applied: the last run's, else what the tree says now. */
	if (ncp_read_local(p, NCP_WATCH_APPLIED, &b, &exists) == 0 && exists &&
	    ncp_watch_parse(nc_buf_str(&b), &applied)
	    < 0)
		memset(&applied, 0, sizeof(applied));
	if (!exists) {
		char *g = ncp_watch_guests_read(p);

		if (g != NULL)
			ncp_watch_parse(g, &applied);
		free(g);
	}
	printf("watch: pnode %s, %s, every %ld ms, pid %ld\n", p->node,
	    p->src.desc, o.interval_ms, (long)getpid());
	if (ready >= 0) {
		if (write(ready, "1", 1) < 0)
			perror("ncprov: watch");
		close(ready);
		ready = -1;
	}
	while (!stopping) {
		if (report_asked) {
			report_asked = 0;
			printf("watch: %lu polls, %llu requests, %lu batches, "
			    "%ld s\n", polls, p->src.ops->requests(
			    p->src.impl), batches, (long)(time(NULL) -
			    started));
		}
		if (down) {
			if (reopen(p, 10000) == 0) {
				printf("watch: connected again to %s\n",
				    p->src.desc);
				down = 0;
				backoff = 0;
				seen = -1;	/* look at every guest again */
			} else {
				backoff = backoff ? backoff * 2 :
				    BACKOFF_MIN_MS;
				if (backoff > BACKOFF_MAX_MS)
					backoff = BACKOFF_MAX_MS;
				sleep_ms(backoff);
				continue;
			}
		}
		polls++;
		rc = poll_once(p, lxcpath, &applied, &seen, &batches);
		if (rc < 0) {
			fails++;
			printf("watch: reading the tree: %s\n", strerror(-rc));
			if (ncp_source_lost(&p->src) || p->tree == NULL) {
				down = 1;
				continue;
			}
		}
		if (rc <= 0)
			sleep_ms(o.interval_ms);
	}
	printf("watch: stopped: %lu polls, %llu requests, %lu batches, %lu "
	    "failed reads, %ld s\n", polls, p->src.ops->requests(p->src.impl),
	    batches, fails, (long)(time(NULL) - started));
	if (pidfile_read(p) == getpid()) {
		char *path = ncp_path(p, NCP_WATCH_PIDFILE);

		unlink(path);
		free(path);
	}
	free(lxcpath);
	gens_free(&applied);
	nc_buf_free(&b);
	close(lock);
	return 0;
fail:
	free(lxcpath);
	gens_free(&applied);
	nc_buf_free(&b);
	if (lock >= 0)
		close(lock);
	if (ready >= 0)
		close(ready);
	return 1;
}
