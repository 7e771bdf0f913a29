/*
 * test_pnode_backends.c: the containers step of the pnode provisioner,
 * its lxc and vagrant backends (provision/pnode/pnode_lxc.c, pnode_vagrant.c),
 * and the parallel runner under both.
 *
 * Each test builds a struct ncp_pnode by hand (as ncp_pnode_load would
 * from the tree), runs a backend under a temporary --root with
 * --no-start, and reads back what it wrote: the LXC config, boot file and
 * rcS of each container, exactly; the Vagrantfile's lines for sample
 * experiments (Ubuntu virtualbox guests with two NICs, an lxc-provider
 * guest, a libvirt guest, a Windows guest with an image URL).  A second
 * run must change nothing; a guest removed from the tree is removed (here:
 * "would run" and the state file).  When NC_VAGRANT_OUT names a
 * directory, every sample Vagrantfile is also copied to
 * NC_VAGRANT_OUT/<sample>/Vagrantfile, where
 * tests/integration/pnode_vagrant.sh runs `vagrant validate` on it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "ncprov.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "pnode_rootfs.h"
#include "run.h"
#include "util.h"
#include "scratch_dir.h"

/* ---- a fake tree: only status writes land here ---- */

#define MAXW 32

static char *g_wpath[MAXW];	/* paths written */
static char *g_wdata[MAXW];	/* what */
static size_t g_nw;		/* how many */

static const char *const *g_tree;	/* path, value, ...: what reads find */

static int
fake_read(void *impl, const char *path, struct nc_buf *out)
{
	size_t i;

	(void)impl;
	for (i = 0; g_tree != NULL && g_tree[i] != NULL; i += 2)
		if (strcmp(g_tree[i], path) == 0) {
			nc_buf_puts(out, g_tree[i + 1]);
			return 0;
		}
	return -ENOENT;
}

static int
fake_list(void *impl, const char *path, char ***names, size_t *n)
{
	(void)impl;
	(void)path;
	*names = NULL;
	*n = 0;
	return -ENOENT;
}

static int
fake_is_dir(void *impl, const char *path)
{
	(void)impl;
	(void)path;
	return -ENOENT;
}

static int
fake_write(void *impl, const char *path, const char *data, size_t len)
{
	(void)impl;
	assert_true(g_nw < MAXW);
	g_wpath[g_nw] = nc_strdup(path);
	g_wdata[g_nw] = nc_malloc(len + 1);
	memcpy(g_wdata[g_nw], data, len);
	g_wdata[g_nw++][len] = '\0';
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
static char g_rc[64];		/* NCPROV_RC_DIR: a test hook */
static struct ncprov g_p;	/* the run */

#define HOOK "# --- neo-containers: test hook ---\necho hook\n" \
	"# --- end neo-containers ---\n"

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
	if (data == NULL) {	/* a directory */
		mkdir(path, 0755);
		free(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
	free(path);
}

/* The contents of root/rel (malloc'd; NULL when missing). */
static char *
get(const char *rel)
{
	struct nc_buf b = { 0 };
	char *path = nc_asprintf("%s/%s", g_root, rel), chunk[4096], *s;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	free(path);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(&b, chunk, (size_t)n);
	close(fd);
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

static int
setup(void **state)
{
	char *hook;
	int fd;

	(void)state;
	strcpy(g_root, "/tmp/nc-pnode.XXXXXX");
	assert_non_null(mkdtemp(g_root));
	strcpy(g_rc, "/tmp/nc-pnode-rc.XXXXXX");
	assert_non_null(mkdtemp(g_rc));
	hook = nc_asprintf("%s/rcS.hook", g_rc);
	fd = open(hook, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, HOOK, strlen(HOOK)),
	    (ssize_t)strlen(HOOK));
	close(fd);
	free(hook);
	setenv("NCPROV_RC_DIR", g_rc, 1);
	memset(&g_p, 0, sizeof(g_p));
	g_p.src.ops = &fake_ops;
	g_p.node = "pnode-0";
	g_p.root = g_root;
	g_p.no_start = 1;
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	scratch_rm(g_root);
	scratch_rm(g_rc);
	unsetenv("NCPROV_RC_DIR");
	for (i = 0; i < g_nw; i++) {
		free(g_wpath[i]);
		free(g_wdata[i]);
	}
	g_nw = 0;
	return 0;
}

/* ---- sample experiments ---- */

static struct ncp_lan g_lans[2] = {
	{ .name = "lan0", .bridge = "nb-lan0", .tap = "nt-lan0",
	    .vde = "nv-lan0" },
	{ .name = "link1", .bridge = "nb-link1", .tap = "nt-link1",
	    .vde = "nv-link1" },
};

static struct ncp_nic g_nics_a[2] = {
	{ .name = "eth1", .lan = "lan0", .mac = "02:7f:30:24:23:fa",
	    .ip = "10.1.1.2", .netmask = "255.255.255.0" },
	{ .name = "eth2", .lan = "link1", .mac = "02:7f:30:24:23:fb",
	    .ip = "10.1.2.2", .netmask = "255.255.255.0" },
};
static struct ncp_nic g_nics_b[2] = {
	{ .name = "eth1", .lan = "lan0", .mac = "02:7f:30:24:24:fa",
	    .ip = "10.1.1.3", .netmask = "255.255.255.0" },
	{ .name = "eth2", .lan = "link1", .mac = "02:7f:30:24:24:fb",
	    .ip = "10.1.2.3", .netmask = "255.255.255.0" },
};
static struct ncp_nic g_nic_c = {
	.name = "eth1", .lan = "lan0", .mac = "02:7f:30:24:25:fa",
	.ip = "10.1.1.4", .netmask = "255.255.255.0",
};

/* A guest (every string set, as ncp_pnode_load leaves them). */
static struct ncp_guest
guest(const char *name, const char *image, const char *os, const char *url,
    const char *version, const char *provider, struct ncp_nic *nics,
    size_t nnics)
{
	return (struct ncp_guest){ .name = (char *)name,
	    .image = (char *)image, .image_os = (char *)os,
	    .image_type = "", .packages = "", .image_url = (char *)url, .image_version = (char *)version,
	    .image_provider = (char *)provider, .memory = "",
	    .cpus = "", .nics = nics, .nnics = nnics };
}

static void
reset_nics(void)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		g_nics_a[i].host_if[0] = '\0';
		g_nics_b[i].host_if[0] = '\0';
	}
	g_nic_c.host_if[0] = '\0';
}

