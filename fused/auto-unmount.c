// SPDX-License-Identifier: GPL-2.0-or-later
/* auto-unmount: a mount made with the auto-unmount flag is taken down
 * (lazily) as soon as its owner's bus connection goes, watched through the
 * bus daemon's NameOwnerChanged; also the cleanup of a mount whose caller
 * left before getting the reply.  The unmount runs in the namespace fused
 * kept open for the mount, or (after a restart) one found through /proc.
 * An auto-unmount that cannot start (out of fds or memory) or that fails
 * is tried again from a timer: a mount whose owner is gone must not stay. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fused.h"

#define RETRY_USEC (250ULL * 1000ULL)
#define RETRY_MAX_ATTEMPTS 40u   /* for failures other than running short */

static bool resource_error(int r) {
        return r == -EMFILE || r == -ENFILE || r == -ENOMEM || r == -EAGAIN;
}

static void on_auto_unmounted(Context *c, int r, WorkerReply *reply, int fd, void *userdata) {
        uint64_t id = (uint64_t) (uintptr_t) userdata;
        MountRecord *m;

        if (fd >= 0)
                close(fd);
        if (r >= 0)
                r = reply->error;
        for (m = c->mounts; m && m->id != id; m = m->next)
                ;
        if (!m)
                return;
        if (r < 0 && r != -ESTALE && r != -ENOENT && r != -EINVAL) {
                log_errno(LOG_WARNING, r, "auto-unmount of %s failed, will try again", m->mountpoint);
                m->unmounting = false;
                auto_unmount_retry_later(c, m, r);
                return;
        }
        log_request(&(LogRequest) {
                .method = "AutoUnmount", .uid = m->owner, .pid = m->pid, .mountpoint = m->mountpoint,
                .options = m->options, .verdict = "allow",
                .reason = r < 0 ? "owner disconnected; mount was already gone" : "owner disconnected; unmounted",
        });
        state_drop(c, m);
}

/* A process in a namespace we no longer hold (after a restart): any will
 * do, the namespace is checked to be the recorded one and the unique mount
 * id before anything is unmounted. */
static int find_ns(Context *c, MountRecord *m, int *ret_ns) {
        struct stat st;
        char p[64];
        pid_t pid;
        int r = proc_find_ns_pid(c->proc_fd, m->ns_dev, m->ns_ino, &pid);

        if (r < 0)
                return r;
        snprintf(p, sizeof p, "%d/ns/mnt", (int) pid);
        int ns = openat(c->proc_fd, p, O_RDONLY | O_CLOEXEC);
        r = ns < 0 ? -errno : 0;
        if (r >= 0 && (fstat(ns, &st) < 0 || st.st_ino != m->ns_ino || st.st_dev != m->ns_dev))
                r = -ESRCH;
        if (r < 0) {
                if (ns >= 0)
                        close(ns);
                /* Out of fds is not "gone": only a vanished process is. */
                return r == -EMFILE || r == -ENFILE || r == -ENOMEM ? r : -ESRCH;
        }
        *ret_ns = ns;
        return 0;
}

