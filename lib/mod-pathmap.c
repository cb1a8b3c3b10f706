// SPDX-License-Identifier: LGPL-2.1-or-later
/* Path-mapping modules (mod-pathmap.h): every fuse_operations member
 * forwarded to the file system below with its paths mapped down, names
 * and symlink targets mapped back up.  The mapping is the module's. */
#include "mod-pathmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pathmap {
	const struct hl_pathmap_ops *ops;
	void *data;
	struct fuse_fs *next;
};

static struct pathmap *get(void)
{
	return fuse_get_context()->private_data;
}

static int map(struct pathmap *pm, const char *path, char **ret)
{
	return pm->ops->path_in(pm->data, path, ret);
}

#define WITH(path, expr)                                                  \
	do {                                                              \
		struct pathmap *pm = get();                               \
		char *np;                                                 \
		int err_ = map(pm, (path), &np);                          \
		if (err_)                                                 \
			return err_;                                      \
		err_ = (expr);                                            \
		free(np);                                                 \
		return err_;                                              \
	} while (0)

#define WITH2(path1, path2, expr)                                         \
	do {                                                              \
		struct pathmap *pm = get();                               \
		char *np1, *np2 = NULL;                                   \
		int err_ = map(pm, (path1), &np1);                        \
		if (!err_)                                                \
			err_ = map(pm, (path2), &np2);                    \
		if (!err_)                                                \
			err_ = (expr);                                    \
		free(np1);                                                \
		free(np2);                                                \
		return err_;                                              \
	} while (0)

static int pm_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_getattr(pm->next, np, st, fi));
}

static int pm_access(const char *path, int mask)
{
	WITH(path, fuse_fs_access(pm->next, np, mask));
}

static int pm_readlink(const char *path, char *buf, size_t size)
{
	struct pathmap *pm = get();
	char *np;
	int err = map(pm, path, &np);

	if (err)
		return err;
	err = fuse_fs_readlink(pm->next, np, buf, size);
	free(np);
	if (!err && pm->ops->target_out)
		err = pm->ops->target_out(pm->data, path, buf, size);
	return err;
}

static int pm_opendir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_opendir(pm->next, np, fi));
}

/* readdir's buffer while names are mapped: the caller's filler and its
 * buffer behind ours. */
struct dirbuf {
	struct pathmap *pm;
	void *buf;
	fuse_fill_dir_t filler;
};

static int pm_fill(void *buf, const char *name, const struct stat *st,
		   off_t off, enum fuse_fill_dir_flags flags)
{
	struct dirbuf *db = buf;
	char *mapped;
	int r;

	if (db->pm->ops->name_out(db->pm->data, name, &mapped) < 0)
		return 0;	/* a name with no spelling here is skipped */
	r = db->filler(db->buf, mapped, st, off, flags);
	free(mapped);
	return r;
}

static int pm_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct pathmap *pm = get();
	struct dirbuf db = { pm, buf, filler };
	char *np;
	int err = map(pm, path, &np);

	if (err)
		return err;
	if (pm->ops->name_out)
		err = fuse_fs_readdir(pm->next, np, &db, pm_fill, off, fi,
				      flags);
	else
		err = fuse_fs_readdir(pm->next, np, buf, filler, off, fi,
				      flags);
	free(np);
	return err;
}

static int pm_releasedir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_releasedir(pm->next, np, fi));
}

static int pm_mknod(const char *path, mode_t mode, dev_t rdev)
{
	WITH(path, fuse_fs_mknod(pm->next, np, mode, rdev));
}

static int pm_mkdir(const char *path, mode_t mode)
{
	WITH(path, fuse_fs_mkdir(pm->next, np, mode));
}

static int pm_unlink(const char *path)
{
	WITH(path, fuse_fs_unlink(pm->next, np));
}

static int pm_rmdir(const char *path)
{
	WITH(path, fuse_fs_rmdir(pm->next, np));
}

static int pm_symlink(const char *target, const char *path)
{
	struct pathmap *pm = get();
	char *nt = NULL, *np = NULL;
	int err = 0;

	if (pm->ops->target_in)
		err = pm->ops->target_in(pm->data, target, &nt);
	if (!err)
		err = map(pm, path, &np);
	if (!err)
		err = fuse_fs_symlink(pm->next, nt ? nt : target, np);
	free(nt);
	free(np);
	return err;
}

static int pm_rename(const char *from, const char *to, unsigned int flags)
{
	WITH2(from, to, fuse_fs_rename(pm->next, np1, np2, flags));
}

static int pm_link(const char *from, const char *to)
{
	WITH2(from, to, fuse_fs_link(pm->next, np1, np2));
}

static int pm_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chmod(pm->next, np, mode, fi));
}

static int pm_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chown(pm->next, np, uid, gid, fi));
}

static int pm_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_truncate(pm->next, np, size, fi));
}

static int pm_utimens(const char *path, const struct timespec ts[2],
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_utimens(pm->next, np, ts, fi));
}

static int pm_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_create(pm->next, np, mode, fi));
}

static int pm_open(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_open(pm->next, np, fi));
}

static int pm_read_buf(const char *path, struct fuse_bufvec **bufp,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_read_buf(pm->next, np, bufp, size, off, fi));
}

static int pm_write_buf(const char *path, struct fuse_bufvec *buf, off_t off,
			struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_write_buf(pm->next, np, buf, off, fi));
}

