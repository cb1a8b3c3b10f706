// SPDX-License-Identifier: GPL-2.0-or-later
/* One mount option string on its way from a file system's command line to
 * fused, through all three parsers: the library's (lib/mount-opts.c, which
 * decides the mount when root makes it and keeps user_opts otherwise), the
 * client's (client/fused-options.c) and fused's (fused/options.c).  When
 * fused accepts what it is sent, it must have understood the same mount
 * the library would have made as root: an escape read two ways, or an
 * option one side drops and the other keeps, would change what a user
 * gets mounted.  Input: argv[1..] of the file system, NUL-separated. */
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "fuse_log.h"
#include "fused-client.h"
#include "fused.h"
#include "fuzz-util.h"
#include "mount.h"

static void quiet(enum fuse_log_level level, const char *fmt, va_list ap) {
        char buf[256];
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
}

static bool same_str(const char *a, const char *b) {
        return !a == !b && (!a || strcmp(a, b) == 0);
}

/* fused's atime choice as the MS_* flag the library sets.  Relatime is
 * the kernel's default: MOUNT_ATTR_RELATIME is 0, and the library's
 * "relatime" (MS_RELATIME) and "atime" (no flag) both get it. */
static unsigned long ms_atime(unsigned attr) {
        switch (attr) {
        case MOUNT_ATTR_NOATIME: return MS_NOATIME;
        case MOUNT_ATTR_STRICTATIME: return MS_STRICTATIME;
        }
        return 0;
}

static void check_same_mount(const struct mount_opts *mo, const MountOptions *fo, unsigned flags) {
        unsigned long want = (fo->ro ? MS_RDONLY : 0) | (fo->suid ? 0 : MS_NOSUID) | (fo->dev ? 0 : MS_NODEV) |
                             (fo->noexec ? MS_NOEXEC : 0) | (fo->sync ? MS_SYNCHRONOUS : 0) |
                             (fo->dirsync ? MS_DIRSYNC : 0) | (fo->nodiratime ? MS_NODIRATIME : 0) |
                             ms_atime(fo->atime);

        unsigned long got = mo->flags & ~(unsigned long) MS_RELATIME;

        if (got != want)
                fprintf(stderr, "library flags %#lx, fused's %#lx\n", got, want);
        FUZZ_CHECK(got == want);
        FUZZ_CHECK(same_str(mo->fsname, fo->fsname));
        FUZZ_CHECK(same_str(mo->subtype, fo->subtype));
        /* Who gets in: allow_root wins over allow_other on both sides (the
         * kernel gets allow_other, the library turns away the others). */
        FUZZ_CHECK(mo->allow_root == fo->allow_root);
        FUZZ_CHECK(mo->allow_root || mo->allow_other == fo->allow_other);
        FUZZ_CHECK(mo->default_permissions == fo->default_permissions && mo->blkdev == fo->blkdev);
        FUZZ_CHECK(mo->max_read == fo->max_read && mo->blksize == fo->blksize);
        FUZZ_CHECK(mo->auto_unmount == (fo->auto_unmount || (flags & FUSED_CLIENT_AUTO_UNMOUNT)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool init;
        struct mount_opts *mo = NULL;
        FuzzArgv v;

        if (!init) {
                fuse_set_log_func(quiet);
                init = true;
        }
        fuzz_argv_split(data, size, "fs", &v);
        struct fuse_args args = FUSE_ARGS_INIT(v.argc, v.argv);

        if (fuse_mount_opts_parse(&args, &mo) == 0) {
                _fuzz_free_ char *sent = NULL, *bad = NULL;
                unsigned flags = 0;
                MountOptions fo;
                OptionsError err;

                FUZZ_CHECK(fused_options_prepare(mo->user_opts, &sent, &flags) == 0);
                if (options_parse(sent, &fo, &err, &bad) == 0) {
                        check_same_mount(mo, &fo, flags);
                        options_done(&fo);
                }
                fuse_mount_opts_free(mo);
        }
        fuse_opt_free_args(&args);
        fuzz_argv_done(&v);
        return 0;
}
