// SPDX-License-Identifier: LGPL-2.1-or-later
/* CUSE: character devices served through a low-level session
 *
 * A CUSE session is an ordinary session with two differences: its first
 * request is CUSE_INIT, whose answer tells the kernel which device to
 * create (cuse_init_out, then the "KEY=value" strings of cuse_info), and
 * its op table forwards the file operations to struct cuse_lowlevel_ops,
 * which take no inode (the device is the only file).  Everything after
 * CUSE_INIT runs through lowlevel.c's table unchanged: the adapters below
 * only drop the inode.  cuse_lowlevel_setup/main are the command-line
 * wrappers, what fuse_main is for a filesystem. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuse_lowlevel.h"
#include "fuse_i.h"
#include "fuse_log.h"
#include "proto.h"

/* Where the kernel's CUSE channel is (the cuse module). */
#define CUSE_DEVICE "/dev/cuse"

/* The kernel splits reads larger than this; libfuse 3.14 answers the
 * same value. */
#define CUSE_MAX_READ (128 * 1024)

struct cuse_data {
	struct cuse_lowlevel_ops clop;
	unsigned dev_major;
	unsigned dev_minor;
	unsigned flags;
	size_t info_len;
	char info[];            /* the dev_info strings, each NUL-terminated */
};

static void cuse_data_freep(struct cuse_data **cd)
{
	free(*cd);
}

/* ---- the session ---- */

static const struct cuse_lowlevel_ops *clop_of(fuse_req_t req)
{
	return &req->se->cuse->clop;
}

static void cuse_ll_open(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	clop_of(req)->open(req, fi);
}

static void cuse_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	clop_of(req)->read(req, size, off, fi);
}

static void cuse_ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			  size_t size, off_t off, struct fuse_file_info *fi)
{
	clop_of(req)->write(req, buf, size, off, fi);
}

static void cuse_ll_flush(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	clop_of(req)->flush(req, fi);
}

static void cuse_ll_release(fuse_req_t req, fuse_ino_t ino,
			    struct fuse_file_info *fi)
{
	clop_of(req)->release(req, fi);
}

static void cuse_ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
			  struct fuse_file_info *fi)
{
	clop_of(req)->fsync(req, datasync, fi);
}

static void cuse_ll_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
			  void *arg, struct fuse_file_info *fi, unsigned flags,
			  const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	clop_of(req)->ioctl(req, (int)cmd, arg, fi, flags, in_buf, in_bufsz,
			    out_bufsz);
}

static void cuse_ll_poll(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	clop_of(req)->poll(req, fi, ph);
}

/* Only the members the program set: the others keep lowlevel.c's default
 * answers (open succeeds, release is fine, the rest ENOSYS). */
static void fill_ops(struct fuse_lowlevel_ops *lop,
		     const struct cuse_lowlevel_ops *clop)
{
	memset(lop, 0, sizeof(*lop));
	lop->destroy = clop->destroy;
	if (clop->open)
		lop->open = cuse_ll_open;
	if (clop->read)
		lop->read = cuse_ll_read;
	if (clop->write)
		lop->write = cuse_ll_write;
	if (clop->flush)
		lop->flush = cuse_ll_flush;
	if (clop->release)
		lop->release = cuse_ll_release;
	if (clop->fsync)
		lop->fsync = cuse_ll_fsync;
	if (clop->ioctl)
		lop->ioctl = cuse_ll_ioctl;
	if (clop->poll)
		lop->poll = cuse_ll_poll;
}

static bool has_devname(const struct cuse_info *ci)
{
	for (unsigned i = 0; i < ci->dev_info_argc; i++)
		if (strncmp(ci->dev_info_argv[i], "DEVNAME=", 8) == 0 &&
		    ci->dev_info_argv[i][8])
			return true;
	return false;
}

