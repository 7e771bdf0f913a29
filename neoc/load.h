/*
 * load.h: reading an experiment from its sources (NS file, JSON, tmcc data,
 * passwd/group files) and completing it, shared by import and check.
 */
#ifndef NEOC_LOAD_H
#define NEOC_LOAD_H

#include "diag.h"
#include "model.h"
#include "place.h"

struct neoc_sources {
	const char *ns;		/* NS file, or NULL */
	const char *json;	/* JSON export to read, or NULL */
	const char *tmcc;	/* tmcc directory, or NULL */
	const char *pnode;	/* pnode the tmcc ifconfig describes */
	const char *passwd;	/* passwd(5) file, or NULL */
	const char *groupf;	/* group(5) file, or NULL */
	const char *name;	/* experiment name (NULL: from the file) */
	const char *project;	/* project (NULL: keep or "neoc") */
	const char *group;	/* group (NULL: keep or the project) */
	double time_limit;	/* seconds an NS file may evaluate */
	struct nc_place_opts place; /* placement and addressing options */
};

/*
 * Read the NS or JSON source (if any) into e, then the testbed data, then
 * complete it (nc_place).  e may already hold an experiment loaded from the
 * database, to which testbed data is added.  Returns 0, or -1 with the
 * reason printed to stderr.
 */
int neoc_load(struct nc_exp *e, const struct neoc_sources *s);
/* Print "imported NAME: ..." counts to f. */
void neoc_summary(const struct nc_exp *e, const char *verb, FILE *f);

#endif
