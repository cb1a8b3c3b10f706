// SPDX-License-Identifier: GPL-2.0-or-later
/* What the kernel would make of the session's replies, for the session
 * harness: each message a frame it takes, and by the end of an input
 * exactly the replies owed. */
#include <linux/fuse.h>
#include <string.h>

#include "fuzz-lib-session.h"
#include "fuzz-util.h"
#include "test-transport.h"

/* The answers owed: every request the session read (unique not 0) gets
 * exactly one reply by the end of the input, except FORGET, BATCH_FORGET
 * and NOTIFY_REPLY (none) and INTERRUPT (none once it found its request,
 * else EAGAIN or an error).  A lost reply leaves a process waiting in the
 * kernel; a second one answers a request the kernel reused. */
#define LEDGER_MAX 4096
static struct owed {
        uint64_t unique;
        unsigned owed, got;
        bool interrupt;
} ledger[LEDGER_MAX];
static size_t n_ledger;
static bool write_failed;       /* a reply was lost on our side: no ledger */

/* Once a request had unique 0 (never from the kernel, which numbers from
 * 1), answers with 0 may come, then or later (a held READ), until the
 * input ends. */
static bool unique0_asked;

static struct owed *ledger_find(uint64_t unique) {
        for (size_t i = 0; i < n_ledger; i++)
                if (ledger[i].unique == unique)
                        return &ledger[i];
        return NULL;
}

static void ledger_read(const struct fuse_in_header *in) {
        if (in->unique == 0)
                return;
        struct owed *o = ledger_find(in->unique);
        if (!o) {
                FUZZ_CHECK(n_ledger < LEDGER_MAX);
                o = &ledger[n_ledger++];
                *o = (struct owed) { .unique = in->unique };
        }
        if (in->opcode == FUSE_INTERRUPT)
                o->interrupt = true;
        if (in->opcode != FUSE_FORGET && in->opcode != FUSE_BATCH_FORGET && in->opcode != FUSE_NOTIFY_REPLY)
                o->owed++;
}

void fuzz_check_begin(void) {
        n_ledger = 0;
        write_failed = false;
        unique0_asked = false;
}

void fuzz_check_read(const struct fuse_in_header *in) {
        if (in->unique == 0)
                unique0_asked = true;
        ledger_read(in);
}

void fuzz_check_end(void) {
        for (size_t i = 0; !write_failed && i < n_ledger; i++) {
                const struct owed *o = &ledger[i];
                bool ok = o->interrupt ? o->got <= o->owed : o->got == o->owed;
                if (!ok)
                        fprintf(stderr, "unique %llu: %u replies, %u owed%s\n", (unsigned long long) o->unique,
                                o->got, o->owed, o->interrupt ? " (an INTERRUPT among them)" : "");
                FUZZ_CHECK(ok);
        }
}

/* What each message written since the last check was, in bytes: the
 * transport starts each one 8-aligned, so the offsets alone do not say. */
static size_t msg_len[TIO_MAX_MSGS];

/* test_io, noting each message's length and a reply it could not write. */
static ssize_t io_writev(int fd, struct iovec *iov, int count, void *ud) {
        ssize_t r = test_io.writev(fd, iov, count, ud);

        if (r < 0)
                write_failed = true;
        else
                msg_len[tio.nmsgs - 1] = (size_t) r;
        return r;
}

static ssize_t io_read(int fd, void *buf, size_t len, void *ud) {
        return test_io.read(fd, buf, len, ud);
}

const struct fuse_custom_io fuzz_check_io = { .read = io_read, .writev = io_writev };

/* Every message is a frame the kernel accepts: its length is what was
 * written, an error reply is a bare header with a negative errno, a
 * notification (unique 0) carries a known code. */
void fuzz_check_replies(void) {
        for (int i = 0; i < tio.nmsgs; i++) {
                size_t len = msg_len[i];
                struct fuse_out_header h;

                FUZZ_CHECK(len >= sizeof h);
                memcpy(&h, tio.out + tio.msg_off[i], sizeof h);
                bool ok = h.len == len;
                if (h.unique == 0 && !(unique0_asked && h.error <= 0))
                        ok = ok && h.error > 0 && h.error < FUSE_NOTIFY_CODE_MAX;
                else
                        ok = ok && h.error <= 0 && h.error > -4096 && (h.error == 0 || len == sizeof h);
                if (!ok) {
                        fprintf(stderr, "message %d of %d: len %u (written %zu), error %d, unique %llu:", i,
                                tio.nmsgs, h.len, len, h.error, (unsigned long long) h.unique);
                        for (size_t k = 0; k < len && k < 64; k++)
                                fprintf(stderr, " %02x", tio.out[tio.msg_off[i] + k]);
                        fprintf(stderr, "\n");
                }
                FUZZ_CHECK(ok);
                if (h.unique != 0) {
                        struct owed *o = ledger_find(h.unique);
                        if (!o)
                                fprintf(stderr, "a reply to unique %llu, never sent\n",
                                        (unsigned long long) h.unique);
                        FUZZ_CHECK(o);
                        o->got++;
                }
        }
        tio.nmsgs = 0;
        tio.outlen = 0;
}
