/*
 * main.c: ncprov, the provisioner of pnodes and containers.
 *
 *   ncprov [--tree DIR | --9p HOST:PORT [--aname /nc]] --node NAME
 *          [--root DIR] [--dry-run] [--no-start] [--timeout MS] COMMAND ...
 *
 * It links only libc (make ncprov-static), so a pnode can drop it into any
 * image.
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

/* A command of ncprov. */
struct command {
	const char *name;	/* the word */
	int (*run)(struct ncprov *, int, char **); /* its main */
	const char *summary;	/* for usage() */
};

static const struct command commands[] = {
	{ "show", ncprov_show, "print the node's subtree, \"path: value\"" },
	{ "status", ncprov_status,
	    "STATE [STEP] [MESSAGE]: write the node's status" },
	{ "container", ncprov_container,
	    "provision this container (run at boot)" },
	{ "pnode", ncprov_pnode,
	    "provision this pnode: network, images, containers" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f,
"usage: ncprov [--tree DIR | --9p HOST:PORT [--aname /nc]] --node NAME\n"
"              [--root DIR] [--dry-run] [--no-start] [--timeout MS]\n"
"              COMMAND [args]\n"
"\n"
"  --tree DIR       read the experiment tree from a mounted directory\n"
"  --9p HOST:PORT   read it from diod over 9P2000.L (no kernel 9p needed)\n"
"  --aname PATH     the export to attach (default /nc)\n"
"  --node NAME      this node's name\n"
"  --root DIR       prefix every local path with DIR (tests)\n"
"  --dry-run        print the changes without making them\n"
"  --no-start       start nothing\n"
"  --timeout MS     connect and reply timeout for 9P (default 10000)\n"
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
"\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
}

enum { OPT_TREE = 256, OPT_9P, OPT_ANAME, OPT_NODE, OPT_ROOT, OPT_DRY,
	OPT_NOSTART, OPT_TIMEOUT, OPT_BACKEND, OPT_GUEST9P, OPT_GUESTANAME,
	OPT_NOEXPORT, OPT_CONTROLNET };

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
	{ NULL, 0, NULL, 0 },
};

static int
node_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

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
	long timeout = 10000;
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
		case OPT_CONTROLNET:
			if (ncp_control_parse(optarg, &ctl_addr,
			    &ctl_prefix) < 0)
				errx(2, "--control-net: \"%s\" is not "
				    "A.B.C.D/NN", optarg);
			p.control_net = optarg;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || timeout < 1 || timeout > 3600000)
				errx(2, "--timeout: \"%s\" is not a number of "
				    "milliseconds", optarg);
			break;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* Containers reach the tree on the control bridge by default. */
	if (p.guest_9p == NULL) {
		const char *net = p.control_net ? p.control_net :
		    NCP_CTL_DEFAULT;

		snprintf(ninep, sizeof(ninep), "%.*s:564",
		    (int)strcspn(net, "/"), net);
		p.guest_9p = ninep;
	}
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
	/* What the command line leaves out comes from the boot file. */
	if ((tree == NULL && hostport == NULL) || p.node == NULL) {
		if (ncp_bootfile(p.root, &boot) < 0 && p.node == NULL)
			errx(2, "--node NAME is needed (no %s%s)", p.root,
			    NCP_BOOTFILE);
		if (p.node == NULL)
			p.node = boot.node;
		if (tree == NULL && hostport == NULL) {
			tree = boot.tree;
			hostport = boot.ninep;
			if (boot.aname != NULL)
				aname = boot.aname;
		}
	}
	if ((tree == NULL) == (hostport == NULL))
		errx(2, "give exactly one of --tree DIR and --9p HOST:PORT");
	if (p.node == NULL)
		errx(2, "--node NAME is needed");
	if (!node_name_ok(p.node))
		errx(2, "--node: \"%s\" is not a node name", p.node);
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
		return 1;
	}
	rc = c->run(&p, argc, argv);
	ncp_source_close(&p.src);
	ncp_boot_free(&boot);
	return rc;
}
