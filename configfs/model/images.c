/*
 * images.c: the image catalog of an experiment: the baked-in Vagrant
 * boxes, the two images a pnode builds itself (debian-12, the default of
 * a container, and busybox), and the resolution of each container's image:
 * its containers:image_* attributes, else its OS (tb-set-node-os) matched
 * against the images' osnames patterns, else debian-12 (with one warning
 * per OS no image serves).  The built images come after those the NS
 * file names, in the catalog's order.
 */
#include <fnmatch.h>
#include <string.h>

#include "images.h"
#include "util.h"
#include "valid.h"

const struct nc_baked_image nc_baked_images[] = {
	{ "chef/centos-7.0", "virtualbox", "1.0.0", "centos" },
	{ "chef/freebsd-10.0", "virtualbox", "1.0.0", "freebsd" },
	{ "fgrehm/precise64-lxc", "lxc", "1.2.0", "ubuntu" },
	{ "fgrehm/trusty64-lxc", "lxc", "1.2.0", "ubuntu" },
	{ "hashicorp/precise64", "virtualbox", "1.1.0", "ubuntu" },
	{ "liibvert/centos64", "libvirt", "0", "centos" },
	{ "ubuntu/precise64", "virtualbox", "12.04.4", "ubuntu" },
	{ "ubuntu/trusty64", "virtualbox", "14.04", "ubuntu" },
	{ NULL, NULL, NULL, NULL },
};

