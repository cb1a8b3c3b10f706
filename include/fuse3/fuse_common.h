/* fuse_common.h: what the low-level and high-level APIs share.
 *
 * Version macros, the per-open file state (struct fuse_file_info), the
 * INIT negotiation (struct fuse_conn_info and the FUSE_CAP_* bits), data
 * buffers (struct fuse_buf, struct fuse_bufvec), the multi-threaded loop's
 * configuration, and a few helpers.  Layouts and values follow the
 * libfuse 3.14 ABI: programs built against libfuse run on this library. */
#ifndef FUSE_COMMON_H_
#define FUSE_COMMON_H_

#include "fuse_opt.h"
#include "fuse_log.h"
#include <stdint.h>
#include <sys/types.h>

/* The API version this header implements. */
#define FUSE_MAJOR_VERSION 3
#define FUSE_MINOR_VERSION 14

#define FUSE_MAKE_VERSION(maj, min) ((maj) * 100 + (min))
#define FUSE_VERSION FUSE_MAKE_VERSION(FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION)

#if !defined(FUSE_USE_VERSION) || FUSE_USE_VERSION < 30
#error "define FUSE_USE_VERSION to 30 or more before including a fuse3 header"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* State of one open file or directory, passed to every call on it. */
struct fuse_file_info {
	/* open(2) flags; set by the library for open and create. */
	int flags;

	/* The write comes from the page cache (writeback), not from a
	 * process: the request context and fh may not match the writer's. */
	unsigned int writepage : 1;
	/* Set by open: bypass the page cache for this file. */
	unsigned int direct_io : 1;
	/* Set by open: keep what is cached from earlier opens. */
	unsigned int keep_cache : 1;
	/* The release/lock is caused by a flush (close) of the file. */
	unsigned int flush : 1;
	/* Set by open: the file cannot be seeked (pipe-like). */
	unsigned int nonseekable : 1;
	/* The release must also drop flock(2) locks of lock_owner. */
	unsigned int flock_release : 1;
	/* Set by opendir: the kernel may cache readdir results. */
	unsigned int cache_readdir : 1;
	/* Set by open: no FLUSH request on close. */
	unsigned int noflush : 1;
	/* Room for new flags without changing the layout. */
	unsigned int padding : 24;
	unsigned int padding2 : 32;

	/* The file system's handle, set by open/create/opendir. */
	uint64_t fh;
	/* Lock owner: for locking operations and flush. */
	uint64_t lock_owner;
	/* Events asked for in a poll request (0 on old kernels). */
	uint32_t poll_events;
};

/* Configuration of the multi-threaded loop.  From 3.12 it is opaque and
 * built with fuse_loop_cfg_*(); before that it was the two-field struct
 * kept here as struct fuse_loop_config_v1. */
