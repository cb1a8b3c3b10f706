// SPDX-License-Identifier: LGPL-2.1-or-later
/* The versioned entry points of libfuse 3.17+ (libfuse3.so.4 only)
 *
 * From 3.17 fuse_new() and fuse_main() are inline functions in the
 * program that pass the libfuse version it was built against.  The
 * version must be libfuse 3's; the struct sizes (op_size) already tell
 * the library all it needs about the program's tables. */
#include "fuse.h"
#include "fuse_i.h"

static bool version_ok(const struct libfuse_version *version)
{
	if (version && version->major == FUSE_MAJOR_VERSION)
		return true;
	fuse_log(FUSE_LOG_ERR,
		 "fuse: the program was built for libfuse %u, this is libfuse 3\n",
		 version ? version->major : 0);
	return false;
}

struct fuse *_fuse_new_31(struct fuse_args *args,
			  const struct fuse_operations *op, size_t op_size,
			  struct libfuse_version *version, void *user_data)
{
	if (!version_ok(version))
		return NULL;
	return fuse_new_31(args, op, op_size, user_data);
}

struct fuse *_fuse_new_30(struct fuse_args *args,
			  const struct fuse_operations *op, size_t op_size,
			  struct libfuse_version *version, void *user_data)
{
	if (!version_ok(version))
		return NULL;
	return fuse_new_30(args, op, op_size, user_data);
}

int fuse_main_real_versioned(int argc, char *argv[],
			     const struct fuse_operations *op, size_t op_size,
			     struct libfuse_version *version, void *user_data)
{
	if (!version_ok(version))
		return 1;
	return fuse_main_real(argc, argv, op, op_size, user_data);
}
