// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuse_log to syslog(3): fuse_log_enable_syslog, fuse_log_close_syslog
 * (libfuse3.so.4 only) */
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#include "fuse_log.h"

/* fuse_log_level is numbered like syslog's priorities: no table needed,
 * only a clamp against values from outside the enum. */
static void log_to_syslog(enum fuse_log_level level, const char *fmt,
			  va_list ap)
{
	int prio = (int)level;

	if (prio < LOG_EMERG || prio > LOG_DEBUG)
		prio = LOG_ERR;
	vsyslog(prio, fmt, ap);
}

void fuse_log_enable_syslog(const char *ident, int option, int facility)
{
	openlog(ident, option, facility);
	fuse_set_log_func(log_to_syslog);
}

void fuse_log_close_syslog(void)
{
	fuse_set_log_func(NULL);
	closelog();
}
