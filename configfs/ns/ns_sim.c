/*
 * ns_sim.c: the ns-2 objects of an NS file: the Simulator and its methods
 * (node, duplex-link, make-lan, ...), and the node, link, LAN, LAN member,
 * queue and ignored objects they return (ns_obj_new makes each, its Tcl
 * command the methods of its kind).  ns-2 features the testbed does
 * not emulate (agents, events, traces) are accepted with a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "model.h"
#include "ns_priv.h"
#include "units.h"
#include "util.h"

struct sim_method {
	const char *name;	/* the method, as in `$ns name` */
	int (*fn)(struct ns_state *, int, Tcl_Obj *const[]); /* it */
};

/* $ns methods that are ns-2 features the testbed does not emulate. */
static const char *const ns2_features[] = {
	"at", "attach-agent", "connect", "event-sequence", "event-group",
	"trace-all", "namtrace-all", "namtrace-all-wireless", "duplex-link-op",
	"simplex-link-op", "color", "cost", "queue-limit", "flush-trace",
	"create-connection", "trace-queue", "namtrace-queue", "rtmodel",
	"rtmodel-at", "halt", "use-scheduler", NULL,
};

/* Routing protocols: what rtproto makes of each (the rest: no routes). */
static const struct {
	const char *name;	/* as in `$ns rtproto name` */
	enum nc_rtproto proto;	/* what it asks for */
} rtprotos[] = {
	{ "Static", NC_RT_STATIC },
	{ "Static-ddijk", NC_RT_STATIC },
	{ "Static-old", NC_RT_STATIC },
	{ "Manual", NC_RT_MANUAL },
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The handle _o<id> of a new object as the name of its model record. */
static const char *
handle(const struct ns_obj *o, char *buf, size_t n)
{
	snprintf(buf, n, "_o%zu", o->id);
	return buf;
}

/* `$ns node` */
static int
sim_node(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o;
	char h[32];
	int line;

	(void)objv;
	if (objc != 2)
		return ns_usage(st, "$ns node");
	line = ns_line(st);
	o = ns_obj_new(st, NS_NODE, line);
	o->idx = nc_exp_add_node(st->e, handle(o, h, sizeof(h)),
	    NC_ROLE_CONTAINER);
	st->e->nodes[o->idx].line = line;
	ns_obj_result(st, o);
	return TCL_OK;
}

/* A new link or LAN object and model record. */
static struct ns_obj *
new_lan(struct ns_state *st, enum nc_lan_kind kind, long bw, double delay,
    int line)
{
	struct ns_obj *o;
	struct nc_lan *l;
	char h[32];

	o = ns_obj_new(st, NS_LAN, line);
	o->idx = nc_exp_add_lan(st->e, handle(o, h, sizeof(h)), kind);
	l = &st->e->lans[o->idx];
	l->bandwidth_kbps = bw;
	l->delay_ms = delay;
	l->line = line;
	*NC_PUSH(st->lan_obj, st->nlan_obj, st->caplan_obj) = o->id;
	return o;
}

/* `$ns duplex-link n1 n2 bandwidth delay queue` (and simplex-link) */
static int
sim_link(struct ns_state *st, const char *cmd, int objc,
    Tcl_Obj *const objv[])
{
	struct ns_obj *o;
	const char *why, *queue;
	size_t a, b;
	long bw;
	double delay;
	int line;

	if (objc != 7) {
		char *u = nc_asprintf("$ns %s node1 node2 bandwidth delay "
		    "queue", cmd);
		int rc = ns_usage(st, u);

		free(u);
		return rc;
	}
	if (ns_arg_node(st, cmd, objv[2], &a) != TCL_OK ||
	    ns_arg_node(st, cmd, objv[3], &b) != TCL_OK)
		return TCL_ERROR;
	if (a == b)
		return ns_error(st, "%s: both ends are the same node", cmd);
	if (nc_bandwidth_parse(Tcl_GetString(objv[4]), &bw, &why) < 0 ||
	    nc_delay_parse(Tcl_GetString(objv[5]), &delay, &why) < 0)
		return ns_error(st, "%s: %s", cmd, why);
	queue = Tcl_GetString(objv[6]);
	if (strcmp(queue, "DropTail") != 0) {
		char *q = ns_quote(queue);

		ns_warn(st, "%s: queue %s is not emulated; DropTail used", cmd,
		    q);
		free(q);
	}
	line = ns_line(st);
	o = new_lan(st, NC_LAN_LINK, bw, delay, line);
	nc_exp_join(st->e, o->idx, a);
	nc_exp_join(st->e, o->idx, b);
	ns_obj_result(st, o);
	return TCL_OK;
}

static int
sim_duplex(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	return sim_link(st, "duplex-link", objc, objv);
}

static int
sim_simplex(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	ns_warn(st, "simplex-link is not emulated; taken as a duplex-link");
	return sim_link(st, "simplex-link", objc, objv);
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* `$ns make-lan "n1 n2 ..." bandwidth delay ?ns-2 arguments?` */
static int
sim_make_lan(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o;
	Tcl_Obj **elems;
	size_t *nodes = NULL, *sorted = NULL, i;
	const char *why;
	long bw;
	double delay;
	int n, line, rc = TCL_ERROR;

	if (objc < 5)
		return ns_usage(st, "$ns make-lan \"node1 node2 ...\" "
		    "bandwidth delay");
	if (Tcl_ListObjGetElements(NULL, objv[2], &n, &elems) != TCL_OK)
		return ns_error(st, "make-lan: the node list is not a Tcl "
		    "list");
	if (n == 0)
		return ns_error(st, "make-lan: the node list is empty");
	nodes = nc_calloc((size_t)n, sizeof(*nodes));
	sorted = nc_calloc((size_t)n, sizeof(*sorted));
	for (i = 0; i < (size_t)n; i++)
		if (ns_arg_node(st, "make-lan", elems[i], &nodes[i]) != TCL_OK)
			goto out;
	memcpy(sorted, nodes, (size_t)n * sizeof(*nodes));
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_size);
	for (i = 1; i < (size_t)n; i++)
		if (sorted[i] == sorted[i - 1]) {
			ns_error(st, "make-lan: a node is listed twice");
			goto out;
		}
	if (nc_bandwidth_parse(Tcl_GetString(objv[3]), &bw, &why) < 0 ||
	    nc_delay_parse(Tcl_GetString(objv[4]), &delay, &why) < 0) {
		ns_error(st, "make-lan: %s", why);
		goto out;
	}
	line = ns_line(st);
	o = new_lan(st, NC_LAN_LAN, bw, delay, line);
	for (i = 0; i < (size_t)n; i++)
		nc_exp_join(st->e, o->idx, nodes[i]);
	ns_obj_result(st, o);
	rc = TCL_OK;
out:
	free(nodes);
	free(sorted);
	return rc;
}

/*
 * `$ns rtproto protocol`: Static computes routes at import, Manual takes
 * the add-route lines; any other protocol (Session, ospf, DV...) is
 * refused with one warning per file and leaves the experiment without
 * routes.
 */
static int
sim_rtproto(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	const char *name;
	size_t i;
	char *q;

	if (objc < 3)
		return ns_usage(st, "$ns rtproto protocol");
	name = Tcl_GetString(objv[2]);
	for (i = 0; i < sizeof(rtprotos) / sizeof(rtprotos[0]); i++)
		if (strcmp(rtprotos[i].name, name) == 0) {
			st->e->rtproto = rtprotos[i].proto;
			return TCL_OK;
		}
	st->e->rtproto = NC_RT_NONE;
	if (!st->rtproto_warned) {
		q = ns_quote(name);
		ns_warn(st, "routing protocol %s is not supported (only "
		    "Static and Manual); no routes are installed", q);
		free(q);
		st->rtproto_warned = 1;
	}
	return TCL_OK;
}

/* `$ns run`: the end of the description; what follows still counts. */
static int
sim_run(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	(void)objc;
	(void)objv;
	if (st->run_line == 0)
		st->run_line = ns_line(st);
	return TCL_OK;
}

/* `$ns link n1 n2`: the link between them. */
static int
sim_getlink(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	size_t a, b;
	long l;
	char b1[48], b2[48];

	if (objc != 4)
		return ns_usage(st, "$ns link node1 node2");
	if (ns_arg_node(st, "link", objv[2], &a) != TCL_OK ||
	    ns_arg_node(st, "link", objv[3], &b) != TCL_OK)
		return TCL_ERROR;
	if ((l = ns_link_between(st->e, a, b)) < 0)
		return ns_error(st, "link: no link between %s and %s",
		    ns_node_label(st, a, b1, sizeof(b1)),
		    ns_node_label(st, b, b2, sizeof(b2)));
	ns_obj_result(st, st->objs[st->lan_obj[l]]);
	return TCL_OK;
}

/* `$ns lanlink lan node`: the node's membership of the LAN. */
static int
sim_lanlink(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o;
	size_t lan, node;
	char b1[48], b2[48];

	if (objc != 4)
		return ns_usage(st, "$ns lanlink lan node");
	if (ns_arg_lan(st, "lanlink", objv[2], &lan) != TCL_OK ||
	    ns_arg_node(st, "lanlink", objv[3], &node) != TCL_OK)
		return TCL_ERROR;
	if (ns_member_iface(st->e, lan, node) < 0)
		return ns_error(st, "lanlink: %s is not a member of %s",
		    ns_node_label(st, node, b1, sizeof(b1)),
		    ns_lan_label(st, lan, b2, sizeof(b2)));
	o = ns_obj_new(st, NS_MEMBER, ns_line(st));
	o->idx = lan;
	o->node = node;
	ns_obj_result(st, o);
	return TCL_OK;
}

static const struct sim_method sim_methods[] = {
	{ "node", sim_node },
	{ "duplex-link", sim_duplex },
	{ "simplex-link", sim_simplex },
	{ "make-lan", sim_make_lan },
	{ "rtproto", sim_rtproto },
	{ "run", sim_run },
	{ "link", sim_getlink },
	{ "lanlink", sim_lanlink },
	{ NULL, NULL },
};

/* A method of the simulator; objv[0] is the simulator, objv[1] the method. */
int
ns_sim_method(struct ns_state *st, int objc, Tcl_Obj *const objv[])
{
	const struct sim_method *m;
	struct ns_obj *o;
	const char *name;
	char *q;

	if (objc < 2)
		return ns_usage(st, "$ns method ?arg ...?");
	name = Tcl_GetString(objv[1]);
	for (m = sim_methods; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m->fn(st, objc, objv);
	Tcl_ResetResult(st->interp);
	if (in_list(ns2_features, name)) {
		ns_warn(st, "$ns %s is an ns-2 feature the testbed does not "
		    "emulate; ignored", name);
		if (strncmp(name, "event-", 6) == 0) {
			o = ns_obj_new(st, NS_IGNORED, ns_line(st));
			o->cls = nc_strdup(name);
			ns_obj_result(st, o);
		}
		return TCL_OK;
	}
	q = ns_quote(name);
	ns_warn(st, "unsupported $ns method %s; ignored", q);
	free(q);
	return TCL_OK;
}

int
ns_sim_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o = cd;

	(void)in;
	return ns_sim_method(o->st, objc, objv);
}

/*
 * `$node add-route DST NEXTHOP`: DST a node, link or LAN, NEXTHOP a node;
 * resolved once addresses are known (configfs/model/routes.c).  ns-2's
 * other forms (an address, a target object) are ignored with a warning.
 */
static int
node_add_route(struct ns_state *st, struct ns_obj *o, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_manroute mr;
	struct ns_obj *dst, *hop;
	int bad_dst;
	char *q;

	if (objc != 4)
		return ns_usage(st, "$node add-route destination nexthop");
	memset(&mr, 0, sizeof(mr));
	mr.node = o->idx;
	mr.line = ns_line(st);
	dst = ns_obj_get(st, objv[2]);
	hop = ns_obj_get(st, objv[3]);
	bad_dst = dst == NULL || (dst->kind != NS_LAN &&
	    dst->kind != NS_NODE);
	if (bad_dst || hop == NULL || hop->kind != NS_NODE) {
		q = ns_quote(Tcl_GetString(objv[bad_dst ? 2 : 3]));
		ns_warn(st, "add-route: %s is not a %s; ignored", q,
		    bad_dst ? "node, link or LAN" : "node");
		free(q);
		return TCL_OK;
	}
	mr.dst_lan = dst->kind == NS_LAN;
	mr.dst = dst->idx;
	mr.nexthop = hop->idx;
	*NC_PUSH(st->e->manroutes, st->e->nmanroutes,
	    st->e->capmanroutes) = mr;
	return TCL_OK;
}

/* A node's methods: add-route; the others (program-agent...) are
 * ignored. */
int
ns_node_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o = cd, *r;
	struct ns_state *st = o->st;
	const char *m;
	size_t len;
	char *q;

	Tcl_ResetResult(in);
	if (objc < 2)
		return ns_usage(st, "$node method ?arg ...?");
	m = Tcl_GetString(objv[1]);
	if (strcmp(m, "add-route") == 0)
		return node_add_route(st, o, objc, objv);
	q = ns_quote(m);
	ns_warn(st, "node method %s is not emulated; ignored", q);
	free(q);
	len = strlen(m);
	if (len >= 6 && strcmp(m + len - 6, "-agent") == 0) {
		r = ns_obj_new(st, NS_IGNORED, ns_line(st));
		r->cls = nc_strdup(m);
		ns_obj_result(st, r);
	}
	return TCL_OK;
}

