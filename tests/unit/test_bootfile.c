/*
 * test_bootfile.c: the boot files of provision/pnode/bootfile.c.  The pnode's
 * (/etc/neoc/pnode) written and read back (a 9P source with every option,
 * a mounted tree with none), byte for byte and field by field; written
 * under a temporary --root through ncp_replace (a second write changes
 * nothing), read back, removed (once); a missing file; bad lines, each
 * refused with the file and line named (a bad node name, HOST:PORT, a
 * relative path, control network, backend, NO_EXPORT value, a line
 * without =, two sources, no NODE=); what is accepted (IPv6 and names,
 * comments, CRLF, keys of later versions, the pnode's keys skipped in a
 * container's file).
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "bootfile.h"
#include "files.h"
#include "util.h"
#include "scratch_dir.h"

/* A pnode's options, as `neoc up` gives them. */
static const struct ncp_boot full = {
	.node = "pnode-0",
	.ninep = "10.231.7.1:5640",
	.aname = "/tmp/nc-int.x/nc",
	.guest_ninep = "10.231.7.1:5640",
	.guest_aname = "/tmp/nc-int.x/nc",
	.control_net = "10.99.0.1/24",
	.backend = "lxc",
	.no_export = 1,
};

static void
same(const char *want, const char *got)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(want, got);
}

static void
same_boot(const struct ncp_boot *a, const struct ncp_boot *b)
{
	same(a->node, b->node);
	same(a->ninep, b->ninep);
	same(a->aname, b->aname);
	same(a->tree, b->tree);
	same(a->guest_ninep, b->guest_ninep);
	same(a->guest_aname, b->guest_aname);
	same(a->control_net, b->control_net);
	same(a->backend, b->backend);
	assert_int_equal(a->no_export, b->no_export);
}

static void
round_trip_9p(void **state)
{
	struct ncp_boot got = { 0 };
	char err[256] = "", *text = ncp_boot_text(&full);

	(void)state;
	assert_string_equal(text,
	    "# /etc/neoc/pnode: written by ncprov pnode (neo-containers); "
	    "at boot\n# `ncprov pnode` reads its options from here, "
	    "`ncprov down` removes it.\n"
	    "NODE=pnode-0\n"
	    "NINEP=10.231.7.1:5640\n"
	    "ANAME=/tmp/nc-int.x/nc\n"
	    "GUEST_NINEP=10.231.7.1:5640\n"
	    "GUEST_ANAME=/tmp/nc-int.x/nc\n"
	    "NO_EXPORT=1\n"
	    "CONTROL_NET=10.99.0.1/24\n"
	    "BACKEND=lxc\n");
	assert_int_equal(ncp_boot_parse(text, "f", 1, &got, err,
	    sizeof(err)), 0);
	same_boot(&full, &got);
	ncp_boot_free(&got);
	free(text);
}

static void
round_trip_tree(void **state)
{
	struct ncp_boot b = { .node = "pnode-3", .tree = "/nc",
	    .ninep = "ignored:1", .aname = "/ignored",
	    .guest_ninep = "172.30.0.1:564", .guest_aname = "/nc" };
	struct ncp_boot want = b, got = { 0 };
	char err[256] = "", *text = ncp_boot_text(&b);

	(void)state;
	/* a tree: no NINEP, no ANAME; options not given: no line */
	assert_null(strstr(text, "NINEP=ignored"));
	assert_null(strstr(text, "ANAME=/ignored"));
	assert_null(strstr(text, "NO_EXPORT"));
	assert_null(strstr(text, "CONTROL_NET"));
	assert_null(strstr(text, "BACKEND"));
	assert_int_equal(ncp_boot_parse(text, "f", 1, &got, err,
	    sizeof(err)), 0);
	want.ninep = NULL;
	want.aname = NULL;
	same_boot(&want, &got);
	ncp_boot_free(&got);
	free(text);
}

