// SPDX-License-Identifier: GPL-2.0
/*
 * Operations that change the namespace
 *
 * CREATE (atomic_open; MKNOD + OPEN when the server has no CREATE), MKNOD,
 * MKDIR, SYMLINK, LINK, UNLINK, RMDIR, RENAME and RENAME2.  The VFS holds
 * the directories' i_rwsem; we keep what we cached honest: a new entry is
 * checked (node id, type, attributes) before it gets a dentry, and whatever
 * an operation changed on the server (a parent's times and link count, a
 * victim's link count) is marked stale so the next look asks again.
 */
#include <linux/namei.h>
#include <linux/slab.h>

#include "fuse_i.h"

/* A node id the server may hand out for a new entry. */
static bool fuse_valid_new_nodeid(u64 nodeid)
{
	return nodeid && nodeid != FUSE_ROOT_ID;
}

/* The directory's times (and, for subdirectories, link count) changed. */
static void fuse_dir_changed(struct inode *dir)
{
	fuse_invalidate_attr(dir);
}

/*
 * Checks the entry a CREATE/MKNOD/MKDIR/SYMLINK/LINK reply describes and
 * attaches its inode to @entry.  A reply whose node id, attributes or file
 * type (@type, S_IFMT bits) are wrong is EIO; the lookup it counted on
 * the server is given back.
 */
static int fuse_instantiate(struct inode *dir, struct dentry *entry,
			    struct fuse_entry_out *out, umode_t type)
{
	struct fuse_conn *fc = get_fuse_conn(dir);
	struct inode *inode;
	struct dentry *alias;

	if (!fuse_valid_new_nodeid(out->nodeid))
		return -EIO;
	if (fuse_invalid_attr(&out->attr) ||
	    (out->attr.mode & S_IFMT) != type) {
		fuse_send_forget(fc, out->nodeid, 1);
		return -EIO;
	}
	inode = fuse_iget(dir->i_sb, out->nodeid, &out->attr, out->attr_valid,
			  out->attr_valid_nsec);
	if (IS_ERR(inode)) {
		fuse_send_forget(fc, out->nodeid, 1);
		return PTR_ERR(inode);
	}
	/* A directory may already have a dentry (the server handed out a
	 * node id we know): d_splice_alias keeps one alias per directory. */
	d_drop(entry);
	alias = d_splice_alias(inode, entry);
	if (IS_ERR(alias))
		return PTR_ERR(alias);
	if (alias) {
		entry->d_time = 0;
		alias->d_time = fuse_time_to_jiffies(out->entry_valid,
						     out->entry_valid_nsec);
		dput(alias);
	} else {
		entry->d_time = fuse_time_to_jiffies(out->entry_valid,
						     out->entry_valid_nsec);
	}
	fuse_dir_changed(dir);
	return 0;
}

/* Sends @args (whose last in arg is the name) and instantiates @entry. */
static int fuse_new_entry(struct inode *dir, struct dentry *entry,
			  struct fuse_args *args, umode_t type)
{
	struct fuse_entry_out out = {};
	ssize_t r;

	if (entry->d_name.len > FUSE_NAME_MAX)
		return -ENAMETOOLONG;
	args->nodeid = get_node_id(dir);
	args->out_numargs = 1;
	args->out_args[0].size = sizeof(out);
	args->out_args[0].value = &out;
	r = fuse_simple_request(get_fuse_conn(dir), args);
	if (r)
		return r;
	return fuse_instantiate(dir, entry, &out, type);
}

int fuse_mknod(fuse_idmap_t *idmap, struct inode *dir, struct dentry *entry,
	       umode_t mode, dev_t rdev)
{
	struct fuse_mknod_in in = {};
	struct fuse_args args = {};

	in.mode = mode;
	in.rdev = new_encode_dev(rdev);
	in.umask = current_umask();
	args.opcode = FUSE_MKNOD;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = entry->d_name.name;
	return fuse_new_entry(dir, entry, &args, mode & S_IFMT);
}

/* Only reached without atomic_open (never, as the VFS prefers that); kept
 * so that the inode operations are complete. */
int fuse_create(fuse_idmap_t *idmap, struct inode *dir, struct dentry *entry,
		umode_t mode, bool excl)
{
	return fuse_mknod(idmap, dir, entry, (mode & 07777) | S_IFREG, 0);
}

int fuse_mkdir(fuse_idmap_t *idmap, struct inode *dir, struct dentry *entry,
	       umode_t mode)
{
	struct fuse_mkdir_in in = {};
	struct fuse_args args = {};

	in.mode = mode;
	in.umask = current_umask();
	args.opcode = FUSE_MKDIR;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = entry->d_name.name;
	return fuse_new_entry(dir, entry, &args, S_IFDIR);
}

