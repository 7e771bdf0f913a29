/*
 * cmd_down.c: neoc down, the undoing of neoc up: on every pnode `ncprov
 * down` stops and destroys our containers and tears down the switches,
 * bridges, TAP devices and control network it made (from the pnode's own
 * state files, so it works after a partial or failed up, and twice); then
 * neoc serve is stopped (diod, ncfs unmounted), every node's status goes
 * back to pending (its startstatus and control address are forgotten),
 * the control names leave /etc/hosts, and the state file is removed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "children.h"
#include "cmds.h"
#include "db.h"
#include "up_hosts.h"
#include "up_opts.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc down [-d EXP.db] [-q] [--keep-serve] [--jobs N] [SSH options]\n"
"\n"
"Take the experiment down: on every pnode stop and destroy its containers\n"
"and tear down the virtual network (ncprov down), stop neoc serve (diod,\n"
"the ncfs mount), reset every node's status to pending and remove the\n"
"control names neoc up put in /etc/hosts.  The pnodes are those neoc up\n"
"reached (EXP.db.up); without that file nothing is known to be up unless\n"
"--pnode-addr names pnodes.  Works after a failed or interrupted up, and\n"
"again when there is nothing left.\n"
"\n"
"  -d, --db EXP.db        the experiment database (default ./%s)\n"
"      --keep-serve       leave neoc serve running\n"
"  -q, --quiet            only failures\n"
"%s%s", NEOC_DEFAULT_DB, neoc_reach_usage, neoc_jobs_usage);
}

/* Stop neoc serve (its pidfile in the logs directory) and make sure the
 * tree is unmounted.  0, or -1 printed. */
static int
stop_serve(const struct neoc_up *u, int quiet)
{
	char *pidfile = nc_asprintf("%s.logs/serve.pid", u->db);
	char *const lazy[] = { "fusermount3", "-u", "-z", u->mount, NULL };
	pid_t pid = neoc_pidfile_pid(pidfile);
	int i, rc = 0;

	if (pid != 0) {
		kill(pid, SIGTERM);
		for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
			usleep(100000);
		if (kill(pid, 0) == 0) {
			fprintf(stderr, "neoc down: neoc serve (pid %ld) did not "
			    "stop; killing it\n", (long)pid);
			kill(pid, SIGKILL);
		}
		if (!quiet)
			printf("serve: stopped (pid %ld)\n", (long)pid);
	}
	if (neoc_is_mounted(u->mount)) {
		if (neoc_run(lazy, 1) != 0) {
			fprintf(stderr, "neoc down: cannot unmount %s\n",
			    u->mount);
			rc = -1;
		} else if (!quiet)
			printf("serve: unmounted %s\n", u->mount);
	}
	unlink(pidfile);
	free(pidfile);
	return rc;
}

/* Every node back to pending, its start command and control address
 * forgotten. */
static int
reset_status(const char *db)
{
	sqlite3 *h;
	int rc;

	if (access(db, F_OK) < 0)
		return 0;
	if (nc_db_open(db, NC_DB_WRITE, &h) < 0)
		return -1;
	rc = nc_db_exec(h, "BEGIN IMMEDIATE; DELETE FROM status; DELETE FROM "
	    "startstatus; DELETE FROM control; UPDATE experiment SET "
	    "generation = generation + 1; COMMIT");
	nc_db_close(h);
	return rc;
}

/* Did neoc up leave its state file for db? */
static int
up_known(const char *db)
{
	char *state = neoc_up_state_path(db);
	int yes = access(state, F_OK) == 0;

	free(state);
	return yes;
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "keep-serve", no_argument, NULL, 'k' },
	NEOC_REACH_LONGOPTS,
	NEOC_JOBS_LONGOPT,
	{ NULL, 0, NULL, 0 },
};

int
cmd_down(int argc, char **argv)
{
	struct neoc_reach r = { .retries = -1 };
	struct neoc_pool pool = { 0 };
	const char *db = NEOC_DEFAULT_DB;
	struct neoc_up u;
	char *logs = NULL;
	int ch, quiet = 0, keep = 0, rc = 1;
	size_t i, k;

	neoc_elapsed();
	while ((ch = getopt_long(argc, argv, "d:hqi:l:", longopts, NULL)) !=
	    -1) {
		if (neoc_reach_opt(&r, ch, optarg))
			continue;
		switch (ch) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); free(r.addrs); return 0;
		case 'q': quiet = 1; break;
		case 'k': keep = 1; break;
		default: usage(stderr); free(r.addrs); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		free(r.addrs);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (r.naddrs == 0 && !up_known(db)) {
		/* never up, or already down: nothing is known to be up */
		if (!quiet)
			printf("nothing is up (no %s.up)\n", db);
		free(r.addrs);
		return 0;
	}
	if (neoc_reach_setup(db, &r, &u) < 0)
		goto out;
	u.quiet = quiet;
	logs = nc_asprintf("%s.logs", u.db);
	pool.n = u.npnodes;
	pool.jobs = nc_calloc(u.npnodes ? u.npnodes : 1, sizeof(*pool.jobs));
	for (i = 0; i < u.npnodes; i++) {
		struct neoc_job *j = &pool.jobs[i];

		j->up = &u;
		j->pn = &u.pnodes[i];
		j->role = "down";
		j->log = access(logs, F_OK) == 0 ?
		    nc_asprintf("%s/%s.down.log", logs, j->pn->name) :
		    nc_strdup("/dev/null");
		j->args = nc_calloc(6, sizeof(*j->args));
		k = 0;
		j->args[k++] = nc_strdup("--node");
		j->args[k++] = nc_strdup(j->pn->name);
		if (u.jobs > 0) {
			j->args[k++] = nc_strdup("--jobs");
			j->args[k++] = nc_asprintf("%d", u.jobs);
		}
		j->args[k++] = nc_strdup("down");
	}
	if (neoc_pool_start(&pool, u.parallel) < 0)
		goto out;
	neoc_pool_join(&pool);
	rc = 0;
	for (i = 0; i < pool.n; i++) {
		struct neoc_job *j = &pool.jobs[i];

		if (j->phase == NEOC_PH_FAILED) {
			fprintf(stderr, "neoc down: pnode %s: %s\n",
			    j->pn->name, j->msg);
			rc = 1;
		} else if (!quiet)
			printf("%s: down\n", j->pn->name);
	}
	if (!keep && stop_serve(&u, quiet) < 0)
		rc = 1;
	if (reset_status(u.db) < 0)
		rc = 1;
	if (neoc_hosts_remove(u.db, quiet) < 0)
		rc = 1;
	if (rc == 0 && !keep)
		unlink(u.state);
	if (!quiet)
		printf("%s in %.1f s\n", rc ? "down, with failures" : "down",
		    neoc_elapsed());
out:
	neoc_jobs_free(&pool);
	free(logs);
	free(r.addrs);
	neoc_up_free(&u);
	return rc;
}
