/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse_lowlevel.h: the inode-based API.
 *
 * The file system fills a struct fuse_lowlevel_ops; each request arrives
 * as a call with a fuse_req_t that must be answered exactly once with one
 * of the fuse_reply_*() functions (or fuse_reply_none() for forget).
 * Sessions tie the operations to a /dev/fuse connection.  Layouts and
 * values follow the libfuse ABI fuse_abi.h selects (3.18 or 3.14). */
#ifndef FUSE_LOWLEVEL_H_
#define FUSE_LOWLEVEL_H_

#ifndef FUSE_USE_VERSION
#error "define FUSE_USE_VERSION before including fuse_lowlevel.h"
#endif

#include "fuse_common.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <utime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The inode number of the root directory. */
#define FUSE_ROOT_ID 1

typedef uint64_t fuse_ino_t;

/* A request being handled; valid until it is replied to. */
typedef struct fuse_req *fuse_req_t;

struct fuse_session;
struct statx;

/* The answer to a lookup, mknod, mkdir, symlink, link or create. */
struct fuse_entry_param {
	/* the inode number; 0 means "no such entry, cache that" */
	fuse_ino_t ino;
	/* ino + generation must be unique over the file system's life */
	uint64_t generation;
	/* attributes; st_ino is ignored in favour of ino */
	struct stat attr;
	/* seconds the kernel may cache attr */
	double attr_timeout;
	/* seconds the kernel may cache the name */
	double entry_timeout;
};

/* Who sent a request. */
struct fuse_ctx {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	/* the caller's umask (0 unless FUSE_CAP_DONT_MASK was granted) */
	mode_t umask;
};

/* One element of a batch forget. */
struct fuse_forget_data {
	fuse_ino_t ino;
	uint64_t nlookup;
};

/* Replacement I/O for a session (fuse_session_custom_io()): all four get
 * the session's fd and the userdata given to fuse_session_new(). */
struct fuse_custom_io {
	ssize_t (*writev)(int fd, struct iovec *iov, int count, void *userdata);
	ssize_t (*read)(int fd, void *buf, size_t buf_len, void *userdata);
	ssize_t (*splice_receive)(int fdin, off_t *offin, int fdout,
				  off_t *offout, size_t len,
				  unsigned int flags, void *userdata);
	ssize_t (*splice_send)(int fdin, off_t *offin, int fdout,
			       off_t *offout, size_t len,
			       unsigned int flags, void *userdata);
#if FUSED_SOVERSION >= 4
	/* For the multi-threaded loop's clone_fd: a new fd on the same
	 * connection for a worker, or -1 (the worker then shares fd). */
	int (*clone_fd)(int master_fd);
#endif
};

/* libfuse3.so.4 has 3.18's API at every FUSE_USE_VERSION, as libfuse
 * 3.18's own headers do: there the flags are gone from
 * fuse_lowlevel_notify_expire_entry() (it only expires) and the enum
 * is named for both kinds of entry notification. */
#if FUSED_SOVERSION < 4
/* Flags of fuse_lowlevel_notify_expire_entry(). */
enum fuse_expire_flags {
	/* only mark the entry expired, do not drop it */
	FUSE_LL_EXPIRE_ONLY = (1 << 0),
};
#else
/* How a cached entry is to be dropped: invalidated, or only expired. */
enum fuse_notify_entry_flags {
	FUSE_LL_INVALIDATE = 0,
	FUSE_LL_EXPIRE_ONLY = (1 << 0),
};
#endif

