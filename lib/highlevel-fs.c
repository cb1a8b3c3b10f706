// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuse_fs_*: calls into a stacked file system.
 *
 * Each sets the context's private_data to the callee's user_data (a
 * module's operations find their state there) and calls the operation,
 * or answers as libfuse does when it is missing: -ENOSYS mostly, 0 for
 * open/release/opendir/releasedir, defaults for statfs, and read/write
 * served through read_buf/write_buf and back. */
#include "highlevel-i.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void enter(struct fuse_fs *fs)
{
	hl_context_get()->ctx.private_data = fs->user_data;
}

/* -d: one line per operation reaching the top of the stack (modules
 * below it are quiet), in libfuse's format, so that a debug log reads the
 * same with either library. */
static void __attribute__((noinline, format(printf, 1, 2)))
trace(const char *fmt, ...)
{
	char line[4200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fuse_log(FUSE_LOG_DEBUG, "%s", line);
}

/* The check inline: without -d an operation costs one test more.  FH(fi)
 * is the handle as the line shows it, "NULL" for a call by path only. */
#define TRACE(fs, ...)                                                    \
	do {                                                              \
		if ((fs)->debug)                                          \
			trace(__VA_ARGS__);                               \
	} while (0)
#define FH(fi) ((fi) ? (snprintf(fh_buf, sizeof(fh_buf), "%llu",          \
				  (unsigned long long)(fi)->fh), fh_buf)  \
		     : "NULL")
static __thread char fh_buf[24];
/* With nullpath_ok an open file's operations may come without a path. */
#define NP(path) ((path) ? (path) : "(null)")

static unsigned umask_of_caller(void)
{
	return hl_context_get()->ctx.umask;
}

#define CALL_OR(fs, member, dflt, ...)                                    \
	do {                                                              \
		enter(fs);                                                \
		if (!(fs)->op.member)                                     \
			return (dflt);                                    \
		return (fs)->op.member(__VA_ARGS__);                      \
	} while (0)

struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size,
			    void *user_data)
{
	struct fuse_fs *fs;

	if (op_size > sizeof(struct fuse_operations)) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: warning: the file system's operations are newer than this library; ignoring the unknown ones\n");
		op_size = sizeof(struct fuse_operations);
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
		return NULL;
	}
	fs->user_data = user_data;
	if (op)
		memcpy(&fs->op, op, op_size);
	return fs;
}

int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf,
		    struct fuse_file_info *fi)
{
	TRACE(fs, "getattr[%s] %s\n", FH(fi), NP(path));
	CALL_OR(fs, getattr, -ENOSYS, path, buf, fi);
}

int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath,
		   const char *newpath, unsigned int flags)
{
	TRACE(fs, "rename %s %s 0x%x\n", oldpath, newpath, flags);
	CALL_OR(fs, rename, -ENOSYS, oldpath, newpath, flags);
}

int fuse_fs_unlink(struct fuse_fs *fs, const char *path)
{
	TRACE(fs, "unlink %s\n", NP(path));
	CALL_OR(fs, unlink, -ENOSYS, path);
}

int fuse_fs_rmdir(struct fuse_fs *fs, const char *path)
{
	TRACE(fs, "rmdir %s\n", NP(path));
	CALL_OR(fs, rmdir, -ENOSYS, path);
}

int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname,
		    const char *path)
{
	TRACE(fs, "symlink %s %s\n", linkname, NP(path));
	CALL_OR(fs, symlink, -ENOSYS, linkname, path);
}

int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath)
{
	TRACE(fs, "link %s %s\n", oldpath, newpath);
	CALL_OR(fs, link, -ENOSYS, oldpath, newpath);
}

int fuse_fs_release(struct fuse_fs *fs, const char *path,
		    struct fuse_file_info *fi)
{
	TRACE(fs, "release%s[%s] flags: 0x%x\n",
	      fi->flush ? "+flush" : "", FH(fi), fi->flags);
	CALL_OR(fs, release, 0, path, fi);
}

int fuse_fs_opendir(struct fuse_fs *fs, const char *path,
		    struct fuse_file_info *fi)
{
	TRACE(fs, "opendir flags: 0x%x %s\n", fi->flags, NP(path));
	CALL_OR(fs, opendir, 0, path, fi);
}

