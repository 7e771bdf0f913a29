/*
 * test_pnode_net.c: the network step of ncprov pnode (provision/
 * pnode_net.c) and the stable names of pnode_names.c, under a temporary
 * --root: the VDE switches' rc files byte for byte, the "would run" lines
 * of the first run, nothing on the second, the teardown of a LAN taken out
 * of the experiment, the shaping of NICs whose host side exists (a fake
 * ROOT/sys/class/net/<host_if>/ifindex) and --dry-run writing nothing.
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

#include "files.h"
#include "pnode.h"
#include "pnode_net.h"
#include "util.h"
#include "scratch_dir.h"

/* One case's world: a root and a pnode of 2 LANs and 2 containers. */
struct world {
	char root[64];		/* the temporary --root */
	struct ncprov p;	/* options, p.root = root */
	struct ncp_nic nics0[1];	/* n-0: eth1 on lan0 */
	struct ncp_nic nics1[2];	/* n-1: eth1 on lan0, eth2 on link1 */
	struct ncp_guest guests[2];	/* n-0, n-1 */
	struct ncp_lan lans[2];		/* lan0 (with eth9), link1 */
	struct ncp_pnode pn;		/* all of it */
};

static int
setup(void **state)
{
	struct world *w = nc_calloc(1, sizeof(*w));

	snprintf(w->root, sizeof(w->root), "/tmp/nc-pnet.XXXXXX");
	assert_non_null(mkdtemp(w->root));
	w->p.root = w->root;
	w->p.node = "pnode-0";
	w->lans[0] = (struct ncp_lan){ .name = "lan0", .delay_ms = 20,
	    .phys = "eth9" };
	w->lans[1] = (struct ncp_lan){ .name = "link1", .delay_ms = 5,
	    .loss = 0.01, .bandwidth_kbps = 1000 };
	w->nics0[0] = (struct ncp_nic){ .name = "eth1", .lan = "lan0",
	    .delay_ms = 20 };
	w->nics1[0] = w->nics0[0];
	w->nics1[1] = (struct ncp_nic){ .name = "eth2", .lan = "link1",
	    .delay_ms = 5, .loss = 0.01, .bandwidth_kbps = 1000 };
	w->guests[0] = (struct ncp_guest){ .name = "n-0", .nics = w->nics0,
	    .nnics = 1 };
	w->guests[1] = (struct ncp_guest){ .name = "n-1", .nics = w->nics1,
	    .nnics = 2 };
	w->pn = (struct ncp_pnode){ .guests = w->guests, .nguests = 2,
	    .lans = w->lans, .nlans = 2 };
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

/* Run f(p, pn) with its stdout in *out (malloc'd); its return value. */
static int
captured(int (*f)(struct ncprov *, struct ncp_pnode *), struct world *w,
    char **out)
{
	char path[] = "/tmp/nc-pnet-out.XXXXXX";
	struct nc_buf b = { 0 };
	int fd = mkstemp(path), saved, rc, exists;
	struct ncprov q = { .root = "" };

	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	rc = f(&w->p, &w->pn);
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

/* The contents of ROOT<abs>, or NULL when missing (malloc'd). */
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

/* Make ROOT/sys/class/net/<dev>/ifindex hold idx. */
static void
fake_dev(struct world *w, const char *dev, int idx)
{
	char *abs = nc_asprintf("/sys/class/net/%s", dev);
	char *file = nc_asprintf("%s/ifindex", abs), *num;

	assert_int_equal(ncp_mkdirs(&w->p, abs, 0755), 0);
	num = nc_asprintf("%d\n", idx);
	assert_true(ncp_replace(&w->p, file, num, strlen(num), 0644, 0,
	    0) >= 0);
	free(num);
	free(file);
	free(abs);
}

/* Does out hold line as a whole line? */
static int
has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *s;

	for (s = out; (s = strstr(s, line)) != NULL; s += n)
		if ((s == out || s[-1] == '\n') && s[n] == '\n')
			return 1;
	return 0;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
expect_line(const char *out, const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!has_line(out, line))
		fail_msg("missing line \"%s\" in:\n%s", line, out);
}

static void
names_stable(void **state)
{
	char a[16], b[16], c[16], d[16];
	size_t i;

	(void)state;
	ncp_ifname("nb", "lan0", NULL, a);
	ncp_ifname("nb", "lan0", NULL, b);
	assert_string_equal(a, b);
	/* The hash is part of the contract: names survive upgrades. */
	assert_string_equal(a, "nb2ae3cd20");
	ncp_ifname("nb", "lan1", NULL, c);
	assert_string_not_equal(a, c);
	ncp_ifname("nv", "ab", "c", c);
	ncp_ifname("nv", "a", "bc", d);
	assert_string_not_equal(c, d);
	ncp_ifname("nv", "a-very-long-node-name-of-an-experiment", "eth12",
	    d);
	assert_true(strlen(d) <= 15);
	for (i = 0; d[i] != '\0'; i++)
		assert_true((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= '0' && d[i] <= '9'));
	ncp_ifname("N/", "x", NULL, d);	/* a bad prefix: still [a-z0-9] */
	assert_int_equal(strncmp(d, "nc", 2), 0);
}

static void
first_run(void **state)
{
	struct world *w = *state;
	struct ncp_lan *l0 = &w->lans[0], *l1 = &w->lans[1];
	char *out, *conf, *path;

	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	/* names filled, distinct, short */
	assert_true(strlen(l0->bridge) == 10 && strlen(l0->tap) == 10 &&
	    strlen(l0->vde) == 10);
	assert_string_not_equal(l0->bridge, l1->bridge);
	assert_string_equal(w->nics0[0].host_if, w->nics0[0].host_if);
	assert_string_not_equal(w->nics0[0].host_if, w->nics1[0].host_if);

	path = nc_asprintf("/etc/vde2/conf.d/%s.conf", l0->vde);
	conf = slurp(w, path);
	assert_non_null(conf);
	assert_string_equal(conf, "# neoc: VDE switch of LAN lan0\n"
	    "port/setnumports 32\n");
	free(conf);
	expect_line(out, "network: %s: VDE switch of LAN lan0", path);
	free(path);
	path = nc_asprintf("/etc/vde2/conf.d/%s.conf", l1->vde);
	conf = slurp(w, path);
	assert_string_equal(conf, "# neoc: VDE switch of LAN link1\n"
	    "port/setnumports 32\n");
	free(conf);
	free(path);

	expect_line(out, "network: would run: vde_switch --daemon --sock "
	    "/run/neoc/vde/%s.ctl --mgmt /run/neoc/vde/%s.mgmt --pidfile "
	    "/run/neoc/vde/%s.pid --tap %s --rcfile "
	    "/etc/vde2/conf.d/%s.conf", l0->vde, l0->vde, l0->vde, l0->tap,
	    l0->vde);
	expect_line(out, "network: would run: ip link add %s type bridge",
	    l0->bridge);
	expect_line(out, "network: would run: ip link set %s up",
	    l0->bridge);
	expect_line(out, "network: would run: ip link set %s master %s up",
	    l0->tap, l0->bridge);
	expect_line(out, "network: would run: ip link set eth9 master %s up",
	    l0->bridge);
	expect_line(out, "network: would run: ip link set %s master %s up",
	    l1->tap, l1->bridge);
	/* 2 conf files, 2 switches, 2 x (add, up, tap), 1 phys; no host
	 * side exists yet, so no shaping */
	assert_int_equal(count_lines(out), 2 + 2 + 6 + 1);
	assert_int_equal(w->p.changes, 11);
	conf = slurp(w, "/var/lib/neoc/network");
	assert_non_null(conf);
	assert_non_null(strstr(conf, "phys eth9 "));
	free(conf);
	free(out);

	/* second run: nothing */
	w->p.changes = 0;
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	assert_string_equal(out, "");
	assert_int_equal(w->p.changes, 0);
	free(out);
}

static void
shaping(void **state)
{
	struct world *w = *state;
	const char *a, *b, *c;
	char *out;

	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	free(out);
	a = w->nics0[0].host_if;
	b = w->nics1[0].host_if;
	c = w->nics1[1].host_if;
	fake_dev(w, a, 7);
	fake_dev(w, c, 9);	/* b not there yet */
	w->p.changes = 0;
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 20ms loss 0%%", a);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 5ms loss 1%%", c);
	expect_line(out, "network: would run: tc qdisc replace dev %s parent "
	    "1:1 handle 10: tbf rate 1000kbit burst 32kbit latency 400ms", c);
	assert_int_equal(count_lines(out), 3);
	free(out);

	/* b appears; a and c are done */
	fake_dev(w, b, 8);
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 20ms loss 0%%", b);
	assert_int_equal(count_lines(out), 1);
	free(out);
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	assert_string_equal(out, "");
	free(out);

	/* a new delay; a re-made interface (another ifindex); no more
	 * bandwidth on c: its tbf goes with the old root */
	w->nics0[0].delay_ms = 30;
	fake_dev(w, b, 18);
	w->nics1[1].bandwidth_kbps = 0;
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 30ms loss 0%%", a);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 20ms loss 0%%", b);
	expect_line(out, "network: would run: tc qdisc del dev %s root", c);
	expect_line(out, "network: would run: tc qdisc replace dev %s root "
	    "handle 1: netem delay 5ms loss 1%%", c);
	assert_int_equal(count_lines(out), 4);
	free(out);

	/* no shaping at all on a: its qdisc goes */
	w->nics0[0].delay_ms = 0;
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	expect_line(out, "network: would run: tc qdisc del dev %s root", a);
	assert_int_equal(count_lines(out), 1);
	free(out);
	assert_int_equal(captured(ncp_pnode_shape, w, &out), 0);
	assert_string_equal(out, "");
	free(out);
}

