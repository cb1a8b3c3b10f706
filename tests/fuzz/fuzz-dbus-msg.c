// SPDX-License-Identifier: GPL-2.0-or-later
/* Building a method call from the fuzzer's bytes.
 *
 * Input: one byte of header (bits 0-1 the member: Mount, Unmount,
 * ListMounts, Nothing; bit 2 ALLOW_INTERACTIVE_AUTHORIZATION), then
 * arguments until the input or the signature's room ends, each a type and
 * then a value of it, both read a byte at a time:
 *
 *   type:  a D-Bus type character: y b n q i u x t d s o g h v; 'a' and
 *          the element type, or "a{" a basic key type and a value type;
 *          '(' then a byte for the number of fields (1-4) and their
 *          types.  Any other byte picks one of these by its value.
 *   value: y, b: 1 byte; n, q: 2; i, u: 4; x, t, d: 8 (little endian);
 *          s: a length byte L, then L bytes (L < 0xfe); 0xfe: a 2-byte
 *          length and that many bytes; 0xff: a 3-byte count, a fill byte
 *          and a short string, which is followed by the fill byte count
 *          times (huge strings from a few bytes).  Bytes are 7-bit, 0 is
 *          '/'.  o: a segment count, then each segment's length and bytes;
 *          g: a length and basic types; h: which of the harness's fds;
 *          v: a type and a value; arrays: a count byte (0xff: a 2-byte
 *          count), then the elements.
 *
 * An a{sv} among the first three arguments is the flags dict the
 * decoders read: its keys' length byte may instead be 0xfa, 0xfb or 0xfc
 * for mountpoint-fd, auto-unmount or lazy, and what is appended there is
 * recorded in the model.  Missing bytes read as 0.  What is built stays
 * within D-Bus's limits (signature length, nesting, fds, size) and what
 * sd-bus receives, so a message that does not arrive is a bug of this
 * file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-dbus-msg.h"
#include "fuzz-util.h"

#define ARGS_MAX 16
#define TYPE_DEPTH_MAX 12       /* arrays and structs within one signature (D-Bus: 32 each) */
#define DEPTH_MAX 32            /* containers, variants included */
#define VARIANT_SIG_MAX 64
#define BUDGET_BYTES (64u << 10)       /* strings well past PATH_MAX and FUSED_OPTIONS_MAX */
#define VALUE_COST 8u
#define FDS_MAX 16u

#define KEY_BYTE_MOUNTPOINT_FD 0xfa
#define KEY_BYTE_AUTO_UNMOUNT 0xfb
#define KEY_BYTE_LAZY 0xfc

static const char basic_types[] = "ybnqiuxtdsogh";
static const char any_types[] = "ybnqiuxtdsoghva(";

typedef struct Builder {
        sd_bus_message *m;
        const uint8_t *p;
        size_t n;
        size_t budget;          /* bytes left to append: VALUE_COST per value of any
                                 * type, and the bytes of strings */
        unsigned n_fds;         /* appended */
        unsigned h_types;       /* h in the types made so far */
        unsigned depth;
        const int *fds;
        size_t n_fd_table;
} Builder;

typedef struct Sig {
        char s[256];
        size_t n, max;          /* max: the room, without the NUL */
} Sig;

static uint8_t in_byte(Builder *b) {
        if (b->n == 0)
                return 0;
        b->n--;
        return *b->p++;
}

static uint64_t in_le(Builder *b, unsigned bytes) {
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; i++)
                v |= (uint64_t) in_byte(b) << (8 * i);
        return v;
}

static void sig_push(Sig *s, char c) {
        s->s[s->n++] = c;
        s->s[s->n] = 0;
}

static char basic_of(uint8_t c) {
        return strchr(basic_types, c) && c ? (char) c : basic_types[c % (sizeof basic_types - 1)];
}

