/*
 * pnode_lxc.c: the lxc backend of the pnode's containers step (issue 6,
 * step 5).  What it shares with the vagrant backend is in pnode_guest.c,
 * pnode_state.c and run_parallel.c; with the other lxc files, in
 * pnode_lxc_run.c.
 *
 * Each lxc guest is the LXC container "nc-<guest>" under the lxcpath
 * ROOT/var/lib/neoc/lxc, a copy-on-write clone (overlayfs) of its image's
 * build (pnode_rootfs.c), made when missing or of another build than its
 * image's current one (stopped, removed and made again); no program runs
 * to make one.  Its config, boot file /etc/neoc/node and boot hook are
 * written by pnode_lxc_conf.c, the control network its first NIC is on is
 * pnode_control.c's; builds no container uses any more are pruned at the
 * end.  Every
 * container not running is started, --jobs at a time (one
 * `lxc-start -d` process each, whose place in the bound is kept until
 * the guest's boot hook has left its result, LXC_GATE_MS at most: the
 * bound is on guests booting and provisioning, whose work is most of a
 * bring-up), and its node's status set to "booting";
 * those already running run `ncprov container` again (pnode_reprov.c), so
 * an edit of the tree reaches them.
 * Containers we made (the state file ROOT/var/lib/neoc/containers, lines
 * "BACKEND NAME") that left the tree are stopped and destroyed, in
 * parallel too, --jobs at a time (every `lxc-stop -k`, then every
 * `lxc-destroy -f` of those with a config, rm -rf of the rest; one that
 * fails is tried once more a second later).  The
 * state file lists a container before it is created, and keeps one whose
 * creation or removal failed, so that a run cut short or failed leaves
 * nothing ncprov down (an empty pnode: everything goes) cannot find.
 *
 * Files go through ncp_replace (nothing changes when the contents are the
 * same, so a second run changes nothing).  Under --dry-run no program
 * runs; under --root with --no-start no lxc-stop nor lxc-destroy runs
 * ("would run: ..."), but every clone and file is made under ROOT as it
 * would be, for the tests to read.  --no-start alone makes but starts
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "run.h"
#include "steps.h"
#include "util.h"

#define STEP "containers"
#define STATE_FILE "/var/lib/neoc/containers"	/* what we made */

/* Run an lxc-* command or say it would (!ncp_lxc_may_run); as
 * ncp_lxc_run_or_say. */
static int
lxc_cmd(struct lxc_run *r, char **argv, char *why, size_t len)
{
	return ncp_lxc_run_or_say(r, argv, !ncp_lxc_may_run(r->p), why, len);
}

/* Is the container there (its directory)? */
static int
created(struct lxc_run *r, const char *cname)
{
	char *path = nc_asprintf("%s/%s", r->lxcpath, cname);
	int yes = ncp_lxc_exists(path);

	free(path);
	return yes;
}

/* Has it a config (lxc-destroy knows it; a run that failed before
 * writing one leaves a directory rm -rf removes)? */
static int
configured(struct lxc_run *r, const char *cname)
{
	char *path = nc_asprintf("%s/%s/config", r->lxcpath, cname);
	int yes = ncp_lxc_exists(path);

	free(path);
	return yes;
}

/* Is it running (lxc-info says RUNNING)? */
static int
running(struct lxc_run *r, const char *cname)
{
	char *argv[] = { NULL, "-P", r->lxcpath, "-n", (char *)cname, "-s",
	    "-H", NULL };
	struct nc_buf out = { 0 };
	int yes = 0;

	if ((argv[0] = ncp_which("lxc-info")) == NULL)
		return 0;
	if (ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS }) == 0)
		yes = strstr(nc_buf_str(&out), "RUNNING") != NULL;
	free(argv[0]);
	nc_buf_free(&out);
	return yes;
}

/* Sleep ms milliseconds. */
static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Run a batch of lxc-* commands (bare argv[0]) in parallel, each success
 * reported as ncp_lxc_run_or_say would; ok[i] tells which succeeded, and, when
 * record, the failures are recorded for the guests who[i].
 */
