/*
 * test_ncfs_fields.c: the files of ncfs (configfs/ncfs/ncfs_fields.c,
 * ncfs_render.c, ncfs_records.c) against databases made by the real
 * importer (bin/neoc import of examples/small-lan.ns with the testbed data
 * of tests/data/tmcc-int, and of examples/images.ns): every kind of field
 * read byte-exact, every writable field written and read back, refused
 * writes leaving the database as it was with the right errno, the rendered
 * hosts, passwd, group, shadow, mounts and keys files, and records made
 * and removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ncfs.h"
#include "ncfs_bundle.h"
#include "ncfs_render.h"
#include "ncfs_tree.h"
#include "util.h"

extern char **environ;

/* The databases every test starts from, made once. */
static char scratch[64];	/* the directory */
static char lan_db[128];	/* small-lan.ns + tmcc-int */
static char img_db[128];	/* images.ns */
static char test_db[128];	/* this test's copy */

/* The directory holding examples/ and bin/neoc: up from the binary. */
static int
find_top(char *top, size_t len)
{
	char path[PATH_MAX], probe[PATH_MAX + 32], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return -1;
	path[n] = '\0';
	while ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/examples/small-lan.ns",
		    path[0] ? path : "/");
		if (access(probe, R_OK) == 0) {
			snprintf(top, len, "%s", path);
			return 0;
		}
	}
	if (access("examples/small-lan.ns", R_OK) == 0 &&
	    getcwd(top, len) != NULL)
		return 0;
	return -1;
}

/* Run argv (no shell), its output to DIR/import.log; 0 when it exits 0. */
static int
run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char log[160];
	pid_t pid;
	int status;

	snprintf(log, sizeof(log), "%s/import.log", scratch);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	char top[PATH_MAX], neoc[PATH_MAX + 16], ns[PATH_MAX + 32];
	char img[PATH_MAX + 32], tmcc[PATH_MAX + 32];

	(void)state;
	ncfs_bundle_init();
	if (find_top(top, sizeof(top)) < 0) {
		fprintf(stderr, "cannot find the source tree\n");
		return -1;
	}
	snprintf(neoc, sizeof(neoc), "%s/bin/neoc", top);
	snprintf(ns, sizeof(ns), "%s/examples/small-lan.ns", top);
	snprintf(img, sizeof(img), "%s/examples/images.ns", top);
	snprintf(tmcc, sizeof(tmcc), "%s/tests/data/tmcc-int", top);
	snprintf(scratch, sizeof(scratch), "/tmp/nc-test-ncfs.XXXXXX");
	if (mkdtemp(scratch) == NULL)
		return -1;
	snprintf(lan_db, sizeof(lan_db), "%s/lan.db", scratch);
	snprintf(img_db, sizeof(img_db), "%s/img.db", scratch);
	snprintf(test_db, sizeof(test_db), "%s/test.db", scratch);
	{
		char *a1[] = { neoc, "import", "-d", lan_db, ns, "--tmcc",
		    tmcc, NULL };
		char *a2[] = { neoc, "import", "-d", img_db, img, NULL };

		if (run(a1) < 0 || run(a2) < 0) {
			fprintf(stderr, "%s import failed: see %s/import.log\n",
			    neoc, scratch);
			return -1;
		}
	}
	return 0;
}

static void
rm_db(const char *db)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[160];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, suffix[i]);
		unlink(path);
	}
}

static int
group_teardown(void **state)
{
	char log[160];

	(void)state;
	rm_db(lan_db);
	rm_db(img_db);
	snprintf(log, sizeof(log), "%s/import.log", scratch);
	unlink(log);
	rmdir(scratch);
	return 0;
}

/* Copy a template database and connect to the copy. */
static int
open_copy(void **state, const char *from)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	rm_db(test_db);
	if ((in = open(from, O_RDONLY)) < 0)
		return -1;
	if ((out = open(test_db, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	if (close(out) < 0 || n < 0)
		return -1;
	*state = ncfs_conn_open(test_db, 0);
	return *state != NULL ? 0 : -1;
}

static int
setup_lan(void **state)
{
	return open_copy(state, lan_db);
}

static int
setup_img(void **state)
{
	return open_copy(state, img_db);
}

static int
teardown(void **state)
{
	ncfs_conn_close(*state);
	rm_db(test_db);
	return 0;
}

/* The field called name of directory type t (NULL name: the keyed file
 * of attributes/ or keys/), found through the contract. */
static const struct ncfs_field *
field(enum nct_dir t, const char *name)
{
	const struct ncfs_field *f;
	int e;

	e = name == NULL ? nct_keyed_entry(t) : nct_find(t, name);
	if (e < 0)
		fail_msg("no entry %s", name ? name : "<key>");
	f = ncfs_field_of((enum nct_id)e);
	assert_non_null(f);
	return f;
}

/* The contract's mode of field f. */
static unsigned
mode_of(const struct ncfs_field *f)
{
	return nct_entries[f->id].mode;
}

static struct ncfs_ref
ref(enum nct_dir t, const char *name, const char *k0, const char *k1)
{
	struct ncfs_ref r;

	memset(&r, 0, sizeof(r));
	r.dir = t;
	r.field = name != NULL || t == NCT_D_ATTRS || t == NCT_D_KEYS ?
	    field(t, name) : NULL;
	r.k[0] = (char *)k0;
	r.k[1] = (char *)k1;
	return r;
}

/* Read a file; its contents in out, the errno as the result. */
static int
get_rc(struct ncfs_conn *c, enum nct_dir t, const char *name,
    const char *k0, const char *k1, struct nc_buf *out)
{
	struct ncfs_ref r = ref(t, name, k0, k1);

	nc_buf_reset(out);
	return r.field->get(c, &r, out);
}

/* The file's contents must be want. */
static void
expect(struct ncfs_conn *c, enum nct_dir t, const char *name,
    const char *k0, const char *k1, const char *want)
{
	struct nc_buf out = { 0 };
	int rc = get_rc(c, t, name, k0, k1, &out);

	if (rc != 0 || strcmp(nc_buf_str(&out), want) != 0)
		print_error("%s/%s/%s: got %d \"%s\", want \"%s\"\n",
		    k0 ? k0 : "", k1 ? k1 : "", name ? name : "", rc,
		    nc_buf_str(&out), want);
	assert_int_equal(rc, 0);
	assert_string_equal(nc_buf_str(&out), want);
	nc_buf_free(&out);
}

/* Write a file as ncfs does: one transaction, committed on success. */
static int
put_why(struct ncfs_conn *c, enum nct_dir t, const char *name,
    const char *k0, const char *k1, const char *value, struct nc_buf *why)
{
	struct ncfs_ref r = ref(t, name, k0, k1);
	int rc;

	assert_non_null(r.field->set);
	assert_int_equal(ncfs_begin(c), 0);
	rc = r.field->set(c, &r, value, why);
	if (rc == 0)
		assert_int_equal(ncfs_commit_ref(c, &r), 0);
	else
		ncfs_rollback(c);
	return rc;
}

static void
put(struct ncfs_conn *c, enum nct_dir t, const char *name,
    const char *k0, const char *k1, const char *value)
{
	struct nc_buf why = { 0 };
	int rc = put_why(c, t, name, k0, k1, value, &why);

	if (rc != 0)
		print_error("writing \"%s\" to %s: %d %s\n", value, name, rc,
		    nc_buf_str(&why));
	assert_int_equal(rc, 0);
	nc_buf_free(&why);
}

/* Every row of every table, as text. */
static void
dump(struct ncfs_conn *c, struct nc_buf *out)
{
	static const char *const tables[] = { "experiment", "nodes",
	    "attributes", "lans", "ifaces", "images", "users", "groups",
	    "memberships", "sshkeys", "mounts", "hostnames", "status", NULL };
	sqlite3_stmt *st;
	char sql[128];
	size_t i;
	int j;

	nc_buf_reset(out);
	for (i = 0; tables[i] != NULL; i++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY rowid",
		    tables[i]);
		assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL),
		    SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (j = 0; j < sqlite3_column_count(st); j++) {
				const unsigned char *s =
				    sqlite3_column_text(st, j);

				nc_buf_printf(out, "%s|", s ? (const char *)s :
				    "NULL");
			}
			nc_buf_puts(out, "\n");
		}
		assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	}
}

/* The write is refused with err, a reason holding sub, nothing changed. */
static void
refuse(struct ncfs_conn *c, enum nct_dir t, const char *name,
    const char *k0, const char *k1, const char *value, int err,
    const char *sub)
{
	struct nc_buf before = { 0 }, after = { 0 }, why = { 0 };
	int rc;

	dump(c, &before);
	rc = put_why(c, t, name, k0, k1, value, &why);
	if (rc != err || (sub != NULL && strstr(nc_buf_str(&why), sub) ==
	    NULL))
		print_error("writing \"%s\" to %s/%s: got %d \"%s\", want %d "
		    "\"%s\"\n", value, k1 ? k1 : k0 ? k0 : "", name ? name :
		    "", rc, nc_buf_str(&why), err, sub ? sub : "");
	assert_int_equal(rc, err);
	assert_true(why.len > 0);
	if (sub != NULL)
		assert_non_null(strstr(nc_buf_str(&why), sub));
	dump(c, &after);
	assert_string_equal(nc_buf_str(&before), nc_buf_str(&after));
	nc_buf_free(&before);
	nc_buf_free(&after);
	nc_buf_free(&why);
}

static void
test_experiment(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCT_D_EXPERIMENT, "name", NULL, NULL, "small-lan\n");
	expect(c, NCT_D_EXPERIMENT, "project", NULL, NULL, "neoc\n");
	expect(c, NCT_D_EXPERIMENT, "group", NULL, NULL, "neoc\n");
	expect(c, NCT_D_EXPERIMENT, "control_host", NULL, NULL, "config\n");
	expect(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL, "\n");
	expect(c, NCT_D_EXPERIMENT, "generation", NULL, NULL, "1\n");
	assert_null(field(NCT_D_EXPERIMENT, "control_host")->set);
	assert_null(field(NCT_D_EXPERIMENT, "generation")->set);

	put(c, NCT_D_EXPERIMENT, "name", NULL, NULL, "lab-7");
	put(c, NCT_D_EXPERIMENT, "project", NULL, NULL, "sec");
	put(c, NCT_D_EXPERIMENT, "group", NULL, NULL, "sec-lab");
	put(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL, "192.168.10.2");
	expect(c, NCT_D_EXPERIMENT, "name", NULL, NULL, "lab-7\n");
	expect(c, NCT_D_EXPERIMENT, "project", NULL, NULL, "sec\n");
	expect(c, NCT_D_EXPERIMENT, "group", NULL, NULL, "sec-lab\n");
	expect(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL,
	    "192.168.10.2\n");
	/* every commit moved the generation */
	expect(c, NCT_D_EXPERIMENT, "generation", NULL, NULL, "5\n");
	put(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL, "");
	expect(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL, "\n");

	refuse(c, NCT_D_EXPERIMENT, "name", NULL, NULL, "", -EINVAL,
	    "name: \"\" is empty");
	refuse(c, NCT_D_EXPERIMENT, "name", NULL, NULL, "a/b", -EINVAL,
	    "letters, digits");
	refuse(c, NCT_D_EXPERIMENT, "project", NULL, NULL, "..", -EINVAL,
	    NULL);
	refuse(c, NCT_D_EXPERIMENT, "group", NULL, NULL, "two words",
	    -EINVAL, NULL);
	refuse(c, NCT_D_EXPERIMENT, "name", NULL, NULL,
	    "a23456789012345678901234567890123456789012345678901234567890"
	    "1234", -ENAMETOOLONG, NULL);
	refuse(c, NCT_D_EXPERIMENT, "control_addr", NULL, NULL, "10.0.0",
	    -EINVAL, "control_addr: \"10.0.0\" is not an IPv4 address");
}

