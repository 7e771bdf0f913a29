/*
 * json_import.c: the experiment from a JSON document of the export shape
 * (json_export.c).  Every value is validated before it reaches the model
 * and the first problem is reported as "FILE: nodes[3].ifaces[0].ip:
 * reason".  Unknown keys are ignored, so a later export shape still reads.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "inet.h"
#include "json.h"
#include "routes.h"
#include "util.h"
#include "valid.h"

/* Longest path in a message: "users[12].groups[3]". */
#define PATHLEN 160

/* State of one import. */
struct importer {
	struct nc_exp *e;	/* what is being filled */
	struct nc_diag *d;	/* where the first error goes */
	size_t *base;		/* ifaces of node n start at base[n] ... */
	char *claimed;		/* ... in this array: 1 once a member */
	struct nc_strmap ips;	/* interface address -> node index */
	struct nc_strmap macs;	/* interface MAC -> node index */
	struct nc_strmap uids;	/* uid -> user index */
	struct nc_strmap gids;	/* gid -> group index */
};

/*
 * Record "path.key: message" (just "path: message" without a key, just the
 * message when both are empty).  Returns -1.
 */
static int __attribute__((format(printf, 4, 5)))
ffail(struct importer *im, const char *path, const char *key,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (path[0] != '\0' && key != NULL)
		nc_diag_error(im->d, 0, "%s.%s: %s", path, key,
		    msg != NULL ? msg : "out of memory");
	else if (path[0] != '\0' || key != NULL)
		nc_diag_error(im->d, 0, "%s: %s", path[0] ? path : key,
		    msg != NULL ? msg : "out of memory");
	else
		nc_diag_error(im->d, 0, "%s", msg != NULL ? msg :
		    "out of memory");
	free(msg);
	return -1;
}

static void __attribute__((format(printf, 2, 3)))
mkpath(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATHLEN, fmt, ap);
	va_end(ap);
}

