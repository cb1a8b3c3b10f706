// SPDX-License-Identifier: GPL-2.0-or-later
/* Who is calling: uid (the effective one, SO_PEERCRED's), groups and pid as
 * the bus daemon saw them when the caller connected (never re-read from /proc where the caller could race
 * us), and the process pinned with a pidfd for the whole request. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "fused.h"

/* pidfs (6.9+) and PIDFD_GET_INFO (6.13+), newer than our headers. */
#define PID_FS_MAGIC_ 0x50494446
#define PIDFD_INFO_CREDS_ (1ULL << 1)
struct pidfd_info_v0 {
        uint64_t mask, cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t exit_code;
};
_Static_assert(sizeof(struct pidfd_info_v0) == 64, "PIDFD_INFO_SIZE_VER0");
#define PIDFD_GET_INFO_ _IOWR(0xFF, 11, struct pidfd_info_v0)

typedef struct BusCreds {
        bool have_uid, have_pid, have_gids;
        uid_t uid;
        pid_t pid;
        int pidfd;              /* ProcessFD (dbus 1.15.6+), or -1 */
        gid_t gids[FUSED_GROUPS_MAX];
        size_t n_gids;
} BusCreds;

/* GetConnectionCredentials, read ourselves: sd-bus (252) does not pass on
 * UnixGroupIDs, and nothing here may be filled in from /proc. */
