/*
 * tmcc.c: the testbed's cached node-configuration files (tmcc accounts,
 * mounts, hostnames, ifconfig; reference/tmcc-formats.md) read into an
 * experiment.  Each file is read into a staging experiment first and merged
 * only when every file read cleanly (tmcc_int.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inet.h"
#include "place.h"
#include "tmcc.h"
#include "tmcc_int.h"
#include "util.h"
#include "valid.h"

#define WHY_LEN 160

/* An ADDUSER's GLIST, resolved to group names once the file is read. */
struct glist {
	size_t user;		/* index into the staging users */
	int line;		/* line of the ADDUSER */
	long *gids;		/* the gids, list order */
	size_t ngids, capgids;
};

/* A PUBKEY line, checked against the known users once the file is read. */
struct keyline {
	size_t user;		/* index into the staging users */
	int line;		/* line of the PUBKEY */
};

/* State of reading one accounts file. */
struct accounts {
	struct nc_exp *st;	/* staging experiment */
	const struct nc_exp *e;	/* the experiment merged into later */
	struct nc_diag *d;	/* diagnostics, file set to this file */
	struct glist *glists;	/* GLIST of every ADDUSER */
	size_t nglists, capglists;
	struct keyline *keylines; /* every PUBKEY */
	size_t nkeylines, capkeylines;
};

/* A required field: its value, or NULL after recording "KW: missing F". */
static const char *
need(const struct nc_tmcc_line *tl, const char *kw, const char *field,
    struct nc_diag *d, int line)
{
	const char *v = nc_tmcc_get(tl, field);

	if (v == NULL)
		nc_diag_error(d, line, "%s%smissing %s", kw ? kw : "",
		    kw ? ": " : "", field);
	return v;
}

/* Parse a numeric field into *v; -1 after recording the error. */
static int
number(const char *kw, const char *field, const char *s, long *v,
    struct nc_diag *d, int line)
{
	switch (nc_tmcc_num(s, v)) {
	case 0:
		return 0;
	case -2:
		return nc_diag_error(d, line, "%s: %s \"%s\" is out of range",
		    kw, field, s);
	default:
		return nc_diag_error(d, line, "%s: %s \"%s\" is not a number",
		    kw, field, s);
	}
}

/* Parse a uid or gid field into *v (nc_valid_id); -1 after recording the
 * error. */
static int
id_field(const char *kw, const char *field, const char *s, long *v,
    struct nc_diag *d, int line)
{
	unsigned long id = 0;
	const char *why;
	int rc = nc_valid_id(s, &id, &why);

	*v = (long)id;
	if (rc < 0)
		return nc_diag_error(d, line, "%s: %s \"%s\" %s", kw, field, s,
		    why);
	return 0;
}

/* Split a line, recording "KW: reason" on failure. */
static int
split(char *s, struct nc_tmcc_line *tl, const char *kw, struct nc_diag *d,
    int line)
{
	char why[WHY_LEN];

	if (nc_tmcc_split(s, tl, why, sizeof(why)) < 0)
		return nc_diag_error(d, line, "%s%s%s", kw ? kw : "",
		    kw ? ": " : "", why);
	return 0;
}

static int
addgroup(struct accounts *a, const struct nc_tmcc_line *tl, int line)
{
	const char *name, *gid, *why;
	long g;
	size_t gi;

	if ((name = need(tl, "ADDGROUP", "NAME", a->d, line)) == NULL ||
	    (gid = need(tl, "ADDGROUP", "GID", a->d, line)) == NULL)
		return -1;
	if (nc_valid_login(name, &why) < 0)
		return nc_diag_error(a->d, line, "ADDGROUP: NAME \"%s\" %s",
		    name, why);
	if (id_field("ADDGROUP", "GID", gid, &g, a->d, line) < 0)
		return -1;
	/* the index first: adding a group may move the array */
	gi = nc_exp_group(a->st, name);
	a->st->groups[gi].gid = g;
	return 0;
}