int fuse_fs_open(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi)
{
	TRACE(fs, "open flags: 0x%x %s\n", fi->flags, NP(path));
	CALL_OR(fs, open, 0, path, fi);
}

int fuse_fs_read_buf(struct fuse_fs *fs, const char *path,
		     struct fuse_bufvec **bufp, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fuse_bufvec *buf;
	int res;

	enter(fs);
	TRACE(fs, "read[%s] %zu bytes from %llu flags: 0x%x\n",
	      FH(fi), size, (unsigned long long)off, fi->flags);
	if (fs->op.read_buf) {
		res = fs->op.read_buf(path, bufp, size, off, fi);
		return res < 0 ? res : 0;
	}
	if (!fs->op.read)
		return -ENOSYS;
	/* the caller frees mem and the bufvec separately (fuse_free_buf
	 * style), so two allocations */
	buf = malloc(sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	*buf = FUSE_BUFVEC_INIT(size);
	buf->buf[0].mem = malloc(size ? size : 1);
	if (!buf->buf[0].mem) {
		free(buf);
		return -ENOMEM;
	}
	res = fs->op.read(path, buf->buf[0].mem, size, off, fi);
	if (res < 0) {
		free(buf->buf[0].mem);
		free(buf);
		return res;
	}
	buf->buf[0].size = (size_t)res > size ? size : (size_t)res;
	*bufp = buf;
	return 0;
}

int fuse_fs_read(struct fuse_fs *fs, const char *path, char *mem, size_t size,
		 off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec *buf = NULL;
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
	ssize_t res;

	enter(fs);
	TRACE(fs, "read[%s] %zu bytes from %llu flags: 0x%x\n",
	      FH(fi), size, (unsigned long long)off, fi->flags);
	if (!fs->op.read_buf) {
		if (!fs->op.read)
			return -ENOSYS;
		return fs->op.read(path, mem, size, off, fi);
	}
	res = fs->op.read_buf(path, &buf, size, off, fi);
	if (res == 0) {
		dst.buf[0].mem = mem;
		res = fuse_buf_copy(&dst, buf, 0);
	}
	if (buf) {
		for (size_t i = 0; i < buf->count; i++)
			if (!(buf->buf[i].flags & FUSE_BUF_IS_FD))
				free(buf->buf[i].mem);
		free(buf);
	}
	return (int)res;
}

int fuse_fs_write_buf(struct fuse_fs *fs, const char *path,
		      struct fuse_bufvec *buf, off_t off,
		      struct fuse_file_info *fi)
{
	size_t size;
	void *mem;
	int res;

	enter(fs);
	TRACE(fs, "write%s[%s] %zu bytes to %llu flags: 0x%x\n",
	      fi->writepage ? "page" : "", FH(fi), fuse_buf_size(buf),
	      (unsigned long long)off, fi->flags);
	if (fs->op.write_buf)
		return fs->op.write_buf(path, buf, off, fi);
	if (!fs->op.write)
		return -ENOSYS;
	size = fuse_buf_size(buf);
	if (buf->count == 1 && buf->idx == 0 &&
	    !(buf->buf[0].flags & FUSE_BUF_IS_FD))
		return fs->op.write(path, (char *)buf->buf[0].mem + buf->off,
				    buf->buf[0].size - buf->off, off, fi);
	/* data in an fd (splice) or scattered: flatten it */
	mem = malloc(size ? size : 1);
	if (!mem)
		return -ENOMEM;
	{
		struct fuse_bufvec tmp = FUSE_BUFVEC_INIT(size);
		ssize_t n;

		tmp.buf[0].mem = mem;
		n = fuse_buf_copy(&tmp, buf, 0);
		res = n < 0 ? (int)n : fs->op.write(path, mem, (size_t)n, off, fi);
	}
	free(mem);
	return res;
}

int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *mem,
		  size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	buf.buf[0].mem = (void *)mem;
	return fuse_fs_write_buf(fs, path, &buf, off, fi);
}

int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync,
		  struct fuse_file_info *fi)
{
	TRACE(fs, "fsync[%s] datasync: %i\n", FH(fi), datasync);
	CALL_OR(fs, fsync, -ENOSYS, path, datasync, fi);
}

int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
		     struct fuse_file_info *fi)
{
	TRACE(fs, "fsyncdir[%s] datasync: %i\n", FH(fi), datasync);
	CALL_OR(fs, fsyncdir, -ENOSYS, path, datasync, fi);
}

