/*
 * cmd_export.c: neoc export --json, the whole experiment as JSON.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "db.h"
#include "json.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc export [-d EXP.db] --json [--secrets]\n"
"\n"
"Print the experiment in EXP.db (default ./%s) as JSON, the shape\n"
"`neoc import --json` reads back.  Password hashes appear only with\n"
"--secrets.\n", NEOC_DEFAULT_DB);
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "secrets", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

int
neoc_open_load(const char *dbpath, struct nc_exp *e)
{
	sqlite3 *db;
	int rc;

	if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
		return -1;
	rc = nc_store_load(db, e);
	nc_db_close(db);
	if (rc > 0)
		fprintf(stderr, "%s: holds no experiment\n", dbpath);
	return rc == 0 ? 0 : -1;
}

int
cmd_export(int argc, char **argv)
{
	const char *dbpath = NEOC_DEFAULT_DB;
	struct nc_exp e;
	int ch, json = 0, flags = 0, rc = 1;

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'j': json = 1; break;
		case 's': flags |= NC_JSON_SECRETS; break;
		default: usage(stderr); return 2;
		}
	}
	if (!json || optind != argc) {
		usage(stderr);
		return 2;
	}
	nc_exp_init(&e);
	if (neoc_open_load(dbpath, &e) == 0 &&
	    nc_json_dump(&e, flags, stdout) == 0 && fflush(stdout) == 0)
		rc = 0;
	nc_exp_free(&e);
	return rc;
}