/* Copy the run's Vagrantfile to $NC_VAGRANT_OUT/<sample>/Vagrantfile. */
static void
keep_vagrantfile(const char *sample)
{
	const char *out = getenv("NC_VAGRANT_OUT");
	char *vf = get("space/vagrant/Vagrantfile"), *dir, *path;
	FILE *f;

	assert_non_null(vf);
	if (out != NULL && *out != '\0') {
		dir = nc_asprintf("%s/%s", out, sample);
		mkdir(out, 0755);
		mkdir(dir, 0755);
		path = nc_asprintf("%s/Vagrantfile", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(vf, f);
		fclose(f);
		free(path);
		free(dir);
	}
	free(vf);
}

static void
expect_in(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("missing:\n%s\nin:\n%s", want, text);
}

static void
expect_not_in(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		fail_msg("unexpected:\n%s\nin:\n%s", want, text);
}

/* ---- vagrant ---- */

static void
test_vagrant_ubuntu(void **state)
{
	struct ncp_guest g[3];
	struct ncp_pnode pn = { .guests = g, .nguests = 3, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };
	char *vf, *prof, *st;

	(void)state;
	reset_nics();
	g[0] = guest("h1", "ubuntu/trusty64", "ubuntu", "", "", "virtualbox",
	    g_nics_a, 2);
	g[0].memory = "1024";
	g[0].cpus = "2";
	g[1] = guest("h2", "ubuntu/trusty64", "ubuntu", "", "20190514.0.0",
	    "virtualbox", g_nics_b, 2);
	g[2] = guest("bb", "", "", "", "", "", &g_nic_c, 1);  /* lxc's */
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	assert_true(g_p.changes > 0);
	vf = get("space/vagrant/Vagrantfile");
	assert_non_null(vf);
	expect_in(vf, "Vagrant.configure(\"2\") do |config|\n");
	expect_in(vf, "  config.vm.define \"h1\" do |m|\n"
	    "    m.vm.box = \"ubuntu/trusty64\"\n"
	    "    m.vm.hostname = \"h1\"\n"
	    "    m.vm.network \"private_network\", ip: \"10.1.1.2\", "
	    "netmask: \"255.255.255.0\", auto_config: false, "
	    "mac: \"027f302423fa\"\n"
	    "    m.vm.network \"private_network\", ip: \"10.1.2.2\", "
	    "netmask: \"255.255.255.0\", auto_config: false, "
	    "mac: \"027f302423fb\"\n"
	    "    m.vm.provider \"virtualbox\" do |v|\n"
	    "      v.customize [\"modifyvm\", :id, \"--nic2\", \"generic\", "
	    "\"--nicgenericdrv2\", \"VDE\", \"--nicproperty2\", "
	    "\"network=/run/neoc/vde/nv-lan0.ctl\"]\n"
	    "      v.customize [\"modifyvm\", :id, \"--nic3\", \"generic\", "
	    "\"--nicgenericdrv3\", \"VDE\", \"--nicproperty3\", "
	    "\"network=/run/neoc/vde/nv-link1.ctl\"]\n"
	    "      v.memory = 1024\n"
	    "      v.cpus = 2\n"
	    "    end\n"
	    "    m.vm.provision \"shell\", inline: \"set -e\\n"
	    "mkdir -p /etc/neoc\\ncat > /etc/neoc/node <<'NEOC_NODE'\\n"
	    "NODE=h1\\nNINEP=10.0.0.1:564\\nANAME=/nc\\nNEOC_NODE\\n"
	    "if [ -f /vagrant/ncprov ]; then\\n"
	    "  install -m 0755 /vagrant/ncprov /usr/local/bin/ncprov\\n"
	    "fi\\n\"\n"
	    "  end\n");
	expect_in(vf, "    m.vm.box_version = \"20190514.0.0\"\n");
	expect_not_in(vf, "\"bb\"");
	expect_not_in(vf, "winrm");
	prof = get("etc/profile.d/vagrant.sh");
	assert_non_null(prof);
	expect_in(prof, "export VAGRANT_HOME=/space/vagrant/.vagrant.d\n");
	expect_in(prof, "export VAGRANT_DEFAULT_PROVIDER=virtualbox\n");
	expect_in(prof, "VBoxManage setproperty machinefolder "
	    "/space/vagrant/vms");
	st = get("var/lib/neoc/containers");
	assert_non_null(st);
	assert_string_equal(st, "vagrant h1\nvagrant h2\n");
	free(st);
	/* ncprov for the synced folder */
	st = nc_asprintf("%s/space/vagrant/ncprov", g_root);
	assert_int_equal(access(st, X_OK), 0);
	free(st);
	keep_vagrantfile("ubuntu");

	/* a second run changes nothing */
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	assert_int_equal(g_p.changes, 0);
	/* nothing was started: no status written */
	assert_int_equal(g_nw, 0);

	/* h2 leaves the tree: destroyed (would be, under --root) */
	pn.nguests = 1;
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	assert_true(g_p.changes >= 2);	/* destroy, Vagrantfile, state */
	st = get("var/lib/neoc/containers");
	assert_string_equal(st, "vagrant h1\n");
	free(st);
	free(vf);
	vf = get("space/vagrant/Vagrantfile");
	expect_not_in(vf, "\"h2\"");
	free(vf);
	free(prof);
}

static void
test_vagrant_windows(void **state)
{
	struct ncp_guest g[1];
	struct ncp_pnode pn = { .guests = g, .nguests = 1, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };
	char *vf;

	(void)state;
	reset_nics();
	g[0] = guest("win1", "windows/win10", "windows10",
	    "http://10.0.0.1:8000/boxes/win10.box#x", "1.0", "virtualbox",
	    &g_nic_c, 1);
	g[0].memory = "4096";
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	vf = get("space/vagrant/Vagrantfile");
	expect_in(vf, "    m.vm.box = \"windows/win10\"\n"
	    "    m.vm.box_url = \"http://10.0.0.1:8000/boxes/win10.box\\#x\"\n"
	    "    m.vm.box_version = \"1.0\"\n"
	    "    m.vm.hostname = \"win1\"\n"
	    "    m.vm.communicator = \"winrm\"\n"
	    "    m.vm.guest = :windows\n");
	expect_in(vf, "      v.memory = 4096\n");
	expect_in(vf, "    m.vm.provision \"shell\", privileged: true, "
	    "inline: \"New-Item -ItemType Directory -Force -Path 'C:\\\\neoc' "
	    "| Out-Null\\nSet-Content -Path 'C:\\\\neoc\\\\node' -Value "
	    "@('NODE=win1', 'NINEP=10.0.0.1:564', 'ANAME=/nc')\\n\"\n");
	free(vf);
	keep_vagrantfile("windows");
}

static void
test_vagrant_libvirt_lxc(void **state)
{
	struct ncp_guest g[2];
	struct ncp_pnode pn = { .guests = g, .nguests = 1, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };
	char *vf;

	(void)state;
	reset_nics();
	g[0] = guest("lv1", "generic/debian12", "debian", "", "",
	    "libvirt", g_nics_a, 2);
	g[0].memory = "512";
	g[0].cpus = "1";
	g[1] = guest("lx1", "fgrehm/trusty64-lxc", "ubuntu", "", "", "lxc",
	    &g_nic_c, 1);
	g[1].memory = "256";
	g[1].cpus = "2";
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	vf = get("space/vagrant/Vagrantfile");
	expect_in(vf, "    m.vm.network \"public_network\", dev: \"nb-lan0\", "
	    "mode: \"bridge\", type: \"bridge\", mac: \"02:7f:30:24:23:fa\", "
	    "auto_config: false\n"
	    "    m.vm.network \"public_network\", dev: \"nb-link1\", "
	    "mode: \"bridge\", type: \"bridge\", mac: \"02:7f:30:24:23:fb\", "
	    "auto_config: false\n"
	    "    m.vm.provider \"libvirt\" do |v|\n"
	    "      v.memory = 512\n      v.cpus = 1\n    end\n");
	free(vf);
	keep_vagrantfile("libvirt");

	/* the lxc-provider guest is the lxc backend's unless --backend
	 * vagrant says otherwise */
	scratch_rm(g_root);
	mkdir(g_root, 0700);
	pn.guests = &g[1];
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	assert_null(get("space/vagrant/Vagrantfile"));
	g_p.backend = "vagrant";
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	vf = get("space/vagrant/Vagrantfile");
	assert_non_null(vf);
	expect_in(vf, "  config.vm.define \"lx1\" do |m|\n"
	    "    m.vm.box = \"fgrehm/trusty64-lxc\"\n"
	    "    m.vm.hostname = \"lx1\"\n"
	    "    m.vm.network \"private_network\", ip: \"10.1.1.4\", "
	    "netmask: \"255.255.255.0\", mac: \"02:7f:30:24:25:fa\", "
	    "lxc__bridge_name: \"nb-lan0\"\n"
	    "    m.vm.provider \"lxc\" do |v|\n"
	    "      v.customize \"cgroup.memory.limit_in_bytes\", \"256M\"\n"
	    "      v.customize \"cgroup.cpuset.cpus\", \"0-1\"\n"
	    "    end\n");
	free(vf);
	keep_vagrantfile("lxc");

	g_p.backend = NULL;
}

static void
test_vagrant_mixed(void **state)
{
	struct ncp_guest g[5];
	struct ncp_pnode pn = { .guests = g, .nguests = 5, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };
	char *vf;

	(void)state;
	reset_nics();
	g[0] = guest("h1", "ubuntu/trusty64", "ubuntu", "", "", "virtualbox",
	    g_nics_a, 2);
	g[1] = guest("lv1", "generic/debian12", "debian", "", "", "libvirt",
	    g_nics_b, 2);
	g[2] = guest("lx1", "fgrehm/trusty64-lxc", "ubuntu", "", "", "lxc",
	    &g_nic_c, 1);
	g[3] = guest("win1", "windows/win10", "windows10",
	    "http://10.0.0.1:8000/win10.box", "", "virtualbox", &g_nic_c, 1);
	g[4] = guest("bb", "", "", "", "", "", &g_nic_c, 1);
	/* every guest but bb (no image: lxc) and lx1 (lxc provider) */
	assert_int_equal(ncp_pnode_vagrant(&g_p, &pn), 0);
	vf = get("space/vagrant/Vagrantfile");
	expect_in(vf, "config.vm.define \"h1\"");
	expect_in(vf, "config.vm.define \"lv1\"");
	expect_in(vf, "config.vm.define \"win1\"");
	expect_not_in(vf, "\"lx1\"");
	expect_not_in(vf, "\"bb\"");
	free(vf);
	keep_vagrantfile("mixed");
}

/* ---- lxc ---- */

/* The config our block should hold for a guest (after base); ctl is its
 * control address, gw its default gateway (NULL: none). */
static char *
want_config_gw(const char *base, const char *guest, const char *ctl,
    const char *gw, struct ncp_nic *nics, size_t n)
{
	struct nc_buf b = { 0 };
	char self[PATH_MAX], *nc9pfs = ncp_which("nc9pfs"), ifn[16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t i;

	assert_true(len > 0);
	self[len] = '\0';
	nc_buf_printf(&b, "%s# BEGIN neo-containers: written by ncprov pnode,"
	    " rewritten on every run\nlxc.uts.name = %s\n", base, guest);
	/* the control NIC first, then the experiment NICs from 1 */
	ncp_ifname("nk", guest, "ctl0", ifn);
	nc_buf_printf(&b, "lxc.net.0.type = veth\nlxc.net.0.link = ncctl0\n"
	    "lxc.net.0.flags = up\nlxc.net.0.name = ctl0\n"
	    "lxc.net.0.ipv4.address = %s\nlxc.net.0.veth.pair = %s\n", ctl,
	    ifn);
	if (gw != NULL)
		nc_buf_printf(&b, "lxc.net.0.ipv4.gateway = %s\n", gw);
	for (i = 0; i < n; i++) {
		size_t k = i + 1;

		ncp_ifname("nv", guest, nics[i].name, ifn);
		nc_buf_printf(&b, "lxc.net.%zu.type = veth\n"
		    "lxc.net.%zu.link = %s\nlxc.net.%zu.flags = up\n"
		    "lxc.net.%zu.hwaddr = %s\nlxc.net.%zu.name = %s\n"
		    "lxc.net.%zu.veth.pair = %s\n", k, k,
		    strcmp(nics[i].lan, "lan0") == 0 ? "nb-lan0" : "nb-link1",
		    k, k, nics[i].mac, k, nics[i].name, k, ifn);
	}
	nc_buf_printf(&b, "lxc.mount.entry = %s usr/sbin/ncprov none "
	    "bind,ro,create=file 0 0\n", self);
	if (nc9pfs != NULL)
		nc_buf_printf(&b, "lxc.mount.entry = %s usr/sbin/nc9pfs none "
		    "bind,ro,create=file 0 0\n", nc9pfs);
	nc_buf_puts(&b, "lxc.mount.entry = /dev/fuse dev/fuse none "
	    "bind,optional,create=file 0 0\n"
	    "lxc.cgroup.devices.allow = c 10:229 rwm\n"
	    "lxc.cgroup2.devices.allow = c 10:229 rwm\n"
	    "# END neo-containers\n");
	free(nc9pfs);
	return b.p;
}

static char *
want_config(const char *base, const char *guest, const char *ctl,
    struct ncp_nic *nics, size_t n)
{
	return want_config_gw(base, guest, ctl, NULL, nics, n);
}

#define TEMPLATE_HEAD "# Template used to create this container\n" \
	"lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\n" \
	"lxc.net.0.flags = up\nlxc.rootfs.path = dir:/x/rootfs\n" \
	"lxc.uts.name = \"bb\"\nlxc.autodev = 1\n" \
	"lxc.mount.entry = /lib lib none ro,bind 0 0\n"

static void
test_lxc_config(void **state)
{
	struct ncp_guest g[3];
	struct ncp_pnode pn = { .guests = g, .nguests = 3, .lans = g_lans,
	    .nlans = 2, .ninep = "172.30.0.1:564", .aname = "/nc" };
	char *got, *want, *base, *lxc;

	(void)state;
	reset_nics();
	g[0] = guest("h1", "", "", "", "", "", g_nics_a, 2);
	g[1] = guest("h2", "", "", "", "", "lxc", g_nics_b, 2);
	g[2] = guest("v1", "ubuntu/trusty64", "ubuntu", "", "", "virtualbox",
	    &g_nic_c, 1);
	/* h1 was made by lxc-create: its template's config and rcS */
	put("var/lib/neoc/lxc/nc-h1/rootfs/bin", NULL);
	put("var/lib/neoc/lxc/nc-h1/config", TEMPLATE_HEAD);
	put("var/lib/neoc/lxc/nc-h1/rootfs/etc/init.d/rcS",
	    "#!/bin/sh\n/bin/udhcpc\n# --- neo-containers: old ---\nold\n"
	    "# --- end neo-containers ---\n");
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);

	lxc = nc_asprintf("%s/var/lib/neoc/lxc", g_root);
	/* both are clones of the busybox build, h1 made again (it has no
	 * record of a build) */
	struct ncp_build bb;

	ncp_build_of(&g_p, &g[0], &bb);
	assert_string_equal(bb.name, "busybox");
	assert_int_equal(strspn(bb.id, "0123456789abcdef"), 16);
	base = nc_asprintf("%s/var/lib/neoc/images/busybox/%s", g_root,
	    bb.id);
	assert_string_equal(bb.dir, base);
	free(base);
	got = get("var/lib/neoc/lxc/nc-h1/config");
	base = nc_asprintf("# LXC config of nc-h1: a clone of image busybox, "
	    "build %s (written by ncprov pnode)\nlxc.include = %s/config\n"
	    "lxc.rootfs.path = overlay:%s/rootfs:%s/nc-h1/rootfs\n", bb.id,
	    bb.dir, bb.dir, lxc);
	want = want_config(base, "h1", "172.30.0.10/16 172.30.255.255", g_nics_a,
	    2);
	assert_string_equal(got, want);
	assert_true(g_nics_a[0].host_if[0] != '\0');	/* filled in */
	free(got);
	free(want);
	free(base);
	got = get("var/lib/neoc/lxc/nc-h1/neoc-build");
	base = nc_asprintf("busybox %s\n", bb.id);
	assert_string_equal(got, base);
	free(got);
	free(base);
	got = get("var/lib/neoc/lxc/nc-h2/config");
	base = nc_asprintf("# LXC config of nc-h2: a clone of image busybox, "
	    "build %s (written by ncprov pnode)\nlxc.include = %s/config\n"
	    "lxc.rootfs.path = overlay:%s/rootfs:%s/nc-h2/rootfs\n", bb.id,
	    bb.dir, bb.dir, lxc);
	want = want_config(base, "h2", "172.30.0.11/16 172.30.255.255",
	    g_nics_b, 2);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(base);
	ncp_build_free(&bb);
	assert_null(get("var/lib/neoc/lxc/nc-v1/config"));

	got = get("var/lib/neoc/lxc/nc-h1/rootfs/etc/neoc/node");
	assert_string_equal(got, "NODE=h1\nNINEP=172.30.0.1:564\nANAME=/nc\n");
	free(got);
	got = get("var/lib/neoc/lxc/nc-h1/rootfs/etc/init.d/rcS");
	assert_string_equal(got, "#!/bin/sh\n/bin/udhcpc\n" HOOK);
	free(got);
	got = get("var/lib/neoc/lxc/nc-h2/rootfs/etc/init.d/rcS");
	assert_string_equal(got, "#!/bin/sh\n" HOOK);
	free(got);
	got = get("var/lib/neoc/containers");
	assert_string_equal(got, "lxc h1\nlxc h2\n");
	free(got);
	got = get("var/lib/neoc/control");	/* the control bridge */
	assert_string_equal(got, "bridge ncctl0 172.30.0.1/16\n");
	free(got);
	assert_int_equal(g_nw, 0);	/* nothing started */

	/* a second run changes nothing */
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	assert_int_equal(g_p.changes, 0);

	/* h2 leaves: would be destroyed, and is out of the state */
	pn.nguests = 1;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	assert_int_equal(g_p.changes, 2);	/* lxc-destroy, state */
	got = get("var/lib/neoc/containers");
	assert_string_equal(got, "lxc h1\n");
	free(got);

	/* --backend vagrant: none is the lxc backend's (h1 goes) */
	g_p.backend = "vagrant";
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	got = get("var/lib/neoc/containers");
	assert_string_equal(got, "");
	free(got);
	got = get("var/lib/neoc/control");	/* no lxc guest: torn down */
	assert_string_equal(got, "");
	free(got);
	g_p.backend = NULL;
	free(lxc);
}

static void
test_lxc_no_bridge(void **state)
{
	struct ncp_nic nic = { .name = "eth1", .lan = "nowhere",
	    .mac = "02:00:00:00:00:01", .ip = "", .netmask = "" };
	struct ncp_guest g = guest("h9", "", "", "", "", "", &nic, 1);
	struct ncp_pnode pn = { .guests = &g, .nguests = 1, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };

	(void)state;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), -1);
	expect_in(g_p.why, "h9");
	expect_in(g_p.why, "eth1");
}

