/*
 * main.c: neoc, the control node's front door.  Dispatches to the
 * subcommands in cmds.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

static const struct neoc_cmd commands[] = {
	{ "import", cmd_import, "build the experiment database from an NS "
	    "file, JSON or testbed data" },
	{ "export", cmd_export, "print the experiment as JSON" },
	{ "check", cmd_check, "validate an NS file without writing anything" },
	{ "graph", cmd_graph, "print the topology as Graphviz dot (or SVG)" },
	{ "serve", cmd_serve, "mount the tree (ncfs) and export it over 9P "
	    "(diod)" },
	{ "status", cmd_status, "show every node's provisioning state" },
	{ "image", cmd_image, "list, fetch and verify the experiment's "
	    "images (ncimage)" },
	{ "ssh", cmd_ssh, "run a command on a pnode the way neoc up "
	    "reaches it" },
	{ "up", cmd_up, "bring the experiment up on its pnodes and wait "
	    "until every node is ready" },
	{ "down", cmd_down, "stop the containers, the network and serve "
	    "on every pnode" },
	{ "exec", cmd_exec, "run a command (or a shell) in a container" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct neoc_cmd *c;

	fprintf(f, "usage: neoc COMMAND [options] [args]\n"
	    "       neoc COMMAND --help\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nThe experiment database is -d EXP.db (default ./%s).\n",
	    NEOC_DEFAULT_DB);
}

int
main(int argc, char **argv)
{
	const struct neoc_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "neoc: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
