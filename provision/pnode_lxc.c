/*
 * pnode_lxc.c: the lxc backend of the pnode's containers step (issue 6,
 * step 5) and the pieces the vagrant backend shares with it.
 *
 * Each lxc guest is the LXC container "nc-<guest>" under the lxcpath
 * ROOT/var/lib/neoc/lxc, made with `lxc-create -t busybox` (or the lxc
 * template its image names) when missing.  Its config keeps what the
 * template wrote and gets, between marker lines, what we own: the
 * hostname, one veth NIC per experiment interface on its LAN's bridge with
 * the tree's MAC and a stable host-side name, read-only bind mounts of
 * ncprov and nc9pfs at /usr/sbin and /dev/fuse with the device cgroup
 * allowed (v1 and v2).  Its rootfs gets the boot file /etc/neoc/node and
 * the rcS hook (provision/rc/rcS.hook) that runs `ncprov container` at
 * boot.  Every container not running is started, all in parallel (one
 * `lxc-start -d` process each), and its node's status set to "booting";
 * those already running run `ncprov container` again (pnode_reprov.c), so
 * an edit of the tree reaches them.
 * Containers we made (the state file ROOT/var/lib/neoc/containers, lines
 * "BACKEND NAME") that left the tree are stopped and destroyed, in
 * parallel too (every `lxc-stop -k`, then every `lxc-destroy -f`; one
 * that fails is tried once more a second later: that of a container whose
 * lxc-create was cut short fails half way, then succeeds).  The
 * state file lists a container before it is created, and keeps one whose
 * creation or removal failed, so that a run cut short or failed leaves
 * nothing ncprov down (an empty pnode: everything goes) cannot find.
 *
 * The control network: while there is an lxc guest, the bridge ncctl0
 * (pnode.h) exists with the address of --control-net and is up; each
 * guest's first NIC (lxc.net.0) is a veth "ctl0" on it with a static
 * address (network + 10 + the guest's index in the pnode's container
 * list), its experiment NICs lxc.net.1..N.  When the guests' 9P server
 * (--guest-9p) is not inside the control network (the control node is
 * another machine, reached through the pnode's own network), ctl0 also
 * gets a default route via the bridge address (lxc.net.0.ipv4.gateway),
 * and the pnode forwards and masquerades: net.ipv4.ip_forward = 1 when it
 * was 0, and the nftables table "ip neoc" with one postrouting rule,
 *
 *   ip saddr NETWORK/NN oifname != "ncctl0" masquerade
 *
 * made in one nft transaction (table added, deleted and made again, so a
 * changed network replaces the rule), only when `nft list table ip neoc`
 * does not show it.  What we made is remembered in ROOT/var/lib/neoc/control
 * (lines "bridge ncctl0 A.B.C.D/NN", "nat NETWORK/NN", and "forward" when
 * we turned forwarding on); with no lxc guest left, or the server back
 * inside the network, exactly that is torn down (bridge deleted, table
 * deleted, forwarding turned off again); the file lists what is ours
 * also after a failure half way.  Under --root or --dry-run the
 * commands are printed ("would run: ...", "would set
 * net.ipv4.ip_forward = 1"), under --root against the state file, so a
 * second --root run prints nothing.
 *
 * Files go through ncp_replace (nothing changes when the contents are the
 * same, so a second run changes nothing).  Under --dry-run no program
 * runs; under --root with --no-start neither lxc-create nor lxc-destroy
 * runs ("would run: ..."), but every file is written under ROOT as it
 * would be, for the tests to read.  --no-start alone creates but starts
 * nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "run.h"
#include "steps.h"
#include "util.h"

#define STEP "containers"
#define LXC_DIR "/var/lib/neoc/lxc"		/* the lxcpath, under root */
#define STATE_FILE "/var/lib/neoc/containers"	/* what we made */
#define HOOK_BEGIN "# --- neo-containers"	/* the rcS hook's markers */
#define HOOK_END "# --- end neo-containers ---"
#define CONF_BEGIN "# BEGIN neo-containers"	/* our part of a config */
#define CONF_END "# END neo-containers"
#define CTL_STATE "/var/lib/neoc/control"	/* the control bridge made */
#define LXC_TIMEOUT_MS (120 * 1000)		/* create, start, destroy */
#define JOB_OUT_MAX 4000			/* output kept per job */
#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"	/* this netns' */

/* ---- shared with the vagrant backend ---- */

/* The backend --backend chose for every guest, or NULL. */
static const char *
forced_backend(const struct ncprov *p)
{
	return p->backend != NULL && *p->backend != '\0' ? p->backend :
	    NULL;
}

int
ncp_guest_is_lxc(const struct ncprov *p, const struct ncp_guest *g)
{
	const char *b = forced_backend(p);

	if (b != NULL)
		return strcmp(b, "lxc") == 0;
	return strcmp(g->image_provider, "lxc") == 0 || g->image[0] == '\0';
}

/* Start job j in a child that runs it and writes its status and output
 * to a pipe; the child's pid, or -errno.  *fd gets the pipe. */
static pid_t
job_start(struct ncp_job *j, int timeout_ms, int *fd)
{
	int pfd[2], e;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -e;
	}
	if (pid == 0) {
		struct nc_buf out = { 0 };
		size_t len;
		int rc;

		close(pfd[0]);
		rc = ncp_run(&(struct ncp_cmd){ .argv = j->argv,
		    .envp = j->envp, .cwd = j->cwd, .out_fd = -1,
		    .capture = &out, .timeout_ms = timeout_ms });
		len = out.len < JOB_OUT_MAX ? out.len : JOB_OUT_MAX;
		/* Less than a pipe's buffer: these never block. */
		if (write(pfd[1], &rc, sizeof(rc)) < 0 ||
		    (len > 0 && write(pfd[1], out.p, len) < 0))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	*fd = pfd[0];
	return pid;
}

/* A job whose child has closed its pipe: reap it, take its result. */
static void
job_finish(struct ncp_job *j, pid_t pid, struct nc_buf *raw)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (raw->len < sizeof(j->rc)) {
		j->rc = -EIO;
		return;
	}
	memcpy(&j->rc, raw->p, sizeof(j->rc));
	nc_buf_add(&j->out, raw->p + sizeof(j->rc),
	    raw->len - sizeof(j->rc));
}

