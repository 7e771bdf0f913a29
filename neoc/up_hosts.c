/*
 * up_hosts.c: the control node's /etc/hosts gets the experiment's control
 * names, as Emulab's does: for every container with a control address
 * (nodes/<n>/control, written by its pnode) a line
 *
 *   ADDR	NODE NODE.EXP.PROJ
 *
 * (EXP and PROJ from experiment/name and experiment/project; NODE alone
 * when they are empty), so `ssh alice@a1` from the control node reaches
 * a1.  Only the containers of a pnode that is this machine (no address in
 * neoc up's pnode list): their control bridge is here; a remote pnode's
 * control network is private to it (172.30.0.0/16 on every pnode), so its
 * containers get no line.  The lines go between two marker lines naming
 * the database,
 *
 *   # BEGIN neo-containers /abs/EXP.db (control names; neoc down removes)
 *   # END neo-containers /abs/EXP.db
 *
 * so experiments of other databases keep theirs; the file is replaced
 * atomically (lib/atomic.h) with its mode and owner, and only when it
 * changes.  neoc down removes the block.  $NEOC_HOSTS names another file
 * (the tests).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "buf.h"
#include "db.h"
#include "up.h"
#include "up_hosts.h"
#include "util.h"

#define BEGIN "# BEGIN neo-containers "
#define END "# END neo-containers "

/* The hosts file: $NEOC_HOSTS or /etc/hosts. */
static const char *
hosts_path(void)
{
	const char *e = getenv("NEOC_HOSTS");

	return e != NULL && *e != '\0' ? e : "/etc/hosts";
}

/* Is pnode name this machine in u's list? */
static int
local_pnode(const struct neoc_up *u, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < u->npnodes; i++)
		if (strcmp(u->pnodes[i].name, name) == 0)
			return u->pnodes[i].host == NULL;
	return 0;
}

/* Append to b the lines of the database db's block ("" for none). */
static int
block(const struct neoc_up *u, struct nc_buf *b, size_t *count)
{
	static const char names[] = "SELECT name, project FROM experiment";
	static const char rows[] = "SELECT n.name, c.ip, n.host FROM nodes n "
	    "JOIN control c ON c.node = n.name WHERE n.role = 'container' "
	    "ORDER BY n.ord";
	sqlite3_stmt *st = NULL;
	char *exp = NULL, *proj = NULL;
	sqlite3 *db;
	int rc = -1, step;

	*count = 0;
	if (nc_db_open(u->db, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, names, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		exp = nc_strdup0((const char *)sqlite3_column_text(st, 0));
		proj = nc_strdup0((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, rows, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *ip = (const char *)sqlite3_column_text(st, 1);
		const char *host = (const char *)sqlite3_column_text(st, 2);

		if (n == NULL || ip == NULL || !local_pnode(u, host))
			continue;
		nc_buf_printf(b, "%s\t%s", ip, n);
		if (exp != NULL && *exp != '\0' && proj != NULL &&
		    *proj != '\0')
			nc_buf_printf(b, " %s.%s.%s", n, exp, proj);
		nc_buf_puts(b, "\n");
		(*count)++;
	}
	if (step != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", u->db, sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	nc_db_close(db);
	free(exp);
	free(proj);
	return rc;
}

/*
 * Replace db's block of the hosts file with lines (NULL or "": remove
 * it).  1 when the file changed, 0 when not, -1 printed.
 */
static int
rewrite(const char *db, const char *lines)
{
	const char *path = hosts_path(), *s, *nl;
	char *begin = nc_asprintf(BEGIN "%s (control names; neoc down "
	    "removes)", db), *end = nc_asprintf(END "%s", db), why[512];
	struct nc_buf old = { 0 }, out = { 0 };
	struct nc_atomic_opts o = { .mode = 0644 };
	struct stat st;
	int rc = -1, inside = 0;
	FILE *f;

	if (strpbrk(db, "\n\r") != NULL) {
		fprintf(stderr, "neoc: %s: a database name with a newline has "
		    "no hosts block\n", db);
		goto out;
	}
	if ((f = fopen(path, "re")) != NULL) {
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			nc_buf_add(&old, chunk, n);
		fclose(f);
	} else if (errno != ENOENT) {
		fprintf(stderr, "neoc: %s: %s\n", path, strerror(errno));
		goto out;
	}
	for (s = nc_buf_str(&old); *s != '\0'; s = nl) {
		size_t len;

		nl = strchr(s, '\n');
		nl = nl != NULL ? nl + 1 : s + strlen(s);
		len = (size_t)(nl - s);
		if (!inside && strncmp(s, begin, strlen(begin)) == 0 &&
		    (len == strlen(begin) + 1 || len == strlen(begin))) {
			inside = 1;
			continue;
		}
		if (inside) {
			if (strncmp(s, end, strlen(end)) == 0 &&
			    (len == strlen(end) + 1 || len == strlen(end)))
				inside = 0;
			continue;
		}
		nc_buf_add(&out, s, len);
		if (s[len - 1] != '\n')
			nc_buf_puts(&out, "\n");
	}
	if (lines != NULL && *lines != '\0')
		nc_buf_printf(&out, "%s\n%s%s\n", begin, lines, end);
	if (out.len == old.len && memcmp(nc_buf_str(&out), nc_buf_str(&old),
	    out.len) == 0) {
		rc = 0;
		goto out;
	}
	if (stat(path, &st) == 0) {
		o.mode = st.st_mode & 07777;
		o.chown = 1;
		o.uid = st.st_uid;
		o.gid = st.st_gid;
	}
	if (nc_atomic_write(path, nc_buf_str(&out), out.len, &o, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "neoc: %s\n", why);
		goto out;
	}
	rc = 1;
out:
	nc_buf_free(&old);
	nc_buf_free(&out);
	free(begin);
	free(end);
	return rc;
}

int
neoc_hosts_update(const struct neoc_up *u)
{
	struct nc_buf b = { 0 };
	size_t n;
	int rc;

	if (block(u, &b, &n) < 0) {
		nc_buf_free(&b);
		return -1;
	}
	rc = rewrite(u->db, nc_buf_str(&b));
	nc_buf_free(&b);
	if (rc > 0 && !u->quiet && !u->json)
		printf("hosts: %s: %zu control name%s\n", hosts_path(), n,
		    n == 1 ? "" : "s");
	return rc < 0 ? -1 : 0;
}

int
neoc_hosts_remove(const char *db, int quiet)
{
	int rc = rewrite(db, NULL);

	if (rc > 0 && !quiet)
		printf("hosts: %s: control names removed\n", hosts_path());
	return rc < 0 ? -1 : 0;
}
