/*
 * cmds.h: the subcommands of neoc, each `int cmd_X(int argc, char **argv)`
 * returning the process exit status (argv[0] is the subcommand's name).
 */
#ifndef NEOC_CMDS_H
#define NEOC_CMDS_H

struct neoc_cmd {
	const char *name;		/* subcommand word */
	int (*run)(int, char **);	/* its main */
	const char *summary;		/* one line for neoc --help */
};

int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_ssh(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* Default experiment database. */
#define NEOC_DEFAULT_DB "experiment.db"
/* Default seconds an NS file may evaluate. */
#define NEOC_DEFAULT_TIME_LIMIT 10.0

/* Parse a positive number of seconds; exits with a usage error if bad. */
double neoc_seconds(const char *opt, const char *s);
/* Parse an integer in [lo, hi]; exits with a usage error if bad. */
long neoc_long(const char *opt, const char *s, long lo, long hi);

struct nc_exp;
/* Open dbpath read-only and load its experiment into e (initialised);
 * returns 0, or -1 with the reason printed. */
int neoc_open_load(const char *dbpath, struct nc_exp *e);

#endif
