/*
 * json_export.c: the experiment as JSON (jansson), in the shape fixed by
 * docs/DESIGN.md ("JSON export") plus a few extra keys that make the
 * round trip lossless: a node's parent_os, tarfiles, rpms, routes, fix and
 * implicit; a LAN's netmask; a user's email (and password with --secrets);
 * a mount's fstype; an image's sha256, packages and osnames (arrays of
 * strings); and the top-level "pifaces" and "hostnames".
 * Extra keys appear only when they hold something.  json_import.c reads it
 * back.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inet.h"
#include "json.h"
#include "routes.h"

/* State of one export: what jansson refused, if anything. */
struct exporter {
	int bad;		/* something failed (else: out of memory) */
	const char *utf8;	/* a string that is not valid UTF-8, or NULL */
	int nonfinite;		/* a number was infinite or NaN */
};

/* A string, or null for NULL.  Invalid UTF-8 fails the export. */
static json_t *
jstr(struct exporter *x, const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	if (v == NULL) {
		x->bad = 1;
		x->utf8 = s;
		return json_null();
	}
	return v;
}

/* A number: an integer when the value is integral, else a real. */
static json_t *
jnum(struct exporter *x, double d)
{
	json_t *v;

	if (isfinite(d) && d == floor(d) && fabs(d) < 9e15)
		return json_integer((json_int_t)d);
	v = json_real(d);
	if (v == NULL) {
		x->bad = 1;
		x->nonfinite = 1;
		return json_null();
	}
	return v;
}

/* An address as dotted quad, null for 0. */
static json_t *
jip(struct exporter *x, uint32_t ip)
{
	char buf[16];

	return ip != 0 ? jstr(x, nc_ip_format(ip, buf)) : json_null();
}

/* A MAC address as aa:bb:cc:dd:ee:ff. */
static json_t *
jmac(struct exporter *x, const uint8_t mac[6])
{
	char buf[18];

	return jstr(x, nc_mac_format(mac, buf));
}

/* Set key in o to v (which may be NULL after an allocation failure). */
static void
put(struct exporter *x, json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		x->bad = 1;
}

static void
push(struct exporter *x, json_t *a, json_t *v)
{
	if (v == NULL || json_array_append_new(a, v) < 0)
		x->bad = 1;
}

/* An array of strings. */
static json_t *
jstrv(struct exporter *x, char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL) {
		x->bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		push(x, a, jstr(x, v[i]));
	return a;
}

static json_t *
export_experiment(struct exporter *x, const struct nc_exp *e)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, e->name));
	put(x, o, "project", jstr(x, e->project));
	put(x, o, "group", jstr(x, e->group));
	put(x, o, "control", jstr(x, e->control));
	return o;
}

/* The image object of a node: {os, type, name, url} from exp->images. */
static json_t *
export_node_image(struct exporter *x, const struct nc_exp *e,
    const struct nc_node *n)
{
	const struct nc_image *im = NULL;
	json_t *o;
	long i;

	if (n->image == NULL)
		return json_null();
	i = nc_strmap_get(&e->image_by_name, n->image);
	if (i >= 0)
		im = &e->images[i];
	o = json_object();
	if (o == NULL)
		return NULL;
	put(x, o, "os", jstr(x, im != NULL ? im->os : NULL));
	put(x, o, "type", jstr(x, im != NULL ? im->type : NULL));
	put(x, o, "name", jstr(x, n->image));
	put(x, o, "url", jstr(x, im != NULL ? im->url : NULL));
	return o;
}

static json_t *
export_iface(struct exporter *x, const struct nc_exp *e,
    const struct nc_iface *f)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, f->name));
	put(x, o, "lan", jstr(x, e->lans[f->lan].name));
	put(x, o, "ip", jip(x, f->ip));
	put(x, o, "netmask", jip(x, nc_iface_mask(e, f)));
	put(x, o, "mac", f->has_mac ? jmac(x, f->mac) : json_null());
	if (f->bandwidth_kbps != NC_UNSET)
		put(x, o, "bandwidth_kbps", json_integer(f->bandwidth_kbps));
	if (f->delay_ms != NC_UNSET)
		put(x, o, "delay_ms", jnum(x, f->delay_ms));
	if (f->loss != NC_UNSET)
		put(x, o, "loss", jnum(x, f->loss));
	return o;
}

