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
 *
 * usage: abi-prog PATH-OF-OUR-libfuse3.so.3
 */
#include <fuse.h>
#include <fuse_lowlevel.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
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

static char logged[256];

static void capture(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	vsnprintf(logged, sizeof(logged), fmt, ap);
}

static void test_log_and_buf(void)
{
	char src[] = "0123456789", dst[10] = { 0 };
	struct fuse_bufvec s = FUSE_BUFVEC_INIT(10), d = FUSE_BUFVEC_INIT(10);

	fuse_set_log_func(capture);
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

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-OF-libfuse3.so.3\n", argv[0]);
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
	if (failures) {
		fprintf(stderr, "abi-prog(%d): %d check(s) failed\n", FUSE_USE_VERSION, failures);
		return 1;
	}
	printf("abi-prog(%d): all checks passed\n", FUSE_USE_VERSION);
	return 0;
}
