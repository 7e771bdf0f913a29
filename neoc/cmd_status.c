/*
 * cmd_status.c: neoc status, every node's state from the status lines the
 * provisioners write (DESIGN.md, "Status"): a table, counts per state and a
 * progress bar on a terminal; --json for scripts; --watch to follow.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "db.h"
#include "util.h"

static const char *const states[] = {
	"pending", "booting", "provisioning", "ready", "failed",
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

/* One node's row. */
struct row {
	char *name, *role, *host;	/* the node */
	char *state, *step, *message;	/* its status */
	long long time;			/* when it was written */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc status [-d EXP.db] [--json] [--watch]\n"
"\n"
"Show every node's state (pending booting provisioning ready failed),\n"
"counts per state and, on a terminal, a progress bar.  --json prints\n"
"{\"nodes\": [...], \"counts\": {...}}; --watch refreshes every second\n"
"until every node is ready or failed.\n");
}

static char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? nc_strdup((const char *)t) : NULL;
}

static int
load(const char *dbpath, struct row **rows, size_t *n)
{
	static const char sql[] = "SELECT n.name, n.role, n.host, s.state, "
	    "s.time, s.step, s.message FROM nodes n LEFT JOIN status s ON "
	    "s.node = n.name WHERE n.role != 'config' ORDER BY n.ord";
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
		nc_db_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct row *r = NC_PUSH(*rows, *n, cap);

		r->name = col(st, 0);
		r->role = col(st, 1);
		r->host = col(st, 2);
		r->state = col(st, 3);
		if (r->state == NULL)
			r->state = nc_strdup("pending");
		r->time = sqlite3_column_int64(st, 4);
		r->step = col(st, 5);
		r->message = col(st, 6);
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	nc_db_close(db);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
free_rows(struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].role);
		free(rows[i].host);
		free(rows[i].state);
		free(rows[i].step);
		free(rows[i].message);
	}
	free(rows);
}

static void
count(const struct row *rows, size_t n, size_t counts[NSTATES])
{
	size_t i, k;

	memset(counts, 0, NSTATES * sizeof(*counts));
	for (i = 0; i < n; i++)
		for (k = 0; k < NSTATES; k++)
			if (strcmp(rows[i].state, states[k]) == 0)
				counts[k]++;
}

static int
print_json(const struct row *rows, size_t n)
{
	json_t *root = json_object(), *nodes = json_array(), *cnt;
	size_t counts[NSTATES], i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		json_array_append_new(nodes, json_pack("{s:s, s:s, s:s?, s:s, "
		    "s:I, s:s?, s:s?}", "name", r->name, "role", r->role,
		    "host", r->host, "state", r->state, "time",
		    (json_int_t)r->time, "step", r->step, "message",
		    r->message));
	}
	count(rows, n, counts);
	cnt = json_object();
	for (i = 0; i < NSTATES; i++)
		json_object_set_new(cnt, states[i],
		    json_integer((json_int_t)counts[i]));
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "counts", cnt);
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	printf("\n");
	return rc;
}

static void
print_table(const struct row *rows, size_t n, int tty)
{
	size_t counts[NSTATES], i, done, width = 40, fill;
	time_t now = time(NULL);

	printf("%-20s %-9s %-12s %-12s %6s  %s\n", "NODE", "ROLE", "HOST",
	    "STATE", "AGE", "STEP / MESSAGE");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char age[24] = "-";

		if (r->time > 0)
			snprintf(age, sizeof(age), "%llds",
			    (long long)now - r->time);
		printf("%-20s %-9s %-12s %-12s %6s  %s%s%s\n", r->name,
		    r->role, r->host ? r->host : "-", r->state, age,
		    r->step ? r->step : "", r->message ? " " : "",
		    r->message ? r->message : "");
	}
	count(rows, n, counts);
	printf("\n");
	for (i = 0; i < NSTATES; i++)
		printf("%s%s %zu", i ? ", " : "", states[i], counts[i]);
	printf(" (%zu nodes)\n", n);
	if (tty && n > 0) {
		done = counts[3] + counts[4];
		fill = done * width / n;
		printf("[");
		for (i = 0; i < width; i++)
			printf("%s", i < fill ? "#" : ".");
		printf("] %zu/%zu settled, %zu failed\n", done, n, counts[4]);
	}
}

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "watch", no_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_status(int argc, char **argv)
{
	const char *dbpath = NEOC_DEFAULT_DB;
	int ch, json = 0, watch = 0, tty = isatty(1), rc;
	size_t n, counts[NSTATES];
	struct row *rows;

	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dbpath = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'j': json = 1; break;
		case 'w': watch = 1; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	for (;;) {
		if (load(dbpath, &rows, &n) < 0)
			return 1;
		if (watch && tty && !json)
			printf("\033[H\033[2J");
		rc = json ? print_json(rows, n) : (print_table(rows, n, tty),
		    0);
		count(rows, n, counts);
		free_rows(rows, n);
		fflush(stdout);
		if (!watch || counts[3] + counts[4] == n)
			break;
		sleep(1);
	}
	return rc == 0 ? 0 : 1;
}
