// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthrough_ll: a low-level filesystem that mirrors a directory.
 *
 * Shows the inode API done properly: each inode the kernel knows holds an
 * O_PATH fd of the backing file, found again by (st_dev, st_ino) so hard
 * links share one inode; its lookup count goes up with every entry reply
 * (lookup, create, mkdir, link, readdirplus) and down with FORGET, and the
 * inode and its fd go away at zero.  Operations work on those fds
 * (openat, fstatat, /proc/self/fd/N where a path is unavoidable), so a
 * rename in the backing tree never confuses it.  Reads hand the library
 * the fd so it can splice.  POSIX locks and flock are left to the kernel.
 * Usage: passthrough_ll MOUNTPOINT [--source=DIR | -o source=DIR]
 *        [-o timeout=SECONDS] [-o report_inodes] [-o report_io]
 *        [-o passthrough] [fuse options]
 * (default source /; report_inodes prints the inode count at exit,
 * report_io how many READ and WRITE requests it served).
 *
 * Built for libfuse3.so.4 (FUSE_USE_VERSION 317 and up: the build's
 * passthrough_ll-so4), -o passthrough hands the kernel each opened file
 * as a backing file (fuse_passthrough_open, as root): reads, writes and
 * mmap then go to it without a request to this process.
 */
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif
#if FUSE_USE_VERSION >= 317
#define PL_PASSTHROUGH 1
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

struct inode {
	struct inode *next;     /* hash chain */
	int fd;                 /* O_PATH, O_NOFOLLOW */
	dev_t dev;
	ino_t ino;
	uint64_t nlookup;
	/* -o passthrough: the kernel allows one backing file per inode at a
	 * time, so its opens share one id; under pl.lock */
	int backing_id;
	unsigned backing_opens;
};

#define INODE_BUCKETS 4096

