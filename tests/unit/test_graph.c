/*
 * test_graph.c: neoc's dot rendering of an experiment.  A small experiment
 * built in code is rendered, the text checked for its clusters, nodes and
 * edges, and handed to the real dot(1) (graphviz), which must accept it
 * without a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph.h"
#include "inet.h"
#include "util.h"

static size_t
node(struct nc_exp *e, const char *name, enum nc_role r, const char *host)
{
	size_t i = nc_exp_add_node(e, name, r);

	nc_set_str(&e->nodes[i].host, host);
	return i;
}

/* Join the named nodes to a new LAN or link; returns the LAN index. */
static size_t
lan(struct nc_exp *e, const char *name, enum nc_lan_kind k, long kbps,
    double delay, const char *const *members)
{
	size_t l = nc_exp_add_lan(e, name, k), i;
	uint32_t base = 0x0a000000u | (uint32_t)(l + 1) << 8;
	struct nc_member *m;

	e->lans[l].bandwidth_kbps = kbps;
	e->lans[l].delay_ms = delay;
	for (i = 0; members[i] != NULL; i++) {
		m = nc_exp_join(e, l, (size_t)nc_exp_find_node(e, members[i]));
		e->nodes[m->node].ifaces[m->iface].ip = base + (uint32_t)i + 1;
	}
	return l;
}

/*
 * The test experiment: a control node, two pnodes, containers a and b on
 * pnode-0, c and `we"ird\` on pnode-1, d not placed, a physical node; a link
 * a-c, a LAN of a, b, phys and we"ird with an override on b, a slow link
 * b-d with loss, and a LAN whose name is also a node's name.
 */
static void
build(struct nc_exp *e)
{
	static const char *const link0[] = { "a", "c", NULL };
	static const char *const lan0[] = { "a", "b", "phys", "we\"ird\\",
	    NULL };
	static const char *const link1[] = { "b", "d", NULL };
	static const char *const samename[] = { "c", "d", "a", NULL };
	size_t l;

	nc_exp_init(e);
	nc_set_str(&e->name, "lab \"one\"\\two");
	nc_set_str(&e->project, "seclab");
	nc_set_str(&e->group, "seclab");
	node(e, "config", NC_ROLE_CONFIG, NULL);
	node(e, "pnode-0", NC_ROLE_PNODE, NULL);
	node(e, "pnode-1", NC_ROLE_PNODE, NULL);
	node(e, "pnode-2", NC_ROLE_PNODE, NULL);
	node(e, "a", NC_ROLE_CONTAINER, "pnode-0");
	node(e, "b", NC_ROLE_CONTAINER, "pnode-0");
	node(e, "c", NC_ROLE_CONTAINER, "pnode-1");
	node(e, "we\"ird\\", NC_ROLE_CONTAINER, "pnode-1");
	node(e, "d", NC_ROLE_CONTAINER, NULL);
	node(e, "phys", NC_ROLE_PHYSICAL, NULL);
	lan(e, "link0", NC_LAN_LINK, 100000, 10, link0);
	l = lan(e, "lan0", NC_LAN_LAN, 0, 0, lan0);
	/* b's interface on lan0 is slower than the LAN */
	e->nodes[e->lans[l].members[1].node]
	    .ifaces[e->lans[l].members[1].iface].bandwidth_kbps = 10000;
	l = lan(e, "link1", NC_LAN_LINK, 1500, 2.5, link1);
	e->lans[l].loss = 0.05;
	lan(e, "phys", NC_LAN_LAN, 1000000, 0, samename);
}

/* The dot text of e (a fresh string). */
static char *
render(const struct nc_exp *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(nc_graph_dot(e, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("missing %s in:\n%s", want, text);
}

/* The text from `open` up to the closing line of that subgraph. */
static char *
cluster_body(const char *text, const char *open)
{
	const char *s = strstr(text, open), *end;

	if (s == NULL)
		fail_msg("no %s in:\n%s", open, text);
	end = strstr(s, "\n\t}\n");
	assert_non_null(end);
	return nc_asprintf("%.*s", (int)(end - s), s);
}

/*
 * Run `dot -Tsvg -o SVG` with the text on its standard input and its
 * standard error in ERR; returns the exit status (-1: did not exit).
 */
static int
run_dot(const char *text, const char *svg, const char *errpath)
{
	char in[] = "/tmp/test_graph_in.XXXXXX";
	int fd, efd, status;
	pid_t pid;

	fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(efd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { "dot", "-Tsvg", "-o", (char *)svg,
		    NULL };

		if (dup2(fd, 0) < 0 || dup2(efd, 2) < 0)
			_exit(126);
		execvp("dot", argv);
		_exit(127);
	}
	close(fd);
	close(efd);
	unlink(in);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = nc_malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t
count(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)) != NULL; text++)
		n++;
	return n;
}

