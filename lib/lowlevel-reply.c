// SPDX-License-Identifier: LGPL-2.1-or-later
/* Replies: fuse_reply_*() and the directory entry encoders
 *
 * Each reply is one writev(): the out header, then the reply struct and
 * any data straight from the filesystem's buffers.  Only data that sits
 * in a file descriptor is copied, into a per-thread buffer that lives as
 * long as the thread. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fuse_i.h"
#include "fuse_log.h"
#include "proto.h"

/* ---- the per-thread scratch buffer ---- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static __thread void *scratch_mem;
static __thread size_t scratch_size;

static void scratch_key_init(void)
{
	(void)pthread_key_create(&scratch_key, free);
}

void *fuse_ll_scratch(size_t size)
{
	void *mem;

	if (size <= scratch_size)
		return scratch_mem;
	pthread_once(&scratch_once, scratch_key_init);
	/* realloc would copy data nobody needs */
	mem = malloc(size);
	if (!mem)
		return NULL;
	free(scratch_mem);
	scratch_mem = mem;
	scratch_size = size;
	(void)pthread_setspecific(scratch_key, mem);
	return mem;
}

void fuse_ll_scratch_release(void)
{
	if (!scratch_mem)
		return;
	(void)pthread_setspecific(scratch_key, NULL);
	free(scratch_mem);
	scratch_mem = NULL;
	scratch_size = 0;
}

/* ---- conversions ---- */

static uint64_t timeout_sec(double t)
{
	if (t <= 0)
		return 0;
	if (t >= (double)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)t;
}

static uint32_t timeout_nsec(double t)
{
	double f;

	if (t <= 0 || t >= (double)UINT64_MAX)
		return 0;
	f = (t - (double)(uint64_t)t) * 1.0e9;
	if (f >= 999999999.0)
		return 999999999;
	return (uint32_t)f;
}

static void convert_stat(const struct stat *st, struct fuse_attr *a)
{
	a->ino = st->st_ino;
	a->size = (uint64_t)st->st_size;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime = (uint64_t)st->st_atim.tv_sec;
	a->mtime = (uint64_t)st->st_mtim.tv_sec;
	a->ctime = (uint64_t)st->st_ctim.tv_sec;
	a->atimensec = (uint32_t)st->st_atim.tv_nsec;
	a->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = (uint32_t)st->st_rdev;
	a->blksize = (uint32_t)st->st_blksize;
	a->flags = 0;
}

static void fill_entry(struct fuse_entry_out *o, const struct fuse_entry_param *e)
{
	memset(o, 0, sizeof(*o));
	o->nodeid = e->ino;
	o->generation = e->generation;
	o->entry_valid = timeout_sec(e->entry_timeout);
	o->entry_valid_nsec = timeout_nsec(e->entry_timeout);
	o->attr_valid = timeout_sec(e->attr_timeout);
	o->attr_valid_nsec = timeout_nsec(e->attr_timeout);
	convert_stat(&e->attr, &o->attr);
}

static void fill_open(struct fuse_open_out *o, const struct fuse_file_info *fi)
{
	memset(o, 0, sizeof(*o));
	o->fh = fi->fh;
	if (fi->direct_io)
		o->open_flags |= FOPEN_DIRECT_IO;
	if (fi->keep_cache)
		o->open_flags |= FOPEN_KEEP_CACHE;
	if (fi->nonseekable)
		o->open_flags |= FOPEN_NONSEEKABLE;
	if (fi->cache_readdir)
		o->open_flags |= FOPEN_CACHE_DIR;
	if (fi->noflush)
		o->open_flags |= FOPEN_NOFLUSH;
#if FUSED_SOVERSION >= 4
	if (fi->parallel_direct_writes)
		o->open_flags |= FOPEN_PARALLEL_DIRECT_WRITES;
	/* 7.40 put backing_id where 7.38 has padding */
	if (fi->backing_id > 0) {
		o->open_flags |= FUSE_LL_FOPEN_PASSTHROUGH;
		o->padding = (uint32_t)fi->backing_id;
	}
#endif
}

