// SPDX-License-Identifier: GPL-2.0
/*
 * Directories, names and attributes
 *
 * LOOKUP and the dentry's entry timeout, GETATTR and the attribute
 * timeout, ACCESS and the allow_other/user_id rule, READLINK, and
 * OPENDIR/READDIR/RELEASEDIR/FSYNCDIR.  The operations that change the
 * namespace live in namei.c, SETATTR in setattr.c.
 */
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "fuse_i.h"

void fuse_dir_lock(struct inode *dir)
{
	if (!get_fuse_conn(dir)->parallel_dirops)
		mutex_lock(&get_fuse_inode(dir)->dir_lock);
}

void fuse_dir_unlock(struct inode *dir)
{
	if (!get_fuse_conn(dir)->parallel_dirops)
		mutex_unlock(&get_fuse_inode(dir)->dir_lock);
}

static bool fuse_attr_valid(struct inode *inode)
{
	return time_before64(get_jiffies_64(),
			     READ_ONCE(get_fuse_inode(inode)->attr_timeout));
}

/* The next stat asks the server: something changed what we cached. */
void fuse_invalidate_attr(struct inode *inode)
{
	WRITE_ONCE(get_fuse_inode(inode)->attr_timeout, 0);
}

/* The next path walk through @entry asks the server again. */
void fuse_invalidate_entry(struct dentry *entry)
{
	WRITE_ONCE(entry->d_time, 0);
}

static void fuse_set_entry_timeout(struct dentry *entry,
				   const struct fuse_entry_out *out)
{
	entry->d_time = fuse_time_to_jiffies(out->entry_valid,
					     out->entry_valid_nsec);
}

/* LOOKUP @name in @dir.  0 with out->nodeid == 0 is a negative entry. */
static int fuse_do_lookup(struct inode *dir, const struct qstr *name,
			  struct fuse_entry_out *out)
{
	struct fuse_conn *fc = get_fuse_conn(dir);
	struct fuse_args args = {};
	ssize_t r;

	if (name->len > FUSE_NAME_MAX)
		return -ENAMETOOLONG;
	memset(out, 0, sizeof(*out));
	args.opcode = FUSE_LOOKUP;
	args.nodeid = get_node_id(dir);
	args.in_numargs = 1;
	args.in_args[0].size = name->len + 1;
	args.in_args[0].value = name->name;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(*out);
	args.out_args[0].value = out;