/* Written under --root (twice: once), read, removed (twice: once). */
static void
write_read_remove(void **state)
{
	char root[] = "/tmp/nc-boot.XXXXXX", err[256] = "", *path;
	struct ncprov p = { 0 };
	struct ncp_boot got = { 0 };
	struct stat st;
	int saved, devnull;

	(void)state;
	assert_non_null(mkdtemp(root));
	p.root = root;
	/* the reports go to stdout: keep the test's output clean */
	fflush(stdout);
	saved = dup(1);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	assert_int_equal(ncp_boot_read(root, NCP_PNODE_BOOTFILE, 1, &got,
	    err, sizeof(err)), -ENOENT);
	assert_int_equal(ncp_boot_write(&p, NCP_PNODE_BOOTFILE, &full), 1);
	assert_int_equal(p.changes, 1);
	assert_int_equal(ncp_boot_write(&p, NCP_PNODE_BOOTFILE, &full), 0);
	assert_int_equal(p.changes, 1);
	path = nc_asprintf("%s%s", root, NCP_PNODE_BOOTFILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ncp_boot_read(root, NCP_PNODE_BOOTFILE, 1, &got,
	    err, sizeof(err)), 0);
	same_boot(&full, &got);
	ncp_boot_free(&got);
	/* --dry-run: said, not done */
	p.dry_run = 1;
	assert_int_equal(ncp_boot_remove(&p, NCP_PNODE_BOOTFILE), 1);
	assert_int_equal(access(path, F_OK), 0);
	p.dry_run = 0;
	assert_int_equal(ncp_boot_remove(&p, NCP_PNODE_BOOTFILE), 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ncp_boot_remove(&p, NCP_PNODE_BOOTFILE), 0);
	assert_int_equal(p.changes, 3);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(devnull);
	free(path);
	assert_int_equal(scratch_rm(root), 0);
}

