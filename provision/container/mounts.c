/*
 * mounts.c: the mounts step.  Each line of nodes/<node>/mounts,
 *
 *   SERVER:/SRC /TARGET 9p aname=/SRC[,port=N][,OPTIONS] 0 0
 *
 * is mounted at TARGET unless something is mounted there already (per
 * ROOT/proc/self/mounts).  Where the kernel has 9p (ROOT/proc/filesystems
 * lists it):
 *
 *   mount -t 9p -o trans=tcp,port=N,aname=/SRC,version=9p2000.L[,OPTIONS]
 *       SERVER_IP TARGET
 *
 * (OPTIONS may not set trans, version, rfdno or wfdno), otherwise the
 * FUSE client that comes with ncprov (OPTIONS are then not passed: nc9pfs
 * takes FUSE options only):
 *
 *   nc9pfs SERVER_IP:N:/SRC TARGET -o allow_other,default_permissions
 *
 * default_permissions makes the kernel check each user's access against
 * the owners and modes the server reports (nc9pfs attaches as root).
 * nc9pfs is looked for next to the running ncprov (/proc/self/exe), then
 * in /usr/local/bin, /usr/bin and $PATH.  The port defaults to 564.  The
 * server's name is resolved through ROOT/etc/hosts (the hosts step wrote
 * it), then, without --root, getaddrinfo().
 *
 * The mounts we made are remembered in ROOT/var/lib/neoc/mounts, one
 * "TARGET KIND" line each (KIND 9p or nc9pfs); one of ours that is no
 * longer in the tree is unmounted (umount TARGET; fusermount3 -u or
 * fusermount -u for nc9pfs), deepest first.  A mount in place is left as
 * it is, even if the tree now names another source for it.
 *
 * The commands run only without --root and without --dry-run.  Under
 * --root each is printed as "would run: ..." and counted as a change, the
 * targets are created under the root, and the state file records the
 * result as if the commands had worked; a target that ROOT/proc/self/mounts
 * (a file the tests write) lists counts as mounted.  --dry-run prints the
 * same lines from the real state and writes nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "files.h"
#include "run.h"
#include "container_steps.h"
#include "util.h"
#include "valid.h"

#define STEP "mounts"
#define STATE "/var/lib/neoc/mounts"
#define DEFAULT_PORT 564
#define MOUNT_TIMEOUT_MS 60000	/* for one mount or umount */

/* One line of the tree's mounts file. */
struct mnt {
	char *server;		/* the 9P server's name or address */
	char *source;		/* the exported directory */
	char *target;		/* where it is mounted (in the node) */
	char *aname;		/* the export to attach (default: source) */
	unsigned port;		/* the server's port */
	char *extra;		/* other options, comma-separated, or "" */
};

/* A mount of ours, from the state file. */
struct ours {
	char *target;		/* where */
	char *kind;		/* "9p" or "nc9pfs" */
	int keep;		/* still in the tree, or still mounted */
};

/* What the step works from. */
struct ctx {
	struct ncprov *p;	/* the run */
	struct nc_buf errs;	/* failures so far, "; "-separated */
	char **mounted;		/* targets mounted now (mount table) */
	size_t nmounted;	/* how many */
	struct ours *ours;	/* the state file's mounts */
	size_t nours;		/* how many */
	size_t capours;		/* allocated */
	int kernel9p;		/* the kernel has 9p */
};

/* Commands run for real: no --root, no --dry-run. */
static int
for_real(const struct ncprov *p)
{
	return p->root[0] == '\0' && !p->dry_run;
}

static void
fail_add(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_add(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nc_buf_printf(&c->errs, "%s%s", c->errs.len ? "; " : "", msg);
}

static void
mnt_free(struct mnt *m)
{
	free(m->server);
	free(m->source);
	free(m->target);
	free(m->aname);
	free(m->extra);
	memset(m, 0, sizeof(*m));
}

/* An option the kernel's 9p may get: letters, digits, "=._-/". */
static int
option_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr("=._-/", *s))
			return 0;
	return 1;
}

/* One of the options we set ourselves (or a transport's), which the
 * tree may not override. */