/* One complete type appended to s; never more than its room. */
static void gen_type(Builder *b, Sig *s, unsigned depth) {
        uint8_t c = in_byte(b);
        size_t room = s->max - s->n;

        if (!c || !strchr(any_types, c))
                c = any_types[c % (sizeof any_types - 1)];
        if (depth >= TYPE_DEPTH_MAX || room < 5)
                c = basic_of(c);
        /* Each h of a type is one fd per value: few of them, and arrays
         * stop at FDS_MAX, so that a message stays far below the 253 fds
         * the kernel passes at once. */
        if (c == 'h' && ++b->h_types > FDS_MAX)
                c = 'u';
        if (c == 'a') {
                sig_push(s, 'a');
                if (b->n && *b->p == '{') {
                        b->p++, b->n--;
                        sig_push(s, '{');
                        sig_push(s, basic_of(in_byte(b)));
                        s->max--;       /* room for '}' */
                        gen_type(b, s, depth + 1);
                        s->max++;
                        sig_push(s, '}');
                } else
                        gen_type(b, s, depth + 1);
        } else if (c == '(') {
                unsigned k = in_byte(b) % 4 + 1;
                sig_push(s, '(');
                s->max--;               /* room for ')' */
                for (unsigned i = 0; i < k && s->n < s->max; i++)
                        gen_type(b, s, depth + 1);
                s->max++;
                sig_push(s, ')');
        } else
                sig_push(s, (char) c);
}

static const char *type_end(const char *t) {
        if (*t == 'a')
                return type_end(t + 1);
        if (*t == '(' || *t == '{') {
                char close = *t == '(' ? ')' : '}';
                for (t++; *t != close;)
                        t = type_end(t);
        }
        return t + 1;
}

static char text_char(uint8_t c) {
        c &= 0x7f;
        return c ? (char) c : '/';
}

static char *gen_string_of(Builder *b, uint8_t len) {
        size_t n, fill = 0;
        uint8_t fill_char = 0;

        if (len == 0xff) {
                fill = in_le(b, 3);
                fill_char = in_byte(b);
                len = in_byte(b);
                if (len >= 0xfe)
                        len = 0;
        }
        n = len == 0xfe ? in_le(b, 2) : len;
        if (n > b->budget)
                n = b->budget;
        b->budget -= n;
        if (fill > b->budget)
                fill = b->budget;
        b->budget -= fill;

        char *s = malloc(n + fill + 1);
        if (!s)
                abort();
        for (size_t i = 0; i < n; i++)
                s[i] = text_char(in_byte(b));
        memset(s + n, text_char(fill_char), fill);
        s[n + fill] = 0;
        return s;
}

static char *gen_object_path(Builder *b) {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        char *s = calloc(1, 4 * 9 + 2), *q = s;
        unsigned k = in_byte(b) % 4;

        if (!s)
                abort();
        for (unsigned i = 0; i < k; i++) {
                unsigned len = in_byte(b) % 8 + 1;
                *q++ = '/';
                for (unsigned j = 0; j < len; j++)
                        *q++ = chars[in_byte(b) % (sizeof chars - 1)];
        }
        if (q == s)
                *q++ = '/';
        return s;
}

static int gen_value(Builder *b, const char **t);

/* The types from start to end, which come from a Sig and so fit. */
static void type_copy(char dst[static 256], const char *start, const char *end) {
        memcpy(dst, start, (size_t) (end - start));
        dst[end - start] = 0;
}

/* The elements of an array whose type starts at elem. */
static int gen_array(Builder *b, const char *elem, const char *end) {
        char contents[256];
        unsigned count = in_byte(b);
        int r;

        if (count == 0xff)
                count = in_le(b, 2);
        type_copy(contents, elem, end);
        r = sd_bus_message_open_container(b->m, 'a', contents);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < count && b->budget >= VALUE_COST && (b->n_fds < FDS_MAX || !strchr(contents, 'h'));
             i++) {
                const char *e = contents;
                r = gen_value(b, &e);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(b->m);
}

static int gen_container(Builder *b, char type, const char *inner, const char *end) {
        char contents[256];
        int r;

        type_copy(contents, inner, end);
        r = sd_bus_message_open_container(b->m, type, contents);
        for (const char *f = contents; r >= 0 && *f;)
                r = gen_value(b, &f);
        return r < 0 ? r : sd_bus_message_close_container(b->m);
}

