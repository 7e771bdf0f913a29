/*
 * ncfs_log.c: logging for ncfs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "ncfs_log.h"

static int use_syslog;		/* 1 once daemonized */

void
ncfs_log_syslog(void)
{
	openlog("ncfs", LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}

void
ncfs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(LOG_NOTICE, fmt, ap);
	} else {
		fputs("ncfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
