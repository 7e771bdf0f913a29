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
#include "ncfs_render.h"
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

/* The field called name of directory type t (NULL name: attr/key). */
static const struct ncfs_field *
field(enum ncfs_dtype t, const char *name)
{
	const struct ncfs_field *f;

	if (t == NCFS_D_ATTRS)
		return &ncfs_attr_field;
	if (t == NCFS_D_KEYS)
		return &ncfs_key_field;
	assert_non_null(ncfs_fields[t]);
	for (f = ncfs_fields[t]; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	fail_msg("no field %s", name);
	return NULL;
}

static struct ncfs_ref
ref(enum ncfs_dtype t, const char *name, const char *k0, const char *k1)
{
	struct ncfs_ref r;

	memset(&r, 0, sizeof(r));
	r.dir = t;
	r.field = name != NULL || t == NCFS_D_ATTRS || t == NCFS_D_KEYS ?
	    field(t, name) : NULL;
	r.k[0] = (char *)k0;
	r.k[1] = (char *)k1;
	return r;
}

/* Read a file; its contents in out, the errno as the result. */
static int
get_rc(struct ncfs_conn *c, enum ncfs_dtype t, const char *name,
    const char *k0, const char *k1, struct nc_buf *out)
{
	struct ncfs_ref r = ref(t, name, k0, k1);

	nc_buf_reset(out);
	return r.field->get(c, &r, out);
}

/* The file's contents must be want. */
static void
expect(struct ncfs_conn *c, enum ncfs_dtype t, const char *name,
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
put_why(struct ncfs_conn *c, enum ncfs_dtype t, const char *name,
    const char *k0, const char *k1, const char *value, struct nc_buf *why)
{
	struct ncfs_ref r = ref(t, name, k0, k1);
	int rc;

	assert_non_null(r.field->set);
	assert_int_equal(ncfs_begin(c), 0);
	rc = r.field->set(c, &r, value, why);
	if (rc == 0)
		assert_int_equal(ncfs_commit(c), 0);
	else
		ncfs_rollback(c);
	return rc;
}

static void
put(struct ncfs_conn *c, enum ncfs_dtype t, const char *name,
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
refuse(struct ncfs_conn *c, enum ncfs_dtype t, const char *name,
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

	expect(c, NCFS_D_EXPERIMENT, "name", NULL, NULL, "small-lan\n");
	expect(c, NCFS_D_EXPERIMENT, "project", NULL, NULL, "neoc\n");
	expect(c, NCFS_D_EXPERIMENT, "group", NULL, NULL, "neoc\n");
	expect(c, NCFS_D_EXPERIMENT, "control_host", NULL, NULL, "config\n");
	expect(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL, "\n");
	expect(c, NCFS_D_EXPERIMENT, "generation", NULL, NULL, "1\n");
	assert_null(field(NCFS_D_EXPERIMENT, "control_host")->set);
	assert_null(field(NCFS_D_EXPERIMENT, "generation")->set);

	put(c, NCFS_D_EXPERIMENT, "name", NULL, NULL, "lab-7");
	put(c, NCFS_D_EXPERIMENT, "project", NULL, NULL, "sec");
	put(c, NCFS_D_EXPERIMENT, "group", NULL, NULL, "sec-lab");
	put(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL, "192.168.10.2");
	expect(c, NCFS_D_EXPERIMENT, "name", NULL, NULL, "lab-7\n");
	expect(c, NCFS_D_EXPERIMENT, "project", NULL, NULL, "sec\n");
	expect(c, NCFS_D_EXPERIMENT, "group", NULL, NULL, "sec-lab\n");
	expect(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL,
	    "192.168.10.2\n");
	/* every commit moved the generation */
	expect(c, NCFS_D_EXPERIMENT, "generation", NULL, NULL, "5\n");
	put(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL, "");
	expect(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL, "\n");

	refuse(c, NCFS_D_EXPERIMENT, "name", NULL, NULL, "", -EINVAL,
	    "name: \"\" is empty");
	refuse(c, NCFS_D_EXPERIMENT, "name", NULL, NULL, "a/b", -EINVAL,
	    "letters, digits");
	refuse(c, NCFS_D_EXPERIMENT, "project", NULL, NULL, "..", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_EXPERIMENT, "group", NULL, NULL, "two words",
	    -EINVAL, NULL);
	refuse(c, NCFS_D_EXPERIMENT, "name", NULL, NULL,
	    "a23456789012345678901234567890123456789012345678901234567890"
	    "1234", -ENAMETOOLONG, NULL);
	refuse(c, NCFS_D_EXPERIMENT, "control_addr", NULL, NULL, "10.0.0",
	    -EINVAL, "control_addr: \"10.0.0\" is not an IPv4 address");
}

static void
test_node_values(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCFS_D_NODE, "role", "gw", NULL, "container\n");
	expect(c, NCFS_D_NODE, "os", "gw", NULL, "Ubuntu1404-64-STD\n");
	expect(c, NCFS_D_NODE, "hardware", "gw", NULL, "\n");
	expect(c, NCFS_D_NODE, "startcmd", "gw", NULL,
	    "sudo sysctl -w net.ipv4.ip_forward=1\n");
	expect(c, NCFS_D_NODE, "startcmd", "server", NULL,
	    "/usr/local/bin/start-web.sh >& /tmp/web.log\n");
	expect(c, NCFS_D_NODE, "failure_action", "gw", NULL, "fatal\n");
	expect(c, NCFS_D_NODE, "failure_action", "h3", NULL, "nonfatal\n");
	expect(c, NCFS_D_NODE, "host", "gw", NULL, "pnode-0\n");
	expect(c, NCFS_D_NODE, "host", "pnode-0", NULL, "\n");
	expect(c, NCFS_D_NODE, "role", "pnode-0", NULL, "pnode\n");
	expect(c, NCFS_D_NODE, "role", "config", NULL, "config\n");
	expect(c, NCFS_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh1\nh2\nh3\nserver\n");
	expect(c, NCFS_D_NODE, "containers", "gw", NULL, "");
	expect(c, NCFS_D_NODE, "status", "gw", NULL, "pending 0\n");
	/* a container without an image */
	expect(c, NCFS_D_NODE_IMAGE, "name", "gw", NULL, "\n");
	expect(c, NCFS_D_NODE_IMAGE, "url", "gw", NULL, "\n");
	/* a node that is not there */
	assert_int_equal(get_rc(c, NCFS_D_NODE, "role", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_NODE, "hosts", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_NODE, "mounts", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_NODE, "containers", "nope", NULL,
	    &out), -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_NODE, "status", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_NODE_IMAGE, "os", "nope", NULL,
	    &out), -ENOENT);
	nc_buf_free(&out);

	put(c, NCFS_D_NODE, "os", "gw", NULL, "Ubuntu2204-64-STD");
	put(c, NCFS_D_NODE, "hardware", "gw", NULL, "pc3000");
	put(c, NCFS_D_NODE, "startcmd", "gw", NULL, "echo \"hi\" | tee /x\t#");
	put(c, NCFS_D_NODE, "failure_action", "gw", NULL, "ignore");
	expect(c, NCFS_D_NODE, "os", "gw", NULL, "Ubuntu2204-64-STD\n");
	expect(c, NCFS_D_NODE, "hardware", "gw", NULL, "pc3000\n");
	expect(c, NCFS_D_NODE, "startcmd", "gw", NULL,
	    "echo \"hi\" | tee /x\t#\n");
	expect(c, NCFS_D_NODE, "failure_action", "gw", NULL, "ignore\n");
	put(c, NCFS_D_NODE, "hardware", "gw", NULL, "");
	put(c, NCFS_D_NODE, "startcmd", "gw", NULL, "");
	expect(c, NCFS_D_NODE, "hardware", "gw", NULL, "\n");
	expect(c, NCFS_D_NODE, "startcmd", "gw", NULL, "\n");

	refuse(c, NCFS_D_NODE, "os", "gw", NULL, "Ubuntu 22", -EINVAL,
	    "blank");
	refuse(c, NCFS_D_NODE, "hardware", "gw", NULL, "pc\x01", -EINVAL,
	    "\\x01");
	refuse(c, NCFS_D_NODE, "startcmd", "gw", NULL, "a\nb", -EINVAL,
	    "newline");
	refuse(c, NCFS_D_NODE, "failure_action", "gw", NULL, "retry",
	    -EINVAL, "fatal, nonfatal, ignore");
	refuse(c, NCFS_D_NODE, "os", "nope", NULL, "x", -ENOENT, NULL);
}

static void
test_node_role_host(void **state)
{
	struct ncfs_conn *c = *state;

	refuse(c, NCFS_D_NODE, "role", "gw", NULL, "router", -EINVAL,
	    "role: \"router\" is not one of config, pnode, container, "
	    "physical");
	refuse(c, NCFS_D_NODE, "role", "gw", NULL, "", -EINVAL, NULL);
	refuse(c, NCFS_D_NODE, "role", "pnode-0", NULL, "physical", -EINVAL,
	    "role: pnode-0 hosts 5 containers");
	refuse(c, NCFS_D_NODE, "role", "config", NULL, "pnode", -EINVAL,
	    "control node");
	refuse(c, NCFS_D_NODE, "role", "gw", NULL, "config", -EINVAL,
	    "only the control node");
	refuse(c, NCFS_D_NODE, "role", "nope", NULL, "pnode", -ENOENT, NULL);
	refuse(c, NCFS_D_NODE, "host", "gw", NULL, "h1", -EINVAL,
	    "host: h1 is not a pnode");
	refuse(c, NCFS_D_NODE, "host", "gw", NULL, "nope", -EINVAL,
	    "host: nope is not a node of the experiment");
	refuse(c, NCFS_D_NODE, "host", "gw", NULL, "", -EINVAL,
	    "needs a pnode");
	refuse(c, NCFS_D_NODE, "host", "pnode-0", NULL, "pnode-0", -EINVAL,
	    "only containers have a host");
	refuse(c, NCFS_D_NODE, "host", "gw", NULL, "../x", -EINVAL, NULL);

	/* h1 becomes a pnode, server moves onto it */
	put(c, NCFS_D_NODE, "role", "h1", NULL, "pnode");
	expect(c, NCFS_D_NODE, "role", "h1", NULL, "pnode\n");
	expect(c, NCFS_D_NODE, "host", "h1", NULL, "\n");
	expect(c, NCFS_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh2\nh3\nserver\n");
	put(c, NCFS_D_NODE, "host", "server", NULL, "h1");
	expect(c, NCFS_D_NODE, "host", "server", NULL, "h1\n");
	expect(c, NCFS_D_NODE, "containers", "h1", NULL, "server\n");
	expect(c, NCFS_D_NODE, "containers", "pnode-0", NULL,
	    "gw\nh2\nh3\n");
	/* back to a physical node: a pnode with no containers may */
	put(c, NCFS_D_NODE, "host", "server", NULL, "pnode-0");
	put(c, NCFS_D_NODE, "role", "h1", NULL, "physical");
	expect(c, NCFS_D_NODE, "role", "h1", NULL, "physical\n");
	expect(c, NCFS_D_NODE, "containers", "h1", NULL, "");
	/* the same role again changes nothing */
	put(c, NCFS_D_NODE, "role", "config", NULL, "config");
}

static void
test_status(void **state)
{
	struct ncfs_conn *c = *state;

	put(c, NCFS_D_NODE, "status", "h1", NULL, "booting 1700000000");
	expect(c, NCFS_D_NODE, "status", "h1", NULL, "booting 1700000000\n");
	put(c, NCFS_D_NODE, "status", "h1", NULL,
	    "provisioning  1700000005 accounts");
	expect(c, NCFS_D_NODE, "status", "h1", NULL,
	    "provisioning 1700000005 accounts\n");
	put(c, NCFS_D_NODE, "status", "h1", NULL,
	    "failed 1700000009 mounts cannot mount /users/alice: timed out ");
	expect(c, NCFS_D_NODE, "status", "h1", NULL,
	    "failed 1700000009 mounts cannot mount /users/alice: timed out\n");
	put(c, NCFS_D_NODE, "status", "h2", NULL, "ready 1700000010");
	expect(c, NCFS_D_NODE, "status", "h2", NULL, "ready 1700000010\n");
	expect(c, NCFS_D_NODE, "status", "h3", NULL, "pending 0\n");

	refuse(c, NCFS_D_NODE, "status", "h1", NULL, "done 5", -EINVAL,
	    "state");
	refuse(c, NCFS_D_NODE, "status", "h1", NULL, "ready", -EINVAL,
	    "no time");
	refuse(c, NCFS_D_NODE, "status", "h1", NULL, "ready soon", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_NODE, "status", "h1", NULL, "ready 5\x1b[2J",
	    -EINVAL, NULL);
	refuse(c, NCFS_D_NODE, "status", "nope", NULL, "ready 5", -ENOENT,
	    NULL);
}

static void
test_iface(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCFS_D_IFACE, "lan", "gw", "eth1", "lan0\n");
	expect(c, NCFS_D_IFACE, "ip", "gw", "eth1", "192.168.1.1\n");
	expect(c, NCFS_D_IFACE, "netmask", "gw", "eth1", "255.255.255.0\n");
	expect(c, NCFS_D_IFACE, "mac", "gw", "eth1", "02:a8:aa:5b:39:44\n");
	expect(c, NCFS_D_IFACE, "bandwidth", "gw", "eth1", "100000\n");
	expect(c, NCFS_D_IFACE, "delay", "gw", "eth1", "2\n");
	expect(c, NCFS_D_IFACE, "loss", "gw", "eth1", "0\n");
	expect(c, NCFS_D_IFACE, "lan", "gw", "eth2", "uplink\n");
	expect(c, NCFS_D_IFACE, "ip", "gw", "eth2", "10.0.0.1\n");
	expect(c, NCFS_D_IFACE, "bandwidth", "gw", "eth2", "10000\n");
	expect(c, NCFS_D_IFACE, "delay", "gw", "eth2", "20\n");
	expect(c, NCFS_D_IFACE, "loss", "gw", "eth2", "0.01\n");

	put(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.99");
	expect(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.99\n");
	put(c, NCFS_D_IFACE, "mac", "h1", "eth1", "02:00:00:AA:bb:01");
	expect(c, NCFS_D_IFACE, "mac", "h1", "eth1", "02:00:00:aa:bb:01\n");
	/* overrides of the LAN's shaping, and back */
	put(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "1Gb");
	put(c, NCFS_D_IFACE, "delay", "h1", "eth1", "0.25");
	put(c, NCFS_D_IFACE, "loss", "h1", "eth1", "0.125");
	expect(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "1000000\n");
	expect(c, NCFS_D_IFACE, "delay", "h1", "eth1", "0.25\n");
	expect(c, NCFS_D_IFACE, "loss", "h1", "eth1", "0.125\n");
	expect(c, NCFS_D_IFACE, "bandwidth", "h2", "eth1", "100000\n");
	put(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "2000");
	expect(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "2000\n");
	put(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "");
	put(c, NCFS_D_IFACE, "delay", "h1", "eth1", "");
	put(c, NCFS_D_IFACE, "loss", "h1", "eth1", "");
	expect(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "100000\n");
	expect(c, NCFS_D_IFACE, "delay", "h1", "eth1", "2\n");
	expect(c, NCFS_D_IFACE, "loss", "h1", "eth1", "0\n");

	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "10.9.9.9", -EINVAL,
	    "ip: 10.9.9.9 is outside lan0's subnet 192.168.1.0/24");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.12", -EEXIST,
	    "ip: 192.168.1.12 is already used by h2's eth1");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "10.0.0.2", -EINVAL,
	    "outside");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.255", -EINVAL,
	    "broadcast");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.0", -EINVAL,
	    "network address");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.300", -EINVAL,
	    "not an IPv4 address");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "", -EINVAL, "empty");
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth1", "192.168.1.5\xff",
	    -EINVAL, NULL);
	refuse(c, NCFS_D_IFACE, "ip", "h1", "eth9", "192.168.1.5", -ENOENT,
	    NULL);
	refuse(c, NCFS_D_IFACE, "mac", "h1", "eth1", "02:a8:aa:5b:39:44",
	    -EEXIST, "mac: 02:a8:aa:5b:39:44 is already used by gw's eth1");
	refuse(c, NCFS_D_IFACE, "mac", "h1", "eth1", "03:00:00:00:00:01",
	    -EINVAL, "multicast");
	refuse(c, NCFS_D_IFACE, "mac", "h1", "eth1", "zz", -EINVAL, NULL);
	refuse(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "5", -EINVAL,
	    "under 10 kbit/s");
	refuse(c, NCFS_D_IFACE, "bandwidth", "h1", "eth1", "fast", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_IFACE, "delay", "h1", "eth1", "2 days", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_IFACE, "loss", "h1", "eth1", "2", -EINVAL,
	    "between 0 and 1");
}

