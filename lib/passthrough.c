// SPDX-License-Identifier: LGPL-2.1-or-later
/* fuse_passthrough_open/close: backing files (libfuse3.so.4 only)
 *
 * The kernel registers a backing file on the connection with an ioctl on
 * /dev/fuse and returns its id; an open reply naming the id
 * (FOPEN_PASSTHROUGH, fuse_open_out.backing_id) makes the kernel do that
 * file's I/O itself.  It demands CAP_SYS_ADMIN in the initial user
 * namespace: a backing file is open in no process the admin could find. */
#include <errno.h>
#include <sys/ioctl.h>

#include "fuse_i.h"

/* As libfuse's: the id, or 0 with errno set (programs test for 0). */
int fuse_passthrough_open(fuse_req_t req, int fd)
{
	struct fuse_ll_backing_map map = { .fd = fd };
	int id;

	if (fd < 0) {
		errno = EBADF;
		return 0;
	}
	id = ioctl(req->se->fd, FUSE_LL_DEV_IOC_BACKING_OPEN, &map);
	if (id <= 0) {
		if (id == 0)	/* not an id the kernel hands out */
			errno = EPROTO;
		fuse_log(FUSE_LOG_ERR, "fuse: passthrough of fd %d: %m\n", fd);
		return 0;
	}
	return id;
}

int fuse_passthrough_close(fuse_req_t req, int backing_id)
{
	uint32_t id = (uint32_t)backing_id;

	if (backing_id <= 0)
		return -EINVAL;
	if (ioctl(req->se->fd, FUSE_LL_DEV_IOC_BACKING_CLOSE, &id) < 0)
		return -errno;
	return 0;
}
