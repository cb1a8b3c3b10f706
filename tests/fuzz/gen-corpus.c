// SPDX-License-Identifier: GPL-2.0-or-later
/* Writes the seed corpora of lib-proto and lib-session: real FUSE request
 * frames built from <linux/fuse.h>'s structs, one per opcode at the
 * current protocol, older layouts, the INTERRUPT and NOTIFY_REPLY
 * exchanges, split WRITEs and malformed frames.  Not run by the build:
 *
 *     build-fuzz/tests/fuzz/gen-corpus tests/fuzz/corpus
 *
 * and commit what changed.  The record format is fuzz-lib-session.c's. */
#include <errno.h>
#include <linux/fuse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One request being built. */
struct rq {
        unsigned char b[8192];
        size_t len;
};

static uint64_t next_unique = 2;

static struct fuse_in_header *hdr(struct rq *r) {
        return (struct fuse_in_header *) r->b;
}

static struct rq *rq_begin(struct rq *r, uint32_t opcode, uint64_t nodeid) {
        memset(r, 0, sizeof *r);
        *hdr(r) = (struct fuse_in_header) { .opcode = opcode, .unique = next_unique, .nodeid = nodeid,
                                            .uid = 1000, .gid = 1000, .pid = 4242 };
        next_unique += 2;
        r->len = sizeof(struct fuse_in_header);
        hdr(r)->len = (uint32_t) r->len;
        return r;
}

static struct rq *rq_add(struct rq *r, const void *p, size_t n) {
        memcpy(r->b + r->len, p, n);
        r->len += n;
        hdr(r)->len = (uint32_t) r->len;
        return r;
}

static struct rq *rq_str(struct rq *r, const char *s) {
        return rq_add(r, s, strlen(s) + 1);
}

#define ADD(r, v) rq_add(r, &(v), sizeof(v))

/* ---- output files ---- */

static const char *outdir;

static FILE *out_open(const char *sub, const char *name) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s/%s", outdir, sub, name);
        f = fopen(path, "wb");
        if (!f) {
                perror(path);
                exit(1);
        }
        return f;
}

static void out_close(FILE *f) {
        if (ferror(f) || fclose(f) != 0) {
                perror("write");
                exit(1);
        }
}

/* lib-proto: minor, flags, split head length, then the request. */
static void proto_seed(const char *name, unsigned minor, unsigned flags, unsigned headlen, const struct rq *r) {
        FILE *f = out_open("lib-proto", name);
        unsigned char pre[3] = { (unsigned char) minor, (unsigned char) flags, (unsigned char) headlen };

        fwrite(pre, 1, sizeof pre, f);
        fwrite(r->b, 1, r->len, f);
        out_close(f);
}

/* lib-session: the header (fuzz-lib-session.c's struct header), records. */
struct header {
        uint8_t config, minor, major, pad;
        uint32_t max_readahead;
        uint64_t kernel_flags, want;
        uint32_t max_write;
        uint16_t max_background, congestion_threshold;
        uint32_t time_gran;
} __attribute__((packed));

enum { REC_RAW, REC_FIXED, REC_NOTIFY_REPLY, REC_NOTIFY, REC_SPLICED, REC_RELEASE, REC_BIG };

static FILE *session_seed(const char *name, uint8_t config, uint8_t minor, uint64_t kflags) {
        FILE *f = out_open("lib-session", name);
        struct header h = { .config = config, .minor = minor, .max_readahead = 131072,
                            .kernel_flags = kflags, .want = ~0ull, .max_write = 131072,
                            .max_background = 12, .congestion_threshold = 9, .time_gran = 1 };

        fwrite(&h, 1, sizeof h, f);
        return f;
}

static void rec(FILE *f, unsigned kind, const void *p, size_t n) {
        unsigned char pre[3] = { (unsigned char) kind, (unsigned char) n, (unsigned char) (n >> 8) };

        fwrite(pre, 1, sizeof pre, f);
        fwrite(p, 1, n, f);
}

static void rec_rq(FILE *f, const struct rq *r) {
        rec(f, REC_RAW, r->b, r->len);
}

/* A notification the file system sends: which, three numbers, name/data. */
static void rec_notify(FILE *f, unsigned which, uint64_t a, uint64_t b, uint32_t c, const char *s) {
        unsigned char buf[512];
        size_t n = 0;

        buf[n++] = (unsigned char) which;
        memcpy(buf + n, &a, 8), n += 8;
        memcpy(buf + n, &b, 8), n += 8;
        memcpy(buf + n, &c, 4), n += 4;
        memcpy(buf + n, s, strlen(s)), n += strlen(s);
        rec(f, REC_NOTIFY, buf, n);
}

