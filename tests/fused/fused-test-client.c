// SPDX-License-Identifier: GPL-2.0-or-later
/* fused test client: drives org.freedesktop.fuse1 from the command line, as
 * whatever uid runs it, for the integration tests.
 *
 *   fused-test-client mount [options] MOUNTPOINT
 *     -o OPTS           the fuse(8) option string
 *     --fd              also pass an O_PATH|O_NOFOLLOW fd of MOUNTPOINT
 *     --fd-of=PATH      pass an fd of PATH instead (with MOUNTPOINT as path)
 *     --auto-unmount    flag auto-unmount
 *     --interactive     set ALLOW_INTERACTIVE_AUTHORIZATION on the call
 *     --flag=NAME:TYPE:VALUE  add an arbitrary flag (TYPE b, s, u or i)
 *     --hold            after mounting, keep the fuse fd and the bus
 *                       connection until SIGTERM/SIGINT (prints "ready")
 *     --close-fd        with --hold: close the fuse fd, keep the bus
 *     --drop-bus        with --hold: close the bus, keep the fuse fd
 *     --serve MOUNTPOINT PROG ARGS...  (the mountpoint comes first) fork
 *                       PROG with "{}" in ARGS replaced by /dev/fd/N (the
 *                       fuse fd), hold the bus until it exits
 *     --send-only       send the request and exit without waiting for the
 *                       reply (a caller gone mid-request)
 *     --orphan=FIFO     connect to the bus, fork, print "connected PID" (the
 *                       pid the bus daemon records) and let that process
 *                       exit; the child waits for a line on FIFO, then
 *                       authenticates on the inherited socket and sends
 *                       the request: a caller whose recorded pid is stale
 *   fused-test-client unmount [--lazy] [--flag=...] MOUNTPOINT
 *   fused-test-client pin PATH  open PATH with O_PATH (keeps a mount busy
 *                                without a FUSE request), print "ready",
 *                                wait for SIGTERM/SIGINT
 *   fused-test-client setattr-clear PATH
 *                                mount_setattr() clearing nosuid and nodev
 *                                on the mount at PATH; prints "cleared" or
 *                                "error ERRNO-NAME"
 *   fused-test-client list       one line per mount, fields tab-separated:
 *                                object mountpoint owner pid fsname subtype
 *                                options created_usec
 *   fused-test-client watch N SECONDS
 *                                print the first N InterfacesAdded/Removed
 *                                signals ("added OBJ" / "removed OBJ", with
 *                                " org.freedesktop.fuse1.Mount" appended
 *                                when the signal names that interface)
 *
 * On success "mount" prints the mount's object path.  On failure every
 * command prints "error NAME" on stdout and "NAME: message" on stderr.
 * Exit codes: 0 ok, 1 usage or local failure, 2 an org.freedesktop.fuse1
 * error, 3 any other D-Bus error (bus policy, timeout, unknown method). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <linux/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fused-protocol.h"

#define EXIT_USAGE 1
#define EXIT_FUSED_ERROR 2
#define EXIT_BUS_ERROR 3

#define _cleanup_(f) __attribute__((cleanup(f)))
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void bus_unrefp(sd_bus **b) { sd_bus_flush_close_unref(*b); }
static inline void msg_unrefp(sd_bus_message **m) { sd_bus_message_unref(*m); }
static inline void bus_error_freep(sd_bus_error *e) { sd_bus_error_free(e); }

#define MAX_EXTRA_FLAGS 16

struct opts {
        const char *options;
        bool pass_fd, auto_unmount, interactive, hold, close_fd, drop_bus, send_only, lazy;
        const char *fd_of;
        const char *orphan_fifo;
        const char *extra_flags[MAX_EXTRA_FLAGS];
        unsigned n_extra_flags;
        char **serve_argv;
};

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static int report_error(const char *what, const sd_bus_error *e, int r) {
        if (e && sd_bus_error_is_set(e)) {
                printf("error %s\n", e->name);
                fflush(stdout);
                fprintf(stderr, "%s: %s\n", e->name, e->message ?: "");
                return strncmp(e->name, FUSED_ERROR_PREFIX, strlen(FUSED_ERROR_PREFIX)) == 0
                        ? EXIT_FUSED_ERROR : EXIT_BUS_ERROR;
        }
        printf("error local\n");
        fprintf(stderr, "%s: %s\n", what, strerror(-r));
        return EXIT_USAGE;
}

/* --flag=NAME:TYPE:VALUE appended to an a{sv} being built. */
static int append_extra_flag(sd_bus_message *m, const char *spec) {
        char name[256], type;
        int n = 0;
        if (sscanf(spec, "%255[^:]:%c:%n", name, &type, &n) != 2 || n == 0)
                return -EINVAL;
        const char *value = spec + n;
        switch (type) {
        case 'b':
                return sd_bus_message_append(m, "{sv}", name, "b", (int) (strcmp(value, "true") == 0 || strcmp(value, "1") == 0));
        case 's':
                return sd_bus_message_append(m, "{sv}", name, "s", value);
        case 'u':
                return sd_bus_message_append(m, "{sv}", name, "u", (uint32_t) strtoul(value, NULL, 0));
        case 'i':
                return sd_bus_message_append(m, "{sv}", name, "i", (int32_t) strtol(value, NULL, 0));
        default:
                return -EINVAL;
        }
}

