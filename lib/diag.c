/*
 * diag.c: file:line diagnostics.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

void
nc_diag_init(struct nc_diag *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
	d->out = stderr;
}

void
nc_diag_free(struct nc_diag *d)
{
	free(d->error);
	nc_strmap_free(&d->seen);
	d->error = NULL;
}

static char *
format(struct nc_diag *d, int line, const char *kind, const char *fmt,
    va_list ap)
{
	char *msg, *out;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = nc_strdup("(out of memory)");
	if (line > 0)
		out = nc_asprintf("%s:%d: %s%s", d->file ? d->file : "-",
		    line, kind, msg);
	else
		out = nc_asprintf("%s: %s%s", d->file ? d->file : "-", kind,
		    msg);
	free(msg);
	return out;
}

void
nc_diag_warn(struct nc_diag *d, int line, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = format(d, line, "warning: ", fmt, ap);
	va_end(ap);
	if (nc_strmap_get(&d->seen, s) < 0) {
		nc_strmap_put(&d->seen, s, 1);
		d->nwarn++;
		if (d->out != NULL)
			fprintf(d->out, "%s\n", s);
	}
	free(s);
}

int
nc_diag_error(struct nc_diag *d, int line, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = format(d, line, "", fmt, ap);
	va_end(ap);
	d->nerr++;
	if (d->error == NULL)
		d->error = s;
	else
		free(s);
	return -1;
}