/* Bits of setattr's to_set: which fields of attr to apply. */
#define FUSE_SET_ATTR_MODE	(1 << 0)
#define FUSE_SET_ATTR_UID	(1 << 1)
#define FUSE_SET_ATTR_GID	(1 << 2)
#define FUSE_SET_ATTR_SIZE	(1 << 3)
#define FUSE_SET_ATTR_ATIME	(1 << 4)
#define FUSE_SET_ATTR_MTIME	(1 << 5)
#define FUSE_SET_ATTR_ATIME_NOW	(1 << 7)
#define FUSE_SET_ATTR_MTIME_NOW	(1 << 8)
#define FUSE_SET_ATTR_FORCE	(1 << 9)
#define FUSE_SET_ATTR_CTIME	(1 << 10)
#define FUSE_SET_ATTR_KILL_SUID	(1 << 11)
#define FUSE_SET_ATTR_KILL_SGID	(1 << 12)
#define FUSE_SET_ATTR_FILE	(1 << 13)
#define FUSE_SET_ATTR_KILL_PRIV	(1 << 14)
#define FUSE_SET_ATTR_OPEN	(1 << 15)
#define FUSE_SET_ATTR_TIMES_SET	(1 << 16)
#define FUSE_SET_ATTR_TOUCH	(1 << 17)

/* The operations.  A NULL member gets a default answer (mostly ENOSYS).
 * The order of members is ABI: new ones only go at the end. */
