/*
 * exp_fixture.h: experiments built in code for the store and JSON tests
 * (test_store.c, test_json.c), and a field-by-field comparison of two
 * experiments with cmocka assertions.  Header-only: static functions.
 */
#ifndef NC_EXP_FIXTURE_H
#define NC_EXP_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "inet.h"
#include "model.h"
#include "util.h"

/* Each test uses some of these helpers. */
#define FX_FN static __attribute__((unused))

/* Comparison flags: what a path through the store or JSON normalises. */
enum {
	CMP_EXACT = 0,
	CMP_STORE = 1,		/* NULL in NOT NULL columns reads back as
				 * '' (password '*', failure_action fatal) */
	CMP_JSON = 2,		/* masks become explicit, no password */
	CMP_SECRETS = 4,	/* with CMP_JSON: the password was exported */
};

FX_FN uint32_t
fx_ip(const char *s)
{
	uint32_t ip = 0;

	assert_int_equal(nc_ip_parse(s, &ip), 0);
	return ip;
}

FX_FN void
fx_mac(uint8_t mac[6], const char *s)
{
	assert_int_equal(nc_mac_parse(s, mac), 0);
}

/* Address an interface: ip, MAC and (0: the LAN's) mask. */
FX_FN void
fx_addr(struct nc_exp *e, size_t node, size_t iface, const char *ip,
    const char *mac, const char *mask)
{
	struct nc_iface *f = &e->nodes[node].ifaces[iface];

	if (ip != NULL)
		f->ip = fx_ip(ip);
	if (mac != NULL) {
		fx_mac(f->mac, mac);
		f->has_mac = 1;
	}
	if (mask != NULL)
		assert_int_equal(nc_mask_parse(mask, &f->mask), 0);
}

FX_FN void
fx_strv(char ***v, size_t *n, size_t *cap, const char *s)
{
	*NC_PUSH(*v, *n, *cap) = nc_strdup(s);
}

/*
 * Everything set: nodes of all four roles, a link and a LAN with member
 * overrides, an interface renamed, LAN member order different from the
 * nodes' interface order, attributes, tarfiles, rpms, users with groups,
 * keys and passwords, groups, mounts, images, pifaces and hostnames.
 */
