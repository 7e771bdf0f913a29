/*
 * cmd_graph.c: neoc graph, the topology as Graphviz dot, or rendered to SVG
 * by dot(1).
 */
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "graph.h"
#include "model.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc graph [-d EXP.db] [--svg FILE]\n"
"\n"
"Print the experiment's topology as Graphviz dot: containers grouped by\n"
"pnode, LANs as small points, links labelled with bandwidth and delay.\n"
"With --svg, render it with dot(1) into FILE.\n");
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "svg", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/* Pipe the dot text of e into `dot -Tsvg -o svg`. */
static int
render_svg(const struct nc_exp *e, const char *svg)
{
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(fds) < 0)
		err(1, "pipe");
	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		char *const args[] = { "dot", "-Tsvg", "-o", (char *)svg,
		    NULL };

		close(fds[1]);
		if (dup2(fds[0], 0) < 0)
			_exit(127);
		close(fds[0]);
		execvp("dot", args);
		fprintf(stderr, "neoc graph: cannot run dot (install "
		    "graphviz)\n");
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);	/* dot may stop reading early */
	if ((f = fdopen(fds[1], "w")) == NULL)
		err(1, "fdopen");
	nc_graph_dot(e, f);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "neoc graph: dot failed\n");
		return -1;
	}
	return 0;
}

int
cmd_graph(int argc, char **argv)
{
	const char *dbpath = NEOC_DEFAULT_DB, *svg = NULL;
	struct nc_exp e;
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); return 0;
		case 's': svg = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	nc_exp_init(&e);
	if (neoc_open_load(dbpath, &e) < 0)
		goto out;
	if (svg != NULL)
		rc = render_svg(&e, svg) < 0;
	else
		rc = nc_graph_dot(&e, stdout) < 0 || fflush(stdout) != 0;
out:
	nc_exp_free(&e);
	return rc;
}
