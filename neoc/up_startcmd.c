/*
 * up_startcmd.c: neoc up --wait-startcmd.  Once the nodes have settled,
 * wait for the start command of every ready container that has one (a
 * non-blank nodes/<n>/startcmd) until its startstatus says it ended
 * (exited N, killed SIG), polling the database every half second, with no
 * time limit (Ctrl-C stops the wait).  A start command that did not exit
 * 0 fails neoc up: "neoc up: NODE: start command exited N" (or "killed by
 * signal S").  Without the option a start command's end is only shown
 * (neoc status); it never fails a node or neoc up.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "nctree.h"
#include "up.h"
#include "up_startcmd.h"
#include "util.h"

/* One start command waited for. */
struct waited {
	char *node;		/* the node */
	char *state;		/* startstatus word, or NULL: none yet */
	int code;		/* its status or signal */
};

/* Is s blank (NULL too)? */
static int
blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* The ready containers with a start command and its state now.  0, or -1
 * printed. */
static int
load(const char *dbpath, struct waited **w, size_t *n)
{
	static const char sql[] = "SELECT n.name, n.startcmd, ss.state, "
	    "ss.code FROM nodes n JOIN status s ON s.node = n.name "
	    "LEFT JOIN startstatus ss ON ss.node = n.name "
	    "WHERE n.role = 'container' AND s.state = 'ready' ORDER BY n.ord";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	sqlite3 *db;
	int rc;

	*w = NULL;
	*n = 0;
	if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
		nc_db_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct waited *r;

		if (blank((const char *)sqlite3_column_text(st, 1)))
			continue;
		r = NC_PUSH(*w, *n, cap);
		r->node = nc_strdup((const char *)sqlite3_column_text(st, 0));
		r->state = nc_strdup0((const char *)sqlite3_column_text(st,
		    2));
		r->code = sqlite3_column_int(st, 3);
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	nc_db_close(db);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
waited_free(struct waited *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(w[i].node);
		free(w[i].state);
	}
	free(w);
}

/* Still running (or not heard of yet)? */
static int
running(const struct waited *w)
{
	return w->state == NULL || strcmp(w->state, NCT_START_RUNNING) == 0;
}

int
neoc_up_wait_startcmd(const struct neoc_up *u)
{
	struct waited *w = NULL;
	size_t n = 0, i, left, last = (size_t)-1, bad = 0;

	for (;;) {
		if (load(u->db, &w, &n) < 0)
			return 1;
		for (i = left = 0; i < n; i++)
			left += running(&w[i]);
		if (left == 0)
			break;
		if (left != last && !u->quiet && !u->json)
			printf("startcmd: waiting for %zu of %zu start "
			    "command%s\n", left, n, n == 1 ? "" : "s");
		fflush(stdout);
		last = left;
		waited_free(w, n);
		w = NULL;
		n = 0;
		if (neoc_interrupted)
			return 130;
		usleep(500000);
	}
	for (i = 0; i < n; i++) {
		int ok = strcmp(w[i].state, NCT_START_EXITED) == 0 &&
		    w[i].code == 0;

		if (u->json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "event",
			    "startcmd", "node", w[i].node, "state", w[i].state,
			    "code", w[i].code);

			json_dumpf(o, stdout, JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(o);
		}
		if (ok)
			continue;
		bad++;
		if (strcmp(w[i].state, NCT_START_KILLED) == 0)
			fprintf(stderr, "neoc up: %s: start command killed by "
			    "signal %d\n", w[i].node, w[i].code);
		else
			fprintf(stderr, "neoc up: %s: start command exited "
			    "%d\n", w[i].node, w[i].code);
	}
	if (!u->json)
		printf("startcmd: %zu start command%s ended, %zu failed\n", n,
		    n == 1 ? "" : "s", bad);
	waited_free(w, n);
	return bad > 0 ? 1 : 0;
}
