/*
 * pnode_limits.c: the kernel limits a pnode with many containers needs,
 * raised before its lxc guests start (docs/DESIGN.md, "Concurrency
 * bounds"), as Mininet raises its own: only upward (a value already at or
 * above ours is left), each change printed.  The neighbour tables'
 * gc_thresh1/2/3 (the pnode holds an ARP entry per guest on the control
 * bridge; past gc_thresh3, 1024 by default, entries are dropped and
 * "neighbour table overflow" is logged), inotify instances and watches,
 * pid_max (32768 by default: about 10 processes a Debian container with
 * sshd), keys, and ncprov's own open-file limit (lxc-start's monitors
 * inherit it; raised without a word, being this process's own).  gc_thresh* exist only in the first network namespace
 * (the kernel's tables are shared by all): inside another (the tests')
 * they are not there and are skipped; the others are global, not per
 * namespace.  Nothing under --root, --dry-run or --no-start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "util.h"

#define STEP "containers"
#define NOFILE_WANT 1048576	/* open files, at most fs.nr_open */

/* One limit: /proc/sys/<path> at least want. */
struct limit {
	const char *path;	/* under /proc/sys */
	long want;		/* the least we need */
};

/* In this order: gc_thresh3 >= 2 >= 1 at every moment. */
static const struct limit limits[] = {
	{ "net/ipv4/neigh/default/gc_thresh3", 16384 },
	{ "net/ipv4/neigh/default/gc_thresh2", 8192 },
	{ "net/ipv4/neigh/default/gc_thresh1", 4096 },
	{ "fs/inotify/max_user_instances", 8192 },
	{ "fs/inotify/max_user_watches", 524288 },
	{ "kernel/pid_max", 4194304 },
	{ "kernel/threads-max", 100000 },
	{ "kernel/keys/maxkeys", 20000 },
	{ "kernel/keys/maxbytes", 2000000 },
};

/* The value of /proc/sys/path, or -1 (-2 when it is not there). */
static long
sysctl_get(const char *path)
{
	char *f = nc_asprintf("/proc/sys/%s", path), buf[64];
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	free(f);
	if (fd < 0)
		return errno == ENOENT ? -2 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Write v to /proc/sys/path; 0 or -errno. */
static int
sysctl_set(const char *path, long v)
{
	char *f = nc_asprintf("/proc/sys/%s", path), buf[32];
	int fd = open(f, O_WRONLY | O_CLOEXEC), n, e = 0;

	free(f);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)n) != n)
		e = -errno;
	close(fd);
	return e;
}

/* /proc/sys/a/b/c as a.b.c, into out. */
static void
dotted(const char *path, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", path);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '/')
			out[i] = '.';
}

void
ncp_pnode_limits(struct ncprov *p)
{
	struct rlimit rl;
	char name[128];
	size_t i;
	long have, nr_open;
	int rc;

	if (p->root[0] != '\0' || p->dry_run || p->no_start)
		return;
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		dotted(limits[i].path, name, sizeof(name));
		if ((have = sysctl_get(limits[i].path)) < 0 ||
		    have >= limits[i].want)
			continue;	/* not here, unreadable, or enough */
		if ((rc = sysctl_set(limits[i].path, limits[i].want)) < 0)
			ncp_report(p, STEP, "%s stays %ld (wanted %ld): %s",
			    name, have, limits[i].want, strerror(-rc));
		else
			ncp_report(p, STEP, "%s = %ld (was %ld)", name,
			    limits[i].want, have);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	nr_open = sysctl_get("fs/nr_open");
	{
		rlim_t want = NOFILE_WANT;

		if (nr_open > 0 && (rlim_t)nr_open < want)
			want = (rlim_t)nr_open;
		if (rl.rlim_cur >= want)
			return;
		struct rlimit nl = { want, rl.rlim_max > want ? rl.rlim_max :
		    want };

		if (setrlimit(RLIMIT_NOFILE, &nl) < 0) {
			nl.rlim_cur = rl.rlim_max;	/* the soft as high as
							 * the hard */
			nl.rlim_max = rl.rlim_max;
			if (nl.rlim_cur <= rl.rlim_cur ||
			    setrlimit(RLIMIT_NOFILE, &nl) < 0)
				return;
		}
		/* this process's own, every run: not a change to say */
	}
}
