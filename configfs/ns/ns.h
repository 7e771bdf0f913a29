/*
 * ns.h: evaluating an NS file (ns-2 Tcl with the testbed's tb-* commands) in
 * an embedded, safe Tcl interpreter whose simulator objects and commands are
 * implemented in C.
 */
#ifndef NC_NS_H
#define NC_NS_H

#include "diag.h"
#include "model.h"

struct nc_ns_opts {
	double time_limit;	/* seconds of evaluation before giving up */
};

/*
 * Evaluate the NS file at path into e (initialised, empty): nodes, links and
 * LANs with their names, members, shaping, explicit addresses, attributes
 * and the other tb-* settings.  Placement and addressing are not done here.
 * Unsupported ns-2 features are warnings in d; a real error is recorded in d
 * as "file:line: reason" and -1 returned.
 */
int nc_ns_eval(const char *path, struct nc_exp *e, struct nc_diag *d,
    const struct nc_ns_opts *o);

#endif