/* Links, LANs and LAN members: `queue` gives a queue object, the rest is
 * ignored. */
int
ns_lan_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o = cd, *r;
	struct ns_state *st = o->st;
	const char *m, *what;
	char *q;

	Tcl_ResetResult(in);
	what = o->kind == NS_MEMBER ? "LAN member" :
	    st->e->lans[o->idx].kind == NC_LAN_LINK ? "link" : "LAN";
	if (objc < 2)
		return ns_usage(st, "$link method ?arg ...?");
	m = Tcl_GetString(objv[1]);
	if (strcmp(m, "queue") == 0) {
		r = ns_obj_new(st, NS_QUEUE, o->line);
		ns_obj_result(st, r);
		return TCL_OK;
	}
	q = ns_quote(m);
	ns_warn(st, "%s method %s is not emulated; ignored", what, q);
	free(q);
	return TCL_OK;
}

/* A queue: its settings are ignored. */
int
ns_queue_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_obj *o = cd;
	char *q;

	Tcl_ResetResult(in);
	if (objc >= 3 && strcmp(Tcl_GetString(objv[1]), "set") == 0) {
		q = ns_quote(Tcl_GetString(objv[2]));
		ns_warn(o->st, "queue parameter %s is not emulated; ignored",
		    q);
	} else {
		q = ns_quote(objc >= 2 ? Tcl_GetString(objv[1]) : "");
		ns_warn(o->st, "queue method %s is not emulated; ignored", q);
	}
	free(q);
	return TCL_OK;
}

