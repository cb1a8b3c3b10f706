// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers: whole-file reads, pidfds, fd hygiene for forked children,
 * and mount ids and namespaces through interfaces newer than our headers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fused.h"
#include "kernel-abi.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif
#define AT_HANDLE_FID_ 0x200
#define AT_HANDLE_MNT_ID_UNIQUE_ 0x001
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

int read_full_fd(int fd, char **ret, size_t max) {
        size_t size = 0, alloc = 4096;
        _cleanup_free_ char *buf = malloc(alloc + 1);

        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (size == alloc) {
                        if (alloc >= max)
                                return -EFBIG;
                        alloc = alloc * 2 > max ? max : alloc * 2;
                        char *n = realloc(buf, alloc + 1);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t k = read(fd, buf + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_full_file(const char *path, char **ret, size_t max) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, ret, max);
}

int pidfd_open_pid(pid_t pid) {
        int fd = (int) syscall(__NR_pidfd_open, pid, 0);
        return fd < 0 ? -errno : fd;
}

/* 1 if the pinned process is still running, 0 if it has exited (a zombie
 * counts as exited: its /proc entries no longer say anything about it). */
int pidfd_alive(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r = poll(&p, 1, 0);

        if (r < 0)
                return -errno;
        return r == 0;
}

static int cmp_int(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* A forked child must not hold the bus socket or other callers' fds. */
int close_all_but(const int *keep, size_t n) {
        int sorted[16];
        unsigned lo = 3;

        if (n > ELEMENTSOF(sorted))
                return -E2BIG;
        memcpy(sorted, keep, n * sizeof(int));
        qsort(sorted, n, sizeof(int), cmp_int);
        for (size_t i = 0; i < n; i++) {
                if (sorted[i] < 0 || (unsigned) sorted[i] < lo)
                        continue;
                if ((unsigned) sorted[i] > lo && syscall(__NR_close_range, lo, (unsigned) sorted[i] - 1, 0) < 0)
                        return -errno;
                lo = (unsigned) sorted[i] + 1;
        }
        if (syscall(__NR_close_range, lo, ~0U, 0) < 0)
                return -errno;
        return 0;
}

/* Field 22 of /proc/PID/stat, which polkit compares against to rule out a
 * recycled pid.  The caller checks the pidfd afterwards. */
int proc_start_time(int proc_fd, pid_t pid, uint64_t *ret) {
        char p[32];
        _cleanup_free_ char *s = NULL;
        int r;

        snprintf(p, sizeof p, "%d/stat", (int) pid);
        _cleanup_close_ int fd = openat(proc_fd, p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = read_full_fd(fd, &s, 4096);
        if (r < 0)
                return r;
        /* comm may contain spaces and parentheses: start after the last ')'. */
        char *e = strrchr(s, ')');
        if (!e)
                return -EIO;
        e++;
        for (int field = 3; field < 22; field++) {
                e = strchr(e + 1, ' ');
                if (!e)
                        return -EIO;
        }
        errno = 0;
        unsigned long long v = strtoull(e + 1, NULL, 10);
        if (errno)
                return -errno;
        *ret = v;
        return 0;
}

/* Escape ',' and '\' so a value can sit in a comma separated option list. */
char *escape_commas(const char *s) {
        size_t n = strlen(s);
        char *out = malloc(n * 2 + 1), *p = out;

        if (!out)
                return NULL;
        for (; *s; s++) {
                if (*s == ',' || *s == '\\')
                        *p++ = '\\';
                *p++ = *s;
        }
        *p = 0;
        return out;
}

/* The mount an fd is on: its 32-bit id (as in mountinfo), its 64-bit id
 * that is never reused (0 if the kernel is older than 6.12), and whether
 * the fd is the mount's root.  Asks the filesystem for nothing: statx with
 * an empty mask is answered by the VFS even on a FUSE mount whose server
 * hangs, is dead, or does not let us in (no allow_other). */
int fd_mount_id(int fd, uint64_t *ret_id, uint64_t *ret_unique, bool *ret_is_root) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC | AT_SYMLINK_NOFOLLOW, 0, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        if (ret_id)
                *ret_id = sx.stx_mnt_id;
        if (ret_is_root)
                *ret_is_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                               (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        if (ret_unique) {
                /* name_to_handle_at() reports the unique id without calling
                 * into the filesystem; a zero-sized handle only makes it
                 * answer EOVERFLOW, the id is filled in all the same. */
                struct file_handle fh = { .handle_bytes = 0 };
                uint64_t uniq = 0;
                *ret_unique = 0;
                if ((name_to_handle_at(fd, "", &fh, (int *) &uniq,
                                       AT_EMPTY_PATH | AT_HANDLE_FID_ | AT_HANDLE_MNT_ID_UNIQUE_) == 0 ||
                     errno == EOVERFLOW))
                        *ret_unique = uniq;
        }
        return 0;
}

/* Whether an O_PATH fd is a symbolic link, without stat() (which a FUSE
 * server could answer slowly or refuse). */
bool fd_is_symlink(int fd) {
        char c;
        return readlinkat(fd, "", &c, 1) >= 0;
}

int statmount_get(uint64_t ns_id, uint64_t id, uint64_t mask, uint64_t *buf, size_t size) {
        /* Our own namespace in the first version of the request, which
         * every kernel with statmount takes. */
        MntIdReq req = { .size = ns_id ? sizeof req : offsetof(MntIdReq, mnt_ns_id), .mnt_id = id, .param = mask,
                         .mnt_ns_id = ns_id };
        StatmountHead *sm = (StatmountHead *) buf;

        if (syscall(__NR_statmount, &req, buf, size, 0) < 0)
                return -errno;
        if ((sm->mask & mask) != mask || sm->size > size)
                return -ENODATA;
        ((char *) buf)[size - 1] = 0;
        return 0;
}

/* Whether a mount still exists in a namespace, without entering it or
 * holding it: 1 yes, 0 no, -errno if the kernel cannot tell (< 6.11). */
int mount_exists(uint64_t ns_id, uint64_t unique_id) {
        uint64_t buf[128];

        if (unique_id == 0 || ns_id == 0)
                return -EOPNOTSUPP;
        int r = statmount_get(ns_id, unique_id, STATMOUNT_SB_BASIC_, buf, sizeof buf);
        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

/* The filesystem type ("fuse.sshfs") and, for FUSE, the user_id option of
 * a mount of our mount namespace, by its unique id: what mountinfo says of
 * it, without generating all of mountinfo.  -EOPNOTSUPP if the kernel
 * cannot say it this way (before 6.11): read mountinfo then. */
int mount_fs_info(uint64_t unique_id, char *fstype, size_t n, long *ret_user_id) {
        static uint64_t buf[1024];
        StatmountHead *sm = (StatmountHead *) buf;

        if (unique_id == 0)
                return -EOPNOTSUPP;
        int r = statmount_get(0, unique_id, STATMOUNT_FS_TYPE_ | STATMOUNT_MNT_OPTS_ | STATMOUNT_FS_SUBTYPE_, buf,
                              sizeof buf);
        if (r == -ENOSYS || r == -EINVAL || r == -EOVERFLOW || r == -ENODATA)
                return -EOPNOTSUPP;
        if (r < 0)
                return r;
        const char *type = sm->str + sm->fs_type, *sub = sm->str + sm->fs_subtype;
        if ((size_t) snprintf(fstype, n, "%s%s%s", type, *sub ? "." : "", sub) >= n)
                return -ENAMETOOLONG;
        const char *opts = sm->str + sm->mnt_opts;
        *ret_user_id = check_is_fuse_fstype(fstype) ? mount_options_user_id(opts, strlen(opts)) : -1;
        return 0;
}

bool fd_in_list(int fd, const int *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (v[i] == fd)
                        return true;
        return false;
}

/* Some process whose mount namespace is (dev, ino), found through /proc. */
int proc_find_ns_pid(int proc_fd, dev_t dev, ino_t ino, pid_t *ret) {
        int dfd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        struct dirent *de;
        int r = -ENOENT;
        while ((de = readdir(d))) {
                char p[300];
                struct stat st;
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                snprintf(p, sizeof p, "%s/ns/mnt", de->d_name);
                if (fstatat(proc_fd, p, &st, 0) < 0 || st.st_ino != ino || st.st_dev != dev)
                        continue;
                *ret = (pid_t) strtol(de->d_name, NULL, 10);
                r = 0;
                break;
        }
        closedir(d);
        return r;
}