/* The answer to CUSE_INIT, prepared once. */
static struct cuse_data *cuse_data_new(const struct cuse_info *ci,
				       const struct cuse_lowlevel_ops *clop)
{
	struct cuse_data *cd;
	size_t len = 0;
	char *p;

	if (!ci || !clop || (ci->dev_info_argc && !ci->dev_info_argv)) {
		fuse_log(FUSE_LOG_ERR, "cuse: no device info or operations\n");
		return NULL;
	}
	for (unsigned i = 0; i < ci->dev_info_argc; i++) {
		if (!ci->dev_info_argv[i]) {
			fuse_log(FUSE_LOG_ERR,
				 "cuse: dev_info_argv[%u] is NULL\n", i);
			return NULL;
		}
		len += strlen(ci->dev_info_argv[i]) + 1;
	}
	/* The kernel reads at most one page of strings and makes no
	 * device without a name. */
	if (len > CUSE_INIT_INFO_MAX) {
		fuse_log(FUSE_LOG_ERR,
			 "cuse: device info of %zu bytes, more than the %u the kernel takes\n",
			 len, CUSE_INIT_INFO_MAX);
		return NULL;
	}
	if (!has_devname(ci)) {
		fuse_log(FUSE_LOG_ERR,
			 "cuse: device info has no DEVNAME=name\n");
		return NULL;
	}

	cd = calloc(1, sizeof(*cd) + len);
	if (!cd) {
		fuse_log(FUSE_LOG_ERR, "cuse: out of memory\n");
		return NULL;
	}
	cd->clop = *clop;
	cd->dev_major = ci->dev_major;
	cd->dev_minor = ci->dev_minor;
	cd->flags = ci->flags & CUSE_UNRESTRICTED_IOCTL;
	cd->info_len = len;
	p = cd->info;
	for (unsigned i = 0; i < ci->dev_info_argc; i++) {
		size_t n = strlen(ci->dev_info_argv[i]) + 1;

		memcpy(p, ci->dev_info_argv[i], n);
		p += n;
	}
	return cd;
}

struct fuse_session *cuse_lowlevel_new(struct fuse_args *args,
				       const struct cuse_info *ci,
				       const struct cuse_lowlevel_ops *clop,
				       void *userdata)
{
	__attribute__((cleanup(cuse_data_freep))) struct cuse_data *cd = NULL;
	struct fuse_lowlevel_ops lop;
	struct fuse_session *se;

	cd = cuse_data_new(ci, clop);
	if (!cd)
		return NULL;
	fill_ops(&lop, clop);
	se = fuse_session_new(args, &lop, sizeof(lop), userdata);
	if (!se)
		return NULL;
	se->cuse = cd;
	cd = NULL;
	return se;
}

void fuse_cuse_do_init(struct fuse_req *req, const struct proto_req *p)
{
	struct fuse_session *se = req->se;
	const struct cuse_data *cd = se->cuse;
	const struct cuse_init_in *arg = p->arg;
	unsigned max_write_cap = (unsigned)(se->bufsize - FUSE_BUFFER_HEADER_SIZE);
	struct cuse_init_out out;
	struct iovec iov[3];

	if (se->debug)
		fuse_log(FUSE_LOG_DEBUG, "CUSE_INIT: %u.%u, flags=0x%08x\n",
			 arg->major, arg->minor, arg->flags);
	if (arg->major < 7) {
		fuse_log(FUSE_LOG_ERR,
			 "cuse: kernel protocol %u.%u is not supported\n",
			 arg->major, arg->minor);
		se->error = -EPROTO;
		fuse_reply_err(req, EPROTO);
		fuse_session_exit(se);
		return;
	}

	se->conn.proto_major = arg->major;
	se->conn.proto_minor = arg->minor;
	se->conn.capable = 0;
	se->conn.want = 0;
	/* init sees what a request buffer can take, and may lower it. */
	if (se->conn.max_write > max_write_cap)
		se->conn.max_write = max_write_cap;
	se->got_init = true;
	if (cd->clop.init)
		cd->clop.init(se->userdata, &se->conn);
	if (se->conn.max_write > max_write_cap)
		se->conn.max_write = max_write_cap;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = FUSE_KERNEL_MINOR_VERSION;
	out.flags = cd->flags;
	out.max_read = CUSE_MAX_READ;
	out.max_write = se->conn.max_write;
	out.dev_major = cd->dev_major;
	out.dev_minor = cd->dev_minor;
	if (se->debug)
		fuse_log(FUSE_LOG_DEBUG,
			 "   CUSE_INIT: %u.%u, flags=0x%08x, max_read=%u, max_write=%u, dev=%u:%u\n",
			 out.major, out.minor, out.flags, out.max_read,
			 out.max_write, out.dev_major, out.dev_minor);

	iov[1].iov_base = &out;
	iov[1].iov_len = sizeof(out);
	iov[2].iov_base = (void *)cd->info;
	iov[2].iov_len = cd->info_len;
	/* The device exists once the kernel has the answer: only then. */
	if (fuse_send_reply_iov(req, 0, iov, 3) == 0 && cd->clop.init_done)
		cd->clop.init_done(se->userdata);
}

/* ---- the command line ---- */

/* fuse_parse_cmdline gives a filesystem a default subtype=; a device has
 * no filesystem type. */
