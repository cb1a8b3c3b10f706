// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthrough: a high-level filesystem that mirrors a directory.
 *
 * Shows every member of struct fuse_operations a real filesystem needs:
 * each operation is the matching system call on SOURCE + path, and an
 * open file keeps its backing fd in fi->fh.  Reads and writes go through
 * read_buf/write_buf so the library can splice; xattrs, fallocate,
 * copy_file_range, lseek (SEEK_DATA/SEEK_HOLE), POSIX locks and flock are
 * all passed down.
 *
 * POSIX locks are open-file-description locks on one backing descriptor
 * per (file, lock owner), which gives them POSIX's per-process semantics;
 * flock goes to the handle's own descriptor, as flock is per open file.
 *
 * Usage: passthrough MOUNTPOINT [--source=DIR | -o source=DIR] [fuse options]
 * (the default source is /).
 */
#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

static struct passthrough_opts {
	char *source;
} pt_opts;

static const struct fuse_opt pt_opt_spec[] = {
	{ "--source=%s", offsetof(struct passthrough_opts, source), 0 },
	{ "source=%s", offsetof(struct passthrough_opts, source), 0 },
	FUSE_OPT_END
};

/* Maps a path of the mount to the backing path; fails on overflow. */
static int backing(char out[PATH_MAX], const char *path)
{
	int n = snprintf(out, PATH_MAX, "%s%s", pt_opts.source, path);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

#define BACKING(var, path)                        \
	char var[PATH_MAX];                       \
	do {                                      \
		int r_ = backing(var, path);      \
		if (r_ < 0)                       \
			return r_;                \
	} while (0)

static int neg_errno(int r)
{
	return r < 0 ? -errno : r;
}

static void *pt_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* The backing tree may change under us: trust nothing cached, and
	 * show the backing inode numbers. */
	cfg->use_ino = 1;
	cfg->readdir_ino = 1;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	/* Operations on an open file get its fd; they need no path. */
	cfg->nullpath_ok = 1;
	return NULL;
}

static int pt_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi)
		return neg_errno(fstat(fi->fh, st));
	BACKING(p, path);
	return neg_errno(lstat(p, st));
}

static int pt_access(const char *path, int mask)
{
	BACKING(p, path);
	return neg_errno(access(p, mask));
}

static int pt_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;

	BACKING(p, path);
	n = readlink(p, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

struct pt_dir {
	DIR *dp;
	struct dirent *entry;
	off_t offset;
};

static int pt_opendir(const char *path, struct fuse_file_info *fi)
{
	struct pt_dir *d;

	BACKING(p, path);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dp = opendir(p);
	if (!d->dp) {
		int r = -errno;
		free(d);
		return r;
	}
	fi->fh = (uintptr_t)d;
	return 0;
}

static int pt_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;

	/* Offsets are telldir() cookies: a reader may come back to any of them. */
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (;;) {
		struct stat st = { 0 };
		enum fuse_fill_dir_flags fill_flags = 0;

		if (!d->entry) {
			errno = 0;
			d->entry = readdir(d->dp);
			if (!d->entry)
				return errno ? -errno : 0;
		}
		if ((flags & FUSE_READDIR_PLUS) &&
		    fstatat(dirfd(d->dp), d->entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			fill_flags |= FUSE_FILL_DIR_PLUS;
		} else {
			st.st_ino = d->entry->d_ino;
			st.st_mode = d->entry->d_type << 12;
		}
		if (fill(buf, d->entry->d_name, &st, d->entry->d_off, fill_flags))
			return 0;
		d->offset = d->entry->d_off;
		d->entry = NULL;
	}
}

static int pt_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;

	closedir(d->dp);
	free(d);
	return 0;
}

static int pt_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;

	return neg_errno(datasync ? fdatasync(dirfd(d->dp)) : fsync(dirfd(d->dp)));
}

static int pt_mknod(const char *path, mode_t mode, dev_t rdev)
{
	BACKING(p, path);
	if (S_ISFIFO(mode))
		return neg_errno(mkfifo(p, mode));
	return neg_errno(mknod(p, mode, rdev));
}

static int pt_mkdir(const char *path, mode_t mode)
{
	BACKING(p, path);
	return neg_errno(mkdir(p, mode));
}

static int pt_unlink(const char *path)
{
	BACKING(p, path);
	return neg_errno(unlink(p));
}

static int pt_rmdir(const char *path)
{
	BACKING(p, path);
	return neg_errno(rmdir(p));
}

static int pt_symlink(const char *target, const char *path)
{
	BACKING(p, path);
	return neg_errno(symlink(target, p));
}

static int pt_rename(const char *from, const char *to, unsigned int flags)
{
	BACKING(pf, from);
	BACKING(pt, to);
	return neg_errno(renameat2(AT_FDCWD, pf, AT_FDCWD, pt, flags));
}

static int pt_link(const char *from, const char *to)
{
	BACKING(pf, from);
	BACKING(pt, to);
	return neg_errno(link(pf, pt));
}

static int pt_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (fi)
		return neg_errno(fchmod(fi->fh, mode));
	BACKING(p, path);
	return neg_errno(chmod(p, mode));
}

