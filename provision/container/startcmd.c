/*
 * startcmd.c: the startcmd step.  nodes/<node>/startcmd (one shell
 * command line; empty: nothing to do) runs once per boot, as
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
 * startcmd.log (0644), between a header and a line with its exit status.
 * It may run 10 minutes; then its process group is killed and the step
 * fails.  Exit 0 is reported as "startcmd: exited 0"; any other status
 * fails the step with "exit N".
 *
 * Once per boot: ROOT/var/lib/neoc/startcmd.boot holds the boot id of the
 * run (/proc/sys/kernel/random/boot_id, or ROOT/proc/sys/kernel/random/
 * boot_id when that exists), its result ("0", "exit N" or "timed out")
 * and the command.  The same boot and the same command: nothing runs; a
 * result other than 0 fails the step again, so the node's status keeps
 * saying so.  A command changed in the tree runs again (a person edits
 * the file and re-runs ncprov to apply it).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "run.h"
#include "container_steps.h"
#include "util.h"
#include "valid.h"

#define STEP "startcmd"
#define STATE "/var/lib/neoc/startcmd.boot"
#define LOG_DIR "/var/log/neoc"
#define LOG LOG_DIR "/startcmd.log"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define TIMEOUT_MS (10 * 60 * 1000)
#define PATH_VALUE "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
	"/sbin:/bin"

/* The user startcmd runs as. */
struct who {
	char *name;		/* its name */
	int known;		/* found in ROOT/etc/passwd */
	uid_t uid;		/* from there */
	gid_t gid;		/* its primary group */
	char *home;		/* its home as the node names it */
	char *shell;		/* its login shell */
	gid_t *groups;		/* primary and supplementary groups */
	size_t ngroups;		/* how many */
	size_t capgroups;	/* allocated */
};

/* What startcmd.boot says of the last run. */
struct last {
	char *boot;		/* the boot id */
	char *result;		/* "0", "exit N", "timed out ..." */
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
who_free(struct who *w)
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

/* Read startcmd.boot into l (fields NULL when missing). */
static void
read_last(const struct ncprov *p, struct last *l)
{
	struct nc_buf text = { 0 };
	char *s, *nl;
	int exists;

	memset(l, 0, sizeof(*l));
	if (ncp_read_local(p, STATE, &text, &exists) < 0 || !exists)
		goto out;
	s = (char *)nc_buf_str(&text);
	if ((nl = strchr(s, '\n')) == NULL)
		goto out;
	l->boot = dupn(s, (size_t)(nl - s));
	s = nl + 1;
	if ((nl = strchr(s, '\n')) == NULL)
		goto out;
	l->result = dupn(s, (size_t)(nl - s));
	s = nl + 1;
	l->cmd = dupn(s, strlen(s) > 0 && s[strlen(s) - 1] == '\n' ?
	    strlen(s) - 1 : strlen(s));
out:
	nc_buf_free(&text);
}

static void
last_free(struct last *l)
{
	free(l->boot);
	free(l->result);
	free(l->cmd);
}

/* The name of the user: attribute startcmd_user, first of passwd, root. */
static int
user_name(struct ncprov *p, struct who *w)
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
lookup(const struct ncprov *p, struct who *w)
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
open_log(struct ncprov *p, const struct who *w, const char *cmd)
{
	char *path, stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	int fd, rc;

	if ((rc = ncp_mkdirs(p, LOG_DIR, 0755)) < 0)
		return rc;
	path = ncp_path(p, LOG);
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

/* Run cmd as w; its status (ncp_run). */
static int
run_as(struct ncprov *p, const struct who *w, const char *cmd, int logfd)
{
	char *home = ncp_path(p, w->home), *env[6];
	const char *cwd = home;
	struct stat st;
	int rc, setid = 0;

	if (stat(home, &st) < 0 || !S_ISDIR(st.st_mode))
		cwd = p->root[0] != '\0' ? p->root : "/";
	if (w->known && geteuid() == 0)
		setid = 1;
	env[0] = nc_asprintf("HOME=%s", home);
	env[1] = nc_asprintf("USER=%s", w->name);
	env[2] = nc_asprintf("LOGNAME=%s", w->name);
	env[3] = nc_asprintf("SHELL=%s", w->shell ? w->shell : "/bin/sh");
	env[4] = nc_strdup("PATH=" PATH_VALUE);
	env[5] = NULL;
	rc = ncp_run(&(struct ncp_cmd){
	    .argv = (char *[]){ "/bin/sh", "-c", (char *)cmd, NULL },
	    .envp = env, .cwd = cwd, .setid = setid, .uid = w->uid,
	    .gid = w->gid, .groups = w->groups, .ngroups = w->ngroups,
	    .out_fd = logfd, .timeout_ms = TIMEOUT_MS });
	for (int i = 0; i < 5; i++)
		free(env[i]);
	free(home);
	return rc;
}

/* Remember that cmd ran this boot with result. */
static int
write_last(struct ncprov *p, const char *boot, const char *result,
    const char *cmd)
{
	char *text = nc_asprintf("%s\n%s\n%s\n", boot, result, cmd);
	int rc;

	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) == 0)
		rc = ncp_replace(p, STATE, text, strlen(text), 0644, 0, 0);
	free(text);
	return rc < 0 ? rc : 0;
}

int
ncp_step_startcmd(struct ncprov *p)
{
	struct nc_buf cmd = { 0 }, boot = { 0 };
	struct who w = { 0 };
	struct last l;
	char result[64];
	int rc, logfd = -1;

	memset(&l, 0, sizeof(l));
	if ((rc = ncp_read_node(p, NCT_NODE_STARTCMD, NULL, &cmd)) < 0 &&
	    rc != -ENOENT) {
		rc = ncp_fail(p, "reading startcmd: %s", strerror(-rc));
		goto out;
	}
	trim(&cmd);
	rc = 0;
	if (cmd.len == 0)
		goto out;
	if (memchr(cmd.p, '\0', cmd.len) != NULL) {
		rc = ncp_fail(p, "startcmd holds a NUL byte");
		goto out;
	}
	boot_id(p, &boot);
	read_last(p, &l);
	if (l.boot != NULL && l.cmd != NULL && l.result != NULL &&
	    strcmp(l.boot, nc_buf_str(&boot)) == 0 &&
	    strcmp(l.cmd, cmd.p) == 0) {
		if (strcmp(l.result, "0") != 0)
			rc = ncp_fail(p, "%s (ran this boot already)",
			    l.result);
		goto out;
	}
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
		rc = ncp_fail(p, "%s: %s", LOG, strerror(-logfd));
		goto out;
	}
	rc = run_as(p, &w, cmd.p, logfd);
	if (rc == -ETIMEDOUT) {
		snprintf(result, sizeof(result), "timed out after %d s",
		    TIMEOUT_MS / 1000);
	} else if (rc < 0) {
		dprintf(logfd, "--- not run: %s\n", strerror(-rc));
		rc = ncp_fail(p, "cannot run it as %s: %s", w.name,
		    strerror(-rc));
		goto out;
	} else if (rc == 0) {
		snprintf(result, sizeof(result), "0");
	} else {
		snprintf(result, sizeof(result), "exit %d", rc);
	}
	dprintf(logfd, "--- %s\n", rc == 0 ? "exit 0" : result);
	if (write_last(p, nc_buf_str(&boot), result, cmd.p) < 0)
		fprintf(stderr, "ncprov: %s: cannot write\n", STATE);
	if (rc == 0) {
		ncp_report(p, STEP, "exited 0");
	} else {
		rc = ncp_fail(p, "%s", result);
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
