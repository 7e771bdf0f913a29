/*
 * ns_tb.c: the testbed's tb-* commands of an NS file, in C.
 *
 * Each checks its arguments (count, kind of object, value) and records the
 * setting in the experiment.  Explicit addresses and pins to nodes of the
 * experiment are kept in the state and resolved once the file has run
 * (ns.c), so that they may come before the links they concern and name
 * nodes by their final names.  Commands that matter only on a real
 * testbed are accepted with a warning.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "inet.h"
#include "model.h"
#include "ns_priv.h"
#include "units.h"
#include "util.h"
#include "valid.h"

struct ns_tbcmd {
	const char *name;	/* the command */
	int (*fn)(struct ns_state *, const struct ns_tbcmd *, int,
	    Tcl_Obj *const[]);	/* its implementation (NULL: warn only) */
	int min, max;		/* its number of arguments (max -1: any) */
	const char *usage;	/* its arguments, for messages */
};

/* ---------------------------------------------------------------- */
/* Helpers */

/* The node's interface on lan, else an error. */
static int
member(struct ns_state *st, const char *cmd, size_t node, size_t lan,
    struct nc_iface **ifc)
{
	struct nc_exp *e = st->e;
	long k = ns_member_iface(e, lan, node);
	char b1[48], b2[48];

	if (k < 0)
		return ns_error(st, "%s: node %s is not a member of %s", cmd,
		    ns_node_label(st, node, b1, sizeof(b1)),
		    ns_lan_label(st, lan, b2, sizeof(b2)));
	*ifc = &e->nodes[node].ifaces[k];
	return TCL_OK;
}

/* A value without whitespace or control characters (OS, hardware). */
static int
word(struct ns_state *st, const char *cmd, const char *what, Tcl_Obj *arg)
{
	const unsigned char *p = (const unsigned char *)Tcl_GetString(arg);
	char *q;
	int rc;

	if (*p == '\0')
		return ns_error(st, "%s: empty %s", cmd, what);
	for (; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f) {
			q = ns_quote(Tcl_GetString(arg));
			rc = ns_error(st, "%s: %s %s may not contain spaces "
			    "or control characters", cmd, what, q);
			free(q);
			return rc;
		}
	return TCL_OK;
}

/* A file to install: an absolute path or an http(s)/ftp URL. */
static int
source_file(struct ns_state *st, const char *cmd, Tcl_Obj *arg)
{
	const char *s = Tcl_GetString(arg), *p;
	char *q;
	int rc;

	if (nc_valid_path(s, NULL) == 0)
		return TCL_OK;
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "ftp://", 6) == 0) {
		for (p = s; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				break;
		if (*p == '\0')
			return TCL_OK;
	}
	q = ns_quote(s);
	rc = ns_error(st, "%s: %s is not an absolute path or URL", cmd, q);
	free(q);
	return rc;
}

static int
bad_value(struct ns_state *st, const char *cmd, const char *why)
{
	return ns_error(st, "%s: %s", cmd, why);
}

/* ---------------------------------------------------------------- */
/* Nodes */

static int
tb_node_os(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_node *n;
	size_t node;

	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    word(st, c->name, "OS", objv[2]) != TCL_OK ||
	    (objc > 3 && word(st, c->name, "parent OS", objv[3]) != TCL_OK))
		return TCL_ERROR;
	n = &st->e->nodes[node];
	nc_set_str(&n->os, Tcl_GetString(objv[2]));
	n->os_line = ns_line(st);
	nc_set_str(&n->parent_os, objc > 3 ? Tcl_GetString(objv[3]) : NULL);
	return TCL_OK;
}

static int
tb_hardware(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	size_t node;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    word(st, c->name, "hardware type", objv[2]) != TCL_OK)
		return TCL_ERROR;
	nc_set_str(&st->e->nodes[node].hardware, Tcl_GetString(objv[2]));
	return TCL_OK;
}

