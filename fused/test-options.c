// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of options.c: the safe set passes, reserved and unknown options
 * are refused, escapes and long strings cannot smuggle an option in. */
#include <errno.h>
#include <string.h>

#include "fused.h"
#include "test-helpers.h"

static int parse(const char *s, MountOptions *o, OptionsError *e, char **bad) {
        return options_parse(s, o, e, bad);
}

static OptionsError refused(const char *s) {
        MountOptions o;
        OptionsError e;
        char *bad = NULL;
        int r = parse(s, &o, &e, &bad);
        if (r >= 0) {
                options_done(&o);
                return OPTIONS_OK;
        }
        free(bad);
        return e;
}

int main(void) {
        MountOptions o;
        OptionsError e;
        char *bad = NULL;

        /* The empty string: defaults, nosuid and nodev always. */
        CHECK(parse("", &o, &e, NULL) == 0);
        CHECK(strstr(o.normalized, "nosuid") && strstr(o.normalized, "nodev"));
        CHECK(!options_unsafe(&o) && !options_need_allow_other(&o));
        options_done(&o);

        CHECK(parse("ro,noexec,noatime,default_permissions,max_read=131072,fsname=sshfs#me@host:/x,subtype=sshfs,"
                    "x-gvfs-show,nonempty,rw,auto_unmount", &o, &e, NULL) == 0);
        CHECK(o.noexec && o.default_permissions && o.max_read == 131072 && o.auto_unmount);
        CHECK(!o.ro);   /* the later rw wins */
        CHECK(strcmp(o.fsname, "sshfs#me@host:/x") == 0 && strcmp(o.subtype, "sshfs") == 0);
        options_done(&o);
        CHECK(parse("ro", &o, &e, NULL) == 0 && o.ro && strncmp(o.normalized, "ro,", 3) == 0);
        options_done(&o);

        /* allow_other / allow_root need fuse.conf or polkit. */
        CHECK(parse("allow_other", &o, &e, NULL) == 0 && options_need_allow_other(&o));
        options_done(&o);
        CHECK(parse("allow_root", &o, &e, NULL) == 0 && options_need_allow_other(&o) && o.allow_root);
        options_done(&o);

        /* suid, dev, blkdev: unsafe, polkit decides. */
        CHECK(parse("suid", &o, &e, NULL) == 0 && options_unsafe(&o) && strstr(o.normalized, ",suid"));
        options_done(&o);
        CHECK(parse("dev", &o, &e, NULL) == 0 && options_unsafe(&o));
        options_done(&o);
        CHECK(parse("blkdev,blksize=4096", &o, &e, NULL) == 0 && options_unsafe(&o) && o.blksize == 4096);
        options_done(&o);
        /* As the kernel and fusermount3: blksize is for fuseblk only. */
        CHECK(parse("blksize=4096", &o, &e, NULL) == -EINVAL && e == OPTIONS_NEEDS_BLKDEV);
        options_done(&o);
        CHECK(parse("suid,nosuid", &o, &e, NULL) == 0 && !options_unsafe(&o));
        options_done(&o);

        /* Set by fused, never by the caller. */
        CHECK(refused("fd=3") == OPTIONS_RESERVED);
        CHECK(refused("rootmode=40000") == OPTIONS_RESERVED);
        CHECK(refused("user_id=0") == OPTIONS_RESERVED);
        CHECK(refused("group_id=0") == OPTIONS_RESERVED);
        CHECK(refused("ro,user_id=0") == OPTIONS_RESERVED);
        CHECK(refused("user_id") == OPTIONS_RESERVED);

        /* An escaped comma stays inside the value... */
        CHECK(parse("fsname=a\\,user_id=0", &o, &e, NULL) == 0);
        CHECK(strcmp(o.fsname, "a,user_id=0") == 0);
        CHECK(strstr(o.normalized, "fsname=a\\,user_id=0") != NULL);
        options_done(&o);
        /* ...an escaped backslash does not escape the comma after it. */
        CHECK(refused("fsname=a\\\\,user_id=0") == OPTIONS_RESERVED);
        CHECK(parse("fsname=a\\\\", &o, &e, NULL) == 0 && strcmp(o.fsname, "a\\") == 0);
        options_done(&o);
        CHECK(refused("ro\\") == OPTIONS_SYNTAX);
        CHECK(refused("=x") == OPTIONS_SYNTAX);
        /* An escaped '=' is part of the name, so not a known option. */
        CHECK(refused("fsname\\=x") == OPTIONS_UNKNOWN);

        /* Unknown and kernel options not in the safe set. */
        CHECK(refused("foo") == OPTIONS_UNKNOWN);
        CHECK(refused("context=system_u:object_r:tmp_t") == OPTIONS_UNKNOWN);
        CHECK(refused("max_read=abc") == OPTIONS_BAD_VALUE);
        CHECK(refused("max_read=99999999999") == OPTIONS_BAD_VALUE);
        CHECK(refused("max_read") == OPTIONS_BAD_VALUE);
        CHECK(refused("ro=1") == OPTIONS_BAD_VALUE);
        CHECK(refused("allow_other=yes") == OPTIONS_BAD_VALUE);

        /* fsname and subtype keep mountinfo parseable. */
        CHECK(refused("fsname=a\nb") == OPTIONS_BAD_VALUE);
        CHECK(refused("fsname=a\tb") == OPTIONS_BAD_VALUE);
        CHECK(refused("fsname=") == OPTIONS_BAD_VALUE);
        CHECK(refused("subtype=a b") == OPTIONS_BAD_VALUE);
        CHECK(refused("subtype=a/b") == OPTIONS_BAD_VALUE);
        CHECK(refused("subtype=a,b") == OPTIONS_UNKNOWN);       /* "b" alone */
        CHECK(parse("fsname=with space", &o, &e, NULL) == 0);
        options_done(&o);

        /* Lengths. */
        char big[FUSED_OPTIONS_MAX + 2];
        memset(big, 'r', sizeof big - 1);
        big[sizeof big - 1] = 0;
        CHECK(refused(big) == OPTIONS_TOO_LONG);
        char name[FUSED_NAME_MAX + 20] = "fsname=";
        memset(name + 7, 'a', FUSED_NAME_MAX + 1);
        name[7 + FUSED_NAME_MAX + 1] = 0;
        CHECK(refused(name) == OPTIONS_TOO_LONG);
        name[7 + FUSED_NAME_MAX] = 0;
        CHECK(parse(name, &o, &e, NULL) == 0);
        options_done(&o);
        /* Many empty options are harmless, not a crash. */
        CHECK(parse(",,,ro,,", &o, &e, NULL) == 0 && o.ro);
        options_done(&o);

        /* The offending option is named. */
        CHECK(parse("ro,evil=1", &o, &e, &bad) < 0 && bad && strcmp(bad, "evil") == 0);
        free(bad);
        return TEST_EXIT();
}
