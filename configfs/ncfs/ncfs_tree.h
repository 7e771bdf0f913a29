/*
 * ncfs_tree.h: the shape of the tree: which names a directory holds, what a
 * name inside a directory refers to, and whether a reference still exists.
 */
#ifndef NCFS_TREE_H
#define NCFS_TREE_H

#include <stdint.h>

#include "ncfs.h"

/* Called per entry of a directory; nonzero stops the listing. */
typedef int (*ncfs_list_fn)(void *arg, const char *name,
    const struct ncfs_ref *child);

/* Resolve name in directory dir into *out (keys newly allocated).
 * 0, -ENOENT, -ENOTDIR, or -EIO. */
int ncfs_tree_lookup(struct ncfs_conn *c, const struct ncfs_ref *dir,
    const char *name, struct ncfs_ref *out);
/* Every entry of directory dir in a stable order (without . and ..). */
int ncfs_tree_list(struct ncfs_conn *c, const struct ncfs_ref *dir,
    ncfs_list_fn fn, void *arg);
/* 1 when r still names something, 0 when not, -EIO on error. */
int ncfs_tree_exists(struct ncfs_conn *c, const struct ncfs_ref *r);

/* The root directory. */
void ncfs_ref_root(struct ncfs_ref *r);
void ncfs_ref_copy(struct ncfs_ref *dst, const struct ncfs_ref *src);
void ncfs_ref_free(struct ncfs_ref *r);
/* 1 when a and b name the same thing. */
int ncfs_ref_equal(const struct ncfs_ref *a, const struct ncfs_ref *b);
/* A stable 64-bit number for r (never 0 or 1; the root is 1). */
uint64_t ncfs_ref_hash(const struct ncfs_ref *r);
/* Mode bits, type included (S_IFDIR | 0755, S_IFREG | field mode). */
unsigned ncfs_ref_mode(const struct ncfs_ref *r);
/* "/nodes/a/ifaces/eth1/ip"-style path of r, for the log (static-free:
 * appended to out). */
void ncfs_ref_path(const struct ncfs_ref *r, struct nc_buf *out);

#endif
