// SPDX-License-Identifier: LGPL-2.1-or-later
/* CUSE tests: a CUSE session driven through an in-memory transport
 *
 * This kernel has no CUSE, so the kernel's side is played here: requests
 * crafted as the cuse module sends them go in through
 * fuse_session_custom_io(), the library's answers are kept and checked
 * byte by byte.  CUSE_INIT at two protocol minors (the answer names the
 * device), then the file operations reach the cuse_lowlevel_ops; refused
 * and truncated requests get errors and reach nothing.  Last, the
 * command-line wrappers: cuse_lowlevel_setup without a /dev/cuse fails
 * with a message naming it and frees what it took. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuse_lowlevel.h"
#include "test-transport.h"
#include "test-util.h"

/* ---- the answers (one request in, through test-transport) ---- */

static const struct fuse_out_header *reply_hdr(void)
{
	return (const struct fuse_out_header *)tio.out;
}

static const void *reply_body(void)
{
	return tio.out + sizeof(struct fuse_out_header);
}

/* Exactly one answer, to unique, with this error and total length. */
static int is_reply(uint64_t unique, int error, size_t len)
{
	const struct fuse_out_header *h = reply_hdr();

	return tio.nmsgs == 1 && h->unique == unique && h->error == error &&
	       h->len == len && tio.outlen == len;
}

/* ---- requests as the kernel frames them ---- */

static union {
	uint64_t align;
	unsigned char b[8192];
} rqbuf;
static size_t rqlen;
static uint64_t next_unique = 2;

static uint64_t rq(uint32_t opcode, const void *arg, size_t arglen,
		   const void *data, size_t datalen)
{
	struct fuse_in_header *h = (struct fuse_in_header *)rqbuf.b;

	memset(h, 0, sizeof(*h));
	h->opcode = opcode;
	h->unique = next_unique;
	next_unique += 2;
	h->nodeid = 1;
	h->pid = (uint32_t)getpid();
	memcpy(rqbuf.b + sizeof(*h), arg, arglen);
	if (datalen)
		memcpy(rqbuf.b + sizeof(*h) + arglen, data, datalen);
	rqlen = sizeof(*h) + arglen + datalen;
	h->len = (uint32_t)rqlen;
	return h->unique;
}

static struct fuse_buf fbuf;

/* Send the request built by rq() through receive and process. */
static void feed(struct fuse_session *se)
{
	int r;

	tio_feed(rqbuf.b, rqlen);
	r = fuse_session_receive_buf(se, &fbuf);
	CHECK(r == (int)rqlen);
	if (r > 0)
		fuse_session_process_buf(se, &fbuf);
}

/* ---- a recording device ---- */

static struct {
	const char *op;
	int inits, init_dones, destroys;
	int init_reply_seen;            /* at init_done: the answer was out */
	unsigned proto_major, proto_minor, init_max_write;
	unsigned lower_max_write;       /* init sets conn->max_write to this */
	void *userdata;
	uint64_t fh;
	int flags;
	size_t size;
	off_t off;
	int datasync;
	int cmd;
	unsigned ioflags;
	void *ioarg;
	size_t in_bufsz, out_bufsz;
	char data[64];
	size_t datalen;
	unsigned poll_events;
	int got_ph;
} rec;

static int tag;                         /* the session's userdata */

static void dev_init(void *ud, struct fuse_conn_info *conn)
{
	rec.inits++;
	rec.userdata = ud;
	rec.proto_major = conn->proto_major;
	rec.proto_minor = conn->proto_minor;
	rec.init_max_write = conn->max_write;
	if (rec.lower_max_write)
		conn->max_write = rec.lower_max_write;
}

static void dev_init_done(void *ud)
{
	rec.init_dones++;
	rec.init_reply_seen = tio.nmsgs == 1;
}

static void dev_destroy(void *ud)
{
	rec.destroys++;
}