static void
test_lxc_control_net(void **state)
{
	struct ncp_nic nic = { .name = "eth1", .lan = "lan0",
	    .mac = "02:00:00:00:00:01", .ip = "", .netmask = "" };
	struct ncp_guest g = guest("h8", "", "", "", "", "", &nic, 1);
	struct ncp_pnode pn = { .guests = &g, .nguests = 1, .lans = g_lans,
	    .nlans = 2, .ninep = "10.0.0.1:564", .aname = "/nc" };
	unsigned long a;
	int n;
	char *got;

	(void)state;
	assert_int_equal(ncp_control_parse("10.1.0.1/16", &a, &n), 0);
	assert_int_equal(a, 0x0a010001UL);
	assert_int_equal(n, 16);
	assert_int_equal(ncp_control_parse("10.1.0.0/16", &a, &n), -1);
	assert_int_equal(ncp_control_parse("10.1.0.1", &a, &n), -1);
	assert_int_equal(ncp_control_parse("10.1.0.1/31", &a, &n), -1);
	assert_int_equal(ncp_control_parse("10.1.0.x/24", &a, &n), -1);
	/* another network: the guest is .10 of it */
	g_p.control_net = "10.1.0.1/24";
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	got = get("var/lib/neoc/lxc/nc-h8/config");
	expect_in(got, "lxc.net.0.ipv4.address = 10.1.0.10/24 10.1.0.255\n");
	expect_in(got, "lxc.net.1.name = eth1\n");
	free(got);
	/* a /29 has no .10: the guest does not fit */
	g_p.control_net = "10.1.0.1/29";
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), -1);
	expect_in(g_p.why, "h8");
	expect_in(g_p.why, "control network");
	g_p.control_net = NULL;
}

