/*
 * pnode_lxc_conf.c: what the lxc backend (pnode_lxc.c) writes for each
 * guest, a copy-on-write clone of an image build (pnode_rootfs.c): its
 * LXC config, the boot file /etc/neoc/node and the boot hook, the last
 * two in the overlay's upper layer LXCPATH/nc-<guest>/rootfs.
 *
 * The config (LXCPATH/nc-<guest>/config) is ours, whole: lxc.include of
 * the build's config (what every container of the image shares: for
 * Debian tini as init, lxc-stop's signals, /run; for busybox what its
 * template wrote), lxc.rootfs.path = overlay:BUILD/rootfs:UPPER, and,
 * between the marker lines "# BEGIN neo-containers" and
 * "# END neo-containers": the hostname; the control NIC lxc.net.0,
 * a veth "ctl0" on the control bridge with the guest's control address
 * (pnode_control.c) and, when the 9P server is routed, a default route;
 * one veth NIC per experiment interface (lxc.net.1..N) on its LAN's bridge
 * with the tree's MAC and a stable host-side name; read-only bind mounts
 * of ncprov and nc9pfs at /usr/sbin and /dev/fuse with the device cgroup
 * allowed (v1 and v2).  The upper layer gets the boot file
 * /etc/neoc/node (NODE=, NINEP=, ANAME=) and the hook
 * (provision/rc/rcS.hook, from NCPROV_RC_DIR or the installed copies) that
 * runs `ncprov container` at boot: a Debian clone as /etc/neoc/rcS.hook,
 * sourced by /etc/neoc/boot (provision/rc/node-boot), which tini runs; a
 * busybox clone appended to (its copy of) /etc/init.d/rcS, in place of
 * any earlier one between its markers.  Files go through ncp_replace, so
 * a second run changes nothing.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "util.h"

#define STEP "containers"
#define HOOK_BEGIN "# --- neo-containers"	/* the rcS hook's markers */
#define HOOK_END "# --- end neo-containers ---"
#define CONF_BEGIN "# BEGIN neo-containers"	/* our part of a config */
#define CONF_END "# END neo-containers"

/* A path as an fstab field (space, tab, newline, backslash escaped). */
static void
fstab_path(struct nc_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr(" \t\n\\", *s) != NULL)
			nc_buf_printf(b, "\\%03o", (unsigned char)*s);
		else
			nc_buf_add(b, s, 1);
	}
}

/* Our part of the config of guest g, index gi of the pnode's containers
 * (between the marker lines). */
static int
our_config(struct lxc_run *r, struct ncp_guest *g, size_t gi,
    struct nc_buf *b)
{
	char ctl[2 * INET_ADDRSTRLEN + 8], veth[16], gw[INET_ADDRSTRLEN];
	char br[16];
	size_t i, j, k;

