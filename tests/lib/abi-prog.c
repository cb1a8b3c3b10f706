// SPDX-License-Identifier: GPL-2.0-or-later
/* ABI test program: built against the reference libfuse3, run on ours
 *
 * Compiled with Debian's libfuse3 headers (-I/usr/include/fuse3, never the
 * project's) and linked against Debian's libfuse3.so.3, as any packaged
 * FUSE program is; meson runs it with LD_LIBRARY_PATH pointing at our
 * build and LD_BIND_NOW=1, so every symbol version it references must
 * resolve in our library.  It first checks that the libfuse3.so.3 mapped
 * into the process is the one named in argv[1] (ours), then exercises the
 * API without mounting: options, sessions, command line parsing, the
 * high-level constructor, buffers, logging, and the compat symbol versions
 * older binaries use (fuse_new@FUSE_3.0, fuse_parse_cmdline@FUSE_3.0).
 * Given a mount point (as root) it also mounts a one-file file system
 * with the low-level and then the high-level API, served by the
 * multi-threaded loop variant of its FUSE_USE_VERSION, reads it back and
 * unmounts.
 *
 * usage: abi-prog PATH-OF-OUR-libfuse3.so.3 [MOUNTPOINT]
 */
#include <fuse.h>
#include <fuse_lowlevel.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond) do {							\
		if (!(cond)) {							\
			fprintf(stderr, "abi-prog(%d): %s:%d: check failed: %s\n", \
				FUSE_USE_VERSION, __FILE__, __LINE__, #cond);	\
			failures++;						\
		}								\
	} while (0)

/* Older binaries' references: the compat versions of two symbols. */
struct fuse *compat_fuse_new_30(struct fuse_args *args,
				const struct fuse_operations *op,
				size_t op_size, void *private_data);
__asm__(".symver compat_fuse_new_30, fuse_new@FUSE_3.0");
int compat_parse_cmdline_30(struct fuse_args *args,
			    struct fuse_cmdline_opts *opts);
__asm__(".symver compat_parse_cmdline_30, fuse_parse_cmdline@FUSE_3.0");

/* Every libfuse3.so* mapped must be the expected file. */
static int check_loaded_library(const char *expected)
{
	char want[PATH_MAX], line[PATH_MAX + 256];
	int found = 0;
	FILE *maps;

	if (!realpath(expected, want)) {
		fprintf(stderr, "abi-prog: %s: %s\n", expected, strerror(errno));
		return -1;
	}
	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return -1;
	while (fgets(line, sizeof(line), maps)) {
		char *path = strchr(line, '/');
		char real[PATH_MAX];

		if (!path || !strstr(path, "libfuse3.so"))
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (!realpath(path, real) || strcmp(real, want) != 0) {
			fprintf(stderr, "abi-prog: loaded %s, not %s\n", path, want);
			fclose(maps);
			return -1;
		}
		found = 1;
	}
	fclose(maps);
	if (!found) {
		fprintf(stderr, "abi-prog: no libfuse3.so mapped\n");
		return -1;
	}
	printf("abi-prog(%d): running on %s\n", FUSE_USE_VERSION, want);
	return 0;
}

struct opts {
	char *name;
	unsigned size;
	int flag;
};

static void test_opt(void)
{
	static const struct fuse_opt spec[] = {
		{ "name=%s", offsetof(struct opts, name), 0 },
		{ "size=%u", offsetof(struct opts, size), 0 },
		{ "flag", offsetof(struct opts, flag), 1 },
		FUSE_OPT_END
	};
	char *argv[] = { "prog", "-o", "name=a\\,b,size=17,other", "-o", "flag", "mnt", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(6, argv);
	struct opts o = { 0 };

	CHECK(fuse_opt_parse(&args, &o, spec, NULL) == 0);
	CHECK(o.name && strcmp(o.name, "a,b") == 0);
	CHECK(o.size == 17);
	CHECK(o.flag == 1);
	CHECK(args.argc == 4);
	if (args.argc == 4) {
		CHECK(strcmp(args.argv[1], "-o") == 0);
		CHECK(strcmp(args.argv[2], "other") == 0);
		CHECK(strcmp(args.argv[3], "mnt") == 0);
	}
	free(o.name);
	fuse_opt_free_args(&args);
}

static char logged[1024];

/* Collects everything logged since 'logged' was last cleared. */
static void capture(enum fuse_log_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(logged);

	(void)level;
	vsnprintf(logged + used, sizeof(logged) - used, fmt, ap);
}

static void test_log_and_buf(void)
{
	char src[] = "0123456789", dst[10] = { 0 };
	struct fuse_bufvec s = FUSE_BUFVEC_INIT(10), d = FUSE_BUFVEC_INIT(10);

	fuse_set_log_func(capture);
	logged[0] = '\0';
	fuse_log(FUSE_LOG_ERR, "x=%d", 42);
	CHECK(strcmp(logged, "x=42") == 0);

	s.buf[0].mem = src;
	d.buf[0].mem = dst;
	CHECK(fuse_buf_size(&s) == 10);
	CHECK(fuse_buf_copy(&d, &s, 0) == 10);
	CHECK(memcmp(dst, src, 10) == 0);
}

static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	(void)conn;
}

