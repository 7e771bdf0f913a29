/*
 * ns_obj.c: the ns-2 objects of an evaluation (Tcl commands named _o<N>, as
 * in OTcl; ns_sim.c makes them, with their methods): finding them by
 * handle, describing them in messages, taking them as arguments, and what
 * links their nodes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "model.h"
#include "ns_priv.h"
#include "util.h"

const char *
ns_kind_name(enum ns_kind k)
{
	switch (k) {
	case NS_SIM:
		return "simulator";
	case NS_NODE:
		return "node";
	case NS_LAN:
		return "link or LAN";
	case NS_MEMBER:
		return "LAN member";
	case NS_QUEUE:
		return "queue";
	case NS_IGNORED:
		break;
	}
	return "ignored object";
}

/*
 * The object whose handle o is, or NULL.  As in the testbed's parser, a
 * node or LAN may also be given by the name it already has (`set router
 * [$ns node]` then `make-lan "router $a $b"`, as DETER's case studies do).
 */
struct ns_obj *
ns_obj_get(struct ns_state *st, Tcl_Obj *o)
{
	const char *s = Tcl_GetString(o), *p;
	size_t id = 0;
	long named;

	if (s[0] != '_' || s[1] != 'o' || !isdigit((unsigned char)s[2]) ||
	    (s[2] == '0' && s[3] != '\0')) {
		named = nc_strmap_get(&st->names, s);
		return named >= 0 && (size_t)named < st->nobjs ?
		    st->objs[named] : NULL;
	}
	for (p = s + 2; isdigit((unsigned char)*p); p++) {
		id = id * 10 + (size_t)(*p - '0');
		if (id >= st->nobjs)
			return NULL;
	}
	if (*p != '\0')
		return NULL;
	return st->objs[id];
}

/* Make o's handle the command's result. */
void
ns_obj_result(struct ns_state *st, struct ns_obj *o)
{
	char handle[32];

	snprintf(handle, sizeof(handle), "_o%zu", o->id);
	Tcl_SetObjResult(st->interp, Tcl_NewStringObj(handle, -1));
}

/* "node A", "link link0", or "a node made at line 4" for messages; a new
 * string. */
static char *
describe(struct ns_state *st, struct ns_obj *o)
{
	const struct nc_lan *l;

	switch (o->kind) {
	case NS_NODE:
		if (o->named)
			return nc_asprintf("node \"%s\"",
			    st->e->nodes[o->idx].name);
		return nc_asprintf("a node made at line %d", o->line);
	case NS_LAN:
		l = &st->e->lans[o->idx];
		if (o->named)
			return nc_asprintf("%s \"%s\"",
			    l->kind == NC_LAN_LINK ? "link" : "LAN", l->name);
		return nc_asprintf("a %s made at line %d",
		    l->kind == NC_LAN_LINK ? "link" : "LAN", o->line);
	case NS_IGNORED:
		return nc_asprintf("an ignored %s object",
		    o->cls ? o->cls : "ns-2");
	default:
		return nc_asprintf("a %s", ns_kind_name(o->kind));
	}
}

/* A node's name for a message; while it has none (only a temporary
 * handle) "the node made at line N".  buf holds at least 48 bytes. */
const char *
ns_node_label(struct ns_state *st, size_t node, char *buf, size_t n)
{
	const struct nc_node *nd = &st->e->nodes[node];

	if (nd->name[0] != '_')
		return nd->name;
	snprintf(buf, n, "the node made at line %d", nd->line);
	return buf;
}

/* The same for a link or LAN. */
const char *
ns_lan_label(struct ns_state *st, size_t lan, char *buf, size_t n)
{
	const struct nc_lan *l = &st->e->lans[lan];

	if (l->name[0] != '_')
		return l->name;
	snprintf(buf, n, "the %s made at line %d", l->kind == NC_LAN_LINK ?
	    "link" : "LAN", l->line);
	return buf;
}

static int
wrong_kind(struct ns_state *st, const char *cmd, const char *want,
    Tcl_Obj *arg)
{
	struct ns_obj *o = ns_obj_get(st, arg);
	char *what;
	int rc;

	what = o ? describe(st, o) : ns_quote(Tcl_GetString(arg));
	rc = ns_error(st, "%s: expected %s, got %s", cmd, want, what);
	free(what);
	return rc;
}

/* The node handle arg, else an error naming cmd. */
int
ns_arg_node(struct ns_state *st, const char *cmd, Tcl_Obj *arg, size_t *node)
{
	struct ns_obj *o = ns_obj_get(st, arg);

	if (o == NULL || o->kind != NS_NODE)
		return wrong_kind(st, cmd, "a node", arg);
	*node = o->idx;
	return TCL_OK;
}

/* The link or LAN handle arg, else an error naming cmd. */
int
ns_arg_lan(struct ns_state *st, const char *cmd, Tcl_Obj *arg, size_t *lan)
{
	struct ns_obj *o = ns_obj_get(st, arg);

	if (o == NULL || o->kind != NS_LAN)
		return wrong_kind(st, cmd, "a link or LAN", arg);
	*lan = o->idx;
	return TCL_OK;
}

/* The index of node's interface on lan, or -1 when it is no member. */
long
ns_member_iface(const struct nc_exp *e, size_t lan, size_t node)
{
	const struct nc_lan *l = &e->lans[lan];
	size_t i;

	for (i = 0; i < l->nmembers; i++)
		if (l->members[i].node == node)
			return (long)l->members[i].iface;
	return -1;
}

/* The first link (not LAN) between nodes a and b, or -1. */
long
ns_link_between(const struct nc_exp *e, size_t a, size_t b)
{
	const struct nc_node *n = &e->nodes[a];
	const struct nc_lan *l;
	size_t i;

	for (i = 0; i < n->nifaces; i++) {
		l = &e->lans[n->ifaces[i].lan];
		if (l->kind == NC_LAN_LINK && l->nmembers == 2 &&
		    (l->members[0].node == b || l->members[1].node == b))
			return (long)n->ifaces[i].lan;
	}
	return -1;
}