static void
test_node_values(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCT_D_NODE, "role", "gw", NULL, "container\n");
	expect(c, NCT_D_NODE, "os", "gw", NULL, "Ubuntu1404-64-STD\n");
	expect(c, NCT_D_NODE, "hardware", "gw", NULL, "\n");
	expect(c, NCT_D_NODE, "startcmd", "gw", NULL,
	    "sudo sysctl -w net.ipv4.ip_forward=1\n");
	expect(c, NCT_D_NODE, "startcmd", "server", NULL,
	    "/usr/local/bin/start-web.sh >& /tmp/web.log\n");
	expect(c, NCT_D_NODE, "failure_action", "gw", NULL, "fatal\n");
	expect(c, NCT_D_NODE, "failure_action", "h3", NULL, "nonfatal\n");
	expect(c, NCT_D_NODE, "host", "gw", NULL, "pnode-0\n");
	expect(c, NCT_D_NODE, "host", "pnode-0", NULL, "\n");
	expect(c, NCT_D_NODE, "role", "pnode-0", NULL, "pnode\n");
	expect(c, NCT_D_NODE, "role", "config", NULL, "config\n");
	expect(c, NCT_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh1\nh2\nh3\nserver\n");
	expect(c, NCT_D_NODE, "containers", "gw", NULL, "");
	expect(c, NCT_D_NODE, "status", "gw", NULL, "pending 0\n");
	/* a container of the default image (its OS, Ubuntu..., is
	 * debian-12's) */
	expect(c, NCT_D_NODE_IMAGE, "name", "gw", NULL, "debian-12\n");
	expect(c, NCT_D_NODE_IMAGE, "url", "gw", NULL, "\n");
	expect(c, NCT_D_NODE_IMAGE, "type", "gw", NULL, "rootfs\n");
	/* a node that is not there */
	assert_int_equal(get_rc(c, NCT_D_NODE, "role", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_NODE, "hosts", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_NODE, "mounts", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_NODE, "containers", "nope", NULL,
	    &out), -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_NODE, "status", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_NODE_IMAGE, "os", "nope", NULL,
	    &out), -ENOENT);
	nc_buf_free(&out);

	/* the os picks the image in the same write */
	put(c, NCT_D_NODE, "os", "gw", NULL, "busybox");
	expect(c, NCT_D_NODE_IMAGE, "name", "gw", NULL, "busybox\n");
	refuse(c, NCT_D_NODE, "os", "gw", NULL, "FBSD10-STD", -EINVAL,
	    "no image serves OS \"FBSD10-STD\"");
	expect(c, NCT_D_NODE, "os", "gw", NULL, "busybox\n");
	expect(c, NCT_D_NODE_IMAGE, "name", "gw", NULL, "busybox\n");
	put(c, NCT_D_NODE, "os", "gw", NULL, "");
	expect(c, NCT_D_NODE_IMAGE, "name", "gw", NULL, "debian-12\n");
	put(c, NCT_D_NODE, "os", "pnode-0", NULL, "FBSD10-STD");	/* no image */
	expect(c, NCT_D_NODE_IMAGE, "name", "pnode-0", NULL, "\n");
	put(c, NCT_D_NODE, "os", "gw", NULL, "Ubuntu2204-64-STD");
	expect(c, NCT_D_NODE_IMAGE, "name", "gw", NULL, "debian-12\n");
	put(c, NCT_D_NODE, "hardware", "gw", NULL, "pc3000");
	put(c, NCT_D_NODE, "startcmd", "gw", NULL, "echo \"hi\" | tee /x\t#");
	put(c, NCT_D_NODE, "failure_action", "gw", NULL, "ignore");
	expect(c, NCT_D_NODE, "os", "gw", NULL, "Ubuntu2204-64-STD\n");
	expect(c, NCT_D_NODE, "hardware", "gw", NULL, "pc3000\n");
	expect(c, NCT_D_NODE, "startcmd", "gw", NULL,
	    "echo \"hi\" | tee /x\t#\n");
	expect(c, NCT_D_NODE, "failure_action", "gw", NULL, "ignore\n");
	put(c, NCT_D_NODE, "hardware", "gw", NULL, "");
	put(c, NCT_D_NODE, "startcmd", "gw", NULL, "");
	expect(c, NCT_D_NODE, "hardware", "gw", NULL, "\n");
	expect(c, NCT_D_NODE, "startcmd", "gw", NULL, "\n");

	refuse(c, NCT_D_NODE, "os", "gw", NULL, "Ubuntu 22", -EINVAL,
	    "blank");
	refuse(c, NCT_D_NODE, "hardware", "gw", NULL, "pc\x01", -EINVAL,
	    "\\x01");
	refuse(c, NCT_D_NODE, "startcmd", "gw", NULL, "a\nb", -EINVAL,
	    "newline");
	refuse(c, NCT_D_NODE, "failure_action", "gw", NULL, "retry",
	    -EINVAL, "fatal, nonfatal, ignore");
	refuse(c, NCT_D_NODE, "os", "nope", NULL, "x", -ENOENT, NULL);
}

