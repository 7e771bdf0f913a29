/*
 * pnode.c: ncprov pnode, the steps of a pnode in order: hosts, the virtual
 * network, images, the containers (lxc and vagrant backends), shaping of
 * their attachments; after a successful run (not --dry-run) the boot file
 * /etc/neoc/pnode (bootfile.h) with what it takes to run it again.  The
 * pnode's part of the experiment is read once (ncp_pnode_load): its
 * containers, their interfaces and images, and the LANs they are on.
 *
 * With --watch, a successful run then starts the pnode's watcher
 * (pnode_watch.c), which provisions running containers again when their
 * configuration generation moves.  With --settle S it watches the lxc
 * guests it started, S seconds at most, until each is ready or failed
 * (pnode_settle.c).
 *
 * ncprov down undoes it with no tree: the watcher is stopped, then the
 * same steps run with an empty
 * pnode (no container, no LAN), in reverse order -- shaping, vagrant,
 * lxc, network (images stay in the cache) -- so each tears down what its
 * state files say it made, exactly as when the tree no longer needs it;
 * then the experiment's block of /etc/hosts and the boot file go (the
 * boot file stays with --keep-boot: the boot unit's stop, after which
 * the next start or boot provisions the pnode again).  down
 * goes on after a failure, writes no status, and says "no changes" when
 * there was nothing to take down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfile.h"
#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "pnode_net.h"
#include "pnode_watch.h"
#include "steps.h"
#include "util.h"

/* Read entry e of the tree (lib/nctree.h; its keys k0, k1) into a fresh
 * string without its trailing newline; "" when missing. */
