/*
 * test_steps.c: the container provisioner's steps ifaces, mounts and
 * startcmd (provision/container/ifaces.c, mounts.c, startcmd.c) and the program
 * runner under them (provision/run.c).
 *
 * Each test gets a fake tree (an in-memory table of path -> contents
 * behind the ncp_source ops) and a temporary --root holding a fake sysfs
 * (sys/class/net/<dev>/{address,flags,neoc_test_addrs}), proc
 * (self/mounts, filesystems, sys/kernel/random/boot_id) and etc.  Under
 * --root the ifaces and mounts steps only print "would run: ..." lines,
 * which the tests read back from stdout; startcmd really runs its
 * command.  The tests that switch users (startcmd's user, ncp_run's
 * setid) need root and are skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "ncprov.h"
#include "run.h"
#include "container_steps.h"
#include "util.h"
#include "scratch_dir.h"

#define MAC1 "02:7f:30:24:23:fa"	/* h1's eth1 in the tree */
#define MAC2 "02:7f:30:24:23:fb"	/* h1's eth2 */

/* ---- the fake tree ---- */

#define MAXFILES 64

/* One file of the fake tree. */
struct ffile {
	char *path;		/* "nodes/h1/mounts" */
	char *data;		/* its contents */
};

static struct ffile g_files[MAXFILES];	/* the tree */
static size_t g_nfiles;			/* files in it */

static void
tree_put(const char *path, const char *data)
{
	size_t i;

	for (i = 0; i < g_nfiles; i++)
		if (strcmp(g_files[i].path, path) == 0) {
			free(g_files[i].data);
			g_files[i].data = nc_strdup(data);
			return;
		}
	assert_true(g_nfiles < MAXFILES);
	g_files[g_nfiles].path = nc_strdup(path);
	g_files[g_nfiles++].data = nc_strdup(data);
}

/* The contents of path in the fake tree, or NULL. */
static const char *
tree_get(const char *path)
{
	size_t i;

	for (i = 0; i < g_nfiles; i++)
		if (strcmp(g_files[i].path, path) == 0)
			return g_files[i].data;
	return NULL;
}

static void
tree_clear(void)
{
	size_t i;

	for (i = 0; i < g_nfiles; i++) {
		free(g_files[i].path);
		free(g_files[i].data);
	}
	g_nfiles = 0;
}

/* Is there a file below path/? */
static int
fake_is_dir(void *impl, const char *path)
{
	size_t i, n = strlen(path);

	(void)impl;
	for (i = 0; i < g_nfiles; i++)
		if (strncmp(g_files[i].path, path, n) == 0 &&
		    g_files[i].path[n] == '/')
			return 1;
	for (i = 0; i < g_nfiles; i++)
		if (strcmp(g_files[i].path, path) == 0)
			return 0;
	return -ENOENT;
}

static int
fake_read(void *impl, const char *path, struct nc_buf *out)
{
	size_t i;

	for (i = 0; i < g_nfiles; i++)
		if (strcmp(g_files[i].path, path) == 0) {
			nc_buf_puts(out, g_files[i].data);
			return 0;
		}
	return fake_is_dir(impl, path) == 1 ? -EISDIR : -ENOENT;
}

static int
fake_list(void *impl, const char *path, char ***names, size_t *n)
{
	size_t i, j, len = strlen(path), cap = 0;
	const char *rest, *slash;

	*names = NULL;
	*n = 0;
	if (fake_is_dir(impl, path) != 1)
		return fake_is_dir(impl, path) == 0 ? -ENOTDIR : -ENOENT;
	for (i = 0; i < g_nfiles; i++) {
		if (strncmp(g_files[i].path, path, len) != 0 ||
		    g_files[i].path[len] != '/')
			continue;
		rest = g_files[i].path + len + 1;
		slash = strchr(rest, '/');
		size_t nl = slash ? (size_t)(slash - rest) : strlen(rest);

		for (j = 0; j < *n; j++)
			if (strlen((*names)[j]) == nl &&
			    strncmp((*names)[j], rest, nl) == 0)
				break;
		if (j == *n) {
			char *name = nc_malloc(nl + 1);

			memcpy(name, rest, nl);
			name[nl] = '\0';
			*NC_PUSH(*names, *n, cap) = name;
		}
	}
	return 0;
}

static int
fake_write(void *impl, const char *path, const char *data, size_t len)
{
	char *s = nc_malloc(len + 1);

	(void)impl;
	memcpy(s, data, len);
	s[len] = '\0';
	tree_put(path, s);
	free(s);
	return 0;
}

static unsigned long long
fake_requests(void *impl)
{
	(void)impl;
	return 0;
}

static void
fake_close(void *impl)
{
	(void)impl;
}

static const struct ncp_source_ops fake_ops = {
	.read = fake_read, .list = fake_list, .is_dir = fake_is_dir,
	.write = fake_write, .requests = fake_requests,
	.close = fake_close,
};

