/*
 * ns_msg.c: the NS evaluator's messages: warnings and errors at the line of
 * the command being run (ns_lines.c), usage errors, and user strings and
 * Tcl messages made fit for one line of a terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcl.h>

#include "diag.h"
#include "ns_priv.h"
#include "util.h"

/* Longest user string echoed in a message. */
#define NS_SHOW_MAX 80

/* s quoted for a message: "...", with '"', '\\', control and non-ASCII
 * bytes escaped and long strings cut.  Returns a new string. */
char *
ns_quote(const char *s)
{
	size_t i, j = 0, n = NS_SHOW_MAX * 4 + 8;
	char *q = nc_malloc(n);

	q[j++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= NS_SHOW_MAX) {
			memcpy(q + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			j += (size_t)snprintf(q + j, n - j, "\\x%02x", c);
		else
			q[j++] = (char)c;
	}
	q[j++] = '"';
	q[j] = '\0';
	return q;
}

/* A Tcl message made fit for one line of a terminal: control bytes
 * escaped, cut when very long.  Returns a new string. */
char *
ns_clean(const char *s)
{
	size_t i, j = 0, n = 4 * 512 + 8;
	char *q = nc_malloc(n);

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= 512) {
			memcpy(q + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			j += (size_t)snprintf(q + j, n - j, "\\x%02x", c);
		else
			q[j++] = (char)c;
	}
	q[j] = '\0';
	return q;
}

/* Record an error at the current line and make it the Tcl result.
 * Returns TCL_ERROR. */
int
ns_error(struct ns_state *st, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int line;

	line = ns_line(st);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	nc_diag_error(st->d, line, "%s", msg ? msg : "out of memory");
	Tcl_SetObjResult(st->interp, Tcl_NewStringObj(msg ? msg : "", -1));
	free(msg);
	return TCL_ERROR;
}

/* A warning at the current line. */
void
ns_warn(struct ns_state *st, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int line;

	line = ns_line(st);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	nc_diag_warn(st->d, line, "%s", msg ? msg : "out of memory");
	free(msg);
}

/* Wrong number of arguments.  Returns TCL_ERROR. */
int
ns_usage(struct ns_state *st, const char *usage)
{
	return ns_error(st, "wrong number of arguments; usage: %s", usage);
}