static size_t entry_size(fuse_req_t req)
{
	return req->se->conn.proto_minor < 9 ? FUSE_COMPAT_ENTRY_OUT_SIZE :
					       sizeof(struct fuse_entry_out);
}

/* One struct after the header. */
static int reply_struct(fuse_req_t req, const void *arg, size_t len)
{
	struct iovec iov[2] = { [1] = { (void *)arg, len } };

	return fuse_send_reply_iov(req, 0, iov, len ? 2 : 1);
}

/* ---- the replies ---- */

int fuse_reply_err(fuse_req_t req, int err)
{
	struct iovec iov[1];

	return fuse_send_reply_iov(req, -err, iov, 1);
}

void fuse_reply_none(fuse_req_t req)
{
	fuse_req_finish(req);
}

int fuse_reply_entry(fuse_req_t req, const struct fuse_entry_param *e)
{
	struct fuse_entry_out o;

	/* Very old kernels cannot cache a negative entry (ino 0). */
	if (!e->ino && req->se->conn.proto_minor < 4)
		return fuse_reply_err(req, ENOENT);
	fill_entry(&o, e);
	return reply_struct(req, &o, entry_size(req));
}

int fuse_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
		      const struct fuse_file_info *fi)
{
	struct fuse_entry_out eo;
	struct fuse_open_out oo;
	struct iovec iov[3];

	fill_entry(&eo, e);
	fill_open(&oo, fi);
	iov[1].iov_base = &eo;
	iov[1].iov_len = entry_size(req);
	iov[2].iov_base = &oo;
	iov[2].iov_len = sizeof(oo);
	return fuse_send_reply_iov(req, 0, iov, 3);
}

int fuse_reply_attr(fuse_req_t req, const struct stat *attr,
		    double attr_timeout)
{
	struct fuse_attr_out o;

	memset(&o, 0, sizeof(o));
	o.attr_valid = timeout_sec(attr_timeout);
	o.attr_valid_nsec = timeout_nsec(attr_timeout);
	convert_stat(attr, &o.attr);
	return reply_struct(req, &o, req->se->conn.proto_minor < 9 ?
				     FUSE_COMPAT_ATTR_OUT_SIZE : sizeof(o));
}

#if FUSED_SOVERSION >= 4
/* 7.39's statx reply (fuse_statx_out), newer than linux-libc-dev's
 * header: the kernel's own layout of struct statx's fields. */
struct ll_sx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct ll_statx_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec;
	uint32_t flags;
	uint64_t spare[2];
	struct {
		uint32_t mask;
		uint32_t blksize;
		uint64_t attributes;
		uint32_t nlink;
		uint32_t uid;
		uint32_t gid;
		uint16_t mode;
		uint16_t spare0;
		uint64_t ino;
		uint64_t size;
		uint64_t blocks;
		uint64_t attributes_mask;
		struct ll_sx_time atime, btime, ctime, mtime;
		uint32_t rdev_major, rdev_minor;
		uint32_t dev_major, dev_minor;
		uint64_t spare2[14];
	} stat;
};

static struct ll_sx_time sx_time(const struct statx_timestamp *t)
{
	return (struct ll_sx_time){ .tv_sec = t->tv_sec, .tv_nsec = t->tv_nsec };
}

