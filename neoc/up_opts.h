/*
 * up_opts.h: the options neoc up, down and exec share for reaching pnodes
 * (SSH identity, user, known_hosts, retries, timeouts, --pnode-addr).
 */
#ifndef NEOC_UP_OPTS_H
#define NEOC_UP_OPTS_H

#include <getopt.h>
#include <stddef.h>

#include "up.h"

/* The shared options' codes (getopt_long values). */
enum {
	NEOC_OPT_ADDR = 512, NEOC_OPT_KNOWN, NEOC_OPT_ACCEPT,
	NEOC_OPT_RETRIES, NEOC_OPT_CTIMEOUT, NEOC_OPT_PARALLEL,
	NEOC_OPT_JSON, NEOC_OPT_JOBS,
};

/* The options as given (NULL / -1: not given). */
struct neoc_reach {
	const char *identity;	/* -i */
	const char *user;	/* -l */
	const char *known;	/* --known-hosts */
	int accept_new;		/* --accept-new-hostkeys */
	int retries;		/* --retries, -1 */
	double connect_timeout;	/* --connect-timeout, 0 */
	int parallel;		/* --parallel, 0 */
	int jobs;		/* --jobs (up, down), 0 */
	char **addrs;		/* --pnode-addr, each NAME=HOST[:PORT] */
	size_t naddrs;		/* how many */
	size_t capaddrs;	/* allocated */
};

/* The long options, to copy into a command's table. */
#define NEOC_REACH_LONGOPTS \
	{ "identity", required_argument, NULL, 'i' }, \
	{ "user", required_argument, NULL, 'l' }, \
	{ "pnode-addr", required_argument, NULL, NEOC_OPT_ADDR }, \
	{ "known-hosts", required_argument, NULL, NEOC_OPT_KNOWN }, \
	{ "accept-new-hostkeys", no_argument, NULL, NEOC_OPT_ACCEPT }, \
	{ "retries", required_argument, NULL, NEOC_OPT_RETRIES }, \
	{ "connect-timeout", required_argument, NULL, NEOC_OPT_CTIMEOUT }, \
	{ "parallel", required_argument, NULL, NEOC_OPT_PARALLEL }

/* up's and down's --jobs N: passed to ncprov pnode / down on every pnode
 * (containers started, stopped, provisioned at once there). */
#define NEOC_JOBS_LONGOPT \
	{ "jobs", required_argument, NULL, NEOC_OPT_JOBS }

/* Take option ch (optarg) if it is one of ours: 1, else 0. */
int neoc_reach_opt(struct neoc_reach *r, int ch, const char *arg);
/* The settings for db: the state up left (overridden by r), else the
 * pnodes resolved from the database with r and defaults.  1 when the
 * state file was there, 0 when not, -1 printed. */
int neoc_reach_setup(const char *db, const struct neoc_reach *r,
    struct neoc_up *u);
/* The usage lines of the shared options, and of --jobs. */
extern const char neoc_reach_usage[];
extern const char neoc_jobs_usage[];

#endif