static struct {
	char *source;
	double timeout;
	int report_inodes;
	int report_io;
	int passthrough;
	unsigned long reads, writes;	/* atomic */
	/* -o passthrough: which open fds share their inode's backing id (the
	 * kernel does not say so in release); under lock */
	unsigned char *fd_backed;
	size_t n_fd_backed;
	unsigned backing_ids;		/* registered now; under lock */
	unsigned long over_forgotten;
	struct inode root;
	struct inode *table[INODE_BUCKETS];
	pthread_mutex_t lock;
} pl = {
	.timeout = 1.0,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static const struct fuse_opt pl_opt_spec[] = {
	{ "--source=%s", offsetof(__typeof__(pl), source), 0 },
	{ "source=%s", offsetof(__typeof__(pl), source), 0 },
	{ "timeout=%lf", offsetof(__typeof__(pl), timeout), 0 },
	{ "report_inodes", offsetof(__typeof__(pl), report_inodes), 1 },
	{ "report_io", offsetof(__typeof__(pl), report_io), 1 },
	{ "passthrough", offsetof(__typeof__(pl), passthrough), 1 },
	FUSE_OPT_END
};

static struct inode *inode_of(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &pl.root : (struct inode *)(uintptr_t)ino;
}

static int fd_of(fuse_ino_t ino)
{
	return inode_of(ino)->fd;
}

/* The path through which an O_PATH fd reaches calls that take no fd. */
static void proc_path(char buf[64], int fd)
{
	snprintf(buf, 64, "/proc/self/fd/%d", fd);
}

static size_t bucket(dev_t dev, ino_t ino)
{
	return (ino * 0x9e3779b97f4a7c15ULL ^ dev) % INODE_BUCKETS;
}

/* Finds or makes the inode for a name in parent, counting one lookup. */
static int do_lookup(fuse_ino_t parent, const char *name, struct fuse_entry_param *e)
{
	struct inode *in, *fresh = NULL;
	int fd, r;

	memset(e, 0, sizeof(*e));
	e->attr_timeout = pl.timeout;
	e->entry_timeout = pl.timeout;
	fd = openat(fd_of(parent), name, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = fstatat(fd, "", &e->attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}

	pthread_mutex_lock(&pl.lock);
	size_t b = bucket(e->attr.st_dev, e->attr.st_ino);
	for (in = pl.table[b]; in; in = in->next)
		if (in->ino == e->attr.st_ino && in->dev == e->attr.st_dev)
			break;
	if (!in && e->attr.st_ino == pl.root.ino && e->attr.st_dev == pl.root.dev)
		in = &pl.root;
	if (!in) {
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh) {
			pthread_mutex_unlock(&pl.lock);
			close(fd);
			return -ENOMEM;
		}
		fresh->fd = fd;
		fresh->dev = e->attr.st_dev;
		fresh->ino = e->attr.st_ino;
		fresh->next = pl.table[b];
		pl.table[b] = fresh;
		in = fresh;
	}
	in->nlookup++;
	pthread_mutex_unlock(&pl.lock);
	if (!fresh)
		close(fd);
	e->ino = in == &pl.root ? FUSE_ROOT_ID : (uintptr_t)in;
	return 0;
}

static void forget_one(fuse_ino_t ino, uint64_t n)
{
	struct inode *in = inode_of(ino);

	pthread_mutex_lock(&pl.lock);
	/* More forgets than lookups is the kernel's or the library's bug. */
	if (n > in->nlookup)
		pl.over_forgotten++;
	in->nlookup = n > in->nlookup ? 0 : in->nlookup - n;
	if (in->nlookup == 0 && in != &pl.root) {
		struct inode **ip = &pl.table[bucket(in->dev, in->ino)];
		while (*ip != in)
			ip = &(*ip)->next;
		*ip = in->next;
		close(in->fd);
		free(in);
	}
	pthread_mutex_unlock(&pl.lock);
}

static void pl_init(void *userdata, struct fuse_conn_info *conn)
{
	/* Large writes; the kernel keeps pages cached until an attribute
	 * change says otherwise. */
	if (conn->capable & FUSE_CAP_SPLICE_READ)
		conn->want |= FUSE_CAP_SPLICE_READ;
#ifdef PL_PASSTHROUGH
	/* backing files are on an ordinary file system: the default
	 * max_backing_stack_depth (0) says so */
	if (pl.passthrough && !fuse_set_feature_flag(conn, FUSE_CAP_PASSTHROUGH)) {
		fprintf(stderr, "passthrough_ll: the kernel offers no passthrough\n");
		pl.passthrough = 0;
	}
#else
	if (pl.passthrough) {
		fprintf(stderr, "passthrough_ll: passthrough needs FUSE_USE_VERSION 317\n");
		pl.passthrough = 0;
	}
#endif
}

#ifdef PL_PASSTHROUGH
/* Makes the inode's backing file the one the kernel uses for the open
 * being answered (fi): registered from this open's fd at the first open,
 * shared by the others.  If that fails the file simply goes through this
 * process, as without -o passthrough. */
static void backing_open(fuse_req_t req, fuse_ino_t ino, int fd,
			 struct fuse_file_info *fi)
{
	struct inode *in = inode_of(ino);

	if (!pl.passthrough)
		return;
	/* under the lock throughout: a second open must not register a
	 * second id meanwhile (the ioctl does not block) */
	pthread_mutex_lock(&pl.lock);
	if ((size_t)fd >= pl.n_fd_backed) {
		size_t n = (size_t)fd * 2 + 64;
		unsigned char *b = realloc(pl.fd_backed, n);

		if (!b)
			goto out;
		memset(b + pl.n_fd_backed, 0, n - pl.n_fd_backed);
		pl.fd_backed = b;
		pl.n_fd_backed = n;
	}
	if (!in->backing_id) {
		in->backing_id = fuse_passthrough_open(req, fd);
		if (in->backing_id <= 0) {
			fprintf(stderr, "passthrough_ll: passthrough_open: %m\n");
			in->backing_id = 0;
			goto out;
		}
		pl.backing_ids++;
	}
	in->backing_opens++;
	pl.fd_backed[fd] = 1;
	fi->backing_id = in->backing_id;
	/* the page cache holds what came through us before */
	fi->keep_cache = 0;
out:
	pthread_mutex_unlock(&pl.lock);
}

/* The last open's release gives the id back. */
static void backing_close(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct inode *in = inode_of(ino);
	int fd = (int)fi->fh, id = 0;

	pthread_mutex_lock(&pl.lock);
	if ((size_t)fd < pl.n_fd_backed && pl.fd_backed[fd]) {
		pl.fd_backed[fd] = 0;
		if (--in->backing_opens == 0) {
			id = in->backing_id;
			in->backing_id = 0;
			pl.backing_ids--;
		}
	}
	pthread_mutex_unlock(&pl.lock);
	if (id > 0 && fuse_passthrough_close(req, id) < 0)
		fprintf(stderr, "passthrough_ll: passthrough_close %d failed\n", id);
}
#else
static void backing_open(fuse_req_t req, fuse_ino_t ino, int fd,
			 struct fuse_file_info *fi)
{
}

static void backing_close(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
}
#endif

/* -o report_inodes: at the end, how many inodes the kernel still holds
 * (after a drop of the kernel's caches that must be none) and whether a
 * FORGET ever exceeded its lookups; the tests check the lookup counting. */
static void pl_destroy(void *userdata)
{
	unsigned long live = 0;

	/* -o report_io: with passthrough the kernel does the I/O: none */
	if (pl.report_io)
		fprintf(stderr, "passthrough_ll: %lu READ, %lu WRITE requests served, %u backing ids left\n",
			__atomic_load_n(&pl.reads, __ATOMIC_RELAXED),
			__atomic_load_n(&pl.writes, __ATOMIC_RELAXED), pl.backing_ids);
	if (!pl.report_inodes)
		return;
	pthread_mutex_lock(&pl.lock);
	for (size_t b = 0; b < INODE_BUCKETS; b++)
		for (struct inode *in = pl.table[b]; in; in = in->next)
			live++;
	pthread_mutex_unlock(&pl.lock);
	fprintf(stderr, "passthrough_ll: %lu inodes referenced, %lu over-forgotten\n", live,
		pl.over_forgotten);
}

static void reply_entry_or_err(fuse_req_t req, int r, struct fuse_entry_param *e)
{
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, e);
}

