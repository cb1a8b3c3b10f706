// SPDX-License-Identifier: GPL-2.0-or-later
/* The arguments of Mount and Unmount, read from the message and checked
 * before anything else looks at the request: pure, no logging, nothing
 * touched but a copy of the mountpoint fd.  Kept apart from the handlers
 * so that the fuzzer (tests/fuzz/fuzz-dbus-args.c) can feed it every
 * message a caller could send. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "fused.h"

void request_args_done(RequestArgs *a) {
        free(a->path);
        a->path = NULL;
        if (a->mountpoint_fd >= 0)
                close(a->mountpoint_fd);
        a->mountpoint_fd = -1;
}

/* Absolute, not too long; trailing slashes dropped so "/m/" is "/m". */
static bool path_valid(char *p) {
        size_t n = strlen(p);
        if (p[0] != '/' || n >= PATH_MAX)
                return false;
        while (n > 1 && p[n - 1] == '/')
                p[--n] = 0;
        return true;
}

/* The value of one flag: only the exact type counts, so a caller's "b"
 * sent as an int is refused rather than guessed at. */
static int read_flag(sd_bus_message *m, const char *key, bool for_mount, RequestArgs *a) {
        int r, v;

        if (for_mount && strcmp(key, FUSED_FLAG_MOUNTPOINT_FD) == 0) {
                r = sd_bus_message_read(m, "v", "h", &v);
                if (r < 0)
                        return r;
                /* The message owns its fd and goes before the request does;
                 * a second mountpoint-fd replaces the first. */
                if (a->mountpoint_fd >= 0)
                        close(a->mountpoint_fd);
                a->mountpoint_fd = fcntl(v, F_DUPFD_CLOEXEC, 3);
                return a->mountpoint_fd < 0 ? -errno : 0;
        }
        if (for_mount && strcmp(key, FUSED_FLAG_AUTO_UNMOUNT) == 0) {
                r = sd_bus_message_read(m, "v", "b", &v);
                if (r >= 0)
                        a->auto_unmount = v;
                return r;
        }
        if (!for_mount && strcmp(key, FUSED_FLAG_LAZY) == 0) {
                r = sd_bus_message_read(m, "v", "b", &v);
                if (r >= 0)
                        a->lazy = v;
                return r;
        }
        return -ENOKEY;
}

/* The a{sv} flags: unknown keys and wrong types are refused so that a typo
 * is not silently ignored, and their number is bounded.  -ENOKEY, -E2BIG,
 * or any other -errno for a wrong type. */
static int read_flags(sd_bus_message *m, bool for_mount, RequestArgs *a) {
        unsigned n = 0;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                if (++n > REQUEST_ARGS_FLAGS_MAX)
                        return -E2BIG;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = read_flag(m, key, for_mount, a);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static RequestArgsError flags_error(int r) {
        return r == -ENOKEY ? REQUEST_ARGS_FLAG_UNKNOWN : r == -E2BIG ? REQUEST_ARGS_FLAG_TOO_MANY
                                                                      : REQUEST_ARGS_FLAG_TYPE;
}

/* The path, then the flags, then the path's check: the order of the
 * refusals callers see. */
static int read_args(sd_bus_message *m, bool for_mount, RequestArgs *ret, RequestArgsError *ret_err) {
        const char *path;
        int r;

        *ret = (RequestArgs) REQUEST_ARGS_INIT;
        *ret_err = REQUEST_ARGS_OK;
        r = for_mount ? sd_bus_message_read(m, "ss", &path, &ret->options) : sd_bus_message_read(m, "s", &path);
        if (r < 0) {
                *ret_err = REQUEST_ARGS_MALFORMED;
                return -EINVAL;
        }
        ret->path = strndup(path, PATH_MAX);
        if (!ret->path)
                return -ENOMEM;
        r = read_flags(m, for_mount, ret);
        if (r < 0) {
                *ret_err = flags_error(r);
                return -EINVAL;
        }
        if (!path_valid(ret->path)) {
                *ret_err = REQUEST_ARGS_PATH_INVALID;
                return -EINVAL;
        }
        return 0;
}

int request_args_read_mount(sd_bus_message *m, RequestArgs *ret, RequestArgsError *ret_err) {
        return read_args(m, true, ret, ret_err);
}

int request_args_read_unmount(sd_bus_message *m, RequestArgs *ret, RequestArgsError *ret_err) {
        return read_args(m, false, ret, ret_err);
}
