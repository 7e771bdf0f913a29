/*
 * pnode_reprov.c: containers that were already running when `ncprov pnode`
 * runs again are provisioned again, so an edit of the tree (a user added,
 * an address changed) reaches them: `ncprov container` inside each, --jobs
 * at a time (lxc-attach).  The container provisioner is idempotent, so one
 * with nothing to do prints "no changes" and this step says nothing of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "pnode.h"
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

int
ncp_lxc_reprovision(struct ncprov *p, const char *lxcpath,
    char *const *names, size_t n)
{
	struct ncp_job *jobs;
	char *prog;
	size_t i;
	int rc;

	if (n == 0 || p->dry_run || p->no_start)
		return 0;
	if ((prog = ncp_which("lxc-attach")) == NULL) {
		ncp_report(p, STEP, "no lxc-attach: running containers not "
		    "provisioned again");
		return 0;
	}
	jobs = nc_calloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		char **argv = nc_calloc(11, sizeof(*argv));

		argv[0] = prog;
		argv[1] = "-P";
		argv[2] = (char *)lxcpath;
		argv[3] = "-n";
		argv[4] = nc_asprintf("nc-%s", names[i]);
		/* only the final status line (container.c): a line per step
		 * of every container is a commit each on the server */
		argv[5] = "-v";
		argv[6] = "NCPROV_AGAIN=1";
		argv[7] = "--";
		argv[8] = "/usr/sbin/ncprov";
		argv[9] = "container";
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
		const char *last = last_line(&jobs[i].out);

		if (rc == 0 && jobs[i].rc == 0 && strcmp(last, "no changes") != 0)
			ncp_report(p, STEP, "%s: provisioned again (%s)",
			    names[i], last);
		else if (rc == 0 && jobs[i].rc != 0)
			ncp_report(p, STEP, "%s: provisioning again failed "
			    "(exit %d%s%s)", names[i], jobs[i].rc,
			    *last ? ": " : "", last);
		free(jobs[i].argv[4]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(prog);
	return rc < 0 ? rc : 0;
}
