/*
 * graph.h: the experiment's topology as a Graphviz dot graph (neoc graph).
 */
#ifndef NEOC_GRAPH_H
#define NEOC_GRAPH_H

#include <stdio.h>

#include "model.h"

/*
 * Print e to out as an undirected dot graph named after the experiment: one
 * cluster "cluster_<pnode>" per pnode holding the containers it runs (each
 * labelled with its name and addresses), the control node and physical
 * nodes outside the clusters with shapes of their own, every LAN a small
 * point joined to its members, every two-member link an edge between them;
 * LANs and links labelled "NAME\nBANDWIDTH DELAY[ loss P]" ("100Mb/s 10ms",
 * "unlimited" for no limit).  Every identifier and label is quoted and
 * escaped.  Returns 0, or -1 when writing failed.
 */
int nc_graph_dot(const struct nc_exp *e, FILE *out);

#endif
