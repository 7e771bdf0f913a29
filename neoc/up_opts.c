/*
 * up_opts.c: the pnode-reaching options of neoc down and exec, and the
 * settings they start from (what up saved, or the database's pnodes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "children.h"
#include "cmds.h"
#include "up_opts.h"
#include "util.h"

const char neoc_reach_usage[] =
"  -i, --identity KEY     SSH private key (default ~/.ssh/id_ed25519, id_rsa)\n"
"  -l, --user USER        SSH login on the pnodes (default root)\n"
"      --known-hosts F    known_hosts file\n"
"      --accept-new-hostkeys  learn the keys of pnodes not yet known\n"
"      --pnode-addr N=H   reach pnode N at H[:PORT] over SSH (default: its\n"
"                         hostnames entry; the one pnode without an address\n"
"                         is this machine); N=local: this machine\n"
"      --retries N        SSH attempts after the first (default 3)\n"
"      --connect-timeout S  per SSH attempt (default 10)\n"
"      --parallel N       pnodes worked on at once (default 8)\n";

const char neoc_jobs_usage[] =
"      --jobs N           on each pnode, containers started, stopped or\n"
"                         provisioned again at once (ncprov --jobs; default\n"
"                         4 per CPU of that pnode)\n";

int
neoc_reach_opt(struct neoc_reach *r, int ch, const char *arg)
{
	switch (ch) {
	case 'i': r->identity = arg; return 1;
	case 'l': r->user = arg; return 1;
	case NEOC_OPT_ADDR:
		*NC_PUSH(r->addrs, r->naddrs, r->capaddrs) = (char *)arg;
		return 1;
	case NEOC_OPT_KNOWN: r->known = arg; return 1;
	case NEOC_OPT_ACCEPT: r->accept_new = 1; return 1;
	case NEOC_OPT_RETRIES:
		r->retries = (int)neoc_long("--retries", arg, 0, 100);
		return 1;
	case NEOC_OPT_CTIMEOUT:
		r->connect_timeout = neoc_seconds("--connect-timeout", arg);
		return 1;
	case NEOC_OPT_PARALLEL:
		r->parallel = (int)neoc_long("--parallel", arg, 1, 256);
		return 1;
	case NEOC_OPT_JOBS:
		r->jobs = (int)neoc_long("--jobs", arg, 1, 1024);
		return 1;
	}
	return 0;
}

static void
replace(char **field, const char *v)
{
	if (v == NULL)
		return;
	free(*field);
	*field = nc_strdup(v);
}

int
neoc_reach_setup(const char *db, const struct neoc_reach *r,
    struct neoc_up *u)
{
	char *abs;
	int had;

	abs = neoc_absolute(db);
	memset(u, 0, sizeof(*u));
	had = neoc_up_load(abs, u);
	free(abs);
	if (had < 0)
		return -1;
	if (!had || r->naddrs > 0) {
		neoc_pnodes_free(u->pnodes, u->npnodes);
		u->pnodes = NULL;
		u->npnodes = 0;
		/* without a database there are no pnodes, unless
		 * --pnode-addr names some: then it must be there */
		if ((r->naddrs > 0 || access(u->db, R_OK) == 0) &&
		    neoc_pnodes_resolve(u->db, r->addrs, r->naddrs,
		    &u->pnodes, &u->npnodes) < 0)
			return -1;
	}
	if (u->mount == NULL)
		u->mount = nc_strdup("/nc");
	if (u->listen == NULL)
		u->listen = nc_strdup("0.0.0.0:564");
	if (u->user == NULL)
		u->user = nc_strdup("root");
	if (u->remote_ncprov == NULL)
		u->remote_ncprov = nc_strdup(NEOC_REMOTE_NCPROV);
	replace(&u->user, r->user);
	replace(&u->identity, r->identity);
	replace(&u->known_hosts, r->known);
	u->accept_new = r->accept_new;
	u->retries = r->retries >= 0 ? r->retries : 3;
	u->connect_timeout = r->connect_timeout > 0 ? r->connect_timeout : 10;
	u->parallel = r->parallel > 0 ? r->parallel : 8;
	u->jobs = r->jobs;
	u->pnode_timeout = 600;
	u->ready_timeout = 300;
	return had;
}