int
ncp_run_parallel(struct ncp_job *jobs, size_t n, size_t max, int timeout_ms)
{
	struct slot {
		pid_t pid;		/* its child */
		int fd;			/* the child's pipe, -1: free */
		size_t job;		/* which job */
		struct nc_buf raw;	/* what came through the pipe */
	} *slots;
	struct pollfd *fds;
	size_t next = 0, running = 0, i, k, nslots;
	char chunk[4096];
	ssize_t r;
	int rc = 0;

	if (n == 0)
		return 0;
	nslots = max == 0 || max > n ? n : max;
	slots = nc_calloc(nslots, sizeof(*slots));
	fds = nc_calloc(nslots, sizeof(*fds));
	for (i = 0; i < nslots; i++)
		slots[i].fd = -1;
	while (next < n || running > 0) {
		for (i = 0; i < nslots && next < n; i++) {
			if (slots[i].fd >= 0)
				continue;
			pid_t pid = job_start(&jobs[next], timeout_ms,
			    &slots[i].fd);

			if (pid < 0) {
				jobs[next++].rc = (int)pid;
				slots[i].fd = -1;
				continue;
			}
			slots[i].pid = pid;
			slots[i].job = next++;
			nc_buf_reset(&slots[i].raw);
			running++;
		}
		if (running == 0)
			continue;
		for (i = 0, k = 0; i < nslots; i++)
			if (slots[i].fd >= 0)
				fds[k++] = (struct pollfd){ slots[i].fd,
				    POLLIN, 0 };
		if (poll(fds, (nfds_t)k, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		for (i = 0; i < nslots; i++) {
			if (slots[i].fd < 0)
				continue;
			for (k = 0; fds[k].fd != slots[i].fd; k++)
				;
			if (fds[k].revents == 0)
				continue;
			r = read(slots[i].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				nc_buf_add(&slots[i].raw, chunk, (size_t)r);
				continue;
			}
			close(slots[i].fd);
			slots[i].fd = -1;
			job_finish(&jobs[slots[i].job], slots[i].pid,
			    &slots[i].raw);
			running--;
		}
	}
	for (i = 0; i < nslots; i++) {
		if (slots[i].fd >= 0) {	/* only after a failed poll */
			close(slots[i].fd);
			kill(-slots[i].pid, SIGKILL);
			job_finish(&jobs[slots[i].job], slots[i].pid,
			    &slots[i].raw);
		}
		nc_buf_free(&slots[i].raw);
	}
	free(slots);
	free(fds);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ncp_state_read(struct ncprov *p, const char *backend, char ***names,
    size_t *n)
{
	struct nc_buf b = { 0 };
	size_t cap = 0, blen = strlen(backend);
	char *s, *nl;
	int exists, rc;

	*names = NULL;
	*n = 0;
	if ((rc = ncp_read_local(p, STATE_FILE, &b, &exists)) < 0)
		goto cleanup;
	for (s = b.p; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(s, backend, blen) == 0 && s[blen] == ' ' &&
		    s[blen + 1] != '\0')
			*NC_PUSH(*names, *n, cap) = nc_strdup(s + blen + 1);
	}
cleanup:
	nc_buf_free(&b);
	return rc;
}

/* The lines are sorted, so the file is stable. */
int
ncp_state_write(struct ncprov *p, const char *backend, char *const *names,
    size_t n)
{
	struct nc_buf b = { 0 }, out = { 0 };
	size_t blen = strlen(backend), nl_ = 0, cap = 0, i;
	char **lines = NULL, *s, *nl;
	int exists, rc;

	if ((rc = ncp_read_local(p, STATE_FILE, &b, &exists)) < 0)
		goto cleanup;
	if (!exists && n == 0)
		goto cleanup;
	for (s = b.p; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (*s == '\0' || (strncmp(s, backend, blen) == 0 &&
		    s[blen] == ' '))
			continue;
		*NC_PUSH(lines, nl_, cap) = nc_strdup(s);
	}
	for (i = 0; i < n; i++)
		*NC_PUSH(lines, nl_, cap) = nc_asprintf("%s %s", backend,
		    names[i]);
	if (nl_ > 0)
		qsort(lines, nl_, sizeof(*lines), cmp_str);
	for (i = 0; i < nl_; i++)
		nc_buf_printf(&out, "%s\n", lines[i]);
	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) < 0)
		goto cleanup;
	rc = ncp_replace(p, STATE_FILE, nc_buf_str(&out), out.len, 0644, 0,
	    0);
	if (rc > 0)
		ncp_report(p, STEP, "%s: %s: %zu %s", STATE_FILE, backend, n,
		    n == 1 ? "container" : "containers");
	rc = rc < 0 ? rc : 0;
cleanup:
	for (i = 0; i < nl_; i++)
		free(lines[i]);
	free(lines);
	nc_buf_free(&b);
	nc_buf_free(&out);
	return rc;
}

/* The message is put on one line. */
int
ncp_guest_status(struct ncprov *p, const char *guest, const char *state,
    const char *message)
{
	struct nc_buf line = { 0 };
	const char *m;
	char *path;
	int rc;

	nc_buf_printf(&line, "%s %lld", state, (long long)time(NULL));
	if (message != NULL && *message != '\0') {
		nc_buf_puts(&line, " " STEP " ");
		for (m = message; *m != '\0'; m++)
			nc_buf_add(&line, (unsigned char)*m < 0x20 ? " " : m,
			    1);
	}
	nc_buf_puts(&line, "\n");
	path = nc_asprintf("nodes/%s/status", guest);
	rc = p->src.ops->write(p->src.impl, path, line.p, line.len);
	free(path);
	nc_buf_free(&line);
	return rc;
}

char *
ncp_self_binary(const char *name)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if (name == NULL)
		return nc_strdup(self);
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	path = nc_asprintf("%s/%s", self, name);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* ---- the lxc backend ---- */

/* What a run of the lxc backend works with. */
struct lxc_run {
	struct ncprov *p;	/* the run */
	struct ncp_pnode *pn;	/* the pnode's containers and LANs */
	char *lxcpath;		/* root + LXC_DIR: what -P gets */
	char *ncprov;		/* the binary bind-mounted in, or NULL */
	char *nc9pfs;		/* nc9pfs, or NULL */
	char *hook;		/* the rcS hook, markers included */
	struct nc_buf errs;	/* the failures so far, "; "-separated */
	const char *ctl;	/* the control bridge's A.B.C.D/NN */
	unsigned long ctl_addr;	/* its address, host order */
	int ctl_prefix;		/* its prefix length */
	int routed;		/* the guests' 9P server is outside the
				 * control network: a default route via the
				 * bridge, forwarding and masquerade */
};

/* Record a failure of one container (the step goes on with the others). */
static void
failed(struct lxc_run *r, const char *guest, const char *fmt,
    const char *what)
{
	nc_buf_printf(&r->errs, "%s%s: ", r->errs.len ? "; " : "", guest);
	nc_buf_printf(&r->errs, fmt, what);
}

/* Cut trailing white space. */
static void
trim(struct nc_buf *b)
{
	while (b->len > 0 && strchr(" \t\r\n", b->p[b->len - 1]) != NULL)
		b->p[--b->len] = '\0';
}

/* Do the programs run (not --dry-run, nor --root with --no-start)? */
static int
may_run(const struct ncprov *p)
{
	return !p->dry_run && !(p->root[0] != '\0' && p->no_start);
}

/* Run a command (argv[0] a bare name), or, when dry, say it would: 0, or
 * -1 with the reason in *why (malloc'd). */
static int
run_or_say(struct lxc_run *r, char **argv, int dry, char **why)
{
	struct nc_buf out = { 0 };
	char *line = ncp_argv_str(argv), *prog = NULL, *name = argv[0];
	int rc, ret = -1;

	*why = NULL;
	if (dry) {
		ncp_report(r->p, STEP, "would run: %s", line);
		ret = 0;
		goto cleanup;
	}
	if ((prog = ncp_which(name)) == NULL) {
		*why = nc_asprintf("%s: no %s command (apt-get install %s)",
		    line, name, strncmp(name, "lxc", 3) == 0 ? "lxc" :
		    strcmp(name, "nft") == 0 ? "nftables" : "iproute2");
		goto cleanup;
	}
	argv[0] = prog;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS });
	argv[0] = name;
	if (rc != 0) {
		trim(&out);
		*why = nc_asprintf("%s: %s%s%s", line, rc < 0 ?
		    strerror(-rc) : "failed", out.len ? ": " : "",
		    nc_buf_str(&out));
		goto cleanup;
	}
	ncp_report(r->p, STEP, "%s", line);
	ret = 0;
