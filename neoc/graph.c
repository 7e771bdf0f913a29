/*
 * graph.c: the experiment's topology as Graphviz dot (see graph.h).
 *
 * Identifiers are "node:NAME" for nodes, "lan:NAME" for LAN points and
 * "cluster_NAME" for pnodes, so a node and a LAN of the same name stay
 * apart; labels show the plain names.  Everything a user named goes through
 * put_esc, which escapes '"' and '\' and turns control characters into
 * spaces, so no name can end a string or inject dot syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "inet.h"
#include "strmap.h"
#include "util.h"

/* Write s escaped for the inside of a dot double-quoted string. */
static void
put_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c < 0x20 || c == 0x7f) {
			fputc(' ', f);
		} else {
			fputc(c, f);
		}
	}
}

/* Write the quoted identifier "PREFIXNAME". */
static void
put_id(FILE *f, const char *prefix, const char *name)
{
	fputc('"', f);
	put_esc(f, prefix);
	put_esc(f, name);
	fputc('"', f);
}

/* "100Mb/s", "1.5Mb/s", "1Gb/s", "56kb/s", or "unlimited" for 0. */
static void
fmt_bandwidth(long kbps, char *buf, size_t len)
{
	if (kbps <= 0)
		snprintf(buf, len, "unlimited");
	else if (kbps % 1000000 == 0)
		snprintf(buf, len, "%ldGb/s", kbps / 1000000);
	else if (kbps >= 1000)
		snprintf(buf, len, "%gMb/s", (double)kbps / 1000.0);
	else
		snprintf(buf, len, "%ldkb/s", kbps);
}

/* Write "BANDWIDTH DELAYms[ loss P]" (already escaped: no user text). */
static void
put_shaping(FILE *f, long kbps, double delay, double loss)
{
	char bw[32];

	fmt_bandwidth(kbps, bw, sizeof(bw));
	fprintf(f, "%s %gms", bw, delay < 0 ? 0.0 : delay);
	if (loss > 0)
		fprintf(f, " loss %g", loss);
}

/* 1 when the interface's effective shaping differs from its LAN's. */
static int
overridden(const struct nc_exp *e, const struct nc_iface *i)
{
	const struct nc_lan *l = &e->lans[i->lan];

	return nc_iface_bandwidth(e, i) != l->bandwidth_kbps ||
	    nc_iface_delay(e, i) != l->delay_ms ||
	    nc_iface_loss(e, i) != l->loss;
}

static const char *
shape(enum nc_role r)
{
	switch (r) {
	case NC_ROLE_CONFIG:
		return "hexagon";
	case NC_ROLE_PNODE:
		return "box";
	case NC_ROLE_PHYSICAL:
		return "box3d";
	default:
		return "ellipse";
	}
}

/* One node statement: its name and addresses as the label. */
static void
put_node(FILE *f, const struct nc_node *n, const char *indent)
{
	char ip[16];
	size_t i;

	fputs(indent, f);
	put_id(f, "node:", n->name);
	fputs(" [label=\"", f);
	put_esc(f, n->name);
	if (n->role == NC_ROLE_CONFIG)
		fputs(" (control)", f);
	for (i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].ip != 0)
			fprintf(f, "\\n%s", nc_ip_format(n->ifaces[i].ip, ip));
	fprintf(f, "\", shape=%s", shape(n->role));
	if (n->role == NC_ROLE_CONFIG)
		fputs(", style=filled, fillcolor=lightgrey", f);
	else if (n->role == NC_ROLE_PNODE)
		fputs(", style=dashed", f);
	fputs("];\n", f);
}

/* The pnodes in order: pnode nodes first, then other names containers
 * give as their host.  Returns the count; names point into e. */
static size_t
pnode_names(const struct nc_exp *e, const char ***out)
{
	struct nc_strmap seen = { 0 };
	const char **v = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].role == NC_ROLE_PNODE &&
		    nc_strmap_get(&seen, e->nodes[i].name) < 0) {
			nc_strmap_put(&seen, e->nodes[i].name, 1);
			*NC_PUSH(v, n, cap) = e->nodes[i].name;
		}
	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].role == NC_ROLE_CONTAINER &&
		    e->nodes[i].host != NULL &&
		    nc_strmap_get(&seen, e->nodes[i].host) < 0) {
			nc_strmap_put(&seen, e->nodes[i].host, 1);
			*NC_PUSH(v, n, cap) = e->nodes[i].host;
		}
	nc_strmap_free(&seen);
	*out = v;
	return n;
}

/* The containers of pnode name, and the pnode itself when edges need it
 * or the cluster would otherwise be empty (dot drops empty clusters). */
