/* The iconv module: "-o modules=iconv,from_code=X,to_code=Y" shows file
 * names stored in charset X (the file system's) as charset Y (the
 * mount's): paths going down are converted Y -> X, names coming up from
 * readdir and readlink X -> Y. */
#include "highlevel-i.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iconv_fs {
	struct fuse_fs *next;
	pthread_mutex_t lock;	/* an iconv_t is not thread-safe */
	char *from_code;
	char *to_code;
	iconv_t tofs;
	iconv_t fromfs;
};

static struct iconv_fs *get(void)
{
	return fuse_get_context()->private_data;
}

static int convert(struct iconv_fs *ic, iconv_t cd, const char *s,
		   char **ret)
{
	size_t inlen, cap;
	char *out = NULL;
	int r = 0;

	*ret = NULL;
	if (!s)
		return 0;
	inlen = strlen(s);
	cap = inlen * 2 + 16;
	pthread_mutex_lock(&ic->lock);
	for (;;) {
		char *in = (char *)s, *o;
		size_t inleft = inlen, outleft;
		char *n = realloc(out, cap + 1);

		if (!n) {
			r = -ENOMEM;
			break;
		}
		out = n;
		o = out;
		outleft = cap;
		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1 &&
		    iconv(cd, NULL, NULL, &o, &outleft) != (size_t)-1) {
			*o = '\0';
			break;
		}
		if (errno != E2BIG) {
			r = -EILSEQ;
			break;
		}
		cap *= 2;
	}
	pthread_mutex_unlock(&ic->lock);
	if (r) {
		free(out);
		return r;
	}
	*ret = out;
	return 0;
}

#define WITH(path, expr)                                                  \
	do {                                                              \
		struct iconv_fs *ic = get();                              \
		char *np;                                                 \
		int err_ = convert(ic, ic->tofs, (path), &np);            \
		if (err_)                                                 \
			return err_;                                      \
		err_ = (expr);                                            \
		free(np);                                                 \
		return err_;                                              \
	} while (0)

#define WITH2(path1, path2, expr)                                         \
	do {                                                              \
		struct iconv_fs *ic = get();                              \
		char *np1, *np2 = NULL;                                   \
		int err_ = convert(ic, ic->tofs, (path1), &np1);          \
		if (!err_)                                                \
			err_ = convert(ic, ic->tofs, (path2), &np2);      \
		if (!err_)                                                \
			err_ = (expr);                                    \
		free(np1);                                                \
		free(np2);                                                \
		return err_;                                              \
	} while (0)

static int ic_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_getattr(ic->next, np, st, fi));
}

static int ic_access(const char *path, int mask)
{
	WITH(path, fuse_fs_access(ic->next, np, mask));
}

static int ic_readlink(const char *path, char *buf, size_t size)
{
	struct iconv_fs *ic = get();
	char *np, *conv;
	int err = convert(ic, ic->tofs, path, &np);

	if (err)
		return err;
	err = fuse_fs_readlink(ic->next, np, buf, size);
	free(np);
	if (err)
		return err;
	err = convert(ic, ic->fromfs, buf, &conv);
	if (err)
		return err;
	strncpy(buf, conv, size - 1);
	buf[size - 1] = '\0';
	free(conv);
	return 0;
}

static int ic_opendir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_opendir(ic->next, np, fi));
}

struct dirbuf {
	struct iconv_fs *ic;
	void *buf;
	fuse_fill_dir_t filler;
};

static int ic_fill(void *buf, const char *name, const struct stat *st,
		   off_t off, enum fuse_fill_dir_flags flags)
{
	struct dirbuf *db = buf;
	char *conv;
	int r;

	if (convert(db->ic, db->ic->fromfs, name, &conv) < 0)
		return 0;	/* a name with no spelling here is skipped */
	r = db->filler(db->buf, conv, st, off, flags);
	free(conv);
	return r;
}

static int ic_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct iconv_fs *ic = get();
	struct dirbuf db = { ic, buf, filler };
	char *np;
	int err = convert(ic, ic->tofs, path, &np);

	if (err)
		return err;
	err = fuse_fs_readdir(ic->next, np, &db, ic_fill, off, fi, flags);
	free(np);
	return err;
}

static int ic_releasedir(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_releasedir(ic->next, np, fi));
}

static int ic_mknod(const char *path, mode_t mode, dev_t rdev)
{
	WITH(path, fuse_fs_mknod(ic->next, np, mode, rdev));
}

static int ic_mkdir(const char *path, mode_t mode)
{
	WITH(path, fuse_fs_mkdir(ic->next, np, mode));
}