static int pt_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi)
		return neg_errno(fchown(fi->fh, uid, gid));
	BACKING(p, path);
	return neg_errno(lchown(p, uid, gid));
}

static int pt_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	if (fi)
		return neg_errno(ftruncate(fi->fh, size));
	BACKING(p, path);
	return neg_errno(truncate(p, size));
}

static int pt_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
	if (fi)
		return neg_errno(futimens(fi->fh, ts));
	BACKING(p, path);
	return neg_errno(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW));
}

static int pt_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd;

	BACKING(p, path);
	fd = open(p, fi->flags, mode);
	if (fd < 0)
		return -errno;
	fi->fh = fd;
	return 0;
}

static int pt_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	BACKING(p, path);
	fd = open(p, fi->flags);
	if (fd < 0)
		return -errno;
	fi->fh = fd;
	return 0;
}

static int pt_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	return neg_errno(pread(fi->fh, buf, size, off));
}

static int pt_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	return neg_errno(pwrite(fi->fh, buf, size, off));
}

/* Hands the library the fd itself, so it can splice instead of copying. */
static int pt_read_buf(const char *path, struct fuse_bufvec **bufp, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fuse_bufvec *bv = malloc(sizeof(*bv));

	if (!bv)
		return -ENOMEM;
	*bv = FUSE_BUFVEC_INIT(size);
	bv->buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	bv->buf[0].fd = fi->fh;
	bv->buf[0].pos = off;
	*bufp = bv;
	return 0;
}

static int pt_write_buf(const char *path, struct fuse_bufvec *src, off_t off,
			struct fuse_file_info *fi)
{
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(fuse_buf_size(src));

	dst.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	dst.buf[0].fd = fi->fh;
	dst.buf[0].pos = off;
	return fuse_buf_copy(&dst, src, FUSE_BUF_SPLICE_NONBLOCK);
}

static int pt_statfs(const char *path, struct statvfs *st)
{
	BACKING(p, path);
	return neg_errno(statvfs(p, st));
}

/* close(dup(fd)) reports the errors a close would, without closing the
 * handle other processes may still share. */
static int pt_flush(const char *path, struct fuse_file_info *fi)
{
	int fd = dup(fi->fh);

	if (fd < 0)
		return -errno;
	return neg_errno(close(fd));
}

static int pt_release(const char *path, struct fuse_file_info *fi)
{
	close(fi->fh);
	return 0;
}

static int pt_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	return neg_errno(datasync ? fdatasync(fi->fh) : fsync(fi->fh));
}

static int pt_fallocate(const char *path, int mode, off_t off, off_t len,
			struct fuse_file_info *fi)
{
	return neg_errno(fallocate(fi->fh, mode, off, len));
}

static int pt_setxattr(const char *path, const char *name, const char *value, size_t size,
		       int flags)
{
	BACKING(p, path);
	return neg_errno(lsetxattr(p, name, value, size, flags));
}

static int pt_getxattr(const char *path, const char *name, char *value, size_t size)
{
	BACKING(p, path);
	return neg_errno(lgetxattr(p, name, value, size));
}

static int pt_listxattr(const char *path, char *list, size_t size)
{
	BACKING(p, path);
	return neg_errno(llistxattr(p, list, size));
}

static int pt_removexattr(const char *path, const char *name)
{
	BACKING(p, path);
	return neg_errno(lremovexattr(p, name));
}

/*
 * POSIX locks belong to a process (the kernel's lock owner), not to a
 * descriptor: closing any descriptor drops all of its owner's locks.  The
 * backing file system only offers that per open file description, so each
 * (file, owner) pair gets its own backing descriptor, and its OFD locks
 * stand for the owner's locks.  The library unlocks the whole file for an
 * owner on flush; that closes the descriptor.
 */
struct owner_fd {
	struct owner_fd *next;
	dev_t dev;
	ino_t ino;
	uint64_t owner;
	int fd;
};

static struct owner_fd *owner_fds;
static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;

