// SPDX-License-Identifier: GPL-2.0
/*
 * The "fuse" filesystem type
 *
 * Mount parameters through fs_context (fsconfig, and mount(2)'s option
 * string through the legacy path fs_context provides), the superblock,
 * INIT, and the module's init and exit.
 */
#include <linux/backing-dev.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/user_namespace.h>

#include "fuse_i.h"

static struct kmem_cache *fuse_inode_cachep;

/* ---- INIT ---- */

struct fuse_init_args {
	struct fuse_args args;
	struct fuse_init_in in;
	struct fuse_init_out out;
};

/* The INIT flags we offer; we implement each one's presence and its
 * absence: PARALLEL_DIROPS (lookups and readdirs in one directory run in
 * parallel, else serialized), BIG_WRITES (buffered WRITEs up to max_write,
 * else a page each), ATOMIC_O_TRUNC (O_TRUNC goes with OPEN, else a
 * SETATTR follows the OPEN). */
#define FUSE_OFFERED_FLAGS \
	(FUSE_PARALLEL_DIROPS | FUSE_BIG_WRITES | FUSE_ATOMIC_O_TRUNC)

static void fuse_init_end(struct fuse_conn *fc, struct fuse_args *args,
			  int error)
{
	struct fuse_init_args *ia = container_of(args, struct fuse_init_args, args);
	struct fuse_init_out *out = &ia->out;

	if (error || args->out_size != sizeof(*out) ||
	    out->major != FUSE_KERNEL_VERSION || out->minor < FUSE_MIN_MINOR) {
		if (!error)
			pr_warn_ratelimited("fuse: server answered INIT with protocol %u.%u (%u bytes); need 7.%u+\n",
					    out->major, out->minor,
					    args->out_size, FUSE_MIN_MINOR);
		fc->conn_error = true;
	} else {
		/* a flag we did not offer is not taken */
		out->flags &= FUSE_OFFERED_FLAGS;
		fc->minor = out->minor;
		fc->max_readahead = clamp_t(u32, out->max_readahead, PAGE_SIZE,
					    FUSE_MAX_READ_SIZE);
		fc->parallel_dirops = out->flags & FUSE_PARALLEL_DIROPS;
		fc->big_writes = out->flags & FUSE_BIG_WRITES;
		fc->atomic_o_trunc = out->flags & FUSE_ATOMIC_O_TRUNC;
		fc->max_write = clamp_t(u32, out->max_write, PAGE_SIZE,
					FUSE_MAX_WRITE_SIZE);
	}
	fuse_set_initialized(fc);
	kfree(ia);
}

static void fuse_send_init(struct fuse_conn *fc)
{
	struct fuse_init_args *ia;

	ia = kzalloc(sizeof(*ia), GFP_KERNEL | __GFP_NOFAIL);
	ia->in.major = FUSE_KERNEL_VERSION;
	ia->in.minor = FUSE_KERNEL_MINOR_VERSION;
	ia->in.max_readahead = FUSE_MAX_READ_SIZE;
	ia->in.flags = FUSE_OFFERED_FLAGS;
	ia->args.opcode = FUSE_INIT;
	ia->args.in_numargs = 1;
	ia->args.in_args[0].size = sizeof(ia->in);
	ia->args.in_args[0].value = &ia->in;
	ia->args.out_numargs = 1;
	ia->args.out_args[0].size = sizeof(ia->out);
	ia->args.out_args[0].value = &ia->out;
	ia->args.out_argvar = true;
	ia->args.force = true;
	ia->args.end = fuse_init_end;
	fuse_simple_background(fc, &ia->args);
}

static void fuse_destroy_end(struct fuse_conn *fc, struct fuse_args *args,
			     int error)
{
	kfree(args);
}

/* DESTROY is queued, not waited for: the server may be the very process
 * that unmounts and then never reads it again. */
static void fuse_send_destroy(struct fuse_conn *fc)
{
	struct fuse_args *args = kzalloc(sizeof(*args), GFP_KERNEL | __GFP_NOFAIL);

	args->opcode = FUSE_DESTROY;
	args->noreply = true;
	args->end = fuse_destroy_end;
	fuse_simple_background(fc, args);
}