static int
tb_attribute(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_node *n;
	const char *key = Tcl_GetString(objv[2]), *why;
	size_t node, i;
	char *q;
	int line, rc;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	if (nc_valid_attr_key(key, &why) < 0) {
		q = ns_quote(key);
		rc = ns_error(st, "%s: attribute key %s %s", c->name, q, why);
		free(q);
		return rc;
	}
	n = &st->e->nodes[node];
	line = ns_line(st);
	if (nc_node_set_attr(n, key, Tcl_GetString(objv[3]), line) != 0) {
		for (i = 0; i < n->nattrs; i++)
			if (strcmp(n->attrs[i].key, key) == 0)
				break;
		q = ns_quote(key);
		nc_diag_warn(st->d, line, "%s: attribute %s already set at "
		    "line %d; first setting wins", c->name, q,
		    i < n->nattrs ? n->attrs[i].line : 0);
		free(q);
	}
	return TCL_OK;
}

static int
tb_startcmd(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	size_t node;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	nc_set_str(&st->e->nodes[node].startcmd, Tcl_GetString(objv[2]));
	return TCL_OK;
}

static int
tb_failure(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	const char *a = Tcl_GetString(objv[2]);
	size_t node;
	char *q;
	int rc;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	if (strcmp(a, "fatal") != 0 && strcmp(a, "nonfatal") != 0 &&
	    strcmp(a, "ignore") != 0) {
		q = ns_quote(a);
		rc = ns_error(st, "%s: the action must be fatal, nonfatal or "
		    "ignore, not %s", c->name, q);
		free(q);
		return rc;
	}
	nc_set_str(&st->e->nodes[node].failure_action, a);
	return TCL_OK;
}

static int
tb_tarfiles(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_node *n;
	struct nc_tarfile *t;
	const char *why;
	size_t node;
	int i;
	char *q;

	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	if ((objc - 2) % 2 != 0)
		return ns_error(st, "%s: expected pairs of directory and "
		    "tarfile, got %d arguments after the node", c->name,
		    objc - 2);
	for (i = 2; i < objc; i += 2) {
		if (nc_valid_path(Tcl_GetString(objv[i]), &why) < 0) {
			q = ns_quote(Tcl_GetString(objv[i]));
			ns_error(st, "%s: directory %s %s", c->name, q, why);
			free(q);
			return TCL_ERROR;
		}
		if (source_file(st, c->name, objv[i + 1]) != TCL_OK)
			return TCL_ERROR;
	}
	n = &st->e->nodes[node];
	for (i = 2; i < objc; i += 2) {
		t = NC_PUSH(n->tarfiles, n->ntarfiles, n->captarfiles);
		t->dir = nc_strdup(Tcl_GetString(objv[i]));
		t->file = nc_strdup(Tcl_GetString(objv[i + 1]));
	}
	return TCL_OK;
}

static int
tb_rpms(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_node *n;
	size_t node;
	int i;

	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	for (i = 2; i < objc; i++)
		if (source_file(st, c->name, objv[i]) != TCL_OK)
			return TCL_ERROR;
	n = &st->e->nodes[node];
	if (n->rpms_line == 0)
		n->rpms_line = ns_line(st);
	for (i = 2; i < objc; i++)
		*NC_PUSH(n->rpms, n->nrpms, n->caprpms) =
		    nc_strdup(Tcl_GetString(objv[i]));
	return TCL_OK;
}

static int
tb_fix(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct ns_obj *t;
	struct ns_fix *f;
	struct nc_node *n;
	const char *name, *why;
	size_t node, target;
	char *q;
	int line, rc;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK)
		return TCL_ERROR;
	/* a node of the experiment, or the name of a pnode */
	t = ns_obj_get(st, objv[2]);
	if (t != NULL && ns_arg_node(st, c->name, objv[2], &target) !=
	    TCL_OK)
		return TCL_ERROR;
	if (t != NULL && target == node)
		return ns_error(st, "%s: a node cannot be fixed to itself",
		    c->name);
	name = Tcl_GetString(objv[2]);
	if (t == NULL && nc_valid_label(name, &why) < 0) {
		q = ns_quote(name);
		rc = ns_error(st, "%s: name %s %s", c->name, q, why);
		free(q);
		return rc;
	}
	n = &st->e->nodes[node];
	line = ns_line(st);
	if (n->fix_line != 0)
		nc_diag_warn(st->d, line, "%s: node already fixed at line %d; "
		    "the last setting wins", c->name, n->fix_line);
	n->fix_line = line;
	f = NC_PUSH(st->fixes, st->nfixes, st->capfixes);
	f->node = node;
	if (t != NULL)
		f->target = target;
	else
		f->name = nc_strdup(name);
	return TCL_OK;
}