struct fuse_lowlevel_ops {
	/* after INIT is negotiated; may adjust conn */
	void (*init)(void *userdata, struct fuse_conn_info *conn);
	/* when the session ends */
	void (*destroy)(void *userdata);
	/* reply: entry or err */
	void (*lookup)(fuse_req_t req, fuse_ino_t parent, const char *name);
	/* reply: none */
	void (*forget)(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
	/* reply: attr or err */
	void (*getattr)(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi);
	/* reply: attr or err */
	void (*setattr)(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			int to_set, struct fuse_file_info *fi);
	/* reply: readlink or err */
	void (*readlink)(fuse_req_t req, fuse_ino_t ino);
	/* reply: entry or err */
	void (*mknod)(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, dev_t rdev);
	/* reply: entry or err */
	void (*mkdir)(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode);
	/* reply: err */
	void (*unlink)(fuse_req_t req, fuse_ino_t parent, const char *name);
	/* reply: err */
	void (*rmdir)(fuse_req_t req, fuse_ino_t parent, const char *name);
	/* reply: entry or err */
	void (*symlink)(fuse_req_t req, const char *link, fuse_ino_t parent,
			const char *name);
	/* flags: RENAME_NOREPLACE, RENAME_EXCHANGE; reply: err */
	void (*rename)(fuse_req_t req, fuse_ino_t parent, const char *name,
		       fuse_ino_t newparent, const char *newname,
		       unsigned int flags);
	/* reply: entry or err */
	void (*link)(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		     const char *newname);
	/* reply: open or err */
	void (*open)(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi);
	/* reply: buf, iov, data or err */
	void (*read)(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi);
	/* reply: write or err */
	void (*write)(fuse_req_t req, fuse_ino_t ino, const char *buf,
		      size_t size, off_t off, struct fuse_file_info *fi);
	/* on each close(2) of an open file; reply: err */
	void (*flush)(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi);
	/* on the last close of an open file; reply: err */
	void (*release)(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi);
	/* reply: err */
	void (*fsync)(fuse_req_t req, fuse_ino_t ino, int datasync,
		      struct fuse_file_info *fi);
	/* reply: open or err */
	void (*opendir)(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi);
	/* reply: buf (fuse_add_direntry), data or err */
	void (*readdir)(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi);
	/* reply: err */
	void (*releasedir)(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi);
	/* reply: err */
	void (*fsyncdir)(fuse_req_t req, fuse_ino_t ino, int datasync,
			 struct fuse_file_info *fi);
	/* reply: statfs or err */
	void (*statfs)(fuse_req_t req, fuse_ino_t ino);
	/* reply: err */
	void (*setxattr)(fuse_req_t req, fuse_ino_t ino, const char *name,
			 const char *value, size_t size, int flags);
	/* size 0: reply xattr (the length); else buf or err (ERANGE) */
	void (*getxattr)(fuse_req_t req, fuse_ino_t ino, const char *name,
			 size_t size);
	/* as getxattr */
	void (*listxattr)(fuse_req_t req, fuse_ino_t ino, size_t size);
	/* reply: err */
	void (*removexattr)(fuse_req_t req, fuse_ino_t ino, const char *name);
	/* reply: err */
	void (*access)(fuse_req_t req, fuse_ino_t ino, int mask);
	/* reply: create or err */
	void (*create)(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode, struct fuse_file_info *fi);
	/* reply: lock or err */
	void (*getlk)(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi, struct flock *lock);
	/* sleep: wait for the lock (F_SETLKW); reply: err */
	void (*setlk)(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi,
		      struct flock *lock, int sleep);
	/* reply: bmap or err */
	void (*bmap)(fuse_req_t req, fuse_ino_t ino, size_t blocksize,
		     uint64_t idx);
	/* reply: ioctl, ioctl_retry, ioctl_iov or err.  cmd became unsigned
	 * in API 3.5. */
#if FUSE_USE_VERSION < 35
	void (*ioctl)(fuse_req_t req, fuse_ino_t ino, int cmd,
		      void *arg, struct fuse_file_info *fi, unsigned flags,
		      const void *in_buf, size_t in_bufsz, size_t out_bufsz);
#else
	void (*ioctl)(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		      void *arg, struct fuse_file_info *fi, unsigned flags,
		      const void *in_buf, size_t in_bufsz, size_t out_bufsz);
#endif
	/* ph (may be NULL) is the file system's to keep and destroy;
	 * reply: poll or err */
	void (*poll)(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct fuse_pollhandle *ph);
	/* a write whose data is in bufv (maybe a pipe); reply: write or err */
	void (*write_buf)(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_bufvec *bufv, off_t off,
			  struct fuse_file_info *fi);
	/* the data asked for by fuse_lowlevel_notify_retrieve(); reply: none */
	void (*retrieve_reply)(fuse_req_t req, void *cookie, fuse_ino_t ino,
			       off_t offset, struct fuse_bufvec *bufv);
	/* reply: none */
	void (*forget_multi)(fuse_req_t req, size_t count,
			     struct fuse_forget_data *forgets);
	/* op: LOCK_SH, LOCK_EX, LOCK_UN, maybe | LOCK_NB; reply: err */
	void (*flock)(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi, int op);
	/* reply: err */
	void (*fallocate)(fuse_req_t req, fuse_ino_t ino, int mode,
			  off_t offset, off_t length, struct fuse_file_info *fi);
	/* reply: buf (fuse_add_direntry_plus) or err */
	void (*readdirplus)(fuse_req_t req, fuse_ino_t ino, size_t size,
			    off_t off, struct fuse_file_info *fi);
	/* reply: write or err */
	void (*copy_file_range)(fuse_req_t req, fuse_ino_t ino_in,
				off_t off_in, struct fuse_file_info *fi_in,
				fuse_ino_t ino_out, off_t off_out,
				struct fuse_file_info *fi_out, size_t len,
				int flags);
	/* whence: SEEK_DATA, SEEK_HOLE (others are the kernel's);
	 * reply: lseek or err */
	void (*lseek)(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		      struct fuse_file_info *fi);
#if FUSED_SOVERSION >= 4
	/* open(2) with O_TMPFILE in directory parent: an unnamed file;
	 * reply: create or err */
	void (*tmpfile)(fuse_req_t req, fuse_ino_t parent, mode_t mode,
			struct fuse_file_info *fi);
	/* statx(2); flags: AT_* sync flags, mask: STATX_* wanted;
	 * reply: statx or err */
	void (*statx)(fuse_req_t req, fuse_ino_t ino, int flags, int mask,
		      struct fuse_file_info *fi);
#endif
};

/* Replies.  Each ends the request; they return 0 or -errno from sending.
 * err is a positive errno value, or 0 for success with no data. */
int fuse_reply_err(fuse_req_t req, int err);
void fuse_reply_none(fuse_req_t req);
int fuse_reply_entry(fuse_req_t req, const struct fuse_entry_param *e);
int fuse_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
		      const struct fuse_file_info *fi);
int fuse_reply_attr(fuse_req_t req, const struct stat *attr,
		    double attr_timeout);
int fuse_reply_readlink(fuse_req_t req, const char *link);
int fuse_reply_open(fuse_req_t req, const struct fuse_file_info *fi);
int fuse_reply_write(fuse_req_t req, size_t count);
int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size);
int fuse_reply_data(fuse_req_t req, struct fuse_bufvec *bufv,
		    enum fuse_buf_copy_flags flags);
