// SPDX-License-Identifier: LGPL-2.1-or-later
/* The path adapter for open files: open/create and release (with the
 * hidden files' end), read and write, flush and the lock list, and the
 * other operations on a file handle. */
#include "highlevel-i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

static void open_auto_cache(struct fuse *f, fuse_ino_t ino, const char *path,
			    struct fuse_file_info *fi)
{
	struct hl_node *n;
	bool check = false;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n && n->cache_valid) {
		double age = (double)(now.tv_sec - n->stat_updated.tv_sec) +
			     (double)(now.tv_nsec - n->stat_updated.tv_nsec) /
			     1e9;

		check = age >= f->conf.ac_attr_timeout;
	}
	pthread_mutex_unlock(&f->table.lock);
	if (check) {
		struct stat st;
		int err = fuse_fs_getattr(f->fs, path, &st, fi);

		pthread_mutex_lock(&f->table.lock);
		n = hl_node_get(&f->table, ino);
		if (n) {
			if (err)
				n->cache_valid = false;
			else
				hl_update_stat(n, &st);
		}
		pthread_mutex_unlock(&f->table.lock);
	}
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n) {
		if (n->cache_valid)
			fi->keep_cache = 1;
		n->cache_valid = true;
	}
	pthread_mutex_unlock(&f->table.lock);
}

static void open_flags(struct fuse *f, fuse_ino_t ino, const char *path,
		       struct fuse_file_info *fi)
{
	struct hl_node *n;

	if (f->conf.direct_io)
		fi->direct_io = 1;
	if (f->conf.kernel_cache)
		fi->keep_cache = 1;
	if (f->conf.auto_cache)
		open_auto_cache(f, ino, path, fi);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n)
		n->open_count++;
	pthread_mutex_unlock(&f->table.lock);
}

/* After the file system's release: one opener less, and the hidden
 * file's unlink once its last opener is gone.  Called with no path held
 * (the unlink write-locks the hidden name). */
static void release_bookkeeping(struct fuse *f, fuse_ino_t ino)
{
	struct hl_node *n, *wnode;
	fuse_ino_t dir = 0;
	char name[64];
	char *hpath;

	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n && n->open_count > 0 && --n->open_count == 0 && n->hidden &&
	    n->parent && n->namelen < sizeof(name)) {
		n->hidden = false;
		dir = n->parent->nodeid;
		memcpy(name, n->name, n->namelen + 1);
	}
	if (n)
		hl_node_release(&f->table, n);
	pthread_mutex_unlock(&f->table.lock);
	if (!dir)
		return;
	if (hl_path_get(&f->table, dir, name, &hpath, &wnode, 2) == 0) {
		if (fuse_fs_unlink(f->fs, hpath) == 0)
			hl_remove_name(f, dir, name);
		hl_path_put(&f->table, dir, wnode);
	}
}

/* The kernel refused an open reply (interrupted): close it again. */
static void undo_open(struct fuse *f, fuse_ino_t ino,
		      struct fuse_file_info *fi)
{
	char *path;

	if (hl_get_path_nullok(f, ino, &path, 0) != 0)
		path = NULL;
	fuse_fs_release(f->fs, path, fi);
	hl_put_path_nullok(f, ino, path);
	release_bookkeeping(f, ino);
}

void hl_file_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	struct hl_intr d;
	char *path;
	int err = hl_get_path(f, parent, name, &path);

	if (err) {
		hl_reply_err(req, err);
		return;
	}
	hl_intr_begin(f, req, &d);
	err = fuse_fs_create(f->fs, path, mode, fi);
	if (!err) {
		err = hl_lookup_path_common(f, parent, name, path, &e, fi, true);
		if (!err && !S_ISREG(e.attr.st_mode)) {
			/* create made something that is not a file */
			hl_forget_node(f, e.ino, 1);
			err = -EIO;
		}
		if (err) {
			fuse_fs_release(f->fs, path, fi);
		} else {
			if (f->conf.direct_io)
				fi->direct_io = 1;
			if (f->conf.kernel_cache)
				fi->keep_cache = 1;
		}
	}
	hl_intr_end(f, req, &d);
	hl_put_path(f, parent);
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		undo_open(f, e.ino, fi);
		hl_forget_node(f, e.ino, 1);
	}
}

void hl_file_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (err) {
		hl_reply_err(req, err);
		return;
	}
	hl_intr_begin(f, req, &d);
	err = fuse_fs_open(f->fs, path, fi);
	if (!err) {
		open_flags(f, ino, path, fi);
		/* no_rofd_flush: closing a read-only fd needs no FLUSH */
		if (f->conf.no_rofd_flush &&
		    (fi->flags & O_ACCMODE) == O_RDONLY)
			fi->noflush = 1;
	}
	hl_intr_end(f, req, &d);
	hl_put_path(f, ino);
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	if (fuse_reply_open(req, fi) == -ENOENT)
		undo_open(f, ino, fi);
}