static void pl_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int r = do_lookup(parent, name, &e);

	/* A negative entry with ino 0 lets the kernel cache the absence. */
	if (r == -ENOENT) {
		e.ino = 0;
		fuse_reply_entry(req, &e);
		return;
	}
	reply_entry_or_err(req, r, &e);
}

static void pl_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	forget_one(ino, nlookup);
	fuse_reply_none(req);
}

static void pl_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		forget_one(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void pl_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (fstatat(fd_of(ino), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_attr(req, &st, pl.timeout);
}

static int set_times(int fd, struct fuse_file_info *fi, const struct stat *attr, int valid)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
	char path[64];

	if (valid & FUSE_SET_ATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_ATIME)
		ts[0] = attr->st_atim;
	if (valid & FUSE_SET_ATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_MTIME)
		ts[1] = attr->st_mtim;
	if (fi)
		return futimens(fi->fh, ts);
	proc_path(path, fd);
	/* Through /proc a symlink would be followed; its own times stay. */
	return utimensat(AT_FDCWD, path, ts, 0);
}

static void pl_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		       struct fuse_file_info *fi)
{
	int fd = fd_of(ino), r = 0;
	char path[64];

	proc_path(path, fd);
	if (valid & FUSE_SET_ATTR_MODE)
		r = fi ? fchmod(fi->fh, attr->st_mode) : chmod(path, attr->st_mode);
	if (r == 0 && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = valid & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1;
		gid_t gid = valid & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1;
		r = fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	}
	if (r == 0 && (valid & FUSE_SET_ATTR_SIZE))
		r = fi ? ftruncate(fi->fh, attr->st_size) : truncate(path, attr->st_size);
	if (r == 0 && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
				FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
		r = set_times(fd, fi, attr, valid);
	if (r < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	pl_getattr(req, ino, fi);
}

static void pl_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(fd_of(ino), "", buf, sizeof(buf));

	if (n < 0)
		fuse_reply_err(req, errno);
	else if (n == sizeof(buf))
		fuse_reply_err(req, ENAMETOOLONG);
	else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
}

/* After mknod/mkdir/symlink: look the new name up for the entry reply. */
static void reply_made(fuse_req_t req, int r, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (r < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	reply_entry_or_err(req, do_lookup(parent, name, &e), &e);
}

static void pl_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	reply_made(req, mknodat(fd_of(parent), name, mode, rdev), parent, name);
}

static void pl_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	reply_made(req, mkdirat(fd_of(parent), name, mode), parent, name);
}

static void pl_symlink(fuse_req_t req, const char *target, fuse_ino_t parent,
		       const char *name)
{
	reply_made(req, symlinkat(target, fd_of(parent), name), parent, name);
}

static void pl_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
	char path[64];

	proc_path(path, fd_of(ino));
	reply_made(req, linkat(AT_FDCWD, path, fd_of(parent), name, AT_SYMLINK_FOLLOW),
		   parent, name);
}

static void pl_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, unlinkat(fd_of(parent), name, 0) < 0 ? errno : 0);
}

static void pl_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, unlinkat(fd_of(parent), name, AT_REMOVEDIR) < 0 ? errno : 0);
}

static void pl_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	int r = renameat2(fd_of(parent), name, fd_of(newparent), newname, flags);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

static void pl_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[64];
	int fd;

	proc_path(path, fd_of(ino));
	fd = open(path, fi->flags & ~O_NOFOLLOW);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fi->fh = fd;
	backing_open(req, ino, fd, fi);
	if (fuse_reply_open(req, fi) != 0) {
		backing_close(req, ino, fi);
		close(fd);
	}
}

