// SPDX-License-Identifier: GPL-2.0-or-later
/* fused benchmark driver, run as an unprivileged uid by bench-fused.sh.
 *
 *   bench-fused fused N MOUNTPOINT        N mount+unmount cycles through fused,
 *                                         a new bus connection per cycle (as a
 *                                         new filesystem process would)
 *   bench-fused fused-reuse N MOUNTPOINT  the same on one bus connection
 *   bench-fused fused-fork N MOUNTPOINT   the same, each cycle in a new
 *                                         (forked) process, as each new
 *                                         filesystem process is: polkit's
 *                                         answers are per process
 *   bench-fused polkit N PATH             N polkit checks of the mount action
 *                                         for this process, as fused asks for
 *                                         every Mount from a new process
 *   bench-fused connect N PATH            N bus connections opened (Hello) and
 *                                         closed, no call to fused: what the
 *                                         "fused" mode pays before its Mount
 *   bench-fused dropin N MOUNTPOINT       the same through the fusermount3
 *                                         drop-in named by $BENCH_DROPIN (no
 *                                         setuid bit: it asks fused), what a
 *                                         program that runs fusermount3 pays
 *   bench-fused fusermount3 N MOUNTPOINT  N cycles through setuid fusermount3,
 *                                         the way libfuse 3 drives it: mount
 *                                         with _FUSE_COMMFD, unmount -u -q -z
 *   bench-fused mount-many N DIR          mount DIR/0 .. DIR/N-1 through fused
 *                                         and leave them mounted
 *   bench-fused unmount-many N DIR        unmount them through fused
 *
 * Prints "<mode> <cycles> <total seconds> <microseconds per cycle>".  Each
 * cycle closes the /dev/fuse fd before unmounting: the mount is never
 * accessed, so nothing waits for a server. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fused-protocol.h"

#define FUSERMOUNT3 "/usr/bin/fusermount3"
#define OPTIONS "fsname=bench,subtype=bench"

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int fail(const char *what, const sd_bus_error *e, int r) {
        fprintf(stderr, "%s: %s\n", what, e && e->message ? e->message : strerror(-r));
        return 1;
}

static int fused_mount_unmount(sd_bus *bus, const char *mp) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                   FUSED_METHOD_MOUNT, &e, &reply, "ssa{sv}", mp, OPTIONS, 0);
        if (r < 0) {
                fail("Mount", &e, r);
                sd_bus_error_free(&e);
                return r;
        }
        /* Unref closes our copy of the fd. */
        sd_bus_message_unref(reply);
        r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                               FUSED_METHOD_UNMOUNT, &e, NULL, "sa{sv}", mp, 0);
        if (r < 0)
                fail("Unmount", &e, r);
        sd_bus_error_free(&e);
        return r;
}

static int run_fused(int n, const char *mp, int reuse) {
        sd_bus *bus = NULL;
        for (int i = 0; i < n; i++) {
                if (!bus && sd_bus_open_system(&bus) < 0)
                        return -1;
                if (fused_mount_unmount(bus, mp) < 0)
                        return -1;
                if (!reuse)
                        bus = sd_bus_flush_close_unref(bus);
        }
        sd_bus_flush_close_unref(bus);
        return 0;
}

static int run_fused_fork(int n, const char *mp) {
        for (int i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return -1;
                if (pid == 0)
                        _exit(run_fused(1, mp, 0) < 0 ? 1 : 0);
                int status;
                if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        return -1;
        }
        return 0;
}