int fuse_reply_iov(fuse_req_t req, const struct iovec *iov, int count);
int fuse_reply_statfs(fuse_req_t req, const struct statvfs *stbuf);
int fuse_reply_xattr(fuse_req_t req, size_t count);
int fuse_reply_lock(fuse_req_t req, const struct flock *lock);
int fuse_reply_bmap(fuse_req_t req, uint64_t idx);
#if FUSED_SOVERSION >= 4
/* Attributes as statx(2) has them (the fields mask names). */
int fuse_reply_statx(fuse_req_t req, int flags, struct statx *statx,
		     double attr_timeout);

/* Passthrough (FUSE_CAP_PASSTHROUGH): registers fd, a file the file
 * system opened, with the kernel; the id goes into fi->backing_id of an
 * open or create reply, and the kernel then does that file's reads,
 * writes and mmap on fd itself.  An id stays valid for other opens until
 * fuse_passthrough_close().  open: the id (> 0), or 0 with errno set
 * (EPERM: not CAP_SYS_ADMIN); close: 0 or -errno. */
int fuse_passthrough_open(fuse_req_t req, int fd);
int fuse_passthrough_close(fuse_req_t req, int backing_id);
#endif

/* Appends one directory entry to buf for a readdir reply; returns the
 * space the entry needs (if that is more than bufsize nothing is written:
 * the buffer is full).  buf NULL just measures.  off is the offset of the
 * next entry; of stbuf only st_ino and the file type are used. */
size_t fuse_add_direntry(fuse_req_t req, char *buf, size_t bufsize,
			 const char *name, const struct stat *stbuf,
			 off_t off);

/* As fuse_add_direntry() for readdirplus; a non-zero e->ino counts as a
 * lookup. */
size_t fuse_add_direntry_plus(fuse_req_t req, char *buf, size_t bufsize,
			      const char *name,
			      const struct fuse_entry_param *e, off_t off);

int fuse_reply_ioctl_retry(fuse_req_t req,
			   const struct iovec *in_iov, size_t in_count,
			   const struct iovec *out_iov, size_t out_count);
int fuse_reply_ioctl(fuse_req_t req, int result, const void *buf, size_t size);
int fuse_reply_ioctl_iov(fuse_req_t req, int result, const struct iovec *iov,
			 int count);
int fuse_reply_poll(fuse_req_t req, unsigned revents);
int fuse_reply_lseek(fuse_req_t req, off_t off);

/* Notifications to the kernel.  0 or -errno (-ENOSYS: the kernel does
 * not know this notification; -ENOENT: nothing cached to act on). */
int fuse_lowlevel_notify_poll(struct fuse_pollhandle *ph);
int fuse_lowlevel_notify_inval_inode(struct fuse_session *se, fuse_ino_t ino,
				     off_t off, off_t len);
int fuse_lowlevel_notify_inval_entry(struct fuse_session *se, fuse_ino_t parent,
				     const char *name, size_t namelen);
#if FUSED_SOVERSION < 4
int fuse_lowlevel_notify_expire_entry(struct fuse_session *se, fuse_ino_t parent,
				      const char *name, size_t namelen,
				      enum fuse_expire_flags flags);
#else
/* From 3.17 expiring is all it does: the flags argument is gone. */
int fuse_lowlevel_notify_expire_entry(struct fuse_session *se, fuse_ino_t parent,
				      const char *name, size_t namelen);
#endif
#if FUSED_SOVERSION >= 4
/* Makes the kernel treat every cached entry and attribute of the mount
 * as stale (FUSE_NOTIFY_INC_EPOCH): the next use of each looks it up
 * again.  0 or -errno (-ENOSYS: kernel too old). */
int fuse_lowlevel_notify_increment_epoch(struct fuse_session *se);
#endif
int fuse_lowlevel_notify_delete(struct fuse_session *se,
				fuse_ino_t parent, fuse_ino_t child,
				const char *name, size_t namelen);