void auto_unmount(Context *c, MountRecord *m, const char *why) {
        if (m->unmounting)
                return;
        m->unmount_retry = false;
        if (m->ns_fd < 0) {
                int r = find_ns(c, m, &m->ns_fd);
                if (resource_error(r)) {
                        log_errno(LOG_WARNING, r, "Cannot look for the namespace of %s yet (%s), will try again",
                                  m->mountpoint, why);
                        auto_unmount_retry_later(c, m, r);
                        return;
                }
                if (r < 0) {
                        /* No process is left in its namespace: the mount died with it. */
                        log_msg(LOG_INFO, "auto-unmount of %s: its mount namespace is gone", m->mountpoint);
                        state_drop(c, m);
                        return;
                }
        }
        m->unmounting = true;
        _cleanup_free_ UmountArgs *a = calloc(1, sizeof *a);
        int r = a ? 0 : -ENOMEM;
        if (r >= 0) {
                /* As root, from the namespace's root: the recorded path. */
                *a = (UmountArgs) { .lazy = true, .expect_id = m->mnt_id, .expect_unique = m->mnt_id_unique,
                                    .owner = m->owner };
                ns_target_init(&a->t, -1, 0, m->ns_fd, c->proc_fd, 0, 0);
                r = ns_set_path(a->path, m->mountpoint);
        }
        int keep[] = { m->ns_fd, c->proc_fd };
        if (r >= 0)
                r = worker_spawn(c, ns_umount, a, sizeof *a, keep, ELEMENTSOF(keep), on_auto_unmounted,
                                 (void *) (uintptr_t) m->id, NULL);
        if (r < 0) {
                m->unmounting = false;
                log_errno(LOG_WARNING, r, "Cannot start auto-unmount of %s (%s), will try again",
                          m->mountpoint, why);
                auto_unmount_retry_later(c, m, r);
        }
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        bool again = false;

        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                if (!m->unmount_retry || m->unmounting)
                        continue;
                auto_unmount(c, m, "trying again");
        }
        for (MountRecord *m = c->mounts; m; m = m->next)
                again = again || m->unmount_retry;
        if (again)
                (void) sd_event_source_set_time_relative(s, RETRY_USEC);
        (void) sd_event_source_set_enabled(s, again ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
        return 0;
}

/* The timer exists from the start (auto_unmount_watch), so arming it needs
 * no fd and no memory: it works when both have run out. */
void auto_unmount_retry_later(Context *c, MountRecord *m, int r) {
        /* Running short passes; any other failure is given some tries. */
        if (!resource_error(r) && ++m->unmount_attempts > RETRY_MAX_ATTEMPTS) {
                log_errno(LOG_ERR, r, "Giving up auto-unmount of %s after %u tries", m->mountpoint,
                          RETRY_MAX_ATTEMPTS);
                return;
        }
        m->unmount_retry = true;
        if (!c->retry_timer)
                return;
        if (sd_event_source_get_enabled(c->retry_timer, NULL) > 0)
                return;
        (void) sd_event_source_set_time_relative(c->retry_timer, RETRY_USEC);
        (void) sd_event_source_set_enabled(c->retry_timer, SD_EVENT_ONESHOT);
}

#define NAME_OWNER_CHANGED                                                                          \
        "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"               \
        "interface='org.freedesktop.DBus',member='NameOwnerChanged'"

static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        /* A polkitd that comes or goes may have other rules. */
        if (strcmp(name, "org.freedesktop.PolicyKit1") == 0)
                polkit_cache_flush();
        if (*new_owner || name[0] != ':')
                return 0;
        caller_forget(name);
        for (MountRecord *m = c->mounts, *next; m; m = next) {
                next = m->next;
                if (m->auto_unmount && m->sender && strcmp(m->sender, name) == 0)
                        auto_unmount(c, m, "owner disconnected");
        }
        return 0;
}

/* After recording an auto-unmount mount: its owner may have gone before
 * the match saw it. */
int auto_unmount_check_owner(Context *c, MountRecord *m) {
        sd_bus_creds *creds = NULL;

        /* Not gone as far as the bus has told us: if it has gone, the
         * NameOwnerChanged still to come finds this record. */
        if (caller_connected(m->sender))
                return 0;
        int r = sd_bus_get_name_creds(c->bus, m->sender, 0, &creds);

        sd_bus_creds_unref(creds);
        if (r < 0)
                auto_unmount(c, m, "owner already gone");
        return 0;
}

int auto_unmount_watch(Context *c) {
        int r = sd_event_add_time_relative(c->event, &c->retry_timer, CLOCK_MONOTONIC, RETRY_USEC, 0, on_retry, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(c->retry_timer, SD_EVENT_OFF);
        /* Departures only (the new owner is empty), and polkitd either
         * way: every connection to the system bus would otherwise wake
         * fused twice. */
        r = sd_bus_add_match(c->bus, NULL, NAME_OWNER_CHANGED ",arg2=''", on_name_owner_changed, c);
        if (r < 0)
                return r;
        return sd_bus_add_match(c->bus, NULL, NAME_OWNER_CHANGED ",arg0='org.freedesktop.PolicyKit1'",
                                on_name_owner_changed, c);
}
