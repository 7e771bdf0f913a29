/*
 * nodestate.c: every node's provisioning state, read from (and, for neoc
 * up, written to) the status table of the experiment database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "nodestate.h"
#include "util.h"

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ?
	    3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* s with every byte that is not valid UTF-8 replaced by '?' (in place):
 * status text from any writer stays printable and fit for JSON. */
static char *
utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (p != NULL && *p != '\0') {
		if ((n = utf8_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return s;
}

static char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? utf8_clean(nc_strdup((const char *)t)) : NULL;
}

int
neoc_nodes_load(const char *dbpath, struct neoc_node **nodes, size_t *n)
{
	static const char sql[] = "SELECT n.name, n.role, n.host, "
	    "n.failure_action, s.state, s.time, s.step, s.message, "
	    "ss.state, ss.code, ss.time, c.ip FROM nodes n "
	    "LEFT JOIN status s ON s.node = n.name "
	    "LEFT JOIN startstatus ss ON ss.node = n.name "
	    "LEFT JOIN control c ON c.node = n.name WHERE n.role != 'config' "
	    "ORDER BY n.ord";
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	size_t cap = 0;
	int rc;

	*nodes = NULL;
	*n = 0;
	if (nc_db_open(dbpath, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
		nc_db_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct neoc_node *r = NC_PUSH(*nodes, *n, cap);

		r->name = col(st, 0);
		r->role = col(st, 1);
		r->host = col(st, 2);
		r->failure = col(st, 3);
		r->state = col(st, 4);
		if (r->state == NULL)
			r->state = nc_strdup(NCT_WORD_PENDING);
		r->time = sqlite3_column_int64(st, 5);
		r->step = col(st, 6);
		r->message = col(st, 7);
		r->start = col(st, 8);
		r->start_code = sqlite3_column_int(st, 9);
		r->start_time = sqlite3_column_int64(st, 10);
		r->control = col(st, 11);
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", dbpath, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	nc_db_close(db);
	if (rc != SQLITE_DONE) {
		neoc_nodes_free(*nodes, *n);
		*nodes = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* One node's strings. */
static void
neoc_nodes_free_one(struct neoc_node *nd)
{
	free(nd->name);
	free(nd->role);
	free(nd->host);
	free(nd->failure);
	free(nd->state);
	free(nd->step);
	free(nd->message);
	free(nd->start);
	free(nd->control);
}

void
neoc_nodes_free(struct neoc_node *nodes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		neoc_nodes_free_one(&nodes[i]);
	free(nodes);
}

const char *
neoc_start_text(const struct neoc_node *nd, const char *sep, char *buf,
    size_t size)
{
	if (nd->start == NULL)
		return NULL;
	if (strcmp(nd->start, NCT_START_RUNNING) == 0)
		snprintf(buf, size, "%s", nd->start);
	else
		snprintf(buf, size, "%s%s%d", nd->start, sep, nd->start_code);
	return buf;
}

enum nct_state
neoc_state_of(const struct neoc_node *nd)
{
	int k = nct_state_find(nd->state, strlen(nd->state));

	return k < 0 ? NCT_PENDING : (enum nct_state)k;
}

void
neoc_nodes_count(const struct neoc_node *nodes, size_t n,
    size_t counts[NCT_NSTATES])
{
	size_t i;

	memset(counts, 0, NCT_NSTATES * sizeof(*counts));
	for (i = 0; i < n; i++)
		counts[neoc_state_of(&nodes[i])]++;
}

void
neoc_counts_line(FILE *f, const size_t counts[NCT_NSTATES])
{
	int k;

	for (k = 0; k < NCT_NSTATES; k++)
		fprintf(f, "%s%s %zu", k ? ", " : "", nct_states[k],
		    counts[k]);
}

void
neoc_nodes_table(FILE *f, const struct neoc_node *nodes, size_t n,
    size_t total, int bar)
{
	size_t counts[NCT_NSTATES], i, done, width = 40, fill;
	time_t now = time(NULL);

	fprintf(f, "%-20s %-9s %-12s %-12s %6s %-15s %-10s %s\n", "NODE",
	    "ROLE", "HOST", "STATE", "AGE", "CONTROL", "START",
	    "STEP / MESSAGE");
	for (i = 0; i < n; i++) {
		const struct neoc_node *r = &nodes[i];
		char age[24] = "-", start[32];

		if (r->time > 0)
			snprintf(age, sizeof(age), "%llds",
			    (long long)now - r->time);
		/* one word per column: "exited=3" */
		if (neoc_start_text(r, "=", start, sizeof(start)) == NULL)
			snprintf(start, sizeof(start), "-");
		fprintf(f, "%-20s %-9s %-12s %-12s %6s %-15s %-10s %s%s%s\n",
		    r->name, r->role, r->host ? r->host : "-", r->state, age,
		    r->control ? r->control : "-", start,
		    r->step ? r->step : "", r->message ? " " : "",
		    r->message ? r->message : "");
	}
	neoc_nodes_count(nodes, n, counts);
	fprintf(f, "\n");
	neoc_counts_line(f, counts);
	if (total != n)
		fprintf(f, " (%zu of %zu nodes)\n", n, total);
	else
		fprintf(f, " (%zu nodes)\n", n);
	if (bar && n > 0) {
		done = counts[NCT_READY] + counts[NCT_FAILED];
		fill = done * width / n;
		fprintf(f, "[");
		for (i = 0; i < width; i++)
			fputc(i < fill ? '#' : '.', f);
		fprintf(f, "] %zu/%zu settled, %zu failed\n", done, n,
		    counts[NCT_FAILED]);
	}
}

int
neoc_state_mask(const char *list, unsigned *mask, char *why, size_t whysize)
{
	const char *p = list, *e;
	int k;

	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((k = nct_state_find(p, (size_t)(e - p))) < 0) {
			snprintf(why, whysize, "unknown state \"%.*s\" (the "
			    "states: %s)", (int)(e - p > 64 ? 64 : e - p), p,
			    NCT_STATE_LIST);
			return -EINVAL;
		}
		*mask |= 1u << k;
		if (*e == '\0')
			return 0;
		p = e + 1;
	}
}

/* Is nd one of pnodes, or a guest of one? */
static int
on_pnodes(const struct neoc_node *nd, char *const *pnodes, size_t npnodes)
{
	size_t i;

	for (i = 0; i < npnodes; i++)
		if ((strcmp(nd->role, "pnode") == 0 &&
		    strcmp(nd->name, pnodes[i]) == 0) ||
		    (nd->host != NULL && strcmp(nd->host, pnodes[i]) == 0))
			return 1;
	return 0;
}

void
neoc_nodes_filter(struct neoc_node *nodes, size_t *n, unsigned mask,
    char *const *pnodes, size_t npnodes)
{
	size_t i, kept = 0;

	for (i = 0; i < *n; i++) {
		if ((mask == 0 || (mask & (1u << neoc_state_of(&nodes[i])))) &&
		    (npnodes == 0 || on_pnodes(&nodes[i], pnodes, npnodes))) {
			if (kept != i)
				nodes[kept] = nodes[i];
			kept++;
			continue;
		}
		neoc_nodes_free_one(&nodes[i]);
	}
	*n = kept;
}

/* A copy of s fit for a status line: one line, printable, UTF-8. */
static char *
one_line(const char *s)
{
	char *c, *p;

	if (s == NULL || *s == '\0')
		return NULL;
	c = nc_strdup(s);
	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return utf8_clean(c);
}

int
neoc_status_write(const char *dbpath, const char *node, const char *state,
    const char *step, const char *message)
{
	static const char sql[] = "INSERT OR REPLACE INTO status (node, "
	    "state, time, step, message) VALUES (?1, ?2, ?3, ?4, ?5)";
	char *st1 = one_line(step), *msg = one_line(message);
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int rc = -1;

	if (nc_db_open(dbpath, NC_DB_WRITE, &db) < 0)
		goto out;
	if (nc_db_exec(db, "BEGIN IMMEDIATE") < 0)
		goto close;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL)) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, st1, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 5, msg, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "%s: status of %s: %s\n", dbpath, node,
		    sqlite3_errmsg(db));
		nc_db_exec(db, "ROLLBACK");
		goto close;
	}
	if (nc_db_exec(db, "UPDATE experiment SET generation = generation + 1;"
	    " COMMIT") < 0) {
		nc_db_exec(db, "ROLLBACK");
		goto close;
	}
	rc = 0;
close:
	sqlite3_finalize(st);
	nc_db_close(db);
out:
	free(st1);
	free(msg);
	return rc;
}