static int open_bus(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                fprintf(stderr, "cannot connect to the system bus: %s\n", strerror(-r));
        return r;
}

/* Wait for SIGTERM/SIGINT while keeping the bus connection serviced (so the
 * bus daemon does not drop us for a full queue). */
static void wait_for_signal(sd_bus *bus) {
        while (!got_signal) {
                if (bus) {
                        int r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                bus = NULL;
                        else if (r > 0)
                                continue;
                        else
                                (void) sd_bus_wait(bus, 500000);
                } else
                        pause();
        }
}

/* A connection whose recorded pid goes stale: the socket is connected by
 * this process, which the bus daemon will name as the caller, and used by
 * a child after this process has exited. */
static int open_orphan_bus(const char *fifo, sd_bus **ret) {
        const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char line[64];
        sd_bus *bus = NULL;
        int r;

        if (!addr || strncmp(addr, "unix:path=", 10) != 0 || strlen(addr + 10) >= sizeof sa.sun_path) {
                fprintf(stderr, "--orphan needs DBUS_SYSTEM_BUS_ADDRESS=unix:path=...\n");
                return -EINVAL;
        }
        strcpy(sa.sun_path, addr + 10);
        sa.sun_path[strcspn(sa.sun_path, ",")] = 0;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0) {
                printf("connected %d\n", (int) getpid());
                fflush(stdout);
                _exit(0);
        }
        FILE *f = fopen(fifo, "re");
        if (!f || !fgets(line, sizeof line, f))
                return -EIO;
        fclose(f);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

static int cmd_setattr_clear(const char *path) {
        struct mount_attr attr = { .attr_clr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };

        if (syscall(SYS_mount_setattr, AT_FDCWD, path, 0, &attr, sizeof attr) < 0) {
                printf("error %s\n", strerrorname_np(errno) ?: "unknown");
                return EXIT_USAGE;
        }
        printf("cleared\n");
        return 0;
}

