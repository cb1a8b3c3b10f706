// SPDX-License-Identifier: GPL-2.0-or-later
/* A whole low-level session (lib/session.c, init.c, lowlevel*.c,
 * notify.c, splice.c) on the unit tests' in-memory transport, with the
 * harness playing the kernel.  Requests go through receive and process
 * exactly as in fuse_session_loop; the receive buffer past the request is
 * poisoned, so reading beyond what the kernel sent is a report even though
 * it stays inside the library's own buffer.  The replies are checked by
 * fuzz-lib-session-check.c.
 *
 * Input: a header (struct header) setting up the session and its INIT,
 * then records: one byte of kind, two of length (little endian), the
 * record's bytes.  See README.md for the kinds. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/allocator_interface.h>
#include <string.h>
#include <unistd.h>

#include "cuse_lowlevel.h"
#include "fuse_i.h"
#include "fuse_log.h"
#include "fuzz-lib-session.h"
#include "fuzz-util.h"
#include "test-transport.h"

struct header {
        uint8_t config;         /* CONFIG_* */
        uint8_t minor;          /* INIT's minor */
        uint8_t major;          /* 0: 7 */
        uint8_t pad;
        uint32_t max_readahead;
        uint64_t kernel_flags;  /* INIT's flags and flags2 */
        uint64_t want;
        uint32_t max_write;
        uint16_t max_background, congestion_threshold;
        uint32_t time_gran;
} __attribute__((packed));

enum {
        CONFIG_OPS = 3,         /* 0, 3: write; 1: write_buf; 2: no ops at all */
        CONFIG_ALLOW_ROOT = 4,  /* only root and the owner get in */
        CONFIG_NO_INIT = 8,     /* the records bring their own INIT */
        CONFIG_DEBUG = 16,      /* -d: every request logged */
        CONFIG_CUSE = 32,       /* a CUSE device: CUSE_INIT, its ops */
};

enum {
        REC_RAW,                /* the bytes as they are */
        REC_FIXED,              /* the header's len set to the bytes' */
        REC_NOTIFY_REPLY,       /* same, unique: the last RETRIEVE's */
        REC_NOTIFY,             /* the file system sends a notification */
        REC_SPLICED,            /* a request read from a pipe (split WRITE) */
        REC_RELEASE,            /* the held READ is answered */
        REC_BIG,                /* a request padded to 16 KiB .. 1.25 MiB */
        REC_KINDS
};

static struct fuse_buf fbuf;    /* kept across inputs, as a loop keeps it */
static size_t fbuf_size;
static uint64_t last_retrieve;
static int spipe[2] = { -1, -1 };

static void quiet(enum fuse_log_level level, const char *fmt, va_list ap) {
        /* Format anyway: a bad format argument must still show. */
        char buf[256];
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
}

/* Between requests the whole receive buffer is poisoned; each request
 * unpoisons only the bytes the read may fill (the buffer is 1 MiB, most
 * requests a few dozen bytes). */
static void feed(struct fuse_session *se, const uint8_t *req, size_t len) {
        size_t open;
        int r;

        open = fbuf.mem ? (len < fbuf_size ? len : fbuf_size) : 0;
        if (open)
                ASAN_UNPOISON_MEMORY_REGION(fbuf.mem, open);
        tio_feed(req, len);
        r = fuse_session_receive_buf(se, &fbuf);
        if (fbuf.mem && !fbuf_size) {
                fbuf_size = __sanitizer_get_allocated_size(fbuf.mem);
                open = fbuf_size;       /* first read: nothing poisoned yet */
        }
        if (r > 0) {
                FUZZ_CHECK((size_t) r <= len && (size_t) r <= fbuf_size);
                if ((size_t) r >= sizeof(struct fuse_in_header))
                        fuzz_check_read(fbuf.mem);
                /* Past the request: poisoned since the last one, or now. */
                if (open > (size_t) r)
                        ASAN_POISON_MEMORY_REGION((char *) fbuf.mem + r, open - (size_t) r);
                fuse_session_process_buf(se, &fbuf);
                open = (size_t) r;
        }
        if (open)
                ASAN_POISON_MEMORY_REGION(fbuf.mem, open);
        if (r > 0)
                fuzz_check_replies();
}

