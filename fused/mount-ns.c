/* The privileged steps, each run in a forked worker: enter the caller's
 * mount namespace and root, resolve and check the mountpoint as the caller,
 * make the mount on the pinned fd, take a mount down.  Nothing here trusts
 * a path twice: a path is opened once (O_PATH|O_NOFOLLOW) and the fd is what
 * every later step uses. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fused.h"
#include "kernel-abi.h"


/* Into the caller's mount namespace (by its pidfd, or a namespace fd kept
 * for auto-unmount), then its root directory, if asked. */
static int enter_ns(const NsTarget *t, bool chroot_to_caller) {
        _cleanup_close_ int root = -1;

        if (chroot_to_caller && t->root_fd < 0 && t->pidfd >= 0) {
                char p[32];
                snprintf(p, sizeof p, "%d/root", (int) t->pid);
                root = openat(t->proc_fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return -errno;
                /* /proc/PID was the caller's only if the pinned process is
                 * still alive now. */
                int r = pidfd_alive(t->pidfd);
                if (r <= 0)
                        return r < 0 ? r : -ESRCH;
        }
        if (setns(t->ns_fd >= 0 ? t->ns_fd : t->pidfd, CLONE_NEWNS) < 0)
                return -errno;
        if (chroot_to_caller) {
                int fd = root >= 0 ? root : t->root_fd;
                if (fd >= 0 && (fchdir(fd) < 0 || chroot(".") < 0))
                        return -errno;
        }
        if (chdir("/") < 0)
                return -errno;
        return 0;
}

/* Which mount namespace we are in now, to record with the mount. */
static void ns_ids(const NsTarget *t, WorkerReply *reply) {
        _cleanup_close_ int fd = openat(t->proc_fd, "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return;
        if (fstat(fd, &st) == 0) {
                reply->ns_dev = st.st_dev;
                reply->ns_ino = st.st_ino;
        }
        uint64_t id = 0;
        if (ioctl(fd, NS_GET_MNTNS_ID_, &id) == 0)
                reply->ns_id = id;
}

/* The caller's uid, gids and groups, real and effective (and so fs): its
 * rights and no effective capabilities.  The saved ids stay 0 so that the
 * worker can act as root again (phase two, and its next job): the permitted
 * capabilities are kept but not effective, and a process whose saved uid
 * differs from the caller's cannot be ptraced by it. */
static int become_caller(const NsTarget *t) {
        if (t->uid == 0)
                return 0;
        if (setgroups(t->n_gids, t->gids) < 0 || setresgid(t->gid, t->gid, 0) < 0 ||
            setresuid(t->uid, t->uid, 0) < 0)
                return -errno;
        return worker_keep_parent();
}

/* Phase two: root again, after become_caller(). */
static int become_root(void) {
        if (setresuid(0, 0, 0) < 0 || setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
                return -errno;
        return worker_keep_parent();
}

int ns_target_set_groups(NsTarget *t, const gid_t *gids, size_t n) {
        if (n > ELEMENTSOF(t->gids))
                return -E2BIG;
        memcpy(t->gids, gids, n * sizeof(gid_t));
        t->n_gids = n;
        return 0;
}

int ns_set_path(char dst[PATH_MAX], const char *src) {
        size_t n = strlen(src);
        if (n >= PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(dst, src, n + 1);
        return 0;
}

int mount_args_set_options(MountArgs *a, const MountOptions *o) {
        const char *source = options_source(o);
        const char *subtype = o->subtype ? o->subtype : "";

        if (strlen(source) >= sizeof a->source || strlen(subtype) >= sizeof a->subtype)
                return -ENAMETOOLONG;
        strcpy(a->source, source);
        strcpy(a->subtype, subtype);
        a->o = *o;
        a->o.fsname = a->o.subtype = a->o.normalized = NULL;
        return 0;
}

int ns_resolve(void *userdata, WorkerReply *reply, int *ret_fd) {
        const ResolveArgs *a = userdata;
        struct stat st;
        CheckError why;
        int r;

        r = enter_ns(&a->t, true);
        if (r < 0)
                return r;
        ns_ids(&a->t, reply);
        /* Everything from here on as the caller: path lookup with its search
         * rights, its write right on the mountpoint with its groups and ACLs. */
        r = become_caller(&a->t);
        if (r < 0)
                return r;

        _cleanup_close_ int fd = open(a->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        bool is_root = false;
        r = fd_mount_id(fd, &reply->mnt_id, &reply->mnt_id_unique, &is_root);
        if (r < 0)
                return r;
        /* What the path really names, seen from the caller's root: polkit
         * rules and the records get this, not a string with "..", "//" or
         * symlinks in it that a rule on "/srv/" would not recognize. */
        char link[64];
        snprintf(link, sizeof link, "thread-self/fd/%d", fd);
        ssize_t n = readlinkat(a->t.proc_fd, link, reply->path, sizeof reply->path - 1);
        if (n <= 0 || reply->path[0] != '/')
                return -EXDEV;
        reply->path[n] = 0;

        if (a->for_unmount) {
                /* No stat(): the mount's server may be dead, hung, or not let
                 * anyone but its owner in; the VFS alone answers these. */
                _cleanup_free_ char *mi = NULL, *fstype = NULL;

                if (fd_is_symlink(fd) || !is_root)
                        return -EINVAL;
                r = mount_fs_info(reply->mnt_id_unique, reply->fstype, sizeof reply->fstype, &reply->user_id);
                if (r >= 0)
                        return check_is_fuse_fstype(reply->fstype) ? 0 : -EMEDIUMTYPE;
                if (r != -EOPNOTSUPP)
                        return r == -ENOENT ? -EINVAL : r;
                _cleanup_close_ int mfd = openat(a->t.proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
                if (mfd < 0)
                        return -errno;
                r = read_full_fd(mfd, &mi, 64 * 1024 * 1024);
                if (r < 0)
                        return r;
                r = mountinfo_find(mi, reply->mnt_id, &fstype, NULL, &reply->user_id);
                if (r < 0)
                        return r == -ENOENT ? -EINVAL : r;
                snprintf(reply->fstype, sizeof reply->fstype, "%s", fstype);
                if (!check_is_fuse_fstype(fstype))
                        return -EMEDIUMTYPE;
                return 0;       /* no fd back: it would keep the mount busy */
        }

        if (fstat(fd, &st) < 0)
                return -errno;
        reply->mode = st.st_mode;
        reply->owner = st.st_uid;
        reply->dev = st.st_dev;
        reply->ino = st.st_ino;

        if (a->given_fd >= 0) {
                struct stat gst;
                uint64_t gid, guniq;
                if (fstat(a->given_fd, &gst) < 0)
                        return -errno;
                if (fd_mount_id(a->given_fd, &gid, &guniq, NULL) < 0 || gst.st_dev != st.st_dev ||
                    gst.st_ino != st.st_ino || gid != reply->mnt_id) {
                        reply->check = CHECK_FD_MISMATCH;
                        return -EXDEV;
                }
        }

        r = check_mountpoint_mode(st.st_mode, st.st_uid, a->t.uid, &why);
        if (r < 0) {
                reply->check = (int) why;
                return r;
        }
        if (a->t.uid != 0) {
                struct statfs sf;
                if (fstatfs(fd, &sf) < 0)
                        return -errno;
                reply->f_type = (long) sf.f_type;
                if (!check_fstype_allowed((long) sf.f_type)) {
                        reply->check = CHECK_FSTYPE;
                        return -EPERM;
                }
                if (faccessat(fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
                        reply->check = CHECK_NO_WRITE;
                        return -EACCES;
                }
        }
        *ret_fd = take_fd(&fd);
        return 0;
}

static int set_string(int fsfd, const char *key, const char *value) {
        return fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) < 0 ? -errno : 0;
}

static int set_flag(int fsfd, const char *key) {
        return fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0) < 0 ? -errno : 0;
}

/* The kernel explains a refused fsconfig() in the fs context's log. */
static void kernel_message(int fsfd, WorkerReply *reply) {
        char buf[sizeof reply->message];
        ssize_t n = read(fsfd, buf, sizeof buf - 1);

        if (n > 0) {
                buf[n] = 0;
                buf[strcspn(buf, "\n")] = 0;
                snprintf(reply->message, sizeof reply->message, "%s", buf);
        }
}

/* In the caller's namespace, as root: make the mount on a->target_fd with
 * fuse_fd (consumed) and return fuse_fd. */
static int mount_here(const MountArgs *a, int fuse_fd_in, WorkerReply *reply, int *ret_fd) {
        const MountOptions *o = &a->o;
        _cleanup_close_ int fuse_fd = fuse_fd_in;
        char num[32];
        int r;

        if (a->ns_id || a->ns_ino) {
                reply->ns_id = a->ns_id;
                reply->ns_dev = a->ns_dev;
                reply->ns_ino = a->ns_ino;
        } else
                ns_ids(&a->t, reply);

        _cleanup_close_ int fsfd = fsopen(o->blkdev ? "fuseblk" : "fuse", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;
        r = set_string(fsfd, "source", a->source);
        if (r >= 0 && a->subtype[0])
                r = set_string(fsfd, "subtype", a->subtype);
        if (r >= 0) {
                snprintf(num, sizeof num, "%d", fuse_fd);
                r = set_string(fsfd, "fd", num);
        }
        if (r >= 0) {
                snprintf(num, sizeof num, "%o", (unsigned) (a->rootmode & S_IFMT));
                r = set_string(fsfd, "rootmode", num);
        }
        if (r >= 0) {
                snprintf(num, sizeof num, "%u", (unsigned) a->user_id);
                r = set_string(fsfd, "user_id", num);
        }
        if (r >= 0) {
                snprintf(num, sizeof num, "%u", (unsigned) a->group_id);
                r = set_string(fsfd, "group_id", num);
        }
        /* The kernel has no allow_root: the library enforces it over allow_other. */
        if (r >= 0 && (o->allow_other || o->allow_root))
                r = set_flag(fsfd, "allow_other");
        if (r >= 0 && o->default_permissions)
                r = set_flag(fsfd, "default_permissions");
        if (r >= 0 && o->max_read) {
                snprintf(num, sizeof num, "%u", o->max_read);
                r = set_string(fsfd, "max_read", num);
        }
        if (r >= 0 && o->blkdev && o->blksize) {
                snprintf(num, sizeof num, "%u", o->blksize);
                r = set_string(fsfd, "blksize", num);
        }
        if (r >= 0 && o->ro)
                r = set_flag(fsfd, "ro");
        if (r >= 0 && o->sync)
                r = set_flag(fsfd, "sync");
        if (r >= 0 && o->dirsync)
                r = set_flag(fsfd, "dirsync");
        if (r >= 0 && o->lazytime)
                r = set_flag(fsfd, "lazytime");
        if (r >= 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = -errno;
        if (r < 0) {
                kernel_message(fsfd, reply);
                return r;
        }

        unsigned attr = o->atime;
        if (!(o->suid && a->allow_unsafe))
                attr |= MOUNT_ATTR_NOSUID;
        if (!(o->dev && a->allow_unsafe))
                attr |= MOUNT_ATTR_NODEV;
        if (o->noexec)
                attr |= MOUNT_ATTR_NOEXEC;
        if (o->ro)
                attr |= MOUNT_ATTR_RDONLY;
        if (o->nodiratime)
                attr |= MOUNT_ATTR_NODIRATIME;
        _cleanup_close_ int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attr);
        if (mntfd < 0) {
                r = -errno;
                kernel_message(fsfd, reply);
                return r;
        }
        if (move_mount(mntfd, "", a->target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        r = fd_mount_id(mntfd, &reply->mnt_id, &reply->mnt_id_unique, NULL);
        if (r < 0)
                reply->mnt_id = reply->mnt_id_unique = 0;
        *ret_fd = take_fd(&fuse_fd);
        return 0;
}

/* /dev/fuse of fused's own namespace: the caller's namespace could have
 * anything mounted over its /dev/fuse. */
static int open_fuse(void) {
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

int ns_mount(void *userdata, WorkerReply *reply, int *ret_fd) {
        const MountArgs *a = userdata;
        int fuse_fd = open_fuse();
        int r;

        if (fuse_fd < 0)
                return fuse_fd;
        r = enter_ns(&a->t, false);
        if (r < 0) {
                close(fuse_fd);
                return r;
        }
        return mount_here(a, fuse_fd, reply, ret_fd);
}

int ns_mount_check(void *userdata, WorkerReply *reply, int *ret_fd) {
        MountPlan *p = userdata;        /* the child's own copy */
        int r;

        p->fuse_fd = open_fuse();
        if (p->fuse_fd < 0)
                return p->fuse_fd;
        r = ns_resolve(&p->r, reply, ret_fd);
        p->m.rootmode = reply->mode;
        /* Phase two mounts in this same namespace. */
        p->m.ns_id = reply->ns_id;
        p->m.ns_dev = reply->ns_dev;
        p->m.ns_ino = reply->ns_ino;
        return r;
}

int ns_mount_act(void *userdata, const WorkerGo *go, int kept_fd, WorkerReply *reply, int *ret_fd) {
        MountPlan *p = userdata;
        int r = become_root();

        if (r < 0)
                return r;
        /* Still in the caller's namespace and root; the mountpoint is the
         * fd phase one pinned and checked. */
        p->m.target_fd = kept_fd;
        p->m.allow_unsafe = go->allow_unsafe;
        r = mount_here(&p->m, p->fuse_fd, reply, ret_fd);
        p->fuse_fd = -1;
        return r;
}

/* Unmount the mount at path if it is still the one that was checked.  The
 * parent directory is pinned (fchdir) and the last component looked up
 * without following symlinks, as fusermount3 does: no fd of ours may hold
 * the mount (it would be busy), and nothing the caller can do between the
 * check and umount2() changes which mount "base" names in a pinned
 * directory, short of unmounting it. */
static int umount_here(const UmountArgs *a);

int ns_umount(void *userdata, WorkerReply *reply, int *ret_fd) {
        const UmountArgs *a = userdata;
        int r = enter_ns(&a->t, true);

        if (r < 0)
                return r;
        return umount_here(a);
}

int ns_umount_check(void *userdata, WorkerReply *reply, int *ret_fd) {
        UmountPlan *p = userdata;       /* the child's own copy */

        int r = ns_resolve(&p->r, reply, ret_fd);
        if (r < 0)
                return r;
        /* Phase two unmounts what this phase found, by its canonical path
         * and ids, exactly as a separate unmount worker would be told. */
        memcpy(p->u.path, reply->path, sizeof p->u.path);
        p->u.expect_id = reply->mnt_id;
        p->u.expect_unique = reply->mnt_id_unique;

        /* root, or the mount's user_id (the owner fused records for every
         * mount it makes): fused has nothing to decide, so unmount now and
         * save a round trip. */
        if (p->r.t.uid == 0 || (reply->user_id >= 0 && (uid_t) reply->user_id == p->r.t.uid)) {
                reply->acted = true;
                return ns_umount_act(p, &(WorkerGo) { .go = true }, -1, reply, ret_fd);
        }
        return r;
}

int ns_umount_act(void *userdata, const WorkerGo *go, int kept_fd, WorkerReply *reply, int *ret_fd) {
        UmountPlan *p = userdata;
        int r = become_root();

        if (r < 0)
                return r;
        /* Back at the caller's root (phase one chrooted there). */
        if (chdir("/") < 0)
                return -errno;
        return umount_here(&p->u);
}

/* In the caller's namespace and root, as root. */
static int umount_here(const UmountArgs *a) {
        _cleanup_free_ char *dir = NULL;
        uint64_t id, uniq;
        bool is_root;
        int r;

        const char *slash = strrchr(a->path, '/');
        const char *base = slash ? slash + 1 : a->path;
        if (!slash || !*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return -EINVAL;
        dir = strndup(a->path, (size_t) (slash - a->path) + 1);
        if (!dir)
                return -ENOMEM;
        /* Look up as the caller: its search rights, its groups. */
        if (a->t.uid != 0) {
                if (setgroups(a->t.n_gids, a->t.gids) < 0)
                        return -errno;
                (void) setfsgid(a->t.gid);
                (void) setfsuid(a->t.uid);
                if ((uid_t) setfsuid((uid_t) -1) != a->t.uid)
                        return -EPERM;
                r = worker_keep_parent();
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        if (fchdir(dfd) < 0)
                return -errno;
        int fd = openat(AT_FDCWD, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fd_mount_id(fd, &id, &uniq, &is_root);
        bool link = fd_is_symlink(fd);
        close(fd);
        if (r < 0)
                return r;
        if (link || !is_root || id != a->expect_id || (a->expect_unique && uniq && uniq != a->expect_unique))
                return -ESTALE;
        if (umount2(base, UMOUNT_NOFOLLOW | (a->lazy ? MNT_DETACH : 0)) < 0)
                return -errno;
        return 0;
}