	if (ncp_control_guest_addr(r, gi, ctl, sizeof(ctl)) < 0) {
		ncp_lxc_failed(r, g->name, "no room for it in the control "
		    "network %s", r->ctl);
		return -1;
	}
	ncp_ifname("nk", g->name, "ctl0", veth);
	ncp_control_bridge_name(gi / NCP_CTL_PER_BRIDGE, br);
	snprintf(gw, sizeof(gw), "%.*s", (int)strcspn(r->ctl, "/"), r->ctl);
	nc_buf_printf(b, CONF_BEGIN ": written by ncprov pnode, rewritten "
	    "on every run\nlxc.uts.name = %s\n", g->name);
	nc_buf_printf(b, "lxc.net.0.type = veth\n"
	    "lxc.net.0.link = %s\n"
	    "lxc.net.0.flags = up\n"
	    "lxc.net.0.name = ctl0\n"
	    "lxc.net.0.ipv4.address = %s\n"
	    "lxc.net.0.veth.pair = %s\n", br, ctl, veth);
	if (r->routed)
		nc_buf_printf(b, "lxc.net.0.ipv4.gateway = %s\n", gw);
	for (i = 0; i < g->nnics; i++) {
		struct ncp_nic *nic = &g->nics[i];
		struct ncp_lan *lan = NULL;

		k = i + 1;	/* lxc.net.0 is the control NIC */
		for (j = 0; j < r->pn->nlans && lan == NULL; j++)
			if (strcmp(r->pn->lans[j].name, nic->lan) == 0)
				lan = &r->pn->lans[j];
		if (lan == NULL || lan->bridge[0] == '\0') {
			ncp_lxc_failed(r, g->name, "%s: no bridge for its LAN",
			    nic->name);
			return -1;
		}
		if (nic->host_if[0] == '\0')
			ncp_ifname("nv", g->name, nic->name, nic->host_if);
		nc_buf_printf(b, "lxc.net.%zu.type = veth\n"
		    "lxc.net.%zu.link = %s\n"
		    "lxc.net.%zu.flags = up\n", k, k, lan->bridge, k);
		if (nic->mac != NULL && nic->mac[0] != '\0')
			nc_buf_printf(b, "lxc.net.%zu.hwaddr = %s\n", k,
			    nic->mac);
		nc_buf_printf(b, "lxc.net.%zu.name = %s\n"
		    "lxc.net.%zu.veth.pair = %s\n", k, nic->name, k,
		    nic->host_if);
	}
	if (r->ncprov != NULL) {
		nc_buf_puts(b, "lxc.mount.entry = ");
		fstab_path(b, r->ncprov);
		nc_buf_puts(b, " usr/sbin/ncprov none bind,ro,create=file "
		    "0 0\n");
	}
	if (r->nc9pfs != NULL) {
		nc_buf_puts(b, "lxc.mount.entry = ");
		fstab_path(b, r->nc9pfs);
		nc_buf_puts(b, " usr/sbin/nc9pfs none bind,ro,create=file "
		    "0 0\n");
	}
	nc_buf_puts(b, "lxc.mount.entry = /dev/fuse dev/fuse none "
	    "bind,optional,create=file 0 0\n"
	    "lxc.cgroup.devices.allow = c 10:229 rwm\n"
	    "lxc.cgroup2.devices.allow = c 10:229 rwm\n"
	    CONF_END "\n");
	return 0;
}

/*
 * Append to out the lines of text outside the block from a line starting
 * with begin to the line starting with end, and, when managed is given,
 * outside the lines it claims.
 */
static void
strip_block(const char *text, size_t len, const char *begin,
    const char *end, int (*managed)(const char *, size_t),
    struct nc_buf *out)
{
	const char *s = text, *stop = text + len, *nl;
	int in = 0;