/* Each bad text is refused with this message. */
static void
bad_lines(void **state)
{
	static const struct {
		const char *text;	/* the file */
		const char *err;	/* the whole message */
	} cases[] = {
		{ "NODE=bad_name\n",
		    "F:1: NODE: \"bad_name\" is not a node name" },
		{ "NODE=-x\n", "F:1: NODE: \"-x\" is not a node name" },
		{ "NODE=\n", "F:1: NODE: \"\" is not a node name" },
		{ "# made by hand\n\nNODE=a\nNINEP=host\n",
		    "F:4: NINEP: \"host\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=host:0\n",
		    "F:2: NINEP: \"host:0\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=host:70000\n",
		    "F:2: NINEP: \"host:70000\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=:564\n",
		    "F:2: NINEP: \":564\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=[::1:564\n",
		    "F:2: NINEP: \"[::1:564\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=ho st:564\n",
		    "F:2: NINEP: \"ho st:564\" is not HOST:PORT" },
		{ "NODE=a\nNINEP=h:56x\n",
		    "F:2: NINEP: \"h:56x\" is not HOST:PORT" },
		{ "NODE=a\nANAME=nc\n",
		    "F:2: ANAME: \"nc\" is not an absolute path" },
		{ "NODE=a\nTREE=tree\n",
		    "F:2: TREE: \"tree\" is not an absolute path" },
		{ "NODE=a\nGUEST_NINEP=10.0.0.1\n",
		    "F:2: GUEST_NINEP: \"10.0.0.1\" is not HOST:PORT" },
		{ "NODE=a\nGUEST_ANAME=x/y\n",
		    "F:2: GUEST_ANAME: \"x/y\" is not an absolute path" },
		{ "NODE=a\nCONTROL_NET=10.0.0.0/16\n",
		    "F:2: CONTROL_NET: \"10.0.0.0/16\" is not A.B.C.D/NN" },
		{ "NODE=a\nCONTROL_NET=10.0.0.1\n",
		    "F:2: CONTROL_NET: \"10.0.0.1\" is not A.B.C.D/NN" },
		{ "NODE=a\nBACKEND=docker\n",
		    "F:2: BACKEND: \"docker\" is not lxc or vagrant" },
		{ "NODE=a\nNO_EXPORT=yes\n",
		    "F:2: NO_EXPORT: \"yes\" is not 0 or 1" },
		{ "NODE=a\nNINEP 10.0.0.1:564\n", "F:2: expected KEY=value" },
		{ "NODE=a\nNINEP=10.0.0.1:564\nTREE=/nc\n",
		    "F: both NINEP= and TREE= (one source)" },
		{ "NINEP=10.0.0.1:564\n", "F: no NODE=" },
		{ "", "F: no NODE=" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ncp_boot b = { 0 };
		char err[256] = "";

		if (ncp_boot_parse(cases[i].text, "F", 1, &b, err,
		    sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].text);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("for %s\nwant: %s\ngot:  %s", cases[i].text,
			    cases[i].err, err);
		ncp_boot_free(&b);
	}
}

/* A bad file on disk: the message names the file under root. */
static void
bad_file(void **state)
{
	char root[] = "/tmp/nc-boot.XXXXXX", err[256] = "", *dir, *path, *want;
	struct ncp_boot b = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	dir = nc_asprintf("%s/etc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	dir = nc_asprintf("%s/etc/neoc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	path = nc_asprintf("%s" NCP_PNODE_BOOTFILE, root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("NODE=pnode-0\nNINEP=10.0.0.1:99999\n", f);
	fclose(f);
	assert_int_equal(ncp_boot_read(root, NCP_PNODE_BOOTFILE, 1, &b, err,
	    sizeof(err)), -1);
	want = nc_asprintf("%s:2: NINEP: \"10.0.0.1:99999\" is not "
	    "HOST:PORT", path);
	assert_string_equal(err, want);
	free(want);
	ncp_boot_free(&b);
	free(path);
	assert_int_equal(scratch_rm(root), 0);
}

static void
accepted(void **state)
{
	static const char *const hostports[] = { "10.0.0.1:564",
	    "host-1.example.org:5640", "[fe80::1]:564", "[::1]:1",
	    "config:65535", NULL };
	static const char *const bad[] = { "[]:564", "[fe80::1]564",
	    "[fe80::g]:564", "-h:564", "h:", "h:012", NULL };
	struct ncp_boot b = { 0 };
	char err[256] = "";
	size_t i;

	(void)state;
	for (i = 0; hostports[i] != NULL; i++)
		if (!ncp_hostport_ok(hostports[i]))
			fail_msg("refused %s", hostports[i]);
	for (i = 0; bad[i] != NULL; i++)
		if (ncp_hostport_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_true(ncp_node_name_ok("pnode-0"));
	assert_true(ncp_node_name_ok("A9"));
	assert_false(ncp_node_name_ok("a.b"));
	assert_false(ncp_node_name_ok("x-"));
	/* 63 letters are a label, 64 are not */
	assert_true(ncp_node_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaa"));
	assert_false(ncp_node_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaa"));

	/* comments, CRLF, a later version's key, the last NODE wins */
	assert_int_equal(ncp_boot_parse("# x\r\nNODE=a\r\nFUTURE=what ever\n"
	    "NODE=b\nTREE=/nc\nNO_EXPORT=0\n", "F", 1, &b, err, sizeof(err)),
	    0);
	assert_string_equal(b.node, "b");
	assert_string_equal(b.tree, "/nc");
	assert_int_equal(b.no_export, 0);
	ncp_boot_free(&b);
	/* a container's file: the pnode's keys are not its own */
	assert_int_equal(ncp_boot_parse("NODE=h1\nNINEP=172.30.0.1:564\n"
	    "ANAME=/nc\nGUEST_NINEP=junk\nBACKEND=docker\n", "F", 0, &b, err,
	    sizeof(err)), 0);
	assert_string_equal(b.ninep, "172.30.0.1:564");
	assert_null(b.guest_ninep);
	assert_null(b.backend);
	ncp_boot_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_9p),
		cmocka_unit_test(round_trip_tree),
		cmocka_unit_test(write_read_remove),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(bad_file),
		cmocka_unit_test(accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