FX_FN void
fx_rich(struct nc_exp *e)
{
	size_t ix;
	size_t cfg, pn, n0, n1, ph, link, lan, i;
	struct nc_node *n;
	struct nc_user *u;
	struct nc_image *im;
	struct nc_mount *m;
	struct nc_piface *p;
	struct nc_hostname *h;
	struct nc_tarfile *t;
	struct nc_member *mb;

	nc_exp_init(e);
	e->name = nc_strdup("e1");
	e->project = nc_strdup("proj");
	e->group = nc_strdup("grp");
	e->control = nc_strdup("config");

	i = nc_exp_image(e, "ubuntu/trusty64");
	im = &e->images[i];
	im->os = nc_strdup("ubuntu");
	im->type = nc_strdup("vagrant");
	im->provider = nc_strdup("virtualbox");
	im->version = nc_strdup("14.04");
	i = nc_exp_image(e, "custom-win");
	im = &e->images[i];
	im->os = nc_strdup("windows");
	im->type = nc_strdup("vagrant");
	im->provider = nc_strdup("libvirt");
	im->version = nc_strdup("2.0");
	im->url = nc_strdup("http://images.example.net/win.box");
	im->sha256 = nc_strdup("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");

	cfg = nc_exp_add_node(e, "config", NC_ROLE_CONFIG);
	e->nodes[cfg].implicit = 1;
	e->nodes[cfg].os = nc_strdup("Ubuntu1404-64-STD");
	pn = nc_exp_add_node(e, "pnode-0", NC_ROLE_PNODE);
	n = &e->nodes[pn];
	n->implicit = 1;
	n->hardware = nc_strdup("pc3000");
	n->failure_action = nc_strdup("nonfatal");
	n0 = nc_exp_add_node(e, "n-0", NC_ROLE_CONTAINER);
	n = &e->nodes[n0];
	n->os = nc_strdup("ubuntu");
	n->parent_os = nc_strdup("Ubuntu1404-64-STD");
	n->hardware = nc_strdup("qemu");
	n->host = nc_strdup("pnode-0");
	n->startcmd = nc_strdup("/bin/sh -c 'echo \"hi\" > /tmp/x'");
	n->failure_action = nc_strdup("fatal");
	n->image = nc_strdup("ubuntu/trusty64");
	n->fix = nc_strdup("pnode-0");
	nc_node_set_attr(n, "containers:node_type", "qemu", 3);
	nc_node_set_attr(n, "containers:partition", "0", 4);
	nc_node_set_attr(n, "containers:image_os", "ubuntu", 5);
	t = NC_PUSH(n->tarfiles, n->ntarfiles, n->captarfiles);
	t->dir = nc_strdup("/usr/local");
	t->file = nc_strdup("/proj/p/tools.tar.gz");
	t = NC_PUSH(n->tarfiles, n->ntarfiles, n->captarfiles);
	t->dir = nc_strdup("/opt");
	t->file = nc_strdup("/proj/p/opt.tgz");
	fx_strv(&n->rpms, &n->nrpms, &n->caprpms, "/proj/p/a.rpm");
	fx_strv(&n->rpms, &n->nrpms, &n->caprpms, "/proj/p/b.rpm");
	n1 = nc_exp_add_node(e, "n-1", NC_ROLE_CONTAINER);
	n = &e->nodes[n1];
	n->os = nc_strdup("windows");
	n->host = nc_strdup("pnode-0");
	n->failure_action = nc_strdup("ignore");
	n->image = nc_strdup("custom-win");
	ph = nc_exp_add_node(e, "phys", NC_ROLE_PHYSICAL);
	n = &e->nodes[ph];
	n->os = nc_strdup("FBSD10-STD");
	n->hardware = nc_strdup("pc2133");
	n->failure_action = nc_strdup("fatal");
	nc_node_set_attr(n, "containers:node_type", "embedded_pnode", 9);

	link = nc_exp_add_lan(e, "link0", NC_LAN_LINK);
	e->lans[link].bandwidth_kbps = 100000;
	e->lans[link].delay_ms = 10;
	e->lans[link].loss = 0.01;
	assert_int_equal(nc_mask_parse("/30", &e->lans[link].mask), 0);
	mb = nc_exp_join(e, link, n0);
	e->nodes[n0].ifaces[mb->iface].bandwidth_kbps = 5000;
	e->nodes[n0].ifaces[mb->iface].delay_ms = 2.5;
	e->nodes[n0].ifaces[mb->iface].loss = 0;
	nc_exp_join(e, link, n1);
	fx_addr(e, n0, 0, "10.1.1.1", "02:00:00:00:00:01", NULL);
	fx_addr(e, n1, 0, "10.1.1.2", "02:00:00:00:00:02", NULL);

	lan = nc_exp_add_lan(e, "lan0", NC_LAN_LAN);
	e->lans[lan].bandwidth_kbps = 1000000;
	e->lans[lan].delay_ms = 0.125;
	/* Members in an order unlike the nodes' interface order. */
	nc_exp_join(e, lan, ph);
	nc_exp_join(e, lan, n1);
	mb = nc_exp_join(e, lan, n0);
	e->nodes[n0].ifaces[mb->iface].loss = 0.25;
	fx_addr(e, n1, 1, "10.1.2.3", "02:00:00:00:00:03", "255.255.0.0");
	fx_addr(e, n0, 1, "10.1.2.2", NULL, NULL);
	/* phys: no address, no MAC; a renamed interface. */
	free(e->nodes[ph].ifaces[0].name);
	e->nodes[ph].ifaces[0].name = nc_strdup("em0");
	free(e->nodes[n1].ifaces[1].name);
	e->nodes[n1].ifaces[1].name = nc_strdup("eth7");

	ix = nc_exp_user(e, "alice");
	u = &e->users[ix];
	u->uid = 20001;
	u->gid = 6001;
	u->fullname = nc_strdup("Alice L");
	u->home = nc_strdup("/users/alice");
	u->shell = nc_strdup("/bin/bash");
	u->email = nc_strdup("alice@example.net");
	u->password = nc_strdup("$6$salt$hashhashhash");
	u->root = 1;
	fx_strv(&u->groups, &u->ngroups, &u->capgroups, "sec-lab");
	fx_strv(&u->groups, &u->ngroups, &u->capgroups, "proj");
	fx_strv(&u->keys, &u->nkeys, &u->capkeys,
	    "ssh-ed25519 AAAAC3Nza alice@laptop");
	fx_strv(&u->keys, &u->nkeys, &u->capkeys,
	    "ssh-rsa AAAAB3Nza alice@desk");
	ix = nc_exp_user(e, "bob");
	u = &e->users[ix];
	u->uid = 20002;
	u->gid = 6001;
	u->fullname = nc_strdup("Bob B");
	u->home = nc_strdup("/users/bob");
	u->shell = nc_strdup("/bin/sh");
	u->email = nc_strdup("bob@example.net");
	u->password = nc_strdup("*");
	fx_strv(&u->groups, &u->ngroups, &u->capgroups, "proj");
	ix = nc_exp_user(e, "carol");
	u = &e->users[ix];
	u->uid = 20003;
	u->gid = 6002;
	u->fullname = nc_strdup("Carol C");
	u->home = nc_strdup("/users/carol");
	u->shell = nc_strdup("/bin/zsh");
	u->email = nc_strdup("carol@example.net");
	u->password = nc_strdup("$1$x$y");
	fx_strv(&u->groups, &u->ngroups, &u->capgroups, "sec-lab");
	ix = nc_exp_group(e, "proj");
	e->groups[ix].gid = 6001;
	ix = nc_exp_group(e, "sec-lab");
	e->groups[ix].gid = 6002;

	m = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
	m->server = nc_strdup("config");
	m->source = nc_strdup("/users/alice");
	m->target = nc_strdup("/users/alice");
	m->fstype = nc_strdup("9p");
	m->options = nc_strdup("rw,trans=tcp");
	m = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
	m->server = nc_strdup("fs.example.net");
	m->source = nc_strdup("/proj/p");
	m->target = nc_strdup("/proj/p");
	m->fstype = nc_strdup("nfs");
	m->options = nc_strdup("ro");

	p = NC_PUSH(e->pifaces, e->npifaces, e->cappifaces);
	p->pnode = nc_strdup("pnode-0");
	p->name = nc_strdup("eth2");
	p->ip = fx_ip("192.168.5.10");
	p->mask = fx_ip("255.255.255.0");
	fx_mac(p->mac, "00:11:22:33:44:55");
	p->speed = nc_strdup("1000Mbps");
	p->duplex = nc_strdup("full");
	p->lan = nc_strdup("lan0");

	h = NC_PUSH(e->hostnames, e->nhostnames, e->caphostnames);
	h->name = nc_strdup("n-0");
	h->ip = fx_ip("10.1.1.1");
	h->aliases = nc_strdup("n-0-link0 n-0.e1.proj");
	h = NC_PUSH(e->hostnames, e->nhostnames, e->caphostnames);
	h->name = nc_strdup("n-1");
	h->ip = fx_ip("10.1.1.2");
	h->aliases = nc_strdup("");
}