/* ---------------------------------------------------------------- */
/* Addresses */

static int
ip_arg(struct ns_state *st, const char *cmd, Tcl_Obj *arg, uint32_t *ip)
{
	char *q;
	int rc;

	if (nc_ip_parse(Tcl_GetString(arg), ip) == 0 && *ip != 0)
		return TCL_OK;
	q = ns_quote(Tcl_GetString(arg));
	rc = ns_error(st, "%s: bad IP address %s", cmd, q);
	free(q);
	return rc;
}

static void
add_ipset(struct ns_state *st, const char *cmd, enum ns_ip_how how,
    size_t node, size_t other, uint32_t ip)
{
	struct ns_ipset *s = NC_PUSH(st->ipsets, st->nipsets, st->capipsets);

	s->cmd = cmd;
	s->how = how;
	s->node = node;
	if (how == NS_IP_LAN)
		s->lan = other;
	else if (how == NS_IP_PEER)
		s->peer = other;
	s->ip = ip;
	s->line = ns_line(st);
}

static int
tb_ip(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	size_t node;
	uint32_t ip;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    ip_arg(st, c->name, objv[2], &ip) != TCL_OK)
		return TCL_ERROR;
	add_ipset(st, c->name, NS_IP_ONLY, node, 0, ip);
	return TCL_OK;
}

/* tb-set-ip-link and tb-set-ip-lan */
static int
tb_ip_lan(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_iface *ifc;
	size_t node, lan;
	uint32_t ip;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    ns_arg_lan(st, c->name, objv[2], &lan) != TCL_OK ||
	    member(st, c->name, node, lan, &ifc) != TCL_OK ||
	    ip_arg(st, c->name, objv[3], &ip) != TCL_OK)
		return TCL_ERROR;
	add_ipset(st, c->name, NS_IP_LAN, node, lan, ip);
	return TCL_OK;
}

static int
tb_ip_iface(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	size_t node, peer;
	uint32_t ip;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    ns_arg_node(st, c->name, objv[2], &peer) != TCL_OK ||
	    ip_arg(st, c->name, objv[3], &ip) != TCL_OK)
		return TCL_ERROR;
	if (node == peer)
		return ns_error(st, "%s: the node and its peer are the same",
		    c->name);
	add_ipset(st, c->name, NS_IP_PEER, node, peer, ip);
	return TCL_OK;
}

static int
tb_netmask(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	size_t lan;
	uint32_t mask;
	int prefix;
	char *q;

	(void)objc;
	if (ns_arg_lan(st, c->name, objv[1], &lan) != TCL_OK)
		return TCL_ERROR;
	if (nc_mask_parse(Tcl_GetString(objv[2]), &mask) != 0) {
		q = ns_quote(Tcl_GetString(objv[2]));
		ns_error(st, "%s: bad netmask %s", c->name, q);
		free(q);
		return TCL_ERROR;
	}
	prefix = nc_mask_prefix(mask);
	if (prefix < 16 || prefix > 30)
		return ns_error(st, "%s: netmask must be between /16 and /30",
		    c->name);
	st->e->lans[lan].mask = mask;
	return TCL_OK;
}

/* ---------------------------------------------------------------- */
/* Shaping */

static int
tb_link_loss(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	const char *why;
	size_t lan, a, b;
	double loss;
	long l;
	char b1[48], b2[48];

	if (objc == 3) {
		if (ns_arg_lan(st, c->name, objv[1], &lan) != TCL_OK)
			return TCL_ERROR;
	} else {
		if (ns_arg_node(st, c->name, objv[1], &a) != TCL_OK ||
		    ns_arg_node(st, c->name, objv[2], &b) != TCL_OK)
			return TCL_ERROR;
		if ((l = ns_link_between(st->e, a, b)) < 0)
			return ns_error(st, "%s: no link between %s and %s",
			    c->name, ns_node_label(st, a, b1, sizeof(b1)),
			    ns_node_label(st, b, b2, sizeof(b2)));
		lan = (size_t)l;
	}
	if (nc_loss_parse(Tcl_GetString(objv[objc - 1]), &loss, &why) < 0)
		return bad_value(st, c->name, why);
	st->e->lans[lan].loss = loss;
	return TCL_OK;
}

