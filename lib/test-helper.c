// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests for helper.c: fuse_parse_cmdline and the connection options */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "test-util.h"

/* The arguments as one space-joined string, for comparing. */
static char *joined(const struct fuse_args *args)
{
        size_t len = 1;
        for (int i = 0; i < args->argc; i++)
                len += strlen(args->argv[i]) + 1;
        char *s = calloc(1, len);
        for (int i = 0; s && i < args->argc; i++) {
                if (i)
                        strcat(s, " ");
                strcat(s, args->argv[i]);
        }
        return s;
}

/* Runs fuse_parse_cmdline_312 on a NULL-terminated list; returns its result,
 * the options in *opts and the arguments left in *left. */
static int cmdline(struct fuse_cmdline_opts *opts, char **left, ...)
{
        char *argv[32];
        int argc = 0;
        va_list ap;

        va_start(ap, left);
        for (char *a; argc < 31 && (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);
        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        int r = fuse_parse_cmdline_312(&args, opts);
        *left = joined(&args);
        fuse_opt_free_args(&args);
        return r;
}

static void test_cmdline(void)
{
        struct fuse_cmdline_opts o;
        char *left;

        CHECK(cmdline(&o, &left, "/usr/bin/myfs", "-f", "-s", "-d", "-o",
                      "clone_fd,max_idle_threads=5,max_threads=7,allow_other", "/tmp", NULL) == 0);
        CHECK(o.foreground && o.singlethread && o.debug && o.clone_fd);
        CHECK(o.max_idle_threads == 5 && o.max_threads == 7);
        CHECK(!o.show_help && !o.show_version && !o.nodefault_subtype);
        CHECK_STR(o.mountpoint, "/tmp");
        /* -d stays for the session, the subtype is the program's name. */
        CHECK_STR(left, "/usr/bin/myfs -osubtype=myfs -o allow_other -d");
        free(o.mountpoint);
        free(left);

        /* Defaults; "debug" implies foreground; a relative mountpoint. */
        char cwd[PATH_MAX];
        CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
        CHECK(cmdline(&o, &left, "fs", "-o", "debug", ".", NULL) == 0);
        CHECK(o.debug && o.foreground && !o.singlethread && !o.clone_fd);
        CHECK(o.max_idle_threads == UINT_MAX && o.max_threads == 10);
        CHECK_STR(o.mountpoint, cwd);
        CHECK_STR(left, "fs -osubtype=fs -o debug");
        free(o.mountpoint);
        free(left);

        /* A name given by the user: no default subtype. */
        CHECK(cmdline(&o, &left, "fs", "-o", "fsname=x", "/", NULL) == 0);
        CHECK(o.nodefault_subtype);
        CHECK_STR(left, "fs -o fsname=x");
        free(o.mountpoint);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "-osubtype=y", NULL) == 0);
        CHECK(o.nodefault_subtype && o.mountpoint == NULL);
        CHECK_STR(left, "fs -o subtype=y");
        free(left);

        /* Only what a filesystem type may hold comes from the name. */
        CHECK(cmdline(&o, &left, "./-my fs,x\\y", NULL) == 0);
        CHECK_STR(left, "./-my fs,x\\y -osubtype=myfsxy");
        free(left);

        /* Help and version. */
        CHECK(cmdline(&o, &left, "fs", "-h", NULL) == 0 && o.show_help);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "--help", NULL) == 0 && o.show_help);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "-V", NULL) == 0 && o.show_version);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "--version", NULL) == 0 && o.show_version);
        free(left);

        /* A passed fd stays as given. */
        CHECK(cmdline(&o, &left, "fs", "/dev/fd/7", NULL) == 0);
        CHECK_STR(o.mountpoint, "/dev/fd/7");
        free(o.mountpoint);
        free(left);

        /* Errors: two mountpoints, a missing one, a bad number. */
        CHECK(cmdline(&o, &left, "fs", "/", "/tmp", NULL) == -1);
        free(o.mountpoint);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "/no/such/dir", NULL) == -1);
        free(left);
        CHECK(cmdline(&o, &left, "fs", "-o", "max_threads=many", "/", NULL) == -1);
        free(o.mountpoint);
        free(left);

        /* The 3.0 variant leaves max_threads (not in its struct) alone. */
        char *argv[] = { "fs", "-o", "max_threads=3", NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        memset(&o, 0, sizeof(o));
        o.max_threads = 12345;
        CHECK(fuse_parse_cmdline_30(&args, &o) == 0);
        CHECK(o.max_threads == 12345 && o.max_idle_threads == UINT_MAX);
        fuse_opt_free_args(&args);
}

static void test_conn_opts(void)
{
        char *argv[] = { "fs", "-o",
                         "max_write=4096,sync_read,no_splice_read,readdirplus=no,"
                         "time_gran=100,writeback_cache,other,max_background=7,no_remote_lock",
                         NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        struct fuse_conn_info_opts *opts = fuse_parse_conn_info_opts(&args);
        CHECK(opts != NULL);
        char *left = joined(&args);
        CHECK_STR(left, "fs -o other");
        free(left);
        fuse_opt_free_args(&args);
        if (!opts)
                return;

        struct fuse_conn_info conn;
        memset(&conn, 0, sizeof(conn));
        conn.max_write = 1 << 20;
        conn.max_readahead = 1 << 17;
        conn.congestion_threshold = 9;
        conn.want = FUSE_CAP_SPLICE_READ | FUSE_CAP_READDIRPLUS | FUSE_CAP_ASYNC_READ |
                    FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS | FUSE_CAP_AUTO_INVAL_DATA;
        fuse_apply_conn_info_opts(opts, &conn);
        CHECK(conn.max_write == 4096 && conn.time_gran == 100 && conn.max_background == 7);
        /* not given: untouched */
        CHECK(conn.max_readahead == 1 << 17 && conn.congestion_threshold == 9);
        CHECK(conn.want == (FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_AUTO_INVAL_DATA));
        free(opts);

        /* async_read switches it on; nothing given changes nothing. */
        char *argv2[] = { "fs", "-oasync_read,splice_write,splice_move", NULL };
        struct fuse_args args2 = FUSE_ARGS_INIT(2, argv2);
        opts = fuse_parse_conn_info_opts(&args2);
        CHECK(opts != NULL);
        memset(&conn, 0, sizeof(conn));
        fuse_apply_conn_info_opts(opts, &conn);
        CHECK(conn.want == (FUSE_CAP_ASYNC_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE));
        CHECK(conn.max_write == 0);
        free(opts);
        fuse_opt_free_args(&args2);
}

int main(void)
{
        test_cmdline();
        test_conn_opts();
        CHECK(fuse_version() == 314);
        CHECK_STR(fuse_pkgversion(), "3.14.0");
        if (failures) {
                fprintf(stderr, "%d check(s) failed\n", failures);
                return 1;
        }
        printf("helper: all checks passed\n");
        return 0;
}
