// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files
 *
 * OPEN/RELEASE (and OPENDIR/RELEASEDIR for dir.c), FLUSH, FSYNC(DIR),
 * LSEEK, and READ: through the page cache (read_folio, readahead) unless
 * the server opened the file with FOPEN_DIRECT_IO or the caller with
 * O_DIRECT, then straight into the reader's buffer.  Writing: write.c,
 * shared writable mappings: mmap.c.
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "fuse_i.h"

static siphash_key_t fuse_lock_owner_key;

void fuse_lock_owner_init(void)
{
	get_random_bytes(&fuse_lock_owner_key, sizeof(fuse_lock_owner_key));
}

/* The protocol's lock owner: an id per files_struct that does not show
 * the server a kernel address. */
u64 fuse_lock_owner_id(fl_owner_t owner)
{
	return siphash_1u64((u64)(unsigned long)owner, &fuse_lock_owner_key);
}

/* What the server may see of the open flags: O_TRUNC only if it takes
 * O_TRUNC at open (then the truncation is its job). */
static unsigned int fuse_open_flags(struct fuse_conn *fc, unsigned int flags)
{
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
	if (!fc->atomic_o_trunc)
		flags &= ~O_TRUNC;
	return flags;
}

/* Sets a freshly opened regular file up the way the server asked. */
void fuse_finish_open(struct inode *inode, struct file *file,
		      struct fuse_file *ff)
{
	struct fuse_conn *fc = get_fuse_conn(inode);

	ff->flags = file->f_flags;
	if ((file->f_mode & FMODE_WRITE) && !(ff->open_flags & FOPEN_DIRECT_IO)) {
		spin_lock(&fc->lock);
		list_add(&ff->write_entry, &get_fuse_inode(inode)->write_files);
		spin_unlock(&fc->lock);
	}
	if (ff->open_flags & FOPEN_STREAM)
		stream_open(inode, file);
	else if (ff->open_flags & FOPEN_NONSEEKABLE)
		nonseekable_open(inode, file);
	if ((file->f_flags & O_TRUNC) && fc->atomic_o_trunc &&
	    (file->f_mode & FMODE_WRITE)) {
		/* the server truncated at OPEN: so do we */
		spin_lock(&inode->i_lock);
		i_size_write(inode, 0);
		spin_unlock(&inode->i_lock);
		truncate_pagecache(inode, 0);
		fuse_invalidate_attr(inode);
	} else if (!(ff->open_flags & (FOPEN_KEEP_CACHE | FOPEN_DIRECT_IO))) {
		/* what we cached may be stale unless the server says keep it;
		 * what a shared mapping dirtied goes to the server first */
		filemap_write_and_wait(inode->i_mapping);
		invalidate_inode_pages2(inode->i_mapping);
	}
}

int fuse_open_common(struct inode *inode, struct file *file, bool isdir)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_open_in in = {};
	struct fuse_open_out out = {};
	struct fuse_args args = {};
	struct fuse_file *ff;
	ssize_t r;

	ff = kzalloc(sizeof(*ff), GFP_KERNEL);
	if (!ff)
		return -ENOMEM;
	refcount_set(&ff->count, 1);
	INIT_LIST_HEAD(&ff->write_entry);
	ff->flags = file->f_flags;
	in.flags = fuse_open_flags(fc, file->f_flags);
	args.opcode = isdir ? FUSE_OPENDIR : FUSE_OPEN;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	r = fuse_simple_request(fc, &args);
	if (r) {
		kfree(ff);
		return r;
	}
	ff->fh = out.fh;
	ff->open_flags = out.open_flags;
	ff->nodeid = get_node_id(inode);
	ff->fc = fc;
	ff->release_opcode = isdir ? FUSE_RELEASEDIR : FUSE_RELEASE;
	file->private_data = ff;

	if (!isdir)
		fuse_finish_open(inode, file, ff);
	return 0;
}

struct fuse_release_args {
	struct fuse_args args;
	struct fuse_release_in in;
};

