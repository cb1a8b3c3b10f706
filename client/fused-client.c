// SPDX-License-Identifier: GPL-2.0-or-later
/* fused client: the bus connection, error mapping and path helpers shared by
 * the mount handle (fused-mount.c) and the listing (fused-list.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fused-client.h"
#include "fused-client-internal.h"
#include "fused-protocol.h"

struct error_errno {
        const char *name;
        int error;
};

/* fused's errors first, then the bus daemon's and sd-bus's own ones that a
 * caller of fused meets. */
static const struct error_errno error_table[] = {
        { FUSED_ERROR_PERMISSION_DENIED,        EPERM },
        { FUSED_ERROR_NOT_OWNER,                EPERM },
        { FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED,   EACCES },
        { FUSED_ERROR_POLKIT_UNAVAILABLE,       EACCES },
        { FUSED_ERROR_NOT_MOUNTED,              ENOENT },
        { FUSED_ERROR_NOT_FUSE,                 EINVAL },
        { FUSED_ERROR_INVALID_OPTION,           EINVAL },
        { FUSED_ERROR_INVALID_ARGUMENT,         EINVAL },
        { FUSED_ERROR_TOO_MANY_MOUNTS,          EUSERS },
        { FUSED_ERROR_TOO_MANY_REQUESTS,        EAGAIN },
        { FUSED_ERROR_MOUNT_FAILED,             EIO },
        { SD_BUS_ERROR_ACCESS_DENIED,           EACCES },
        { SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, EACCES },
        { SD_BUS_ERROR_INVALID_ARGS,            EINVAL },
        { SD_BUS_ERROR_SERVICE_UNKNOWN,         EHOSTDOWN },
        { SD_BUS_ERROR_NAME_HAS_NO_OWNER,       EHOSTDOWN },
        { SD_BUS_ERROR_NO_REPLY,                EHOSTDOWN },
        { SD_BUS_ERROR_DISCONNECTED,            EHOSTDOWN },
        { SD_BUS_ERROR_TIMEOUT,                 EHOSTDOWN },
        { SD_BUS_ERROR_UNKNOWN_METHOD,          EHOSTDOWN },
        { SD_BUS_ERROR_UNKNOWN_OBJECT,          EHOSTDOWN },
        { SD_BUS_ERROR_UNKNOWN_INTERFACE,       EHOSTDOWN },
};

int fused_error_name_to_errno(const char *name) {
        if (!name)
                return EIO;
        for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
                if (strcmp(name, error_table[i].name) == 0)
                        return error_table[i].error;
        /* The bus daemon could not start the activatable service. */
        if (strncmp(name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0)
                return EHOSTDOWN;
        return EIO;
}

static bool errno_is_disconnect(int r) {
        r = abs(r);
        return r == ECONNRESET || r == ENOTCONN || r == EPIPE || r == ECONNREFUSED ||
               r == ESHUTDOWN || r == ETIMEDOUT || r == EHOSTDOWN;
}

char *fused_strerror_message(const char *prefix, int r) {
        char *s = NULL;

        if (asprintf(&s, "%s: %s", prefix, strerror(abs(r))) < 0)
                return NULL;
        return s;
}

static char *unreachable_message(const char *cause) {
        char *s = NULL;

        if (!cause || !*cause)
                return strdup(FUSED_CLIENT_UNREACHABLE_MSG);
        if (asprintf(&s, "%s (%s)", FUSED_CLIENT_UNREACHABLE_MSG, cause) < 0)
                return NULL;
        return s;
}

int fused_error_from_bus(const sd_bus_error *e, int r, char **ret_error) {
        char *msg = NULL;
        int error;

        if (e && sd_bus_error_is_set(e)) {
                error = fused_error_name_to_errno(e->name);
                /* sd-bus names local failures System.Error.E*: use the errno. */
                if (error == EIO && strncmp(e->name, "System.Error.", 13) == 0 && r < 0)
                        error = errno_is_disconnect(r) ? EHOSTDOWN : -r;
                if (error == EHOSTDOWN)
                        msg = unreachable_message(e->message ? e->message : e->name);
                else if (e->message && *e->message)
                        msg = strdup(e->message);
                else if (strncmp(e->name, FUSED_ERROR_PREFIX, strlen(FUSED_ERROR_PREFIX)) == 0)
                        msg = strdup(e->name + strlen(FUSED_ERROR_PREFIX));
                else
                        msg = strdup(e->name);
        } else {
                if (r >= 0)
                        r = -EIO;
                error = errno_is_disconnect(r) ? EHOSTDOWN : -r;
                msg = error == EHOSTDOWN ? unreachable_message(strerror(-r))
                                         : fused_strerror_message("D-Bus call to fused failed", r);
        }
        if (ret_error) {
                free(*ret_error);
                *ret_error = msg;
        } else
                free(msg);
        return -error;
}

int fused_bus_open(sd_bus **ret, char **ret_error) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                if (ret_error) {
                        free(*ret_error);
                        *ret_error = unreachable_message(strerror(-r));
                }
                /* No bus socket, refused, or not allowed on it: to the user
                 * they all mean fused cannot be reached. */
                return -EHOSTDOWN;
        }
        *ret = bus;
        return 0;
}

int fused_call_begin(sd_bus *bus, sd_bus_message **ret, const char *method, unsigned flags) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                           FUSED_MANAGER_INTERFACE, method);
        if (r < 0)
                return r;
        r = sd_bus_message_set_allow_interactive_authorization(m, !!(flags & FUSED_CLIENT_INTERACTIVE));
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        *ret = m;
        return 0;
}

static uint64_t call_timeout(unsigned flags) {
        /* A password prompt waits for a human; otherwise sd-bus's default. */
        return (flags & FUSED_CLIENT_INTERACTIVE) ? 300ULL * 1000000ULL : 0;
}

int fused_call(sd_bus *bus, sd_bus_message *call, unsigned flags, sd_bus_message **reply,
               char **ret_error) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call(bus, call, call_timeout(flags), &error, reply);
        if (r < 0)
                return fused_error_from_bus(&error, r, ret_error);
        return 0;
}

int fused_path_absolute(const char *path, char **ret) {
        _cleanup_free_ char *cwd = NULL, *joined = NULL;
        char *out;
        size_t n = 0;
        const char *src;

        if (!path || !*path)
                return -EINVAL;
        if (path[0] != '/') {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                if (asprintf(&joined, "%s/%s", cwd, path) < 0)
                        return -ENOMEM;
                src = joined;
        } else
                src = path;

        /* Collapse "//" and "/./", drop trailing slashes; ".." stays, since
         * resolving it without following symlinks would change the path's
         * meaning. */
        out = malloc(strlen(src) + 2);
        if (!out)
                return -ENOMEM;
        for (const char *p = src; *p;) {
                const char *q;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                q = strchrnul(p, '/');
                if (!(q - p == 1 && p[0] == '.')) {
                        out[n++] = '/';
                        memcpy(out + n, p, q - p);
                        n += q - p;
                }
                p = q;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = 0;
        *ret = out;
        return 0;
}