static void
test_lan(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCFS_D_LAN, "kind", "lan0", NULL, "lan\n");
	expect(c, NCFS_D_LAN, "kind", "uplink", NULL, "link\n");
	expect(c, NCFS_D_LAN, "members", "lan0", NULL, "gw\nh1\nh2\nh3\n");
	expect(c, NCFS_D_LAN, "members", "uplink", NULL, "gw\nserver\n");
	expect(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "100000\n");
	expect(c, NCFS_D_LAN, "delay", "lan0", NULL, "2\n");
	expect(c, NCFS_D_LAN, "loss", "uplink", NULL, "0.01\n");
	expect(c, NCFS_D_LAN, "netmask", "lan0", NULL, "255.255.255.0\n");
	assert_int_equal(get_rc(c, NCFS_D_LAN, "members", "nope", NULL, &out),
	    -ENOENT);
	nc_buf_free(&out);

	put(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "1Gbps");
	put(c, NCFS_D_LAN, "delay", "lan0", NULL, "1.5s");
	put(c, NCFS_D_LAN, "loss", "lan0", NULL, "0.001");
	expect(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "1000000\n");
	expect(c, NCFS_D_LAN, "delay", "lan0", NULL, "1500\n");
	expect(c, NCFS_D_LAN, "loss", "lan0", NULL, "0.001\n");
	/* the members see the LAN's new values */
	expect(c, NCFS_D_IFACE, "bandwidth", "h2", "eth1", "1000000\n");
	expect(c, NCFS_D_IFACE, "delay", "h2", "eth1", "1500\n");
	/* what is shown can be written back unchanged */
	put(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "1000000");
	put(c, NCFS_D_LAN, "delay", "lan0", NULL, "1500");
	expect(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "1000000\n");
	expect(c, NCFS_D_LAN, "delay", "lan0", NULL, "1500\n");
	put(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "0");
	expect(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "0\n");

	refuse(c, NCFS_D_LAN, "bandwidth", "lan0", NULL, "", -EINVAL,
	    "empty");
	refuse(c, NCFS_D_LAN, "delay", "lan0", NULL, "-3ms", -EINVAL,
	    "negative");
	refuse(c, NCFS_D_LAN, "loss", "lan0", NULL, "abc", -EINVAL, NULL);
	refuse(c, NCFS_D_LAN, "loss", "nope", NULL, "0.5", -ENOENT, NULL);
}

