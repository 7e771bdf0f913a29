/*
 * ifaces.c: the ifaces step.  Each experiment interface of the tree
 * (nodes/<node>/ifaces/<if>/{mac,ip,netmask}) is matched by its MAC to a
 * local interface (ROOT/sys/class/net/<dev>/address), which then gets its
 * address and is brought up:
 *
 *   ip addr add IP/PREFIX broadcast + dev DEV   when the address is missing
 *   ip link set dev DEV up                      when IFF_UP is not set
 *
 * The address is added over rtnetlink by ncprov itself (rtnl.c: the
 * request ip makes; no ip process in a booting container), said as the
 * command above; the link, rarely down (LXC brings it up), with ip.
 *
 * Only what is missing is added; addresses we did not give are left alone.
 * A MAC that no local interface has fails the step, after the other
 * interfaces were done.  Routes (nodes/<node>/routes) are the next step's
 * (routes.c).
 *
 * The state comes from ROOT/sys/class/net/<dev>/flags (hexadecimal, IFF_UP
 * is 0x1; a missing file reads as down) and, for the addresses, from
 * getifaddrs(3) when the root is "/" (--root not given): what `ip -o -4
 * addr show dev DEV` would print, without running it (an interface in the
 * state the tree wants costs no command at all).
 * Under --root the commands never run: the addresses are read from
 * ROOT/sys/class/net/<dev>/neoc_test_addrs, a file the tests write (one
 * "IP/PREFIX" per line) to stand in for `ip addr show`, and each command
 * is printed as "would run: ..." and counted as a change.  --dry-run does
 * the same with the real state.  The commands run only without --root and
 * without --dry-run.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "inet.h"
#include "rtnl.h"
#include "run.h"
#include "container_steps.h"
#include "util.h"
#include "valid.h"

#define STEP "ifaces"
#define IP_TIMEOUT_MS 30000	/* for one `ip` command */

/* An interface as the tree describes it. */
struct want {
	const char *name;	/* its name in the tree ("eth1") */
	char mac[18];		/* aa:bb:cc:dd:ee:ff, lower case */
	char ip[INET_ADDRSTRLEN]; /* its address ("" for none) */
	int prefix;		/* the netmask's length */
};

/* Commands run for real: no --root, no --dry-run. */
static int
for_real(const struct ncprov *p)
{
	return p->root[0] == '\0' && !p->dry_run;
}

/* Cut trailing white space (the tree's values end in a newline). */
static void
trim(struct nc_buf *b)
{
	while (b->len > 0 && isspace((unsigned char)b->p[b->len - 1]))
		b->p[--b->len] = '\0';
}

/* Read field (NCT_IFACE_...) of nodes/<node>/ifaces/<name>/, trimmed; 0 or
 * -errno. */
static int
read_field(struct ncprov *p, const char *name, enum nct_id field,
    struct nc_buf *out)
{
	int rc = ncp_read_node(p, field, name, out);

	trim(out);
	return rc;
}

/* A MAC (nc_valid_mac) as "aa:bb:cc:dd:ee:ff"; 0, or -1 when it is not
 * one. */
static int
parse_mac(const char *s, char out[18])
{
	uint8_t mac[6];

	if (nc_valid_mac(s, mac, NULL) < 0)
		return -1;
	nc_mac_format(mac, out);
	return 0;
}

/* The length of a netmask (nc_valid_netmask), or -1. */
static int
mask_prefix(const char *s)
{
	uint32_t m;

	if (nc_valid_netmask(s, &m, NULL) < 0)
		return -1;
	return nc_mask_prefix(m);
}

/* Read the tree's description of interface name into w; 0, or -1 with
 * the reason appended to errs. */
static int
read_want(struct ncprov *p, const char *name, struct want *w,
    struct nc_buf *errs)
{
	struct nc_buf v = { 0 };
	int rc, ret = -1;

	w->name = name;
	if ((rc = read_field(p, name, NCT_IFACE_MAC, &v)) < 0 ||
	    parse_mac(nc_buf_str(&v), w->mac) < 0) {
		nc_buf_printf(errs, "%s%s: bad mac \"%s\"", errs->len ?
		    "; " : "", name, rc < 0 ? strerror(-rc) : nc_buf_str(&v));
		goto out;
	}
	if ((rc = read_field(p, name, NCT_IFACE_IP, &v)) < 0 && rc != -ENOENT) {
		nc_buf_printf(errs, "%s%s: ip: %s", errs->len ? "; " : "",
		    name, strerror(-rc));
		goto out;
	}
	w->ip[0] = '\0';
	if (v.len == 0) {
		ret = 0;	/* no address: only bring it up */
		goto out;
	}
	if (v.len >= sizeof(w->ip) ||
	    nc_valid_ipv4(nc_buf_str(&v), NULL, NULL) < 0) {
		nc_buf_printf(errs, "%s%s: bad ip \"%s\"", errs->len ? "; " :
		    "", name, nc_buf_str(&v));
		goto out;
	}
	memcpy(w->ip, v.p, v.len + 1);
	if ((rc = read_field(p, name, NCT_IFACE_NETMASK, &v)) < 0 ||
	    (w->prefix = mask_prefix(nc_buf_str(&v))) < 0) {
		nc_buf_printf(errs, "%s%s: bad netmask \"%s\"", errs->len ?
		    "; " : "", name, rc < 0 ? strerror(-rc) :
		    nc_buf_str(&v));
		goto out;
	}
	ret = 0;
out:
	nc_buf_free(&v);
	return ret;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read ROOT/sys/class/net/<dev>/<file> (trimmed); 0 or -errno. */
static int
read_sys(const struct ncprov *p, const char *dev, const char *file,
    struct nc_buf *out, int *exists)
{
	char *abs = nc_asprintf("/sys/class/net/%s/%s", dev, file);
	int rc;