	fuse_dir_lock(dir);
	r = fuse_simple_request(fc, &args);
	fuse_dir_unlock(dir);
	if (r == -ENOENT) {
		/* negative, not cached */
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (r)
		return r;
	if (out->nodeid && fuse_invalid_attr(&out->attr)) {
		fuse_send_forget(fc, out->nodeid, 1);
		return -EIO;
	}
	return 0;
}

struct dentry *fuse_lookup(struct inode *dir, struct dentry *entry,
				  unsigned int flags)
{
	struct fuse_entry_out out;
	struct inode *inode = NULL;
	struct dentry *newent;
	int r;

	r = fuse_do_lookup(dir, &entry->d_name, &out);
	if (r)
		return ERR_PTR(r);
	if (out.nodeid) {
		inode = fuse_iget(dir->i_sb, out.nodeid, &out.attr,
				  out.attr_valid, out.attr_valid_nsec);
		if (IS_ERR(inode)) {
			fuse_send_forget(get_fuse_conn(dir), out.nodeid, 1);
			return ERR_CAST(inode);
		}
	}
	newent = d_splice_alias(inode, entry);
	if (IS_ERR(newent))
		return newent;
	fuse_set_entry_timeout(newent ? newent : entry, &out);
	return newent;
}

static int fuse_dentry_revalidate(struct dentry *entry, unsigned int flags)
{
	struct name_snapshot name;
	struct fuse_entry_out out;
	struct dentry *parent;
	struct inode *inode;
	u64 version;
	int r;

	inode = d_inode_rcu(entry);
	if (time_before64(get_jiffies_64(), (u64)READ_ONCE(entry->d_time)))
		return 1;
	if (flags & LOOKUP_RCU)
		return -ECHILD;
	if (!inode)
		return 0;

	version = fuse_attr_version(get_fuse_conn(inode));
	parent = dget_parent(entry);
	take_dentry_name_snapshot(&name, entry);
	r = fuse_do_lookup(d_inode(parent), &name.name, &out);
	release_dentry_name_snapshot(&name);
	dput(parent);
	if (r == -ENOMEM || r == -EINTR)
		return r;
	if (r || !out.nodeid)
		return 0;
	if (out.nodeid != get_node_id(inode) ||
	    ((inode->i_mode ^ out.attr.mode) & S_IFMT)) {
		fuse_send_forget(get_fuse_conn(inode), out.nodeid, 1);
		return 0;
	}
	spin_lock(&get_fuse_conn(inode)->lock);
	get_fuse_inode(inode)->nlookup++;
	spin_unlock(&get_fuse_conn(inode)->lock);
	fuse_change_attributes_since(inode, &out.attr, out.attr_valid,
				     out.attr_valid_nsec, version);
	fuse_set_entry_timeout(entry, &out);
	return 1;
}

const struct dentry_operations fuse_dentry_operations = {
	.d_revalidate	= fuse_dentry_revalidate,
};

/* ---- attributes ---- */

int fuse_do_getattr(struct inode *inode, struct file *file)
{
	struct fuse_getattr_in in = {};
	struct fuse_attr_out out = {};
	struct fuse_args args = {};
	u64 version = fuse_attr_version(get_fuse_conn(inode));
	ssize_t r;

	if (file && S_ISREG(inode->i_mode) && file->private_data) {
		struct fuse_file *ff = file->private_data;

		in.getattr_flags |= FUSE_GETATTR_FH;
		in.fh = ff->fh;
	}
	args.opcode = FUSE_GETATTR;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	r = fuse_simple_request(get_fuse_conn(inode), &args);
	if (r)
		return r;
	/* a live inode never changes type */
	if (fuse_invalid_attr(&out.attr) ||
	    ((inode->i_mode ^ out.attr.mode) & S_IFMT))
		return -EIO;
	fuse_change_attributes_since(inode, &out.attr, out.attr_valid,
				     out.attr_valid_nsec, version);
	return 0;
}

int fuse_update_attributes(struct inode *inode, struct file *file)
{
	if (fuse_attr_valid(inode))
		return 0;
	return fuse_do_getattr(inode, file);
}

int fuse_getattr(fuse_idmap_t *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct fuse_conn *fc = get_fuse_conn(inode);
	u32 blksize;
	int r = 0;

	if (!fuse_allow_current_process(fc))
		return -EACCES;
	if (flags & AT_STATX_FORCE_SYNC)
		r = fuse_do_getattr(inode, NULL);
	else if (!(flags & AT_STATX_DONT_SYNC))
		r = fuse_update_attributes(inode, NULL);
	if (r)
		return r;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
	blksize = READ_ONCE(get_fuse_inode(inode)->blksize);
	if (blksize)
		stat->blksize = blksize;
	return 0;
}

static int fuse_access(struct inode *inode, int mask)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_access_in in = {};
	struct fuse_args args = {};
	ssize_t r;

	if (READ_ONCE(fc->no_access))
		return 0;
	in.mask = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
	args.opcode = FUSE_ACCESS;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	r = fuse_simple_request(fc, &args);
	if (r == -ENOSYS) {
		WRITE_ONCE(fc->no_access, true);
		r = 0;
	}
	return r;
}

/*
 * Only the mount's owner (or, with allow_other, anyone in its user
 * namespace) gets past here.  With default_permissions the kernel checks
 * the mode bits itself; without, the server decides, and is asked with
 * ACCESS for access(2) and chdir(2).
 */
int fuse_permission(fuse_idmap_t *idmap, struct inode *inode, int mask)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	int r;

	if (!fuse_allow_current_process(fc))
		return -EACCES;

	if (fc->default_permissions) {
		if (!fuse_attr_valid(inode)) {
			if (mask & MAY_NOT_BLOCK)
				return -ECHILD;
			r = fuse_do_getattr(inode, NULL);
			if (r)
				return r;
		}
		return generic_permission(idmap, inode, mask);
	}
	if (mask & (MAY_ACCESS | MAY_CHDIR)) {
		if (mask & MAY_NOT_BLOCK)
			return -ECHILD;
		return fuse_access(inode, mask);
	}
	if ((mask & MAY_EXEC) && S_ISREG(inode->i_mode) &&
	    !(inode->i_mode & 0111)) {
		if (mask & MAY_NOT_BLOCK)
			return -ECHILD;
		r = fuse_do_getattr(inode, NULL);
		if (r)
			return r;
		if (!(inode->i_mode & 0111))
			return -EACCES;
	}
	return 0;
}