static void dev_open(fuse_req_t req, struct fuse_file_info *fi)
{
	rec.op = "open";
	rec.flags = fi->flags;
	rec.userdata = fuse_req_userdata(req);
	fi->fh = 77;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void dev_read(fuse_req_t req, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	rec.op = "read";
	rec.size = size;
	rec.off = off;
	rec.fh = fi->fh;
	fuse_reply_buf(req, "hello", 5);
}

static void dev_write(fuse_req_t req, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	rec.op = "write";
	rec.size = size;
	rec.off = off;
	rec.fh = fi->fh;
	rec.datalen = size < sizeof(rec.data) ? size : sizeof(rec.data);
	memcpy(rec.data, buf, rec.datalen);
	fuse_reply_write(req, size);
}

static void dev_flush(fuse_req_t req, struct fuse_file_info *fi)
{
	rec.op = "flush";
	rec.fh = fi->fh;
	fuse_reply_err(req, 0);
}

static void dev_release(fuse_req_t req, struct fuse_file_info *fi)
{
	rec.op = "release";
	rec.fh = fi->fh;
	rec.flags = fi->flags;
	fuse_reply_err(req, 0);
}

static void dev_fsync(fuse_req_t req, int datasync, struct fuse_file_info *fi)
{
	rec.op = "fsync";
	rec.fh = fi->fh;
	rec.datasync = datasync;
	fuse_reply_err(req, EROFS);
}

static void dev_ioctl(fuse_req_t req, int cmd, void *arg,
		      struct fuse_file_info *fi, unsigned int flags,
		      const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	static const char answer[8] = "ANSWER!";

	rec.op = "ioctl";
	rec.cmd = cmd;
	rec.ioarg = arg;
	rec.fh = fi->fh;
	rec.ioflags = flags;
	rec.in_bufsz = in_bufsz;
	rec.out_bufsz = out_bufsz;
	rec.datalen = in_bufsz < sizeof(rec.data) ? in_bufsz : sizeof(rec.data);
	if (in_buf)
		memcpy(rec.data, in_buf, rec.datalen);
	fuse_reply_ioctl(req, 42, answer, sizeof(answer));
}

static void dev_poll(fuse_req_t req, struct fuse_file_info *fi,
		     struct fuse_pollhandle *ph)
{
	rec.op = "poll";
	rec.fh = fi->fh;
	rec.poll_events = fi->poll_events;
	rec.got_ph = ph != NULL;
	fuse_pollhandle_destroy(ph);
	fuse_reply_poll(req, 0x41);
}

static const struct cuse_lowlevel_ops dev_ops = {
	.init = dev_init,
	.init_done = dev_init_done,
	.destroy = dev_destroy,
	.open = dev_open,
	.read = dev_read,
	.write = dev_write,
	.flush = dev_flush,
	.release = dev_release,
	.fsync = dev_fsync,
	.ioctl = dev_ioctl,
	.poll = dev_poll,
};

static const char *dev_info[] = { "DEVNAME=cusetest", "MODE=0600" };
static const char dev_info_wire[] = "DEVNAME=cusetest\0MODE=0600";

static struct fuse_session *new_dev(unsigned flags)
{
	char *argv[] = { "test-cuse", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct cuse_info ci = {
		.dev_major = 240, .dev_minor = 9,
		.dev_info_argc = 2, .dev_info_argv = dev_info,
		.flags = flags,
	};
	struct fuse_session *se;

	se = cuse_lowlevel_new(&args, &ci, &dev_ops, &tag);
	CHECK(se != NULL);
	if (se)
		CHECK(fuse_session_custom_io(se, &test_io,
					     open("/dev/null", O_RDWR | O_CLOEXEC)) == 0);
	fuse_opt_free_args(&args);
	return se;
}

static uint64_t cuse_init_rq(unsigned major, unsigned minor, unsigned flags,
			     size_t len)
{
	struct cuse_init_in in = {
		.major = major, .minor = minor, .flags = flags,
	};

	return rq(CUSE_INIT, &in, len, NULL, 0);
}

/* ---- CUSE_INIT ---- */

static void test_init(unsigned minor, unsigned ci_flags, unsigned lower)
{
	size_t want_len = sizeof(struct fuse_out_header) +
			  sizeof(struct cuse_init_out) + sizeof(dev_info_wire);
	unsigned full = 256 * (unsigned)sysconf(_SC_PAGESIZE);
	const struct cuse_init_out *out;
	struct fuse_session *se;
	uint64_t u;

	memset(&rec, 0, sizeof(rec));
	rec.lower_max_write = lower;
	se = new_dev(ci_flags);
	if (!se)
		return;
	/* The kernel always offers unrestricted ioctls; the device's own
	 * flags decide. */
	u = cuse_init_rq(7, minor, CUSE_UNRESTRICTED_IOCTL,
			 sizeof(struct cuse_init_in));
	feed(se);
	CHECK(is_reply(u, 0, want_len));
	out = reply_body();
	CHECK(out->major == FUSE_KERNEL_VERSION);
	CHECK(out->minor == FUSE_KERNEL_MINOR_VERSION);
	CHECK(out->flags == ci_flags);
	CHECK(out->max_read == 128 * 1024);
	CHECK(out->max_write == (lower ? lower : full));
	CHECK(out->dev_major == 240 && out->dev_minor == 9);
	CHECK(memcmp(out + 1, dev_info_wire, sizeof(dev_info_wire)) == 0);

	CHECK(rec.inits == 1 && rec.init_dones == 1 && rec.init_reply_seen);
	CHECK(rec.userdata == &tag);
	CHECK(rec.proto_major == 7 && rec.proto_minor == minor);
	CHECK(rec.init_max_write == full);

	/* Only once. */
	u = cuse_init_rq(7, minor, 0, sizeof(struct cuse_init_in));
	feed(se);
	CHECK(is_reply(u, -EIO, sizeof(struct fuse_out_header)));
	CHECK(rec.inits == 1);

	fuse_session_destroy(se);
	CHECK(rec.destroys == 1);
}

/* Before CUSE_INIT nothing else, FUSE's INIT included; a truncated
 * CUSE_INIT is refused without calling init; an old major ends it. */
static void test_init_refused(void)
{
	struct fuse_init_in fin = { .major = 7, .minor = 38 };
	struct fuse_open_in oin = { .flags = O_RDONLY };
	struct fuse_session *se;
	uint64_t u;

	memset(&rec, 0, sizeof(rec));
	se = new_dev(0);
	if (!se)
		return;
	u = rq(FUSE_INIT, &fin, sizeof(fin), NULL, 0);
	feed(se);
	CHECK(is_reply(u, -EIO, sizeof(struct fuse_out_header)));
	u = rq(FUSE_OPEN, &oin, sizeof(oin), NULL, 0);
	feed(se);
	CHECK(is_reply(u, -EIO, sizeof(struct fuse_out_header)));
	CHECK(rec.op == NULL);

	for (size_t len = 0; len < sizeof(struct cuse_init_in); len += 4) {
		u = cuse_init_rq(7, 38, 0, len);
		feed(se);
		CHECK(is_reply(u, -EIO, sizeof(struct fuse_out_header)));
	}
	CHECK(rec.inits == 0 && rec.init_dones == 0);

	u = cuse_init_rq(6, 38, 0, sizeof(struct cuse_init_in));
	feed(se);
	CHECK(is_reply(u, -EPROTO, sizeof(struct fuse_out_header)));
	CHECK(rec.inits == 0 && rec.init_dones == 0);
	CHECK(fuse_session_exited(se));
	fuse_session_destroy(se);
	CHECK(rec.destroys == 0);
}

/* A filesystem session knows nothing of CUSE_INIT. */
static void test_fuse_session_refuses_cuse_init(void)
{
	static const struct fuse_lowlevel_ops no_ops;
	char *argv[] = { "test-cuse", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se;
	uint64_t u;

	se = fuse_session_new(&args, &no_ops, sizeof(no_ops), NULL);
	CHECK(se != NULL);
	if (!se)
		return;
	CHECK(fuse_session_custom_io(se, &test_io,
				     open("/dev/null", O_RDWR | O_CLOEXEC)) == 0);
	u = cuse_init_rq(7, 38, 0, sizeof(struct cuse_init_in));
	feed(se);
	CHECK(is_reply(u, -EIO, sizeof(struct fuse_out_header)));
	fuse_session_destroy(se);
	fuse_opt_free_args(&args);
}

/* ---- the file operations ---- */

static void test_ops(unsigned minor)
{
	const size_t hdr = sizeof(struct fuse_out_header);
	struct fuse_session *se;
	uint64_t u;

	memset(&rec, 0, sizeof(rec));
	se = new_dev(CUSE_UNRESTRICTED_IOCTL);
	if (!se)
		return;
	cuse_init_rq(7, minor, CUSE_UNRESTRICTED_IOCTL,
		     sizeof(struct cuse_init_in));
	feed(se);
	CHECK(rec.inits == 1);

	do {
		struct fuse_open_in in = { .flags = O_RDWR };
		const struct fuse_open_out *out = reply_body();

		u = rq(FUSE_OPEN, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "open"));
		CHECK(rec.flags == O_RDWR && rec.userdata == &tag);
		CHECK(is_reply(u, 0, hdr + sizeof(*out)));
		CHECK(out->fh == 77 && (out->open_flags & FOPEN_DIRECT_IO));
	} while (0);

	do {
		struct fuse_read_in in = { .fh = 77, .offset = 3, .size = 10 };

		rec.op = NULL;
		u = rq(FUSE_READ, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "read"));
		CHECK(rec.fh == 77 && rec.size == 10 && rec.off == 3);
		CHECK(is_reply(u, 0, hdr + 5));
		CHECK(memcmp(reply_body(), "hello", 5) == 0);
	} while (0);

	do {
		struct fuse_write_in in = { .fh = 77, .offset = 5, .size = 3 };
		const struct fuse_write_out *out = reply_body();

		rec.op = NULL;
		u = rq(FUSE_WRITE, &in, sizeof(in), "abc", 3);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "write"));
		CHECK(rec.fh == 77 && rec.size == 3 && rec.off == 5);
		CHECK(rec.datalen == 3 && memcmp(rec.data, "abc", 3) == 0);
		CHECK(is_reply(u, 0, hdr + sizeof(*out)));
		CHECK(out->size == 3);
	} while (0);

	do {
		struct fuse_ioctl_in in = {
			.fh = 77, .flags = FUSE_IOCTL_UNRESTRICTED,
			.cmd = 0x80045401, .arg = 0x7fff0000,
			.in_size = 4, .out_size = 8,
		};
		const struct fuse_ioctl_out *out = reply_body();

		rec.op = NULL;
		u = rq(FUSE_IOCTL, &in, sizeof(in), "ping", 4);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "ioctl"));
		CHECK(rec.fh == 77 && rec.cmd == (int)0x80045401);
		CHECK(rec.ioarg == (void *)(uintptr_t)0x7fff0000);
		CHECK(rec.ioflags == FUSE_IOCTL_UNRESTRICTED);
		CHECK(rec.in_bufsz == 4 && rec.out_bufsz == 8);
		CHECK(rec.datalen == 4 && memcmp(rec.data, "ping", 4) == 0);
		CHECK(is_reply(u, 0, hdr + sizeof(*out) + 8));
		CHECK(out->result == 42);
		CHECK(memcmp(out + 1, "ANSWER!", 8) == 0);
	} while (0);

	do {
		struct fuse_poll_in in = {
			.fh = 77, .kh = 5, .flags = FUSE_POLL_SCHEDULE_NOTIFY,
			.events = 0x1,
		};
		const struct fuse_poll_out *out = reply_body();

		rec.op = NULL;
		u = rq(FUSE_POLL, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "poll"));
		CHECK(rec.fh == 77 && rec.poll_events == 0x1 && rec.got_ph);
		CHECK(is_reply(u, 0, hdr + sizeof(*out)));
		CHECK(out->revents == 0x41);
	} while (0);

	do {
		struct fuse_fsync_in in = {
			.fh = 77, .fsync_flags = FUSE_FSYNC_FDATASYNC,
		};

		rec.op = NULL;
		u = rq(FUSE_FSYNC, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "fsync"));
		CHECK(rec.fh == 77 && rec.datasync);
		CHECK(is_reply(u, -EROFS, hdr));
	} while (0);

	do {
		struct fuse_flush_in in = { .fh = 77 };

		rec.op = NULL;
		u = rq(FUSE_FLUSH, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "flush") && rec.fh == 77);
		CHECK(is_reply(u, 0, hdr));
	} while (0);

	do {
		struct fuse_release_in in = { .fh = 77, .flags = O_RDWR };

		rec.op = NULL;
		u = rq(FUSE_RELEASE, &in, sizeof(in), NULL, 0);
		feed(se);
		CHECK(rec.op && !strcmp(rec.op, "release"));
		CHECK(rec.fh == 77 && rec.flags == O_RDWR);
		CHECK(is_reply(u, 0, hdr));
	} while (0);

	/* A device has no directories: what is not a file operation is
	 * ENOSYS, and reaches nothing. */
	do {
		rec.op = NULL;
		u = rq(FUSE_LOOKUP, "x", 2, NULL, 0);
		feed(se);
		CHECK(rec.op == NULL);
		CHECK(is_reply(u, -ENOSYS, hdr));
	} while (0);

	/* A truncated READ is EIO, not a call. */
	do {
		struct fuse_read_in in = { .fh = 77, .size = 10 };

		rec.op = NULL;
		u = rq(FUSE_READ, &in, sizeof(in) - 8, NULL, 0);
		feed(se);
		CHECK(rec.op == NULL);
		CHECK(is_reply(u, -EIO, hdr));
	} while (0);

	fuse_session_destroy(se);
	CHECK(rec.destroys == 1);
}