static int
ours_option(const char *opt)
{
	static const char *const keys[] = {
		"trans", "version", "rfdno", "wfdno", NULL,
	};
	size_t n;
	int i;

	for (i = 0; keys[i] != NULL; i++) {
		n = strlen(keys[i]);
		if (strncmp(opt, keys[i], n) == 0 &&
		    (opt[n] == '=' || opt[n] == '\0'))
			return 1;
	}
	return 0;
}

/* Parse one line of mounts into m; 0, or -1 with m->... freed and why. */
static int
parse_line(char *line, struct mnt *m, const char **why)
{
	char *f[6], *save = NULL, *colon, *opt, *osave = NULL, *end;
	struct nc_buf extra = { 0 };
	unsigned long port;
	int n = 0;

	memset(m, 0, sizeof(*m));
	m->port = DEFAULT_PORT;
	for (f[n] = strtok_r(line, " \t", &save); f[n] != NULL && n < 5;
	    f[++n] = strtok_r(NULL, " \t", &save))
		;
	if (f[n] != NULL)
		n++;
	*why = "want SERVER:/SOURCE TARGET 9p OPTIONS";
	if (n < 3 || (colon = strchr(f[0], ':')) == NULL)
		goto bad;
	*colon = '\0';
	if (nc_valid_hostname(f[0], NULL) < 0) {
		*why = "bad server";
		goto bad;
	}
	if (nc_valid_mount_path(colon + 1, NULL) < 0 ||
	    nc_valid_mount_path(f[1], NULL) < 0) {
		*why = "bad source or target path";
		goto bad;
	}
	if (strcmp(f[2], "9p") != 0) {
		*why = "not a 9p mount";
		goto bad;
	}
	m->server = nc_strdup(f[0]);
	m->source = nc_strdup(colon + 1);
	m->target = nc_strdup(f[1]);
	for (opt = n > 3 ? strtok_r(f[3], ",", &osave) : NULL; opt != NULL;
	    opt = strtok_r(NULL, ",", &osave)) {
		if (strncmp(opt, "aname=", 6) == 0) {
			if (nc_valid_mount_path(opt + 6, NULL) < 0) {
				*why = "bad aname";
				goto bad;
			}
			free(m->aname);
			m->aname = nc_strdup(opt + 6);
		} else if (strncmp(opt, "port=", 5) == 0) {
			errno = 0;
			port = strtoul(opt + 5, &end, 10);
			if (errno || *end || end == opt + 5 || port < 1 ||
			    port > 65535) {
				*why = "bad port";
				goto bad;
			}
			m->port = (unsigned)port;
		} else if (strcmp(opt, "defaults") != 0) {
			if (!option_ok(opt) || ours_option(opt)) {
				*why = "bad option";
				goto bad;
			}
			nc_buf_printf(&extra, "%s%s", extra.len ? "," : "",
			    opt);
		}
	}
	if (m->aname == NULL)
		m->aname = nc_strdup(m->source);
	m->extra = nc_strdup(nc_buf_str(&extra));
	nc_buf_free(&extra);
	return 0;
bad:
	nc_buf_free(&extra);
	mnt_free(m);
	return -1;
}

/* Undo the octal escapes of /proc/self/mounts (\040 for a space). */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = '\0';
}

