/* Who is calling: uid (the effective one, SO_PEERCRED's), groups and pid as
 * the bus daemon saw them when the caller connected (never re-read from /proc where the caller could race
 * us), and the process pinned with a pidfd for the whole request. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fused.h"

static void creds_unrefp(sd_bus_creds **c) {
        sd_bus_creds_unref(*c);
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

int caller_from_message(sd_bus_message *m, int proc_fd, Caller *ret) {
        _cleanup_(creds_unrefp) sd_bus_creds *creds = NULL, *again = NULL;
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *sender = sd_bus_message_get_sender(m);
        const gid_t *gids = NULL;
        Caller c = { .pidfd = -1 };
        uid_t uid2;
        pid_t pid2;
        int r, n;

        if (!sender)
                return -EBADMSG;
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS,
                                      &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &c.uid);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_pid(creds, &c.pid);
        if (r < 0)
                return r;
        if (c.pid <= 0)
                return -ESRCH;
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        if (n < 0)
                n = 0;  /* an old bus daemon: no groups, so group rights don't count */
        if ((size_t) n > FUSED_GROUPS_MAX)
                return -E2BIG;

        c.pidfd = pidfd_open_pid(c.pid);
        if (c.pidfd < 0)
                return c.pidfd;
        /* The pid was the sender's when the bus answered; it may have exited
         * and been reused since.  Now that it is pinned, ask again: if the
         * sender still has this pid, the pidfd is the caller. */
        r = sd_bus_get_name_creds(bus, sender, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &again);
        if (r < 0)
                goto fail;
        if (sd_bus_creds_get_pid(again, &pid2) < 0 || pid2 != c.pid ||
            sd_bus_creds_get_euid(again, &uid2) < 0 || uid2 != c.uid) {
                r = -ESRCH;
                goto fail;
        }

        r = proc_start_time(proc_fd, c.pid, &c.start_time);
        if (r >= 0)
                r = proc_real_gid(proc_fd, c.pid, &c.gid);
        if (r >= 0) {
                r = pidfd_alive(c.pidfd);
                if (r == 0)
                        r = -ESRCH;
        }
        if (r < 0)
                goto fail;
        if (n > 0) {
                bool member = false;
                for (int i = 0; i < n; i++)
                        member = member || gids[i] == c.gid;
                if (!member)
                        c.gid = gids[0];
        }

        c.sender = strdup(sender);
        c.gids = malloc(sizeof(gid_t) * (size_t) (n ? n : 1));
        if (!c.sender || !c.gids) {
                r = -ENOMEM;
                goto fail;
        }
        if (n)
                memcpy(c.gids, gids, sizeof(gid_t) * (size_t) n);
        c.n_gids = (size_t) n;
        *ret = c;
        return 0;

fail:
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
