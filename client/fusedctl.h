/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fusedctl internals: its options, exit codes and the output helpers the
 * verbs share (fusedctl.c: list, status, unmount, main; fusedctl-format.c:
 * tables, JSON, names; fusedctl-monitor.c: monitor). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fused-client.h"
#include "fusedctl-args.h"

/* Exit codes, documented in fusedctl(1). */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,
        EXIT_USAGE = 2,
        EXIT_NOT_MOUNTED = 3,
        EXIT_DENIED = 4,
        EXIT_UNREACHABLE = 5,
};

extern struct fusedctl_args fusedctl_arg;

/* Prints "fusedctl: WHAT: MSG" and returns the exit code for -errno r. */
int fusedctl_fail(int r, const char *what, const char *msg);

const char *fusedctl_user_name(uint32_t uid, char *buf, size_t size);
void fusedctl_format_time(uint64_t usec, char *buf, size_t size);
void fusedctl_fstype_of(const struct fused_mount_info *i, char *buf, size_t size);
void fusedctl_print_json(const struct fused_mount_info *a, size_t n);
void fusedctl_print_table(const struct fused_mount_info *a, size_t n);

int fusedctl_monitor(int argc, char **argv);
