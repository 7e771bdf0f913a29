/*
 * pnode_guest.c: what the two container backends (lxc, vagrant) share of
 * a guest (pnode.h): which backend it is for, and its status in the tree.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pnode.h"
#include "util.h"

#define STEP "containers"

/* The backend --backend chose for every guest, or NULL. */
static const char *
forced_backend(const struct ncprov *p)
{
	return p->backend != NULL && *p->backend != '\0' ? p->backend :
	    NULL;
}

int
ncp_guest_is_lxc(const struct ncprov *p, const struct ncp_guest *g)
{
	const char *b = forced_backend(p);

	if (b != NULL)
		return strcmp(b, "lxc") == 0;
	return strcmp(g->image_provider, "lxc") == 0 || g->image[0] == '\0';
}

/* The message is put on one line. */
int
ncp_guest_status(struct ncprov *p, const char *guest, enum nct_state state,
    const char *message)
{
	int some = message != NULL && *message != '\0';

	return ncprov_node_status(p, guest, state, some ? STEP : NULL,
	    some ? message : NULL);
}
