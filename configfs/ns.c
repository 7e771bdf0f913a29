/*
 * ns.c: evaluating an NS file in an embedded, safe Tcl interpreter.
 *
 * The file is checked (text, not empty), then its text is run, one top-level
 * command at a time, each compiled (Tcl_EvalObjEx), in an interpreter made
 * safe (no exec, open, file, load, source, exit, ...) and limited in time.
 * The ns-2 objects are Tcl commands implemented in C (ns_sim.c), the tb-*
 * commands too (ns_tb.c).  `set` is ours: it names a node, link or LAN
 * after the first variable that holds it.  Once the file has run, the
 * objects still without a name are named after a global variable holding
 * them, or given a generated name; then tb-fix-node pins and explicit
 * addresses are resolved.
 *
 * Lines come from `info frame 0` (the ::tcl::info::frame command called
 * directly from C, so level 0 is our command's own frame).  Compiled code
 * knows the line of every command, also of `$ns ...` whose first word is a
 * substitution (the direct evaluation of Tcl_EvalFile gives those -1), and
 * inside loops; the line is relative to the top-level command, whose own
 * line we know.  (One compiled script for the whole file would cost a
 * search through all of its commands for each line: quadratic.)  Inside a
 * proc the line is relative to the proc's body: our `proc` wraps the
 * builtin and remembers on which file line each body starts.  A Tcl error
 * is placed by its -errorline plus the body lines of the loops in its
 * errorInfo.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tcl.h>

#include "diag.h"
#include "inet.h"
#include "model.h"
#include "names.h"
#include "ns.h"
#include "ns_priv.h"
#include "strmap.h"
#include "util.h"

/* Seconds of evaluation allowed when the caller gives no limit. */
#define NS_DEFAULT_LIMIT 10.0
/* Largest NS file read. */
#define NS_MAX_BYTES (64L * 1024 * 1024)
/* Deepest nesting of [commands] accepted. */
#define NS_MAX_NESTING 1000
/* Longest user string echoed in a message. */
#define NS_SHOW_MAX 80

/* A variable holding an object still unnamed when the file has run. */
struct cand {
	size_t id;		/* the object */
	char *var;		/* the variable: "x" or "arr(key)" */
};

/* ---------------------------------------------------------------- */
/* Messages */

/* s quoted for a message: "...", with '"', '\\', control and non-ASCII
 * bytes escaped and long strings cut.  Returns a new string. */
