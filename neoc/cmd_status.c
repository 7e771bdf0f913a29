/*
 * cmd_status.c: neoc status, every node's state from the status lines the
 * provisioners write (docs/DESIGN.md, "Status"), its control address and its
 * start command's state: a table, counts by state and a progress bar on a
 * terminal; --json for scripts; --watch to follow; --state and --pnode keep
 * some of the nodes (the counts are then those of the nodes kept).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "nodestate.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc status [-d EXP.db] [--json] [--watch] [--state STATE[,STATE]]\n"
"                   [--pnode NAME[,NAME]]\n"
"\n"
"Show every node's state (pending booting provisioning ready failed), its\n"
"control address and its start command's state (running, exited N,\n"
"killed SIG), counts per state and, on a terminal, a progress bar.\n"
"--json prints {\"nodes\": [...], \"counts\": {...}}, each node with\n"
"name role host state time step message control startstatus (null when\n"
"unknown) and starttime; --watch refreshes every second until every node\n"
"shown is ready or failed.\n"
"\n"
"  --state S    only the nodes in state S (repeated, or a comma list:\n"
"               --state failed,provisioning)\n"
"  --pnode P    only the pnode P and its containers (repeated, or a list)\n"
"Filtered, the counts (and --json's) are those of the nodes shown; the\n"
"table's counts line says \"(K of N nodes)\".\n");
}

static int
print_json(const struct neoc_node *rows, size_t n)
{
	json_t *root = json_object(), *nodes = json_array(), *cnt;
	size_t counts[NCT_NSTATES], i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct neoc_node *r = &rows[i];
		char start[32];
		json_t *o;

		o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s?, s:s?, s:s?, "
		    "s:s?}", "name", r->name, "role", r->role, "host", r->host,
		    "state", r->state, "time", (json_int_t)r->time, "step",
		    r->step, "message", r->message, "control", r->control,
		    "startstatus", neoc_start_text(r, " ", start,
		    sizeof(start)));
		if (r->start != NULL)
			json_object_set_new(o, "starttime",
			    json_integer((json_int_t)r->start_time));
		json_array_append_new(nodes, o);
	}
	neoc_nodes_count(rows, n, counts);
	cnt = json_object();
	for (i = 0; i < NCT_NSTATES; i++)
		json_object_set_new(cnt, nct_states[i],
		    json_integer((json_int_t)counts[i]));
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "counts", cnt);
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	printf("\n");
	return rc;
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "watch", no_argument, NULL, 'w' },
	{ "state", required_argument, NULL, 's' },
	{ "pnode", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

/* Split the comma list arg into *list (names copied). */
static void
add_names(const char *arg, char ***list, size_t *n, size_t *cap)
{
	const char *p = arg, *e;

	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		*NC_PUSH(*list, *n, *cap) = nc_asprintf("%.*s", (int)(e - p), p);
		if (*e == '\0')
			return;
		p = e + 1;
	}
}

/* Is every name of pnodes a pnode of the experiment?  0, or -1 printed. */
static int
pnodes_known(const struct neoc_node *rows, size_t n, char *const *pnodes,
    size_t npnodes)
{
	size_t i, k;

	for (i = 0; i < npnodes; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(rows[k].role, "pnode") == 0 &&
			    strcmp(rows[k].name, pnodes[i]) == 0)
				break;
		if (k == n) {
			fprintf(stderr, "neoc status: --pnode %s: no such pnode "
			    "(the pnodes:", pnodes[i]);
			for (k = 0; k < n; k++)
				if (strcmp(rows[k].role, "pnode") == 0)
					fprintf(stderr, " %s", rows[k].name);
			fprintf(stderr, ")\n");
			return -1;
		}
	}
	return 0;
}

int
cmd_status(int argc, char **argv)
{
	const char *dbpath = NEOC_DEFAULT_DB;
	int ch, json = 0, watch = 0, tty = isatty(1), rc = 1;
	size_t n, total, counts[NCT_NSTATES], npnodes = 0, cap = 0, i;
	struct neoc_node *rows;
	char **pnodes = NULL, why[256];
	unsigned mask = 0;

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); rc = 0; goto out;
		case 'j': json = 1; break;
		case 'w': watch = 1; break;
		case 's':
			if (neoc_state_mask(optarg, &mask, why,
			    sizeof(why)) < 0) {
				fprintf(stderr, "neoc status: --state: %s\n",
				    why);
				rc = 2;
				goto out;
			}
			break;
		case 'p': add_names(optarg, &pnodes, &npnodes, &cap); break;
		default: usage(stderr); rc = 2; goto out;
		}
	}
	if (optind != argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	for (;;) {
		if (neoc_nodes_load(dbpath, &rows, &n) < 0) {
			rc = 1;
			goto out;
		}
		if (pnodes_known(rows, n, pnodes, npnodes) < 0) {
			neoc_nodes_free(rows, n);
			rc = 2;
			goto out;
		}
		total = n;
		neoc_nodes_filter(rows, &n, mask, pnodes, npnodes);
		if (watch && tty && !json)
			printf("\033[H\033[2J");
		rc = json ? print_json(rows, n) :
		    (neoc_nodes_table(stdout, rows, n, total, tty), 0);
		rc = rc == 0 ? 0 : 1;
		neoc_nodes_count(rows, n, counts);
		neoc_nodes_free(rows, n);
		fflush(stdout);
		/* filtered, until every node shown (the filter read again
		 * each time) is ready or failed */
		if (!watch || counts[NCT_READY] + counts[NCT_FAILED] == n)
			break;
		sleep(1);
	}
out:
	for (i = 0; i < npnodes; i++)
		free(pnodes[i]);
	free(pnodes);
	return rc;
}
