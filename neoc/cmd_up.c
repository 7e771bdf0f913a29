/*
 * cmd_up.c: neoc up, the config role end to end (docs/DESIGN.md, "Roles and
 * steps"): import the NS file (or keep the database), serve the tree
 * (ncfs and diod, `neoc serve` as a daemon), reach every pnode (this
 * machine without SSH, the others with libssh2, in parallel), run
 * `ncprov pnode` there, wait for every node's status, print the result.
 * Exit 0 when every node is ready or failed with failure action
 * nonfatal/ignore, 1 otherwise, 130 on Ctrl-C (state left for neoc down).
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "cmds.h"
#include "nodestate.h"
#include "up_hosts.h"
#include "up_opts.h"
#include "up_startcmd.h"
#include "util.h"

/* What up was asked beyond the state it keeps. */
struct up_args {
	const char *ns;		/* the NS file to import, or NULL */
	int wait_startcmd;	/* --wait-startcmd */
	long watch_ms;		/* --watch-interval MS (0: no watcher) */
	char **import;		/* extra arguments for neoc import */
	size_t nimport, capimport;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc up [-d EXP.db] [--mount DIR] [--listen ADDR:PORT] [--no-auth]\n"
"               [--pnode-addr NAME=HOST[:PORT]|NAME=local ...]\n"
"               [-i KEY] [-l USER] [--known-hosts FILE] [--accept-new-hostkeys]\n"
"               [--retries N] [--connect-timeout S] [--parallel N] [--jobs N]\n"
"               [--remote-ncprov PATH] [--pnode-timeout S] [--ready-timeout S]\n"
"               [--pnodes N] [--capacity C] [--tmcc DIR] [--wait-startcmd]\n"
"               [--watch-interval MS]\n"
"               [--json] [-q] [FILE.ns]\n"
"\n"
"Bring the experiment up: import FILE.ns (or use EXP.db as it is), mount\n"
"and export the tree (neoc serve), run `ncprov pnode` on every pnode (this\n"
"machine directly, the others over SSH, in parallel), wait until every\n"
"node is ready, print the result.  Exit 0 when every node is ready (or\n"
"failed with failure action nonfatal/ignore), 1 otherwise.  Start\n"
"commands run in the background once a node is ready: their end is\n"
"shown by neoc status and fails nothing, unless --wait-startcmd.  The\n"
"containers of this machine get their control names (NODE,\n"
"NODE.EXP.PROJ) in /etc/hosts.  Each pnode then runs a watcher (ncprov\n"
"watch) that applies an edit of the tree to its running containers\n"
"within about a second; what needs a restart (an interface added) is\n"
"noted in the node's status.  Run again to make what is missing: only\n"
"the difference is applied.  `neoc down` undoes it.\n"
"\n"
"  -d, --db EXP.db        the experiment database (default ./%s)\n"
"      --mount DIR        where the tree is mounted (default /nc)\n"
"      --listen A:P       diod's address (default 0.0.0.0:564)\n"
"      --no-auth          diod without munge (closed test networks)\n"
"      --remote-ncprov P  where ncprov is installed on SSH pnodes\n"
"                         (default %s)\n"
"      --pnode-timeout S  for ncprov pnode on each pnode (default 600)\n"
"      --ready-timeout S  for the nodes to settle after (default 300)\n"
"      --pnodes N, --capacity C, --tmcc DIR   passed to neoc import\n"
"      --wait-startcmd    then wait for every start command to end; exit 1\n"
"                         when one did not exit 0 (no time limit)\n"
"      --watch-interval MS  how often each pnode's watcher reads\n"
"                         experiment/confgen (default 500; 0: no watcher)\n"
"      --json             one JSON event per line instead of text\n"
"  -q, --quiet            only the result\n"
"%s%s", NEOC_DEFAULT_DB, NEOC_REMOTE_NCPROV, neoc_reach_usage,
    neoc_jobs_usage);
}

static void
on_signal(int sig)
{
	(void)sig;
	neoc_interrupted = 1;
}