int fuse_fs_flush(struct fuse_fs *fs, const char *path,
		  struct fuse_file_info *fi)
{
	TRACE(fs, "flush[%s]\n", FH(fi));
	CALL_OR(fs, flush, -ENOSYS, path, fi);
}

int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf)
{
	enter(fs);
	TRACE(fs, "statfs %s\n", NP(path));
	if (fs->op.statfs)
		return fs->op.statfs(path, buf);
	/* what df should see from a file system that says nothing */
	buf->f_namemax = 255;
	buf->f_bsize = 512;
	return 0;
}

int fuse_fs_releasedir(struct fuse_fs *fs, const char *path,
		       struct fuse_file_info *fi)
{
	TRACE(fs, "releasedir[%s] flags: 0x%x\n", FH(fi), fi->flags);
	CALL_OR(fs, releasedir, 0, path, fi);
}

int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf,
		    fuse_fill_dir_t filler, off_t off,
		    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	TRACE(fs, "readdir%s[%s] from %llu\n",
	      (flags & FUSE_READDIR_PLUS) ? "plus" : "", FH(fi),
	      (unsigned long long)off);
	CALL_OR(fs, readdir, -ENOSYS, path, buf, filler, off, fi, flags);
}

int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode,
		   struct fuse_file_info *fi)
{
	TRACE(fs, "create flags: 0x%x %s 0%o umask=0%03o\n",
	      fi->flags, NP(path), (unsigned)mode, umask_of_caller());
	CALL_OR(fs, create, -ENOSYS, path, mode, fi);
}

int fuse_fs_lock(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi, int cmd, struct flock *lock)
{
	CALL_OR(fs, lock, -ENOSYS, path, fi, cmd, lock);
}

int fuse_fs_flock(struct fuse_fs *fs, const char *path,
		  struct fuse_file_info *fi, int op)
{
	CALL_OR(fs, flock, -ENOSYS, path, fi, op);
}

int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid,
		  struct fuse_file_info *fi)
{
	TRACE(fs, "chown[%s] %s %lu %lu\n",
	      FH(fi), NP(path), (unsigned long)uid, (unsigned long)gid);
	CALL_OR(fs, chown, -ENOSYS, path, uid, gid, fi);
}

int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode,
		  struct fuse_file_info *fi)
{
	TRACE(fs, "chmod[%s] %s %llo\n",
	      FH(fi), NP(path), (unsigned long long)mode);
	CALL_OR(fs, chmod, -ENOSYS, path, mode, fi);
}

int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size,
		     struct fuse_file_info *fi)
{
	TRACE(fs, "truncate[%s] %llu\n", FH(fi), (unsigned long long)size);
	CALL_OR(fs, truncate, -ENOSYS, path, size, fi);
}

int fuse_fs_utimens(struct fuse_fs *fs, const char *path,
		    const struct timespec tv[2], struct fuse_file_info *fi)
{
	TRACE(fs, "utimens[%s] %s %li.%09lu %li.%09lu\n",
	      FH(fi), NP(path),
	      (long)tv[0].tv_sec, (unsigned long)tv[0].tv_nsec,
	      (long)tv[1].tv_sec, (unsigned long)tv[1].tv_nsec);
	CALL_OR(fs, utimens, -ENOSYS, path, tv, fi);
}

int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask)
{
	TRACE(fs, "access %s 0%o\n", NP(path), (unsigned)mask);
	CALL_OR(fs, access, -ENOSYS, path, mask);
}

int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf,
		     size_t len)
{
	TRACE(fs, "readlink %s %lu\n", NP(path), (unsigned long)len);
	CALL_OR(fs, readlink, -ENOSYS, path, buf, len);
}

int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode,
		  dev_t rdev)
{
	TRACE(fs, "mknod %s 0%o 0x%llx umask=0%03o\n",
	      NP(path), (unsigned)mode, (unsigned long long)rdev,
	      umask_of_caller());
	CALL_OR(fs, mknod, -ENOSYS, path, mode, rdev);
}

int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode)
{
	TRACE(fs, "mkdir %s 0%o umask=0%03o\n",
	      NP(path), (unsigned)mode, umask_of_caller());
	CALL_OR(fs, mkdir, -ENOSYS, path, mode);
}