/* Where the control network's traffic goes: inside, or routed out. */
static void
test_control_routed(void **state)
{
	char *s;

	(void)state;
	assert_int_equal(ncp_control_routed("172.30.0.1/16",
	    "172.30.0.1:564"), 0);
	assert_int_equal(ncp_control_routed("172.30.0.1/16",
	    "172.30.255.9:1"), 0);
	assert_int_equal(ncp_control_routed("172.30.0.1/16",
	    "10.231.0.1:564"), 1);
	assert_int_equal(ncp_control_routed("172.30.0.1/16", "config:564"),
	    1);
	assert_int_equal(ncp_control_routed("172.30.0.1/16", ""), 0);
	assert_int_equal(ncp_control_routed("10.1.0.1/24", "10.1.1.1:564"),
	    1);
	assert_int_equal(ncp_control_routed("10.1.0.1/24", "10.1.0.200:9"),
	    0);
	s = ncp_control_subnet("172.30.0.1/16");
	assert_string_equal(s, "172.30.0.0/16");
	free(s);
	s = ncp_control_subnet("10.1.0.9/29");
	assert_string_equal(s, "10.1.0.8/29");
	free(s);
	assert_null(ncp_control_subnet("10.1.0.9"));
	s = ncp_nat_rule("172.30.0.0/16");
	assert_string_equal(s,
	    "ip saddr 172.30.0.0/16 oifname != \"ncctl0\" masquerade");
	free(s);
	s = ncp_nat_script("10.1.0.8/29");
	assert_string_equal(s, "add table ip neoc; delete table ip neoc; "
	    "add table ip neoc { chain postrouting { type nat hook "
	    "postrouting priority 100; policy accept; ip saddr 10.1.0.8/29 "
	    "oifname != \"ncctl0\" masquerade; }; }");
	free(s);
}

