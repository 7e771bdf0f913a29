/*
 * up.h: neoc up, down and exec: bringing the experiment up on its pnodes
 * (docs/DESIGN.md, "Roles and steps", config), taking it down again, and
 * reaching a container.  What up was told is kept in the state file
 * EXP.db.up (JSON) so down and exec reach the same pnodes the same way.
 */
#ifndef NEOC_UP_H
#define NEOC_UP_H

#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

#include "pnodes.h"

/* Where LXC guests live on a pnode and what they are called. */
#define NEOC_LXC_PATH "/var/lib/neoc/lxc"
#define NEOC_LXC_PREFIX "nc-"
/* The address of the pnode's control bridge, as its containers see it. */
#define NEOC_CONTROL_BRIDGE_ADDR "172.30.0.1"
/* Where ncprov goes on a pnode reached over SSH. */
#define NEOC_REMOTE_NCPROV "/usr/local/bin/ncprov"

/* How up runs (and down and exec read back from the state file). */
struct neoc_up {
	char *db;		/* the experiment database, absolute */
	char *state;		/* the state file: db + ".up" */
	char *mount;		/* where ncfs mounts the tree */
	char *listen;		/* diod's ADDR:PORT */
	int no_auth;		/* diod without munge (closed networks) */
	struct neoc_pnode *pnodes;	/* the pnodes and their addresses */
	size_t npnodes;		/* how many */
	char *user;		/* SSH login on pnodes (root) */
	char *identity;		/* SSH private key, or NULL (the default) */
	char *known_hosts;	/* known_hosts file, or NULL (the default) */
	int accept_new;		/* learn unknown host keys */
	int retries;		/* further SSH attempts after a failure */
	double connect_timeout;	/* seconds per SSH attempt */
	char *remote_ncprov;	/* ncprov's path on SSH pnodes */
	int parallel;		/* pnodes worked on at once */
	int jobs;		/* ncprov --jobs on each pnode (0: its own
				 * default) */
	double pnode_timeout;	/* seconds ncprov may run on a pnode */
	double ready_timeout;	/* seconds for the nodes to settle after */
	int json;		/* JSON events on stdout */
	int quiet;		/* no progress lines */
};

void neoc_up_free(struct neoc_up *u);
/* Write u's state file (atomically).  0, or -1 printed. */
int neoc_up_save(const struct neoc_up *u);
/* Read the state file of db into u (db and state set); 1 when read, 0 when
 * there is none, -1 printed. */
int neoc_up_load(const char *db, struct neoc_up *u);
/* The state file of db (malloc'd). */
char *neoc_up_state_path(const char *db);

/* A pnode's phase in up or down. */
enum neoc_phase {
	NEOC_PH_WAITING, NEOC_PH_CONNECTING, NEOC_PH_INSTALLING, NEOC_PH_RUNNING,
	NEOC_PH_DONE, NEOC_PH_FAILED
};

/* The work on one pnode: run ncprov there with args (its role last). */
struct neoc_job {
	const struct neoc_up *up;	/* settings */
	const struct neoc_pnode *pn;	/* the pnode */
	char **args;		/* ncprov's arguments after argv[0], NULL-ended;
				   "@GUEST@" is replaced by the 9P address the
				   pnode's containers use */
	const char *role;	/* ncprov's role (pnode, down), for messages */
	char *log;		/* its output goes here (a file) */
	enum neoc_phase phase;	/* where it is (under mu) */
	char msg[512];		/* the last progress or the failure (mu) */
	unsigned seq;		/* bumped at every change (mu) */
	unsigned shown;		/* seq last printed (watcher only) */
	int status;		/* ncprov's exit status, -1: never ran */
	pid_t child;		/* a local ncprov while it runs (mu) */
};

/* The jobs run by a bounded pool of threads. */
struct neoc_pool {
	struct neoc_job *jobs;	/* the jobs */
	size_t n;		/* how many */
	size_t next;		/* the next to take (mu) */
	size_t finished;	/* how many ended (mu) */
	pthread_t *threads;	/* the workers */
	size_t nthreads;	/* how many */
};

/* Guards every job's phase, msg, seq and child, and the pool counters. */
extern pthread_mutex_t neoc_job_mu;
/* Set by SIGINT/SIGTERM: the work stops as soon as it can. */
extern volatile sig_atomic_t neoc_interrupted;

/* Start the pool's workers; 0 or -1. */
int neoc_pool_start(struct neoc_pool *pool, int parallel);
/* How many jobs have ended. */
size_t neoc_pool_finished(struct neoc_pool *pool);
/* Wait for every worker. */
void neoc_pool_join(struct neoc_pool *pool);
/* Set a job's phase and message (printf) under the lock. */
void neoc_job_set(struct neoc_job *j, enum neoc_phase ph, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
const char *neoc_phase_name(enum neoc_phase ph);

/* The jobs' memory. */
void neoc_jobs_free(struct neoc_pool *pool);

/* Seconds since the first call (monotonic). */
double neoc_elapsed(void);

/* Show progress until every container and pnode has settled (0), the
 * ready timeout passed after the last job ended (1), or an interrupt (2).
 * A pnode whose job failed is marked failed, with its containers that
 * never started. */
int neoc_up_watch(const struct neoc_up *u, struct neoc_pool *pool);

#endif
