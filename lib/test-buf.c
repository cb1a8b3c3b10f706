// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit test: fuse_buf_size() and fuse_buf_copy()
 *
 * Memory, regular files (in a temporary directory) and pipes, with and
 * without splice.  Public API only: it also builds against the reference
 * libfuse3 to check the expectations.
 */
#define FUSE_USE_VERSION 314
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "test-util.h"

#define CHECK_EQ(a, b) do {							\
		long long a_ = (long long)(a), b_ = (long long)(b);		\
		if (a_ != b_) {							\
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",	\
				__FILE__, __LINE__, #a, a_, b_);		\
			failures++;						\
		}								\
	} while (0)

static char tmpdir[] = "/tmp/test-buf-XXXXXX";

static int tmpfile_with(const char *content, size_t len)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/f%d", tmpdir, rand());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		perror("open");
		exit(1);
	}
	unlink(path);
	if (len && write(fd, content, len) != (ssize_t)len) {
		perror("write");
		exit(1);
	}
	return fd;
}

static struct fuse_bufvec *bufvec_new(size_t count)
{
	struct fuse_bufvec *v = calloc(1, sizeof(*v) + (count - 1) * sizeof(struct fuse_buf));

	v->count = count;
	return v;
}

static void test_size(void)
{
	struct fuse_bufvec *v = bufvec_new(3);

	v->buf[0].size = 10;
	v->buf[1].size = 0;
	v->buf[2].size = 5;
	v->idx = 1;
	v->off = 3;
	/* the whole vector, whatever the cursor */
	CHECK_EQ(fuse_buf_size(v), 15);
	/* a SIZE_MAX buffer (unknown length) makes the whole SIZE_MAX */
	v->buf[2].size = SIZE_MAX;
	CHECK(fuse_buf_size(v) == SIZE_MAX);
	free(v);

	struct fuse_bufvec one = FUSE_BUFVEC_INIT(42);
	CHECK_EQ(fuse_buf_size(&one), 42);
	CHECK_EQ(one.buf[0].fd, -1);
	CHECK(one.buf[0].mem == NULL);
}

static void test_mem_to_mem(void)
{
	char a[] = "hello, ", b[] = "world";
	char out1[4] = { 0 }, out2[16] = { 0 };
	struct fuse_bufvec *src = bufvec_new(2), *dst = bufvec_new(2);

	src->buf[0] = (struct fuse_buf){ .size = 7, .mem = a };
	src->buf[1] = (struct fuse_buf){ .size = 5, .mem = b };
	dst->buf[0] = (struct fuse_buf){ .size = 4, .mem = out1 };
	dst->buf[1] = (struct fuse_buf){ .size = 16, .mem = out2 };

	/* start one byte into the source */
	src->off = 1;
	CHECK_EQ(fuse_buf_copy(dst, src, 0), 11);
	CHECK(memcmp(out1, "ello", 4) == 0);
	CHECK(memcmp(out2, ", world", 7) == 0);
	/* the source is used up: cursor at its end.  As in libfuse, the
	 * copy stops as soon as the source runs out, before moving the
	 * destination's cursor over the last piece. */
	CHECK_EQ(src->idx, 2);
	CHECK_EQ(dst->idx, 1);
	CHECK_EQ(dst->off, 2);

	/* nothing left to copy */
	CHECK_EQ(fuse_buf_copy(dst, src, 0), 0);

	/* copying a vector onto itself reports its size */
	CHECK_EQ(fuse_buf_copy(dst, dst, 0), 20);

	/* overlapping memory is moved safely */
	char s[] = "abcdefgh";
	struct fuse_bufvec sv = FUSE_BUFVEC_INIT(6), dv = FUSE_BUFVEC_INIT(6);
	sv.buf[0].mem = s;
	dv.buf[0].mem = s + 2;
	CHECK_EQ(fuse_buf_copy(&dv, &sv, 0), 6);
	CHECK(memcmp(s, "ababcdef", 8) == 0);
	free(src);
	free(dst);
}

