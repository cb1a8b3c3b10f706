// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hello: the smallest high-level filesystem.
 *
 * Shows the path API (struct fuse_operations) and fuse_main(): the root
 * directory holds one read-only file, "hello", whose contents are fixed.
 * Usage: hello MOUNTPOINT [fuse options]
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>

static const char hello_name[] = "hello";
static const char hello_text[] = "Hello, world!\n";

static int hello_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path + 1, hello_name) == 0) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = sizeof(hello_text) - 1;
		return 0;
	}
	return -ENOENT;
}

static int hello_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, hello_name, NULL, 0, 0);
	return 0;
}

static int hello_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path + 1, hello_name) != 0)
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	return 0;
}

static int hello_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	size_t len = sizeof(hello_text) - 1;

	if (strcmp(path + 1, hello_name) != 0)
		return -ENOENT;
	if (off < 0 || (size_t)off >= len)
		return 0;
	if (size > len - off)
		size = len - off;
	memcpy(buf, hello_text + off, size);
	return size;
}

static const struct fuse_operations hello_ops = {
	.getattr = hello_getattr,
	.readdir = hello_readdir,
	.open = hello_open,
	.read = hello_read,
};

int main(int argc, char *argv[])
{
	return fuse_main(argc, argv, &hello_ops, NULL);
}
