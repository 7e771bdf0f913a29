/*
 * ncfs_watch.c: the watcher thread.  It keeps the kernel's caches true to
 * the database, never from inside a request:
 * - after this process commits a change, the writer hands the watcher what
 *   it changed and waits; the watcher invalidates that inode, every
 *   rendered file and every directory the kernel knows (their contents may
 *   derive from the change), then wakes the writer;
 * - a value nothing else derives from (a node's status: ncfs_watch_value)
 *   costs less: only that file, its node's bundle and
 *   experiment/generation are invalidated in the kernel;
 * - every `poll` seconds it checks PRAGMA data_version and the generation;
 *   a change made by another process (neoc import, sqlite3) invalidates
 *   every inode the kernel knows, and the entries of records that vanished.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ncfs_fs.h"
#include "ncfs_inode.h"
#include "ncfs_log.h"
#include "ncfs_tree.h"
#include "util.h"

/* One invalidation to send. */
struct inval {
	uint64_t ino;		/* inode to invalidate */
	uint64_t parent;	/* with entry: its parent */
	char *name;		/* entry name to drop, or NULL */
	struct ncfs_ref ref;	/* for the existence check (full scans) */
	int check;		/* check whether ref still exists */
};

static pthread_t thread;		/* the watcher */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;	/* to watcher */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;	/* to writers */
static int stopping;			/* ncfs_watch_stop was called */
static int running;			/* the thread exists */
static uint64_t asked, served;		/* own-change requests numbered */
static uint64_t *own_inos;		/* inodes written since last run */
static size_t n_own, cap_own;
static long long own_commits;		/* generations we produced */
static char **own_nodes;		/* nodes of light changes since */
static size_t n_nodes, cap_nodes;
static int heavy;			/* a change since that was not */

uint64_t
ncfs_epoch(void)
{
	uint64_t e;

	pthread_mutex_lock(&ncfs.epoch_lock);
	e = ncfs.epoch;
	pthread_mutex_unlock(&ncfs.epoch_lock);
	return e;
}

static void
bump_epoch(void)
{
	pthread_mutex_lock(&ncfs.epoch_lock);
	ncfs.epoch++;
	pthread_mutex_unlock(&ncfs.epoch_lock);
}

/* Collected invalidations. */
struct inval_list {
	struct inval *v;	/* the list */
	size_t n, cap;
	int full;		/* a full scan: check every ref */
	int light;		/* only light changes: own inodes, their
				 * nodes' bundles, the generation */
	uint64_t *own;		/* own-change inodes */
	size_t nown;
	char **nodes;		/* light: the nodes changed */
	size_t nnodes;
};

/* Does a light change reach in: a bundle of one of l's nodes, or
 * experiment/generation? */
static int
light_reaches(const struct inval_list *l, const struct ncfs_inode *in)
{
	size_t k;

	if (in->scratch || in->ref.field == NULL)
		return 0;
	if (in->ref.field->id == NCT_EXP_GENERATION)
		return 1;
	if (in->ref.field->id != NCT_NODE_BUNDLE || in->ref.k[0] == NULL)
		return 0;
	for (k = 0; k < l->nnodes; k++)
		if (strcmp(l->nodes[k], in->ref.k[0]) == 0)
			return 1;
	return 0;
}

static void
collect(struct ncfs_inode *in, void *arg)
{
	struct inval_list *l = arg;
	struct inval *iv;
	size_t k;
	int take = l->full;

	if (l->light) {
		for (k = 0; !take && k < l->nown; k++)
			take = l->own[k] == in->ino;
		if (!take && !light_reaches(l, in))
			return;
		in->rendered = 0;	/* render it again */
		take = 1;
	}
	if (in->ino == 1 && !l->full)
		take = 1;
	if (!take) {
		/* rendered files and directories may derive from anything */
		if (!in->scratch && (in->ref.field == NULL ||
		    in->ref.field->set == NULL))
			take = 1;
		for (k = 0; !take && k < l->nown; k++)
			take = l->own[k] == in->ino;
	}
	if (!take)
		return;
	iv = NC_PUSH(l->v, l->n, l->cap);
	iv->ino = in->ino;
	iv->parent = in->parent;
	if (l->full && !in->scratch && in->ino != 1) {
		iv->check = 1;
		iv->name = nc_strdup0(in->name);
		ncfs_ref_copy(&iv->ref, &in->ref);
	}
}

static void
send(struct inval_list *l, struct ncfs_conn *c)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct inval *iv = &l->v[i];

		if (ncfs.se == NULL)
			break;
		if (iv->check && iv->name != NULL &&
		    ncfs_tree_exists(c, &iv->ref) == 0)
			fuse_lowlevel_notify_inval_entry(ncfs.se, iv->parent,
			    iv->name, strlen(iv->name));
		fuse_lowlevel_notify_inval_inode(ncfs.se, iv->ino, 0, 0);
	}
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		ncfs_ref_free(&l->v[i].ref);
	}
	free(l->v);
}