static void
test_node_role_host(void **state)
{
	struct ncfs_conn *c = *state;

	refuse(c, NCT_D_NODE, "role", "gw", NULL, "router", -EINVAL,
	    "role: \"router\" is not one of config, pnode, container, "
	    "physical");
	refuse(c, NCT_D_NODE, "role", "gw", NULL, "", -EINVAL, NULL);
	refuse(c, NCT_D_NODE, "role", "pnode-0", NULL, "physical", -EINVAL,
	    "role: pnode-0 hosts 5 containers");
	refuse(c, NCT_D_NODE, "role", "config", NULL, "pnode", -EINVAL,
	    "control node");
	refuse(c, NCT_D_NODE, "role", "gw", NULL, "config", -EINVAL,
	    "only the control node");
	refuse(c, NCT_D_NODE, "role", "nope", NULL, "pnode", -ENOENT, NULL);
	refuse(c, NCT_D_NODE, "host", "gw", NULL, "h1", -EINVAL,
	    "host: h1 is not a pnode");
	refuse(c, NCT_D_NODE, "host", "gw", NULL, "nope", -EINVAL,
	    "host: nope is not a node of the experiment");
	refuse(c, NCT_D_NODE, "host", "gw", NULL, "", -EINVAL,
	    "needs a pnode");
	refuse(c, NCT_D_NODE, "host", "pnode-0", NULL, "pnode-0", -EINVAL,
	    "only containers have a host");
	refuse(c, NCT_D_NODE, "host", "gw", NULL, "../x", -EINVAL, NULL);

	/* h1 becomes a pnode, server moves onto it */
	put(c, NCT_D_NODE, "role", "h1", NULL, "pnode");
	expect(c, NCT_D_NODE, "role", "h1", NULL, "pnode\n");
	expect(c, NCT_D_NODE, "host", "h1", NULL, "\n");
	expect(c, NCT_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh2\nh3\nserver\n");
	put(c, NCT_D_NODE, "host", "server", NULL, "h1");
	expect(c, NCT_D_NODE, "host", "server", NULL, "h1\n");
	expect(c, NCT_D_NODE, "containers", "h1", NULL, "server\n");
	expect(c, NCT_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh2\nh3\n");
	/* back to a physical node: a pnode with no containers may */
	put(c, NCT_D_NODE, "host", "server", NULL, "pnode-0");
	put(c, NCT_D_NODE, "role", "h1", NULL, "physical");
	expect(c, NCT_D_NODE, "role", "h1", NULL, "physical\n");
	expect(c, NCT_D_NODE, "containers", "h1", NULL, "");
	/* the same role again changes nothing */
	put(c, NCT_D_NODE, "role", "config", NULL, "config");
}

static void
test_status(void **state)
{
	struct ncfs_conn *c = *state;

	put(c, NCT_D_NODE, "status", "h1", NULL, "booting 1700000000");
	expect(c, NCT_D_NODE, "status", "h1", NULL, "booting 1700000000\n");
	put(c, NCT_D_NODE, "status", "h1", NULL,
	    "provisioning  1700000005 accounts");
	expect(c, NCT_D_NODE, "status", "h1", NULL,
	    "provisioning 1700000005 accounts\n");
	put(c, NCT_D_NODE, "status", "h1", NULL,
	    "failed 1700000009 mounts cannot mount /users/alice: timed out ");
	expect(c, NCT_D_NODE, "status", "h1", NULL,
	    "failed 1700000009 mounts cannot mount /users/alice: timed out\n");
	put(c, NCT_D_NODE, "status", "h2", NULL, "ready 1700000010");
	expect(c, NCT_D_NODE, "status", "h2", NULL, "ready 1700000010\n");
	expect(c, NCT_D_NODE, "status", "h3", NULL, "pending 0\n");

	refuse(c, NCT_D_NODE, "status", "h1", NULL, "done 5", -EINVAL,
	    "state");
	refuse(c, NCT_D_NODE, "status", "h1", NULL, "ready", -EINVAL,
	    "no time");
	refuse(c, NCT_D_NODE, "status", "h1", NULL, "ready soon", -EINVAL,
	    NULL);
	refuse(c, NCT_D_NODE, "status", "h1", NULL, "ready 5\x1b[2J",
	    -EINVAL, NULL);
	refuse(c, NCT_D_NODE, "status", "nope", NULL, "ready 5", -ENOENT,
	    NULL);
}

/* startstatus and control: written by the node (its pnode), validated,
 * empty removes. */
static void
test_startstatus(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCT_D_NODE, "startstatus", "h1", NULL, "\n");
	put(c, NCT_D_NODE, "startstatus", "h1", NULL, "running 1700000000");
	expect(c, NCT_D_NODE, "startstatus", "h1", NULL,
	    "running 1700000000\n");
	put(c, NCT_D_NODE, "startstatus", "h1", NULL, "exited  3 1700000030 ");
	expect(c, NCT_D_NODE, "startstatus", "h1", NULL,
	    "exited 3 1700000030\n");
	put(c, NCT_D_NODE, "startstatus", "h2", NULL, "killed 9 1700000031");
	expect(c, NCT_D_NODE, "startstatus", "h2", NULL,
	    "killed 9 1700000031\n");
	refuse(c, NCT_D_NODE, "startstatus", "h1", NULL, "exited 1700000030",
	    -EINVAL, "exit status");
	refuse(c, NCT_D_NODE, "startstatus", "h1", NULL, "exited 3", -EINVAL,
	    "no time");
	refuse(c, NCT_D_NODE, "startstatus", "h1", NULL, "done 5", -EINVAL,
	    "running, exited or killed");
	refuse(c, NCT_D_NODE, "startstatus", "nope", NULL, "running 5",
	    -ENOENT, NULL);
	expect(c, NCT_D_NODE, "startstatus", "h1", NULL,
	    "exited 3 1700000030\n");
	put(c, NCT_D_NODE, "startstatus", "h1", NULL, "");
	expect(c, NCT_D_NODE, "startstatus", "h1", NULL, "\n");

	expect(c, NCT_D_NODE, "control", "h1", NULL, "\n");
	put(c, NCT_D_NODE, "control", "h1", NULL, "172.30.0.11");
	expect(c, NCT_D_NODE, "control", "h1", NULL, "172.30.0.11\n");
	refuse(c, NCT_D_NODE, "control", "h1", NULL, "172.30.0.11/16",
	    -EINVAL, NULL);
	refuse(c, NCT_D_NODE, "control", "h1", NULL, "a1", -EINVAL, NULL);
	refuse(c, NCT_D_NODE, "control", "nope", NULL, "10.0.0.1", -ENOENT,
	    NULL);
	put(c, NCT_D_NODE, "control", "h1", NULL, "");
	expect(c, NCT_D_NODE, "control", "h1", NULL, "\n");
}

static void
test_iface(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCT_D_IFACE, "lan", "gw", "eth1", "lan0\n");
	expect(c, NCT_D_IFACE, "ip", "gw", "eth1", "192.168.1.1\n");
	expect(c, NCT_D_IFACE, "netmask", "gw", "eth1", "255.255.255.0\n");
	expect(c, NCT_D_IFACE, "mac", "gw", "eth1", "02:a8:aa:5b:39:44\n");
	expect(c, NCT_D_IFACE, "bandwidth", "gw", "eth1", "100000\n");
	expect(c, NCT_D_IFACE, "delay", "gw", "eth1", "2\n");
	expect(c, NCT_D_IFACE, "loss", "gw", "eth1", "0\n");
	expect(c, NCT_D_IFACE, "lan", "gw", "eth2", "uplink\n");
	expect(c, NCT_D_IFACE, "ip", "gw", "eth2", "10.0.0.1\n");
	expect(c, NCT_D_IFACE, "bandwidth", "gw", "eth2", "10000\n");
	expect(c, NCT_D_IFACE, "delay", "gw", "eth2", "20\n");
	expect(c, NCT_D_IFACE, "loss", "gw", "eth2", "0.01\n");

	put(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.99");
	expect(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.99\n");
	put(c, NCT_D_IFACE, "mac", "h1", "eth1", "02:00:00:AA:bb:01");
	expect(c, NCT_D_IFACE, "mac", "h1", "eth1", "02:00:00:aa:bb:01\n");
	/* overrides of the LAN's shaping, and back */
	put(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "1Gb");
	put(c, NCT_D_IFACE, "delay", "h1", "eth1", "0.25");
	put(c, NCT_D_IFACE, "loss", "h1", "eth1", "0.125");
	expect(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "1000000\n");
	expect(c, NCT_D_IFACE, "delay", "h1", "eth1", "0.25\n");
	expect(c, NCT_D_IFACE, "loss", "h1", "eth1", "0.125\n");
	expect(c, NCT_D_IFACE, "bandwidth", "h2", "eth1", "100000\n");
	put(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "2000");
	expect(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "2000\n");
	put(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "");
	put(c, NCT_D_IFACE, "delay", "h1", "eth1", "");
	put(c, NCT_D_IFACE, "loss", "h1", "eth1", "");
	expect(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "100000\n");
	expect(c, NCT_D_IFACE, "delay", "h1", "eth1", "2\n");
	expect(c, NCT_D_IFACE, "loss", "h1", "eth1", "0\n");

	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "10.9.9.9", -EINVAL,
	    "ip: 10.9.9.9 is outside lan0's subnet 192.168.1.0/24");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.12", -EEXIST,
	    "ip: 192.168.1.12 is already used by h2's eth1");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "10.0.0.2", -EINVAL,
	    "outside");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.255", -EINVAL,
	    "broadcast");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.0", -EINVAL,
	    "network address");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.300", -EINVAL,
	    "not an IPv4 address");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "", -EINVAL, "empty");
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth1", "192.168.1.5\xff",
	    -EINVAL, NULL);
	refuse(c, NCT_D_IFACE, "ip", "h1", "eth9", "192.168.1.5", -ENOENT,
	    NULL);
	refuse(c, NCT_D_IFACE, "mac", "h1", "eth1", "02:a8:aa:5b:39:44",
	    -EEXIST, "mac: 02:a8:aa:5b:39:44 is already used by gw's eth1");
	refuse(c, NCT_D_IFACE, "mac", "h1", "eth1", "03:00:00:00:00:01",
	    -EINVAL, "multicast");
	refuse(c, NCT_D_IFACE, "mac", "h1", "eth1", "zz", -EINVAL, NULL);
	refuse(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "5", -EINVAL,
	    "under 10 kbit/s");
	refuse(c, NCT_D_IFACE, "bandwidth", "h1", "eth1", "fast", -EINVAL,
	    NULL);
	refuse(c, NCT_D_IFACE, "delay", "h1", "eth1", "2 days", -EINVAL,
	    NULL);
	refuse(c, NCT_D_IFACE, "loss", "h1", "eth1", "2", -EINVAL,
	    "between 0 and 1");
}

static void
test_lan(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCT_D_LAN, "kind", "lan0", NULL, "lan\n");
	expect(c, NCT_D_LAN, "kind", "uplink", NULL, "link\n");
	expect(c, NCT_D_LAN, "members", "lan0", NULL, "gw\nh1\nh2\nh3\n");
	expect(c, NCT_D_LAN, "members", "uplink", NULL, "gw\nserver\n");
	expect(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "100000\n");
	expect(c, NCT_D_LAN, "delay", "lan0", NULL, "2\n");
	expect(c, NCT_D_LAN, "loss", "uplink", NULL, "0.01\n");
	expect(c, NCT_D_LAN, "netmask", "lan0", NULL, "255.255.255.0\n");
	assert_int_equal(get_rc(c, NCT_D_LAN, "members", "nope", NULL, &out),
	    -ENOENT);
	nc_buf_free(&out);

	put(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "1Gbps");
	put(c, NCT_D_LAN, "delay", "lan0", NULL, "1.5s");
	put(c, NCT_D_LAN, "loss", "lan0", NULL, "0.001");
	expect(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "1000000\n");
	expect(c, NCT_D_LAN, "delay", "lan0", NULL, "1500\n");
	expect(c, NCT_D_LAN, "loss", "lan0", NULL, "0.001\n");
	/* the members see the LAN's new values */
	expect(c, NCT_D_IFACE, "bandwidth", "h2", "eth1", "1000000\n");
	expect(c, NCT_D_IFACE, "delay", "h2", "eth1", "1500\n");
	/* what is shown can be written back unchanged */
	put(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "1000000");
	put(c, NCT_D_LAN, "delay", "lan0", NULL, "1500");
	expect(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "1000000\n");
	expect(c, NCT_D_LAN, "delay", "lan0", NULL, "1500\n");
	put(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "0");
	expect(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "0\n");

	refuse(c, NCT_D_LAN, "bandwidth", "lan0", NULL, "", -EINVAL,
	    "empty");
	refuse(c, NCT_D_LAN, "delay", "lan0", NULL, "-3ms", -EINVAL,
	    "negative");
	refuse(c, NCT_D_LAN, "loss", "lan0", NULL, "abc", -EINVAL, NULL);
	refuse(c, NCT_D_LAN, "loss", "nope", NULL, "0.5", -ENOENT, NULL);
}