/* Little-endian numbers from the front of a record; zeros past its end. */
static uint64_t take(const uint8_t **p, size_t *n, size_t bytes) {
        uint64_t v = 0;

        for (size_t i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
                v |= (uint64_t) **p << (8 * i);
        return v;
}

/* The record's request, zero-padded to (1 + first byte mod 80) * 16 KiB
 * with its len set to that: a big WRITE as the kernel sends it with
 * max_pages 256, or more than a receive buffer takes. */
static void feed_big(struct fuse_session *se, const uint8_t *p, size_t n) {
        /* One buffer for the run: fresh pages for each record were most
         * of the harness's time. */
        static uint8_t big[80 * 16384];
        size_t total = (1 + take(&p, &n, 1) % 80) * 16384;

        memset(big, 0, total);
        memcpy(big, p, n < total ? n : total);
        if (total >= sizeof(struct fuse_in_header))
                ((struct fuse_in_header *) big)->len = (uint32_t) total;
        feed(se, big, total);
}

static void feed_fixed(struct fuse_session *se, const uint8_t *req, size_t len, bool retrieve) {
        _fuzz_free_ uint8_t *copy = malloc(len ? len : 1);

        FUZZ_CHECK(copy);
        memcpy(copy, req, len);
        if (len >= sizeof(struct fuse_in_header)) {
                struct fuse_in_header *in = (struct fuse_in_header *) copy;
                in->len = (uint32_t) len;
                if (retrieve) {
                        in->opcode = FUSE_NOTIFY_REPLY;
                        in->unique = last_retrieve;
                }
        }
        feed(se, copy, len);
}

static void notify(struct fuse_session *se, const uint8_t *p, size_t n) {
        unsigned which = (unsigned) take(&p, &n, 1);
        uint64_t a = take(&p, &n, 8), b = take(&p, &n, 8), c = take(&p, &n, 4);
        /* The rest is a name (the API wants it NUL-terminated) or data. */
        _fuzz_free_ char *name = fuzz_cstr(p, n);
        size_t namelen = strlen(name);

        tio.nmsgs = 0;
        tio.outlen = 0;
        switch (which % 6) {
        case 0:
                if (fuse_lowlevel_notify_retrieve(se, a, (size_t) c, (off_t) b, &last_retrieve) == 0 &&
                    tio.nmsgs == 1 && tio.outlen >= sizeof(struct fuse_out_header) +
                                                       sizeof(struct fuse_notify_retrieve_out)) {
                        struct fuse_notify_retrieve_out o;
                        memcpy(&o, tio.out + sizeof(struct fuse_out_header), sizeof o);
                        last_retrieve = o.notify_unique;
                }
                break;
        case 1:
                (void) fuse_lowlevel_notify_inval_inode(se, a, (off_t) b, (off_t) c);
                break;
        case 2:
                (void) fuse_lowlevel_notify_inval_entry(se, a, name, namelen);
                break;
        case 3:
                (void) fuse_lowlevel_notify_expire_entry(se, a, name, namelen, (enum fuse_expire_flags) c);
                break;
        case 4:
                (void) fuse_lowlevel_notify_delete(se, a, b, name, namelen);
                break;
        case 5: {
                struct fuse_bufvec bv = FUSE_BUFVEC_INIT(n);
                bv.buf[0].mem = (void *) p;
                (void) fuse_lowlevel_notify_store(se, a, (off_t) b, &bv, 0);
                break;
        }
        }
        fuzz_check_replies();
}

/* A request whose tail waits in a pipe: a WRITE split after its head as
 * splice receive leaves it (bit 0 of the first byte clear), or a whole
 * request a custom receiver spliced (bit 0 set).  Bits 1-7: the head's
 * length, 0 for the usual header + fuse_write_in. */
static void spliced(struct fuse_session *se, const uint8_t *p, size_t n) {
        unsigned sel = (unsigned) take(&p, &n, 1);
        bool whole = sel & 1;
        size_t head = sel >> 1 ? sel >> 1 : sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in);

        if (spipe[0] < 0)
                FUZZ_CHECK(pipe2(spipe, O_NONBLOCK | O_CLOEXEC) == 0);
        if (whole)
                head = 0;
        if (head > n)
                head = n;
        /* Less than a pipe holds, so the write never blocks. */
        size_t tail = n - head < 32768 ? n - head : 32768;
        _fuzz_free_ uint8_t *mem = malloc(head ? head : 1);
        FUZZ_CHECK(mem);
        memcpy(mem, p, head);
        if (head >= sizeof(struct fuse_in_header))
                ((struct fuse_in_header *) mem)->len = (uint32_t) (head + tail);
        if (tail)
                FUZZ_CHECK(write(spipe[1], p + head, tail) == (ssize_t) tail);

        struct fuse_buf fb = {
                .size = head + tail,
                .flags = FUSE_BUF_IS_FD | (whole ? 0 : FUSE_BUF_LL_SPLIT),
                .mem = mem,
                .fd = spipe[0],
                .pos = (off_t) head,
        };
        tio.nmsgs = 0;
        tio.outlen = 0;
        /* What the library reads as the header: the head, or the pipe. */
        if ((whole ? tail : head) >= sizeof(struct fuse_in_header)) {
                struct fuse_in_header in;
                memcpy(&in, p, sizeof in);
                fuzz_check_read(&in);
        }
        fuse_session_process_buf(se, &fb);
        fuzz_check_replies();
        /* What the library left in the pipe must not reach the next input. */
        char drain[4096];
        while (read(spipe[0], drain, sizeof drain) > 0)
                ;
}