cleanup:
	free(line);
	free(prog);
	nc_buf_free(&out);
	return ret;
}

/* Run an lxc-* command or say it would (!may_run); as run_or_say. */
static int
lxc_cmd(struct lxc_run *r, char **argv, char **why)
{
	return run_or_say(r, argv, !may_run(r->p), why);
}

/* Is path (not under root) there? */
static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* ---- the control network ---- */

int
ncp_control_parse(const char *spec, unsigned long *addr, int *prefix)
{
	char ip[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(spec, '/');
	struct in_addr in;
	unsigned long a, mask;
	long n;

	if (slash == NULL || (size_t)(slash - spec) >= sizeof(ip))
		return -1;
	memcpy(ip, spec, (size_t)(slash - spec));
	ip[slash - spec] = '\0';
	if (inet_pton(AF_INET, ip, &in) != 1)
		return -1;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end != '\0' || n < 1 || n > 30)
		return -1;
	a = (unsigned long)ntohl(in.s_addr);
	mask = (0xffffffffUL << (32 - n)) & 0xffffffffUL;
	if ((a & ~mask & 0xffffffffUL) == 0 ||
	    (a & ~mask & 0xffffffffUL) == (~mask & 0xffffffffUL))
		return -1;	/* the network or the broadcast address */
	*addr = a;
	*prefix = (int)n;
	return 0;
}

/* The control address "A.B.C.D/NN" of the guest at index i of the pnode's
 * container list into out; 0, or -1 when it does not fit the network. */
static int
guest_ctl_addr(const struct lxc_run *r, size_t i, char *out, size_t len)
{
	unsigned long mask = (0xffffffffUL << (32 - r->ctl_prefix)) &
	    0xffffffffUL, net = r->ctl_addr & mask, a;
	struct in_addr in;
	char ip[INET_ADDRSTRLEN];

	if (i > (~mask & 0xffffffffUL))
		return -1;
	a = net + NCP_CTL_FIRST + i;
	/* in the network, not its broadcast, not the bridge's own */
	if ((a & mask) != net || a == (net | (~mask & 0xffffffffUL)) ||
	    a == r->ctl_addr)
		return -1;
	in.s_addr = htonl((uint32_t)a);
	if (inet_ntop(AF_INET, &in, ip, sizeof(ip)) == NULL)
		return -1;
	snprintf(out, len, "%s/%d", ip, r->ctl_prefix);
	return 0;
}

/* Does `ip -o -4 addr show dev ncctl0` list the address ctl? */
static int
ctl_has_addr(const struct lxc_run *r)
{
	char *argv[] = { NULL, "-o", "-4", "addr", "show", "dev",
	    NCP_CTL_BRIDGE, NULL };
	struct nc_buf out = { 0 };
	char *want = nc_asprintf(" inet %s ", r->ctl);
	int yes = 0;

	if ((argv[0] = ncp_which("ip")) != NULL &&
	    ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS }) == 0)
		yes = strstr(nc_buf_str(&out), want) != NULL;
	free(argv[0]);
	free(want);
	nc_buf_free(&out);
	return yes;
}

/* Is the control bridge up (IFF_UP in its flags)? */
static int
ctl_up(void)
{
	FILE *f = fopen("/sys/class/net/" NCP_CTL_BRIDGE "/flags", "re");
	unsigned long flags = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lx", &flags) != 1)
		flags = 0;
	fclose(f);
	return (flags & 0x1) != 0;
}

int
ncp_control_routed(const char *ctl, const char *hostport)
{
	unsigned long a, mask, h;
	char host[INET_ADDRSTRLEN];
	const char *colon;
	struct in_addr in;
	int prefix;

	if (hostport == NULL || *hostport == '\0')
		return 0;	/* nothing to reach */
	if (ncp_control_parse(ctl, &a, &prefix) < 0)
		return 1;
	colon = strrchr(hostport, ':');
	if (colon == NULL)
		colon = hostport + strlen(hostport);
	if ((size_t)(colon - hostport) >= sizeof(host))
		return 1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	if (inet_pton(AF_INET, host, &in) != 1)
		return 1;	/* a name, IPv6: not known to be inside */
	h = (unsigned long)ntohl(in.s_addr);
	mask = (0xffffffffUL << (32 - prefix)) & 0xffffffffUL;
	return (h & mask) != (a & mask);
}

char *
ncp_control_subnet(const char *ctl)
{
	unsigned long a, mask;
	struct in_addr in;
	char ip[INET_ADDRSTRLEN];
	int prefix;

	if (ncp_control_parse(ctl, &a, &prefix) < 0)
		return NULL;
	mask = (0xffffffffUL << (32 - prefix)) & 0xffffffffUL;
	in.s_addr = htonl((uint32_t)(a & mask));
	if (inet_ntop(AF_INET, &in, ip, sizeof(ip)) == NULL)
		return NULL;
	return nc_asprintf("%s/%d", ip, prefix);
}

char *
ncp_nat_rule(const char *subnet)
{
	return nc_asprintf("ip saddr %s oifname != \"" NCP_CTL_BRIDGE
	    "\" masquerade", subnet);
}

char *
ncp_nat_script(const char *subnet)
{
	char *rule = ncp_nat_rule(subnet);
	char *s = nc_asprintf("add table ip " NCP_NAT_TABLE "; "
	    "delete table ip " NCP_NAT_TABLE "; "
	    "add table ip " NCP_NAT_TABLE " { chain postrouting { "
	    "type nat hook postrouting priority 100; policy accept; "
	    "%s; }; }", rule);

	free(rule);
	return s;
}

/* Does our nftables table hold the masquerade of subnet (nft list)? */
static int
nat_present(const char *subnet)
{
	char *argv[] = { NULL, "list", "table", "ip", NCP_NAT_TABLE, NULL };
	struct nc_buf out = { 0 };
	char *rule = ncp_nat_rule(subnet);
	int yes = 0;

	if ((argv[0] = ncp_which("nft")) != NULL &&
	    ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS }) == 0)
		yes = strstr(nc_buf_str(&out), rule) != NULL;
	free(argv[0]);
	free(rule);
	nc_buf_free(&out);
	return yes;
}

/* Is our nftables table there at all?  (What nft says is not ours to
 * print.) */
static int
nat_table_exists(void)
{
	char *argv[] = { NULL, "list", "table", "ip", NCP_NAT_TABLE, NULL };
	struct nc_buf out = { 0 };
	int yes = 0;

	if ((argv[0] = ncp_which("nft")) != NULL)
		yes = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
		    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS }) == 0;
	free(argv[0]);
	nc_buf_free(&out);
	return yes;
}

