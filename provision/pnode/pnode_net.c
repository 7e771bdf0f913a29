/*
 * pnode_net.c: the network step of ncprov pnode (pnode.h).  For each LAN
 * with a container on this pnode:
 *
 *   /etc/vde2/conf.d/<vde>.conf        the switch's rc file (mgmt commands)
 *   vde_switch --daemon --sock /run/neoc/vde/<vde>.ctl
 *       --mgmt /run/neoc/vde/<vde>.mgmt --pidfile /run/neoc/vde/<vde>.pid
 *       --tap <tap> --rcfile <conf>    unless its pidfile names a live one
 *   ip link add <bridge> type bridge; ip link set <bridge> up
 *   ip link set <tap> master <bridge> up
 *   ip link set <phys> master <bridge> up   (the pnode's interface on it)
 *
 * and, on the host side of every container NIC (ncp_pnode_shape):
 *
 *   tc qdisc replace dev <host_if> root handle 1: netem delay Dms loss L%
 *   tc qdisc replace dev <host_if> parent 1:1 handle 10: tbf rate Bkbit
 *       burst 32kbit latency 400ms                  (when bandwidth > 0)
 *
 * or, with no delay nor loss (or a kernel without netem, found at the
 * first NIC and remembered for the run), the tbf alone as the root
 * ("root handle 1: tbf ...").
 *
 * What we made is remembered in ROOT/var/lib/neoc/network ("vde NAME",
 * "tap NAME", "bridge NAME", "phys NAME BRIDGE" lines), written before
 * anything is made (with what is still to be torn down) and again after,
 * so that a run cut short leaves nothing the next one cannot find; a
 * thing listed there and no longer wanted is torn down (switch stopped by
 * its pidfile, its conf file removed, links deleted), and so is a switch
 * whose pidfile is in /run/neoc/vde without a line (without --root).
 * With no LAN at all (ncprov down) that is everything.  The shaping applied is kept in
 * ROOT/var/lib/neoc/shaping ("host_if delay loss% kbit ifindex"), so tc
 * runs only when a parameter or the interface (its ifindex) changed.
 *
 * Without --root the state is the system's (/sys/class/net, pidfiles).
 * Under --root the commands never run and the state files stand in for
 * the system: a command is printed as "would run: ..." and counted only
 * when they say the thing is missing, so a second --root run prints
 * nothing.  --dry-run prints the same lines against the real state and
 * writes nothing.  --no-start prints the vde_switch command instead of
 * starting it.  ncp_pnode_network shapes what exists already; the pnode
 * command calls ncp_pnode_shape again once its containers run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "pnode_net.h"
#include "run.h"
#include "steps.h"
#include "util.h"
#include "valid.h"

#define STEP "network"
#define CMD_TIMEOUT_MS 30000	/* for one ip, tc or vde_switch */
#define NET_STATE "/var/lib/neoc/network"
#define SHAPE_STATE "/var/lib/neoc/shaping"
#define STATE_DIR "/var/lib/neoc"
#define VDE_RUN "/run/neoc/vde"
#define VDE_CONF "/etc/vde2/conf.d"
#define NUMPORTS 32		/* switch ports, at least */

/* The lines of a state file. */
struct lines {
	char **v;		/* each line, without its newline */
	size_t n;		/* lines */
	size_t cap;		/* allocated */
};

/* Commands run for real: no --root, no --dry-run. */
static int
for_real(const struct ncprov *p)
{
	return p->root[0] == '\0' && !p->dry_run;
}

/* The system's state is inspected (not the state files): no --root. */
static int
real_state(const struct ncprov *p)
{
	return p->root[0] == '\0';
}

static void
addf_err(struct nc_buf *errs, const char *what, const char *why)
{
	nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "", what, why);
}