/* A SHELL value: a shell (nc_valid_shell), or a bare name (tcsh, bash)
 * taken from /bin.  NULL when it is neither. */
static char *
shell_path(const char *s)
{
	char *sh = s[0] == '/' ? nc_strdup(s) : strchr(s, '/') != NULL ?
	    NULL : nc_asprintf("/bin/%s", s);

	if (sh != NULL && nc_valid_shell(sh, NULL) < 0) {
		free(sh);
		sh = NULL;
	}
	return sh;
}

static int
parse_glist(struct accounts *a, size_t user, const char *s, int line)
{
	struct glist *gl = NC_PUSH(a->glists, a->nglists, a->capglists);
	char num[16];
	const char *p = s, *comma;
	size_t n;
	long g;

	gl->user = user;
	gl->line = line;
	while (*p) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(num))
			return nc_diag_error(a->d, line,
			    "ADDUSER: GLIST gid \"%.*s\" is out of range",
			    (int)(n > 40 ? 40 : n), p);
		memcpy(num, p, n);
		num[n] = '\0';
		if (n > 0) {
			if (number("ADDUSER", "GLIST gid", num, &g, a->d,
			    line) < 0)
				return -1;
			*NC_PUSH(gl->gids, gl->ngids, gl->capgids) = g;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

static int
adduser(struct accounts *a, const struct nc_tmcc_line *tl, int line)
{
	const char *login, *pswd, *uid, *gid, *root, *name, *home, *glist,
	    *email, *shell, *why;
	long u, g;
	char *sh = NULL;
	struct nc_user *usr;
	size_t ui;

	if ((login = need(tl, "ADDUSER", "LOGIN", a->d, line)) == NULL ||
	    (pswd = need(tl, "ADDUSER", "PSWD", a->d, line)) == NULL ||
	    (uid = need(tl, "ADDUSER", "UID", a->d, line)) == NULL ||
	    (gid = need(tl, "ADDUSER", "GID", a->d, line)) == NULL ||
	    (root = need(tl, "ADDUSER", "ROOT", a->d, line)) == NULL ||
	    (name = need(tl, "ADDUSER", "NAME", a->d, line)) == NULL ||
	    (home = need(tl, "ADDUSER", "HOMEDIR", a->d, line)) == NULL)
		return -1;
	glist = nc_tmcc_get(tl, "GLIST");
	email = nc_tmcc_get(tl, "EMAIL");
	shell = nc_tmcc_get(tl, "SHELL");
	if (nc_valid_login(login, &why) < 0)
		return nc_diag_error(a->d, line, "ADDUSER: LOGIN \"%s\" %s",
		    login, why);
	/* never echo the hash: it is a secret */
	if (*pswd == '\0' || !nc_text_valid(pswd, ": \t"))
		return nc_diag_error(a->d, line, "ADDUSER: PSWD of %s is "
		    "empty or holds ':', a blank or a control character",
		    login);
	if (id_field("ADDUSER", "UID", uid, &u, a->d, line) < 0 ||
	    id_field("ADDUSER", "GID", gid, &g, a->d, line) < 0)
		return -1;
	if (strcmp(root, "0") != 0 && strcmp(root, "1") != 0)
		return nc_diag_error(a->d, line,
		    "ADDUSER: ROOT \"%s\" is not 0 or 1", root);
	if (!nc_text_valid(name, ":"))
		return nc_diag_error(a->d, line, "ADDUSER: NAME of %s holds "
		    "':' or a control character", login);
	if (nc_valid_home(home, &why) < 0)
		return nc_diag_error(a->d, line, "ADDUSER: HOMEDIR \"%s\" %s",
		    home, why);
	if (email != NULL && !nc_text_valid(email, ": \t"))
		return nc_diag_error(a->d, line, "ADDUSER: EMAIL of %s holds "
		    "':', a blank or a control character", login);
	if (shell != NULL && *shell != '\0' &&
	    (sh = shell_path(shell)) == NULL)
		return nc_diag_error(a->d, line, "ADDUSER: SHELL \"%s\" is "
		    "not a shell name or a safe absolute path", shell);

	ui = nc_exp_user(a->st, login);
	usr = &a->st->users[ui];
	usr->uid = u;
	usr->gid = g;
	usr->root = root[0] == '1';
	nc_set_str(&usr->password, pswd);
	nc_set_str(&usr->fullname, name);
	nc_set_str(&usr->home, home);
	if (email != NULL)
		nc_set_str(&usr->email, email);
	if (sh != NULL) {
		free(usr->shell);
		usr->shell = sh;
	}
	return parse_glist(a, ui, glist != NULL ? glist : "", line);
}

static int
pubkey(struct accounts *a, const struct nc_tmcc_line *tl, int line)
{
	const char *login, *key, *why;
	struct keyline *kl;
	struct nc_user *u;

	if ((login = need(tl, "PUBKEY", "LOGIN", a->d, line)) == NULL ||
	    (key = need(tl, "PUBKEY", "KEY", a->d, line)) == NULL)
		return -1;
	if (nc_valid_login(login, &why) < 0)
		return nc_diag_error(a->d, line, "PUBKEY: LOGIN \"%s\" %s",
		    login, why);
	if (*key == '\0' || !nc_text_valid(key, NULL))
		return nc_diag_error(a->d, line, "PUBKEY: KEY of %s is empty "
		    "or holds a control character", login);
	kl = NC_PUSH(a->keylines, a->nkeylines, a->capkeylines);
	kl->user = nc_exp_user(a->st, login);
	kl->line = line;
	u = &a->st->users[kl->user];
	nc_strv_add(&u->keys, &u->nkeys, &u->capkeys, key);
	return 0;
}

/* The name of the group with gid g, staged or already known, or NULL. */
static const char *
group_name(const struct accounts *a, long g)
{
	size_t i;

	for (i = 0; i < a->st->ngroups; i++)
		if (a->st->groups[i].gid == g)
			return a->st->groups[i].name;
	for (i = 0; i < a->e->ngroups; i++)
		if (a->e->groups[i].gid == g)
			return a->e->groups[i].name;
	return NULL;
}

/* After the file: GLISTs to group names, PUBKEYs to known users. */
static int
finish_accounts(struct accounts *a)
{
	size_t i, j;

	for (i = 0; i < a->nkeylines; i++) {
		struct nc_user *u = &a->st->users[a->keylines[i].user];

		if (u->uid < 0 && nc_strmap_get(&a->e->user_by_name,
		    u->name) < 0)
			return nc_diag_error(a->d, a->keylines[i].line,
			    "PUBKEY: unknown user \"%s\"", u->name);
	}
	for (i = 0; i < a->nglists; i++) {
		struct glist *gl = &a->glists[i];
		struct nc_user *u = &a->st->users[gl->user];

		for (j = 0; j < u->ngroups; j++)
			free(u->groups[j]);
		u->ngroups = 0;
		for (j = 0; j < gl->ngids; j++) {
			const char *name = group_name(a, gl->gids[j]);

			if (name == NULL)
				nc_diag_warn(a->d, gl->line, "ADDUSER: GLIST "
				    "gid %ld of %s has no group name, "
				    "skipped", gl->gids[j], u->name);
			else
				nc_strv_add(&u->groups, &u->ngroups,
				    &u->capgroups, name);
		}
	}
	return 0;
}

static int
read_accounts(const char *path, struct nc_exp *st, const struct nc_exp *e,
    struct nc_diag *d)
{
	struct accounts a = { .st = st, .e = e, .d = d };
	struct nc_lines l;
	struct nc_tmcc_line tl;
	char kw[16], *s;
	int r, rc = -1;
	size_t i;

	if (nc_lines_open(&l, path, d) < 0)
		return -1;
	while ((r = nc_lines_next(&l, &s, d)) > 0) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		nc_tmcc_first(s, kw, sizeof(kw));
		if (strcmp(kw, "ADDGROUP") != 0 &&
		    strcmp(kw, "ADDUSER") != 0 && strcmp(kw, "PUBKEY") != 0) {
			nc_diag_warn(d, l.line, "unknown keyword \"%s\", "
			    "line skipped", kw);
			continue;
		}
		if (split(s, &tl, kw, d, l.line) < 0)
			goto cleanup;
		if (tl.keyword == NULL) {
			nc_diag_error(d, l.line, "%s: expected a keyword", kw);
			goto cleanup;
		}
		if (strcmp(kw, "ADDGROUP") == 0)
			r = addgroup(&a, &tl, l.line);
		else if (strcmp(kw, "ADDUSER") == 0)
			r = adduser(&a, &tl, l.line);
		else
			r = pubkey(&a, &tl, l.line);
		if (r < 0)
			goto cleanup;
	}
	if (r < 0 || finish_accounts(&a) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	for (i = 0; i < a.nglists; i++)
		free(a.glists[i].gids);
	free(a.glists);
	free(a.keylines);
	nc_lines_close(&l);
	return rc;
}

static int
fstype_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int
mount_line(struct nc_exp *st, const struct nc_tmcc_line *tl,
    const char *fstype, struct nc_diag *d, int line)
{
	const char *remote, *local, *colon, *why;
	struct nc_mount m = { 0 };

	if ((remote = need(tl, NULL, "REMOTE", d, line)) == NULL ||
	    (local = need(tl, NULL, "LOCAL", d, line)) == NULL)
		return -1;
	colon = strchr(remote, ':');
	if (colon == NULL || colon == remote)
		return nc_diag_error(d, line, "REMOTE \"%s\" is not "
		    "server:/path", remote);
	m.server = nc_asprintf("%.*s", (int)(colon - remote), remote);
	/* a dotted IPv4 address is a host name too */
	if (nc_valid_hostname(m.server, &why) < 0) {
		nc_diag_error(d, line, "REMOTE \"%s\": \"%s\" %s", remote,
		    m.server, why);
		goto fail;
	}
	if (nc_valid_mount_path(colon + 1, &why) < 0) {
		nc_diag_error(d, line, "REMOTE \"%s\": \"%s\" %s", remote,
		    colon + 1, why);
		goto fail;
	}
	if (nc_valid_mount_path(local, &why) < 0) {
		nc_diag_error(d, line, "LOCAL \"%s\" %s", local, why);
		goto fail;
	}
	m.source = nc_strdup(colon + 1);
	m.target = nc_strdup(local);
	m.fstype = nc_strdup0(fstype);
	m.options = nc_strdup("");
	nc_stage_mount(st, &m);
	return 0;
fail:
	free(m.server);
	return -1;
}

static int
read_mounts(const char *path, struct nc_exp *st, struct nc_diag *d)
{
	struct nc_lines l;
	struct nc_tmcc_line tl;
	char kw[16], *s, *fstype = NULL;
	const char *v, *why;
	int r, rc = -1;

	if (nc_lines_open(&l, path, d) < 0)
		return -1;
	while ((r = nc_lines_next(&l, &s, d)) > 0) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		nc_tmcc_first(s, kw, sizeof(kw));
		if (strcmp(kw, "REMOTE") != 0 && strcmp(kw, "LOCAL") != 0 &&
		    strcmp(kw, "FSTYPE") != 0) {
			nc_diag_warn(d, l.line, "unknown keyword \"%s\", "
			    "line skipped", kw);
			continue;
		}
		if (split(s, &tl, NULL, d, l.line) < 0)
			goto cleanup;
		if (tl.keyword != NULL) {
			nc_diag_error(d, l.line, "%s: expected %s=value", kw,
			    kw);
			goto cleanup;
		}
		if (strcmp(kw, "FSTYPE") == 0) {
			v = nc_tmcc_get(&tl, "FSTYPE");
			if (*v != '\0' && !fstype_valid(v)) {
				nc_diag_error(d, l.line, "FSTYPE \"%s\" is "
				    "not a filesystem type", v);
				goto cleanup;
			}
			free(fstype);
			fstype = *v ? nc_strdup(v) : NULL;
		} else if (strcmp(kw, "LOCAL") == 0) {
			/* a local directory only: nothing to mount */
			v = nc_tmcc_get(&tl, "LOCAL");
			if (nc_valid_path(v, &why) < 0) {
				nc_diag_error(d, l.line, "LOCAL \"%s\" %s", v,
				    why);
				goto cleanup;
			}
		} else if (mount_line(st, &tl, fstype, d, l.line) < 0) {
			goto cleanup;
		}
	}
	if (r < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(fstype);
	nc_lines_close(&l);
	return rc;
}

static int
read_hostnames(const char *path, struct nc_exp *st, struct nc_diag *d)
{
	struct nc_lines l;
	struct nc_tmcc_line tl;
	struct nc_hostname h;
	char kw[16], *s, *aliases = NULL, *copy, *save;
	const char *name, *ip, *al, *why;
	size_t n;
	int r, rc = -1;

	if (nc_lines_open(&l, path, d) < 0)
		return -1;
	while ((r = nc_lines_next(&l, &s, d)) > 0) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		nc_tmcc_first(s, kw, sizeof(kw));
		if (strcmp(kw, "NAME") != 0) {
			nc_diag_warn(d, l.line, "unknown keyword \"%s\", "
			    "line skipped", kw);
			continue;
		}
		if (split(s, &tl, NULL, d, l.line) < 0)
			goto cleanup;
		if (tl.keyword != NULL) {
			nc_diag_error(d, l.line, "NAME: expected NAME=value");
			goto cleanup;
		}
		if ((name = need(&tl, NULL, "NAME", d, l.line)) == NULL ||
		    (ip = need(&tl, NULL, "IP", d, l.line)) == NULL)
			goto cleanup;
		memset(&h, 0, sizeof(h));
		if (nc_valid_hostname(name, &why) < 0) {
			nc_diag_error(d, l.line, "NAME \"%s\" %s", name, why);
			goto cleanup;
		}
		if (nc_valid_ipv4(ip, &h.ip, &why) < 0) {
			nc_diag_error(d, l.line, "IP \"%s\" %s", ip, why);
			goto cleanup;
		}
		/* the aliases, checked one by one and joined by one space */
		al = nc_tmcc_get(&tl, "ALIASES");
		copy = nc_strdup(al != NULL ? al : "");
		aliases = nc_calloc(1, strlen(copy) + 1);
		n = 0;
		for (s = strtok_r(copy, " \t", &save); s != NULL;
		    s = strtok_r(NULL, " \t", &save)) {
			if (nc_valid_hostname(s, &why) < 0) {
				nc_diag_error(d, l.line, "ALIASES: \"%s\" %s",
				    s, why);
				free(copy);
				goto cleanup;
			}
			n += (size_t)sprintf(aliases + n, "%s%s",
			    n ? " " : "", s);
		}
		free(copy);
		h.name = nc_strdup(name);
		h.aliases = aliases;
		aliases = NULL;
		nc_stage_hostname(st, &h);
	}
	if (r < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(aliases);
	nc_lines_close(&l);
	return rc;
}

static int
speed_valid(const char *s)
{
	if (*s == '\0' || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '/'))
			return 0;
	return 1;
}

