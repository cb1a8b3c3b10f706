// SPDX-License-Identifier: GPL-2.0-or-later
/* mount-testfs: a tiny low-level filesystem for the mount and loop tests
 *
 * The root holds "hello" ("hello\n") and "wait2": a read of wait2 waits
 * (up to 3 s) until two reads of it are in flight at once, then returns
 * the most it saw in flight ("2\n" when the loop served them in parallel).
 * Mounted on a regular file, the root is itself a file reading "hello\n".
 * Takes the usual command line (fuse_parse_cmdline) and runs the
 * single-threaded loop with -s, else the multi-threaded one.  Built at
 * FUSE_USE_VERSION 314 and, to exercise the older ABI variants of
 * fuse_parse_cmdline and fuse_session_loop_mt, at 30 and 32.
 */

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314
#endif

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

enum { INO_ROOT = 1, INO_HELLO, INO_WAIT2 };

static const char hello[] = "hello\n";
static bool root_is_file;

static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cond = PTHREAD_COND_INITIALIZER;
static int in_flight, most_in_flight;

static int fill_stat(fuse_ino_t ino, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        st->st_nlink = 1;
        st->st_uid = getuid();
        st->st_gid = getgid();
        switch (ino) {
        case INO_ROOT:
                if (root_is_file) {
                        st->st_mode = S_IFREG | 0644;
                        st->st_size = sizeof(hello) - 1;
                } else {
                        st->st_mode = S_IFDIR | 0755;
                        st->st_nlink = 2;
                }
                return 0;
        case INO_HELLO:
                st->st_mode = S_IFREG | 0644;
                st->st_size = sizeof(hello) - 1;
                return 0;
        case INO_WAIT2:
                st->st_mode = S_IFREG | 0644;
                st->st_size = 2;
                return 0;
        }
        return -ENOENT;
}

static void tfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        struct fuse_entry_param e = { .attr_timeout = 1.0, .entry_timeout = 1.0 };

        if (parent != INO_ROOT || root_is_file)
                return (void)fuse_reply_err(req, ENOENT);
        if (strcmp(name, "hello") == 0)
                e.ino = INO_HELLO;
        else if (strcmp(name, "wait2") == 0)
                e.ino = INO_WAIT2;
        else
                return (void)fuse_reply_err(req, ENOENT);
        fill_stat(e.ino, &e.attr);
        fuse_reply_entry(req, &e);
}

static void tfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st;

        if (fill_stat(ino, &st) < 0)
                return (void)fuse_reply_err(req, ENOENT);
        fuse_reply_attr(req, &st, 1.0);
}

static void tfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        if (ino == INO_ROOT && !root_is_file)
                return (void)fuse_reply_err(req, EISDIR);
        /* Past the page cache, so that two readers make two requests. */
        if (ino == INO_WAIT2)
                fi->direct_io = 1;
        fuse_reply_open(req, fi);
}

static void reply_slice(fuse_req_t req, const char *data, size_t len, size_t size, off_t off)
{
        if ((size_t)off >= len)
                return (void)fuse_reply_buf(req, NULL, 0);
        fuse_reply_buf(req, data + off, len - off < size ? len - off : size);
}

static void tfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
        if (ino != INO_WAIT2)
                return reply_slice(req, hello, sizeof(hello) - 1, size, off);
        /* Only the first read of a reader waits; the one at EOF does not. */
        if (off > 0)
                return (void)fuse_reply_buf(req, NULL, 0);

        struct timespec until;
        char out[2];

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 3;
        pthread_mutex_lock(&wait_lock);
        in_flight++;
        if (in_flight > most_in_flight)
                most_in_flight = in_flight;
        pthread_cond_broadcast(&wait_cond);
        while (most_in_flight < 2 &&
               pthread_cond_timedwait(&wait_cond, &wait_lock, &until) == 0)
                ;
        in_flight--;
        out[0] = (char)('0' + (most_in_flight > 9 ? 9 : most_in_flight));
        out[1] = '\n';
        pthread_mutex_unlock(&wait_lock);
        reply_slice(req, out, 2, size, off);
}