static void test_mem_fd(void)
{
	const char data[] = "0123456789";
	char out[32] = { 0 };
	int fd = tmpfile_with("", 0);
	struct fuse_bufvec mem = FUSE_BUFVEC_INIT(10), file = FUSE_BUFVEC_INIT(10);

	/* memory to a file at pos 100 (pwrite), file offset untouched */
	mem.buf[0].mem = (void *)data;
	file.buf[0] = (struct fuse_buf){ .size = 10, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					 .fd = fd, .pos = 100 };
	CHECK_EQ(fuse_buf_copy(&file, &mem, 0), 10);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ(pread(fd, out, sizeof(out), 100), 10);
	CHECK(memcmp(out, data, 10) == 0);

	/* a file to memory from pos 103: 7 bytes, then end of file */
	struct fuse_bufvec in = FUSE_BUFVEC_INIT(20), to = FUSE_BUFVEC_INIT(20);
	in.buf[0] = (struct fuse_buf){ .size = 20, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
				       .fd = fd, .pos = 103 };
	memset(out, 0, sizeof(out));
	to.buf[0].mem = out;
	CHECK_EQ(fuse_buf_copy(&to, &in, 0), 7);
	CHECK(memcmp(out, "3456789", 7) == 0);

	/* without FD_SEEK the fd's own offset is used and advanced */
	CHECK_EQ(lseek(fd, 105, SEEK_SET), 105);
	struct fuse_bufvec cur = FUSE_BUFVEC_INIT(3), to2 = FUSE_BUFVEC_INIT(3);
	cur.buf[0] = (struct fuse_buf){ .size = 3, .flags = FUSE_BUF_IS_FD, .fd = fd };
	memset(out, 0, sizeof(out));
	to2.buf[0].mem = out;
	CHECK_EQ(fuse_buf_copy(&to2, &cur, 0), 3);
	CHECK(memcmp(out, "567", 3) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 108);

	/* a bad fd is an error when nothing was copied */
	struct fuse_bufvec bad = FUSE_BUFVEC_INIT(4);
	bad.buf[0] = (struct fuse_buf){ .size = 4, .flags = FUSE_BUF_IS_FD, .fd = 999 };
	mem = (struct fuse_bufvec)FUSE_BUFVEC_INIT(4);
	mem.buf[0].mem = (void *)data;
	CHECK_EQ(fuse_buf_copy(&bad, &mem, 0), -EBADF);
	close(fd);
}

/* A pipe holding "abc" and "defg" written separately: the reader sees
 * short reads unless FD_RETRY; with FD_RETRY the read goes on. */
static void test_retry(void)
{
	int p[2];
	char out[16] = { 0 };

	CHECK(pipe(p) == 0);
	CHECK_EQ(write(p[1], "abc", 3), 3);
	struct fuse_bufvec in = FUSE_BUFVEC_INIT(7), to = FUSE_BUFVEC_INIT(7);
	in.buf[0] = (struct fuse_buf){ .size = 7, .flags = FUSE_BUF_IS_FD, .fd = p[0] };
	to.buf[0].mem = out;
	CHECK_EQ(fuse_buf_copy(&to, &in, 0), 3);
	/* the short piece still moves the cursors */
	CHECK_EQ(in.off, 3);
	CHECK_EQ(to.off, 3);
	/* and the next call continues there */
	CHECK_EQ(write(p[1], "defg", 4), 4);
	CHECK_EQ(fuse_buf_copy(&to, &in, 0), 4);
	CHECK(memcmp(out, "abcdefg", 7) == 0);

	/* FD_RETRY: two writes, one copy; end of file ends it early */
	CHECK_EQ(write(p[1], "xy", 2), 2);
	CHECK_EQ(write(p[1], "z", 1), 1);
	close(p[1]);
	memset(out, 0, sizeof(out));
	in = (struct fuse_bufvec)FUSE_BUFVEC_INIT(10);
	in.buf[0] = (struct fuse_buf){ .size = 10, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_RETRY,
				       .fd = p[0] };
	to = (struct fuse_bufvec)FUSE_BUFVEC_INIT(10);
	to.buf[0].mem = out;
	CHECK_EQ(fuse_buf_copy(&to, &in, 0), 3);
	CHECK(memcmp(out, "xyz", 3) == 0);
	close(p[0]);
}

