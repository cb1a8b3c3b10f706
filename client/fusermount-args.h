/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fusermount3 drop-in: its command line, parsed without side effects. */
#pragma once

#include <stdbool.h>

enum fusermount_action {
        FUSERMOUNT_MOUNT,
        FUSERMOUNT_UNMOUNT,
        FUSERMOUNT_HELP,
        FUSERMOUNT_VERSION,
};

struct fusermount_args {
        enum fusermount_action action;
        bool lazy;              /* -z */
        bool quiet;             /* -q */
        bool auto_unmount;      /* --auto-unmount, or auto_unmount in -o */
        char *options;          /* every -o joined with ',' (NULL: none) */
        const char *mountpoint; /* points into argv */
        int comm_fd;            /* --comm-fd=N, -1 if not given */
};

/* Parses argv (not modified; getopt is not used, so this can run twice).
 * Returns 0, or -EINVAL with *error set to a static message for a usage
 * error (exit status 1 as fusermount3 does), -ENOMEM. */
int fusermount_args_parse(int argc, char **argv, struct fusermount_args *a, const char **error);
void fusermount_args_done(struct fusermount_args *a);

/* A file descriptor number from the environment (_FUSE_COMMFD): -1 if
 * unset, -EINVAL if not a non-negative decimal number. */
int fusermount_parse_fd(const char *s);