char *
ns_quote(const char *s)
{
	size_t i, j = 0, n = NS_SHOW_MAX * 4 + 8;
	char *q = nc_malloc(n);

	q[j++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= NS_SHOW_MAX) {
			memcpy(q + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			j += (size_t)snprintf(q + j, n - j, "\\x%02x", c);
		else
			q[j++] = (char)c;
	}
	q[j++] = '"';
	q[j] = '\0';
	return q;
}

/* A Tcl message made fit for one line of a terminal: control bytes
 * escaped, cut when very long.  Returns a new string. */
static char *
clean(const char *s)
{
	size_t i, j = 0, n = 4 * 512 + 8;
	char *q = nc_malloc(n);

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= 512) {
			memcpy(q + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			j += (size_t)snprintf(q + j, n - j, "\\x%02x", c);
		else
			q[j++] = (char)c;
	}
	q[j] = '\0';
	return q;
}

/*
 * The frame of the command being run (`info frame 0`): its file line (0 if
 * unknown) and, when cmd is not NULL, its text (a new reference, or NULL).
 */
static int
frame(struct ns_state *st, Tcl_Obj **cmd)
{
	Tcl_Obj *res, *v, *type = NULL, *proc = NULL;
	long base;
	int line = 0;

	if (cmd != NULL)
		*cmd = NULL;
	if (st->frame.objProc(st->frame.objClientData, st->interp, 2,
	    st->frame_objv) != TCL_OK)
		goto out;
	res = Tcl_GetObjResult(st->interp);
	if (Tcl_DictObjGet(NULL, res, st->key_line, &v) != TCL_OK ||
	    v == NULL || Tcl_GetIntFromObj(NULL, v, &line) != TCL_OK)
		line = 0;
	if (Tcl_DictObjGet(NULL, res, st->key_type, &type) != TCL_OK)
		type = NULL;
	if (Tcl_DictObjGet(NULL, res, st->key_proc, &proc) != TCL_OK)
		proc = NULL;
	if (type != NULL && strcmp(Tcl_GetString(type), "proc") == 0) {
		/* relative to the body of the proc */
		base = proc ? nc_strmap_get(&st->proc_line,
		    Tcl_GetString(proc)) : -1;
		line = base > 0 && line > 0 ? (int)base + line - 1 : 0;
	} else if (proc != NULL) {
		line = 0;	/* an eval'd string inside a proc */
	} else if (line > 0 && st->chunk_line > 0) {
		line += st->chunk_line - 1;
	}
	if (cmd != NULL && Tcl_DictObjGet(NULL, res, st->key_cmd, &v) ==
	    TCL_OK && v != NULL) {
		*cmd = v;
		Tcl_IncrRefCount(v);
	}
out:
	Tcl_ResetResult(st->interp);
	return line > 0 ? line : 0;
}

/* The file line of the command being run, or 0 if unknown. */
int
ns_line(struct ns_state *st)
{
	return frame(st, NULL);
}

/* Record an error at the current line and make it the Tcl result.
 * Returns TCL_ERROR. */
int
ns_error(struct ns_state *st, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int line;

	line = ns_line(st);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	nc_diag_error(st->d, line, "%s", msg ? msg : "out of memory");
	Tcl_SetObjResult(st->interp, Tcl_NewStringObj(msg ? msg : "", -1));
	free(msg);
	return TCL_ERROR;
}

/* A warning at the current line. */
void
ns_warn(struct ns_state *st, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int line;

	line = ns_line(st);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	nc_diag_warn(st->d, line, "%s", msg ? msg : "out of memory");
	free(msg);
}

/* Wrong number of arguments.  Returns TCL_ERROR. */
int
ns_usage(struct ns_state *st, const char *usage)
{
	return ns_error(st, "wrong number of arguments; usage: %s", usage);
}

/* ---------------------------------------------------------------- */
/* Objects */

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

/* The object whose handle o is, or NULL. */
struct ns_obj *
ns_obj_get(struct ns_state *st, Tcl_Obj *o)
{
	const char *s = Tcl_GetString(o), *p;
	size_t id = 0;

	if (s[0] != '_' || s[1] != 'o' || !isdigit((unsigned char)s[2]) ||
	    (s[2] == '0' && s[3] != '\0'))
		return NULL;
	for (p = s + 2; isdigit((unsigned char)*p); p++) {
		id = id * 10 + (size_t)(*p - '0');
		if (id >= st->nobjs)
			return NULL;
	}
	if (*p != '\0')
		return NULL;
	return st->objs[id];
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

/* ---------------------------------------------------------------- */
/* Names */

/* Give node or LAN o its final name (line: where it was named, 0 keeps
 * the creation line). */
static void
rename_obj(struct ns_state *st, struct ns_obj *o, const char *name, int line)
{
	struct nc_exp *e = st->e;
	char **slot;
	struct nc_strmap *map;
	int *lp;

	if (o->kind == NS_NODE) {
		slot = &e->nodes[o->idx].name;
		lp = &e->nodes[o->idx].line;
		map = &e->node_by_name;
	} else {
		slot = &e->lans[o->idx].name;
		lp = &e->lans[o->idx].line;
		map = &e->lan_by_name;
	}
	nc_strmap_del(map, *slot);
	nc_set_str(slot, name);
	nc_strmap_put(map, name, (long)o->idx);
	if (line > 0)
		*lp = line;
	nc_strmap_put(&st->names, name, (long)o->id);
	o->named = 1;
}

/*
 * Name o after variable var.  An invalid name is an error (when strict) or
 * ignored; a name already in use leaves o unnamed.  line: where (0: the
 * current command's line, looked up only when needed).
 */
static int
name_after(struct ns_state *st, struct ns_obj *o, const char *var,
    int strict, int line)
{
	char *name = NULL, *q = NULL;
	const char *why;
	int mapped, rc = TCL_OK;

	if (strncmp(var, "::", 2) == 0)
		var += 2;
	mapped = nc_name_mangle(var, &name);
	if ((why = nc_name_problem(name)) != NULL) {
		if (strict) {
			q = ns_quote(var);
			rc = ns_error(st, "name %s %s", q, why);
		}
		goto out;
	}
	if (nc_strmap_get(&st->names, name) >= 0)
		goto out;
	if (line == 0)
		line = ns_line(st);
	if (mapped) {
		q = ns_quote(var);
		nc_diag_warn(st->d, line ? line : o->line,
		    "name %s becomes \"%s\" (names hold only letters, digits "
		    "and '-')", q, name);
	}
	rename_obj(st, o, name, strict ? line : 0);
out:
	free(name);
	free(q);
	return rc;
}

/* `set`: the builtin's behaviour, plus naming. */
static int
set_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;
	struct ns_obj *o;
	Tcl_Obj *v;

	if (objc == 2) {
		v = Tcl_ObjGetVar2(in, objv[1], NULL, TCL_LEAVE_ERR_MSG);
		if (v == NULL)
			return TCL_ERROR;
		Tcl_SetObjResult(in, v);
		return TCL_OK;
	}
	if (objc != 3) {
		Tcl_WrongNumArgs(in, 1, objv, "varName ?newValue?");
		return TCL_ERROR;
	}
	o = ns_obj_get(st, objv[2]);
	if (o != NULL && (o->kind == NS_NODE || o->kind == NS_LAN) &&
	    !o->named && name_after(st, o, Tcl_GetString(objv[1]), 1, 0) !=
	    TCL_OK)
		return TCL_ERROR;
	v = Tcl_ObjSetVar2(in, objv[1], NULL, objv[2], TCL_LEAVE_ERR_MSG);
	if (v == NULL)
		return TCL_ERROR;
	Tcl_SetObjResult(in, v);
	return TCL_OK;
}

/* ---------------------------------------------------------------- */
/* The other commands of the interpreter */

/*
 * `proc name args body`: the builtin, and the file line where the body
 * starts, so that lines inside it can be made absolute.
 */
static int
proc_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;
	Tcl_Namespace *ns;
	Tcl_Obj *cmd = NULL;
	const char *name, *text, *body, *p;
	size_t tlen, blen;
	char *full;
	int rc, line;

	rc = st->proc.objProc(st->proc.objClientData, in, objc, objv);
	if (rc != TCL_OK || objc != 4)
		return rc;
	line = frame(st, &cmd);
	name = Tcl_GetString(objv[1]);
	if (strncmp(name, "::", 2) == 0)
		full = nc_strdup(name);
	else {
		ns = Tcl_GetCurrentNamespace(in);
		full = nc_asprintf("%s::%s", strcmp(ns->fullName, "::") == 0 ?
		    "" : ns->fullName, name);
	}
	if (line > 0 && cmd != NULL) {
		/* the body is the command's last word: {body} */
		text = Tcl_GetString(cmd);
		body = Tcl_GetString(objv[3]);
		tlen = strlen(text);
		blen = strlen(body);
		if (tlen >= blen + 2 && text[tlen - 1] == '}' &&
		    strncmp(text + tlen - blen - 1, body, blen) == 0)
			for (p = text; p < text + tlen - blen - 1; p++)
				if (*p == '\n')
					line++;
		nc_strmap_put(&st->proc_line, full, line);
	} else {
		nc_strmap_del(&st->proc_line, full);
	}
	free(full);
	if (cmd != NULL)
		Tcl_DecrRefCount(cmd);
	return TCL_OK;
}