static void
test_users(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCFS_D_USER, "uid", "alice", NULL, "20001\n");
	expect(c, NCFS_D_USER, "gid", "alice", NULL, "6001\n");
	expect(c, NCFS_D_USER, "name", "alice", NULL, "Alice Liddell\n");
	expect(c, NCFS_D_USER, "home", "alice", NULL, "/users/alice\n");
	expect(c, NCFS_D_USER, "shell", "carol", NULL, "/bin/tcsh\n");
	expect(c, NCFS_D_USER, "groups", "alice", NULL, "sec-lab\n");
	expect(c, NCFS_D_USER, "groups", "bob", NULL, "");
	expect(c, NCFS_D_USER, "keys", "alice", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ alice@laptop\n"
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyA"
	    "AAA alice@desk\n");
	expect(c, NCFS_D_USER, "keys", "bob", NULL, "");
	expect(c, NCFS_D_USER, "password", "bob", NULL, "*\n");
	expect(c, NCFS_D_USER, "root", "alice", NULL, "1\n");
	expect(c, NCFS_D_USER, "root", "bob", NULL, "0\n");
	assert_int_equal(field(NCFS_D_USER, "password")->mode, 0600);
	assert_int_equal(get_rc(c, NCFS_D_USER, "uid", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_USER, "groups", "nope", NULL, &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_USER, "keys", "nope", NULL, &out),
	    -ENOENT);
	nc_buf_free(&out);

	put(c, NCFS_D_USER, "uid", "bob", NULL, "30000");
	put(c, NCFS_D_USER, "gid", "bob", NULL, "6002");
	put(c, NCFS_D_USER, "name", "bob", NULL, "Robert \xc3\x89. Brown");
	put(c, NCFS_D_USER, "home", "bob", NULL, "/home/bob");
	put(c, NCFS_D_USER, "shell", "bob", NULL, "/bin/zsh");
	put(c, NCFS_D_USER, "groups", "bob", NULL, "sec-lab\nsec-proj\n");
	put(c, NCFS_D_USER, "keys", "bob", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNhcm9sa2V5Zm9ydGVzdHNvbmx5"
	    "eHh4eHh4eHh4 bob@home\n");
	put(c, NCFS_D_USER, "password", "bob", NULL, "$6$s$abc./def");
	put(c, NCFS_D_USER, "root", "bob", NULL, "1");
	expect(c, NCFS_D_USER, "uid", "bob", NULL, "30000\n");
	expect(c, NCFS_D_USER, "gid", "bob", NULL, "6002\n");
	expect(c, NCFS_D_USER, "name", "bob", NULL,
	    "Robert \xc3\x89. Brown\n");
	expect(c, NCFS_D_USER, "home", "bob", NULL, "/home/bob\n");
	expect(c, NCFS_D_USER, "shell", "bob", NULL, "/bin/zsh\n");
	expect(c, NCFS_D_USER, "groups", "bob", NULL, "sec-lab\nsec-proj\n");
	expect(c, NCFS_D_USER, "keys", "bob", NULL,
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNhcm9sa2V5Zm9ydGVzdHNvbmx5"
	    "eHh4eHh4eHh4 bob@home\n");
	expect(c, NCFS_D_USER, "password", "bob", NULL, "$6$s$abc./def\n");
	expect(c, NCFS_D_USER, "root", "bob", NULL, "1\n");
	expect(c, NCFS_D_GROUP, "members", "sec-lab", NULL,
	    "alice\ncarol\nbob\n");
	put(c, NCFS_D_USER, "groups", "bob", NULL, "");
	put(c, NCFS_D_USER, "keys", "bob", NULL, "");
	expect(c, NCFS_D_USER, "groups", "bob", NULL, "");
	expect(c, NCFS_D_USER, "keys", "bob", NULL, "");

	refuse(c, NCFS_D_USER, "uid", "bob", NULL, "20001", -EEXIST,
	    "uid: 20001 is already alice's");
	refuse(c, NCFS_D_USER, "uid", "bob", NULL, "abc", -EINVAL,
	    "uid: \"abc\" is not a decimal number");
	refuse(c, NCFS_D_USER, "uid", "bob", NULL, "-1", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "uid", "bob", NULL, "4294967296", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_USER, "uid", "bob", NULL, "", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "gid", "bob", NULL, "12 34", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "name", "bob", NULL, "Bob:0:0", -EINVAL, "':'");
	refuse(c, NCFS_D_USER, "home", "bob", NULL, "/users/../etc", -EINVAL,
	    NULL);
	refuse(c, NCFS_D_USER, "shell", "bob", NULL, "bash", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "groups", "bob", NULL, "sec-lab\nwheel",
	    -EINVAL, "groups: there is no group wheel");
	refuse(c, NCFS_D_USER, "groups", "bob", NULL, "sec-lab\nsec-lab",
	    -EINVAL, "twice");
	refuse(c, NCFS_D_USER, "keys", "bob", NULL, "not a key", -EINVAL,
	    "key type");
	refuse(c, NCFS_D_USER, "password", "bob", NULL, "", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "password", "bob", NULL, "a b", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "root", "bob", NULL, "yes", -EINVAL, NULL);
	refuse(c, NCFS_D_USER, "uid", "nope", NULL, "5", -ENOENT, NULL);
	refuse(c, NCFS_D_USER, "groups", "nope", NULL, "sec-lab", -ENOENT,
	    NULL);
}

