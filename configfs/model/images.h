/*
 * images.h: the catalog of baked-in images and the resolution of each
 * container's containers:image_* attributes into an image record.
 */
#ifndef NC_IMAGES_H
#define NC_IMAGES_H

#include "diag.h"
#include "model.h"

struct nc_baked_image {
	const char *name;	/* Vagrant box name */
	const char *provider;	/* virtualbox, lxc or libvirt */
	const char *version;	/* box version */
	const char *os;		/* guest OS family */
};

/* The baked-in image called name, or NULL. */
const struct nc_baked_image *nc_image_baked(const char *name);
/* Every baked-in image, terminated by an entry with a NULL name. */
extern const struct nc_baked_image nc_baked_images[];
/*
 * Fill e->images from the nodes' containers:image_* attributes and set each
 * node's image.  A name neither baked in nor given a URL is an error naming
 * the node and the attribute's line.
 */
int nc_images_resolve(struct nc_exp *e, struct nc_diag *d);

#endif