static void fuse_release_end(struct fuse_conn *fc, struct fuse_args *args,
			     int error)
{
	kfree(container_of(args, struct fuse_release_args, args));
}

/* RELEASE is sent in the background: close(2) does not wait for it.
 * Frees @ff. */
void fuse_send_release(struct fuse_file *ff, unsigned int flags)
{
	struct fuse_release_args *ra;

	ra = kzalloc(sizeof(*ra), GFP_KERNEL | __GFP_NOFAIL);
	ra->in.fh = ff->fh;
	ra->in.flags = fuse_open_flags(ff->fc, flags);
	ra->args.opcode = ff->release_opcode;
	ra->args.nodeid = ff->nodeid;
	ra->args.in_numargs = 1;
	ra->args.in_args[0].size = sizeof(ra->in);
	ra->args.in_args[0].value = &ra->in;
	ra->args.end = fuse_release_end;
	fuse_simple_background(ff->fc, &ra->args);
	kfree(ff);
}

void fuse_file_put(struct fuse_file *ff)
{
	if (refcount_dec_and_test(&ff->count))
		fuse_send_release(ff, ff->flags);
}

int fuse_release_common(struct inode *inode, struct file *file, bool isdir)
{
	struct fuse_file *ff = file->private_data;
	struct fuse_conn *fc = get_fuse_conn(inode);

	if (!ff)
		return 0;
	if (!list_empty(&ff->write_entry)) {
		/* the last mapping is gone with the file: what it dirtied
		 * goes out while this handle is still open */
		filemap_write_and_wait(inode->i_mapping);
		spin_lock(&fc->lock);
		list_del_init(&ff->write_entry);
		spin_unlock(&fc->lock);
	}
	file->private_data = NULL;
	/* writeback may still hold the handle; the last put releases it */
	fuse_file_put(ff);
	return 0;
}

/* FLUSH at every close(2) of a descriptor, so the server can report a
 * late write error to the caller; ENOSYS: never again. */
static int fuse_flush(struct file *file, fl_owner_t id)
{
	struct inode *inode = file_inode(file);
	struct fuse_file *ff = file->private_data;
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_flush_in in = {};
	struct fuse_args args = {};
	ssize_t r;

	if (!ff)
		return 0;
	/* close(2) reports what writing back a shared mapping's pages hit */
	r = filemap_write_and_wait(inode->i_mapping);
	if (r || READ_ONCE(fc->no_flush))
		return r;
	in.fh = ff->fh;
	in.lock_owner = fuse_lock_owner_id(id);
	args.opcode = FUSE_FLUSH;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	r = fuse_simple_request(fc, &args);
	if (r == -ENOSYS) {
		WRITE_ONCE(fc->no_flush, true);
		r = 0;
	}
	return r;
}

/* FSYNC or FSYNCDIR: what a shared mapping dirtied goes to the server,
 * then the server is asked to make it durable. */
int fuse_fsync_common(struct file *file, loff_t start, loff_t end,
		      int datasync, bool isdir)
{
	struct inode *inode = file_inode(file);
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_file *ff = file->private_data;
	bool *no = isdir ? &fc->no_fsyncdir : &fc->no_fsync;
	struct fuse_fsync_in in = {};
	struct fuse_args args = {};
	ssize_t r;

	if (!ff)
		return 0;
	if (!isdir) {
		r = file_write_and_wait_range(file, start, end);
		if (r)
			return r;
	}
	if (READ_ONCE(*no))
		return 0;
	in.fh = ff->fh;
	in.fsync_flags = datasync ? FUSE_FSYNC_FDATASYNC : 0;
	args.opcode = isdir ? FUSE_FSYNCDIR : FUSE_FSYNC;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	inode_lock(inode);
	r = fuse_simple_request(fc, &args);
	inode_unlock(inode);
	if (r == -ENOSYS) {
		WRITE_ONCE(*no, true);
		r = 0;
	}
	return r;
}

static int fuse_file_fsync(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	return fuse_fsync_common(file, start, end, datasync, false);
}

