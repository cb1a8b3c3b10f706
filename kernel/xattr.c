// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes: GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR
 *
 * One handler with the empty prefix passes every name through whole
 * (user., trusted., security., and whatever else the VFS lets by), as the
 * protocol wants; the VFS checks who may touch which namespace.  POSIX ACL
 * names are refused with EOPNOTSUPP: we offer no FUSE_POSIX_ACL, and 6.1
 * would otherwise hand them over as raw xattrs.  An ENOSYS from the server
 * turns that operation off for the connection (EOPNOTSUPP from then on).
 * Sizes and lists from the server are checked before they reach a caller.
 */
#include <linux/fs.h>
#include <linux/xattr.h>

#include "fuse_i.h"

/* Answers ENOSYS once: from then on @no is set and we say EOPNOTSUPP. */
static ssize_t fuse_xattr_request(struct fuse_conn *fc, struct fuse_args *args,
				  bool *no)
{
	ssize_t r;

	if (READ_ONCE(*no))
		return -EOPNOTSUPP;
	r = fuse_simple_request(fc, args);
	if (r == -ENOSYS) {
		WRITE_ONCE(*no, true);
		r = -EOPNOTSUPP;
	}
	return r;
}

/* GETXATTR or LISTXATTR: @size 0 asks for the length only. */
static ssize_t fuse_xattr_get(struct inode *inode, u32 opcode,
			      const char *name, void *value, size_t size,
			      size_t limit, bool *no)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_getxattr_in in = {};
	struct fuse_getxattr_out out = {};
	struct fuse_args args = {};
	ssize_t r;

	in.size = min(size, limit);
	args.opcode = opcode;
	args.nodeid = get_node_id(inode);
	args.in_numargs = name ? 2 : 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	if (name) {
		args.in_args[1].size = strlen(name) + 1;
		args.in_args[1].value = name;
	}
	args.out_numargs = 1;
	if (size) {
		args.out_args[0].size = in.size;
		args.out_args[0].value = value;
		args.out_argvar = true;
	} else {
		args.out_args[0].size = sizeof(out);
		args.out_args[0].value = &out;
	}
	r = fuse_xattr_request(fc, &args, no);
	if (r < 0)
		return r;
	if (size)
		return r;
	/* a length no value may have is no length */
	if (out.size > limit)
		return -EIO;
	return out.size;
}

static bool fuse_is_acl_name(const char *name)
{
	return !strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) ||
	       !strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT);
}

static int fuse_xattr_handler_get(const struct xattr_handler *handler,
				  struct dentry *dentry, struct inode *inode,
				  const char *name, void *value, size_t size)
{
	struct fuse_conn *fc = get_fuse_conn(inode);

	if (fuse_is_acl_name(name))
		return -EOPNOTSUPP;
	if (!fuse_allow_current_process(fc))
		return -EACCES;
	return fuse_xattr_get(inode, FUSE_GETXATTR, name, value, size,
			      XATTR_SIZE_MAX, &fc->no_getxattr);
}

static int fuse_removexattr(struct inode *inode, const char *name)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_args args = {};
	ssize_t r;

	args.opcode = FUSE_REMOVEXATTR;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = strlen(name) + 1;
	args.in_args[0].value = name;
	r = fuse_xattr_request(fc, &args, &fc->no_removexattr);
	if (!r)
		fuse_invalidate_attr(inode);	/* ctime */
	return r;
}

static int fuse_xattr_handler_set(const struct xattr_handler *handler,
				  fuse_idmap_t *idmap, struct dentry *dentry,
				  struct inode *inode, const char *name,
				  const void *value, size_t size, int flags)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct fuse_setxattr_in in = {};
	struct fuse_args args = {};
	ssize_t r;

	if (fuse_is_acl_name(name))
		return -EOPNOTSUPP;
	if (!fuse_allow_current_process(fc))
		return -EACCES;
	if (!value)
		return fuse_removexattr(inode, name);
	in.size = size;
	in.flags = flags;
	args.opcode = FUSE_SETXATTR;
	args.nodeid = get_node_id(inode);
	args.in_numargs = 3;
	/* no FUSE_SETXATTR_EXT offered: the short form of the header */
	args.in_args[0].size = FUSE_COMPAT_SETXATTR_IN_SIZE;
	args.in_args[0].value = &in;
	args.in_args[1].size = strlen(name) + 1;
	args.in_args[1].value = name;
	args.in_args[2].size = size;
	args.in_args[2].value = value;
	r = fuse_xattr_request(fc, &args, &fc->no_setxattr);
	if (!r)
		fuse_invalidate_attr(inode);	/* ctime */
	return r;
}

/* A list is names, each ended by a NUL, none empty. */
static bool fuse_valid_xattr_list(const char *list, size_t size)
{
	size_t i = 0;

	while (i < size) {
		size_t len = strnlen(list + i, size - i);

		if (!len || i + len == size)
			return false;
		i += len + 1;
	}
	return true;
}

ssize_t fuse_listxattr(struct dentry *entry, char *list, size_t size)
{
	struct inode *inode = d_inode(entry);
	struct fuse_conn *fc = get_fuse_conn(inode);
	ssize_t r;

	if (!fuse_allow_current_process(fc))
		return -EACCES;
	r = fuse_xattr_get(inode, FUSE_LISTXATTR, NULL, list, size,
			   XATTR_LIST_MAX, &fc->no_listxattr);
	if (r > 0 && size && !fuse_valid_xattr_list(list, r))
		return -EIO;
	return r;
}

static const struct xattr_handler fuse_xattr_handler = {
	.prefix	= "",
	.get	= fuse_xattr_handler_get,
	.set	= fuse_xattr_handler_set,
};

const struct xattr_handler *fuse_xattr_handlers[] = {
	&fuse_xattr_handler,
	NULL
};