/*
 * The 9P server outside the control network: ctl0 gets a default route
 * via the bridge, forwarding and the masquerade are said ("would ...")
 * and remembered in the control state; a second run changes nothing; the
 * server back inside, or no guest left, takes exactly that down.
 */
static void
test_lxc_routed(void **state)
{
	struct ncp_nic nic = { .name = "eth1", .lan = "lan0",
	    .mac = "02:00:00:00:00:07", .ip = "", .netmask = "" };
	struct ncp_guest g = guest("h7", "", "", "", "", "", &nic, 1);
	struct ncp_pnode pn = { .guests = &g, .nguests = 1, .lans = g_lans,
	    .nlans = 2, .ninep = "10.231.0.1:5640", .aname = "/nc" };
	char *got, *want, *base;

	(void)state;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	got = get("var/lib/neoc/lxc/nc-h7/config");
	base = nc_strdup(got);
	*strstr(base, "# BEGIN neo-containers") = '\0';
	expect_in(base, "lxc.rootfs.path = overlay:");
	want = want_config_gw(base, "h7", "172.30.0.10/16 172.30.255.255",
	    "172.30.0.1", &nic, 1);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = get("var/lib/neoc/control");
	assert_string_equal(got, "bridge ncctl0 172.30.0.1/16\n"
	    "nat 172.30.0.0/16\nforward\n");
	free(got);

	/* made: a second run changes nothing */
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	assert_int_equal(g_p.changes, 0);

	/* the server inside: no gateway, nat and forwarding taken down */
	pn.ninep = "172.30.0.1:564";
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	/* nft delete, ip_forward 0, config, boot file */
	assert_int_equal(g_p.changes, 4);
	got = get("var/lib/neoc/control");
	assert_string_equal(got, "bridge ncctl0 172.30.0.1/16\n");
	free(got);
	got = get("var/lib/neoc/lxc/nc-h7/config");
	expect_not_in(got, "gateway");
	free(got);

	/* outside again, then no guest: everything goes */
	pn.ninep = "10.231.0.1:5640";
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	got = get("var/lib/neoc/control");
	expect_in(got, "nat 172.30.0.0/16\n");
	free(got);
	pn.nguests = 0;
	g_p.changes = 0;
	assert_int_equal(ncp_pnode_lxc(&g_p, &pn), 0);
	/* lxc-destroy, state, ip link del, nft delete, ip_forward 0 */
	assert_int_equal(g_p.changes, 5);
	got = get("var/lib/neoc/control");
	assert_string_equal(got, "");
	free(got);
	free(base);
}

