/*
 * routes.h: the static routes of an experiment, computed at import from
 * its links and LANs ($ns rtproto Static) or from the NS file's add-route
 * lines ($ns rtproto Manual).
 */
#ifndef NC_ROUTES_H
#define NC_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "model.h"

/* Room for a route's text, "255.255.255.255/32 via 255.255.255.255". */
#define NC_ROUTE_TEXT 48

/*
 * Give every node the routes e->rtproto asks for, once every interface has
 * its address (after nc_address): NC_RT_STATIC computes shortest paths,
 * NC_RT_MANUAL resolves e->manroutes; both replace every node's routes.
 * NC_RT_NONE leaves the routes as they are (loaded from a database or a
 * JSON file).  pool/pool_mask is the subnet pool (--subnet) static routes
 * are aggregated into (nc_routes_static).  Returns 0, or -1 with the error
 * in d (an add-route whose next hop shares no LAN with its node).
 */
int nc_routes(struct nc_exp *e, uint32_t pool, uint32_t pool_mask,
    struct nc_diag *d);

/*
 * Shortest-path routes: every node with an interface gets one route to
 * each subnet of the experiment it is not on but can reach, via the
 * address, on a LAN they share, of the first node on a path with the
 * fewest LANs and links.  Ties go to the path found first by a
 * breadth-first search that takes a node's interfaces and a LAN's members
 * in their order.  Routes are listed in LAN order.
 *
 * Aggregated: when a node reaches every subnet strictly inside
 * pool/pool_mask, and one gateway takes at least two of its routes to
 * such subnets (the most; the first in LAN order on a tie), those routes
 * become one, "POOL/PREFIX via GW", listed first; routes through other
 * gateways and to subnets outside the pool stay.  Longest-prefix match
 * over the routes and the node's own subnets gives every subnet of the
 * experiment the same next hop as the explicit routes.  A pool mask of 0,
 * or a LAN whose subnet is the pool or holds it, turns aggregation off.
 */
void nc_routes_static(struct nc_exp *e, uint32_t pool, uint32_t pool_mask);

/* The text of r, "DST/PREFIX via GW" or "default via GW", into buf. */
char *nc_route_format(const struct nc_route *r, char buf[NC_ROUTE_TEXT]);

/* Add r to n, replacing a route to the same destination. */
void nc_route_put(struct nc_node *n, const struct nc_route *r);

/*
 * Replace n's routes by those of text: "DST/PREFIX via GW" lines
 * (nc_valid_route), empty lines skipped.  A bad line, or a second route to
 * the same destination, is -EINVAL with *line its number (from 1) and
 * *why the reason; n is then unchanged.
 */
int nc_routes_parse(struct nc_node *n, const char *text, int *line,
    const char **why);
/* The index of a route of v[0..n) to a destination an earlier one has
 * already (the first such in order), or -1.  O(n log n). */
long nc_routes_dup(const struct nc_route *v, size_t n);
/* n's routes as text: one route a line, each ending in a newline. */
void nc_routes_text(const struct nc_node *n, struct nc_buf *out);

#endif