/* `new Class ?args?` */
static int
new_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;
	struct ns_obj *o;
	const char *cls;
	char *q;
	int line;

	(void)in;
	if (objc < 2)
		return ns_usage(st, "new Class ?arg ...?");
	cls = Tcl_GetString(objv[1]);
	if (strcmp(cls, "Simulator") == 0) {
		o = ns_obj_new(st, NS_SIM, ns_line(st));
	} else {
		line = ns_line(st);
		q = clean(cls);
		nc_diag_warn(st->d, line, "ns-2 feature %s is not emulated; "
		    "ignored", q);
		free(q);
		o = ns_obj_new(st, NS_IGNORED, line);
		o->cls = nc_strdup(cls);
	}
	ns_obj_result(st, o);
	return TCL_OK;
}

/* `ns method ...`: the quirk of a missing `$`. */
static int
ns_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;

	(void)in;
	ns_warn(st, "`ns` used without `$`; taken as $ns");
	return ns_sim_method(st, objc, objv);
}

/* `source tb_compat.tcl` is a no-op; nothing else may be read. */
static int
source_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;
	const char *p;
	size_t len;

	(void)in;
	if (objc != 2)
		return ns_usage(st, "source tb_compat.tcl");
	p = Tcl_GetString(objv[1]);
	len = strlen(p);
	if (strcmp(p, "tb_compat.tcl") == 0 || (len > 14 &&
	    strcmp(p + len - 14, "/tb_compat.tcl") == 0))
		return TCL_OK;
	return ns_error(st, "source of other files is not supported");
}

