// SPDX-License-Identifier: GPL-2.0
/*
 * Inodes
 *
 * A node id from the server names one inode per superblock.  Each LOOKUP
 * reply that hands us a node id is counted (nlookup) and given back with
 * FORGET when the inode goes.  Attributes come from the server and are
 * checked: a type the VFS does not know, an impossible size, or a type
 * that changes under a live inode is an I/O error, never trusted.
 */
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "fuse_i.h"

u64 fuse_time_to_jiffies(u64 sec, u32 nsec)
{
	struct timespec64 ts;

	if (!sec && !nsec)
		return 0;
	ts.tv_sec = min_t(u64, sec, MAX_JIFFY_OFFSET / HZ - 1);
	ts.tv_nsec = min_t(u32, nsec, NSEC_PER_SEC - 1);
	return get_jiffies_64() + timespec64_to_jiffies(&ts);
}

static bool fuse_valid_type(u32 mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode) ||
	       S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

bool fuse_invalid_attr(const struct fuse_attr *attr)
{
	return !fuse_valid_type(attr->mode) || attr->size > LLONG_MAX;
}

bool fuse_allow_current_process(struct fuse_conn *fc)
{
	const struct cred *cred;

	if (fc->allow_other)
		return current_in_userns(fc->user_ns);

	cred = current_cred();
	return uid_eq(cred->euid, fc->user_id) &&
	       uid_eq(cred->suid, fc->user_id) &&
	       uid_eq(cred->uid, fc->user_id) &&
	       gid_eq(cred->egid, fc->group_id) &&
	       gid_eq(cred->sgid, fc->group_id) &&
	       gid_eq(cred->gid, fc->group_id);
}

static struct timespec64 fuse_ts(u64 sec, u32 nsec)
{
	struct timespec64 ts = {
		.tv_sec = (time64_t)min_t(u64, sec, S64_MAX),
		.tv_nsec = min_t(u32, nsec, NSEC_PER_SEC - 1),
	};
	return ts;
}

static void fuse_set_times(struct inode *inode, const struct fuse_attr *attr)
{
	struct timespec64 atime = fuse_ts(attr->atime, attr->atimensec);
	struct timespec64 mtime = fuse_ts(attr->mtime, attr->mtimensec);
	struct timespec64 ctime = fuse_ts(attr->ctime, attr->ctimensec);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	inode_set_atime_to_ts(inode, atime);
	inode_set_mtime_to_ts(inode, mtime);
	inode_set_ctime_to_ts(inode, ctime);
#else
	inode->i_atime = atime;
	inode->i_mtime = mtime;
	inode->i_ctime = ctime;
#endif
}

u64 fuse_attr_version(struct fuse_conn *fc)
{
	return atomic64_read(&fc->attr_ctr);
}

/*
 * We changed @inode (wrote, truncated, unlinked...): attributes the server
 * sent before that are stale and must not undo it (a GETATTR answered
 * before a WRITE would shrink i_size back), and the next stat asks again.
 */
void fuse_attr_changed(struct inode *inode)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	u64 v = atomic64_inc_return(&get_fuse_conn(inode)->attr_ctr);

	spin_lock(&inode->i_lock);
	fi->attr_version = v;
	fi->attr_timeout = 0;
	spin_unlock(&inode->i_lock);
}

static void fuse_apply_attributes(struct inode *inode, struct fuse_attr *attr,
				  u64 attr_valid, u32 attr_valid_nsec,
				  u64 version, bool check)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_inode *fi = get_fuse_inode(inode);
	loff_t oldsize = i_size_read(inode);

	spin_lock(&inode->i_lock);
	if (check && fi->attr_version > version) {
		/* sent before one of our changes: ask again next time */
		fi->attr_timeout = 0;
		spin_unlock(&inode->i_lock);
		return;
	}
	fi->attr_timeout = fuse_time_to_jiffies(attr_valid, attr_valid_nsec);
	inode->i_ino = attr->ino;
	inode->i_mode = (inode->i_mode & S_IFMT) | (attr->mode & 07777);
	set_nlink(inode, attr->nlink);
	inode->i_uid = make_kuid(fc->user_ns, attr->uid);
	inode->i_gid = make_kgid(fc->user_ns, attr->gid);
	inode->i_blocks = attr->blocks;
	fuse_set_times(inode, attr);
	fi->blksize = attr->blksize;
	i_size_write(inode, attr->size);
	spin_unlock(&inode->i_lock);

	/* the file shrank on the server: drop what lies beyond its end */
	if (S_ISREG(inode->i_mode) && attr->size < oldsize)
		truncate_pagecache(inode, attr->size);
}