/* ---- super_operations ---- */

static struct inode *fuse_alloc_inode(struct super_block *sb)
{
	struct fuse_inode *fi = alloc_inode_sb(sb, fuse_inode_cachep, GFP_KERNEL);

	if (!fi)
		return NULL;
	fi->nodeid = 0;
	fi->nlookup = 0;
	fi->attr_timeout = 0;
	fi->attr_version = 0;
	fi->blksize = 0;
	return &fi->inode;
}

static void fuse_free_inode(struct inode *inode)
{
	kmem_cache_free(fuse_inode_cachep, get_fuse_inode(inode));
}

static void fuse_evict_inode(struct inode *inode)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	/* at unmount the server forgets everything with DESTROY */
	if ((inode->i_sb->s_flags & SB_ACTIVE) && fi->nlookup &&
	    fi->nodeid != FUSE_ROOT_ID)
		fuse_send_forget(get_fuse_conn(inode), fi->nodeid, fi->nlookup);
}

static int fuse_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct fuse_conn *fc = get_fuse_mount_super(sb)->fc;
	struct fuse_statfs_out out = {};
	struct fuse_args args = {};
	ssize_t r;

	buf->f_type = FUSE_SUPER_MAGIC;
	if (!fuse_allow_current_process(fc))
		return 0;

	args.opcode = FUSE_STATFS;
	args.nodeid = get_node_id(d_inode(dentry));
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	r = fuse_simple_request(fc, &args);
	if (r)
		return r;
	buf->f_bsize = out.st.bsize;
	buf->f_frsize = out.st.frsize;
	buf->f_blocks = out.st.blocks;
	buf->f_bfree = out.st.bfree;
	buf->f_bavail = out.st.bavail;
	buf->f_files = out.st.files;
	buf->f_ffree = out.st.ffree;
	buf->f_namelen = out.st.namelen;
	return 0;
}

static int fuse_show_options(struct seq_file *m, struct dentry *root)
{
	struct super_block *sb = root->d_sb;
	struct fuse_conn *fc = get_fuse_mount_super(sb)->fc;

	seq_printf(m, ",user_id=%u", from_kuid_munged(fc->user_ns, fc->user_id));
	seq_printf(m, ",group_id=%u", from_kgid_munged(fc->user_ns, fc->group_id));
	if (fc->default_permissions)
		seq_puts(m, ",default_permissions");
	if (fc->allow_other)
		seq_puts(m, ",allow_other");
	if (fc->max_read != UINT_MAX)
		seq_printf(m, ",max_read=%u", fc->max_read);
	if (sb->s_blocksize != PAGE_SIZE)
		seq_printf(m, ",blksize=%lu", sb->s_blocksize);
	return 0;
}

static const struct super_operations fuse_super_operations = {
	.alloc_inode	= fuse_alloc_inode,
	.free_inode	= fuse_free_inode,
	.evict_inode	= fuse_evict_inode,
	.statfs		= fuse_statfs,
	.show_options	= fuse_show_options,
};

/* ---- fs_context ---- */

enum {
	OPT_FD,
	OPT_ROOTMODE,
	OPT_USER_ID,
	OPT_GROUP_ID,
	OPT_DEFAULT_PERMISSIONS,
	OPT_ALLOW_OTHER,
	OPT_MAX_READ,
	OPT_BLKSIZE,
	OPT_SUBTYPE,
};

static const struct fs_parameter_spec fuse_fs_parameters[] = {
	fsparam_u32	("fd",			OPT_FD),
	fsparam_u32oct	("rootmode",		OPT_ROOTMODE),
	fsparam_u32	("user_id",		OPT_USER_ID),
	fsparam_u32	("group_id",		OPT_GROUP_ID),
	fsparam_flag	("default_permissions",	OPT_DEFAULT_PERMISSIONS),
	fsparam_flag	("allow_other",		OPT_ALLOW_OTHER),
	fsparam_u32	("max_read",		OPT_MAX_READ),
	fsparam_u32	("blksize",		OPT_BLKSIZE),
	fsparam_string	("subtype",		OPT_SUBTYPE),
	{}
};

