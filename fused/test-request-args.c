/* Unit test of request-args.c: Mount's and Unmount's arguments as a caller
 * sends them, and each way of getting them wrong.  The messages are made on
 * a bus that is never connected to anything and sealed in place, so no
 * dbus-daemon is needed; tests/fuzz/fuzz-dbus-args.c sends them for real. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fused.h"
#include "test-helpers.h"

static sd_bus *bus;

static sd_bus_message *call(const char *member) {
        sd_bus_message *m = NULL;
        if (sd_bus_message_new_method_call(bus, &m, NULL, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE, member) < 0)
                abort();
        return m;
}

/* Sealed as sending would, so that it reads as a received message. */
static sd_bus_message *sealed(sd_bus_message *m, int r) {
        static uint64_t cookie;
        if (r < 0 || sd_bus_message_seal(m, ++cookie, 0) < 0)
                abort();
        return m;
}

/* RequestArgs.options points into the message, as in fused, where the
 * message outlives the request's handling: keep each message until the
 * next one is read. */
static sd_bus_message *last;

static void keep(sd_bus_message *m) {
        sd_bus_message_unref(last);
        last = m;
}

static int mount_args(sd_bus_message *m, RequestArgs *a, RequestArgsError *e) {
        int r = request_args_read_mount(m, a, e);
        keep(m);
        return r;
}

static int unmount_args(sd_bus_message *m, RequestArgs *a, RequestArgsError *e) {
        int r = request_args_read_unmount(m, a, e);
        keep(m);
        return r;
}

