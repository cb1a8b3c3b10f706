// SPDX-License-Identifier: GPL-2.0-or-later
/* devnode-fs: a filesystem whose one entry, "dev", is a character device
 * node of mode 0666 with the numbers of /dev/null (1,3), as any FUSE server
 * may claim.  The kernel must not honour it on a mount fused made for an
 * unprivileged caller: opening it must fail (EACCES from nodev or from a
 * superblock owned by the caller's user namespace).  The numbers name
 * /dev/null so that a failure of the test harms nothing; a real attack
 * would name the root disk.
 * Usage: devnode-fs MOUNTPOINT -f  (MOUNTPOINT may be /dev/fd/N) */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define DEV_INO 2

static int dn_stat(fuse_ino_t ino, struct stat *st) {
        memset(st, 0, sizeof *st);
        st->st_ino = ino;
        if (ino == FUSE_ROOT_ID) {
                st->st_mode = S_IFDIR | 0755;
                st->st_nlink = 2;
                return 0;
        }
        if (ino == DEV_INO) {
                st->st_mode = S_IFCHR | 0666;
                st->st_nlink = 1;
                st->st_rdev = makedev(1, 3);
                return 0;
        }
        return -ENOENT;
}

static void dn_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct stat st;
        (void) fi;
        if (dn_stat(ino, &st) < 0)
                fuse_reply_err(req, ENOENT);
        else
                fuse_reply_attr(req, &st, 0);
}

static void dn_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
        struct fuse_entry_param e = { .ino = DEV_INO };
        if (parent != FUSE_ROOT_ID || strcmp(name, "dev") != 0) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        dn_stat(DEV_INO, &e.attr);
        fuse_reply_entry(req, &e);
}

static void dn_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        char buf[512];
        size_t n = 0;
        struct stat st;
        (void) fi;
        if (ino != FUSE_ROOT_ID) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        dn_stat(DEV_INO, &st);
        if (off == 0)
                n = fuse_add_direntry(req, buf, sizeof buf, "dev", &st, 1);
        fuse_reply_buf(req, buf, n < size ? n : size);
}

static const struct fuse_lowlevel_ops ops = {
        .lookup = dn_lookup,
        .getattr = dn_getattr,
        .readdir = dn_readdir,
};

int main(int argc, char *argv[]) {
        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        struct fuse_cmdline_opts opts;
        int ret = 1;

        if (fuse_parse_cmdline(&args, &opts) != 0 || !opts.mountpoint) {
                fprintf(stderr, "usage: %s MOUNTPOINT -f\n", argv[0]);
                return 1;
        }
        struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
        if (se && fuse_session_mount(se, opts.mountpoint) == 0) {
                ret = fuse_session_loop(se);
                fuse_session_unmount(se);
        }
        if (se)
                fuse_session_destroy(se);
        free(opts.mountpoint);
        fuse_opt_free_args(&args);
        return ret ? 1 : 0;
}