#define KERNEL_FLAGS ((uint64_t) (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC |          \
        FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES | FUSE_DONT_MASK | FUSE_SPLICE_WRITE |                   \
        FUSE_SPLICE_MOVE | FUSE_SPLICE_READ | FUSE_FLOCK_LOCKS | FUSE_HAS_IOCTL_DIR |                  \
        FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_ASYNC_DIO |          \
        FUSE_WRITEBACK_CACHE | FUSE_NO_OPEN_SUPPORT | FUSE_PARALLEL_DIROPS | FUSE_HANDLE_KILLPRIV |    \
        FUSE_POSIX_ACL | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | FUSE_NO_OPENDIR_SUPPORT |              \
        FUSE_EXPLICIT_INVAL_DATA | FUSE_INIT_EXT) | FUSE_SETXATTR_EXT | FUSE_HAS_EXPIRE_ONLY)

/* ---- one request per opcode, at protocol 7.38 ---- */

#define N_REQS 64
static struct rq reqs[N_REQS];
static const char *req_names[N_REQS];
static int n_reqs;

static struct rq *next(const char *name, uint32_t opcode, uint64_t nodeid) {
        req_names[n_reqs] = name;
        return rq_begin(&reqs[n_reqs++], opcode, nodeid);
}

static void build_requests(void) {
        struct rq *r;

        rq_str(next("lookup", FUSE_LOOKUP, 1), "file.txt");
        { struct fuse_forget_in a = { .nlookup = 3 }; ADD(next("forget", FUSE_FORGET, 5), a); }
        { struct fuse_getattr_in a = { .getattr_flags = FUSE_GETATTR_FH, .fh = 77 }; ADD(next("getattr", FUSE_GETATTR, 5), a); }
        { struct fuse_setattr_in a = { .valid = FATTR_MODE | FATTR_SIZE | FATTR_FH | FATTR_ATIME_NOW,
                                       .fh = 77, .size = 4096, .mode = 0100600 };
          ADD(next("setattr", FUSE_SETATTR, 5), a); }
        next("readlink", FUSE_READLINK, 6);
        rq_str(rq_str(next("symlink", FUSE_SYMLINK, 1), "link"), "../target");
        { struct fuse_mknod_in a = { .mode = 020644, .rdev = 0x0801, .umask = 022 };
          rq_str(ADD(next("mknod", FUSE_MKNOD, 1), a), "dev"); }
        { struct fuse_mkdir_in a = { .mode = 0755, .umask = 022 }; rq_str(ADD(next("mkdir", FUSE_MKDIR, 1), a), "dir"); }
        rq_str(next("unlink", FUSE_UNLINK, 1), "file.txt");
        rq_str(next("rmdir", FUSE_RMDIR, 1), "dir");
        { struct fuse_rename_in a = { .newdir = 9 }; rq_str(rq_str(ADD(next("rename", FUSE_RENAME, 1), a), "old"), "new"); }
        { struct fuse_link_in a = { .oldnodeid = 5 }; rq_str(ADD(next("link", FUSE_LINK, 1), a), "hard"); }
        { struct fuse_open_in a = { .flags = 02 /* O_RDWR */ }; ADD(next("open", FUSE_OPEN, 5), a); }
        { struct fuse_read_in a = { .fh = 4, .offset = 0, .size = 4096, .flags = 0 }; ADD(next("read", FUSE_READ, 5), a); }
        { struct fuse_read_in a = { .fh = 5, .offset = 4096, .size = 8192 }; ADD(next("read-fd", FUSE_READ, 5), a); }
        { struct fuse_read_in a = { .fh = 6, .size = 100 }; ADD(next("read-iov", FUSE_READ, 5), a); }
        { struct fuse_write_in a = { .fh = 4, .offset = 10, .size = 11, .write_flags = FUSE_WRITE_CACHE };
          rq_add(ADD(next("write", FUSE_WRITE, 5), a), "hello world", 11); }
        next("statfs", FUSE_STATFS, 1);
        { struct fuse_release_in a = { .fh = 4, .release_flags = FUSE_RELEASE_FLUSH, .lock_owner = 9 };
          ADD(next("release", FUSE_RELEASE, 5), a); }
        { struct fuse_fsync_in a = { .fh = 4, .fsync_flags = 1 }; ADD(next("fsync", FUSE_FSYNC, 5), a); }
        { struct fuse_setxattr_in a = { .size = 5, .flags = 1, .setxattr_flags = 0 };
          rq_add(rq_str(ADD(next("setxattr", FUSE_SETXATTR, 5), a), "user.test"), "value", 5); }
        { struct fuse_getxattr_in a = { .size = 0 }; rq_str(ADD(next("getxattr-size", FUSE_GETXATTR, 5), a), "user.test"); }
        { struct fuse_getxattr_in a = { .size = 3 }; rq_str(ADD(next("getxattr-range", FUSE_GETXATTR, 5), a), "user.test"); }
        { struct fuse_getxattr_in a = { .size = 65536 }; ADD(next("listxattr", FUSE_LISTXATTR, 42), a); }
        rq_str(next("removexattr", FUSE_REMOVEXATTR, 5), "user.test");
        { struct fuse_flush_in a = { .fh = 4, .lock_owner = 9 }; ADD(next("flush", FUSE_FLUSH, 5), a); }
        { struct fuse_open_in a = { .flags = 0 }; ADD(next("opendir", FUSE_OPENDIR, 1), a); }
        { struct fuse_read_in a = { .fh = 1, .size = 4096 }; ADD(next("readdir", FUSE_READDIR, 1), a); }
        { struct fuse_read_in a = { .fh = 1, .offset = 3, .size = 4096 }; ADD(next("readdirplus", FUSE_READDIRPLUS, 1), a); }
        { struct fuse_release_in a = { .fh = 1 }; ADD(next("releasedir", FUSE_RELEASEDIR, 1), a); }
        { struct fuse_fsync_in a = { .fh = 1 }; ADD(next("fsyncdir", FUSE_FSYNCDIR, 1), a); }
        { struct fuse_lk_in a = { .fh = 4, .owner = 9, .lk = { .start = 0, .end = 100, .type = 1, .pid = 4242 } };
          ADD(next("getlk", FUSE_GETLK, 5), a); }
        { struct fuse_lk_in a = { .fh = 4, .owner = 9, .lk = { .end = ~0ull, .type = 1 } }; ADD(next("setlk", FUSE_SETLK, 5), a); }
        { struct fuse_lk_in a = { .fh = 4, .lk_flags = FUSE_LK_FLOCK, .lk = { .type = 1 } };
          ADD(next("setlkw-flock", FUSE_SETLKW, 5), a); }
        { struct fuse_access_in a = { .mask = 4 }; ADD(next("access", FUSE_ACCESS, 5), a); }
        { struct fuse_create_in a = { .flags = 0101, .mode = 0100644, .umask = 022 };
          rq_str(ADD(next("create", FUSE_CREATE, 1), a), "new.txt"); }
        { struct fuse_bmap_in a = { .block = 7, .blocksize = 4096 }; ADD(next("bmap", FUSE_BMAP, 5), a); }
        { struct fuse_ioctl_in a = { .fh = 4, .cmd = 0x80045401, .arg = 0x7ffd0000, .in_size = 4, .out_size = 16 };
          rq_add(ADD(next("ioctl", FUSE_IOCTL, 5), a), "\1\2\3\4", 4); }
        { struct fuse_ioctl_in a = { .fh = 4, .flags = FUSE_IOCTL_UNRESTRICTED, .cmd = 0x00080001,
                                     .arg = 0x7ffd0000, .out_size = 8 };
          ADD(next("ioctl-retry", FUSE_IOCTL, 5), a); }
        { struct fuse_poll_in a = { .fh = 4, .kh = 0x77, .flags = FUSE_POLL_SCHEDULE_NOTIFY, .events = 1 };
          ADD(next("poll", FUSE_POLL, 5), a); }
        r = next("batch-forget", FUSE_BATCH_FORGET, 0);
        { struct fuse_batch_forget_in a = { .count = 3 }; ADD(r, a); }
        for (int i = 0; i < 3; i++) {
                struct fuse_forget_one o = { .nodeid = 5 + i, .nlookup = 1 };
                ADD(r, o);
        }
        { struct fuse_fallocate_in a = { .fh = 4, .offset = 0, .length = 1 << 20, .mode = 0 };
          ADD(next("fallocate", FUSE_FALLOCATE, 5), a); }
        { struct fuse_rename2_in a = { .newdir = 1, .flags = 2 /* RENAME_EXCHANGE */ };
          rq_str(rq_str(ADD(next("rename2", FUSE_RENAME2, 1), a), "a"), "b"); }
        { struct fuse_lseek_in a = { .fh = 4, .offset = 100, .whence = 3 /* SEEK_DATA */ };
          ADD(next("lseek", FUSE_LSEEK, 5), a); }
        { struct fuse_copy_file_range_in a = { .fh_in = 4, .off_in = 0, .nodeid_out = 6, .fh_out = 8,
                                               .off_out = 4096, .len = 65536 };
          ADD(next("copy-file-range", FUSE_COPY_FILE_RANGE, 5), a); }
        { struct fuse_setupmapping_in a = { .fh = 4, .len = 4096 }; ADD(next("setupmapping", FUSE_SETUPMAPPING, 5), a); }
        { struct fuse_removemapping_in a = { .count = 0 }; ADD(next("removemapping", FUSE_REMOVEMAPPING, 5), a); }
        { struct fuse_syncfs_in a = { 0 }; ADD(next("syncfs", FUSE_SYNCFS, 1), a); }
        { struct fuse_create_in a = { .flags = 02, .mode = 0100600 }; rq_str(ADD(next("tmpfile", FUSE_TMPFILE, 1), a), ""); }
        next("unknown-opcode", 999, 1);
        next("destroy", FUSE_DESTROY, 0);
}