/* tb-set-lan-loss, tb-set-{link,lan}-{bandwidth,delay} */
static int
tb_lan_value(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_lan *l;
	const char *why, *v = Tcl_GetString(objv[2]);
	size_t lan;
	long bw;
	double x;

	(void)objc;
	if (ns_arg_lan(st, c->name, objv[1], &lan) != TCL_OK)
		return TCL_ERROR;
	l = &st->e->lans[lan];
	if (strstr(c->name, "bandwidth") != NULL) {
		if (nc_bandwidth_parse(v, &bw, &why) < 0)
			return bad_value(st, c->name, why);
		l->bandwidth_kbps = bw;
	} else if (strstr(c->name, "delay") != NULL) {
		if (nc_delay_parse(v, &x, &why) < 0)
			return bad_value(st, c->name, why);
		l->delay_ms = x;
	} else {
		if (nc_loss_parse(v, &x, &why) < 0)
			return bad_value(st, c->name, why);
		l->loss = x;
	}
	return TCL_OK;
}

/* tb-set-node-lan-{delay,bandwidth,loss} and tb-set-node-lan-params */
static int
tb_node_lan(struct ns_state *st, const struct ns_tbcmd *c, int objc,
    Tcl_Obj *const objv[])
{
	struct nc_iface *ifc;
	const char *why;
	size_t node, lan;
	long bw = NC_UNSET;
	double delay = NC_UNSET, loss = NC_UNSET;
	int params = strcmp(c->name, "tb-set-node-lan-params") == 0;

	(void)objc;
	if (ns_arg_node(st, c->name, objv[1], &node) != TCL_OK ||
	    ns_arg_lan(st, c->name, objv[2], &lan) != TCL_OK ||
	    member(st, c->name, node, lan, &ifc) != TCL_OK)
		return TCL_ERROR;
	if (params) {
		if (nc_delay_parse(Tcl_GetString(objv[3]), &delay, &why) < 0 ||
		    nc_bandwidth_parse(Tcl_GetString(objv[4]), &bw, &why) < 0 ||
		    nc_loss_parse(Tcl_GetString(objv[5]), &loss, &why) < 0)
			return bad_value(st, c->name, why);
	} else if (strstr(c->name, "bandwidth") != NULL) {
		if (nc_bandwidth_parse(Tcl_GetString(objv[3]), &bw, &why) < 0)
			return bad_value(st, c->name, why);
	} else if (strstr(c->name, "delay") != NULL) {
		if (nc_delay_parse(Tcl_GetString(objv[3]), &delay, &why) < 0)
			return bad_value(st, c->name, why);
	} else {
		if (nc_loss_parse(Tcl_GetString(objv[3]), &loss, &why) < 0)
			return bad_value(st, c->name, why);
	}
	if (bw != NC_UNSET)
		ifc->bandwidth_kbps = bw;
	if (delay != NC_UNSET)
		ifc->delay_ms = delay;
	if (loss != NC_UNSET)
		ifc->loss = loss;
	return TCL_OK;
}

/* ---------------------------------------------------------------- */
/* The table */

