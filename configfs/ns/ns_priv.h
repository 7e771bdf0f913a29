/*
 * ns_priv.h: what the parts of the NS-file evaluator share: the state of
 * one evaluation, the ns-2 objects (Tcl commands named _o<N>, as in OTcl)
 * and the helpers for arguments, lines, warnings and errors.
 *
 * ns.c       the interpreter, the file checks, the run of the file one
 *            command at a time, `new`, `source` and the other small
 *            commands, and the final resolution of pins and addresses;
 * ns_lines.c the file line of the command being run, `proc` (which
 *            remembers where bodies start) and the line of a Tcl error;
 * ns_msg.c   warnings and errors at that line, quoting for messages;
 * ns_obj.c   the objects: handles, lookup, descriptions, arguments;
 * ns_names.c naming objects: `set`, global variables, generated names;
 * ns_sim.c   the Simulator and the node, link, LAN, queue and ignored
 *            objects;
 * ns_tb.c    the tb-* commands.
 */
#ifndef NC_NS_PRIV_H
#define NC_NS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <tcl.h>

#include "diag.h"
#include "model.h"
#include "strmap.h"

enum ns_kind {
	NS_SIM = 0,	/* a Simulator */
	NS_NODE,	/* a node: idx is its index in exp->nodes */
	NS_LAN,		/* a link or LAN: idx is its index in exp->lans */
	NS_MEMBER,	/* a LAN member ($ns lanlink): idx lan, node node */
	NS_QUEUE,	/* a link's queue: its settings are ignored */
	NS_IGNORED,	/* an ns-2 object the testbed does not emulate */
};

struct ns_state;

struct ns_obj {
	struct ns_state *st;	/* the evaluation it belongs to */
	enum ns_kind kind;	/* what it stands for */
	size_t id;		/* N of its handle _o<N>; index in st->objs */
	size_t idx;		/* NS_NODE: its node; NS_LAN, NS_MEMBER: LAN */
	size_t node;		/* NS_MEMBER: the member's node index */
	char *cls;		/* NS_IGNORED: the class given to new */
	int named;		/* NS_NODE, NS_LAN: has its final name */
	int line;		/* line that created it */
};

enum ns_ip_how {
	NS_IP_ONLY = 0,		/* tb-set-ip: the node's only interface */
	NS_IP_LAN,		/* tb-set-ip-link/-lan: the iface on a LAN */
	NS_IP_PEER,		/* tb-set-ip-interface: the one with the peer */
};

/* An explicit address, applied in file order once the file has run. */
struct ns_ipset {
	const char *cmd;	/* the tb-* command that gave it (static) */
	enum ns_ip_how how;	/* how the interface is chosen */
	size_t node;		/* the node */
	size_t lan;		/* NS_IP_LAN: the LAN */
	size_t peer;		/* NS_IP_PEER: the peer node */
	uint32_t ip;		/* the address, host order */
	int line;		/* line of the command */
	size_t iface;		/* the interface, once resolved */
};

/* A tb-fix-node, applied in file order once every node has its name. */
struct ns_fix {
	size_t node;		/* the pinned node */
	size_t target;		/* the node of the experiment it is pinned to */
	char *name;		/* or the pnode's name (then target unused) */
};

/* One registered tb-* command: clientData of its Tcl command. */
struct ns_tbreg {
	struct ns_state *st;	/* the evaluation */
	const struct ns_tbcmd *cmd; /* its table entry (ns_tb.c) */
};

/* One evaluation of an NS file. */
struct ns_state {
	Tcl_Interp *interp;	/* the safe interpreter */
	struct nc_exp *e;	/* the experiment being filled */
	struct nc_diag *d;	/* warnings and the first error */
	struct ns_obj **objs;	/* every object, by id */
	size_t nobjs, capobjs;
	size_t *lan_obj;	/* LAN index -> object id */
	size_t nlan_obj, caplan_obj;
	struct nc_strmap names;	/* final names of nodes and LANs -> id */
	struct ns_ipset *ipsets; /* explicit addresses, file order */
	size_t nipsets, capipsets;
	struct ns_fix *fixes;	/* tb-fix-node, file order */
	size_t nfixes, capfixes;
	struct ns_tbreg *tbregs; /* clientData of the tb-* commands */
	size_t ntbregs;
	Tcl_CmdInfo frame;	/* ::tcl::info::frame, called directly */
	Tcl_CmdInfo globals;	/* ::tcl::info::globals */
	Tcl_CmdInfo arrayget;	/* ::tcl::array::get */
	Tcl_CmdInfo proc;	/* the builtin proc, which ours wraps */
	Tcl_Obj *frame_objv[2];	/* "frame 0" */
	Tcl_Obj *key_line;	/* "line", a key of a frame dict */
	Tcl_Obj *key_type;	/* "type" */
	Tcl_Obj *key_cmd;	/* "cmd" */
	Tcl_Obj *key_proc;	/* "proc" */
	struct nc_strmap proc_line; /* proc full name -> file line of body */
	int chunk_line;		/* file line of the top-level command run */
	int run_line;		/* line of the first `$ns run` (0: none) */
	int last_line;		/* line of the file's last command */
	int rtproto_warned;	/* an unsupported rtproto was reported */
};

/* ns_lines.c */
int ns_line(struct ns_state *st);
int ns_error_line(int errline, const char *info);
Tcl_ObjCmdProc ns_proc_cmd;

/* ns_msg.c */
int ns_error(struct ns_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ns_warn(struct ns_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ns_usage(struct ns_state *st, const char *usage);
char *ns_quote(const char *s);
char *ns_clean(const char *s);

/* ns_obj.c */
struct ns_obj *ns_obj_get(struct ns_state *st, Tcl_Obj *o);
void ns_obj_result(struct ns_state *st, struct ns_obj *o);
const char *ns_kind_name(enum ns_kind k);
const char *ns_node_label(struct ns_state *st, size_t node, char *buf,
    size_t n);
const char *ns_lan_label(struct ns_state *st, size_t lan, char *buf,
    size_t n);
int ns_arg_node(struct ns_state *st, const char *cmd, Tcl_Obj *o,
    size_t *node);
int ns_arg_lan(struct ns_state *st, const char *cmd, Tcl_Obj *o, size_t *lan);
long ns_member_iface(const struct nc_exp *e, size_t lan, size_t node);
long ns_link_between(const struct nc_exp *e, size_t a, size_t b);

/* ns_names.c */
Tcl_ObjCmdProc ns_set_cmd;
int ns_name_from_globals(struct ns_state *st);
void ns_name_the_rest(struct ns_state *st);

/* ns_sim.c */
int ns_sim_method(struct ns_state *st, int objc, Tcl_Obj *const objv[]);
struct ns_obj *ns_obj_new(struct ns_state *st, enum ns_kind kind, int line);
Tcl_ObjCmdProc ns_sim_cmd, ns_node_cmd, ns_lan_cmd, ns_queue_cmd,
    ns_ignored_cmd;

/* ns_tb.c */
void ns_tb_register(struct ns_state *st);
int ns_tb_unknown(struct ns_state *st, const char *name);

#endif
