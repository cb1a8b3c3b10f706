/* The subdir module: "-o modules=subdir,subdir=DIR" shows DIR of the
 * file system below as the root; with rellinks, absolute symlinks that
 * point inside DIR read back as relative ones, so they still work when
 * seen through the mount. */
#include "highlevel-i.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct subdir {
	char *base;
	size_t baselen;
	int rellinks;
	struct fuse_fs *next;
};

static struct subdir *get(void)
{
	return fuse_get_context()->private_data;
}

static int addpath(struct subdir *d, const char *path, char **ret)
{
	size_t len;
	char *p;

	*ret = NULL;
	if (!path)
		return 0;	/* nullpath_ok: stays NULL */
	len = strlen(path);
	p = malloc(d->baselen + len + 2);
	if (!p)
		return -ENOMEM;
	memcpy(p, d->base, d->baselen);
	memcpy(p + d->baselen, path, len + 1);
	if (!p[0])
		strcpy(p, "/");
	*ret = p;
	return 0;
}

#define WITH(path, expr)                                                  \
	do {                                                              \
		struct subdir *d = get();                                 \
		char *np;                                                 \
		int err_ = addpath(d, (path), &np);                       \
		if (err_)                                                 \
			return err_;                                      \
		err_ = (expr);                                            \
		free(np);                                                 \
		return err_;                                              \
	} while (0)

#define WITH2(path1, path2, expr)                                         \
	do {                                                              \
		struct subdir *d = get();                                 \
		char *np1, *np2 = NULL;                                   \
		int err_ = addpath(d, (path1), &np1);                     \
		if (!err_)                                                \
			err_ = addpath(d, (path2), &np2);                 \
		if (!err_)                                                \
			err_ = (expr);                                    \
		free(np1);                                                \
		free(np2);                                                \
		return err_;                                              \
	} while (0)

static int sd_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_getattr(d->next, np, st, fi));
}

static int sd_access(const char *path, int mask)
{
	WITH(path, fuse_fs_access(d->next, np, mask));
}

/* Components of s up to (not including) the last one, for counting. */
static size_t count_dirs(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n ? n - 1 : 0;
}

/* An absolute target inside the subdir becomes relative to the link's
 * directory: the shared leading directories are dropped and each of the
 * link's remaining ones becomes "../". */
static void make_relative(struct subdir *d, const char *linkpath, char *buf,
			  size_t size)
{
	const char *t, *l = linkpath;
	size_t ups, rest;
	char *out;

	if (buf[0] != '/' || d->baselen == 0 ||
	    strncmp(buf, d->base, d->baselen) != 0 ||
	    (buf[d->baselen] != '/' && buf[d->baselen] != '\0'))
		return;
	t = buf + d->baselen;	/* "/a/b" as seen through the mount */
	for (;;) {
		const char *le = strchr(l + 1, '/');
		size_t n;

		/* stop at the link's own name: only directories match */
		if (!le)
			break;
		n = (size_t)(le - l);
		if (strncmp(l, t, n) != 0 || (t[n] != '/' && t[n] != '\0'))
			break;
		l += n;
		t += n;
	}
	ups = count_dirs(l);
	while (*t == '/')
		t++;
	rest = strlen(t);
	if (ups * 3 + rest + 2 > size)
		return;
	out = malloc(ups * 3 + rest + 2);
	if (!out)
		return;
	for (size_t i = 0; i < ups; i++)
		memcpy(out + i * 3, "../", 3);
	memcpy(out + ups * 3, t, rest + 1);
	if (!out[0])
		strcpy(out, ".");
	else if (ups && !rest)
		out[ups * 3 - 1] = '\0';	/* "../.." not "../../" */
	strcpy(buf, out);
	free(out);
}

static int sd_readlink(const char *path, char *buf, size_t size)
{
	struct subdir *d = get();
	char *np;
	int err = addpath(d, path, &np);

	if (err)
		return err;
	err = fuse_fs_readlink(d->next, np, buf, size);
	if (!err && d->rellinks)
		make_relative(d, path, buf, size);
	free(np);
	return err;
}

static int sd_opendir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_opendir(d->next, np, fi));
}