static const struct fuse_lowlevel_ops ll_ops = {
	.init = ll_init,
};

static void test_session(void)
{
	char *argv[] = { "prog", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	char *bad_argv[] = { "prog", "-o", "no_such_option_xyz", NULL };
	struct fuse_args bad = FUSE_ARGS_INIT(3, bad_argv);
	struct fuse_session *se;
	int userdata;

	se = fuse_session_new(&args, &ll_ops, sizeof(ll_ops), &userdata);
	CHECK(se != NULL);
	if (se) {
		CHECK(!fuse_session_exited(se));
		fuse_session_exit(se);
		CHECK(fuse_session_exited(se));
		fuse_session_reset(se);
		CHECK(!fuse_session_exited(se));
		fuse_session_destroy(se);
	}
	fuse_opt_free_args(&args);

	/* an unknown option is an error, reported through the log */
	logged[0] = '\0';
	se = fuse_session_new(&bad, &ll_ops, sizeof(ll_ops), &userdata);
	CHECK(se == NULL);
	CHECK(strstr(logged, "no_such_option_xyz") != NULL);
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&bad);
}

static void test_cmdline(void)
{
	char *argv[] = { "prog", "-f", "-d", "-o", "max_idle_threads=5", "/", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(6, argv);
	struct fuse_cmdline_opts o;

	memset(&o, 0, sizeof(o));
	CHECK(fuse_parse_cmdline(&args, &o) == 0);
	CHECK(o.foreground == 1);
	CHECK(o.debug == 1);
	CHECK(o.max_idle_threads == 5);
	CHECK(o.mountpoint && strcmp(o.mountpoint, "/") == 0);
	free(o.mountpoint);
	fuse_opt_free_args(&args);

	/* The 3.0 variant must not write past the pre-3.12 struct (which
	 * ended after max_idle_threads). */
	{
		char *argv2[] = { "prog", "-s", "/", NULL };
		struct fuse_args args2 = FUSE_ARGS_INIT(3, argv2);
		struct fuse_cmdline_opts o2;

		memset(&o2, 0xa5, sizeof(o2));
		CHECK(compat_parse_cmdline_30(&args2, &o2) == 0);
		CHECK(o2.singlethread == 1);
		CHECK(o2.max_threads == 0xa5a5a5a5u);
		CHECK(o2.mountpoint && strcmp(o2.mountpoint, "/") == 0);
		free(o2.mountpoint);
		fuse_opt_free_args(&args2);
	}
}

static int hl_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)path;
	(void)st;
	(void)fi;
	return -ENOENT;
}

static const struct fuse_operations hl_ops = {
	.getattr = hl_getattr,
};

static void test_highlevel(void)
{
	char *argv[] = { "prog", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse *f;

	f = fuse_new(&args, &hl_ops, sizeof(hl_ops), NULL);
	CHECK(f != NULL);
	if (f) {
		CHECK(fuse_get_session(f) != NULL);
		fuse_destroy(f);
	}
	fuse_opt_free_args(&args);

	args = (struct fuse_args)FUSE_ARGS_INIT(1, argv);
	f = compat_fuse_new_30(&args, &hl_ops, sizeof(hl_ops), NULL);
	CHECK(f != NULL);
	if (f)
		fuse_destroy(f);
	fuse_opt_free_args(&args);

#if FUSE_USE_VERSION >= FUSE_MAKE_VERSION(3, 12)
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();

	CHECK(cfg != NULL);
	if (cfg) {
		fuse_loop_cfg_set_max_threads(cfg, 4);
		fuse_loop_cfg_set_idle_threads(cfg, 2);
		fuse_loop_cfg_set_clone_fd(cfg, 1);
		fuse_loop_cfg_destroy(cfg);
	}
#endif
}

/* The mounted file system: a root directory with one read-only file. */
#define FILE_INO 2
static const char file_name[] = "abi";
static const char file_text[] = "served by libfuse3 ABI\n";

static int fs_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == FILE_INO) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = sizeof(file_text) - 1;
	} else {
		return -ENOENT;
	}
	return 0;
}