static char *
tree_str(struct ncprov *p, enum nct_id e, const char *k0, const char *k1)
{
	struct nc_buf b = { 0 };
	char path[NCT_PATH_MAX], *s;

	if (nct_path(path, sizeof(path), e, k0, k1) < 0 ||
	    p->src.ops->read(p->src.impl, path, &b) < 0)
		nc_buf_reset(&b);
	while (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	s = nc_strdup(nc_buf_str(&b));
	nc_buf_free(&b);
	return s;
}

static long
to_long(const char *s)
{
	return strtol(s, NULL, 10);
}

static double
to_double(const char *s)
{
	return strtod(s, NULL);
}


/* The LAN called name in pn (added when new). */
static struct ncp_lan *
lan_of(struct ncprov *p, struct ncp_pnode *pn, const char *name,
    size_t *cap)
{
	struct ncp_lan *l;
	size_t i;
	char *v;

	for (i = 0; i < pn->nlans; i++)
		if (strcmp(pn->lans[i].name, name) == 0)
			return &pn->lans[i];
	l = NC_PUSH(pn->lans, pn->nlans, *cap);
	l->name = nc_strdup(name);
	v = tree_str(p, NCT_LAN_BANDWIDTH, name, NULL);
	l->bandwidth_kbps = to_long(v);
	free(v);
	v = tree_str(p, NCT_LAN_DELAY, name, NULL);
	l->delay_ms = to_double(v);
	free(v);
	v = tree_str(p, NCT_LAN_LOSS, name, NULL);
	l->loss = to_double(v);
	free(v);
	return l;
}

/* The pnode's physical interface on lan (nodes/<pnode>/physical). */
static char *
phys_for(const char *physical, const char *lan)
{
	const char *s = physical, *nl;
	char ifname[64], mac[64], lname[128];

	for (; *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (sscanf(s, "%63s %63s %127s", ifname, mac, lname) == 3 &&
		    strcmp(lname, lan) == 0)
			return nc_strdup(ifname);
	}
	return NULL;
}

static int
load_guest(struct ncprov *p, struct ncp_pnode *pn, const char *name,
    size_t *lancap, const char *physical)
{
	struct ncp_guest *g = NC_PUSH(pn->guests, pn->nguests, pn->capguests);
	char **ifs = NULL, dir[NCT_PATH_MAX];
	size_t nifs = 0, i, capnics = 0;
	struct ncp_lan *l;
	int rc;

	g->name = nc_strdup(name);
	g->image = tree_str(p, NCT_NIMG_NAME, name, NULL);
	g->image_os = tree_str(p, NCT_NIMG_OS, name, NULL);
	g->image_type = tree_str(p, NCT_NIMG_TYPE, name, NULL);
	g->packages = tree_str(p, NCT_NIMG_PACKAGES, name, NULL);
	g->image_url = tree_str(p, NCT_NIMG_URL, name, NULL);
	g->image_version = tree_str(p, NCT_NIMG_VERSION, name, NULL);
	g->image_provider = tree_str(p, NCT_NIMG_PROVIDER, name, NULL);
	g->memory = tree_str(p, NCT_ATTR, name, "containers:memory");
	g->cpus = tree_str(p, NCT_ATTR, name, "containers:cpus");
	if ((rc = nct_dir_path(dir, sizeof(dir), NCT_D_IFACES, name,
	    NULL)) >= 0)
		rc = p->src.ops->list(p->src.impl, dir, &ifs, &nifs);
	if (rc < 0 && rc != -ENOENT)
		return ncp_fail(p, "%s: listing interfaces: %s", name,
		    strerror(-rc));
	for (i = 0; i < nifs; i++) {
		struct ncp_nic *n = NC_PUSH(g->nics, g->nnics, capnics);
		char *v;

		n->name = nc_strdup(ifs[i]);
		n->lan = tree_str(p, NCT_IFACE_LAN, name, ifs[i]);
		n->mac = tree_str(p, NCT_IFACE_MAC, name, ifs[i]);
		n->ip = tree_str(p, NCT_IFACE_IP, name, ifs[i]);
		n->netmask = tree_str(p, NCT_IFACE_NETMASK, name, ifs[i]);
		v = tree_str(p, NCT_IFACE_BANDWIDTH, name, ifs[i]);
		n->bandwidth_kbps = to_long(v);
		free(v);
		v = tree_str(p, NCT_IFACE_DELAY, name, ifs[i]);
		n->delay_ms = to_double(v);
		free(v);
		v = tree_str(p, NCT_IFACE_LOSS, name, ifs[i]);
		n->loss = to_double(v);
		free(v);
		l = lan_of(p, pn, n->lan, lancap);
		if (l->phys == NULL)
			l->phys = phys_for(physical, n->lan);
	}
	ncp_names_free(ifs, nifs);
	return 0;
}

int
ncp_pnode_load(struct ncprov *p, struct ncp_pnode *pn)
{
	char *list = tree_str(p, NCT_NODE_CONTAINERS, p->node,
	    NULL), *physical, *s, *nl;
	size_t lancap = 0;
	int rc = 0;

	memset(pn, 0, sizeof(*pn));
	physical = tree_str(p, NCT_NODE_PHYSICAL, p->node, NULL);
	for (s = list; *s != '\0' && rc == 0; s = nl) {
		nl = strchr(s, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		else
			nl = s + strlen(s);
		if (*s != '\0')
			rc = load_guest(p, pn, s, &lancap, physical);
	}
	free(list);
	free(physical);
	pn->ninep = nc_strdup(p->guest_9p ? p->guest_9p : "");
	pn->aname = nc_strdup(p->guest_aname ? p->guest_aname : "/nc");
	return rc;
}

void
ncp_pnode_free(struct ncp_pnode *pn)
{
	size_t i, k;

	for (i = 0; i < pn->nguests; i++) {
		struct ncp_guest *g = &pn->guests[i];

		free(g->name);
		free(g->image);
		free(g->image_os);
		free(g->image_type);
		free(g->packages);
		free(g->image_url);
		free(g->image_version);
		free(g->image_provider);
		free(g->memory);
		free(g->cpus);
		for (k = 0; k < g->nnics; k++) {
			free(g->nics[k].name);
			free(g->nics[k].lan);
			free(g->nics[k].mac);
			free(g->nics[k].ip);
			free(g->nics[k].netmask);
		}
		free(g->nics);
	}
	free(pn->guests);
	for (i = 0; i < pn->nlans; i++) {
		free(pn->lans[i].name);
		free(pn->lans[i].phys);
	}
	free(pn->lans);
	free(pn->ninep);
	free(pn->aname);
	ncp_names_free(pn->started, pn->nstarted);
	memset(pn, 0, sizeof(*pn));
}

/* A step of the pnode. */
struct pstep {
	const char *name;				/* for status */
	int (*run)(struct ncprov *, struct ncp_pnode *); /* the step */
};

static int
hosts_step(struct ncprov *p, struct ncp_pnode *pn)
{
	(void)pn;
	return ncp_step_hosts(p);
}

static const struct pstep psteps[] = {
	{ "hosts", hosts_step },
	{ "network", ncp_pnode_network },
	{ "images", ncp_pnode_images },
	{ "lxc", ncp_pnode_lxc },
	{ "vagrant", ncp_pnode_vagrant },
	{ "shaping", ncp_pnode_shape },
};

/* The boot file of this run: its source and options (bootfile.h). */
static int
write_bootfile(struct ncprov *p, const struct ncp_pnode *pn)
{
	struct ncp_boot b = {
		.node = (char *)p->node,
		.tree = (char *)p->tree,
		.ninep = (char *)p->ninep,
		.aname = (char *)p->aname,
		.guest_ninep = pn->ninep,
		.guest_aname = pn->aname,
		.control_net = (char *)p->control_net,
		.backend = (char *)p->backend,
		.no_export = p->no_export,
	};
	int rc = ncp_boot_write(p, NCP_PNODE_BOOTFILE, &b);

	if (rc < 0)
		return ncp_fail(p, NCP_PNODE_BOOTFILE ": %s", strerror(-rc));
	return 0;
}

int
ncprov_pnode(struct ncprov *p, int argc, char **argv)
{
	struct ncp_watch_opts wo = { 0 };
	struct ncp_pnode pn;
	char *guests;
	size_t i;
	int failed = 0;

	if (ncp_watch_args(argc, argv, &wo) < 0 || wo.detach) {
		fprintf(stderr, "usage: ncprov [options] pnode [--watch "
		    "[--interval MS]]\n");
		return 2;
	}
	p->why[0] = '\0';
	/* no watcher provisions a container while this run does */
	if (ncp_watch_kill(p) < 0)
		fprintf(stderr, "ncprov: watch: %s\n", p->why);
	/* the generations this run applies at least (the watcher's start) */
	guests = ncp_watch_guests_read(p);
	if (ncp_pnode_load(p, &pn) < 0) {
		fprintf(stderr, "ncprov: reading the tree: %s\n", p->why);
		ncp_pnode_free(&pn);
		free(guests);
		return 1;
	}
	for (i = 0; i < sizeof(psteps) / sizeof(psteps[0]); i++) {
		if (!p->dry_run)
			ncprov_set_status(p, NCT_PROVISIONING, psteps[i].name,
			    NULL);
		p->why[0] = '\0';
		if (psteps[i].run(p, &pn) < 0) {
			fprintf(stderr, "ncprov: %s: %s\n", psteps[i].name,
			    p->why);
			if (!p->dry_run)
				ncprov_set_status(p, NCT_FAILED, psteps[i].name,
				    p->why);
			failed = 1;
			break;	/* later steps build on this one */
		}
	}
	/* Provisioned: a reboot does it again from the boot file. */
	if (!failed && !p->dry_run && write_bootfile(p, &pn) < 0) {
		fprintf(stderr, "ncprov: boot: %s\n", p->why);
		ncprov_set_status(p, NCT_FAILED, "boot", p->why);
		failed = 1;
	}
	if (!failed && !p->dry_run && ncp_watch_baseline(p, guests) < 0)
		fprintf(stderr, "ncprov: " NCP_WATCH_APPLIED ": cannot write\n");
	free(guests);
	if (!failed && p->changes == 0)
		printf("no changes\n");
	if (!failed && !p->dry_run)
		ncprov_set_status(p, NCT_READY, NULL, NULL);
	/* then the watcher: edits reach the containers without a new run */
	if (!failed && !p->dry_run && wo.watch && ncp_watch_spawn(p, &wo) < 0) {
		fprintf(stderr, "ncprov: %s\n", p->why);
		failed = 1;
	}
	/* The guests it started settle, or are said to have failed. */
	if (p->settle_s > 0 && pn.nstarted > 0) {
		char *lxcpath = ncp_path(p, LXC_DIR);

		ncp_lxc_settle(p, lxcpath, pn.started, pn.nstarted,
		    p->settle_s);
		free(lxcpath);
	}
	ncp_pnode_free(&pn);
	return failed;
}

static int
hosts_down(struct ncprov *p, struct ncp_pnode *pn)
{
	(void)pn;
	return ncp_hosts_remove(p);
}

/* The boot file goes too, unless the boot unit's stop keeps it for the
 * next start (--keep-boot). */
static int
bootfile_down(struct ncprov *p, struct ncp_pnode *pn)
{
	int rc = p->keep_boot ? 0 : ncp_boot_remove(p, NCP_PNODE_BOOTFILE);

	(void)pn;
	if (rc < 0)
		return ncp_fail(p, NCP_PNODE_BOOTFILE ": %s", strerror(-rc));
	return 0;
}

/* ncprov down: the pnode's steps in reverse, on an empty pnode. */
static const struct pstep dsteps[] = {
	{ "watch", ncp_watch_stop },
	{ "shaping", ncp_pnode_shape },
	{ "vagrant", ncp_pnode_vagrant },
	{ "lxc", ncp_pnode_lxc },
	{ "network", ncp_pnode_network },
	{ "hosts", hosts_down },
	{ "boot", bootfile_down },
};

int
ncprov_down(struct ncprov *p, int argc, char **argv)
{
	struct ncp_pnode pn;
	size_t i;
	int failed = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ncprov [--node NAME] [--root DIR] "
		    "[--dry-run] down\n");
		return 2;
	}
	/* Nothing wanted: every step takes down all it made. */
	memset(&pn, 0, sizeof(pn));
	pn.ninep = nc_strdup("");
	pn.aname = nc_strdup("");
	p->down = 1;
	for (i = 0; i < sizeof(dsteps) / sizeof(dsteps[0]); i++) {
		p->why[0] = '\0';
		if (dsteps[i].run(p, &pn) < 0) {
			fprintf(stderr, "ncprov: down%s%s: %s: %s\n",
			    p->node ? " " : "", p->node ? p->node : "",
			    dsteps[i].name, p->why[0] ? p->why : "failed");
			failed = 1;	/* the others still go */
		}
	}
	if (!failed && p->changes == 0)
		printf("no changes\n");
	ncp_pnode_free(&pn);
	return failed;
}
