// SPDX-License-Identifier: GPL-2.0-or-later
/* The request decoder (lib/proto.c) on arbitrary bytes: whatever the
 * kernel, or a process that got hold of a /dev/fuse fd, writes.  Whatever
 * it accepts must lie inside the buffer, since nothing after it checks
 * again.
 *
 * Input: byte 0 the protocol minor, byte 1 flags (bit 0: SETXATTR_EXT,
 * bit 1: set the header's len to the buffer's, so the fuzzer gets past
 * that check and into the opcodes), byte 2 the head length of a split
 * WRITE, then the request. */
#include <string.h>

#include "fuzz-util.h"
#include "proto.h"

static bool inside(const void *p, size_t n, const char *buf, size_t len) {
        const char *c = p;

        return c >= buf && c <= buf + len && n <= (size_t) (buf + len - c);
}

static void check_name(const char *name, const char *buf, size_t len) {
        if (!name)
                return;
        const char *nul = memchr(name, 0, (size_t) (buf + len - name));
        FUZZ_CHECK(inside(name, 1, buf, len) && nul);
}

static void check_decoded(const struct proto_req *r, const char *buf, size_t len) {
        FUZZ_CHECK((const char *) r->in == buf);
        FUZZ_CHECK(r->arglen == len - sizeof(struct fuse_in_header));
        FUZZ_CHECK(!r->arg || inside(r->arg, r->arglen, buf, len));
        check_name(r->name, buf, len);
        check_name(r->name2, buf, len);
        FUZZ_CHECK(!r->name2 || r->name);
        if (r->data)
                FUZZ_CHECK(inside(r->data, r->datalen, buf, len));
        FUZZ_CHECK(strlen(proto_opname(r->in->opcode)) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct proto_req r;
        enum proto_err e;

        if (size < 3)
                return 0;
        unsigned minor = data[0];
        bool ext = data[1] & 1, fix_len = data[1] & 2;
        size_t headlen = data[2];
        data += 3;
        size -= 3;

        /* Exactly the request's bytes, so a read past them is caught. */
        _fuzz_free_ char *buf = malloc(size ? size : 1);
        FUZZ_CHECK(buf);
        memcpy(buf, data, size);
        if (fix_len && size >= sizeof(struct fuse_in_header))
                ((struct fuse_in_header *) buf)->len = (uint32_t) size;

        e = proto_decode(buf, size, minor, ext, &r);
        FUZZ_CHECK(strlen(proto_strerror(e)) > 0);
        FUZZ_CHECK(r.data_fd == -1);
        if (e == PROTO_SHORT_HEADER)
                FUZZ_CHECK(!r.in && size < sizeof(struct fuse_in_header));
        else
                FUZZ_CHECK((const char *) r.in == buf);
        if (e == PROTO_OK)
                check_decoded(&r, buf, size);

        /* The same bytes as the head of a WRITE received by splice: the
         * rest of it (its data) would be in a pipe. */
        if (headlen > size)
                headlen = size;
        e = proto_decode_write_head(buf, headlen, size, minor, 7, &r);
        if (e == PROTO_OK) {
                FUZZ_CHECK(r.data_fd == 7 && !r.data && r.arg);
                FUZZ_CHECK(inside(r.arg, sizeof(struct fuse_write_in), buf, headlen));
                FUZZ_CHECK(headlen + r.datalen == size);
        }
        FUZZ_CHECK(proto_init_out_size(minor) <= sizeof(struct fuse_init_out));
        return 0;
}
