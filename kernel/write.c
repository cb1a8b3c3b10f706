// SPDX-License-Identifier: GPL-2.0
/*
 * The write path: WRITE and FALLOCATE
 *
 * Writes go through to the server at once, one WRITE of up to max_write
 * bytes at a time (one page at a time for a server that did not take
 * FUSE_BIG_WRITES), under the inode's i_rwsem so that i_size and the
 * order of writes stay ours.  The page cache never holds dirty data: after
 * each WRITE the pages it covered are dropped, and the next read fetches
 * them again.  The same loop serves FOPEN_DIRECT_IO and O_DIRECT.  Only a
 * shared writable mapping dirties pages (mmap.c); those in a write's range
 * are written back before it.
 */
#include <linux/file.h>
#include <linux/falloc.h>	/* after file.h: it needs the __s32 family */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "fuse_i.h"

/* WRITE @count bytes of @buf at @pos; returns bytes written or -errno. */
ssize_t fuse_send_write(struct fuse_file *ff, loff_t pos, const void *buf,
			size_t count, u32 write_flags)
{
	struct fuse_write_in in = {};
	struct fuse_write_out out = {};
	struct fuse_args args = {};
	ssize_t r;

	in.fh = ff->fh;
	in.offset = pos;
	in.size = count;
	in.flags = ff->flags;
	in.write_flags = write_flags;
	if (write_flags & FUSE_WRITE_LOCKOWNER)
		in.lock_owner = fuse_lock_owner_id(current->files);
	args.opcode = FUSE_WRITE;
	args.nodeid = ff->nodeid;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = count;
	args.in_args[1].value = buf;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	args.nocreds = write_flags & FUSE_WRITE_CACHE;
	r = fuse_simple_request(ff->fc, &args);
	if (r)
		return r;
	/* more written than sent is a lie, not a count */
	if (out.size > count)
		return -EIO;
	return out.size;
}

/* The most one WRITE carries for this file. */
static size_t fuse_write_chunk(struct fuse_conn *fc, struct kiocb *iocb,
			       struct fuse_file *ff)
{
	bool direct = (ff->open_flags & FOPEN_DIRECT_IO) ||
		      (iocb->ki_flags & IOCB_DIRECT);

	if (!direct && !fc->big_writes)
		return PAGE_SIZE;
	return fc->max_write;
}

/* Copies and sends @from in chunks; stops at the first short or failed
 * WRITE.  Called with the inode locked. */
static ssize_t fuse_perform_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct fuse_file *ff = file->private_data;
	size_t chunk = fuse_write_chunk(ff->fc, iocb, ff);
	ssize_t total = 0, r = 0;
	char *buf;

	/* pages a shared mapping dirtied go first, or they would land on
	 * top of this write later */
	r = filemap_write_and_wait_range(inode->i_mapping, iocb->ki_pos,
					 iocb->ki_pos + iov_iter_count(from) - 1);
	if (r)
		return r;
	buf = kvmalloc(min(chunk, iov_iter_count(from)), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (iov_iter_count(from)) {
		size_t n = min(chunk, iov_iter_count(from));
		loff_t pos = iocb->ki_pos;
		size_t copied;

		copied = copy_from_iter(buf, n, from);
		if (!copied) {
			r = -EFAULT;
			break;
		}
		r = fuse_send_write(ff, pos, buf, copied, FUSE_WRITE_LOCKOWNER);
		if (r < 0)
			break;
		/* the server wrote something: our cached copy is stale */
		if (r > 0) {
			invalidate_inode_pages2_range(inode->i_mapping,
						      pos >> PAGE_SHIFT,
						      (pos + r - 1) >> PAGE_SHIFT);
			iocb->ki_pos += r;
			total += r;
			spin_lock(&inode->i_lock);
			if (iocb->ki_pos > i_size_read(inode))
				i_size_write(inode, iocb->ki_pos);
			spin_unlock(&inode->i_lock);
		}
		if (r < copied) {
			/* short: give back what the server did not take */
			iov_iter_revert(from, copied - r);
			break;
		}
	}
	kvfree(buf);
	/* mtime, ctime, blocks: the server's to say; and a GETATTR sent
	 * before this write must not take i_size back */
	fuse_attr_changed(inode);
	return total ? total : r;
}

ssize_t fuse_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	ssize_t r;

	if (!fuse_allow_current_process(get_fuse_conn(inode)))
		return -EACCES;
	inode_lock(inode);
	/* O_APPEND writes at the server's end of file, not our guess */
	if (iocb->ki_flags & IOCB_APPEND) {
		r = fuse_do_getattr(inode, file);
		if (r)
			goto out;
	}
	r = generic_write_checks(iocb, from);
	if (r <= 0)
		goto out;
	r = file_remove_privs(file);
	if (r)
		goto out;
	r = fuse_perform_write(iocb, from);
out:
	inode_unlock(inode);
	if (r > 0)
		r = generic_write_sync(iocb, r);
	return r;
}

#define FUSE_FALLOCATE_MODES \
	(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)

long fuse_file_fallocate(struct file *file, int mode, loff_t offset,
			 loff_t length)
{
	struct inode *inode = file_inode(file);
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_file *ff = file->private_data;
	struct fuse_fallocate_in in = {};
	struct fuse_args args = {};
	loff_t end;
	ssize_t r;

	if (mode & ~FUSE_FALLOCATE_MODES)
		return -EOPNOTSUPP;
	if (READ_ONCE(fc->no_fallocate))
		return -EOPNOTSUPP;
	if (check_add_overflow(offset, length, &end))
		return -EFBIG;

	inode_lock(inode);
	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		r = inode_newsize_ok(inode, end);
		if (r)
			goto out;
	}
	in.fh = ff->fh;
	in.offset = offset;
	in.length = length;
	in.mode = mode;
	args.opcode = FUSE_FALLOCATE;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	r = fuse_simple_request(fc, &args);
	if (r == -ENOSYS) {
		WRITE_ONCE(fc->no_fallocate, true);
		r = -EOPNOTSUPP;
	}
	if (r)
		goto out;
	/* punched or zeroed bytes read back as zeroes: drop the old ones */
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		truncate_pagecache_range(inode, offset, end - 1);
	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		spin_lock(&inode->i_lock);
		if (end > i_size_read(inode))
			i_size_write(inode, end);
		spin_unlock(&inode->i_lock);
	}
	fuse_attr_changed(inode);
out:
	inode_unlock(inode);
	return r;
}