static void
lines_load(struct ncprov *p, const char *abs, struct lines *l)
{
	struct nc_buf b = { 0 };
	const char *s, *nl;
	int exists;

	memset(l, 0, sizeof(*l));
	if (ncp_read_local(p, abs, &b, &exists) < 0 || !exists)
		goto out;
	for (s = nc_buf_str(&b); *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (nl > s)
			*NC_PUSH(l->v, l->n, l->cap) = nc_asprintf("%.*s",
			    (int)(nl - s), s);
	}
out:
	nc_buf_free(&b);
}

static int
lines_has(const struct lines *l, const char *line)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], line) == 0)
			return 1;
	return 0;
}

/* Does l hold "kind name"? */
static int
lines_has2(const struct lines *l, const char *kind, const char *name)
{
	char *line = nc_asprintf("%s %s", kind, name);
	int has = lines_has(l, line);

	free(line);
	return has;
}

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* One of our names: 1..15 bytes of [a-z0-9]. */
static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 15)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* Does ROOT/sys/class/net/<dev> exist? */
static int
dev_exists(const struct ncprov *p, const char *dev)
{
	char *abs = nc_asprintf("/sys/class/net/%s", dev);
	char *path = ncp_path(p, abs);
	int yes = access(path, F_OK) == 0;

	free(path);
	free(abs);
	return yes;
}

/* A number from ROOT/sys/class/net/<dev>/<file> (base 0), or 0. */
static long
dev_num(const struct ncprov *p, const char *dev, const char *file)
{
	char *abs = nc_asprintf("/sys/class/net/%s/%s", dev, file);
	struct nc_buf b = { 0 };
	long v = 0;
	int exists;

	if (ncp_read_local(p, abs, &b, &exists) == 0 && exists)
		v = strtol(nc_buf_str(&b), NULL, 0);
	nc_buf_free(&b);
	free(abs);
	return v;
}

/* Is dev up (IFF_UP in its flags)? */
static int
dev_up(const struct ncprov *p, const char *dev)
{
	return (dev_num(p, dev, "flags") & 0x1) != 0;
}

/* Is dev enslaved to bridge (its master link names it)? */
static int
dev_master_is(const struct ncprov *p, const char *dev, const char *bridge)
{
	char *abs = nc_asprintf("/sys/class/net/%s/master", dev);
	char *path = ncp_path(p, abs), target[256];
	const char *base;
	ssize_t n;
	int yes = 0;

	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		base = strrchr(target, '/');
		yes = strcmp(base ? base + 1 : target, bridge) == 0;
	}
	free(path);
	free(abs);
	return yes;
}

/*
 * Run argv (argv[0] a program name, found with ncp_which), or, when dry,
 * say it would.  Reported either way.  0, or -1 with the reason in errs.
 */
static int
run_cmd(struct ncprov *p, char **argv, int dry, struct nc_buf *errs)
{
	struct nc_buf out = { 0 };
	char *line = ncp_argv_str(argv), *prog = NULL, *vec[32];
	int i, rc, ret = -1;

	if (dry) {
		ncp_report(p, STEP, "would run: %s", line);
		ret = 0;
		goto out;
	}
	if ((prog = ncp_which(argv[0])) == NULL) {
		addf_err(errs, line, "no such program");
		goto out;
	}
	vec[0] = prog;
	for (i = 1; argv[i] != NULL && i < 31; i++)
		vec[i] = argv[i];
	vec[i] = NULL;
	rc = ncp_run(&(struct ncp_cmd){ .argv = vec, .out_fd = -1,
	    .capture = &out, .timeout_ms = CMD_TIMEOUT_MS });
	if (rc != 0) {
		while (out.len > 0 && (out.p[out.len - 1] == '\n' ||
		    out.p[out.len - 1] == ' '))
			out.p[--out.len] = '\0';
		nc_buf_printf(errs, "%s%s: %s%s%s", errs->len ? "; " : "",
		    line, rc < 0 ? strerror(-rc) : "failed",
		    out.len ? ": " : "", nc_buf_str(&out));
		goto out;
	}
	ncp_report(p, STEP, "%s", line);
	ret = 0;
out:
	free(line);
	free(prog);
	nc_buf_free(&out);
	return ret;
}