static void mll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	if (parent != FUSE_ROOT_ID || strcmp(name, file_name) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = FILE_INO;
	e.attr_timeout = 1.0;
	e.entry_timeout = 1.0;
	fs_stat(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void mll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (fs_stat(ino, &st) < 0)
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, 1.0);
}

static void mll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	const char *names[] = { ".", "..", file_name };
	fuse_ino_t inos[] = { FUSE_ROOT_ID, FUSE_ROOT_ID, FILE_INO };
	char buf[512];
	size_t used = 0;

	(void)fi;
	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (off_t i = off; i < 3; i++) {
		struct stat st;
		size_t n;

		fs_stat(inos[i], &st);
		n = fuse_add_direntry(req, buf + used, size - used, names[i], &st, i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void mll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO)
		fuse_reply_err(req, EISDIR);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY)
		fuse_reply_err(req, EACCES);
	else
		fuse_reply_open(req, fi);
}

static void mll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	size_t len = sizeof(file_text) - 1;

	(void)ino;
	(void)fi;
	if ((size_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, file_text + off, len - off < size ? len - off : size);
}

static const struct fuse_lowlevel_ops mount_ll_ops = {
	.lookup = mll_lookup,
	.getattr = mll_getattr,
	.readdir = mll_readdir,
	.open = mll_open,
	.read = mll_read,
};

static int mhl_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	if (strcmp(path, "/") == 0)
		return fs_stat(FUSE_ROOT_ID, st);
	if (strcmp(path + 1, file_name) == 0)
		return fs_stat(FILE_INO, st);
	return -ENOENT;
}

static int mhl_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, (enum fuse_fill_dir_flags)0);
	fill(buf, "..", NULL, 0, (enum fuse_fill_dir_flags)0);
	fill(buf, file_name, NULL, 0, (enum fuse_fill_dir_flags)0);
	return 0;
}

static int mhl_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path + 1, file_name) != 0)
		return -ENOENT;
	return (fi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}

static int mhl_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	size_t len = sizeof(file_text) - 1;

	(void)path;
	(void)fi;
	if ((size_t)off >= len)
		return 0;
	if (size > len - off)
		size = len - off;
	memcpy(buf, file_text + off, size);
	return (int)size;
}

static const struct fuse_operations mount_hl_ops = {
	.getattr = mhl_getattr,
	.readdir = mhl_readdir,
	.open = mhl_open,
	.read = mhl_read,
};

/* The loop runs in a thread so that this process can use the mount. */
struct server {
	struct fuse_session *se;
	struct fuse *f;
	int rc;
};

static void *serve(void *arg)
{
	struct server *s = arg;

#if FUSE_USE_VERSION < 32
	/* fuse_*loop_mt_31@FUSE_3.2 */
	s->rc = s->f ? fuse_loop_mt(s->f, 0) : fuse_session_loop_mt(s->se, 0);
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
	/* fuse_*loop_mt_32@FUSE_3.2 */
	struct fuse_loop_config config = { .clone_fd = 0, .max_idle_threads = 4 };

	s->rc = s->f ? fuse_loop_mt(s->f, &config) : fuse_session_loop_mt(s->se, &config);
#else
	/* fuse_*loop_mt@@FUSE_3.12 */
	struct fuse_loop_config *config = fuse_loop_cfg_create();

	fuse_loop_cfg_set_max_threads(config, 4);
	fuse_loop_cfg_set_clone_fd(config, 1);
	s->rc = s->f ? fuse_loop_mt(s->f, config) : fuse_session_loop_mt(s->se, config);
	fuse_loop_cfg_destroy(config);
#endif
	return NULL;
}

static bool is_fuse_mount(const char *mnt)
{
	char line[1024], path[PATH_MAX], fstype[64];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", path) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(path, mnt) == 0 && strncmp(fstype, "fuse", 4) == 0)
			found = true;
	}
	fclose(f);
	return found;
}