/* ---- settling the started guests ---- */

/* The status line written for node, or NULL. */
static const char *
written_status(const char *node)
{
	char *path = nc_asprintf("nodes/%s/status", node);
	const char *got = NULL;
	size_t i;

	for (i = 0; i < g_nw; i++)
		if (strcmp(g_wpath[i], path) == 0)
			got = g_wdata[i];
	free(path);
	return got;
}

/*
 * x's hook ended well, y's gave up with its status at "provisioning
 * ifaces", z's gave up after writing its own failure, w has half a line
 * (not written yet): only y is written failed, at its step, with the
 * hook's reason; w is still watched when the time is up.  Then w alone
 * again, long enough for the running list (lxc-ls: nothing runs under
 * this root): its container stopped, so it is failed at "boot".
 */
static void
test_settle(void **state)
{
	static const char *const tree[] = {
		"nodes/y/status", "provisioning 100 ifaces\n",
		"nodes/z/status", "failed 100 accounts no such group\n",
		NULL,
	};
	char *lxcpath = nc_asprintf("%s" LXC_DIR, g_root), *names[] = {
	    "x", "y", "z", "w" };
	const char *got;

	(void)state;
	g_tree = tree;
	put("var/lib/neoc/lxc/nc-x/rootfs" NCP_BOOT_RESULT,
	    "0 ncprov container: exit 0\n");
	put("var/lib/neoc/lxc/nc-y/rootfs" NCP_BOOT_RESULT,
	    "75 the connection to the 9P server was lost 3 times; gave up\n");
	put("var/lib/neoc/lxc/nc-z/rootfs" NCP_BOOT_RESULT,
	    "1 ncprov container: exit 1\n");
	put("var/lib/neoc/lxc/nc-w/rootfs" NCP_BOOT_RESULT, "1 half");
	g_nw = 0;
	assert_int_equal(ncp_lxc_settle(&g_p, lxcpath, names, 4, 1), 0);
	assert_int_equal(g_nw, 1);
	got = written_status("y");
	assert_non_null(got);
	assert_true(strncmp(got, "failed ", 7) == 0);
	assert_non_null(strstr(got, " ifaces its provisioner gave up: the "
	    "connection to the 9P server was lost 3 times; gave up"));
	assert_null(written_status("x"));
	assert_null(written_status("z"));
	assert_null(written_status("w"));
	assert_int_equal(ncp_lxc_settle(&g_p, lxcpath, &names[3], 1, 5), 0);
	got = written_status("w");
	assert_non_null(got);
	assert_non_null(strstr(got, " boot its container stopped before its "
	    "provisioning ended"));
	g_tree = NULL;
	free(lxcpath);
}

