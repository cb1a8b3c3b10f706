/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounting: the mount options of fuse(8) and the one way in to the kernel
 *
 * fuse_session_new() hands its fuse_args to fuse_mount_opts_parse(), which
 * takes out every mount option it knows and leaves the rest for the caller
 * to complain about.  fuse_kern_mount() is the only place a mount is made:
 * as root directly (fsopen/fsconfig/fsmount/move_mount, else mount(2)); for
 * other users through the fused service (client/).  fuse_session_mount()
 * and fuse_session_unmount() (public API) live in mount.c.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "fuse_opt.h"

struct mount_opts {
        /* Every mount option the user gave that was consumed here, in order,
         * comma-joined with commas and backslashes inside values escaped
         * (fuse_opt-style): what a non-root mount passes on to fused. */
        char *user_opts;

        char *fsname;           /* the mount source; NULL: subtype or "/dev/fuse" */
        char *subtype;          /* shown as fuse.SUBTYPE; NULL: none */
        unsigned long flags;    /* MS_*: RDONLY NOSUID NODEV NOEXEC SYNCHRONOUS
                                 * DIRSYNC NOATIME NODIRATIME RELATIME STRICTATIME */
        bool allow_other;
        bool allow_root;        /* implies allow_other in the kernel; the
                                 * session must refuse others than root and
                                 * the mount's owner itself */
        bool default_permissions;
        bool blkdev;            /* fuseblk: fsname names the block device */
        bool auto_unmount;
        unsigned max_read;      /* 0: not given */
        unsigned blksize;       /* 0: not given */
        char *context, *fscontext, *defcontext, *rootcontext;

        /* State of the mount made with these options (fuse_kern_mount). */
        pid_t watcher_pid;      /* auto_unmount watcher child, 0 if none */
        pid_t watcher_parent;   /* who forked it (and may reap it) */
        int watcher_fd;         /* our end of its socketpair, -1 if none */
        void *client;           /* non-root mounts: client/'s handle, kept open
                                 * for the mount's life */
};

/* Consumes the mount options from @args (others stay there, in order) into
 * a new *@ret.  Prints a message naming a malformed or forbidden option and
 * returns -EINVAL; -ENOMEM. */
int fuse_mount_opts_parse(struct fuse_args *args, struct mount_opts **ret);

/* NULL-safe; stops nothing, frees memory only. */
void fuse_mount_opts_free(struct mount_opts *mo);

/* Prints the mount options to stdout, for --help. */
void fuse_mount_opts_help(void);

/* Mounts FUSE at @mountpoint with @mo; returns the /dev/fuse fd (close on
 * exec) or -errno after printing why. */
int fuse_kern_mount(const char *mountpoint, struct mount_opts *mo);

/* Unmounts @mountpoint (lazily, as libfuse does as root) unless the
 * connection on @fd is already gone, and closes @fd (-1: none). */
void fuse_kern_unmount(const char *mountpoint, int fd);

/* Lets go of what a mount made with @mo keeps (the auto_unmount watcher,
 * which it reaps; fused's connection).  fuse_session_unmount() calls it. */
void fuse_kern_mount_release(struct mount_opts *mo);

/* Between the mount*.c files only. */

/* mount-root.c: the mount as root; the /dev/fuse fd or -errno (logged). */
int mount_as_root(const char *mountpoint, struct mount_opts *mo);

/* mount-watch.c: starts the auto_unmount watcher for the mount the file
 * @mnt is on (0 or -errno); tells it we unmounted ourselves and reaps it. */
int mount_watch_start(struct mount_opts *mo, int mnt);
void mount_watch_stop(struct mount_opts *mo);