static int bus_creds(sd_bus *bus, const char *name, BusCreds *ret) {
        sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        BusCreds c = { .pidfd = -1 };
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionCredentials", &error, &reply, "s", name);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;
                uint32_t u;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                if (strcmp(key, "UnixUserID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &u);
                        c.uid = (uid_t) u;
                        c.have_uid = r >= 0;
                } else if (strcmp(key, "ProcessID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &u);
                        c.pid = (pid_t) u;
                        c.have_pid = r >= 0;
                } else if (strcmp(key, "ProcessFD") == 0) {
                        /* The very process that connected, pinned by the
                         * bus daemon when it did: no pid to be reused. */
                        int fd;
                        r = sd_bus_message_read(reply, "v", "h", &fd);
                        if (r >= 0 && c.pidfd < 0) {
                                c.pidfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                                if (c.pidfd < 0)
                                        r = -errno;
                        }
                } else if (strcmp(key, "UnixGroupIDs") == 0) {
                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "u");
                        while (r >= 0 && (r = sd_bus_message_read(reply, "u", &u)) > 0) {
                                if (c.n_gids >= FUSED_GROUPS_MAX) {
                                        r = -E2BIG;
                                        break;
                                }
                                c.gids[c.n_gids++] = (gid_t) u;
                        }
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        c.have_gids = r >= 0;
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        sd_bus_message_unref(reply);
        if (r >= 0 && (!c.have_uid || !c.have_pid || c.pid <= 0))
                r = -ENODATA;
        if (r < 0) {
                if (c.pidfd >= 0)
                        close(c.pidfd);
                return r;
        }
        *ret = c;
        return 0;
}

/* The real gid from /proc/PID/status.  The bus does not say which of the
 * caller's groups is its primary one, and the kernel's FUSE permission
 * check compares the process's gid with group_id: it is only the value the
 * mount carries, never used to grant anything, and must be one of the
 * groups the bus reported. */
static int proc_real_gid(int proc_fd, pid_t pid, gid_t *ret) {
        char p[32];
        _cleanup_free_ char *s = NULL;

        snprintf(p, sizeof p, "%d/status", (int) pid);
        _cleanup_close_ int fd = openat(proc_fd, p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = read_full_fd(fd, &s, 64 * 1024);
        if (r < 0)
                return r;
        char *g = strstr(s, "\nGid:");
        if (!g)
                return -EIO;
        *ret = (gid_t) strtoul(g + 5, NULL, 10);
        return 0;
}

/* The same real gid from the pinned process itself (PIDFD_GET_INFO), which
 * costs one ioctl where /proc/PID/status has the kernel format fifty lines;
 * -EOPNOTSUPP on kernels without it (then read status). */
static int pidfd_real_gid(int pidfd, gid_t *ret) {
        static bool unsupported;
        struct pidfd_info_v0 info = { .mask = PIDFD_INFO_CREDS_ };

        if (unsupported)
                return -EOPNOTSUPP;
        if (ioctl(pidfd, PIDFD_GET_INFO_, &info) < 0) {
                if (errno != ENOTTY && errno != EINVAL)
                        return -errno;
                unsupported = true;
                return -EOPNOTSUPP;
        }
        if (!(info.mask & PIDFD_INFO_CREDS_))
                return -EOPNOTSUPP;
        *ret = (gid_t) info.rgid;
        return 0;
}

static int caller_real_gid(int proc_fd, pid_t pid, int pidfd, gid_t *ret) {
        int r = pidfd_real_gid(pidfd, ret);
        return r == -EOPNOTSUPP ? proc_real_gid(proc_fd, pid, ret) : r;
}

/* A process's identity for its whole life: on pidfs, every struct pid has
 * its own inode number, never reused on a 64-bit kernel, and two pidfds
 * of one process share it.  0 where pidfds are anonymous inodes (before
 * 6.9) or the number is too short to be unique: compare start times. */
static uint64_t pidfd_inode(int pidfd) {
        static int pidfs = -1;
        struct stat st;

        if (pidfs < 0) {
                struct statfs sfs;
                pidfs = sizeof(void *) == 8 && sizeof(st.st_ino) == 8 && fstatfs(pidfd, &sfs) == 0 &&
                        (unsigned long) sfs.f_type == PID_FS_MAGIC_;
        }
        if (!pidfs || fstat(pidfd, &st) < 0)
                return 0;
        return (uint64_t) st.st_ino;
}

/* What the bus said about a connection, kept while it lasts: the bus
 * daemon takes a connection's credentials once, when it connects, and never
 * gives a unique name twice, so they cannot change.  The process is known
 * by pid and start time (polkit's identity of a process): a later request
 * pins the pid and finds the same start time, or asks the bus again. */
typedef struct CredsEntry {
        char *sender;
        uid_t uid;
        pid_t pid;
        uint64_t start_time;
        uint64_t pid_inode;     /* pidfd_inode(), 0 if none */
        bool has_pidfd;         /* pidfd pins the process; else open one per request */
        int pidfd;
        gid_t *gids;
        size_t n_gids;
} CredsEntry;

#define CREDS_CACHE_MAX 32
static CredsEntry creds_cache[CREDS_CACHE_MAX];
static unsigned creds_next;

static void creds_entry_clear(CredsEntry *e) {
        free(e->sender);
        free(e->gids);
        if (e->has_pidfd)
                close(e->pidfd);
        *e = (CredsEntry) {};
}

/* A kept pidfd saves a pidfd_open() and the identity check per request: it
 * still names the process the bus named, alive or not, and holds only the
 * kernel's struct pid, not the process or its namespaces.  At most one fd
 * per entry, and only where fds are plenty: under a small limit every fd
 * goes to mounts (the reserve for auto-unmount counts open fds). */
static bool keep_pidfds(void) {
        static int keep = -1;
        struct rlimit rl;

        if (keep < 0)
                keep = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 4096;
        return keep;
}

void caller_forget(const char *sender) {
        for (unsigned i = 0; i < CREDS_CACHE_MAX; i++)
                if (creds_cache[i].sender && strcmp(creds_cache[i].sender, sender) == 0)
                        creds_entry_clear(&creds_cache[i]);
}

/* True if the bus has not yet told us that sender left: its entry goes
 * on NameOwnerChanged.  A departure not seen yet is seen later, by the
 * same handler, which then finds what was recorded meanwhile.  False also
 * when the entry was pushed out: then ask the bus. */
bool caller_connected(const char *sender) {
        for (unsigned i = 0; i < CREDS_CACHE_MAX; i++)
                if (creds_cache[i].sender && strcmp(creds_cache[i].sender, sender) == 0)
                        return true;
        return false;
}

static void creds_remember(const char *sender, const BusCreds *b, uint64_t start_time, uint64_t pid_inode,
                           int pidfd) {
        CredsEntry *e = &creds_cache[creds_next++ % CREDS_CACHE_MAX];

        creds_entry_clear(e);
        e->sender = strdup(sender);
        e->gids = malloc(sizeof(gid_t) * (b->n_gids ? b->n_gids : 1));
        if (!e->sender || !e->gids) {
                creds_entry_clear(e);
                return;
        }
        memcpy(e->gids, b->gids, sizeof(gid_t) * b->n_gids);
        e->n_gids = b->n_gids;
        e->uid = b->uid;
        e->pid = b->pid;
        e->start_time = start_time;
        e->pid_inode = pid_inode;
        if (keep_pidfds()) {
                e->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
                e->has_pidfd = e->pidfd >= 0;
        }
}

static const CredsEntry *creds_lookup(const char *sender) {
        for (unsigned i = 0; i < CREDS_CACHE_MAX; i++)
                if (creds_cache[i].sender && strcmp(creds_cache[i].sender, sender) == 0)
                        return &creds_cache[i];
        return NULL;
}

/* A sender seen before: pin its pid and check it is still the process the
 * bus named.  0, or -ESTALE: ask the bus. */
static int caller_from_cache(const char *sender, int proc_fd, Caller *c, BusCreds *ret) {
        const CredsEntry *e = creds_lookup(sender);
        uint64_t start = 0;

        if (!e || e->n_gids > FUSED_GROUPS_MAX)
                return -ESTALE;
        if (e->has_pidfd) {
                /* The very process; if it has exited, the caller's check
                 * of the pidfd says so. */
                c->pidfd = fcntl(e->pidfd, F_DUPFD_CLOEXEC, 3);
                if (c->pidfd < 0)
                        return -errno;
                start = e->start_time;
                goto found;
        }
        c->pidfd = pidfd_open_pid(e->pid);
        if (c->pidfd < 0)
                return c->pidfd;
        /* The same process, not a later one with the recycled pid: by its
         * pidfs inode where there is one (an fstat rather than formatting
         * and parsing /proc/PID/stat), else by its start time. */
        if (e->pid_inode != 0)
                start = pidfd_inode(c->pidfd) == e->pid_inode ? e->start_time : 0;
        else if (proc_start_time(proc_fd, e->pid, &start) < 0)
                start = 0;
        if (start == 0 || start != e->start_time) {
                close(c->pidfd);
                c->pidfd = -1;
                return -ESTALE;
        }
found:
        c->uid = e->uid;
        c->pid = e->pid;
        c->start_time = start;
        *ret = (BusCreds) { .have_uid = true, .have_pid = true, .have_gids = true, .uid = e->uid, .pid = e->pid, .pidfd = -1,
                            .n_gids = e->n_gids };
        memcpy(ret->gids, e->gids, sizeof(gid_t) * e->n_gids);
        return 0;
}

int caller_from_message(sd_bus_message *m, int proc_fd, Caller *ret) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *sender = sd_bus_message_get_sender(m);
        Caller c = { .pidfd = -1 };
        BusCreds *first = NULL, again;
        int r;

        if (!sender)
                return -EBADMSG;
        first = malloc(sizeof *first);
        if (!first)
                return -ENOMEM;
        r = caller_from_cache(sender, proc_fd, &c, first);
        if (r == -ESTALE) {
                r = bus_creds(bus, sender, first);
                if (r < 0)
                        goto fail;
                c.uid = first->uid;
                c.pid = first->pid;

                if (first->pidfd >= 0)
                        c.pidfd = take_fd(&first->pidfd);
                else {
                        /* Only a claim: the process that connected may have
                         * exited and its pid been reused, before this or at
                         * any moment after.  The workers act only where the
                         * caller's own rights reach through this pid
                         * (mount-ns.c), so a reused pid gains nothing. */
                        c.pidfd = pidfd_open_pid(c.pid);
                        if (c.pidfd < 0) {
                                r = c.pidfd;
                                goto fail;
                        }
                        r = bus_creds(bus, sender, &again);
                        if (r >= 0 && again.pidfd >= 0)
                                close(again.pidfd);
                        if (r < 0)
                                goto fail;
                        if (again.pid != c.pid || again.uid != c.uid) {
                                r = -ESRCH;
                                goto fail;
                        }
                }
                r = proc_start_time(proc_fd, c.pid, &c.start_time);
                if (r >= 0 && pidfd_alive(c.pidfd) > 0)
                        creds_remember(sender, first, c.start_time, pidfd_inode(c.pidfd), c.pidfd);
        }
        if (r >= 0)
                r = caller_real_gid(proc_fd, c.pid, c.pidfd, &c.gid);
        if (r >= 0) {
                r = pidfd_alive(c.pidfd);
                if (r == 0)
                        r = -ESRCH;
        }
        if (r < 0)
                goto fail;
        if (first->n_gids > 0) {
                bool member = false;
                for (size_t i = 0; i < first->n_gids; i++)
                        member = member || first->gids[i] == c.gid;
                if (!member)
                        c.gid = first->gids[0];
        }

        c.sender = strdup(sender);
        c.gids = malloc(sizeof(gid_t) * (first->n_gids ? first->n_gids : 1));
        if (!c.sender || !c.gids) {
                r = -ENOMEM;
                goto fail;
        }
        memcpy(c.gids, first->gids, sizeof(gid_t) * first->n_gids);
        c.n_gids = first->n_gids;
        free(first);
        *ret = c;
        return 0;

fail:
        free(first);
        caller_done(&c);
        return r;
}

void caller_done(Caller *c) {
        free(c->sender);
        free(c->gids);
        if (c->pidfd >= 0)
                close(c->pidfd);
        *c = (Caller) { .pidfd = -1 };
}