	nc_buf_reset(out);
	rc = ncp_read_local(p, abs, out, exists);
	free(abs);
	trim(out);
	return rc;
}

/* The local interfaces, sorted by name (a malloc'd array). */
static int
list_devs(const struct ncprov *p, char ***devs, size_t *n)
{
	char *dir = ncp_path(p, "/sys/class/net");
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*devs = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		int rc = errno == ENOENT ? 0 : -errno;

		free(dir);
		return rc;
	}
	while ((de = readdir(d)) != NULL)
		if (nc_valid_ifname(de->d_name, NULL) == 0)
			*NC_PUSH(*devs, *n, cap) = nc_strdup(de->d_name);
	closedir(d);
	free(dir);
	if (*n > 1)
		qsort(*devs, *n, sizeof(**devs), cmp_str);
	return 0;
}

/* The first local interface (by name) whose address is mac, or NULL. */
static const char *
find_dev(const struct ncprov *p, char **devs, size_t n, const char *mac)
{
	struct nc_buf addr = { 0 };
	char norm[18];
	const char *found = NULL;
	size_t i;
	int exists;

	for (i = 0; i < n && found == NULL; i++) {
		if (read_sys(p, devs[i], "address", &addr, &exists) < 0 ||
		    !exists || parse_mac(nc_buf_str(&addr), norm) < 0)
			continue;
		if (strcmp(norm, mac) == 0)
			found = devs[i];
	}
	nc_buf_free(&addr);
	return found;
}

/* Is "IP/PREFIX" one of the lines of list? */
static int
has_addr(const struct nc_buf *list, const char *addr)
{
	const char *s = nc_buf_str(list);
	size_t len = strlen(addr);

	for (; (s = strstr(s, addr)) != NULL; s += len)
		if ((s == list->p || s[-1] == '\n') &&
		    (s[len] == '\n' || s[len] == '\0'))
			return 1;
	return 0;
}

/* The IPv4 addresses dev has now, as "IP/PREFIX" lines; 0 or -1 with the
 * reason in errs. */
static int
dev_addrs(const struct ncprov *p, const char *dev, struct nc_buf *out,
    struct nc_buf *errs)
{
	struct nc_buf text = { 0 };
	struct ifaddrs *ifs, *a;
	char addr[INET_ADDRSTRLEN];
	size_t dlen = strlen(dev);
	int exists, rc, ret = -1;

	nc_buf_reset(out);
	if (p->root[0] != '\0') {
		rc = read_sys(p, dev, "neoc_test_addrs", &text, &exists);
		if (rc < 0) {
			nc_buf_printf(errs, "%s%s: neoc_test_addrs: %s",
			    errs->len ? "; " : "", dev, strerror(-rc));
			goto out;
		}
		nc_buf_add(out, nc_buf_str(&text), text.len);
		nc_buf_puts(out, "\n");
		ret = 0;
		goto out;
	}
	if (getifaddrs(&ifs) < 0) {
		nc_buf_printf(errs, "%sgetifaddrs: %s", errs->len ? "; " : "",
		    strerror(errno));
		goto out;
	}
	/* a labelled address ("eth1:0") is dev's too, as `ip addr show
	 * dev` has it */
	for (a = ifs; a != NULL; a = a->ifa_next) {
		if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
		    a->ifa_netmask == NULL ||
		    strncmp(a->ifa_name, dev, dlen) != 0 ||
		    (a->ifa_name[dlen] != '\0' && a->ifa_name[dlen] != ':'))
			continue;
		nc_ip_format(ntohl(((struct sockaddr_in *)(void *)
		    a->ifa_addr)->sin_addr.s_addr), addr);
		nc_buf_printf(out, "%s/%d\n", addr, nc_mask_prefix(ntohl(
		    ((struct sockaddr_in *)(void *)a->ifa_netmask)->
		    sin_addr.s_addr)));
	}
	freeifaddrs(ifs);
	ret = 0;
