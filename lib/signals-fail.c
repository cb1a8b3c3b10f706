// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuse_set_fail_signal_handlers: a crash says so (libfuse3.so.4 only)
 *
 * A file system that dies of SIGSEGV leaves its users with ENOTCONN and
 * nothing in its log.  The handler writes one line naming the signal, with
 * write(2) only (async-signal-safe), then restores the default action and
 * raises the signal again, so the process still dies of it (core dump,
 * wait status) as it would have.  Handlers the program set are kept. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fuse_i.h"

static const int fail_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static void fail_handler(int sig)
{
	static const char pre[] = "fuse: the file system process got signal ";
	char num[4];
	size_t n = 0;

	if (sig >= 100)
		num[n++] = (char)('0' + sig / 100);
	if (sig >= 10)
		num[n++] = (char)('0' + sig / 10 % 10);
	num[n++] = (char)('0' + sig % 10);
	num[n++] = '\n';
	(void)!write(STDERR_FILENO, pre, sizeof(pre) - 1);
	(void)!write(STDERR_FILENO, num, n);
	signal(sig, SIG_DFL);
	raise(sig);
}

int fuse_set_fail_signal_handlers(struct fuse_session *se)
{
	(void)se;
	for (size_t i = 0; i < sizeof(fail_signals) / sizeof(fail_signals[0]); i++) {
		struct sigaction sa, old;

		if (sigaction(fail_signals[i], NULL, &old) == -1) {
			fuse_log(FUSE_LOG_ERR, "fuse: cannot get signal handler: %m\n");
			return -1;
		}
		if (old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = fail_handler;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		if (sigaction(fail_signals[i], &sa, NULL) == -1) {
			fuse_log(FUSE_LOG_ERR, "fuse: cannot set signal handler: %m\n");
			return -1;
		}
	}
	return 0;
}
