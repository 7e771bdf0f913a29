/*
 * nodestate.h: every node's provisioning state as the status lines in the
 * database give it (docs/DESIGN.md, "Status"), for neoc status, up and down.
 */
#ifndef NEOC_NODESTATE_H
#define NEOC_NODESTATE_H

#include <stddef.h>
#include <stdio.h>

#include "nctree.h"


/* One node and its status. */
struct neoc_node {
	char *name;		/* node name */
	char *role;		/* pnode, container or physical */
	char *host;		/* a container's pnode, or NULL */
	char *failure;		/* failure action: fatal, nonfatal, ignore */
	char *state;		/* status state (NCT_WORD_PENDING when none) */
	char *step;		/* the step named by the status, or NULL */
	char *message;		/* the status message, or NULL */
	long long time;		/* when the status was written (0: never) */
	char *start;		/* startstatus word (running, exited,
				 * killed), or NULL: no start command ran */
	int start_code;		/* exited: its status; killed: the signal */
	long long start_time;	/* when startstatus was written */
	char *control;		/* its control address, or NULL */
};

/* Every node but the control node, in file order.  0, or -1 printed. */
int neoc_nodes_load(const char *dbpath, struct neoc_node **nodes, size_t *n);
void neoc_nodes_free(struct neoc_node *nodes, size_t n);
/* "running", "exited 3", "killed 9" (sep between word and number), or
 * NULL; into buf. */
const char *neoc_start_text(const struct neoc_node *nd, const char *sep,
    char *buf, size_t size);
/* The state (nctree.h), NCT_PENDING for anything unknown. */
enum nct_state neoc_state_of(const struct neoc_node *nd);
/* Count the nodes per state. */
void neoc_nodes_count(const struct neoc_node *nodes, size_t n,
    size_t counts[NCT_NSTATES]);
/* The table neoc status prints (a progress bar too when bar); the counts
 * line ends "(n nodes)", or "(n of total nodes)" when a filter kept n. */
void neoc_nodes_table(FILE *f, const struct neoc_node *nodes, size_t n,
    size_t total, int bar);
/* "pending 1, booting 2, ..." */
void neoc_counts_line(FILE *f, const size_t counts[NCT_NSTATES]);
/* Add the states of list ("failed" or "pending,booting") to *mask (bit
 * 1 << state).  0, or -EINVAL with why naming the word and the states. */
int neoc_state_mask(const char *list, unsigned *mask, char *why,
    size_t whysize);
/* Keep the nodes whose state is in mask (0: any) and, when npnodes > 0,
 * that are one of pnodes or a guest of one (host); the others are freed
 * and *n shrinks, the order kept. */
void neoc_nodes_filter(struct neoc_node *nodes, size_t *n, unsigned mask,
    char *const *pnodes, size_t npnodes);
/* Write a status line for node into the database directly (the way any
 * other writer changes it: ncfs notices).  0, or -1 printed. */
int neoc_status_write(const char *dbpath, const char *node,
    const char *state, const char *step, const char *message);

#endif