static void
test_groups(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCFS_D_GROUP, "gid", "sec-lab", NULL, "6002\n");
	expect(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "alice\ncarol\n");
	expect(c, NCFS_D_GROUP, "members", "sec-proj", NULL, "");

	put(c, NCFS_D_GROUP, "gid", "sec-lab", NULL, "7000");
	expect(c, NCFS_D_GROUP, "gid", "sec-lab", NULL, "7000\n");
	/* bob joins, carol leaves; alice keeps her place */
	put(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "bob\nalice\n");
	expect(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "alice\nbob\n");
	expect(c, NCFS_D_USER, "groups", "carol", NULL, "");
	expect(c, NCFS_D_USER, "groups", "bob", NULL, "sec-lab\n");
	put(c, NCFS_D_GROUP, "members", "sec-proj", NULL, "carol");
	put(c, NCFS_D_USER, "groups", "alice", NULL, "sec-proj\nsec-lab");
	expect(c, NCFS_D_USER, "groups", "alice", NULL, "sec-proj\nsec-lab\n");
	put(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "");
	expect(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "");
	expect(c, NCFS_D_USER, "groups", "alice", NULL, "sec-proj\n");

	refuse(c, NCFS_D_GROUP, "gid", "sec-lab", NULL, "6001", -EEXIST,
	    "gid: 6001 is already sec-proj's");
	refuse(c, NCFS_D_GROUP, "gid", "sec-lab", NULL, "x", -EINVAL, NULL);
	refuse(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "alice\nmallory",
	    -EINVAL, "members: there is no user mallory");
	refuse(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "alice\n../x",
	    -EINVAL, "line 2");
	refuse(c, NCFS_D_GROUP, "members", "nope", NULL, "alice", -ENOENT,
	    NULL);
}

