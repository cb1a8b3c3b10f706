/* The session harness's two halves: fuzz-lib-session.c plays the kernel,
 * fuzz-lib-session-fs.c the file system that answers. */
#pragma once

#include <stdint.h>

#include "fuse_lowlevel.h"

/* What the file system asks for at INIT, from the input's header. */
struct fuzz_fs_init {
        uint64_t want;          /* ANDed with what the kernel offers */
        unsigned max_write, max_readahead, max_background;
        unsigned congestion_threshold, time_gran;
};
extern struct fuzz_fs_init fuzz_fs_init;

/* Answers every request, reading all it is given.  The _buf variant
 * takes WRITEs through write_buf (and so reads spliced data itself). */
extern const struct fuse_lowlevel_ops fuzz_fs_ops;
extern const struct fuse_lowlevel_ops fuzz_fs_buf_ops;
/* The same as a CUSE device's operations. */
struct cuse_lowlevel_ops;
extern const struct cuse_lowlevel_ops fuzz_cuse_ops;

/* Opens the file READs are answered from; once per process. */
void fuzz_fs_setup(void);
/* A READ of a file handle that is 3 mod 4 is held, for INTERRUPTs to
 * find; this answers it (also at the end of each input). */
void fuzz_fs_release_held(void);
