/*
 * startcmd.c: the startcmd step.  nodes/<node>/startcmd (one shell
 * command line; empty: nothing to do) is started once per boot, in the
 * background, as Emulab runs it: the step starts it and returns, and the
 * node is ready without waiting for it.  It runs as
 *
 *   /bin/sh -c CMD
 *
 * with the identity of its user: the node attribute startcmd_user when
 * there is one, else the first user of nodes/<node>/passwd, else root.
 * The user's uid, gid and home come from ROOT/etc/passwd (the accounts
 * step wrote it), its supplementary groups from ROOT/etc/group: never from
 * NSS, which a static ncprov cannot load.  It gets HOME, USER, LOGNAME,
 * SHELL and PATH, its home (or /) as working directory, stdin from
 * /dev/null, and stdout and stderr appended to ROOT/var/log/neoc/
 * startcmd.log (0644), between a header and a line with its end.  It has
 * no time limit.  Its state is nodes/<node>/startstatus (lib/nctree.h):
 * the step writes "running TIME" before it starts it; a supervisor
 * (startcmd_sup.c) that outlives ncprov waits for it and writes "exited N
 * TIME" or "killed SIG TIME".  A command that fails does not fail the
 * step (nor the node): "startcmd: started as USER (pid N)" is all the
 * step says; the step fails only when the command cannot be started.
 *
 * Once per boot: ROOT/var/lib/neoc/startcmd.boot holds the boot id
 * (/proc/sys/kernel/random/boot_id, or ROOT/proc/sys/kernel/random/
 * boot_id when that exists), the startstatus line, the supervisor's pid
 * and the command's process group, and the command (startcmd.h).  The
 * same boot and the same command: nothing runs, and a finished command's
 * line is written again when the tree's differs (a write the supervisor
 * could not make).  A command changed in the tree (emptied too) while the
 * old one runs this boot: the old supervisor and the old command's
 * process group are killed (SIGKILL; what left the group lives on), the
 * tree gets "killed 9 TIME" for it, and the new command starts.
 *
 * --dry-run prints "would run startcmd as USER: CMD".  --no-start runs
 * nothing.  Under --root the command still runs (on this machine, not in
 * the root: there is no chroot) and becomes the user only when ncprov is
 * root and the user is in ROOT/etc/passwd; otherwise it runs as whoever
 * runs ncprov.  Its home and HOME are then ROOT + the user's home.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "container_steps.h"
#include "startcmd.h"
#include "util.h"
#include "valid.h"

#define STEP "startcmd"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"

/* What startcmd.boot says of the last run. */
struct last {
	char *boot;		/* the boot id */
	char *line;		/* the startstatus line */
	struct nct_startstatus st; /* it, parsed */
	int valid;		/* the line parsed (an older file's "0" or
				 * "exit N" does not: run again) */
	long sup;		/* the supervisor's pid (0: none) */
	long pgid;		/* the command's process group (0: none) */
	char *cmd;		/* the command that ran */
};

static void
trim(struct nc_buf *b)
{
	size_t skip = 0;

	while (b->len > 0 && isspace((unsigned char)b->p[b->len - 1]))
		b->p[--b->len] = '\0';
	while (skip < b->len && isspace((unsigned char)b->p[skip]))
		skip++;
	if (skip > 0) {
		memmove(b->p, b->p + skip, b->len - skip + 1);
		b->len -= skip;
	}
}

static void
who_free(struct ncp_start_who *w)
{
	free(w->name);
	free(w->home);
	free(w->shell);
	free(w->groups);
	memset(w, 0, sizeof(*w));
}

/* The boot id: ROOT/proc/... when there, else /proc/... ("" unknown). */
static void
boot_id(const struct ncprov *p, struct nc_buf *out)
{
	struct ncprov host = { .root = "" };
	int exists = 0;

	nc_buf_reset(out);
	if (p->root[0] != '\0')
		ncp_read_local(p, BOOT_ID, out, &exists);
	if (!exists) {
		nc_buf_reset(out);
		ncp_read_local(&host, BOOT_ID, out, &exists);
	}
	trim(out);
}

