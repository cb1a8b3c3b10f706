// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit test: the public ABI, pinned to libfuse 3.14's numbers
 *
 * Every public struct's size and every field's offset and size, the
 * fuse_file_info bitfield positions, and the values of the public
 * constants, as literal numbers measured on Debian's libfuse3 3.14
 * (x86_64) with a probe compiled against its headers.  Built at
 * FUSE_USE_VERSION 30 and 314 (meson passes -DFUSE_USE_VERSION).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cuse_lowlevel.h"
#include "fuse.h"
#include "fuse_lowlevel.h"

static int failures;

static void check(const char *what, unsigned long long got, unsigned long long want)
{
	if (got != want) {
		fprintf(stderr, "%s: %llu, libfuse 3.14 has %llu\n", what, got, want);
		failures++;
	}
}

#define SIZE(s, n) check("sizeof(struct " #s ")", sizeof(struct s), n)
#define FIELD(s, f, off, size) do {						\
		check("offsetof(struct " #s ", " #f ")", offsetof(struct s, f), off); \
		check("sizeof(struct " #s "." #f ")", sizeof(((struct s *)0)->f), size); \
	} while (0)
#define VALUE(c, v) check(#c, (unsigned long long)(long long)(c), (unsigned long long)(long long)(v))

/* Sets one bitfield of a zeroed fuse_file_info to all ones and checks
 * which bits change: the 64 bits after 'flags' (bytes 4..11, read as a
 * little-endian number) must equal mask, everything else stay zero.  That
 * pins both the field's position and its width. */
#define BITS(f, mask) do {							\
		struct fuse_file_info fi;					\
		unsigned char *p = (unsigned char *)&fi;			\
		unsigned long long bits = 0;					\
		int others = 0;							\
		memset(&fi, 0, sizeof(fi));					\
		fi.f--;   							\
		for (size_t i = 0; i < sizeof(fi); i++) {			\
			if (i >= 4 && i < 12)					\
				bits |= (unsigned long long)p[i] << (8 * (i - 4)); \
			else							\
				others |= p[i];					\
		}								\
		check("bits of fuse_file_info." #f, bits, mask);		\
		check("other bytes of fuse_file_info." #f, others, 0);		\
	} while (0)

static void test_layouts(void)
{
	SIZE(fuse_file_info, 40);
	FIELD(fuse_file_info, flags, 0, 4);
	FIELD(fuse_file_info, fh, 16, 8);
	FIELD(fuse_file_info, lock_owner, 24, 8);
	FIELD(fuse_file_info, poll_events, 32, 4);
	SIZE(fuse_conn_info, 128);
	FIELD(fuse_conn_info, proto_major, 0, 4);
	FIELD(fuse_conn_info, proto_minor, 4, 4);
	FIELD(fuse_conn_info, max_write, 8, 4);
	FIELD(fuse_conn_info, max_read, 12, 4);
	FIELD(fuse_conn_info, max_readahead, 16, 4);
	FIELD(fuse_conn_info, capable, 20, 4);
	FIELD(fuse_conn_info, want, 24, 4);
	FIELD(fuse_conn_info, max_background, 28, 4);
	FIELD(fuse_conn_info, congestion_threshold, 32, 4);
	FIELD(fuse_conn_info, time_gran, 36, 4);
	FIELD(fuse_conn_info, reserved, 40, 88);
	SIZE(fuse_buf, 40);
	FIELD(fuse_buf, size, 0, 8);
	FIELD(fuse_buf, flags, 8, 4);
	FIELD(fuse_buf, mem, 16, 8);
	FIELD(fuse_buf, fd, 24, 4);
	FIELD(fuse_buf, pos, 32, 8);
	SIZE(fuse_bufvec, 64);
	FIELD(fuse_bufvec, count, 0, 8);
	FIELD(fuse_bufvec, idx, 8, 8);
	FIELD(fuse_bufvec, off, 16, 8);
	FIELD(fuse_bufvec, buf, 24, 40);
	SIZE(fuse_opt, 24);
	FIELD(fuse_opt, templ, 0, 8);
	FIELD(fuse_opt, offset, 8, 8);
	FIELD(fuse_opt, value, 16, 4);
	SIZE(fuse_args, 24);
	FIELD(fuse_args, argc, 0, 4);
	FIELD(fuse_args, argv, 8, 8);
	FIELD(fuse_args, allocated, 16, 4);
	SIZE(fuse_entry_param, 176);
	FIELD(fuse_entry_param, ino, 0, 8);
	FIELD(fuse_entry_param, generation, 8, 8);
	FIELD(fuse_entry_param, attr, 16, 144);
	FIELD(fuse_entry_param, attr_timeout, 160, 8);
	FIELD(fuse_entry_param, entry_timeout, 168, 8);
	SIZE(fuse_ctx, 16);
	FIELD(fuse_ctx, uid, 0, 4);
	FIELD(fuse_ctx, gid, 4, 4);
	FIELD(fuse_ctx, pid, 8, 4);
	FIELD(fuse_ctx, umask, 12, 4);
	SIZE(fuse_forget_data, 16);
	FIELD(fuse_forget_data, ino, 0, 8);
	FIELD(fuse_forget_data, nlookup, 8, 8);
	SIZE(fuse_custom_io, 32);
	FIELD(fuse_custom_io, writev, 0, 8);
	FIELD(fuse_custom_io, read, 8, 8);
	FIELD(fuse_custom_io, splice_receive, 16, 8);
	FIELD(fuse_custom_io, splice_send, 24, 8);
	SIZE(fuse_cmdline_opts, 48);
	FIELD(fuse_cmdline_opts, singlethread, 0, 4);
	FIELD(fuse_cmdline_opts, foreground, 4, 4);
	FIELD(fuse_cmdline_opts, debug, 8, 4);
	FIELD(fuse_cmdline_opts, nodefault_subtype, 12, 4);
	FIELD(fuse_cmdline_opts, mountpoint, 16, 8);
	FIELD(fuse_cmdline_opts, show_version, 24, 4);
	FIELD(fuse_cmdline_opts, show_help, 28, 4);
	FIELD(fuse_cmdline_opts, clone_fd, 32, 4);
	FIELD(fuse_cmdline_opts, max_idle_threads, 36, 4);
	FIELD(fuse_cmdline_opts, max_threads, 40, 4);
	SIZE(fuse_lowlevel_ops, 352);
	FIELD(fuse_lowlevel_ops, init, 0, 8);
	FIELD(fuse_lowlevel_ops, destroy, 8, 8);
	FIELD(fuse_lowlevel_ops, lookup, 16, 8);
	FIELD(fuse_lowlevel_ops, forget, 24, 8);
	FIELD(fuse_lowlevel_ops, getattr, 32, 8);
	FIELD(fuse_lowlevel_ops, setattr, 40, 8);
	FIELD(fuse_lowlevel_ops, readlink, 48, 8);
	FIELD(fuse_lowlevel_ops, mknod, 56, 8);
	FIELD(fuse_lowlevel_ops, mkdir, 64, 8);
	FIELD(fuse_lowlevel_ops, unlink, 72, 8);
	FIELD(fuse_lowlevel_ops, rmdir, 80, 8);
	FIELD(fuse_lowlevel_ops, symlink, 88, 8);
	FIELD(fuse_lowlevel_ops, rename, 96, 8);
	FIELD(fuse_lowlevel_ops, link, 104, 8);
	FIELD(fuse_lowlevel_ops, open, 112, 8);
	FIELD(fuse_lowlevel_ops, read, 120, 8);
	FIELD(fuse_lowlevel_ops, write, 128, 8);
	FIELD(fuse_lowlevel_ops, flush, 136, 8);
	FIELD(fuse_lowlevel_ops, release, 144, 8);
	FIELD(fuse_lowlevel_ops, fsync, 152, 8);
	FIELD(fuse_lowlevel_ops, opendir, 160, 8);
	FIELD(fuse_lowlevel_ops, readdir, 168, 8);
	FIELD(fuse_lowlevel_ops, releasedir, 176, 8);
	FIELD(fuse_lowlevel_ops, fsyncdir, 184, 8);
	FIELD(fuse_lowlevel_ops, statfs, 192, 8);
	FIELD(fuse_lowlevel_ops, setxattr, 200, 8);
	FIELD(fuse_lowlevel_ops, getxattr, 208, 8);
	FIELD(fuse_lowlevel_ops, listxattr, 216, 8);
	FIELD(fuse_lowlevel_ops, removexattr, 224, 8);
	FIELD(fuse_lowlevel_ops, access, 232, 8);
	FIELD(fuse_lowlevel_ops, create, 240, 8);
	FIELD(fuse_lowlevel_ops, getlk, 248, 8);
	FIELD(fuse_lowlevel_ops, setlk, 256, 8);
	FIELD(fuse_lowlevel_ops, bmap, 264, 8);
	FIELD(fuse_lowlevel_ops, ioctl, 272, 8);
	FIELD(fuse_lowlevel_ops, poll, 280, 8);
	FIELD(fuse_lowlevel_ops, write_buf, 288, 8);
	FIELD(fuse_lowlevel_ops, retrieve_reply, 296, 8);
	FIELD(fuse_lowlevel_ops, forget_multi, 304, 8);
	FIELD(fuse_lowlevel_ops, flock, 312, 8);
	FIELD(fuse_lowlevel_ops, fallocate, 320, 8);
	FIELD(fuse_lowlevel_ops, readdirplus, 328, 8);
	FIELD(fuse_lowlevel_ops, copy_file_range, 336, 8);
	FIELD(fuse_lowlevel_ops, lseek, 344, 8);
	SIZE(fuse_operations, 336);
	FIELD(fuse_operations, getattr, 0, 8);
	FIELD(fuse_operations, readlink, 8, 8);
	FIELD(fuse_operations, mknod, 16, 8);
	FIELD(fuse_operations, mkdir, 24, 8);
	FIELD(fuse_operations, unlink, 32, 8);
	FIELD(fuse_operations, rmdir, 40, 8);
	FIELD(fuse_operations, symlink, 48, 8);
	FIELD(fuse_operations, rename, 56, 8);
	FIELD(fuse_operations, link, 64, 8);
	FIELD(fuse_operations, chmod, 72, 8);
	FIELD(fuse_operations, chown, 80, 8);
	FIELD(fuse_operations, truncate, 88, 8);
	FIELD(fuse_operations, open, 96, 8);
	FIELD(fuse_operations, read, 104, 8);
	FIELD(fuse_operations, write, 112, 8);
	FIELD(fuse_operations, statfs, 120, 8);
	FIELD(fuse_operations, flush, 128, 8);
	FIELD(fuse_operations, release, 136, 8);
	FIELD(fuse_operations, fsync, 144, 8);
	FIELD(fuse_operations, setxattr, 152, 8);
	FIELD(fuse_operations, getxattr, 160, 8);
	FIELD(fuse_operations, listxattr, 168, 8);
	FIELD(fuse_operations, removexattr, 176, 8);
	FIELD(fuse_operations, opendir, 184, 8);
	FIELD(fuse_operations, readdir, 192, 8);
	FIELD(fuse_operations, releasedir, 200, 8);
	FIELD(fuse_operations, fsyncdir, 208, 8);
	FIELD(fuse_operations, init, 216, 8);
	FIELD(fuse_operations, destroy, 224, 8);
	FIELD(fuse_operations, access, 232, 8);
	FIELD(fuse_operations, create, 240, 8);
	FIELD(fuse_operations, lock, 248, 8);
	FIELD(fuse_operations, utimens, 256, 8);
	FIELD(fuse_operations, bmap, 264, 8);
	FIELD(fuse_operations, ioctl, 272, 8);
	FIELD(fuse_operations, poll, 280, 8);
	FIELD(fuse_operations, write_buf, 288, 8);
	FIELD(fuse_operations, read_buf, 296, 8);
	FIELD(fuse_operations, flock, 304, 8);
	FIELD(fuse_operations, fallocate, 312, 8);
	FIELD(fuse_operations, copy_file_range, 320, 8);
	FIELD(fuse_operations, lseek, 328, 8);
	SIZE(fuse_config, 128);
	FIELD(fuse_config, set_gid, 0, 4);
	FIELD(fuse_config, gid, 4, 4);
	FIELD(fuse_config, set_uid, 8, 4);
	FIELD(fuse_config, uid, 12, 4);
	FIELD(fuse_config, set_mode, 16, 4);
	FIELD(fuse_config, umask, 20, 4);
	FIELD(fuse_config, entry_timeout, 24, 8);
	FIELD(fuse_config, negative_timeout, 32, 8);
	FIELD(fuse_config, attr_timeout, 40, 8);
	FIELD(fuse_config, intr, 48, 4);
	FIELD(fuse_config, intr_signal, 52, 4);
	FIELD(fuse_config, remember, 56, 4);
	FIELD(fuse_config, hard_remove, 60, 4);
	FIELD(fuse_config, use_ino, 64, 4);
	FIELD(fuse_config, readdir_ino, 68, 4);
	FIELD(fuse_config, direct_io, 72, 4);
	FIELD(fuse_config, kernel_cache, 76, 4);
	FIELD(fuse_config, auto_cache, 80, 4);
	FIELD(fuse_config, no_rofd_flush, 84, 4);
	FIELD(fuse_config, ac_attr_timeout_set, 88, 4);
	FIELD(fuse_config, ac_attr_timeout, 96, 8);
	FIELD(fuse_config, nullpath_ok, 104, 4);
	FIELD(fuse_config, show_help, 108, 4);
	FIELD(fuse_config, modules, 112, 8);
	FIELD(fuse_config, debug, 120, 4);
	SIZE(fuse_context, 40);
	FIELD(fuse_context, fuse, 0, 8);
	FIELD(fuse_context, uid, 8, 4);
	FIELD(fuse_context, gid, 12, 4);
	FIELD(fuse_context, pid, 16, 4);
	FIELD(fuse_context, private_data, 24, 8);
	FIELD(fuse_context, umask, 32, 4);

	/* before 3.12 struct fuse_loop_config was what is now _v1 */
#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
	SIZE(fuse_loop_config, 8);
	FIELD(fuse_loop_config, clone_fd, 0, 4);
	FIELD(fuse_loop_config, max_idle_threads, 4, 4);
#else
	SIZE(fuse_loop_config_v1, 8);
	FIELD(fuse_loop_config_v1, clone_fd, 0, 4);
	FIELD(fuse_loop_config_v1, max_idle_threads, 4, 4);
#endif

	SIZE(cuse_info, 32);
	FIELD(cuse_info, dev_major, 0, 4);
	FIELD(cuse_info, dev_minor, 4, 4);
	FIELD(cuse_info, dev_info_argc, 8, 4);
	FIELD(cuse_info, dev_info_argv, 16, 8);
	FIELD(cuse_info, flags, 24, 4);
	SIZE(cuse_lowlevel_ops, 88);
	FIELD(cuse_lowlevel_ops, init, 0, 8);
	FIELD(cuse_lowlevel_ops, init_done, 8, 8);
	FIELD(cuse_lowlevel_ops, destroy, 16, 8);
	FIELD(cuse_lowlevel_ops, open, 24, 8);
	FIELD(cuse_lowlevel_ops, read, 32, 8);
	FIELD(cuse_lowlevel_ops, write, 40, 8);
	FIELD(cuse_lowlevel_ops, flush, 48, 8);
	FIELD(cuse_lowlevel_ops, release, 56, 8);
	FIELD(cuse_lowlevel_ops, fsync, 64, 8);
	FIELD(cuse_lowlevel_ops, ioctl, 72, 8);
	FIELD(cuse_lowlevel_ops, poll, 80, 8);
}

static void test_bitfields(void)
{
	BITS(writepage, 0x1ULL);
	BITS(direct_io, 0x2ULL);
	BITS(keep_cache, 0x4ULL);
	BITS(flush, 0x8ULL);
	BITS(nonseekable, 0x10ULL);
	BITS(flock_release, 0x20ULL);
	BITS(cache_readdir, 0x40ULL);
	BITS(noflush, 0x80ULL);
	BITS(padding, 0xffffff00ULL);
	BITS(padding2, 0xffffffff00000000ULL);
}

static void test_values(void)
{
	VALUE(FUSE_MAJOR_VERSION, 3);
	VALUE(FUSE_MINOR_VERSION, 14);
	VALUE(FUSE_VERSION, 314);
	VALUE(FUSE_ROOT_ID, 1);
	VALUE(FUSE_CAP_ASYNC_READ, 1);
	VALUE(FUSE_CAP_POSIX_LOCKS, 2);
	VALUE(FUSE_CAP_ATOMIC_O_TRUNC, 8);
	VALUE(FUSE_CAP_EXPORT_SUPPORT, 16);
	VALUE(FUSE_CAP_DONT_MASK, 64);
	VALUE(FUSE_CAP_SPLICE_WRITE, 128);
	VALUE(FUSE_CAP_SPLICE_MOVE, 256);
	VALUE(FUSE_CAP_SPLICE_READ, 512);
	VALUE(FUSE_CAP_FLOCK_LOCKS, 1024);
	VALUE(FUSE_CAP_IOCTL_DIR, 2048);
	VALUE(FUSE_CAP_AUTO_INVAL_DATA, 4096);
	VALUE(FUSE_CAP_READDIRPLUS, 8192);
	VALUE(FUSE_CAP_READDIRPLUS_AUTO, 16384);
	VALUE(FUSE_CAP_ASYNC_DIO, 32768);
	VALUE(FUSE_CAP_WRITEBACK_CACHE, 65536);
	VALUE(FUSE_CAP_NO_OPEN_SUPPORT, 131072);
	VALUE(FUSE_CAP_PARALLEL_DIROPS, 262144);
	VALUE(FUSE_CAP_POSIX_ACL, 524288);
	VALUE(FUSE_CAP_HANDLE_KILLPRIV, 1048576);
	VALUE(FUSE_CAP_CACHE_SYMLINKS, 8388608);
	VALUE(FUSE_CAP_NO_OPENDIR_SUPPORT, 16777216);
	VALUE(FUSE_CAP_EXPLICIT_INVAL_DATA, 33554432);
	VALUE(FUSE_CAP_EXPIRE_ONLY, 67108864);
	VALUE(CUSE_UNRESTRICTED_IOCTL, 1);
	VALUE(FUSE_IOCTL_COMPAT, 1);
	VALUE(FUSE_IOCTL_UNRESTRICTED, 2);
	VALUE(FUSE_IOCTL_RETRY, 4);
	VALUE(FUSE_IOCTL_DIR, 16);
	VALUE(FUSE_IOCTL_MAX_IOV, 256);
	VALUE(FUSE_BUF_IS_FD, 2);
	VALUE(FUSE_BUF_FD_SEEK, 4);
	VALUE(FUSE_BUF_FD_RETRY, 8);
	VALUE(FUSE_BUF_NO_SPLICE, 2);
	VALUE(FUSE_BUF_FORCE_SPLICE, 4);
	VALUE(FUSE_BUF_SPLICE_MOVE, 8);
	VALUE(FUSE_BUF_SPLICE_NONBLOCK, 16);
	VALUE(FUSE_OPT_KEY_OPT, -1);
	VALUE(FUSE_OPT_KEY_NONOPT, -2);
	VALUE(FUSE_OPT_KEY_KEEP, -3);
	VALUE(FUSE_OPT_KEY_DISCARD, -4);
	VALUE(FUSE_LOG_EMERG, 0);
	VALUE(FUSE_LOG_ALERT, 1);
	VALUE(FUSE_LOG_CRIT, 2);
	VALUE(FUSE_LOG_ERR, 3);
	VALUE(FUSE_LOG_WARNING, 4);
	VALUE(FUSE_LOG_NOTICE, 5);
	VALUE(FUSE_LOG_INFO, 6);
	VALUE(FUSE_LOG_DEBUG, 7);
	VALUE(FUSE_READDIR_PLUS, 1);
	VALUE(FUSE_FILL_DIR_PLUS, 2);
	VALUE(FUSE_LL_EXPIRE_ONLY, 1);
	VALUE(FUSE_SET_ATTR_MODE, 1);
	VALUE(FUSE_SET_ATTR_UID, 2);
	VALUE(FUSE_SET_ATTR_GID, 4);
	VALUE(FUSE_SET_ATTR_SIZE, 8);
	VALUE(FUSE_SET_ATTR_ATIME, 16);
	VALUE(FUSE_SET_ATTR_MTIME, 32);
	VALUE(FUSE_SET_ATTR_ATIME_NOW, 128);
	VALUE(FUSE_SET_ATTR_MTIME_NOW, 256);
	VALUE(FUSE_SET_ATTR_FORCE, 512);
	VALUE(FUSE_SET_ATTR_CTIME, 1024);
	VALUE(FUSE_SET_ATTR_KILL_SUID, 2048);
	VALUE(FUSE_SET_ATTR_KILL_SGID, 4096);
	VALUE(FUSE_SET_ATTR_FILE, 8192);
	VALUE(FUSE_SET_ATTR_KILL_PRIV, 16384);
	VALUE(FUSE_SET_ATTR_OPEN, 32768);
	VALUE(FUSE_SET_ATTR_TIMES_SET, 65536);
	VALUE(FUSE_SET_ATTR_TOUCH, 131072);
}

static void test_macros(void)
{
	struct fuse_opt key[] = { FUSE_OPT_KEY("x", 7), FUSE_OPT_END };
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(4096);
	char *argv[] = { "prog", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);

	/* FUSE_OPT_KEY stores -1U (not -1UL) as the offset */
	VALUE(key[0].offset, 4294967295UL);
	VALUE(key[0].value, 7);
	VALUE(key[1].templ == NULL, 1);
	VALUE(key[1].offset, 0);
	VALUE(key[1].value, 0);
	VALUE(bv.count, 1);
	VALUE(bv.idx, 0);
	VALUE(bv.off, 0);
	VALUE(bv.buf[0].size, 4096);
	VALUE(bv.buf[0].flags, 0);
	VALUE(bv.buf[0].mem == NULL, 1);
	VALUE(bv.buf[0].fd, -1);
	VALUE(bv.buf[0].pos, 0);
	VALUE(args.argc, 1);
	VALUE(args.argv == argv, 1);
	VALUE(args.allocated, 0);
	VALUE(FUSE_MAKE_VERSION(3, 14), 314);
}

int main(void)
{
	test_layouts();
	test_bitfields();
	test_values();
	test_macros();
	if (failures) {
		fprintf(stderr, "%d ABI mismatch(es)\n", failures);
		return 1;
	}
	printf("ABI matches libfuse 3.14 (FUSE_USE_VERSION %d)\n", FUSE_USE_VERSION);
	return 0;
}
