// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: the fusermount3 drop-in's command line, as programs pass it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fusermount-args.h"
#include "../lib/test-util.h"

#define ARGV(...) ((char *[]) { "fusermount3", __VA_ARGS__, NULL })

/* argc from the NULL-terminated argv; the number the callers pass is
 * only there to read like a command line. */
static int parse(int unused, char **argv, struct fusermount_args *a) {
        const char *error;
        int argc = 0;

        while (argv[argc])
                argc++;
        return fusermount_args_parse(argc, argv, a, &error);
}

static bool streq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

int main(void) {
        struct fusermount_args a;

        /* libfuse 3: fusermount3 -o OPTS -- MOUNTPOINT */
        {
                char **v = ARGV("-o", "rw,nosuid,nodev,fsname=hello,subtype=hello", "--", "/mnt/x");
                CHECK(parse(4, v, &a) == 0);
                CHECK(a.action == FUSERMOUNT_MOUNT);
                CHECK(streq(a.options, "rw,nosuid,nodev,fsname=hello,subtype=hello"));
                CHECK(streq(a.mountpoint, "/mnt/x"));
                CHECK(!a.lazy && !a.quiet && !a.auto_unmount && a.comm_fd == -1);
                fusermount_args_done(&a);
        }
        /* libfuse's unmount: -u -q -z -- MOUNTPOINT, and bundled */
        {
                char **v = ARGV("-u", "-q", "-z", "--", "/mnt/y");
                CHECK(parse(5, v, &a) == 0);
                CHECK(a.action == FUSERMOUNT_UNMOUNT && a.lazy && a.quiet);
                CHECK(streq(a.mountpoint, "/mnt/y"));
                fusermount_args_done(&a);
                char **w = ARGV("-uz", "/mnt/y");
                CHECK(parse(2, w, &a) == 0);
                CHECK(a.action == FUSERMOUNT_UNMOUNT && a.lazy && !a.quiet);
                fusermount_args_done(&a);
        }
        /* -o repeated and glued, long forms */
        {
                char **v = ARGV("-oro", "--options=allow_other", "--options", "fsname=a\\,b",
                                "--auto-unmount", "--comm-fd", "7", "mp");
                CHECK(parse(8, v, &a) == 0);
                CHECK(streq(a.options, "ro,allow_other,fsname=a\\,b"));
                CHECK(a.auto_unmount && a.comm_fd == 7);
                CHECK(streq(a.mountpoint, "mp"));
                fusermount_args_done(&a);
        }
        /* go-fuse: the mountpoint first, then -o */
        {
                char **v = ARGV("/mnt/g", "-o", "allow_other,fsname=g");
                CHECK(parse(3, v, &a) == 0);
                CHECK(a.action == FUSERMOUNT_MOUNT && streq(a.mountpoint, "/mnt/g"));
                CHECK(streq(a.options, "allow_other,fsname=g"));
                fusermount_args_done(&a);
        }
        /* "--" protects a mountpoint starting with '-' */
        {
                char **v = ARGV("-u", "--", "-weird");
                CHECK(parse(3, v, &a) == 0);
                CHECK(streq(a.mountpoint, "-weird"));
                fusermount_args_done(&a);
                char **w = ARGV("-u", "-weird");
                CHECK(parse(2, w, &a) == -EINVAL);
        }
        /* -h and -V need no mountpoint */
        {
                char **v = ARGV("-V");
                CHECK(parse(1, v, &a) == 0 && a.action == FUSERMOUNT_VERSION);
                fusermount_args_done(&a);
                char **w = ARGV("--help");
                CHECK(parse(1, w, &a) == 0 && a.action == FUSERMOUNT_HELP);
                fusermount_args_done(&a);
        }
        /* usage errors */
        {
                char **v1 = ARGV("-o");
                CHECK(parse(1, v1, &a) == -EINVAL);
                char **v2 = ARGV("-x", "/m");
                CHECK(parse(2, v2, &a) == -EINVAL);
                char **v3 = ARGV("/a", "/b");
                CHECK(parse(2, v3, &a) == -EINVAL);
                char **v4 = ARGV("-u");
                CHECK(parse(1, v4, &a) == -EINVAL);
                char **v5 = ARGV("--comm-fd=x", "/m");
                CHECK(parse(2, v5, &a) == -EINVAL);
                char **v6 = ARGV("--lazy=1", "/m");
                CHECK(parse(2, v6, &a) == -EINVAL);
        }
        /* the environment's fd numbers */
        CHECK(fusermount_parse_fd(NULL) == -1);
        CHECK(fusermount_parse_fd("5") == 5);
        CHECK(fusermount_parse_fd("") == -EINVAL);
        CHECK(fusermount_parse_fd("-1") == -EINVAL);
        CHECK(fusermount_parse_fd("3x") == -EINVAL);
        CHECK(fusermount_parse_fd("99999999999") == -EINVAL);

        if (failures)
                return 1;
        printf("ok\n");
        return 0;
}
