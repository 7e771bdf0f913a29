/*
 * passwdfile.c: plain passwd(5) and group(5) files read into an experiment
 * (neoc import --passwd FILE [--group FILE]).  System accounts (uid or gid
 * below 1000, and nobody/nogroup 65534) are left out; group members become
 * the users' supplementary groups.  Like the tmcc reader, the files are
 * staged and merged only when both read cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmcc.h"
#include "tmcc_int.h"
#include "util.h"
#include "valid.h"

#define NOBODY_ID 65534		/* nobody, nogroup */
#define MAXCOLS 8

/* Split s in place at ':' into at most MAXCOLS fields; the count, or
 * MAXCOLS + 1 when there are more. */
static int
columns(char *s, char *col[MAXCOLS])
{
	int n = 0;
	char *c;

	for (;;) {
		if (n == MAXCOLS)
			return MAXCOLS + 1;
		col[n++] = s;
		if ((c = strchr(s, ':')) == NULL)
			return n;
		*c = '\0';
		s = c + 1;
	}
}

static int
system_id(long id)
{
	return id < (long)NC_ID_FIRST || id == NOBODY_ID;
}

/* Parse a uid or gid column (nc_valid_id); -1 after recording the error. */
static int
id(const char *what, const char *s, long *v, struct nc_diag *d, int line)
{
	unsigned long n = 0;
	const char *why;
	int rc = nc_valid_id(s, &n, &why);

	*v = (long)n;
	if (rc < 0)
		return nc_diag_error(d, line, "%s \"%s\" %s", what, s, why);
	return 0;
}

/* Skip blank lines, comments and NIS compat entries: 1 when s is one. */
static int
skip_line(const char *s, struct nc_diag *d, int line)
{
	if (s[strspn(s, " \t")] == '\0' || s[0] == '#')
		return 1;
	if (s[0] == '+' || s[0] == '-') {
		nc_diag_warn(d, line, "NIS compat entry skipped");
		return 1;
	}
	return 0;
}

static int
passwd_line(char *s, struct nc_exp *st, struct nc_strmap *skipped,
    struct nc_diag *d, int line)
{
	char *col[MAXCOLS], *comma;
	const char *pw, *shell, *why;
	struct nc_user *u;
	long uid, gid;
	size_t ui;
	int n;

	if ((n = columns(s, col)) != 7)
		return nc_diag_error(d, line, "expected 7 fields name:password:"
		    "uid:gid:gecos:home:shell, found %s%d",
		    n > MAXCOLS ? "more than " : "", n > MAXCOLS ? MAXCOLS : n);
	if (nc_valid_login(col[0], &why) < 0)
		return nc_diag_error(d, line, "user name \"%s\" %s", col[0],
		    why);
	if (id("uid", col[2], &uid, d, line) < 0 ||
	    id("gid", col[3], &gid, d, line) < 0)
		return -1;
	if (system_id(uid)) {
		nc_strmap_put(skipped, col[0], 1);
		return 0;
	}
	/* never echo the hash: it is a secret */
	if (!nc_text_valid(col[1], " \t"))
		return nc_diag_error(d, line, "password of %s holds a blank or "
		    "a control character", col[0]);
	if ((comma = strchr(col[4], ',')) != NULL)
		*comma = '\0';
	if (!nc_text_valid(col[4], NULL))
		return nc_diag_error(d, line, "full name of %s holds a control "
		    "character", col[0]);
	if (nc_valid_home(col[5], &why) < 0)
		return nc_diag_error(d, line, "home \"%s\" %s", col[5], why);
	shell = *col[6] ? col[6] : "/bin/sh";
	if (nc_valid_shell(shell, &why) < 0)
		return nc_diag_error(d, line, "shell \"%s\" %s", shell, why);
	/* "x": the hash is in shadow(5), which we do not read; an empty
	 * password would allow logging in without one: lock both. */
	pw = strcmp(col[1], "x") == 0 || *col[1] == '\0' ? "*" : col[1];