#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
struct fuse_loop_config_v1;
struct fuse_loop_config {
#else
struct fuse_loop_config_v1 {
#endif
	/* Non-zero: each worker thread reads from its own cloned /dev/fuse
	 * fd (FUSE_DEV_IOC_CLONE). */
	int clone_fd;
	/* Idle workers above this number exit. */
	unsigned int max_idle_threads;
};

/* Capability bits: in fuse_conn_info.capable what the kernel offers, in
 * fuse_conn_info.want what the file system asks for.  Values are the
 * library's, not the kernel's FUSE_* INIT flags. */
/* reads may be sent concurrently and out of order */
#define FUSE_CAP_ASYNC_READ		(1 << 0)
/* the file system does POSIX (fcntl) locks itself */
#define FUSE_CAP_POSIX_LOCKS		(1 << 1)
/* open with O_TRUNC is handled by open, no separate setattr */
#define FUSE_CAP_ATOMIC_O_TRUNC		(1 << 3)
/* lookup of "." and ".." is supported (NFS export) */
#define FUSE_CAP_EXPORT_SUPPORT		(1 << 4)
/* the kernel leaves the umask for the file system to apply */
#define FUSE_CAP_DONT_MASK		(1 << 6)
/* replies may be spliced into /dev/fuse */
#define FUSE_CAP_SPLICE_WRITE		(1 << 7)
/* pages may be moved (not copied) when splicing replies */
#define FUSE_CAP_SPLICE_MOVE		(1 << 8)
/* requests may be spliced out of /dev/fuse */
#define FUSE_CAP_SPLICE_READ		(1 << 9)
/* the file system does flock(2) locks itself */
#define FUSE_CAP_FLOCK_LOCKS		(1 << 10)
/* ioctl on directories */
#define FUSE_CAP_IOCTL_DIR		(1 << 11)
/* the kernel drops cached data when mtime or size change */
#define FUSE_CAP_AUTO_INVAL_DATA	(1 << 12)
/* READDIRPLUS is supported */
#define FUSE_CAP_READDIRPLUS		(1 << 13)
/* the kernel chooses between READDIR and READDIRPLUS */
#define FUSE_CAP_READDIRPLUS_AUTO	(1 << 14)
/* asynchronous direct I/O */
#define FUSE_CAP_ASYNC_DIO		(1 << 15)
/* writeback caching of writes in the kernel */
#define FUSE_CAP_WRITEBACK_CACHE	(1 << 16)
/* ENOSYS from open means "open always succeeds, no handle" */
#define FUSE_CAP_NO_OPEN_SUPPORT	(1 << 17)
/* lookups and readdirs of one directory may run in parallel */
#define FUSE_CAP_PARALLEL_DIROPS	(1 << 18)
/* the file system handles POSIX ACLs */
#define FUSE_CAP_POSIX_ACL		(1 << 19)
/* the file system clears suid/sgid/capabilities on write etc. */
#define FUSE_CAP_HANDLE_KILLPRIV	(1 << 20)
/* the kernel caches symlink targets */
#define FUSE_CAP_CACHE_SYMLINKS		(1 << 23)
/* ENOSYS from opendir means "opendir always succeeds, no handle" */
#define FUSE_CAP_NO_OPENDIR_SUPPORT	(1 << 24)
/* cached data is only dropped by explicit notifications */
#define FUSE_CAP_EXPLICIT_INVAL_DATA	(1 << 25)
/* entries can be expired without being invalidated (notify_expire_entry) */
#define FUSE_CAP_EXPIRE_ONLY		(1 << 26)

/* Flags passed to the ioctl handlers. */
/* a 32-bit process on a 64-bit kernel */
#define FUSE_IOCTL_COMPAT	(1 << 0)
/* unrestricted ioctl (CUSE only) */
#define FUSE_IOCTL_UNRESTRICTED	(1 << 1)
/* the reply asks the kernel to retry with the given buffers */
#define FUSE_IOCTL_RETRY	(1 << 2)
/* the ioctl is on a directory */
#define FUSE_IOCTL_DIR		(1 << 4)
/* most iovecs one ioctl retry may name */
#define FUSE_IOCTL_MAX_IOV	256

/* The connection, as negotiated in INIT.  The file system's init callback
 * may lower the limits and change 'want'. */
struct fuse_conn_info {
	/* protocol version of the kernel */
	unsigned proto_major;
	unsigned proto_minor;
	/* largest WRITE request, in bytes */
	unsigned max_write;
	/* largest READ request, in bytes (also the max_read mount option) */
	unsigned max_read;
	/* largest readahead */
	unsigned max_readahead;
	/* FUSE_CAP_* the kernel and library support */
	unsigned capable;
	/* FUSE_CAP_* to use */
	unsigned want;
	/* most background requests the kernel queues */
	unsigned max_background;
	/* background queue length at which the kernel reports congestion */
	unsigned congestion_threshold;
	/* timestamp granularity in ns (power of 10, 1..10^9); 0 = 1 s */
	unsigned time_gran;
	/* room for new fields; zero */
	unsigned reserved[22];
};

struct fuse_session;
struct fuse_pollhandle;
struct fuse_conn_info_opts;

/* Takes the connection options (max_write=, max_readahead=, async_read,
 * sync_read, writeback_cache, splice_*, time_gran=, max_background=,
 * congestion_threshold=, ...) out of args.  NULL on error. */
struct fuse_conn_info_opts *fuse_parse_conn_info_opts(struct fuse_args *args);

/* Applies parsed connection options to conn (in an init callback). */
void fuse_apply_conn_info_opts(struct fuse_conn_info_opts *opts,
			       struct fuse_conn_info *conn);

/* Unless foreground is non-zero: forks into the background, starts a new
 * session, changes to "/" and points stdio at /dev/null.  0 or -1. */
int fuse_daemonize(int foreground);

/* FUSE_VERSION of the library. */
int fuse_version(void);

/* The library's package version string. */
const char *fuse_pkgversion(void);

/* Frees a poll handle the file system no longer needs. */
void fuse_pollhandle_destroy(struct fuse_pollhandle *ph);

/* Buffers: a buffer is memory or a file descriptor; a bufvec is a list of
 * buffers with a cursor (idx, off) into it. */
enum fuse_buf_flags {
	/* the buffer is the fd, not mem */
	FUSE_BUF_IS_FD		= (1 << 1),
	/* read/write the fd at pos (pread/pwrite), not at its offset */
	FUSE_BUF_FD_SEEK	= (1 << 2),
	/* retry short reads/writes on the fd until size or EOF */
	FUSE_BUF_FD_RETRY	= (1 << 3)
};

enum fuse_buf_copy_flags {
	/* never splice(2), copy through memory */
	FUSE_BUF_NO_SPLICE	= (1 << 1),
	/* splice or fail, no fallback */
	FUSE_BUF_FORCE_SPLICE	= (1 << 2),
	/* SPLICE_F_MOVE */
	FUSE_BUF_SPLICE_MOVE	= (1 << 3),
	/* SPLICE_F_NONBLOCK */
	FUSE_BUF_SPLICE_NONBLOCK = (1 << 4)
};

struct fuse_buf {
	/* bytes of data */
	size_t size;
	enum fuse_buf_flags flags;
	/* the data, unless FUSE_BUF_IS_FD */
	void *mem;
	/* the fd, if FUSE_BUF_IS_FD */
	int fd;
	/* file position, if FUSE_BUF_FD_SEEK */
	off_t pos;
};

struct fuse_bufvec {
	/* number of buffers in buf[] */
	size_t count;
	/* current buffer */
	size_t idx;
	/* offset into the current buffer */
	size_t off;
	/* the buffers; allocate more than one behind the struct */
	struct fuse_buf buf[1];
};

/* A bufvec of one empty memory buffer of size__ bytes.  Positional, so
 * that -Wmissing-field-initializers stays quiet in programs. */
#define FUSE_BUFVEC_INIT(size__)					\
	((struct fuse_bufvec) {						\
		1, 0, 0,						\
		{ { (size__), (enum fuse_buf_flags) 0, NULL, -1, 0 } }	\
	})

/* Bytes left in bufv from its start (the cursor is ignored). */
size_t fuse_buf_size(const struct fuse_bufvec *bufv);

/* Copies from src to dst until either runs out, advancing both cursors.
 * Returns the bytes copied or -errno (bytes copied so far win if
 * some were copied before an error). */
ssize_t fuse_buf_copy(struct fuse_bufvec *dst, struct fuse_bufvec *src,
		      enum fuse_buf_copy_flags flags);

/* SIGHUP, SIGINT and SIGTERM end the session's loop; SIGPIPE is ignored.
 * 0 or -1. */
int fuse_set_signal_handlers(struct fuse_session *se);
void fuse_remove_signal_handlers(struct fuse_session *se);

/* The 3.12+ loop configuration object. */
struct fuse_loop_config *fuse_loop_cfg_create(void);
void fuse_loop_cfg_destroy(struct fuse_loop_config *config);
void fuse_loop_cfg_set_idle_threads(struct fuse_loop_config *config,
				    unsigned int value);
void fuse_loop_cfg_set_max_threads(struct fuse_loop_config *config,
				   unsigned int value);
void fuse_loop_cfg_set_clone_fd(struct fuse_loop_config *config,
				unsigned int value);
/* Fills config from an old-style (pre-3.12) configuration. */
void fuse_loop_cfg_convert(struct fuse_loop_config *config,
			   struct fuse_loop_config_v1 *v1_conf);

#ifdef __cplusplus
}
#endif

/* off_t crosses the ABI (fuse_buf.pos, callbacks): it must be 64 bits, so
 * 32-bit programs need -D_FILE_OFFSET_BITS=64. */
#ifndef __cplusplus
_Static_assert(sizeof(off_t) == 8, "fuse: off_t must be 64 bits (-D_FILE_OFFSET_BITS=64)");
#endif

#endif /* FUSE_COMMON_H_ */