void fuse_change_attributes(struct inode *inode, struct fuse_attr *attr,
			    u64 attr_valid, u32 attr_valid_nsec)
{
	fuse_apply_attributes(inode, attr, attr_valid, attr_valid_nsec, 0,
			      false);
}

/* Attributes from a request sent when attr_ctr was @version. */
void fuse_change_attributes_since(struct inode *inode, struct fuse_attr *attr,
				  u64 attr_valid, u32 attr_valid_nsec,
				  u64 version)
{
	fuse_apply_attributes(inode, attr, attr_valid, attr_valid_nsec,
			      version, true);
}

static void fuse_init_inode(struct inode *inode, struct fuse_attr *attr)
{
	inode->i_mode = attr->mode & S_IFMT;
	inode->i_size = attr->size;
	if (S_ISREG(inode->i_mode)) {
		inode->i_op = &fuse_common_inode_operations;
		inode->i_fop = &fuse_file_operations;
		inode->i_data.a_ops = &fuse_file_aops;
	} else if (S_ISDIR(inode->i_mode)) {
		inode->i_op = &fuse_dir_inode_operations;
		inode->i_fop = &fuse_dir_operations;
	} else if (S_ISLNK(inode->i_mode)) {
		inode->i_op = &fuse_symlink_inode_operations;
		inode_nohighmem(inode);
	} else {
		inode->i_op = &fuse_common_inode_operations;
		init_special_inode(inode, inode->i_mode,
				   new_decode_dev(attr->rdev));
	}
}

static int fuse_inode_eq(struct inode *inode, void *nodeidp)
{
	return get_node_id(inode) == *(u64 *)nodeidp;
}

static int fuse_inode_set(struct inode *inode, void *nodeidp)
{
	get_fuse_inode(inode)->nodeid = *(u64 *)nodeidp;
	return 0;
}

/*
 * The inode for @nodeid, counting one lookup.  An existing inode whose
 * type differs from @attr is unhashed: it keeps failing with EIO for
 * whoever still holds it, and a new inode takes the node id.
 */
struct inode *fuse_iget(struct super_block *sb, u64 nodeid,
			struct fuse_attr *attr, u64 attr_valid,
			u32 attr_valid_nsec)
{
	struct fuse_conn *fc = get_fuse_mount_super(sb)->fc;
	struct inode *inode;

retry:
	inode = iget5_locked(sb, nodeid, fuse_inode_eq, fuse_inode_set, &nodeid);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (inode->i_state & I_NEW) {
		fuse_init_inode(inode, attr);
		unlock_new_inode(inode);
	} else if ((inode->i_mode ^ attr->mode) & S_IFMT) {
		if (nodeid == FUSE_ROOT_ID) {
			iput(inode);
			return ERR_PTR(-EIO);
		}
		remove_inode_hash(inode);
		iput(inode);
		goto retry;
	}
	spin_lock(&fc->lock);
	get_fuse_inode(inode)->nlookup++;
	spin_unlock(&fc->lock);
	fuse_change_attributes(inode, attr, attr_valid, attr_valid_nsec);
	return inode;
}

struct fuse_forget_args {
	struct fuse_args args;
	struct fuse_forget_in in;
};

static void fuse_forget_end(struct fuse_conn *fc, struct fuse_args *args,
			    int error)
{
	kfree(container_of(args, struct fuse_forget_args, args));
}

void fuse_send_forget(struct fuse_conn *fc, u64 nodeid, u64 nlookup)
{
	struct fuse_forget_args *fa;

	fa = kzalloc(sizeof(*fa), GFP_KERNEL | __GFP_NOFAIL);
	fa->in.nlookup = nlookup;
	fa->args.opcode = FUSE_FORGET;
	fa->args.nodeid = nodeid;
	fa->args.in_numargs = 1;
	fa->args.in_args[0].size = sizeof(fa->in);
	fa->args.in_args[0].value = &fa->in;
	fa->args.noreply = true;
	fa->args.end = fuse_forget_end;
	fuse_simple_background(fc, &fa->args);
}
