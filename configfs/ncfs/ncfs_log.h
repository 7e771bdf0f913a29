/*
 * ncfs_log.h: the log of ncfs (stderr in the foreground, syslog as a
 * daemon).  Refused writes are logged with their reason.
 */
#ifndef NCFS_LOG_H
#define NCFS_LOG_H

#include <errno.h>

void ncfs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log to syslog instead of stderr from now on. */
void ncfs_log_syslog(void);

#endif