/* The kind of a JSON value, for messages. */
static const char *
kind(const json_t *v)
{
	if (v == NULL)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

/* v's text when v is a string without NUL characters, else NULL. */
static const char *
jtext(const json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

/* A string element of an array, or an error at path. */
static int
elem_str(struct importer *im, json_t *a, size_t i, const char *path,
    const char *what, const char **out)
{
	json_t *v = json_array_get(a, i);

	*out = jtext(v);
	if (*out == NULL)
		return ffail(im, path, NULL, "expected %s, not %s", what,
		    json_is_string(v) ? "a string with a NUL character" :
		    kind(v));
	return 0;
}

/* Flags for the getters. */
enum { OPT = 0, REQ = 1 };

/* The string at o[key] in *out: NULL when absent or null (required: an
 * error). */
static int
get_str(struct importer *im, json_t *o, const char *path, const char *key,
    int req, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (req)
			return ffail(im, path, key, "missing");
		return 0;
	}
	if (!json_is_string(v))
		return ffail(im, path, key, "expected a string, not %s",
		    kind(v));
	*out = jtext(v);
	if (*out == NULL)
		return ffail(im, path, key, "contains a NUL character");
	return 0;
}

/* A string without control characters or any of chars. */
static int
get_text(struct importer *im, json_t *o, const char *path, const char *key,
    int req, const char *chars, const char **out)
{
	const char *s;

	if (get_str(im, o, path, key, req, out) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	for (s = *out; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return ffail(im, path, key, "\"%s\" contains a control "
			    "character", *out);
		if (strchr(chars, *s) != NULL)
			return ffail(im, path, key, "\"%s\" may not contain "
			    "'%c'", *out, *s);
	}
	return 0;
}

/* An integer in [min, max] at o[key]; dflt when absent or null. */
static int
get_int(struct importer *im, json_t *o, const char *path, const char *key,
    int req, long min, long max, long dflt, long *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	*out = dflt;
	if (v == NULL || json_is_null(v)) {
		if (req)
			return ffail(im, path, key, "missing");
		return 0;
	}
	if (!json_is_integer(v))
		return ffail(im, path, key, "expected an integer, not %s",
		    kind(v));
	n = json_integer_value(v);
	if (n < min || n > max)
		return ffail(im, path, key, "%lld is out of range (%ld to "
		    "%ld)", (long long)n, min, max);
	*out = (long)n;
	return 0;
}

/* A number in [min, max] at o[key]; dflt when absent or null. */
static int
get_num(struct importer *im, json_t *o, const char *path, const char *key,
    double min, double max, double dflt, double *out)
{
	json_t *v = json_object_get(o, key);
	double d;

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return ffail(im, path, key, "expected a number, not %s",
		    kind(v));
	d = json_number_value(v);
	if (!(d >= min && d <= max))
		return ffail(im, path, key, "%g is out of range (%g to %g)", d,
		    min, max);
	*out = d;
	return 0;
}

/* true or false at o[key]; false when absent or null. */
static int
get_bool(struct importer *im, json_t *o, const char *path, const char *key,
    int *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return ffail(im, path, key, "expected true or false, not %s",
		    kind(v));
	*out = json_is_true(v);
	return 0;
}

/* The array at o[key]; NULL (no elements) when absent or null. */
static int
get_array(struct importer *im, json_t *o, const char *path, const char *key,
    json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return ffail(im, path, key, "expected an array, not %s",
		    kind(v));
	*out = v;
	return 0;
}

/* Element i of an array of objects. */
static int
get_elem(struct importer *im, json_t *a, size_t i, const char *path,
    json_t **out)
{
	*out = json_array_get(a, i);
	if (!json_is_object(*out))
		return ffail(im, path, NULL, "expected an object, not %s",
		    kind(*out));
	return 0;
}

/* s (NULL passes) follows rule, one of valid.h's. */
static int
check(struct importer *im, const char *path, const char *key, const char *s,
    int (*rule)(const char *, const char **))
{
	const char *why;

	if (s != NULL && rule(s, &why) < 0)
		return ffail(im, path, key, "\"%s\" %s", s, why);
	return 0;
}

/* An IPv4 address at o[key] (absent or null: 0). */
static int
get_ip(struct importer *im, json_t *o, const char *path, const char *key,
    int req, uint32_t *ip)
{
	const char *s, *why;

	*ip = 0;
	if (get_str(im, o, path, key, req, &s) < 0)
		return -1;
	if (s != NULL && nc_valid_ipv4(s, ip, &why) < 0)
		return ffail(im, path, key, "\"%s\" %s", s, why);
	return 0;
}

/* A netmask at o[key] (absent or null: 0). */
static int
get_mask(struct importer *im, json_t *o, const char *path, const char *key,
    uint32_t *mask)
{
	const char *s;

	*mask = 0;
	if (get_str(im, o, path, key, OPT, &s) < 0)
		return -1;
	if (s != NULL && nc_mask_parse(s, mask) < 0)
		return ffail(im, path, key, "\"%s\" is not a netmask", s);
	return 0;
}

/* A MAC address at o[key]; *has tells whether one was given. */
static int
get_mac(struct importer *im, json_t *o, const char *path, const char *key,
    uint8_t mac[6], int *has)
{
	const char *s, *why;

	*has = 0;
	memset(mac, 0, 6);
	if (get_str(im, o, path, key, OPT, &s) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (nc_valid_mac(s, mac, &why) < 0)
		return ffail(im, path, key, "\"%s\" %s", s, why);
	*has = 1;
	return 0;
}

static int
import_experiment(struct importer *im, json_t *root)
{
	struct nc_exp *e = im->e;
	json_t *o = json_object_get(root, "experiment");
	const char *name, *project, *group, *control;
	const char *p = "experiment";

	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return ffail(im, p, NULL, "expected an object, not %s",
		    kind(o));
	if (get_text(im, o, p, "name", OPT, " /", &name) < 0 ||
	    get_text(im, o, p, "project", OPT, " /", &project) < 0 ||
	    get_text(im, o, p, "group", OPT, " /", &group) < 0 ||
	    get_str(im, o, p, "control", OPT, &control) < 0 ||
	    check(im, p, "control", control, nc_valid_label) < 0)
		return -1;
	nc_set_str(&e->name, name);
	nc_set_str(&e->project, project);
	nc_set_str(&e->group, group);
	nc_set_str(&e->control, control);
	return 0;
}

/* An image's list key (absent: *out stays NULL): strings each valid by
 * rule, none twice, kept one a line. */
static int
import_lines(struct importer *im, json_t *o, const char *path,
    const char *key, int (*rule)(const char *, const char **), char **out)
{
	char p[PATHLEN];
	struct nc_buf b = { 0 };
	const char *s;
	json_t *l;
	size_t k, j;
	int rc = -1;

	if (json_object_get(o, key) == NULL)
		return 0;
	if (get_array(im, o, path, key, &l) < 0)
		return -1;
	for (k = 0; k < json_array_size(l); k++) {
		mkpath(p, "%s.%s[%zu]", path, key, k);
		if (elem_str(im, l, k, p, "a string", &s) < 0 ||
		    check(im, p, NULL, s, rule) < 0)
			goto out;
		for (j = 0; j < k; j++)
			if (strcmp(json_string_value(json_array_get(l, j)),
			    s) == 0) {
				ffail(im, p, NULL, "\"%s\" is listed twice", s);
				goto out;
			}
		nc_buf_printf(&b, "%s%s", k ? "\n" : "", s);
	}
	nc_set_str(out, nc_buf_str(&b));
	rc = 0;
out:
	nc_buf_free(&b);
	return rc;
}

static int
import_images(struct importer *im, json_t *root)
{
	size_t ix;
	struct nc_exp *e = im->e;
	struct nc_image *img;
	char path[PATHLEN];
	const char *name, *os, *type, *prov, *ver, *url, *sha;
	json_t *a, *o;
	size_t i;

	if (get_array(im, root, "", "images", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "images[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_text(im, o, path, "name", REQ, " ", &name) < 0 ||
		    get_text(im, o, path, "os", OPT, "", &os) < 0 ||
		    get_text(im, o, path, "type", OPT, "", &type) < 0 ||
		    get_text(im, o, path, "provider", OPT, "", &prov) < 0 ||
		    get_text(im, o, path, "version", OPT, "", &ver) < 0 ||
		    get_text(im, o, path, "url", OPT, " ", &url) < 0 ||
		    get_text(im, o, path, "sha256", OPT, "", &sha) < 0)
			return -1;
		if (name[0] == '\0')
			return ffail(im, path, "name", "is empty");
		if (nc_strmap_get(&e->image_by_name, name) >= 0)
			return ffail(im, path, "name", "image \"%s\" is listed "
			    "twice", name);
		if (check(im, path, "name", name, nc_valid_image_name) < 0 ||
		    check(im, path, "url", url, nc_valid_url) < 0 ||
		    check(im, path, "sha256", sha, nc_valid_sha256) < 0)
			return -1;
		ix = nc_exp_image(e, name);
		img = &e->images[ix];
		nc_set_str(&img->os, os);
		nc_set_str(&img->type, type);
		nc_set_str(&img->provider, prov);
		nc_set_str(&img->version, ver);
		nc_set_str(&img->url, url);
		nc_set_str(&img->sha256, sha);
		if (import_lines(im, o, path, "packages", nc_valid_package,
		    &img->packages) < 0 ||
		    import_lines(im, o, path, "osnames", nc_valid_osname,
		    &img->osnames) < 0)
			return -1;
	}
	return 0;
}

static int
import_lans(struct importer *im, json_t *root)
{
	size_t ix;
	struct nc_exp *e = im->e;
	struct nc_lan *l;
	enum nc_lan_kind k;
	char path[PATHLEN];
	const char *name, *skind;
	json_t *a, *o, *m;

	if (get_array(im, root, "", "lans", &a) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		mkpath(path, "lans[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_str(im, o, path, "name", REQ, &name) < 0 ||
		    check(im, path, "name", name, nc_valid_label) < 0 ||
		    get_str(im, o, path, "kind", REQ, &skind) < 0)
			return -1;
		if (nc_exp_find_lan(e, name) >= 0)
			return ffail(im, path, "name", "LAN \"%s\" is listed "
			    "twice", name);
		if (nc_lan_kind_parse(skind, &k) < 0)
			return ffail(im, path, "kind", "\"%s\" is neither link "
			    "nor lan", skind);
		if (get_array(im, o, path, "members", &m) < 0)
			return -1;
		ix = nc_exp_add_lan(e, name, k);
		l = &e->lans[ix];
		if (get_int(im, o, path, "bandwidth_kbps", OPT, 0, LONG_MAX,
		    0, &l->bandwidth_kbps) < 0 ||
		    get_num(im, o, path, "delay_ms", 0, 1e9, 0,
		    &l->delay_ms) < 0 ||
		    get_num(im, o, path, "loss", 0, 1, 0, &l->loss) < 0 ||
		    get_mask(im, o, path, "netmask", &l->mask) < 0)
			return -1;
	}
	return 0;
}

/* Remember an interface's address or MAC; a second use is an error. */
static int
claim_unique(struct importer *im, struct nc_strmap *m, const char *text,
    size_t node, const char *path, const char *key)
{
	long prev = nc_strmap_get(m, text);

	if (prev >= 0)
		return ffail(im, path, key, "%s is already used by node %s",
		    text, im->e->nodes[prev].name);
	nc_strmap_put(m, text, (long)node);
	return 0;
}

static int
import_iface(struct importer *im, json_t *o, const char *path, size_t node)
{
	struct nc_exp *e = im->e;
	struct nc_node *n = &e->nodes[node];
	struct nc_iface *f;
	const char *name, *lan;
	char buf[18];
	uint32_t mask;
	long li;
	size_t k;

	if (get_str(im, o, path, "name", REQ, &name) < 0 ||
	    check(im, path, "name", name, nc_valid_ifname) < 0 ||
	    get_str(im, o, path, "lan", REQ, &lan) < 0)
		return -1;
	for (k = 0; k < n->nifaces; k++)
		if (strcmp(n->ifaces[k].name, name) == 0)
			return ffail(im, path, "name", "node %s has two "
			    "interfaces called %s", n->name, name);
	li = nc_exp_find_lan(e, lan);
	if (li < 0)
		return ffail(im, path, "lan", "no LAN called \"%s\"", lan);
	f = NC_PUSH(n->ifaces, n->nifaces, n->capifaces);
	f->name = nc_strdup(name);
	f->lan = (size_t)li;
	if (get_ip(im, o, path, "ip", OPT, &f->ip) < 0 ||
	    get_mask(im, o, path, "netmask", &mask) < 0 ||
	    get_mac(im, o, path, "mac", f->mac, &f->has_mac) < 0 ||
	    get_int(im, o, path, "bandwidth_kbps", OPT, 0, LONG_MAX, NC_UNSET,
	    &f->bandwidth_kbps) < 0 ||
	    get_num(im, o, path, "delay_ms", 0, 1e9, NC_UNSET,
	    &f->delay_ms) < 0 ||
	    get_num(im, o, path, "loss", 0, 1, NC_UNSET, &f->loss) < 0)
		return -1;
	/* The export writes the effective mask; keep only a different one. */
	f->mask = 0;
	if (mask != 0 && mask != nc_iface_mask(e, f))
		f->mask = mask;
	if (f->ip != 0 && claim_unique(im, &im->ips, nc_ip_format(f->ip, buf),
	    node, path, "ip") < 0)
		return -1;
	if (f->has_mac && claim_unique(im, &im->macs, nc_mac_format(f->mac,
	    buf), node, path, "mac") < 0)
		return -1;
	return 0;
}

/* An array of [string, string] pairs at o[key]; calls add for each. */
static int
get_pairs(struct importer *im, json_t *o, const char *path, const char *key,
    const char *what, struct nc_node *n,
    const char *(*add)(struct nc_node *, const char *, const char *))
{
	char p[PATHLEN];
	const char *a, *b, *why;
	json_t *arr, *v;
	size_t i;

	if (get_array(im, o, path, key, &arr) < 0)
		return -1;
	for (size_t k = 0; k < json_array_size(arr); k++) {
		mkpath(p, "%s.%s[%zu]", path, key, k);
		v = json_array_get(arr, k);
		if (!json_is_array(v) || json_array_size(v) != 2)
			return ffail(im, p, NULL, "expected %s, not %s", what,
			    kind(v));
		for (i = 0; i < 2; i++) {
			char q[PATHLEN];

			mkpath(q, "%s[%zu]", p, i);
			if (elem_str(im, v, i, q, "a string", i ? &b : &a) < 0)
				return -1;
		}
		if ((why = add(n, a, b)) != NULL)
			return ffail(im, p, NULL, "\"%s\" %s", a, why);
	}
	return 0;
}

static const char *
add_attr(struct nc_node *n, const char *key, const char *value)
{
	const char *why;

	if (nc_valid_attr_key(key, &why) < 0)
		return why;
	return nc_node_set_attr(n, key, value, 0) == 0 ? NULL : "is set twice";
}

static const char *
add_tarfile(struct nc_node *n, const char *dir, const char *file)
{
	struct nc_tarfile *t;
	const char *why;

	if (nc_valid_path(dir, &why) < 0)
		return why;
	t = NC_PUSH(n->tarfiles, n->ntarfiles, n->captarfiles);
	t->dir = nc_strdup(dir);
	t->file = nc_strdup(file);
	return NULL;
}

/* The node's "image": null or an object naming an entry of "images". */
static int
get_node_image(struct importer *im, json_t *o, const char *path,
    const char **name)
{
	json_t *io = json_object_get(o, "image");
	char p[PATHLEN];

	*name = NULL;
	if (io == NULL || json_is_null(io))
		return 0;
	mkpath(p, "%s.image", path);
	if (!json_is_object(io))
		return ffail(im, p, NULL, "expected an object or null, not %s",
		    kind(io));
	if (get_str(im, io, p, "name", REQ, name) < 0)
		return -1;
	if (nc_strmap_get(&im->e->image_by_name, *name) < 0)
		return ffail(im, p, "name", "no image \"%s\" in \"images\"",
		    *name);
	return 0;
}

static int
import_node(struct importer *im, json_t *o, const char *path)
{
	struct nc_exp *e = im->e;
	struct nc_node *n;
	enum nc_role role;
	const char *name, *srole, *os, *pos, *hw, *host, *cmd, *fa, *fix;
	const char *img, *rpm, *why;
	struct nc_route r;
	char p[PATHLEN], rt[NC_ROUTE_TEXT];
	json_t *a, *f;
	size_t idx, i;
	long dup;

	if (get_str(im, o, path, "name", REQ, &name) < 0 ||
	    check(im, path, "name", name, nc_valid_label) < 0 ||
	    get_str(im, o, path, "role", REQ, &srole) < 0)
		return -1;
	if (nc_exp_find_node(e, name) >= 0)
		return ffail(im, path, "name", "node \"%s\" is listed twice",
		    name);
	if (nc_role_parse(srole, &role) < 0)
		return ffail(im, path, "role", "\"%s\" is not one of config, "
		    "pnode, container, physical", srole);
	if (get_text(im, o, path, "os", OPT, "", &os) < 0 ||
	    get_text(im, o, path, "parent_os", OPT, "", &pos) < 0 ||
	    get_text(im, o, path, "hardware", OPT, "", &hw) < 0 ||
	    get_str(im, o, path, "host", OPT, &host) < 0 ||
	    check(im, path, "host", host, nc_valid_label) < 0 ||
	    get_text(im, o, path, "startcmd", OPT, "", &cmd) < 0 ||
	    get_str(im, o, path, "failure_action", OPT, &fa) < 0 ||
	    get_str(im, o, path, "fix", OPT, &fix) < 0 ||
	    check(im, path, "fix", fix, nc_valid_label) < 0 ||
	    get_node_image(im, o, path, &img) < 0)
		return -1;
	if (fa != NULL && strcmp(fa, "fatal") != 0 &&
	    strcmp(fa, "nonfatal") != 0 && strcmp(fa, "ignore") != 0)
		return ffail(im, path, "failure_action", "\"%s\" is not one of "
		    "fatal, nonfatal, ignore", fa);
	idx = nc_exp_add_node(e, name, role);
	n = &e->nodes[idx];
	nc_set_str(&n->os, os);
	nc_set_str(&n->parent_os, pos);
	nc_set_str(&n->hardware, hw);
	nc_set_str(&n->host, host);
	nc_set_str(&n->startcmd, cmd);
	nc_set_str(&n->failure_action, fa);
	nc_set_str(&n->fix, fix);
	nc_set_str(&n->image, img);
	if (get_bool(im, o, path, "implicit", &n->implicit) < 0 ||
	    get_pairs(im, o, path, "attributes", "[key, value]", n,
	    add_attr) < 0 ||
	    get_pairs(im, o, path, "tarfiles", "[directory, file]", n,
	    add_tarfile) < 0 ||
	    get_array(im, o, path, "rpms", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(p, "%s.rpms[%zu]", path, i);
		if (elem_str(im, a, i, p, "a file name", &rpm) < 0)
			return -1;
		*NC_PUSH(n->rpms, n->nrpms, n->caprpms) = nc_strdup(rpm);
	}
	if (get_array(im, o, path, "routes", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(p, "%s.routes[%zu]", path, i);
		if (elem_str(im, a, i, p, "a route", &rpm) < 0)
			return -1;
		if (nc_valid_route(rpm, &r.dst, &r.prefix, &r.gw, &why) < 0)
			return ffail(im, p, NULL, "\"%s\" %s", rpm, why);
		*NC_PUSH(n->routes, n->nroutes, n->caproutes) = r;
	}
	if ((dup = nc_routes_dup(n->routes, n->nroutes)) >= 0) {
		mkpath(p, "%s.routes[%ld]", path, dup);
		return ffail(im, p, NULL, "\"%s\" is a second route to the "
		    "same destination", nc_route_format(&n->routes[dup], rt));
	}
	if (get_array(im, o, path, "ifaces", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(p, "%s.ifaces[%zu]", path, i);
		if (get_elem(im, a, i, p, &f) < 0 ||
		    import_iface(im, f, p, idx) < 0)
			return -1;
	}
	return 0;
}

static int
import_nodes(struct importer *im, json_t *root)
{
	char path[PATHLEN];
	json_t *a, *o;
	size_t i;

	if (get_array(im, root, "", "nodes", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "nodes[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    import_node(im, o, path) < 0)
			return -1;
	}
	return 0;
}

/*
 * Fill every LAN's members from its "members" list: the k-th mention of a
 * node takes that node's k-th interface on the LAN (in the node's order).
 * Then every interface must have been taken.
 */
static int
import_members(struct importer *im, json_t *root)
{
	struct nc_exp *e = im->e;
	struct nc_lan *l;
	struct nc_member *m;
	char path[PATHLEN];
	const char *name;
	json_t *lans, *members;
	size_t li, i, k, n, on;
	long node;

	im->base = nc_calloc(e->nnodes + 1, sizeof(*im->base));
	for (n = 0; n < e->nnodes; n++)
		im->base[n + 1] = im->base[n] + e->nodes[n].nifaces;
	im->claimed = nc_calloc(im->base[e->nnodes] + 1, 1);
	lans = json_object_get(root, "lans");
	for (li = 0; li < e->nlans; li++) {
		l = &e->lans[li];
		members = json_object_get(json_array_get(lans, li),
		    "members");
		for (i = 0; i < json_array_size(members); i++) {
			mkpath(path, "lans[%zu].members[%zu]", li, i);
			if (elem_str(im, members, i, path, "a node name",
			    &name) < 0)
				return -1;
			node = nc_exp_find_node(e, name);
			if (node < 0)
				return ffail(im, path, NULL, "no node called "
				    "\"%s\"", name);
			on = 0;
			for (k = 0; k < e->nodes[node].nifaces; k++) {
				if (e->nodes[node].ifaces[k].lan != li)
					continue;
				on++;
				if (!im->claimed[im->base[node] + k])
					break;
			}
			if (k == e->nodes[node].nifaces)
				return ffail(im, path, NULL, on == 0 ?
				    "node %s has no interface on %s" :
				    "node %s is listed more often than it has "
				    "interfaces on %s", name, l->name);
			im->claimed[im->base[node] + k] = 1;
			m = NC_PUSH(l->members, l->nmembers, l->capmembers);
			m->node = (size_t)node;
			m->iface = k;
		}
		if (l->kind == NC_LAN_LINK && l->nmembers != 2) {
			mkpath(path, "lans[%zu]", li);
			return ffail(im, path, "members", "link %s has %zu "
			    "members, not 2", l->name, l->nmembers);
		}
	}
	for (n = 0; n < e->nnodes; n++)
		for (k = 0; k < e->nodes[n].nifaces; k++)
			if (!im->claimed[im->base[n] + k]) {
				mkpath(path, "nodes[%zu].ifaces[%zu]", n, k);
				return ffail(im, path, "lan", "node %s is not "
				    "among the members of %s",
				    e->nodes[n].name,
				    e->lans[e->nodes[n].ifaces[k].lan].name);
			}
	return 0;
}

/* A user's "groups" and "keys" lists. */
static int
import_user_lists(struct importer *im, json_t *o, const char *path,
    struct nc_user *u)
{
	char p[PATHLEN];
	const char *s;
	json_t *l;
	size_t k, j;

	if (get_array(im, o, path, "groups", &l) < 0)
		return -1;
	for (k = 0; k < json_array_size(l); k++) {
		mkpath(p, "%s.groups[%zu]", path, k);
		if (elem_str(im, l, k, p, "a group name", &s) < 0 ||
		    check(im, p, NULL, s, nc_valid_login) < 0)
			return -1;
		for (j = 0; j < u->ngroups; j++)
			if (strcmp(u->groups[j], s) == 0)
				return ffail(im, p, NULL, "group %s is listed "
				    "twice", s);
		*NC_PUSH(u->groups, u->ngroups, u->capgroups) = nc_strdup(s);
	}
	if (get_array(im, o, path, "keys", &l) < 0)
		return -1;
	for (k = 0; k < json_array_size(l); k++) {
		mkpath(p, "%s.keys[%zu]", path, k);
		if (elem_str(im, l, k, p, "a key", &s) < 0)
			return -1;
		if (s[0] == '\0' || strpbrk(s, "\r\n") != NULL)
			return ffail(im, p, NULL, "a key must be one "
			    "non-empty line");
		*NC_PUSH(u->keys, u->nkeys, u->capkeys) = nc_strdup(s);
	}
	return 0;
}

static int
import_users(struct importer *im, json_t *root)
{
	size_t ix;
	struct nc_exp *e = im->e;
	struct nc_user *u;
	char path[PATHLEN], num[32];
	const char *name, *full, *home, *shell, *email, *pw;
	json_t *a, *o;
	size_t i;
	long uid, gid, prev;
	int is_root;

	if (get_array(im, root, "", "users", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "users[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_str(im, o, path, "name", REQ, &name) < 0 ||
		    check(im, path, "name", name, nc_valid_login) < 0)
			return -1;
		if (nc_strmap_get(&e->user_by_name, name) >= 0)
			return ffail(im, path, "name", "user \"%s\" is listed "
			    "twice", name);
		if (get_int(im, o, path, "uid", REQ, 0, (long)NC_ID_MAX, 0,
		    &uid) < 0 ||
		    get_int(im, o, path, "gid", REQ, 0, (long)NC_ID_MAX, 0,
		    &gid) < 0 ||
		    get_text(im, o, path, "fullname", OPT, ":", &full) < 0 ||
		    get_str(im, o, path, "home", OPT, &home) < 0 ||
		    check(im, path, "home", home, nc_valid_home) < 0 ||
		    get_str(im, o, path, "shell", OPT, &shell) < 0 ||
		    check(im, path, "shell", shell, nc_valid_shell) < 0 ||
		    get_text(im, o, path, "email", OPT, " :", &email) < 0 ||
		    get_text(im, o, path, "password", OPT, " :", &pw) < 0 ||
		    get_bool(im, o, path, "root", &is_root) < 0)
			return -1;
		snprintf(num, sizeof(num), "%ld", uid);
		prev = nc_strmap_get(&im->uids, num);
		if (prev >= 0)
			return ffail(im, path, "uid", "%ld is also the uid of "
			    "%s", uid, e->users[prev].name);
		nc_strmap_put(&im->uids, num, (long)e->nusers);
		ix = nc_exp_user(e, name);
		u = &e->users[ix];
		u->uid = uid;
		u->gid = gid;
		u->root = is_root;
		nc_set_str(&u->fullname, full);
		nc_set_str(&u->home, home);
		nc_set_str(&u->shell, shell);
		nc_set_str(&u->email, email);
		nc_set_str(&u->password, pw);
		if (import_user_lists(im, o, path, u) < 0)
			return -1;
	}
	return 0;
}

/* A group's "members": users listing the group; the others get it. */
static int
import_group_members(struct importer *im, json_t *o, const char *path,
    const char *group)
{
	struct nc_user *u;
	char p[PATHLEN];
	const char *s;
	json_t *l;
	size_t k, j;
	long ui;

	if (get_array(im, o, path, "members", &l) < 0)
		return -1;
	for (k = 0; k < json_array_size(l); k++) {
		mkpath(p, "%s.members[%zu]", path, k);
		if (elem_str(im, l, k, p, "a user name", &s) < 0)
			return -1;
		ui = nc_strmap_get(&im->e->user_by_name, s);
		if (ui < 0)
			return ffail(im, p, NULL, "no user called \"%s\"", s);
		u = &im->e->users[ui];
		for (j = 0; j < u->ngroups; j++)
			if (strcmp(u->groups[j], group) == 0)
				break;
		if (j == u->ngroups)
			*NC_PUSH(u->groups, u->ngroups, u->capgroups) =
			    nc_strdup(group);
	}
	return 0;
}

static int
import_groups(struct importer *im, json_t *root)
{
	size_t ix;
	struct nc_exp *e = im->e;
	char path[PATHLEN], num[32];
	const char *name;
	json_t *a, *o;
	size_t i;
	long gid, prev;

	if (get_array(im, root, "", "groups", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "groups[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_str(im, o, path, "name", REQ, &name) < 0 ||
		    check(im, path, "name", name, nc_valid_login) < 0)
			return -1;
		if (nc_strmap_get(&e->group_by_name, name) >= 0)
			return ffail(im, path, "name", "group \"%s\" is listed "
			    "twice", name);
		if (get_int(im, o, path, "gid", REQ, 0, (long)NC_ID_MAX, 0,
		    &gid) < 0)
			return -1;
		snprintf(num, sizeof(num), "%ld", gid);
		prev = nc_strmap_get(&im->gids, num);
		if (prev >= 0)
			return ffail(im, path, "gid", "%ld is also the gid of "
			    "%s", gid, e->groups[prev].name);
		nc_strmap_put(&im->gids, num, (long)e->ngroups);
		ix = nc_exp_group(e, name);
		e->groups[ix].gid = gid;
		if (import_group_members(im, o, path, name) < 0)
			return -1;
	}
	return 0;
}

static int
import_mounts(struct importer *im, json_t *root)
{
	struct nc_exp *e = im->e;
	struct nc_mount *m;
	char path[PATHLEN];
	const char *server, *source, *target, *opts, *fstype;
	json_t *a, *o;
	size_t i;

	if (get_array(im, root, "", "mounts", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "mounts[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_text(im, o, path, "server", OPT, " /:,", &server) < 0 ||
		    check(im, path, "server", server, nc_valid_hostname) < 0 ||
		    get_str(im, o, path, "source", REQ, &source) < 0 ||
		    check(im, path, "source", source,
		    nc_valid_mount_path) < 0 ||
		    get_str(im, o, path, "target", REQ, &target) < 0 ||
		    check(im, path, "target", target,
		    nc_valid_mount_path) < 0 ||
		    get_text(im, o, path, "options", OPT, " ", &opts) < 0 ||
		    get_text(im, o, path, "fstype", OPT, " ,", &fstype) < 0)
			return -1;
		m = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
		m->server = nc_strdup0(server);
		m->source = nc_strdup(source);
		m->target = nc_strdup(target);
		m->options = nc_strdup(opts != NULL ? opts : "");
		m->fstype = nc_strdup0(fstype);
	}
	return 0;
}

static int
import_pifaces(struct importer *im, json_t *root)
{
	struct nc_exp *e = im->e;
	struct nc_piface pf;
	char path[PATHLEN];
	const char *pnode, *name, *speed, *duplex, *lan;
	json_t *a, *o;
	size_t i;
	int has;

	if (get_array(im, root, "", "pifaces", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "pifaces[%zu]", i);
		memset(&pf, 0, sizeof(pf));
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_str(im, o, path, "pnode", REQ, &pnode) < 0 ||
		    check(im, path, "pnode", pnode, nc_valid_label) < 0 ||
		    get_str(im, o, path, "name", REQ, &name) < 0 ||
		    check(im, path, "name", name, nc_valid_ifname) < 0 ||
		    get_ip(im, o, path, "ip", OPT, &pf.ip) < 0 ||
		    get_mask(im, o, path, "netmask", &pf.mask) < 0 ||
		    get_mac(im, o, path, "mac", pf.mac, &has) < 0 ||
		    get_text(im, o, path, "speed", OPT, " ", &speed) < 0 ||
		    get_text(im, o, path, "duplex", OPT, " ", &duplex) < 0 ||
		    get_str(im, o, path, "lan", OPT, &lan) < 0 ||
		    check(im, path, "lan", lan, nc_valid_label) < 0)
			return -1;
		pf.pnode = nc_strdup(pnode);
		pf.name = nc_strdup(name);
		pf.speed = nc_strdup0(speed);
		pf.duplex = nc_strdup0(duplex);
		pf.lan = nc_strdup0(lan);
		*NC_PUSH(e->pifaces, e->npifaces, e->cappifaces) = pf;
	}
	return 0;
}

/* Aliases (NULL passes): host names separated by one space. */
static int
check_aliases(struct importer *im, const char *path, const char *s)
{
	char *copy, *al, *save = NULL;
	int rc = 0;

	if (s == NULL || s[0] == '\0')
		return 0;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ' || strstr(s, "  "))
		return ffail(im, path, "aliases", "\"%s\" is not host names "
		    "separated by one space", s);
	copy = nc_strdup(s);
	for (al = strtok_r(copy, " ", &save); al != NULL && rc == 0;
	    al = strtok_r(NULL, " ", &save))
		rc = check(im, path, "aliases", al, nc_valid_hostname);
	free(copy);
	return rc;
}

static int
import_hostnames(struct importer *im, json_t *root)
{
	struct nc_exp *e = im->e;
	struct nc_hostname *h;
	char path[PATHLEN];
	const char *name, *aliases;
	uint32_t ip;
	json_t *a, *o;
	size_t i;

	if (get_array(im, root, "", "hostnames", &a) < 0)
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		mkpath(path, "hostnames[%zu]", i);
		if (get_elem(im, a, i, path, &o) < 0 ||
		    get_text(im, o, path, "name", REQ, " /:", &name) < 0 ||
		    check(im, path, "name", name, nc_valid_hostname) < 0 ||
		    get_ip(im, o, path, "ip", REQ, &ip) < 0 ||
		    get_text(im, o, path, "aliases", OPT, "/:", &aliases) < 0 ||
		    check_aliases(im, path, aliases) < 0)
			return -1;
		h = NC_PUSH(e->hostnames, e->nhostnames, e->caphostnames);
		h->name = nc_strdup(name);
		h->ip = ip;
		h->aliases = nc_strdup(aliases != NULL ? aliases : "");
	}
	return 0;
}

int
nc_json_import(json_t *root, struct nc_exp *e, struct nc_diag *d)
{
	struct importer im;
	int ret = -1;

	memset(&im, 0, sizeof(im));
	im.e = e;
	im.d = d;
	if (!json_is_object(root)) {
		ffail(&im, "", NULL, "expected a JSON object at the top level, "
		    "not %s", kind(root));
		goto out;
	}
	/* Images and LANs first: nodes refer to them. */
	if (import_experiment(&im, root) < 0 || import_images(&im, root) < 0 ||
	    import_lans(&im, root) < 0 || import_nodes(&im, root) < 0 ||
	    import_members(&im, root) < 0 || import_users(&im, root) < 0 ||
	    import_groups(&im, root) < 0 || import_mounts(&im, root) < 0 ||
	    import_pifaces(&im, root) < 0 || import_hostnames(&im, root) < 0)
		goto out;
	ret = 0;
out:
	free(im.base);
	free(im.claimed);
	nc_strmap_free(&im.ips);
	nc_strmap_free(&im.macs);
	nc_strmap_free(&im.uids);
	nc_strmap_free(&im.gids);
	return ret;
}

int
nc_json_import_file(const char *path, struct nc_exp *e, struct nc_diag *d)
{
	json_error_t err;
	json_t *root;
	int rc;

	if (d->file == NULL)
		d->file = path;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL)
		return nc_diag_error(d, err.line > 0 ? err.line : 0, "%s",
		    err.text);
	rc = nc_json_import(root, e, d);
	json_decref(root);
	return rc;
}