static struct rq *req(const char *name) {
        for (int i = 0; i < n_reqs; i++)
                if (strcmp(req_names[i], name) == 0)
                        return &reqs[i];
        fprintf(stderr, "no request %s\n", name);
        exit(1);
}

/* ---- the seeds ---- */

static void proto_seeds(void) {
        struct rq r;

        for (int i = 0; i < n_reqs; i++)
                proto_seed(req_names[i], 38, 0, 80, &reqs[i]);
        /* A 7.8 kernel's READ is 24 bytes (the size of its WRITE); a 7.11 MKNOD 8. */
        { struct fuse_read_in a = { .fh = 1, .size = 10 };
          rq_begin(&r, FUSE_READ, 5); rq_add(&r, &a, FUSE_COMPAT_WRITE_IN_SIZE); proto_seed("read-7.8", 8, 0, 0, &r); }
        { struct fuse_mknod_in a = { .mode = 0100644 };
          rq_begin(&r, FUSE_MKNOD, 1); rq_add(&r, &a, FUSE_COMPAT_MKNOD_IN_SIZE); rq_str(&r, "n");
          proto_seed("mknod-7.11", 11, 0, 0, &r); }
        { struct fuse_init_in a = { .major = 7, .minor = 38, .flags = (uint32_t) KERNEL_FLAGS,
                                    .flags2 = (uint32_t) (KERNEL_FLAGS >> 32) };
          proto_seed("init", 0, 0, 0, ADD(rq_begin(&r, FUSE_INIT, 0), a)); }
        { struct cuse_init_in a = { .major = 7, .minor = 38 };
          proto_seed("cuse-init", 0, 0, 0, ADD(rq_begin(&r, CUSE_INIT, 0), a)); }
        { struct fuse_notify_retrieve_in a = { .offset = 64, .size = 3 };
          proto_seed("notify-reply", 38, 0, 0, rq_add(ADD(rq_begin(&r, FUSE_NOTIFY_REPLY, 5), a), "xyz", 3)); }
        { struct fuse_setxattr_in a = { .size = 5, .flags = 1 };
          rq_begin(&r, FUSE_SETXATTR, 5); rq_add(&r, &a, FUSE_COMPAT_SETXATTR_IN_SIZE);
          proto_seed("setxattr-compat", 38, 0, 0, rq_add(rq_str(&r, "user.x"), "value", 5)); }
        /* Malformed: lengths that lie, names without their NUL. */
        r = *req("write");
        hdr(&r)->len += 1;
        proto_seed("len-mismatch", 38, 0, 80, &r);
        r = *req("lookup");
        r.b[r.len - 1] = 'x';
        proto_seed("name-unterminated", 38, 0, 0, &r);
        r = *req("batch-forget");
        ((struct fuse_batch_forget_in *) (r.b + sizeof(struct fuse_in_header)))->count = 0xffffffff;
        proto_seed("forgets-too-many", 38, 0, 0, &r);
        r = *req("write");
        proto_seed("write-split-head", 38, 2, 80, &r);
}