/* What a user of the mount sees. */
static void check_mounted_fs(const char *mnt)
{
	char path[PATH_MAX], buf[128];
	struct stat st;
	ssize_t n;
	int fd, seen = 0;
	DIR *d;

	CHECK(is_fuse_mount(mnt));
	snprintf(path, sizeof(path), "%s/%s", mnt, file_name);
	CHECK(stat(path, &st) == 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == (off_t)sizeof(file_text) - 1);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		CHECK(n == (ssize_t)sizeof(file_text) - 1);
		CHECK(n > 0 && memcmp(buf, file_text, n) == 0);
		close(fd);
	}
	CHECK(open(path, O_WRONLY) < 0 && errno == EACCES);
	snprintf(path, sizeof(path), "%s/missing", mnt);
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	d = opendir(mnt);
	CHECK(d != NULL);
	if (d) {
		struct dirent *de;

		while ((de = readdir(d)))
			seen += strcmp(de->d_name, file_name) == 0;
		closedir(d);
	}
	CHECK(seen == 1);
}

/* Unmounting ends the loop; wait for it, at most 10 s. */
static void unmount_and_join(const char *mnt, pthread_t thread, struct server *s)
{
	struct timespec deadline;

	CHECK(umount2(mnt, 0) == 0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	if (pthread_timedjoin_np(thread, NULL, &deadline) != 0) {
		fprintf(stderr, "abi-prog: the loop did not end after unmount\n");
		exit(1);
	}
	CHECK(s->rc == 0);
}

static void test_mount_lowlevel(const char *mnt)
{
	char *argv[] = { "abi-prog", "-o", "fsname=abi-ll", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct server s = { 0 };
	pthread_t thread;

	s.se = fuse_session_new(&args, &mount_ll_ops, sizeof(mount_ll_ops), NULL);
	CHECK(s.se != NULL);
	if (!s.se)
		return;
	if (fuse_session_mount(s.se, mnt) != 0) {
		CHECK(!"fuse_session_mount");
		fuse_session_destroy(s.se);
		return;
	}
	CHECK(fuse_session_fd(s.se) >= 0);
	CHECK(pthread_create(&thread, NULL, serve, &s) == 0);
	check_mounted_fs(mnt);
	unmount_and_join(mnt, thread, &s);
	fuse_session_unmount(s.se);
	fuse_session_destroy(s.se);
	fuse_opt_free_args(&args);
	printf("abi-prog(%d): low-level mount served and unmounted\n", FUSE_USE_VERSION);
}

static void test_mount_highlevel(const char *mnt)
{
	char *argv[] = { "abi-prog", "-o", "fsname=abi-hl", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct server s = { 0 };
	pthread_t thread;

	s.f = fuse_new(&args, &mount_hl_ops, sizeof(mount_hl_ops), NULL);
	CHECK(s.f != NULL);
	if (!s.f)
		return;
	if (fuse_mount(s.f, mnt) != 0) {
		CHECK(!"fuse_mount");
		fuse_destroy(s.f);
		return;
	}
	CHECK(pthread_create(&thread, NULL, serve, &s) == 0);
	check_mounted_fs(mnt);
	unmount_and_join(mnt, thread, &s);
	fuse_unmount(s.f);
	fuse_destroy(s.f);
	fuse_opt_free_args(&args);
	printf("abi-prog(%d): high-level mount served and unmounted\n", FUSE_USE_VERSION);
}

int main(int argc, char *argv[])
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s PATH-OF-libfuse3.so.3 [MOUNTPOINT]\n", argv[0]);
		return 2;
	}
	if (check_loaded_library(argv[1]) < 0)
		return 1;
	CHECK(fuse_version() == FUSE_VERSION);
	CHECK(fuse_pkgversion() != NULL);
	test_opt();
	test_log_and_buf();
	test_session();
	test_cmdline();
	test_highlevel();
	if (argc == 3 && !failures) {
		test_mount_lowlevel(argv[2]);
		test_mount_highlevel(argv[2]);
	}
	if (failures) {
		fprintf(stderr, "abi-prog(%d): %d check(s) failed\n", FUSE_USE_VERSION, failures);
		return 1;
	}
	printf("abi-prog(%d): all checks passed\n", FUSE_USE_VERSION);
	return 0;
}