static const struct ns_tbcmd tbcmds[] = {
	{ "tb-set-node-os", tb_node_os, 2, 3, "node os ?parent-os?" },
	{ "tb-set-hardware", tb_hardware, 2, -1, "node type ?args?" },
	{ "tb-add-node-attribute", tb_attribute, 3, 3, "node key value" },
	{ "tb-set-node-startcmd", tb_startcmd, 2, 2, "node command" },
	{ "tb-set-node-failure-action", tb_failure, 2, 2,
	    "node fatal|nonfatal|ignore" },
	{ "tb-set-node-tarfiles", tb_tarfiles, 3, -1,
	    "node dir tarfile ?dir tarfile ...?" },
	{ "tb-set-node-rpms", tb_rpms, 2, -1, "node rpm ?rpm ...?" },
	{ "tb-fix-node", tb_fix, 2, 2, "vnode pnode" },
	{ "tb-set-ip", tb_ip, 2, 2, "node ip" },
	{ "tb-set-ip-link", tb_ip_lan, 3, 3, "node link ip" },
	{ "tb-set-ip-lan", tb_ip_lan, 3, 3, "node lan ip" },
	{ "tb-set-ip-interface", tb_ip_iface, 3, 3, "node peer ip" },
	{ "tb-set-netmask", tb_netmask, 2, 2, "link-or-lan netmask" },
	{ "tb-set-link-loss", tb_link_loss, 2, 3,
	    "link loss | node1 node2 loss" },
	{ "tb-set-lan-loss", tb_lan_value, 2, 2, "lan loss" },
	{ "tb-set-link-bandwidth", tb_lan_value, 2, 2, "link bandwidth" },
	{ "tb-set-link-delay", tb_lan_value, 2, 2, "link delay" },
	{ "tb-set-lan-bandwidth", tb_lan_value, 2, 2, "lan bandwidth" },
	{ "tb-set-lan-delay", tb_lan_value, 2, 2, "lan delay" },
	{ "tb-set-node-lan-delay", tb_node_lan, 3, 3, "node lan delay" },
	{ "tb-set-node-lan-bandwidth", tb_node_lan, 3, 3,
	    "node lan bandwidth" },
	{ "tb-set-node-lan-loss", tb_node_lan, 3, 3, "node lan loss" },
	{ "tb-set-node-lan-params", tb_node_lan, 5, 5,
	    "node lan delay bandwidth loss" },
	/* accepted, not used here */
	{ "tb-set-sync-server", NULL, 0, -1, NULL },
	{ "tb-use-ipassign", NULL, 0, -1, NULL },
	{ "tb-set-ip-routing", NULL, 0, -1, NULL },
	{ "tb-set-security-level", NULL, 0, -1, NULL },
	{ "tb-set-lan-protocol", NULL, 0, -1, NULL },
	{ "tb-set-link-simplex-params", NULL, 0, -1, NULL },
	{ "tb-set-uselatestwadata", NULL, 0, -1, NULL },
	{ "tb-use-endnodeshaping", NULL, 0, -1, NULL },
	{ "tb-set-noshaping", NULL, 0, -1, NULL },
	{ "tb-set-colocate-factor", NULL, 0, -1, NULL },
	{ "tb-set-jail-os", NULL, 0, -1, NULL },
	{ "tb-set-node-cmdline", NULL, 0, -1, NULL },
	{ "tb-set-tarfiles", NULL, 0, -1, NULL },
	{ "tb-set-dpdb", NULL, 0, -1, NULL },
	{ "tb-set-vlink-emulation", NULL, 0, -1, NULL },
	{ "tb-set-multiplexed", NULL, 0, -1, NULL },
	{ "tb-set-endnodeshaping", NULL, 0, -1, NULL },
	{ "tb-set-node-usesharednode", NULL, 0, -1, NULL },
};

#define NTBCMDS (sizeof(tbcmds) / sizeof(tbcmds[0]))

static int
tb_dispatch(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	const struct ns_tbreg *r = cd;
	const struct ns_tbcmd *c = r->cmd;
	struct ns_state *st = r->st;
	char *u;
	int rc;

	Tcl_ResetResult(in);
	if (c->fn == NULL) {
		ns_warn(st, "%s is not used by this testbed; recorded/ignored",
		    c->name);
		return TCL_OK;
	}
	if (objc - 1 < c->min || (c->max >= 0 && objc - 1 > c->max)) {
		u = nc_asprintf("%s %s", c->name, c->usage);
		rc = ns_error(st, "%s: wrong number of arguments; usage: %s",
		    c->name, u);
		free(u);
		return rc;
	}
	rc = c->fn(st, c, objc, objv);
	if (rc == TCL_OK)
		Tcl_ResetResult(in);
	return rc;
}

void
ns_tb_register(struct ns_state *st)
{
	size_t i;

	st->tbregs = nc_calloc(NTBCMDS, sizeof(*st->tbregs));
	st->ntbregs = NTBCMDS;
	for (i = 0; i < NTBCMDS; i++) {
		st->tbregs[i].st = st;
		st->tbregs[i].cmd = &tbcmds[i];
		Tcl_CreateObjCommand(st->interp, tbcmds[i].name, tb_dispatch,
		    &st->tbregs[i], NULL);
	}
}

/* An unknown tb-* command (from `unknown`). */
int
ns_tb_unknown(struct ns_state *st, const char *name)
{
	const char *p;
	char *q = NULL;

	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			break;
	if (*p != '\0' || strlen(name) > 80)
		q = ns_quote(name);
	Tcl_ResetResult(st->interp);
	ns_warn(st, "unknown command %s; ignored", q ? q : name);
	free(q);
	return TCL_OK;
}
