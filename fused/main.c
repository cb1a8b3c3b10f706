// SPDX-License-Identifier: GPL-2.0-or-later
/* fused: the privileged FUSE mount service on the system bus.  main() sets
 * up the Context (arguments, /proc, the state directory, the bus), picks up
 * the mounts a previous instance made, and runs the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fused.h"

#ifndef FUSED_CONF_PATH
#define FUSED_CONF_PATH "/etc/fuse.conf"
#endif
#ifndef FUSED_STATE_DIR
#define FUSED_STATE_DIR "/run/fused"
#endif
#ifndef FUSED_VERSION
#define FUSED_VERSION "0"
#endif

#define RECONCILE_INTERVAL_USEC (60ULL * 1000000ULL)

int context_request_begin(Context *c, uid_t uid) {
        size_t i;

        /* Each request may have a forked worker: bound them all, not only
         * per uid, so many uids together cannot fork-bomb the service. */
        if (c->total_requests >= FUSED_REQUESTS_TOTAL_MAX)
                return -EBUSY;
        for (i = 0; i < c->n_requests; i++)
                if (c->requests[i].uid == uid)
                        break;
        if (i == c->n_requests) {
                UidCount *n = realloc(c->requests, sizeof(UidCount) * (c->n_requests + 1));
                if (!n)
                        return -ENOMEM;
                c->requests = n;
                c->requests[c->n_requests++] = (UidCount) { .uid = uid };
        }
        if (c->requests[i].n >= FUSED_REQUESTS_PER_UID_MAX)
                return -EUSERS;
        c->requests[i].n++;
        c->total_requests++;
        return 0;
}

/* What a Mount request may hold at once (the caller's fd and fused's copy,
 * its pidfd, a worker's socket and pidfd, the pinned mountpoint, /dev/fuse,
 * mountinfo, the namespace and root kept for auto-unmount), and what is
 * kept free for auto-unmount workers and the bus whatever happens: a
 * request that would cut into the reserve is refused, so that a mount
 * once made can always be taken down again. */
#define FD_PER_REQUEST 12u
#define FD_RESERVE 16u