static void session_every_opcode(void) {
        FILE *f = session_seed("every-opcode", 0, 38, KERNEL_FLAGS);

        for (int i = 0; i < n_reqs; i++)
                rec_rq(f, &reqs[i]);
        out_close(f);
}

static void session_retrieve_and_notify(void) {
        FILE *f = session_seed("retrieve-notify", 1, 38, KERNEL_FLAGS);
        struct fuse_notify_retrieve_in a = { .offset = 64, .size = 5 };
        struct rq r;

        /* The first RETRIEVE of a session has notify_unique 1. */
        rec_notify(f, 0, 5, 64, 5, "");
        rq_add(ADD(rq_begin(&r, FUSE_NOTIFY_REPLY, 5), a), "hello", 5);
        hdr(&r)->unique = 1;
        rec_rq(f, &r);
        rec_rq(f, &r);          /* again: matches nothing now */
        rec_notify(f, 0, 6, 0, 4096, "");
        rec(f, REC_NOTIFY_REPLY, r.b, r.len);
        rec_notify(f, 1, 5, 0, (uint32_t) -1, "");
        rec_notify(f, 2, 1, 0, 0, "abc");
        rec_notify(f, 3, 1, 0, 1, "abc");
        rec_notify(f, 4, 1, 7, 0, "abc");
        rec_notify(f, 5, 5, 100, 0, "stored data");
        rec_rq(f, req("poll"));
        out_close(f);
}

