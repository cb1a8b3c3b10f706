// SPDX-License-Identifier: LGPL-2.1-or-later
/* struct fuse: construction from options, the module stack, mounting,
 * loops, the remember= cleaner, teardown and fuse_main(). */
#include "highlevel-i.h"
#include "symver.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_INTR_SIGNAL SIGUSR1

enum {
	KEY_DEBUG,
	KEY_HELP,
	KEY_UMASK,
	KEY_FMASK,
	KEY_DMASK,
	KEY_UID,
	KEY_GID,
	KEY_AC_ATTR_TIMEOUT,
	KEY_MODULES,
};

#define LIB_OPT(t, field, v) { t, offsetof(struct fuse, field), v }

static const struct fuse_opt lib_opts[] = {
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	LIB_OPT("auto_cache", conf.auto_cache, 1),
	LIB_OPT("noauto_cache", conf.auto_cache, 0),
	LIB_OPT("no_rofd_flush", conf.no_rofd_flush, 1),
	FUSE_OPT_KEY("umask=", KEY_UMASK),
	FUSE_OPT_KEY("fmask=", KEY_FMASK),
	FUSE_OPT_KEY("dmask=", KEY_DMASK),
	FUSE_OPT_KEY("uid=", KEY_UID),
	FUSE_OPT_KEY("gid=", KEY_GID),
	LIB_OPT("entry_timeout=%lf", conf.entry_timeout, 0),
	LIB_OPT("attr_timeout=%lf", conf.attr_timeout, 0),
	FUSE_OPT_KEY("ac_attr_timeout=", KEY_AC_ATTR_TIMEOUT),
	LIB_OPT("negative_timeout=%lf", conf.negative_timeout, 0),
	LIB_OPT("noforget", conf.remember, -1),
	LIB_OPT("remember=%u", conf.remember, 0),
	FUSE_OPT_KEY("modules=", KEY_MODULES),
	LIB_OPT("hard_remove", conf.hard_remove, 1),
	LIB_OPT("use_ino", conf.use_ino, 1),
	LIB_OPT("readdir_ino", conf.readdir_ino, 1),
	LIB_OPT("direct_io", conf.direct_io, 1),
	LIB_OPT("kernel_cache", conf.kernel_cache, 1),
	LIB_OPT("intr", conf.intr, 1),
	LIB_OPT("intr_signal=%d", conf.intr_signal, 0),
	FUSE_OPT_END
};

static int parse_num(const char *arg, int base, unsigned long max,
		     unsigned long *ret)
{
	const char *v = strchr(arg, '=') + 1;
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, base);
	if (!*v || *end || errno || n > max || *v == '-') {
		fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option '%s'\n",
			 arg);
		return -1;
	}
	*ret = n;
	return 0;
}

static int lib_opt_proc(void *data, const char *arg, int key,
			struct fuse_args *outargs)
{
	struct fuse *f = data;
	unsigned long n;
	char *end;

