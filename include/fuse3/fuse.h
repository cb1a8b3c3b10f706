/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse.h: the path-based (high-level) API.
 *
 * The file system fills a struct fuse_operations whose callbacks get
 * paths and return 0 or -errno; the library keeps the inode table, turns
 * low-level requests into these calls and answers the kernel.  fuse_main()
 * is the usual entry point.  Layouts and values follow the libfuse ABI
 * fuse_abi.h selects (3.18 or 3.14). */
#ifndef FUSE_H_
#define FUSE_H_

#include "fuse_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A high-level file system instance. */
struct fuse;
struct statx;

/* Flags readdir gets. */
enum fuse_readdir_flags {
#if FUSED_SOVERSION >= 4
	FUSE_READDIR_DEFAULTS = 0,
#endif
	/* readdirplus: the filler wants full attributes, if it can have them */
	FUSE_READDIR_PLUS = (1 << 0)
};

/* Flags readdir passes to the filler. */
enum fuse_fill_dir_flags {
#if FUSED_SOVERSION >= 4
	FUSE_FILL_DIR_DEFAULTS = 0,
#endif
	/* stbuf holds full attributes (not just type and inode number) */
	FUSE_FILL_DIR_PLUS = (1 << 1)
};

/* Adds one entry to a readdir reply.  off 0: the file system lists the
 * whole directory in one call; otherwise off is the offset of the next
 * entry.  Returns 1 when the buffer is full, else 0. */
typedef int (*fuse_fill_dir_t)(void *buf, const char *name,
			       const struct stat *stbuf, off_t off,
			       enum fuse_fill_dir_flags flags);

/* The library's configuration, from its options; init() may change it. */
struct fuse_config {
	/* set_*: override the file system's st_gid, st_uid, permission bits */
	int32_t set_gid;
	uint32_t gid;
	int32_t set_uid;
	uint32_t uid;
	int32_t set_mode;
	uint32_t umask;
	/* seconds names, missing names and attributes stay cached */
	double entry_timeout;
	double negative_timeout;
	double attr_timeout;
	/* interrupt calls with intr_signal when the kernel interrupts */
	int32_t intr;
	int32_t intr_signal;
	/* seconds to remember forgotten inodes (-1: forever) */
	int32_t remember;
	/* unlink open files at once instead of hiding them */
	int32_t hard_remove;
	/* take inode numbers from st_ino */
	int32_t use_ino;
	/* in readdir, look up inode numbers when !use_ino */
	int32_t readdir_ino;
	/* direct_io for every open */
	int32_t direct_io;
	/* keep_cache for every open */
	int32_t kernel_cache;
	/* keep the cache while mtime and size stay the same */
	int32_t auto_cache;
#if FUSED_SOVERSION < 4
	/* no flush on read-only files (moved to the end in 3.17) */
	int32_t no_rofd_flush;
#endif
	/* auto_cache checks attributes at most every ac_attr_timeout s */
	int32_t ac_attr_timeout_set;
	double ac_attr_timeout;
	/* the file system copes with NULL paths for open files */
	int32_t nullpath_ok;
	/* set by the library when -h was given */
	int32_t show_help;
	/* the modules= option; the library's */
	char *modules;
	int32_t debug;
#if FUSED_SOVERSION >= 4
	/* as umask, for files and directories apart; non-zero wins */
	uint32_t fmask;
	uint32_t dmask;
	/* no flush on read-only files */
	int32_t no_rofd_flush;
	/* direct writes to one file may run in parallel */
	int32_t parallel_direct_writes;
	/* reserved; zero */
	uint32_t flags;
	uint64_t reserved[48];
#endif
};

/* The operations.  Each returns 0 or -errno unless said otherwise; a
 * NULL member gets a default (mostly -ENOSYS).  Paths are relative to
 * the mount point, starting with '/'.  The order of members is ABI. */
