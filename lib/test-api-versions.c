// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit test program: the API as each FUSE_USE_VERSION sees it
 *
 * Built at every API level from 30 to 314 with the project's warnings as
 * errors, so the headers must stay warning-free there; it calls each
 * versioned entry point the way programs of that level do.  It is never
 * run: test-api-versions.sh checks which symbol versions the binary ended
 * up referencing.
 */
#include <errno.h>
#include <stddef.h>

#include "fuse.h"
#include "fuse_lowlevel.h"

static int t_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	return -ENOENT;
}

#if FUSE_USE_VERSION < 35
static int t_ioctl(const char *path, int cmd, void *arg,
		   struct fuse_file_info *fi, unsigned int flags, void *data)
#else
static int t_ioctl(const char *path, unsigned int cmd, void *arg,
		   struct fuse_file_info *fi, unsigned int flags, void *data)
#endif
{
	return -ENOTTY;
}

static const struct fuse_operations ops = {
	.getattr = t_getattr,
	.ioctl = t_ioctl,
};

static const struct fuse_lowlevel_ops ll_ops = { 0 };

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct fuse_session *se;
	struct fuse *f;

	if (argc >= 0)	/* never run; see the title comment */
		return 0;
	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	se = fuse_session_new(&args, &ll_ops, sizeof(ll_ops), NULL);
	f = fuse_new(&args, &ops, sizeof(ops), NULL);
#if FUSE_USE_VERSION < 32
	fuse_session_loop_mt(se, opts.clone_fd);
	fuse_loop_mt(f, opts.clone_fd);
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
	struct fuse_loop_config config = {
		.clone_fd = opts.clone_fd,
		.max_idle_threads = opts.max_idle_threads,
	};

	fuse_session_loop_mt(se, &config);
	fuse_loop_mt(f, &config);
#else
	struct fuse_loop_config *config = fuse_loop_cfg_create();

	fuse_loop_cfg_set_max_threads(config, opts.max_threads);
	fuse_session_loop_mt(se, config);
	fuse_loop_mt(f, config);
	fuse_loop_cfg_destroy(config);
#endif
	fuse_destroy(f);
	fuse_session_destroy(se);
	return fuse_main(argc, argv, &ops, NULL);
}
