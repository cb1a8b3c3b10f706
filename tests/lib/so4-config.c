// SPDX-License-Identifier: GPL-2.0-or-later
/* A high-level file system for libfuse3.so.4's struct fuse_config
 *
 * One file (mode 0666) and one directory (0777) under the root; init()
 * sets set_mode with umask 0 and the 3.17 fields cfg->fmask = 022 and
 * cfg->dmask = 077, which the library must apply to what getattr returns
 * (so4-config.sh stats them: 0755 and 0700).  Also wants
 * FUSE_CAP_ASYNC_DIO with fuse_set_feature_flag and reports on stderr
 * whether want (the 32-bit view) followed.
 */
#define FUSE_USE_VERSION 318

#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <string.h>

static void *cfg_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* as umask=0 on the command line would (fmask and dmask, like
	 * umask, take effect with set_mode), then the 3.17 fields */
	cfg->set_mode = 1;
	cfg->umask = 0;
	cfg->fmask = 022;
	cfg->dmask = 077;
	if (fuse_set_feature_flag(conn, FUSE_CAP_ASYNC_DIO))
		fprintf(stderr, "so4-config: ASYNC_DIO wanted, want %s\n",
			conn->want & FUSE_CAP_ASYNC_DIO ? "agrees" : "disagrees");
	return NULL;
}

static int cfg_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	if (strcmp(path, "/") == 0 || strcmp(path, "/dir") == 0) {
		st->st_mode = S_IFDIR | 0777;
		st->st_nlink = 2;
	} else if (strcmp(path, "/file") == 0) {
		st->st_mode = S_IFREG | 0666;
	} else {
		return -ENOENT;
	}
	return 0;
}

static int cfg_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/") != 0)
		return -ENOENT;
	fill(buf, "file", NULL, 0, FUSE_FILL_DIR_DEFAULTS);
	fill(buf, "dir", NULL, 0, FUSE_FILL_DIR_DEFAULTS);
	return 0;
}

static const struct fuse_operations cfg_ops = {
	.init = cfg_init,
	.getattr = cfg_getattr,
	.readdir = cfg_readdir,
};

int main(int argc, char *argv[])
{
	return fuse_main(argc, argv, &cfg_ops, NULL);
}
