// SPDX-License-Identifier: GPL-2.0-or-later
/* The library's mount options (lib/mount-opts.c, fuse_mount_opts_parse),
 * which fuse_session_new runs on every file system's command line.  What
 * it accepts goes to fused as user_opts, so that string must mean the same
 * options when parsed again.  Input: the arguments after argv[0],
 * NUL-separated. */
#include <errno.h>
#include <string.h>

#include "fuse_log.h"
#include "fuse_opt.h"
#include "fuzz-util.h"
#include "mount.h"

static void quiet(enum fuse_log_level level, const char *fmt, va_list ap) {
        char buf[256];
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
}

static bool same_str(const char *a, const char *b) {
        return !a == !b && (!a || strcmp(a, b) == 0);
}

/* user_opts, parsed again as the one -o of a new command line. */
static void check_round_trip(const struct mount_opts *mo) {
        char *argv[] = { "fs", "-o", mo->user_opts, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        struct mount_opts *again = NULL;

        FUZZ_CHECK(fuse_mount_opts_parse(&args, &again) == 0);
        FUZZ_CHECK(args.argc == 1);     /* all of them were mount options */
        FUZZ_CHECK(same_str(mo->user_opts, again->user_opts));
        FUZZ_CHECK(same_str(mo->fsname, again->fsname) && same_str(mo->subtype, again->subtype));
        FUZZ_CHECK(same_str(mo->context, again->context) && same_str(mo->fscontext, again->fscontext));
        FUZZ_CHECK(same_str(mo->defcontext, again->defcontext) &&
                   same_str(mo->rootcontext, again->rootcontext));
        FUZZ_CHECK(mo->flags == again->flags && mo->max_read == again->max_read &&
                   mo->blksize == again->blksize);
        FUZZ_CHECK(mo->allow_other == again->allow_other && mo->allow_root == again->allow_root &&
                   mo->default_permissions == again->default_permissions &&
                   mo->blkdev == again->blkdev && mo->auto_unmount == again->auto_unmount);
        fuse_mount_opts_free(again);
        fuse_opt_free_args(&args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool init;
        struct mount_opts *mo = NULL;
        FuzzArgv v;
        int r;

        if (!init) {
                fuse_set_log_func(quiet);
                init = true;
        }
        fuzz_argv_split(data, size, "fs", &v);
        struct fuse_args args = FUSE_ARGS_INIT(v.argc, v.argv);

        r = fuse_mount_opts_parse(&args, &mo);
        if (r == 0) {
                FUZZ_CHECK(mo && !(mo->allow_other && mo->allow_root));
                FUZZ_CHECK(!mo->fsname || (*mo->fsname && strlen(mo->fsname) <= 255));
                FUZZ_CHECK(!mo->blkdev || mo->fsname);
                if (mo->user_opts)
                        check_round_trip(mo);
                fuse_mount_opts_free(mo);
        } else
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
        fuse_opt_free_args(&args);
        fuzz_argv_done(&v);
        return 0;
}