/* Finds or opens the owner's descriptor of fi's file; -errno on failure. */
static int owner_fd_get(struct fuse_file_info *fi, bool create)
{
	struct owner_fd *o;
	char proc[64];
	struct stat st;
	int fd, mode;

	if (fstat(fi->fh, &st) < 0)
		return -errno;
	pthread_mutex_lock(&owner_lock);
	for (o = owner_fds; o; o = o->next)
		if (o->dev == st.st_dev && o->ino == st.st_ino && o->owner == fi->lock_owner)
			break;
	fd = o ? o->fd : -ENOENT;
	if (!o && create) {
		/* Read-write if we can, so both lock types work on it. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", (int)fi->fh);
		mode = fcntl(fi->fh, F_GETFL) & O_ACCMODE;
		fd = open(proc, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = open(proc, mode | O_CLOEXEC);
		o = fd >= 0 ? malloc(sizeof(*o)) : NULL;
		if (o) {
			*o = (struct owner_fd){ owner_fds, st.st_dev, st.st_ino, fi->lock_owner, fd };
			owner_fds = o;
		} else {
			fd = fd >= 0 ? (close(fd), -ENOMEM) : -errno;
		}
	}
	pthread_mutex_unlock(&owner_lock);
	return fd;
}

/* After an unlock of the whole file the owner holds nothing here. */
static void owner_fd_drop(int fd)
{
	pthread_mutex_lock(&owner_lock);
	for (struct owner_fd **op = &owner_fds; *op; op = &(*op)->next) {
		if ((*op)->fd == fd) {
			struct owner_fd *o = *op;
			*op = o->next;
			close(o->fd);
			free(o);
			break;
		}
	}
	pthread_mutex_unlock(&owner_lock);
}

static int pt_lock(const char *path, struct fuse_file_info *fi, int cmd, struct flock *lock)
{
	struct flock fl = *lock;
	bool unlock = lock->l_type == F_UNLCK;
	int fd, ofd_cmd;

	switch (cmd) {
	case F_GETLK:
		ofd_cmd = F_OFD_GETLK;
		break;
	case F_SETLK:
		ofd_cmd = F_OFD_SETLK;
		break;
	case F_SETLKW:
		/* Blocks this thread: needs the multithreaded loop. */
		ofd_cmd = F_OFD_SETLKW;
		break;
	default:
		return -EINVAL;
	}
	/* An owner that has locked nothing has nothing to unlock. */
	fd = owner_fd_get(fi, !unlock);
	if (fd == -ENOENT && unlock)
		return 0;
	if (fd < 0)
		return fd;
	/* OFD locks want l_pid 0 and report -1 for the holder; the caller's
	 * struct keeps the pid of the process that asked. */
	fl.l_pid = 0;
	if (fcntl(fd, ofd_cmd, &fl) < 0)
		return -errno;
	if (ofd_cmd == F_OFD_GETLK) {
		lock->l_type = fl.l_type;
		lock->l_whence = fl.l_whence;
		lock->l_start = fl.l_start;
		lock->l_len = fl.l_len;
		lock->l_pid = fl.l_pid > 0 ? fl.l_pid : 0;
	} else if (unlock && fl.l_whence == SEEK_SET && fl.l_start == 0 && fl.l_len == 0) {
		owner_fd_drop(fd);
	}
	return 0;
}

static int pt_flock(const char *path, struct fuse_file_info *fi, int op)
{
	return neg_errno(flock(fi->fh, op));
}

static ssize_t pt_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
				  off_t off_in, const char *path_out,
				  struct fuse_file_info *fi_out, off_t off_out, size_t len,
				  int flags)
{
	ssize_t n = copy_file_range(fi_in->fh, &off_in, fi_out->fh, &off_out, len, flags);

	return n < 0 ? -errno : n;
}

static off_t pt_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
	off_t r = lseek(fi->fh, off, whence);

	return r < 0 ? -errno : r;
}

static const struct fuse_operations pt_ops = {
	.init = pt_init,
	.getattr = pt_getattr,
	.access = pt_access,
	.readlink = pt_readlink,
	.opendir = pt_opendir,
	.readdir = pt_readdir,
	.releasedir = pt_releasedir,
	.fsyncdir = pt_fsyncdir,
	.mknod = pt_mknod,
	.mkdir = pt_mkdir,
	.symlink = pt_symlink,
	.unlink = pt_unlink,
	.rmdir = pt_rmdir,
	.rename = pt_rename,
	.link = pt_link,
	.chmod = pt_chmod,
	.chown = pt_chown,
	.truncate = pt_truncate,
	.utimens = pt_utimens,
	.create = pt_create,
	.open = pt_open,
	.read = pt_read,
	.write = pt_write,
	.read_buf = pt_read_buf,
	.write_buf = pt_write_buf,
	.statfs = pt_statfs,
	.flush = pt_flush,
	.release = pt_release,
	.fsync = pt_fsync,
	.fallocate = pt_fallocate,
	.setxattr = pt_setxattr,
	.getxattr = pt_getxattr,
	.listxattr = pt_listxattr,
	.removexattr = pt_removexattr,
	.lock = pt_lock,
	.flock = pt_flock,
	.copy_file_range = pt_copy_file_range,
	.lseek = pt_lseek,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	char *source;
	int r;

	if (fuse_opt_parse(&args, &pt_opts, pt_opt_spec, NULL) != 0)
		return 1;
	/* Relative sources would break once fuse_main() daemonizes into /. */
	source = realpath(pt_opts.source ? pt_opts.source : "/", NULL);
	if (!source) {
		fprintf(stderr, "passthrough: source %s: %m\n", pt_opts.source);
		return 1;
	}
	free(pt_opts.source);
	/* "/" + "/path" would give "//path": harmless, but keep paths tidy. */
	pt_opts.source = strcmp(source, "/") == 0 ? strdup("") : source;
	if (pt_opts.source != source)
		free(source);
	if (!pt_opts.source)
		return 1;
	umask(0);
	r = fuse_main(args.argc, args.argv, &pt_ops, NULL);
	fuse_opt_free_args(&args);
	free(pt_opts.source);
	return r;
}
