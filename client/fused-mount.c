// SPDX-License-Identifier: GPL-2.0-or-later
/* fused client: Mount and Unmount, and the handle that keeps a mount's bus
 * connection for the mount's life (see fused-client.h for fork()). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "fused-client.h"
#include "fused-client-internal.h"
#include "fused-protocol.h"

struct fused_mount {
        sd_bus *bus;            /* usable only while getpid() == pid */
        int bus_fd;             /* its socket, the one thing a child keeps */
        ino_t bus_ino;          /* to tell it is still that socket */
        pid_t pid;
        int fuse_fd;
        char *mountpoint;
        char *object;
};

static bool forked(const struct fused_mount *m) {
        return getpid() != m->pid;
}

static int call_unmount(sd_bus *bus, const char *mountpoint, unsigned flags, char **ret_error);

static int append_flag_bool(sd_bus_message *msg, const char *key, bool value) {
        return sd_bus_message_append(msg, "{sv}", key, "b", (int) value);
}

int fused_mount_new(const char *mountpoint, int mountpoint_fd, const char *options,
                    unsigned flags, struct fused_mount **ret, char **ret_error) {
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_msg_ sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_free_ char *path = NULL, *opts = NULL;
        _cleanup_close_ int own_fd = -1;
        struct fused_mount *m;
        const char *object;
        int fd, r;

        r = fused_path_absolute(mountpoint, &path);
        if (r < 0) {
                if (ret_error)
                        *ret_error = fused_strerror_message("invalid mountpoint", r);
                return r;
        }
        /* auto_unmount in the string is the flag; fused never sees it. */
        r = fused_options_prepare(options, &opts, &flags);
        if (r < 0)
                return r;
        if (mountpoint_fd < 0) {
                /* O_NOFOLLOW: a symlink as the last component is refused by
                 * fused rather than silently followed. */
                own_fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (own_fd < 0) {
                        r = -errno;
                        if (ret_error) {
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "cannot open mountpoint %s", path) >= 0)
                                        *ret_error = fused_strerror_message(p, r);
                        }
                        return r;
                }
                mountpoint_fd = own_fd;
        }

        r = fused_bus_open(&bus, ret_error);
        if (r < 0)
                return r;

        r = fused_call_begin(bus, &call, FUSED_METHOD_MOUNT, flags);
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", path, opts);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(call, "{sv}", FUSED_FLAG_MOUNTPOINT_FD, "h", mountpoint_fd);
        if (r >= 0 && (flags & FUSED_CLIENT_AUTO_UNMOUNT))
                r = append_flag_bool(call, FUSED_FLAG_AUTO_UNMOUNT, true);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r < 0)
                return fused_error_from_bus(NULL, r, ret_error);

        r = fused_call(bus, call, flags, &reply, ret_error);
        if (r < 0)
                return r;

        r = sd_bus_message_read(reply, "ho", &fd, &object);
        if (r < 0)
                return fused_error_from_bus(NULL, r, ret_error);

        m = calloc(1, sizeof(*m));
        if (!m) {
                /* The mount exists already: do not leave it unserved. */
                (void) call_unmount(bus, path, FUSED_CLIENT_LAZY, NULL);
                return -ENOMEM;
        }
        m->fuse_fd = -1;
        m->pid = getpid();
        m->bus_fd = sd_bus_get_fd(bus);
        {
                struct stat st;
                if (m->bus_fd >= 0 && fstat(m->bus_fd, &st) == 0)
                        m->bus_ino = st.st_ino;
        }
        m->mountpoint = steal_ptr(&path);
        m->object = strdup(object);
        /* The reply owns its fd; ours must outlive it and stay out of
         * exec'd children. */
        m->fuse_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (m->fuse_fd < 0 || !m->object || m->bus_fd < 0) {
                r = m->fuse_fd < 0 ? -errno : -ENOMEM;
                /* The mount exists already: take it down again rather than
                 * leave it behind with nobody serving it. */
                m->bus = steal_ptr(&bus);
                (void) fused_mount_unmount(m, FUSED_CLIENT_LAZY, NULL);
                fused_mount_free(m);
                if (ret_error)
                        *ret_error = fused_strerror_message("cannot take the /dev/fuse fd from fused", r);
                return r;
        }
        m->bus = steal_ptr(&bus);
        *ret = m;
        return 0;
}

int fused_mount_steal_fd(struct fused_mount *m) {
        if (!m || m->fuse_fd < 0)
                return -EBADF;
        return steal_fd(&m->fuse_fd);
}

const char *fused_mount_get_mountpoint(const struct fused_mount *m) {
        return m ? m->mountpoint : NULL;
}

const char *fused_mount_get_object(const struct fused_mount *m) {
        return m ? m->object : NULL;
}

static int call_unmount(sd_bus *bus, const char *mountpoint, unsigned flags, char **ret_error) {
        _cleanup_msg_ sd_bus_message *call = NULL, *reply = NULL;
        int r;

        r = fused_call_begin(bus, &call, FUSED_METHOD_UNMOUNT, flags);
        if (r >= 0)
                r = sd_bus_message_append(call, "s", mountpoint);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "{sv}");
        if (r >= 0 && (flags & FUSED_CLIENT_LAZY))
                r = append_flag_bool(call, FUSED_FLAG_LAZY, true);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r < 0)
                return fused_error_from_bus(NULL, r, ret_error);

        return fused_call(bus, call, flags, &reply, ret_error);
}

int fused_unmount(const char *mountpoint, unsigned flags, char **ret_error) {
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = fused_path_absolute(mountpoint, &path);
        if (r < 0) {
                if (ret_error)
                        *ret_error = fused_strerror_message("invalid mountpoint", r);
                return r;
        }
        r = fused_bus_open(&bus, ret_error);
        if (r < 0)
                return r;
        return call_unmount(bus, path, flags, ret_error);
}

int fused_mount_unmount(struct fused_mount *m, unsigned flags, char **ret_error) {
        if (!m)
                return -EINVAL;
        if (forked(m) || !m->bus)
                return fused_unmount(m->mountpoint, flags, ret_error);
        return call_unmount(m->bus, m->mountpoint, flags, ret_error);
}

struct fused_mount *fused_mount_free(struct fused_mount *m) {
        if (!m)
                return NULL;
        if (m->bus) {
                if (forked(m)) {
                        struct stat st;

                        /* Our copy of the inherited socket: closing it is
                         * what lets the connection end.  The sd_bus object
                         * is abandoned (see fused-client.h).  Unless the
                         * program closed that fd number and reused it. */
                        if (m->bus_fd >= 0 && fstat(m->bus_fd, &st) == 0 &&
                            S_ISSOCK(st.st_mode) && st.st_ino == m->bus_ino)
                                close(m->bus_fd);
#ifdef __SANITIZE_ADDRESS__
                        /* Deliberate: not a leak for LeakSanitizer, nor
                         * is what the object points to. */
                        __lsan_ignore_object(m->bus);
#endif
                } else
                        sd_bus_flush_close_unref(m->bus);
        }
        if (m->fuse_fd >= 0)
                close(m->fuse_fd);
        free(m->mountpoint);
        free(m->object);
        free(m);
        return NULL;
}