static void
test_text(void **state)
{
	struct nc_exp e;
	char *dot, *c0, *c1, *c2;

	(void)state;
	build(&e);
	dot = render(&e);

	/* the name with its quote and backslash escaped */
	assert_true(strncmp(dot, "graph \"lab \\\"one\\\"\\\\two\" {\n",
	    27) == 0);
	assert_has(dot, "label=\"lab \\\"one\\\"\\\\two (seclab)\"");

	/* one cluster per pnode, holding its containers */
	assert_int_equal(count(dot, "subgraph "), 3);
	c0 = cluster_body(dot, "\tsubgraph \"cluster_pnode-0\" {");
	assert_has(c0, "label=\"pnode-0\"");
	assert_has(c0, "\"node:a\" [label=\"a\\n10.0.1.1\\n10.0.2.1\\n"
	    "10.0.4.3\", shape=ellipse]");
	assert_has(c0, "\"node:b\" [label=\"b\\n10.0.2.2\\n10.0.3.1\"");
	assert_null(strstr(c0, "node:c"));
	c1 = cluster_body(dot, "\tsubgraph \"cluster_pnode-1\" {");
	assert_has(c1, "\"node:c\" [label=\"c\\n10.0.1.2\\n10.0.4.1\"");
	assert_has(c1, "\"node:we\\\"ird\\\\\" [label=\"we\\\"ird\\\\\\n"
	    "10.0.2.4\"");
	/* pnodes with containers and no interfaces are the cluster only */
	assert_null(strstr(dot, "\"node:pnode-0\""));
	/* an empty pnode shows itself, or dot would drop the cluster */
	c2 = cluster_body(dot, "\tsubgraph \"cluster_pnode-2\" {");
	assert_has(c2, "\"node:pnode-2\" [label=\"pnode-2\", shape=box");

	/* control, physical and unplaced nodes outside, shapes of their own */
	assert_has(dot, "\n\t\"node:config\" [label=\"config (control)\", "
	    "shape=hexagon");
	assert_has(dot, "\n\t\"node:phys\" [label=\"phys\\n10.0.2.3\", "
	    "shape=box3d]");
	assert_has(dot, "\n\t\"node:d\" [label=\"d\\n10.0.3.2\\n10.0.4.2\", "
	    "shape=ellipse]");

	/* links are edges, LANs points with an edge per member */
	assert_has(dot, "\t\"node:a\" -- \"node:c\" [label=\"link0\\n"
	    "100Mb/s 10ms\"];\n");
	assert_has(dot, "\t\"node:b\" -- \"node:d\" [label=\"link1\\n"
	    "1.5Mb/s 2.5ms loss 0.05\"];\n");
	assert_has(dot, "\t\"lan:lan0\" [shape=point, width=0.12, "
	    "xlabel=\"lan0\\nunlimited 0ms\"];\n");
	assert_has(dot, "\t\"lan:lan0\" -- \"node:a\";\n");
	assert_has(dot, "\t\"lan:lan0\" -- \"node:b\" [label=\"10Mb/s 0ms\"];\n");
	assert_has(dot, "\t\"lan:lan0\" -- \"node:phys\";\n");
	assert_has(dot, "\t\"lan:lan0\" -- \"node:we\\\"ird\\\\\";\n");
	/* a LAN called like a node stays a LAN */
	assert_has(dot, "\t\"lan:phys\" [shape=point, width=0.12, "
	    "xlabel=\"phys\\n1Gb/s 0ms\"];\n");
	assert_has(dot, "\t\"lan:phys\" -- \"node:d\";\n");
	assert_int_equal(count(dot, " -- "), 9);
	assert_true(strlen(dot) > 2 &&
	    strcmp(dot + strlen(dot) - 2, "}\n") == 0);

	free(c0);
	free(c1);
	free(c2);
	free(dot);
	nc_exp_free(&e);
}

/* dot(1) accepts the graph without a warning and draws the clusters. */
static void
test_dot_parses(void **state)
{
	char dir[] = "/tmp/test_graph.XXXXXX";
	char *dot, *svg, *err, *svgtext, *errtext;
	struct nc_exp e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	svg = nc_asprintf("%s/out.svg", dir);
	err = nc_asprintf("%s/err", dir);
	build(&e);
	dot = render(&e);
	assert_int_equal(run_dot(dot, svg, err), 0);
	errtext = slurp(err);
	if (*errtext != '\0')
		fail_msg("dot said: %s", errtext);
	svgtext = slurp(svg);
	assert_has(svgtext, "<svg");
	assert_int_equal(count(svgtext, "class=\"cluster\""), 3);
	assert_int_equal(count(svgtext, "class=\"edge\""), 9);
	/* the names come through as text */
	assert_has(svgtext, ">we&quot;ird\\</text>");
	assert_has(svgtext, ">100Mb/s 10ms</text>");
	free(svgtext);
	free(errtext);
	free(dot);
	nc_exp_free(&e);

	/* an empty experiment is a valid graph too */
	nc_exp_init(&e);
	dot = render(&e);
	assert_string_equal(dot, "graph \"experiment\" {\n"
	    "\tgraph [label=\"experiment\", labelloc=t, "
	    "fontname=\"Helvetica\"];\n"
	    "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	    "\tedge [fontname=\"Helvetica\", fontsize=9];\n}\n");
	assert_int_equal(run_dot(dot, svg, err), 0);
	errtext = slurp(err);
	assert_string_equal(errtext, "");
	free(errtext);
	free(dot);
	nc_exp_free(&e);

	unlink(svg);
	unlink(err);
	rmdir(dir);
	free(svg);
	free(err);
}

/* A control character in a name cannot break a line or a string. */
static void
test_hostile_names(void **state)
{
	struct nc_exp e;
	char *dot;

	(void)state;
	nc_exp_init(&e);
	nc_set_str(&e.name, "x\"; node [shape=none]; \"y\n");
	node(&e, "n\nm", NC_ROLE_CONTAINER, "p\"0");
	dot = render(&e);
	assert_has(dot, "graph \"x\\\"; node [shape=none]; \\\"y \" {\n");
	assert_has(dot, "subgraph \"cluster_p\\\"0\" {");
	assert_has(dot, "\"node:n m\" [label=\"n m\"");
	assert_int_equal(count(dot, "\n"), 11);
	free(dot);
	nc_exp_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_dot_parses),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