static struct fuse_session *session_new(const struct header *h) {
        static const struct fuse_lowlevel_ops no_ops;
        const struct fuse_lowlevel_ops *ops[] = { &fuzz_fs_ops, &fuzz_fs_buf_ops, &no_ops, &fuzz_fs_ops };
        char *argv[5] = { "fuzz" };
        int argc = 1;

        if (h->config & CONFIG_ALLOW_ROOT) {
                argv[argc++] = "-o";
                argv[argc++] = "allow_root";
        }
        if (h->config & CONFIG_DEBUG)
                argv[argc++] = "-d";
        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        const struct fuse_lowlevel_ops *op = ops[h->config & CONFIG_OPS];
        struct fuse_session *se;
        if (h->config & CONFIG_CUSE) {
                static const char *dev_info[] = { "DEVNAME=fuzz", "MODE=0600" };
                struct cuse_info ci = { .dev_major = 240, .dev_minor = h->minor, .dev_info_argc = 2,
                                        .dev_info_argv = dev_info, .flags = h->config & CUSE_UNRESTRICTED_IOCTL };
                se = cuse_lowlevel_new(&args, &ci, &fuzz_cuse_ops, NULL);
        } else
                se = fuse_session_new(&args, op, sizeof *op, NULL);
        fuse_opt_free_args(&args);
        FUZZ_CHECK(se);

        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(fuse_session_custom_io(se, &fuzz_check_io, fd) == 0);
        return se;
}

static void init(struct fuse_session *se, const struct header *h) {
        struct {
                struct fuse_in_header in;
                struct fuse_init_in init;
        } rq = {
                .in = { .opcode = FUSE_INIT, .unique = 1 },
                .init = {
                        .major = h->major ? h->major : FUSE_KERNEL_VERSION,
                        .minor = h->minor,
                        .max_readahead = h->max_readahead,
                        .flags = (uint32_t) h->kernel_flags,
                        .flags2 = (uint32_t) (h->kernel_flags >> 32),
                },
        };
        /* Kernels before 7.36 send only the first four fields, which
         * are also CUSE_INIT's (major, minor, unused, flags). */
        size_t len = sizeof rq.in + (h->minor >= 36 && !(h->config & CONFIG_CUSE) ? sizeof rq.init : 16);

        if (h->config & CONFIG_CUSE)
                rq.in.opcode = CUSE_INIT;

        rq.in.len = (uint32_t) len;
        feed(se, (const uint8_t *) &rq, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool once;
        struct header h;

        if (!once) {
                fuse_set_log_func(quiet);
                fuzz_fs_setup();
                once = true;
        }
        if (size < sizeof h)
                return 0;
        memcpy(&h, data, sizeof h);
        data += sizeof h;
        size -= sizeof h;

        fuzz_fs_init = (struct fuzz_fs_init) {
                .want = h.want,
                .max_write = h.max_write,
                .max_readahead = h.max_readahead,
                .max_background = h.max_background,
                .congestion_threshold = h.congestion_threshold,
                .time_gran = h.time_gran,
        };
        last_retrieve = 0;
        fuzz_check_begin();
        struct fuse_session *se = session_new(&h);
        tio.nmsgs = 0;
        tio.outlen = 0;
        if (!(h.config & CONFIG_NO_INIT))
                init(se, &h);

        while (size >= 3) {
                unsigned kind = data[0] % REC_KINDS;
                size_t n = (size_t) data[1] | (size_t) data[2] << 8;
                const uint8_t *p = data + 3;

                size -= 3;
                if (n > size)
                        n = size;
                data = p + n;
                size -= n;
                switch (kind) {
                case REC_RAW: feed(se, p, n); break;
                case REC_FIXED: feed_fixed(se, p, n, false); break;
                case REC_NOTIFY_REPLY: feed_fixed(se, p, n, true); break;
                case REC_NOTIFY: notify(se, p, n); break;
                case REC_SPLICED: spliced(se, p, n); break;
                case REC_RELEASE:
                        fuzz_fs_release_held();
                        fuzz_check_replies();
                        break;
                case REC_BIG: feed_big(se, p, n); break;
                }
        }
        fuzz_fs_release_held();
        fuzz_check_replies();
        fuzz_check_end();
        fuse_session_destroy(se);
        tio.nmsgs = 0;
        tio.outlen = 0;
        return 0;
}