int fuse_reply_statx(fuse_req_t req, int flags, struct statx *stx,
		     double attr_timeout)
{
	struct ll_statx_out o;

	memset(&o, 0, sizeof(o));
	o.attr_valid = timeout_sec(attr_timeout);
	o.attr_valid_nsec = timeout_nsec(attr_timeout);
	o.flags = (uint32_t)flags;
	o.stat.mask = stx->stx_mask;
	o.stat.blksize = stx->stx_blksize;
	o.stat.attributes = stx->stx_attributes;
	o.stat.nlink = stx->stx_nlink;
	o.stat.uid = stx->stx_uid;
	o.stat.gid = stx->stx_gid;
	o.stat.mode = stx->stx_mode;
	o.stat.ino = stx->stx_ino;
	o.stat.size = stx->stx_size;
	o.stat.blocks = stx->stx_blocks;
	o.stat.attributes_mask = stx->stx_attributes_mask;
	o.stat.atime = sx_time(&stx->stx_atime);
	o.stat.btime = sx_time(&stx->stx_btime);
	o.stat.ctime = sx_time(&stx->stx_ctime);
	o.stat.mtime = sx_time(&stx->stx_mtime);
	o.stat.rdev_major = stx->stx_rdev_major;
	o.stat.rdev_minor = stx->stx_rdev_minor;
	o.stat.dev_major = stx->stx_dev_major;
	o.stat.dev_minor = stx->stx_dev_minor;
	return reply_struct(req, &o, sizeof(o));
}
#endif

int fuse_reply_readlink(fuse_req_t req, const char *link)
{
	return reply_struct(req, link, strlen(link));
}

int fuse_reply_open(fuse_req_t req, const struct fuse_file_info *fi)
{
	struct fuse_open_out o;

	fill_open(&o, fi);
	return reply_struct(req, &o, sizeof(o));
}

int fuse_reply_write(fuse_req_t req, size_t count)
{
	struct fuse_write_out o = { .size = (uint32_t)count };

	return reply_struct(req, &o, sizeof(o));
}

int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size)
{
	return reply_struct(req, buf, size);
}

int fuse_reply_iov(fuse_req_t req, const struct iovec *iov, int count)
{
	struct iovec small[16], *v = small;
	int r;

	if (count < 0)
		return fuse_reply_err(req, EINVAL);
	if (count + 1 > (int)(sizeof(small) / sizeof(small[0]))) {
		v = malloc(sizeof(*v) * ((size_t)count + 1));
		if (!v)
			return fuse_reply_err(req, ENOMEM);
	}
	memcpy(v + 1, iov, sizeof(*iov) * (size_t)count);
	r = fuse_send_reply_iov(req, 0, v, count + 1);
	if (v != small)
		free(v);
	return r;
}

/* Read up to len bytes of an fd buffer into dst, as fuse_buf_copy would:
 * until EOF, or the first short read unless FUSE_BUF_FD_RETRY. */
static ssize_t read_fd_buf(const struct fuse_buf *b, size_t skip, char *dst,
			   size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (b->flags & FUSE_BUF_FD_SEEK)
			n = pread(b->fd, dst + done, len - done,
				  b->pos + (off_t)(skip + done));
		else
			n = read(b->fd, dst + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (done)
				break;
			return -errno;
		}
		done += (size_t)n;
		if (n == 0 || !(b->flags & FUSE_BUF_FD_RETRY))
			break;
	}
	return (ssize_t)done;
}

int fuse_reply_data(fuse_req_t req, struct fuse_bufvec *bufv,
		    enum fuse_buf_copy_flags flags)
{
	struct iovec iov[17];
	size_t total = 0, n = 0;
	bool all_mem = true;
	char *dst;
	ssize_t got;

	for (size_t i = bufv->idx; i < bufv->count; i++) {
		size_t sz = bufv->buf[i].size;

		if (i == bufv->idx)
			sz = sz > bufv->off ? sz - bufv->off : 0;
		total += sz;
		n++;
		if (bufv->buf[i].flags & FUSE_BUF_IS_FD)
			all_mem = false;
	}

	/* Memory buffers go out as they are, with no copy. */
	if (all_mem && n + 1 <= sizeof(iov) / sizeof(iov[0])) {
		int c = 1;

		for (size_t i = bufv->idx; i < bufv->count; i++) {
			const struct fuse_buf *b = &bufv->buf[i];
			size_t skip = i == bufv->idx ? bufv->off : 0;

			if (b->size <= skip)
				continue;
			iov[c].iov_base = (char *)b->mem + skip;
			iov[c].iov_len = b->size - skip;
			c++;
		}
		return fuse_send_reply_iov(req, 0, iov, c);
	}