/* The mount points now, from ROOT/proc/self/mounts. */
static int
read_mounted(struct ctx *c)
{
	struct nc_buf text = { 0 };
	char *line, *save = NULL, *f2, *fsave;
	size_t cap = 0;
	int exists, rc;

	if ((rc = ncp_read_local(c->p, "/proc/self/mounts", &text,
	    &exists)) < 0)
		goto out;
	for (line = text.len ? strtok_r(text.p, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		fsave = NULL;
		if (strtok_r(line, " \t", &fsave) == NULL ||
		    (f2 = strtok_r(NULL, " \t", &fsave)) == NULL)
			continue;
		unescape(f2);
		*NC_PUSH(c->mounted, c->nmounted, cap) = nc_strdup(f2);
	}
out:
	nc_buf_free(&text);
	return rc;
}

/* Is target (as the node names it) mounted?  Under --root the table may
 * name it with or without the root in front. */
static int
is_mounted(const struct ctx *c, const char *target)
{
	size_t rlen = strlen(c->p->root), i;

	for (i = 0; i < c->nmounted; i++) {
		const char *m = c->mounted[i];

		if (strcmp(m, target) == 0 || (rlen > 0 &&
		    strncmp(m, c->p->root, rlen) == 0 &&
		    strcmp(m + rlen, target) == 0))
			return 1;
	}
	return 0;
}

/* Does ROOT/proc/filesystems list 9p? */
static int
has_kernel_9p(const struct ncprov *p)
{
	struct nc_buf text = { 0 };
	char *line, *save = NULL, *last;
	int exists, found = 0;

	if (ncp_read_local(p, "/proc/filesystems", &text, &exists) < 0 ||
	    text.len == 0)
		goto out;
	for (line = strtok_r(text.p, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save)) {
		last = strrchr(line, '\t') ? strrchr(line, '\t') + 1 :
		    strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line;
		found = strcmp(last, "9p") == 0;
	}
out:
	nc_buf_free(&text);
	return found;
}

/* The state file's mounts. */
static int
read_ours(struct ctx *c)
{
	struct nc_buf text = { 0 };
	char *line, *save = NULL, *t, *k, *fsave;
	int exists, rc;

	if ((rc = ncp_read_local(c->p, STATE, &text, &exists)) < 0)
		goto out;
	for (line = text.len ? strtok_r(text.p, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		fsave = NULL;
		if ((t = strtok_r(line, " \t", &fsave)) == NULL ||
		    (k = strtok_r(NULL, " \t", &fsave)) == NULL ||
		    nc_valid_mount_path(t, NULL) < 0)
			continue;
		struct ours *o = NC_PUSH(c->ours, c->nours, c->capours);

		o->target = nc_strdup(t);
		o->kind = nc_strdup(strcmp(k, "9p") == 0 ? "9p" : "nc9pfs");
	}
out:
	nc_buf_free(&text);
	return rc;
}

static struct ours *
find_ours(struct ctx *c, const char *target)
{
	size_t i;

	for (i = 0; i < c->nours; i++)
		if (strcmp(c->ours[i].target, target) == 0)
			return &c->ours[i];
	return NULL;
}

/* Remember (or keep) target as a mount of ours. */
static void
add_ours(struct ctx *c, const char *target, const char *kind)
{
	struct ours *o = find_ours(c, target);

	if (o == NULL) {
		o = NC_PUSH(c->ours, c->nours, c->capours);
		o->target = nc_strdup(target);
		o->kind = nc_strdup(kind);
	} else if (strcmp(o->kind, kind) != 0) {
		free(o->kind);
		o->kind = nc_strdup(kind);
	}
	o->keep = 1;
}

/* The IPv4 address of server: itself, ROOT/etc/hosts, or (without
 * --root) the resolver.  0, or -1. */
static int
resolve(const struct ncprov *p, const char *server,
    char out[INET_ADDRSTRLEN])
{
	struct nc_buf hosts = { 0 };
	struct addrinfo hints = { 0 }, *res = NULL;
	struct in_addr a;
	char *line, *save = NULL, *f, *fsave, *hash;
	int exists, found = 0;

	if (inet_pton(AF_INET, server, &a) == 1) {
		snprintf(out, INET_ADDRSTRLEN, "%s", server);
		return 0;
	}
	if (ncp_read_local(p, "/etc/hosts", &hosts, &exists) == 0 &&
	    hosts.len > 0) {
		for (line = strtok_r(hosts.p, "\n", &save);
		    line != NULL && !found;
		    line = strtok_r(NULL, "\n", &save)) {
			if ((hash = strchr(line, '#')) != NULL)
				*hash = '\0';
			fsave = NULL;
			f = strtok_r(line, " \t", &fsave);
			if (f == NULL || inet_pton(AF_INET, f, &a) != 1)
				continue;
			const char *addr = f;

			while ((f = strtok_r(NULL, " \t", &fsave)) != NULL)
				if (strcasecmp(f, server) == 0) {
					snprintf(out, INET_ADDRSTRLEN, "%s",
					    addr);
					found = 1;
					break;
				}
		}
	}
	nc_buf_free(&hosts);
	if (found || p->root[0] != '\0')
		return found ? 0 : -1;
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(server, NULL, &hints, &res) != 0 || res == NULL)
		return -1;
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
	    out, INET_ADDRSTRLEN);
	freeaddrinfo(res);
	return 0;
}

