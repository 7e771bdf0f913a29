/*
 * ns_names.c: how nodes, links and LANs get their names.  `set` is ours: it
 * names a node, link or LAN after the first variable that holds it.  Once
 * the file has run, the objects still without a name are named after a
 * global variable holding them (in the order of the objects, then of the
 * variables' names), or given a generated name (node0, link0, lan0, ...)
 * with one warning per line and kind of object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "diag.h"
#include "model.h"
#include "names.h"
#include "ns_priv.h"
#include "strmap.h"
#include "util.h"
#include "valid.h"

/* A variable holding an object still unnamed when the file has run. */
struct cand {
	size_t id;		/* the object */
	char *var;		/* the variable: "x" or "arr(key)" */
};

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
	if (nc_valid_label(name, &why) < 0) {
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
int
ns_set_cmd(ClientData cd, Tcl_Interp *in, int objc, Tcl_Obj *const objv[])
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
int
ns_name_from_globals(struct ns_state *st)
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

/* An object given a generated name, for the warnings. */
struct gen {
	int line;		/* line that created it */
	int what;		/* 0: node, 1: link, 2: LAN */
	size_t seq;		/* when it was named */
	char name[48];		/* the name */
};

/* The objects named on one line, of one kind: one warning. */
struct genrun {
	size_t first;		/* its first in the sorted gens */
	size_t n;		/* how many */
	size_t seq;		/* when its first was named */
};

/* By line, kind, then naming order. */
static int
gen_cmp(const void *a, const void *b)
{
	const struct gen *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->what != y->what)
		return x->what < y->what ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
genrun_cmp(const void *a, const void *b)
{
	const struct genrun *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The warning for n objects g[0..n-1], made on one line, of one kind:
 * their names, or the first and the last of many. */
static void
warn_generated(struct ns_state *st, const struct gen *g, size_t n)
{
	static const char *const what[3] = { "node", "link", "LAN" };
	const char *w = what[g->what];

	if (n == 1)
		nc_diag_warn(st->d, g->line, "%s not held by any variable; "
		    "named %s", w, g[0].name);
	else if (n == 2)
		nc_diag_warn(st->d, g->line, "2 %ss not held by any "
		    "variable; named %s, %s", w, g[0].name, g[1].name);
	else if (n == 3)
		nc_diag_warn(st->d, g->line, "3 %ss not held by any "
		    "variable; named %s, %s, %s", w, g[0].name, g[1].name,
		    g[2].name);
	else
		nc_diag_warn(st->d, g->line, "%zu %ss not held by any "
		    "variable; named %s ... %s", n, w, g[0].name,
		    g[n - 1].name);
}

/*
 * Generated names for the objects no variable names, in the order the
 * objects were made; one warning per line and kind of object, in the order
 * of the first object each names.
 */
void
ns_name_the_rest(struct ns_state *st)
{
	static const char *const prefix[3] = { "node", "link", "lan" };
	size_t i, k[3] = { 0, 0, 0 }, ngens = 0, capgens = 0, nruns = 0;
	size_t capruns = 0;
	struct gen *gens = NULL, *g;
	struct genrun *runs = NULL, *r;
	struct ns_obj *o;

	for (i = 0; i < st->nobjs; i++) {
		o = st->objs[i];
		if ((o->kind != NS_NODE && o->kind != NS_LAN) || o->named)
			continue;
		g = NC_PUSH(gens, ngens, capgens);
		g->line = o->line;
		g->what = o->kind == NS_NODE ? 0 :
		    st->e->lans[o->idx].kind == NC_LAN_LINK ? 1 : 2;
		g->seq = ngens - 1;
		do
			snprintf(g->name, sizeof(g->name), "%s%zu",
			    prefix[g->what], k[g->what]++);
		while (nc_strmap_get(&st->names, g->name) >= 0);
		rename_obj(st, o, g->name, 0);
	}
	if (ngens == 0)
		return;
	qsort(gens, ngens, sizeof(*gens), gen_cmp);
	for (i = 0; i < ngens; i++) {
		if (i == 0 || gens[i].line != gens[i - 1].line ||
		    gens[i].what != gens[i - 1].what) {
			r = NC_PUSH(runs, nruns, capruns);
			r->first = i;
			r->n = 0;
			r->seq = gens[i].seq;
		}
		runs[nruns - 1].n++;
	}
	qsort(runs, nruns, sizeof(*runs), genrun_cmp);
	for (i = 0; i < nruns; i++)
		warn_generated(st, &gens[runs[i].first], runs[i].n);
	free(gens);
	free(runs);
}