struct fuse_operations {
	/* fi is NULL unless the file is open */
	int (*getattr)(const char *, struct stat *, struct fuse_file_info *fi);
	/* fill the buffer with a NUL-terminated target, truncated to fit */
	int (*readlink)(const char *, char *, size_t);
	int (*mknod)(const char *, mode_t, dev_t);
	int (*mkdir)(const char *, mode_t);
	int (*unlink)(const char *);
	int (*rmdir)(const char *);
	/* target, then the link's path */
	int (*symlink)(const char *, const char *);
	/* flags: RENAME_NOREPLACE, RENAME_EXCHANGE */
	int (*rename)(const char *, const char *, unsigned int flags);
	int (*link)(const char *, const char *);
	int (*chmod)(const char *, mode_t, struct fuse_file_info *fi);
	int (*chown)(const char *, uid_t, gid_t, struct fuse_file_info *fi);
	int (*truncate)(const char *, off_t, struct fuse_file_info *fi);
	int (*open)(const char *, struct fuse_file_info *);
	/* bytes read (less only at EOF, unless direct_io) */
	int (*read)(const char *, char *, size_t, off_t,
		    struct fuse_file_info *);
	/* bytes written (all of them, unless direct_io) */
	int (*write)(const char *, const char *, size_t, off_t,
		     struct fuse_file_info *);
	int (*statfs)(const char *, struct statvfs *);
	int (*flush)(const char *, struct fuse_file_info *);
	int (*release)(const char *, struct fuse_file_info *);
	int (*fsync)(const char *, int, struct fuse_file_info *);
	int (*setxattr)(const char *, const char *, const char *, size_t, int);
	/* size 0: the value's length; else bytes stored or -ERANGE */
	int (*getxattr)(const char *, const char *, char *, size_t);
	int (*listxattr)(const char *, char *, size_t);
	int (*removexattr)(const char *, const char *);
	int (*opendir)(const char *, struct fuse_file_info *);
	int (*readdir)(const char *, void *, fuse_fill_dir_t, off_t,
		       struct fuse_file_info *, enum fuse_readdir_flags);
	int (*releasedir)(const char *, struct fuse_file_info *);
	int (*fsyncdir)(const char *, int, struct fuse_file_info *);
	/* returns what fuse_get_context()->private_data becomes */
	void *(*init)(struct fuse_conn_info *conn, struct fuse_config *cfg);
	void (*destroy)(void *private_data);
	int (*access)(const char *, int);
	int (*create)(const char *, mode_t, struct fuse_file_info *);
	/* cmd: F_GETLK, F_SETLK, F_SETLKW */
	int (*lock)(const char *, struct fuse_file_info *, int cmd,
		    struct flock *);
	/* tv may hold UTIME_NOW / UTIME_OMIT */
	int (*utimens)(const char *, const struct timespec tv[2],
		       struct fuse_file_info *fi);
	int (*bmap)(const char *, size_t blocksize, uint64_t *idx);
	/* cmd became unsigned in API 3.5 */
#if FUSE_USE_VERSION < 35
	int (*ioctl)(const char *, int cmd, void *arg,
		     struct fuse_file_info *, unsigned int flags, void *data);
#else
	int (*ioctl)(const char *, unsigned int cmd, void *arg,
		     struct fuse_file_info *, unsigned int flags, void *data);
#endif
	/* ph, if not NULL, is the file system's to keep and destroy */
	int (*poll)(const char *, struct fuse_file_info *,
		    struct fuse_pollhandle *ph, unsigned *reventsp);
	/* bytes written */
	int (*write_buf)(const char *, struct fuse_bufvec *buf, off_t off,
			 struct fuse_file_info *);
	/* *bufp: a bufvec allocated with malloc (freed by the library) */
	int (*read_buf)(const char *, struct fuse_bufvec **bufp,
			size_t size, off_t off, struct fuse_file_info *);
	int (*flock)(const char *, struct fuse_file_info *, int op);
	int (*fallocate)(const char *, int, off_t, off_t,
			 struct fuse_file_info *);
	/* bytes copied */
	ssize_t (*copy_file_range)(const char *path_in,
				   struct fuse_file_info *fi_in,
				   off_t offset_in, const char *path_out,
				   struct fuse_file_info *fi_out,
				   off_t offset_out, size_t size, int flags);
	/* the new offset */
	off_t (*lseek)(const char *, off_t off, int whence,
		       struct fuse_file_info *);
#if FUSED_SOVERSION >= 4
	/* statx(2): flags AT_*, mask STATX_*; fi is NULL unless open */
	int (*statx)(const char *path, int flags, int mask,
		     struct statx *stxbuf, struct fuse_file_info *fi);
#endif
};

/* The context of the request being served, from fuse_get_context(). */
struct fuse_context {
	struct fuse *fuse;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	/* what init() returned (or fuse_main's private_data) */
	void *private_data;
	mode_t umask;
};

/* Parses the command line, mounts, serves until unmounted or signalled,
 * cleans up.  0 on success, non-zero on failure.
 *
 * For libfuse3.so.4, as in libfuse 3.17+, fuse_main(), fuse_main_real()
 * and fuse_new() are inline functions that pass the version the program
 * was built against to the library's *_versioned / _fuse_new_* entry
 * points; the library keeps the old symbols for older binaries. */
#if FUSED_SOVERSION < 4 || defined(FUSED_BUILDING_LIB)
int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op,
		   size_t op_size, void *private_data);
#endif
#if FUSED_SOVERSION < 4
#define fuse_main(argc, argv, op, private_data) \
	fuse_main_real(argc, argv, op, sizeof(*(op)), private_data)
#else
int fuse_main_real_versioned(int argc, char *argv[],
			     const struct fuse_operations *op, size_t op_size,
			     struct libfuse_version *version, void *user_data);
