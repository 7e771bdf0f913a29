/*
 * load.c: building a complete experiment from the user's sources.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "load.h"
#include "names.h"
#include "ns.h"
#include "tmcc.h"
#include "util.h"
#include "valid.h"

/* The experiment name a file suggests: its basename without extension. */
static char *
name_from_file(const char *path)
{
	char *copy = nc_strdup(path), *base, *dot, *name;

	base = basename(copy);
	if ((dot = strrchr(base, '.')) != NULL && dot != base)
		*dot = '\0';
	nc_name_mangle(base, &name);
	free(copy);
	if (nc_valid_label(name, NULL) < 0) {
		free(name);
		name = nc_strdup("experiment");
	}
	return name;
}

static int
report(struct nc_diag *d)
{
	if (d->error != NULL)
		fprintf(stderr, "%s\n", d->error);
	return d->nerr ? -1 : 0;
}

static int
set_names(struct nc_exp *e, const struct neoc_sources *s)
{
	const char *src = s->ns ? s->ns : s->json, *why;
	char *derived;

	if (s->name != NULL) {
		if (nc_valid_label(s->name, &why) < 0) {
			fprintf(stderr, "--name: \"%s\" %s\n", s->name, why);
			return -1;
		}
		nc_set_str(&e->name, s->name);
	} else if (e->name == NULL) {
		derived = name_from_file(src ? src : "experiment");
		nc_set_str(&e->name, derived);
		free(derived);
	}
	if (s->project != NULL) {
		if (nc_valid_label(s->project, &why) < 0) {
			fprintf(stderr, "--project: \"%s\" %s\n", s->project,
			    why);
			return -1;
		}
		nc_set_str(&e->project, s->project);
	} else if (e->project == NULL) {
		nc_set_str(&e->project, "neoc");
	}
	if (s->group != NULL) {
		if (nc_valid_label(s->group, &why) < 0) {
			fprintf(stderr, "--group: \"%s\" %s\n", s->group, why);
			return -1;
		}
		nc_set_str(&e->group, s->group);
	} else if (e->group == NULL) {
		nc_set_str(&e->group, e->project);
	}
	return 0;
}

int
neoc_load(struct nc_exp *e, const struct neoc_sources *s)
{
	struct nc_ns_opts nso = { .time_limit = s->time_limit };
	struct nc_diag d;
	int rc = -1;

	nc_diag_init(&d, s->ns ? s->ns : s->json);
	if (s->ns != NULL && nc_ns_eval(s->ns, e, &d, &nso) < 0)
		goto out;
	if (s->json != NULL && nc_json_import_file(s->json, e, &d) < 0)
		goto out;
	if (set_names(e, s) < 0)
		goto out_quiet;
	if (s->tmcc != NULL) {
		d.file = s->tmcc;
		if (nc_tmcc_import(s->tmcc, s->pnode, e, &d) < 0)
			goto out;
	}
	if (s->passwd != NULL) {
		d.file = s->passwd;
		if (nc_passwd_import(s->passwd, s->groupf, e, &d) < 0)
			goto out;
	}
	d.file = s->ns ? s->ns : s->json ? s->json : s->tmcc ? s->tmcc :
	    s->passwd;
	if (nc_place(e, &s->place, &d) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		report(&d);
out_quiet:
	nc_diag_free(&d);
	return rc;
}

void
neoc_summary(const struct nc_exp *e, const char *verb, FILE *f)
{
	size_t i, nc = 0, np = 0, nl = 0, nn = 0;

	for (i = 0; i < e->nnodes; i++) {
		nc += e->nodes[i].role == NC_ROLE_CONTAINER;
		np += e->nodes[i].role == NC_ROLE_PNODE;
	}
	for (i = 0; i < e->nlans; i++) {
		nl += e->lans[i].kind == NC_LAN_LINK;
		nn += e->lans[i].kind == NC_LAN_LAN;
	}
	fprintf(f, "%s %s: %zu nodes (%zu containers on %zu pnode%s), "
	    "%zu links, %zu LANs, %zu users, %zu groups, %zu mounts\n", verb,
	    e->name, e->nnodes, nc, np, np == 1 ? "" : "s", nl, nn, e->nusers,
	    e->ngroups, e->nmounts);
}
