// SPDX-License-Identifier: GPL-2.0-or-later
/* A file system for the session harness: every operation answers, with
 * the reply function real file systems use for it, sized by what the
 * request asked (READ's size, GETXATTR's size, IOCTL's out_size, ...), so
 * that the reply side sees the kernel's numbers too.  Every pointer the
 * library hands over is read to its stated end: AddressSanitizer then
 * tells whether it was inside the request. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cuse_lowlevel.h"
#include "fuzz-lib-session.h"
#include "fuzz-util.h"

struct fuzz_fs_init fuzz_fs_init;

/* Replies are capped at what a real file system would keep on the stack
 * or in a buffer; the library must still cope with bigger asks. */
#define REPLY_MAX 65536
static char reply_buf[REPLY_MAX];
static int data_fd = -1;
static fuse_req_t held;
static volatile unsigned char sink;

void fuzz_fs_setup(void) {
        if (data_fd >= 0)
                return;
        data_fd = memfd_create("fuzz-data", MFD_CLOEXEC);
        FUZZ_CHECK(data_fd >= 0);
        memset(reply_buf, 'd', sizeof reply_buf);
        FUZZ_CHECK(write(data_fd, reply_buf, 8192) == 8192);
}

/* Touch every byte: an out-of-bounds pointer from the decoder shows here. */
static void touch(const void *p, size_t n) {
        const unsigned char *c = p;
        unsigned char x = 0;

        for (size_t i = 0; i < n; i++)
                x ^= c[i];
        sink = x;
}

static void touch_str(const char *s) {
        touch(s, strlen(s) + 1);
}

static size_t cap(size_t n) {
        return n < REPLY_MAX ? n : REPLY_MAX;
}

static void fill_stat(struct stat *st, fuse_ino_t ino) {
        memset(st, 0, sizeof *st);
        st->st_ino = ino;
        st->st_mode = (ino & 1 ? S_IFREG : S_IFDIR) | 0755;
        st->st_nlink = 1;
        st->st_size = (off_t) (ino * 4096);
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino) {
        struct fuse_entry_param e = { .ino = ino, .generation = 1, .attr_timeout = 1.0,
                                      .entry_timeout = 1.0 };

        fill_stat(&e.attr, ino);
        (void) fuse_reply_entry(req, &e);
}

static void fs_init(void *ud, struct fuse_conn_info *conn) {
        conn->want |= conn->capable & (unsigned) fuzz_fs_init.want;
        if (fuzz_fs_init.max_write)
                conn->max_write = fuzz_fs_init.max_write;
        if (fuzz_fs_init.max_readahead)
                conn->max_readahead = fuzz_fs_init.max_readahead;
        conn->max_background = fuzz_fs_init.max_background;
        conn->congestion_threshold = fuzz_fs_init.congestion_threshold;
        conn->time_gran = fuzz_fs_init.time_gran;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
        touch_str(name);
        if (name[0] == 'e')
                (void) fuse_reply_err(req, ENOENT);
        else
                reply_entry(req, name[0] == 'n' ? 0 : parent + strlen(name));
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
        fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f) {
        touch(f, count * sizeof *f);
        fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct stat st;

        fill_stat(&st, ino);
        (void) fuse_reply_attr(req, &st, 1.0);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi) {
        (void) fuse_reply_attr(req, attr, 0.5);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino) {
        (void) fuse_reply_readlink(req, ino & 1 ? "" : "target");
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
        touch_str(name);
        reply_entry(req, parent + 1);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
        touch_str(name);
        reply_entry(req, parent + 2);
}

static void fs_name_op(fuse_req_t req, fuse_ino_t parent, const char *name) {
        touch_str(name);
        (void) fuse_reply_err(req, name[0] ? 0 : EINVAL);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name) {
        touch_str(link);
        touch_str(name);
        reply_entry(req, parent + 3);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags) {
        touch_str(name);
        touch_str(newname);
        (void) fuse_reply_err(req, flags ? EINVAL : 0);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
        touch_str(newname);
        reply_entry(req, ino);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        fi->fh = ino;
        fi->direct_io = ino & 1;
        fi->keep_cache = (ino >> 1) & 1;
        fi->nonseekable = (ino >> 2) & 1;
        fi->cache_readdir = (ino >> 3) & 1;
        (void) fuse_reply_open(req, fi);
}

static void interrupted(fuse_req_t req, void *data) {
        /* fh 3 mod 8 answers right here, 7 mod 8 later: both happen. */
        if (data && req == held) {
                held = NULL;
                (void) fuse_reply_err(req, EINTR);
        }
}