static int pm_statfs(const char *path, struct statvfs *st)
{
	WITH(path, fuse_fs_statfs(pm->next, np, st));
}

static int pm_flush(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_flush(pm->next, np, fi));
}

static int pm_release(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_release(pm->next, np, fi));
}

static int pm_fsync(const char *path, int isdatasync,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsync(pm->next, np, isdatasync, fi));
}

static int pm_fsyncdir(const char *path, int isdatasync,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsyncdir(pm->next, np, isdatasync, fi));
}

static int pm_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	WITH(path, fuse_fs_setxattr(pm->next, np, name, value, size, flags));
}

static int pm_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	WITH(path, fuse_fs_getxattr(pm->next, np, name, value, size));
}

static int pm_listxattr(const char *path, char *list, size_t size)
{
	WITH(path, fuse_fs_listxattr(pm->next, np, list, size));
}

static int pm_removexattr(const char *path, const char *name)
{
	WITH(path, fuse_fs_removexattr(pm->next, np, name));
}

static int pm_lock(const char *path, struct fuse_file_info *fi, int cmd,
		   struct flock *lock)
{
	WITH(path, fuse_fs_lock(pm->next, np, fi, cmd, lock));
}

static int pm_flock(const char *path, struct fuse_file_info *fi, int op)
{
	WITH(path, fuse_fs_flock(pm->next, np, fi, op));
}

static int pm_bmap(const char *path, size_t blocksize, uint64_t *idx)
{
	WITH(path, fuse_fs_bmap(pm->next, np, blocksize, idx));
}

static int pm_ioctl(const char *path, unsigned int cmd, void *arg,
		    struct fuse_file_info *fi, unsigned int flags, void *data)
{
	WITH(path, fuse_fs_ioctl(pm->next, np, cmd, arg, fi, flags, data));
}

static int pm_poll(const char *path, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph, unsigned *reventsp)
{
	WITH(path, fuse_fs_poll(pm->next, np, fi, ph, reventsp));
}

static int pm_fallocate(const char *path, int mode, off_t offset,
			off_t length, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fallocate(pm->next, np, mode, offset, length, fi));
}

static ssize_t pm_copy_file_range(const char *path_in,
				  struct fuse_file_info *fi_in, off_t off_in,
				  const char *path_out,
				  struct fuse_file_info *fi_out, off_t off_out,
				  size_t len, int flags)
{
	struct pathmap *pm = get();
	char *in, *out = NULL;
	ssize_t r = map(pm, path_in, &in);

	if (!r)
		r = map(pm, path_out, &out);
	if (!r)
		r = fuse_fs_copy_file_range(pm->next, in, fi_in, off_in, out,
					    fi_out, off_out, len, flags);
	free(in);
	free(out);
	return r;
}

static off_t pm_lseek(const char *path, off_t off, int whence,
		      struct fuse_file_info *fi)
{
	struct pathmap *pm = get();
	char *np;
	off_t r = map(pm, path, &np);

	if (!r)
		r = fuse_fs_lseek(pm->next, np, off, whence, fi);
	free(np);
	return r;
}

static void *pm_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct pathmap *pm = get();

	fuse_fs_init(pm->next, conn, cfg);
	return pm;
}

static void pm_destroy(void *data)
{
	struct pathmap *pm = data;

	fuse_fs_destroy(pm->next);
	pm->ops->free(pm->data);
	free(pm);
}

static const struct fuse_operations pathmap_ops = {
	.init = pm_init,
	.destroy = pm_destroy,
	.getattr = pm_getattr,
	.access = pm_access,
	.readlink = pm_readlink,
	.opendir = pm_opendir,
	.readdir = pm_readdir,
	.releasedir = pm_releasedir,
	.mknod = pm_mknod,
	.mkdir = pm_mkdir,
	.symlink = pm_symlink,
	.unlink = pm_unlink,
	.rmdir = pm_rmdir,
	.rename = pm_rename,
	.link = pm_link,
	.chmod = pm_chmod,
	.chown = pm_chown,
	.truncate = pm_truncate,
	.utimens = pm_utimens,
	.create = pm_create,
	.open = pm_open,
	.read_buf = pm_read_buf,
	.write_buf = pm_write_buf,
	.statfs = pm_statfs,
	.flush = pm_flush,
	.release = pm_release,
	.fsync = pm_fsync,
	.fsyncdir = pm_fsyncdir,
	.setxattr = pm_setxattr,
	.getxattr = pm_getxattr,
	.listxattr = pm_listxattr,
	.removexattr = pm_removexattr,
	.lock = pm_lock,
	.flock = pm_flock,
	.bmap = pm_bmap,
	.ioctl = pm_ioctl,
	.poll = pm_poll,
	.fallocate = pm_fallocate,
	.copy_file_range = pm_copy_file_range,
	.lseek = pm_lseek,
};

struct fuse_fs *hl_pathmap_new(const struct hl_pathmap_ops *ops, void *data,
			       struct fuse_fs *next)
{
	struct pathmap *pm = calloc(1, sizeof(*pm));
	struct fuse_fs *fs;

	if (!pm)
		return NULL;
	pm->ops = ops;
	pm->data = data;
	pm->next = next;
	fs = fuse_fs_new(&pathmap_ops, sizeof(pathmap_ops), pm);
	if (!fs)
		free(pm);
	return fs;
}
