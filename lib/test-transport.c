// SPDX-License-Identifier: LGPL-2.1-or-later
/* The in-memory transport of the session tests (test-transport.h). */
#include "test-transport.h"

#include <errno.h>
#include <string.h>

struct test_transport tio;

static ssize_t io_read(int fd, void *buf, size_t len, void *ud)
{
	size_t n = tio.reqlen;

	if (!tio.pending)
		return 0;
	tio.pending = 0;
	if (n > len)
		n = len;
	memcpy(buf, tio.req, n);
	return (ssize_t)n;
}

/* Past TIO_MAX_MSGS answers, or what tio.out holds, the write fails
 * with EIO. */
static ssize_t io_writev(int fd, struct iovec *iov, int count, void *ud)
{
	size_t start = (tio.outlen + 7) & ~(size_t)7;

	if (tio.nmsgs == TIO_MAX_MSGS || start > sizeof(tio.out)) {
		errno = EIO;
		return -1;
	}
	tio.outlen = start;
	for (int i = 0; i < count; i++) {
		if (tio.outlen + iov[i].iov_len > sizeof(tio.out)) {
			/* Nothing of a failed write stays, as with /dev/fuse. */
			tio.outlen = start;
			errno = EIO;
			return -1;
		}
		memcpy(tio.out + tio.outlen, iov[i].iov_base, iov[i].iov_len);
		tio.outlen += iov[i].iov_len;
	}
	tio.msg_off[tio.nmsgs++] = start;
	return (ssize_t)(tio.outlen - start);
}

const struct fuse_custom_io test_io = {
	.read = io_read,
	.writev = io_writev,
};

void tio_feed(const void *req, size_t len)
{
	tio.req = req;
	tio.reqlen = len;
	tio.pending = 1;
	tio.outlen = 0;
	tio.nmsgs = 0;
}