/* The pid in /run/neoc/vde/<vde>.pid when that process is a live
 * vde_switch, else 0. */
static pid_t
vde_pid(const char *vde)
{
	char path[128], comm[64];
	pid_t pid = 0;
	long v;
	FILE *f;

	snprintf(path, sizeof(path), VDE_RUN "/%s.pid", vde);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &v) == 1 && v > 0)
		pid = (pid_t)v;
	fclose(f);
	if (pid == 0 || kill(pid, 0) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return pid;	/* no /proc: trust the pidfile */
	if (fgets(comm, sizeof(comm), f) == NULL ||
	    strncmp(comm, "vde_switch", 10) != 0)
		pid = 0;	/* a reused pid */
	fclose(f);
	return pid;
}

/* Sleep ms milliseconds. */
static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The rc file of lan's switch: a comment naming the LAN, its settings. */
static char *
vde_conf(const struct ncp_pnode *pn, const struct ncp_lan *lan)
{
	char *name = nc_strdup(lan->name), *s;
	size_t g, i, nics = 0;
	int ports = NUMPORTS;
	char *text;

	for (s = name; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			*s = '?';
	for (g = 0; g < pn->nguests; g++)
		for (i = 0; i < pn->guests[g].nnics; i++)
			if (strcmp(pn->guests[g].nics[i].lan, lan->name) == 0)
				nics++;
	while ((size_t)ports < nics + 1)
		ports *= 2;
	text = nc_asprintf("# neoc: VDE switch of LAN %s\n"
	    "port/setnumports %d\n", name, ports);
	free(name);
	return text;
}

/* The switch of lan: conf file, running daemon. */
static void
lan_switch(struct ncprov *p, const struct ncp_pnode *pn,
    const struct ncp_lan *lan, const struct lines *old, struct nc_buf *errs)
{
	char *conf = nc_asprintf(VDE_CONF "/%s.conf", lan->vde);
	char *ctl = nc_asprintf(VDE_RUN "/%s.ctl", lan->vde);
	char *mgmt = nc_asprintf(VDE_RUN "/%s.mgmt", lan->vde);
	char *pid = nc_asprintf(VDE_RUN "/%s.pid", lan->vde);
	char *text = vde_conf(pn, lan);
	int rc, running, i;

	if ((rc = ncp_mkdirs(p, VDE_CONF, 0755)) < 0 ||
	    (rc = ncp_replace(p, conf, text, strlen(text), 0644, 0, 0)) < 0)
		addf_err(errs, conf, strerror(-rc));
	else if (rc > 0)
		ncp_report(p, STEP, "%s: VDE switch of LAN %s", conf,
		    lan->name);
	running = real_state(p) ? vde_pid(lan->vde) != 0 :
	    lines_has2(old, "vde", lan->vde);
	if (running)
		goto out;
	if (for_real(p) && !p->no_start &&
	    (rc = ncp_mkdirs(p, VDE_RUN, 0755)) < 0) {
		addf_err(errs, VDE_RUN, strerror(-rc));
		goto out;
	}
	if (run_cmd(p, (char *[]){ "vde_switch", "--daemon", "--sock", ctl,
	    "--mgmt", mgmt, "--pidfile", pid, "--tap", (char *)lan->tap,
	    "--rcfile", conf, NULL }, !for_real(p) || p->no_start, errs) < 0)
		goto out;
	/* The TAP comes up with the switch; give it a moment. */
	for (i = 0; for_real(p) && !p->no_start && i < 100 &&
	    !dev_exists(p, lan->tap); i++)
		nap(20);
out:
	free(conf);
	free(ctl);
	free(mgmt);
	free(pid);
	free(text);
}

/* Enslave dev to bridge (and bring it up) unless it is. */
static void
enslave(struct ncprov *p, const char *kind, const char *dev,
    const char *bridge, const struct lines *old, struct nc_buf *errs)
{
	char *line = nc_asprintf("%s %s", dev, bridge);
	int done;

	if (!real_state(p))
		done = strcmp(kind, "phys") == 0 ?
		    lines_has2(old, kind, line) : lines_has2(old, kind, dev);
	else
		done = dev_master_is(p, dev, bridge) && dev_up(p, dev);
	if (done)
		goto out;
	if (for_real(p) && !dev_exists(p, dev)) {
		addf_err(errs, dev, "no such interface");
		goto out;
	}
	run_cmd(p, (char *[]){ "ip", "link", "set", (char *)dev, "master",
	    (char *)bridge, "up", NULL }, !for_real(p), errs);
out:
	free(line);
}

/* The bridge of lan, its TAP and physical interface in it. */
static void
lan_bridge(struct ncprov *p, const struct ncp_lan *lan,
    const struct lines *old, struct nc_buf *errs)
{
	char *br = (char *)lan->bridge;
	int dry = !for_real(p);

	if (real_state(p) ? !dev_exists(p, br) :
	    !lines_has2(old, "bridge", br)) {
		if (run_cmd(p, (char *[]){ "ip", "link", "add", br, "type",
		    "bridge", NULL }, dry, errs) < 0)
			return;
		run_cmd(p, (char *[]){ "ip", "link", "set", br, "up", NULL },
		    dry, errs);
	} else if (real_state(p) && !dev_up(p, br)) {
		run_cmd(p, (char *[]){ "ip", "link", "set", br, "up", NULL },
		    dry, errs);
	}
	if (!(p->no_start && real_state(p) && !dev_exists(p, lan->tap)))
		enslave(p, "tap", lan->tap, br, old, errs);
	if (lan->phys != NULL && lan->phys[0] != '\0')
		enslave(p, "phys", lan->phys, br, old, errs);
}

/* Stop the switch vde and remove its files. */
static void
vde_down(struct ncprov *p, const char *vde, struct nc_buf *errs)
{
	char *conf = nc_asprintf(VDE_CONF "/%s.conf", vde), *path;
	pid_t pid = real_state(p) ? vde_pid(vde) : 0;
	int i;

	if (!real_state(p) || pid != 0) {
		if (!for_real(p)) {
			ncp_report(p, STEP, "would stop: vde_switch %s", vde);
		} else if (kill(pid, SIGTERM) < 0) {
			addf_err(errs, vde, strerror(errno));
		} else {
			for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
				nap(20);
			ncp_report(p, STEP, "stopped vde_switch %s (pid %ld)",
			    vde, (long)pid);
		}
	}
	if (for_real(p)) {
		path = nc_asprintf(VDE_RUN "/%s.pid", vde);
		unlink(path);
		free(path);
	}
	path = ncp_path(p, conf);
	if (access(path, F_OK) == 0) {
		if (p->dry_run)
			ncp_report(p, STEP, "would remove %s", conf);
		else if (unlink(path) < 0)
			addf_err(errs, conf, strerror(errno));
		else
			ncp_report(p, STEP, "removed %s", conf);
	}
	free(path);
	free(conf);
}

/* Tear down what old lists and want does not, switches first. */
static void
teardown(struct ncprov *p, const struct lines *old, const struct lines *want,
    struct nc_buf *errs)
{
	static const char *const order[] = { "vde ", "tap ", "phys ",
	    "bridge " };
	char name[64], br[64];
	size_t k, i;
	int dry = !for_real(p);

	for (k = 0; k < 4; k++) {
		for (i = 0; i < old->n; i++) {
			const char *l = old->v[i];

			if (strncmp(l, order[k], strlen(order[k])) != 0 ||
			    lines_has(want, l))
				continue;
			if (sscanf(l + strlen(order[k]), "%63s %63s", name,
			    br) < 1 || nc_valid_ifname(name, NULL) < 0)
				continue;
			if (k == 0) {
				if (name_ok(name))
					vde_down(p, name, errs);
			} else if (k == 1 || k == 3) {
				/* A TAP goes with its switch; under --root
				 * only the bridge is said. */
				if (real_state(p) ? dev_exists(p, name) :
				    k == 3)
					run_cmd(p, (char *[]){ "ip", "link",
					    "del", name, NULL }, dry, errs);
			} else if (lines_has2(want, "bridge", br) &&
			    (real_state(p) ? dev_master_is(p, name, br) : 1)) {
				/* Its bridge stays: take it out. */
				run_cmd(p, (char *[]){ "ip", "link", "set",
				    name, "nomaster", NULL }, dry, errs);
			}
		}
	}
}

/* Write a state file from its wanted lines (not under --dry-run; not
 * when it would be a new empty file). */
static void
save_state(struct ncprov *p, const char *abs, const struct nc_buf *text,
    struct nc_buf *errs)
{
	char *path;
	int rc;

	if (p->dry_run)
		return;
	if (text->len == 0) {
		path = ncp_path(p, abs);
		rc = access(path, F_OK);
		free(path);
		if (rc < 0)
			return;
	}
	if ((rc = ncp_mkdirs(p, STATE_DIR, 0755)) < 0 ||
	    (rc = ncp_replace(p, abs, nc_buf_str(text), text->len, 0644, 0,
	    0)) < 0)
		addf_err(errs, abs, strerror(-rc));
}

/* Fill the empty names of pn's LANs and NICs and check them; 0 or -1. */
static int
fill_names(struct ncprov *p, struct ncp_pnode *pn)
{
	size_t i, g;

	for (i = 0; i < pn->nlans; i++) {
		struct ncp_lan *l = &pn->lans[i];

		if (l->bridge[0] == '\0')
			ncp_ifname("nb", l->name, NULL, l->bridge);
		if (l->tap[0] == '\0')
			ncp_ifname("nt", l->name, NULL, l->tap);
		if (l->vde[0] == '\0')
			ncp_ifname("nv", l->name, NULL, l->vde);
		if (!name_ok(l->bridge) || !name_ok(l->tap) ||
		    !name_ok(l->vde))
			return ncp_fail(p, "LAN %s: bad interface names",
			    l->name);
		if (l->phys != NULL && l->phys[0] != '\0' && nc_valid_ifname(l->phys, NULL) < 0)
			return ncp_fail(p, "LAN %s: bad interface \"%s\"",
			    l->name, l->phys);
	}
	for (g = 0; g < pn->nguests; g++) {
		for (i = 0; i < pn->guests[g].nnics; i++) {
			struct ncp_nic *n = &pn->guests[g].nics[i];

			if (n->host_if[0] == '\0')
				ncp_ifname("nv", pn->guests[g].name, n->name,
				    n->host_if);
			if (!name_ok(n->host_if))
				return ncp_fail(p, "%s %s: bad host_if",
				    pn->guests[g].name, n->name);
		}
	}
	return 0;
}

/* The line of old for host_if ("host_if ..."), or NULL. */
static const char *
shape_old(const struct lines *old, const char *host_if)
{
	size_t i, n = strlen(host_if);

	for (i = 0; i < old->n; i++)
		if (strncmp(old->v[i], host_if, n) == 0 &&
		    old->v[i][n] == ' ')
			return old->v[i];
	return NULL;
}

/* The bandwidth and ifindex fields of a shaping line; 0, or -1. */
static int
shape_fields(const char *line, long *bw, long *idx)
{
	char name[16];
	double d, l;

	if (line == NULL || sscanf(line, "%15s %lf %lf %ld %ld", name, &d,
	    &l, bw, idx) != 5)
		return -1;
	return 0;
}

/* Shape one NIC's host side; its line goes to want when it is shaped. */
static void
shape_nic(struct ncprov *p, const struct ncp_nic *n,
    const struct lines *old, struct nc_buf *want, struct nc_buf *errs)
{
	char *dev = (char *)n->host_if, *line = NULL;
	char delay[32], loss[32], rate[32];
	const char *was = shape_old(old, dev);
	struct nc_buf mine = { 0 };
	long idx, old_bw = 0, old_idx = -1;
	int on = n->delay_ms > 0 || n->loss > 0 || n->bandwidth_kbps > 0;
	int dry = !for_real(p), netem = n->delay_ms > 0 || n->loss > 0;
	static int no_netem;	/* this kernel said so once: not again */

	if (!dev_exists(p, dev))
		return;		/* not yet: the backend makes it */
	idx = dev_num(p, dev, "ifindex");
	if (shape_fields(was, &old_bw, &old_idx) < 0 || old_idx != idx)
		was = NULL;	/* a new interface of the same name */
	if (!on) {
		if (was != NULL)
			run_cmd(p, (char *[]){ "tc", "qdisc", "del", "dev",
			    dev, "root", NULL }, dry, errs);
		return;
	}
	snprintf(delay, sizeof(delay), "%gms", n->delay_ms);
	snprintf(loss, sizeof(loss), "%g%%", n->loss * 100);
	snprintf(rate, sizeof(rate), "%ldkbit", n->bandwidth_kbps);
	line = nc_asprintf("%s %g %g %ld %ld", dev, n->delay_ms,
	    n->loss * 100, n->bandwidth_kbps, idx);
	if (was != NULL && strcmp(was, line) == 0)
		goto keep;
	/* A tbf child no longer wanted goes with the old root. */
	if (was != NULL && n->bandwidth_kbps <= 0 && old_bw > 0 &&
	    run_cmd(p, (char *[]){ "tc", "qdisc", "del", "dev", dev, "root",
	    NULL }, dry, errs) < 0)
		goto out;
	nc_buf_reset(&mine);
	/* Bandwidth alone needs no netem: tbf is the root then. */
	if (netem && !no_netem && run_cmd(p, (char *[]){ "tc", "qdisc",
	    "replace", "dev", dev, "root", "handle", "1:", "netem", "delay",
	    delay, "loss", loss, NULL }, dry, &mine) < 0) {
		if (strstr(nc_buf_str(&mine), "kind is unknown") == NULL) {
			addf_err(errs, dev, nc_buf_str(&mine));
			goto out;
		}
		no_netem = 1;
	}
	if (netem && no_netem) {
		/* A kernel without netem: bandwidth only, with a warning
		 * (once per change: the state then records it). */
		fprintf(stderr, "ncprov: network: warning: no netem in this "
		    "kernel: %s gets no delay or loss\n", dev);
		netem = 0;
	}
	if (n->bandwidth_kbps > 0 && run_cmd(p, netem ? (char *[]){ "tc",
	    "qdisc", "replace", "dev", dev, "parent", "1:1", "handle",
	    "10:", "tbf", "rate", rate, "burst", "32kbit", "latency",
	    "400ms", NULL } : (char *[]){ "tc", "qdisc", "replace", "dev",
	    dev, "root", "handle", "1:", "tbf", "rate", rate, "burst",
	    "32kbit", "latency", "400ms", NULL }, dry, errs) < 0)
		goto out;
keep:
	nc_buf_printf(want, "%s\n", line);
out:
	nc_buf_free(&mine);
	free(line);
}

int
ncp_pnode_shape(struct ncprov *p, struct ncp_pnode *pn)
{
	struct nc_buf want = { 0 }, errs = { 0 };
	struct lines old;
	long bw, idx;
	char name[16];
	size_t g, i;
	int rc = -1;

	lines_load(p, SHAPE_STATE, &old);
	if (fill_names(p, pn) < 0)
		goto out;
	for (g = 0; g < pn->nguests; g++)
		for (i = 0; i < pn->guests[g].nnics; i++)
			shape_nic(p, &pn->guests[g].nics[i], &old, &want,
			    &errs);
	/* Interfaces we shaped that are no longer ours: unshape. */
	for (i = 0; i < old.n; i++) {
		int ours = 0;

		if (sscanf(old.v[i], "%15s", name) != 1 || !name_ok(name))
			continue;
		for (g = 0; g < pn->nguests && !ours; g++) {
			size_t k;

			for (k = 0; k < pn->guests[g].nnics; k++)
				if (strcmp(pn->guests[g].nics[k].host_if,
				    name) == 0)
					ours = 1;
		}
		if (!ours && dev_exists(p, name) &&
		    shape_fields(old.v[i], &bw, &idx) == 0 &&
		    idx == dev_num(p, name, "ifindex"))
			run_cmd(p, (char *[]){ "tc", "qdisc", "del", "dev",
			    name, "root", NULL }, !for_real(p), &errs);
	}
	save_state(p, SHAPE_STATE, &want, &errs);
	rc = 0;
	if (errs.len > 0)
		rc = ncp_fail(p, "%s", nc_buf_str(&errs));
out:
	lines_free(&old);
	nc_buf_free(&want);
	nc_buf_free(&errs);
	return rc;
}

/* Split text into lines (for the teardown's comparison). */
static void
lines_from(const struct nc_buf *text, struct lines *l)
{
	const char *s, *nl;

	memset(l, 0, sizeof(*l));
	for (s = nc_buf_str(text); *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (nl > s)
			*NC_PUSH(l->v, l->n, l->cap) = nc_asprintf("%.*s",
			    (int)(nl - s), s);
	}
}

/* Add to old a "vde NAME" line for each switch with a pidfile in
 * /run/neoc/vde that it does not list (a run cut short before it saved
 * its state): one of ours all the same. */
static void
orphan_switches(struct lines *old)
{
	DIR *d = opendir(VDE_RUN);
	struct dirent *e;
	char name[64];
	size_t n;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n <= 4 || n - 4 >= sizeof(name) ||
		    strcmp(e->d_name + n - 4, ".pid") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 4), e->d_name);
		if (name_ok(name) && !lines_has2(old, "vde", name))
			*NC_PUSH(old->v, old->n, old->cap) =
			    nc_asprintf("vde %s", name);
	}
	closedir(d);
}

