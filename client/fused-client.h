/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libfusedclient: the unprivileged side of the fused D-Bus protocol.
 *
 * Used by lib/ (a filesystem that is not root mounts through fused), by
 * fusedctl, fusermount3 and mount.fuse3.  Every function returns 0 (or a
 * count) or -errno; where a function takes `char **ret_error` it stores there,
 * on failure, a malloc'd one-line message for the user (fused's own message
 * for its named errors: it says what to do), or NULL if out of memory.
 * Nothing here prints or logs: callers decide.
 *
 * Bus connection and lifetime.  A struct fused_mount owns the private system
 * bus connection its Mount call went out on, for the life of the mount:
 * fused's auto-unmount fires when that connection goes away, so the
 * connection must stay open exactly as long as the filesystem serves.
 *
 * fork().  sd-bus connections cannot be used from a child process (every
 * sd-bus call there fails with -ECHILD), but the connection's socket is an
 * ordinary fd the child inherits (sd-bus sets O_CLOEXEC, so exec drops it;
 * fork does not).  fused sees the connection as alive while any process
 * holds that socket, which is what fuse_daemonize() needs: the parent
 * _exit()s, the child keeps serving and keeps the mount alive.  In a child,
 * the handle therefore never touches the sd_bus object again; it keeps only
 * the inherited socket fd (closed by fused_mount_free(), which is what ends
 * the connection for auto-unmount), and opens a fresh connection for any
 * call it still has to make (Unmount).  The sd_bus object itself is
 * abandoned in the child (a few hundred bytes), since freeing it there is not
 * something sd-bus supports.  If both parent and child keep running, the
 * connection lives until both have freed the handle or exited. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

enum {
        /* Mount: fused unmounts when this handle's connection closes. */
        FUSED_CLIENT_AUTO_UNMOUNT = 1u << 0,
        /* Any call: let polkit ask for a password (the message carries
         * ALLOW_INTERACTIVE_AUTHORIZATION; the caller provides an agent). */
        FUSED_CLIENT_INTERACTIVE  = 1u << 1,
        /* Unmount: detach lazily (MNT_DETACH). */
        FUSED_CLIENT_LAZY         = 1u << 2,
};

/* The message for "no fused to talk to": what to start, what to check. */
#define FUSED_CLIENT_UNREACHABLE_MSG \
        "fused is not running: start fused.service (systemctl start fused) or check DBUS_SYSTEM_BUS_ADDRESS"

struct fused_mount;

/* Asks fused to mount a FUSE filesystem on `mountpoint` with the fuse(8)
 * option string `options` (NULL = none; it goes through
 * fused_options_prepare(), so "auto_unmount" in it works like the flag).  If `mountpoint_fd` is >= 0 it must
 * be an O_PATH|O_NOFOLLOW fd of the mountpoint the caller opened (it stays
 * the caller's); otherwise one is opened here.  A relative mountpoint is made
 * absolute against the working directory.  On success *ret holds the mount;
 * take its /dev/fuse fd with fused_mount_steal_fd(). */
int fused_mount_new(const char *mountpoint, int mountpoint_fd, const char *options,
                    unsigned flags, struct fused_mount **ret, char **ret_error);

/* The /dev/fuse fd (O_CLOEXEC); the caller owns it afterwards.  -EBADF if
 * already taken. */
int fused_mount_steal_fd(struct fused_mount *m);
const char *fused_mount_get_mountpoint(const struct fused_mount *m);
const char *fused_mount_get_object(const struct fused_mount *m);

/* Unmount(mountpoint) through fused, on this handle's connection (or a fresh
 * one after fork).  The handle stays valid and must still be freed. */
int fused_mount_unmount(struct fused_mount *m, unsigned flags, char **ret_error);

/* Closes the connection (so fused's auto-unmount, if asked for, fires) and
 * frees.  NULL-safe; returns NULL. */
struct fused_mount *fused_mount_free(struct fused_mount *m);

/* One-shot Unmount on its own connection. */
int fused_unmount(const char *mountpoint, unsigned flags, char **ret_error);

struct fused_mount_info {
        char *object;
        char *mountpoint;
        uint32_t owner;
        uint32_t pid;
        char *fsname;
        char *subtype;
        char *options;
        uint64_t created_usec;          /* CLOCK_REALTIME */
};

/* ListMounts: *ret is an array of *ret_n entries, sorted by mountpoint. */
int fused_list_mounts(struct fused_mount_info **ret, size_t *ret_n, unsigned flags,
                      char **ret_error);
void fused_mount_info_array_free(struct fused_mount_info *a, size_t n);
void fused_mount_info_clear(struct fused_mount_info *i);

/* Opens a private connection to the system bus (for fusedctl monitor).  On
 * failure the message is FUSED_CLIENT_UNREACHABLE_MSG plus the cause. */
int fused_bus_open(sd_bus **ret, char **ret_error);

/* Turns a failed call into -errno and a user message.  `r` is what sd-bus
 * returned; `e` the error it filled (may be unset).  fused's named errors keep
 * fused's message; "no such service", "no reply" and the like become the
 * unreachable message.  Also maps the error name to an errno (see
 * fused_error_name_to_errno()). */
int fused_error_from_bus(const sd_bus_error *e, int r, char **ret_error);

/* The errno for a D-Bus error name: PermissionDenied, NotOwner -> EPERM;
 * MountpointNotAllowed, PolkitUnavailable, AccessDenied,
 * InteractiveAuthorizationRequired -> EACCES; NotMounted -> ENOENT;
 * NotFuse, InvalidOption, InvalidArgument -> EINVAL; TooManyMounts -> EUSERS;
 * TooManyRequests -> EAGAIN; MountFailed -> EIO; the bus's "service unknown",
 * "name has no owner", "no reply", "disconnected", activation failures ->
 * EHOSTDOWN (the one errno that means "fused unreachable" in this library).
 * Unknown names: EIO. */
int fused_error_name_to_errno(const char *name);

/* Prepares a fuse(8) option string for Mount: drops auto_unmount (setting
 * FUSED_CLIENT_AUTO_UNMOUNT in *flags), nonempty and x-* options, empty
 * items; keeps every other option exactly as written, backslash escapes
 * included.  *ret is malloc'd. */
int fused_options_prepare(const char *in, char **ret, unsigned *flags);

/* Makes `path` absolute (against the cwd) without resolving symlinks, and
 * drops trailing slashes and "." components. */
int fused_path_absolute(const char *path, char **ret);

/* Builds the user message "<prefix>: <strerror>" for errno failures that
 * happen on this side; a convenience for callers. */
char *fused_strerror_message(const char *prefix, int r);
