// SPDX-License-Identifier: GPL-2.0-or-later
/* The fusermount3 drop-in's command line (client/fusermount-args.c), as
 * libfuse 2, go-fuse and fuser programs pass it, and _FUSE_COMMFD.
 * Input: the arguments after argv[0], NUL-separated. */
#include <errno.h>
#include <string.h>

#include "fusermount-args.h"
#include "fuzz-util.h"

/* p is one of argv's strings, or inside one. */
static bool in_argv(const FuzzArgv *v, const char *p) {
        for (int i = 0; i < v->argc; i++)
                if (p >= v->argv[i] && p <= v->argv[i] + strlen(v->argv[i]))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fusermount_args a;
        const char *error = NULL;
        FuzzArgv v;
        int r;

        fuzz_argv_split(data, size, "fusermount3", &v);
        r = fusermount_args_parse(v.argc, v.argv, &a, &error);
        if (r == 0) {
                FUZZ_CHECK(!error);
                FUZZ_CHECK(a.action == FUSERMOUNT_HELP || a.action == FUSERMOUNT_VERSION || a.mountpoint);
                FUZZ_CHECK(!a.mountpoint || in_argv(&v, a.mountpoint));
                FUZZ_CHECK(a.comm_fd >= -1);
                FUZZ_CHECK(!a.options || strlen(a.options) < size + 1);
                fusermount_args_done(&a);
                FUZZ_CHECK(!a.options);
                /* Parsing twice gives the same (the drop-in does). */
                r = fusermount_args_parse(v.argc, v.argv, &a, &error);
                FUZZ_CHECK(r == 0);
                fusermount_args_done(&a);
        } else
                FUZZ_CHECK((r == -EINVAL && error && *error) || r == -ENOMEM);

        for (int i = 0; i < v.argc; i++) {
                int fd = fusermount_parse_fd(v.argv[i]);
                FUZZ_CHECK(fd == -EINVAL || (fd >= 0 && fd <= 1 << 20));
        }
        FUZZ_CHECK(fusermount_parse_fd(NULL) == -1);
        fuzz_argv_done(&v);
        return 0;
}