#ifndef FUSED_BUILDING_LIB
static inline int fuse_main_real(int argc, char *argv[],
				 const struct fuse_operations *op,
				 size_t op_size, void *user_data)
{
	struct libfuse_version version = {
		FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION, FUSE_HOTFIX_VERSION, 0
	};

	return fuse_main_real_versioned(argc, argv, op, op_size, &version,
					user_data);
}
#endif
static inline int fuse_main_fn(int argc, char *argv[],
			       const struct fuse_operations *op,
			       void *user_data)
{
	struct libfuse_version version = {
		FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION, FUSE_HOTFIX_VERSION, 0
	};

	return fuse_main_real_versioned(argc, argv, op, sizeof(*(op)),
					&version, user_data);
}
#define fuse_main(argc, argv, op, user_data) \
	fuse_main_fn(argc, argv, op, user_data)
#endif

/* Prints the high-level options (and the modules' ones, unless args has
 * "-ho"). */
void fuse_lib_help(struct fuse_args *args);

/* Creates an instance; args holds the library's options.  The variant is
 * chosen by FUSE_USE_VERSION (3.0 had its own -h handling).  NULL on
 * error. */
struct fuse *fuse_new_30(struct fuse_args *args,
			 const struct fuse_operations *op,
			 size_t op_size, void *private_data);
struct fuse *fuse_new_31(struct fuse_args *args,
			 const struct fuse_operations *op,
			 size_t op_size, void *private_data);
#if FUSED_SOVERSION >= 4
/* Not to be called directly: fuse_new() does, with the version. */
struct fuse *_fuse_new_30(struct fuse_args *args,
			  const struct fuse_operations *op, size_t op_size,
			  struct libfuse_version *version, void *user_data);
struct fuse *_fuse_new_31(struct fuse_args *args,
			  const struct fuse_operations *op, size_t op_size,
			  struct libfuse_version *version, void *user_data);
static inline struct fuse *fuse_new_fn(struct fuse_args *args,
				       const struct fuse_operations *op,
				       size_t op_size, void *user_data)
{
	struct libfuse_version version = {
		FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION, FUSE_HOTFIX_VERSION, 0
	};

#if FUSE_USE_VERSION == 30
	return _fuse_new_30(args, op, op_size, &version, user_data);
#else
	return _fuse_new_31(args, op, op_size, &version, user_data);
#endif
}
#define fuse_new(args, op, size, data) fuse_new_fn(args, op, size, data)
#elif FUSE_USE_VERSION == 30
#define fuse_new(args, op, size, data) fuse_new_30(args, op, size, data)
#else
struct fuse *fuse_new(struct fuse_args *args, const struct fuse_operations *op,
		      size_t op_size, void *private_data);
#endif

/* 0 or -1. */
int fuse_mount(struct fuse *f, const char *mountpoint);
void fuse_unmount(struct fuse *f);
void fuse_destroy(struct fuse *f);

/* Serves requests in this thread until fuse_exit() or unmount.  0, or
 * -errno, or the number of the signal that ended it. */
int fuse_loop(struct fuse *f);

/* Makes the loops return after the request in progress. */
void fuse_exit(struct fuse *f);

/* Serves requests with a pool of threads; variants as for
 * fuse_session_loop_mt(). */
int fuse_loop_mt_31(struct fuse *f, int clone_fd);
int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config);
#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config *config);
#else
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config);
#endif
#if FUSE_USE_VERSION < 32
#define fuse_loop_mt(f, clone_fd) fuse_loop_mt_31(f, clone_fd)
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
#define fuse_loop_mt(f, config) fuse_loop_mt_32(f, config)
#else
int fuse_loop_mt(struct fuse *f, struct fuse_loop_config *config);
#endif

/* The calling thread's request context; valid in callbacks. */
struct fuse_context *fuse_get_context(void);
/* As fuse_req_getgroups() for the current request. */
int fuse_getgroups(int size, gid_t list[]);
/* Whether the current request has been interrupted. */
int fuse_interrupted(void);
/* Drops the kernel's cached name and data for path.  0 or -errno. */
int fuse_invalidate_path(struct fuse *f, const char *path);

/* The "remember" cache cleaner, for programs with their own loop. */
int fuse_start_cleanup_thread(struct fuse *fuse);
void fuse_stop_cleanup_thread(struct fuse *fuse);
/* Forgets expired cached inodes; returns seconds until the next run. */
int fuse_clean_cache(struct fuse *fuse);

/* Stacking: a struct fuse_fs wraps a struct fuse_operations; modules
 * (subdir, iconv) are file systems calling the one below them through
 * these functions, which return -ENOSYS for a missing operation. */
struct fuse_fs;

int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf,
		    struct fuse_file_info *fi);
