/*
 * up_watch.c: what neoc up shows while the pnodes work, in a form that
 * reads at 1,000 nodes: a line per change of a pnode's phase and one per
 * node that fails (name, step, reason) on stdout, and the counts per state
 * on stderr: a bar redrawn in place when stderr is a terminal, else a
 * plain line at most every UP_LINE_EVERY seconds when the counts changed.
 * --json: one event per change of a pnode or a node instead; -q: nothing.
 * It waits until every node has settled (ready or failed), the ready
 * timeout passes, or Ctrl-C.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "nodestate.h"
#include "strmap.h"
#include "up.h"
#include "util.h"

/* Seconds at least between two plain counts lines (stderr not a tty). */
#define UP_LINE_EVERY 5.0

/* What the watcher has shown. */
struct watch {
	const struct neoc_up *up;	/* settings */
	struct neoc_pool *pool;		/* the pnodes' jobs */
	struct neoc_node *seen;		/* the nodes as last shown */
	size_t nseen;			/* how many */
	int text;			/* progress in text (not json, not -q) */
	int bar;			/* a bar redrawn in place (stderr a tty) */
	int bar_shown;			/* the bar is on the screen now */
	struct nc_strmap told;		/* "node\nstep\nmessage" of every
					   failure already printed */
	size_t counts[NCT_NSTATES];	/* the counts last printed as a line */
	int counts_shown;		/* a counts line was printed */
	double line_at;			/* when (neoc_elapsed) */
	size_t last[NCT_NSTATES];	/* the counts of the last look */
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
		fputs("\r\033[K", stderr);
		fflush(stderr);
		w->bar_shown = 0;
	}
}

/* A node's change: every one as a JSON event; in text only a failure,
 * once per node, step and reason (a node's failure is written again when
 * its run ends). */
static void
event_node(struct watch *w, const struct neoc_node *nd)
{
	char *key;
	json_t *o;

	if (w->up->json) {
		o = json_pack("{s:s, s:f, s:s, s:s, s:s?, s:s?, s:s?}",
		    "event", "node", "elapsed", neoc_elapsed(), "node",
		    nd->name, "state", nd->state, "host", nd->host, "step",
		    nd->step, "message", nd->message);
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		putchar('\n');
		return;
	}
	if (!w->text || neoc_state_of(nd) != NCT_FAILED)
		return;
	key = nc_asprintf("%s\n%s\n%s", nd->name, nd->step ? nd->step : "",
	    nd->message ? nd->message : "");
	if (nc_strmap_get(&w->told, key) < 0) {
		nc_strmap_put(&w->told, key, 1);
		clear_bar(w);
		printf("[%6.1fs] %-20s failed%s%s%s%s\n", neoc_elapsed(),
		    nd->name, nd->step ? " at " : "", nd->step ? nd->step : "",
		    nd->message ? ": " : "", nd->message ? nd->message : "");
		fflush(stdout);
	}
	free(key);
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
	} else if (w->text) {
		clear_bar(w);
		printf("[%6.1fs] %-20s %s\n", neoc_elapsed(), j->pn->name,
		    msg);
		fflush(stdout);
	}
}

/* The columns of the terminal on stderr (80 when unknown). */
static size_t
columns(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* The counts of the watched nodes: on a terminal a bar redrawn in place
 * (cut to the terminal's width, so that \r returns to its start); else a
 * line when they changed and UP_LINE_EVERY passed since the last one, or
 * when final (the watch ends). */
static void
show_counts(struct watch *w, const size_t counts[NCT_NSTATES], int final)
{
	size_t i, total = 0, done, fill, width, cols;
	char text[256];
	int len;

	if (!w->text)
		return;
	for (i = 0; i < NCT_NSTATES; i++)
		total += counts[i];
	if (total == 0)
		return;
	done = counts[NCT_READY] + counts[NCT_FAILED];
	if (!w->bar) {
		if (w->counts_shown && memcmp(w->counts, counts,
		    sizeof(w->counts)) == 0)
			return;
		if (!final && w->counts_shown &&
		    neoc_elapsed() - w->line_at < UP_LINE_EVERY)
			return;
		fprintf(stderr, "neoc up: [%6.1fs] %zu/%zu settled: ",
		    neoc_elapsed(), done, total);
		neoc_counts_line(stderr, counts);
		fputc('\n', stderr);
		memcpy(w->counts, counts, sizeof(w->counts));
		w->counts_shown = 1;
		w->line_at = neoc_elapsed();
		return;
	}
	if (final)
		return;
	len = snprintf(text, sizeof(text), " %zu/%zu  pending %zu booting %zu "
	    "provisioning %zu ready %zu failed %zu  %.0fs", done, total,
	    counts[NCT_PENDING], counts[NCT_BOOTING], counts[NCT_PROVISIONING],
	    counts[NCT_READY], counts[NCT_FAILED], neoc_elapsed());
	cols = columns() - 1;
	if (len < 0)
		return;
	if ((size_t)len + 12 > cols) {
		/* too narrow for a bar worth the name: the counts alone */
		fprintf(stderr, "\r\033[K%.*s", (int)(cols < (size_t)len ?
		    cols : (size_t)len) - 1, text + 1);
	} else {
		width = cols - (size_t)len - 2;
		if (width > 40)
			width = 40;
		fill = done * width / total;
		fputs("\r\033[K[", stderr);
		for (i = 0; i < width; i++)
			fputc(i < fill ? '#' : '.', stderr);
		fprintf(stderr, "]%s", text);
	}
	fflush(stderr);
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
	size_t n, i, unsettled = 0, counts[NCT_NSTATES] = { 0 };
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
		counts[neoc_state_of(&nodes[i])]++;
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
	show_counts(w, counts, 0);
	memcpy(w->last, counts, sizeof(w->last));
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
	    .text = !u->json && !u->quiet,
	    .bar = !u->json && !u->quiet && isatty(2) };
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
	show_counts(&w, w.last, 1);
	fflush(stdout);
	neoc_nodes_free(w.seen, w.nseen);
	nc_strmap_free(&w.told);
	return rc;
}