/* nc9pfs: next to ncprov, /usr/local/bin, /usr/bin, $PATH (malloc'd). */
static char *
find_nc9pfs(void)
{
	char self[PATH_MAX], *path;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		path = nc_asprintf("%s/nc9pfs", dirname(self));
		if (access(path, X_OK) == 0)
			return path;
		free(path);
	}
	if (access("/usr/local/bin/nc9pfs", X_OK) == 0)
		return nc_strdup("/usr/local/bin/nc9pfs");
	if (access("/usr/bin/nc9pfs", X_OK) == 0)
		return nc_strdup("/usr/bin/nc9pfs");
	return ncp_which("nc9pfs");
}

/* Run argv (argv[0] the program's name; path its location, NULL when
 * not found), or say it would; 0, or -1 with the reason added. */
static int
command(struct ctx *c, char **argv, const char *path)
{
	struct nc_buf out = { 0 };
	char *line = ncp_argv_str(argv);
	int rc, ret = -1;

	if (!for_real(c->p)) {
		ncp_report(c->p, STEP, "would run: %s", line);
		ret = 0;
		goto out;
	}
	if (path == NULL) {
		fail_add(c, "%s: %s not found", line, argv[0]);
		goto out;
	}
	argv[0] = (char *)path;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = MOUNT_TIMEOUT_MS });
	while (out.len > 0 && isspace((unsigned char)out.p[out.len - 1]))
		out.p[--out.len] = '\0';
	if (rc != 0) {
		fail_add(c, "%s: %s%s%s", line, rc < 0 ? strerror(-rc) :
		    "failed", out.len ? ": " : "", nc_buf_str(&out));
		goto out;
	}
	ncp_report(c->p, STEP, "%s", line);
	ret = 0;
out:
	free(line);
	nc_buf_free(&out);
	return ret;
}

/* Mount m (not mounted now). */
static void
mount_one(struct ctx *c, const struct mnt *m)
{
	char ip[INET_ADDRSTRLEN], *local = ncp_path(c->p, m->target);
	char *opts = NULL, *spec = NULL, *prog = NULL;
	int rc;

	if (resolve(c->p, m->server, ip) < 0) {
		fail_add(c, "%s: cannot resolve %s", m->target, m->server);
		goto out;
	}
	if ((rc = ncp_mkdirs(c->p, m->target, 0755)) < 0) {
		fail_add(c, "%s: %s", m->target, strerror(-rc));
		goto out;
	}
	if (c->kernel9p) {
		opts = nc_asprintf("trans=tcp,port=%u,aname=%s,"
		    "version=9p2000.L%s%s", m->port, m->aname,
		    m->extra[0] ? "," : "", m->extra);
		prog = ncp_which("mount");
		if (command(c, (char *[]){ "mount", "-t", "9p", "-o", opts,
		    ip, local, NULL }, prog) == 0)
			add_ours(c, m->target, "9p");
	} else {
		spec = nc_asprintf("%s:%u:%s", ip, m->port, m->aname);
		prog = find_nc9pfs();
		if (command(c, (char *[]){ "nc9pfs", spec, local, "-o",
		    "allow_other,default_permissions", NULL }, prog) == 0)
			add_ours(c, m->target, "nc9pfs");
	}
out:
	free(local);
	free(opts);
	free(spec);
	free(prog);
}

/* Unmount o (ours, mounted, gone from the tree); 0 or -1. */
static int
unmount_one(struct ctx *c, const struct ours *o)
{
	char *local = ncp_path(c->p, o->target), *prog = NULL;
	const char *name = NULL;
	int rc;

	if (strcmp(o->kind, "nc9pfs") == 0) {
		if ((prog = ncp_which("fusermount3")) != NULL)
			name = "fusermount3";
		else if ((prog = ncp_which("fusermount")) != NULL)
			name = "fusermount";
	}
	if (name != NULL) {
		rc = command(c, (char *[]){ (char *)name, "-u", local, NULL },
		    prog);
	} else {
		prog = ncp_which("umount");
		rc = command(c, (char *[]){ "umount", local, NULL }, prog);
	}
	free(prog);
	free(local);
	return rc;
}

