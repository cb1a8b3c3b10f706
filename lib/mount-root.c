// SPDX-License-Identifier: LGPL-2.1-or-later
/* Mounting as root: fsopen/fsconfig/fsmount/move_mount, or mount(2)
 *
 * The new mount API onto an O_PATH fd of the mountpoint, the kernel's own
 * words when it refuses an option; mount(2) with the classic data string
 * where the kernel has no fsopen.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuse_log.h"
#include "mount-util.h"
#include "mount.h"

/* Logs what the kernel said about a refused fsconfig (read from the fs
 * context fd: "e fuse: ..." lines), then returns @r. */
static int fsconfig_failed(int fsfd, const char *what, int r)
{
        char msg[512];
        bool said = false;

        for (;;) {
                ssize_t n = read(fsfd, msg, sizeof(msg) - 1);
                if (n <= 0)
                        break;
                msg[n] = '\0';
                const char *text = n > 2 && msg[1] == ' ' ? msg + 2 : msg;
                fuse_log(FUSE_LOG_ERR, "%s%s\n", strncmp(text, "fuse", 4) ? "fuse: " : "", text);
                said = true;
        }
        if (!said)
                fuse_log(FUSE_LOG_ERR, "fuse: %s: %s\n", what, strerror(-r));
        return r;
}

static int set_str(int fsfd, const char *key, const char *val)
{
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, val, 0) < 0) {
                int r = -errno;
                char what[64];
                snprintf(what, sizeof(what), "mount option %s", key);
                return fsconfig_failed(fsfd, what, r);
        }
        return 0;
}

static int set_uint(int fsfd, const char *key, unsigned val, const char *fmt)
{
        char buf[32];
        snprintf(buf, sizeof(buf), fmt, val);
        return set_str(fsfd, key, buf);
}

static int set_flag(int fsfd, const char *key)
{
        if (fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0) < 0) {
                int r = -errno;
                char what[64];
                snprintf(what, sizeof(what), "mount option %s", key);
                return fsconfig_failed(fsfd, what, r);
        }
        return 0;
}

static const char *mount_source(const struct mount_opts *mo)
{
        if (mo->fsname)
                return mo->fsname;
        return mo->subtype ? mo->subtype : "/dev/fuse";
}

static unsigned mount_attrs(unsigned long flags)
{
        unsigned a = 0;

        if (flags & MS_RDONLY)
                a |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                a |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                a |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                a |= MOUNT_ATTR_NOEXEC;
        if (flags & MS_NODIRATIME)
                a |= MOUNT_ATTR_NODIRATIME;
        if (flags & MS_NOATIME)
                a |= MOUNT_ATTR_NOATIME;
        else if (flags & MS_STRICTATIME)
                a |= MOUNT_ATTR_STRICTATIME;
        return a;
}

/* The new mount API.  Returns the fsmount fd of the attached mount, -ENOSYS
 * if the kernel has no fsopen, or another -errno after logging. */
static int mount_fsmount(int target, const struct mount_opts *mo, int fd, mode_t rootmode)
{
        _mnt_close_ int fsfd = fsopen(mo->blkdev ? "fuseblk" : "fuse", FSOPEN_CLOEXEC);
        int r;

        if (fsfd < 0) {
                r = -errno;
                if (r != -ENOSYS)
                        fuse_log(FUSE_LOG_ERR, "fuse: fsopen(%s) failed: %s\n",
                                 mo->blkdev ? "fuseblk" : "fuse", strerror(-r));
                return r;
        }

        if ((r = set_uint(fsfd, "fd", (unsigned)fd, "%u")) < 0 ||
            (r = set_uint(fsfd, "rootmode", rootmode, "%o")) < 0 ||
            (r = set_uint(fsfd, "user_id", getuid(), "%u")) < 0 ||
            (r = set_uint(fsfd, "group_id", getgid(), "%u")) < 0 ||
            (r = set_str(fsfd, "source", mount_source(mo))) < 0)
                return r;
        if (mo->subtype && (r = set_str(fsfd, "subtype", mo->subtype)) < 0)
                return r;
        if ((mo->allow_other || mo->allow_root) && (r = set_flag(fsfd, "allow_other")) < 0)
                return r;
        if (mo->default_permissions && (r = set_flag(fsfd, "default_permissions")) < 0)
                return r;
        if (mo->max_read && (r = set_uint(fsfd, "max_read", mo->max_read, "%u")) < 0)
                return r;
        if (mo->blksize && (r = set_uint(fsfd, "blksize", mo->blksize, "%u")) < 0)
                return r;

        const struct { const char *key; const char *val; } ctx[] = {
                { "context", mo->context }, { "fscontext", mo->fscontext },
                { "defcontext", mo->defcontext }, { "rootcontext", mo->rootcontext },
        };
        for (size_t i = 0; i < sizeof(ctx) / sizeof(ctx[0]); i++)
                if (ctx[i].val && (r = set_str(fsfd, ctx[i].key, ctx[i].val)) < 0)
                        return r;

        /* Superblock flags; the per-mount ones go to fsmount. */
        if ((mo->flags & MS_RDONLY) && (r = set_flag(fsfd, "ro")) < 0)
                return r;
        if ((mo->flags & MS_SYNCHRONOUS) && (r = set_flag(fsfd, "sync")) < 0)
                return r;
        if ((mo->flags & MS_DIRSYNC) && (r = set_flag(fsfd, "dirsync")) < 0)
                return r;

        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return fsconfig_failed(fsfd, "mount failed", -errno);

        _mnt_close_ int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, mount_attrs(mo->flags));
        if (mnt < 0) {
                r = -errno;
                fuse_log(FUSE_LOG_ERR, "fuse: fsmount failed: %s\n", strerror(-r));
                return r;
        }
        if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
                r = -errno;
                fuse_log(FUSE_LOG_ERR, "fuse: move_mount failed: %s\n", strerror(-r));
                return r;
        }
        return MNT_TAKE_FD(mnt);
}