static void
test_users(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCT_D_USER, "uid", "alice", NULL, "20001\n");
	expect(c, NCT_D_USER, "gid", "alice", NULL, "6001\n");
	expect(c, NCT_D_USER, "name", "alice", NULL, "Alice Liddell\n");
	expect(c, NCT_D_USER, "home", "alice", NULL, "/users/alice\n");
	expect(c, NCT_D_USER, "shell", "carol", NULL, "/bin/tcsh\n");
	expect(c, NCT_D_USER, "groups", "alice", NULL, "sec-lab\n");
	expect(c, NCT_D_USER, "groups", "bob", NULL, "");
	expect(c, NCT_D_USER, "keys", "alice", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ alice@laptop\n"
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyA"
	    "AAA alice@desk\n");
	expect(c, NCT_D_USER, "keys", "bob", NULL, "");
	expect(c, NCT_D_USER, "password", "bob", NULL, "*\n");
	expect(c, NCT_D_USER, "root", "alice", NULL, "1\n");
	expect(c, NCT_D_USER, "root", "bob", NULL, "0\n");
	assert_int_equal(mode_of(field(NCT_D_USER, "password")), 0600);
	assert_int_equal(get_rc(c, NCT_D_USER, "uid", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_USER, "groups", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_USER, "keys", "nope", NULL, &out),
	    -ENOENT);
	nc_buf_free(&out);

	put(c, NCT_D_USER, "uid", "bob", NULL, "30000");
	put(c, NCT_D_USER, "gid", "bob", NULL, "6002");
	put(c, NCT_D_USER, "name", "bob", NULL, "Robert \xc3\x89. Brown");
	put(c, NCT_D_USER, "home", "bob", NULL, "/home/bob");
	put(c, NCT_D_USER, "shell", "bob", NULL, "/bin/zsh");
	put(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\nsec-proj\n");
	put(c, NCT_D_USER, "keys", "bob", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNhcm9sa2V5Zm9ydGVzdHNvbmx5"
	    "eHh4eHh4eHh4 bob@home\n");
	put(c, NCT_D_USER, "password", "bob", NULL, "$6$s$abc./def");
	put(c, NCT_D_USER, "root", "bob", NULL, "1");
	expect(c, NCT_D_USER, "uid", "bob", NULL, "30000\n");
	expect(c, NCT_D_USER, "gid", "bob", NULL, "6002\n");
	expect(c, NCT_D_USER, "name", "bob", NULL,
	    "Robert \xc3\x89. Brown\n");
	expect(c, NCT_D_USER, "home", "bob", NULL, "/home/bob\n");
	expect(c, NCT_D_USER, "shell", "bob", NULL, "/bin/zsh\n");
	expect(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\nsec-proj\n");
	expect(c, NCT_D_USER, "keys", "bob", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNhcm9sa2V5Zm9ydGVzdHNvbmx5"
	    "eHh4eHh4eHh4 bob@home\n");
	expect(c, NCT_D_USER, "password", "bob", NULL, "$6$s$abc./def\n");
	expect(c, NCT_D_USER, "root", "bob", NULL, "1\n");
	expect(c, NCT_D_GROUP, "members", "sec-lab", NULL,
	    "alice\ncarol\nbob\n");
	put(c, NCT_D_USER, "groups", "bob", NULL, "");
	put(c, NCT_D_USER, "keys", "bob", NULL, "");
	expect(c, NCT_D_USER, "groups", "bob", NULL, "");
	expect(c, NCT_D_USER, "keys", "bob", NULL, "");

	refuse(c, NCT_D_USER, "uid", "bob", NULL, "20001", -EEXIST,
	    "uid: 20001 is already alice's");
	refuse(c, NCT_D_USER, "uid", "bob", NULL, "abc", -EINVAL,
	    "uid: \"abc\" is not a decimal number");
	refuse(c, NCT_D_USER, "uid", "bob", NULL, "-1", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "uid", "bob", NULL, "4294967296", -EINVAL,
	    NULL);
	refuse(c, NCT_D_USER, "uid", "bob", NULL, "", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "gid", "bob", NULL, "12 34", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "name", "bob", NULL, "Bob:0:0", -EINVAL, "':'");
	refuse(c, NCT_D_USER, "home", "bob", NULL, "/users/../etc", -EINVAL,
	    NULL);
	refuse(c, NCT_D_USER, "shell", "bob", NULL, "bash", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\nwheel",
	    -EINVAL, "groups: there is no group wheel");
	refuse(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\nsec-lab",
	    -EINVAL, "twice");
	refuse(c, NCT_D_USER, "keys", "bob", NULL, "not a key", -EINVAL,
	    "key type");
	refuse(c, NCT_D_USER, "password", "bob", NULL, "", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "password", "bob", NULL, "a b", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "root", "bob", NULL, "yes", -EINVAL, NULL);
	refuse(c, NCT_D_USER, "uid", "nope", NULL, "5", -ENOENT, NULL);
	refuse(c, NCT_D_USER, "groups", "nope", NULL, "sec-lab", -ENOENT,
	    NULL);
}

static void
test_groups(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCT_D_GROUP, "gid", "sec-lab", NULL, "6002\n");
	expect(c, NCT_D_GROUP, "members", "sec-lab", NULL, "alice\ncarol\n");
	expect(c, NCT_D_GROUP, "members", "sec-proj", NULL, "");

	put(c, NCT_D_GROUP, "gid", "sec-lab", NULL, "7000");
	expect(c, NCT_D_GROUP, "gid", "sec-lab", NULL, "7000\n");
	/* bob joins, carol leaves; alice keeps her place */
	put(c, NCT_D_GROUP, "members", "sec-lab", NULL, "bob\nalice\n");
	expect(c, NCT_D_GROUP, "members", "sec-lab", NULL, "alice\nbob\n");
	expect(c, NCT_D_USER, "groups", "carol", NULL, "");
	expect(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\n");
	put(c, NCT_D_GROUP, "members", "sec-proj", NULL, "carol");
	put(c, NCT_D_USER, "groups", "alice", NULL, "sec-proj\nsec-lab");
	expect(c, NCT_D_USER, "groups", "alice", NULL, "sec-proj\nsec-lab\n");
	put(c, NCT_D_GROUP, "members", "sec-lab", NULL, "");
	expect(c, NCT_D_GROUP, "members", "sec-lab", NULL, "");
	expect(c, NCT_D_USER, "groups", "alice", NULL, "sec-proj\n");

	refuse(c, NCT_D_GROUP, "gid", "sec-lab", NULL, "6001", -EEXIST,
	    "gid: 6001 is already sec-proj's");
	refuse(c, NCT_D_GROUP, "gid", "sec-lab", NULL, "x", -EINVAL, NULL);
	refuse(c, NCT_D_GROUP, "members", "sec-lab", NULL, "alice\nmallory",
	    -EINVAL, "members: there is no user mallory");
	refuse(c, NCT_D_GROUP, "members", "sec-lab", NULL, "alice\n../x",
	    -EINVAL, "line 2");
	refuse(c, NCT_D_GROUP, "members", "nope", NULL, "alice", -ENOENT,
	    NULL);
}

static void
test_rendered(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCT_D_NODE, "hosts", "h1", NULL,
	    "# neo-containers experiment small-lan\n"
	    "192.168.1.1\tgw-lan0 gw\n"
	    "10.0.0.1\tgw-uplink\n"
	    "192.168.1.11\th1-lan0 h1\n"
	    "192.168.1.12\th2-lan0 h2\n"
	    "192.168.1.13\th3-lan0 h3\n"
	    "10.0.0.2\tserver-uplink server\n"
	    "192.168.10.10\tpnode-0 pc10 pc10.example.org\n"
	    "192.168.10.2\tconfig\n");
	expect(c, NCT_D_NODE, "passwd", "h1", NULL,
	    "alice:x:20001:6001:Alice Liddell:/users/alice:/bin/bash\n"
	    "carol:x:20002:6001:Carol Cheng:/users/carol:/bin/tcsh\n"
	    "bob:x:20003:6001:Bob Brown:/users/bob:/bin/bash\n");
	expect(c, NCT_D_NODE, "group", "h1", NULL,
	    "sec-proj:x:6001:\n"
	    "sec-lab:x:6002:alice,carol\n");
	expect(c, NCT_D_NODE, "shadow", "h1", NULL,
	    "alice:$6$saltsalt$9kQ2c7yLh0NbXpK4oJm1Qw0rT5uV8yZ2aB3cD4eF5gH6iJ7k"
	    "L8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH9iJ0::0:99999:7:::\n"
	    "carol:*::0:99999:7:::\n"
	    "bob:*::0:99999:7:::\n");
	assert_int_equal(mode_of(field(NCT_D_NODE, "shadow")), 0600);
	/* a container mounts from its pnode, other nodes from the server */
	expect(c, NCT_D_NODE, "mounts", "h1", NULL,
	    "pnode-0:/users/alice /users/alice 9p aname=/users/alice 0 0\n"
	    "pnode-0:/users/carol /users/carol 9p aname=/users/carol 0 0\n"
	    "pnode-0:/users/bob /users/bob 9p aname=/users/bob 0 0\n"
	    "pnode-0:/proj/sec-proj /proj/sec-proj 9p aname=/proj/sec-proj"
	    " 0 0\n");
	expect(c, NCT_D_NODE, "mounts", "pnode-0", NULL,
	    "fs.example.org:/users/alice /users/alice 9p aname=/users/alice"
	    " 0 0\n"
	    "fs.example.org:/users/carol /users/carol 9p aname=/users/carol"
	    " 0 0\n"
	    "fs.example.org:/users/bob /users/bob 9p aname=/users/bob 0 0\n"
	    "fs.example.org:/proj/sec-proj /proj/sec-proj 9p"
	    " aname=/proj/sec-proj 0 0\n");
	expect(c, NCT_D_KEYS, NULL, "h1", "alice",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ alice@laptop\n"
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyA"
	    "AAA alice@desk\n");
	expect(c, NCT_D_KEYS, NULL, "h1", "bob", "");
	assert_int_equal(mode_of(&ncfs_key_field), 0600);
	assert_null(ncfs_key_field.set);
	assert_int_equal(get_rc(c, NCT_D_KEYS, NULL, "h1", "mallory", &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_KEYS, NULL, "nope", "alice", &out),
	    -ENOENT);

	/* options of a mount follow the aname */
	assert_int_equal(sqlite3_exec(c->db, "UPDATE mounts SET options ="
	    " 'ro,cache=loose' WHERE target = '/proj/sec-proj'", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(get_rc(c, NCT_D_NODE, "mounts", "gw", NULL, &out),
	    0);
	assert_non_null(strstr(nc_buf_str(&out), "pnode-0:/proj/sec-proj "
	    "/proj/sec-proj 9p aname=/proj/sec-proj,ro,cache=loose 0 0\n"));

	/* a new address shows in every node's hosts */
	put(c, NCT_D_IFACE, "ip", "h2", "eth1", "192.168.1.42");
	assert_int_equal(get_rc(c, NCT_D_NODE, "hosts", "gw", NULL, &out), 0);
	assert_non_null(strstr(nc_buf_str(&out),
	    "\n192.168.1.42\th2-lan0 h2\n"));
	assert_null(strstr(nc_buf_str(&out), "192.168.1.12"));
	nc_buf_free(&out);
}

static void
test_images(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCT_D_NODE_IMAGE, "name", "web", NULL, "ubuntu/trusty64\n");
	expect(c, NCT_D_NODE_IMAGE, "os", "web", NULL, "ubuntu\n");
	expect(c, NCT_D_NODE_IMAGE, "type", "web", NULL, "vagrant\n");
	expect(c, NCT_D_NODE_IMAGE, "provider", "web", NULL, "virtualbox\n");
	expect(c, NCT_D_NODE_IMAGE, "version", "web", NULL, "14.04\n");
	expect(c, NCT_D_NODE_IMAGE, "url", "web", NULL, "\n");
	expect(c, NCT_D_NODE_IMAGE, "url", "desktop", NULL,
	    "http://images.example.org/boxes/deter-win7.box\n");
	expect(c, NCT_D_IMAGE, "os", "deter/win7", NULL, "windows\n");
	expect(c, NCT_D_IMAGE, "type", "deter/win7", NULL, "vagrant\n");
	expect(c, NCT_D_IMAGE, "provider", "deter/win7", NULL, "\n");
	expect(c, NCT_D_IMAGE, "sha256", "deter/win7", NULL, "\n");

	put(c, NCT_D_IMAGE, "provider", "deter/win7", NULL, "libvirt");
	put(c, NCT_D_IMAGE, "version", "deter/win7", NULL, "7.1");
	put(c, NCT_D_IMAGE, "url", "deter/win7", NULL,
	    "file:///var/cache/ncimage/win7.box");
	put(c, NCT_D_IMAGE, "sha256", "deter/win7", NULL,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect(c, NCT_D_IMAGE, "provider", "deter/win7", NULL, "libvirt\n");
	expect(c, NCT_D_IMAGE, "version", "deter/win7", NULL, "7.1\n");
	expect(c, NCT_D_NODE_IMAGE, "url", "desktop", NULL,
	    "file:///var/cache/ncimage/win7.box\n");
	expect(c, NCT_D_IMAGE, "sha256", "deter/win7", NULL,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "\n");
	put(c, NCT_D_IMAGE, "url", "deter/win7", NULL, "");
	expect(c, NCT_D_IMAGE, "url", "deter/win7", NULL, "\n");

	refuse(c, NCT_D_IMAGE, "url", "deter/win7", NULL, "ftp://x/y",
	    -EINVAL, "URL");
	refuse(c, NCT_D_IMAGE, "sha256", "deter/win7", NULL, "abc", -EINVAL,
	    "64 lowercase hex");
	refuse(c, NCT_D_IMAGE, "version", "deter/win7", NULL, "7 sp1",
	    -EINVAL, NULL);
	refuse(c, NCT_D_IMAGE, "provider", "nope/x", NULL, "lxc", -ENOENT,
	    NULL);

	/* the lists of a built image */
	expect(c, NCT_D_IMAGE, "type", "debian-12", NULL, "rootfs\n");
	expect(c, NCT_D_IMAGE, "osnames", "busybox", NULL,
	    "busybox*\nBusyBox*\nBUSYBOX*\n");
	put(c, NCT_D_IMAGE, "packages", "debian-12", NULL,
	    "openssh-server\n  sudo \n\npython3\n");
	expect(c, NCT_D_IMAGE, "packages", "debian-12", NULL,
	    "openssh-server\nsudo\npython3\n");
	put(c, NCT_D_NODE, "os", "db", NULL, "Ubuntu-STD");
	expect(c, NCT_D_NODE_IMAGE, "name", "db", NULL, "debian-12\n");
	expect(c, NCT_D_NODE_IMAGE, "packages", "db", NULL,
	    "openssh-server\nsudo\npython3\n");
	refuse(c, NCT_D_IMAGE, "packages", "debian-12", NULL, "sudo\nVim",
	    -EINVAL, "packages: line 2: ");
	refuse(c, NCT_D_IMAGE, "packages", "debian-12", NULL, "sudo\nsudo",
	    -EINVAL, "twice");
	expect(c, NCT_D_IMAGE, "packages", "debian-12", NULL,
	    "openssh-server\nsudo\npython3\n");
	put(c, NCT_D_IMAGE, "osnames", "busybox", NULL, "FBSD*\nbusybox");
	expect(c, NCT_D_IMAGE, "osnames", "busybox", NULL,
	    "FBSD*\nbusybox\n");
	refuse(c, NCT_D_IMAGE, "osnames", "busybox", NULL, "Free BSD",
	    -EINVAL, "osnames: line 1: ");
	put(c, NCT_D_NODE, "os", "db", NULL, "FBSD10-STD");
	expect(c, NCT_D_NODE_IMAGE, "name", "db", NULL, "busybox\n");
	put(c, NCT_D_IMAGE, "packages", "debian-12", NULL, "");
	expect(c, NCT_D_IMAGE, "packages", "debian-12", NULL, "\n");

	/* attributes: the value of each key */
	expect(c, NCT_D_ATTRS, NULL, "desktop", "containers:image_url",
	    "http://images.example.org/boxes/deter-win7.box\n");
	put(c, NCT_D_ATTRS, NULL, "web", "containers:image_os", "debian");
	expect(c, NCT_D_ATTRS, NULL, "web", "containers:image_os",
	    "debian\n");
	put(c, NCT_D_ATTRS, NULL, "web", "containers:image_os", "");
	expect(c, NCT_D_ATTRS, NULL, "web", "containers:image_os", "\n");
	refuse(c, NCT_D_ATTRS, NULL, "web", "containers:image_os", "a\nb",
	    -EINVAL, "containers:image_os: ");
	refuse(c, NCT_D_ATTRS, NULL, "web", "no-such-key", "x", -ENOENT,
	    NULL);
}

/* The number the query sql returns. */
static long long
count(struct ncfs_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	return n;
}

/* mkdir / rmdir / create / unlink as ncfs does them. */
static int
record(struct ncfs_conn *c, int add, enum nct_dir t, const char *k0,
    const char *k1, struct nc_buf *why)
{
	struct ncfs_ref r = ref(t, NULL, k0, k1);
	int rc;

	r.field = NULL;
	nc_buf_reset(why);
	assert_int_equal(ncfs_begin(c), 0);
	rc = add ? ncfs_record_add(c, &r, why) : ncfs_record_remove(c, &r,
	    why);
	if (rc == 0)
		assert_int_equal(ncfs_commit_ref(c, &r), 0);
	else
		ncfs_rollback(c);
	return rc;
}

static void
test_records(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf why = { 0 }, before = { 0 }, after = { 0 }, out = { 0 };

	assert_int_equal(record(c, 1, NCT_D_USER, "dave", NULL, &why), 0);
	expect(c, NCT_D_USER, "uid", "dave", NULL, "20004\n");
	expect(c, NCT_D_USER, "gid", "dave", NULL, "20004\n");
	expect(c, NCT_D_USER, "home", "dave", NULL, "/users/dave\n");
	expect(c, NCT_D_USER, "shell", "dave", NULL, "/bin/sh\n");
	expect(c, NCT_D_USER, "password", "dave", NULL, "*\n");
	expect(c, NCT_D_USER, "groups", "dave", NULL, "");
	assert_int_equal(get_rc(c, NCT_D_NODE, "passwd", "h1", NULL, &out),
	    0);
	assert_non_null(strstr(nc_buf_str(&out), "\nbob:x:20003:6001:Bob "
	    "Brown:/users/bob:/bin/bash\ndave:x:20004:20004::/users/dave:"
	    "/bin/sh\n"));

	/* a group "users" gives new users its gid */
	assert_int_equal(record(c, 1, NCT_D_GROUP, "users", NULL, &why), 0);
	expect(c, NCT_D_GROUP, "gid", "users", NULL, "6003\n");
	assert_int_equal(record(c, 1, NCT_D_USER, "erin", NULL, &why), 0);
	expect(c, NCT_D_USER, "uid", "erin", NULL, "20005\n");
	expect(c, NCT_D_USER, "gid", "erin", NULL, "6003\n");

	dump(c, &before);
	assert_int_equal(record(c, 1, NCT_D_USER, "alice", NULL, &why),
	    -EEXIST);
	assert_string_equal(nc_buf_str(&why), "users: alice already exists");
	assert_int_equal(record(c, 1, NCT_D_USER, "Bad", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCT_D_USER, "a b", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCT_D_USER, "x23456789012345678901234"
	    "5678901234567890123456789012345678901234", NULL, &why),
	    -ENAMETOOLONG);
	assert_int_equal(record(c, 1, NCT_D_GROUP, "sec-lab", NULL, &why),
	    -EEXIST);
	assert_int_equal(record(c, 1, NCT_D_GROUP, "..", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "a/b", &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "..", &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "nope", "k", &why),
	    -ENOENT);
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "k23456789012345678"
	    "901234567890123456789012345678901234567890123456", &why),
	    -ENAMETOOLONG);
	assert_int_equal(record(c, 1, NCT_D_LAN, "lan9", NULL, &why),
	    -EPERM);
	assert_int_equal(record(c, 0, NCT_D_USER, "mallory", NULL, &why),
	    -ENOENT);
	assert_int_equal(record(c, 0, NCT_D_GROUP, "wheel", NULL, &why),
	    -ENOENT);
	assert_int_equal(record(c, 0, NCT_D_ATTRS, "h1", "nokey", &why),
	    -ENOENT);
	dump(c, &after);
	assert_string_equal(nc_buf_str(&before), nc_buf_str(&after));

	/* attributes: made empty, last; removed */
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "containers:"
	    "node_type", &why), 0);
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "x.y-z_1", &why),
	    0);
	expect(c, NCT_D_ATTRS, NULL, "h1", "containers:node_type", "\n");
	put(c, NCT_D_ATTRS, NULL, "h1", "containers:node_type", "qemu");
	expect(c, NCT_D_ATTRS, NULL, "h1", "containers:node_type", "qemu\n");
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h1", "x.y-z_1", &why),
	    -EEXIST);
	assert_int_equal(record(c, 0, NCT_D_ATTRS, "h1", "containers:"
	    "node_type", &why), 0);
	assert_int_equal(get_rc(c, NCT_D_ATTRS, NULL, "h1",
	    "containers:node_type", &out), -ENOENT);

	/* removing a user takes its memberships and keys */
	assert_int_equal(record(c, 0, NCT_D_USER, "alice", NULL, &why), 0);
	assert_int_equal(get_rc(c, NCT_D_USER, "uid", "alice", NULL, &out),
	    -ENOENT);
	expect(c, NCT_D_GROUP, "members", "sec-lab", NULL, "carol\n");
	assert_int_equal(get_rc(c, NCT_D_KEYS, NULL, "h1", "alice", &out),
	    -ENOENT);
	assert_int_equal(count(c, "SELECT count(*) FROM memberships"
	    " WHERE user = 'alice'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM sshkeys"
	    " WHERE user = 'alice'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM sshkeys"), 1);
	/* removing a group takes its memberships */
	assert_int_equal(record(c, 0, NCT_D_GROUP, "sec-lab", NULL, &why),
	    0);
	expect(c, NCT_D_USER, "groups", "carol", NULL, "");
	expect(c, NCT_D_NODE, "group", "h1", NULL,
	    "sec-proj:x:6001:\nusers:x:6003:\n");
	assert_int_equal(record(c, 0, NCT_D_GROUP, "sec-lab", NULL, &why),
	    -ENOENT);
	nc_buf_free(&why);
	nc_buf_free(&before);
	nc_buf_free(&after);
	nc_buf_free(&out);
}