static int
interface(struct nc_exp *st, const char *pnode, const struct nc_tmcc_line *tl,
    struct nc_diag *d, int line)
{
	const char *inet, *mask, *mac, *iface, *speed, *duplex, *rtabid, *lan;
	const char *why;
	struct nc_piface p = { 0 };
	long rt;

	if ((inet = need(tl, "INTERFACE", "INET", d, line)) == NULL ||
	    (mask = need(tl, "INTERFACE", "MASK", d, line)) == NULL ||
	    (mac = need(tl, "INTERFACE", "MAC", d, line)) == NULL ||
	    (iface = need(tl, "INTERFACE", "IFACE", d, line)) == NULL)
		return -1;
	speed = nc_tmcc_get(tl, "SPEED");
	duplex = nc_tmcc_get(tl, "DUPLEX");
	rtabid = nc_tmcc_get(tl, "RTABID");
	lan = nc_tmcc_get(tl, "LAN");
	if (nc_valid_ipv4(inet, &p.ip, &why) < 0)
		return nc_diag_error(d, line, "INTERFACE: INET \"%s\" %s",
		    inet, why);
	if (nc_valid_netmask(mask, &p.mask, &why) < 0)
		return nc_diag_error(d, line, "INTERFACE: MASK \"%s\" %s",
		    mask, why);
	if (nc_valid_mac(mac, p.mac, &why) < 0)
		return nc_diag_error(d, line, "INTERFACE: MAC \"%s\" %s", mac,
		    why);
	if (nc_valid_ifname(iface, &why) < 0)
		return nc_diag_error(d, line, "INTERFACE: IFACE \"%s\" %s",
		    iface, why);
	if (speed != NULL && *speed != '\0' && !speed_valid(speed))
		return nc_diag_error(d, line, "INTERFACE: SPEED \"%s\" is not "
		    "a speed", speed);
	if (duplex != NULL && *duplex != '\0' && strcmp(duplex, "full") != 0 &&
	    strcmp(duplex, "half") != 0)
		return nc_diag_error(d, line, "INTERFACE: DUPLEX \"%s\" is not "
		    "full or half", duplex);
	if (rtabid != NULL && *rtabid != '\0' &&
	    number("INTERFACE", "RTABID", rtabid, &rt, d, line) < 0)
		return -1;
	if (lan != NULL && *lan != '\0' && nc_valid_label(lan, &why) < 0)
		return nc_diag_error(d, line, "INTERFACE: LAN \"%s\" %s", lan,
		    why);
	p.pnode = nc_strdup(pnode);
	p.name = nc_strdup(iface);
	p.speed = speed != NULL && *speed ? nc_strdup(speed) : NULL;
	p.duplex = duplex != NULL && *duplex ? nc_strdup(duplex) : NULL;
	p.lan = lan != NULL && *lan ? nc_strdup(lan) : NULL;
	nc_stage_piface(st, &p);
	return 0;
}

