/*
 * pnode_control.c: the control network of the lxc guests (pnode.h), made
 * and torn down by the lxc backend (pnode_lxc.c).
 *
 * While there is an lxc guest, the bridge ncctl0 (pnode.h) exists with
 * the address of --control-net and is up; each guest's first NIC
 * (lxc.net.0, pnode_lxc_conf.c) is a veth "ctl0" on it with a static
 * address (network + 10 + the guest's index in the pnode's container
 * list) and the network's broadcast address, its experiment NICs
 * lxc.net.1..N; the pnode writes that address into each guest's
 * nodes/<guest>/control when it makes the network (not with --no-start).  When the guests' 9P server
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
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "run.h"
#include "util.h"

#define STEP "containers"
#define CTL_STATE "/var/lib/neoc/control"	/* the control bridge made */
#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"	/* this netns' */

void
ncp_control_bridge_name(size_t k, char out[16])
{
	if (k == 0)
		snprintf(out, 16, "%s", NCP_CTL_BRIDGE);
	else
		snprintf(out, 16, "ncctl%zu", k % 100000);
}

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

int
ncp_control_guest_addr(const struct lxc_run *r, size_t i, char *out,
    size_t len)
{
	unsigned long mask = (0xffffffffUL << (32 - r->ctl_prefix)) &
	    0xffffffffUL, net = r->ctl_addr & mask, a;
	unsigned long bcast = net | (~mask & 0xffffffffUL);
	struct in_addr in;
	char ip[INET_ADDRSTRLEN], bc[INET_ADDRSTRLEN];
	int n;

	if (i > (~mask & 0xffffffffUL))
		return -1;
	a = net + NCP_CTL_FIRST + i;
	/* in the network, not its broadcast, not the bridge's own */
	if ((a & mask) != net || a == bcast || a == r->ctl_addr)
		return -1;
	in.s_addr = htonl((uint32_t)a);
	if (inet_ntop(AF_INET, &in, ip, sizeof(ip)) == NULL)
		return -1;
	in.s_addr = htonl((uint32_t)bcast);
	if (inet_ntop(AF_INET, &in, bc, sizeof(bc)) == NULL)
		return -1;
	n = snprintf(out, len, "%s/%d %s", ip, r->ctl_prefix, bc);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * nodes/<g>/control of every lxc guest: its control address, for neoc
 * status and the control node's /etc/hosts.  A failed write is said, not
 * a failure of the step (an older server has no such file).
 */
static void
publish(struct lxc_run *r)
{
	char addr[2 * INET_ADDRSTRLEN + 8], path[NCT_PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < r->pn->nguests; i++) {
		const char *g = r->pn->guests[i].name;

		if (!ncp_guest_is_lxc(r->p, &r->pn->guests[i]) ||
		    ncp_control_guest_addr(r, i, addr, sizeof(addr)) < 0 ||
		    nct_path(path, sizeof(path), NCT_NODE_CONTROL, g,
		    NULL) < 0)
			continue;
		/* "A.B.C.D/NN BCAST": the address alone, and a newline */
		snprintf(addr + strcspn(addr, "/"), 2, "\n");
		if ((rc = r->p->src.ops->write(r->p->src.impl, path, addr,
		    strlen(addr))) < 0)
			fprintf(stderr, "ncprov: %s: %s\n", path,
			    strerror(-rc));
	}
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

/* ncp_lxc_run_or_say with the reason, on a failure, added to *w. */
static int
run_or_say(struct lxc_run *r, char **argv, int dry, char **w)
{
	char why[NCP_LXC_WHY];
	int rc = ncp_lxc_run_or_say(r, argv, dry, why, sizeof(why));

	if (rc < 0)
		add_why(w, nc_strdup(why));
	return rc;
}

/* The bridge part of ncp_control_net: make it (want) or delete ours; its
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
		/* A fixed address: a bridge takes the lowest of its ports'
		 * otherwise, and changes it as guests' veths come and go,
		 * which the guests' ARP caches do not follow (their 9P
		 * connections to this address then stall). */
		char *add[] = { "ip", "link", "add", NCP_CTL_BRIDGE, "address",
		    NCP_CTL_MAC, "type", "bridge", NULL };
		char *flush[] = { "ip", "addr", "flush", "dev",
		    NCP_CTL_BRIDGE, NULL };
		char *addr[] = { "ip", "addr", "replace", (char *)r->ctl,
		    "dev", NCP_CTL_BRIDGE, NULL };
		char *up[] = { "ip", "link", "set", NCP_CTL_BRIDGE, "up",
		    NULL };

		/* in the state before it is made: a run cut short after
		 * `ip link add` leaves it to be found */
		nc_buf_printf(next, "%s\n", line);
		there = real ?
		    ncp_lxc_exists("/sys/class/net/" NCP_CTL_BRIDGE) : ours;
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
	if (ours && (!real ||
	    ncp_lxc_exists("/sys/class/net/" NCP_CTL_BRIDGE))) {
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

/* How many control bridges the lxc guests need (0: none). */
static size_t
ctl_bridges_needed(const struct lxc_run *r)
{
	size_t i, need = 0;

	for (i = 0; i < r->pn->nguests; i++)
		if (ncp_guest_is_lxc(r->p, &r->pn->guests[i]))
			need = i / NCP_CTL_PER_BRIDGE + 1;
	return need;
}

/* Is interface name up (IFF_UP)? */
static int
link_up(const char *name)
{
	char *path = nc_asprintf("/sys/class/net/%s/flags", name);
	FILE *f = fopen(path, "re");
	unsigned long flags = 0;

	free(path);
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lx", &flags) != 1)
		flags = 0;
	fclose(f);
	return (flags & 0x1) != 0;
}

/* Is port a port of bridge br (its master)? */
static int
link_on(const char *port, const char *br)
{
	char *path = nc_asprintf("/sys/class/net/%s/master", port), buf[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	const char *base;

	free(path);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	return strcmp(base ? base + 1 : buf, br) == 0;
}

/*
 * The control bridges past the first (want: as many as the guests need,
 * else none): bridge k with its veth pair to ncctl0, made when missing;
 * ours beyond what is needed deleted (with the bridge, its veth goes).
 * State lines "split ncctlK" go to next while they are (or may be)
 * there.  0, or -1 with the reason in *why.
 */
static int
ctl_split(struct lxc_run *r, int want, const char *old, struct nc_buf *next,
    char **why)
{
	int real = r->p->root[0] == '\0', dry = !real || r->p->dry_run;
	size_t need = want ? ctl_bridges_needed(r) : 0, k, had = 0;
	char *w = NULL;
	const char *s, *e;
	int ret = 0;

	/* the most the state says we made */
	for (s = old; *s != '\0'; s = *e ? e + 1 : e) {
		unsigned long v;

		e = s + strcspn(s, "\n");
		if (sscanf(s, "split ncctl%lu", &v) == 1 && v + 1 > had)
			had = v + 1;
	}
	for (k = 1; k < need || k < had; k++) {
		char br[16], up[16], pe[16], line[32], *sysbr;
		int mine, there;

		ncp_control_bridge_name(k, br);
		snprintf(up, sizeof(up), "ncctl%zuup", k % 100000);
		snprintf(pe, sizeof(pe), "ncctl%zupe", k % 100000);
		snprintf(line, sizeof(line), "split %s", br);
		mine = state_has(old, line);
		sysbr = nc_asprintf("/sys/class/net/%s", br);
		there = real ? ncp_lxc_exists(sysbr) : mine;
		free(sysbr);
		if (k < need) {
			char *add[] = { "ip", "link", "add", br, "type",
			    "bridge", NULL };
			char *veth[] = { "ip", "link", "add", up, "type",
			    "veth", "peer", "name", pe, NULL };
			char *m1[] = { "ip", "link", "set", up, "master", br,
			    NULL };
			char *m2[] = { "ip", "link", "set", pe, "master",
			    NCP_CTL_BRIDGE, NULL };
			char *u1[] = { "ip", "link", "set", up, "up", NULL };
			char *u2[] = { "ip", "link", "set", pe, "up", NULL };
			char *u3[] = { "ip", "link", "set", br, "up", NULL };
			char *sysup = nc_asprintf("/sys/class/net/%s", up);
			int vthere = real ? ncp_lxc_exists(sysup) : mine;

			free(sysup);
			nc_buf_printf(next, "%s\n", line);
			if (there && vthere && (!real || (link_up(br) &&
			    link_up(up) && link_up(pe) && link_on(up, br) &&
			    link_on(pe, NCP_CTL_BRIDGE))))
				continue;
			if ((!there && run_or_say(r, add, dry, &w) < 0) ||
			    (!vthere && run_or_say(r, veth, dry, &w) < 0) ||
			    run_or_say(r, m1, dry, &w) < 0 ||
			    run_or_say(r, m2, dry, &w) < 0 ||
			    run_or_say(r, u1, dry, &w) < 0 ||
			    run_or_say(r, u2, dry, &w) < 0 ||
			    run_or_say(r, u3, dry, &w) < 0)
				ret = -1;
			continue;
		}
		if (mine && there) {
			char *del[] = { "ip", "link", "del", br, NULL };
			char *delv[] = { "ip", "link", "del", up, NULL };
			char *sysup = nc_asprintf("/sys/class/net/%s", up);

			if (run_or_say(r, del, dry, &w) < 0) {
				nc_buf_printf(next, "%s\n", line);
				ret = -1;
			} else if (real && ncp_lxc_exists(sysup))
				run_or_say(r, delv, dry, &w);
			free(sysup);
		}
	}
	add_why(why, w);
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

int
ncp_control_net(struct lxc_run *r, int want)
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
	if (!want && ctl_split(r, 0, nc_buf_str(&st), &next, &why) < 0)
		ret = -1;
	if (ctl_bridge(r, want, nc_buf_str(&st), line, &next, &why) < 0)
		ret = -1;
	if (want && ctl_split(r, 1, nc_buf_str(&st), &next, &why) < 0)
		ret = -1;
	if (want && !p->dry_run && !p->no_start)
		publish(r);
	if (ctl_nat(r, want, nc_buf_str(&st), &next, &why) < 0)
		ret = -1;
	if (ret < 0)
		ncp_lxc_failed(r, NCP_CTL_BRIDGE, "%s", why ? why : "failed");
	if (!p->dry_run && (ahead_written ||
	    strcmp(nc_buf_str(&st), nc_buf_str(&next)) != 0) &&
	    (ex || next.len > 0)) {
		if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) >= 0)
			rc = ncp_replace(p, CTL_STATE, nc_buf_str(&next),
			    next.len, 0644, 0, 0);
		if (rc < 0) {
			ncp_lxc_failed(r, NCP_CTL_BRIDGE, CTL_STATE ": %s",
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
