/*
 * test_pnode_down.c: ncprov down (provision/pnode/pnode.c) under a temporary
 * --root with --no-start, where no command runs and the state files stand
 * for the system.  A pnode is provisioned by its steps (network, lxc,
 * vagrant, shaping of NICs whose host side exists) with two lxc guests
 * and a vagrant machine on two LANs, its 9P server outside the control
 * network (so nat and forwarding too), an /etc/hosts block and the boot
 * file; then `ncprov down`: first --dry-run (said, nothing changed), then
 * for real: every tc qdisc, vagrant destroy and the files of the vagrant
 * backend, every lxc-destroy, the control bridge, the nft table and
 * forwarding, every switch, its conf file and bridge, the hosts block
 * (the lines around it kept), the boot file; the state files empty; the
 * tree never touched; a second down says "no changes".  --keep-boot (the
 * boot unit's stop) keeps the boot file, and only it; nothing there:
 * nothing made; a run cut short: exactly what its state files say.
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
#include "ncprov.h"
#include "pnode.h"
#include "pnode_net.h"
#include "util.h"
#include "scratch_dir.h"

/* ---- a tree that must not be used ---- */

static int
no_read(void *impl, const char *path, struct nc_buf *out)
{
	(void)impl;
	(void)out;
	fail_msg("the tree was read: %s", path);
	return -EIO;
}

static int
no_list(void *impl, const char *path, char ***names, size_t *n)
{
	(void)impl;
	(void)names;
	(void)n;
	fail_msg("the tree was listed: %s", path);
	return -EIO;
}

static int
no_is_dir(void *impl, const char *path)
{
	(void)impl;
	fail_msg("the tree was looked at: %s", path);
	return -EIO;
}

static int
no_write(void *impl, const char *path, const char *data, size_t len)
{
	(void)impl;
	(void)data;
	(void)len;
	fail_msg("the tree was written: %s", path);
	return -EIO;
}

static unsigned long long
no_requests(void *impl)
{
	(void)impl;
	return 0;
}

static void
no_close(void *impl)
{
	(void)impl;
}

static const struct ncp_source_ops no_ops = {
	.read = no_read, .list = no_list, .is_dir = no_is_dir,
	.write = no_write, .requests = no_requests,
	.close = no_close,
};

/* ---- the world ---- */

/* One case's pnode under a temporary root. */
struct world {
	char root[64];			/* the --root */
	struct ncprov p;		/* the run's options */
	struct ncp_nic n1[1];		/* h1: eth1 on lan0 */
	struct ncp_nic n2[2];		/* h2: eth1 on lan0, eth2 on link1 */
	struct ncp_nic nv[1];		/* v1: eth1 on link1 */
	struct ncp_guest g[3];		/* h1, h2 (lxc), v1 (vagrant) */
	struct ncp_lan lans[2];		/* lan0 (with eth9), link1 */
	struct ncp_pnode pn;		/* all of it */
};

#define HOSTS_BEFORE "127.0.0.1\tlocalhost\n"
#define HOSTS_AFTER "::1\tip6-localhost\n"
#define HOSTS HOSTS_BEFORE \
	"# BEGIN neo-containers (written by ncprov; do not edit)\n" \
	"10.1.1.2\th1\n10.1.1.3\th2\n# END neo-containers\n" HOSTS_AFTER

static struct ncp_guest
guest(const char *name, const char *image, const char *provider,
    struct ncp_nic *nics, size_t n)
{
	return (struct ncp_guest){ .name = (char *)name,
	    .image = (char *)image, .image_os = "", .image_type = "",
	    .packages = "", .image_url = "",
	    .image_version = "", .image_provider = (char *)provider,
	    .memory = "", .cpus = "", .nics = nics, .nnics = n };
}