static void
test_rendered(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf out = { 0 };

	expect(c, NCFS_D_NODE, "hosts", "h1", NULL,
	    "# neo-containers experiment small-lan\n"
	    "192.168.1.1\tgw-lan0 gw\n"
	    "10.0.0.1\tgw-uplink\n"
	    "192.168.1.11\th1-lan0 h1\n"
	    "192.168.1.12\th2-lan0 h2\n"
	    "192.168.1.13\th3-lan0 h3\n"
	    "10.0.0.2\tserver-uplink server\n"
	    "192.168.10.10\tpnode-0 pc10 pc10.example.org\n"
	    "192.168.10.2\tconfig\n");
	expect(c, NCFS_D_NODE, "passwd", "h1", NULL,
	    "alice:x:20001:6001:Alice Liddell:/users/alice:/bin/bash\n"
	    "carol:x:20002:6001:Carol Cheng:/users/carol:/bin/tcsh\n"
	    "bob:x:20003:6001:Bob Brown:/users/bob:/bin/bash\n");
	expect(c, NCFS_D_NODE, "group", "h1", NULL,
	    "sec-proj:x:6001:\n"
	    "sec-lab:x:6002:alice,carol\n");
	expect(c, NCFS_D_NODE, "shadow", "h1", NULL,
	    "alice:$6$saltsalt$9kQ2c7yLh0NbXpK4oJm1Qw0rT5uV8yZ2aB3cD4eF5gH6iJ7k"
	    "L8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH9iJ0::0:99999:7:::\n"
	    "carol:*::0:99999:7:::\n"
	    "bob:*::0:99999:7:::\n");
	assert_int_equal(field(NCFS_D_NODE, "shadow")->mode, 0600);
	/* a container mounts from its pnode, other nodes from the server */
	expect(c, NCFS_D_NODE, "mounts", "h1", NULL,
	    "pnode-0:/users/alice /users/alice 9p aname=/users/alice 0 0\n"
	    "pnode-0:/users/carol /users/carol 9p aname=/users/carol 0 0\n"
	    "pnode-0:/users/bob /users/bob 9p aname=/users/bob 0 0\n"
	    "pnode-0:/proj/sec-proj /proj/sec-proj 9p aname=/proj/sec-proj"
	    " 0 0\n");
	expect(c, NCFS_D_NODE, "mounts", "pnode-0", NULL,
	    "fs.example.org:/users/alice /users/alice 9p aname=/users/alice"
	    " 0 0\n"
	    "fs.example.org:/users/carol /users/carol 9p aname=/users/carol"
	    " 0 0\n"
	    "fs.example.org:/users/bob /users/bob 9p aname=/users/bob 0 0\n"
	    "fs.example.org:/proj/sec-proj /proj/sec-proj 9p"
	    " aname=/proj/sec-proj 0 0\n");
	expect(c, NCFS_D_KEYS, NULL, "h1", "alice",
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29uYmVh"
	    "bXNvZnRoZXNreQ alice@laptop\n"
	    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTestsOnlyA"
	    "AAA alice@desk\n");
	expect(c, NCFS_D_KEYS, NULL, "h1", "bob", "");
	assert_int_equal(ncfs_key_field.mode, 0600);
	assert_null(ncfs_key_field.set);
	assert_int_equal(get_rc(c, NCFS_D_KEYS, NULL, "h1", "mallory", &out),
	    -ENOENT);
	assert_int_equal(get_rc(c, NCFS_D_KEYS, NULL, "nope", "alice", &out),
	    -ENOENT);

	/* options of a mount follow the aname */
	assert_int_equal(sqlite3_exec(c->db, "UPDATE mounts SET options ="
	    " 'ro,cache=loose' WHERE target = '/proj/sec-proj'", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(get_rc(c, NCFS_D_NODE, "mounts", "gw", NULL, &out),
	    0);
	assert_non_null(strstr(nc_buf_str(&out), "pnode-0:/proj/sec-proj "
	    "/proj/sec-proj 9p aname=/proj/sec-proj,ro,cache=loose 0 0\n"));

	/* a new address shows in every node's hosts */
	put(c, NCFS_D_IFACE, "ip", "h2", "eth1", "192.168.1.42");
	assert_int_equal(get_rc(c, NCFS_D_NODE, "hosts", "gw", NULL, &out), 0);
	assert_non_null(strstr(nc_buf_str(&out),
	    "\n192.168.1.42\th2-lan0 h2\n"));
	assert_null(strstr(nc_buf_str(&out), "192.168.1.12"));
	nc_buf_free(&out);
}

static void
test_images(void **state)
{
	struct ncfs_conn *c = *state;

	expect(c, NCFS_D_NODE_IMAGE, "name", "web", NULL, "ubuntu/trusty64\n");
	expect(c, NCFS_D_NODE_IMAGE, "os", "web", NULL, "ubuntu\n");
	expect(c, NCFS_D_NODE_IMAGE, "type", "web", NULL, "vagrant\n");
	expect(c, NCFS_D_NODE_IMAGE, "provider", "web", NULL, "virtualbox\n");
	expect(c, NCFS_D_NODE_IMAGE, "version", "web", NULL, "14.04\n");
	expect(c, NCFS_D_NODE_IMAGE, "url", "web", NULL, "\n");
	expect(c, NCFS_D_NODE_IMAGE, "url", "desktop", NULL,
	    "http://images.example.org/boxes/deter-win7.box\n");
	expect(c, NCFS_D_IMAGE, "os", "deter/win7", NULL, "windows\n");
	expect(c, NCFS_D_IMAGE, "type", "deter/win7", NULL, "vagrant\n");
	expect(c, NCFS_D_IMAGE, "provider", "deter/win7", NULL, "\n");
	expect(c, NCFS_D_IMAGE, "sha256", "deter/win7", NULL, "\n");

	put(c, NCFS_D_IMAGE, "provider", "deter/win7", NULL, "libvirt");
	put(c, NCFS_D_IMAGE, "version", "deter/win7", NULL, "7.1");
	put(c, NCFS_D_IMAGE, "url", "deter/win7", NULL,
	    "file:///var/cache/ncimage/win7.box");
	put(c, NCFS_D_IMAGE, "sha256", "deter/win7", NULL,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect(c, NCFS_D_IMAGE, "provider", "deter/win7", NULL, "libvirt\n");
	expect(c, NCFS_D_IMAGE, "version", "deter/win7", NULL, "7.1\n");
	expect(c, NCFS_D_NODE_IMAGE, "url", "desktop", NULL,
	    "file:///var/cache/ncimage/win7.box\n");
	expect(c, NCFS_D_IMAGE, "sha256", "deter/win7", NULL,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "\n");
	put(c, NCFS_D_IMAGE, "url", "deter/win7", NULL, "");
	expect(c, NCFS_D_IMAGE, "url", "deter/win7", NULL, "\n");

	refuse(c, NCFS_D_IMAGE, "url", "deter/win7", NULL, "ftp://x/y",
	    -EINVAL, "URL");
	refuse(c, NCFS_D_IMAGE, "sha256", "deter/win7", NULL, "abc", -EINVAL,
	    "64 lowercase hex");
	refuse(c, NCFS_D_IMAGE, "version", "deter/win7", NULL, "7 sp1",
	    -EINVAL, NULL);
	refuse(c, NCFS_D_IMAGE, "provider", "nope/x", NULL, "lxc", -ENOENT,
	    NULL);

	/* attributes: the value of each key */
	expect(c, NCFS_D_ATTRS, NULL, "desktop", "containers:image_url",
	    "http://images.example.org/boxes/deter-win7.box\n");
	put(c, NCFS_D_ATTRS, NULL, "web", "containers:image_os", "debian");
	expect(c, NCFS_D_ATTRS, NULL, "web", "containers:image_os",
	    "debian\n");
	put(c, NCFS_D_ATTRS, NULL, "web", "containers:image_os", "");
	expect(c, NCFS_D_ATTRS, NULL, "web", "containers:image_os", "\n");
	refuse(c, NCFS_D_ATTRS, NULL, "web", "containers:image_os", "a\nb",
	    -EINVAL, "containers:image_os: ");
	refuse(c, NCFS_D_ATTRS, NULL, "web", "no-such-key", "x", -ENOENT,
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
record(struct ncfs_conn *c, int add, enum ncfs_dtype t, const char *k0,
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
		assert_int_equal(ncfs_commit(c), 0);
	else
		ncfs_rollback(c);
	return rc;
}

static void
test_records(void **state)
{
	struct ncfs_conn *c = *state;
	struct nc_buf why = { 0 }, before = { 0 }, after = { 0 }, out = { 0 };

	assert_int_equal(record(c, 1, NCFS_D_USER, "dave", NULL, &why), 0);
	expect(c, NCFS_D_USER, "uid", "dave", NULL, "20004\n");
	expect(c, NCFS_D_USER, "gid", "dave", NULL, "20004\n");
	expect(c, NCFS_D_USER, "home", "dave", NULL, "/users/dave\n");
	expect(c, NCFS_D_USER, "shell", "dave", NULL, "/bin/sh\n");
	expect(c, NCFS_D_USER, "password", "dave", NULL, "*\n");
	expect(c, NCFS_D_USER, "groups", "dave", NULL, "");
	assert_int_equal(get_rc(c, NCFS_D_NODE, "passwd", "h1", NULL, &out),
	    0);
	assert_non_null(strstr(nc_buf_str(&out), "\nbob:x:20003:6001:Bob "
	    "Brown:/users/bob:/bin/bash\ndave:x:20004:20004::/users/dave:"
	    "/bin/sh\n"));

	/* a group "users" gives new users its gid */
	assert_int_equal(record(c, 1, NCFS_D_GROUP, "users", NULL, &why), 0);
	expect(c, NCFS_D_GROUP, "gid", "users", NULL, "6003\n");
	assert_int_equal(record(c, 1, NCFS_D_USER, "erin", NULL, &why), 0);
	expect(c, NCFS_D_USER, "uid", "erin", NULL, "20005\n");
	expect(c, NCFS_D_USER, "gid", "erin", NULL, "6003\n");

	dump(c, &before);
	assert_int_equal(record(c, 1, NCFS_D_USER, "alice", NULL, &why),
	    -EEXIST);
	assert_string_equal(nc_buf_str(&why), "users: alice already exists");
	assert_int_equal(record(c, 1, NCFS_D_USER, "Bad", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCFS_D_USER, "a b", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCFS_D_USER, "x23456789012345678901234"
	    "5678901234567890123456789012345678901234", NULL, &why),
	    -ENAMETOOLONG);
	assert_int_equal(record(c, 1, NCFS_D_GROUP, "sec-lab", NULL, &why),
	    -EEXIST);
	assert_int_equal(record(c, 1, NCFS_D_GROUP, "..", NULL, &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "a/b", &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "..", &why),
	    -EINVAL);
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "nope", "k", &why),
	    -ENOENT);
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "k23456789012345678"
	    "901234567890123456789012345678901234567890123456", &why),
	    -ENAMETOOLONG);
	assert_int_equal(record(c, 1, NCFS_D_LAN, "lan9", NULL, &why),
	    -EPERM);
	assert_int_equal(record(c, 0, NCFS_D_USER, "mallory", NULL, &why),
	    -ENOENT);
	assert_int_equal(record(c, 0, NCFS_D_GROUP, "wheel", NULL, &why),
	    -ENOENT);
	assert_int_equal(record(c, 0, NCFS_D_ATTRS, "h1", "nokey", &why),
	    -ENOENT);
	dump(c, &after);
	assert_string_equal(nc_buf_str(&before), nc_buf_str(&after));

	/* attributes: made empty, last; removed */
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "containers:"
	    "node_type", &why), 0);
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "x.y-z_1", &why),
	    0);
	expect(c, NCFS_D_ATTRS, NULL, "h1", "containers:node_type", "\n");
	put(c, NCFS_D_ATTRS, NULL, "h1", "containers:node_type", "qemu");
	expect(c, NCFS_D_ATTRS, NULL, "h1", "containers:node_type", "qemu\n");
	assert_int_equal(record(c, 1, NCFS_D_ATTRS, "h1", "x.y-z_1", &why),
	    -EEXIST);
	assert_int_equal(record(c, 0, NCFS_D_ATTRS, "h1", "containers:"
	    "node_type", &why), 0);
	assert_int_equal(get_rc(c, NCFS_D_ATTRS, NULL, "h1",
	    "containers:node_type", &out), -ENOENT);

	/* removing a user takes its memberships and keys */
	assert_int_equal(record(c, 0, NCFS_D_USER, "alice", NULL, &why), 0);
	assert_int_equal(get_rc(c, NCFS_D_USER, "uid", "alice", NULL, &out),
	    -ENOENT);
	expect(c, NCFS_D_GROUP, "members", "sec-lab", NULL, "carol\n");
	assert_int_equal(get_rc(c, NCFS_D_KEYS, NULL, "h1", "alice", &out),
	    -ENOENT);
	assert_int_equal(count(c, "SELECT count(*) FROM memberships"
	    " WHERE user = 'alice'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM sshkeys"
	    " WHERE user = 'alice'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM sshkeys"), 1);
	/* removing a group takes its memberships */
	assert_int_equal(record(c, 0, NCFS_D_GROUP, "sec-lab", NULL, &why),
	    0);
	expect(c, NCFS_D_USER, "groups", "carol", NULL, "");
	expect(c, NCFS_D_NODE, "group", "h1", NULL,
	    "sec-proj:x:6001:\nusers:x:6003:\n");
	assert_int_equal(record(c, 0, NCFS_D_GROUP, "sec-lab", NULL, &why),
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
	assert_int_equal(record(c, 1, NCFS_D_USER, "dave", NULL, &why), 0);
	expect(c, NCFS_D_USER, "uid", "dave", NULL, "1000\n");
	assert_int_equal(record(c, 1, NCFS_D_USER, "erin", NULL, &why), 0);
	expect(c, NCFS_D_USER, "uid", "erin", NULL, "1001\n");
	assert_int_equal(record(c, 1, NCFS_D_GROUP, "newgrp", NULL, &why), 0);
	expect(c, NCFS_D_GROUP, "gid", "newgrp", NULL, "1000\n");
	nc_buf_free(&why);
}