/* ---- the temporary root ---- */

static char g_root[64];		/* the test's --root */
static struct ncprov g_p;	/* the run, on the fake tree */

/* Write root/rel (making its directories). */
static void
put(const char *rel, const char *data)
{
	char *path = nc_asprintf("%s/%s", g_root, rel), *s;
	int fd;

	for (s = path + strlen(g_root) + 1; (s = strchr(s, '/')) != NULL;
	    s++) {
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

/* The contents of root/rel (malloc'd; NULL when missing). */
static char *
slurp(const char *rel)
{
	char *path = nc_asprintf("%s/%s", g_root, rel);
	struct nc_buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	free(path);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(&b, chunk, (size_t)n);
	close(fd);
	path = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return path;
}

static int
exists(const char *rel)
{
	char *path = nc_asprintf("%s/%s", g_root, rel);
	struct stat st;
	int rc = lstat(path, &st) == 0;

	free(path);
	return rc;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(g_root, sizeof(g_root), "/tmp/nc-steps.XXXXXX");
	if (mkdtemp(g_root) == NULL)
		return -1;
	chmod(g_root, 0755);	/* users the tests become walk in */
	memset(&g_p, 0, sizeof(g_p));
	g_p.src.ops = &fake_ops;
	g_p.node = "h1";
	g_p.root = g_root;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	scratch_rm(g_root);
	tree_clear();
	return 0;
}

/* ---- stdout of a step ---- */

static int g_saved = -1;	/* the real stdout while capturing */
static char g_out_path[96];	/* where the capture goes */

static void
capture_begin(void)
{
	int fd;

	snprintf(g_out_path, sizeof(g_out_path), "%s.out", g_root);
	fflush(stdout);
	g_saved = dup(1);
	fd = open(g_out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
}

/* The step's output (malloc'd). */
static char *
capture_end(void)
{
	struct nc_buf b = { 0 };
	char chunk[4096], *s;
	ssize_t n;
	int fd;

	fflush(stdout);
	dup2(g_saved, 1);
	close(g_saved);
	fd = open(g_out_path, O_RDONLY);
	while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(&b, chunk, (size_t)n);
	if (fd >= 0)
		close(fd);
	unlink(g_out_path);
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

/* Run a step with its output captured into *out; its return value. */
static int
run_step(int (*step)(struct ncprov *), char **out)
{
	int rc;

	g_p.changes = 0;
	g_p.why[0] = '\0';
	capture_begin();
	rc = step(&g_p);
	*out = capture_end();
	return rc;
}

/* Does text have this exact line? */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *s;

	for (s = text; (s = strstr(s, line)) != NULL; s++)
		if ((s == text || s[-1] == '\n') &&
		    (s[n] == '\n' || s[n] == '\0'))
			return 1;
	return 0;
}

#define assert_line(text, ...) do {					\
	char *want_ = nc_asprintf(__VA_ARGS__);				\
	if (!has_line((text), want_))					\
		fail_msg("no line \"%s\" in:\n%s", want_, (text));	\
	free(want_);							\
} while (0)

#define assert_has(text, sub) do {					\
	if (strstr((text), (sub)) == NULL)				\
		fail_msg("no \"%s\" in:\n%s", (sub), (text));		\
} while (0)

/* ---- ifaces ---- */

static void
tree_iface(const char *name, const char *mac, const char *ip,
    const char *mask)
{
	char path[128];

	snprintf(path, sizeof(path), "nodes/h1/ifaces/%s/mac", name);
	tree_put(path, mac);
	snprintf(path, sizeof(path), "nodes/h1/ifaces/%s/ip", name);
	tree_put(path, ip);
	snprintf(path, sizeof(path), "nodes/h1/ifaces/%s/netmask", name);
	tree_put(path, mask);
	snprintf(path, sizeof(path), "nodes/h1/ifaces/%s/lan", name);
	tree_put(path, "lan0\n");
}

/* The fake sysfs: lo, eth0 (another MAC) and eth9 with MAC1 (in upper
 * case: the match ignores case). */
static void
fake_sys(void)
{
	put("sys/class/net/lo/address", "00:00:00:00:00:00\n");
	put("sys/class/net/lo/flags", "0x9\n");
	put("sys/class/net/eth0/address", "52:54:00:12:34:56\n");
	put("sys/class/net/eth0/flags", "0x1003\n");
	put("sys/class/net/eth9/address", "02:7F:30:24:23:FA\n");
	put("sys/class/net/eth9/flags", "0x1002\n");
}

static void
test_ifaces_by_mac(void **state)
{
	char *out;

	(void)state;
	tree_iface("eth1", MAC1 "\n", "192.168.1.11\n", "255.255.255.0\n");
	fake_sys();
	assert_int_equal(run_step(ncp_step_ifaces, &out), 0);
	assert_line(out, "ifaces: would run: ip addr add 192.168.1.11/24 "
	    "broadcast + dev eth9");
	assert_line(out, "ifaces: would run: ip link set dev eth9 up");
	assert_int_equal(g_p.changes, 2);
	assert_null(strstr(out, "eth0"));
	free(out);
}

static void
test_ifaces_idempotent(void **state)
{
	char *out;

	(void)state;
	tree_iface("eth1", MAC1 "\n", "192.168.1.11\n", "255.255.255.0\n");
	fake_sys();
	put("sys/class/net/eth9/flags", "0x1003\n");
	put("sys/class/net/eth9/neoc_test_addrs",
	    "10.9.9.9/8\n192.168.1.11/24\n");
	assert_int_equal(run_step(ncp_step_ifaces, &out), 0);
	assert_string_equal(out, "");
	assert_int_equal(g_p.changes, 0);
	free(out);

	/* The same address with another prefix is not it. */
	put("sys/class/net/eth9/neoc_test_addrs", "192.168.1.11/16\n");
	assert_int_equal(run_step(ncp_step_ifaces, &out), 0);
	assert_line(out, "ifaces: would run: ip addr add 192.168.1.11/24 "
	    "broadcast + dev eth9");
	assert_int_equal(g_p.changes, 1);
	free(out);
}

static void
test_ifaces_missing_mac(void **state)
{
	char *out;

	(void)state;
	tree_iface("eth1", MAC1 "\n", "192.168.1.11\n", "255.255.255.0\n");
	tree_iface("eth2", MAC2 "\n", "10.0.0.1\n", "255.255.255.252\n");
	fake_sys();
	assert_int_equal(run_step(ncp_step_ifaces, &out), -1);
	/* eth1 was still done */
	assert_line(out, "ifaces: would run: ip addr add 192.168.1.11/24 "
	    "broadcast + dev eth9");
	assert_has(g_p.why, "no interface with MAC " MAC2 " (eth2)");
	assert_null(strstr(g_p.why, MAC1));
	free(out);
}

static void
test_ifaces_bad_values(void **state)
{
	char *out;

	(void)state;
	tree_iface("eth1", MAC1 "\n", "192.168.1.11\n", "255.0.255.0\n");
	tree_iface("eth2", "02:7f:30:24:23\n", "10.0.0.1\n",
	    "255.255.255.252\n");
	fake_sys();
	assert_int_equal(run_step(ncp_step_ifaces, &out), -1);
	assert_has(g_p.why, "eth1: bad netmask \"255.0.255.0\"");
	assert_has(g_p.why, "eth2: bad mac");
	assert_int_equal(g_p.changes, 0);
	free(out);
}

static void
test_ifaces_none(void **state)
{
	char *out;

	(void)state;
	tree_put("nodes/h1/role", "container\n");
	assert_int_equal(run_step(ncp_step_ifaces, &out), 0);
	assert_string_equal(out, "");
	free(out);
}

static void
test_ifaces_no_address(void **state)
{
	char *out;

	(void)state;
	tree_iface("eth1", MAC1 "\n", "\n", "\n");
	fake_sys();
	assert_int_equal(run_step(ncp_step_ifaces, &out), 0);
	assert_string_equal(out,
	    "ifaces: would run: ip link set dev eth9 up\n");
	free(out);
}

/* ---- mounts ---- */

#define MOUNTS								\
	"pnode-0:/users/alice /users/alice 9p aname=/users/alice 0 0\n"	\
	"pnode-0:/proj/p /proj/p 9p aname=/proj/p,port=5640 0 0\n"

static void
mounts_setup(void)
{
	tree_put("nodes/h1/mounts", MOUNTS);
	put("etc/hosts", "127.0.0.1\tlocalhost\n"
	    "# BEGIN neo-containers\n192.168.10.10\tpnode-0 pc10\n");
}

static void
test_mounts_nc9pfs(void **state)
{
	char *out, *st;

	(void)state;
	mounts_setup();
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_line(out, "mounts: would run: nc9pfs "
	    "192.168.10.10:564:/users/alice %s/users/alice "
	    "-o allow_other,default_permissions", g_root);
	assert_line(out, "mounts: would run: nc9pfs "
	    "192.168.10.10:5640:/proj/p %s/proj/p "
	    "-o allow_other,default_permissions", g_root);
	assert_int_equal(g_p.changes, 2);
	assert_true(exists("users/alice"));
	assert_true(exists("proj/p"));
	st = slurp("var/lib/neoc/mounts");
	assert_non_null(st);
	assert_line(st, "/users/alice nc9pfs");
	assert_line(st, "/proj/p nc9pfs");
	free(st);
	free(out);
}

static void
test_mounts_kernel_9p(void **state)
{
	char *out;

	(void)state;
	mounts_setup();
	put("proc/filesystems", "nodev\tsysfs\nnodev\ttmpfs\n\text4\n"
	    "nodev\t9p\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_line(out, "mounts: would run: mount -t 9p -o trans=tcp,"
	    "port=564,aname=/users/alice,version=9p2000.L 192.168.10.10 "
	    "%s/users/alice", g_root);
	assert_line(out, "mounts: would run: mount -t 9p -o trans=tcp,"
	    "port=5640,aname=/proj/p,version=9p2000.L 192.168.10.10 "
	    "%s/proj/p", g_root);
	assert_null(strstr(out, "nc9pfs"));
	free(out);

	/* 9p2000 alone is not 9p */
	teardown(NULL);
	setup(NULL);
	mounts_setup();
	put("proc/filesystems", "nodev\t9p2000\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_has(out, "would run: nc9pfs");
	free(out);
}

static void
test_mounts_mounted_left_alone(void **state)
{
	char *out, *mounts;

	(void)state;
	mounts_setup();
	put("proc/self/mounts", "sysfs /sys sysfs rw 0 0\n"
	    "192.168.10.10 /users/alice fuse.nc9pfs rw 0 0\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_null(strstr(out, "/users/alice"));
	assert_has(out, "/proj/p");
	assert_int_equal(g_p.changes, 1);
	free(out);

	/* once both are mounted (as the tests' proc says), no changes */
	mounts = nc_asprintf("sysfs /sys sysfs rw 0 0\n"
	    "192.168.10.10 /users/alice fuse.nc9pfs rw 0 0\n"
	    "192.168.10.10 %s/proj/p fuse.nc9pfs rw 0 0\n", g_root);
	put("proc/self/mounts", mounts);
	free(mounts);
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_string_equal(out, "");
	assert_int_equal(g_p.changes, 0);
	free(out);
	/* ours stays ours; the one we did not make is not recorded */
	out = slurp("var/lib/neoc/mounts");
	assert_string_equal(out, "/proj/p nc9pfs\n");
	free(out);
}

static void
test_mounts_removed(void **state)
{
	char *out, *st;

	(void)state;
	mounts_setup();
	put("var/lib/neoc/mounts", "/users/alice nc9pfs\n/users/old nc9pfs\n"
	    "/users/old/deep 9p\n/gone nc9pfs\n");
	put("proc/self/mounts", "x /users/alice fuse.nc9pfs rw 0 0\n"
	    "x /users/old fuse.nc9pfs rw 0 0\n"
	    "x /users/old/deep 9p rw 0 0\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	/* deepest first, fusermount for nc9pfs, umount for 9p */
	char *deep = strstr(out, "umount "), *top = strstr(out, "-u ");

	assert_non_null(deep);
	assert_non_null(top);
	assert_true(deep < top);
	assert_line(out, "mounts: would run: umount %s/users/old/deep",
	    g_root);
	assert_has(out, "-u ");
	assert_has(out, "/users/old\n");
	assert_null(strstr(out, "/gone"));	/* not mounted: forgotten */
	assert_null(strstr(out, "/users/alice"));
	st = slurp("var/lib/neoc/mounts");
	assert_string_equal(st, "/users/alice nc9pfs\n/proj/p nc9pfs\n");
	free(st);
	free(out);
}

static void
test_mounts_bad_lines(void **state)
{
	char *out;

	(void)state;
	tree_put("nodes/h1/mounts",
	    "garbage\n"
	    "pnode-0:/a /b nfs rw 0 0\n"
	    "pnode-0:/a /x/../etc 9p aname=/a 0 0\n"
	    "pnode-0:/a /c 9p aname=/a,port=99999 0 0\n"
	    "bad;name:/a /d 9p aname=/a 0 0\n"
	    "pnode-0:/a /e 9p aname=/a,rw;rm 0 0\n"
	    "nowhere:/a /f 9p aname=/a 0 0\n"
	    "pnode-0:/a /g 9p aname=/a,trans=fd 0 0\n"
	    "pnode-0:/ok /ok 9p aname=/ok,cache=loose 0 0\n");
	put("etc/hosts", "192.168.10.10 pnode-0\n");
	put("proc/filesystems", "nodev\t9p\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), -1);
	assert_has(g_p.why, "mounts line 1: want SERVER:/SOURCE");
	assert_has(g_p.why, "mounts line 2: not a 9p mount");
	assert_has(g_p.why, "mounts line 3: bad source or target path");
	assert_has(g_p.why, "mounts line 4: bad port");
	assert_has(g_p.why, "mounts line 5: bad server");
	assert_has(g_p.why, "mounts line 6: bad option");
	assert_has(g_p.why, "/f: cannot resolve nowhere");
	assert_has(g_p.why, "mounts line 8: bad option");
	/* the good line was still done, its extra option passed on */
	assert_line(out, "mounts: would run: mount -t 9p -o trans=tcp,"
	    "port=564,aname=/ok,version=9p2000.L,cache=loose 192.168.10.10 "
	    "%s/ok", g_root);
	assert_int_equal(g_p.changes, 1);
	free(out);
}

static void
test_mounts_dry_run(void **state)
{
	char *out;

	(void)state;
	mounts_setup();
	g_p.dry_run = 1;
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_has(out, "would run: nc9pfs 192.168.10.10:564:/users/alice");
	assert_int_equal(g_p.changes, 2);
	assert_false(exists("users"));
	assert_false(exists("var/lib/neoc/mounts"));
	free(out);
}

static void
test_mounts_none(void **state)
{
	char *out;

	(void)state;
	tree_put("nodes/h1/role", "container\n");
	assert_int_equal(run_step(ncp_step_mounts, &out), 0);
	assert_string_equal(out, "");
	assert_false(exists("var/lib/neoc/mounts"));
	free(out);
}

/* ---- startcmd ---- */

static void
boot(const char *id)
{
	put("proc/sys/kernel/random/boot_id", id);
}

/* How many times text holds sub. */
static int
count(const char *text, const char *sub)
{
	int n = 0;

	for (; text != NULL && (text = strstr(text, sub)) != NULL; text++)
		n++;
	return n;
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap what was orphaned to us (the tests are the supervisors' subreaper). */
static void
reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * Wait (up to 10 s) until startcmd.boot's second line starts with want
 * ("exited", "killed", "running"); that line (malloc'd), or fail.
 */
static char *
wait_state(const char *want)
{
	char *text, *l2, *nl;
	int i;

	for (i = 0; i < 1000; i++) {
		reap();
		text = slurp("var/lib/neoc/startcmd.boot");
		if (text != NULL && (l2 = strchr(text, '\n')) != NULL &&
		    strncmp(l2 + 1, want, strlen(want)) == 0 &&
		    (nl = strchr(l2 + 1, '\n')) != NULL) {
			char *line = nc_asprintf("%.*s", (int)(nl - l2 - 1),
			    l2 + 1);

			free(text);
			return line;
		}
		free(text);
		usleep(10000);
	}
	fail_msg("startcmd.boot never said \"%s\"", want);
	return NULL;
}

/* The start command's log once it holds needle (10 s at most). */
static char *
wait_log(const char *needle)
{
	char *text;
	int i;

	for (i = 0; i < 1000; i++) {
		text = slurp("var/log/neoc/startcmd.log");
		if (text != NULL && strstr(text, needle) != NULL)
			return text;
		free(text);
		usleep(10000);
	}
	fail_msg("startcmd.log never said \"%s\"", needle);
	return NULL;
}

/* The state file's third line: the supervisor and the group. */
static void
state_pids(long *sup, long *pgid)
{
	char *text = slurp("var/lib/neoc/startcmd.boot"), *s = text;

	assert_non_null(text);
	s = strchr(s, '\n');
	assert_non_null(s);
	s = strchr(s + 1, '\n');
	assert_non_null(s);
	assert_int_equal(sscanf(s + 1, "%ld %ld", sup, pgid), 2);
	free(text);
}

/* Is anything of process group pg alive (zombies reaped first)? */
static int
group_alive(long pg)
{
	reap();
	return kill(-(pid_t)pg, 0) == 0;
}

static void
assert_started(const char *out, const char *who)
{
	char *want = nc_asprintf("startcmd: started as %s (pid ", who);

	if (strncmp(out, want, strlen(want)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", out, want);
	free(want);
}

static void
test_startcmd_once_per_boot(void **state)
{
	char *out, *log, *line, *want;
	long sup, pgid;

	(void)state;
	tree_put("nodes/h1/startcmd", "echo hello from startcmd\n");
	boot("11111111-aaaa\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_started(out, "root");
	assert_int_equal(g_p.changes, 1);
	free(out);
	/* "running" went into the tree before it started */
	assert_int_equal(strncmp(tree_get("nodes/h1/startstatus"),
	    "running ", 8), 0);
	line = wait_state("exited");
	assert_int_equal(strncmp(line, "exited 0 ", 9), 0);
	free(line);
	/* the supervisor says it could not write the tree after it wrote
	 * the state file: wait for that line */
	log = wait_log("--- startstatus not written: no tree to write to\n");
	assert_int_equal(count(log, "\nhello from startcmd\n"), 1);
	assert_has(log, "startcmd as root: echo hello from startcmd");
	assert_has(log, "--- exit 0\n");
	/* with no --tree or --9p the supervisor has no tree to write to */
	assert_has(log, "--- startstatus not written: no tree to write to\n");
	free(log);
	state_pids(&sup, &pgid);
	assert_true(sup > 1 && pgid > 1 && sup != pgid);

	/* the same boot: nothing runs; the tree gets the end the supervisor
	 * could not write */
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out, "");
	assert_int_equal(g_p.changes, 0);
	free(out);
	assert_int_equal(strncmp(tree_get("nodes/h1/startstatus"),
	    "exited 0 ", 9), 0);

	/* a new boot: again */
	boot("22222222-bbbb\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_started(out, "root");
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	assert_int_equal(count(log, "\nhello from startcmd\n"), 2);
	free(log);
	out = slurp("var/lib/neoc/startcmd.boot");
	state_pids(&sup, &pgid);
	want = nc_asprintf("%ld %ld\necho hello from startcmd\n", sup, pgid);
	assert_int_equal(strncmp(out, "22222222-bbbb\nexited 0 ", 23), 0);
	assert_has(out, want);
	free(want);
	free(out);

	/* the same boot, a changed command: it runs */
	tree_put("nodes/h1/startcmd", "echo changed\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_started(out, "root");
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	assert_int_equal(count(log, "\nchanged\n"), 1);
	free(log);
}

/* A failing command does not fail the step: its status is recorded. */
static void
test_startcmd_exit_code(void **state)
{
	char *out, *log, *line, *want;

	(void)state;
	tree_put("nodes/h1/startcmd", "echo to stderr >&2; exit 3\n");
	boot("33333333\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(g_p.why, "");
	free(out);
	line = wait_state("exited");
	assert_int_equal(strncmp(line, "exited 3 ", 9), 0);
	log = slurp("var/log/neoc/startcmd.log");
	assert_has(log, "to stderr\n--- exit 3\n");
	free(log);

	/* not run again this boot, not failed either; the tree has its end */
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out, "");
	free(out);
	want = nc_asprintf("%s\n", line);
	assert_string_equal(tree_get("nodes/h1/startstatus"), want);
	free(want);
	free(line);
	log = slurp("var/log/neoc/startcmd.log");
	assert_int_equal(count(log, "to stderr\n"), 1);
	free(log);

	/* death by a signal: killed SIG; a missing program: exited 127 */
	tree_put("nodes/h1/startcmd", "kill -TERM $$\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	line = wait_state("killed");
	assert_int_equal(strncmp(line, "killed 15 ", 10), 0);
	free(line);
	tree_put("nodes/h1/startcmd", "/nonexistent/magi_bootstrap.py\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	line = wait_state("exited");
	assert_int_equal(strncmp(line, "exited 127 ", 11), 0);
	free(line);
}

/* The step returns while the command runs; a changed command kills the
 * old one's process group first. */
static void
test_startcmd_background(void **state)
{
	char *out, *line;
	long sup, pgid, sup2, pgid2;
	int64_t t0;
	int i;

	(void)state;
	tree_put("nodes/h1/startcmd", "sleep 30 & sleep 30; exit 4\n");
	boot("55\n");
	t0 = ms_now();
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_true(ms_now() - t0 < 5000);
	assert_started(out, "root");
	free(out);
	line = wait_state("running");
	free(line);
	state_pids(&sup, &pgid);
	assert_true(group_alive(pgid));
	assert_int_equal(kill((pid_t)sup, 0), 0);

	/* the same command again: left running */
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out, "");
	free(out);
	assert_true(group_alive(pgid));

	/* changed: the old group (both sleeps) and supervisor go */
	tree_put("nodes/h1/startcmd", "exit 0\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_has(out, "startcmd: killed the old command's process group");
	assert_has(out, "startcmd: started as root (pid ");
	free(out);
	for (i = 0; i < 500 && group_alive(pgid); i++)
		usleep(10000);
	assert_false(group_alive(pgid));
	line = wait_state("exited");
	assert_int_equal(strncmp(line, "exited 0 ", 9), 0);
	free(line);
	state_pids(&sup2, &pgid2);
	assert_true(pgid2 != pgid);

	/* emptied while running: killed, and the tree says so */
	tree_put("nodes/h1/startcmd", "sleep 30\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("running"));
	state_pids(&sup, &pgid);
	tree_put("nodes/h1/startcmd", "\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	for (i = 0; i < 500 && group_alive(pgid); i++)
		usleep(10000);
	assert_false(group_alive(pgid));
	assert_int_equal(strncmp(tree_get("nodes/h1/startstatus"),
	    "killed 9 ", 9), 0);
}

/* With --tree, the supervisor writes the end into the tree itself. */
static void
test_startcmd_tree(void **state)
{
	char *out, *path, *got = NULL;
	int i;

	(void)state;
	put("tree/nodes/h1/startstatus", "");
	path = nc_asprintf("%s/tree", g_root);
	g_p.tree = path;
	tree_put("nodes/h1/startcmd", "exit 6\n");
	boot("66\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("exited"));
	for (i = 0; i < 500; i++) {
		free(got);
		got = slurp("tree/nodes/h1/startstatus");
		if (got != NULL && strncmp(got, "exited", 6) == 0)
			break;
		usleep(10000);
	}
	assert_non_null(got);
	assert_int_equal(strncmp(got, "exited 6 ", 9), 0);
	assert_int_equal(got[strlen(got) - 1], '\n');
	free(got);
	g_p.tree = NULL;
	free(path);
}

static void
test_startcmd_env(void **state)
{
	char *out, *log, *want;

	(void)state;
	tree_put("nodes/h1/startcmd",
	    "echo \"H=$HOME U=$USER L=$LOGNAME S=$SHELL\"; pwd; "
	    "echo \"P=$PATH\"; cat; echo end\n");
	boot("44\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	/* root has no passwd line here: /root, which does not exist */
	want = nc_asprintf("H=%s/root U=root L=root S=/bin/sh\n%s\n", g_root,
	    g_root);
	assert_has(log, want);
	assert_has(log, "P=/usr/local/sbin:/usr/local/bin:/usr/sbin:");
	assert_has(log, "\nend\n");	/* stdin was /dev/null */
	free(want);
	free(log);
	assert_int_equal(exists("var/log/neoc/startcmd.log"), 1);
	{
		struct stat st;
		char *p = nc_asprintf("%s/var/log/neoc/startcmd.log", g_root);

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
		free(p);
	}
}

/* The uid, groups and cwd startcmd ran with, for each choice of user. */
static void
test_startcmd_user(void **state)
{
	char *out, *log, *want, *home;

	(void)state;
	if (geteuid() != 0)
		skip();
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "alice:x:20001:6001:A:/users/alice:/bin/bash\n"
	    "bob:x:20003:6001:B:/users/bob:/bin/sh\n");
	put("etc/group", "root:x:0:\nsec-proj:x:6001:\n"
	    "sec-lab:x:6002:alice,carol\nother:x:6003:bob\n");
	home = nc_asprintf("%s/users/alice", g_root);
	put("users/alice/.keep", "");
	assert_int_equal(chown(home, 20001, 6001), 0);
	tree_put("nodes/h1/passwd",
	    "alice:x:20001:6001:A:/users/alice:/bin/bash\n"
	    "bob:x:20003:6001:B:/users/bob:/bin/sh\n");
	tree_put("nodes/h1/startcmd", "echo \"$(id -u) $(id -G) $(pwd)\"\n");

	/* the first user of passwd */
	boot("a\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_started(out, "alice");
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	want = nc_asprintf("\n20001 6001 6002 %s\n", home);
	assert_has(log, want);
	free(want);
	free(log);

	/* the attribute startcmd_user; bob has no home: cwd is the root */
	tree_put("nodes/h1/attributes/startcmd_user", "bob\n");
	boot("b\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	want = nc_asprintf("\n20003 6001 6003 %s\n", g_root);
	assert_has(log, want);
	assert_has(log, "startcmd as bob:");
	free(want);
	free(log);

	/* no attribute, no users: root */
	tree_clear();
	tree_put("nodes/h1/startcmd", "echo \"$(id -u) $(id -G) $(pwd)\"\n");
	boot("c\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("exited"));
	log = slurp("var/log/neoc/startcmd.log");
	assert_has(log, "startcmd as root:");
	assert_has(log, "\n0 0 ");
	free(log);

	/* a user the root does not know: run without switching */
	tree_put("nodes/h1/attributes/startcmd_user", "nobody-here\n");
	boot("d\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	free(out);
	free(wait_state("exited"));
	/* a bad name */
	tree_put("nodes/h1/attributes/startcmd_user", "-rf\n");
	boot("e\n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), -1);
	assert_has(g_p.why, "is not a user name");
	free(out);
	free(home);
}

static void
test_startcmd_dry_run(void **state)
{
	char *out;

	(void)state;
	tree_put("nodes/h1/passwd",
	    "carol:x:20002:6001::/users/carol:/bin/sh\n");
	tree_put("nodes/h1/startcmd", "touch /tmp/never\n");
	boot("f\n");
	g_p.dry_run = 1;
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out,
	    "startcmd: would run startcmd as carol: touch /tmp/never\n");
	assert_int_equal(g_p.changes, 1);
	assert_false(exists("var"));
	assert_null(tree_get("nodes/h1/startstatus"));
	free(out);
}

static void
test_startcmd_empty(void **state)
{
	char *out;

	(void)state;
	tree_put("nodes/h1/startcmd", "  \n");
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out, "");
	assert_false(exists("var"));
	free(out);
	tree_clear();
	tree_put("nodes/h1/role", "container\n");	/* no startcmd file */
	assert_int_equal(run_step(ncp_step_startcmd, &out), 0);
	assert_string_equal(out, "");
	free(out);
}

/* ---- the runner ---- */

static int64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_run_basics(void **state)
{
	struct nc_buf b = { 0 };

	(void)state;
	/* capture of stdout and stderr, exit status */
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "echo out; echo err >&2; exit 7", NULL },
	    .out_fd = -1, .capture = &b }), 7);
	assert_string_equal(nc_buf_str(&b), "out\nerr\n");
	/* death by a signal */
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "kill -9 $$", NULL }, .out_fd = -1 }), 128 + 9);
	/* a missing program, a missing directory */
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/nonexistent/prog", NULL }, .out_fd = -1 }), -ENOENT);
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/true", NULL }, .cwd = "/nonexistent", .out_fd = -1 }),
	    -ENOENT);
	/* the environment given, and nothing else */
	nc_buf_reset(&b);
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "echo \"$A|$HOME\"", NULL },
	    .envp = (char *[]){ "A=1", NULL }, .cwd = "/",
	    .out_fd = -1, .capture = &b }), 0);
	assert_string_equal(nc_buf_str(&b), "1|\n");
	nc_buf_free(&b);
}

static void
test_run_timeout(void **state)
{
	struct nc_buf b = { 0 };
	int64_t t0 = ms();

	(void)state;
	/* the whole group dies: the child's child holds the pipe too */
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "sleep 30 & sleep 30; echo never", NULL },
	    .out_fd = -1, .capture = &b, .timeout_ms = 200 }), -ETIMEDOUT);
	assert_true(ms() - t0 < 5000);
	assert_string_equal(nc_buf_str(&b), "");
	nc_buf_free(&b);
}

/* A program that leaves a daemon holding its output: ncp_run returns
 * when the program exits, not when the pipe closes. */
static void
test_run_daemon_keeps_pipe(void **state)
{
	struct nc_buf b = { 0 };
	int64_t t0 = ms();

	(void)state;
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "echo started; (setsid sleep 3 &)", NULL },
	    .out_fd = -1, .capture = &b, .timeout_ms = 10000 }), 0);
	assert_true(ms() - t0 < 2500);
	assert_string_equal(nc_buf_str(&b), "started\n");
	nc_buf_free(&b);
}