	dst = fuse_ll_scratch(total ? total : 1);
	if (!dst)
		return fuse_reply_err(req, ENOMEM);
	if (n == 1) {
		/* The common case: read() data still in a file (passthrough's
		 * read_buf).  One pread into the thread's buffer. */
		got = read_fd_buf(&bufv->buf[bufv->idx], bufv->off, dst, total);
	} else {
		struct fuse_bufvec mem = FUSE_BUFVEC_INIT(total);

		mem.buf[0].mem = dst;
		got = fuse_buf_copy(&mem, bufv, flags | FUSE_BUF_NO_SPLICE);
	}
	if (got < 0)
		return fuse_reply_err(req, (int)-got);
	iov[1].iov_base = dst;
	iov[1].iov_len = (size_t)got;
	return fuse_send_reply_iov(req, 0, iov, 2);
}

int fuse_reply_statfs(fuse_req_t req, const struct statvfs *stbuf)
{
	struct fuse_statfs_out o;

	memset(&o, 0, sizeof(o));
	o.st.blocks = stbuf->f_blocks;
	o.st.bfree = stbuf->f_bfree;
	o.st.bavail = stbuf->f_bavail;
	o.st.files = stbuf->f_files;
	o.st.ffree = stbuf->f_ffree;
	o.st.bsize = (uint32_t)stbuf->f_bsize;
	o.st.namelen = (uint32_t)stbuf->f_namemax;
	o.st.frsize = (uint32_t)stbuf->f_frsize;
	return reply_struct(req, &o, req->se->conn.proto_minor < 4 ?
				     FUSE_COMPAT_STATFS_SIZE : sizeof(o));
}

int fuse_reply_xattr(fuse_req_t req, size_t count)
{
	struct fuse_getxattr_out o = { .size = (uint32_t)count };

	return reply_struct(req, &o, sizeof(o));
}

int fuse_reply_lock(fuse_req_t req, const struct flock *lock)
{
	struct fuse_lk_out o;

	memset(&o, 0, sizeof(o));
	o.lk.type = (uint32_t)lock->l_type;
	if (lock->l_type != F_UNLCK) {
		o.lk.start = (uint64_t)lock->l_start;
		if (lock->l_len == 0)
			o.lk.end = (uint64_t)INT64_MAX;
		else
			o.lk.end = (uint64_t)(lock->l_start + lock->l_len - 1);
	}
	o.lk.pid = (uint32_t)lock->l_pid;
	return reply_struct(req, &o, sizeof(o));
}

int fuse_reply_bmap(fuse_req_t req, uint64_t idx)
{
	struct fuse_bmap_out o = { .block = idx };

	return reply_struct(req, &o, sizeof(o));
}

static int ioctl_iovecs(const struct iovec *iov, size_t count,
			struct fuse_ioctl_iovec *out)
{
	for (size_t i = 0; i < count; i++) {
		out[i].base = (uint64_t)(uintptr_t)iov[i].iov_base;
		out[i].len = iov[i].iov_len;
	}
	return 0;
}

int fuse_reply_ioctl_retry(fuse_req_t req, const struct iovec *in_iov,
			   size_t in_count, const struct iovec *out_iov,
			   size_t out_count)
{
	struct fuse_ioctl_out o;
	struct fuse_ioctl_iovec *v;
	struct iovec iov[3];
	int r;

	if (in_count > FUSE_IOCTL_MAX_IOV || out_count > FUSE_IOCTL_MAX_IOV)
		return fuse_reply_err(req, ENOMEM);
	v = malloc(sizeof(*v) * (in_count + out_count + 1));
	if (!v)
		return fuse_reply_err(req, ENOMEM);
	ioctl_iovecs(in_iov, in_count, v);
	ioctl_iovecs(out_iov, out_count, v + in_count);

	memset(&o, 0, sizeof(o));
	o.flags = FUSE_IOCTL_RETRY;
	o.in_iovs = (uint32_t)in_count;
	o.out_iovs = (uint32_t)out_count;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	iov[2].iov_base = v;
	iov[2].iov_len = sizeof(*v) * (in_count + out_count);
	r = fuse_send_reply_iov(req, 0, iov, iov[2].iov_len ? 3 : 2);
	free(v);
	return r;
}