int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath,
		   const char *newpath, unsigned int flags);
int fuse_fs_unlink(struct fuse_fs *fs, const char *path);
int fuse_fs_rmdir(struct fuse_fs *fs, const char *path);
int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname,
		    const char *path);
int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath);
int fuse_fs_release(struct fuse_fs *fs, const char *path,
		    struct fuse_file_info *fi);
int fuse_fs_open(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi);
int fuse_fs_read(struct fuse_fs *fs, const char *path, char *buf, size_t size,
		 off_t off, struct fuse_file_info *fi);
int fuse_fs_read_buf(struct fuse_fs *fs, const char *path,
		     struct fuse_bufvec **bufp, size_t size, off_t off,
		     struct fuse_file_info *fi);
int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *buf,
		  size_t size, off_t off, struct fuse_file_info *fi);
int fuse_fs_write_buf(struct fuse_fs *fs, const char *path,
		      struct fuse_bufvec *buf, off_t off,
		      struct fuse_file_info *fi);
int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync,
		  struct fuse_file_info *fi);
int fuse_fs_flush(struct fuse_fs *fs, const char *path,
		  struct fuse_file_info *fi);
int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf);
int fuse_fs_opendir(struct fuse_fs *fs, const char *path,
		    struct fuse_file_info *fi);
int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf,
		    fuse_fill_dir_t filler, off_t off,
		    struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
		     struct fuse_file_info *fi);
int fuse_fs_releasedir(struct fuse_fs *fs, const char *path,
		       struct fuse_file_info *fi);
int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode,
		   struct fuse_file_info *fi);
int fuse_fs_lock(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi, int cmd, struct flock *lock);
int fuse_fs_flock(struct fuse_fs *fs, const char *path,
		  struct fuse_file_info *fi, int op);
int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode,
		  struct fuse_file_info *fi);
int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid,
		  struct fuse_file_info *fi);
int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size,
		     struct fuse_file_info *fi);
int fuse_fs_utimens(struct fuse_fs *fs, const char *path,
		    const struct timespec tv[2], struct fuse_file_info *fi);
int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask);
int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf,
		     size_t len);
int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode,
		  dev_t rdev);
int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode);
int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name,
		     const char *value, size_t size, int flags);
int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name,
		     char *value, size_t size);
int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list,
		      size_t size);
int fuse_fs_removexattr(struct fuse_fs *fs, const char *path,
			const char *name);
int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize,
		 uint64_t *idx);
#if FUSE_USE_VERSION < 35
int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, int cmd,
		  void *arg, struct fuse_file_info *fi, unsigned int flags,
		  void *data);
#else
int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, unsigned int cmd,
		  void *arg, struct fuse_file_info *fi, unsigned int flags,
		  void *data);
#endif
int fuse_fs_poll(struct fuse_fs *fs, const char *path,
		 struct fuse_file_info *fi, struct fuse_pollhandle *ph,
		 unsigned *reventsp);
int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode,
		      off_t offset, off_t length, struct fuse_file_info *fi);
ssize_t fuse_fs_copy_file_range(struct fuse_fs *fs, const char *path_in,
				struct fuse_file_info *fi_in, off_t off_in,
				const char *path_out,
				struct fuse_file_info *fi_out, off_t off_out,
				size_t len, int flags);
off_t fuse_fs_lseek(struct fuse_fs *fs, const char *path, off_t off,
		    int whence, struct fuse_file_info *fi);
#if FUSED_SOVERSION >= 4
int fuse_fs_statx(struct fuse_fs *fs, const char *path, int flags, int mask,
		  struct statx *stxbuf, struct fuse_file_info *fi);
#endif
void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn,
		  struct fuse_config *cfg);
void fuse_fs_destroy(struct fuse_fs *fs);

/* Wakes a poll waiter (high-level name of fuse_lowlevel_notify_poll). */
int fuse_notify_poll(struct fuse_pollhandle *ph);

/* Wraps op in a new stackable file system.  NULL on error. */
struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size,
			    void *private_data);

/* A module's factory: takes its options from args and returns a file
 * system stacked on fs[0] (fs[1] is NULL), or NULL on error. */
typedef struct fuse_fs *(*fuse_module_factory_t)(struct fuse_args *args,
						 struct fuse_fs *fs[]);

/* Defines the symbol through which "-o modules=name_" finds a module. */
#define FUSE_REGISTER_MODULE(name_, factory_) \
	fuse_module_factory_t fuse_module_ ## name_ ## _factory = factory_

/* The low-level session under a high-level instance. */
struct fuse_session *fuse_get_session(struct fuse *f);

/* Mounts with options, returning the /dev/fuse fd, or -1. */
int fuse_open_channel(const char *mountpoint, const char *options);

#ifdef __cplusplus
}
#endif

#endif /* FUSE_H_ */
