// SPDX-License-Identifier: LGPL-2.1-or-later
/* Command-line helpers: fuse_parse_cmdline, conn options, daemonize, versions
 *
 * What every filesystem's main() shares: the generic options (-h, -V, -d,
 * -f, -s, -o clone_fd, max_idle_threads, max_threads) and the mount point;
 * the connection tuning options applied in an init callback; going into the
 * background; opening a channel for a program that mounts without a session.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"
#include "mount-util.h"
#include "mount.h"
#include "symver.h"

/* ------------------------------------------------------------------------ */
/* fuse_parse_cmdline */

#define CMDLINE_OPT(t, f) { t, offsetof(struct fuse_cmdline_opts, f), 1 }

static const struct fuse_opt cmdline_opts[] = {
        CMDLINE_OPT("-h", show_help),
        CMDLINE_OPT("--help", show_help),
        CMDLINE_OPT("-V", show_version),
        CMDLINE_OPT("--version", show_version),
        CMDLINE_OPT("-d", debug),
        CMDLINE_OPT("debug", debug),
        CMDLINE_OPT("-d", foreground),
        CMDLINE_OPT("debug", foreground),
        /* The session wants to see debug too. */
        FUSE_OPT_KEY("-d", FUSE_OPT_KEY_KEEP),
        FUSE_OPT_KEY("debug", FUSE_OPT_KEY_KEEP),
        CMDLINE_OPT("-f", foreground),
        CMDLINE_OPT("-s", singlethread),
        /* A name given by the user: no default subtype.  The options stay
         * for the mount. */
        CMDLINE_OPT("fsname=", nodefault_subtype),
        FUSE_OPT_KEY("fsname=", FUSE_OPT_KEY_KEEP),
        CMDLINE_OPT("subtype=", nodefault_subtype),
        FUSE_OPT_KEY("subtype=", FUSE_OPT_KEY_KEEP),
        CMDLINE_OPT("clone_fd", clone_fd),
        { "max_idle_threads=%u", offsetof(struct fuse_cmdline_opts, max_idle_threads), 0 },
        { "max_threads=%u", offsetof(struct fuse_cmdline_opts, max_threads), 0 },
        FUSE_OPT_END
};

static int cmdline_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
        struct fuse_cmdline_opts *opts = data;

        if (key != FUSE_OPT_KEY_NONOPT)
                return 1;       /* for the session or the program */
        if (opts->mountpoint) {
                fuse_log(FUSE_LOG_ERR, "fuse: invalid argument `%s'\n", arg);
                return -1;
        }
        /* A fd handed over by a parent (see fuse_session_mount). */
        if (mnt_parse_dev_fd(arg) >= 0) {
                opts->mountpoint = strdup(arg);
                return opts->mountpoint ? 0 : -1;
        }
        opts->mountpoint = realpath(arg, NULL);
        if (!opts->mountpoint) {
                fuse_log(FUSE_LOG_ERR, "fuse: bad mount point `%s': %s\n", arg, strerror(errno));
                return -1;
        }
        return 0;
}

/* Linux shows the program's name as the filesystem type (fuse.NAME) unless
 * the user named it. */
static int add_default_subtype(const char *progname, struct fuse_args *args)
{
        const char *base = strrchr(progname, '/');
        _mnt_free_ char *name = NULL, *opt = NULL;
        size_t n = 0;

        base = base ? base + 1 : progname;
        /* Only what a filesystem type may hold; a program called "my fs,x"
         * must not smuggle options in. */
        name = malloc(strlen(base) + 1);
        if (!name)
                return -1;
        for (const char *c = base; *c; c++) {
                char s[2] = { *c, '\0' };
                if (mnt_subtype_valid(s) || (n > 0 && (*c == '.' || *c == '-' || *c == '+')))
                        name[n++] = *c;
        }
        name[n] = '\0';
        if (n == 0)
                return 0;
        if (n > 64)
                name[64] = '\0';
        if (asprintf(&opt, "-osubtype=%s", name) < 0)
                return -1;
        return fuse_opt_insert_arg(args, 1, opt);
}