static void
lxc_batch(struct lxc_run *r, char ***argvs, const char **who, size_t n,
    int *ok, int record)
{
	struct ncp_job *jobs = nc_calloc(n ? n : 1, sizeof(*jobs));
	size_t i, k;
	int rc;

	for (i = 0; i < n; i++) {
		char *prog = ncp_which(argvs[i][0]);

		ok[i] = 0;
		if (prog == NULL) {
			jobs[i].rc = -ENOENT;
			continue;
		}
		for (k = 0; argvs[i][k] != NULL; k++)
			;
		jobs[i].argv = nc_calloc(k + 1, sizeof(char *));
		memcpy(jobs[i].argv, argvs[i], k * sizeof(char *));
		jobs[i].argv[0] = prog;
	}
	/* the jobs without a program are not run (argv NULL): pack the
	 * others to the front, run them, and put them back */
	{
		struct ncp_job *run = nc_calloc(n ? n : 1, sizeof(*run));
		size_t *at = nc_calloc(n ? n : 1, sizeof(*at)), nr = 0;

		for (i = 0; i < n; i++)
			if (jobs[i].argv != NULL) {
				at[nr] = i;
				run[nr++] = jobs[i];
			}
		if ((rc = ncp_run_parallel(run, nr, r->p->jobs,
		    LXC_TIMEOUT_MS)) < 0)
			for (k = 0; k < nr; k++)
				if (run[k].rc == 0)
					run[k].rc = rc;
		for (k = 0; k < nr; k++)
			jobs[at[k]] = run[k];
		free(run);
		free(at);
	}
	for (i = 0; i < n; i++) {
		char *line = ncp_argv_str(argvs[i]);

		if (jobs[i].argv == NULL) {
			char *msg = nc_asprintf("%s: no %s command (apt-get "
			    "install lxc)", line, argvs[i][0]);

			if (record)
				ncp_lxc_failed(r, who[i], "%s", msg);
			free(msg);
		} else if (jobs[i].rc == 0) {
			ncp_report(r->p, STEP, "%s", line);
			ok[i] = 1;
		} else if (record) {
			char *msg;

			ncp_lxc_trim(&jobs[i].out);
			msg = nc_asprintf("%s: %s%s%s", line, jobs[i].rc < 0 ?
			    strerror(-jobs[i].rc) : "failed",
			    jobs[i].out.len ? ": " : "",
			    nc_buf_str(&jobs[i].out));
			ncp_lxc_failed(r, who[i], "%s", msg);
			free(msg);
		}
		free(line);
		if (jobs[i].argv != NULL)
			free(jobs[i].argv[0]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
}

/*
 * The argv "PROG -P LXCPATH -n CNAME [OPT [ARG]]" for lxc_batch
 * (malloc'd; argv[4] is cname, now owned by it, and argv[6] arg, owned
 * too when given).
 */
static char **
lxc_argv(struct lxc_run *r, const char *prog, char *cname, const char *opt,
    char *arg)
{
	char **a = nc_calloc(8, sizeof(*a));

	a[0] = (char *)prog;
	a[1] = "-P";
	a[2] = r->lxcpath;
	a[3] = "-n";
	a[4] = cname;
	a[5] = (char *)opt;
	a[6] = arg;
	return a;
}

/* Free an lxc_argv. */
static void
lxc_argv_free(char **a)
{
	free(a[4]);
	free(a[6]);
	free(a);
}

/* What NCP_BUILD_FILE of the container cname says ("" when none),
 * malloc'd, without its newline. */
static char *
build_of_container(struct lxc_run *r, const char *cname)
{
	struct ncprov bare = { .root = "" };
	struct nc_buf b = { 0 };
	char *f = nc_asprintf("%s/%s/" NCP_BUILD_FILE, r->lxcpath, cname), *s;
	int ex;

	ncp_read_local(&bare, f, &b, &ex);
	while (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	s = nc_strdup(nc_buf_str(&b));
	free(f);
	nc_buf_free(&b);
	return s;
}

/*
 * Stop (when running) and remove the container cname, made from another
 * build than the one it should be of (or by lxc-create before builds
 * were): it is made again.  0 or -1 (recorded for guest).
 */
static int
unmake(struct lxc_run *r, const char *guest, const char *cname)
{
	char why[NCP_LXC_WHY];
	char *stop[] = { "lxc-stop", "-P", r->lxcpath, "-n", (char *)cname,
	    "-k", NULL };
	char *destroy[] = { "lxc-destroy", "-P", r->lxcpath, "-n",
	    (char *)cname, "-f", NULL };
	char *dir = nc_asprintf("%s/%s", r->lxcpath, cname);
	char *rm[] = { "/bin/rm", "-rf", "--one-file-system", dir, NULL };
	int ret = 0;

	if (ncp_lxc_may_run(r->p) && running(r, cname) &&
	    lxc_cmd(r, stop, why, sizeof(why)) < 0) {
		ncp_lxc_failed(r, guest, "%s", why);
		ret = -1;
		goto cleanup;
	}
	if (!ncp_lxc_may_run(r->p)) {
		lxc_cmd(r, destroy, why, sizeof(why));	/* says it would */
		goto cleanup;
	}
	ncp_run(&(struct ncp_cmd){ .argv = rm, .out_fd = -1,
	    .timeout_ms = LXC_TIMEOUT_MS });
	if (ncp_lxc_exists(dir)) {
		ncp_lxc_failed(r, guest, "%s", "rm -rf of its old clone "
		    "failed");
		ret = -1;
	}
cleanup:
	free(dir);
	return ret;
}

/*
 * Make every lxc guest of pn not made yet, or made from another build
 * than its image's current one: a copy-on-write clone of the build (the
 * directory LXCPATH/nc-<guest> with rootfs/, the overlay's upper layer,
 * and NCP_BUILD_FILE naming the build; the config comes after, from
 * ncp_lxc_configure).  No program runs for a clone.  bad[i] is set for
 * the guests not made.
 */
static void
create_all(struct lxc_run *r, const struct ncp_pnode *pn, int *bad)
{
	size_t i;

	for (i = 0; i < pn->nguests; i++) {
		const struct ncp_guest *g = &pn->guests[i];
		struct ncp_build *b = &r->builds[i];
		char *cname, *have, *want, *rel;
		int rc;

		bad[i] = 0;
		if (!ncp_guest_is_lxc(r->p, g))
			continue;
		cname = nc_asprintf("nc-%s", g->name);
		want = nc_asprintf("%s %s", b->name, b->id);
		have = build_of_container(r, cname);
		if (strcmp(have, want) == 0)
			goto next;		/* made, of this build */
		if (b->bad != NULL) {
			ncp_lxc_failed(r, g->name, "%s", b->bad);
			bad[i] = 1;
			goto next;
		}
		if (ncp_lxc_may_run(r->p) && !ncp_build_ready(b)) {
			ncp_lxc_failed(r, g->name, "image %s is not built",
			    b->name);
			bad[i] = 1;
			goto next;
		}
		if (created(r, cname)) {
			ncp_report(r->p, STEP, "%s: made from %s, now %s: "
			    "made again", cname, have[0] ? have :
			    "a template", want);
			if (unmake(r, g->name, cname) < 0) {
				bad[i] = 1;
				goto next;
			}
		}
		rel = nc_asprintf(LXC_DIR "/%s/rootfs", cname);
		rc = ncp_mkdirs(r->p, rel, 0755);
		free(rel);
		if (rc >= 0) {
			char *data = nc_asprintf("%s\n", want);

			rel = nc_asprintf(LXC_DIR "/%s/" NCP_BUILD_FILE, cname);
			rc = ncp_replace(r->p, rel, data, strlen(data), 0644,
			    0, 0);
			free(rel);
			free(data);
		}
		if (rc < 0) {
			ncp_lxc_failed(r, g->name, "%s", strerror(-rc));
			bad[i] = 1;
		} else
			ncp_report(r->p, STEP, "%s: a clone of %s", cname,
			    want);
next:
		free(cname);
		free(want);
		free(have);
	}
}

/* Stop and destroy the containers of ours no longer in the tree (all of
 * them, in parallel: first every lxc-stop -k, then every lxc-destroy);
 * the names kept in *kept (those whose removal failed).  0 or -1. */
static int
remove_gone(struct lxc_run *r, char ***kept, size_t *nkept, size_t *cap)
{
	char **old = NULL, why[NCP_LXC_WHY], ***stop, ***destroy, ***again;
	const char **who_s, **who_d, **who_r;
	size_t n = 0, i, j, ns = 0, nd = 0, nr = 0, ng = 0;
	int ret = 0, *ok, *bad, have_list;
	struct nc_buf up = { 0 };

	if (ncp_state_read(r->p, "lxc", &old, &n) < 0)
		return 0;
	stop = nc_calloc(n + 1, sizeof(*stop));
	destroy = nc_calloc(n + 1, sizeof(*destroy));
	again = nc_calloc(n + 1, sizeof(*again));
	who_s = nc_calloc(n + 1, sizeof(*who_s));
	who_d = nc_calloc(n + 1, sizeof(*who_d));
	who_r = nc_calloc(n + 1, sizeof(*who_r));
	ok = nc_calloc(n + 1, sizeof(*ok));
	bad = nc_calloc(n + 1, sizeof(*bad));
	/* the gone ones to the front of old */
	for (i = 0; i < n; i++) {
		for (j = 0; j < r->pn->nguests; j++)
			if (ncp_guest_is_lxc(r->p, &r->pn->guests[j]) &&
			    strcmp(r->pn->guests[j].name, old[i]) == 0)
				break;
		if (j == r->pn->nguests) {
			char *t = old[ng];

			old[ng++] = old[i];
			old[i] = t;
		}
	}
	if (!ncp_lxc_may_run(r->p)) {
		for (i = 0; i < ng; i++) {
			char *cname = nc_asprintf("nc-%s", old[i]);
			char *argv[] = { "lxc-destroy", "-P", r->lxcpath, "-n",
			    cname, "-f", NULL };

			lxc_cmd(r, argv, why, sizeof(why)); /* says it would */
			free(cname);
		}
		goto cleanup;
	}
	have_list = ng > 0 && ncp_lxc_running_list(r->lxcpath, &up) == 0;
	for (i = 0; i < ng; i++) {
		char *cname = nc_asprintf("nc-%s", old[i]);

		if (have_list ? ncp_lxc_listed(nc_buf_str(&up), cname) :
		    running(r, cname)) {
			who_s[ns] = old[i];
			stop[ns++] = lxc_argv(r, "lxc-stop", nc_strdup(cname),
			    "-k", NULL);
		}
		free(cname);
	}
	lxc_batch(r, stop, who_s, ns, ok, 1);
	for (i = 0; i < ns; i++)
		for (j = 0; j < ng; j++)
			if (!ok[i] && who_s[i] == old[j])
				bad[j] = 1;
	for (i = 0; i < ng; i++) {
		char *cname = nc_asprintf("nc-%s", old[i]);

		if (!bad[i] && configured(r, cname)) {
			who_d[nd] = old[i];
			destroy[nd++] = lxc_argv(r, "lxc-destroy",
			    nc_strdup(cname), "-f", NULL);
		}
		free(cname);
	}
	/* lxc-destroy of a container whose lxc-create was cut short may
	 * fail half way and do the rest when run again: once more, after a
	 * pause, those still there */
	lxc_batch(r, destroy, who_d, nd, ok, 0);
	for (i = 0, nr = 0; i < nd; i++) {
		char *dir = nc_asprintf("%s/%s", r->lxcpath, destroy[i][4]);

		if (!ok[i] && ncp_lxc_exists(dir)) {
			again[nr] = destroy[i];
			who_r[nr++] = who_d[i];
		}
		free(dir);
	}
	if (nr > 0) {
		nap_ms(1000);
		lxc_batch(r, again, who_r, nr, ok, 1);
	}
	for (i = 0; i < nr; i++)
		for (j = 0; j < ng; j++)
			if (!ok[i] && who_r[i] == old[j])
				bad[j] = 1;
	for (i = 0; i < ng; i++) {
		if (bad[i]) {
			*NC_PUSH(*kept, *nkept, *cap) = nc_strdup(old[i]);
			ret = -1;
			continue;
		}
		/* what a --no-start run wrote without lxc-create, or what
		 * a failed lxc-create left */
		char *dir = nc_asprintf("%s/nc-%s", r->lxcpath, old[i]);
		char *rm[] = { "/bin/rm", "-rf", dir, NULL };

		if (ncp_lxc_exists(dir))
			ncp_run(&(struct ncp_cmd){ .argv = rm, .out_fd = -1 });
		free(dir);
	}
cleanup:
	for (i = 0; i < ns; i++) {
		lxc_argv_free(stop[i]);
	}
	for (i = 0; i < nd; i++) {
		lxc_argv_free(destroy[i]);
	}
	free(stop);
	free(destroy);
	free(again);
	free(who_s);
	free(who_d);
	free(who_r);
	free(ok);
	free(bad);
	nc_buf_free(&up);
	ncp_names_free(old, n);
	return ret;
}

/* Start the guests not running, in parallel; set their status.  0 or -1. */
static int
start_all(struct lxc_run *r, char **names, size_t n)
{
	struct ncp_job *jobs = nc_calloc(n ? n : 1, sizeof(*jobs));
	char *prog = ncp_which("lxc-start"), *line;
	size_t i, nj = 0;
	int ret = 0, rc;
	const char **who = nc_calloc(n ? n : 1, sizeof(*who));
	char **again = nc_calloc(n ? n : 1, sizeof(*again));
	size_t nagain = 0;
	struct nc_buf up = { 0 };
	int have_list = ncp_lxc_running_list(r->lxcpath, &up) == 0;

	for (i = 0; i < n; i++) {
		char *cname = nc_asprintf("nc-%s", names[i]);

		if (have_list ? ncp_lxc_listed(nc_buf_str(&up), cname) :
		    running(r, cname)) {
			again[nagain++] = names[i];	/* already up */
			free(cname);
			continue;
		}
		if (prog == NULL) {
			ncp_lxc_failed(r, names[i], "%s",
			    "no lxc-start command");
			free(cname);
			ret = -1;
			continue;
		}
		char **argv = nc_calloc(7, sizeof(*argv));
		/* the result of an earlier boot is not this one's */
		char *res = nc_asprintf("%s/%s/rootfs" NCP_BOOT_RESULT,
		    r->lxcpath, cname);

		unlink(res);
		argv[0] = prog;
		argv[1] = "-P";
		argv[2] = r->lxcpath;
		argv[3] = "-n";
		argv[4] = cname;
		argv[5] = "-d";
		who[nj] = names[i];
		/* its place is kept while it provisions: --jobs bounds the
		 * guests booting and provisioning, not only the lxc-starts */
		jobs[nj].gate = res;
		jobs[nj].gate_ms = LXC_GATE_MS;
		jobs[nj++].argv = argv;
	}
	/* "booting" before they start: a busybox container may boot and
	 * write "ready" before the last lxc-start returns. */
	for (i = 0; i < nj; i++)
		if ((rc = ncp_guest_status(r->p, who[i], NCT_BOOTING, NULL)) < 0)
			fprintf(stderr, "ncprov: %s: status: %s\n", who[i],
			    strerror(-rc));
	if ((rc = ncp_run_parallel(jobs, nj, r->p->jobs, LXC_TIMEOUT_MS)) < 0) {
		ncp_lxc_failed(r, "lxc-start", "%s", strerror(-rc));
		ret = -1;
	}
	for (i = 0; i < nj; i++) {
		line = ncp_argv_str(jobs[i].argv);
		if (jobs[i].rc == 0) {
			ncp_report(r->p, STEP, "%s", line);
			*NC_PUSH(r->pn->started, r->pn->nstarted,
			    r->pn->capstarted) = nc_strdup(who[i]);
		} else {
			struct nc_buf *o = &jobs[i].out;
			char *msg;

			ncp_lxc_trim(o);
			msg = nc_asprintf("%s: %s%s%s", line, jobs[i].rc < 0 ?
			    strerror(-jobs[i].rc) : "failed", o->len ? ": " :
			    "", nc_buf_str(o));
			ncp_lxc_failed(r, who[i], "%s", msg);
			ncp_guest_status(r->p, who[i], NCT_FAILED, msg);
			free(msg);
			ret = -1;
		}
		free(line);
		free(jobs[i].argv[4]);
		free(jobs[i].argv);
		free((char *)jobs[i].gate);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(who);
	free(prog);
	/* the tree may have changed for those already up */
	if (ncp_lxc_reprovision(r->p, r->lxcpath, again, nagain) < 0)
		ret = -1;
	free(again);
	nc_buf_free(&up);
	return ret;
}

int
ncp_pnode_lxc(struct ncprov *p, struct ncp_pnode *pn)
{
	struct lxc_run r = { .p = p, .pn = pn };
	char **names = NULL, **made = NULL, *cname;
	size_t n = 0, cap = 0, nm = 0, capm = 0, i, nlxc = 0;
	int ret = 0, *bad = NULL, nodir = 0;

	r.lxcpath = ncp_path(p, LXC_DIR);
	if ((r.ncprov = ncp_self_binary("ncprov-static")) == NULL)
		r.ncprov = ncp_self_binary(NULL);
	if ((r.nc9pfs = ncp_self_binary("nc9pfs")) == NULL)
		r.nc9pfs = ncp_which("nc9pfs");
	r.hook = ncp_lxc_load_hook(p);
	r.boot = ncp_lxc_load_boot(p);
	r.builds = nc_calloc(pn->nguests ? pn->nguests : 1,
	    sizeof(*r.builds));
	for (i = 0; i < pn->nguests; i++)
		if (ncp_guest_is_lxc(p, &pn->guests[i]))
			ncp_build_of(p, &pn->guests[i], &r.builds[i]);
	r.ctl = p->control_net ? p->control_net : NCP_CTL_DEFAULT;
	if (ncp_control_parse(r.ctl, &r.ctl_addr, &r.ctl_prefix) < 0) {
		ncp_fail(p, "lxc: control network \"%s\": not A.B.C.D/NN",
		    r.ctl);
		ret = -2;
		goto out;
	}
	r.routed = ncp_control_routed(r.ctl, pn->ninep);
	for (i = 0; i < pn->nguests; i++)
		if (ncp_guest_is_lxc(p, &pn->guests[i]))
			nlxc++;
	if (nlxc > 0 && ncp_control_net(&r, 1) < 0)
		ret = -1;
	if (remove_gone(&r, &names, &n, &cap) < 0)
		ret = -1;
	/* The state lists every container that may exist before any is
	 * made (a run cut short, or a failed lxc-create, leaves nothing
	 * down cannot find): those kept after a failed removal, and every
	 * lxc guest. */
	for (i = 0; i < pn->nguests; i++)
		if (ncp_guest_is_lxc(p, &pn->guests[i]))
			*NC_PUSH(names, n, cap) =
			    nc_strdup(pn->guests[i].name);
	if (ncp_state_write(p, "lxc", names, n) < 0) {
		ncp_lxc_failed(&r, "state", "%s", "cannot write " STATE_FILE);
		ret = -1;
	}
	if (nlxc > 0 && ncp_mkdirs(p, LXC_DIR, 0755) < 0) {
		ncp_lxc_failed(&r, "lxcpath", "%s", "mkdir " LXC_DIR);
		ret = -1;
		nodir = 1;
	}
	bad = nc_calloc(pn->nguests ? pn->nguests : 1, sizeof(*bad));
	if (!nodir)
		create_all(&r, pn, bad);
	for (i = 0; !nodir && i < pn->nguests; i++) {
		struct ncp_guest *g = &pn->guests[i];

		if (!ncp_guest_is_lxc(p, g))
			continue;
		cname = nc_asprintf("nc-%s", g->name);
		if (bad[i] ||
		    ncp_lxc_configure(&r, g, i, cname) < 0)
			ret = -1;
		else
			*NC_PUSH(made, nm, capm) = g->name;
		free(cname);
	}
	if (nm > 0)
		ncp_pnode_limits(p);
	if (!p->no_start && !p->dry_run && start_all(&r, made, nm) < 0)
		ret = -1;
	/* the builds no container is of any more go */
	if (ncp_builds_prune(p, r.lxcpath) < 0)
		ret = -1;
	/* the control bridge goes once no container needs it */
	if (nlxc == 0 && ncp_control_net(&r, 0) < 0)
		ret = -1;
	if (ret == -1)
		ncp_fail(p, "lxc: %s", nc_buf_str(&r.errs));
out:
	ncp_names_free(names, n);
	free(bad);
	free(made);
	free(r.lxcpath);
	free(r.ncprov);
	free(r.nc9pfs);
	free(r.hook);
	free(r.boot);
	for (i = 0; r.builds != NULL && i < pn->nguests; i++)
		if (r.builds[i].recipe != NULL)
			ncp_build_free(&r.builds[i]);
	free(r.builds);
	nc_buf_free(&r.errs);
	return ret < 0 ? -1 : 0;
}
