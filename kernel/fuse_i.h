/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fused kernel module: internal declarations
 *
 * One connection (struct fuse_conn) joins a /dev/fuse file and one
 * superblock.  Requests (struct fuse_req) carry a struct fuse_args that
 * says what goes to the server and what may come back; a server's reply is
 * untrusted and is checked against those args before anything is copied.
 */
#ifndef _FS_FUSED_FUSE_I_H
#define _FS_FUSED_FUSE_I_H

#include <linux/fs.h>
#include <linux/fuse.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/version.h>
#include <linux/wait.h>

#define FUSE_SUPER_MAGIC 0x65735546

/* The oldest protocol minor we speak; older servers are refused at INIT. */
#define FUSE_MIN_MINOR 31

/* A reader's buffer must hold this much, as in the protocol's libfuse. */
#define FUSE_MIN_READ_BUFFER 8192

/* Largest READ (and readahead batch) we send in one request. */
#define FUSE_MAX_READ_SIZE (128 * 1024)

/* Largest WRITE: we offer no FUSE_MAX_PAGES, so a server sized its
 * buffers for the protocol's default of 32 pages. */
#define FUSE_MAX_WRITE_SIZE (128 * 1024)

/* Longest name we send or accept in a directory entry. */
#define FUSE_NAME_MAX 1024

/* Largest READDIR reply we ask for. */
#define FUSE_READDIR_SIZE PAGE_SIZE

/* Unique ids step by two: the low bit is the protocol's interrupt bit. */
#define FUSE_REQ_ID_STEP 2

/* ---- kernel version differences (6.1 and 6.12) ---- */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define fuse_idmap_t struct mnt_idmap
#define FUSE_NOP_IDMAP (&nop_mnt_idmap)
#else
#define fuse_idmap_t struct user_namespace
#define FUSE_NOP_IDMAP (&init_user_ns)
#endif

struct fuse_conn;

struct fuse_in_arg {
	unsigned int size;
	const void *value;
};

struct fuse_out_arg {
	unsigned int size;	/* the most the server may send */
	void *value;
};

/* What a request sends and what its reply may contain. */
struct fuse_args {
	u32 opcode;
	u64 nodeid;
	unsigned int in_numargs;
	unsigned int out_numargs;
	/* the last out arg may be shorter than its size (READ, READDIR...) */
	bool out_argvar;
	/* FORGET: nobody waits and the server does not answer */
	bool noreply;
	/* INIT: sent before the connection is initialized */
	bool force;
	/* on nobody's behalf (writeback): no caller's pid, uid/gid 0 when
	 * the caller's cannot be named in the mount's namespace */
	bool nocreds;
	struct fuse_in_arg in_args[3];	/* SETXATTR uses all three */
	struct fuse_out_arg out_args[2];
	/* set from the reply: bytes in the last out arg when out_argvar */
	unsigned int out_size;
	/* background requests: called once with the result, frees args */
	void (*end)(struct fuse_conn *fc, struct fuse_args *args, int error);
};

enum fuse_req_state {
	FUSE_REQ_PENDING,	/* on fc->pending, waiting for a reader */
	FUSE_REQ_READING,	/* a reader copies it to the server */
	FUSE_REQ_SENT,		/* on fc->processing, waiting for the reply */
	FUSE_REQ_WRITING,	/* a writer copies the reply into it */
	FUSE_REQ_FINISHED,
};

struct fuse_req {
	struct list_head list;
	refcount_t count;
	struct fuse_conn *fc;
	struct fuse_args *args;
	struct fuse_in_header in_h;
	enum fuse_req_state state;	/* under fc->lock */
	bool abandoned;			/* the waiter was killed */
	int error;
	wait_queue_head_t waitq;
};

struct fuse_conn {
	spinlock_t lock;
	refcount_t count;

	/* false after abort or unmount: no new requests, readers get ENODEV */
	bool connected;
	/* the device's last fd was closed */
	bool aborted;
	/* INIT answered (or failed); blocked requests may go */
	bool initialized;
	/* INIT failed: every request fails with ECONNREFUSED */
	bool conn_error;

	struct list_head pending;
	struct list_head processing;
	wait_queue_head_t waitq;	/* readers of /dev/fuse */
	wait_queue_head_t blocked_waitq;/* requests waiting for INIT */
	u64 reqctr;
	/* bumped by every change we make to an inode's attributes */
	atomic64_t attr_ctr;