/* New users and groups never get an id below 1000, the system's, even
 * when every id in use is lower (issue 10). */
static void
test_low_ids(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf why = { 0 };

	assert_int_equal(sqlite3_exec(c->db, "UPDATE users SET uid = rowid;"
	    " UPDATE groups SET gid = rowid + 10", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_true(count(c, "SELECT MAX(uid) FROM users") < 1000);
	assert_true(count(c, "SELECT MAX(gid) FROM groups") < 1000);
	assert_int_equal(record(c, 1, NCT_D_USER, "dave", NULL, &why), 0);
	expect(c, NCT_D_USER, "uid", "dave", NULL, "1000\n");
	assert_int_equal(record(c, 1, NCT_D_USER, "erin", NULL, &why), 0);
	expect(c, NCT_D_USER, "uid", "erin", NULL, "1001\n");
	assert_int_equal(record(c, 1, NCT_D_GROUP, "newgrp", NULL, &why), 0);
	expect(c, NCT_D_GROUP, "gid", "newgrp", NULL, "1000\n");
	nc_buf_free(&why);
}

/* The entry of kind ('F' or 'D') at path in bundle b: its bytes, or NULL. */
static char *
bundle_entry(const char *b, char kind, const char *path)
{
	char head[256], *p, *nl;
	size_t len;

	snprintf(head, sizeof(head), "\n%c ", kind);
	for (p = strstr(b, head); p != NULL; p = strstr(p + 1, head)) {
		len = strtoul(p + 3, &nl, 10);
		if (*nl != ' ' || strncmp(nl + 1, path, strlen(path)) != 0 ||
		    nl[1 + strlen(path)] != '\n')
			continue;
		nl += 2 + strlen(path);
		assert_int_equal(nl[len], '\n');
		return strndup(nl, len);
	}
	return NULL;
}

/* nodes/<n>/bundle: every file of the node as its own read gives it, the
 * directories' listings, one generation, and not itself. */
static void
test_bundle(void **state)
{
	static const char *const files[] = { "hosts", "passwd", "group",
	    "shadow", "sshkeys", "mounts", "routes", "startcmd", "status" };
	struct ncfs_conn *c = *state;
	struct nc_buf b = { 0 }, one = { 0 };
	char path[256], *got;
	long long gen;
	size_t i;

	assert_int_equal(get_rc(c, NCT_D_NODE, "bundle", "h1", NULL, &b), 0);
	assert_int_equal(ncfs_generation(c, &gen), 0);
	snprintf(path, sizeof(path), "ncbundle 1 %lld\nD ", gen);
	assert_memory_equal(b.p, path, strlen(path));
	assert_true(b.len > 4);
	assert_string_equal(b.p + b.len - 4, "end\n");
	assert_null(strstr(nc_buf_str(&b), "nodes/h1/bundle"));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(get_rc(c, NCT_D_NODE, files[i], "h1", NULL,
		    &one), 0);
		snprintf(path, sizeof(path), "nodes/h1/%s", files[i]);
		got = bundle_entry(nc_buf_str(&b), 'F', path);
		assert_non_null(got);
		assert_string_equal(got, nc_buf_str(&one));
		free(got);
	}
	/* an interface's address, and the listings */
	assert_int_equal(get_rc(c, NCT_D_IFACE, "ip", "h1", "eth1", &one), 0);
	got = bundle_entry(nc_buf_str(&b), 'F', "nodes/h1/ifaces/eth1/ip");
	assert_non_null(got);
	assert_string_equal(got, nc_buf_str(&one));
	free(got);
	got = bundle_entry(nc_buf_str(&b), 'D', "nodes/h1/ifaces");
	assert_non_null(got);
	assert_non_null(strstr(got, "eth1/\n"));
	free(got);
	got = bundle_entry(nc_buf_str(&b), 'D', "nodes/h1");
	assert_non_null(got);
	assert_non_null(strstr(got, "\nhosts\n"));
	assert_non_null(strstr(got, "ifaces/\n"));
	assert_null(strstr(got, "bundle"));
	assert_non_null(strstr(got, "keys/\n"));
	assert_non_null(strstr(got, "accounts/\n"));
	free(got);
	/* keys/ and accounts/: listed, not inside (per-user views) */
	assert_null(strstr(nc_buf_str(&b), " nodes/h1/keys"));
	assert_null(strstr(nc_buf_str(&b), " nodes/h1/accounts"));
	/* a node that is not there */
	assert_int_equal(get_rc(c, NCT_D_NODE, "bundle", "nope", NULL, &b),
	    -ENOENT);
	assert_int_equal(b.len, 0);
	nc_buf_free(&b);
	nc_buf_free(&one);
}

/* Every fixed file of every directory reads without error. */
static void
test_every_field(void **state)
{
	struct ncfs_conn *c = *state;
	static const struct {
		enum nct_dir t;
		const char *k0, *k1;
	} dirs[] = {
		{ NCT_D_EXPERIMENT, NULL, NULL },
		{ NCT_D_NODE, "gw", NULL }, { NCT_D_NODE, "pnode-0", NULL },
		{ NCT_D_NODE_IMAGE, "gw", NULL },
		{ NCT_D_IFACE, "gw", "eth2" },
		{ NCT_D_ACCOUNT, "h1", "carol" },
		{ NCT_D_LAN, "uplink", NULL },
		{ NCT_D_USER, "carol", NULL },
		{ NCT_D_GROUP, "sec-proj", NULL },
	};
	const struct nct_entry *ent;
	const struct ncfs_field *f;
	struct nc_buf out = { 0 };
	struct ncfs_ref r;
	enum nct_id e;
	size_t i, k;
	int n = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (k = nct_dir_entries(dirs[i].t, &e); k > 0; k--, e++) {
			if (nct_is_dir(e) || nct_keyed(e))
				continue;
			ent = &nct_entries[e];
			f = ncfs_field_of(e);
			assert_non_null(f);
			assert_int_equal(f->id, e);
			r = ref(dirs[i].t, ent->name, dirs[i].k0, dirs[i].k1);
			assert_ptr_equal(r.field, f);
			nc_buf_reset(&out);
			assert_int_equal(f->get(c, &r, &out), 0);
			/* newline-terminated, or an empty list */
			assert_true(out.len == 0 || out.p[out.len - 1] ==
			    '\n');
			n++;
		}
	/* experiment, 2 nodes, image, iface, account, lan, user, group */
	assert_int_equal(n, 7 + 24 * 2 + 7 + 7 + 7 + 6 + 9 + 2);
	nc_buf_free(&out);
}

/*
 * The contract itself: rows of a type together, every file row served by
 * a field and no directory row, modes that say what the writer column
 * says (0644 written, 0444 rendered, 0600 secret), a keyed row alone in
 * its directory, and every directory type made by exactly one row.
 */
static void
test_contract(void **state)
{
	const struct nct_entry *ent;
	const struct ncfs_field *f;
	size_t total = 0, n, made[NCT_D_MAX] = { 0 };
	enum nct_id e;
	int t, i;

	(void)state;
	for (t = 0; t < NCT_D_MAX; t++)
		total += nct_dir_entries((enum nct_dir)t, &e);
	assert_int_equal(total, NCT_NENTRIES);
	for (i = 0; i < NCT_NENTRIES; i++) {
		ent = &nct_entries[i];
		assert_non_null(ent->name);
		assert_non_null(ent->meaning);
		assert_true(ent->name[0] != '\0');
		assert_null(strchr(ent->name, '/'));
		f = ncfs_field_of((enum nct_id)i);
		if (nct_is_dir((enum nct_id)i)) {
			assert_null(f);
			assert_int_equal(ent->mode, 0755);
			assert_int_equal(ent->secret, 0);
			made[ent->child]++;
			continue;
		}
		assert_non_null(f);
		if (ent->secret)
			assert_int_equal(ent->mode, 0600);
		else if (ent->who == NCT_W_RENDERED)
			assert_int_equal(ent->mode, 0444);
		else
			assert_int_equal(ent->mode, 0644);
		assert_true((f->set != NULL) == (ent->who != NCT_W_RENDERED));
		if (nct_keyed((enum nct_id)i))
			assert_int_equal(nct_dir_entries(ent->parent, &e), 1);
	}
	for (t = 1; t < NCT_D_MAX; t++)
		assert_int_equal(made[t], 1);
	assert_int_equal(made[NCT_D_ROOT], 0);
	/* a collection holds its keyed row only */
	assert_int_equal(nct_keyed_entry(NCT_D_ACCOUNTS), NCT_ACCOUNT);
	assert_int_equal(nct_keyed_entry(NCT_D_NODE), -1);
	assert_int_equal(nct_find(NCT_D_NODE, "accounts"), NCT_NODE_ACCOUNTS);
	assert_int_equal(nct_find(NCT_D_NODE, "nope"), -1);
	assert_int_equal(nct_find(NCT_D_NODES, "<node>"), -1);
	assert_true(nct_has_files(NCT_D_NODE));
	assert_false(nct_has_files(NCT_D_NODES));
	assert_false(nct_has_files(NCT_D_ACCOUNTS));
	assert_true(nct_has_files(NCT_D_ACCOUNT));
	n = nct_dir_entries(NCT_D_ACCOUNT, &e);
	assert_int_equal(n, 7);
	assert_int_equal(e, NCT_ACCT_UID);
}

/* Paths as ncprov and neoc build them. */
static void
test_paths(void **state)
{
	char b[NCT_PATH_MAX], small[16];

	(void)state;
	assert_int_equal(nct_path(b, sizeof(b), NCT_NODE_STATUS, "a1", NULL),
	    15);
	assert_string_equal(b, "nodes/a1/status");
	assert_true(nct_path(b, sizeof(b), NCT_IFACE_IP, "a1", "eth1") > 0);
	assert_string_equal(b, "nodes/a1/ifaces/eth1/ip");
	assert_true(nct_path(b, sizeof(b), NCT_ATTR, "a1",
	    "containers:memory") > 0);
	assert_string_equal(b, "nodes/a1/attributes/containers:memory");
	assert_true(nct_path(b, sizeof(b), NCT_ACCT_KEYS, "a1", "bob") > 0);
	assert_string_equal(b, "nodes/a1/accounts/bob/keys");
	assert_true(nct_path(b, sizeof(b), NCT_LAN_DELAY, "lan0", NULL) > 0);
	assert_string_equal(b, "lans/lan0/delay");
	assert_true(nct_path(b, sizeof(b), NCT_EXP_GENERATION, NULL, NULL) >
	    0);
	assert_string_equal(b, "experiment/generation");
	assert_true(nct_path(b, sizeof(b), NCT_IMAGE_URL, "ubuntu/trusty64",
	    NULL) > 0);
	assert_string_equal(b, "images/ubuntu/trusty64/url");
	assert_true(nct_dir_path(b, sizeof(b), NCT_D_IFACES, "a1", NULL) > 0);
	assert_string_equal(b, "nodes/a1/ifaces");
	assert_true(nct_path(b, sizeof(b), NCT_NODE, "a1", NULL) > 0);
	assert_string_equal(b, "nodes/a1");
	assert_int_equal(nct_dir_path(b, sizeof(b), NCT_D_ROOT, NULL, NULL),
	    0);
	assert_string_equal(b, "");
	/* keys that would leave their directory, or are missing */
	assert_int_equal(nct_path(b, sizeof(b), NCT_NODE_STATUS, "../x",
	    NULL), -EINVAL);
	assert_string_equal(b, "");
	assert_int_equal(nct_path(b, sizeof(b), NCT_NODE_STATUS, "..", NULL),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_NODE_STATUS, "", NULL),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_NODE_STATUS, NULL, NULL),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_IFACE_IP, "a1", NULL),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_ATTR, "a1", "a\nb"),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_IMAGE_URL, "a/../b",
	    NULL), -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_IMAGE_URL, "a//b", NULL),
	    -EINVAL);
	assert_int_equal(nct_path(b, sizeof(b), NCT_IMAGE_URL, "/a", NULL),
	    -EINVAL);
	assert_int_equal(nct_path(small, sizeof(small), NCT_NODE_STATUS,
	    "a1", NULL), 15);
	assert_int_equal(nct_path(small, sizeof(small), NCT_NODE_STATUS,
	    "a12", NULL), -ENAMETOOLONG);
	assert_string_equal(small, "");
	assert_int_equal(nct_path(b, sizeof(b), NCT_NENTRIES, "a", NULL),
	    -EINVAL);
}

