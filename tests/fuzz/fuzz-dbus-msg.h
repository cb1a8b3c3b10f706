/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The message builder of fuzz-dbus-args: a small interpreter that turns
 * the fuzzer's bytes into a method call of any signature, and a model of
 * what it appended at the top level, for the harness to predict what the
 * decoder must make of it.  See fuzz-dbus-msg.c for the input format. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "fused.h"

enum {
        KEY_OTHER,
        KEY_MOUNTPOINT_FD,
        KEY_AUTO_UNMOUNT,
        KEY_LAZY,
};

/* One entry of a top-level a{sv}, as far as the decoder may look at it. */
typedef struct FlagEntry {
        int key;                /* KEY_* */
        char vtype;             /* the variant holds exactly "h" or "b", else 0 */
        int value;              /* b: 0/1; h: the index of the fd in the harness's table */
} FlagEntry;

typedef struct FlagsModel {
        bool present;           /* the argument at this position is an a{sv} */
        unsigned n;             /* its entries; only the first FLAGS_MAX + 1 are kept */
        FlagEntry e[REQUEST_ARGS_FLAGS_MAX + 1];
} FlagsModel;

#define MSG_MODEL_ARGS 3

typedef struct MsgModel {
        const char *member;
        char sig[256];                  /* the body's signature */
        char *str[MSG_MODEL_ARGS];      /* the top-level strings, by position */
        FlagsModel flags[MSG_MODEL_ARGS];
} MsgModel;

/* A sealed-to-be method call on bus; the fds the input names are copied
 * from fds[].  0, or -errno of sd-bus refusing what was built (never
 * expected: the interpreter keeps within the limits of D-Bus). */
int msg_build(sd_bus *bus, const uint8_t *data, size_t size, const int *fds, size_t n_fds,
              sd_bus_message **ret, MsgModel *model);
void msg_model_done(MsgModel *model);