int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts);
FUSE_SYMVER(fuse_parse_cmdline_312, "fuse_parse_cmdline@@FUSE_3.12");
int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
        memset(opts, 0, sizeof(*opts));
        opts->max_idle_threads = UINT_MAX;      /* not given: idle workers stay */
        opts->max_threads = 10;

        if (fuse_opt_parse(args, opts, cmdline_opts, cmdline_proc) == -1 ||
            (!opts->nodefault_subtype && args->argc > 0 &&
             add_default_subtype(args->argv[0], args) == -1)) {
                /* Programs return at once when this fails (libfuse's
                 * examples do), so the mountpoint found before the bad
                 * argument is ours to free; NULL keeps a later
                 * free(opts.mountpoint) harmless. */
                free(opts->mountpoint);
                opts->mountpoint = NULL;
                return -1;
        }
        return 0;
}

/* The 3.0 struct ends before max_threads. */
int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts);
FUSE_SYMVER(fuse_parse_cmdline_30, "fuse_parse_cmdline@FUSE_3.0");
int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
        struct fuse_cmdline_opts full;
        int r = fuse_parse_cmdline_312(args, &full);

        memcpy(opts, &full, offsetof(struct fuse_cmdline_opts, max_threads));
        return r;
}

void fuse_cmdline_help(void)
{
        printf(
"    -h   --help            print help\n"
"    -V   --version         print version\n"
"    -d   -o debug          print every request (implies -f)\n"
"    -f                     stay in the foreground\n"
"    -s                     serve requests in one thread\n"
"    -o clone_fd            one /dev/fuse fd per worker thread\n"
"    -o max_idle_threads=N  idle worker threads kept (default: all)\n"
"    -o max_threads=N       most worker threads (default: 10)\n");
}

/* ------------------------------------------------------------------------ */
/* Connection options */

struct fuse_conn_info_opts {
        int async_read;
        int set_async_read;
        unsigned max_write, max_readahead, max_background;
        unsigned congestion_threshold, time_gran;
        int set_max_write, set_max_readahead, set_max_background;
        int set_congestion_threshold, set_time_gran;
        int splice_read, no_splice_read;
        int splice_write, no_splice_write;
        int splice_move, no_splice_move;
        int auto_inval_data, no_auto_inval_data;
        int no_readdirplus, no_readdirplus_auto;
        int async_dio, no_async_dio;
        int writeback_cache, no_writeback_cache;
        int no_remote_posix_lock, no_remote_flock;
};

#define CONN(t, f, v) { t, offsetof(struct fuse_conn_info_opts, f), v }
/* A "name=%u" value plus a marker that it was given at all. */
#define CONN_UINT(name, f) CONN(name "=%u", f, 0), CONN(name "=", set_##f, 1)

static const struct fuse_opt conn_opts[] = {
        CONN_UINT("max_write", max_write),
        CONN_UINT("max_readahead", max_readahead),
        CONN_UINT("max_background", max_background),
        CONN_UINT("congestion_threshold", congestion_threshold),
        CONN_UINT("time_gran", time_gran),
        CONN("sync_read", async_read, 0),
        CONN("sync_read", set_async_read, 1),
        CONN("async_read", async_read, 1),
        CONN("async_read", set_async_read, 1),
        CONN("no_remote_lock", no_remote_posix_lock, 1),
        CONN("no_remote_lock", no_remote_flock, 1),
        CONN("no_remote_flock", no_remote_flock, 1),
        CONN("no_remote_posix_lock", no_remote_posix_lock, 1),
        CONN("splice_read", splice_read, 1),
        CONN("no_splice_read", no_splice_read, 1),
        CONN("splice_write", splice_write, 1),
        CONN("no_splice_write", no_splice_write, 1),
        CONN("splice_move", splice_move, 1),
        CONN("no_splice_move", no_splice_move, 1),
        CONN("auto_inval_data", auto_inval_data, 1),
        CONN("no_auto_inval_data", no_auto_inval_data, 1),
        CONN("readdirplus=no", no_readdirplus, 1),
        CONN("readdirplus=yes", no_readdirplus, 0),
        CONN("readdirplus=yes", no_readdirplus_auto, 1),
        CONN("readdirplus=auto", no_readdirplus, 0),
        CONN("readdirplus=auto", no_readdirplus_auto, 0),
        CONN("async_dio", async_dio, 1),
        CONN("no_async_dio", no_async_dio, 1),
        CONN("writeback_cache", writeback_cache, 1),
        CONN("no_writeback_cache", no_writeback_cache, 1),
        FUSE_OPT_END
};

struct fuse_conn_info_opts *fuse_parse_conn_info_opts(struct fuse_args *args)
{
        struct fuse_conn_info_opts *opts = calloc(1, sizeof(*opts));