static void session_interrupts(void) {
        FILE *f = session_seed("interrupts", 0, 38, KERNEL_FLAGS);
        struct rq r, i;

        /* A READ of fh 3 is held and its interrupt function answers it. */
        { struct fuse_read_in a = { .fh = 3, .size = 10 }; ADD(rq_begin(&r, FUSE_READ, 5), a); }
        rec_rq(f, &r);
        { struct fuse_interrupt_in a = { .unique = hdr(&r)->unique }; ADD(rq_begin(&i, FUSE_INTERRUPT, 0), a); }
        rec_rq(f, &i);
        /* fh 7: held, the INTERRUPT comes first, then the READ, then the answer. */
        { struct fuse_read_in a = { .fh = 7, .size = 10 }; ADD(rq_begin(&r, FUSE_READ, 5), a); }
        { struct fuse_interrupt_in a = { .unique = hdr(&r)->unique }; ADD(rq_begin(&i, FUSE_INTERRUPT, 0), a); }
        rec_rq(f, &i);
        rec_rq(f, &r);
        rec(f, REC_RELEASE, "", 0);
        /* An INTERRUPT for nothing, then any request: EAGAIN for it. */
        { struct fuse_interrupt_in a = { .unique = 12345 }; ADD(rq_begin(&i, FUSE_INTERRUPT, 0), a); }
        rec_rq(f, &i);
        rec_rq(f, req("getattr"));
        out_close(f);
}

static void session_malformed(void) {
        FILE *f = session_seed("malformed", 0, 38, KERNEL_FLAGS);
        struct rq r;

        rec(f, REC_RAW, req("lookup")->b, 10);          /* shorter than a header */
        r = *req("write");
        hdr(&r)->len = 40;                              /* says less than it is */
        rec_rq(f, &r);
        ((struct fuse_write_in *) (r.b + sizeof(struct fuse_in_header)))->size = 1 << 20;
        rec(f, REC_FIXED, r.b, r.len);                  /* data past the end */
        r = *req("rename");
        r.b[r.len - 1] = 'x';
        rec_rq(f, &r);                                  /* second name unterminated */
        r = *req("setxattr");
        ((struct fuse_setxattr_in *) (r.b + sizeof(struct fuse_in_header)))->size = 0xffffffff;
        rec_rq(f, &r);
        r = *req("ioctl");
        ((struct fuse_ioctl_in *) (r.b + sizeof(struct fuse_in_header)))->out_size = 0xffffffff;
        rec_rq(f, &r);
        rec(f, REC_FIXED, req("getattr")->b, sizeof(struct fuse_in_header) + 3);  /* short body */
        { struct fuse_init_in a = { .major = 7, .minor = 38 }; rec_rq(f, ADD(rq_begin(&r, FUSE_INIT, 0), a)); }
        rec_rq(f, req("destroy"));
        rec_rq(f, req("lookup"));                       /* after DESTROY */
        out_close(f);
}