static json_t *
export_node(struct exporter *x, const struct nc_exp *e,
    const struct nc_node *n)
{
	json_t *o = json_object(), *a, *p;
	char rt[NC_ROUTE_TEXT];
	size_t i;

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, n->name));
	put(x, o, "role", jstr(x, nc_role_name(n->role)));
	put(x, o, "os", jstr(x, n->os));
	put(x, o, "hardware", jstr(x, n->hardware));
	put(x, o, "host", jstr(x, n->host));
	put(x, o, "startcmd", jstr(x, n->startcmd));
	put(x, o, "failure_action", jstr(x, n->failure_action != NULL ?
	    n->failure_action : "fatal"));
	put(x, o, "image", export_node_image(x, e, n));
	if ((a = json_array()) != NULL)
		for (i = 0; i < n->nattrs; i++) {
			p = json_array();
			if (p != NULL) {
				push(x, p, jstr(x, n->attrs[i].key));
				push(x, p, jstr(x, n->attrs[i].value));
			}
			push(x, a, p);
		}
	put(x, o, "attributes", a);
	if ((a = json_array()) != NULL)
		for (i = 0; i < n->nifaces; i++)
			push(x, a, export_iface(x, e, &n->ifaces[i]));
	put(x, o, "ifaces", a);
	if (n->parent_os != NULL)
		put(x, o, "parent_os", jstr(x, n->parent_os));
	if (n->ntarfiles > 0) {
		if ((a = json_array()) != NULL)
			for (i = 0; i < n->ntarfiles; i++) {
				p = json_array();
				if (p != NULL) {
					push(x, p, jstr(x, n->tarfiles[i].dir));
					push(x, p, jstr(x,
					    n->tarfiles[i].file));
				}
				push(x, a, p);
			}
		put(x, o, "tarfiles", a);
	}
	if (n->nrpms > 0)
		put(x, o, "rpms", jstrv(x, n->rpms, n->nrpms));
	if (n->fix != NULL)
		put(x, o, "fix", jstr(x, n->fix));
	if (n->nroutes > 0 && (a = json_array()) != NULL) {
		for (i = 0; i < n->nroutes; i++)
			push(x, a, jstr(x, nc_route_format(&n->routes[i],
			    rt)));
		put(x, o, "routes", a);
	}
	if (n->implicit)
		put(x, o, "implicit", json_true());
	return o;
}

static json_t *
export_lan(struct exporter *x, const struct nc_exp *e,
    const struct nc_lan *l)
{
	json_t *o = json_object(), *a;
	char buf[16];
	size_t i;

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, l->name));
	put(x, o, "kind", jstr(x, nc_lan_kind_name(l->kind)));
	if ((a = json_array()) != NULL)
		for (i = 0; i < l->nmembers; i++)
			push(x, a, jstr(x, e->nodes[l->members[i].node].name));
	put(x, o, "members", a);
	put(x, o, "bandwidth_kbps", json_integer(l->bandwidth_kbps));
	put(x, o, "delay_ms", jnum(x, l->delay_ms));
	put(x, o, "loss", jnum(x, l->loss));
	put(x, o, "netmask", jstr(x, nc_ip_format(l->mask ? l->mask :
	    0xffffff00u, buf)));
	return o;
}

static json_t *
export_user(struct exporter *x, const struct nc_user *u, int flags)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, u->name));
	put(x, o, "uid", json_integer(u->uid));
	put(x, o, "gid", json_integer(u->gid));
	put(x, o, "fullname", jstr(x, u->fullname));
	put(x, o, "home", jstr(x, u->home));
	put(x, o, "shell", jstr(x, u->shell));
	put(x, o, "root", json_boolean(u->root));
	put(x, o, "groups", jstrv(x, u->groups, u->ngroups));
	put(x, o, "keys", jstrv(x, u->keys, u->nkeys));
	if (u->email != NULL)
		put(x, o, "email", jstr(x, u->email));
	if ((flags & NC_JSON_SECRETS) && u->password != NULL)
		put(x, o, "password", jstr(x, u->password));
	return o;
}

static json_t *
export_group(struct exporter *x, const struct nc_exp *e,
    const struct nc_group *g)
{
	json_t *o = json_object(), *a;
	size_t i, k;

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, g->name));
	put(x, o, "gid", json_integer(g->gid));
	if ((a = json_array()) != NULL)
		for (i = 0; i < e->nusers; i++)
			for (k = 0; k < e->users[i].ngroups; k++)
				if (strcmp(e->users[i].groups[k],
				    g->name) == 0) {
					push(x, a, jstr(x, e->users[i].name));
					break;
				}
	put(x, o, "members", a);
	return o;
}

