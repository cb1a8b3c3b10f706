/* Mounting and unmounting FUSE: mount options, the kernel mount, auto_unmount
 *
 * As root the library mounts itself: the new mount API (fsopen "fuse",
 * fsconfig, fsmount, move_mount onto a pinned fd of the mountpoint), or
 * mount(2) where the kernel lacks fsopen.  A caller that is not root mounts
 * through the fused service (client/); that branch sits in fuse_kern_mount()
 * too, so every mount goes through one place.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"
#include "fused-client.h"
#include "mount-util.h"
#include "mount.h"

/* ------------------------------------------------------------------------ */
/* Options */

enum mopt_kind {
        MOPT_BOOL,      /* sets a bool field */
        MOPT_UINT,      /* name=N into an unsigned field */
        MOPT_STR,       /* name=S into a char * field */
        MOPT_SET,       /* sets an MS_* flag */
        MOPT_CLEAR,     /* clears an MS_* flag */
        MOPT_ATIME,     /* one of the atime policies, or kernel default (0) */
        MOPT_NOP,       /* accepted for compatibility, does nothing */
        MOPT_MTAB,      /* for /etc/mtab, which nobody writes any more: dropped */
        MOPT_OURS,      /* set by the library from the mount itself */
};

struct mopt {
        const char *templ;
        enum mopt_kind kind;
        size_t arg;     /* field offset, or MS_* flag */
};

#define MO(f) offsetof(struct mount_opts, f)

static const struct mopt mopts[] = {
        { "allow_other",         MOPT_BOOL, MO(allow_other) },
        { "allow_root",          MOPT_BOOL, MO(allow_root) },
        { "default_permissions", MOPT_BOOL, MO(default_permissions) },
        { "blkdev",              MOPT_BOOL, MO(blkdev) },
        { "auto_unmount",        MOPT_BOOL, MO(auto_unmount) },
        { "blksize=",            MOPT_UINT, MO(blksize) },
        { "max_read=",           MOPT_UINT, MO(max_read) },
        { "fsname=",             MOPT_STR,  MO(fsname) },
        { "subtype=",            MOPT_STR,  MO(subtype) },
        { "context=",            MOPT_STR,  MO(context) },
        { "fscontext=",          MOPT_STR,  MO(fscontext) },
        { "defcontext=",         MOPT_STR,  MO(defcontext) },
        { "rootcontext=",        MOPT_STR,  MO(rootcontext) },
        { "-r",                  MOPT_SET,   MS_RDONLY },
        { "ro",                  MOPT_SET,   MS_RDONLY },
        { "rw",                  MOPT_CLEAR, MS_RDONLY },
        { "nosuid",              MOPT_SET,   MS_NOSUID },
        { "suid",                MOPT_CLEAR, MS_NOSUID },
        { "nodev",               MOPT_SET,   MS_NODEV },
        { "dev",                 MOPT_CLEAR, MS_NODEV },
        { "noexec",              MOPT_SET,   MS_NOEXEC },
        { "exec",                MOPT_CLEAR, MS_NOEXEC },
        { "sync",                MOPT_SET,   MS_SYNCHRONOUS },
        { "async",               MOPT_CLEAR, MS_SYNCHRONOUS },
        { "dirsync",             MOPT_SET,   MS_DIRSYNC },
        { "nodiratime",          MOPT_SET,   MS_NODIRATIME },
        { "diratime",            MOPT_CLEAR, MS_NODIRATIME },
        { "atime",               MOPT_ATIME, 0 },
        { "noatime",             MOPT_ATIME, MS_NOATIME },
        { "relatime",            MOPT_ATIME, MS_RELATIME },
        { "strictatime",         MOPT_ATIME, MS_STRICTATIME },
        { "nonempty",            MOPT_NOP,  0 },
        { "user=",               MOPT_MTAB, 0 },
        { "-n",                  MOPT_MTAB, 0 },
        { "rootmode=",           MOPT_OURS, 0 },
        { "user_id=",            MOPT_OURS, 0 },
        { "group_id=",           MOPT_OURS, 0 },
        { "fd=",                 MOPT_OURS, 0 },
};

#define N_MOPTS (sizeof(mopts) / sizeof(mopts[0]))