int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name,
		     const char *value, size_t size, int flags)
{
	TRACE(fs, "setxattr %s %s %lu 0x%x\n",
	      NP(path), name, (unsigned long)size, flags);
	CALL_OR(fs, setxattr, -ENOSYS, path, name, value, size, flags);
}

int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name,
		     char *value, size_t size)
{
	TRACE(fs, "getxattr %s %s %lu\n", NP(path), name, (unsigned long)size);
	CALL_OR(fs, getxattr, -ENOSYS, path, name, value, size);
}

int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list,
		      size_t size)
{
	TRACE(fs, "listxattr %s %lu\n", NP(path), (unsigned long)size);
	CALL_OR(fs, listxattr, -ENOSYS, path, list, size);
}

int fuse_fs_removexattr(struct fuse_fs *fs, const char *path,
			const char *name)
{
	TRACE(fs, "removexattr %s %s\n", NP(path), name);
	CALL_OR(fs, removexattr, -ENOSYS, path, name);
}

int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize,
		 uint64_t *idx)
{
	CALL_OR(fs, bmap, -ENOSYS, path, blocksize, idx);
}

int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, unsigned int cmd,
		  void *arg, struct fuse_file_info *fi, unsigned int flags,
		  void *data)
{
	CALL_OR(fs, ioctl, -ENOSYS, path, cmd, arg, fi, flags, data);
}

int fuse_fs_poll(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi, struct fuse_pollhandle *ph,
		 unsigned *reventsp)
{
	enter(fs);
	if (fs->op.poll)
		return fs->op.poll(path, fi, ph, reventsp);
	/* nobody will ever notify through it */
	fuse_pollhandle_destroy(ph);
	return -ENOSYS;
}

int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode,
		      off_t offset, off_t length, struct fuse_file_info *fi)
{
	TRACE(fs, "fallocate %s mode %x, offset: %llu, length: %llu\n",
	      NP(path), mode, (unsigned long long)offset,
	      (unsigned long long)length);
	CALL_OR(fs, fallocate, -ENOSYS, path, mode, offset, length, fi);
}

ssize_t fuse_fs_copy_file_range(struct fuse_fs *fs, const char *path_in,
				struct fuse_file_info *fi_in, off_t off_in,
				const char *path_out,
				struct fuse_file_info *fi_out, off_t off_out,
				size_t len, int flags)
{
	TRACE(fs, "copy_file_range from %s:%llu to %s:%llu, length: %llu\n",
	      NP(path_in), (unsigned long long)off_in, NP(path_out),
	      (unsigned long long)off_out, (unsigned long long)len);
	CALL_OR(fs, copy_file_range, -ENOSYS, path_in, fi_in, off_in,
		path_out, fi_out, off_out, len, flags);
}

off_t fuse_fs_lseek(struct fuse_fs *fs, const char *path, off_t off,
		    int whence, struct fuse_file_info *fi)
{
	TRACE(fs, "lseek[%s] %llu %d\n",
	      FH(fi), (unsigned long long)off, whence);
	CALL_OR(fs, lseek, -ENOSYS, path, off, whence, fi);
}

#if FUSED_SOVERSION >= 4
int fuse_fs_statx(struct fuse_fs *fs, const char *path, int flags, int mask,
		  struct statx *stxbuf, struct fuse_file_info *fi)
{
	TRACE(fs, "statx[%s] %s 0x%x 0x%x\n", FH(fi), NP(path), flags, mask);
	CALL_OR(fs, statx, -ENOSYS, path, flags, mask, stxbuf, fi);
}
#endif

void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn,
		  struct fuse_config *cfg)
{
	enter(fs);
	/* the kernel must not send what nobody here can serve */
	if (!fs->op.write_buf)
		conn->want &= ~FUSE_CAP_SPLICE_READ;
	if (!fs->op.lock)
		conn->want &= ~FUSE_CAP_POSIX_LOCKS;
	if (!fs->op.flock)
		conn->want &= ~FUSE_CAP_FLOCK_LOCKS;
	if (fs->op.init)
		fs->user_data = fs->op.init(conn, cfg);
}

void fuse_fs_destroy(struct fuse_fs *fs)
{
	enter(fs);
	if (fs->op.destroy)
		fs->op.destroy(fs->user_data);
	free(fs);
}
