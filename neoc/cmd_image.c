/*
 * cmd_image.c: neoc image list|fetch|verify, the experiment's images.  Runs
 * the sibling ncimage (same directory as neoc, else PATH) with an argument
 * vector, passing the experiment database as -d.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "children.h"
#include "cmds.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc image [-d EXP.db] list|fetch|verify [options] [args]\n"
"       neoc image COMMAND --help\n"
"\n"
"The experiment's images and the image cache, through ncimage:\n"
"  list     every image: provider, version, URL, cached?, sha256\n"
"  fetch    download the images that have a URL (or NAME...) into the\n"
"           cache and record their sha256 in the database\n"
"  verify   recompute cached images' sha256 against the recorded one\n"
"\n"
"-d EXP.db names the experiment (default ./%s, passed on when it exists);\n"
"--cache DIR and the rest are ncimage's options (see ncimage COMMAND\n"
"--help).\n", NEOC_DEFAULT_DB);
}

/* 1 when args already name a database or ask for help. */
static int
has_db_or_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-d") == 0 ||
		    strcmp(argv[i], "--db") == 0 || strncmp(argv[i], "--db=", 5) == 0 ||
		    (strncmp(argv[i], "-d", 2) == 0 && argv[i][2] != '\0') ||
		    strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
cmd_image(int argc, char **argv)
{
	const char *db = NULL, *sub;
	char **av = NULL;
	char *prog = NULL;
	int i = 1, n = 0, rc;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if ((strcmp(argv[i], "-d") == 0 ||
		    strcmp(argv[i], "--db") == 0) && i + 1 < argc) {
			db = argv[i + 1];
			i += 2;
			continue;
		}
		fprintf(stderr, "neoc image: unknown option \"%s\"\n",
		    argv[i]);
		usage(stderr);
		return 2;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	sub = argv[i++];
	if (strcmp(sub, "list") != 0 && strcmp(sub, "fetch") != 0 &&
	    strcmp(sub, "verify") != 0) {
		fprintf(stderr, "neoc image: unknown command \"%s\"\n", sub);
		usage(stderr);
		return 2;
	}
	if (db == NULL && !has_db_or_help(argc - i, argv + i) &&
	    access(NEOC_DEFAULT_DB, F_OK) == 0)
		db = NEOC_DEFAULT_DB;
	prog = neoc_sibling("ncimage");
	av = nc_calloc((size_t)argc + 4, sizeof(*av));
	av[n++] = prog;
	av[n++] = (char *)sub;
	if (db != NULL) {
		av[n++] = "-d";
		av[n++] = (char *)db;
	}
	for (; i < argc; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	rc = neoc_run(av, 0);
	if (rc < 0) {
		fprintf(stderr, "neoc image: cannot run %s\n", prog);
		rc = 1;
	}
	free(av);
	free(prog);
	return rc;
}
