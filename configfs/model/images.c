/*
 * images.c: the baked-in image catalog and the resolution of the nodes'
 * containers:image_* attributes into image records.
 */
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

int
nc_images_resolve(struct nc_exp *e, struct nc_diag *d)
{
	size_t i;

	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].image == NULL &&
		    resolve_node(e, &e->nodes[i], d) < 0)
			return -1;
	return 0;
}
