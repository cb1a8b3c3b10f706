/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mount.fuse3 drop-in: what mount(8) passes, rewritten into the command
 * line of the filesystem program.  Pure, for unit tests. */
#pragma once

#include <stdbool.h>

struct mount_fuse {
        char *type;             /* the filesystem program */
        char *source;           /* NULL: none given ("none" or empty) */
        char *mountpoint;
        char *options;          /* what the program gets with -o; NULL: none */
        char *setuid_user;      /* setuid=USER */
        bool drop_privileges;   /* fuse(8): mount here as root, run the program
                                 * with no privilege on the fd */
        bool as_owner;          /* ours: run it as the mountpoint's owner, who
                                 * mounts through fused */
        bool nofail;            /* accepted; mount(8) and systemd act on it */
        bool verbose;           /* -v */
        bool fake;              /* -f: do everything but run the program */
        char **argv;            /* the program's argv, NULL-terminated */
};

/* Parses `mount.fuse3 SOURCE MOUNTPOINT [-t TYPE] [-o OPTS] [-sfnv]` (and
 * the `TYPE#SOURCE` spec form, a type taken from argv[0] named
 * mount.fuse.TYPE, and `mount.fuse3 TYPE MOUNTPOINT`).  Returns 0; -EINVAL with *error set to a static message;
 * -ENOMEM. */
int mount_fuse_parse(int argc, char **argv, struct mount_fuse *m, const char **error);
/* The program gets path (e.g. /dev/fd/N) as its mountpoint; 0 or -ENOMEM. */
int mount_fuse_set_mountpoint(struct mount_fuse *m, const char *path);
/* What mount(8) means for root's mounts and libfuse's helper passes on:
 * dev and suid unless the options say nodev or nosuid (the library alone
 * would mount nodev,nosuid).  Rebuilds argv; 0 or -ENOMEM. */
int mount_fuse_root_defaults(struct mount_fuse *m);
void mount_fuse_done(struct mount_fuse *m);