	if (nc_strmap_get(&st->user_by_name, col[0]) >= 0)
		nc_diag_warn(d, line, "user %s given again, this line wins",
		    col[0]);
	ui = nc_exp_user(st, col[0]);	/* may move the array */
	u = &st->users[ui];
	u->uid = uid;
	u->gid = gid;
	nc_set_str(&u->password, pw);
	nc_set_str(&u->fullname, col[4]);
	nc_set_str(&u->home, col[5]);
	nc_set_str(&u->shell, shell);
	return 0;
}

static int
group_line(char *s, struct nc_exp *st, const struct nc_exp *e,
    const struct nc_strmap *skipped, struct nc_diag *d, int line)
{
	char *col[MAXCOLS], *m, *save;
	const char *why;
	struct nc_user *u;
	long gid, ui;
	size_t gi;
	int n;

	if ((n = columns(s, col)) != 4)
		return nc_diag_error(d, line, "expected 4 fields name:password:"
		    "gid:members, found %s%d", n > MAXCOLS ? "more than " : "",
		    n > MAXCOLS ? MAXCOLS : n);
	if (nc_valid_login(col[0], &why) < 0)
		return nc_diag_error(d, line, "group name \"%s\" %s", col[0],
		    why);
	if (id("gid", col[2], &gid, d, line) < 0)
		return -1;
	if (system_id(gid))
		return 0;
	gi = nc_exp_group(st, col[0]);	/* may move the array */
	st->groups[gi].gid = gid;
	for (m = strtok_r(col[3], ", \t", &save); m != NULL;
	    m = strtok_r(NULL, ", \t", &save)) {
		if (nc_valid_login(m, &why) < 0)
			return nc_diag_error(d, line, "group %s: member \"%s\" "
			    "%s", col[0], m, why);
		ui = nc_strmap_get(&st->user_by_name, m);
		if ((ui < 0 || st->users[ui].uid < 0) &&
		    nc_strmap_get(&e->user_by_name, m) < 0) {
			if (nc_strmap_get(skipped, m) < 0)
				nc_diag_warn(d, line, "group %s: member %s is "
				    "not a known user, skipped", col[0], m);
			continue;
		}
		ui = (long)nc_exp_user(st, m);	/* may move the array */
		u = &st->users[ui];
		nc_strv_add(&u->groups, &u->ngroups, &u->capgroups, col[0]);
	}
	return 0;
}

/* Read one file, handing each meaningful line to passwd_line or
 * group_line. */
static int
read_file(const char *path, int is_group, struct nc_exp *st,
    const struct nc_exp *e, struct nc_strmap *skipped, struct nc_diag *d)
{
	struct nc_lines l;
	char *s;
	int r;

	if (nc_lines_open(&l, path, d) < 0)
		return -1;
	while ((r = nc_lines_next(&l, &s, d)) > 0) {
		if (skip_line(s, d, l.line))
			continue;
		r = is_group ? group_line(s, st, e, skipped, d, l.line) :
		    passwd_line(s, st, skipped, d, l.line);
		if (r < 0)
			break;
	}
	nc_lines_close(&l);
	return r < 0 ? -1 : 0;
}

int
nc_passwd_import(const char *passwd, const char *group, struct nc_exp *e,
    struct nc_diag *d)
{
	const char *saved = d->file;
	struct nc_strmap skipped = { 0 };
	struct nc_exp st;
	int rc = -1;

	nc_exp_init(&st);
	if (passwd == NULL && group == NULL) {
		nc_diag_error(d, 0, "no passwd or group file given");
		goto cleanup;
	}
	if (passwd != NULL) {
		d->file = passwd;
		if (read_file(passwd, 0, &st, e, &skipped, d) < 0)
			goto cleanup;
	}
	if (group != NULL) {
		d->file = group;
		if (read_file(group, 1, &st, e, &skipped, d) < 0)
			goto cleanup;
	}
	nc_tmcc_merge(e, &st, group != NULL ? NC_MERGE_GROUPS : 0);
	rc = 0;
cleanup:
	d->file = saved;
	nc_strmap_free(&skipped);
	nc_exp_free(&st);
	return rc;
}