/* net.ipv4.ip_forward of this network namespace: 0, 1, or -1. */
static int
forward_get(void)
{
	FILE *f = fopen(IP_FORWARD, "re");
	int v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Set net.ipv4.ip_forward to on, or say it would (dry); 0, or -1 with
 * the reason in *why. */
static int
forward_set(struct lxc_run *r, int on, int dry, char **why)
{
	int fd;

	if (dry) {
		ncp_report(r->p, STEP, "would set net.ipv4.ip_forward = %d",
		    on);
		return 0;
	}
	if ((fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC)) < 0 ||
	    write(fd, on ? "1\n" : "0\n", 2) != 2) {
		*why = nc_asprintf(IP_FORWARD ": %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	ncp_report(r->p, STEP, "net.ipv4.ip_forward = %d", on);
	return 0;
}

/* Does the text of the control state file hold the line l? */
static int
state_has(const char *text, const char *l)
{
	size_t n = strlen(l);
	const char *s, *e;

	for (s = text; *s != '\0'; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		if ((size_t)(e - s) == n && strncmp(s, l, n) == 0)
			return 1;
	}
	return 0;
}

/* The state file's line starting with "prefix " (copied), or NULL. */
static char *
state_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *s, *e;

	for (s = text; *s != '\0'; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		if (strncmp(s, prefix, n) == 0 && s[n] == ' ')
			return nc_asprintf("%.*s", (int)(e - s), s);
	}
	return NULL;
}

/* Keep the first reason in *why; a later one is added to it. */
static void
add_why(char **why, char *more)
{
	char *both;

	if (more == NULL)
		return;
	if (*why == NULL) {
		*why = more;
		return;
	}
	both = nc_asprintf("%s; %s", *why, more);
	free(*why);
	free(more);
	*why = both;
}

/* The bridge part of control_net: make it (want) or delete ours; its
 * state line goes to next while it is (or may be) there.  0, or -1 with
 * the reason in *why. */
static int
ctl_bridge(struct lxc_run *r, int want, const char *old, const char *line,
    struct nc_buf *next, char **why)
{
	int real = r->p->root[0] == '\0', dry = !real || r->p->dry_run;
	char *mine = state_line(old, "bridge " NCP_CTL_BRIDGE), *w = NULL;
	int there, has_addr, ours, ret = 0;

	ours = mine != NULL;
	if (want) {
		char *add[] = { "ip", "link", "add", NCP_CTL_BRIDGE, "type",
		    "bridge", NULL };
		char *flush[] = { "ip", "addr", "flush", "dev",
		    NCP_CTL_BRIDGE, NULL };
		char *addr[] = { "ip", "addr", "replace", (char *)r->ctl,
		    "dev", NCP_CTL_BRIDGE, NULL };
		char *up[] = { "ip", "link", "set", NCP_CTL_BRIDGE, "up",
		    NULL };

		/* in the state before it is made: a run cut short after
		 * `ip link add` leaves it to be found */
		nc_buf_printf(next, "%s\n", line);
		there = real ? exists("/sys/class/net/" NCP_CTL_BRIDGE) : ours;
		has_addr = real ? there && ctl_has_addr(r) :
		    mine != NULL && strcmp(mine, line) == 0;
		if (there && has_addr && (real ? ctl_up() : 1))
			goto out;
		if ((!there && run_or_say(r, add, dry, &w) < 0) ||
		    (there && !has_addr &&
		    run_or_say(r, flush, dry, &w) < 0) ||
		    (!has_addr && run_or_say(r, addr, dry, &w) < 0) ||
		    run_or_say(r, up, dry, &w) < 0)
			ret = -1;
		goto out;
	}
	if (ours && (!real || exists("/sys/class/net/" NCP_CTL_BRIDGE))) {
		char *del[] = { "ip", "link", "del", NCP_CTL_BRIDGE, NULL };

		if (run_or_say(r, del, dry, &w) < 0) {
			nc_buf_printf(next, "%s\n", mine);
			ret = -1;
		}
	}
out:
	add_why(why, w);
	free(mine);
	return ret;
}

/*
 * The way out of the control network: when the guests' 9P server is
 * outside it (r->routed), net.ipv4.ip_forward on and our nftables table
 * masquerading the control subnet; else (or !want) what we made of it
 * torn down.  The state lines of what is ours afterwards, "nat SUBNET"
 * and "forward" (we turned it on), go to *next, also after a failure.
 * 0, or -1 with the reason in *why.
 */
static int
ctl_nat(struct lxc_run *r, int want, const char *old, struct nc_buf *next,
    char **why)
{
	int real = r->p->root[0] == '\0', dry = !real || r->p->dry_run;
	int had_fwd = state_has(old, "forward"), nat_ok = 0;
	char *had_nat = state_line(old, "nat"), *subnet = NULL, *line = NULL;
	char *w = NULL;
	int ret = -1;

	if (want && r->routed) {
		char *nft[] = { "nft", NULL, NULL };
		int fwd = real ? forward_get() : had_fwd;

		subnet = ncp_control_subnet(r->ctl);
		line = nc_asprintf("nat %s", subnet);
		if (fwd == 0) {
			if (forward_set(r, 1, dry, &w) < 0)
				goto keep;
			had_fwd = 1;
		}
		if (real ? !nat_present(subnet) :
		    had_nat == NULL || strcmp(had_nat, line) != 0) {
			nft[1] = ncp_nat_script(subnet);
			if (run_or_say(r, nft, dry, &w) < 0) {
				free(nft[1]);
				goto keep;
			}
			free(nft[1]);
		}
		nat_ok = 1;
		ret = 0;
keep:
		/* one nft transaction: after a failure the old table (if
		 * any) is as it was */
		if (nat_ok)
			nc_buf_printf(next, "%s\n", line);
		else if (had_nat != NULL)
			nc_buf_printf(next, "%s\n", had_nat);
		if (had_fwd)
			nc_buf_puts(next, "forward\n");
		goto out;
	}
	ret = 0;
	if (had_nat != NULL && (!real || nat_table_exists())) {
		char *del[] = { "nft", "delete", "table", "ip", NCP_NAT_TABLE,
		    NULL };
		char *w2 = NULL;

		if (run_or_say(r, del, dry, &w2) < 0) {
			nc_buf_printf(next, "%s\n", had_nat);
			add_why(&w, w2);
			ret = -1;
		}
	}
	if (had_fwd && (!real || forward_get() == 1)) {
		char *w2 = NULL;

		if (forward_set(r, 0, dry, &w2) < 0) {
			nc_buf_puts(next, "forward\n");
			add_why(&w, w2);
			ret = -1;
		}
	}
out:
	add_why(why, w);
	free(had_nat);
	free(subnet);
	free(line);
	return ret;
}

/*
 * Make the control network (want) or tear down what we made of it
 * (!want): the bridge, and the way out of it (ctl_nat).  Without --root
 * the system is inspected, under --root the state file stands for it;
 * under either --root or --dry-run the commands are only printed.  The
 * state file gets the bridge's and the table's lines before they are
 * made, and then lists what is ours, also after a failure (each part is
 * tried even when the other failed).  0 or -1 (the failure in r->errs).
 */
static int
control_net(struct lxc_run *r, int want)
{
	struct ncprov *p = r->p;
	struct nc_buf st = { 0 }, next = { 0 };
	char *line = nc_asprintf("bridge " NCP_CTL_BRIDGE " %s", r->ctl);
	char *why = NULL;
	int ex, rc, ret = 0, ahead_written = 0;

	if (ncp_read_local(p, CTL_STATE, &st, &ex) < 0)
		nc_buf_reset(&st);
	if (want && !p->dry_run) {
		/* Before the bridge and the table are made, their lines (a
		 * run cut short leaves nothing down cannot find; forwarding
		 * is said once on, not to turn off what was not ours). */
		struct nc_buf ahead = { 0 };
		char *subnet = r->routed ? ncp_control_subnet(r->ctl) : NULL;
		char *nat = subnet ? nc_asprintf("nat %s", subnet) : NULL;

		nc_buf_add(&ahead, nc_buf_str(&st), st.len);
		if (!state_has(nc_buf_str(&st), line))
			nc_buf_printf(&ahead, "%s\n", line);
		if (nat != NULL && !state_has(nc_buf_str(&st), nat))
			nc_buf_printf(&ahead, "%s\n", nat);
		if (ahead.len > st.len &&
		    (rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) >= 0 &&
		    ncp_replace(p, CTL_STATE, nc_buf_str(&ahead), ahead.len,
		    0644, 0, 0) > 0)
			ahead_written = 1;
		free(subnet);
		free(nat);
		nc_buf_free(&ahead);
	}
	if (ctl_bridge(r, want, nc_buf_str(&st), line, &next, &why) < 0)
		ret = -1;
	if (ctl_nat(r, want, nc_buf_str(&st), &next, &why) < 0)
		ret = -1;
	if (ret < 0)
		failed(r, NCP_CTL_BRIDGE, "%s", why ? why : "failed");
	if (!p->dry_run && (ahead_written ||
	    strcmp(nc_buf_str(&st), nc_buf_str(&next)) != 0) &&
	    (ex || next.len > 0)) {
		if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) >= 0)
			rc = ncp_replace(p, CTL_STATE, nc_buf_str(&next),
			    next.len, 0644, 0, 0);
		if (rc < 0) {
			failed(r, NCP_CTL_BRIDGE, CTL_STATE ": %s",
			    strerror(-rc));
			ret = -1;
		}
	}
	free(why);
	free(line);
	nc_buf_free(&st);
	nc_buf_free(&next);
	return ret;
}