/*
 * Nothing optional: two nodes on a link without addresses, a user, a
 * group, a mount and an image with only what is required.
 */
FX_FN void
fx_bare(struct nc_exp *e)
{
	size_t ix;
	size_t a, b, l;
	struct nc_user *u;
	struct nc_mount *m;

	nc_exp_init(e);
	a = nc_exp_add_node(e, "a", NC_ROLE_CONTAINER);
	b = nc_exp_add_node(e, "b", NC_ROLE_CONTAINER);
	l = nc_exp_add_lan(e, "l", NC_LAN_LINK);
	nc_exp_join(e, l, a);
	nc_exp_join(e, l, b);
	ix = nc_exp_user(e, "dave");
	u = &e->users[ix];
	u->uid = 0;
	u->gid = 0;
	ix = nc_exp_group(e, "wheel");
	e->groups[ix].gid = 10;
	m = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
	m->source = nc_strdup("/src");
	m->target = nc_strdup("/dst");
	nc_exp_image(e, "plain");
}

/*
 * 10,000 containers in a ring of 10,000 links, every interface addressed:
 * the size the performance budget talks about.
 */
FX_FN void
fx_big(struct nc_exp *e, size_t nnodes)
{
	char name[32], ip[16];
	size_t i, l, a, b;
	struct nc_member *m;

	nc_exp_init(e);
	e->name = nc_strdup("big");
	e->project = nc_strdup("p");
	e->group = nc_strdup("g");
	e->control = nc_strdup("config");
	for (i = 0; i < nnodes; i++) {
		snprintf(name, sizeof(name), "n-%zu", i);
		a = nc_exp_add_node(e, name, NC_ROLE_CONTAINER);
		e->nodes[a].os = nc_strdup("ubuntu");
		e->nodes[a].host = nc_strdup("pnode-0");
		nc_node_set_attr(&e->nodes[a], "containers:node_type", "qemu",
		    1);
	}
	for (i = 0; i < nnodes; i++) {
		snprintf(name, sizeof(name), "link-%zu", i);
		l = nc_exp_add_lan(e, name, NC_LAN_LINK);
		e->lans[l].bandwidth_kbps = 100000;
		e->lans[l].delay_ms = 1;
		assert_int_equal(nc_mask_parse("/30", &e->lans[l].mask), 0);
		a = i;
		b = (i + 1) % nnodes;
		m = nc_exp_join(e, l, a);
		snprintf(ip, sizeof(ip), "10.%zu.%zu.1", i / 256, i % 256);
		e->nodes[a].ifaces[m->iface].ip = fx_ip(ip);
		e->nodes[a].ifaces[m->iface].has_mac = 1;
		e->nodes[a].ifaces[m->iface].mac[0] = 2;
		e->nodes[a].ifaces[m->iface].mac[4] = (uint8_t)(i >> 8);
		e->nodes[a].ifaces[m->iface].mac[5] = (uint8_t)i;
		m = nc_exp_join(e, l, b);
		snprintf(ip, sizeof(ip), "10.%zu.%zu.2", i / 256, i % 256);
		e->nodes[b].ifaces[m->iface].ip = fx_ip(ip);
		e->nodes[b].ifaces[m->iface].has_mac = 1;
		e->nodes[b].ifaces[m->iface].mac[0] = 2;
		e->nodes[b].ifaces[m->iface].mac[3] = 1;
		e->nodes[b].ifaces[m->iface].mac[4] = (uint8_t)(i >> 8);
		e->nodes[b].ifaces[m->iface].mac[5] = (uint8_t)i;
	}
}

