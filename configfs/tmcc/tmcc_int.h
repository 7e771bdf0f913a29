/*
 * tmcc_int.h: internals shared by the readers of testbed account data
 * (tmcc.c for the tmcc files, passwdfile.c for passwd(5)/group(5)): reading
 * lines with their numbers, splitting "KEYWORD KEY=value ..." lines, checking
 * numbers and text, and merging a staged import into an experiment.
 *
 * Every reader first fills a staging experiment (a struct nc_exp holding
 * only users, groups, mounts, hostnames and pifaces) and merges it into the
 * caller's experiment only when every file read cleanly, so a failed import
 * leaves the caller's experiment as it was.
 */
#ifndef NC_TMCC_INT_H
#define NC_TMCC_INT_H

#include <stdio.h>

#include "diag.h"
#include "model.h"

/* A text file read line by line. */
struct nc_lines {
	FILE *f;		/* the open file */
	char *buf;		/* the current line, newline and CR stripped */
	size_t cap;		/* bytes allocated for buf */
	int line;		/* number of the line in buf (1 is the first) */
};

/* Open path; 0, or -1 with "path: reason" recorded in d (d->file is
 * expected to be path). */
int nc_lines_open(struct nc_lines *l, const char *path, struct nc_diag *d);
/* The next line in *s: 1, 0 at the end, -1 on an error recorded in d (a
 * read error, a NUL byte or another control character than tab). */
int nc_lines_next(struct nc_lines *l, char **s, struct nc_diag *d);
void nc_lines_close(struct nc_lines *l);

#define NC_TMCC_MAXFIELDS 32

/* One KEY=value field of a split line (pointers into the line). */
struct nc_tmcc_field {
	const char *key;	/* field name */
	const char *val;	/* its value, quotes removed */
};

/* A line split into an optional keyword and its fields. */
struct nc_tmcc_line {
	const char *keyword;	/* first word when it holds no '=', or NULL */
	struct nc_tmcc_field f[NC_TMCC_MAXFIELDS]; /* the fields, line order */
	int nf;			/* number of fields */
};

/* Copy the first word of s (up to blank or '=') into buf (truncated). */
void nc_tmcc_first(const char *s, char *buf, size_t len);
/*
 * Split s in place: an optional keyword, then KEY=value fields separated by
 * blanks, a value possibly in double or single quotes (blanks inside kept).
 * Returns 0, or -1 with the reason written to why.
 */
int nc_tmcc_split(char *s, struct nc_tmcc_line *tl, char *why, size_t len);
/* The value of field key, or NULL when the line has none. */
const char *nc_tmcc_get(const struct nc_tmcc_line *tl, const char *key);

/* Parse a decimal counter (RTABID) 0..NC_ID_MAX (valid.h): 0, -1 when s is not a
 * number, -2 when it is out of range. */
int nc_tmcc_num(const char *s, long *v);
/* 1 when s holds no control character and none of the bytes in reject. */
int nc_text_valid(const char *s, const char *reject);
/* Append s to the string vector unless it is already there. */
void nc_strv_add(char ***v, size_t *n, size_t *cap, const char *s);

/* Flags of nc_tmcc_merge. */
#define NC_MERGE_ROOT	1	/* staged users' root flags are authoritative */
#define NC_MERGE_GROUPS	2	/* staged users' group lists replace the old */

/*
 * Move the staging experiment src into e.  A staged group sets the gid of
 * the group of that name; a staged user with uid >= 0 updates that user
 * (strings left NULL keep the old value), one with uid -1 only adds its
 * groups and keys.  Keys and groups are deduplicated.  Mounts replace the
 * mount of the same target, hostnames the entry of the same name, pifaces
 * the one of the same pnode and interface name.  src is left empty.
 */
void nc_tmcc_merge(struct nc_exp *e, struct nc_exp *src, int flags);

/* Staging helpers: add or replace a record by its key, taking ownership of
 * the strings of the record given (which is zeroed). */
void nc_stage_mount(struct nc_exp *e, struct nc_mount *m);
void nc_stage_hostname(struct nc_exp *e, struct nc_hostname *h);
void nc_stage_piface(struct nc_exp *e, struct nc_piface *p);

#endif