static void test_fd_to_fd(void)
{
	static char big[300 * 1024];
	char out[64] = { 0 };
	int p[2];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	int src = tmpfile_with(big, sizeof(big));

	/* file to file: no pipe, so splice falls back to copying; the
	 * bounce buffer is smaller than the data */
	for (int mode = 0; mode < 2; mode++) {
		int dst = tmpfile_with("", 0);
		struct fuse_bufvec s = FUSE_BUFVEC_INIT(sizeof(big) - 10);
		struct fuse_bufvec d = FUSE_BUFVEC_INIT(sizeof(big) - 10);
		static char back[sizeof(big)];

		s.buf[0] = (struct fuse_buf){ .size = sizeof(big) - 10,
					      .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = src, .pos = 10 };
		d.buf[0] = (struct fuse_buf){ .size = sizeof(big) - 10,
					      .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = dst, .pos = 0 };
		CHECK_EQ(fuse_buf_copy(&d, &s, mode ? FUSE_BUF_NO_SPLICE : 0),
			 sizeof(big) - 10);
		CHECK_EQ(pread(dst, back, sizeof(back), 0), sizeof(big) - 10);
		CHECK(memcmp(back, big + 10, sizeof(big) - 10) == 0);
		close(dst);
	}

	/* FORCE_SPLICE between two files fails instead of copying */
	{
		int dst = tmpfile_with("", 0);
		struct fuse_bufvec s = FUSE_BUFVEC_INIT(16), d = FUSE_BUFVEC_INIT(16);

		s.buf[0] = (struct fuse_buf){ .size = 16, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = src };
		d.buf[0] = (struct fuse_buf){ .size = 16, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = dst };
		CHECK_EQ(fuse_buf_copy(&d, &s, FUSE_BUF_FORCE_SPLICE), -EINVAL);
		close(dst);
	}

	/* file to pipe and pipe to file: splice proper, even forced */
	CHECK(pipe(p) == 0);
	{
		struct fuse_bufvec s = FUSE_BUFVEC_INIT(32), d = FUSE_BUFVEC_INIT(32);

		s.buf[0] = (struct fuse_buf){ .size = 32, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = src, .pos = 1000 };
		d.buf[0] = (struct fuse_buf){ .size = 32, .flags = FUSE_BUF_IS_FD, .fd = p[1] };
		CHECK_EQ(fuse_buf_copy(&d, &s, FUSE_BUF_FORCE_SPLICE | FUSE_BUF_SPLICE_MOVE), 32);
	}
	{
		int dst = tmpfile_with("", 0);
		struct fuse_bufvec s = FUSE_BUFVEC_INIT(32), d = FUSE_BUFVEC_INIT(32);

		s.buf[0] = (struct fuse_buf){ .size = 32, .flags = FUSE_BUF_IS_FD, .fd = p[0] };
		d.buf[0] = (struct fuse_buf){ .size = 32, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = dst, .pos = 5 };
		CHECK_EQ(fuse_buf_copy(&d, &s, FUSE_BUF_FORCE_SPLICE | FUSE_BUF_SPLICE_NONBLOCK), 32);
		CHECK_EQ(pread(dst, out, sizeof(out), 0), 37);
		CHECK(memcmp(out + 5, big + 1000, 32) == 0);
		close(dst);
	}
	/* pipe empty and non-blocking splice asked for: EAGAIN, no data */
	{
		int dst = tmpfile_with("", 0);
		struct fuse_bufvec s = FUSE_BUFVEC_INIT(8), d = FUSE_BUFVEC_INIT(8);

		CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
		s.buf[0] = (struct fuse_buf){ .size = 8, .flags = FUSE_BUF_IS_FD, .fd = p[0] };
		d.buf[0] = (struct fuse_buf){ .size = 8, .flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK,
					      .fd = dst };
		CHECK_EQ(fuse_buf_copy(&d, &s, FUSE_BUF_SPLICE_NONBLOCK), -EAGAIN);
		close(dst);
	}
	close(p[0]);
	close(p[1]);
	close(src);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_size();
	test_mem_to_mem();
	test_mem_fd();
	test_retry();
	test_fd_to_fd();
	rmdir(tmpdir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("all buffer checks passed\n");
	return 0;
}