/* The status words and steps. */
static void
test_status_words(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NCT_NSTATES; i++) {
		assert_int_equal(nct_state_find(nct_states[i],
		    strlen(nct_states[i])), i);
		assert_non_null(strstr(NCT_STATE_LIST, nct_states[i]));
	}
	assert_int_equal(nct_state_find("ready", 5), NCT_READY);
	assert_int_equal(nct_state_find("readyx", 5), NCT_READY);
	assert_int_equal(nct_state_find("read", 4), -1);
	assert_int_equal(nct_state_find("Ready", 5), -1);
	assert_string_equal(NCT_STATE_LIST,
	    "pending booting provisioning ready failed");
	assert_true(nct_step_valid("lxc-start.2_b", 13));
	assert_false(nct_step_valid("", 0));
	assert_false(nct_step_valid("Ifaces", 6));
	assert_false(nct_step_valid("a b", 3));
	assert_true(nct_step_valid("abcdefghijklmnopqrstuvwxyz012345", 32));
	assert_false(nct_step_valid("abcdefghijklmnopqrstuvwxyz0123456", 33));
}

/* What the walk of ncfs's tree saw of the contract. */
struct walk {
	struct ncfs_conn *c;	/* the database */
	int seen[NCT_NENTRIES];	/* rows met */
	int prefixes;		/* image name prefixes met */
	int depth;		/* of the directory being listed */
};