static int serve(sd_bus *bus, int fuse_fd, char **argv) {
        char path[32];
        snprintf(path, sizeof path, "/dev/fd/%d", fuse_fd);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                for (char **a = argv; *a; a++)
                        if (strcmp(*a, "{}") == 0)
                                *a = path;
                execvp(argv[0], argv);
                _exit(127);
        }
        close(fuse_fd);
        printf("ready\n");
        fflush(stdout);
        int status;
        while (waitpid(pid, &status, WNOHANG) == 0 && !got_signal) {
                if (sd_bus_process(bus, NULL) > 0)
                        continue;
                (void) sd_bus_wait(bus, 100000);
        }
        if (got_signal) {
                kill(pid, SIGTERM);
                waitpid(pid, &status, 0);
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int cmd_mount(const char *mountpoint, struct opts *o) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(msg_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(closep) int mp_fd = -1;
        int r;

        if (o->orphan_fifo) {
                r = open_orphan_bus(o->orphan_fifo, &bus);
                if (r < 0)
                        return report_error("the orphaned connection", NULL, r);
        } else if (open_bus(&bus) < 0)
                return EXIT_USAGE;
        if (o->pass_fd || o->fd_of) {
                mp_fd = open(o->fd_of ?: mountpoint, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (mp_fd < 0) {
                        fprintf(stderr, "open %s: %m\n", o->fd_of ?: mountpoint);
                        printf("error local\n");
                        return EXIT_USAGE;
                }
        }
        r = sd_bus_message_new_method_call(bus, &m, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                           FUSED_MANAGER_INTERFACE, FUSED_METHOD_MOUNT);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", mountpoint, o->options ?: "");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && mp_fd >= 0)
                r = sd_bus_message_append(m, "{sv}", FUSED_FLAG_MOUNTPOINT_FD, "h", mp_fd);
        if (r >= 0 && o->auto_unmount)
                r = sd_bus_message_append(m, "{sv}", FUSED_FLAG_AUTO_UNMOUNT, "b", 1);
        for (unsigned i = 0; r >= 0 && i < o->n_extra_flags; i++)
                r = append_extra_flag(m, o->extra_flags[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, o->interactive);
        if (r < 0)
                return report_error("building the request", NULL, r);

        if (o->send_only) {
                r = sd_bus_send(bus, m, NULL);
                if (r >= 0)
                        r = sd_bus_flush(bus);
                if (r < 0)
                        return report_error("sending", NULL, r);
                printf("sent\n");
                fflush(stdout);
                /* Exit without reading the reply: the caller is gone. */
                _exit(0);
        }

        r = sd_bus_call(bus, m, 60 * 1000000ULL, &error, &reply);
        if (r < 0)
                return report_error("Mount", &error, r);

        int fuse_fd_borrowed;
        const char *object;
        r = sd_bus_message_read(reply, "ho", &fuse_fd_borrowed, &object);
        if (r < 0)
                return report_error("reading the reply", NULL, r);
        /* The reply owns the received fd; take our own copy. */
        _cleanup_(closep) int fuse_fd = fcntl(fuse_fd_borrowed, F_DUPFD_CLOEXEC, 3);
        if (fuse_fd < 0)
                return report_error("dup", NULL, -errno);
        struct stat st;
        if (fstat(fuse_fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
            major(st.st_rdev) != 10 || minor(st.st_rdev) != 229) {
                fprintf(stderr, "the returned fd is not /dev/fuse\n");
                printf("error not-dev-fuse\n");
                return EXIT_USAGE;
        }
        printf("%s\n", object);
        fflush(stdout);

        if (o->serve_argv) {
                int fd = fuse_fd;
                /* The server inherits the fd: no CLOEXEC on it. */
                (void) fcntl(fd, F_SETFD, 0);
                fuse_fd = -1;
                return serve(bus, fd, o->serve_argv);
        }
        if (!o->hold)
                return 0;
        if (o->close_fd) {
                close(fuse_fd);
                fuse_fd = -1;
        }
        if (o->drop_bus) {
                sd_bus_flush_close_unref(bus);
                bus = NULL;
        }
        printf("ready\n");
        fflush(stdout);
        wait_for_signal(bus);
        return 0;
}

static int cmd_unmount(const char *mountpoint, struct opts *o) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(msg_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (open_bus(&bus) < 0)
                return EXIT_USAGE;
        r = sd_bus_message_new_method_call(bus, &m, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                           FUSED_MANAGER_INTERFACE, FUSED_METHOD_UNMOUNT);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", mountpoint);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && o->lazy)
                r = sd_bus_message_append(m, "{sv}", FUSED_FLAG_LAZY, "b", 1);
        for (unsigned i = 0; r >= 0 && i < o->n_extra_flags; i++)
                r = append_extra_flag(m, o->extra_flags[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, o->interactive);
        if (r < 0)
                return report_error("building the request", NULL, r);
        r = sd_bus_call(bus, m, 60 * 1000000ULL, &error, &reply);
        if (r < 0)
                return report_error("Unmount", &error, r);
        printf("unmounted\n");
        return 0;
}

static int cmd_list(void) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(msg_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (open_bus(&bus) < 0)
                return EXIT_USAGE;
        r = sd_bus_call_method(bus, FUSED_BUS_NAME, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                               FUSED_METHOD_LIST_MOUNTS, &error, &reply, "");
        if (r < 0)
                return report_error("ListMounts", &error, r);
        r = sd_bus_message_enter_container(reply, 'a', FUSED_MOUNT_ENTRY_SIG);
        while (r >= 0) {
                const char *obj, *mp, *fsname, *subtype, *options;
                uint32_t owner, pid;
                uint64_t created;
                r = sd_bus_message_read(reply, FUSED_MOUNT_ENTRY_SIG, &obj, &mp, &owner, &pid,
                                        &fsname, &subtype, &options, &created);
                if (r <= 0)
                        break;
                printf("%s\t%s\t%u\t%u\t%s\t%s\t%s\t%llu\n", obj, mp, owner, pid, fsname,
                       subtype, options, (unsigned long long) created);
        }
        if (r < 0)
                return report_error("reading ListMounts", NULL, r);
        return 0;
}

static unsigned watch_left;

/* Whether the signal's interfaces (names of InterfacesRemoved, keys of
 * InterfacesAdded) include the Mount interface. */
static bool names_mount_interface(sd_bus_message *m, bool added) {
        const char *iface;
        bool found = false;

        if (sd_bus_message_enter_container(m, 'a', added ? "{sa{sv}}" : "s") < 0)
                return false;
        for (;;) {
                if (added) {
                        if (sd_bus_message_enter_container(m, 'e', "sa{sv}") <= 0)
                                break;
                        if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_skip(m, "a{sv}") < 0 ||
                            sd_bus_message_exit_container(m) < 0)
                                break;
                } else if (sd_bus_message_read(m, "s", &iface) <= 0)
                        break;
                if (strcmp(iface, FUSED_MOUNT_INTERFACE) == 0)
                        found = true;
        }
        return found;
}

static int on_interfaces_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *obj;
        bool added = strcmp(sd_bus_message_get_member(m), "InterfacesAdded") == 0;
        if (sd_bus_message_read(m, "o", &obj) < 0)
                return 0;
        printf("%s %s%s\n", added ? "added" : "removed", obj,
               names_mount_interface(m, added) ? " " FUSED_MOUNT_INTERFACE : "");
        fflush(stdout);
        if (watch_left > 0)
                watch_left--;
        return 0;
}

static int cmd_watch(unsigned n, unsigned seconds) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r;

        if (open_bus(&bus) < 0)
                return EXIT_USAGE;
        watch_left = n;
        r = sd_bus_match_signal(bus, NULL, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                on_interfaces_signal, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, FUSED_BUS_NAME, FUSED_OBJECT_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                        on_interfaces_signal, NULL);
        if (r < 0)
                return report_error("adding matches", NULL, r);
        /* The matches are in place once the bus has answered this call. */
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetId", NULL, NULL, "");
        if (r < 0)
                return report_error("syncing with the bus", NULL, r);
        printf("watching\n");
        fflush(stdout);
        alarm(seconds);
        while (watch_left > 0 && !got_signal) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return report_error("processing", NULL, r);
                if (r == 0)
                        (void) sd_bus_wait(bus, 200000);
        }
        return watch_left == 0 ? 0 : EXIT_USAGE;
}

static int cmd_pin(const char *path) {
        _cleanup_(closep) int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return report_error(path, NULL, -errno);
        printf("ready\n");
        fflush(stdout);
        wait_for_signal(NULL);
        return 0;
}

static void usage(void) {
        fprintf(stderr, "usage: fused-test-client mount [-o OPTS] [--fd] [--fd-of=PATH] "
                        "[--auto-unmount] [--interactive] [--flag=N:T:V] [--hold [--close-fd] "
                        "[--drop-bus]] [--send-only] [--orphan=FIFO] MOUNTPOINT\n"
                        "       fused-test-client mount [OPTIONS] --serve MOUNTPOINT PROG ARGS...\n"
                        "       fused-test-client unmount [--lazy] [--flag=N:T:V] MOUNTPOINT\n"
                        "       fused-test-client setattr-clear PATH\n"
                        "       fused-test-client list\n"
                        "       fused-test-client pin PATH\n"
                        "       fused-test-client watch N SECONDS\n");
        exit(EXIT_USAGE);
}

int main(int argc, char **argv) {
        enum { O_FD = 256, O_FD_OF, O_AUTO, O_INTER, O_HOLD, O_CLOSE_FD, O_DROP_BUS, O_SERVE,
               O_SEND_ONLY, O_LAZY, O_FLAG, O_ORPHAN };
        static const struct option longopts[] = {
                { "fd", no_argument, NULL, O_FD },
                { "fd-of", required_argument, NULL, O_FD_OF },
                { "auto-unmount", no_argument, NULL, O_AUTO },
                { "interactive", no_argument, NULL, O_INTER },
                { "hold", no_argument, NULL, O_HOLD },
                { "close-fd", no_argument, NULL, O_CLOSE_FD },
                { "drop-bus", no_argument, NULL, O_DROP_BUS },
                { "serve", no_argument, NULL, O_SERVE },
                { "send-only", no_argument, NULL, O_SEND_ONLY },
                { "lazy", no_argument, NULL, O_LAZY },
                { "flag", required_argument, NULL, O_FLAG },
                { "orphan", required_argument, NULL, O_ORPHAN },
                {}
        };
        struct opts o = {};
        bool serve_next = false;
        int c;

        if (argc < 2)
                usage();
        const char *cmd = argv[1];
        argc--, argv++;

        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGALRM, &sa, NULL);

        /* "+": stop at the first non-option, so --serve's program keeps its own. */
        while (!serve_next && (c = getopt_long(argc, argv, "+o:", longopts, NULL)) != -1) {
                switch (c) {
                case 'o': o.options = optarg; break;
                case O_FD: o.pass_fd = true; break;
                case O_FD_OF: o.fd_of = optarg; break;
                case O_AUTO: o.auto_unmount = true; break;
                case O_INTER: o.interactive = true; break;
                case O_HOLD: o.hold = true; break;
                case O_CLOSE_FD: o.close_fd = true; break;
                case O_DROP_BUS: o.drop_bus = true; break;
                case O_SERVE: serve_next = true; break;
                case O_SEND_ONLY: o.send_only = true; break;
                case O_LAZY: o.lazy = true; break;
                case O_ORPHAN: o.orphan_fifo = optarg; break;
                case O_FLAG:
                        if (o.n_extra_flags == MAX_EXTRA_FLAGS)
                                usage();
                        o.extra_flags[o.n_extra_flags++] = optarg;
                        break;
                default: usage();
                }
        }

        if (strcmp(cmd, "mount") == 0) {
                /* mount [opts] --serve PROG ARGS... MOUNTPOINT is ambiguous:
                 * with --serve the mountpoint comes first. */
                if (serve_next) {
                        if (optind + 2 > argc)
                                usage();
                        const char *mp = argv[optind];
                        o.serve_argv = argv + optind + 1;
                        return cmd_mount(mp, &o);
                }
                if (optind + 1 != argc)
                        usage();
                return cmd_mount(argv[optind], &o);
        }
        if (strcmp(cmd, "unmount") == 0) {
                if (optind + 1 != argc)
                        usage();
                return cmd_unmount(argv[optind], &o);
        }
        if (strcmp(cmd, "pin") == 0) {
                if (optind + 1 != argc)
                        usage();
                return cmd_pin(argv[optind]);
        }
        if (strcmp(cmd, "setattr-clear") == 0) {
                if (optind + 1 != argc)
                        usage();
                return cmd_setattr_clear(argv[optind]);
        }
        if (strcmp(cmd, "list") == 0)
                return cmd_list();
        if (strcmp(cmd, "watch") == 0) {
                if (optind + 2 != argc)
                        usage();
                return cmd_watch(strtoul(argv[optind], NULL, 0), strtoul(argv[optind + 1], NULL, 0));
        }
        usage();
}