int
ncp_pnode_network(struct ncprov *p, struct ncp_pnode *pn)
{
	struct nc_buf want = { 0 }, errs = { 0 }, ahead = { 0 };
	struct lines old, wanted = { 0 };
	size_t i;
	int rc = -1;

	lines_load(p, NET_STATE, &old);
	if (real_state(p))
		orphan_switches(&old);
	if (fill_names(p, pn) < 0)
		goto out;
	for (i = 0; i < pn->nlans; i++) {
		struct ncp_lan *l = &pn->lans[i];

		nc_buf_printf(&want, "vde %s\ntap %s\nbridge %s\n", l->vde,
		    l->tap, l->bridge);
		if (l->phys != NULL && l->phys[0] != '\0')
			nc_buf_printf(&want, "phys %s %s\n", l->phys,
			    l->bridge);
	}
	lines_from(&want, &wanted);
	/* Before anything is made: what will be, and what still was. */
	nc_buf_add(&ahead, nc_buf_str(&want), want.len);
	for (i = 0; i < old.n; i++)
		if (!lines_has(&wanted, old.v[i]))
			nc_buf_printf(&ahead, "%s\n", old.v[i]);
	save_state(p, NET_STATE, &ahead, &errs);
	for (i = 0; i < pn->nlans; i++) {
		lan_switch(p, pn, &pn->lans[i], &old, &errs);
		lan_bridge(p, &pn->lans[i], &old, &errs);
	}
	teardown(p, &old, &wanted, &errs);
	save_state(p, NET_STATE, &want, &errs);
	if (errs.len > 0) {
		ncp_fail(p, "%s", nc_buf_str(&errs));
		goto out;
	}
	/* The pnode command shapes again after its containers started;
	 * under --dry-run, where no state is saved, only then. */
	rc = p->dry_run ? 0 : ncp_pnode_shape(p, pn);
out:
	lines_free(&old);
	lines_free(&wanted);
	nc_buf_free(&want);
	nc_buf_free(&ahead);
	nc_buf_free(&errs);
	return rc;
}