/* `unknown`: an unknown tb-* command is a warning, anything else the
 * usual Tcl error. */
static int
unknown_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	struct ns_state *st = cd;
	const char *name;

	if (objc < 2)
		return TCL_OK;
	name = Tcl_GetString(objv[1]);
	if (strncmp(name, "tb-", 3) == 0)
		return ns_tb_unknown(st, name);
	Tcl_SetObjResult(in, Tcl_ObjPrintf("invalid command name \"%s\"",
	    name));
	Tcl_SetErrorCode(in, "TCL", "LOOKUP", "COMMAND", name, (char *)NULL);
	return TCL_ERROR;
}

/* `puts`: NS files print progress; the output is dropped. */
static int
puts_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
{
	(void)cd;
	if (objc < 2 || objc > 4) {
		Tcl_WrongNumArgs(in, 1, objv,
		    "?-nonewline? ?channelId? string");
		return TCL_ERROR;
	}
	Tcl_ResetResult(in);
	return TCL_OK;
}

/* ---------------------------------------------------------------- */
/* The file */

static int
read_file(const char *path, struct nc_diag *d, char **bufp, size_t *lenp)
{
	FILE *f = NULL;
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		nc_diag_error(d, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		nc_diag_error(d, 0, "cannot read: %s", strerror(EISDIR));
		goto out;
	}
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = nc_realloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > (size_t)NS_MAX_BYTES) {
			nc_diag_error(d, 0, "file is larger than %ld bytes",
			    NS_MAX_BYTES);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		nc_diag_error(d, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (buf == NULL)
		buf = nc_malloc(1);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Text (no NUL, valid UTF-8) with something besides comments, and without
 * brackets nested so deep that Tcl's recursive parser would overflow the
 * stack (the count is naive: braces and quotes are not looked at).
 */
static int
check_text(const char *buf, size_t len, struct nc_diag *d)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, n;
	int line = 1, content = 0, bol = 1, comment = 0, depth = 0;

	while (i < len) {
		if (p[i] == '\0' || (n = utf8_len(p + i, len - i)) == 0)
			return nc_diag_error(d, line,
			    "binary data, not an NS file");
		if (p[i] == '\n') {
			line++;
			bol = 1;
			comment = 0;
		} else if (bol && p[i] == '#') {
			comment = 1;
			bol = 0;
		} else if (!isspace(p[i]) && !comment) {
			bol = 0;
			content = 1;
			if (p[i] == '\\' && i + 1 < len && (p[i + 1] == '[' ||
			    p[i + 1] == ']' || p[i + 1] == '\\'))
				n = 2;
			else if (p[i] == '[' && ++depth > NS_MAX_NESTING)
				return nc_diag_error(d, line, "brackets nested "
				    "more than %d deep", NS_MAX_NESTING);
			else if (p[i] == ']' && depth > 0)
				depth--;
		}
		i += n;
	}
	if (!content)
		return nc_diag_error(d, 1, "empty NS file (no nodes)");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Tcl errors */

/* Is the errorInfo line l (length n) a body frame of a loop or if, and at
 * which line of the body? */
static int
body_frame(const char *l, size_t n, long *line)
{
	static const char *const kinds[] = {
		"(\"for\" body line ", "(\"foreach\" body line ",
		"(\"while\" body line ", "(\"if\" then script line ",
		"(\"if\" else script line ", "(\"lmap\" body line ",
		"(\"dict for\" body line ", "(\"dict map\" body line ", NULL,
	};
	size_t i, k;
	char *end;

	for (i = 0; kinds[i] != NULL; i++) {
		k = strlen(kinds[i]);
		if (n > k && strncmp(l, kinds[i], k) == 0) {
			*line = strtol(l + k, &end, 10);
			return end == l + n - 1 && *end == ')';
		}
	}
	return 0;
}

/*
 * The file line of an error: its -errorline (the line of the failing
 * command of the file's script), plus (M - 1) for each loop or if body
 * frame of its errorInfo, outermost first, up to the first frame of
 * another kind (a procedure, an eval): the error is placed at the call.
 */
static int
error_line(int errline, const char *info)
{
	struct frame {
		const char *p;	/* the frame, from its '(' */
		size_t n;	/* its length, up to its ')' */
	} *frames = NULL, *f;
	size_t nframes = 0, cap = 0, i, n;
	const char *p = info, *nl;
	long line = errline, m;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 5 && strncmp(p, "    (", 5) == 0 && p[n - 1] == ')') {
			f = NC_PUSH(frames, nframes, cap);
			f->p = p + 4;
			f->n = n - 4;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	for (i = nframes; i-- > 0 && body_frame(frames[i].p, frames[i].n,
	    &m);)
		if (m > 0 && m < 1000000000)
			line += m - 1;
	free(frames);
	return line > 0 && line < 1000000000 ? (int)line : 0;
}

/* Record the error of a failed evaluation. */
static void
tcl_error(struct ns_state *st, double limit)
{
	Tcl_Obj *opts, *key, *v;
	const char *info = "";
	char *msg;
	int line, errline = 0;

	msg = clean(Tcl_GetStringResult(st->interp));
	opts = Tcl_GetReturnOptions(st->interp, TCL_ERROR);
	Tcl_IncrRefCount(opts);
	key = Tcl_NewStringObj("-errorinfo", -1);
	Tcl_IncrRefCount(key);
	if (Tcl_DictObjGet(NULL, opts, key, &v) == TCL_OK && v != NULL)
		info = Tcl_GetString(v);
	Tcl_SetStringObj(key, "-errorline", -1);
	if (Tcl_DictObjGet(NULL, opts, key, &v) != TCL_OK || v == NULL ||
	    Tcl_GetIntFromObj(NULL, v, &errline) != TCL_OK)
		errline = 0;
	line = error_line(errline, info);
	if (line > 0 && st->chunk_line > 0)
		line += st->chunk_line - 1;
	if (Tcl_LimitExceeded(st->interp) ||
	    strcmp(msg, "time limit exceeded") == 0)
		nc_diag_error(st->d, line, "evaluation took longer than %g s "
		    "(a loop that never ends?)", limit);
	else if (strncmp(msg, "too many nested evaluations", 27) == 0)
		nc_diag_error(st->d, line, "too many nested evaluations (a "
		    "procedure that calls itself without end?)");
	else
		nc_diag_error(st->d, line, "Tcl error: %s", msg);
	Tcl_DecrRefCount(key);
	Tcl_DecrRefCount(opts);
	free(msg);
}

/* The number of newlines in [p, end). */
static int
newlines(const char *p, const char *end)
{
	int n = 0;

	for (; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p++)
		n++;
	return n;
}

/* Is the parsed command a plain `return`? */
static int
is_return(const Tcl_Parse *parse)
{
	const Tcl_Token *t = parse->tokenPtr;

	return t->type == TCL_TOKEN_SIMPLE_WORD && t[1].size == 6 &&
	    strncmp(t[1].start, "return", 6) == 0;
}

/*
 * Run the script in buf one top-level command at a time, as `source` would:
 * a top-level `return` ends it (Tcl_EvalObjEx at level 0 turns the return
 * into TCL_OK, so a literal `return` command is looked for).  Returns 0, or
 * -1 with the error recorded.
 */
static int
run(struct ns_state *st, const char *buf, size_t len, double limit)
{
	Tcl_Interp *in = st->interp;
	Tcl_Parse parse;
	Tcl_Obj *cmd;
	const char *p = buf, *end = buf + len, *start;
	int line = 1, code, ret, rc = -1, nerr0 = st->d->nerr;
	char *msg;

	while (p < end) {
		if (Tcl_ParseCommand(in, p, (int)(end - p), 0, &parse) !=
		    TCL_OK) {
			msg = clean(Tcl_GetStringResult(in));
			start = parse.commandStart;
			if (start < p || start > end)
				start = p;
			nc_diag_error(st->d, line + newlines(p, start),
			    "Tcl error: %s", msg);
			free(msg);	/* the parse is freed on error */
			goto out;
		}
		start = parse.commandStart;
		line += newlines(p, start);
		p = start + parse.commandSize;
		if (parse.numWords == 0) {
			Tcl_FreeParse(&parse);
			line += newlines(start, p);
			continue;
		}
		ret = is_return(&parse);
		Tcl_FreeParse(&parse);
		st->chunk_line = st->last_line = line;
		cmd = Tcl_NewStringObj(start, (int)(p - start));
		Tcl_IncrRefCount(cmd);
		code = Tcl_EvalObjEx(in, cmd, TCL_EVAL_GLOBAL);
		Tcl_DecrRefCount(cmd);
		if (code == TCL_RETURN || (code == TCL_OK && ret))
			break;
		if (code == TCL_OK) {
			line += newlines(start, p);
			continue;
		}
		if (st->d->nerr > nerr0) {
			/* ours, already recorded */
		} else if (code == TCL_ERROR) {
			tcl_error(st, limit);
		} else if (code == TCL_BREAK || code == TCL_CONTINUE) {
			nc_diag_error(st->d, line, "Tcl error: invoked \"%s\" "
			    "outside of a loop", code == TCL_BREAK ? "break" :
			    "continue");
		} else {
			nc_diag_error(st->d, line, "Tcl error: command "
			    "returned bad code: %d", code);
		}
		goto out;
	}
	rc = 0;
out:
	st->chunk_line = 0;
	return rc;
}

/* ---------------------------------------------------------------- */
/* After the run: names, pins, addresses */

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->var, y->var);
}

