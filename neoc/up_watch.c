/*
 * up_watch.c: what neoc up shows while the pnodes work: a line per change
 * of a pnode's phase or a node's state (or JSON events with --json), a
 * live bar with the counts per state on a terminal, until every node has
 * settled (ready or failed), the ready timeout passes, or Ctrl-C.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodestate.h"
#include "up.h"
#include "util.h"

/* What the watcher has shown. */
struct watch {
	const struct neoc_up *up;	/* settings */
	struct neoc_pool *pool;		/* the pnodes' jobs */
	struct neoc_node *seen;		/* the nodes as last shown */
	size_t nseen;			/* how many */
	int bar;			/* a live bar is drawn (a terminal) */
	int bar_shown;			/* the bar is on the screen now */
};

/* Only containers and pnodes are provisioned by up. */
static int
watched(const struct neoc_node *nd)
{
	return strcmp(nd->role, "container") == 0 ||
	    strcmp(nd->role, "pnode") == 0;
}

static void
clear_bar(struct watch *w)
{
	if (w->bar_shown) {
		fputs("\r\033[K", stdout);
		w->bar_shown = 0;
	}
}

static void
event_node(struct watch *w, const struct neoc_node *nd)
{
	json_t *o;

	if (w->up->json) {
		o = json_pack("{s:s, s:f, s:s, s:s, s:s?, s:s?, s:s?}",
		    "event", "node", "elapsed", neoc_elapsed(), "node",
		    nd->name, "state", nd->state, "host", nd->host, "step",
		    nd->step, "message", nd->message);
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		putchar('\n');
	} else if (!w->up->quiet) {
		clear_bar(w);
		printf("[%6.1fs] %-20s %s%s%s%s%s\n", neoc_elapsed(), nd->name,
		    nd->state, nd->step ? " " : "", nd->step ? nd->step : "",
		    nd->message ? ": " : "", nd->message ? nd->message : "");
	}
}

static void
event_job(struct watch *w, const struct neoc_job *j, enum neoc_phase ph,
    const char *msg)
{
	json_t *o;

	if (w->up->json) {
		o = json_pack("{s:s, s:f, s:s, s:s, s:s}", "event", "pnode",
		    "elapsed", neoc_elapsed(), "pnode", j->pn->name, "phase",
		    neoc_phase_name(ph), "message", msg);
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		putchar('\n');
	} else if (!w->up->quiet) {
		clear_bar(w);
		printf("[%6.1fs] %-20s %s\n", neoc_elapsed(), j->pn->name,
		    msg);
	}
}

static void
draw_bar(struct watch *w, const struct neoc_node *nodes, size_t n)
{
	size_t counts[NCT_NSTATES] = { 0 }, i, total = 0, done, fill;
	const size_t width = 30;

	for (i = 0; i < n; i++)
		if (watched(&nodes[i])) {
			counts[neoc_state_of(&nodes[i])]++;
			total++;
		}
	if (total == 0)
		return;
	done = counts[NCT_READY] + counts[NCT_FAILED];
	fill = done * width / total;
	fputs("\r\033[K[", stdout);
	for (i = 0; i < width; i++)
		putchar(i < fill ? '#' : '.');
	printf("] %zu/%zu  ", done, total);
	neoc_counts_line(stdout, counts);
	w->bar_shown = 1;
}

/* The node called name in the last shown list (hint: same index). */
static const struct neoc_node *
seen(const struct watch *w, size_t hint, const char *name)
{
	size_t i;

	if (hint < w->nseen && strcmp(w->seen[hint].name, name) == 0)
		return &w->seen[hint];
	for (i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i].name, name) == 0)
			return &w->seen[i];
	return NULL;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A pnode's job failed: its containers that never started fail too. */
static void
fail_guests(struct watch *w, const struct neoc_job *j,
    const struct neoc_node *nodes, size_t n, const char *why)
{
	char *msg = nc_asprintf("pnode %s: %s", j->pn->name, why);
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(nodes[i].name, j->pn->name) == 0 ?
		    neoc_state_of(&nodes[i]) != NCT_FAILED :
		    nodes[i].host != NULL &&
		    strcmp(nodes[i].host, j->pn->name) == 0 &&
		    neoc_state_of(&nodes[i]) == NCT_PENDING)
			neoc_status_write(w->up->db, nodes[i].name,
			    NCT_WORD_FAILED, strcmp(nodes[i].name,
			    j->pn->name) == 0 ? "pnode" : "boot", msg);
	free(msg);
}

/* Show what changed; returns 1 when every watched node has settled. */
static int
tick(struct watch *w, int *failed_jobs)
{
	struct neoc_node *nodes;
	size_t n, i, unsettled = 0;
	char msg[sizeof(((struct neoc_job *)0)->msg)];
	enum neoc_phase ph;
	unsigned seq;

	for (i = 0; i < w->pool->n; i++) {
		struct neoc_job *j = &w->pool->jobs[i];

		pthread_mutex_lock(&neoc_job_mu);
		seq = j->seq;
		ph = j->phase;
		memcpy(msg, j->msg, sizeof(msg));
		pthread_mutex_unlock(&neoc_job_mu);
		if (seq == j->shown)
			continue;
		j->shown = seq;
		event_job(w, j, ph, msg);
		if (ph == NEOC_PH_FAILED) {
			struct neoc_node *cur;
			size_t ncur;

			(*failed_jobs)++;
			if (neoc_nodes_load(w->up->db, &cur, &ncur) == 0) {
				fail_guests(w, j, cur, ncur, msg);
				neoc_nodes_free(cur, ncur);
			}
		}
	}
	if (neoc_nodes_load(w->up->db, &nodes, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		const struct neoc_node *old;

		if (!watched(&nodes[i]))
			continue;
		if (neoc_state_of(&nodes[i]) != NCT_READY &&
		    neoc_state_of(&nodes[i]) != NCT_FAILED)
			unsettled++;
		old = seen(w, i, nodes[i].name);
		if (old != NULL && same(old->state, nodes[i].state) &&
		    same(old->step, nodes[i].step) &&
		    same(old->message, nodes[i].message))
			continue;
		if (old == NULL && neoc_state_of(&nodes[i]) == NCT_PENDING)
			continue;
		event_node(w, &nodes[i]);
	}
	if (w->bar)
		draw_bar(w, nodes, n);
	fflush(stdout);
	neoc_nodes_free(w->seen, w->nseen);
	w->seen = nodes;
	w->nseen = n;
	return unsettled == 0;
}

int
neoc_up_watch(const struct neoc_up *u, struct neoc_pool *pool)
{
	struct watch w = { .up = u, .pool = pool,
	    .bar = !u->json && !u->quiet && isatty(1) };
	double settle_from = -1;
	int failed_jobs = 0, settled, rc;

	for (;;) {
		settled = tick(&w, &failed_jobs);
		if (neoc_interrupted) {
			rc = 2;
			break;
		}
		if (neoc_pool_finished(pool) == pool->n) {
			if (settled) {
				rc = 0;
				break;
			}
			if (settle_from < 0)
				settle_from = neoc_elapsed();
			else if (neoc_elapsed() - settle_from >
			    u->ready_timeout) {
				rc = 1;
				break;
			}
		}
		usleep(250000);
	}
	clear_bar(&w);
	fflush(stdout);
	neoc_nodes_free(w.seen, w.nseen);
	return rc;
}