static int
read_ifconfig(const char *path, const char *pnode, struct nc_exp *st,
    struct nc_diag *d)
{
	struct nc_lines l;
	struct nc_tmcc_line tl;
	char kw[16], *s;
	int r, rc = -1;

	if (nc_lines_open(&l, path, d) < 0)
		return -1;
	while ((r = nc_lines_next(&l, &s, d)) > 0) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		nc_tmcc_first(s, kw, sizeof(kw));
		if (strcmp(kw, "INTERFACE") != 0) {
			nc_diag_warn(d, l.line, "unknown keyword \"%s\", "
			    "line skipped", kw);
			continue;
		}
		if (split(s, &tl, kw, d, l.line) < 0)
			goto cleanup;
		if (tl.keyword == NULL) {
			nc_diag_error(d, l.line, "%s: expected a keyword", kw);
			goto cleanup;
		}
		if (interface(st, pnode, &tl, d, l.line) < 0)
			goto cleanup;
	}
	if (r < 0)
		goto cleanup;
	rc = 0;
cleanup:
	nc_lines_close(&l);
	return rc;
}

/* 1 when path is a regular file, 0 when it does not exist, -1 (recorded)
 * when it is something else or cannot be examined. */
static int
present(const char *path, struct nc_diag *d)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return nc_diag_error(d, 0, "%s", strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return nc_diag_error(d, 0, "not a regular file");
	return 1;
}

