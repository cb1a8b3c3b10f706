// SPDX-License-Identifier: GPL-2.0
/*
 * SETATTR: chmod, chown, truncate, utimens
 *
 * The VFS holds the inode's i_rwsem.  The server applies the change and
 * answers with the new attributes, which are checked like any others; a
 * size change also cuts the page cache, so nothing past the new end is
 * read back from memory.  The VFS turns ATTR_KILL_SUID/SGID into a mode
 * change from what we cached; we offer no HANDLE_KILLPRIV, so that mode
 * is what the server gets.
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "fuse_i.h"

static void fuse_iattr_to_in(struct fuse_conn *fc, const struct iattr *attr,
			     struct fuse_setattr_in *in)
{
	unsigned int ivalid = attr->ia_valid;

	if (ivalid & ATTR_MODE) {
		in->valid |= FATTR_MODE;
		in->mode = attr->ia_mode;
	}
	if (ivalid & ATTR_UID) {
		in->valid |= FATTR_UID;
		in->uid = from_kuid(fc->user_ns, attr->ia_uid);
	}
	if (ivalid & ATTR_GID) {
		in->valid |= FATTR_GID;
		in->gid = from_kgid(fc->user_ns, attr->ia_gid);
	}
	if (ivalid & ATTR_SIZE) {
		in->valid |= FATTR_SIZE;
		in->size = attr->ia_size;
	}
	/* without ATTR_*_SET the caller asked for "now" (UTIME_NOW or a
	 * NULL times argument); UTIME_OMIT leaves the bit out entirely */
	if (ivalid & ATTR_ATIME) {
		in->valid |= FATTR_ATIME;
		in->atime = attr->ia_atime.tv_sec;
		in->atimensec = attr->ia_atime.tv_nsec;
		if (!(ivalid & ATTR_ATIME_SET))
			in->valid |= FATTR_ATIME_NOW;
	}
	if (ivalid & ATTR_MTIME) {
		in->valid |= FATTR_MTIME;
		in->mtime = attr->ia_mtime.tv_sec;
		in->mtimensec = attr->ia_mtime.tv_nsec;
		if (!(ivalid & ATTR_MTIME_SET))
			in->valid |= FATTR_MTIME_NOW;
	}
}

int fuse_setattr(fuse_idmap_t *idmap, struct dentry *entry,
		 struct iattr *attr)
{
	struct inode *inode = d_inode(entry);
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct file *file = (attr->ia_valid & ATTR_FILE) ? attr->ia_file : NULL;
	struct fuse_setattr_in in = {};
	struct fuse_attr_out out = {};
	struct fuse_args args = {};
	loff_t oldsize;
	ssize_t r;

	if (!fuse_allow_current_process(fc))
		return -EACCES;
	/* O_TRUNC went with OPEN, and the open cut our cache already */
	if ((attr->ia_valid & ATTR_OPEN) && fc->atomic_o_trunc)
		return 0;
	/* without default_permissions the server decides who may */
	if (!fc->default_permissions)
		attr->ia_valid |= ATTR_FORCE;
	r = setattr_prepare(idmap, entry, attr);
	if (r)
		return r;

	fuse_iattr_to_in(fc, attr, &in);
	if (file && S_ISREG(inode->i_mode) && file->private_data) {
		struct fuse_file *ff = file->private_data;

		in.valid |= FATTR_FH;
		in.fh = ff->fh;
	}
	if ((attr->ia_valid & ATTR_SIZE) && file) {
		in.valid |= FATTR_LOCKOWNER;
		in.lock_owner = fuse_lock_owner_id(current->files);
	}
	if ((attr->ia_valid & ATTR_SIZE) && !S_ISREG(inode->i_mode))
		return S_ISDIR(inode->i_mode) ? -EISDIR : -EINVAL;

	/* pages a shared mapping dirtied must not land past the new end,
	 * nor be lost below it */
	if (attr->ia_valid & ATTR_SIZE) {
		r = filemap_write_and_wait(inode->i_mapping);
		if (r)
			return r;
	}
	args.opcode = FUSE_SETATTR;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	oldsize = i_size_read(inode);
	r = fuse_simple_request(fc, &args);
	if (r) {
		fuse_invalidate_attr(inode);
		return r;
	}
	if (fuse_invalid_attr(&out.attr) ||
	    ((inode->i_mode ^ out.attr.mode) & S_IFMT)) {
		fuse_invalidate_attr(inode);
		return -EIO;
	}
	/* our change: older replies in flight must not undo it */
	fuse_attr_changed(inode);
	fuse_change_attributes(inode, &out.attr, out.attr_valid,
			       out.attr_valid_nsec);
	/* fuse_change_attributes cut what lies past a smaller size; a
	 * truncate that grew the file drops the cached tail page, whose
	 * bytes past the old end the server now has as zeroes */
	if ((attr->ia_valid & ATTR_SIZE) && out.attr.size > oldsize)
		truncate_pagecache(inode, oldsize);
	return 0;
}
