/*
 * pnode_settle.c: after `ncprov pnode` has started its lxc guests it
 * watches them, --settle seconds at most, until each has settled: its boot
 * hook (provision/rc/rcS.hook) left its end in the container's upper layer
 * (LXCPATH/nc-<g>/rootfs/var/lib/neoc/boot.result: "RC MESSAGE"), or the
 * container stopped.  A guest whose hook gave up (RC not 0: the 9P server
 * was never reached, the connection was lost on every try, ncprov was
 * killed) or whose container stopped, while its status in the tree is not
 * final, is reported "failed STEP MESSAGE" by the pnode, STEP being the
 * step its status was at ("boot" when it had none): no node is left
 * booting or provisioning with nobody working on it, and neoc up, which
 * waits for this run, never waits on one (docs/DESIGN.md, "Status").
 *
 * A poll (every SETTLE_POLL_MS) costs one stat per unsettled guest; the
 * running containers are listed (one lxc-ls) every SETTLE_LIST_MS; the
 * tree is read only for a guest whose result came or whose container
 * stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "util.h"

#define STEP "containers"
#define SETTLE_POLL_MS 500	/* between two looks at the results */
#define SETTLE_LIST_MS 2000	/* between two lxc-ls --running */
#define RESULT "rootfs" NCP_BOOT_RESULT	/* in a container's directory */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The boot result of guest name: 1 with *rc and msg (its message) when
 * there is a whole line, else 0. */
static int
read_result(const char *lxcpath, const char *name, int *rc, char *msg,
    size_t len)
{
	char *path = nc_asprintf("%s/nc-%s/" RESULT, lxcpath, name);
	char buf[1024], *end, *nl;
	ssize_t got;
	long v;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	if ((nl = strchr(buf, '\n')) == NULL)
		return 0;		/* not whole yet */
	*nl = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno || v < 0 || v > 255)
		v = 1;
	*rc = (int)v;
	while (*end == ' ')
		end++;
	snprintf(msg, len, "%s", end);
	return 1;
}

/* The guest's state in the tree (-1 when unreadable) and its step (""
 * when none) into step. */
static int
tree_state(struct ncprov *p, const char *name, char *step, size_t len)
{
	char path[NCT_PATH_MAX], st[16], t[32], w[NCT_STEP_MAX + 1];
	struct nc_buf b = { 0 };
	int state = -1, k;

	step[0] = '\0';
	if (nct_path(path, sizeof(path), NCT_NODE_STATUS, name, NULL) < 0 ||
	    p->src.ops->read(p->src.impl, path, &b) < 0)
		goto out;
	k = sscanf(nc_buf_str(&b), "%15s %31s %32s", st, t, w);
	if (k >= 1)
		state = nct_state_find(st, strlen(st));
	if (k == 3 && state == NCT_PROVISIONING)
		snprintf(step, len, "%s", w);
out:
	nc_buf_free(&b);
	return state;
}

/* Guest name ended (why): failed, unless its status is final already. */
static void
settle_failed(struct ncprov *p, const char *name, const char *why)
{
	char step[NCT_STEP_MAX + 1], *msg;
	int state = tree_state(p, name, step, sizeof(step)), rc;

	if (state == NCT_READY || state == NCT_FAILED)
		return;		/* it said so itself */
	msg = nc_asprintf("%s (its log: /var/log/neoc/ncprov.log)", why);
	rc = ncprov_node_status(p, name, NCT_FAILED, step[0] ? step : "boot",
	    msg);
	ncp_report(p, STEP, "%s: failed %s: %s%s", name, step[0] ? step :
	    "boot", msg, rc < 0 ? " (status not written)" : "");
	free(msg);
}

/* A result came for guest name. */
static void
settle_result(struct ncprov *p, const char *name, int rc, const char *msg)
{
	char *why;

	if (rc == 0)
		return;
	why = nc_asprintf("its provisioner gave up: %s", msg[0] ? msg :
	    "no reason given");
	settle_failed(p, name, why);
	free(why);
}

int
ncp_lxc_settle(struct ncprov *p, const char *lxcpath, char *const *names,
    size_t n, int timeout_s)
{
	char *done = nc_calloc(n ? n : 1, 1), msg[1024];
	long long t0 = now_ms(), listed_at = t0;
	struct nc_buf up = { 0 };
	size_t left = n, i;
	int rc, n_list_failed = 0;	/* no lxc-ls: results only */

	while (left > 0) {
		for (i = 0; i < n; i++)
			if (!done[i] && read_result(lxcpath, names[i], &rc,
			    msg, sizeof(msg))) {
				settle_result(p, names[i], rc, msg);
				done[i] = 1;
				left--;
			}
		if (left > 0 && now_ms() - listed_at >= SETTLE_LIST_MS) {
			listed_at = now_ms();
			nc_buf_reset(&up);
			if (ncp_lxc_running_list(lxcpath, &up) < 0)
				n_list_failed++;
			for (i = 0; n_list_failed == 0 && i < n; i++) {
				char *cname = nc_asprintf("nc-%s", names[i]);
				int gone = !done[i] &&
				    !ncp_lxc_listed(nc_buf_str(&up), cname);

				free(cname);
				if (!gone)
					continue;
				/* a result written just before it stopped */
				if (read_result(lxcpath, names[i], &rc, msg,
				    sizeof(msg)))
					settle_result(p, names[i], rc, msg);
				else
					settle_failed(p, names[i], "its "
					    "container stopped before its "
					    "provisioning ended");
				done[i] = 1;
				left--;
			}
		}
		if (left == 0)
			break;
		if (now_ms() - t0 >= (long long)timeout_s * 1000) {
			struct nc_buf b = { 0 };

			for (i = 0; i < n; i++)
				if (!done[i])
					nc_buf_printf(&b, "%s%s", b.len ? " " :
					    "", names[i]);
			ncp_report(p, STEP, "still provisioning after %d s "
			    "(no longer watched): %s", timeout_s,
			    nc_buf_str(&b));
			nc_buf_free(&b);
			break;
		}
		nap_ms(SETTLE_POLL_MS);
	}
	nc_buf_free(&up);
	free(done);
	return 0;
}