static int sd_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	WITH(path, fuse_fs_readdir(d->next, np, buf, filler, off, fi, flags));
}

static int sd_releasedir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_releasedir(d->next, np, fi));
}

static int sd_mknod(const char *path, mode_t mode, dev_t rdev)
{
	WITH(path, fuse_fs_mknod(d->next, np, mode, rdev));
}

static int sd_mkdir(const char *path, mode_t mode)
{
	WITH(path, fuse_fs_mkdir(d->next, np, mode));
}

static int sd_unlink(const char *path)
{
	WITH(path, fuse_fs_unlink(d->next, np));
}

static int sd_rmdir(const char *path)
{
	WITH(path, fuse_fs_rmdir(d->next, np));
}

static int sd_symlink(const char *from, const char *path)
{
	WITH(path, fuse_fs_symlink(d->next, from, np));
}

static int sd_rename(const char *from, const char *to, unsigned int flags)
{
	WITH2(from, to, fuse_fs_rename(d->next, np1, np2, flags));
}

static int sd_link(const char *from, const char *to)
{
	WITH2(from, to, fuse_fs_link(d->next, np1, np2));
}

static int sd_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chmod(d->next, np, mode, fi));
}

static int sd_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chown(d->next, np, uid, gid, fi));
}

static int sd_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_truncate(d->next, np, size, fi));
}

static int sd_utimens(const char *path, const struct timespec ts[2],
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_utimens(d->next, np, ts, fi));
}

static int sd_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_create(d->next, np, mode, fi));
}

static int sd_open(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_open(d->next, np, fi));
}

static int sd_read_buf(const char *path, struct fuse_bufvec **bufp,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_read_buf(d->next, np, bufp, size, off, fi));
}

static int sd_write_buf(const char *path, struct fuse_bufvec *buf, off_t off,
			struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_write_buf(d->next, np, buf, off, fi));
}

static int sd_statfs(const char *path, struct statvfs *st)
{
	WITH(path, fuse_fs_statfs(d->next, np, st));
}

static int sd_flush(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_flush(d->next, np, fi));
}

static int sd_release(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_release(d->next, np, fi));
}

static int sd_fsync(const char *path, int isdatasync,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsync(d->next, np, isdatasync, fi));
}

static int sd_fsyncdir(const char *path, int isdatasync,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsyncdir(d->next, np, isdatasync, fi));
}

static int sd_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	WITH(path, fuse_fs_setxattr(d->next, np, name, value, size, flags));
}

static int sd_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	WITH(path, fuse_fs_getxattr(d->next, np, name, value, size));
}

static int sd_listxattr(const char *path, char *list, size_t size)
{
	WITH(path, fuse_fs_listxattr(d->next, np, list, size));
}

static int sd_removexattr(const char *path, const char *name)
{
	WITH(path, fuse_fs_removexattr(d->next, np, name));
}

static int sd_lock(const char *path, struct fuse_file_info *fi, int cmd,
		   struct flock *lock)
{
	WITH(path, fuse_fs_lock(d->next, np, fi, cmd, lock));
}

static int sd_flock(const char *path, struct fuse_file_info *fi, int op)
{
	WITH(path, fuse_fs_flock(d->next, np, fi, op));
}

static int sd_bmap(const char *path, size_t blocksize, uint64_t *idx)
{
	WITH(path, fuse_fs_bmap(d->next, np, blocksize, idx));
}

static int sd_ioctl(const char *path, unsigned int cmd, void *arg,
		    struct fuse_file_info *fi, unsigned int flags, void *data)
{
	WITH(path, fuse_fs_ioctl(d->next, np, cmd, arg, fi, flags, data));
}

static int sd_poll(const char *path, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph, unsigned *reventsp)
{
	WITH(path, fuse_fs_poll(d->next, np, fi, ph, reventsp));
}

static int sd_fallocate(const char *path, int mode, off_t offset,
			off_t length, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fallocate(d->next, np, mode, offset, length, fi));
}