static void
invalidate(struct ncfs_conn *c, int full, int light, uint64_t *own,
    size_t nown, char **nodes, size_t nnodes)
{
	struct inval_list l = { .full = full, .light = !full && light,
	    .own = own, .nown = nown, .nodes = nodes, .nnodes = nnodes };

	pthread_mutex_lock(&ncfs_inode_lock);
	ncfs_inode_each(collect, &l);
	pthread_mutex_unlock(&ncfs_inode_lock);
	send(&l, c);
}

/* PRAGMA data_version of the watcher's connection. */
static long long
data_version(struct ncfs_conn *c)
{
	sqlite3_stmt *st = ncfs_stmt(c, "PRAGMA data_version");
	long long v = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

static void *
watch_main(void *arg)
{
	struct ncfs_conn *c = arg;
	long long dv = data_version(c), gen = 0, ngen, mine;
	uint64_t goal, *own;
	struct timespec ts;
	char **nodes;
	size_t nown, nnodes, i;
	int full, light;

	ncfs_generation(c, &gen);
	pthread_mutex_lock(&mu);
	while (!stopping) {
		if (asked == served) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(ncfs.poll * 1e9);
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&wake, &mu, &ts);
			if (stopping)
				break;
		}
		goal = asked;
		own = own_inos;
		nown = n_own;
		mine = own_commits;
		nodes = own_nodes;
		nnodes = n_nodes;
		light = !heavy;
		own_inos = NULL;
		n_own = cap_own = 0;
		own_nodes = NULL;
		n_nodes = cap_nodes = 0;
		heavy = 0;
		own_commits = 0;
		pthread_mutex_unlock(&mu);

		full = 0;
		if (data_version(c) != dv) {
			dv = data_version(c);
			ngen = gen;
			ncfs_generation(c, &ngen);
			/*
			 * A change we did not announce, or more generations
			 * than our own commits, is someone else's.
			 */
			full = mine == 0 || ngen - gen != mine;
			gen = ngen;
		}
		if (full) {
			bump_epoch();
			invalidate(c, 1, 0, NULL, 0, NULL, 0);
		} else if (nown > 0 || goal != served) {
			invalidate(c, 0, light, own, nown, nodes, nnodes);
		}
		free(own);
		for (i = 0; i < nnodes; i++)
			free(nodes[i]);
		free(nodes);

		pthread_mutex_lock(&mu);
		served = goal;
		pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&mu);
	ncfs_conn_close(c);
	return NULL;
}

/* Hand the watcher a change and wait for it; light: ncfs_watch_value's
 * (node: the node whose status changed). */
static void
changed_wait(uint64_t changed, uint64_t parent, const char *node)
{
	struct timespec ts;
	uint64_t ticket;

	/* Light changes move the epoch too: a render begun before the
	 * commit and stored after the watcher's pass must not pass for
	 * fresh (what is light is the invalidation, not the epoch). */
	bump_epoch();
	pthread_mutex_lock(&mu);
	if (node != NULL)
		*NC_PUSH(own_nodes, n_nodes, cap_nodes) = nc_strdup(node);
	else
		heavy = 1;
	if (changed != 0)
		*NC_PUSH(own_inos, n_own, cap_own) = changed;
	if (parent != 0)
		*NC_PUSH(own_inos, n_own, cap_own) = parent;
	own_commits++;
	ticket = ++asked;
	pthread_cond_signal(&wake);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;		/* never hang a writer on the watcher */
	while (running && !stopping && served < ticket)
		if (pthread_cond_timedwait(&done, &mu, &ts) == ETIMEDOUT) {
			ncfs_log("watcher late; caches may be stale briefly");
			break;
		}
	pthread_mutex_unlock(&mu);
}

void
ncfs_watch_changed(uint64_t changed, uint64_t parent)
{
	changed_wait(changed, parent, NULL);
}

void
ncfs_watch_value(uint64_t ino, const struct ncfs_ref *ref)
{
	if (ref->field != NULL && ref->k[0] != NULL &&
	    nct_entries[ref->field->id].parent == NCT_D_NODE &&
	    nct_change_scope(ref->field->id) == NCT_SCOPE_NONE)
		changed_wait(ino, 0, ref->k[0]);
	else
		changed_wait(ino, 0, NULL);
}

int
ncfs_watch_start(void)
{
	struct ncfs_conn *c = ncfs_conn_open(ncfs.db_path, 1);

	if (c == NULL)
		return -1;
	if (pthread_create(&thread, NULL, watch_main, c) != 0) {
		ncfs_conn_close(c);
		return -1;
	}
	running = 1;
	return 0;
}

void
ncfs_watch_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&wake);
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = 0;
	free(own_inos);
	own_inos = NULL;
	while (n_nodes > 0)
		free(own_nodes[--n_nodes]);
	free(own_nodes);
	own_nodes = NULL;
}