int fuse_symlink(fuse_idmap_t *idmap, struct inode *dir, struct dentry *entry,
		 const char *link)
{
	struct fuse_args args = {};
	size_t len = strlen(link) + 1;

	/* a READLINK reply holds at most a page less its NUL */
	if (len > PAGE_SIZE)
		return -ENAMETOOLONG;
	args.opcode = FUSE_SYMLINK;
	args.in_numargs = 2;
	args.in_args[0].size = entry->d_name.len + 1;
	args.in_args[0].value = entry->d_name.name;
	args.in_args[1].size = len;
	args.in_args[1].value = link;
	return fuse_new_entry(dir, entry, &args, S_IFLNK);
}

/*
 * A hard link names the same file: its type must not change.  The server
 * may hand out another node id for it (libfuse's path-based API does).
 */
int fuse_link(struct dentry *old, struct inode *dir, struct dentry *entry)
{
	struct inode *inode = d_inode(old);
	struct fuse_link_in in = {};
	struct fuse_args args = {};
	int r;

	in.oldnodeid = get_node_id(inode);
	args.opcode = FUSE_LINK;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = entry->d_name.name;
	r = fuse_new_entry(dir, entry, &args, inode->i_mode & S_IFMT);
	/* its link count and ctime changed, whichever node id came back */
	fuse_invalidate_attr(inode);
	return r;
}

/* UNLINK or RMDIR of @entry in @dir. */
static int fuse_remove(struct inode *dir, struct dentry *entry, u32 opcode)
{
	struct inode *inode = d_inode(entry);
	struct fuse_args args = {};
	ssize_t r;

	args.opcode = opcode;
	args.nodeid = get_node_id(dir);
	args.in_numargs = 1;
	args.in_args[0].size = entry->d_name.len + 1;
	args.in_args[0].value = entry->d_name.name;
	r = fuse_simple_request(get_fuse_conn(dir), &args);
	if (r)
		return r;
	/* what we know until the server tells us more: one name less */
	spin_lock(&inode->i_lock);
	if (opcode == FUSE_RMDIR)
		clear_nlink(inode);
	else if (inode->i_nlink > 0)
		drop_nlink(inode);
	spin_unlock(&inode->i_lock);
	fuse_attr_changed(inode);
	fuse_invalidate_entry(entry);
	fuse_dir_changed(dir);
	return 0;
}

int fuse_unlink(struct inode *dir, struct dentry *entry)
{
	return fuse_remove(dir, entry, FUSE_UNLINK);
}

int fuse_rmdir(struct inode *dir, struct dentry *entry)
{
	return fuse_remove(dir, entry, FUSE_RMDIR);
}

#define FUSE_RENAME_FLAGS (RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)

int fuse_rename(fuse_idmap_t *idmap, struct inode *olddir,
		struct dentry *oldent, struct inode *newdir,
		struct dentry *newent, unsigned int flags)
{
	struct fuse_conn *fc = get_fuse_conn(olddir);
	struct inode *victim = d_inode(newent);
	struct fuse_rename2_in in2 = {};
	struct fuse_rename_in in = {};
	struct fuse_args args = {};
	ssize_t r;

	if (flags & ~FUSE_RENAME_FLAGS)
		return -EINVAL;
	if (flags) {
		/* the protocol's way to say "no such flags here" */
		if (READ_ONCE(fc->no_rename2))
			return -EINVAL;
		in2.newdir = get_node_id(newdir);
		in2.flags = flags;
		args.opcode = FUSE_RENAME2;
		args.in_args[0].size = sizeof(in2);
		args.in_args[0].value = &in2;
	} else {
		in.newdir = get_node_id(newdir);
		args.opcode = FUSE_RENAME;
		args.in_args[0].size = sizeof(in);
		args.in_args[0].value = &in;
	}
	args.nodeid = get_node_id(olddir);
	args.in_numargs = 3;
	args.in_args[1].size = oldent->d_name.len + 1;
	args.in_args[1].value = oldent->d_name.name;
	args.in_args[2].size = newent->d_name.len + 1;
	args.in_args[2].value = newent->d_name.name;
	r = fuse_simple_request(fc, &args);
	if (r == -ENOSYS && flags) {
		WRITE_ONCE(fc->no_rename2, true);
		return -EINVAL;
	}
	if (r)
		return r;

