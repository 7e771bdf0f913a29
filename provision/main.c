/*
 * main.c: ncprov, the provisioner of pnodes and containers.
 *
 *   ncprov [--tree DIR | --9p HOST:PORT [--aname /nc]] --node NAME
 *          [--root DIR] [--dry-run] [--no-start] [--timeout MS] [--jobs N]
 *          COMMAND ...
 *
 * What the command line leaves out (the source, the node) comes from a
 * boot file (bootfile.h): /etc/neoc/pnode for the pnode command, which
 * writes it after a successful run, /etc/neoc/node for the others.
 * `ncprov down` reads no tree at all.  It links only libc (make
 * ncprov-static), so a pnode can drop it into any image.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfile.h"
#include "ncprov.h"
#include "pnode.h"
#include "pnode_watch.h"
#include "run.h"

/* A command of ncprov. */
struct command {
	const char *name;	/* the word */
	int (*run)(struct ncprov *, int, char **); /* its main */
	const char *summary;	/* for usage() */
	int pnode;		/* a pnode's: /etc/neoc/pnode, not node */
	int no_tree;		/* reads no tree (no source opened) */
	int snapshot;		/* reads its node's configuration at once
				 * (--fetch) */
};

static const struct command commands[] = {
	{ "show", ncprov_show, "print the node's subtree, \"path: value\"", 0,
	    0, 1 },
	{ "status", ncprov_status,
	    "STATE [STEP] [MESSAGE]: write the node's status", 0, 0, 0 },
	{ "container", ncprov_container,
	    "provision this container (run at boot): hosts, groups,\n"
	    "           accounts, logins, ifaces, routes, mounts, tarfiles,\n"
	    "           startcmd", 0, 0, 1 },
	{ "pnode", ncprov_pnode,
	    "[--watch [--interval MS]]: provision this pnode: network,\n"
	    "           images, containers; --watch then starts the watcher",
	    1, 0, 0 },
	{ "watch", ncprov_watch,
	    "[--interval MS] [--detach]: provision this pnode's running\n"
	    "           containers again when their configuration changes", 1,
	    0, 0 },
	{ "down", ncprov_down,
	    "undo pnode: containers, network, hosts block, boot file", 1,
	    1, 0 },
	{ NULL, NULL, NULL, 0, 0, 0 },
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f,
"usage: ncprov [--tree DIR | --9p HOST:PORT [--aname /nc]] --node NAME\n"
"              [--root DIR] [--dry-run] [--no-start] [--timeout MS]\n"
"              [--jobs N] [--settle S] [--fetch bundle|pipeline|each]\n"
"              COMMAND [args]\n"
"       ncprov [--node NAME] [--root DIR] [--dry-run] [--keep-boot]\n"
"              [--jobs N] down\n"
"\n"
"  --tree DIR       read the experiment tree from a mounted directory\n"
"  --9p HOST:PORT   read it from diod over 9P2000.L (no kernel 9p needed)\n"
"  --aname PATH     the export to attach (default /nc)\n"
"  --node NAME      this node's name\n"
"  --root DIR       prefix every local path with DIR (tests)\n"
"  --dry-run        print the changes without making them\n"
"  --no-start       start nothing\n"
"  --timeout MS     connect and reply timeout for 9P (default 10000)\n"
"  --jobs N         pnode, watch, down: lxc-start/-stop/-destroy/-attach and\n"
"                   vagrant commands run at once (default %zu: %d per\n"
"                   CPU; vagrant at most 4); each one's timeout counts\n"
"                   from its own start\n"
"  --fetch HOW      show, container over 9P: how the node's configuration\n"
"                   is read: bundle (default) reads nodes/NODE/bundle, one\n"
"                   snapshot in one request of each kind, and without one\n"
"                   does as pipeline; pipeline reads the whole subtree with\n"
"                   many requests in flight, a level at a time; each reads\n"
"                   a file when a step asks for it\n"
"  --settle S       pnode: then watch the lxc guests it started, S seconds\n"
"                   at most, until each is ready or failed; one whose boot\n"
"                   hook gave up or whose container stopped is written\n"
"                   failed (default 0: not watched; neoc up gives its\n"
"                   --ready-timeout)\n"
"  --backend B      pnode: lxc or vagrant for every container\n"
"  --guest-9p H:P   pnode: where containers read the tree (boot file;\n"
"                   default the control bridge's address, port 564);\n"
"                   outside the control network, containers get a\n"
"                   default route via the bridge and this pnode\n"
"                   forwards and masquerades (nftables table ip neoc)\n"
"  --guest-aname A  pnode: that export (default /nc)\n"
"  --control-net A.B.C.D/NN\n"
"                   pnode: the control bridge's address (default\n"
"                   " NCP_CTL_DEFAULT ")\n"
"  --no-export      pnode: no diod export of the home directories\n"
"  --images DIR     pnode: where image builds are kept, not under --root\n"
"                   (default ROOT/var/lib/neoc/images)\n"
"  --keep-boot      down: keep " NCP_PNODE_BOOTFILE " (the boot unit's stop:\n"
"                   the next start or boot provisions again)\n"
"\ncommands:\n", ncp_jobs_default(), NCP_JOBS_PER_CPU);
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f,
"\n"
"Without --tree/--9p or --node, the pnode command reads them (and\n"
"--guest-9p, --guest-aname, --no-export, --control-net, --backend) from\n"
"the boot file " NCP_PNODE_BOOTFILE ", which a successful run writes;\n"
"the options given override it.  The other commands read " NCP_BOOTFILE ".\n"
"\n"
"watch reads experiment/confgen every --interval (default 500 ms); when\n"
"it moved, nodes/PNODE/guests (\"GUEST GEN\" lines), and runs ncprov\n"
"container again in each running container whose generation is newer\n"
"than the one applied (/var/lib/neoc/applied): it wakes the container's\n"
"agent (UDP port 5649 of its control address; started by the container's\n"
"first run), which runs the steps whose inputs changed, or, when none\n"
"answers, enters it with lxc-attach.  A change that\n"
"needs a restart (an interface added or removed, another image) is noted\n"
"in the container's status (step restart).  A lost connection is opened\n"
"again (0.5 s doubling to 30 s).  One per pnode: its pid is in\n"
"/var/lib/neoc/watch.pid; --detach runs it in the background (log\n"
"/var/lib/neoc/watch.log).  SIGTERM stops it; SIGUSR1 logs its counts.\n"
"\n"
"down stops the watcher, then stops and destroys every container this\n"
"pnode made (lxc-stop -k, lxc-destroy; vagrant destroy -f), and tears\n"
"down the link shaping, the VDE switches, TAPs and bridges, the control\n"
"bridge " NCP_CTL_BRIDGE ", the\n"
"nftables table ip " NCP_NAT_TABLE " and the forwarding it turned on, the\n"
"experiment's block of /etc/hosts and " NCP_PNODE_BOOTFILE " (unless\n"
"--keep-boot): all from the pnode's own state (/var/lib/neoc,\n"
"/run/neoc/vde), with no tree and no status written.  It goes on after a\n"
"failure; exit 0 when everything is gone (\"no changes\" when nothing was\n"
"there), 1 otherwise.\n");
}