/* SEEK_DATA/SEEK_HOLE ask the server (ENOSYS: the generic answer, the
 * whole file is data); SEEK_END needs a fresh size. */
static loff_t fuse_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_file *ff = file->private_data;
	struct fuse_lseek_in in = {};
	struct fuse_lseek_out out = {};
	struct fuse_args args = {};
	ssize_t r;

	switch (whence) {
	case SEEK_SET:
	case SEEK_CUR:
		return generic_file_llseek(file, offset, whence);
	case SEEK_END:
		r = fuse_update_attributes(inode, file);
		return r ? r : generic_file_llseek(file, offset, whence);
	case SEEK_DATA:
	case SEEK_HOLE:
		break;
	default:
		return -EINVAL;
	}
	if (READ_ONCE(fc->no_lseek))
		goto generic;
	in.fh = ff->fh;
	in.offset = offset;
	in.whence = whence;
	args.opcode = FUSE_LSEEK;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	r = fuse_simple_request(fc, &args);
	if (r == -ENOSYS) {
		WRITE_ONCE(fc->no_lseek, true);
		goto generic;
	}
	if (r)
		return r;
	/* an offset before the one asked for, or past what a file can
	 * hold, is not an answer */
	if ((s64)out.offset < 0 || (s64)out.offset < offset ||
	    out.offset > inode->i_sb->s_maxbytes)
		return -EIO;
	return vfs_setpos(file, out.offset, inode->i_sb->s_maxbytes);
generic:
	r = fuse_update_attributes(inode, file);
	return r ? r : generic_file_llseek(file, offset, whence);
}

static int fuse_open(struct inode *inode, struct file *file)
{
	return fuse_open_common(inode, file, false);
}

static int fuse_release(struct inode *inode, struct file *file)
{
	return fuse_release_common(inode, file, false);
}

/* The most one READ asks for on this connection. */
static size_t fuse_max_read(struct fuse_conn *fc)
{
	return clamp_t(size_t, fc->max_read, PAGE_SIZE, FUSE_MAX_READ_SIZE);
}

/* READ up to @count bytes at @pos into @buf; returns bytes or -errno. */
static ssize_t fuse_send_read(struct file *file, loff_t pos, void *buf,
			      size_t count)
{
	struct fuse_file *ff = file->private_data;
	struct fuse_read_in in = {};
	struct fuse_args args = {};

	in.fh = ff->fh;
	in.offset = pos;
	in.size = count;
	in.flags = file->f_flags;
	args.opcode = FUSE_READ;
	args.nodeid = ff->nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = count;
	args.out_args[0].value = buf;
	args.out_argvar = true;
	return fuse_simple_request(ff->fc, &args);
}

/* Fills a locked folio from @buf (@avail bytes there), zeroing the rest. */
static void fuse_fill_folio(struct folio *folio, const char *buf, size_t avail)
{
	size_t len = folio_size(folio);
	size_t n = min(avail, len);
	char *dst = kmap_local_folio(folio, 0);

	memcpy(dst, buf, n);
	memset(dst + n, 0, len - n);
	kunmap_local(dst);
	folio_mark_uptodate(folio);
}

static int fuse_read_folio(struct file *file, struct folio *folio)
{
	size_t len = folio_size(folio);
	ssize_t r;
	char *buf;

	if (!file || !file->private_data) {
		folio_unlock(folio);
		return -EBADF;
	}
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf) {
		folio_unlock(folio);
		return -ENOMEM;
	}
	r = fuse_send_read(file, folio_pos(folio), buf, len);
	if (r >= 0)
		fuse_fill_folio(folio, buf, r);
	folio_unlock(folio);
	kvfree(buf);
	return r < 0 ? r : 0;
}

/*
 * Readahead in batches of one READ each; a failed batch leaves its folios
 * not uptodate, and read_folio retries them one by one.  Positions are
 * counted here: readahead_pos() lags by the folio last handed out.
 */
