// SPDX-License-Identifier: LGPL-2.1-or-later
/* auto_unmount for root mounts: a watcher process unmounts after us
 *
 * Forked at mount time, it waits for EOF on a socketpair whose other end
 * only the filesystem process holds, then unmounts the mount if it is
 * still there.  fused does the same for mounts it made (client/).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-util.h"
#include "mount.h"

/* The watcher: a forked child holding one end of a socketpair and nothing
 * of the mount (a reference would make a plain umount(8) of it fail with
 * EBUSY).  EOF on the socket means every copy of our end is closed: the
 * filesystem process died, or unmounted itself and let go.  It then
 * unmounts @path only if the mount on top there is still ours (@mnt_id): a
 * mount that was unmounted, moved or covered is left alone.  Only
 * async-signal-safe calls: the parent may have threads. */
static __attribute__((noreturn)) void watcher_run(int sock, int devnull, int mnt_id,
                                                   const char *path)
{
        char c;

        /* Out of the terminal's process group: a ^C meant for the
         * filesystem must not take the watcher down with it. */
        setsid();
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);

        /* Out of the way of stdio first, should the caller have had 0-2
         * closed when it mounted. */
        sock = fcntl(sock, F_DUPFD, 10);
        if (sock < 0)
                _exit(1);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        /* Let go of everything else, /dev/fuse above all: the connection
         * must end when the filesystem process does. */
        if (dup2(sock, 3) < 0)
                _exit(1);
        close_range(4, ~0U, 0);

        while (read(3, &c, 1) < 0 && errno == EINTR)
                ;
        int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && mnt_top_id_at_fd(fd, path) == mnt_id)
                umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
        _exit(0);
}

int mount_watch_start(struct mount_opts *mo, int mnt)
{
        _mnt_fclose_ FILE *f = NULL;
        _mnt_free_ char *line = NULL;
        struct mnt_info info;
        int sv[2];

        /* The mount's id, and its path as the kernel shows it. */
        int id = mnt_fd_mnt_id(mnt);
        if (id < 0)
                return id;
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        int r = mnt_info_find_id(f, id, &line, &info);
        if (r < 0)
                return r;

        _mnt_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return -errno;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;

        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        if (pid == 0)
                watcher_run(sv[1], devnull, id, info.mountpoint);

        close(sv[1]);
        mo->watcher_pid = pid;
        mo->watcher_parent = getpid();
        mo->watcher_fd = sv[0];
        return 0;
}

void mount_watch_stop(struct mount_opts *mo)
{
        if (mo->watcher_fd < 0)
                return;
        close(mo->watcher_fd);
        mo->watcher_fd = -1;
        /* After fuse_daemonize() it is the child of the parent that left. */
        if (mo->watcher_parent == getpid())
                while (waitpid(mo->watcher_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        mo->watcher_pid = 0;
}
