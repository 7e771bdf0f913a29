/*
 * cmd_exec.c: neoc exec, a command (or a shell) in a container: lxc-attach
 * on this machine when the container's pnode is this machine, otherwise
 * over SSH on its pnode (libssh2 for a command; OpenSSH's ssh -t for an
 * interactive shell, which needs a terminal).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "db.h"
#include "ssh.h"
#include "up_opts.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc exec [-d EXP.db] [SSH options] NODE [-- CMD [ARG...]]\n"
"\n"
"Run CMD in container NODE (lxc-attach on its pnode) and exit with its\n"
"status; with no CMD, an interactive shell.\n"
"\n"
"  -d, --db EXP.db        the experiment database (default ./%s)\n"
"%s", NEOC_DEFAULT_DB, neoc_reach_usage);
}

/* NODE's pnode (malloc'd), or NULL with the reason printed. */
static char *
host_of(const char *db, const char *node)
{
	sqlite3_stmt *st = NULL;
	char *host = NULL;
	sqlite3 *h;
	int rc;

	if (nc_db_open(db, NC_DB_READ, &h) < 0)
		return NULL;
	rc = sqlite3_prepare_v2(h, "SELECT role, host FROM nodes WHERE name "
	    "= ?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(st, 0);
		const unsigned char *hs = sqlite3_column_text(st, 1);

		if (strcmp(role, "container") != 0 || hs == NULL)
			fprintf(stderr, "neoc exec: %s is a %s, not a "
			    "container\n", node, role);
		else
			host = nc_strdup((const char *)hs);
	} else if (rc == SQLITE_DONE)
		fprintf(stderr, "neoc exec: %s: no node \"%s\"\n", db, node);
	else
		fprintf(stderr, "neoc exec: %s: %s\n", db, sqlite3_errmsg(h));
	sqlite3_finalize(st);
	nc_db_close(h);
	return host;
}

/* lxc-attach's argv for node with cmd (NULL: a shell). */
static char **
attach_argv(const char *lxc_name, char **cmd, int ncmd)
{
	char **v = nc_calloc((size_t)ncmd + 8, sizeof(*v));
	int n = 0, i;

	v[n++] = "lxc-attach";
	v[n++] = "-P";
	v[n++] = NEOC_LXC_PATH;
	v[n++] = "-n";
	v[n++] = (char *)lxc_name;
	if (ncmd > 0) {
		v[n++] = "--";
		for (i = 0; i < ncmd; i++)
			v[n++] = cmd[i];
	}
	return v;
}

/* An interactive shell on a remote pnode: OpenSSH with a terminal. */
static int
remote_shell(const struct neoc_up *u, const struct neoc_pnode *pn,
    char **attach)
{
	char port[16], **v = nc_calloc(32, sizeof(*v));
	char *known = NULL;
	int n = 0, i;

	snprintf(port, sizeof(port), "%d", pn->port);
	v[n++] = "ssh";
	v[n++] = "-t";
	v[n++] = "-p";
	v[n++] = port;
	v[n++] = "-l";
	v[n++] = u->user;
	if (u->identity != NULL) {
		v[n++] = "-i";
		v[n++] = u->identity;
	}
	if (u->known_hosts != NULL) {
		known = nc_asprintf("UserKnownHostsFile=%s", u->known_hosts);
		v[n++] = "-o";
		v[n++] = known;
	}
	v[n++] = "--";
	v[n++] = pn->host;
	for (i = 0; attach[i] != NULL && n < 31; i++)
		v[n++] = attach[i];
	execvp("ssh", v);
	perror("neoc exec: ssh");
	free(known);
	free(v);
	return 1;
}

static int
remote_cmd(const struct neoc_up *u, const struct neoc_pnode *pn,
    char **attach)
{
	struct neoc_ssh_opts o = {
		.user = u->user, .identity = u->identity,
		.known_hosts = u->known_hosts, .accept_new = u->accept_new,
		.timeout_ms = (int)(u->connect_timeout * 1000),
		.retries = u->retries,
	};
	struct neoc_ssh *s;
	char err[512];
	int status = 1;

	if (neoc_ssh_global_init() < 0 || neoc_ssh_open(pn->host, pn->port,
	    &o, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "neoc exec: %s\n", err);
		return 1;
	}
	if (neoc_ssh_run(s, attach, 1, 2, 0, &status, err, sizeof(err)) < 0) {
		fprintf(stderr, "neoc exec: %s\n", err);
		status = 1;
	}
	neoc_ssh_close(s);
	return status;
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	NEOC_REACH_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

int
cmd_exec(int argc, char **argv)
{
	struct neoc_reach r = { .retries = -1 };
	const struct neoc_pnode *pn;
	const char *db = NEOC_DEFAULT_DB, *node;
	char *host = NULL, *lxc_name = NULL, **attach = NULL;
	struct neoc_up u;
	int ch, rc = 1;

	/* "+": options stop at NODE, so CMD keeps its own */
	while ((ch = getopt_long(argc, argv, "+d:hi:l:", longopts, NULL)) !=
	    -1) {
		if (neoc_reach_opt(&r, ch, optarg))
			continue;
		switch (ch) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); free(r.addrs); return 0;
		default: usage(stderr); free(r.addrs); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		free(r.addrs);
		return 2;
	}
	node = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (neoc_reach_setup(db, &r, &u) < 0 ||
	    (host = host_of(u.db, node)) == NULL)
		goto out;
	if ((pn = neoc_pnode_find(u.pnodes, u.npnodes, host)) == NULL) {
		fprintf(stderr, "neoc exec: %s runs on %s, which is not a "
		    "known pnode\n", node, host);
		goto out;
	}
	lxc_name = nc_asprintf("%s%s", NEOC_LXC_PREFIX, node);
	attach = attach_argv(lxc_name, argv + optind, argc - optind);
	if (pn->host == NULL) {
		execvp(attach[0], attach);
		perror("neoc exec: lxc-attach");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = optind < argc ? remote_cmd(&u, pn, attach) :
	    remote_shell(&u, pn, attach);
out:
	free(attach);
	free(lxc_name);
	free(host);
	free(r.addrs);
	neoc_up_free(&u);
	return rc;
}