	(void)outargs;
	switch (key) {
	case KEY_DEBUG:
		f->conf.debug = 1;
		return 1;	/* the session wants it too */
	case KEY_HELP:
		f->conf.show_help = 1;
		return 0;
	case KEY_UMASK:
		if (parse_num(arg, 8, 0777, &n) < 0)
			return -1;
		f->conf.set_mode = 1;
		f->conf.umask = (unsigned)n;
		return 0;
	case KEY_FMASK:
	case KEY_DMASK:
		if (parse_num(arg, 8, 0777, &n) < 0)
			return -1;
		f->conf.set_mode = 1;
		if (key == KEY_FMASK) {
			f->fmask = (unsigned)n;
			f->set_fmask = true;
		} else {
			f->dmask = (unsigned)n;
			f->set_dmask = true;
		}
		return 0;
	case KEY_UID:
	case KEY_GID:
		/* libfuse 3.14 reads these as %d: uid=-1 is (uid_t)-1, which
		 * the kernel shows as the overflow uid. */
		if (strchr(arg, '=')[1] == '-') {
			long v = strtol(strchr(arg, '=') + 1, &end, 10);
			if (*end || v < INT_MIN || end == strchr(arg, '=') + 2) {
				fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option '%s'\n", arg);
				return -1;
			}
			n = (unsigned)(int)v;
		} else if (parse_num(arg, 10, 0xffffffffUL, &n) < 0)
			return -1;
		if (key == KEY_UID) {
			f->conf.set_uid = 1;
			f->conf.uid = (unsigned)n;
		} else {
			f->conf.set_gid = 1;
			f->conf.gid = (unsigned)n;
		}
		return 0;
	case KEY_AC_ATTR_TIMEOUT:
		errno = 0;
		f->conf.ac_attr_timeout = strtod(strchr(arg, '=') + 1, &end);
		if (*end || errno) {
			fuse_log(FUSE_LOG_ERR,
				 "fuse: invalid value in option '%s'\n", arg);
			return -1;
		}
		f->conf.ac_attr_timeout_set = 1;
		return 0;
	case KEY_MODULES: {
		/* several modules= options stack in order */
		const char *v = strchr(arg, '=') + 1;
		char *m;

		if (f->conf.modules) {
			if (asprintf(&m, "%s:%s", f->conf.modules, v) < 0)
				return -1;
			free(f->conf.modules);
		} else {
			m = strdup(v);
			if (!m)
				return -1;
		}
		f->conf.modules = m;
		return 0;
	}
	default:
		return 1;	/* the session's options, or an error there */
	}
}

void fuse_lib_help(struct fuse_args *args)
{
	bool modules = true;

	printf(
"    -o hard_remove         unlink open files at once (no .fuse_hidden*)\n"
"    -o use_ino             take inode numbers from the file system\n"
"    -o readdir_ino         fill in d_ino in readdir when known\n"
"    -o direct_io           bypass the page cache for every file\n"
"    -o kernel_cache        keep file data cached across opens\n"
"    -o [no]auto_cache      keep it while mtime and size stay (off)\n"
"    -o no_rofd_flush       no flush when a read-only file is closed\n"
"    -o umask=M             permission bits of every file (octal)\n"
"    -o fmask=M / dmask=M   the same, for files / directories only\n"
"    -o uid=N               owner of every file\n"
"    -o gid=N               group of every file\n"
"    -o entry_timeout=T     seconds names stay cached (1.0)\n"
"    -o negative_timeout=T  seconds missing names stay cached (0.0)\n"
"    -o attr_timeout=T      seconds attributes stay cached (1.0)\n"
"    -o ac_attr_timeout=T   auto_cache attribute timeout (attr_timeout)\n"
"    -o noforget            never forget inodes\n"
"    -o remember=T          remember forgotten inodes for T seconds (0)\n"
"    -o modules=M1[:M2...]  modules to stack on the file system\n"
"    -o intr                let the kernel interrupt requests\n"
"    -o intr_signal=NUM     signal sent on interrupt (%d)\n"
"\n", DEFAULT_INTR_SIGNAL);
	fuse_lowlevel_help();
	for (int i = 0; args && i < args->argc; i++)
		if (strcmp(args->argv[i], "-ho") == 0)
			modules = false;
	if (modules)
		hl_module_help();
}

static void intr_sighandler(int sig)
{
	(void)sig;	/* only there to make syscalls return EINTR */
}

int hl_install_intr(struct fuse *f)
{
	struct sigaction sa = { .sa_handler = intr_sighandler };

	if (sigaction(f->conf.intr_signal, NULL, &f->old_intr_sa) < 0)
		return -errno;
	if (f->old_intr_sa.sa_handler == SIG_DFL) {
		sigemptyset(&sa.sa_mask);
		if (sigaction(f->conf.intr_signal, &sa, NULL) < 0)
			return -errno;
		f->intr_installed = true;
	}
	/* else the program's own handler stays */
	f->intr_ready = true;
	return 0;
}