static void fuse_readahead(struct readahead_control *rac)
{
	struct file *file = rac->file;
	loff_t pos = readahead_pos(rac);
	size_t left = readahead_length(rac);
	struct fuse_conn *fc;
	size_t batch;
	char *buf;

	if (!file || !file->private_data)
		return;
	fc = ((struct fuse_file *)file->private_data)->fc;
	batch = min_t(size_t, fuse_max_read(fc), READ_ONCE(fc->max_readahead));
	batch = max_t(size_t, batch, PAGE_SIZE);
	/* A random read's miss asks for a page or a few: a bounce buffer of
	 * the whole window each time cost it ~15% against fuse.ko. */
	batch = min_t(size_t, batch, left);
	if (!batch)
		return;
	buf = kvmalloc(batch, GFP_KERNEL);
	if (!buf)
		return;

	while (left) {
		size_t len = min(left, batch);
		size_t done = 0;
		ssize_t r;

		r = fuse_send_read(file, pos, buf, len);
		while (done < len) {
			struct folio *folio = readahead_folio(rac);

			if (!folio)
				break;
			if (r >= 0)
				fuse_fill_folio(folio, buf + min_t(size_t, done, r),
						r > done ? r - done : 0);
			folio_unlock(folio);
			done += folio_size(folio);
		}
		if (!done)
			break;
		pos += done;
		left -= min(left, done);
	}
	kvfree(buf);
}

static ssize_t fuse_direct_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct fuse_file *ff = file->private_data;
	size_t bufsize = min(fuse_max_read(ff->fc), iov_iter_count(to));
	ssize_t total = 0, r = 0;
	char *buf;

	if (!bufsize)
		return 0;
	buf = kvmalloc(bufsize, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (iov_iter_count(to)) {
		size_t n = min(bufsize, iov_iter_count(to));
		size_t copied;

		r = fuse_send_read(file, iocb->ki_pos, buf, n);
		if (r <= 0)
			break;
		copied = copy_to_iter(buf, r, to);
		iocb->ki_pos += copied;
		total += copied;
		if (copied < r) {
			r = -EFAULT;
			break;
		}
		if (r < n)
			break;	/* end of file */
	}
	kvfree(buf);
	return total ? total : r;
}

static ssize_t fuse_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct fuse_file *ff = file->private_data;
	int r;

	if (ff->open_flags & FOPEN_DIRECT_IO)
		return fuse_direct_read_iter(iocb, to);
	if (!iov_iter_count(to))
		return 0;
	if (iocb->ki_flags & IOCB_DIRECT) {
		/* the server must have what a shared mapping dirtied */
		r = filemap_write_and_wait_range(file->f_mapping, iocb->ki_pos,
						 iocb->ki_pos +
						 iov_iter_count(to) - 1);
		return r ? r : fuse_direct_read_iter(iocb, to);
	}
	/* reading past the size we know: ask whether the file grew */
	if (iocb->ki_pos + iov_iter_count(to) > i_size_read(inode)) {
		r = fuse_update_attributes(inode, file);
		if (r)
			return r;
	}
	return generic_file_read_iter(iocb, to);
}

const struct file_operations fuse_file_operations = {
	.llseek		= fuse_file_llseek,
	.read_iter	= fuse_file_read_iter,
	.write_iter	= fuse_file_write_iter,
	.mmap		= fuse_file_mmap,
	.open		= fuse_open,
	.flush		= fuse_flush,
	.release	= fuse_release,
	.fsync		= fuse_file_fsync,
	.fallocate	= fuse_file_fallocate,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	.splice_read	= filemap_splice_read,
#else
	.splice_read	= generic_file_splice_read,
#endif
	/* copy_file_range's fallback and splice(2) write through write_iter */
	.splice_write	= iter_file_splice_write,
};

const struct address_space_operations fuse_file_aops = {
	.read_folio	= fuse_read_folio,
	.readahead	= fuse_readahead,
	/* only shared writable mappings dirty pages (mmap.c) */
	.dirty_folio	= filemap_dirty_folio,
	.writepages	= fuse_writepages,
	/* O_DIRECT is served by the read/write paths themselves */
	.direct_IO	= noop_direct_IO,
};