static int ic_unlink(const char *path)
{
	WITH(path, fuse_fs_unlink(ic->next, np));
}

static int ic_rmdir(const char *path)
{
	WITH(path, fuse_fs_rmdir(ic->next, np));
}

static int ic_symlink(const char *from, const char *to)
{
	WITH2(from, to, fuse_fs_symlink(ic->next, np1, np2));
}

static int ic_rename(const char *from, const char *to, unsigned int flags)
{
	WITH2(from, to, fuse_fs_rename(ic->next, np1, np2, flags));
}

static int ic_link(const char *from, const char *to)
{
	WITH2(from, to, fuse_fs_link(ic->next, np1, np2));
}

static int ic_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chmod(ic->next, np, mode, fi));
}

static int ic_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_chown(ic->next, np, uid, gid, fi));
}

static int ic_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_truncate(ic->next, np, size, fi));
}

static int ic_utimens(const char *path, const struct timespec ts[2],
		      struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_utimens(ic->next, np, ts, fi));
}

static int ic_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_create(ic->next, np, mode, fi));
}

static int ic_open(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_open(ic->next, np, fi));
}

static int ic_read_buf(const char *path, struct fuse_bufvec **bufp,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_read_buf(ic->next, np, bufp, size, off, fi));
}

static int ic_write_buf(const char *path, struct fuse_bufvec *buf, off_t off,
			struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_write_buf(ic->next, np, buf, off, fi));
}

static int ic_statfs(const char *path, struct statvfs *st)
{
	WITH(path, fuse_fs_statfs(ic->next, np, st));
}

static int ic_flush(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_flush(ic->next, np, fi));
}

static int ic_release(const char *path, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_release(ic->next, np, fi));
}

static int ic_fsync(const char *path, int isdatasync,
		    struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsync(ic->next, np, isdatasync, fi));
}

static int ic_fsyncdir(const char *path, int isdatasync,
		       struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fsyncdir(ic->next, np, isdatasync, fi));
}

static int ic_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	WITH(path, fuse_fs_setxattr(ic->next, np, name, value, size, flags));
}

static int ic_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	WITH(path, fuse_fs_getxattr(ic->next, np, name, value, size));
}

static int ic_listxattr(const char *path, char *list, size_t size)
{
	WITH(path, fuse_fs_listxattr(ic->next, np, list, size));
}

static int ic_removexattr(const char *path, const char *name)
{
	WITH(path, fuse_fs_removexattr(ic->next, np, name));
}

static int ic_lock(const char *path, struct fuse_file_info *fi, int cmd,
		   struct flock *lock)
{
	WITH(path, fuse_fs_lock(ic->next, np, fi, cmd, lock));
}

static int ic_flock(const char *path, struct fuse_file_info *fi, int op)
{
	WITH(path, fuse_fs_flock(ic->next, np, fi, op));
}

static int ic_bmap(const char *path, size_t blocksize, uint64_t *idx)
{
	WITH(path, fuse_fs_bmap(ic->next, np, blocksize, idx));
}

static int ic_ioctl(const char *path, unsigned int cmd, void *arg,
		    struct fuse_file_info *fi, unsigned int flags, void *data)
{
	WITH(path, fuse_fs_ioctl(ic->next, np, cmd, arg, fi, flags, data));
}

static int ic_poll(const char *path, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph, unsigned *reventsp)
{
	WITH(path, fuse_fs_poll(ic->next, np, fi, ph, reventsp));
}

static int ic_fallocate(const char *path, int mode, off_t offset,
			off_t length, struct fuse_file_info *fi)
{
	WITH(path, fuse_fs_fallocate(ic->next, np, mode, offset, length, fi));
}

static ssize_t ic_copy_file_range(const char *path_in,
				  struct fuse_file_info *fi_in, off_t off_in,
				  const char *path_out,
				  struct fuse_file_info *fi_out, off_t off_out,
				  size_t len, int flags)
{
	struct iconv_fs *ic = get();
	char *in, *out = NULL;
	ssize_t r = convert(ic, ic->tofs, path_in, &in);

	if (!r)
		r = convert(ic, ic->tofs, path_out, &out);
	if (!r)
		r = fuse_fs_copy_file_range(ic->next, in, fi_in, off_in, out,
					    fi_out, off_out, len, flags);
	free(in);
	free(out);
	return r;
}

static off_t ic_lseek(const char *path, off_t off, int whence,
		      struct fuse_file_info *fi)
{
	struct iconv_fs *ic = get();
	char *np;
	off_t r = convert(ic, ic->tofs, path, &np);

	if (!r)
		r = fuse_fs_lseek(ic->next, np, off, whence, fi);
	free(np);
	return r;
}