/* ---- the parallel runner ---- */

/*
 * Run 4 copies of script (with "$1" a fresh directory) and a missing
 * program, at most max at a time; each copy must exit 3 printing "out".
 * The directory is left for the caller to look at (its path in dir).
 */
static void
run_batch(size_t max, const char *script, char *dir)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, "sh", dir, NULL };
	char *missing[] = { "/nonexistent/prog", NULL };
	struct ncp_job jobs[5];
	size_t i;

	strcpy(dir, "/tmp/nc-par.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++)
		jobs[i].argv = argv;
	jobs[4].argv = missing;
	assert_int_equal(ncp_run_parallel(jobs, 5, max, 20000), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, 3);
		assert_string_equal(nc_buf_str(&jobs[i].out), "out\n");
		nc_buf_free(&jobs[i].out);
	}
	assert_int_equal(jobs[4].rc, -ENOENT);
	nc_buf_free(&jobs[4].out);
}

/*
 * A job's timeout is its own time, not its time in the queue: four jobs
 * of 0.5 s each, one at a time, with a timeout of 1.2 s.  The last one
 * starts about 1.5 s after the batch, so a runner that counted from the
 * batch's start would kill it (-ETIMEDOUT); each must exit 0.  And the
 * timeout does bite a job that runs too long itself (a 10 s sleep).
 */
static void
test_run_parallel_timeout(void **state)
{
	char *nap[] = { "/bin/sleep", "0.5", NULL };
	char *longnap[] = { "/bin/sleep", "10", NULL };
	struct ncp_job jobs[4];
	struct timespec t0, t1;
	double took;
	size_t i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++)
		jobs[i].argv = nap;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ncp_run_parallel(jobs, 4, 1, 1200), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* one at a time really: the batch outlasted one timeout */
	assert_true(took > 1.2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, 0);
		nc_buf_free(&jobs[i].out);
	}
	memset(jobs, 0, sizeof(jobs));
	jobs[0].argv = longnap;
	assert_int_equal(ncp_run_parallel(jobs, 1, 1, 300), 0);
	assert_int_equal(jobs[0].rc, -ETIMEDOUT);
	nc_buf_free(&jobs[0].out);
}

/*
 * A gated job keeps its place until its gate file exists: one place, the
 * first job exits at once leaving a child that makes the gate 0.3 s
 * later, the second job tests that the gate is there.  A runner that
 * freed the place at the first job's exit runs the second before the
 * gate (exit 1).  A gate that never comes frees the place after gate_ms
 * (gated 0), and a job that failed is not kept at all.
 */