/* Longer targets first: a mount inside another goes before it. */
static int
cmp_depth(const void *a, const void *b)
{
	const struct ours *x = a, *y = b;
	size_t lx = strlen(x->target), ly = strlen(y->target);

	return lx != ly ? (lx > ly ? -1 : 1) : strcmp(x->target, y->target);
}

/* Write the state file (unless --dry-run) when it changed. */
static int
write_ours(struct ctx *c)
{
	struct nc_buf text = { 0 }, old = { 0 };
	size_t i;
	int exists, rc = 0;

	if (c->p->dry_run)
		return 0;
	for (i = 0; i < c->nours; i++)
		if (c->ours[i].keep)
			nc_buf_printf(&text, "%s %s\n", c->ours[i].target,
			    c->ours[i].kind);
	if ((rc = ncp_read_local(c->p, STATE, &old, &exists)) < 0)
		goto out;
	if (!exists && text.len == 0)
		goto out;
	if ((rc = ncp_mkdirs(c->p, "/var/lib/neoc", 0755)) < 0)
		goto out;
	rc = ncp_replace(c->p, STATE, nc_buf_str(&text), text.len, 0644, 0,
	    0);
out:
	nc_buf_free(&text);
	nc_buf_free(&old);
	return rc < 0 ? rc : 0;
}

int
ncp_step_mounts(struct ncprov *p)
{
	struct ctx c = { .p = p };
	struct nc_buf tree = { 0 };
	char *line, *save = NULL, **targets = NULL;
	size_t ntargets = 0, cap = 0, i, j;
	const char *why;
	struct mnt m;
	int rc, lineno = 0;

	if ((rc = ncp_read_node(p, NCT_NODE_MOUNTS, NULL, &tree)) < 0 &&
	    rc != -ENOENT) {
		fail_add(&c, "reading mounts: %s", strerror(-rc));
		goto out;
	}
	if ((rc = read_ours(&c)) < 0) {
		fail_add(&c, "%s: %s", STATE, strerror(-rc));
		goto out;
	}
	if ((rc = read_mounted(&c)) < 0) {
		fail_add(&c, "/proc/self/mounts: %s", strerror(-rc));
		goto out;
	}
	c.kernel9p = has_kernel_9p(p);
	for (line = tree.len ? strtok_r(tree.p, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (parse_line(line, &m, &why) < 0) {
			fail_add(&c, "mounts line %d: %s", lineno, why);
			continue;
		}
		*NC_PUSH(targets, ntargets, cap) = nc_strdup(m.target);
		if (is_mounted(&c, m.target)) {
			struct ours *o = find_ours(&c, m.target);

			if (o != NULL)
				o->keep = 1;
		} else {
			mount_one(&c, &m);
		}
		mnt_free(&m);
	}
	/* Ours, no longer in the tree: unmount, deepest first. */
	if (c.nours > 1)
		qsort(c.ours, c.nours, sizeof(*c.ours), cmp_depth);
	for (i = 0; i < c.nours; i++) {
		struct ours *o = &c.ours[i];

		for (j = 0; j < ntargets; j++)
			if (strcmp(targets[j], o->target) == 0)
				break;
		if (j < ntargets || !is_mounted(&c, o->target))
			continue;	/* wanted, or gone already */
		if (unmount_one(&c, o) < 0)
			o->keep = 1;	/* still there: still ours */
	}
	if ((rc = write_ours(&c)) < 0)
		fail_add(&c, "%s: %s", STATE, strerror(-rc));
out:
	for (i = 0; i < ntargets; i++)
		free(targets[i]);
	free(targets);
	for (i = 0; i < c.nmounted; i++)
		free(c.mounted[i]);
	free(c.mounted);
	for (i = 0; i < c.nours; i++) {
		free(c.ours[i].target);
		free(c.ours[i].kind);
	}
	free(c.ours);
	nc_buf_free(&tree);
	rc = c.errs.len > 0 ? ncp_fail(p, "%s", nc_buf_str(&c.errs)) : 0;
	nc_buf_free(&c.errs);
	return rc;
}
