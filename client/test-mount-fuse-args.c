// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: mount.fuse3's rewriting of mount(8)'s helper command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mount-fuse-args.h"
#include "../lib/test-util.h"

static int parse(char **argv, struct mount_fuse *m) {
        const char *error;
        int argc = 0;

        while (argv[argc])
                argc++;
        return mount_fuse_parse(argc, argv, m, &error);
}

/* The program's argv joined with spaces. */
static const char *joined(const struct mount_fuse *m) {
        static char buf[512];

        buf[0] = 0;
        for (char **a = m->argv; *a; a++) {
                if (a != m->argv)
                        strcat(buf, " ");
                strcat(buf, *a);
        }
        return buf;
}

#define ARGV(...) ((char *[]) { __VA_ARGS__, NULL })

int main(void) {
        struct mount_fuse m;

        /* fstab: SOURCE DIR fuse.TYPE OPTIONS, as mount(8) calls us */
        CHECK(parse(ARGV("/sbin/mount.fuse3", "user@host:/", "/mnt/s", "-o",
                         "rw,noauto,nofail,_netdev,x-systemd.automount,allow_other,user=alice",
                         "-t", "fuse.sshfs"), &m) == 0);
        CHECK(strcmp(joined(&m), "sshfs user@host:/ /mnt/s -o rw,allow_other") == 0);
        CHECK(m.nofail && !m.setuid_user && !m.drop_privileges);
        mount_fuse_done(&m);

        /* TYPE#SOURCE, and an empty source left out */
        CHECK(parse(ARGV("mount.fuse3", "memfs#", "/mnt/m"), &m) == 0);
        CHECK(strcmp(joined(&m), "memfs /mnt/m") == 0);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "sshfs#h:/x", "/mnt/m", "-oro"), &m) == 0);
        CHECK(strcmp(joined(&m), "sshfs h:/x /mnt/m -o ro") == 0);
        mount_fuse_done(&m);

        /* "none" is no source; setuid= and drop_privileges are ours */
        CHECK(parse(ARGV("mount.fuse", "none", "/mnt/m", "-t", "fuse.memfs", "-o",
                         "setuid=fusetest0,drop_privileges,default_permissions", "-n"), &m) == 0);
        CHECK(strcmp(joined(&m), "memfs /mnt/m -o default_permissions") == 0);
        CHECK(m.setuid_user && strcmp(m.setuid_user, "fusetest0") == 0 && m.drop_privileges);
        mount_fuse_done(&m);

        /* type from our own name; fuse3. and fuseblk. prefixes */
        CHECK(parse(ARGV("/sbin/mount.fuse.hello", "none", "/m"), &m) == 0);
        CHECK(strcmp(joined(&m), "hello /m") == 0);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "src", "/m", "-tfuse3.x", "-v"), &m) == 0);
        CHECK(strcmp(joined(&m), "x src /m") == 0 && m.verbose);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "/dev/sdb1", "/m", "-t", "fuseblk.ntfs"), &m) == 0);
        CHECK(strcmp(joined(&m), "ntfs /dev/sdb1 /m") == 0);
        mount_fuse_done(&m);

        /* escaped commas stay inside one option */
        CHECK(parse(ARGV("mount.fuse3", "a#b", "/m", "-o", "fsname=x\\,nofail,ro"), &m) == 0);
        CHECK(strcmp(joined(&m), "a b /m -o fsname=x\\,nofail,ro") == 0 && !m.nofail);
        mount_fuse_done(&m);

        /* as_owner is ours, drop_privileges fuse(8)'s; neither goes on */
        CHECK(parse(ARGV("mount.fuse3", "memfs", "/m", "-o", "as_owner,ro"), &m) == 0);
        CHECK(strcmp(joined(&m), "memfs /m -o ro") == 0 && m.as_owner && !m.drop_privileges);
        CHECK(mount_fuse_set_mountpoint(&m, "/dev/fd/7") == 0 && strcmp(joined(&m), "memfs /dev/fd/7 -o ro") == 0);
        mount_fuse_done(&m);

        /* TYPE DIR: the spec is the type, no source */
        CHECK(parse(ARGV("mount.fuse3", "memfs", "/m", "-o", "ro"), &m) == 0);
        CHECK(strcmp(joined(&m), "memfs /m -o ro") == 0);
        mount_fuse_done(&m);

        /* root's defaults: dev,suid unless nodev/nosuid (or dev/suid) given */
        CHECK(parse(ARGV("mount.fuse3", "memfs", "/m"), &m) == 0 && mount_fuse_root_defaults(&m) == 0);
        CHECK(strcmp(joined(&m), "memfs /m -o dev,suid") == 0);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "s", "/m", "-t", "fuse.x", "-o", "nosuid,ro"), &m) == 0 &&
              mount_fuse_root_defaults(&m) == 0);
        CHECK(strcmp(joined(&m), "x s /m -o nosuid,ro,dev") == 0);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "s", "/m", "-t", "fuse.x", "-o", "nodev,suid"), &m) == 0 &&
              mount_fuse_root_defaults(&m) == 0);
        CHECK(strcmp(joined(&m), "x s /m -o nodev,suid") == 0);
        mount_fuse_done(&m);
        CHECK(parse(ARGV("mount.fuse3", "s", "/m", "-t", "fuse.x", "-o", "fsname=a\\,nodev"), &m) == 0 &&
              mount_fuse_root_defaults(&m) == 0);
        CHECK(strcmp(joined(&m), "x s /m -o fsname=a\\,nodev,dev,suid") == 0);
        mount_fuse_done(&m);

        /* refusals */
        CHECK(parse(ARGV("mount.fuse3", "#src", "/m"), &m) == -EINVAL);        /* no type */
        CHECK(parse(ARGV("mount.fuse3", "src", "/m", "-t", "ext4"), &m) == -EINVAL);
        CHECK(parse(ARGV("mount.fuse3", "/bin/sh#x", "/m"), &m) == -EINVAL);  /* a path */
        CHECK(parse(ARGV("mount.fuse3", "a#b"), &m) == -EINVAL);               /* no dir */
        CHECK(parse(ARGV("mount.fuse3", "a#b", "/m", "-o"), &m) == -EINVAL);
        CHECK(parse(ARGV("mount.fuse3", "a#b", "/m", "-o", "setuid="), &m) == -EINVAL);
        CHECK(parse(ARGV("mount.fuse3", "a#b", "/m", "-N", "/proc/1/ns/mnt"), &m) == -EINVAL);
        CHECK(parse(ARGV("mount.fuse3", "a#b", "/m", "extra"), &m) == -EINVAL);

        if (failures)
                return 1;
        printf("ok\n");
        return 0;
}
