/*
 * test_scope.c: which steps a scoped run of `ncprov container` may skip
 * (provision/container/scope.c) and the messages between a pnode and its
 * containers' agents (provision/agent_msg.c).  A fake tree behind the
 * source ops, a temporary --root for the records.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "files.h"
#include "ncprov.h"
#include "scope.h"
#include "scratch_dir.h"
#include "util.h"

/* The fake tree: paths and contents (NULL contents: absent). */
static const char *g_path[8] = { "nodes/a/hosts", "nodes/a/passwd",
	"nodes/a/ifaces/eth1", "nodes/a/ifaces/eth2", NULL };
static char g_data[8][64];
static int g_absent[8];
static unsigned g_reads;	/* reads that reached the fake tree */

static int
fake_read(void *impl, const char *path, struct nc_buf *out)
{
	size_t i;

	(void)impl;
	g_reads++;
	for (i = 0; g_path[i] != NULL; i++)
		if (strcmp(g_path[i], path) == 0 && !g_absent[i]) {
			nc_buf_puts(out, g_data[i]);
			return 0;
		}
	return -ENOENT;
}

static int
fake_list(void *impl, const char *path, char ***names, size_t *n)
{
	size_t i, cap = 0, len = strlen(path);

	(void)impl;
	*names = NULL;
	*n = 0;
	for (i = 0; g_path[i] != NULL; i++)
		if (!g_absent[i] && strncmp(g_path[i], path, len) == 0 &&
		    g_path[i][len] == '/')
			*NC_PUSH(*names, *n, cap) = nc_strdup(g_path[i] + len +
			    1);
	return 0;
}

static int
fake_is_dir(void *impl, const char *path)
{
	(void)impl;
	return strcmp(path, "nodes/a/ifaces") == 0;
}

static int
fake_write(void *impl, const char *path, const char *data, size_t len)
{
	(void)impl;
	(void)path;
	(void)data;
	(void)len;
	return 0;
}

static unsigned long long
fake_requests(void *impl)
{
	(void)impl;
	return g_reads;
}

static void
fake_close(void *impl)
{
	(void)impl;
}

static const struct ncp_source_ops fake_ops = {
	.read = fake_read, .list = fake_list, .is_dir = fake_is_dir,
	.write = fake_write, .requests = fake_requests, .close = fake_close,
};

static char g_root[64];
static struct ncprov g_p;

static int
setup(void **state)
{
	(void)state;
	snprintf(g_root, sizeof(g_root), "/tmp/test_scope.XXXXXX");
	if (mkdtemp(g_root) == NULL)
		return -1;
	memset(&g_p, 0, sizeof(g_p));
	g_p.root = g_root;
	g_p.node = "a";
	g_p.src.ops = &fake_ops;
	snprintf(g_data[0], sizeof(g_data[0]), "10.0.0.1 a\n");
	snprintf(g_data[1], sizeof(g_data[1]), "u:x:1000:1000::/home/u:/bin/sh\n");
	snprintf(g_data[2], sizeof(g_data[2]), "x");
	snprintf(g_data[3], sizeof(g_data[3]), "y");
	memset(g_absent, 0, sizeof(g_absent));
	g_absent[3] = 1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	scratch_rm(g_root);
	return 0;
}

/* A read through the run's source, as a step does. */
static void
step_read(const char *path)
{
	struct nc_buf b = { 0 };

	g_p.src.ops->read(g_p.src.impl, path, &b);
	nc_buf_free(&b);
}

/* One run: hosts reads hosts; accounts reads passwd; ifaces lists
 * ifaces and asks whether it is a directory; routes reads an absent file
 * and fails when failing says so; noop reads nothing. */
static void
run(int routes_fails)
{
	struct ncp_scope *s = ncp_scope_open(&g_p);
	char **names;
	size_t n;

	assert_non_null(s);
	ncp_scope_begin(s, "hosts");
	step_read("nodes/a/hosts");
	step_read("nodes/a/hosts");
	ncp_scope_end(s, 1);
	ncp_scope_begin(s, "accounts");
	step_read("nodes/a/passwd");
	ncp_scope_end(s, 1);
	ncp_scope_begin(s, "ifaces");
	assert_int_equal(g_p.src.ops->is_dir(g_p.src.impl, "nodes/a/ifaces"),
	    1);
	assert_int_equal(g_p.src.ops->list(g_p.src.impl, "nodes/a/ifaces",
	    &names, &n), 0);
	ncp_names_free(names, n);
	ncp_scope_end(s, 1);
	ncp_scope_begin(s, "routes");
	step_read("nodes/a/routes");
	ncp_scope_end(s, !routes_fails);
	ncp_scope_begin(s, "noop");
	ncp_scope_end(s, 1);
	ncp_scope_close(s, &g_p);
	assert_ptr_equal(g_p.src.ops, &fake_ops);	/* unwrapped */
}