static int push_modules(struct fuse *f, struct fuse_args *args)
{
	char *list, *save = NULL;
	int r = 0;

	if (!f->conf.modules)
		return 0;
	list = strdup(f->conf.modules);
	if (!list)
		return -ENOMEM;
	for (char *m = strtok_r(list, ":", &save); m && r == 0;
	     m = strtok_r(NULL, ":", &save))
		r = hl_module_push(m, args, &f->fs);
	free(list);
	return r;
}

struct fuse *fuse_new_31(struct fuse_args *args,
			 const struct fuse_operations *op, size_t op_size,
			 void *user_data);
#if FUSED_SOVERSION >= 4
/* libfuse3.so.4 binaries reach it through _fuse_new_31 (entry-317.c) */
FUSE_SYMVER(fuse_new_31, "fuse_new@FUSE_3.1");
#else
FUSE_SYMVER(fuse_new_31, "fuse_new@@FUSE_3.1");
#endif
struct fuse *fuse_new_31(struct fuse_args *args,
			 const struct fuse_operations *op, size_t op_size,
			 void *user_data)
{
	struct fuse *f = calloc(1, sizeof(*f));

	if (!f) {
		fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
		return NULL;
	}
	pthread_mutex_init(&f->cleanup_lock, NULL);
	pthread_cond_init(&f->cleanup_cond, NULL);
	f->conf.entry_timeout = 1.0;
	f->conf.attr_timeout = 1.0;
	f->conf.intr_signal = DEFAULT_INTR_SIGNAL;
	f->fs = fuse_fs_new(op, op_size, user_data);
	if (!f->fs)
		goto fail;
	if (fuse_opt_parse(args, f, lib_opts, lib_opt_proc) == -1)
		goto fail;
	if (f->conf.show_help) {
		fuse_lib_help(args);
		goto fail;
	}
	if (push_modules(f, args) < 0)
		goto fail;
	if (!f->conf.ac_attr_timeout_set)
		f->conf.ac_attr_timeout = f->conf.attr_timeout;
	f->se = fuse_session_new(args, &hl_lowlevel_ops,
				 sizeof(hl_lowlevel_ops), f);
	if (!f->se)
		goto fail;
	/* debug traces the top of the stack */
	f->fs->debug = f->conf.debug;
	if (f->conf.debug)
		fuse_log(FUSE_LOG_DEBUG, "nullpath_ok: %i\n",
			 f->conf.nullpath_ok);
	if (hl_table_init(&f->table, f->conf.remember) < 0) {
		fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
		goto fail_session;
	}
	if (f->conf.intr && hl_install_intr(f) < 0) {
		fuse_log(FUSE_LOG_ERR, "fuse: cannot set up intr_signal %d\n",
			 f->conf.intr_signal);
		hl_table_deinit(&f->table);
		goto fail_session;
	}
	return f;

fail_session:
	fuse_session_destroy(f->se);
fail:
	/* module factories own what is below them only on success; what
	 * is on top here is freed without its destroy (never initialized) */
	free(f->fs);
	free(f->conf.modules);
	pthread_cond_destroy(&f->cleanup_cond);
	pthread_mutex_destroy(&f->cleanup_lock);
	free(f);
	return NULL;
}

struct fuse *fuse_new_30(struct fuse_args *args,
			 const struct fuse_operations *op, size_t op_size,
			 void *user_data);
FUSE_SYMVER(fuse_new_30, "fuse_new@FUSE_3.0");
struct fuse *fuse_new_30(struct fuse_args *args,
			 const struct fuse_operations *op, size_t op_size,
			 void *user_data)
{
	static const struct fuse_opt help_opts[] = {
		FUSE_OPT_KEY("-h", KEY_HELP),
		FUSE_OPT_KEY("--help", KEY_HELP),
		FUSE_OPT_END
	};
	struct fuse probe;

	/* 3.0 printed the library's help from fuse_new() */
	memset(&probe, 0, sizeof(probe));
	if (fuse_opt_parse(args, &probe, help_opts, lib_opt_proc) == -1)
		return NULL;
	if (probe.conf.show_help) {
		fuse_lib_help(args);
		return NULL;
	}
	return fuse_new_31(args, op, op_size, user_data);
}