static void *ic_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct iconv_fs *ic = get();

	fuse_fs_init(ic->next, conn, cfg);
	return ic;
}

static void ic_free(struct iconv_fs *ic)
{
	if (ic->tofs != (iconv_t)-1)
		iconv_close(ic->tofs);
	if (ic->fromfs != (iconv_t)-1)
		iconv_close(ic->fromfs);
	free(ic->from_code);
	free(ic->to_code);
	pthread_mutex_destroy(&ic->lock);
	free(ic);
}

static void ic_destroy(void *data)
{
	struct iconv_fs *ic = data;

	fuse_fs_destroy(ic->next);
	ic_free(ic);
}

static const struct fuse_operations iconv_ops = {
	.init = ic_init,
	.destroy = ic_destroy,
	.getattr = ic_getattr,
	.access = ic_access,
	.readlink = ic_readlink,
	.opendir = ic_opendir,
	.readdir = ic_readdir,
	.releasedir = ic_releasedir,
	.mknod = ic_mknod,
	.mkdir = ic_mkdir,
	.symlink = ic_symlink,
	.unlink = ic_unlink,
	.rmdir = ic_rmdir,
	.rename = ic_rename,
	.link = ic_link,
	.chmod = ic_chmod,
	.chown = ic_chown,
	.truncate = ic_truncate,
	.utimens = ic_utimens,
	.create = ic_create,
	.open = ic_open,
	.read_buf = ic_read_buf,
	.write_buf = ic_write_buf,
	.statfs = ic_statfs,
	.flush = ic_flush,
	.release = ic_release,
	.fsync = ic_fsync,
	.fsyncdir = ic_fsyncdir,
	.setxattr = ic_setxattr,
	.getxattr = ic_getxattr,
	.listxattr = ic_listxattr,
	.removexattr = ic_removexattr,
	.lock = ic_lock,
	.flock = ic_flock,
	.bmap = ic_bmap,
	.ioctl = ic_ioctl,
	.poll = ic_poll,
	.fallocate = ic_fallocate,
	.copy_file_range = ic_copy_file_range,
	.lseek = ic_lseek,
};

static const struct fuse_opt iconv_opts[] = {
	{ "from_code=%s", offsetof(struct iconv_fs, from_code), 0 },
	{ "to_code=%s", offsetof(struct iconv_fs, to_code), 0 },
	FUSE_OPT_END
};

/* The locale's charset, without leaving the program's locale changed. */
static char *locale_charset(void)
{
	const char *cur = setlocale(LC_CTYPE, NULL);
	char *saved = cur ? strdup(cur) : NULL;
	char *r;

	setlocale(LC_CTYPE, "");
	r = strdup(nl_langinfo(CODESET));
	if (saved) {
		setlocale(LC_CTYPE, saved);
		free(saved);
	}
	return r;
}

void hl_iconv_help(void)
{
	char *cs = locale_charset();

	printf(
"    -o from_code=CHARSET   charset of the file system's names (UTF-8)\n"
"    -o to_code=CHARSET     charset shown through the mount (%s)\n",
	       cs ? cs : "the locale's");
	free(cs);
}

struct fuse_fs *hl_iconv_factory(struct fuse_args *args,
				 struct fuse_fs *next[])
{
	struct iconv_fs *ic;
	struct fuse_fs *fs;

	if (!next[0] || next[1]) {
		fuse_log(FUSE_LOG_ERR, "iconv: exactly one file system below\n");
		return NULL;
	}
	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	pthread_mutex_init(&ic->lock, NULL);
	ic->tofs = ic->fromfs = (iconv_t)-1;
	if (fuse_opt_parse(args, ic, iconv_opts, NULL) == -1)
		goto fail;
	if (!ic->from_code)
		ic->from_code = strdup("UTF-8");
	if (!ic->to_code)
		ic->to_code = locale_charset();
	if (!ic->from_code || !ic->to_code)
		goto fail;
	ic->tofs = iconv_open(ic->from_code, ic->to_code);
	ic->fromfs = iconv_open(ic->to_code, ic->from_code);
	if (ic->tofs == (iconv_t)-1 || ic->fromfs == (iconv_t)-1) {
		fuse_log(FUSE_LOG_ERR,
			 "iconv: cannot convert between '%s' and '%s'\n",
			 ic->from_code, ic->to_code);
		goto fail;
	}
	ic->next = next[0];
	fs = fuse_fs_new(&iconv_ops, sizeof(iconv_ops), ic);
	if (fs)
		return fs;
fail:
	ic_free(ic);
	return NULL;
}