static void
put_cluster(FILE *f, const struct nc_exp *e, const char *name)
{
	long self = nc_exp_find_node(e, name);
	size_t i, count = 0;

	fputs("\tsubgraph ", f);
	put_id(f, "cluster_", name);
	fputs(" {\n\t\tlabel=\"", f);
	put_esc(f, name);
	fputs("\";\n\t\tstyle=rounded;\n\t\tcolor=grey40;\n", f);
	for (i = 0; i < e->nnodes; i++) {
		const struct nc_node *n = &e->nodes[i];

		if (n->role == NC_ROLE_CONTAINER && n->host != NULL &&
		    strcmp(n->host, name) == 0) {
			put_node(f, n, "\t\t");
			count++;
		}
	}
	if (self >= 0 && e->nodes[self].role == NC_ROLE_PNODE &&
	    (count == 0 || e->nodes[self].nifaces > 0))
		put_node(f, &e->nodes[self], "\t\t");
	fputs("\t}\n", f);
}

/* A LAN (or a link without exactly two members): a point and an edge to
 * each member, labelled where the member's shaping is its own. */
static void
put_lan_point(FILE *f, const struct nc_exp *e, const struct nc_lan *l)
{
	size_t m;

	fputc('\t', f);
	put_id(f, "lan:", l->name);
	fputs(" [shape=point, width=0.12, xlabel=\"", f);
	put_esc(f, l->name);
	fputs("\\n", f);
	put_shaping(f, l->bandwidth_kbps, l->delay_ms, l->loss);
	fputs("\"];\n", f);
	for (m = 0; m < l->nmembers; m++) {
		const struct nc_node *n = &e->nodes[l->members[m].node];
		const struct nc_iface *i = &n->ifaces[l->members[m].iface];

		fputc('\t', f);
		put_id(f, "lan:", l->name);
		fputs(" -- ", f);
		put_id(f, "node:", n->name);
		if (overridden(e, i)) {
			fputs(" [label=\"", f);
			put_shaping(f, nc_iface_bandwidth(e, i),
			    nc_iface_delay(e, i), nc_iface_loss(e, i));
			fputs("\"]", f);
		}
		fputs(";\n", f);
	}
}

/* A two-member link: one edge, an end's own shaping at that end. */
static void
put_link(FILE *f, const struct nc_exp *e, const struct nc_lan *l)
{
	const struct nc_node *a = &e->nodes[l->members[0].node];
	const struct nc_node *b = &e->nodes[l->members[1].node];
	const struct nc_iface *ia = &a->ifaces[l->members[0].iface];
	const struct nc_iface *ib = &b->ifaces[l->members[1].iface];

	fputc('\t', f);
	put_id(f, "node:", a->name);
	fputs(" -- ", f);
	put_id(f, "node:", b->name);
	fputs(" [label=\"", f);
	put_esc(f, l->name);
	fputs("\\n", f);
	put_shaping(f, l->bandwidth_kbps, l->delay_ms, l->loss);
	fputc('"', f);
	if (overridden(e, ia)) {
		fputs(", taillabel=\"", f);
		put_shaping(f, nc_iface_bandwidth(e, ia), nc_iface_delay(e, ia),
		    nc_iface_loss(e, ia));
		fputc('"', f);
	}
	if (overridden(e, ib)) {
		fputs(", headlabel=\"", f);
		put_shaping(f, nc_iface_bandwidth(e, ib), nc_iface_delay(e, ib),
		    nc_iface_loss(e, ib));
		fputc('"', f);
	}
	fputs("];\n", f);
}

int
nc_graph_dot(const struct nc_exp *e, FILE *out)
{
	const char *name = e->name != NULL ? e->name : "experiment";
	const char **pnodes = NULL;
	size_t i, npnodes;

	fputs("graph ", out);
	put_id(out, "", name);
	fputs(" {\n\tgraph [label=\"", out);
	put_esc(out, name);
	if (e->project != NULL) {
		fputs(" (", out);
		put_esc(out, e->project);
		if (e->group != NULL && strcmp(e->group, e->project) != 0) {
			fputc('/', out);
			put_esc(out, e->group);
		}
		fputc(')', out);
	}
	fputs("\", labelloc=t, fontname=\"Helvetica\"];\n"
	    "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	    "\tedge [fontname=\"Helvetica\", fontsize=9];\n", out);

	npnodes = pnode_names(e, &pnodes);
	for (i = 0; i < npnodes; i++)
		put_cluster(out, e, pnodes[i]);
	free(pnodes);

	/* everything not inside a cluster */
	for (i = 0; i < e->nnodes; i++) {
		const struct nc_node *n = &e->nodes[i];

		if (n->role == NC_ROLE_PNODE ||
		    (n->role == NC_ROLE_CONTAINER && n->host != NULL))
			continue;
		put_node(out, n, "\t");
	}

	for (i = 0; i < e->nlans; i++) {
		const struct nc_lan *l = &e->lans[i];

		if (l->kind == NC_LAN_LINK && l->nmembers == 2)
			put_link(out, e, l);
		else
			put_lan_point(out, e, l);
	}
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}
