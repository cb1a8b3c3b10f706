// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: preparing a fuse(8) option string for fused's Mount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "fused-client.h"

static int failures;

static void check(const char *in, const char *want, unsigned want_flags) {
        char *out = NULL;
        unsigned flags = 0;

        if (fused_options_prepare(in, &out, &flags) < 0 || strcmp(out, want) != 0 ||
            flags != want_flags) {
                fprintf(stderr, "FAIL: '%s' gave '%s' flags %u, want '%s' flags %u\n",
                        in ? in : "(null)", out ? out : "(null)", flags, want, want_flags);
                failures++;
        }
        free(out);
}

static void check_path(const char *in, const char *want) {
        char *out = NULL;
        int r = fused_path_absolute(in, &out);

        if (r < 0 || strcmp(out, want) != 0) {
                fprintf(stderr, "FAIL: path '%s' gave '%s', want '%s'\n", in, out ? out : "(error)", want);
                failures++;
        }
        free(out);
}

int main(void) {
        check_path("/", "/");
        check_path("//a//b/", "/a/b");
        check_path("/a/./b/.", "/a/b");
        check_path("/a/../b", "/a/../b");       /* no symlink resolution */
        check_path("/.", "/");
        {
                char cwd[4096], want[4200];
                if (getcwd(cwd, sizeof(cwd))) {
                        snprintf(want, sizeof(want), "%s/mnt/x", strcmp(cwd, "/") ? cwd : "");
                        check_path("mnt/x/", want);
                        check_path("./mnt/./x", want);
                }
        }
        if (fused_path_absolute("", &(char *){ NULL }) != -EINVAL) {
                fprintf(stderr, "FAIL: empty path accepted\n");
                failures++;
        }
        check(NULL, "", 0);
        check("", "", 0);
        check("rw,nosuid,nodev", "rw,nosuid,nodev", 0);
        check("auto_unmount", "", FUSED_CLIENT_AUTO_UNMOUNT);
        check("allow_other,auto_unmount,ro", "allow_other,ro", FUSED_CLIENT_AUTO_UNMOUNT);
        check("nonempty,default_permissions", "default_permissions", 0);
        check("x-systemd.automount,ro,x-gvfs-show", "ro", 0);
        check(",,ro,,", "ro", 0);
        /* escapes stay, and an escaped comma does not split */
        check("fsname=a\\,auto_unmount,rw", "fsname=a\\,auto_unmount,rw", 0);
        check("fsname=x\\\\,auto_unmount", "fsname=x\\\\", FUSED_CLIENT_AUTO_UNMOUNT);
        /* only the whole name matches */
        check("auto_unmountx,nonempty=1,xx-y", "auto_unmountx,nonempty=1,xx-y", 0);
        /* a trailing lone backslash is kept as it is */
        check("ro\\", "ro\\", 0);
        if (failures)
                return 1;
        printf("ok\n");
        return 0;
}