static ssize_t sd_copy_file_range(const char *path_in,
				  struct fuse_file_info *fi_in, off_t off_in,
				  const char *path_out,
				  struct fuse_file_info *fi_out, off_t off_out,
				  size_t len, int flags)
{
	struct subdir *d = get();
	char *in, *out = NULL;
	ssize_t r = addpath(d, path_in, &in);

	if (!r)
		r = addpath(d, path_out, &out);
	if (!r)
		r = fuse_fs_copy_file_range(d->next, in, fi_in, off_in, out,
					    fi_out, off_out, len, flags);
	free(in);
	free(out);
	return r;
}

static off_t sd_lseek(const char *path, off_t off, int whence,
		      struct fuse_file_info *fi)
{
	struct subdir *d = get();
	char *np;
	off_t r = addpath(d, path, &np);

	if (!r)
		r = fuse_fs_lseek(d->next, np, off, whence, fi);
	free(np);
	return r;
}

static void *sd_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct subdir *d = get();

	fuse_fs_init(d->next, conn, cfg);
	return d;
}

static void sd_destroy(void *data)
{
	struct subdir *d = data;

	fuse_fs_destroy(d->next);
	free(d->base);
	free(d);
}

static const struct fuse_operations subdir_ops = {
	.init = sd_init,
	.destroy = sd_destroy,
	.getattr = sd_getattr,
	.access = sd_access,
	.readlink = sd_readlink,
	.opendir = sd_opendir,
	.readdir = sd_readdir,
	.releasedir = sd_releasedir,
	.mknod = sd_mknod,
	.mkdir = sd_mkdir,
	.symlink = sd_symlink,
	.unlink = sd_unlink,
	.rmdir = sd_rmdir,
	.rename = sd_rename,
	.link = sd_link,
	.chmod = sd_chmod,
	.chown = sd_chown,
	.truncate = sd_truncate,
	.utimens = sd_utimens,
	.create = sd_create,
	.open = sd_open,
	.read_buf = sd_read_buf,
	.write_buf = sd_write_buf,
	.statfs = sd_statfs,
	.flush = sd_flush,
	.release = sd_release,
	.fsync = sd_fsync,
	.fsyncdir = sd_fsyncdir,
	.setxattr = sd_setxattr,
	.getxattr = sd_getxattr,
	.listxattr = sd_listxattr,
	.removexattr = sd_removexattr,
	.lock = sd_lock,
	.flock = sd_flock,
	.bmap = sd_bmap,
	.ioctl = sd_ioctl,
	.poll = sd_poll,
	.fallocate = sd_fallocate,
	.copy_file_range = sd_copy_file_range,
	.lseek = sd_lseek,
};

struct subdir_opts {
	char *base;
	int rellinks;
};

static const struct fuse_opt subdir_opts[] = {
	{ "subdir=%s", offsetof(struct subdir_opts, base), 0 },
	{ "rellinks", offsetof(struct subdir_opts, rellinks), 1 },
	{ "norellinks", offsetof(struct subdir_opts, rellinks), 0 },
	FUSE_OPT_END
};

void hl_subdir_help(void)
{
	printf(
"    -o subdir=DIR          show DIR of the file system as its root (required)\n"
"    -o [no]rellinks        absolute symlinks into DIR read as relative (off)\n");
}

struct fuse_fs *hl_subdir_factory(struct fuse_args *args,
				  struct fuse_fs *next[])
{
	struct subdir_opts o = { 0 };
	struct subdir *d;
	struct fuse_fs *fs;

	if (!next[0] || next[1]) {
		fuse_log(FUSE_LOG_ERR, "subdir: exactly one file system below\n");
		return NULL;
	}
	if (fuse_opt_parse(args, &o, subdir_opts, NULL) == -1)
		return NULL;
	if (!o.base) {
		fuse_log(FUSE_LOG_ERR, "subdir: missing 'subdir' option\n");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(o.base);
		return NULL;
	}
	d->base = o.base;
	d->baselen = strlen(d->base);
	while (d->baselen && d->base[d->baselen - 1] == '/')
		d->base[--d->baselen] = '\0';
	d->rellinks = o.rellinks;
	d->next = next[0];
	fs = fuse_fs_new(&subdir_ops, sizeof(subdir_ops), d);
	if (!fs) {
		free(d->base);
		free(d);
	}
	return fs;
}
