// SPDX-License-Identifier: LGPL-2.1-or-later
/* Logging: fuse_log() and the replaceable sink behind it */
#include <stdarg.h>
#include <stdio.h>

#include "fuse_log.h"

static void log_to_stderr(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)vfprintf(stderr, fmt, ap);
}

/* Read on every message, possibly from worker threads while the program
 * swaps sinks: relaxed atomics keep that well-defined. */
static fuse_log_func_t log_func = log_to_stderr;

void fuse_set_log_func(fuse_log_func_t func)
{
	__atomic_store_n(&log_func, func ? func : log_to_stderr, __ATOMIC_RELAXED);
}

void fuse_log(enum fuse_log_level level, const char *fmt, ...)
{
	fuse_log_func_t func = __atomic_load_n(&log_func, __ATOMIC_RELAXED);
	va_list ap;

	va_start(ap, fmt);
	func(level, fmt, ap);
	va_end(ap);
}
