/*
 * pnodes.c: which pnodes the experiment has and where each one is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pnodes.h"
#include "util.h"

int
neoc_hostport(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long v;

	*host = NULL;
	*port = 22;
	if (colon == NULL) {
		if (*s == '\0')
			return -1;
		*host = nc_strdup(s);
		return 0;
	}
	v = strtol(colon + 1, &end, 10);
	if (colon == s || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*host = nc_asprintf("%.*s", (int)(colon - s), s);
	*port = (int)v;
	return 0;
}

/* A host name or address fit for a command line: no spaces or options. */
static int
host_ok(const char *h)
{
	const char *c;

	if (*h == '\0' || *h == '-' || strlen(h) > 253)
		return 0;
	for (c = h; *c != '\0'; c++)
		if (!(*c == '.' || *c == '-' || *c == '_' ||
		    (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= 'A' && *c <= 'Z')))
			return 0;
	return 1;
}

/* Apply one override "NAME=WHERE" to the list. */
static int
override(struct neoc_pnode *p, size_t n, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *name;
	size_t i;

	if (eq == NULL || eq == spec) {
		fprintf(stderr, "neoc: --pnode-addr \"%s\": not NAME=HOST[:PORT]"
		    "\n", spec);
		return -1;
	}
	name = nc_asprintf("%.*s", (int)(eq - spec), spec);
	for (i = 0; i < n && strcmp(p[i].name, name) != 0; i++)
		;
	if (i == n) {
		fprintf(stderr, "neoc: --pnode-addr: the experiment has no pnode"
		    " \"%s\"\n", name);
		free(name);
		return -1;
	}
	free(name);
	free(p[i].host);
	p[i].host = NULL;
	p[i].port = 22;
	if (strcmp(eq + 1, "local") == 0)
		return 0;
	if (neoc_hostport(eq + 1, &p[i].host, &p[i].port) < 0 ||
	    !host_ok(p[i].host)) {
		fprintf(stderr, "neoc: --pnode-addr \"%s\": not NAME=HOST[:PORT]"
		    "\n", spec);
		return -1;
	}
	return 0;
}

int
neoc_pnodes_resolve(const char *dbpath, char *const *overrides,
    size_t nover, struct neoc_pnode **out, size_t *n)
{
	static const char sql[] = "SELECT n.name, h.ip FROM nodes n LEFT JOIN "
	    "hostnames h ON h.name = n.name WHERE n.role = 'pnode' "
	    "ORDER BY n.ord";
	struct neoc_pnode *p = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i, local = 0;
	const unsigned char *t;
	sqlite3 *db;
	int rc;

	*out = NULL;
	*n = 0;
	if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
		nc_db_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct neoc_pnode *q = NC_PUSH(p, *n, cap);

		q->name = nc_strdup((const char *)sqlite3_column_text(st, 0));
		t = sqlite3_column_text(st, 1);
		q->host = t != NULL && *t != '\0' ?
		    nc_strdup((const char *)t) : NULL;
		q->port = 22;
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	nc_db_close(db);
	if (rc != SQLITE_DONE)
		goto fail;
	for (i = 0; i < nover; i++)
		if (override(p, *n, overrides[i]) < 0)
			goto fail;
	for (i = 0; i < *n; i++)
		if (p[i].host == NULL && ++local > 1) {
			fprintf(stderr, "neoc: pnode %s has no address, and only "
			    "one pnode can be this machine: give --pnode-addr "
			    "%s=HOST[:PORT] (or a hostnames entry)\n",
			    p[i].name, p[i].name);
			goto fail;
		}
	*out = p;
	return 0;
fail:
	neoc_pnodes_free(p, *n);
	*n = 0;
	return -1;
}

void
neoc_pnodes_free(struct neoc_pnode *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].host);
	}
	free(p);
}

const struct neoc_pnode *
neoc_pnode_find(const struct neoc_pnode *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}