int fuse_reply_ioctl(fuse_req_t req, int result, const void *buf, size_t size)
{
	struct fuse_ioctl_out o;
	struct iovec iov[3];

	memset(&o, 0, sizeof(o));
	o.result = result;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	iov[2].iov_base = (void *)buf;
	iov[2].iov_len = size;
	return fuse_send_reply_iov(req, 0, iov, size ? 3 : 2);
}

int fuse_reply_ioctl_iov(fuse_req_t req, int result, const struct iovec *iov,
			 int count)
{
	struct iovec small[16], *v = small;
	struct fuse_ioctl_out o;
	int r;

	if (count < 0)
		return fuse_reply_err(req, EINVAL);
	if (count + 2 > (int)(sizeof(small) / sizeof(small[0]))) {
		v = malloc(sizeof(*v) * ((size_t)count + 2));
		if (!v)
			return fuse_reply_err(req, ENOMEM);
	}
	memset(&o, 0, sizeof(o));
	o.result = result;
	v[1].iov_base = &o;
	v[1].iov_len = sizeof(o);
	memcpy(v + 2, iov, sizeof(*iov) * (size_t)count);
	r = fuse_send_reply_iov(req, 0, v, count + 2);
	if (v != small)
		free(v);
	return r;
}

int fuse_reply_poll(fuse_req_t req, unsigned revents)
{
	struct fuse_poll_out o = { .revents = revents };

	return reply_struct(req, &o, sizeof(o));
}

int fuse_reply_lseek(fuse_req_t req, off_t off)
{
	struct fuse_lseek_out o = { .offset = (uint64_t)off };

	return reply_struct(req, &o, sizeof(o));
}

/* ---- directory entries ---- */

size_t fuse_add_direntry(fuse_req_t req, char *buf, size_t bufsize,
			 const char *name, const struct stat *stbuf, off_t off)
{
	size_t namelen = strlen(name);
	size_t entlen = FUSE_NAME_OFFSET + namelen;
	size_t entsize = FUSE_DIRENT_ALIGN(entlen);
	struct fuse_dirent *d;

	if (!buf || entsize > bufsize)
		return entsize;
	d = (struct fuse_dirent *)buf;
	d->ino = stbuf->st_ino;
	d->off = (uint64_t)off;
	d->namelen = (uint32_t)namelen;
	d->type = (stbuf->st_mode & S_IFMT) >> 12;
	memcpy(d->name, name, namelen);
	memset(buf + entlen, 0, entsize - entlen);
	return entsize;
}

size_t fuse_add_direntry_plus(fuse_req_t req, char *buf, size_t bufsize,
			      const char *name,
			      const struct fuse_entry_param *e, off_t off)
{
	size_t namelen = strlen(name);
	size_t entlen = FUSE_NAME_OFFSET_DIRENTPLUS + namelen;
	size_t entsize = FUSE_DIRENT_ALIGN(entlen);
	struct fuse_direntplus *dp;

	if (!buf || entsize > bufsize)
		return entsize;
	dp = (struct fuse_direntplus *)buf;
	fill_entry(&dp->entry_out, e);
	dp->dirent.ino = e->attr.st_ino;
	dp->dirent.off = (uint64_t)off;
	dp->dirent.namelen = (uint32_t)namelen;
	dp->dirent.type = (e->attr.st_mode & S_IFMT) >> 12;
	memcpy(dp->dirent.name, name, namelen);
	memset(buf + entlen, 0, entsize - entlen);
	return entsize;
}
