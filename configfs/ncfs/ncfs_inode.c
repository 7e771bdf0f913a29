/*
 * ncfs_inode.c: the inode table, an open-addressing hash from inode number
 * to struct ncfs_inode.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ncfs_inode.h"
#include "ncfs_tree.h"
#include "util.h"

pthread_mutex_t ncfs_inode_lock = PTHREAD_MUTEX_INITIALIZER;

static struct ncfs_inode **slots;	/* the table, NULL where empty */
static size_t cap;			/* slots, a power of two */
static size_t used;			/* inodes in the table */
static uint64_t scratch_next = 1;	/* numbers for scratch files */
static size_t nscratch;			/* scratch files in the table */

static size_t
slot_of(uint64_t ino)
{
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ULL) & (cap - 1);

	while (slots[i] != NULL && slots[i]->ino != ino)
		i = (i + 1) & (cap - 1);
	return i;
}

static void
grow(void)
{
	struct ncfs_inode **old = slots;
	size_t oldcap = cap, i;

	cap = cap ? cap * 2 : 1024;
	slots = nc_calloc(cap, sizeof(*slots));
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			slots[slot_of(old[i]->ino)] = old[i];
	free(old);
}

static void
insert(struct ncfs_inode *in)
{
	if ((used + 1) * 2 > cap)
		grow();
	slots[slot_of(in->ino)] = in;
	used++;
}

struct ncfs_inode *
ncfs_inode_get(uint64_t ino)
{
	if (cap == 0)
		return NULL;
	return slots[slot_of(ino)];
}

static struct ncfs_inode *
new_inode(uint64_t ino, const struct ncfs_ref *ref, uint64_t parent,
    const char *name)
{
	struct ncfs_inode *in = nc_calloc(1, sizeof(*in));

	in->ino = ino;
	ncfs_ref_copy(&in->ref, ref);
	in->parent = parent;
	in->name = nc_strdup(name);
	clock_gettime(CLOCK_REALTIME, &in->mtime);
	insert(in);
	return in;
}

void
ncfs_inode_init(void)
{
	struct ncfs_ref root;

	ncfs_ref_root(&root);
	new_inode(1, &root, 1, "")->nlookup = 1;
}

struct ncfs_inode *
ncfs_inode_ref(const struct ncfs_ref *ref, uint64_t parent, const char *name)
{
	uint64_t ino = ncfs_ref_hash(ref);
	struct ncfs_inode *in;

	/* A (vanishingly rare) collision moves to the next free number. */
	while ((in = ncfs_inode_get(ino)) != NULL &&
	    (in->scratch || !ncfs_ref_equal(&in->ref, ref)))
		ino = ino + 1 < (1ULL << 62) ? ino + 1 : 2;
	if (in == NULL)
		in = new_inode(ino, ref, parent, name);
	in->nlookup++;
	return in;
}

struct ncfs_inode *
ncfs_inode_scratch(const struct ncfs_ref *dir, uint64_t parent,
    const char *name, unsigned mode)
{
	struct ncfs_inode *in;
	uint64_t ino;

	/* Scratch numbers live above 2^62, away from the hashed ones. */
	do
		ino = (1ULL << 62) + scratch_next++;
	while (ncfs_inode_get(ino) != NULL);
	in = new_inode(ino, dir, parent, name);
	in->scratch = 1;
	nscratch++;
	in->mode = S_IFREG | (mode & 07777);
	in->nlookup = 1;
	return in;
}

struct ncfs_inode *
ncfs_inode_find_scratch(uint64_t parent, const char *name)
{
	size_t i;

	if (nscratch == 0)	/* the common case: no editor at work */
		return NULL;
	for (i = 0; i < cap; i++)
		if (slots[i] != NULL && slots[i]->scratch &&
		    slots[i]->parent == parent && slots[i]->name != NULL &&
		    strcmp(slots[i]->name, name) == 0)
			return slots[i];
	return NULL;
}

static void
remove_slot(size_t i)
{
	size_t j, home;

	slots[i] = NULL;
	used--;
	for (j = (i + 1) & (cap - 1); slots[j] != NULL;
	    j = (j + 1) & (cap - 1)) {
		home = (size_t)(slots[j]->ino * 0x9e3779b97f4a7c15ULL) &
		    (cap - 1);
		if (((j - home) & (cap - 1)) >= ((j - i) & (cap - 1))) {
			slots[i] = slots[j];
			slots[j] = NULL;
			i = j;
		}
	}
}

void
ncfs_inode_forget(uint64_t ino, uint64_t n)
{
	struct ncfs_inode *in;
	size_t i;

	if (ino == 1 || cap == 0)
		return;
	i = slot_of(ino);
	if ((in = slots[i]) == NULL)
		return;
	in->nlookup = in->nlookup > n ? in->nlookup - n : 0;
	if (in->nlookup > 0 || (in->scratch && in->name != NULL))
		return;
	remove_slot(i);
	if (in->scratch)
		nscratch--;
	ncfs_ref_free(&in->ref);
	nc_buf_free(&in->data);
	ncfs_blob_put(in->blob);
	free(in->name);
	free(in);
}

void
ncfs_inode_unscratch(struct ncfs_inode *in)
{
	if (in->scratch) {
		in->scratch = 0;
		nscratch--;
	}
}

size_t
ncfs_inode_nscratch(void)
{
	return nscratch;
}

void
ncfs_inode_each(void (*fn)(struct ncfs_inode *, void *), void *arg)
{
	size_t i;

	for (i = 0; i < cap; i++)
		if (slots[i] != NULL)
			fn(slots[i], arg);
}
