// SPDX-License-Identifier: GPL-2.0-or-later
/* fuse.conf as fused reads it (fused/conf.c's conf_parse).  The file is the
 * admin's, but its parser runs as root in the service and must hold for
 * anything: every warning names a line that exists and the result is
 * always a usable configuration. */
#include <string.h>

#include "fused.h"
#include "fuzz-util.h"

typedef struct Warnings {
        unsigned lines;         /* lines in the input, at most */
        unsigned last;
} Warnings;

static void warn(unsigned line, const char *text, void *userdata) {
        Warnings *w = userdata;

        /* In order, each line at most once, text readable to its end. */
        FUZZ_CHECK(line > w->last && line <= w->lines);
        FUZZ_CHECK(strlen(text) < 1024);
        w->last = line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _fuzz_free_ char *s = fuzz_cstr(data, size);
        Warnings w = { .lines = 1 };
        FuseConf c;

        for (const char *p = s; *p; p++)
                w.lines += *p == '\n';
        conf_parse(s, &c, warn, &w);
        /* Without a callback nothing is reported and the result is the same. */
        FuseConf c2;
        conf_parse(s, &c2, NULL, NULL);
        FUZZ_CHECK(c.mount_max == c2.mount_max && c.user_allow_other == c2.user_allow_other);
        return 0;
}