int fuse_lowlevel_notify_store(struct fuse_session *se, fuse_ino_t ino,
			       off_t offset, struct fuse_bufvec *bufv,
			       enum fuse_buf_copy_flags flags);
int fuse_lowlevel_notify_retrieve(struct fuse_session *se, fuse_ino_t ino,
				  size_t size, off_t offset, void *cookie);

/* Requests. */
void *fuse_req_userdata(fuse_req_t req);
const struct fuse_ctx *fuse_req_ctx(fuse_req_t req);
/* Supplementary groups of the caller (from /proc): the number of groups,
 * of which at most size are stored, or -errno. */
int fuse_req_getgroups(fuse_req_t req, int size, gid_t list[]);

typedef void (*fuse_interrupt_func_t)(fuse_req_t req, void *data);
/* Calls func(req, data) when the request gets interrupted (at once, if it
 * already was); func NULL unregisters. */
void fuse_req_interrupt_func(fuse_req_t req, fuse_interrupt_func_t func,
			     void *data);
int fuse_req_interrupted(fuse_req_t req);

/* Help and version texts on stdout. */
void fuse_lowlevel_version(void);
void fuse_lowlevel_help(void);
void fuse_cmdline_help(void);

/* What fuse_parse_cmdline() found.  max_threads is new in 3.12: the
 * FUSE_3.0 variant of fuse_parse_cmdline() does not write it. */
struct fuse_cmdline_opts {
	int singlethread;
	int foreground;
	int debug;
	int nodefault_subtype;
	char *mountpoint;
	int show_version;
	int show_help;
	int clone_fd;
	unsigned int max_idle_threads;
	unsigned int max_threads;
};

/* Takes the generic options (-h, -V, -d, -f, -s, -o clone_fd,
 * max_idle_threads=, max_threads=) and the mount point out of args.
 * 0 or -1.
 *
 * Versioned entry points, here and below: the library exports each older
 * variant under its own name (fuse_parse_cmdline_30) and as the old
 * version of the plain name (fuse_parse_cmdline@FUSE_3.0); the newest is
 * the plain name's default version.  Older FUSE_USE_VERSIONs get a macro
 * naming their variant, the newest the plain name, as with libfuse. */
int fuse_parse_cmdline_30(struct fuse_args *args,
			  struct fuse_cmdline_opts *opts);
int fuse_parse_cmdline_312(struct fuse_args *args,
			   struct fuse_cmdline_opts *opts);
#if FUSED_SOVERSION < 4 && FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
#define fuse_parse_cmdline(args, opts) fuse_parse_cmdline_30(args, opts)
#else
/* (libfuse3.so.4, as libfuse 3.18 built with versioned symbols: the
 * newest variant at every API level; the struct is the same at all.) */
int fuse_parse_cmdline(struct fuse_args *args, struct fuse_cmdline_opts *opts);
#endif

/* Sessions. */

/* Creates a session; args holds the library's options (an unknown one
 * is an error).  op_size is sizeof(*op), so that older programs with a
 * shorter ops table work.  NULL on error.
 *
 * For libfuse3.so.4 fuse_session_new() is an inline function passing
 * the version the program was built against to
 * fuse_session_new_versioned(), as libfuse 3.17+ has it; the library
 * keeps the plain function for older binaries. */
#if FUSED_SOVERSION >= 4
struct fuse_session *fuse_session_new_versioned(struct fuse_args *args,
						const struct fuse_lowlevel_ops *op,
						size_t op_size,
						struct libfuse_version *version,
						void *userdata);
#endif
#if FUSED_SOVERSION < 4 || defined(FUSED_BUILDING_LIB)
struct fuse_session *fuse_session_new(struct fuse_args *args,
				      const struct fuse_lowlevel_ops *op,
				      size_t op_size, void *userdata);
#else
static inline struct fuse_session *
fuse_session_new_fn(struct fuse_args *args, const struct fuse_lowlevel_ops *op,
		    size_t op_size, void *userdata)
{
	struct libfuse_version version = {
		FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION, FUSE_HOTFIX_VERSION, 0
	};

	return fuse_session_new_versioned(args, op, op_size, &version,
					  userdata);
}
#define fuse_session_new(args, op, op_size, userdata) \
	fuse_session_new_fn(args, op, op_size, userdata)