/* Is the container made (its rootfs has a /bin)? */
static int
created(struct lxc_run *r, const char *cname)
{
	char *path = nc_asprintf("%s/%s/rootfs/bin", r->lxcpath, cname);
	int yes = exists(path);

	free(path);
	return yes;
}

/* Is it running (lxc-info says RUNNING)? */
static int
running(struct lxc_run *r, const char *cname)
{
	char *argv[] = { NULL, "-P", r->lxcpath, "-n", (char *)cname, "-s",
	    "-H", NULL };
	struct nc_buf out = { 0 };
	int yes = 0;

	if ((argv[0] = ncp_which("lxc-info")) == NULL)
		return 0;
	if (ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS }) == 0)
		yes = strstr(nc_buf_str(&out), "RUNNING") != NULL;
	free(argv[0]);
	nc_buf_free(&out);
	return yes;
}

/* The lxc template of guest g: its image when /usr/share/lxc/templates
 * has one by that name, else busybox. */
static char *
template_of(const struct ncp_guest *g)
{
	char *path;

	if (g->image[0] != '\0' && strchr(g->image, '/') == NULL) {
		path = nc_asprintf("/usr/share/lxc/templates/lxc-%s",
		    g->image);
		if (exists(path)) {
			free(path);
			return nc_strdup(g->image);
		}
		free(path);
	}
	return nc_strdup("busybox");
}

/* lxc-create the container when it is not there yet; 0 or -1. */
static int
create(struct lxc_run *r, const struct ncp_guest *g, const char *cname)
{
	char *tmpl = template_of(g), *why = NULL, *conf;
	char *argv[] = { "lxc-create", "-P", r->lxcpath, "-n", (char *)cname,
	    "-t", tmpl, NULL };
	int ret = 0;

	if (created(r, cname))
		goto cleanup;
	if (may_run(r->p)) {
		/* A config of ours from a --no-start run would make
		 * lxc-create refuse: it is rewritten below anyway. */
		conf = nc_asprintf("%s/%s/config", r->lxcpath, cname);
		unlink(conf);
		free(conf);
	}
	if (lxc_cmd(r, argv, &why) < 0) {
		failed(r, g->name, "%s", why);
		ret = -1;
	}
cleanup:
	free(why);
	free(tmpl);
	return ret;
}

/* A path as an fstab field (space, tab, newline, backslash escaped). */
static void
fstab_path(struct nc_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr(" \t\n\\", *s) != NULL)
			nc_buf_printf(b, "\\%03o", (unsigned char)*s);
		else
			nc_buf_add(b, s, 1);
	}
}

/* Is the config line s (len bytes) one of ours: network, hostname? */
static int
managed_line(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	return (len >= 8 && strncmp(s, "lxc.net.", 8) == 0) ||
	    (len >= 12 && strncmp(s, "lxc.uts.name", 12) == 0 &&
	    (len == 12 || strchr(" \t=", s[12]) != NULL));
}

/* Our part of the config of guest g, index gi of the pnode's containers
 * (between the marker lines). */
static int
our_config(struct lxc_run *r, struct ncp_guest *g, size_t gi,
    struct nc_buf *b)
{
	char ctl[INET_ADDRSTRLEN + 4], veth[16], gw[INET_ADDRSTRLEN];
	size_t i, j, k;

	if (guest_ctl_addr(r, gi, ctl, sizeof(ctl)) < 0) {
		failed(r, g->name, "no room for it in the control network "
		    "%s", r->ctl);
		return -1;
	}
	ncp_ifname("nk", g->name, "ctl0", veth);
	snprintf(gw, sizeof(gw), "%.*s", (int)strcspn(r->ctl, "/"), r->ctl);
	nc_buf_printf(b, CONF_BEGIN ": written by ncprov pnode, rewritten "
	    "on every run\nlxc.uts.name = %s\n", g->name);
	nc_buf_printf(b, "lxc.net.0.type = veth\n"
	    "lxc.net.0.link = " NCP_CTL_BRIDGE "\n"
	    "lxc.net.0.flags = up\n"
	    "lxc.net.0.name = ctl0\n"
	    "lxc.net.0.ipv4.address = %s\n"
	    "lxc.net.0.veth.pair = %s\n", ctl, veth);
	if (r->routed)
		nc_buf_printf(b, "lxc.net.0.ipv4.gateway = %s\n", gw);
	for (i = 0; i < g->nnics; i++) {
		struct ncp_nic *nic = &g->nics[i];
		struct ncp_lan *lan = NULL;

		k = i + 1;	/* lxc.net.0 is the control NIC */
		for (j = 0; j < r->pn->nlans && lan == NULL; j++)
			if (strcmp(r->pn->lans[j].name, nic->lan) == 0)
				lan = &r->pn->lans[j];
		if (lan == NULL || lan->bridge[0] == '\0') {
			failed(r, g->name, "%s: no bridge for its LAN",
			    nic->name);
			return -1;
		}
		if (nic->host_if[0] == '\0')
			ncp_ifname("nv", g->name, nic->name, nic->host_if);
		nc_buf_printf(b, "lxc.net.%zu.type = veth\n"
		    "lxc.net.%zu.link = %s\n"
		    "lxc.net.%zu.flags = up\n", k, k, lan->bridge, k);
		if (nic->mac != NULL && nic->mac[0] != '\0')
			nc_buf_printf(b, "lxc.net.%zu.hwaddr = %s\n", k,
			    nic->mac);
		nc_buf_printf(b, "lxc.net.%zu.name = %s\n"
		    "lxc.net.%zu.veth.pair = %s\n", k, nic->name, k,
		    nic->host_if);
	}
	if (r->ncprov != NULL) {
		nc_buf_puts(b, "lxc.mount.entry = ");
		fstab_path(b, r->ncprov);
		nc_buf_puts(b, " usr/sbin/ncprov none bind,ro,create=file "
		    "0 0\n");
	}
	if (r->nc9pfs != NULL) {
		nc_buf_puts(b, "lxc.mount.entry = ");
		fstab_path(b, r->nc9pfs);
		nc_buf_puts(b, " usr/sbin/nc9pfs none bind,ro,create=file "
		    "0 0\n");
	}
	nc_buf_puts(b, "lxc.mount.entry = /dev/fuse dev/fuse none "
	    "bind,optional,create=file 0 0\n"
	    "lxc.cgroup.devices.allow = c 10:229 rwm\n"
	    "lxc.cgroup2.devices.allow = c 10:229 rwm\n"
	    CONF_END "\n");
	return 0;
}