static void
lan_removed(void **state)
{
	struct world *w = *state;
	char *out, *path, *s, vde[16], br[16];

	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	free(out);
	memcpy(vde, w->lans[1].vde, 16);
	memcpy(br, w->lans[1].bridge, 16);
	/* link1 leaves the experiment, with n-1's eth2 */
	w->pn.nlans = 1;
	w->guests[1].nnics = 1;
	w->p.changes = 0;
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	expect_line(out, "network: would stop: vde_switch %s", vde);
	expect_line(out, "network: removed /etc/vde2/conf.d/%s.conf", vde);
	expect_line(out, "network: would run: ip link del %s", br);
	assert_int_equal(count_lines(out), 3);
	free(out);
	path = nc_asprintf("/etc/vde2/conf.d/%s.conf", vde);
	assert_null(slurp(w, path));
	free(path);
	s = slurp(w, "/var/lib/neoc/network");
	assert_null(strstr(s, vde));
	assert_null(strstr(s, br));
	free(s);
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	assert_string_equal(out, "");
	free(out);

	/* lan0 loses its physical interface: out of the bridge */
	w->lans[0].phys = NULL;
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	expect_line(out, "network: would run: ip link set eth9 nomaster");
	assert_int_equal(count_lines(out), 1);
	free(out);
}