	while (s < stop) {
		nl = memchr(s, '\n', (size_t)(stop - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(stop - s);

		if (!in && strncmp(s, begin, strlen(begin)) == 0 &&
		    l >= strlen(begin))
			in = 1;
		else if (in && l >= strlen(end) &&
		    strncmp(s, end, strlen(end)) == 0)
			in = 0;
		else if (!in && (managed == NULL || !managed(s, l))) {
			nc_buf_add(out, s, l);
			nc_buf_puts(out, "\n");
		}
		s += l + 1;
	}
}

/* Write a file under the container's directory (rel from it); 0 or -1. */
static int
put(struct lxc_run *r, const struct ncp_guest *g, const char *cname,
    const char *rel, const struct nc_buf *data, mode_t mode)
{
	char *abs = nc_asprintf(LXC_DIR "/%s/%s", cname, rel);
	char *dir = nc_strdup(abs);
	int rc;

	*strrchr(dir, '/') = '\0';
	if ((rc = ncp_mkdirs(r->p, dir, 0755)) >= 0)
		rc = ncp_replace(r->p, abs, nc_buf_str(data), data->len,
		    mode, 0, 0);
	if (rc < 0) {
		char *msg = nc_asprintf("%s: %s", abs, strerror(-rc));

		ncp_lxc_failed(r, g->name, "%s", msg);
		free(msg);
	} else if (rc > 0)
		ncp_report(r->p, STEP, "%s", abs);
	free(dir);
	free(abs);
	return rc < 0 ? -1 : 0;
}

/* Read a file of the container as it sees it: its upper layer's
 * (LXC_DIR/cname/rootfs/rel, under root) when there, else the build's
 * (lower); 0 or -errno. */
static int
read_merged(struct lxc_run *r, const struct ncp_build *b, const char *cname,
    const char *rel, struct nc_buf *out, int *ex)
{
	struct ncprov bare = { .root = "" };
	char *abs = nc_asprintf(LXC_DIR "/%s/rootfs/%s", cname, rel);
	int rc = ncp_read_local(r->p, abs, out, ex);

	free(abs);
	if (rc < 0 || *ex)
		return rc;
	abs = nc_asprintf("%s/rootfs/%s", b->dir, rel);
	rc = ncp_read_local(&bare, abs, out, ex);
	free(abs);
	return rc;
}

int
ncp_lxc_configure(struct lxc_run *r, struct ncp_guest *g, size_t gi,
    const char *cname)
{
	const struct ncp_build *bd = &r->builds[gi];
	struct nc_buf old = { 0 }, b = { 0 };
	int ex, rc = 0, ret = -1, i;

	/* config: the build's lines, the overlay, ours */
	nc_buf_printf(&b, "# LXC config of %s: a clone of image %s, build %s "
	    "(written by ncprov pnode)\n"
	    "lxc.include = %s/config\n"
	    "lxc.rootfs.path = overlay:%s/rootfs:%s/%s/rootfs\n",
	    cname, bd->name, bd->id, bd->dir, bd->dir, r->lxcpath, cname);
	if (our_config(r, g, gi, &b) < 0 ||
	    put(r, g, cname, "config", &b, 0644) < 0)
		goto cleanup;

	/* the boot file */
	nc_buf_reset(&b);
	nc_buf_printf(&b, "NODE=%s\n", g->name);
	if (r->pn->ninep != NULL && r->pn->ninep[0] != '\0')
		nc_buf_printf(&b, "NINEP=%s\n", r->pn->ninep);
	if (r->pn->aname != NULL && r->pn->aname[0] != '\0')
		nc_buf_printf(&b, "ANAME=%s\n", r->pn->aname);
	if (put(r, g, cname, "rootfs/etc/neoc/node", &b, 0644) < 0)
		goto cleanup;
	/* The hook's directories, made here so that no container runs a
	 * mkdir at its first boot (a process: ~8 ms of its CPU). */
	for (i = 0; i < 2; i++) {
		char *d = nc_asprintf(LXC_DIR "/%s/rootfs/var/%s/neoc", cname,
		    i == 0 ? "log" : "lib");

		rc = ncp_mkdirs(r->p, d, 0755);
		free(d);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		ncp_lxc_failed(r, g->name, "%s", strerror(-rc));
		goto cleanup;
	}

	if (bd->kind == NCP_ROOTFS_DEBIAN) {
		/* tini runs /etc/neoc/boot, which sources the hook */
		nc_buf_reset(&b);
		nc_buf_puts(&b, r->boot);
		if (put(r, g, cname, "rootfs/etc/neoc/boot", &b, 0755) < 0)
			goto cleanup;
		nc_buf_reset(&b);
		nc_buf_puts(&b, r->hook);
		if (put(r, g, cname, "rootfs/etc/neoc/rcS.hook", &b,
		    0644) < 0)
			goto cleanup;
		ret = 0;
		goto cleanup;
	}
	/* busybox init: the rcS hook, the current one in place of any
	 * earlier, in the upper layer's copy of the build's rcS */
	if ((rc = read_merged(r, bd, cname, "etc/init.d/rcS", &old,
	    &ex)) < 0) {
		ncp_lxc_failed(r, g->name, "%s", strerror(-rc));
		goto cleanup;
	}
	nc_buf_reset(&b);
	if (!ex || old.len == 0)
		nc_buf_puts(&b, "#!/bin/sh\n");
	else
		strip_block(nc_buf_str(&old), old.len, HOOK_BEGIN, HOOK_END,
		    NULL, &b);
	nc_buf_puts(&b, r->hook);
	if (put(r, g, cname, "rootfs/etc/init.d/rcS", &b, 0755) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	nc_buf_free(&old);
	nc_buf_free(&b);
	return ret;
}

/* The file name of provision/rc/ from NCPROV_RC_DIR or the installed
 * copies, when it starts with first; else NULL. */
static char *
load_rc(struct ncprov *p, const char *name, const char *first)
{
	const char *dir = getenv("NCPROV_RC_DIR");
	struct nc_buf b = { 0 };
	char *path, *s = NULL;
	int ex;

	if (dir != NULL && *dir != '\0') {
		struct ncprov bare = { .root = "" };

		path = nc_asprintf("%s/%s", dir, name);
		ncp_read_local(&bare, path, &b, &ex);
		free(path);
	}
	if (b.len == 0) {
		path = nc_asprintf("/usr/local/share/neoc/rc/%s", name);
		ncp_read_local(p, path, &b, &ex);
		free(path);
	}
	if (b.len == 0) {
		path = nc_asprintf("/usr/share/neoc/rc/%s", name);
		ncp_read_local(p, path, &b, &ex);
		free(path);
	}
	if (b.len > 0 && strncmp(b.p, first, strlen(first)) == 0) {
		if (b.p[b.len - 1] != '\n')
			nc_buf_puts(&b, "\n");
		s = nc_strdup(b.p);
	}
	nc_buf_free(&b);
	return s;
}

char *
ncp_lxc_load_boot(struct ncprov *p)
{
	char *s = load_rc(p, "node-boot", "#!/bin/sh\n");

	if (s != NULL)
		return s;
	return nc_strdup("#!/bin/sh\n"
	    "# node-boot: written by ncprov pnode (its own copy)\n"
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	    "export PATH\n"
	    "ip link set lo up 2> /dev/null\n"
	    "mkdir -p /run/sshd /var/log/neoc\n"
	    "[ -r /etc/neoc/rcS.hook ] && . /etc/neoc/rcS.hook\n"
	    "exec sleep infinity\n");
}

char *
ncp_lxc_load_hook(struct ncprov *p)
{
	const char *dir = getenv("NCPROV_RC_DIR");
	struct nc_buf b = { 0 };
	char *path, *s;
	int ex;

	if (dir != NULL && *dir != '\0') {
		path = nc_asprintf("%s/rcS.hook", dir);
		struct ncprov bare = { .root = "" };

		ncp_read_local(&bare, path, &b, &ex);
		free(path);
	}
	if (b.len == 0)
		ncp_read_local(p, "/usr/local/share/neoc/rc/rcS.hook", &b,
		    &ex);
	if (b.len == 0)
		ncp_read_local(p, "/usr/share/neoc/rc/rcS.hook", &b, &ex);
	/* the hook starts with a blank line (it is appended to rcS) */
	if (b.len == 0 || strncmp(b.p + strspn(b.p, "\n"), HOOK_BEGIN,
	    strlen(HOOK_BEGIN)) || strstr(b.p, HOOK_END) == NULL) {
		nc_buf_reset(&b);
		nc_buf_puts(&b, HOOK_BEGIN ": provision this container at "
		    "boot (ncprov container) ---\n"
		    "[ -r /etc/neoc/node ] && mkdir -p /var/log/neoc "
		    "/var/lib/neoc && "
		    "(R=/var/lib/neoc/boot.result; rm -f $R; n=0; "
		    "until /usr/sbin/ncprov status booting; do "
		    "n=$((n + 1)); [ $n -ge 120 ] && { echo '1 the 9P server "
		    "was not reachable within 120 s; gave up' > $R; exit 1; }; "
		    "sleep 1; done; "
		    "n=0; while :; do /usr/sbin/ncprov container; rc=$?; "
		    "n=$((n + 1)); [ $rc -eq 75 ] && [ $n -lt 3 ] || break; "
		    "sleep 1; done; echo \"$rc ncprov container: exit $rc\" "
		    "> $R) < /dev/null "
		    ">> /var/log/neoc/ncprov.log 2>&1 &\n" HOOK_END "\n");
	}
	if (b.p[b.len - 1] != '\n')
		nc_buf_puts(&b, "\n");
	/* from its first marker: appended again in place of the old one,
	 * a blank line before it would pile up in rcS */
	s = nc_strdup(b.p + strspn(b.p, "\n"));
	nc_buf_free(&b);
	return s;
}
