/*
 * accounts.c: the groups and accounts steps (issue 5, steps 2 and 3).
 *
 * groups: /etc/group (and /etc/gshadow where it exists) get the tree's
 * nodes/<node>/group.  accounts: /etc/passwd and /etc/shadow get the
 * tree's passwd and shadow; home directories are made (with /etc/skel)
 * unless a mount of the tree's mounts provides them; .ssh/authorized_keys
 * gets keys/<user>; /etc/sudoers.d/neoc gets the tree's sudoers lines
 * when /etc/sudoers.d exists.
 *
 * Every line we did not create stays byte for byte where it was.  What we
 * created is remembered in /var/lib/neoc/accounts ("user NAME", "group
 * NAME"): ours are updated in place and removed when the tree drops them.
 * A tree entry whose name is a hand-made line takes that line over, unless
 * it is root or a system entry (id below 1000): that is left alone with a
 * warning.  Every read-modify-write runs under the password-file lock
 * (lckpwdf() for the real /etc, and always an fcntl lock on
 * ROOT/etc/.pwd.lock), each file is replaced atomically (ncp_replace).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "pwfile.h"
#include "container_steps.h"
#include "strmap.h"
#include "util.h"
#include "valid.h"

#define STATE_DIR "/var/lib/neoc"
#define STATE_FILE STATE_DIR "/accounts"
#define LOCK_FILE "/etc/.pwd.lock"
#define SUDOERS_DIR "/etc/sudoers.d"
#define SUDOERS_FILE SUDOERS_DIR "/neoc"
#define SKEL "/etc/skel"
#define SKEL_DEPTH 16		/* deepest directory copied from SKEL */

/* One user or group of the tree. */
struct entry {
	char *name;		/* user or group name */
	unsigned long id;	/* uid or gid */
	unsigned long gid;	/* a user's primary group */
	char *line;		/* its line in passwd or group */
	char *line2;		/* its line in shadow or gshadow */
	char *home;		/* a user's home directory */
	int mounted;		/* a mount of the tree provides the home */
	int has_keys;		/* the tree has keys/<user> */
	struct nc_buf keys;	/* keys/<user>, ending in '\n' */
	int ours;		/* its lines are ours after this run */
};

/* The users or the groups of the tree, in tree order. */
struct entries {
	struct entry *v;	/* the entries */
	size_t n;		/* entries in v */
	size_t cap;		/* entries allocated */
	struct nc_strmap idx;	/* name -> index in v */
};

/* Names we made, as remembered in STATE_FILE. */
struct names {
	char **v;		/* the names, in order */
	size_t n;		/* names in v */
	size_t cap;		/* names allocated */
	struct nc_strmap set;	/* name -> index in v */
};

struct state {
	struct names users;	/* "user NAME" lines */
	struct names groups;	/* "group NAME" lines */
};

/* What differs between the groups and the accounts steps. */
struct kind {
	const char *step;	/* "groups", "accounts" */
	const char *word;	/* "group", "user" */
	const char *idword;	/* "gid", "uid" */
	const char *file;	/* "/etc/group", "/etc/passwd" */
	const char *file2;	/* "/etc/gshadow", "/etc/shadow" */
	int make2;		/* create file2 when it is missing */
	mode_t mode;		/* mode of file when we create it */
	mode_t mode2;		/* mode of file2 when we create it */
};

static const struct kind k_groups = {
	"groups", "group", "gid", "/etc/group", "/etc/gshadow", 0,
	0644, 0600,
};
static const struct kind k_users = {
	"accounts", "user", "uid", "/etc/passwd", "/etc/shadow", 1,
	0644, 0600,
};

/* The password-file lock, held for a whole read-modify-write. */
struct pwlock {
	int fd;			/* ROOT/etc/.pwd.lock, -1 when not open */
	int libc;		/* lckpwdf() is held */
};

/* ---- small helpers ---- */

static void
entries_free(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++) {
		free(es->v[i].name);
		free(es->v[i].line);
		free(es->v[i].line2);
		free(es->v[i].home);
		nc_buf_free(&es->v[i].keys);
	}
	free(es->v);
	nc_strmap_free(&es->idx);
	memset(es, 0, sizeof(*es));
}

static void
names_add(struct names *ns, const char *name)
{
	if (nc_strmap_get(&ns->set, name) >= 0)
		return;
	nc_strmap_put(&ns->set, name, (long)ns->n);
	*NC_PUSH(ns->v, ns->n, ns->cap) = nc_strdup(name);
}

static void
names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	nc_strmap_free(&ns->set);
	memset(ns, 0, sizeof(*ns));
}

/* The next line of text at *s (before end), without its '\n'; NULL at the
 * end.  *len gets its length. */
static const char *
next_line(const char **s, const char *end, size_t *len)
{
	const char *l = *s, *nl;

	if (l >= end)
		return NULL;
	nl = memchr(l, '\n', (size_t)(end - l));
	if (nl == NULL)
		nl = end;
	*len = (size_t)(nl - l);
	*s = nl + 1;
	return l;
}