/* One listing, kept: ncfs's cached statements do not nest, so the walk
 * descends only after a listing ends. */
struct listing {
	char **names;		/* the names */
	struct ncfs_ref *refs;	/* what each names */
	size_t n, cap, capr;	/* entries, capacities */
};

static int
keep(void *arg, const char *name, const struct ncfs_ref *child)
{
	struct listing *l = arg;
	size_t n = l->n;

	*NC_PUSH(l->names, l->n, l->cap) = nc_strdup(name);
	ncfs_ref_copy(NC_PUSH(l->refs, n, l->capr), child);
	return 0;
}

/* The row an entry listed in the tree is, its mode checked; -1 for an
 * images/<prefix>/ directory. */
static int
row_of(struct walk *w, const char *name, const struct ncfs_ref *child)
{
	int e;

	assert_int_equal(ncfs_tree_exists(w->c, child), 1);
	if (child->field != NULL) {
		e = (int)child->field->id;
		assert_int_equal(ncfs_ref_mode(child), S_IFREG |
		    nct_entries[e].mode);
		assert_true(!nct_keyed((enum nct_id)e) ||
		    strcmp(child->k[1], name) == 0);
	} else if (child->dir == NCT_D_IMAGES && child->k[0] != NULL) {
		w->prefixes++;
		assert_int_equal(ncfs_ref_mode(child), S_IFDIR | 0755);
		return -1;
	} else {
		e = nct_dir_entry(child->dir);
		assert_true(e >= 0);
		assert_int_equal(ncfs_ref_mode(child), S_IFDIR |
		    nct_entries[e].mode);
	}
	if (!nct_keyed((enum nct_id)e))
		assert_string_equal(nct_entries[e].name, name);
	return e;
}

static void
walk_dir(struct walk *w, const struct ncfs_ref *dir)
{
	struct listing l = { 0 };
	size_t i;
	int e;

	assert_true(++w->depth < 8);
	assert_int_equal(ncfs_tree_list(w->c, dir, keep, &l), 0);
	for (i = 0; i < l.n; i++) {
		if ((e = row_of(w, l.names[i], &l.refs[i])) >= 0)
			w->seen[e]++;
		if (l.refs[i].field == NULL)
			walk_dir(w, &l.refs[i]);
		free(l.names[i]);
		ncfs_ref_free(&l.refs[i]);
	}
	free(l.names);
	free(l.refs);
	w->depth--;
}

/* Every lookup of a listed name gives what the listing gave. */
static int
lookup_one(void *arg, const char *name, const struct ncfs_ref *child)
{
	void **a = arg;
	struct ncfs_ref got;

	assert_int_equal(ncfs_tree_lookup(a[0], a[1], name, &got), 0);
	assert_true(ncfs_ref_equal(&got, child));
	ncfs_ref_free(&got);
	return 0;
}

/*
 * The contract and ncfs agree: a walk of the whole tree of both databases
 * (through the listings ncfs serves) meets every row of the contract, and
 * everything it meets is a row, with the row's type and mode.
 */
static void
test_contract_walk(void **state)
{
	struct ncfs_conn *c = *state, *ic;
	static struct walk w;
	struct ncfs_ref root, node, dir;
	void *a[2];
	int i;

	memset(&w, 0, sizeof(w));
	ncfs_ref_root(&root);
	w.c = c;
	walk_dir(&w, &root);
	assert_non_null(ic = ncfs_conn_open(img_db, 1));
	w.c = ic;
	walk_dir(&w, &root);
	ncfs_conn_close(ic);
	for (i = 0; i < NCT_NENTRIES; i++) {
		if (w.seen[i] == 0)
			print_error("not in the tree: %s\n",
			    nct_entries[i].name);
		assert_true(w.seen[i] > 0);
	}
	assert_true(w.prefixes > 0);
	/* a node has one of each fixed entry; users have accounts */
	assert_int_equal(w.seen[NCT_NODE_STATUS], w.seen[NCT_NODE]);
	assert_int_equal(w.seen[NCT_NODE_ACCOUNTS], w.seen[NCT_NODE]);
	assert_int_equal(w.seen[NCT_ACCOUNT], w.seen[NCT_KEY]);
	assert_int_equal(w.seen[NCT_ACCT_SUDO], w.seen[NCT_ACCOUNT]);
	/* lookups agree with the listings */
	memset(&node, 0, sizeof(node));
	node.dir = NCT_D_NODE;
	node.k[0] = "h1";
	a[0] = c;
	a[1] = &node;
	assert_int_equal(ncfs_tree_list(c, &node, lookup_one, a), 0);
	memset(&dir, 0, sizeof(dir));
	dir.dir = NCT_D_ACCOUNT;
	dir.k[0] = "h1";
	dir.k[1] = "alice";
	a[1] = &dir;
	assert_int_equal(ncfs_tree_list(c, &dir, lookup_one, a), 0);
	a[1] = &root;
	assert_int_equal(ncfs_tree_list(c, &root, lookup_one, a), 0);
}

/* Names listed by directory dir, one per line. */
static int
name_line(void *arg, const char *name, const struct ncfs_ref *child)
{
	(void)child;
	nc_buf_printf(arg, "%s\n", name);
	return 0;
}

static void
list_names(struct ncfs_conn *c, enum nct_dir t, const char *k0,
    const char *k1, struct nc_buf *out)
{
	struct ncfs_ref d;

	memset(&d, 0, sizeof(d));
	d.dir = t;
	d.k[0] = (char *)k0;
	d.k[1] = (char *)k1;
	nc_buf_reset(out);
	assert_int_equal(ncfs_tree_list(c, &d, name_line, out), 0);
}

/* The user names of node's rendered passwd, one per line. */
static void
passwd_users(struct ncfs_conn *c, const char *node, struct nc_buf *out)
{
	struct nc_buf pw = { 0 };
	const char *p, *colon, *nl;

	assert_int_equal(get_rc(c, NCT_D_NODE, "passwd", node, NULL, &pw), 0);
	nc_buf_reset(out);
	for (p = nc_buf_str(&pw); *p != '\0'; p = nl + 1) {
		assert_non_null(nl = strchr(p, '\n'));
		assert_non_null(colon = strchr(p, ':'));
		nc_buf_printf(out, "%.*s\n", (int)(colon - p), p);
	}
	nc_buf_free(&pw);
}

/*
 * nodes/<n>/accounts/: the users of the node's passwd, each a read-only
 * view of users/<u>/ that follows every change there.
 */