static json_t *
export_mount(struct exporter *x, const struct nc_mount *m)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "server", jstr(x, m->server));
	put(x, o, "source", jstr(x, m->source));
	put(x, o, "target", jstr(x, m->target));
	put(x, o, "options", jstr(x, m->options != NULL ? m->options : ""));
	if (m->fstype != NULL)
		put(x, o, "fstype", jstr(x, m->fstype));
	return o;
}

/* A list kept one item a line, as an array of strings. */
static json_t *
jlines(struct exporter *x, const char *text)
{
	json_t *a = json_array(), *v;
	const char *s, *nl;

	if (a == NULL)
		return NULL;
	for (s = text; *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if ((v = json_stringn(s, (size_t)(nl - s))) == NULL) {
			x->bad = 1;
			x->utf8 = text;
			continue;
		}
		json_array_append_new(a, v);
	}
	return a;
}

static json_t *
export_image(struct exporter *x, const struct nc_image *im)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, im->name));
	put(x, o, "os", jstr(x, im->os));
	put(x, o, "type", jstr(x, im->type));
	put(x, o, "provider", jstr(x, im->provider));
	put(x, o, "version", jstr(x, im->version));
	put(x, o, "url", jstr(x, im->url));
	if (im->sha256 != NULL)
		put(x, o, "sha256", jstr(x, im->sha256));
	if (im->packages != NULL)
		put(x, o, "packages", jlines(x, im->packages));
	if (im->osnames != NULL)
		put(x, o, "osnames", jlines(x, im->osnames));
	return o;
}

static json_t *
export_piface(struct exporter *x, const struct nc_piface *p)
{
	static const uint8_t zero[6];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "pnode", jstr(x, p->pnode));
	put(x, o, "name", jstr(x, p->name));
	put(x, o, "ip", jip(x, p->ip));
	put(x, o, "netmask", jip(x, p->mask));
	put(x, o, "mac", memcmp(p->mac, zero, 6) != 0 ? jmac(x, p->mac) :
	    json_null());
	put(x, o, "speed", jstr(x, p->speed));
	put(x, o, "duplex", jstr(x, p->duplex));
	put(x, o, "lan", jstr(x, p->lan));
	return o;
}

static json_t *
export_hostname(struct exporter *x, const struct nc_hostname *h)
{
	char buf[16];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(x, o, "name", jstr(x, h->name));
	put(x, o, "ip", jstr(x, nc_ip_format(h->ip, buf)));
	put(x, o, "aliases", jstr(x, h->aliases != NULL ? h->aliases : ""));
	return o;
}

json_t *
nc_json_export(const struct nc_exp *e, int flags)
{
	struct exporter x = { 0, NULL, 0 };
	json_t *root = json_object(), *a;
	size_t i;

	if (root == NULL)
		goto oom;
	put(&x, root, "experiment", export_experiment(&x, e));
#define LIST(key, n, expr) do {						\
		if ((a = json_array()) != NULL)				\
			for (i = 0; i < (n); i++)			\
				push(&x, a, (expr));			\
		put(&x, root, (key), a);				\
	} while (0)
	LIST("nodes", e->nnodes, export_node(&x, e, &e->nodes[i]));
	LIST("lans", e->nlans, export_lan(&x, e, &e->lans[i]));
	LIST("users", e->nusers, export_user(&x, &e->users[i], flags));
	LIST("groups", e->ngroups, export_group(&x, e, &e->groups[i]));
	LIST("mounts", e->nmounts, export_mount(&x, &e->mounts[i]));
	LIST("images", e->nimages, export_image(&x, &e->images[i]));
	if (e->npifaces > 0)
		LIST("pifaces", e->npifaces, export_piface(&x,
		    &e->pifaces[i]));
	if (e->nhostnames > 0)
		LIST("hostnames", e->nhostnames, export_hostname(&x,
		    &e->hostnames[i]));
#undef LIST
	if (x.bad) {
		json_decref(root);
		if (x.utf8 != NULL)
			fprintf(stderr, "neoc: cannot export as JSON: "
			    "\"%s\" is not valid UTF-8\n", x.utf8);
		else if (x.nonfinite)
			fprintf(stderr, "neoc: cannot export as JSON: a number "
			    "is infinite or not a number\n");
		else
			goto oom;
		return NULL;
	}
	return root;
oom:
	fprintf(stderr, "neoc: cannot export as JSON: out of memory\n");
	return NULL;
}

int
nc_json_dump(const struct nc_exp *e, int flags, FILE *f)
{
	json_t *root = nc_json_export(e, flags);
	int rc;

	if (root == NULL)
		return -1;
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	json_decref(root);
	if (rc < 0 || fputc('\n', f) == EOF)
		return -1;
	return 0;
}