static int gen_variant(Builder *b, Sig *s) {
        const char *v;
        int r;

        *s = (Sig) { .max = VARIANT_SIG_MAX };
        gen_type(b, s, b->depth >= DEPTH_MAX ? TYPE_DEPTH_MAX : 0);
        r = sd_bus_message_open_container(b->m, 'v', s->s);
        if (r < 0)
                return r;
        v = s->s;
        r = gen_value(b, &v);
        return r < 0 ? r : sd_bus_message_close_container(b->m);
}

/* ret_value: for h the index of the fd in the table, for b 0 or 1. */
static int gen_basic(Builder *b, char type, int *ret_value) {
        _fuzz_free_ char *s = NULL;
        uint64_t v = 0;
        int i;

        switch (type) {
        case 's':
                s = gen_string_of(b, in_byte(b));
                return sd_bus_message_append_basic(b->m, 's', s);
        case 'o':
                s = gen_object_path(b);
                return sd_bus_message_append_basic(b->m, 'o', s);
        case 'g': {
                char g[8] = "";
                unsigned k = in_byte(b) % 8;
                for (unsigned j = 0; j < k; j++)
                        g[j] = basic_of(in_byte(b));
                g[k] = 0;
                return sd_bus_message_append_basic(b->m, 'g', g);
        }
        case 'h':
                i = (int) (in_byte(b) % b->n_fd_table);
                b->n_fds++;
                if (ret_value)
                        *ret_value = i;
                return sd_bus_message_append_basic(b->m, 'h', &b->fds[i]);
        case 'b':
                /* Any int: sd-bus must send it as 0 or 1. */
                i = in_byte(b);
                if (ret_value)
                        *ret_value = i != 0;
                return sd_bus_message_append_basic(b->m, 'b', &i);
        case 'y': v = in_le(b, 1); break;
        case 'n': case 'q': v = in_le(b, 2); break;
        case 'i': case 'u': v = in_le(b, 4); break;
        default: v = in_le(b, 8); break;
        }
        /* Little endian: the low bytes of v are the narrower type. */
        return sd_bus_message_append_basic(b->m, type, &v);
}

static int gen_value(Builder *b, const char **t) {
        const char *start = *t, *end = type_end(start);
        Sig vs;
        int r;

        *t = end;
        /* Containers cost as much as basic values: else arrays of empty
         * arrays would be free, and their nesting exponential. */
        b->budget -= b->budget < VALUE_COST ? b->budget : VALUE_COST;
        if (!strchr("av({", *start))
                return gen_basic(b, *start, NULL);
        b->depth++;
        if (*start == 'a')
                r = gen_array(b, start + 1, end);
        else if (*start == 'v')
                r = gen_variant(b, &vs);
        else
                r = gen_container(b, *start == '(' ? 'r' : 'e', start + 1, end - 1);
        b->depth--;
        return r;
}

static const char *key_of(uint8_t k, int *ret_key) {
        *ret_key = k == KEY_BYTE_MOUNTPOINT_FD ? KEY_MOUNTPOINT_FD :
                   k == KEY_BYTE_AUTO_UNMOUNT ? KEY_AUTO_UNMOUNT :
                   k == KEY_BYTE_LAZY ? KEY_LAZY : KEY_OTHER;
        return *ret_key == KEY_MOUNTPOINT_FD ? FUSED_FLAG_MOUNTPOINT_FD :
               *ret_key == KEY_AUTO_UNMOUNT ? FUSED_FLAG_AUTO_UNMOUNT :
               *ret_key == KEY_LAZY ? FUSED_FLAG_LAZY : NULL;
}

