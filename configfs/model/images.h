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

/* An image a pnode builds itself (type rootfs, provider lxc). */
struct nc_built_image {
	const char *name;	/* its name in images/ */
	const char *os;		/* debian, busybox: how the pnode builds it */
	const char *version;	/* the Debian suite, or NULL */
	const char *packages;	/* its package list, one a line, or NULL */
	const char *osnames;	/* the OS name patterns it serves */
};

/* The image of a container that names none, nor an OS another serves. */
#define NC_IMAGE_DEFAULT "debian-12"
/* debian-12 and busybox, terminated by an entry with a NULL name. */
extern const struct nc_built_image nc_built_images[];
/* Add the images of nc_built_images that e has not (an image already
 * there, stored or imported, keeps its values). */
void nc_images_builtin(struct nc_exp *e);
/* 1 when one of the patterns of osnames (one a line; NULL: none)
 * matches os (fnmatch, case-sensitive), else 0. */
int nc_osnames_match(const char *osnames, const char *os);
/* The first image (catalog order) one of whose osnames patterns matches
 * os (fnmatch, case-sensitive), or NULL (os NULL: NULL). */
const char *nc_image_for_os(const struct nc_exp *e, const char *os);

/* The baked-in image called name, or NULL. */
const struct nc_baked_image *nc_image_baked(const char *name);
/* Every baked-in image, terminated by an entry with a NULL name. */
extern const struct nc_baked_image nc_baked_images[];
/*
 * Fill e->images from the nodes' containers:image_* attributes and set each
 * node's image; a container with none gets the image of its OS
 * (nc_image_for_os), else NC_IMAGE_DEFAULT with one warning per OS name:
 * 'OS "X" has no image; using debian-12'.  The built images are added
 * first (nc_images_builtin).  A name neither baked in nor given a URL is
 * an error naming the node and the attribute's line.
 */
int nc_images_resolve(struct nc_exp *e, struct nc_diag *d);

#endif
