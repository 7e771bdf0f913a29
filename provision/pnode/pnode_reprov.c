/*
 * pnode_reprov.c: containers that were already running when `ncprov pnode`
 * runs again, or whose configuration the watcher saw change, are
 * provisioned again, so an edit of the tree (a user added, an address
 * changed) reaches them: `ncprov container` inside each, --jobs at a time.
 * First through each container's agent (pnode_wake.c: one datagram, no
 * process on the pnode), then, for those whose agent did not answer (a
 * container from before agents, one whose agent is gone), with lxc-attach,
 * whose run starts the agent for the next time.  `ncprov pnode` asks for a
 * full run, the watcher for a scoped one (only the steps whose inputs
 * changed: provision/container/scope.h).  The container provisioner is
 * idempotent, so one with nothing to do prints "no changes" and this step
 * says nothing of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "pnode.h"
#include "pnode_wake.h"
#include "run.h"
#include "util.h"

#define STEP "containers"
#define REPROV_TIMEOUT_MS (300 * 1000)	/* a container's whole provisioning */

/* The last line of b (in place). */
static const char *
last_line(struct nc_buf *b)
{
	char *s = (char *)nc_buf_str(b), *nl;
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	nl = strrchr(s, '\n');
	return nl != NULL ? nl + 1 : s;
}

static void
report(struct ncprov *p, const char *name, int rc, const char *last)
{
	if (rc == 0 && strcmp(last, "no changes") != 0)
		ncp_report(p, STEP, "%s: provisioned again (%s)", name, last);
	else if (rc != 0)
		ncp_report(p, STEP, "%s: provisioning again failed (exit "
		    "%d%s%s)", name, rc, *last ? ": " : "", last);
}

/* lxc-attach ... ncprov container in the n containers names. */
static int
attach_all(struct ncprov *p, const char *lxcpath, char *const *names,
    size_t n, int scoped)
{
	struct ncp_job *jobs;
	char *prog;
	size_t i;
	int rc;

	if ((prog = ncp_which("lxc-attach")) == NULL) {
		ncp_report(p, STEP, "no lxc-attach: running containers not "
		    "provisioned again");
		return 0;
	}
	jobs = nc_calloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		char **argv = nc_calloc(13, sizeof(*argv));
		int k = 0;

		argv[k++] = prog;
		argv[k++] = "-P";
		argv[k++] = (char *)lxcpath;
		argv[k++] = "-n";
		argv[k++] = nc_asprintf("nc-%s", names[i]);
		/* only the final status line (container.c): a line per step
		 * of every container is a commit each on the server */
		argv[k++] = "-v";
		argv[k++] = "NCPROV_AGAIN=1";
		if (scoped) {
			argv[k++] = "-v";
			argv[k++] = "NCPROV_SCOPED=1";
		}
		argv[k++] = "--";
		argv[k++] = "/usr/sbin/ncprov";
		argv[k++] = "container";
		jobs[i].argv = argv;
	}
	rc = ncp_run_parallel(jobs, n, p->jobs, REPROV_TIMEOUT_MS);
	/* once more, one at a time, for those that failed: a connection to
	 * the 9P server through the pnode's masquerade can be lost */
	for (i = 0; rc == 0 && i < n; i++)
		if (jobs[i].rc != 0) {
			nc_buf_free(&jobs[i].out);
			memset(&jobs[i].out, 0, sizeof(jobs[i].out));
			if (ncp_run_parallel(&jobs[i], 1, 1, REPROV_TIMEOUT_MS) < 0)
				break;
		}
	for (i = 0; i < n; i++) {
		if (rc == 0)
			report(p, names[i], jobs[i].rc, last_line(&jobs[i].out));
		free(jobs[i].argv[4]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(prog);
	return rc < 0 ? rc : 0;
}

int
ncp_lxc_reprovision_mode(struct ncprov *p, const char *lxcpath,
    char *const *names, size_t n, int scoped)
{
	struct ncp_wake *w;
	char **rest;
	size_t i, nrest = 0;
	int rc;

	if (n == 0 || p->dry_run || p->no_start)
		return 0;
	w = nc_calloc(n, sizeof(*w));
	rest = nc_calloc(n, sizeof(*rest));
	for (i = 0; i < n; i++)
		w[i].name = names[i];
	if ((rc = ncp_wake_agents(p, lxcpath, w, n, !scoped)) < 0)
		printf("%s: waking the agents: %s\n", STEP, strerror(-rc));
	for (i = 0; i < n; i++) {
		if (!w[i].answered) {
			rest[nrest++] = names[i];
		} else if (w[i].rc == 75) {
			/* the agent's run lost its connection: once more,
			 * as the boot hook does */
			rest[nrest++] = names[i];
		} else {
			report(p, names[i], w[i].rc, w[i].line);
		}
	}
	rc = nrest > 0 ? attach_all(p, lxcpath, rest, nrest, scoped) : 0;
	free(rest);
	free(w);
	return rc;
}

int
ncp_lxc_reprovision(struct ncprov *p, const char *lxcpath,
    char *const *names, size_t n)
{
	return ncp_lxc_reprovision_mode(p, lxcpath, names, n, 0);
}
