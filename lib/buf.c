// SPDX-License-Identifier: LGPL-2.1-or-later
/* Data buffers: fuse_buf_size() and fuse_buf_copy()
 *
 * A buffer is memory or a file descriptor; copying walks two buffer
 * vectors and moves each overlapping piece with memmove, read/write (or
 * their p* forms for FUSE_BUF_FD_SEEK), or splice(2) between two fds.
 * Like libfuse: a short transfer ends the copy unless FUSE_BUF_FD_RETRY
 * asks to keep going, an error after some bytes were copied returns the
 * count, and splice falls back to read/write on EINVAL unless
 * FUSE_BUF_FORCE_SPLICE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_common.h"

/* The largest bounce buffer of an fd-to-fd copy without splice. */
#define BOUNCE_MAX (128 * 1024)

size_t fuse_buf_size(const struct fuse_bufvec *bufv)
{
	size_t total = 0;

	for (size_t i = 0; i < bufv->count; i++) {
		if (bufv->buf[i].size > SIZE_MAX - total)
			return SIZE_MAX;
		total += bufv->buf[i].size;
	}
	return total;
}

static bool is_fd(const struct fuse_buf *b)
{
	return b->flags & FUSE_BUF_IS_FD;
}

/* Writes len bytes of src's memory to dst's fd.  Bytes written or -errno;
 * fewer than len on a short write without FUSE_BUF_FD_RETRY. */
static ssize_t mem_to_fd(const struct fuse_buf *dst, size_t dst_off,
			 const char *mem, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r;

		if (dst->flags & FUSE_BUF_FD_SEEK)
			r = pwrite(dst->fd, mem + done, len - done,
				   dst->pos + (off_t)(dst_off + done));
		else
			r = write(dst->fd, mem + done, len - done);
		if (r < 0) {
			if (done)
				break;
			return -errno;
		}
		if (r == 0)
			break;
		done += r;
		if (!(dst->flags & FUSE_BUF_FD_RETRY))
			break;
	}
	return done;
}

/* Reads up to len bytes from src's fd into memory.  Bytes read or -errno;
 * fewer at end of file, or on a short read without FUSE_BUF_FD_RETRY. */
static ssize_t fd_to_mem(char *mem, const struct fuse_buf *src, size_t src_off,
			 size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r;

		if (src->flags & FUSE_BUF_FD_SEEK)
			r = pread(src->fd, mem + done, len - done,
				  src->pos + (off_t)(src_off + done));
		else
			r = read(src->fd, mem + done, len - done);
		if (r < 0) {
			if (done)
				break;
			return -errno;
		}
		if (r == 0)
			break;
		done += r;
		if (!(src->flags & FUSE_BUF_FD_RETRY))
			break;
	}
	return done;
}

/* fd to fd through memory, piece by piece; stops at the first short
 * read or write. */
static ssize_t fd_to_fd(const struct fuse_buf *dst, size_t dst_off,
			const struct fuse_buf *src, size_t src_off, size_t len)
{
	size_t bounce_len = len < BOUNCE_MAX ? len : BOUNCE_MAX;
	char *bounce;
	size_t done = 0;

	if (len == 0)
		return 0;
	bounce = malloc(bounce_len);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		size_t want = len - done < bounce_len ? len - done : bounce_len;
		ssize_t got, put;

		got = fd_to_mem(bounce, src, src_off + done, want);
		if (got <= 0) {
			if (got < 0 && !done)
				done = got;
			break;
		}
		put = mem_to_fd(dst, dst_off + done, bounce, got);
		if (put <= 0) {
			if (put < 0 && !done)
				done = put;
			break;
		}
		done += put;
		if ((size_t)put < want)
			break;
	}
	free(bounce);
	return (ssize_t)done;
}

static ssize_t fd_splice(const struct fuse_buf *dst, size_t dst_off,
			 const struct fuse_buf *src, size_t src_off, size_t len,
			 enum fuse_buf_copy_flags flags)
{
	unsigned int splice_flags = 0;
	off_t src_pos = src->pos + (off_t)src_off;
	off_t dst_pos = dst->pos + (off_t)dst_off;
	off_t *srcp = (src->flags & FUSE_BUF_FD_SEEK) ? &src_pos : NULL;
	off_t *dstp = (dst->flags & FUSE_BUF_FD_SEEK) ? &dst_pos : NULL;
	bool retry = (src->flags | dst->flags) & FUSE_BUF_FD_RETRY;
	size_t done = 0;

	if (flags & FUSE_BUF_SPLICE_MOVE)
		splice_flags |= SPLICE_F_MOVE;
	if (flags & FUSE_BUF_SPLICE_NONBLOCK)
		splice_flags |= SPLICE_F_NONBLOCK;

	while (done < len) {
		ssize_t r = splice(src->fd, srcp, dst->fd, dstp, len - done,
				   splice_flags);

		if (r < 0) {
			if (done)
				break;
			/* EINVAL: no pipe on either side, or an fd type
			 * splice does not support; copy instead. */
			if (errno == EINVAL && !(flags & FUSE_BUF_FORCE_SPLICE))
				return fd_to_fd(dst, dst_off, src, src_off, len);
			return -errno;
		}
		if (r == 0)
			break;
		done += r;
		if (!retry)
			break;
	}
	return done;
}

static ssize_t copy_one(const struct fuse_buf *dst, size_t dst_off,
			const struct fuse_buf *src, size_t src_off, size_t len,
			enum fuse_buf_copy_flags flags)
{
	if (!is_fd(src) && !is_fd(dst)) {
		char *d = (char *)dst->mem + dst_off;
		const char *s = (const char *)src->mem + src_off;

		if (d != s)
			memmove(d, s, len);
		return len;
	}
	if (!is_fd(src))
		return mem_to_fd(dst, dst_off, (const char *)src->mem + src_off, len);
	if (!is_fd(dst))
		return fd_to_mem((char *)dst->mem + dst_off, src, src_off, len);
	if (flags & FUSE_BUF_NO_SPLICE)
		return fd_to_fd(dst, dst_off, src, src_off, len);
	return fd_splice(dst, dst_off, src, src_off, len, flags);
}

/* Moves the cursor len bytes on; false once the vector is used up. */
static bool advance(struct fuse_bufvec *v, size_t len)
{
	v->off += len;
	if (v->off < v->buf[v->idx].size)
		return true;
	v->idx++;
	v->off = 0;
	return v->idx < v->count;
}

ssize_t fuse_buf_copy(struct fuse_bufvec *dstv, struct fuse_bufvec *srcv,
		      enum fuse_buf_copy_flags flags)
{
	size_t copied = 0;

	if (dstv == srcv)
		return fuse_buf_size(dstv);

	while (srcv->idx < srcv->count && dstv->idx < dstv->count) {
		const struct fuse_buf *src = &srcv->buf[srcv->idx];
		const struct fuse_buf *dst = &dstv->buf[dstv->idx];
		size_t src_len = src->size - srcv->off;
		size_t dst_len = dst->size - dstv->off;
		size_t len = src_len < dst_len ? src_len : dst_len;
		ssize_t r;

		r = copy_one(dst, dstv->off, src, srcv->off, len, flags);
		if (r < 0) {
			if (!copied)
				return r;
			break;
		}
		copied += r;
		/* Both cursors move, even past a short piece, so a caller can
		 * continue where this copy stopped.  Once the source is used
		 * up the destination's cursor stays put, as in libfuse. */
		if (!advance(srcv, r) || !advance(dstv, r))
			break;
		if ((size_t)r < len)
			break;
	}
	return copied;
}