/* One entry of a flags dict: a key, a variant of any type. */
static int gen_flag(Builder *b, FlagEntry *e) {
        _fuzz_free_ char *s = NULL;
        uint8_t k = in_byte(b);
        const char *key = key_of(k, &e->key);
        Sig vs = { .max = VARIANT_SIG_MAX };
        int r;

        b->budget -= b->budget < VALUE_COST ? b->budget : VALUE_COST;
        if (!key) {
                key = s = gen_string_of(b, k);
                /* Spelt out: the same key. */
                e->key = strcmp(key, FUSED_FLAG_MOUNTPOINT_FD) == 0 ? KEY_MOUNTPOINT_FD :
                         strcmp(key, FUSED_FLAG_AUTO_UNMOUNT) == 0 ? KEY_AUTO_UNMOUNT :
                         strcmp(key, FUSED_FLAG_LAZY) == 0 ? KEY_LAZY : KEY_OTHER;
        }
        r = sd_bus_message_open_container(b->m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append_basic(b->m, 's', key);
        if (r < 0)
                return r;
        gen_type(b, &vs, 0);
        r = sd_bus_message_open_container(b->m, 'v', vs.s);
        if (r < 0)
                return r;
        if (strcmp(vs.s, "h") == 0 || strcmp(vs.s, "b") == 0) {
                e->vtype = vs.s[0];
                r = gen_basic(b, vs.s[0], &e->value);
        } else {
                const char *v = vs.s;
                b->depth += 3;
                r = gen_value(b, &v);
                b->depth -= 3;
        }
        if (r >= 0)
                r = sd_bus_message_close_container(b->m);
        return r < 0 ? r : sd_bus_message_close_container(b->m);
}

static int gen_flags(Builder *b, FlagsModel *fm) {
        unsigned count = in_byte(b);
        int r;

        if (count == 0xff)
                count = in_le(b, 2);
        fm->present = true;
        r = sd_bus_message_open_container(b->m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (unsigned i = 0; i < count && b->budget >= VALUE_COST; i++) {
                FlagEntry e = { 0 };
                r = gen_flag(b, &e);
                if (r < 0)
                        return r;
                if (fm->n < ELEMENTSOF(fm->e))
                        fm->e[fm->n] = e;
                fm->n++;
        }
        return sd_bus_message_close_container(b->m);
}

static int gen_arg(Builder *b, Sig *top, unsigned pos, MsgModel *model) {
        size_t start = top->n;
        const char *t;

        gen_type(b, top, 0);
        t = top->s + start;
        if (pos < MSG_MODEL_ARGS && strcmp(t, "a{sv}") == 0)
                return gen_flags(b, &model->flags[pos]);
        if (pos < MSG_MODEL_ARGS && strcmp(t, "s") == 0) {
                model->str[pos] = gen_string_of(b, in_byte(b));
                return sd_bus_message_append_basic(b->m, 's', model->str[pos]);
        }
        return gen_value(b, &t);
}

int msg_build(sd_bus *bus, const uint8_t *data, size_t size, const int *fds, size_t n_fds,
              sd_bus_message **ret, MsgModel *model) {
        static const char *const members[] = {
                FUSED_METHOD_MOUNT, FUSED_METHOD_UNMOUNT, FUSED_METHOD_LIST_MOUNTS, "Nothing",
        };
        Builder b = { .p = data, .n = size, .budget = BUDGET_BYTES, .fds = fds, .n_fd_table = n_fds };
        /* 254, one short of D-Bus's limit: sd-bus 252 builds and sends a
         * body signature of 255 characters, but the receiving end drops
         * the message without a word, so fused never sees one. */
        Sig top = { .max = sizeof top.s - 2 };
        uint8_t h = in_byte(&b);
        int r;

        *model = (MsgModel) { .member = members[h & 3] };
        r = sd_bus_message_new_method_call(bus, &b.m, NULL, FUSED_OBJECT_PATH, FUSED_MANAGER_INTERFACE,
                                           model->member);
        if (r < 0)
                return r;
        if (h & 4)
                r = sd_bus_message_set_allow_interactive_authorization(b.m, 1);
        for (unsigned pos = 0; r >= 0 && pos < ARGS_MAX && b.n > 0 && top.n < top.max; pos++)
                r = gen_arg(&b, &top, pos, model);
        if (r < 0) {
                sd_bus_message_unref(b.m);
                return r;
        }
        memcpy(model->sig, top.s, sizeof model->sig);
        *ret = b.m;
        return 0;
}

void msg_model_done(MsgModel *model) {
        for (size_t i = 0; i < MSG_MODEL_ARGS; i++) {
                free(model->str[i]);
                model->str[i] = NULL;
        }
}
