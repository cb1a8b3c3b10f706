// SPDX-License-Identifier: LGPL-2.1-or-later
/* Mounting and unmounting FUSE: the entry points, and the non-root branch
 *
 * Every mount goes through fuse_kern_mount(): as root the library mounts
 * itself (mount-root.c, with auto_unmount from mount-watch.c); a caller
 * that is not root mounts through the fused service (client/).  The
 * options are parsed in mount-opts.c.  Also the public
 * fuse_session_mount() and fuse_session_unmount().
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"
#include "fused-client.h"
#include "mount-util.h"
#include "mount.h"

void fuse_kern_mount_release(struct mount_opts *mo)
{
        if (!mo)
                return;
        if (mo->client) {
                /* Closes the bus connection (in a forked child: its copy). */
                fused_mount_free(mo->client);
                mo->client = NULL;
        }
        mount_watch_stop(mo);
}

/* ------------------------------------------------------------------------ */
/* The entry points */

/* Not root: fused mounts for us (client/).  The handle in mo->client keeps
 * the bus connection fused's auto-unmount watches, for the mount's life;
 * fuse_kern_mount_release() lets go of it. */
static int mount_unprivileged(const char *mountpoint, struct mount_opts *mo)
{
        struct fused_mount *m = NULL;
        _mnt_free_ char *msg = NULL;
        int r;

        /* user_opts carries auto_unmount too; the client turns it into
         * fused's flag. */
        r = fused_mount_new(mountpoint, -1, mo->user_opts,
                            mo->auto_unmount ? FUSED_CLIENT_AUTO_UNMOUNT : 0, &m, &msg);
        if (r < 0) {
                fuse_log(FUSE_LOG_ERR, "fuse: mounting %s through fused failed: %s\n",
                         mountpoint, msg ? msg : strerror(-r));
                return r;
        }
        fused_mount_free(mo->client);
        mo->client = m;
        return fused_mount_steal_fd(m);
}

static void unmount_unprivileged(const char *mountpoint)
{
        _mnt_free_ char *msg = NULL;
        int r = fused_unmount(mountpoint, FUSED_CLIENT_LAZY, &msg);

        /* -ENOENT: gone already (fused's auto-unmount, or an admin). */
        if (r < 0 && r != -ENOENT)
                fuse_log(FUSE_LOG_ERR, "fuse: failed to unmount %s through fused: %s\n",
                         mountpoint, msg ? msg : strerror(-r));
}

int fuse_kern_mount(const char *mountpoint, struct mount_opts *mo)
{
        if (geteuid() != 0)
                return mount_unprivileged(mountpoint, mo);
        return mount_as_root(mountpoint, mo);
}

void fuse_kern_unmount(const char *mountpoint, int fd)
{
        if (fd >= 0) {
                struct pollfd pfd = { .fd = fd, .events = 0 };
                int n = poll(&pfd, 1, 0);

                /* Close first: a synchronous unmount would otherwise wait on
                 * a filesystem that is us. */
                close(fd);
                /* POLLERR: unmounted already, or the connection was aborted. */
                if (n == 1 && (pfd.revents & POLLERR))
                        return;
        }
        if (!mountpoint)
                return;
        if (geteuid() != 0) {
                unmount_unprivileged(mountpoint);
                return;
        }
        /* Lazy, as libfuse does as root: a busy mount still goes away. */
        if (umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
            errno != ENOENT)
                fuse_log(FUSE_LOG_ERR, "fuse: failed to unmount %s: %s\n", mountpoint,
                         strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Sessions */

int fuse_session_mount(struct fuse_session *se, const char *mountpoint)
{
        int fd;

        /* With 0-2 closed, /dev/fuse (or the watcher's socket) could land
         * on stdio and be written to by whatever prints next. */
        do {
                fd = open("/dev/null", O_RDWR);
                if (fd > 2)
                        close(fd);
        } while (fd >= 0 && fd <= 2);

        /* "/dev/fd/N": a parent mounted and passed the connection's fd. */
        fd = mnt_parse_dev_fd(mountpoint);
        if (fd >= 0) {
                if (fcntl(fd, F_GETFD) < 0) {
                        fuse_log(FUSE_LOG_ERR, "fuse: invalid file descriptor %s\n", mountpoint);
                        return -1;
                }
                se->fd = fd;
                return 0;
        }

        if (!se->mo && fuse_mount_opts_parse(NULL, &se->mo) < 0)
                return -1;
        _mnt_free_ char *mp = strdup(mountpoint);
        if (!mp)
                return -1;
        fd = fuse_kern_mount(mountpoint, se->mo);
        if (fd < 0)
                return -1;
        se->fd = fd;
        se->mountpoint = MNT_TAKE_PTR(mp);
        return 0;
}

void fuse_session_unmount(struct fuse_session *se)
{
        if (!se->mountpoint)
                return;
        fuse_kern_unmount(se->mountpoint, se->fd);
        se->fd = -1;
        fuse_kern_mount_release(se->mo);
        free(se->mountpoint);
        se->mountpoint = NULL;
}