static int
import(const struct neoc_up *u, const struct up_args *a)
{
	char **argv = NULL, *me = neoc_self();
	size_t n = 0, cap = 0, i;
	int rc;

	*NC_PUSH(argv, n, cap) = me;
	*NC_PUSH(argv, n, cap) = "import";
	*NC_PUSH(argv, n, cap) = "-d";
	*NC_PUSH(argv, n, cap) = u->db;
	for (i = 0; i < a->nimport; i++)
		*NC_PUSH(argv, n, cap) = a->import[i];
	*NC_PUSH(argv, n, cap) = (char *)a->ns;
	*NC_PUSH(argv, n, cap) = NULL;
	rc = neoc_run(argv, 0);
	free(argv);
	free(me);
	return rc == 0 ? 0 : -1;
}

/* The logs' directory: EXP.db.logs (made). */
static char *
logdir(const struct neoc_up *u)
{
	char *d = nc_asprintf("%s.logs", u->db);

	if (mkdir(d, 0755) < 0 && errno != EEXIST)
		fprintf(stderr, "neoc up: %s: %s\n", d, strerror(errno));
	return d;
}

/* Does something accept TCP connections at listen (0.0.0.0: loopback)? */
static int
port_open(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	int fd, ok;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return 0;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* neoc serve as a daemon, unless it already runs; 0 or -1 printed. */
static int
serve(const struct neoc_up *u, const char *logs)
{
	char *pidfile = nc_asprintf("%s/serve.pid", logs);
	char *log = nc_asprintf("%s/serve.log", logs), *me = neoc_self();
	char *argv[16];
	int logfd, n = 0, i, rc = -1;

	if (neoc_pidfile_pid(pidfile) != 0 && neoc_is_mounted(u->mount) &&
	    port_open(u->listen)) {
		if (!u->quiet && !u->json)
			printf("serve: already running (%s on %s, diod on %s)"
			    "\n", u->db, u->mount, u->listen);
		rc = 0;
		goto out;
	}
	argv[n++] = me;
	argv[n++] = "serve";
	argv[n++] = "-d";
	argv[n++] = u->db;
	argv[n++] = "--mount";
	argv[n++] = u->mount;
	argv[n++] = "--listen";
	argv[n++] = u->listen;
	argv[n++] = "--pidfile";
	argv[n++] = pidfile;
	if (u->no_auth)
		argv[n++] = "--no-auth";
	argv[n] = NULL;
	if ((logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) < 0) {
		fprintf(stderr, "neoc up: %s: %s\n", log, strerror(errno));
		goto out;
	}
	/* serve becomes a daemon: the child returns once it forked */
	i = neoc_run_fd(argv, logfd);
	close(logfd);
	if (i != 0) {
		fprintf(stderr, "neoc up: neoc serve failed (%s)\n", log);
		goto out;
	}
	for (i = 0; i < 200 && !neoc_interrupted; i++) {
		if (neoc_is_mounted(u->mount) && port_open(u->listen)) {
			rc = 0;
			if (!u->quiet && !u->json)
				printf("serve: %s on %s, diod on %s\n", u->db,
				    u->mount, u->listen);
			goto out;
		}
		if (i > 10 && neoc_pidfile_pid(pidfile) == 0)
			break;
		usleep(50000);
	}
	fprintf(stderr, "neoc up: neoc serve did not come up (%s)\n", log);
out:
	free(pidfile);
	free(log);
	free(me);
	return rc;
}

/* The jobs: `ncprov pnode` on each pnode. */
static void
make_jobs(const struct neoc_up *u, const char *logs, struct neoc_pool *pool,
    long watch_ms)
{
	size_t i, k;

	pool->n = u->npnodes;
	pool->jobs = nc_calloc(u->npnodes ? u->npnodes : 1,
	    sizeof(*pool->jobs));
	for (i = 0; i < u->npnodes; i++) {
		struct neoc_job *j = &pool->jobs[i];
		const struct neoc_pnode *pn = &u->pnodes[i];

		j->up = u;
		j->pn = pn;
		j->role = "pnode";
		j->log = nc_asprintf("%s/%s.up.log", logs, pn->name);
		j->args = nc_calloc(24, sizeof(*j->args));
		k = 0;
		if (pn->host == NULL) {
			j->args[k++] = nc_strdup("--tree");
			j->args[k++] = nc_strdup(u->mount);
		} else {
			j->args[k++] = nc_strdup("--9p");
			j->args[k++] = nc_strdup("@GUEST@");
			j->args[k++] = nc_strdup("--aname");
			j->args[k++] = nc_strdup(u->mount);
		}
		j->args[k++] = nc_strdup("--node");
		j->args[k++] = nc_strdup(pn->name);
		j->args[k++] = nc_strdup("--guest-9p");
		j->args[k++] = nc_strdup("@GUEST@");
		j->args[k++] = nc_strdup("--guest-aname");
		j->args[k++] = nc_strdup(u->mount);
		j->args[k++] = nc_strdup("--no-export");
		if (u->jobs > 0) {
			j->args[k++] = nc_strdup("--jobs");
			j->args[k++] = nc_asprintf("%d", u->jobs);
		}
		/* the pnode reports the guests whose provisioner gave up */
		j->args[k++] = nc_strdup("--settle");
		j->args[k++] = nc_asprintf("%d", u->ready_timeout < 1 ? 1 :
		    (int)u->ready_timeout);
		j->args[k++] = nc_strdup("pnode");
		if (watch_ms > 0) {	/* then its watcher (pnode_watch.c) */
			j->args[k++] = nc_strdup("--watch");
			j->args[k++] = nc_strdup("--interval");
			j->args[k++] = nc_asprintf("%ld", watch_ms);
		}
	}
}

void
neoc_jobs_free(struct neoc_pool *pool)
{
	size_t i, k;

	for (i = 0; i < pool->n; i++) {
		for (k = 0; pool->jobs[i].args[k] != NULL; k++)
			free(pool->jobs[i].args[k]);
		free(pool->jobs[i].args);
		free(pool->jobs[i].log);
	}
	free(pool->jobs);
	pool->jobs = NULL;
	pool->n = 0;
}

/* The result: a table (or a JSON event), the failures on stderr; the
 * exit status. */
static int
result(const struct neoc_up *u, const struct neoc_pool *pool, int how)
{
	struct neoc_node *nodes;
	size_t n, i, counts[NCT_NSTATES] = { 0 }, total = 0;
	json_t *fails = json_array(), *o;
	int fatal = 0, k;

	if (neoc_nodes_load(u->db, &nodes, &n) < 0) {
		json_decref(fails);
		return 1;
	}
	for (i = 0; i < n; i++) {
		const struct neoc_node *nd = &nodes[i];
		int tolerated = strcmp(nd->failure, "fatal") != 0;

		if (strcmp(nd->role, "container") != 0 &&
		    strcmp(nd->role, "pnode") != 0)
			continue;
		counts[neoc_state_of(nd)]++;
		total++;
		if (neoc_state_of(nd) == NCT_READY)
			continue;
		if (!tolerated)
			fatal = 1;
		json_array_append_new(fails, json_pack("{s:s, s:s, s:s?, s:s?, "
		    "s:s}", "node", nd->name, "state", nd->state, "step",
		    nd->step, "message", nd->message, "failure_action",
		    nd->failure));
		fprintf(stderr, "neoc up: %s %s%s%s%s%s%s%s\n", nd->name,
		    neoc_state_of(nd) == NCT_FAILED ? "failed" :
		    "did not settle: still", neoc_state_of(nd) == NCT_FAILED ?
		    "" : " ", neoc_state_of(nd) == NCT_FAILED ? "" : nd->state,
		    nd->step ? (neoc_state_of(nd) == NCT_FAILED ? " at " :
		    " in ") : "", nd->step ? nd->step : "",
		    nd->message ? ": " : "", nd->message ? nd->message : "");
		if (tolerated)
			fprintf(stderr, "neoc up: %s: failure action %s: not "
			    "fatal\n", nd->name, nd->failure);
	}
	for (i = 0; i < pool->n; i++)
		if (pool->jobs[i].phase == NEOC_PH_FAILED) {
			fprintf(stderr, "neoc up: pnode %s: %s\n",
			    pool->jobs[i].pn->name, pool->jobs[i].msg);
			fatal = 1;
		}
	if (how == 1)
		fprintf(stderr, "neoc up: nodes still unsettled after %.0f s "
		    "(--ready-timeout)\n", u->ready_timeout);
	if (how == 2) {
		fprintf(stderr, "neoc up: interrupted; `neoc down -d %s` "
		    "cleans up\n", u->db);
		fatal = 1;
	}
	if (u->json) {
		o = json_pack("{s:s, s:f, s:b, s:o, s:{}}", "event", "done",
		    "elapsed", neoc_elapsed(), "ok", !fatal, "failed", fails,
		    "counts");
		for (k = 0; k < NCT_NSTATES; k++)
			json_object_set_new(json_object_get(o, "counts"),
			    nct_states[k], json_integer((json_int_t)
			    counts[k]));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		json_decref(fails);
		/* the counts, not a line per node: `neoc status` has those */
		if (!u->quiet) {
			neoc_counts_line(stdout, counts);
			printf(" (%zu nodes)\n", total);
		}
		printf("%s in %.1f s\n", fatal ? "failed" : "up",
		    neoc_elapsed());
	}
	neoc_nodes_free(nodes, n);
	if (how == 2)
		return 130;
	return fatal ? 1 : 0;
}

enum {
	OPT_MOUNT = 256, OPT_LISTEN, OPT_NOAUTH, OPT_REMOTE, OPT_PTIMEOUT,
	OPT_RTIMEOUT, OPT_PNODES, OPT_CAPACITY, OPT_TMCC, OPT_JSON,
	OPT_WAITSTART, OPT_WATCHMS,
};

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "mount", required_argument, NULL, OPT_MOUNT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "no-auth", no_argument, NULL, OPT_NOAUTH },
	NEOC_REACH_LONGOPTS,
	NEOC_JOBS_LONGOPT,
	{ "remote-ncprov", required_argument, NULL, OPT_REMOTE },
	{ "pnode-timeout", required_argument, NULL, OPT_PTIMEOUT },
	{ "ready-timeout", required_argument, NULL, OPT_RTIMEOUT },
	{ "pnodes", required_argument, NULL, OPT_PNODES },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "tmcc", required_argument, NULL, OPT_TMCC },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "wait-startcmd", no_argument, NULL, OPT_WAITSTART },
	{ "watch-interval", required_argument, NULL, OPT_WATCHMS },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

