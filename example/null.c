// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * null: one huge file of zeroes, for benchmarks of the request path.
 *
 * The root directory holds the file "null", 1 TiB long: every read
 * returns zeroes, every write succeeds and is thrown away, so the time a
 * transfer takes is the time the kernel and the library take, not the
 * filesystem's.  Shows read/write with no backing store and a getattr
 * that does not change with writes.
 * Usage: null MOUNTPOINT [fuse options]
 */
#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NULL_SIZE (1ULL << 40)

static const char null_name[] = "null";

static int null_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path + 1, null_name) == 0) {
		st->st_mode = S_IFREG | 0666;
		st->st_nlink = 1;
		st->st_size = NULL_SIZE;
		return 0;
	}
	return -ENOENT;
}

static int null_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, null_name, NULL, 0, 0);
	return 0;
}

static int null_open(const char *path, struct fuse_file_info *fi)
{
	return strcmp(path + 1, null_name) == 0 ? 0 : -ENOENT;
}

/* The size never changes: a truncate is accepted and forgotten, like a write. */
static int null_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	return strcmp(path + 1, null_name) == 0 ? 0 : -ENOENT;
}

static int null_read(const char *path, char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	if (off < 0 || (unsigned long long)off >= NULL_SIZE)
		return 0;
	if (size > NULL_SIZE - off)
		size = NULL_SIZE - off;
	memset(buf, 0, size);
	return size;
}

static int null_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	if (off < 0 || (unsigned long long)off >= NULL_SIZE)
		return -EFBIG;
	if (size > NULL_SIZE - off)
		size = NULL_SIZE - off;
	return size;
}

static const struct fuse_operations null_ops = {
	.getattr = null_getattr,
	.readdir = null_readdir,
	.open = null_open,
	.truncate = null_truncate,
	.read = null_read,
	.write = null_write,
};

int main(int argc, char *argv[])
{
	return fuse_main(argc, argv, &null_ops, NULL);
}
