// SPDX-License-Identifier: GPL-2.0
/*
 * Shared writable mappings
 *
 * The only way a page of ours becomes dirty: write(2) goes straight to
 * the server (write.c).  A store through a MAP_SHARED mapping dirties the
 * page (page_mkwrite waits for writeback to end first), and writepages
 * sends it with WRITE (FUSE_WRITE_CACHE) through the handle of any file
 * open for writing on the inode, borrowed with a reference.  Such a file
 * stays open while the mapping lives, and its release writes everything
 * back and waits before the handle goes.  Reclaim never writes our pages
 * (no ->writepage): only the flusher, sync, fsync, close and the write
 * path do, so no server thread waits on itself.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "fuse_i.h"

static vm_fault_t fuse_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct inode *inode = file_inode(vmf->vma->vm_file);

	folio_lock(folio);
	if (folio->mapping != inode->i_mapping) {
		/* truncated or invalidated meanwhile: fault again */
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	/* a page being sent must not change under the copy */
	folio_wait_stable(folio);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct fuse_file_vm_ops = {
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= fuse_page_mkwrite,
};

int fuse_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fuse_file *ff = file->private_data;

	/* no page cache to map for a server that wants direct I/O */
	if (ff->open_flags & FOPEN_DIRECT_IO)
		return -ENODEV;
	file_accessed(file);
	vma->vm_ops = &fuse_file_vm_ops;
	return 0;
}

/* A handle to write with, referenced; NULL if no file is open for it. */
static struct fuse_file *fuse_get_write_file(struct inode *inode)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct fuse_file *ff = NULL;

	spin_lock(&fc->lock);
	if (!list_empty(&fi->write_files)) {
		ff = list_first_entry(&fi->write_files, struct fuse_file,
				      write_entry);
		refcount_inc(&ff->count);
	}
	spin_unlock(&fc->lock);
	return ff;
}

struct fuse_wb {
	struct fuse_file *ff;
	char *buf;	/* PAGE_SIZE: folios of the page cache are pages here */
};

/* Sends one locked, dirty-for-io folio; unlocks it. */
static int fuse_write_folio(struct folio *folio, struct fuse_wb *wb)
{
	struct inode *inode = folio->mapping->host;
	loff_t pos = folio_pos(folio);
	loff_t size = i_size_read(inode);
	size_t len;
	char *src;
	ssize_t r;

	if (pos >= size || folio_size(folio) > PAGE_SIZE) {
		/* past the end (truncated meanwhile): nothing to send */
		folio_unlock(folio);
		return 0;
	}
	len = min_t(loff_t, PAGE_SIZE, size - pos);
	src = kmap_local_folio(folio, 0);
	memcpy(wb->buf, src, len);
	kunmap_local(src);
	folio_start_writeback(folio);
	folio_unlock(folio);
	r = fuse_send_write(wb->ff, pos, wb->buf, len, FUSE_WRITE_CACHE);
	if (r >= 0 && r < len)
		r = -EIO;
	if (r < 0)
		mapping_set_error(folio->mapping, r);
	folio_end_writeback(folio);
	return r < 0 ? r : 0;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static int fuse_writepage_cb(struct folio *folio, struct writeback_control *wbc,
			     void *data)
{
	return fuse_write_folio(folio, data);
}
#else
static int fuse_writepage_cb(struct page *page, struct writeback_control *wbc,
			     void *data)
{
	return fuse_write_folio(page_folio(page), data);
}
#endif

int fuse_writepages(struct address_space *mapping,
		    struct writeback_control *wbc)
{
	struct fuse_wb wb;
	int r;

	wb.ff = fuse_get_write_file(mapping->host);
	if (!wb.ff) {
		/* dirty pages outlive every writable file only if a
		 * release's writeback failed; that error was reported */
		return 0;
	}
	wb.buf = kmalloc(PAGE_SIZE, GFP_NOFS);
	if (!wb.buf) {
		fuse_file_put(wb.ff);
		return -ENOMEM;
	}
	r = write_cache_pages(mapping, wbc, fuse_writepage_cb, &wb);
	kfree(wb.buf);
	fuse_file_put(wb.ff);
	return r;
}
