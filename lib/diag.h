/*
 * diag.h: warnings and errors about an input file, reported as
 * "file:line: message" on stderr.  Warnings are printed once per distinct
 * (line, message); the first error is kept so the caller can report it and
 * fail.
 */
#ifndef NC_DIAG_H
#define NC_DIAG_H

#include <stdio.h>

#include "strmap.h"

struct nc_diag {
	const char *file;	/* name of the input, as the user gave it */
	FILE *out;		/* where warnings go (stderr); NULL silences */
	int nwarn;		/* warnings printed */
	int nerr;		/* errors recorded */
	char *error;		/* the first error, "file:line: message" */
	struct nc_strmap seen;	/* warnings already printed */
};

void nc_diag_init(struct nc_diag *d, const char *file);
void nc_diag_free(struct nc_diag *d);
/* A warning at line (0: no line); repeated identical warnings are dropped. */
void nc_diag_warn(struct nc_diag *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error at line (0: no line).  Returns -1 for convenience. */
int nc_diag_error(struct nc_diag *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