static void pl_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	int fd, r;

	fd = openat(fd_of(parent), name, (fi->flags | O_CREAT) & ~O_NOFOLLOW, mode);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	r = do_lookup(parent, name, &e);
	if (r < 0) {
		close(fd);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = fd;
	backing_open(req, e.ino, fd, fi);
	if (fuse_reply_create(req, &e, fi) != 0) {
		backing_close(req, e.ino, fi);
		close(fd);
		forget_one(e.ino, 1);
	}
}

static void pl_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);

	__atomic_fetch_add(&pl.reads, 1, __ATOMIC_RELAXED);
	bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	bv.buf[0].fd = fi->fh;
	bv.buf[0].pos = off;
	fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
}

static void pl_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in, off_t off,
			 struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	ssize_t n;

	__atomic_fetch_add(&pl.writes, 1, __ATOMIC_RELAXED);
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = fi->fh;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in, 0);
	if (n < 0)
		fuse_reply_err(req, -n);
	else
		fuse_reply_write(req, n);
}

static void pl_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int fd = dup(fi->fh);

	fuse_reply_err(req, fd < 0 || close(fd) < 0 ? errno : 0);
}

static void pl_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	backing_close(req, ino, fi);
	close(fi->fh);
	fuse_reply_err(req, 0);
}

static void pl_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int r = datasync ? fdatasync(fi->fh) : fsync(fi->fh);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

struct pl_dir {
	DIR *dp;
	struct dirent *entry;
	off_t offset;
};

static struct pl_dir *dir_of(struct fuse_file_info *fi)
{
	return (struct pl_dir *)(uintptr_t)fi->fh;
}

static void pl_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pl_dir *d = calloc(1, sizeof(*d));
	int fd;

	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fd = openat(fd_of(ino), ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0 || !(d->dp = fdopendir(fd))) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		free(d);
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)d;
	if (fuse_reply_open(req, fi) != 0) {
		closedir(d->dp);
		free(d);
	}
}

static bool is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct pl_dir *d = dir_of(fi);
	char *buf = malloc(size);
	size_t used = 0;
	int err = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Offsets are telldir() cookies: a reader may come back to any of them. */
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (;;) {
		struct fuse_entry_param e = { 0 };
		const char *name;
		size_t len;

		if (!d->entry) {
			errno = 0;
			d->entry = readdir(d->dp);
			if (!d->entry) {
				err = errno;
				break;
			}
		}
		name = d->entry->d_name;
		if (plus && !is_dot(name)) {
			int r = do_lookup(ino, name, &e);
			if (r < 0) {
				err = -r;
				break;
			}
			len = fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
						     d->entry->d_off);
		} else {
			e.attr.st_ino = d->entry->d_ino;
			e.attr.st_mode = d->entry->d_type << 12;
			len = plus ? fuse_add_direntry_plus(req, buf + used, size - used, name,
							    &e, d->entry->d_off)
				   : fuse_add_direntry(req, buf + used, size - used, name,
						       &e.attr, d->entry->d_off);
		}
		if (len > size - used) {
			/* The entry did not go out: neither did its lookup. */
			if (e.ino)
				forget_one(e.ino, 1);
			break;
		}
		used += len;
		d->offset = d->entry->d_off;
		d->entry = NULL;
	}
	/* An error after some entries: send those, the error comes next time. */
	if (err && used == 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

static void pl_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void pl_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void pl_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pl_dir *d = dir_of(fi);

	closedir(d->dp);
	free(d);
	fuse_reply_err(req, 0);
}

static void pl_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi)
{
	int fd = dirfd(dir_of(fi)->dp);
	int r = datasync ? fdatasync(fd) : fsync(fd);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

static void pl_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	if (fstatvfs(fd_of(ino), &st) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &st);
}

static void pl_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	char path[64];

	proc_path(path, fd_of(ino));
	fuse_reply_err(req, faccessat(AT_FDCWD, path, mask, 0) < 0 ? errno : 0);
}

static void pl_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	fuse_reply_err(req, fallocate(fi->fh, mode, off, len) < 0 ? errno : 0);
}

static void pl_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	fuse_reply_err(req, flock(fi->fh, op) < 0 ? errno : 0);
}

static void pl_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			       struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			       off_t off_out, struct fuse_file_info *fi_out, size_t len,
			       int flags)
{
	ssize_t n = copy_file_range(fi_in->fh, &off_in, fi_out->fh, &off_out, len, flags);

	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, n);
}

static void pl_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	off_t r = lseek(fi->fh, off, whence);

	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
}