/* ---------------------------------------------------------- comparing */

/* Compare two optional strings; dflt stands in for NULL when given. */
FX_FN void
fx_str(const char *what, const char *a, const char *b, const char *dflt)
{
	if (dflt != NULL) {
		a = a != NULL ? a : dflt;
		b = b != NULL ? b : dflt;
	}
	if (a == NULL && b == NULL)
		return;
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		fail_msg("%s: \"%s\" != \"%s\"", what, a ? a : "(null)",
		    b ? b : "(null)");
}

FX_FN void
fx_strvs(const char *what, char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		fail_msg("%s: %zu != %zu entries", what, na, nb);
	for (i = 0; i < na; i++)
		fx_str(what, a[i], b[i], NULL);
}

FX_FN void
fx_num(const char *what, double a, double b)
{
	if (a != b)
		fail_msg("%s: %.17g != %.17g", what, a, b);
}

FX_FN void
fx_iface(const char *node, const struct nc_exp *ea, const struct nc_iface *a,
    const struct nc_exp *eb, const struct nc_iface *b, int flags)
{
	fx_str(node, a->name, b->name, NULL);
	fx_str(node, ea->lans[a->lan].name, eb->lans[b->lan].name, NULL);
	fx_num(node, a->ip, b->ip);
	if (flags & CMP_JSON)
		fx_num(node, nc_iface_mask(ea, a), nc_iface_mask(eb, b));
	else
		fx_num(node, a->mask, b->mask);
	fx_num(node, a->has_mac, b->has_mac);
	if (a->has_mac)
		assert_memory_equal(a->mac, b->mac, 6);
	fx_num(node, (double)a->bandwidth_kbps, (double)b->bandwidth_kbps);
	fx_num(node, a->delay_ms, b->delay_ms);
	fx_num(node, a->loss, b->loss);
}

