// SPDX-License-Identifier: GPL-2.0-or-later
/* The privileged steps, each run in a forked worker: enter the caller's
 * mount namespace and root, resolve and check the mountpoint as the caller,
 * make the mount on the pinned fd, take a mount down.  Nothing here trusts
 * a path twice: a path is opened once (O_PATH|O_NOFOLLOW) and the fd is what
 * every later step uses.  Nothing here trusts the caller's view either: its
 * pid may have been reused, its root may be a chroot, its mount namespace
 * may be owned by a user namespace of its own (doc/security.md). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fused.h"
#include "kernel-abi.h"

#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(0xb7, 0x1)
#endif

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

/* Root again, after become_caller(). */
static int become_root(void) {
        if (setresuid(0, 0, 0) < 0 || setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
                return -errno;
        return worker_keep_parent();
}

/* The caller's mount namespace and root, opened with the caller's own
 * credentials.  The pid the bus gave is only a claim: the process that
 * connected may have exited and its pid gone to another process, root's
 * or another user's, in a namespace of its own.  /proc opens a process's
 * ns/mnt and root only for whoever may ptrace it, so with the caller's
 * rights these opens succeed only for a process the caller could take
 * over anyway, and what they return is pinned from then on.  The socket
 * made meanwhile carries the caller's ids, for mapping them into a user
 * namespace later (SO_PEERCRED translates them for the reader). */
static int open_caller_view(NsTarget *t, WorkerReply *reply) {
        char p[32];
        int sv[2] = { -1, -1 };
        int r, e = 0;

        r = become_caller(t);
        if (r < 0)
                return r;
        snprintf(p, sizeof p, "%d/ns/mnt", (int) t->pid);
        t->view_ns = openat(t->proc_fd, p, O_RDONLY | O_CLOEXEC);
        if (t->view_ns < 0)
                e = errno;
        snprintf(p, sizeof p, "%d/root", (int) t->pid);
        if (!e) {
                t->view_root = openat(t->proc_fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (t->view_root < 0)
                        e = errno;
        }
        if (!e && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                e = errno;
        if (sv[1] >= 0)
                close(sv[1]);
        t->ids_sock = sv[0];
        r = become_root();
        if (r < 0)
                return r;
        /* Still running: /proc/PID was the pinned process when opened. */
        r = pidfd_alive(t->pidfd);
        if (r <= 0)
                return r < 0 ? r : -ESRCH;
        if (e == EACCES || e == EPERM) {
                reply->view_denied = true;
                return -EPERM;
        }
        return -e;
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

/* The user namespace that owns mount namespace ns, if it is not ours: a
 * process with CAP_SYS_ADMIN there (the caller, if it made it) may change
 * the flags of every mount in ns, nosuid and nodev included. */
static int ns_owner(const NsTarget *t, int ns, int *ret_userns) {
        struct stat own, st;
        _cleanup_close_ int self = openat(t->proc_fd, "thread-self/ns/user", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        _cleanup_close_ int owner = ioctl(ns, NS_GET_USERNS);
        if (owner < 0)
                return -errno;
        if (fstat(self, &own) < 0 || fstat(owner, &st) < 0)
                return -errno;
        *ret_userns = own.st_dev == st.st_dev && own.st_ino == st.st_ino ? -1 : take_fd(&owner);
        return 0;
}

/* Into the namespace: the caller's (opened as the caller), or one fused
 * holds for a mount it made.  Keeps the namespace's root, from which every
 * path fused shows is named, then goes to the caller's root if asked (path
 * lookups as the caller start there). */
static int enter_view(NsTarget *t, bool to_caller_root, WorkerReply *reply) {
        struct stat st;
        int r;

        t->view_ns = t->view_root = t->ns_root = t->userns = t->ids_sock = -1;
        if (t->ns_fd < 0) {
                r = open_caller_view(t, reply);
                if (r < 0)
                        return r;
        }
        int ns = t->ns_fd >= 0 ? t->ns_fd : t->view_ns;
        if (t->expect_ns_ino &&
            (fstat(ns, &st) < 0 || st.st_dev != t->expect_ns_dev || st.st_ino != t->expect_ns_ino))
                return -ESTALE;
        r = ns_owner(t, ns, &t->userns);
        if (r < 0)
                return r;
        reply->ns_foreign = t->userns >= 0;
        if (setns(ns, CLONE_NEWNS) < 0)
                return -errno;
        /* setns() put us at the namespace's root. */
        t->ns_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (t->ns_root < 0)
                return -errno;
        ns_ids(t, reply);
        if (ns_root_mount_id(&reply->ns_root_id) < 0)
                reply->ns_root_id = 0;
        if (t->count_mounts) {
                r = count_here_fuse_mounts(t->proc_fd, reply->ns_id, reply->ns_foreign, &reply->ns_fuse_count);
                if (r < 0)
                        return r;
                reply->counted = true;
        }
        if (to_caller_root && t->view_root >= 0 && (fchdir(t->view_root) < 0 || chroot(".") < 0))
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}

/* The path of fd from the namespace's root, as root (chroot needs it): what
 * polkit rules, the journal, the records and ListMounts get.  A caller in a
 * chroot names "/pub" what is "/srv/pub" to everyone else, and a rule on
 * "/srv/" must see the latter; nor may "..", "//" or symlinks in the string
 * hide it.  The worker stays at the namespace's root after this. */
static int path_from_ns_root(const NsTarget *t, int fd, WorkerReply *reply) {
        char link[64];
        int r = become_root();

        if (r < 0)
                return r;
        if (fchdir(t->ns_root) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return -errno;
        snprintf(link, sizeof link, "thread-self/fd/%d", fd);
        ssize_t n = readlinkat(t->proc_fd, link, reply->path, sizeof reply->path - 1);
        if (n <= 0 || reply->path[0] != '/')
                return -EXDEV;
        reply->path[n] = 0;
        return 0;
}

void ns_target_init(NsTarget *t, int pidfd, pid_t pid, int ns_fd, int proc_fd, uid_t uid, gid_t gid) {
        *t = (NsTarget) {
                .pidfd = pidfd, .pid = pid, .ns_fd = ns_fd, .proc_fd = proc_fd, .uid = uid, .gid = gid,
                .view_ns = -1, .view_root = -1, .ns_root = -1, .userns = -1, .ids_sock = -1,
        };
}

int ns_target_set_groups(NsTarget *t, const gid_t *gids, size_t n) {
        if (n > ELEMENTSOF(t->gids))
                return -E2BIG;
        if (n > 0)
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

/* Unmount's lookup, as the caller from its root: the parent directory is
 * pinned and the last component looked up in it without following a
 * symlink, as fusermount3 does.  No stat(): the mount's server may be
 * dead, hung, or not let anyone but its owner in; the VFS alone answers.
 * No fd of the mount itself is kept: it would make the mount busy. */
static int resolve_unmount(ResolveArgs *a, WorkerReply *reply) {
        _cleanup_free_ char *dir = NULL;
        bool is_root = false;
        int r;

        const char *slash = strrchr(a->path, '/');
        const char *base = slash ? slash + 1 : a->path;
        if (!slash || !*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strlen(base) > NAME_MAX)
                return -EINVAL;
        dir = strndup(a->path, (size_t) (slash - a->path) + 1);
        if (!dir)
                return -ENOMEM;
        a->parent_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->parent_fd < 0)
                return -errno;
        strcpy(a->base, base);
        _cleanup_close_ int fd = openat(a->parent_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fd_mount_id(fd, &reply->mnt_id, &reply->mnt_id_unique, &is_root);
        if (r < 0)
                return r;
        if (fd_is_symlink(fd) || !is_root)
                return -EINVAL;

        r = mount_fs_info(reply->mnt_id_unique, reply->fstype, sizeof reply->fstype, &reply->user_id);
        if (r == -EOPNOTSUPP) {
                _cleanup_free_ char *mi = NULL, *fstype = NULL;
                _cleanup_close_ int mfd = openat(a->t.proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
                if (mfd < 0)
                        return -errno;
                r = read_full_fd(mfd, &mi, 64 * 1024 * 1024);
                if (r >= 0)
                        r = mountinfo_find(mi, reply->mnt_id, &fstype, NULL, &reply->user_id);
                if (r >= 0)
                        snprintf(reply->fstype, sizeof reply->fstype, "%s", fstype);
        }
        if (r < 0)
                return r == -ENOENT ? -EINVAL : r;
        r = path_from_ns_root(&a->t, fd, reply);
        if (r < 0)
                return r;
        return check_is_fuse_fstype(reply->fstype) ? 0 : -EMEDIUMTYPE;
}

int ns_resolve(void *userdata, WorkerReply *reply, int *ret_fd) {
        ResolveArgs *a = userdata;
        struct stat st;
        CheckError why;
        int r;

        a->parent_fd = -1;
        r = enter_view(&a->t, true, reply);
        if (r < 0)
                return r;
        /* Everything from here on as the caller: path lookup with its search
         * rights, its write right on the mountpoint with its groups and ACLs. */
        r = become_caller(&a->t);
        if (r < 0)
                return r;
        if (a->for_unmount)
                return resolve_unmount(a, reply);

        _cleanup_close_ int fd = open(a->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fd_mount_id(fd, &reply->mnt_id, &reply->mnt_id_unique, NULL);
        if (r < 0)
                return r;
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
        r = path_from_ns_root(&a->t, fd, reply);
        if (r < 0)
                return r;
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

static int read_overflow_id(int proc_fd, const char *name, unsigned *ret) {
        char buf[32];
        _cleanup_close_ int fd = openat(proc_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        buf[n] = 0;
        *ret = (unsigned) strtoul(buf, NULL, 10);
        return 0;
}

/* A mount namespace owned by a user namespace other than ours: its owner
 * may remount anything in it, so nosuid and nodev on the mount would hold
 * only until the caller lifts them.  The superblock is made in that user
 * namespace instead, as if the caller had mounted FUSE there itself: the
 * kernel then never honours a device node on it (SB_I_NODEV) and honours
 * setuid bits only for processes inside that user namespace, whatever the
 * mount's flags.  The kernel accepts /dev/fuse for such a superblock only if
 * it was opened from inside that namespace, and reads user_id and group_id
 * in its terms.  There is no way back out of a user namespace: this worker
 * ends with the job. */
static int enter_userns(const MountArgs *a, const NsTarget *v, int *fuse_fd, uid_t *ret_uid, gid_t *ret_gid,
                        WorkerReply *reply) {
        struct ucred uc;
        socklen_t len = sizeof uc;
        unsigned ouid = 65534, ogid = 65534;
        char p[32];

        reply->worker_exits = true;
        if (v->ids_sock < 0)
                return -EBADF;
        (void) read_overflow_id(a->t.proc_fd, "sys/kernel/overflowuid", &ouid);
        (void) read_overflow_id(a->t.proc_fd, "sys/kernel/overflowgid", &ogid);
        if (setns(v->userns, CLONE_NEWUSER) < 0)
                return -errno;
        if (getsockopt(v->ids_sock, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
                return -errno;
        /* The kernel's word for "no mapping here". */
        if ((unsigned) uc.uid == ouid || (unsigned) uc.gid == ogid) {
                snprintf(reply->message, sizeof reply->message,
                         "the caller's uid or gid has no mapping in the user namespace that owns its mount namespace");
                return -EOVERFLOW;
        }
        snprintf(p, sizeof p, "self/fd/%d", *fuse_fd);
        int fd = openat(a->t.proc_fd, p, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        close(*fuse_fd);
        *fuse_fd = fd;
        *ret_uid = (uid_t) uc.uid;
        *ret_gid = (gid_t) uc.gid;
        return 0;
}

/* In the caller's namespace, as root: make the mount on a->target_fd with
 * fuse_fd (consumed) and return fuse_fd.  v is the namespace entered. */
static int mount_here(const MountArgs *a, const NsTarget *v, int fuse_fd_in, WorkerReply *reply, int *ret_fd) {
        const MountOptions *o = &a->o;
        _cleanup_close_ int fuse_fd = fuse_fd_in;
        uid_t user_id = a->user_id;
        gid_t group_id = a->group_id;
        char num[32];
        int r;

        if (a->ns_id || a->ns_ino) {
                reply->ns_id = a->ns_id;
                reply->ns_dev = a->ns_dev;
                reply->ns_ino = a->ns_ino;
        } else
                ns_ids(&a->t, reply);
        reply->ns_foreign = v->userns >= 0;
        if (v->userns >= 0 && a->t.uid != 0) {
                if (o->blkdev)
                        return -EPERM;
                r = enter_userns(a, v, &fuse_fd, &user_id, &group_id, reply);
                if (r < 0)
                        return r;
        }

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
                snprintf(num, sizeof num, "%u", (unsigned) user_id);
                r = set_string(fsfd, "user_id", num);
        }
        if (r >= 0) {
                snprintf(num, sizeof num, "%u", (unsigned) group_id);
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

/* A mount on its own (the check worker was gone): the namespace is entered
 * again through the caller's own rights and must be the one checked. */
int ns_mount(void *userdata, WorkerReply *reply, int *ret_fd) {
        MountArgs *a = userdata;
        int fuse_fd = open_fuse();
        int r;

        if (fuse_fd < 0)
                return fuse_fd;
        r = enter_view(&a->t, false, reply);
        if (r < 0) {
                close(fuse_fd);
                return r;
        }
        return mount_here(a, &a->t, fuse_fd, reply, ret_fd);
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
        /* Still in the caller's namespace; the mountpoint is the fd phase
         * one pinned and checked. */
        p->m.target_fd = kept_fd;
        p->m.allow_unsafe = go->allow_unsafe;
        r = mount_here(&p->m, &p->r.t, p->fuse_fd, reply, ret_fd);
        p->fuse_fd = -1;
        return r;
}

/* As root: take down the mount that is "base" in the pinned directory if it
 * is still the one that was checked.  Nothing the caller can do between the
 * check and umount2() changes which mount that name in that directory is,
 * short of unmounting it. */
static int umount_at(int parent_fd, const char *base, uint64_t expect_id, uint64_t expect_unique, bool lazy) {
        uint64_t id, uniq;
        bool is_root;
        int r;

        if (fchdir(parent_fd) < 0)
                return -errno;
        int fd = openat(AT_FDCWD, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fd_mount_id(fd, &id, &uniq, &is_root);
        bool link = fd_is_symlink(fd);
        close(fd);
        if (r < 0)
                return r;
        if (link || !is_root || id != expect_id || (expect_unique && uniq && uniq != expect_unique))
                return -ESTALE;
        if (umount2(base, UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0)) < 0)
                return -errno;
        return 0;
}

/* An unmount on its own: the check worker was gone, or auto-unmount, which
 * unmounts in a namespace fused holds by the path from its root. */
int ns_umount(void *userdata, WorkerReply *reply, int *ret_fd) {
        const UmountArgs *a = userdata;
        static ResolveArgs r;   /* too big for comfort on the stack */
        int k;

        r = (ResolveArgs) { .t = a->t, .given_fd = -1, .for_unmount = true };
        memcpy(r.path, a->path, sizeof r.path);
        k = ns_resolve(&r, reply, ret_fd);
        if (k < 0)
                return k;
        uint64_t id = a->expect_id, unique = a->expect_unique;
        if (!id && !unique) {
                /* A mount fused made but never learnt the ids of (its
                 * record was pending): the FUSE mount at the path, if it is
                 * the owner's.  In a user namespace user_id is in its terms:
                 * there the path and the namespace are what is known. */
                if (!reply->ns_foreign && (reply->user_id < 0 || (uid_t) reply->user_id != a->owner))
                        return -ESTALE;
                id = reply->mnt_id;
                unique = reply->mnt_id_unique;
        }
        k = become_root();
        if (k < 0)
                return k;
        return umount_at(r.parent_fd, r.base, id, unique, a->lazy);
}

int ns_umount_check(void *userdata, WorkerReply *reply, int *ret_fd) {
        UmountPlan *p = userdata;       /* the child's own copy */

        int r = ns_resolve(&p->r, reply, ret_fd);
        if (r < 0)
                return r;
        p->u.expect_id = reply->mnt_id;
        p->u.expect_unique = reply->mnt_id_unique;

        /* root, or the mount's user_id (the owner fused records for every
         * mount it makes): fused has nothing to decide, so unmount now and
         * save a round trip.  Inside a user namespace user_id is in that
         * namespace's terms and says nothing here: fused decides. */
        if (p->r.t.uid == 0 ||
            (!reply->ns_foreign && reply->user_id >= 0 && (uid_t) reply->user_id == p->r.t.uid)) {
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
        return umount_at(p->r.parent_fd, p->r.base, p->u.expect_id, p->u.expect_unique, p->u.lazy);
}