/* Per-thread read buffer: a read of a file system without read_buf
 * lands here and goes straight to the kernel, no allocation. */
static pthread_key_t readbuf_key;
static pthread_once_t readbuf_once = PTHREAD_ONCE_INIT;
static __thread char *readbuf;
static __thread size_t readbuf_size;

static void readbuf_key_init(void)
{
	(void)pthread_key_create(&readbuf_key, free);
}

static char *get_readbuf(size_t size)
{
	if (readbuf_size < size) {
		char *p = realloc(readbuf, size);

		if (!p)
			return NULL;
		pthread_once(&readbuf_once, readbuf_key_init);
		(void)pthread_setspecific(readbuf_key, p);
		readbuf = p;
		readbuf_size = size;
	}
	return readbuf;
}

void hl_file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_bufvec *buf = NULL;
	struct hl_intr d;
	char *path;
	int res = hl_get_path_nullok(f, ino, &path, 0);

	if (res) {
		hl_reply_err(req, res);
		return;
	}
	hl_intr_begin(f, req, &d);
	if (!f->fs->op.read_buf && f->fs->op.read) {
		char *mem = get_readbuf(size ? size : 1);

		res = mem ? fuse_fs_read(f->fs, path, mem, size, off, fi) :
			    -ENOMEM;
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
		if (res < 0)
			hl_reply_err(req, res);
		else
			fuse_reply_buf(req, mem,
				       (size_t)res < size ? (size_t)res : size);
		return;
	}
	res = fuse_fs_read_buf(f->fs, path, &buf, size, off, fi);
	hl_intr_end(f, req, &d);
	hl_put_path_nullok(f, ino, path);
	if (res)
		hl_reply_err(req, res);
	else
		fuse_reply_data(req, buf, FUSE_BUF_SPLICE_MOVE);
	if (buf) {
		for (size_t i = 0; i < buf->count; i++)
			if (!(buf->buf[i].flags & FUSE_BUF_IS_FD))
				free(buf->buf[i].mem);
		free(buf);
	}
}

void hl_file_write_buf(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_bufvec *bufv, off_t off,
		       struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int res = hl_get_path_nullok(f, ino, &path, 0);

	if (!res) {
		hl_intr_begin(f, req, &d);
		res = fuse_fs_write_buf(f->fs, path, bufv, off, fi);
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	if (res < 0)
		hl_reply_err(req, res);
	else
		fuse_reply_write(req, (size_t)res);
}

/* Records a granted lock (or unlock) in the inode's lock list. */
static void note_lock(struct fuse *f, fuse_ino_t ino, const struct flock *fl,
		      uint64_t owner)
{
	struct hl_lock_req l;
	struct hl_node *n;

	hl_lock_from_flock(fl, owner, &l);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n)
		(void)hl_locks_insert(n, &l);
	pthread_mutex_unlock(&f->table.lock);
}

/* flush, then drop the POSIX locks the closing owner holds, as close()
 * does on a local file system. */
static int flush_common(struct fuse *f, fuse_ino_t ino, const char *path,
			struct fuse_file_info *fi)
{
	int err = fuse_fs_flush(f->fs, path, fi);

	if (f->fs->op.lock) {
		struct flock lock = { .l_type = F_UNLCK,
				      .l_whence = SEEK_SET };
		int errlock = fuse_fs_lock(f->fs, path, fi, F_SETLK, &lock);

		if (errlock != -ENOSYS) {
			note_lock(f, ino, &lock, fi->lock_owner);
			if (err == -ENOSYS)
				err = 0;
		}
	}
	return err;
}

void hl_file_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		hl_intr_begin(f, req, &d);
		err = flush_common(f, ino, path, fi);
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	hl_reply_err(req, err);
}

void hl_file_release(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (err)
		path = NULL;
	err = 0;
	if (fi->flush) {
		err = flush_common(f, ino, path, fi);
		if (err == -ENOSYS)
			err = 0;
	} else if (fi->flock_release) {
		fuse_fs_flock(f->fs, path, fi, LOCK_UN);
	}
	fuse_fs_release(f->fs, path, fi);
	hl_put_path_nullok(f, ino, path);
	release_bookkeeping(f, ino);
	hl_reply_err(req, err);
}

void hl_file_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		   struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		hl_intr_begin(f, req, &d);
		err = fuse_fs_fsync(f->fs, path, datasync, fi);
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	hl_reply_err(req, err);
}

