/*
 * args.c: checked parsing of numeric command-line arguments.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>

#include "cmds.h"

double
neoc_seconds(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 1e6)
		errx(2, "%s: \"%s\" is not a positive number of seconds",
		    opt, s);
	return v;
}

long
neoc_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		errx(2, "%s: \"%s\" is not a number from %ld to %ld", opt, s,
		    lo, hi);
	return v;
}