static const struct fuse_opt drop_subtype[] = {
	FUSE_OPT_KEY("subtype=", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_END
};

static void cuse_help(const char *progname)
{
	printf("usage: %s [options]\n\n", progname);
	printf("CUSE options:\n");
	fuse_cmdline_help();
}

/* fds 0-2 open, so that /dev/cuse never becomes one of them and a stray
 * printf cannot write to the device. */
static void open_std_fds(void)
{
	int fd;

	do {
		fd = open("/dev/null", O_RDWR);
		if (fd > 2)
			close(fd);
	} while (fd >= 0 && fd <= 2);
}

/* cuse_lowlevel_setup, telling an error (-errno, logged) from -h or -V
 * (1, nothing to run) for cuse_lowlevel_main's exit code.  On 0 *sep is
 * the running session and *opts the parsed command line. */
static int cuse_setup(int argc, char *argv[], const struct cuse_info *ci,
		      const struct cuse_lowlevel_ops *clop, void *userdata,
		      struct fuse_cmdline_opts *opts, struct fuse_session **sep)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_session *se = NULL;
	int fd, r;

	*sep = NULL;
	memset(opts, 0, sizeof(*opts));
	if (fuse_parse_cmdline_312(&args, opts) != 0) {
		r = -EINVAL;
		goto out;
	}
	if (opts->show_version) {
		printf("FUSE library version %s\n", fuse_pkgversion());
		fuse_lowlevel_version();
		r = 1;
		goto out;
	}
	if (opts->show_help) {
		cuse_help(argc > 0 && argv[0] ? argv[0] : "cuse");
		r = 1;
		goto out;
	}
	if (opts->mountpoint) {
		fuse_log(FUSE_LOG_ERR,
			 "cuse: unexpected argument `%s': a device has no mount point\n",
			 opts->mountpoint);
		r = -EINVAL;
		goto out;
	}
	if (fuse_opt_parse(&args, NULL, drop_subtype, NULL) != 0) {
		r = -ENOMEM;
		goto out;
	}

	open_std_fds();
	se = cuse_lowlevel_new(&args, ci, clop, userdata);
	if (!se) {
		r = -EINVAL;
		goto out;
	}
	fd = open(CUSE_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT || r == -ENODEV)
			fuse_log(FUSE_LOG_ERR,
				 "cuse: cannot open %s: %s (is the cuse module loaded?)\n",
				 CUSE_DEVICE, strerror(-r));
		else
			fuse_log(FUSE_LOG_ERR, "cuse: cannot open %s: %s\n",
				 CUSE_DEVICE, strerror(-r));
		goto out;
	}
	se->fd = fd;
	if (fuse_set_signal_handlers(se) != 0) {
		r = -EIO;
		goto out;
	}
	if (fuse_daemonize(opts->foreground) != 0) {
		fuse_remove_signal_handlers(se);
		r = -EIO;
		goto out;
	}
	*sep = se;
	se = NULL;
	r = 0;
out:
	fuse_session_destroy(se);
	free(opts->mountpoint);
	opts->mountpoint = NULL;
	fuse_opt_free_args(&args);
	return r;
}

struct fuse_session *cuse_lowlevel_setup(int argc, char *argv[],
					 const struct cuse_info *ci,
					 const struct cuse_lowlevel_ops *clop,
					 int *multithreaded, void *userdata)
{
	struct fuse_cmdline_opts opts;
	struct fuse_session *se;

	if (cuse_setup(argc, argv, ci, clop, userdata, &opts, &se) != 0)
		return NULL;
	if (multithreaded)
		*multithreaded = !opts.singlethread;
	return se;
}

void cuse_lowlevel_teardown(struct fuse_session *se)
{
	if (!se)
		return;
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
}

int cuse_lowlevel_main(int argc, char *argv[], const struct cuse_info *ci,
		       const struct cuse_lowlevel_ops *clop, void *userdata)
{
	struct fuse_cmdline_opts opts;
	struct fuse_loop_config *config;
	struct fuse_session *se;
	int r;

	r = cuse_setup(argc, argv, ci, clop, userdata, &opts, &se);
	if (r != 0)
		return r > 0 ? 0 : 1;
	if (opts.singlethread) {
		r = fuse_session_loop(se);
	} else {
		config = fuse_loop_cfg_create();
		if (!config) {
			fuse_log(FUSE_LOG_ERR, "cuse: out of memory\n");
			r = -ENOMEM;
		} else {
			fuse_loop_cfg_set_clone_fd(config, (unsigned)opts.clone_fd);
			fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
			fuse_loop_cfg_set_max_threads(config, opts.max_threads);
			r = fuse_session_loop_mt_312(se, config);
			fuse_loop_cfg_destroy(config);
		}
	}
	cuse_lowlevel_teardown(se);
	/* A signal ending the loop is a clean end. */
	return r < 0 ? 1 : 0;
}
