// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files
 *
 * OPEN/RELEASE (and OPENDIR/RELEASEDIR for dir.c), and READ: through the
 * page cache (read_folio, readahead) unless the server opened the file
 * with FOPEN_DIRECT_IO, then straight into the reader's buffer.  Writing
 * is not implemented yet (ENOSYS).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "fuse_i.h"

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
	/* no atomic O_TRUNC offered at INIT: the server never sees it */
	in.flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
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

	if (!isdir) {
		if (ff->open_flags & FOPEN_STREAM)
			stream_open(inode, file);
		else if (ff->open_flags & FOPEN_NONSEEKABLE)
			nonseekable_open(inode, file);
		/* what we cached may be stale unless the server says keep it */
		if (!(ff->open_flags & (FOPEN_KEEP_CACHE | FOPEN_DIRECT_IO)))
			invalidate_inode_pages2(inode->i_mapping);
	}
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

/* RELEASE is sent in the background: close(2) does not wait for it. */
int fuse_release_common(struct inode *inode, struct file *file, bool isdir)
{
	struct fuse_file *ff = file->private_data;
	struct fuse_release_args *ra;

	if (!ff)
		return 0;
	ra = kzalloc(sizeof(*ra), GFP_KERNEL | __GFP_NOFAIL);
	ra->in.fh = ff->fh;
	ra->in.flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	ra->args.opcode = ff->release_opcode;
	ra->args.nodeid = ff->nodeid;
	ra->args.in_numargs = 1;
	ra->args.in_args[0].size = sizeof(ra->in);
	ra->args.in_args[0].value = &ra->in;
	ra->args.end = fuse_release_end;
	fuse_simple_background(ff->fc, &ra->args);
	kfree(ff);
	file->private_data = NULL;
	return 0;
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
	/* reading past the size we know: ask whether the file grew */
	if (iocb->ki_pos + iov_iter_count(to) > i_size_read(inode)) {
		r = fuse_update_attributes(inode, file);
		if (r)
			return r;
	}
	return generic_file_read_iter(iocb, to);
}

static ssize_t fuse_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return -ENOSYS;
}

static int fuse_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fuse_file *ff = file->private_data;

	if (ff->open_flags & FOPEN_DIRECT_IO)
		return -ENODEV;
	return generic_file_readonly_mmap(file, vma);
}

const struct file_operations fuse_file_operations = {
	.llseek		= generic_file_llseek,
	.read_iter	= fuse_file_read_iter,
	.write_iter	= fuse_file_write_iter,
	.mmap		= fuse_file_mmap,
	.open		= fuse_open,
	.release	= fuse_release,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	.splice_read	= filemap_splice_read,
#else
	.splice_read	= generic_file_splice_read,
#endif
};

const struct address_space_operations fuse_file_aops = {
	.read_folio	= fuse_read_folio,
	.readahead	= fuse_readahead,
};