/*
 * Append to out the lines of text outside the block from a line starting
 * with begin to the line starting with end, and, when managed is given,
 * outside the lines it claims.
 */
static void
strip_block(const char *text, size_t len, const char *begin,
    const char *end, int (*managed)(const char *, size_t),
    struct nc_buf *out)
{
	const char *s = text, *stop = text + len, *nl;
	int in = 0;

	while (s < stop) {
		nl = memchr(s, '\n', (size_t)(stop - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(stop - s);

		if (!in && strncmp(s, begin, strlen(begin)) == 0 &&
		    l >= strlen(begin))
			in = 1;
		else if (in && l >= strlen(end) &&
		    strncmp(s, end, strlen(end)) == 0)
			in = 0;
		else if (!in && (managed == NULL || !managed(s, l))) {
			nc_buf_add(out, s, l);
			nc_buf_puts(out, "\n");
		}
		s += l + 1;
	}
}

/* Write a file under the container's directory (rel from it); 0 or -1. */
static int
put(struct lxc_run *r, const struct ncp_guest *g, const char *cname,
    const char *rel, const struct nc_buf *data, mode_t mode)
{
	char *abs = nc_asprintf(LXC_DIR "/%s/%s", cname, rel);
	char *dir = nc_strdup(abs);
	int rc;

	*strrchr(dir, '/') = '\0';
	if ((rc = ncp_mkdirs(r->p, dir, 0755)) >= 0)
		rc = ncp_replace(r->p, abs, nc_buf_str(data), data->len,
		    mode, 0, 0);
	if (rc < 0) {
		char *msg = nc_asprintf("%s: %s", abs, strerror(-rc));

		failed(r, g->name, "%s", msg);
		free(msg);
	} else if (rc > 0)
		ncp_report(r->p, STEP, "%s", abs);
	free(dir);
	free(abs);
	return rc < 0 ? -1 : 0;
}

/* The config, boot file and rcS hook of guest g (index gi); 0 or -1. */
static int
configure(struct lxc_run *r, struct ncp_guest *g, size_t gi,
    const char *cname)
{
	struct nc_buf old = { 0 }, b = { 0 };
	char *abs = NULL;
	int ex, rc, ret = -1;

	/* config: the template's lines, ours in place of its network */
	abs = nc_asprintf(LXC_DIR "/%s/config", cname);
	if ((rc = ncp_read_local(r->p, abs, &old, &ex)) < 0) {
		failed(r, g->name, "%s", strerror(-rc));
		goto cleanup;
	}
	if (ex)
		strip_block(nc_buf_str(&old), old.len, CONF_BEGIN, CONF_END,
		    managed_line, &b);
	else
		nc_buf_printf(&b, "lxc.rootfs.path = dir:%s/%s/rootfs\n",
		    r->lxcpath, cname);
	if (our_config(r, g, gi, &b) < 0 ||
	    put(r, g, cname, "config", &b, 0644) < 0)
		goto cleanup;

	/* the boot file */
	nc_buf_reset(&b);
	nc_buf_printf(&b, "NODE=%s\n", g->name);
	if (r->pn->ninep != NULL && r->pn->ninep[0] != '\0')
		nc_buf_printf(&b, "NINEP=%s\n", r->pn->ninep);
	if (r->pn->aname != NULL && r->pn->aname[0] != '\0')
		nc_buf_printf(&b, "ANAME=%s\n", r->pn->aname);
	if (put(r, g, cname, "rootfs/etc/neoc/node", &b, 0644) < 0)
		goto cleanup;

	/* the rcS hook: the current one in place of any earlier */
	free(abs);
	abs = nc_asprintf(LXC_DIR "/%s/rootfs/etc/init.d/rcS", cname);
	nc_buf_reset(&old);
	nc_buf_reset(&b);
	if ((rc = ncp_read_local(r->p, abs, &old, &ex)) < 0) {
		failed(r, g->name, "%s", strerror(-rc));
		goto cleanup;
	}
	if (!ex || old.len == 0)
		nc_buf_puts(&b, "#!/bin/sh\n");
	else
		strip_block(nc_buf_str(&old), old.len, HOOK_BEGIN, HOOK_END,
		    NULL, &b);
	nc_buf_puts(&b, r->hook);
	if (put(r, g, cname, "rootfs/etc/init.d/rcS", &b, 0755) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	free(abs);
	nc_buf_free(&old);
	nc_buf_free(&b);
	return ret;
}

/* The rcS hook: NCPROV_RC_DIR, the installed copies, or our own line. */
static char *
load_hook(struct ncprov *p)
{
	const char *dir = getenv("NCPROV_RC_DIR");
	struct nc_buf b = { 0 };
	char *path, *s;
	int ex;

	if (dir != NULL && *dir != '\0') {
		path = nc_asprintf("%s/rcS.hook", dir);
		struct ncprov bare = { .root = "" };

		ncp_read_local(&bare, path, &b, &ex);
		free(path);
	}
	if (b.len == 0)
		ncp_read_local(p, "/usr/local/share/neoc/rc/rcS.hook", &b,
		    &ex);
	if (b.len == 0)
		ncp_read_local(p, "/usr/share/neoc/rc/rcS.hook", &b, &ex);
	if (b.len == 0 || strncmp(b.p, HOOK_BEGIN, strlen(HOOK_BEGIN)) ||
	    strstr(b.p, HOOK_END) == NULL) {
		nc_buf_reset(&b);
		nc_buf_puts(&b, HOOK_BEGIN ": provision this container at "
		    "boot (ncprov container) ---\n"
		    "[ -r /etc/neoc/node ] && mkdir -p /var/log/neoc && "
		    "(n=0; "
		    "until /usr/sbin/ncprov status booting; do "
		    "n=$((n + 1)); [ $n -ge 120 ] && exit 1; sleep 1; done; "
		    "/usr/sbin/ncprov container) < /dev/null "
		    ">> /var/log/neoc/ncprov.log 2>&1 &\n" HOOK_END "\n");
	}
	if (b.p[b.len - 1] != '\n')
		nc_buf_puts(&b, "\n");
	s = nc_strdup(b.p);
	nc_buf_free(&b);
	return s;
}

/* Sleep ms milliseconds. */
static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Run a batch of lxc-* commands (bare argv[0]) in parallel, each success
 * reported as run_or_say would; ok[i] tells which succeeded, and, when
 * record, the failures are recorded for the guests who[i].
 */
static void
lxc_batch(struct lxc_run *r, char ***argvs, const char **who, size_t n,
    int *ok, int record)
{
	struct ncp_job *jobs = nc_calloc(n ? n : 1, sizeof(*jobs));
	size_t i, k;
	int rc;

	for (i = 0; i < n; i++) {
		char *prog = ncp_which(argvs[i][0]);

		ok[i] = 0;
		if (prog == NULL) {
			jobs[i].rc = -ENOENT;
			continue;
		}
		for (k = 0; argvs[i][k] != NULL; k++)
			;
		jobs[i].argv = nc_calloc(k + 1, sizeof(char *));
		memcpy(jobs[i].argv, argvs[i], k * sizeof(char *));
		jobs[i].argv[0] = prog;
	}
	/* the jobs without a program are not run (argv NULL): pack the
	 * others to the front, run them, and put them back */
	{
		struct ncp_job *run = nc_calloc(n ? n : 1, sizeof(*run));
		size_t *at = nc_calloc(n ? n : 1, sizeof(*at)), nr = 0;

		for (i = 0; i < n; i++)
			if (jobs[i].argv != NULL) {
				at[nr] = i;
				run[nr++] = jobs[i];
			}
		if ((rc = ncp_run_parallel(run, nr, 0, LXC_TIMEOUT_MS)) < 0)
			for (k = 0; k < nr; k++)
				if (run[k].rc == 0)
					run[k].rc = rc;
		for (k = 0; k < nr; k++)
			jobs[at[k]] = run[k];
		free(run);
		free(at);
	}
	for (i = 0; i < n; i++) {
		char *line = ncp_argv_str(argvs[i]);

		if (jobs[i].argv == NULL) {
			char *msg = nc_asprintf("%s: no %s command (apt-get "
			    "install lxc)", line, argvs[i][0]);

			if (record)
				failed(r, who[i], "%s", msg);
			free(msg);
		} else if (jobs[i].rc == 0) {
			ncp_report(r->p, STEP, "%s", line);
			ok[i] = 1;
		} else if (record) {
			char *msg;

			trim(&jobs[i].out);
			msg = nc_asprintf("%s: %s%s%s", line, jobs[i].rc < 0 ?
			    strerror(-jobs[i].rc) : "failed",
			    jobs[i].out.len ? ": " : "",
			    nc_buf_str(&jobs[i].out));
			failed(r, who[i], "%s", msg);
			free(msg);
		}
		free(line);
		if (jobs[i].argv != NULL)
			free(jobs[i].argv[0]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
}

/* Stop and destroy the containers of ours no longer in the tree (all of
 * them, in parallel: first every lxc-stop -k, then every lxc-destroy);
 * the names kept in *kept (those whose removal failed).  0 or -1. */
static int
remove_gone(struct lxc_run *r, char ***kept, size_t *nkept, size_t *cap)
{
	char **old = NULL, *why = NULL, ***stop, ***destroy, ***again;
	const char **who_s, **who_d, **who_r;
	size_t n = 0, i, j, ns = 0, nd = 0, nr = 0, ng = 0;
	int ret = 0, *ok, *bad;

	if (ncp_state_read(r->p, "lxc", &old, &n) < 0)
		return 0;
	stop = nc_calloc(n + 1, sizeof(*stop));
	destroy = nc_calloc(n + 1, sizeof(*destroy));
	again = nc_calloc(n + 1, sizeof(*again));
	who_s = nc_calloc(n + 1, sizeof(*who_s));
	who_d = nc_calloc(n + 1, sizeof(*who_d));
	who_r = nc_calloc(n + 1, sizeof(*who_r));
	ok = nc_calloc(n + 1, sizeof(*ok));
	bad = nc_calloc(n + 1, sizeof(*bad));
	/* the gone ones to the front of old */
	for (i = 0; i < n; i++) {
		for (j = 0; j < r->pn->nguests; j++)
			if (ncp_guest_is_lxc(r->p, &r->pn->guests[j]) &&
			    strcmp(r->pn->guests[j].name, old[i]) == 0)
				break;
		if (j == r->pn->nguests) {
			char *t = old[ng];

			old[ng++] = old[i];
			old[i] = t;
		}
	}
	if (!may_run(r->p)) {
		for (i = 0; i < ng; i++) {
			char *cname = nc_asprintf("nc-%s", old[i]);
			char *argv[] = { "lxc-destroy", "-P", r->lxcpath, "-n",
			    cname, "-f", NULL };

			lxc_cmd(r, argv, &why);	/* says it would */
			free(why);
			why = NULL;
			free(cname);
		}
		goto cleanup;
	}
	for (i = 0; i < ng; i++) {
		char *cname = nc_asprintf("nc-%s", old[i]);

		if (running(r, cname)) {
			char **a = nc_calloc(7, sizeof(*a));

			a[0] = "lxc-stop";
			a[1] = "-P";
			a[2] = r->lxcpath;
			a[3] = "-n";
			a[4] = nc_strdup(cname);
			a[5] = "-k";
			who_s[ns] = old[i];
			stop[ns++] = a;
		}
		free(cname);
	}
	lxc_batch(r, stop, who_s, ns, ok, 1);
	for (i = 0; i < ns; i++)
		for (j = 0; j < ng; j++)
			if (!ok[i] && who_s[i] == old[j])
				bad[j] = 1;
	for (i = 0; i < ng; i++) {
		char *cname = nc_asprintf("nc-%s", old[i]);

		if (!bad[i] && created(r, cname)) {
			char **a = nc_calloc(7, sizeof(*a));

			a[0] = "lxc-destroy";
			a[1] = "-P";
			a[2] = r->lxcpath;
			a[3] = "-n";
			a[4] = nc_strdup(cname);
			a[5] = "-f";
			who_d[nd] = old[i];
			destroy[nd++] = a;
		}
		free(cname);
	}
	/* lxc-destroy of a container whose lxc-create was cut short may
	 * fail half way and do the rest when run again: once more, after a
	 * pause, those still there */
	lxc_batch(r, destroy, who_d, nd, ok, 0);
	for (i = 0, nr = 0; i < nd; i++) {
		char *dir = nc_asprintf("%s/%s", r->lxcpath, destroy[i][4]);

		if (!ok[i] && exists(dir)) {
			again[nr] = destroy[i];
			who_r[nr++] = who_d[i];
		}
		free(dir);
	}
	if (nr > 0) {
		nap_ms(1000);
		lxc_batch(r, again, who_r, nr, ok, 1);
	}
	for (i = 0; i < nr; i++)
		for (j = 0; j < ng; j++)
			if (!ok[i] && who_r[i] == old[j])
				bad[j] = 1;
	for (i = 0; i < ng; i++) {
		if (bad[i]) {
			*NC_PUSH(*kept, *nkept, *cap) = nc_strdup(old[i]);
			ret = -1;
			continue;
		}
		/* what a --no-start run wrote without lxc-create, or what
		 * a failed lxc-create left */
		char *dir = nc_asprintf("%s/nc-%s", r->lxcpath, old[i]);
		char *rm[] = { "/bin/rm", "-rf", dir, NULL };

		if (exists(dir))
			ncp_run(&(struct ncp_cmd){ .argv = rm, .out_fd = -1 });
		free(dir);
	}
cleanup:
	for (i = 0; i < ns; i++) {
		free(stop[i][4]);
		free(stop[i]);
	}
	for (i = 0; i < nd; i++) {
		free(destroy[i][4]);
		free(destroy[i]);
	}
	free(stop);
	free(destroy);
	free(again);
	free(who_s);
	free(who_d);
	free(who_r);
	free(ok);
	free(bad);
	ncp_names_free(old, n);
	return ret;
}

/* Start the guests not running, in parallel; set their status.  0 or -1. */
static int
start_all(struct lxc_run *r, char **names, size_t n)
{
	struct ncp_job *jobs = nc_calloc(n ? n : 1, sizeof(*jobs));
	char *prog = ncp_which("lxc-start"), *line;
	size_t i, nj = 0;
	int ret = 0, rc;
	const char **who = nc_calloc(n ? n : 1, sizeof(*who));
	char **again = nc_calloc(n ? n : 1, sizeof(*again));
	size_t nagain = 0;

	for (i = 0; i < n; i++) {
		char *cname = nc_asprintf("nc-%s", names[i]);

		if (running(r, cname)) {
			again[nagain++] = names[i];	/* already up */
			free(cname);
			continue;
		}
		if (prog == NULL) {
			failed(r, names[i], "%s", "no lxc-start command");
			free(cname);
			ret = -1;
			continue;
		}
		char **argv = nc_calloc(7, sizeof(*argv));

		argv[0] = prog;
		argv[1] = "-P";
		argv[2] = r->lxcpath;
		argv[3] = "-n";
		argv[4] = cname;
		argv[5] = "-d";
		who[nj] = names[i];
		jobs[nj++].argv = argv;
	}
	/* "booting" before they start: a busybox container may boot and
	 * write "ready" before the last lxc-start returns. */
	for (i = 0; i < nj; i++)
		if ((rc = ncp_guest_status(r->p, who[i], "booting", NULL)) < 0)
			fprintf(stderr, "ncprov: %s: status: %s\n", who[i],
			    strerror(-rc));
	if ((rc = ncp_run_parallel(jobs, nj, 0, LXC_TIMEOUT_MS)) < 0) {
		failed(r, "lxc-start", "%s", strerror(-rc));
		ret = -1;
	}
	for (i = 0; i < nj; i++) {
		line = ncp_argv_str(jobs[i].argv);
		if (jobs[i].rc == 0) {
			ncp_report(r->p, STEP, "%s", line);
		} else {
			struct nc_buf *o = &jobs[i].out;
			char *msg;

			trim(o);
			msg = nc_asprintf("%s: %s%s%s", line, jobs[i].rc < 0 ?
			    strerror(-jobs[i].rc) : "failed", o->len ? ": " :
			    "", nc_buf_str(o));
			failed(r, who[i], "%s", msg);
			ncp_guest_status(r->p, who[i], "failed", msg);
			free(msg);
			ret = -1;
		}
		free(line);
		free(jobs[i].argv[4]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(who);
	free(prog);
	/* the tree may have changed for those already up */
	if (ncp_lxc_reprovision(r->p, r->lxcpath, again, nagain) < 0)
		ret = -1;
	free(again);
	return ret;
}

int
ncp_pnode_lxc(struct ncprov *p, struct ncp_pnode *pn)
{
	struct lxc_run r = { .p = p, .pn = pn };
	char **names = NULL, **made = NULL, *cname;
	size_t n = 0, cap = 0, nm = 0, capm = 0, i, nlxc = 0;
	int ret = 0, mkdired = 0;

	r.lxcpath = ncp_path(p, LXC_DIR);
	if ((r.ncprov = ncp_self_binary("ncprov-static")) == NULL)
		r.ncprov = ncp_self_binary(NULL);
	if ((r.nc9pfs = ncp_self_binary("nc9pfs")) == NULL)
		r.nc9pfs = ncp_which("nc9pfs");
	r.hook = load_hook(p);
	r.ctl = p->control_net ? p->control_net : NCP_CTL_DEFAULT;
	if (ncp_control_parse(r.ctl, &r.ctl_addr, &r.ctl_prefix) < 0) {
		ncp_fail(p, "lxc: control network \"%s\": not A.B.C.D/NN",
		    r.ctl);
		ret = -2;
		goto out;
	}
	r.routed = ncp_control_routed(r.ctl, pn->ninep);
	for (i = 0; i < pn->nguests; i++)
		if (ncp_guest_is_lxc(p, &pn->guests[i]))
			nlxc++;
	if (nlxc > 0 && control_net(&r, 1) < 0)
		ret = -1;
	if (remove_gone(&r, &names, &n, &cap) < 0)
		ret = -1;
	/* The state lists every container that may exist before any is
	 * made (a run cut short, or a failed lxc-create, leaves nothing
	 * down cannot find): those kept after a failed removal, and every
	 * lxc guest. */
	for (i = 0; i < pn->nguests; i++)
		if (ncp_guest_is_lxc(p, &pn->guests[i]))
			*NC_PUSH(names, n, cap) =
			    nc_strdup(pn->guests[i].name);
	if (ncp_state_write(p, "lxc", names, n) < 0) {
		failed(&r, "state", "%s", "cannot write " STATE_FILE);
		ret = -1;
	}
	for (i = 0; i < pn->nguests; i++) {
		struct ncp_guest *g = &pn->guests[i];

		if (!ncp_guest_is_lxc(p, g))
			continue;
		if (!mkdired && ncp_mkdirs(p, LXC_DIR, 0755) < 0) {
			failed(&r, g->name, "%s", "mkdir " LXC_DIR);
			ret = -1;
			break;
		}
		mkdired = 1;
		cname = nc_asprintf("nc-%s", g->name);
		if (create(&r, g, cname) < 0 || configure(&r, g, i, cname) < 0)
			ret = -1;
		else
			*NC_PUSH(made, nm, capm) = g->name;
		free(cname);
	}
	if (!p->no_start && !p->dry_run && start_all(&r, made, nm) < 0)
		ret = -1;
	/* the control bridge goes once no container needs it */
	if (nlxc == 0 && control_net(&r, 0) < 0)
		ret = -1;
	if (ret == -1)
		ncp_fail(p, "lxc: %s", nc_buf_str(&r.errs));
out:
	ncp_names_free(names, n);
	free(made);
	free(r.lxcpath);
	free(r.ncprov);
	free(r.nc9pfs);
	free(r.hook);
	nc_buf_free(&r.errs);
	return ret < 0 ? -1 : 0;
}
