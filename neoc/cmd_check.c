/*
 * cmd_check.c: neoc check, an NS file validated exactly as import would
 * read it, without writing anything.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "load.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc check [--pnodes N] [--capacity C] [--control NAME]\n"
"                  [--time-limit SECONDS] FILE.ns\n"
"\n"
"Evaluate FILE.ns, place and address it as import would, print warnings\n"
"and the first error as FILE:LINE: reason.  Writes nothing.  Exit 0 when\n"
"the file would import, 1 when it would not.\n");
}

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "pnodes", required_argument, NULL, 'p' },
	{ "capacity", required_argument, NULL, 'c' },
	{ "control", required_argument, NULL, 'C' },
	{ "time-limit", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_check(int argc, char **argv)
{
	struct neoc_sources s = { .time_limit = NEOC_DEFAULT_TIME_LIMIT };
	struct nc_exp e;
	int ch, rc;

	nc_place_defaults(&s.place);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return 0;
		case 'p':
			s.place.npnodes = (int)neoc_long("--pnodes", optarg,
			    1, 100000);
			break;
		case 'c':
			s.place.capacity = (int)neoc_long("--capacity",
			    optarg, 1, 1000000);
			break;
		case 'C': s.place.control = optarg; break;
		case 't':
			s.time_limit = neoc_seconds("--time-limit", optarg);
			break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	s.ns = argv[optind];
	nc_exp_init(&e);
	rc = neoc_load(&e, &s) < 0 ? 1 : 0;
	if (rc == 0)
		neoc_summary(&e, "ok", stdout);
	nc_exp_free(&e);
	return rc;
}