/* Field 22 of /proc/self/stat: polkit's start time of a process. */
static uint64_t self_start_time(void) {
        char buf[1024];
        FILE *f = fopen("/proc/self/stat", "re");
        if (!f)
                return 0;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[k] = 0;
        char *p = strrchr(buf, ')');
        for (int field = 2; p && field < 22; field++)
                p = strchr(p + 1, ' ');
        return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int run_polkit(int n) {
        sd_bus *bus = NULL;
        if (sd_bus_open_system(&bus) < 0)
                return -1;
        uint64_t start = self_start_time();
        for (int i = 0; i < n; i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                int r = sd_bus_call_method(bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization", &e, NULL,
                                           "(sa{sv})sa{ss}us", "unix-process", 3, "pid", "u", (uint32_t) getpid(),
                                           "start-time", "t", start, "uid", "i", (int32_t) getuid(),
                                           FUSED_ACTION_MOUNT, 0, 0u, "");
                if (r < 0) {
                        fail("CheckAuthorization", &e, r);
                        sd_bus_error_free(&e);
                        return -1;
                }
        }
        sd_bus_flush_close_unref(bus);
        return 0;
}

static int run_connect(int n) {
        for (int i = 0; i < n; i++) {
                sd_bus *bus = NULL;
                const char *unique;
                /* The unique name is known once Hello has been answered. */
                if (sd_bus_open_system(&bus) < 0 || sd_bus_get_unique_name(bus, &unique) < 0)
                        return -1;
                sd_bus_flush_close_unref(bus);
        }
        return 0;
}

static const char *fusermount3 = FUSERMOUNT3;

static int run_fusermount(char *const argv[], int commfd) {
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (commfd >= 0) {
                        char s[16];
                        snprintf(s, sizeof s, "%d", commfd);
                        setenv("_FUSE_COMMFD", s, 1);
                }
                execv(fusermount3, argv);
                _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int recv_fd(int sock) {
        char buf[1];
        char ctl[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { buf, sizeof buf };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = sizeof ctl };
        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) < 0)
                return -errno;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -EIO;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        return fd;
}

static int run_fusermount3(int n, const char *mp) {
        for (int i = 0; i < n; i++) {
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                        return -1;
                char *margv[] = { "fusermount3", "-o", OPTIONS, "--", (char *) mp, NULL };
                fcntl(sv[0], F_SETFD, FD_CLOEXEC);
                int r = run_fusermount(margv, sv[1]);
                close(sv[1]);
                int fd = r < 0 ? r : recv_fd(sv[0]);
                close(sv[0]);
                if (fd < 0) {
                        fprintf(stderr, "fusermount3 mount failed\n");
                        return -1;
                }
                close(fd);
                char *uargv[] = { "fusermount3", "-u", "-q", "-z", "--", (char *) mp, NULL };
                if (run_fusermount(uargv, -1) < 0) {
                        fprintf(stderr, "fusermount3 -u failed\n");
                        return -1;
                }
        }
        return 0;
}

static int many(int n, const char *dir, int unmount) {
        sd_bus *bus = NULL;
        if (sd_bus_open_system(&bus) < 0)
                return -1;
        for (int i = 0; i < n; i++) {
                char mp[4200];
                snprintf(mp, sizeof mp, "%s/%d", dir, i);
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                int r = unmount
                        ? sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                             FUSED_METHOD_UNMOUNT, &e, &reply, "sa{sv}", mp, 0)
                        : sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                             FUSED_METHOD_MOUNT, &e, &reply, "ssa{sv}", mp, OPTIONS, 0);
                if (r < 0) {
                        fail(mp, &e, r);
                        return -1;
                }
                sd_bus_message_unref(reply);
        }
        sd_bus_flush_close_unref(bus);
        return 0;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: %s fused|fused-reuse|fused-fork|polkit|connect|fusermount3|dropin|mount-many|unmount-many N PATH\n", argv[0]);
                return 2;
        }
        const char *mode = argv[1], *path = argv[3];
        int n = atoi(argv[2]), r;
        double t0 = now();
        if (strcmp(mode, "fused") == 0)
                r = run_fused(n, path, 0);
        else if (strcmp(mode, "fused-reuse") == 0)
                r = run_fused(n, path, 1);
        else if (strcmp(mode, "fused-fork") == 0)
                r = run_fused_fork(n, path);
        else if (strcmp(mode, "polkit") == 0)
                r = run_polkit(n);
        else if (strcmp(mode, "connect") == 0)
                r = run_connect(n);
        else if (strcmp(mode, "fusermount3") == 0)
                r = run_fusermount3(n, path);
        else if (strcmp(mode, "dropin") == 0) {
                fusermount3 = getenv("BENCH_DROPIN");
                if (!fusermount3)
                        return 2;
                r = run_fusermount3(n, path);
        }
        else if (strcmp(mode, "mount-many") == 0)
                r = many(n, path, 0);
        else if (strcmp(mode, "unmount-many") == 0)
                r = many(n, path, 1);
        else
                return 2;
        double t = now() - t0;
        if (r < 0)
                return 1;
        printf("%s %d %.3f %.1f\n", mode, n, t, t / n * 1e6);
        return 0;
}
