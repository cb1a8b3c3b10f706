// SPDX-License-Identifier: GPL-2.0-or-later
/* fused's mountinfo parsing (fused/checks.c): the text a worker read from
 * the caller's /proc/PID/mountinfo, whose mountpoints and sources the
 * caller chose (a FUSE server names its own fsname), parsed as root to
 * count mounts for mount_max and to find the mount just made.
 *
 * Input: 8 bytes of mount id to look for, then the mountinfo text. */
#include <errno.h>
#include <string.h>

#include "fused.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t id = 0;
        unsigned n = 0;

        if (size >= sizeof id) {
                memcpy(&id, data, sizeof id);
                data += sizeof id;
                size -= sizeof id;
        }
        _fuzz_free_ char *text = fuzz_cstr(data, size);

        FUZZ_CHECK(count_user_fuse_mounts(text, &n) == 0);
        /* Each counted mount is one line. */
        unsigned lines = 1;
        for (const char *p = text; *p; p++)
                lines += *p == '\n';
        FUZZ_CHECK(n <= lines);
        /* Every FUSE mount, root's too: never fewer. */
        unsigned all = 0;
        FUZZ_CHECK(count_fuse_mounts(text, true, &all) == 0 && all >= n && all <= lines);

        _fuzz_free_ char *fstype = NULL, *mountpoint = NULL;
        long uid = -2;
        int r = mountinfo_find(text, id, &fstype, &mountpoint, &uid);
        if (r == 0) {
                FUZZ_CHECK(fstype && mountpoint && uid >= -1);
                FUZZ_CHECK(strlen(fstype) > 0 && strlen(fstype) < 64);
                (void) check_is_fuse_fstype(fstype);
        } else
                FUZZ_CHECK(r == -ENOENT && !fstype && !mountpoint && uid == -2);

        /* The super options field alone, and each line as a fstype. */
        long v = mount_options_user_id(text, strlen(text));
        FUZZ_CHECK(v >= -1);
        /* Exactly the buffer, not a byte more: no NUL to stop at. */
        _fuzz_free_ char *exact = malloc(size ? size : 1);
        FUZZ_CHECK(exact);
        memcpy(exact, data, size);
        FUZZ_CHECK(mount_options_user_id(exact, size) >= -1);
        FUZZ_CHECK(check_is_fuse_fstype(text) == 0 || check_is_fuse_fstype(text) == 1);
        return 0;
}
