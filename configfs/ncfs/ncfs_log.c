/*
 * ncfs_log.c: logging for ncfs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "buf.h"
#include "ncfs_log.h"
#include "util.h"

static int use_syslog;		/* 1 once daemonized */

void
ncfs_log_syslog(void)
{
	openlog("ncfs", LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}

/*
 * Messages carry names and values from users: control bytes are shown as
 * \xNN so none can forge a line of the log.
 */
void
ncfs_log(const char *fmt, ...)
{
	struct nc_buf msg = { 0 }, out = { 0 };
	const unsigned char *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg.p = nc_malloc((size_t)n + 1);
	msg.cap = (size_t)n + 1;
	va_start(ap, fmt);
	vsnprintf(msg.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	msg.len = (size_t)n;
	for (p = (const unsigned char *)msg.p; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			nc_buf_printf(&out, "\\x%02x", *p);
		else
			nc_buf_add(&out, p, 1);
	}
	if (use_syslog)
		syslog(LOG_NOTICE, "%s", nc_buf_str(&out));
	else
		fprintf(stderr, "ncfs: %s\n", nc_buf_str(&out));
	nc_buf_free(&msg);
	nc_buf_free(&out);
}
