/*
 * pnode_watch.h: ncprov watch, the pnode's watcher of the configuration
 * generation (pnode_watch.c), and what `ncprov pnode` and `ncprov down`
 * call of it.
 */
#ifndef NCP_PNODE_WATCH_H
#define NCP_PNODE_WATCH_H

#include <stddef.h>

#include "ncprov.h"
#include "pnode.h"

#define NCP_WATCH_APPLIED "/var/lib/neoc/applied"	/* GUEST GEN lines */
#define NCP_WATCH_PIDFILE "/var/lib/neoc/watch.pid"	/* the watcher's pid */
#define NCP_WATCH_LOCK "/var/lib/neoc/watch.lock"	/* held while it runs */
#define NCP_WATCH_LOG "/var/lib/neoc/watch.log"	/* its output (--detach) */
#define NCP_WATCH_INTERVAL_MS 500			/* the default poll */

/* A guest and a generation. */
struct ncp_watch_gen {
	char *name;		/* the node's name */
	long long gen;		/* its generation */
};

/* A set of them, in the order read. */
struct ncp_watch_gens {
	struct ncp_watch_gen *v;	/* the entries */
	size_t n, cap;			/* how many; allocated */
};

/* The options after the command word (pnode and watch). */
struct ncp_watch_opts {
	int watch;		/* pnode --watch: start the watcher after */
	int detach;		/* watch --detach: into the background */
	long interval_ms;	/* --interval MS between looks (10..60000) */
};

/* Parse argv[1..] (argv[0] the command) into o; -1 on a word it does not
 * know. */
int ncp_watch_args(int argc, char **argv, struct ncp_watch_opts *o);
/* Parse "GUEST GEN" lines (nodes/<p>/guests, the applied file) into out:
 * 0, or -EINVAL (out empty) for a line that is not one. */
int ncp_watch_parse(const char *s, struct ncp_watch_gens *out);
void ncp_watch_gens_free(struct ncp_watch_gens *g);
/* The generation of name in g, or -1. */
long long ncp_watch_gen_of(const struct ncp_watch_gens *g, const char *name);
/* nodes/<this pnode>/guests, malloc'd, or NULL when it cannot be read. */
char *ncp_watch_guests_read(struct ncprov *p);
/* Write guests (read before a successful `ncprov pnode`) as what was
 * applied; 0 or -errno. */
int ncp_watch_baseline(struct ncprov *p, const char *guests);
/* Start `ncprov watch --detach` (the boot file this run wrote says where
 * the tree is); 0 or -1 (ncp_fail). */
int ncp_watch_spawn(struct ncprov *p, const struct ncp_watch_opts *o);
/* Stop the running watcher (its pid file), if any: ncprov pnode does
 * before it works, so that no container is provisioned by both at once.
 * 1 when it stopped one, 0 when none ran, -1 (ncp_fail). */
int ncp_watch_kill(struct ncprov *p);
/* ncprov down's step: stop the watcher of the pid file, remove its
 * state and log; 0 or -1 (ncp_fail). */
int ncp_watch_stop(struct ncprov *p, struct ncp_pnode *pn);
/* ncprov watch [--interval MS] [--detach]. */
int ncprov_watch(struct ncprov *p, int argc, char **argv);

#endif