static void
test_run_parallel_gate(void **state)
{
	char dir[] = "/tmp/nc-gate.XXXXXX", gate[64], never[64];
	char *maker[] = { "/bin/sh", "-c",
	    "(sleep 0.3; touch \"$1\") > /dev/null 2>&1 &", "sh", gate, NULL };
	char *checker[] = { "/bin/sh", "-c", "test -e \"$1\"", "sh", gate,
	    NULL };
	char *fail[] = { "/bin/false", NULL };
	char *ok[] = { "/bin/true", NULL };
	struct ncp_job jobs[3];
	struct timespec t0, t1;
	double took;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(gate, sizeof(gate), "%s/gate", dir);
	snprintf(never, sizeof(never), "%s/never", dir);
	memset(jobs, 0, sizeof(jobs));
	jobs[0].argv = maker;
	jobs[0].gate = gate;
	jobs[0].gate_ms = 10000;
	jobs[1].argv = checker;
	assert_int_equal(ncp_run_parallel(jobs, 2, 1, 20000), 0);
	assert_int_equal(jobs[0].rc, 0);
	assert_int_equal(jobs[0].gated, 1);
	assert_int_equal(jobs[1].rc, 0);
	for (i = 0; i < 2; i++)
		nc_buf_free(&jobs[i].out);
	memset(jobs, 0, sizeof(jobs));
	jobs[0].argv = ok;
	jobs[1].argv = fail;
	for (i = 0; i < 2; i++) {
		jobs[i].gate = never;
		jobs[i].gate_ms = i == 0 ? 200 : 60000;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ncp_run_parallel(jobs, 2, 2, 20000), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(jobs[0].rc, 0);
	assert_int_equal(jobs[0].gated, 0);
	assert_int_not_equal(jobs[1].rc, 0);
	assert_int_equal(jobs[1].gated, 0);
	assert_true(took >= 0.2 && took < 30);
	for (i = 0; i < 3; i++)
		nc_buf_free(&jobs[i].out);
	unlink(gate);
	rmdir(dir);
}

/* The default bound is NCP_JOBS_PER_CPU per online CPU. */
static void
test_jobs_default(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_true(cpus >= 1);
	assert_int_equal(ncp_jobs_default(),
	    (size_t)cpus * NCP_JOBS_PER_CPU);
}

/*
 * All at once: each job waits (10 s at most) until all four have
 * started, which only happens when they run together (no clock is
 * compared).
 *
 * Two at a time: each job marks itself running (run.PID) and waits (10 s
 * at most, else exit 9) until two jobs have met, a job "meeting" when it
 * sees two running; the first two therefore must run at once, so a
 * runner that runs one at a time fails (exit 9 instead of 3), and each
 * job records the most running it saw (seen.PID), which must be exactly
 * two.  The last look comes after 0.2 s with the first pair still running:
 * the window in which a runner ignoring the cap would have started the
 * others (a "never more than two" can only be watched for a while).
 */
static void
test_run_parallel(void **state)
{
	static const char together[] = "touch \"$1/$$\"; n=0; "
	    "while [ \"$(ls \"$1\" | wc -l)\" -lt 4 ]; do n=$((n + 1)); "
	    "[ $n -ge 1000 ] && exit 9; sleep 0.01; done; echo out; exit 3";
	static const char capped[] = "touch \"$1/run.$$\"; n=0; m=0; "
	    "look() { c=$(ls \"$1\" | grep -c '^run\\.'); "
	    "[ $c -gt $m ] && m=$c; }; "
	    "while look \"$1\"; [ $c -ge 2 ] && touch \"$1/met.$$\"; "
	    "[ \"$(ls \"$1\" | grep -c '^met\\.')\" -lt 2 ]; do "
	    "n=$((n + 1)); [ $n -ge 1000 ] && exit 9; sleep 0.01; done; "
	    "sleep 0.2; look \"$1\"; echo $m > \"$1/seen.$$\"; "
	    "rm -f \"$1/run.$$\"; echo out; exit 3";
	char dir[64], line[32], *path;
	struct dirent *de;
	int most = 0, files = 0;
	FILE *f;
	DIR *d;

	(void)state;
	run_batch(0, together, dir);
	scratch_rm(dir);
	run_batch(2, capped, dir);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "seen.", 5) != 0)
			continue;
		files++;
		path = nc_asprintf("%s/%s", dir, de->d_name);
		assert_non_null(f = fopen(path, "r"));
		while (fgets(line, sizeof(line), f) != NULL)
			if (atoi(line) > most)
				most = atoi(line);
		fclose(f);
		free(path);
	}
	closedir(d);
	scratch_rm(dir);
	assert_int_equal(files, 4);
	assert_int_equal(most, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vagrant_ubuntu, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_vagrant_windows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_vagrant_libvirt_lxc,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_vagrant_mixed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lxc_config, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lxc_no_bridge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lxc_control_net, setup,
		    teardown),
		cmocka_unit_test(test_control_routed),
		cmocka_unit_test_setup_teardown(test_lxc_routed, setup,
		    teardown),
		cmocka_unit_test(test_run_parallel),
		cmocka_unit_test(test_run_parallel_timeout),
		cmocka_unit_test(test_run_parallel_gate),
		cmocka_unit_test_setup_teardown(test_settle, setup, teardown),
		cmocka_unit_test(test_jobs_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
