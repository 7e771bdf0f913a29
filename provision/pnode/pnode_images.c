/*
 * pnode_images.c: the images step of a pnode.  Every image build its lxc
 * containers are cloned from is made once (pnode_rootfs.c: Debian with
 * mmdebstrap, busybox with the LXC template), its builder's output shown
 * as it goes.  Every image of its containers that has a URL is fetched once into the cache by ncimage (a
 * program of its own: downloads need libcurl, and ncprov links only libc),
 * run with an argument vector; an image `ncimage verify` finds in the
 * cache is left alone; baked-in images need nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "pnode.h"
#include "pnode_rootfs.h"
#include "run.h"
#include "steps.h"
#include "util.h"

#define CACHE "/var/cache/neoc/images"

/* Run ncimage with args; its exit status (output captured). */
static int
ncimage(char *prog, const char *verb, const char *cache, const char *name,
    const char *url, struct nc_buf *out)
{
	char *argv[] = { prog, (char *)verb, "--cache", (char *)cache,
	    (char *)name, (char *)url, NULL };
	struct ncp_cmd c = { .argv = argv, .out_fd = -1, .capture = out,
	    .timeout_ms = 3600 * 1000 };

	return ncp_run(&c);
}

/* Make every build the lxc guests of pn are cloned from; 0 or -1. */
static int
builds(struct ncprov *p, struct ncp_pnode *pn)
{
	struct ncp_build *b = nc_calloc(pn->nguests ? pn->nguests : 1,
	    sizeof(*b));
	char why[2048];
	size_t i, k, nb = 0;
	int rc = 0;

	for (i = 0; i < pn->nguests && rc == 0; i++) {
		if (!ncp_guest_is_lxc(p, &pn->guests[i]))
			continue;
		ncp_build_of(p, &pn->guests[i], &b[nb]);
		for (k = 0; k < nb; k++)	/* once per build */
			if (strcmp(b[k].dir, b[nb].dir) == 0)
				break;
		if (k < nb) {
			ncp_build_free(&b[nb]);
			continue;
		}
		if (ncp_build_make(p, &b[nb], why, sizeof(why)) < 0)
			rc = ncp_fail(p, "image %s: %s", b[nb].name, why);
		nb++;
	}
	for (k = 0; k < nb; k++)
		ncp_build_free(&b[k]);
	free(b);
	return rc;
}

int
ncp_pnode_images(struct ncprov *p, struct ncp_pnode *pn)
{
	char *cache = ncp_path(p, CACHE), *prog = ncp_which("ncimage");
	struct nc_buf out = { 0 };
	size_t i, k;
	int rc = builds(p, pn), code;

	for (i = 0; i < pn->nguests && rc == 0; i++) {
		struct ncp_guest *g = &pn->guests[i];

		if (g->image_url[0] == '\0')
			continue;
		for (k = 0; k < i; k++)	/* once per image */
			if (strcmp(pn->guests[k].image, g->image) == 0)
				break;
		if (k < i)
			continue;
		nc_buf_reset(&out);
		if (prog != NULL && ncimage(prog, "verify", cache, g->image,
		    NULL, &out) == 0)
			continue;	/* in the cache, checksum right */
		if (p->dry_run || p->no_start) {
			ncp_report(p, "images", "would run: ncimage fetch "
			    "--cache %s %s %s", cache, g->image, g->image_url);
			continue;
		}
		if (prog == NULL) {
			rc = ncp_fail(p, "image %s needs ncimage, which is not "
			    "installed", g->image);
			break;
		}
		nc_buf_reset(&out);
		code = ncimage(prog, "fetch", cache, g->image, g->image_url,
		    &out);
		if (code != 0)
			rc = ncp_fail(p, "fetching image %s from %s failed: %s",
			    g->image, g->image_url, nc_buf_str(&out));
		else
			ncp_report(p, "images", "fetched %s", g->image);
	}
	nc_buf_free(&out);
	free(prog);
	free(cache);
	return rc;
}