static void
consider(struct ns_state *st, struct cand **cands, size_t *n, size_t *cap,
    const char *var, Tcl_Obj *val)
{
	struct ns_obj *o = ns_obj_get(st, val);
	struct cand *c;

	if (o == NULL || (o->kind != NS_NODE && o->kind != NS_LAN) ||
	    o->named)
		return;
	c = NC_PUSH(*cands, *n, *cap);
	c->id = o->id;
	c->var = nc_strdup(var);
}

/* Name unnamed objects after global variables holding them. */
static int
name_from_globals(struct ns_state *st)
{
	Tcl_Interp *in = st->interp;
	Tcl_Obj *gv[1], *av[2], *list = NULL, *arr = NULL, **names, **kv, *v;
	struct cand *cands = NULL;
	size_t ncands = 0, cap = 0, i;
	int nnames, nkv, j, k, rc = -1;
	char *var;

	gv[0] = Tcl_NewStringObj("globals", -1);
	Tcl_IncrRefCount(gv[0]);
	av[0] = Tcl_NewStringObj("get", -1);
	Tcl_IncrRefCount(av[0]);
	if (st->globals.objProc(st->globals.objClientData, in, 1, gv) !=
	    TCL_OK)
		goto out;
	list = Tcl_GetObjResult(in);
	Tcl_IncrRefCount(list);
	Tcl_ResetResult(in);
	if (Tcl_ListObjGetElements(NULL, list, &nnames, &names) != TCL_OK)
		goto out;
	for (j = 0; j < nnames; j++) {
		v = Tcl_ObjGetVar2(in, names[j], NULL, TCL_GLOBAL_ONLY);
		if (v != NULL) {
			consider(st, &cands, &ncands, &cap,
			    Tcl_GetString(names[j]), v);
			continue;
		}
		Tcl_ResetResult(in);
		av[1] = names[j];
		if (st->arrayget.objProc(st->arrayget.objClientData, in, 2,
		    av) != TCL_OK) {
			Tcl_ResetResult(in);
			continue;
		}
		arr = Tcl_GetObjResult(in);
		Tcl_IncrRefCount(arr);
		Tcl_ResetResult(in);
		if (Tcl_ListObjGetElements(NULL, arr, &nkv, &kv) == TCL_OK)
			for (k = 0; k + 1 < nkv; k += 2) {
				var = nc_asprintf("%s(%s)",
				    Tcl_GetString(names[j]),
				    Tcl_GetString(kv[k]));
				consider(st, &cands, &ncands, &cap, var,
				    kv[k + 1]);
				free(var);
			}
		Tcl_DecrRefCount(arr);
	}
	if (Tcl_LimitExceeded(in))
		goto out;
	if (ncands > 0)
		qsort(cands, ncands, sizeof(*cands), cand_cmp);
	for (i = 0; i < ncands; i++)
		if (!st->objs[cands[i].id]->named)
			name_after(st, st->objs[cands[i].id], cands[i].var, 0,
			    st->objs[cands[i].id]->line);
	rc = 0;
out:
	for (i = 0; i < ncands; i++)
		free(cands[i].var);
	free(cands);
	if (list != NULL)
		Tcl_DecrRefCount(list);
	Tcl_DecrRefCount(gv[0]);
	Tcl_DecrRefCount(av[0]);
	return rc;
}