out:
	nc_buf_free(&text);
	return ret;
}

/* Is IFF_UP set for dev? */
static int
dev_up(const struct ncprov *p, const char *dev)
{
	struct nc_buf flags = { 0 };
	int exists, up = 0;

	if (read_sys(p, dev, "flags", &flags, &exists) == 0 && exists)
		up = (strtoul(nc_buf_str(&flags), NULL, 16) & 0x1) != 0;
	nc_buf_free(&flags);
	return up;
}

/* Run `ip ARGS...` (or say it would); 0, or -1 with the reason in errs. */
static int
ip_cmd(struct ncprov *p, char **args, struct nc_buf *errs)
{
	char *argv[12], *line;
	int i, ret = 0;

	argv[0] = "ip";
	for (i = 0; args[i] != NULL && i < 10; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	line = ncp_argv_str(argv);
	if (!for_real(p))
		ncp_report(p, STEP, "would run: %s", line);
	else if ((ret = ncp_run_noting(argv, IP_TIMEOUT_MS, errs)) == 0)
		ncp_report(p, STEP, "%s", line);
	free(line);
	return ret;
}

/* Add addr (w's "IP/PREFIX") to dev, over rtnetlink (rtnl.c), said as
 * the ip command that does the same (or that it would); 0, or -1 with the
 * reason in errs. */
static int
addr_add(struct ncprov *p, const char *dev, const struct want *w,
    const char *addr, struct nc_buf *errs)
{
	char *argv[] = { "ip", "addr", "add", (char *)addr, "broadcast", "+",
	    "dev", (char *)dev, NULL };
	char *line = ncp_argv_str(argv);
	uint32_t ip;
	int rc = 0;

	if (!for_real(p))
		ncp_report(p, STEP, "would run: %s", line);
	else if ((rc = nc_ip_parse(w->ip, &ip) < 0 ? -EINVAL :
	    ncp_rtnl_addr_add(dev, ip, w->prefix)) < 0)
		nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "", line,
		    strerror(-rc));
	else
		ncp_report(p, STEP, "%s", line);
	free(line);
	return rc < 0 ? -1 : 0;
}

/* Give dev the address of w and bring it up; 0 or -1 (errs). */
static int
configure(struct ncprov *p, const char *dev, const struct want *w,
    struct nc_buf *errs)
{
	struct nc_buf have = { 0 };
	char addr[INET_ADDRSTRLEN + 4];
	int ret = 0;

	if (w->ip[0] != '\0') {
		snprintf(addr, sizeof(addr), "%s/%d", w->ip, w->prefix);
		if (dev_addrs(p, dev, &have, errs) < 0)
			ret = -1;
		else if (!has_addr(&have, addr) &&
		    addr_add(p, dev, w, addr, errs) < 0)
			ret = -1;
	}
	if (!dev_up(p, dev) && ip_cmd(p, (char *[]){ "link", "set", "dev",
	    (char *)dev, "up", NULL }, errs) < 0)
		ret = -1;
	nc_buf_free(&have);
	return ret;
}

int
ncp_step_ifaces(struct ncprov *p)
{
	struct nc_buf errs = { 0 }, missing = { 0 };
	char dir[NCT_PATH_MAX];
	char **names = NULL, **devs = NULL;
	size_t n = 0, ndevs = 0, i;
	const char *dev;
	struct want w;
	int rc;

	if ((rc = nct_dir_path(dir, sizeof(dir), NCT_D_IFACES, p->node,
	    NULL)) >= 0)
		rc = p->src.ops->list(p->src.impl, dir, &names, &n);
	if (rc == -ENOENT) {
		rc = 0;		/* a node without interfaces */
		goto out;
	}
	if (rc < 0) {
		ncp_fail(p, "reading ifaces: %s", strerror(-rc));
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	if ((rc = list_devs(p, &devs, &ndevs)) < 0) {
		ncp_fail(p, "/sys/class/net: %s", strerror(-rc));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (read_want(p, names[i], &w, &errs) < 0)
			continue;
		if ((dev = find_dev(p, devs, ndevs, w.mac)) == NULL) {
			nc_buf_printf(&missing, "%s%s (%s)", missing.len ?
			    ", " : "", w.mac, w.name);
			continue;
		}
		configure(p, dev, &w, &errs);
	}
	rc = 0;
	if (missing.len > 0) {
		rc = ncp_fail(p, "no interface with MAC %s%s%s",
		    nc_buf_str(&missing), errs.len ? "; " : "",
		    nc_buf_str(&errs));
	} else if (errs.len > 0) {
		rc = ncp_fail(p, "%s", nc_buf_str(&errs));
	}
out:
	ncp_names_free(names, n);
	for (i = 0; i < ndevs; i++)
		free(devs[i]);
	free(devs);
	nc_buf_free(&errs);
	nc_buf_free(&missing);
	return rc < 0 ? -1 : 0;
}