static int fuse_parse_param(struct fs_context *fsc, struct fs_parameter *param)
{
	struct fuse_fs_context *ctx = fsc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fsc, fuse_fs_parameters, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case OPT_FD:
		ctx->fd = result.uint_32;
		ctx->fd_present = true;
		break;
	case OPT_ROOTMODE:
		if (!S_ISDIR(result.uint_32) && !S_ISREG(result.uint_32))
			return invalfc(fsc, "Invalid rootmode");
		ctx->rootmode = result.uint_32;
		ctx->rootmode_present = true;
		break;
	case OPT_USER_ID:
		ctx->user_id = make_kuid(fsc->user_ns, result.uint_32);
		if (!uid_valid(ctx->user_id))
			return invalfc(fsc, "Invalid user_id");
		ctx->user_id_present = true;
		break;
	case OPT_GROUP_ID:
		ctx->group_id = make_kgid(fsc->user_ns, result.uint_32);
		if (!gid_valid(ctx->group_id))
			return invalfc(fsc, "Invalid group_id");
		ctx->group_id_present = true;
		break;
	case OPT_DEFAULT_PERMISSIONS:
		ctx->default_permissions = true;
		break;
	case OPT_ALLOW_OTHER:
		ctx->allow_other = true;
		break;
	case OPT_MAX_READ:
		ctx->max_read = max_t(u32, result.uint_32, PAGE_SIZE);
		break;
	case OPT_BLKSIZE:
		if (result.uint_32 < 512 || result.uint_32 > PAGE_SIZE ||
		    !is_power_of_2(result.uint_32))
			return invalfc(fsc, "Invalid blksize");
		ctx->blksize = result.uint_32;
		break;
	case OPT_SUBTYPE:
		if (ctx->subtype)
			return invalfc(fsc, "Multiple subtypes specified");
		ctx->subtype = param->string;
		param->string = NULL;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void fuse_free_fsc(struct fs_context *fsc)
{
	struct fuse_fs_context *ctx = fsc->fs_private;

	if (ctx) {
		kfree(ctx->subtype);
		kfree(ctx);
	}
}

static int fuse_fill_super(struct super_block *sb, struct fs_context *fsc)
{
	struct fuse_fs_context *ctx = fsc->fs_private;
	struct fuse_attr root_attr = {};
	struct fuse_mount *fm;
	struct fuse_conn *fc;
	struct inode *root;
	int r;

	fm = kzalloc(sizeof(*fm), GFP_KERNEL);
	fc = fuse_conn_new();
	if (!fm || !fc) {
		kfree(fm);
		if (fc)
			fuse_conn_put(fc);
		return -ENOMEM;
	}
	fc->user_ns = get_user_ns(fsc->user_ns);
	fc->pid_ns = get_pid_ns(task_active_pid_ns(current));
	fc->user_id = ctx->user_id;
	fc->group_id = ctx->group_id;
	fc->default_permissions = ctx->default_permissions;
	fc->allow_other = ctx->allow_other;
	if (ctx->max_read)
		fc->max_read = ctx->max_read;
	fc->max_readahead = FUSE_MAX_READ_SIZE;
	fc->max_write = PAGE_SIZE;
	fm->fc = fc;
	fm->sb = sb;
	sb->s_fs_info = fm;

	sb->s_magic = FUSE_SUPER_MAGIC;
	sb->s_op = &fuse_super_operations;
	sb->s_d_op = &fuse_dentry_operations;
	sb->s_xattr = fuse_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	sb->s_blocksize = ctx->blksize ? ctx->blksize : PAGE_SIZE;
	sb->s_blocksize_bits = ilog2(sb->s_blocksize);
	sb->s_iflags |= SB_I_IMA_UNVERIFIABLE_SIGNATURE;
	if (sb->s_user_ns != &init_user_ns)
		sb->s_iflags |= SB_I_UNTRUSTED_MOUNTER;
	if (ctx->subtype) {
		sb->s_subtype = ctx->subtype;
		ctx->subtype = NULL;
	}

	r = super_setup_bdi(sb);
	if (r)
		return r;
	sb->s_bdi->ra_pages = FUSE_MAX_READ_SIZE / PAGE_SIZE;

	root_attr.mode = ctx->rootmode;
	root_attr.ino = FUSE_ROOT_ID;
	root_attr.nlink = 1;
	root = fuse_iget(sb, FUSE_ROOT_ID, &root_attr, 0, 0);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	r = fuse_dev_attach(ctx->file, fc);
	if (r)
		return invalfc(fsc, "The fd is already in use by a mount");
	fuse_send_init(fc);
	return 0;
}

static int fuse_get_tree(struct fs_context *fsc)
{
	struct fuse_fs_context *ctx = fsc->fs_private;
	int r;

	if (!ctx->fd_present || !ctx->rootmode_present ||
	    !ctx->user_id_present || !ctx->group_id_present)
		return invalfc(fsc, "fd, rootmode, user_id and group_id are required");

	ctx->file = fget(ctx->fd);
	if (!ctx->file)
		return -EBADF;
	/*
	 * The device must have been opened in the user namespace the
	 * superblock belongs to: a /dev/fuse fd from outside cannot be
	 * smuggled into a mount made in a user namespace (or the reverse).
	 */
	if (ctx->file->f_op != &fuse_dev_operations ||
	    ctx->file->f_cred->user_ns != fsc->user_ns)
		r = invalfc(fsc, "fd is not a /dev/fuse opened in this user namespace");
	else
		r = get_tree_nodev(fsc, fuse_fill_super);
	fput(ctx->file);
	ctx->file = NULL;
	return r;
}

static const struct fs_context_operations fuse_context_ops = {
	.free		= fuse_free_fsc,
	.parse_param	= fuse_parse_param,
	.get_tree	= fuse_get_tree,
};

static int fuse_init_fs_context(struct fs_context *fsc)
{
	struct fuse_fs_context *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	fsc->fs_private = ctx;
	fsc->ops = &fuse_context_ops;
	return 0;
}

static void fuse_kill_sb(struct super_block *sb)
{
	struct fuse_mount *fm = sb->s_fs_info;

	kill_anon_super(sb);
	if (!fm)
		return;
	if (READ_ONCE(fm->fc->initialized) && !READ_ONCE(fm->fc->conn_error))
		fuse_send_destroy(fm->fc);
	fuse_conn_shutdown(fm->fc);
	fuse_conn_put(fm->fc);
	kfree(fm);
}

static struct file_system_type fuse_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "fuse",
	.fs_flags		= FS_HAS_SUBTYPE | FS_USERNS_MOUNT,
	.init_fs_context	= fuse_init_fs_context,
	.parameters		= fuse_fs_parameters,
	.kill_sb		= fuse_kill_sb,
};
MODULE_ALIAS_FS("fuse");

