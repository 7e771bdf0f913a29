/*
 * routes.c: the routes step.  The node's static routes
 * (nodes/<node>/routes, "DST/PREFIX via GW" lines that neoc computed at
 * import for `$ns rtproto Static`, or the NS file's add-route lines, or
 * what an administrator wrote) are installed with
 *
 *   ip route replace DST/PREFIX via GW     a route missing or elsewhere
 *   ip route del DST/PREFIX via GW         one of ours no longer wanted
 *
 * (what those commands ask the kernel, asked over rtnetlink by ncprov
 * itself, rtnl.c: no ip process; the log says the commands)
 * and forwarding is turned on when nodes/<node>/forwarding says 1 (the
 * node has two or more interfaces and the experiment has routes, or it is
 * some route's next hop): "1" into /proc/sys/net/ipv4/ip_forward.  Both
 * forms are those of iproute2's ip and of busybox's ip applet.
 *
 * The routes we installed, and whether we turned forwarding on, are
 * remembered in ROOT/var/lib/neoc/routes (route lines, then "forwarding"):
 * a route of ours that left the tree is deleted, routes we did not install
 * are left alone, and forwarding we turned on is turned off again when the
 * node stops forwarding.
 *
 * The routes in place come from /proc/net/route (the main table, as `ip
 * -4 route show` prints it, read without running ip) when the root is "/";
 * under --root the commands never run: the routes are read from
 * ROOT/proc/net/neoc_test_routes (a file the tests write in the format of
 * `ip route show`), and each command is printed as "would run: ..." and
 * counted as a change; the forwarding file is ROOT's.  --dry-run prints
 * the same from the real state and writes nothing.  The commands run only
 * without --root and without --dry-run.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container_steps.h"
#include "files.h"
#include "inet.h"
#include "rtnl.h"
#include "run.h"
#include "util.h"
#include "valid.h"

#define STEP "routes"
#define STATE "/var/lib/neoc/routes"
#define FORWARD "/proc/sys/net/ipv4/ip_forward"
#define TEST_ROUTES "/proc/net/neoc_test_routes"
#define PROC_ROUTES "/proc/net/route"
#define PROC_RTF_UP 0x0001	/* /proc/net/route's flags (RTF_UP) */
#define PROC_RTF_GATEWAY 0x0002	/* RTF_GATEWAY: a route via a next hop */
#define PROC_RTF_REJECT 0x0200	/* RTF_REJECT: unreachable, prohibit */
#define FORWARD_WORD "forwarding"

/* One route. */
struct route {
	uint32_t dst;		/* destination network, host order */
	int prefix;		/* its length (0 with dst 0: default) */
	uint32_t gw;		/* the next hop */
};

/* A set of routes. */
struct routes {
	struct route *v;	/* the routes, in their order */
	size_t n, cap;
};

/* Commands run for real: no --root, no --dry-run. */
static int
for_real(const struct ncprov *p)
{
	return p->root[0] == '\0' && !p->dry_run;
}

/* The route to r's destination in s, or NULL. */
static const struct route *
find(const struct routes *s, const struct route *r)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].dst == r->dst && s->v[i].prefix == r->prefix)
			return &s->v[i];
	return NULL;
}

/* "DST/PREFIX" or "default" of r into buf. */
static const char *
dst_text(const struct route *r, char buf[24])
{
	char d[16];

	if (r->dst == 0 && r->prefix == 0)
		snprintf(buf, 24, "default");
	else
		snprintf(buf, 24, "%s/%d", nc_ip_format(r->dst, d),
		    r->prefix);
	return buf;
}

/*
 * Parse text, one route a line: with strict set, the tree's form
 * (nc_valid_route; a bad line fails with its number in errs); else lines
 * of `ip route show` ("DST [via GW] [dev D] ..."; a DST without "/" is a
 * host, lines without "via" skipped) and the state file's "forwarding".
 */
static int
parse(const char *text, int strict, struct routes *out, int *forwarding,
    struct nc_buf *errs)
{
	char *copy = nc_strdup(text), *line, *save = NULL, *w[4], *s2;
	const char *why;
	struct route r;
	int lineno = 0, k, rc = 0;
	size_t len;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		len = strlen(line);
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (strict) {
			if (nc_valid_route(line, &r.dst, &r.prefix, &r.gw,
			    &why) < 0) {
				nc_buf_printf(errs, "routes line %d \"%s\" %s",
				    lineno, line, why);
				rc = -1;
				break;
			}
		} else if (strcmp(line, FORWARD_WORD) == 0) {
			*forwarding = 1;
			continue;
		} else {
			/* DST via GW ...: the first four words */
			for (k = 0, s2 = line; k < 4; k++) {
				w[k] = s2;
				while (*s2 != '\0' && *s2 != ' ' && *s2 != '\t')
					s2++;
				if (*s2 != '\0')
					*s2++ = '\0';
				while (*s2 == ' ' || *s2 == '\t')
					s2++;
			}
			if (strcmp(w[1], "via") != 0)
				continue;
			if (strcmp(w[0], "default") == 0) {
				r.dst = 0;
				r.prefix = 0;
			} else if (strchr(w[0], '/') == NULL) {
				if (nc_ip_parse(w[0], &r.dst) < 0)
					continue;
				r.prefix = 32;
			} else {
				char *t = nc_asprintf("%s via %s", w[0], w[2]);

				k = nc_valid_route(t, &r.dst, &r.prefix, &r.gw,
				    NULL);
				free(t);
				if (k < 0)
					continue;
			}
			if (nc_ip_parse(w[2], &r.gw) < 0)
				continue;
		}
		if (find(out, &r) == NULL)
			*NC_PUSH(out->v, out->n, out->cap) = r;
	}
	free(copy);
	return rc;
}

