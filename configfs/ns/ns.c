/*
 * ns.c: evaluating an NS file in an embedded, safe Tcl interpreter.
 *
 * The file is checked (text, not empty), then its text is run, one top-level
 * command at a time, each compiled (Tcl_EvalObjEx), in an interpreter made
 * safe (no exec, open, file, load, source, exit, ...) and limited in time.
 * The ns-2 objects are Tcl commands implemented in C (ns_obj.c, ns_sim.c),
 * the tb-* commands too (ns_tb.c); `set` (ns_names.c) and `proc`
 * (ns_lines.c) are ours, and so are `new`, `source`, `unknown` and `puts`
 * (here).  Once the file has run, the objects still without a name are
 * named (ns_names.c); then tb-fix-node pins and explicit addresses are
 * resolved.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tcl.h>

#include "diag.h"
#include "inet.h"
#include "model.h"
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

/* ---------------------------------------------------------------- */
/* The other commands of the interpreter */

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
		q = ns_clean(cls);
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

/*
 * Pages of the testbed's documentation indent with non-breaking spaces
 * (U+00A0, bytes C2 A0), which Tcl takes as a word: each becomes a space,
 * with one warning at the first line that had one.
 */
static void
blank_nbsp(char *buf, size_t *len, struct nc_diag *d)
{
	size_t i, o = 0;
	int line = 1, first = 0;

	for (i = 0; i < *len; i++) {
		if (buf[i] == '\n')
			line++;
		if ((unsigned char)buf[i] == 0xc2 && i + 1 < *len &&
		    (unsigned char)buf[i + 1] == 0xa0) {
			if (first == 0)
				first = line;
			buf[o++] = ' ';
			i++;
			continue;
		}
		buf[o++] = buf[i];
	}
	buf[o] = '\0';
	*len = o;
	if (first > 0)
		nc_diag_warn(d, first, "non-breaking spaces taken as blanks");
}

/* ---------------------------------------------------------------- */
/* Tcl errors */

/* Record the error of a failed evaluation. */
static void
tcl_error(struct ns_state *st, double limit)
{
	Tcl_Obj *opts, *key, *v;
	const char *info = "";
	char *msg;
	int line, errline = 0;

	msg = ns_clean(Tcl_GetStringResult(st->interp));
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
	line = ns_error_line(errline, info);
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
			msg = ns_clean(Tcl_GetStringResult(in));
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
/* After the run: pins, addresses */

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

	Tcl_CreateObjCommand(in, "set", ns_set_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "new", new_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "ns", ns_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "source", source_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "unknown", unknown_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "puts", puts_cmd, st, NULL);
	Tcl_CreateObjCommand(in, "proc", ns_proc_cmd, st, NULL);
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
	blank_nbsp(buf, &len, d);
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
	if (ns_name_from_globals(&st) < 0) {
		if (Tcl_LimitExceeded(st.interp))
			nc_diag_error(d, 0, "evaluation took longer than %g s "
			    "(a loop that never ends?)", limit);
		else
			nc_diag_error(d, 0, "cannot read the global "
			    "variables: %s", Tcl_GetStringResult(st.interp));
		goto out;
	}
	ns_name_the_rest(&st);
	resolve_fixes(&st);
	if (resolve_ips(&st) < 0)
		goto out;
	rc = 0;
out:
	teardown(&st);
	free(buf);
	return rc;
}