/* chown that only root must get right (tests run as anyone). */
static int
owner(int rc)
{
	if (rc < 0 && (geteuid() == 0 || errno != EPERM))
		return -errno;
	return 0;
}

/* Read entry e of nodes/<node>/; a missing file reads as empty. */
static int
read_tree(struct ncprov *p, enum nct_id e, struct nc_buf *out)
{
	int rc = ncp_read_node(p, e, NULL, out);

	if (rc == -ENOENT) {
		nc_buf_reset(out);
		return 0;
	}
	if (rc < 0)
		ncp_fail(p, "reading %s: %s", nct_entries[e].name,
		    strerror(-rc));
	return rc;
}

/* ---- the tree's entries ---- */

/* Fail naming line lineno of the tree's file what. */
static int
bad_line(struct ncprov *p, const char *what, size_t lineno, const char *why,
    const char *line, size_t len)
{
	return ncp_fail(p, "%s line %zu: %s: \"%.*s\"", what, lineno, why,
	    (int)(len > 200 ? 200 : len), line);
}

/* Digits or nothing (the numeric fields of shadow). */
static int
digits_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A comma-separated list of names, possibly empty. */
static int
members_ok(const char *s)
{
	char *copy, *m, *save = NULL;
	size_t n = strlen(s);
	int ok = 1;

	if (n == 0)
		return 1;
	if (s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,") != NULL)
		return 0;
	copy = nc_strdup(s);
	for (m = strtok_r(copy, ",", &save); m != NULL && ok;
	    m = strtok_r(NULL, ",", &save))
		ok = nc_valid_login(m, NULL) == 0;
	free(copy);
	return ok;
}

static struct entry *
add_entry(struct ncprov *p, struct entries *es, const char *what,
    size_t lineno, const char *name, const char *line, size_t len)
{
	struct entry *e;

	if (nc_strmap_get(&es->idx, name) >= 0) {
		bad_line(p, what, lineno, "a second entry of that name", line,
		    len);
		return NULL;
	}
	nc_strmap_put(&es->idx, name, (long)es->n);
	e = NC_PUSH(es->v, es->n, es->cap);
	memset(e, 0, sizeof(*e));
	e->name = nc_strdup(name);
	e->line = nc_malloc(len + 1);
	memcpy(e->line, line, len);
	e->line[len] = '\0';
	return e;
}

/* The tree's group file: "name:x:gid:member,member". */
/*
 * Copy line l (len bytes) into *copy (replacing the previous copy) and
 * split it on ':' into exactly n fields f[].  -1 when it holds a NUL byte
 * or another number of fields.
 */
static int
split_line(const char *l, size_t len, char **copy, char **f, size_t n)
{
	free(*copy);
	*copy = nc_malloc(len + 1);
	memcpy(*copy, l, len);
	(*copy)[len] = '\0';
	if (memchr(l, '\0', len) != NULL || ncp_pw_split(*copy, f, n) != n)
		return -1;
	return 0;
}

static int
parse_groups(struct ncprov *p, const struct nc_buf *text, struct entries *es)
{
	const char *s = nc_buf_str(text), *end = s + text->len, *l;
	char *copy = NULL, *f[4];
	struct entry *e;
	size_t len, lineno = 0;
	unsigned long gid;

	while ((l = next_line(&s, end, &len)) != NULL) {
		lineno++;
		if (len == 0 || l[0] == '#')
			continue;
		if (split_line(l, len, &copy, f, 4) < 0) {
			bad_line(p, "group", lineno, "not 4 fields", l, len);
			goto fail;
		}
		if (nc_valid_login(f[0], NULL) < 0) {
			bad_line(p, "group", lineno, "bad group name", l, len);
			goto fail;
		}
		if (!ncp_pw_text_ok(f[1]) ||
		    nc_valid_id(f[2], &gid, NULL) < 0) {
			bad_line(p, "group", lineno, "bad gid", l, len);
			goto fail;
		}
		if (!members_ok(f[3])) {
			bad_line(p, "group", lineno, "bad member list", l, len);
			goto fail;
		}
		if ((e = add_entry(p, es, "group", lineno, f[0], l, len)) ==
		    NULL)
			goto fail;
		e->id = gid;
		e->line2 = nc_asprintf("%s:!::%s", f[0], f[3]);
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

/* The tree's passwd: "user:x:uid:gid:fullname:home:shell". */
static int
parse_passwd(struct ncprov *p, const struct nc_buf *text,
    struct entries *es)
{
	const char *s = nc_buf_str(text), *end = s + text->len, *l;
	char *copy = NULL, *f[7];
	struct entry *e;
	size_t len, lineno = 0;
	unsigned long uid, gid;

	while ((l = next_line(&s, end, &len)) != NULL) {
		lineno++;
		if (len == 0 || l[0] == '#')
			continue;
		if (split_line(l, len, &copy, f, 7) < 0) {
			bad_line(p, "passwd", lineno, "not 7 fields", l, len);
			goto fail;
		}
		if (nc_valid_login(f[0], NULL) < 0) {
			bad_line(p, "passwd", lineno, "bad user name", l, len);
			goto fail;
		}
		if (!ncp_pw_text_ok(f[1]) || nc_valid_id(f[2], &uid, NULL) < 0 ||
		    nc_valid_id(f[3], &gid, NULL) < 0) {
			bad_line(p, "passwd", lineno, "bad uid or gid", l, len);
			goto fail;
		}
		if (!ncp_pw_text_ok(f[4])) {
			bad_line(p, "passwd", lineno, "bad full name", l, len);
			goto fail;
		}
		if (nc_valid_home(f[5], NULL) < 0) {
			bad_line(p, "passwd", lineno, "bad home directory", l,
			    len);
			goto fail;
		}
		if (f[6][0] != '\0' && nc_valid_shell(f[6], NULL) < 0) {
			bad_line(p, "passwd", lineno, "bad shell", l, len);
			goto fail;
		}
		if ((e = add_entry(p, es, "passwd", lineno, f[0], l, len)) ==
		    NULL)
			goto fail;
		e->id = uid;
		e->gid = gid;
		e->home = nc_strdup(f[5]);
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

/* The tree's shadow: "user:hash::0:99999:7:::", for the users of es.  A
 * user without one gets a locked password; an empty hash (no password at
 * all) is locked too. */
static int
parse_shadow(struct ncprov *p, const struct nc_buf *text,
    struct entries *es)
{
	const char *s = nc_buf_str(text), *end = s + text->len, *l;
	char *copy = NULL, *f[9];
	size_t len, lineno = 0, i;
	long at;
	int k;

	while ((l = next_line(&s, end, &len)) != NULL) {
		lineno++;
		if (len == 0 || l[0] == '#')
			continue;
		if (split_line(l, len, &copy, f, 9) < 0) {
			bad_line(p, "shadow", lineno, "not 9 fields", l, len);
			goto fail;
		}
		if (nc_valid_login(f[0], NULL) < 0 || !ncp_pw_text_ok(f[1])) {
			bad_line(p, "shadow", lineno, "bad name or hash", l,
			    len);
			goto fail;
		}
		for (k = 2; k < 8; k++)
			if (!digits_ok(f[k]))
				break;
		if (k < 8 || !ncp_pw_text_ok(f[8])) {
			bad_line(p, "shadow", lineno, "bad number", l, len);
			goto fail;
		}
		if ((at = nc_strmap_get(&es->idx, f[0])) < 0)
			continue;
		free(es->v[at].line2);
		es->v[at].line2 = nc_asprintf("%s:%s:%s:%s:%s:%s:%s:%s:%s",
		    f[0], f[1][0] ? f[1] : "!", f[2], f[3], f[4], f[5], f[6],
		    f[7], f[8]);
	}
	for (i = 0; i < es->n; i++)
		if (es->v[i].line2 == NULL)
			es->v[i].line2 = nc_asprintf("%s:!::0:99999:7:::",
			    es->v[i].name);
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

/* Mark the users whose home a mount target of the tree's mounts covers
 * (fstab lines "server:/src /target 9p opts 0 0"). */
static void
mark_mounted(const struct nc_buf *mounts, struct entries *users)
{
	const char *s = nc_buf_str(mounts), *end = s + mounts->len, *l;
	struct nc_strmap targets = { 0 };
	char *copy, *t, *save = NULL, *slash;
	size_t len, i, n;

	while ((l = next_line(&s, end, &len)) != NULL) {
		copy = nc_malloc(len + 1);
		memcpy(copy, l, len);
		copy[len] = '\0';
		if (strtok_r(copy, " \t", &save) != NULL && copy[0] != '#' &&
		    (t = strtok_r(NULL, " \t", &save)) != NULL && t[0] == '/') {
			n = strlen(t);
			while (n > 1 && t[n - 1] == '/')
				t[--n] = '\0';
			nc_strmap_put(&targets, t, 1);
		}
		free(copy);
	}
	if (targets.len == 0)
		return;
	/* The home itself, then each directory above it. */
	for (i = 0; i < users->n; i++) {
		copy = nc_strdup(users->v[i].home);
		for (;;) {
			if (nc_strmap_get(&targets, copy[0] ? copy : "/") >=
			    0) {
				users->v[i].mounted = 1;
				break;
			}
			if ((slash = strrchr(copy, '/')) == NULL ||
			    copy[0] == '\0')
				break;
			*slash = '\0';
		}
		free(copy);
	}
	nc_strmap_free(&targets);
}

/* keys/<user> of every user the tree lists keys for whose home is not
 * provided by a mount (its keys are the mount's business). */
static int
read_keys(struct ncprov *p, struct entries *users)
{
	struct nc_buf all = { 0 };
	const char *s, *end, *nl, *sp;
	size_t i;
	long at;
	int rc;

	/* One file holds every user's keys: "<user> <key>" lines. */
	if ((rc = read_tree(p, NCT_NODE_SSHKEYS, &all)) < 0)
		goto out;
	for (i = 0; i < users->n; i++)
		users->v[i].has_keys = !users->v[i].mounted;
	s = nc_buf_str(&all);
	end = s + all.len;
	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((sp = memchr(s, ' ', (size_t)(nl - s))) == NULL)
			continue;
		{
			char *user = nc_asprintf("%.*s", (int)(sp - s), s);

			at = nc_strmap_get(&users->idx, user);
			free(user);
		}
		if (at < 0 || users->v[at].mounted)
			continue;
		nc_buf_add(&users->v[at].keys, sp + 1, (size_t)(nl - sp - 1));
		nc_buf_puts(&users->v[at].keys, "\n");
	}
	rc = 0;
out:
	nc_buf_free(&all);
	return rc;
}

/* ---- the lock ---- */

static int
pw_lock(struct ncprov *p, struct pwlock *l)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char *path = ncp_path(p, LOCK_FILE);
	int rc = 0;

	l->fd = -1;
	l->libc = 0;
	if (p->dry_run) {
		/* Read a consistent set of files; create nothing. */
		fl.l_type = F_RDLCK;
		l->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (l->fd < 0)
			goto out;
	} else {
		if ((rc = ncp_mkdirs(p, "/etc", 0755)) < 0)
			goto out;
		if (p->root[0] == '\0') {
			errno = 0;
			if (lckpwdf() < 0) {
				rc = errno ? -errno : -EAGAIN;
				goto out;
			}
			l->libc = 1;
		}
		l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
		if (l->fd < 0) {
			rc = -errno;
			goto out;
		}
	}
	while (fcntl(l->fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
out:
	free(path);
	return rc;
}

static void
pw_unlock(struct pwlock *l)
{
	if (l->libc)
		ulckpwdf();
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->libc = 0;
}

/* ---- what we made ---- */

static int
read_state(struct ncprov *p, struct state *st)
{
	struct nc_buf text = { 0 };
	const char *s, *end, *l;
	char *copy;
	size_t len;
	int exists, rc;

	if ((rc = ncp_read_local(p, STATE_FILE, &text, &exists)) < 0) {
		ncp_fail(p, "%s: %s", STATE_FILE, strerror(-rc));
		goto out;
	}
	s = nc_buf_str(&text);
	end = s + text.len;
	while ((l = next_line(&s, end, &len)) != NULL) {
		copy = nc_malloc(len + 1);
		memcpy(copy, l, len);
		copy[len] = '\0';
		if (strncmp(copy, "user ", 5) == 0 &&
		    nc_valid_login(copy + 5, NULL) == 0)
			names_add(&st->users, copy + 5);
		else if (strncmp(copy, "group ", 6) == 0 &&
		    nc_valid_login(copy + 6, NULL) == 0)
			names_add(&st->groups, copy + 6);
		free(copy);
	}
out:
	nc_buf_free(&text);
	return rc;
}

static int
write_state(struct ncprov *p, const struct state *st)
{
	struct nc_buf text = { 0 }, old = { 0 };
	size_t i;
	int exists, rc;

	for (i = 0; i < st->groups.n; i++)
		nc_buf_printf(&text, "group %s\n", st->groups.v[i]);
	for (i = 0; i < st->users.n; i++)
		nc_buf_printf(&text, "user %s\n", st->users.v[i]);
	if ((rc = ncp_read_local(p, STATE_FILE, &old, &exists)) < 0)
		goto out;
	if (!exists && text.len == 0)
		goto out;
	if ((rc = ncp_mkdirs(p, STATE_DIR, 0755)) < 0)
		goto out;
	rc = ncp_replace(p, STATE_FILE, nc_buf_str(&text), text.len, 0644, 0,
	    0);
out:
	if (rc < 0)
		ncp_fail(p, "%s: %s", STATE_FILE, strerror(-rc));
	nc_buf_free(&text);
	nc_buf_free(&old);
	return rc < 0 ? -1 : 0;
}

/* ---- merging into the local files ---- */

/* The id (third field) of a local line; -1 when it has none. */
static int
line_id(const char *line, unsigned long *id)
{
	char *copy = nc_strdup(line), *f[4];
	int rc = -1;

	if (ncp_pw_split(copy, f, 4) >= 3)
		rc = nc_valid_id(f[2], id, NULL);
	free(copy);
	return rc;
}

/* Write pf to abs when it changed (created with mode when missing). */
static int
write_file(struct ncprov *p, const char *abs, const struct ncp_pwfile *pf,
    int exists, mode_t mode)
{
	struct nc_buf text = { 0 };
	int rc = 0;

	ncp_pwfile_render(pf, &text);
	if (exists || text.len > 0)
		rc = ncp_replace(p, abs, nc_buf_str(&text), text.len, mode, 0,
		    0);
	/* Password hashes are for root's eyes only, whatever was there. */
	if (rc >= 0 && mode == 0600 && (exists || text.len > 0) &&
	    (rc = ncp_restrict_mode(p, abs, 0600)) > 0)
		ncp_report(p, "accounts", "%s: made readable by root only",
		    abs);
	if (rc < 0)
		ncp_fail(p, "%s: %s", abs, strerror(-rc));
	nc_buf_free(&text);
	return rc < 0 ? -1 : 0;
}

/*
 * Merge the tree's entries es of kind k into its files: remove ours that
 * the tree dropped, update ours in place, add new ones, take over
 * hand-made ones (not root, not system ids).  ours: the names we made,
 * replaced by the names we made now.
 */
static int
merge(struct ncprov *p, const struct kind *k, struct entries *es,
    struct names *ours)
{
	struct ncp_pwfile pf = { 0 }, pf2 = { 0 };
	struct nc_buf text = { 0 };
	struct names now = { 0 };
	unsigned long old_id;
	const char *what;
	int exists, exists2, mine, had, c1, c2, rc = -1;
	size_t i;

	if ((rc = ncp_read_local(p, k->file, &text, &exists)) < 0) {
		ncp_fail(p, "%s: %s", k->file, strerror(-rc));
		goto out;
	}
	ncp_pwfile_parse(&pf, nc_buf_str(&text), text.len);
	nc_buf_reset(&text);
	if ((rc = ncp_read_local(p, k->file2, &text, &exists2)) < 0) {
		ncp_fail(p, "%s: %s", k->file2, strerror(-rc));
		goto out;
	}
	ncp_pwfile_parse(&pf2, nc_buf_str(&text), text.len);
	if (!exists2 && k->make2)
		exists2 = -1;	/* to be created */

	for (i = 0; i < ours->n; i++) {
		if (nc_strmap_get(&es->idx, ours->v[i]) >= 0 ||
		    strcmp(ours->v[i], "root") == 0)
			continue;
		c1 = ncp_pwfile_remove(&pf, ours->v[i]);
		c2 = exists2 ? ncp_pwfile_remove(&pf2, ours->v[i]) : 0;
		if (c1 || c2)
			ncp_report(p, k->step, "removed %s %s", k->word,
			    ours->v[i]);
	}
	for (i = 0; i < es->n; i++) {
		struct entry *e = &es->v[i];
		const char *old = ncp_pwfile_get(&pf, e->name);

		mine = nc_strmap_get(&ours->set, e->name) >= 0;
		had = old != NULL;
		if (strcmp(e->name, "root") == 0 || e->id == 0) {
			fprintf(stderr, "ncprov: %s: %s %s (%s %lu): root's;"
			    " left alone\n", k->step, k->word, e->name,
			    k->idword, e->id);
			continue;
		}
		if (had && !mine && (line_id(old, &old_id) < 0 ||
		    old_id < NC_ID_FIRST || e->id < NC_ID_FIRST)) {
			fprintf(stderr, "ncprov: %s: %s %s is a system %s"
			    " here; left alone\n", k->step, k->word, e->name,
			    k->word);
			continue;
		}
		e->ours = 1;
		names_add(&now, e->name);
		c1 = ncp_pwfile_set(&pf, e->name, e->line);
		c2 = exists2 ? ncp_pwfile_set(&pf2, e->name, e->line2) : 0;
		if (!c1 && !c2)
			continue;
		what = !had ? "added" : mine ? "updated" : "took over";
		ncp_report(p, k->step, "%s %s %s (%s %lu)%s", what, k->word,
		    e->name, k->idword, e->id, e->mounted && !had ?
		    ", home provided by mount" : "");
	}
	if (write_file(p, k->file, &pf, exists, k->mode) < 0 ||
	    (exists2 && write_file(p, k->file2, &pf2, exists2 > 0,
	    k->mode2) < 0)) {
		rc = -1;
		goto out;
	}
	names_free(ours);
	*ours = now;
	memset(&now, 0, sizeof(now));
	rc = 0;
out:
	ncp_pwfile_free(&pf);
	ncp_pwfile_free(&pf2);
	names_free(&now);
	nc_buf_free(&text);
	return rc < 0 ? -1 : 0;
}

/* ---- home directories ---- */

/* Copy the directory sfd into dfd (both open), owned by uid:gid. */
static int
copy_dir(int sfd, int dfd, uid_t uid, gid_t gid, int depth)
{
	char buf[8192], link[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dup_fd, in = -1, out = -1, rc = 0;
	ssize_t n, w, off;

	if (depth > SKEL_DEPTH)
		return 0;
	if ((dup_fd = dup(sfd)) < 0)
		return -errno;
	if ((d = fdopendir(dup_fd)) == NULL) {
		close(dup_fd);
		return -errno;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, de->d_name, 0700) < 0 &&
			    errno != EEXIST) {
				rc = -errno;
				break;
			}
			in = openat(sfd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			out = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (in < 0 || out < 0)
				rc = -errno;
			else if ((rc = copy_dir(in, out, uid, gid,
			    depth + 1)) == 0 &&
			    (rc = owner(fchown(out, uid, gid))) == 0 &&
			    fchmod(out, st.st_mode & 0777) < 0)
				rc = -errno;
		} else if (S_ISREG(st.st_mode)) {
			in = openat(sfd, de->d_name, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC);
			out = openat(dfd, de->d_name, O_WRONLY | O_CREAT |
			    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (in < 0 || out < 0) {
				rc = -errno;
				goto next;
			}
			while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
				for (off = 0; off < n; off += w)
					if ((w = write(out, buf + off,
					    (size_t)(n - off))) < 0) {
						rc = -errno;
						break;
					}
			if (rc == 0 && n < 0)
				rc = -errno;
			if (rc == 0)
				rc = owner(fchown(out, uid, gid));
			if (rc == 0 && fchmod(out, st.st_mode & 0777) < 0)
				rc = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			n = readlinkat(sfd, de->d_name, link,
			    sizeof(link) - 1);
			if (n < 0) {
				rc = -errno;
				break;
			}
			link[n] = '\0';
			if (symlinkat(link, dfd, de->d_name) < 0)
				rc = -errno;
			else
				rc = owner(fchownat(dfd, de->d_name, uid, gid,
				    AT_SYMLINK_NOFOLLOW));
		}
next:
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		in = out = -1;
	}
	closedir(d);
	return rc;
}

/* Copy ROOT/etc/skel into the new home at path. */
static int
copy_skel(struct ncprov *p, const char *path, uid_t uid, gid_t gid)
{
	char *skel = ncp_path(p, SKEL);
	int sfd, dfd, rc;

	sfd = open(skel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(skel);
	if (sfd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		close(sfd);
		return rc;
	}
	rc = copy_dir(sfd, dfd, uid, gid, 0);
	close(sfd);
	close(dfd);
	return rc;
}

/* Make the directory path (mode, uid:gid) or bring an existing one to
 * them.  *made tells whether it was made; returns 1 when anything
 * changed, 0 when not, -errno, or -ENOTDIR for a non-directory (or a
 * symbolic link). */
static int
ensure_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, int *made)
{
	struct stat st;
	int fd, rc = 0;

	*made = 0;
	if (mkdir(path, mode) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (st.st_uid != uid || st.st_gid != gid) {
		if ((rc = owner(fchown(fd, uid, gid))) < 0)
			goto out;
		rc = geteuid() == 0;
	}
	if ((st.st_mode & 07777) != mode) {
		if (fchmod(fd, mode) < 0) {
			rc = -errno;
			goto out;
		}
		rc = 1;
	}
out:
	close(fd);
	return rc;
}

/* .ssh (0700) and .ssh/authorized_keys (0600) of e in its home at path. */
static int
write_keys(struct ncprov *p, struct entry *e, const char *path)
{
	char *ssh = nc_asprintf("%s/.ssh", path);
	char *abs = nc_asprintf("%s/.ssh/authorized_keys", e->home);
	char *file = ncp_path(p, abs);
	struct stat st;
	int made, fd, changed = 0, rc;

	/* No keys and no file: nothing to write. */
	if (e->keys.len == 0 && lstat(file, &st) < 0) {
		rc = 0;
		goto out;
	}
	if (p->dry_run) {
		rc = ncp_replace(p, abs, nc_buf_str(&e->keys), e->keys.len,
		    0600, (uid_t)e->id, (gid_t)e->gid);
		changed = rc > 0;
		goto out;
	}
	if ((rc = ensure_dir(ssh, 0700, (uid_t)e->id, (gid_t)e->gid,
	    &made)) < 0)
		goto out;
	changed = rc > 0 || made;
	rc = ncp_replace_flags(p, abs, nc_buf_str(&e->keys), e->keys.len,
	    0600, (uid_t)e->id, (gid_t)e->gid, NCP_NOSYNC);
	if (rc < 0)
		goto out;
	changed |= rc > 0;
	/* An existing file kept its mode and owner: they must be these. */
	if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	rc = 0;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if ((st.st_uid != e->id || st.st_gid != e->gid) &&
	    (rc = owner(fchown(fd, (uid_t)e->id, (gid_t)e->gid))) == 0)
		changed |= geteuid() == 0;
	if (rc == 0 && (st.st_mode & 07777) != 0600) {
		if (fchmod(fd, 0600) < 0)
			rc = -errno;
		changed = 1;
	}
	close(fd);
out:
	if (rc < 0)
		ncp_fail(p, "%s: %s", abs, strerror(-rc));
	else if (changed)
		ncp_report(p, "accounts", "%s: %s", e->name, abs);
	free(ssh);
	free(abs);
	free(file);
	return rc < 0 ? -1 : 0;
}

/* The home directory of e, its skeleton and its keys. */
static int
make_home(struct ncprov *p, struct entry *e)
{
	char *path = ncp_path(p, e->home), *parent = nc_strdup(e->home);
	uid_t uid = (uid_t)e->id;
	gid_t gid = (gid_t)e->gid;
	struct stat st;
	int made = 0, rc = 0;

	*strrchr(parent, '/') = '\0';
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		if (p->dry_run) {
			ncp_report(p, "accounts", "would create home %s for %s",
			    e->home, e->name);
			goto out;
		}
		if (parent[0] != '\0' && (rc = ncp_mkdirs(p, parent,
		    0755)) < 0)
			goto out;
		if (mkdir(path, 0755) == 0)
			made = 1;
		else if (errno != EEXIST) {
			rc = -errno;
			goto out;
		}
	}
	if (made) {
		if ((rc = owner(lchown(path, uid, gid))) < 0 ||
		    (chmod(path, 0755) < 0 && (rc = -errno) < 0) ||
		    (rc = copy_skel(p, path, uid, gid)) < 0)
			goto out;
		ncp_report(p, "accounts", "created home %s for %s", e->home,
		    e->name);
	} else {
		if (lstat(path, &st) < 0) {
			rc = -errno;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ncprov: accounts: home %s of %s is"
			    " not a directory; left alone\n", e->home,
			    e->name);
			goto out;
		}
		/* A home a system account owns (/, /var/www...) is not
		 * given away, nor written into. */
		if (st.st_uid != uid && st.st_uid < NC_ID_FIRST) {
			fprintf(stderr, "ncprov: accounts: home %s of %s"
			    " belongs to uid %lu; left alone\n", e->home,
			    e->name, (unsigned long)st.st_uid);
			goto out;
		}
		if (st.st_uid != uid || st.st_gid != gid) {
			if (p->dry_run) {
				ncp_report(p, "accounts", "would give home %s"
				    " to %lu:%lu", e->home, e->id, e->gid);
			} else {
				if ((rc = owner(lchown(path, uid, gid))) < 0)
					goto out;
				if (geteuid() == 0)
					ncp_report(p, "accounts", "gave home "
					    "%s to %lu:%lu", e->home, e->id,
					    e->gid);
			}
		}
	}
	if (write_keys(p, e, path) < 0) {
		free(path);
		free(parent);
		return -1;
	}
out:
	if (rc < 0)
		ncp_fail(p, "home %s of %s: %s", e->home, e->name,
		    strerror(-rc));
	free(path);
	free(parent);
	return rc < 0 ? -1 : 0;
}

/* ---- sudo ---- */

/* The rest of a sudoers line after the user: no comment, escape, alias or
 * include ("ALL=(ALL) NOPASSWD:ALL"). */
static int
sudo_spec_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr(" =(),:_-/.*", *s)))
			return 0;
	return 1;
}

/* The user a sudoers line of the tree is for (malloc'd), or NULL after
 * ncp_fail() for a bad line. */
static char *
sudo_user(struct ncprov *p, const char *l, size_t len, size_t lineno)
{
	char *copy = nc_malloc(len + 1), *sp;

	memcpy(copy, l, len);
	copy[len] = '\0';
	if ((sp = strchr(copy, ' ')) == NULL) {
		bad_line(p, "sudoers", lineno, "no user", l, len);
		goto fail;
	}
	*sp = '\0';
	if (nc_valid_login(copy, NULL) < 0 || !sudo_spec_ok(sp + 1) ||
	    memchr(l, '\0', len) != NULL) {
		bad_line(p, "sudoers", lineno, "bad line", l, len);
		goto fail;
	}
	return copy;
fail:
	free(copy);
	return NULL;
}

/* Every line of the tree's sudoers is good (checked before any change). */
static int
check_sudoers(struct ncprov *p, const struct nc_buf *tree)
{
	const char *s = nc_buf_str(tree), *end = s + tree->len, *l;
	size_t len, lineno = 0;
	char *user;

	while ((l = next_line(&s, end, &len)) != NULL) {
		lineno++;
		if (len == 0 || l[0] == '#')
			continue;
		if ((user = sudo_user(p, l, len, lineno)) == NULL)
			return -1;
		free(user);
	}
	return 0;
}

/* ROOT/etc/sudoers.d/neoc: the tree's sudoers lines of our users. */
static int
write_sudoers(struct ncprov *p, const struct nc_buf *tree,
    const struct entries *users)
{
	const char *s = nc_buf_str(tree), *end = s + tree->len, *l;
	struct nc_buf text = { 0 };
	char *dir = ncp_path(p, SUDOERS_DIR), *file = ncp_path(p,
	    SUDOERS_FILE), *user;
	size_t len, lineno = 0, n = 0;
	struct stat st;
	long at;
	int rc = 0;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		goto out;
	nc_buf_puts(&text, "# neo-containers: the experiment's users who may"
	    " become root.\n# Written by ncprov from the tree; do not"
	    " edit.\n");
	while ((l = next_line(&s, end, &len)) != NULL) {
		lineno++;
		if (len == 0 || l[0] == '#')
			continue;
		if ((user = sudo_user(p, l, len, lineno)) == NULL) {
			rc = -1;
			goto out;
		}
		at = nc_strmap_get(&users->idx, user);
		free(user);
		if (at < 0 || !users->v[at].ours)
			continue;
		nc_buf_add(&text, l, len);
		nc_buf_puts(&text, "\n");
		n++;
	}
	if (n == 0) {
		if (lstat(file, &st) < 0)
			goto out;
		if (!p->dry_run && unlink(file) < 0) {
			rc = ncp_fail(p, "%s: %s", SUDOERS_FILE,
			    strerror(errno));
			goto out;
		}
		ncp_report(p, "accounts", "%s %s", p->dry_run ?
		    "would remove" : "removed", SUDOERS_FILE);
		goto out;
	}
	rc = ncp_replace(p, SUDOERS_FILE, text.p, text.len, 0440, 0, 0);
	if (rc < 0) {
		rc = ncp_fail(p, "%s: %s", SUDOERS_FILE, strerror(-rc));
		goto out;
	}
	if (rc > 0)
		ncp_report(p, "accounts", "%s: %zu user%s", SUDOERS_FILE, n,
		    n == 1 ? "" : "s");
	/* sudo ignores a sudoers file others may write. */
	rc = 0;
	if (!p->dry_run && stat(file, &st) == 0 &&
	    (st.st_mode & 07777) != 0440 && chmod(file, 0440) < 0)
		rc = ncp_fail(p, "%s: %s", SUDOERS_FILE, strerror(errno));
out:
	free(dir);
	free(file);
	nc_buf_free(&text);
	return rc < 0 ? -1 : 0;
}

/* ---- the steps ---- */

int
ncp_step_groups(struct ncprov *p)
{
	struct nc_buf tree = { 0 };
	struct entries groups = { 0 };
	struct state st = { { 0 }, { 0 } };
	struct pwlock lk = { -1, 0 };
	int rc = -1, lrc;

	if (read_tree(p, NCT_NODE_GROUP, &tree) < 0 ||
	    parse_groups(p, &tree, &groups) < 0)
		goto out;
	if ((lrc = pw_lock(p, &lk)) < 0) {
		ncp_fail(p, "locking the password files: %s", strerror(-lrc));
		goto out;
	}
	if (read_state(p, &st) < 0 ||
	    merge(p, &k_groups, &groups, &st.groups) < 0 ||
	    write_state(p, &st) < 0)
		goto out;
	rc = 0;
out:
	pw_unlock(&lk);
	names_free(&st.users);
	names_free(&st.groups);
	entries_free(&groups);
	nc_buf_free(&tree);
	return rc;
}

int
ncp_step_accounts(struct ncprov *p)
{
	struct nc_buf passwd = { 0 }, shadow = { 0 }, sudoers = { 0 };
	struct nc_buf mounts = { 0 };
	struct entries users = { 0 };
	struct state st = { { 0 }, { 0 } };
	struct pwlock lk = { -1, 0 };
	int rc = -1, lrc;
	size_t i;

	/* Everything from the tree first: the lock is not held over 9P. */
	if (read_tree(p, NCT_NODE_PASSWD, &passwd) < 0 ||
	    read_tree(p, NCT_NODE_SHADOW, &shadow) < 0 ||
	    read_tree(p, NCT_NODE_SUDOERS, &sudoers) < 0 ||
	    read_tree(p, NCT_NODE_MOUNTS, &mounts) < 0 ||
	    parse_passwd(p, &passwd, &users) < 0 ||
	    parse_shadow(p, &shadow, &users) < 0 ||
	    check_sudoers(p, &sudoers) < 0)
		goto out;
	mark_mounted(&mounts, &users);
	if (read_keys(p, &users) < 0)
		goto out;
	if ((lrc = pw_lock(p, &lk)) < 0) {
		ncp_fail(p, "locking the password files: %s", strerror(-lrc));
		goto out;
	}
	if (read_state(p, &st) < 0 ||
	    merge(p, &k_users, &users, &st.users) < 0 ||
	    write_state(p, &st) < 0)
		goto out;
	/* Homes and keys under the lock too: a concurrent run writes the
	 * same files. */
	rc = 0;
	for (i = 0; i < users.n; i++) {
		if (!users.v[i].ours || users.v[i].mounted)
			continue;
		if (make_home(p, &users.v[i]) < 0)
			rc = -1;
	}
	if (write_sudoers(p, &sudoers, &users) < 0)
		rc = -1;
out:
	pw_unlock(&lk);
	names_free(&st.users);
	names_free(&st.groups);
	entries_free(&users);
	nc_buf_free(&passwd);
	nc_buf_free(&shadow);
	nc_buf_free(&sudoers);
	nc_buf_free(&mounts);
	return rc;
}