enum { OPT_TREE = 256, OPT_9P, OPT_ANAME, OPT_NODE, OPT_ROOT, OPT_DRY,
	OPT_NOSTART, OPT_TIMEOUT, OPT_BACKEND, OPT_GUEST9P, OPT_GUESTANAME,
	OPT_NOEXPORT, OPT_CONTROLNET, OPT_KEEPBOOT, OPT_IMAGES, OPT_JOBS,
	OPT_FETCH, OPT_SETTLE };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "tree", required_argument, NULL, OPT_TREE },
	{ "9p", required_argument, NULL, OPT_9P },
	{ "aname", required_argument, NULL, OPT_ANAME },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "no-start", no_argument, NULL, OPT_NOSTART },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "guest-9p", required_argument, NULL, OPT_GUEST9P },
	{ "guest-aname", required_argument, NULL, OPT_GUESTANAME },
	{ "no-export", no_argument, NULL, OPT_NOEXPORT },
	{ "control-net", required_argument, NULL, OPT_CONTROLNET },
	{ "keep-boot", no_argument, NULL, OPT_KEEPBOOT },
	{ "images", required_argument, NULL, OPT_IMAGES },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "fetch", required_argument, NULL, OPT_FETCH },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	struct ncprov p = { .root = "" };
	struct ncp_boot boot = { 0 };
	const char *tree = NULL, *hostport = NULL, *aname = "/nc";
	const struct command *c;
	char errbuf[256] = "", ninep[64];
	unsigned long ctl_addr;
	int ctl_prefix;
	long timeout = 10000, jobs;
	enum ncp_fetch_mode fetch = NCP_FETCH_BUNDLE;
	char *end;
	int ch, rc;

	/* One line at a time, so a log of stdout and stderr reads in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Options stop at the command word. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return 0;
		case OPT_TREE: tree = optarg; break;
		case OPT_9P: hostport = optarg; break;
		case OPT_ANAME: aname = optarg; break;
		case OPT_NODE: p.node = optarg; break;
		case OPT_ROOT: p.root = optarg; break;
		case OPT_DRY: p.dry_run = 1; break;
		case OPT_NOSTART: p.no_start = 1; break;
		case OPT_BACKEND:
			if (strcmp(optarg, "lxc") != 0 &&
			    strcmp(optarg, "vagrant") != 0)
				errx(2, "--backend: lxc or vagrant");
			p.backend = optarg;
			break;
		case OPT_GUEST9P: p.guest_9p = optarg; break;
		case OPT_GUESTANAME: p.guest_aname = optarg; break;
		case OPT_NOEXPORT: p.no_export = 1; break;
		case OPT_KEEPBOOT: p.keep_boot = 1; break;
		case OPT_IMAGES:
			if (optarg[0] != '/')
				errx(2, "--images: \"%s\" is not an absolute "
				    "path", optarg);
			p.images = optarg;
			break;
		case OPT_CONTROLNET:
			if (ncp_control_parse(optarg, &ctl_addr,
			    &ctl_prefix) < 0)
				errx(2, "--control-net: \"%s\" is not "
				    "A.B.C.D/NN", optarg);
			p.control_net = optarg;
			break;
		case OPT_FETCH:
			if (strcmp(optarg, "bundle") == 0)
				fetch = NCP_FETCH_BUNDLE;
			else if (strcmp(optarg, "pipeline") == 0)
				fetch = NCP_FETCH_PIPELINE;
			else if (strcmp(optarg, "each") == 0)
				fetch = NCP_FETCH_EACH;
			else
				errx(2, "--fetch: bundle, pipeline or each");
			break;
		case OPT_TIMEOUT:
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || timeout < 1 || timeout > 3600000)
				errx(2, "--timeout: \"%s\" is not a number of "
				    "milliseconds", optarg);
			break;
		case OPT_JOBS:
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 1 || jobs > NCP_JOBS_MAX)
				errx(2, "--jobs: \"%s\" is not a number from 1 "
				    "to %d", optarg, NCP_JOBS_MAX);
			p.jobs = (size_t)jobs;
			break;
		case OPT_SETTLE:
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 0 || jobs > 86400)
				errx(2, "--settle: \"%s\" is not a number of "
				    "seconds", optarg);
			p.settle_s = (int)jobs;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (p.jobs == 0)
		p.jobs = ncp_jobs_default();
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[0]) == 0)
			break;
	if (c->name == NULL) {
		fprintf(stderr, "ncprov: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return 2;
	}
	if (c->no_tree) {	/* down: the pnode's own state only */
		if (p.node != NULL && !ncp_node_name_ok(p.node))
			errx(2, "--node: \"%s\" is not a node name", p.node);
		p.down = 1;
		return c->run(&p, argc, argv);
	}
	/* What the command line leaves out comes from the boot file. */
	if ((tree == NULL && hostport == NULL) || p.node == NULL) {
		const char *bf = c->pnode ? NCP_PNODE_BOOTFILE : NCP_BOOTFILE;

		rc = ncp_boot_read(p.root, bf, c->pnode, &boot, errbuf,
		    sizeof(errbuf));
		if (rc == -1)
			errx(2, "%s", errbuf);
		if (rc < 0 && p.node == NULL)
			errx(2, "--node NAME is needed (no %s%s)", p.root, bf);
		if (rc == 0 && p.node == NULL)
			p.node = boot.node;
		if (rc == 0 && tree == NULL && hostport == NULL) {
			p.from_boot = 1;
			tree = boot.tree;
			hostport = boot.ninep;
			if (boot.aname != NULL)
				aname = boot.aname;
		}
		if (rc == 0 && c->pnode) {	/* the options given win */
			if (p.guest_9p == NULL)
				p.guest_9p = boot.guest_ninep;
			if (p.guest_aname == NULL)
				p.guest_aname = boot.guest_aname;
			if (p.control_net == NULL)
				p.control_net = boot.control_net;
			if (p.backend == NULL)
				p.backend = boot.backend;
			p.no_export |= boot.no_export;
		}
		errbuf[0] = '\0';
	}
	/* Containers reach the tree on the control bridge by default. */
	if (p.guest_9p == NULL) {
		const char *net = p.control_net ? p.control_net :
		    NCP_CTL_DEFAULT;

		snprintf(ninep, sizeof(ninep), "%.*s:564",
		    (int)strcspn(net, "/"), net);
		p.guest_9p = ninep;
	}
	if ((tree == NULL) == (hostport == NULL))
		errx(2, "give exactly one of --tree DIR and --9p HOST:PORT");
	if (p.node == NULL)
		errx(2, "--node NAME is needed");
	if (!ncp_node_name_ok(p.node))
		errx(2, "--node: \"%s\" is not a node name", p.node);
	p.tree = tree;
	p.ninep = hostport;
	p.aname = aname;
	if (tree != NULL)
		rc = ncp_source_tree(tree, &p.src);
	else
		rc = ncp_source_9p(hostport, aname, (int)timeout, &p.src,
		    errbuf, sizeof(errbuf));
	if (rc < 0) {
		if (errbuf[0] != '\0')
			fprintf(stderr, "ncprov: %s\n", errbuf);
		else
			fprintf(stderr, "ncprov: %s: %s\n", tree ? tree :
			    hostport, strerror(-rc));
		return tree != NULL ? 1 : NCP_EXIT_NOSERVER;
	}
	/* A bundle that does not parse is said, and the files are read one
	 * at a time instead; a lost connection ends the run. */
	rc = c->snapshot ? ncp_source_snapshot(&p.src, p.node, fetch, errbuf,
	    sizeof(errbuf)) : 0;
	if (rc < 0 && ncp_source_lost(&p.src)) {
		fprintf(stderr, "ncprov: %s\n", errbuf);
		rc = 1;
	} else {
		if (rc < 0)
			fprintf(stderr, "ncprov: %s; reading one file at a "
			    "time\n", errbuf);
		rc = c->run(&p, argc, argv);
	}
	if (ncp_source_lost(&p.src)) {
		/* the server went away, not the node: worth running again;
		 * also when every step did its work but a status write was
		 * lost with the connection (the run would end 0 with the
		 * node shown provisioning, and nobody left to say ready) */
		fprintf(stderr, "ncprov: the connection to %s was lost; exit "
		    "%d (run again)\n", p.src.desc, NCP_EXIT_LOST);
		rc = NCP_EXIT_LOST;
	}
	ncp_source_close(&p.src);
	ncp_boot_free(&boot);
	return rc;
}