/*
 * The lines of /proc/net/route ("IFACE DEST GATEWAY FLAGS REFCNT USE
 * METRIC MASK ...", addresses as 8 hex digits of the address's bytes in
 * memory order) with a next hop, as `ip route show` prints them ("DST/N
 * via GW"), into out.
 */
static void
proc_routes(const char *text, struct nc_buf *out)
{
	char ifname[32], d[16], g[16];
	unsigned dst, gw, flags, mask;
	const char *line, *nl;
	int prefix;

	for (line = text; *line != '\0'; line = nl + 1) {
		if (sscanf(line, "%31s %x %x %x %*d %*u %*d %x", ifname, &dst,
		    &gw, &flags, &mask) == 5 &&
		    (flags & (PROC_RTF_UP | PROC_RTF_GATEWAY |
		    PROC_RTF_REJECT)) == (PROC_RTF_UP | PROC_RTF_GATEWAY) &&
		    (prefix = nc_mask_prefix(ntohl(mask))) >= 0)
			nc_buf_printf(out, "%s/%d via %s dev %s\n",
			    nc_ip_format(ntohl(dst), d), prefix,
			    nc_ip_format(ntohl(gw), g), ifname);
		if ((nl = strchr(line, '\n')) == NULL)
			break;
	}
}

/* The routes in place now; 0 or -1 with the reason in errs. */
static int
routes_now(struct ncprov *p, struct routes *now, struct nc_buf *errs)
{
	struct nc_buf text = { 0 }, raw = { 0 };
	int exists, rc, ret = -1, unused = 0;

	if (p->root[0] != '\0') {
		if ((rc = ncp_read_local(p, TEST_ROUTES, &text, &exists)) < 0) {
			nc_buf_printf(errs, "%s: %s", TEST_ROUTES,
			    strerror(-rc));
			goto out;
		}
	} else {
		if ((rc = ncp_read_local(p, PROC_ROUTES, &raw, &exists)) < 0) {
			nc_buf_printf(errs, "%s: %s", PROC_ROUTES,
			    strerror(-rc));
			goto out;
		}
		proc_routes(nc_buf_str(&raw), &text);
	}
	parse(nc_buf_str(&text), 0, now, &unused, errs);
	ret = 0;
out:
	nc_buf_free(&raw);
	nc_buf_free(&text);
	return ret;
}

/* What `ip route VERB DST via GW` does (VERB replace or del), over
 * rtnetlink (rtnl.c: no ip process), said as that command (or that it
 * would be done); 0 or -1 (errs). */
static int
ip_route(struct ncprov *p, const char *verb, const struct route *r,
    struct nc_buf *errs)
{
	char dst[24], gw[16], *line;
	char *argv[] = { "ip", "route", (char *)verb, dst, "via", gw, NULL };
	int ret = 0, rc;

	dst_text(r, dst);
	nc_ip_format(r->gw, gw);
	line = ncp_argv_str(argv);
	if (!for_real(p)) {
		ncp_report(p, STEP, "would run: %s", line);
	} else if ((rc = ncp_rtnl_route(strcmp(verb, "del") == 0, r->dst,
	    r->prefix, r->gw)) < 0) {
		nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "", line,
		    strerror(-rc));
		ret = -1;
	} else {
		ncp_report(p, STEP, "%s", line);
	}
	free(line);
	return ret;
}

/* Write value ("0" or "1") to ROOT/proc/sys/net/ipv4/ip_forward (or say
 * it would); 0 or -1 (errs). */
static int
set_forward(struct ncprov *p, const char *value, struct nc_buf *errs)
{
	char *path;
	int fd, ret = -1, rc;

	if (p->dry_run) {
		ncp_report(p, STEP, "would write %s to %s", value, FORWARD);
		return 0;
	}
	if (p->root[0] != '\0' && (rc = ncp_mkdirs(p, "/proc/sys/net/ipv4",
	    0755)) < 0) {
		nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "",
		    FORWARD, strerror(-rc));
		return -1;
	}
	path = ncp_path(p, FORWARD);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC |
	    (p->root[0] != '\0' ? O_CREAT : 0), 0644);
	if (fd < 0 || write(fd, value, 1) != 1 || write(fd, "\n", 1) != 1) {
		nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "",
		    FORWARD, strerror(errno));
		goto out;
	}
	ncp_report(p, STEP, "%s: %s", FORWARD, value);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* Remember our routes and forwarding in ROOT/var/lib/neoc/routes. */