static void session_spliced(void) {
        FILE *f = session_seed("spliced", 1, 38, KERNEL_FLAGS);
        unsigned char buf[512];
        struct rq r = *req("write");

        buf[0] = 0;                                     /* split after the usual head */
        memcpy(buf + 1, r.b, r.len);
        rec(f, REC_SPLICED, buf, r.len + 1);
        buf[0] = 1;                                     /* a whole request from a pipe */
        rec(f, REC_SPLICED, buf, r.len + 1);
        buf[0] = 0;
        ((struct fuse_in_header *) (buf + 1))->opcode = FUSE_READ;
        rec(f, REC_SPLICED, buf, r.len + 1);
        out_close(f);
}

static void session_old_kernel(void) {
        FILE *f = session_seed("kernel-7.8", 0, 8, FUSE_ASYNC_READ | FUSE_POSIX_LOCKS);
        struct rq r;

        { struct fuse_read_in a = { .fh = 4, .size = 10 };
          rq_begin(&r, FUSE_READ, 5); rec_rq(f, rq_add(&r, &a, FUSE_COMPAT_WRITE_IN_SIZE)); }
        { struct fuse_write_in a = { .fh = 4, .size = 3 };
          rq_begin(&r, FUSE_WRITE, 5); rq_add(&r, &a, FUSE_COMPAT_WRITE_IN_SIZE); rec_rq(f, rq_add(&r, "abc", 3)); }
        rq_begin(&r, FUSE_GETATTR, 5);
        rec_rq(f, &r);
        rec_rq(f, req("lookup"));
        rec_rq(f, req("statfs"));
        rec_notify(f, 0, 5, 0, 10, "");                 /* RETRIEVE needs 7.15: refused */
        out_close(f);
}

static void session_allow_root_debug(void) {
        FILE *f = session_seed("allow-root-debug", 1 | 4 | 16, 45, KERNEL_FLAGS);
        struct rq r = *req("lookup");

        hdr(&r)->uid = 54321;
        rec_rq(f, &r);                                  /* EACCES: not the owner */
        r = *req("read");
        hdr(&r)->uid = 54321;
        rec_rq(f, &r);                                  /* an open file: allowed */
        for (int i = 0; i < n_reqs; i += 3)
                rec_rq(f, &reqs[i]);
        out_close(f);
}

static void session_no_init(void) {
        FILE *f = session_seed("own-init", 2 | 8, 0, 0);
        struct rq r;

        rec_rq(f, req("lookup"));                       /* before INIT: EIO */
        { struct fuse_init_in a = { .major = 8, .minor = 0 }; rec_rq(f, ADD(rq_begin(&r, FUSE_INIT, 0), a)); }
        { struct fuse_init_in a = { .major = 7, .minor = 31, .max_readahead = 65536,
                                    .flags = FUSE_ASYNC_READ | FUSE_MAX_PAGES };
          rq_begin(&r, FUSE_INIT, 0); rec_rq(f, rq_add(&r, &a, 16)); }
        rec_rq(f, req("read"));
        rec_rq(f, req("write"));
        rec_rq(f, req("readdirplus"));
        out_close(f);
}

/* WRITEs of 1 MiB (max_pages 256), and one past the receive buffer. */
static void session_big(void) {
        FILE *f = session_seed("big-writes", 0, 38, KERNEL_FLAGS);
        unsigned char buf[256];
        struct rq r = *req("write");
        struct fuse_write_in *w = (struct fuse_write_in *) (r.b + sizeof(struct fuse_in_header));

        w->size = 64 * 16384 - 80;
        buf[0] = 63;                                    /* 64 * 16 KiB */
        memcpy(buf + 1, r.b, 80);
        rec(f, REC_BIG, buf, 81);
        buf[0] = 79;                                    /* 1.25 MiB: cut short */
        rec(f, REC_BIG, buf, 81);
        out_close(f);
}

static void session_cuse(void) {
        FILE *f = session_seed("cuse", 32 | 1, 38, 0);
        const char *ops[] = { "open", "read", "read-fd", "write", "ioctl", "ioctl-retry", "poll",
                              "flush", "fsync", "release", "lookup", "destroy" };

        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
                rec_rq(f, req(ops[i]));
        out_close(f);
}

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
                return 2;
        }
        outdir = argv[1];
        build_requests();
        proto_seeds();
        session_every_opcode();
        session_retrieve_and_notify();
        session_interrupts();
        session_malformed();
        session_spliced();
        session_old_kernel();
        session_allow_root_debug();
        session_no_init();
        session_cuse();
        session_big();
        return 0;
}
