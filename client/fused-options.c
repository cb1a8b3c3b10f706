// SPDX-License-Identifier: GPL-2.0-or-later
/* fused client: preparing a fuse(8) option string for Manager.Mount.
 *
 * Options are split on commas not escaped with a backslash; each one is
 * copied as it was written (escapes kept), so fused splits it the same way.
 * What the client handles itself comes out: auto_unmount becomes the
 * Mount flag, nonempty is a no-op kept for old callers (FUSE 3 mounts on a
 * non-empty directory anyway), and x-* options belong to mount(8) and
 * fstab, never to the kernel. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fused-client.h"

/* Length of the option starting at p, up to an unescaped comma or the end. */
static size_t option_len(const char *p) {
        size_t n = 0;

        while (p[n] && p[n] != ',') {
                if (p[n] == '\\' && p[n + 1])
                        n++;
                n++;
        }
        return n;
}

static bool option_is(const char *opt, size_t len, const char *name) {
        return strlen(name) == len && memcmp(opt, name, len) == 0;
}

int fused_options_prepare(const char *in, char **ret, unsigned *flags) {
        char *out;
        size_t n = 0;

        if (!in)
                in = "";
        out = malloc(strlen(in) + 1);
        if (!out)
                return -ENOMEM;
        for (const char *p = in; *p;) {
                size_t len = option_len(p);

                if (len == 0) {
                        /* ",," or a leading/trailing comma: nothing there */
                } else if (option_is(p, len, "auto_unmount")) {
                        if (flags)
                                *flags |= FUSED_CLIENT_AUTO_UNMOUNT;
                } else if (option_is(p, len, "nonempty") || (len >= 2 && memcmp(p, "x-", 2) == 0)) {
                        /* dropped, see above */
                } else {
                        if (n > 0)
                                out[n++] = ',';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
                if (*p == ',')
                        p++;
        }
        out[n] = 0;
        *ret = out;
        return 0;
}
