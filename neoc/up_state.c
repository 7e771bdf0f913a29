/*
 * up_state.c: the state file EXP.db.up, what neoc up was told (the mount,
 * diod's address, the pnodes and how they are reached) as JSON, so that
 * neoc down and neoc exec reach the same pnodes the same way.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "up.h"
#include "util.h"

char *
neoc_up_state_path(const char *db)
{
	return nc_asprintf("%s.up", db);
}

void
neoc_up_free(struct neoc_up *u)
{
	free(u->db);
	free(u->state);
	free(u->mount);
	free(u->listen);
	neoc_pnodes_free(u->pnodes, u->npnodes);
	free(u->user);
	free(u->identity);
	free(u->known_hosts);
	free(u->remote_ncprov);
	memset(u, 0, sizeof(*u));
}

int
neoc_up_save(const struct neoc_up *u)
{
	json_t *root, *pn = json_array();
	char *text = NULL, why[512];
	size_t i;
	int rc = -1;

	for (i = 0; i < u->npnodes; i++)
		json_array_append_new(pn, json_pack("{s:s, s:s?, s:i}", "name",
		    u->pnodes[i].name, "host", u->pnodes[i].host, "port",
		    u->pnodes[i].port));
	root = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:s?, s:s?, s:s}",
	    "db", u->db, "mount", u->mount, "listen", u->listen, "no_auth",
	    u->no_auth, "pnodes", pn, "user", u->user, "identity",
	    u->identity, "known_hosts", u->known_hosts, "remote_ncprov",
	    u->remote_ncprov);
	if (root == NULL) {
		fprintf(stderr, "neoc: %s: cannot build the state\n", u->state);
		goto out;
	}
	if ((text = json_dumps(root, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		fprintf(stderr, "neoc: %s: cannot build the state\n", u->state);
		goto out;
	}
	if (nc_atomic_write(u->state, text, strlen(text), NULL, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "neoc: %s\n", why);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	free(text);
	return rc;
}

static char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? nc_strdup(s) : NULL;
}

int
neoc_up_load(const char *db, struct neoc_up *u)
{
	json_error_t je;
	json_t *root, *pn, *v;
	size_t i, cap = 0;
	json_int_t port;

	u->db = nc_strdup(db);
	u->state = neoc_up_state_path(db);
	if (access(u->state, F_OK) < 0 && errno == ENOENT)
		return 0;
	if ((root = json_load_file(u->state, 0, &je)) == NULL) {
		fprintf(stderr, "neoc: %s:%d: %s\n", u->state, je.line,
		    je.text);
		return -1;
	}
	u->mount = str(root, "mount");
	u->listen = str(root, "listen");
	u->no_auth = json_is_true(json_object_get(root, "no_auth"));
	u->user = str(root, "user");
	u->identity = str(root, "identity");
	u->known_hosts = str(root, "known_hosts");
	u->remote_ncprov = str(root, "remote_ncprov");
	pn = json_object_get(root, "pnodes");
	json_array_foreach(pn, i, v) {
		struct neoc_pnode *p = NC_PUSH(u->pnodes, u->npnodes, cap);

		p->name = str(v, "name");
		p->host = str(v, "host");
		port = json_integer_value(json_object_get(v, "port"));
		p->port = port >= 1 && port <= 65535 ? (int)port : 0;
		if (p->name == NULL || p->port == 0) {
			fprintf(stderr, "neoc: %s: a pnode without a name or "
			    "port\n", u->state);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	if (u->mount == NULL || u->listen == NULL) {
		fprintf(stderr, "neoc: %s: no mount or listen address\n",
		    u->state);
		return -1;
	}
	return 1;
}
