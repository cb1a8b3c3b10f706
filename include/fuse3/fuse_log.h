/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse_log.h: the library's logging hook.
 *
 * Everything the library reports goes through fuse_log(); a program may
 * route it elsewhere (syslog, its own logger) with fuse_set_log_func(). */
#ifndef FUSE_LOG_H_
#define FUSE_LOG_H_

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Severities, numbered like syslog(3)'s LOG_EMERG..LOG_DEBUG. */
enum fuse_log_level {
	FUSE_LOG_EMERG,
	FUSE_LOG_ALERT,
	FUSE_LOG_CRIT,
	FUSE_LOG_ERR,
	FUSE_LOG_WARNING,
	FUSE_LOG_NOTICE,
	FUSE_LOG_INFO,
	FUSE_LOG_DEBUG
};

/* A log sink: gets the severity and a printf(3) format with its arguments. */
typedef void (*fuse_log_func_t)(enum fuse_log_level level,
				const char *fmt, va_list ap);

/* Installs func as the sink; NULL restores the default (stderr). */
void fuse_set_log_func(fuse_log_func_t func);

/* The library's own sources get format checking; so do programs built
 * for libfuse3.so.4, whose reference header has the attribute.  Programs
 * for libfuse3.so.3 are left alone: its reference header had none, and a
 * program that builds warning-free against it must build against this
 * one too.  (fuse_abi.h defaults FUSED_SOVERSION to 4; this header may
 * be included alone.) */
#if defined(FUSED_BUILDING_LIB) || !defined(FUSED_SOVERSION) || FUSED_SOVERSION >= 4
#define FUSE_LOG_PRINTF_ __attribute__((format(printf, 2, 3)))
#else
#define FUSE_LOG_PRINTF_
#endif

/* Formats a message and hands it to the current sink. */
void fuse_log(enum fuse_log_level level, const char *fmt, ...) FUSE_LOG_PRINTF_;
#undef FUSE_LOG_PRINTF_

#if !defined(FUSED_SOVERSION) || FUSED_SOVERSION >= 4
/* Sends the library's messages to syslog(3) from now on: openlog(ident,
 * option, facility), then a sink that maps the levels to priorities. */
void fuse_log_enable_syslog(const char *ident, int option, int facility);
/* Back to stderr, and closelog(3). */
void fuse_log_close_syslog(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* FUSE_LOG_H_ */
