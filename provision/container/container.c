/*
 * container.c: ncprov container, the steps of a booting container in
 * order: hosts, groups, accounts, logins, ifaces, routes, mounts, tarfiles,
 * startcmd, then ready.
 * The status goes to nodes/<node>/status as the steps go: the first step's
 * "provisioning STEP" line, then a later step's only when a second has
 * passed since the last line written (each line is a commit on the server,
 * serialized there: 11 a container made 11,000 commits at 1,000
 * containers, which held nodes at "provisioning" long after their work was
 * done), every failure, and the final line.  With NCPROV_AGAIN=1, set by a
 * pnode provisioning a running container again, only the final line.  A failing step
 * writes "failed STEP reason"; steps that do not depend on it still run;
 * the exit status is then 1.  A run that changes nothing says "no changes".
 * With NCPROV_SCOPED=1 (the pnode's watcher, through the agent) a step is
 * skipped when what it read from the tree last time reads the same now and
 * no step it needs changed anything in this run (scope.h); every run
 * records those reads.  A scoped run that ends well writes no "ready" when
 * the status said ready already.  At the end the container's agent is started when
 * none runs (agent.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "files.h"
#include "container_steps.h"
#include "scope.h"
#include "util.h"

enum { S_HOSTS, S_GROUPS, S_ACCOUNTS, S_LOGINS, S_IFACES, S_ROUTES, S_MOUNTS,
	S_TARFILES, S_STARTCMD };
#define NEED(s) (1u << (s))

struct step {
	const char *name;		/* as in status lines */
	int (*run)(struct ncprov *);	/* the step */
	unsigned needs;			/* steps it depends on */
};

static const struct step steps[] = {
	[S_HOSTS] = { "hosts", ncp_step_hosts, 0 },
	[S_GROUPS] = { "groups", ncp_step_groups, 0 },
	[S_ACCOUNTS] = { "accounts", ncp_step_accounts, NEED(S_GROUPS) },
	[S_LOGINS] = { "logins", ncp_step_logins, NEED(S_ACCOUNTS) },
	[S_IFACES] = { "ifaces", ncp_step_ifaces, 0 },
	[S_ROUTES] = { "routes", ncp_step_routes, NEED(S_IFACES) },
	[S_MOUNTS] = { "mounts", ncp_step_mounts, NEED(S_ACCOUNTS) },
	[S_TARFILES] = { "tarfiles", ncp_step_tarfiles, NEED(S_MOUNTS) },
	[S_STARTCMD] = { "startcmd", ncp_step_startcmd,
	    NEED(S_ACCOUNTS) | NEED(S_MOUNTS) | NEED(S_IFACES) },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* Set from NCPROV_AGAIN=1 (pnode_reprov.c: a running container
 * provisioned again): no "provisioning STEP" lines, only the final one. */
static int again;

/* Set from NCPROV_SCOPED=1: only the steps a change concerns (scope.h). */
static int scoped;

#define STATUS_GAP_MS 1000	/* least time between two provisioning lines */

/* When this run last wrote a status line (CLOCK_MONOTONIC, ms; 0: never). */
static long long last_write_ms;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Status writes are part of the run, not of a dry run. */
static void
status(struct ncprov *p, enum nct_state state, const char *step,
    const char *msg)
{
	int rc;

	if (p->dry_run || (again && state == NCT_PROVISIONING))
		return;
	if (state == NCT_PROVISIONING && last_write_ms != 0 &&
	    now_ms() - last_write_ms < STATUS_GAP_MS)
		return;
	last_write_ms = now_ms();
	if ((rc = ncprov_set_status(p, state, step, msg)) < 0)
		fprintf(stderr, "ncprov: writing status %s: %s\n",
		    nct_states[state], strerror(-rc));
}

/* 1 when the node's status (the bundle's, read at the run's start) says
 * ready. */
static int
was_ready(struct ncprov *p)
{
	struct nc_buf b = { 0 };
	int r = ncp_read_node(p, NCT_NODE_STATUS, NULL, &b) == 0 &&
	    strncmp(nc_buf_str(&b), "ready ", 6) == 0;

	nc_buf_free(&b);
	return r;
}

int
ncprov_container(struct ncprov *p, int argc, char **argv)
{
	unsigned failed = 0, changed = 0;
	char first[600] = "";
	struct ncp_scope *sc;
	struct nc_buf ran = { 0 };
	size_t i, skipped = 0;
	int before, rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ncprov [options] container\n");
		return 2;
	}
	last_write_ms = 0;
	again = getenv("NCPROV_AGAIN") != NULL &&
	    strcmp(getenv("NCPROV_AGAIN"), "1") == 0;
	unsetenv("NCPROV_AGAIN");	/* not the start command's */
	scoped = getenv("NCPROV_SCOPED") != NULL &&
	    strcmp(getenv("NCPROV_SCOPED"), "1") == 0;
	unsetenv("NCPROV_SCOPED");
	sc = ncp_scope_open(p);
	for (i = 0; i < NSTEPS; i++) {
		if (steps[i].needs & failed) {
			printf("%s: skipped (a step it needs failed)\n",
			    steps[i].name);
			failed |= NEED(i);
			continue;
		}
		if (scoped && (steps[i].needs & changed) == 0 &&
		    ncp_scope_same(sc, steps[i].name)) {
			skipped++;
			continue;
		}
		status(p, NCT_PROVISIONING, steps[i].name, NULL);
		p->why[0] = '\0';
		before = p->changes;
		nc_buf_printf(&ran, " %s", steps[i].name);
		ncp_scope_begin(sc, steps[i].name);
		rc = steps[i].run(p);
		ncp_scope_end(sc, rc >= 0);
		if (p->changes != before)
			changed |= NEED(i);
		if (rc < 0) {
			fprintf(stderr, "ncprov: %s: %s\n", steps[i].name,
			    p->why);
			status(p, NCT_FAILED, steps[i].name, p->why);
			if (first[0] == '\0')
				snprintf(first, sizeof(first), "%s %s",
				    steps[i].name, p->why);
			failed |= NEED(i);
		}
	}
	ncp_scope_close(sc, p);
	if (scoped)
		printf("scoped: %zu of %zu steps ran:%s\n", NSTEPS - skipped,
		    NSTEPS, nc_buf_str(&ran));
	nc_buf_free(&ran);
	if ((rc = ncp_agent_start(p)) < 0)
		fprintf(stderr, "ncprov: agent: %s\n", strerror(-rc));
	if (p->changes == 0 && failed == 0)
		printf("no changes\n");
	if (failed != 0) {
		/* The first failure is the status that stays. */
		char *sp = strchr(first, ' ');

		if (sp != NULL) {
			*sp = '\0';
			status(p, NCT_FAILED, first, sp + 1);
		}
		return 1;
	}
	/* a scoped run of a node that was ready stays ready: that line again
	 * would be a commit on the server per container and edit */
	if (!(scoped && again && was_ready(p)))
		status(p, NCT_READY, NULL, NULL);
	return 0;
}
