/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse_common.h: what the low-level and high-level APIs share.
 *
 * Version macros, the per-open file state (struct fuse_file_info), the
 * INIT negotiation (struct fuse_conn_info and the FUSE_CAP_* bits), data
 * buffers (struct fuse_buf, struct fuse_bufvec), the multi-threaded loop's
 * configuration, and a few helpers.
 *
 * Two ABIs, one set of headers (fuse_abi.h): by default the libfuse 3.18
 * ABI of libfuse3.so.4, the library pkg-config fuse3 links; with
 * FUSED_SOVERSION 3, libfuse 3.14's of libfuse3.so.3, kept for the
 * binaries built against it.  Programs built against libfuse run on the
 * library of the same soname. */
#ifndef FUSE_COMMON_H_
#define FUSE_COMMON_H_

#include "fuse_abi.h"
#include "fuse_opt.h"
#include "fuse_log.h"
#include <stdint.h>
#include <sys/types.h>
#if FUSED_SOVERSION >= 4
/* libfuse 3.18's header includes both; programs rely on it */
#include <assert.h>
#include <stdbool.h>
#endif

#define FUSE_VERSION FUSE_MAKE_VERSION(FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION)

#ifdef __cplusplus
extern "C" {
#endif

/* State of one open file or directory, passed to every call on it. */
struct fuse_file_info {
	/* open(2) flags; set by the library for open and create. */
	int32_t flags;

	/* The write comes from the page cache (writeback), not from a
	 * process: the request context and fh may not match the writer's. */
	uint32_t writepage : 1;
	/* Set by open: bypass the page cache for this file. */
	uint32_t direct_io : 1;
	/* Set by open: keep what is cached from earlier opens. */
	uint32_t keep_cache : 1;
	/* The release/lock is caused by a flush (close) of the file. */
	uint32_t flush : 1;
	/* Set by open: the file cannot be seeked (pipe-like). */
	uint32_t nonseekable : 1;
	/* The release must also drop flock(2) locks of lock_owner. */
	uint32_t flock_release : 1;
	/* Set by opendir: the kernel may cache readdir results. */
	uint32_t cache_readdir : 1;
	/* Set by open: no FLUSH request on close. */
	uint32_t noflush : 1;
#if FUSED_SOVERSION >= 4
	/* Set by open/create: direct writes to this file may run in
	 * parallel (the file system orders them itself). */
	uint32_t parallel_direct_writes : 1;
	/* Room for new flags without changing the layout. */
	uint32_t padding : 23;
	uint32_t padding2 : 32;
	uint32_t padding3 : 32;
#else
	/* Room for new flags without changing the layout. */
	uint32_t padding : 24;
	uint32_t padding2 : 32;
#endif

	/* The file system's handle, set by open/create/opendir. */
	uint64_t fh;
	/* Lock owner: for locking operations and flush. */
	uint64_t lock_owner;
	/* Events asked for in a poll request (0 on old kernels). */
	uint32_t poll_events;
#if FUSED_SOVERSION >= 4
	/* Set by open/create to a fuse_passthrough_open() id: the kernel
	 * then reads and writes that backing file itself. */
	int32_t backing_id;
	/* The library's, about this struct's API and ABI; zero. */
	uint64_t compat_flags;
	uint64_t reserved[2];
#endif
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
#if FUSED_SOVERSION >= 4
#define FUSE_CAP_BIT_(n)		(1UL << (n))
#else
#define FUSE_CAP_BIT_(n)		(1 << (n))
#endif
/* reads may be sent concurrently and out of order */
#define FUSE_CAP_ASYNC_READ		FUSE_CAP_BIT_(0)
/* the file system does POSIX (fcntl) locks itself */
#define FUSE_CAP_POSIX_LOCKS		FUSE_CAP_BIT_(1)
/* open with O_TRUNC is handled by open, no separate setattr */
#define FUSE_CAP_ATOMIC_O_TRUNC		FUSE_CAP_BIT_(3)
/* lookup of "." and ".." is supported (NFS export) */
#define FUSE_CAP_EXPORT_SUPPORT		FUSE_CAP_BIT_(4)
/* the kernel leaves the umask for the file system to apply */
#define FUSE_CAP_DONT_MASK		FUSE_CAP_BIT_(6)
/* replies may be spliced into /dev/fuse */
#define FUSE_CAP_SPLICE_WRITE		FUSE_CAP_BIT_(7)
/* pages may be moved (not copied) when splicing replies */
#define FUSE_CAP_SPLICE_MOVE		FUSE_CAP_BIT_(8)
/* requests may be spliced out of /dev/fuse */
#define FUSE_CAP_SPLICE_READ		FUSE_CAP_BIT_(9)
/* the file system does flock(2) locks itself */
#define FUSE_CAP_FLOCK_LOCKS		FUSE_CAP_BIT_(10)
/* ioctl on directories */
#define FUSE_CAP_IOCTL_DIR		FUSE_CAP_BIT_(11)
/* the kernel drops cached data when mtime or size change */
#define FUSE_CAP_AUTO_INVAL_DATA	FUSE_CAP_BIT_(12)
/* READDIRPLUS is supported */
#define FUSE_CAP_READDIRPLUS		FUSE_CAP_BIT_(13)
/* the kernel chooses between READDIR and READDIRPLUS */
#define FUSE_CAP_READDIRPLUS_AUTO	FUSE_CAP_BIT_(14)
/* asynchronous direct I/O */
#define FUSE_CAP_ASYNC_DIO		FUSE_CAP_BIT_(15)
/* writeback caching of writes in the kernel */
#define FUSE_CAP_WRITEBACK_CACHE	FUSE_CAP_BIT_(16)
/* ENOSYS from open means "open always succeeds, no handle" */
#define FUSE_CAP_NO_OPEN_SUPPORT	FUSE_CAP_BIT_(17)
/* lookups and readdirs of one directory may run in parallel */
#define FUSE_CAP_PARALLEL_DIROPS	FUSE_CAP_BIT_(18)
/* the file system handles POSIX ACLs */
#define FUSE_CAP_POSIX_ACL		FUSE_CAP_BIT_(19)
/* the file system clears suid/sgid/capabilities on write etc. */
#define FUSE_CAP_HANDLE_KILLPRIV	FUSE_CAP_BIT_(20)
/* the kernel caches symlink targets */
#define FUSE_CAP_CACHE_SYMLINKS		FUSE_CAP_BIT_(23)
/* ENOSYS from opendir means "opendir always succeeds, no handle" */
#define FUSE_CAP_NO_OPENDIR_SUPPORT	FUSE_CAP_BIT_(24)
/* cached data is only dropped by explicit notifications */
#define FUSE_CAP_EXPLICIT_INVAL_DATA	FUSE_CAP_BIT_(25)
/* entries can be expired without being invalidated (notify_expire_entry) */
#define FUSE_CAP_EXPIRE_ONLY		FUSE_CAP_BIT_(26)
#if FUSED_SOVERSION >= 4
/* suid/sgid are cleared by the file system on write/truncate/chown as
 * v2 of KILLPRIV has it (FUSE_HANDLE_KILLPRIV_V2) */
#define FUSE_CAP_HANDLE_KILLPRIV_V2	FUSE_CAP_BIT_(21)
/* setxattr carries the setxattr flags (extended fuse_setxattr_in) */
#define FUSE_CAP_SETXATTR_EXT		FUSE_CAP_BIT_(27)
/* shared mmap of files opened with direct_io */
#define FUSE_CAP_DIRECT_IO_ALLOW_MMAP	FUSE_CAP_BIT_(28)
/* open/create may hand the kernel a backing file (fuse_passthrough_open) */
#define FUSE_CAP_PASSTHROUGH		FUSE_CAP_BIT_(29)
/* the file system cannot be exported, not even by file handle */
#define FUSE_CAP_NO_EXPORT_SUPPORT	FUSE_CAP_BIT_(30)
/* requests may travel over io_uring instead of read/write on /dev/fuse */
#define FUSE_CAP_OVER_IO_URING		FUSE_CAP_BIT_(31)
#endif

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
 * may lower the limits and change 'want' (or, from 3.17, 'want_ext'). */
struct fuse_conn_info {
	/* protocol version of the kernel */
	uint32_t proto_major;
	uint32_t proto_minor;
	/* largest WRITE request, in bytes */
	uint32_t max_write;
	/* largest READ request, in bytes (also the max_read mount option) */
	uint32_t max_read;
	/* largest readahead */
	uint32_t max_readahead;
	/* FUSE_CAP_* the kernel and library support (the low 32 bits of
	 * capable_ext from 3.17) */
	uint32_t capable;
	/* FUSE_CAP_* to use (the low 32 bits; from 3.17 prefer want_ext
	 * and fuse_set_feature_flag()) */
	uint32_t want;
	/* most background requests the kernel queues */
	uint32_t max_background;
	/* background queue length at which the kernel reports congestion */
	uint32_t congestion_threshold;
	/* timestamp granularity in ns (power of 10, 1..10^9); 0 = 1 s */
	uint32_t time_gran;
#if FUSED_SOVERSION >= 4
	/* With FUSE_CAP_PASSTHROUGH: how many file systems may be stacked
	 * on the backing files (FUSE_BACKING_STACKED_UNDER: backing files
	 * are on no FUSE mount; ..._OVER: on at most one). */
#define FUSE_BACKING_STACKED_UNDER	(0)
#define FUSE_BACKING_STACKED_OVER	(1)
	uint32_t max_backing_stack_depth;
	/* Set by init: the kernel should send no INTERRUPT requests. */
	uint32_t no_interrupt : 1;
	uint32_t padding : 31;
	/* All 64 FUSE_CAP_* bits the kernel and library support. */
	uint64_t capable_ext;
	/* All 64 FUSE_CAP_* bits to use. */
	uint64_t want_ext;
	/* Seconds after which the kernel aborts a request that got no
	 * reply (0: never). */
	uint16_t request_timeout;
	/* room for new fields; zero */
	uint16_t reserved[31];
#else
	/* room for new fields; zero */
	uint32_t reserved[22];
#endif
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
#if FUSED_SOVERSION >= 4
	/* bytes allocated at mem, when the library allocated it (0: the
	 * program's memory, size is all there is) */
	size_t mem_size;
#endif
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
#if FUSED_SOVERSION >= 4
#define FUSE_BUFVEC_INIT(size__)					\
	((struct fuse_bufvec) {						\
		1, 0, 0,						\
		{ { (size__), (enum fuse_buf_flags) 0, NULL, -1, 0, 0 } } \
	})
#else
#define FUSE_BUFVEC_INIT(size__)					\
	((struct fuse_bufvec) {						\
		1, 0, 0,						\
		{ { (size__), (enum fuse_buf_flags) 0, NULL, -1, 0 } }	\
	})
#endif

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

#if FUSED_SOVERSION >= 4
/* The library's version, as a program was built against it: the 3.17+
 * entry points (fuse_session_new() and friends are inline functions
 * calling them) take it to know what the caller's structs look like. */
struct libfuse_version {
	uint32_t major;
	uint32_t minor;
	uint32_t hotfix;
	uint32_t padding;
};

/* SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT log the signal and end the
 * process: a crashed file system says why before the kernel sees ENOTCONN.
 * 0 or -1. */
int fuse_set_fail_signal_handlers(struct fuse_session *se);

/* The 64-bit capability flags.  set: adds flag to want_ext if the kernel
 * offers it (capable_ext), returning whether it did; unset: removes it;
 * get: whether it is in want_ext. */
bool fuse_set_feature_flag(struct fuse_conn_info *conn, uint64_t flag);
void fuse_unset_feature_flag(struct fuse_conn_info *conn, uint64_t flag);
bool fuse_get_feature_flag(struct fuse_conn_info *conn, uint64_t flag);

/* The library's own: folds changes an init callback made to the 32-bit
 * 'want' into want_ext.  0, or -EINVAL when want and want_ext were
 * changed in contradicting ways. */
int fuse_convert_to_conn_want_ext(struct fuse_conn_info *conn);
#endif

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