int fuse_mount(struct fuse *f, const char *mountpoint)
{
	return fuse_session_mount(f->se, mountpoint);
}

void fuse_unmount(struct fuse *f)
{
	fuse_session_unmount(f->se);
}

struct fuse_session *fuse_get_session(struct fuse *f)
{
	return f->se;
}

void fuse_exit(struct fuse *f)
{
	fuse_session_exit(f->se);
}

int fuse_notify_poll(struct fuse_pollhandle *ph)
{
	return fuse_lowlevel_notify_poll(ph);
}

int fuse_invalidate_path(struct fuse *f, const char *path)
{
	uint64_t id;
	int r = hl_path_resolve(&f->table, path, &id);

	if (r < 0)
		return r;
	return fuse_lowlevel_notify_inval_inode(f->se, id, 0, 0);
}

int fuse_clean_cache(struct fuse *f)
{
	return hl_table_clean(&f->table);
}

static void *cleanup_main(void *arg)
{
	struct fuse *f = arg;

	pthread_mutex_lock(&f->cleanup_lock);
	while (!f->cleanup_stop) {
		struct timespec ts;
		int secs;

		pthread_mutex_unlock(&f->cleanup_lock);
		secs = fuse_clean_cache(f);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += secs;
		pthread_mutex_lock(&f->cleanup_lock);
		if (!f->cleanup_stop)
			pthread_cond_timedwait(&f->cleanup_cond,
					       &f->cleanup_lock, &ts);
	}
	pthread_mutex_unlock(&f->cleanup_lock);
	return NULL;
}

int fuse_start_cleanup_thread(struct fuse *f)
{
	sigset_t all, old;
	int r;

	if (f->conf.remember <= 0 || f->cleanup_running)
		return 0;
	f->cleanup_stop = false;
	/* signals are for the loop's thread, not this one */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&f->cleanup_thread, NULL, cleanup_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		fuse_log(FUSE_LOG_ERR, "fuse: cannot start cleanup thread: %s\n",
			 strerror(r));
		return -1;
	}
	f->cleanup_running = true;
	return 0;
}

void fuse_stop_cleanup_thread(struct fuse *f)
{
	if (!f->cleanup_running)
		return;
	pthread_mutex_lock(&f->cleanup_lock);
	f->cleanup_stop = true;
	pthread_cond_signal(&f->cleanup_cond);
	pthread_mutex_unlock(&f->cleanup_lock);
	pthread_join(f->cleanup_thread, NULL);
	f->cleanup_running = false;
}

int fuse_loop(struct fuse *f)
{
	int r;

	if (!f)
		return -1;
	if (fuse_start_cleanup_thread(f) < 0)
		return -1;
	r = fuse_session_loop(f->se);
	fuse_stop_cleanup_thread(f);
	return r;
}

int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config);
FUSE_SYMVER(fuse_loop_mt_312, "fuse_loop_mt@@FUSE_3.12");
int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config)
{
	int r;

	if (!f)
		return -1;
	if (fuse_start_cleanup_thread(f) < 0)
		return -1;
	r = fuse_session_loop_mt_312(f->se, config);
	fuse_stop_cleanup_thread(f);
	return r;
}

int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *v1);
FUSE_SYMVER(fuse_loop_mt_32, "fuse_loop_mt@FUSE_3.2");
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *v1)
{
	struct fuse_loop_config *c = fuse_loop_cfg_create();
	int r;

	if (!c)
		return -ENOMEM;
	if (v1)
		fuse_loop_cfg_convert(c, v1);
	r = fuse_loop_mt_312(f, c);
	fuse_loop_cfg_destroy(c);
	return r;
}