static void tfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                        struct fuse_file_info *fi)
{
        static const struct { const char *name; fuse_ino_t ino; } ents[] = {
                { ".", INO_ROOT }, { "..", INO_ROOT }, { "hello", INO_HELLO }, { "wait2", INO_WAIT2 },
        };
        char buf[1024];
        size_t used = 0;

        if (ino != INO_ROOT || root_is_file)
                return (void)fuse_reply_err(req, ENOTDIR);
        for (size_t i = (size_t)off; i < sizeof(ents) / sizeof(ents[0]); i++) {
                struct stat st = { .st_ino = ents[i].ino };
                fill_stat(ents[i].ino, &st);
                size_t n = fuse_add_direntry(req, buf + used, sizeof(buf) - used, ents[i].name,
                                             &st, (off_t)(i + 1));
                if (used + n > size || used + n > sizeof(buf))
                        break;
                used += n;
        }
        fuse_reply_buf(req, buf, used);
}

static const struct fuse_lowlevel_ops tfs_ops = {
        .lookup = tfs_lookup,
        .getattr = tfs_getattr,
        .open = tfs_open,
        .read = tfs_read,
        .readdir = tfs_readdir,
};

int main(int argc, char *argv[])
{
        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        struct fuse_cmdline_opts opts;
        struct stat st;
        int r = 1;

        if (fuse_parse_cmdline(&args, &opts) != 0)
                return 1;
        if (opts.show_help) {
                printf("usage: %s [options] <mountpoint>\n\n", argv[0]);
                fuse_cmdline_help();
                fuse_lowlevel_help();
                r = 0;
                goto out_args;
        }
        if (opts.show_version) {
                printf("FUSE library version %s\n", fuse_pkgversion());
                fuse_lowlevel_version();
                r = 0;
                goto out_args;
        }
        if (!opts.mountpoint) {
                fprintf(stderr, "usage: %s [options] <mountpoint>\n", argv[0]);
                goto out_args;
        }
        root_is_file = stat(opts.mountpoint, &st) == 0 && S_ISREG(st.st_mode);

        struct fuse_session *se = fuse_session_new(&args, &tfs_ops, sizeof(tfs_ops), NULL);
        if (!se)
                goto out_args;
        if (fuse_set_signal_handlers(se) != 0)
                goto out_session;
        if (fuse_session_mount(se, opts.mountpoint) != 0)
                goto out_signals;

        fuse_daemonize(opts.foreground);
        if (opts.singlethread) {
                r = fuse_session_loop(se);
        } else {
#if FUSE_USE_VERSION < 32
                r = fuse_session_loop_mt(se, opts.clone_fd);
#elif FUSE_USE_VERSION < 312
                struct fuse_loop_config cfg = {
                        .clone_fd = opts.clone_fd,
                        .max_idle_threads = opts.max_idle_threads,
                };
                r = fuse_session_loop_mt(se, &cfg);
#else
                struct fuse_loop_config *cfg = fuse_loop_cfg_create();
                fuse_loop_cfg_set_clone_fd(cfg, (unsigned)opts.clone_fd);
                fuse_loop_cfg_set_idle_threads(cfg, opts.max_idle_threads);
                fuse_loop_cfg_set_max_threads(cfg, opts.max_threads);
                r = fuse_session_loop_mt(se, cfg);
                fuse_loop_cfg_destroy(cfg);
#endif
        }
        fuse_session_unmount(se);
out_signals:
        fuse_remove_signal_handlers(se);
out_session:
        fuse_session_destroy(se);
out_args:
        free(opts.mountpoint);
        fuse_opt_free_args(&args);
        return r ? 1 : 0;
}