	/* ctime of the moved inode; the VFS moves the dentries */
	fuse_invalidate_attr(d_inode(oldent));
	if (victim) {
		if (!(flags & RENAME_EXCHANGE)) {
			/* replaced: one name less for the old target */
			spin_lock(&victim->i_lock);
			if (S_ISDIR(victim->i_mode))
				clear_nlink(victim);
			else if (victim->i_nlink > 0)
				drop_nlink(victim);
			spin_unlock(&victim->i_lock);
		}
		fuse_attr_changed(victim);
	}
	/* a whiteout now sits where the old name was */
	if (flags & RENAME_WHITEOUT)
		fuse_invalidate_entry(oldent);
	fuse_dir_changed(olddir);
	if (newdir != olddir)
		fuse_dir_changed(newdir);
	return 0;
}

/* ---- CREATE: atomic create and open ---- */

/* Returns 0 with @file opened, or an error (-ENOSYS: fall back). */
static int fuse_create_open(struct inode *dir, struct dentry *entry,
			    struct file *file, unsigned int flags,
			    umode_t mode)
{
	struct fuse_conn *fc = get_fuse_conn(dir);
	struct fuse_create_in in = {};
	struct fuse_entry_out out = {};
	struct fuse_open_out oout = {};
	struct fuse_args args = {};
	struct fuse_file *ff;
	struct inode *inode;
	ssize_t r;

	if (entry->d_name.len > FUSE_NAME_MAX)
		return -ENAMETOOLONG;
	ff = kzalloc(sizeof(*ff), GFP_KERNEL);
	if (!ff)
		return -ENOMEM;
	refcount_set(&ff->count, 1);
	INIT_LIST_HEAD(&ff->write_entry);
	ff->flags = flags;
	in.flags = flags & ~O_NOCTTY;
	if (!fc->atomic_o_trunc)
		in.flags &= ~O_TRUNC;
	in.mode = mode;
	in.umask = current_umask();
	args.opcode = FUSE_CREATE;
	args.nodeid = get_node_id(dir);
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = entry->d_name.name;
	args.out_numargs = 2;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	args.out_args[1].size = sizeof(oout);
	args.out_args[1].value = &oout;
	r = fuse_simple_request(fc, &args);
	if (r) {
		kfree(ff);
		return r;
	}
	ff->fh = oout.fh;
	ff->open_flags = oout.open_flags;
	ff->fc = fc;
	ff->release_opcode = FUSE_RELEASE;
	if (!fuse_valid_new_nodeid(out.nodeid) ||
	    fuse_invalid_attr(&out.attr) || !S_ISREG(out.attr.mode)) {
		/* the handle is the server's to drop; the node id, if it
		 * could be one, goes back with FORGET */
		if (fuse_valid_new_nodeid(out.nodeid)) {
			ff->nodeid = out.nodeid;
			fuse_send_release(ff, flags);
			fuse_send_forget(fc, out.nodeid, 1);
		} else {
			kfree(ff);
		}
		return -EIO;
	}
	ff->nodeid = out.nodeid;
	inode = fuse_iget(dir->i_sb, out.nodeid, &out.attr, out.attr_valid,
			  out.attr_valid_nsec);
	if (IS_ERR(inode)) {
		fuse_send_release(ff, flags);
		fuse_send_forget(fc, out.nodeid, 1);
		return PTR_ERR(inode);
	}
	d_instantiate(entry, inode);
	entry->d_time = fuse_time_to_jiffies(out.entry_valid,
					     out.entry_valid_nsec);
	fuse_dir_changed(dir);
	file->private_data = ff;
	r = finish_open(file, entry, generic_file_open);
	if (r) {
		/* not opened: ->release will not run, so we let go here */
		file->private_data = NULL;
		fuse_send_release(ff, flags);
		return r;
	}
	fuse_finish_open(inode, file, ff);
	return 0;
}

int fuse_atomic_open(struct inode *dir, struct dentry *entry,
		     struct file *file, unsigned int flags, umode_t mode)
{
	struct fuse_conn *fc = get_fuse_conn(dir);
	struct dentry *res = NULL;
	int r;

	if (d_in_lookup(entry)) {
		res = fuse_lookup(dir, entry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			entry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(entry))
		return finish_no_open(file, res);

	file->f_mode |= FMODE_CREATED;
	if (!READ_ONCE(fc->no_create)) {
		r = fuse_create_open(dir, entry, file, flags, mode);
		if (r != -ENOSYS)
			goto out;
		WRITE_ONCE(fc->no_create, true);
	}
	/* no CREATE: make the file, and let the VFS OPEN it */
	r = fuse_mknod(FUSE_NOP_IDMAP, dir, entry, (mode & 07777) | S_IFREG, 0);
	if (r)
		goto out;
	return finish_no_open(file, res);
out:
	dput(res);
	return r;
}
