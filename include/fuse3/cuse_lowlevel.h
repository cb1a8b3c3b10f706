/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cuse_lowlevel.h: character devices served from user space (CUSE).
 *
 * A CUSE server opens /dev/cuse instead of mounting a filesystem; the
 * kernel creates the character device the server names in its answer to
 * CUSE_INIT (DEVNAME=... in cuse_info's dev_info_argv) and passes the
 * file operations on that device to the cuse_lowlevel_ops below.  Requests
 * are answered with the fuse_reply_*() calls of fuse_lowlevel.h.  Layouts
 * follow the libfuse 3.14 ABI. */
#ifndef CUSE_LOWLEVEL_H_
#define CUSE_LOWLEVEL_H_

#include "fuse_lowlevel.h"

#include <fcntl.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cuse_info.flags: let ioctls carry any argument, not only the ones whose
 * command number encodes the size (the ioctl op then asks for the data it
 * needs with fuse_reply_ioctl_retry).  Same value as in <linux/fuse.h>. */
#define CUSE_UNRESTRICTED_IOCTL (1 << 0)

struct fuse_session;

/* The device to create. */
struct cuse_info {
	/* Device number; 0 for dev_major lets the kernel pick one. */
	unsigned dev_major;
	unsigned dev_minor;
	/* "KEY=value" strings for the kernel; DEVNAME=name is required and
	 * becomes /dev/name. */
	unsigned dev_info_argc;
	const char **dev_info_argv;
	/* CUSE_UNRESTRICTED_IOCTL or 0 */
	unsigned flags;
};

/* The device's operations.  Each takes the request to answer and the
 * open file (fi->fh is what open stored there); unset members get the
 * default answer of the matching fuse_lowlevel_ops member. */
struct cuse_lowlevel_ops {
	/* Before the answer to CUSE_INIT; may adjust conn->max_write. */
	void (*init)(void *userdata, struct fuse_conn_info *conn);
	/* After the answer went to the kernel: the device now exists. */
	void (*init_done)(void *userdata);
	/* When the session is destroyed. */
	void (*destroy)(void *userdata);
	/* reply: open or err */
	void (*open)(fuse_req_t req, struct fuse_file_info *fi);
	/* reply: buf, iov, data or err */
	void (*read)(fuse_req_t req, size_t size, off_t off,
		     struct fuse_file_info *fi);
	/* reply: write or err */
	void (*write)(fuse_req_t req, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi);
	/* reply: err */
	void (*flush)(fuse_req_t req, struct fuse_file_info *fi);
	/* reply: err */
	void (*release)(fuse_req_t req, struct fuse_file_info *fi);
	/* reply: err */
	void (*fsync)(fuse_req_t req, int datasync, struct fuse_file_info *fi);
	/* reply: ioctl, ioctl_retry, ioctl_iov or err */
	void (*ioctl)(fuse_req_t req, int cmd, void *arg,
		      struct fuse_file_info *fi, unsigned int flags,
		      const void *in_buf, size_t in_bufsz, size_t out_bufsz);
	/* reply: poll or err; keep ph for fuse_lowlevel_notify_poll */
	void (*poll)(fuse_req_t req, struct fuse_file_info *fi,
		     struct fuse_pollhandle *ph);
};

/* A CUSE session for ci with these operations, not yet connected: give it
 * a /dev/cuse fd (or a custom transport with fuse_session_custom_io).
 * args are the session options, as for fuse_session_new (argv[0] first).
 * NULL on error, after a message. */
struct fuse_session *cuse_lowlevel_new(struct fuse_args *args,
				       const struct cuse_info *ci,
				       const struct cuse_lowlevel_ops *clop,
				       void *userdata);

/* The whole start of a CUSE server: parse argv (-f, -d, -s, -h, -V and
 * session options), open /dev/cuse, install the signal handlers and go
 * into the background unless -f or -d.  *multithreaded is set unless -s.
 * NULL on error (or after -h/-V), after a message. */
struct fuse_session *cuse_lowlevel_setup(int argc, char *argv[],
					 const struct cuse_info *ci,
					 const struct cuse_lowlevel_ops *clop,
					 int *multithreaded, void *userdata);

/* Undo cuse_lowlevel_setup: signal handlers, then the session. */
void cuse_lowlevel_teardown(struct fuse_session *se);

/* setup, the loop (multithreaded unless -s), teardown.  0 on success. */
int cuse_lowlevel_main(int argc, char *argv[], const struct cuse_info *ci,
		       const struct cuse_lowlevel_ops *clop, void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* CUSE_LOWLEVEL_H_ */