/* Agents, applications, programs: anything goes, nothing happens. */
int
ns_ignored_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	(void)cd;
	(void)objc;
	(void)objv;
	Tcl_ResetResult(in);
	return TCL_OK;
}

/* A new object with its Tcl command _o<N>. */
struct ns_obj *
ns_obj_new(struct ns_state *st, enum ns_kind kind, int line)
{
	struct ns_obj *o = nc_calloc(1, sizeof(*o));
	Tcl_ObjCmdProc *proc = ns_ignored_cmd;
	char handle[32];

	o->st = st;
	o->kind = kind;
	o->id = st->nobjs;
	o->line = line;
	*NC_PUSH(st->objs, st->nobjs, st->capobjs) = o;
	switch (kind) {
	case NS_SIM:
		proc = ns_sim_cmd;
		break;
	case NS_NODE:
		proc = ns_node_cmd;
		break;
	case NS_LAN:
	case NS_MEMBER:
		proc = ns_lan_cmd;
		break;
	case NS_QUEUE:
		proc = ns_queue_cmd;
		break;
	case NS_IGNORED:
		break;
	}
	snprintf(handle, sizeof(handle), "_o%zu", o->id);
	Tcl_CreateObjCommand(st->interp, handle, proc, o, NULL);
	return o;
}