	/* mount parameters */
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
	kuid_t user_id;
	kgid_t group_id;
	bool default_permissions;
	bool allow_other;
	unsigned int max_read;

	/* negotiated at INIT */
	unsigned int minor;
	unsigned int max_readahead;
	unsigned int max_write;
	bool parallel_dirops;
	bool big_writes;	/* buffered WRITEs may exceed one page */
	bool atomic_o_trunc;	/* OPEN carries O_TRUNC */

	/* the server said ENOSYS once: never ask again */
	bool no_access;
	bool no_opendir;
	bool no_create;		/* fall back to MKNOD + OPEN */
	bool no_rename2;
	bool no_flush;
	bool no_fsync;
	bool no_fsyncdir;
	bool no_getxattr;
	bool no_setxattr;
	bool no_listxattr;
	bool no_removexattr;
	bool no_fallocate;
	bool no_lseek;
};

struct fuse_inode {
	struct inode inode;
	u64 nodeid;
	u64 nlookup;		/* lookups the server counted for us */
	u64 attr_version;	/* attr_ctr at our last change, under i_lock */
	u64 attr_timeout;	/* jiffies64 until which attrs are valid */
	u32 blksize;		/* the server's st_blksize, or 0 */
	struct mutex dir_lock;	/* serializes dirops without PARALLEL_DIROPS */
	/* files open for writing, under fc->lock: writeback of pages a
	 * shared mapping dirtied borrows one's handle */
	struct list_head write_files;
};

/* One superblock's view of its connection. */
struct fuse_mount {
	struct fuse_conn *fc;
	struct super_block *sb;
};

struct fuse_file {
	u64 fh;
	u64 nodeid;
	u32 open_flags;
	struct fuse_conn *fc;
	u32 release_opcode;
	unsigned int flags;	/* the open(2) flags, for WRITE and RELEASE */
	/* the open file, and writeback while it borrows the handle; the
	 * last reference sends RELEASE */
	refcount_t count;
	/* on fuse_inode.write_files while open for writing */
	struct list_head write_entry;
};

/* Mount parameters, gathered by fs_context before the superblock exists. */
struct fuse_fs_context {
	int fd;
	umode_t rootmode;
	kuid_t user_id;
	kgid_t group_id;
	bool fd_present, rootmode_present, user_id_present, group_id_present;
	bool default_permissions;
	bool allow_other;
	unsigned int max_read;
	unsigned int blksize;
	const char *subtype;
	struct file *file;	/* the device, during get_tree */
};

static inline struct fuse_inode *get_fuse_inode(struct inode *inode)
{
	return container_of(inode, struct fuse_inode, inode);
}

static inline u64 get_node_id(struct inode *inode)
{
	return get_fuse_inode(inode)->nodeid;
}