/* Unset operations get the low-level defaults. */
static void test_default_ops(void)
{
	static const struct cuse_lowlevel_ops none;
	char *argv[] = { "test-cuse", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct cuse_info ci = {
		.dev_info_argc = 1, .dev_info_argv = dev_info,
	};
	struct fuse_open_in oin = { .flags = O_RDONLY };
	struct fuse_read_in rin = { .size = 1 };
	struct fuse_release_in relin = { 0 };
	const size_t hdr = sizeof(struct fuse_out_header);
	struct fuse_session *se;
	uint64_t u;

	se = cuse_lowlevel_new(&args, &ci, &none, NULL);
	fuse_opt_free_args(&args);
	CHECK(se != NULL);
	if (!se)
		return;
	CHECK(fuse_session_custom_io(se, &test_io,
				     open("/dev/null", O_RDWR | O_CLOEXEC)) == 0);
	u = cuse_init_rq(7, 31, 0, sizeof(struct cuse_init_in));
	feed(se);
	CHECK(reply_hdr()->unique == u && reply_hdr()->error == 0);
	u = rq(FUSE_OPEN, &oin, sizeof(oin), NULL, 0);
	feed(se);
	CHECK(is_reply(u, 0, hdr + sizeof(struct fuse_open_out)));
	u = rq(FUSE_READ, &rin, sizeof(rin), NULL, 0);
	feed(se);
	CHECK(is_reply(u, -ENOSYS, hdr));
	u = rq(FUSE_RELEASE, &relin, sizeof(relin), NULL, 0);
	feed(se);
	CHECK(is_reply(u, 0, hdr));
	fuse_session_destroy(se);
}

/* ---- cuse_lowlevel_new's checks ---- */

static char logged[4096];

static void log_to_buffer(enum fuse_log_level level, const char *fmt,
			  va_list ap)
{
	size_t n = strlen(logged);

	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
}

static void test_new_refuses(void)
{
	static const char *no_name[] = { "MODE=0600" };
	static const char *empty_name[] = { "DEVNAME=" };
	static char big[CUSE_INIT_INFO_MAX];
	const char *too_long[] = { "DEVNAME=x", big };
	char *argv[] = { "test-cuse", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct cuse_info ci = { .dev_info_argc = 1, .dev_info_argv = no_name };

	logged[0] = 0;
	CHECK(cuse_lowlevel_new(&args, &ci, &dev_ops, NULL) == NULL);
	CHECK(strstr(logged, "DEVNAME") != NULL);
	ci.dev_info_argv = empty_name;
	CHECK(cuse_lowlevel_new(&args, &ci, &dev_ops, NULL) == NULL);

	memset(big, 'a', sizeof(big) - 1);
	ci.dev_info_argc = 2;
	ci.dev_info_argv = too_long;
	logged[0] = 0;
	CHECK(cuse_lowlevel_new(&args, &ci, &dev_ops, NULL) == NULL);
	CHECK(strstr(logged, "4096") != NULL);

	/* An option the session does not know. */
	do {
		char *bad[] = { "test-cuse", "-o", "bogus_opt", NULL };
		struct fuse_args bargs = FUSE_ARGS_INIT(3, bad);

		ci.dev_info_argc = 1;
		ci.dev_info_argv = dev_info;
		logged[0] = 0;
		CHECK(cuse_lowlevel_new(&bargs, &ci, &dev_ops, NULL) == NULL);
		CHECK(strstr(logged, "bogus_opt") != NULL);
		fuse_opt_free_args(&bargs);
	} while (0);
	fuse_opt_free_args(&args);
}

/* ---- the command-line wrappers, without a /dev/cuse ---- */

static void test_setup_without_device(void)
{
	char *argv[] = { "test-cuse", "-f", "-s", NULL };
	struct cuse_info ci = {
		.dev_info_argc = 1, .dev_info_argv = dev_info,
	};
	struct fuse_session *se;
	size_t before, after;
	int mt = -1;

	if (access("/dev/cuse", F_OK) == 0) {
		/* A kernel with CUSE: setup must work, and teardown undo it. */
		fprintf(stderr, "NOTE: /dev/cuse exists here; testing a real setup instead of its absence\n");
		se = cuse_lowlevel_setup(3, argv, &ci, &dev_ops, &mt, NULL);
		CHECK(se != NULL && mt == 0);
		cuse_lowlevel_teardown(se);
		return;
	}

	/* Once to let stdio and the log set themselves up, then again
	 * counting the heap (exact: see main): nothing may stay behind. */
	se = cuse_lowlevel_setup(3, argv, &ci, &dev_ops, &mt, NULL);
	CHECK(se == NULL);
	logged[0] = 0;
	before = mallinfo2().uordblks;
	se = cuse_lowlevel_setup(3, argv, &ci, &dev_ops, &mt, NULL);
	after = mallinfo2().uordblks;
	CHECK(se == NULL);
	CHECK(mt == -1);
	CHECK(before == after);
	CHECK(strstr(logged, "/dev/cuse") != NULL);
	if (before != after)
		fprintf(stderr, "heap in use: %zu before, %zu after\n", before,
			after);

	logged[0] = 0;
	CHECK(cuse_lowlevel_main(3, argv, &ci, &dev_ops, NULL) != 0);
	CHECK(strstr(logged, "/dev/cuse") != NULL);
}

static void test_main_command_line(void)
{
	char *help[] = { "test-cuse", "-h", NULL };
	char *stray[] = { "test-cuse", "-f", "/", NULL };
	char *badopt[] = { "test-cuse", "-f", "-o", "bogus_opt", NULL };
	struct cuse_info ci = {
		.dev_info_argc = 1, .dev_info_argv = dev_info,
	};
	int saved = dup(1);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* -h prints the usage and is not an error; keep it off the log. */
	fflush(stdout);
	dup2(devnull, 1);
	CHECK(cuse_lowlevel_main(2, help, &ci, &dev_ops, NULL) == 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(devnull);

	logged[0] = 0;
	CHECK(cuse_lowlevel_main(3, stray, &ci, &dev_ops, NULL) != 0);
	CHECK(strstr(logged, "`/'") != NULL);

	logged[0] = 0;
	CHECK(cuse_lowlevel_main(4, badopt, &ci, &dev_ops, NULL) != 0);
	CHECK(strstr(logged, "bogus_opt") != NULL);
}

int main(int argc, char *argv[])
{
	/* glibc counts freed blocks kept in its per-thread cache and in
	 * fastbins as in use; without both, mallinfo2() is exact. */
	if (!getenv("TEST_CUSE_NO_TCACHE")) {
		setenv("TEST_CUSE_NO_TCACHE", "1", 1);
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
		execv("/proc/self/exe", argv);
		perror("re-executing without the malloc cache");
		return 1;
	}
	mallopt(M_MXFAST, 0);
	fuse_set_log_func(log_to_buffer);

	test_init(31, 0, 0);
	test_init(38, CUSE_UNRESTRICTED_IOCTL, 0);
	test_init(38, 0, 65536);
	test_init_refused();
	test_fuse_session_refuses_cuse_init();
	test_ops(31);
	test_ops(38);
	test_default_ops();
	test_new_refuses();
	test_setup_without_device();
	test_main_command_line();

	free(fbuf.mem);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\nlog:\n%s", failures,
			logged);
		return 1;
	}
	printf("CUSE: all checks passed\n");
	return 0;
}
