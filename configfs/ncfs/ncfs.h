/*
 * ncfs.h: what the parts of ncfs share.  ncfs serves the experiment
 * database as the tree of docs/DESIGN.md ("The tree under /nc").
 *
 * A path names a directory of some type (enum nct_dir, the contract of
 * lib/nctree.h) with up to three keys (node, interface, attribute, ...
 * names), or a file: a field of such a directory, one entry of the
 * contract.  Fields are read by rendering them from SQL (get) and written
 * through a validating setter (set) inside a transaction the caller opens.
 * Every function reports errors as negative errno values; setters put the
 * reason for a refusal into `why` (it goes to the log).
 */
#ifndef NCFS_H
#define NCFS_H

#include <sqlite3.h>
#include <sys/types.h>

#include "buf.h"
#include "nctree.h"

/* One SQLite connection and its prepared statements (one per thread). */
struct ncfs_conn {
	sqlite3 *db;		/* the experiment database */
	const char **sqls;	/* cached statements: their SQL text pointers */
	sqlite3_stmt **stmts;	/* ... and the prepared statements */
	size_t nstmts, capstmts;
	int in_txn;		/* a transaction is open */
	long long last_gen;	/* generation the last commit produced */
};

/*
 * A prepared statement for sql (a string constant: it is cached by its
 * address), reset and with its bindings cleared.  NULL on error (logged).
 */
sqlite3_stmt *ncfs_stmt(struct ncfs_conn *c, const char *sql);
/* Open a connection to path (WAL, busy timeout); NULL on error. */
struct ncfs_conn *ncfs_conn_open(const char *path, int readonly);
void ncfs_conn_close(struct ncfs_conn *c);
/* BEGIN IMMEDIATE / COMMIT (bumping experiment.generation) / ROLLBACK. */
int ncfs_begin(struct ncfs_conn *c);
int ncfs_commit(struct ncfs_conn *c);
void ncfs_rollback(struct ncfs_conn *c);
/* experiment.generation as c sees it (0 when there is none); 0 or -EIO. */
int ncfs_generation(struct ncfs_conn *c, long long *gen);
/* A read transaction (BEGIN ... COMMIT): every read between the two sees
 * one snapshot of the database.  0 or -errno; end it with ncfs_read_end. */
int ncfs_read_begin(struct ncfs_conn *c);
void ncfs_read_end(struct ncfs_conn *c);

struct ncfs_ref;

/*
 * ncfs_confgen.c: inside the open transaction, move experiment.confgen on
 * for a change of r (a file written, or a record added or removed) and
 * mark the nodes it concerns (nct_change_scope); nothing for status
 * writes.  0 or -errno.  ncfs_commit_ref: that, then ncfs_commit (rolled
 * back on failure).
 */
int ncfs_confgen_bump(struct ncfs_conn *c, const struct ncfs_ref *r);
int ncfs_commit_ref(struct ncfs_conn *c, const struct ncfs_ref *r);

/* How ncfs reads and writes a file of the tree (its name, mode and writer
 * are the contract's row, nct_entries[id]). */
struct ncfs_field {
	enum nct_id id;		/* the contract's entry */
	/* Append the contents (newline-terminated) to out: 0, -ENOENT ... */
	int (*get)(struct ncfs_conn *c, const struct ncfs_ref *r,
	    struct nc_buf *out);
	/*
	 * Validate and store value (one trailing newline already removed),
	 * inside an open transaction.  0, or -EINVAL (-EEXIST, -ENOENT,
	 * -ENAMETOOLONG ...) with the reason in why.  NULL: read-only.
	 */
	int (*set)(struct ncfs_conn *c, const struct ncfs_ref *r,
	    const char *value, struct nc_buf *why);
	int shared;		/* the same contents on every node */
};

/* What a path names. */
struct ncfs_ref {
	enum nct_dir dir;	/* the directory, or the file's directory */
	const struct ncfs_field *field; /* the file; NULL for a directory */
	char *k[3];		/* keys: [0] node, LAN, user, group, image or
				 * image prefix; [1] interface, attribute key
				 * or user (keys/, accounts/); NULL when
				 * unused */
};

/*
 * The file entries of the contract, indexed by entry (a directory's slot
 * has no get); every file row of lib/nctree.h has one, which the unit
 * tests check.
 */
extern const struct ncfs_field ncfs_field_table[NCT_NENTRIES];
/*
 * The renderer of nodes/<n>/bundle.  It walks the tree (ncfs_bundle.c over
 * ncfs_tree.c), which is built from this table, so it is installed at start
 * (ncfs_bundle_init) rather than named in the table: that would make the
 * files call each other around a loop.  NULL until then (the bundle reads
 * as -EIO).
 */
extern int (*ncfs_bundle_render)(struct ncfs_conn *c,
    const struct ncfs_ref *r, struct nc_buf *out);
/* The field of file entry e; NULL for a directory. */
const struct ncfs_field *ncfs_field_of(enum nct_id e);
/* The one field behind every file of attributes/ and of keys/. */
#define ncfs_attr_field (ncfs_field_table[NCT_ATTR])
#define ncfs_key_field (ncfs_field_table[NCT_KEY])

/*
 * Records made and removed through the tree (inside an open transaction):
 * mkdir users/<u> and groups/<g> (fresh uid/gid, defaults), creating
 * attributes/<k> with an empty value; rmdir / unlink remove them.
 * r names the new or old record (dir NCT_D_USER, NCT_D_GROUP, or
 * NCT_D_ATTRS with k[1] the key).  0 or -errno with why.
 */
int ncfs_record_add(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why);
int ncfs_record_remove(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why);

#endif