/* The fds open now, counted in /proc/self/fd. */
static int count_open_fds(Context *c, unsigned *ret) {
        _cleanup_close_ int dfd = openat(c->proc_fd, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char buf[4096];
        unsigned n = 0;
        long k;

        if (dfd < 0)
                return -errno;
        while ((k = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
                for (long off = 0; off < k;) {
                        struct dirent64 *de = (struct dirent64 *) (buf + off);
                        if (de->d_name[0] != '.')
                                n++;
                        off += de->d_reclen;
                }
        if (k < 0)
                return -errno;
        *ret = n - 1;   /* not the directory itself */
        return 0;
}

/* 0 if one more Mount request (already counted in total_requests) fits in
 * the fds left, -EBUSY if only while others are in flight, -EMFILE if not
 * even then. */
int context_fd_headroom(Context *c, unsigned *ret_open) {
        struct rlimit rl;
        unsigned n = 0;
        int r = count_open_fds(c, &n);

        /* The limit as it is now: it can be lowered under a running fused
         * (prlimit), and a mount made with fds too few to hand its fd over
         * would be left behind. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
                c->fd_limit = rl.rlim_cur > UINT32_MAX ? UINT32_MAX : (unsigned) rl.rlim_cur;

        if (ret_open)
                *ret_open = n;
        if (r < 0)
                return r == -EMFILE || r == -ENFILE ? -EMFILE : r;
        if ((uint64_t) n + FD_PER_REQUEST + FD_RESERVE > c->fd_limit)
                return -EMFILE;
        /* It would fit once the others are done. */
        if ((uint64_t) n + (uint64_t) FD_PER_REQUEST * c->total_requests + FD_RESERVE > c->fd_limit)
                return -EBUSY;
        return 0;
}

/* Like a systemd service: use all the fds the hard limit allows (the soft
 * limit of 1024 is there for select(), which fused does not use).  Each
 * auto-unmount mount holds two fds. */
static void raise_fd_limit(Context *c) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        if (rl.rlim_cur < rl.rlim_max) {
                struct rlimit want = { .rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max };
                if (setrlimit(RLIMIT_NOFILE, &want) == 0)
                        rl.rlim_cur = rl.rlim_max;
                else
                        log_errno(LOG_WARNING, -errno, "Cannot raise the fd limit to %llu",
                                  (unsigned long long) rl.rlim_max);
        }
        c->fd_limit = rl.rlim_cur > UINT32_MAX ? UINT32_MAX : (unsigned) rl.rlim_cur;
}

void context_request_end(Context *c, uid_t uid) {
        context_trim_later(c);
        for (size_t i = 0; i < c->n_requests; i++)
                if (c->requests[i].uid == uid) {
                        c->total_requests--;
                        if (--c->requests[i].n == 0)
                                c->requests[i] = c->requests[--c->n_requests];
                        return;
                }
}

static void context_done(Context *c) {
        c->retry_timer = sd_event_source_disable_unref(c->retry_timer);
        c->trim_timer = sd_event_source_disable_unref(c->trim_timer);
        while (c->workers)
                worker_free(c->workers);
        while (c->mounts) {
                MountRecord *m = c->mounts;
                c->mounts = m->next;
                record_free(m);
        }
        free(c->requests);
        sd_bus_flush_close_unref(c->bus);
        sd_event_unref(c->event);
        if (c->proc_fd >= 0)
                close(c->proc_fd);
        if (c->state_fd >= 0)
                close(c->state_fd);
        free(c->config_path);
        free(c->state_dir);
}

static void help(void) {
        printf("Usage: fused [OPTIONS]\n\n"
               "The FUSE mount service: mounts FUSE filesystems for unprivileged users\n"
               "on the D-Bus system bus as %s, with polkit deciding.\n\n"
               "  --config=FILE     fuse.conf to read (default %s)\n"
               "  --state-dir=DIR   where mounts are recorded (default %s)\n"
               "  -h --help         show this help\n"
               "  --version         show the version\n",
               FUSED_BUS_NAME, FUSED_CONF_PATH, FUSED_STATE_DIR);
}

static int parse_args(Context *c, int argc, char **argv) {
        enum { ARG_CONFIG = 0x100, ARG_STATE_DIR, ARG_VERSION };
        static const struct option opts[] = {
                { "config", required_argument, NULL, ARG_CONFIG },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int o;

        while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (o) {
                case ARG_CONFIG:
                        free(c->config_path);
                        c->config_path = strdup(optarg);
                        break;
                case ARG_STATE_DIR:
                        free(c->state_dir);
                        c->state_dir = strdup(optarg);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("fused %s\n", FUSED_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "fused: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        if (!c->config_path)
                c->config_path = strdup(FUSED_CONF_PATH);
        if (!c->state_dir)
                c->state_dir = strdup(FUSED_STATE_DIR);
        if (!c->config_path || !c->state_dir)
                return -ENOMEM;
        return 1;
}

static int open_state_dir(Context *c) {
        if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST)
                return log_errno(LOG_ERR, -errno, "Cannot create %s", c->state_dir);
        _cleanup_close_ int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return log_errno(LOG_ERR, -errno, "Cannot open %s", c->state_dir);
        if (mkdirat(dfd, "mounts", 0700) < 0 && errno != EEXIST)
                return log_errno(LOG_ERR, -errno, "Cannot create %s/mounts", c->state_dir);
        c->state_fd = openat(dfd, "mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (c->state_fd < 0)
                return log_errno(LOG_ERR, -errno, "Cannot open %s/mounts", c->state_dir);
        return 0;
}

static int on_reconcile_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;

        (void) state_reconcile(c);
        (void) sd_event_source_set_time_relative(s, RECONCILE_INTERVAL_USEC);
        return 0;
}

/* Take over the mounts a previous fused made: drop the gone ones, publish
 * the others, and unmount the auto-unmount ones whose owner left while we
 * were away. */
static int restore_state(Context *c) {
        int r = state_load(c);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot load state from %s", c->state_dir);
        /* A pending record: the last fused was killed while making that
         * mount, before its caller got the fd.  Whatever was mounted is
         * served by nobody, ever: take it down (by path and owner, its ids
         * never made it to the record).  Before reconciling, which would
         * drop the record for want of ids and leave the mount. */
        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                if (!m->pending)
                        continue;
                m->auto_unmount = true;
                auto_unmount(c, m, "fused was stopped before its caller got the fd");
        }
        int dropped = state_reconcile(c);
        for (MountRecord *m = c->mounts; m; m = m->next) {
                r = mount_object_add(c, m);
                if (r < 0)
                        log_errno(LOG_WARNING, r, "Cannot publish mount %s", m->mountpoint);
        }
        if (c->n_mounts || dropped)
                log_msg(LOG_INFO, "Restored %u mount(s), dropped %d gone", c->n_mounts, dropped);
        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                if (m->pending)
                        continue;
                /* No sender: it was on a bus daemon that has gone since. */
                if (m->auto_unmount && !m->sender)
                        auto_unmount(c, m, "owner's bus has gone");
                else if (m->auto_unmount)
                        (void) auto_unmount_check_owner(c, m);
        }
        /* Reading the state files and mountinfo left freed buffers. */
        context_trim_later(c);
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(context_done) Context c = { .proc_fd = -1, .state_fd = -1, .next_id = 1 };
        sigset_t ss;
        int r;

        r = parse_args(&c, argc, argv);
        if (r <= 0)
                return r;

        /* Workers report over their socket; the kernel reaps them. */
        raise_fd_limit(&c);
        signal(SIGCHLD, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        umask(0077);

        c.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c.proc_fd < 0)
                return log_errno(LOG_ERR, -errno, "Cannot open /proc");
        struct stat host_ns;
        if (fstatat(c.proc_fd, "1/ns/mnt", &host_ns, 0) == 0) {
                c.host_ns_dev = host_ns.st_dev;
                c.host_ns_ino = host_ns.st_ino;
        }
        r = open_state_dir(&c);
        if (r < 0)
                return r;

        r = sd_event_default(&c.event);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot allocate event loop");
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        (void) sd_event_add_signal(c.event, NULL, SIGTERM, NULL, NULL);
        (void) sd_event_add_signal(c.event, NULL, SIGINT, NULL, NULL);

        r = sd_bus_open_system(&c.bus);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot connect to the system bus");
        /* Without the bus fused is useless: leave, and let the service
         * manager start it again (state is on disk). */
        (void) sd_bus_set_exit_on_disconnect(c.bus, true);
        r = sd_bus_attach_event(c.bus, c.event, 0);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot attach the bus to the event loop");
        r = manager_add(&c);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot register the manager object");
        r = restore_state(&c);
        if (r < 0)
                return r;
        (void) sd_event_add_time_relative(c.event, NULL, CLOCK_MONOTONIC, RECONCILE_INTERVAL_USEC, 0,
                                          on_reconcile_timer, &c);
        r = sd_bus_request_name(c.bus, FUSED_BUS_NAME, 0);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot own %s (is the bus policy installed? another fused?)",
                                 FUSED_BUS_NAME);
        log_msg(LOG_INFO, "fused %s ready on %s", FUSED_VERSION, FUSED_BUS_NAME);

        r = sd_event_loop(c.event);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Event loop failed");
        if (r > 0) {
                /* sd-bus ends the loop with EXIT_FAILURE when the bus goes away. */
                log_msg(LOG_ERR, "Lost the bus connection, exiting");
                return -ECONNRESET;
        }
        return 0;
}

int main(int argc, char **argv) {
        memory_setup();
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
