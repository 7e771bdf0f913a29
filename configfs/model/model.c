/*
 * model.c: construction, lookup and destruction of the in-memory experiment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

static const char *const role_names[] = {
	[NC_ROLE_CONTAINER] = "container",
	[NC_ROLE_CONFIG] = "config",
	[NC_ROLE_PNODE] = "pnode",
	[NC_ROLE_PHYSICAL] = "physical",
};

void
nc_exp_init(struct nc_exp *e)
{
	memset(e, 0, sizeof(*e));
}

static void
free_node(struct nc_node *n)
{
	size_t i;

	free(n->name);
	free(n->os);
	free(n->parent_os);
	free(n->hardware);
	free(n->host);
	free(n->startcmd);
	free(n->failure_action);
	free(n->image);
	free(n->fix);
	for (i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].key);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	for (i = 0; i < n->nifaces; i++)
		free(n->ifaces[i].name);
	free(n->ifaces);
	for (i = 0; i < n->ntarfiles; i++) {
		free(n->tarfiles[i].dir);
		free(n->tarfiles[i].file);
	}
	free(n->tarfiles);
	for (i = 0; i < n->nrpms; i++)
		free(n->rpms[i]);
	free(n->rpms);
	free(n->routes);
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
nc_exp_free(struct nc_exp *e)
{
	size_t i;

	free(e->name);
	free(e->project);
	free(e->group);
	free(e->control);
	for (i = 0; i < e->nnodes; i++)
		free_node(&e->nodes[i]);
	free(e->nodes);
	free(e->manroutes);
	for (i = 0; i < e->nlans; i++) {
		free(e->lans[i].name);
		free(e->lans[i].members);
	}
	free(e->lans);
	for (i = 0; i < e->nusers; i++) {
		struct nc_user *u = &e->users[i];

		free(u->name);
		free(u->fullname);
		free(u->home);
		free(u->shell);
		free(u->email);
		free(u->password);
		free_strv(u->groups, u->ngroups);
		free_strv(u->keys, u->nkeys);
	}
	free(e->users);
	for (i = 0; i < e->ngroups; i++)
		free(e->groups[i].name);
	free(e->groups);
	for (i = 0; i < e->nmounts; i++) {
		free(e->mounts[i].server);
		free(e->mounts[i].source);
		free(e->mounts[i].target);
		free(e->mounts[i].fstype);
		free(e->mounts[i].options);
	}
	free(e->mounts);
	for (i = 0; i < e->nimages; i++) {
		struct nc_image *im = &e->images[i];

		free(im->name);
		free(im->os);
		free(im->type);
		free(im->provider);
		free(im->version);
		free(im->url);
		free(im->sha256);
		free(im->packages);
		free(im->osnames);
	}
	free(e->images);
	for (i = 0; i < e->npifaces; i++) {
		free(e->pifaces[i].pnode);
		free(e->pifaces[i].name);
		free(e->pifaces[i].speed);
		free(e->pifaces[i].duplex);
		free(e->pifaces[i].lan);
	}
	free(e->pifaces);
	for (i = 0; i < e->nhostnames; i++) {
		free(e->hostnames[i].name);
		free(e->hostnames[i].aliases);
	}
	free(e->hostnames);
	nc_strmap_free(&e->node_by_name);
	nc_strmap_free(&e->lan_by_name);
	nc_strmap_free(&e->user_by_name);
	nc_strmap_free(&e->group_by_name);
	nc_strmap_free(&e->image_by_name);
	memset(e, 0, sizeof(*e));
}

void
nc_set_str(char **slot, const char *s)
{
	char *d = nc_strdup0(s);

	free(*slot);
	*slot = d;
}

size_t
nc_exp_add_node(struct nc_exp *e, const char *name, enum nc_role role)
{
	struct nc_node *n = NC_PUSH(e->nodes, e->nnodes, e->capnodes);

	n->name = nc_strdup(name);
	n->role = role;
	nc_strmap_put(&e->node_by_name, name, (long)(e->nnodes - 1));
	return e->nnodes - 1;
}

size_t
nc_exp_add_lan(struct nc_exp *e, const char *name, enum nc_lan_kind k)
{
	struct nc_lan *l = NC_PUSH(e->lans, e->nlans, e->caplans);

	l->name = nc_strdup(name);
	l->kind = k;
	nc_strmap_put(&e->lan_by_name, name, (long)(e->nlans - 1));
	return e->nlans - 1;
}

struct nc_member *
nc_exp_join(struct nc_exp *e, size_t lan, size_t node)
{
	struct nc_node *n = &e->nodes[node];
	struct nc_lan *l = &e->lans[lan];
	struct nc_iface *i;
	struct nc_member *m;

	i = NC_PUSH(n->ifaces, n->nifaces, n->capifaces);
	i->name = nc_asprintf("eth%zu", n->nifaces);
	i->lan = lan;
	i->bandwidth_kbps = NC_UNSET;
	i->delay_ms = NC_UNSET;
	i->loss = NC_UNSET;
	m = NC_PUSH(l->members, l->nmembers, l->capmembers);
	m->node = node;
	m->iface = n->nifaces - 1;
	return m;
}

int
nc_node_set_attr(struct nc_node *n, const char *key, const char *value,
    int line)
{
	struct nc_attr *a;

	if (nc_node_attr(n, key) != NULL)
		return 1;
	a = NC_PUSH(n->attrs, n->nattrs, n->capattrs);
	a->key = nc_strdup(key);
	a->value = nc_strdup(value);
	a->line = line;
	return 0;
}

const char *
nc_node_attr(const struct nc_node *n, const char *key)
{
	size_t i;

	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].value;
	return NULL;
}

int
nc_node_attr_line(const struct nc_node *n, const char *key)
{
	size_t i;

	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].key, key) == 0)
			return n->attrs[i].line;
	return n->line;
}

size_t
nc_exp_user(struct nc_exp *e, const char *name)
{
	long i = nc_strmap_get(&e->user_by_name, name);
	struct nc_user *u;

	if (i >= 0)
		return (size_t)i;
	u = NC_PUSH(e->users, e->nusers, e->capusers);
	u->name = nc_strdup(name);
	u->uid = -1;
	u->gid = -1;
	nc_strmap_put(&e->user_by_name, name, (long)(e->nusers - 1));
	return e->nusers - 1;
}

size_t
nc_exp_group(struct nc_exp *e, const char *name)
{
	long i = nc_strmap_get(&e->group_by_name, name);
	struct nc_group *g;

	if (i >= 0)
		return (size_t)i;
	g = NC_PUSH(e->groups, e->ngroups, e->capgroups);
	g->name = nc_strdup(name);
	g->gid = -1;
	nc_strmap_put(&e->group_by_name, name, (long)(e->ngroups - 1));
	return e->ngroups - 1;
}

size_t
nc_exp_image(struct nc_exp *e, const char *name)
{
	long i = nc_strmap_get(&e->image_by_name, name);
	struct nc_image *im;

	if (i >= 0)
		return (size_t)i;
	im = NC_PUSH(e->images, e->nimages, e->capimages);
	im->name = nc_strdup(name);
	nc_strmap_put(&e->image_by_name, name, (long)(e->nimages - 1));
	return e->nimages - 1;
}

long
nc_exp_find_node(const struct nc_exp *e, const char *name)
{
	return nc_strmap_get(&e->node_by_name, name);
}

long
nc_exp_find_lan(const struct nc_exp *e, const char *name)
{
	return nc_strmap_get(&e->lan_by_name, name);
}

const char *
nc_role_name(enum nc_role r)
{
	return role_names[r];
}

int
nc_role_parse(const char *s, enum nc_role *r)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum nc_role)i;
			return 0;
		}
	return -1;
}

const char *
nc_lan_kind_name(enum nc_lan_kind k)
{
	return k == NC_LAN_LINK ? "link" : "lan";
}

int
nc_lan_kind_parse(const char *s, enum nc_lan_kind *k)
{
	if (strcmp(s, "link") == 0)
		*k = NC_LAN_LINK;
	else if (strcmp(s, "lan") == 0)
		*k = NC_LAN_LAN;
	else
		return -1;
	return 0;
}

long
nc_iface_bandwidth(const struct nc_exp *e, const struct nc_iface *i)
{
	return i->bandwidth_kbps != NC_UNSET ? i->bandwidth_kbps :
	    e->lans[i->lan].bandwidth_kbps;
}

double
nc_iface_delay(const struct nc_exp *e, const struct nc_iface *i)
{
	return i->delay_ms != NC_UNSET ? i->delay_ms :
	    e->lans[i->lan].delay_ms;
}

double
nc_iface_loss(const struct nc_exp *e, const struct nc_iface *i)
{
	return i->loss != NC_UNSET ? i->loss : e->lans[i->lan].loss;
}

uint32_t
nc_iface_mask(const struct nc_exp *e, const struct nc_iface *i)
{
	uint32_t m = i->mask ? i->mask : e->lans[i->lan].mask;

	return m ? m : 0xffffff00u;
}