static void
test_run_setid(void **state)
{
	struct nc_buf b = { 0 };
	gid_t groups[] = { 6001, 6002, 6005 };

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "echo $(id -u) $(id -g) $(id -G)", NULL },
	    .setid = 1, .uid = 20001, .gid = 6001, .groups = groups,
	    .ngroups = 3, .out_fd = -1, .capture = &b }), 0);
	assert_string_equal(nc_buf_str(&b), "20001 6001 6001 6002 6005\n");
	nc_buf_free(&b);
}

static void
test_run_out_fd(void **state)
{
	char *log;
	int fd;

	(void)state;
	put("log", "first\n");
	log = nc_asprintf("%s/log", g_root);
	fd = open(log, O_WRONLY | O_APPEND);
	free(log);
	assert_int_equal(ncp_run(&(struct ncp_cmd){ .argv = (char *[]){
	    "/bin/sh", "-c", "echo a; echo b >&2", NULL }, .out_fd = fd }),
	    0);
	close(fd);
	log = slurp("log");
	assert_string_equal(log, "first\na\nb\n");
	free(log);
}

static void
test_which_and_argv_str(void **state)
{
	char *s;

	(void)state;
	s = ncp_which("sh");
	assert_non_null(s);
	assert_true(s[0] == '/');
	free(s);
	assert_null(ncp_which("no-such-program-here"));
	s = ncp_which("/bin/sh");
	assert_string_equal(s, "/bin/sh");
	free(s);
	s = ncp_argv_str((char *[]){ "/usr/sbin/ip", "link", "set", "dev",
	    "eth1", "up", NULL });
	assert_string_equal(s, "ip link set dev eth1 up");
	free(s);
}

int
main(void)
{
	/* the start commands' supervisors are orphaned to us: reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ifaces_by_mac),
		T(test_ifaces_idempotent),
		T(test_ifaces_missing_mac),
		T(test_ifaces_bad_values),
		T(test_ifaces_none),
		T(test_ifaces_no_address),
		T(test_mounts_nc9pfs),
		T(test_mounts_kernel_9p),
		T(test_mounts_mounted_left_alone),
		T(test_mounts_removed),
		T(test_mounts_bad_lines),
		T(test_mounts_dry_run),
		T(test_mounts_none),
		T(test_startcmd_once_per_boot),
		T(test_startcmd_exit_code),
		T(test_startcmd_background),
		T(test_startcmd_tree),
		T(test_startcmd_env),
		T(test_startcmd_user),
		T(test_startcmd_dry_run),
		T(test_startcmd_empty),
		T(test_run_basics),
		T(test_run_timeout),
		T(test_run_daemon_keeps_pipe),
		T(test_run_setid),
		T(test_run_out_fd),
		T(test_which_and_argv_str),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
