/*
 * scope.h: which steps of a container's run a change concerns (scope.c;
 * docs/DESIGN.md, "Roles and steps", container).  Every run records, per
 * step that succeeded, what the step read from the tree (each file, list
 * and kind, by a hash of what came back); a scoped run (the pnode's
 * watcher, NCPROV_SCOPED=1) skips a step whose every recorded read gives
 * the same now and no step it needs changed anything in this run.
 */
#ifndef NCP_SCOPE_H
#define NCP_SCOPE_H

#include "ncprov.h"

#define NCP_SCOPE_FILE "/var/lib/neoc/inputs"	/* the records */

struct ncp_scope;

/* Read the records and put a recording source in front of p->src
 * (NULL under --dry-run: nothing is recorded). */
struct ncp_scope *ncp_scope_open(struct ncprov *p);
/* 1 when step has a record and every read in it gives the same now. */
int ncp_scope_same(struct ncp_scope *s, const char *step);
/* Record the reads of step from now on. */
void ncp_scope_begin(struct ncp_scope *s, const char *step);
/* The step ended: its reads become its record (ok), or it has none. */
void ncp_scope_end(struct ncp_scope *s, int ok);
/* Take the recording source away, write the records when they changed,
 * free s. */
void ncp_scope_close(struct ncp_scope *s, struct ncprov *p);

#endif