/* xattrs go through /proc: an O_PATH fd does not take f*xattr calls. */
static void pl_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	char path[64];

	proc_path(path, fd_of(ino));
	fuse_reply_err(req, setxattr(path, name, value, size, flags) < 0 ? errno : 0);
}

/* size 0 asks how much room the answer needs. */
static void reply_sized(fuse_req_t req, size_t size, ssize_t n, const char *buf)
{
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size == 0)
		fuse_reply_xattr(req, n);
	else
		fuse_reply_buf(req, buf, n);
}

static void pl_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	char path[64], *buf = size ? malloc(size) : NULL;

	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	proc_path(path, fd_of(ino));
	reply_sized(req, size, getxattr(path, name, buf, size), buf);
	free(buf);
}

static void pl_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char path[64], *buf = size ? malloc(size) : NULL;

	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	proc_path(path, fd_of(ino));
	reply_sized(req, size, listxattr(path, buf, size), buf);
	free(buf);
}

static void pl_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char path[64];

	proc_path(path, fd_of(ino));
	fuse_reply_err(req, removexattr(path, name) < 0 ? errno : 0);
}

static const struct fuse_lowlevel_ops pl_ops = {
	.init = pl_init,
	.destroy = pl_destroy,
	.lookup = pl_lookup,
	.forget = pl_forget,
	.forget_multi = pl_forget_multi,
	.getattr = pl_getattr,
	.setattr = pl_setattr,
	.readlink = pl_readlink,
	.mknod = pl_mknod,
	.mkdir = pl_mkdir,
	.symlink = pl_symlink,
	.link = pl_link,
	.unlink = pl_unlink,
	.rmdir = pl_rmdir,
	.rename = pl_rename,
	.open = pl_open,
	.create = pl_create,
	.read = pl_read,
	.write_buf = pl_write_buf,
	.flush = pl_flush,
	.release = pl_release,
	.fsync = pl_fsync,
	.opendir = pl_opendir,
	.readdir = pl_readdir,
	.readdirplus = pl_readdirplus,
	.releasedir = pl_releasedir,
	.fsyncdir = pl_fsyncdir,
	.statfs = pl_statfs,
	.access = pl_access,
	.fallocate = pl_fallocate,
	.flock = pl_flock,
	.copy_file_range = pl_copy_file_range,
	.lseek = pl_lseek,
	.setxattr = pl_setxattr,
	.getxattr = pl_getxattr,
	.listxattr = pl_listxattr,
	.removexattr = pl_removexattr,
};

static int open_root(void)
{
	struct stat st;

	pl.root.fd = open(pl.source ? pl.source : "/", O_PATH | O_DIRECTORY);
	if (pl.root.fd < 0 || fstat(pl.root.fd, &st) < 0) {
		fprintf(stderr, "passthrough_ll: source %s: %m\n", pl.source ? pl.source : "/");
		return -1;
	}
	pl.root.dev = st.st_dev;
	pl.root.ino = st.st_ino;
	pl.root.nlookup = 2;
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_session *se = NULL;
	int r = 1;

	if (fuse_opt_parse(&args, &pl, pl_opt_spec, NULL) != 0)
		return 1;
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out;
	if (opts.show_help || opts.show_version || !opts.mountpoint) {
		printf("usage: %s MOUNTPOINT [--source=DIR] [-o timeout=SECONDS] [-o passthrough] [options]\n",
		       argv[0]);
		if (opts.show_help) {
			fuse_cmdline_help();
			fuse_lowlevel_help();
		} else if (opts.show_version) {
			fuse_lowlevel_version();
		}
		r = !opts.show_help && !opts.show_version;
		goto out;
	}
	if (open_root() < 0)
		goto out;
	umask(0);

	se = fuse_session_new(&args, &pl_ops, sizeof(pl_ops), NULL);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_destroy;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	fuse_daemonize(opts.foreground);
	if (opts.singlethread) {
		r = fuse_session_loop(se);
	} else {
		struct fuse_loop_config *config = fuse_loop_cfg_create();
		if (!config) {
			r = -ENOMEM;
		} else {
			fuse_loop_cfg_set_clone_fd(config, opts.clone_fd);
			fuse_loop_cfg_set_max_threads(config, opts.max_threads);
			fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
			r = fuse_session_loop_mt(se, config);
			fuse_loop_cfg_destroy(config);
		}
	}
	/* A positive value is the signal (SIGTERM, SIGINT, SIGHUP) that ended
	 * the session: a clean unmount, as fuse_main treats it. */
	r = r < 0;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
out:
	free(opts.mountpoint);
	free(pl.source);
	free(pl.fd_backed);
	fuse_opt_free_args(&args);
	return r;
}