/* The pnode DIR/ifconfig describes: the one named, the experiment's only
 * pnode, or pnode-0. */
static const char *
default_pnode(const struct nc_exp *e, const char *pnode)
{
	const char *found = NULL;
	size_t i, n = 0;

	if (pnode != NULL)
		return pnode;
	for (i = 0; i < e->nnodes; i++)
		if (nc_node_is_pnode(&e->nodes[i])) {
			found = e->nodes[i].name;
			n++;
		}
	return n == 1 ? found : "pnode-0";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of DIR's subdirectories holding an ifconfig, sorted. */
static int
pnode_dirs(const char *dir, char ***names, size_t *n, struct nc_diag *d)
{
	size_t cap = 0;
	DIR *dp;
	struct dirent *de;
	struct stat sb;
	char *sub;

	*names = NULL;
	*n = 0;
	if ((dp = opendir(dir)) == NULL)
		return nc_diag_error(d, 0, "%s", strerror(errno));
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sub = nc_asprintf("%s/%s/ifconfig", dir, de->d_name);
		if (stat(sub, &sb) == 0 && S_ISREG(sb.st_mode))
			*NC_PUSH(*names, *n, cap) = nc_strdup(de->d_name);
		free(sub);
	}
	closedir(dp);
	if (*n > 0)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

int
nc_tmcc_import(const char *dir, const char *pnode, struct nc_exp *e,
    struct nc_diag *d)
{
	static const char *const files[] = {
		"accounts", "mounts", "hostnames", "ifconfig",
	};
	const char *saved = d->file, *why;
	struct nc_exp st;
	struct stat sb;
	char *base, *path = NULL, **subs = NULL;
	size_t i, nsubs = 0, len;
	int found = 0, r, rc = -1;

	nc_exp_init(&st);
	base = nc_strdup(dir);
	len = strlen(base);
	while (len > 1 && base[len - 1] == '/')
		base[--len] = '\0';
	d->file = base;
	if (stat(base, &sb) < 0) {
		nc_diag_error(d, 0, "%s", strerror(errno));
		goto cleanup;
	}
	if (!S_ISDIR(sb.st_mode)) {
		nc_diag_error(d, 0, "not a directory");
		goto cleanup;
	}
	if (pnode != NULL && nc_valid_label(pnode, &why) < 0) {
		nc_diag_error(d, 0, "pnode name \"%s\" %s", pnode, why);
		goto cleanup;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		free(path);
		path = nc_asprintf("%s%s%s", base,
		    strcmp(base, "/") == 0 ? "" : "/", files[i]);
		d->file = path;
		if ((r = present(path, d)) < 0)
			goto cleanup;
		if (r == 0)
			continue;
		found++;
		if (i == 0)
			r = read_accounts(path, &st, e, d);
		else if (i == 1)
			r = read_mounts(path, &st, d);
		else if (i == 2)
			r = read_hostnames(path, &st, d);
		else
			r = read_ifconfig(path, default_pnode(e, pnode), &st,
			    d);
		if (r < 0)
			goto cleanup;
	}
	d->file = base;
	if (pnode_dirs(base, &subs, &nsubs, d) < 0)
		goto cleanup;
	for (i = 0; i < nsubs; i++) {
		free(path);
		path = nc_asprintf("%s/%s/ifconfig", base, subs[i]);
		d->file = path;
		if (nc_valid_label(subs[i], &why) < 0) {
			nc_diag_error(d, 0, "pnode name \"%s\" %s", subs[i],
			    why);
			goto cleanup;
		}
		found++;
		if (read_ifconfig(path, subs[i], &st, d) < 0)
			goto cleanup;
	}
	if (found == 0) {
		d->file = base;
		nc_diag_error(d, 0, "no tmcc files (accounts, mounts, "
		    "hostnames, ifconfig)");
		goto cleanup;
	}
	nc_tmcc_merge(e, &st, NC_MERGE_ROOT | NC_MERGE_GROUPS);
	rc = 0;
cleanup:
	d->file = saved;
	for (i = 0; i < nsubs; i++)
		free(subs[i]);
	free(subs);
	free(path);
	free(base);
	nc_exp_free(&st);
	return rc;
}
