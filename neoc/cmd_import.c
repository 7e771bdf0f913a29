/*
 * cmd_import.c: neoc import, the experiment database from an NS file, a
 * JSON export, or testbed data added to the experiment already there.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "db.h"
#include "inet.h"
#include "load.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc import [-d EXP.db] [--name E] [--project P] [--group G]\n"
"                   [--pnodes N] [--capacity C] [--control NAME]\n"
"                   [--subnet A.B.C.D/N] [--time-limit SECONDS]\n"
"                   [--tmcc DIR [--pnode NAME]] [--passwd FILE [--group FILE]]\n"
"                   [--replace] [--json FILE | FILE.ns]\n"
"\n"
"Create or replace the experiment in EXP.db (default ./%s) from an NS\n"
"file or a JSON export.  With only --tmcc or --passwd, add the testbed's\n"
"accounts, mounts, hostnames and pnode interfaces to the experiment\n"
"already there, keeping its placement (--replace places the containers\n"
"again).  A failed import leaves the database as it was.\n"
"\n"
"  -d, --db EXP.db        the experiment database\n"
"      --name E           experiment name (default: the file's name)\n"
"      --project P        project (default neoc)\n"
"      --group G          group (default the project); after --passwd,\n"
"                         the group(5) file (also --group-file)\n"
"      --pnodes N         add pnodes pnode-0 ... pnode-N-1\n"
"      --capacity C       containers per pnode (default 10)\n"
"      --control NAME     the control node (default config)\n"
"      --subnet CIDR      pool for link and LAN subnets (default 10.0.0.0/8)\n"
"      --time-limit S     seconds the NS file may evaluate (default %g)\n"
"      --tmcc DIR         tmcc accounts, mounts, hostnames, ifconfig\n"
"      --pnode NAME       the pnode DIR/ifconfig describes\n"
"      --passwd FILE      passwd(5) file of the experiment's users\n"
"      --replace          with only --tmcc/--passwd: place every container\n"
"                         again (tb-fix-node pins kept), on the pnodes the\n"
"                         data names too\n"
"      --json FILE        a neoc export --json document\n",
	    NEOC_DEFAULT_DB, NEOC_DEFAULT_TIME_LIMIT);
}

static void
parse_subnet(const char *s, struct nc_place_opts *o)
{
	char buf[32], *slash;
	long n;

	if (strlen(s) >= sizeof(buf))
		errx(2, "--subnet: \"%s\" is not A.B.C.D/N", s);
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL)
		errx(2, "--subnet: \"%s\" is not A.B.C.D/N", s);
	*slash = '\0';
	n = neoc_long("--subnet", slash + 1, 1, 24);
	if (nc_ip_parse(buf, &o->pool) < 0)
		errx(2, "--subnet: \"%s\" is not an IPv4 address", buf);
	o->pool_mask = 0xffffffffu << (32 - n);
	if (o->pool & ~o->pool_mask)
		errx(2, "--subnet: %s has bits set beyond /%ld", buf, n);
}

enum {
	OPT_NAME = 256, OPT_PROJECT, OPT_GROUP, OPT_PNODES, OPT_CAPACITY,
	OPT_CONTROL, OPT_SUBNET, OPT_TIME, OPT_TMCC, OPT_PNODE, OPT_PASSWD,
	OPT_GROUPFILE, OPT_JSON, OPT_EXPGROUP, OPT_REPLACE,
};

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "project", required_argument, NULL, OPT_PROJECT },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "exp-group", required_argument, NULL, OPT_EXPGROUP },
	{ "group-file", required_argument, NULL, OPT_GROUPFILE },
	{ "pnodes", required_argument, NULL, OPT_PNODES },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "time-limit", required_argument, NULL, OPT_TIME },
	{ "tmcc", required_argument, NULL, OPT_TMCC },
	{ "pnode", required_argument, NULL, OPT_PNODE },
	{ "passwd", required_argument, NULL, OPT_PASSWD },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ NULL, 0, NULL, 0 },
};

int
cmd_import(int argc, char **argv)
{
	struct neoc_sources s = { .time_limit = NEOC_DEFAULT_TIME_LIMIT };
	const char *dbpath = NEOC_DEFAULT_DB, *group = NULL;
	struct nc_exp e;
	sqlite3 *db = NULL;
	int ch, rc = 1, loaded, replace = 0;
	size_t i;

	nc_place_defaults(&s.place);
	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); return 0;
		case OPT_NAME: s.name = optarg; break;
		case OPT_PROJECT: s.project = optarg; break;
		case OPT_GROUP: group = optarg; break;
		case OPT_EXPGROUP: s.group = optarg; break;
		case OPT_GROUPFILE: s.groupf = optarg; break;
		case OPT_PNODES:
			s.place.npnodes = (int)neoc_long("--pnodes", optarg,
			    1, 100000);
			break;
		case OPT_CAPACITY:
			s.place.capacity = (int)neoc_long("--capacity",
			    optarg, 1, 1000000);
			break;
		case OPT_CONTROL: s.place.control = optarg; break;
		case OPT_SUBNET: parse_subnet(optarg, &s.place); break;
		case OPT_TIME:
			s.time_limit = neoc_seconds("--time-limit", optarg);
			break;
		case OPT_TMCC: s.tmcc = optarg; break;
		case OPT_PNODE: s.pnode = optarg; break;
		case OPT_PASSWD: s.passwd = optarg; break;
		case OPT_JSON: s.json = optarg; break;
		case OPT_REPLACE: replace = 1; break;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* --group names the group(5) file when it comes with --passwd. */
	if (group != NULL) {
		if (s.passwd != NULL && s.groupf == NULL)
			s.groupf = group;
		else
			s.group = group;
	}
	if (argc > 1) {
		usage(stderr);
		return 2;
	}
	if (argc == 1)
		s.ns = argv[0];
	if (s.ns != NULL && s.json != NULL)
		errx(2, "give an NS file or --json, not both");
	if (s.groupf != NULL && s.passwd == NULL)
		errx(2, "--group-file needs --passwd");
	if (replace && (s.ns != NULL || s.json != NULL))
		errx(2, "--replace goes with --tmcc or --passwd alone (an NS "
		    "file or --json is placed anew anyway)");
	if (s.ns == NULL && s.json == NULL && s.tmcc == NULL &&
	    s.passwd == NULL) {
		usage(stderr);
		return 2;
	}

	nc_exp_init(&e);
	if (s.ns == NULL && s.json == NULL) {
		/* Add testbed data to the experiment already stored. */
		if (access(dbpath, F_OK) != 0) {
			fprintf(stderr, "%s: no experiment database; import an "
			    "NS file first\n", dbpath);
			goto out;
		}
		if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
			goto out;
		loaded = nc_store_load(db, &e);
		nc_db_close(db);
		db = NULL;
		if (loaded != 0) {
			if (loaded > 0)
				fprintf(stderr, "%s: holds no experiment; "
				    "import an NS file first\n", dbpath);
			goto out;
		}
		/* the placement stays unless asked: containers keep their
		 * hosts, hostnames add no pnodes */
		s.place.keep = !replace;
		for (i = 0; replace && i < e.nnodes; i++)
			if (e.nodes[i].role == NC_ROLE_CONTAINER)
				nc_set_str(&e.nodes[i].host, NULL);
	}
	if (neoc_load(&e, &s) < 0)
		goto out;
	if (nc_db_open(dbpath, NC_DB_WRITE, &db) < 0 ||
	    nc_store_save(db, &e) < 0)
		goto out;
	neoc_summary(&e, "imported", stdout);
	rc = 0;
out:
	if (db != NULL)
		nc_db_close(db);
	nc_exp_free(&e);
	return rc;
}