void hl_file_getlk(fuse_req_t req, fuse_ino_t ino,
		   struct fuse_file_info *fi, struct flock *lock)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_lock_req l;
	struct hl_node *n;
	struct flock held;
	bool conflict;
	char *path;
	int err;

	/* the library knows the holder's pid even when the file system's
	 * locks (OFD) do not */
	hl_lock_from_flock(lock, fi->lock_owner, &l);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	conflict = n && hl_locks_conflict(n, &l, &held);
	pthread_mutex_unlock(&f->table.lock);
	if (conflict) {
		fuse_reply_lock(req, &held);
		return;
	}
	err = hl_get_path_nullok(f, ino, &path, 0);
	if (!err) {
		err = fuse_fs_lock(f->fs, path, fi, F_GETLK, lock);
		hl_put_path_nullok(f, ino, path);
	}
	if (err)
		hl_reply_err(req, err);
	else
		fuse_reply_lock(req, lock);
}

void hl_file_setlk(fuse_req_t req, fuse_ino_t ino,
		   struct fuse_file_info *fi, struct flock *lock, int sleep)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		hl_intr_begin(f, req, &d);
		err = fuse_fs_lock(f->fs, path, fi, sleep ? F_SETLKW : F_SETLK,
				   lock);
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	if (!err)
		note_lock(f, ino, lock, fi->lock_owner);
	hl_reply_err(req, err);
}

void hl_file_flock(fuse_req_t req, fuse_ino_t ino,
		   struct fuse_file_info *fi, int op)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		hl_intr_begin(f, req, &d);
		err = fuse_fs_flock(f->fs, path, fi, op);
		hl_intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	hl_reply_err(req, err);
}

void hl_file_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize,
		  uint64_t idx)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_bmap(f->fs, path, blocksize, &idx);
		hl_put_path(f, ino);
	}
	if (err)
		hl_reply_err(req, err);
	else
		fuse_reply_bmap(req, idx);
}

void hl_file_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		   void *arg, struct fuse_file_info *llfi, unsigned flags,
		   const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_file_info fi = *llfi;
	void *out = NULL;
	char *path;
	int err;

	if (flags & FUSE_IOCTL_UNRESTRICTED) {
		hl_reply_err(req, -EPERM);
		return;
	}
	if (flags & FUSE_IOCTL_DIR)
		fi.fh = hl_dir_fh(llfi);
	if (out_bufsz) {
		out = calloc(1, out_bufsz > in_bufsz ? out_bufsz : in_bufsz);
		if (!out) {
			hl_reply_err(req, -ENOMEM);
			return;
		}
		if (in_bufsz)
			memcpy(out, in_buf, in_bufsz);
	}
	err = hl_get_path_nullok(f, ino, &path, 0);
	if (!err) {
		err = fuse_fs_ioctl(f->fs, path, cmd, arg, &fi, flags,
				    out ? out : (void *)in_buf);
		hl_put_path_nullok(f, ino, path);
	}
	if (err < 0)
		hl_reply_err(req, err);
	else
		fuse_reply_ioctl(req, err, out, out_bufsz);
	free(out);
}

void hl_file_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct fuse_pollhandle *ph)
{
	struct fuse *f = hl_req_prepare(req);
	unsigned revents = 0;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		err = fuse_fs_poll(f->fs, path, fi, ph, &revents);
		hl_put_path_nullok(f, ino, path);
	} else if (ph) {
		fuse_pollhandle_destroy(ph);
	}
	if (err)
		hl_reply_err(req, err);
	else
		fuse_reply_poll(req, revents);
}

void hl_file_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
		       off_t offset, off_t length, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		err = fuse_fs_fallocate(f->fs, path, mode, offset, length, fi);
		hl_put_path_nullok(f, ino, path);
	}
	hl_reply_err(req, err);
}

void hl_file_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
			     off_t off_in, struct fuse_file_info *fi_in,
			     fuse_ino_t ino_out, off_t off_out,
			     struct fuse_file_info *fi_out, size_t len,
			     int flags)
{
	struct fuse *f = hl_req_prepare(req);
	char *path_in, *path_out;
	ssize_t res = hl_get_path_nullok(f, ino_in, &path_in, 0);

	if (!res) {
		res = hl_get_path_nullok(f, ino_out, &path_out, 1);
		if (!res) {
			res = fuse_fs_copy_file_range(f->fs, path_in, fi_in,
						      off_in, path_out, fi_out,
						      off_out, len, flags);
			hl_put_path_nullok(f, ino_out, path_out);
		}
		hl_put_path_nullok(f, ino_in, path_in);
	}
	if (res < 0)
		hl_reply_err(req, (int)res);
	else
		fuse_reply_write(req, (size_t)res);
}

void hl_file_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		   struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	off_t res = hl_get_path_nullok(f, ino, &path, 0);

	if (!res) {
		res = fuse_fs_lseek(f->fs, path, off, whence, fi);
		hl_put_path_nullok(f, ino, path);
	}
	if (res < 0)
		hl_reply_err(req, (int)res);
	else
		fuse_reply_lseek(req, res);
}

