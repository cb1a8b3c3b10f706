// SPDX-License-Identifier: GPL-2.0-or-later
/* soak-client: one unprivileged filesystem process of the soak (soak.sh),
 * run as a test uid.  Mount/unmount cycles on one mountpoint through fused,
 * on one bus connection, until the shared cycle counter reaches TARGET or
 * SIGTERM comes; soak.sh SIGKILLs it at random and starts another.
 *
 *   soak-client COUNTER MOUNTPOINT HELLO_LL TARGET SEED
 *
 * COUNTER is a file of at least 4 KiB, mapped shared by every client: a
 * SoakCounters, updated with atomic adds.  TARGET 0: only take down what a
 * killed predecessor left on MOUNTPOINT, then exit.
 *
 * A cycle: Mount (auto-unmount in half of them), then in one of SERVE_EVERY
 * fork HELLO_LL serving the returned fd as /dev/fd/N and read its file
 * through the mount, else close the fd; then Unmount and reap the server.
 * At start, whatever is mounted on MOUNTPOINT (a predecessor killed between
 * its Mount and its Unmount) is unmounted lazily through fused. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fused-protocol.h"

#define SERVE_EVERY 8
#define CLEANUP_MAX 16

/* The layout soak.sh reads with od: 64-bit counters, in this order. */
typedef struct SoakCounters {
        uint64_t cycles;
        uint64_t mount_ok, mount_fail;
        uint64_t unmount_ok, unmount_fail;
        uint64_t serve_ok, serve_fail;
        uint64_t cleanups;
} SoakCounters;

static volatile sig_atomic_t stop;
static void on_term(int sig) { stop = 1; }

static void count(uint64_t *c) { __atomic_fetch_add(c, 1, __ATOMIC_RELAXED); }

static void log_error(const char *what, const char *mp, const sd_bus_error *e, int r) {
        fprintf(stderr, "soak-client %d: %s %s: %s\n", (int) getpid(), what, mp,
                e && sd_bus_error_is_set(e) ? e->name : strerror(-r));
}

/* 0 and the fd, or -errno (logged). */
static int do_mount(sd_bus *bus, const char *mp, bool auto_unmount, int *ret_fd) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        int r, fd;

        r = sd_bus_message_new_method_call(bus, &m, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                           FUSED_METHOD_MOUNT);
        if (r >= 0)
                r = sd_bus_message_append(m, "ssa{sv}", mp, "fsname=soak,subtype=soak", 1,
                                          FUSED_FLAG_AUTO_UNMOUNT, "b", (int) auto_unmount);
        if (r >= 0)
                r = sd_bus_call(bus, m, 60 * 1000000ULL, &e, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "ho", &fd, NULL);
        if (r >= 0) {
                *ret_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                r = *ret_fd < 0 ? -errno : 0;
        }
        if (r < 0)
                log_error("Mount", mp, &e, r);
        if (r < 0 && sd_bus_error_has_name(&e, FUSED_ERROR_TOO_MANY_REQUESTS))
                usleep(20000);
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return r;
}

/* 0, -ENOENT if nothing (FUSE) is mounted there, or another -errno. */
static int do_unmount(sd_bus *bus, const char *mp, bool lazy, bool quiet) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                   FUSED_METHOD_UNMOUNT, &e, &reply, "sa{sv}", mp, 1, FUSED_FLAG_LAZY, "b",
                                   (int) lazy);
        if (r < 0 && (sd_bus_error_has_name(&e, FUSED_ERROR_NOT_MOUNTED) ||
                      sd_bus_error_has_name(&e, FUSED_ERROR_NOT_FUSE)))
                r = -ENOENT;
        else if (r < 0 && !quiet)
                log_error("Unmount", mp, &e, r);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

static pid_t serve(const char *hello, int fd) {
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        char path[32];
        snprintf(path, sizeof path, "/dev/fd/%d", fd);
        (void) fcntl(fd, F_SETFD, 0);
        execl(hello, hello, path, "-f", "-s", (char *) NULL);
        _exit(127);
}

/* Through the mount, as a user of the filesystem would. */
static bool read_hello(const char *mp) {
        char path[4200], buf[64];
        snprintf(path, sizeof path, "%s/hello", mp);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        return n > 0;
}

/* The server exits once unmounted; one that does not within 5 s is killed. */
static void reap(pid_t pid) {
        for (int i = 0; i < 500; i++) {
                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return;
                usleep(10000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

int main(int argc, char **argv) {
        if (argc != 6) {
                fprintf(stderr, "usage: soak-client COUNTER MOUNTPOINT HELLO_LL TARGET SEED\n");
                return 1;
        }
        const char *mp = argv[2], *hello = argv[3];
        uint64_t target = strtoull(argv[4], NULL, 10);
        srandom((unsigned) strtoul(argv[5], NULL, 10) ^ (unsigned) getpid());

        int cfd = open(argv[1], O_RDWR | O_CLOEXEC);
        SoakCounters *c = cfd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        if (c == MAP_FAILED) {
                perror(argv[1]);
                return 1;
        }
        struct sigaction sa = { .sa_handler = on_term };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "soak-client: cannot connect to the bus: %s\n", strerror(-r));
                return 1;
        }
        for (int i = 0; i < CLEANUP_MAX && do_unmount(bus, mp, true, true) == 0; i++)
                count(&c->cleanups);

        while (!stop && __atomic_load_n(&c->cycles, __ATOMIC_RELAXED) < target) {
                bool auto_unmount = random() & 1, do_serve = random() % SERVE_EVERY == 0;
                int fd = -1;
                pid_t server = -1;

                if (do_mount(bus, mp, auto_unmount, &fd) < 0) {
                        count(&c->mount_fail);
                        count(&c->cycles);
                        if (!sd_bus_is_open(bus))
                                break;  /* the bus is gone: soak.sh starts another */
                        continue;
                }
                count(&c->mount_ok);
                if (do_serve)
                        server = serve(hello, fd);
                close(fd);
                if (server > 0)
                        count(read_hello(mp) ? &c->serve_ok : &c->serve_fail);
                r = do_unmount(bus, mp, false, false);
                if (r < 0 && r != -ENOENT)      /* busy, or a worker killed: again, lazily */
                        r = do_unmount(bus, mp, true, false);
                count(r == 0 ? &c->unmount_ok : &c->unmount_fail);
                if (server > 0)
                        reap(server);
                count(&c->cycles);
        }
        sd_bus_flush_close_unref(bus);
        return 0;
}