static int
setup(void **state)
{
	struct world *w = nc_calloc(1, sizeof(*w));

	snprintf(w->root, sizeof(w->root), "/tmp/nc-down.XXXXXX");
	assert_non_null(mkdtemp(w->root));
	w->p.root = w->root;
	w->p.node = "pnode-0";
	w->p.no_start = 1;
	w->p.src.ops = &no_ops;
	w->lans[0] = (struct ncp_lan){ .name = "lan0", .phys = "eth9" };
	w->lans[1] = (struct ncp_lan){ .name = "link1", .delay_ms = 5 };
	w->n1[0] = (struct ncp_nic){ .name = "eth1", .lan = "lan0",
	    .mac = "02:00:00:00:01:01", .ip = "10.1.1.2",
	    .netmask = "255.255.255.0", .delay_ms = 10 };
	w->n2[0] = (struct ncp_nic){ .name = "eth1", .lan = "lan0",
	    .mac = "02:00:00:00:02:01", .ip = "10.1.1.3",
	    .netmask = "255.255.255.0" };
	w->n2[1] = (struct ncp_nic){ .name = "eth2", .lan = "link1",
	    .mac = "02:00:00:00:02:02", .ip = "10.1.2.3",
	    .netmask = "255.255.255.0", .delay_ms = 5 };
	w->nv[0] = (struct ncp_nic){ .name = "eth1", .lan = "link1",
	    .mac = "02:00:00:00:03:01", .ip = "10.1.2.4",
	    .netmask = "255.255.255.0" };
	w->g[0] = guest("h1", "", "", w->n1, 1);
	w->g[1] = guest("h2", "", "lxc", w->n2, 2);
	w->g[2] = guest("v1", "ubuntu/trusty64", "virtualbox", w->nv, 1);
	w->pn = (struct ncp_pnode){ .guests = w->g, .nguests = 3,
	    .lans = w->lans, .nlans = 2, .ninep = "10.231.0.1:5640",
	    .aname = "/nc" };
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	scratch_rm(w->root);
	free(w);
	return 0;
}

