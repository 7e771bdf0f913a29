/*
 * tmcc.h: the testbed's node-configuration files (tmcc accounts, mounts,
 * hostnames, ifconfig) and plain passwd(5)/group(5) files, read into an
 * experiment.
 */
#ifndef NC_TMCC_H
#define NC_TMCC_H

#include "diag.h"
#include "model.h"

/*
 * Read DIR/accounts, DIR/mounts, DIR/hostnames and DIR/ifconfig (each
 * optional, at least one present) into e, adding to what it holds.  Users,
 * groups, keys and mounts are merged by name.  DIR/ifconfig describes the
 * physical interfaces of pnode `pnode` (NULL: the experiment's only pnode);
 * DIR/<pnode>/ifconfig those of that pnode.  Errors name file and line.
 */
int nc_tmcc_import(const char *dir, const char *pnode, struct nc_exp *e,
    struct nc_diag *d);
/* Read a passwd(5) file and optionally a group(5) file into e. */
int nc_passwd_import(const char *passwd, const char *group, struct nc_exp *e,
    struct nc_diag *d);

#endif