void fuzz_fs_release_held(void) {
        fuse_req_t r = held;

        held = NULL;
        if (r)
                (void) fuse_reply_err(r, fuse_req_interrupted(r) ? EINTR : EIO);
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        switch (fi->fh % 4) {
        case 0:
                (void) fuse_reply_buf(req, reply_buf, cap(size));
                return;
        case 1: {
                /* From a file, as passthrough file systems answer. */
                struct fuse_bufvec bv = FUSE_BUFVEC_INIT(cap(size));

                bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
                bv.buf[0].fd = data_fd;
                bv.buf[0].pos = off;
                (void) fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
                return;
        }
        case 2: {
                struct iovec iov[3] = {
                        { reply_buf, cap(size) / 2 }, { reply_buf, 0 }, { reply_buf, cap(size) / 2 },
                };
                (void) fuse_reply_iov(req, iov, 3);
                return;
        }
        default:
                fuzz_fs_release_held();
                held = req;
                fuse_req_interrupt_func(req, interrupted, fi->fh % 8 == 3 ? req : NULL);
                return;
        }
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi) {
        touch(buf, size);
        (void) fuse_reply_write(req, size);
}

static void fs_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in, off_t off,
                         struct fuse_file_info *fi) {
        struct fuse_bufvec out = FUSE_BUFVEC_INIT(cap(fuse_buf_size(in)));
        ssize_t n;

        out.buf[0].mem = reply_buf;
        n = fuse_buf_copy(&out, in, 0);
        if (n < 0)
                (void) fuse_reply_err(req, (int) -n);
        else
                (void) fuse_reply_write(req, (size_t) n);
}

static void fs_file_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        (void) fuse_reply_err(req, 0);
}

static void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
        (void) fuse_reply_err(req, datasync ? 0 : EIO);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        size_t room = cap(size), n = 0;
        struct stat st;

        fill_stat(&st, ino);
        /* off is the kernel's: any value, so no signed arithmetic on it. */
        for (uint64_t i = (uint64_t) off; i < (uint64_t) off + 64; i++) {
                size_t k = fuse_add_direntry(req, reply_buf + n, room - n, i & 1 ? "entry" : ".", &st,
                                             (off_t) (i + 1));
                if (k > room - n)
                        break;
                n += k;
        }
        (void) fuse_reply_buf(req, reply_buf, n);
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi) {
        size_t room = cap(size), n = 0;
        struct fuse_entry_param e = { .ino = ino + 1, .attr_timeout = 1.0 };

        fill_stat(&e.attr, ino + 1);
        for (uint64_t i = (uint64_t) off; i < (uint64_t) off + 16; i++) {
                size_t k = fuse_add_direntry_plus(req, reply_buf + n, room - n, "plus", &e, (off_t) (i + 1));
                if (k > room - n)
                        break;
                n += k;
        }
        (void) fuse_reply_buf(req, reply_buf, n);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino) {
        struct statvfs sv = { .f_bsize = 4096, .f_frsize = 4096, .f_blocks = 1 << 20, .f_namemax = 255 };

        (void) fuse_reply_statfs(req, &sv);
}

static void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
                        int flags) {
        touch_str(name);
        touch(value, size);
        (void) fuse_reply_err(req, 0);
}

/* The xattr protocol: size 0 asks how big, too small is ERANGE. */
static void reply_xattr(fuse_req_t req, size_t size, size_t have) {
        if (size == 0)
                (void) fuse_reply_xattr(req, have);
        else if (size < have)
                (void) fuse_reply_err(req, ERANGE);
        else
                (void) fuse_reply_buf(req, reply_buf, have);
}

static void fs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size) {
        touch_str(name);
        reply_xattr(req, size, strlen(name));
}

static void fs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
        reply_xattr(req, size, ino % 100);
}

static void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) {
        touch_str(name);
        (void) fuse_reply_err(req, ENODATA);
}

static void fs_access(fuse_req_t req, fuse_ino_t ino, int mask) {
        (void) fuse_reply_err(req, mask & 1 ? EACCES : 0);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi) {
        struct fuse_entry_param e = { .ino = parent + 5 };

        touch_str(name);
        fill_stat(&e.attr, e.ino);
        fi->fh = e.ino;
        (void) fuse_reply_create(req, &e, fi);
}

static void fs_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock) {
        lock->l_type = F_UNLCK;
        (void) fuse_reply_lock(req, lock);
}

static void fs_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock,
                     int sleep) {
        (void) fuse_reply_err(req, sleep ? 0 : EAGAIN);
}

static void fs_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op) {
        (void) fuse_reply_err(req, 0);
}

static void fs_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
        (void) fuse_reply_bmap(req, idx + blocksize);
}