const struct nc_baked_image *
nc_image_baked(const char *name)
{
	const struct nc_baked_image *b;

	for (b = nc_baked_images; b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* The images every experiment has: built on the pnode (type rootfs). */
const struct nc_built_image nc_built_images[] = {
	{ NC_IMAGE_DEFAULT, "debian", "bookworm",
	    "openssh-server\nsudo\npython3\npython-is-python3\niproute2\n"
	    "iputils-ping\niperf3\ntcpdump\nnetcat-openbsd\ncurl\n"
	    "ca-certificates\nless\nvim-tiny\ntini",
	    "DEB*\nDebian*\ndebian*\nUbuntu*\nUBUNTU*\nubuntu*" },
	{ "busybox", "busybox", NULL, NULL, "busybox*\nBusyBox*\nBUSYBOX*" },
	{ NULL, NULL, NULL, NULL, NULL },
};

void
nc_images_builtin(struct nc_exp *e)
{
	const struct nc_built_image *b;

	for (b = nc_built_images; b->name != NULL; b++) {
		if (nc_strmap_get(&e->image_by_name, b->name) >= 0)
			continue;	/* kept as stored or imported */
		size_t ix = nc_exp_image(e, b->name);	/* may move images */
		struct nc_image *im = &e->images[ix];

		nc_set_str(&im->os, b->os);
		nc_set_str(&im->type, "rootfs");
		nc_set_str(&im->provider, "lxc");
		nc_set_str(&im->version, b->version);
		nc_set_str(&im->packages, b->packages);
		nc_set_str(&im->osnames, b->osnames);
	}
}

int
nc_osnames_match(const char *osnames, const char *os)
{
	const char *s, *nl;
	char pat[NC_OSNAME_MAX + 1];

	for (s = osnames; s != NULL && *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (nl == s || (size_t)(nl - s) > NC_OSNAME_MAX)
			continue;
		memcpy(pat, s, (size_t)(nl - s));
		pat[nl - s] = '\0';
		if (fnmatch(pat, os, 0) == 0)
			return 1;
	}
	return 0;
}

const char *
nc_image_for_os(const struct nc_exp *e, const char *os)
{
	size_t i;

	for (i = 0; os != NULL && i < e->nimages; i++)
		if (nc_osnames_match(e->images[i].osnames, os))
			return e->images[i].name;
	return NULL;
}

/* A container with no containers:image_name: the image of its OS, else
 * the default, warning once per OS that has none. */
static void
resolve_os(struct nc_exp *e, struct nc_node *n, struct nc_diag *d,
    struct nc_strmap *warned)
{
	const char *img = nc_image_for_os(e, n->os);

	if (img == NULL && n->os != NULL &&
	    nc_strmap_get(warned, n->os) < 0) {
		nc_strmap_put(warned, n->os, 1);
		nc_diag_warn(d, n->os_line ? n->os_line : n->line,
		    "OS \"%s\" has no image; using %s", n->os,
		    NC_IMAGE_DEFAULT);
	}
	nc_set_str(&n->image, img != NULL ? img : NC_IMAGE_DEFAULT);
}

/* Resolve one node's attributes; returns 0 or -1. */
static int
resolve_node(struct nc_exp *e, struct nc_node *n, struct nc_diag *d)
{
	const char *name = nc_node_attr(n, "containers:image_name");
	const char *os = nc_node_attr(n, "containers:image_os");
	const char *type = nc_node_attr(n, "containers:image_type");
	const char *url = nc_node_attr(n, "containers:image_url");
	const char *why;
	const struct nc_baked_image *b;
	struct nc_image *im;
	size_t idx;
	int line, fresh;

	if (name == NULL) {
		if (url != NULL)
			return nc_diag_error(d,
			    nc_node_attr_line(n, "containers:image_url"),
			    "node %s: containers:image_url without "
			    "containers:image_name", n->name);
		return 0;
	}
	line = nc_node_attr_line(n, "containers:image_name");
	if (nc_valid_image_name(name, &why) < 0)
		return nc_diag_error(d, line, "node %s: image name \"%s\" %s",
		    n->name, name, why);
	if (url != NULL && nc_valid_url(url, &why) < 0)
		return nc_diag_error(d,
		    nc_node_attr_line(n, "containers:image_url"),
		    "node %s: image URL \"%s\" %s", n->name, url, why);
	b = nc_image_baked(name);
	if (b == NULL && url == NULL &&
	    nc_strmap_get(&e->image_by_name, name) < 0)
		return nc_diag_error(d, line, "node %s: image \"%s\" is not a "
		    "baked-in image and has no containers:image_url",
		    n->name, name);
	fresh = nc_strmap_get(&e->image_by_name, name) < 0;
	idx = nc_exp_image(e, name);	/* may move e->images */
	im = &e->images[idx];
	if (fresh) {
		nc_set_str(&im->os, os ? os : b ? b->os : NULL);
		nc_set_str(&im->type, type ? type : "vagrant");
		if (b != NULL) {
			nc_set_str(&im->provider, b->provider);
			nc_set_str(&im->version, b->version);
		}
		nc_set_str(&im->url, url);
	} else {
		if (url != NULL && im->url != NULL &&
		    strcmp(url, im->url) != 0)
			nc_diag_warn(d,
			    nc_node_attr_line(n, "containers:image_url"),
			    "node %s: image \"%s\" already has URL %s; "
			    "this one is ignored", n->name, name, im->url);
	}
	nc_set_str(&n->image, name);
	return 0;
}

/* tb-set-node-rpms on a container of a built image (Debian, busybox):
 * one warning for the experiment, at the first such node. */
static void
rpms_warning(struct nc_exp *e, struct nc_diag *d)
{
	size_t i;
	long ix;

	for (i = 0; i < e->nnodes; i++) {
		const struct nc_node *n = &e->nodes[i];

		if (n->nrpms == 0 || n->image == NULL ||
		    (ix = nc_strmap_get(&e->image_by_name, n->image)) < 0 ||
		    e->images[ix].type == NULL ||
		    strcmp(e->images[ix].type, "rootfs") != 0)
			continue;
		nc_diag_warn(d, n->rpms_line ? n->rpms_line : n->line,
		    "tb-set-node-rpms: node %s runs "
		    "image %s, which has no RPM: its RPMs are not installed "
		    "(add Debian packages to images/%s/packages)", n->name,
		    n->image, n->image);
		return;
	}
}

int
nc_images_resolve(struct nc_exp *e, struct nc_diag *d)
{
	struct nc_strmap warned = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < e->nnodes && rc == 0; i++)
		if (e->nodes[i].image == NULL &&
		    resolve_node(e, &e->nodes[i], d) < 0)
			rc = -1;
	/* after the NS file's own images: they keep the catalog's front */
	nc_images_builtin(e);
	for (i = 0; i < e->nnodes && rc == 0; i++)
		if (e->nodes[i].image == NULL &&
		    e->nodes[i].role == NC_ROLE_CONTAINER)
			resolve_os(e, &e->nodes[i], d, &warned);
	nc_strmap_free(&warned);
	rpms_warning(e, d);
	return rc;
}