static int
save_state(struct ncprov *p, const struct routes *ours, int forwarding)
{
	struct nc_buf text = { 0 }, old = { 0 };
	char dst[24], gw[16];
	size_t i;
	int exists, rc = 0;

	if (p->dry_run)
		return 0;
	for (i = 0; i < ours->n; i++)
		nc_buf_printf(&text, "%s via %s\n", dst_text(&ours->v[i], dst),
		    nc_ip_format(ours->v[i].gw, gw));
	if (forwarding)
		nc_buf_puts(&text, FORWARD_WORD "\n");
	if ((rc = ncp_read_local(p, STATE, &old, &exists)) < 0)
		goto out;
	if (!exists && text.len == 0)
		goto out;
	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) < 0)
		goto out;
	rc = ncp_replace(p, STATE, nc_buf_str(&text), text.len, 0644, 0, 0);
out:
	nc_buf_free(&text);
	nc_buf_free(&old);
	return rc < 0 ? rc : 0;
}

int
ncp_step_routes(struct ncprov *p)
{
	struct nc_buf tree = { 0 }, errs = { 0 }, v = { 0 };
	struct routes want = { 0 }, had = { 0 }, now = { 0 }, ours = { 0 };
	const struct route *r;
	int rc, exists, forward, forwarding_ours = 0, unused = 0, on;
	size_t i;

	if ((rc = ncp_read_node(p, NCT_NODE_ROUTES, NULL, &tree)) < 0 &&
	    rc != -ENOENT) {
		rc = ncp_fail(p, "reading routes: %s", strerror(-rc));
		goto out;
	}
	if (parse(nc_buf_str(&tree), 1, &want, &unused, &errs) < 0) {
		rc = ncp_fail(p, "%s", nc_buf_str(&errs));
		goto out;
	}
	if ((rc = ncp_read_node(p, NCT_NODE_FORWARDING, NULL, &v)) < 0 &&
	    rc != -ENOENT) {
		rc = ncp_fail(p, "reading forwarding: %s", strerror(-rc));
		goto out;
	}
	forward = v.len > 0 && v.p[0] == '1';
	nc_buf_reset(&v);
	if ((rc = ncp_read_local(p, STATE, &v, &exists)) < 0) {
		rc = ncp_fail(p, "%s: %s", STATE, strerror(-rc));
		goto out;
	}
	parse(nc_buf_str(&v), 0, &had, &forwarding_ours, &errs);
	if (routes_now(p, &now, &errs) < 0) {
		rc = ncp_fail(p, "%s", nc_buf_str(&errs));
		goto out;
	}
	/* Forwarding first: a router forwards once its routes are in. */
	nc_buf_reset(&v);
	if ((rc = ncp_read_local(p, FORWARD, &v, &exists)) < 0) {
		rc = ncp_fail(p, "%s: %s", FORWARD, strerror(-rc));
		goto out;
	}
	on = v.len > 0 && v.p[0] == '1';
	if (forward && !on) {
		if (set_forward(p, "1", &errs) == 0)
			forwarding_ours = 1;
	} else if (!forward && on && forwarding_ours) {
		if (set_forward(p, "0", &errs) == 0)
			forwarding_ours = 0;
	} else if (!forward) {
		forwarding_ours = 0;
	}
	/* Ours no longer wanted: deleted when still in place. */
	for (i = 0; i < had.n; i++) {
		if (find(&want, &had.v[i]) != NULL)
			continue;
		r = find(&now, &had.v[i]);
		if (r != NULL && r->gw == had.v[i].gw &&
		    ip_route(p, "del", &had.v[i], &errs) < 0)
			*NC_PUSH(ours.v, ours.n, ours.cap) = had.v[i];
	}
	/* Wanted: replaced when missing or elsewhere. */
	for (i = 0; i < want.n; i++) {
		r = find(&now, &want.v[i]);
		if ((r == NULL || r->gw != want.v[i].gw) &&
		    ip_route(p, "replace", &want.v[i], &errs) < 0)
			continue;
		*NC_PUSH(ours.v, ours.n, ours.cap) = want.v[i];
	}
	if ((rc = save_state(p, &ours, forwarding_ours)) < 0)
		nc_buf_printf(&errs, "%s%s: %s", errs.len ? "; " : "", STATE,
		    strerror(-rc));
	rc = errs.len > 0 ? ncp_fail(p, "%s", nc_buf_str(&errs)) : 0;
out:
	free(want.v);
	free(had.v);
	free(now.v);
	free(ours.v);
	nc_buf_free(&tree);
	nc_buf_free(&errs);
	nc_buf_free(&v);
	return rc < 0 ? -1 : 0;
}
