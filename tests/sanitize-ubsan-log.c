// SPDX-License-Identifier: GPL-2.0-or-later
/* UBSan's reports into the sanitizer log directory, in gcc builds
 *
 * gcc links -fsanitize=address,undefined as two runtimes, libasan and
 * libubsan, each with a report file of its own.  libubsan applies
 * UBSAN_OPTIONS' log_path by calling __sanitizer_set_report_path(), which
 * both export; the call binds to libasan's copy, first in the lookup
 * order, and libubsan goes on writing to stderr, where a daemon's report
 * ends in a file its test removes.  Linked into every program and library
 * of such a build (the top meson.build), this hands libubsan's own copy
 * the path.  Several copies in one process do the same thing. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void ubsan_log_path(void)
{
	static char path[4096];
	const char *opts = getenv("UBSAN_OPTIONS");
	const char *p = NULL;

	/* The last log_path= wins, as in the runtime's own parser. */
	for (const char *s = opts; s && (s = strstr(s, "log_path=")); s++)
		if (s == opts || s[-1] == ':')
			p = s + strlen("log_path=");
	if (!p)
		return;
	size_t n = strcspn(p, ": \t\n");
	if (n == 0 || n >= sizeof(path))
		return;
	memcpy(path, p, n);
	path[n] = '\0';

	void *h = dlopen("libubsan.so.1", RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return;
	void (*set)(const char *) = (void (*)(const char *))dlsym(h, "__sanitizer_set_report_path");
	if (set)
		set(path);
	dlclose(h);
}
