/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Path-mapping modules: the part subdir and iconv share.
 *
 * hl_pathmap_new() stacks a fuse_fs on the one below that forwards every
 * operation after mapping its paths down, and maps what comes back up
 * (readdir's names, readlink's target).  A module supplies only the
 * mapping (struct hl_pathmap_ops), its options and its help. */
#pragma once

#include "highlevel-i.h"

#include <stddef.h>

struct hl_pathmap_ops {
	/* A path going down, into a malloc'd *ret.  A NULL path (an open
	 * file under nullpath_ok) must give a NULL *ret.  0 or -errno. */
	int (*path_in)(void *data, const char *path, char **ret);
	/* A symlink's target going down, as path_in; NULL: passed as is. */
	int (*target_in)(void *data, const char *target, char **ret);
	/* readlink's answer for the link at path (as seen from above),
	 * rewritten in place in buf (size bytes); NULL: as the fs below
	 * gave it.  0 or -errno. */
	int (*target_out)(void *data, const char *path, char *buf,
			  size_t size);
	/* A name readdir gives, into a malloc'd *ret; on an error the entry
	 * is skipped (it has no spelling above).  NULL: names as they are. */
	int (*name_out)(void *data, const char *name, char **ret);
	/* Frees data; called when the module is destroyed, after the file
	 * system below it. */
	void (*free)(void *data);
};

/* The module over next, with data passed to each of ops.  On success it
 * owns data (ops->free frees it); NULL when out of memory, data still
 * the caller's. */
struct fuse_fs *hl_pathmap_new(const struct hl_pathmap_ops *ops, void *data,
			       struct fuse_fs *next);