static void fs_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                     unsigned flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz) {
        touch(in_buf, in_bufsz);
        if ((flags & FUSE_IOCTL_UNRESTRICTED) && in_bufsz == 0 && cmd & 1) {
                /* Ask for the memory the argument points at, as CUSE
                 * drivers do. */
                struct iovec in = { arg, cmd >> 16 }, out = { arg, cmd & 0xff };
                (void) fuse_reply_ioctl_retry(req, &in, 1, &out, 1);
                return;
        }
        if (cmd & 2) {
                struct iovec iov[2] = { { reply_buf, cap(out_bufsz) / 2 }, { reply_buf, cap(out_bufsz) / 2 } };
                (void) fuse_reply_ioctl_iov(req, (int) cmd, iov, 2);
                return;
        }
        (void) fuse_reply_ioctl(req, 0, reply_buf, cap(out_bufsz));
}

static void fs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *ph) {
        (void) fuse_reply_poll(req, fi->poll_events);
        if (ph) {
                (void) fuse_lowlevel_notify_poll(ph);
                fuse_pollhandle_destroy(ph);
        }
}

static void fs_retrieve_reply(fuse_req_t req, void *cookie, fuse_ino_t ino, off_t offset,
                              struct fuse_bufvec *bufv) {
        for (size_t i = 0; i < bufv->count; i++)
                if (!(bufv->buf[i].flags & FUSE_BUF_IS_FD))
                        touch(bufv->buf[i].mem, bufv->buf[i].size);
        fuse_reply_none(req);
}

static void fs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                         struct fuse_file_info *fi) {
        (void) fuse_reply_err(req, mode ? EOPNOTSUPP : 0);
}

static void fs_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                               fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len,
                               int flags) {
        (void) fuse_reply_write(req, len);
}

static void fs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) {
        (void) fuse_reply_lseek(req, off);
}

#define FS_OPS                                                                          \
        .init = fs_init, .lookup = fs_lookup, .forget = fs_forget, .getattr = fs_getattr, \
        .setattr = fs_setattr, .readlink = fs_readlink, .mknod = fs_mknod, .mkdir = fs_mkdir, \
        .unlink = fs_name_op, .rmdir = fs_name_op, .symlink = fs_symlink, .rename = fs_rename, \
        .link = fs_link, .open = fs_open, .read = fs_read, .flush = fs_file_op,        \
        .release = fs_file_op, .fsync = fs_fsync, .opendir = fs_open, .readdir = fs_readdir, \
        .releasedir = fs_file_op, .fsyncdir = fs_fsync, .statfs = fs_statfs,           \
        .setxattr = fs_setxattr, .getxattr = fs_getxattr, .listxattr = fs_listxattr,   \
        .removexattr = fs_removexattr, .access = fs_access, .create = fs_create,       \
        .getlk = fs_getlk, .setlk = fs_setlk, .bmap = fs_bmap, .ioctl = fs_ioctl,      \
        .poll = fs_poll, .retrieve_reply = fs_retrieve_reply, .forget_multi = fs_forget_multi, \
        .flock = fs_flock, .fallocate = fs_fallocate, .readdirplus = fs_readdirplus,   \
        .copy_file_range = fs_copy_file_range, .lseek = fs_lseek

const struct fuse_lowlevel_ops fuzz_fs_ops = { FS_OPS, .write = fs_write };
const struct fuse_lowlevel_ops fuzz_fs_buf_ops = { FS_OPS, .write_buf = fs_write_buf };

/* A character device: the same answers, without the inode. */
static void cuse_open(fuse_req_t req, struct fuse_file_info *fi) {
        fs_open(req, 1, fi);
}

static void cuse_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi) {
        fs_read(req, 1, size, off, fi);
}

static void cuse_write(fuse_req_t req, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
        fs_write(req, 1, buf, size, off, fi);
}

static void cuse_file_op(fuse_req_t req, struct fuse_file_info *fi) {
        fs_file_op(req, 1, fi);
}

static void cuse_fsync(fuse_req_t req, int datasync, struct fuse_file_info *fi) {
        fs_fsync(req, 1, datasync, fi);
}

static void cuse_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned int flags,
                       const void *in_buf, size_t in_bufsz, size_t out_bufsz) {
        fs_ioctl(req, 1, (unsigned) cmd, arg, fi, flags, in_buf, in_bufsz, out_bufsz);
}

static void cuse_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph) {
        fs_poll(req, 1, fi, ph);
}

const struct cuse_lowlevel_ops fuzz_cuse_ops = {
        .init = fs_init, .open = cuse_open, .read = cuse_read, .write = cuse_write,
        .flush = cuse_file_op, .release = cuse_file_op, .fsync = cuse_fsync,
        .ioctl = cuse_ioctl, .poll = cuse_poll,
};
