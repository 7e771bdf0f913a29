/*
 * ncfs.h: what the parts of ncfs share.  ncfs serves the experiment
 * database as the tree of docs/DESIGN.md ("The tree under /nc").
 *
 * A path names a directory of some type (ncfs_dtype) with up to three keys
 * (node, interface, attribute, ... names), or a file: a field of such a
 * directory.  Fields are read by rendering them from SQL (get) and written
 * through a validating setter (set) inside a transaction the caller opens.
 * Every function reports errors as negative errno values; setters put the
 * reason for a refusal into `why` (it goes to the log).
 */
#ifndef NCFS_H
#define NCFS_H

#include <sqlite3.h>
#include <sys/types.h>

#include "buf.h"

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

/* Directory types of the tree. */
enum ncfs_dtype {
	NCFS_D_ROOT,		/* / */
	NCFS_D_EXPERIMENT,	/* /experiment */
	NCFS_D_NODES,		/* /nodes */
	NCFS_D_NODE,		/* /nodes/<k0> */
	NCFS_D_NODE_IMAGE,	/* /nodes/<k0>/image */
	NCFS_D_IFACES,		/* /nodes/<k0>/ifaces */
	NCFS_D_IFACE,		/* /nodes/<k0>/ifaces/<k1> */
	NCFS_D_ATTRS,		/* /nodes/<k0>/attributes (files named by key) */
	NCFS_D_KEYS,		/* /nodes/<k0>/keys (files named by user) */
	NCFS_D_LANS,		/* /lans */
	NCFS_D_LAN,		/* /lans/<k0> */
	NCFS_D_USERS,		/* /users */
	NCFS_D_USER,		/* /users/<k0> */
	NCFS_D_GROUPS,		/* /groups */
	NCFS_D_GROUP,		/* /groups/<k0> */
	NCFS_D_IMAGES,		/* /images, or /images/<k0> a name prefix */
	NCFS_D_IMAGE,		/* /images/<k0> (k0 may hold '/') */
	NCFS_D_MAX
};

struct ncfs_ref;

/* A file of the tree. */
struct ncfs_field {
	const char *name;	/* file name (NULL: the name is a key) */
	mode_t mode;		/* 0644 value, 0444 rendered, 0600 secret */
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
	enum ncfs_dtype dir;	/* the directory, or the file's directory */
	const struct ncfs_field *field; /* the file; NULL for a directory */
	char *k[3];		/* keys: [0] node, LAN, user, group, image or
				 * image prefix; [1] interface, attribute key
				 * or user (keys/); NULL when unused */
};

/* The fixed files of each directory type, terminated by a NULL name. */
extern const struct ncfs_field *const ncfs_fields[NCFS_D_MAX];
/* The one field behind every file of attributes/ and of keys/. */
extern const struct ncfs_field ncfs_attr_field;
extern const struct ncfs_field ncfs_key_field;

/*
 * Records made and removed through the tree (inside an open transaction):
 * mkdir users/<u> and groups/<g> (fresh uid/gid, defaults), creating
 * attributes/<k> with an empty value; rmdir / unlink remove them.
 * r names the new or old record (dir NCFS_D_USER, NCFS_D_GROUP, or
 * NCFS_D_ATTRS with k[1] the key).  0 or -errno with why.
 */
int ncfs_record_add(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why);
int ncfs_record_remove(struct ncfs_conn *c, const struct ncfs_ref *r,
    struct nc_buf *why);

#endif