static bool same_inode(int a, int b) {
        struct stat sa, sb;
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A mount with n auto-unmount flags. */
static sd_bus_message *mount_with_flags(unsigned n) {
        sd_bus_message *m = call(FUSED_METHOD_MOUNT);
        int r = sd_bus_message_append(m, "ss", "/m", "");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (unsigned i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(m, "{sv}", FUSED_FLAG_AUTO_UNMOUNT, "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return sealed(m, r);
}

int main(void) {
        RequestArgs a;
        RequestArgsError e;
        char *path;
        int sv[2], dir;

        /* A bus must be started for messages to be made on it; its peer
         * never answers, which is all the same here. */
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        CHECK(sd_bus_new(&bus) >= 0 && sd_bus_set_fd(bus, sv[0], sv[0]) >= 0 && sd_bus_start(bus) >= 0);
        dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(dir >= 0);

        /* A Mount as the client sends it. */
        sd_bus_message *m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m//", "ro,fsname=x", 2,
                                                          FUSED_FLAG_MOUNTPOINT_FD, "h", dir,
                                                          FUSED_FLAG_AUTO_UNMOUNT, "b", 1)), &a, &e) == 0);
        CHECK(e == REQUEST_ARGS_OK && strcmp(a.path, "/m") == 0 && strcmp(a.options, "ro,fsname=x") == 0);
        CHECK(a.mountpoint_fd >= 3 && a.mountpoint_fd != dir && same_inode(a.mountpoint_fd, dir));
        CHECK(fcntl(a.mountpoint_fd, F_GETFD) == FD_CLOEXEC);
        CHECK(a.auto_unmount && !a.lazy);
        request_args_done(&a);
        CHECK(!a.path && a.mountpoint_fd == -1);

        /* No flags; "/" and "///" are both the root. */
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "///", "", 0)), &a, &e) == 0);
        CHECK(strcmp(a.path, "/") == 0 && a.mountpoint_fd == -1 && !a.auto_unmount);
        request_args_done(&a);

        /* Relative or empty: refused, the path kept as asked for the log. */
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "m/", "", 0)), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_PATH_INVALID && strcmp(a.path, "m/") == 0);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "", "", 0)), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_PATH_INVALID);
        request_args_done(&a);

        /* PATH_MAX - 1 bytes is the longest path; longer ones are cut to
         * PATH_MAX bytes and refused. */
        path = malloc(PATH_MAX + 2);
        CHECK(path);
        memset(path, 'a', PATH_MAX + 1);
        path[0] = '/';
        path[PATH_MAX - 1] = 0;
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", path, "", 0)), &a, &e) == 0);
        CHECK(strlen(a.path) == PATH_MAX - 1);
        request_args_done(&a);
        path[PATH_MAX - 1] = 'a';
        path[PATH_MAX + 1] = 0;
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", path, "", 0)), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_PATH_INVALID && strlen(a.path) == PATH_MAX);
        request_args_done(&a);
        free(path);

        /* The flags: unknown keys, another method's key, wrong types. */
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m/", "", 1, "mountpoint_fd", "h", dir)),
                         &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_UNKNOWN && strcmp(a.path, "/m/") == 0 && a.mountpoint_fd == -1);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m", "", 1, FUSED_FLAG_LAZY, "b", 1)),
                         &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_UNKNOWN && !a.lazy);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m", "", 1, FUSED_FLAG_AUTO_UNMOUNT, "u", 1)),
                         &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE && !a.auto_unmount);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m", "", 1, FUSED_FLAG_MOUNTPOINT_FD, "i", 0)),
                         &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE && a.mountpoint_fd == -1);
        request_args_done(&a);

        /* No copy of the fd can be made (fused out of fds): refused as a
         * flag fused cannot take, and nothing is left open. */
        struct rlimit rl, low;
        CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
        low = (struct rlimit) { .rlim_cur = 3, .rlim_max = rl.rlim_max };
        m = call(FUSED_METHOD_MOUNT);
        m = sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m", "", 1, FUSED_FLAG_MOUNTPOINT_FD, "h", dir));
        CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
        CHECK(mount_args(m, &a, &e) == -EINVAL);
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE && a.mountpoint_fd == -1);
        request_args_done(&a);

        /* At most REQUEST_ARGS_FLAGS_MAX entries. */
        CHECK(mount_args(mount_with_flags(REQUEST_ARGS_FLAGS_MAX), &a, &e) == 0);
        request_args_done(&a);
        CHECK(mount_args(mount_with_flags(REQUEST_ARGS_FLAGS_MAX + 1), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TOO_MANY);
        request_args_done(&a);

        /* Missing or other arguments: malformed before the flags, a wrong
         * type where the flags should be. */
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "sa{sv}", "/m", 0)), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_MALFORMED && !a.path);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ss", "/m", "")), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, sd_bus_message_append(m, "ssa{ss}", "/m", "", 1, "lazy", "true")), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE);
        request_args_done(&a);
        m = call(FUSED_METHOD_MOUNT);
        CHECK(mount_args(sealed(m, 0), &a, &e) == -EINVAL && e == REQUEST_ARGS_MALFORMED);
        request_args_done(&a);

        /* Unmount: lazy only. */
        m = call(FUSED_METHOD_UNMOUNT);
        CHECK(unmount_args(sealed(m, sd_bus_message_append(m, "sa{sv}", "/m/", 1, FUSED_FLAG_LAZY, "b", 1)),
                           &a, &e) == 0);
        CHECK(strcmp(a.path, "/m") == 0 && a.lazy && !a.options && a.mountpoint_fd == -1);
        request_args_done(&a);
        m = call(FUSED_METHOD_UNMOUNT);
        CHECK(unmount_args(sealed(m, sd_bus_message_append(m, "sa{sv}", "/m", 1, FUSED_FLAG_MOUNTPOINT_FD, "h", dir)),
                           &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_UNKNOWN && a.mountpoint_fd == -1);
        request_args_done(&a);
        m = call(FUSED_METHOD_UNMOUNT);
        CHECK(unmount_args(sealed(m, sd_bus_message_append(m, "ssa{sv}", "/m", "", 0)), &a, &e) == -EINVAL);
        CHECK(e == REQUEST_ARGS_FLAG_TYPE);
        request_args_done(&a);

        keep(NULL);
        close(dir);
        sd_bus_close_unref(bus);
        close(sv[1]);
        return TEST_EXIT();
}
