/*
 * cmd_status.c: neoc status, every node's state from the status lines the
 * provisioners write (docs/DESIGN.md, "Status"), its control address and its
 * start command's state: a table, counts by state and a progress bar on a
 * terminal; --json for scripts; --watch to follow.
 */
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
"usage: neoc status [-d EXP.db] [--json] [--watch]\n"
"\n"
"Show every node's state (pending booting provisioning ready failed), its\n"
"control address and its start command's state (running, exited N,\n"
"killed SIG), counts per state and, on a terminal, a progress bar.\n"
"--json prints {\"nodes\": [...], \"counts\": {...}}, each node with\n"
"name role host state time step message control startstatus (null when\n"
"unknown) and starttime; --watch refreshes every second until every node\n"
"is ready or failed.\n");
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
	{ NULL, 0, NULL, 0 },
};

int
cmd_status(int argc, char **argv)
{
	const char *dbpath = NEOC_DEFAULT_DB;
	int ch, json = 0, watch = 0, tty = isatty(1), rc;
	size_t n, counts[NCT_NSTATES];
	struct neoc_node *rows;

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'j': json = 1; break;
		case 'w': watch = 1; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	for (;;) {
		if (neoc_nodes_load(dbpath, &rows, &n) < 0)
			return 1;
		if (watch && tty && !json)
			printf("\033[H\033[2J");
		rc = json ? print_json(rows, n) :
		    (neoc_nodes_table(stdout, rows, n, tty), 0);
		neoc_nodes_count(rows, n, counts);
		neoc_nodes_free(rows, n);
		fflush(stdout);
		if (!watch || counts[NCT_READY] + counts[NCT_FAILED] == n)
			break;
		sleep(1);
	}
	return rc == 0 ? 0 : 1;
}