/* The options the kernel parses from a legacy mount(2) data string. */
static int kernel_opts_string(const struct mount_opts *mo, char **out)
{
        _mnt_free_ char *s = NULL;
        char buf[64];
        int r = 0;

        if (mo->allow_other || mo->allow_root)
                r = mnt_opts_append(&s, "allow_other", false);
        if (r == 0 && mo->default_permissions)
                r = mnt_opts_append(&s, "default_permissions", false);
        if (r == 0 && mo->max_read) {
                snprintf(buf, sizeof(buf), "max_read=%u", mo->max_read);
                r = mnt_opts_append(&s, buf, false);
        }
        if (r == 0 && mo->blksize) {
                snprintf(buf, sizeof(buf), "blksize=%u", mo->blksize);
                r = mnt_opts_append(&s, buf, false);
        }
        const struct { const char *key; const char *val; } ctx[] = {
                { "context=", mo->context }, { "fscontext=", mo->fscontext },
                { "defcontext=", mo->defcontext }, { "rootcontext=", mo->rootcontext },
        };
        for (size_t i = 0; r == 0 && i < sizeof(ctx) / sizeof(ctx[0]); i++) {
                if (!ctx[i].val)
                        continue;
                _mnt_free_ char *kv = NULL;
                if (asprintf(&kv, "%s%s", ctx[i].key, ctx[i].val) < 0)
                        return -ENOMEM;
                r = mnt_opts_append(&s, kv, false);
        }
        if (r < 0)
                return r;
        *out = MNT_TAKE_PTR(s);
        return 0;
}

/* mount(2), for kernels without fsopen. */
static int mount_legacy(const char *mountpoint, const struct mount_opts *mo, int fd,
                        mode_t rootmode)
{
        _mnt_free_ char *kopts = NULL, *data = NULL, *type = NULL;
        int r;

        if ((r = kernel_opts_string(mo, &kopts)) < 0 ||
            (r = mnt_kernel_data(&data, fd, rootmode, getuid(), getgid(), kopts)) < 0)
                return r;
        if (asprintf(&type, "%s%s%s", mo->blkdev ? "fuseblk" : "fuse",
                     mo->subtype ? "." : "", mo->subtype ? mo->subtype : "") < 0)
                return -ENOMEM;
        if (mount(mount_source(mo), mountpoint, type, mo->flags, data) < 0) {
                r = -errno;
                fuse_log(FUSE_LOG_ERR, "fuse: mount failed: %s\n", strerror(-r));
                return r;
        }
        return 0;
}

int mount_as_root(const char *mountpoint, struct mount_opts *mo)
{
        struct stat st;
        int r;

        /* Pin the mountpoint: the checks and the mount apply to this inode. */
        _mnt_close_ int target = open(mountpoint, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (target < 0 || fstat(target, &st) < 0) {
                r = -errno;
                fuse_log(FUSE_LOG_ERR, "fuse: bad mount point `%s': %s\n", mountpoint,
                         strerror(-r));
                return r;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
                fuse_log(FUSE_LOG_ERR, "fuse: mount point `%s' is not a directory or regular file\n",
                         mountpoint);
                return -ENOTDIR;
        }

        _mnt_close_ int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                fuse_log(FUSE_LOG_ERR, "fuse: failed to open /dev/fuse: %s\n", strerror(-r));
                return r;
        }

        _mnt_close_ int mnt = mount_fsmount(target, mo, fd, st.st_mode & S_IFMT);
        if (mnt == -ENOSYS) {
                r = mount_legacy(mountpoint, mo, fd, st.st_mode & S_IFMT);
                if (r < 0)
                        return r;
                /* Resolving the path now crosses into the new mount's root;
                 * no request reaches the (not yet serving) filesystem. */
                mnt = open(mountpoint, O_PATH | O_CLOEXEC);
                if (mnt < 0) {
                        r = -errno;
                        umount2(mountpoint, MNT_DETACH);
                        return r;
                }
        } else if (mnt < 0) {
                return mnt;
        }

        if (mo->auto_unmount) {
                r = mount_watch_start(mo, mnt);
                if (r < 0) {
                        fuse_log(FUSE_LOG_ERR, "fuse: cannot start the auto_unmount watcher: %s\n",
                                 strerror(-r));
                        umount2(mountpoint, MNT_DETACH);
                        return r;
                }
        }
        return MNT_TAKE_FD(fd);
}