static void
pass(struct up_args *a, const char *opt, const char *val)
{
	*NC_PUSH(a->import, a->nimport, a->capimport) = (char *)opt;
	*NC_PUSH(a->import, a->nimport, a->capimport) = (char *)val;
}

int
cmd_up(int argc, char **argv)
{
	struct neoc_up u = { .pnode_timeout = 600, .ready_timeout = 300 };
	struct neoc_reach r = { .retries = -1 };
	const char *db = NEOC_DEFAULT_DB, *mount = "/nc",
	    *listen = "0.0.0.0:564", *remote = NEOC_REMOTE_NCPROV;
	struct up_args a = { .watch_ms = 500 };
	struct neoc_pool pool = { 0 };
	struct sigaction sa;
	char *logs = NULL;
	int ch, rc = 1, how;

	neoc_elapsed();
	while ((ch = getopt_long(argc, argv, "d:hi:l:q", longopts, NULL)) !=
	    -1) {
		if (neoc_reach_opt(&r, ch, optarg))
			continue;
		switch (ch) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'q': u.quiet = 1; break;
		case OPT_MOUNT: mount = optarg; break;
		case OPT_LISTEN: listen = optarg; break;
		case OPT_NOAUTH: u.no_auth = 1; break;
		case OPT_REMOTE: remote = optarg; break;
		case OPT_PTIMEOUT:
			u.pnode_timeout = neoc_seconds("--pnode-timeout",
			    optarg);
			break;
		case OPT_RTIMEOUT:
			u.ready_timeout = neoc_seconds("--ready-timeout",
			    optarg);
			break;
		case OPT_PNODES: pass(&a, "--pnodes", optarg); break;
		case OPT_CAPACITY: pass(&a, "--capacity", optarg); break;
		case OPT_TMCC: pass(&a, "--tmcc", optarg); break;
		case OPT_JSON: u.json = 1; break;
		case OPT_WAITSTART: a.wait_startcmd = 1; break;
		case OPT_WATCHMS:
			a.watch_ms = neoc_long("--watch-interval", optarg, 0,
			    60000);
			if (a.watch_ms > 0 && a.watch_ms < 10)
				errx(2, "--watch-interval: 0, or 10 to 60000 "
				    "ms");
			break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	a.ns = optind < argc ? argv[optind] : NULL;
	if (mount[0] != '/' || strchr(listen, ':') == NULL ||
	    remote[0] != '/')
		errx(2, "--mount and --remote-ncprov must be absolute, --listen "
		    "ADDR:PORT");
	if (a.ns == NULL && a.nimport > 0)
		errx(2, "--pnodes, --capacity and --tmcc go with FILE.ns");
	u.db = neoc_absolute(db);
	u.state = neoc_up_state_path(u.db);
	u.mount = nc_strdup(mount);
	u.listen = nc_strdup(listen);
	u.user = nc_strdup(r.user != NULL ? r.user : "root");
	u.identity = nc_strdup0(r.identity);
	u.known_hosts = nc_strdup0(r.known);
	u.accept_new = r.accept_new;
	u.retries = r.retries >= 0 ? r.retries : 3;
	u.connect_timeout = r.connect_timeout > 0 ? r.connect_timeout : 10;
	u.parallel = r.parallel > 0 ? r.parallel : 8;
	u.jobs = r.jobs;
	u.remote_ncprov = nc_strdup(remote);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (a.ns != NULL && import(&u, &a) < 0)
		goto out;
	if (access(u.db, R_OK) < 0) {
		fprintf(stderr, "neoc up: %s: %s (give an NS file to import)\n",
		    u.db, strerror(errno));
		goto out;
	}
	if (neoc_pnodes_resolve(u.db, r.addrs, r.naddrs, &u.pnodes,
	    &u.npnodes) < 0)
		goto out;
	if (u.npnodes == 0) {
		fprintf(stderr, "neoc up: %s has no pnode\n", u.db);
		goto out;
	}
	logs = logdir(&u);
	/* saved first: a failed or interrupted up leaves what down needs */
	if (neoc_up_save(&u) < 0 || serve(&u, logs) < 0)
		goto out;
	make_jobs(&u, logs, &pool, a.watch_ms);
	if (neoc_pool_start(&pool, u.parallel) < 0)
		goto out;
	how = neoc_up_watch(&u, &pool);
	if (how == 2) {
		/* stop local ncprov children; remote ones end with their
		 * sessions */
		size_t i;

		pthread_mutex_lock(&neoc_job_mu);
		for (i = 0; i < pool.n; i++)
			if (pool.jobs[i].child > 0)
				kill(pool.jobs[i].child, SIGTERM);
		pthread_mutex_unlock(&neoc_job_mu);
		/* a session may sit in a command until its own timeout:
		 * report and leave without waiting for it */
		rc = result(&u, &pool, how);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	neoc_pool_join(&pool);
	/* the control addresses are known once the pnodes ran */
	if (neoc_hosts_update(&u) < 0)
		fprintf(stderr, "neoc up: the control names are not in the "
		    "hosts file\n");
	rc = result(&u, &pool, how);
	if (rc == 0 && a.wait_startcmd)
		rc = neoc_up_wait_startcmd(&u);
out:
	neoc_jobs_free(&pool);
	free(a.import);
	free(r.addrs);
	free(logs);
	neoc_up_free(&u);
	return rc;
}
