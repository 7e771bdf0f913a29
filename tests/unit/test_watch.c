/*
 * test_watch.c: the bookkeeping of the pnode's watcher
 * (provision/pnode/pnode_watch.c): "GUEST GEN" lines parsed (and refused),
 * the words after pnode and watch, the applied file `ncprov pnode` writes
 * under --root, and ncprov down's watch step removing the watcher's files
 * when no watcher runs.  (Which writes move which generation is
 * test_ncfs_fields.c's test_confgen.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "files.h"
#include "pnode_watch.h"
#include "scratch_dir.h"
#include "util.h"

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"a\n", "a x\n", "a 1 2\n", "a -1\n", " 1\n", "a  1\n",
		"a 1x\n", "a/b 1\n", "a 99999999999999999999999\n", NULL,
	};
	struct ncp_watch_gens g;
	size_t i;

	(void)state;
	assert_int_equal(ncp_watch_parse("w1 3\nw2 17\n\nw3 0", &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(ncp_watch_gen_of(&g, "w1"), 3);
	assert_int_equal(ncp_watch_gen_of(&g, "w2"), 17);
	assert_int_equal(ncp_watch_gen_of(&g, "w3"), 0);
	assert_int_equal(ncp_watch_gen_of(&g, "w4"), -1);
	ncp_watch_gens_free(&g);
	/* a name twice: the last line wins */
	assert_int_equal(ncp_watch_parse("w1 3\nw1 5\n", &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(ncp_watch_gen_of(&g, "w1"), 5);
	ncp_watch_gens_free(&g);
	assert_int_equal(ncp_watch_parse("", &g), 0);
	assert_int_equal(g.n, 0);
	ncp_watch_gens_free(&g);
	for (i = 0; bad[i] != NULL; i++) {
		int rc = ncp_watch_parse(bad[i], &g);

		if (rc != -EINVAL)
			print_error("\"%s\": %d\n", bad[i], rc);
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(g.n, 0);
		assert_null(g.v);
	}
}

static void
test_args(void **state)
{
	char *a1[] = { "pnode", "--watch", "--interval", "200", NULL };
	char *a2[] = { "watch", NULL };
	char *a3[] = { "watch", "--interval", "5", NULL };
	char *a4[] = { "watch", "--bogus", NULL };
	char *a5[] = { "watch", "--detach", "--interval", NULL };
	char *a6[] = { "watch", "--detach", "--interval", "60000", NULL };
	struct ncp_watch_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(4, a1, &o), 0);
	assert_int_equal(o.watch, 1);
	assert_int_equal(o.detach, 0);
	assert_int_equal(o.interval_ms, 200);
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(1, a2, &o), 0);
	assert_int_equal(o.interval_ms, NCP_WATCH_INTERVAL_MS);
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(3, a3, &o), -1);
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(2, a4, &o), -1);
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(3, a5, &o), -1);
	memset(&o, 0, sizeof(o));
	assert_int_equal(ncp_watch_args(4, a6, &o), 0);
	assert_int_equal(o.detach, 1);
	assert_int_equal(o.interval_ms, 60000);
}

/* Read ROOT/abs into a fresh string ("" when missing). */
static char *
slurp(struct ncprov *p, const char *abs)
{
	struct nc_buf b = { 0 };
	int exists;
	char *s;

	assert_int_equal(ncp_read_local(p, abs, &b, &exists), 0);
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

static void
test_applied_and_stop(void **state)
{
	char dir[] = "/tmp/nc-test-watch.XXXXXX", *s, *path;
	struct ncprov p = { .root = "" };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p.root = dir;
	/* what ncprov pnode read before its run becomes the applied file */
	assert_int_equal(ncp_watch_baseline(&p, "w1 4\nw2 9\n"), 0);
	s = slurp(&p, NCP_WATCH_APPLIED);
	assert_string_equal(s, "w1 4\nw2 9\n");
	free(s);
	/* a list that is not one leaves it as it was */
	assert_int_equal(ncp_watch_baseline(&p, "w1 x\n"), -EINVAL);
	s = slurp(&p, NCP_WATCH_APPLIED);
	assert_string_equal(s, "w1 4\nw2 9\n");
	free(s);
	/* nothing read (the tree was not there): nothing written */
	assert_int_equal(ncp_watch_baseline(&p, NULL), 0);
	/* a dry run writes nothing */
	p.dry_run = 1;
	assert_int_equal(ncp_watch_baseline(&p, "w1 5\n"), 0);
	p.dry_run = 0;
	s = slurp(&p, NCP_WATCH_APPLIED);
	assert_string_equal(s, "w1 4\nw2 9\n");
	free(s);

	/* down with no watcher running (a pid file naming a pid that is
	 * not an ncprov: this process is the test): the files go, the pid
	 * is left alone, nothing counted as a change */
	path = ncp_path(&p, NCP_WATCH_PIDFILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%ld\n", (long)getppid());
	fclose(f);
	free(path);
	path = ncp_path(&p, NCP_WATCH_LOG);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ncp_watch_kill(&p), 0);
	assert_int_equal(ncp_watch_stop(&p, NULL), 0);
	assert_int_equal(p.changes, 0);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	path = ncp_path(&p, NCP_WATCH_APPLIED);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	path = ncp_path(&p, NCP_WATCH_PIDFILE);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	/* and again: nothing there, still 0 */
	assert_int_equal(ncp_watch_stop(&p, NULL), 0);
	assert_int_equal(scratch_rm(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_applied_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
