// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hello_ll: the smallest low-level filesystem.
 *
 * Shows the inode API (struct fuse_lowlevel_ops) and the session life
 * cycle a program drives itself: parse the command line, create the
 * session, install signal handlers, mount, daemonize, loop, unmount.
 * Inode 1 is the root directory, inode 2 the read-only file "hello".
 * Usage: hello_ll MOUNTPOINT [-f] [-s] [fuse options]
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HELLO_INO 2

static const char hello_name[] = "hello";
static const char hello_text[] = "Hello, world!\n";

static int hello_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	switch (ino) {
	case FUSE_ROOT_ID:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	case HELLO_INO:
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = sizeof(hello_text) - 1;
		return 0;
	default:
		return -ENOENT;
	}
}

static void hello_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .attr_timeout = 1.0, .entry_timeout = 1.0 };

	if (parent != FUSE_ROOT_ID || strcmp(name, hello_name) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = HELLO_INO;
	hello_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void hello_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int r = hello_stat(ino, &st);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, 1.0);
}

/* Adds one entry to a readdir reply; returns false once the buffer is full. */
static int dirbuf_add(fuse_req_t req, char *buf, size_t size, size_t *used,
		      const char *name, fuse_ino_t ino, off_t next)
{
	struct stat st = { .st_ino = ino };
	size_t len = fuse_add_direntry(req, buf + *used, size - *used, name, &st, next);

	if (len > size - *used)
		return 0;
	*used += len;
	return 1;
}

static void hello_ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			     struct fuse_file_info *fi)
{
	static const struct { const char *name; fuse_ino_t ino; } ents[] = {
		{ ".", FUSE_ROOT_ID }, { "..", FUSE_ROOT_ID }, { hello_name, HELLO_INO },
	};
	size_t used = 0;
	char *buf;

	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* The offset of an entry is the index of the one after it. */
	for (size_t i = off; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (!dirbuf_add(req, buf, size, &used, ents[i].name, ents[i].ino, i + 1))
			break;
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void hello_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != HELLO_INO)
		fuse_reply_err(req, EISDIR);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY)
		fuse_reply_err(req, EACCES);
	else
		fuse_reply_open(req, fi);
}

static void hello_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	size_t len = sizeof(hello_text) - 1;

	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > len - off)
		size = len - off;
	fuse_reply_buf(req, hello_text + off, size);
}

static const struct fuse_lowlevel_ops hello_ll_ops = {
	.lookup = hello_ll_lookup,
	.getattr = hello_ll_getattr,
	.readdir = hello_ll_readdir,
	.open = hello_ll_open,
	.read = hello_ll_read,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_loop_config *config = NULL;
	struct fuse_session *se = NULL;
	int r = 1;

	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out;
	if (opts.show_help) {
		printf("usage: %s MOUNTPOINT [options]\n\n", argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		r = 0;
		goto out;
	}
	if (opts.show_version) {
		printf("FUSE library version %s\n", fuse_pkgversion());
		fuse_lowlevel_version();
		r = 0;
		goto out;
	}
	if (!opts.mountpoint) {
		fprintf(stderr, "usage: %s MOUNTPOINT [options]\n", argv[0]);
		goto out;
	}

	se = fuse_session_new(&args, &hello_ll_ops, sizeof(hello_ll_ops), NULL);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_destroy;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	fuse_daemonize(opts.foreground);

	if (opts.singlethread) {
		r = fuse_session_loop(se);
	} else {
		config = fuse_loop_cfg_create();
		if (!config) {
			r = -ENOMEM;
		} else {
			fuse_loop_cfg_set_clone_fd(config, opts.clone_fd);
			fuse_loop_cfg_set_max_threads(config, opts.max_threads);
			fuse_loop_cfg_set_idle_threads(config, opts.max_idle_threads);
			r = fuse_session_loop_mt(se, config);
			fuse_loop_cfg_destroy(config);
		}
	}
	/* A positive value is the signal (SIGTERM, SIGINT, SIGHUP) that ended
	 * the session: a clean unmount, as fuse_main treats it. */
	r = r < 0;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
out:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return r;
}