static void
test_accounts(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf ls = { 0 }, pw = { 0 }, out = { 0 }, why = { 0 };
	struct ncfs_ref r;
	int e;

	list_names(c, NCT_D_ACCOUNTS, "h1", NULL, &ls);
	passwd_users(c, "h1", &pw);
	assert_string_equal(nc_buf_str(&ls), "alice\ncarol\nbob\n");
	assert_string_equal(nc_buf_str(&ls), nc_buf_str(&pw));
	list_names(c, NCT_D_ACCOUNT, "h1", "alice", &ls);
	assert_string_equal(nc_buf_str(&ls),
	    "uid\ngid\nhome\nshell\ngroups\nkeys\nsudo\n");

	expect(c, NCT_D_ACCOUNT, "uid", "h1", "alice", "20001\n");
	expect(c, NCT_D_ACCOUNT, "gid", "h1", "alice", "6001\n");
	expect(c, NCT_D_ACCOUNT, "home", "h1", "alice", "/users/alice\n");
	expect(c, NCT_D_ACCOUNT, "shell", "gw", "carol", "/bin/tcsh\n");
	expect(c, NCT_D_ACCOUNT, "groups", "h1", "alice", "sec-lab\n");
	expect(c, NCT_D_ACCOUNT, "groups", "h1", "bob", "");
	expect(c, NCT_D_ACCOUNT, "sudo", "h1", "alice", "1\n");
	expect(c, NCT_D_ACCOUNT, "sudo", "h1", "bob", "0\n");
	expect(c, NCT_D_ACCOUNT, "keys", "pnode-0", "alice",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ alice@laptop\n"
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyA"
	    "AAA alice@desk\n");
	/* keys as secret as keys/<user>; nothing writable */
	assert_int_equal(mode_of(field(NCT_D_ACCOUNT, "keys")),
	    mode_of(&ncfs_key_field));
	assert_int_equal(mode_of(field(NCT_D_ACCOUNT, "keys")), 0600);
	for (e = NCT_ACCT_UID; e <= NCT_ACCT_SUDO; e++)
		assert_null(ncfs_field_of((enum nct_id)e)->set);
	assert_int_equal(get_rc(c, NCT_D_ACCOUNT, "uid", "h1", "mallory",
	    &out), -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_ACCOUNT, "keys", "h1", "mallory",
	    &out), -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_ACCOUNT, "groups", "nope", "alice",
	    &out), -ENOENT);
	assert_int_equal(get_rc(c, NCT_D_ACCOUNT, "uid", "nope", "alice",
	    &out), -ENOENT);

	/* a change in users/ shows in accounts/ */
	put(c, NCT_D_USER, "shell", "bob", NULL, "/bin/zsh");
	put(c, NCT_D_USER, "root", "bob", NULL, "1");
	put(c, NCT_D_USER, "groups", "bob", NULL, "sec-lab\nsec-proj");
	put(c, NCT_D_USER, "keys", "bob", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ bob@x");
	put(c, NCT_D_USER, "uid", "bob", NULL, "20042");
	expect(c, NCT_D_ACCOUNT, "shell", "h1", "bob", "/bin/zsh\n");
	expect(c, NCT_D_ACCOUNT, "sudo", "h1", "bob", "1\n");
	expect(c, NCT_D_ACCOUNT, "groups", "h1", "bob",
	    "sec-lab\nsec-proj\n");
	expect(c, NCT_D_ACCOUNT, "keys", "h1", "bob",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ bob@x\n");
	expect(c, NCT_D_ACCOUNT, "uid", "h1", "bob", "20042\n");
	assert_int_equal(get_rc(c, NCT_D_NODE, "sudoers", "h1", NULL, &out),
	    0);
	assert_non_null(strstr(nc_buf_str(&out), "bob ALL="));

	/* a user added and removed in users/ comes and goes in accounts/ */
	assert_int_equal(record(c, 1, NCT_D_USER, "dave", NULL, &why), 0);
	list_names(c, NCT_D_ACCOUNTS, "gw", NULL, &ls);
	passwd_users(c, "gw", &pw);
	assert_string_equal(nc_buf_str(&ls), "alice\ncarol\nbob\ndave\n");
	assert_string_equal(nc_buf_str(&ls), nc_buf_str(&pw));
	expect(c, NCT_D_ACCOUNT, "home", "gw", "dave", "/users/dave\n");
	memset(&r, 0, sizeof(r));
	r.dir = NCT_D_ACCOUNT;
	r.k[0] = "gw";
	r.k[1] = "dave";
	assert_int_equal(ncfs_tree_exists(c, &r), 1);
	assert_int_equal(record(c, 0, NCT_D_USER, "dave", NULL, &why), 0);
	assert_int_equal(ncfs_tree_exists(c, &r), 0);
	list_names(c, NCT_D_ACCOUNTS, "gw", NULL, &ls);
	passwd_users(c, "gw", &pw);
	assert_string_equal(nc_buf_str(&ls), nc_buf_str(&pw));
	assert_null(strstr(nc_buf_str(&ls), "dave"));
	assert_int_equal(get_rc(c, NCT_D_ACCOUNT, "uid", "gw", "dave", &out),
	    -ENOENT);
	/* and so does a node */
	r.k[0] = "nope";
	r.k[1] = "alice";
	assert_int_equal(ncfs_tree_exists(c, &r), 0);
	nc_buf_free(&ls);
	nc_buf_free(&pw);
	nc_buf_free(&out);
	nc_buf_free(&why);
}

/* A number file (experiment/confgen, nodes/<n>/confgen ...). */
static long long
num(struct ncfs_conn *c, enum nct_dir t, const char *name, const char *k0)
{
	struct nc_buf out = { 0 };
	long long v;
	char *end;

	assert_int_equal(get_rc(c, t, name, k0, NULL, &out), 0);
	v = strtoll(nc_buf_str(&out), &end, 10);
	assert_true(end != nc_buf_str(&out) && *end == '\n');
	nc_buf_free(&out);
	return v;
}

/* Every node's generation, in the order of names[]. */
static void
node_gens(struct ncfs_conn *c, const char *const *names, long long *gens)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		gens[i] = num(c, NCT_D_NODE, "confgen", names[i]);
}

/* The contract's table of what a change concerns. */
static void
test_change_scope(void **state)
{
	(void)state;
	assert_int_equal(nct_change_scope(NCT_NODE_STATUS), NCT_SCOPE_NONE);
	assert_int_equal(nct_change_scope(NCT_NODE_STARTSTATUS),
	    NCT_SCOPE_NONE);
	assert_int_equal(nct_change_scope(NCT_NODE_CONTROL), NCT_SCOPE_NONE);
	assert_int_equal(nct_change_scope(NCT_NODE_STARTCMD), NCT_SCOPE_NODE);
	assert_int_equal(nct_change_scope(NCT_NODE_ROUTES), NCT_SCOPE_NODE);
	assert_int_equal(nct_change_scope(NCT_NODE_OS), NCT_SCOPE_NODE);
	assert_int_equal(nct_change_scope(NCT_ATTR), NCT_SCOPE_NODE);
	assert_int_equal(nct_change_scope(NCT_IFACE_MAC), NCT_SCOPE_NODE);
	assert_int_equal(nct_change_scope(NCT_IFACE_IP), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_NODE_HOST), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_LAN_BANDWIDTH), NCT_SCOPE_LAN);
	assert_int_equal(nct_change_scope(NCT_USER), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_USER_KEYS), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_GROUP_MEMBERS), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_IMAGE_PACKAGES), NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_EXP_CONTROL_ADDR),
	    NCT_SCOPE_ALL);
	assert_int_equal(nct_change_scope(NCT_NENTRIES), NCT_SCOPE_ALL);
}

/*
 * Which writes bump what: status, startstatus and control move neither
 * experiment/confgen nor any node's (generation moves on every commit);
 * a node's own file moves that node alone; a LAN's its members; a user,
 * a key or an address every node.  nodes/<pnode>/guests says the same.
 */
static void
test_confgen(void **state)
{
	static const char *const names[] = { "gw", "h1", "h2", "h3", "server",
	    NULL };
	struct ncfs_conn *c = *state;
	long long g0, g, gen0, before[5], after[5];
	struct nc_buf why = { 0 }, out = { 0 }, want = { 0 };
	size_t i;

	g0 = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	gen0 = num(c, NCT_D_EXPERIMENT, "generation", NULL);
	node_gens(c, names, before);
	for (i = 0; i < 5; i++)
		assert_true(before[i] <= g0);

	/* status, startstatus, control: no configuration */
	put(c, NCT_D_NODE, "status", "h1", NULL, "ready 1700000000");
	put(c, NCT_D_NODE, "startstatus", "h1", NULL, "running 1700000001");
	put(c, NCT_D_NODE, "control", "h1", NULL, "172.30.0.11");
	assert_int_equal(num(c, NCT_D_EXPERIMENT, "generation", NULL),
	    gen0 + 3);
	assert_int_equal(num(c, NCT_D_EXPERIMENT, "confgen", NULL), g0);
	node_gens(c, names, after);
	assert_memory_equal(before, after, sizeof(before));

	/* a start command: that node only */
	put(c, NCT_D_NODE, "startcmd", "h1", NULL, "echo hi");
	g = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	assert_int_equal(g, g0 + 1);
	node_gens(c, names, after);
	assert_int_equal(after[1], g);
	assert_int_equal(after[0], before[0]);
	assert_int_equal(after[2], before[2]);
	assert_int_equal(after[4], before[4]);

	/* a refused write bumps nothing */
	refuse(c, NCT_D_NODE, "failure_action", "h2", NULL, "maybe", -EINVAL,
	    NULL);
	assert_int_equal(num(c, NCT_D_EXPERIMENT, "confgen", NULL), g);

	/* an attribute made: its node */
	assert_int_equal(record(c, 1, NCT_D_ATTRS, "h2", "k", &why), 0);
	g = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	assert_int_equal(g, g0 + 2);
	assert_int_equal(num(c, NCT_D_NODE, "confgen", "h2"), g);
	assert_int_equal(num(c, NCT_D_NODE, "confgen", "h3"), before[3]);

	/* a LAN's shaping: its members, not the server across the link */
	node_gens(c, names, before);
	put(c, NCT_D_LAN, "delay", "lan0", NULL, "5");
	g = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	node_gens(c, names, after);
	for (i = 0; i < 4; i++)
		assert_int_equal(after[i], g);
	assert_int_equal(after[4], before[4]);
	assert_true(after[4] < g);

	/* a user made: every node */
	assert_int_equal(record(c, 1, NCT_D_USER, "zed", NULL, &why), 0);
	g = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	node_gens(c, names, after);
	for (i = 0; i < 5; i++)
		assert_int_equal(after[i], g);

	/* a key: every node; an address: every node (hosts) */
	put(c, NCT_D_USER, "keys", "carol", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl carol@x");
	assert_int_equal(num(c, NCT_D_NODE, "confgen", "server"),
	    num(c, NCT_D_EXPERIMENT, "confgen", NULL));
	put(c, NCT_D_NODE, "startcmd", "gw", NULL, "true");
	put(c, NCT_D_IFACE, "ip", "h3", "eth1", "192.168.1.23");
	g = num(c, NCT_D_EXPERIMENT, "confgen", NULL);
	node_gens(c, names, after);
	for (i = 0; i < 5; i++)
		assert_int_equal(after[i], g);

	/* guests: "GUEST GEN" for each container of the pnode */
	put(c, NCT_D_NODE, "startcmd", "h2", NULL, "date");
	node_gens(c, names, after);
	assert_int_equal(get_rc(c, NCT_D_NODE, "containers", "pnode-0",
	    NULL, &out), 0);
	{
		char *s = (char *)nc_buf_str(&out), *nl;

		for (; *s != '\0'; s = nl + 1) {
			nl = strchr(s, '\n');
			assert_non_null(nl);
			*nl = '\0';
			for (i = 0; names[i] != NULL; i++)
				if (strcmp(names[i], s) == 0)
					break;
			assert_non_null(names[i]);
			nc_buf_printf(&want, "%s %lld\n", s, after[i]);
		}
	}
	assert_true(want.len > 0);
	expect(c, NCT_D_NODE, "guests", "pnode-0", NULL, nc_buf_str(&want));
	assert_true(strstr(nc_buf_str(&want), "h2 ") != NULL);
	expect(c, NCT_D_NODE, "guests", "h1", NULL, "");
	nc_buf_free(&why);
	nc_buf_free(&out);
	nc_buf_free(&want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_experiment, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_node_values, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_node_role_host, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bundle, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_status, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_startstatus, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_iface, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lan, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_users, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_groups, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rendered, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_images, setup_img,
		    teardown),
		cmocka_unit_test_setup_teardown(test_records, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_low_ids, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_every_field, setup_lan,
		    teardown),
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test_setup_teardown(test_contract_walk, setup_lan,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accounts, setup_lan,
		    teardown),
		cmocka_unit_test(test_change_scope),
		cmocka_unit_test_setup_teardown(test_confgen, setup_lan,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