        if (!opts) {
                fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
                return NULL;
        }
        if (fuse_opt_parse(args, opts, conn_opts, NULL) == -1) {
                free(opts);
                return NULL;
        }
        return opts;
}

static void want(struct fuse_conn_info *conn, int on, int off, unsigned cap)
{
        if (on)
                conn->want |= cap;
        if (off)
                conn->want &= ~cap;
}

void fuse_apply_conn_info_opts(struct fuse_conn_info_opts *opts, struct fuse_conn_info *conn)
{
        if (opts->set_max_write)
                conn->max_write = opts->max_write;
        if (opts->set_max_readahead)
                conn->max_readahead = opts->max_readahead;
        if (opts->set_max_background)
                conn->max_background = opts->max_background;
        if (opts->set_congestion_threshold)
                conn->congestion_threshold = opts->congestion_threshold;
        if (opts->set_time_gran)
                conn->time_gran = opts->time_gran;

        want(conn, opts->splice_read, opts->no_splice_read, FUSE_CAP_SPLICE_READ);
        want(conn, opts->splice_write, opts->no_splice_write, FUSE_CAP_SPLICE_WRITE);
        want(conn, opts->splice_move, opts->no_splice_move, FUSE_CAP_SPLICE_MOVE);
        want(conn, opts->auto_inval_data, opts->no_auto_inval_data, FUSE_CAP_AUTO_INVAL_DATA);
        want(conn, 0, opts->no_readdirplus, FUSE_CAP_READDIRPLUS);
        want(conn, 0, opts->no_readdirplus_auto, FUSE_CAP_READDIRPLUS_AUTO);
        want(conn, opts->async_dio, opts->no_async_dio, FUSE_CAP_ASYNC_DIO);
        want(conn, opts->writeback_cache, opts->no_writeback_cache, FUSE_CAP_WRITEBACK_CACHE);
        want(conn, 0, opts->no_remote_posix_lock, FUSE_CAP_POSIX_LOCKS);
        want(conn, 0, opts->no_remote_flock, FUSE_CAP_FLOCK_LOCKS);
        if (opts->set_async_read)
                want(conn, opts->async_read, !opts->async_read, FUSE_CAP_ASYNC_READ);
}

/* ------------------------------------------------------------------------ */
/* Daemon, channel, versions */

int fuse_daemonize(int foreground)
{
        if (foreground) {
                if (chdir("/") < 0) {
                        /* not fatal: only keeps the cwd's filesystem busy */
                }
                return 0;
        }

        int waiter[2];
        char done = 0;

        if (pipe2(waiter, O_CLOEXEC) < 0) {
                perror("fuse_daemonize: pipe");
                return -1;
        }
        switch (fork()) {
        case -1:
                perror("fuse_daemonize: fork");
                close(waiter[0]);
                close(waiter[1]);
                return -1;
        case 0:
                break;
        default:
                /* The caller's shell waits until the daemon stands on its own
                 * (or died: EOF), so that a mount is ready when it returns. */
                close(waiter[1]);
                if (read(waiter[0], &done, 1) != 1)
                        done = 0;
                _exit(done ? 0 : 1);
        }

        close(waiter[0]);
        if (setsid() < 0) {
                perror("fuse_daemonize: setsid");
                close(waiter[1]);
                return -1;
        }
        if (chdir("/") < 0) {
                /* not fatal, as above */
        }

        int nullfd = open("/dev/null", O_RDWR);
        if (nullfd >= 0) {
                (void)dup2(nullfd, 0);
                (void)dup2(nullfd, 1);
                (void)dup2(nullfd, 2);
                if (nullfd > 2)
                        close(nullfd);
        }
        done = 1;
        if (write(waiter[1], &done, 1) != 1) {
                /* the parent is gone already; nobody to tell */
        }
        close(waiter[1]);
        return 0;
}

int fuse_open_channel(const char *mountpoint, const char *options)
{
        char *argv[] = { "", "-o", (char *)options, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        struct mount_opts *mo = NULL;

        int r = fuse_mount_opts_parse(&args, &mo);
        fuse_opt_free_args(&args);
        if (r < 0)
                return -1;
        /* Options other than mount options are ignored here, as in libfuse. */
        int fd = fuse_kern_mount(mountpoint, mo);
        fuse_mount_opts_free(mo);
        return fd < 0 ? -1 : fd;
}

int fuse_version(void)
{
        return FUSE_VERSION;
}

const char *fuse_pkgversion(void)
{
        return FUSE_LL_PACKAGE_VERSION;
}