/* Generated names for the objects no variable names. */
static void
name_the_rest(struct ns_state *st)
{
	size_t i, k[3] = { 0, 0, 0 };
	static const char *const prefix[3] = { "node", "link", "lan" };
	struct ns_obj *o;
	char name[48];
	int w;

	for (i = 0; i < st->nobjs; i++) {
		o = st->objs[i];
		if ((o->kind != NS_NODE && o->kind != NS_LAN) || o->named)
			continue;
		w = o->kind == NS_NODE ? 0 :
		    st->e->lans[o->idx].kind == NC_LAN_LINK ? 1 : 2;
		do
			snprintf(name, sizeof(name), "%s%zu", prefix[w],
			    k[w]++);
		while (nc_strmap_get(&st->names, name) >= 0);
		nc_diag_warn(st->d, o->line, "%s not held by any variable; "
		    "named %s", w == 0 ? "node" : w == 1 ? "link" : "LAN",
		    name);
		rename_obj(st, o, name, 0);
	}
}

static void
resolve_fixes(struct ns_state *st)
{
	struct nc_exp *e = st->e;
	const struct ns_fix *f;
	size_t i;

	for (i = 0; i < st->nfixes; i++) {
		f = &st->fixes[i];
		nc_set_str(&e->nodes[f->node].fix, f->name ? f->name :
		    e->nodes[f->target].name);
	}
}

