/*
 * test_routes_step.c: the container's routes step
 * (provision/container/routes.c) on a tree directory (--tree) and a
 * temporary --root: the commands it would run for the routes of the tree,
 * the routes in place (ROOT/proc/net/neoc_test_routes, as `ip route show`
 * prints them), the routes it installed before (ROOT/var/lib/neoc/routes)
 * and the forwarding switch (ROOT/proc/sys/net/ipv4/ip_forward).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container_steps.h"
#include "ncprov.h"
#include "scratch_dir.h"
#include "source.h"
#include "util.h"

static char g_dir[64];		/* holds tree/ and root/ */
static char *g_tree, *g_root;	/* the --tree and the --root */
static struct ncprov g_p;	/* the run */

/* Write base/rel, making its directories. */
static void
put(const char *base, const char *rel, const char *data)
{
	char *path = nc_asprintf("%s/%s", base, rel), *s;
	int fd;

	for (s = path + strlen(base) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
	free(path);
}

/* The contents of root/rel (malloc'd), NULL when missing. */
static char *
slurp(const char *rel)
{
	char *path = nc_asprintf("%s/%s", g_root, rel), buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	free(path);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return nc_strdup(buf);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/nc-routes.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	g_tree = nc_asprintf("%s/tree", g_dir);
	g_root = nc_asprintf("%s/root", g_dir);
	mkdir(g_tree, 0755);
	mkdir(g_root, 0755);
	put(g_tree, "nodes/h1/role", "container\n");
	memset(&g_p, 0, sizeof(g_p));
	if (ncp_source_tree(g_tree, &g_p.src) < 0)
		return -1;
	g_p.node = "h1";
	g_p.root = g_root;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ncp_source_close(&g_p.src);
	scratch_rm(g_dir);
	free(g_tree);
	free(g_root);
	return 0;
}

/* Run the step, its stdout into *out; its return value. */
static int
run(char **out)
{
	char *path = nc_asprintf("%s/out", g_dir), buf[8192];
	int saved, fd, rc;
	ssize_t n;

	g_p.changes = 0;
	g_p.why[0] = '\0';
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	rc = ncp_step_routes(&g_p);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	*out = nc_strdup(buf);
	free(path);
	return rc;
}

/* A router: two routes, forwarding on. */
static void
test_install(void **state)
{
	char *out, *s;

	(void)state;
	put(g_tree, "nodes/h1/routes", "10.0.2.0/24 via 10.0.1.2\n"
	    "10.0.3.0/24 via 10.0.1.2\n");
	put(g_tree, "nodes/h1/forwarding", "1\n");
	put(g_root, "proc/sys/net/ipv4/ip_forward", "0\n");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "routes: /proc/sys/net/ipv4/ip_forward: 1\n"
	    "routes: would run: ip route replace 10.0.2.0/24 via 10.0.1.2\n"
	    "routes: would run: ip route replace 10.0.3.0/24 via 10.0.1.2\n");
	assert_int_equal(g_p.changes, 3);
	free(out);
	s = slurp("proc/sys/net/ipv4/ip_forward");
	assert_string_equal(s, "1\n");
	free(s);
	s = slurp("var/lib/neoc/routes");
	assert_string_equal(s, "10.0.2.0/24 via 10.0.1.2\n"
	    "10.0.3.0/24 via 10.0.1.2\nforwarding\n");
	free(s);

	/* The routes in place (as ip prints them): no changes. */
	put(g_root, "proc/net/neoc_test_routes", "10.0.1.0/24 dev eth1 proto "
	    "kernel scope link src 10.0.1.1 \n10.0.2.0/24 via 10.0.1.2 dev "
	    "eth1 \n10.0.3.0/24 via 10.0.1.2 dev eth1 proto static\n");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "");
	assert_int_equal(g_p.changes, 0);
	free(out);

	/* One leaves the tree, one moves: del and replace; a route we did
	 * not install stays. */
	put(g_root, "proc/net/neoc_test_routes", "10.0.2.0/24 via 10.0.1.2 "
	    "dev eth1\n10.0.3.0/24 via 10.0.1.2 dev eth1\n"
	    "192.168.9.0/24 via 10.0.1.7 dev eth1\n");
	put(g_tree, "nodes/h1/routes", "10.0.3.0/24 via 10.0.1.3\n");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out,
	    "routes: would run: ip route del 10.0.2.0/24 via 10.0.1.2\n"
	    "routes: would run: ip route replace 10.0.3.0/24 via 10.0.1.3\n");
	free(out);
	s = slurp("var/lib/neoc/routes");
	assert_string_equal(s, "10.0.3.0/24 via 10.0.1.3\nforwarding\n");
	free(s);

	/* No longer a router: the forwarding we turned on goes off. */
	put(g_tree, "nodes/h1/forwarding", "0\n");
	put(g_tree, "nodes/h1/routes", "");
	put(g_root, "proc/net/neoc_test_routes", "");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "routes: /proc/sys/net/ipv4/ip_forward: 0\n");
	free(out);
	s = slurp("var/lib/neoc/routes");
	assert_string_equal(s, "");
	free(s);
}

/* Host routes and default as ip prints them; forwarding someone else
 * turned on stays on. */
static void
test_host_routes(void **state)
{
	char *out, *s;

	(void)state;
	put(g_tree, "nodes/h1/routes", "10.0.2.2/32 via 10.0.0.2\n"
	    "default via 10.0.0.2\n");
	put(g_tree, "nodes/h1/forwarding", "0\n");
	put(g_root, "proc/sys/net/ipv4/ip_forward", "1\n");
	put(g_root, "proc/net/neoc_test_routes", "default via 10.0.0.2 dev "
	    "eth1\n10.0.2.2 via 10.0.0.2 dev eth1\n");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "");
	free(out);
	s = slurp("proc/sys/net/ipv4/ip_forward");
	assert_string_equal(s, "1\n");
	free(s);
}

/* Nothing asked, nothing there: no state file, no changes. */
static void
test_none(void **state)
{
	char *out, *s;

	(void)state;
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "");
	free(out);
	s = slurp("var/lib/neoc/routes");
	assert_null(s);
}

/* A bad line fails the step and changes nothing. */
static void
test_bad_line(void **state)
{
	char *out;

	(void)state;
	put(g_tree, "nodes/h1/routes", "10.0.2.0/24 via 10.0.1.2\n"
	    "10.0.3.0/24 via 10.0.1.2; reboot\n");
	assert_int_equal(run(&out), -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(g_p.why, "routes line 2"));
	free(out);
}

/* --dry-run: says, writes nothing. */
static void
test_dry_run(void **state)
{
	char *out, *s;

	(void)state;
	g_p.dry_run = 1;
	put(g_tree, "nodes/h1/routes", "10.0.2.0/24 via 10.0.1.2\n");
	put(g_tree, "nodes/h1/forwarding", "1\n");
	assert_int_equal(run(&out), 0);
	assert_string_equal(out, "routes: would write 1 to "
	    "/proc/sys/net/ipv4/ip_forward\n"
	    "routes: would run: ip route replace 10.0.2.0/24 via 10.0.1.2\n");
	free(out);
	assert_null(slurp("var/lib/neoc/routes"));
	s = slurp("proc/sys/net/ipv4/ip_forward");
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_routes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