/* Every fixed file of every directory reads without error. */
static void
test_every_field(void **state)
{
	struct ncfs_conn *c = *state;
	static const struct {
		enum ncfs_dtype t;
		const char *k0, *k1;
	} dirs[] = {
		{ NCFS_D_EXPERIMENT, NULL, NULL },
		{ NCFS_D_NODE, "gw", NULL }, { NCFS_D_NODE, "pnode-0", NULL },
		{ NCFS_D_NODE_IMAGE, "gw", NULL },
		{ NCFS_D_IFACE, "gw", "eth2" },
		{ NCFS_D_LAN, "uplink", NULL },
		{ NCFS_D_USER, "carol", NULL },
		{ NCFS_D_GROUP, "sec-proj", NULL },
	};
	const struct ncfs_field *f;
	struct nc_buf out = { 0 };
	struct ncfs_ref r;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (f = ncfs_fields[dirs[i].t]; f->name != NULL; f++) {
			r = ref(dirs[i].t, f->name, dirs[i].k0, dirs[i].k1);
			nc_buf_reset(&out);
			assert_int_equal(f->get(c, &r, &out), 0);
			/* newline-terminated, or an empty list */
			assert_true(out.len == 0 || out.p[out.len - 1] ==
			    '\n');
			assert_true(f->mode == 0644 || f->mode == 0444 ||
			    f->mode == 0600);
			assert_true((f->set != NULL) == ((f->mode & 0200) !=
			    0) || strcmp(f->name, "shadow") == 0 ||
			    strcmp(f->name, "sshkeys") == 0);
			n++;
		}
	assert_int_equal(n, 6 + 16 * 2 + 6 + 7 + 6 + 9 + 2);	/* +sudoers sshkeys physical */
	for (i = 0; i < NCFS_D_MAX; i++)
		if (i != NCFS_D_EXPERIMENT && i != NCFS_D_NODE &&
		    i != NCFS_D_NODE_IMAGE && i != NCFS_D_IFACE &&
		    i != NCFS_D_LAN && i != NCFS_D_USER &&
		    i != NCFS_D_GROUP && i != NCFS_D_IMAGE)
			assert_null(ncfs_fields[i]);
	nc_buf_free(&out);
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
		cmocka_unit_test_setup_teardown(test_status, setup_lan,
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
