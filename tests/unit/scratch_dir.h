/*
 * scratch_dir.h: removing a test's scratch directory tree (nftw, no
 * program run).  Header-only, for the unit tests.
 */
#ifndef NC_SCRATCH_DIR_H
#define NC_SCRATCH_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int
scratch_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and everything under it; 0, or -1 when something stayed. */
static inline int
scratch_rm(const char *dir)
{
	return nftw(dir, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
