/*
 * ncfs_confgen.c: the configuration generation (docs/DESIGN.md, "Status").
 * A write of a file, or a record added or removed, commits with
 * ncfs_commit_ref: besides experiment.generation (every commit), it moves
 * experiment.confgen on and marks the nodes the change concerns
 * (lib/nctree.h, nct_change_scope): the node of the path, the nodes on the
 * LAN of the path, or every node (experiment.allgen).  Status, startstatus
 * and control writes concern no node's configuration and leave confgen as
 * it was, so a watcher of confgen sees configuration changes only.
 */
#include <errno.h>

#include "ncfs.h"
#include "ncfs_render.h"

/* The confgen the change makes, then who it concerns. */
static const char bump_sql[] =
    "UPDATE experiment SET confgen = confgen + 1 WHERE id = 1";
static const char all_sql[] =
    "UPDATE experiment SET allgen = confgen WHERE id = 1";
static const char node_sql[] =
    "UPDATE nodes SET confgen = (SELECT confgen FROM experiment"
    " WHERE id = 1) WHERE name = ?1";
static const char lan_sql[] =
    "UPDATE nodes SET confgen = (SELECT confgen FROM experiment"
    " WHERE id = 1) WHERE id IN (SELECT i.node_id FROM ifaces i"
    " JOIN lans l ON l.id = i.lan_id WHERE l.name = ?1)";

int
ncfs_confgen_bump(struct ncfs_conn *c, const struct ncfs_ref *r)
{
	int e = r->field != NULL ? (int)r->field->id : nct_dir_entry(r->dir);
	enum nct_scope scope = e < 0 ? NCT_SCOPE_ALL :
	    nct_change_scope((enum nct_id)e);
	int rc;

	if (scope == NCT_SCOPE_NONE)
		return 0;
	if ((scope == NCT_SCOPE_NODE || scope == NCT_SCOPE_LAN) &&
	    r->k[0] == NULL)
		scope = NCT_SCOPE_ALL;	/* when unsure, every node */
	if ((rc = ncfs_sql_exec(c, bump_sql, "")) < 0)
		return rc;
	switch (scope) {
	case NCT_SCOPE_NODE:
		rc = ncfs_sql_exec(c, node_sql, "s", r->k[0]);
		break;
	case NCT_SCOPE_LAN:
		rc = ncfs_sql_exec(c, lan_sql, "s", r->k[0]);
		break;
	default:
		rc = ncfs_sql_exec(c, all_sql, "");
		break;
	}
	return rc < 0 ? rc : 0;
}

int
ncfs_commit_ref(struct ncfs_conn *c, const struct ncfs_ref *r)
{
	int rc = ncfs_confgen_bump(c, r);

	if (rc < 0) {
		ncfs_rollback(c);
		return rc;
	}
	return ncfs_commit(c);
}
