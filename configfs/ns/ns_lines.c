/*
 * ns_lines.c: on which line of the NS file the command being run is, and
 * on which line a Tcl error happened.
 *
 * Lines come from `info frame 0` (the ::tcl::info::frame command called
 * directly from C, so level 0 is our command's own frame).  Compiled code
 * knows the line of every command, also of `$ns ...` whose first word is a
 * substitution (the direct evaluation of Tcl_EvalFile gives those -1), and
 * inside loops; the line is relative to the top-level command, whose own
 * line we know (ns.c runs the file one top-level command at a time: one
 * compiled script for the whole file would cost a search through all of
 * its commands for each line, quadratic).  Inside a proc the line is
 * relative to the proc's body: our `proc` wraps the builtin and remembers
 * on which file line each body starts.  A Tcl error is placed by its
 * -errorline plus the body lines of the loops in its errorInfo.
 */
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "ns_priv.h"
#include "strmap.h"
#include "util.h"

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

/*
 * `proc name args body`: the builtin, and the file line where the body
 * starts, so that lines inside it can be made absolute.
 */
int
ns_proc_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
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
int
ns_error_line(int errline, const char *info)
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