static void
dry_run(void **state)
{
	struct world *w = *state;
	char *out, *s;

	w->p.dry_run = 1;
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	expect_line(out, "network: would run: ip link add %s type bridge",
	    w->lans[0].bridge);
	assert_non_null(strstr(out, "+port/setnumports 32\n"));
	free(out);
	s = slurp(w, "/var/lib/neoc/network");
	assert_null(s);
	s = ncp_path(&w->p, "/etc/vde2");
	assert_int_not_equal(access(s, F_OK), 0);
	free(s);
	/* and it says the same again */
	w->p.changes = 0;
	assert_int_equal(captured(ncp_pnode_network, w, &out), 0);
	assert_int_equal(w->p.changes, 11);
	free(out);
}

static void
bad_names(void **state)
{
	struct world *w = *state;
	char *out;

	w->lans[0].phys = "eth/9";
	assert_int_equal(captured(ncp_pnode_network, w, &out), -1);
	assert_non_null(strstr(w->p.why, "eth/9"));
	free(out);
	w->lans[0].phys = NULL;
	memcpy(w->lans[1].bridge, "Br-0", 5);
	assert_int_equal(captured(ncp_pnode_network, w, &out), -1);
	assert_non_null(strstr(w->p.why, "link1"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_stable),
		cmocka_unit_test_setup_teardown(first_run, setup, teardown),
		cmocka_unit_test_setup_teardown(shaping, setup, teardown),
		cmocka_unit_test_setup_teardown(lan_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