static inline struct fuse_mount *get_fuse_mount_super(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct fuse_conn *get_fuse_conn(struct inode *inode)
{
	return get_fuse_mount_super(inode->i_sb)->fc;
}

/* ---- request.c ---- */
struct fuse_conn *fuse_conn_new(void);
struct fuse_conn *fuse_conn_get(struct fuse_conn *fc);
void fuse_conn_put(struct fuse_conn *fc);
void fuse_conn_abort(struct fuse_conn *fc);
void fuse_conn_shutdown(struct fuse_conn *fc);
void fuse_set_initialized(struct fuse_conn *fc);
ssize_t fuse_simple_request(struct fuse_conn *fc, struct fuse_args *args);
int fuse_simple_background(struct fuse_conn *fc, struct fuse_args *args);
void fuse_req_put(struct fuse_req *req);
void fuse_request_end(struct fuse_req *req);
struct fuse_req *fuse_find_processing(struct fuse_conn *fc, u64 unique);
size_t fuse_in_len(const struct fuse_args *args);

/* ---- dev.c ---- */
extern const struct file_operations fuse_dev_operations;
int fuse_dev_init(void);
void fuse_dev_cleanup(void);
int fuse_dev_attach(struct file *file, struct fuse_conn *fc);

/* ---- inode.c ---- */
struct inode *fuse_iget(struct super_block *sb, u64 nodeid,
			struct fuse_attr *attr, u64 attr_valid,
			u32 attr_valid_nsec);
void fuse_change_attributes(struct inode *inode, struct fuse_attr *attr,
			    u64 attr_valid, u32 attr_valid_nsec);
void fuse_change_attributes_since(struct inode *inode, struct fuse_attr *attr,
				  u64 attr_valid, u32 attr_valid_nsec,
				  u64 version);
u64 fuse_attr_version(struct fuse_conn *fc);
void fuse_attr_changed(struct inode *inode);
u64 fuse_time_to_jiffies(u64 sec, u32 nsec);
bool fuse_invalid_attr(const struct fuse_attr *attr);
void fuse_send_forget(struct fuse_conn *fc, u64 nodeid, u64 nlookup);
bool fuse_allow_current_process(struct fuse_conn *fc);

/* ---- dir.c ---- */
extern const struct inode_operations fuse_dir_inode_operations;
extern const struct inode_operations fuse_symlink_inode_operations;
extern const struct inode_operations fuse_common_inode_operations;
extern const struct file_operations fuse_dir_operations;
extern const struct dentry_operations fuse_dentry_operations;
int fuse_update_attributes(struct inode *inode, struct file *file);
int fuse_getattr(fuse_idmap_t *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags);
int fuse_permission(fuse_idmap_t *idmap, struct inode *inode, int mask);
int fuse_do_getattr(struct inode *inode, struct file *file);
void fuse_invalidate_attr(struct inode *inode);
void fuse_invalidate_entry(struct dentry *entry);
struct dentry *fuse_lookup(struct inode *dir, struct dentry *entry,
			   unsigned int flags);
void fuse_dir_lock(struct inode *dir);
void fuse_dir_unlock(struct inode *dir);

/* ---- namei.c ---- */
int fuse_atomic_open(struct inode *dir, struct dentry *entry,
		     struct file *file, unsigned int flags, umode_t mode);
int fuse_create(fuse_idmap_t *idmap, struct inode *dir,
		struct dentry *entry, umode_t mode, bool excl);
int fuse_mknod(fuse_idmap_t *idmap, struct inode *dir,
	       struct dentry *entry, umode_t mode, dev_t rdev);
int fuse_mkdir(fuse_idmap_t *idmap, struct inode *dir,
	       struct dentry *entry, umode_t mode);
int fuse_symlink(fuse_idmap_t *idmap, struct inode *dir,
		 struct dentry *entry, const char *link);
int fuse_unlink(struct inode *dir, struct dentry *entry);
int fuse_rmdir(struct inode *dir, struct dentry *entry);
int fuse_link(struct dentry *old, struct inode *dir, struct dentry *entry);
int fuse_rename(fuse_idmap_t *idmap, struct inode *olddir,
		struct dentry *oldent, struct inode *newdir,
		struct dentry *newent, unsigned int flags);

/* ---- setattr.c ---- */
int fuse_setattr(fuse_idmap_t *idmap, struct dentry *entry,
		 struct iattr *attr);

/* ---- xattr.c ---- */
extern const struct xattr_handler *fuse_xattr_handlers[];
ssize_t fuse_listxattr(struct dentry *entry, char *list, size_t size);

/* ---- mmap.c ---- */
int fuse_file_mmap(struct file *file, struct vm_area_struct *vma);
int fuse_writepages(struct address_space *mapping,
		    struct writeback_control *wbc);

/* ---- write.c ---- */
ssize_t fuse_send_write(struct fuse_file *ff, loff_t pos, const void *buf,
			size_t count, u32 write_flags);
ssize_t fuse_file_write_iter(struct kiocb *iocb, struct iov_iter *from);
long fuse_file_fallocate(struct file *file, int mode, loff_t offset,
			 loff_t length);

/* ---- file.c ---- */
extern const struct file_operations fuse_file_operations;
extern const struct address_space_operations fuse_file_aops;
int fuse_open_common(struct inode *inode, struct file *file, bool isdir);
int fuse_release_common(struct inode *inode, struct file *file, bool isdir);
void fuse_finish_open(struct inode *inode, struct file *file,
		      struct fuse_file *ff);
void fuse_send_release(struct fuse_file *ff, unsigned int flags);
void fuse_file_put(struct fuse_file *ff);
int fuse_fsync_common(struct file *file, loff_t start, loff_t end,
		      int datasync, bool isdir);
u64 fuse_lock_owner_id(fl_owner_t owner);
void fuse_lock_owner_init(void);

#endif /* _FS_FUSED_FUSE_I_H */