/* Apply the explicit addresses in file order. */
static int
resolve_ips(struct ns_state *st)
{
	struct nc_exp *e = st->e;
	struct nc_strmap owner = { 0 };	/* address -> ipset index */
	struct ns_ipset *s, *p;
	struct nc_node *n;
	struct nc_iface *ifc;
	char ip[16], old[16];
	size_t i, j;
	long k;
	int rc = -1;

	for (i = 0; i < st->nipsets; i++) {
		s = &st->ipsets[i];
		n = &e->nodes[s->node];
		switch (s->how) {
		case NS_IP_ONLY:
			if (n->nifaces != 1) {
				nc_diag_error(st->d, s->line, "%s: node %s has "
				    "%zu interfaces, not one; use "
				    "tb-set-ip-link or tb-set-ip-lan", s->cmd,
				    n->name, n->nifaces);
				goto out;
			}
			s->iface = 0;
			break;
		case NS_IP_LAN:
			k = ns_member_iface(e, s->lan, s->node);
			s->iface = (size_t)k;
			break;
		case NS_IP_PEER:
			for (j = 0; j < n->nifaces; j++)
				if (ns_member_iface(e, n->ifaces[j].lan,
				    s->peer) >= 0)
					break;
			if (j == n->nifaces) {
				nc_diag_error(st->d, s->line, "%s: node %s "
				    "shares no link or LAN with %s", s->cmd,
				    n->name, e->nodes[s->peer].name);
				goto out;
			}
			s->iface = j;
			break;
		}
		ifc = &n->ifaces[s->iface];
		nc_ip_format(s->ip, ip);
		k = nc_strmap_get(&owner, ip);
		if (k >= 0) {
			p = &st->ipsets[k];
			if (p->node != s->node || p->iface != s->iface) {
				nc_diag_error(st->d, s->line, "%s: address %s "
				    "already given to %s at line %d", s->cmd,
				    ip, e->nodes[p->node].name, p->line);
				goto out;
			}
		}
		if (ifc->ip_line != 0) {
			nc_ip_format(ifc->ip, old);
			nc_diag_warn(st->d, s->line, "%s: address of %s %s "
			    "set again (%s at line %d); the last setting wins",
			    s->cmd, n->name, ifc->name, old, ifc->ip_line);
			nc_strmap_del(&owner, old);
		}
		ifc->ip = s->ip;
		ifc->ip_line = s->line;
		nc_strmap_put(&owner, ip, (long)i);
	}
	rc = 0;
out:
	nc_strmap_free(&owner);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The interpreter */

static int
setup(struct ns_state *st, double limit)
{
	static int found;
	Tcl_Interp *in;
	Tcl_Time t;
	double whole;

	if (!found) {
		Tcl_FindExecutable(NULL);
		found = 1;
	}
	in = st->interp = Tcl_CreateInterp();
	if (Tcl_MakeSafe(in) != TCL_OK ||
	    !Tcl_GetCommandInfo(in, "::tcl::info::frame", &st->frame) ||
	    !Tcl_GetCommandInfo(in, "::tcl::info::globals", &st->globals) ||
	    !Tcl_GetCommandInfo(in, "::tcl::array::get", &st->arrayget) ||
	    !Tcl_GetCommandInfo(in, "::proc", &st->proc))
		return nc_diag_error(st->d, 0, "cannot set up the Tcl "
		    "interpreter: %s", Tcl_GetStringResult(in));
	st->frame_objv[0] = Tcl_NewStringObj("frame", -1);
	st->frame_objv[1] = Tcl_NewIntObj(0);
	st->key_line = Tcl_NewStringObj("line", -1);
	st->key_type = Tcl_NewStringObj("type", -1);
	st->key_cmd = Tcl_NewStringObj("cmd", -1);
	st->key_proc = Tcl_NewStringObj("proc", -1);
	Tcl_IncrRefCount(st->frame_objv[0]);
	Tcl_IncrRefCount(st->frame_objv[1]);
	Tcl_IncrRefCount(st->key_line);
	Tcl_IncrRefCount(st->key_type);
	Tcl_IncrRefCount(st->key_cmd);
	Tcl_IncrRefCount(st->key_proc);

	Tcl_CreateObjCommand(in, "set", set_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "new", new_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "ns", ns_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "source", source_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "unknown", unknown_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "puts", puts_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "proc", proc_cmd, st, NULL);
	ns_tb_register(st);

	Tcl_GetTime(&t);
	whole = (double)(long)limit;
	t.sec += (long)whole;
	t.usec += (long)((limit - whole) * 1e6);
	if (t.usec >= 1000000) {
		t.sec++;
		t.usec -= 1000000;
	}
	Tcl_LimitSetTime(in, &t);
	Tcl_LimitTypeSet(in, TCL_LIMIT_TIME);
	return 0;
}

static void
teardown(struct ns_state *st)
{
	size_t i;

	if (st->interp != NULL)
		Tcl_DeleteInterp(st->interp);
	if (st->frame_objv[0] != NULL)
		Tcl_DecrRefCount(st->frame_objv[0]);
	if (st->frame_objv[1] != NULL)
		Tcl_DecrRefCount(st->frame_objv[1]);
	if (st->key_line != NULL) {
		Tcl_DecrRefCount(st->key_line);
		Tcl_DecrRefCount(st->key_type);
		Tcl_DecrRefCount(st->key_cmd);
		Tcl_DecrRefCount(st->key_proc);
	}
	nc_strmap_free(&st->proc_line);
	for (i = 0; i < st->nobjs; i++) {
		free(st->objs[i]->cls);
		free(st->objs[i]);
	}
	free(st->objs);
	free(st->lan_obj);
	nc_strmap_free(&st->names);
	free(st->ipsets);
	for (i = 0; i < st->nfixes; i++)
		free(st->fixes[i].name);
	free(st->fixes);
	free(st->tbregs);
}

int
nc_ns_eval(const char *path, struct nc_exp *e, struct nc_diag *d,
    const struct nc_ns_opts *o)
{
	struct ns_state st;
	double limit = NS_DEFAULT_LIMIT;
	char *buf = NULL;
	size_t len;
	int rc = -1, nerr0 = d->nerr;

	if (o != NULL && o->time_limit > 0 && o->time_limit < 1e6)
		limit = o->time_limit;
	memset(&st, 0, sizeof(st));
	st.e = e;
	st.d = d;
	if (read_file(path, d, &buf, &len) < 0 ||
	    check_text(buf, len, d) < 0)
		goto out;
	if (setup(&st, limit) < 0)
		goto out;
	if (run(&st, buf, len, limit) < 0)
		goto out;
	if (d->nerr > nerr0)		/* an error of ours, caught */
		goto out;
	if (e->nnodes == 0) {
		nc_diag_error(d, st.run_line ? st.run_line : st.last_line ?
		    st.last_line : 1, "the NS file defines no nodes");
		goto out;
	}
	if (name_from_globals(&st) < 0) {
		if (Tcl_LimitExceeded(st.interp))
			nc_diag_error(d, 0, "evaluation took longer than %g s "
			    "(a loop that never ends?)", limit);
		else
			nc_diag_error(d, 0, "cannot read the global "
			    "variables: %s", Tcl_GetStringResult(st.interp));
		goto out;
	}
	name_the_rest(&st);
	resolve_fixes(&st);
	if (resolve_ips(&st) < 0)
		goto out;
	rc = 0;
out:
	teardown(&st);
	free(buf);
	return rc;
}
