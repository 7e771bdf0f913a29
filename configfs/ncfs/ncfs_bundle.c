/*
 * ncfs_bundle.c: nodes/<n>/bundle, every file and directory of a node's
 * subtree in one file, rendered inside one SQLite read transaction, so a
 * node reads its whole configuration in one open and never a mix of values
 * from before and after an edit (docs/DESIGN.md, "Node bundle").
 *
 * The format, which ncprov parses (provision/source_bundle.c):
 *
 *   ncbundle 1 GENERATION\n
 *   D LEN PATH\n  LEN bytes: the directory's names, each ended by \n, a
 *                 subdirectory's with '/' before it \n
 *   F LEN PATH\n  LEN bytes: the file's contents \n
 *   ...
 *   end\n
 *
 * PATH is relative to the tree's root ("nodes/a/ifaces/eth1/ip"); a
 * directory comes before what it holds.  A file whose render fails is
 * listed in its directory but has no F entry (a reader asks the tree for
 * it).  The bundle itself is neither listed nor inside.  keys/ and
 * accounts/ are listed but not inside: they are per-user views of sshkeys,
 * passwd, group and sudoers, which are, and would make a node's bundle grow
 * by eight files per user.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ncfs_bundle.h"
#include "ncfs_tree.h"
#include "util.h"

/* A directory's listing, taken whole before anything inside is rendered
 * (ncfs's cached statements do not nest). */
struct listing {
	char **names;		/* entry names */
	struct ncfs_ref *refs;	/* what each names */
	size_t n, cap, capr;	/* entries; capacities */
};

static int
keep(void *arg, const char *name, const struct ncfs_ref *child)
{
	struct listing *l = arg;
	size_t n = l->n;

	if (child->field != NULL && child->field->id == NCT_NODE_BUNDLE)
		return 0;
	*NC_PUSH(l->names, l->n, l->cap) = nc_strdup(name);
	ncfs_ref_copy(NC_PUSH(l->refs, n, l->capr), child);
	return 0;
}

static void
listing_free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->names[i]);
		ncfs_ref_free(&l->refs[i]);
	}
	free(l->names);
	free(l->refs);
}

/* One entry: its header line, its bytes, a newline. */
static void
entry(struct nc_buf *out, char kind, const char *path,
    const struct nc_buf *data)
{
	nc_buf_printf(out, "%c %zu %s\n", kind, data->len, path);
	nc_buf_add(out, nc_buf_str(data), data->len);
	nc_buf_add(out, "\n", 1);
}

/* The directory dir at path and everything under it into out. */
static int
bundle_dir(struct ncfs_conn *c, const struct ncfs_ref *dir, const char *path,
    struct nc_buf *out)
{
	struct listing l = { 0 };
	struct nc_buf names = { 0 }, data = { 0 };
	char *child;
	size_t i;
	int rc;

	if ((rc = ncfs_tree_list(c, dir, keep, &l)) < 0)
		goto out;
	for (i = 0; i < l.n; i++)
		nc_buf_printf(&names, "%s%s\n", l.names[i],
		    l.refs[i].field == NULL ? "/" : "");
	entry(out, 'D', path, &names);
	for (i = 0; i < l.n && rc == 0; i++) {
		child = nc_asprintf("%s/%s", path, l.names[i]);
		if (l.refs[i].field == NULL) {
			if (l.refs[i].dir != NCT_D_KEYS &&
			    l.refs[i].dir != NCT_D_ACCOUNTS)
				rc = bundle_dir(c, &l.refs[i], child, out);
		} else {
			nc_buf_reset(&data);
			if (l.refs[i].field->get(c, &l.refs[i], &data) == 0)
				entry(out, 'F', child, &data);
		}
		free(child);
	}
out:
	nc_buf_free(&names);
	nc_buf_free(&data);
	listing_free(&l);
	return rc;
}

/* nodes/<n>/bundle: r names the file (k[0] the node). */
static int
bundle_get(struct ncfs_conn *c, const struct ncfs_ref *r, struct nc_buf *out)
{
	struct ncfs_ref node = { .dir = NCT_D_NODE };
	char path[NCT_PATH_MAX];
	long long gen;
	int rc, began = 0;

	node.k[0] = r->k[0];
	if (nct_dir_path(path, sizeof(path), NCT_D_NODE, r->k[0], NULL) < 0)
		return -ENOENT;
	if (!c->in_txn) {
		if ((rc = ncfs_read_begin(c)) < 0)
			return rc;
		began = 1;
	}
	if ((rc = ncfs_tree_exists(c, &node)) != 1) {
		rc = rc < 0 ? rc : -ENOENT;
		goto out;
	}
	if ((rc = ncfs_generation(c, &gen)) < 0)
		goto out;
	nc_buf_printf(out, "ncbundle %d %lld\n", NCFS_BUNDLE_VERSION, gen);
	if ((rc = bundle_dir(c, &node, path, out)) < 0)
		goto out;
	nc_buf_add(out, "end\n", 4);
out:
	if (began)
		ncfs_read_end(c);
	if (rc < 0)
		nc_buf_reset(out);
	return rc;
}

void
ncfs_bundle_init(void)
{
	ncfs_bundle_render = bundle_get;
}