#endif

/* Makes the session use io on fd instead of /dev/fuse; instead of
 * mounting.  0 or -errno.  From 3.17 it takes sizeof(*io), since
 * struct fuse_custom_io grew clone_fd; older API levels get an inline
 * function passing the old size. */
#if FUSED_SOVERSION >= 4
int fuse_session_custom_io_317(struct fuse_session *se,
			       const struct fuse_custom_io *io, size_t op_size,
			       int fd);
#endif
#if FUSED_SOVERSION < 4 || defined(FUSED_BUILDING_LIB)
int fuse_session_custom_io(struct fuse_session *se,
			   const struct fuse_custom_io *io, int fd);
#elif FUSE_USE_VERSION >= FUSE_MAKE_VERSION(3, 17)
static inline int fuse_session_custom_io(struct fuse_session *se,
					 const struct fuse_custom_io *io,
					 size_t op_size, int fd)
{
	return fuse_session_custom_io_317(se, io, op_size, fd);
}
#else
static inline int fuse_session_custom_io(struct fuse_session *se,
					 const struct fuse_custom_io *io,
					 int fd)
{
	return fuse_session_custom_io_317(se, io,
			offsetof(struct fuse_custom_io, clone_fd), fd);
}
#endif

/* Mounts at mountpoint, or takes the fd of "/dev/fd/N".  0 or -1. */
int fuse_session_mount(struct fuse_session *se, const char *mountpoint);

/* Serves requests in this thread until the session exits.  0, or -errno,
 * or the signal number that ended it. */
int fuse_session_loop(struct fuse_session *se);

/* Serves requests with a pool of threads.  The variant is chosen by
 * FUSE_USE_VERSION: before 3.2 it took a clone_fd flag, before 3.12 the
 * two-field configuration struct, from 3.12 the opaque one (NULL for
 * defaults). */
int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd);
int fuse_session_loop_mt_312(struct fuse_session *se,
			     struct fuse_loop_config *config);
#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
int fuse_session_loop_mt_32(struct fuse_session *se,
			    struct fuse_loop_config *config);
#else
int fuse_session_loop_mt_32(struct fuse_session *se,
			    struct fuse_loop_config_v1 *config);
#endif
#if FUSE_USE_VERSION < 32
#define fuse_session_loop_mt(se, clone_fd) fuse_session_loop_mt_31(se, clone_fd)
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
#define fuse_session_loop_mt(se, config) fuse_session_loop_mt_32(se, config)
#else
int fuse_session_loop_mt(struct fuse_session *se,
			 struct fuse_loop_config *config);
#endif

/* Makes the loops return after the request in progress. */
void fuse_session_exit(struct fuse_session *se);
/* Clears the exited state. */
void fuse_session_reset(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_unmount(struct fuse_session *se);
void fuse_session_destroy(struct fuse_session *se);
/* The /dev/fuse fd, for programs running their own event loop. */
int fuse_session_fd(struct fuse_session *se);

/* For custom loops: process one request read into buf. */
void fuse_session_process_buf(struct fuse_session *se,
			      const struct fuse_buf *buf);
/* For custom loops: read one request into buf (allocated on first use,
 * reused after).  Bytes read, 0 once unmounted, or -errno (-EINTR,
 * -EAGAIN: try again). */
int fuse_session_receive_buf(struct fuse_session *se, struct fuse_buf *buf);

#if FUSED_SOVERSION >= 4
/* Whether req came over io_uring (FUSE_CAP_OVER_IO_URING).  This
 * library reads every request from /dev/fuse: false. */
bool fuse_req_is_uring(fuse_req_t req);
/* A WRITE's payload where the io_uring transport left it, without a
 * copy: 0, or -ENOTSUP for requests that did not come over io_uring. */
int fuse_req_get_payload(fuse_req_t req, char **payload, size_t *payload_sz,
			 void **mr);
#endif

#ifdef __cplusplus
}
#endif

#endif /* FUSE_LOWLEVEL_H_ */