/* Run down with its stdout in *out (malloc'd); its exit status. */
static int
down(struct world *w, char **out)
{
	char path[] = "/tmp/nc-down-out.XXXXXX", *argv[] = { "down", NULL };
	struct nc_buf b = { 0 };
	int fd = mkstemp(path), saved, rc, exists;
	struct ncprov q = { .root = "" };

	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	w->p.changes = 0;
	rc = ncprov_down(&w->p, 1, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	assert_int_equal(ncp_read_local(&q, path, &b, &exists), 0);
	unlink(path);
	*out = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return rc;
}

/* Run one step with its stdout thrown away; its return value. */
static int
quiet(int (*f)(struct ncprov *, struct ncp_pnode *), struct world *w)
{
	int saved, null = open("/dev/null", O_WRONLY), rc;

	fflush(stdout);
	saved = dup(1);
	dup2(null, 1);
	rc = f(&w->p, &w->pn);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(null);
	return rc;
}

/* ROOT<abs>, or NULL when missing (malloc'd). */
static char *
slurp(struct world *w, const char *abs)
{
	struct nc_buf b = { 0 };
	char *s = NULL;
	int exists;

	if (ncp_read_local(&w->p, abs, &b, &exists) == 0 && exists)
		s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

static void
put(struct world *w, const char *abs, const char *text)
{
	char *dir = nc_strdup(abs);

	*strrchr(dir, '/') = '\0';
	assert_true(ncp_mkdirs(&w->p, dir, 0755) >= 0);
	assert_true(ncp_replace(&w->p, abs, text, strlen(text), 0644, 0,
	    0) >= 0);
	free(dir);
}

/* A host side of a NIC "exists" (ROOT/sys/class/net/<dev>/ifindex). */
static void
fake_dev(struct world *w, const char *dev, int idx)
{
	char *abs = nc_asprintf("/sys/class/net/%s/ifindex", dev);
	char *num = nc_asprintf("%d\n", idx);

	put(w, abs, num);
	free(num);
	free(abs);
}

static void
expect_line(const char *out, const char *fmt, ...)
{
	char line[512];
	size_t n;
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (s = out; (s = strstr(s, line)) != NULL; s += n)
		if ((s == out || s[-1] == '\n') && s[n] == '\n')
			return;
	fail_msg("missing line \"%s\" in:\n%s", line, out);
}

static void
expect_file(struct world *w, const char *abs, const char *want)
{
	char *got = slurp(w, abs);

	if (want == NULL && got != NULL)
		fail_msg("%s is still there:\n%s", abs, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s:\nwant: %s\ngot:  %s", abs, want,
		    got ? got : "(missing)");
	free(got);
}

/* The pnode as `ncprov pnode` leaves it (under --root --no-start). */
static void
provision(struct world *w)
{
	struct ncp_boot b = { .node = "pnode-0", .ninep = "10.231.0.1:5640",
	    .aname = "/nc", .guest_ninep = "10.231.0.1:5640",
	    .guest_aname = "/nc" };
	char *s;

	assert_int_equal(quiet(ncp_pnode_network, w), 0);
	assert_int_equal(quiet(ncp_pnode_lxc, w), 0);
	assert_int_equal(quiet(ncp_pnode_vagrant, w), 0);
	fake_dev(w, w->n1[0].host_if, 21);
	fake_dev(w, w->n2[1].host_if, 22);
	assert_int_equal(quiet(ncp_pnode_shape, w), 0);
	put(w, "/etc/hosts", HOSTS);
	w->p.changes = 0;
	fflush(stdout);
	{
		int saved = dup(1), null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		assert_int_equal(ncp_boot_write(&w->p, NCP_PNODE_BOOTFILE,
		    &b), 1);
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		close(null);
	}
	/* what there is to take down */
	s = slurp(w, "/var/lib/neoc/containers");
	assert_string_equal(s, "lxc h1\nlxc h2\nvagrant v1\n");
	free(s);
	s = slurp(w, "/var/lib/neoc/control");
	assert_string_equal(s, "bridge ncctl0 172.30.0.1/16\n"
	    "nat 172.30.0.0/16\nforward\n");
	free(s);
	s = slurp(w, "/var/lib/neoc/shaping");
	assert_non_null(strstr(s, w->n1[0].host_if));
	assert_non_null(strstr(s, w->n2[1].host_if));
	free(s);
	s = slurp(w, "/space/vagrant/Vagrantfile");
	assert_non_null(s);
	free(s);
}

static void
everything_goes(void **state)
{
	struct world *w = *state;
	char *out, *conf0, *conf1, *lxcp;
	size_t i;

	provision(w);
	conf0 = nc_asprintf("/etc/vde2/conf.d/%s.conf", w->lans[0].vde);
	conf1 = nc_asprintf("/etc/vde2/conf.d/%s.conf", w->lans[1].vde);
	lxcp = nc_asprintf("%s/var/lib/neoc/lxc", w->root);

	/* --dry-run: said, nothing changed */
	w->p.dry_run = 1;
	assert_int_equal(down(w, &out), 0);
	expect_line(out, "boot: would remove " NCP_PNODE_BOOTFILE);
	expect_line(out, "containers: would run: vagrant destroy -f v1");
	expect_line(out, "containers: would run: lxc-destroy -P %s -n nc-h1 "
	    "-f", lxcp);
	expect_line(out, "network: would stop: vde_switch %s",
	    w->lans[0].vde);
	free(out);
	w->p.dry_run = 0;
	out = ncp_path(&w->p, NCP_PNODE_BOOTFILE);
	assert_int_equal(access(out, F_OK), 0);
	free(out);
	expect_file(w, "/etc/hosts", HOSTS);
	expect_file(w, "/var/lib/neoc/containers",
	    "lxc h1\nlxc h2\nvagrant v1\n");

	assert_int_equal(down(w, &out), 0);
	if (getenv("NC_TEST_SHOW") != NULL)
		fputs(out, stderr);
	/* shaping */
	expect_line(out, "network: would run: tc qdisc del dev %s root",
	    w->n1[0].host_if);
	expect_line(out, "network: would run: tc qdisc del dev %s root",
	    w->n2[1].host_if);
	/* vagrant */
	expect_line(out, "containers: would run: vagrant destroy -f v1");
	expect_line(out, "containers: removed /space/vagrant/Vagrantfile");
	expect_line(out, "containers: removed /space/vagrant/ncprov");
	expect_line(out, "containers: removed /etc/profile.d/vagrant.sh");
	expect_line(out, "containers: /var/lib/neoc/containers: vagrant: 0 "
	    "containers");
	/* lxc and the control network */
	expect_line(out, "containers: would run: lxc-destroy -P %s -n nc-h1 "
	    "-f", lxcp);
	expect_line(out, "containers: would run: lxc-destroy -P %s -n nc-h2 "
	    "-f", lxcp);
	expect_line(out, "containers: /var/lib/neoc/containers: lxc: 0 "
	    "containers");
	expect_line(out, "containers: would run: ip link del ncctl0");
	expect_line(out, "containers: would run: nft delete table ip neoc");
	expect_line(out, "containers: would set net.ipv4.ip_forward = 0");
	/* the network */
	for (i = 0; i < 2; i++) {
		expect_line(out, "network: would stop: vde_switch %s",
		    w->lans[i].vde);
		expect_line(out, "network: would run: ip link del %s",
		    w->lans[i].bridge);
	}
	expect_line(out, "network: removed %s", conf0);
	expect_line(out, "network: removed %s", conf1);
	/* hosts, boot file */
	expect_line(out, "hosts: /etc/hosts: the experiment's block removed");
	expect_line(out, "boot: removed " NCP_PNODE_BOOTFILE);
	free(out);

	expect_file(w, "/etc/hosts", HOSTS_BEFORE HOSTS_AFTER);
	expect_file(w, NCP_PNODE_BOOTFILE, NULL);
	expect_file(w, conf0, NULL);
	expect_file(w, conf1, NULL);
	expect_file(w, "/space/vagrant/Vagrantfile", NULL);
	expect_file(w, "/etc/profile.d/vagrant.sh", NULL);
	expect_file(w, "/var/lib/neoc/containers", "");
	expect_file(w, "/var/lib/neoc/control", "");
	expect_file(w, "/var/lib/neoc/network", "");
	expect_file(w, "/var/lib/neoc/shaping", "");

	/* again: nothing */
	assert_int_equal(down(w, &out), 0);
	assert_string_equal(out, "no changes\n");
	assert_int_equal(w->p.changes, 0);
	free(out);
	free(conf0);
	free(conf1);
	free(lxcp);
}

/* --keep-boot (the boot unit's stop): all but the boot file. */
static void
keep_boot(void **state)
{
	struct world *w = *state;
	char *out, *path;

	provision(w);
	w->p.keep_boot = 1;
	assert_int_equal(down(w, &out), 0);
	expect_line(out, "hosts: /etc/hosts: the experiment's block removed");
	assert_null(strstr(out, "boot:"));
	free(out);
	path = ncp_path(&w->p, NCP_PNODE_BOOTFILE);
	assert_int_equal(access(path, F_OK), 0);
	expect_file(w, "/var/lib/neoc/containers", "");
	expect_file(w, "/var/lib/neoc/network", "");
	assert_int_equal(down(w, &out), 0);
	assert_string_equal(out, "no changes\n");
	free(out);
	/* plain down: the boot file goes, and only it */
	w->p.keep_boot = 0;
	assert_int_equal(down(w, &out), 0);
	assert_string_equal(out, "boot: removed " NCP_PNODE_BOOTFILE "\n");
	free(out);
	assert_int_not_equal(access(path, F_OK), 0);
	free(path);
}

/* Nothing was ever there: nothing made (no state file, no directory). */
static void
nothing_there(void **state)
{
	struct world *w = *state;
	char *out, *path;

	assert_int_equal(down(w, &out), 0);
	assert_string_equal(out, "no changes\n");
	free(out);
	path = ncp_path(&w->p, "/var/lib/neoc");
	assert_int_not_equal(access(path, F_OK), 0);
	free(path);
}

/*
 * A run cut short: the state files say what was begun (the control
 * bridge only, a switch with no conf file, a container never created);
 * down takes exactly that, and the lines of /etc/hosts of a block cut
 * short by hand are kept before it.
 */
static void
after_a_failure(void **state)
{
	struct world *w = *state;
	char *out, *lxcp = nc_asprintf("%s/var/lib/neoc/lxc", w->root);

	put(w, "/var/lib/neoc/control", "bridge ncctl0 172.30.0.1/16\n");
	put(w, "/var/lib/neoc/network", "vde nv00000001\ntap nt00000001\n"
	    "bridge nb00000001\n");
	put(w, "/var/lib/neoc/containers", "lxc h9\n");
	put(w, "/etc/hosts", HOSTS_BEFORE
	    "# BEGIN neo-containers (written by ncprov; do not edit)\n"
	    "10.1.1.2\th1\n");
	assert_int_equal(down(w, &out), 0);
	expect_line(out, "containers: would run: lxc-destroy -P %s -n nc-h9 "
	    "-f", lxcp);
	expect_line(out, "containers: would run: ip link del ncctl0");
	expect_line(out, "network: would stop: vde_switch nv00000001");
	expect_line(out, "network: would run: ip link del nb00000001");
	expect_line(out, "hosts: /etc/hosts: the experiment's block removed");
	if (strstr(out, "nft") != NULL || strstr(out, "ip_forward") != NULL ||
	    strstr(out, "boot:") != NULL || strstr(out, "vagrant") != NULL)
		fail_msg("more than was made:\n%s", out);
	free(out);
	expect_file(w, "/etc/hosts", HOSTS_BEFORE);
	expect_file(w, "/var/lib/neoc/containers", "");
	expect_file(w, "/var/lib/neoc/control", "");
	expect_file(w, "/var/lib/neoc/network", "");
	assert_int_equal(down(w, &out), 0);
	assert_string_equal(out, "no changes\n");
	free(out);
	free(lxcp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(everything_goes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(keep_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_there, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(after_a_failure, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