int fuse_loop_mt_31(struct fuse *f, int clone_fd);
FUSE_SYMVER(fuse_loop_mt_31, "fuse_loop_mt@FUSE_3.0");
int fuse_loop_mt_31(struct fuse *f, int clone_fd)
{
	struct fuse_loop_config *c = fuse_loop_cfg_create();
	int r;

	if (!c)
		return -ENOMEM;
	fuse_loop_cfg_set_clone_fd(c, (unsigned)clone_fd);
	r = fuse_loop_mt_312(f, c);
	fuse_loop_cfg_destroy(c);
	return r;
}

/* Open-but-unlinked files still carry hidden names; at the end nobody
 * can open them any more. */
static void unlink_hidden(struct fuse *f)
{
	uint64_t *ids = NULL;
	int n;

	pthread_mutex_lock(&f->table.lock);
	n = hl_table_hidden(&f->table, &ids);
	pthread_mutex_unlock(&f->table.lock);
	for (int i = 0; i < n; i++) {
		char *path;

		if (hl_path_get(&f->table, ids[i], NULL, &path, NULL, 0) == 0) {
			fuse_fs_unlink(f->fs, path);
			hl_path_put(&f->table, ids[i], NULL);
		}
	}
	free(ids);
}

void fuse_destroy(struct fuse *f)
{
	struct hl_context *c;

	if (!f)
		return;
	fuse_stop_cleanup_thread(f);
	if (f->intr_installed)
		sigaction(f->conf.intr_signal, &f->old_intr_sa, NULL);
	c = hl_context_get();
	memset(c, 0, sizeof(*c));
	c->ctx.fuse = f;
	if (f->fs) {
		c->ctx.private_data = f->fs->user_data;
		unlink_hidden(f);
	}
	/* runs the destroy callback if INIT happened */
	fuse_session_destroy(f->se);
	free(f->fs);	/* never initialized */
	hl_table_deinit(&f->table);
	free(f->conf.modules);
	pthread_cond_destroy(&f->cleanup_cond);
	pthread_mutex_destroy(&f->cleanup_lock);
	free(f);
	memset(c, 0, sizeof(*c));
}

int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op,
		   size_t op_size, void *user_data)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct fuse_loop_config *config;
	struct fuse_session *se;
	struct fuse *f;
	int res;

	memset(&opts, 0, sizeof(opts));
	if (fuse_parse_cmdline_312(&args, &opts) != 0)
		return 1;
	if (opts.show_version) {
		printf("FUSE library version %s\n", fuse_pkgversion());
		fuse_lowlevel_version();
		res = 0;
		goto out_args;
	}
	if (opts.show_help) {
		if (args.argv[0] && args.argv[0][0])
			printf("usage: %s [options] <mountpoint>\n\n",
			       args.argv[0]);
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lib_help(&args);
		res = 0;
		goto out_args;
	}
	if (!opts.mountpoint) {
		fuse_log(FUSE_LOG_ERR, "error: no mountpoint specified\n");
		res = 2;
		goto out_args;
	}
	f = fuse_new_31(&args, op, op_size, user_data);
	if (!f) {
		res = 3;
		goto out_args;
	}
	if (fuse_mount(f, opts.mountpoint) != 0) {
		res = 4;
		goto out_destroy;
	}
	if (fuse_daemonize(opts.foreground) != 0) {
		res = 5;
		goto out_unmount;
	}
	se = fuse_get_session(f);
	if (fuse_set_signal_handlers(se) != 0) {
		res = 6;
		goto out_unmount;
	}
	if (opts.singlethread) {
		res = fuse_loop(f);
	} else {
		config = fuse_loop_cfg_create();
		if (!config) {
			res = 7;
			goto out_signals;
		}
		fuse_loop_cfg_set_clone_fd(config, (unsigned)opts.clone_fd);
		fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
		fuse_loop_cfg_set_max_threads(config, opts.max_threads);
		res = fuse_loop_mt_312(f, config);
		fuse_loop_cfg_destroy(config);
	}
	/* a signal ending the loop is a clean exit */
	res = res < 0 ? 7 : 0;
out_signals:
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return res;
}