static int mopt_apply(struct mount_opts *mo, const struct mopt *m, const char *arg)
{
        const char *val = strchr(arg, '=');
        void *field = (char *)mo + m->arg;

        val = val ? val + 1 : "";
        switch (m->kind) {
        case MOPT_BOOL:
                *(bool *)field = true;
                return 0;
        case MOPT_UINT: {
                char *end;
                errno = 0;
                unsigned long v = strtoul(val, &end, 10);
                if (!*val || *end || errno || v > 0xffffffffUL || val[0] == '-') {
                        fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option `%s'\n", arg);
                        return -EINVAL;
                }
                *(unsigned *)field = (unsigned)v;
                return 0;
        }
        case MOPT_STR: {
                char *s = strdup(val);
                if (!s)
                        return -ENOMEM;
                free(*(char **)field);
                *(char **)field = s;
                return 0;
        }
        case MOPT_SET:
                mo->flags |= m->arg;
                return 0;
        case MOPT_CLEAR:
                mo->flags &= ~m->arg;
                return 0;
        case MOPT_ATIME:
                mo->flags &= ~(unsigned long)(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
                mo->flags |= m->arg;
                return 0;
        case MOPT_NOP:
        case MOPT_MTAB:
                return 0;
        case MOPT_OURS:
                fuse_log(FUSE_LOG_ERR,
                         "fuse: option `%s' is set by the library, it cannot be given\n", arg);
                return -EINVAL;
        }
        return -EINVAL;
}

static int mopt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
        struct mount_opts *mo = data;

        if (key < 0 || (size_t)key >= N_MOPTS)
                return 1;       /* not a mount option: leave it in args */

        const struct mopt *m = &mopts[key];
        if (mopt_apply(mo, m, arg) < 0)
                return -1;
        if (m->kind == MOPT_MTAB)
                return 0;
        /* "-r" is the short form; fused gets the option spelled out. */
        if (mnt_opts_append(&mo->user_opts, strcmp(arg, "-r") == 0 ? "ro" : arg, true) < 0)
                return -1;
        return 0;
}

void fuse_mount_opts_free(struct mount_opts *mo)
{
        if (!mo)
                return;
        free(mo->user_opts);
        free(mo->fsname);
        free(mo->subtype);
        free(mo->context);
        free(mo->fscontext);
        free(mo->defcontext);
        free(mo->rootcontext);
        free(mo);
}

static void mount_opts_freep(struct mount_opts **mo)
{
        fuse_mount_opts_free(*mo);
}

int fuse_mount_opts_parse(struct fuse_args *args, struct mount_opts **ret)
{
        __attribute__((cleanup(mount_opts_freep))) struct mount_opts *mo = calloc(1, sizeof(*mo));
        struct fuse_opt table[N_MOPTS + 1];

        if (!mo)
                return -ENOMEM;
        mo->flags = MS_NOSUID | MS_NODEV;
        mo->watcher_fd = -1;

        memset(table, 0, sizeof(table));
        for (size_t i = 0; i < N_MOPTS; i++)
                table[i] = (struct fuse_opt)FUSE_OPT_KEY(mopts[i].templ, (int)i);

        if (args && fuse_opt_parse(args, mo, table, mopt_proc) == -1)
                return -EINVAL;

        if (mo->allow_other && mo->allow_root) {
                fuse_log(FUSE_LOG_ERR, "fuse: allow_other and allow_root are mutually exclusive\n");
                return -EINVAL;
        }
        if (mo->subtype && !mnt_subtype_valid(mo->subtype)) {
                fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option `subtype=%s'\n",
                         mo->subtype);
                return -EINVAL;
        }
        if (mo->fsname) {
                char *s;
                int r = mnt_fsname_sanitize(mo->fsname, &s);
                if (r == -EINVAL)
                        fuse_log(FUSE_LOG_ERR, "fuse: empty fsname\n");
                if (r < 0)
                        return r;
                free(mo->fsname);
                mo->fsname = s;
        }
        if (mo->blkdev && !mo->fsname) {
                fuse_log(FUSE_LOG_ERR, "fuse: blkdev needs fsname=BLOCKDEVICE\n");
                return -EINVAL;
        }
        *ret = MNT_TAKE_PTR(mo);
        return 0;
}

void fuse_mount_opts_help(void)
{
        printf(
"    -o allow_other         allow access by all users\n"
"    -o allow_root          allow access by root and the mounting user\n"
"    -o default_permissions let the kernel check permissions from st_mode\n"
"    -o auto_unmount        unmount when the filesystem process dies\n"
"    -o fsname=NAME         the source shown in the mount table\n"
"    -o subtype=NAME        the filesystem type is shown as fuse.NAME\n"
"    -o blkdev              mount a block device filesystem (fuseblk; root only)\n"
"    -o blksize=N           block size of a fuseblk filesystem\n"
"    -o max_read=N          largest read request the kernel sends\n"
"    -o ro|rw, nosuid|suid, nodev|dev, noexec|exec, sync|async, dirsync,\n"
"       atime|noatime|relatime|strictatime, nodiratime|diratime\n"
"                           the generic mount flags (default nosuid,nodev)\n"
"    -o context=, fscontext=, defcontext=, rootcontext=\n"
"                           security contexts for an LSM such as SELinux\n");
}

/* ------------------------------------------------------------------------ */
/* Mounting as root */

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

/* ------------------------------------------------------------------------ */
/* auto_unmount */

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

/* Starts the auto_unmount watcher for the mount the file @mnt is on. */
static int watcher_start(struct mount_opts *mo, int mnt)
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

void fuse_kern_mount_release(struct mount_opts *mo)
{
        if (mo && mo->client) {
                /* Closes the bus connection (in a forked child: its copy). */
                fused_mount_free(mo->client);
                mo->client = NULL;
        }
        if (!mo || mo->watcher_fd < 0)
                return;
        close(mo->watcher_fd);
        mo->watcher_fd = -1;
        /* After fuse_daemonize() it is the child of the parent that left. */
        if (mo->watcher_parent == getpid())
                while (waitpid(mo->watcher_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        mo->watcher_pid = 0;
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
        struct stat st;
        int r;

        if (geteuid() != 0)
                return mount_unprivileged(mountpoint, mo);

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
                r = watcher_start(mo, mnt);
                if (r < 0) {
                        fuse_log(FUSE_LOG_ERR, "fuse: cannot start the auto_unmount watcher: %s\n",
                                 strerror(-r));
                        umount2(mountpoint, MNT_DETACH);
                        return r;
                }
        }
        return MNT_TAKE_FD(fd);
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