/* Assert that b holds what a holds, field by field. */
FX_FN void
fx_equal(const struct nc_exp *a, const struct nc_exp *b, int flags)
{
	const char *blank = (flags & CMP_STORE) ? "" : NULL;
	size_t i, k;

	fx_str("name", a->name, b->name, blank);
	fx_str("project", a->project, b->project, blank);
	fx_str("group", a->group, b->group, blank);
	fx_str("control", a->control, b->control, blank);
	assert_int_equal(a->nnodes, b->nnodes);
	for (i = 0; i < a->nnodes; i++) {
		const struct nc_node *x = &a->nodes[i], *y = &b->nodes[i];

		fx_str("node", x->name, y->name, NULL);
		assert_int_equal(nc_exp_find_node(b, x->name), (long)i);
		assert_int_equal(x->role, y->role);
		fx_str(x->name, x->os, y->os, NULL);
		fx_str(x->name, x->parent_os, y->parent_os, NULL);
		fx_str(x->name, x->hardware, y->hardware, NULL);
		fx_str(x->name, x->host, y->host, NULL);
		fx_str(x->name, x->startcmd, y->startcmd, NULL);
		fx_str(x->name, x->failure_action, y->failure_action,
		    "fatal");	/* NULL means fatal */
		fx_str(x->name, x->image, y->image, NULL);
		fx_str(x->name, x->fix, y->fix, NULL);
		assert_int_equal(x->implicit, y->implicit);
		assert_int_equal(x->nattrs, y->nattrs);
		for (k = 0; k < x->nattrs; k++) {
			fx_str(x->name, x->attrs[k].key, y->attrs[k].key, NULL);
			fx_str(x->name, x->attrs[k].value, y->attrs[k].value,
			    NULL);
		}
		assert_int_equal(x->ntarfiles, y->ntarfiles);
		for (k = 0; k < x->ntarfiles; k++) {
			fx_str(x->name, x->tarfiles[k].dir, y->tarfiles[k].dir,
			    NULL);
			fx_str(x->name, x->tarfiles[k].file,
			    y->tarfiles[k].file, NULL);
		}
		fx_strvs(x->name, x->rpms, x->nrpms, y->rpms, y->nrpms);
		assert_int_equal(x->nifaces, y->nifaces);
		for (k = 0; k < x->nifaces; k++)
			fx_iface(x->name, a, &x->ifaces[k], b, &y->ifaces[k],
			    flags);
	}
	assert_int_equal(a->nlans, b->nlans);
	for (i = 0; i < a->nlans; i++) {
		const struct nc_lan *x = &a->lans[i], *y = &b->lans[i];

		fx_str("lan", x->name, y->name, NULL);
		assert_int_equal(nc_exp_find_lan(b, x->name), (long)i);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->bandwidth_kbps, y->bandwidth_kbps);
		fx_num(x->name, x->delay_ms, y->delay_ms);
		fx_num(x->name, x->loss, y->loss);
		if (flags & CMP_JSON)
			fx_num(x->name, x->mask ? x->mask : 0xffffff00u,
			    y->mask ? y->mask : 0xffffff00u);
		else
			fx_num(x->name, x->mask, y->mask);
		assert_int_equal(x->nmembers, y->nmembers);
		for (k = 0; k < x->nmembers; k++) {
			assert_int_equal(x->members[k].node,
			    y->members[k].node);
			assert_int_equal(x->members[k].iface,
			    y->members[k].iface);
		}
	}
	assert_int_equal(a->nusers, b->nusers);
	for (i = 0; i < a->nusers; i++) {
		const struct nc_user *x = &a->users[i], *y = &b->users[i];

		fx_str("user", x->name, y->name, NULL);
		assert_int_equal(x->uid, y->uid);
		assert_int_equal(x->gid, y->gid);
		fx_str(x->name, x->fullname, y->fullname, NULL);
		fx_str(x->name, x->home, y->home, NULL);
		fx_str(x->name, x->shell, y->shell, NULL);
		fx_str(x->name, x->email, y->email, NULL);
		if (!(flags & CMP_JSON) || (flags & CMP_SECRETS))
			fx_str(x->name, x->password, y->password,
			    (flags & CMP_STORE) ? "*" : NULL);
		else
			assert_null(y->password);
		assert_int_equal(x->root, y->root);
		fx_strvs(x->name, x->groups, x->ngroups, y->groups,
		    y->ngroups);
		fx_strvs(x->name, x->keys, x->nkeys, y->keys, y->nkeys);
	}
	assert_int_equal(a->ngroups, b->ngroups);
	for (i = 0; i < a->ngroups; i++) {
		fx_str("group", a->groups[i].name, b->groups[i].name, NULL);
		assert_int_equal(a->groups[i].gid, b->groups[i].gid);
	}
	assert_int_equal(a->nmounts, b->nmounts);
	for (i = 0; i < a->nmounts; i++) {
		const struct nc_mount *x = &a->mounts[i], *y = &b->mounts[i];

		fx_str("mount", x->server, y->server, blank);
		fx_str("mount", x->source, y->source, NULL);
		fx_str("mount", x->target, y->target, NULL);
		fx_str("mount", x->fstype, y->fstype, NULL);
		fx_str("mount", x->options, y->options, flags ? "" : NULL);
	}
	assert_int_equal(a->nimages, b->nimages);
	for (i = 0; i < a->nimages; i++) {
		const struct nc_image *x = &a->images[i], *y = &b->images[i];

		fx_str("image", x->name, y->name, NULL);
		fx_str(x->name, x->os, y->os, NULL);
		fx_str(x->name, x->type, y->type, NULL);
		fx_str(x->name, x->provider, y->provider, NULL);
		fx_str(x->name, x->version, y->version, NULL);
		fx_str(x->name, x->url, y->url, NULL);
		fx_str(x->name, x->sha256, y->sha256, NULL);
	}
	assert_int_equal(a->npifaces, b->npifaces);
	for (i = 0; i < a->npifaces; i++) {
		const struct nc_piface *x = &a->pifaces[i];
		const struct nc_piface *y = &b->pifaces[i];

		fx_str("piface", x->pnode, y->pnode, NULL);
		fx_str("piface", x->name, y->name, NULL);
		assert_int_equal(x->ip, y->ip);
		assert_int_equal(x->mask, y->mask);
		assert_memory_equal(x->mac, y->mac, 6);
		fx_str("piface", x->speed, y->speed, NULL);
		fx_str("piface", x->duplex, y->duplex, NULL);
		fx_str("piface", x->lan, y->lan, NULL);
	}
	assert_int_equal(a->nhostnames, b->nhostnames);
	for (i = 0; i < a->nhostnames; i++) {
		fx_str("hostname", a->hostnames[i].name, b->hostnames[i].name,
		    NULL);
		assert_int_equal(a->hostnames[i].ip, b->hostnames[i].ip);
		fx_str("hostname", a->hostnames[i].aliases,
		    b->hostnames[i].aliases, flags ? "" : NULL);
	}
}

#endif