/* ---- module ---- */

static void fuse_inode_init_once(void *foo)
{
	struct fuse_inode *fi = foo;

	inode_init_once(&fi->inode);
	mutex_init(&fi->dir_lock);
	INIT_LIST_HEAD(&fi->write_files);
}

static int __init fuse_init(void)
{
	int r;

	fuse_inode_cachep = kmem_cache_create("fused_inode",
					      sizeof(struct fuse_inode), 0,
					      SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT |
					      SLAB_RECLAIM_ACCOUNT,
					      fuse_inode_init_once);
	if (!fuse_inode_cachep)
		return -ENOMEM;
	fuse_lock_owner_init();
	r = register_filesystem(&fuse_fs_type);
	if (r)
		goto err_cache;
	r = fuse_dev_init();
	if (r)
		goto err_fs;
	pr_info("fuse: fused FUSE module, protocol %u.%u\n",
		FUSE_KERNEL_VERSION, FUSE_KERNEL_MINOR_VERSION);
	return 0;

err_fs:
	unregister_filesystem(&fuse_fs_type);
err_cache:
	kmem_cache_destroy(fuse_inode_cachep);
	return r;
}

static void __exit fuse_exit(void)
{
	fuse_dev_cleanup();
	unregister_filesystem(&fuse_fs_type);
	rcu_barrier();
	kmem_cache_destroy(fuse_inode_cachep);
}

module_init(fuse_init);
module_exit(fuse_exit);

MODULE_AUTHOR("the fused project");
MODULE_DESCRIPTION("Filesystem in Userspace (the fused project's module)");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
