/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libfusedclient internals: cleanup helpers and the call plumbing shared by
 * the files of the library (not for its users). */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static inline void freep(void *p) {
        free(*(void **)p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void sd_bus_message_unrefp_(sd_bus_message **m) {
        sd_bus_message_unref(*m);
}

static inline void sd_bus_flush_close_unrefp_(sd_bus **b) {
        sd_bus_flush_close_unref(*b);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_msg_ _cleanup_(sd_bus_message_unrefp_)
#define _cleanup_bus_ _cleanup_(sd_bus_flush_close_unrefp_)
#define _cleanup_bus_error_ _cleanup_(sd_bus_error_free)

/* A method call to the Manager, with ALLOW_INTERACTIVE_AUTHORIZATION set
 * from FUSED_CLIENT_INTERACTIVE. */
int fused_call_begin(sd_bus *bus, sd_bus_message **ret, const char *method, unsigned flags);
/* Sends call and waits for its reply (longer when FUSED_CLIENT_INTERACTIVE:
 * a password prompt waits for a human); an error as fused_error_from_bus(). */
int fused_call(sd_bus *bus, sd_bus_message *call, unsigned flags, sd_bus_message **reply,
               char **ret_error);

static inline int steal_fd(int *fd) {
        int r = *fd;
        *fd = -1;
        return r;
}

static inline void *steal_ptr(void *pp) {
        void **p = pp, *r = *p;
        *p = NULL;
        return r;
}