/* The first n bytes of s as a string (malloc'd). */
static char *
dupn(const char *s, size_t n)
{
	char *d = nc_malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The next line of *s (malloc'd, without its newline), or NULL. */
static char *
next_line(char **s)
{
	char *nl = strchr(*s, '\n'), *l;

	if (nl == NULL)
		return NULL;
	l = dupn(*s, (size_t)(nl - *s));
	*s = nl + 1;
	return l;
}

/* Read startcmd.boot into l (fields NULL when missing). */
static void
read_last(const struct ncprov *p, struct last *l)
{
	struct nc_buf text = { 0 };
	const char *reason;
	char *s, *pids;
	size_t n;
	int exists;

	memset(l, 0, sizeof(*l));
	if (ncp_read_local(p, NCP_START_STATE, &text, &exists) < 0 || !exists)
		goto out;
	s = (char *)nc_buf_str(&text);
	if ((l->boot = next_line(&s)) == NULL ||
	    (l->line = next_line(&s)) == NULL)
		goto out;
	l->valid = nct_start_parse(l->line, strlen(l->line), &l->st,
	    &reason) == 0;
	if ((pids = next_line(&s)) == NULL ||
	    sscanf(pids, "%ld %ld", &l->sup, &l->pgid) != 2) {
		l->valid = 0;
		l->sup = l->pgid = 0;
	}
	free(pids);
	n = strlen(s);
	l->cmd = dupn(s, n > 0 && s[n - 1] == '\n' ? n - 1 : n);
out:
	nc_buf_free(&text);
}

static void
last_free(struct last *l)
{
	free(l->boot);
	free(l->line);
	free(l->cmd);
}

/* The name of the user: attribute startcmd_user, first of passwd, root. */
static int
user_name(struct ncprov *p, struct ncp_start_who *w)
{
	struct nc_buf v = { 0 };
	int rc;

	rc = ncp_read_node(p, NCT_ATTR, "startcmd_user", &v);
	trim(&v);
	if (rc < 0 || v.len == 0) {
		rc = ncp_read_node(p, NCT_NODE_PASSWD, NULL, &v);
		if (rc == 0 && v.len > 0 && strchr(v.p, ':') != NULL)
			*strchr(v.p, ':') = '\0';
		else
			nc_buf_reset(&v);
	}
	w->name = nc_strdup(v.len > 0 && v.p[0] != '\0' ? v.p : "root");
	nc_buf_free(&v);
	if (nc_valid_login(w->name, NULL) < 0)
		return ncp_fail(p, "startcmd user \"%s\" is not a user name",
		    w->name);
	return 0;
}

/* Field i (0-based) of a ':'-separated line, or NULL; in place. */
static char *
field(char **f, int n, int i)
{
	return i < n ? f[i] : NULL;
}

static int
split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, ':')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

/* Look w->name up in ROOT/etc/passwd and ROOT/etc/group. */
static void
lookup(const struct ncprov *p, struct ncp_start_who *w)
{
	struct nc_buf text = { 0 };
	char *line, *save = NULL, *f[8], *m, *msave;
	int exists, n;

	if (ncp_read_local(p, "/etc/passwd", &text, &exists) == 0 &&
	    text.len > 0) {
		for (line = strtok_r(text.p, "\n", &save);
		    line != NULL && !w->known;
		    line = strtok_r(NULL, "\n", &save)) {
			n = split(line, f, 7);
			if (n < 7 || strcmp(f[0], w->name) != 0)
				continue;
			w->known = 1;
			w->uid = (uid_t)strtoul(f[2], NULL, 10);
			w->gid = (gid_t)strtoul(f[3], NULL, 10);
			w->home = nc_strdup(f[5][0] ? f[5] : "/");
			w->shell = nc_strdup(f[6][0] ? f[6] : "/bin/sh");
		}
	}
	if (!w->known && strcmp(w->name, "root") == 0) {
		w->known = 1;	/* root, even without a passwd line */
		w->home = nc_strdup("/root");
		w->shell = nc_strdup("/bin/sh");
	}
	if (!w->known)
		goto out;
	*NC_PUSH(w->groups, w->ngroups, w->capgroups) = w->gid;
	nc_buf_reset(&text);
	if (ncp_read_local(p, "/etc/group", &text, &exists) < 0 ||
	    text.len == 0)
		goto out;
	save = NULL;
	for (line = strtok_r(text.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n = split(line, f, 4);
		if (field(f, n, 3) == NULL)
			continue;
		gid_t gid = (gid_t)strtoul(f[2], NULL, 10);

		msave = NULL;
		for (m = strtok_r(f[3], ",", &msave); m != NULL;
		    m = strtok_r(NULL, ",", &msave))
			if (strcmp(m, w->name) == 0 && gid != w->gid) {
				*NC_PUSH(w->groups, w->ngroups,
				    w->capgroups) = gid;
				break;
			}
	}
out:
	nc_buf_free(&text);
}

/* Open the log (append) and write the header; the fd or -errno. */
static int
open_log(struct ncprov *p, const struct ncp_start_who *w, const char *cmd)
{
	char *path, stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	int fd, rc;

	if ((rc = ncp_mkdirs(p, NCP_START_LOG_DIR, 0755)) < 0)
		return rc;
	path = ncp_path(p, NCP_START_LOG);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	rc = fd < 0 ? -errno : fd;
	free(path);
	if (fd < 0)
		return rc;
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S",
	    localtime_r(&now, &tm));
	dprintf(fd, "--- %s: startcmd as %s: %s\n", stamp, w->name, cmd);
	return fd;
}

/* A startstatus line for the tree: a warning when it cannot be written
 * (an older server without the file): the command runs all the same. */
static void
tell_tree(struct ncprov *p, const char *line)
{
	int rc;

	if ((rc = ncp_start_status(p, line)) < 0)
		fprintf(stderr, "ncprov: %s: writing startstatus \"%s\": %s\n",
		    STEP, line, strerror(-rc));
}

/*
 * Same boot, same command: nothing runs.  A finished command's line goes
 * into the tree again when the tree says otherwise.
 */
static void
already(struct ncprov *p, const struct last *l)
{
	struct nc_buf now = { 0 };

	if (!l->valid || l->st.state == NCT_START_RUN || p->dry_run)
		return;
	if (ncp_read_node(p, NCT_NODE_STARTSTATUS, NULL, &now) == 0) {
		trim(&now);
		if (strcmp(nc_buf_str(&now), l->line) != 0)
			tell_tree(p, l->line);
	}
	nc_buf_free(&now);
}

/* The old command of this boot is running: kill its supervisor and its
 * process group; 1 when there was one. */
static int
stop_old(struct ncprov *p, const struct last *l, const char *boot)
{
	struct nct_startstatus k = { .state = NCT_START_KILL,
	    .code = SIGKILL };
	char line[64];

	if (!l->valid || l->st.state != NCT_START_RUN || l->sup <= 1 ||
	    l->pgid <= 1 || l->boot == NULL || strcmp(l->boot, boot) != 0)
		return 0;
	if (p->dry_run) {
		ncp_report(p, STEP, "would kill the old command's process "
		    "group %ld", l->pgid);
		return 1;
	}
	kill((pid_t)l->sup, SIGKILL);
	kill(-(pid_t)l->pgid, SIGKILL);
	k.time = (long long)time(NULL);
	if (nct_start_format(line, sizeof(line), &k) > 0) {
		ncp_start_state_write(p, boot, line, 0, 0, l->cmd ? l->cmd :
		    "");
		tell_tree(p, line);
	}
	ncp_report(p, STEP, "killed the old command's process group %ld",
	    l->pgid);
	return 1;
}

int
ncp_step_startcmd(struct ncprov *p)
{
	struct nc_buf cmd = { 0 }, boot = { 0 };
	struct ncp_start_who w = { 0 };
	struct last l;
	char line[64];
	pid_t sup, pgid;
	int rc, logfd = -1;

	memset(&l, 0, sizeof(l));
	if ((rc = ncp_read_node(p, NCT_NODE_STARTCMD, NULL, &cmd)) < 0 &&
	    rc != -ENOENT) {
		rc = ncp_fail(p, "reading startcmd: %s", strerror(-rc));
		goto out;
	}
	trim(&cmd);
	rc = 0;
	if (memchr(cmd.p ? cmd.p : "", '\0', cmd.len) != NULL) {
		rc = ncp_fail(p, "startcmd holds a NUL byte");
		goto out;
	}
	boot_id(p, &boot);
	read_last(p, &l);
	if (l.boot != NULL && l.cmd != NULL && l.valid &&
	    strcmp(l.boot, nc_buf_str(&boot)) == 0 &&
	    strcmp(l.cmd, nc_buf_str(&cmd)) == 0) {
		already(p, &l);
		goto out;
	}
	if (!p->no_start)
		stop_old(p, &l, nc_buf_str(&boot));
	if (cmd.len == 0)
		goto out;
	if ((rc = user_name(p, &w)) < 0)
		goto out;
	if (p->no_start) {
		printf("%s: not run (--no-start)\n", STEP);
		goto out;
	}
	lookup(p, &w);
	if (p->dry_run) {
		ncp_report(p, STEP, "would run startcmd as %s: %s", w.name,
		    cmd.p);
		goto out;
	}
	if (p->root[0] == '\0' && !w.known) {
		rc = ncp_fail(p, "user %s is not in /etc/passwd", w.name);
		goto out;
	}
	if (p->root[0] == '\0' && geteuid() != 0 && w.uid != geteuid()) {
		rc = ncp_fail(p, "only root can run it as %s", w.name);
		goto out;
	}
	if (w.home == NULL)
		w.home = nc_strdup("/");
	if ((logfd = open_log(p, &w, cmd.p)) < 0) {
		rc = ncp_fail(p, "%s: %s", NCP_START_LOG, strerror(-logfd));
		goto out;
	}
	/* "running" first: the supervisor's end comes after it */
	snprintf(line, sizeof(line), "%s %lld", NCT_START_RUNNING,
	    (long long)time(NULL));
	if ((rc = ncp_start_state_write(p, nc_buf_str(&boot), line, 0, 0,
	    cmd.p)) < 0) {
		rc = ncp_fail(p, "%s: %s", NCP_START_STATE, strerror(-rc));
		goto out;
	}
	tell_tree(p, line);
	rc = ncp_start_supervise(p, &w, nc_buf_str(&boot), cmd.p, logfd,
	    &sup, &pgid);
	if (rc < 0 && rc != -EAGAIN) {
		dprintf(logfd, "--- not run: %s\n", strerror(-rc));
		rc = ncp_fail(p, "cannot start it as %s: %s", w.name,
		    strerror(-rc));
		goto out;
	}
	if (rc == -EAGAIN) {
		rc = 0;
		ncp_report(p, STEP, "could not start as %s (see %s)", w.name,
		    NCP_START_LOG);
	} else {
		ncp_report(p, STEP, "started as %s (pid %ld)", w.name,
		    (long)pgid);
	}
out:
	if (logfd >= 0)
		close(logfd);
	nc_buf_free(&cmd);
	nc_buf_free(&boot);
	last_free(&l);
	who_free(&w);
	return rc < 0 ? -1 : 0;
}