/* ncp_scope_same of step in a new run (nothing recorded meanwhile). */
static int
same(const char *step)
{
	struct ncp_scope *s = ncp_scope_open(&g_p);
	int r = ncp_scope_same(s, step);

	ncp_scope_close(s, &g_p);
	return r;
}

static void
test_same(void **state)
{
	(void)state;
	/* nothing recorded yet: every step runs */
	assert_int_equal(same("hosts"), 0);
	run(1);
	assert_int_equal(same("hosts"), 1);
	assert_int_equal(same("accounts"), 1);
	assert_int_equal(same("ifaces"), 1);
	assert_int_equal(same("noop"), 1);
	assert_int_equal(same("routes"), 0);	/* it failed: no record */
	assert_int_equal(same("startcmd"), 0);	/* never ran */
	run(0);
	assert_int_equal(same("routes"), 1);	/* ENOENT both times */
	/* a user added: accounts, and only accounts */
	strcat(g_data[1], "zed:x:1001:1001::/home/zed:/bin/sh\n");
	assert_int_equal(same("accounts"), 0);
	assert_int_equal(same("hosts"), 1);
	assert_int_equal(same("ifaces"), 1);
	/* an interface added: the list differs */
	g_absent[3] = 0;
	assert_int_equal(same("ifaces"), 0);
	assert_int_equal(same("hosts"), 1);
	/* the file routes read appears */
	g_path[4] = "nodes/a/routes";
	snprintf(g_data[4], sizeof(g_data[4]), "default via 10.0.0.9\n");
	assert_int_equal(same("routes"), 0);
	g_path[4] = NULL;
	/* a file read goes away */
	g_absent[0] = 1;
	assert_int_equal(same("hosts"), 0);
	/* a new run records what it read now */
	run(0);
	assert_int_equal(same("hosts"), 1);
	assert_int_equal(same("accounts"), 1);
	assert_int_equal(same("ifaces"), 1);
}

static void
test_records_file(void **state)
{
	char *path = nc_asprintf("%s" NCP_SCOPE_FILE, g_root);
	FILE *f;

	(void)state;
	run(0);
	assert_int_equal(same("hosts"), 1);
	/* a line that does not parse: nothing is taken, every step runs */
	assert_non_null(f = fopen(path, "a"));
	fputs("hosts r zz\n", f);
	fclose(f);
	assert_int_equal(same("hosts"), 0);
	assert_int_equal(same("accounts"), 0);
	/* the next run writes them again */
	run(0);
	assert_int_equal(same("hosts"), 1);
	/* a dry run records nothing */
	g_p.dry_run = 1;
	assert_null(ncp_scope_open(&g_p));
	assert_int_equal(ncp_scope_same(NULL, "hosts"), 0);
	g_p.dry_run = 0;
	free(path);
}

static void
test_agent_msg(void **state)
{
	static const char *const bad[] = {
		"", "ncprov-", "ncprov-wake", "ncprov-wake 1", "ncprov-wake 1 ",
		"ncprov-wake 1 fully", "ncprov-wake x scoped", "ncprov-ack",
		"ncprov-ack 1 2", "ncprov-done 1", "ncprov-done 1 256 x",
		"ncprov-done 1 -1", "ncprov-done 1 0x", "ncprov-sleep 1",
		"ncprov-wake 99999999999999999999 full", "NCPROV-ack 1",
		"ncprov-ack -1", NULL,
	};
	struct ncp_agent_msg m;
	char big[NCP_AGENT_MSG_MAX + 2];
	size_t i;

	(void)state;
	assert_int_equal(ncp_agent_parse("ncprov-wake 17 scoped\n", 22, &m), 0);
	assert_string_equal(m.kind, "wake");
	assert_true(m.seq == 17 && m.full == 0);
	assert_int_equal(ncp_agent_parse("ncprov-wake 18 full", 19, &m), 0);
	assert_true(m.seq == 18 && m.full == 1);
	assert_int_equal(ncp_agent_parse("ncprov-ack 18446744073709551615\n",
	    32, &m), 0);
	assert_string_equal(m.kind, "ack");
	assert_true(m.seq == 18446744073709551615ULL);
	assert_int_equal(ncp_agent_parse("ncprov-done 5 1 accounts: x\tz\n",
	    30, &m), 0);
	assert_string_equal(m.kind, "done");
	assert_int_equal(m.rc, 1);
	assert_string_equal(m.line, "accounts: x");	/* cut at the tab */
	assert_int_equal(ncp_agent_parse("ncprov-done 5 0", 15, &m), 0);
	assert_string_equal(m.line, "");
	for (i = 0; bad[i] != NULL; i++) {
		int rc = ncp_agent_parse(bad[i], strlen(bad[i]), &m);

		if (rc != -EINVAL)
			print_error("\"%s\": %d\n", bad[i], rc);
		assert_int_equal(rc, -EINVAL);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "ncprov-done 1 0 ", 16);
	assert_int_equal(ncp_agent_parse(big, sizeof(big), &m), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_file, setup,
		    teardown),
		cmocka_unit_test(test_agent_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