/* ---- symlinks ---- */

static const char *fuse_get_link(struct dentry *dentry, struct inode *inode,
				 struct delayed_call *callback)
{
	struct fuse_args args = {};
	char *link;
	ssize_t r;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	link = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!link)
		return ERR_PTR(-ENOMEM);
	args.opcode = FUSE_READLINK;
	args.nodeid = get_node_id(inode);
	args.out_numargs = 1;
	args.out_args[0].size = PAGE_SIZE - 1;
	args.out_args[0].value = link;
	args.out_argvar = true;
	r = fuse_simple_request(get_fuse_conn(inode), &args);
	if (r < 0) {
		kfree(link);
		return ERR_PTR(r);
	}
	link[r] = '\0';
	set_delayed_call(callback, kfree_link, link);
	return link;
}

/* ---- readdir ---- */

static int fuse_dir_open(struct inode *inode, struct file *file)
{
	return fuse_open_common(inode, file, true);
}

static int fuse_dir_release(struct inode *inode, struct file *file)
{
	return fuse_release_common(inode, file, true);
}

static int fuse_dir_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	return fuse_fsync_common(file, start, end, datasync, true);
}

/* Emits the entries of one READDIR reply; -EIO for a malformed one. */
static int fuse_parse_dirents(const char *buf, size_t nbytes,
			      struct dir_context *ctx)
{
	while (nbytes >= FUSE_NAME_OFFSET) {
		const struct fuse_dirent *d = (const void *)buf;
		size_t reclen;

		if (!d->namelen || d->namelen > FUSE_NAME_MAX)
			return -EIO;
		reclen = FUSE_DIRENT_SIZE(d);
		if (reclen > nbytes)
			break;
		if (memchr(d->name, '/', d->namelen))
			return -EIO;
		if (!dir_emit(ctx, d->name, d->namelen, d->ino, d->type))
			break;
		buf += reclen;
		nbytes -= reclen;
		ctx->pos = d->off;
	}
	return 0;
}

static int fuse_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *inode = file_inode(file);
	struct fuse_file *ff = file->private_data;
	struct fuse_read_in in = {};
	struct fuse_args args = {};
	char *buf;
	ssize_t r;

	if (!fuse_allow_current_process(get_fuse_conn(inode)))
		return -EACCES;
	buf = kmalloc(FUSE_READDIR_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	in.fh = ff->fh;
	in.offset = ctx->pos;
	in.size = FUSE_READDIR_SIZE;
	in.flags = file->f_flags;
	args.opcode = FUSE_READDIR;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = FUSE_READDIR_SIZE;
	args.out_args[0].value = buf;
	args.out_argvar = true;

	fuse_dir_lock(inode);
	r = fuse_simple_request(get_fuse_conn(inode), &args);
	fuse_dir_unlock(inode);
	if (r > 0)
		r = fuse_parse_dirents(buf, r, ctx);
	kfree(buf);
	return r;
}

const struct inode_operations fuse_dir_inode_operations = {
	.lookup		= fuse_lookup,
	.getattr	= fuse_getattr,
	.permission	= fuse_permission,
	.setattr	= fuse_setattr,
	.listxattr	= fuse_listxattr,
	.atomic_open	= fuse_atomic_open,
	.create		= fuse_create,
	.mknod		= fuse_mknod,
	.mkdir		= fuse_mkdir,
	.symlink	= fuse_symlink,
	.unlink		= fuse_unlink,
	.rmdir		= fuse_rmdir,
	.link		= fuse_link,
	.rename		= fuse_rename,
};

const struct file_operations fuse_dir_operations = {
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= fuse_readdir,
	.open		= fuse_dir_open,
	.release	= fuse_dir_release,
	.fsync		= fuse_dir_fsync,
};

const struct inode_operations fuse_symlink_inode_operations = {
	.get_link	= fuse_get_link,
	.getattr	= fuse_getattr,
	.setattr	= fuse_setattr,
	.listxattr	= fuse_listxattr,
};

const struct inode_operations fuse_common_inode_operations = {
	.getattr	= fuse_getattr,
	.permission	= fuse_permission,
	.setattr	= fuse_setattr,
	.listxattr	= fuse_listxattr,
};
