// SPDX-License-Identifier: GPL-2.0-or-later
/* mount.fuse3's command line (client/mount-fuse-args.c): what mount(8)
 * passes from an fstab line, rewritten into the command of the file
 * system program it then runs, also with root's defaults added
 * (mount_fuse_root_defaults).  Whatever comes in, the program is a name
 * (never a path) and its argv is well formed.  Input: argv[0] first (its
 * name may carry the type, mount.fuse.TYPE), then the rest, NUL-separated. */
#include <errno.h>
#include <string.h>

#include "fuzz-util.h"
#include "mount-fuse-args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct mount_fuse m;
        const char *error = NULL;
        FuzzArgv v;
        int r;

        fuzz_argv_split(data, size, NULL, &v);
        r = mount_fuse_parse(v.argc, v.argv, &m, &error);
        if (r == 0) {
                FUZZ_CHECK(!error && m.type && *m.type && !strchr(m.type, '/'));
                FUZZ_CHECK(m.mountpoint && m.argv && m.argv[0] == m.type);
                int n = 0;
                while (m.argv[n])
                        FUZZ_CHECK(++n < 6);
                FUZZ_CHECK(!m.source || (*m.source && strcmp(m.source, "none") != 0));
                FUZZ_CHECK(!m.options || *m.options);
                /* As root: dev and suid unless said otherwise, argv rebuilt. */
                int k = mount_fuse_root_defaults(&m);
                if (k == 0) {
                        FUZZ_CHECK(m.options && m.argv && m.argv[0] == m.type);
                        for (n = 0; m.argv[n];)
                                FUZZ_CHECK(++n < 6);
                } else
                        FUZZ_CHECK(k == -ENOMEM);
                mount_fuse_done(&m);
        } else {
                FUZZ_CHECK((r == -EINVAL && error && *error) || r == -ENOMEM);
                /* A failed parse leaves nothing to free. */
                FUZZ_CHECK(!m.type && !m.source && !m.mountpoint && !m.options && !m.argv);
        }
        fuzz_argv_done(&v);
        return 0;
}
